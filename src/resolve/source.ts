/**
 * Source text of indexed files, for the few facts the records do not keep (the value of `NAME = "..."`,
 * the `return self.m` lines of a method). Read once per file per workspace generation; a file that cannot be
 * read has no lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../index/workspace.js';
import { derived } from './derived.js';

const cacheOf = derived((ws: Workspace) => {
  void ws;
  return new Map<string, string[]>();
});

/** The lines of `file` in `repo` (index 0 = line 1). */
export function sourceLines(ws: Workspace, repo: string, file: string): string[] {
  const root = ws.repos.get(repo)?.root;
  if (!root) return [];
  const cache = cacheOf(ws);
  const key = `${repo}:${file}`;
  let lines = cache.get(key);
  if (!lines) {
    try {
      lines = readFileSync(join(root, file), 'utf8').split('\n');
    } catch {
      lines = [];
    }
    cache.set(key, lines);
  }
  return lines;
}
