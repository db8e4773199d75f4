/* Byte buffers that grow: the binary writer's output, file contents, text
 * built piece by piece. A failed append sets `failed` and later appends do
 * nothing, so writers check once at the end instead of after every byte. */
#ifndef WASMC_BASE_BUF_H
#define WASMC_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ByteBuf {
    uint8_t *data;
    size_t len, cap;
    bool failed;
} ByteBuf;

void buf_init(ByteBuf *b);
void buf_fini(ByteBuf *b);
bool buf_reserve(ByteBuf *b, size_t extra);
void buf_byte(ByteBuf *b, uint8_t byte);
void buf_bytes(ByteBuf *b, const void *src, size_t len);
void buf_str(ByteBuf *b, const char *s);
void buf_printf(ByteBuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void buf_u32le(ByteBuf *b, uint32_t v);
void buf_u64le(ByteBuf *b, uint64_t v);
/* Take the bytes out (caller frees with mem_free); the buffer is left empty. */
uint8_t *buf_take(ByteBuf *b, size_t *out_len);

#endif
