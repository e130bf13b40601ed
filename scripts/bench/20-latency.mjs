// Bench section: tool latency, p50/p95 over a fixed query list, through the same boundary a client's call
// goes through (runTool: freshness check, tool, rendering), in one process on the index cache that 10-index
// left (run alone, the section first builds one with the `index` command), prewarmed as the server
// prewarms. Each query's first call is shown apart: repeats reuse what the first kept (call resolutions,
// the architecture map). Grep is shown next to ripgrep on the same pattern and roots (rg prints every match
// to a pipe; ours answers its first page), as a ratio. Queries that do not resolve in the
// served repos (another checkout) are replaced by names taken from the index.
// The measuring runs in a child process (this file with --child), so its peak RSS is that of one process
// holding both repos' index plus every derived index and the grep index the queries build.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliPath, have, nodeJson, pct, table, timeCmd } from './util.mjs';

const RUNS = 7;
const QUERIES = {
  'explore symbol': [
    { symbol: 'RadixCache' }, { symbol: 'RadixCache.match_prefix' }, { symbol: 'Scheduler' }, { symbol: 'TokenizerManager' },
    { symbol: 'KvRouter' }, { symbol: 'KvEventPublisher' }, { symbol: 'DistributedRuntime' }, { symbol: 'ModelRunner.forward' },
  ],
  'trace depth 3': [
    { symbol: 'Scheduler.handle_generate_request', depth: 3 }, { symbol: 'RadixCache.match_prefix', depth: 3 },
    { symbol: 'RadixCache.evict', direction: 'callers', depth: 3 }, { symbol: 'KvRouter.find_best_match', depth: 3 },
    { symbol: 'TokenizerManager.generate_request', depth: 3 }, { symbol: 'KvEventPublisher', direction: 'callers', depth: 3 },
  ],
  'explore path / query': [
    { path: 'python/sglang/srt/mem_cache/radix_cache.py' }, { path: 'lib/llm/src/kv_router.rs' }, { query: 'radix cache eviction' }, { query: 'kv events publisher' },
  ],
  grep: [
    { pattern: 'match_prefix' }, { pattern: 'KvEventPublisher' }, { pattern: 'def (get|put)_\\w+\\(' }, { pattern: 'fn\\s+\\w+_request' }, { pattern: 'TODO', scope: 'comments' },
  ],
  blame: [
    { symbol: 'RadixCache.evict' }, { symbol: 'KvRouter.find_best_match' }, { symbol: 'Scheduler.handle_generate_request' },
  ],
};
const BUDGET = { 'explore symbol': 'p50 ≤ 20', 'trace depth 3': 'p50 ≤ 50', grep: '≤ rg' };

async function workspace(distDir, repos) {
  const { resolveConfig } = await import(`${distDir}/index/config.js`);
  const { Workspace } = await import(`${distDir}/index/workspace.js`);
  const cacheDir = process.env.DSM_BENCH_CACHE; // run() always passes one
  if (!cacheDir) throw new Error('DSM_BENCH_CACHE is not set');
  const ws = new Workspace(resolveConfig({ repos: repos.map((r) => `${r.name}=${r.root}`), env: {}, cacheDir }));
  await ws.ready();
  return ws;
}

/** Names of the biggest classes and functions in the index, for checkouts the fixed list does not fit. */
function fallbackSymbols(ws, n) {
  const sizes = [];
  for (const [name, refs] of ws.byName) {
    const d = ws.def(refs[0]);
    if (refs.length === 1 && (d.kind === 'class' || d.kind === 'struct' || d.kind === 'function') && name.length > 4) sizes.push([d.endLine - d.line, name]);
  }
  return sizes.sort((a, b) => b[0] - a[0]).slice(0, n).map(([, name]) => name);
}

