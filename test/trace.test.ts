/**
 * trace on the fixture workspace, within one language: name collisions, trait dispatch, re-exports,
 * recursion and cycles, depth cuts, callers of a method defined on several types, `to` paths, include_tests.
 * Golden markdown plus targeted checks on structuredContent; every diagram must parse with mermaid.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edgesOf as edges, trace } from './helpers/trace.js';

const E = 'lib/llm/src/engines.rs';
const KV = 'lib/llm/src/kv_router.rs';

describe('trace: resolution within a language', () => {
  test('name collisions: r.kv_receiver.poll() has 4 same-named candidates — listed, not followed', async () => {
    const { s } = await trace({ symbol: 'DecodeTransferQueue.pop_transferred', depth: 2 }, 'trace-collisions');
    assert.equal(s.edges.length, 0);
    assert.deepEqual(s.ambiguities.map((a: any) => `${a.at.file}:${a.at.line} ${a.name}`), [
      'python/sglang/srt/disaggregation/decode.py:22 poll', 'python/sglang/srt/disaggregation/decode.py:23 poll',
    ]);
    for (const a of s.ambiguities) {
      assert.deepEqual(a.candidates.map((c: any) => `${c.file}:${c.line}`), [41, 55, 72, 84].map((l) => `python/sglang/srt/disaggregation/base.py:${l}`));
    }
    assert.ok(!s.nodes.some((n: any) => n.loc.file.endsWith('base.py')), 'no candidate is followed');
  });

  test('trait dispatch through Arc<dyn AsyncEngine> reaches every implementation', async () => {
    const { s } = await trace({ symbol: 'generate_once', depth: 1 }, 'trace-trait-dispatch');
    const es = edges(s);
    assert.deepEqual(es.map((e) => e.to).sort(), ['lib/bindings/python/rust/engine.rs:74', `${E}:28`, `${E}:53`]);
    for (const e of es) {
      assert.equal(e.at, `${E}:78`);
      assert.equal(e.kind, 'await');
      assert.equal(e.confidence, 'receiver');
      assert.equal(e.error, true, 'engine.generate(request).await? is an error path');
    }
    // Box<dyn WorkerSelector> in KvScheduler::schedule → both selectors.
    const sel = await trace({ symbol: 'KvScheduler::schedule', depth: 1 });
    assert.deepEqual(edges(sel.s).map((e) => e.to).sort(), ['lib/kv-router/src/scheduler.rs:30', 'lib/kv-router/src/scheduler.rs:57']);
  });

  test('re-exports: `from sgl_kernel import silu_and_mul as fused_silu` through sgl_kernel/__init__.py', async () => {
    const { s } = await trace({ symbol: 'SiluAndMul.forward_cuda', depth: 1 }, 'trace-reexports');
    assert.deepEqual(edges(s).map((e) => `${e.callee} → ${e.to} [${e.kind}, ${e.confidence}]`), [
      'fused_silu → sgl-kernel/python/sgl_kernel/elementwise.py:58 [call, import]',
    ]);
    // `from dynamo.runtime import ... run` (defined in dynamo/runtime/__init__.py).
    const main = await trace({ symbol: 'components/src/dynamo/frontend/main.py:main', depth: 1 });
    assert.ok(edges(main.s).some((e) => e.callee === 'run' && e.to === 'lib/bindings/python/src/dynamo/runtime/__init__.py:35' && e.confidence === 'import'));
  });

  test('direct recursion terminates with the self-call listed once', async () => {
    const { s } = await trace({ symbol: 'count_blocks', depth: 10 }, 'trace-recursion');
    assert.deepEqual(edges(s).map((e) => `${e.from} → ${e.to} @ ${e.at}`), [
      'lib/kv-router/src/indexer.rs:112 → lib/kv-router/src/indexer.rs:112 @ lib/kv-router/src/indexer.rs:113',
    ]);
    assert.equal(s.cut.depth, false);
    const py = await trace({ symbol: 'RadixCache._total_size_helper', depth: 10 });
    assert.deepEqual(edges(py.s).map((e) => `${e.to} @ ${e.at}`), [
      'python/sglang/srt/mem_cache/radix_cache.py:239 @ python/sglang/srt/mem_cache/radix_cache.py:244',
    ]);
  });

  test('mutual recursion flatten_content ↔ flatten_parts: terminates, each edge once', async () => {
    const { s } = await trace({ symbol: 'flatten_content', depth: 10 }, 'trace-mutual-recursion');
    const P = 'lib/llm/src/preprocessor.rs';
    assert.deepEqual(edges(s).map((e) => `${e.from} → ${e.to} @ ${e.at}`).sort(), [
      `${P}:45 → ${P}:45 @ ${P}:50`, `${P}:45 → ${P}:57 @ ${P}:48`, `${P}:57 → ${P}:45 @ ${P}:60`,
    ]);
    assert.equal(s.nodes.length, 2);
  });

  test('a depth cut is reported in structuredContent and in the text', async () => {
    const { s, text } = await trace({ symbol: 'TritonAttnBackend.forward_decode', depth: 2 }, 'trace-depth-cut');
    assert.equal(s.cut.depth, true);
    assert.match(text, /depth limit reached/);
    // forward_decode → decode_attention_fwd → decode_attention_fwd_{normal,grouped}; the launches are 2 hops further.
    assert.ok(!edges(s).some((e) => e.kind === 'triton-launch'), 'no Triton launch within depth 2');
    assert.ok(s.edges.length > 0);
  });

  test('start from file+line: the enclosing function', async () => {
    const { s } = await trace({ file: 'lib/llm/src/preprocessor.rs', line: 50, depth: 1 });
    assert.equal(s.start[0].name, 'flatten_content');
    assert.deepEqual(s.start[0].loc, { repo: 'dynamo', file: 'lib/llm/src/preprocessor.rs', line: 45 });
  });
});

describe('trace: callers, paths and tests', () => {
  test('callers of lib/llm KvRouter::schedule (a method name defined on three Rust types)', async () => {
    const { s } = await trace({ symbol: `${KV}:KvRouter::schedule`, direction: 'callers', depth: 3 }, 'trace-callers-multi-type');
    const es = edges(s);
    const got = es.map((e) => `${e.from} → ${e.to}`);
    // Depth 1: the PyO3 binding (kv.rs:47, `router` = self.inner: Arc<llm_rs::kv_router::KvRouter>) and KvRoutedEngine (engines.rs:55).
    assert.ok(got.includes(`lib/bindings/python/rust/llm/kv.rs:45 → ${KV}:85`), got.join('\n'));
    assert.ok(got.includes(`${E}:53 → ${KV}:85`), got.join('\n'));
    // Depth 2-3: complete (frontend, through PyO3) → binding; generate_once/process_requests → KvRoutedEngine; serve → complete.
    assert.ok(got.includes('components/src/dynamo/frontend/main.py:14 → lib/bindings/python/rust/llm/kv.rs:45'), got.join('\n'));
    assert.ok(got.includes(`${E}:77 → ${E}:53`) && got.includes(`lib/runtime/src/component.rs:147 → ${E}:53`), got.join('\n'));
    // KvRouter::find_best_match calls KvScheduler::schedule (kv_router.rs:80, `self.scheduler.lock().await.schedule`), not this method.
    assert.ok(!es.some((e) => e.from === `${KV}:69`), `find_best_match is not a caller:\n${got.join('\n')}`);
    // A callers graph only has edges into the start or into one of its callers.
    const reached = new Set([`${KV}:85`]);
    for (const e of es) reached.add(e.from);
    for (const e of es) assert.ok(reached.has(e.to), `edge into a non-caller: ${e.from} → ${e.to} @ ${e.at}`);
    assert.ok(!es.some((e) => e.from === e.to), `self-loop in callers: ${got.join('\n')}`);
    // Each ambiguous site is listed once.
    const sites = s.ambiguities.map((a: any) => `${a.at.file}:${a.at.line}`);
    assert.equal(new Set(sites).size, sites.length, `ambiguities repeated: ${sites.join(', ')}`);
  });

  test('callers of RadixCache.evict: not a subclass that overrides evict, nor same-named methods of unrelated classes', async () => {
    const { s } = await trace({ symbol: 'RadixCache.evict', direction: 'callers', depth: 1 }, 'trace-callers-python');
    // hiradix_cache.py:113 `self.evict(...)` in HiRadixCache.load_back runs HiRadixCache.evict (its own override,
    // first in its MRO). radix_tree.py:32 `self._tree.evict` is a pybind11 object and radix_cache_cpp.py:33 calls
    // RadixTreeCpp.evict: none of them calls RadixCache.evict; only the tests do.
    assert.deepEqual(edges(s).map((e) => `${e.from} @ ${e.at}`), []);
    assert.equal(s.cut.tests, 2);
    const sub = await trace({ symbol: 'HiRadixCache.evict', direction: 'callers', depth: 1 });
    assert.ok(sub.es.some((e) => e.at === 'python/sglang/srt/mem_cache/hiradix_cache.py:113'), JSON.stringify(sub.es));
  });

  test('include_tests adds the test callers (test_radix_cache.py:46, :53)', async () => {
    const { s } = await trace({ symbol: 'RadixCache.evict', direction: 'callers', depth: 1, include_tests: true }, 'trace-include-tests');
    const at = edges(s).map((e) => e.at);
    assert.ok(at.includes('test/srt/test_radix_cache.py:46') && at.includes('test/srt/test_radix_cache.py:53'), at.join(', '));
    assert.equal(s.cut.tests, 0);
  });

  test('to: Python layer → sgl_kernel wrapper → torch op → CUDA host fn → kernel', async () => {
    const { s } = await trace({ symbol: 'SiluAndMul.forward_cuda', to: 'act_and_mul_kernel' }, 'trace-to-kernel');
    assert.deepEqual(edges(s).map((e) => `${e.to} [${e.kind}]`), [
      'sgl-kernel/python/sgl_kernel/elementwise.py:58 [call]',
      'sgl-kernel/csrc/elementwise/activation.cu:27 [torch-op]',
      'sgl-kernel/csrc/elementwise/activation.cu:17 [cuda-launch]',
    ]);
    assert.equal(s.direction, 'path');
  });

  test('to: HTTP handler → TokenizerManager → ZMQ → Scheduler handler', async () => {
    const { s } = await trace({ symbol: 'python/sglang/srt/entrypoints/http_server.py:generate_request', to: 'Scheduler.handle_generate_request' }, 'trace-to-ipc');
    assert.deepEqual(edges(s).map((e) => `${e.to} [${e.kind}]`), [
      'python/sglang/srt/managers/tokenizer_manager.py:60 [call]',
      'python/sglang/srt/managers/tokenizer_manager.py:83 [call]',
      'python/sglang/srt/managers/scheduler.py:134 [ipc]',
    ]);
  });

  test('to: Dynamo frontend → PyO3 binding → lib/llm router core', async () => {
    const { s } = await trace({ symbol: 'components/src/dynamo/frontend/main.py:complete', to: `${KV}:KvRouter::find_best_match` });
    assert.deepEqual(edges(s).map((e) => `${e.to} [${e.kind}]`), [
      'lib/bindings/python/rust/llm/kv.rs:45 [pyo3]', `${KV}:85 [await]`, `${KV}:69 [await]`,
    ]);
  });

  test('no path: says so and how to widen', async () => {
    const { s, text } = await trace({ symbol: 'count_blocks', to: 'flatten_content' });
    // No path: the answer says so, and shows what the start reaches instead (none of it is the target).
    assert.equal(s.noPath, true);
    assert.ok(!(s.nodes as { name: string }[]).some((n) => n.name.endsWith('flatten_content')));
    assert.match(text, /No call path found\*\* from `count_blocks` to `flatten_content`/);
    assert.match(text, /trace callers of the target/);
  });
});

describe('trace: flow presets', () => {
  test('kv-events: the scheduler drains the cache events (_publish_kv_events) before the ZMQ publisher sends them', async () => {
    const { s } = await trace({ flow: 'kv-events' });
    const names = s.edges.map((e: any) => s.nodes.find((n: any) => n.id === e.to).name);
    assert.ok(names.indexOf('Scheduler._publish_kv_events') >= 0 && names.indexOf('Scheduler._publish_kv_events') < names.indexOf('ZmqEventPublisher.publish'), names.join(' → '));
  });
});
