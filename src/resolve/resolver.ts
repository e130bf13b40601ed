/**
 * Call resolution: a call site → its target definition(s), best evidence first, each with a confidence
 * (exact · import · receiver · name-only) and an edge kind. Bridges (PyO3, torch ops, pybind11, FFI,
 * CUDA/Triton launches, ZMQ dispatch, cross-repo imports) turn a same-language miss into a cross-language
 * edge. A name-only guess among several definitions is returned as `ambiguous`, never chosen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Call, FileRecord, LangId } from '../index/model.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { bridgeTables, hostCallable, isStubFile, pyo3Methods, type Site } from './bridges.js';
import { CHANNEL_SEND, channelTargets } from './channels.js';
import { CLIENT_SENDS, clientKeyOf, commonDirs, servedFor, showKey, type ServedEndpoint } from './endpoints.js';
import { dispatchTargets } from './ipc.js';
import { CALLABLE, followReexports, importsOf, pythonImportedDefs, resolvePythonModule, rustPathMatches, wildcardModules, type FileRef } from './modules.js';
import { isAbstract, methodsOn, overridesOf, receiverOf } from './receivers.js';
import { sourceLines } from './source.js';
import { derivedPerKey } from './derived.js';
import { snakeCase } from './words.js';

export type Confidence = 'exact' | 'import' | 'receiver' | 'name-only';
export type EdgeKind = 'call' | 'await' | 'spawn' | 'channel' | 'ipc' | 'endpoint' | 'pyo3' | 'pybind' | 'torch-op' | 'ffi' |
  'cuda-launch' | 'triton-launch' | 'cross-repo';

export interface Target {
  ref: DefRef;
  confidence: Confidence;
  kind: EdgeKind;
  /** Evidence of a bridge: the registration / dispatch site and what it says. */
  via?: Site & { note: string };
}

export interface Resolution {
  targets: Target[];
  /** Several same-named definitions and nothing to choose between them. */
  ambiguous?: DefRef[];
}

const CONF_RANK: Record<Confidence, number> = { exact: 0, import: 1, receiver: 2, 'name-only': 3 };
export const confidenceRank = (c: Confidence) => CONF_RANK[c];

let common: Set<string> | undefined;
function commonNames(): Set<string> {
  common ??= new Set((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'data/common-names.json'), 'utf8')) as { names: string[] }).names);
  return common;
}

const FAMILY: Record<LangId, string> = { python: 'py', rust: 'rs', cpp: 'c', c: 'c', cuda: 'c' };

function callableRefs(ws: Workspace, name: string, lang: LangId): DefRef[] {
  return (ws.byName.get(name) ?? []).filter((r) => {
    const rec = ws.record(r.repo, r.file)!;
    return FAMILY[rec.lang] === FAMILY[lang] && CALLABLE.has(ws.def(r).kind);
  });
}

/** The C++ functions named `name` that a registration can bind: host functions, when any (see hostCallable). */
function hostRefs(ws: Workspace, name: string): DefRef[] {
  const refs = preferDefinitions(ws, callableRefs(ws, name, 'cpp'));
  const host = refs.filter((r) => hostCallable(ws.def(r)));
  return host.length ? host : refs;
}

/** Prefer real definitions over declarations and stubs when both exist. */
function preferDefinitions(ws: Workspace, refs: DefRef[]): DefRef[] {
  const real = refs.filter((r) => !ws.def(r).decl && !r.file.endsWith('.pyi'));
  return real.length ? real : refs;
}

function inFiles(refs: DefRef[], files: FileRef[]): DefRef[] {
  return refs.filter((r) => files.some((f) => f.repo === r.repo && f.file === r.file));
}

function topLevel(ws: Workspace, refs: DefRef[]): DefRef[] {
  return refs.filter((r) => !ws.def(r).container);
}

function baseKind(call: Call): EdgeKind {
  if (call.spawned) return 'spawn';
  if (call.awaited) return 'await';
  return 'call';
}

