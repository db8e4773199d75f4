/* Arenas: alignment, arrays grown in place by arena_resize (and moved when
 * something was allocated after them), reset and reuse, and failure
 * injection on chunk growth. */
#include <string.h>

#include "base/base.h"
#include "test.h"

static void test_alignment(void) {
    Arena a;
    arena_init(&a);
    for (size_t size = 0; size < 100; size += 7) {
        uint8_t *p = arena_alloc(&a, size);
        CHECK(p && ((uintptr_t)p & 15) == 0);
    }
    arena_fini(&a);
}

static void test_resize_in_place(void) {
    Arena a;
    arena_init(&a);
    uint32_t *v = arena_alloc(&a, 4 * sizeof *v);
    for (uint32_t i = 0; i < 4; i++)
        v[i] = i;
    uint32_t *w = arena_resize(&a, v, 4 * sizeof *v, 64 * sizeof *v);
    CHECK(w == v); /* the last allocation with room: grows where it is */
    for (uint32_t i = 4; i < 64; i++)
        w[i] = i;
    w = arena_resize(&a, w, 64 * sizeof *w, 10 * sizeof *w);
    CHECK(w == v); /* shrinking gives the tail back */
    uint32_t *next = arena_alloc(&a, 4);
    CHECK((uint8_t *)next == (uint8_t *)v + 48); /* 40 bytes rounded to 48 */
    for (uint32_t i = 0; i < 10; i++)
        CHECK(w[i] == i);
    arena_fini(&a);
}

static void test_resize_moves(void) {
    Arena a;
    arena_init(&a);
    uint32_t *v = arena_alloc(&a, 8 * sizeof *v);
    for (uint32_t i = 0; i < 8; i++)
        v[i] = 100 + i;
    uint8_t *after = arena_alloc(&a, 16); /* v is no longer the last allocation */
    memset(after, 0xab, 16);
    uint32_t *w = arena_resize(&a, v, 8 * sizeof *v, 4096 * sizeof *v);
    CHECK(w && w != v);
    for (uint32_t i = 0; i < 8; i++)
        CHECK(w[i] == 100 + i);
    CHECK(after[0] == 0xab && after[15] == 0xab);
    /* bigger than any chunk so far: a chunk of its own, contents kept */
    uint32_t *x = arena_resize(&a, w, 4096 * sizeof *w, 1000000 * sizeof *w);
    CHECK(x != NULL);
    for (uint32_t i = 0; i < 8; i++)
        CHECK(x[i] == 100 + i);
    x[999999] = 7;
    arena_fini(&a);
}

/* Arenas made, reset and freed in turn: every allocation is usable and
 * zeroed where asked. */
static void test_chunk_reuse(void) {
    for (int round = 0; round < 3; round++) {
        Arena a;
        arena_init(&a);
        for (int i = 0; i < 64; i++) {
            uint8_t *p = arena_calloc(&a, 1, 100000);
            CHECK(p != NULL);
            if (!p)
                break;
            CHECK(p[0] == 0 && p[99999] == 0);
            memset(p, 0xff, 100000);
        }
        arena_reset(&a);
        uint8_t *q = arena_calloc(&a, 1, 300000);
        CHECK(q && q[299999] == 0);
        arena_fini(&a);
    }
}

/* Growth fails cleanly under failure injection and works again after. */
static void test_injection(void) {
    Arena a;
    arena_init(&a);
    mem_fail_after(0);
    CHECK(arena_alloc(&a, 200000) == NULL);
    mem_fail_after(-1);
    CHECK(arena_alloc(&a, 200000) != NULL);
    arena_fini(&a);
}

TEST_MAIN("arena", TEST_CASE(test_alignment), TEST_CASE(test_resize_in_place),
          TEST_CASE(test_resize_moves), TEST_CASE(test_chunk_reuse), TEST_CASE(test_injection))
