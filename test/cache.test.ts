/**
 * The persisted index: round trip, and every way a cache file can be unusable (corrupt, truncated, built by
 * another version, a blob that does not decode) leads to a rebuild with the same records, never to trust.
 * Two processes starting at once on one cache dir both answer, and only one of them builds.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { CodecError, decodeValue, encodeValue } from '../src/index/cache-codec.js';
import { cacheFileFor, crc32Js, readCache, writeCache } from '../src/index/cache.js';
import type { Workspace } from '../src/index/workspace.js';
import { SERVER_JS } from './helpers/client.js';
import { privateFixture, workspaceOn, type PrivateFixture } from './helpers/private-fixture.js';

const run = promisify(execFile);
let fx: PrivateFixture;
let reference: Workspace;

before(async () => {
  fx = await privateFixture();
  reference = workspaceOn(fx, join(fx.dir, 'reference-cache'));
  await reference.ready();
  await reference.flush();
});

after(async () => {
  await reference.close();
});

/** Records, file lists and heads of every repo, for comparing two workspaces. */
function snapshot(ws: Workspace) {
  return [...ws.repos.values()].map((r) => ({
    name: r.name, head: r.head, allFiles: r.allFiles, skipped: r.skipped,
    files: [...r.files.entries()].sort(([a], [b]) => a.localeCompare(b)),
  }));
}

async function freshLoad(cacheDir: string): Promise<Workspace> {
  const ws = workspaceOn(fx, cacheDir);
  await ws.ready();
  await ws.flush();
  return ws;
}

test('codec round-trips plain data and rejects garbage', () => {
  const value = {
    path: 'a/ü/😀.py', n: -3, f: 1732334455123.4567, big: 2 ** 40, zero: 0, t: true, no: false, nil: null, u: undefined,
    list: [{ name: 'x', in: -1 }, { name: 'y', in: 2 }], empty: [], nums: [0, 1, 127, 128, 300000], mixed: [1, 'a', null],
    nested: { deep: { deeper: ['\u0000', 'tab\there', ''] } },
  };
  // A key whose value is undefined is not stored (records keep every optional key, most of them undefined).
  const { u, ...stored } = value;
  assert.equal(u, undefined);
  const decoded = decodeValue(encodeValue(value)) as Record<string, unknown>;
  assert.deepStrictEqual(decoded, stored);
  assert.ok(!('u' in decoded));
  assert.deepStrictEqual(decodeValue(encodeValue([undefined, { a: undefined }])), [undefined, {}], 'undefined array items are kept');
  const blob = encodeValue(value);
  assert.throws(() => decodeValue(blob.subarray(0, blob.length - 3)), CodecError);
  assert.throws(() => decodeValue(Uint8Array.from([5, 200, 1, 2])), CodecError);
});

test('codec: varints at every width, objects of one kind with different keys left undefined, nesting, a failed encode', () => {
  const uints = [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 7, Number.MAX_SAFE_INTEGER];
  const value = {
    uints,
    negs: uints.map((n) => -n).filter((n) => n < 0),
    // Same keys, different ones undefined (the shape found per object, not per kind); objects inside objects.
    calls: [
      { name: 'a', line: 2 ** 31, receiver: undefined, inner: { x: 1, y: undefined } },
      { name: 'b', line: 3, receiver: 'self', inner: { x: undefined, y: [{ z: 2 ** 33 }] } },
      { name: 'a', line: 4, receiver: undefined, inner: undefined },
    ],
  };
  assert.deepStrictEqual(decodeValue(encodeValue(value)), {
    uints,
    negs: uints.map((n) => -n).filter((n) => n < 0),
    calls: [
      { name: 'a', line: 2 ** 31, inner: { x: 1 } },
      { name: 'b', line: 3, receiver: 'self', inner: { y: [{ z: 2 ** 33 }] } },
      { name: 'a', line: 4 },
    ],
  });
  assert.throws(() => encodeValue({ a: 1, b: { c: 2, d: new Map() } }), /cannot encode a Map/);
  assert.deepStrictEqual(decodeValue(encodeValue({ a: [{ b: 1 }] })), { a: [{ b: 1 }] }, 'an encode after a failed one');
});

test('a cache round trip gives the same records, file lists and commits, with nothing re-read', async () => {
  const ws = await freshLoad(join(fx.dir, 'reference-cache'));
  for (const r of ws.lastReport!.repos) {
    assert.equal(r.cacheMiss, undefined, `${r.name}: cache not used: ${r.cacheMiss}`);
    assert.equal(r.reread, 0);
    assert.equal(r.removed, 0);
    assert.ok(r.fromCache > 10);
  }
  assert.deepStrictEqual(snapshot(ws), snapshot(reference));
  assert.equal(ws.byName.size, reference.byName.size);
  await ws.close();
});

/** Copies the reference cache into a new dir, lets `damage` edit each cache file, loads it. */
async function loadDamaged(label: string, damage: (buf: Buffer) => Buffer): Promise<Workspace> {
  const dir = join(fx.dir, `cache-${label}`);
  const src = join(fx.dir, 'reference-cache', 'index');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'index'), { recursive: true });
  for (const f of readdirSync(src).filter((f) => f.endsWith('.idx'))) writeFileSync(join(dir, 'index', f), damage(readFileSync(join(src, f))));
  return freshLoad(dir);
}

