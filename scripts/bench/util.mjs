// Shared helpers for bench sections (this file is not a section: it exports no run()).
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';

export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs a command and returns wall ms (and stdout). */
export function timeCmd(cmd, args, opts = {}) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, encoding: 'utf8', ...opts });
  return { ms: performance.now() - t, stdout: r.stdout ?? '', status: r.status };
}

/** Runs a node script in a fresh process, returns its JSON line and the child's peak RSS (MB). */
export function nodeJson(script, args = [], env = {}) {
  const out = execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } });
  const last = out.trim().split('\n').pop();
  return JSON.parse(last);
}

export function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function best(n, fn) {
  let b = Infinity;
  for (let i = 0; i < n; i++) b = Math.min(b, fn());
  return b;
}

export function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
  console.log(line(headers));
  console.log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

/** The source files the index parses (same language table, same 1 MB cap), absolute paths. */
/** The command as users run it (package.json bin: the launcher that sizes libuv's pool, then dist/cli/main.js). */
export function cliPath(distDir) {
  return join(distDir, '..', 'bin', 'dynamo-sglang-mcp.cjs');
}

export async function sourceFiles(distDir, repos) {
  const { languageOf } = await import(`${distDir}/lang/registry.js`);
  const { MAX_PARSE_BYTES } = await import(`${distDir}/index/parse-file.js`);
  const out = [];
  for (const r of repos) {
    const list = execFileSync('git', ['-C', r.root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const f of list.split('\0')) {
      if (!f || !languageOf(f)) continue;
      try {
        const st = statSync(join(r.root, f));
        if (st.isFile() && st.size <= MAX_PARSE_BYTES) out.push(join(r.root, f));
      } catch { /* listed, not on disk */ }
    }
  }
  return out;
}
