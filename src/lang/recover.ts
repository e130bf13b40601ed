/**
 * Recovery for definitions the grammar loses inside ERROR regions (macro-heavy CUDA, `#if` inside
 * signatures, CUDA in `.h` files parsed as C++). Per-language line patterns come from the registry; a
 * recovered definition gets its range from brace matching and is marked with the `recovered` attribute.
 */
import type { Def } from '../index/model.js';
import type { LanguageSpec } from './registry.js';

const MAX_BODY_LINES = 2000;

export function recoverDefs(spec: LanguageSpec, source: string, defs: Def[]): Def[] {
  const rules = spec.recover;
  if (!rules?.length) return [];
  const have = new Set(defs.map((d) => `${d.name}@${d.line}`));
  const haveName = new Map<string, number[]>();
  for (const d of defs) haveName.set(d.name, [...(haveName.get(d.name) ?? []), d.line]);
  const lines = source.split('\n');
  const out: Def[] = [];
  for (const rule of rules) {
    if (!source.includes(rule.needle)) continue;
    const re = new RegExp(rule.pattern);
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].includes(rule.needle)) continue;
      // The name may be on a following line, past `#if`/`#endif` lines: join up to 8 non-preprocessor lines.
      const text = lines.slice(i, i + 12).filter((l) => !/^\s*#/.test(l)).slice(0, 8)
        .map((l) => l.replace(/\/\/.*$/, '')).join(' ').replace(/__launch_bounds__\s*\([^)]*\)/g, ' ');
      const m = re.exec(text);
      if (!m || m[1].startsWith('__')) continue;
      const name = m[1];
      const line = i + 1;
      if (have.has(`${name}@${line}`) || (haveName.get(name) ?? []).some((l) => Math.abs(l - line) <= 3)) continue;
      const end = bodyEnd(lines, i);
      if (end === undefined) continue;
      out.push({ name, kind: rule.kind, sig: text.slice(0, text.indexOf('(') + 1).replace(/\s+/g, ' ').trim() + '…)', line, endLine: end + 1, attrs: [...rule.attrs, 'recovered'] });
    }
  }
  return out;
}

/** Index of the line closing the first `{` at or after `start`, or undefined for a declaration. */
function bodyEnd(lines: string[], start: number): number | undefined {
  let depth = 0;
  let opened = false;
  for (let i = start; i < lines.length && i < start + MAX_BODY_LINES; i++) {
    for (const ch of lines[i].replace(/\/\/.*$/, '')) {
      if (ch === ';' && !opened) return undefined;
      if (ch === '{') { depth++; opened = true; }
      else if (ch === '}') { depth--; if (opened && depth === 0) return i; }
    }
  }
  return undefined;
}
