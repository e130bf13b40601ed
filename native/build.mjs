#!/usr/bin/env node
/**
 * Builds the native tree-sitter binding (native/) with node-gyp at install time. It is optional: without it
 * the index parses with web-tree-sitter (wasm), which gives the same records more slowly. So this script
 * never fails the install; it says on stderr what happened. DSM_NATIVE=0 skips it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const say = (msg) => process.stderr.write(`dynamo-sglang-mcp: ${msg}\n`);
const fallback = 'indexing will use web-tree-sitter (same results, a slower cold index)';

function main() {
  if (process.env.DSM_NATIVE === '0') return say(`DSM_NATIVE=0: native parser not built; ${fallback}`);
  try {
    require.resolve('tree-sitter/package.json');
  } catch {
    return say(`the optional package tree-sitter (runtime sources) is not installed; ${fallback}`);
  }
  const gyp = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((p) => p && existsSync(p));
  if (!gyp) return say(`node-gyp not found; ${fallback}`);
  const args = [gyp, 'rebuild'];
  // Node's own headers next to the binary: node-gyp would otherwise try to download them.
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(process.execPath, args, { cwd: join(root, 'native'), stdio: ['ignore', 2, 2], timeout: 300_000 });
  if (r.status === 0) return say('native tree-sitter parser built');
  say(`building the native parser failed (${r.error?.message ?? `node-gyp exit ${r.status}`}); ${fallback}`);
}

main();
