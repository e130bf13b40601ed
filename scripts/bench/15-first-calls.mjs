// Bench section: the first call of each kind in a fresh server session, as an agent meets it. The server is
// started through the MCP SDK client on the warm cache 10-index left (or a cold build when run alone); the
// client waits WAIT_MS after the handshake (an agent's first call rarely comes sooner), then sends each call
// once, in order, timing the round trip. Run twice: with the server's idle-time prewarming (the default) and
// with DSM_PREWARM=0, so the table shows what prewarming saves the first answers. Calls this checkout cannot
// answer (another repo) still count: they are timed and marked.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, table } from './util.mjs';

const WAIT_MS = 5000;
const CALLS = [
  ['explore', {}],
  ['explore', { symbol: 'KvRouter' }],
  ['explore', { query: 'radix cache eviction' }],
  ['trace', { symbol: 'Scheduler.handle_generate_request', depth: 3 }],
  ['trace', { symbol: 'RadixCache.evict', direction: 'callers', depth: 3 }],
  ['grep', { pattern: 'match_prefix' }],
];

async function session(distDir, repos, cacheDir, env) {
  const require = createRequire(join(distDir, '..', 'package.json'));
  const { Client } = await import(require.resolve('@modelcontextprotocol/sdk/client/index.js'));
  const { StdioClientTransport } = await import(require.resolve('@modelcontextprotocol/sdk/client/stdio.js'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath(distDir), ...repos.flatMap((r) => ['--repo', `${r.name}=${r.root}`]), '--cache-dir', cacheDir],
    env: { ...process.env, ...env },
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr?.on('data', (d) => { log += d; });
  const client = new Client({ name: 'dsm-bench', version: '1.0.0' });
  const t0 = performance.now();
  await client.connect(transport);
  const handshake = performance.now() - t0;
  await new Promise((r) => setTimeout(r, WAIT_MS));
  const ms = [];
  const failed = [];
  for (const [name, args] of CALLS) {
    const t = performance.now();
    const res = await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
    ms.push(performance.now() - t);
    failed.push(!!res.isError);
  }
  await client.close();
  const prewarmed = /prewarmed in (\d+) ms/.exec(log);
  return { ms, failed, handshake, prewarmMs: prewarmed ? Number(prewarmed[1]) : undefined };
}

export async function run({ repos, distDir }) {
  const cacheDir = process.env.DSM_BENCH_CACHE ?? mkdtempSync(join(tmpdir(), 'dsm-bench-first-'));
  if (!process.env.DSM_BENCH_CACHE) await session(distDir, repos, cacheDir, { DSM_PREWARM: '0' }); // builds the cache
  const on = await session(distDir, repos, cacheDir, {});
  const off = await session(distDir, repos, cacheDir, { DSM_PREWARM: '0' });
  console.log(`one fresh server per column on the warm cache; the client waits ${WAIT_MS / 1000} s after the handshake, then sends each call once, in this order; ` +
    `prewarming took ${on.prewarmMs ?? '?'} ms in the background (handshake ${Math.round(on.handshake)} / ${Math.round(off.handshake)} ms)`);
  const rows = CALLS.map(([name, args], i) => [
    `${name} ${JSON.stringify(args)}${on.failed[i] ? ' (no answer in these repos)' : ''}`,
    on.ms[i].toFixed(0), off.ms[i].toFixed(0),
  ]);
  const sum = (m) => m.reduce((a, b) => a + b, 0).toFixed(0);
  rows.push(['all six, in sequence', sum(on.ms), sum(off.ms)]);
  table(['first call of the session', 'ms, prewarmed (default)', 'ms, DSM_PREWARM=0'], rows);
}
