/*
 * Nodes as uint32 words: how the binding hands tree-sitter nodes to JS (a transfer buffer, a query's match
 * list) and how the extractor (extract.c) reads a match list back. Offsets and columns are in UTF-16 code
 * units (the text is parsed as UTF-16LE, so a byte offset halves).
 */
#ifndef DSM_NODEWORDS_H
#define DSM_NODEWORDS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <tree_sitter/api.h>

#define NODE_WORDS 10

typedef struct {
  uint32_t *data;
  size_t size;
  size_t cap;
  bool failed; /* out of memory: the result is dropped and an error thrown */
} Words;

static inline void words_push(Words *w, uint32_t v) {
  if (w->failed) return;
  if (w->size == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 4096;
    uint32_t *data = (uint32_t *)realloc(w->data, cap * sizeof(uint32_t));
    if (!data) {
      w->failed = true;
      return;
    }
    w->data = data;
    w->cap = cap;
  }
  w->data[w->size++] = v;
}

static inline uint32_t unit(uint32_t byte) { return byte >> 1; }

/* [id lo, id hi, context 0-3 (raw), type id, end index, end row, end column]; a null node has id 0. */
static inline void write_node(uint32_t *out, TSNode node) {
  uint64_t id = (uint64_t)(uintptr_t)node.id;
  out[0] = (uint32_t)id;
  out[1] = (uint32_t)(id >> 32);
  if (!node.id) return;
  out[2] = node.context[0];
  out[3] = node.context[1];
  out[4] = node.context[2];
  out[5] = node.context[3];
  out[6] = ts_node_symbol(node);
  TSPoint end = ts_node_end_point(node);
  out[7] = unit(ts_node_end_byte(node));
  out[8] = end.row;
  out[9] = unit(end.column);
}

static inline void push_node(Words *w, TSNode node) {
  for (int i = 0; i < NODE_WORDS; i++) words_push(w, 0);
  if (!w->failed) write_node(w->data + w->size - NODE_WORDS, node);
}

static inline TSNode read_node(const uint32_t *in, const TSTree *tree) {
  TSNode node;
  node.id = (const void *)(uintptr_t)(((uint64_t)in[1] << 32) | in[0]);
  node.context[0] = in[2];
  node.context[1] = in[3];
  node.context[2] = in[4];
  node.context[3] = in[5];
  node.tree = tree;
  return node;
}

#endif
