/**
 * explore and trace end to end: the built server (dist/cli/main.js) over stdio, driven by the SDK's real
 * Client — tool listing (annotations, schemas, described parameters), calls whose structuredContent validates
 * against the advertised outputSchema, actionable errors, and a raw check that stdout carries only JSON-RPC.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SERVER_JS, textOf, withClient } from './helpers/client.js';
import { fixtureRepos } from './helpers/fixture.js';
import { assertValidMermaid } from './helpers/mermaid.js';

type Result = { isError?: boolean; structuredContent?: Record<string, any>; content: unknown };
type Tool = Awaited<ReturnType<Client['listTools']>>['tools'][number];

const ANNOTATIONS = { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false };

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Result> {
  return (await client.callTool({ name, arguments: args })) as Result;
}

function validator(tool: Tool) {
  const schema = tool.outputSchema as { $schema?: string };
  const ajv = schema.$schema?.includes('2020-12') ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(tool.outputSchema as object);
  return (data: unknown, what: string) => assert.ok(validate(data), `${what}: structuredContent does not match ${tool.name}'s outputSchema: ${ajv.errorsText(validate.errors)}`);
}

describe('explore and trace through the MCP client', () => {
  test('tools/list: both tools with read-only annotations, an output schema and a description on every parameter', () => withClient(async (client) => {
    const { tools } = await client.listTools();
    for (const name of ['explore', 'trace']) {
      const t = tools.find((x) => x.name === name);
      assert.ok(t, `${name} is registered`);
      const { title, ...hints } = t.annotations ?? {};
      assert.deepEqual(hints, ANNOTATIONS, `${name} annotations`);
      assert.ok(title && t.title, `${name} has a title`);
      assert.ok((t.description ?? '').length > 200, `${name} has a description written for the agent`);
      assert.equal(t.outputSchema?.type, 'object', `${name} declares an outputSchema`);
      const props = t.inputSchema.properties as Record<string, { description?: string }>;
      assert.ok(Object.keys(props).length >= 6);
      for (const [k, v] of Object.entries(props)) assert.ok(v.description && v.description.length > 10, `${name}.${k} has no description`);
    }
    const trace = tools.find((x) => x.name === 'trace')!;
    for (const k of ['symbol', 'file', 'line', 'direction', 'depth', 'to', 'flow', 'diagram', 'include_tests', 'repo', 'limit', 'format']) {
      assert.ok(k in (trace.inputSchema.properties as object), `trace.${k} (DESIGN.md contract)`);
    }
    const explore = tools.find((x) => x.name === 'explore')!;
    for (const k of ['repo', 'path', 'symbol', 'query', 'kind', 'limit', 'cursor', 'format']) {
      assert.ok(k in (explore.inputSchema.properties as object), `explore.${k} (DESIGN.md contract)`);
    }
  }));

  test('explore in every mode: non-empty text, structuredContent valid against the outputSchema', () => withClient(async (client) => {
    const { tools } = await client.listTools();
    const check = validator(tools.find((t) => t.name === 'explore')!);
    const cases: Record<string, unknown>[] = [
      {}, { path: 'lib/bindings/python/rust' }, { path: 'sglang:sgl-kernel/csrc/elementwise/norm.cu' },
      { symbol: 'RadixCache.evict' }, { symbol: 'schedule', format: 'detailed' }, { query: 'kv events publisher' },
    ];
    for (const args of cases) {
      const r = await call(client, 'explore', args);
      assert.notEqual(r.isError, true, textOf(r));
      assert.ok(textOf(r).trim().length > 50, `explore ${JSON.stringify(args)} text`);
      assert.match(textOf(r), /_Indexed: dynamo@[0-9a-f]{12}; sglang@[0-9a-f]{12}\._/);
      check(r.structuredContent, `explore ${JSON.stringify(args)}`);
    }
  }));

  test('trace callees, callers, a path and a flow: valid structuredContent and mermaid', () => withClient(async (client) => {
    const { tools } = await client.listTools();
    const check = validator(tools.find((t) => t.name === 'trace')!);
    const cases: Record<string, unknown>[] = [
      { symbol: 'sgl-kernel/python/sgl_kernel/elementwise.py:fused_add_rmsnorm', depth: 2 },
      { symbol: 'EchoEngine::generate', direction: 'callers' },
      { symbol: 'SiluAndMul.forward_cuda', to: 'act_and_mul_kernel' },
      { symbol: 'TokenizerManager._send_one_request', direction: 'both', depth: 1, format: 'detailed' },
      { flow: 'inference-request' },
    ];
    for (const args of cases) {
      const r = await call(client, 'trace', args);
      assert.notEqual(r.isError, true, textOf(r));
      assert.ok(textOf(r).trim().length > 50, `trace ${JSON.stringify(args)} text`);
      check(r.structuredContent, `trace ${JSON.stringify(args)}`);
      const s = r.structuredContent!;
      if (s.edges.length) {
        assert.ok(s.mermaid, `trace ${JSON.stringify(args)} has a diagram`);
        await assertValidMermaid(s.mermaid, `trace ${JSON.stringify(args)}`);
        assert.ok(textOf(r).includes('```mermaid\n' + s.mermaid + '\n```'), 'the text carries the same diagram');
      }
    }
  }));

  test('invalid calls come back as isError results that say what was wrong and show a valid call', () => withClient(async (client) => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['trace', {}, /Pass symbol, file\+line, or flow\.[\s\S]*Example of a valid call: trace \{"symbol": /],
      ['trace', { symbol: 'NoSuchThing' }, /No definition of "NoSuchThing"[\s\S]*Example of a valid call: trace \{/],
      ['trace', { file: 'lib/llm/src/preprocessor.rs' }, /file needs line[\s\S]*"line": /],
      ['trace', { flow: 'no-such-flow' }, /Unknown flow "no-such-flow"\. Flows: .*inference-request/],
      ['explore', { symbol: 'RadixCach' }, /Similar names: RadixCache[\s\S]*Example of a valid call: explore \{"symbol": "RadixCache"\}/],
      ['trace', { symbol: 'RadixCache', depth: 99 }, /depth/],
      ['explore', { limit: 'ten' }, /limit/],
    ];
    for (const [name, args, re] of cases) {
      const r = await call(client, name, args);
      assert.equal(r.isError, true, `${name} ${JSON.stringify(args)} should be an error: ${textOf(r)}`);
      assert.match(textOf(r), re);
    }
    // The server is still up after the errors.
    assert.notEqual((await call(client, 'explore', { symbol: 'RadixCache' })).isError, true);
  }));

  test('the initialize response does not wait for the index: it loads once the client sends initialized', async () => {
    const raw = await rawServer();
    try {
      raw.send(INITIALIZE);
      await raw.until(() => raw.out().includes('"id":1'));
      assert.match(raw.out(), /"serverInfo"/);
      // Answered, and no index yet: it waits for `initialized` (or 1 s without one).
      await new Promise((res) => setTimeout(res, 200));
      assert.doesNotMatch(raw.err(), /index ready/, raw.err());
      raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await raw.until(() => /index ready/.test(raw.err()));
      assert.match(raw.err(), /index ready in \d+ ms \(started after the handshake\)/, raw.err());
    } finally {
      raw.child.kill();
    }
  });

  test('stdout carries only JSON-RPC: every line the server writes parses as a JSON-RPC 2.0 message', async () => {
    const raw = await rawServer();
    const waitFor = (id: number) => raw.until(() => raw.out().split('\n').some((l) => l.includes(`"id":${id}`)));
    try {
      raw.send(INITIALIZE);
      await waitFor(1);
      raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      raw.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'explore', arguments: {} } });
      raw.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'trace', arguments: { symbol: 'flatten_content' } } });
      raw.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'trace', arguments: { symbol: 'NoSuchThing' } } });
      await waitFor(4);
    } finally {
      raw.child.kill();
    }
    const out = raw.out();
    const err = raw.err();
    const lines = out.split('\n').filter((l) => l.length);
    assert.ok(lines.length >= 4, `expected 4 responses on stdout, got:\n${out}\nstderr:\n${err}`);
    for (const l of lines) {
      let m: any;
      assert.doesNotThrow(() => { m = JSON.parse(l); }, `non-JSON line on stdout: ${l.slice(0, 200)}`);
      assert.equal(m.jsonrpc, '2.0', `not JSON-RPC: ${l.slice(0, 200)}`);
    }
    assert.ok(err.length > 0, 'logs go to stderr');
  });
});

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };

/** The built server on the fixture, spoken to in raw JSON-RPC lines (no SDK client in between). */
async function rawServer() {
  const r = await fixtureRepos();
  const child = spawn(process.execPath, [SERVER_JS, '--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', r.cacheDir], {
    env: { PATH: process.env.PATH ?? '', HOME: r.dir }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return {
    child,
    out: () => out,
    err: () => err,
    send: (m: object) => child.stdin.write(JSON.stringify(m) + '\n'),
    /** Polls until done() (at most 30 s). */
    until: async (done: () => boolean) => {
      for (let i = 0; i < 600 && !done(); i++) await new Promise((res) => setTimeout(res, 50));
    },
  };
}
