/**
 * The data model of the index: one record per file, so re-indexing a file replaces only its record.
 * Everything here is plain data (structured-clone and JSON safe): records travel from worker threads
 * and are persisted as-is. Lines are 1-based; columns are 0-based UTF-16 offsets within the line.
 */

export type LangId = 'rust' | 'python' | 'cpp' | 'cuda' | 'c';

export type DefKind =
  | 'function'
  | 'method'
  | 'class'
  | 'struct'
  | 'enum'
  | 'trait'
  | 'impl'
  | 'union'
  | 'namespace'
  | 'module'
  | 'macro'
  | 'type'
  /** A module/class-level table literal (`PARSERS = {"name": Cls, ...}`): an extension point. */
  | 'registry';

export interface Def {
  name: string;
  kind: DefKind;
  /** Enclosing type/namespace chain, `Outer.Inner` (Python) or `Type` (Rust impl / C++ class). */
  container?: string;
  /** For a method in `impl Trait for Type`: the trait. */
  trait?: string;
  /** Declaration text up to the body, whitespace-collapsed, at most ~200 chars. */
  sig: string;
  /** First line of the doc comment or docstring. */
  doc?: string;
  /** Decorators (Python), attributes (Rust) and qualifiers (`__global__`, `extern "C"`), as written. */
  attrs?: string[];
  /** Base classes (Python `class A(B)`), as written. */
  bases?: string[];
  /** Rust enum: the payload of each tuple variant, as written (`KvIndexer`, `Arc<Pool<T>>, u8`). */
  variants?: string[];
  line: number;
  endLine: number;
  /** Declaration only (Rust `fn f();` in a trait or extern block, C++ prototype). */
  decl?: boolean;
}

export type CallKind = 'call' | 'macro' | 'cuda-launch' | 'index-launch' | 'new';

export interface Call {
  /** The called name: last path segment (`bar` in `self.x.bar()`, `new` in `Foo::new()`). */
  name: string;
  /** Receiver or path text before the name (`self.x`, `Foo`, `torch.ops.sgl_kernel.rmsnorm`). */
  receiver?: string;
  /** `.` member call or `::` path call. */
  sep?: '.' | '::' | '->';
  /** Template / turbofish arguments (`T` in `add_class::<T>()`, `float` in `k<float><<<...>>>`). */
  targs?: string;
  kind: CallKind;
  line: number;
  col: number;
  /** Index into FileRecord.defs of the innermost enclosing definition, or -1 at top level. */
  in: number;
  awaited?: boolean;
  /** Rust `?` applied to the call's result. */
  tried?: boolean;
  /** Inside the arguments of a spawn call (tokio::spawn, asyncio.create_task, Thread(...)). */
  spawned?: boolean;
  /** Argument text, kept only for calls named in the language's `argCalls` list (registrations, IPC). */
  args?: string;
}

export interface Import {
  /** Module path as written (`a.b`, `crate::x::y`, `"a.h"`). */
  module: string;
  /** Imported name (`from m import name`), absent for whole-module imports. */
  name?: string;
  alias?: string;
  line: number;
  /** Inside a try/except (Python compatibility shims). */
  guarded?: boolean;
}

/** A binding whose type is known cheaply: `x = Foo()`, `self.x = Foo()`, `let x = Foo::new()`, `x: Foo`. */
export interface Binding {
  target: string;
  /** Type or value name as written (`Foo`, `module.Foo`, `Foo::new` → `Foo`). */
  type: string;
  line: number;
  in: number;
  /** A plain alias `a = b` at module level rather than a constructor call. */
  alias?: boolean;
}

export type ErrorMarkKind = 'raise' | 'except' | 'try' | 'err';

export interface ErrorMark {
  kind: ErrorMarkKind;
  line: number;
  in: number;
}

export interface FileRecord {
  /** Repo-relative POSIX path. */
  path: string;
  lang: LangId;
  size: number;
  mtimeMs: number;
  lines: number;
  defs: Def[];
  calls: Call[];
  imports: Import[];
  bindings: Binding[];
  errors: ErrorMark[];
  /**
   * Comment and string ranges for grep scopes: flat [startLine, startCol, endLine, endCol, ...] packed as
   * varints (cache-codec packUints). Only grep's scopes read them, so a warm start never unpacks them.
   */
  comments: Uint8Array;
  strings: Uint8Array;
  /** Count of ERROR/MISSING nodes in the syntax tree. */
  parseErrors: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface Loc {
  repo: string;
  file: string;
  line: number;
  endLine?: number;
}
