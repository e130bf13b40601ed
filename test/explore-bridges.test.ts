/**
 * explore's cross-language answers on the fixture, checked on structuredContent: the counterpart of each
 * boundary definition (PyO3, torch op, pybind11, Triton, CUDA, extern "C"), and the boundary census of the
 * architecture map against counts made by hand with grep over test/fixtures/workspace.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runTool } from '../src/server/boundary.js';
import { exploreTool } from '../src/tools/explore.js';
import type { ToolSpec } from '../src/tools/types.js';
import { fixtureWorkspace } from './helpers/fixture.js';

async function explore(args: Record<string, unknown>): Promise<Record<string, any>> {
  const ws = await fixtureWorkspace();
  const r = await runTool(exploreTool as unknown as ToolSpec, args, { ws });
  assert.notEqual(r.isError, true, r.content[0]?.text);
  return r.structuredContent as Record<string, any>;
}

/** The definition of `symbol` in `file`. */
async function defIn(symbol: string, file: string): Promise<any> {
  const s = await explore({ symbol, limit: 50 });
  const d = s.definitions.find((x: any) => x.loc.file === file);
  assert.ok(d, `${symbol} has no definition in ${file}: ${s.definitions.map((x: any) => x.loc.file).join(', ')}`);
  return d;
}

const cp = (d: any, kind: string) => (d.counterparts as any[]).filter((c) => c.kind === kind);
const at = (c: any) => `${c.loc.file}:${c.loc.line}`;

