/**
 * Hostile input through the real MCP client (dist/cli/main.js over stdio):
 * - confinement: every path/file argument of every tool (explore path, trace file, blame file, grep path)
 *   with `..`, absolute paths elsewhere, symlinks out of the checkout, NUL bytes, over-long strings — refused
 *   or not found, and no answer ever carries a byte of the file outside;
 * - git config in the checkout (fsmonitor, external diff, textconv, filters, pager, gpg, hooks) never makes
 *   the server run a program, through indexing, freshness re-listing and every tool;
 * - bad arguments: for every parameter every tool lists, wrong types, out-of-range and huge values, missing
 *   required ones and unknown extras — each an isError result that names the parameter, says what it takes,
 *   and shows a valid call that really is valid; the server stays up.
 * Cases are derived from tools/list, so a tool registered later (grep) is covered without edits here.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixtureRepos } from './helpers/fixture.js';
import { makeGitRepo, serve, sh, tempDir, textOf, toolNames, type Served, type ToolResult } from './helpers/hostile.js';

/** Strings that exist only in the file outside the checkout: no answer may contain them. */
const MARKERS = ['s3cret-value-4b1d', 'MARKER_DOC_9c1', 'outside_secret_fn_7f3'];

/** A marker in the answer that the call itself did not contain (an error message may echo the input). */
function leaks(r: unknown, args: unknown = {}): string | undefined {
  const s = JSON.stringify(r);
  const sent = JSON.stringify(args);
  return MARKERS.find((m) => s.includes(m) && !sent.includes(m));
}

