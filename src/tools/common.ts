/** Helpers every tool shares: locations, the indexed-commit header, parameters, budgets, pagination. */
import * as z from 'zod';
import { UserError } from '../errors.js';
import type { Loc } from '../index/model.js';
import type { RepoIndex, Workspace } from '../index/workspace.js';

/** ~4 characters per token. Concise answers stay under ~8k tokens; nothing exceeds Claude Code's 25k cap. */
export const CONCISE_CHARS = 30_000;
export const DETAILED_CHARS = 90_000;

export const formatField = z.enum(['concise', 'detailed']).optional()
  .describe('concise (default): short answer under ~8k tokens; detailed: more fields per item, up to ~22k tokens.');
export const repoField = z.string().max(64).optional()
  .describe('Restrict to one served repo by name (e.g. "dynamo", "sglang"); default: all served repos.');
export const limitField = (dflt: number, max: number) => z.number().int().min(1).max(max).optional()
  .describe(`Maximum items to return (default ${dflt}, max ${max}).`);
export const cursorField = z.string().max(32).optional()
  .describe('Opaque cursor from a previous answer\'s nextCursor, to fetch the next page.');

export const locSchema = z.object({
  repo: z.string(), file: z.string(), line: z.number(), endLine: z.number().optional(),
});
export const indexedSchema = z.array(z.object({
  repo: z.string(), commit: z.string().optional(), root: z.string(), files: z.number(), reread: z.number(),
}));

export function loc(repo: string, file: string, line: number, endLine?: number): Loc {
  return endLine !== undefined && endLine !== line ? { repo, file, line, endLine } : { repo, file, line };
}

/** `path:line` (prefixed `repo:` when more than one repo is served). */
export function locText(ws: Workspace, repo: string, file: string, line?: number, endLine?: number): string {
  let s = ws.multiRepo ? `${repo}:${file}` : file;
  if (line !== undefined) s += `:${line}`;
  if (endLine !== undefined && line !== undefined && endLine > line) s += `-${endLine}`;
  return s;
}

export function pickRepos(ws: Workspace, name?: string): RepoIndex[] {
  if (!name) return [...ws.repos.values()];
  const r = ws.repos.get(name);
  if (!r) {
    const names = [...ws.repos.keys()];
    throw new UserError(`Unknown repo "${name}". Served repos: ${names.join(', ') || '(none)'}.`, names[0] ? `{"repo": "${names[0]}"}` : undefined);
  }
  return [r];
}

export interface IndexedInfo {
  repo: string;
  commit?: string;
  root: string;
  files: number;
  reread: number;
}

export function indexedInfo(repos: RepoIndex[]): IndexedInfo[] {
  return repos.map((r) => ({ repo: r.name, commit: r.head?.slice(0, 12), root: r.root, files: r.files.size, reread: r.reread ?? 0 }));
}

/** The closing line every answer carries: which commit of each repo it reflects. */
export function indexedLine(repos: RepoIndex[]): string {
  const parts = repos.map((r) => {
    const at = r.head ? `@${r.head.slice(0, 12)}` : ' (not git)';
    const fresh = r.reread ? `, ${r.reread} changed file(s) re-read` : '';
    return `${r.name}${at}${fresh}`;
  });
  return `_Indexed: ${parts.join('; ')}._`;
}

export function budgetChars(format?: 'concise' | 'detailed'): number {
  return format === 'detailed' ? DETAILED_CHARS : CONCISE_CHARS;
}

/** Appends blocks until the budget is reached; returns how many blocks fit. */
export function fitBlocks(blocks: string[], maxChars: number): { text: string; shown: number } {
  let used = 0;
  let shown = 0;
  const out: string[] = [];
  for (const b of blocks) {
    if (used + b.length + 1 > maxChars && shown > 0) break;
    out.push(b);
    used += b.length + 1;
    shown++;
  }
  return { text: out.join('\n'), shown };
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const n = /^o(\d{1,9})$/.exec(cursor);
  if (!n) throw new UserError(`Invalid cursor "${cursor}": pass the nextCursor value of a previous answer unchanged, or repeat the call without cursor for the first page.`, '{"cursor": "o10"} (the nextCursor of the previous answer)');
  return Number(n[1]);
}

export function encodeCursor(offset: number): string {
  return `o${offset}`;
}

/** A definition's kind as answers print it: `function`, or `function declaration` for a prototype without a body. */
export function kindText(def: { kind: string; decl?: boolean }): string {
  return def.decl ? `${def.kind} declaration` : def.kind;
}

export function plural(n: number, word: string, pluralWord = word + 's'): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
