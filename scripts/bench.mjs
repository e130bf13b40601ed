// npm run bench — benchmarks on real checkouts (DYNAMO_ROOT / SGLANG_ROOT, or --repo NAME=PATH for any
// checkout). Runs every section in scripts/bench/*.mjs in name order; each prints its own table, with
// peers (universal-ctags, ripgrep, git) measured in the same run. `npm run bench -- grep` runs one section.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const repos = [];
if (process.env.DYNAMO_ROOT) repos.push({ name: 'dynamo', root: resolve(process.env.DYNAMO_ROOT) });
if (process.env.SGLANG_ROOT) repos.push({ name: 'sglang', root: resolve(process.env.SGLANG_ROOT) });
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repo') { const [name, ...p] = args[++i].split('='); repos.push({ name, root: resolve(p.join('=')) }); }
  else only.push(args[i]);
}
if (!repos.length) {
  console.log('bench: SKIPPED — set DYNAMO_ROOT and/or SGLANG_ROOT (or pass --repo NAME=PATH) to benchmark real checkouts.');
  process.exit(0);
}
console.log(`bench on ${repos.map((r) => `${r.name}=${r.root}`).join(', ')} (${new Date().toISOString()}, node ${process.version})`);
const sections = readdirSync(join(here, 'bench')).filter((f) => f.endsWith('.mjs')).sort()
  .filter((f) => !only.length || only.some((o) => f.includes(o)));
for (const f of sections.filter((f) => f !== "util.mjs")) {
  const mod = await import(pathToFileURL(join(here, 'bench', f)).href);
  console.log(`\n## ${f.replace(/^\d+-|\.mjs$/g, '')}`);
  await mod.run({ repos, distDir: join(here, '..', 'dist') });
}
