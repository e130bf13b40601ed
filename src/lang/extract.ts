/**
 * The generic extractor: runs a language's one compiled query over a syntax tree and turns the captures
 * into a FileRecord. It knows capture-name conventions, not languages:
 *   @def.<kind>[.decl] + @name        a definition
 *   @call.<kind> + @call.name (+ @call.receiver | @call.path, @call.targs)   a call site
 *   @import (+ @import.module, @import.name, @import.alias, @import.wildcard, @import.tree)
 *   @bind (+ @bind.target | @bind.field, @bind.type | @bind.alias)          a cheap type fact
 *   @error.<kind>, @comment, @string
 * Structural facts that a query cannot express (containers, attributes, docstrings) come from the
 * registry entry.
 */
import type {
  SyntaxCapture as QueryCapture, SyntaxMatch as QueryMatch, SyntaxNode as Node, SyntaxParser as Parser, SyntaxQuery as Query, SyntaxTree,
} from './syntax.js';
import type {
  Binding, Call, CallKind, Def, DefKind, ErrorMark, ErrorMarkKind, FileRecord, Import,
} from '../index/model.js';
import { packUints } from '../index/cache-codec.js';
import type { LanguageSpec } from './registry.js';
import { recoverDefs } from './recover.js';
import { expandRustUse } from './rust-use.js';

const MAX_SIG = 200;
// Only registration/IPC calls keep their arguments; dispatcher tables run to dozens of entries.
const MAX_ARGS = 6000;
const MAX_RECEIVER = 160;

export type Extracted = Omit<FileRecord, 'path' | 'size' | 'mtimeMs'>;

interface Pending {
  start: number;
  end: number;
}

/**
 * Per-extraction memo of node.parent: tree-sitter computes a parent by descending from the root, so
 * ancestor walks of sibling definitions (methods of one class) repeat the same work without it.
 */
const parents = new Map<number, Node | null>();
function parentOf(n: Node): Node | null {
  let p = parents.get(n.id);
  if (p === undefined) parents.set(n.id, p = n.parent);
  return p;
}

/** Call contexts from the generated `@ctx.*` patterns (see contextPatterns): awaited call → its await node; tried nodes. */
const awaitedBy = new Map<number, number>();
const triedIds = new Set<number>();

/** Primary capture name per pattern index of each query, learnt from its first match. */
const primaryNames = new WeakMap<Query, (string | null)[]>();

/**
 * Query patterns generated from the registry's awaitParents/tryParents: they capture the node directly
 * under an await / try node, so a call's context needs no parent lookup (one lookup per call was ~8% of
 * extraction time).
 */
export function contextPatterns(spec: LanguageSpec): string {
  return [
    ...spec.awaitParents.map((t) => `(${t} (_) @ctx.await) @ctx.awaiter`),
    ...spec.tryParents.map((t) => `(${t} (_) @ctx.try)`),
  ].join('\n');
}

export function extract(spec: LanguageSpec, parser: Parser, query: Query, source: string): Extracted {
  return extractFrom(spec, parser, query, source, parser.parse(source));
}

/**
 * extract(), the parse done off this thread when the binding can (the native one): several files can be
 * in flight while this thread extracts the records of those already parsed.
 */
export async function extractAsync(spec: LanguageSpec, parser: Parser, query: Query, source: string): Promise<Extracted> {
  return extractFrom(spec, parser, query, source, parser.parseMatched ? await parser.parseMatched(source, query) : parser.parse(source));
}

function extractFrom(spec: LanguageSpec, parser: Parser, query: Query, source: string, tree: SyntaxTree | null): Extracted {
  if (!tree) throw new Error('parser returned no tree');
  try {
    return extractTree(spec, parser, tree.rootNode, query, source);
  } finally {
    tree.delete();
  }
}

