/**
 * grep end to end: the built server driven by the SDK's stdio client over the fixture repos — listing,
 * a search with structured content, a pathological pattern that still answers quickly while another call
 * is served, and an invalid regex as an isError result.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, withClient } from './helpers/client.js';

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: unknown };

async function call(client: Client, args: Record<string, unknown>): Promise<Result> {
  return (await client.callTool({ name: 'grep', arguments: args })) as Result;
}

describe('grep through the MCP client', () => {
  test('listed with annotations, an output schema and described parameters', () => withClient(async (client) => {
    const { tools } = await client.listTools();
    const grep = tools.find((t) => t.name === 'grep');
    assert.ok(grep, 'grep is registered');
    assert.equal(grep.annotations?.readOnlyHint, true);
    assert.ok(grep.outputSchema);
    const props = grep.inputSchema.properties as Record<string, { description?: string }>;
    for (const k of ['pattern', 'regex', 'case_sensitive', 'repo', 'path', 'lang', 'context', 'scope', 'limit', 'cursor', 'format']) {
      assert.ok(props[k]?.description, `${k} described`);
    }
  }));

  test('a search answers with grouped hits, enclosing symbols and {repo, file, line} locations', () => withClient(async (client) => {
    const r = await call(client, { pattern: 'def evict', path: 'sglang:python' });
    assert.equal(r.isError, undefined, textOf(r));
    const s = r.structuredContent!;
    assert.ok(s.totals.matches >= 4);
    const hit = s.files[0].hits[0];
    assert.deepEqual(Object.keys(hit.loc).sort(), ['file', 'line', 'repo']);
    assert.equal(hit.loc.repo, 'sglang');
    assert.match(hit.symbol.name, /\.evict/);
    assert.match(textOf(r), /── in \w+\.evict \(method, L\d+-\d+\)/);
  }));

  test('a pathological regex answers within 2 s and the server keeps serving other calls', () => withClient(async (client) => {
    await call(client, { pattern: 'warm' });
    const t = performance.now();
    const [slow, other] = await Promise.all([
      call(client, { pattern: '(a+)+$', format: 'concise' }),
      client.callTool({ name: 'explore', arguments: { symbol: 'RadixCache' } }),
    ]);
    assert.ok(performance.now() - t < 2000, `took ${Math.round(performance.now() - t)} ms`);
    assert.equal(slow.isError, undefined, textOf(slow));
    assert.equal((other as Result).isError, undefined);
  }));

  test('an invalid regex is an isError result that says what is wrong', () => withClient(async (client) => {
    const r = await call(client, { pattern: 'foo(bar' });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /Invalid regex: .*Unterminated group/);
    assert.match(textOf(r), /"regex": false/);
    const back = await call(client, { pattern: '(\\w)\\1' });
    assert.equal(back.isError, true);
    assert.match(textOf(back), /backreference/);
  }));
});
