// Bench section: grep latency and match counts next to ripgrep, on the same checkouts, in the same run.
// Ours: the grep tool's full call (pattern compile, trigram filter, scan in worker threads, scope/symbols,
// markdown) on an indexed workspace, p50 of RUNS after one warm-up call (which builds the grep index;
// its time is printed too). rg: `rg --count-matches --hidden -g '!.git' --max-filesize 2M` over the same
// roots (hidden files count: git shows them, so grep searches them; files over 2 MB are skipped by both),
// case mode forced to ours (-s / -i). "rg, same files" adds what rg finds in the tracked files that a
// .gitignore pattern matches (git still shows tracked files, so grep searches them; rg's walk skips them).
// Counts must be equal; a difference is broken down by file.
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { have, pct, table, timeCmd } from './util.mjs';

const RUNS = 5;
// [pattern, kind, extra args]
const PATTERNS = [
  ['RadixCache', 'literal'],
  ['radix_cache', 'literal, smart case (ci)'],
  ['KvEventPublisher', 'literal'],
  ['TODO', 'literal, short'],
  ['NIXL', 'literal, upper (cs)'],
  ['nixl', 'literal, lower (ci)'],
  ['fn\\s+\\w+_request', 'selective regex'],
  ['def (get|put)_\\w+\\(', 'selective regex, alternation'],
  ['\\w+Error\\b', 'regex, common suffix'],
  ['[A-Z][a-z]+Config\\b', 'regex, cs class'],
  ['self\\.\\w+', 'broad regex'],
  ['import\\s+\\w+', 'broad regex'],
  ['\\d+\\.\\d+\\.\\d+', 'broad regex, no literal'],
  ['\\w+_\\w+\\(', 'broad regex, backtracking-heavy'],
  ['(a+)+$', 'pathological (linear engine)'],
];

async function workspace(d, repos) {
  const { resolveConfig } = await import(`${d}/index/config.js`);
  const { Workspace } = await import(`${d}/index/workspace.js`);
  const ws = new Workspace(resolveConfig({ repos: repos.map((r) => `${r.name}=${r.root}`), env: {}, cacheDir: '/tmp/dsm-bench-grep' }));
  await ws.ready();
  return ws;
}

/**
 * Tracked text files that a .gitignore pattern matches: git shows them, rg's walk does not. (Binary ones
 * are left out: rg searches files named on its command line even when they hold NUL bytes.)
 */
function trackedIgnored(roots) {
  const out = [];
  for (const root of roots) {
    const list = execFileSync('git', ['-C', root, 'ls-files', '-z', '-ci', '--exclude-standard'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const f of list.split('\0').filter(Boolean)) {
      try {
        const st = lstatSync(join(root, f));
        if (st.isFile() && st.size <= 2 << 20 && !readFileSync(join(root, f)).includes(0)) out.push(join(root, f));
      } catch { /* deleted in the work tree */ }
    }
  }
  return out;
}

function rgCount(roots, pattern, ignoreCase, extra = []) {
  const args = ['--count-matches', '--hidden', '-g', '!.git', '--max-filesize', '2M', ignoreCase ? '-i' : '-s', '-e', pattern, ...roots];
  const r = timeCmd('rg', args);
  if (extra.length) r.stdout += timeCmd('rg', ['--count-matches', '--no-ignore', '--with-filename', '--max-filesize', '2M', ignoreCase ? '-i' : '-s', '-e', pattern, ...extra]).stdout;
  const perFile = new Map();
  let total = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^(.*):(\d+)$/.exec(line);
    if (!m) continue;
    perFile.set(m[1], Number(m[2]));
    total += Number(m[2]);
  }
  return { ms: r.ms, total, perFile };
}

async function ourPerFile(d, ws, pattern) {
  const { corpusOf } = await import(`${d}/search/corpus.js`);
  const { compilePattern } = await import(`${d}/search/pattern.js`);
  const c = corpusOf(ws);
  const live = c.sync();
  const res = await c.search(live.map((s) => s.id), compilePattern({ pattern }), undefined, 60_000);
  const out = new Map();
  for (const [id, m] of res.byFile) {
    const s = c.slots[id];
    out.set(`${ws.repos.get(s.repo).root}/${s.path}`, m.length / 3);
  }
  return out;
}

