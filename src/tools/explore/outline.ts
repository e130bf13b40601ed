/** explore with `path`: a directory's entries with their main symbols, or a file's outline. */
import { UserError } from '../../errors.js';
import type { Def, FileRecord } from '../../index/model.js';
import type { RepoIndex, Workspace } from '../../index/workspace.js';
import { languageOf } from '../../lang/registry.js';
import { boundaryRules, callMatches, defMarkers, namesDefinedByCached, pythonName, torchOpName } from '../../resolve/boundaries.js';
import { qualifiedName } from '../../resolve/lookup.js';
import { loc, locText } from '../common.js';

export function normalisePath(raw: string): string {
  if (raw.includes('\0')) throw new UserError('path contains a NUL byte.', '{"path": "lib/llm/src"}');
  if (raw.length > 1000) throw new UserError('path is too long.', '{"path": "lib/llm/src"}');
  const p = raw.trim().replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (p.startsWith('/') || p.split('/').includes('..')) {
    throw new UserError(`path "${raw}" must be relative to a served checkout (no leading "/", no ".." segments).`, '{"path": "python/sglang/srt/managers"}');
  }
  return p;
}

/** Splits `repo:path` when the prefix names a served repo. */
export function splitRepoPath(ws: Workspace, raw: string): { repo?: string; path: string } {
  const m = /^([A-Za-z0-9][\w.-]*):(.*)$/.exec(raw);
  if (m && ws.repos.has(m[1])) return { repo: m[1], path: m[2] };
  return { path: raw };
}

export type PathHit = { kind: 'file'; repo: RepoIndex; path: string } | { kind: 'dir'; repo: RepoIndex; path: string };

export function findPath(repos: RepoIndex[], path: string): PathHit[] {
  const hits: PathHit[] = [];
  for (const repo of repos) {
    if (path === '') { hits.push({ kind: 'dir', repo, path }); continue; }
    if (repo.allFiles.includes(path)) hits.push({ kind: 'file', repo, path });
    else if (repo.allFiles.some((f) => f.startsWith(path + '/'))) hits.push({ kind: 'dir', repo, path });
  }
  return hits;
}

export function suggestPaths(repos: RepoIndex[], path: string, max = 5): string[] {
  const base = path.split('/').pop()!.toLowerCase();
  const out = new Set<string>();
  for (const repo of repos) {
    for (const f of repo.allFiles) {
      const parts = f.split('/');
      for (let i = 1; i <= parts.length; i++) {
        if (parts[i - 1].toLowerCase() === base) out.add(`${repo.name}:${parts.slice(0, i).join('/')}`);
      }
      if (out.size >= max) return [...out];
    }
  }
  return [...out];
}

function topSymbols(rec: FileRecord | undefined, max: number): string {
  if (!rec) return '';
  const top = rec.defs.filter((d) => !d.container && d.kind !== 'impl' && d.kind !== 'module' && d.kind !== 'macro' && !d.decl);
  const names = top.slice(0, max).map((d) => d.name);
  return names.length ? names.join(', ') + (top.length > max ? `, … (+${top.length - max})` : '') : '';
}

export function directoryEntries(repo: RepoIndex, dir: string) {
  const prefix = dir ? dir + '/' : '';
  const dirs = new Map<string, { files: number; langs: Map<string, number> }>();
  const files: string[] = [];
  for (const f of repo.allFiles) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) { files.push(f); continue; }
    const name = rest.slice(0, slash);
    const e = dirs.get(name) ?? { files: 0, langs: new Map() };
    e.files++;
    const l = languageOf(f)?.id;
    if (l) e.langs.set(l, (e.langs.get(l) ?? 0) + 1);
    dirs.set(name, e);
  }
  return { dirs, files };
}

export function renderDirectory(ws: Workspace, repo: RepoIndex, dir: string, offset: number, limit: number) {
  const { dirs, files } = directoryEntries(repo, dir);
  const rows: { text: string; entry: Record<string, unknown> }[] = [];
  for (const [name, e] of [...dirs].sort((a, b) => a[0].localeCompare(b[0]))) {
    const langs = [...e.langs].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ');
    const path = dir ? `${dir}/${name}` : name;
    rows.push({ text: `- 📁 ${name}/ — ${e.files} files${langs ? ` (${langs})` : ''}`, entry: { type: 'dir', path, files: e.files } });
  }
  for (const f of files) {
    const rec = repo.files.get(f);
    const syms = topSymbols(rec, 6);
    const name = f.slice(dir ? dir.length + 1 : 0);
    const info = rec ? ` — ${rec.lines} lines${syms ? `: ${syms}` : ''}` : '';
    rows.push({ text: `- ${name}${info}`, entry: { type: 'file', loc: loc(repo.name, f, 1), lines: rec?.lines, symbols: rec ? topSymbols(rec, 20) : undefined } });
  }
  const page = rows.slice(offset, offset + limit);
  const head = `## ${locText(ws, repo.name, dir || '.')}/ — ${dirs.size} directories, ${files.length} files`;
  return { head, lines: page.map((r) => r.text), entries: page.map((r) => r.entry), total: rows.length };
}

