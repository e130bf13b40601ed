/*
 * A small N-API binding of the tree-sitter runtime, for the cold index.
 *
 * It offers the subset of web-tree-sitter that src/lang/extract.ts uses, with the same numbers (offsets and
 * columns in UTF-16 code units, node ids, type ids), so both backends give identical records. What makes it
 * faster than the wasm build: the parser and the query cursor run as native code, and a query's matches come
 * back as one Uint32Array per file instead of one JS object per node.
 *
 * Nodes cross the boundary as NODE_WORDS uint32 words (see write_node), in a transfer buffer that JS hands
 * over once (init) or in a returned Uint32Array. A node operation reads its node from the transfer buffer's
 * first NODE_WORDS words and writes its result node(s) back there.
 *
 * The cold index parses with parseAsync: the parse and the query run on libuv's pool threads, and the
 * calling thread only extracts records from the trees they hand back (and frees them off the thread too,
 * deleteTree(tree, true)). Everything else runs on the calling thread.
 *
 * Each tree lives in an arena of its own (arena.h): parsing bumps a pointer instead of calling malloc, and
 * freeing a tree hands its chunks back instead of walking it.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
#include "arena.h"
#include "extract.h"
#include "nodewords.h"
/* The runtime's own headers (it is compiled into this addon): walk() reads subtrees as its tree cursor does. */
#include "language.h"
#include "length.h"
#include "subtree.h"
#include "tree.h"
#include <uv.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/*
 * Compiled queries, shared by every thread of the process. Compiling is the costly part of a query
 * (ts_query_new analyses each pattern against the grammar's parse table: ~0.3 s for C++, ~0.37 s for CUDA),
 * and every parser worker needs the same few, so each (language, source) pair is compiled once, by the first
 * thread that asks; a thread asking while it compiles waits for it. A TSQuery is read-only once built (each
 * thread runs it with its own cursor). Each entry counts the threads (N-API environments) that hold it and
 * is freed when the last of them ends: a thread holds the grammar's library loaded while it lives, so an
 * entry never outlives its language, and nothing leaks when the addon is unloaded with the last worker.
 */
typedef struct QueryEntry {
  const TSLanguage *lang;
  char *src;
  size_t len;
  TSQuery *query; /* NULL while compiling, and when the source does not compile */
  bool done;
  uint32_t err_offset;
  TSQueryError err;
  unsigned holders;
  struct QueryEntry *next;
} QueryEntry;

static uv_once_t query_once = UV_ONCE_INIT;
static uv_mutex_t query_lock;
static uv_cond_t query_compiled;
static QueryEntry *query_entries;

static void query_cache_init(void) {
  uv_mutex_init(&query_lock);
  uv_cond_init(&query_compiled);
}

/*
 * The entry for (lang, src), compiled now (*compiled = true) or by another thread, held once more. Takes
 * ownership of src.
 */
static QueryEntry *shared_query(const TSLanguage *lang, char *src, size_t len, bool *compiled) {
  *compiled = false;
  uv_once(&query_once, query_cache_init);
  uv_mutex_lock(&query_lock);
  QueryEntry *e = query_entries;
  while (e && !(e->lang == lang && e->len == len && memcmp(e->src, src, len) == 0)) e = e->next;
  if (e) {
    e->holders++;
    while (!e->done) uv_cond_wait(&query_compiled, &query_lock);
    uv_mutex_unlock(&query_lock);
    free(src);
    return e;
  }
  e = (QueryEntry *)calloc(1, sizeof *e);
  if (!e) {
    uv_mutex_unlock(&query_lock);
    free(src);
    return NULL;
  }
  e->lang = lang;
  e->src = src;
  e->len = len;
  e->holders = 1;
  e->next = query_entries;
  query_entries = e;
  uv_mutex_unlock(&query_lock);
  TSQuery *q = ts_query_new(lang, src, (uint32_t)len, &e->err_offset, &e->err);
  *compiled = true;
  uv_mutex_lock(&query_lock);
  e->query = q;
  e->done = true;
  uv_cond_broadcast(&query_compiled);
  uv_mutex_unlock(&query_lock);
  return e;
}

/* One holder fewer; the last one frees the entry and its query. */
static void release_query(QueryEntry *e) {
  uv_mutex_lock(&query_lock);
  if (--e->holders == 0) {
    QueryEntry **at = &query_entries;
    while (*at != e) at = &(*at)->next;
    *at = e->next;
    if (e->query) ts_query_delete(e->query);
    free(e->src);
    free(e);
  }
  uv_mutex_unlock(&query_lock);
}

typedef struct {
  uint32_t *xfer;
  size_t xfer_words;
  napi_ref xfer_ref;
  TSQueryCursor *cursor;
  TSTreeCursor scratch;
  int scratch_live;
  QueryEntry **queries; /* the shared queries this thread holds, each once */
  size_t nqueries;
} State;

typedef struct {
  TSTree *tree;
  Arena *arena; /* the tree's memory (see arena.h), or NULL when the tree is malloc's */
} TreeBox;


#define CHECK(call)                                                                                      \
  do {                                                                                                    \
    if ((call) != napi_ok) return throw_last(env);                                                       \
  } while (0)

/* Declares argc/argv and reads up to n arguments of the call. */
#define ARGS(n)                \
  size_t argc = (n);           \
  napi_value argv[(n)];        \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

static napi_value throw_last(napi_env env) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, info && info->error_message ? info->error_message : "N-API call failed");
  return NULL;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static State *state_of(napi_env env) {
  State *s = NULL;
  napi_get_instance_data(env, (void **)&s);
  return s;
}

