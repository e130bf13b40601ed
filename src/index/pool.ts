/**
 * A small pool of parser worker threads. Files go out in batches; a worker that dies is replaced and the
 * files of its batch come back as skipped with the reason, so indexing always finishes.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileRecord, SkippedFile } from './model.js';

export interface ParseInput { abs: string; rel: string; lang: string }
type Result = FileRecord | SkippedFile;

const BATCH = 16;

export function defaultThreads(): number {
  const env = Number(process.env.DSM_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/** Parses every file; the result array is aligned with the input array. */
export async function parseAll(files: ParseInput[], threads = defaultThreads(), onProgress?: (done: number, total: number) => void): Promise<Result[]> {
  const results: Result[] = new Array(files.length);
  if (!files.length) return results;
  const batches: number[] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push(i);
  let next = 0;
  let done = 0;
  const n = Math.min(threads, batches.length);
  const url = new URL('./worker.js', import.meta.url);

  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve) => {
    let worker: Worker;
    let current: number | undefined;
    const start = () => {
      worker = new Worker(url);
      worker.unref();
      worker.on('message', (msg: { results: Result[] }) => {
        msg.results.forEach((r, j) => { results[current! + j] = r; });
        done += msg.results.length;
        onProgress?.(done, files.length);
        feed();
      });
      worker.on('error', (err) => {
        if (current !== undefined) {
          const batch = files.slice(current, current + BATCH);
          batch.forEach((f, j) => { results[current! + j] = { path: f.rel, reason: `parser worker crashed: ${err.message}` }; });
          done += batch.length;
          current = undefined;
        }
        void worker.terminate();
        start();
        feed();
      });
    };
    const feed = () => {
      if (next >= batches.length) {
        current = undefined;
        void worker.terminate().then(() => resolve());
        return;
      }
      current = batches[next++];
      worker.postMessage({ id: next, files: files.slice(current, current + BATCH) });
    };
    start();
    feed();
  })));
  return results;
}
