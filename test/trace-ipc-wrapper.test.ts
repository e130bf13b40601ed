/**
 * ipc through a sender wrapper: `self.send_to_detok.send_output(Out(...))`, where send_output wraps
 * `socket.send_pyobj(obj)`, reaches the handler that the receiving process's TypeBasedDispatcher maps Out to —
 * as a plain `send_pyobj` does. The socket's name (send_to_<process>) picks the receiver.
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
  'srv/__init__.py': '',
  'srv/io.py': 'class Out:\n    pass\n\n\nclass Other:\n    pass\n',
  'srv/detok.py': [
    'from srv.io import Out, Other',
    'from srv.util import TypeBasedDispatcher',
    '',
    '',
    'class Detok:',
    '    def __init__(self):',
    '        self._dispatcher = TypeBasedDispatcher([(Out, self.handle_out), (Other, self.handle_other)])',
    '',
    '    def handle_out(self, out):',
    '        return out',
    '',
    '    def handle_other(self, other):',
    '        return other',
    '',
  ].join('\n'),
  'srv/util.py': 'class TypeBasedDispatcher:\n    def __init__(self, mapping):\n        self.mapping = mapping\n',
  'srv/sched.py': [
    'from srv.io import Out',
    '',
    '',
    'class SenderWrapper:',
    '    def __init__(self, socket):',
    '        self.socket = socket',
    '',
    '    def send_output(self, output):',
    '        self.socket.send_pyobj(output)',
    '',
    '',
    'class Sched:',
    '    def __init__(self, socket):',
    '        self.send_to_detok = SenderWrapper(socket)',
    '',
    '    def stream(self):',
    '        self.send_to_detok.send_output(Out())',
    '',
  ].join('\n'),
}, 'dsm-ipcwrap-');
const ws = new Workspace(resolveConfig({ repos: [`r=${repo}`], cacheDir: tempDir('dsm-ipcwrap-cache-') }));
after(() => ws.close());

test('send_output(Out()) on send_to_detok reaches Detok.handle_out through the dispatcher table', async () => {
  const res = await runTool(traceTool as ToolSpec, { symbol: 'Sched.stream', depth: 1 }, { ws });
  const s = res.structuredContent as any;
  const ipc = s.edges.filter((e: any) => e.kind === 'ipc').map((e: any) => s.nodes.find((n: any) => n.id === e.to).name);
  assert.deepEqual(ipc, ['Detok.handle_out'], res.content.map((c) => c.text).join('\n'));
});
