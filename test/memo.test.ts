/**
 * Answers kept between calls (call resolutions, the architecture map) and the server's idle-time prewarming:
 * a kept answer is reused only while the index is unchanged, an edit is reflected on the next call, and
 * prewarming builds what the tools read without changing any answer.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTool } from '../src/server/boundary.js';
import { TOOLS } from '../src/tools/index.js';
import { prewarm, PREWARM_STEPS } from '../src/tools/prewarm.js';
import { git, privateWorkspace, workspaceOn } from './helpers/private-fixture.js';
import { withClient, textOf } from './helpers/client.js';

const tool = (name: string) => TOOLS.find((t) => t.name === name)!;
const UTILS = 'python/sglang/srt/disaggregation/utils.py';

const env = privateWorkspace();

async function ask(name: string, args: Record<string, unknown>): Promise<string> {
  const res = await runTool(tool(name), args, { ws: env.ws });
  assert.ok(!res.isError, res.content.map((c) => c.text).join('\n'));
  return res.content.map((c) => c.text).join('\n');
}

test('a trace answered again reflects an edit to the file its callee lives in', async () => {
  const args = { symbol: 'send_kv_chunk', depth: 1, format: 'detailed' };
  const line = () => /kv_to_page_indices[^\n]*?disaggregation\/utils\.py:(\d+)/.exec(text)?.[1];
  let text = await ask('trace', args);
  const before = line();
  assert.ok(before, `the trace reaches kv_to_page_indices:\n${text}`);
  assert.equal(await ask('trace', args), text, 'the same question, the same answer');
  // A definition inserted before the callee: a resolution kept across the edit would point at the wrong
  // definition of the file (refs are positions in the file's definition list).
  const src = readFileSync(join(env.fx.sglang, UTILS), 'utf8');
  writeFileSync(join(env.fx.sglang, UTILS), src.replace('FAKE_BOOTSTRAP_HOST', 'def memo_probe_first():\n    return 1\n\n\nFAKE_BOOTSTRAP_HOST'));
  text = await ask('trace', args);
  assert.equal(line(), String(Number(before) + 4), text);
  assert.doesNotMatch(text, /memo_probe_first/);
});

test('the architecture map counts a boundary added since it was last asked for', async () => {
  const count = (t: string) => Number(/Triton kernels \(@triton\.jit\): (\d+)/.exec(t)?.[1] ?? 0);
  const first = await ask('explore', {});
  assert.equal(await ask('explore', {}), first);
  writeFileSync(join(env.fx.sglang, 'python/sglang/srt/memo_probe_kernel.py'), 'import triton\n\n\n@triton.jit\ndef memo_probe_kernel(x_ptr):\n    pass\n');
  const second = await ask('explore', {});
  assert.equal(count(second), count(first) + 1, second);
  // A commit that changes no file moves only the head: the map's commit follows it.
  git(env.fx.sglang, 'add', '-A');
  git(env.fx.sglang, 'commit', '-qm', 'memo probe');
  const res = await runTool(tool('explore'), {}, { ws: env.ws });
  const repos = (res.structuredContent as { repos: { repo: string; commit: string }[] }).repos;
  assert.equal(repos.find((r) => r.repo === 'sglang')?.commit, git(env.fx.sglang, 'rev-parse', 'HEAD').slice(0, 12));
});

test('prewarming builds every step on the fixture and changes no answer', async () => {
  const asked = [['explore', {}], ['explore', { query: 'radix cache' }], ['trace', { symbol: 'send_kv_chunk', depth: 2 }], ['grep', { pattern: 'kv_to_page' }]] as const;
  const fresh = workspaceOn(env.fx, join(env.fx.dir, '.cache-prewarm'));
  try {
    await fresh.ready();
    const took = await prewarm(fresh);
    assert.deepEqual(Object.keys(took), PREWARM_STEPS.map((s) => s.name));
    for (const [name, args] of asked) {
      const a = (await runTool(tool(name), args, { ws: fresh })).content.map((c) => c.text).join('\n');
      const b = (await runTool(tool(name), args, { ws: env.ws })).content.map((c) => c.text).join('\n');
      assert.equal(a.replace(/\n[^\n]*indexed[^\n]*$/i, ''), b.replace(/\n[^\n]*indexed[^\n]*$/i, ''), `${name} ${JSON.stringify(args)}`);
    }
  } finally {
    await fresh.close();
  }
});

test('a prewarming step that fails is skipped and the next ones run; stop() ends it early', async () => {
  const ran: string[] = [];
  const steps = [
    { name: 'one', run: () => ran.push('one') },
    { name: 'broken', run: () => { throw new Error('boom'); } },
    { name: 'three', run: async () => { ran.push('three'); } },
  ];
  const took = await prewarm(env.ws, { steps });
  assert.deepEqual(ran, ['one', 'three']);
  assert.deepEqual(Object.keys(took), ['one', 'three']);
  ran.length = 0;
  assert.deepEqual(await prewarm(env.ws, { stop: () => true, steps }), {});
  assert.deepEqual(ran, []);
});

test('prewarming waits while a tool call runs, and goes on once none does', async () => {
  let calls = 1;
  const ran: number[] = [];
  const pending = prewarm(env.ws, { busy: () => calls > 0, steps: [{ name: 'step', run: () => ran.push(calls) }] });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(ran, [], 'nothing ran during the call');
  calls = 0;
  assert.deepEqual(Object.keys(await pending), ['step']);
  assert.deepEqual(ran, [0]);
});

test('the server prewarms once its index is ready, and DSM_PREWARM=0 turns it off', async () => {
  const waitFor = async (stderr: () => string, re: RegExp) => {
    for (let i = 0; i < 300 && !re.test(stderr()); i++) await new Promise((r) => setTimeout(r, 100));
    return re.test(stderr());
  };
  await withClient(async (client, stderr) => {
    assert.ok(await waitFor(stderr, /prewarmed in \d+ ms \(architecture map \d+, call index \d+/), stderr());
    assert.match(textOf(await client.callTool({ name: 'explore', arguments: {} })), /Cross-language boundaries/);
  });
  await withClient(async (client, stderr) => {
    assert.match(textOf(await client.callTool({ name: 'explore', arguments: {} })), /Cross-language boundaries/);
    await waitFor(stderr, /index ready/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(stderr(), /prewarmed/);
  }, [], { DSM_PREWARM: '0' });
});