function extractTree(spec: LanguageSpec, parser: Parser, root: Node, query: Query, source: string): Extracted {
  const defs: Def[] = [];
  const defRanges: Pending[] = [];
  const calls: Call[] = [];
  const callRanges: Pending[] = [];
  const callById = new Map<number, number>();
  const imports: Import[] = [];
  const bindings: Binding[] = [];
  const bindRanges: Pending[] = [];
  const errors: ErrorMark[] = [];
  const errorRanges: Pending[] = [];
  const comments: number[] = [];
  const strings: number[] = [];

  const matches = query.matches(root);
  parents.clear();
  awaitedBy.clear();
  triedIds.clear();
  if (spec.awaitParents.length || spec.tryParents.length) {
    for (const m of matches) {
      if (!m.captures[0]?.name.startsWith('ctx.')) continue;
      let child: Node | undefined;
      let awaiter: Node | undefined;
      let tried = false;
      for (const c of m.captures) {
        if (c.name === 'ctx.awaiter') awaiter = c.node;
        else child = c.node;
        if (c.name === 'ctx.try') tried = true;
      }
      if (!child) continue;
      if (tried) triedIds.add(child.id);
      else if (awaiter) awaitedBy.set(child.id, awaiter.id);
    }
  }
  // Source order, outer before inner, then pattern order: the query cursor reports matches as they
  // complete, and a cursor that runs only at pattern roots (the native binding's) completes them in another.
  const primaries: { m: QueryMatch; primary: QueryCapture; start: number; end: number }[] = [];
  for (const m of matches) {
    const primary = primaryCapture(query, m);
    if (primary) primaries.push({ m, primary, start: primary.node.startIndex, end: primary.node.endIndex });
  }
  primaries.sort((a, b) => a.start - b.start || b.end - a.end || a.m.patternIndex - b.m.patternIndex);
  const macroBodies: { def: number; macro: MacroText }[] = [];
  for (const { m, primary } of primaries) {
    const name = primary.name;
    const node = primary.node;
    if (name.startsWith('def.')) {
      const def = makeDef(spec, m, node, name.slice(4));
      if (def) {
        let end = node.endIndex;
        const macro = def.kind === 'macro' && spec.macroBodies ? readMacro(source, node.startIndex) : undefined;
        if (macro) {
          // Read from the text: a `/* */` comment inside a body derails the grammar (the macro ends there, or
          // a later identifier becomes its name) and the rest of the body parses as top-level code.
          def.name = macro.name;
          if (macro.end > end) {
            def.endLine = def.line + newlines(source, node.startIndex, macro.end - 1);
            end = macro.end;
          }
          if (spec.macroBodies!.needles.some((n) => macro.body.includes(n))) macroBodies.push({ def: defs.length, macro });
        }
        defs.push(def);
        defRanges.push({ start: node.startIndex, end });
      }
    } else if (name.startsWith('call.')) {
      const call = makeCall(spec, m, node, name.slice(5) as CallKind, source);
      if (!call) continue;
      const prev = callById.get(node.id);
      if (prev !== undefined) {
        // The same call node matched a generic and a specific pattern: the specific kind wins.
        if (calls[prev].kind === 'call' && call.kind !== 'call') calls[prev] = call;
        continue;
      }
      callById.set(node.id, calls.length);
      calls.push(call);
      callRanges.push({ start: node.startIndex, end: node.endIndex });
    } else if (name === 'import') {
      imports.push(...makeImports(spec, m, node));
    } else if (name === 'bind') {
      const b = makeBinding(m, node);
      if (b) {
        bindings.push(b);
        bindRanges.push({ start: node.startIndex, end: node.endIndex });
      }
    } else if (name.startsWith('error.')) {
      errors.push({ kind: name.slice(6) as ErrorMarkKind, line: node.startPosition.row + 1, in: -1 });
      errorRanges.push({ start: node.startIndex, end: node.endIndex });
    } else if (name === 'comment') {
      pushRange(comments, node);
    } else if (name === 'string') {
      pushRange(strings, node);
    }
  }

  for (const { def, macro } of macroBodies) {
    const seen = new Set(calls.filter((c) => c.line >= defs[def].line && c.line <= defs[def].endLine).map((c) => `${c.line}:${c.col}`));
    for (const call of macroBodyCalls(spec, parser, query, source, macro)) {
      if (seen.has(`${call.line}:${call.col}`)) continue; // the grammar saw it in a body it split
      call.in = def;
      calls.push(call);
      callRanges.push({ start: macro.bodyStart, end: macro.end });
    }
  }
  for (const d of recoverDefs(spec, source, defs)) {
    defs.push(d);
    defRanges.push(lineRange(source, d.line, d.endLine));
  }
  markSpawned(spec, calls, callRanges);
  assignEnclosing(defRanges, callRanges, calls);
  assignEnclosing(defRanges, bindRanges, bindings);
  assignEnclosing(defRanges, errorRanges, errors);

  let parseErrors = 0;
  if (root.hasError) parseErrors = Math.max(1, root.descendantsOfType('ERROR').length);
  return {
    lang: spec.id,
    lines: root.endPosition.row + (root.endPosition.column > 0 ? 1 : 0),
    defs, calls, imports, bindings, errors, comments: packUints(comments), strings: packUints(strings), parseErrors,
  };
}

