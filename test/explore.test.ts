/**
 * explore on the fixture workspace: golden markdown for every mode (architecture, directory, file outlines
 * of a PyO3 Rust file, a CUDA file and a Python file, every symbol form, a topic), pagination and errors.
 * Each golden was checked by hand against test/fixtures/workspace (see the fixture README for the map).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runTool } from '../src/server/boundary.js';
import { exploreTool } from '../src/tools/explore.js';
import type { ToolSpec } from '../src/tools/types.js';
import { fixtureWorkspace } from './helpers/fixture.js';
import { assertGolden } from './helpers/golden.js';

type Answer = { text: string; isError: boolean; s: Record<string, any> };

async function explore(args: Record<string, unknown>): Promise<Answer> {
  const ws = await fixtureWorkspace();
  const r = await runTool(exploreTool as unknown as ToolSpec, args, { ws });
  return { text: r.content.map((c) => c.text).join('\n'), isError: r.isError === true, s: (r.structuredContent ?? {}) as Record<string, any> };
}

async function ok(args: Record<string, unknown>): Promise<Answer> {
  const a = await explore(args);
  assert.equal(a.isError, false, a.text);
  return a;
}

const where = (d: any) => `${d.loc.repo}:${d.loc.file}:${d.loc.line}`;

describe('explore: architecture and paths', () => {
  test('no arguments: the architecture map of both repos', async () => {
    const a = await ok({});
    assertGolden('explore-architecture', a.text);
    assert.equal(a.s.mode, 'architecture');
    assert.deepEqual(a.s.repos.map((r: any) => r.repo), ['dynamo', 'sglang']);
    // Layers present in the fixture are counted; layers of the real layout that the fixture lacks are reported, not dropped.
    const dynamo = a.s.repos[0];
    const bindings = dynamo.layers.find((l: any) => l.path === 'lib/bindings/python');
    assert.ok(bindings && !bindings.missing && bindings.files > 0, 'lib/bindings/python is a layer with files');
    assert.ok(dynamo.layers.some((l: any) => l.path === 'lib/parsers' && l.missing), 'a layer absent from the checkout is reported as missing');
  });

  test('a directory: entries with their main symbols', async () => {
    const a = await ok({ path: 'lib/bindings/python/rust' });
    assertGolden('explore-directory', a.text);
    assert.equal(a.s.mode, 'directory');
  });

  test('a Rust PyO3 file outline: pyclass/pymethods markers and the Python names', async () => {
    const a = await ok({ path: 'lib/bindings/python/rust/llm/kv.rs' });
    assertGolden('explore-outline-rust-pyo3', a.text);
    assert.equal(a.s.mode, 'file');
    assert.match(a.text, /struct `PyKvEventPublisher` L71-73: .*\*\*\[exposed to Python as `KvEventPublisher`\]\*\*/);
    assert.match(a.text, /impl `impl KvRouter` L25-67: .*\*\*\[PyO3 method block\]\*\*/);
  });

  test('a path passed as a symbol is answered as the path (a file:Name symbol and an unknown path are not)', async () => {
    const asPath = await ok({ path: 'sgl-kernel/csrc/elementwise/norm.cu' });
    assert.equal((await ok({ symbol: 'sgl-kernel/csrc/elementwise/norm.cu' })).text, asPath.text);
    assert.equal((await ok({ symbol: 'sglang:sgl-kernel/csrc/elementwise/' })).text, (await ok({ path: 'sglang:sgl-kernel/csrc/elementwise/' })).text);
    assert.match((await ok({ symbol: 'sgl-kernel/csrc/elementwise/norm.cu:rmsnorm' })).text, /definition/);
    assert.equal((await explore({ symbol: 'sgl-kernel/csrc/nope/x.cu' })).isError, true);
  });

  test('a CUDA file outline: kernels, device helpers, host launchers', async () => {
    const a = await ok({ path: 'sgl-kernel/csrc/elementwise/norm.cu' });
    assertGolden('explore-outline-cuda', a.text);
    const names = (a.s.outline as any[]).map((o) => o.name);
    assert.match(a.text, /function `rmsnorm_kernel` L40-66: .*\*\*\[CUDA kernel\]\*\*/);
    for (const n of ['to_float', 'warp_reduce_sum', 'block_reduce_sum', 'rmsnorm', 'gemma_rmsnorm', 'LAUNCH_GEMMA_RMSNORM']) assert.ok(names.includes(n), n);
    // `const dim3 grid(rows);` (norm.cu:75 and :105) is a variable, not a function declaration.
    assert.ok(!names.includes('grid'), `local variable "grid" listed as a definition: ${names.join(', ')}`);
  });

  test('a Python file outline: classes, methods with line ranges, imports', async () => {
    const a = await ok({ path: 'python/sglang/srt/mem_cache/radix_cache.py' });
    assertGolden('explore-outline-python', a.text);
    assert.match(a.text, /class `RadixCache` L51-271: `class RadixCache\(BasePrefixCache\)`/);
    assert.match(a.text, /method `evict` L107-124/);
  });
});

