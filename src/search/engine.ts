/**
 * grep over a workspace: pick the files, run the pattern in the workers (trigram filter, then the
 * scan), keep the hits in scope, sort them (repo order, path, line), count them, and fetch the text
 * of one page with the enclosing symbol of each hit. Knows nothing about MCP or markdown.
 */
import { existsSync } from 'node:fs';
import { checkoutGone, UserError } from '../errors.js';
import type { Def, LangId } from '../index/model.js';
import type { RepoIndex, Workspace } from '../index/workspace.js';
import { corpusOf, type LineRequest, type Slot } from './corpus.js';
import { compilePattern, type SearchPattern } from './pattern.js';
import { enclosingDef, filterScope, signatureSpans, type Scope } from './scope.js';
import { langFilter, pathFilter } from './select.js';
import { FileStatus } from './shard.js';

export interface GrepOptions {
  pattern: string;
  regex?: boolean;
  caseSensitive?: boolean;
  repos: RepoIndex[];
  path?: string;
  lang?: string;
  scope?: Scope;
  context?: number;
  offset?: number;
  limit?: number;
  /** Longest line text returned for a hit (longer lines are cut around the match). */
  maxLineChars?: number;
  /** Scan time allowed before the search gives up with an error (default 2 s, env DSM_GREP_BUDGET_MS). */
  budgetMs?: number;
}

export interface GrepHit {
  repo: string;
  file: string;
  line: number;
  /** 1-based column of the first match on the line. */
  column: number;
  /** Matches on this line. */
  matches: number;
  text: string;
  before?: string[];
  after?: string[];
  symbol?: Def;
  lang?: LangId;
}

export interface GrepResult {
  pattern: SearchPattern;
  scope: Scope;
  /** Matches (as rg --count-matches counts them), matching lines (the unit of paging), files. */
  totals: { matches: number; lines: number; files: number };
  /** Files selected, files whose filter passed (actually scanned), files re-read because they changed. */
  searched: { files: number; scanned: number; reread: number };
  offset: number;
  hits: GrepHit[];
  /** Per file on the page: its matching lines and matches in the whole result. */
  fileTotals: Map<string, { lines: number; matches: number }>;
  nextOffset?: number;
  /** Where the hits are, busiest directories first (for narrowing a cut answer). */
  topDirs: { repo: string; dir: string; lines: number }[];
  tooLarge: { repo: string; file: string }[];
  binary: number;
  /** Selected files left out because the scope needs a syntax tree and they have none. */
  unparsed: number;
  /** Selected repos not searched because their checkout no longer exists on disk. */
  gone: { repo: string; root: string }[];
}

interface LineHit { slot: Slot; line: number; col: number; count: number }

