/* The dynamic value API: constructors, type checks, equality, deep copy and
 * WAVE printing of CompValue trees (see comp_value.h). Strings may carry any
 * canonical-ABI encoding; everything here compares and prints them by their
 * code points. */
#include "comp_value.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- Constructors ----------------------------------------------------------------------- */

Err comp_val_string(Arena *arena, const char *utf8, uint32_t len, CompValue *out, Diag *diag) {
    if (!utf8_valid((const uint8_t *)utf8, len))
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "string is not valid UTF-8");
    uint8_t *copy = arena_memdup(arena, utf8, len ? len : 1);
    if (!copy)
        return FAIL_NOMEM(diag);
    *out = (CompValue){.kind = CVT_STRING, .str = {copy, len, COMP_STR_UTF8}};
    return OK;
}

Err comp_val_items(Arena *arena, CompValKind kind, uint32_t n, CompValue *out, Diag *diag) {
    CompValue *items = n ? arena_calloc(arena, n, sizeof *items) : NULL;
    if (n && !items)
        return FAIL_NOMEM(diag);
    *out = (CompValue){.kind = (uint8_t)kind, .n = n, .items = items};
    return OK;
}

Err comp_val_case(Arena *arena, CompValKind kind, uint32_t index, const CompValue *payload,
                  CompValue *out, Diag *diag) {
    CompValue *p = NULL;
    if (payload) {
        p = arena_memdup(arena, payload, sizeof *payload);
        if (!p)
            return FAIL_NOMEM(diag);
    }
    *out = (CompValue){.kind = (uint8_t)kind, .var = {index, p}};
    return OK;
}

Err comp_val_flags(Arena *arena, uint32_t n, CompValue *out, Diag *diag) {
    uint32_t words = (n + 31) / 32;
    uint32_t *f = words ? arena_calloc(arena, words, sizeof *f) : NULL;
    if (words && !f)
        return FAIL_NOMEM(diag);
    *out = (CompValue){.kind = CVT_FLAGS, .n = n, .flags = f};
    return OK;
}

/* ---- Code points ------------------------------------------------------------------------- */

typedef struct Cursor {
    const uint8_t *p;
    uint64_t len, i;
    int enc; /* 0 utf8, 1 utf16, 2 latin1 */
} Cursor;

static Cursor cursor_of(const CompString *s) {
    uint32_t t = s->tagged_units;
    if (s->encoding == COMP_STR_UTF16)
        return (Cursor){s->bytes, 2 * (uint64_t)t, 0, 1};
    if (s->encoding == COMP_STR_LATIN1_UTF16)
        return t & COMP_UTF16_TAG ? (Cursor){s->bytes, 2 * (uint64_t)(t ^ COMP_UTF16_TAG), 0, 1}
                                  : (Cursor){s->bytes, t, 0, 2};
    return (Cursor){s->bytes, t, 0, 0};
}

/* Next code point; the string was validated when made or lifted. */
static uint32_t cursor_next(Cursor *c) {
    uint32_t cp = 0xfffd;
    if (c->enc == 2)
        return c->p[c->i++];
    if (c->enc == 1) {
        uint32_t u = (uint32_t)(c->p[c->i] | c->p[c->i + 1] << 8);
        c->i += 2;
        if (u >= 0xd800 && u <= 0xdbff && c->i + 2 <= c->len) {
            uint32_t lo = (uint32_t)(c->p[c->i] | c->p[c->i + 1] << 8);
            c->i += 2;
            return 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        return u;
    }
    size_t n = utf8_decode(c->p + c->i, (size_t)(c->len - c->i), &cp);
    c->i += n ? n : 1;
    return n ? cp : 0xfffd;
}

Err comp_val_string_utf8(const CompValue *v, Arena *arena, const char **out_ptr,
                         uint32_t *out_len, Diag *diag) {
    if (v->str.encoding == COMP_STR_UTF8) {
        *out_ptr = (const char *)v->str.bytes;
        *out_len = v->str.tagged_units;
        return OK;
    }
    uint64_t n = 0;
    for (Cursor c = cursor_of(&v->str); c.i < c.len;) {
        uint8_t b[4];
        n += utf8_encode(cursor_next(&c), b);
    }
    uint8_t *dst = arena_alloc(arena, n ? n : 1);
    if (!dst)
        return FAIL_NOMEM(diag);
    uint64_t at = 0;
    for (Cursor c = cursor_of(&v->str); c.i < c.len;)
        at += utf8_encode(cursor_next(&c), dst + at);
    *out_ptr = (const char *)dst;
    *out_len = (uint32_t)n;
    return OK;
}

static bool strings_equal(const CompString *a, const CompString *b) {
    Cursor x = cursor_of(a), y = cursor_of(b);
    while (x.i < x.len && y.i < y.len)
        if (cursor_next(&x) != cursor_next(&y))
            return false;
    return x.i >= x.len && y.i >= y.len;
}

/* ---- Checking ---------------------------------------------------------------------------- */

static bool mismatch(Diag *diag, const CompValType *t, const CompValue *v) {
    FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "type mismatch: expected %s, found %s",
         comp_valkind_name(t->kind), comp_valkind_name(v->kind));
    return false;
}

