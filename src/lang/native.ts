/**
 * The native tree-sitter binding (native/dsm_tree_sitter.c, built at install by native/build.mjs)
 * behind the SyntaxParser/SyntaxQuery/SyntaxNode interfaces. Grammars come from the grammar packages' own
 * Node bindings (their `language` export); the runtime is the project's addon. Nodes are plain objects
 * decoded from uint32 words, so reading a node's type, offsets or positions never calls native code.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { extractorConfig, splitPredicates } from './native-extract.js';
import type { LanguageSpec } from './registry.js';
import type { EntryFile, Point, SyntaxCapture, SyntaxMatch, SyntaxNode, SyntaxParser, SyntaxQuery, SyntaxTree } from './syntax.js';

const require = createRequire(import.meta.url);

interface LanguageInfo { types: (string | null)[]; fields: (string | null)[]; supertypes: number[] }

interface Addon {
  init(transfer: Uint32Array): void;
  /** Symbol names by id, field names by id, and the ids of supertype symbols (`expression`, never a node's own type). */
  languageInfo(language: object): LanguageInfo;
  parse(language: object, source: string): object;
  /**
   * Parses on a libuv pool thread and runs the query there too: [tree, words], words being the root node's
   * NODE_WORDS and then the matches as matches() returns them.
   */
  parseAsync(language: object, source: string, query: object | null, roots: Uint8Array | null): Promise<[object, Uint32Array]>;
  /**
   * The same with an extractor (newExtractor): the records are built on the pool thread too, the tree is
   * freed there, and the promise gives the file's cache entry (encodeEntry's bytes) for path, size, mtime.
   */
  parseAsync(language: object, source: string, query: object, roots: Uint8Array | null, extractor: object, path: string, size: number, mtimeMs: number): Promise<Uint8Array>;
  /** The C extractor's view of a language and its query (extractorConfig in native-extract.ts). */
  newExtractor(config: Uint32Array, strings: string): object;
  /** Returns the memory malloc holds free (every arena) to the system. */
  trim(): void;
  /** offThread: a libuv pool thread frees it; the call returns at once. */
  deleteTree(tree: object, offThread?: boolean): void;
  /** The bytes of the tree's arena: 0 once deleted, or where trees are malloc's (no glibc). */
  treeBytes(tree: object): number;
  /** compiled: whether this call compiled the query; false when another thread of the process had (it is shared). */
  newQuery(language: object, source: string): { query: object; compiled: boolean; captureNames: string[]; predicates: (number | string)[][] };
  /**
   * With roots (8192 bytes, a bit per symbol), the same matches found by running the query only at nodes
   * whose symbol is set; without, by the query cursor over the whole tree.
   */
  matches(query: object, tree: object, roots?: Uint8Array | null): Uint32Array;
  node(op: number, tree: object, arg?: number): number;
  children(tree: object, named: boolean): Uint32Array;
  descendantsOfType(tree: object, symbols: Uint32Array): Uint32Array;
}

const NODE_WORDS = 10;
const enum Op { Parent = 0, ChildByField = 1, FirstNamedChild = 2, PrevSibling = 3, PrevNamedSibling = 4, HasError = 5 }
const ERROR_SYMBOL = 65535;

/** The built binding; DSM_NATIVE_ADDON loads another build of it (the AddressSanitizer check). */
export const ADDON_PATH = process.env.DSM_NATIVE_ADDON || join(PACKAGE_ROOT, 'native', 'build', 'Release', 'dsm_tree_sitter.node');

let addon: Addon | undefined;
let xfer: Uint32Array;
let loadError: string | undefined;

/** The addon, or undefined with the reason in nativeUnavailable(). */
function load(): Addon | undefined {
  if (addon || loadError) return addon;
  try {
    if (!existsSync(ADDON_PATH)) throw new Error(`${ADDON_PATH} was not built (npm install builds it; it needs a C compiler)`);
    const a = require(ADDON_PATH) as Addon;
    xfer = new Uint32Array(64);
    a.init(xfer);
    addon = a;
  } catch (e) {
    loadError = (e as Error).message;
  }
  return addon;
}

