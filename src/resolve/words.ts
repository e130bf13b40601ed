/** The one tokenizer of topic search: camelCase and snake_case split, lower-cased, stop words dropped, plural `s` cut. */

const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'for', 'and', 'or', 'is', 'on', 'by', 'with', 'how', 'does', 'do',
  'where', 'what', 'which', 'are', 'be', 'it', 'from', 'this', 'that', 'add', 'new', 'get', 'set', 'py', 'rs', 'self', 'i', 'we']);

/** Separates camelCase humps: `KVCacheManager` → `KV<sep>Cache<sep>Manager`. */
function splitCamel(text: string, sep: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, `$1${sep}$2`).replace(/([A-Z]+)([A-Z][a-z])/g, `$1${sep}$2`);
}

/** `ReasoningParser` → `reasoning_parser`, `KVCache` → `kv_cache`; snake_case names are kept. */
export function snakeCase(name: string): string {
  return splitCamel(name, '_').toLowerCase();
}

export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of splitCamel(text, ' ').toLowerCase().split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || STOP.has(raw)) continue;
    out.push(raw.length > 4 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw);
  }
  return out;
}
