/**
 * Symbol lookup: turns what an agent types into ranked definitions. Accepted forms:
 *   Name · Type.method · Type::method · pkg.module.Name · crate::mod::Name · path/to/file.py:Name[.method]
 * Ranking prefers real definitions over declarations/stubs/impl blocks, and non-test code over tests.
 */
import { UserError } from '../errors.js';
import { importNames } from '../index/cache.js';
import type { Def } from '../index/model.js';
import { isTestDef, isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';

export interface DefMatch {
  ref: DefRef;
  def: Def;
  score: number;
}

export interface ParsedSymbol {
  name: string;
  /** Container suffix the definition must have (`Type` of `Type.method`). */
  container?: string;
  /** Path (suffix) the definition's file must have. */
  file?: string;
  /** Module path segments that may map to a file path (`sglang.srt.managers.scheduler`). */
  module?: string[];
  raw: string;
}

const MAX_SYMBOL = 300;

export function parseSymbol(raw: string): ParsedSymbol {
  const s = raw.trim();
  if (!s) throw new UserError('symbol is empty.', '{"symbol": "RadixCache.match_prefix"}');
  if (s.length > MAX_SYMBOL) throw new UserError(`symbol is too long (${s.length} chars, max ${MAX_SYMBOL}).`, '{"symbol": "RadixCache"}');
  if (s.includes('\0')) throw new UserError('symbol contains a NUL byte.', '{"symbol": "RadixCache"}');
  const colon = /^(.*\.[A-Za-z0-9]+):([A-Za-z_~][\w.:~]*)$/.exec(s);
  if (colon && colon[1].includes('.') && !colon[1].includes('::')) {
    const inner = parseSymbol(colon[2]);
    return { ...inner, file: colon[1].replace(/^\.\//, ''), raw: s };
  }
  const parts = s.split(/::|\./).filter(Boolean);
  if (!parts.length) throw new UserError(`symbol "${s}" has no name in it, only separators.`, '{"symbol": "RadixCache.match_prefix"}');
  if (parts.length === 1) return { name: parts[0], raw: s };
  const name = parts[parts.length - 1];
  return { name, container: parts[parts.length - 2], module: parts.slice(0, -1), raw: s };
}

function kindRank(def: Def): number {
  switch (def.kind) {
    case 'class': case 'struct': case 'trait': case 'enum': case 'function': case 'method': case 'union': return 0;
    case 'type': case 'macro': case 'namespace': return 1;
    case 'module': return 2;
    case 'impl': return 3;
    default: return 2;
  }
}

const SECONDARY = /(^|\/)(bench|benches|benchmarks?|examples?|docs?|mocker|mocks?|scripts)(\/|$)/;
const STUB = /(^|\/)stubs?[^/]*\.(c|cc|cpp)$|_stub\.(c|cc|cpp)$/;

/** Lower is better. `sepHint`: `.` suggests Python, `::` Rust/C++. */
function rank(ref: DefRef, def: Def, exactContainer: boolean, sepHint?: '.' | '::'): number {
  let score = kindRank(def) * 10;
  if (def.decl) score += 15;
  if (ref.file.endsWith('.pyi')) score += 12;
  if (STUB.test(ref.file)) score += 12;
  if (SECONDARY.test(ref.file)) score += 8;
  if (isTestPath(ref.file) || isTestDef(def)) score += 40;
  if (!exactContainer) score += 5;
  if (sepHint) {
    const py = ref.file.endsWith('.py') || ref.file.endsWith('.pyi');
    if ((sepHint === '.') !== py) score += 3;
  }
  return score;
}

function containerMatches(def: Def, want: string): boolean {
  const c = def.container;
  if (!c) return false;
  return c === want || c.endsWith('.' + want) || c.endsWith('::' + want);
}

function moduleFileMatches(file: string, module: string[]): boolean {
  const p = module.join('/');
  return file.endsWith(`${p}.py`) || file.endsWith(`${p}/__init__.py`) || file.endsWith(`${p}.rs`) ||
    file.endsWith(`${p}/mod.rs`) || file.includes(`/${p}/`) || file.startsWith(`${p}/`);
}

export function findDefinitions(ws: Workspace, raw: string, opts: { repo?: string } = {}): DefMatch[] {
  // `repo:path/file.py:Name` — a repo prefix as printed in multi-repo answers.
  const pre = /^([A-Za-z0-9][\w.-]*):(.+)$/.exec(raw.trim());
  if (pre && ws.repos.has(pre[1]) && (!opts.repo || opts.repo === pre[1])) {
    return findDefinitions(ws, pre[2], { ...opts, repo: pre[1] });
  }
  const sym = parseSymbol(raw);
  const refs = ws.byName.get(sym.name) ?? [];
  const out: DefMatch[] = [];
  for (const ref of refs) {
    if (opts.repo && ref.repo !== opts.repo) continue;
    const def = ws.def(ref);
    if (sym.file && !(ref.file === sym.file || ref.file.endsWith('/' + sym.file))) continue;
    let exact = true;
    if (sym.container) {
      if (containerMatches(def, sym.container)) exact = true;
      else if (sym.module && moduleFileMatches(ref.file, sym.module) && !def.container) exact = true;
      else if (sym.module && sym.module.length > 1 && containerMatches(def, sym.container) === false &&
        moduleFileMatches(ref.file, sym.module.slice(0, -1)) && def.container === sym.container) exact = true;
      else continue;
    }
    out.push({ ref, def, score: rank(ref, def, exact, sym.container ? (sym.raw.includes('::') ? '::' : '.') : undefined) });
  }
  // A plain name defined both as a Python wrapper and as the C++/CUDA function behind it: the wrapper is
  // the entry point an agent means (trace goes on into C++ from there).
  if (!sym.container && !sym.file && out.some((m) => /\.pyi?$/.test(m.ref.file)) && out.some((m) => /\.(cc|cpp|cu|cuh|h|hpp|c)$/.test(m.ref.file))) {
    for (const m of out) if (/\.(cc|cpp|cu|cuh|h|hpp|c)$/.test(m.ref.file)) m.score += 2;
  }
  // Equal ranks: the definition other files import most comes first (SGLang's srt RMSNorm, imported by
  // dozens of models, before a same-named class in a side package), then a stable order. Names with more
  // than 200 definitions (`__init__`) keep the path order: counting would cost more than it tells.
  const counts = new Map<DefMatch, number>();
  const perScore = new Map<number, number>();
  for (const m of out) perScore.set(m.score, (perScore.get(m.score) ?? 0) + 1);
  const ties = out.length <= 200 ? out.filter((m) => perScore.get(m.score)! > 1) : [];
  const modules = modulesImporting(ws, new Set(ties.map(topName)));
  for (const m of out) counts.set(m, 0);
  for (const m of ties) counts.set(m, importCount(m, modules.get(topName(m)) ?? []));
  out.sort((a, b) => a.score - b.score || counts.get(b)! - counts.get(a)! || a.ref.repo.localeCompare(b.ref.repo) || a.ref.file.localeCompare(b.ref.file) || a.def.line - b.def.line);
  return out;
}

/** The name other files import to reach a definition: its outermost container, or itself. */
function topName(m: DefMatch): string {
  return m.def.container?.split(/\.|::/)[0] ?? m.def.name;
}

/** Imports of the definition's top-level name whose module path (≥ 2 segments) ends the file's module path. */
function importCount(m: DefMatch, modules: string[]): number {
  const parts = m.ref.file.replace(/\.(pyi?|rs)$/, '').split('/');
  if (parts.length > 1 && /^(__init__|mod|lib)$/.test(parts[parts.length - 1])) parts.pop();
  const path = '.' + parts.join('.');
  return modules.filter((mod) => path.endsWith('.' + mod)).length;
}

/**
 * For each of `names`, the module paths (two segments or more, `::` as `.`) it is imported from, once per
 * import. One scan of the import lists for all the names of a tie, made only when there is a tie: a
 * whole-workspace index cost a warm start ~50 ms, and a scan per name cost a common method name
 * (`generate`, ~100 classes) ~0.45 s.
 */
function modulesImporting(ws: Workspace, names: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!names.size) return out;
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      // The names column first: only the files that import one of the names have their imports decoded.
      if (!importNames(rec).some((n) => names.has(n))) continue;
      for (const imp of rec.imports) {
        if (imp.name === undefined || !names.has(imp.name)) continue;
        const segs = imp.module.split(/::|\./).filter((x) => x && x !== 'crate' && x !== 'self' && x !== 'super');
        if (segs.length < 2) continue;
        const list = out.get(imp.name);
        if (list) list.push(segs.join('.'));
        else out.set(imp.name, [segs.join('.')]);
      }
    }
  }
  return out;
}

