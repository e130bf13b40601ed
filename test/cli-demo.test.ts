/**
 * CLI additions of the distribution: `demo` (runs the tools on the bundled fixture, no checkout needed) and
 * `--clone` (opt-in; only its failure path and argument handling are testable offline).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../src/package-root.js';

const BIN = join(PACKAGE_ROOT, 'dist/cli/main.js');

function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const res = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: 240_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test('demo builds the fixture repos and prints a real cross-language trace', { timeout: 300_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), 'dsm-demo-home-'));
  try {
    const r = cli(['demo'], { HOME: home });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^## \$ dynamo-sglang-mcp explore --symbol transfer_kv_all_layer/m);
    assert.match(r.stdout, /torch-op/, 'the demo shows no torch-op hop');
    if (/^## \$ dynamo-sglang-mcp trace/m.test(r.stdout) && !/trace tool is not in this build/.test(r.stdout)) {
      assert.match(r.stdout, /```mermaid/);
      assert.match(r.stdout, /cuda-launch/, 'the trace did not reach the CUDA kernel launch');
      assert.match(r.stdout, /transfer_kv_all_layer_kernel/);
    }
    assert.doesNotMatch(r.stdout, /dsm-demo-[A-Za-z0-9]+\/(dynamo|sglang)\b[\s\S]*kept/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('--clone fails with a clear message when the clone cannot be made, and leaves nothing half-cloned', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsm-clone-'));
  try {
    const cache = join(dir, 'cache');
    const r = cli(['--clone', '--cache-dir', cache, 'index'], {
      HOME: dir, DSM_CLONE_URL_DYNAMO: join(dir, 'no-such-mirror', 'dynamo'), DSM_CLONE_URL_SGLANG: join(dir, 'no-such-mirror', 'sglang'),
    }, dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--clone: could not clone dynamo from .*no-such-mirror\/dynamo into .*cache\/checkouts\/dynamo: .+\. Without network access, clone it .* --dynamo PATH/);
    assert.ok(!existsSync(join(cache, 'checkouts', 'dynamo')), 'a partial clone was left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--clone does not clone repos given explicitly, and reuses an earlier clone', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsm-clone-'));
  try {
    const cache = join(dir, 'cache');
    const bad = { HOME: dir, DSM_CLONE_URL_DYNAMO: join(dir, 'nowhere'), DSM_CLONE_URL_SGLANG: join(dir, 'nowhere') };
    // Both given (one of them wrong): nothing is cloned; the wrong path is reported as such.
    const given = cli(['--clone', '--cache-dir', cache, '--dynamo', join(dir, 'missing-dynamo'), '--sglang', dir, 'index'], bad, dir);
    assert.doesNotMatch(given.stderr, /could not clone/);
    assert.match(given.stderr, /missing-dynamo .*does not exist/);
    // A previous clone in the cache is used as is (no network, no URL needed).
    for (const name of ['dynamo', 'sglang']) {
      const repo = join(cache, 'checkouts', name);
      mkdirSync(repo, { recursive: true });
      spawnSync('git', ['init', '-q', repo]);
    }
    const reuse = cli(['--clone', '--cache-dir', cache, 'index'], bad, dir);
    assert.equal(reuse.code, 0, reuse.stderr);
    assert.match(reuse.stderr, /using the earlier clone of dynamo/);
    assert.match(reuse.stdout, /^dynamo: .*checkouts\/dynamo/m);
    assert.match(reuse.stdout, /^sglang: .*checkouts\/sglang/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
