/* UTF-8: validation of names (the binary format requires well-formed UTF-8:
 * no overlongs, surrogates or code points past U+10FFFF) and encoding. */
#ifndef WASMC_BASE_UTF8_H
#define WASMC_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool utf8_valid(const uint8_t *s, size_t len);
/* Encode a scalar value into out (up to 4 bytes); returns the byte count, 0 if
 * cp is not a Unicode scalar value. */
size_t utf8_encode(uint32_t cp, uint8_t out[4]);
/* Decode one scalar value at s; returns its length, or 0 if malformed. */
size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *out_cp);

#endif