static void state_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  State *s = (State *)data;
  if (s->cursor) ts_query_cursor_delete(s->cursor);
  if (s->scratch_live) ts_tree_cursor_delete(&s->scratch);
  for (size_t i = 0; i < s->nqueries; i++) release_query(s->queries[i]);
  free(s->queries);
  free(s);
}

static napi_value to_u32(napi_env env, uint32_t v) {
  napi_value out;
  napi_create_uint32(env, v, &out);
  return out;
}

/* A Uint32Array holding a copy of the words (the words are freed). */
static napi_value words_to_array(napi_env env, Words *w) {
  if (w->failed) {
    free(w->data);
    w->data = NULL;
    return fail(env, "out of memory");
  }
  void *data = NULL;
  napi_value buffer, array;
  napi_status st = napi_create_arraybuffer(env, w->size * sizeof(uint32_t), &data, &buffer);
  if (st == napi_ok && w->size) memcpy(data, w->data, w->size * sizeof(uint32_t));
  free(w->data);
  w->data = NULL;
  if (st != napi_ok) return throw_last(env);
  CHECK(napi_create_typedarray(env, napi_uint32_array, w->size, buffer, 0, &array));
  return array;
}

static const TSLanguage *language_arg(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) return NULL;
  return (const TSLanguage *)p;
}

static TSTree *tree_arg(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) return NULL;
  return ((TreeBox *)p)->tree;
}

/* init(transfer: Uint32Array) */
static napi_value js_init(napi_env env, napi_callback_info info) {
  ARGS(1);
  napi_typedarray_type type;
  size_t length;
  void *data;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (type != napi_uint32_array || length < 64) return fail(env, "init needs a Uint32Array of at least 64 words");
  State *s = state_of(env);
  if (s->xfer_ref) napi_delete_reference(env, s->xfer_ref);
  CHECK(napi_create_reference(env, argv[0], 1, &s->xfer_ref));
  s->xfer = (uint32_t *)data;
  s->xfer_words = length;
  return NULL;
}

/* languageInfo(language) → { types: string[], fields: (string|null)[] } */
static napi_value js_language_info(napi_env env, napi_callback_info info) {
  ARGS(1);
  const TSLanguage *lang = language_arg(env, argv[0]);
  if (!lang) return fail(env, "not a tree-sitter language");
  napi_value out, types, fields;
  CHECK(napi_create_object(env, &out));
  uint32_t nsym = ts_language_symbol_count(lang);
  CHECK(napi_create_array_with_length(env, nsym, &types));
  for (uint32_t i = 0; i < nsym; i++) {
    const char *name = ts_language_symbol_name(lang, (TSSymbol)i);
    napi_value v;
    if (name) napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
    else napi_get_null(env, &v);
    napi_set_element(env, types, i, v);
  }
  uint32_t nfield = ts_language_field_count(lang);
  CHECK(napi_create_array_with_length(env, nfield + 1, &fields));
  for (uint32_t i = 0; i <= nfield; i++) {
    const char *name = i ? ts_language_field_name_for_id(lang, (TSFieldId)i) : NULL;
    napi_value v;
    if (name) napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v);
    else napi_get_null(env, &v);
    napi_set_element(env, fields, i, v);
  }
  napi_value supertypes;
  uint32_t nsuper = 0;
  CHECK(napi_create_array(env, &supertypes));
  for (uint32_t i = 0; i < nsym; i++) {
    if (ts_language_symbol_type(lang, (TSSymbol)i) == TSSymbolTypeSupertype) napi_set_element(env, supertypes, nsuper++, to_u32(env, i));
  }
  napi_set_named_property(env, out, "types", types);
  napi_set_named_property(env, out, "fields", fields);
  napi_set_named_property(env, out, "supertypes", supertypes);
  return out;
}

/* Frees a tree: its arena when it has one, else the tree itself. */
static void tree_free(TSTree *tree, Arena *arena) {
  if (arena) arena_release(arena);
  else if (tree) ts_tree_delete(tree);
}

static void tree_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  TreeBox *box = (TreeBox *)data;
  tree_free(box->tree, box->arena);
  free(box);
}

