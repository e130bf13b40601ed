/**
 * The grep tool on the fixture workspace: golden answers (grouping by file, enclosing symbols in Rust,
 * Python, C++ and CUDA, scopes, context, pagination) and the facts behind them (every text file searched,
 * .gitignore honoured, totals stable across pages, locations as {repo, file, line}).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { z } from 'zod';
import type { Workspace } from '../src/index/workspace.js';
import { grepTool } from '../src/tools/grep.js';
import { fixtureWorkspace } from './helpers/fixture.js';
import { assertGolden } from './helpers/golden.js';

let ws: Workspace;
type Args = Parameters<typeof grepTool.run>[0];
const run = (args: Args) => grepTool.run(args, { ws });

before(async () => {
  ws = await fixtureWorkspace();
});

describe('grep tool on the fixture workspace', () => {
  test('golden: a name across repos and languages, grouped by file with enclosing symbols', async () => {
    const r = await run({ pattern: 'KvEventPublisher' });
    assertGolden('grep-kv-event-publisher', r.text);
    const s = r.structured as any;
    assert.equal(s.totals.files, s.files.length);
    assert.ok(s.files.some((f: any) => f.file.endsWith('.md')), 'Markdown is searched too');
    const hit = s.files.flatMap((f: any) => f.hits).find((h: any) => h.symbol?.name === 'PyKvEventPublisher::new');
    assert.ok(hit, 'a hit inside a Rust impl method names Type::method');
  });

  test('golden: scopes decided from the syntax tree', async () => {
    const parts: string[] = [];
    for (const scope of ['code', 'comments', 'strings', 'definitions'] as const) {
      const r = await run({ pattern: 'publisher', scope, limit: 8 });
      parts.push(`## scope: ${scope}\n\n${r.text}`);
    }
    assertGolden('grep-scopes', parts.join('\n\n'));
    const all = (await run({ pattern: 'publisher', lang: 'rust,python' })).structured as any;
    let sum = 0;
    for (const scope of ['code', 'comments', 'strings'] as const) {
      sum += ((await run({ pattern: 'publisher', scope, lang: 'rust,python' })).structured as any).totals.matches;
    }
    assert.equal(sum, all.totals.matches, 'code + comments + strings = all, in parsed files');
  });

  test('golden: pagination keeps totals and continues where the page ended', async () => {
    const p1 = await run({ pattern: 'evict', limit: 5 });
    const s1 = p1.structured as any;
    assert.equal(s1.nextCursor, 'o5');
    const p2 = await run({ pattern: 'evict', limit: 5, cursor: s1.nextCursor });
    const s2 = p2.structured as any;
    assert.deepEqual(s2.totals, s1.totals);
    assert.match(p1.text, /Next page: cursor "o5"/);
    assertGolden('grep-pagination', `## page 1\n\n${p1.text}\n\n## page 2\n\n${p2.text}`);
    const lines = async (cursor?: string): Promise<string[]> => {
      const s = (await run({ pattern: 'evict', limit: 20, cursor })).structured as any;
      const here = s.files.flatMap((f: any) => f.hits.map((h: any) => `${h.loc.repo}:${h.loc.file}:${h.loc.line}`));
      return s.nextCursor ? [...here, ...(await lines(s.nextCursor))] : here;
    };
    const every = await lines();
    assert.equal(every.length, s1.totals.lines, 'paging visits every matching line once');
    assert.equal(new Set(every).size, every.length);
  });

  test('golden: context lines, a path glob and a C++/CUDA symbol', async () => {
    const r = await run({ pattern: 'evictable_size_', context: 1, path: 'sglang:python/sglang/srt/mem_cache/cpp_radix_tree/*.cpp' });
    assertGolden('grep-context-cpp', r.text);
    const cuda = (await run({ pattern: '__global__', lang: 'cuda' })).structured as any;
    assert.ok(cuda.totals.matches > 0);
    assert.ok(cuda.files.every((f: any) => /\.cuh?$/.test(f.file)));
  });

  test('every text file git shows is searched; ignored files are not', async () => {
    const notes = (await run({ pattern: 'KV event ordering' })).structured as any;
    assert.deepEqual(notes.files.map((f: any) => f.file), ['scratch_notes.md'], 'untracked, not ignored');
    const yaml = (await run({ pattern: 'sglang', lang: 'yaml,shell,dockerfile' })).structured as any;
    assert.ok(yaml.files.some((f: any) => f.file.endsWith('.yaml')) && yaml.files.some((f: any) => f.file.endsWith('.sh')));
    assert.ok(yaml.files.some((f: any) => f.file.endsWith('Dockerfile')));
    const log = (await run({ pattern: '.', path: 'target' })).structured as any;
    assert.equal(log.totals.files, 0, 'target/ is ignored by .gitignore');
  });

  test('the structured answer matches the output schema; no match says what to try', async () => {
    const r = await run({ pattern: 'NoSuchThingAnywhere', path: 'lib' });
    z.object(grepTool.output).strict().parse(r.structured);
    assert.match(r.text, /No matches/);
    assert.match(r.text, /Try case_sensitive: false, a wider path or lang/);
    z.object(grepTool.output).strict().parse((await run({ pattern: 'evict', context: 2, format: 'detailed' })).structured);
  });

  test('bad filters are errors that name the valid values', async () => {
    await assert.rejects(run({ pattern: 'x', lang: 'cobol' }), /Unknown lang "cobol". Known: rust, python/);
    await assert.rejects(run({ pattern: 'x', repo: 'vllm' }), /Unknown repo "vllm"/);
    await assert.rejects(run({ pattern: 'x', cursor: 'page2' }), /Invalid cursor/);
  });
});