interface MacroText {
  name: string;
  params: string[];
  /** Offsets in the file: where the body starts, and the end of the macro's last line. */
  bodyStart: number;
  end: number;
  body: string;
}

/** A `#define NAME[(params)] body` at `from`, through its backslash continuations; undefined if not one. */
function readMacro(source: string, from: number): MacroText | undefined {
  let end = from;
  for (;;) {
    const nl = source.indexOf('\n', end);
    if (nl < 0) { end = source.length; break; }
    let last = nl - 1;
    while (last > end && (source[last] === ' ' || source[last] === '\t' || source[last] === '\r')) last--;
    end = nl + 1;
    if (source[last] !== '\\') break;
  }
  const text = source.slice(from, end);
  const m = /^#[ \t]*define[ \t]+(\w+)(?:\(([^)]*)\))?/.exec(text);
  if (!m) return undefined;
  const params = (m[2] ?? '').split(',').map((p) => p.replace(/\\/g, '').trim()).filter(Boolean);
  return { name: m[1], params, bodyStart: from + m[0].length, end, body: text.slice(m[0].length) };
}

function newlines(source: string, from: number, to: number): number {
  let n = 0;
  for (let i = source.indexOf('\n', from); i >= 0 && i < to; i = source.indexOf('\n', i + 1)) n++;
  return n;
}

/** The capture that says what a match is (`def.*`, `call.*`, `import`...); learnt once per pattern. */
function primaryCapture(query: Query, m: QueryMatch): QueryCapture | undefined {
  let byPattern = primaryNames.get(query);
  if (!byPattern) primaryNames.set(query, byPattern = []);
  const known = byPattern[m.patternIndex];
  if (known === undefined) {
    const primary = m.captures.find((c) => !c.name.includes('.') || isPrimary(c.name));
    byPattern[m.patternIndex] = primary?.name ?? null;
    return primary;
  }
  if (known !== null) for (const c of m.captures) if (c.name === known) return c;
  return undefined;
}

/**
 * Calls inside a macro body. The grammar keeps a `#define` body as raw `preproc_arg` text, so a body that
 * holds a registry needle (`<<<`) is parsed again on its own, as the body of a function, with the same
 * grammar and query. Only calls of the registry's kinds are kept, never one whose name is a macro parameter
 * (`#define KL(name) name<<<...>>>()` names no kernel). Lines and columns are the macro's own: the
 * continuation backslashes become spaces and the wrapper opens on the body's first line.
 */
function macroBodyCalls(spec: LanguageSpec, parser: Parser, query: Query, source: string, macro: MacroText): Call[] {
  const open = 'void __macro_body__() { ';
  const text = open + macro.body.replace(/\\(?=\r?\n)/g, ' ') + '\n;}';
  const row = newlines(source, 0, macro.bodyStart);
  const column = macro.bodyStart - (source.lastIndexOf('\n', macro.bodyStart - 1) + 1);
  const params = new Set(macro.params);
  const tree = parser.parse(text);
  if (!tree) return [];
  // A call node that matched a generic and a specific pattern keeps the specific kind (as in extractTree).
  const byNode = new Map<number, Call>();
  try {
    for (const m of query.matches(tree.rootNode)) {
      const primary = primaryCapture(query, m);
      if (!primary?.name.startsWith('call.')) continue;
      const call = makeCall(spec, m, primary.node, primary.name.slice(5) as CallKind, text);
      if (!call) continue;
      const prev = byNode.get(primary.node.id);
      if (!prev || prev.kind === 'call') byNode.set(primary.node.id, call);
    }
  } finally {
    tree.delete();
  }
  const out: Call[] = [];
  for (const call of byNode.values()) {
    if (!call.name || !spec.macroBodies!.kinds.includes(call.kind) || params.has(call.name)) continue;
    if (call.line === 1) call.col += column - open.length;
    call.line += row;
    out.push(call);
  }
  return out;
}


