/**
 * Topic search ("tool call parsers", "radix cache eviction"): ranks directories, files and symbols by the
 * words of their names, containers, doc lines and paths, weighted by rarity (idf).
 */
import { isTestDef, isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { derived } from './derived.js';

const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'for', 'and', 'or', 'is', 'on', 'by', 'with', 'how', 'does', 'do',
  'where', 'what', 'which', 'are', 'be', 'it', 'from', 'this', 'that', 'add', 'new', 'get', 'set', 'py', 'rs', 'self', 'i', 'we']);

export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || STOP.has(raw)) continue;
    out.push(raw.length > 4 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw);
  }
  return out;
}

interface Posting { key: number; w: number }

interface TopicIndex {
  refs: DefRef[];
  postings: Map<string, Posting[]>;
}

const topicIndex = derived((ws: Workspace): TopicIndex => {
  const refs: DefRef[] = [];
  const postings = new Map<string, Posting[]>();
  const add = (tok: string, key: number, w: number) => {
    const list = postings.get(tok);
    if (!list) postings.set(tok, [{ key, w }]);
    else if (list[list.length - 1].key === key) list[list.length - 1].w = Math.max(list[list.length - 1].w, w);
    else list.push({ key, w });
  };
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      const pathToks = tokens(rec.path.split('/').slice(-3).join(' '));
      rec.defs.forEach((d, i) => {
        if (d.kind === 'impl' || d.decl) return;
        const key = refs.length;
        refs.push({ repo: repo.name, file: rec.path, i });
        const seen = new Map<string, number>();
        const note = (t: string, w: number) => seen.set(t, Math.max(seen.get(t) ?? 0, w));
        for (const t of tokens(d.name)) note(t, 3);
        for (const t of tokens(d.container ?? '')) note(t, 1.5);
        for (const t of tokens(d.doc ?? '')) note(t, 1);
        for (const t of pathToks) note(t, 1);
        for (const [t, w] of seen) add(t, key, w);
      });
    }
  }
  return { refs, postings };
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

/** How many definitions extend each base class / implement each trait (by simple name). */
export const extensionCounts = derived((ws: Workspace) => {
  const counts = new Map<string, number>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      for (const d of rec.defs) {
        const bases = d.kind === 'impl' && d.trait ? [d.trait] : d.kind === 'class' ? (d.bases ?? []).map((b) => b.split('.').pop()!.replace(/\[.*$/, '')) : [];
        for (const b of bases) counts.set(b, (counts.get(b) ?? 0) + 1);
      }
    }
  }
  return counts;
});

const INTENT_ADD = /\b(add|adding|new|register|extend|plug|implement|support)\b/i;

/** Extension-point strength of a definition: a registry table, a base class or trait with several implementations, a register function. */
export function extensionWeight(ws: Workspace, ref: DefRef): number {
  const d = ws.def(ref);
  if (d.kind === 'registry') return 3;
  const n = extensionCounts(ws).get(d.name) ?? 0;
  if ((d.kind === 'class' || d.kind === 'trait') && n >= 2) return 2 + Math.min(2, n / 10);
  if (/^(register|get_\w+_(map|registry))|_registry$|Registry$|Factory$/.test(d.name)) return 2;
  return 0;
}

export interface TopicHits {
  symbols: { ref: DefRef; score: number }[];
  files: { repo: string; file: string; score: number }[];
  dirs: { repo: string; dir: string; score: number }[];
  terms: string[];
  /** Present when the query asks where to add/extend something. */
  extensionPoints?: { ref: DefRef; score: number }[];
}

export function topicSearch(ws: Workspace, query: string, opts: { repo?: string } = {}): TopicHits {
  const terms = [...new Set(tokens(query))];
  const idx = topicIndex(ws);
  const n = idx.refs.length || 1;
  const scores = new Map<number, { s: number; hit: Set<string> }>();
  for (const q of terms) {
    const bestForKey = new Map<number, number>();
    for (const v of expand(idx.postings.keys(), q)) {
      const list = idx.postings.get(v)!;
      const idf = Math.log(1 + n / list.length);
      const exact = v === q ? 1 : 0.6;
      for (const p of list) bestForKey.set(p.key, Math.max(bestForKey.get(p.key) ?? 0, p.w * idf * exact));
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
    const ref = idx.refs[key];
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
  if (INTENT_ADD.test(query)) {
    extensionPoints = symbols.slice(0, 400)
      .map((s) => ({ ref: s.ref, score: s.score * extensionWeight(ws, s.ref) }))
      .filter((s) => s.score > 0 && !isTestPath(s.ref.file))
      .sort((a, b) => b.score - a.score)
      .slice(0, 8);
  }
  return { symbols, files, dirs, terms, extensionPoints };
}
