/**
 * Helpers for the reliability, hostile-input, load and fuzz tests: throwaway git repos, the built server
 * started with chosen flags/env/node options (and its pid, to prove it is still alive), a raw JSON-RPC
 * session that sees every byte on stdout, a fake `git` on PATH that hangs or fails chosen subcommands,
 * and a test-only preload (`node --import`) that reaches into worker threads to crash a worker or delete
 * a file in the middle of indexing — so no hook has to live in src/.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SERVER_JS, textOf } from './client.js';

export { textOf };

export type ToolResult = { isError?: boolean; structuredContent?: Record<string, any>; content: { type: string; text?: string }[] };

const T0 = Date.UTC(2024, 0, 1) / 1000;

const made: string[] = [];
process.on('exit', () => {
  if (process.env.DSM_KEEP_TMP) return;
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed when the test process exits (DSM_KEEP_TMP=1 keeps them). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** git with a fixed identity and dates: the same hashes on every run. */
export function sh(dir: string, args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', ...args], {
    cwd: dir, encoding: 'utf8',
    env: {
      PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Dana', GIT_AUTHOR_EMAIL: 'dana@example.com',
      GIT_COMMITTER_NAME: 'Dana', GIT_COMMITTER_EMAIL: 'dana@example.com', GIT_AUTHOR_DATE: `${T0} +0000`, GIT_COMMITTER_DATE: `${T0} +0000`,
    },
  });
}

export type FileSpec = string | Buffer | { symlink: string };

/** A committed git repo with these files (paths relative to the repo; a `{symlink}` entry is a tracked symlink). */
export function makeGitRepo(files: Record<string, FileSpec>, prefix = 'dsm-hostile-'): string {
  const dir = tempDir(prefix);
  sh(dir, ['init', '-q']);
  for (const [rel, spec] of Object.entries(files)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof spec === 'object' && !Buffer.isBuffer(spec)) symlinkSync(spec.symlink, abs);
    else writeFileSync(abs, spec);
  }
  sh(dir, ['add', '-A']);
  sh(dir, ['commit', '-q', '-m', 'hostile files']);
  return dir;
}

export interface Served {
  client: Client;
  pid: number;
  stderr(): string;
  alive(): boolean;
  call(name: string, args: Record<string, unknown>, opts?: { signal?: AbortSignal; timeout?: number; onprogress?: (p: unknown) => void }): Promise<ToolResult>;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Server flags (--dynamo, --repo, --cache-dir …). */
  args: string[];
  /** Extra environment (PATH and HOME are set unless given). */
  env?: Record<string, string>;
  /** Node options before the script, e.g. ['--import', hookFile]. */
  nodeArgs?: string[];
}

