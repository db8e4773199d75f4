/* Allocation wrappers with per-thread failure injection. */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local int64_t fail_after = -1;
static _Thread_local int64_t alloc_count;

void mem_fail_after(int64_t n) {
    fail_after = n;
    alloc_count = 0;
}

int64_t mem_alloc_count(void) { return alloc_count; }

static int should_fail(void) {
    alloc_count++;
    if (fail_after < 0)
        return 0;
    if (fail_after == 0)
        return 1;
    fail_after--;
    return 0;
}

void *mem_alloc(size_t size) { return should_fail() ? NULL : malloc(size ? size : 1); }

void *mem_calloc(size_t count, size_t size) {
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *mem_realloc(void *ptr, size_t size) {
    return should_fail() ? NULL : realloc(ptr, size ? size : 1);
}

void mem_free(void *ptr) { free(ptr); }

char *mem_strndup(const char *s, size_t len) {
    char *copy = mem_alloc(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = 0;
    }
    return copy;
}
