import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { extract, extractAsync } from '../src/lang/extract.js';
import { loadGrammar, queryText } from '../src/lang/grammar.js';
import { ADDON_PATH, nativeUnavailable, patternRoots } from '../src/lang/native.js';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { LANGUAGES, languageOf, type LanguageSpec } from '../src/lang/registry.js';
import type { SyntaxMatch } from '../src/lang/syntax.js';
import { fixtureSourceFiles } from './helpers/fixture.js';

// The native binding is built by `npm install` (native/build.mjs). Without it the index still works
// on web-tree-sitter; these tests say so instead of passing on one backend only. DSM_NATIVE=0 opts out.
const optedOut = process.env.DSM_NATIVE === '0';

async function both(spec: LanguageSpec, source: string) {
  const native = await loadGrammar(spec, 'native');
  const wasm = await loadGrammar(spec, 'wasm');
  assert.equal(native.backend, 'native', `native binding unavailable: ${nativeUnavailable()}`);
  assert.equal(wasm.backend, 'wasm');
  const out = {
    native: extract(spec, native.parser, native.query, source),
    wasm: extract(spec, wasm.parser, wasm.query, source),
  };
  // The cold index's path: parsed and matched on a libuv pool thread.
  assert.ok(native.parser.parseMatched, 'the native parser parses off the thread');
  assert.deepEqual(await extractAsync(spec, native.parser, native.query, source), out.native, 'parsed on a pool thread');
  return out;
}

test('the native tree-sitter binding was built by the install', { skip: optedOut && 'DSM_NATIVE=0' }, () => {
  assert.equal(nativeUnavailable(), undefined, 'run `npm run install` (needs a C compiler and Node headers)');
});

test('native and wasm bindings give identical records for every fixture file', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const files = fixtureSourceFiles();
  assert.ok(files.length >= 20, `only ${files.length} fixture files`);
  const langs = new Set<string>();
  for (const f of files) {
    const spec = languageOf(f)!;
    langs.add(spec.id);
    const { native, wasm } = await both(spec, readFileSync(f, 'utf8'));
    assert.deepEqual(native, wasm, f);
  }
  assert.deepEqual([...langs].sort(), LANGUAGES.map((l) => l.id).sort());
});

test('the native walk finds the nodes a tree cursor finds: aliased, inside hidden nodes, extras, errors', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  // The binding walks subtrees itself (walk() in the addon) where web-tree-sitter uses its tree cursor.
  // Aliased types (field_identifier, type_identifier...) only exist through a production's alias sequence,
  // comments are extras (outside it), and broken code puts nodes under ERROR.
  const types: Record<string, string[]> = {
    python: ['identifier', 'string', 'string_content', 'comment', 'call', 'keyword_argument', 'ERROR'],
    rust: ['identifier', 'field_identifier', 'type_identifier', 'shorthand_field_identifier', 'line_comment', 'macro_invocation', 'ERROR'],
    cpp: ['identifier', 'field_identifier', 'type_identifier', 'namespace_identifier', 'comment', 'call_expression', 'ERROR'],
    cuda: ['identifier', 'field_identifier', 'type_identifier', 'comment', 'kernel_call_syntax', 'call_expression', 'ERROR'],
  };
  const sources: [LanguageSpec, string][] = [];
  for (const f of fixtureSourceFiles()) if (types[languageOf(f)!.id]) sources.push([languageOf(f)!, readFileSync(f, 'utf8')]);
  for (const spec of LANGUAGES.filter((l) => types[l.id])) sources.push([spec, 'fn f( {\n  let x = [1, 2;\n}\n#define G(\nclass {\n  def (x:\n']);
  const seen = new Map<string, number>();
  for (const [spec, source] of sources) {
    const native = await loadGrammar(spec, 'native');
    const wasm = await loadGrammar(spec, 'wasm');
    const trees = [native.parser.parse(source)!, wasm.parser.parse(source)!];
    try {
      for (const type of types[spec.id]) {
        const [n, w] = trees.map((t) => t.rootNode.descendantsOfType(type).map((x) => `${x!.type}@${x!.startIndex}-${x!.endIndex}`));
        assert.deepEqual(n, w, `${spec.id} ${type}`);
        seen.set(`${spec.id} ${type}`, (seen.get(`${spec.id} ${type}`) ?? 0) + n.length);
      }
    } finally {
      for (const t of trees) t.delete();
    }
  }
  // Every type above was found at least once, so each comparison compared something.
  for (const [key, count] of seen) assert.ok(count > 0, `no ${key} in the fixture files`);
});

