/**
 * Compiles each language's query files once per thread, for the native binding when it was built
 * (native.ts) and for web-tree-sitter otherwise. Both give identical records; the native one is faster.
 * DSM_PARSER=wasm forces the wasm binding.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Language } from 'web-tree-sitter';
import { log } from '../log.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { contextPatterns } from './extract.js';
import { nativeGrammar } from './native.js';
import type { LanguageSpec } from './registry.js';
import type { Backend, SyntaxParser, SyntaxQuery } from './syntax.js';

const require = createRequire(import.meta.url);

export interface LoadedGrammar {
  backend: Backend;
  /** One parser per language and thread: parse() is not re-entrant. */
  parser: SyntaxParser;
  query: SyntaxQuery;
}

let wasm: Promise<typeof import('web-tree-sitter')> | undefined;
const languages = new Map<string, Promise<Language>>();
const loaded = new Map<string, Promise<LoadedGrammar>>();

/** The language's query files (`dir/file.scm` and text), in the order they are compiled. */
export function queryFiles(spec: LanguageSpec): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const dir of spec.queryDirs) {
    const full = join(PACKAGE_ROOT, 'queries', dir);
    for (const f of readdirSync(full).filter((f) => f.endsWith('.scm')).sort()) {
      out.push({ name: `${dir}/${f}`, text: readFileSync(join(full, f), 'utf8') });
    }
  }
  return out;
}

/** The whole query: the query files, then the patterns generated from the registry. */
export function queryText(spec: LanguageSpec): string {
  return [...queryFiles(spec).map((f) => f.text), contextPatterns(spec)].join('\n');
}

export function wantedBackend(): Backend {
  return process.env.DSM_PARSER === 'wasm' ? 'wasm' : 'native';
}

/** Loads web-tree-sitter and compiles its runtime (tree-sitter.wasm) once per thread, only when used. */
function wasmRuntime(): Promise<typeof import('web-tree-sitter')> {
  wasm ??= import('web-tree-sitter').then(async (m) => {
    await m.Parser.init();
    return m;
  });
  return wasm;
}

export async function loadGrammar(spec: LanguageSpec, backend: Backend = wantedBackend()): Promise<LoadedGrammar> {
  // Languages with the same grammar and queries (C and C++) share one compiled query: compiling the C++
  // query takes ~0.3 s per thread.
  const key = `${backend}:${spec.grammar.pkg}:${spec.queryDirs.join(',')}:${contextPatterns(spec)}`;
  let p = loaded.get(key);
  if (!p) {
    p = (async (): Promise<LoadedGrammar> => {
      if (backend === 'native') {
        try {
          const g = nativeGrammar(spec, queryText(spec));
          if (g) return { backend, ...g };
        } catch (e) {
          // The grammar package's own binding did not load, or the query uses a predicate the native
          // binding does not evaluate: web-tree-sitter serves this language.
          log(`${spec.id}: native parser unusable (${(e as Error).message}); using web-tree-sitter`);
        }
      }
      const { Language, Parser, Query } = await wasmRuntime();
      let lp = languages.get(spec.grammar.pkg);
      if (!lp) {
        lp = Language.load(require.resolve(`${spec.grammar.pkg}/${spec.grammar.file}`));
        languages.set(spec.grammar.pkg, lp);
      }
      const language = await lp;
      const parser = new Parser();
      parser.setLanguage(language);
      // web-tree-sitter's classes implement the Syntax* interfaces; its declared types differ only in
      // nullability details (e.g. Query.matches takes its own Node class).
      return { backend: 'wasm', parser: parser as unknown as SyntaxParser, query: new Query(language, queryText(spec)) as unknown as SyntaxQuery };
    })();
    loaded.set(key, p);
  }
  return p;
}
