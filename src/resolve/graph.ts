/**
 * The call graph walk behind `trace`: callees (BFS over resolved call sites), callers (reverse, through
 * every name a definition is reachable by — its own, its Python name, its torch op, its dispatch types),
 * and paths to a target. Edges carry kind, confidence and the call-site evidence; cuts are reported.
 */
import type { Def, ErrorMarkKind } from '../index/model.js';
import { isTestDef, isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { pythonName } from './boundaries.js';
import { bridgeTables } from './bridges.js';
import { callAt, callIndex } from './calls.js';
import { dispatchTables } from './ipc.js';
import { qualifiedName } from './lookup.js';
import { basesOf } from './receivers.js';
import { derived } from './derived.js';
import { CLIENT_SENDS, servedEndpoints } from './endpoints.js';
import { resolveCall, servedHandlers, type Confidence, type EdgeKind, type Target } from './resolver.js';

export interface TraceNode {
  id: string;
  ref: DefRef;
  def: Def;
  label: string;
  lang: string;
  /** Error paths inside the definition (raise/except/Err/`?`). */
  errors: ErrorMarkKind[];
  depth: number;
}

export interface TraceEdge {
  from: string;
  to: string;
  repo: string;
  file: string;
  line: number;
  callee: string;
  kind: EdgeKind;
  confidence: Confidence;
  tried?: boolean;
  via?: Target['via'];
}

export interface Ambiguity {
  from: string;
  repo: string;
  file: string;
  line: number;
  name: string;
  candidates: DefRef[];
}

export interface TraceGraph {
  roots: string[];
  nodes: Map<string, TraceNode>;
  edges: TraceEdge[];
  ambiguities: Ambiguity[];
  cut: { depth: boolean; limit: boolean; unresolved: number; tests: number };
}

export interface WalkOptions {
  depth: number;
  limit: number;
  includeTests: boolean;
}

export const refId = (r: DefRef) => `${r.repo}:${r.file}#${r.i}`;

export function isTestRef(ws: Workspace, ref: DefRef): boolean {
  return isTestPath(ref.file) || isTestDef(ws.def(ref));
}

function makeNode(ws: Workspace, ref: DefRef, depth: number): TraceNode {
  const rec = ws.record(ref.repo, ref.file)!;
  const def = rec.defs[ref.i];
  const errors = [...new Set(rec.errors.filter((e) => e.in === ref.i).map((e) => e.kind))];
  return { id: refId(ref), ref, def, label: qualifiedName(def, rec.lang), lang: rec.lang, errors, depth };
}

function newGraph(): TraceGraph {
  return { roots: [], nodes: new Map(), edges: [], ambiguities: [], cut: { depth: false, limit: false, unresolved: 0, tests: 0 } };
}

/** Calls made directly by a definition, in source order, resolved. */
function outgoing(ws: Workspace, ref: DefRef) {
  const rec = ws.record(ref.repo, ref.file)!;
  const out: { call: ReturnType<typeof callAt>; targets: Target[]; ambiguous?: DefRef[] }[] = [];
  rec.calls.forEach((call) => {
    if (call.in !== ref.i) return;
    const r = resolveCall(ws, ref.repo, rec, call);
    out.push({ call, targets: r.targets, ambiguous: r.ambiguous });
  });
  return out.sort((a, b) => a.call.line - b.call.line || a.call.col - b.call.col);
}

/** Bridges that reach the same function in another language (when the name is the same on both sides). */
const SEE_THROUGH = new Set<EdgeKind>(['pyo3', 'pybind', 'torch-op', 'ffi']);

export function walkCallees(ws: Workspace, starts: DefRef[], opts: WalkOptions): TraceGraph {
  const g = newGraph();
  let frontier: DefRef[] = [];
  for (const s of starts) {
    const n = makeNode(ws, s, 0);
    g.nodes.set(n.id, n);
    g.roots.push(n.id);
    frontier.push(s);
  }
  const seenEdge = new Set<string>();
  for (let depth = 0; depth < opts.depth && frontier.length; depth++) {
    const next: DefRef[] = [];
    // A same-named hop across a language boundary (the Python `topk_softmax` wrapper → its C++ `topk_softmax`
    // through the torch op) is the same function seen from the other side: it costs no depth, so depth 1
    // from a wrapper shows what the implementation calls. Such targets join this level's frontier.
    for (let k = 0; k < frontier.length; k++) {
      const ref = frontier[k];
      const from = refId(ref);
      const name = ws.def(ref).name;
      for (const { call, targets, ambiguous } of outgoing(ws, ref)) {
        if (!targets.length && ambiguous?.length) {
          g.ambiguities.push({ from, repo: ref.repo, file: ref.file, line: call.line, name: call.name, candidates: ambiguous });
          continue;
        }
        if (!targets.length) { g.cut.unresolved++; continue; }
        for (const t of targets) {
          if (!opts.includeTests && isTestRef(ws, t.ref)) { g.cut.tests++; continue; }
          const to = refId(t.ref);
          const key = `${from}>${to}@${call.line}`;
          if (seenEdge.has(key)) continue;
          if (g.edges.length >= opts.limit) { g.cut.limit = true; break; }
          seenEdge.add(key);
          g.edges.push({ from, to, repo: ref.repo, file: ref.file, line: call.line, callee: call.name, kind: t.kind, confidence: t.confidence, tried: call.tried, via: t.via });
          if (!g.nodes.has(to)) {
            const same = SEE_THROUGH.has(t.kind) && ws.def(t.ref).name === name;
            g.nodes.set(to, makeNode(ws, t.ref, same ? depth : depth + 1));
            (same ? frontier : next).push(t.ref);
          }
        }
      }
    }
    frontier = next;
    if (depth === opts.depth - 1 && next.some((r) => outgoing(ws, r).some((o) => o.targets.length))) g.cut.depth = true;
  }
  return g;
}

/** Definitions served as request-plane handlers (refIds). */
const endpointHandlers = derived((ws: Workspace) => new Set(servedEndpoints(ws).flatMap((e) => servedHandlers(ws, e)).map(refId)));

/** Every name a call site could use to reach this definition. */
function namesReaching(ws: Workspace, ref: DefRef, def: Def): string[] {
  const names = new Set([def.name]);
  // A handler served on a Dynamo endpoint is reached by its clients' sends (`client.generate(..)`).
  if (endpointHandlers(ws).has(refId(ref))) for (const n of ['client', ...CLIENT_SENDS]) names.add(n);
  const py = pythonName(def);
  if (py) names.add(py);
  const t = bridgeTables(ws);
  for (const op of t.torch.values()) if (op.impls.some((i) => i.fn === def.name)) names.add(op.name);
  for (const list of t.pybind.values()) for (const e of list) if (e.fn === def.name && (!e.cls || def.container?.split('::').pop() === e.cls)) names.add(e.pyName);
  for (const [, entries] of dispatchTables(ws)) if (entries.some((e) => ws.def(e.handler) === def)) names.add('send_pyobj');
  return [...names];
}

export function walkCallers(ws: Workspace, targets: DefRef[], opts: WalkOptions): TraceGraph {
  const g = newGraph();
  let frontier: DefRef[] = [];
  for (const s of targets) {
    const n = makeNode(ws, s, 0);
    g.nodes.set(n.id, n);
    g.roots.push(n.id);
    frontier.push(s);
  }
  const calls = callIndex(ws);
  const seenEdge = new Set<string>();
  const seenAmb = new Set<string>();
  for (let depth = 0; depth < opts.depth && frontier.length; depth++) {
    const next: DefRef[] = [];
    for (const ref of frontier) {
      const to = refId(ref);
      const def = ws.def(ref);
      // Calls typed as a base class (or the trait) reach this override by dispatch.
      const owner = def.container?.split(/\.|::/).pop();
      const bases = new Set(owner ? basesOf(ws, owner) : []);
      const dispatches = (t: Target) => {
        const d = ws.def(t.ref);
        if (d.name !== def.name || t.ref === ref) return false;
        const o = d.container?.split(/\.|::/).pop();
        return !!o && (bases.has(o) || (!!def.trait && o === def.trait));
      };
      for (const name of namesReaching(ws, ref, def)) {
        for (const cref of calls.get(name) ?? []) {
          const rec = ws.record(cref.repo, cref.file)!;
          const call = rec.calls[cref.i];
          if (!call) continue; // a file whose calls did not decode (cache.ts)
          const r = resolveCall(ws, cref.repo, rec, call);
          const hit = r.targets.find((t) => t.ref.repo === ref.repo && t.ref.file === ref.file && t.ref.i === ref.i) ??
            r.targets.find(dispatches);
          const amb = !hit && r.ambiguous?.some((a) => a.repo === ref.repo && a.file === ref.file && a.i === ref.i);
          if (!hit && !amb) continue;
          if (amb) {
            // A possible caller that name-only resolution cannot confirm: listed, not walked.
            const site = `${cref.repo}:${cref.file}:${call.line}:${call.name}`;
            if (!seenAmb.has(site)) {
              seenAmb.add(site);
              const from = call.in >= 0 ? refId({ repo: cref.repo, file: cref.file, i: call.in }) : `${cref.repo}:${cref.file}`;
              g.ambiguities.push({ from, repo: cref.repo, file: cref.file, line: call.line, name: call.name, candidates: r.ambiguous! });
            }
            continue;
          }
          if (call.in < 0) { g.cut.unresolved++; continue; }
          const callerRef = { repo: cref.repo, file: cref.file, i: call.in };
          if (!opts.includeTests && isTestRef(ws, callerRef)) { g.cut.tests++; continue; }
          const from = refId(callerRef);
          const key = `${from}>${to}@${call.line}`;
          if (seenEdge.has(key)) continue;
          if (g.edges.length >= opts.limit) { g.cut.limit = true; break; }
          seenEdge.add(key);
          g.edges.push({
            from, to, repo: cref.repo, file: cref.file, line: call.line, callee: call.name,
            kind: hit!.kind, confidence: hit!.confidence, tried: call.tried, via: hit!.via,
          });
          if (!g.nodes.has(from)) {
            g.nodes.set(from, makeNode(ws, callerRef, depth + 1));
            next.push(callerRef);
          }
        }
      }
    }
    frontier = next;
    if (depth === opts.depth - 1 && next.length) g.cut.depth = true;
  }
  return g;
}

/** Shortest call paths (up to `max`) from the starts to any of the targets, BFS over callees. */
export function findPaths(ws: Workspace, starts: DefRef[], goals: DefRef[], opts: WalkOptions, max = 3): TraceGraph {
  const goal = new Set(goals.map(refId));
  const parents = new Map<string, { from: string; edge: TraceEdge }[]>();
  const nodes = new Map<string, DefRef>();
  let frontier = starts;
  for (const s of starts) nodes.set(refId(s), s);
  const found: string[] = [];
  const budget = 20_000;
  for (let depth = 0; depth < opts.depth && frontier.length && !found.length; depth++) {
    const next: DefRef[] = [];
    for (const ref of frontier) {
      const from = refId(ref);
      for (const { call, targets } of outgoing(ws, ref)) {
        for (const t of targets) {
          if (!opts.includeTests && isTestRef(ws, t.ref)) continue;
          const to = refId(t.ref);
          const edge: TraceEdge = { from, to, repo: ref.repo, file: ref.file, line: call.line, callee: call.name, kind: t.kind, confidence: t.confidence, tried: call.tried, via: t.via };
          const ps = parents.get(to);
          if (!nodes.has(to)) {
            nodes.set(to, t.ref);
            parents.set(to, [{ from, edge }]);
            next.push(t.ref);
            if (goal.has(to)) found.push(to);
          } else if (ps && ps.length < max && !ps.some((p) => p.from === from) && next.includes(t.ref)) ps.push({ from, edge });
        }
      }
      if (nodes.size > budget) break;
    }
    frontier = next;
  }
  const g = newGraph();
  for (const s of starts) { const n = makeNode(ws, s, 0); g.nodes.set(n.id, n); g.roots.push(n.id); }
  const paths: TraceEdge[][] = [];
  const build = (id: string, acc: TraceEdge[]) => {
    if (paths.length >= max) return;
    const ps = parents.get(id);
    if (!ps) { paths.push([...acc].reverse()); return; }
    for (const p of ps) build(p.from, [...acc, p.edge]);
  };
  for (const f of found) build(f, []);
  // A path that ends on a wrapper whose same-named implementation across a language boundary is also a
  // target (`to: transfer_kv_per_layer`: the Python wrapper, then the C++ function behind its torch op) goes on
  // to it: the agent asked for the function, and that is where it runs.
  for (const path of paths) {
    const end = path.length ? path[path.length - 1].to : undefined;
    const ref = end ? nodes.get(end) : undefined;
    if (!ref) continue;
    const name = ws.def(ref).name;
    const on = outgoing(ws, ref).flatMap(({ call, targets }) => targets.map((t) => ({ call, t })))
      .find(({ t }) => SEE_THROUGH.has(t.kind) && goal.has(refId(t.ref)) && ws.def(t.ref).name === name);
    if (!on) continue;
    nodes.set(refId(on.t.ref), on.t.ref);
    path.push({ from: end!, to: refId(on.t.ref), repo: ref.repo, file: ref.file, line: on.call.line, callee: on.call.name, kind: on.t.kind, confidence: on.t.confidence, tried: on.call.tried, via: on.t.via });
  }
  const seen = new Set<string>();
  for (const path of paths) {
    path.forEach((e, k) => {
      const key = `${e.from}>${e.to}@${e.line}`;
      if (!seen.has(key)) { seen.add(key); g.edges.push(e); }
      if (!g.nodes.has(e.to)) g.nodes.set(e.to, makeNode(ws, nodes.get(e.to)!, k + 1));
    });
  }
  if (!found.length && frontier.length) g.cut.depth = true;
  return g;
}
