/*
 * The records of one file, built in C from a query's matches (see extract.h). Every step mirrors a function
 * of src/lang/extract.ts, named in its comment; the JS regular expressions are spelled out as scans over the
 * UTF-16 text, with JS's whitespace class (\s) and word class (\w), so both give identical strings.
 */
#include "extract.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "nodewords.h"

#define NONE 0xffffffffu
#define ERROR_SYMBOL 65535

/* Capture roles: what a capture name means to the extractor (native-extract.ts, captureRole). */
enum {
  R_OTHER,
  R_DEF,
  R_NAME,
  R_CALL,
  R_CALL_NAME,
  R_CALL_RECEIVER,
  R_CALL_PATH,
  R_CALL_TARGS,
  R_IMPORT,
  R_IMPORT_MODULE,
  R_IMPORT_NAME,
  R_IMPORT_ALIAS,
  R_IMPORT_WILDCARD,
  R_IMPORT_TREE,
  R_BIND,
  R_BIND_TARGET,
  R_BIND_FIELD,
  R_BIND_TYPE,
  R_BIND_ALIAS,
  R_ERROR,
  R_COMMENT,
  R_STRING,
  R_CTX_CHILD,
  R_CTX_AWAITER,
  R_CTX_TRY,
};
/* Capture flags. */
enum { C_PRIMARY = 1, C_DECL = 2, C_CTX = 4 };
/* Definition kinds the extractor treats specially. */
enum { K_OTHER, K_FUNCTION, K_METHOD, K_IMPL, K_ENUM, K_CLASS, K_MODULE };
/* Node type flags, by type name (native-extract.ts, SYMBOL_FLAGS); bits 24-31 hold a container index + 1. */
enum {
  S_COMMENT = 1 << 0,
  S_ATTR = 1 << 1,
  S_WRAPPER = 1 << 2,
  S_DECORATOR = 1 << 3,
  S_COMPOUND = 1 << 4,
  S_FN_SIG_ITEM = 1 << 5,
  S_LINKAGE = 1 << 6,
  S_IF = 1 << 7,
  S_GUARD = 1 << 8,
  S_EXPR_STMT = 1 << 9,
  S_STRING = 1 << 10,
  S_KWARG = 1 << 11,
  S_VARIANT = 1 << 12,
  S_PAYLOAD = 1 << 13,
  S_ATTR_ITEM = 1 << 14,
  S_LB_COMMENT = 1 << 15,
  S_RBRACE = 1 << 16,
  S_ERROR = 1 << 17,
};
/* Language options. */
enum {
  O_DOCSTRINGS = 1 << 0,
  O_RUST_USE = 1 << 1,
  O_EXTERN_C = 1 << 2,
  O_TUPLE_VARIANTS = 1 << 3,
  O_WRAPPER = 1 << 4,
  O_ATTR_SIBLINGS = 1 << 5,
  O_TYPE_GUARD = 1 << 6,
  O_CTX = 1 << 7,
  O_SPAWN = 1 << 8,
  O_GUARD_NODES = 1 << 9,
};
enum { P_EQ_TEXT, P_EQ_CAPTURE, P_ANY_OF };

typedef struct {
  uint32_t off, len;
} Str; /* a string of the spec's strings */

typedef struct {
  uint8_t op;
  bool negate;
  uint32_t cap, other, nvals;
  Str *vals;
} Pred;

typedef struct {
  uint32_t npreds;
  Pred *preds;
} Pattern;

typedef struct {
  Str kind;
  uint16_t name_field, trait_field;
  bool owner; /* a class, struct, impl or trait: its functions are methods */
} Container;

typedef struct {
  uint32_t n;
  Str *items;
} StrList;

struct ExtractSpec {
  char16_t *strings;
  size_t nstrings;
  uint32_t nsym;
  uint32_t *symflags;
  uint32_t errflags;
  uint32_t ncap;
  uint8_t *role, *capflags, *capkind;
  Str *capname; /* the kind text of a def/call/error capture */
  uint32_t npat;
  Pattern *pats;
  uint32_t ncont;
  Container *conts;
  uint32_t nbody;
  uint16_t *bodyfields;
  uint16_t f_body, f_trait, f_superclasses, f_condition, f_consequence, f_arguments;
  uint32_t opts;
  Str lang, pathsep, typeguard;
  StrList quals, argcalls, spawns;
  void *blocks; /* every allocation above but strings, for free */
};

/* ---------------------------------------------------------------- spec */

typedef struct {
  const uint32_t *w;
  size_t n, i;
  size_t nstrings;
  bool bad;
} Rd;

static uint32_t rd(Rd *r) {
  if (r->i >= r->n) {
    r->bad = true;
    return 0;
  }
  return r->w[r->i++];
}

static Str rd_str(Rd *r) {
  Str s;
  s.off = rd(r);
  s.len = rd(r);
  if ((size_t)s.off + s.len > r->nstrings) {
    r->bad = true;
    s.off = s.len = 0;
  }
  return s;
}

/* Allocations of a spec, chained so that extract_spec_free frees them all. */
static void *spec_alloc(ExtractSpec *s, size_t bytes) {
  void **block = calloc(1, sizeof(void *) + (bytes ? bytes : 1));
  if (!block) return NULL;
  block[0] = s->blocks;
  s->blocks = block;
  return block + 1;
}

static bool rd_list(Rd *r, ExtractSpec *s, StrList *l) {
  l->n = rd(r);
  if (r->bad || l->n > r->n) return false;
  l->items = spec_alloc(s, l->n * sizeof(Str));
  if (!l->items) return false;
  for (uint32_t i = 0; i < l->n; i++) l->items[i] = rd_str(r);
  return !r->bad;
}

void extract_spec_free(ExtractSpec *s) {
  if (!s) return;
  for (void **b = s->blocks; b;) {
    void **next = b[0];
    free(b);
    b = next;
  }
  free(s->strings);
  free(s);
}

ExtractSpec *extract_spec_new(const uint32_t *config, size_t nwords, const char16_t *strings, size_t nstrings, const char **error) {
  ExtractSpec *s = calloc(1, sizeof *s);
  if (!s) {
    *error = "out of memory";
    return NULL;
  }
  s->strings = malloc((nstrings + 1) * sizeof(char16_t));
  if (!s->strings) goto oom;
  memcpy(s->strings, strings, nstrings * sizeof(char16_t));
  s->nstrings = nstrings;
  Rd r = {config, nwords, 0, nstrings, false};
  *error = "bad extractor config";
  s->nsym = rd(&r);
  if (r.bad || s->nsym > nwords) goto bad;
  s->symflags = spec_alloc(s, s->nsym * sizeof(uint32_t));
  if (!s->symflags) goto oom;
  for (uint32_t i = 0; i < s->nsym; i++) s->symflags[i] = rd(&r);
  s->errflags = rd(&r);
  s->ncap = rd(&r);
  if (r.bad || s->ncap > nwords) goto bad;
  s->role = spec_alloc(s, s->ncap);
  s->capflags = spec_alloc(s, s->ncap);
  s->capkind = spec_alloc(s, s->ncap);
  s->capname = spec_alloc(s, s->ncap * sizeof(Str));
  if (!s->role || !s->capflags || !s->capkind || !s->capname) goto oom;
  for (uint32_t i = 0; i < s->ncap; i++) {
    s->role[i] = (uint8_t)rd(&r);
    s->capflags[i] = (uint8_t)rd(&r);
    s->capkind[i] = (uint8_t)rd(&r);
    s->capname[i] = rd_str(&r);
  }
  s->npat = rd(&r);
  if (r.bad || s->npat > nwords) goto bad;
  s->pats = spec_alloc(s, s->npat * sizeof(Pattern));
  if (!s->pats) goto oom;
  for (uint32_t p = 0; p < s->npat; p++) {
    Pattern *pat = &s->pats[p];
    pat->npreds = rd(&r);
    if (r.bad || pat->npreds > nwords) goto bad;
    pat->preds = spec_alloc(s, pat->npreds * sizeof(Pred));
    if (!pat->preds) goto oom;
    for (uint32_t k = 0; k < pat->npreds; k++) {
      Pred *pr = &pat->preds[k];
      pr->op = (uint8_t)rd(&r);
      pr->negate = rd(&r) != 0;
      pr->cap = rd(&r);
      pr->other = rd(&r);
      pr->nvals = rd(&r);
      if (r.bad || pr->nvals > nwords || pr->cap >= s->ncap || (pr->op == P_EQ_CAPTURE && pr->other >= s->ncap)) goto bad;
      pr->vals = spec_alloc(s, pr->nvals * sizeof(Str));
      if (!pr->vals) goto oom;
      for (uint32_t v = 0; v < pr->nvals; v++) pr->vals[v] = rd_str(&r);
    }
  }
  s->ncont = rd(&r);
  if (r.bad || s->ncont > 255) goto bad;
  s->conts = spec_alloc(s, s->ncont * sizeof(Container));
  if (!s->conts) goto oom;
  for (uint32_t i = 0; i < s->ncont; i++) {
    s->conts[i].kind = rd_str(&r);
    s->conts[i].name_field = (uint16_t)rd(&r);
    s->conts[i].trait_field = (uint16_t)rd(&r);
    s->conts[i].owner = rd(&r) != 0;
  }
  s->nbody = rd(&r);
  if (r.bad || s->nbody > nwords) goto bad;
  s->bodyfields = spec_alloc(s, s->nbody * sizeof(uint16_t));
  if (!s->bodyfields) goto oom;
  for (uint32_t i = 0; i < s->nbody; i++) s->bodyfields[i] = (uint16_t)rd(&r);
  s->f_body = (uint16_t)rd(&r);
  s->f_trait = (uint16_t)rd(&r);
  s->f_superclasses = (uint16_t)rd(&r);
  s->f_condition = (uint16_t)rd(&r);
  s->f_consequence = (uint16_t)rd(&r);
  s->f_arguments = (uint16_t)rd(&r);
  s->opts = rd(&r);
  s->lang = rd_str(&r);
  s->pathsep = rd_str(&r);
  s->typeguard = rd_str(&r);
  if (!rd_list(&r, s, &s->quals) || !rd_list(&r, s, &s->argcalls) || !rd_list(&r, s, &s->spawns)) goto bad;
  if (rd(&r) != 0x45585452 || r.bad || r.i != r.n) goto bad; /* "EXTR": the end marker */
  *error = NULL;
  return s;
oom:
  *error = "out of memory";
bad:
  extract_spec_free(s);
  return NULL;
}

