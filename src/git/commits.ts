/**
 * Commit details for "why": full message, PR number, and the other files each commit touched (count and
 * the few nearest the blamed file), so an agent sees a broad refactor apart from a targeted fix.
 * Commits are immutable, so details are cached per sha for the life of the process.
 */
import { posix } from 'node:path';
import { Lru } from './lru.js';
import { git, type GitCallOptions } from './run.js';

export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  /** Author time, unix seconds. */
  time: number;
  subject: string;
  /** Message body after the subject line, trimmed. */
  body: string;
  pr?: number;
  parents: string[];
  /** Every file the commit changed (against its first parent), repo-relative. */
  files: string[];
}

const cache = new Lru<string, CommitInfo>(20_000);
const BATCH = 200;
const FIELDS = ['%H', '%aN', '%aE', '%at', '%P', '%s', '%b'];
const FORMAT = `%x1e${FIELDS.join('%x1f')}%x1d`;

/** The PR number of a commit message: `Title (#1234)` (squash merge) or `Merge pull request #1234`. */
export function parsePr(subject: string, body = ''): number | undefined {
  const squash = [...subject.matchAll(/\(#(\d{1,7})\)/g)].pop();
  if (squash) return Number(squash[1]);
  const merge = /^Merge pull request #(\d{1,7})\b/.exec(subject);
  if (merge) return Number(merge[1]);
  const trailer = /^(?:PR|Pull Request|Pull-Request):\s*#?(\d{1,7})\s*$/im.exec(body);
  return trailer ? Number(trailer[1]) : undefined;
}

export function parseCommitRecords(out: string): CommitInfo[] {
  const infos: CommitInfo[] = [];
  for (const chunk of out.split('\x1e')) {
    const end = chunk.indexOf('\x1d');
    if (end < 0) continue;
    const [sha, author, email, at, parents, subject, body] = chunk.slice(0, end).split('\x1f');
    const files = chunk.slice(end + 1).replace(/^\0?\n?/, '').split('\0').map((f) => f.replace(/^\n/, '')).filter(Boolean);
    infos.push({
      sha, author, email, time: Number(at), subject, body: (body ?? '').trim(),
      pr: parsePr(subject, body), parents: parents ? parents.split(' ') : [], files,
    });
  }
  return infos;
}

/** Details of each sha (cached); unknown shas are simply absent from the map. */
export async function commitInfos(root: string, shas: string[], opts: GitCallOptions = {}): Promise<Map<string, CommitInfo>> {
  const out = new Map<string, CommitInfo>();
  const missing: string[] = [];
  for (const sha of new Set(shas)) {
    const hit = cache.get(sha);
    if (hit) out.set(sha, hit);
    else missing.push(sha);
  }
  for (let i = 0; i < missing.length; i += BATCH) {
    const batch = missing.slice(i, i + BATCH);
    for (const s of batch) if (!/^[0-9a-f]{40,64}$/.test(s)) throw new Error(`not a commit id: ${s}`);
    const text = await git(root, ['log', '--no-walk=unsorted', '--diff-merges=first-parent', '--no-renames', '--no-ext-diff',
      '--no-textconv', '--name-only', '-z', `--format=${FORMAT}`, '--end-of-options', ...batch, '--'], opts);
    for (const info of parseCommitRecords(text)) {
      cache.set(info.sha, info);
      out.set(info.sha, info);
    }
  }
  return out;
}

/** Files of a commit other than `paths` (the blamed file and its older names), nearest to `paths[0]` first. */
export function otherFiles(files: string[], ...paths: string[]): string[] {
  const skip = new Set(paths);
  const near = (f: string): number => {
    const a = posix.dirname(f).split('/');
    const b = posix.dirname(paths[0] ?? '').split('/');
    let k = 0;
    while (k < a.length && k < b.length && a[k] === b[k]) k++;
    return k;
  };
  return files.filter((f) => !skip.has(f)).sort((x, y) => near(y) - near(x) || x.localeCompare(y));
}

/** Distinct directories among files (for "12 files across 4 directories"). */
export function directoryCount(files: string[]): number {
  return new Set(files.map((f) => posix.dirname(f))).size;
}

export function clearCommitCache(): void {
  cache.clear();
}
