/**
 * server.json against the MCP registry schema (2025-12-11).
 *
 * The official schema (https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json) is not
 * shipped by any npm package and cannot be fetched here, so this test validates with a hand-written subset
 * of it — every constraint the registry places on the fields server.json uses (written from the schema's
 * definitions ServerDetail, Package, LocalTransport, Argument, KeyValueInput, Input) — and proves the subset
 * bites by feeding it broken variants. Set MCP_SERVER_SCHEMA_FILE to a downloaded copy of the official
 * schema to validate against it as well.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { PACKAGE_ROOT } from '../src/package-root.js';

const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const server = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'server.json'), 'utf8')) as Record<string, unknown>;

const input = {
  type: 'object',
  properties: {
    description: { type: 'string' }, isRequired: { type: 'boolean' }, isSecret: { type: 'boolean' },
    format: { type: 'string', enum: ['string', 'number', 'boolean', 'filepath'] },
    value: { type: 'string' }, default: { type: 'string' }, placeholder: { type: 'string' },
    choices: { type: 'array', items: { type: 'string' } },
    variables: { type: 'object' },
  },
};
const named = { allOf: [input, { type: 'object', required: ['type', 'name'], properties: { type: { enum: ['named'] }, name: { type: 'string' }, isRepeated: { type: 'boolean' } } }] };
const positional = {
  allOf: [input, {
    type: 'object', required: ['type'], anyOf: [{ required: ['valueHint'] }, { required: ['value'] }],
    properties: { type: { enum: ['positional'] }, valueHint: { type: 'string' }, isRepeated: { type: 'boolean' } },
  }],
};
const httpUrl = { type: 'string', pattern: '^https?://[^\\s]+$' };
const SUBSET = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['name', 'description', 'version'],
  properties: {
    $schema: { type: 'string', const: SCHEMA_URL },
    name: { type: 'string', minLength: 3, maxLength: 200, pattern: '^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$' },
    title: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', minLength: 1, maxLength: 100 },
    version: { type: 'string', maxLength: 255, not: { pattern: '^[\\^~><=]|[x*]$' } },
    websiteUrl: { type: 'string' },
    repository: { type: 'object', required: ['url', 'source'] },
    packages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['registryType', 'identifier', 'transport'],
        properties: {
          registryType: { type: 'string' },
          registryBaseUrl: httpUrl,
          identifier: { type: 'string' },
          version: { type: 'string', minLength: 1, not: { const: 'latest' } },
          fileSha256: { type: 'string', pattern: '^[a-f0-9]{64}$' },
          runtimeHint: { type: 'string' },
          transport: {
            anyOf: [
              { type: 'object', required: ['type'], properties: { type: { enum: ['stdio'] } } },
              { type: 'object', required: ['type', 'url'], properties: { type: { enum: ['streamable-http', 'sse'] }, url: httpUrl } },
            ],
          },
          runtimeArguments: { type: 'array', items: { anyOf: [positional, named] } },
          packageArguments: { type: 'array', items: { anyOf: [positional, named] } },
          environmentVariables: { type: 'array', items: { allOf: [input, { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }] } },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: false }).compile(SUBSET);
const errorsOf = (doc: unknown) => (validate(doc) ? '' : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; '));

test('server.json satisfies the registry schema constraints (hand-written subset of 2025-12-11)', () => {
  assert.equal(errorsOf(server), '');
  assert.equal(server.$schema, SCHEMA_URL);
});

test('the subset schema rejects what the registry rejects', () => {
  const pkg = (server.packages as Record<string, unknown>[])[0];
  const broken: [string, unknown][] = [
    ['description over 100 chars', { ...server, description: 'x'.repeat(101) }],
    ['name without a namespace slash', { ...server, name: 'dynamo-sglang-mcp' }],
    ['version range', { ...server, version: '^0.1.0' }],
    ['package version "latest"', { ...server, packages: [{ ...pkg, version: 'latest' }] }],
    ['package without transport', { ...server, packages: [{ ...pkg, transport: undefined }] }],
    ['unknown transport', { ...server, packages: [{ ...pkg, transport: { type: 'pipe' } }] }],
    ['named argument without name', { ...server, packages: [{ ...pkg, packageArguments: [{ type: 'named' }] }] }],
    ['argument format outside the enum', { ...server, packages: [{ ...pkg, packageArguments: [{ type: 'named', name: '--x', format: 'path' }] }] }],
    ['environment variable without name', { ...server, packages: [{ ...pkg, environmentVariables: [{ description: 'x' }] }] }],
  ];
  for (const [why, doc] of broken) assert.notEqual(errorsOf(JSON.parse(JSON.stringify(doc))), '', `accepted: ${why}`);
});

test('server.json against the official schema file (MCP_SERVER_SCHEMA_FILE)', (t) => {
  const file = process.env.MCP_SERVER_SCHEMA_FILE;
  if (!file || !existsSync(file)) {
    t.skip('set MCP_SERVER_SCHEMA_FILE to a copy of ' + SCHEMA_URL + ' to run this check');
    return;
  }
  const official = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const check = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(official);
  assert.ok(check(server), JSON.stringify(check.errors, null, 2));
});