/* ---------------------------------------------------------------- text */

/* JS's \s: WhiteSpace and LineTerminator. */
static inline bool is_ws(char16_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000 || c == 0xfeff;
}

/* JS's \w. */
static inline bool is_word(char16_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

typedef struct {
  const char16_t *p;
  size_t n;
} Text;

static inline Text text_of(const char16_t *src, uint32_t start, uint32_t end) { return (Text){src + start, end > start ? end - start : 0}; }

/* Whether t at i starts with the ASCII string lit. */
static bool at_lit(Text t, size_t i, const char *lit) {
  size_t k = 0;
  for (; lit[k]; k++)
    if (i + k >= t.n || t.p[i + k] != (unsigned char)lit[k]) return false;
  return true;
}

/* Whether c is one of the ASCII characters of set. */
static inline bool in_set(const char *set, char16_t c) { return c && c < 128 && strchr(set, (char)c); }

static bool text_eq(Text a, Text b) { return a.n == b.n && memcmp(a.p, b.p, a.n * sizeof(char16_t)) == 0; }

static bool text_eq_lit(Text t, const char *lit) { return strlen(lit) == t.n && at_lit(t, 0, lit); }

static Text trim(Text t) {
  while (t.n && is_ws(t.p[0])) t.p++, t.n--;
  while (t.n && is_ws(t.p[t.n - 1])) t.n--;
  return t;
}

/* A growable UTF-16 buffer: the output pool, and scratch space. */
typedef struct {
  char16_t *p;
  size_t n, cap;
  bool failed;
} Buf;

/*
 * DSM_TIGHT_BUFFERS (the AddressSanitizer check): buffers grow by exactly what is needed, so every append
 * moves them and a pointer kept into one across an append is caught at once.
 */
#ifdef DSM_TIGHT_BUFFERS
#define GROWN(cap, need) (need)
#else
#define GROWN(cap, need) ((cap) * 2 > (need) ? (cap) * 2 : (need))
#endif

static bool buf_reserve(Buf *b, size_t more) {
  if (b->failed) return false;
  if (b->n + more <= b->cap) return true;
  size_t cap = b->cap ? GROWN(b->cap, b->n + more) : GROWN(512, b->n + more);
  char16_t *p = realloc(b->p, cap * sizeof(char16_t));
  if (!p) {
    b->failed = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

static void buf_put(Buf *b, char16_t c) {
  if (buf_reserve(b, 1)) b->p[b->n++] = c;
}

static void buf_append(Buf *b, Text t) {
  if (t.n && buf_reserve(b, t.n)) {
    memcpy(b->p + b->n, t.p, t.n * sizeof(char16_t));
    b->n += t.n;
  }
}

static void buf_lit(Buf *b, const char *lit) {
  for (; *lit; lit++) buf_put(b, (unsigned char)*lit);
}

/* squash(): runs of whitespace become one space, trimmed; longer than max → max - 1 units and '…'. Appends. */
static void squash_into(Buf *b, Text t, size_t max) {
  size_t from = b->n;
  bool space = false;
  for (size_t i = 0; i < t.n; i++) {
    char16_t c = t.p[i];
    if (is_ws(c)) {
      space = b->n > from;
      continue;
    }
    if (space) buf_put(b, ' ');
    space = false;
    buf_put(b, c);
  }
  if (b->failed) return;
  if (b->n - from > max) {
    b->n = from + max - 1;
    buf_put(b, 0x2026);
  }
}

/* ---------------------------------------------------------------- records */

typedef struct {
  uint32_t off, len;
} S; /* a string in the output pool; off NONE: absent */

static const S ABSENT = {NONE, 0};

typedef struct {
  uint32_t first, n;
  bool present;
} List; /* strings lists[first .. first + n) */

typedef struct {
  S name, kind, sig;
  uint32_t line, end_line;
  S container, trait;
  List attrs;
  bool decl;
  S doc;
  List variants, bases;
} Def;

typedef struct {
  S name, kind;
  uint32_t line, col;
  int32_t in;
  S receiver;
  uint8_t sep; /* 0 none, 1 '.', 2 '->', 3 '::' */
  S targs;
  bool awaited, tried;
  S args;
  bool spawned;
} Call;

typedef struct {
  bool rust_use;
  S module;
  uint32_t line;
  S name, alias;
  bool guarded;
} Import;

typedef struct {
  S target, type;
  uint32_t line;
  int32_t in;
  bool alias;
} Binding;

typedef struct {
  S kind;
  uint32_t line;
  int32_t in;
} ErrorMark;

typedef struct {
  uint32_t start, end;
} Range;

#define VEC(T) \
  struct {     \
    T *v;      \
    size_t n, cap; \
  }

typedef struct {
  uint32_t cap;
  TSNode node;
} Cap;

typedef struct {
  uint32_t pattern, ncap;
  Cap *caps;
} Match;

typedef struct {
  const Match *m;
  const Cap *primary;
  uint32_t start, end, ord;
} Primary;

/* A set/map of node ids (open addressing; ids are subtree addresses, never 0). */
typedef struct {
  uintptr_t *keys;
  uintptr_t *vals;
  size_t cap, n;
  bool failed;
} IdMap;

static size_t id_slot(const IdMap *m, uintptr_t k) {
  size_t h = (size_t)((k >> 3) * 0x9E3779B97F4A7C15ull);
  size_t i = h & (m->cap - 1);
  while (m->keys[i] && m->keys[i] != k) i = (i + 1) & (m->cap - 1);
  return i;
}

static void id_put(IdMap *m, uintptr_t k, uintptr_t v) {
  if (m->failed) return;
  if ((m->n + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    IdMap grown = {calloc(cap, sizeof(uintptr_t)), calloc(cap, sizeof(uintptr_t)), cap, 0, false};
    if (!grown.keys || !grown.vals) {
      free(grown.keys);
      free(grown.vals);
      m->failed = true;
      return;
    }
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) {
        size_t j = id_slot(&grown, m->keys[i]);
        grown.keys[j] = m->keys[i];
        grown.vals[j] = m->vals[i];
        grown.n++;
      }
    free(m->keys);
    free(m->vals);
    *m = grown;
  }
  size_t i = id_slot(m, k);
  if (!m->keys[i]) m->n++;
  m->keys[i] = k;
  m->vals[i] = v;
}

static bool id_get(const IdMap *m, uintptr_t k, uintptr_t *v) {
  if (!m->cap) return false;
  size_t i = id_slot(m, k);
  if (!m->keys[i]) return false;
  if (v) *v = m->vals[i];
  return true;
}

static void id_free(IdMap *m) {
  free(m->keys);
  free(m->vals);
}

typedef VEC(uint32_t) U32Vec;

typedef struct {
  const ExtractSpec *spec;
  const TSTree *tree;
  const char16_t *src;
  size_t len;
  Buf pool, tmp, tmp2;
  VEC(S) lists;
  VEC(Def) defs;
  VEC(Range) def_ranges;
  VEC(Call) calls;
  VEC(Range) call_ranges;
  VEC(Import) imports;
  VEC(Binding) binds;
  VEC(Range) bind_ranges;
  VEC(ErrorMark) errors;
  VEC(Range) error_ranges;
  U32Vec comments;
  U32Vec strings;
  VEC(TSNode) chain; /* ancestors of the node at hand, nearest first */
  IdMap awaited_by, tried, call_by_id;
  bool failed;
} X;

#define PUSH(x, vec, item)                                                        \
  do {                                                                            \
    if ((vec).n == (vec).cap) {                                                   \
      size_t cap_ = GROWN((vec).cap ? (vec).cap : 8, (vec).n + 1);                \
      void *grown_ = realloc((vec).v, cap_ * sizeof *(vec).v);                    \
      if (!grown_) {                                                              \
        (x)->failed = true;                                                       \
        break;                                                                    \
      }                                                                           \
      (vec).v = grown_;                                                           \
      (vec).cap = cap_;                                                           \
    }                                                                             \
    (vec).v[(vec).n++] = (item);                                                  \
  } while (0)

static inline Text spec_str(const ExtractSpec *s, Str r) { return (Text){s->strings + r.off, r.len}; }

static inline uint32_t sym_flags(const ExtractSpec *s, TSNode n) {
  TSSymbol sym = ts_node_symbol(n);
  return sym < s->nsym && sym != ERROR_SYMBOL ? s->symflags[sym] : s->errflags;
}

static inline bool has_flag(const X *x, TSNode n, uint32_t f) { return !ts_node_is_null(n) && (sym_flags(x->spec, n) & f); }

static inline uint32_t start_of(TSNode n) { return unit(ts_node_start_byte(n)); }
static inline uint32_t end_of(TSNode n) { return unit(ts_node_end_byte(n)); }
static inline uint32_t row_of(TSNode n) { return ts_node_start_point(n).row; }
static inline Text node_text(const X *x, TSNode n) { return text_of(x->src, start_of(n), end_of(n)); }

static inline TSNode field(TSNode n, uint16_t id) {
  if (!id || ts_node_is_null(n)) {
    TSNode null = {{0, 0, 0, 0}, NULL, NULL};
    return null;
  }
  return ts_node_child_by_field_id(n, id);
}

/* The pool string of what the scratch buffer holds from `from` on (which is then dropped from it). */
static S pool_take(X *x, Buf *b, size_t from) {
  S s = {(uint32_t)x->pool.n, (uint32_t)(b->n - from)};
  buf_append(&x->pool, (Text){b->p + from, b->n - from});
  b->n = from;
  return s;
}

static S pool_text(X *x, Text t) {
  S s = {(uint32_t)x->pool.n, (uint32_t)t.n};
  buf_append(&x->pool, t);
  return s;
}

static S pool_squash(X *x, Text t, size_t max) {
  size_t from = x->pool.n;
  squash_into(&x->pool, t, max);
  return (S){(uint32_t)from, (uint32_t)(x->pool.n - from)};
}

static S pool_lit(X *x, const char *lit) {
  size_t from = x->pool.n;
  buf_lit(&x->pool, lit);
  return (S){(uint32_t)from, (uint32_t)(x->pool.n - from)};
}

static inline Text pool_get(const X *x, S s) { return (Text){x->pool.p + s.off, s.len}; }

/* The node's ancestors into x->chain, nearest first (ts_node_parent repeated, in one descent from the root). */
static void ancestors(X *x, TSNode node) {
  x->chain.n = 0;
  TSNode cur = ts_tree_root_node(x->tree);
  size_t from = 0;
  while (cur.id != node.id) {
    PUSH(x, x->chain, cur);
    TSNode next = ts_node_child_with_descendant(cur, node);
    if (ts_node_is_null(next)) break;
    cur = next;
  }
  if (cur.id != node.id) x->chain.n = 0; /* not under the root (cannot happen) */
  for (size_t i = from, j = x->chain.n; i + 1 < j; i++, j--) {
    TSNode t = x->chain.v[i];
    x->chain.v[i] = x->chain.v[j - 1];
    x->chain.v[j - 1] = t;
  }
}

/* baseTypeName(): `&mut Foo<T>` → `Foo`. */
static Text base_type_name(Text t) {
  t = trim(t);
  if (t.n && t.p[0] == '&') {
    t.p++, t.n--;
    if (at_lit(t, 0, "mut") && t.n > 3 && is_ws(t.p[3])) {
      size_t i = 3;
      while (i < t.n && is_ws(t.p[i])) i++;
      t.p += i, t.n -= i;
    }
  }
  size_t k = at_lit(t, 0, "mut") ? 3 : at_lit(t, 0, "const") ? 5 : 0;
  if (k && t.n > k && is_ws(t.p[k])) {
    while (k < t.n && is_ws(t.p[k])) k++;
    t.p += k, t.n -= k;
  }
  for (size_t i = 1; i < t.n; i++)
    if (t.p[i] == '<') {
      t.n = i;
      break;
    }
  return trim(t);
}

/* stripLineComments(): each line loses a `# …` (not `#[`) or `// …` tail that starts the line or follows whitespace. */
static bool comment_marker(Text t, size_t m, size_t e) {
  if (m >= e) return false;
  if (t.p[m] == '#') return !(m + 1 < e && t.p[m + 1] == '[');
  return t.p[m] == '/' && m + 1 < e && t.p[m + 1] == '/';
}

static void strip_line_comments(Buf *b, Text t) {
  size_t i = 0;
  for (;;) {
    size_t e = i;
    while (e < t.n && t.p[e] != '\n') e++;
    size_t cut = e;
    for (size_t p = i; p < e; p++) {
      if ((p == i && comment_marker(t, p, e)) || (is_ws(t.p[p]) && comment_marker(t, p + 1, e))) {
        cut = p;
        break;
      }
    }
    buf_append(b, (Text){t.p + i, cut - i});
    if (e == t.n) break;
    buf_put(b, '\n');
    i = e + 1;
  }
}

/* hasWord(): word occurs with no \w on either side. */
static bool has_word(Text t, Text w) {
  if (!w.n || w.n > t.n) return false;
  for (size_t i = 0; i + w.n <= t.n; i++) {
    if (memcmp(t.p + i, w.p, w.n * sizeof(char16_t)) != 0) continue;
    bool before = i > 0 && is_word(t.p[i - 1]);
    bool after = i + w.n < t.n && is_word(t.p[i + w.n]);
    if (!before && !after) return true;
  }
  return false;
}

/* cleanComment(): the first line of a comment or docstring that says something, squashed; false if none. */
static bool clean_comment(X *x, Text t, S *out) {
  size_t i = 0;
  while (i <= t.n) {
    size_t e = i;
    while (e < t.n && t.p[e] != '\n') e++;
    Text l = {t.p + i, e - i};
    /* ^\s*(\/\/[\/!]?|\/\*+!?|\*+\/?|#+|"""|''')\s? */
    size_t k = 0;
    while (k < l.n && is_ws(l.p[k])) k++;
    size_t j = 0;
    bool marker = true;
    if (at_lit(l, k, "//")) {
      j = k + 2;
      if (j < l.n && (l.p[j] == '/' || l.p[j] == '!')) j++;
    } else if (at_lit(l, k, "/*")) {
      j = k + 2;
      while (j < l.n && l.p[j] == '*') j++;
      if (j < l.n && l.p[j] == '!') j++;
    } else if (k < l.n && l.p[k] == '*') {
      j = k + 1;
      while (j < l.n && l.p[j] == '*') j++;
      if (j < l.n && l.p[j] == '/') j++;
    } else if (k < l.n && l.p[k] == '#') {
      j = k + 1;
      while (j < l.n && l.p[j] == '#') j++;
    } else if (at_lit(l, k, "\"\"\"") || at_lit(l, k, "'''")) {
      j = k + 3;
    } else {
      marker = false;
    }
    if (marker) {
      if (j < l.n && is_ws(l.p[j])) j++;
      l.p += j, l.n -= j;
    }
    /* \*+\/\s*$ */
    size_t end = l.n;
    while (end && is_ws(l.p[end - 1])) end--;
    if (end >= 2 && l.p[end - 1] == '/' && l.p[end - 2] == '*') {
      size_t s = end - 2;
      while (s && l.p[s - 1] == '*') s--;
      l.n = s;
    }
    l = trim(l);
    bool rule = true;
    for (size_t c = 0; c < l.n && rule; c++) rule = l.p[c] == '-' || l.p[c] == '=' || l.p[c] == '*' || l.p[c] == '#' || l.p[c] == '/';
    if (l.n && !rule) {
      *out = pool_squash(x, l, 160);
      return true;
    }
    if (e == t.n) break;
    i = e + 1;
  }
  return false;
}

/* Strips one leading `open` and one trailing `close` character (a /^[open]|[close]$/g replace). */
static Text strip_ends(Text t, const char *open, const char *close) {
  size_t s = t.n && in_set(open, t.p[0]) ? 1 : 0;
  size_t e = t.n;
  if (t.n >= 1 && t.n - 1 >= s && in_set(close, t.p[t.n - 1])) e = t.n - 1;
  return (Text){t.p + s, e > s ? e - s : 0};
}

static bool list_has(const X *x, Text t, const StrList *l) {
  for (uint32_t i = 0; i < l->n; i++)
    if (text_eq(t, spec_str(x->spec, l->items[i]))) return true;
  return false;
}

/* `^\s*(unsafe\s+)?extern\s+"C"` (and `\s*\{` with brace) on the first 40 units. */
static bool starts_extern_c(Text t, bool brace) {
  if (t.n > 40) t.n = 40;
  size_t i = 0;
  while (i < t.n && is_ws(t.p[i])) i++;
  if (at_lit(t, i, "unsafe") && i + 6 < t.n && is_ws(t.p[i + 6])) {
    size_t j = i + 6;
    while (j < t.n && is_ws(t.p[j])) j++;
    if (at_lit(t, j, "extern")) i = j;
  }
  if (!at_lit(t, i, "extern")) return false;
  i += 6;
  if (i >= t.n || !is_ws(t.p[i])) return false;
  while (i < t.n && is_ws(t.p[i])) i++;
  if (!at_lit(t, i, "\"C\"")) return false;
  i += 3;
  if (!brace) return true;
  while (i < t.n && is_ws(t.p[i])) i++;
  return i < t.n && t.p[i] == '{';
}

/* `extern\s+"C"\s*\{\s*$` */
static bool ends_extern_c_brace(Text t) {
  size_t e = t.n;
  while (e && is_ws(t.p[e - 1])) e--;
  if (!e || t.p[e - 1] != '{') return false;
  e--;
  while (e && is_ws(t.p[e - 1])) e--;
  if (e < 3 || t.p[e - 1] != '"' || t.p[e - 2] != 'C' || t.p[e - 3] != '"') return false;
  e -= 3;
  size_t ws = e;
  while (e && is_ws(t.p[e - 1])) e--;
  if (e == ws || e < 6) return false;
  return at_lit(t, e - 6, "extern");
}

static bool contains_lit(Text t, const char *lit) {
  for (size_t i = 0; i < t.n; i++)
    if (at_lit(t, i, lit)) return true;
  return false;
}

/* inLinkageBlock(): x->chain holds the node's ancestors. */
static bool in_linkage_block(X *x, TSNode node) {
  for (size_t d = 0; d < x->chain.n && d < 3; d++) {
    TSNode p = x->chain.v[d];
    uint32_t f = sym_flags(x->spec, p);
    if (f & S_LINKAGE) return starts_extern_c(node_text(x, p), false);
    if ((f & S_ERROR) && starts_extern_c(node_text(x, p), true)) return true;
  }
  TSNode s = ts_node_prev_sibling(node);
  for (int k = 0; !ts_node_is_null(s) && k < 40; s = ts_node_prev_sibling(s), k++) {
    uint32_t f = sym_flags(x->spec, s);
    if (f & (S_ERROR | S_FN_SIG_ITEM)) {
      Text t = node_text(x, s);
      if (ends_extern_c_brace(t)) return true;
      if ((f & S_FN_SIG_ITEM) && contains_lit(t, "extern \"C\"")) return true;
      continue;
    }
    if (!(f & (S_ATTR_ITEM | S_LB_COMMENT | S_RBRACE))) break;
  }
  return false;
}

/* underGuard(): inside the body of `if TYPE_CHECKING:` (x->chain holds the ancestors). */
static bool under_guard(X *x, TSNode node) {
  Text guard = spec_str(x->spec, x->spec->typeguard);
  for (size_t d = 0; d < x->chain.n; d++) {
    TSNode p = x->chain.v[d];
    if (!(sym_flags(x->spec, p) & S_IF)) continue;
    TSNode cond = field(p, x->spec->f_condition);
    if (ts_node_is_null(cond)) continue;
    Text c = node_text(x, cond);
    if (at_lit(c, 0, "typing.")) c.p += 7, c.n -= 7;
    if (!text_eq(c, guard)) continue;
    TSNode body = field(p, x->spec->f_consequence);
    return !ts_node_is_null(body) && start_of(node) >= start_of(body) && end_of(node) <= end_of(body);
  }
  return false;
}

static void list_begin(X *x, List *l) {
  l->first = (uint32_t)x->lists.n;
  l->n = 0;
  l->present = true;
}

static void list_add(X *x, List *l, S s) {
  PUSH(x, x->lists, s);
  l->n++;
}

static bool list_contains(const X *x, const List *l, Text t) {
  for (uint32_t i = 0; i < l->n; i++)
    if (text_eq(pool_get(x, x->lists.v[l->first + i]), t)) return true;
  return false;
}

/* collectAttrs(): Rust attributes before the item, Python decorators in its wrapper. */
static void collect_attrs(X *x, TSNode node, List *attrs) {
  const ExtractSpec *s = x->spec;
  list_begin(x, attrs);
  if (s->opts & O_ATTR_SIBLINGS) {
    size_t mark = x->lists.n;
    for (TSNode sib = ts_node_prev_named_sibling(node); !ts_node_is_null(sib); sib = ts_node_prev_named_sibling(sib)) {
      uint32_t f = sym_flags(s, sib);
      if (f & S_ATTR) {
        Text t = node_text(x, sib);
        size_t k = at_lit(t, 0, "#![") ? 3 : at_lit(t, 0, "#[") ? 2 : 0;
        Text inner = {t.p + k, t.n - k};
        if (inner.n && inner.p[inner.n - 1] == ']') inner.n--;
        list_add(x, attrs, pool_squash(x, inner, 160));
      } else if (!(f & S_COMMENT)) {
        break;
      }
    }
    /* unshift: the nearest attribute was found first, it goes last */
    for (size_t i = mark, j = x->lists.n; i + 1 < j; i++, j--) {
      S t = x->lists.v[i];
      x->lists.v[i] = x->lists.v[j - 1];
      x->lists.v[j - 1] = t;
    }
  }
  if ((s->opts & O_WRAPPER) && x->chain.n && (sym_flags(s, x->chain.v[0]) & S_WRAPPER)) {
    TSNode w = x->chain.v[0];
    uint32_t n = ts_node_named_child_count(w);
    for (uint32_t i = 0; i < n; i++) {
      TSNode c = ts_node_named_child(w, i);
      if (!(sym_flags(s, c) & S_DECORATOR)) continue;
      Text t = node_text(x, c);
      if (t.n && t.p[0] == '@') t.p++, t.n--;
      list_add(x, attrs, pool_squash(x, t, 160));
    }
  }
}

/* docLine(): a Python docstring, else the first line of the comments right above the definition. */
static bool doc_line(X *x, TSNode node, S *out) {
  const ExtractSpec *s = x->spec;
  if (s->opts & O_DOCSTRINGS) {
    TSNode body = field(node, s->f_body);
    TSNode first = ts_node_is_null(body) ? body : ts_node_named_child(body, 0);
    if (has_flag(x, first, S_EXPR_STMT)) {
      TSNode str = ts_node_named_child(first, 0);
      if (has_flag(x, str, S_STRING)) {
        Text t = node_text(x, str);
        size_t k = 0;
        while (k < t.n && in_set("rubfRUBF", t.p[k])) k++;
        if (at_lit(t, k, "\"\"\"") || at_lit(t, k, "'''")) t.p += k + 3, t.n -= k + 3;
        else if (k < t.n && (t.p[k] == '"' || t.p[k] == '\'')) t.p += k + 1, t.n -= k + 1;
        if (t.n >= 3 && (at_lit(t, t.n - 3, "\"\"\"") || at_lit(t, t.n - 3, "'''"))) t.n -= 3;
        else if (t.n >= 1 && (t.p[t.n - 1] == '"' || t.p[t.n - 1] == '\'')) t.n -= 1;
        return clean_comment(x, t, out);
      }
    }
  }
  TSNode anchor = node;
  if ((s->opts & O_WRAPPER) && x->chain.n && (sym_flags(s, x->chain.v[0]) & S_WRAPPER)) anchor = x->chain.v[0];
  bool found = false;
  int64_t line = row_of(anchor);
  for (TSNode sib = ts_node_prev_named_sibling(anchor); !ts_node_is_null(sib); sib = ts_node_prev_named_sibling(sib)) {
    if ((int64_t)ts_node_end_point(sib).row < line - 1) break;
    uint32_t f = sym_flags(s, sib);
    if (f & S_COMMENT) {
      S doc;
      if (clean_comment(x, node_text(x, sib), &doc)) {
        *out = doc;
        found = true;
      }
    } else if (!((s->opts & O_ATTR_SIBLINGS) && (f & S_ATTR))) {
      break;
    }
    line = row_of(sib);
  }
  return found;
}

/* makeDef(). */
static bool make_def(X *x, const Match *m, TSNode node, uint32_t kcap, Def *def) {
  const ExtractSpec *s = x->spec;
  const Cap *name_cap = NULL;
  for (uint32_t i = 0; i < m->ncap; i++)
    if (s->role[m->caps[i].cap] == R_NAME) {
      name_cap = &m->caps[i];
      break;
    }
  if (!name_cap) return false;
  TSNode name_node = name_cap->node;
  bool decl_capture = (s->capflags[kcap] & C_DECL) != 0;
  bool decl = decl_capture || (sym_flags(s, node) & S_FN_SIG_ITEM);
  ancestors(x, node);
  if (decl_capture) {
    for (size_t d = 0; d < x->chain.n; d++)
      if (sym_flags(s, x->chain.v[d]) & S_COMPOUND) return false;
  }
  int kind = s->capkind[kcap];
  memset(def, 0, sizeof *def);
  def->kind = pool_text(x, spec_str(s, s->capname[kcap]));
  Text name = node_text(x, name_node);
  S trait = ABSENT;
  if (kind == K_IMPL) {
    name = base_type_name(name);
    TSNode tr = field(node, s->f_trait);
    if (!ts_node_is_null(tr)) trait = pool_text(x, base_type_name(node_text(x, tr)));
  }
  def->name = pool_text(x, name);

  /* Containers: impl/trait/class/namespace ancestors. */
  bool method_owner = false, first = true;
  size_t from = x->tmp.n;
  size_t nchain = 0;
  for (size_t d = x->chain.n; d-- > 0;) {
    TSNode p = x->chain.v[d];
    uint32_t ci = sym_flags(s, p) >> 24;
    if (!ci) continue;
    const Container *c = &s->conts[ci - 1];
    TSNode n = field(p, c->name_field);
    if (ts_node_is_null(n)) continue;
    if (nchain++) buf_append(&x->tmp, spec_str(s, s->pathsep));
    buf_append(&x->tmp, base_type_name(node_text(x, n)));
  }
  for (size_t d = 0; d < x->chain.n && first; d++) {
    TSNode p = x->chain.v[d];
    uint32_t ci = sym_flags(s, p) >> 24;
    if (!ci) continue;
    const Container *c = &s->conts[ci - 1];
    if (ts_node_is_null(field(p, c->name_field))) continue;
    first = false;
    method_owner = c->owner;
    if (c->trait_field && !trait.len) {
      TSNode tr = field(p, c->trait_field);
      if (!ts_node_is_null(tr)) trait = pool_text(x, base_type_name(node_text(x, tr)));
    }
  }
  def->container = x->tmp.n > from ? pool_take(x, &x->tmp, from) : ABSENT;
  x->tmp.n = from;
  if (kind == K_FUNCTION && method_owner) {
    def->kind = pool_lit(x, "method");
    kind = K_METHOD;
  }
  def->trait = trait.len ? trait : ABSENT;

  collect_attrs(x, node, &def->attrs);
  uint32_t node_start = start_of(node);
  bool has_body = false;
  uint32_t body_start = 0;
  for (uint32_t i = 0; i < s->nbody && !has_body; i++) {
    TSNode b = field(node, s->bodyfields[i]);
    if (!ts_node_is_null(b)) {
      has_body = true;
      body_start = start_of(b);
    }
  }
  Text text = node_text(x, node);
  Text sig_src;
  Buf *t1 = &x->tmp, *t2 = &x->tmp2;
  size_t t1from = t1->n;
  if (has_body) {
    sig_src = (Text){text.p, body_start > node_start ? body_start - node_start : 0};
  } else {
    /* the first three lines, joined with spaces */
    size_t lines = 0, i = 0;
    for (; i < text.n; i++) {
      if (text.p[i] == '\n') {
        if (++lines == 3) break;
        buf_put(t1, ' ');
      } else {
        buf_put(t1, text.p[i]);
      }
    }
    sig_src = (Text){NULL, 0};
  }
  size_t t2from = t2->n;
  if (sig_src.p) strip_line_comments(t2, sig_src);
  else strip_line_comments(t2, (Text){t1->p + t1from, t1->n - t1from});
  t1->n = t1from;
  size_t sq = t1->n;
  squash_into(t1, (Text){t2->p + t2from, t2->n - t2from}, 200);
  t2->n = t2from;
  /* .replace(/\s*[:{]\s*$/, '') on squashed text: a trailing ':' or '{' and the space before it */
  if (t1->n > sq && (t1->p[t1->n - 1] == ':' || t1->p[t1->n - 1] == '{')) {
    t1->n--;
    if (t1->n > sq && t1->p[t1->n - 1] == ' ') t1->n--;
  }
  def->sig = pool_take(x, t1, sq);
  for (uint32_t i = 0; i < s->quals.n; i++) {
    Text q = spec_str(s, s->quals.items[i]);
    /* the signature is read from the pool each time: adding an attribute may move the pool */
    if (!list_contains(x, &def->attrs, q) && has_word(pool_get(x, def->sig), q)) list_add(x, &def->attrs, pool_text(x, q));
  }
  if ((s->opts & O_EXTERN_C)) {
    static const char16_t ext[] = u"extern \"C\"";
    Text e = {ext, 10};
    bool fn = kind == K_FUNCTION || kind == K_METHOD;
    if (fn && !list_contains(x, &def->attrs, e) && in_linkage_block(x, node)) list_add(x, &def->attrs, pool_text(x, e));
  }
  if ((s->opts & O_TYPE_GUARD) && under_guard(x, node)) list_add(x, &def->attrs, pool_text(x, spec_str(s, s->typeguard)));
  if (!def->attrs.n) def->attrs.present = false;

  def->variants.present = false;
  if (kind == K_ENUM && (s->opts & O_TUPLE_VARIANTS)) {
    list_begin(x, &def->variants);
    TSNode body = field(node, s->f_body);
    uint32_t n = ts_node_is_null(body) ? 0 : ts_node_named_child_count(body);
    for (uint32_t i = 0; i < n; i++) {
      TSNode v = ts_node_named_child(body, i);
      if (!has_flag(x, v, S_VARIANT)) continue;
      TSNode p = field(v, s->f_body);
      if (!has_flag(x, p, S_PAYLOAD)) continue;
      list_add(x, &def->variants, pool_squash(x, strip_ends(node_text(x, p), "(", ")"), 160));
    }
    if (!def->variants.n) def->variants.present = false;
  }
  def->bases.present = false;
  if (kind == K_CLASS) {
    TSNode sup = field(node, s->f_superclasses);
    if (!ts_node_is_null(sup)) {
      list_begin(x, &def->bases);
      uint32_t n = ts_node_named_child_count(sup);
      for (uint32_t i = 0; i < n; i++) {
        TSNode c = ts_node_named_child(sup, i);
        if (ts_node_is_null(c) || (sym_flags(s, c) & S_KWARG)) continue;
        list_add(x, &def->bases, pool_text(x, node_text(x, c)));
      }
      if (!def->bases.n) def->bases.present = false;
    }
  }
  def->line = row_of(node) + 1;
  def->end_line = ts_node_end_point(node).row + 1;
  def->decl = decl || ((kind == K_FUNCTION || kind == K_METHOD) && !has_body) || (kind == K_MODULE && ts_node_is_null(field(node, s->f_body)));
  def->doc = ABSENT;
  S doc;
  if (doc_line(x, node, &doc) && doc.len) def->doc = doc;
  return true;
}

static const Cap *capture(const ExtractSpec *s, const Match *m, int role) {
  for (uint32_t i = 0; i < m->ncap; i++)
    if (s->role[m->caps[i].cap] == role) return &m->caps[i];
  return NULL;
}

/* makeCall(). */
static bool make_call(X *x, const Match *m, TSNode node, uint32_t kcap, Call *call) {
  const ExtractSpec *s = x->spec;
  const Cap *name = capture(s, m, R_CALL_NAME);
  if (!name) return false;
  const Cap *recv = capture(s, m, R_CALL_RECEIVER), *path = capture(s, m, R_CALL_PATH), *targs = capture(s, m, R_CALL_TARGS);
  memset(call, 0, sizeof *call);
  call->receiver = ABSENT;
  call->targs = ABSENT;
  call->args = ABSENT;
  if (recv) {
    uint32_t end = end_of(recv->node);
    call->receiver = pool_squash(x, node_text(x, recv->node), 160);
    size_t i = end, lim = end + 64 < x->len ? end + 64 : x->len;
    while (i < lim && is_ws(x->src[i])) i++;
    call->sep = i + 1 < lim && x->src[i] == '-' && x->src[i + 1] == '>' ? 2 : 1;
  } else if (path) {
    call->receiver = pool_squash(x, node_text(x, path->node), 160);
    call->sep = text_eq_lit(spec_str(s, s->pathsep), "::") ? 3 : 1;
  }
  Text name_text = node_text(x, name->node);
  call->name = pool_text(x, name_text);
  call->kind = pool_text(x, spec_str(s, s->capname[kcap]));
  uintptr_t id = (uintptr_t)node.id, awaiter = 0;
  bool awaited = id_get(&x->awaited_by, id, &awaiter);
  if (list_has(x, name_text, &s->argcalls)) {
    TSNode a = field(node, s->f_arguments);
    if (!ts_node_is_null(a)) call->args = pool_squash(x, node_text(x, a), 6000);
  }
  call->line = row_of(name->node) + 1;
  call->col = unit(ts_node_start_point(name->node).column);
  call->in = -1;
  if (targs) {
    Text t = node_text(x, targs->node);
    size_t k = at_lit(t, 0, "::<") ? 3 : at_lit(t, 0, "<") ? 1 : 0;
    Text inner = {t.p + k, t.n - k};
    if (inner.n && inner.p[inner.n - 1] == '>') inner.n--;
    call->targs = pool_squash(x, inner, 120);
  }
  call->awaited = awaited;
  call->tried = id_get(&x->tried, id, NULL) || (awaited && id_get(&x->tried, awaiter, NULL));
  return true;
}

/* expandRustUse(): a `use` tree into flat imports. */
/* An import of the path's last segment from the rest; a path without `::` is a name alone. */
static void rust_use_push(X *x, Text path, Text alias, bool has_alias, uint32_t line) {
  size_t k = path.n;
  while (k >= 2 && !(path.p[k - 1] == ':' && path.p[k - 2] == ':')) k--;
  Text module = {path.p, k >= 2 ? k - 2 : 0};
  Text name = k >= 2 ? (Text){path.p + k, path.n - k} : path;
  Import imp = {true, pool_text(x, module), line, pool_text(x, name), ABSENT, false};
  if (has_alias && alias.n) imp.alias = pool_text(x, alias);
  PUSH(x, x->imports, imp);
}

/* `prefix::part`, or whichever of the two is not empty (JS: prefix && part ? `${prefix}::${part}` : prefix || part). */
static bool join_path(X *x, Buf *out, Text prefix, Text part) {
  if (prefix.n && part.n) {
    buf_append(out, prefix);
    buf_lit(out, "::");
    buf_append(out, part);
  } else {
    buf_append(out, prefix.n ? prefix : part);
  }
  if (out->failed) x->failed = true;
  return !out->failed;
}

static void rust_use_walk(X *x, Text tree, Text prefix, uint32_t line, int depth) {
  if (depth > 64) return;
  size_t brace = tree.n;
  for (size_t i = 0; i < tree.n; i++)
    if (tree.p[i] == '{') {
      brace = i;
      break;
    }
  if (brace < tree.n && tree.p[tree.n - 1] == '}') {
    Text head = {tree.p, brace};
    if (head.n >= 2 && head.p[head.n - 1] == ':' && head.p[head.n - 2] == ':') head.n -= 2;
    Buf base = {0}; /* a scratch of its own: the parts below build theirs */
    if (join_path(x, &base, prefix, head)) {
      /* the first `{` comes before the last character, a `}` */
      Text list = {tree.p + brace + 1, tree.n - brace - 2};
      int d = 0;
      size_t part = 0;
      for (size_t i = 0; i <= list.n; i++) {
        char16_t c = i < list.n ? list.p[i] : ',';
        if (c == '{') d++;
        else if (c == '}') d--;
        if (c == ',' && (d == 0 || i == list.n)) {
          if (i > part) rust_use_walk(x, (Text){list.p + part, i - part}, (Text){base.p, base.n}, line, depth + 1);
          part = i + 1;
        }
      }
    }
    free(base.p);
    return;
  }
  /* [path, alias] = tree.split(AS) */
  size_t as = tree.n;
  for (size_t i = 0; i < tree.n; i++)
    if (tree.p[i] == 1) {
      as = i;
      break;
    }
  Text path = {tree.p, as};
  bool has_alias = as < tree.n;
  Text alias = {NULL, 0};
  if (has_alias) {
    size_t e = as + 1;
    while (e < tree.n && tree.p[e] != 1) e++;
    alias = (Text){tree.p + as + 1, e - as - 1};
  }
  /* `a::b::{self}` imports the module `b` of `a`; `tokio::{self}` the module `tokio` */
  if (text_eq_lit(path, "self")) {
    rust_use_push(x, prefix, alias, has_alias, line);
    return;
  }
  Buf full = {0};
  if (join_path(x, &full, prefix, path)) rust_use_push(x, (Text){full.p, full.n}, alias, has_alias, line);
  free(full.p);
}

static void expand_rust_use(X *x, Text text, uint32_t line) {
  /* text.replace(/\s+as\s+/g, '\u0001').replace(/\s+/g, '') */
  Buf b = {0};
  size_t i = 0;
  while (i < text.n) {
    if (is_ws(text.p[i])) {
      size_t j = i;
      while (j < text.n && is_ws(text.p[j])) j++;
      if (at_lit(text, j, "as") && j + 2 < text.n && is_ws(text.p[j + 2])) {
        size_t k = j + 2;
        while (k < text.n && is_ws(text.p[k])) k++;
        buf_put(&b, 1);
        i = k;
        continue;
      }
      i = j;
      continue;
    }
    buf_put(&b, text.p[i++]);
  }
  if (b.failed) x->failed = true;
  else rust_use_walk(x, (Text){b.p, b.n}, (Text){b.p, 0}, line, 0);
  free(b.p);
}

/* makeImports(). */
static void make_imports(X *x, const Match *m, TSNode node) {
  const ExtractSpec *s = x->spec;
  uint32_t line = row_of(node) + 1;
  bool guarded = false;
  if (s->opts & O_GUARD_NODES) {
    ancestors(x, node);
    for (size_t d = 0; d < x->chain.n && !guarded; d++) guarded = (sym_flags(s, x->chain.v[d]) & S_GUARD) != 0;
  }
  const Cap *tree = capture(s, m, R_IMPORT_TREE);
  if (tree && (s->opts & O_RUST_USE)) {
    expand_rust_use(x, node_text(x, tree->node), line);
    return;
  }
  const Cap *mod = capture(s, m, R_IMPORT_MODULE);
  if (!mod) return;
  Import imp = {false, pool_text(x, strip_ends(node_text(x, mod->node), "\"<", "\">")), line, ABSENT, ABSENT, guarded};
  const Cap *n = capture(s, m, R_IMPORT_NAME);
  if (n) imp.name = pool_text(x, node_text(x, n->node));
  if (capture(s, m, R_IMPORT_WILDCARD)) imp.name = pool_lit(x, "*");
  const Cap *a = capture(s, m, R_IMPORT_ALIAS);
  if (a) imp.alias = pool_text(x, node_text(x, a->node));
  PUSH(x, x->imports, imp);
}

/* makeBinding(). */
static bool make_binding(X *x, const Match *m, TSNode node, Binding *b) {
  const ExtractSpec *s = x->spec;
  const Cap *target = capture(s, m, R_BIND_TARGET), *fld = capture(s, m, R_BIND_FIELD);
  const Cap *type = capture(s, m, R_BIND_TYPE), *alias = capture(s, m, R_BIND_ALIAS);
  const Cap *t = type ? type : alias;
  if ((!target && !fld) || !t) return false;
  if (fld) {
    size_t from = x->pool.n;
    buf_lit(&x->pool, "self.");
    buf_append(&x->pool, node_text(x, fld->node));
    b->target = (S){(uint32_t)from, (uint32_t)(x->pool.n - from)};
  } else {
    b->target = pool_text(x, node_text(x, target->node));
  }
  b->type = pool_squash(x, node_text(x, t->node), 160);
  b->line = row_of(node) + 1;
  b->in = -1;
  b->alias = alias != NULL;
  return true;
}

/* Predicates of the match's pattern (#eq?, #any-of? and their not- forms), as NativeQuery.matches applies them. */
static bool predicates_hold(const X *x, const Match *m) {
  const ExtractSpec *s = x->spec;
  if (m->pattern >= s->npat) return true;
  const Pattern *pat = &s->pats[m->pattern];
  for (uint32_t k = 0; k < pat->npreds; k++) {
    const Pred *p = &pat->preds[k];
    for (uint32_t i = 0; i < m->ncap; i++) {
      if (m->caps[i].cap != p->cap) continue;
      Text t = node_text(x, m->caps[i].node);
      bool pass = false;
      if (p->op == P_EQ_TEXT) {
        pass = p->nvals > 0 && text_eq(t, spec_str(s, p->vals[0]));
      } else if (p->op == P_EQ_CAPTURE) {
        for (uint32_t j = 0; j < m->ncap && !pass; j++) pass = m->caps[j].cap == p->other && text_eq(node_text(x, m->caps[j].node), t);
      } else {
        for (uint32_t v = 0; v < p->nvals && !pass; v++) pass = text_eq(t, spec_str(s, p->vals[v]));
      }
      if (pass == p->negate) return false;
    }
  }
  return true;
}

static int cmp_primary(const void *a, const void *b) {
  const Primary *p = a, *q = b;
  if (p->start != q->start) return p->start < q->start ? -1 : 1;
  if (p->end != q->end) return p->end > q->end ? -1 : 1;
  if (p->m->pattern != q->m->pattern) return p->m->pattern < q->m->pattern ? -1 : 1;
  return p->ord < q->ord ? -1 : p->ord > q->ord;
}

/* markSpawned(). */
static void mark_spawned(X *x) {
  const ExtractSpec *s = x->spec;
  if (!(s->opts & O_SPAWN)) return;
  VEC(size_t) spawns = {0};
  for (size_t i = 0; i < x->calls.n; i++)
    if (list_has(x, pool_get(x, x->calls.v[i].name), &s->spawns)) PUSH(x, spawns, i);
  for (size_t i = 0; i < x->calls.n && spawns.n; i++) {
    Range r = x->call_ranges.v[i];
    for (size_t k = 0; k < spawns.n; k++) {
      size_t sp = spawns.v[k];
      if (sp != i && r.start > x->call_ranges.v[sp].start && r.end <= x->call_ranges.v[sp].end) {
        x->calls.v[i].spawned = true;
        break;
      }
    }
  }
  free(spawns.v);
}

static _Thread_local const Range *tl_ranges;

static int cmp_def_order(const void *a, const void *b) {
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  const Range *r = tl_ranges;
  if (r[i].start != r[j].start) return r[i].start < r[j].start ? -1 : 1;
  if (r[i].end != r[j].end) return r[i].end > r[j].end ? -1 : 1;
  return i < j ? -1 : i > j;
}

static int cmp_item_order(const void *a, const void *b) {
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  const Range *r = tl_ranges;
  if (r[i].start != r[j].start) return r[i].start < r[j].start ? -1 : 1;
  return i < j ? -1 : i > j;
}

/* assignEnclosing(): each item's innermost enclosing definition; `in` is at byte offset in_off of an item. */
static void assign_enclosing(X *x, const Range *items, size_t nitems, void *base, size_t stride, size_t in_off) {
  size_t ndefs = x->def_ranges.n;
  if (!nitems || !ndefs) return;
  uint32_t *order = malloc(ndefs * sizeof(uint32_t)), *iorder = malloc(nitems * sizeof(uint32_t)), *stack = malloc(ndefs * sizeof(uint32_t));
  if (!order || !iorder || !stack) {
    x->failed = true;
    free(order), free(iorder), free(stack);
    return;
  }
  for (uint32_t i = 0; i < ndefs; i++) order[i] = i;
  for (uint32_t i = 0; i < nitems; i++) iorder[i] = i;
  const Range *defs = x->def_ranges.v;
  tl_ranges = defs;
  qsort(order, ndefs, sizeof(uint32_t), cmp_def_order);
  tl_ranges = items;
  qsort(iorder, nitems, sizeof(uint32_t), cmp_item_order);
  size_t sp = 0, di = 0;
  for (size_t k = 0; k < nitems; k++) {
    uint32_t ii = iorder[k];
    uint32_t pos = items[ii].start;
    while (di < ndefs && defs[order[di]].start <= pos) {
      uint32_t d = order[di++];
      while (sp && defs[stack[sp - 1]].end <= defs[d].start) sp--;
      stack[sp++] = d;
    }
    while (sp && defs[stack[sp - 1]].end <= pos) sp--;
    *(int32_t *)((char *)base + ii * stride + in_off) = sp ? (int32_t)stack[sp - 1] : -1;
  }
  free(order), free(iorder), free(stack);
}

static void push_range4(X *x, U32Vec *v, TSNode n) {
  TSPoint a = ts_node_start_point(n), b = ts_node_end_point(n);
  uint32_t w[4] = {a.row + 1, unit(a.column), b.row + 1, unit(b.column)};
  for (int i = 0; i < 4; i++) PUSH(x, *v, w[i]);
}

/* parseErrors: the ERROR nodes of a tree that has any (at least 1). */
static uint32_t count_errors(X *x, TSNode root) {
  if (!ts_node_has_error(root)) return 0;
  uint32_t n = 0;
  TSTreeCursor c = ts_tree_cursor_new(root);
  for (;;) {
    if (sym_flags(x->spec, ts_tree_cursor_current_node(&c)) & S_ERROR) n++;
    if (ts_tree_cursor_goto_first_child(&c)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&c))
      if (!ts_tree_cursor_goto_parent(&c)) goto done;
  }
done:
  ts_tree_cursor_delete(&c);
  return n ? n : 1;
}

/* ---------------------------------------------------------------- the cache entry (cache.ts, encodeEntry) */

/* Each record type's keys, in the order of extract.ts's object literals (the codec stores defined ones). */
static const char *const DEF_KEYS[] = {"name", "kind", "sig", "line", "endLine", "container", "trait", "attrs", "decl", "doc", "variants", "bases"};
static const char *const CALL_KEYS[] = {"name", "kind", "line", "col", "in", "receiver", "sep", "targs", "awaited", "tried", "args", "spawned"};
static const char *const IMPORT_KEYS[] = {"module", "line", "name", "alias", "guarded"};
static const char *const RUST_IMPORT_KEYS[] = {"module", "name", "alias", "line"};
static const char *const BINDING_KEYS[] = {"target", "type", "line", "in", "alias"};
static const char *const ERROR_KEYS[] = {"kind", "line", "in"};
static const char *const NAMED_KEYS[] = {"names", "packed", "attrs"};
static const char *const ENTRY_KEYS[] = {"path", "size", "mtimeMs", "lang", "lines", "defs", "calls", "imports", "bindings",
                                         "errors", "comments", "strings", "parseErrors"};
#define NKEYS(k) ((uint32_t)(sizeof(k) / sizeof((k)[0])))

static inline bool has(S s) { return s.off != NONE; }

static void put_s(CodecBlob *b, const X *x, S s) { codec_str(b, x->pool.p + s.off, s.len); }

static void put_list(CodecBlob *b, const X *x, const List *l) {
  codec_array(b, l->n);
  for (uint32_t i = 0; i < l->n; i++) put_s(b, x, x->lists.v[l->first + i]);
}

static void put_lit(CodecBlob *b, const char *lit) {
  char16_t tmp[8];
  size_t n = 0;
  for (; lit[n] && n < 8; n++) tmp[n] = (unsigned char)lit[n];
  codec_str(b, tmp, n);
}

/* The shape's bit mask: bit k set when key k has a value. */
static uint32_t mask_of(const bool *present, uint32_t n) {
  uint32_t mask = 0;
  for (uint32_t k = 0; k < n; k++) mask |= present[k] ? 1u << k : 0;
  return mask;
}

static void def_value(CodecBlob *b, const X *x, const Def *d) {
  bool present[] = {true, true, true, true, true, has(d->container), has(d->trait), d->attrs.present, d->decl, has(d->doc),
                    d->variants.present, d->bases.present};
  codec_object(b, DEF_KEYS, NKEYS(DEF_KEYS), mask_of(present, NKEYS(DEF_KEYS)));
  put_s(b, x, d->name);
  put_s(b, x, d->kind);
  put_s(b, x, d->sig);
  codec_int(b, d->line);
  codec_int(b, d->end_line);
  if (has(d->container)) put_s(b, x, d->container);
  if (has(d->trait)) put_s(b, x, d->trait);
  if (d->attrs.present) put_list(b, x, &d->attrs);
  if (d->decl) codec_true(b);
  if (has(d->doc)) put_s(b, x, d->doc);
  if (d->variants.present) put_list(b, x, &d->variants);
  if (d->bases.present) put_list(b, x, &d->bases);
}

static const char *const SEP_TEXT[] = {"", ".", "->", "::"};

static void call_value(CodecBlob *b, const X *x, const Call *c) {
  bool present[] = {true, true, true, true, true, has(c->receiver), c->sep != 0, has(c->targs), c->awaited, c->tried, has(c->args),
                    c->spawned};
  codec_object(b, CALL_KEYS, NKEYS(CALL_KEYS), mask_of(present, NKEYS(CALL_KEYS)));
  put_s(b, x, c->name);
  put_s(b, x, c->kind);
  codec_int(b, c->line);
  codec_int(b, c->col);
  codec_int(b, c->in);
  if (has(c->receiver)) put_s(b, x, c->receiver);
  if (c->sep) put_lit(b, SEP_TEXT[c->sep]);
  if (has(c->targs)) put_s(b, x, c->targs);
  if (c->awaited) codec_true(b);
  if (c->tried) codec_true(b);
  if (has(c->args)) put_s(b, x, c->args);
  if (c->spawned) codec_true(b);
}

static void import_value(CodecBlob *b, const X *x, const Import *m) {
  if (m->rust_use) {
    codec_object(b, RUST_IMPORT_KEYS, NKEYS(RUST_IMPORT_KEYS), 0xb | (has(m->alias) ? 4u : 0));
    put_s(b, x, m->module);
    put_s(b, x, m->name);
    if (has(m->alias)) put_s(b, x, m->alias);
    codec_int(b, m->line);
    return;
  }
  codec_object(b, IMPORT_KEYS, NKEYS(IMPORT_KEYS), 3 | (has(m->name) ? 4u : 0) | (has(m->alias) ? 8u : 0) | (m->guarded ? 16u : 0));
  put_s(b, x, m->module);
  codec_int(b, m->line);
  if (has(m->name)) put_s(b, x, m->name);
  if (has(m->alias)) put_s(b, x, m->alias);
  if (m->guarded) codec_true(b);
}

static void binding_value(CodecBlob *b, const X *x, const Binding *v) {
  codec_object(b, BINDING_KEYS, NKEYS(BINDING_KEYS), 0xf | (v->alias ? 16u : 0));
  put_s(b, x, v->target);
  put_s(b, x, v->type);
  codec_int(b, v->line);
  codec_int(b, v->in);
  if (v->alias) codec_true(b);
}

static void error_value(CodecBlob *b, const X *x, const ErrorMark *e) {
  codec_object(b, ERROR_KEYS, NKEYS(ERROR_KEYS), 7);
  put_s(b, x, e->kind);
  codec_int(b, e->line);
  codec_int(b, e->in);
}

/* encodeValue(list) of one record type: a blob of its own. */
#define LIST_BLOB(out, x, vec, fn)                                   \
  do {                                                               \
    CodecBlob b_ = {0};                                              \
    codec_array(&b_, (vec).n);                                       \
    for (size_t i_ = 0; i_ < (vec).n; i_++) fn(&b_, (x), &(vec).v[i_]); \
    if (!codec_finish(&b_, (out))) (x)->failed = true;               \
  } while (0)

/* packUints(): varints, no header. */
static void packed_uints(Bytes *out, const U32Vec *v) {
  for (size_t i = 0; i < v->n; i++) bytes_uint(out, v->v[i]);
}

/* {names, packed[, attrs]}: a record list as encodeEntry stores it (names column + nested blob). */
static void put_named(CodecBlob *b, const X *x, const Bytes *packed, const S *names, size_t n, bool with_attrs) {
  codec_object(b, NAMED_KEYS, NKEYS(NAMED_KEYS), with_attrs ? 7 : 3);
  codec_array(b, n);
  for (size_t i = 0; i < n; i++) put_s(b, x, names[i]);
  codec_bytes(b, packed->p, packed->n);
  if (!with_attrs) return;
  /* distinctAttrs(): every definition's attributes, each once, in order of first use */
  size_t total = 0;
  for (size_t i = 0; i < x->defs.n; i++) total += x->defs.v[i].attrs.present ? x->defs.v[i].attrs.n : 0;
  S *seen = malloc((total ? total : 1) * sizeof(S));
  size_t nseen = 0;
  if (!seen) {
    b->failed = true;
    return;
  }
  for (size_t i = 0; i < x->defs.n; i++) {
    const List *l = &x->defs.v[i].attrs;
    for (uint32_t k = 0; l->present && k < l->n; k++) {
      S a = x->lists.v[l->first + k];
      bool dup = false;
      for (size_t j = 0; j < nseen && !dup; j++) dup = text_eq(pool_get(x, seen[j]), pool_get(x, a));
      if (!dup) seen[nseen++] = a;
    }
  }
  codec_array(b, nseen);
  for (size_t j = 0; j < nseen; j++) put_s(b, x, seen[j]);
  free(seen);
}

static void write_entry(X *x, const EntryMeta *meta, uint32_t lines, uint32_t parse_errors, Bytes *out) {
  Bytes defs = {0}, calls = {0}, imports = {0}, binds = {0}, errors = {0}, comments = {0}, strings = {0};
  LIST_BLOB(&defs, x, x->defs, def_value);
  LIST_BLOB(&calls, x, x->calls, call_value);
  LIST_BLOB(&imports, x, x->imports, import_value);
  LIST_BLOB(&binds, x, x->binds, binding_value);
  LIST_BLOB(&errors, x, x->errors, error_value);
  packed_uints(&comments, &x->comments);
  packed_uints(&strings, &x->strings);
  /* the names columns: a definition's or call's name, an import's name or '' */
  size_t nnames = x->defs.n + x->calls.n + x->imports.n;
  S *names = malloc((nnames ? nnames : 1) * sizeof(S));
  if (!names) x->failed = true;
  if (!x->failed) {
    S *dn = names, *cn = names + x->defs.n, *in = cn + x->calls.n;
    for (size_t i = 0; i < x->defs.n; i++) dn[i] = x->defs.v[i].name;
    for (size_t i = 0; i < x->calls.n; i++) cn[i] = x->calls.v[i].name;
    for (size_t i = 0; i < x->imports.n; i++) in[i] = has(x->imports.v[i].name) ? x->imports.v[i].name : (S){0, 0};
    CodecBlob b = {0};
    codec_object(&b, ENTRY_KEYS, NKEYS(ENTRY_KEYS), (1u << NKEYS(ENTRY_KEYS)) - 1);
    codec_str(&b, meta->path, meta->path_len);
    codec_number(&b, meta->size);
    codec_number(&b, meta->mtime_ms);
    codec_str(&b, x->spec->strings + x->spec->lang.off, x->spec->lang.len);
    codec_int(&b, lines);
    put_named(&b, x, &defs, dn, x->defs.n, true);
    put_named(&b, x, &calls, cn, x->calls.n, false);
    put_named(&b, x, &imports, in, x->imports.n, false);
    codec_bytes(&b, binds.p, binds.n);
    codec_bytes(&b, errors.p, errors.n);
    codec_bytes(&b, comments.p, comments.n);
    codec_bytes(&b, strings.p, strings.n);
    codec_int(&b, parse_errors);
    if (!codec_finish(&b, out)) x->failed = true;
  }
  if (defs.failed || calls.failed || imports.failed || binds.failed || errors.failed || comments.failed || strings.failed) x->failed = true;
  free(names);
  free(defs.p), free(calls.p), free(imports.p), free(binds.p), free(errors.p), free(comments.p), free(strings.p);
}

/* ---------------------------------------------------------------- extractTree() */

void extract_entry(const ExtractSpec *spec, const TSTree *tree, const char16_t *text, size_t len, const uint32_t *mw, size_t nmw,
                   const EntryMeta *meta, ExtractOut *out) {
  X x = {0};
  x.spec = spec;
  x.tree = tree;
  x.src = text;
  x.len = len;
  VEC(Match) matches = {0};
  VEC(Cap) caps = {0};
  VEC(Primary) primaries = {0};

  /* The match words, back into nodes; matches whose predicates fail are dropped. */
  for (size_t i = 0; i + 2 <= nmw;) {
    Match m = {mw[i], mw[i + 1], NULL};
    i += 2;
    size_t first = caps.n;
    for (uint32_t k = 0; k < m.ncap && i + 1 + NODE_WORDS <= nmw; k++, i += 1 + NODE_WORDS) {
      Cap c = {mw[i], read_node(mw + i + 1, tree)};
      if (c.cap >= spec->ncap) c.cap = 0;
      PUSH(&x, caps, c);
    }
    if (x.failed) break;
    m.ncap = (uint32_t)(caps.n - first); /* what the words held, should they end early */
    m.caps = (Cap *)(uintptr_t)first;   /* an index until caps stops growing */
    PUSH(&x, matches, m);
  }
  for (size_t i = 0; i < matches.n; i++) matches.v[i].caps = caps.v + (uintptr_t)matches.v[i].caps;
  size_t kept = 0;
  for (size_t i = 0; i < matches.n; i++)
    if (predicates_hold(&x, &matches.v[i])) matches.v[kept++] = matches.v[i];
  matches.n = kept;

  /* Call contexts from the generated @ctx.* patterns. */
  if (spec->opts & O_CTX) {
    for (size_t i = 0; i < matches.n; i++) {
      const Match *m = &matches.v[i];
      if (!m->ncap || !(spec->capflags[m->caps[0].cap] & C_CTX)) continue;
      const Cap *child = NULL, *awaiter = NULL;
      bool tried = false;
      for (uint32_t k = 0; k < m->ncap; k++) {
        uint8_t r = spec->role[m->caps[k].cap];
        if (r == R_CTX_AWAITER) awaiter = &m->caps[k];
        else child = &m->caps[k];
        if (r == R_CTX_TRY) tried = true;
      }
      if (!child) continue;
      if (tried) id_put(&x.tried, (uintptr_t)child->node.id, 1);
      else if (awaiter) id_put(&x.awaited_by, (uintptr_t)child->node.id, (uintptr_t)awaiter->node.id);
    }
  }

  /* Primary captures, in source order, outer first, then pattern order. */
  for (size_t i = 0; i < matches.n; i++) {
    const Match *m = &matches.v[i];
    for (uint32_t k = 0; k < m->ncap; k++) {
      if (!(spec->capflags[m->caps[k].cap] & C_PRIMARY)) continue;
      Primary p = {m, &m->caps[k], start_of(m->caps[k].node), end_of(m->caps[k].node), (uint32_t)i};
      PUSH(&x, primaries, p);
      break;
    }
  }
  if (primaries.n) qsort(primaries.v, primaries.n, sizeof(Primary), cmp_primary);

  for (size_t i = 0; i < primaries.n && !x.failed; i++) {
    const Match *m = primaries.v[i].m;
    const Cap *primary = primaries.v[i].primary;
    TSNode node = primary->node;
    Range range = {primaries.v[i].start, primaries.v[i].end};
    switch (spec->role[primary->cap]) {
      case R_DEF: {
        Def d;
        if (make_def(&x, m, node, primary->cap, &d)) {
          PUSH(&x, x.defs, d);
          PUSH(&x, x.def_ranges, range);
        }
        break;
      }
      case R_CALL: {
        Call c;
        if (!make_call(&x, m, node, primary->cap, &c)) break;
        uintptr_t prev;
        if (id_get(&x.call_by_id, (uintptr_t)node.id, &prev)) {
          /* The same call node matched a generic and a specific pattern: the specific kind wins. */
          if (text_eq_lit(pool_get(&x, x.calls.v[prev].kind), "call") && !text_eq_lit(pool_get(&x, c.kind), "call")) x.calls.v[prev] = c;
          break;
        }
        id_put(&x.call_by_id, (uintptr_t)node.id, x.calls.n);
        PUSH(&x, x.calls, c);
        PUSH(&x, x.call_ranges, range);
        break;
      }
      case R_IMPORT:
        make_imports(&x, m, node);
        break;
      case R_BIND: {
        Binding b;
        if (make_binding(&x, m, node, &b)) {
          PUSH(&x, x.binds, b);
          PUSH(&x, x.bind_ranges, range);
        }
        break;
      }
      case R_ERROR: {
        ErrorMark e = {pool_text(&x, spec_str(spec, spec->capname[primary->cap])), row_of(node) + 1, -1};
        PUSH(&x, x.errors, e);
        PUSH(&x, x.error_ranges, range);
        break;
      }
      case R_COMMENT:
        push_range4(&x, &x.comments, node);
        break;
      case R_STRING:
        push_range4(&x, &x.strings, node);
        break;
      default:
        break;
    }
  }
  mark_spawned(&x);
  assign_enclosing(&x, x.call_ranges.v, x.calls.n, x.calls.v, sizeof(Call), offsetof(Call, in));
  assign_enclosing(&x, x.bind_ranges.v, x.binds.n, x.binds.v, sizeof(Binding), offsetof(Binding, in));
  assign_enclosing(&x, x.error_ranges.v, x.errors.n, x.errors.v, sizeof(ErrorMark), offsetof(ErrorMark, in));

  TSNode root = ts_tree_root_node(tree);
  uint32_t parse_errors = count_errors(&x, root);
  TSPoint end = ts_node_end_point(root);
  uint32_t lines = end.row + (end.column > 0 ? 1 : 0);
  if (!(x.failed || x.pool.failed || x.tmp.failed || x.tmp2.failed || x.awaited_by.failed || x.tried.failed || x.call_by_id.failed))
    write_entry(&x, meta, lines, parse_errors, &out->blob);
  if (x.failed || x.pool.failed || out->blob.failed) out->failed = true;
  free(matches.v);
  free(caps.v);
  free(primaries.v);
  free(x.pool.p);
  free(x.tmp.p);
  free(x.tmp2.p);
  free(x.lists.v);
  free(x.defs.v);
  free(x.def_ranges.v);
  free(x.calls.v);
  free(x.call_ranges.v);
  free(x.imports.v);
  free(x.binds.v);
  free(x.bind_ranges.v);
  free(x.errors.v);
  free(x.error_ranges.v);
  free(x.comments.v);
  free(x.strings.v);
  free(x.chain.v);
  id_free(&x.awaited_by);
  id_free(&x.tried);
  id_free(&x.call_by_id);
}

void extract_out_free(ExtractOut *out) {
  free(out->blob.p);
  out->blob.p = NULL;
}
