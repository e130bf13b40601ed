/** A definition's counterparts across a language boundary, for explore's symbol answers. */
import type { DefRef, Workspace } from '../index/workspace.js';
import { pythonName } from './boundaries.js';
import { bridgeTables, hostCallable, isStubFile, pyo3Methods } from './bridges.js';
import { callIndex, callAt } from './calls.js';

export interface Counterpart {
  kind: 'pyo3' | 'torch-op' | 'pybind' | 'ffi' | 'cuda-launch' | 'triton-launch';
  text: string;
  repo: string;
  file: string;
  line: number;
}

const MAX = 6;

export function counterparts(ws: Workspace, ref: DefRef): Counterpart[] {
  const def = ws.def(ref);
  const rec = ws.record(ref.repo, ref.file)!;
  const t = bridgeTables(ws);
  const out: Counterpart[] = [];
  const push = (c: Counterpart) => { if (out.length < MAX) out.push(c); };

  if (rec.lang === 'rust' && def.kind === 'method' && def.container) {
    // A #[pymethods] method: the stub method of the Python class its struct is exposed as.
    const methods = pyo3Methods(ws, def.container);
    const pyMethod = [...methods].find(([, r]) => r.file === ref.file && r.i === ref.i)?.[0];
    if (pyMethod) {
      const structRef = (ws.byName.get(def.container) ?? []).find((r) => r.repo === ref.repo && (ws.def(r).attrs ?? []).some((a) => a.startsWith('pyclass')));
      const pyClass = structRef ? pythonName(ws.def(structRef)) : undefined;
      for (const r of ws.byName.get(pyMethod) ?? []) {
        const d = ws.def(r);
        if (!/\.pyi?$/.test(r.file) || d.container?.split('.').pop() !== pyClass) continue;
        push({ kind: 'pyo3', text: `Python \`${pyClass}.${pyMethod}\` (${r.file.endsWith('.pyi') ? 'type stub' : 'Python'})`, repo: r.repo, file: r.file, line: d.line });
      }
    }
  }
  if (rec.lang === 'rust') {
    const py = pythonName(def);
    if (py) {
      for (const r of ws.byName.get(py) ?? []) {
        if (!r.file.endsWith('.pyi') && !r.file.endsWith('.py')) continue;
        const d = ws.def(r);
        if (def.kind === 'method' || d.container) continue;
        push({ kind: 'pyo3', text: `Python \`${py}\` (${r.file.endsWith('.pyi') ? 'type stub' : 'Python'})`, repo: r.repo, file: r.file, line: d.line });
      }
      if (!out.length) push({ kind: 'pyo3', text: `exposed to Python as \`${py}\``, repo: ref.repo, file: ref.file, line: def.line });
    }
    if ((def.attrs ?? []).includes('extern "C"') && def.decl) {
      for (const r of t.ffiDefs.get(def.name) ?? []) {
        const d = ws.def(r);
        push({ kind: 'ffi', text: `extern "C" definition${isStubFile(r.file) ? ' (stub for builds without CUDA)' : ''}`, repo: r.repo, file: r.file, line: d.line });
      }
    }
  }
  if (rec.lang === 'python') {
    for (const r of t.pyo3.get(def.name) ?? []) {
      const d = ws.def(r);
      if (!def.container || d.kind === 'method') push({ kind: 'pyo3', text: `Rust ${d.kind} \`${d.name}\` behind the Python name`, repo: r.repo, file: r.file, line: d.line });
    }
    for (const e of t.pybind.get(def.name) ?? []) push({ kind: 'pybind', text: `pybind11 binding of C++ \`${e.fn}\``, ...e.site });
    if ((def.attrs ?? []).some((a) => /^(triton\.)?jit\b/.test(a))) {
      for (const c of callIndex(ws).get(def.name) ?? []) {
        const call = callAt(ws, c);
        if (call?.kind === 'index-launch') push({ kind: 'triton-launch', text: 'launched here', repo: c.repo, file: c.file, line: call.line });
      }
    }
  }
  if (rec.lang === 'cpp' || rec.lang === 'cuda' || rec.lang === 'c') {
    // Registrations name host functions: a `__device__` helper or a kernel of the same name is not the one bound.
    if (hostCallable(def)) {
      for (const op of t.torch.values()) {
        for (const impl of op.impls) {
          if (impl.fn === def.name) push({ kind: 'torch-op', text: `registered as torch op \`${op.name}\`${impl.dispatch ? ` (${impl.dispatch})` : ''}`, repo: impl.repo, file: impl.file, line: impl.line });
        }
      }
      for (const list of t.pybind.values()) {
        for (const e of list) if (e.fn === def.name) push({ kind: 'pybind', text: `bound to Python as \`${e.pyName}\``, ...e.site });
      }
    }
    if ((def.attrs ?? []).includes('__global__')) {
      for (const c of callIndex(ws).get(def.name) ?? []) {
        const call = callAt(ws, c);
        if (call?.kind === 'cuda-launch') push({ kind: 'cuda-launch', text: 'launched here', repo: c.repo, file: c.file, line: call.line });
      }
      // Launches through a local alias: `auto kern = kernel<T>; kern<<<...>>>(...)`.
      const repo = ws.repos.get(ref.repo)!;
      for (const r of repo.files.values()) {
        if (r.lang !== 'cuda') continue;
        for (const b of r.bindings) {
          if (!b.alias || b.type.replace(/<.*$/s, '').split('::').pop()!.trim() !== def.name) continue;
          for (const call of r.calls) {
            if (call.kind === 'cuda-launch' && call.name === b.target && call.in === b.in) push({ kind: 'cuda-launch', text: `launched here through the alias \`${b.target}\``, repo: ref.repo, file: r.path, line: call.line });
          }
        }
      }
    }
    if ((def.attrs ?? []).includes('extern "C"') && !def.decl) {
      for (const r of ws.byName.get(def.name) ?? []) {
        const d = ws.def(r);
        if (r.file.endsWith('.rs') && d.decl) push({ kind: 'ffi', text: 'declared in Rust (extern "C")', repo: r.repo, file: r.file, line: d.line });
      }
    }
  }
  return out;
}