/* A malloc'd copy of a JS string's UTF-16 code units (*len of them), or NULL with an exception pending. */
static char16_t *copy_utf16(napi_env env, napi_value str, size_t *len) {
  if (napi_get_value_string_utf16(env, str, NULL, 0, len) != napi_ok) {
    throw_last(env);
    return NULL;
  }
  char16_t *text = (char16_t *)malloc((*len + 1) * sizeof(char16_t));
  if (!text) {
    fail(env, "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf16(env, str, text, *len + 1, len) != napi_ok) {
    free(text);
    throw_last(env);
    return NULL;
  }
  return text;
}

/* The tree as a JS external that frees it when collected (or at deleteTree), or NULL with an exception pending. */
static napi_value tree_external(napi_env env, TSTree *tree, Arena *arena) {
  TreeBox *box = (TreeBox *)malloc(sizeof(TreeBox));
  if (!box) {
    tree_free(tree, arena);
    fail(env, "out of memory");
    return NULL;
  }
  box->tree = tree;
  box->arena = arena;
  napi_value out;
  if (napi_create_external(env, box, tree_finalize, NULL, &out) != napi_ok) {
    tree_finalize(env, box, NULL);
    throw_last(env);
    return NULL;
  }
  return out;
}

/*
 * Parses UTF-16 text in an arena of its own (see arena.h): the parser is made and deleted inside it, so
 * nothing of the parse outlives the arena but the tree. NULL with *error set when there is no tree.
 */
static TSTree *parse_text(const TSLanguage *lang, const char16_t *text, size_t len, Arena **arena, const char **error) {
  Arena *a = arena_begin();
  TSParser *parser = ts_parser_new();
  TSTree *tree = NULL;
  if (!ts_parser_set_language(parser, lang)) *error = "language version not supported by this tree-sitter runtime";
  else if (!(tree = ts_parser_parse_string_encoding(parser, NULL, (const char *)text, (uint32_t)(len * sizeof(char16_t)), TSInputEncodingUTF16LE))) *error = "the parser returned no tree";
  ts_parser_delete(parser);
  arena_end(a);
  if (!tree) {
    arena_release(a);
    a = NULL;
  }
  *arena = a;
  return tree;
}

/* parse(language, source: string) → tree (external); the root node is written to the transfer buffer. */
static napi_value js_parse(napi_env env, napi_callback_info info) {
  ARGS(2);
  State *s = state_of(env);
  if (!s->xfer) return fail(env, "init was not called");
  const TSLanguage *lang = language_arg(env, argv[0]);
  if (!lang) return fail(env, "not a tree-sitter language");
  size_t len = 0;
  char16_t *text = copy_utf16(env, argv[1], &len);
  if (!text) return NULL;
  Arena *arena = NULL;
  const char *error = NULL;
  TSTree *tree = parse_text(lang, text, len, &arena, &error);
  free(text);
  if (!tree) return fail(env, error);
  napi_value out = tree_external(env, tree, arena);
  if (out) write_node(s->xfer, ts_tree_root_node(tree));
  return out;
}

typedef struct {
  napi_async_work work;
  TSTree *tree;
  Arena *arena;
} TreeRelease;

static void tree_release_execute(napi_env env, void *data) {
  (void)env;
  TreeRelease *r = (TreeRelease *)data;
  tree_free(r->tree, r->arena);
}

static void tree_release_complete(napi_env env, napi_status status, void *data) {
  (void)status;
  TreeRelease *r = (TreeRelease *)data;
  napi_delete_async_work(env, r->work);
  free(r);
}

/* treeBytes(tree) → the bytes of the tree's arena (0 when the tree is malloc's or was deleted). */
static napi_value js_tree_bytes(napi_env env, napi_callback_info info) {
  ARGS(1);
  void *p = NULL;
  double bytes = 0;
  if (napi_get_value_external(env, argv[0], &p) == napi_ok && p) bytes = (double)arena_bytes(((TreeBox *)p)->arena);
  napi_value out;
  CHECK(napi_create_double(env, bytes, &out));
  return out;
}

/*
 * deleteTree(tree, offThread): frees the tree now (the external's finalizer would only run at GC). With
 * offThread, a libuv pool thread frees it (a big tree takes milliseconds), and the call returns at once;
 * the tree is unusable from JS either way.
 */
static napi_value js_delete_tree(napi_env env, napi_callback_info info) {
  ARGS(2);
  void *p = NULL;
  if (napi_get_value_external(env, argv[0], &p) != napi_ok || !p) return NULL;
  TreeBox *box = (TreeBox *)p;
  TSTree *tree = box->tree;
  Arena *arena = box->arena;
  box->tree = NULL;
  box->arena = NULL;
  if (!tree) return NULL;
  bool off = false;
  if (argc > 1) napi_get_value_bool(env, argv[1], &off);
  TreeRelease *r = off ? (TreeRelease *)calloc(1, sizeof(TreeRelease)) : NULL;
  if (r) {
    napi_value name;
    r->tree = tree;
    r->arena = arena;
    if (napi_create_string_utf8(env, "dsm_tree_release", NAPI_AUTO_LENGTH, &name) == napi_ok &&
        napi_create_async_work(env, NULL, name, tree_release_execute, tree_release_complete, r, &r->work) == napi_ok) {
      if (napi_queue_async_work(env, r->work) == napi_ok) return NULL;
      napi_delete_async_work(env, r->work);
    }
    free(r);
  }
  tree_free(tree, arena);
  return NULL;
}

static const char *QUERY_ERRORS[] = {"none", "syntax", "node type", "field", "capture", "structure", "language"};

/*
 * newQuery(language, source) → { query (external), compiled: boolean, captureNames: string[], predicates:
 * step[][] } where compiled says whether this call compiled the query (false: another thread had) and a
 * pattern's steps are [kind, value] pairs (kind 1 = capture id, 2 = string, 0 = end of one predicate).
 */
static napi_value js_new_query(napi_env env, napi_callback_info info) {
  ARGS(2);
  const TSLanguage *lang = language_arg(env, argv[0]);
  if (!lang) return fail(env, "not a tree-sitter language");
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, argv[1], NULL, 0, &len));
  char *src = (char *)malloc(len + 1);
  if (!src) return fail(env, "out of memory");
  napi_status st = napi_get_value_string_utf8(env, argv[1], src, len + 1, &len);
  if (st != napi_ok) {
    free(src);
    return throw_last(env);
  }
  State *s = state_of(env);
  QueryEntry **held = (QueryEntry **)realloc(s->queries, (s->nqueries + 1) * sizeof *held);
  if (!held) {
    free(src);
    return fail(env, "out of memory");
  }
  s->queries = held;
  bool compiled;
  QueryEntry *e = shared_query(lang, src, len, &compiled);
  if (!e) return fail(env, "out of memory");
  size_t i = 0;
  while (i < s->nqueries && s->queries[i] != e) i++;
  if (i < s->nqueries) release_query(e); /* this thread already holds it */
  else s->queries[s->nqueries++] = e;
  TSQuery *q = e->query;
  if (!q) {
    char message[160];
    snprintf(message, sizeof message, "query %s error at byte %u", e->err < 7 ? QUERY_ERRORS[e->err] : "unknown", e->err_offset);
    return fail(env, message);
  }
  napi_value out, handle, names, preds;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_external(env, q, NULL, NULL, &handle));
  napi_set_named_property(env, out, "query", handle);
  napi_value flag;
  CHECK(napi_get_boolean(env, compiled, &flag));
  napi_set_named_property(env, out, "compiled", flag);
  uint32_t ncap = ts_query_capture_count(q);
  CHECK(napi_create_array_with_length(env, ncap, &names));
  for (uint32_t i = 0; i < ncap; i++) {
    uint32_t n = 0;
    const char *name = ts_query_capture_name_for_id(q, i, &n);
    napi_value v;
    napi_create_string_utf8(env, name, n, &v);
    napi_set_element(env, names, i, v);
  }
  napi_set_named_property(env, out, "captureNames", names);
  uint32_t npat = ts_query_pattern_count(q);
  CHECK(napi_create_array_with_length(env, npat, &preds));
  for (uint32_t p = 0; p < npat; p++) {
    uint32_t nstep = 0;
    const TSQueryPredicateStep *steps = ts_query_predicates_for_pattern(q, p, &nstep);
    napi_value list;
    napi_create_array_with_length(env, nstep * 2, &list);
    for (uint32_t i = 0; i < nstep; i++) {
      napi_value v;
      napi_set_element(env, list, i * 2, to_u32(env, (uint32_t)steps[i].type));
      if (steps[i].type == TSQueryPredicateStepTypeString) {
        uint32_t n = 0;
        const char *str = ts_query_string_value_for_id(q, steps[i].value_id, &n);
        napi_create_string_utf8(env, str, n, &v);
      } else {
        v = to_u32(env, steps[i].value_id);
      }
      napi_set_element(env, list, i * 2 + 1, v);
    }
    napi_set_element(env, preds, p, list);
  }
  napi_set_named_property(env, out, "predicates", preds);
  return out;
}

