/** The `explore` tool: architecture map, directory/file outlines, symbol definitions, topic search. */
import * as z from 'zod';
import { UserError } from '../errors.js';
import type { Workspace } from '../index/workspace.js';
import { languageOf } from '../lang/registry.js';
import { qualifiedName } from '../resolve/lookup.js';
import { topicSearch, type ExtensionPoint } from '../resolve/topic.js';
import {
  budgetChars, cursorField, decodeCursor, encodeCursor, fitBlocks, formatField, indexedInfo, indexedLine, indexedSchema,
  limitField, loc, locSchema, locText, pickRepos, repoField,
} from './common.js';
import { renderArch } from './explore/arch.js';
import { findPath, normalisePath, renderDirectory, renderOutline, splitRepoPath, suggestPaths } from './explore/outline.js';
import { renderSymbol } from './explore/symbol.js';
import { defineTool } from './types.js';

const KINDS = ['function', 'method', 'class', 'struct', 'enum', 'trait', 'impl', 'union', 'namespace', 'module', 'macro', 'type', 'registry'] as const;

const input = {
  repo: repoField,
  path: z.string().max(1000).optional().describe('A directory (lists its entries with their main symbols) or a file (its outline: definitions with signatures and line ranges, imports, boundary markers). Repo-relative, e.g. "lib/llm/src/kv_router" or "sglang:python/sglang/srt/managers/scheduler.py".'),
  symbol: z.string().max(300).optional().describe('A name to look up: Name, Type.method, Type::method, pkg.module.Name, or path/to/file.py:Name. Returns ranked definitions with signature, doc, cross-language counterpart, tests and caller count.'),
  query: z.string().max(300).optional().describe('Topic words ("radix cache eviction", "tool call parser") — ranks directories, files and symbols: use it for "where is X" and "where should I add X".'),
  kind: z.enum(KINDS).optional().describe('With symbol or query: keep only definitions of this kind.'),
  limit: limitField(10, 100),
  cursor: cursorField,
  format: formatField,
};

const output = {
  mode: z.enum(['architecture', 'directory', 'file', 'symbol', 'query']),
  indexed: indexedSchema,
  repos: z.array(z.record(z.string(), z.unknown())).optional(),
  entries: z.array(z.record(z.string(), z.unknown())).optional(),
  outline: z.array(z.record(z.string(), z.unknown())).optional(),
  definitions: z.array(z.record(z.string(), z.unknown())).optional(),
  others: z.array(z.object({ name: z.string(), kind: z.string(), loc: locSchema }))
    .describe('Symbol mode: the candidates past the detailed ones, one line each in the text ("Other definitions").').optional(),
  results: z.object({
    directories: z.array(z.object({ loc: locSchema, score: z.number() })),
    files: z.array(z.object({ loc: locSchema, score: z.number() })),
    symbols: z.array(z.object({ name: z.string(), kind: z.string(), loc: locSchema, score: z.number() })),
    extensionPoints: z.array(z.object({
      name: z.string(), kind: z.string(), loc: locSchema, score: z.number(),
      how: z.string().optional(), entries: z.number().optional(),
      related: z.array(z.object({ what: z.string(), name: z.string().optional(), note: z.string().optional(), loc: locSchema })).optional(),
    })).optional(),
  }).optional(),
  total: z.number().optional(),
  nextCursor: z.string().optional(),
};

