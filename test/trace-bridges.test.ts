/**
 * trace across language boundaries on the fixture, one test per bridge: pyo3, pybind, torch-op, cuda-launch,
 * ffi. Each checks structuredContent.edges (kind, both endpoints, the call site and the `via` registration
 * site) and records a golden; every diagram must parse with mermaid.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edge, trace } from './helpers/trace.js';

const KV = 'lib/bindings/python/rust/llm/kv.rs';
const LIB = 'lib/bindings/python/rust/lib.rs';

describe('trace: pyo3 (Python → Rust)', () => {
  test('typed receivers: router.schedule / client.generate → the #[pymethods] methods', async () => {
    const { es } = await trace({ symbol: 'components/src/dynamo/frontend/main.py:complete', depth: 1 }, 'trace-bridge-pyo3');
    const sched = edge(es, 'components/src/dynamo/frontend/main.py:15', `${KV}:45`);
    assert.equal(sched.kind, 'pyo3');
    assert.ok(sched.via?.startsWith(`${KV}:`), 'via names the #[pyclass]/#[pymethods] site');
    assert.equal(edge(es, 'components/src/dynamo/frontend/main.py:16', `${LIB}:198`).kind, 'pyo3');
  });

  test('an alias re-exported by dynamo/llm/__init__.py (`ZmqKvEventRelay as ZmqKvEventPublisher`) → the Rust #[pyclass]', async () => {
    const { es } = await trace({ symbol: 'setup_kv_event_publisher', depth: 1 }, 'trace-bridge-pyo3-alias');
    // publisher.py:32 `ZmqKvEventPublisher(component, ...)` constructs dynamo._core.ZmqKvEventRelay: #[new] at kv.rs:126
    // (or the #[pyclass] struct at kv.rs:115) — not only the .pyi stub.
    const ctor = es.filter((e) => e.at === 'components/src/dynamo/sglang/publisher.py:32');
    assert.ok(ctor.some((e) => e.kind === 'pyo3' && (e.to === `${KV}:126` || e.to === `${KV}:115`)),
      `ZmqKvEventPublisher(...) does not reach Rust: ${JSON.stringify(ctor)}`);
    // publisher.py:33 `await relay.start()` → ZmqKvEventRelay::start (kv.rs:144).
    assert.equal(edge(es, 'components/src/dynamo/sglang/publisher.py:33', `${KV}:144`).kind, 'pyo3');
  });

  test('a #[pyfunction(name = "compute_block_hash")] reached through the alias compute_block_hash_for_seq', async () => {
    const { es } = await trace({ symbol: 'test_block_hash_alias_matches_core', depth: 1, include_tests: true });
    const e = edge(es, 'lib/bindings/python/tests/test_kv_bindings.py:10', `${LIB}:59`);
    assert.equal(e.kind, 'pyo3');
    assert.equal(e.callee, 'compute_block_hash_for_seq');
  });

  test('a stub method reached through a call chain (runtime.namespace(..).component(..)) → the #[pymethods] method', async () => {
    const { es } = await trace({ symbol: 'components/src/dynamo/sglang/main.py:init', depth: 1 });
    assert.equal(edge(es, 'components/src/dynamo/sglang/main.py:33', `${LIB}:90`).kind, 'pyo3');
    // generate_endpoint.serve_endpoint(handler.generate, ...) → Endpoint::serve_endpoint (lib.rs:147), not the .pyi stub.
    assert.equal(edge(es, 'components/src/dynamo/sglang/main.py:51', `${LIB}:147`).kind, 'pyo3');
    assert.ok(!es.some((e) => e.to.endsWith('.pyi') || e.to.includes('.pyi:')), `edges end in the .pyi stub: ${es.filter((e) => e.to.includes('.pyi')).map((e) => e.at).join(', ')}`);
  });

  test('then onward into the Rust core: the binding delegates to the lib/llm type through self.inner', async () => {
    const { es } = await trace({ symbol: 'PyKvEventPublisher::publish_stored', depth: 1 });
    assert.deepEqual(es.map((e) => `${e.to} [${e.kind}]`), ['lib/llm/src/kv_router/publisher.rs:51 [call]']);
    // Same type name in two crates: RadixTree (bindings) wraps dynamo_kv_router::RadixTree; it must not call itself.
    const rt = await trace({ symbol: `${KV}:RadixTree::find_matches`, depth: 1 });
    assert.deepEqual(rt.es.map((e) => e.to), ['lib/kv-router/src/indexer.rs:37']);
    const sched = await trace({ symbol: `${KV}:KvRouter::schedule`, depth: 1 });
    assert.deepEqual(sched.es.map((e) => e.to), ['lib/llm/src/kv_router.rs:85']);
  });
});

describe('trace: pybind (Python → C++)', () => {
  test('_ext.RadixTree(...) → py::class_<RadixTreeCpp>(m, "RadixTree")', async () => {
    const { es } = await trace({ symbol: 'python/sglang/srt/mem_cache/cpp_radix_tree/radix_tree.py:RadixTreeCpp.__init__', depth: 1 }, 'trace-bridge-pybind');
    const C = 'python/sglang/srt/mem_cache/cpp_radix_tree';
    const hits = es.filter((e) => e.at === `${C}/radix_tree.py:23`);
    assert.ok(hits.length >= 1);
    for (const e of hits) {
      assert.equal(e.kind, 'pybind');
      assert.ok([`${C}/tree_v2.h:33`, `${C}/tree_v2.cpp:24`].includes(e.to), e.to);
      assert.equal(e.via, `${C}/tree_v2_binding.cpp:16`);
      // The evidence is the class binding `py::class_<RadixTreeCpp>(m, "RadixTree")`, not an m.def.
      assert.match(e.note!, /class_<RadixTreeCpp>/, e.note);
    }
  });

  test('pybind: methods bound with .def("evict", &RadixTreeCpp::evict) on py::class_ — self._tree.evict() in RadixTreeCpp.evict → C++ RadixTreeCpp::evict (tree_v2.cpp:122)', async () => {
    const C = 'python/sglang/srt/mem_cache/cpp_radix_tree';
    const { es } = await trace({ symbol: `${C}/radix_tree.py:RadixTreeCpp.evict`, depth: 1 });
    const hits = es.filter((e) => e.kind === 'pybind');
    assert.ok(hits.some((e) => e.to === `${C}/tree_v2.cpp:122`), hits.map((e) => e.to).join(', ') || 'no pybind edge');
    assert.ok(hits.every((e) => /class_<RadixTreeCpp>\.def\("evict"/.test(e.note!)), hits.map((e) => e.note).join(' | '));
  });
});

describe('trace: torch-op (Python wrapper → m.impl → C++ host function)', () => {
  test('torch.ops.sgl_kernel.fused_add_rmsnorm.default → sgl_fused_add_rmsnorm (a different C++ name)', async () => {
    const { es } = await trace({ symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:fused_add_rmsnorm', depth: 1 }, 'trace-bridge-torch-op');
    const e = edge(es, 'sgl-kernel/python/sgl_kernel/elementwise.py:34', 'sgl-kernel/csrc/elementwise/fused_add_rms_norm_kernel.cu:51');
    assert.equal(e.kind, 'torch-op');
    assert.equal(e.via, 'sgl-kernel/csrc/common_extension.cc:16');
    assert.match(e.note!, /m\.impl\("fused_add_rmsnorm".*&sgl_fused_add_rmsnorm\)/);
    assert.ok(!es.some((x) => x.to.startsWith('sgl-kernel/include/')), 'the header declaration is not a target');
  });

  test('a same-named C++ implementation is the wrapper seen from the other side: depth 1 shows what it calls', async () => {
    const { es } = await trace({ symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:rmsnorm', depth: 1 });
    const op = es.find((e) => e.kind === 'torch-op');
    assert.ok(op, JSON.stringify(es));
    const impl = op.to;
    assert.ok(es.some((e) => e.from === impl), `no callee of the C++ rmsnorm at depth 1: ${JSON.stringify(es)}`);
  });

  test('a path to a name that is both a Python wrapper and its C++ op goes on through the op to the C++ function', async () => {
    const { es } = await trace({ symbol: 'MHATokenToKVPoolHost.backup_from_device_all_layer', to: 'transfer_kv_all_layer' });
    const last = es[es.length - 1];
    assert.equal(last?.kind, 'torch-op', JSON.stringify(es));
    assert.equal(last.to, 'sgl-kernel/csrc/kvcacheio/transfer.cu:43');
  });

  test('without .default (torch.ops.sgl_kernel.gelu_and_mul(...)), and a pure-PyTorch wrapper reaches no op', async () => {
    const { es } = await trace({ symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:gelu_and_mul', depth: 1 });
    assert.equal(edge(es, 'sgl-kernel/python/sgl_kernel/elementwise.py:70', 'sgl-kernel/csrc/elementwise/activation.cu:41').kind, 'torch-op');
    const topk = await trace({ symbol: 'fast_topk', depth: 3 });
    assert.equal(topk.es.length, 0);
  });

  test('the op reaches the host function, not a __device__ helper of the same name', async () => {
    const { es } = await trace({ symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:silu_and_mul', depth: 1 });
    const ops = es.filter((e) => e.kind === 'torch-op').map((e) => e.to);
    assert.ok(ops.includes('sgl-kernel/csrc/elementwise/activation.cu:27'), JSON.stringify(es));
    assert.ok(!ops.some((to) => to.startsWith('sgl-kernel/csrc/gemm/')), `the __device__ silu_and_mul is not the op: ${JSON.stringify(ops)}`);
  });

  test('the CPU variant is a CPU-only implementation: at::silu(...) is the ATen function, not the CUDA __device__ silu', async () => {
    const { es } = await trace({ symbol: 'silu_and_mul_cpu', depth: 1 });
    assert.ok(!es.some((e) => e.to === 'sgl-kernel/csrc/elementwise/activation.cu:7'), `norm_cpu.cpp:49 at::silu resolved to activation.cu: ${JSON.stringify(es)}`);
  });
});

describe('trace: cuda-launch (host function → __global__ kernel)', () => {
  test('template instances, a local `auto` alias, and a .cuh host launcher', async () => {
    const F = 'sgl-kernel/csrc/elementwise/fused_add_rms_norm_kernel.cu';
    const fused = await trace({ symbol: `${F}:sgl_fused_add_rmsnorm`, depth: 1 }, 'trace-bridge-cuda-launch');
    for (const l of [69, 71]) assert.equal(edge(fused.es, `${F}:${l}`, `${F}:8`).kind, 'cuda-launch');
    const N = 'sgl-kernel/csrc/elementwise/norm.cu';
    const alias = edge((await trace({ symbol: `${N}:rmsnorm`, depth: 1 })).es, `${N}:82`, `${N}:40`);
    assert.equal(alias.kind, 'cuda-launch');
    assert.equal(alias.via, `${N}:81`);
    assert.match(alias.note!, /kern = rmsnorm_kernel/);
    const T = 'lib/kvbm-kernels/cuda/tensor_kernels.cu';
    const gather = await trace({ symbol: `${T}:launch_gather`, depth: 1 });
    for (const l of [84, 86]) assert.equal(edge(gather.es, `${T}:${l}`, `${T}:41`).kind, 'cuda-launch');
    const scatter = await trace({ symbol: `${T}:kvbm_kernels_launch_scatter_blocks`, depth: 1 });
    for (const l of [119, 124, 129, 134]) assert.equal(edge(scatter.es, `${T}:${l}`, `${T}:54`).kind, 'cuda-launch');
    const rope = await trace({ symbol: 'BatchQKApplyRotaryPosIdsCosSinCache', depth: 1 });
    assert.equal(edge(rope.es, 'sgl-kernel/csrc/elementwise/pos_enc.cuh:69', 'sgl-kernel/csrc/elementwise/pos_enc.cuh:18').kind, 'cuda-launch');
  });

  test('a launch hidden in #define LAUNCH_GEMMA_RMSNORM reaches rmsnorm_kernel', async () => {
    const N = 'sgl-kernel/csrc/elementwise/norm.cu';
    const { es } = await trace({ symbol: `${N}:gemma_rmsnorm`, depth: 2 });
    assert.ok(es.some((e) => e.kind === 'cuda-launch' && e.to === `${N}:40`),
      `gemma_rmsnorm → LAUNCH_GEMMA_RMSNORM (norm.cu:92) → rmsnorm_kernel<T><<<...>>> (norm.cu:93) not traced:\n${es.map((e) => `  ${e.at} → ${e.to} [${e.kind}]`).join('\n')}`);
    // The use of the macro (norm.cu:112) leads to the macro, whose body launches the kernel at norm.cu:93.
    assert.equal(edge(es, `${N}:112`, `${N}:92`).kind, 'call');
    assert.equal(edge(es, `${N}:93`, `${N}:40`).kind, 'cuda-launch');
  });
});

describe('trace: ffi (Rust extern "C" → C/CUDA)', () => {
  test('gather_kv_blocks → the extern "C" launcher in tensor_kernels.cu (not stubs.c, which is mentioned)', async () => {
    const { es } = await trace({ symbol: 'gather_kv_blocks', depth: 2 }, 'trace-bridge-ffi');
    const R = 'lib/kvbm-kernels/src/tensor_kernels.rs';
    const e = edge(es, `${R}:113`, 'lib/kvbm-kernels/cuda/tensor_kernels.cu:93');
    assert.equal(e.kind, 'ffi');
    assert.equal(e.via, `${R}:46`, 'via names the Rust extern "C" declaration');
    assert.match(e.note!, /stubs\.c/);
    assert.ok(!es.some((x) => x.to.startsWith('lib/kvbm-kernels/cuda/stubs.c')), 'the stub is not a target');
    // Onward: the .cu launcher → launch_gather → gather_blocks_kernel.
    assert.ok(es.some((x) => x.from === 'lib/kvbm-kernels/cuda/tensor_kernels.cu:93' && x.to === 'lib/kvbm-kernels/cuda/tensor_kernels.cu:76'));
  });

  test('the second declaration of an `unsafe extern "C"` block and a plain `extern "C"` block', async () => {
    const scatter = await trace({ symbol: 'scatter_kv_blocks', depth: 1 });
    assert.equal(edge(scatter.es, 'lib/kvbm-kernels/src/tensor_kernels.rs:140', 'lib/kvbm-kernels/cuda/tensor_kernels.cu:112').kind, 'ffi');
    const stub = await trace({ symbol: 'kernels_available', depth: 1 });
    assert.equal(edge(stub.es, 'lib/kvbm-kernels/src/tensor_kernels.rs:97', 'lib/kvbm-kernels/cuda/tensor_kernels.cu:144').kind, 'ffi');
  });
});
