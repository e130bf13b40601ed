/**
 * The searchable files of a workspace, spread over grep worker threads. Every file git shows for a
 * served repo (RepoIndex.allFiles: tracked + untracked-not-ignored) gets a stable id and a shard; the
 * shard's worker holds its text and trigram filter. Built lazily on the first search, kept in step
 * with allFiles afterwards (new files loaded, removed ones dropped).
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Workspace } from '../index/workspace.js';
import { defaultThreads } from '../index/pool.js';
import type { SearchPattern } from './pattern.js';
import { ShardWorker } from './pool.js';
import { FileStatus, type ShardResult } from './shard.js';

export interface Slot {
  id: number;
  repo: string;
  path: string;
  shard: number;
  status: FileStatus;
  removed?: boolean;
  /** Position in (repo order, path) order: results are sorted by it. */
  rank: number;
}

export interface CorpusResult {
  /** Per id with matches: flat [line, col, length] triples, lines ascending. */
  byFile: Map<number, number[]>;
  unsearchable: Slot[];
  scanned: number;
  reread: number;
  /** Files searched before the budget ran out, when it did. */
  stoppedAfter?: number;
}

export type LineRequest = [id: number, from: number, to: number, hit: number, col: number, max: number];

const FILES_PER_WORKER = 400;
/** Heap per worker: ~15 KB of text and filter per file on average (both real checkouts), times 4, at least 96 MB. */
const HEAP_KB_PER_FILE = 60;

export class SearchCorpus {
  readonly slots: Slot[] = [];
  private byKey = new Map<string, number>();
  private seen = new Map<string, string[]>();
  private shards: ShardWorker[] = [];
  private loadedGen: number[] = [];
  private loading: Promise<void>[] = [];

  constructor(private ws: Workspace) {}