/* Appends every match the cursor yields: [pattern, capture count, (capture id, node words) × count]. */
static void push_matches(Words *w, TSQueryCursor *qc) {
  TSQueryMatch match;
  while (ts_query_cursor_next_match(qc, &match)) {
    words_push(w, match.pattern_index);
    words_push(w, match.capture_count);
    for (uint16_t i = 0; i < match.capture_count; i++) {
      words_push(w, match.captures[i].index);
      push_node(w, match.captures[i].node);
    }
  }
}

/* A subtree whose children walk() is going through. */
typedef struct {
  const Subtree *parent;
  const TSSymbol *aliases; /* the parent's production's alias sequence, or NULL */
  uint32_t child;
  uint32_t structural; /* index among the non-extra children: what the alias sequence counts */
  Length position;     /* where the next child's content starts */
} WalkFrame;

/*
 * Calls visit(node, ctx) for the node and each of its visible descendants, in pre-order (the nodes a tree
 * cursor visits), or only for those whose symbol is set in the bitmap `only` (NULL: all). It reads the
 * subtrees directly, as the tree cursor does inside (tree_cursor.c: child iterator, current node), without
 * the cursor's per-step bookkeeping, and builds a TSNode only for the nodes it visits: a walk of every node
 * takes ~40% of a query's CPU otherwise. False when it ran out of memory (the walk is then incomplete).
 */
