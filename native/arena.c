/*
 * Per-tree arenas for the tree-sitter runtime (see arena.h).
 *
 * Why: a parse makes and frees hundreds of thousands of small blocks (subtrees, their child arrays, stack
 * nodes), and deleting a tree walks every subtree to free it again. With malloc that was ~20% of the
 * parse-and-free CPU (malloc/free themselves, ts_subtree_release, malloc_consolidate). In an arena an
 * allocation is a pointer bump and a tree is freed by handing its chunks back.
 *
 * How it stays safe next to malloc: the runtime's allocator is process-wide (ts_set_allocator), so the hooks
 * decide per call. While a thread has an active arena, new blocks come from it; every block carries a
 * 16-byte header whose last word is ARENA_MAGIC, so free and realloc recognise an arena block on any thread
 * (the 8 bytes before a malloc block are glibc's chunk size, which never has those high bits set) and leave
 * it alone, and hand every other pointer to libc. Only with glibc: other allocators may pack blocks with no
 * header between them, so there arena_begin returns NULL and every tree is malloc's, as before. A parser made inside an arena keeps arena memory, so the
 * binding makes a parser per parse inside the arena and deletes it before arena_end: nothing made inside an
 * arena outlives it except the tree, which arena_release frees.
 *
 * Memory: frees inside an arena are not reused, so an arena holds more than the tree it keeps (measured:
 * see ARCHITECTURE.md). Freed chunks of the standard size are kept for the next parse (up to CACHE_CHUNKS),
 * arena_trim gives them back.
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
#include <uv.h>

#define ARENA_MAGIC 0xA7E4C0DE5EED0B1Aull
#define HEADER 16
#define CHUNK_BYTES (256 * 1024)
/* A block bigger than this gets a chunk of its own (so a big array does not waste a standard chunk's rest). */
#define BIG_BLOCK (CHUNK_BYTES / 4)
#define CACHE_CHUNKS 256

typedef struct Chunk {
  struct Chunk *next;
  size_t cap; /* data bytes */
  size_t used;
  size_t last; /* offset of the last block's header, or SIZE_MAX */
} Chunk;

struct Arena {
  Chunk *head; /* the chunk being bumped; the others follow it */
  size_t bytes;
};

static _Thread_local Arena *active;

static uv_once_t cache_once = UV_ONCE_INIT;
static uv_mutex_t cache_lock;
static Chunk *cache;
static size_t cached;

static void cache_init(void) { uv_mutex_init(&cache_lock); }

static inline char *data_of(Chunk *c) { return (char *)(c + 1); }

static void out_of_memory(size_t size) {
  fprintf(stderr, "dynamo-sglang-mcp: the parser failed to allocate %zu bytes\n", size);
  abort();
}

static Chunk *chunk_new(size_t cap) {
  if (cap == CHUNK_BYTES - sizeof(Chunk)) {
    uv_mutex_lock(&cache_lock);
    Chunk *c = cache;
    if (c) {
      cache = c->next;
      cached--;
    }
    uv_mutex_unlock(&cache_lock);
    if (c) return c;
  }
  Chunk *c = (Chunk *)malloc(sizeof(Chunk) + cap);
  if (!c) out_of_memory(sizeof(Chunk) + cap);
  c->cap = cap;
  return c;
}

static void *bump(Arena *a, size_t size) {
  size_t need = HEADER + ((size + 15) & ~(size_t)15);
  Chunk *c = a->head;
  if (!c || c->cap - c->used < need) {
    if (need > BIG_BLOCK) {
      /* A chunk of its own, after the head: the head keeps its free space. */
      Chunk *big = chunk_new(need);
      big->used = 0;
      big->last = SIZE_MAX;
      a->bytes += sizeof(Chunk) + need;
      if (c) {
        big->next = c->next;
        c->next = big;
      } else {
        big->next = NULL;
        a->head = big;
      }
      c = big;
    } else {
      Chunk *fresh = chunk_new(CHUNK_BYTES - sizeof(Chunk));
      fresh->used = 0;
      fresh->last = SIZE_MAX;
      fresh->next = c;
      a->head = c = fresh;
      a->bytes += CHUNK_BYTES;
    }
  }
  uint64_t *h = (uint64_t *)(data_of(c) + c->used);
  h[0] = size;
  h[1] = ARENA_MAGIC;
  c->last = c->used;
  c->used += need;
  return h + 2;
}

