/**
 * Freshness: an edited, added or deleted file, a commit and a branch switch are reflected on the next
 * call (through the tool boundary, as a client sees it), re-reading only what changed; the footer says how
 * many files were re-read; and the cache written afterwards reflects the changes.
 */
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTool } from '../src/server/boundary.js';
import { indexedLine } from '../src/tools/common.js';
import { TOOLS } from '../src/tools/index.js';
import { git, privateWorkspace, workspaceOn } from './helpers/private-fixture.js';

const explore = TOOLS.find((t) => t.name === 'explore')!;
const FILE = 'python/sglang/srt/disaggregation/base.py';

const env = privateWorkspace();

async function ask(symbol: string): Promise<string> {
  const res = await runTool(explore, { symbol }, { ws: env.ws });
  return res.content.map((c) => c.text).join('\n');
}

const sglang = () => env.ws.repos.get('sglang')!;

test('an edited file is re-read on the next call, and only that file', async () => {
  assert.equal((env.ws.byName.get('fresh_probe_edit') ?? []).length, 0);
  appendFileSync(join(env.fx.sglang, FILE), '\n\ndef fresh_probe_edit(x):\n    return x\n');
  const text = await ask('fresh_probe_edit');
  assert.match(text, new RegExp(`${FILE.replace(/\./g, '\\.')}:\\d+`));
  assert.equal(sglang().reread, 1);
  assert.equal(env.ws.repos.get('dynamo')!.reread, 0);
  assert.match(indexedLine([sglang()]), /1 changed file\(s\) re-read/);
  // The next call has nothing new to re-read.
  await ask('fresh_probe_edit');
  assert.equal(sglang().reread, 0);
});

test('an added file is indexed and listed; a deleted file is dropped', async () => {
  const added = 'python/sglang/srt/fresh_added.py';
  writeFileSync(join(env.fx.sglang, added), 'class FreshAdded:\n    def run(self):\n        return 1\n');
  assert.match(await ask('FreshAdded'), /fresh_added\.py:1/);
  assert.ok(sglang().allFiles.includes(added));
  assert.ok(sglang().files.has(added));

  rmSync(join(env.fx.sglang, added));
  await ask('FreshAdded');
  assert.equal(sglang().files.has(added), false);
  assert.equal(sglang().allFiles.includes(added), false);
  assert.equal((env.ws.byName.get('FreshAdded') ?? []).length, 0);
  assert.equal(sglang().reread, 1);
});

test('a commit moves the indexed commit without re-reading files', async () => {
  const before = sglang().head;
  git(env.fx.sglang, 'commit', '-qam', 'probe');
  await ask('fresh_probe_edit');
  assert.notEqual(sglang().head, before);
  assert.equal(sglang().head, git(env.fx.sglang, 'rev-parse', 'HEAD'));
  assert.equal(sglang().reread, 0);
});

test('a branch switch re-reads only the files that differ', async () => {
  const main = git(env.fx.sglang, 'rev-parse', '--abbrev-ref', 'HEAD');
  git(env.fx.sglang, 'checkout', '-qb', 'probe-branch');
  appendFileSync(join(env.fx.sglang, FILE), '\n\ndef fresh_probe_branch():\n    pass\n');
  git(env.fx.sglang, 'commit', '-qam', 'on the branch');
  await ask('fresh_probe_branch');
  assert.ok((env.ws.byName.get('fresh_probe_branch') ?? []).length > 0);
  const branchHead = sglang().head;

  git(env.fx.sglang, 'checkout', '-q', main);
  await ask('fresh_probe_branch');
  assert.equal((env.ws.byName.get('fresh_probe_branch') ?? []).length, 0);
  assert.notEqual(sglang().head, branchHead);
  assert.equal(sglang().reread, 1, 'only the file that differs between the branches');
});

test('the cache written after the changes reflects them: a new process re-reads nothing', async () => {
  await env.ws.flush();
  const next = workspaceOn(env.fx);
  await next.ready();
  for (const r of next.lastReport!.repos) {
    assert.equal(r.cacheMiss, undefined);
    assert.equal(r.reread, 0, `${r.name} re-read ${r.reread} files`);
  }
  assert.ok((next.byName.get('fresh_probe_edit') ?? []).length > 0);
  assert.equal(next.repos.get('sglang')!.head, sglang().head);
  await next.close();
});

test('between stat sweeps, a file watch still reflects an edit on the next call', { skip: process.platform !== 'linux' && process.platform !== 'darwin' }, async () => {
  const watched = workspaceOn(env.fx);
  await watched.ready();
  watched.freshMs = 3_600_000; // no sweep is due: only the watch can notice the edit
  await new Promise((r) => setTimeout(r, 100)); // let the watches be set up
  const before = await runTool(explore, { symbol: 'fresh_probe_watch' }, { ws: watched });
  assert.equal(before.isError, true);
  appendFileSync(join(env.fx.sglang, FILE), '\n\ndef fresh_probe_watch():\n    pass\n');
  const res = await runTool(explore, { symbol: 'fresh_probe_watch' }, { ws: watched });
  assert.match(res.content.map((c) => c.text).join('\n'), /fresh_probe_watch/);
  assert.equal(watched.repos.get('sglang')!.reread, 1);
  await watched.close();
});

test('an edit made inside an I/O callback (where a request arrives) is seen by a call made right there', { skip: process.platform !== 'linux' && process.platform !== 'darwin' }, async () => {
  // The loop's poll phase has already run when an I/O callback fires: one setImmediate would come back in
  // the same loop iteration, before the watch event of this edit is read (a stale answer, seen under load).
  const watched = workspaceOn(env.fx);
  await watched.ready();
  watched.freshMs = 3_600_000;
  await new Promise((r) => setTimeout(r, 100));
  const { readFile } = await import('node:fs');
  const text = await new Promise<string>((resolve, reject) => {
    readFile(join(env.fx.sglang, FILE), () => {
      appendFileSync(join(env.fx.sglang, FILE), '\n\ndef fresh_probe_in_io():\n    pass\n');
      runTool(explore, { symbol: 'fresh_probe_in_io' }, { ws: watched }).then((r) => resolve(r.content.map((c) => c.text).join('\n')), reject);
    });
  });
  assert.match(text, new RegExp(`${FILE}:\\d+`), text.slice(0, 300));
  await watched.close();
});

test('files changed while the server was down are re-read at start and counted in the first footer', async () => {
  await env.ws.flush();
  appendFileSync(join(env.fx.sglang, FILE), '\n\ndef fresh_probe_offline():\n    pass\n');
  const next = workspaceOn(env.fx);
  const res = await runTool(explore, { symbol: 'fresh_probe_offline' }, { ws: next });
  const text = res.content.map((c) => c.text).join('\n');
  assert.match(text, /fresh_probe_offline/);
  assert.match(text, /sglang@[0-9a-f]{12}, 1 changed file\(s\) re-read/);
  await next.close();
});
