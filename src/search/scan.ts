/**
 * Matching one file's text, line by line in effect (like ripgrep: a match never spans lines), but
 * without splitting the file: a required literal (`anchor`) picks candidate lines and the regex only
 * runs on those; without one, the regex runs over the whole text and a file where a match crossed a
 * line break is redone line by line. Output: flat [line, col, length] triples, lines 1-based, columns
 * 0-based UTF-16 (the FileRecord convention).
 */
import type { SearchPattern } from './pattern.js';
import { enableLinearRegexp } from './v8-regexp.js';

export interface Scanner {
  p: SearchPattern;
  line: RegExp;
  whole: RegExp;
  anchorRe?: RegExp;
  filter?: RegExp;
  /** The filter for use within one line (no `m` flag). */
  lineFilter?: RegExp;
}

export function makeScanner(p: SearchPattern): Scanner {
  enableLinearRegexp();
  const s: Scanner = { p, line: new RegExp(p.source, 'g'), whole: new RegExp(p.source, 'gm') };
  if (p.anchorFold && p.anchorSource) s.anchorRe = new RegExp(p.anchorSource, 'g');
  if (p.lineFilter) {
    s.filter = new RegExp(p.lineFilter, 'gm');
    s.lineFilter = new RegExp(p.lineFilter, 'g');
  }
  return s;
}

/** Tracks the line number of increasing positions in a text. */
class LineCursor {
  line = 1;
  start = 0;
  private nl: number;
  constructor(private text: string) {
    this.nl = text.indexOf('\n');
  }
  /** Moves to the line holding `pos` (never backwards). */
  to(pos: number): void {
    while (this.nl !== -1 && this.nl < pos) {
      this.line++;
      this.start = this.nl + 1;
      this.nl = this.text.indexOf('\n', this.start);
    }
  }
  get end(): number {
    return this.nl === -1 ? this.text.length : this.nl;
  }
}

/** A search that ran past its time budget: the worker stops and reports how far it got. */
export class BudgetExceeded extends Error {}

/** Line-aligned pieces of text the regex runs on, so one exec never sees more than ~8 KB (or one line). */
const SEGMENT = 8192;

export function scanText(text: string, s: Scanner, out: number[], deadline = Infinity): void {
  const p = s.p;
  if (p.anchor !== undefined) {
    if (!p.exact) anchoredLines(text, s, out, deadline);
    else if (p.anchorFold) wholeRegex(text, s.anchorRe!, out, deadline);
    else exactLiteral(text, p.anchor, out);
    return;
  }
  if (s.filter) return filteredLines(text, s, out, deadline);
  const before = out.length;
  if (!wholeRegex(text, s.whole, out, deadline)) {
    out.length = before;
    everyLine(text, s.line, out, deadline);
  }
}

function exactLiteral(text: string, lit: string, out: number[]): void {
  const cur = new LineCursor(text);
  for (let i = text.indexOf(lit); i !== -1; i = text.indexOf(lit, i + lit.length)) {
    cur.to(i);
    out.push(cur.line, i - cur.start, lit.length);
  }
}

/**
 * The regex over line-aligned segments of the text. Bounding each exec's input keeps V8's backtrack
 * counter per segment, so the linear-engine fallback only triggers on genuinely pathological input and
 * then only costs that segment. False when a match crossed a line break (the caller redoes the file per line).
 */
function wholeRegex(text: string, re: RegExp, out: number[], deadline: number): boolean {
  const cur = new LineCursor(text);
  for (let start = 0, n = 0; start < text.length; n++) {
    if (n > 0 && performance.now() > deadline) throw new BudgetExceeded();
    let end = text.length - start > SEGMENT ? text.indexOf('\n', start + SEGMENT) : -1;
    if (end === -1) end = text.length;
    const seg = start === 0 && end === text.length ? text : text.slice(start, end);
    re.lastIndex = 0;
    for (let m = re.exec(seg); m; m = re.exec(seg)) {
      const len = m[0].length;
      const at = start + m.index;
      cur.to(at);
      if (at + len > cur.end) return false;
      out.push(cur.line, at - cur.start, len);
      if (len === 0) re.lastIndex++;
    }
    start = end + 1;
  }
  return true;
}

