/**
 * The workspace: every served repo's per-file records plus a symbol table across files and repos.
 * Re-indexing a file replaces its record and its symbol-table rows, nothing else; put() and remove() are
 * the only ways records change, and both bump `generation`, which derived indexes key on.
 *
 * Life cycle: ready() loads each repo's cache file, re-reads only the files that changed since it was
 * written (or everything, cold) and writes the cache back in the background. refresh(), called before
 * every tool answer, re-checks freshness with stat calls (at most every `freshMs`) and re-reads what moved.
 */
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log.js';
import { defNames, encodeEntry, writeCache, type CachedSkip } from './cache.js';
import type { BuildLock } from './cache-lock.js';
import { openCaches, type OpenedCache } from './cache-load.js';
import type { RepoSpec, WorkspaceConfig } from './config.js';
import { languageOf } from '../lang/registry.js';
import { diffFiles, gitDirsOf, listRepo, sourcesOf, statParseable, type FileStat, type Listing, type PrevListing } from './fresh.js';
import { RepoWatcher } from './fresh-watch.js';
import type { Def, FileRecord, SkippedFile } from './model.js';
import { CRASHED, ParserPool, defaultThreads, type ParseInput, type Parsed } from './pool.js';

export interface DefRef {
  repo: string;
  file: string;
  i: number;
}

export interface RepoIndex {
  spec: RepoSpec;
  name: string;
  root: string;
  /** Indexed commit (full sha), undefined outside git. */
  head?: string;
  /** Every file git shows (tracked + untracked-not-ignored), parsed or not: grep searches these. */
  allFiles: string[];
  files: Map<string, FileRecord>;
  skipped: SkippedFile[];
  stats: { parsed: number; bytes: number; ms: number };
  /** Files found changed (edited, added or deleted) and re-read since the previous answer. */
  reread?: number;
}

export interface BuildProgress {
  (done: number, total: number, message: string): void;
}

/** What the last ready() or refresh() did, per repo (the `index` command prints it). */
export interface RepoReport {
  name: string;
  cacheFile: string;
  /** Why the cache was not used; undefined when it was. */
  cacheMiss?: string;
  fromCache: number;
  reread: number;
  removed: number;
  relisted: boolean;
}

export interface BuildReport {
  repos: RepoReport[];
  ms: { load: number; scan: number; parse: number; total: number };
}

interface RepoState {
  repo: RepoIndex;
  cacheFile: string;
  listing: PrevListing;
  /** Parseable files of the listing (whether or not they exist on disk), as a list and a set. */
  sources: string[];
  listed: Set<string>;
  watcher?: RepoWatcher;
  blobs: Map<string, Uint8Array>;
  skips: Map<string, CachedSkip>;
  pending: number;
  writeTimer?: NodeJS.Timeout;
  lock?: BuildLock;
}

/** Below this many files a re-read runs on one warm worker; above, on the full pool. */
const SMALL_UPDATE = 64;
const WRITE_DELAY_MS = 1500;
const WARM_DELAY_MS = 1000;

export class Workspace {
  readonly repos = new Map<string, RepoIndex>();
  /** Simple name → definitions, across all repos. */
  readonly byName = new Map<string, DefRef[]>();
  /** Bumped on every record change: derived indexes (call index, topic index) rebuild when it moves. */
  generation = 0;
  /** Freshness checks run at most this often (ms); DSM_FRESH_MS overrides, 0 = before every answer. */
  freshMs = envNumber('DSM_FRESH_MS', 1000);
  lastReport?: BuildReport;
  private readonly states = new Map<string, RepoState>();
  private readonly listeners = new Set<BuildProgress>();
  private readyPromise?: Promise<void>;
  private checking?: Promise<void>;
  private lastCheck = 0;
  private pool?: ParserPool;
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The idle worker has been warmed (warmLater): a recycled one is warmed again at once. */
  private warmed = false;

  constructor(readonly config: WorkspaceConfig) {}

  /** close() was called: background work (prewarming) stops. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Loads (or builds) the index once; later calls return the same promise. */
  ready(onProgress?: BuildProgress): Promise<void> {
    this.readyPromise ??= this.build();
    this.listen(this.readyPromise, onProgress);
    return this.readyPromise;
  }

