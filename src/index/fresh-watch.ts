/**
 * An accelerator for freshness: inotify-style watches (fs.watch, one per directory that holds listed files,
 * plus git's directory) note which paths changed, so a call that comes between two stat sweeps still sees
 * an edit made a moment before it. Sweeps stay the ground truth; if watching fails (watch limit, platform),
 * the watcher gives up quietly and sweeps alone keep the index fresh.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log.js';

const CHUNK = 200;

export interface WatchNews {
  /** Repo-relative paths reported changed (files or directories). */
  paths: Set<string>;
  /** Re-check the whole repo: something in git's directory moved (HEAD, index, refs), or an event named no file. */
  full: boolean;
}

export class RepoWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private paths = new Set<string>();
  private full = false;
  private failed = false;
  private closed = false;

  constructor(private readonly name: string, private readonly root: string, private readonly gitDir?: string) {}

  /** Watches these directories (repo-relative, '' = root) from the next ticks on, a chunk at a time. */
  watch(dirs: string[]): void {
    const todo = dirs.filter((d) => !this.watchers.has(d));
    const step = (from: number) => {
      if (this.failed || this.closed) return;
      if (from === 0 && this.gitDir && !this.watchers.has('\0git')) this.add('\0git', this.gitDir, () => { this.full = true; });
      for (const dir of todo.slice(from, from + CHUNK)) {
        this.add(dir, join(this.root, dir), (file) => {
          if (file) this.paths.add(dir ? `${dir}/${file}` : file);
          else this.full = true;
        });
      }
      if (from + CHUNK < todo.length) setImmediate(() => step(from + CHUNK)).unref();
    };
    // Off the current call's path: until the watches are in place, stat sweeps cover every change.
    setImmediate(() => step(0)).unref();
  }

  /** True while every watch is in place (a failed watcher reports nothing and sweeps take over). */
  get active(): boolean {
    return !this.failed && !this.closed && this.watchers.size > 0;
  }

  /** Changes reported since the last call. */
  take(): WatchNews {
    const news = { paths: this.paths, full: this.full };
    this.paths = new Set();
    this.full = false;
    return news;
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private add(key: string, abs: string, onEvent: (file: string | null) => void): void {
    if (this.failed || this.closed) return;
    try {
      const w = watch(abs, { persistent: false }, (_event, file) => onEvent(file === null ? null : String(file)));
      w.on('error', () => { this.watchers.get(key)?.close(); this.watchers.delete(key); });
      this.watchers.set(key, w);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      this.failed = true;
      log(`${this.name}: cannot watch ${abs} (${code ?? (e as Error).message}); edits are picked up by stat checks only`);
      this.close();
      this.closed = false;
    }
  }
}
