/**
 * Cross-language bridge tables, derived from the index records:
 *  - pyo3:     Python-visible name → #[pyclass]/#[pyfunction]/#[pymethods] Rust definitions
 *  - torch:    op name → m.def schema site and m.impl registrations → C++ host function name
 *  - pybind:   Python name → C++ function/class bound in PYBIND11_MODULE
 *  - ffi:      extern "C" symbol → its C/C++/CUDA definitions (real ones first, stubs flagged)
 * Trace turns these into edges; explore shows them as counterparts.
 */
import type { Call, Def, FileRecord } from '../index/model.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { defAttrs } from '../index/cache.js';
import { defMatches, boundaryRules, PYO3_ATTR, pythonName, torchOpName } from './boundaries.js';
import { derived } from './derived.js';

export interface Site { repo: string; file: string; line: number }

export interface TorchOp {
  name: string;
  /** `m.def("name(...) -> ...")` sites with the schema text. */
  schemas: (Site & { schema: string })[];
  /** `m.impl("name", dispatch, &fn)` (or `m.def("name", &fn)`) registrations. */
  impls: (Site & { fn: string; dispatch?: string })[];
}

export interface PybindEntry {
  pyName: string;
  /** The C++ function (or class, for isClass) bound. */
  fn: string;
  site: Site;
  isClass: boolean;
  /** For a bound method: the C++ class it belongs to. */
  cls?: string;
}

export interface BridgeTables {
  pyo3: Map<string, DefRef[]>;
  torch: Map<string, TorchOp>;
  pybind: Map<string, PybindEntry[]>;
  /** extern "C" symbol → definitions (C/C++/CUDA bodies and Rust #[no_mangle] fns). */
  ffiDefs: Map<string, DefRef[]>;
}

const STUB_FILE = /(^|\/)stubs?[^/]*\.(c|cc|cpp)$|_stub\.(c|cc|cpp)$/;

/**
 * A C++/CUDA function that a host-side registration (`m.impl("op", &fn)`, pybind11 `m.def`) can name: not a
 * `__global__` kernel and not a `__device__`-only helper, which often share the op's name
 * (`__device__ void silu_and_mul(PackedVec&, …)` beside the host `void silu_and_mul(at::Tensor&, …)`).
 */
export function hostCallable(def: Def): boolean {
  const attrs = def.attrs ?? [];
  return !attrs.includes('__global__') && (!attrs.includes('__device__') || attrs.includes('__host__'));
}

export function isStubFile(file: string): boolean {
  return STUB_FILE.test(file);
}

/** The C++ function named in a registration's arguments: the last `&fn` / `fn` / `&ns::fn`. */
export function registeredFn(args: string): string | undefined {
  const refs = [...args.matchAll(/&\s*([A-Za-z_][\w:]*)/g)].map((m) => m[1]);
  if (refs.length) return refs[refs.length - 1].split('::').pop();
  const bare = /,\s*([A-Za-z_][\w:]*)\s*\)\s*$/.exec(args);
  if (bare && !/^(torch|c10|at)::/.test(bare[1]) && !bare[1].startsWith('k')) return bare[1].split('::').pop();
  return undefined;
}

function firstString(args: string | undefined): string | undefined {
  return /"([^"]*)"/.exec(args ?? '')?.[1];
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function scanTorch(torch: Map<string, TorchOp>, repo: string, rec: FileRecord, c: Call): void {
  const owner = c.in >= 0 ? rec.defs[c.in] : undefined;
  if (!owner || !/^TORCH_LIBRARY/.test(owner.name)) return;
  if (c.name !== 'def' && c.name !== 'impl') return;
  const op = torchOpName(c);
  if (!op) return;
  const name = op.split('.')[0];
  const entry = torch.get(name) ?? { name, schemas: [], impls: [] };
  torch.set(name, entry);
  const site = { repo, file: rec.path, line: c.line };
  const fn = registeredFn(c.args ?? '');
  if (c.name === 'def') entry.schemas.push({ ...site, schema: firstString(c.args) ?? op });
  if (fn && (c.name === 'impl' || c.args?.includes('&'))) {
    const dispatch = /(?:torch|c10)::(?:DispatchKey::)?k?(\w+)/.exec(c.args ?? '')?.[1];
    entry.impls.push({ ...site, fn, dispatch });
  }
}