function targets(refs: DefRef[], confidence: Confidence, kind: EdgeKind): Target[] {
  return refs.map((ref) => ({ ref, confidence, kind }));
}

/** Same-language resolution. */
function resolveSameLanguage(ws: Workspace, repo: string, rec: FileRecord, call: Call): Resolution {
  const kind = baseKind(call);
  const cands = callableRefs(ws, call.name, rec.lang);
  const recv = receiverOf(ws, repo, rec, call.in, call.receiver);

  if (call.receiver) {
    if (recv.modules.length) {
      const hit = inFiles(cands, recv.modules);
      if (hit.length) return { targets: targets(hit, 'import', kind) };
      const reexp = rec.lang === 'python' ? followReexports(ws, recv.modules, call.name) : [];
      if (reexp.length) return { targets: targets(reexp, 'import', kind) };
    }
    const inherited = recv.self && rec.lang === 'python' ? selfMethod(ws, repo, rec, call) : undefined;
    for (const t of recv.types) {
      const hit = inherited ? [inherited] : methodsOn(ws, t, call.name, { repo, file: rec.path, inIdx: call.in }).filter((r) => FAMILY[ws.record(r.repo, r.file)!.lang] === FAMILY[rec.lang]);
      if (hit.length) {
        const chosen = preferDefinitions(ws, hit);
        // An abstract method (or trait signature): the overrides are where the work happens. So too for
        // `self.m()` inside the class that defines m: the object may be any subclass that overrides it
        // (a base's default `_handle_streaming_request` answers "not supported"; the subclasses' do the work).
        const dispatches = chosen.length === 1 && (isAbstract(ws.def(chosen[0])) || (recv.self && definedIn(ws, chosen[0], rec, call.in)));
        const overrides = dispatches ? overridesOf(ws, chosen[0]) : [];
        return { targets: [...targets(chosen, recv.self ? 'exact' : 'receiver', kind), ...targets(overrides, 'receiver', kind)] };
      }
    }
  } else {
    const local = cands.filter((r) => r.repo === repo && r.file === rec.path);
    const localTop = local.filter((r) => !ws.def(r).container || rec.lang !== 'python');
    if (localTop.length) return { targets: targets(preferDefinitions(ws, localTop), 'exact', kind) };
    for (const imp of importsOf(rec, call.name)) {
      const hits = resolveImported(ws, repo, rec, imp.module, imp.name ?? call.name, cands);
      if (hits.length) return { targets: targets(hits, 'import', kind) };
    }
    if (rec.lang === 'python') {
      for (const m of wildcardModules(rec)) {
        const hit = topLevel(ws, inFiles(cands, resolvePythonModule(ws, repo, rec.path, m)));
        if (hit.length) return { targets: targets(hit, 'import', kind) };
      }
    }
  }
  if (rec.lang === 'python') {
    const inst = instanceCallTargets(ws, repo, rec, call);
    if (inst.length) return { targets: targets(inst, 'receiver', kind) };
  }
  // Name only — never across repos (a cross-repo edge needs import or receiver evidence), never dunders.
  if (/^__\w+__$/.test(call.name) && call.receiver) return { targets: [] };
  let pool = preferDefinitions(ws, cands).filter((r) => r.repo === repo);
  if (call.receiver && rec.lang === 'python') pool = pool.filter((r) => ws.def(r).container);
  if (!call.receiver && rec.lang === 'python') pool = pool.filter((r) => !ws.def(r).container || ws.def(r).kind === 'class');
  if (call.receiver && commonNames().has(call.name)) return { targets: [] };
  if (FAMILY[rec.lang] === 'c') {
    // `at::silu(x)`: a namespace the workspace does not define is a library call, not a guess.
    if (call.sep === '::' && call.receiver && !pool.some((r) => (ws.def(r).container ?? '').split('::').includes(call.receiver!.split('::').pop()!))) return { targets: [] };
    const caller = call.in >= 0 ? rec.defs[call.in] : undefined;
    const deviceSide = (caller?.attrs ?? []).some((a) => a === '__device__' || a === '__global__');
    if (!deviceSide) pool = pool.filter((r) => !(ws.def(r).attrs ?? []).includes('__device__') || (ws.def(r).attrs ?? []).includes('__host__'));
  }
  // A member call on a receiver of unknown type: a short name is too weak to guess from (x.visit(), v.size()).
  const weak = !!call.receiver && call.sep !== '::' && call.name.length < 6;
  if (pool.length === 1) return weak ? { targets: [], ambiguous: pool } : { targets: targets(pool, 'name-only', kind) };
  if (pool.length > 1) {
    // `self.tokenizer_manager.generate_request()`: the attribute is named after one candidate's class.
    const attr = snakeCase(call.receiver?.split('.').pop() ?? '');
    if (attr.length >= 4) {
      const named = pool.filter((r) => { const c = snakeCase(ws.def(r).container?.split(/\.|::/).pop() ?? ''); return c === attr || c.endsWith('_' + attr); });
      if (named.length === 1) return { targets: targets(named, 'name-only', kind), ambiguous: pool };
    }
    return { targets: [], ambiguous: pool };
  }
  return { targets: [] };
}