/** Rewrites the JSON header and fixes the checksum, as a different version of the server would have. */
function withHeader(buf: Buffer, edit: (h: Record<string, unknown>) => void): Buffer {
  const headerLen = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 20, 20 + headerLen)) as Record<string, unknown>;
  edit(header);
  const hb = Buffer.from(JSON.stringify(header));
  const body = buf.subarray(20 + headerLen);
  const fixed = Buffer.from(buf.subarray(0, 20));
  fixed.writeUInt32LE(hb.length, 8);
  fixed.writeUInt32LE(zlib.crc32(body, zlib.crc32(hb)) >>> 0, 16);
  return Buffer.concat([fixed, hb, body]);
}

const damages: [string, RegExp, (b: Buffer) => Buffer][] = [
  ['corrupt', /checksum/, (b) => { const c = Buffer.from(b); c[c.length - 100] ^= 0x55; return c; }],
  ['truncated', /truncated/, (b) => b.subarray(0, Math.floor(b.length * 0.6))],
  ['empty', /not a cache file/, () => Buffer.alloc(0)],
  ['old-format', /format 0/, (b) => withHeader(b, (h) => { h.format = 0; })],
  ['other-version', /different version/, (b) => withHeader(b, (h) => { h.fingerprint = '0'.repeat(32); })],
  ['bad-count', /entries, header says/, (b) => withHeader(b, (h) => { h.count = Number(h.count) + 1; })],
];

for (const [label, reason, damage] of damages) {
  test(`a ${label} cache is detected and rebuilt, never trusted`, async () => {
    const ws = await loadDamaged(label, damage);
    for (const r of ws.lastReport!.repos) assert.match(r.cacheMiss ?? '', reason, `${r.name}: ${r.cacheMiss}`);
    assert.deepStrictEqual(snapshot(ws), snapshot(reference));
    await ws.close();
    // The rebuilt cache is valid again.
    for (const r of ws.repos.values()) {
      const res = readCache(cacheFileFor(join(fx.dir, `cache-${label}`), r.root), r.root);
      assert.ok(res.ok, `${r.name}: rebuilt cache unreadable: ${res.ok ? '' : res.reason}`);
    }
  });
}

test('the CRC fallback (Node before 20.15) is zlib\'s CRC-32, and continues across chunks', () => {
  const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
  const native = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  assert.equal(crc32Js(Buffer.from('123456789')), 0xcbf43926, 'the CRC-32 check value');
  assert.equal(crc32Js(data.subarray(1234), crc32Js(data.subarray(0, 1234))), crc32Js(data));
  if (native) assert.equal(crc32Js(data), native(data) >>> 0);
});

test('a cache written in chunks reads back whole: blobs across chunk ends, and one bigger than a chunk', async () => {
  const root = '/somewhere/repo';
  const file = join(fx.dir, 'chunked', 'x.idx');
  const sizes = [3, 700_000, 500_000, 1, 2_500_000, 0, 40_000, 1_100_000];
  const blobs = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k) & 0xff));
  await writeCache(file, { root, allFiles: [], stamps: { dirs: {}, ignores: {}, git: {} } }, blobs);
  const res = readCache(file, root);
  assert.ok(res.ok, res.ok ? '' : res.reason);
  assert.deepEqual(res.cache.blobs.map((b) => Buffer.from(b)), blobs.map((b) => Buffer.from(b)));
});

test('a blob that passes the checksum but does not decode is a miss too', async () => {
  const ws = await loadDamaged('bad-blob', (b) => {
    const headerLen = b.readUInt32LE(8);
    const body = Buffer.from(b.subarray(20 + headerLen));
    body[4] = 0xff; // first blob's string count: now far past the blob's end
    body[5] = 0xff;
    body[6] = 0x7f;
    return withHeader(Buffer.concat([b.subarray(0, 20 + headerLen), body]), () => {});
  });
  for (const r of ws.lastReport!.repos) assert.match(r.cacheMiss ?? '', /unreadable entry/, `${r.name}: ${r.cacheMiss}`);
  assert.deepStrictEqual(snapshot(ws), snapshot(reference));
  await ws.close();
});

test('two processes starting at once on the same cache dir both answer; one builds, the other waits and loads', async () => {
  const cacheDir = join(fx.dir, 'cache-concurrent');
  const args = [SERVER_JS, 'index', '--json', '--dynamo', fx.dynamo, '--sglang', fx.sglang, '--cache-dir', cacheDir];
  const env = { ...process.env, HOME: fx.dir, DSM_PREWARM: '0' };
  const outs = await Promise.all([run(process.execPath, args, { env }), run(process.execPath, args, { env })]);
  const reports = outs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as { repos: { name: string; parsed: number; cache: string }[] });
  const expected = snapshot(reference).map((r) => [r.name, r.files.length]);
  for (const rep of reports) assert.deepStrictEqual(rep.repos.map((r) => [r.name, r.parsed]), expected);
  for (const name of ['dynamo', 'sglang']) {
    const misses = reports.filter((rep) => rep.repos.find((r) => r.name === name)!.cache !== 'hit').length;
    assert.equal(misses, 1, `${name}: ${reports.map((rep) => rep.repos.find((r) => r.name === name)!.cache).join(' / ')}`);
  }
  const ws = await freshLoad(cacheDir);
  assert.deepStrictEqual(snapshot(ws), snapshot(reference));
  for (const r of ws.lastReport!.repos) assert.equal(r.cacheMiss, undefined);
  assert.deepStrictEqual(readdirSync(join(cacheDir, 'index')).filter((f) => !f.endsWith('.idx')), [], 'no temp or lock files left');
  await ws.close();
});
