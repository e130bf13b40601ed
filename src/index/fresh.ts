/**
 * Freshness: what changed in a checkout since its files were last read, found with stat calls only.
 *
 * - The file list (git ls-files, grep's corpus) is reused while nothing that decides it moved: the mtime of
 *   every directory holding a listed file (adding, removing or renaming a file touches its directory), of
 *   every .gitignore, and of git's HEAD, index and current ref. Otherwise git is asked again.
 * - Each parseable file is re-read when its size or mtime differs from its record's: an edit, a checkout
 *   or a branch switch re-reads exactly the files it rewrote.
 */
import { execFile } from 'node:child_process';
import { lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { languageOf } from '../lang/registry.js';
import type { Stamps } from './cache.js';
import type { RepoSpec } from './config.js';
import { listFiles, safeGitEnv } from './discover.js';

const run = promisify(execFile);

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface PrevListing {
  allFiles: string[];
  head?: string;
  stamps: Stamps;
}

export interface Listing extends PrevListing {
  /** git ls-files (or the directory walk) ran, rather than the previous list being reused. */
  relisted: boolean;
}

interface GitDirs {
  gitDir: string;
  commonDir: string;
}

const gitDirs = new Map<string, GitDirs | undefined>();

/** The git directory of a checkout (`.git`, or the `gitdir:` a worktree's `.git` file points to). */
export function gitDirsOf(root: string): GitDirs | undefined {
  if (gitDirs.has(root)) return gitDirs.get(root);
  let dirs: GitDirs | undefined;
  const dotGit = join(root, '.git');
  try {
    const st = statSync(dotGit);
    let gitDir = dotGit;
    if (st.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) gitDir = isAbsolute(m[1].trim()) ? m[1].trim() : join(root, m[1].trim());
    }
    let commonDir = gitDir;
    try {
      const c = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
      commonDir = isAbsolute(c) ? c : join(gitDir, c);
    } catch {
      /* not a linked worktree */
    }
    dirs = { gitDir, commonDir };
  } catch {
    dirs = undefined;
  }
  gitDirs.set(root, dirs);
  return dirs;
}

function mtimeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

/** mtimes of HEAD, the index, the ref HEAD names and packed-refs: any commit, checkout or reset moves one. */
export function gitStamps(root: string): Record<string, number> {
  const d = gitDirsOf(root);
  if (!d) return {};
  const out: Record<string, number> = {
    HEAD: mtimeOf(join(d.gitDir, 'HEAD')),
    index: mtimeOf(join(d.gitDir, 'index')),
    'packed-refs': mtimeOf(join(d.commonDir, 'packed-refs')),
    'info/exclude': mtimeOf(join(d.commonDir, 'info', 'exclude')),
  };
  try {
    const ref = /^ref:\s*(\S+)/.exec(readFileSync(join(d.gitDir, 'HEAD'), 'utf8'));
    if (ref && !ref[1].includes('..')) out[ref[1]] = mtimeOf(join(d.commonDir, ref[1]));
  } catch {
    /* detached or unreadable: HEAD's own mtime covers it */
  }
  return out;
}

