/**
 * The grep pattern compiler: smart case, literals, ripgrep habits, precise errors for what cannot run on
 * the linear-time engine, case folding without the `i` flag, and the required literals used to prefilter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../src/errors.js';
import { compilePattern } from '../src/search/pattern.js';
import { linearCompatible } from '../src/search/v8-regexp.js';

function rejects(pattern: string, re: RegExp, regex = true): void {
  assert.throws(() => compilePattern({ pattern, regex }), (e: unknown) => e instanceof UserError && re.test(e.message), pattern);
}

describe('grep patterns', () => {
  test('smart case: lower-case patterns ignore case, an upper-case letter makes them exact', () => {
    assert.equal(compilePattern({ pattern: 'radix_cache' }).ignoreCase, true);
    assert.equal(compilePattern({ pattern: 'RadixCache' }).ignoreCase, false);
    assert.equal(compilePattern({ pattern: '\\W+\\S' }).ignoreCase, true, 'escapes are not upper-case letters');
    assert.equal(compilePattern({ pattern: 'radix', caseSensitive: true }).ignoreCase, false);
    assert.equal(compilePattern({ pattern: 'Radix', caseSensitive: false }).ignoreCase, true);
    const inline = compilePattern({ pattern: '(?i)RadixCache' });
    assert.equal(inline.ignoreCase, true);
    assert.equal(inline.caseReason, 'inline');
  });

  test('case folding is spelled out as classes and matches like the i flag', () => {
    for (const pattern of ['radix_cache', 'kv[a-f]+_?evt', '[^x-z]eviction', 'café', '(?i:tree)Node']) {
      const p = compilePattern({ pattern });
      assert.ok(linearCompatible(p.source, 'g'), `${pattern} stays on the linear engine: ${p.source}`);
      const ours = new RegExp(p.source);
      const samples = ['RADIX_CACHE', 'Radix_Cache', 'KVabcEVT', 'kVF_eVt', 'AEVICTION', 'xeviction', 'CAFÉ', 'TREENode', 'treenode'];
      for (const s of samples) {
        const want = pattern.startsWith('(?i:') ? /(?:[tT][rR][eE][eE])Node/.test(s) : new RegExp(pattern, 'i').test(s);
        assert.equal(ours.test(s), want, `${pattern} on ${s}`);
      }
    }
  });

  test('literal search needs no escaping and is exact', () => {
    const p = compilePattern({ pattern: 'foo(bar[0].baz)', regex: false });
    assert.equal(p.exact, true);
    assert.equal(p.anchor, 'foo(bar[0].baz)');
    assert.ok(new RegExp(p.source).test('x = foo(bar[0].baz) + 1'));
    assert.ok(!new RegExp(p.source).test('foo(barX0].baz)'));
  });

  test('required literals prefilter files and pick candidate lines', () => {
    assert.deepEqual(compilePattern({ pattern: 'def (get|put)_block' }).terms, [['def get_block', 'def put_block']]);
    const p = compilePattern({ pattern: 'fn\\s+\\w+_request\\(' });
    assert.deepEqual(p.terms, [['fn'], ['_request(']]);
    assert.equal(p.anchor, '_request(');
    assert.equal(compilePattern({ pattern: 'RadixCache\\.evict' }).exact, true);
    assert.equal(compilePattern({ pattern: '\\bRadixCache\\b' }).exact, undefined, 'assertions need the regex');
    assert.deepEqual(compilePattern({ pattern: 'a|\\w+' }).terms, [], 'an alternative that needs nothing needs nothing');
    assert.deepEqual(compilePattern({ pattern: '(foo)?bar' }).terms, [['bar']]);
  });

  test('patterns starting with \\w+ get a word-boundary line filter', () => {
    assert.equal(compilePattern({ pattern: '\\w+_\\w+\\(' }).lineFilter, '\\b(?:\\w+_\\w+\\()');
    assert.equal(compilePattern({ pattern: '\\w*x' }).lineFilter, undefined);
    assert.equal(compilePattern({ pattern: 'a|\\w+' }).lineFilter, undefined);
  });

  test('ripgrep habits: (?P<name>…) groups and POSIX classes', () => {
    const named = compilePattern({ pattern: '(?P<fn>def) [[:alpha:]_]+' });
    assert.ok(new RegExp(named.source).test('def evict_'));
  });

  test('invalid and unsafe patterns get errors that say what is wrong', () => {
    rejects('(unclosed', /Invalid regex: .*Unterminated group/);
    rejects('a{2,1}', /Invalid regex/);
    rejects('(a)\\1', /backreference \(\\1\)/);
    rejects('foo(?=bar)', /look-around/);
    rejects('(?<!x)foo', /look-around/);
    rejects('\\p{L}+', /\\p\{…\}/);
    rejects('a\\nb', /line break/);
    rejects('', /empty/);
    rejects('x'.repeat(1001), /too long/);
    rejects('a\nb', /line break/, false);
  });
});
