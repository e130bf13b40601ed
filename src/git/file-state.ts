/**
 * Where a file stands in git: the HEAD commit, the file's blob at HEAD, its size, line count and whether
 * it is binary, whether the working tree differs, and the shallow-clone edge. Turns each way this can fail
 * into a UserError that says what is wrong and what to do.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors.js';
import { Lru } from './lru.js';
import { GitFailure, assertNotOption, git, type GitCallOptions } from './run.js';

export interface FileAtHead {
  root: string;
  /** Repo-relative POSIX path. */
  path: string;
  head: string;
  blob: string;
  /** Lines of the file at HEAD. */
  lines: number;
  /** The working-tree file is missing or its content differs from HEAD's blob. */
  worktreeDiffers: boolean;
  /** Shallow clone: the commits at its edge (their parents are not in the clone); undefined when complete. */
  shallowEdge?: Set<string>;
}

const MAX_BLOB_BYTES = 16 * 1024 * 1024;
const EXAMPLE = '{"file": "lib/llm/src/kv_router.rs", "start_line": 10, "end_line": 40}';
/** blob sha → [lines, binary]: content facts never change for a blob. */
const blobFacts = new Lru<string, { lines: number; binary: boolean }>(5_000);

function gitMessage(e: unknown): string {
  return e instanceof GitFailure ? e.detail : String((e as Error)?.message ?? e);
}

/** Maps git's complaints about the repository itself to readable UserErrors; rethrows anything else. */
export function explainRepoFailure(root: string, e: unknown): never {
  const msg = gitMessage(e);
  if (/not a git repository/i.test(msg)) throw new UserError(`${root} is not a git repository, so there is no history to blame. Point the server at a git checkout (--repo NAME=PATH).`);
  if (/dubious ownership/i.test(msg)) throw new UserError(`git refuses ${root}: it is owned by another user. Run \`git config --global --add safe.directory ${root}\` and retry.`);
  if (/ambiguous argument 'HEAD'|unknown revision.*HEAD|bad revision 'HEAD'|Needed a single revision/i.test(msg)) {
    throw new UserError(`${root} has no commits yet (HEAD does not resolve), so there is nothing to blame.`);
  }
  throw e;
}

/** Git's blob id of a byte buffer (sha1, or sha256 in a sha256 repository). */
export function blobId(data: Buffer, algo: 'sha1' | 'sha256'): string {
  return createHash(algo).update(`blob ${data.length}\0`).update(data).digest('hex');
}

export function countLines(text: string): number {
  if (!text) return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

function worktreeDiffers(root: string, path: string, blob: string): boolean {
  const abs = join(root, path);
  try {
    if (!statSync(abs).isFile()) return true;
    return blobId(readFileSync(abs), blob.length === 64 ? 'sha256' : 'sha1') !== blob;
  } catch {
    return true;
  }
}

async function shallowEdge(root: string, flag: string, gitPath: string): Promise<Set<string> | undefined> {
  if (flag.trim() !== 'true') return undefined;
  const file = isAbsolute(gitPath) ? gitPath : join(root, gitPath);
  try {
    return new Set(readFileSync(file, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean));
  } catch {
    return new Set();
  }
}

/** Resolves HEAD and the file's blob; refuses untracked, binary and oversized files with a clear message. */
export async function fileAtHead(root: string, path: string, opts: GitCallOptions = {}): Promise<FileAtHead> {
  assertNotOption(path, 'file');
  let out: string;
  try {
    out = await git(root, ['rev-parse', '--is-shallow-repository', '--git-path', 'shallow', 'HEAD', `HEAD:${path}`], opts);
  } catch (e) {
    const msg = gitMessage(e);
    if (/does not exist in 'HEAD'|exists on disk, but not in 'HEAD'/.test(msg)) {
      const onDisk = existsSync(join(root, path));
      throw new UserError(onDisk
        ? `${path} is not tracked by git at HEAD (untracked, ignored or not committed yet), so it has no history. Blame a committed file, or commit it first.`
        : `${path} does not exist in the repo at HEAD. Check the path (repo-relative, e.g. from explore or grep).`, EXAMPLE);
    }
    explainRepoFailure(root, e);
  }
  const [flag, gitPath, head, blob] = out.trim().split('\n');
  const edge = await shallowEdge(root, flag, gitPath);
  let facts = blobFacts.get(blob);
  if (!facts) {
    const [type, sizeText] = await Promise.all([
      git(root, ['cat-file', '-t', blob], opts).then((t) => t.trim(), () => 'submodule'),
      git(root, ['cat-file', '-s', blob], opts).catch(() => '0'),
    ]);
    if (type !== 'blob') {
      const what = type === 'tree' ? 'a directory' : type === 'commit' || type === 'submodule' ? 'a submodule' : `a ${type}`;
      throw new UserError(`${path} is ${what} at HEAD, not a file. Blame a file inside it${type === 'tree' ? '' : ' (in its own checkout)'}.`, EXAMPLE);
    }
    const size = Number(sizeText.trim());
    if (size > MAX_BLOB_BYTES) throw new UserError(`${path} is ${Math.round(size / 1048576)} MB at HEAD; files over 16 MB are not blamed.`);
    const text = await git(root, ['cat-file', 'blob', blob], opts);
    facts = { lines: countLines(text), binary: text.slice(0, 8000).includes('\0') };
    blobFacts.set(blob, facts);
  }
  if (facts.binary) throw new UserError(`${path} is a binary file; line blame does not apply. Blame a text file.`, EXAMPLE);
  return { root, path, head, blob, lines: facts.lines, worktreeDiffers: worktreeDiffers(root, path, blob), shallowEdge: edge };
}

/** Checks a 1-based inclusive range against the file; defaults: whole file, or a single line when only start is given. */
export function checkRange(f: FileAtHead, start?: number, end?: number): { start: number; end: number } {
  if (f.lines === 0) throw new UserError(`${f.path} is empty at HEAD; there are no lines to blame.`);
  const s = start ?? 1;
  const e = end ?? (start !== undefined ? start : f.lines);
  const ex = `{"file": "${f.path}", "start_line": 1, "end_line": ${Math.min(f.lines, 40)}}`;
  if (s < 1 || e < 1) throw new UserError(`line numbers are 1-based; got start_line ${s}, end_line ${e}.`, ex);
  if (e < s) throw new UserError(`end_line ${e} is before start_line ${s}.`, ex);
  if (s > f.lines || e > f.lines) {
    throw new UserError(`line range ${s}-${e} is out of bounds: ${f.path} has ${f.lines} lines at HEAD ${f.head.slice(0, 12)}.`, ex);
  }
  return { start: s, end: e };
}

export function clearFileStateCache(): void {
  blobFacts.clear();
}
