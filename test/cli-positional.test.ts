import assert from 'node:assert/strict';
import { test } from 'node:test';
import { positionalField } from '../src/cli/positional.js';

test('the CLI passes a blame positional that names a symbol as symbol, and a path as file', () => {
  assert.equal(positionalField('blame', 'RadixCache.evict'), 'symbol');
  assert.equal(positionalField('blame', 'KvRouter::find_best_match'), 'symbol');
  assert.equal(positionalField('blame', 'python/sglang/srt/mem_cache/radix_cache.py'), 'file');
  assert.equal(positionalField('blame', 'setup.py'), 'file', 'a source file at the repo root');
  assert.equal(positionalField('blame', 'Cargo.toml'), 'file');
  assert.equal(positionalField('blame', 'kernel.cu'), 'file');
  assert.equal(positionalField('blame', 'Makefile'), 'file', 'a bare word stays a file');
  assert.equal(positionalField('explore', 'RadixCache.evict'), 'symbol');
  assert.equal(positionalField('grep', 'a.b'), 'pattern');
});
