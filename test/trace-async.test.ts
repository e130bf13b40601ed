/**
 * trace across launches, processes, tasks and repos on the fixture: triton-launch, ipc (ZMQ + type dispatch),
 * cross-repo (Dynamo → SGLang), spawn / await / channel hops and error marks. Targeted checks on
 * structuredContent.edges and nodes, goldens, and mermaid validity of every diagram.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { edge, trace } from './helpers/trace.js';

const DA = 'python/sglang/srt/layers/attention/triton_ops/decode_attention.py';
const M = 'python/sglang/srt/managers';

describe('trace: triton-launch', () => {
  test('kernel[grid](...) with a grid lambda → the @triton.autotune/@triton.heuristics/@triton.jit kernel', async () => {
    const { es } = await trace({ symbol: '_decode_grouped_att_m_fwd', depth: 1 }, 'trace-bridge-triton');
    const e = edge(es, `${DA}:239`, `${DA}:97`);
    assert.equal(e.kind, 'triton-launch');
    assert.equal(e.callee, '_fwd_grouped_kernel_stage1');
  });

  test('grid tuples, and the path from the attention backend to both launches', async () => {
    assert.equal(edge((await trace({ symbol: '_decode_att_m_fwd', depth: 1 })).es, `${DA}:216`, `${DA}:20`).kind, 'triton-launch');
    assert.equal(edge((await trace({ symbol: '_decode_softmax_reducev_fwd', depth: 1 })).es, `${DA}:259`, `${DA}:177`).kind, 'triton-launch');
    const { es } = await trace({ symbol: 'TritonAttnBackend.forward_decode', depth: 4 });
    assert.deepEqual(es.filter((e) => e.kind === 'triton-launch').map((e) => e.at).sort(), [`${DA}:216`, `${DA}:239`, `${DA}:259`]);
  });
});

describe('trace: ipc (ZMQ send_pyobj → TypeBasedDispatcher handler)', () => {
  test('TokenizerManager → Scheduler.handle_generate_request through the dispatcher table', async () => {
    const { es } = await trace({ symbol: 'TokenizerManager._send_one_request', depth: 1 }, 'trace-bridge-ipc');
    const e = edge(es, `${M}/tokenizer_manager.py:84`, `${M}/scheduler.py:134`);
    assert.equal(e.kind, 'ipc');
    assert.equal(e.via, `${M}/scheduler.py:59`);
    assert.match(e.note!, /TokenizedGenerateReqInput/);
  });

  test('every request type reaches its own handler, and the hop chain continues to the detokenizer', async () => {
    const flush = await trace({ symbol: 'TokenizerManager.flush_cache', depth: 1 });
    assert.equal(edge(flush.es, `${M}/tokenizer_manager.py:110`, `${M}/scheduler.py:146`).kind, 'ipc');
    const abort = await trace({ symbol: 'TokenizerManager.abort_request', depth: 1 });
    assert.ok(abort.es.some((e) => e.kind === 'ipc' && e.at === `${M}/tokenizer_manager.py:105`), JSON.stringify(abort.es));
    const out = await trace({ symbol: 'Scheduler.stream_output', depth: 1 });
    const d = edge(out.es, `${M}/scheduler.py:202`, `${M}/detokenizer_manager.py:34`);
    assert.equal(d.kind, 'ipc');
    assert.equal(d.via, `${M}/detokenizer_manager.py:25`);
  });
});

describe('trace: cross-repo (Dynamo → SGLang)', () => {
  test('the handler\'s self.engine.async_generate (engine: sgl.Engine) → SGLang Engine.async_generate', async () => {
    const { es } = await trace({ symbol: 'DecodeWorkerHandler.generate', depth: 1 }, 'trace-bridge-cross-repo');
    const e = edge(es, 'components/src/dynamo/sglang/request_handlers/llm/decode_handler.py:35', 'python/sglang/srt/entrypoints/engine.py:59');
    assert.equal(e.kind, 'cross-repo');
    assert.equal(e.toRepo, 'sglang');
  });

  test('`import sglang as sgl; sgl.Engine(...)` and the _compat.py shim reach the SGLang checkout', async () => {
    const init = await trace({ symbol: 'components/src/dynamo/sglang/main.py:init', depth: 1 });
    const ctor = init.es.filter((e) => e.at === 'components/src/dynamo/sglang/main.py:32');
    assert.ok(ctor.some((e) => e.kind === 'cross-repo' && e.toRepo === 'sglang' && e.to.startsWith('python/sglang/srt/entrypoints/engine.py:')),
      `sgl.Engine(...) at main.py:32 is not traced into sglang: ${JSON.stringify(ctor)}`);
    const pub = await trace({ symbol: 'setup_kv_event_publisher', depth: 1 });
    const cfg = edge(pub.es, 'components/src/dynamo/sglang/publisher.py:29', 'python/sglang/srt/disaggregation/kv_events.py:121');
    assert.equal(cfg.kind, 'cross-repo');
    // _compat.py:34 `from sglang.srt.utils import get_ip as get_local_ip_auto` (the fallback def at _compat.py:38 only
    // runs on ImportError): the call at publisher.py:30 reaches SGLang's get_ip (utils.py:18).
    assert.equal(edge(pub.es, 'components/src/dynamo/sglang/publisher.py:30', 'python/sglang/srt/utils.py:18').kind, 'cross-repo');
  });

  test('no name-only guesses across repos: SGLang code never lands in Dynamo', async () => {
    const { es } = await trace({ symbol: 'python/sglang/srt/entrypoints/http_server.py:generate_request', depth: 2 });
    assert.deepEqual(es.filter((e) => e.toRepo !== 'sglang').map((e) => `${e.at} → ${e.to}`), []);
  });
});

describe('trace: spawn, await, channel', () => {
  test('asyncio.create_task and tokio::spawn are spawn hops; awaited calls are await hops', async () => {
    const { es } = await trace({ symbol: 'DecodeWorkerHandler._start_remote_prefill', depth: 1 }, 'trace-async-marks');
    const H = 'components/src/dynamo/sglang/request_handlers/llm/decode_handler.py';
    assert.equal(edge(es, `${H}:61`, `${H}:66`).kind, 'spawn');
    assert.equal(edge((await trace({ symbol: 'DecodeWorkerHandler.generate', depth: 1 })).es, `${H}:33`, `${H}:54`).kind, 'await');
    const P = 'lib/llm/src/kv_router/publisher.rs';
    assert.equal(edge((await trace({ symbol: `${P}:KvEventPublisher::new`, depth: 1 })).es, `${P}:36`, `${P}:84`).kind, 'spawn');
    const C = 'lib/runtime/src/component.rs';
    assert.equal(edge((await trace({ symbol: `${C}:Endpoint::serve_endpoint`, depth: 1 })).es, `${C}:136`, `${C}:147`).kind, 'spawn');
    const main = await trace({ symbol: 'components/src/dynamo/sglang/main.py:init', depth: 1 });
    assert.equal(edge(main.es, 'components/src/dynamo/sglang/main.py:48', 'components/src/dynamo/sglang/publisher.py:38').kind, 'spawn');
  });

  test('thread starts: threading.Thread(target=self.write_thread_func_direct) is a spawn hop', async () => {
    const { es } = await trace({ symbol: 'HiCacheController.__init__', depth: 1 });
    const C = `${M}/cache_controller.py`;
    assert.equal(edge(es, `${C}:43`, `${C}:77`).kind, 'spawn');
    assert.equal(edge(es, `${C}:44`, `${C}:86`).kind, 'spawn');
  });

  test('mpsc channels: tx.send(..) → the rx.recv() loop of the same channel', async () => {
    const P = 'lib/llm/src/kv_router/publisher.rs';
    const pub = await trace({ symbol: 'KvEventPublisher::publish', depth: 1 });
    assert.equal(edge(pub.es, `${P}:48`, `${P}:84`).kind, 'channel');
    const C = 'lib/runtime/src/component.rs';
    const send = await trace({ symbol: 'Client::send_to', depth: 1 });
    assert.ok(send.es.some((e) => e.kind === 'channel' && e.to === `${C}:147`), `Client::send_to → process_requests: ${JSON.stringify(send.es)}`);
  });

  test('request plane: a client built for namespace/component/endpoint → the handler served under the same names', async () => {
    const FE = 'components/src/dynamo/frontend/main.py';
    const SM = 'components/src/dynamo/sglang/main.py';
    const H = 'components/src/dynamo/sglang/request_handlers/llm';
    // Client: a literal namespace and endpoint, a module constant for the component. Server: `config.namespace`
    // etc. with `config: Config`, whose fields default to module constants of args.py.
    const fe = await trace({ symbol: `${FE}:serve`, depth: 1 });
    const e = edge(fe.es, `${FE}:24`, `${H}/decode_handler.py:29`);
    assert.equal(e.kind, 'endpoint');
    assert.equal(e.via, `${SM}:51`);
    assert.match(e.note!, /dynamo\/backend\/generate/);
    // The decode worker's own prefill client (chained literals) reaches the prefill handler, not the decode one.
    const init = await trace({ symbol: `${SM}:init`, depth: 1 });
    const pre = init.es.filter((x) => x.kind === 'endpoint');
    assert.deepEqual(pre.map((x) => [x.at, x.to.split('/').pop()!.split(':')[0], x.via]), [[`${SM}:42`, 'prefill_handler.py', `${SM}:62`]], JSON.stringify(pre));
    // And backwards: the callers of the decode handler include the frontend's client.
    const up = await trace({ symbol: `${H}/decode_handler.py:DecodeWorkerHandler.generate`, direction: 'callers', depth: 1 });
    assert.ok(up.es.some((x) => x.kind === 'endpoint' && x.at === `${FE}:24`), JSON.stringify(up.es));
  });
  test('nn.Module calls: calling a module instance runs its class\'s forward (inherited, or its own)', async () => {
    const L = 'python/sglang/srt/models/llama.py';
    // self.act_fn = SiluAndMul(): SiluAndMul has no forward of its own, CustomOp(nn.Module) has.
    const mlp = await trace({ symbol: 'LlamaMLP.forward', depth: 1 });
    const act = edge(mlp.es, `${L}:19`, 'python/sglang/srt/custom_op.py:15');
    assert.equal(act.confidence, 'receiver');
    // self.mlp = LlamaMLP(...) → LlamaMLP.forward; self.input_layernorm = RMSNorm(...) → CustomOp.forward.
    const layer = await trace({ symbol: 'LlamaDecoderLayer.forward', depth: 1 });
    assert.equal(edge(layer.es, `${L}:37`, `${L}:17`).kind, 'call');
    assert.equal(edge(layer.es, `${L}:33`, 'python/sglang/srt/custom_op.py:15').confidence, 'receiver');
    // nn.Linear is outside the index: self.gate_up_proj(x) is no edge, and no name-only guess.
    assert.ok(!mlp.es.some((e) => e.at === `${L}:18`), JSON.stringify(mlp.es));
  });
  test('nn.Module calls, the rest of the chain: CustomOp.forward → self._forward_method (= self.dispatch_forward(), which returns self.forward_cuda or self.forward_native) → SiluAndMul.forward_cuda', async () => {
    const CO = 'python/sglang/srt/custom_op.py';
    const A = 'python/sglang/srt/layers/activation.py';
    const { es } = await trace({ symbol: 'CustomOp.forward', depth: 1 });
    const cuda = edge(es, `${CO}:16`, `${A}:21`);
    assert.equal(cuda.confidence, 'receiver');
    assert.equal(cuda.via, `${CO}:24`);
    assert.match(cuda.note!, /self\.forward_cuda \/ self\.forward_native/);
    edge(es, `${CO}:16`, `${A}:17`);
    edge(es, `${CO}:16`, `${CO}:21`);
    // Only what dispatch_forward returns: never dispatch_forward itself or __init__.
    assert.ok(!es.some((e) => e.at === `${CO}:16` && (e.to === `${CO}:24` || e.to === `${CO}:11`)), JSON.stringify(es));
  });
});

describe('trace: error marks', () => {
  test('`?` on a hop, Err(..) / raise / except on the definitions', async () => {
    const R = 'lib/kvbm-kernels/src/tensor_kernels.rs';
    const { s, es } = await trace({ symbol: 'gather_kv_blocks', depth: 1 }, 'trace-error-marks');
    assert.equal(edge(es, `${R}:112`, `${R}:85`).error, true, 'check_pointer_counts(..)? is an error path');
    assert.equal(edge(es, `${R}:124`, `${R}:77`).error, false);
    const errs = (file: string, line: number, sx = s) => sx.nodes.find((n: any) => n.loc.file === file && n.loc.line === line)?.errors ?? [];
    assert.ok(errs(R, 85).includes('err'), 'check_pointer_counts returns Err(..)');
    assert.ok(errs(R, 104).includes('try'), 'gather_kv_blocks uses ?');
    const rope = await trace({ symbol: 'apply_rope_with_cos_sin_cache_inplace', depth: 1 });
    assert.deepEqual(errs('sgl-kernel/python/sgl_kernel/elementwise.py', 74, rope.s), ['raise']);
    const engine = await trace({ symbol: 'Engine.__init__', depth: 1 });
    assert.ok(errs('python/sglang/srt/entrypoints/engine.py', 24, engine.s).includes('except'));
    assert.ok(errs('python/sglang/srt/entrypoints/engine.py', 99, engine.s).includes('raise'));
  });
});
