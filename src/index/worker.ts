/**
 * Worker thread: parses batches of files and posts back each result encoded with the cache codec, the
 * blob's buffer transferred (no copy). The main thread decodes it for the index and keeps the bytes for
 * the cache file, so records are serialized once.
 */
import { parentPort } from 'node:worker_threads';
import { loadGrammar } from '../lang/grammar.js';
import { releaseParserMemory } from '../lang/native.js';
import { languageById } from '../lang/registry.js';
import { parseFileEntry } from './parse-file.js';

/**
 * concurrent: the files of the job go in flight at once. The native binding parses on libuv's pool threads
 * (as many at a time as the pool has: UV_THREADPOOL_SIZE, 4 by default), so this thread extracts one file's
 * records while others parse; web-tree-sitter parses on this thread, so its files go one by one.
 */
export interface ParseJob {
  id: number;
  files?: { abs: string; rel: string; lang: string }[];
  warm?: string[];
  concurrent?: boolean;
  /** The pool has nothing more queued: give back the parsers' free memory (see releaseParserMemory). */
  trim?: boolean;
}
export interface ParseReply { id: number; blobs: Uint8Array[] }

function parsed(f: { abs: string; rel: string; lang: string }): Promise<Uint8Array> {
  return parseFileEntry(f.abs, f.rel, f.lang);
}

parentPort!.on('message', async (job: ParseJob) => {
  for (const id of job.warm ?? []) {
    const spec = languageById(id);
    if (spec) await loadGrammar(spec).catch(() => undefined);
  }
  const files = job.files ?? [];
  let blobs: Uint8Array[] = [];
  if (job.concurrent) blobs = await Promise.all(files.map(parsed));
  else for (const f of files) blobs.push(await parsed(f));
  const reply: ParseReply = { id: job.id, blobs };
  parentPort!.postMessage(reply, blobs.map((b) => b.buffer as ArrayBuffer));
  if (job.trim) releaseParserMemory();
});
