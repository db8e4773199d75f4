/* Operating-system services used by the layers above: whole-file reading
 * and writing. (Virtual memory and signals join this module with the runtime.) */
#ifndef WASMC_BASE_OS_H
#define WASMC_BASE_OS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Read a whole file; *out_data is owned by the caller (mem_free). */
Err os_read_file(const char *path, uint8_t **out_data, size_t *out_len, Diag *diag) WARN_UNUSED;
Err os_write_file(const char *path, const uint8_t *data, size_t len, Diag *diag) WARN_UNUSED;
/* Monotonic clock in nanoseconds. */
uint64_t os_now_ns(void);

#endif
