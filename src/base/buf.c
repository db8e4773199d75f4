/* ByteBuf: a growable byte array with sticky failure. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void buf_init(ByteBuf *b) { memset(b, 0, sizeof *b); }

void buf_fini(ByteBuf *b) {
    mem_free(b->data);
    memset(b, 0, sizeof *b);
}

bool buf_reserve(ByteBuf *b, size_t extra) {
    if (b->failed)
        return false;
    if (b->len + extra <= b->cap)
        return true;
    size_t want = b->cap ? b->cap * 2 : 256;
    while (want < b->len + extra)
        want *= 2;
    uint8_t *p = mem_realloc(b->data, want);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = want;
    return true;
}

void buf_byte(ByteBuf *b, uint8_t byte) {
    if (buf_reserve(b, 1))
        b->data[b->len++] = byte;
}

void buf_bytes(ByteBuf *b, const void *src, size_t len) {
    if (len && buf_reserve(b, len)) {
        memcpy(b->data + b->len, src, len);
        b->len += len;
    }
}

void buf_str(ByteBuf *b, const char *s) { buf_bytes(b, s, strlen(s)); }

void buf_printf(ByteBuf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_bytes(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_u32le(ByteBuf *b, uint32_t v) {
    uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_bytes(b, bytes, 4);
}

void buf_u64le(ByteBuf *b, uint64_t v) {
    buf_u32le(b, (uint32_t)v);
    buf_u32le(b, (uint32_t)(v >> 32));
}

uint8_t *buf_take(ByteBuf *b, size_t *out_len) {
    uint8_t *data = b->data;
    *out_len = b->len;
    memset(b, 0, sizeof *b);
    return data;
}
