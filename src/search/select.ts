/**
 * Which files a search covers: repo, path (a glob, or a directory/file prefix) and lang. `lang`
 * accepts the parsed languages of the registry and the common text types grep also searches
 * (YAML, TOML, Markdown, shell, Dockerfiles…), several at once separated by commas.
 */
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import { LANG_ALIASES, languageOf } from '../lang/registry.js';

/** Text file types beyond the parsed languages: extensions (with dot) and exact base names. */
const TEXT_TYPES: Record<string, { ext: string[]; names?: RegExp }> = {
  yaml: { ext: ['.yaml', '.yml'] },
  toml: { ext: ['.toml'] },
  json: { ext: ['.json', '.jsonl'] },
  markdown: { ext: ['.md', '.mdx', '.markdown', '.rst'] },
  shell: { ext: ['.sh', '.bash', '.zsh'] },
  dockerfile: { ext: ['.dockerfile'], names: /^(Dockerfile|Containerfile)([._-].*)?$/ },
  cmake: { ext: ['.cmake'], names: /^CMakeLists\.txt$/ },
  make: { ext: ['.mk'], names: /^(GNU)?[Mm]akefile$/ },
  go: { ext: ['.go'] },
  typescript: { ext: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'] },
  proto: { ext: ['.proto'] },
  text: { ext: ['.txt'] },
  jinja: { ext: ['.j2', '.jinja', '.jinja2'] },
};

const TEXT_ALIASES: Record<string, string> = {
  yml: 'yaml', md: 'markdown', rst: 'markdown', sh: 'shell', bash: 'shell', docker: 'dockerfile',
  ts: 'typescript', js: 'typescript', javascript: 'typescript', txt: 'text', makefile: 'make',
};

export function langNames(): string[] {
  return [...new Set([...Object.values(LANG_ALIASES), ...Object.keys(TEXT_TYPES)])];
}

/** A predicate on repo-relative paths for a `lang` value like "rust" or "python,yaml". */
export function langFilter(lang: string): (path: string) => boolean {
  const parsed = new Set<string>();
  const text: { ext: string[]; names?: RegExp }[] = [];
  for (const raw of lang.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const id = LANG_ALIASES[raw];
    const t = TEXT_TYPES[raw] ?? TEXT_TYPES[TEXT_ALIASES[raw]];
    if (id) parsed.add(id);
    else if (t) text.push(t);
    else throw new UserError(`Unknown lang "${raw}". Known: ${langNames().join(', ')} (several: "rust,python").`, '{"pattern": "KvEvent", "lang": "rust"}');
  }
  return (path) => {
    const spec = languageOf(path);
    if (spec && parsed.has(spec.id)) return true;
    if (!text.length) return false;
    const base = path.slice(path.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 ? base.slice(dot).toLowerCase() : '';
    return text.some((t) => t.ext.includes(ext) || !!t.names?.test(base));
  };
}

/** A predicate on repo-relative paths for a `path` value: a glob (`lib/llm/**\/*.rs`, `*.py`) or a prefix. */
export function pathFilter(path: string): (p: string) => boolean {
  // `..` as a path segment, also inside brace alternatives (`{..,.}/**`) or after any other non-name character.
  if (path.includes('\0') || /^\s*\//.test(path) || /(^|[^\w.])\.\.(?=$|[^\w.])/.test(path)) {
    throw new UserError(`path "${path.replace(/\0/g, '\\0')}" must be a glob relative to a served checkout (no leading "/", no ".." segments, no NUL).`, '{"pattern": "def evict", "path": "python/**"}');
  }
  const p = path.trim().replace(/^\.\//, '');
  if (!p || p === '.' || p === '/') return () => true;
  if (!/[*?[\]{}!]/.test(p)) {
    const dir = p.replace(/\/+$/, '');
    return (f) => f === dir || f.startsWith(dir + '/');
  }
  const glob = p.endsWith('/') ? p + '**' : p;
  return picomatch(glob, { dot: true, basename: !glob.includes('/') });
}
