/**
 * From what an agent typed to a pattern the scanner can run safely. Accepts JavaScript regex syntax
 * plus the ripgrep habits agents bring along (`(?i)` prefix, `(?P<name>…)`, `[[:alpha:]]`). Smart
 * case: case-insensitive unless the pattern has an upper-case letter. Every pattern is checked to run
 * on V8's linear-time engine (see v8-regexp.ts); what cannot gets an error that says why.
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { UserError } from '../errors.js';
import { foldChar, foldClass } from './case-fold.js';
import { bestTerm, requiredLiterals, type Term } from './literals.js';
import { linearCompatible } from './v8-regexp.js';

/** Plain data: sent to the scan workers as is. */
export interface SearchPattern {
  /** What the agent typed. */
  display: string;
  /** V8 source, case folding already spelled out as classes; runs on the linear-time engine. */
  source: string;
  ignoreCase: boolean;
  /** How case sensitivity was decided. */
  caseReason: 'smart' | 'explicit' | 'inline';
  /** Prefilter: every match contains one string of each term (lower-case ASCII folded for the index). */
  terms: Term[];
  /** A required substring used to pick candidate lines; searched case-insensitively when `anchorFold`. */
  anchor?: string;
  anchorFold?: boolean;
  /** V8 source matching `anchor` case-insensitively (set when `anchorFold`). */
  anchorSource?: string;
  /** The pattern is exactly `anchor`: no regex needed to confirm a match. */
  exact?: boolean;
  /**
   * A cheaper regex that matches a line exactly when the pattern does, used to find candidate lines:
   * `\b` + pattern when it starts with `\w+` (a leftmost match can only start at a word boundary, and
   * skipping the positions inside words turns `\w+_\w+\(` from quadratic into linear backtracking).
   */
  lineFilter?: string;
}

export interface PatternInput {
  pattern: string;
  regex?: boolean;
  caseSensitive?: boolean;
}

export const MAX_PATTERN = 1000;

const EXAMPLE = '{"pattern": "RadixCache\\\\.evict", "regex": true}';
const POSIX: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', word: '\\w',
  xdigit: '0-9A-Fa-f', punct: '!-\\/:-@\\[-`{-~', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

export function compilePattern(input: PatternInput): SearchPattern {
  const raw = input.pattern;
  if (!raw) throw new UserError('pattern is empty.', EXAMPLE);
  if (raw.length > MAX_PATTERN) throw new UserError(`pattern is too long (${raw.length} chars, max ${MAX_PATTERN}).`, EXAMPLE);
  if (raw.includes('\n') || raw.includes('\r')) throw new UserError('pattern contains a line break: grep matches within one line. Search for one line of the text.', EXAMPLE);
  return input.regex === false ? compileLiteral(raw, input.caseSensitive) : compileRegex(raw, input.caseSensitive);
}

function hasUpper(s: string): boolean {
  return s !== s.toLowerCase();
}

function compileLiteral(raw: string, caseSensitive?: boolean): SearchPattern {
  const ignoreCase = caseSensitive === undefined ? !hasUpper(raw) : !caseSensitive;
  const source = ignoreCase ? foldedLiteralSource(raw) : raw.split('').map(escapeChar).join('');
  const folded = ignoreCase ? raw.toLowerCase() : raw;
  const p: SearchPattern = {
    display: raw, source, ignoreCase, caseReason: caseSensitive === undefined ? 'smart' : 'explicit',
    terms: [[folded]], anchor: folded, anchorFold: ignoreCase, exact: true,
  };
  if (ignoreCase) p.anchorSource = source;
  return p;
}

/** A case-insensitive V8 source for a literal string. */
export function foldedLiteralSource(text: string): string {
  return text.split('').map((c) => foldChar({ value: c.charCodeAt(0), raw: escapeChar(c) } as AST.Character)).join('');
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c;
}

