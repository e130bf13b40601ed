/**
 * Line blame of a committed file: `git blame --porcelain -M <HEAD> -- path`, grouped into hunks by commit,
 * each commit with its message, PR number and the other files it touched. Follows renames (git always
 * does) and lines moved within the file (-M). Cached per (HEAD, path, blob, range): repeats cost one
 * `git rev-parse`.
 */
import { commitInfos, type CommitInfo } from './commits.js';
import { checkRange, explainRepoFailure, fileAtHead, type FileAtHead } from './file-state.js';
import { Lru } from './lru.js';
import { groupHunks, parsePorcelain, type BlameHunk, type PorcelainCommit } from './porcelain.js';
import { git, type GitCallOptions } from './run.js';

/** Why blame stopped at a commit: it is the repo's first commit, or the edge of a shallow clone. */
export type BoundaryKind = 'root' | 'shallow';

export interface BlameCommit {
  sha: string;
  author: string;
  email: string;
  /** Author time, unix seconds, and its timezone as git prints it (`-0700`). */
  time: number;
  tz: string;
  summary: string;
  body: string;
  pr?: number;
  boundary?: BoundaryKind;
  /** Every file the commit changed (empty when unknown, e.g. at a shallow edge). */
  files: string[];
  /** Blamed lines this commit owns in the range. */
  lines: number;
}

export interface BlameData {
  file: FileAtHead;
  start: number;
  end: number;
  hunks: BlameHunk[];
  /** Newest first. */
  commits: BlameCommit[];
  /** Served from the cache. */
  cached: boolean;
}

const cache = new Lru<string, Omit<BlameData, 'cached' | 'file'>>(300);

export function boundaryKind(sha: string, porcelainBoundary: boolean, info: CommitInfo | undefined, file: FileAtHead): BoundaryKind | undefined {
  if (file.shallowEdge?.has(sha)) return 'shallow';
  if (porcelainBoundary && info && info.parents.length === 0) return 'root';
  return undefined;
}

export function mergeCommit(p: PorcelainCommit, info: CommitInfo | undefined, file: FileAtHead, lines: number): BlameCommit {
  const boundary = boundaryKind(p.sha, p.boundary, info, file);
  return {
    sha: p.sha,
    author: p.author,
    email: p.authorMail,
    time: p.authorTime,
    tz: p.authorTz,
    summary: p.summary,
    body: info?.body ?? '',
    pr: info?.pr,
    boundary,
    files: boundary === 'shallow' ? [] : info?.files ?? [],
    lines,
  };
}

export interface BlameRequest {
  start?: number;
  end?: number;
}

/** Blame of `path` (repo-relative, already confined) at HEAD over [start, end]. */
export async function blameFile(root: string, path: string, req: BlameRequest, opts: GitCallOptions = {}): Promise<BlameData> {
  const file = await fileAtHead(root, path, opts);
  const { start, end } = checkRange(file, req.start, req.end);
  const key = [root, file.head, path, file.blob, start, end].join('\0');
  const hit = cache.get(key);
  if (hit) return { ...hit, file, cached: true };
  let text: string;
  try {
    text = await git(root, ['blame', '--porcelain', '-M', '--no-textconv', '--no-ignore-revs-file', `-L${start},${end}`, file.head, '--', path], opts);
  } catch (e) {
    explainRepoFailure(root, e);
  }
  const { lines, commits } = parsePorcelain(text);
  const infos = await commitInfos(root, [...commits.keys()], opts);
  const owned = new Map<string, number>();
  for (const l of lines) owned.set(l.sha, (owned.get(l.sha) ?? 0) + 1);
  const merged = [...commits.values()]
    .map((p) => mergeCommit(p, infos.get(p.sha), file, owned.get(p.sha) ?? 0))
    .sort((a, b) => b.time - a.time || a.sha.localeCompare(b.sha));
  const data = { start, end, hunks: groupHunks(lines), commits: merged };
  cache.set(key, data);
  return { ...data, file, cached: false };
}

export function clearBlameCache(): void {
  cache.clear();
}
