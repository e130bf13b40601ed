/**
 * Load, cancellation and progress through the real MCP client, on the fixture repos:
 * - 64 concurrent calls of every kind sent while the initial index is still being built answer exactly
 *   what the same calls answer one at a time afterwards;
 * - 64 more while files are edited, added and removed under the server (every answer arrives; answers
 *   about untouched code are unchanged);
 * - cancellation (`notifications/cancelled`, sent by the SDK when the AbortSignal fires) stops a hung git
 *   process and leaves the server serving;
 * - progress notifications arrive during the initial indexing when the call carries a progressToken.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fixtureRepos } from './helpers/fixture.js';
import { fakeGit, isAlive, serve, tempDir, textOf, toolNames, until, type Served, type ToolResult } from './helpers/hostile.js';

const CALLS: [string, Record<string, unknown>][] = [
  ['explore', {}],
  ['explore', { repo: 'sglang' }],
  ['explore', { path: 'lib/llm/src' }],
  ['explore', { path: 'sglang:python/sglang/srt/managers/scheduler.py' }],
  ['explore', { path: 'lib/bindings/python/rust/llm/kv.rs', format: 'detailed' }],
  ['explore', { symbol: 'RadixCache' }],
  ['explore', { symbol: 'RadixCache.match_prefix' }],
  ['explore', { symbol: 'KvEventPublisher' }],
  ['explore', { query: 'radix cache eviction' }],
  ['explore', { query: 'kv events publisher', limit: 5 }],
  ['trace', { symbol: 'Scheduler.handle_generate_request', depth: 3 }],
  ['trace', { symbol: 'RadixCache.evict', direction: 'callers' }],
  ['trace', { symbol: 'RadixCache.match_prefix', direction: 'both', depth: 2 }],
  ['trace', { flow: 'inference-request' }],
  ['trace', { flow: 'kv-events', format: 'detailed' }],
  ['trace', { file: 'python/sglang/srt/managers/scheduler.py', line: 100 }],
  ['blame', { repo: 'dynamo', file: 'lib/llm/src/kv_router.rs', start_line: 1, end_line: 40 }],
  ['blame', { symbol: 'RadixCache.evict' }],
  ['blame', { symbol: 'RadixCache.evict', history: true, max_commits: 5 }],
  ['blame', { repo: 'sglang', file: 'python/sglang/srt/mem_cache/radix_cache.py', history: true, start_line: 50, end_line: 70 }],
  ['explore', { symbol: 'NoSuchThingAnywhere' }],
  ['trace', { symbol: 'RadixCache', depth: 99 }],
];
const GREP_CALLS: [string, Record<string, unknown>][] = [
  ['grep', { pattern: 'def evict' }],
  ['grep', { pattern: 'KvEvent', lang: 'rust' }],
  ['grep', { pattern: 'match_prefix', scope: 'definitions' }],
  ['grep', { pattern: 'TODO|FIXME', path: 'python/**', context: 1 }],
];

function normal(r: ToolResult): string {
  const s = structuredClone(r.structuredContent ?? {});
  delete s.cached;
  for (const i of (s.indexed as { reread?: number }[] | undefined) ?? []) delete i.reread;
  return `${r.isError ? 'ERROR ' : ''}${textOf(r).replace(/ · cached/g, '').replace(/_Indexed: .*_/g, '')}\n${JSON.stringify({ ...s, indexed: undefined })}`;
}

async function plan(srv: Served, n: number): Promise<[string, Record<string, unknown>][]> {
  const tools = await toolNames(srv.client);
  const all = [...CALLS, ...(tools.includes('grep') ? GREP_CALLS : [])];
  return Array.from({ length: n }, (_, i) => all[i % all.length]);
}

describe('load: 64 concurrent calls', () => {
  test('sent while the initial index is built, they answer what the same calls answer one at a time', async () => {
    const r = await fixtureRepos();
    const srv = await serve({ args: ['--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', tempDir('dsm-load-')] });
    try {
      const calls = await plan(srv, 64);
      const t0 = Date.now();
      const concurrent = await Promise.all(calls.map(([tool, args]) => srv.call(tool, args, { timeout: 120_000 })));
      const tConcurrent = Date.now() - t0;
      const sequential: ToolResult[] = [];
      for (const [tool, args] of calls) sequential.push(await srv.call(tool, args));
      concurrent.forEach((c, i) => {
        assert.equal(normal(c), normal(sequential[i]), `${calls[i][0]} ${JSON.stringify(calls[i][1])}: concurrent answer differs from the sequential one`);
        assert.doesNotMatch(textOf(c), /internal error/);
      });
      console.log(`64 concurrent calls (during initial indexing) answered in ${tConcurrent} ms; errors as expected: ${concurrent.filter((c) => c.isError).length}`);
      assert.ok(srv.alive());
    } finally {
      await srv.close();
    }
  });

  test('sent while files are edited, added and removed under the server: every call answers, untouched code answers the same', async () => {
    const r = await fixtureRepos();
    const srv = await serve({ args: ['--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', tempDir('dsm-load2-')] });
    const added = join(r.dynamo, 'lib/llm/src/zz_load_added.rs');
    const edited = join(r.sglang, 'python/sglang/srt/utils.py');
    const original = readFileSync(edited, 'utf8');
    try {
      // Answers that cannot depend on the churned files: no blame (worktree state), no architecture map (file counts), no grep.
      const stable = CALLS.filter(([tool, a]) => tool === 'trace' || (tool === 'explore' && ('symbol' in a || 'path' in a)));
      const baseline = await Promise.all(stable.map(([tool, args]) => srv.call(tool, args)));
      let stop = false;
      let churns = 0;
      const churn = (async () => {
        while (!stop) {
          writeFileSync(added, `pub fn zz_load_added_${churns}() -> u32 { ${churns} }\n`);
          writeFileSync(edited, original + `\n\ndef zz_load_edit_${churns}():\n    return ${churns}\n`);
          await new Promise((res) => setTimeout(res, 5));
          if (churns % 3 === 2) rmSync(added, { force: true });
          churns++;
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
      const calls = await plan(srv, 64);
      const during = await Promise.all(calls.map(([tool, args]) => srv.call(tool, args, { timeout: 120_000 })));
      stop = true;
      await churn;
      during.forEach((c, i) => {
        assert.ok(textOf(c).length > 0, `${calls[i][0]} answered`);
        assert.doesNotMatch(textOf(c), /internal error/, `${calls[i][0]} ${JSON.stringify(calls[i][1])}: ${textOf(c)}`);
      });
      const after = await Promise.all(stable.map(([tool, args]) => srv.call(tool, args)));
      after.forEach((a, i) => {
        if (/zz_load|utils\.py/.test(textOf(a) + textOf(baseline[i]))) return;
        assert.equal(normal(a), normal(baseline[i]), `${stable[i][0]} ${JSON.stringify(stable[i][1])} changed although its code did not`);
      });
      console.log(`64 concurrent calls during ${churns} edit/add/remove rounds: all answered`);
      const seen = await srv.call('explore', { symbol: `zz_load_edit_${churns - 1}` });
      console.log(`the last edit is visible to explore: ${seen.isError ? 'not yet' : 'yes'}`);
      assert.ok(srv.alive());
    } finally {
      writeFileSync(edited, original);
      rmSync(added, { force: true });
      await srv.close();
    }
  });
});

describe('cancellation and progress', () => {
  test('a cancelled call stops its work (the hung git process is killed) and the server keeps serving', async () => {
    const r = await fixtureRepos();
    const fake = fakeGit({ hang: ['blame'] });
    const srv = await serve({
      args: ['--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', tempDir('dsm-cancel-')],
      env: { PATH: `${fake.dir}:${process.env.PATH}` },
    });
    try {
      await srv.call('explore', { symbol: 'RadixCache' }, { timeout: 120_000 });
      const ac = new AbortController();
      const p = srv.call('blame', { repo: 'dynamo', file: 'lib/llm/src/kv_router.rs', start_line: 1, end_line: 5 }, { signal: ac.signal });
      assert.ok(await until(() => existsSync(fake.pidFile), 15_000), 'git blame started');
      const pids = readFileSync(fake.pidFile, 'utf8').trim().split('\n').map(Number);
      ac.abort('test cancels');
      await assert.rejects(p);
      // The idle timeout would kill it after 15 s; cancellation must do it well before.
      assert.ok(await until(() => pids.every((x) => !isAlive(x)), 8_000), 'the cancelled git process is gone');
      const after = await srv.call('explore', { symbol: 'RadixCache.evict' });
      assert.notEqual(after.isError, true, textOf(after));
      // Cancelling calls that are waiting for nothing in particular is harmless too.
      for (let i = 0; i < 10; i++) {
        const c = new AbortController();
        const q = srv.call('trace', { symbol: 'Scheduler.handle_generate_request', depth: 10, limit: 300 }, { signal: c.signal });
        setTimeout(() => c.abort(), i);
        await q.catch(() => undefined);
      }
      assert.ok(srv.alive());
      const ok = await srv.call('explore', {});
      assert.notEqual(ok.isError, true);
    } finally {
      await srv.close();
    }
  });

  test('a call cancelled while it waits for the initial index never answers and does not disturb others', async () => {
    const r = await fixtureRepos();
    const srv = await serve({ args: ['--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', tempDir('dsm-cancel2-')] });
    try {
      const ac = new AbortController();
      const p = srv.call('explore', { symbol: 'RadixCache' }, { signal: ac.signal });
      const other = srv.call('explore', { symbol: 'RadixCache' }, { timeout: 120_000 });
      ac.abort();
      await assert.rejects(p);
      assert.notEqual((await other).isError, true);
      assert.ok(srv.alive());
    } finally {
      await srv.close();
    }
  });

  test('progress notifications arrive while the initial index is built, when the call sends a progressToken', async () => {
    const r = await fixtureRepos();
    const srv = await serve({ args: ['--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', tempDir('dsm-progress-')] });
    try {
      const seen: { progress: number; total?: number; message?: string }[] = [];
      const res = await srv.call('explore', {}, { timeout: 120_000, onprogress: (p) => seen.push(p as never) });
      assert.notEqual(res.isError, true);
      assert.ok(seen.length > 0, 'at least one progress notification');
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress >= seen[i - 1].progress, 'progress only increases');
    } finally {
      await srv.close();
    }
  });
});
