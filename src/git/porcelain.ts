/**
 * Parser for `git blame --porcelain` and the grouping of its lines into hunks.
 * Porcelain: each blamed line starts with `<sha> <orig-line> <final-line> [<group-size>]`; the first time a
 * commit appears its headers follow (author, author-mail, author-time, author-tz, committer…, summary,
 * previous, boundary); every entry carries `filename`, then the line's content after a TAB.
 */

export interface PorcelainCommit {
  sha: string;
  author: string;
  authorMail: string;
  /** Unix seconds. */
  authorTime: number;
  authorTz: string;
  committer: string;
  committerTime: number;
  summary: string;
  /** `boundary`: the commit is where blame stopped (the root commit, or a shallow clone's edge). */
  boundary: boolean;
  /** `previous <sha> <path>`: the parent revision the line was followed into. */
  previous?: { sha: string; path: string };
}

export interface PorcelainLine {
  sha: string;
  origLine: number;
  finalLine: number;
  /** Path of the file in that commit (differs from the blamed path after a rename or a copy). */
  origPath: string;
}

export interface BlameHunk {
  sha: string;
  start: number;
  end: number;
  origStart: number;
  origPath: string;
}

/** Unquotes a path git printed C-style ("a\tb" → a<TAB>b); plain paths pass through. */
export function unquotePath(p: string): string {
  if (!(p.startsWith('"') && p.endsWith('"') && p.length >= 2)) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[++i];
    if (/[0-7]/.test(n)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(esc[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d+) (\d+)(?: (\d+))?$/;

export function parsePorcelain(text: string): { lines: PorcelainLine[]; commits: Map<string, PorcelainCommit> } {
  const commits = new Map<string, PorcelainCommit>();
  /** Git prints `filename` only when a commit's details first appear (or it spans several paths): remember it. */
  const lastPath = new Map<string, string>();
  const lines: PorcelainLine[] = [];
  let cur: PorcelainCommit | undefined;
  let pending: { sha: string; orig: number; final: number; path?: string } | undefined;
  for (const row of text.split('\n')) {
    if (row.startsWith('\t')) {
      if (pending) {
        const origPath = pending.path ?? lastPath.get(pending.sha) ?? '';
        lines.push({ sha: pending.sha, origLine: pending.orig, finalLine: pending.final, origPath });
      }
      pending = undefined;
      continue;
    }
    const h = HEADER.exec(row);
    if (h && !pending) {
      pending = { sha: h[1], orig: Number(h[2]), final: Number(h[3]) };
      cur = commits.get(h[1]);
      if (!cur) {
        cur = { sha: h[1], author: '', authorMail: '', authorTime: 0, authorTz: '+0000', committer: '', committerTime: 0, summary: '', boundary: false };
        commits.set(h[1], cur);
      }
      continue;
    }
    if (!pending || !cur) continue;
    const sp = row.indexOf(' ');
    const key = sp < 0 ? row : row.slice(0, sp);
    const value = sp < 0 ? '' : row.slice(sp + 1);
    switch (key) {
      case 'author': cur.author = value; break;
      case 'author-mail': cur.authorMail = value.replace(/^<|>$/g, ''); break;
      case 'author-time': cur.authorTime = Number(value); break;
      case 'author-tz': cur.authorTz = value; break;
      case 'committer': cur.committer = value; break;
      case 'committer-time': cur.committerTime = Number(value); break;
      case 'summary': cur.summary = value; break;
      case 'boundary': cur.boundary = true; break;
      case 'previous': {
        const s = value.indexOf(' ');
        cur.previous = { sha: value.slice(0, s), path: unquotePath(value.slice(s + 1)) };
        break;
      }
      case 'filename':
        pending.path = unquotePath(value);
        lastPath.set(pending.sha, pending.path);
        break;
      default: break;
    }
  }
  return { lines, commits };
}

/** Consecutive lines from the same commit that were also consecutive in that commit's file form one hunk. */
export function groupHunks(lines: PorcelainLine[]): BlameHunk[] {
  const hunks: BlameHunk[] = [];
  for (const l of lines) {
    const last = hunks[hunks.length - 1];
    const contiguous = last && last.end + 1 === l.finalLine && last.origStart + (last.end - last.start) + 1 === l.origLine;
    if (last && contiguous && last.sha === l.sha && last.origPath === l.origPath) last.end = l.finalLine;
    else hunks.push({ sha: l.sha, start: l.finalLine, end: l.finalLine, origStart: l.origLine, origPath: l.origPath });
  }
  return hunks;
}