function scanPybind(pybind: Map<string, PybindEntry[]>, repo: string, rec: FileRecord, c: Call): void {
  const owner = c.in >= 0 ? rec.defs[c.in] : undefined;
  if (!owner || owner.name !== 'PYBIND11_MODULE') return;
  const site = { repo, file: rec.path, line: c.line };
  if (c.name === 'def' && c.receiver === 'm') {
    const py = firstString(c.args);
    const fn = registeredFn(c.args ?? '');
    if (py && fn) addTo(pybind, py, { pyName: py, fn, site, isClass: false });
  } else if (c.name === 'def' && /class_\s*</.test(c.receiver ?? '')) {
    // `py::class_<T>(m, "Name").def("method", &T::method)`: a bound method of a bound class.
    const py = firstString(c.args);
    const fn = registeredFn(c.args ?? '');
    const cls = /class_\s*<\s*([\w:]+)/.exec(c.receiver!)?.[1].split('::').pop();
    if (py && fn && cls && !py.startsWith('__')) addTo(pybind, py, { pyName: py, fn, site, isClass: false, cls });
  } else if (c.name === 'class_' && c.targs) {
    const py = firstString(c.args);
    const cls = c.targs.split(',')[0].trim().split('::').pop()!;
    if (py) addTo(pybind, py, { pyName: py, fn: cls, site, isClass: true });
  }
}

export const bridgeTables = derived((ws: Workspace): BridgeTables => {
  const pyo3 = new Map<string, DefRef[]>();
  const torch = new Map<string, TorchOp>();
  const pybind = new Map<string, PybindEntry[]>();
  const ffiDefs = new Map<string, DefRef[]>();
  const externDef = boundaryRules().find((r) => r.id === 'extern-c-def')!;
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      // Only C files and files with a PyO3 or extern "C" attribute hold these definitions: the others' defs
      // are not looked at (nor decoded, on a warm start).
      const attrs = defAttrs(rec);
      const rust = rec.lang === 'rust' && attrs.some((a) => PYO3_ATTR.test(a));
      const externAttr = externDef.def?.attr;
      const externs = externDef.langs.has(rec.lang) && (!externAttr || attrs.some((a) => externAttr.test(a)));
      if (rust || externs || rec.lang === 'c') {
        rec.defs.forEach((d, i) => {
          const py = rust ? pythonName(d) : undefined;
          if (py && d.kind !== 'impl') addTo(pyo3, py, { repo: repo.name, file: rec.path, i });
          // C functions have C linkage without saying so (stubs.c); C++/CUDA need extern "C".
          const cLinkage = rec.lang === 'c' && d.kind === 'function' && !d.decl;
          if (cLinkage || (externs && defMatches(externDef, d))) addTo(ffiDefs, d.name, { repo: repo.name, file: rec.path, i });
        });
      }
      if (rec.lang === 'cpp' || rec.lang === 'cuda' || rec.lang === 'c') {
        for (const c of rec.calls) {
          if (!c.args) continue;
          scanTorch(torch, repo.name, rec, c);
          scanPybind(pybind, repo.name, rec, c);
        }
      }
    }
  }
  // Real definitions before stubs.
  for (const list of ffiDefs.values()) list.sort((a, b) => Number(isStubFile(a.file)) - Number(isStubFile(b.file)));
  return { pyo3, torch, pybind, ffiDefs };
});

/** Methods of a #[pymethods] impl of `rustType`, by their Python name. */
export function pyo3Methods(ws: Workspace, rustType: string): Map<string, DefRef> {
  const out = new Map<string, DefRef>();
  for (const ref of ws.byName.get(rustType) ?? []) {
    const impl = ws.def(ref);
    if (impl.kind !== 'impl' || !(impl.attrs ?? []).some((a) => a.startsWith('pymethods'))) continue;
    const rec = ws.record(ref.repo, ref.file)!;
    rec.defs.forEach((d, i) => {
      if (d.kind === 'method' && d.container === rustType && d.line >= impl.line && d.endLine <= impl.endLine) {
        out.set(pythonName(d) ?? d.name, { repo: ref.repo, file: ref.file, i });
      }
    });
  }
  return out;
}