static bool walk(TSNode top, const uint8_t *only, void (*visit)(TSNode, void *), void *ctx) {
  const TSTree *tree = top.tree;
  const TSLanguage *lang = tree->language;
  TSSymbol top_symbol = ts_node_symbol(top);
  if (!only || (only[top_symbol >> 3] & (1u << (top_symbol & 7)))) visit(top, ctx);
  const Subtree *root = (const Subtree *)top.id;
  if (!ts_subtree_child_count(*root)) return true;
  size_t n = 0, cap = 64;
  WalkFrame *stack = malloc(cap * sizeof *stack);
  if (!stack) return false;
  stack[n++] = (WalkFrame){root, ts_language_alias_sequence(lang, root->ptr->production_id), 0, 0, {ts_node_start_byte(top), ts_node_start_point(top)}};
  while (n) {
    WalkFrame *f = &stack[n - 1];
    uint32_t count = f->parent->ptr->child_count;
    if (f->child == count) {
      n--;
      continue;
    }
    const Subtree *children = ts_subtree_children(*f->parent);
    const Subtree *child = &children[f->child];
    Length position = f->position;
    bool visible = ts_subtree_visible(*child);
    TSSymbol alias = 0;
    if (!ts_subtree_extra(*child)) {
      if (f->aliases) {
        alias = f->aliases[f->structural];
        visible |= alias != 0;
      }
      f->structural++;
    }
    f->position = length_add(f->position, ts_subtree_size(*child));
    if (++f->child < count) f->position = length_add(f->position, ts_subtree_padding(children[f->child]));
    if (visible) {
      TSSymbol symbol = ts_language_public_symbol(lang, alias ? alias : ts_subtree_symbol(*child));
      if (!only || (only[symbol >> 3] & (1u << (symbol & 7)))) visit(ts_node_new(tree, child, position, alias), ctx);
    }
    if (ts_subtree_child_count(*child)) {
      if (n == cap) {
        WalkFrame *grown = realloc(stack, (cap *= 2) * sizeof *stack);
        if (!grown) {
          free(stack);
          return false;
        }
        stack = grown;
      }
      stack[n++] = (WalkFrame){child, ts_language_alias_sequence(lang, child->ptr->production_id), 0, 0, position};
    }
  }
  free(stack);
  return true;
}

typedef struct {
  Words *w;
  TSQueryCursor *cursor;
  const TSQuery *query;
  const uint8_t *roots;
} RootSearch;

/* walk() calls it only at the nodes whose symbol is set in r->roots. */
static void visit_root(TSNode d, void *ctx) {
  RootSearch *r = (RootSearch *)ctx;
  ts_query_cursor_exec(r->cursor, r->query, d);
  push_matches(r->w, r->cursor);
}

/* Appends the query's matches under top, found only at nodes whose symbol is set in roots (NULL: everywhere). */
static void find_matches(Words *w, TSQueryCursor *cursor, const TSQuery *query, const uint8_t *roots, TSNode top) {
  if (!roots) {
    ts_query_cursor_exec(cursor, query, top);
    push_matches(w, cursor);
    return;
  }
  ts_query_cursor_set_max_start_depth(cursor, 0);
  RootSearch r = {w, cursor, query, roots};
  if (!walk(top, roots, visit_root, &r)) w->failed = true;
  ts_query_cursor_set_max_start_depth(cursor, UINT32_MAX);
}

/* The query behind a JS external, or NULL. */
static const TSQuery *query_arg(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) return NULL;
  return (const TSQuery *)p;
}

/*
 * A roots bitmap argument (see find_matches): *out is its bytes, or NULL for null/undefined. False, with an
 * exception pending, when it is anything else.
 */
static bool roots_arg(napi_env env, napi_value v, const uint8_t **out) {
  *out = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined)) return true;
  napi_typedarray_type type;
  size_t nbytes = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(env, v, &type, &nbytes, &data, NULL, NULL) != napi_ok || type != napi_uint8_array || nbytes < 8192) {
    fail(env, "roots must be a Uint8Array of 8192 bytes");
    return false;
  }
  *out = (const uint8_t *)data;
  return true;
}

/*
 * matches(query, tree, roots?) → Uint32Array of [pattern, capture count, (capture id, node words) × count]
 * per match, under the node in the transfer buffer. With roots (a bitmap over symbol ids: the root node
 * types of the query's patterns) the query runs only at the nodes whose symbol is set, each run limited to
 * patterns that start there; walk() visits the rest of the tree, which costs a fraction of the query
 * cursor's per-node work. Without it, the query cursor walks the whole tree.
 */