static bool int_in_range(const CompValue *v, const CompValType *t) {
    switch (t->kind) {
    case CVT_S8: return v->s >= INT8_MIN && v->s <= INT8_MAX;
    case CVT_S16: return v->s >= INT16_MIN && v->s <= INT16_MAX;
    case CVT_S32: return v->s >= INT32_MIN && v->s <= INT32_MAX;
    case CVT_U8: return v->u <= UINT8_MAX;
    case CVT_U16: return v->u <= UINT16_MAX;
    case CVT_U32: return v->u <= UINT32_MAX;
    default: return true;
    }
}

static bool check_items(const CompValue *v, const CompValType *t, Diag *diag) {
    uint32_t n = t->kind == CVT_LIST || t->kind == CVT_MAP ? v->n : t->n;
    if (v->n != n)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "%s value has %u items, type has %u",
                    comp_valkind_name(t->kind), v->n, n),
               false;
    for (uint32_t i = 0; i < v->n; i++) {
        const CompValue *it = &v->items[i];
        bool ok;
        if (t->kind == CVT_MAP) {
            ok = it->kind == CVT_TUPLE && it->n == 2 &&
                 comp_value_check(&it->items[0], t->map.key, diag) &&
                 comp_value_check(&it->items[1], t->map.value, diag);
        } else {
            const CompValType *et = t->kind == CVT_LIST || t->kind == CVT_FIXED_LIST
                                        ? t->elem
                                        : comp_field_type(t, i);
            ok = comp_value_check(it, et, diag);
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool check_case(const CompValue *v, const CompValType *t, Diag *diag) {
    uint32_t n = comp_case_count(t);
    if (v->var.index >= n)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "case index %u out of range for %s",
                    v->var.index, comp_valkind_name(t->kind)),
               false;
    const CompValType *ct = comp_case_type(t, v->var.index);
    if (!ct)
        return true;
    if (!v->var.payload)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "case %u needs a payload", v->var.index),
               false;
    return comp_value_check(v->var.payload, ct, diag);
}

bool comp_value_check(const CompValue *v, const CompValType *t, Diag *diag) {
    if (v->kind != t->kind)
        return mismatch(diag, t, v);
    switch (t->kind) {
    case CVT_CHAR:
        if (v->ch >= 0x110000 || (v->ch >= 0xd800 && v->ch <= 0xdfff))
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "invalid char value"), false;
        return true;
    case CVT_STRING:
        return true;
    case CVT_LIST:
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
    case CVT_MAP:
        return check_items(v, t, diag);
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        return check_case(v, t, diag);
    case CVT_FLAGS:
        if (v->n != t->n)
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "flags value has %u labels, type has %u",
                        v->n, t->n),
                   false;
        return true;
    default:
        if (!int_in_range(v, t))
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "integer out of range for %s",
                        comp_valkind_name(t->kind)),
                   false;
        return true;
    }
}

/* ---- Equality and copy -------------------------------------------------------------------- */

static bool f32_equal(float a, float b) {
    uint32_t x, y;
    if (isnan(a) && isnan(b))
        return true;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    return x == y;
}

