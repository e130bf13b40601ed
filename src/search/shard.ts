/**
 * One worker's share of the searchable files: their text (decoded once, kept in this worker's heap)
 * and trigram filter. Before each search the selected files are checked against the disk (size,
 * mtime, inode) and re-read when changed, so answers reflect edits without a re-index.
 */
import { closeSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { SearchPattern } from './pattern.js';
import { BudgetExceeded, makeScanner, scanText, signatureEnds } from './scan.js';
import { bloomPasses, buildBloom, prepareQuery, TrigramScratch } from './trigram.js';

/** Files larger than this are not searched (generated data, license dumps); the answer names them. */
export const MAX_GREP_BYTES = 2 * 1024 * 1024;
/** Larger files keep only their filter in memory and are read from disk when it passes. */
const KEEP_TEXT_BYTES = 256 * 1024;

export const enum FileStatus { Ok = 0, Binary = 1, Huge = 2, Missing = 3, NotFile = 4 }

interface Entry {
  abs: string;
  status: FileStatus;
  size: number;
  mtimeMs: number;
  ino: number;
  text?: string;
  bloom?: Uint32Array;
}

export interface ShardSearch {
  pattern: SearchPattern;
  ids: Int32Array;
  /** For the `definitions` scope: per id, [firstLine, signatureNonBlankChars, ...] of its definitions. */
  defs?: Map<number, Int32Array>;
  /** Check files against the disk first (default true). */
  fresh?: boolean;
  /** Scan time allowed, ms: past it the search stops and says how far it got. */
  budgetMs?: number;
}

export interface ShardResult {
  /** Flat [id, line, col, length] per match, ids in request order, lines ascending. */
  matches: Int32Array;
  /** [id, status] of selected files that are not searchable (binary, too large, gone). */
  unsearchable: Int32Array;
  /** Files whose filter let them through, files re-read because they changed. */
  scanned: number;
  reread: number;
  /** Set when the budget ran out: how many of the requested files were searched. */
  stoppedAfter?: number;
}

export class Shard {
  private entries = new Map<number, Entry>();
  private scratch = new TrigramScratch();
  private buf = Buffer.allocUnsafe(1 << 20);

  load(id: number, abs: string): FileStatus {
    const e: Entry = { abs, status: FileStatus.Missing, size: 0, mtimeMs: 0, ino: 0 };
    this.entries.set(id, e);
    this.read(e, statOf(abs));
    return e.status;
  }

  /** Frees scratch memory after a batch of loads. */
  idle(): void {
    this.scratch.release();
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(1 << 20);
  }

  drop(id: number): void {
    this.entries.delete(id);
  }

  private read(e: Entry, st: Stats | undefined): void {
    e.text = undefined;
    e.bloom = undefined;
    e.size = st?.size ?? 0;
    e.mtimeMs = st?.mtimeMs ?? 0;
    e.ino = st?.ino ?? 0;
    if (!st) return void (e.status = FileStatus.Missing);
    if (!st.isFile()) return void (e.status = FileStatus.NotFile);
    if (st.size > MAX_GREP_BYTES) return void (e.status = FileStatus.Huge);
    const buf = this.readInto(e.abs, st.size);
    if (!buf) return void (e.status = FileStatus.Missing);
    if (buf.includes(0)) return void (e.status = FileStatus.Binary);
    const text = decode(buf);
    if (buf.length <= KEEP_TEXT_BYTES) e.text = text;
    e.bloom = buildBloom(text, this.scratch);
    e.status = FileStatus.Ok;
  }

  /**
   * Reads a file into one reused buffer (a view of it is returned): thousands of short-lived Buffers
   * would fragment this thread's malloc arena and inflate RSS for good.
   */
  private readInto(abs: string, size: number): Buffer | undefined {
    if (this.buf.length < size + 1) this.buf = Buffer.allocUnsafe(Math.max(size + 1, this.buf.length * 2));
    let fd: number | undefined;
    try {
      fd = openSync(abs, 'r');
      let n = 0;
      for (let r = 1; r > 0 && n < this.buf.length; n += r) r = readSync(fd, this.buf, n, this.buf.length - n, null);
      return n > size ? undefined : this.buf.subarray(0, n);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The file's text: from memory, or from disk for large files (undefined if it became unreadable). */
  private textOf(e: Entry): string | undefined {
    if (e.text !== undefined) return e.text;
    const buf = this.readInto(e.abs, e.size);
    return buf && !buf.includes(0) ? decode(buf) : undefined;
  }

  /** Re-reads the file when the disk says it changed; true when it did. */
  private refresh(e: Entry): boolean {
    const st = statOf(e.abs);
    if (st && st.size === e.size && st.mtimeMs === e.mtimeMs && st.ino === e.ino) return false;
    if (!st && e.status === FileStatus.Missing) return false;
    this.read(e, st);
    return true;
  }

  search(req: ShardSearch): ShardResult {
    const scanner = makeScanner(req.pattern);
    const query = prepareQuery(req.pattern.terms);
    const out: number[] = [];
    const bad: number[] = [];
    const local: number[] = [];
    let scanned = 0;
    let reread = 0;
    let done = 0;
    const deadline = performance.now() + (req.budgetMs ?? Infinity);
    const result = (stoppedAfter?: number): ShardResult => ({
      matches: Int32Array.from(out), unsearchable: Int32Array.from(bad), scanned, reread, ...(stoppedAfter !== undefined ? { stoppedAfter } : {}),
    });
    for (const id of req.ids) {
      if (performance.now() > deadline) return result(done);
      done++;
      const e = this.entries.get(id);
      if (!e) continue;
      if (req.fresh !== false && this.refresh(e)) reread++;
      if (e.status !== FileStatus.Ok) {
        bad.push(id, e.status);
        continue;
      }
      if (!bloomPasses(e.bloom!, query)) continue;
      const text = this.textOf(e);
      if (text === undefined) continue;
      scanned++;
      local.length = 0;
      try {
        scanText(text, scanner, local, deadline);
      } catch (err) {
        if (err instanceof BudgetExceeded) return result(done - 1);
        throw err;
      }
      if (!local.length) continue;
      const defs = req.defs?.get(id);
      const spans = defs ? signatureEnds(text, defs) : undefined;
      for (let i = 0; i < local.length; i += 3) {
        if (defs && !inSignature(local[i], defs, spans!)) continue;
        out.push(id, local[i], local[i + 1], local[i + 2]);
      }
    }
    return result();
  }

  /** Text of lines [from, to] of a file, each cut to `max` chars around `col` (on the hit line). */
  lines(id: number, from: number, to: number, hit: number, col: number, max: number): string[] {
    const e = this.entries.get(id);
    const text = e && e.status === FileStatus.Ok ? this.textOf(e) : undefined;
    if (text === undefined) return [];
    const out: string[] = [];
    let line = 1;
    let start = 0;
    while (line < from && start <= text.length) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) return out;
      start = nl + 1;
      line++;
    }
    for (; line <= to && start <= text.length; line++) {
      let end = text.indexOf('\n', start);
      const last = end === -1;
      if (last) end = text.length;
      let s = text.slice(start, end);
      if (s.endsWith('\r')) s = s.slice(0, -1);
      out.push(clip(s, line === hit ? col : 0, line === hit ? max : Math.min(max, 200)));
      if (last) break;
      start = end + 1;
    }
    return out;
  }
}

function decode(buf: Buffer): string {
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function inSignature(line: number, defs: Int32Array, ends: Int32Array): boolean {
  for (let k = 0; k < ends.length; k++) if (line >= defs[2 * k] && line <= ends[k]) return true;
  return false;
}

function clip(s: string, col: number, max: number): string {
  if (s.length <= max) return s;
  const from = Math.max(0, Math.min(col - Math.floor(max / 4), s.length - max));
  return (from > 0 ? '…' : '') + s.slice(from, from + max) + (from + max < s.length ? '…' : '');
}

function statOf(abs: string): Stats | undefined {
  try {
    return lstatSync(abs);
  } catch {
    return undefined;
  }
}
