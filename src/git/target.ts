/**
 * What to blame: a file (optionally `repo:path`, `path:line` or `path:start-end`, as other tools print them)
 * or a symbol resolved through the index to its definition's line range. Picks the repo, confines the path,
 * and keeps the other candidates of an ambiguous symbol so the answer can list them.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { UserError } from '../errors.js';
import type { Def } from '../index/model.js';
import type { RepoIndex, Workspace } from '../index/workspace.js';
import { qualifiedName, requireDefinitions } from '../resolve/lookup.js';
import { confinePath } from './paths.js';

export interface TargetArgs {
  file?: string;
  symbol?: string;
  repo?: string;
  start_line?: number;
  end_line?: number;
}

export interface Candidate {
  repo: string;
  file: string;
  line: number;
  endLine: number;
  name: string;
  kind: string;
}

export interface BlameTarget {
  repo: RepoIndex;
  path: string;
  start?: number;
  end?: number;
  symbol?: Candidate;
  /** Other definitions the symbol could have meant (best-ranked first), when it was ambiguous. */
  others: Candidate[];
}

const EXAMPLE = '{"symbol": "RadixCache.evict"}';
const MAX_OTHERS = 6;

function reposFor(ws: Workspace, name?: string): RepoIndex[] {
  if (!name) return [...ws.repos.values()];
  const r = ws.repos.get(name);
  if (!r) throw new UserError(`Unknown repo "${name}". Served repos: ${[...ws.repos.keys()].join(', ') || '(none)'}.`, `{"repo": "${[...ws.repos.keys()][0] ?? 'dynamo'}", "file": "README.md"}`);
  return [r];
}

function requireGit(repo: RepoIndex): void {
  if (!repo.spec.isGit) {
    throw new UserError(`${repo.name} (${repo.root}) is not a git checkout, so blame and history are unavailable. Serve a git clone instead (--repo ${repo.name}=PATH).`);
  }
}

function candidate(repo: string, file: string, def: Def, lang?: string): Candidate {
  return { repo, file, line: def.line, endLine: def.endLine, name: qualifiedName(def, lang), kind: def.kind };
}

function fromSymbol(ws: Workspace, args: TargetArgs): BlameTarget {
  if (args.start_line !== undefined || args.end_line !== undefined) {
    throw new UserError('give either symbol (its whole definition is blamed) or start_line/end_line with file, not both.', EXAMPLE);
  }
  reposFor(ws, args.repo);
  let matches = requireDefinitions(ws, args.symbol!, { repo: args.repo });
  if (args.file) {
    const want = args.file.replace(/^\.\//, '');
    const inFile = matches.filter((m) => m.ref.file === want || m.ref.file.endsWith('/' + want));
    if (!inFile.length) {
      const where = matches.slice(0, 5).map((m) => `${m.ref.repo}:${m.ref.file}:${m.def.line}`).join(', ');
      throw new UserError(`"${args.symbol}" is not defined in ${args.file}; it is defined at ${where}.`, `{"symbol": "${args.symbol}"}`);
    }
    matches = inFile;
  }
  const cands = matches.map((m) => candidate(m.ref.repo, m.ref.file, m.def, ws.record(m.ref.repo, m.ref.file)?.lang));
  const best = matches[0];
  const repo = ws.repos.get(best.ref.repo)!;
  requireGit(repo);
  return { repo, path: best.ref.file, start: best.def.line, end: best.def.endLine, symbol: cands[0], others: cands.slice(1, 1 + MAX_OTHERS) };
}

/** Splits `repo:path:120-180` into its parts, keeping a part only when it makes sense here. */
function splitFileArg(ws: Workspace, raw: string): { repo?: string; path: string; start?: number; end?: number } {
  let path = raw.trim();
  let repo: string | undefined;
  const colon = path.indexOf(':');
  if (colon > 0 && ws.repos.has(path.slice(0, colon)) && !isAbsolute(path)) {
    repo = path.slice(0, colon);
    path = path.slice(colon + 1);
  }
  const lines = /^(.*\S):(\d+)(?:-(\d+))?$/.exec(path);
  const literal = [...ws.repos.values()].some((r) => !isAbsolute(path) && existsSync(join(r.root, path)));
  if (lines && !literal) return { repo, path: lines[1], start: Number(lines[2]), end: lines[3] ? Number(lines[3]) : undefined };
  return { repo, path };
}

function fromFile(ws: Workspace, args: TargetArgs): BlameTarget {
  const parsed = splitFileArg(ws, args.file!);
  if (parsed.repo && args.repo && parsed.repo !== args.repo) {
    throw new UserError(`file names repo "${parsed.repo}" but repo is "${args.repo}".`, `{"repo": "${parsed.repo}", "file": "${parsed.path}"}`);
  }
  let repos = reposFor(ws, args.repo ?? parsed.repo);
  if (isAbsolute(parsed.path)) {
    const owning = repos.filter((r) => { const rel = relative(r.root, parsed.path); return !rel.startsWith('..') && !isAbsolute(rel); });
    if (owning.length) repos = owning;
  }
  const confined = repos.map((r) => ({ repo: r, path: confinePath(r.root, parsed.path) }));
  let chosen = confined;
  if (confined.length > 1) {
    chosen = confined.filter((c) => existsSync(join(c.repo.root, c.path)));
    if (chosen.length > 1) {
      const names = chosen.map((c) => c.repo.name);
      throw new UserError(`${parsed.path} exists in several repos (${names.join(', ')}); pass repo to pick one.`, `{"repo": "${names[0]}", "file": "${parsed.path}"}`);
    }
    if (!chosen.length) throw new UserError(`${parsed.path} was not found in any served repo (${confined.map((c) => c.repo.name).join(', ')}). Paths are repo-relative; find files with grep or explore.`, EXAMPLE);
  }
  const { repo, path } = chosen[0];
  requireGit(repo);
  const start = args.start_line ?? parsed.start;
  const end = args.end_line ?? (args.start_line === undefined ? parsed.end : undefined);
  return { repo, path, start, end, others: [] };
}

export function resolveTarget(ws: Workspace, args: TargetArgs): BlameTarget {
  if (args.symbol) return fromSymbol(ws, args);
  if (args.file) return fromFile(ws, args);
  throw new UserError('blame needs a file (with optional start_line/end_line) or a symbol.', '{"file": "lib/llm/src/kv_router.rs", "start_line": 10, "end_line": 40}');
}