static bool f64_equal(double a, double b) {
    uint64_t x, y;
    if (isnan(a) && isnan(b))
        return true;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    return x == y;
}

bool comp_value_equal(const CompValue *a, const CompValue *b) {
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CVT_BOOL: return a->b == b->b;
    case CVT_F32: return f32_equal(a->f32, b->f32);
    case CVT_F64: return f64_equal(a->f64, b->f64);
    case CVT_CHAR: return a->ch == b->ch;
    case CVT_STRING: return strings_equal(&a->str, &b->str);
    case CVT_LIST:
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
    case CVT_MAP:
        if (a->n != b->n)
            return false;
        for (uint32_t i = 0; i < a->n; i++)
            if (!comp_value_equal(&a->items[i], &b->items[i]))
                return false;
        return true;
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        if (a->var.index != b->var.index || !a->var.payload != !b->var.payload)
            return false;
        return !a->var.payload || comp_value_equal(a->var.payload, b->var.payload);
    case CVT_FLAGS:
        if (a->n != b->n)
            return false;
        for (uint32_t i = 0; i < (a->n + 31) / 32; i++)
            if (a->flags[i] != b->flags[i])
                return false;
        return true;
    case CVT_OWN:
    case CVT_BORROW: return a->res.type == b->res.type && a->res.rep == b->res.rep;
    default: return a->u == b->u;
    }
}

Err comp_value_copy(Arena *arena, const CompValue *v, CompValue *out, Diag *diag) {
    *out = *v;
    switch (v->kind) {
    case CVT_STRING: {
        const char *p;
        uint32_t len;
        TRY(comp_val_string_utf8(v, arena, &p, &len, diag));
        return comp_val_string(arena, p, len, out, diag);
    }
    case CVT_LIST:
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
    case CVT_MAP:
        TRY(comp_val_items(arena, v->kind, v->n, out, diag));
        for (uint32_t i = 0; i < v->n; i++)
            TRY(comp_value_copy(arena, &v->items[i], &out->items[i], diag));
        return OK;
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        if (!v->var.payload)
            return OK;
        out->var.payload = arena_calloc(arena, 1, sizeof *out->var.payload);
        if (!out->var.payload)
            return FAIL_NOMEM(diag);
        return comp_value_copy(arena, v->var.payload, out->var.payload, diag);
    case CVT_FLAGS:
        TRY(comp_val_flags(arena, v->n, out, diag));
        if (v->n)
            memcpy(out->flags, v->flags, (v->n + 31) / 32 * sizeof *v->flags);
        return OK;
    default:
        return OK;
    }
}

/* ---- WAVE printing -------------------------------------------------------------------------- */

typedef struct Out {
    char *buf;
    size_t size, len;
} Out;

static void emit(Out *o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->size)
            o->buf[o->len] = s[i];
    if (o->size)
        o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
}

static void emits(Out *o, const char *s) {
    emit(o, s, strlen(s));
}

static void emit_char(Out *o, uint32_t cp, char quote) {
    char b[16];
    switch (cp) {
    case '\\': emits(o, "\\\\"); return;
    case '\n': emits(o, "\\n"); return;
    case '\r': emits(o, "\\r"); return;
    case '\t': emits(o, "\\t"); return;
    default: break;
    }
    if (cp == (uint32_t)quote) {
        b[0] = '\\';
        b[1] = quote;
        emit(o, b, 2);
    } else if (cp < 0x20 || cp == 0x7f) {
        emit(o, b, (size_t)snprintf(b, sizeof b, "\\u{%x}", cp));
    } else {
        emit(o, b, utf8_encode(cp, (uint8_t *)b));
    }
}

static void emit_float(Out *o, double f, bool is32) {
    char b[48];
    if (isnan(f))
        emits(o, "nan");
    else if (isinf(f))
        emits(o, f < 0 ? "-inf" : "inf");
    else
        emit(o, b, (size_t)snprintf(b, sizeof b, is32 ? "%.9g" : "%.17g", f));
}

static void print_value(Out *o, const CompValue *v, const CompValType *t);

