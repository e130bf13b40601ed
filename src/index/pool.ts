/**
 * A pool of parser worker threads. Files go out in one-language batches, largest files first (so no big
 * file is left for the end while the rest of the machine idles), each batch capped by bytes.
 *
 * With the native parser the parse itself runs on libuv's pool threads: a worker sends a batch's files
 * there all at once and extracts each file's records as its parse completes, so one worker keeps about
 * three threads busy, and it holds two batches so the parsing never waits for the main thread. A query is
 * compiled once per process and shared, so a worker takes the next batch whatever its language. With
 * web-tree-sitter a worker parses on its own thread, one file at a time, one worker per thread, and
 * compiles its own queries (0.05–0.4 s per language): a worker prefers languages it has already compiled
 * and takes up a language another worker has only when enough of it is queued to pay for that.
 *
 * Results come back as codec blobs (see worker.ts). A worker that dies is replaced and the files of its
 * batches come back as skipped with the reason, so indexing always finishes. Idle workers are unref'd:
 * they never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeEntry, encodeEntry, type CachedEntry } from './cache.js';
import type { ParseJob, ParseReply } from './worker.js';
import { parserInUse } from '../lang/native.js';

export interface ParseInput { abs: string; rel: string; lang: string; size?: number; mtimeMs?: number }
export interface Parsed { entry: CachedEntry; blob: Uint8Array }

const BATCH_BYTES = 192 * 1024;
const BATCH_FILES = 32;
/** A language already compiled in another worker is shared only when this much of it is still queued. */
const SHARE_BYTES = 2 * 1024 * 1024;