test('offsets and columns are UTF-16 code units in both bindings (accents, emoji before a call)', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const spec = LANGUAGES.find((l) => l.id === 'python')!;
  const source = '# héllo 🚀 wörld\ndef f():\n    """Ünïcode 🚀 doc"""\n    x = "🚀🚀"; g(x)\n    return "é".h()\n';
  const { native, wasm } = await both(spec, source);
  assert.deepEqual(native, wasm);
  const g = native.calls.find((c) => c.name === 'g')!;
  assert.equal(g.line, 4);
  assert.equal(g.col, source.split('\n')[3].indexOf('g(x)'));
  assert.equal(native.defs[0].doc, 'Ünïcode 🚀 doc');
});

test('query predicates (#eq?, #any-of?, #match?) filter matches in the native binding', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const rust = LANGUAGES.find((l) => l.id === 'rust')!;
  const src = 'fn f() -> Result<()> {\n    let a = Err(e);\n    let b = Fine(e);\n    bail!("x");\n    println!("y");\n    Ok(())\n}\n';
  const { native, wasm } = await both(rust, src);
  assert.deepEqual(native.errors, wasm.errors);
  assert.deepEqual(native.errors.map((e) => `${e.kind}@${e.line}`).sort(), ['err@2', 'err@4']);
  const cuda = LANGUAGES.find((l) => l.id === 'cuda')!;
  const cu = 'void h() {\n  LAUNCH_X(float, 4);\n  launch_x(float, 4);\n}\n';
  const r = await both(cuda, cu);
  assert.deepEqual(r.native.calls, r.wasm.calls);
});

test('files parsed on the pool threads, many at once, give the records of a parse on this thread', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const files = fixtureSourceFiles();
  const inputs = await Promise.all(files.map(async (f) => {
    const spec = languageOf(f)!;
    return { f, spec, g: await loadGrammar(spec, 'native'), text: readFileSync(f, 'utf8') };
  }));
  const sync = inputs.map(({ spec, g, text }) => extract(spec, g.parser, g.query, text));
  // Every file in flight together, twice over: more parses than pool threads, finishing in any order.
  const twice = [...inputs, ...inputs];
  const offThread = await Promise.all(twice.map(({ spec, g, text }) => extractAsync(spec, g.parser, g.query, text)));
  offThread.forEach((rec, i) => assert.deepEqual(rec, sync[i % inputs.length], twice[i].f));
});

