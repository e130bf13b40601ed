/**
 * Distribution manifests agree with each other and with the CLI: package.json (bin, files, mcpName),
 * server.json (registry), the Claude Code plugin (.claude-plugin/plugin.json, marketplace.json) and .mcp.json,
 * and `npm pack` ships what `npx dynamo-sglang-mcp` and the demo need.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { loadSkills } from '../src/server/skills.js';
import { TOOLS } from '../src/tools/index.js';

const read = (p: string) => JSON.parse(readFileSync(join(PACKAGE_ROOT, p), 'utf8'));
const pkg = read('package.json');
const server = read('server.json');
const plugin = read('.claude-plugin/plugin.json');
const marketplace = read('.claude-plugin/marketplace.json');
const mcp = read('.mcp.json');
const SERVER_NAME = 'dynamo-sglang';
const BIN = join(PACKAGE_ROOT, 'bin/dynamo-sglang-mcp.cjs');

test('server.json matches package.json (name = mcpName, versions, npm identifier, stdio)', () => {
  assert.equal(server.name, pkg.mcpName);
  assert.match(server.name, /^io\.github\.[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/);
  assert.equal(server.version, pkg.version);
  assert.ok(server.description.length <= 100, `description is ${server.description.length} chars`);
  const npm = server.packages.find((p: { registryType: string }) => p.registryType === 'npm');
  assert.ok(npm, 'no npm package entry');
  assert.equal(npm.identifier, pkg.name);
  assert.equal(npm.version, pkg.version);
  assert.deepEqual(npm.transport, { type: 'stdio' });
});

test('server.json documents the CLI arguments and environment variables the CLI really has', () => {
  const help = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  const npm = server.packages[0];
  const args = npm.packageArguments.map((a: { name: string }) => a.name);
  for (const flag of ['--dynamo', '--sglang', '--repo', '--cache-dir']) assert.ok(args.includes(flag), `server.json lacks ${flag}`);
  for (const flag of args) assert.ok(help.includes(flag), `server.json documents ${flag}, which --help does not list`);
  const env = npm.environmentVariables.map((e: { name: string }) => e.name);
  for (const name of ['DYNAMO_ROOT', 'SGLANG_ROOT']) assert.ok(env.includes(name), `server.json lacks ${name}`);
  for (const name of env) assert.ok(help.includes(name), `server.json documents ${name}, which --help does not mention`);
  for (const a of [...npm.packageArguments, ...npm.environmentVariables]) assert.ok(a.description?.length > 10, `${a.name}: no description`);
});

test('package.json: bin is the launcher, with a shebang, of the built CLI; files cover what npx and the demo need', () => {
  assert.deepEqual(pkg.bin, { 'dynamo-sglang-mcp': 'bin/dynamo-sglang-mcp.cjs' });
  assert.ok(existsSync(join(PACKAGE_ROOT, 'dist/cli/main.js')), 'run npm run build first');
  assert.ok(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n'), 'the launcher has no shebang');
  accessSync(BIN, constants.X_OK);
  const files: string[] = pkg.files.map((f: string) => f.replace(/\/$/, ''));
  for (const need of ['bin', 'dist', 'queries', 'data', 'skills', 'test/fixtures', 'server.json', 'README.md', '.claude-plugin', '.mcp.json']) {
    assert.ok(files.includes(need), `package.json files lacks ${need}`);
  }
});

test('npm pack ships the CLI, queries, data, skills, fixtures and manifests, and no sources or tests', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const listed = new Set((JSON.parse(out.slice(out.indexOf('['))) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  const must = ['bin/dynamo-sglang-mcp.cjs', 'dist/cli/main.js', 'dist/server/server.js', 'dist/server/prompts.js', 'package.json', 'server.json', 'README.md',
    '.claude-plugin/plugin.json', '.mcp.json', 'data/layers.json', 'test/fixtures/make-fixture-repos.mjs', 'queries/python/definitions.scm',
    'native/binding.gyp', 'native/dsm_tree_sitter.c', 'native/build.mjs'];
  for (const s of loadSkills()) must.push(`skills/${s.name}/SKILL.md`);
  // Every source the native build compiles (but the runtime's, from the tree-sitter package), and the headers next to them.
  const gyp = readFileSync(join(PACKAGE_ROOT, 'native/binding.gyp'), 'utf8');
  const sources = [...gyp.matchAll(/"([\w.-]+\.c)"/g)].map((m) => m[1]);
  assert.ok(sources.includes('dsm_tree_sitter.c'), 'binding.gyp: sources not found');
  for (const c of sources) must.push(`native/${c}`);
  for (const h of readdirSync(join(PACKAGE_ROOT, 'native')).filter((f) => f.endsWith('.h'))) must.push(`native/${h}`);
  for (const f of must) assert.ok(listed.has(f), `npm pack does not ship ${f}`);
  for (const f of listed) {
    assert.ok(!/^(src|scratch|dist-test|scripts|native\/build)\//.test(f) && !/^test\/.*\.test\.ts$/.test(f), `npm pack ships ${f}`);
  }
});

test('Claude Code plugin: plugin.json, marketplace.json and .mcp.json agree on names and the server command', () => {
  assert.equal(plugin.name, SERVER_NAME);
  assert.equal(plugin.version, pkg.version);
  assert.equal(plugin.skills, './skills/');
  assert.deepEqual(plugin.mcpServers[SERVER_NAME], { command: 'node', args: ['${CLAUDE_PLUGIN_ROOT}/bin/dynamo-sglang-mcp.cjs'] });
  const entry = marketplace.plugins.find((p: { name: string }) => p.name === SERVER_NAME);
  assert.ok(entry, 'marketplace.json does not list the plugin');
  assert.equal(entry.source, './');
  assert.equal(entry.version, pkg.version);
  // .mcp.json is the project-scoped config for Claude Code opened in this checkout (cwd = checkout root).
  assert.deepEqual(Object.keys(mcp.mcpServers), [SERVER_NAME]);
  assert.deepEqual(mcp.mcpServers[SERVER_NAME], { command: 'node', args: ['bin/dynamo-sglang-mcp.cjs'] });
});

test('README documents install, every tool, the prompts and troubleshooting', () => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(`claude mcp add ${SERVER_NAME} -- npx -y ${pkg.name}`), 'README lacks the claude mcp add line');
  assert.ok(readme.includes('claude plugin marketplace add'), 'README lacks the plugin install');
  assert.ok(readme.includes('"mcpServers"'), 'README lacks a JSON config for other clients');
  for (const tool of TOOLS) assert.match(readme, new RegExp(`^### \`?${tool.name}\\b`, 'm'), `README has no section for ${tool.name}`);
  for (const s of loadSkills()) assert.ok(readme.includes(`/mcp__${SERVER_NAME}__${s.name}`), `README does not show the slash command of ${s.name}`);
  assert.match(readme, /^## Troubleshooting/m);
});

test('the build bundles the CLI and its workers; the bundle indexes like the modules and shares their cache', async () => {
  for (const f of ['cli/run.js', 'index/worker.js', 'search/worker.js']) assert.ok(existsSync(join(PACKAGE_ROOT, 'dist/bundle', f)), `dist/bundle/${f} missing: npm run build`);
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { fixtureRepos } = await import('./helpers/fixture.js');
  const fx = await fixtureRepos();
  const cacheDir = mkdtempSync(join(tmpdir(), 'dsm-bundle-'));
  const index = (bundle: string) => JSON.parse(execFileSync(process.execPath, [BIN, 'index', '--json', '--dynamo', fx.dynamo, '--sglang', fx.sglang, '--cache-dir', cacheDir], {
    encoding: 'utf8', env: { ...process.env, DSM_BUNDLE: bundle, DSM_PREWARM: '0' },
  }).trim().split('\n').pop()!) as { repos: { name: string; parsed: number; cache: string }[] };
  try {
    const cold = index('1'); // parses in the bundle's worker threads
    assert.ok(cold.repos.every((r) => r.parsed > 10 && r.cache.startsWith('miss')), JSON.stringify(cold.repos));
    const warm = index('0'); // the unbundled modules read what the bundle wrote
    assert.deepEqual(warm.repos.map((r) => [r.name, r.parsed, r.cache]), cold.repos.map((r) => [r.name, r.parsed, 'hit']));
    const grep = execFileSync(process.execPath, [BIN, 'grep', 'def ', '--dynamo', fx.dynamo, '--sglang', fx.sglang, '--cache-dir', cacheDir], { encoding: 'utf8' });
    assert.match(grep, /\*\*grep\*\* `def `.* — [1-9]\d* match/, 'the bundle\'s search worker answers');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
