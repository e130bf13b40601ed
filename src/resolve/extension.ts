/**
 * Extension points for "where do I add X" queries, and what sits one hop away from each:
 *  - registration sites named by the `extension` field of data/boundaries.json rules: a torch op library block,
 *    a pybind11/PyO3 module, a `TypeBasedDispatcher([(ReqType, handler), ...])` table;
 *  - registry tables and map-returning functions (the map's value type is their companion);
 *  - base classes and traits with several implementations (an enum whose variants wrap implementations is
 *    where a Rust implementation gets selected: an extension point of its own);
 *  - `register_*` functions, registries and factories by name.
 * Companions ("related") are derived from the records: the common base class of a dispatch table's request
 * types, the header declaring a torch library's C++ functions and the Python package exporting its wrappers.
 */
import type { Call, Def, FileRecord } from '../index/model.js';
import { isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { boundaryRules, callMatches, defMatches, type BoundaryRule } from './boundaries.js';
import { registeredFn } from './bridges.js';
import { derived, derivedPerKey } from './derived.js';
import { typeNames } from './receivers.js';
import { tokens as wordsOf } from './words.js';

export interface Related {
  /** What the companion is to the extension point ("entries are", "request types derive from"). */
  what: string;
  name?: string;
  repo: string;
  file: string;
  line: number;
  /** A count or qualifier shown after the location ("115 of 120 functions"). */
  note?: string;
}

/** A registration site from a boundary rule with an `extension` text. */
export interface RegistrationSite {
  repo: string;
  file: string;
  line: number;
  endLine?: number;
  /** e.g. `TORCH_LIBRARY_FRAGMENT(sgl_kernel, m)` or `Scheduler: TypeBasedDispatcher`. */
  name: string;
  /** The rule's `extension.what` ("torch op library"). */
  kind: string;
  /** The rule's `extension.how`: what adding an entry means. */
  how: string;
  /** Entries registered at the site (m.def/m.impl calls, (type, handler) pairs). */
  entries: number;
  /** The definition when the site is one (a TORCH_LIBRARY block), for de-duplication with topic symbols. */
  ref?: DefRef;
  /** Weighted words the site is found by (name, enclosing class, extension text, path, registered names). */
  words: Map<string, number>;
  rule: BoundaryRule;
  call?: Call;
}

/** How many definitions extend each base class / implement each trait (by simple name). */
export const extensionCounts = derived((ws: Workspace) => {
  const counts = new Map<string, number>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      for (const d of rec.defs) for (const b of basesOf(d)) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
  }
  return counts;
});

/** Base class / trait simple name → the simple names of the types extending or implementing it. */
export const implementors = derived((ws: Workspace) => {
  const out = new Map<string, Set<string>>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      for (const d of rec.defs) {
        for (const b of basesOf(d)) {
          const set = out.get(b) ?? new Set<string>();
          set.add(simpleType(d.name));
          out.set(b, set);
        }
      }
    }
  }
  return out;
});

function basesOf(d: Def): string[] {
  return d.kind === 'impl' && d.trait ? [simpleType(d.trait)] : d.kind === 'class' ? (d.bases ?? []).map(simpleType) : [];
}

function simpleType(t: string): string {
  return t.replace(/<.*$|\[.*$/s, '').split(/::|\./).pop()!.trim();
}

export const registrationSites = derived((ws: Workspace): RegistrationSite[] => {
  const rules = boundaryRules().filter((r) => r.extension);
  const out: RegistrationSite[] = [];
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      for (const rule of rules) {
        if (!rule.langs.has(rec.lang)) continue;
        if (rule.def) {
          rec.defs.forEach((d, i) => {
            if (!defMatches(rule, d)) return;
            const inside = rec.calls.filter((c) => c.in === i && c.args);
            // A block that registers nothing is a macro's own definition or an empty stub, not where entries go.
            if (!inside.length) return;
            const names = inside.map((c) => /"([A-Za-z_]\w*)/.exec(c.args!)?.[1]).filter((n): n is string => !!n);
            out.push(site(rule, repo.name, rec, d.sig || d.name, d.line, d.endLine, inside.length, names, { repo: repo.name, file: rec.path, i }, undefined, d));
          });
        }
        if (rule.call) {
          for (const c of rec.calls) {
            if (!callMatches(rule, c, rec)) continue;
            const owner = c.in >= 0 ? rec.defs[c.in] : undefined;
            const cls = owner ? (owner.container ?? owner.name).split('.').pop()! : '';
            const pairs = [...(c.args ?? '').matchAll(/\(\s*([A-Za-z_][\w.]*)\s*,\s*([\w.]+)\s*\)/g)];
            const names = pairs.flatMap((m) => [m[1].split('.').pop()!, m[2].split('.').pop()!]);
            out.push(site(rule, repo.name, rec, `${cls ? cls + ': ' : ''}${c.name}`, c.line, undefined, pairs.length, names, undefined, c, owner));
          }
        }
      }
    }
  }
  return out;
});

