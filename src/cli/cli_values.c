/* Values and types as text for the command: formatting results and types
 * (`wasmc run`, WAST failure messages, link errors) and parsing command-line
 * arguments by their parameter type. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


/* Nullable abstract references have short names: funcref, nullexternref, ... */


static void append_types(ByteBuf *b, const char *what, const ValType *types, uint32_t n) {
    if (!n)
        return;
    buf_printf(b, " (%s", what);
    for (uint32_t i = 0; i < n; i++) {
        char t[48];
        ir_format_valtype(types[i], t, sizeof t);
        buf_printf(b, " %s", t);
    }
    buf_str(b, ")");
}

void cli_format_func_type(const FuncType *ft, char *buf, size_t size) {
    ByteBuf b;
    buf_init(&b);
    buf_str(&b, "(func");
    append_types(&b, "param", ft->params, ft->n_params);
    append_types(&b, "result", ft->results, ft->n_results);
    buf_byte(&b, ')');
    buf_byte(&b, 0);
    snprintf(buf, size, "%s", b.failed ? "(func ?)" : (const char *)b.data);
    buf_fini(&b);
}

/* A float: "nan" for the canonical NaN (either sign: "-nan"), nan:0x... for
 * other payloads, "inf", else the shortest %g that reads back exactly. */
static void format_float(uint64_t bits, bool is64, char *buf, size_t size) {
    int mant_bits = is64 ? 52 : 23;
    uint64_t mant_mask = (1ull << mant_bits) - 1;
    uint64_t exp_mask = is64 ? 0x7ffull : 0xffull;
    bool neg = (bits >> (is64 ? 63 : 31)) & 1;
    uint64_t exp = (bits >> mant_bits) & exp_mask, mant = bits & mant_mask;
    if (exp == exp_mask && mant) {
        if (mant == 1ull << (mant_bits - 1))
            snprintf(buf, size, "%snan", neg ? "-" : "");
        else
            snprintf(buf, size, "%snan:0x%" PRIx64, neg ? "-" : "", mant);
        return;
    }
    double d;
    if (is64) {
        memcpy(&d, &bits, 8);
    } else {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, 4);
        d = f;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (is64 ? strtod(buf, NULL) == d : strtof(buf, NULL) == (float)d)
            return;
    }
}

void cli_format_value(ValType t, const ValRaw *v, char *buf, size_t size) {
    switch (t.kind) {
    case VK_I32: snprintf(buf, size, "%" PRId32, v->i32); return;
    case VK_I64: snprintf(buf, size, "%" PRId64, v->i64); return;
    case VK_F32: format_float(v->f32, false, buf, size); return;
    case VK_F64: format_float(v->f64, true, buf, size); return;
    case VK_V128: {
        /* the --invoke argument syntax, so a result can be passed back in */
        uint32_t w[4];
        memcpy(w, v->v128, 16);
        snprintf(buf, size, "i32x4:0x%08" PRIx32 ",0x%08" PRIx32 ",0x%08" PRIx32 ",0x%08" PRIx32,
                 w[0], w[1], w[2], w[3]);
        return;
    }
    case VK_REF: {
        char ty[48];
        ir_format_valtype(t, ty, sizeof ty);
        if (!v->ref)
            snprintf(buf, size, "null %s", ty);
        else
            snprintf(buf, size, "%s %p", ty, v->ref);
        return;
    }
    default: snprintf(buf, size, "?"); return;
    }
}

/* ---- Parsing arguments -------------------------------------------------------------------- */

static bool parse_int(const char *s, unsigned bits, uint64_t *out) {
    bool neg = *s == '-';
    const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
    if (*digits < '0' || *digits > '9')
        return false;
    bool hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
    if (errno || *end)
        return false;
    uint64_t limit = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
    if (!neg) {
        if (v > limit)
            return false;
        *out = v;
        return true;
    }
    if (v > (1ull << (bits - 1)))
        return false;
    *out = (uint64_t)0 - v;
    return true;
}

/* nan:0xPAYLOAD (optionally signed) as raw bits. */
static bool parse_nan_payload(const char *s, bool is64, uint64_t *out) {
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (strncmp(s, "nan:0x", 6) != 0)
        return false;
    char *end;
    errno = 0;
    unsigned long long payload = strtoull(s + 6, &end, 16);
    int mant_bits = is64 ? 52 : 23;
    if (errno || *end || payload == 0 || payload >> mant_bits)
        return false;
    uint64_t exp = is64 ? 0x7ffull << 52 : 0xffull << 23;
    *out = exp | payload | ((uint64_t)neg << (is64 ? 63 : 31));
    return true;
}

static bool parse_float(const char *s, bool is64, ValRaw *out) {
    uint64_t bits;
    if (parse_nan_payload(s, is64, &bits)) {
        if (is64)
            out->f64 = bits;
        else
            out->f32 = (uint32_t)bits;
        return true;
    }
    char *end;
    if (is64) {
        double d = strtod(s, &end);
        memcpy(&out->f64, &d, 8);
    } else {
        float f = strtof(s, &end);
        memcpy(&out->f32, &f, 4);
    }
    return *s && !*end;
}

/* v128 as SHAPE:LANE,LANE,... with SHAPE one of i8x16 i16x8 i32x4 i64x2
 * f32x4 f64x2 and exactly its number of lanes, each as an integer or float
 * argument of the lane's width (lane 0 first, e.g. i32x4:1,-2,0x3,4). */
static bool parse_v128(const char *s, ValRaw *out) {
    static const struct {
        const char *name;
        unsigned lanes;
        bool is_float;
    } shapes[] = {{"i8x16:", 16, false}, {"i16x8:", 8, false}, {"i32x4:", 4, false},
                  {"i64x2:", 2, false},  {"f32x4:", 4, true},  {"f64x2:", 2, true}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t n = strlen(shapes[k].name);
        if (strncmp(s, shapes[k].name, n) != 0)
            continue;
        unsigned lanes = shapes[k].lanes, width = 16 / lanes;
        const char *p = s + n;
        for (unsigned i = 0; i < lanes; i++) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if ((comma != NULL) != (i + 1 < lanes) || len == 0 || len >= 64)
                return false;
            char lane[64];
            memcpy(lane, p, len);
            lane[len] = 0;
            ValRaw v;
            uint64_t bits;
            if (shapes[k].is_float) {
                if (!parse_float(lane, width == 8, &v))
                    return false;
                bits = width == 8 ? v.f64 : v.f32;
            } else if (!parse_int(lane, width * 8, &bits)) {
                return false;
            }
            memcpy(out->v128 + i * width, &bits, width); /* little-endian lanes */
            p += len + (comma ? 1 : 0);
        }
        return true;
    }
    return false;
}

bool cli_parse_value(const char *s, ValType t, ValRaw *out) {
    memset(out, 0, sizeof *out);
    uint64_t v;
    switch (t.kind) {
    case VK_I32:
        if (!parse_int(s, 32, &v))
            return false;
        out->i32 = (int32_t)(uint32_t)v;
        return true;
    case VK_I64:
        if (!parse_int(s, 64, &v))
            return false;
        out->i64 = (int64_t)v;
        return true;
    case VK_F32: return parse_float(s, false, out);
    case VK_F64: return parse_float(s, true, out);
    case VK_V128: return parse_v128(s, out);
    case VK_REF:
        out->ref = NULL;
        return strcmp(s, "null") == 0;
    default: return false;
    }
}