describe('confinement: path and file arguments stay inside the served checkouts', () => {
  let srv: Served;
  let repo: string;
  let outside: string;
  const log: string[] = [];

  before(async () => {
    outside = tempDir('dsm-outside-');
    writeFileSync(join(outside, 'secret.py'), `def outside_secret_fn_7f3():\n    """MARKER_DOC_9c1"""\n    return "s3cret-value-4b1d"\n`);
    repo = makeGitRepo({
      'src/ok.py': 'def inside_fn():\n    return 1\n',
      'leak.py': { symlink: join(outside, 'secret.py') },
      'linkdir': { symlink: outside },
      'rel_leak.py': { symlink: '../' + outside.split('/').pop() + '/secret.py' },
    });
    symlinkSync(join(outside, 'secret.py'), join(repo, 'untracked_leak.py'));
    srv = await serve({ args: ['--repo', `conf=${repo}`, '--cache-dir', join(outside, '.cache')] });
  });
  after(async () => {
    await srv?.close();
    if (log.length) console.log(log.join('\n'));
  });

  const escapes = (abs: string) => [
    '../secret.py', '../../../../../../etc/passwd', 'src/../../secret.py', 'src\\..\\..\\secret.py', './../secret.py',
    '/etc/passwd', abs, `${abs}/../secret.py`, 'a\0b.py', 'src/ok.py\0/../../x', 'x'.repeat(5000), '~/secret.py', 'conf:../secret.py',
    'file:///etc/passwd', '%2e%2e/secret.py', '.git/config', '.git', '-rf', '--output=/tmp/x', '\u202e../x',
  ];

  async function check(tool: string, args: Record<string, unknown>, mode: 'refused' | 'no-leak'): Promise<ToolResult> {
    const r = await srv.call(tool, args);
    const leaked = leaks(r, args);
    log.push(`${tool} ${JSON.stringify(args).slice(0, 90)} → ${leaked ? `ESCAPED (${leaked})` : r.isError ? 'refused' : 'answered'}: ${textOf(r).split('\n')[0].slice(0, 140)}`);
    assert.equal(leaked, undefined, `${tool} ${JSON.stringify(args).slice(0, 200)} leaked content from outside the checkout:\n${textOf(r).slice(0, 600)}`);
    if (mode === 'refused') {
      assert.equal(r.isError, true, `${tool} ${JSON.stringify(args).slice(0, 200)} should be refused, got:\n${textOf(r).slice(0, 400)}`);
      assert.ok(textOf(r).length < 3000, 'error messages stay short (no echo of a huge input)');
      assert.match(textOf(r), /Example of a valid call: \w+ \{/, `${tool} ${JSON.stringify(args).slice(0, 100)}: the refusal shows a valid call:\n${textOf(r)}`);
    }
    return r;
  }

  test('explore path, trace file, blame file: "..", absolute, NUL, over-long, .git, option-like — all refused', async () => {
    for (const p of escapes(outside)) {
      await check('explore', { path: p }, 'refused');
      await check('trace', { file: p, line: 1 }, 'refused');
      await check('blame', { file: p }, 'refused');
    }
    assert.ok(srv.alive());
  });

  const globEscapes = (abs: string) => [...escapes(abs), '../**', '/**', '**/../**', '{..,.}/**', `${abs}/**`, '../*/secret.py'];

  test('grep path globs cannot reach outside (when grep is registered)', async (t) => {
    const tools = await toolNames(srv.client);
    if (!tools.includes('grep')) return t.skip('grep is not registered yet');
    for (const p of [...globEscapes(outside), '**/secret.py', '**', '', ' ']) {
      await check('grep', { pattern: 's3cret|outside_secret|MARKER_DOC', path: p }, 'no-leak');
    }
  });

  test('grep refuses a path glob that points outside, with a clear error (not a silent "0 files searched")', async (t) => {
    const tools = await toolNames(srv.client);
    if (!tools.includes('grep')) return t.skip('grep is not registered yet');
    for (const p of globEscapes(outside).filter((x) => /\.\.|^\/|\0/.test(x) && !x.startsWith('~'))) {
      await check('grep', { pattern: 'inside_fn', path: p }, 'refused');
    }
  });

  test('an empty path: explore lists the repo root; trace and blame say the path is empty', async () => {
    for (const p of ['', ' ', '.', './']) {
      await check('trace', { file: p, line: 1 }, 'refused');
      await check('blame', { file: p }, 'refused');
    }
    const root = await srv.call('explore', { path: '' });
    assert.notEqual(root.isError, true, textOf(root));
    assert.match(textOf(root), /src\//);
  });

  test('inside paths still work (the refusals are not over-eager)', async () => {
    for (const [tool, args] of [['explore', { path: 'src/ok.py' }], ['explore', { path: './src/' }], ['trace', { file: 'src/ok.py', line: 2 }],
      ['blame', { file: 'src/ok.py' }], ['blame', { file: join(repo, 'src/ok.py') }], ['blame', { file: 'src/../src/ok.py', start_line: 1 }]] as const) {
      const r = await srv.call(tool, args);
      assert.notEqual(r.isError, true, `${tool} ${JSON.stringify(args)}: ${textOf(r)}`);
    }
  });

  test('blame refuses symlinks that lead outside', async () => {
    for (const f of ['leak.py', 'rel_leak.py', 'linkdir/secret.py', 'untracked_leak.py']) await check('blame', { file: f }, 'refused');
  });

  test('symlinks out of the checkout are never indexed or searched: no tool shows the outside file', async () => {
    for (const f of ['leak.py', 'rel_leak.py', 'untracked_leak.py']) {
      await check('explore', { path: f }, 'no-leak');
      await check('trace', { file: f, line: 1 }, 'no-leak');
    }
    await check('explore', { path: '' }, 'no-leak');
    await check('explore', { symbol: 'outside_secret_fn_7f3' }, 'no-leak');
    await check('explore', { query: 'outside secret' }, 'no-leak');
    await check('trace', { symbol: 'outside_secret_fn_7f3' }, 'no-leak');
    await check('blame', { symbol: 'outside_secret_fn_7f3' }, 'no-leak');
    const tools = await toolNames(srv.client);
    if (tools.includes('grep')) {
      await check('grep', { pattern: 's3cret' }, 'no-leak');
      await check('grep', { pattern: 'MARKER_DOC|outside_secret', path: 'leak.py' }, 'no-leak');
    }
    const outline = await srv.call('explore', { path: 'leak.py' });
    assert.match(textOf(outline), /symlink|skipped|not a source file/i, textOf(outline));
  });
});

// ---------------------------------------------------------------------------------------------------

describe('a checkout\'s git config cannot make the server run programs', () => {
  let srv: Served;
  let marker: string;
  let repo: string;

  before(async () => {
    const outside = tempDir('dsm-evilcfg-');
    marker = join(outside, 'ran');
    const evil = join(outside, 'evil.sh');
    writeFileSync(evil, `#!/bin/sh\necho "$0 $*" >> ${marker}\n`);
    chmodSync(evil, 0o755);
    repo = makeGitRepo({
      'src/a.py': 'def a_fn():\n    return 1\n', 'src/b.rs': 'fn b_fn() {}\n',
      '.gitattributes': '*.py diff=evil filter=evil\n*.rs diff=evil filter=evil\n',
    });
    for (const [k, v] of [
      ['core.fsmonitor', evil], ['diff.external', evil], ['diff.evil.textconv', evil], ['diff.evil.command', evil],
      ['filter.evil.clean', evil], ['filter.evil.smudge', evil], ['filter.evil.process', evil], ['filter.evil.required', 'false'],
      ['core.pager', evil], ['pager.blame', evil], ['pager.log', evil], ['gpg.program', evil], ['log.showSignature', 'true'],
      ['core.hooksPath', outside], ['core.sshCommand', evil], ['core.editor', evil], ['sequence.editor', evil],
      ['blame.ignoreRevsFile', ''],
    ]) sh(repo, ['config', k, v]);
    writeFileSync(join(repo, 'src/untracked.py'), 'def untracked_fn():\n    return 2\n');
    srv = await serve({ args: ['--repo', `evil=${repo}`, '--cache-dir', join(outside, 'cache')] });
  });
  after(async () => {
    await srv?.close();
  });

  test('index, explore, trace, blame (lines and history) and grep never run a program named in .git/config', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['explore', {}], ['explore', { path: 'src/a.py' }], ['trace', { symbol: 'a_fn' }],
      ['blame', { file: 'src/a.py' }], ['blame', { file: 'src/a.py', history: true, format: 'detailed' }], ['blame', { symbol: 'b_fn', history: true }],
    ];
    if ((await toolNames(srv.client)).includes('grep')) calls.push(['grep', { pattern: 'fn' }]);
    for (const [tool, args] of calls) await srv.call(tool, args);
    // An edit: the freshness check lists the files again.
    writeFileSync(join(repo, 'src/new.py'), 'def new_fn():\n    return 3\n');
    await new Promise((r) => setTimeout(r, 1500));
    for (const [tool, args] of calls) await srv.call(tool, args);
    assert.equal(existsSync(marker), false, `a program from the checkout's git config ran:\n${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
  });
});

// ---------------------------------------------------------------------------------------------------

type Prop = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number };

/** Wrong values for a parameter, from its advertised JSON schema. */
function wrongValues(p: Prop): unknown[] {
  const out: unknown[] = [null, [], {}, [1, 2], { nested: { deep: true } }];
  if (p.enum) out.push('no-such-option', 1, true);
  else if (p.type === 'string') out.push(123, true, 'x'.repeat((p.maxLength ?? 1000) + 1), 'y'.repeat(200_000));
  else if (p.type === 'integer' || p.type === 'number') {
    out.push('abc', '', true, 1e300, -1e300, Number.MAX_SAFE_INTEGER * 4);
    if (p.type === 'integer') out.push(1.5);
    if (p.minimum !== undefined) out.push(p.minimum - 1);
    if (p.maximum !== undefined) out.push(p.maximum + 1);
  } else if (p.type === 'boolean') out.push('yes', 1, 0);
  return out;
}

describe('bad arguments through the MCP client: every parameter of every tool', () => {
  let srv: Served;
  const examples = new Map<string, Record<string, unknown>>();
  let cases = 0;

  before(async () => {
    const r = await fixtureRepos();
    srv = await serve({ args: ['--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', r.cacheDir] });
  });
  after(async () => {
    await srv?.close();
    console.log(`bad-argument cases: ${cases}; distinct example calls checked: ${examples.size}`);
  });

  async function expectActionable(tool: string, args: Record<string, unknown>, field: RegExp): Promise<void> {
    cases++;
    const r = await srv.call(tool, args);
    const text = textOf(r);
    const what = `${tool} ${JSON.stringify(args).slice(0, 160)}`;
    assert.equal(r.isError, true, `${what} should be an isError result:\n${text.slice(0, 300)}`);
    assert.match(text, field, `${what}: the message names the parameter:\n${text}`);
    assert.ok(text.length < 2000, `${what}: the message is short (${text.length} chars), not an echo of the input`);
    const m = /Example of a valid call: (\w+) (\{.*\})/.exec(text);
    assert.ok(m, `${what}: the message shows a valid call:\n${text}`);
    assert.equal(m[1], tool);
    examples.set(`${m[1]} ${m[2]}`, JSON.parse(m[2]));
  }

  test('wrong-typed, out-of-range and huge values: named, explained, with a valid call', async () => {
    const { tools } = await srv.client.listTools();
    for (const t of tools) {
      const props = (t.inputSchema.properties ?? {}) as Record<string, Prop>;
      const base = Object.fromEntries((t.inputSchema.required as string[] | undefined ?? []).map((k) => [k, 'x']));
      for (const [k, p] of Object.entries(props)) {
        for (const v of wrongValues(p)) await expectActionable(t.name, { ...base, [k]: v }, new RegExp('`' + k + '`'));
      }
    }
    assert.ok(srv.alive());
  });

  test('missing required parameters and unknown extras: named, with the nearest known name', async () => {
    const { tools } = await srv.client.listTools();
    for (const t of tools) {
      const required = (t.inputSchema.required as string[] | undefined) ?? [];
      for (const k of required) await expectActionable(t.name, {}, new RegExp('`' + k + '`.*required'));
      const props = Object.keys(t.inputSchema.properties ?? {});
      const base = Object.fromEntries(required.map((k) => [k, 'x']));
      await expectActionable(t.name, { ...base, no_such_param: 1 }, /unknown parameter `no_such_param`/);
      await expectActionable(t.name, { ...base, ['z'.repeat(100_000)]: 1 }, /unknown parameter `z+…`/);
      await expectActionable(t.name, { ...base, constructor: 'x', toString: 'y' }, /unknown parameters? `constructor`/);
      // A typo gets a suggestion.
      const first = props.find((p) => p.length > 4)!;
      const typo = first.slice(0, -1) + 'q';
      await expectActionable(t.name, { ...base, [typo]: 'x' }, new RegExp(`did you mean \`${first}\``));
    }
  });

  test('every example call shown in an error message is itself a valid call', async () => {
    assert.ok(examples.size >= 4);
    for (const [key, args] of examples) {
      const r = await srv.call(key.split(' ')[0], args);
      assert.notEqual(r.isError, true, `the example "${key}" fails:\n${textOf(r).slice(0, 400)}`);
    }
  });

  test('numbers and booleans sent as strings are accepted ("10", "true")', async () => {
    const r = await srv.call('explore', { symbol: 'RadixCache', limit: '5' });
    assert.notEqual(r.isError, true, textOf(r));
    const t = await srv.call('trace', { symbol: 'RadixCache.match_prefix', depth: '2', include_tests: 'true' });
    assert.notEqual(t.isError, true, textOf(t));
  });

  test('a symbol made only of separators (".", "::", "...") is refused with a valid call, never an internal error', async () => {
    for (const symbol of ['.', '::', '...', ':: .', '.::.']) {
      for (const [tool, extra] of [['explore', {}], ['trace', { to: 'silu_and_mul' }], ['blame', {}]] as const) {
        const r = await srv.call(tool, { symbol, ...extra });
        const text = textOf(r);
        assert.equal(r.isError, true, `${tool} ${symbol}: ${text.slice(0, 200)}`);
        assert.doesNotMatch(text, /internal error/, `${tool} ${symbol}`);
        assert.match(text, /Example of a valid call: \w+ \{/, `${tool} ${symbol}: ${text}`);
      }
    }
    assert.ok(srv.alive());
  });

  test('an unknown tool is an isError result listing the tools', async () => {
    const r = await srv.call('no_such_tool', {});
    assert.equal(r.isError, true);
    assert.match(textOf(r), /Unknown tool "no_such_tool"\. Tools: explore, trace, blame/);
    assert.ok(srv.alive());
    const ok = await srv.call('explore', { symbol: 'RadixCache' });
    assert.notEqual(ok.isError, true);
  });
});
