/* Canonical ABI strings: lifting in utf8, utf16 and latin1+utf16 (validated),
 * and lowering with every transcoding direction following the spec's
 * allocation strategy exactly (spec: store_string_into_range and its
 * helpers: which realloc calls happen with which sizes is observable).
 * A string lifted for another component keeps its source encoding; when the
 * source memory never moves (guarded), its bytes are referenced in place
 * instead of copied, so multi-gigabyte strings cost no copy. */
#include <string.h>

#include "cabi.h"

#define MAX_STRING_BYTES 0x7fffffffu

typedef enum Simple { S_UTF8, S_UTF16, S_LATIN1 } Simple;

/* ---- Validation ---------------------------------------------------------------------- */

static uint32_t utf8_seq_len(uint8_t b) {
    return b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
}

/* Trap with Rust's wording (wasmtime reports str::from_utf8 errors). */
static Err check_utf8(CabiCx *cx, const uint8_t *s, uint64_t len) {
    uint64_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(s + i, (size_t)(len - i), &cp);
        if (n) {
            i += n;
            continue;
        }
        uint32_t want = utf8_seq_len(s[i]);
        if (want && i + want > len) {
            /* incomplete only if every byte present could continue it */
            size_t have = (size_t)(len - i);
            uint8_t buf[4] = {s[i], 0x80, 0x80, 0x80};
            memcpy(buf, s + i, have);
            if (utf8_decode(buf, want, &cp))
                return cabi_trapf(cx, "incomplete utf-8 byte sequence from index %llu",
                                  (unsigned long long)i);
        }
        return cabi_trapf(cx, "invalid utf-8 sequence of 1 bytes from index %llu",
                          (unsigned long long)i);
    }
    return OK;
}

static uint16_t rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}

static Err check_utf16(CabiCx *cx, const uint8_t *s, uint64_t units) {
    for (uint64_t i = 0; i < units; i++) {
        uint16_t u = rd16(s + 2 * i);
        if (u < 0xd800 || u > 0xdfff)
            continue;
        if (u > 0xdbff || i + 1 >= units)
            return cabi_fault(cx, CF_UTF16);
        uint16_t lo = rd16(s + 2 * (i + 1));
        if (lo < 0xdc00 || lo > 0xdfff)
            return cabi_fault(cx, CF_UTF16);
        i++;
    }
    return OK;
}

/* ---- Code points of a source string ----------------------------------------------------- */

typedef struct Src {
    const uint8_t *p;
    uint64_t len; /* bytes */
    Simple enc;
    uint64_t i;   /* byte position */
} Src;

static uint32_t src_next(Src *s) {
    uint32_t cp = 0;
    switch (s->enc) {
    case S_LATIN1:
        return s->p[s->i++];
    case S_UTF16: {
        uint16_t u = rd16(s->p + s->i);
        s->i += 2;
        if (u >= 0xd800 && u <= 0xdbff) {
            uint16_t lo = rd16(s->p + s->i);
            s->i += 2;
            return 0x10000 + (((uint32_t)u - 0xd800) << 10) + (lo - 0xdc00u);
        }
        return u;
    }
    default:
        s->i += utf8_decode(s->p + s->i, (size_t)(s->len - s->i), &cp);
        return cp;
    }
}

static bool src_done(const Src *s) {
    return s->i >= s->len;
}

/* Encode a whole source string as UTF-8 / UTF-16LE into dst (which has room). */
static uint64_t encode_utf8(Src s, uint8_t *dst) {
    uint64_t n = 0;
    while (!src_done(&s)) {
        uint8_t b[4];
        size_t k = utf8_encode(src_next(&s), b);
        memcpy(dst + n, b, k);
        n += k;
    }
    return n;
}

static uint64_t utf8_len(Src s) {
    uint64_t n = 0;
    while (!src_done(&s)) {
        uint32_t cp = src_next(&s);
        n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    return n;
}

static void put16(uint8_t *p, uint32_t u) {
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
}

static uint64_t encode_utf16(Src s, uint8_t *dst) {
    uint64_t n = 0;
    while (!src_done(&s)) {
        uint32_t cp = src_next(&s);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put16(dst + n, 0xd800 + (cp >> 10));
            put16(dst + n + 2, 0xdc00 + (cp & 0x3ff));
            n += 4;
        } else {
            put16(dst + n, cp);
            n += 2;
        }
    }
    return n;
}

/* ---- Lifting --------------------------------------------------------------------------- */

static Err lift_to_utf8(CabiCx *cx, Src s, CompValue *out) {
    uint64_t n = s.enc == S_UTF8 ? s.len : utf8_len(s);
    uint8_t *dst = arena_alloc(cx->arena, n ? n : 1);
    if (!dst)
        return FAIL_NOMEM(cx->diag);
    if (s.enc == S_UTF8)
        memcpy(dst, s.p, n);
    else
        encode_utf8(s, dst);
    out->kind = CVT_STRING;
    out->str = (CompString){dst, (uint32_t)n, COMP_STR_UTF8};
    return OK;
}

