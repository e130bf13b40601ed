import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadGrammar } from '../src/lang/grammar.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { LANGUAGES, languageOf } from '../src/lang/registry.js';
import { fixtureSourceFiles } from './helpers/fixture.js';

test('every registered language has query files that compile', async () => {
  for (const spec of LANGUAGES) {
    for (const dir of spec.queryDirs) {
      const files = readdirSync(join(PACKAGE_ROOT, 'queries', dir)).filter((f) => f.endsWith('.scm'));
      assert.ok(files.length > 0, `${spec.id}: no .scm files in queries/${dir}`);
    }
    const g = await loadGrammar(spec);
    assert.ok(g.query.captureNames.length > 0, `${spec.id}: query has no captures`);
  }
});

test('every registered language has a fixture file', () => {
  const seen = new Set(fixtureSourceFiles().map((f) => languageOf(f)!.id));
  for (const spec of LANGUAGES) assert.ok(seen.has(spec.id), `no fixture file for ${spec.id} under test/fixtures/workspace`);
});

test('extensions map to languages; .cu uses the CUDA grammar', () => {
  assert.equal(languageOf('a/b/k.cu')?.id, 'cuda');
  assert.equal(languageOf('k.cuh')?.grammar.pkg, 'tree-sitter-cuda');
  assert.equal(languageOf('x.rs')?.id, 'rust');
  assert.equal(languageOf('x.pyi')?.id, 'python');
  assert.equal(languageOf('x.h')?.id, 'cpp');
  assert.equal(languageOf('Makefile'), undefined);
});

test('a Rust enum records the payload of each tuple variant; struct and unit variants add none', async () => {
  const { extract } = await import('../src/lang/extract.js');
  const spec = LANGUAGES.find((l) => l.id === 'rust')!;
  const g = await loadGrammar(spec);
  const rec = extract(spec, g.parser, g.query, 'pub enum Pick {\n    Radix(RadixTree),\n    Pooled(Arc<Pool<Tree>>, u8),\n    Named { a: u32 },\n    Off,\n}\nenum Unit { A, B }\n');
  const pick = rec.defs.find((d) => d.name === 'Pick')!;
  assert.deepEqual(pick.variants, ['RadixTree', 'Arc<Pool<Tree>>, u8']);
  assert.equal(rec.defs.find((d) => d.name === 'Unit')!.variants, undefined);
});

test('every language spec has the same keys in the same order (one object shape for the extractor)', () => {
  const keys = LANGUAGES.map((l) => Object.keys(l).join(','));
  assert.equal(new Set(keys).size, 1, keys.join('\n'));
  assert.ok(keys[0].split(',').includes('macroBodies'), 'a key only CUDA sets is present on every spec');
});