/** Every directory that holds a listed file, and their ancestors ('' is the root). */
function dirsOf(files: string[]): string[] {
  const dirs = new Set<string>(['']);
  for (const f of files) {
    for (let d = dirname(f); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  }
  return [...dirs];
}

function sameStamps(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/** True when every recorded directory and ignore-file mtime still holds. */
function stampsHold(root: string, prev: Record<string, number>): boolean {
  for (const rel in prev) if (mtimeOf(join(root, rel)) !== prev[rel]) return false;
  return true;
}

function stampAll(root: string, rels: string[], known?: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rel of rels) out[rel] = known?.[rel] ?? mtimeOf(join(root, rel));
  return out;
}

export async function headOf(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', root, 'rev-parse', '--verify', '-q', 'HEAD'], { env: safeGitEnv(), timeout: 30_000, killSignal: 'SIGKILL' });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file list and HEAD of a checkout: reused from `prev` when no stamp moved, else asked of git.
 * Stamps are taken before listing, so a file added during the listing shows up on the next check.
 */
export async function listRepo(spec: RepoSpec, prev?: PrevListing): Promise<Listing> {
  const git = spec.isGit ? gitStamps(spec.root) : {};
  if (prev && sameStamps(git, prev.stamps.git) && stampsHold(spec.root, prev.stamps.dirs) && stampsHold(spec.root, prev.stamps.ignores)) {
    return { ...prev, stamps: { ...prev.stamps, git }, relisted: false };
  }
  const before = prev ? stampAll(spec.root, Object.keys(prev.stamps.dirs)) : undefined;
  const gitMoved = !prev || !sameStamps(git, prev.stamps.git);
  const [allFiles, head] = await Promise.all([
    listFiles(spec.root, spec.isGit),
    spec.isGit ? (gitMoved ? headOf(spec.root) : Promise.resolve(prev?.head)) : Promise.resolve(undefined),
  ]);
  const ignores = allFiles.filter((f) => f === '.gitignore' || f.endsWith('/.gitignore'));
  return {
    allFiles,
    head,
    stamps: { git, dirs: stampAll(spec.root, dirsOf(allFiles), before), ignores: stampAll(spec.root, ignores) },
    relisted: true,
  };
}

/** The files of a listing that have a grammar (whether or not they exist on disk right now). */
export function sourcesOf(allFiles: string[]): string[] {
  return allFiles.filter((f) => languageOf(f) !== undefined);
}

/** Why a listed source file has no record without being read: gone from disk, a symlink, not a file. */
export const MISSING = 'missing from the working tree (deleted, but still listed by git)';
export const SYMLINK = 'a symbolic link (never followed: it could lead outside the checkout)';
export const NOT_FILE = 'not a regular file';

export interface Present {
  /** Regular files with their stat. */
  files: Map<string, FileStat & { lang: string }>;
  /** Listed files that cannot be read as a source file, with the reason. */
  odd: Map<string, string>;
}

/** lstat of every listed source file: regular files with their size and mtime; the others with a reason. */
export function statParseable(root: string, sources: string[]): Present {
  const files = new Map<string, FileStat & { lang: string }>();
  const odd = new Map<string, string>();
  for (const rel of sources) {
    const lang = languageOf(rel);
    if (!lang) continue;
    const st = lstatSync(join(root, rel), { throwIfNoEntry: false });
    if (!st) odd.set(rel, MISSING);
    else if (st.isSymbolicLink()) odd.set(rel, SYMLINK);
    else if (!st.isFile()) odd.set(rel, NOT_FILE);
    else files.set(rel, { size: st.size, mtimeMs: st.mtimeMs, lang: lang.id });
  }
  return { files, odd };
}

export interface FileDiff {
  /** New or changed files, to (re-)read. */
  read: string[];
  /** Known files no longer listed. */
  gone: string[];
  /** Listed files newly found unreadable as a source (missing, symlink…), with the reason. */
  odd: [string, string][];
}

/**
 * Compares what is on disk with what is known: records and skips, each with the stat it was read at
 * (a skip for an odd file carries its reason instead).
 */
export function diffFiles(listed: Set<string>, present: Present, records: Map<string, Partial<FileStat>>, skips: Map<string, Partial<FileStat> & { reason?: string }>): FileDiff {
  const read: string[] = [];
  const gone: string[] = [];
  const odd: [string, string][] = [];
  for (const [path, st] of present.files) {
    const k = records.get(path) ?? skips.get(path);
    if (!k || k.size !== st.size || k.mtimeMs !== st.mtimeMs) read.push(path);
  }
  for (const [path, reason] of present.odd) {
    if (records.has(path) || skips.get(path)?.reason !== reason) odd.push([path, reason]);
  }
  for (const m of [records, skips]) for (const path of m.keys()) if (!listed.has(path)) gone.push(path);
  return { read, gone, odd };
}