static napi_value js_matches(napi_env env, napi_callback_info info) {
  ARGS(3);
  State *s = state_of(env);
  const TSQuery *query = query_arg(env, argv[0]);
  if (!query) return fail(env, "not a query");
  TSTree *tree = tree_arg(env, argv[1]);
  if (!tree) return fail(env, "the tree was deleted");
  const uint8_t *roots = NULL;
  if (argc > 2 && !roots_arg(env, argv[2], &roots)) return NULL;
  if (!s->cursor) s->cursor = ts_query_cursor_new();
  Words w = {0};
  find_matches(&w, s->cursor, query, roots, read_node(s->xfer, tree));
  return words_to_array(env, &w);
}

enum {
  OP_PARENT = 0,
  OP_CHILD_BY_FIELD = 1,
  OP_FIRST_NAMED_CHILD = 2,
  OP_PREV_SIBLING = 3,
  OP_PREV_NAMED_SIBLING = 4,
  OP_HAS_ERROR = 5,
};

/* node(op, tree, arg) → for node results, 1 and the node in the transfer buffer (0: null); else the value. */
static napi_value js_node(napi_env env, napi_callback_info info) {
  ARGS(3);
  State *s = state_of(env);
  uint32_t op = 0, arg = 0;
  CHECK(napi_get_value_uint32(env, argv[0], &op));
  TSTree *tree = tree_arg(env, argv[1]);
  if (!tree) return fail(env, "the tree was deleted");
  if (argc > 2) napi_get_value_uint32(env, argv[2], &arg);
  TSNode node = read_node(s->xfer, tree);
  TSNode out;
  switch (op) {
    case OP_PARENT: out = ts_node_parent(node); break;
    case OP_CHILD_BY_FIELD: out = ts_node_child_by_field_id(node, (TSFieldId)arg); break;
    case OP_FIRST_NAMED_CHILD: out = ts_node_named_child(node, 0); break;
    case OP_PREV_SIBLING: out = ts_node_prev_sibling(node); break;
    case OP_PREV_NAMED_SIBLING: out = ts_node_prev_named_sibling(node); break;
    case OP_HAS_ERROR: return to_u32(env, ts_node_has_error(node) ? 1 : 0);
    default: return fail(env, "unknown node operation");
  }
  if (ts_node_is_null(out)) return to_u32(env, 0);
  write_node(s->xfer, out);
  return to_u32(env, 1);
}

/* children(tree, namedOnly) → Uint32Array of node words (the node is in the transfer buffer). */
static napi_value js_children(napi_env env, napi_callback_info info) {
  ARGS(2);
  State *s = state_of(env);
  TSTree *tree = tree_arg(env, argv[0]);
  if (!tree) return fail(env, "the tree was deleted");
  bool named = false;
  napi_get_value_bool(env, argv[1], &named);
  TSNode node = read_node(s->xfer, tree);
  Words w = {0};
  if (!s->scratch_live) {
    s->scratch = ts_tree_cursor_new(node);
    s->scratch_live = 1;
  } else {
    ts_tree_cursor_reset(&s->scratch, node);
  }
  if (ts_tree_cursor_goto_first_child(&s->scratch)) {
    do {
      TSNode child = ts_tree_cursor_current_node(&s->scratch);
      if (!named || ts_node_is_named(child)) push_node(&w, child);
    } while (ts_tree_cursor_goto_next_sibling(&s->scratch));
  }
  return words_to_array(env, &w);
}

typedef struct {
  Words *w;
  const uint32_t *symbols;
  size_t nsym;
} TypeSearch;

static void visit_type(TSNode d, void *ctx) {
  TypeSearch *t = (TypeSearch *)ctx;
  TSSymbol sym = ts_node_symbol(d);
  for (size_t i = 0; i < t->nsym; i++) {
    if (t->symbols[i] == sym) {
      push_node(t->w, d);
      return;
    }
  }
}

/* descendantsOfType(tree, symbols: Uint32Array sorted) → Uint32Array of node words, depth first. */
static napi_value js_descendants(napi_env env, napi_callback_info info) {
  ARGS(2);
  State *s = state_of(env);
  TSTree *tree = tree_arg(env, argv[0]);
  if (!tree) return fail(env, "the tree was deleted");
  napi_typedarray_type type;
  size_t nsym;
  void *data;
  CHECK(napi_get_typedarray_info(env, argv[1], &type, &nsym, &data, NULL, NULL));
  if (type != napi_uint32_array) return fail(env, "symbols must be a Uint32Array");
  Words w = {0};
  TypeSearch t = {&w, (const uint32_t *)data, nsym};
  if (!walk(read_node(s->xfer, tree), NULL, visit_type, &t)) w.failed = true;
  return words_to_array(env, &w);
}

/*
 * parseAsync(language, source, query, roots) → Promise<[tree, words]>: parses on a libuv pool thread and
 * runs the query there too, so a thread that extracts records in JS keeps the pool's threads parsing. words
 * are the root node's NODE_WORDS, then the query's matches as matches() returns them (query null: none);
 * roots as for matches() (null: the whole-tree cursor). Each pool thread keeps its own query cursor; every
 * parse makes its own parser (see parse_text).
 * parseAsync(language, source, query, roots, extractor, path, size, mtimeMs) → Promise<Uint8Array>: with an
 * extractor (newExtractor), the pool thread also builds the file's records and encodes its cache entry
 * (extract.h), and frees the tree; the promise gives the entry's bytes.
 */
