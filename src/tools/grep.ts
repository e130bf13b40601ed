/** grep: regex/literal search over every text file of the served checkouts, naming each hit's enclosing symbol. */
import * as z from 'zod';
import { UserError } from '../errors.js';
import type { Workspace } from '../index/workspace.js';
import { qualifiedName } from '../resolve/lookup.js';
import { grep, type GrepHit, type GrepResult } from '../search/engine.js';
import { MAX_PATTERN } from '../search/pattern.js';
import {
  budgetChars, cursorField, decodeCursor, encodeCursor, formatField, indexedInfo, indexedLine, indexedSchema, limitField, loc, locSchema,
  locText, pickRepos, plural, repoField,
} from './common.js';
import { defineTool } from './types.js';

const SCOPES = ['all', 'code', 'comments', 'strings', 'definitions'] as const;

const input = {
  pattern: z.string().min(1).max(MAX_PATTERN)
    .describe('What to search for: a regular expression (JavaScript syntax; `(?i)`, `(?P<name>…)` and `[[:alpha:]]` also work), or the exact text with regex: false. Matches never span lines.'),
  regex: z.boolean().optional()
    .describe('true (default): pattern is a regex. false: search for pattern literally (no escaping needed).'),
  case_sensitive: z.boolean().optional()
    .describe('Default: smart case — case-insensitive unless the pattern contains an upper-case letter. true or false forces it.'),
  repo: repoField,
  path: z.string().max(500).optional()
    .describe('Only files under this directory or file (`lib/llm`, `python/sglang/srt/managers/scheduler.py`), or matching this glob (`lib/llm/**/*.rs`, `*.yaml`; a glob without `/` matches file names anywhere). `repo:path` also selects the repo.'),
  lang: z.string().max(100).optional()
    .describe('Only files of these languages, comma-separated: rust, python, cpp, c, cuda (parsed), or yaml, toml, json, markdown, shell, dockerfile, cmake, make, go, typescript, proto, text.'),
  context: z.number().int().min(0).max(10).optional()
    .describe('Lines of context to show before and after each matching line (default 0, max 10).'),
  scope: z.enum(SCOPES).optional()
    .describe('all (default): every match. code: outside comments and strings. comments / strings: only inside them. definitions: only in a definition\'s name or signature (def/fn/class/struct lines). Scopes other than all cover parsed source files only (Rust, Python, C/C++, CUDA).'),
  limit: limitField(50, 500),
  cursor: cursorField,
  format: formatField,
};

const symbolSchema = z.object({ name: z.string(), kind: z.string(), loc: locSchema });
const hitSchema = z.object({
  loc: locSchema, column: z.number().describe('1-based column of the first match on the line.'),
  matches: z.number().describe('Matches on this line.'), text: z.string(),
  before: z.array(z.string()).optional(), after: z.array(z.string()).optional(),
  symbol: symbolSchema.optional().describe('Innermost definition enclosing the line (absent at top level and in unparsed files).'),
});

const output = {
  pattern: z.string(),
  regex: z.boolean(),
  caseSensitive: z.boolean(),
  scope: z.enum(SCOPES),
  totals: z.object({ matches: z.number(), lines: z.number(), files: z.number() })
    .describe('The whole result: matches (as rg --count-matches counts them), matching lines, files.'),
  total: z.number().describe('Matching lines: the unit of limit and cursor.'),
  searched: z.object({ files: z.number(), scanned: z.number(), reread: z.number() })
    .describe('Files selected, files actually read after the trigram index ruled the others out, files re-read because they changed on disk.'),
  files: z.array(z.object({
    repo: z.string(), file: z.string(), lang: z.string().optional(),
    lines: z.number().describe('Matching lines in this file (whole result).'), matches: z.number(), hits: z.array(hitSchema),
  })),
  shown: z.number(),
  nextCursor: z.string().optional(),
  truncated: z.boolean(),
  topDirectories: z.array(z.object({ repo: z.string(), dir: z.string(), lines: z.number() })).describe('When cut: where the hits are, to narrow with path.'),
  tooLarge: z.array(locSchema).optional().describe('Files over 2 MB that were not searched.'),
  notes: z.array(z.string()),
  indexed: indexedSchema,
};

/** `repo:path` in path selects the repo too. */
function splitRepoPath(ws: Workspace, repo: string | undefined, path: string | undefined): { repo?: string; path?: string } {
  const m = path ? /^([A-Za-z0-9][A-Za-z0-9_.-]*):(.*)$/.exec(path) : null;
  if (m && ws.repos.has(m[1])) {
    if (repo && repo !== m[1]) throw new UserError(`path names repo "${m[1]}" but repo is "${repo}".`, `{"pattern": "x", "path": "${path}"}`);
    return { repo: m[1], path: m[2] };
  }
  return { repo, path };
}

