/** Cache entries: a record's bindings, calls and definitions travel as nested blobs and are decoded on first access. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callNames, decodeEntry, defAttrs, defNames, encodeEntry, importNames } from '../src/index/cache.js';
import { encodeValue } from '../src/index/cache-codec.js';
import type { FileRecord } from '../src/index/model.js';

const rec: FileRecord = {
  path: 'pkg/a.py', lang: 'python', size: 10, mtimeMs: 1, lines: 3,
  defs: [
    { name: 'f', kind: 'function', sig: 'def f()', line: 1, endLine: 2, attrs: ['torch.compile'] },
    { name: 'g', kind: 'function', sig: 'def g()', line: 3, endLine: 3, attrs: ['torch.compile', 'staticmethod'] },
  ],
  calls: [
    { name: 'g', receiver: 'self.x', sep: '.', kind: 'call', line: 2, col: 4, in: 0 },
    { name: 'h', kind: 'call', line: 3, col: 0, in: -1, awaited: true },
  ],
  imports: [{ module: 'os', line: 1 }, { module: 'torch', name: 'nn', alias: 'n', line: 2 }],
  errors: [{ kind: 'raise', line: 3, in: 0 }], comments: new Uint8Array(0), strings: new Uint8Array([1, 0, 1, 4]), parseErrors: 0,
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

test('calls round-trip, decoded only when read; their names are readable without decoding them', () => {
  const back = decodeEntry(encodeEntry(rec)) as FileRecord;
  assert.equal(typeof Object.getOwnPropertyDescriptor(back, 'calls')!.get, 'function', 'an accessor, not decoded at load');
  assert.deepStrictEqual(callNames(back), ['g', 'h']);
  assert.deepStrictEqual(back.calls, rec.calls);
  assert.strictEqual(back.calls, back.calls, 'decoded once');
  assert.deepStrictEqual(callNames(rec), ['g', 'h'], 'a record fresh from a parse has its names too');
  back.calls = [{ name: 'k', kind: 'call', line: 5, col: 0, in: -1 }];
  assert.deepStrictEqual(callNames(back), ['k'], 'calls set after load have their own names');
});

test('a nested calls blob that does not decode, or disagrees with its names, reads as no calls', () => {
  const names = rec.calls.map((c) => c.name);
  const bad = decodeEntry(encodeValue({ ...rec, calls: { names, packed: new Uint8Array([0xff, 0x07]) } })) as FileRecord;
  assert.deepStrictEqual(bad.calls, []);
  assert.deepStrictEqual(callNames(bad), [], 'names follow the calls');
  const short = decodeEntry(encodeValue({ ...rec, calls: { names, packed: encodeValue(rec.calls.slice(1)) } })) as FileRecord;
  assert.deepStrictEqual(short.calls, []);
});

test('definitions round-trip, decoded only when read; their names and attributes are readable without decoding them', () => {
  const back = decodeEntry(encodeEntry(rec)) as FileRecord;
  assert.equal(typeof Object.getOwnPropertyDescriptor(back, 'defs')!.get, 'function', 'an accessor, not decoded at load');
  assert.deepStrictEqual(defNames(back), ['f', 'g']);
  assert.deepStrictEqual(defAttrs(back), ['torch.compile', 'staticmethod']);
  assert.equal(typeof Object.getOwnPropertyDescriptor(back, 'defs')!.get, 'function');
  assert.deepStrictEqual(back.defs, rec.defs);
  assert.strictEqual(back.defs, back.defs, 'decoded once');
  assert.deepStrictEqual([defNames(rec), defAttrs(rec)], [['f', 'g'], ['torch.compile', 'staticmethod']], 'a record fresh from a parse has them too');
  back.defs = [{ name: 'k', kind: 'class', sig: 'class K', line: 5, endLine: 6 }];
  assert.deepStrictEqual([defNames(back), defAttrs(back)], [['k'], []], 'definitions set after load have their own names and attributes');
});

test('imports and error marks round-trip, decoded only when read; imported names are readable without decoding them', () => {
  const back = decodeEntry(encodeEntry(rec)) as FileRecord;
  for (const key of ['imports', 'errors'] as const) {
    assert.equal(typeof Object.getOwnPropertyDescriptor(back, key)!.get, 'function', `${key}: an accessor, not decoded at load`);
  }
  assert.deepStrictEqual(importNames(back), ['', 'nn']);
  assert.deepStrictEqual([back.imports, back.errors], [rec.imports, rec.errors]);
  assert.deepStrictEqual(importNames(rec), ['', 'nn'], 'a record fresh from a parse has them too');
  const bad = decodeEntry(encodeValue({ ...rec, imports: { names: ['', 'nn'], packed: new Uint8Array([0xff]) }, errors: new Uint8Array([0xff]) })) as FileRecord;
  assert.deepStrictEqual([bad.imports, importNames(bad), bad.errors], [[], [], []], 'a blob that does not decode reads as none, names included');
});

test('a nested definitions blob that does not decode reads as stand-ins named from the column, so symbol rows stay valid', () => {
  for (const packed of [new Uint8Array([0xff, 0x07]), encodeValue(rec.defs.slice(1))]) {
    const bad = decodeEntry(encodeValue({ ...rec, defs: { names: ['f', 'g'], attrs: ['torch.compile'], packed } })) as FileRecord;
    assert.deepStrictEqual(bad.defs.map((d) => [d.name, d.line]), [['f', 1], ['g', 1]]);
    assert.match(bad.defs[0].doc!, /unreadable in the index cache/);
    assert.deepStrictEqual([defNames(bad), defAttrs(bad)], [['f', 'g'], []]);
  }
});

test('an entry without nested bindings (a skip, an older layout) decodes as it is', () => {
  assert.deepStrictEqual(decodeEntry(encodeEntry({ path: 'big.bin', reason: 'binary (NUL byte)' })), { path: 'big.bin', reason: 'binary (NUL byte)' });
});

test('a nested bindings blob that does not decode reads as no bindings, without failing the load', () => {
  const back = decodeEntry(encodeValue({ ...rec, bindings: new Uint8Array([0xff, 0x07, 0x01]) })) as FileRecord;
  assert.deepStrictEqual(back.defs, rec.defs, 'the rest of the record is there');
  assert.deepStrictEqual(back.bindings, []);
});
