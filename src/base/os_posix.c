/* POSIX implementation of os.h. */
#define _POSIX_C_SOURCE 200809L
#include "os.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mem.h"

Err os_read_file(const char *path, uint8_t **out_data, size_t *out_len, Diag *diag) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return FAIL(diag, ERR_IO, DIAG_NO_OFFSET, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    uint8_t *data = mem_alloc(cap);
    while (data) {
        len += fread(data + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *bigger = mem_realloc(data, cap * 2);
        if (!bigger) {
            mem_free(data);
            data = NULL;
            break;
        }
        data = bigger;
        cap *= 2;
    }
    int read_error = ferror(f);
    fclose(f);
    if (!data)
        return FAIL_NOMEM(diag);
    if (read_error) {
        mem_free(data);
        return FAIL(diag, ERR_IO, DIAG_NO_OFFSET, "cannot read %s", path);
    }
    *out_data = data;
    *out_len = len;
    return OK;
}

Err os_write_file(const char *path, const uint8_t *data, size_t len, Diag *diag) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return FAIL(diag, ERR_IO, DIAG_NO_OFFSET, "cannot create %s: %s", path, strerror(errno));
    size_t written = fwrite(data, 1, len, f);
    int close_failed = fclose(f) != 0;
    if (written != len || close_failed)
        return FAIL(diag, ERR_IO, DIAG_NO_OFFSET, "cannot write %s", path);
    return OK;
}

uint64_t os_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WASMC_SANITIZER_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WASMC_SANITIZER_ALLOCATOR 1
#endif

bool os_fork_safe_with_threads(void) {
#ifdef WASMC_SANITIZER_ALLOCATOR
    return false;
#else
    return true;
#endif
}