/** Definitions of a symbol, or a UserError naming near misses when nothing matches. */
export function requireDefinitions(ws: Workspace, raw: string, opts: { repo?: string } = {}): DefMatch[] {
  const found = findDefinitions(ws, raw, opts);
  if (found.length) return found;
  const sym = parseSymbol(raw);
  const near = suggestNames(ws, sym.name, 5);
  const hint = near.length ? ` Similar names: ${near.join(', ')}.` : '';
  const where = opts.repo ? ` in repo "${opts.repo}"` : '';
  throw new UserError(`No definition of "${raw}" found${where}.${hint} Try explore with {"query": "${sym.name}"} for a topic search.`, `{"symbol": "${near[0] ?? 'RadixCache'}"}`);
}

export function suggestNames(ws: Workspace, name: string, max: number): string[] {
  const low = name.toLowerCase();
  const hits: string[] = [];
  for (const n of ws.byName.keys()) {
    const l = n.toLowerCase();
    if (l === low || l.includes(low) || (low.length > 3 && low.includes(l) && l.length > 3)) hits.push(n);
    if (hits.length > 200) break;
  }
  return hits.sort((a, b) => Math.abs(a.length - name.length) - Math.abs(b.length - name.length)).slice(0, max);
}

/** Display name of a definition: `Container.name` / `Container::name`. */
export function qualifiedName(def: Def, lang?: string): string {
  if (!def.container || def.kind === 'impl') return def.kind === 'impl' ? `impl ${def.trait ? def.trait + ' for ' : ''}${def.name}` : def.name;
  const sep = lang === 'python' || def.container.includes('.') ? '.' : '::';
  return `${def.container}${sep}${def.name}`;
}