/** Whether a capture with a dot in its name says what its match is (`def.*`, `error.*`, `call.<kind>`). */
export function isPrimary(name: string): boolean {
  return name.startsWith('def.') || name.startsWith('error.') ||
    (name.startsWith('call.') && !['call.name', 'call.receiver', 'call.path', 'call.targs'].includes(name));
}

function capture(m: QueryMatch, name: string): Node | undefined {
  for (const c of m.captures) if (c.name === name) return c.node;
  return undefined;
}

function squash(text: string, max: number): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Character offsets of the start of line `from` and the end of line `to` (1-based, inclusive). */
function lineRange(source: string, from: number, to: number): Pending {
  let start = 0;
  for (let l = 1; l < from; l++) start = source.indexOf('\n', start) + 1;
  let end = start;
  for (let l = from; l <= to; l++) { const n = source.indexOf('\n', end); end = n < 0 ? source.length : n + 1; }
  return { start, end };
}

/** Drops `# …` and `// …` comments that sit between a signature and its body. */
function stripLineComments(text: string): string {
  return text.split('\n').map((l) => l.replace(/(^|\s)(#(?!\[)|\/\/)[^\n]*$/, '')).join('\n');
}

function pushRange(out: number[], node: Node): void {
  out.push(node.startPosition.row + 1, node.startPosition.column, node.endPosition.row + 1, node.endPosition.column);
}

/** Strip generic arguments and references from a type name: `Arc<dyn Foo>` stays, `Foo<T>` → `Foo`. */
export function baseTypeName(text: string): string {
  let t = text.trim().replace(/^&(mut\s+)?/, '').replace(/^(mut|const)\s+/, '');
  const lt = t.indexOf('<');
  if (lt > 0) t = t.slice(0, lt);
  return t.trim();
}

function makeDef(spec: LanguageSpec, m: QueryMatch, node: Node, kindText: string): Def | undefined {
  const nameNode = capture(m, 'name');
  if (!nameNode) return undefined;
  const decl = kindText.endsWith('.decl') || node.type === 'function_signature_item';
  // `dim3 grid(rows);` inside a function body is a variable, not a function prototype.
  if (kindText.endsWith('.decl') && hasAncestor(node, 'compound_statement')) return undefined;
  let kind = kindText.replace(/\.decl$/, '') as DefKind;
  let name = nameNode.text;
  let container: string | undefined;
  let trait: string | undefined;

  if (kind === 'impl') {
    name = baseTypeName(name);
    const tr = node.childForFieldName('trait');
    if (tr) trait = baseTypeName(tr.text);
  }
  // Out-of-line C++ definitions: `void Type::method()`.
  if (nameNode.type === 'qualified_identifier') {
    const parts = name.replace(/<[^<>]*>/g, '').split('::');
    name = parts.pop() ?? name;
    container = parts.join('::') || undefined;
  }

  // Containers: impl/trait/class/namespace ancestors.
  const chain: string[] = [];
  let methodOwner = false;
  for (let p = parentOf(node); p; p = parentOf(p)) {
    const c = spec.containers[p.type];
    if (!c) continue;
    const n = p.childForFieldName(c.nameField);
    if (!n) continue;
    if (chain.length === 0) {
      methodOwner = c.kind !== 'namespace' && c.kind !== 'module';
      if (c.traitField && !trait) {
        const tr = p.childForFieldName(c.traitField);
        if (tr) trait = baseTypeName(tr.text);
      }
    }
    chain.unshift(baseTypeName(n.text));
  }
  if (chain.length) container = container ? chain.join(spec.pathSep) + spec.pathSep + container : chain.join(spec.pathSep);
  if (kind === 'function' && (methodOwner || (container && nameNode.type === 'qualified_identifier'))) kind = 'method';

  const attrs = collectAttrs(spec, node);
  const bodyStart = bodyStartIndex(spec, node);
  let sigText = bodyStart !== undefined
    ? node.text.slice(0, bodyStart - node.startIndex)
    : node.text.split('\n').slice(0, 3).join(' ');
  sigText = squash(stripLineComments(sigText), MAX_SIG).replace(/\s*[:{]\s*$/, '');
  for (const q of spec.sigQualifiers) {
    if (!attrs.includes(q) && hasWord(sigText, q)) attrs.push(q);
  }
  // Only languages that have C linkage look for it (the walk costs ~2% of extraction), and only for functions:
  // a type declared after an `unsafe extern "C" {` block the grammar recovered as ERROR siblings has none.
  if (!attrs.includes('extern "C"') && spec.sigQualifiers.includes('extern "C"') && (kind === 'function' || kind === 'method') && inLinkageBlock(node)) attrs.push('extern "C"');
  if (spec.typeOnlyGuard && underGuard(node, spec.typeOnlyGuard)) attrs.push(spec.typeOnlyGuard);

  let variants: string[] | undefined;
  if (kind === 'enum' && spec.tupleVariants) {
    const { variant, payload } = spec.tupleVariants;
    variants = [];
    for (const v of node.childForFieldName('body')?.namedChildren ?? []) {
      const p = v?.type === variant ? v.childForFieldName('body') : null;
      if (p?.type === payload) variants.push(squash(p.text.replace(/^\(|\)$/g, ''), 160));
    }
    if (!variants.length) variants = undefined;
  }
  let bases: string[] | undefined;
  if (kind === 'class') {
    const sup = node.childForFieldName('superclasses');
    if (sup) {
      bases = sup.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument').map((c) => c.text);
      if (!bases.length) bases = undefined;
    }
  }
  // Every key present, in one order (the codec drops undefined ones): one object shape for all definitions.
  const def: Def = {
    name,
    kind,
    sig: sigText,
    line: node.startPosition.row + 1,
    endLine: node.endPosition.row + 1,
    container: container || undefined,
    trait: trait || undefined,
    attrs: attrs.length ? attrs : undefined,
    decl: decl || ((kind === 'function' || kind === 'method') && bodyStart === undefined) || (kind === 'module' && !node.childForFieldName('body')) || undefined,
    doc: docLine(spec, node) || undefined,
    variants,
    bases,
  };
  return def;
}

/**
 * Inside `extern "C" { ... }` / `extern "C" int f()` (C++ linkage_specification, Rust foreign_mod_item) —
 * including Rust 2024 `unsafe extern "C" {` blocks that the grammar only recovers as ERROR nodes.
 */
function inLinkageBlock(node: Node): boolean {
  let p = parentOf(node);
  for (let depth = 0; p && depth < 3; depth++, p = parentOf(p)) {
    if (p.type === 'linkage_specification' || p.type === 'foreign_mod_item') return /^\s*(unsafe\s+)?extern\s+"C"/.test(p.text.slice(0, 40));
    if (p.type === 'ERROR' && /^\s*(unsafe\s+)?extern\s+"C"\s*\{/.test(p.text.slice(0, 40))) return true;
  }
  // An ERROR sibling run: `unsafe extern "C" {` recovered as ERROR tokens before the items.
  for (let s = node.previousSibling, k = 0; s && k < 40; s = s.previousSibling, k++) {
    if (s.type === 'ERROR' || s.type === 'function_signature_item') {
      if (/(unsafe\s+)?extern\s+"C"\s*\{\s*$/.test(s.text) || /extern_modifier/.test(s.type)) return true;
      if (s.type === 'function_signature_item' && s.text.includes('extern "C"')) return true;
      continue;
    }
    if (s.type !== 'attribute_item' && s.type !== 'line_comment' && s.type !== 'block_comment' && s.type !== '}') break;
  }
  return false;
}

/** Inside `if TYPE_CHECKING:` — a definition that exists for type checkers only. */
function underGuard(node: Node, guard: string): boolean {
  for (let p = parentOf(node); p; p = parentOf(p)) {
    if (p.type === 'if_statement' && p.childForFieldName('condition')?.text.replace(/^typing\./, '') === guard) {
      // Only the `if` body, not its `else` branch.
      const body = p.childForFieldName('consequence');
      return !!body && node.startIndex >= body.startIndex && node.endIndex <= body.endIndex;
    }
  }
  return false;
}

function hasAncestor(node: Node, type: string): boolean {
  for (let p = parentOf(node); p; p = parentOf(p)) if (p.type === type) return true;
  return false;
}

function hasWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    const before = i === 0 ? ' ' : text[i - 1];
    const after = text[i + word.length] ?? ' ';
    if (!/[\w]/.test(before) && !/[\w]/.test(after)) return true;
  }
  return false;
}

function bodyStartIndex(spec: LanguageSpec, node: Node): number | undefined {
  for (const f of spec.bodyFields) {
    const b = node.childForFieldName(f);
    if (b) return b.startIndex;
  }
  return undefined;
}

function collectAttrs(spec: LanguageSpec, node: Node): string[] {
  const attrs: string[] = [];
  if (spec.attributeSiblings) {
    for (let s = node.previousNamedSibling; s; s = s.previousNamedSibling) {
      if (spec.attributeSiblings.includes(s.type)) attrs.unshift(squash(s.text.replace(/^#!?\[|\]$/g, ''), 160));
      else if (!spec.commentTypes.includes(s.type)) break;
    }
  }
  const w = spec.decoratorWrapper;
  const wrapper = w ? parentOf(node) : null;
  if (w && wrapper?.type === w.type) {
    for (const c of wrapper.namedChildren) {
      if (c?.type === w.decorator) attrs.push(squash(c.text.replace(/^@/, ''), 160));
    }
  }
  return attrs;
}

function cleanComment(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*(\/\/[\/!]?|\/\*+!?|\*+\/?|#+|"""|''')\s?/, '').replace(/\*+\/\s*$/, '').trim();
    if (line && !/^[-=*#\/]+$/.test(line)) return squash(line, 160);
  }
  return undefined;
}

function docLine(spec: LanguageSpec, node: Node): string | undefined {
  if (spec.docstrings) {
    const body = node.childForFieldName('body');
    const first = body?.firstNamedChild;
    if (first?.type === 'expression_statement' && first.firstNamedChild?.type === 'string') {
      return cleanComment(first.firstNamedChild.text.replace(/^[rubfRUBF]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, ''));
    }
  }
  // The run of comments (and attributes) directly above the definition; the first comment line is the doc.
  let anchor: Node = node;
  const w = spec.decoratorWrapper;
  const wrapper = w ? parentOf(node) : null;
  if (w && wrapper && wrapper.type === w.type) anchor = wrapper;
  let doc: string | undefined;
  let line = anchor.startPosition.row;
  for (let s = anchor.previousNamedSibling; s; s = s.previousNamedSibling) {
    if (s.endPosition.row < line - 1) break;
    if (spec.commentTypes.includes(s.type)) {
      doc = cleanComment(s.text) ?? doc;
    } else if (!spec.attributeSiblings?.includes(s.type)) break;
    line = s.startPosition.row;
  }
  return doc;
}

function makeCall(spec: LanguageSpec, m: QueryMatch, node: Node, kind: CallKind, source: string): Call | undefined {
  const nameNode = capture(m, 'call.name');
  if (!nameNode) return undefined;
  const recv = capture(m, 'call.receiver');
  const path = capture(m, 'call.path');
  const targs = capture(m, 'call.targs');
  let receiver: string | undefined;
  let sep: Call['sep'];
  if (recv) {
    // From the source text (node.text is this same slice): one wasm call instead of three and a Node.
    const end = recv.endIndex;
    receiver = squash(source.slice(recv.startIndex, end), MAX_RECEIVER);
    sep = /^\s*->/.test(source.slice(end, end + 64)) ? '->' : '.';
  } else if (path) {
    receiver = squash(path.text, MAX_RECEIVER);
    sep = spec.pathSep === '::' ? '::' : '.';
  }
  const name = nameNode.text;
  const awaiter = awaitedBy.get(node.id);
  let args: string | undefined;
  if (spec.argCalls.includes(name)) {
    const a = node.childForFieldName('arguments');
    if (a) args = squash(a.text, MAX_ARGS);
  }
  // Every key present, in one order (the codec drops undefined ones): one object shape for all calls.
  const call: Call = {
    name,
    kind,
    line: nameNode.startPosition.row + 1,
    col: nameNode.startPosition.column,
    in: -1,
    receiver,
    sep,
    targs: targs ? squash(targs.text.replace(/^(::)?<|>$/g, ''), 120) : undefined,
    awaited: awaiter !== undefined || undefined,
    tried: triedIds.has(node.id) || (awaiter !== undefined && triedIds.has(awaiter)) || undefined,
    args,
    spawned: undefined,
  };
  return call;
}

function makeImports(spec: LanguageSpec, m: QueryMatch, node: Node): Import[] {
  const line = node.startPosition.row + 1;
  let guarded = false;
  if (spec.guardNodes) {
    for (let p = parentOf(node); p; p = parentOf(p)) if (spec.guardNodes.includes(p.type)) { guarded = true; break; }
  }
  const tree = capture(m, 'import.tree');
  if (tree && spec.importExpander === 'rust-use') {
    return expandRustUse(tree.text).map((i) => ({ ...i, line }));
  }
  const mod = capture(m, 'import.module');
  if (!mod) return [];
  const imp: Import = { module: mod.text.replace(/^["<]|[">]$/g, ''), line };
  const n = capture(m, 'import.name');
  if (n) imp.name = n.text;
  if (capture(m, 'import.wildcard')) imp.name = '*';
  const a = capture(m, 'import.alias');
  if (a) imp.alias = a.text;
  if (guarded) imp.guarded = true;
  return [imp];
}

function makeBinding(m: QueryMatch, node: Node): Binding | undefined {
  const target = capture(m, 'bind.target');
  const field = capture(m, 'bind.field');
  const type = capture(m, 'bind.type');
  const alias = capture(m, 'bind.alias');
  const t = type ?? alias;
  if ((!target && !field) || !t) return undefined;
  const b: Binding = {
    target: field ? `self.${field.text}` : target!.text,
    type: squash(t.text, 160),
    line: node.startPosition.row + 1,
    in: -1,
  };
  if (alias) b.alias = true;
  return b;
}

/** Marks calls that sit inside the arguments of a spawn call. */
function markSpawned(spec: LanguageSpec, calls: Call[], ranges: Pending[]): void {
  if (!spec.spawnCalls) return;
  const spawns: number[] = [];
  for (let i = 0; i < calls.length; i++) if (spec.spawnCalls.includes(calls[i].name)) spawns.push(i);
  if (!spawns.length) return;
  for (let i = 0; i < calls.length; i++) {
    for (const s of spawns) {
      if (s !== i && ranges[i].start > ranges[s].start && ranges[i].end <= ranges[s].end) { calls[i].spawned = true; break; }
    }
  }
}

/** Give each item the index of its innermost enclosing definition (ranges are nested or disjoint). */
function assignEnclosing(defRanges: Pending[], itemRanges: Pending[], items: { in: number }[]): void {
  if (!items.length || !defRanges.length) return;
  const order = defRanges.map((_, i) => i).sort((a, b) => defRanges[a].start - defRanges[b].start || defRanges[b].end - defRanges[a].end);
  const itemOrder = itemRanges.map((_, i) => i).sort((a, b) => itemRanges[a].start - itemRanges[b].start);
  const stack: number[] = [];
  let di = 0;
  for (const ii of itemOrder) {
    const pos = itemRanges[ii].start;
    while (di < order.length && defRanges[order[di]].start <= pos) {
      const d = order[di++];
      while (stack.length && defRanges[stack[stack.length - 1]].end <= defRanges[d].start) stack.pop();
      stack.push(d);
    }
    while (stack.length && defRanges[stack[stack.length - 1]].end <= pos) stack.pop();
    items[ii].in = stack.length ? stack[stack.length - 1] : -1;
  }
}
