/**
 * The Dynamo request plane: a worker serves a handler on `namespace/component/endpoint`
 * (`endpoint.serve_endpoint(handler.generate)`), and a client reaches it by the same three names
 * (`runtime.namespace("dynamo").component("backend").endpoint("generate").client()`, or the path form
 * `runtime.endpoint("dynamo.backend.generate")`). This module derives each side's key from call records and
 * links a client to the handler(s) served under the same key.
 *
 * What a name can be: a string literal, an f-string (each `{...}` part evaluated the same way), a module-level
 * constant of the file or one imported from another module (`NAME = "..."`, read from its source line), a
 * local variable bound on one line, or `obj.field` where `obj`'s type is a class whose field defaults to one of
 * those (`config.endpoint` with `config: Config`, `endpoint: str = DEFAULT_ENDPOINT`). Anything else
 * (argparse results, values computed at run time) is unknown, and a key with an unknown component or
 * endpoint links nothing.
 */
import type { Call, FileRecord } from '../index/model.js';
import { isTestPath } from '../index/paths.js';
import type { Workspace } from '../index/workspace.js';
import { derived } from './derived.js';
import type { Site } from './bridges.js';
import { importsOf, resolvePythonModule } from './modules.js';
import { typeNames } from './receivers.js';
import { sourceLines } from './source.js';

/** One part of an endpoint path: its text, or undefined when it cannot be known statically. */
export interface EndpointKey { ns?: string; comp?: string; ep?: string }

export interface ServedEndpoint {
  key: EndpointKey;
  /** The `serve_endpoint` call. */
  site: Site;
  /** The handler expression as written (`handler.generate`). */
  handler: string;
  /** The served call itself, for resolving the handler from its own file. */
  rec: FileRecord;
  call: Call;
}

export const showKey = (k: EndpointKey) => [k.ns ?? '*', k.comp ?? '*', k.ep ?? '*'].join('/');

/** Calls on a client object that send a request to the endpoint it was built for. */
export const CLIENT_SENDS = new Set(['generate', 'round_robin', 'random', 'direct']);

const MAX_DEPTH = 4;

interface Ctx { ws: Workspace; repo: string; rec: FileRecord; inIdx: number; /** The line the value is read at. */ line: number }

/** Split at top-level occurrences of `sep` (outside brackets and strings). */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** The first positional argument of an argument list `( ... )`. */
function firstArg(args: string | undefined): string | undefined {
  if (!args) return undefined;
  const inner = args.trim().replace(/^\(/, '').replace(/\)$/, '');
  const first = splitTop(inner, ',')[0]?.trim();
  return first && !/^\w+\s*=[^=]/.test(first) ? first : undefined;
}

/** The right-hand side of `name = value` / `name: T = value` on a line, if the line assigns that name. */
function assignedValue(line: string | undefined, name: string): string | undefined {
  // Cheap checks first: constants are short lines, and most lines do not mention the name at all.
  if (!line || line.length > 400 || !line.includes(name)) return undefined;
  const m = new RegExp(`^\\s*(?:(?:pub\\s+)?(?:const|static)\\s+)?${name.replace(/\./g, '\\.')}\\s*(?::[^=]+)?=\\s*(.+?);?\\s*(?:#.*)?$`).exec(line);
  return m?.[1];
}

