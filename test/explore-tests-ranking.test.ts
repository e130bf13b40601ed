/**
 * "Where are the tests for X": explore symbol lists test files that call or import X. A file named after X
 * comes first, then files in the repo of the definitions shown, then the files that reference X most —
 * not the alphabetical first three of every repo. And definitions of equal rank come in the order of how
 * often other files import them.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { resolveConfig } from '../src/index/config.js';
import { Workspace } from '../src/index/workspace.js';
import { snakeCase } from '../src/resolve/words.js';
import { runTool } from '../src/server/boundary.js';
import { exploreTool } from '../src/tools/explore.js';
import type { ToolSpec } from '../src/tools/types.js';
import { makeGitRepo, tempDir } from './helpers/hostile.js';

const parserRepo = makeGitRepo({
  'pkg/parser.py': 'class ThinkParser:\n    """Splits reasoning from content."""\n    def parse(self, text):\n        return text\n',
  'tests/test_alpha.py': 'from pkg.parser import ThinkParser\n\ndef test_alpha():\n    ThinkParser()\n',
  'aside/norm.py': 'class Norm:\n    def forward(self, x):\n        return x\n',
  'zcore/norm.py': 'class Norm:\n    def forward(self, x):\n        return x\n',
  'models/a.py': 'from zcore.norm import Norm\n',
  'models/b.py': 'from zcore.norm import Norm\n',
  'tests/test_think_parser.py': 'from pkg.parser import ThinkParser\n\ndef test_parse():\n    ThinkParser().parse("x")\n',
}, 'dsm-tests-a-');
const otherRepo = makeGitRepo({
  'tests/test_aaa.py': 'from pkg.parser import ThinkParser\n\ndef test_a():\n    ThinkParser()\n    ThinkParser()\n    ThinkParser()\n',
}, 'dsm-tests-b-');

const ws = new Workspace(resolveConfig({ repos: [`other=${otherRepo}`, `lib=${parserRepo}`], cacheDir: tempDir('dsm-tests-cache-') }));
after(() => ws.close());

test('snakeCase splits camel humps and keeps snake_case', () => {
  assert.equal(snakeCase('ReasoningParser'), 'reasoning_parser');
  assert.equal(snakeCase('KVCacheManager'), 'kv_cache_manager');
  assert.equal(snakeCase('find_matches'), 'find_matches');
});

test('the test file named after the symbol comes first, then the defining repo, then the most references', async () => {
  const res = await runTool(exploreTool as ToolSpec, { symbol: 'ThinkParser' }, { ws });
  const text = res.content.map((c) => c.text).join('\n');
  const tests = /^Tests: (.*)$/m.exec(text)?.[1];
  assert.ok(tests, text);
  assert.deepEqual(tests.split(', ').map((t) => t.replace(/:\d+$/, '')), [
    'lib:tests/test_think_parser.py',
    'lib:tests/test_alpha.py',
    'other:tests/test_aaa.py',
  ]);
});

test('equal-rank definitions: the one other files import comes first, whatever the path order', async () => {
  const res = await runTool(exploreTool as ToolSpec, { symbol: 'Norm.forward' }, { ws });
  const defs = (res.structuredContent as any).definitions ?? (res.structuredContent as any).defs;
  assert.ok(Array.isArray(defs), JSON.stringify(res.structuredContent).slice(0, 300));
  assert.deepEqual(defs.map((d: any) => d.loc.file), ['zcore/norm.py', 'aside/norm.py']);
});
