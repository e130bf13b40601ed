/**
 * "Where are the tests for X": explore symbol lists test files that call or import X. A file named after X
 * comes first, then files in the repo of the definitions shown, then the files that reference X most —
 * not the alphabetical first three of every repo.
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
