/**
 * Topic search ("tool call parsers", "radix cache eviction"): ranks directories, files and symbols by the
 * words of their names, containers, doc lines and paths, weighted by rarity (idf).
 */
import { isTestDef, isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { derived } from './derived.js';
import { defCompanions, extensionWeight, registrationSites, siteCompanions, type RegistrationSite, type Related } from './extension.js';
import { tokens } from './words.js';

export { tokens };

/**
 * Definitions are numbered (key); a token's postings are flat [key, weight, key, weight, …] pairs in key
 * order, and a key's DefRef is made only for the definitions a query ranks: on both checkouts the index holds
 * ~56k definitions and ~470k postings: at one object each, the postings were most of what its build allocated.
 */
interface TopicIndex {
  count: number;
  refAt(key: number): DefRef;
  postings: Map<string, number[]>;
}

const topicIndex = derived((ws: Workspace): TopicIndex => {
  const files: { repo: string; file: string }[] = [];
  const fileOf: number[] = [];
  const defOf: number[] = [];
  const postings = new Map<string, number[]>();
  const add = (tok: string, key: number, w: number) => {
    const list = postings.get(tok);
    if (!list) postings.set(tok, [key, w]);
    else if (list[list.length - 2] === key) list[list.length - 1] = Math.max(list[list.length - 1], w);
    else list.push(key, w);
  };
  // Names and containers repeat (every method of a class, every `__init__`): each is tokenized once.
  const tokenized = new Map<string, string[]>();
  const tok = (text: string) => {
    let t = tokenized.get(text);
    if (!t) tokenized.set(text, t = tokens(text));
    return t;
  };
  const seen = new Map<string, number>();
  const note = (t: string, w: number) => seen.set(t, Math.max(seen.get(t) ?? 0, w));
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      const pathToks = tokens(rec.path.split('/').slice(-3).join(' '));
      const fileKey = files.length;
      files.push({ repo: repo.name, file: rec.path });
      rec.defs.forEach((d, i) => {
        if (d.kind === 'impl' || d.decl) return;
        const key = defOf.length;
        fileOf.push(fileKey);
        defOf.push(i);
        seen.clear();
        for (const t of tok(d.name)) note(t, 3);
        if (d.container) for (const t of tok(d.container)) note(t, 1.5);
        if (d.doc) for (const t of tokens(d.doc)) note(t, 1);
        for (const t of pathToks) note(t, 1);
        for (const [t, w] of seen) add(t, key, w);
      });
    }
  }
  return {
    count: defOf.length,
    refAt: (key) => ({ repo: files[fileOf[key]].repo, file: files[fileOf[key]].file, i: defOf[key] }),
    postings,
  };
});

/** Vocabulary tokens that match a query token (equal, or one a prefix of the other, 4+ chars). */
function expand(vocab: Iterable<string>, q: string): string[] {
  const out: string[] = [];
  for (const v of vocab) {
    if (v === q) out.push(v);
    else if (q.length >= 4 && v.length >= 4 && (v.startsWith(q) || q.startsWith(v))) out.push(v);
  }
  return out;
}

export interface TopicHits {
  symbols: { ref: DefRef; score: number }[];
  files: { repo: string; file: string; score: number }[];
  dirs: { repo: string; dir: string; score: number }[];
  terms: string[];
  /** Present when the query asks where to add/extend something. */
  extensionPoints?: ExtensionPoint[];
}

export interface ExtensionPoint {
  repo: string;
  file: string;
  line: number;
  endLine?: number;
  /** The definition, when the extension point is one (registration sites at a call are not). */
  ref?: DefRef;
  /** Site kind for registration sites ("torch op library"); definitions use their own kind. */
  kind?: string;
  name?: string;
  /** For registration sites: what adding an entry means, and how many entries there are. */
  how?: string;
  entries?: number;
  score: number;
  related: Related[];
}

const INTENT_ADD = /\b(add|adding|new|register|extend|plug|implement|support)\b/i;
/** Extension points listed, and how many of them get their companions. */
const MAX_POINTS = 8;
const MAX_WITH_RELATED = 4;
const MAX_SITES_PER_KIND = 2;