test('a tree parsed off the thread: its root answers the query from the parse, then as any tree; freed off the thread', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const spec = LANGUAGES.find((l) => l.id === 'python')!;
  const g = await loadGrammar(spec, 'native');
  const code = 'import os\nclass A:\n    def f(self):\n        return os.path.join(self.x, g(1))\n';
  const shape = (ms: { patternIndex: number; captures: { name: string; node: { text: string; startIndex: number } }[] }[]) =>
    ms.map((m) => [m.patternIndex, ...m.captures.map((c) => `${c.name}=${c.node.text}@${c.node.startIndex}`)]);
  const plain = g.parser.parse(code)!;
  const expected = shape(g.query.matches(plain.rootNode));
  plain.delete();
  assert.equal(expected.length, 5);
  const tree = await g.parser.parseMatched!(code, g.query);
  assert.equal(tree.rootNode.type, 'module');
  assert.equal(tree.rootNode.endIndex, code.length);
  assert.deepEqual(shape(g.query.matches(tree.rootNode)), expected, 'from the words found with the parse');
  assert.deepEqual(shape(g.query.matches(tree.rootNode)), expected, 'run again on this thread');
  const cls = tree.rootNode.namedChildren[1]!;
  assert.equal(cls.type, 'class_definition');
  assert.deepEqual(shape(g.query.matches(cls)), expected.filter((m) => m.slice(1).every((c) => Number(String(c).split('@').pop()) >= cls.startIndex)), 'a subtree is queried here, not from the root\'s words');
  tree.delete();
  assert.throws(() => cls.firstNamedChild, /deleted tree/);
  tree.delete(); // twice is harmless
  const require = createRequire(import.meta.url);
  const addon = require(ADDON_PATH) as { parseAsync(l: object, s: string, q: object | null, r: Uint8Array | null): Promise<unknown> };
  const lang = (require(spec.grammar.pkg) as { language: object }).language;
  assert.throws(() => addon.parseAsync({}, code, null, null), /not a tree-sitter language/);
  assert.throws(() => addon.parseAsync(lang, code, null, new Uint8Array(8)), /roots must be a Uint8Array of 8192 bytes/);
  const [handle, words] = await addon.parseAsync(lang, code, null, null) as [object, Uint32Array];
  assert.ok(handle);
  assert.equal(words.length, 10, 'no query: the root node\'s words only');
});

// The AddressSanitizer check loads a build without arenas (DSM_NATIVE_ADDON, scripts/check-asan.mjs).
const otherBuild = process.env.DSM_NATIVE_ADDON ? 'another build of the binding (DSM_NATIVE_ADDON): it may have no arenas' : false;

test('each tree has an arena of its own: a kept tree stays whole while others are parsed and freed on and off the thread', { skip: (optedOut && 'DSM_NATIVE=0') || otherBuild }, async () => {
  assert.equal(nativeUnavailable(), undefined);
  const require = createRequire(import.meta.url);
  const addon = require(ADDON_PATH) as { parse(lang: object, src: string): object; deleteTree(tree: object): void; treeBytes(tree: object): number };
  const inputs = await Promise.all(fixtureSourceFiles().map(async (f) => {
    const spec = languageOf(f)!;
    return { f, spec, g: await loadGrammar(spec, 'native'), text: readFileSync(f, 'utf8') };
  }));
  const glibc = !!(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  for (const { f, spec, text } of inputs) {
    const raw = addon.parse((require(spec.grammar.pkg) as { language: object }).language, text);
    if (glibc) assert.ok(addon.treeBytes(raw) > text.length, `${f}: parsed into an arena`);
    else assert.equal(addon.treeBytes(raw), 0, 'no arenas without glibc');
    addon.deleteTree(raw);
    assert.equal(addon.treeBytes(raw), 0, 'deleted');
  }
  const shape = (ms: SyntaxMatch[]) => ms.map((m) => [m.patternIndex, ...m.captures.map((c) => `${c.name}=${c.node.type}@${c.node.startIndex}-${c.node.endIndex}:${c.node.endPosition.row}`)]);
  const kept = inputs.map(({ g, text }) => g.parser.parse(text)!);
  const expected = kept.map((t, i) => shape(inputs[i].g.query.matches(t.rootNode)));
  // Three rounds of parsing every file again and freeing it (off the thread) at once, half of them parsed on
  // the pool threads: the freed trees' chunks go to the next parses, and must never be a kept tree's.
  for (let round = 0; round < 3; round++) {
    const trees = await Promise.all(inputs.map(({ g, text }, i) => (i % 2 ? g.parser.parseMatched!(text, g.query) : g.parser.parse(text)!)));
    trees.forEach((t, i) => {
      assert.deepEqual(shape(inputs[i].g.query.matches(t.rootNode)), expected[i], `${inputs[i].f}: a new parse`);
      t.delete();
    });
    await new Promise((r) => setTimeout(r, 20));
  }
  kept.forEach((t, i) => assert.deepEqual(shape(inputs[i].g.query.matches(t.rootNode)), expected[i], `${inputs[i].f}: the kept tree`));
  for (const t of kept) t.delete();
});

test('a node of a deleted tree throws instead of reading freed memory', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  const g = await loadGrammar(LANGUAGES.find((l) => l.id === 'python')!, 'native');
  const tree = g.parser.parse('def f():\n    pass\n')!;
  const root = tree.rootNode;
  tree.delete();
  assert.throws(() => root.firstNamedChild, /deleted tree/);
});

