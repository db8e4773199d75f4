/* Arenas: bump allocation for things that die together (a module's IR and
 * names, a parse's syntax trees, a function's validation scratch). Pointers
 * from an arena live until arena_reset or arena_fini of that arena. */
#ifndef WASMC_BASE_ARENA_H
#define WASMC_BASE_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct ArenaChunk ArenaChunk;

typedef struct Arena {
    ArenaChunk *chunk; /* current chunk; older chunks are linked behind it */
    uint8_t *cur, *end;
    size_t total;      /* bytes handed out, for accounting */
} Arena;

void arena_init(Arena *a);
void arena_fini(Arena *a);
/* Free everything but keep the first chunk for reuse. */
void arena_reset(Arena *a);

/* 16-byte aligned; NULL on allocation failure. */
void *arena_alloc(Arena *a, size_t size);
void *arena_calloc(Arena *a, size_t count, size_t size);
void *arena_memdup(Arena *a, const void *src, size_t size);
/* Resize p, a block of old_size bytes from a, to new_size bytes: in place
 * when p is still the arena's last allocation and its chunk has room (always
 * when shrinking), else into a new block with the contents copied (the old
 * block stays allocated). For arrays that grow while being filled. NULL on
 * allocation failure, with p untouched. */
void *arena_resize(Arena *a, void *p, size_t old_size, size_t new_size);
/* NUL-terminated copy of len bytes. */
char *arena_strndup(Arena *a, const char *s, size_t len);

#endif