export function topicSearch(ws: Workspace, query: string, opts: { repo?: string } = {}): TopicHits {
  const terms = [...new Set(tokens(query))];
  const idx = topicIndex(ws);
  const n = idx.count || 1;
  const scores = new Map<number, { s: number; hit: Set<string> }>();
  for (const q of terms) {
    const bestForKey = new Map<number, number>();
    for (const v of expand(idx.postings.keys(), q)) {
      const list = idx.postings.get(v)!;
      const idf = Math.log(1 + n / (list.length / 2));
      const exact = v === q ? 1 : 0.6;
      for (let k = 0; k < list.length; k += 2) bestForKey.set(list[k], Math.max(bestForKey.get(list[k]) ?? 0, list[k + 1] * idf * exact));
    }
    for (const [key, s] of bestForKey) {
      const e = scores.get(key) ?? { s: 0, hit: new Set<string>() };
      e.s += s;
      e.hit.add(q);
      scores.set(key, e);
    }
  }
  const symbols: { ref: DefRef; score: number }[] = [];
  for (const [key, e] of scores) {
    const ref = idx.refAt(key);
    if (opts.repo && ref.repo !== opts.repo) continue;
    const coverage = e.hit.size / terms.length;
    let score = e.s * coverage * coverage;
    if (isTestPath(ref.file) || isTestDef(ws.def(ref))) score *= 0.3;
    symbols.push({ ref, score });
  }
  symbols.sort((a, b) => b.score - a.score || a.ref.file.localeCompare(b.ref.file));

  const fileScore = new Map<string, { repo: string; file: string; score: number }>();
  const dirScore = new Map<string, { repo: string; dir: string; score: number }>();
  for (const { ref, score } of symbols.slice(0, 400)) {
    const fk = `${ref.repo}:${ref.file}`;
    const f = fileScore.get(fk) ?? { repo: ref.repo, file: ref.file, score: 0 };
    f.score += score;
    fileScore.set(fk, f);
  }
  // Path words count for files and directories on their own.
  for (const repo of ws.repos.values()) {
    if (opts.repo && repo.name !== opts.repo) continue;
    for (const file of repo.allFiles) {
      const toks = new Set(tokens(file.split('/').slice(-2).join(' ')));
      let hit = 0;
      for (const q of terms) if ([...toks].some((t) => t === q || (q.length >= 4 && t.length >= 4 && (t.startsWith(q) || q.startsWith(t))))) hit++;
      if (!hit) continue;
      const fk = `${repo.name}:${file}`;
      const f = fileScore.get(fk) ?? { repo: repo.name, file, score: 0 };
      f.score += 4 * hit * (hit / terms.length);
      if (isTestPath(file)) f.score *= 0.5;
      fileScore.set(fk, f);
    }
  }
  const files = [...fileScore.values()].sort((a, b) => b.score - a.score || a.file.localeCompare(b.file));
  for (const f of files.slice(0, 200)) {
    const dir = f.file.includes('/') ? f.file.slice(0, f.file.lastIndexOf('/')) : '.';
    const dk = `${f.repo}:${dir}`;
    const d = dirScore.get(dk) ?? { repo: f.repo, dir, score: 0 };
    d.score += f.score;
    dirScore.set(dk, d);
  }
  const dirs = [...dirScore.values()].sort((a, b) => b.score - a.score || a.dir.localeCompare(b.dir));
  let extensionPoints: TopicHits['extensionPoints'];
  if (INTENT_ADD.test(query)) extensionPoints = rankExtensionPoints(ws, idx, terms, symbols, opts.repo);
  return { symbols, files, dirs, terms, extensionPoints };
}

/**
 * Scores a bag of weighted words against the query terms like a topic-index entry (idf from the index). Only
 * words of weight ≥ 1 count as covering a term, and registration sites must cover at least half of the query.
 */
function scoreWords(idx: TopicIndex, terms: string[], words: Map<string, number>): number {
  const n = idx.count || 1;
  let s = 0;
  let covered = 0;
  for (const q of terms) {
    let best = 0;
    let strong = false;
    for (const v of expand(words.keys(), q)) {
      const df = (idx.postings.get(v)?.length ?? 0) / 2;
      const w = words.get(v)!;
      best = Math.max(best, w * Math.log(1 + n / (df + 1)) * (v === q ? 1 : 0.6));
      if (w >= 1) strong = true;
    }
    s += best;
    if (strong) covered++;
  }
  const coverage = terms.length ? covered / terms.length : 0;
  return coverage < 0.5 ? 0 : s * coverage * coverage;
}

/**
 * Extension points: the best-matching symbols weighted by extensionWeight, and registration sites (torch
 * libraries, binding modules, dispatch tables) scored on their own words, weighted by their size.
 */
function rankExtensionPoints(ws: Workspace, idx: TopicIndex, terms: string[], symbols: { ref: DefRef; score: number }[], repo?: string): ExtensionPoint[] {
  const points: { p: ExtensionPoint; site?: RegistrationSite }[] = [];
  const siteDefs = new Set<string>();
  for (const site of registrationSites(ws)) {
    if ((repo && site.repo !== repo) || isTestPath(site.file)) continue;
    if (site.ref) siteDefs.add(`${site.repo}:${site.file}:${site.ref.i}`);
    const score = scoreWords(idx, terms, site.words) * (3 + Math.min(2, Math.log10(1 + site.entries)));
    if (score > 0) {
      const { repo: r, file, line, endLine, ref, kind, name, how, entries } = site;
      points.push({ p: { repo: r, file, line, endLine, ref, kind, name, how, entries, score, related: [] }, site });
    }
  }
  for (const sym of symbols.slice(0, 400)) {
    if (isTestPath(sym.ref.file) || siteDefs.has(`${sym.ref.repo}:${sym.ref.file}:${sym.ref.i}`)) continue;
    const score = sym.score * extensionWeight(ws, sym.ref);
    if (score <= 0) continue;
    const d = ws.def(sym.ref);
    points.push({ p: { repo: sym.ref.repo, file: sym.ref.file, line: d.line, endLine: d.endLine, ref: sym.ref, score, related: [] } });
  }
  points.sort((a, b) => b.p.score - a.p.score || a.p.file.localeCompare(b.p.file) || a.p.line - b.p.line);
  // A few sites of one kind are enough to show where such entries go (sgl-kernel has seven torch libraries).
  const perKind = new Map<string, number>();
  const top = points.filter(({ p }) => {
    if (!p.kind) return true;
    perKind.set(p.kind, (perKind.get(p.kind) ?? 0) + 1);
    return perKind.get(p.kind)! <= MAX_SITES_PER_KIND;
  }).slice(0, MAX_POINTS);
  top.slice(0, MAX_WITH_RELATED).forEach(({ p, site }) => { p.related = site ? siteCompanions(ws, site) : p.ref ? defCompanions(ws, p.ref) : []; });
  return top.map((x) => x.p);
}
