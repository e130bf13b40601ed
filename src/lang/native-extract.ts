/**
 * The native binding's extractor (native/extract.c): the C twin of extract.ts, run on the pool thread that
 * parsed the file. It builds the records extract.ts builds and encodes them as the file's cache entry, the
 * bytes cache.ts's encodeEntry makes of extract.ts's record (native/codec.c), so the worker only passes
 * them on (a test compares the two, byte for byte). This module is its JS half: extractorConfig(), what the
 * C code needs to know of a language and its query, as uint32 words and one string (capture roles,
 * predicates, flags per node type, field ids, the registry's lists).
 * Languages that need what the C code does not do (macro bodies, line-pattern recovery, qualified C++
 * names, `#match?` predicates) stay on extract.ts: extractorConfig() says why.
 */
import { isPrimary } from './extract.js';
import type { LanguageSpec } from './registry.js';

// Capture roles, flags and definition kinds: the enums at the top of native/extract.c.
const ROLES: Record<string, number> = {
  name: 2, 'call.name': 4, 'call.receiver': 5, 'call.path': 6, 'call.targs': 7, import: 8, 'import.module': 9,
  'import.name': 10, 'import.alias': 11, 'import.wildcard': 12, 'import.tree': 13, bind: 14, 'bind.target': 15,
  'bind.field': 16, 'bind.type': 17, 'bind.alias': 18, comment: 20, string: 21, 'ctx.awaiter': 23, 'ctx.try': 24,
};
const R_DEF = 1, R_CALL = 3, R_ERROR = 19, R_CTX_CHILD = 22;
const C_PRIMARY = 1, C_DECL = 2, C_CTX = 4;
const KINDS: Record<string, number> = { function: 1, method: 2, impl: 3, enum: 4, class: 5, module: 6 };
const S = {
  COMMENT: 1 << 0, ATTR: 1 << 1, WRAPPER: 1 << 2, DECORATOR: 1 << 3, COMPOUND: 1 << 4, FN_SIG_ITEM: 1 << 5,
  LINKAGE: 1 << 6, IF: 1 << 7, GUARD: 1 << 8, EXPR_STMT: 1 << 9, STRING: 1 << 10, KWARG: 1 << 11,
  VARIANT: 1 << 12, PAYLOAD: 1 << 13, ATTR_ITEM: 1 << 14, LB_COMMENT: 1 << 15, RBRACE: 1 << 16, ERROR: 1 << 17,
};
const O = {
  DOCSTRINGS: 1 << 0, RUST_USE: 1 << 1, EXTERN_C: 1 << 2, TUPLE_VARIANTS: 1 << 3, WRAPPER: 1 << 4,
  ATTR_SIBLINGS: 1 << 5, TYPE_GUARD: 1 << 6, CTX: 1 << 7, SPAWN: 1 << 8, GUARD_NODES: 1 << 9,
};
const P_EQ_TEXT = 0, P_EQ_CAPTURE = 1, P_ANY_OF = 2;
const END_MARK = 0x45585452;

/** What extract.ts compares node types with, as flags per type name. */
function symbolFlags(spec: LanguageSpec, type: string): number {
  let f = 0;
  if (spec.commentTypes.includes(type)) f |= S.COMMENT;
  if (spec.attributeSiblings?.includes(type)) f |= S.ATTR;
  if (spec.decoratorWrapper?.type === type) f |= S.WRAPPER;
  if (spec.decoratorWrapper?.decorator === type) f |= S.DECORATOR;
  if (type === 'compound_statement') f |= S.COMPOUND;
  if (type === 'function_signature_item') f |= S.FN_SIG_ITEM;
  if (type === 'linkage_specification' || type === 'foreign_mod_item') f |= S.LINKAGE;
  if (type === 'if_statement') f |= S.IF;
  if (spec.guardNodes?.includes(type)) f |= S.GUARD;
  if (type === 'expression_statement') f |= S.EXPR_STMT;
  if (type === 'string') f |= S.STRING;
  if (type === 'keyword_argument') f |= S.KWARG;
  if (spec.tupleVariants?.variant === type) f |= S.VARIANT;
  if (spec.tupleVariants?.payload === type) f |= S.PAYLOAD;
  if (type === 'attribute_item') f |= S.ATTR_ITEM;
  if (type === 'line_comment' || type === 'block_comment') f |= S.LB_COMMENT;
  if (type === '}') f |= S.RBRACE;
  if (type === 'ERROR') f |= S.ERROR;
  return f;
}

class ConfigWriter {
  readonly words: number[] = [];
  private strings = '';
  private readonly at = new Map<string, number>();
  word(n: number): void { this.words.push(n >>> 0); }
  str(s: string): void {
    let off = this.at.get(s);
    if (off === undefined) {
      this.at.set(s, off = this.strings.length);
      this.strings += s;
    }
    this.word(off);
    this.word(s.length);
  }
  list(items: readonly string[]): void {
    this.word(items.length);
    for (const s of items) this.str(s);
  }
  done(): { config: Uint32Array; strings: string } {
    this.word(END_MARK);
    return { config: Uint32Array.from(this.words), strings: this.strings };
  }
}

export interface PredicateArg { capture?: number; text?: string }

/**
 * A pattern's predicates from tree-sitter's steps ([kind, value] pairs: 1 a capture id, 2 a string, 0 the end
 * of one predicate): each one's operator (`eq?`, `not-any-of?`...) and its arguments.
 */
