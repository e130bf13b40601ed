/**
 * A real third-party client: the MCP Inspector CLI (devDependency) drives the built server on the fixture
 * workspace through scripts/inspector.mjs — tools/prompts/resources lists, every tool called, every prompt
 * rendered with an argument, a skill and an architecture map read. Skipped when the Inspector is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../src/package-root.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts/inspector.mjs');
const INSPECTOR = join(PACKAGE_ROOT, 'node_modules/@modelcontextprotocol/inspector/package.json');

test('MCP Inspector CLI: lists, calls every tool, renders every prompt, reads resources', { timeout: 600_000 }, (t) => {
  if (!existsSync(INSPECTOR)) {
    t.skip('@modelcontextprotocol/inspector is not installed (npm ci installs it as a devDependency)');
    return;
  }
  const res = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', timeout: 590_000 });
  const out = `${res.stdout}\n${res.stderr}`;
  assert.equal(res.status, 0, out);
  const summary = /inspector: (\d+) passed, (\d+) failed/.exec(res.stdout);
  assert.ok(summary, out);
  assert.equal(summary![2], '0', out);
  for (const line of ['tools/list --strict', 'prompts/list', 'resources/list', 'tools/call explore', 'prompts/get codebase-trace', 'resources/read arch://']) {
    assert.match(res.stdout, new RegExp(`^ok +${line.replace(/[/.]/g, '\\$&')}`, 'm'), `no passing "${line}" line:\n${out}`);
  }
});