export const grepTool = defineTool({
  name: 'grep',
  title: 'Search text, naming the symbol around each hit',
  description: [
    'Regex or literal search over every text file of the served checkouts (source, YAML, TOML, Markdown, shell, Dockerfiles; .gitignore honoured, binaries skipped),',
    'faster than ripgrep once warm (a trigram index skips files that cannot match). Hits are grouped by file and each names its enclosing symbol (`in RadixCache.evict`),',
    'so one call answers "where is X used and in which functions". Filters: path (dir or glob), lang, repo, scope (code / comments / strings / definitions, from the syntax tree).',
    'Totals always; 50 matching lines per page (limit, cursor). Smart case by default. Use it for exact strings, config keys, log messages, env vars, TODOs;',
    'use explore for "where is X defined / what is this module" and trace for call chains (they resolve names, grep does not).',
    'Cost: ~0.1 s per call (the first call builds the index in ~1 s); answers stay under ~8k tokens.',
  ].join(' '),
  input,
  output,
  async run(args, { ws }) {
    const { repo, path } = splitRepoPath(ws, args.repo, args.path);
    const repos = pickRepos(ws, repo);
    const detailed = args.format === 'detailed';
    const limit = args.limit ?? 50;
    const offset = decodeCursor(args.cursor);
    const scope = args.scope ?? 'all';
    const r = await grep(ws, {
      pattern: args.pattern, regex: args.regex, caseSensitive: args.case_sensitive, repos, path, lang: args.lang,
      scope, context: args.context, offset, limit, maxLineChars: detailed ? 1000 : 300,
    });
    const page = renderPage(ws, r, budgetChars(args.format) - 3000, detailed);
    const shown = page.shown;
    const nextOffset = r.offset + shown < r.totals.lines ? r.offset + shown : undefined;
    const nextCursor = nextOffset !== undefined ? encodeCursor(nextOffset) : undefined;
    const notes = buildNotes(ws, r, args, nextCursor, shown);
    const text = [header(r, args.regex !== false), page.text, ...notes.map((n) => `_${n}_`), indexedLine(repos)].filter(Boolean).join('\n\n');
    return { text, structured: structured(r, args.regex !== false, page.hits, nextCursor, notes, indexedInfo(repos)) };
  },
});

function header(r: GrepResult, regex: boolean): string {
  const p = r.pattern;
  const how = `${regex ? 'regex' : 'literal'}, ${p.ignoreCase ? 'case-insensitive' : 'case-sensitive'}${p.caseReason === 'smart' ? ' (smart case)' : ''}`;
  const scope = r.scope === 'all' ? '' : `, scope ${r.scope}`;
  const t = r.totals;
  return `**grep** \`${p.display.replace(/`/g, 'ˋ')}\` (${how}${scope}) — ${plural(t.matches, 'match', 'matches')} on ${plural(t.lines, 'line')} in ${plural(t.files, 'file')}` +
    ` (${plural(r.searched.files, 'file')} searched, ${r.searched.scanned} read)`;
}

function symbolLabel(h: GrepHit): string {
  const d = h.symbol;
  if (!d) return '(top level)';
  return `in ${qualifiedName(d, h.lang)} (${d.kind}, L${d.line}${d.endLine > d.line ? `-${d.endLine}` : ''})`;
}

/** Hits grouped by file, a fenced block per file, a symbol line whenever the enclosing symbol changes. */
function renderPage(ws: Workspace, r: GrepResult, budget: number, detailed: boolean): { text: string; shown: number; hits: GrepHit[] } {
  if (!r.hits.length) return { text: 'No matches.', shown: 0, hits: [] };
  const tilde = new Set(r.hits.filter((h) => [h.text, ...(h.before ?? []), ...(h.after ?? [])].some((t) => t.includes('```')))
    .map((h) => `${h.repo}\0${h.file}`));
  const parts: string[] = [];
  let used = 0;
  let shown = 0;
  let cur: { key: string; fence: string; sym?: string; last: number } | undefined;
  let stop = false;
  r.hits.forEach((h, i) => {
    if (stop) return;
    const key = `${h.repo}\0${h.file}`;
    const next = r.hits[i + 1];
    const afterEnd = next && next.repo === h.repo && next.file === h.file ? next.line - 1 : Infinity;
    const lines: string[] = [];
    let state = cur;
    if (!state || state.key !== key) {
      if (state) lines.push(state.fence, '');
      const ft = r.fileTotals.get(key)!;
      state = { key, fence: tilde.has(key) ? '~~~~' : '```', last: 0 };
      lines.push(`**${locText(ws, h.repo, h.file)}** — ${plural(ft.lines, 'line')}${ft.matches !== ft.lines ? `, ${ft.matches} matches` : ''}`, state.fence);
    }
    const label = h.lang ? symbolLabel(h) : undefined;
    const width = String(h.line + (h.after?.length ?? 0)).length;
    const num = (n: number, sep: string) => `${String(n).padStart(width)}${sep} `;
    const before = (h.before ?? []).map((t, k, all) => [h.line - all.length + k, t] as const).filter(([n]) => n > state!.last);
    const first = before.length ? before[0][0] : h.line;
    if (label && label !== state.sym) lines.push(`── ${label}`);
    else if (h.before && state.last > 0 && first > state.last + 1) lines.push('--');
    for (const [n, t] of before) lines.push(num(n, '-') + t);
    lines.push(num(h.line, ':') + h.text + (detailed && h.matches > 1 ? `   ⟵ ${h.matches} matches` : ''));
    let last = h.line;
    (h.after ?? []).forEach((t, k) => {
      if (h.line + 1 + k <= afterEnd) lines.push(num(last = h.line + 1 + k, '-') + t);
    });
    const block = lines.join('\n');
    if (shown > 0 && used + block.length > budget) return void (stop = true);
    parts.push(block);
    used += block.length + 1;
    shown++;
    cur = { ...state, sym: label ?? state.sym, last };
  });
  parts.push(cur!.fence);
  return { text: parts.join('\n'), shown, hits: r.hits.slice(0, shown) };
}

