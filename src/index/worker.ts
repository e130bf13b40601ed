/** Worker thread: parses batches of files and posts their records back. */
import { parentPort } from 'node:worker_threads';
import { parseFile } from './parse-file.js';

export interface ParseJob { id: number; files: { abs: string; rel: string; lang: string }[] }

parentPort!.on('message', async (job: ParseJob) => {
  const results = [];
  for (const f of job.files) results.push(await parseFile(f.abs, f.rel, f.lang));
  parentPort!.postMessage({ id: job.id, results });
});
