// After tsc: bundles the CLI and its worker threads into dist/bundle/ (what dist/cli/main.js runs; see
// src/cli/main.ts for why) and marks the entry executable (npx / bin).
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
chmodSync(`${dist}cli/main.js`, 0o755);
rmSync(`${dist}bundle`, { recursive: true, force: true });
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('postbuild: esbuild is not installed; dist/cli/main.js will run the unbundled modules (starts ~0.13 s slower)');
  process.exit(0);
}
await esbuild.build({
  // Every output sits one directory below dist/bundle/, as every module sits one below dist/: relative URLs
  // such as `../index/worker.js` resolve in both layouts.
  entryPoints: ['cli/run.js', 'index/worker.js', 'search/worker.js'].map((e) => `${dist}${e}`),
  outbase: dist,
  outdir: `${dist}bundle`,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Grammars and the wasm runtime load files next to their own code; they stay in node_modules.
  external: ['web-tree-sitter', 'tree-sitter', 'tree-sitter-*'],
  // Bundled CommonJS dependencies (simple-git) call require() for Node's modules.
  banner: { js: "import { createRequire as __dsmRequire } from 'node:module'; const require = __dsmRequire(import.meta.url);" },
  logLevel: 'warning',
});
