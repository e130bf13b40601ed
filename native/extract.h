/*
 * The C twin of src/lang/extract.ts: builds a file's records (definitions, calls, imports, bindings, error
 * marks, comment and string regions) from a query's matches, on the pool thread that parsed the file, and
 * encodes them as the file's cache entry (codec.h), so the worker only passes the bytes on. It gives the same records as the JS extractor, which stays for
 * web-tree-sitter and for what this one does not handle (src/lang/native-extract.ts decides per language).
 *
 * What it knows of a language comes from JS once (native-extract.ts builds the config words): the role of
 * each capture, the query's predicates, flags per node type, field ids and the registry's lists.
 */
#ifndef DSM_EXTRACT_H
#define DSM_EXTRACT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>
#include <uchar.h>

#include "codec.h"

typedef struct ExtractSpec ExtractSpec;

/* A spec from config words and their strings (UTF-16); NULL with *error set when the words do not parse. */
ExtractSpec *extract_spec_new(const uint32_t *config, size_t nwords, const char16_t *strings, size_t nstrings, const char **error);
void extract_spec_free(ExtractSpec *spec);

/* The file the records are for: what the cache entry holds beside them (parse-file.ts). */
typedef struct {
  const char16_t *path; /* relative to the checkout */
  size_t path_len;
  double size, mtime_ms;
} EntryMeta;

/* The file's cache entry, encoded as cache.ts's encodeEntry encodes the JS extractor's record. */
typedef struct {
  Bytes blob;
  bool failed; /* out of memory */
} ExtractOut;

/* matches: the words find_matches() gives (pattern, capture count, (capture id, node words) × count). */
void extract_entry(const ExtractSpec *spec, const TSTree *tree, const char16_t *text, size_t len, const uint32_t *matches,
                   size_t nmatch_words, const EntryMeta *meta, ExtractOut *out);
void extract_out_free(ExtractOut *out);

#endif
