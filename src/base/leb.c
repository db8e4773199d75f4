/* LEB128 codec. Readers check both limits the spec imposes: the byte count
 * (ceil(bits/7)) and the value of the bits beyond `bits` in the last byte. */
#include "leb.h"

LebStatus leb_read_unsigned(const uint8_t *p, const uint8_t *end, unsigned bits, uint64_t *out,
                            size_t *out_len) {
    unsigned max_bytes = (bits + 6) / 7;
    uint64_t result = 0;
    for (unsigned i = 0;; i++) {
        if (p + i >= end)
            return LEB_EOF;
        uint8_t byte = p[i];
        unsigned shift = 7 * i;
        if (i + 1 == max_bytes) {
            unsigned used = bits - shift; /* payload bits allowed in this byte */
            if (byte & 0x80)
                return LEB_TOO_LONG;
            if (used < 7 && (byte >> used) != 0)
                return LEB_TOO_LARGE;
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = result;
            *out_len = i + 1;
            return LEB_OK;
        }
    }
}

LebStatus leb_read_signed(const uint8_t *p, const uint8_t *end, unsigned bits, int64_t *out,
                          size_t *out_len) {
    unsigned max_bytes = (bits + 6) / 7;
    uint64_t result = 0;
    for (unsigned i = 0;; i++) {
        if (p + i >= end)
            return LEB_EOF;
        uint8_t byte = p[i];
        unsigned shift = 7 * i;
        if (i + 1 == max_bytes) {
            if (byte & 0x80)
                return LEB_TOO_LONG;
            unsigned used = bits - shift; /* includes the sign bit */
            if (used < 7) {
                /* Bits from the sign bit up must all equal the sign bit. */
                uint8_t rest = (uint8_t)((byte & 0x7f) >> (used - 1));
                uint8_t all = (uint8_t)(0x7f >> (used - 1));
                if (rest != 0 && rest != all)
                    return LEB_TOO_LARGE;
            }
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            shift += 7;
            if (shift < 64 && (byte & 0x40))
                result |= ~(uint64_t)0 << shift;
            *out = (int64_t)result;
            *out_len = i + 1;
            return LEB_OK;
        }
    }
}

const char *leb_status_message(LebStatus status) {
    switch (status) {
    case LEB_OK: return "ok";
    case LEB_EOF: return "unexpected end";
    case LEB_TOO_LONG: return "integer representation too long";
    case LEB_TOO_LARGE: return "integer too large";
    }
    return "bad integer";
}

void leb_write_u64(ByteBuf *b, uint64_t v) {
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        buf_byte(b, v ? (uint8_t)(byte | 0x80) : byte);
    } while (v);
}

void leb_write_s64(ByteBuf *b, int64_t v) {
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7; /* arithmetic shift: implementation-defined in C, arithmetic on our targets */
        int done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        buf_byte(b, done ? byte : (uint8_t)(byte | 0x80));
        if (done)
            return;
    }
}

void leb_write_u32_padded(uint8_t out[5], uint32_t v) {
    for (int i = 0; i < 4; i++) {
        out[i] = (uint8_t)((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out[4] = (uint8_t)(v & 0x7f);
}
