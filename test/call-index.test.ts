/**
 * The reverse call index answers its first names by scanning every file's called names and builds the
 * whole index from the next one on: both ways give the same call sites in the same order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callNames } from '../src/index/cache.js';
import { callIndex, type CallRef } from '../src/resolve/calls.js';
import { fixtureWorkspace } from './helpers/fixture.js';

test('scanned and indexed call sites are the same, for names called once, often, or never', async () => {
  const ws = await fixtureWorkspace();
  const counts = new Map<string, number>();
  for (const repo of ws.repos.values()) for (const rec of repo.files.values()) for (const n of callNames(rec)) counts.set(n, (counts.get(n) ?? 0) + 1);
  const byCount = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const names = [byCount[0][0], byCount[1][0], byCount[byCount.length - 1][0], byCount[Math.floor(byCount.length / 2)][0], 'no_such_call_anywhere'];
  assert.ok(byCount[0][1] > 1 && byCount[byCount.length - 1][1] === 1, 'the fixture has names called often and once');

  const index = callIndex(ws);
  const scanned = new Map<string, CallRef[] | undefined>(names.map((n) => [n, index.get(n)]));
  index.complete();
  for (const n of names) assert.deepStrictEqual(index.get(n), scanned.get(n), n);
  assert.equal(scanned.get('no_such_call_anywhere'), undefined);
  assert.equal(scanned.get(byCount[0][0])!.length, byCount[0][1]);
  for (const ref of scanned.get(byCount[0][0])!) {
    assert.equal(ws.record(ref.repo, ref.file)!.calls[ref.i].name, byCount[0][0], 'each ref points at a call of that name');
  }
});

test('past the first few names the whole index is built, and answers the same', async () => {
  const ws = await fixtureWorkspace();
  const all = new Set<string>();
  for (const repo of ws.repos.values()) for (const rec of repo.files.values()) for (const n of callNames(rec)) all.add(n);
  const names = [...all].sort().slice(0, 20);
  // A fresh index per generation: compare answers from scans (first names) with those of the built index.
  const index = callIndex(ws);
  const first = names.map((n) => index.get(n));
  const again = names.map((n) => index.get(n));
  assert.deepStrictEqual(again, first);
  const manual = names.map((name) => {
    const out: CallRef[] = [];
    for (const repo of ws.repos.values()) for (const rec of repo.files.values()) rec.calls.forEach((c, i) => { if (c.name === name) out.push({ repo: repo.name, file: rec.path, i }); });
    return out.length ? out : undefined;
  });
  assert.deepStrictEqual(first, manual);
});
