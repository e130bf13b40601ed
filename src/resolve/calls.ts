/** The reverse call index: called name → call sites, across files and repos. */
import type { Call } from '../index/model.js';
import { isTestPath } from '../index/paths.js';
import type { Workspace } from '../index/workspace.js';
import { derived } from './derived.js';

export interface CallRef {
  repo: string;
  file: string;
  /** Index into the file's calls. */
  i: number;
}

export const callIndex = derived((ws: Workspace) => {
  const byCallee = new Map<string, CallRef[]>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      rec.calls.forEach((c, i) => {
        const list = byCallee.get(c.name);
        const ref = { repo: repo.name, file: rec.path, i };
        if (list) list.push(ref);
        else byCallee.set(c.name, [ref]);
      });
    }
  }
  return byCallee;
});

export function callAt(ws: Workspace, ref: CallRef): Call {
  return ws.record(ref.repo, ref.file)!.calls[ref.i];
}

/** Test files that call or import a name. */
export function testsReferencing(ws: Workspace, name: string, max = 5): { repo: string; file: string; line: number }[] {
  const out = new Map<string, { repo: string; file: string; line: number }>();
  for (const ref of callIndex(ws).get(name) ?? []) {
    if (!isTestPath(ref.file)) continue;
    const key = `${ref.repo}:${ref.file}`;
    if (!out.has(key)) out.set(key, { repo: ref.repo, file: ref.file, line: callAt(ws, ref).line });
  }
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      if (!isTestPath(rec.path)) continue;
      const imp = rec.imports.find((i) => i.name === name);
      const key = `${repo.name}:${rec.path}`;
      if (imp && !out.has(key)) out.set(key, { repo: repo.name, file: rec.path, line: imp.line });
    }
  }
  return [...out.values()].sort((a, b) => a.file.localeCompare(b.file)).slice(0, max);
}
