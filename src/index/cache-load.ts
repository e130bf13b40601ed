/**
 * Opening the caches of a workspace at start: read and verify each repo's file, decode its entries, and
 * when a repo has no usable cache take its build lock (or wait for the process that holds it, then read
 * what it wrote). Locks are taken one repo at a time in cache-file order, and a process never waits while
 * holding a lock, so two servers starting together cannot wait on each other.
 */
import type { RepoSpec } from './config.js';
import { cacheFileFor, decodeEntry, readCache, sweepTempFiles, type CacheHeader, type CachedSkip } from './cache.js';
import { tryLock, waitForUnlock, type BuildLock } from './cache-lock.js';
import type { FileRecord } from './model.js';
import { log } from '../log.js';
import { parserInUse } from '../lang/native.js';

export interface OpenedCache {
  spec: RepoSpec;
  cacheFile: string;
  /** Why the cache was not used; undefined when it was. */
  miss?: string;
  header?: CacheHeader;
  records: FileRecord[];
  skips: CachedSkip[];
  blobs: Map<string, Uint8Array>;
  /** Held while this process builds the repo's first cache; released once it is written. */
  lock?: BuildLock;
}

export async function openCaches(cacheDir: string, specs: RepoSpec[]): Promise<Map<string, OpenedCache>> {
  const out = new Map<string, OpenedCache>();
  const ordered = specs.map((spec) => ({ spec, cacheFile: cacheFileFor(cacheDir, spec.root) }))
    .sort((a, b) => a.cacheFile.localeCompare(b.cacheFile));
  let held = false;
  for (const { spec, cacheFile } of ordered) {
    sweepTempFiles(cacheFile);
    let opened = decode(spec, cacheFile);
    if (opened.miss) {
      let lock = tryLock(cacheFile);
      if (!lock && !held) {
        log(`${spec.name}: another process is indexing ${spec.root}; waiting for its cache`);
        await waitForUnlock(cacheFile);
        opened = decode(spec, cacheFile);
        if (opened.miss) lock = tryLock(cacheFile);
      }
      opened.lock = lock;
      held ||= !!lock;
      if (opened.miss !== 'no cache yet') log(`${spec.name}: cache ${cacheFile} not used: ${opened.miss}; re-indexing`);
      const parser = parserInUse();
      if (parser !== 'native') log(`${spec.name}: parsing with ${parser}; the first index takes ~1.5× longer`);
    }
    out.set(spec.name, opened);
  }
  return out;
}

function decode(spec: RepoSpec, cacheFile: string): OpenedCache {
  const empty = { spec, cacheFile, records: [], skips: [], blobs: new Map<string, Uint8Array>() };
  const res = readCache(cacheFile, spec.root);
  if (!res.ok) return { ...empty, miss: res.reason };
  const opened: OpenedCache = { ...empty, header: res.cache.header };
  try {
    for (const blob of res.cache.blobs) {
      const e = decodeEntry(blob);
      if ('reason' in e) opened.skips.push(e as CachedSkip);
      else opened.records.push(e as FileRecord);
      opened.blobs.set(e.path, blob);
    }
  } catch (e) {
    return { ...empty, miss: `unreadable entry (${(e as Error).message})` };
  }
  return opened;
}
