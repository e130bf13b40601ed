import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extract } from '../src/lang/extract.js';
import { loadGrammar } from '../src/lang/grammar.js';
import { LANGUAGES } from '../src/lang/registry.js';

// Kernel launches written inside #define bodies (which the grammar keeps as raw text) are parsed from the
// body and recorded inside the macro's definition, at their own line and column.
const SOURCE = [
  '#define LAUNCH_NORM(T, N) \\',                                        // 1
  '  norm_kernel<T, N><<<grid, block, smem, stream>>>(out, in, eps);',   // 2
  '#define LAUNCH_ONE(T) one_kernel<T><<<1, 32>>>(x)',                   // 3
  '#define LAUNCH_NAMED(name, T) name<T><<<g, b>>>(p)',                  // 4
  '#define LAUNCH_QUALIFIED \\',                                         // 5
  '  do { \\',                                                           // 6
  '    ops::scale_kernel<float><<<g, b>>>(p); \\',                       // 7
  '  } while (0)',                                                       // 8
  '#define CHECK(x) check_impl(x)',                                      // 9
  '#define LAUNCH_COMMENTED(T) \\',                                      // 10
  '  do { \\',                                                           // 11
  '    /* a comment derails the grammar here */ \\',                    // 12
  '    late_kernel<T><<<g, b>>>(p); \\',                                 // 13
  '  } while (0)',                                                       // 14
  'void host(float* out) {',                                             // 15
  '  LAUNCH_NORM(float, 4);',                                            // 16
  '}',                                                                   // 17
  '',
].join('\n');

async function extractCuda(source: string) {
  const spec = LANGUAGES.find((l) => l.id === 'cuda')!;
  const g = await loadGrammar(spec);
  return extract(spec, g.parser, g.query, source);
}

test('a launch inside a #define body is a cuda-launch call of the macro, at its own line and column', async () => {
  const rec = await extractCuda(SOURCE);
  const lines = SOURCE.split('\n');
  const launches = rec.calls.filter((c) => c.kind === 'cuda-launch')
    .map((c) => ({ name: c.name, targs: c.targs, receiver: c.receiver, line: c.line, col: c.col, in: rec.defs[c.in]?.name }));
  const at = (line: number, name: string) => lines[line - 1].indexOf(name);
  assert.deepEqual(launches, [
    { name: 'norm_kernel', targs: 'T, N', receiver: undefined, line: 2, col: at(2, 'norm_kernel'), in: 'LAUNCH_NORM' },
    { name: 'one_kernel', targs: 'T', receiver: undefined, line: 3, col: at(3, 'one_kernel'), in: 'LAUNCH_ONE' },
    { name: 'scale_kernel', targs: 'float', receiver: 'ops', line: 7, col: at(7, 'scale_kernel'), in: 'LAUNCH_QUALIFIED' },
    { name: 'late_kernel', targs: 'T', receiver: undefined, line: 13, col: at(13, 'late_kernel'), in: 'LAUNCH_COMMENTED' },
  ], JSON.stringify(launches));
});

test('a macro parameter is no kernel name, and a body without a launch adds no calls', async () => {
  const rec = await extractCuda(SOURCE);
  const inMacro = (name: string) => rec.calls.filter((c) => rec.defs[c.in]?.name === name);
  assert.deepEqual(inMacro('LAUNCH_NAMED'), []);
  assert.deepEqual(inMacro('CHECK'), []);
});

test('a comment inside a macro body does not derail it: name and body are read from the text', async () => {
  const rec = await extractCuda(SOURCE);
  assert.deepEqual(rec.defs.filter((d) => d.line === 10).map((d) => d.name), ['LAUNCH_COMMENTED']);
  assert.ok(!rec.defs.some((d) => d.name === 'late_kernel'), 'the launched kernel is no macro name');
});

test('the host function calls the macro, even with a type among the arguments (an ERROR for the grammar)', async () => {
  const rec = await extractCuda(SOURCE);
  const use = rec.calls.find((c) => c.name === 'LAUNCH_NORM');
  assert.ok(use, 'LAUNCH_NORM(float, 4) is a call');
  assert.equal(rec.defs[use.in]?.name, 'host');
  assert.equal(use.line, 16);
});