function buildNotes(ws: Workspace, r: GrepResult, args: { path?: string; lang?: string; case_sensitive?: boolean }, next: string | undefined, shown: number): string[] {
  const notes: string[] = [];
  const t = r.totals;
  if (next) {
    const dirs = r.topDirs.map((d) => `${locText(ws, d.repo, d.dir)}/ (${d.lines})`).join(', ');
    const scope = r.scope === 'all' ? ', scope "code"' : '';
    notes.push(`Showing matching lines ${r.offset + 1}-${r.offset + shown} of ${t.lines}. Next page: cursor "${next}". ` +
      `To narrow: path${dirs ? ` (most hits under ${dirs})` : ''}, lang${scope}, or a more specific pattern.`);
  }
  if (!t.lines) {
    const tips: string[] = [];
    if (!r.pattern.ignoreCase) tips.push('case_sensitive: false');
    if (/[\\()[\]{}.*+?|^$]/.test(r.pattern.display)) tips.push('regex: false if the pattern is meant literally');
    if (args.path || args.lang) tips.push('a wider path or lang');
    if (r.scope !== 'all') tips.push('scope "all"');
    if (tips.length) notes.push(`Nothing matched. Try ${tips.join(', ')}.`);
  }
  if (r.unparsed) notes.push(`Scope "${r.scope}" needs a syntax tree: ${plural(r.unparsed, 'selected file')} without one (docs, configs, unsupported languages) were not searched.`);
  if (r.tooLarge.length) {
    const names = r.tooLarge.slice(0, 3).map((f) => locText(ws, f.repo, f.file)).join(', ');
    notes.push(`Not searched: ${plural(r.tooLarge.length, 'file')} over 2 MB (${names}${r.tooLarge.length > 3 ? ', …' : ''}).`);
  }
  for (const g of r.gone) notes.push(`Not searched: repo ${g.repo} — the checkout ${g.root} no longer exists (moved or deleted while the server was running); restart the server with its new path.`);
  if (r.searched.reread) notes.push(`${plural(r.searched.reread, 'changed file')} re-read before searching.`);
  return notes;
}

function structured(r: GrepResult, regex: boolean, hits: GrepHit[], nextCursor: string | undefined, notes: string[], indexed: ReturnType<typeof indexedInfo>): Record<string, unknown> {
  const files: { repo: string; file: string; lang?: string; lines: number; matches: number; hits: unknown[] }[] = [];
  for (const h of hits) {
    let f = files[files.length - 1];
    if (!f || f.repo !== h.repo || f.file !== h.file) {
      const ft = r.fileTotals.get(`${h.repo}\0${h.file}`)!;
      files.push(f = { repo: h.repo, file: h.file, ...(h.lang ? { lang: h.lang } : {}), lines: ft.lines, matches: ft.matches, hits: [] });
    }
    f.hits.push({
      loc: loc(h.repo, h.file, h.line), column: h.column, matches: h.matches, text: h.text,
      ...(h.before ? { before: h.before, after: h.after } : {}),
      ...(h.symbol ? { symbol: { name: qualifiedName(h.symbol, h.lang), kind: h.symbol.kind, loc: loc(h.repo, h.file, h.symbol.line, h.symbol.endLine) } } : {}),
    });
  }
  return {
    pattern: r.pattern.display, regex, caseSensitive: !r.pattern.ignoreCase, scope: r.scope,
    totals: r.totals, total: r.totals.lines, searched: r.searched, files, shown: hits.length,
    ...(nextCursor ? { nextCursor } : {}), truncated: nextCursor !== undefined,
    topDirectories: r.topDirs,
    ...(r.tooLarge.length ? { tooLarge: r.tooLarge.map((f) => loc(f.repo, f.file, 1)) } : {}),
    notes, indexed,
  };
}
