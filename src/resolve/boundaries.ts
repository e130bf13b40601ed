/**
 * Boundary markers: which definitions and call sites sit on a language boundary (PyO3, pybind11, torch
 * ops, CUDA, Triton, extern "C", ZMQ, served endpoints). The rules are data (data/boundaries.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Call, Def, FileRecord } from '../index/model.js';
import type { RepoIndex, Workspace } from '../index/workspace.js';
import { derivedPerKey } from './derived.js';
import { PACKAGE_ROOT } from '../package-root.js';

interface RuleJson {
  id: string;
  label: string;
  langs: string[];
  def?: { attr?: string; name?: string; decl?: boolean; notDecl?: boolean };
  call?: { name?: string; receiver?: string; kind?: string; inDef?: string; calleeRule?: string };
  extension?: { what: string; how: string };
}

export interface BoundaryRule {
  id: string;
  label: string;
  langs: Set<string>;
  def?: { attr?: RegExp; name?: RegExp; decl?: boolean; notDecl?: boolean };
  /** The called name must be defined by a definition matching this rule (Triton launches → @triton.jit). */
  call?: { name?: RegExp; receiver?: RegExp; kind?: RegExp; inDef?: RegExp; calleeRule?: string };
  /** A site matching the rule is where new entries are registered: an extension point for "where do I add X". */
  extension?: { what: string; how: string };
}

let rules: BoundaryRule[] | undefined;

export function boundaryRules(): BoundaryRule[] {
  if (!rules) {
    const raw = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'data/boundaries.json'), 'utf8')) as { rules: RuleJson[] };
    const re = (s?: string) => (s ? new RegExp(s) : undefined);
    rules = raw.rules.map((r) => ({
      id: r.id,
      label: r.label,
      langs: new Set(r.langs),
      def: r.def && { attr: re(r.def.attr), name: re(r.def.name), decl: r.def.decl, notDecl: r.def.notDecl },
      call: r.call && { name: re(r.call.name), receiver: re(r.call.receiver), kind: re(r.call.kind), inDef: re(r.call.inDef), calleeRule: r.call.calleeRule },
      extension: r.extension,
    }));
  }
  return rules;
}

export function defMatches(rule: BoundaryRule, def: Def): boolean {
  const d = rule.def;
  if (!d) return false;
  if (d.decl && !def.decl) return false;
  if (d.notDecl && def.decl) return false;
  if (d.name && !d.name.test(def.name)) return false;
  if (d.attr && !(def.attrs ?? []).some((a) => d.attr!.test(a))) return false;
  return true;
}

/** calleeNames: names defined by the rule's calleeRule (required when the rule has one). */
export function callMatches(rule: BoundaryRule, call: Call, rec: FileRecord, calleeNames?: Set<string>): boolean {
  const c = rule.call;
  if (!c) return false;
  if (c.calleeRule && !calleeNames?.has(call.name)) return false;
  if (c.name && !c.name.test(call.name)) return false;
  if (c.kind && !c.kind.test(call.kind)) return false;
  if (c.receiver && !c.receiver.test(call.receiver ?? '')) return false;
  if (c.inDef) {
    const owner = call.in >= 0 ? rec.defs[call.in] : undefined;
    if (!owner || !c.inDef.test(owner.name)) return false;
  }
  return true;
}

/** The boundary rules a definition matches (for outlines and symbol answers). */
export function defMarkers(rec: FileRecord, def: Def): BoundaryRule[] {
  return boundaryRules().filter((r) => r.langs.has(rec.lang) && defMatches(r, def));
}

export interface CensusRow {
  rule: BoundaryRule;
  count: number;
  files: number;
  sample?: { file: string; line: number };
}

/** Names defined in a repo by definitions matching a rule (for calleeRule checks). */
export function namesDefinedBy(repo: RepoIndex, ruleId: string): Set<string> {
  const rule = boundaryRules().find((r) => r.id === ruleId);
  const names = new Set<string>();
  if (!rule) return names;
  for (const rec of repo.files.values()) {
    if (!rule.langs.has(rec.lang)) continue;
    for (const d of rec.defs) if (defMatches(rule, d)) names.add(d.name);
  }
  return names;
}

const calleeNameCache = derivedPerKey<string, Set<string>>();

/** namesDefinedBy, computed once per repo and rule until the index changes (outlines ask for it per file). */
export function namesDefinedByCached(ws: Workspace, repo: RepoIndex, ruleId: string): Set<string> {
  return calleeNameCache(ws, `${repo.name}\0${ruleId}`, () => namesDefinedBy(repo, ruleId));
}

/** Counts every boundary rule over one repo. */
export function census(repo: RepoIndex): CensusRow[] {
  const rows = boundaryRules().map((rule) => ({ rule, count: 0, files: 0 } as CensusRow));
  const callees = new Map<string, Set<string>>();
  for (const r of boundaryRules()) if (r.call?.calleeRule) callees.set(r.id, namesDefinedBy(repo, r.call.calleeRule));
  for (const rec of repo.files.values()) {
    for (const row of rows) {
      const { rule } = row;
      if (!rule.langs.has(rec.lang)) continue;
      let n = 0;
      let first: number | undefined;
      if (rule.def) for (const d of rec.defs) if (defMatches(rule, d)) { n++; first ??= d.line; }
      if (rule.call) for (const c of rec.calls) if (callMatches(rule, c, rec, callees.get(rule.id))) { n++; first ??= c.line; }
      if (n) {
        row.count += n;
        row.files++;
        if (!row.sample || rec.path < row.sample.file) row.sample = { file: rec.path, line: first! };
      }
    }
  }
  return rows;
}

/** An attribute that can give a Rust definition a Python name. */
export const PYO3_ATTR = /^(pyclass|pyfunction|pyo3)\b/;

/** The Python-visible name of a #[pyclass]/#[pyfunction]/#[pyo3(name=...)] definition. */
export function pythonName(def: Def): string | undefined {
  for (const a of def.attrs ?? []) {
    if (!PYO3_ATTR.test(a)) continue;
    const m = /\bname\s*=\s*"([^"]+)"/.exec(a);
    if (m) return m[1];
  }
  if ((def.attrs ?? []).some((a) => /^(pyclass|pyfunction)\b/.test(a))) return def.name;
  return undefined;
}

/** The op name of a torch `m.def("name(Tensor a) -> ()")` / `m.impl("name", ...)` call. */
export function torchOpName(call: Call): string | undefined {
  const m = /^\(\s*"([A-Za-z_][\w.]*)/.exec(call.args ?? '');
  return m?.[1];
}
