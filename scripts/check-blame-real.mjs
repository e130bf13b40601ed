// node scripts/check-blame-real.mjs — checks blame against git itself on the real checkouts
// (DYNAMO_ROOT / SGLANG_ROOT, full history). For 10 ranges in Rust, Python and CUDA files (some given as
// symbols, resolved through the index): the commit of every line must equal `git blame --porcelain -M`'s,
// and the history list must equal `git log -L`'s commits. Run `npm run build` first. Exit 1 on a mismatch.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(fileURLToPath(import.meta.url), '../../dist');
const MAX_HISTORY = 50;

const TARGETS = [
  { repo: 'dynamo', lang: 'rust', symbol: 'KvRouter::find_best_match' },
  { repo: 'dynamo', lang: 'rust', file: 'lib/llm/src/kv_router.rs', start: 138, end: 260 },
  { repo: 'dynamo', lang: 'rust', file: 'lib/kv-router/src/scheduling/local.rs' },
  { repo: 'dynamo', lang: 'cuda', file: 'lib/llm/src/kernels/block_copy.cu', start: 1, end: 200 },
  { repo: 'dynamo', lang: 'python', file: 'components/src/dynamo/sglang/main.py', start: 1, end: 120 },
  { repo: 'sglang', lang: 'cuda', file: 'sgl-kernel/csrc/allreduce/custom_all_reduce.cu' },
  { repo: 'sglang', lang: 'cuda', symbol: 'rotary_embedding_kernel' },
  { repo: 'sglang', lang: 'python', symbol: 'RadixCache.evict' },
  { repo: 'sglang', lang: 'python', symbol: 'Scheduler.event_loop_normal' },
  { repo: 'sglang', lang: 'python', file: 'python/sglang/srt/managers/scheduler.py', start: 1, end: 300 },
];

const roots = { dynamo: process.env.DYNAMO_ROOT, sglang: process.env.SGLANG_ROOT };
if (!roots.dynamo && !roots.sglang) {
  console.log('check-blame-real: SKIPPED — set DYNAMO_ROOT and/or SGLANG_ROOT to full-history checkouts.');
  process.exit(0);
}

const { resolveConfig } = await import(`${dist}/index/config.js`);
const { Workspace } = await import(`${dist}/index/workspace.js`);
const { resolveTarget } = await import(`${dist}/git/target.js`);
const { blameFile } = await import(`${dist}/git/blame.js`);
const { rangeHistory } = await import(`${dist}/git/history.js`);

function gitOut(root, args) {
  const r = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** line → commit, from git's own porcelain output. */
function referenceBlame(root, file, start, end, move) {
  const out = gitOut(root, ['blame', '--porcelain', ...(move ? ['-M'] : []), `-L${start},${end}`, '--', file]);
  const map = new Map();
  for (const m of out.matchAll(/^([0-9a-f]{40}) \d+ (\d+)/gm)) map.set(Number(m[2]), m[1]);
  return map;
}

const t0 = performance.now();
const ws = new Workspace(resolveConfig({ dynamo: roots.dynamo, sglang: roots.sglang, env: {}, cacheDir: '/tmp/dsm-check-blame-cache' }));
await ws.ready();
console.log(`indexed ${[...ws.repos.values()].map((r) => `${r.name}@${r.head?.slice(0, 12)} (${r.files.size} files)`).join(', ')} in ${Math.round(performance.now() - t0)} ms\n`);

const rows = [];
let failures = 0;
for (const t of TARGETS) {
  if (!roots[t.repo]) continue;
  const label = t.symbol ?? `${t.file}${t.start ? `:${t.start}-${t.end}` : ''}`;
  try {
    const target = resolveTarget(ws, { repo: t.repo, symbol: t.symbol, file: t.file, start_line: t.start, end_line: t.end });
    const root = target.repo.root;
    const b = await blameFile(root, target.path, { start: target.start, end: target.end });
    const ref = referenceBlame(root, target.path, b.start, b.end, true);
    const plain = referenceBlame(root, target.path, b.start, b.end, false);
    let same = 0;
    let movedByM = 0;
    for (let line = b.start; line <= b.end; line++) {
      const h = b.hunks.find((x) => x.start <= line && line <= x.end);
      if (h?.sha === ref.get(line)) same++;
      else if (failures++ < 20) console.log(`  MISMATCH ${t.repo}:${target.path}:${line}: ours ${h?.sha} git ${ref.get(line)}`);
      if (ref.get(line) !== plain.get(line)) movedByM++;
    }
    const h = await rangeHistory(root, target.path, { start: b.start, end: b.end, max: MAX_HISTORY });
    const refLog = gitOut(root, ['log', `-L${b.start},${b.end}:${target.path}`, '-s', '--format=%H', '-n', String(MAX_HISTORY), 'HEAD']).split('\n').filter(Boolean);
    const ours = h.entries.map((e) => e.sha);
    const histOk = ours.length === refLog.length && ours.every((s, i) => s === refLog[i]);
    if (!histOk) { failures++; console.log(`  HISTORY MISMATCH ${label}: ours ${ours.length} [${ours.slice(0, 3).map((s) => s.slice(0, 9))}…] git ${refLog.length} [${refLog.slice(0, 3).map((s) => s.slice(0, 9))}…]`); }
    const lines = b.end - b.start + 1;
    rows.push([t.repo, t.lang, label, `${target.path}:${b.start}-${b.end}`, lines, b.commits.length, `${same}/${lines}`, movedByM, `${ours.length}${h.more ? '+' : ''}/${refLog.length}`, same === lines && histOk ? 'ok' : 'FAIL']);
  } catch (e) {
    failures++;
    rows.push([t.repo, t.lang, label, '-', '-', '-', '-', '-', '-', `ERROR ${e.message}`]);
  }
}

const headers = ['repo', 'lang', 'target', 'range', 'lines', 'commits', 'lines = git blame -M', 'lines -M moved', `history = git log -L (≤${MAX_HISTORY})`, 'result'];
const w = headers.map((hd, i) => Math.max(hd.length, ...rows.map((r) => String(r[i]).length)));
const fmt = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
console.log(fmt(headers));
console.log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
for (const r of rows) console.log(fmt(r));
console.log(failures ? `\ncheck-blame-real: FAILED (${failures} mismatches)` : `\ncheck-blame-real: all ${rows.length} ranges match git`);
process.exit(failures ? 1 : 0);
