/**
 * Path confinement: turns what an agent passed as `file` into a repo-relative POSIX path that is provably
 * inside the checkout, or refuses it. Refused: NUL bytes, names beginning with "-", `..` escapes, absolute
 * paths elsewhere, anything under `.git/`, and paths whose real location (after symlinks) is outside.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';

const EXAMPLE = '{"file": "lib/llm/src/kv_router.rs", "start_line": 10, "end_line": 40}';

function refuse(reason: string): never {
  throw new UserError(`file refused: ${reason}. Pass a path relative to the repo root.`, EXAMPLE);
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Repo-relative POSIX path of `input` inside `root`; throws a UserError when it is not safely inside. */
export function confinePath(root: string, input: string): string {
  if (input.includes('\0')) refuse('the path contains a NUL byte');
  const raw = input.trim();
  if (!raw) refuse('the path is empty');
  if (raw.startsWith('-')) refuse(`"${raw}" begins with "-" (it would be read as a git option)`);
  const rootAbs = resolve(root);
  const abs = resolve(rootAbs, raw);
  if (isAbsolute(raw) && !inside(rootAbs, abs) && !inside(realOrSelf(rootAbs), abs)) {
    refuse(`"${raw}" is outside the checkout ${rootAbs}`);
  }
  const base = inside(rootAbs, abs) ? rootAbs : realOrSelf(rootAbs);
  if (!inside(base, abs)) refuse(`"${raw}" escapes the checkout with ".."`);
  const rel = relative(base, abs).split(sep).join('/');
  if (!rel) refuse('the path names the repo root, not a file');
  const segments = rel.split('/');
  if (segments.some((s) => s === '.git')) refuse(`"${raw}" is inside .git`);
  if (segments[0].startsWith('-')) refuse(`"${rel}" begins with "-" (it would be read as a git option)`);
  // Follow symlinks on disk: the file (or a directory on its way) must not lead outside the checkout.
  let exists = false;
  try {
    lstatSync(abs);
    exists = true;
  } catch {
    exists = false;
  }
  if (exists && !inside(realOrSelf(base), realOrSelf(abs))) refuse(`"${rel}" is a symlink (or lies under one) that points outside the checkout`);
  return rel;
}
