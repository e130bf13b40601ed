/**
 * Safe git: refused paths (`-` prefix, `..`, absolute elsewhere, symlinks outside, NUL, .git), config in the
 * checkout that would run programs is neutralised, nothing is written to the repo, and each failure mode
 * (untracked, not a repo, no commits, out of bounds, binary, directory, shallow edge) gets a clear answer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { UserError } from '../src/errors.js';
import { blameFile } from '../src/git/blame.js';
import { rangeHistory } from '../src/git/history.js';
import { confinePath } from '../src/git/paths.js';
import { assertNotOption, git } from '../src/git/run.js';

const T = Date.UTC(2024, 0, 1) / 1000;

function sh(dir: string, args: string[], time = T): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir, encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Dana', GIT_AUTHOR_EMAIL: 'dana@example.com',
      GIT_COMMITTER_NAME: 'Dana', GIT_COMMITTER_EMAIL: 'dana@example.com', GIT_AUTHOR_DATE: `${time} +0000`, GIT_COMMITTER_DATE: `${time} +0000` },
  });
}

function makeRepo(): { dir: string; outside: string } {
  const outside = mkdtempSync(join(tmpdir(), 'dsm-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'secret\n');
  const dir = mkdtempSync(join(tmpdir(), 'dsm-safe-'));
  sh(dir, ['init', '-q']);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/a.py'), Array.from({ length: 30 }, (_, i) => `x${i} = ${i}\n`).join(''));
  writeFileSync(join(dir, '-rf.py'), 'print(1)\n');
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0x89, 0x50, 0, 0, 1, 2, 3, 10]));
  writeFileSync(join(dir, 'empty.txt'), '');
  sh(dir, ['add', '-A']);
  sh(dir, ['commit', '-q', '-m', 'one']);
  for (let k = 2; k <= 4; k++) {
    writeFileSync(join(dir, 'src/a.py'), Array.from({ length: 30 }, (_, i) => `x${i} = ${i * k}\n`).join(''));
    sh(dir, ['commit', '-q', '-am', `change ${k}`], T + k * 86400);
  }
  writeFileSync(join(dir, 'untracked.py'), 'y = 1\n');
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'leak.txt'));
  symlinkSync(outside, join(dir, 'ext'));
  return { dir, outside };
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${e.name}: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

describe('path confinement', () => {
  let r: ReturnType<typeof makeRepo>;
  before(() => { r = makeRepo(); });

  test('accepts repo-relative, ./ and absolute paths inside the checkout', () => {
    assert.equal(confinePath(r.dir, 'src/a.py'), 'src/a.py');
    assert.equal(confinePath(r.dir, './src/a.py'), 'src/a.py');
    assert.equal(confinePath(r.dir, join(r.dir, 'src/a.py')), 'src/a.py');
    assert.equal(confinePath(r.dir, 'src/../src/a.py'), 'src/a.py');
  });

  test('refuses a leading "-"', () => {
    assert.throws(() => confinePath(r.dir, '-rf.py'), /begins with "-"/);
    assert.throws(() => confinePath(r.dir, '--output=/tmp/x'), /begins with "-"/);
    assert.throws(() => assertNotOption('--upload-pack=evil', 'ref'), /begins with "-"/);
  });

  test('refuses ".." escapes and absolute paths elsewhere', () => {
    assert.throws(() => confinePath(r.dir, '../etc/passwd'), /escapes the checkout/);
    assert.throws(() => confinePath(r.dir, 'src/../../x'), /escapes the checkout/);
    assert.throws(() => confinePath(r.dir, '/etc/passwd'), /outside the checkout/);
  });

  test('refuses symlinks that point outside, and paths under them', () => {
    assert.throws(() => confinePath(r.dir, 'leak.txt'), /symlink/);
    assert.throws(() => confinePath(r.dir, 'ext/secret.txt'), /symlink/);
  });

  test('refuses NUL bytes, empty paths, the root and .git', () => {
    assert.throws(() => confinePath(r.dir, 'src/a.py\0.txt'), /NUL/);
    assert.throws(() => confinePath(r.dir, '  '), /empty/);
    assert.throws(() => confinePath(r.dir, '.'), /repo root/);
    assert.throws(() => confinePath(r.dir, '.git/config'), /inside .git/);
  });

  test('refuses NUL bytes in any git argument', () => assert.rejects(git(r.dir, ['log', 'a\0b']), /NUL/));
});

describe('git failures become clear answers', () => {
  let r: ReturnType<typeof makeRepo>;
  before(() => { r = makeRepo(); });

  test('untracked file', () => rejects(blameFile(r.dir, 'untracked.py', {}), /not tracked by git/));
  test('missing file', () => rejects(blameFile(r.dir, 'nope.py', {}), /does not exist in the repo at HEAD/));
  test('range out of bounds', () => rejects(blameFile(r.dir, 'src/a.py', { start: 25, end: 31 }), /out of bounds: src\/a.py has 30 lines/));
  test('range reversed', () => rejects(blameFile(r.dir, 'src/a.py', { start: 9, end: 3 }), /before start_line/));
  test('binary file', () => rejects(blameFile(r.dir, 'blob.bin', {}), /binary file/));
  test('empty file', () => rejects(blameFile(r.dir, 'empty.txt', {}), /empty/));
  test('directory', () => rejects(blameFile(r.dir, 'src', {}), /a directory/));
  test('history range out of bounds', () => rejects(rangeHistory(r.dir, 'src/a.py', { start: 40, end: 41, max: 5 }), /out of bounds/));

  test('not a git repository', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'dsm-plain-'));
    writeFileSync(join(plain, 'a.py'), 'x = 1\n');
    await rejects(blameFile(plain, 'a.py', {}), /not a git repository/);
  });

  test('repository without commits', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dsm-empty-'));
    sh(empty, ['init', '-q']);
    writeFileSync(join(empty, 'a.py'), 'x = 1\n');
    await rejects(blameFile(empty, 'a.py', {}), /no commits yet/);
  });

  test('shallow clone: edge commits are marked', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'dsm-shallow-')), 'clone');
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${r.dir}`, dest], { env: { PATH: process.env.PATH, HOME: r.dir, GIT_CONFIG_NOSYSTEM: '1' } });
    const d = await blameFile(dest, 'src/a.py', {});
    assert.ok(d.file.shallowEdge && d.file.shallowEdge.size === 1);
    const edge = [...d.file.shallowEdge][0];
    assert.ok(d.commits.some((c) => c.sha === edge && c.boundary === 'shallow' && c.files.length === 0));
    const h = await rangeHistory(dest, 'src/a.py', { start: 1, end: 3, max: 10 });
    assert.equal(h.entries.length, 2);
    assert.equal(h.entries[1].boundary, 'shallow');
  });
});

describe('a checkout cannot make git run programs or write', () => {
  test('diff.external, textconv, fsmonitor, gpg via log.showSignature are neutralised; .git is untouched', async () => {
    const r = makeRepo();
    const marker = join(r.outside, 'ran');
    const evil = join(r.outside, 'evil.sh');
    writeFileSync(evil, `#!/bin/sh\necho ran >> ${marker}\ncat "$1" 2>/dev/null\n`);
    chmodSync(evil, 0o755);
    writeFileSync(join(r.dir, '.gitattributes'), '*.py diff=evil\n');
    sh(r.dir, ['add', '.gitattributes']);
    sh(r.dir, ['commit', '-q', '-m', 'attrs'], T + 10 * 86400);
    for (const [k, v] of [['diff.external', evil], ['diff.evil.textconv', evil], ['core.fsmonitor', evil], ['log.showSignature', 'true'],
      ['gpg.program', evil], ['core.pager', evil], ['blame.ignoreRevsFile', 'missing-file']]) sh(r.dir, ['config', k, v]);
    assert.equal(existsSync(marker), false);
    const snapshot = () => readdirSync(join(r.dir, '.git'), { recursive: true }).map(String).sort()
      .map((f) => `${f}:${statSync(join(r.dir, '.git', f)).mtimeMs}`).join('\n');
    const before = snapshot();
    const d = await blameFile(r.dir, 'src/a.py', { start: 1, end: 5 });
    assert.equal(d.hunks.length > 0, true);
    const h = await rangeHistory(r.dir, 'src/a.py', { start: 1, end: 5, max: 10 });
    assert.equal(h.entries.length, 4);
    assert.ok(h.entries[0].diff.some((l) => l.startsWith('+x1 = 4')), 'a real diff, not an external tool\'s output');
    assert.equal(existsSync(marker), false, 'a program from the checkout\'s config ran');
    assert.equal(snapshot(), before, 'something under .git changed');
  });
});
