/**
 * Required literals of a regex, for prefiltering: a conjunction of terms, each term a disjunction of
 * strings, such that every match contains, for each term, at least one of its strings. `foo\w+bar`
 * needs [["foo"], ["bar"]]; `(get|put)_block` needs [["get_block", "put_block"]]. The analysis is
 * conservative: when unsure it requires less, never more. Strings are lower-cased when `fold` is set.
 */
import type { AST } from '@eslint-community/regexpp';

export type Term = string[];

export interface Literals {
  terms: Term[];
  /** The whole pattern is exactly this string (only characters, no classes, quantifiers or assertions). */
  exact?: string;
}

const MAX_SET = 16;
const MAX_LEN = 64;

type Node = AST.Alternative | AST.Element;

export function requiredLiterals(pattern: AST.Pattern, fold: boolean): Literals {
  const ch = (c: number) => {
    const s = String.fromCharCode(c);
    return fold ? s.toLowerCase() : s;
  };

  /** Every string the node can match, when that set is small; null otherwise. */
  const exact = (n: Node): string[] | null => {
    switch (n.type) {
      case 'Character': return [ch(n.value)];
      case 'Assertion': return n.kind === 'start' || n.kind === 'end' || n.kind === 'word' ? [''] : null;
      case 'CharacterClass': {
        if (n.negate) return null;
        const set = new Set<string>();
        for (const el of n.elements) {
          if (el.type === 'Character') set.add(ch(el.value));
          else if (el.type === 'CharacterClassRange' && el.max.value - el.min.value < 8) {
            for (let c = el.min.value; c <= el.max.value; c++) set.add(ch(c));
          } else return null;
          if (set.size > 8) return null;
        }
        return [...set];
      }
      case 'Group': case 'CapturingGroup': return union(n.alternatives.map(exact));
      case 'Alternative': {
        let acc: string[] | null = [''];
        for (const el of n.elements) acc = cross(acc, exact(el));
        return acc;
      }
      case 'Quantifier': {
        const e = exact(n.element);
        if (!e) return null;
        if (n.min === 0 && n.max === 1) return union([e, ['']]);
        if (n.min !== n.max || n.min > 4) return null;
        let acc: string[] | null = [''];
        for (let i = 0; i < n.min; i++) acc = cross(acc, e);
        return acc;
      }
      default: return null;
    }
  };

  const need = (n: Node): Term[] => {
    switch (n.type) {
      case 'Alternative': {
        const terms: Term[] = [];
        let run: string[] = [''];
        const flush = () => {
          if (run.every((s) => s.length > 0)) terms.push(run);
          run = [''];
        };
        for (const el of n.elements) {
          const e = exact(el);
          const next = e ? cross(run, e) : null;
          if (next) { run = next; continue; }
          flush();
          if (e) run = e;
          else terms.push(...need(el));
        }
        flush();
        return terms;
      }
      case 'Group': case 'CapturingGroup': return needAny(n.alternatives.map(need));
      case 'Quantifier': return n.min >= 1 ? need(n.element) : [];
      default: {
        const e = exact(n);
        return e && e.every((s) => s.length > 0) ? [e] : [];
      }
    }
  };

  const terms = dedupe(needAny(pattern.alternatives.map(need)));
  const only = pattern.alternatives.length === 1 ? pattern.alternatives[0].elements : [];
  const pure = only.length > 0 && only.every((el) => el.type === 'Character');
  return pure ? { terms, exact: only.map((el) => ch((el as AST.Character).value)).join('') } : { terms };
}

/** Alternatives: one term made of the best term of each branch (nothing if a branch requires nothing). */
function needAny(branches: Term[][]): Term[] {
  if (branches.length === 1) return branches[0];
  const picked: string[] = [];
  for (const terms of branches) {
    const best = bestTerm(terms);
    if (!best) return [];
    picked.push(...best);
  }
  const set = [...new Set(picked)];
  return set.length <= MAX_SET ? [set] : [];
}

/** The most selective term: the one whose shortest string is longest. */
export function bestTerm(terms: Term[]): Term | undefined {
  let best: Term | undefined;
  let score = -1;
  for (const t of terms) {
    const s = Math.min(...t.map((x) => x.length)) - (t.length - 1) * 0.5;
    if (s > score) { score = s; best = t; }
  }
  return best;
}

function cross(a: string[] | null, b: string[] | null): string[] | null {
  if (!a || !b || a.length * b.length > MAX_SET) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) {
    if (x.length + y.length > MAX_LEN) return null;
    out.add(x + y);
  }
  return [...out];
}

function union(sets: (string[] | null)[]): string[] | null {
  const out = new Set<string>();
  for (const s of sets) {
    if (!s) return null;
    for (const x of s) out.add(x);
  }
  return out.size <= MAX_SET ? [...out] : null;
}

/** Drops repeated terms, and strings that contain another string of their term (`foobar|bar` needs `bar`). */
function dedupe(terms: Term[]): Term[] {
  const seen = new Set<string>();
  return terms.map((t) => t.filter((x) => !t.some((y) => y !== x && x.includes(y)))).filter((t) => {
    const k = [...t].sort().join('\0');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