export const exploreTool = defineTool({
  name: 'explore',
  title: 'Explore architecture, files and symbols',
  description: [
    'Find where things live in the Dynamo/SGLang checkouts (and any served repo). Four modes:',
    '(1) no arguments: the architecture map of each repo — layers with purpose and counts, entry points, and a census of cross-language boundaries (PyO3, pybind11, torch ops, CUDA/Triton kernels, extern "C");',
    '(2) path: a directory listing with each file\'s main symbols, or a file outline (definitions with signatures and line ranges, imports, boundary markers);',
    '(3) symbol: ranked definitions (Name, Type.method, Type::method, pkg.module.Name, file.py:Name) with signature, doc, the counterpart across a language boundary, tests and caller count — ambiguous names list every candidate;',
    '(4) query: topic words → ranked directories, files and symbols, for "where is X" / "where should I add X".',
    'Use it before reading files; use trace for call chains and grep for text. Answers are short (a few thousand tokens) and cite file:line.',
  ].join(' '),
  input,
  output,
  async run(args, { ws }) {
    if (args.symbol !== undefined && args.path === undefined && args.query === undefined && isIndexedPath(ws, args.symbol, args.repo)) {
      // A file or directory passed as a symbol (`explore lib/llm/src/kv_router.rs`): answer as the path it is.
      args = { ...args, path: args.symbol, symbol: undefined };
    }
    const repos = pickRepos(ws, args.repo);
    const detailed = args.format === 'detailed';
    const offset = decodeCursor(args.cursor);
    const limit = args.limit ?? (args.path ? 80 : 10);
    const budget = budgetChars(args.format);
    const modes = [args.path !== undefined, args.symbol !== undefined, args.query !== undefined].filter(Boolean).length;
    if (modes > 1) throw new UserError('Pass only one of path, symbol or query.', '{"symbol": "RadixCache.match_prefix"}');
    const footer = indexedLine(repos);
    const indexed = indexedInfo(repos);

    if (args.symbol !== undefined) {
      const r = renderSymbol(ws, args.symbol, args.repo, args.kind, offset, limit, detailed);
      const fit = fitBlocks(r.blocks, budget - r.head.length - 400);
      const next = offset + fit.shown < r.total ? encodeCursor(offset + fit.shown) : undefined;
      const restFit = fit.shown === r.blocks.length && r.rest.length ? fitBlocks(r.rest, Math.max(0, budget - r.head.length - fit.text.length - 600)) : { text: '', shown: 0 };
      const others = restFit.shown ? `\n\n**Other definitions** (details with cursor "${next}")\n${restFit.text}` : '';
      const more = next ? `${others}\n_${r.total - offset - fit.shown} more definition(s) beyond the detailed ones: pass cursor "${next}", or narrow with Type.method, a file path (file.py:Name), repo or kind._` : '';
      return {
        text: `${r.head}\n\n${fit.text}${more}\n\n${footer}`,
        structured: {
          mode: 'symbol', indexed, definitions: r.defs.slice(0, fit.shown),
          ...(restFit.shown ? { others: r.restDefs.slice(0, restFit.shown) } : {}), total: r.total, ...(next ? { nextCursor: next } : {}),
        },
      };
    }

    if (args.query !== undefined) {
      if (!args.query.trim()) throw new UserError('query is empty.', '{"query": "radix cache eviction"}');
      const hits = topicSearch(ws, args.query, { repo: args.repo });
      if (!hits.terms.length) throw new UserError(`query "${args.query}" has no searchable words (stop words are ignored).`, '{"query": "kv events publisher"}');
      let symbols = hits.symbols;
      if (args.kind) symbols = symbols.filter((s) => ws.def(s.ref).kind === args.kind);
      const nDir = detailed ? 10 : 5;
      const nFile = detailed ? 15 : 8;
      const syms = symbols.slice(offset, offset + limit);
      const lines = [`**Topic: ${hits.terms.join(' ')}** — ${symbols.length} matching symbols`];
      const points = (hits.extensionPoints ?? []).map((e) => extensionPointView(ws, e));
      if (points.length) {
        lines.push('', '**Extension points** (registration sites, registries, base classes/traits with several implementations, register functions)');
        const explained = new Set<string>();
        for (const e of points) {
          // A site kind's "how" is said once.
          const how = e.how && !explained.has(e.kind) ? `; ${e.how}` : '';
          explained.add(e.kind);
          lines.push(`- ${e.kind} \`${e.name}\` — ${locText(ws, e.loc.repo, e.loc.file, e.loc.line)}${e.how ? ` — ${e.entries} entries${how}` : e.doc ? ` — ${e.doc}` : ''}`);
          for (const r of e.related ?? []) lines.push(`  - ${r.what} ${r.name ? `\`${r.name}\` — ` : ''}${locText(ws, r.loc.repo, r.loc.file, r.loc.line)}${r.note ? ` (${r.note})` : ''}`);
        }
      }
      lines.push('', '**Directories**');
      for (const d of hits.dirs.slice(0, nDir)) lines.push(`- ${locText(ws, d.repo, d.dir)}/`);
      lines.push('', '**Files**');
      for (const f of hits.files.slice(0, nFile)) lines.push(`- ${locText(ws, f.repo, f.file)}`);
      lines.push('', '**Symbols**');
      for (const s of syms) {
        const d = ws.def(s.ref);
        lines.push(`- ${d.kind} \`${qualifiedName(d, languageOf(s.ref.file)?.id)}\` — ${locText(ws, s.ref.repo, s.ref.file, d.line)}${d.doc ? ` — ${d.doc}` : ''}`);
      }
      const next = offset + syms.length < symbols.length ? encodeCursor(offset + syms.length) : undefined;
      if (next) lines.push(`_More symbols: cursor "${next}"; add words or a repo to narrow._`);
      const fit = fitBlocks(lines, budget);
      return {
        text: `${fit.text}\n\n${footer}`,
        structured: {
          mode: 'query', indexed, total: symbols.length, ...(next ? { nextCursor: next } : {}),
          results: {
            directories: hits.dirs.slice(0, nDir).map((d) => ({ loc: loc(d.repo, d.dir, 1), score: round(d.score) })),
            files: hits.files.slice(0, nFile).map((f) => ({ loc: loc(f.repo, f.file, 1), score: round(f.score) })),
            ...(points.length ? { extensionPoints: points.map(({ doc, ...e }) => { void doc; return e; }) } : {}),
            symbols: syms.map((s) => { const d = ws.def(s.ref); return { name: qualifiedName(d, languageOf(s.ref.file)?.id), kind: d.kind, loc: loc(s.ref.repo, s.ref.file, d.line, d.endLine), score: round(s.score) }; }),
          },
        },
      };
    }

    if (args.path !== undefined) {
      const split = splitRepoPath(ws, args.path);
      const path = normalisePath(split.path);
      const scope = split.repo ? pickRepos(ws, split.repo) : repos;
      const hits = findPath(scope, path);
      if (!hits.length) {
        const near = suggestPaths(scope, path);
        throw new UserError(`No file or directory "${path}" in ${scope.map((r) => r.name).join(', ')}.${near.length ? ` Did you mean: ${near.join(', ')}?` : ''}`, `{"path": "${near[0]?.split(':')[1] ?? scope[0]?.allFiles[0]?.split('/')[0] ?? 'src'}"}`);
      }
      const parts: string[] = [];
      const structured: Record<string, unknown> = { indexed };
      let total = 0;
      let nextCursor: string | undefined;
      for (const hit of hits) {
        if (hit.kind === 'dir') {
          const d = renderDirectory(ws, hit.repo, hit.path, offset, limit);
          parts.push([d.head, ...d.lines].join('\n'));
          structured.mode = 'directory';
          structured.entries = [...((structured.entries as unknown[]) ?? []), ...d.entries];
          total += d.total;
          if (offset + d.entries.length < d.total) nextCursor = encodeCursor(offset + d.entries.length);
        } else {
          const o = renderOutline(ws, hit.repo, hit.path, offset, limit, detailed);
          parts.push([o.head, ...o.lines].join('\n'));
          structured.mode = 'file';
          structured.outline = o.items;
          total += o.total;
          if (offset + o.items.length < o.total) nextCursor = encodeCursor(offset + o.items.length);
        }
      }
      const fit = fitBlocks(parts.join('\n\n').split('\n'), budget);
      const more = nextCursor ? `\n_Showing ${offset + 1}-${offset + limit} of ${total}: pass cursor "${nextCursor}" for more._` : '';
      return { text: `${fit.text}${more}\n\n${footer}`, structured: { ...structured, total, ...(nextCursor ? { nextCursor } : {}) } };
    }

    const arch = renderArch(ws, repos, detailed);
    const fit = fitBlocks(arch.text.split('\n'), budget);
    return { text: `${fit.text}\n\n${footer}`, structured: { mode: 'architecture', indexed, repos: arch.maps } };
  },
});

