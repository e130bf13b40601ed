/**
 * `--clone` (opt-in): clones Dynamo and SGLang into `<cache-dir>/checkouts/<name>` when they are not
 * configured or found, and reuses those clones on later runs. Shallow (`--depth 1`): blame and history need
 * `git -C <dir> fetch --unshallow`. The URLs can be overridden (mirrors) with DSM_CLONE_URL_DYNAMO / _SGLANG.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isGitCheckout, KNOWN_REPOS, type WorkspaceConfig } from '../index/config.js';
import { log } from '../log.js';

const run = promisify(execFile);

export const CLONE_URLS: Record<(typeof KNOWN_REPOS)[number], string> = {
  dynamo: 'https://github.com/ai-dynamo/dynamo',
  sglang: 'https://github.com/sgl-project/sglang',
};

export class CloneError extends Error {}

export interface CloneRequest {
  /** The resolved config without clones: its `missing` list says what to clone. */
  config: WorkspaceConfig;
  /** Names given explicitly (flag or env): never replaced by a clone, even when their path is wrong. */
  explicit: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Paths of the cloned (or previously cloned) checkouts, by repo name. Throws CloneError on failure. */
export async function cloneMissing(req: CloneRequest): Promise<Partial<Record<'dynamo' | 'sglang', string>>> {
  const env = req.env ?? process.env;
  const out: Partial<Record<'dynamo' | 'sglang', string>> = {};
  for (const name of KNOWN_REPOS) {
    if (!req.config.missing.some((m) => m.name === name) || req.explicit.includes(name)) continue;
    const dest = join(req.config.cacheDir, 'checkouts', name);
    if (existsSync(dest) && isGitCheckout(dest)) {
      log(`--clone: using the earlier clone of ${name} at ${dest}`);
      out[name] = dest;
      continue;
    }
    const url = env[`DSM_CLONE_URL_${name.toUpperCase()}`] || CLONE_URLS[name];
    const partial = `${dest}.partial-${process.pid}`;
    mkdirSync(join(req.config.cacheDir, 'checkouts'), { recursive: true });
    log(`--clone: cloning ${name} from ${url} into ${dest} (shallow; this can take a few minutes)…`);
    try {
      await run('git', ['clone', '--depth', '1', '--quiet', url, partial], {
        timeout: req.timeoutMs ?? 30 * 60_000,
        env: { ...env, GIT_TERMINAL_PROMPT: '0' },
        maxBuffer: 16 * 1024 * 1024,
      });
      renameSync(partial, dest);
    } catch (e) {
      rmSync(partial, { recursive: true, force: true });
      const err = e as { stderr?: string; code?: string | number; killed?: boolean; message: string };
      const reason = err.code === 'ENOENT' ? 'git is not installed or not on PATH'
        : err.killed ? 'it timed out'
          : (err.stderr ?? err.message).trim().split('\n').filter(Boolean).pop() ?? err.message;
      throw new CloneError(`--clone: could not clone ${name} from ${url} into ${dest}: ${reason}. ` +
        `Without network access, clone it on a machine that has it (git clone ${CLONE_URLS[name]}) and start the server with --${name} PATH (or ${name.toUpperCase()}_ROOT=PATH).`);
    }
    out[name] = dest;
  }
  return out;
}
