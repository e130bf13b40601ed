/**
 * The language registry: the one table that maps file names to a grammar, its query files and the few
 * structural facts the generic extractor needs. Adding a language = one entry here + `queries/<dir>/*.scm`
 * + a fixture file (a test checks all three exist).
 */
import type { CallKind, DefKind, LangId } from '../index/model.js';

export interface ContainerSpec {
  kind: DefKind;
  /** Field holding the container's name (`name`, or `type` for a Rust impl). */
  nameField: string;
  /** Field holding the implemented trait (Rust `impl Trait for Type`). */
  traitField?: string;
}

export interface LanguageSpec {
  id: LangId;
  label: string;
  extensions: string[];
  /** Exact file names (no extension) that belong to the language. */
  fileNames?: string[];
  /** npm package and file of the tree-sitter wasm grammar. */
  grammar: { pkg: string; file: string };
  /** Directories under `queries/` whose *.scm files are concatenated into one query. */
  queryDirs: string[];
  /** Node types whose body makes functions into methods, and where their name lives. */
  containers: Record<string, ContainerSpec>;
  /** Sibling nodes before a definition that carry its attributes (Rust `#[...]`). */
  attributeSiblings?: string[];
  /** A wrapper node that holds decorators and the definition (Python `decorated_definition`). */
  decoratorWrapper?: { type: string; decorator: string };
  /** Keywords in a signature that are recorded as attributes (`__global__`, `extern "C"`). */
  sigQualifiers: string[];
  /** Node types of comments (for doc lines). */
  commentTypes: string[];
  /** The first string statement of a body is the docstring. */
  docstrings?: boolean;
  /** Field name of a definition's body: the signature is everything before it. */
  bodyFields: string[];
  /** Node types that mark a call as awaited / tried when they are its parent. */
  awaitParents: string[];
  tryParents: string[];
  /** Node types whose descendants' imports are `guarded` (try/except compatibility shims). */
  guardNodes?: string[];
  /** Calls whose argument text is kept: registrations, IPC and serving calls that bridges read. */
  argCalls: string[];
  /** Calls that start concurrent work: calls inside their arguments are marked `spawned`. */
  spawnCalls?: string[];
  /** Import expander for tree-shaped imports (Rust `use a::{b, c as d}`). */
  importExpander?: 'rust-use';
  /** Path segment separator for qualified names. */
  pathSep: '.' | '::';
  /** Line patterns that recover definitions lost in ERROR regions (group 1 = name). */
  recover?: { needle: string; pattern: string; kind: DefKind; attrs: string[] }[];
  /** A condition whose `if` body holds type-checking-only definitions (Python `TYPE_CHECKING`). */
  typeOnlyGuard?: string;
  /** Test-file conventions (path globs are in data/tests.json; these are in-file markers). */
  testAttrs?: string[];
  /**
   * Enum variants that wrap a payload: the variant node type and its tuple-payload node type. Each enum def
   * records its payloads as written (`Def.variants`), e.g. to see that an enum dispatches over a trait.
   */
  tupleVariants?: { variant: string; payload: string };
  /**
   * Macro bodies worth parsing: a `#define` whose body text holds one of `needles` is parsed on its own and
   * its calls of `kinds` are recorded inside the macro's definition, so a use of the macro reaches them
   * (`#define LAUNCH(T) k<T><<<g, b>>>(x)` → the kernel). The grammar leaves macro bodies unparsed.
   * The macro's range follows its backslash continuations (a comment in the body ends the grammar's macro).
   */
  macroBodies?: { needles: string[]; kinds: CallKind[] };
}

const CPP_CONTAINERS: Record<string, ContainerSpec> = {
  class_specifier: { kind: 'class', nameField: 'name' },
  struct_specifier: { kind: 'struct', nameField: 'name' },
  namespace_definition: { kind: 'namespace', nameField: 'name' },
};

const CPP_ARG_CALLS = ['def', 'impl', 'class_', 'def_readwrite', 'def_static', 'def_property'];

/** CUDA kernels in macro-heavy code: `[template<...>] [static] __global__ [quals] type name(` (not `template __global__` instantiations). */
const KERNEL_RECOVERY = [{
  needle: '__global__',
  pattern: '^\\s*(?:template\\s*<[^;{]*?>\\s*)?(?:static\\s+|inline\\s+)*__global__\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(?:[\\w:<>,*&]+\\s+)*?\\**(\\w+)\\s*\\(',
  kind: 'function' as DefKind,
  attrs: ['__global__'],
}];

const CPP_BASE = {
  recover: KERNEL_RECOVERY,
  containers: CPP_CONTAINERS,
  sigQualifiers: ['__global__', '__device__', '__host__', 'extern "C"', '__launch_bounds__'],
  commentTypes: ['comment'],
  bodyFields: ['body'],
  awaitParents: [],
  tryParents: [],
  argCalls: CPP_ARG_CALLS,
  pathSep: '::' as const,
};

