#!/usr/bin/env node
// Drives the built server (dist/cli/main.js) with the MCP Inspector CLI on the fixture workspace:
// lists tools (--strict schema check), prompts and resources, calls every tool, gets every prompt with an
// argument, reads a skill and an architecture-map resource. Prints one line per call and a summary.
//
//   npm run build && node scripts/inspector.mjs [--verbose]
//
// Exit 0: every call passed, or the Inspector is not installed (a "SKIP" line says so; `npm ci` installs it as
// a devDependency). Exit 1: a call failed. HOME is a temp dir so the Inspector's catalog files stay out of ~.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'dist/cli/main.js');
const verbose = process.argv.includes('--verbose');

/** Sample arguments per tool, on symbols the fixture workspace has. A new tool needs a line here. */
const TOOL_ARGS = {
  explore: { symbol: 'transfer_kv_all_layer' },
  trace: { symbol: 'MHATokenToKVPoolHost.backup_from_device_all_layer', depth: 5 },
  blame: { symbol: 'RadixCache.evict' },
  grep: { pattern: 'send_pyobj' },
};
/** Sample value for each prompt's first argument. */
const PROMPT_ARGS = {
  'dynamo-explore': 'KvEventPublisher', 'codebase-trace': 'kv-events', 'gpu-kernel-path': 'transfer_kv_all_layer', 'kv-block-path': 'RadixCache.evict',
};

function inspectorLauncher() {
  try {
    const pkg = createRequire(join(ROOT, 'package.json')).resolve('@modelcontextprotocol/inspector/package.json');
    const launcher = join(dirname(pkg), 'clients/launcher/build/index.js');
    return existsSync(launcher) ? launcher : undefined;
  } catch {
    return undefined;
  }
}

export async function main() {
  const launcher = inspectorLauncher();
  if (!launcher) {
    console.log('SKIP inspector: @modelcontextprotocol/inspector is not installed (it is a devDependency: run npm ci).');
    return 0;
  }
  if (!existsSync(SERVER)) {
    console.log(`FAIL inspector: ${SERVER} is missing; run npm run build first.`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dsm-inspector-'));
  try {
    const { makeFixtureRepos } = await import(pathToFileURL(join(ROOT, 'test/fixtures/make-fixture-repos.mjs')).href);
    const repos = await makeFixtureRepos(dir);
    const server = ['--', process.execPath, SERVER, '--dynamo', repos.dynamo, '--sglang', repos.sglang, '--cache-dir', join(dir, '.cache')];
    const run = (args) => new Promise((resolve) => {
      const child = spawn(process.execPath, [launcher, '--cli', ...args, '--format', 'json', ...server], {
        env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 180_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => {
        let json;
        try { json = JSON.parse(stdout); } catch { json = undefined; }
        resolve({ code, json, stderr });
      });
    });
    let passed = 0;
    let failed = 0;
    const check = (label, r, ok, excerpt) => {
      const good = r.code === 0 && r.json && ok(r.json.result ?? r.json);
      if (good) passed++; else failed++;
      const text = good ? excerpt(r.json.result ?? r.json) : `exit ${r.code}; ${(r.stderr || JSON.stringify(r.json) || '').trim().split('\n').slice(-3).join(' | ')}`;
      console.log(`${good ? 'ok  ' : 'FAIL'} ${label} — ${verbose ? text : text.split('\n').slice(0, 3).join(' ⏎ ').slice(0, 240)}`);
      return good ? r.json.result ?? r.json : undefined;
    };
    const textOf = (res) => (res.content ?? res.contents ?? res.messages?.map((m) => m.content) ?? []).map((c) => c.text ?? '').join('\n');

    const tools = check('tools/list --strict', await run(['--method', 'tools/list', '--strict']), (r) => r.tools?.length > 0,
      (r) => `${r.tools.length} tools: ${r.tools.map((t) => t.name).join(', ')}`)?.tools ?? [];
    const prompts = check('prompts/list', await run(['--method', 'prompts/list']), (r) => r.prompts?.length > 0,
      (r) => `${r.prompts.length} prompts: ${r.prompts.map((p) => `${p.name}(${(p.arguments ?? []).map((a) => a.name).join(', ')})`).join(', ')}`)?.prompts ?? [];
    const resources = check('resources/list', await run(['--method', 'resources/list']), (r) => r.resources?.length > 0,
      (r) => `${r.resources.length} resources: ${r.resources.map((x) => x.uri).join(', ')}`)?.resources ?? [];

    const jobs = [];
    for (const tool of tools) {
      const args = TOOL_ARGS[tool.name];
      if (!args) {
        failed++;
        console.log(`FAIL tools/call ${tool.name} — no sample arguments: add them to TOOL_ARGS in scripts/inspector.mjs`);
        continue;
      }
      jobs.push([`tools/call ${tool.name} ${JSON.stringify(args)}`, ['--method', 'tools/call', '--tool-name', tool.name, '--tool-args-json', JSON.stringify(args)],
        (r) => !r.isError && textOf(r).length > 0 && r.structuredContent !== undefined]);
    }
    for (const prompt of prompts) {
      const arg = prompt.arguments?.[0];
      const pair = arg ? [`${arg.name}=${PROMPT_ARGS[prompt.name] ?? 'KvEventPublisher'}`] : [];
      jobs.push([`prompts/get ${prompt.name} ${pair.join(' ')}`, ['--method', 'prompts/get', '--prompt-name', prompt.name, ...(pair.length ? ['--prompt-args', ...pair] : [])],
        (r) => r.messages?.length > 0 && (!pair.length || textOf(r).includes(pair[0].split('=')[1]))]);
    }
    for (const uri of [resources.find((r) => r.uri.startsWith('skill://'))?.uri, resources.find((r) => r.uri.startsWith('arch://'))?.uri]) {
      if (!uri) { failed++; console.log('FAIL resources/read — a skill:// or arch:// resource is missing'); continue; }
      jobs.push([`resources/read ${uri}`, ['--method', 'resources/read', '--uri', uri], (r) => textOf(r).length > 0]);
    }
    // Three Inspector processes at a time; results are printed in job order.
    const results = new Array(jobs.length);
    let next = 0;
    await Promise.all(Array.from({ length: 3 }, async () => {
      while (next < jobs.length) { const k = next++; results[k] = await run(jobs[k][1]); }
    }));
    jobs.forEach(([label, , ok], k) => check(label, results[k], ok, textOf));
    console.log(`inspector: ${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
}
