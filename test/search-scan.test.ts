/**
 * The scanner gives the same matches as running the regex on each line on its own (ripgrep's model),
 * whichever path it takes: exact literal, anchor-picked lines, the \w+ line filter, whole-text segments,
 * or the per-line redo when a match crossed a line break. Also: the trigram filter never rules out a file
 * that matches, and signature spans for the definitions scope.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePattern } from '../src/search/pattern.js';
import { makeScanner, scanText, signatureEnds } from '../src/search/scan.js';
import { bloomPasses, buildBloom, prepareQuery, TrigramScratch } from '../src/search/trigram.js';

function reference(text: string, source: string): number[] {
  const out: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const re = new RegExp(source, 'g');
    for (let m = re.exec(line); m; m = re.exec(line)) {
      out.push(i + 1, m.index, m[0].length);
      if (!m[0].length) re.lastIndex++;
    }
  });
  return out;
}

function scan(text: string, pattern: string, regex = true): number[] {
  const out: number[] = [];
  scanText(text, makeScanner(compilePattern({ pattern, regex })), out);
  return out;
}

const TEXT = [
  'class RadixCache(BasePrefixCache):',
  '    def evict(self, num_tokens: int) -> None:  # evict LRU leaves',
  '        self.evictable_size_ -= num_tokens\r',
  '        return self.token_to_kv_pool_allocator.free(x)',
  'fn handle_request(req: Request) -> Result<()> {',
  '    let a = 1;',
  '    b',
  '}',
  'x'.repeat(9000) + ' radixcache ' + 'y'.repeat(9000),
  'ends with a\r',
  '',
].join('\n');

describe('grep scanner', () => {
  test('every path agrees with per-line matching', () => {
    const cases: [string, boolean?][] = [
      ['RadixCache'], ['radixcache'], ['evict'], ['self\\.\\w+'], ['\\w+_\\w+\\('], ['fn\\s+\\w+_request'],
      ['a\\s+b'], ['\\d'], ['^\\s+'], ['a$'], ['[^x]y'], ['(a+)+$'], ['x{3}'], ['(.)'], ['self.evict', false],
    ];
    for (const [pattern, regex] of cases) {
      const p = compilePattern({ pattern, regex });
      assert.deepEqual(scan(TEXT, pattern, regex), reference(TEXT, p.source), `/${pattern}/`);
    }
  });

  test('a match that would cross a line is found line by line instead', () => {
    assert.deepEqual(scan('let a\n    b\n', 'a\\s+b'), []);
    assert.deepEqual(scan('a \n  b\na  b\n', '[^z]+b'), [2, 0, 3, 3, 0, 4]);
  });

  test('the trigram filter keeps every file that can match', () => {
    const scratch = new TrigramScratch();
    const bloom = buildBloom(TEXT, scratch);
    for (const pattern of ['RadixCache', 'radix_cache', 'evictable', 'token_to_kv', 'def (get|evict)', 'Ünïcode|evict']) {
      const p = compilePattern({ pattern });
      const hits = scan(TEXT, pattern).length > 0;
      if (hits) assert.ok(bloomPasses(bloom, prepareQuery(p.terms)), `${pattern} passes`);
    }
    assert.equal(bloomPasses(bloom, prepareQuery(compilePattern({ pattern: 'KvEventPublisher' }).terms)), false);
    assert.equal(bloomPasses(bloom, prepareQuery(compilePattern({ pattern: '\\w+' }).terms)), true, 'no literal: no filtering');
  });

  test('signature spans cover multi-line signatures only', () => {
    const text = 'def f(\n    a,\n    b,\n) -> int:\n    return a\n\nclass C:\n    pass\n';
    const defs = Int32Array.from([1, 'deff(a,b,)->int'.length, 7, 'classC'.length]);
    assert.deepEqual([...signatureEnds(text, defs)], [4, 7]);
  });
});