export async function grep(ws: Workspace, o: GrepOptions): Promise<GrepResult> {
  const pattern = compilePattern({ pattern: o.pattern, regex: o.regex, caseSensitive: o.caseSensitive });
  const scope = o.scope ?? 'all';
  // A checkout deleted or moved while serving still has its files in the index: say so rather than
  // answering "0 matches"; with every selected checkout gone there is nothing to search.
  const gone = o.repos.filter((r) => !existsSync(r.root));
  if (gone.length === o.repos.length && gone.length) throw checkoutGone(gone.map((r) => r.root));
  const corpus = corpusOf(ws);
  const live = corpus.sync();
  const repoNames = new Set(o.repos.filter((r) => !gone.includes(r)).map((r) => r.name));
  const byPath = o.path ? pathFilter(o.path) : undefined;
  const byLang = o.lang ? langFilter(o.lang) : undefined;
  let unparsed = 0;
  const ids: number[] = [];
  const defs = scope === 'definitions' ? new Map<number, Int32Array>() : undefined;
  for (const s of live) {
    if (!repoNames.has(s.repo) || (byPath && !byPath(s.path)) || (byLang && !byLang(s.path))) continue;
    if (scope !== 'all') {
      const rec = ws.record(s.repo, s.path);
      if (!rec) { unparsed++; continue; }
      defs?.set(s.id, signatureSpans(rec));
    }
    ids.push(s.id);
  }
  const budget = o.budgetMs ?? (Number(process.env.DSM_GREP_BUDGET_MS) || 2000);
  const res = await corpus.search(ids, pattern, defs, budget);
  if (res.stoppedAfter !== undefined) {
    throw new UserError(`The regex /${pattern.display}/ is too expensive to search safely: after ${budget / 1000} s only ` +
      `${res.stoppedAfter} of ${ids.length} files were searched, so the search was stopped. Nested repetition such as (a+)+ or (\\w+\\s?)+ ` +
      'backtracks on every line: rewrite it without nested quantifiers, add a literal word to it, or narrow with path, lang or repo.',
    '{"pattern": "def evict\\w*", "path": "python/**"}');
  }

  const files = [...res.byFile.keys()].map((id) => corpus.slots[id]).sort((a, b) => a.rank - b.rank);
  const all: LineHit[] = [];
  const fileTotals = new Map<string, { lines: number; matches: number }>();
  let matches = 0;
  let nFiles = 0;
  for (const slot of files) {
    const kept = filterScope(ws.record(slot.repo, slot.path), scope, res.byFile.get(slot.id)!);
    if (!kept.length) continue;
    nFiles++;
    matches += kept.length / 3;
    const before = all.length;
    for (let i = 0; i < kept.length; i += 3) {
      const last = all[all.length - 1];
      if (all.length > before && last.line === kept[i]) last.count++;
      else all.push({ slot, line: kept[i], col: kept[i + 1], count: 1 });
    }
    fileTotals.set(`${slot.repo}\0${slot.path}`, { lines: all.length - before, matches: kept.length / 3 });
  }

  const offset = Math.min(o.offset ?? 0, all.length);
  const limit = o.limit ?? 50;
  const page = all.slice(offset, offset + limit);
  const ctx = Math.max(0, o.context ?? 0);
  const reqs: LineRequest[] = page.map((h) => {
    const from = Math.max(1, h.line - ctx);
    return [h.slot.id, from, h.line + ctx, h.line, h.col, o.maxLineChars ?? 300];
  });
  const texts = await corpus.lines(reqs);
  const hits = page.map((h, i): GrepHit => {
    const lines = texts[i];
    const k = h.line - reqs[i][1];
    const rec = ws.record(h.slot.repo, h.slot.path);
    const hit: GrepHit = { repo: h.slot.repo, file: h.slot.path, line: h.line, column: h.col + 1, matches: h.count, text: lines[k] ?? '' };
    if (ctx) {
      hit.before = lines.slice(0, k);
      hit.after = lines.slice(k + 1);
    }
    const sym = enclosingDef(rec, h.line);
    if (sym) hit.symbol = sym;
    if (rec) hit.lang = rec.lang;
    return hit;
  });

  const tooLarge = res.unsearchable.filter((s) => s.status === FileStatus.Huge).sort((a, b) => a.rank - b.rank)
    .map((s) => ({ repo: s.repo, file: s.path }));
  const binary = res.unsearchable.filter((s) => s.status === FileStatus.Binary).length;
  return {
    pattern, scope,
    totals: { matches, lines: all.length, files: nFiles },
    searched: { files: ids.length, scanned: res.scanned, reread: res.reread },
    offset, hits, fileTotals,
    nextOffset: offset + page.length < all.length ? offset + page.length : undefined,
    topDirs: offset + page.length < all.length || offset > 0 ? topDirs(all) : [],
    tooLarge, binary, unparsed,
    gone: gone.map((r) => ({ repo: r.name, root: r.root })),
  };
}

function topDirs(all: LineHit[]): { repo: string; dir: string; lines: number }[] {
  const perFile = new Map<Slot, number>();
  for (const h of all) perFile.set(h.slot, (perFile.get(h.slot) ?? 0) + 1);
  const count = new Map<string, { repo: string; dir: string; lines: number }>();
  for (const [slot, n] of perFile) {
    const parts = slot.path.split('/');
    const dir = parts.slice(0, Math.min(parts.length - 1, 3)).join('/') || '.';
    const key = `${slot.repo}\0${dir}`;
    const c = count.get(key);
    if (c) c.lines += n;
    else count.set(key, { repo: slot.repo, dir, lines: n });
  }
  return [...count.values()].sort((a, b) => b.lines - a.lines).slice(0, 5);
}
