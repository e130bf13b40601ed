/**
 * The blame tool over a Workspace: symbol → definition range, ambiguous symbols list their candidates,
 * the `repo:path:start-end` file form, history with max_commits, the output schema, and refusals.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { z } from 'zod';
import { UserError } from '../src/errors.js';
import { resolveConfig } from '../src/index/config.js';
import { Workspace } from '../src/index/workspace.js';
import { blameTool } from '../src/tools/blame.js';

const DAY = 86400;
const T0 = Date.UTC(2024, 4, 1) / 1000;

function commit(dir: string, who: string, day: number, message: string): void {
  const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: who, GIT_AUTHOR_EMAIL: `${who.toLowerCase()}@example.com`,
    GIT_COMMITTER_NAME: who, GIT_COMMITTER_EMAIL: `${who.toLowerCase()}@example.com`, GIT_AUTHOR_DATE: `${T0 + day * DAY} +0000`, GIT_COMMITTER_DATE: `${T0 + day * DAY} +0000` };
  const git = (args: string[]) => execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, env });
  git(['add', '-A']);
  git(['commit', '-q', '-m', message]);
}

const SCHED_V1 = `class Scheduler:
    def run(self, batch):
        total = 0
        for req in batch:
            total += req.tokens
        return total


class Router:
    def run(self, request):
        return request.target
`;

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dsm-blametool-'));
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: dir });
  mkdirSync(join(dir, 'srv'));
  writeFileSync(join(dir, 'srv/sched.py'), SCHED_V1);
  writeFileSync(join(dir, 'srv/table.py'), Array.from({ length: 120 }, (_, i) => `T${i} = ${i}\n`).join(''));
  commit(dir, 'Erin', 0, 'Add scheduler and router');
  writeFileSync(join(dir, 'srv/sched.py'), SCHED_V1.replace('total += req.tokens', 'total += req.tokens * req.weight'));
  writeFileSync(join(dir, 'srv/weights.py'), 'DEFAULT = 1\n');
  writeFileSync(join(dir, 'srv/table.py'), Array.from({ length: 120 }, (_, i) => `T${i} = ${i % 2 ? i * 10 : i}\n`).join(''));
  commit(dir, 'Frank', 3, 'Weight tokens per request (#501)\n\nHeavy requests were undercounted.');
  return dir;
}

describe('blame tool', () => {
  let ws: Workspace;
  let plainWs: Workspace;
  const ctx = () => ({ ws });

  before(async () => {
    const dir = makeRepo();
    const plain = mkdtempSync(join(tmpdir(), 'dsm-plain-'));
    writeFileSync(join(plain, 'a.py'), 'x = 1\n');
    ws = new Workspace(resolveConfig({ repos: [`hist=${dir}`], cacheDir: join(dir, '.cache-none'), env: {}, home: dir }));
    plainWs = new Workspace(resolveConfig({ repos: [`plain=${plain}`], cacheDir: join(plain, '.cache-none'), env: {}, home: plain }));
    await Promise.all([ws.ready(), plainWs.ready()]);
  });

  test('symbol → its definition range; hunks and commits in text and structuredContent', async () => {
    const a = await blameTool.run({ symbol: 'Scheduler.run' }, ctx());
    const s = a.structured as Record<string, any>;
    assert.equal(s.mode, 'blame');
    assert.deepEqual(s.target, { repo: 'hist', file: 'srv/sched.py', line: 2, endLine: 6 });
    assert.equal(s.symbol, 'Scheduler.run');
    assert.deepEqual(s.candidates, []);
    assert.deepEqual(s.hunks.map((h: any) => [h.location.line, h.location.endLine, h.commit.length]), [[2, 4, 9], [5, undefined, 9], [6, undefined, 9]]);
    const frank = s.commits.find((c: any) => c.author === 'Frank');
    assert.deepEqual({ ...frank, sha: undefined, short: undefined }, {
      sha: undefined, short: undefined, author: 'Frank', email: 'frank@example.com', date: '2024-05-04T00:00:00Z',
      summary: 'Weight tokens per request (#501)', pr: 501, boundary: undefined, otherFiles: 2, topFiles: ['srv/table.py', 'srv/weights.py'], lines: 1,
    });
    const erin = s.commits.find((c: any) => c.author === 'Erin');
    assert.equal(erin.boundary, 'root');
    assert.equal(erin.lines, 4);
    assert.equal(s.totalCommits, 2);
    assert.equal(s.truncated, false);
    assert.match(a.text, /^# blame `srv\/sched.py:2-6` — `Scheduler.run` \(method\)/);
    assert.match(a.text, /\| 5 \| `[0-9a-f]{9}` \| 2024-05-04 \| Frank \| Weight tokens per request \(#501\) \|/);
    assert.match(a.text, /also touched 2 files: `srv\/table.py`, `srv\/weights.py`/);
    assert.match(a.text, /_Indexed: hist@[0-9a-f]{12}\._$/);
    z.object(blameTool.output).parse(s);
  });

  test('an ambiguous symbol blames the best-ranked definition and lists the others', async () => {
    const a = await blameTool.run({ symbol: 'run' }, ctx());
    const s = a.structured as Record<string, any>;
    assert.equal(s.candidates.length, 1);
    const picked = s.target.line === 2 ? 'Scheduler.run' : 'Router.run';
    const other = picked === 'Scheduler.run' ? 'Router.run' : 'Scheduler.run';
    assert.equal(s.symbol, picked);
    assert.equal(s.candidates[0].name, other);
    assert.match(a.text, new RegExp(`> ⚠ Ambiguous symbol: .*Other candidates: \`${other.replace('.', '\\.')}\` srv/sched.py:\\d+`));
    assert.ok(s.notes.some((n: string) => n.startsWith('Ambiguous symbol')));
    assert.deepEqual(s.candidates[0].location.file, 'srv/sched.py');
  });

  test('file with repo:path:start-end form, and history with max_commits and detailed messages', async () => {
    const a = await blameTool.run({ file: 'hist:srv/sched.py:4-5', history: true, max_commits: 1, format: 'detailed' }, ctx());
    const s = a.structured as Record<string, any>;
    assert.equal(s.mode, 'history');
    assert.deepEqual(s.target, { repo: 'hist', file: 'srv/sched.py', line: 4, endLine: 5 });
    assert.equal(s.commits.length, 1);
    assert.equal(s.more, true);
    assert.equal(s.commits[0].body, 'Heavy requests were undercounted.');
    assert.deepEqual(s.commits[0].location, { repo: 'hist', file: 'srv/sched.py', line: 4, endLine: 5 });
    assert.ok(s.commits[0].diff.includes('+            total += req.tokens * req.weight'));
    assert.match(a.text, /older commits exist — raise max_commits/);
    assert.match(a.text, /> Heavy requests were undercounted\./);
    assert.match(a.text, /```diff/);
    z.object(blameTool.output).parse(s);
    const again = await blameTool.run({ file: 'srv/sched.py', start_line: 4, end_line: 5, history: true, max_commits: 1 }, ctx());
    assert.equal((again.structured as any).cached, true);
  });

  test('a long blame is cut with totals, in the text and in structuredContent', async () => {
    const a = await blameTool.run({ file: 'srv/table.py' }, ctx());
    const s = a.structured as Record<string, any>;
    assert.equal(s.totalHunks, 120);
    assert.equal(s.hunks.length, 80);
    assert.equal(s.truncated, true);
    assert.ok(s.notes.some((n: string) => /Showing 80 of 120 hunks/.test(n)));
    assert.match(a.text, /… 40 more hunks not shown; narrow with start_line\/end_line\./);
  });

  test('refusals: symbol with a line range, unknown repo, non-git repo, nothing to blame, unsafe path', async () => {
    const no = (args: object, re: RegExp, w = ws) => assert.rejects(blameTool.run(args as never, { ws: w }), (e: Error) => e instanceof UserError && re.test(e.message));
    await no({ symbol: 'Scheduler.run', start_line: 3 }, /either symbol .* or start_line/);
    await no({ file: 'srv/sched.py', repo: 'nope' }, /Unknown repo "nope"/);
    await no({}, /needs a file .* or a symbol/);
    await no({ file: '../etc/passwd' }, /escapes the checkout/);
    await no({ file: '-p' }, /begins with "-"/);
    await no({ symbol: 'Scheduler.run', file: 'srv/weights.py' }, /not defined in srv\/weights.py/);
    await no({ file: 'a.py' }, /not a git checkout/, plainWs);
  });

  test('every input field is described for the agent', () => {
    for (const [name, field] of Object.entries(blameTool.input)) assert.ok((field as z.ZodTypeAny).description, `${name} has no description`);
  });
});
