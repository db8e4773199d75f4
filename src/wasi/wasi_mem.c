/* Bounds-checked access to the guest's linear memory. Every pointer and
 * length a guest passes is checked against the memory's current length with
 * 64-bit arithmetic before the host touches it; a bad one is WASI_EFAULT,
 * never a host fault. Values are little-endian and may be unaligned. */
#include <string.h>
#include <sys/uio.h>

#include "wasi_int.h"

WasiMem wasi_mem_of_caller(const Caller *caller) {
    WasiMem mem = {NULL, 0};
    if (!caller || !caller->vmctx || !caller->vmctx->module || !caller->vmctx->module->ir)
        return mem;
    VMContext *cx = caller->vmctx;
    const Module *ir = cx->module->ir;
    if (ir->n_memories == 0)
        return mem;
    uint32_t index = 0;
    for (uint32_t i = 0; i < ir->n_exports; i++) {
        const Export *e = &ir->exports[i];
        if (e->kind == EXTERN_MEMORY && e->name.len == 6 && memcmp(e->name.str, "memory", 6) == 0) {
            index = e->index;
            break;
        }
    }
    RtMemory *m = vmctx_memories(cx)[index];
    if (m) {
        mem.base = m->base;
        mem.len = m->length;
    }
    return mem;
}

uint8_t *wasi_mem_range(const WasiMem *mem, uint32_t ptr, uint64_t len) {
    if (!mem->base || (uint64_t)ptr > mem->len || len > mem->len - ptr)
        return NULL;
    return mem->base + ptr;
}

void wasi_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void wasi_put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void wasi_put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t wasi_get_u16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t wasi_get_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t wasi_get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint16_t wasi_mem_read_u32(const WasiMem *mem, uint32_t ptr, uint32_t *out) {
    const uint8_t *p = wasi_mem_range(mem, ptr, 4);
    if (!p)
        return WASI_EFAULT;
    *out = wasi_get_u32(p);
    return WASI_ESUCCESS;
}

uint16_t wasi_mem_read_u64(const WasiMem *mem, uint32_t ptr, uint64_t *out) {
    const uint8_t *p = wasi_mem_range(mem, ptr, 8);
    if (!p)
        return WASI_EFAULT;
    *out = wasi_get_u64(p);
    return WASI_ESUCCESS;
}

uint16_t wasi_mem_write_u32(const WasiMem *mem, uint32_t ptr, uint32_t value) {
    uint8_t *p = wasi_mem_range(mem, ptr, 4);
    if (!p)
        return WASI_EFAULT;
    wasi_put_u32(p, value);
    return WASI_ESUCCESS;
}

uint16_t wasi_mem_write_u64(const WasiMem *mem, uint32_t ptr, uint64_t value) {
    uint8_t *p = wasi_mem_range(mem, ptr, 8);
    if (!p)
        return WASI_EFAULT;
    wasi_put_u64(p, value);
    return WASI_ESUCCESS;
}

uint16_t wasi_mem_write(const WasiMem *mem, uint32_t ptr, const void *data, uint64_t len) {
    uint8_t *p = wasi_mem_range(mem, ptr, len);
    if (!p)
        return WASI_EFAULT;
    if (len)
        memmove(p, data, (size_t)len);
    return WASI_ESUCCESS;
}

uint16_t wasi_mem_string(const WasiMem *mem, uint32_t ptr, uint32_t len, char **out) {
    *out = NULL;
    const uint8_t *p = wasi_mem_range(mem, ptr, len);
    if (!p)
        return WASI_EFAULT;
    if (len > WASI_PATH_MAX)
        return WASI_ENAMETOOLONG;
    if (memchr(p, 0, len))
        return WASI_EINVAL;
    if (!utf8_valid(p, len))
        return WASI_EILSEQ;
    char *s = mem_strndup((const char *)p, len);
    if (!s)
        return WASI_ENOMEM;
    *out = s;
    return WASI_ESUCCESS;
}

uint16_t wasi_mem_iovecs(const WasiMem *mem, uint32_t iovs, uint32_t n_iovs, struct iovec **out,
                         int *out_n) {
    *out = NULL;
    *out_n = 0;
    const uint8_t *arr = wasi_mem_range(mem, iovs, (uint64_t)n_iovs * WASI_IOVEC_SIZE);
    if (!arr)
        return WASI_EFAULT;
    uint32_t n = n_iovs < WASI_IOV_MAX ? n_iovs : WASI_IOV_MAX;
    struct iovec *v = mem_calloc(n ? n : 1, sizeof *v);
    if (!v)
        return WASI_ENOMEM;
    /* The transferred count is a u32 (witx: size): cap the total so that
     * overlapping iovecs cannot make it wrap. */
    uint64_t total = 0;
    uint32_t i = 0;
    for (; i < n && total < WASI_IO_TOTAL_MAX; i++) {
        uint32_t buf = wasi_get_u32(arr + i * WASI_IOVEC_SIZE);
        uint32_t buf_len = wasi_get_u32(arr + i * WASI_IOVEC_SIZE + 4);
        uint8_t *p = wasi_mem_range(mem, buf, buf_len);
        if (!p) {
            mem_free(v);
            return WASI_EFAULT;
        }
        v[i].iov_base = p;
        v[i].iov_len = buf_len;
        if (buf_len > WASI_IO_TOTAL_MAX - total)
            v[i].iov_len = (size_t)(WASI_IO_TOTAL_MAX - total);
        total += v[i].iov_len;
    }
    *out = v;
    *out_n = (int)i;
    return WASI_ESUCCESS;
}
