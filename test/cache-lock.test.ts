/** The advisory build lock: a lock file caught between its creation and its pid being written is held. */
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tryLock } from '../src/index/cache-lock.js';
import { tempDir } from './helpers/hostile.js';

test('an empty, fresh lock file (being taken right now) is not taken over', () => {
  const cache = join(tempDir('dsm-lock-'), 'index', 'r.idx');
  const first = tryLock(cache);
  assert.ok(first);
  first.release();
  writeFileSync(`${cache}.lock`, '');
  assert.equal(tryLock(cache), undefined, 'a second process must wait, not remove it');
});

test('an empty lock file left behind long ago is taken over; a dead pid too', () => {
  const cache = join(tempDir('dsm-lock-'), 'r.idx');
  writeFileSync(`${cache}.lock`, '');
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(`${cache}.lock`, old, old);
  const a = tryLock(cache);
  assert.ok(a, 'an abandoned empty lock is stale');
  a.release();
  writeFileSync(`${cache}.lock`, '2147483646 2026-01-01T00:00:00.000Z\n');
  const b = tryLock(cache);
  assert.ok(b, 'a lock whose pid does not exist is stale');
  b.release();
});

test('a live holder keeps the lock until it releases it', () => {
  const cache = join(tempDir('dsm-lock-'), 'r.idx');
  const a = tryLock(cache)!;
  assert.equal(tryLock(cache), undefined);
  a.release();
  const b = tryLock(cache);
  assert.ok(b);
  b.release();
});
