/** blame: who changed a line range or a symbol's definition, when, and why (git blame -M / git log -L). */
import * as z from 'zod';
import { blameFile, type BlameCommit, type BlameData } from '../git/blame.js';
import { directoryCount, otherFiles } from '../git/commits.js';
import { compactDiff, rangeHistory, type HistoryData, type HistoryEntry } from '../git/history.js';
import { resolveTarget, type BlameTarget } from '../git/target.js';
import type { Workspace } from '../index/workspace.js';
import {
  budgetChars, fitBlocks, formatField, indexedInfo, indexedLine, indexedSchema, loc, locSchema, locText, plural, repoField,
} from './common.js';
import { defineTool } from './types.js';

const lineField = (what: string) => z.number().int().min(1).max(10_000_000).optional().describe(what);

const input = {
  file: z.string().max(1000).optional()
    .describe('Repo-relative path of the file to blame (`repo:path`, `path:120` and `path:120-180` are accepted too). With symbol: which file the symbol is in, when its name is ambiguous.'),
  symbol: z.string().max(300).optional()
    .describe('Blame the whole definition of this symbol instead of a line range: `Name`, `Type.method`, `Type::method`, `pkg.module.Name`, `path/to/file.py:Name`.'),
  repo: repoField,
  start_line: lineField('First line of the range (1-based). Alone: that single line. Omitted with end_line omitted: the whole file.'),
  end_line: lineField('Last line of the range (inclusive). Alone: lines 1..end_line.'),
  history: z.boolean().optional()
    .describe('false (default): who last changed each line (git blame). true: every commit that changed these lines over time (git log -L), newest first.'),
  max_commits: z.number().int().min(1).max(100).optional()
    .describe('history only: how many commits to list (default 10, max 100); the answer says when older ones exist.'),
  format: formatField,
};

const commitSchema = z.object({
  sha: z.string(), short: z.string(), author: z.string(), email: z.string(), date: z.string(), summary: z.string(),
  pr: z.number().optional(),
  boundary: z.enum(['root', 'shallow']).optional().describe('root: the first commit; shallow: the edge of a shallow clone, older history is missing.'),
  lines: z.number().optional().describe('blame: lines of the range this commit last changed.'),
  location: locSchema.optional().describe('history: the range as it was after this commit (file may be an older name).'),
  otherFiles: z.number().describe('How many other files the commit changed.'),
  topFiles: z.array(z.string()).describe('A few of those files, nearest to the blamed file first.'),
  body: z.string().optional(),
  diff: z.array(z.string()).optional(),
});

const output = {
  mode: z.enum(['blame', 'history']),
  target: locSchema,
  symbol: z.string().optional(),
  candidates: z.array(z.object({ name: z.string(), kind: z.string(), location: locSchema })).describe('Other definitions an ambiguous symbol could mean.'),
  head: z.string().describe('The commit blamed (HEAD of the checkout).'),
  worktreeDiffers: z.boolean().describe('The working-tree file differs from HEAD: line numbers are HEAD\'s.'),
  shallow: z.boolean(),
  cached: z.boolean(),
  hunks: z.array(z.object({ location: locSchema, commit: z.string(), origin: locSchema.optional() })).optional(),
  totalHunks: z.number().optional(),
  commits: z.array(commitSchema),
  totalCommits: z.number(),
  more: z.boolean().optional().describe('history: older commits changed the range too; raise max_commits.'),
  truncated: z.boolean(),
  notes: z.array(z.string()).describe('Warnings (ambiguous symbol, uncommitted edits, shallow clone) and what was cut, with how to narrow.'),
  indexed: indexedSchema,
};

type Commit = z.infer<typeof commitSchema>;
const SHORT = 9;
const DIFF_LINES = 40;
const BODY_CHARS = 2000;
const MAX_HUNKS = { concise: 80, detailed: 400 };
const MAX_COMMITS = { concise: 40, detailed: 150 };