function markerNotes(rec: FileRecord, def: Def): string[] {
  const notes: string[] = [];
  for (const rule of defMarkers(rec, def)) {
    if (rule.id === 'pyclass' || rule.id === 'pyfunction') notes.push(`exposed to Python as \`${pythonName(def) ?? def.name}\``);
    else notes.push(rule.label.replace(/s? \(.*$/, '').replace(/s$/, ''));
  }
  return notes;
}

export function renderOutline(ws: Workspace, repo: RepoIndex, path: string, offset: number, limit: number, detailed: boolean) {
  const rec = repo.files.get(path);
  const where = locText(ws, repo.name, path);
  if (!rec) {
    const skipped = repo.skipped.find((s) => s.path === path);
    const why = skipped ? `skipped by the index: ${skipped.reason}` : 'not a source file the index parses (use grep to search its text)';
    return { head: `## ${where}\n${why}.`, lines: [], items: [], total: 0, imports: [], markers: [] };
  }
  const items = rec.defs.map((d, i) => ({ d, i })).filter(({ d }) => detailed || d.kind !== 'macro' || !d.container);
  const lines: string[] = [];
  const out: Record<string, unknown>[] = [];
  for (const { d } of items.slice(offset, offset + limit)) {
    const depth = d.container ? d.container.split(/\.|::/).length : 0;
    const notes = markerNotes(rec, d);
    const range = `L${d.line}-${d.endLine}`;
    const doc = d.doc ? ` — ${d.doc}` : '';
    const mark = notes.length ? ` **[${notes.join('; ')}]**` : '';
    lines.push(`${'  '.repeat(Math.min(depth, 4))}- ${d.kind} \`${d.kind === 'impl' ? qualifiedName(d) : d.name}\` ${range}: \`${d.sig}\`${mark}${doc}`);
    out.push({ kind: d.kind, name: d.name, container: d.container, signature: d.sig, doc: d.doc, loc: loc(repo.name, path, d.line, d.endLine), markers: notes });
  }
  const imports = rec.imports.map((i) => (i.name ? `${i.module}${i.module ? (rec.lang === 'rust' ? '::' : '.') : ''}${i.name}` : i.module) + (i.alias ? ` as ${i.alias}` : ''));
  const callMarkers: string[] = [];
  for (const rule of boundaryRules()) {
    if (!rule.call || !rule.langs.has(rec.lang)) continue;
    const callees = rule.call.calleeRule ? namesDefinedByCached(ws, repo, rule.call.calleeRule) : undefined;
    for (const c of rec.calls) {
      if (!callMatches(rule, c, rec, callees)) continue;
      const what = rule.id === 'torch-op' ? `registers torch op \`${torchOpName(c) ?? '?'}\`` :
        rule.id === 'cuda-launch' || rule.id === 'triton-launch' ? `launches \`${c.name}${c.targs ? `<${c.targs}>` : ''}\`` :
        `${c.receiver ? c.receiver + '.' : ''}${c.name}(…)`;
      callMarkers.push(`${what} at line ${c.line}`);
    }
  }
  const head = [
    `## ${where} — ${rec.lang}, ${rec.lines} lines, ${rec.defs.length} definitions${rec.parseErrors ? `, ${rec.parseErrors} parse error(s)` : ''}`,
    imports.length ? `Imports (${imports.length}): ${(detailed ? imports : imports.slice(0, 15)).join(', ')}${!detailed && imports.length > 15 ? ', …' : ''}` : '',
    callMarkers.length ? `Boundary sites: ${(detailed ? callMarkers : callMarkers.slice(0, 12)).join('; ')}${!detailed && callMarkers.length > 12 ? `; … (+${callMarkers.length - 12})` : ''}` : '',
  ].filter(Boolean).join('\n');
  return { head, lines, items: out, total: items.length, imports, markers: callMarkers };
}
