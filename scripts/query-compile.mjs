#!/usr/bin/env node
// Wall time to compile each language's query with the native binding: once per process and grammar, on the
// cold index's path and before the first re-parse of a warm server. tree-sitter analyses every pattern step
// against the grammar's parse table, so with the C++ grammar each pattern costs ~12 ms: one pattern with an
// alternation costs about what one plain pattern does. `--parts` times each query file on its own.
//   node scripts/query-compile.mjs [--parts] [LANG…]      (run `npm run build` first; needs no checkout)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const { languageById, LANGUAGES } = await import(join(pkg, 'dist/lang/registry.js'));
const { queryFiles, queryText } = await import(join(pkg, 'dist/lang/grammar.js'));
const { contextPatterns } = await import(join(pkg, 'dist/lang/extract.js'));
const { ADDON_PATH, nativeUnavailable } = await import(join(pkg, 'dist/lang/native.js'));

const args = process.argv.slice(2);
const parts = args.includes('--parts');
const ids = args.filter((a) => a !== '--parts');
const specs = ids.length ? ids.map((id) => languageById(id) ?? usage(`unknown language ${id}`)) : LANGUAGES;
if (nativeUnavailable()) {
  console.error(`the native binding is not usable (${nativeUnavailable()}); run npm run build`);
  process.exit(1);
}
const require = createRequire(join(pkg, 'package.json'));
const addon = require(ADDON_PATH);

// The addon shares a compiled query between threads by its text: a unique comment makes each timing a compile.
let seq = 0;
const compileMs = (language, source) => {
  const t = performance.now();
  addon.newQuery(language, `${source}\n; ${process.pid}-${++seq}`);
  return performance.now() - t;
};

console.log('language  query file                 compile ms');
const seen = new Set();
for (const spec of specs) {
  // C and C++ share a grammar and queries, so the index compiles them once: so does this.
  const key = `${spec.grammar.pkg}\0${queryText(spec)}`;
  if (seen.has(key)) continue;
  seen.add(key);
  const language = require(spec.grammar.pkg).language;
  if (parts) {
    for (const f of queryFiles(spec)) {
      console.log(`${spec.id.padEnd(9)} ${f.name.padEnd(26)} ${compileMs(language, f.text).toFixed(0).padStart(10)}`);
    }
    console.log(`${spec.id.padEnd(9)} ${'(context patterns)'.padEnd(26)} ${compileMs(language, contextPatterns(spec)).toFixed(0).padStart(10)}`);
  }
  console.log(`${spec.id.padEnd(9)} ${'whole query'.padEnd(26)} ${compileMs(language, queryText(spec)).toFixed(0).padStart(10)}`);
}

function usage(msg) {
  console.error(`${msg}\nusage: node scripts/query-compile.mjs [--parts] [LANG…]  (LANG one of ${LANGUAGES.map((l) => l.id).join(', ')})`);
  process.exit(2);
}
