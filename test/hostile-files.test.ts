/**
 * Odd files through the real MCP client: a repo of huge, minified, binary-with-source-extension, invalid
 * UTF-8, CRLF, BOM, deeply nested (2,000 levels in Python, Rust and C++), empty, oddly named files, a
 * tracked file missing from the working tree, and files deleted or rewritten in the middle of indexing
 * (a test-only `--import` preload does it inside the parser worker, just before the batch is parsed).
 * Indexing finishes; each odd file is either handled (its outline is right) or skipped, and explore of
 * that file says why; every tool answers about every file; the server stays up.
 */
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeGitRepo, serve, textOf, toolNames, workerHook, type Served } from './helpers/hostile.js';

const N = 2000;
const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';

const FILES: Record<string, string | Buffer> = {
  'ok.py': 'def plain_function(x):\n    """A normal function."""\n    return helper(x)\n\n\ndef helper(x):\n    return x\n',
  'huge.py': lines(80_000, (i) => `value_${i} = ${i}  # padding padding`),
  'minified.py': 'a=[' + Array.from({ length: 12_000 }, (_, i) => i).join(',') + ']\n',
  'min_after_ok.rs': 'fn fine() {}\n' + 'const X: [u8; 9000] = [' + '1,'.repeat(12_000) + '];\n',
  'binary.rs': Buffer.concat([Buffer.from('fn looks_like_rust() {}\n'), Buffer.from([0, 0, 0, 1, 2, 3, 0xff, 0xfe, 0]), Buffer.alloc(4096, 7)]),
  'binary.cu': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]),
  'latin1.py': Buffer.concat([Buffer.from('def caf'), Buffer.from([0xe9]), Buffer.from('_name():\n    return "\xff\xfe"\n\n\ndef after_bad_bytes():\n    return 2\n', 'latin1')]),
  'crlf.py': 'import os\r\n\r\n\r\ndef crlf_first():\r\n    return 1\r\n\r\n\r\nclass CrlfClass:\r\n    def crlf_method(self):\r\n        return crlf_first()\r\n',
  'bom.py': '\ufeffdef bom_first():\n    return 1\n\n\ndef bom_second():\n    return bom_first()\n',
  'bom_crlf.rs': '\ufeff// doc\r\nfn bom_rust() -> u32 {\r\n    1\r\n}\r\n',
  'nested_parens.py': `def deep_parens():\n    return ${'('.repeat(N)}1${')'.repeat(N)}\n\n\ndef after_parens():\n    return 2\n`,
  'nested_lists.py': `DEEP = ${'['.repeat(N)}${']'.repeat(N)}\n\n\ndef after_lists():\n    return 3\n`,
  'nested_defs.py': lines(400, (i) => `${' '.repeat(i)}def level_${i}():`) + ' '.repeat(400) + 'return 1\n',
  'nested_blocks.rs': `fn deep_blocks() {\n${'{'.repeat(N)}\n${'}'.repeat(N)}\n}\n\nfn after_blocks() -> i32 { 1 }\n`,
  'nested_exprs.rs': `fn deep_exprs() -> i32 {\n    ${'('.repeat(N)}1${')'.repeat(N)}\n}\n\nfn after_exprs() {}\n`,
  'nested_blocks.cpp': `int deep_blocks() {\n${'{'.repeat(N)}\n${'}'.repeat(N)}\nreturn 0;\n}\n\nint after_cpp_blocks() { return 1; }\n`,
  'nested_parens.cpp': `int deep_parens() { return ${'('.repeat(N)}1${')'.repeat(N)}; }\nint after_cpp_parens() { return 1; }\n`,
  'nested_templates.cpp': `${'template <typename T> struct W { '.repeat(300)}${'};'.repeat(300)}\nint after_templates() { return 1; }\n`,
  'unbalanced.rs': `fn open() {\n${'{('.repeat(3000)}\n`,
  'unbalanced.py': `def broken(:\n    ${'('.repeat(5000)}\n`,
  'empty.py': '',
  'only_newlines.rs': '\n'.repeat(50_000),
  'long_ok_line.cu': `__global__ void k() { int a = ${'1+'.repeat(9000)}1; }\n`,
  'dir with spaces/ünïcödé file.py': 'def unicode_path_fn():\n    return 1\n',
  'weird/-dash.py': 'def dash_file_fn():\n    return 1\n',
  'weird/new\nline.py': 'def newline_file_fn():\n    return 1\n',
  ['deep/' + Array.from({ length: 60 }, (_, i) => `d${i}`).join('/') + '/leaf.rs']: 'fn leaf_fn() {}\n',
  'gone.py': 'def gone_fn():\n    return 1\n',
  'vanish.py': 'def vanish_fn():\n    return 1\n',
  'rewritten.py': 'def rewritten_fn():\n    return 1\n',
};

