/** Entry point of a grep worker thread: owns one Shard and answers the pool's requests in order. */
import { parentPort } from 'node:worker_threads';
import { Shard, type ShardSearch } from './shard.js';
import { enableLinearRegexp } from './v8-regexp.js';

export type WorkerRequest =
  | { kind: 'load'; qid: number; files: [number, string][] }
  | { kind: 'drop'; qid: number; ids: number[] }
  | ({ kind: 'search'; qid: number } & ShardSearch)
  | { kind: 'lines'; qid: number; reqs: [id: number, from: number, to: number, hit: number, col: number, max: number][] };

enableLinearRegexp();
const shard = new Shard();

parentPort!.on('message', (msg: WorkerRequest) => {
  try {
    switch (msg.kind) {
      case 'load': {
        const bad: number[] = [];
        for (const [id, abs] of msg.files) {
          const st = shard.load(id, abs);
          if (st !== 0) bad.push(id, st);
        }
        shard.idle();
        parentPort!.postMessage({ qid: msg.qid, unsearchable: Int32Array.from(bad) });
        break;
      }
      case 'drop':
        for (const id of msg.ids) shard.drop(id);
        parentPort!.postMessage({ qid: msg.qid });
        break;
      case 'search': {
        const res = shard.search(msg);
        if (res.reread) shard.idle();
        parentPort!.postMessage({ qid: msg.qid, ...res }, [res.matches.buffer as ArrayBuffer, res.unsearchable.buffer as ArrayBuffer]);
        break;
      }
      case 'lines':
        parentPort!.postMessage({ qid: msg.qid, lines: msg.reqs.map((r) => shard.lines(...r)) });
        break;
    }
  } catch (e) {
    parentPort!.postMessage({ qid: msg.qid, error: (e as Error).message });
  }
});