static _Thread_local TSQueryCursor *pool_cursor;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  const TSLanguage *lang;
  const TSQuery *query;
  uint8_t *roots; /* a copy of the bitmap, or NULL */
  char16_t *text;
  size_t len;
  TSTree *tree;
  Arena *arena;
  Words words;
  const char *error;
  /* parseExtract: the records are built on the pool thread, and the tree is freed there */
  const ExtractSpec *spec;
  napi_ref spec_ref; /* keeps the spec's JS external alive while the job runs */
  char16_t *path;    /* the entry's path, size and mtime */
  EntryMeta meta;
  ExtractOut out;
} ParseWork;

static void parse_work_free(napi_env env, ParseWork *j) {
  if (j->spec_ref) napi_delete_reference(env, j->spec_ref);
  extract_out_free(&j->out);
  free(j->path);
  free(j->roots);
  free(j->text);
  free(j->words.data);
  tree_free(j->tree, j->arena);
  free(j);
}

static void parse_work_execute(napi_env env, void *data) {
  (void)env;
  ParseWork *j = (ParseWork *)data;
  j->tree = parse_text(j->lang, j->text, j->len, &j->arena, &j->error);
  if (!j->tree) return;
  TSNode root = ts_tree_root_node(j->tree);
  if (!j->spec) {
    free(j->text);
    j->text = NULL;
    push_node(&j->words, root);
  }
  if (j->query) {
    if (!pool_cursor) pool_cursor = ts_query_cursor_new();
    find_matches(&j->words, pool_cursor, j->query, j->roots, root);
  }
  if (j->words.failed) j->error = "out of memory";
  else if (j->spec) {
    extract_entry(j->spec, j->tree, j->text, j->len, j->words.data, j->words.size, &j->meta, &j->out);
    if (j->out.failed) j->error = "out of memory";
    tree_free(j->tree, j->arena);
    j->tree = NULL;
    j->arena = NULL;
  }
}

static void parse_work_complete(napi_env env, napi_status status, void *data) {
  ParseWork *j = (ParseWork *)data;
  napi_value result = NULL, error, message;
  if (status != napi_ok || j->error) {
    napi_create_string_utf8(env, j->error ? j->error : "the parse was cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, j->deferred, error);
  } else if (j->spec) {
    /* The entry blob, in a buffer of its own (the worker transfers it to the main thread). */
    napi_value blob = NULL, buffer;
    void *data = NULL;
    const Bytes *b = &j->out.blob;
    if (napi_create_arraybuffer(env, b->n, &data, &buffer) == napi_ok) {
      if (b->n) memcpy(data, b->p, b->n);
      if (napi_create_typedarray(env, napi_uint8_array, b->n, buffer, 0, &blob) != napi_ok) blob = NULL;
    }
    if (blob) {
      napi_resolve_deferred(env, j->deferred, blob);
    } else {
      napi_create_string_utf8(env, "out of memory", NAPI_AUTO_LENGTH, &message);
      napi_create_error(env, NULL, message, &error);
      napi_reject_deferred(env, j->deferred, error);
    }
  } else {
    napi_value tree = tree_external(env, j->tree, j->arena);
    j->tree = NULL; /* the external owns it now (or freed it) */
    j->arena = NULL;
    napi_value words = tree ? words_to_array(env, &j->words) : NULL;
    if (words && napi_create_array_with_length(env, 2, &result) == napi_ok) {
      napi_set_element(env, result, 0, tree);
      napi_set_element(env, result, 1, words);
      napi_resolve_deferred(env, j->deferred, result);
    } else {
      napi_value pending = NULL;
      bool is_pending = false;
      napi_is_exception_pending(env, &is_pending);
      if (is_pending) napi_get_and_clear_last_exception(env, &pending);
      if (!pending) {
        napi_create_string_utf8(env, "out of memory", NAPI_AUTO_LENGTH, &message);
        napi_create_error(env, NULL, message, &pending);
      }
      napi_reject_deferred(env, j->deferred, pending);
    }
  }
  napi_delete_async_work(env, j->work);
  parse_work_free(env, j);
}

static napi_value js_parse_async(napi_env env, napi_callback_info info) {
  ARGS(8);
  const TSLanguage *lang = language_arg(env, argv[0]);
  if (!lang) return fail(env, "not a tree-sitter language");
  ParseWork *j = (ParseWork *)calloc(1, sizeof(ParseWork));
  if (!j) return fail(env, "out of memory");
  j->lang = lang;
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (t != napi_null && t != napi_undefined) {
    j->query = query_arg(env, argv[2]);
    if (!j->query) {
      parse_work_free(env, j);
      return fail(env, "not a query");
    }
  }
  const uint8_t *roots = NULL;
  if (!roots_arg(env, argv[3], &roots)) {
    parse_work_free(env, j);
    return NULL;
  }
  if (roots) {
    j->roots = (uint8_t *)malloc(8192);
    if (!j->roots) {
      parse_work_free(env, j);
      return fail(env, "out of memory");
    }
    memcpy(j->roots, roots, 8192);
  }
  if (argc > 4) {
    napi_typeof(env, argv[4], &t);
    if (t != napi_null && t != napi_undefined) {
      void *p = NULL;
      if (!j->query || napi_get_value_external(env, argv[4], &p) != napi_ok || !p) {
        parse_work_free(env, j);
        return fail(env, "not an extractor (or no query)");
      }
      j->spec = (const ExtractSpec *)p;
      if (napi_create_reference(env, argv[4], 1, &j->spec_ref) != napi_ok) {
        parse_work_free(env, j);
        return throw_last(env);
      }
      if (argc < 8 || !(j->path = copy_utf16(env, argv[5], &j->meta.path_len)) ||
          napi_get_value_double(env, argv[6], &j->meta.size) != napi_ok || napi_get_value_double(env, argv[7], &j->meta.mtime_ms) != napi_ok) {
        parse_work_free(env, j);
        return fail(env, "an extractor needs the entry's path, size and mtime");
      }
      j->meta.path = j->path;
    }
  }
  j->text = copy_utf16(env, argv[1], &j->len);
  if (!j->text) {
    parse_work_free(env, j);
    return NULL;
  }
  napi_value promise, name;
  napi_status st = napi_create_promise(env, &j->deferred, &promise);
  if (st == napi_ok) st = napi_create_string_utf8(env, "dsm_parse", NAPI_AUTO_LENGTH, &name);
  if (st == napi_ok) st = napi_create_async_work(env, NULL, name, parse_work_execute, parse_work_complete, j, &j->work);
  if (st == napi_ok) st = napi_queue_async_work(env, j->work);
  if (st != napi_ok) {
    /* A created promise is left pending and unreachable: the caller gets the exception instead. */
    if (j->work) napi_delete_async_work(env, j->work);
    parse_work_free(env, j);
    return throw_last(env);
  }
  return promise;
}

static void extractor_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  extract_spec_free((ExtractSpec *)data);
}

