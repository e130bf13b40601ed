/**
 * The persisted index: one file per checkout under `<cacheDir>/index/`, named after a hash of the checkout's
 * absolute path. Layout (little-endian):
 *
 *   "DSMIDX\0\1" | u32 headerLen | u32 bodyLen | u32 crc32(header+body) | header (JSON) | body
 *   body = for each file: u32 blobLen | blob   (blob = cache-codec encoding of a FileRecord or CachedSkip)
 *
 * The header carries the fingerprint (format version + hash of query files, grammar package versions and
 * extractor code): any difference, a bad checksum, a short file or a blob that does not decode means the
 * cache is ignored and rebuilt, never trusted. Writes go to a temp file in the same directory, then rename:
 * a reader sees the old file or the new one, never a partial one. Two servers on one checkout may both
 * write; the last rename wins and both files are complete.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { PACKAGE_ROOT } from '../package-root.js';
import { LANGUAGES } from '../lang/registry.js';
import { CodecError, decodeValue, encodeValue } from './cache-codec.js';
import type { FileRecord, SkippedFile } from './model.js';

export const CACHE_FORMAT = 6;
const MAGIC = Buffer.from('DSMIDX\0\x01', 'latin1');
const FIXED = MAGIC.length + 12;

/** A skipped file with the stat it was skipped at, so an unchanged skip is not re-read on the next start. */
export interface CachedSkip extends SkippedFile {
  size?: number;
  mtimeMs?: number;
}

export type CachedEntry = FileRecord | CachedSkip;

/** mtimes of what decides the file list without running git: directories, ignore files, git's HEAD/index/ref. */
export interface Stamps {
  dirs: Record<string, number>;
  ignores: Record<string, number>;
  git: Record<string, number>;
}

export interface CacheHeader {
  format: number;
  fingerprint: string;
  root: string;
  head?: string;
  /** Every file git showed (grep's corpus), as of `stamps`. */
  allFiles: string[];
  stamps: Stamps;
  count: number;
  written: string;
}

export interface LoadedCache {
  header: CacheHeader;
  /** Blobs in file order; each decodes to one CachedEntry. Views into the file buffer. */
  blobs: Uint8Array[];
  bytes: number;
}

const require = createRequire(import.meta.url);
let fingerprintValue: string | undefined;

/**
 * Hash of everything that shapes a record: the cache format, every query file, the grammar and runtime
 * package versions, and the compiled extractor code. Changing any of them invalidates every cache.
 */
export function fingerprint(): string {
  if (fingerprintValue) return fingerprintValue;
  const h = createHash('sha256');
  h.update(`format ${CACHE_FORMAT}\n`);
  const qdir = join(PACKAGE_ROOT, 'queries');
  for (const dir of readdirSync(qdir).sort()) {
    for (const f of readdirSync(join(qdir, dir)).sort()) h.update(`${dir}/${f}\n`).update(readFileSync(join(qdir, dir, f)));
  }
  const pkgs = new Set(['web-tree-sitter', 'tree-sitter', ...LANGUAGES.map((l) => l.grammar.pkg)]);
  for (const pkg of [...pkgs].sort()) h.update(`${pkg}@${packageVersion(pkg)}\n`);
  // The compiled modules: next to this one, or two levels up from the bundle's chunks (dist/bundle/chunks/
  // → dist/), so the bundle and the modules compute the same fingerprint and share caches.
  let here = dirname(fileURLToPath(import.meta.url));
  if (!existsSync(join(here, '../lang/extract.js'))) here = join(here, '../../index');
  for (const f of ['../lang/extract.js', '../lang/native-extract.js', '../lang/recover.js', '../lang/registry.js', '../lang/rust-use.js', '../lang/grammar.js', '../lang/native.js', './parse-file.js', './cache-codec.js']) {
    try {
      h.update(f).update(readFileSync(join(here, f)));
    } catch {
      h.update(`${f} missing`);
    }
  }
  // The C extractor and its encoder (compiled into the native binding): their sources ship with the package.
  for (const f of ['extract.c', 'codec.c']) {
    try {
      h.update(`native/${f}`).update(readFileSync(join(PACKAGE_ROOT, 'native', f)));
    } catch {
      h.update(`native/${f} missing`);
    }
  }
  fingerprintValue = h.digest('hex').slice(0, 32);
  return fingerprintValue;
}