  /** Brings the file table in step with the workspace's file lists; returns the live slots. */
  sync(): Slot[] {
    const order = [...this.ws.repos.keys()];
    let changed = false;
    const added: Slot[] = [];
    for (const repo of this.ws.repos.values()) {
      if (this.seen.get(repo.name) === repo.allFiles) continue;
      changed = true;
      const present = new Set(repo.allFiles);
      for (const s of this.slots) {
        if (s.repo === repo.name && !s.removed && !present.has(s.path)) {
          s.removed = true;
          const w = this.shards[s.shard];
          if (w?.alive) void w.request({ kind: 'drop', ids: [s.id] }).catch(() => {});
        }
      }
      for (const path of repo.allFiles) {
        const key = `${repo.name}\0${path}`;
        const known = this.byKey.get(key);
        if (known !== undefined && !this.slots[known].removed) continue;
        const id = this.slots.length;
        const slot: Slot = { id, repo: repo.name, path, shard: 0, status: FileStatus.Ok, rank: 0 };
        this.slots.push(slot);
        this.byKey.set(key, id);
        added.push(slot);
      }
      this.seen.set(repo.name, repo.allFiles);
    }
    if (!changed) return this.live();
    if (!this.shards.length) {
      const n = Math.max(1, Math.min(defaultThreads(), Math.ceil(this.slots.length / FILES_PER_WORKER)));
      const heapMb = Math.max(96, Math.ceil((this.slots.length / n) * HEAP_KB_PER_FILE / 1024));
      for (let i = 0; i < n; i++) {
        this.shards.push(new ShardWorker(heapMb));
        this.loadedGen.push(0);
        this.loading.push(Promise.resolve());
      }
    }
    for (const s of added) s.shard = s.id % this.shards.length;
    const live = this.live();
    const sorted = [...live].sort((a, b) => order.indexOf(a.repo) - order.indexOf(b.repo) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    sorted.forEach((s, i) => { s.rank = i; });
    // Workers already running load the new files now; the others load everything when first needed.
    this.shards.forEach((w, k) => {
      if (!w.alive || this.loadedGen[k] !== w.generation) return;
      const files = added.filter((s) => s.shard === k);
      if (files.length) void this.load(k, files);
    });
    return live;
  }

  private live(): Slot[] {
    return this.slots.filter((s) => !s.removed);
  }

  private load(k: number, files: Slot[]): Promise<void> {
    const w = this.shards[k];
    const req = files.map((s) => [s.id, join(this.ws.repos.get(s.repo)!.root, s.path)] as [number, string]);
    return w.request<{ unsearchable: Int32Array }>({ kind: 'load', files: req }).then((r) => {
      for (let i = 0; i < r.unsearchable.length; i += 2) this.slots[r.unsearchable[i]].status = r.unsearchable[i + 1];
    });
  }

  /** Starts (or restarts) a shard's worker and loads its files (the first search waits for this). */
  private ensure(k: number): Promise<void> {
    const w = this.shards[k];
    if (w.alive && this.loadedGen[k] === w.generation) return this.loading[k];
    const files = this.live().filter((s) => s.shard === k);
    const p = this.load(k, files);
    this.loadedGen[k] = w.generation;
    this.loading[k] = p.catch(() => {});
    return p;
  }

  /** Loads every shard now (the first search would do it anyway); in the background, one worker at a time. */
  async warm(opts: { oneAtATime?: boolean } = {}): Promise<void> {
    this.sync();
    if (!opts.oneAtATime) {
      await Promise.all(this.shards.map((_, k) => this.ensure(k)));
      return;
    }
    for (let k = 0; k < this.shards.length; k++) await this.ensure(k);
  }

  /**
   * Runs a search over the given slots. Each worker stops scanning after `budgetMs` and says so; a worker
   * still busy `budgetMs` + 10 s later (one exec that cannot be cut) is stopped and a UserError thrown.
   */
  async search(ids: number[], pattern: SearchPattern, defs: Map<number, Int32Array> | undefined, budgetMs: number): Promise<CorpusResult> {
    const timeoutMs = budgetMs + 10_000;
    const per = this.shards.map(() => [] as number[]);
    for (const id of ids) per[this.slots[id].shard].push(id);
    await Promise.all(per.map((list, k) => (list.length ? this.ensure(k) : undefined)));
    const runs = per.map((list, k) => {
      if (!list.length) return Promise.resolve(undefined);
      const mine = defs ? new Map(list.filter((id) => defs.has(id)).map((id) => [id, defs.get(id)!])) : undefined;
      return this.shards[k].request<ShardResult>({ kind: 'search', pattern, ids: Int32Array.from(list), defs: mine, budgetMs });
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const w of this.shards) w.stop('deadline');
        reject(new UserError(`The search for /${pattern.display}/ took longer than ${Math.round(timeoutMs / 1000)} s and was stopped. ` +
          'Use a more specific pattern (a literal word in it helps most), or narrow with path, lang or repo.',
        '{"pattern": "def evict", "path": "python/**"}'));
      }, timeoutMs);
    });
    try {
      const results = await Promise.race([Promise.all(runs), deadline]);
      return this.merge(results);
    } finally {
      clearTimeout(timer);
    }
  }

  private merge(results: (ShardResult | undefined)[]): CorpusResult {
    const byFile = new Map<number, number[]>();
    const unsearchable: Slot[] = [];
    let scanned = 0;
    let reread = 0;
    let stoppedAfter: number | undefined;
    for (const r of results) {
      if (!r) continue;
      scanned += r.scanned;
      reread += r.reread;
      if (r.stoppedAfter !== undefined) stoppedAfter = (stoppedAfter ?? 0) + r.stoppedAfter;
      const m = r.matches;
      for (let i = 0; i < m.length; i += 4) {
        let list = byFile.get(m[i]);
        if (!list) byFile.set(m[i], list = []);
        list.push(m[i + 1], m[i + 2], m[i + 3]);
      }
      for (let i = 0; i < r.unsearchable.length; i += 2) {
        const slot = this.slots[r.unsearchable[i]];
        slot.status = r.unsearchable[i + 1];
        unsearchable.push(slot);
      }
    }
    return { byFile, unsearchable, scanned, reread, ...(stoppedAfter !== undefined ? { stoppedAfter } : {}) };
  }

  /** Line texts (hit line and its context) for the hits of one page. */
  async lines(reqs: LineRequest[]): Promise<string[][]> {
    const per = this.shards.map(() => [] as number[]);
    reqs.forEach((r, i) => per[this.slots[r[0]].shard].push(i));
    const out: string[][] = reqs.map(() => []);
    await Promise.all(per.map(async (idx, k) => {
      if (!idx.length) return;
      await this.ensure(k);
      const r = await this.shards[k].request<{ lines: string[][] }>({ kind: 'lines', reqs: idx.map((i) => reqs[i]) });
      idx.forEach((i, j) => { out[i] = r.lines[j]; });
    }));
    return out;
  }
}

const corpora = new WeakMap<Workspace, SearchCorpus>();

export function corpusOf(ws: Workspace): SearchCorpus {
  let c = corpora.get(ws);
  if (!c) corpora.set(ws, c = new SearchCorpus(ws));
  return c;
}