function compileRegex(raw: string, caseSensitive?: boolean): SearchPattern {
  let src = raw;
  let inline: boolean | undefined;
  const flag = /^\(\?(-?)i\)/.exec(src);
  if (flag) {
    inline = flag[1] !== '-';
    src = src.slice(flag[0].length);
    if (!src) throw new UserError('pattern is empty after its (?i) flag.', EXAMPLE);
  }
  src = src.replace(/\(\?P</g, '(?<').replace(/\[:([a-z]+):\]/g, (m, name: string) => POSIX[name] ?? m);
  let ast: AST.Pattern;
  try {
    ast = new RegExpParser({ ecmaVersion: 2025, strict: false }).parsePattern(src, 0, src.length, { unicode: false });
  } catch (e) {
    throw new UserError(`Invalid regex: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}. ` +
      'Escape special characters (\\( \\. \\[) or pass "regex": false to search for the text as written.', EXAMPLE);
  }
  checkSupported(ast);
  const ignoreCase = inline ?? (caseSensitive === undefined ? !hasUpperLiteral(ast) : !caseSensitive);
  const caseReason = inline !== undefined ? 'inline' : caseSensitive === undefined ? 'smart' : 'explicit';
  const { source, anyFold } = rewrite(src, ast, ignoreCase);
  if (!linearCompatible(source, 'g')) {
    throw new UserError(`The regex /${raw}/ cannot run on the linear-time engine grep uses to stay safe on every input. ` +
      'Simplify it (no backreferences or look-around), or pass "regex": false for a literal search.', EXAMPLE);
  }
  const lits = requiredLiterals(ast, anyFold);
  const best = bestTerm(lits.terms.filter((t) => t.length === 1));
  const anchor = best && best[0].length >= 3 ? best[0] : undefined;
  const p: SearchPattern = { display: raw, source, ignoreCase, caseReason, terms: lits.terms };
  if (startsWithWordRun(ast)) p.lineFilter = `\\b(?:${source})`;
  if (anchor) {
    p.anchor = anchor;
    p.anchorFold = anyFold;
    if (anyFold) p.anchorSource = foldedLiteralSource(anchor);
    if (lits.exact !== undefined && lits.exact === anchor) p.exact = true;
  }
  return p;
}

function startsWithWordRun(ast: AST.Pattern): boolean {
  if (ast.alternatives.length !== 1) return false;
  const first = ast.alternatives[0].elements[0];
  return first?.type === 'Quantifier' && first.min >= 1 && first.max === Infinity &&
    first.element.type === 'CharacterSet' && first.element.kind === 'word' && !first.element.negate;
}

/** Constructs outside the linear engine, or outside line-by-line matching, get a precise error. */
function checkSupported(ast: AST.Pattern): void {
  const fail = (what: string) => {
    throw new UserError(`${what} Regex matching runs on a linear-time engine (like ripgrep's default), so backreferences, ` +
      'look-ahead/look-behind and Unicode property classes are not supported.', EXAMPLE);
  };
  const visit = (n: AST.Node): void => {
    switch (n.type) {
      case 'Backreference': return fail(`The regex uses a backreference (${n.raw}).`);
      case 'Assertion':
        if (n.kind === 'lookahead' || n.kind === 'lookbehind') return fail(`The regex uses a look-around assertion (${n.raw}).`);
        return;
      case 'Character':
        if (/^\\[pP]$/.test(n.raw)) return fail(`The regex uses \\${n.raw[1]}{…}.`);
        if (n.value === 10 && n.parent.type !== 'CharacterClass' && n.parent.type !== 'CharacterClassRange') {
          throw new UserError('The regex matches a line break (\\n): grep matches within one line at a time.', EXAMPLE);
        }
        return;
      case 'Group':
        if (n.modifiers && (n.modifiers.add.dotAll || n.modifiers.add.multiline || n.modifiers.remove?.dotAll || n.modifiers.remove?.multiline)) {
          throw new UserError(`Only the i modifier is supported in (?flags:…) groups (${n.raw.slice(0, 12)}…).`, EXAMPLE);
        }
        n.alternatives.forEach(visit);
        return;
      case 'Pattern': case 'CapturingGroup':
        n.alternatives.forEach(visit);
        return;
      case 'Alternative': n.elements.forEach(visit); return;
      case 'Quantifier': visit(n.element); return;
      case 'CharacterClass': n.elements.forEach(visit); return;
      default: return;
    }
  };
  visit(ast);
}

/** rg's smart case: an upper-case letter written in the pattern (not `\W`, `\S`, `\D`, `\B`). */
function hasUpperLiteral(ast: AST.Pattern): boolean {
  let found = false;
  const visit = (n: AST.Node): void => {
    if (found) return;
    if (n.type === 'Character') {
      if (hasUpper(String.fromCharCode(n.value)) && !/^\\[cxu]/.test(n.raw)) found = true;
    } else if (n.type === 'CharacterClassRange') {
      visit(n.min);
      visit(n.max);
    } else if ('alternatives' in n) n.alternatives.forEach(visit);
    else if ('elements' in n) (n.elements as AST.Node[]).forEach(visit);
    else if (n.type === 'Quantifier') visit(n.element);
  };
  visit(ast);
  return found;
}

/** The V8 source: case-insensitive parts spelled out as classes, (?i:…) groups turned into (?:…). */
function rewrite(src: string, ast: AST.Pattern, ignoreCase: boolean): { source: string; anyFold: boolean } {
  const edits: { start: number; end: number; text: string }[] = [];
  let anyFold = false;
  const visit = (n: AST.Node, fold: boolean): void => {
    switch (n.type) {
      case 'Character':
        if (fold) {
          const t = foldChar(n);
          if (t !== n.raw) edits.push({ start: n.start, end: n.end, text: t });
        }
        return;
      case 'CharacterClass':
        if (fold) edits.push({ start: n.start, end: n.end, text: foldClass(n) });
        return;
      case 'Group': {
        let f = fold;
        if (n.modifiers) {
          if (n.modifiers.add.ignoreCase) f = true;
          if (n.modifiers.remove?.ignoreCase) f = false;
          edits.push({ start: n.modifiers.start, end: n.modifiers.end, text: '' });
        }
        n.alternatives.forEach((a) => visit(a, f));
        return;
      }
      case 'Pattern': case 'CapturingGroup': n.alternatives.forEach((a) => visit(a, fold)); return;
      case 'Alternative': n.elements.forEach((e) => visit(e, fold)); return;
      case 'Quantifier': visit(n.element, fold); return;
      default: return;
    }
  };
  const markFold = (n: AST.Node, fold: boolean): void => {
    if (fold) anyFold = true;
    if (n.type === 'Group' && n.modifiers?.add.ignoreCase) anyFold = true;
    if ('alternatives' in n) n.alternatives.forEach((a) => markFold(a, fold));
    else if (n.type === 'Alternative') n.elements.forEach((e) => markFold(e, fold));
    else if (n.type === 'Quantifier') markFold(n.element, fold);
  };
  visit(ast, ignoreCase);
  markFold(ast, ignoreCase);
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += src.slice(at, e.start) + e.text;
    at = e.end;
  }
  return { source: out + src.slice(at), anyFold };
}
