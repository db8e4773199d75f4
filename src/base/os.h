/* Operating-system services used by the layers above: whole-file reading
 * and writing. (Virtual memory and signals join this module with the runtime.) */
#ifndef WASMC_BASE_OS_H
#define WASMC_BASE_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Read a whole file; *out_data is owned by the caller (mem_free). */
Err os_read_file(const char *path, uint8_t **out_data, size_t *out_len, Diag *diag) WARN_UNUSED;
Err os_write_file(const char *path, const uint8_t *data, size_t len, Diag *diag) WARN_UNUSED;
/* Can a process with several threads fork while they allocate? True with
 * glibc's allocator (it takes its locks around fork); false under the
 * sanitizers' allocators, which register no fork handlers, so a child forked
 * while another thread holds their lock hangs at its first allocation. */
bool os_fork_safe_with_threads(void);

/* Monotonic clock in nanoseconds. */
uint64_t os_now_ns(void);

#endif
