/**
 * Mermaid validity, with mermaid's own parser: the checker itself (accepts what mermaid accepts, rejects what
 * it rejects), every diagram committed in the golden traces, and the diagrams of every flow preset and of
 * labels full of characters that break mermaid when left unescaped.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { flowNames } from '../src/resolve/flows.js';
import { runTool } from '../src/server/boundary.js';
import { safe } from '../src/tools/trace/mermaid.js';
import { traceTool } from '../src/tools/trace.js';
import type { ToolSpec } from '../src/tools/types.js';
import { fixtureWorkspace } from './helpers/fixture.js';
import { assertValidMermaid, mermaidBlocks, parseMermaid } from './helpers/mermaid.js';

describe('the mermaid checker', () => {
  test('accepts valid sequence diagrams and flowcharts', async () => {
    assert.equal(await assertValidMermaid('sequenceDiagram\n  participant P0 as a<br/>x.rs:1\n  participant P1 as b\n  P0->>P1: f() x.rs:2 [?]\n  P0-)P1: g() [spawn]\n  Note over P0,P1: via m.impl(\'f\')'), 'sequence');
    assert.equal(await assertValidMermaid('flowchart LR\n  N0["a<br/>x.py:1"]\n  N1["b"]\n  N1 -->|"x.py:3 pyo3"| N0\n  style N0 stroke-width:3px'), 'flowchart-v2');
  });

  test('rejects invalid diagrams with mermaid\'s parse error', async () => {
    for (const bad of [
      'sequenceDiagram\n  P0->>: no target',
      'sequenceDiagram\n  Note over P0,P1: semi; colon',
      'flowchart LR\n  N0["unclosed]\n  N0 --> N1',
      'flowchart LR\n  N0 -->|"x| N1',
      'notADiagram\n  a --> b',
    ]) {
      const r = await parseMermaid(bad);
      assert.equal(r.ok, false, `accepted: ${bad}`);
      await assert.rejects(assertValidMermaid(bad), /is not valid mermaid/);
    }
  });
});

describe('diagrams emitted by trace', () => {
  test('every ```mermaid block of every golden trace parses', async () => {
    const dir = join(PACKAGE_ROOT, 'test/golden');
    const files = readdirSync(dir).filter((f) => f.startsWith('trace-') && f.endsWith('.md')).sort();
    assert.ok(files.length >= 15, `expected the golden traces, found ${files.length}`);
    let n = 0;
    for (const f of files) {
      for (const [k, block] of mermaidBlocks(readFileSync(join(dir, f), 'utf8')).entries()) {
        await assertValidMermaid(block, `${f} diagram ${k + 1}`);
        n++;
      }
    }
    assert.ok(n >= 12, `only ${n} diagrams in the golden traces`);
  });

  test('every flow preset renders a valid diagram on the fixture', async () => {
    const ws = await fixtureWorkspace();
    for (const flow of flowNames()) {
      for (const diagram of ['sequence', 'flowchart']) {
        const r = await runTool(traceTool as unknown as ToolSpec, { flow, diagram }, { ws });
        assert.notEqual(r.isError, true, r.content[0].text);
        const s = r.structuredContent as Record<string, any>;
        if (s.mermaid) await assertValidMermaid(s.mermaid, `flow ${flow} (${diagram})`);
      }
    }
  });

  test('labels with quotes, brackets, semicolons, #, <T> and pipes stay valid once escaped', async () => {
    const nasty = 'm.impl("op", torch::kCUDA, &f<T, 4>); x[a] {b} | c #d `e` ::f';
    const label = safe(nasty);
    await assertValidMermaid(`sequenceDiagram\n  participant P0 as ${label}<br/>a.cu:1\n  participant P1 as b\n  P0->>P1: ${label}\n  Note over P0,P1: ${label}`, 'sequence with escaped labels');
    await assertValidMermaid(`flowchart LR\n  N0["${label}"]\n  N1["b"]\n  N0 -->|"${label}"| N1`, 'flowchart with escaped labels');
  });

  test('callers and both directions as flowcharts, and a sequence with self-calls and cycles', async () => {
    const ws = await fixtureWorkspace();
    const cases: Record<string, unknown>[] = [
      { symbol: 'EchoEngine::generate', direction: 'callers', depth: 3 },
      { symbol: 'TokenizerManager._send_one_request', direction: 'both', depth: 2, diagram: 'flowchart' },
      { symbol: 'flatten_content', depth: 5, diagram: 'sequence' },
      { symbol: 'count_blocks', direction: 'callers', diagram: 'sequence' },
      { symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:rmsnorm', depth: 4, format: 'detailed' },
    ];
    for (const args of cases) {
      const r = await runTool(traceTool as unknown as ToolSpec, args, { ws });
      assert.notEqual(r.isError, true, r.content[0].text);
      const s = r.structuredContent as Record<string, any>;
      assert.ok(s.mermaid, `no diagram for ${JSON.stringify(args)}`);
      await assertValidMermaid(s.mermaid, JSON.stringify(args));
    }
  });
});