static void print_items(Out *o, const CompValue *v, const CompValType *t) {
    bool record = t && t->kind == CVT_RECORD;
    bool list = v->kind == CVT_LIST || v->kind == CVT_FIXED_LIST || v->kind == CVT_MAP;
    emits(o, record ? "{" : list ? "[" : "(");
    for (uint32_t i = 0; i < v->n; i++) {
        if (i)
            emits(o, ", ");
        const CompValType *et = NULL;
        if (t && (t->kind == CVT_LIST || t->kind == CVT_FIXED_LIST))
            et = t->elem;
        else if (t && (t->kind == CVT_RECORD || t->kind == CVT_TUPLE))
            et = comp_field_type(t, i);
        if (record) {
            emits(o, t->fields[i].name);
            emits(o, ": ");
        }
        print_value(o, &v->items[i], et);
    }
    emits(o, record ? "}" : list ? "]" : ")");
}

static const char *case_name(const CompValue *v, const CompValType *t) {
    static const char *const opt[] = {"none", "some"}, *const res[] = {"ok", "err"};
    if (v->kind == CVT_OPTION)
        return opt[v->var.index & 1];
    if (v->kind == CVT_RESULT)
        return res[v->var.index & 1];
    if (t && t->kind == CVT_VARIANT && v->var.index < t->n)
        return t->cases[v->var.index].name;
    if (t && t->kind == CVT_ENUM && v->var.index < t->n)
        return t->labels[v->var.index];
    return NULL;
}

static void print_case(Out *o, const CompValue *v, const CompValType *t) {
    const char *name = case_name(v, t);
    char b[24];
    if (name)
        emits(o, name);
    else
        emit(o, b, (size_t)snprintf(b, sizeof b, "#%u", v->var.index));
    if (!v->var.payload)
        return;
    emits(o, "(");
    print_value(o, v->var.payload, t ? comp_case_type(t, v->var.index) : NULL);
    emits(o, ")");
}

static void print_flags(Out *o, const CompValue *v, const CompValType *t) {
    char b[24];
    bool first = true;
    emits(o, "{");
    for (uint32_t i = 0; i < v->n; i++) {
        if (!(v->flags[i / 32] >> (i % 32) & 1))
            continue;
        if (!first)
            emits(o, ", ");
        first = false;
        if (t && t->kind == CVT_FLAGS && i < t->n)
            emits(o, t->labels[i]);
        else
            emit(o, b, (size_t)snprintf(b, sizeof b, "#%u", i));
    }
    emits(o, "}");
}

static void print_value(Out *o, const CompValue *v, const CompValType *t) {
    char b[48];
    switch (v->kind) {
    case CVT_BOOL: emits(o, v->b ? "true" : "false"); return;
    case CVT_S8:
    case CVT_S16:
    case CVT_S32:
    case CVT_S64: emit(o, b, (size_t)snprintf(b, sizeof b, "%lld", (long long)v->s)); return;
    case CVT_F32: emit_float(o, v->f32, true); return;
    case CVT_F64: emit_float(o, v->f64, false); return;
    case CVT_CHAR:
        emits(o, "'");
        emit_char(o, v->ch, '\'');
        emits(o, "'");
        return;
    case CVT_STRING:
        emits(o, "\"");
        for (Cursor c = cursor_of(&v->str); c.i < c.len;)
            emit_char(o, cursor_next(&c), '"');
        emits(o, "\"");
        return;
    case CVT_LIST:
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
    case CVT_MAP: print_items(o, v, t); return;
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT: print_case(o, v, t); return;
    case CVT_FLAGS: print_flags(o, v, t); return;
    case CVT_OWN:
    case CVT_BORROW:
        emit(o, b, (size_t)snprintf(b, sizeof b, "%s<%u>", v->kind == CVT_OWN ? "own" : "borrow",
                                    v->res.rep));
        return;
    default: emit(o, b, (size_t)snprintf(b, sizeof b, "%llu", (unsigned long long)v->u)); return;
    }
}

size_t comp_value_print(const CompValue *v, const CompValType *t, char *buf, size_t size) {
    Out o = {buf, size, 0};
    if (size)
        buf[0] = 0;
    print_value(&o, v, t);
    return o.len;
}
