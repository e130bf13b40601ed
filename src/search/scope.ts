/**
 * What the syntax tree says about a hit: whether it sits in a comment or a string (for `scope`), and
 * its enclosing symbol (the innermost definition whose line range holds it). Uses the FileRecord of
 * the index: comment/string ranges and definitions with their line ranges.
 */
import { unpackUints } from '../index/cache-codec.js';
import type { Def, FileRecord } from '../index/model.js';

export type Scope = 'all' | 'code' | 'comments' | 'strings' | 'definitions';

const COL = 1 << 20;

/** Disjoint sorted [start, end) position keys (line * 2^20 + col) covering a flat range list. */
function intervals(packed: Uint8Array): Float64Array {
  const flat = unpackUints(packed);
  const iv: [number, number][] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) iv.push([flat[i] * COL + flat[i + 1], flat[i + 2] * COL + flat[i + 3]]);
  iv.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of iv) {
    const n = out.length;
    if (n && s <= out[n - 1]) out[n - 1] = Math.max(out[n - 1], e);
    else out.push(s, e);
  }
  return Float64Array.from(out);
}

const cache = new WeakMap<FileRecord, { comments: Float64Array; strings: Float64Array }>();

function rangesOf(rec: FileRecord): { comments: Float64Array; strings: Float64Array } {
  let r = cache.get(rec);
  if (!r) cache.set(rec, r = { comments: intervals(rec.comments), strings: intervals(rec.strings) });
  return r;
}

function inside(iv: Float64Array, key: number): boolean {
  let lo = 0;
  let hi = iv.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (iv[2 * mid + 1] <= key) lo = mid + 1;
    else if (iv[2 * mid] > key) hi = mid - 1;
    else return true;
  }
  return false;
}

/** Keeps the matches (flat [line, col, len]) that fall in the scope; `all` keeps everything. */
export function filterScope(rec: FileRecord | undefined, scope: Scope, matches: number[]): number[] {
  if (scope === 'all') return matches;
  if (!rec) return [];
  const { comments, strings } = rangesOf(rec);
  const out: number[] = [];
  for (let i = 0; i < matches.length; i += 3) {
    const key = matches[i] * COL + matches[i + 1];
    const inComment = inside(comments, key);
    const keep = scope === 'comments' ? inComment
      : scope === 'strings' ? inside(strings, key)
        : scope === 'code' ? !inComment && !inside(strings, key)
          : !inComment;
    if (keep) out.push(matches[i], matches[i + 1], matches[i + 2]);
  }
  return out;
}

/** Per definition: [first line, non-blank characters of its signature], for the definitions scope. */
const sigCache = new WeakMap<FileRecord, Int32Array>();

export function signatureSpans(rec: FileRecord): Int32Array {
  let a = sigCache.get(rec);
  if (!a) {
    a = new Int32Array(rec.defs.length * 2);
    rec.defs.forEach((d, k) => {
      a![2 * k] = d.line;
      a![2 * k + 1] = d.sig.replace(/…$/, '').replace(/\s+/g, '').length;
    });
    sigCache.set(rec, a);
  }
  return a;
}

/** The innermost definition whose lines hold `line` (the latest start; the shortest on a tie). */
export function enclosingDef(rec: FileRecord | undefined, line: number): Def | undefined {
  let best: Def | undefined;
  for (const d of rec?.defs ?? []) {
    if (d.line > line || d.endLine < line) continue;
    if (!best || d.line > best.line || (d.line === best.line && d.endLine < best.endLine)) best = d;
  }
  return best;
}
