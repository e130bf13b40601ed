/** Expands a Rust `use` tree (`crate::a::{b, c as d, e::*}`) into flat imports. */
import type { Import } from '../index/model.js';

const AS = '\u0001';

export function expandRustUse(text: string): Omit<Import, 'line'>[] {
  const out: Omit<Import, 'line'>[] = [];
  walk(text.replace(/\s+as\s+/g, AS).replace(/\s+/g, ''), '', out);
  return out;
}

function splitTop(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      if (cur) parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts;
}

function walk(tree: string, prefix: string, out: Omit<Import, 'line'>[]): void {
  const brace = tree.indexOf('{');
  if (brace >= 0 && tree.endsWith('}')) {
    const head = tree.slice(0, brace).replace(/::$/, '');
    const base = prefix && head ? `${prefix}::${head}` : prefix || head;
    for (const part of splitTop(tree.slice(brace + 1, -1))) walk(part, base, out);
    return;
  }
  const [path, alias] = tree.split(AS) as [string, string | undefined];
  const full = prefix && path ? `${prefix}::${path}` : prefix || path;
  const idx = full.lastIndexOf('::');
  if (path === 'self') {
    const mod = prefix;
    const i = mod.lastIndexOf('::');
    // `use tokio::{self}` imports the module `tokio` itself (no `::` in the prefix: the whole prefix is the name).
    out.push({ module: i >= 0 ? mod.slice(0, i) : '', name: i >= 0 ? mod.slice(i + 2) : mod, ...(alias ? { alias } : {}) });
    return;
  }
  if (idx < 0) {
    out.push({ module: '', name: full, ...(alias ? { alias } : {}) });
    return;
  }
  out.push({ module: full.slice(0, idx), name: full.slice(idx + 2), ...(alias ? { alias } : {}) });
}