test('the index command says which parser it used; the wasm fallback indexes the same files', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { fixtureRepos } = await import('./helpers/fixture.js');
  const { SERVER_JS } = await import('./helpers/client.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const fx = await fixtureRepos();
  const index = async (parser?: string, entry = SERVER_JS, more: Record<string, string> = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DSM_PREWARM: '0', DSM_PARSER: parser ?? '', ...more };
    if (!more.UV_THREADPOOL_SIZE) delete env.UV_THREADPOOL_SIZE;
    const cacheDir = mkdtempSync(join(tmpdir(), 'dsm-parser-'));
    const args = [entry, 'index', '--json', '--dynamo', fx.dynamo, '--sglang', fx.sglang, '--cache-dir', cacheDir];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { env }).finally(() => rmSync(cacheDir, { recursive: true, force: true }));
    type Report = { parser: string; cpuSeconds: number; poolThreads: number; repos: { name: string; parsed: number }[] };
    return { report: JSON.parse(stdout.trim().split('\n').pop()!) as Report, stderr };
  };
  const wasm = await index('wasm');
  assert.match(wasm.report.parser, /^web-tree-sitter \(DSM_PARSER=wasm\)/);
  assert.ok(wasm.report.cpuSeconds > 0, 'the report gives the process\'s CPU time');
  assert.match(wasm.stderr, /parsing with web-tree-sitter/);
  if (!optedOut) {
    const native = await index();
    assert.equal(native.report.parser, 'native');
    assert.doesNotMatch(native.stderr, /parsing with web-tree-sitter/);
    assert.deepEqual(native.report.repos.map((r) => [r.name, r.parsed]), wasm.report.repos.map((r) => [r.name, r.parsed]));
    assert.equal(native.report.poolThreads, 4, 'run as an ES module entry, libuv keeps its default pool');
    // The command (package.json bin) sizes the pool to the parser threads before Node starts it; an explicit size wins.
    const bin = join(PACKAGE_ROOT, pkgBin());
    const sized = await index(undefined, bin, { DSM_THREADS: '3' });
    assert.equal(sized.report.poolThreads, 3);
    assert.deepEqual(sized.report.repos.map((r) => [r.name, r.parsed]), native.report.repos.map((r) => [r.name, r.parsed]));
    assert.equal((await index(undefined, bin, { DSM_THREADS: '3', UV_THREADPOOL_SIZE: '5' })).report.poolThreads, 5);
  }
});

function pkgBin(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['dynamo-sglang-mcp'];
}