/**
 * Python: calling an object (`self.act_fn(x)` after `self.act_fn = SiluAndMul()`, or a local `layer(x)`) runs
 * its class's `__call__`; a torch `nn.Module` subclass without one runs `forward` (what `Module.__call__` does).
 * The class and its bases are resolved as the code sees them (its file, its imports), and the method is taken
 * from the nearest class in that order that defines it.
 */
function instanceCallTargets(ws: Workspace, repo: string, rec: FileRecord, call: Call): DefRef[] {
  const target = call.receiver ? `${call.receiver}.${call.name}` : call.name;
  if (!/^(self\.)?[A-Za-z_]\w*$/.test(target)) return [];
  for (const t of receiverOf(ws, repo, rec, call.in, target).types) {
    const order = pythonMro(ws, visibleClasses(ws, { repo, file: rec.path }, t.name));
    if (!order.length) continue;
    const isModule = order.some((c) => (ws.def(c).bases ?? []).some((b) => /(^|\.)Module$/.test(b)));
    for (const method of isModule ? ['__call__', 'forward'] : ['__call__']) {
      for (const c of order) {
        const m = methodOf(ws, c, method);
        if (m) return [m];
      }
    }
  }
  return [];
}

/**
 * Python `self.m()`: m on the nearest class of the caller's method resolution order that defines it, the bases
 * resolved as the caller's file imports them. Matching bases by name alone reached a same-named base class
 * of another package (sglang's and vllm's handlers both derive from a `BaseWorkerHandler`). Undefined when
 * the order has no m, or when its m is the calling method itself (then the subclasses' overrides matter).
 */
function selfMethod(ws: Workspace, repo: string, rec: FileRecord, call: Call): DefRef | undefined {
  if (call.in < 0) return undefined;
  const owner = rec.defs[call.in].container;
  if (!owner) return undefined;
  const order = pythonMro(ws, inFiles(visibleClasses(ws, { repo, file: rec.path }, owner.split('.').pop()!), [{ repo, file: rec.path }]));
  for (const c of order) {
    const m = methodOf(ws, c, call.name);
    if (m) return m.repo === repo && m.file === rec.path && m.i === call.in ? undefined : m;
  }
  return undefined;
}

/**
 * Python: a call through an attribute holding a bound method picked at construction —
 * `self._forward_method = self.dispatch_forward()`, `def dispatch_forward(self): return self.forward_cuda if c
 * else self.forward_native` — reaches every `self.<method>` the factory returns (read from its `return` lines),
 * and their overrides in subclasses (the instance is usually one). Methods are found on the caller's class and
 * its bases, nearest first.
 */
