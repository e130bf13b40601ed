/** Loads tree-sitter wasm grammars and compiles each language's query files once per thread. */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';
import { PACKAGE_ROOT } from '../package-root.js';
import { contextPatterns } from './extract.js';
import type { LanguageSpec } from './registry.js';

const require = createRequire(import.meta.url);

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

/** Compiles the tree-sitter runtime (tree-sitter.wasm) once per thread; loadGrammar calls it too. */
export function initRuntime(): Promise<void> {
  initDone ??= Parser.init();
  return initDone;
}

export async function loadGrammar(spec: LanguageSpec): Promise<LoadedGrammar> {
  // Languages with the same grammar and queries (C and C++) share one compiled query: compiling the C++
  // query takes ~0.5 s per worker.
  const key = `${spec.grammar.pkg}:${spec.queryDirs.join(',')}:${contextPatterns(spec)}`;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      await initRuntime();
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