function day(time: number): string {
  return new Date(time * 1000).toISOString().slice(0, 10);
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function touched(files: string[], detailed: boolean): { count: number; top: string[]; text: string } {
  const top = files.slice(0, detailed ? 10 : 3);
  if (!files.length) return { count: 0, top, text: 'touched no other file' };
  const dirs = directoryCount(files);
  const more = files.length > top.length ? ', …' : '';
  const where = dirs > 1 ? ` in ${dirs} directories` : '';
  return { count: files.length, top, text: `also touched ${plural(files.length, 'file')}${where}: ${top.map((f) => `\`${f}\``).join(', ')}${more}` };
}

function commitLine(c: { sha: string; time: number; author: string; summary: string; pr?: number; boundary?: string }): string {
  const pr = c.pr !== undefined && !c.summary.includes(`#${c.pr}`) ? ` · PR #${c.pr}` : '';
  const edge = c.boundary === 'shallow' ? ' · ⚠ shallow-clone edge: older history is not in this clone' : c.boundary === 'root' ? ' · first commit of the repo' : '';
  return `\`${c.sha.slice(0, SHORT)}\` ${day(c.time)} ${c.author} — ${c.summary}${pr}${edge}`;
}

function bodyBlock(body: string): string {
  if (!body) return '';
  const lines = body.split('\n').slice(0, 15).map((l) => `   > ${l}`.trimEnd());
  return '\n' + lines.join('\n') + (body.split('\n').length > 15 ? '\n   > …' : '');
}

function header(ws: Workspace, t: BlameTarget, start: number, end: number, verb: string, warnings: string[]): string[] {
  const where = locText(ws, t.repo.name, t.path, start, end);
  const sym = t.symbol ? ` — \`${t.symbol.name}\` (${t.symbol.kind})` : '';
  return [`# ${verb} \`${where}\`${sym}`, ...warnings.map((w) => `> ⚠ ${w}`)];
}

/** Ambiguity, uncommitted edits, a moved HEAD, a shallow clone: said in the text and in structuredContent.notes. */
function warnings(ws: Workspace, d: { file: BlameData['file'] }, t: BlameTarget): string[] {
  const out: string[] = [];
  if (t.others.length) {
    const list = t.others.map((o) => `\`${o.name}\` ${locText(ws, o.repo, o.file, o.line, o.endLine)}`).join('; ');
    out.push(`Ambiguous symbol: blamed the best-ranked definition. Other candidates: ${list}. Pass file or a qualified name to pick another.`);
  }
  if (d.file.worktreeDiffers) {
    out.push(`The working-tree file differs from HEAD (uncommitted edits): blame shows HEAD's lines${t.symbol ? ', while the symbol\'s range comes from the working tree — check that they still match' : ''}.`);
  }
  if (t.symbol && t.repo.head && t.repo.head !== d.file.head) {
    out.push(`HEAD moved since the index was built (indexed ${t.repo.head.slice(0, 12)}): the symbol's line range may be stale.`);
  }
  if (d.file.shallowEdge) out.push('This checkout is a shallow clone: commits at its edge stand in for all older history (marked). Run `git fetch --unshallow` for the full story.');
  return out;
}

/** Claude Code may show the model only structuredContent: keep it within the same budget as the text. */
function fitStructured(s: { hunks?: unknown[]; commits: unknown[]; truncated: boolean; notes: string[] }, maxChars: number): void {
  let cut = false;
  while (JSON.stringify(s).length > maxChars) {
    const h = s.hunks?.length ?? 0;
    if (h > 10 && h * 150 >= s.commits.length * 400) s.hunks = s.hunks!.slice(0, Math.ceil(h * 0.75));
    else if (s.commits.length > 5) s.commits = s.commits.slice(0, Math.ceil(s.commits.length * 0.75));
    else break;
    cut = true;
  }
  if (cut) {
    s.truncated = true;
    s.notes.push(`Cut to fit: ${s.hunks ? `${s.hunks.length} hunks and ` : ''}${s.commits.length} commits kept; narrow with start_line/end_line${s.hunks ? '' : ' or lower max_commits'}.`);
  }
}

