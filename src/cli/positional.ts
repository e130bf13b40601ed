/**
 * Which tool field the CLI's positional argument fills. `blame` takes a file, but `blame RadixCache.evict`
 * or `blame KvRouter::find_best_match` names a symbol: a dotted or `::` name whose last part is not a file
 * extension is passed as `symbol`. A bare word stays a file (`Makefile`); blame's answer suggests `--symbol`.
 */
import { languageOf } from '../lang/registry.js';

const POSITIONAL: Record<string, string> = { explore: 'symbol', trace: 'symbol', blame: 'file', grep: 'pattern' };
/** Text files blame is asked about besides source files. */
const TEXT_EXTENSIONS = new Set(['md', 'rst', 'txt', 'toml', 'json', 'yaml', 'yml', 'cfg', 'ini', 'sh', 'lock', 'in', 'proto', 'cmake', 'j2', 'pyi']);

export function positionalField(tool: string, value: string): string | undefined {
  const field = POSITIONAL[tool];
  if (tool !== 'blame' || value.includes('/')) return field;
  if (/^[A-Za-z_]\w*(::[A-Za-z_]\w*)+$/.test(value)) return 'symbol';
  if (/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(value)) {
    const ext = value.slice(value.lastIndexOf('.') + 1);
    if (!languageOf(value) && !TEXT_EXTENSIONS.has(ext.toLowerCase())) return 'symbol';
  }
  return field;
}
