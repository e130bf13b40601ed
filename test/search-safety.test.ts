/**
 * Regex safety: a pathological pattern on long lines finishes within 2 s (V8's linear-time engine takes
 * over from backtracking), a pattern too expensive for the time budget gets a clear error, the main thread
 * stays responsive while workers scan, and edits on disk are seen by the next search.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { UserError } from '../src/errors.js';
import { resolveConfig } from '../src/index/config.js';
import { Workspace } from '../src/index/workspace.js';
import { grep } from '../src/search/engine.js';

let ws: Workspace;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsm-grep-safety-'));
  const long = (end: string) => 'a'.repeat(30_000) + end;
  writeFileSync(join(dir, 'long.txt'), Array.from({ length: 20 }, (_, i) => long(i % 4 === 0 ? 'a' : '!')).join('\n') + '\n');
  writeFileSync(join(dir, 'words.md'), Array.from({ length: 3000 }, () => 'word '.repeat(40) + '!').join('\n') + '\n');
  writeFileSync(join(dir, 'code.py'), 'def evict(self):\n    return 1\n');
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([0x61, 0x61, 0, 0x61]));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  ws = new Workspace(resolveConfig({ repos: [`t=${dir}`], env: {}, cacheDir: mkdtempSync(join(tmpdir(), 'dsm-grep-safety-cache-')), home: dir }));
  await ws.ready();
  await grep(ws, { pattern: 'warm up: load the files into the grep workers', repos: [...ws.repos.values()] });
});

const repos = () => [...ws.repos.values()];

describe('grep safety', () => {
  test('(a+)+$ on 30,000-character lines returns within 2 s, with its results', async () => {
    const t = performance.now();
    const r = await grep(ws, { pattern: '(a+)+$', repos: repos() });
    const ms = performance.now() - t;
    assert.ok(ms < 2000, `took ${Math.round(ms)} ms`);
    assert.equal(r.totals.lines, 5, 'the five lines ending in a');
    assert.equal(r.totals.files, 1);
  });

  test('a pattern too expensive for the budget stops with an error that says why and what to do', async () => {
    const t = performance.now();
    await assert.rejects(grep(ws, { pattern: '(\\w+\\s?)+$', repos: repos(), budgetMs: 300 }),
      (e: unknown) => e instanceof UserError && /too expensive to search safely/.test(e.message) && /nested quantifiers/.test(e.message));
    assert.ok(performance.now() - t < 5000);
  });

  test('the main thread keeps answering while workers scan', async () => {
    let last = performance.now();
    let worst = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    try {
      await grep(ws, { pattern: '(a+)+$', repos: repos() });
      await grep(ws, { pattern: '(\\w+\\s?)+$', repos: repos(), budgetMs: 500 }).catch(() => undefined);
    } finally {
      clearInterval(tick);
    }
    assert.ok(worst < 250, `event loop blocked for ${Math.round(worst)} ms`);
  });

  test('binary files are skipped; an invalid regex is a UserError', async () => {
    const r = await grep(ws, { pattern: 'aa', repos: repos(), path: 'blob.bin' });
    assert.equal(r.totals.matches, 0);
    assert.equal(r.binary, 1);
    await assert.rejects(grep(ws, { pattern: '([a-z]', repos: repos() }), /Invalid regex/);
  });

  test('an edit on disk is seen by the next search', async () => {
    assert.equal((await grep(ws, { pattern: 'def evict', repos: repos() })).totals.matches, 1);
    writeFileSync(join(dir, 'code.py'), 'def evict(self):\n    return 1\n\ndef evict_all(self):\n    pass\n');
    const r = await grep(ws, { pattern: 'def evict', repos: repos() });
    assert.equal(r.totals.matches, 2);
    assert.equal(r.searched.reread, 1);
  });
});
