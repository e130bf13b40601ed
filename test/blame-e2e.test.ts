/**
 * blame end to end: the built server driven by the SDK's stdio client over the fixture repos (deterministic
 * history: fixed authors, dates and PR messages, a rename), compared with golden markdown under test/golden/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, withClient } from './helpers/client.js';
import { assertGolden } from './helpers/golden.js';

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: unknown };

async function call(client: Client, args: Record<string, unknown>): Promise<Result> {
  return (await client.callTool({ name: 'blame', arguments: args })) as Result;
}

describe('blame through the MCP client', () => {
  test('listed with annotations, an output schema and described parameters', () => withClient(async (client) => {
    const { tools } = await client.listTools();
    const blame = tools.find((t) => t.name === 'blame');
    assert.ok(blame, 'blame is registered');
    assert.deepEqual(blame.annotations, { title: 'Blame and line history', readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false });
    assert.ok(blame.outputSchema);
    const props = blame.inputSchema.properties as Record<string, { description?: string }>;
    for (const k of ['file', 'symbol', 'repo', 'start_line', 'end_line', 'history', 'max_commits', 'format']) assert.ok(props[k]?.description, `${k} described`);
  }));

  test('golden answers: a Rust symbol, a Python symbol\'s history, a renamed file, a CUDA range', () => withClient(async (client) => {
    const rust = await call(client, { symbol: 'start_event_processor' });
    assert.equal(rust.isError, undefined, textOf(rust));
    const s = rust.structuredContent!;
    assert.deepEqual(s.target, { repo: 'dynamo', file: 'lib/llm/src/kv_router/publisher.rs', line: 84, endLine: s.target.endLine });
    const fix = s.commits.find((c: any) => c.pr === 1234);
    assert.equal(fix.author, 'Bob Martinez');
    assert.equal(fix.email, 'bob.martinez@example.com');
    assert.equal(fix.date, '2025-01-04T16:40:00Z');
    assert.equal(fix.summary, 'Fix KV event ordering (#1234)');
    assert.ok(s.hunks.every((h: any) => h.location.repo === 'dynamo' && h.location.file === 'lib/llm/src/kv_router/publisher.rs'));
    assertGolden('blame-rust-symbol', textOf(rust));

    const hist = await call(client, { symbol: 'RadixCache.evict', history: true, format: 'detailed' });
    assert.equal(hist.isError, undefined, textOf(hist));
    const h = hist.structuredContent!;
    assert.equal(h.mode, 'history');
    assert.equal(h.commits[0].pr, 2231);
    assert.match(h.commits[0].body, /lock_ref/);
    assertGolden('blame-python-history', textOf(hist));

    const renamed = await call(client, { file: 'components/src/dynamo/sglang/publisher.py', start_line: 1, end_line: 20 });
    assert.equal(renamed.isError, undefined, textOf(renamed));
    assert.ok(renamed.structuredContent!.hunks.some((h: any) => h.origin?.file === 'components/src/dynamo/sglang/kv_publisher.py'));
    assertGolden('blame-renamed-file', textOf(renamed));

    const cuda = await call(client, { file: 'dynamo:lib/kvbm-kernels/cuda/tensor_kernels.cu:1-30', history: true });
    assert.equal(cuda.isError, undefined, textOf(cuda));
    assertGolden('blame-cuda-history', textOf(cuda));
  }));

  test('clear errors come back as isError results with a valid call', () => withClient(async (client) => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ repo: 'dynamo', file: 'scratch_notes.md' }, /not tracked by git/],
      [{ repo: 'dynamo', file: '../../etc/passwd' }, /escapes the checkout/],
      [{ repo: 'dynamo', file: 'lib/llm/src/kv_router/publisher.rs', start_line: 5000 }, /out of bounds/],
      [{ file: 'README.md' }, /exists in several repos \(dynamo, sglang\); pass repo/],
      [{ symbol: 'NoSuchThingAnywhere' }, /No definition of "NoSuchThingAnywhere"/],
    ];
    for (const [args, re] of cases) {
      const r = await call(client, args);
      assert.equal(r.isError, true, JSON.stringify(args));
      assert.match(textOf(r), re);
      assert.match(textOf(r), /Example of a valid call: blame \{/);
    }
  }));
});
