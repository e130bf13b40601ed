/**
 * blame and history on a git repo built here with known history: several authors, fixed dates, a PR-style
 * message with a body, a rename, and a block moved within the file (git blame -M). Every field is checked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { blameFile } from '../src/git/blame.js';
import { parsePr } from '../src/git/commits.js';
import { rangeHistory } from '../src/git/history.js';

const AUTHORS = {
  alice: ['Alice Able', 'alice@example.com'],
  bob: ['Bob Baker', 'bob@example.com'],
  carol: ['Carol Chen', 'carol@example.com'],
} as const;

const T1 = Date.UTC(2023, 0, 1, 10) / 1000;
const T2 = Date.UTC(2023, 1, 1, 10) / 1000;
const T3 = Date.UTC(2023, 2, 1, 10) / 1000;
const T4 = Date.UTC(2023, 3, 1, 10) / 1000;

const V1 = `"""Engine module."""


class Engine:
    """Runs jobs."""

    def __init__(self, workers):
        self.workers = workers
        self.running = False

    def run(self, jobs):
        self.running = True
        for job in jobs:
            job.execute()
        return len(jobs)

    def stop(self):
        self.running = False
        return "stopped after the shutdown sequence completes"
`;
const V2 = V1.replace('        for job in jobs:\n            job.execute()\n',
  '        for job in sorted(jobs, key=lambda j: j.priority):\n            job.execute(fast=True)\n');
const V3 = V2.replace('"""Engine module."""', '"""Core engine module."""');
const STOP = '    def stop(self):\n        self.running = False\n        return "stopped after the shutdown sequence completes"\n';
const RUN_START = V3.indexOf('    def run(');
const V4 = V3.slice(0, RUN_START) + STOP + '\n' + V3.slice(RUN_START, V3.indexOf(STOP)).replace(/\n$/, '') ;

function gitIn(dir: string, args: string[], who?: readonly [string, string], time?: number): string {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
  if (who && time !== undefined) {
    Object.assign(env, { GIT_AUTHOR_NAME: who[0], GIT_AUTHOR_EMAIL: who[1], GIT_AUTHOR_DATE: `${time} +0000`,
      GIT_COMMITTER_NAME: who[0], GIT_COMMITTER_EMAIL: who[1], GIT_COMMITTER_DATE: `${time} +0000` });
  }
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, env, encoding: 'utf8' });
}

function write(dir: string, rel: string, text: string | Buffer): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** Builds the history; returns the repo dir and the sha of each commit. */
function makeHistoryRepo(): { dir: string; sha: Record<'c1' | 'c2' | 'c3' | 'c4', string> } {
  const dir = mkdtempSync(join(tmpdir(), 'dsm-blame-'));
  gitIn(dir, ['init', '-q']);
  write(dir, 'src/engine.py', V1);
  write(dir, 'README.md', '# Engine\n');
  write(dir, 'src/lib.rs', 'pub fn answer() -> u32 {\n    42\n}\n');
  write(dir, 'data.bin', Buffer.from([0, 1, 2, 0, 255, 10, 0]));
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'Initial engine'], AUTHORS.alice, T1);
  write(dir, 'src/engine.py', V2);
  write(dir, 'README.md', '# Engine\n\nJobs run by priority.\n');
  write(dir, 'docs/notes.md', 'Priority scheduling.\n');
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'Speed up run loop (#42)\n\nThe old loop ran jobs in arrival order.\nNow it sorts by priority.'], AUTHORS.bob, T2);
  mkdirSync(join(dir, 'pkg/core'), { recursive: true });
  renameSync(join(dir, 'src/engine.py'), join(dir, 'pkg/core/engine.py'));
  write(dir, 'pkg/core/engine.py', V3);
  write(dir, 'pkg/core/__init__.py', '');
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'Move engine into pkg/core'], AUTHORS.carol, T3);
  write(dir, 'pkg/core/engine.py', V4);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'Reorder methods'], AUTHORS.alice, T4);
  const shas = gitIn(dir, ['log', '--reverse', '--format=%H']).trim().split('\n');
  return { dir, sha: { c1: shas[0], c2: shas[1], c3: shas[2], c4: shas[3] } };
}

