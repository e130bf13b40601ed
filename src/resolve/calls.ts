/** The reverse call index: called name → call sites, across files and repos. */
import { callNames, importNames } from '../index/cache.js';
import type { Call } from '../index/model.js';
import { isTestPath } from '../index/paths.js';
import type { Workspace } from '../index/workspace.js';
import { derived } from './derived.js';
import { snakeCase } from './words.js';

export interface CallRef {
  repo: string;
  file: string;
  /** Index into the file's calls. */
  i: number;
}

/** Call sites by called name; each name's list is built on first use. */
export interface CallIndex {
  get(name: string): CallRef[] | undefined;
  /** Builds the whole index now (prewarming), rather than after the first few names. */
  complete(): void;
}

/** Bits of a packed ref that hold the call's index in its file (the rest is the file's number). */
const CALL_BITS = 2 ** 22;
/** Names looked up by scanning before the whole index is built. */
const SCANS_BEFORE_BUILD = 6;

/**
 * The first few names are answered by a scan of every file's called names (~20 ms on both checkouts, no
 * allocation but the answer); from the next distinct name on, by an index of every call (~340k), built once
 * (~100 ms). A one-shot question (the CLI, a server's first answer) then never pays for the index, and a
 * trace, which asks for hundreds of names, builds it at once. Both give the same lists in the same order.
 */
export const callIndex = derived((ws: Workspace): CallIndex => {
  let full: ((name: string) => CallRef[] | undefined) | undefined;
  const scanned = new Map<string, CallRef[] | undefined>();
  const complete = () => { full ??= buildIndex(ws); };
  return {
    get(name) {
      if (!full && scanned.has(name)) return scanned.get(name);
      if (!full && scanned.size < SCANS_BEFORE_BUILD) {
        const refs = scanFor(ws, name);
        scanned.set(name, refs);
        return refs;
      }
      complete();
      return full!(name);
    },
    complete,
  };
});

function scanFor(ws: Workspace, name: string): CallRef[] | undefined {
  const out: CallRef[] = [];
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      const names = callNames(rec);
      for (let i = 0; i < names.length && i < CALL_BITS; i++) if (names[i] === name) out.push({ repo: repo.name, file: rec.path, i });
    }
  }
  return out.length ? out : undefined;
}

/**
 * Built in one pass over every call of the workspace (~340k on both checkouts), so it holds numbers, not
 * objects: a name's refs are packed as fileNumber * 2^22 + callIndex, and become CallRef objects only for
 * the names a question asks about. Building it is then ~4× cheaper, which a warm start's first answer feels.
 */
function buildIndex(ws: Workspace): (name: string) => CallRef[] | undefined {
  const files: { repo: string; file: string }[] = [];
  const packed = new Map<string, number[]>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      const base = files.length * CALL_BITS;
      files.push({ repo: repo.name, file: rec.path });
      const names = callNames(rec);
      for (let i = 0; i < names.length && i < CALL_BITS; i++) {
        const list = packed.get(names[i]);
        if (list) list.push(base + i);
        else packed.set(names[i], [base + i]);
      }
    }
  }
  const built = new Map<string, CallRef[]>();
  return (name) => {
    let refs = built.get(name);
    if (refs) return refs;
    const keys = packed.get(name);
    if (!keys) return undefined;
    refs = keys.map((k) => {
      const f = files[Math.floor(k / CALL_BITS)];
      return { repo: f.repo, file: f.file, i: k % CALL_BITS };
    });
    built.set(name, refs);
    return refs;
  };
}

/** The call a ref points at. Undefined at run time only when the file's calls could not be decoded (cache.ts). */
export function callAt(ws: Workspace, ref: CallRef): Call {
  return ws.record(ref.repo, ref.file)!.calls[ref.i];
}

/**
 * Test files that call or import a name, most telling first: a file named after the name
 * (`test_reasoning_parser.py` for `ReasoningParser`), then files in the preferred repos (where the
 * definitions asked about live), then the files that reference it most.
 */
export function testsReferencing(ws: Workspace, name: string, max = 5, preferRepos?: ReadonlySet<string>): { repo: string; file: string; line: number }[] {
  const out = new Map<string, { repo: string; file: string; line: number; refs: number }>();
  for (const ref of callIndex(ws).get(name) ?? []) {
    const call = isTestPath(ref.file) ? callAt(ws, ref) as Call | undefined : undefined;
    if (!call) continue;
    const key = `${ref.repo}:${ref.file}`;
    const hit = out.get(key);
    if (hit) hit.refs++;
    else out.set(key, { repo: ref.repo, file: ref.file, line: call.line, refs: 1 });
  }
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      if (!isTestPath(rec.path)) continue;
      const imp = importNames(rec).includes(name) ? rec.imports.find((i) => i.name === name) : undefined;
      const key = `${repo.name}:${rec.path}`;
      if (imp && !out.has(key)) out.set(key, { repo: repo.name, file: rec.path, line: imp.line, refs: 1 });
    }
  }
  const stem = snakeCase(name);
  const named = (file: string) => (file.slice(file.lastIndexOf('/') + 1).toLowerCase().includes(stem) ? 1 : 0);
  const preferred = (repo: string) => (preferRepos?.has(repo) ? 1 : 0);
  return [...out.values()]
    .sort((a, b) => named(b.file) - named(a.file) || preferred(b.repo) - preferred(a.repo) || b.refs - a.refs || a.file.localeCompare(b.file))
    .slice(0, max)
    .map(({ repo, file, line }) => ({ repo, file, line }));
}

