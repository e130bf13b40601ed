/** MCP wiring: registers every tool (and prompts/resources) on an McpServer over stdio. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { CallToolRequestSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Workspace } from '../index/workspace.js';
import { log } from '../log.js';
import { TOOLS } from '../tools/index.js';
import { prewarm } from '../tools/prewarm.js';
import type { ToolContext, ToolSpec } from '../tools/types.js';
import { errorResult, runTool, type BoundaryResult } from './boundary.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { VERSION } from '../version.js';

const ANNOTATIONS = { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false } as const;

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Tool calls running per workspace: background prewarming waits while there are any. */
const inFlight = new WeakMap<Workspace, number>();

export function createServer(ws: Workspace): McpServer {
  const server = new McpServer({ name: 'dynamo-sglang-mcp', version: VERSION }, {
    capabilities: { logging: {} },
    instructions: 'Code intelligence over local checkouts of NVIDIA Dynamo and SGLang (and any git repo): ' +
      'explore (architecture, outlines, definitions, topics), trace (call chains across files, languages and repos, with mermaid), ' +
      'blame (who/when/why, by line range or symbol), grep (search that names the enclosing symbol of each hit). ' +
      'Answers cite repo-relative file:line.',
  });
  const answer = async (tool: ToolSpec, args: unknown, extra: Extra): Promise<BoundaryResult> => {
    const token = extra._meta?.progressToken;
    const ctx: ToolContext = {
      ws,
      signal: extra.signal,
      progress: token === undefined ? undefined : (done, total, message) => {
        void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => {});
      },
    };
    inFlight.set(ws, (inFlight.get(ws) ?? 0) + 1);
    try {
      return await runTool(tool, args, ctx);
    } finally {
      inFlight.set(ws, inFlight.get(ws)! - 1);
    }
  };
  const checked = new Map<string, { tool: ToolSpec; input: ArgumentChecker; output: z.ZodObject }>();
  for (const tool of TOOLS) {
    const input = z.object(tool.input).strict();
    server.registerTool(tool.name, {
      title: tool.title,
      description: tool.description,
      inputSchema: input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...ANNOTATIONS },
    }, async (args: unknown, extra) => (await answer(tool, args, extra)) as never);
    checked.set(tool.name, { tool, input: argumentChecker(tool, input), output: z.object(tool.output) });
  }
  // Our own tools/call handler in place of the SDK's: the same steps (look up, validate, run, check the
  // output), but a bad argument gets a message that names the field, says what it takes, and shows a valid call.
  server.server.removeRequestHandler('tools/call');
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const entry = checked.get(request.params.name);
    if (!entry) {
      return errorResult(`Unknown tool "${clip(request.params.name)}". Tools: ${[...checked.keys()].join(', ')}.\n` +
        `Example of a valid call: explore {"symbol": "RadixCache"}`) as never;
    }
    const args = entry.input(request.params.arguments ?? {}, ws.config.repos.map((r) => r.name));
    if (!args.ok) return errorResult(args.message) as never;
    const res = await answer(entry.tool, args.data, extra);
    if (!res.isError) {
      const out = entry.output.safeParse(res.structuredContent ?? {});
      if (!out.success) {
        log(`${entry.tool.name}: structuredContent does not match the outputSchema: ${JSON.stringify(out.error.issues).slice(0, 2000)}`);
        return errorResult(`${entry.tool.name} failed with an internal error: its answer did not match its output schema. The server is still running; try a narrower call.`) as never;
      }
    }
    return res as never;
  });
  registerPrompts(server, ws);
  registerResources(server, ws);
  return server;
}

// ---------------------------------------------------------------------------------------------------
// Argument validation with messages an agent can act on: the field, what it takes, what it got, and a
// valid call. Numbers and booleans sent as strings ("10", "true") are accepted; everything else is strict
// (unknown parameters are refused, with the nearest known name).

type ArgumentChecker = (raw: unknown, repos: string[]) => { ok: true; data: Record<string, unknown> } | { ok: false; message: string };

interface FieldSchema { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number }

