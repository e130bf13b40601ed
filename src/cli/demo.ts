/**
 * `dynamo-sglang-mcp demo`: builds the bundled fixture workspace (two small git repos shaped like Dynamo and
 * SGLang, from test/fixtures/) in a temp dir and runs the tools on it, printing what an agent would see —
 * including a cross-language trace from a Python method through a torch op and C++ to a CUDA kernel.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from '../index/config.js';
import { Workspace } from '../index/workspace.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { runTool } from '../server/boundary.js';
import { TOOLS } from '../tools/index.js';

interface DemoStep {
  tool: string;
  args: Record<string, unknown>;
  why: string;
}

/** The demo's calls, in order. Tools this build does not have are reported and skipped. */
export const DEMO_STEPS: DemoStep[] = [
  { tool: 'explore', args: { query: 'kv cache transfer' }, why: 'where does something live: ranked directories, files and symbols for topic words' },
  { tool: 'explore', args: { symbol: 'transfer_kv_all_layer' }, why: 'one name, three languages: the Python wrapper, the torch op and the C++ function behind it' },
  { tool: 'trace', args: { symbol: 'MHATokenToKVPoolHost.backup_from_device_all_layer', depth: 5 }, why: 'a cross-language trace: Python → torch op → C++ → CUDA kernel launch' },
  { tool: 'trace', args: { symbol: 'DecodeWorkerHandler.generate', depth: 3 }, why: 'a cross-repo trace: the Dynamo worker calling into SGLang' },
  { tool: 'grep', args: { pattern: 'send_pyobj', scope: 'code' }, why: 'search that names the enclosing symbol of each hit' },
  { tool: 'blame', args: { symbol: 'RadixCache.evict' }, why: 'who changed this and why, grouped by commit, with PR numbers' },
];

export const FIXTURE_SCRIPT = join(PACKAGE_ROOT, 'test/fixtures/make-fixture-repos.mjs');

export async function runDemo(opts: { keep?: boolean; out?: (s: string) => void } = {}): Promise<number> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s + '\n'));
  if (!existsSync(FIXTURE_SCRIPT)) {
    out(`The fixture workspace is not part of this install (${FIXTURE_SCRIPT} is missing); run the demo from a clone of the repository.`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dsm-demo-'));
  try {
    const mod = await import(pathToFileURL(FIXTURE_SCRIPT).href) as { makeFixtureRepos(dest: string): Promise<{ dynamo: string; sglang: string }> };
    let repos: { dynamo: string; sglang: string };
    try {
      repos = await mod.makeFixtureRepos(dir);
    } catch (e) {
      out(`Could not build the fixture repos in ${dir} (git must be on PATH): ${(e as Error).message}`);
      return 2;
    }
    out(`# dynamo-sglang-mcp demo\n\nFixture checkouts built in ${dir}:\n  dynamo = ${repos.dynamo}\n  sglang = ${repos.sglang}\n`);
    const ws = new Workspace(resolveConfig({ dynamo: repos.dynamo, sglang: repos.sglang, cacheDir: join(dir, '.cache'), env: {}, home: dir }));
    const t0 = performance.now();
    await ws.ready();
    out(`Indexed in ${Math.round(performance.now() - t0)} ms.\n`);
    let failed = 0;
    for (const step of DEMO_STEPS) {
      out(`\n## $ dynamo-sglang-mcp ${cliLine(step)}\n_${step.why}_\n`);
      const tool = TOOLS.find((t) => t.name === step.tool);
      if (!tool) {
        out(`(the ${step.tool} tool is not in this build yet — skipped)`);
        continue;
      }
      const res = await runTool(tool, step.args, { ws });
      if (res.isError) failed++;
      out(res.content.map((c) => c.text).join('\n'));
    }
    out(`\nTry it on your checkouts: dynamo-sglang-mcp explore --dynamo ~/dynamo --sglang ~/sglang` +
      `\nOr serve MCP: claude mcp add dynamo-sglang -- npx -y dynamo-sglang-mcp --dynamo ~/dynamo --sglang ~/sglang`);
    return failed ? 1 : 0;
  } finally {
    if (opts.keep) out(`\n(kept ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The same call as a CLI line (for the heading of each step). */
function cliLine(step: DemoStep): string {
  const parts = [step.tool];
  for (const [k, v] of Object.entries(step.args)) {
    const s = String(v);
    parts.push(`--${k}`, /[\s"'$]/.test(s) ? JSON.stringify(s) : s);
  }
  return parts.join(' ');
}
