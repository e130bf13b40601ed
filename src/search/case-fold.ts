/**
 * Case-insensitive matching without the `i` flag: every cased character of the pattern becomes the
 * class of its case variants (`a` → `[aA]`, `[a-f]` → `[a-fA-F]`), so the rewritten pattern stays on
 * V8's linear-time engine (which, in node 20, refuses `i`). Works on the regexpp AST: only characters
 * and classes inside a case-insensitive context are rewritten; everything else keeps its source text.
 */
import type { AST } from '@eslint-community/regexpp';

/** Characters equal to `c` ignoring case (simple, one-to-one mappings), `c` first. */
export function caseVariants(c: number): number[] {
  const out = [c];
  const add = (s: string) => {
    if (s.length !== 1) return;
    const v = s.charCodeAt(0);
    if (!out.includes(v)) out.push(v);
  };
  const s = String.fromCharCode(c);
  add(s.toLowerCase());
  add(s.toUpperCase());
  for (const v of out.slice(1)) {
    const t = String.fromCharCode(v);
    add(t.toLowerCase());
    add(t.toUpperCase());
  }
  return out;
}

/** A code unit as class-safe source text. */
export function classChar(c: number): string {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return String.fromCharCode(c);
  return '\\u' + c.toString(16).padStart(4, '0');
}

/** Ranges of a non-negated class, widened with case variants (huge non-ASCII ranges are left as they are). */
function widen(lo: number, hi: number, extra: Set<string>): void {
  const ascii = (a: number, b: number, shift: number) => {
    const x = Math.max(lo, a);
    const y = Math.min(hi, b);
    if (x <= y) extra.add(`${classChar(x + shift)}-${classChar(y + shift)}`);
  };
  ascii(97, 122, -32);
  ascii(65, 90, 32);
  const from = Math.max(lo, 128);
  if (hi - from > 4000) return;
  for (let c = from; c <= hi; c++) {
    for (const v of caseVariants(c)) if (v < lo || v > hi) extra.add(classChar(v));
  }
}

/** A class rebuilt element by element, with the case variants of its members added. */
export function foldClass(node: AST.CharacterClass): string {
  const parts: string[] = [];
  const extra = new Set<string>();
  for (const el of node.elements) {
    if (el.type === 'Character') {
      parts.push(classChar(el.value));
      for (const v of caseVariants(el.value).slice(1)) extra.add(classChar(v));
    } else if (el.type === 'CharacterClassRange') {
      parts.push(`${classChar(el.min.value)}-${classChar(el.max.value)}`);
      widen(el.min.value, el.max.value, extra);
    } else {
      parts.push(el.raw);
    }
  }
  return `[${node.negate ? '^' : ''}${parts.join('')}${[...extra].join('')}]`;
}

/** A character outside classes: itself, or the class of its case variants. */
export function foldChar(node: AST.Character): string {
  const vs = caseVariants(node.value);
  return vs.length > 1 ? `[${vs.map(classChar).join('')}]` : node.raw;
}
