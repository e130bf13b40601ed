/**
 * trace on the fixture workspace for the trace tests: runs the tool, checks the answer is not an
 * error and its diagram parses, records a golden when named, and flattens the edges to `file:line` strings.
 */
import assert from 'node:assert/strict';
import { runTool } from '../../src/server/boundary.js';
import { traceTool } from '../../src/tools/trace.js';
import type { ToolSpec } from '../../src/tools/types.js';
import { fixtureWorkspace } from './fixture.js';
import { assertGolden } from './golden.js';
import { assertValidMermaid } from './mermaid.js';

export type Edge = { from: string; to: string; toRepo: string; at: string; kind: string; confidence: string; callee: string; error: boolean; via?: string; note?: string };

export async function trace(args: Record<string, unknown>, golden?: string): Promise<{ s: Record<string, any>; es: Edge[]; text: string }> {
  const ws = await fixtureWorkspace();
  const r = await runTool(traceTool as unknown as ToolSpec, args, { ws });
  const text = r.content.map((c) => c.text).join('\n');
  assert.notEqual(r.isError, true, text);
  const s = r.structuredContent as Record<string, any>;
  if (s.mermaid) await assertValidMermaid(s.mermaid, `trace ${JSON.stringify(args)}`);
  if (golden) assertGolden(golden, text);
  return { s, es: edgesOf(s), text };
}

/** An answer's edges with their endpoints and call site as `file:line`. */
export function edgesOf(s: Record<string, any>): Edge[] {
  const node = (id: string) => s.nodes.find((x: any) => x.id === id);
  return s.edges.map((e: any) => ({
    from: `${node(e.from).loc.file}:${node(e.from).loc.line}`, to: `${node(e.to).loc.file}:${node(e.to).loc.line}`, toRepo: node(e.to).loc.repo,
    at: `${e.file}:${e.line}`, kind: e.kind, confidence: e.confidence, callee: e.callee, error: e.error === true,
    ...(e.via ? { via: `${e.via.loc.file}:${e.via.loc.line}`, note: e.via.note } : {}),
  }));
}

/** The one edge from the call site `at` to the definition `to`; fails listing every edge otherwise. */
export function edge(es: Edge[], at: string, to: string): Edge {
  const hits = es.filter((e) => e.at === at && e.to === to);
  assert.equal(hits.length, 1, `expected one edge ${at} → ${to}; edges:\n${es.map((e) => `  ${e.at} → ${e.to} [${e.kind}]`).join('\n')}`);
  return hits[0];
}
