#!/usr/bin/env node
// The native binding's C code (the extractor and entry encoder above all) under AddressSanitizer: builds the
// binding again in a temporary directory with -fsanitize=address (and without per-tree arenas: ASan's
// allocator keeps no size word before a block; and with buffers that grow by exactly what they need, so a
// pointer kept into one across an append reads freed memory at once), then runs the tests that drive it
// (every fixture file through both extractors, the binding's node and query operations, hostile files,
// fuzzed sources) with libasan preloaded.
// Any ASan report fails the check. Skipped, saying so, where gcc's libasan or node-gyp is missing.
//   node scripts/check-asan.mjs        (npm run check:asan; .ci/run runs it after npm test)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TESTS = ['native-extract', 'native-parser', 'hostile-files', 'fuzz'].map((t) => join(root, 'dist-test', 'test', `${t}.test.js`));
const skip = (why) => {
  console.log(`check-asan: SKIPPED — ${why}`);
  process.exit(0);
};

const asan = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' });
const lib = asan.status === 0 ? asan.stdout.trim() : '';
if (!lib || !lib.startsWith('/') || !existsSync(lib)) skip('gcc\'s libasan.so was not found');
const gyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')]
  .find((p) => p && existsSync(p));
if (!gyp) skip('node-gyp was not found');
const missing = TESTS.filter((t) => !existsSync(t));
if (missing.length) {
  console.error(`check-asan: build the tests first (npm test compiles them): ${missing.join(', ')} missing`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'dsm-asan-'));
try {
  const native = join(dir, 'native');
  cpSync(join(root, 'native'), native, { recursive: true, filter: (src) => !src.includes(`${join('native', 'build')}`) });
  // binding.gyp finds the runtime's sources through require.resolve('tree-sitter/…') from its directory.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const args = [gyp, 'rebuild'];
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const build = spawnSync(process.execPath, args, {
    cwd: native,
    env: { ...process.env, CFLAGS: '-fsanitize=address -fno-omit-frame-pointer -g -DDSM_NO_ARENAS -DDSM_TIGHT_BUFFERS', LDFLAGS: '-fsanitize=address' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const addon = join(native, 'build', 'Release', 'dsm_tree_sitter.node');
  if (build.status !== 0 || !existsSync(addon)) {
    console.error(`check-asan: the ASan build failed:\n${(build.stdout ?? '') + (build.stderr ?? '')}`.slice(-4000));
    process.exit(1);
  }
  const run = spawnSync(process.execPath, ['--test', ...TESTS], {
    cwd: root,
    env: { ...process.env, LD_PRELOAD: lib, ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0', DSM_NATIVE_ADDON: addon },
    encoding: 'utf8',
    timeout: 1_200_000,
  });
  const out = (run.stdout ?? '') + (run.stderr ?? '');
  const reports = out.split('\n').filter((l) => /AddressSanitizer/.test(l));
  const summary = out.split('\n').filter((l) => /^# (pass|fail)/.test(l)).join(', ');
  if (run.status !== 0 || reports.length) {
    console.error(out.slice(-8000));
    console.error(`check-asan: FAILED (${summary}; ${reports.length} AddressSanitizer report lines)`);
    process.exit(1);
  }
  console.log(`check-asan: ok — ${TESTS.length} test files under AddressSanitizer (${summary})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