  /**
   * Makes the index reflect the files on disk before an answer: waits for ready(), then (at most every
   * freshMs) re-checks stats and re-reads what changed. Sets each repo's `reread` for the answer's footer.
   */
  async refresh(onProgress?: BuildProgress): Promise<void> {
    await this.ready(onProgress);
    // File-watch events for edits made just before this call land first. One setImmediate is not enough:
    // when this runs after the loop's poll phase, the first immediate fires in the same iteration without
    // polling again (under load ~1 edit in 10 was missed); the second comes after the next poll phase,
    // which reads every event the kernel already queued.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    if (!this.checking) {
      const run = Date.now() - this.lastCheck >= this.freshMs ? this.check() : this.checkWatched();
      // A failed check (a vanished directory mid-listing, git failing) keeps the index as it was.
      this.checking = run.catch((e) => log(`freshness check failed: ${(e as Error).message}`)).finally(() => { this.checking = undefined; });
    }
    if (this.checking) await this.listen(this.checking, onProgress);
    for (const s of this.states.values()) {
      s.repo.reread = s.pending;
      s.pending = 0;
    }
  }

  /** Waits for pending cache writes (the `index` command and tests; the server never waits). */
  async flush(): Promise<void> {
    for (const s of this.states.values()) {
      if (s.writeTimer) {
        clearTimeout(s.writeTimer);
        s.writeTimer = undefined;
        this.queueWrite(s);
      }
    }
    await this.writes;
  }

  /** Stops the parser workers, file watches and pending timers (tests; a server just exits). */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.states.values()) s.watcher?.close();
    await this.flush();
    await this.pool?.close();
    this.pool = undefined;
  }

  get multiRepo(): boolean {
    return this.config.repos.length > 1;
  }

  /** Every caller waiting on a build or check gets its progress, not just the first one. */
  private listen<T>(p: Promise<T>, onProgress?: BuildProgress): Promise<T> {
    if (!onProgress) return p;
    this.listeners.add(onProgress);
    const drop = () => { this.listeners.delete(onProgress); };
    p.then(drop, drop);
    return p;
  }

  private progress(done: number, total: number, message: string): void {
    for (const l of this.listeners) {
      try {
        l(done, total, message);
      } catch {
        /* a listener's failure is not the index's */
      }
    }
  }

  private async build(): Promise<void> {
    const t0 = performance.now();
    const caches = await openCaches(this.config.cacheDir, this.config.repos);
    if ([...caches.values()].some((c) => c.miss)) {
      this.pool ??= new ParserPool(defaultThreads());
      this.pool.prestart();
    }
    try {
      await this.load(caches, t0);
    } catch (e) {
      for (const c of caches.values()) c.lock?.release();
      throw e;
    }
  }

  private async load(caches: Map<string, OpenedCache>, t0: number): Promise<void> {
    const reports: RepoReport[] = [];
    await Promise.all(this.config.repos.map(async (spec) => {
      const c = caches.get(spec.name)!;
      const listing = await listRepo(spec, c.header);
      const repo: RepoIndex = {
        spec, name: spec.name, root: spec.root, head: listing.head, allFiles: listing.allFiles,
        files: new Map(), skipped: [], stats: { parsed: 0, bytes: 0, ms: 0 },
      };
      const sources = sourcesOf(listing.allFiles);
      const state: RepoState = {
        repo, cacheFile: c.cacheFile, listing, sources, listed: new Set(sources), blobs: c.blobs,
        skips: new Map(c.skips.map((k) => [k.path, k])), pending: 0, lock: c.lock,
      };
      for (const rec of c.records) this.put(repo, rec);
      this.states.set(spec.name, state);
      reports.push({ name: spec.name, cacheFile: c.cacheFile, cacheMiss: c.miss, fromCache: c.records.length + c.skips.length, reread: 0, removed: 0, relisted: listing.relisted });
    }));
    for (const spec of this.config.repos) this.repos.set(spec.name, this.states.get(spec.name)!.repo);
    const tLoad = performance.now();
    let tScan = tLoad;
    const counts = await this.sync([...this.states.values()], 'parsed', () => { tScan = performance.now(); });
    const tParse = performance.now();
    for (const s of this.states.values()) {
      const rep = reports.find((r) => r.name === s.repo.name)!;
      const n = counts.get(s)!;
      rep.reread = n.read;
      rep.removed = n.gone;
      if (rep.cacheMiss) s.pending = 0;
      s.repo.stats.ms = tParse - t0;
      if (rep.cacheMiss || n.read || n.gone || n.odd || rep.relisted) this.queueWrite(s);
      else {
        s.lock?.release();
        s.lock = undefined;
      }
    }
    this.lastCheck = Date.now();
    this.lastReport = {
      repos: this.config.repos.map((spec) => reports.find((r) => r.name === spec.name)!),
      ms: { load: tLoad - t0, scan: tScan - tLoad, parse: tParse - tScan, total: tParse - t0 },
    };
    this.warmLater();
  }

  /** One freshness check over every repo: list (if stamps moved), stat, re-read what moved. */
  private async check(only?: RepoState[]): Promise<void> {
    if (!only) this.lastCheck = Date.now();
    const live: RepoState[] = [];
    const relisted = new Set<RepoState>();
    await Promise.all((only ?? [...this.states.values()]).map(async (s) => {
      if (!only) s.watcher?.take();
      if (!existsSync(s.repo.root)) {
        // A checkout that vanished keeps its last index: wiping it would cost a full re-index if it comes back.
        return;
      }
      const listing = await listRepo(s.repo.spec, s.listing);
      this.setListing(s, listing);
      if (listing.relisted) relisted.add(s);
      live.push(s);
    }));
    const counts = await this.sync(live, 're-reading changed files:');
    for (const [s, n] of counts) if (n.read || n.gone || n.odd || relisted.has(s)) this.scheduleWrite(s);
  }

  /**
   * Between sweeps: what the file watches reported. An edited listed file is re-read alone; a new source
   * file, a new directory, a deletion or a git operation re-checks that repo fully.
   */
  private async checkWatched(): Promise<void> {
    const full: RepoState[] = [];
    const partial = new Map<RepoState, string[]>();
    for (const s of this.states.values()) {
      const news = s.watcher?.take();
      if (!news || (!news.full && !news.paths.size)) continue;
      let relist = news.full;
      const edited: string[] = [];
      for (const p of news.paths) {
        const st = lstatSync(join(s.repo.root, p), { throwIfNoEntry: false });
        if (s.listed.has(p)) {
          if (st) edited.push(p);
          else relist = true;
        } else if (st?.isDirectory() ? !(p in s.listing.stamps.dirs) : languageOf(p) !== undefined) relist = true;
      }
      if (relist) full.push(s);
      else if (edited.length) partial.set(s, edited);
    }
    if (full.length) await this.check(full);
    if (!partial.size) return;
    const counts = await this.sync([...partial.keys()], 're-reading changed files:', undefined, partial);
    for (const [s, n] of counts) if (n.read || n.odd) this.scheduleWrite(s);
  }

  /**
   * Brings each repo's records in line with its listing and the files on disk: re-reads new and changed
   * files, drops what is no longer listed, and records why a listed file cannot be read (missing, symlink).
   */
  private async sync(states: RepoState[], verb: string, scanned?: () => void, only?: Map<RepoState, string[]>): Promise<Map<RepoState, { read: number; gone: number; odd: number }>> {
    const inputs: ParseInput[] = [];
    const owners: RepoState[] = [];
    const counts = new Map<RepoState, { read: number; gone: number; odd: number }>();
    for (const s of states) {
      const present = statParseable(s.repo.root, only?.get(s) ?? s.sources);
      const diff = diffFiles(s.listed, present, s.repo.files, s.skips);
      for (const path of diff.gone) {
        this.remove(s.repo, path);
        s.skips.delete(path);
        s.blobs.delete(path);
      }
      for (const [path, reason] of diff.odd) this.apply(s, { entry: { path, reason }, blob: encodeEntry({ path, reason }) });
      for (const path of diff.read) {
        inputs.push(this.input(s, path, present.files.get(path)!));
        owners.push(s);
      }
      counts.set(s, { read: diff.read.length, gone: diff.gone.length, odd: diff.odd.length });
      s.pending += diff.read.length + diff.gone.length + diff.odd.length;
      if (diff.gone.length || diff.odd.length) s.repo.skipped = [...s.skips.values()];
    }
    scanned?.();
    if (!inputs.length) return counts;
    const results = await this.parseFiles(inputs, (d, t) => this.progress(d, t, `${verb} ${d}/${t} files`));
    results.forEach((r, k) => this.apply(owners[k], r));
    for (const s of new Set(owners)) s.repo.skipped = [...s.skips.values()];
    return counts;
  }

  private setListing(s: RepoState, listing: Listing): void {
    s.listing = listing;
    s.repo.head = listing.head;
    if (!listing.relisted) return;
    const changed = listing.allFiles.length !== s.repo.allFiles.length || listing.allFiles.some((f, i) => f !== s.repo.allFiles[i]);
    if (!changed) return;
    s.repo.allFiles = listing.allFiles;
    s.sources = sourcesOf(listing.allFiles);
    s.listed = new Set(s.sources);
    s.watcher?.watch(Object.keys(listing.stamps.dirs));
    this.generation++;
  }

  private input(s: RepoState, rel: string, st: FileStat & { lang: string }): ParseInput {
    return { abs: join(s.repo.root, rel), rel, lang: st.lang, size: st.size, mtimeMs: st.mtimeMs };
  }

  private async parseFiles(inputs: ParseInput[], onProgress?: (done: number, total: number) => void): Promise<Parsed[]> {
    if (!inputs.length) return [];
    const big = inputs.length > SMALL_UPDATE;
    this.pool ??= new ParserPool(big ? defaultThreads() : 1);
    if (big) this.pool.setThreads(defaultThreads());
    try {
      return await this.pool.parse(inputs, onProgress);
    } finally {
      // One warm worker stays (unref'd) for the next edit; after a big parse, a fresh one (see recycle).
      this.pool.setThreads(1);
      if (big) {
        this.pool.recycle();
        if (this.warmed) this.pool.warm([...new Set(inputs.map((i) => i.lang))]);
      }
    }
  }

  private apply(s: RepoState, { entry, blob }: Parsed): void {
    s.blobs.set(entry.path, blob);
    if ('reason' in entry) {
      this.remove(s.repo, entry.path);
      s.skips.set(entry.path, entry as CachedSkip);
    } else {
      s.skips.delete(entry.path);
      this.put(s.repo, entry as FileRecord);
    }
  }

  /** After the first answer can be served: compile the grammars of the served languages in the idle worker. */
  private warmLater(): void {
    if (this.closed) return;
    if (process.env.DSM_WATCH !== '0') {
      for (const s of this.states.values()) {
        s.watcher = new RepoWatcher(s.repo.name, s.repo.root, s.repo.spec.isGit ? gitDirsOf(s.repo.root)?.gitDir : undefined);
        s.watcher.watch(Object.keys(s.listing.stamps.dirs));
      }
    }
    if (process.env.DSM_PREWARM === '0') return;
    const langs = new Set<string>();
    for (const s of this.states.values()) for (const rec of s.repo.files.values()) langs.add(rec.lang);
    const t = setTimeout(() => {
      if (this.closed) return;
      this.pool ??= new ParserPool(1);
      this.pool.warm([...langs]);
      this.warmed = true;
    }, WARM_DELAY_MS);
    t.unref();
  }

  private scheduleWrite(s: RepoState): void {
    if (s.writeTimer) clearTimeout(s.writeTimer);
    s.writeTimer = setTimeout(() => {
      s.writeTimer = undefined;
      this.queueWrite(s);
    }, WRITE_DELAY_MS);
    s.writeTimer.unref();
  }

  /** Serialises cache writes; the blobs are snapshotted now, so later edits cannot tear a write. */
  private queueWrite(s: RepoState): void {
    // A file that crashed its parser is left out: the next process tries it again.
    const paths = [...s.blobs.keys()].filter((p) => !s.skips.get(p)?.reason.startsWith(CRASHED)).sort();
    const blobs = paths.map((p) => s.blobs.get(p)!);
    const header = { root: s.repo.root, head: s.listing.head, allFiles: s.listing.allFiles, stamps: s.listing.stamps };
    this.writes = this.writes.then(() => writeCache(s.cacheFile, header, blobs)).catch((e) => {
      log(`${s.repo.name}: could not write the index cache ${s.cacheFile}: ${(e as Error).message}`);
    }).finally(() => {
      s.lock?.release();
      s.lock = undefined;
    });
  }

  /** Adds or replaces one file's record and its symbol rows. */
  put(repo: RepoIndex, rec: FileRecord): void {
    const old = repo.files.get(rec.path);
    if (old) this.dropSymbols(repo.name, old);
    this.generation++;
    repo.files.set(rec.path, rec);
    repo.stats.parsed = repo.files.size;
    repo.stats.bytes += rec.size - (old?.size ?? 0);
    defNames(rec).forEach((name, i) => {
      const list = this.byName.get(name);
      const ref = { repo: repo.name, file: rec.path, i };
      if (list) list.push(ref);
      else this.byName.set(name, [ref]);
    });
  }

  remove(repo: RepoIndex, path: string): void {
    const old = repo.files.get(path);
    if (!old) return;
    this.dropSymbols(repo.name, old);
    this.generation++;
    repo.files.delete(path);
    repo.stats.parsed = repo.files.size;
    repo.stats.bytes -= old.size;
  }

  private dropSymbols(repo: string, rec: FileRecord): void {
    for (const name of new Set(defNames(rec))) {
      const list = this.byName.get(name);
      if (!list) continue;
      const kept = list.filter((r) => r.repo !== repo || r.file !== rec.path);
      if (kept.length) this.byName.set(name, kept);
      else this.byName.delete(name);
    }
  }

  def(ref: DefRef): Def {
    return this.repos.get(ref.repo)!.files.get(ref.file)!.defs[ref.i];
  }

  record(repo: string, file: string): FileRecord | undefined {
    return this.repos.get(repo)?.files.get(file);
  }
}

function envNumber(name: string, dflt: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : dflt;
}
