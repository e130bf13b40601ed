/** Loads tree-sitter wasm grammars and compiles each language's query files once per thread. */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser, Query } from 'web-tree-sitter';
import { contextPatterns } from './extract.js';
import type { LanguageSpec } from './registry.js';

const require = createRequire(import.meta.url);

/** Package root: dist/lang/grammar.js (or dist-test/src/lang/…) → walk up to the dir with queries/. */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readdirSync(join(dir, 'queries'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('dynamo-sglang-mcp: cannot find the queries/ directory of the package');
})();

export interface LoadedGrammar {
  language: Language;
  query: Query;
}

let initDone: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();
const loaded = new Map<string, Promise<LoadedGrammar>>();

export function queryText(spec: LanguageSpec): string {
  const parts: string[] = [];
  for (const dir of spec.queryDirs) {
    const full = join(PACKAGE_ROOT, 'queries', dir);
    for (const f of readdirSync(full).filter((f) => f.endsWith('.scm')).sort()) {
      parts.push(readFileSync(join(full, f), 'utf8'));
    }
  }
  parts.push(contextPatterns(spec));
  return parts.join('\n');
}

export async function loadGrammar(spec: LanguageSpec): Promise<LoadedGrammar> {
  // Languages with the same grammar and queries (C and C++) share one compiled query: compiling the C++
  // query takes ~0.5 s per worker.
  const key = `${spec.grammar.pkg}:${spec.queryDirs.join(',')}:${contextPatterns(spec)}`;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      initDone ??= Parser.init();
      await initDone;
      let lp = languages.get(spec.grammar.pkg);
      if (!lp) {
        lp = Language.load(require.resolve(`${spec.grammar.pkg}/${spec.grammar.file}`));
        languages.set(spec.grammar.pkg, lp);
      }
      const language = await lp;
      return { language, query: new Query(language, queryText(spec)) };
    })();
    loaded.set(key, p);
  }
  return p;
}