function renderBlame(ws: Workspace, t: BlameTarget, d: BlameData, detailed: boolean, warns: string[]): { text: string; commits: Commit[]; hunks: number; truncated: boolean } {
  const fmt = detailed ? 'detailed' : 'concise';
  const byShaFiles = new Map(d.commits.map((c) => [c.sha, otherFiles(c.files, t.path, ...d.hunks.filter((h) => h.sha === c.sha).map((h) => h.origPath))]));
  const lines = d.end - d.start + 1;
  const top = header(ws, t, d.start, d.end, 'blame', warns);
  top.splice(1, 0, `HEAD \`${d.file.head.slice(0, 12)}\` · ${plural(lines, 'line')} · ${plural(d.commits.length, 'commit')} in ${plural(d.hunks.length, 'hunk')} · follows renames and lines moved within the file (git blame -M)${d.cached ? ' · cached' : ''}`);
  const shownHunks = d.hunks.slice(0, MAX_HUNKS[fmt]);
  const rows = ['| lines | commit | date | author | summary |', '|---|---|---|---|---|'];
  const bySha = new Map(d.commits.map((c) => [c.sha, c]));
  for (const h of shownHunks) {
    const c = bySha.get(h.sha)!;
    const from = h.origPath !== t.path ? ` · from \`${h.origPath}:${h.origStart}\`` : '';
    const range = h.end > h.start ? `${h.start}-${h.end}` : `${h.start}`;
    rows.push(`| ${range} | \`${h.sha.slice(0, SHORT)}\` | ${day(c.time)} | ${cell(c.author)} | ${cell(c.summary)}${from} |`);
  }
  if (d.hunks.length > shownHunks.length) rows.push(`\n… ${d.hunks.length - shownHunks.length} more hunks not shown; narrow with start_line/end_line.`);
  const shownCommits = d.commits.slice(0, MAX_COMMITS[fmt]);
  const commits: Commit[] = [];
  const blocks: string[] = [];
  for (const c of shownCommits) {
    const files = touched(byShaFiles.get(c.sha) ?? [], detailed);
    const filesText = c.boundary === 'shallow' ? 'files unknown (shallow edge)' : files.text;
    blocks.push(`- ${commitLine(c)} · ${plural(c.lines, 'line')} · ${filesText}${detailed ? bodyBlock(c.body) : ''}`);
    commits.push(commitData(c, files, detailed, { lines: c.lines }));
  }
  const head = [...top, '', ...rows, '', `## Commits, newest first`].join('\n');
  const fit = fitBlocks(blocks, Math.max(2000, budgetChars(fmt) - head.length - 400));
  let text = `${head}\n${fit.text}`;
  const cutCommits = d.commits.length - fit.shown;
  if (cutCommits > 0) text += `\n… ${plural(cutCommits, 'more commit')} not shown; narrow the range with start_line/end_line.`;
  return { text, commits: commits.slice(0, fit.shown), hunks: shownHunks.length, truncated: cutCommits > 0 || d.hunks.length > shownHunks.length };
}

function commitData(c: BlameCommit | HistoryEntry, files: { count: number; top: string[] }, detailed: boolean, extra: Partial<Commit>): Commit {
  const summary = 'summary' in c ? c.summary : c.subject;
  return {
    sha: c.sha, short: c.sha.slice(0, SHORT), author: c.author, email: c.email, date: new Date(c.time * 1000).toISOString().replace('.000Z', 'Z'),
    summary, pr: c.pr, boundary: c.boundary, otherFiles: files.count, topFiles: files.top,
    ...(detailed && c.body ? { body: c.body.slice(0, BODY_CHARS) } : {}), ...extra,
  };
}

function renderHistory(ws: Workspace, t: BlameTarget, d: HistoryData, detailed: boolean, warns: string[]): { text: string; commits: Commit[]; truncated: boolean } {
  const top = header(ws, t, d.start, d.end, 'history of', warns);
  const more = d.more ? `; older commits exist — raise max_commits (max 100)` : '';
  top.splice(1, 0, `HEAD \`${d.file.head.slice(0, 12)}\` · ${plural(d.entries.length, 'commit')} changed these lines (git log -L, newest first, follows renames${more})${d.cached ? ' · cached' : ''}`);
  const blocks: string[] = [];
  const commits: Commit[] = [];
  d.entries.forEach((e, i) => {
    const files = touched(otherFiles(e.files, t.path, e.path), detailed);
    const filesText = e.boundary === 'shallow' ? 'files unknown (shallow edge)' : files.text;
    const at = e.start ? ` · lines ${e.start}-${e.end}${e.path !== t.path ? ` of \`${e.path}\`` : ''} at that commit` : '';
    let block = `${i + 1}. ${commitLine({ ...e, summary: e.subject })}${at} · ${filesText}`;
    if (detailed) {
      block += bodyBlock(e.body);
      const diff = compactDiff(e.diff);
      if (diff.length) block += `\n\n   \`\`\`diff\n${diff.slice(0, DIFF_LINES).map((l) => `   ${l}`).join('\n')}${diff.length > DIFF_LINES ? '\n   … (diff cut)' : ''}\n   \`\`\``;
    }
    blocks.push(block);
    const location = e.start ? loc(t.repo.name, e.path, e.start, e.end) : undefined;
    commits.push(commitData(e, files, detailed, { ...(location ? { location } : {}), ...(detailed ? { diff: compactDiff(e.diff).slice(0, DIFF_LINES) } : {}) }));
  });
  const head = top.join('\n') + '\n';
  const fit = fitBlocks(blocks, Math.max(2000, budgetChars(detailed ? 'detailed' : 'concise') - head.length - 400));
  let text = `${head}\n${fit.text || '_No commit changed these lines (they may predate a shallow clone)._'}`;
  if (fit.shown < blocks.length) text += `\n… ${blocks.length - fit.shown} more commits cut to fit; use format "concise" or a lower max_commits.`;
  return { text, commits: commits.slice(0, fit.shown), truncated: fit.shown < blocks.length };
}

