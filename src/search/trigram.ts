/**
 * The grep index: per file, a Bloom filter of its trigrams. Characters are folded first (ASCII
 * upper → lower, every non-ASCII code unit → one shared symbol), so one filter serves case-sensitive
 * and case-insensitive queries alike. A query term passes a file when one of its strings has all its
 * trigrams in the filter; false positives (~1% per trigram) only cost a scan, never a missed match.
 * ~12–24 bits per distinct trigram: about 20 MB for both real checkouts.
 */
import type { Term } from './literals.js';

const SYMBOLS = 129;
const KEYS = SYMBOLS * SYMBOLS * SYMBOLS;
const BITS_PER_KEY = 12;
const HASHES = 3; // probes per key, unrolled in buildBloom

function sym(c: number): number {
  return c >= 128 ? 128 : c >= 65 && c <= 90 ? c + 32 : c;
}

/** Second hash for double hashing (odd, so the probes differ): the high and low halves swapped. */
function second(h1: number): number {
  return ((h1 >>> 16) | (h1 << 16)) | 1;
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Reusable scratch space of one thread: which keys the current file already produced. */
export class TrigramScratch {
  private stamp?: Uint16Array;
  private gen = 0;
  keys = new Uint32Array(1 << 16);

  /** Frees the 4 MB table between bursts of work (it is rebuilt on the next use). */
  release(): void {
    this.stamp = undefined;
    this.keys = new Uint32Array(1 << 16);
  }

  /** Distinct trigram keys of a text, in keys[0..n). */
  distinct(text: string): number {
    if (!this.stamp || ++this.gen === 0x10000) {
      this.stamp = new Uint16Array(KEYS);
      this.gen = 1;
    }
    const g = this.gen;
    const stamp = this.stamp;
    let n = 0;
    if (text.length < 3) return 0;
    let a = sym(text.charCodeAt(0));
    let b = sym(text.charCodeAt(1));
    for (let i = 2; i < text.length; i++) {
      const c = sym(text.charCodeAt(i));
      const k = (a * SYMBOLS + b) * SYMBOLS + c;
      a = b;
      b = c;
      if (stamp[k] === g) continue;
      stamp[k] = g;
      if (n === this.keys.length) {
        const grown = new Uint32Array(n * 2);
        grown.set(this.keys);
        this.keys = grown;
      }
      this.keys[n++] = k;
    }
    return n;
  }
}

export function buildBloom(text: string, scratch: TrigramScratch): Uint32Array {
  const n = scratch.distinct(text);
  let bits = 64;
  while (bits < n * BITS_PER_KEY) bits *= 2;
  const bloom = new Uint32Array(bits >>> 5);
  const mask = bits - 1;
  const keys = scratch.keys;
  for (let i = 0; i < n; i++) {
    const h1 = mix(keys[i]);
    const h2 = second(h1);
    let bit = h1 & mask;
    bloom[bit >>> 5] |= 1 << (bit & 31);
    bit = (h1 + h2) & mask;
    bloom[bit >>> 5] |= 1 << (bit & 31);
    bit = (h1 + 2 * h2) & mask;
    bloom[bit >>> 5] |= 1 << (bit & 31);
  }
  return bloom;
}

/** Trigram keys of a query string (empty when shorter than 3: such a string filters nothing). */
export function queryKeys(s: string): number[] {
  const out: number[] = [];
  for (let i = 2; i < s.length; i++) {
    out.push((sym(s.charCodeAt(i - 2)) * SYMBOLS + sym(s.charCodeAt(i - 1))) * SYMBOLS + sym(s.charCodeAt(i)));
  }
  return out;
}

/** A prefilter ready to test filters: per term, per string, its keys' hashes. Null = no filtering. */
export type BloomQuery = [number, number][][][] | null;

export function prepareQuery(terms: Term[]): BloomQuery {
  const out: [number, number][][][] = [];
  for (const term of terms) {
    if (term.some((s) => s.length < 3)) continue;
    out.push(term.map((s) => [...new Set(queryKeys(s))].map((k) => {
      const h1 = mix(k);
      return [h1, second(h1)] as [number, number];
    })));
  }
  return out.length ? out : null;
}

export function bloomPasses(bloom: Uint32Array, q: BloomQuery): boolean {
  if (!q) return true;
  const mask = bloom.length * 32 - 1;
  for (const term of q) {
    let any = false;
    for (const str of term) {
      let all = true;
      for (const [h1, h2] of str) {
        for (let j = 0; j < HASHES && all; j++) {
          const bit = (h1 + j * h2) & mask;
          if ((bloom[bit >>> 5] & (1 << (bit & 31))) === 0) all = false;
        }
        if (!all) break;
      }
      if (all) { any = true; break; }
    }
    if (!any) return false;
  }
  return true;
}