/** A file with CRLF line ends: ours matches `$` before the `\r` (as `rg --crlf` does), plain rg does not. */
function crlf(file) {
  try {
    return readFileSync(file, 'latin1').includes('\r\n') ? ' (CRLF line ends: our `$` matches before `\\r`, like `rg --crlf`)' : '';
  } catch {
    return '';
  }
}

function explain(ours, theirs) {
  const diffs = [];
  for (const [f, n] of ours) if ((theirs.get(f) ?? 0) !== n) diffs.push(`${f}: ours ${n}, rg ${theirs.get(f) ?? 0}${crlf(f)}`);
  for (const [f, n] of theirs) if (!ours.has(f)) diffs.push(`${f}: ours 0, rg ${n}`);
  return diffs;
}

export async function run({ repos, distDir }) {
  if (!have('rg')) console.log('(rg not installed: apt-get install -y ripgrep; ripgrep columns left empty)');
  const d = distDir;
  const ws = await workspace(d, repos);
  const { grepTool } = await import(`${d}/tools/grep.js`);
  const roots = repos.map((r) => r.root);
  const call = (pattern) => grepTool.run({ pattern }, { ws });
  let t = performance.now();
  await call('warm-up-build-the-index');
  console.log(`grep index build (first call, ${repos.map((r) => ws.repos.get(r.name).allFiles.length).join(' + ')} files): ${Math.round(performance.now() - t)} ms;` +
    ` load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const rows = [];
  const notes = [];
  const ignoredTracked = have('rg') ? trackedIgnored(roots) : [];
  for (const [pattern, kind] of PATTERNS) {
    const first = await call(pattern);
    const s = first.structured;
    const ms = [];
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      await call(pattern);
      ms.push(performance.now() - t);
    }
    const ours = pct(ms, 50);
    let rgTotal = '';
    let rgSame = '';
    let rgMs = '';
    let ratio = '';
    if (have('rg')) {
      const rms = [];
      let rg;
      for (let i = 0; i < RUNS; i++) {
        rg = rgCount(roots, pattern, !s.caseSensitive);
        rms.push(rg.ms);
      }
      rgMs = pct(rms, 50);
      rgTotal = rg.total;
      ratio = (ours / rgMs).toFixed(2);
      const same = rgCount(roots, pattern, !s.caseSensitive, ignoredTracked);
      rgSame = same.total;
      if (same.total !== s.totals.matches) {
        const diffs = explain(await ourPerFile(d, ws, pattern), same.perFile);
        notes.push(`${pattern}: ${s.totals.matches} vs rg ${same.total} on the same files — ${diffs.slice(0, 6).join('; ')}${diffs.length > 6 ? `; … (${diffs.length} files)` : ''}`);
      }
      rgMs = Math.round(rgMs);
    }
    rows.push([`\`${pattern}\``, kind, s.caseSensitive ? 'cs' : 'ci', s.totals.matches, rgTotal, rgSame, `${s.searched.scanned}/${s.searched.files}`, Math.round(ours), rgMs, ratio]);
  }
  table(['pattern', 'kind', 'case', 'our matches', 'rg matches', 'rg, same files', 'files read', 'our ms (p50)', 'rg ms (p50)', 'ours/rg'], rows);
  if (notes.length) {
    console.log('\nCount differences:');
    for (const n of notes) console.log(`- ${n}`);
  } else if (have('rg')) console.log('\nEvery count equals rg\'s on the same files.');
  // The index was built in this process when /tmp/dsm-bench-grep held no usable cache (first run, or a new
  // version): a server's peak after a cold start; otherwise after a warm start.
  const built = ws.lastReport?.repos.some((r) => r.cacheMiss);
  console.log(`peak RSS of this process (index ${built ? 'built cold in it' : 'loaded from the cache'} + grep workers): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}