static inline int is_arena_block(const void *p) { return ((const uint64_t *)p)[-1] == ARENA_MAGIC; }
static inline size_t block_size(const void *p) { return (size_t)((const uint64_t *)p)[-2]; }

static void *hook_malloc(size_t size) {
  if (active) return bump(active, size);
  void *p = malloc(size);
  if (!p && size) out_of_memory(size);
  return p;
}

static void *hook_calloc(size_t count, size_t size) {
  if (active) {
    if (size && count > SIZE_MAX / size) out_of_memory(SIZE_MAX);
    void *p = bump(active, count * size);
    memset(p, 0, count * size);
    return p;
  }
  void *p = calloc(count, size);
  if (!p && count && size) out_of_memory(count * size);
  return p;
}

static void *hook_realloc(void *p, size_t size) {
  if (p && is_arena_block(p)) {
    size_t old = block_size(p);
    if (size <= old) return p;
    Chunk *c = active ? active->head : NULL;
    /* The last block of the chunk being bumped grows in place. */
    if (c && c->last != SIZE_MAX && (uint64_t *)(data_of(c) + c->last) + 2 == (uint64_t *)p) {
      size_t need = HEADER + ((size + 15) & ~(size_t)15);
      if (c->cap - c->last >= need) {
        c->used = c->last + need;
        ((uint64_t *)p)[-2] = size;
        return p;
      }
    }
    void *q = hook_malloc(size);
    memcpy(q, p, old);
    return q;
  }
  if (!p && active) return bump(active, size);
  void *q = realloc(p, size);
  if (!q && size) out_of_memory(size);
  return q;
}

static void hook_free(void *p) {
  if (!p || is_arena_block(p)) return;
  free(p);
}

/*
 * Arenas need glibc (see arena_begin). DSM_NO_ARENAS builds without them: AddressSanitizer's allocator keeps
 * no size word before a block either (scripts/check-asan.mjs).
 */
#if defined(__GLIBC__) && !defined(DSM_NO_ARENAS)
#define USE_ARENAS 1
#endif

void arena_install(void) {
  uv_once(&cache_once, cache_init);
#ifdef USE_ARENAS
  ts_set_allocator(hook_malloc, hook_calloc, hook_realloc, hook_free);
#endif
}

Arena *arena_begin(void) {
#ifdef USE_ARENAS
  Arena *a = (Arena *)calloc(1, sizeof(Arena));
  active = a;
  return a;
#else
  /* Elsewhere the word before a malloc block may be another block's data: no arenas, malloc as before. */
  return NULL;
#endif
}

void arena_end(Arena *a) {
  (void)a;
  active = NULL;
}

void arena_release(Arena *a) {
  if (!a) return;
  Chunk *keep = NULL, *keep_tail = NULL;
  size_t nkeep = 0;
  for (Chunk *c = a->head, *next; c; c = next) {
    next = c->next;
    if (c->cap == CHUNK_BYTES - sizeof(Chunk)) {
      c->next = keep;
      if (!keep) keep_tail = c;
      keep = c;
      nkeep++;
    } else {
      free(c);
    }
  }
  free(a);
  if (!keep) return;
  uv_mutex_lock(&cache_lock);
  if (cached + nkeep <= CACHE_CHUNKS) {
    keep_tail->next = cache;
    cache = keep;
    cached += nkeep;
    keep = NULL;
  }
  uv_mutex_unlock(&cache_lock);
  for (Chunk *c = keep, *next; c; c = next) {
    next = c->next;
    free(c);
  }
}

size_t arena_bytes(const Arena *a) { return a ? a->bytes : 0; }

void arena_trim(void) {
  uv_mutex_lock(&cache_lock);
  Chunk *c = cache;
  cache = NULL;
  cached = 0;
  uv_mutex_unlock(&cache_lock);
  for (Chunk *next; c; c = next) {
    next = c->next;
    free(c);
  }
}
