/**
 * One grep worker thread seen from the main thread: request/response by id, and a hard stop. A worker
 * that dies or is stopped loses its files; `generation` tells the corpus to load them again.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerRequest } from './worker.js';

type Pending = { resolve: (v: never) => void; reject: (e: Error) => void };
type Body<K> = K extends { kind: infer _ } ? Omit<K, 'qid'> : never;

export class ShardWorker {
  private worker?: Worker;
  private pending = new Map<number, Pending>();
  private qid = 0;
  /** Bumped each time a new thread starts: its files must be loaded again. */
  generation = 0;

  /** `heapMb`: old-generation cap, a few times the shard's expected text so garbage is collected early. */
  constructor(private heapMb: number) {}

  get alive(): boolean {
    return this.worker !== undefined;
  }

  private start(): Worker {
    const w = new Worker(new URL('../search/worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: this.heapMb } });
    w.on('message', (msg: { qid: number; error?: string }) => {
      const p = this.pending.get(msg.qid);
      if (!p) return;
      this.pending.delete(msg.qid);
      if (!this.pending.size) w.unref();
      if (msg.error) p.reject(new Error(msg.error));
      else p.resolve(msg as never);
    });
    const fail = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`grep worker exited (code ${code})`)));
    // Referenced only while a request is pending: an idle worker never keeps the process alive.
    w.unref();
    this.worker = w;
    this.generation++;
    return w;
  }

  request<T>(msg: Body<WorkerRequest>): Promise<T> {
    const w = this.worker ?? this.start();
    const qid = ++this.qid;
    return new Promise<T>((resolve, reject) => {
      if (!this.pending.size) w.ref();
      this.pending.set(qid, { resolve: resolve as (v: never) => void, reject });
      w.postMessage({ ...msg, qid });
    });
  }

  /** Stops the thread now (a search ran past its deadline); pending requests fail with `reason`. */
  stop(reason: string): void {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    void w.terminate();
  }
}
