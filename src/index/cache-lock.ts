/**
 * An advisory build lock next to a cache file, so two servers that start on the same checkout with no
 * usable cache do not both spend the cold-index time: the second waits for the first one's file.
 * Correctness never depends on it (writes are atomic renames); a lock whose owner died or that is older
 * than STALE_MS is taken over.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const STALE_MS = 120_000;
/** A lock file younger than this with no pid in it yet is being written, not abandoned. */
const FRESH_MS = 5_000;

export interface BuildLock {
  release(): void;
}

function ownerAlive(lockFile: string): boolean {
  try {
    const age = Date.now() - statSync(lockFile).mtimeMs;
    if (age > STALE_MS) return false;
    const text = readFileSync(lockFile, 'utf8');
    // `wx` creates the file before it writes the pid: an empty lock file is one being taken right now.
    if (!text && age < FRESH_MS) return true;
    const pid = Number(text.split(' ')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    if (pid === process.pid) return true;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock, or returns undefined when a live process holds it. */
export function tryLock(cacheFile: string): BuildLock | undefined {
  const lockFile = `${cacheFile}.lock`;
  try {
    mkdirSync(dirname(lockFile), { recursive: true });
  } catch {
    return { release: () => {} };
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid} ${new Date().toISOString()}\n`, { flag: 'wx' });
      let held = true;
      return {
        release: () => {
          if (!held) return;
          held = false;
          try {
            if (readFileSync(lockFile, 'utf8').startsWith(`${process.pid} `)) rmSync(lockFile, { force: true });
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return { release: () => {} };
      if (ownerAlive(lockFile)) return undefined;
      rmSync(lockFile, { force: true });
    }
  }
  return undefined;
}

/** Waits until nobody holds the lock (or the timeout passes). */
export async function waitForUnlock(cacheFile: string, timeoutMs = STALE_MS): Promise<void> {
  const lockFile = `${cacheFile}.lock`;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && ownerAlive(lockFile)) await new Promise((r) => setTimeout(r, 150));
}
