/* Virtual memory and thread-stack queries for the runtime: reserve address
 * space without backing it, commit and decommit pages inside a reservation,
 * release it. Linear memories, guard regions and signal stacks come from here;
 * nothing here uses the heap (mem_alloc). */
#ifndef WASMC_BASE_OS_VM_H
#define WASMC_BASE_OS_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The OS page size (a power of two; cached after the first call). */
size_t os_page_size(void);

/* Reserve `size` bytes (a multiple of the page size) of inaccessible address
 * space, backed by nothing until committed. NULL on failure. */
void *os_vm_reserve(size_t size);
/* Make [addr, addr + size) readable and writable; pages read as zero until
 * written. addr and size page-aligned, inside a reservation. */
bool os_vm_commit(void *addr, size_t size);
/* Return the pages' backing to the OS and make them inaccessible again; they
 * read as zero if committed later. */
bool os_vm_decommit(void *addr, size_t size);
/* Drop the contents of committed pages, which stay accessible and read as
 * zero again (their backing returns to the OS). */
bool os_vm_reset(void *addr, size_t size);
/* Unmap a reservation (or an os_vm_alloc block). NULL does nothing. */
void os_vm_release(void *addr, size_t size);

/* Reserve and commit `size` bytes read-write, zeroed. NULL on failure. */
void *os_vm_alloc(size_t size);
/* Resize an os_vm_alloc block to new_size bytes (page multiples), possibly
 * moving it; new bytes read as zero. NULL on failure (the old block stays). */
void *os_vm_resize(void *addr, size_t old_size, size_t new_size);

/* The calling thread's stack: usable addresses [*out_low, *out_high) and the
 * size of the guard region just below *out_low (0 if unknown). False if the
 * platform cannot tell. */
bool os_thread_stack(uintptr_t *out_low, uintptr_t *out_high, size_t *out_guard);

#endif