/*
 * newExtractor(config: Uint32Array, strings: string) → extractor (external): what extract.c needs to know of
 * a language and its query (built by src/lang/native-extract.ts). parseAsync with it gives records.
 */
static napi_value js_new_extractor(napi_env env, napi_callback_info info) {
  ARGS(2);
  napi_typedarray_type type;
  size_t nwords = 0;
  void *data = NULL;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &nwords, &data, NULL, NULL));
  if (type != napi_uint32_array) return fail(env, "config must be a Uint32Array");
  size_t nstr = 0;
  char16_t *strings = copy_utf16(env, argv[1], &nstr);
  if (!strings) return NULL;
  const char *error = NULL;
  ExtractSpec *spec = extract_spec_new((const uint32_t *)data, nwords, strings, nstr, &error);
  free(strings);
  if (!spec) return fail(env, error ? error : "bad extractor config");
  napi_value out;
  if (napi_create_external(env, spec, extractor_finalize, NULL, &out) != napi_ok) {
    extract_spec_free(spec);
    return throw_last(env);
  }
  return out;
}

/*
 * trim(): hands memory that malloc keeps free back to the system. The pool threads parse in their own malloc
 * arenas, which keep the peak of a cold index (~35 MB over two checkouts) after it ends; glibc's malloc_trim
 * releases the free pages of every arena. Elsewhere a no-op.
 */
static napi_value js_trim(napi_env env, napi_callback_info info) {
  (void)info;
  arena_trim();
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

NAPI_MODULE_INIT() {
  arena_install();
  State *s = (State *)calloc(1, sizeof(State));
  if (!s || napi_set_instance_data(env, s, state_free, NULL) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"init", NULL, js_init, NULL, NULL, NULL, napi_default, NULL},
      {"languageInfo", NULL, js_language_info, NULL, NULL, NULL, napi_default, NULL},
      {"parse", NULL, js_parse, NULL, NULL, NULL, napi_default, NULL},
      {"parseAsync", NULL, js_parse_async, NULL, NULL, NULL, napi_default, NULL},
      {"newExtractor", NULL, js_new_extractor, NULL, NULL, NULL, napi_default, NULL},
      {"deleteTree", NULL, js_delete_tree, NULL, NULL, NULL, napi_default, NULL},
      {"trim", NULL, js_trim, NULL, NULL, NULL, napi_default, NULL},
      {"treeBytes", NULL, js_tree_bytes, NULL, NULL, NULL, napi_default, NULL},
      {"newQuery", NULL, js_new_query, NULL, NULL, NULL, napi_default, NULL},
      {"matches", NULL, js_matches, NULL, NULL, NULL, napi_default, NULL},
      {"node", NULL, js_node, NULL, NULL, NULL, napi_default, NULL},
      {"children", NULL, js_children, NULL, NULL, NULL, napi_default, NULL},
      {"descendantsOfType", NULL, js_descendants, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
