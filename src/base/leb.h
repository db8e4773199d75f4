/* LEB128: reading with the spec's limits (at most ceil(N/7) bytes; unused bits
 * of the last byte must be zero, or a sign extension for signed values) and
 * writing in the shortest form or padded to a fixed width. */
#ifndef WASMC_BASE_LEB_H
#define WASMC_BASE_LEB_H

#include <stdbool.h>
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

/* The hot path for decoders: a number in range, in at most ceil(bits/7)
 * bytes, its last byte checked as the spec says, read without a bounds check
 * per byte. Returns its length (the value, sign-extended if is_signed, in
 * *out), or 0 when it is malformed or too close to `end`: then
 * leb_read_unsigned/leb_read_signed read it and name any error. */
static inline size_t leb_read_fast(const uint8_t *p, const uint8_t *end, unsigned bits,
                                   bool is_signed, uint64_t *out) {
    size_t max = (bits + 6) / 7;
    if ((size_t)(end - p) < max)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i + 1 < max; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (p[i] < 0x80) {
            if (is_signed && (p[i] & 0x40))
                v |= ~(uint64_t)0 << (7 * (i + 1));
            *out = v;
            return i + 1;
        }
    }
    uint8_t last = p[max - 1];
    unsigned used = bits - 7 * (unsigned)(max - 1); /* payload bits allowed in it, < 7 */
    if (is_signed) {
        /* no continuation bit; the bits from the sign bit up all equal it */
        uint8_t rest = (uint8_t)(last >> (used - 1));
        if (rest != 0 && rest != 0x7f >> (used - 1))
            return 0;
        if ((last & 0x40) && 7 * max < 64)
            v |= ~(uint64_t)0 << (7 * max);
    } else if (last >> used) {
        return 0;
    }
    *out = v | (uint64_t)(last & 0x7f) << (7 * (max - 1));
    return max;
}

/* The spec's message for a non-OK status. */
const char *leb_status_message(LebStatus status);

void leb_write_u64(ByteBuf *b, uint64_t v);
void leb_write_s64(ByteBuf *b, int64_t v);
static inline void leb_write_u32(ByteBuf *b, uint32_t v) { leb_write_u64(b, v); }
static inline void leb_write_s32(ByteBuf *b, int32_t v) { leb_write_s64(b, v); }
/* Always 5 bytes, for sizes patched after the content is written. */
void leb_write_u32_padded(uint8_t out[5], uint32_t v);

#endif