/** What explore must say about each file: an outline containing these names, or "skipped … <reason>". */
const EXPECT: Record<string, { defs?: string[]; skipped?: RegExp }> = {
  'ok.py': { defs: ['plain_function', 'helper'] },
  'huge.py': { skipped: /too large/ },
  'minified.py': { skipped: /minified/ },
  'min_after_ok.rs': { skipped: /minified/ },
  'binary.rs': { skipped: /binary/ },
  'binary.cu': { skipped: /binary/ },
  'latin1.py': { defs: ['after_bad_bytes'] },
  'crlf.py': { defs: ['crlf_first', 'CrlfClass', 'crlf_method'] },
  'bom.py': { defs: ['bom_first', 'bom_second'] },
  'bom_crlf.rs': { defs: ['bom_rust'] },
  'nested_parens.py': { defs: ['deep_parens', 'after_parens'] },
  'nested_lists.py': { defs: ['after_lists'] },
  'nested_defs.py': { defs: ['level_0', 'level_10'] },
  'nested_blocks.rs': { defs: ['deep_blocks', 'after_blocks'] },
  'nested_exprs.rs': { defs: ['deep_exprs', 'after_exprs'] },
  'nested_blocks.cpp': { defs: ['after_cpp_blocks'] }, // tree-sitter's error recovery loses the 2,000-deep function itself (reported as a parse error)
  'nested_parens.cpp': { defs: ['deep_parens', 'after_cpp_parens'] },
  'nested_templates.cpp': { defs: ['after_templates'] },
  'unbalanced.rs': {},
  'unbalanced.py': {},
  'empty.py': {},
  'only_newlines.rs': {},
  'long_ok_line.cu': { defs: ['k'] },
  'dir with spaces/ünïcödé file.py': { defs: ['unicode_path_fn'] },
  'weird/-dash.py': { defs: ['dash_file_fn'] },
  'weird/new\nline.py': { defs: ['newline_file_fn'] },
  'vanish.py': { skipped: /unreadable|ENOENT|missing|deleted|not found/i },
  'rewritten.py': { skipped: /binary/ },
};

