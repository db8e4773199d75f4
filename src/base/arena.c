/* Chunked bump allocator. Chunks grow geometrically; a request larger than the
 * default chunk gets a chunk of its own. The last allocation can grow in
 * place (arena_resize), so arrays of unknown length fill without a copy. */
#include "arena.h"

#include <string.h>

#include "mem.h"

struct ArenaChunk {
    ArenaChunk *prev;
    size_t size;
    _Alignas(16) uint8_t data[];
};

#define ARENA_MIN_CHUNK (16 * 1024)
#define ARENA_ALIGN 16

void arena_init(Arena *a) { memset(a, 0, sizeof *a); }

void arena_fini(Arena *a) {
    ArenaChunk *c = a->chunk;
    while (c) {
        ArenaChunk *prev = c->prev;
        mem_free(c);
        c = prev;
    }
    memset(a, 0, sizeof *a);
}

void arena_reset(Arena *a) {
    ArenaChunk *c = a->chunk;
    while (c && c->prev) {
        ArenaChunk *prev = c->prev;
        mem_free(c);
        c = prev;
    }
    a->chunk = c;
    a->cur = c ? c->data : NULL;
    a->end = c ? c->data + c->size : NULL;
    a->total = 0;
}

static int arena_grow(Arena *a, size_t need) {
    size_t size = a->chunk ? a->chunk->size * 2 : ARENA_MIN_CHUNK;
    if (size > 8 * 1024 * 1024)
        size = 8 * 1024 * 1024;
    if (size < need)
        size = need;
    ArenaChunk *c = mem_alloc(sizeof(ArenaChunk) + size);
    if (!c)
        return 0;
    c->size = size;
    c->prev = a->chunk;
    a->chunk = c;
    a->cur = c->data;
    a->end = c->data + size;
    return 1;
}

static size_t rounded(size_t size) {
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    return size ? size : ARENA_ALIGN;
}

void *arena_alloc(Arena *a, size_t size) {
    size = rounded(size);
    if ((size_t)(a->end - a->cur) < size && !arena_grow(a, size))
        return NULL;
    void *p = a->cur;
    a->cur += size;
    a->total += size;
    return p;
}

void *arena_calloc(Arena *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *arena_memdup(Arena *a, const void *src, size_t size) {
    void *p = arena_alloc(a, size);
    if (p && size)
        memcpy(p, src, size);
    return p;
}

void *arena_resize(Arena *a, void *p, size_t old_size, size_t new_size) {
    size_t old_r = rounded(old_size), new_r = rounded(new_size);
    uint8_t *b = p;
    if (b && b + old_r == a->cur && (new_r <= old_r || (size_t)(a->end - b) >= new_r)) {
        a->cur = b + new_r;
        a->total = a->total - old_r + new_r;
        return p;
    }
    if (new_size <= old_size)
        return p;
    void *q = arena_alloc(a, new_size);
    if (q && old_size)
        memcpy(q, p, old_size);
    return q;
}

char *arena_strndup(Arena *a, const char *s, size_t len) {
    char *p = arena_alloc(a, len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = 0;
    }
    return p;
}