describe('blame on a repo with known history', () => {
  let repo: ReturnType<typeof makeHistoryRepo>;
  before(() => { repo = makeHistoryRepo(); });

  test('the fixture file is what the test expects', () => {
    const lines = V4.split('\n');
    assert.equal(lines[10], '    def stop(self):');
    assert.equal(lines[14], '    def run(self, jobs):');
    assert.equal(lines[16], '        for job in sorted(jobs, key=lambda j: j.priority):');
  });

  test('whole-file blame: hunks, commits, authors, dates, PR, rename origin, -M move', async () => {
    const d = await blameFile(repo.dir, 'pkg/core/engine.py', {});
    assert.equal(d.start, 1);
    assert.equal(d.end, 19);
    assert.equal(d.file.head, repo.sha.c4);
    assert.equal(d.file.lines, 19);
    assert.equal(d.file.worktreeDiffers, false);
    assert.equal(d.file.shallowEdge, undefined);
    assert.equal(d.cached, false);
    const bySha = (s: string) => d.hunks.filter((h) => h.sha === s).map((h) => [h.start, h.end, h.origStart, h.origPath]);
    // Carol's rename commit changed only the docstring (line 1).
    assert.deepEqual(bySha(repo.sha.c3), [[1, 1, 1, 'pkg/core/engine.py']]);
    // Bob's two lines, followed through the rename back to src/engine.py.
    assert.deepEqual(bySha(repo.sha.c2), [[17, 18, 13, 'src/engine.py']]);
    // stop() moved above run(): -M attributes it to Alice's first commit at its old place (lines 17-19).
    const c1 = bySha(repo.sha.c1);
    assert.ok(c1.some(([s, e, o, p]) => s === 11 && e === 13 && o === 17 && p === 'src/engine.py'), JSON.stringify(c1));
    assert.ok(c1.some(([s, , o, p]) => s === 2 && o === 2 && p === 'src/engine.py'), JSON.stringify(c1));
    const covered = d.hunks.reduce((n, h) => n + h.end - h.start + 1, 0);
    assert.equal(covered, 19);
    // Commits newest first with every field.
    assert.deepEqual(d.commits.map((c) => c.sha), [repo.sha.c4, repo.sha.c3, repo.sha.c2, repo.sha.c1].filter((s) => d.commits.some((c) => c.sha === s)));
    const bob = d.commits.find((c) => c.sha === repo.sha.c2)!;
    assert.deepEqual({ ...bob, files: [...bob.files].sort() }, {
      sha: repo.sha.c2, author: 'Bob Baker', email: 'bob@example.com', time: T2, tz: '+0000',
      summary: 'Speed up run loop (#42)', body: 'The old loop ran jobs in arrival order.\nNow it sorts by priority.',
      pr: 42, boundary: undefined, files: ['README.md', 'docs/notes.md', 'src/engine.py'], lines: 2,
    });
    const alice = d.commits.find((c) => c.sha === repo.sha.c1)!;
    assert.equal(alice.author, 'Alice Able');
    assert.equal(alice.time, T1);
    assert.equal(alice.pr, undefined);
    assert.equal(alice.boundary, 'root');
    assert.deepEqual([...alice.files].sort(), ['README.md', 'data.bin', 'src/engine.py', 'src/lib.rs']);
    const carol = d.commits.find((c) => c.sha === repo.sha.c3)!;
    assert.equal(carol.summary, 'Move engine into pkg/core');
    assert.deepEqual([...carol.files].sort(), ['pkg/core/__init__.py', 'pkg/core/engine.py', 'src/engine.py']);
    assert.equal(d.commits.reduce((n, c) => n + c.lines, 0), 19);
  });

  test('the commit of every line equals plain git blame --porcelain -M', async () => {
    const d = await blameFile(repo.dir, 'pkg/core/engine.py', { start: 5, end: 19 });
    const porcelain = gitIn(repo.dir, ['blame', '--porcelain', '-M', '-L5,19', 'HEAD', '--', 'pkg/core/engine.py']);
    const expected = new Map<number, string>();
    for (const m of porcelain.matchAll(/^([0-9a-f]{40}) \d+ (\d+)/gm)) expected.set(Number(m[2]), m[1]);
    for (let line = 5; line <= 19; line++) {
      const h = d.hunks.find((x) => x.start <= line && line <= x.end);
      assert.equal(h?.sha, expected.get(line), `line ${line}`);
    }
  });

  test('a repeated call is served from the cache', async () => {
    const a = await blameFile(repo.dir, 'pkg/core/engine.py', { start: 11, end: 13 });
    const t = performance.now();
    const b = await blameFile(repo.dir, 'pkg/core/engine.py', { start: 11, end: 13 });
    assert.equal(b.cached, true);
    assert.deepEqual(b.hunks, a.hunks);
    assert.ok(performance.now() - t < 500);
  });

  test('start only blames one line', async () => {
    const d = await blameFile(repo.dir, 'pkg/core/engine.py', { start: 17 });
    assert.deepEqual([d.start, d.end], [17, 17]);
    assert.equal(d.hunks[0].sha, repo.sha.c2);
  });

  test('history of run(): git log -L commits newest first, with ranges at each commit and messages', async () => {
    const h = await rangeHistory(repo.dir, 'pkg/core/engine.py', { start: 15, end: 19, max: 10 });
    const expected = gitIn(repo.dir, ['log', '-L15,19:pkg/core/engine.py', '--format=%H', '-s', 'HEAD']).split('\n').filter(Boolean);
    assert.deepEqual(h.entries.map((e) => e.sha), expected);
    assert.ok(expected.includes(repo.sha.c2) && expected.includes(repo.sha.c1));
    assert.equal(h.more, false);
    const bob = h.entries.find((e) => e.sha === repo.sha.c2)!;
    assert.equal(bob.subject, 'Speed up run loop (#42)');
    assert.equal(bob.body, 'The old loop ran jobs in arrival order.\nNow it sorts by priority.');
    assert.equal(bob.pr, 42);
    assert.equal(bob.author, 'Bob Baker');
    assert.equal(bob.email, 'bob@example.com');
    assert.equal(bob.time, T2);
    assert.equal(bob.path, 'src/engine.py');
    assert.deepEqual([bob.start, bob.end], [11, 15]);
    assert.ok(bob.diff.includes('+        for job in sorted(jobs, key=lambda j: j.priority):'), bob.diff.join('\n'));
    assert.ok(bob.diff.includes('-            job.execute()'));
    const first = h.entries[h.entries.length - 1];
    assert.equal(first.sha, repo.sha.c1);
    assert.equal(first.boundary, 'root');
    assert.equal(first.path, 'src/engine.py');
  });

  test('max_commits cuts the list and says more exist', async () => {
    const h = await rangeHistory(repo.dir, 'pkg/core/engine.py', { start: 15, end: 19, max: 1 });
    assert.equal(h.entries.length, 1);
    assert.equal(h.more, true);
  });

  test('uncommitted edits: blame stays on HEAD\'s lines and says the working tree differs', async () => {
    writeFileSync(join(repo.dir, 'pkg/core/engine.py'), '# new first line\n' + V4);
    const d = await blameFile(repo.dir, 'pkg/core/engine.py', { start: 17, end: 18 });
    assert.equal(d.file.worktreeDiffers, true);
    assert.equal(d.hunks[0].sha, repo.sha.c2);
    writeFileSync(join(repo.dir, 'pkg/core/engine.py'), V4);
    assert.equal((await blameFile(repo.dir, 'pkg/core/engine.py', { start: 17, end: 18 })).file.worktreeDiffers, false);
  });

  test('parsePr: squash, merge and trailer forms', () => {
    assert.equal(parsePr('Fix eviction (#1234)'), 1234);
    assert.equal(parsePr('feat: a (#10218) (#10225)'), 10225);
    assert.equal(parsePr('Merge pull request #77 from bob/fix'), 77);
    assert.equal(parsePr('Tidy', 'PR: #9'), 9);
    assert.equal(parsePr('Issue #12 is not a PR'), undefined);
  });
});