/** One extension point as shown and returned: a definition (its kind and qualified name) or a registration site. */
function extensionPointView(ws: Workspace, e: ExtensionPoint) {
  const d = e.ref ? ws.def(e.ref) : undefined;
  return {
    name: e.name ?? (d ? qualifiedName(d, languageOf(e.file)?.id) : '?'),
    kind: e.kind ?? d?.kind ?? 'site',
    loc: loc(e.repo, e.file, e.line, e.endLine),
    score: round(e.score),
    doc: d?.doc,
    ...(e.how ? { how: e.how, entries: e.entries } : {}),
    ...(e.related.length ? { related: e.related.map((r) => ({ what: r.what, ...(r.name ? { name: r.name } : {}), ...(r.note ? { note: r.note } : {}), loc: loc(r.repo, r.file, r.line) })) } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Whether a `symbol` is really a served file or directory: it has a slash, no `file:Name` part, and exists. */
function isIndexedPath(ws: Workspace, symbol: string, repo?: string): boolean {
  const split = splitRepoPath(ws, symbol);
  if (!split.path.includes('/') || split.path.includes(':')) return false;
  try {
    return findPath(pickRepos(ws, split.repo ?? repo), normalisePath(split.path)).length > 0;
  } catch {
    return false; // not a usable path: the symbol lookup answers (and explains) instead
  }
}