export function defaultThreads(): number {
  const env = Number(process.env.DSM_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

interface Batch {
  lang: string;
  bytes: number;
  files: ParseInput[];
  done: (blobs: Uint8Array[] | Error) => void;
  /**
   * A retry after a crash: it goes to a worker that holds nothing else, and that worker gets nothing else
   * meanwhile, so a second crash is blamed on this file alone.
   */
  alone?: boolean;
}

interface Slot {
  worker: Worker;
  /** The batches sent and not yet answered, by job id (a warm-up job is an empty batch). */
  jobs: Map<number, Batch>;
  /** Languages whose grammar and query this worker has loaded. */
  langs: Set<string>;
}

// `..` keeps the path right in the bundle too, where this code sits in dist/bundle/chunks/ (see cli/main.ts).
const WORKER_URL = new URL('../index/worker.js', import.meta.url);

export class ParserPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Batch[] = [];
  private nextId = 0;
  /** Queries compiled in one worker serve all of them (the native binding shares them process-wide). */
  private readonly sharedQueries = parserInUse() === 'native';

  constructor(private threads = defaultThreads()) {}

  /**
   * Workers to run. The native binding parses on libuv's pool threads, so a worker's own thread only
   * extracts records while its files parse, and one worker keeps about three threads busy (extraction is
   * about a third of a parse's CPU). Each extra worker would be one more V8 isolate optimizing the same
   * extractor (~2.5 CPU-s per cold index). With web-tree-sitter a worker parses on its own thread: one each.
   */
  private get workerCap(): number {
    return this.sharedQueries ? Math.ceil(this.threads / 3) : this.threads;
  }

  /**
   * Batches a worker holds at once. Native: two, so its files keep parsing while the main thread takes one
   * batch's results and sends the next (else each batch would end with its last file parsing alone).
   */
  private get depth(): number {
    return this.sharedQueries ? 2 : 1;
  }

  get workers(): number {
    return this.slots.length;
  }

  /** Parses every file; the result array is aligned with the input array. */
  async parse(files: ParseInput[], onProgress?: (done: number, total: number) => void): Promise<Parsed[]> {
    const results: Parsed[] = new Array(files.length);
    if (!files.length) return results;
    const order = files.map((_, i) => i).sort((a, b) => (files[b].size ?? 0) - (files[a].size ?? 0));
    const batches: { lang: string; bytes: number; idx: number[] }[] = [];
    const open = new Map<string, { lang: string; bytes: number; idx: number[] }>();
    for (const i of order) {
      const lang = files[i].lang;
      let cur = open.get(lang);
      if (!cur) {
        open.set(lang, cur = { lang, bytes: 0, idx: [] });
        batches.push(cur);
      }
      cur.idx.push(i);
      cur.bytes += files[i].size ?? 0;
      if (cur.bytes >= BATCH_BYTES || cur.idx.length >= BATCH_FILES) open.delete(lang);
    }
    let done = 0;
    const submit = (idx: number[], lang: string, bytes: number, front: boolean): Promise<void> => new Promise((resolve) => {
      const batch: Batch = {
        lang,
        bytes,
        alone: front,
        files: idx.map((i) => files[i]),
        done: (reply) => {
          if (reply instanceof Error && idx.length > 1) {
            // A crash costs only the file that caused it: retry the batch's files one by one.
            void Promise.all(idx.map((i) => submit([i], lang, files[i].size ?? 0, true))).then(() => resolve());
            return;
          }
          idx.forEach((i, j) => {
            const blob = reply instanceof Error ? undefined : reply[j];
            results[i] = blob ? decoded(blob, files[i]) : crashed(files[i], reply instanceof Error ? reply : new Error('no result'));
          });
          done += idx.length;
          onProgress?.(done, files.length);
          resolve();
        },
      };
      if (front) this.queue.unshift(batch);
      else this.queue.push(batch);
      this.pump();
    });
    await Promise.all(batches.map(({ lang, bytes, idx }) => submit(idx, lang, bytes, false)));
    return results;
  }

  /** Loads grammars and compiles queries in one worker ahead of need, so the first re-read is fast. */
  warm(langs: string[]): void {
    if (!langs.length) return;
    const slot = this.slots.find((s) => !s.jobs.size) ?? (this.slots.length < this.workerCap ? this.spawn() : undefined);
    if (slot) this.send(slot, langs);
  }

  /**
   * Starts every worker now and has it compile the parser runtime, so a cold index's workers are ready
   * when the file list is (listing a checkout takes longer than starting a worker).
   */
  prestart(): void {
    while (this.slots.length < this.workerCap) this.send(this.spawn(), []);
  }

  private send(slot: Slot, langs: string[]): void {
    slot.worker.ref();
    const job: ParseJob = { id: ++this.nextId, warm: langs };
    slot.jobs.set(job.id, { lang: '', bytes: 0, files: [], done: () => {} });
    for (const l of langs) slot.langs.add(l);
    slot.worker.postMessage(job);
  }

  /**
   * Ends the idle workers (the next job starts a fresh one). After a big parse the extracting worker's heap
   * holds what extracting thousands of files grew (~60 MB after both checkouts' cold index), which a
   * worker that only loaded the grammars does not.
   */
  recycle(): void {
    for (const s of this.slots.filter((x) => !x.jobs.size)) this.drop(s);
  }

  /** Sets the number of workers; idle ones beyond it are terminated now, busy ones when done. */
  setThreads(n: number): void {
    this.threads = Math.max(1, n);
    const idle = this.slots.filter((x) => !x.jobs.size);
    for (const s of idle.slice(0, Math.max(0, this.slots.length - this.workerCap))) this.drop(s);
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_URL), jobs: new Map(), langs: new Set() };
    slot.worker.unref();
    slot.worker.on('message', (msg: ParseReply) => {
      const b = slot.jobs.get(msg.id);
      slot.jobs.delete(msg.id);
      if (!slot.jobs.size) slot.worker.unref();
      b?.done(msg.blobs);
      if (!slot.jobs.size && this.slots.length > this.workerCap) this.drop(slot);
      this.pump();
    });
    const fail = (err: Error) => {
      const held = [...slot.jobs.values()];
      slot.jobs.clear();
      this.drop(slot);
      for (const b of held) b.done(err);
      this.pump();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private choose(slot: Slot): number {
    const busy = slot.jobs.size > 0;
    if (this.sharedQueries) return this.queue.findIndex((b) => !(busy && b.alone));
    return chooseFor(slot, this.slots, this.queue);
  }

  private drop(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  private pump(): void {
    for (;;) {
      // Idle workers first, then those that can hold one more batch.
      const open = this.slots
        .filter((s) => s.jobs.size < this.depth && ![...s.jobs.values()].some((b) => b.alone))
        .sort((a, b) => a.jobs.size - b.jobs.size);
      if (this.slots.length < this.workerCap && this.queue.length > open.filter((s) => !s.jobs.size).length) open.unshift(this.spawn());
      let picked: { slot: Slot; at: number } | undefined;
      for (const slot of open) {
        const at = this.choose(slot);
        if (at >= 0) { picked = { slot, at }; break; }
      }
      if (!picked) return;
      const { slot } = picked;
      const batch = this.queue.splice(picked.at, 1)[0];
      const job: ParseJob = {
        id: ++this.nextId,
        files: batch.files.map(({ abs, rel, lang }) => ({ abs, rel, lang })),
        concurrent: this.sharedQueries,
        trim: this.sharedQueries && !this.queue.length,
      };
      slot.jobs.set(job.id, batch);
      slot.langs.add(batch.lang);
      slot.worker.ref();
      slot.worker.postMessage(job);
    }
  }
}

/** Index of the queued batch an idle worker should take, or -1 to leave it idle for now. */
function chooseFor(slot: Slot, slots: Slot[], queue: Batch[]): number {
  const own = queue.findIndex((b) => slot.langs.has(b.lang));
  if (own >= 0) return own;
  const elsewhere = (lang: string) => slots.some((s) => s !== slot && s.langs.has(lang));
  const fresh = queue.findIndex((b) => !elsewhere(b.lang));
  if (fresh >= 0) return fresh;
  const queued = new Map<string, number>();
  for (const b of queue) queued.set(b.lang, (queued.get(b.lang) ?? 0) + b.bytes);
  return queue.findIndex((b) => queued.get(b.lang)! >= SHARE_BYTES);
}

function decoded(blob: Uint8Array, f: ParseInput): Parsed {
  try {
    return { entry: decodeEntry(blob), blob };
  } catch (e) {
    return crashed(f, e as Error);
  }
}

/** Reason prefix of a file whose parse killed its worker: not persisted, so a restart tries it again. */
export const CRASHED = 'parser worker crashed';

function crashed(f: ParseInput, err: Error): Parsed {
  // The stat is kept so a file that crashes the parser is not retried (by this process) until it changes.
  const entry = { path: f.rel, reason: `${CRASHED}: ${err.message}`, size: f.size, mtimeMs: f.mtimeMs };
  return { entry, blob: encodeEntry(entry) };
}
