/**
 * The part of a tree-sitter binding the extractor uses. Two bindings implement it with the same numbers
 * (offsets and columns in UTF-16 code units): web-tree-sitter (wasm, always available) and the project's
 * own N-API binding (native.ts, faster, present when the install could compile it).
 */
import type { Extracted } from './extract.js';
import type { LanguageSpec } from './registry.js';

export interface Point {
  row: number;
  column: number;
}

export interface SyntaxNode {
  /** Unique per node within its tree. */
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly parent: SyntaxNode | null;
  readonly namedChildren: (SyntaxNode | null)[];
  readonly firstNamedChild: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  readonly hasError: boolean;
  childForFieldName(name: string): SyntaxNode | null;
  descendantsOfType(type: string): (SyntaxNode | null)[];
}

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  delete(): void;
}

export interface SyntaxParser {
  parse(source: string): SyntaxTree | null;
  /**
   * Only the native binding: parses off the calling thread, the query's matches of the root found there
   * too (the tree's root then answers query.matches() without running it again).
   */
  parseMatched?(source: string, query: SyntaxQuery): Promise<SyntaxTree>;
  /**
   * Only the native binding, for the languages its C extractor handles: parses, queries and builds the
   * file's records off the calling thread (the same records extract.ts builds); undefined otherwise.
   */
  extractRecords?(source: string, query: SyntaxQuery, spec: LanguageSpec): Promise<Extracted> | undefined;
}

export interface SyntaxCapture {
  name: string;
  node: SyntaxNode;
}

export interface SyntaxMatch {
  patternIndex: number;
  captures: SyntaxCapture[];
}

export interface SyntaxQuery {
  readonly captureNames: string[];
  matches(node: SyntaxNode): SyntaxMatch[];
}

export type Backend = 'native' | 'wasm';
