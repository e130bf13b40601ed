/** The `trace` tool: call chains across files, languages and repos, with a mermaid diagram and hop list. */
import * as z from 'zod';
import { UserError } from '../errors.js';
import { isTestPath } from '../index/paths.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { findPaths, walkCallees, walkCallers, type TraceEdge, type TraceGraph } from '../resolve/graph.js';
import { qualifiedName, requireDefinitions } from '../resolve/lookup.js';
import { flowByName, flowNames, runFlow } from '../resolve/flows.js';
import {
  budgetChars, fitBlocks, kindText, plural, formatField, indexedInfo, indexedLine, indexedSchema, limitField, loc, locSchema, locText, pickRepos, repoField,
} from './common.js';
import { normalisePath, splitRepoPath } from './explore/outline.js';
import { flowchart, sequenceDiagram } from './trace/mermaid.js';
import { defineTool } from './types.js';

const input = {
  symbol: z.string().max(300).optional().describe('Start definition: Name, Type.method, Type::method, pkg.module.Name or path/file.py:Name. The best-ranked definition is used; others are listed.'),
  file: z.string().max(1000).optional().describe('Start from the function enclosing file:line (with `line`), repo-relative, e.g. "lib/llm/src/kv_router.rs".'),
  line: z.number().int().min(1).optional().describe('1-based line inside `file`; the enclosing function is the start.'),
  direction: z.enum(['callees', 'callers', 'both']).optional().describe('callees (default): what the start calls; callers: who calls it; both.'),
  depth: z.number().int().min(1).max(10).optional().describe('Hops to follow (default 3, max 10).'),
  to: z.string().max(300).optional().describe('Find call paths from the start to this symbol (shortest first, up to 3).'),
  flow: z.string().max(64).optional().describe('A named end-to-end flow preset: inference-request, kv-cache-lookup, kv-events, disagg-handoff, hicache. Ignores symbol/file.'),
  diagram: z.enum(['sequence', 'flowchart', 'none']).optional().describe('Mermaid diagram type (default: sequence for callees/paths, flowchart for callers).'),
  include_tests: z.boolean().optional().describe('Follow calls into and from test code (default false).'),
  repo: repoField,
  limit: limitField(60, 300),
  format: formatField,
};

const nodeSchema = z.object({
  id: z.string(), name: z.string(), kind: z.string(), lang: z.string(), loc: locSchema, errors: z.array(z.string()),
  declaration: z.boolean().optional()
    .describe('A prototype without a body. In C/C++/CUDA the resolver prefers bodies, so no function of this name has one in the served repos.'),
});
const edgeSchema = z.object({
  from: z.string(), to: z.string(), repo: z.string(), file: z.string(), line: z.number(), callee: z.string(),
  kind: z.string(), confidence: z.string(), error: z.boolean().optional(), via: z.object({ loc: locSchema, note: z.string() }).optional(),
});

const output = {
  start: z.array(z.object({ name: z.string(), loc: locSchema })),
  direction: z.string(),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
  ambiguities: z.array(z.object({ at: locSchema, name: z.string(), candidates: z.array(locSchema) })),
  cut: z.object({ depth: z.boolean(), limit: z.boolean(), unresolved: z.number(), tests: z.number() }),
  mermaid: z.string().optional(),
  missingAnchors: z.array(z.string()).optional(),
  /** `to` found no path: nodes/edges then show what the start reaches (2 hops) instead. */
  noPath: z.boolean().optional(),
  indexed: indexedSchema,
};

export function startFromFileLine(ws: Workspace, rawFile: string, line: number, repo?: string): DefRef {
  const split = splitRepoPath(ws, rawFile);
  const path = normalisePath(split.path);
  for (const r of pickRepos(ws, split.repo ?? repo)) {
    const rec = r.files.get(path);
    if (!rec) continue;
    if (line > rec.lines) throw new UserError(`line ${line} is past the end of ${path} (${rec.lines} lines).`, `{"file": "${path}", "line": ${Math.min(rec.lines, 10)}}`);
    let best = -1;
    rec.defs.forEach((d, i) => {
      if (d.line <= line && d.endLine >= line && (d.kind === 'function' || d.kind === 'method') && (best < 0 || d.line >= rec.defs[best].line)) best = i;
    });
    if (best < 0) throw new UserError(`No function encloses ${path}:${line}.`, `{"file": "${path}", "line": ${rec.defs.find((d) => d.kind === 'function' || d.kind === 'method')?.line ?? 1}}`);
    return { repo: r.name, file: path, i: best };
  }
  throw new UserError(`File "${path}" is not an indexed source file of ${pickRepos(ws, repo).map((r) => r.name).join(', ')}.`, '{"file": "python/sglang/srt/managers/scheduler.py", "line": 1000}');
}

