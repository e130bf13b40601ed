/*
 * Per-tree arenas for the tree-sitter runtime's memory (see arena.c).
 *
 * A parse run between arena_begin and arena_end allocates everything it makes (the tree, and the parser's
 * own working memory) by bumping a pointer in the arena's chunks; freeing inside an arena does nothing, and
 * arena_release frees the whole tree at once. Outside a parse the runtime's allocations go to malloc as
 * before.
 */
#ifndef DSM_ARENA_H
#define DSM_ARENA_H

#include <stddef.h>

typedef struct Arena Arena;

/* Installs the allocator into the tree-sitter runtime; once per process, before any tree-sitter call. */
void arena_install(void);

/* A new arena, active on this thread until arena_end; NULL when out of memory (allocations go to malloc). */
Arena *arena_begin(void);
void arena_end(Arena *arena);

/* Frees every allocation of the arena, on any thread; NULL is a no-op. */
void arena_release(Arena *arena);

/* Bytes the arena holds (its chunks), for tests and measurement. */
size_t arena_bytes(const Arena *arena);

/* Gives the chunks kept for reuse back to malloc. */
void arena_trim(void);

#endif