const ENTRIES: LanguageSpec[] = [
  {
    id: 'rust',
    label: 'Rust',
    extensions: ['.rs'],
    grammar: { pkg: 'tree-sitter-rust', file: 'tree-sitter-rust.wasm' },
    queryDirs: ['rust'],
    containers: {
      impl_item: { kind: 'impl', nameField: 'type', traitField: 'trait' },
      trait_item: { kind: 'trait', nameField: 'name' },
      mod_item: { kind: 'module', nameField: 'name' },
    },
    attributeSiblings: ['attribute_item'],
    sigQualifiers: ['extern "C"', 'async', 'unsafe'],
    commentTypes: ['line_comment', 'block_comment'],
    bodyFields: ['body'],
    awaitParents: ['await_expression'],
    tryParents: ['try_expression'],
    argCalls: ['add_class', 'add_function', 'wrap_pyfunction', 'add_submodule', 'serve_endpoint', 'endpoint', 'component', 'namespace', 'spawn'],
    spawnCalls: ['spawn', 'spawn_blocking', 'spawn_local'],
    importExpander: 'rust-use',
    pathSep: '::',
    testAttrs: ['#[test]', '#[tokio::test]', '#[cfg(test)]'],
    tupleVariants: { variant: 'enum_variant', payload: 'ordered_field_declaration_list' },
  },
  {
    id: 'python',
    label: 'Python',
    extensions: ['.py', '.pyi'],
    grammar: { pkg: 'tree-sitter-python', file: 'tree-sitter-python.wasm' },
    queryDirs: ['python'],
    containers: { class_definition: { kind: 'class', nameField: 'name' } },
    decoratorWrapper: { type: 'decorated_definition', decorator: 'decorator' },
    sigQualifiers: ['async'],
    commentTypes: ['comment'],
    docstrings: true,
    bodyFields: ['body'],
    awaitParents: ['await'],
    tryParents: [],
    guardNodes: ['try_statement'],
    typeOnlyGuard: 'TYPE_CHECKING',
    spawnCalls: ['create_task', 'ensure_future', 'run_coroutine_threadsafe', 'Thread', 'Process', 'submit', 'run_in_executor', 'to_thread'],
    argCalls: ['send_pyobj', 'TypeBasedDispatcher', 'serve_endpoint', 'endpoint', 'component', 'namespace', 'create_task', 'Thread', 'Process', 'register_fake', 'def', 'impl', 'LazyImport', 'lazy_import', 'send_output'],
    pathSep: '.',
  },
  {
    id: 'cpp',
    label: 'C++',
    extensions: ['.cc', '.cpp', '.cxx', '.hpp', '.hh', '.hxx', '.h', '.inl', '.ipp'],
    grammar: { pkg: 'tree-sitter-cpp', file: 'tree-sitter-cpp.wasm' },
    queryDirs: ['cpp'],
    ...CPP_BASE,
  },
  {
    // C files parse with the C++ grammar: the code here is C-in-C++-builds (stubs, helpers), and one
    // grammar keeps one set of queries.
    id: 'c',
    label: 'C',
    extensions: ['.c'],
    grammar: { pkg: 'tree-sitter-cpp', file: 'tree-sitter-cpp.wasm' },
    queryDirs: ['cpp'],
    ...CPP_BASE,
  },
  {
    // CUDA needs its own grammar: the C++ grammar parses `k<<<g, b>>>(x)` as shift expressions and
    // silently loses every launch (see MEASURED.md).
    id: 'cuda',
    label: 'CUDA',
    extensions: ['.cu', '.cuh'],
    grammar: { pkg: 'tree-sitter-cuda', file: 'tree-sitter-cuda.wasm' },
    queryDirs: ['cpp', 'cuda'],
    ...CPP_BASE,
    macroBodies: { needles: ['<<<'], kinds: ['cuda-launch'] },
  },
];

/**
 * Every entry with the same keys in the same order (absent ones undefined), so all languages share one
 * object shape: the extractor reads these fields for every capture, and a worker moving from one language's
 * batch to the next no longer throws away its optimized code (`node --trace-opt`: 438 → 399 compiles per
 * cold index).
 */
const SPEC_KEYS = [...new Set(ENTRIES.flatMap((e) => Object.keys(e)))] as (keyof LanguageSpec)[];

export const LANGUAGES: LanguageSpec[] = ENTRIES.map((entry) => {
  const spec: Record<string, unknown> = {};
  for (const k of SPEC_KEYS) spec[k] = entry[k];
  return spec as unknown as LanguageSpec;
});

const BY_EXT = new Map<string, LanguageSpec>();
for (const spec of LANGUAGES) for (const ext of spec.extensions) BY_EXT.set(ext, spec);

export function languageOf(path: string): LanguageSpec | undefined {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return BY_EXT.get(base.slice(dot).toLowerCase());
}

export function languageById(id: string): LanguageSpec | undefined {
  return LANGUAGES.find((l) => l.id === id);
}

/** Aliases accepted by `lang` filters (`rs`, `py`, `c++`, `cu`). */
export const LANG_ALIASES: Record<string, LangId> = {
  rs: 'rust', rust: 'rust', py: 'python', python: 'python', cpp: 'cpp', 'c++': 'cpp', cc: 'cpp',
  c: 'c', cu: 'cuda', cuda: 'cuda',
};
