/** Reads and parses one file into a FileRecord, or says why it was skipped. Runs inside a worker. */
import { lstatSync, readFileSync } from 'node:fs';
import { extractAsync } from '../lang/extract.js';
import { loadGrammar } from '../lang/grammar.js';
import { languageById } from '../lang/registry.js';
import { encodeEntry, type CachedSkip } from './cache.js';
import type { LanguageSpec } from '../lang/registry.js';
import type { EntryFile } from '../lang/syntax.js';
import type { FileRecord, SkippedFile } from './model.js';

/** Files larger than this are listed as skipped, not parsed (generated tables, vendored blobs). */
export const MAX_PARSE_BYTES = 1024 * 1024;
/** A line this long means minified or generated code: not worth a syntax tree. */
const MAX_LINE = 20_000;

/**
 * Skips carry the stat they were decided at (when the file could be stat'ed), so an unchanged skipped
 * file is not re-read on every freshness check.
 */
export async function parseFile(absPath: string, relPath: string, langId: string): Promise<FileRecord | CachedSkip> {
  const src = readSource(absPath, relPath, langId);
  return 'reason' in src ? src : recordOf(src);
}

/**
 * parseFile's cache entry (encodeEntry's bytes). Where the native binding's C extractor handles the language,
 * the records are built and encoded on the pool thread that parsed the file, and this thread never holds them.
 */
export async function parseFileEntry(absPath: string, relPath: string, langId: string): Promise<Uint8Array> {
  const src = readSource(absPath, relPath, langId);
  if ('reason' in src) return encodeEntry(src);
  try {
    const g = await loadGrammar(src.spec);
    const blob = g.parser.encodeEntry?.(src.text, g.query, src.spec, src.file);
    if (blob) return await blob;
  } catch (e) {
    return encodeEntry(src.skip(`parse failed: ${(e as Error).message}`));
  }
  return encodeEntry(await recordOf(src));
}

async function recordOf({ spec, text, file, skip }: Source): Promise<FileRecord | CachedSkip> {
  try {
    const g = await loadGrammar(spec);
    const rec = await extractAsync(spec, g.parser, g.query, text);
    return { path: file.path, size: file.size, mtimeMs: file.mtimeMs, ...rec };
  } catch (e) {
    return skip(`parse failed: ${(e as Error).message}`);
  }
}

interface Source {
  spec: LanguageSpec;
  text: string;
  file: EntryFile;
  /** A skip with the stat the file was read at. */
  skip: (reason: string) => CachedSkip;
}

/** The file's text, or why it is skipped (with the stat it was decided at, when there was one). */
function readSource(absPath: string, relPath: string, langId: string): Source | CachedSkip {
  const spec = languageById(langId);
  if (!spec) return { path: relPath, reason: `no grammar for ${langId}` };
  let buf: Buffer;
  let size: number;
  let mtimeMs: number;
  try {
    // lstat: a symlink is never followed, it could lead outside the checkout.
    const st = lstatSync(absPath);
    size = st.size;
    mtimeMs = st.mtimeMs;
    if (st.isSymbolicLink()) return { path: relPath, reason: 'a symbolic link (never followed: it could lead outside the checkout)', size, mtimeMs };
    if (!st.isFile()) return { path: relPath, reason: 'not a regular file', size, mtimeMs };
    if (st.size > MAX_PARSE_BYTES) return { path: relPath, reason: `too large (${(st.size / 1048576).toFixed(1)} MB > 1 MB)`, size, mtimeMs };
    buf = readFileSync(absPath);
  } catch (e) {
    return { path: relPath, reason: `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  const skip = (reason: string): CachedSkip => ({ path: relPath, reason, size, mtimeMs });
  if (buf.subarray(0, 8192).includes(0)) return skip('binary (NUL byte)');
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (longestLine(text) > MAX_LINE) return skip(`minified (a line over ${MAX_LINE} chars)`);
  return { spec, text, file: { path: relPath, size: buf.length, mtimeMs }, skip };
}

function longestLine(text: string): number {
  let max = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    if (i - start > max) max = i - start;
    start = i + 1;
  }
  return Math.max(max, text.length - start);
}

export function isSkipped(r: FileRecord | SkippedFile): r is SkippedFile {
  return (r as SkippedFile).reason !== undefined;
}