/** The string value of a Python/Rust expression, with `\0` standing for any part that is not known. */
function valueOf(ctx: Ctx, expr: string, depth = 0): string | undefined {
  const e = expr.trim().replace(/^\(|\)$/g, '').trim();
  if (depth > MAX_DEPTH || !e) return undefined;
  const lit = /^[rRbB]?(["'])(.*)\1$/s.exec(e);
  if (lit) return lit[2];
  const f = /^[fF][rR]?(["'])(.*)\1$/s.exec(e);
  if (f) return f[2].replace(/\{([^{}]*)\}/g, (_, inner: string) => valueOf(ctx, inner.replace(/[!:].*$/, ''), depth + 1) ?? '\0');
  if (/^[A-Za-z_]\w*$/.test(e)) return nameValue(ctx, e, depth);
  const attr = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(e);
  if (attr) return fieldValue(ctx, attr[1], attr[2], depth);
  return undefined;
}

/** A local bound on one line, a module-level constant of this file, or one imported from another module. */
function nameValue(ctx: Ctx, name: string, depth: number): string | undefined {
  const { ws, repo, rec, inIdx } = ctx;
  const lines = sourceLines(ws, repo, rec.path);
  // A local: the nearest `name = ...` line above, inside the enclosing function (literals have no binding record).
  if (inIdx >= 0) {
    for (let l = Math.min(ctx.line, lines.length) - 1; l >= rec.defs[inIdx].line; l--) {
      const v = assignedValue(lines[l - 1], name);
      if (v !== undefined) return valueOf({ ...ctx, line: l }, v, depth + 1);
    }
  }
  // Module level: an unindented `NAME = ...` line (literal constants have no binding record).
  const at = lines.findIndex((l) => assignedValue(l, name) !== undefined && !/^\s/.test(l));
  if (at >= 0) return valueOf({ ...ctx, inIdx: -1 }, assignedValue(lines[at], name)!, depth + 1);
  if (rec.lang !== 'python') return undefined;
  for (const imp of importsOf(rec, name)) {
    for (const f of resolvePythonModule(ws, repo, rec.path, imp.module)) {
      const other = ws.record(f.repo, f.file);
      if (other && other !== rec) {
        const v = nameValue({ ws, repo: f.repo, rec: other, inIdx: -1, line: 0 }, imp.name ?? name, depth + 1);
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

/** `obj.field` where obj's annotated/constructed type is a class whose `field` has a default value. */
function fieldValue(ctx: Ctx, obj: string, field: string, depth: number): string | undefined {
  const { ws, rec, inIdx } = ctx;
  const b = rec.bindings.find((x) => x.target === obj && x.in === inIdx);
  if (!b) return undefined;
  for (const t of typeNames(b.type)) {
    for (const cls of ws.byName.get(t.name) ?? []) {
      const d = ws.def(cls);
      const crec = ws.record(cls.repo, cls.file);
      if (d.kind !== 'class' || !crec || crec.lang !== rec.lang) continue;
      if (cls.repo !== ctx.repo && !visibleFrom(ctx, t.name)) continue;
      const fb = crec.bindings.find((x) => x.target === field && x.in === cls.i);
      if (!fb) continue;
      const v = assignedValue(sourceLines(ws, cls.repo, cls.file)[fb.line - 1], field);
      if (v !== undefined) return valueOf({ ws, repo: cls.repo, rec: crec, inIdx: -1, line: 0 }, v, depth + 1);
    }
  }
  return undefined;
}

function visibleFrom(ctx: Ctx, name: string): boolean {
  return importsOf(ctx.rec, name).length > 0;
}

/** `namespace(a)` / `component(b)` / `endpoint(c)` steps of a chain, and where the chain starts. */
function chainSteps(expr: string): { base: string; steps: { name: string; args: string }[] } {
  const text = expr.replace(/^\s*await\s+/, '').replace(/\s+/g, ' ').replace(/\?/g, '').replace(/\.await\b/g, '');
  const parts = splitTop(text, '.').map((p) => p.trim());
  const steps: { name: string; args: string }[] = [];
  let base = '';
  for (const p of parts) {
    const m = /^(\w+)\s*(\(.*\))$/s.exec(p);
    if (m) steps.push({ name: m[1], args: m[2] });
    else if (!steps.length) base = base ? `${base}.${p}` : p;
    else steps.push({ name: p, args: '' });
  }
  return { base, steps };
}

/** The endpoint key an expression (`component.endpoint("generate")`, a variable bound to one) names. */
export function endpointKeyOf(ws: Workspace, repo: string, rec: FileRecord, inIdx: number, line: number, expr: string, depth = 0): EndpointKey | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const ctx: Ctx = { ws, repo, rec, inIdx, line };
  const { base, steps } = chainSteps(expr);
  let key: EndpointKey = {};
  // The chain starts at a variable bound in this function (or on self) to an earlier part of the chain.
  const bound = base && base !== 'self' && !/^self\.runtime$|^runtime$|^drt$/.test(base)
    ? rec.bindings.find((b) => b.target === base && (b.in === inIdx || base.startsWith('self.')) && /\.(namespace|component|endpoint|client)$/.test(b.type))
    : undefined;
  if (bound) {
    const name = bound.type.split('.').pop()!;
    const call = rec.calls.find((c) => c.name === name && c.in === bound.in && c.line >= bound.line && c.line <= bound.line + 3);
    if (call) key = endpointKeyOf(ws, repo, rec, bound.in, call.line, `${call.receiver ?? ''}.${call.name}${call.args ?? '()'}`, depth + 1) ?? {};
  }
  const known = (v: string | undefined) => (v === undefined || v.includes('\0') || v === '' ? undefined : v);
  for (const s of steps) {
    if (s.name === 'namespace') key = { ns: known(valueOf(ctx, firstArg(s.args) ?? '')) };
    else if (s.name === 'component') key = { ns: key.ns, comp: known(valueOf(ctx, firstArg(s.args) ?? '')) };
    else if (s.name === 'endpoint') {
      const v = valueOf(ctx, firstArg(s.args) ?? '');
      const path = v?.replace(/^dyn:\/\//, '');
      const parts = path === undefined ? [] : path.includes('/') ? path.split('/') : path.split('.');
      if (steps.some((x) => x.name === 'component') || bound?.type.endsWith('.component')) key = { ...key, ep: known(v) };
      // The path form `runtime.endpoint("ns.component.endpoint")`.
      else if (parts.length === 3) key = { ns: known(parts[0]), comp: known(parts[1]), ep: known(parts[2]) };
      else key = { ns: key.ns, comp: key.comp, ep: undefined };
    }
  }
  return key.ep !== undefined || key.comp !== undefined ? key : undefined;
}

/** Every `serve_endpoint(handler)` call with the key of the endpoint it serves on. */
export const servedEndpoints = derived((ws: Workspace): ServedEndpoint[] => {
  const out: ServedEndpoint[] = [];
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      if (rec.lang !== 'python') continue;
      for (const call of rec.calls) {
        if (call.name !== 'serve_endpoint' || !call.receiver || !call.args) continue;
        const handler = firstArg(call.args);
        // `handler.generate`, `health_check`, or an instance made on the spot: `RequestHandler(engine).generate`.
        if (!handler || !/^[A-Za-z_][\w.]*(\([^()]*\)\.\w+)?$/.test(handler)) continue;
        const key = endpointKeyOf(ws, repo.name, rec, call.in, call.line, call.receiver) ?? {};
        out.push({ key, site: { repo: repo.name, file: rec.path, line: call.line }, handler, rec, call });
      }
    }
  }
  return out;
});

/**
 * The served endpoints a client key reaches: component and endpoint known and equal on both sides, namespaces
 * equal where both are known; workers whose namespace is known to match win. Otherwise (a namespace is usually a
 * run-time setting) `backend/generate` is too common a name to link across programs: only the workers nearest
 * the client (most leading directories in common, at least two) are kept. A worker defined in test code serves test clients only.
 */
export function servedFor(ws: Workspace, key: EndpointKey, from: string): ServedEndpoint[] {
  if (key.comp === undefined || key.ep === undefined) return [];
  const cands = servedEndpoints(ws).filter((s) => s.key.comp === key.comp && s.key.ep === key.ep &&
    (s.key.ns === undefined || key.ns === undefined || s.key.ns === key.ns) && (isTestPath(from) || !isTestPath(s.site.file)));
  const named = cands.filter((s) => s.key.ns !== undefined && key.ns !== undefined);
  if (named.length) return named;
  const loose = cands.filter((s) => !named.includes(s) && commonDirs(s.site.file, from) >= 2);
  const best = Math.max(0, ...loose.map((s) => commonDirs(s.site.file, from)));
  return loose.filter((s) => commonDirs(s.site.file, from) === best);
}

/** How many leading directories two repo-relative paths share. */
export function commonDirs(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  let n = 0;
  while (n < x.length - 1 && n < y.length - 1 && x[n] === y[n]) n++;
  return n;
}

/**
 * The endpoint a client call talks to: `<endpoint expr>.client()` itself, or `client.generate(...)` /
 * `round_robin` / `random` / `direct` on a variable (or `self.` attribute of the class) bound to such a client.
 */
export function clientKeyOf(ws: Workspace, repo: string, rec: FileRecord, call: Call): EndpointKey | undefined {
  if (!call.receiver) return undefined;
  if (call.name === 'client') return endpointKeyOf(ws, repo, rec, call.in, call.line, call.receiver);
  if (!CLIENT_SENDS.has(call.name)) return undefined;
  const recv = call.receiver.replace(/\s+/g, '');
  const b = rec.bindings.find((x) => x.target === recv && x.type.endsWith('.client') && (x.in === call.in || recv.startsWith('self.')));
  if (!b) return undefined;
  const c = rec.calls.find((x) => x.name === 'client' && x.in === b.in && x.line >= b.line && x.line <= b.line + 5 && x.receiver);
  return c ? endpointKeyOf(ws, repo, rec, b.in, c.line, c.receiver!) : undefined;
}


export interface RequestPlaneCensus {
  /** `serve_endpoint` calls in the repo. */
  served: number;
  /** Of those, served under a known component and endpoint name. */
  keyed: number;
  /** Of those, reached by at least one client call in any served repo. */
  linked: number;
  /** Client calls (`.client()` and sends on a bound client) whose endpoint is known, and how many reach a worker. */
  clients: number;
  clientsLinked: number;
}

/** The request plane of one repo, for explore's architecture map. */
export function requestPlaneCensus(ws: Workspace, repoName: string): RequestPlaneCensus {
  const mine = servedEndpoints(ws).filter((s) => s.site.repo === repoName);
  const reached = new Set<ServedEndpoint>();
  let clients = 0;
  let clientsLinked = 0;
  const repo = ws.repos.get(repoName);
  for (const rec of repo?.files.values() ?? []) {
    if (rec.lang !== 'python') continue;
    for (const call of rec.calls) {
      if (call.name !== 'client' && !CLIENT_SENDS.has(call.name)) continue;
      const key = clientKeyOf(ws, repoName, rec, call);
      if (!key?.comp || !key.ep) continue;
      clients++;
      const hits = servedFor(ws, key, rec.path);
      if (hits.length) clientsLinked++;
      for (const h of hits) reached.add(h);
    }
  }
  return { served: mine.length, keyed: mine.filter((s) => s.key.comp && s.key.ep).length, linked: mine.filter((s) => reached.has(s)).length, clients, clientsLinked };
}