export const blameTool = defineTool({
  name: 'blame',
  title: 'Blame and line history',
  description:
    'Who last changed each line of a range or of a symbol\'s definition, when, and why: commits grouped into hunks with ' +
    'short sha, author, date, summary, PR number, and the other files each commit touched (a broad refactor vs a targeted fix). ' +
    'Use it for "why was this written this way", "when did this behaviour change", "which PR introduced X" — after explore/grep ' +
    'told you where the code is. history=true lists every commit that changed the range over time (git log -L), newest first; ' +
    'format "detailed" adds commit messages and each commit\'s diff of the range. ' +
    'Cost: a few hundred ms for a ~1,000-line file or a symbol history on a big repo (longer for very old, often-edited ranges); ' +
    'repeated calls are cached and take milliseconds. Blames the committed file at HEAD. Not for finding code — use grep/explore.',
  input,
  output,
  async run(args, ctx) {
    const target = resolveTarget(ctx.ws, args);
    const detailed = args.format === 'detailed';
    const opts = { signal: ctx.signal };
    const base = {
      target: loc(target.repo.name, target.path, target.start ?? 1, target.end),
      ...(target.symbol ? { symbol: target.symbol.name } : {}),
      candidates: target.others.map((o) => ({ name: o.name, kind: o.kind, location: loc(o.repo, o.file, o.line, o.endLine) })),
      indexed: indexedInfo([target.repo]),
    };
    const footer = `\n\n${indexedLine([target.repo])}`;
    const budget = budgetChars(args.format);
    if (args.history) {
      const d = await rangeHistory(target.repo.root, target.path, { start: target.start, end: target.end, max: args.max_commits ?? 10 }, opts);
      const warns = warnings(ctx.ws, d, target);
      const r = renderHistory(ctx.ws, target, d, detailed, warns);
      const structured = {
        mode: 'history' as const, ...base, target: loc(target.repo.name, target.path, d.start, d.end), head: d.file.head,
        worktreeDiffers: d.file.worktreeDiffers, shallow: !!d.file.shallowEdge, cached: d.cached,
        commits: r.commits, totalCommits: d.entries.length, more: d.more, truncated: r.truncated, notes: warns,
      };
      if (d.more) warns.push(`Older commits changed these lines too; raise max_commits (now ${args.max_commits ?? 10}, max 100).`);
      fitStructured(structured, budget);
      return { text: r.text + footer, structured };
    }
    const d = await blameFile(target.repo.root, target.path, { start: target.start, end: target.end }, opts);
    const warns = warnings(ctx.ws, d, target);
    const r = renderBlame(ctx.ws, target, d, detailed, warns);
    const name = target.repo.name;
    const hunks = d.hunks.slice(0, r.hunks).map((h) => ({
      location: loc(name, target.path, h.start, h.end), commit: h.sha.slice(0, SHORT),
      ...(h.origPath !== target.path ? { origin: loc(name, h.origPath, h.origStart, h.origStart + h.end - h.start) } : {}),
    }));
    const structured = {
      mode: 'blame' as const, ...base, target: loc(name, target.path, d.start, d.end), head: d.file.head,
      worktreeDiffers: d.file.worktreeDiffers, shallow: !!d.file.shallowEdge, cached: d.cached,
      hunks, totalHunks: d.hunks.length, commits: r.commits, totalCommits: d.commits.length,
      truncated: r.truncated, notes: [...warns, 'Lines are followed through renames and moves within the file (git blame -M).'],
    };
    if (r.truncated) structured.notes.push(`Showing ${hunks.length} of ${d.hunks.length} hunks and ${r.commits.length} of ${d.commits.length} commits; narrow with start_line/end_line.`);
    fitStructured(structured, budget);
    return { text: r.text + footer, structured };
  },
});
