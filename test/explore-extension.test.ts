/**
 * explore's extension points on the fixture: registration sites named by data/boundaries.json (a torch op
 * library, a TypeBasedDispatcher table) with their companions one hop away, a map-returning function with its
 * value type, and an enum whose variants wrap implementations of one trait (enum dispatch).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dispatchEnum } from '../src/resolve/extension.js';
import { runTool } from '../src/server/boundary.js';
import { exploreTool } from '../src/tools/explore.js';
import type { ToolSpec } from '../src/tools/types.js';
import { fixtureWorkspace } from './helpers/fixture.js';
import { assertGolden } from './helpers/golden.js';

type Point = { name: string; kind: string; loc: { repo: string; file: string; line: number }; how?: string; related?: { what: string; name?: string; note?: string; loc: { repo: string; file: string; line: number } }[] };

async function points(query: string, repo: string): Promise<{ text: string; points: Point[] }> {
  const ws = await fixtureWorkspace();
  const r = await runTool(exploreTool as unknown as ToolSpec, { query, repo }, { ws });
  assert.notEqual(r.isError, true, r.content.map((c) => c.text).join("\n"));
  const s = r.structuredContent as { results: { extensionPoints?: Point[] } };
  return { text: r.content.map((c) => c.text).join('\n'), points: s.results.extensionPoints ?? [] };
}

const at = (p: { loc: { file: string; line: number } }) => `${p.loc.file}:${p.loc.line}`;

describe('explore: extension points', () => {
  test('a TypeBasedDispatcher table is where a new request type goes; its types\' common base class comes with it', async () => {
    const a = await points('add a new scheduler request type handler dispatcher', 'sglang');
    assertGolden('explore-extension-dispatcher', a.text);
    const table = a.points[0];
    assert.equal(table.kind, 'type-based dispatch table');
    assert.equal(at(table), 'python/sglang/srt/managers/scheduler.py:59');
    assert.match(table.how ?? '', /RequestType, self\.handler/);
    const base = table.related?.find((r) => r.what === 'request types derive from');
    assert.ok(base, 'the common base class is a companion');
    assert.equal(at(base), 'python/sglang/srt/managers/io_base.py:8');
    assert.equal(base.note, '3 of 4');
  });

  test('a torch op library block, with the header declaring its functions and the package exporting the wrappers', async () => {
    const a = await points('register a new sgl-kernel torch op', 'sglang');
    assertGolden('explore-extension-torch-library', a.text);
    const lib = a.points[0];
    assert.equal(lib.kind, 'torch op library');
    assert.equal(at(lib), 'sgl-kernel/csrc/common_extension.cc:8');
    const related = Object.fromEntries((lib.related ?? []).map((r) => [r.what.split(' ')[0], at(r)]));
    assert.equal(related['C++'], 'sgl-kernel/include/sgl_kernel_ops.h:21', 'C++ declarations');
    assert.equal(related.Python, 'sgl-kernel/python/sgl_kernel/elementwise.py:20', 'the file with most torch.ops wrappers');
    assert.equal(related.wrappers, 'sgl-kernel/python/sgl_kernel/__init__.py:7', 'the import in the package __init__');
  });

  test('an enum wrapping implementations of a trait, and a map-returning function with its value type', async () => {
    const a = await points('add a new indexer selector', 'dynamo');
    assertGolden('explore-extension-enum-map', a.text);
    const choice = a.points.find((p) => p.name === 'IndexerChoice');
    assert.ok(choice, 'the dispatch enum is an extension point');
    assert.deepEqual(choice.related?.map((r) => `${r.name} ${at(r)}`), ['IndexerBackend lib/kv-router/src/selector.rs:10']);
    const map = a.points.find((p) => p.name === 'get_selector_map');
    assert.ok(map, 'the map-returning function is an extension point');
    assert.deepEqual(map.related?.map((r) => `${r.what} ${r.name} ${at(r)}`), ['entries are SelectorConfig lib/kv-router/src/selector.rs:60']);
  });

  test('an enum whose variants share no workspace trait is not a dispatch enum', async () => {
    const ws = await fixtureWorkspace();
    const rec = ws.record('dynamo', 'lib/kv-router/src/selector.rs')!;
    const ref = (name: string) => ({ repo: 'dynamo', file: rec.path, i: rec.defs.findIndex((d) => d.name === name && d.kind === 'enum') });
    assert.equal(dispatchEnum(ws, ref('SelectorError')), undefined);
    assert.equal(dispatchEnum(ws, ref('IndexerChoice'))?.name, 'IndexerBackend');
  });

  test('a query that does not ask to add anything lists no extension points', async () => {
    const a = await points('scheduler request dispatcher', 'sglang');
    assert.equal(a.points.length, 0);
    assert.doesNotMatch(a.text, /Extension points/);
  });
});