describe('explore: counterparts across language boundaries', () => {
  test('#[pyclass(name = "KvEventPublisher")] struct → the KvEventPublisher class of the .pyi stub', async () => {
    const d = await defIn('PyKvEventPublisher', 'lib/bindings/python/rust/llm/kv.rs');
    assert.equal(d.loc.line, 71);
    assert.deepEqual(cp(d, 'pyo3').map(at), ['lib/bindings/python/src/dynamo/_core.pyi:62']);
    assert.match(cp(d, 'pyo3')[0].text, /KvEventPublisher/);
  });

  test('the .pyi class and the .pyi function point back at the Rust definitions behind their Python names', async () => {
    const cls = await defIn('KvEventPublisher', 'lib/bindings/python/src/dynamo/_core.pyi');
    assert.deepEqual(cp(cls, 'pyo3').map(at), ['lib/bindings/python/rust/llm/kv.rs:71']);
    const fn = await defIn('compute_block_hash', 'lib/bindings/python/src/dynamo/_core.pyi');
    // #[pyfunction(name = "compute_block_hash")] fn compute_block_hash_py — lib.rs:57-59.
    assert.deepEqual(cp(fn, 'pyo3').map(at), ['lib/bindings/python/rust/lib.rs:59']);
  });

  test('a #[pymethods] method with #[pyo3(name = "shutdown")] → the stub method `shutdown`', async () => {
    const d = await defIn('shutdown_publisher', 'lib/bindings/python/rust/llm/kv.rs');
    // Only KvEventPublisher.shutdown (_core.pyi:74) — not every `shutdown` in Python (DistributedRuntime.shutdown
    // at _core.pyi:13, ZmqKvEventRelay.shutdown at :88, a test fake in test_decode_handler.py:24).
    assert.deepEqual(cp(d, 'pyo3').map(at), ['lib/bindings/python/src/dynamo/_core.pyi:74']);
  });

  test('the C++ function behind a torch op whose name differs: registered as torch op `fused_add_rmsnorm`', async () => {
    const d = await defIn('sgl_fused_add_rmsnorm', 'sgl-kernel/csrc/elementwise/fused_add_rms_norm_kernel.cu');
    const ops = cp(d, 'torch-op');
    assert.equal(ops.length, 1);
    assert.match(ops[0].text, /registered as torch op `fused_add_rmsnorm`/);
    assert.equal(at(ops[0]), 'sgl-kernel/csrc/common_extension.cc:16');
    // The header declaration ranks after the definition.
    const s = await explore({ symbol: 'sgl_fused_add_rmsnorm' });
    assert.equal(s.definitions[0].loc.file, 'sgl-kernel/csrc/elementwise/fused_add_rms_norm_kernel.cu');
  });

  test('the CPU implementation registered by TORCH_LIBRARY_IMPL(sgl_kernel, CPU, m)', async () => {
    const d = await defIn('silu_and_mul_cpu', 'sgl-kernel/csrc/cpu/norm_cpu.cpp');
    assert.deepEqual(cp(d, 'torch-op').map(at), ['sgl-kernel/csrc/cpu/torch_extension_cpu.cpp:15']);
    assert.match(cp(d, 'torch-op')[0].text, /`silu_and_mul`/);
  });

  test('pybind11: C++ key_match is bound to Python as common_prefix_length', async () => {
    const d = await defIn('key_match', 'python/sglang/srt/mem_cache/cpp_radix_tree/tree_v2.cpp');
    assert.deepEqual(cp(d, 'pybind').map(at), ['python/sglang/srt/mem_cache/cpp_radix_tree/tree_v2_binding.cpp:12']);
    assert.match(cp(d, 'pybind')[0].text, /common_prefix_length/);
  });

  test('Triton: an @triton.autotune/@triton.heuristics/@triton.jit kernel and where it is launched', async () => {
    const d = await defIn('_fwd_grouped_kernel_stage1', 'python/sglang/srt/layers/attention/triton_ops/decode_attention.py');
    assert.ok(d.attrs.some((a: string) => a.startsWith('triton.autotune')));
    assert.ok(d.attrs.some((a: string) => a.startsWith('triton.heuristics')));
    assert.ok(d.attrs.includes('triton.jit'));
    assert.deepEqual(cp(d, 'triton-launch').map(at), ['python/sglang/srt/layers/attention/triton_ops/decode_attention.py:239']);
  });

  test('CUDA: a __global__ kernel lists its launches, including the `auto kern = rmsnorm_kernel<scalar_t>` alias', async () => {
    const d = await defIn('rmsnorm_kernel', 'sgl-kernel/csrc/elementwise/norm.cu');
    assert.ok(cp(d, 'cuda-launch').map(at).includes('sgl-kernel/csrc/elementwise/norm.cu:82'), JSON.stringify(d.counterparts));
  });

  test('extern "C": the .cu launcher ranks before the stub, and the Rust declaration points at the .cu definition', async () => {
    const s = await explore({ symbol: 'kvbm_kernels_launch_gather_blocks' });
    assert.equal(s.total, 3);
    assert.equal(s.definitions[0].loc.file, 'lib/kvbm-kernels/cuda/tensor_kernels.cu', `ranked first: ${s.definitions[0].loc.file}`);
    const decl = s.definitions.find((x: any) => x.loc.file === 'lib/kvbm-kernels/src/tensor_kernels.rs');
    const ffi = cp(decl, 'ffi').map(at);
    assert.ok(ffi.includes('lib/kvbm-kernels/cuda/tensor_kernels.cu:93'), `Rust extern decl → .cu definition missing: ${JSON.stringify(decl.counterparts)}`);
    assert.ok(cp(decl, 'ffi').some((c) => c.loc.file === 'lib/kvbm-kernels/cuda/stubs.c' && /stub/.test(c.text)), 'the stub in stubs.c is mentioned as a stub');
  });
});

/** One repo's census as {rule id: [count, files]}. */
async function census(repo: string): Promise<Record<string, [number, number]>> {
  const s = await explore({ repo });
  return Object.fromEntries(s.repos[0].boundaries.map((b: any) => [b.id, [b.count, b.files]]));
}