export function renderGraph(ws: Workspace, g: TraceGraph, direction: string, diagram: string, detailed: boolean, budget: number) {
  const parts: string[] = [];
  let mermaid: string | undefined;
  if (diagram !== 'none' && g.edges.length) {
    const max = detailed ? 80 : 40;
    const d = diagram === 'flowchart' ? flowchart(ws, g, max) : sequenceDiagram(ws, g, max);
    mermaid = d.text;
    parts.push('```mermaid\n' + d.text + '\n```');
    if (d.shown < g.edges.length) parts.push(`_Diagram shows ${d.shown} of ${g.edges.length} hops; all are listed below._`);
  }
  // Labels shared by several definitions (the CUDA and CPU `silu_and_mul`) get their file to tell them apart.
  const count = new Map<string, number>();
  for (const n of g.nodes.values()) count.set(n.label, (count.get(n.label) ?? 0) + 1);
  const label = (id: string) => {
    const n = g.nodes.get(id)!;
    return (count.get(n.label) ?? 0) > 1 ? `${n.label} (${n.ref.file.split('/').slice(-2).join('/')}:${n.def.line})` : n.label;
  };
  // One hop per (caller, callee, kind): repeated calls of the same function are one line with all call sites.
  const merged = new Map<string, { e: TraceEdge; lines: number[] }>();
  for (const e of g.edges) {
    const k = `${e.from}>${e.to}>${e.kind}>${e.file}`;
    const m = merged.get(k);
    if (m) m.lines.push(e.line);
    else merged.set(k, { e, lines: [e.line] });
  }
  const hops = [...merged.values()].map(({ e, lines }, k) => {
    const callee = g.nodes.get(e.to)!;
    const marks = [e.kind, e.confidence, e.tried ? 'error path: ?' : '', callee.errors.length ? `callee ${callee.errors.join('/')}` : ''].filter(Boolean).join(', ');
    const viaAt = e.via && !(e.via.file === callee.ref.file && e.via.line === callee.def.line) ? ` @ ${locText(ws, e.via.repo, e.via.file, e.via.line)}` : '';
    const via = e.via ? ` — via ${e.via.note}${viaAt}` : '';
    const more = lines.length > 1 ? ` (+${lines.length - 1}: ${lines.slice(1, 6).join(', ')}${lines.length > 6 ? ', …' : ''})` : '';
    return `${k + 1}. \`${label(e.from)}\` → \`${label(e.to)}\` @ ${locText(ws, e.repo, e.file, e.line)}${more} [${marks}]${via}`;
  });
  if (hops.length) parts.push(`**Hops (${direction})**`);
  // A C/C++/CUDA prototype in a trace means no function of that name has a body in the served repos (the
  // resolver prefers definitions): say so, the body is likely in a dependency (flashinfer, CUTLASS...).
  const bodyless = (n: { lang: string; def: { decl?: boolean } }) => n.def.decl && ['c', 'cpp', 'cuda'].includes(n.lang)
    ? '; its body is not in the served repos: a dependency\'s?' : '';
  const defs = [...g.nodes.values()].map((n) => `- \`${n.label}\` — ${locText(ws, n.ref.repo, n.ref.file, n.def.line, n.def.endLine)} (${n.lang} ${kindText(n.def)}${bodyless(n)})`);
  const fixed = parts.join('\n\n').length;
  const fit = fitBlocks(hops, Math.max(2000, budget - fixed - 4000));
  if (hops.length) parts.push(fit.text + (fit.shown < hops.length ? `\n_…${hops.length - fit.shown} more hops cut: lower depth or use format "detailed"._` : ''));
  if (defs.length > 1) {
    const dfit = fitBlocks(defs, Math.max(1500, budget - parts.join('\n\n').length - 1500));
    parts.push(`**Definitions**\n${dfit.text}${dfit.shown < defs.length ? `\n- … ${defs.length - dfit.shown} more (see structuredContent.nodes)` : ''}`);
  }
  if (g.ambiguities.length) {
    const amb = g.ambiguities.slice(0, detailed ? 20 : 8).map((a) => {
      const c = a.candidates.slice(0, 4).map((r) => locText(ws, r.repo, r.file, ws.def(r).line)).join(', ');
      return `- \`${a.name}\` at ${locText(ws, a.repo, a.file, a.line)}: ${a.candidates.length} candidates (${c}${a.candidates.length > 4 ? ', …' : ''})`;
    });
    parts.push(`**Ambiguous calls (not followed; name-only among several definitions)**\n${amb.join('\n')}${g.ambiguities.length > amb.length ? `\n- … ${g.ambiguities.length - amb.length} more` : ''}`);
  }
  const cut: string[] = [];
  if (g.cut.depth) cut.push('depth limit reached (more calls below; raise depth)');
  if (g.cut.limit) cut.push('hop limit reached (raise limit or narrow the start)');
  if (g.cut.unresolved) cut.push(`${g.cut.unresolved} calls to code outside the index (libraries, builtins) or generic names left out`);
  if (g.cut.tests) cut.push(`${g.cut.tests} test-code hops hidden (include_tests: true shows them)`);
  if (cut.length) parts.push(`**Cut**: ${cut.join('; ')}.`);
  return { text: parts.join('\n\n'), mermaid };
}