test('a compiled query is shared by the threads of the process and freed with the last one holding it', { skip: optedOut && 'DSM_NATIVE=0' }, async () => {
  assert.equal(nativeUnavailable(), undefined); // loads the addon in this thread (and gives it its transfer buffer)
  const require = createRequire(import.meta.url);
  const spec = LANGUAGES.find((l) => l.id === 'python')!;
  const addon = require(ADDON_PATH) as {
    newQuery(lang: object, src: string): { query: object; compiled: boolean };
    parse(lang: object, src: string): object;
    matches(q: object, tree: object): Uint32Array;
    deleteTree(tree: object): void;
  };
  const lang = (require(spec.grammar.pkg) as { language: object }).language;
  const code = 'import os\nclass A:\n    def f(self):\n        return os.path.join(self.x, g(1))\n';
  const count = (q: object) => {
    const tree = addon.parse(lang, code);
    const n = addon.matches(q, tree).length;
    addon.deleteTree(tree);
    return n;
  };
  // In a worker thread that then exits (the test's own copy of the query source, so no other test shares it).
  const inWorker = async (src: string) => {
    const w = new Worker(`
      const { parentPort, workerData: d } = require('node:worker_threads');
      const addon = require(d.addon);
      addon.init(new Uint32Array(64));
      const lang = require(d.pkg).language;
      const q = addon.newQuery(lang, d.src);
      const tree = addon.parse(lang, d.code);
      parentPort.postMessage({ compiled: q.compiled, n: addon.matches(q.query, tree).length });
      addon.deleteTree(tree);`, { eval: true, workerData: { addon: ADDON_PATH, pkg: require.resolve(spec.grammar.pkg), src, code } });
    const [reply] = await Promise.all([once(w, 'message'), once(w, 'exit')]);
    return reply[0] as { compiled: boolean; n: number };
  };
  const src = `${queryText(spec)}\n; shared-query test ${process.pid}-1\n`;
  const main = addon.newQuery(lang, src);
  assert.equal(main.compiled, true);
  const expected = count(main.query);
  assert.ok(expected > 0);
  assert.deepEqual(await inWorker(src), { compiled: false, n: expected }, 'the worker reuses the main thread\'s query');
  assert.equal(count(main.query), expected, 'the query outlives the worker that also held it');
  assert.equal(addon.newQuery(lang, src).compiled, false);

  const src2 = `${queryText(spec)}\n; shared-query test ${process.pid}-2\n`;
  assert.deepEqual(await inWorker(src2), { compiled: true, n: expected });
  assert.equal(addon.newQuery(lang, src2).compiled, true, 'freed when its only holder exited, so compiled again');
  assert.throws(() => addon.newQuery(lang, '(no_such_node) @x'), /node type error/);
  assert.throws(() => addon.newQuery(lang, '(no_such_node) @x'), /node type error/, 'a failed compile fails again the same way');
});

test('the native query runs at its patterns\' root types, and walks the whole tree when a pattern could start anywhere', () => {
  const types = ['end', 'call', 'identifier', 'string', 'module', 'function_definition'];
  const names = (bits: Uint8Array | undefined) => bits && types.filter((_, i) => bits[i >> 3] & (1 << (i & 7)));
  assert.deepEqual(names(patternRoots('(call function: (identifier) @n) @c ; (string) in a comment', types)), ['call']);
  assert.deepEqual(names(patternRoots('[(call) (module)] @x\n(function_definition name: (identifier) @name) @def', types)), ['call', 'module', 'function_definition']);
  assert.deepEqual(names(patternRoots('((call (identifier) @n) (#eq? @n "a(b"))', types)), ['call'], 'a group of one node and its predicates');
  assert.equal(patternRoots('((call) (module))', types), undefined, 'a sequence of siblings');
  assert.equal(patternRoots('(_ (call))', types), undefined, 'a wildcard');
  assert.equal(patternRoots('"def" @kw', types), undefined, 'an anonymous node');
  assert.equal(patternRoots('(lambda)', types), undefined, 'a type the grammar lacks');
  assert.equal(patternRoots('(module) (identifier)', types, new Set([2])), undefined, 'a supertype');
  assert.deepEqual(names(patternRoots('(call) ; a "quote in a comment\n(string "a;b") @s', types)), ['call', 'string']);
  // Every language's query has known roots, so no language falls back to the whole-tree cursor.
  const require = createRequire(import.meta.url);
  for (const spec of LANGUAGES) {
    const lang = (require(spec.grammar.pkg) as { language: object }).language;
    const info = (require(ADDON_PATH) as { languageInfo(l: object): { types: (string | null)[]; supertypes: number[] } }).languageInfo(lang);
    assert.ok(info.supertypes.length > 0 || spec.id !== 'python', 'the binding reports supertypes (python has `expression`)');
    assert.ok(patternRoots(queryText(spec), info.types, new Set(info.supertypes)), `${spec.id}: a query pattern has no fixed root type`);
  }
});
