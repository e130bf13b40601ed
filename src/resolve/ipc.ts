/**
 * Inter-process hops: ZMQ `send_pyobj(obj)` → the handler that a type-based dispatcher table
 * (`TypeBasedDispatcher([(ReqType, self.handler), ...])`) maps the object's type to, in the receiving process.
 */
import type { Call, FileRecord } from '../index/model.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import { derived } from './derived.js';
import type { Site } from './bridges.js';
import type { Resolution, Target } from './resolver.js';
import { typeNames } from './receivers.js';

export interface DispatchEntry { handler: DefRef; site: Site; owner: string }

/** Request type name → handlers, from every TypeBasedDispatcher table. */
export const dispatchTables = derived((ws: Workspace) => {
  const byType = new Map<string, DispatchEntry[]>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      if (rec.lang !== 'python') continue;
      for (const c of rec.calls) {
        if (c.name !== 'TypeBasedDispatcher' || !c.args) continue;
        const owner = c.in >= 0 ? (rec.defs[c.in].container ?? rec.defs[c.in].name).split('.').pop()! : '';
        for (const m of c.args.matchAll(/\(\s*([A-Za-z_][\w.]*)\s*,\s*self\.(\w+)\s*\)/g)) {
          const type = m[1].split('.').pop()!;
          const handler = findMethod(ws, repo.name, rec, owner, m[2]);
          if (!handler) continue;
          const list = byType.get(type) ?? [];
          list.push({ handler, site: { repo: repo.name, file: rec.path, line: c.line }, owner });
          byType.set(type, list);
        }
      }
    }
  }
  return byType;
});

function findMethod(ws: Workspace, repo: string, rec: FileRecord, owner: string, name: string): DefRef | undefined {
  const refs = ws.byName.get(name) ?? [];
  const sameFile = refs.find((r) => r.repo === repo && r.file === rec.path && ws.def(r).container?.split('.').pop() === owner);
  if (sameFile) return sameFile;
  // Handlers often live in mixins of the owning class: any method of that name in the same package.
  const dir = rec.path.slice(0, rec.path.lastIndexOf('/'));
  return refs.find((r) => r.repo === repo && r.file.startsWith(dir) && ws.def(r).kind === 'method');
}

/** The type names of the object sent: `send_pyobj(FooReq(...))`, or a local/param bound to a type. */
function sentTypes(rec: FileRecord, call: Call): string[] {
  const args = (call.args ?? '').replace(/^\(|\)$/g, '').trim();
  const ctor = /^([A-Za-z_][\w.]*)\s*\(/.exec(args);
  if (ctor) return [ctor[1].split('.').pop()!];
  const ident = /^([A-Za-z_]\w*)$/.exec(args)?.[1];
  if (!ident) return [];
  const out: string[] = [];
  for (const b of rec.bindings) if (b.target === ident && b.in === call.in) out.push(...typeNames(b.type).map((t) => t.name));
  return out;
}

export function dispatchTargets(ws: Workspace, repo: string, rec: FileRecord, call: Call): Resolution {
  const tables = dispatchTables(ws);
  const out: Target[] = [];
  // `self.send_to_scheduler.send_pyobj(...)`: the socket's name says which process receives.
  const dest = /send_to_(\w+)$/.exec(call.receiver ?? '')?.[1]?.replace(/_/g, '').toLowerCase();
  for (const type of sentTypes(rec, call)) {
    let entries = tables.get(type) ?? [];
    if (dest) {
      const named = entries.filter((e) => e.owner.toLowerCase().includes(dest));
      if (named.length) entries = named;
    }
    // A process does not dispatch its own sends back to itself.
    const own = rec.defs[call.in]?.container?.split('.').pop();
    if (own && entries.some((e) => e.owner !== own)) entries = entries.filter((e) => e.owner !== own);
    for (const e of entries) {
      out.push({ ref: e.handler, confidence: 'receiver', kind: 'ipc', via: { ...e.site, note: `${e.owner} dispatches ${type} → ${ws.def(e.handler).name}` } });
    }
  }
  void repo;
  return { targets: out };
}
