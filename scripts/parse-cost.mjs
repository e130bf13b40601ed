#!/usr/bin/env node
// CPU cost of the native parser alone, per language: parse, the one query, and freeing the tree, over the
// files the index parses in the given checkouts (default $DYNAMO_ROOT and $SGLANG_ROOT), on the main thread.
// It isolates tree-sitter from the index's own work (extraction, codec, workers), so a change to the native
// binding or its compile flags can be compared in alternating runs:  node scripts/parse-cost.mjs [--every N] [--json] [ROOT…]
// (--every 2 takes every second file, for quicker A/B rounds; --json ends with the totals as one JSON line,
// which the bench reads as the cold index's floor). Run `npm run build` first.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './bench/util.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadGrammar } = await import(join(pkg, 'dist/lang/grammar.js'));
const { languageOf } = await import(join(pkg, 'dist/lang/registry.js'));

const args = process.argv.slice(2);
const json = args.includes('--json');
if (json) args.splice(args.indexOf('--json'), 1);
const everyAt = args.indexOf('--every');
const every = everyAt >= 0 ? Number(args.splice(everyAt, 2)[1]) : 1;
const roots = args.length ? args : [process.env.DYNAMO_ROOT, process.env.SGLANG_ROOT].filter(Boolean);
if (!(every >= 1)) {
  console.error('usage: node scripts/parse-cost.mjs [--every N] [--json] [ROOT…]  (N a whole number ≥ 1)');
  process.exit(2);
}
if (!roots.length) {
  console.log('parse-cost: SKIPPED — pass checkout paths or set DYNAMO_ROOT / SGLANG_ROOT.');
  process.exit(0);
}

const files = [];
const paths = await sourceFiles(join(pkg, 'dist'), roots.map((root) => ({ root })));
for (const [i, abs] of paths.entries()) {
  if (i % every === 0) files.push({ text: readFileSync(abs, 'utf8'), spec: languageOf(abs) });
}
const grammars = new Map();
for (const { spec } of files) if (!grammars.has(spec.id)) grammars.set(spec.id, await loadGrammar(spec, 'native'));
if ([...grammars.values()].some((g) => g.backend !== 'native')) {
  console.error('the native binding is not built (npm run build); this measures only the native parser');
  process.exit(1);
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const byLang = new Map();
for (const { text, spec } of files) {
  const g = grammars.get(spec.id);
  const row = byLang.get(spec.id) ?? byLang.set(spec.id, { files: 0, mb: 0, parse: 0, query: 0, free: 0 }).get(spec.id);
  const t0 = cpuMs();
  const tree = g.parser.parse(text);
  const t1 = cpuMs();
  g.query.matches(tree.rootNode);
  const t2 = cpuMs();
  tree.delete();
  const t3 = cpuMs();
  row.files++; row.mb += text.length / 1048576; row.parse += t1 - t0; row.query += t2 - t1; row.free += t3 - t2;
}
const total = { files: 0, mb: 0, parse: 0, query: 0, free: 0 };
console.log('language  files     MB  parse s  query s  free s');
for (const [id, r] of [...byLang, ['total', total]]) {
  if (id !== 'total') for (const k of Object.keys(total)) total[k] += r[k];
  const s = (ms) => (ms / 1000).toFixed(2).padStart(7);
  console.log(`${id.padEnd(8)} ${String(r.files).padStart(6)} ${r.mb.toFixed(1).padStart(6)}  ${s(r.parse)}  ${s(r.query)} ${s(r.free)}`);
}
if (json) console.log(JSON.stringify({ files: total.files, mb: total.mb, parseMs: total.parse, queryMs: total.query, freeMs: total.free }));
