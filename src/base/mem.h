/* Heap allocation for objects with their own lifetime. All library allocation
 * goes through here so tests can make the Nth allocation fail and check that
 * every fallible path ends in a clean error without leaks. */
#ifndef WASMC_BASE_MEM_H
#define WASMC_BASE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Return NULL on failure (or when failure injection says so). Sizes of 0 allocate
 * a minimal block so a NULL return always means failure. */
void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *ptr, size_t size);
void mem_free(void *ptr);
char *mem_strndup(const char *s, size_t len);

/* Failure injection for tests: after `n` more successful allocations every
 * allocation fails (n < 0 turns injection off). Thread-local. */
void mem_fail_after(int64_t n);
/* Number of allocations attempted since the last mem_fail_after. */
int64_t mem_alloc_count(void);

#endif