function packageVersion(pkg: string): string {
  let dir: string;
  try {
    dir = dirname(require.resolve(pkg === 'web-tree-sitter' ? pkg : `${pkg}/package.json`));
  } catch {
    return 'absent'; // the optional tree-sitter package (native runtime sources)
  }
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (json.name === pkg) return json.version ?? '?';
    } catch {
      /* keep walking up */
    }
  }
  return '?';
}

/** `<cacheDir>/index/<basename>-<hash of the absolute path>.idx` */
export function cacheFileFor(cacheDir: string, root: string): string {
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const base = basename(root).replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'repo';
  return join(cacheDir, 'index', `${base}-${hash}.idx`);
}

/** CRC-32 (zlib's), continued from `value`: chunks give the CRC of their concatenation. */
const crc32: (data: Uint8Array, value?: number) => number = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32 ?? crc32Js;

let crcTable: Int32Array | undefined;
/** Node before 20.15 has no zlib.crc32: the same function, table-driven. */
export function crc32Js(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export type LoadResult = { ok: true; cache: LoadedCache } | { ok: false; reason: string };

/** Reads and verifies a cache file. Anything short of a complete, matching file is a miss with a reason. */
export function readCache(file: string, root: string): LoadResult {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no cache yet' : `unreadable (${(e as Error).message})` };
  }
  if (buf.length < FIXED || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return { ok: false, reason: 'not a cache file of this format' };
  const headerLen = buf.readUInt32LE(MAGIC.length);
  const bodyLen = buf.readUInt32LE(MAGIC.length + 4);
  const crc = buf.readUInt32LE(MAGIC.length + 8);
  if (buf.length !== FIXED + headerLen + bodyLen) return { ok: false, reason: `truncated (${buf.length} of ${FIXED + headerLen + bodyLen} bytes)` };
  if ((crc32(buf.subarray(FIXED)) >>> 0) !== crc) return { ok: false, reason: 'checksum mismatch (corrupt)' };
  let header: CacheHeader;
  try {
    header = JSON.parse(buf.toString('utf8', FIXED, FIXED + headerLen)) as CacheHeader;
  } catch {
    return { ok: false, reason: 'unreadable header' };
  }
  if (header.format !== CACHE_FORMAT) return { ok: false, reason: `format ${header.format}, expected ${CACHE_FORMAT}` };
  if (header.fingerprint !== fingerprint()) return { ok: false, reason: 'built by a different version (queries, grammars or extractor changed)' };
  if (header.root !== root) return { ok: false, reason: `built for ${header.root}` };
  const blobs: Uint8Array[] = [];
  let pos = FIXED + headerLen;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) return { ok: false, reason: 'truncated entry' };
    const len = buf.readUInt32LE(pos);
    pos += 4;
    if (pos + len > buf.length) return { ok: false, reason: 'truncated entry' };
    blobs.push(buf.subarray(pos, pos + len));
    pos += len;
  }
  if (blobs.length !== header.count) return { ok: false, reason: `${blobs.length} entries, header says ${header.count}` };
  return { ok: true, cache: { header, blobs, bytes: buf.length } };
}

export function decodeEntry(blob: Uint8Array): CachedEntry {
  const v = decodeValue(blob) as CachedEntry;
  if (!v || typeof v !== 'object' || typeof v.path !== 'string') throw new CodecError('entry without a path');
  const rec = v as FileRecord;
  for (const key of PLAIN) {
    const packed = (rec as unknown as Record<string, unknown>)[key];
    if (packed instanceof Uint8Array) lazyField(rec, key, packed);
  }
  for (const key of NAMED) {
    const col = (rec as unknown as Record<string, unknown>)[key] as Named | undefined;
    if (col && !Array.isArray(col) && col.packed instanceof Uint8Array && Array.isArray(col.names)) {
      namesOf[key].set(rec, col.names);
      if (key === 'defs' && Array.isArray(col.attrs)) attrsOfDefs.set(rec, col.attrs);
      lazyField(rec, key, col.packed, col.names);
    }
  }
  return v;
}

