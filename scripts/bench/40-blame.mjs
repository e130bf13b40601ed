// Bench section: blame latency — the blame tool on a ~1,000-line file and on a symbol's history, cold (every
// cache of ours emptied) and cached, next to plain `git blame` / `git log -L` on the same range in the same run.
// The symbol is resolved through a Workspace holding only its file's record, so indexing is not measured here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pct, table, timeCmd } from './util.mjs';

const PICKS = {
  dynamo: { file: 'lib/kv-router/src/scheduling/local.rs', symbol: 'KvRouter::find_best_match', symbolFile: 'lib/llm/src/kv_router.rs' },
  sglang: { file: 'python/sglang/srt/disaggregation/decode.py', symbol: 'RadixCache.evict', symbolFile: 'python/sglang/srt/mem_cache/radix_cache.py' },
};
const RUNS = 5;

/** For an unknown repo: the tracked source file closest to 1,000 lines, and its largest definition. */
function pickFor(root) {
  const files = execFileSync('git', ['-C', root, 'ls-files', '*.py', '*.rs', '*.cu', '*.cpp'], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter(Boolean);
  let best;
  for (const f of files.slice(0, 4000)) {
    let n;
    try { n = readFileSync(join(root, f), 'utf8').split('\n').length; } catch { continue; }
    if (!best || Math.abs(n - 1000) < Math.abs(best.n - 1000)) best = { file: f, n };
  }
  return best && { file: best.file, symbolFile: best.file };
}

async function workspaceWith(d, repo, file) {
  const { resolveConfig } = await import(`${d}/index/config.js`);
  const { Workspace } = await import(`${d}/index/workspace.js`);
  const { parseFile } = await import(`${d}/index/parse-file.js`);
  const { languageOf } = await import(`${d}/lang/registry.js`);
  const ws = new Workspace(resolveConfig({ repos: [`${repo.name}=${repo.root}`], env: {}, cacheDir: '/tmp/dsm-bench-blame' }));
  const spec = ws.config.repos[0];
  const head = execFileSync('git', ['-C', repo.root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const index = { spec, name: spec.name, root: spec.root, head, allFiles: [file], files: new Map(), skipped: [], stats: { parsed: 0, bytes: 0, ms: 0 } };
  ws.repos.set(spec.name, index);
  const rec = await parseFile(join(repo.root, file), file, languageOf(file).id);
  if (rec.defs) ws.put(index, rec);
  return ws;
}

async function clearAll(d) {
  (await import(`${d}/git/blame.js`)).clearBlameCache();
  (await import(`${d}/git/history.js`)).clearHistoryCache();
  (await import(`${d}/git/commits.js`)).clearCommitCache();
  (await import(`${d}/git/file-state.js`)).clearFileStateCache();
}

async function timeTool(d, ws, args, cold) {
  const { blameTool } = await import(`${d}/tools/blame.js`);
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    if (cold) await clearAll(d);
    const t = performance.now();
    await blameTool.run(args, { ws });
    ms.push(performance.now() - t);
  }
  return pct(ms, 50);
}

function timeGit(root, args) {
  const ms = [];
  for (let i = 0; i < RUNS; i++) ms.push(timeCmd('git', ['-C', root, ...args]).ms);
  return pct(ms, 50);
}

export async function run({ repos, distDir }) {
  const rows = [];
  for (const repo of repos) {
    const pick = PICKS[repo.name] ?? pickFor(repo.root);
    if (!pick) continue;
    const fileWs = await workspaceWith(distDir, repo, pick.file);
    const lines = readFileSync(join(repo.root, pick.file), 'utf8').split('\n').length - 1;
    const cold = await timeTool(distDir, fileWs, { file: pick.file }, true);
    const warm = await timeTool(distDir, fileWs, { file: pick.file }, false);
    const gitM = timeGit(repo.root, ['blame', '--porcelain', '-M', 'HEAD', '--', pick.file]);
    const gitPlain = timeGit(repo.root, ['blame', '--porcelain', 'HEAD', '--', pick.file]);
    rows.push([repo.name, `blame ${pick.file} (${lines} lines)`, cold.toFixed(0), warm.toFixed(1), `${gitM.toFixed(0)} (-M) / ${gitPlain.toFixed(0)} (plain)`]);
    if (!pick.symbol) continue;
    const symWs = await workspaceWith(distDir, repo, pick.symbolFile);
    const { resolveTarget } = await import(`${distDir}/git/target.js`);
    const t = resolveTarget(symWs, { symbol: pick.symbol });
    const args = { symbol: pick.symbol, history: true };
    const hCold = await timeTool(distDir, symWs, args, true);
    const hWarm = await timeTool(distDir, symWs, args, false);
    const gitLog = timeGit(repo.root, ['log', `-L${t.start},${t.end}:${t.path}`, '-s', '--format=%H', '-n', '11', 'HEAD']);
    rows.push([repo.name, `history ${pick.symbol} (${t.path}:${t.start}-${t.end}, max_commits 10)`, hCold.toFixed(0), hWarm.toFixed(1), `${gitLog.toFixed(0)} (git log -L -n 11)`]);
    const bCold = await timeTool(distDir, symWs, { symbol: pick.symbol }, true);
    const bWarm = await timeTool(distDir, symWs, { symbol: pick.symbol }, false);
    const gitB = timeGit(repo.root, ['blame', '--porcelain', '-M', `-L${t.start},${t.end}`, 'HEAD', '--', t.path]);
    rows.push([repo.name, `blame ${pick.symbol}`, bCold.toFixed(0), bWarm.toFixed(1), `${gitB.toFixed(0)} (-M)`]);
  }
  console.log(`median of ${RUNS} runs; cold = all blame/commit caches emptied before each run (git's own object cache stays warm); load average ${loadavg()[0].toFixed(1)}`);
  table(['repo', 'what', 'blame tool cold ms', 'cached ms', 'git alone ms'], rows);
}
