/**
 * Module resolution: Python dotted modules → files (across repos, so Dynamo's `import sglang...` lands in
 * the SGLang checkout), per-file import maps (local name → module + name), and Rust `use` paths.
 */
import type { FileRecord, Import } from '../index/model.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { derived } from './derived.js';

export interface FileRef { repo: string; file: string }

/** Every dotted suffix of every Python file's module path → files. */
export const pythonModules = derived((ws: Workspace) => {
  const map = new Map<string, FileRef[]>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      if (rec.lang !== 'python') continue;
      let p = rec.path.replace(/\.pyi?$/, '');
      if (p.endsWith('/__init__')) p = p.slice(0, -'/__init__'.length);
      const parts = p.split('/');
      for (let i = 0; i < parts.length; i++) {
        const key = parts.slice(i).join('.');
        const list = map.get(key);
        const ref = { repo: repo.name, file: rec.path };
        if (!list) map.set(key, [ref]);
        else if (!list.some((r) => r.repo === ref.repo && r.file === ref.file)) list.push(ref);
      }
    }
  }
  return map;
});

/** Resolves a (possibly relative) Python module name as seen from `fromFile`. */
export function resolvePythonModule(ws: Workspace, fromRepo: string, fromFile: string, module: string): FileRef[] {
  if (module.startsWith('.')) {
    const dots = /^\.+/.exec(module)![0].length;
    const dir = fromFile.split('/').slice(0, -1);
    const base = dir.slice(0, dir.length - (dots - 1));
    const rest = module.slice(dots);
    const path = [...base, ...(rest ? rest.split('.') : [])].join('/');
    const out: FileRef[] = [];
    for (const cand of [`${path}.py`, `${path}/__init__.py`, `${path}.pyi`]) {
      if (ws.record(fromRepo, cand)) out.push({ repo: fromRepo, file: cand });
    }
    return out;
  }
  const hits = pythonModules(ws).get(module) ?? [];
  if (hits.length <= 1) return hits;
  // An absolute import names a package from its source root (`src/`, `python/`): `import sglang` is
  // python/sglang, not Dynamo's components/src/dynamo/sglang (which is `dynamo.sglang`).
  const rooted = hits.filter((h) => rootedModule(h.file) === module);
  if (rooted.length === 1) return rooted;
  if (rooted.length > 1) return preferRepo(rooted, fromRepo);
  return preferRepo(hits, fromRepo);
}

/** The dotted module of a Python file, counted from its source root (the last `src/` or `python/` dir). */
export function rootedModule(file: string): string {
  const parts = file.replace(/\.pyi?$/, '').replace(/\/__init__$/, '').split('/');
  let root = -1;
  for (let i = 0; i < parts.length - 1; i++) if (parts[i] === 'src' || parts[i] === 'python') root = i;
  return parts.slice(root + 1).join('.');
}

function preferRepo(hits: FileRef[], fromRepo: string): FileRef[] {
  if (hits.length <= 1) return hits;
  // Several files end with the same dotted path: prefer the caller's repo, then the shortest path.
  const same = hits.filter((h) => h.repo === fromRepo);
  const pool = same.length ? same : hits;
  const best = Math.min(...pool.map((h) => h.file.length));
  return pool.filter((h) => h.file.length === best);
}

export interface Binding { module: string; name?: string; guarded?: boolean }

const importMaps = new WeakMap<FileRecord, Map<string, Binding>>();

/** Local name → what it refers to, from the file's imports (`from m import a as b` → b ↦ m.a). */
export function importMap(rec: FileRecord): Map<string, Binding> {
  let m = importMaps.get(rec);
  if (m) return m;
  m = new Map();
  for (const imp of rec.imports) {
    const local = localName(rec, imp);
    if (local && !m.has(local)) m.set(local, { module: imp.module, name: imp.name, guarded: imp.guarded });
  }
  importMaps.set(rec, m);
  return m;
}

function localName(rec: FileRecord, imp: Import): string | undefined {
  if (imp.alias) return imp.alias;
  if (imp.name === '*') return undefined;
  if (imp.name) return imp.name;
  if (rec.lang === 'python') return imp.module.split('.')[0];
  return undefined;
}

/** Every import of a local name, in source order (a try/except shim imports it twice). */
export function importsOf(rec: FileRecord, local: string): Binding[] {
  const out: Binding[] = [];
  for (const imp of rec.imports) {
    if (localName(rec, imp) === local) out.push({ module: imp.module, name: imp.name, guarded: imp.guarded });
  }
  return out;
}

/** Wildcard imports (`from m import *`) of a file. */
export function wildcardModules(rec: FileRecord): string[] {
  return rec.imports.filter((i) => i.name === '*').map((i) => i.module);
}

/** Rust: does a file path plausibly hold the module path of a `use` (crate::a::b → …/a/b.rs or …/a/b/mod.rs or …/a.rs)? */
export function rustPathMatches(file: string, module: string): boolean {
  const segs = module.split('::').filter((s) => s && s !== 'crate' && s !== 'self' && s !== 'super');
  if (!segs.length) return true;
  const noExt = file.replace(/\.rs$/, '').replace(/\/mod$/, '').replace(/\/lib$/, '');
  // The crate name (dynamo_llm) maps to a directory (lib/llm); compare the tail segments only.
  const tail = segs.filter((s) => !s.includes('_') || noExt.includes(s)).slice(-2);
  return tail.every((s) => noExt.includes(s));
}