/**
 * A record's definitions, calls and imports in the cache: their names as a column, and the objects themselves
 * as a nested blob. Loading a cache decodes only the names (the symbol table, the reverse call index and a
 * search for who imports a name need no more); a file's definitions, calls or imports are decoded when an
 * answer first reads them. An import without a name (`import m`) has '' in the column.
 */
interface Named {
  names: string[];
  packed: Uint8Array;
  /** Definitions only: the distinct attributes they carry (decorators, `#[...]`, `extern "C"`). */
  attrs?: string[];
}

const NAMED = ['defs', 'calls', 'imports'] as const;
type NamedKey = (typeof NAMED)[number];
const namesOf: Record<NamedKey, WeakMap<FileRecord, readonly string[]>> = { defs: new WeakMap(), calls: new WeakMap(), imports: new WeakMap() };
/** Read only for the file at hand (typing a receiver, an error path): nested blobs without a column. */
const PLAIN = ['bindings', 'errors'] as const;
type PlainKey = (typeof PLAIN)[number];

/**
 * The called name of each of a record's calls, in order, without decoding its calls when it came from the
 * cache: the reverse call index reads only names, so a warm start decodes the calls of just the files an
 * answer looks into.
 */
export function callNames(rec: FileRecord): readonly string[] {
  return namesOf.calls.get(rec) ?? rec.calls.map((c) => c.name);
}

/** The imported name of each of a record's imports ('' for none), in order, without decoding them. */
export function importNames(rec: FileRecord): readonly string[] {
  return namesOf.imports.get(rec) ?? rec.imports.map((i) => i.name ?? '');
}

/** The name of each of a record's definitions, in order, without decoding them (the symbol table's rows). */
export function defNames(rec: FileRecord): readonly string[] {
  return namesOf.defs.get(rec) ?? rec.defs.map((d) => d.name);
}

const attrsOfDefs = new WeakMap<FileRecord, readonly string[]>();

/**
 * The distinct attributes of a record's definitions, without decoding them: a whole-workspace table of
 * attributed definitions (PyO3 classes, `extern "C"` functions) decodes only the files that have one.
 */
export function defAttrs(rec: FileRecord): readonly string[] {
  return attrsOfDefs.get(rec) ?? distinctAttrs(rec.defs);
}

function distinctAttrs(defs: readonly { attrs?: string[] }[]): string[] {
  return [...new Set(defs.flatMap((d) => d.attrs ?? []))];
}

const UNREADABLE = 'unreadable in the index cache: delete the cache directory to re-index this file';

/**
 * A record's calls, bindings, definitions, imports and error marks (340k, 137k, 62k, 49k and 14k objects on
 * both checkouts: nearly all of a warm start's decoding) are read only for the files an answer looks into:
 * they travel as nested blobs, decoded on first access. The file's checksum was verified when it was read; a
 * nested blob that still does not decode (or does not match its names column) reads as an empty list, and
 * definitions as stand-ins (name, line 1, a doc line saying so) that keep the symbol table's rows valid:
 * answers lose that file's detail, nothing fails.
 */
function lazyField(rec: FileRecord, key: PlainKey | NamedKey, packed: Uint8Array, names?: readonly string[]): void {
  let value: unknown[] | undefined;
  Object.defineProperty(rec, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!value) {
        let ok = false;
        try {
          const v = decodeValue(packed);
          ok = Array.isArray(v) && (names === undefined || v.length === names.length);
          value = ok ? (v as unknown[]) : [];
        } catch {
          value = [];
        }
        if (!ok && key === 'defs' && names) {
          // The symbol table already holds these names by position: stand-ins keep every row valid.
          value = names.map((name) => ({ name, kind: 'function', sig: name, doc: UNREADABLE, line: 1, endLine: 1 }));
          attrsOfDefs.set(rec, []);
        } else if (!ok && (key === 'calls' || key === 'imports')) {
          // The names column must agree with the objects: a file whose calls are lost has none by name either.
          namesOf[key].set(rec, []);
        }
      }
      return value;
    },
    set: (v: unknown[]) => {
      value = v;
      // Objects set by hand have their own names: the column read from the cache no longer describes them.
      if (key === 'defs' || key === 'calls' || key === 'imports') namesOf[key].delete(rec);
      if (key === 'defs') attrsOfDefs.delete(rec);
    },
  });
}

