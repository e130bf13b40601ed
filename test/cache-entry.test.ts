/** Cache entries: a record's bindings travel as a nested blob and are decoded on first access. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEntry, encodeEntry } from '../src/index/cache.js';
import { encodeValue } from '../src/index/cache-codec.js';
import type { FileRecord } from '../src/index/model.js';

const rec: FileRecord = {
  path: 'pkg/a.py', lang: 'python', size: 10, mtimeMs: 1, lines: 3,
  defs: [{ name: 'f', kind: 'function', sig: 'def f()', line: 1, endLine: 2 }],
  calls: [], imports: [], errors: [], comments: new Uint8Array(0), strings: new Uint8Array([1, 0, 1, 4]), parseErrors: 0,
  bindings: [{ target: 'x', type: 'Foo', line: 2, in: 0 }, { target: 'y', type: 'x', line: 3, in: -1, alias: true }],
};

test('bindings round-trip, decoded only when read', () => {
  const back = decodeEntry(encodeEntry(rec)) as FileRecord;
  const d = Object.getOwnPropertyDescriptor(back, 'bindings')!;
  assert.equal(typeof d.get, 'function', 'an accessor, not decoded at load');
  assert.deepStrictEqual(back.bindings, rec.bindings);
  assert.strictEqual(back.bindings, back.bindings, 'decoded once');
  assert.deepStrictEqual({ ...back, bindings: back.bindings }, rec);
});

test('an entry without nested bindings (a skip, an older layout) decodes as it is', () => {
  assert.deepStrictEqual(decodeEntry(encodeEntry({ path: 'big.bin', reason: 'binary (NUL byte)' })), { path: 'big.bin', reason: 'binary (NUL byte)' });
});

test('a nested bindings blob that does not decode reads as no bindings, without failing the load', () => {
  const back = decodeEntry(encodeValue({ ...rec, bindings: new Uint8Array([0xff, 0x07, 0x01]) })) as FileRecord;
  assert.deepStrictEqual(back.defs, rec.defs, 'the rest of the record is there');
  assert.deepStrictEqual(back.bindings, []);
});