Err cabi_lift_string(CabiCx *cx, uint32_t ptr, uint32_t tagged, CompValue *out) {
    uint8_t enc = cx->opts->string_encoding;
    uint32_t align = enc == COMP_STR_UTF8 ? 1 : 2;
    Simple simple = enc == COMP_STR_UTF8 ? S_UTF8 : S_UTF16;
    uint64_t bytes = enc == COMP_STR_UTF8 ? tagged : 2 * (uint64_t)tagged;
    if (enc == COMP_STR_LATIN1_UTF16) {
        bool utf16 = tagged & COMP_UTF16_TAG;
        simple = utf16 ? S_UTF16 : S_LATIN1;
        bytes = utf16 ? 2 * (uint64_t)(tagged ^ COMP_UTF16_TAG) : tagged;
    }
    TRY(cabi_check_range(cx, ptr, bytes, align, CF_STRING_ALIGN, CF_STRING_BOUNDS));
    if (bytes > MAX_STRING_BYTES)
        return cabi_fault(cx, CF_STRING_TOO_LONG);
    const uint8_t *p = cabi_mem(cx) + ptr;
    if (simple == S_UTF8)
        TRY(check_utf8(cx, p, bytes));
    else if (simple == S_UTF16)
        TRY(check_utf16(cx, p, bytes / 2));
    Src s = {p, bytes, simple, 0};
    if (!cx->keep_encoding)
        return lift_to_utf8(cx, s, out);
    if (!cx->opts->memory->guarded) {
        uint8_t *copy = arena_memdup(cx->arena, p, bytes ? bytes : 1);
        if (!copy)
            return FAIL_NOMEM(cx->diag);
        p = copy;
    }
    out->kind = CVT_STRING;
    out->str = (CompString){p, tagged, enc};
    return OK;
}

/* ---- Lowering (spec: store_string_into_range) ------------------------------------------ */

typedef struct Dst {
    uint32_t ptr, units;
} Dst;

static Err realloc_checked(CabiCx *cx, uint32_t old, uint32_t old_size, uint32_t align,
                           uint64_t size, bool check_align, uint32_t *out) {
    uint32_t ptr;
    TRY(cabi_realloc(cx, old, old_size, align, (uint32_t)size, &ptr));
    TRY(cabi_check_range(cx, ptr, size, check_align ? align : 1, CF_REALLOC_ALIGN,
                         CF_REALLOC_STRING_BOUNDS));
    *out = ptr;
    return OK;
}

static Err store_copy(CabiCx *cx, Src s, uint32_t units, uint32_t unit_size, uint32_t align,
                      Simple dst_enc, Dst *out) {
    uint64_t bytes = (uint64_t)unit_size * units;
    if (bytes > MAX_STRING_BYTES)
        return cabi_fault(cx, CF_STRING_TOO_LONG);
    uint32_t ptr;
    TRY(realloc_checked(cx, 0, 0, align, bytes, true, &ptr));
    uint8_t *dst = cabi_mem(cx) + ptr;
    if (dst_enc == S_UTF16 && s.enc != S_UTF16)
        encode_utf16(s, dst);
    else
        memmove(dst, s.p, bytes);
    *out = (Dst){ptr, units};
    return OK;
}

static Err store_to_utf8(CabiCx *cx, Src s, uint32_t units, uint64_t worst, Dst *out) {
    uint32_t ptr;
    TRY(realloc_checked(cx, 0, 0, 1, units, false, &ptr));
    for (uint32_t i = 0; !src_done(&s); i++) {
        uint64_t at = s.i;
        uint32_t cp = src_next(&s);
        if (cp < 0x80) {
            cabi_mem(cx)[ptr + i] = (uint8_t)cp;
            continue;
        }
        if (worst > MAX_STRING_BYTES)
            return cabi_fault(cx, CF_STRING_TOO_LONG);
        TRY(realloc_checked(cx, ptr, units, 1, worst, false, &ptr));
        Src rest = s;
        rest.i = at;
        uint64_t n = i + encode_utf8(rest, cabi_mem(cx) + ptr + i);
        if (worst > n)
            TRY(realloc_checked(cx, ptr, (uint32_t)worst, 1, n, false, &ptr));
        *out = (Dst){ptr, (uint32_t)n};
        return OK;
    }
    *out = (Dst){ptr, units};
    return OK;
}

static Err store_utf8_to_utf16(CabiCx *cx, Src s, uint32_t units, Dst *out) {
    uint64_t worst = 2 * (uint64_t)units;
    if (worst > MAX_STRING_BYTES)
        return cabi_fault(cx, CF_STRING_TOO_LONG);
    uint32_t ptr;
    TRY(realloc_checked(cx, 0, 0, 2, worst, true, &ptr));
    uint64_t n = encode_utf16(s, cabi_mem(cx) + ptr);
    if (n < worst)
        TRY(realloc_checked(cx, ptr, (uint32_t)worst, 2, n, true, &ptr));
    *out = (Dst){ptr, (uint32_t)(n / 2)};
    return OK;
}

