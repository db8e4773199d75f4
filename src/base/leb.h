/* LEB128: reading with the spec's limits (at most ceil(N/7) bytes; unused bits
 * of the last byte must be zero, or a sign extension for signed values) and
 * writing in the shortest form or padded to a fixed width. */
#ifndef WASMC_BASE_LEB_H
#define WASMC_BASE_LEB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef enum LebStatus {
    LEB_OK = 0,
    LEB_EOF,       /* input ended inside the number: "unexpected end" */
    LEB_TOO_LONG,  /* more bytes than an N-bit value may take: "integer representation too long" */
    LEB_TOO_LARGE, /* the last byte's unused bits are wrong: "integer too large" */
} LebStatus;

/* Read an unsigned value of `bits` (1..64) from [p, end); on LEB_OK stores
 * the value and the number of bytes consumed. */
LebStatus leb_read_unsigned(const uint8_t *p, const uint8_t *end, unsigned bits, uint64_t *out,
                            size_t *out_len);
/* Signed variant; the value is sign-extended to 64 bits. */
LebStatus leb_read_signed(const uint8_t *p, const uint8_t *end, unsigned bits, int64_t *out,
                          size_t *out_len);

/* The spec's message for a non-OK status. */
const char *leb_status_message(LebStatus status);

void leb_write_u64(ByteBuf *b, uint64_t v);
void leb_write_s64(ByteBuf *b, int64_t v);
static inline void leb_write_u32(ByteBuf *b, uint32_t v) { leb_write_u64(b, v); }
static inline void leb_write_s32(ByteBuf *b, int32_t v) { leb_write_s64(b, v); }
/* Always 5 bytes, for sizes patched after the content is written. */
void leb_write_u32_padded(uint8_t out[5], uint32_t v);

#endif
