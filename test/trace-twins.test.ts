/**
 * trace callers of a qualified name that two modules define alike (`Indexer.find_matches` in two packages):
 * each definition has its own callers, so the trace starts from both instead of silently picking one.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { resolveConfig } from '../src/index/config.js';
import { Workspace } from '../src/index/workspace.js';
import { runTool } from '../src/server/boundary.js';
import { traceTool } from '../src/tools/trace.js';
import type { ToolSpec } from '../src/tools/types.js';
import { makeGitRepo, tempDir } from './helpers/hostile.js';

const INDEXER = 'class Indexer:\n    def find_matches(self, hashes):\n        return hashes\n';
const repo = makeGitRepo({
  'router/__init__.py': '',
  'router/indexer.py': INDEXER,
  'router/route.py': 'from router.indexer import Indexer\n\n\ndef best_worker(h):\n    return Indexer().find_matches(h)\n',
  'standalone/__init__.py': '',
  'standalone/indexer.py': INDEXER,
  'standalone/serve.py': 'from standalone.indexer import Indexer\n\n\ndef handle(h):\n    idx = Indexer()\n    return idx.find_matches(h)\n',
}, 'dsm-twins-');
const ws = new Workspace(resolveConfig({ repos: [`r=${repo}`], cacheDir: tempDir('dsm-twins-cache-') }));
after(() => ws.close());

const call = async (args: Record<string, unknown>) => {
  const res = await runTool(traceTool as ToolSpec, args, { ws });
  return { text: res.content.map((c) => c.text).join('\n'), s: res.structuredContent as any };
};

test('callers of Indexer.find_matches: both definitions are roots, each with its own caller', async () => {
  const { text, s } = await call({ symbol: 'Indexer.find_matches', direction: 'callers', depth: 1 });
  assert.deepEqual(s.start.map((x: any) => x.loc.file).sort(), ['router/indexer.py', 'standalone/indexer.py']);
  const edges = s.edges.map((e: any) => `${e.from.split('#')[0]} -> ${e.to.split('#')[0]}`);
  assert.equal(s.edges.length, 2, text);
  assert.match(text, /Traced from the 2 definitions of `Indexer\.find_matches`/);
  const byCaller = new Map(s.edges.map((e: any) => [s.nodes.find((n: any) => n.id === e.from).loc.file, s.nodes.find((n: any) => n.id === e.to).loc.file]));
  assert.equal(byCaller.get('router/route.py'), 'router/indexer.py', edges.join('; '));
  assert.equal(byCaller.get('standalone/serve.py'), 'standalone/indexer.py', edges.join('; '));
});

test('callees still start from one definition (the ranked first), naming the other', async () => {
  const { text, s } = await call({ symbol: 'Indexer.find_matches', direction: 'callees', depth: 1 });
  assert.equal(s.start.length, 1);
  assert.match(text, /1 other definition\(s\) of `Indexer\.find_matches`/);
});
