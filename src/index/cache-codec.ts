/**
 * A compact binary codec for plain data (the FileRecords of model.ts): one self-contained blob per value,
 * with a string table (names, receivers and kinds repeat within a file) and a shape table (every Call has
 * the same keys). Decoding builds objects through one generated constructor per shape, which is ~2.5× faster
 * than v8.deserialize and yields blobs ~2.7× smaller (measured on both real checkouts; see ARCHITECTURE.md,
 * "Persistence"). It knows nothing about FileRecord: a field added to the model round-trips unchanged.
 *
 * Blob: varint stringCount, varint tableBytes, the UTF-8 table, varint lengths (UTF-16 units) of each
 * string, varint shapeCount, per shape: varint keyCount and key string indexes; then the value.
 * Value tags: 0 undefined, 1 null, 2 false, 3 true, 4 uint, 5 negative int, 6 float64, 7 string,
 * 8 array, 9 object, 10 array of uints, 11 bytes (a Uint8Array; decoded as a view into the blob, no copy).
 * An object key whose value is undefined is not stored (a decoded object lacks it), so producers may build
 * records with every optional key present, which keeps their objects one shape.
 */

const T_UNDEF = 0, T_NULL = 1, T_FALSE = 2, T_TRUE = 3, T_UINT = 4, T_NEG = 5, T_F64 = 6, T_STR = 7, T_ARR = 8, T_OBJ = 9, T_UINTS = 10, T_BYTES = 11;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