export function graphStructured(ws: Workspace, g: TraceGraph) {
  return {
    nodes: [...g.nodes.values()].map((n) => ({
      id: n.id, name: n.label, kind: n.def.kind, lang: n.lang, loc: loc(n.ref.repo, n.ref.file, n.def.line, n.def.endLine), errors: n.errors,
      ...(n.def.decl ? { declaration: true } : {}),
    })),
    edges: g.edges.map((e) => ({
      from: e.from, to: e.to, repo: e.repo, file: e.file, line: e.line, callee: e.callee, kind: e.kind, confidence: e.confidence,
      ...(e.tried ? { error: true } : {}), ...(e.via ? { via: { loc: loc(e.via.repo, e.via.file, e.via.line), note: e.via.note } } : {}),
    })),
    ambiguities: g.ambiguities.map((a) => ({ at: loc(a.repo, a.file, a.line), name: a.name, candidates: a.candidates.map((r) => loc(r.repo, r.file, ws.def(r).line)) })),
    cut: g.cut,
  };
}

export const traceTool = defineTool({
  name: 'trace',
  title: 'Trace call chains across languages and repos',
  description: [
    'Follow calls from a function (callees), to it (callers) or between two functions (to), across files, languages and repos:',
    'Python → Rust through PyO3, Python → torch op → C++ → CUDA kernel, Rust → extern "C" → CUDA, Triton launches, ZMQ hops between SGLang processes, Dynamo → SGLang.',
    'Or pass flow (inference-request, kv-cache-lookup, kv-events, disagg-handoff, hicache) for a stitched end-to-end path.',
    'Returns a mermaid diagram (file:line on every participant), the hop list with call-site evidence, edge kind and confidence (exact/import/receiver/name-only),',
    'ambiguous calls with their candidates, and what was cut. Start with depth 2-3; use explore first if you do not know the symbol name.',
  ].join(' '),
  input,
  output,
  async run(args, { ws }) {
    const repos = pickRepos(ws, args.repo);
    const detailed = args.format === 'detailed';
    const budget = budgetChars(args.format);
    const opts = { depth: args.depth ?? 3, limit: args.limit ?? 60, includeTests: args.include_tests ?? false };
    const footer = indexedLine(repos);
    const indexed = indexedInfo(repos);

    if (args.flow !== undefined) {
      const flow = flowByName(args.flow);
      if (!flow) throw new UserError(`Unknown flow "${args.flow}". Flows: ${flowNames().join(', ')}.`, '{"flow": "inference-request"}');
      const r = runFlow(ws, flow, opts);
      const body = renderGraph(ws, r.graph, 'flow', args.diagram ?? 'sequence', detailed, budget);
      const missing = r.missing.length ? `\n\n**Anchors that no longer resolve**: ${r.missing.map((m) => `\`${m}\``).join(', ')} — the rest of the flow is shown.` : '';
      const text = `**Flow \`${flow.name}\`** — ${flow.description}\n\n${body.text}${missing}\n\n${footer}`;
      return { text, structured: { start: r.starts, direction: 'flow', ...graphStructured(ws, r.graph), ...(body.mermaid ? { mermaid: body.mermaid } : {}), missingAnchors: r.missing, indexed } };
    }

    const direction = args.to ? 'path' : args.direction ?? 'callees';
    let starts: DefRef[];
    let others = '';
    if (args.symbol !== undefined) {
      const matches = requireDefinitions(ws, args.symbol, { repo: args.repo }).filter((m) => m.def.kind !== 'impl');
      if (!matches.length) throw new UserError(`"${args.symbol}" only names impl blocks; trace a method instead, e.g. "${args.symbol}::new".`);
      const nameOf = (m: (typeof matches)[number]) => qualifiedName(m.def, ws.record(m.ref.repo, m.ref.file)!.lang);
      // Callers of a qualified name defined alike in several places (`Indexer::find_matches` in two crates):
      // each definition has its own callers, and picking one would hide the others' — trace from all (≤4).
      const first = nameOf(matches[0]);
      const twins = direction === 'callers' && /\.|::/.test(args.symbol)
        ? matches.filter((m) => nameOf(m) === first && m.def.kind === matches[0].def.kind && isTestPath(m.ref.file) === isTestPath(matches[0].ref.file)).slice(0, 4)
        : matches.slice(0, 1);
      starts = twins.map((m) => m.ref);
      const rest = matches.filter((m) => !twins.includes(m));
      if (twins.length > 1) others = `\n_Traced from the ${twins.length} definitions of \`${first}\`: ${twins.map((m) => locText(ws, m.ref.repo, m.ref.file, m.def.line)).join(', ')}._`;
      if (rest.length) {
        const listed = rest.slice(0, 5).map((m) => `\`${nameOf(m)}\` ${locText(ws, m.ref.repo, m.ref.file, m.def.line)}`);
        others += `\n_${rest.length} other definition(s) of \`${args.symbol}\`: ${listed.join(', ')}${rest.length > 5 ? ', …' : ''} — pass Type.method or file.py:Name to pick one._`;
      }
    } else if (args.file !== undefined) {
      if (args.line === undefined) throw new UserError('file needs line: the function enclosing file:line is the start.', `{"file": "${args.file}", "line": 100}`);
      starts = [startFromFileLine(ws, args.file, args.line, args.repo)];
    } else {
      throw new UserError('Pass symbol, file+line, or flow.', '{"symbol": "Scheduler.handle_generate_request", "depth": 2}');
    }

    let g: TraceGraph;
    let partial = false;
    if (args.to) {
      const goals = requireDefinitions(ws, args.to).map((m) => m.ref);
      g = findPaths(ws, starts, goals, { ...opts, depth: args.depth ?? 6 });
      if (!g.edges.length) {
        // No full path: show where the start does lead, so the agent sees the hop where resolution stops.
        g = walkCallees(ws, starts, { ...opts, depth: 2 });
        partial = true;
      }
    } else if (direction === 'callers') {
      g = walkCallers(ws, starts, opts);
    } else if (direction === 'both') {
      const down = walkCallees(ws, starts, opts);
      const up = walkCallers(ws, starts, opts);
      g = { ...down, nodes: new Map([...down.nodes, ...up.nodes]), edges: [...up.edges, ...down.edges], ambiguities: [...up.ambiguities, ...down.ambiguities],
        cut: { depth: down.cut.depth || up.cut.depth, limit: down.cut.limit || up.cut.limit, unresolved: down.cut.unresolved + up.cut.unresolved, tests: down.cut.tests + up.cut.tests } };
    } else {
      g = walkCallees(ws, starts, opts);
    }
    const startNode = g.nodes.get(g.roots[0])!;
    const diagram = args.diagram ?? (direction === 'callers' ? 'flowchart' : 'sequence');
    const body = renderGraph(ws, g, direction, diagram, detailed, budget);
    const head = `**trace ${direction} of \`${startNode.label}\`** — ${locText(ws, startNode.ref.repo, startNode.ref.file, startNode.def.line, startNode.def.endLine)}; ` +
      `${plural(g.edges.length, 'hop')}, ${plural(g.nodes.size, 'definition')}${args.to ? `, target \`${args.to}\`` : `, depth ${opts.depth}`}${others}`;
    const none = partial
      ? `\n\n**No call path found** from \`${startNode.label}\` to \`${args.to}\` within depth ${args.depth ?? 6}. Below: what the start reaches in 2 hops, with the ambiguous calls where resolution stops — trace callers of the target, or pick a candidate and trace from it.`
      : !g.edges.length ? `\n\nNo ${direction} found in the index.` : '';
    return {
      text: `${head}${none}\n\n${body.text}\n\n${footer}`,
      structured: { start: starts.map((s) => ({ name: qualifiedName(ws.def(s), ws.record(s.repo, s.file)!.lang), loc: loc(s.repo, s.file, ws.def(s).line) })), direction, ...(partial ? { noPath: true } : {}), ...graphStructured(ws, g), ...(body.mermaid ? { mermaid: body.mermaid } : {}), indexed },
    };
  },
});