export function splitPredicates(steps: readonly (number | string)[]): { op: string; args: PredicateArg[] }[] {
  const out: { op: string; args: PredicateArg[] }[] = [];
  let args: PredicateArg[] = [];
  for (let i = 0; i < steps.length; i += 2) {
    if (steps[i] === 1) args.push({ capture: steps[i + 1] as number });
    else if (steps[i] === 2) args.push({ text: steps[i + 1] as string });
    else {
      out.push({ op: args[0]?.text ?? '', args: args.slice(1) });
      args = [];
    }
  }
  return out;
}

export interface GrammarTables {
  /** Node type names by symbol id (null: none), field ids by name. */
  types: readonly (string | null)[];
  fieldIds: ReadonlyMap<string, number>;
}

/**
 * The C extractor's config for this language and query, or a reason why the language stays on extract.ts.
 * predicates: per pattern, the raw steps ([kind, value] pairs: 1 capture id, 2 string, 0 end of one).
 */
export function extractorConfig(
  spec: LanguageSpec, grammar: GrammarTables, captureNames: readonly string[], predicates: readonly (readonly (number | string)[])[],
): { config: Uint32Array; strings: string } | string {
  if (spec.macroBodies) return 'macro bodies are parsed by extract.ts';
  if (spec.recover?.length) return 'line-pattern recovery runs in extract.ts';
  if (grammar.types.includes('qualified_identifier')) return 'qualified C++ names are split by extract.ts';
  const w = new ConfigWriter();
  const field = (name: string) => grammar.fieldIds.get(name) ?? 0;

  w.word(grammar.types.length);
  const containers = Object.entries(spec.containers);
  for (const t of grammar.types) {
    const type = t || 'ERROR';
    const ci = containers.findIndex(([k]) => k === type);
    w.word(symbolFlags(spec, type) | ((ci + 1) << 24));
  }
  w.word(symbolFlags(spec, 'ERROR') | ((containers.findIndex(([k]) => k === 'ERROR') + 1) << 24));

  w.word(captureNames.length);
  for (const name of captureNames) {
    let role = ROLES[name] ?? 0;
    let kindText = '';
    let flags = !name.includes('.') || isPrimary(name) ? C_PRIMARY : 0;
    if (name.startsWith('ctx.')) {
      flags |= C_CTX;
      if (!role) role = R_CTX_CHILD;
    } else if (name.startsWith('def.')) {
      role = R_DEF;
      kindText = name.slice(4);
      if (kindText.endsWith('.decl')) flags |= C_DECL;
      kindText = kindText.replace(/\.decl$/, '');
    } else if (name.startsWith('call.') && !role) {
      role = R_CALL;
      kindText = name.slice(5);
    } else if (name.startsWith('error.')) {
      role = R_ERROR;
      kindText = name.slice(6);
    }
    w.word(role);
    w.word(flags);
    w.word(role === R_DEF ? KINDS[kindText] ?? 0 : 0);
    w.str(kindText);
  }

  w.word(predicates.length);
  for (const steps of predicates) {
    const preds = splitPredicates(steps);
    w.word(preds.length);
    for (const p of preds) {
      const negate = p.op.startsWith('not-');
      const op = negate ? p.op.slice(4) : p.op;
      const cap = p.args[0]?.capture;
      const values = p.args.slice(1);
      if (cap === undefined) return `query predicate #${p.op} needs a capture first`;
      if (op === 'eq?' && values[0]?.capture !== undefined) {
        w.word(P_EQ_CAPTURE); w.word(negate ? 1 : 0); w.word(cap); w.word(values[0].capture); w.word(0);
      } else if (op === 'eq?') {
        w.word(P_EQ_TEXT); w.word(negate ? 1 : 0); w.word(cap); w.word(0);
        w.list(values[0]?.text !== undefined ? [values[0].text] : []);
      } else if (op === 'any-of?') {
        w.word(P_ANY_OF); w.word(negate ? 1 : 0); w.word(cap); w.word(0);
        w.list(values.map((v) => v.text ?? ''));
      } else {
        return `query predicate #${p.op} is evaluated by extract.ts`;
      }
    }
  }

  w.word(containers.length);
  for (const [, c] of containers) {
    w.str(c.kind);
    w.word(field(c.nameField));
    w.word(c.traitField ? field(c.traitField) : 0);
    w.word(c.kind !== 'namespace' && c.kind !== 'module' ? 1 : 0);
  }
  w.word(spec.bodyFields.length);
  for (const f of spec.bodyFields) w.word(field(f));
  for (const f of ['body', 'trait', 'superclasses', 'condition', 'consequence', 'arguments']) w.word(field(f));
  let opts = 0;
  if (spec.docstrings) opts |= O.DOCSTRINGS;
  if (spec.importExpander === 'rust-use') opts |= O.RUST_USE;
  if (spec.sigQualifiers.includes('extern "C"')) opts |= O.EXTERN_C;
  if (spec.tupleVariants) opts |= O.TUPLE_VARIANTS;
  if (spec.decoratorWrapper) opts |= O.WRAPPER;
  if (spec.attributeSiblings) opts |= O.ATTR_SIBLINGS;
  if (spec.typeOnlyGuard) opts |= O.TYPE_GUARD;
  if (spec.awaitParents.length || spec.tryParents.length) opts |= O.CTX;
  if (spec.spawnCalls) opts |= O.SPAWN;
  if (spec.guardNodes) opts |= O.GUARD_NODES;
  w.word(opts);
  w.str(spec.id);
  w.str(spec.pathSep);
  w.str(spec.typeOnlyGuard ?? '');
  w.list(spec.sigQualifiers);
  w.list(spec.argCalls);
  w.list(spec.spawnCalls ?? []);
  return w.done();
}
