/* Numeric literals of the text format: lexical classes (nat, int, float) and
 * conversion to bits. Floats are rounded once, directly to their width
 * (strtof for f32, never via double), on a copy without '_' separators; glibc
 * rounds correctly for decimal and hexadecimal input. */
#include "wat_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_dec(char c) {
    return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
    return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Scan digit ('_'? digit)* at s[*i]; false if none or a misplaced '_'. */
static bool scan_digits(const char *s, uint32_t len, uint32_t *i, bool hex) {
    uint32_t p = *i;
    if (p >= len || !(hex ? is_hex(s[p]) : is_dec(s[p])))
        return false;
    p++;
    while (p < len) {
        if (s[p] == '_') {
            if (p + 1 >= len || !(hex ? is_hex(s[p + 1]) : is_dec(s[p + 1])))
                return false;
            p++;
        } else if (!(hex ? is_hex(s[p]) : is_dec(s[p]))) {
            break;
        }
        p++;
    }
    *i = p;
    return true;
}

static bool has_prefix(const char *s, uint32_t len, uint32_t i, const char *pre) {
    size_t n = strlen(pre);
    return len - i >= n && memcmp(s + i, pre, n) == 0;
}

/* The float forms after the sign, which must cover the rest of the text. */
static bool scan_float_body(const char *s, uint32_t len, uint32_t i) {
    if (len - i == 3 && memcmp(s + i, "inf", 3) == 0)
        return true;
    if (len - i == 3 && memcmp(s + i, "nan", 3) == 0)
        return true;
    if (has_prefix(s, len, i, "nan:0x")) {
        i += 6;
        return scan_digits(s, len, &i, true) && i == len;
    }
    bool hex = has_prefix(s, len, i, "0x");
    if (hex)
        i += 2;
    if (!scan_digits(s, len, &i, hex))
        return false;
    bool frac = false;
    if (i < len && s[i] == '.') {
        frac = true;
        i++;
        if (i < len && (hex ? is_hex(s[i]) : is_dec(s[i])) && !scan_digits(s, len, &i, hex))
            return false;
    }
    if (i < len && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!scan_digits(s, len, &i, false))
            return false;
        frac = true;
    }
    return frac && i == len;
}

NumClass wat_num_class(const char *s, uint32_t len) {
    uint32_t i = 0;
    bool sign = len > 0 && (s[0] == '+' || s[0] == '-');
    if (sign)
        i++;
    uint32_t j = i;
    bool hex = has_prefix(s, len, j, "0x");
    if (hex)
        j += 2;
    if (scan_digits(s, len, &j, hex) && j == len)
        return sign ? NUM_INT : NUM_NAT;
    if (scan_float_body(s, len, i))
        return NUM_FLOAT;
    return NUM_NONE;
}

/* The magnitude of a nat (after any sign); false on overflow or bad syntax. */
static bool parse_magnitude(const char *s, uint32_t len, uint64_t *out) {
    uint32_t i = 0;
    bool hex = has_prefix(s, len, 0, "0x");
    if (hex)
        i = 2;
    if (i >= len)
        return false;
    uint64_t v = 0, base = hex ? 16 : 10;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '_')
            continue;
        uint64_t d;
        if (is_dec(c))
            d = (uint64_t)(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = (uint64_t)(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = (uint64_t)(c - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

bool wat_parse_nat(const char *s, uint32_t len, uint64_t *out) {
    return wat_num_class(s, len) == NUM_NAT && parse_magnitude(s, len, out);
}

bool wat_parse_int(const char *s, uint32_t len, unsigned bits, uint64_t *out) {
    NumClass cls = wat_num_class(s, len);
    if (cls != NUM_NAT && cls != NUM_INT)
        return false;
    bool neg = s[0] == '-';
    uint32_t skip = cls == NUM_INT ? 1 : 0;
    uint64_t mag;
    if (!parse_magnitude(s + skip, len - skip, &mag))
        return false;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t nmax = UINT64_C(1) << (bits - 1);
    if (neg ? mag > nmax : mag > umax)
        return false;
    uint64_t v = neg ? (uint64_t)0 - mag : mag;
    *out = bits == 64 ? v : (v & umax);
    return true;
}

/* A NUL-terminated copy without '_' into buf (or the heap); NULL on failure. */
static char *clean_copy(const char *s, uint32_t len, char *buf, size_t buf_size) {
    char *out = len < buf_size ? buf : mem_alloc(len + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (uint32_t i = 0; i < len; i++)
        if (s[i] != '_')
            out[n++] = s[i];
    out[n] = 0;
    return out;
}

/* inf, nan and nan:0x forms; *handled is false for ordinary numbers. */
static bool parse_special(const char *s, uint32_t len, unsigned mant_bits, uint64_t *bits,
                          bool *handled) {
    uint32_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    uint64_t sign = s[0] == '-' ? 1 : 0;
    unsigned exp_bits = mant_bits == 23 ? 8 : 11;
    uint64_t exp_all = ((UINT64_C(1) << exp_bits) - 1) << mant_bits;
    uint64_t sign_bit = sign << (mant_bits + exp_bits);
    *handled = true;
    if (len - i == 3 && memcmp(s + i, "inf", 3) == 0) {
        *bits = sign_bit | exp_all;
        return true;
    }
    if (len - i == 3 && memcmp(s + i, "nan", 3) == 0) {
        *bits = sign_bit | exp_all | (UINT64_C(1) << (mant_bits - 1));
        return true;
    }
    if (has_prefix(s, len, i, "nan:0x")) {
        uint64_t payload;
        if (!parse_magnitude(s + i + 4, len - i - 4, &payload))
            return false;
        if (payload == 0 || payload >= (UINT64_C(1) << mant_bits))
            return false;
        *bits = sign_bit | exp_all | payload;
        return true;
    }
    *handled = false;
    return true;
}

bool wat_parse_f32(const char *s, uint32_t len, uint32_t *out) {
    if (wat_num_class(s, len) == NUM_NONE)
        return false;
    uint64_t bits;
    bool handled;
    if (!parse_special(s, len, 23, &bits, &handled))
        return false;
    if (handled) {
        *out = (uint32_t)bits;
        return true;
    }
    char buf[256];
    char *c = clean_copy(s, len, buf, sizeof buf);
    if (!c)
        return false;
    errno = 0;
    float f = strtof(c, NULL);
    if (c != buf)
        mem_free(c);
    if (isinf(f))
        return false;
    memcpy(out, &f, 4);
    return true;
}

bool wat_parse_f64(const char *s, uint32_t len, uint64_t *out) {
    if (wat_num_class(s, len) == NUM_NONE)
        return false;
    uint64_t bits;
    bool handled;
    if (!parse_special(s, len, 52, &bits, &handled))
        return false;
    if (handled) {
        *out = bits;
        return true;
    }
    char buf[256];
    char *c = clean_copy(s, len, buf, sizeof buf);
    if (!c)
        return false;
    double d = strtod(c, NULL);
    if (c != buf)
        mem_free(c);
    if (isinf(d))
        return false;
    memcpy(out, &d, 8);
    return true;
}