static Err inflate_to_utf16(CabiCx *cx, Src s, uint64_t at, uint32_t units, uint32_t *ptr,
                            uint32_t done, Dst *out) {
    uint64_t worst = 2 * (uint64_t)units;
    if (worst > MAX_STRING_BYTES)
        return cabi_fault(cx, CF_STRING_TOO_LONG);
    TRY(realloc_checked(cx, *ptr, units, 2, worst, true, ptr));
    uint8_t *m = cabi_mem(cx) + *ptr;
    for (uint32_t j = done; j-- > 0;) {
        m[2 * j] = m[j];
        m[2 * j + 1] = 0;
    }
    Src rest = s;
    rest.i = at;
    uint64_t n = 2 * (uint64_t)done + encode_utf16(rest, m + 2 * (uint64_t)done);
    if (worst > n)
        TRY(realloc_checked(cx, *ptr, (uint32_t)worst, 2, n, true, ptr));
    *out = (Dst){*ptr, (uint32_t)(n / 2) | COMP_UTF16_TAG};
    return OK;
}

static Err store_to_latin1_or_utf16(CabiCx *cx, Src s, uint32_t units, Dst *out) {
    uint32_t ptr, done = 0;
    TRY(realloc_checked(cx, 0, 0, 2, units, true, &ptr));
    while (!src_done(&s)) {
        uint64_t at = s.i;
        uint32_t cp = src_next(&s);
        if (cp < 0x100) {
            cabi_mem(cx)[ptr + done++] = (uint8_t)cp;
            continue;
        }
        return inflate_to_utf16(cx, s, at, units, &ptr, done, out);
    }
    if (done < units)
        TRY(realloc_checked(cx, ptr, units, 2, done, true, &ptr));
    *out = (Dst){ptr, done};
    return OK;
}

static Err store_probably_utf16(CabiCx *cx, Src s, uint32_t units, Dst *out) {
    uint64_t bytes = 2 * (uint64_t)units;
    if (bytes > MAX_STRING_BYTES)
        return cabi_fault(cx, CF_STRING_TOO_LONG);
    uint32_t ptr;
    TRY(realloc_checked(cx, 0, 0, 2, bytes, true, &ptr));
    uint8_t *m = cabi_mem(cx) + ptr;
    memmove(m, s.p, bytes);
    bool wide = false;
    for (Src t = s; !src_done(&t) && !wide;)
        wide = src_next(&t) >= 0x100;
    if (wide) {
        *out = (Dst){ptr, units | COMP_UTF16_TAG};
        return OK;
    }
    for (uint32_t i = 0; i < units; i++)
        m[i] = m[2 * i];
    /* Shrinking keeps the buffer's alignment of 2 and checks it, as wasmtime's
     * strings.wast expects ("unaligned pointer"); definitions.py passes 1. */
    TRY(realloc_checked(cx, ptr, (uint32_t)bytes, 2, units, true, &ptr));
    *out = (Dst){ptr, units};
    return OK;
}

/* The source as (code points, simple encoding, code units). */
static void source_of(const CompString *str, Src *s, uint32_t *units) {
    uint32_t tagged = str->tagged_units;
    switch (str->encoding) {
    case COMP_STR_UTF16:
        *s = (Src){str->bytes, 2 * (uint64_t)tagged, S_UTF16, 0};
        *units = tagged;
        return;
    case COMP_STR_LATIN1_UTF16:
        if (tagged & COMP_UTF16_TAG) {
            *units = tagged ^ COMP_UTF16_TAG;
            *s = (Src){str->bytes, 2 * (uint64_t)*units, S_UTF16, 0};
        } else {
            *units = tagged;
            *s = (Src){str->bytes, tagged, S_LATIN1, 0};
        }
        return;
    default:
        *s = (Src){str->bytes, tagged, S_UTF8, 0};
        *units = tagged;
        return;
    }
}

Err cabi_lower_string(CabiCx *cx, const CompValue *v, uint32_t *out_ptr, uint32_t *out_units) {
    Src s;
    uint32_t units;
    source_of(&v->str, &s, &units);
    Dst d = {0, 0};
    Err err;
    switch (cx->opts->string_encoding) {
    case COMP_STR_UTF8:
        if (s.enc == S_UTF8)
            err = store_copy(cx, s, units, 1, 1, S_UTF8, &d);
        else
            err = store_to_utf8(cx, s, units, (uint64_t)units * (s.enc == S_UTF16 ? 3 : 2), &d);
        break;
    case COMP_STR_UTF16:
        if (s.enc == S_UTF8)
            err = store_utf8_to_utf16(cx, s, units, &d);
        else
            err = store_copy(cx, s, units, 2, 2, S_UTF16, &d);
        break;
    default:
        if (v->str.encoding != COMP_STR_LATIN1_UTF16)
            err = store_to_latin1_or_utf16(cx, s, units, &d);
        else if (s.enc == S_LATIN1)
            err = store_copy(cx, s, units, 1, 2, S_LATIN1, &d);
        else
            err = store_probably_utf16(cx, s, units, &d);
        break;
    }
    TRY(err);
    *out_ptr = d.ptr;
    *out_units = d.units;
    return OK;
}
