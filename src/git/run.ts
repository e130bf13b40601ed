/**
 * The one way this server runs git: read-only commands through simple-git, arguments as arrays, a clean
 * environment, and `-c` overrides that keep a checkout's own config from running programs.
 *
 * - Environment: built from scratch (no inherited GIT_DIR/GIT_WORK_TREE), GIT_CONFIG_NOSYSTEM=1,
 *   GIT_OPTIONAL_LOCKS=0 (never refresh the index: no writes to the repo), no prompts, C locale.
 * - Config: core.fsmonitor=false, diff.external= (plus --no-ext-diff, --no-textconv, --no-ignore-revs-file at call sites),
 *   log.showSignature=false (no gpg), no colour.
 * - Time: an inactivity timeout and a hard deadline on every call; the caller's AbortSignal is honoured.
 */
import { existsSync } from 'node:fs';
import { GitPluginError, simpleGit, type SimpleGit } from 'simple-git';
import { checkoutGone, UserError } from '../errors.js';

export interface GitCallOptions {
  /** Hard deadline for the whole call (default 20 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const SAFE_CONFIG = [
  'core.fsmonitor=false',
  'diff.external=',
  'log.showSignature=false',
  'core.quotePath=false',
  'color.ui=false',
  'diff.noprefix=false',
  'diff.mnemonicPrefix=false',
  'diff.relative=false',
];

const ENV_KEYS = ['GIT_CONFIG_NOSYSTEM', 'GIT_OPTIONAL_LOCKS', 'GIT_TERMINAL_PROMPT'];
const DEFAULT_TIMEOUT_MS = 20_000;
/** At most this many git processes at once across the server (parallel tool calls queue here). */
const MAX_PROCESSES = 4;
let running = 0;
const queue: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_PROCESSES) await new Promise<void>((r) => queue.push(r));
  running++;
  return () => {
    running--;
    queue.shift()?.();
  };
}
const IDLE_TIMEOUT_MS = 15_000;

function safeEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    LANG: 'C',
    TZ: 'UTC',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
  };
  // The user's own global config (~/.gitconfig, $XDG_CONFIG_HOME/git/config) is trusted: it may carry safe.directory.
  if (process.env.HOME) env.HOME = process.env.HOME;
  if (process.env.XDG_CONFIG_HOME) env.XDG_CONFIG_HOME = process.env.XDG_CONFIG_HOME;
  return env;
}

/** A git command that exited non-zero (or was stopped); `detail` is git's own stderr/stdout. */
export class GitFailure extends Error {
  constructor(readonly args: string[], readonly detail: string) {
    super(`git ${args[0]} failed: ${detail.trim().split('\n').filter((l) => /fatal|error/i.test(l)).pop() ?? detail.trim().slice(0, 300)}`);
    this.name = 'GitFailure';
  }
}

function client(root: string, signal: AbortSignal): SimpleGit {
  return simpleGit({
    baseDir: root,
    config: SAFE_CONFIG,
    trimmed: false,
    maxConcurrentProcesses: 1,
    timeout: { block: IDLE_TIMEOUT_MS },
    abort: signal,
    allowEnvironment: ENV_KEYS,
    unsafe: { allowUnsafeFsMonitor: true, allowUnsafeDiffExternal: true },
  }).env(safeEnv());
}

function deadline(ms: number, outer?: AbortSignal): AbortSignal {
  const timer = AbortSignal.timeout(ms);
  return outer ? AbortSignal.any([timer, outer]) : timer;
}

/** Refuses an argument that git could read as an option where we mean a ref or a path. */
export function assertNotOption(value: string, what: string): void {
  if (value.startsWith('-')) throw new UserError(`${what} "${value}" begins with "-"; refused (it would be read as a git option).`);
  if (value.includes('\0')) throw new UserError(`${what} contains a NUL byte; refused.`);
}

/** Runs `git <args>` in `root` and returns stdout. Throws GitFailure (or UserError on timeout/cancel). */
export async function git(root: string, args: string[], opts: GitCallOptions = {}): Promise<string> {
  for (const a of args) if (a.includes('\0')) throw new UserError('a git argument contains a NUL byte; refused.');
  if (!existsSync(root)) {
    throw checkoutGone([root]);
  }
  const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const release = await slot();
  const signal = deadline(ms, opts.signal);
  try {
    return await client(root, signal).raw(args);
  } catch (e) {
    if (opts.signal?.aborted) throw new UserError('the request was cancelled while git was running.');
    if (signal.aborted || (e instanceof GitPluginError && (e.plugin === 'timeout' || e.plugin === 'abort'))) {
      throw new UserError(`git ${args[0]} took longer than ${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s in ${root} and was stopped. Narrow the line range (start_line/end_line) or lower max_commits.`);
    }
    throw new GitFailure(args, (e as Error).message ?? String(e));
  } finally {
    release();
  }
}
