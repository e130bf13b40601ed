/**
 * The part of a tree-sitter binding the extractor uses. Two bindings implement it with the same numbers
 * (offsets and columns in UTF-16 code units): web-tree-sitter (wasm, always available) and the project's
 * own N-API binding (native.ts, faster, present when the install could compile it).
 */
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
   * Only the native binding, for the languages its C extractor handles: parses, queries, builds the file's
   * records and encodes its cache entry off the calling thread (the bytes encodeEntry makes of the record
   * extract.ts builds); undefined otherwise.
   */
  encodeEntry?(source: string, query: SyntaxQuery, spec: LanguageSpec, file: EntryFile): Promise<Uint8Array> | undefined;
}

/** What a cache entry holds beside the records: the file's path in its checkout, size in bytes and mtime. */
export interface EntryFile {
  path: string;
  size: number;
  mtimeMs: number;
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