/** A valid call per tool, and per field a valid call that uses that field (`*`: the tool's base example). */
const EXAMPLES: Record<string, Record<string, Record<string, unknown>>> = {
  explore: {
    '*': { symbol: 'RadixCache' }, path: { path: 'python/sglang/srt/managers' }, query: { query: 'radix cache eviction' },
    kind: { symbol: 'RadixCache', kind: 'class' }, cursor: { symbol: 'RadixCache', limit: 10 }, repo: { repo: 'sglang' },
  },
  trace: {
    '*': { symbol: 'Scheduler.handle_generate_request', depth: 2 }, file: { file: 'python/sglang/srt/managers/scheduler.py', line: 100 },
    line: { file: 'python/sglang/srt/managers/scheduler.py', line: 100 }, flow: { flow: 'inference-request' },
    to: { symbol: 'Scheduler.handle_generate_request', to: 'RadixCache.match_prefix' },
    repo: { symbol: 'Scheduler.handle_generate_request', repo: 'sglang' },
  },
  blame: {
    '*': { file: 'lib/llm/src/kv_router.rs', start_line: 10, end_line: 40 }, symbol: { symbol: 'RadixCache.evict' },
    history: { symbol: 'RadixCache.evict', history: true }, max_commits: { symbol: 'RadixCache.evict', history: true, max_commits: 5 },
    repo: { repo: 'dynamo', file: 'lib/llm/src/kv_router.rs', start_line: 10, end_line: 40 },
  },
  grep: { '*': { pattern: 'def evict', path: 'python/**' }, cursor: { pattern: 'def evict', limit: 20 }, repo: { pattern: 'def evict', repo: 'sglang' } },
};

function argumentChecker(tool: ToolSpec, schema: z.ZodObject): ArgumentChecker {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, FieldSchema>; required?: string[] };
  const fields = json.properties ?? {};
  const names = Object.keys(fields);
  return (raw, repos) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { ok: false, message: `${tool.name} takes an object of named parameters (${names.join(', ')}).\n${example(tool, undefined, fields, repos)}` };
    }
    const args: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    for (const [k, v] of Object.entries(args)) {
      const f = Object.hasOwn(fields, k) ? fields[k] : undefined;
      if (typeof v !== 'string' || !f) continue;
      if ((f.type === 'integer' || f.type === 'number') && /^-?\d{1,15}(\.\d+)?$/.test(v.trim())) args[k] = Number(v.trim());
      else if (f.type === 'boolean' && /^(true|false)$/i.test(v.trim())) args[k] = v.trim().toLowerCase() === 'true';
    }
    const parsed = schema.safeParse(args);
    if (parsed.success) return { ok: true, data: parsed.data as Record<string, unknown> };
    const problems: string[] = [];
    let focus: string | undefined;
    for (const issue of parsed.error.issues.slice(0, 8)) {
      if (issue.code === 'unrecognized_keys') {
        const unknown = issue.keys.slice(0, 5).map((key) => {
          const near = nearest(key, names);
          focus ??= near;
          return `\`${clip(key)}\`${near ? ` (did you mean \`${near}\`?)` : ''}`;
        });
        const more = issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : '';
        problems.push(`unknown parameter${issue.keys.length > 1 ? 's' : ''} ${unknown.join(', ')}${more}; ${tool.name} takes ${names.map((n) => `\`${n}\``).join(', ')}.`);
        continue;
      }
      const key = String(issue.path[0] ?? '');
      const f = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (!f) {
        problems.push(issue.message);
        continue;
      }
      focus ??= key;
      const got = args[key];
      problems.push(got === undefined
        ? `\`${key}\` is required: ${expected(f)}.`
        : `\`${key}\` must be ${expected(f)}; got ${describe(got)}.`);
    }
    const head = `Invalid arguments for ${tool.name}:${problems.length > 1 ? '\n' + problems.map((p) => `- ${p}`).join('\n') : ' ' + problems[0]}`;
    return { ok: false, message: `${head}\n${example(tool, focus, fields, repos)}` };
  };
}

