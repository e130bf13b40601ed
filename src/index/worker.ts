/**
 * Worker thread: parses batches of files and posts back each result encoded with the cache codec, the
 * blob's buffer transferred (no copy). The main thread decodes it for the index and keeps the bytes for
 * the cache file, so records are serialized once.
 */
import { parentPort } from 'node:worker_threads';
import { loadGrammar } from '../lang/grammar.js';
import { languageById } from '../lang/registry.js';
import { encodeEntry } from './cache.js';
import { parseFile } from './parse-file.js';

export interface ParseJob { id: number; files?: { abs: string; rel: string; lang: string }[]; warm?: string[] }
export interface ParseReply { id: number; blobs: Uint8Array[] }

parentPort!.on('message', async (job: ParseJob) => {
  const blobs: Uint8Array[] = [];
  for (const id of job.warm ?? []) {
    const spec = languageById(id);
    if (spec) await loadGrammar(spec).catch(() => undefined);
  }
  for (const f of job.files ?? []) blobs.push(encodeEntry(await parseFile(f.abs, f.rel, f.lang)));
  const reply: ParseReply = { id: job.id, blobs };
  parentPort!.postMessage(reply, blobs.map((b) => b.buffer as ArrayBuffer));
});