/**
 * Which binding a cold parse will use, without loading it (the main thread never does): 'native', or
 * 'web-tree-sitter (why)'. A worker still falls back to wasm if loading fails there.
 */
export function parserInUse(): string {
  if (process.env.DSM_PARSER === 'wasm') return 'web-tree-sitter (DSM_PARSER=wasm)';
  if (!existsSync(ADDON_PATH)) return 'web-tree-sitter (the native binding was not built: a C compiler is needed at install; see README, Troubleshooting)';
  return 'native';
}

/**
 * Gives back what a burst of parsing left: the trees' arena chunks kept for reuse, and malloc's free lists
 * (the pool threads run in malloc arenas of their own, which otherwise keep a cold index's peak for the
 * life of the process).
 */
export function releaseParserMemory(): void {
  addon?.trim();
}

export function nativeUnavailable(): string | undefined {
  load();
  return loadError;
}

class Lang {
  readonly fieldIds = new Map<string, number>();
  readonly types: (string | null)[];
  readonly supertypes: ReadonlySet<number>;
  constructor(readonly handle: object, info: LanguageInfo) {
    this.types = info.types;
    this.supertypes = new Set(info.supertypes);
    info.fields.forEach((f, i) => { if (f) this.fieldIds.set(f, i); });
  }
}

interface Tree {
  handle: object;
  source: string;
  lang: Lang;
  deleted: boolean;
  /** The root's matches of one query, found with the parse (parseMatched), until matches() takes them. */
  matched: { query: NativeQuery; words: Uint32Array } | undefined;
}

class NativeNode implements SyntaxNode {
  readonly id: number;
  readonly startIndex: number;
  readonly endIndex: number;
  // The node's words (see write_node in the addon): id lo/hi, tree-sitter's four context words, type id,
  // end row and column.
  private readonly lo: number;
  private readonly hi: number;
  private readonly c0: number;
  private readonly c1: number;
  private readonly c2: number;
  private readonly c3: number;
  private readonly symbol: number;
  private readonly endRow: number;
  private readonly endColumn: number;

  constructor(readonly tree: Tree, w: Uint32Array, at: number) {
    this.lo = w[at];
    this.hi = w[at + 1];
    this.c0 = w[at + 2];
    this.c1 = w[at + 3];
    this.c2 = w[at + 4];
    this.c3 = w[at + 5];
    this.symbol = w[at + 6];
    this.endIndex = w[at + 7];
    this.endRow = w[at + 8];
    this.endColumn = w[at + 9];
    this.id = this.hi * 0x100000000 + this.lo;
    this.startIndex = this.c0 >>> 1;
  }

  // ERROR (65535) is past the end of the types: read out of bounds, it would throw away optimized code.
  get type(): string { return this.symbol === ERROR_SYMBOL ? 'ERROR' : this.tree.lang.types[this.symbol] || 'ERROR'; }
  get text(): string { return this.tree.source.slice(this.startIndex, this.endIndex); }
  get startPosition(): Point { return { row: this.c1, column: this.c2 >>> 1 }; }
  get endPosition(): Point { return { row: this.endRow, column: this.endColumn }; }
  get parent(): SyntaxNode | null { return this.step(Op.Parent); }
  get firstNamedChild(): SyntaxNode | null { return this.step(Op.FirstNamedChild); }
  get previousSibling(): SyntaxNode | null { return this.step(Op.PrevSibling); }
  get previousNamedSibling(): SyntaxNode | null { return this.step(Op.PrevNamedSibling); }
  get hasError(): boolean { this.send(); return addon!.node(Op.HasError, this.tree.handle) === 1; }
  get namedChildren(): (SyntaxNode | null)[] {
    this.send();
    return nodes(this.tree, addon!.children(this.tree.handle, true));
  }

  childForFieldName(name: string): SyntaxNode | null {
    const field = this.tree.lang.fieldIds.get(name);
    return field === undefined ? null : this.step(Op.ChildByField, field);
  }