/** Encodes a record for the cache; its lists go in nested blobs, decoded on first access. */
export function encodeEntry(entry: CachedEntry): Uint8Array {
  const rec = entry as Partial<FileRecord>;
  if (!Array.isArray(rec.bindings) || !Array.isArray(rec.calls) || !Array.isArray(rec.defs) || !Array.isArray(rec.imports) || !Array.isArray(rec.errors)) {
    return encodeValue(entry);
  }
  const named = (list: { name?: string }[]): Named => ({ names: list.map((x) => x.name ?? ''), packed: encodeValue(list) });
  const defs: Named = { ...named(rec.defs), attrs: distinctAttrs(rec.defs) };
  return encodeValue({
    ...entry, bindings: encodeValue(rec.bindings), errors: encodeValue(rec.errors), calls: named(rec.calls), defs, imports: named(rec.imports),
  });
}

const WRITE_CHUNK = 1 << 20;

/**
 * Writes the cache atomically: a temp file in the same directory, then rename. Concurrent writers each
 * rename a complete file; the last one wins. Returns the bytes written.
 */
export async function writeCache(file: string, header: Omit<CacheHeader, 'format' | 'fingerprint' | 'count' | 'written'>, blobs: Uint8Array[]): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const full: CacheHeader = { format: CACHE_FORMAT, fingerprint: fingerprint(), ...header, count: blobs.length, written: new Date().toISOString() };
  const headerBuf = Buffer.from(JSON.stringify(full), 'utf8');
  // The body is written in chunks, never built whole: a cold index's ~27 MB copy would otherwise stay in
  // the process until a full GC.
  const len = Buffer.alloc(4);
  let bodyLen = 0;
  let crc = crc32(headerBuf);
  for (const b of blobs) {
    len.writeUInt32LE(b.length);
    crc = crc32(b, crc32(len, crc));
    bodyLen += 4 + b.length;
  }
  const fixed = Buffer.alloc(FIXED);
  MAGIC.copy(fixed);
  fixed.writeUInt32LE(headerBuf.length, MAGIC.length);
  fixed.writeUInt32LE(bodyLen, MAGIC.length + 4);
  fixed.writeUInt32LE(crc >>> 0, MAGIC.length + 8);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    const fh = await open(tmp, 'w', 0o644);
    const writeAll = async (part: Uint8Array) => {
      for (let off = 0; off < part.length;) off += (await fh.write(part, off, part.length - off)).bytesWritten;
    };
    try {
      await writeAll(fixed);
      await writeAll(headerBuf);
      const chunk = Buffer.allocUnsafe(Math.min(WRITE_CHUNK, bodyLen));
      let pos = 0;
      for (const b of blobs) {
        if (pos + 4 + b.length > chunk.length) {
          await writeAll(chunk.subarray(0, pos));
          pos = 0;
        }
        if (4 + b.length > chunk.length) {
          len.writeUInt32LE(b.length);
          await writeAll(len);
          await writeAll(b);
          continue;
        }
        chunk.writeUInt32LE(b.length, pos);
        chunk.set(b, pos + 4);
        pos += 4 + b.length;
      }
      await writeAll(chunk.subarray(0, pos));
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return FIXED + headerBuf.length + bodyLen;
}

/** Temp files of writers that died mid-write (older than a minute) are removed. */
export function sweepTempFiles(file: string): void {
  const dir = dirname(file);
  const prefix = basename(file) + '.';
  try {
    for (const f of readdirSync(dir)) {
      if (!f.startsWith(prefix) || !f.endsWith('.tmp')) continue;
      const p = join(dir, f);
      if (Date.now() - statSync(p).mtimeMs > 60_000) rmSync(p, { force: true });
    }
  } catch {
    /* nothing to sweep */
  }
}
