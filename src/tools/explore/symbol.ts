/** explore with `symbol`: ranked definitions with signature, doc, counterparts, tests and callers. */
import type { Workspace } from '../../index/workspace.js';
import { callIndex, testsReferencing } from '../../resolve/calls.js';
import { counterparts } from '../../resolve/counterparts.js';
import { qualifiedName, requireDefinitions } from '../../resolve/lookup.js';
import { kindText, loc, locText } from '../common.js';

export function renderSymbol(ws: Workspace, symbol: string, repo: string | undefined, kind: string | undefined, offset: number, limit: number, detailed: boolean) {
  let matches = requireDefinitions(ws, symbol, { repo });
  if (kind) matches = matches.filter((m) => m.def.kind === kind);
  const total = matches.length;
  const blocks: string[] = [];
  const defs: Record<string, unknown>[] = [];
  const calls = callIndex(ws);
  const names = new Set(matches.map((m) => m.def.name));
  const perDef = names.size > 1;
  const memo = new Map<string, { tests: ReturnType<typeof testsReferencing>; callers: number }>();
  const byName = (name: string) => {
    let v = memo.get(name);
    // Tests in the repos of the definitions shown come first (the asked-for repo, when there is one).
    const repos = new Set(repo ? [repo] : matches.filter((m) => m.def.name === name).map((m) => m.ref.repo));
    if (!v) memo.set(name, v = { tests: testsReferencing(ws, name, detailed ? 8 : 3, repos), callers: (calls.get(name) ?? []).length });
    return v;
  };
  matches.slice(offset, offset + limit).forEach((m, k) => {
    const { def, ref } = m;
    const rec = ws.record(ref.repo, ref.file)!;
    const where = locText(ws, ref.repo, ref.file, def.line, def.endLine);
    const cps = counterparts(ws, ref);
    const { tests, callers } = byName(def.name);
    const lines = [`### ${offset + k + 1}. ${kindText(def)} \`${qualifiedName(def, rec.lang)}\` — ${where} (${rec.lang})`];
    lines.push('```', def.sig, '```');
    if (def.doc) lines.push(`> ${def.doc}`);
    if (def.attrs?.length) lines.push(`Attributes: ${def.attrs.map((a) => `\`${a}\``).join(', ')}`);
    if (def.bases?.length) lines.push(`Bases: ${def.bases.join(', ')}`);
    for (const c of cps) lines.push(`↔ ${c.kind}: ${c.text} — ${locText(ws, c.repo, c.file, c.line)}`);
    if (perDef) {
      lines.push(`Call sites named \`${def.name}\`: ${callers}`);
      if (tests.length) lines.push(`Tests: ${tests.map((t) => locText(ws, t.repo, t.file, t.line)).join(', ')}`);
    }
    blocks.push(lines.join('\n'));
    defs.push({
      name: def.name, qualifiedName: qualifiedName(def, rec.lang), kind: def.kind, container: def.container, language: rec.lang,
      signature: def.sig, doc: def.doc, attrs: def.attrs, loc: loc(ref.repo, ref.file, def.line, def.endLine),
      counterparts: cps.map((c) => ({ kind: c.kind, text: c.text, loc: loc(c.repo, c.file, c.line) })),
      tests: tests.map((t) => loc(t.repo, t.file, t.line)), callSites: callers,
    });
  });
  let head = total > 1
    ? `**${total} definitions of \`${symbol}\`** (ranked: definitions before declarations/stubs, non-test first)`
    : `**1 definition of \`${symbol}\`**`;
  if (!perDef && matches.length) {
    const { tests, callers } = byName(matches[0].def.name);
    head += `\nCall sites named \`${matches[0].def.name}\`: ${callers} (by name, all repos; \`trace\` with direction "callers" resolves them to a definition)`;
    if (tests.length) head += `\nTests: ${tests.map((t) => locText(ws, t.repo, t.file, t.line)).join(', ')}`;
  }
  // Past the detailed page: one line per remaining candidate, so an ambiguous name is never silently cut.
  const restMatches = matches.slice(offset + limit, offset + limit + 60);
  const rest = restMatches.map((m) => {
    const r = ws.record(m.ref.repo, m.ref.file)!;
    return `- ${kindText(m.def)} \`${qualifiedName(m.def, r.lang)}\` — ${locText(ws, m.ref.repo, m.ref.file, m.def.line)}`;
  });
  const restDefs = restMatches.map((m) => ({
    name: qualifiedName(m.def, ws.record(m.ref.repo, m.ref.file)!.lang), kind: m.def.kind, loc: loc(m.ref.repo, m.ref.file, m.def.line, m.def.endLine),
  }));
  return { head, blocks, defs, total, rest, restDefs };
}
