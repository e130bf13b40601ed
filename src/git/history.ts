/**
 * The commits that changed a line range over time: `git log -L start,end:path <HEAD>`, newest first, with
 * each commit's message, PR number, the range's path and lines at that commit (git follows renames and
 * moves) and the range's diff. Cached per (HEAD, path, blob, range, max).
 */
import { commitInfos } from './commits.js';
import { checkRange, explainRepoFailure, fileAtHead, type FileAtHead } from './file-state.js';
import { Lru } from './lru.js';
import { unquotePath } from './porcelain.js';
import { git, type GitCallOptions } from './run.js';
import type { BoundaryKind } from './blame.js';

export interface HistoryEntry {
  sha: string;
  author: string;
  email: string;
  time: number;
  subject: string;
  body: string;
  pr?: number;
  boundary?: BoundaryKind;
  files: string[];
  /** The range's file and lines as they were after this commit. */
  path: string;
  start: number;
  end: number;
  /** The diff of the range in this commit (`@@` header and +/- lines). */
  diff: string[];
}

export interface HistoryData {
  file: FileAtHead;
  start: number;
  end: number;
  entries: HistoryEntry[];
  /** More commits changed the range than max_commits. */
  more: boolean;
  cached: boolean;
}

interface RawEntry { sha: string; path: string; start: number; end: number; diff: string[] }

const cache = new Lru<string, Omit<HistoryData, 'cached' | 'file'>>(300);
const MAX_DIFF_LINES = 400;

/** Parses `git log -L` output printed with `--format=%x1e%H%x1d`. */
export function parseLineLog(out: string, fallbackPath: string): RawEntry[] {
  const entries: RawEntry[] = [];
  for (const chunk of out.split('\x1e')) {
    const end = chunk.indexOf('\x1d');
    if (end < 0) continue;
    const e: RawEntry = { sha: chunk.slice(0, end).trim(), path: fallbackPath, start: 0, end: 0, diff: [] };
    let inHunk = false;
    for (const line of chunk.slice(end + 1).split('\n')) {
      if (!inHunk && line.startsWith('+++ ')) {
        const p = unquotePath(line.slice(4));
        if (p !== '/dev/null') e.path = p.replace(/^b\//, '');
        continue;
      }
      const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (h) {
        const s = Number(h[1]);
        const last = s + Math.max(1, Number(h[2] ?? 1)) - 1;
        e.start = e.start ? Math.min(e.start, s) : s;
        e.end = Math.max(e.end, last);
        inHunk = true;
      }
      if (inHunk && e.diff.length < MAX_DIFF_LINES && (h || /^[ +\-\\]/.test(line))) e.diff.push(line);
    }
    if (e.diff.length && e.diff[e.diff.length - 1] === ' ') e.diff.pop();
    entries.push(e);
  }
  return entries;
}

/** History of lines [start, end] of `path` (repo-relative, already confined) at HEAD, newest first. */
export async function rangeHistory(root: string, path: string, req: { start?: number; end?: number; max: number }, opts: GitCallOptions = {}): Promise<HistoryData> {
  const file = await fileAtHead(root, path, opts);
  const { start, end } = checkRange(file, req.start, req.end);
  const key = [root, file.head, path, file.blob, start, end, req.max].join('\0');
  const hit = cache.get(key);
  if (hit) return { ...hit, file, cached: true };
  let out: string;
  try {
    out = await git(root, ['log', `-L${start},${end}:${path}`, '--no-ext-diff', '--no-textconv', '--no-color',
      '--format=%x1e%H%x1d', '-n', String(req.max + 1), '--end-of-options', file.head, '--'], { timeoutMs: 60_000, ...opts });
  } catch (e) {
    explainRepoFailure(root, e);
  }
  const raw = parseLineLog(out, path);
  const more = raw.length > req.max;
  const shown = raw.slice(0, req.max);
  const infos = await commitInfos(root, shown.map((r) => r.sha), opts);
  const entries: HistoryEntry[] = shown.map((r) => {
    const info = infos.get(r.sha);
    const shallow = file.shallowEdge?.has(r.sha);
    const isRoot = !shallow && info?.parents.length === 0;
    return {
      sha: r.sha,
      author: info?.author ?? '',
      email: info?.email ?? '',
      time: info?.time ?? 0,
      subject: info?.subject ?? '',
      body: info?.body ?? '',
      pr: info?.pr,
      boundary: shallow ? 'shallow' : isRoot ? 'root' : undefined,
      files: shallow ? [] : info?.files ?? [],
      path: r.path,
      start: r.start,
      end: r.end,
      diff: r.diff,
    };
  });
  const data = { start, end, entries, more };
  cache.set(key, data);
  return { ...data, file, cached: false };
}

export function clearHistoryCache(): void {
  cache.clear();
}

/** The changed lines of a range diff with one line of context around each change; other context becomes `…`. */
export function compactDiff(diff: string[]): string[] {
  const keep = new Set<number>();
  diff.forEach((l, i) => {
    if (/^[@+\-]/.test(l)) for (let k = i - 1; k <= i + 1; k++) keep.add(k);
  });
  const out: string[] = [];
  let gap = false;
  diff.forEach((l, i) => {
    if (keep.has(i)) {
      out.push(l);
      gap = false;
    } else if (!gap) {
      out.push(' …');
      gap = true;
    }
  });
  return out;
}