/** Definition kinds a call can land on. */
export const CALLABLE = new Set(['function', 'method', 'class', 'struct', 'macro', 'enum']);

/** Module-level Python definitions named `name` in these files. */
function pythonTopLevel(ws: Workspace, name: string, files: FileRef[], depth = 0): DefRef[] {
  const all = (ws.byName.get(name) ?? []).filter((r) => {
    if (!files.some((f) => f.repo === r.repo && f.file === r.file)) return false;
    const d = ws.def(r);
    return !d.container && CALLABLE.has(d.kind) && ws.record(r.repo, r.file)!.lang === 'python';
  });
  if (depth > 4) return all;
  // A compatibility shim: `try: from m import f` / `except ImportError: def f(): ...`. The fallback only runs
  // when the import fails, so what the import reaches in the served checkouts is the definition.
  const out: DefRef[] = [];
  for (const r of all) {
    const imp = shimImport(ws.record(r.repo, r.file)!, name, ws.def(r).line);
    let reached: DefRef[] = [];
    if (imp) {
      const next = resolvePythonModule(ws, r.repo, r.file, imp.module);
      const real = imp.name ?? name;
      reached = pythonTopLevel(ws, real, next, depth + 1);
      if (!reached.length) reached = followReexports(ws, next, real, depth + 1);
    }
    for (const x of reached.length ? reached : [r]) if (!out.includes(x)) out.push(x);
  }
  return out;
}

/** The guarded import of `name` whose `except` handler holds the definition at `defLine`, if any. */
function shimImport(rec: FileRecord, name: string, defLine: number): Import | undefined {
  for (const imp of rec.imports) {
    if (!imp.guarded || imp.line >= defLine || (imp.alias ?? imp.name) !== name) continue;
    if (rec.errors.some((e) => e.kind === 'except' && e.in < 0 && e.line > imp.line && e.line <= defLine)) return imp;
  }
  return undefined;
}

/** `from module import name` seen from `fromFile`: the definition, following re-exports (`__init__.py`, `_compat.py`). */
export function pythonImportedDefs(ws: Workspace, repo: string, fromFile: string, module: string, name: string): DefRef[] {
  const files = resolvePythonModule(ws, repo, fromFile, module);
  const direct = pythonTopLevel(ws, name, files);
  return direct.length ? direct : followReexports(ws, files, name);
}

/**
 * A name that these Python files re-export: through `from m import a as name`, `name = a` at module level,
 * `from m import *`, and try/except shims (the first module that exists in the served checkouts wins).
 * The definitions found carry their real name (`ZmqKvEventRelay` for the alias `ZmqKvEventPublisher`).
 */
/** A module-level `name = LazyImport("pkg.mod", "Name")` (any constructor given a module path and a name). */
function lazyImport(rec: FileRecord, name: string): { module: string; name: string } | undefined {
  const b = rec.bindings.find((x) => !x.alias && x.in < 0 && x.target === name);
  if (!b) return undefined;
  const ctor = b.type.split('.').pop();
  const call = rec.calls.find((c) => c.in < 0 && c.line === b.line && c.name === ctor && c.args);
  const m = call && /^\(\s*(['"])([\w.]+)\1\s*,\s*(['"])(\w+)\3\s*\)$/.exec(call.args!);
  return m ? { module: m[2], name: m[4] } : undefined;
}

export function followReexports(ws: Workspace, files: FileRef[], name: string, depth = 0): DefRef[] {
  if (depth > 4) return [];
  for (const f of files) {
    const r = ws.record(f.repo, f.file);
    if (!r) continue;
    // `Engine = LazyImport("sglang.srt.entrypoints.engine", "Engine")`: a re-export made at run time, and it
    // replaces whatever an earlier import bound to the name.
    const lazy = lazyImport(r, name);
    if (lazy) {
      const files = resolvePythonModule(ws, f.repo, f.file, lazy.module);
      const hit = pythonTopLevel(ws, lazy.name, files);
      if (hit.length) return hit;
      const deeper = followReexports(ws, files, lazy.name, depth + 1);
      if (deeper.length) return deeper;
    }
    // `register_llm = register_model` at module level: continue with the aliased name.
    const alias = r.bindings.find((b) => b.alias && b.in < 0 && b.target === name);
    if (alias && !alias.type.includes('.')) {
      const local = pythonTopLevel(ws, alias.type, [f]);
      if (local.length) return local;
      const viaAlias = followReexports(ws, [f], alias.type, depth + 1);
      if (viaAlias.length) return viaAlias;
    }
    const imps = importsOf(r, name);
    if (!imps.length) {
      // `from .common import *` in a package __init__: the name may come from any star-imported module.
      for (const m of wildcardModules(r)) {
        const hit = pythonTopLevel(ws, name, resolvePythonModule(ws, f.repo, f.file, m));
        if (hit.length) return hit;
      }
      continue;
    }
    for (const imp of imps) {
      const next = resolvePythonModule(ws, f.repo, f.file, imp.module);
      const real = imp.name ?? name;
      const hit = pythonTopLevel(ws, real, next);
      if (hit.length) return hit;
      const deeper = followReexports(ws, next, real, depth + 1);
      if (deeper.length) return deeper;
    }
  }
  return [];
}
