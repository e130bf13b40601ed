/**
 * Receiver typing beyond assignments: a `@property` whose return annotation names the type (declared on an
 * abstract base, backed by a private field in the subclass), and receivers that construct their object in
 * place (`Runner().forward(..)`, `Radix::new().find()`), an attribute assigned elsewhere in the file
 * (`app.state.serving_chat = ServingChat()`), and `self.m()` in the class that defines m reaching the
 * subclasses' overrides. Each case has a same-named method on another type,
 * so a name-only guess would be listed as ambiguous, not followed.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { resolveConfig } from '../src/index/config.js';
import { Workspace } from '../src/index/workspace.js';
import { runTool } from '../src/server/boundary.js';
import { traceTool } from '../src/tools/trace.js';
import type { ToolSpec } from '../src/tools/types.js';
import { makeGitRepo, tempDir } from './helpers/hostile.js';

const repo = makeGitRepo({
  'pkg/__init__.py': '',
  'pkg/runner.py': 'class Runner:\n    def forward(self, batch):\n        return batch\n\n\nclass Other:\n    def forward(self, batch):\n        return None\n',
  'pkg/worker.py': [
    'from abc import ABC, abstractmethod',
    '',
    'from pkg.runner import Runner',
    '',
    '',
    'class BaseWorker(ABC):',
    '    @property',
    '    @abstractmethod',
    '    def runner(self) -> Runner:',
    '        pass',
    '',
    '',
    'class Worker(BaseWorker):',
    '    def __init__(self, make):',
    '        self._runner = make()',
    '',
    '    @property',
    '    def runner(self):',
    '        return self._runner',
    '',
    '    def step(self, batch):',
    '        return self.runner.forward(batch)',
    '',
    '    def once(self, batch):',
    '        return Runner().forward(batch)',
    '',
  ].join('\n'),
  'pkg/serving.py': [
    'from pkg.runner import Runner',
    '',
    '',
    'class ServingBase:',
    '    def handle(self, req):',
    '        return self._stream(req)',
    '',
    '    def _stream(self, req):',
    '        return None',
    '',
    '',
    'class ServingChat(ServingBase):',
    '    def _stream(self, req):',
    '        return Runner().forward(req)',
    '',
  ].join('\n'),
  'pkg/app.py': 'from pkg.serving import ServingChat\n\n\ndef build(app):\n    app.state.serving_chat = ServingChat()\n\n\ndef chat(request):\n    return request.app.state.serving_chat.handle(request)\n',
  'pkg/engine.py': 'def _launch():\n    return object(), 1\n\n\nclass TokenizerManager:\n    def pause(self):\n        return 1\n\n\nclass OtherManager:\n    def pause(self):\n        return 2\n\n\nclass Engine:\n    def __init__(self):\n        tokenizer_manager, _ = _launch()\n        self.tokenizer_manager = tokenizer_manager\n',
  'pkg/ctl.py': 'from pkg.engine import Engine\n\n\nclass Ctl:\n    def __init__(self, engine: Engine):\n        self._engine = engine\n\n    def stop(self):\n        return self._engine.tokenizer_manager.pause()\n',
  'lazy/__init__.py': 'from lazy.old import Engine\n\nEngine = LazyImport("lazy.real", "Engine")\n',
  'lazy/old.py': 'def Engine(*args):\n    return None\n',
  'lazy/real.py': 'class Engine:\n    def __init__(self, x):\n        self.x = x\n',
  'use_lazy.py': 'import lazy as sgl\n\n\ndef start():\n    return sgl.Engine(1)\n',
  'src/lib.rs': 'pub struct Radix;\nimpl Radix {\n    pub fn new() -> Self { Radix }\n    pub fn find(&self) -> u32 { 1 }\n}\npub struct Other;\nimpl Other {\n    pub fn find(&self) -> u32 { 2 }\n}\npub fn lookup() -> u32 {\n    Radix::new().find()\n}\n',
}, 'dsm-receivers-');
const ws = new Workspace(resolveConfig({ repos: [`r=${repo}`], cacheDir: tempDir('dsm-receivers-cache-') }));
after(() => ws.close());

async function callees(symbol: string): Promise<string[]> {
  const res = await runTool(traceTool as ToolSpec, { symbol, depth: 1 }, { ws });
  const s = res.structuredContent as any;
  const at = (id: string) => s.nodes.find((n: any) => n.id === id);
  return s.edges.map((e: any) => `${at(e.to).name} ${at(e.to).loc.file}:${at(e.to).loc.line}`);
}

test('self.runner typed by the base class property `-> Runner` reaches Runner.forward', async () => {
  assert.deepEqual(await callees('Worker.step'), ['Runner.forward pkg/runner.py:2']);
});

test('Runner().forward(..) is typed by the constructor call', async () => {
  assert.deepEqual(await callees('Worker.once'), ['Runner pkg/runner.py:1', 'Runner.forward pkg/runner.py:2']);
});

test('Radix::new().find() is typed by the Rust constructor', async () => {
  const got = await callees('lookup');
  assert.ok(got.includes('Radix::find src/lib.rs:4'), got.join('; '));
  assert.ok(!got.some((g) => g.startsWith('Other::')), got.join('; '));
});

test('request.app.state.serving_chat is typed by the assignment app.state.serving_chat = ServingChat() in the same file', async () => {
  assert.deepEqual(await callees('chat'), ['ServingBase.handle pkg/serving.py:5']);
});

test('self._stream() in the defining base class reaches the base method and the subclass override', async () => {
  assert.deepEqual((await callees('ServingBase.handle')).sort(), ['ServingBase._stream pkg/serving.py:8', 'ServingChat._stream pkg/serving.py:13']);
});

test('self._stream() in a subclass method stays on that subclass', async () => {
  const res = await runTool(traceTool as ToolSpec, { symbol: 'ServingChat._stream', direction: 'callers', depth: 1 }, { ws });
  const s = res.structuredContent as any;
  assert.deepEqual(s.edges.map((e: any) => s.nodes.find((n: any) => n.id === e.from).name), ['ServingBase.handle']);
});

test('self._engine.tokenizer_manager.pause(): the chain is typed link by link, an untyped attribute by its name', async () => {
  assert.deepEqual(await callees('Ctl.stop'), ['TokenizerManager.pause pkg/engine.py:6']);
});

test('Engine = LazyImport("pkg.mod", "Engine") in a package __init__ re-exports that class, over an earlier import', async () => {
  assert.deepEqual(await callees('start'), ['Engine lazy/real.py:1']);
});

test('typeNames: a generic type is its own name, not its arguments; wrappers are peeled', async () => {
  const { typeNames } = await import('../src/resolve/receivers.js');
  assert.deepEqual(typeNames('rs::pipeline::PushRouter<serde_json::Value, RsAnnotated<serde_json::Value>>'), [{ name: 'PushRouter', dyn: false, path: 'rs::pipeline' }]);
  assert.deepEqual(typeNames('Arc<Mutex<KvIndexer>>').map((t) => t.name), ['KvIndexer']);
  assert.deepEqual(typeNames('Optional[TokenizerManager]').map((t) => t.name), ['TokenizerManager']);
});