function expected(f: FieldSchema): string {
  if (f.enum) return `one of ${f.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (f.type === 'integer' || f.type === 'number') {
    const kind = f.type === 'integer' ? 'an integer' : 'a number';
    if (f.minimum !== undefined && f.maximum !== undefined) return `${kind} from ${f.minimum} to ${f.maximum}`;
    if (f.minimum !== undefined) return `${kind} of at least ${f.minimum}`;
    return kind;
  }
  if (f.type === 'boolean') return 'true or false';
  if (f.type === 'string') return f.maxLength !== undefined ? `a string of at most ${f.maxLength} characters` : 'a string';
  return `a ${f.type ?? 'value'}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length} item(s)`;
  if (typeof v === 'string') return v.length > 60 ? `a string of ${v.length} characters` : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function example(tool: ToolSpec, field: string | undefined, fields: Record<string, FieldSchema>, repos: string[]): string {
  const table = EXAMPLES[tool.name] ?? {};
  const call: Record<string, unknown> = { ...((field && Object.hasOwn(table, field) ? table[field] : table['*']) ?? {}) };
  if (field && !Object.hasOwn(call, field) && Object.hasOwn(fields, field)) {
    const f = fields[field];
    if (f.enum) call[field] = f.enum[0];
    else if (f.type === 'integer' || f.type === 'number') call[field] = Math.min(f.maximum ?? 10, Math.max(f.minimum ?? 1, 10));
    else if (f.type === 'boolean') call[field] = true;
  }
  // An example naming a repo that is not served names one that is.
  if (typeof call.repo === 'string' && repos.length && !repos.includes(call.repo)) call.repo = repos[0];
  return `Example of a valid call: ${tool.name} {${Object.entries(call).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

/** The known name closest to `key` (case-insensitive, within two edits, or sharing a prefix), if any. */
function nearest(key: string, names: string[]): string | undefined {
  const k = key.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    if (k.length >= 3 && (n.startsWith(k) || k.startsWith(n))) return n;
    const d = k.length > 40 ? 99 : distance(k, n);
    if (d < bestD) { best = n; bestD = d; }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

export async function serveStdio(ws: Workspace): Promise<void> {
  const server = createServer(ws);
  // Messages the SDK cannot parse or validate (bad JSON, a wrong-typed progressToken…) are dropped by it
  // without a response; say so on stderr rather than nowhere.
  server.server.onerror = (e) => log(`protocol error (message ignored): ${String(e.message ?? e).replace(/\s+/g, ' ').slice(0, 300)}`);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // MCP stdio shutdown: the client closes our stdin and waits for us to exit; background indexing must not keep us alive.
  process.stdin.once('end', () => process.exit(0));
  log(`serving ${[...ws.config.repos].map((r) => `${r.name}=${r.root}`).join(', ')} over stdio`);
  // Index in the background as soon as the handshake is answered: loading the cache keeps this thread busy
  // for a few hundred ms, and the client waits for the initialize response (its tools are not listed until
  // then). A call that arrives first starts the index itself and waits for it; a client that never sends
  // `initialized` gets it started a moment later anyway.
  let started = false;
  const start = (after: string): void => {
    if (started) return;
    started = true;
    const t0 = performance.now();
    ws.ready().then(
      () => {
        log(`index ready in ${Math.round(performance.now() - t0)} ms (started ${after})`);
        if (process.env.DSM_PREWARM !== '0') setTimeout(() => void prewarmLogged(ws), PREWARM_DELAY_MS).unref();
      },
      (e) => log(`indexing failed: ${(e as Error).stack ?? e}`),
    );
  };
  server.server.oninitialized = () => start('after the handshake');
  setTimeout(() => start(`${START_WITHOUT_HANDSHAKE_MS} ms after connecting, with no handshake`), START_WITHOUT_HANDSHAKE_MS).unref();
}

/** When a client has not completed the handshake by then, the index starts loading anyway. */
const START_WITHOUT_HANDSHAKE_MS = 1000;

/** After the index is ready, the client's handshake usually still runs; prewarming starts shortly after. */
const PREWARM_DELAY_MS = 200;

async function prewarmLogged(ws: Workspace): Promise<void> {
  const t = performance.now();
  const took = await prewarm(ws, { stop: () => ws.isClosed, busy: () => (inFlight.get(ws) ?? 0) > 0 });
  log(`prewarmed in ${Math.round(performance.now() - t)} ms (${Object.entries(took).map(([k, ms]) => `${k} ${ms}`).join(', ')}); DSM_PREWARM=0 turns this off`);
}
