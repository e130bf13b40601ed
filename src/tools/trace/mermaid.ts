/**
 * Mermaid rendering of a trace: a sequenceDiagram for callees and paths (messages in call order, DFS from
 * the root), a flowchart for callers. Every participant/node carries file:line; every message its call site.
 */
import type { Workspace } from '../../index/workspace.js';
import type { TraceEdge, TraceGraph, TraceNode } from '../../resolve/graph.js';
import { locText } from '../common.js';

const BRIDGE = new Set(['pyo3', 'pybind', 'torch-op', 'ffi', 'cuda-launch', 'triton-launch', 'ipc', 'endpoint', 'cross-repo', 'channel']);

/** Text safe inside mermaid labels and messages. */
export function safe(text: string): string {
  return text.replace(/["`]/g, "'").replace(/[;#{}|]/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›')).replace(/\s+/g, ' ').trim();
}

function shortLoc(ws: Workspace, n: TraceNode): string {
  const file = n.ref.file.split('/').slice(-2).join('/');
  return `${ws.multiRepo ? n.ref.repo + ':' : ''}${file}:${n.def.line}`;
}

function arrow(e: TraceEdge): string {
  if (e.kind === 'spawn' || e.kind === 'ipc' || e.kind === 'endpoint' || e.kind === 'channel') return '-)';
  return '->>';
}

export function sequenceDiagram(ws: Workspace, g: TraceGraph, maxMessages: number): { text: string; shown: number } {
  const ids = new Map<string, string>();
  const order: string[] = [];
  const alias = (id: string) => {
    let a = ids.get(id);
    if (!a) { a = `P${ids.size}`; ids.set(id, a); order.push(id); }
    return a;
  };
  const byFrom = new Map<string, TraceEdge[]>();
  for (const e of g.edges) {
    const l = byFrom.get(e.from) ?? [];
    l.push(e);
    byFrom.set(e.from, l);
  }
  const msgs: string[] = [];
  const used = new Set<TraceEdge>();
  const visit = (id: string, stack: Set<string>) => {
    alias(id);
    for (const e of byFrom.get(id) ?? []) {
      if (used.has(e) || msgs.length >= maxMessages * 2) continue;
      used.add(e);
      const a = alias(e.from);
      const b = alias(e.to);
      const marks = [e.kind !== 'call' ? e.kind : '', e.tried ? '?' : '', e.confidence === 'name-only' ? 'name-only' : ''].filter(Boolean).join(' ');
      msgs.push(`  ${a}${arrow(e)}${b}: ${safe(`${e.callee}() ${e.file.split('/').pop()}:${e.line}${marks ? ` [${marks}]` : ''}`)}`);
      if (e.via && BRIDGE.has(e.kind)) msgs.push(`  Note over ${a},${b}: ${safe(`${e.kind}: ${e.via.note} (${e.via.file.split('/').pop()}:${e.via.line})`)}`);
      if (!stack.has(e.to)) {
        stack.add(e.to);
        visit(e.to, stack);
        stack.delete(e.to);
      }
    }
  };
  for (const r of g.roots) visit(r, new Set([r]));
  const lines = ['sequenceDiagram'];
  for (const id of order) {
    const n = g.nodes.get(id)!;
    lines.push(`  participant ${ids.get(id)} as ${safe(n.label)}<br/>${safe(shortLoc(ws, n))}`);
  }
  lines.push(...msgs);
  return { text: lines.join('\n'), shown: used.size };
}

export function flowchart(ws: Workspace, g: TraceGraph, maxEdges: number): { text: string; shown: number } {
  const ids = new Map<string, string>();
  const lines = ['flowchart LR'];
  const node = (id: string) => {
    let a = ids.get(id);
    if (!a) {
      a = `N${ids.size}`;
      ids.set(id, a);
      const n = g.nodes.get(id)!;
      lines.push(`  ${a}["${safe(n.label)}<br/>${safe(shortLoc(ws, n))}"]`);
    }
    return a;
  };
  for (const r of g.roots) node(r);
  let shown = 0;
  for (const e of g.edges.slice(0, maxEdges)) {
    const a = node(e.from);
    const b = node(e.to);
    const label = safe(`${e.file.split('/').pop()}:${e.line}${e.kind !== 'call' ? ' ' + e.kind : ''}`);
    lines.push(`  ${a} -->|"${label}"| ${b}`);
    shown++;
  }
  for (const r of g.roots) lines.push(`  style ${ids.get(r)} stroke-width:3px`);
  void locText;
  return { text: lines.join('\n'), shown };
}
