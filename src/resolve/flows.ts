/**
 * Named flows: end-to-end paths stitched from anchor symbols (data/flows/*.json, names not line numbers).
 * Consecutive anchors are joined by the shortest call path the index finds; where none exists (a hop the
 * static graph cannot see, e.g. an HTTP route or a string-keyed endpoint), the data file's `hop` says how
 * the request travels and the edge is marked as such. Anchors that no longer resolve are reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefRef, Workspace } from '../index/workspace.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { findPaths, refId, walkCallees, type TraceGraph, type WalkOptions } from './graph.js';
import { findDefinitions } from './lookup.js';
import type { EdgeKind } from './resolver.js';

export interface FlowStep {
  symbol: string;
  repo?: string;
  /** How the request reaches this step when no static call path exists. */
  hop?: EdgeKind;
  note?: string;
  /** Branch from an earlier step (its symbol) instead of the previous one. */
  from?: string;
}
export interface Flow { name: string; description: string; steps: FlowStep[] }

let flows: Flow[] | undefined;

export function allFlows(): Flow[] {
  flows ??= readdirSync(join(PACKAGE_ROOT, 'data/flows')).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'data/flows', f), 'utf8')) as Flow);
  return flows;
}

export const flowNames = () => allFlows().map((f) => f.name);
export const flowByName = (name: string) => allFlows().find((f) => f.name === name);

export function runFlow(ws: Workspace, flow: Flow, opts: WalkOptions) {
  const resolved: { step: FlowStep; ref: DefRef }[] = [];
  const missing: string[] = [];
  for (const step of flow.steps) {
    if (step.repo && !ws.repos.has(step.repo)) { missing.push(`${step.repo}:${step.symbol} (repo not served)`); continue; }
    const m = findDefinitions(ws, step.symbol, { repo: step.repo }).filter((x) => x.def.kind !== 'impl');
    if (!m.length) missing.push(step.repo ? `${step.repo}:${step.symbol}` : step.symbol);
    else resolved.push({ step, ref: m[0].ref });
  }
  const g: TraceGraph = { roots: [], nodes: new Map(), edges: [], ambiguities: [], cut: { depth: false, limit: false, unresolved: 0, tests: 0 } };
  const seen = new Set<string>();
  const addGraph = (sub: TraceGraph) => {
    for (const [id, n] of sub.nodes) if (!g.nodes.has(id)) g.nodes.set(id, n);
    for (const e of sub.edges) {
      const k = `${e.from}>${e.to}@${e.line}`;
      if (!seen.has(k)) { seen.add(k); g.edges.push(e); }
    }
  };
  for (let k = 0; k + 1 < resolved.length || k === 0; k++) {
    if (k === 0 && resolved.length) {
      addGraph(walkCallees(ws, [resolved[0].ref], { ...opts, depth: 0 }));
      g.roots.push(refId(resolved[0].ref));
    }
    const next = resolved[k + 1];
    if (!next) break;
    const ref = (next.step.from && resolved.slice(0, k + 1).find((r) => r.step.symbol === next.step.from)?.ref) || resolved[k].ref;
    const path = findPaths(ws, [ref], [next.ref], { ...opts, depth: 4 }, 1);
    if (path.edges.length) { addGraph(path); continue; }
    // No static path: the data file says how the request crosses (HTTP route, endpoint name, queue...).
    const to = walkCallees(ws, [next.ref], { ...opts, depth: 0 });
    addGraph(to);
    const def = ws.def(next.ref);
    g.edges.push({
      from: refId(ref), to: refId(next.ref), repo: next.ref.repo, file: next.ref.file, line: def.line, callee: def.name,
      kind: next.step.hop ?? 'call', confidence: 'name-only',
      via: { repo: next.ref.repo, file: next.ref.file, line: def.line, note: `flow preset: ${next.step.note ?? 'no static call path within 4 hops'}` },
    });
  }
  const starts = resolved.slice(0, 1).map(({ ref }) => ({ name: ws.def(ref).name, loc: { repo: ref.repo, file: ref.file, line: ws.def(ref).line } }));
  return { graph: g, missing, starts };
}