/** Starts dist/cli/main.js under the SDK's real stdio Client. */
export async function serve(o: ServeOptions): Promise<Served> {
  const home = tempDir('dsm-home-');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(o.nodeArgs ?? []), SERVER_JS, ...o.args],
    env: { PATH: process.env.PATH ?? '', HOME: home, ...o.env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const client = new Client({ name: 'dsm-hostile', version: '0.0.0' });
  await client.connect(transport);
  const pid = transport.pid!;
  return {
    client, pid,
    stderr: () => err,
    alive: () => isAlive(pid),
    call: async (name, args, opts = {}) => {
      try {
        return (await client.callTool({ name, arguments: args }, undefined, {
          signal: opts.signal, timeout: opts.timeout ?? 60_000, onprogress: opts.onprogress as never,
        })) as ToolResult;
      } catch (e) {
        // Say what the server said last: a crash or a hang is diagnosed from its stderr.
        if (!opts.signal?.aborted) (e as Error).message += `\n[server ${isAlive(pid) ? 'alive' : 'exited'}; stderr tail]\n${err.slice(-3000)}`;
        throw e;
      }
    },
    close: () => client.close(),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until(cond: () => boolean, ms: number, step = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return cond();
}

/** A raw JSON-RPC session: every stdout line is kept, so a test can prove stdout carries nothing else. */
export interface RawSession {
  child: ChildProcessWithoutNullStreams;
  lines(): string[];
  stderr(): string;
  /** Writes bytes as they are (no framing added). */
  write(s: string | Buffer): void;
  send(m: object): void;
  /** Waits for the response with this id; undefined after `ms`. */
  response(id: number | string, ms?: number): Promise<any>;
  kill(): void;
}

export async function rawSession(args: string[]): Promise<RawSession> {
  const child = spawn(process.execPath, [SERVER_JS, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('dsm-home-') }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdin.on('error', () => {});
  const lines = () => out.split('\n').filter((l) => l.length);
  const find = (id: number | string) => {
    for (const l of lines()) {
      try {
        const m = JSON.parse(l);
        if (m.id === id && ('result' in m || 'error' in m)) return m;
      } catch { /* the test checks every line separately */ }
    }
    return undefined;
  };
  const s: RawSession = {
    child, lines, stderr: () => err,
    write: (b) => { child.stdin.write(b); },
    send: (m) => { child.stdin.write(JSON.stringify(m) + '\n'); },
    response: async (id, ms = 60_000) => {
      await until(() => find(id) !== undefined || child.exitCode !== null, ms);
      return find(id);
    },
    kill: () => { child.kill(); },
  };
  s.send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
  await s.response(0);
  s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return s;
}

/**
 * A directory holding a fake `git` that hangs (records its pid, then sleeps) or fails on the given
 * subcommands and runs the real git for everything else. Put it first on PATH. The server's git runner
 * builds its environment from scratch, so the behaviour is baked into the script, not passed in env.
 */
export function fakeGit(o: { hang?: string[]; fail?: string[] }): { dir: string; pidFile: string } {
  const dir = tempDir('dsm-fakegit-');
  const pidFile = join(dir, 'hung.pid');
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const list = (xs?: string[]) => (xs ?? []).join(' ');
  writeFileSync(join(dir, 'git'), `#!/bin/sh
# test double: find the subcommand after git's global options
sub=""; skip=0
for a in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case "$a" in -c|-C|--git-dir|--work-tree) skip=1; continue;; -*) continue;; esac
  sub="$a"; break
done
for h in ${list(o.hang)}; do if [ "$sub" = "$h" ]; then echo $$ >> "${pidFile}"; exec sleep 300; fi; done
for f in ${list(o.fail)}; do if [ "$sub" = "$f" ]; then echo "fatal: injected failure of git $sub" >&2; exit 128; fi; done
exec "${real}" "$@"
`);
  chmodSync(join(dir, 'git'), 0o755);
  return { dir, pidFile };
}

/**
 * A preload for `node --import` that acts inside worker threads (it is inherited by them):
 * - parse workers: a batch with a file whose path matches `crashParse` throws (the worker dies);
 *   files matching `deleteParse` are deleted, `rewriteParse` rewritten to binary, just before parsing.
 * - grep workers: a search whose pattern source contains `crashGrep` throws.
 */
export function workerHook(o: { crashParse?: string; deleteParse?: string; rewriteParse?: string; crashGrep?: string }): string {
  const dir = tempDir('dsm-hook-');
  const file = join(dir, 'hook.mjs');
  writeFileSync(file, `import { isMainThread, parentPort } from 'node:worker_threads';
import { unlinkSync, writeFileSync } from 'node:fs';
const o = ${JSON.stringify(o)};
const re = (s) => (s ? new RegExp(s) : undefined);
const crashParse = re(o.crashParse), deleteParse = re(o.deleteParse), rewriteParse = re(o.rewriteParse);
if (!isMainThread && parentPort) {
  // Wrap the worker's own 'message' listener rather than adding one: a listener added here, before the
  // worker script has attached its own, would start the port and take the first message alone.
  const before = (m) => {
    if (m && Array.isArray(m.files) && typeof m.id === 'number') {
      for (const f of m.files) {
        if (deleteParse && deleteParse.test(f.rel)) { try { unlinkSync(f.abs); } catch {} }
        if (rewriteParse && rewriteParse.test(f.rel)) writeFileSync(f.abs, Buffer.from([0, 1, 2, 0, 10]));
      }
      if (crashParse && m.files.some((f) => crashParse.test(f.rel))) throw new Error('injected parser worker crash');
    }
    if (m && m.kind === 'search' && o.crashGrep && JSON.stringify(m.pattern ?? '').includes(o.crashGrep)) {
      throw new Error('injected grep worker crash');
    }
  };
  const on = parentPort.on.bind(parentPort);
  parentPort.on = parentPort.addListener = (event, fn) => on(event, event === 'message' ? (m) => { before(m); return fn(m); } : fn);
}
`);
  return file;
}

/** Tool names the server lists (grep may not be registered yet while it is being built). */
export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name);
}