  descendantsOfType(type: string): (SyntaxNode | null)[] {
    const symbols: number[] = [];
    this.tree.lang.types.forEach((t, i) => { if (t === type) symbols.push(i); });
    if (type === 'ERROR') symbols.push(ERROR_SYMBOL);
    this.send();
    return nodes(this.tree, addon!.descendantsOfType(this.tree.handle, Uint32Array.from(symbols)));
  }

  /** Puts the node in the transfer buffer, where the addon's node operations read it. */
  send(): void {
    if (this.tree.deleted) throw new Error('node of a deleted tree');
    xfer[0] = this.lo;
    xfer[1] = this.hi;
    xfer[2] = this.c0;
    xfer[3] = this.c1;
    xfer[4] = this.c2;
    xfer[5] = this.c3;
  }

  private step(op: Op, arg = 0): SyntaxNode | null {
    this.send();
    return addon!.node(op, this.tree.handle, arg) ? new NativeNode(this.tree, xfer, 0) : null;
  }
}

function nodes(tree: Tree, words: Uint32Array): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let at = 0; at < words.length; at += NODE_WORDS) out.push(new NativeNode(tree, words, at));
  return out;
}

type Predicate = (captures: SyntaxCapture[]) => boolean;

/** #eq? / #any-of? / #match? and their not- forms, as web-tree-sitter evaluates them for matches(). */
function compilePredicates(steps: (number | string)[], names: string[]): Predicate[] {
  return splitPredicates(steps).map(({ op, args }) =>
    predicate(op, args.map((a) => ({ capture: a.capture === undefined ? undefined : names[a.capture], text: a.text }))));
}

function predicate(op: string, args: { capture?: string; text?: string }[]): Predicate {
  const negate = op.startsWith('not-');
  const name = negate ? op.slice(4) : op;
  const capture = args[0]?.capture;
  if (!capture) throw new Error(`query predicate #${op} needs a capture first`);
  const texts = (c: SyntaxCapture[]) => c.filter((x) => x.name === capture).map((x) => x.node.text);
  const values = args.slice(1);
  let test: (t: string, c: SyntaxCapture[]) => boolean;
  if (name === 'eq?') {
    const v = values[0];
    test = v?.capture ? (t, c) => c.some((x) => x.name === v.capture && x.node.text === t) : (t) => t === v?.text;
  } else if (name === 'any-of?') {
    const set = new Set(values.map((v) => v.text ?? ''));
    test = (t) => set.has(t);
  } else if (name === 'match?') {
    const re = new RegExp(values[0]?.text ?? '');
    test = (t) => re.test(t);
  } else {
    throw new Error(`query predicate #${op} is not supported by the native binding`);
  }
  return (c) => {
    const ts = texts(c);
    return ts.length === 0 || ts.every((t) => test(t, c) !== negate);
  };
}

/**
 * The node types at which the query's patterns start, as a bitmap over the language's symbols; undefined
 * when a pattern could start at any node (a wildcard, an anonymous node, a sequence of siblings) or names a
 * type the grammar lacks or a supertype (no node has it as its own type): then the query cursor walks the
 * whole tree.
 */
