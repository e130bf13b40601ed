/**
 * Architecture layers of a repo: known Dynamo/SGLang layers from data/layers.json, checked against the
 * tree (a moved directory is reported), or a map derived from the tree for any other repo.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defNames } from '../index/cache.js';
import type { LangId } from '../index/model.js';
import type { RepoIndex } from '../index/workspace.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { languageOf } from '../lang/registry.js';

interface KnownRepo {
  detect: string[];
  layers: { path: string; purpose: string }[];
  entryPoints: { path: string; what: string }[];
}

export interface Layer {
  path: string;
  purpose?: string;
  files: number;
  defs: number;
  langs: Partial<Record<LangId, number>>;
  /** A known layer whose directory is not in the tree. */
  missing?: boolean;
}

export interface ArchMap {
  repo: string;
  known: boolean;
  layers: Layer[];
  entryPoints: { path: string; what: string; missing?: boolean }[];
}

let known: Record<string, KnownRepo> | undefined;

function knownRepos(): Record<string, KnownRepo> {
  known ??= JSON.parse(readFileSync(join(PACKAGE_ROOT, 'data/layers.json'), 'utf8')) as Record<string, KnownRepo>;
  return known;
}

/** Which known layout a repo has (by name, else by detecting its landmark directories). */
export function knownLayout(repo: RepoIndex): KnownRepo | undefined {
  const all = knownRepos();
  const byName = all[repo.name];
  const hasDir = (d: string) => repo.allFiles.some((f) => f.startsWith(d + '/'));
  if (byName && typeof byName === 'object' && byName.detect?.some(hasDir)) return byName;
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith('$') || typeof v !== 'object') continue;
    if (v.detect.every(hasDir)) return v;
  }
  return undefined;
}

function statsUnder(repo: RepoIndex, prefix: string): Omit<Layer, 'path' | 'purpose'> {
  const p = prefix.endsWith('/') ? prefix : prefix + '/';
  let files = 0;
  let defs = 0;
  const langs: Partial<Record<LangId, number>> = {};
  for (const f of repo.allFiles) {
    if (!f.startsWith(p)) continue;
    files++;
    const lang = languageOf(f)?.id;
    if (lang) langs[lang] = (langs[lang] ?? 0) + 1;
    const rec = repo.files.get(f);
    if (rec) defs += defNames(rec).length; // counted without decoding the definitions
  }
  return { files, defs, langs };
}

export function architecture(repo: RepoIndex): ArchMap {
  const k = knownLayout(repo);
  if (k) {
    const layers = k.layers.map((l) => {
      const s = statsUnder(repo, l.path);
      return { path: l.path, purpose: l.purpose, ...s, ...(s.files === 0 ? { missing: true } : {}) };
    });
    const files = new Set(repo.allFiles);
    const entryPoints = k.entryPoints.map((e) => (files.has(e.path) ? e : { ...e, missing: true }));
    return { repo: repo.name, known: true, layers, entryPoints };
  }
  return { repo: repo.name, known: false, layers: derivedLayers(repo), entryPoints: derivedEntryPoints(repo) };
}

/** Top-level directories (and one level deeper for big ones) ranked by source size. */
function derivedLayers(repo: RepoIndex): Layer[] {
  const counts = new Map<string, number>();
  for (const f of repo.allFiles) {
    const parts = f.split('/');
    if (parts.length < 2) continue;
    counts.set(parts[0], (counts.get(parts[0]) ?? 0) + 1);
    if (parts.length > 2) counts.set(parts.slice(0, 2).join('/'), (counts.get(parts.slice(0, 2).join('/')) ?? 0) + 1);
  }
  const total = repo.allFiles.length || 1;
  const dirs = [...counts.keys()].filter((d) => {
    const n = counts.get(d)!;
    if (!d.includes('/')) return true;
    const parent = counts.get(d.split('/')[0])!;
    return parent > total * 0.3 && n > 5;
  });
  return dirs.map((d) => ({ path: d, ...statsUnder(repo, d) }))
    .filter((l) => l.files > 0)
    .sort((a, b) => a.path.localeCompare(b.path))
    .slice(0, 40);
}

const ENTRY_NAMES = /(^|\/)(main\.(py|rs|cc|cpp)|__main__\.py|lib\.rs|cli\.py|server\.py|app\.py)$/;

function derivedEntryPoints(repo: RepoIndex): { path: string; what: string }[] {
  return repo.allFiles.filter((f) => ENTRY_NAMES.test(f) && f.split('/').length <= 4).slice(0, 10)
    .map((path) => ({ path, what: path.endsWith('lib.rs') ? 'crate root' : 'entry point' }));
}