export async function run({ repos, distDir }) {
  // Run alone, the section builds a cache first: the measuring process loads one, as after 10-index.
  const own = process.env.DSM_BENCH_CACHE ? undefined : mkdtempSync(join(tmpdir(), 'dsm-bench-latency-'));
  try {
    if (own) {
      const built = timeCmd(process.execPath, [cliPath(distDir), 'index', '--cache-dir', own, ...repos.flatMap((r) => ['--repo', `${r.name}=${r.root}`])]);
      if (built.status !== 0) throw new Error(`building the index cache for the latency section failed (exit ${built.status})`);
    }
    report(nodeJson(fileURLToPath(import.meta.url), ['--child', JSON.stringify({ repos, distDir })], own ? { DSM_BENCH_CACHE: own } : {}));
  } finally {
    if (own) rmSync(own, { recursive: true, force: true });
  }
}

function report(out) {
  console.log(`each query's first call, then ${RUNS} repeats, through runTool (freshness check included), in a child process that loaded the index from the cache; load average ${loadavg()[0].toFixed(1)}; that process's peak RSS ${out.rss} MB (budget ≤ 600)`);
  table(['tool', 'queries', 'first call p50 ms', 'first call max ms', 'repeat p50 ms', 'repeat p95 ms', 'budget (first call p50)', 'vs ripgrep (same pattern, same roots)'], out.rows);
}

async function measure({ repos, distDir }) {
  const { TOOLS } = await import(`${distDir}/tools/index.js`);
  const { runTool } = await import(`${distDir}/server/boundary.js`);
  const { prewarm } = await import(`${distDir}/tools/prewarm.js`);
  const ws = await workspace(distDir, repos);
  await prewarm(ws);
  const tools = new Map(TOOLS.map((t) => [t.name, t]));
  const toolOf = (kind) => (kind.startsWith('explore') ? 'explore' : kind.startsWith('trace') ? 'trace' : kind);
  const extra = fallbackSymbols(ws, 8);
  const rows = [];
  const rg = have('rg');
  const rgRoots = repos.map((r) => r.root);
  for (const [kind, list] of Object.entries(QUERIES)) {
    const tool = tools.get(toolOf(kind));
    if (!tool) {
      rows.push([kind, '-', '-', '-', '-', '-', 'tool not registered', '']);
      continue;
    }
    const ok = [];
    const first = [];
    const firstCall = async (args) => {
      const t = performance.now();
      const res = await runTool(tool, args, { ws }); // also drops queries this checkout cannot answer
      if (!res.isError) first.push(performance.now() - t);
      return !res.isError;
    };
    for (const args of list) if (await firstCall(args)) ok.push(args);
    if (ok.length < 2 && (kind === 'explore symbol' || kind.startsWith('trace') || kind === 'blame')) {
      for (const name of extra) {
        const args = kind.startsWith('trace') ? { symbol: name, depth: 3 } : { symbol: name };
        if (await firstCall(args)) ok.push(args);
      }
    }
    const ms = [];
    const rgMs = [];
    for (const args of ok) {
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await runTool(tool, args, { ws });
        ms.push(performance.now() - t);
        if (kind === 'grep' && rg) rgMs.push(timeCmd('rg', ['-n', '--no-heading', '-e', args.pattern, ...rgRoots]).ms);
      }
    }
    const ratio = rgMs.length ? `rg p50 ${pct(rgMs, 50).toFixed(0)} ms → ${(pct(ms, 50) / pct(rgMs, 50)).toFixed(2)}× rg` : '';
    rows.push([kind, ok.length, pct(first, 50).toFixed(1), Math.max(...first).toFixed(1), pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), BUDGET[kind] ?? '', ratio]);
  }
  await ws.close();
  return { rows, rss: Math.round(process.resourceUsage().maxRSS / 1024) };
}

if (process.argv[2] === '--child') {
  const res = await measure(JSON.parse(process.argv[3]));
  process.stdout.write(JSON.stringify(res) + '\n');
  process.exit(0);
}
