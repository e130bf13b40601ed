/**
 * The parser pool on its own: after a big parse the workspace recycles the extracting worker (its heap
 * holds what extracting every file grew); a recycled pool parses again with a fresh worker and gives the
 * same records, and a worker busy with a parse is never ended under it.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ParserPool, type ParseInput } from '../src/index/pool.js';
import { languageOf } from '../src/lang/registry.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { fixtureSourceFiles } from './helpers/fixture.js';

function fixtureInputs(): ParseInput[] {
  const root = join(PACKAGE_ROOT, 'test/fixtures/workspace');
  return fixtureSourceFiles().map((p) => ({ abs: p, rel: relative(root, p), lang: languageOf(p)!.id, size: statSync(p).size }));
}

test('a recycled pool ends its idle workers, parses again with a fresh one, and never ends a busy one', async () => {
  const inputs = fixtureInputs();
  assert.ok(inputs.length >= 20, `only ${inputs.length} fixture files`);
  const pool = new ParserPool(2);
  try {
    const first = await pool.parse(inputs);
    assert.ok(pool.workers >= 1);
    pool.recycle();
    assert.equal(pool.workers, 0, 'idle workers are ended');

    const running = pool.parse(inputs);
    assert.ok(pool.workers >= 1, 'a parse starts a fresh worker');
    pool.recycle(); // the worker is busy: it stays
    const second = await running;
    assert.deepEqual(second.map((p) => p.entry), first.map((p) => p.entry), 'the same records from the fresh worker');
    assert.ok(first.every((p) => !('reason' in p.entry)), 'every fixture file parsed');
  } finally {
    await pool.close();
  }
});