describe('explore: symbols', () => {
  test('an ambiguous name lists every definition: `schedule` on three Rust types and the stub', async () => {
    const a = await ok({ symbol: 'schedule' });
    assertGolden('explore-symbol-ambiguous', a.text);
    assert.equal(a.s.total, 4);
    assert.deepEqual(a.s.definitions.map(where).sort(), [
      'dynamo:lib/bindings/python/rust/llm/kv.rs:45',
      'dynamo:lib/bindings/python/src/dynamo/_core.pyi:55',
      'dynamo:lib/kv-router/src/scheduler.rs:89',
      'dynamo:lib/llm/src/kv_router.rs:85',
    ]);
    // The #[pymethods] method and its Python stub are each other's counterpart.
    const binding = a.s.definitions.find((d: any) => d.loc.file === 'lib/bindings/python/rust/llm/kv.rs');
    assert.ok(binding.counterparts.some((c: any) => c.kind === 'pyo3' && c.loc.file === 'lib/bindings/python/src/dynamo/_core.pyi' && c.loc.line === 55),
      `#[pymethods] KvRouter::schedule has no counterpart in _core.pyi: ${JSON.stringify(binding.counterparts)}`);
  });

  test('past the detailed page, the other candidates are in structuredContent too, not only in the text', async () => {
    const a = await ok({ symbol: 'schedule', limit: 1 });
    assert.match(a.text, /\*\*Other definitions\*\*/);
    assert.equal(a.s.definitions.length, 1);
    const listed = [...a.s.definitions, ...a.s.others].map(where).sort();
    assert.deepEqual(listed, [
      'dynamo:lib/bindings/python/rust/llm/kv.rs:45',
      'dynamo:lib/bindings/python/src/dynamo/_core.pyi:55',
      'dynamo:lib/kv-router/src/scheduler.rs:89',
      'dynamo:lib/llm/src/kv_router.rs:85',
    ]);
    for (const o of a.s.others) assert.ok(a.text.includes(`${o.loc.file}:${o.loc.line}`), `${where(o)} is not in the text`);
  });

  test('Type.method picks the method of that class only (not the HiRadixCache override)', async () => {
    const a = await ok({ symbol: 'RadixCache.evict' });
    assertGolden('explore-symbol-type-dot-method', a.text);
    assert.deepEqual(a.s.definitions.map(where), ['sglang:python/sglang/srt/mem_cache/radix_cache.py:107']);
  });

  test('Type::method', async () => {
    const a = await ok({ symbol: 'KvScheduler::schedule' });
    assertGolden('explore-symbol-type-colons-method', a.text);
    assert.deepEqual(a.s.definitions.map(where), ['dynamo:lib/kv-router/src/scheduler.rs:89']);
  });

  test('pkg.module.Name', async () => {
    const a = await ok({ symbol: 'sglang.srt.managers.scheduler.Scheduler' });
    assertGolden('explore-symbol-module-path', a.text);
    assert.deepEqual(a.s.definitions.map(where), ['sglang:python/sglang/srt/managers/scheduler.py:41']);
  });

  test('path/file.py:Name separates the Python wrapper from the CUDA function of the same name', async () => {
    const all = await ok({ symbol: 'silu_and_mul' });
    assert.ok(all.s.total >= 2, 'silu_and_mul is defined in Python and in CUDA');
    const a = await ok({ symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:silu_and_mul' });
    assertGolden('explore-symbol-file-path', a.text);
    assert.deepEqual(a.s.definitions.map(where), ['sglang:sgl-kernel/python/sgl_kernel/elementwise.py:58']);
  });

  test('a topic query ranks the radix cache files and eviction methods first', async () => {
    const a = await ok({ query: 'radix cache eviction' });
    assertGolden('explore-query', a.text);
    assert.equal(a.s.mode, 'query');
    assert.equal(a.s.results.files[0].loc.file, 'python/sglang/srt/mem_cache/radix_cache.py');
    assert.ok(a.s.results.symbols.some((s: any) => s.loc.file.endsWith('radix_cache.py') && s.loc.line === 107), 'RadixCache.evict among the symbols');
    // Python methods are named Class.method, as everywhere else.
    for (const s of a.s.results.symbols.filter((x: any) => x.loc.file.endsWith('.py'))) assert.doesNotMatch(s.name, /::/, `Python symbol shown as ${s.name}`);
  });
});

describe('explore: pagination and errors', () => {
  test('cursor pages through the 12 definitions of `generate` without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const a = await ok({ symbol: 'generate', limit: 5, ...(cursor ? { cursor } : {}) });
      assert.equal(a.s.total, 12);
      if (pages === 0) assertGolden('explore-pagination-page1', a.text);
      if (pages === 1) assertGolden('explore-pagination-page2', a.text);
      seen.push(...a.s.definitions.map(where));
      cursor = a.s.nextCursor;
      if (cursor) assert.match(a.text, new RegExp(`cursor "${cursor}"`));
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen).size, 12);
  });

  test('an unknown symbol is an isError result with similar names and a valid call', async () => {
    const a = await explore({ symbol: 'RadixCach' });
    assertGolden('explore-error-unknown-symbol', a.text);
    assert.equal(a.isError, true);
    assert.match(a.text, /No definition of "RadixCach"/);
    assert.match(a.text, /Similar names: RadixCache\b/);
    assert.match(a.text, /Example of a valid call: explore \{"symbol": "RadixCache"\}/);
  });

  test('other errors say what was wrong and show a usable call', async () => {
    const path = await explore({ path: 'lib/nope' });
    assert.equal(path.isError, true);
    assert.match(path.text, /No file or directory "lib\/nope"/);
    assert.doesNotMatch(path.text, /\{"path": ""\}/, `the example call must name a real path: ${path.text}`);
    const two = await explore({ symbol: 'RadixCache', query: 'radix' });
    assert.equal(two.isError, true);
    assert.match(two.text, /only one of path, symbol or query/);
    const cursor = await explore({ symbol: 'generate', cursor: 'garbage' });
    assert.equal(cursor.isError, true);
    assert.match(cursor.text, /Invalid cursor/);
    const repo = await explore({ repo: 'vllm' });
    assert.equal(repo.isError, true);
    assert.match(repo.text, /Unknown repo "vllm"\. Served repos: dynamo, sglang/);
  });
});
