/** explore with no path/symbol/query: each repo's layers, entry points and boundary census. */
import type { Workspace, RepoIndex } from '../../index/workspace.js';
import { census } from '../../resolve/boundaries.js';
import { derivedPerKey } from '../../resolve/derived.js';
import { requestPlaneCensus } from '../../resolve/endpoints.js';
import { architecture, type ArchMap } from '../../resolve/layers.js';
import { locText } from '../common.js';

function langSummary(langs: Record<string, number | undefined>): string {
  return Object.entries(langs).filter(([, n]) => n).sort((a, b) => b[1]! - a[1]!).map(([l, n]) => `${l} ${n}`).join(', ');
}

export function archMaps(repos: RepoIndex[]): ArchMap[] {
  return repos.map(architecture);
}

type Arch = { text: string; maps: Record<string, unknown>[] };
const rendered = derivedPerKey<string, Arch>();

/**
 * The map, kept until the index changes: the boundary census reads every call of every file (on a warm start,
 * decoding them all) and the request-plane census resolves every client, ~0.1–0.3 s, while the map is an
 * agent's usual first question and often asked again. Callers must not modify the result.
 */
export function renderArch(ws: Workspace, repos: RepoIndex[], detailed: boolean): Arch {
  // The map also shows each repo's commit and counts: a commit that changes no file moves the head alone.
  const key = `${detailed}\0${repos.map((r) => `${r.name}@${r.head}:${r.allFiles.length}/${r.files.size}/${r.skipped.length}`).join('\0')}`;
  return rendered(ws, key, () => renderFresh(ws, repos, detailed));
}

function renderFresh(ws: Workspace, repos: RepoIndex[], detailed: boolean): Arch {
  const lines: string[] = [];
  const structured: Record<string, unknown>[] = [];
  for (const repo of repos) {
    const map = architecture(repo);
    const rows = census(repo).filter((r) => r.count > 0);
    lines.push(`## ${repo.name} — ${repo.root}`);
    lines.push(`${repo.allFiles.length} files, ${repo.files.size} parsed, ${repo.skipped.length} skipped${map.known ? '' : ' (layers derived from the tree: not a known Dynamo/SGLang layout)'}`);
    lines.push('', '| layer | purpose | files | defs | languages |', '|---|---|---|---|---|');
    for (const l of map.layers.filter((x) => !x.missing)) {
      lines.push(`| ${locText(ws, repo.name, l.path)}/ | ${l.purpose ?? ''} | ${l.files} | ${l.defs} | ${langSummary(l.langs)} |`);
    }
    const gone = map.layers.filter((x) => x.missing);
    if (gone.length) lines.push('', `⚠ Known ${repo.name} layers not found in this checkout (moved, removed, or a partial checkout): ${gone.map((l) => `${l.path}/`).join(', ')}`);
    if (map.entryPoints.length) {
      lines.push('', '**Entry points**');
      for (const e of map.entryPoints) lines.push(`- ${locText(ws, repo.name, e.path)} — ${e.what}${e.missing ? ' (⚠ not found)' : ''}`);
    }
    if (rows.length) {
      lines.push('', '**Cross-language boundaries**');
      for (const r of rows) {
        const sample = r.sample && detailed ? ` e.g. ${locText(ws, repo.name, r.sample.file, r.sample.line)}` : '';
        lines.push(`- ${r.rule.label}: ${r.count} in ${r.files} file(s)${sample}`);
      }
    }
    const plane = requestPlaneCensus(ws, repo.name);
    if (plane.served || plane.clients) {
      lines.push('', `**Request plane** (namespace/component/endpoint): ${plane.served} served endpoint(s), ${plane.keyed} under a statically known component/endpoint, ${plane.linked} reached by a client; ${plane.clients} client call(s) with a known endpoint, ${plane.clientsLinked} linked to a worker (trace edge kind \`endpoint\`)`);
    }
    lines.push('');
    structured.push({
      requestPlane: plane,
      repo: repo.name,
      root: repo.root,
      commit: repo.head?.slice(0, 12),
      known: map.known,
      layers: map.layers.map((l) => ({ path: l.path, purpose: l.purpose, files: l.files, defs: l.defs, langs: l.langs, missing: l.missing })),
      entryPoints: map.entryPoints.map((e) => ({ loc: { repo: repo.name, file: e.path, line: 1 }, what: e.what, missing: e.missing })),
      boundaries: rows.map((r) => ({ id: r.rule.id, label: r.rule.label, count: r.count, files: r.files, sample: r.sample && { repo: repo.name, file: r.sample.file, line: r.sample.line } })),
    });
  }
  const { problems, missing } = ws.config;
  if (problems.length || missing.length) {
    lines.push('## Configuration');
    for (const p of problems) lines.push(`- ⚠ ${p}`);
    for (const m of missing) lines.push(`- ${m.name} is not served: ${m.hint}.`);
    lines.push('');
  }
  lines.push('Next: `explore {"path": "<layer>"}` for a directory, `explore {"symbol": "Name"}` for a definition, `explore {"query": "topic words"}` to find where something lives.');
  return { text: lines.join('\n'), maps: structured };
}
