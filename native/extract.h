/*
 * The C twin of src/lang/extract.ts: builds a file's records (definitions, calls, imports, bindings, error
 * marks, comment and string regions) from a query's matches, on the pool thread that parsed the file, so
 * the extracting JS thread only decodes them. It gives the same records as the JS extractor, which stays for
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

#include "nodewords.h"

typedef struct ExtractSpec ExtractSpec;

/* A spec from config words and their strings (UTF-16); NULL with *error set when the words do not parse. */
ExtractSpec *extract_spec_new(const uint32_t *config, size_t nwords, const char16_t *strings, size_t nstrings, const char **error);
void extract_spec_free(ExtractSpec *spec);

/*
 * The records: words (layout in native-extract.ts, decodeRecords) and the UTF-16 pool their strings point
 * into. failed: out of memory.
 */
typedef struct {
  Words words;
  char16_t *s;
  size_t sn, scap;
  bool failed;
} ExtractOut;

/* matches: the words find_matches() gives (pattern, capture count, (capture id, node words) × count). */
void extract_records(const ExtractSpec *spec, const TSTree *tree, const char16_t *text, size_t len, const uint32_t *matches,
                     size_t nmatch_words, ExtractOut *out);
void extract_out_free(ExtractOut *out);

#endif