function returnedMethodTargets(ws: Workspace, repo: string, rec: FileRecord, call: Call): Target[] {
  if (call.receiver !== 'self' || call.in < 0) return [];
  const owner = rec.defs[call.in].container;
  if (!owner) return [];
  const sameClass = (i: number) => i >= 0 && rec.defs[i].container === owner;
  const b = rec.bindings.find((x) => x.target === `self.${call.name}` && /^self\.\w+$/.test(x.type) && sameClass(x.in));
  if (!b) return [];
  const order = pythonMro(ws, inFiles(visibleClasses(ws, { repo, file: rec.path }, owner.split('.').pop()!), [{ repo, file: rec.path }]));
  const onClass = (name: string) => order.map((c) => methodOf(ws, c, name)).find((m) => m !== undefined);
  const factory = onClass(b.type.slice('self.'.length));
  if (!factory) return [];
  const fd = ws.def(factory);
  const names = new Set<string>();
  for (const line of sourceLines(ws, factory.repo, factory.file).slice(fd.line, fd.endLine)) {
    const ret = /^\s*return\b(.*)$/.exec(line)?.[1];
    if (ret) for (const m of ret.matchAll(/\bself\.(\w+)\b(?!\s*[(.[])/g)) names.add(m[1]);
  }
  const out: Target[] = [];
  const via = { repo: factory.repo, file: factory.file, line: fd.line, note: `self.${call.name} = self.${fd.name}(), which returns ${[...names].map((n) => `self.${n}`).join(' / ')}` };
  for (const n of names) {
    const m = onClass(n);
    if (!m) continue;
    // Overrides are matched by class name; keep those whose bases really lead to the class defining the method.
    const home = classOf(ws, m);
    const subs = overridesOf(ws, m, 64).filter((r) => { const c = classOf(ws, r); return !!home && !!c && pythonMro(ws, [c]).some((x) => sameRef(x, home)); });
    for (const ref of [m, ...subs]) out.push({ ref, confidence: 'receiver', kind: baseKind(call), via });
  }
  return out;
}

/** The class a Python method is defined in. */
function classOf(ws: Workspace, method: DefRef): DefRef | undefined {
  const d = ws.def(method);
  const name = d.container?.split('.').pop();
  return name ? (ws.byName.get(name) ?? []).find((r) => r.repo === method.repo && r.file === method.file && ws.def(r).kind === 'class' && ws.def(r).line < d.line && ws.def(r).endLine >= d.endLine) : undefined;
}

const sameRef = (a: DefRef, b: DefRef) => a.repo === b.repo && a.file === b.file && a.i === b.i;

/** Classes named `name` as seen from a file: defined there, imported (through re-exports), else any of that name. */
function visibleClasses(ws: Workspace, from: FileRef, name: string): DefRef[] {
  const isClass = (r: DefRef) => ws.def(r).kind === 'class' && !ws.def(r).container && ws.record(r.repo, r.file)!.lang === 'python';
  const all = (ws.byName.get(name) ?? []).filter(isClass);
  const here = inFiles(all, [from]);
  if (here.length) return here;
  const imported = followReexports(ws, [from], name).filter(isClass);
  return imported.length ? imported : all;
}

/** A class and its bases, nearest first (breadth-first, bases resolved from each class's own file). */
function pythonMro(ws: Workspace, start: DefRef[], depth = 5): DefRef[] {
  const out: DefRef[] = [];
  let frontier = start;
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: DefRef[] = [];
    for (const c of frontier) {
      if (out.includes(c)) continue;
      out.push(c);
      for (const b of ws.def(c).bases ?? []) {
        const name = b.split('.').pop()!.replace(/\[.*$/, '');
        if (/^\w+$/.test(name)) next.push(...visibleClasses(ws, { repo: c.repo, file: c.file }, name));
      }
    }
    frontier = next;
  }
  return out;
}

/** The method `name` defined in the body of class `cls`. */
function methodOf(ws: Workspace, cls: DefRef, name: string): DefRef | undefined {
  const c = ws.def(cls);
  const container = c.container ? `${c.container}.${c.name}` : c.name;
  return (ws.byName.get(name) ?? []).find((r) => r.repo === cls.repo && r.file === cls.file && ws.def(r).container === container &&
    ws.def(r).line > c.line && ws.def(r).line <= c.endLine);
}

/** `from m import name`: the definition in m, following re-exports (`__init__.py`, `_compat.py`). */
function resolveImported(ws: Workspace, repo: string, rec: FileRecord, module: string, name: string, cands: DefRef[]): DefRef[] {
  if (rec.lang === 'python') return pythonImportedDefs(ws, repo, rec.path, module, name);
  if (rec.lang === 'rust') {
    const hit = preferDefinitions(ws, cands.filter((r) => rustPathMatches(r.file, module)));
    return hit.length ? hit : [];
  }
  return [];
}

function torchOpTargets(ws: Workspace, call: Call): Target[] {
  const recv = call.receiver ?? '';
  const m = /^torch\.ops\.(\w+)(?:\.(\w+))?$/.exec(recv);
  if (!m) return [];
  const op = m[2] && (call.name === 'default' || /^[A-Z]|^out$/.test(call.name)) ? m[2] : m[2] ? m[2] : call.name;
  const entry = bridgeTables(ws).torch.get(op);
  if (!entry) return [];
  const out: Target[] = [];
  for (const impl of entry.impls) {
    const defs = byDispatch(ws, hostRefs(ws, impl.fn), impl.dispatch);
    for (const ref of defs) {
      if (!out.some((t) => t.ref.file === ref.file && t.ref.i === ref.i)) {
        out.push({ ref, confidence: 'exact', kind: 'torch-op', via: { ...impl, note: `m.impl("${op}"${impl.dispatch ? `, ${impl.dispatch}` : ''}, &${impl.fn})` } });
      }
    }
  }
  return out;
}

/** Several C++ functions share an op's name (CUDA, CPU, ROCm builds): keep the ones the dispatch key implies. */
function byDispatch(ws: Workspace, refs: DefRef[], dispatch?: string): DefRef[] {
  if (refs.length < 2 || !dispatch) return refs;
  const cpu = (r: DefRef) => /(^|\/)cpu\//.test(r.file) || /_cpu\.(cc|cpp)$/.test(r.file);
  const pick = dispatch === 'CPU' ? refs.filter(cpu) : refs.filter((r) => !cpu(r) && !/rocm|hip/i.test(r.file));
  return pick.length ? pick : refs;
}

function launchTargets(ws: Workspace, repo: string, rec: FileRecord, call: Call): Resolution {
  let name = call.name;
  const alias = rec.bindings.find((b) => b.alias && b.target === name && b.in === call.in);
  if (alias) name = alias.type.replace(/<.*$/s, '').split('::').pop()!.trim();
  const kernels = callableRefs(ws, name, rec.lang).filter((r) => (ws.def(r).attrs ?? []).includes('__global__'));
  const defs = preferDefinitions(ws, kernels);
  if (!defs.length) return { targets: [] };
  const local = defs.filter((r) => r.repo === repo && r.file === rec.path);
  const note = alias ? `launches alias ${call.name} = ${alias.type}` : undefined;
  const via = note ? { repo, file: rec.path, line: alias!.line, note } : undefined;
  if (local.length) return { targets: local.map((ref) => ({ ref, confidence: 'exact', kind: 'cuda-launch', via })) };
  if (defs.length === 1) return { targets: [{ ref: defs[0], confidence: 'name-only', kind: 'cuda-launch', via }] };
  const sameRepo = defs.filter((r) => r.repo === repo);
  return sameRepo.length === 1 ? { targets: [{ ref: sameRepo[0], confidence: 'name-only', kind: 'cuda-launch', via }], ambiguous: defs } : { targets: [], ambiguous: defs };
}

/** Python → Rust: a resolved Python stub/class/function that is a #[pyclass]/#[pyfunction], or a method on one. */
function pyo3Targets(ws: Workspace, repo: string, rec: FileRecord, call: Call, py: Resolution): Target[] {
  const t = bridgeTables(ws);
  const out: Target[] = [];
  const viaOf = (ref: DefRef): Target['via'] => ({ repo: ref.repo, file: ref.file, line: ws.def(ref).line, note: `#[${(ws.def(ref).attrs ?? []).find((a) => /^py(class|function|o3)/.test(a)) ?? 'pymethods'}]` });
  // Calls that resolved to a stub in a .pyi, or to nothing, by a name PyO3 exports. A stub found through an
  // alias (`from dynamo._core import ZmqKvEventRelay as ZmqKvEventPublisher`) carries the real name.
  const stubbed = py.targets.length === 0 || py.targets.every((x) => x.ref.file.endsWith('.pyi'));
  if (stubbed) {
    for (const st of py.targets) {
      const sd = ws.def(st.ref);
      if (sd.kind === 'method' && sd.container) {
        for (const structRef of t.pyo3.get(sd.container.split('.').pop()!) ?? []) {
          const m = pyo3Methods(ws, ws.def(structRef).name).get(sd.name);
          if (m) out.push({ ref: m, confidence: st.confidence, kind: 'pyo3', via: viaOf(structRef) });
        }
      } else {
        for (const ref of t.pyo3.get(sd.name) ?? []) out.push({ ref: pyo3Constructor(ws, ref) ?? ref, confidence: st.confidence, kind: 'pyo3', via: viaOf(ref) });
      }
    }
  }
  if (!call.receiver && stubbed && !out.length) {
    for (const ref of t.pyo3.get(call.name) ?? []) out.push({ ref: pyo3Constructor(ws, ref) ?? ref, confidence: py.targets.length ? 'import' : 'name-only', kind: 'pyo3', via: viaOf(ref) });
  }
  if (call.receiver && stubbed && !out.length) {
    const recv = receiverOf(ws, repo, rec, call.in, call.receiver);
    for (const ty of recv.types) {
      for (const structRef of t.pyo3.get(ty.name) ?? []) {
        const methods = pyo3Methods(ws, ws.def(structRef).name);
        const m = methods.get(call.name);
        if (m) out.push({ ref: m, confidence: 'receiver', kind: 'pyo3', via: viaOf(structRef) });
      }
    }
  }
  return out;
}

function ffiTargets(ws: Workspace, targetsIn: Target[]): Target[] {
  const out: Target[] = [];
  for (const tg of targetsIn) {
    const d = ws.def(tg.ref);
    if (!d.decl || !(d.attrs ?? []).includes('extern "C"')) continue;
    const defs = bridgeTables(ws).ffiDefs.get(d.name) ?? [];
    const real = defs.filter((r) => !isStubFile(r.file) && !r.file.endsWith('.rs'));
    const stubs = defs.filter((r) => isStubFile(r.file));
    for (const ref of real.length ? real : defs.filter((r) => !r.file.endsWith('.rs'))) {
      const note = `extern "C" ${d.name}${stubs.length && real.length ? ` (stub also in ${stubs.map((s) => s.file).join(', ')})` : ''}`;
      out.push({ ref, confidence: 'exact', kind: 'ffi', via: { repo: tg.ref.repo, file: tg.ref.file, line: d.line, note } });
    }
  }
  return out;
}

/**
 * Each call site's resolution, kept until the index changes: a trace resolves every call of each definition
 * it reaches, and asks again for the frontier it stops at, and the same flows and hubs recur across an
 * agent's questions. A Call object belongs to one record, and a re-indexed file gets new ones.
 */
const resolutions = derivedPerKey<Call, Resolution>();

/** A call's resolution (shared: callers must not modify it). */
export function resolveCall(ws: Workspace, repo: string, rec: FileRecord, call: Call): Resolution {
  return resolutions(ws, call, () => resolveFresh(ws, repo, rec, call));
}

function resolveFresh(ws: Workspace, repo: string, rec: FileRecord, call: Call): Resolution {
  const res = resolveOne(ws, repo, rec, call);
  if (rec.lang !== 'python' || !call.receiver || !(call.name === 'client' || CLIENT_SENDS.has(call.name))) return res;
  const ep = endpointTargets(ws, repo, rec, call);
  return ep.length ? { ...res, targets: [...ep, ...res.targets] } : res;
}

/**
 * The request plane: a client built for `namespace/component/endpoint` (the `.client()` call, and requests
 * sent on that client in the same function or class) reaches the handler served under the same names.
 */
function endpointTargets(ws: Workspace, repo: string, rec: FileRecord, call: Call): Target[] {
  const key = clientKeyOf(ws, repo, rec, call);
  if (!key) return [];
  const out: Target[] = [];
  for (const served of servedFor(ws, key, rec.path)) {
    for (const ref of servedHandlers(ws, served)) {
      if (out.some((t) => t.ref.repo === ref.repo && t.ref.file === ref.file && t.ref.i === ref.i)) continue;
      out.push({ ref, confidence: 'receiver', kind: 'endpoint', via: { ...served.site, note: `${showKey(served.key)} served by serve_endpoint(${served.handler})` } });
    }
  }
  return out;
}

/** The definition(s) a `serve_endpoint(handler.generate)` argument names, resolved from the serving file. */
export function servedHandlers(ws: Workspace, served: ServedEndpoint): DefRef[] {
  const dot = served.handler.lastIndexOf('.');
  const name = served.handler.slice(dot + 1);
  const receiver = dot > 0 ? served.handler.slice(0, dot) : undefined;
  const probe: Call = { ...served.call, name, receiver, sep: receiver ? '.' : undefined, args: undefined, awaited: false };
  const refs = resolveSameLanguage(ws, served.site.repo, served.rec, probe).targets.map((t) => t.ref);
  // `handler.generate` on a typed handler: the override that runs, not the abstract method it came through.
  const concrete = refs.filter((r) => !isAbstract(ws.def(r)));
  const pool = concrete.length ? concrete : refs;
  // A handler class named alike in several backends (sglang's and vllm's DecodeWorkerHandler): the one nearest the serving file.
  const shared = (r: DefRef) => (r.repo !== served.site.repo ? -1 : r.file === served.site.file ? 1e3 : commonDirs(r.file, served.site.file));
  const best = Math.max(...pool.map(shared));
  return pool.filter((r) => shared(r) === best);
}

function resolveOne(ws: Workspace, repo: string, rec: FileRecord, call: Call): Resolution {
  if (call.kind === 'cuda-launch') return launchTargets(ws, repo, rec, call);
  if (rec.lang === 'python' && call.receiver?.startsWith('torch.ops.')) {
    const t = torchOpTargets(ws, call);
    return { targets: t };
  }
  // `send_pyobj(obj)`, or a wrapper's send on a socket named for the receiving process
  // (`self.send_to_detokenizer.send_output(obj)`, a SenderWrapper around the ZMQ socket).
  if (rec.lang === 'python' && (call.name === 'send_pyobj' || (call.args && /(^|\.)send_to_\w+$/.test(call.receiver ?? '')))) {
    const d = dispatchTargets(ws, repo, rec, call);
    if (d.targets.length || d.ambiguous?.length) return d;
  }
  if (rec.lang === 'python' && call.args && SPAWN_TARGET.has(call.name)) {
    const spawned = spawnTargetCall(call);
    if (spawned) {
      const r = resolveSameLanguage(ws, repo, rec, spawned);
      if (r.targets.length) return { targets: r.targets.map((t) => ({ ...t, kind: 'spawn' })) };
    }
  }
  if (CHANNEL_SEND.has(call.name) && call.receiver) {
    const ch = channelTargets(ws, repo, rec, call);
    if (ch.length) return { targets: ch };
  }
  const res = resolveSameLanguage(ws, repo, rec, call);
  if (rec.lang === 'python' && !res.targets.length && !res.ambiguous?.length) {
    const returned = returnedMethodTargets(ws, repo, rec, call);
    if (returned.length) return { targets: returned };
  }
  if (call.kind === 'index-launch') {
    const tr = res.targets.filter((t) => (ws.def(t.ref).attrs ?? []).some((a) => /^(triton\.)?jit\b/.test(a)));
    return { targets: tr.map((t) => ({ ...t, kind: 'triton-launch' })) };
  }
  if (rec.lang === 'python') {
    const bridged = pyo3Targets(ws, repo, rec, call, res);
    if (bridged.length) return { targets: bridged };
    const pb = bridgeTables(ws).pybind.get(call.name);
    // A Python placeholder under `if TYPE_CHECKING:` (no calls of its own) stands for the bound C++ method.
    const stubOnly = res.targets.length > 0 && res.targets.every((t) => isTypeCheckingStub(ws, t.ref));
    if (pb && (!res.targets.length || stubOnly)) {
      const out: Target[] = [];
      for (const e of pb) {
        // Bound methods need a receiver; module functions and bound classes may be reached through one (`_ext.f()`).
        if (e.cls && !call.receiver) continue;
        const refs = hostRefs(ws, e.fn).filter((r) => !e.cls || (ws.def(r).container ?? '').split('::').pop() === e.cls);
        const note = e.cls ? `pybind11 class_<${e.cls}>.def("${e.pyName}", &${e.cls}::${e.fn})` : e.isClass ? `pybind11 py::class_<${e.fn}>(m, "${e.pyName}")` : `pybind11 m.def("${e.pyName}", &${e.fn})`;
        for (const ref of refs) out.push({ ref, confidence: stubOnly ? 'receiver' : 'name-only', kind: 'pybind', via: { ...e.site, note } });
      }
      if (out.length) return { targets: out };
    }
  }
  if (rec.lang === 'rust') {
    const f = ffiTargets(ws, res.targets);
    if (f.length) return { targets: [...res.targets.filter((t) => !ws.def(t.ref).decl), ...f] };
  }
  // Dynamo code reaching a definition in another served repo (SGLang): a cross-repo edge.
  for (const t of res.targets) if (t.ref.repo !== repo && (t.kind === 'call' || t.kind === 'await')) t.kind = 'cross-repo';
  return res;
}

/** A Python definition under `if TYPE_CHECKING:` — at run time the name is something else (often a binding). */
function isTypeCheckingStub(ws: Workspace, ref: DefRef): boolean {
  return (ws.def(ref).attrs ?? []).includes('TYPE_CHECKING');
}

/** The #[new] method of a #[pyclass] (what Python's `Class(...)` runs), if it has one. */
function pyo3Constructor(ws: Workspace, structRef: DefRef): DefRef | undefined {
  for (const m of pyo3Methods(ws, ws.def(structRef).name).values()) {
    if ((ws.def(m).attrs ?? []).includes('new')) return m;
  }
  return undefined;
}

const SPAWN_TARGET = new Set(['Thread', 'Process', 'submit', 'run_in_executor', 'to_thread']);

/** `Thread(target=self.loop)` / `executor.submit(fn, ...)`: the function handed over, as a call site. */
function spawnTargetCall(call: Call): Call | undefined {
  const args = call.args ?? '';
  const m = /\btarget\s*=\s*([A-Za-z_][\w.]*)/.exec(args) ?? (call.name !== 'Thread' && call.name !== 'Process' ? /^\(\s*(?:None\s*,\s*)?([A-Za-z_][\w.]*)\s*[,)]/.exec(args) : null);
  if (!m) return undefined;
  const parts = m[1].split('.');
  const name = parts.pop()!;
  return { ...call, name, receiver: parts.length ? parts.join('.') : undefined, sep: parts.length ? '.' : undefined, args: undefined, spawned: true };
}

/** Is the call a `self.m()` in a method of the very class that defines m (not of a subclass)? */
function definedIn(ws: Workspace, ref: DefRef, rec: FileRecord, inIdx: number): boolean {
  const owner = ws.def(ref).container;
  return !!owner && ref.file === rec.path && inIdx >= 0 && rec.defs[inIdx].container === owner;
}