/** Candidate lines from the line filter (run segment by segment), each confirmed by the pattern. */
function filteredLines(text: string, s: Scanner, out: number[], deadline: number): void {
  const re = s.filter!;
  const cur = new LineCursor(text);
  for (let start = 0, n = 0; start < text.length; n++) {
    if (n > 0 && performance.now() > deadline) throw new BudgetExceeded();
    let end = text.length - start > SEGMENT ? text.indexOf('\n', start + SEGMENT) : -1;
    if (end === -1) end = text.length;
    const seg = start === 0 && end === text.length ? text : text.slice(start, end);
    re.lastIndex = 0;
    for (let m = re.exec(seg); m; m = re.exec(seg)) {
      cur.to(start + m.index);
      matchLine(text, cur.start, cur.end, cur.line, s.line, out, s.lineFilter);
      if (cur.end >= end) break;
      re.lastIndex = cur.end + 1 - start;
    }
    start = end + 1;
  }
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Every match in one line. With a `\b` filter (pattern starting with `\w+`), each search that starts
 * after a non-word character uses the filter: its matches are the pattern's, found without trying the
 * positions inside words.
 */
function matchLine(text: string, start: number, end: number, lineNo: number, re: RegExp, out: number[], filter?: RegExp): void {
  // CRLF files: `$` matches before the \r, as it does in the whole-text (multiline) mode.
  const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
  for (let pos = 0; pos <= line.length;) {
    const r = filter && (pos === 0 || !isWord(line.charCodeAt(pos - 1))) ? filter : re;
    r.lastIndex = pos;
    const m = r.exec(line);
    if (!m) break;
    out.push(lineNo, m.index, m[0].length);
    pos = m.index + Math.max(1, m[0].length);
  }
}

function anchoredLines(text: string, s: Scanner, out: number[], deadline: number): void {
  const lit = s.p.anchor!;
  const cur = new LineCursor(text);
  const find = (from: number): number => {
    if (!s.anchorRe) return text.indexOf(lit, from);
    s.anchorRe.lastIndex = from;
    const m = s.anchorRe.exec(text);
    return m ? m.index : -1;
  };
  for (let i = find(0), n = 0; i !== -1; n++) {
    if ((n & 15) === 15 && performance.now() > deadline) throw new BudgetExceeded();
    cur.to(i);
    const end = cur.end;
    matchLine(text, cur.start, end, cur.line, s.line, out);
    if (end >= text.length) break;
    i = find(end + 1);
  }
}

function everyLine(text: string, re: RegExp, out: number[], deadline: number): void {
  let lineNo = 1;
  for (let start = 0; start <= text.length; lineNo++) {
    if ((lineNo & 15) === 0 && performance.now() > deadline) throw new BudgetExceeded();
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    matchLine(text, start, end, lineNo, re, out);
    start = end + 1;
  }
}

/**
 * Last line of each definition's signature, for the `definitions` scope: from the definition's first
 * line, as many lines as it takes to cover the signature's non-blank characters.
 */
export function signatureEnds(text: string, defs: Int32Array): Int32Array {
  const ends = new Int32Array(defs.length / 2);
  const cur = new LineCursor(text);
  const order = [...ends.keys()].sort((a, b) => defs[2 * a] - defs[2 * b]);
  for (const k of order) {
    const first = defs[2 * k];
    let need = defs[2 * k + 1];
    while (cur.line < first && cur.end < text.length) cur.to(cur.end + 1);
    let line = cur.line;
    let i = cur.start;
    for (; i < text.length && need > 0; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) need--;
    }
    ends[k] = Math.max(first, line);
  }
  return ends;
}