class Writer {
  buf = new Uint8Array(1 << 16);
  pos = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64b = new Uint8Array(this.f64.buffer);

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  uint(n: number): void {
    this.ensure(10);
    if (n < 0x80) {
      this.buf[this.pos++] = n;
      return;
    }
    // Bit operations up to 2^31 (most values: lines, indexes); division for larger safe integers.
    if (n <= 0x7fffffff) {
      do {
        this.buf[this.pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      } while (n >= 0x80);
      this.buf[this.pos++] = n;
      return;
    }
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  float(v: number): void {
    this.ensure(9);
    this.buf[this.pos++] = T_F64;
    this.f64[0] = v;
    this.buf.set(this.f64b, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const body = new Writer();
const head = new Writer();
/** The string table's UTF-8, encoded in place (a fresh array per blob cost more than the encoding). */
let tableBuf = new Uint8Array(1 << 16);

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Key-list trie: an object's shape is found by walking its keys, without building a signature string. */
interface ShapeNode {
  keys: string[];
  next: Map<string, ShapeNode>;
  /** The child last stepped to, and its key: objects of one kind take the same path, so this mostly hits. */
  lastKey: string | undefined;
  last: ShapeNode | undefined;
  /** The blob that last used this shape, and its index in that blob's shape table. */
  blob: number;
  id: number;
}

function shapeNode(keys: string[]): ShapeNode {
  return { keys, next: new Map(), lastKey: undefined, last: undefined, blob: -1, id: -1 };
}

function step(node: ShapeNode, k: string): ShapeNode {
  if (node.lastKey === k) return node.last!;
  let child = node.next.get(k);
  if (!child) node.next.set(k, child = shapeNode([...node.keys, k]));
  node.lastKey = k;
  node.last = child;
  return child;
}

const shapeRoot = shapeNode([]);
let blobSeq = 0;
/**
 * The values of the objects being encoded, outermost first: an object's defined values are read once, in
 * the for-in loop that finds its shape (reading them again by key afterwards was a megamorphic keyed load
 * per value).
 */
const pending: unknown[] = [];
let pendingTop = 0;

/** Encodes a plain-data value (objects, arrays, strings, numbers, booleans, null, undefined). */
export function encodeValue(value: unknown): Uint8Array {
  const blob = ++blobSeq;
  const strings = new Map<string, number>();
  const shapeKeys: string[][] = [];
  const str = (s: string): void => {
    let i = strings.get(s);
    if (i === undefined) strings.set(s, i = strings.size);
    body.uint(i);
  };
  const val = (v: unknown): void => {
    switch (typeof v) {
      case 'undefined': body.byte(T_UNDEF); return;
      case 'boolean': body.byte(v ? T_TRUE : T_FALSE); return;
      case 'string': body.byte(T_STR); str(v); return;
      case 'number':
        if (Number.isSafeInteger(v)) {
          if (v >= 0) { body.byte(T_UINT); body.uint(v); } else { body.byte(T_NEG); body.uint(-v); }
        } else body.float(v);
        return;
      case 'object': {
        if (v === null) { body.byte(T_NULL); return; }
        if (v instanceof Uint8Array) {
          body.byte(T_BYTES);
          body.uint(v.length);
          body.bytes(v);
          return;
        }
        if (Array.isArray(v)) {
          if (v.length && v.every(isUint)) {
            body.byte(T_UINTS);
            body.uint(v.length);
            for (const x of v) body.uint(x);
            return;
          }
          body.byte(T_ARR);
          body.uint(v.length);
          for (const x of v) val(x);
          return;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) throw new Error(`cannot encode a ${proto?.constructor?.name ?? 'non-plain'} object`);
        const o = v as Record<string, unknown>;
        let node = shapeRoot;
        const base = pendingTop;
        for (const k in o) {
          const x = o[k];
          if (x === undefined) continue;
          node = step(node, k);
          pending[pendingTop++] = x;
        }
        if (node.blob !== blob) {
          node.blob = blob;
          node.id = shapeKeys.length;
          shapeKeys.push(node.keys);
          for (const k of node.keys) if (!strings.has(k)) strings.set(k, strings.size);
        }
        body.byte(T_OBJ);
        body.uint(node.id);
        // Nested objects push past this object's values and take theirs off before returning.
        const end = pendingTop;
        for (let i = base; i < end; i++) val(pending[i]);
        pendingTop = base;
        return;
      }
      default:
        throw new Error(`cannot encode a ${typeof v}`);
    }
  };
  body.reset();
  pendingTop = 0; // after a value that could not be encoded
  val(value);
  pending.fill(undefined); // no record outlives its encoding here

  head.reset();
  const list = [...strings.keys()];
  const joined = list.join('');
  if (tableBuf.length < joined.length * 3) tableBuf = new Uint8Array(joined.length * 3);
  const tableBytes = utf8.encodeInto(joined, tableBuf).written;
  head.uint(list.length);
  head.uint(tableBytes);
  head.bytes(tableBuf.subarray(0, tableBytes));
  for (const s of list) head.uint(s.length);
  head.uint(shapeKeys.length);
  for (const keys of shapeKeys) {
    head.uint(keys.length);
    for (const k of keys) head.uint(strings.get(k)!);
  }
  const out = new Uint8Array(head.pos + body.pos);
  out.set(head.buf.subarray(0, head.pos));
  out.set(body.buf.subarray(0, body.pos), head.pos);
  return out;
}

type Ctor = (read: () => unknown) => Record<string, unknown>;
const ctors = new Map<string, Ctor>();

/** One generated object-literal constructor per key list: decoded objects share hidden classes. */
function ctorFor(keys: string[]): Ctor {
  const sig = keys.join('\0');
  let c = ctors.get(sig);
  if (!c) {
    if (keys.includes('__proto__')) {
      c = (read) => {
        const o: Record<string, unknown> = {};
        for (const k of keys) Object.defineProperty(o, k, { value: read(), enumerable: true, writable: true, configurable: true });
        return o;
      };
    } else {
      c = new Function('read', `return {${keys.map((k) => `${JSON.stringify(k)}: read()`).join(', ')}};`) as Ctor;
    }
    ctors.set(sig, c);
  }
  return c;
}

export class CodecError extends Error {}

/** Decodes a blob made by encodeValue; throws CodecError on malformed input. */
export function decodeValue(b: Uint8Array): unknown {
  let pos = 0;
  const end = b.length;
  const uint = (): number => {
    let x = b[pos++];
    if (x < 0x80) return x;
    let r = x & 0x7f;
    let m = 0x80;
    for (;;) {
      if (pos >= end || m > 2 ** 49) throw new CodecError('bad varint');
      x = b[pos++];
      r += (x & 0x7f) * m;
      if (x < 0x80) return r;
      m *= 0x80;
    }
  };
  const nStrings = uint();
  const tableLen = uint();
  if (pos + tableLen > end) throw new CodecError('string table out of bounds');
  const table = fromUtf8.decode(b.subarray(pos, pos + tableLen));
  pos += tableLen;
  const strs: string[] = new Array(nStrings);
  let at = 0;
  for (let i = 0; i < nStrings; i++) {
    const len = uint();
    strs[i] = table.slice(at, at + len);
    at += len;
  }
  if (at !== table.length) throw new CodecError('string table length mismatch');
  const nShapes = uint();
  const shapeCtors: Ctor[] = new Array(nShapes);
  for (let i = 0; i < nShapes; i++) {
    const n = uint();
    const keys: string[] = new Array(n);
    for (let j = 0; j < n; j++) keys[j] = strs[uint()];
    shapeCtors[i] = ctorFor(keys);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const val = (): unknown => {
    if (pos >= end) throw new CodecError('truncated value');
    switch (b[pos++]) {
      case T_UNDEF: return undefined;
      case T_NULL: return null;
      case T_FALSE: return false;
      case T_TRUE: return true;
      case T_UINT: return uint();
      case T_NEG: return -uint();
      case T_F64: {
        const v = view.getFloat64(pos, true);
        pos += 8;
        return v;
      }
      case T_STR: {
        const s = strs[uint()];
        if (s === undefined) throw new CodecError('bad string index');
        return s;
      }
      case T_ARR: {
        const n = uint();
        if (n > end - pos) throw new CodecError('bad array length');
        const a: unknown[] = new Array(n);
        for (let i = 0; i < n; i++) a[i] = val();
        return a;
      }
      case T_OBJ: {
        const c = shapeCtors[uint()];
        if (!c) throw new CodecError('bad shape index');
        return c(val);
      }
      case T_UINTS: {
        const n = uint();
        if (n > end - pos) throw new CodecError('bad array length');
        const a: number[] = new Array(n);
        for (let i = 0; i < n; i++) a[i] = uint();
        return a;
      }
      case T_BYTES: {
        const n = uint();
        if (n > end - pos) throw new CodecError('bad byte length');
        pos += n;
        // A plain Uint8Array view, also when the blob is a Buffer (a cache file read from disk).
        return new Uint8Array(b.buffer, b.byteOffset + pos - n, n);
      }
      default:
        throw new CodecError(`bad tag ${b[pos - 1]} at ${pos - 1}`);
    }
  };
  const v = val();
  if (pos !== end) throw new CodecError('trailing bytes');
  return v;
}

/** Packs non-negative integers as varints: compact, and decoded only by whoever reads them. */
const packer = new Writer();

export function packUints(values: readonly number[]): Uint8Array {
  packer.reset();
  for (const v of values) packer.uint(v);
  return packer.buf.slice(0, packer.pos);
}

/** The inverse of packUints; throws CodecError on a truncated varint. */
export function unpackUints(b: Uint8Array): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < b.length) {
    let x = b[pos++];
    let r = x & 0x7f;
    for (let m = 0x80; x >= 0x80; m *= 0x80) {
      if (pos >= b.length) throw new CodecError('bad varint');
      x = b[pos++];
      r += (x & 0x7f) * m;
    }
    out.push(r);
  }
  return out;
}