describe('odd files: indexing finishes, each file is handled or skipped with a reason', () => {
  let srv: Served;
  let repo: string;
  let readyMs = 0;

  before(async () => {
    repo = makeGitRepo(FILES, 'dsm-oddfiles-');
    // gone.py: tracked at HEAD but deleted from the working tree before the server starts.
    unlinkSync(join(repo, 'gone.py'));
    const hook = workerHook({ deleteParse: '^vanish\\.py$', rewriteParse: '^rewritten\\.py$' });
    srv = await serve({ args: ['--repo', `odd=${repo}`, '--cache-dir', join(repo, '..', `${repo.split('/').pop()}-cache`)], nodeArgs: ['--import', hook] });
    const t0 = Date.now();
    const arch = await srv.call('explore', {}, { timeout: 120_000 });
    readyMs = Date.now() - t0;
    assert.notEqual(arch.isError, true, textOf(arch));
  });
  after(async () => {
    await srv?.close();
  });

  test('indexing finished and the server is alive', () => {
    assert.ok(readyMs < 120_000);
    assert.ok(srv.alive());
    assert.doesNotMatch(srv.stderr(), /fatal|uncaught|FATAL ERROR/i, srv.stderr());
  });

  test('explore of each odd file: the outline, or why it was skipped', async () => {
    const report: string[] = [];
    for (const [file, want] of Object.entries(EXPECT)) {
      const r = await srv.call('explore', { path: file });
      const text = textOf(r);
      report.push(`${JSON.stringify(file)} → ${r.isError ? 'ERROR ' : ''}${text.split('\n').slice(0, 2).join(' | ').slice(0, 160)}`);
      assert.notEqual(r.isError, true, `explore ${file}: ${text}`);
      if (want.skipped) assert.match(text, new RegExp(`skipped[\\s\\S]*(${want.skipped.source})`, want.skipped.flags), `explore ${file} says why it was skipped:\n${text}`);
      for (const d of want.defs ?? []) {
        if (text.includes(`\`${d}\``)) continue;
        // Past the first page of a long outline: look the definition up instead.
        const sym = await srv.call('explore', { symbol: d });
        assert.ok(textOf(sym).includes(file), `explore ${file} has ${d}:\n${text.slice(0, 500)}\n${textOf(sym).slice(0, 500)}`);
      }
    }
    console.log(report.join('\n'));
  });

  test('a tracked file missing from the working tree: explore says it is missing, not "not a source file"', async () => {
    const r = await srv.call('explore', { path: 'gone.py' });
    assert.match(textOf(r), /missing|deleted|not in the working tree|does not exist/i, textOf(r));
  });

  test('line numbers survive CRLF and a BOM', async () => {
    const crlf = await srv.call('explore', { symbol: 'crlf_method' });
    assert.match(textOf(crlf), /crlf\.py:9-10/, textOf(crlf));
    const bom = await srv.call('explore', { symbol: 'bom_first' });
    assert.match(textOf(bom), /bom\.py:1\b/, textOf(bom));
    const second = await srv.call('explore', { symbol: 'bom_second' });
    assert.match(textOf(second), /bom\.py:5\b/, textOf(second));
  });

  test('every tool answers about every odd file (no crash, no hang)', async () => {
    const tools = await toolNames(srv.client);
    for (const file of Object.keys(FILES)) {
      const calls: [string, Record<string, unknown>][] = [
        ['trace', { file, line: 1 }],
        ['trace', { file, line: 2, direction: 'both', depth: 10 }],
        ['blame', { file, start_line: 1, end_line: 3 }],
        ['blame', { file, history: true, max_commits: 3 }],
      ];
      if (tools.includes('grep')) calls.push(['grep', { pattern: 'def |fn |return', path: file, context: 2 }]);
      for (const [tool, args] of calls) {
        const r = await srv.call(tool, args);
        assert.ok(textOf(r).length > 0, `${tool} ${JSON.stringify(args)} answered`);
        assert.doesNotMatch(textOf(r), /internal error/, `${tool} ${JSON.stringify(args)}: ${textOf(r)}`);
      }
    }
    for (const [tool, args] of [
      ['explore', { query: 'nested deep blocks' }], ['explore', { symbol: 'deep_blocks' }], ['trace', { symbol: 'crlf_method', direction: 'both' }],
      ['trace', { symbol: 'plain_function' }], ['explore', { path: 'deep' }],
    ] as const) {
      const r = await srv.call(tool, args);
      assert.notEqual(r.isError, true, `${tool} ${JSON.stringify(args)}: ${textOf(r)}`);
    }
    assert.ok(srv.alive());
  });

  test('grep skips the binary files, finds text in CRLF/BOM/latin-1 files, and reports the huge one', async (t) => {
    const tools = await toolNames(srv.client);
    if (!tools.includes('grep')) return t.skip('grep is not registered yet');
    const bin = await srv.call('grep', { pattern: 'looks_like_rust' });
    assert.doesNotMatch(textOf(bin), /binary\.rs:1/, textOf(bin));
    for (const [pattern, file] of [['crlf_method', 'crlf.py'], ['bom_first', 'bom.py'], ['after_bad_bytes', 'latin1.py']]) {
      const r = await srv.call('grep', { pattern });
      assert.match(textOf(r), new RegExp(file.replace('.', '\\.')), `${pattern}: ${textOf(r)}`);
    }
    const huge = await srv.call('grep', { pattern: 'value_79999' });
    assert.notEqual(huge.isError, true, textOf(huge));
  });
});
