/**
 * The workspace: every served repo's per-file records plus a symbol table across files and repos.
 * Re-indexing a file replaces its record and its symbol-table rows, nothing else.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { languageOf } from '../lang/registry.js';
import type { RepoSpec, WorkspaceConfig } from './config.js';
import { listFiles } from './discover.js';
import type { Def, FileRecord, SkippedFile } from './model.js';
import { isSkipped } from './parse-file.js';
import { parseAll, type ParseInput } from './pool.js';

const run = promisify(execFile);

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
  /** Files found changed since the index was built and re-read before the last answer. */
  reread?: number;
}

export interface BuildProgress {
  (done: number, total: number, message: string): void;
}

export class Workspace {
  readonly repos = new Map<string, RepoIndex>();
  /** Simple name → definitions, across all repos. */
  readonly byName = new Map<string, DefRef[]>();
  /** Bumped on every record change: derived indexes (call index, topic index) rebuild when it moves. */
  generation = 0;
  private readyPromise?: Promise<void>;

  constructor(readonly config: WorkspaceConfig) {}

  /** Builds the index once; later calls return the same promise. */
  ready(onProgress?: BuildProgress): Promise<void> {
    this.readyPromise ??= this.build(onProgress);
    return this.readyPromise;
  }

  get multiRepo(): boolean {
    return this.config.repos.length > 1;
  }

  private async build(onProgress?: BuildProgress): Promise<void> {
    const listed = await Promise.all(this.config.repos.map(async (spec) => {
      const [files, head] = await Promise.all([listFiles(spec.root, spec.isGit), spec.isGit ? headOf(spec.root) : undefined]);
      return { spec, files, head };
    }));
    const inputs: ParseInput[] = [];
    const owners: RepoIndex[] = [];
    for (const { spec, files, head } of listed) {
      const repo: RepoIndex = { spec, name: spec.name, root: spec.root, head, allFiles: files, files: new Map(), skipped: [], stats: { parsed: 0, bytes: 0, ms: 0 } };
      this.repos.set(spec.name, repo);
      for (const rel of files) {
        const lang = languageOf(rel);
        if (!lang) continue;
        inputs.push({ abs: join(spec.root, rel), rel, lang: lang.id });
        owners.push(repo);
      }
    }
    const t0 = performance.now();
    const results = await parseAll(inputs, undefined, (d, t) => onProgress?.(d, t, `parsed ${d}/${t} files`));
    results.forEach((res, k) => {
      if (isSkipped(res)) owners[k].skipped.push(res);
      else this.put(owners[k], res);
    });
    const ms = performance.now() - t0;
    for (const repo of this.repos.values()) repo.stats.ms = ms;
  }

  /** Adds or replaces one file's record and its symbol rows. */
  put(repo: RepoIndex, rec: FileRecord): void {
    const old = repo.files.get(rec.path);
    if (old) this.dropSymbols(repo.name, old);
    this.generation++;
    repo.files.set(rec.path, rec);
    repo.stats.parsed = repo.files.size;
    repo.stats.bytes += rec.size - (old?.size ?? 0);
    rec.defs.forEach((d, i) => {
      const list = this.byName.get(d.name);
      const ref = { repo: repo.name, file: rec.path, i };
      if (list) list.push(ref);
      else this.byName.set(d.name, [ref]);
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
    for (const name of new Set(rec.defs.map((d) => d.name))) {
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

async function headOf(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', root, 'rev-parse', '--verify', '-q', 'HEAD'], { env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