export function patternRoots(source: string, types: readonly (string | null)[], supertypes: ReadonlySet<number> = new Set()): Uint8Array | undefined {
  // Strings and comments out, in one pass (a quote inside a comment, a `;` inside a string).
  const text = source.replace(/"(?:[^"\\]|\\.)*"|;[^\n]*/g, (m) => (m[0] === '"' ? '""' : ''));
  let i = 0;
  const skipSpace = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  /** Past the captures and quantifiers that follow a pattern (`@call.index-launch`, `+`). */
  const skipSuffix = () => {
    for (skipSpace(); i < text.length; skipSpace()) {
      const m = /^(@[\w.-]+|[*+?])/.exec(text.slice(i, i + 80));
      if (!m) return;
      i += m[0].length;
    }
  };
  /** From an opening bracket to just past its match. */
  const skipForm = () => {
    let depth = 0;
    do {
      if (text[i] === '(' || text[i] === '[') depth++;
      else if (text[i] === ')' || text[i] === ']') depth--;
      i++;
    } while (depth > 0 && i < text.length);
  };
  /** Root type names of the form at i (which it moves past), or undefined when any node could start it. */
  const roots = (): string[] | undefined => {
    const open = text[i];
    if (open === '[') {
      i++;
      const out: string[] = [];
      for (skipSpace(); i < text.length && text[i] !== ']'; skipSpace()) {
        if (text[i] !== '(' && text[i] !== '[') return undefined;
        const r = roots();
        if (!r) return undefined;
        out.push(...r);
        skipSuffix();
      }
      i++;
      return out;
    }
    if (open !== '(') return undefined;
    const head = /^\s*([\w.]+|\(|\[|#|_|"")/.exec(text.slice(i + 1, i + 80))?.[1];
    if (head === '(' || head === '[') {
      // A group: one node and its predicates, or a sequence of siblings (which a single node cannot start).
      i++;
      let found: string[] | undefined;
      for (skipSpace(); i < text.length && text[i] !== ')'; skipSpace()) {
        if (text[i] === '(' && /^\(\s*#/.test(text.slice(i, i + 40))) { skipForm(); continue; }
        if (text[i] !== '(' && text[i] !== '[') { i++; continue; } // captures, quantifiers, anchors
        if (found) return undefined;
        found = roots();
        if (!found) return undefined;
      }
      i++;
      return found;
    }
    if (!head || head === '_' || head === '#' || head === '""') return undefined;
    skipForm();
    return [head];
  };
  const names = new Set<string>();
  for (skipSpace(); i < text.length; skipSpace()) {
    if (text[i] === '(' || text[i] === '[') {
      const r = roots();
      if (!r) return undefined;
      for (const n of r) names.add(n);
    } else if (/[@*+?]/.test(text[i])) {
      skipSuffix();
    } else {
      return undefined; // a bare string, wildcard or anything unexpected: walk the whole tree
    }
  }
  const bits = new Uint8Array(8192);
  for (const name of names) {
    let found = false;
    if (name === 'ERROR') {
      bits[ERROR_SYMBOL >> 3] |= 1 << (ERROR_SYMBOL & 7);
      found = true;
    }
    let supertype = false;
    types.forEach((t, sym) => {
      if (t !== name) return;
      if (supertypes.has(sym)) supertype = true;
      bits[sym >> 3] |= 1 << (sym & 7);
      found = true;
    });
    if (!found || supertype) return undefined;
  }
  return bits;
}

/** The id of the node whose words start the array. */
function words0Id(w: Uint32Array): number {
  return w[1] * 0x100000000 + w[0];
}

class NativeQuery implements SyntaxQuery {
  readonly captureNames: string[];
  readonly handle: object;
  private readonly predicates: Predicate[][];
  readonly roots: Uint8Array | undefined;
  /** The predicates' raw steps, per pattern (for the C extractor's config). */
  readonly steps: (number | string)[][];
  /** The C extractor for this query, per language id, or why that language stays on extract.ts. */
  readonly extractors = new Map<string, object | string>();

  constructor(readonly lang: Lang, source: string) {
    const q = addon!.newQuery(lang.handle, source);
    this.handle = q.query;
    this.captureNames = q.captureNames;
    this.steps = q.predicates;
    this.predicates = q.predicates.map((steps) => compilePredicates(steps, q.captureNames));
    this.roots = patternRoots(source, lang.types, lang.supertypes);
  }

  matches(root: SyntaxNode): SyntaxMatch[] {
    if (!(root instanceof NativeNode)) throw new Error('a native query needs a native node');
    const tree = root.tree;
    const pre = tree.matched;
    let words: Uint32Array;
    let i = 0;
    if (pre && pre.query === this && root.id === words0Id(pre.words)) {
      tree.matched = undefined;
      words = pre.words;
      i = NODE_WORDS;
    } else {
      root.send();
      words = addon!.matches(this.handle, tree.handle, this.roots ?? null);
    }
    const out: SyntaxMatch[] = [];
    while (i < words.length) {
      const patternIndex = words[i++];
      const count = words[i++];
      const captures: SyntaxCapture[] = new Array(count);
      for (let k = 0; k < count; k++) {
        const name = this.captureNames[words[i++]];
        captures[k] = { name, node: new NativeNode(tree, words, i) };
        i += NODE_WORDS;
      }
      const preds = this.predicates[patternIndex];
      if (preds.length && !preds.every((p) => p(captures))) continue;
      out.push({ patternIndex, captures });
    }
    return out;
  }
}

class NativeParser implements SyntaxParser {
  constructor(private readonly lang: Lang) {}

  parse(source: string): SyntaxTree {
    const handle = addon!.parse(this.lang.handle, source);
    return syntaxTree({ handle, source, lang: this.lang, deleted: false, matched: undefined }, xfer);
  }

  /**
   * Parses on a pool thread, where the query's matches of the root are found too: the calling thread only
   * waits, so it can extract another file's records meanwhile.
   */
  /**
   * Parses, queries, builds the records and encodes the file's cache entry on a pool thread (native/extract.c):
   * the bytes encodeEntry makes of extract.ts's record. Undefined when the language stays on extract.ts (see
   * native-extract.ts) or DSM_EXTRACT=js.
   */
  encodeEntry(source: string, query: SyntaxQuery, spec: LanguageSpec, file: EntryFile): Promise<Uint8Array> | undefined {
    if (!(query instanceof NativeQuery) || query.lang !== this.lang) return undefined;
    let extractor = query.extractors.get(spec.id);
    if (extractor === undefined) {
      if (process.env.DSM_EXTRACT === 'js') extractor = 'DSM_EXTRACT=js';
      else {
        const c = extractorConfig(spec, this.lang, query.captureNames, query.steps);
        extractor = typeof c === 'string' ? c : addon!.newExtractor(c.config, c.strings);
      }
      query.extractors.set(spec.id, extractor);
    }
    if (typeof extractor === 'string') return undefined;
    return addon!.parseAsync(this.lang.handle, source, query.handle, query.roots ?? null, extractor, file.path, file.size, file.mtimeMs);
  }

  async parseMatched(source: string, query: SyntaxQuery): Promise<SyntaxTree> {
    if (!(query instanceof NativeQuery)) return this.parse(source);
    const [handle, words] = await addon!.parseAsync(this.lang.handle, source, query.handle, query.roots ?? null);
    return syntaxTree({ handle, source, lang: this.lang, deleted: false, matched: { query, words } }, words);
  }
}

/** The tree behind the SyntaxTree interface, its root node read from the first words of rootWords. */
function syntaxTree(tree: Tree, rootWords: Uint32Array): SyntaxTree {
  return {
    rootNode: new NativeNode(tree, rootWords, 0),
    delete() {
      if (tree.deleted) return;
      tree.deleted = true;
      tree.matched = undefined;
      addon!.deleteTree(tree.handle, true);
    },
  };
}

const langs = new Map<string, Lang>();

function langFor(spec: LanguageSpec): Lang {
  let l = langs.get(spec.grammar.pkg);
  if (!l) {
    const handle = (require(spec.grammar.pkg) as { language: object }).language;
    l = new Lang(handle, addon!.languageInfo(handle));
    langs.set(spec.grammar.pkg, l);
  }
  return l;
}

/**
 * A parser and a compiled query for the language; undefined when the addon was not built. Throws when this
 * language cannot be served (its grammar package's binding did not load, or the query does not compile):
 * the caller falls back to wasm for it and logs why.
 */
export function nativeGrammar(spec: LanguageSpec, querySource: string): { parser: SyntaxParser; query: SyntaxQuery } | undefined {
  if (!load()) return undefined;
  const lang = langFor(spec);
  return { parser: new NativeParser(lang), query: new NativeQuery(lang, querySource) };
}