function site(rule: BoundaryRule, repo: string, rec: FileRecord, name: string, line: number, endLine: number | undefined,
  entries: number, names: string[], ref: DefRef | undefined, call: Call | undefined, owner: Def | undefined): RegistrationSite {
  const words = new Map<string, number>();
  const note = (text: string, w: number) => { for (const t of wordsOf(text)) words.set(t, Math.max(words.get(t) ?? 0, w)); };
  note(name, 3);
  if (owner) note(`${owner.container ?? ''} ${owner.name}`, 1.5);
  // Code in the how text (`m.impl(...)`) is shown, not searched.
  note(`${rule.extension!.what} ${rule.extension!.how.replace(/`[^`]*`/g, ' ')}`, 1.5);
  note(rec.path.split('/').slice(-3).join(' '), 1);
  // The registered names (op names, request types, handlers) say what the site is about, weakly: they add to
  // the score of a site the query already matches (weight < 1 does not count as coverage, see scoreWords).
  note(names.slice(0, 400).join(' '), 0.5);
  return { repo, file: rec.path, line, endLine, name, kind: rule.extension!.what, how: rule.extension!.how, entries, ref, words, rule, call };
}

/** Extension-point strength of a definition: a registry, a base class or trait with several implementations, a register function. */
export function extensionWeight(ws: Workspace, ref: DefRef): number {
  const d = ws.def(ref);
  if (d.kind === 'registry') return 3;
  const n = extensionCounts(ws).get(d.name) ?? 0;
  if ((d.kind === 'class' || d.kind === 'trait') && n >= 2) return 2 + Math.min(2, n / 10);
  if (/^(register|get_\w+_(map|registry))|_registry$|Registry$|Factory$/.test(d.name)) return 2;
  if (d.kind === 'enum' && dispatchEnum(ws, ref)) return 2.5;
  return 0;
}

// ---- companions -------------------------------------------------------------------------------------------

/** Companions of a definition-based extension point. */
export function defCompanions(ws: Workspace, ref: DefRef): Related[] {
  const d = ws.def(ref);
  const out: Related[] = [];
  if (d.kind === 'registry' || (d.kind === 'function' && /map|registry|table/i.test(d.name))) {
    const value = valueType(ws, ref);
    if (value) out.push({ what: 'entries are', ...value });
  }
  if (d.kind === 'enum') {
    const e = dispatchEnum(ws, ref);
    if (e) out.push({ what: 'variants wrap implementations of', ...e });
  }
  return out;
}

/** Companions of a registration site. */
export function siteCompanions(ws: Workspace, s: RegistrationSite): Related[] {
  if (s.call && s.rule.call) return s.call.args ? requestBase(ws, s) : [];
  if (s.ref && /^TORCH_LIBRARY/.test(ws.def(s.ref).name)) return torchLibraryCompanions(ws, s.ref);
  return [];
}

/** The type definition nearest to `file` with this simple name (same directory tree first). */
function nearestType(ws: Workspace, repo: string, file: string, name: string, kinds = /^(class|struct|enum|trait|type)$/): DefRef | undefined {
  const refs = (ws.byName.get(name) ?? []).filter((r) => r.repo === repo && kinds.test(ws.def(r).kind) && !ws.def(r).decl);
  let best: DefRef | undefined;
  let bestShared = -1;
  for (const r of refs) {
    const shared = commonPrefix(r.file, file);
    if (shared > bestShared || (shared === bestShared && best && r.file < best.file)) { best = r; bestShared = shared; }
  }
  return best;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function relatedOf(ws: Workspace, ref: DefRef): { name: string; repo: string; file: string; line: number } {
  return { name: ws.def(ref).name, repo: ref.repo, file: ref.file, line: ws.def(ref).line };
}

/**
 * The value type of a map: the annotation of a registry (`Dict[str, Type[Base]]`), the return type of a
 * map-returning function (`-> &'static HashMap<&str, Config>`), else the type most of the function's
 * `Type::ctor()` calls construct.
 */
function valueType(ws: Workspace, ref: DefRef): { name: string; repo: string; file: string; line: number } | undefined {
  const d = ws.def(ref);
  const typeText = d.kind === 'registry' ? (d.sig.includes(':') ? d.sig.slice(d.sig.indexOf(':') + 1).split('=')[0] : '') : (d.sig.split('->')[1] ?? '');
  const names = typeNames(typeText).map((t) => t.name);
  for (const n of names.reverse()) {
    const hit = nearestType(ws, ref.repo, ref.file, n);
    if (hit) return relatedOf(ws, hit);
  }
  if (d.kind !== 'function') return undefined;
  const rec = ws.record(ref.repo, ref.file)!;
  const counts = new Map<string, number>();
  for (const c of rec.calls) {
    if (c.in !== ref.i || c.sep !== '::' || !c.receiver || !/^[A-Z]\w*$/.test(c.receiver)) continue;
    counts.set(c.receiver, (counts.get(c.receiver) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!top || top[1] < 2) return undefined;
  const hit = nearestType(ws, ref.repo, ref.file, top[0]);
  return hit ? relatedOf(ws, hit) : undefined;
}

/** The base class most of a dispatch table's request types derive from. */
function requestBase(ws: Workspace, s: RegistrationSite): Related[] {
  const types = [...(s.call!.args ?? '').matchAll(/\(\s*([A-Za-z_][\w.]*)\s*,/g)].map((m) => m[1].split('.').pop()!);
  const counts = new Map<string, { n: number; near: DefRef }>();
  for (const t of new Set(types)) {
    const cls = nearestType(ws, s.repo, s.file, t, /^class$/);
    if (!cls) continue;
    for (const b of ws.def(cls).bases ?? []) {
      const name = simpleType(b);
      const e = counts.get(name) ?? { n: 0, near: cls };
      e.n++;
      counts.set(name, e);
    }
  }
  const top = [...counts].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))[0];
  if (!top || top[1].n < 2) return [];
  const base = nearestType(ws, top[1].near.repo, top[1].near.file, top[0], /^class$/);
  return base ? [{ what: 'request types derive from', ...relatedOf(ws, base), note: `${top[1].n} of ${new Set(types).size}` }] : [];
}

interface Spot { file: string; line: number }

/** Per repo: `ns.op` → Python call sites of `torch.ops.ns.op` (tests left out), and C/C++ header declarations by name. */
const torchSides = derived((ws: Workspace) => {
  const wrappers = new Map<string, Map<string, Spot[]>>();
  const decls = new Map<string, Map<string, Spot[]>>();
  const push = (m: Map<string, Spot[]>, k: string, v: Spot) => { const l = m.get(k); if (l) l.push(v); else m.set(k, [v]); };
  for (const repo of ws.repos.values()) {
    const w = new Map<string, Spot[]>();
    const h = new Map<string, Spot[]>();
    wrappers.set(repo.name, w);
    decls.set(repo.name, h);
    for (const r of repo.files.values()) {
      if (r.lang === 'python') {
        if (isTestPath(r.path)) continue;
        for (const c of r.calls) {
          if (!c.receiver?.includes('torch.ops.')) continue;
          const m = /\btorch\.ops\.(\w+)\.(\w+)/.exec(`${c.receiver}.${c.name}`);
          if (m) push(w, `${m[1]}.${m[2]}`, { file: r.path, line: c.line });
        }
      } else if (r.lang !== 'rust' && /\.(h|hh|hpp|hxx|cuh)$/.test(r.path)) {
        for (const x of r.defs) if (x.decl) push(h, x.name, { file: r.path, line: x.line });
      }
    }
  }
  return { wrappers, decls };
});

/** Where a torch library's C++ functions are declared, and the Python package that exports the op wrappers. */
function torchLibraryCompanions(ws: Workspace, ref: DefRef): Related[] {
  const d = ws.def(ref);
  const rec = ws.record(ref.repo, ref.file)!;
  const ns = /\(\s*(\w+)/.exec(d.sig)?.[1];
  const ops = new Set<string>();
  const fns = new Set<string>();
  for (const c of rec.calls) {
    if (c.in !== ref.i || !c.args) continue;
    const op = /^\(\s*"([A-Za-z_]\w*)/.exec(c.args)?.[1];
    if (op) ops.add(op);
    const fn = registeredFn(c.args);
    if (fn) fns.add(fn);
  }
  const sides = torchSides(ws);
  // Per file: how many of the library's functions (ops) it declares (calls), and its first such line.
  const tally = (keys: Set<string>, index: Map<string, Spot[]> | undefined, prefix: string) => {
    const per = new Map<string, { n: number; line: number }>();
    for (const k of keys) {
      const seen = new Set<string>();
      for (const s of index?.get(prefix + k) ?? []) {
        const e = per.get(s.file) ?? { n: 0, line: s.line };
        if (!seen.has(s.file)) e.n++;
        seen.add(s.file);
        e.line = Math.min(e.line, s.line);
        per.set(s.file, e);
      }
    }
    return { files: per.size, top: [...per].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))[0] };
  };
  const out: Related[] = [];
  const decl = tally(fns, sides.decls.get(ref.repo), '');
  if (decl.top && decl.top[1].n >= 2) out.push({ what: 'C++ functions declared in', repo: ref.repo, file: decl.top[0], line: decl.top[1].line, note: `${decl.top[1].n} of ${fns.size}` });
  if (!ns) return out;
  const wrap = tally(ops, sides.wrappers.get(ref.repo), `${ns}.`);
  if (wrap.top) {
    out.push({ what: `Python wrappers calling torch.ops.${ns}.*, e.g.`, repo: ref.repo, file: wrap.top[0], line: wrap.top[1].line, note: `${wrap.files} files` });
    const pkg = exportingInit(ws, ref.repo, wrap.top[0]);
    if (pkg) out.push({ what: 'wrappers exported by', repo: ref.repo, file: pkg.file, line: pkg.line });
  }
  return out;
}

/** The package `__init__.py` (same directory) that imports from a module, and the line of that import. */
function exportingInit(ws: Workspace, repo: string, module: string): { file: string; line: number } | undefined {
  const dir = module.slice(0, module.lastIndexOf('/') + 1);
  const init = ws.record(repo, `${dir}__init__.py`);
  if (!init || init.path === module) return undefined;
  const stem = module.slice(dir.length).replace(/\.py$/, '');
  const imp = init.imports.find((i) => i.module.split('.').pop() === stem || (i.module.endsWith('.') && i.name === stem));
  return imp ? { file: init.path, line: imp.line } : undefined;
}

// ---- enum dispatch ----------------------------------------------------------------------------------------

type EnumSite = { name: string; repo: string; file: string; line: number };
const enumCache = derivedPerKey<string, EnumSite | undefined>();

/**
 * A Rust enum whose variants wrap implementations of one trait (`enum Indexer { Radix(KvIndexer),
 * Concurrent(Arc<Pool<Tree>>) }`): where a new implementation is wired in. Reads the variant payloads the
 * extractor recorded (`Def.variants`).
 */
export function dispatchEnum(ws: Workspace, ref: DefRef): EnumSite | undefined {
  const d = ws.def(ref);
  if (d.kind !== 'enum' || !d.variants?.length) return undefined;
  return enumCache(ws, `${ref.repo}:${ref.file}:${d.line}`, () => findDispatchEnum(ws, ref, d));
}

function findDispatchEnum(ws: Workspace, ref: DefRef, d: Def): EnumSite | undefined {
  // Per variant, the type names in its payload (wrappers such as Arc<...> peeled).
  const variants = d.variants!.map((p) => new Set(typeNames(p).map((t) => t.name)));
  const impls = implementors(ws);
  const traitsOf = new Map<string, number>();
  for (const names of variants) {
    const traits = new Set<string>();
    for (const [trait, set] of impls) for (const n of names) if (set.has(n)) traits.add(trait);
    for (const t of traits) traitsOf.set(t, (traitsOf.get(t) ?? 0) + 1);
  }
  // The trait whose methods the enum's own impl forwards to (`Self::A(x) => x.find(..)`), then the most shared;
  // only traits the workspace defines (std traits such as Debug are not extension points).
  const called = new Set<string>();
  const rec = ws.record(ref.repo, ref.file)!;
  const own = new Set(rec.defs.flatMap((x, i) => (x.container === d.name ? [i] : [])));
  for (const c of rec.calls) if (own.has(c.in)) called.add(c.name);
  const ranked = [...traitsOf].filter(([, n]) => n >= 2).map(([trait, n]) => {
    const t = nearestType(ws, ref.repo, ref.file, trait, /^trait$/);
    const methods = t ? ws.record(t.repo, t.file)!.defs.filter((x) => x.container === trait && x.line > ws.def(t).line && x.line <= ws.def(t).endLine) : [];
    return { t, n, forwarded: methods.filter((m) => called.has(m.name)).length };
  }).filter((x) => x.t).sort((a, b) => b.forwarded - a.forwarded || b.n - a.n || ws.def(a.t!).name.localeCompare(ws.def(b.t!).name));
  return ranked.length ? relatedOf(ws, ranked[0].t!) : undefined;
}