describe('explore: boundary census equals the hand count', () => {
  test('dynamo', async () => {
    const c = await census('dynamo');
    // grep -rn '#\[pymodule' → lib/bindings/python/rust/lib.rs:21
    assert.deepEqual(c.pymodule, [1, 1]);
    // grep -rn '#\[pyclass' → 12 lines in engine.rs (1), lib.rs (6), llm/kv.rs (4), metrics.rs (1)
    assert.deepEqual(c.pyclass, [12, 4]);
    // grep -rc '#\[pymethods' → engine.rs 1, llm/kv.rs 4, lib.rs 6, metrics.rs 1
    assert.deepEqual(c.pymethods, [12, 4]);
    // #[pyfunction] lib.rs:45, #[pyfunction(name = ...)] lib.rs:57, #[pyfunction] metrics.rs:14
    assert.deepEqual(c.pyfunction, [3, 2]);
    // __global__ gather_blocks_kernel (tensor_kernels.cu:41), scatter_blocks_kernel (:54)
    assert.deepEqual(c['cuda-kernel'], [2, 1]);
    // <<< at tensor_kernels.cu:84, 86, 119, 124, 129, 134
    assert.deepEqual(c['cuda-launch'], [6, 1]);
    // extern "C" definitions: tensor_kernels.cu:93, 112, 144 (explicit `extern "C"`) and the 4 #[no_mangle] /
    // #[unsafe(no_mangle)] `extern "C" fn`s of lib/bindings/c/src/lib.rs:42, 63, 85, 101 → 7 in 2 files.
    // (stubs.c defines the same 3 symbols as plain C functions, without an extern "C" marker.)
    assert.deepEqual(c['extern-c-def'], [7, 2]);
    // Rust extern "C" declarations: kvbm_kernels_launch_gather_blocks (tensor_kernels.rs:47) and
    // kvbm_kernels_launch_scatter_blocks (:59) in `unsafe extern "C" { }`, kvbm_kernels_is_stub_build (:74) in `extern "C" { }`.
    assert.deepEqual(c['extern-c-decl'], [3, 1]);
    // serve_endpoint calls: sglang/main.py:51, :62 and bindings lib.rs:157
    assert.deepEqual(c['serve-endpoint'], [3, 2]);
    for (const id of ['pybind-module', 'torch-library', 'torch-op', 'triton-kernel', 'triton-launch', 'zmq-send', 'type-dispatch']) assert.equal(c[id], undefined, id);
  });

  test('sglang', async () => {
    const c = await census('sglang');
    // PYBIND11_MODULE(radix_tree_cpp, m) — tree_v2_binding.cpp:9
    assert.deepEqual(c['pybind-module'], [1, 1]);
    // TORCH_LIBRARY_FRAGMENT common_extension.cc:8; TORCH_LIBRARY_FRAGMENT + TORCH_LIBRARY_IMPL torch_extension_cpu.cpp:8, 13
    assert.deepEqual(c['torch-library'], [3, 2]);
    // m.def in common_extension.cc:12, 15, 18, 21, 24, 27, 35 and torch_extension_cpu.cpp:9
    assert.deepEqual(c['torch-op'], [8, 2]);
    // __global__ in pos_enc.cuh:18, activation.cu:17, fused_add_rms_norm_kernel.cu:8, norm.cu:40, transfer.cu:20
    assert.deepEqual(c['cuda-kernel'], [5, 5]);
    // <<< in pos_enc.cuh:69, activation.cu:36, 50, fused_add_rms_norm_kernel.cu:69, 71, norm.cu:82 and 93
    // (inside #define LAUNCH_GEMMA_RMSNORM), transfer.cu:60 → 8 in 5 files
    assert.deepEqual(c['cuda-launch'], [8, 5]);
    // @triton.jit decode_attention.py:14 (tanh), 19, 96, 176
    assert.deepEqual(c['triton-kernel'], [4, 1]);
    // kernel[grid]( decode_attention.py:216, 239, 259
    assert.deepEqual(c['triton-launch'], [3, 1]);
    // send_pyobj detokenizer_manager.py:32; tokenizer_manager.py:84, 105, 110, 116; scheduler.py:132, 202
    assert.deepEqual(c['zmq-send'], [7, 3]);
    // TypeBasedDispatcher( in detokenizer_manager.py:25, tokenizer_manager.py:52, scheduler.py:59
    assert.deepEqual(c['type-dispatch'], [3, 3]);
    for (const id of ['pymodule', 'pyclass', 'pyfunction', 'extern-c-def', 'extern-c-decl', 'serve-endpoint']) assert.equal(c[id], undefined, id);
  });
});
