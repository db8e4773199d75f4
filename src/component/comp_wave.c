/* Parsing component values in the WAVE syntax (WAVE.md), driven by the
 * expected type: `true`, `-7`, `1.5`, `nan`, `-inf`, `'x'`, `"a\n"`,
 * `[1, 2]`, `(1, "a")`, `{a: 1, b: none}` (option fields may be left out),
 * `{read, write}` / `{}` for flags, `case(payload)` / `case`, `some(x)`,
 * `none`, `ok(x)`, `err`, labels optionally prefixed with `%`. Recursion
 * follows the type, whose depth the validator bounds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comp_value.h"

typedef struct Wave {
    const char *s, *end;
    const char *start;
    Arena *arena;
    Diag *diag;
} Wave;

static Err bad(Wave *w, const char *what) {
    return FAIL(w->diag, ERR_MALFORMED, (uint64_t)(w->s - w->start), "WAVE: %s", what);
}

static void blanks(Wave *w) {
    while (w->s < w->end && (*w->s == ' ' || *w->s == '\t' || *w->s == '\n' || *w->s == '\r'))
        w->s++;
}

static bool eat(Wave *w, char c) {
    blanks(w);
    if (w->s < w->end && *w->s == c) {
        w->s++;
        return true;
    }
    return false;
}

static Err expect(Wave *w, char c) {
    if (eat(w, c))
        return OK;
    char msg[32] = "expected `?`";
    msg[10] = c;
    return bad(w, msg);
}

static bool label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* A label (kebab case, optionally `%`-escaped): *out points into the text. */
static Err label(Wave *w, const char **out, size_t *out_len) {
    blanks(w);
    if (w->s < w->end && *w->s == '%')
        w->s++;
    const char *p = w->s;
    while (w->s < w->end && label_char(*w->s))
        w->s++;
    if (w->s == p)
        return bad(w, "expected a label");
    *out = p;
    *out_len = (size_t)(w->s - p);
    return OK;
}

static bool label_is(const char *l, size_t n, const char *name) {
    return strlen(name) == n && memcmp(l, name, n) == 0;
}

/* ---- Scalars ------------------------------------------------------------------------------ */

static Err number_token(Wave *w, char *buf, size_t size) {
    blanks(w);
    size_t n = 0;
    while (w->s < w->end && n + 1 < size &&
           (label_char(*w->s) || *w->s == '.' || *w->s == '+' || *w->s == '_'))
        buf[n++] = *w->s++;
    buf[n] = 0;
    return n ? OK : bad(w, "expected a number");
}

static Err integer(Wave *w, const CompValType *t, CompValue *out) {
    char buf[64], *end;
    TRY(number_token(w, buf, sizeof buf));
    bool is_signed = t->kind == CVT_S8 || t->kind == CVT_S16 || t->kind == CVT_S32 ||
                     t->kind == CVT_S64;
    static const unsigned bits[] = {[CVT_S8] = 8,   [CVT_U8] = 8,   [CVT_S16] = 16,
                                    [CVT_U16] = 16, [CVT_S32] = 32, [CVT_U32] = 32,
                                    [CVT_S64] = 64, [CVT_U64] = 64};
    unsigned n = bits[t->kind];
    out->kind = t->kind;
    if (is_signed) {
        long long v = strtoll(buf, &end, 10);
        long long lim = n == 64 ? INT64_MAX : (1LL << (n - 1)) - 1;
        if (*end || v > lim || v < -lim - 1 || (n == 64 && buf[0] != '-' && v == INT64_MAX &&
                                                strcmp(buf, "9223372036854775807") != 0))
            return bad(w, "integer out of range");
        out->s = v;
        return OK;
    }
    if (buf[0] == '-')
        return bad(w, "integer out of range");
    unsigned long long v = strtoull(buf, &end, 10);
    if (*end || (n < 64 && v >> n) || (v == UINT64_MAX && strcmp(buf, "18446744073709551615")))
        return bad(w, "integer out of range");
    out->u = v;
    return OK;
}

static Err floating(Wave *w, const CompValType *t, CompValue *out) {
    char buf[64], *end;
    TRY(number_token(w, buf, sizeof buf));
    double d;
    if (strcmp(buf, "nan") == 0)
        d = NAN;
    else if (strcmp(buf, "inf") == 0)
        d = INFINITY;
    else if (strcmp(buf, "-inf") == 0)
        d = -INFINITY;
    else if ((d = strtod(buf, &end), *end) || strchr(buf, 'n') || strchr(buf, 'x'))
        return bad(w, "malformed float");
    out->kind = t->kind;
    if (t->kind == CVT_F32)
        out->f32 = (float)d;
    else
        out->f64 = d;
    return OK;
}

/* One character of a string or char literal (after escapes) as a scalar value. */
static Err literal_char(Wave *w, uint32_t *out) {
    if (w->s >= w->end)
        return bad(w, "unterminated literal");
    if (*w->s != '\\') {
        uint32_t cp;
        size_t n = utf8_decode((const uint8_t *)w->s, (size_t)(w->end - w->s), &cp);
        if (!n)
            return bad(w, "malformed UTF-8");
        w->s += n;
        *out = cp;
        return OK;
    }
    w->s++;
    char c = w->s < w->end ? *w->s++ : 0;
    switch (c) {
    case '\\': *out = '\\'; return OK;
    case '"': *out = '"'; return OK;
    case '\'': *out = '\''; return OK;
    case 't': *out = '\t'; return OK;
    case 'n': *out = '\n'; return OK;
    case 'r': *out = '\r'; return OK;
    case 'u': break;
    default: return bad(w, "unknown escape");
    }
    if (!eat(w, '{'))
        return bad(w, "expected `{` after \\u");
    uint32_t v = 0;
    int digits = 0;
    while (w->s < w->end && *w->s != '}' && digits < 7) {
        char h = *w->s++;
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0)
            return bad(w, "bad hex digit");
        v = v * 16 + (uint32_t)d;
        digits++;
    }
    if (!eat(w, '}') || !digits || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
        return bad(w, "bad \\u{...} escape");
    *out = v;
    return OK;
}

static Err char_value(Wave *w, CompValue *out) {
    TRY(expect(w, '\''));
    uint32_t cp;
    TRY(literal_char(w, &cp));
    if (w->s >= w->end || *w->s != '\'')
        return bad(w, "expected `'`");
    w->s++;
    *out = comp_val_char(cp);
    return OK;
}

static Err string_value(Wave *w, CompValue *out) {
    TRY(expect(w, '"'));
    ByteBuf b;
    buf_init(&b);
    Err err = OK;
    while (err == OK && (w->s >= w->end || *w->s != '"')) {
        uint32_t cp;
        err = literal_char(w, &cp);
        uint8_t enc[4];
        if (err == OK)
            buf_bytes(&b, enc, utf8_encode(cp, enc));
    }
    if (err == OK)
        w->s++;
    if (err == OK && b.failed)
        err = FAIL_NOMEM(w->diag);
    if (err == OK)
        err = comp_val_string(w->arena, b.len ? (const char *)b.data : "", (uint32_t)b.len, out,
                              w->diag);
    buf_fini(&b);
    return err;
}

/* ---- Compound values -------------------------------------------------------------------------- */

static Err value(Wave *w, const CompValType *t, CompValue *out);

/* `[a, b]` or `(a, b)` items of a list (elem) or tuple. */
static Err items(Wave *w, const CompValType *t, char open, char close, CompValue *out) {
    TRY(expect(w, open));
    VEC(CompValue) vs = {0};
    Err err = OK;
    while (err == OK && !eat(w, close)) {
        uint32_t i = (uint32_t)vs.len;
        const CompValType *et = t->kind == CVT_TUPLE ? (i < t->n ? t->elems[i] : NULL) : t->elem;
        CompValue v;
        err = et ? value(w, et, &v) : bad(w, "too many tuple items");
        if (err == OK && !VEC_PUSH(&vs, v))
            err = FAIL_NOMEM(w->diag);
        if (err == OK && !eat(w, ',') && !(blanks(w), w->s < w->end && *w->s == close))
            err = bad(w, "expected `,`");
    }
    if (err == OK && (t->kind == CVT_TUPLE || t->kind == CVT_FIXED_LIST) && vs.len != t->n)
        err = bad(w, "wrong number of items");
    if (err == OK)
        err = comp_val_items(w->arena, (CompValKind)t->kind, (uint32_t)vs.len, out, w->diag);
    if (err == OK && vs.len)
        memcpy(out->items, vs.data, vs.len * sizeof(CompValue));
    VEC_FREE(&vs);
    return err;
}

static Err record(Wave *w, const CompValType *t, CompValue *out) {
    TRY(expect(w, '{'));
    TRY(comp_val_items(w->arena, CVT_RECORD, t->n, out, w->diag));
    bool *seen = arena_calloc(w->arena, t->n, sizeof(bool));
    if (!seen)
        return FAIL_NOMEM(w->diag);
    if (eat(w, ':'))
        return expect(w, '}');
    while (!eat(w, '}')) {
        const char *l;
        size_t n;
        TRY(label(w, &l, &n));
        uint32_t i = 0;
        while (i < t->n && !label_is(l, n, t->fields[i].name))
            i++;
        if (i == t->n || seen[i])
            return bad(w, i == t->n ? "unknown field" : "duplicate field");
        seen[i] = true;
        TRY(expect(w, ':'));
        TRY(value(w, t->fields[i].type, &out->items[i]));
        if (!eat(w, ',') && !(blanks(w), w->s < w->end && *w->s == '}'))
            return bad(w, "expected `,`");
    }
    for (uint32_t i = 0; i < t->n; i++) {
        if (seen[i])
            continue;
        if (t->fields[i].type->kind != CVT_OPTION)
            return bad(w, "missing field");
        out->items[i].kind = CVT_OPTION; /* none */
    }
    return OK;
}

static Err flags(Wave *w, const CompValType *t, CompValue *out) {
    TRY(expect(w, '{'));
    TRY(comp_val_flags(w->arena, t->n, out, w->diag));
    while (!eat(w, '}')) {
        const char *l;
        size_t n;
        TRY(label(w, &l, &n));
        uint32_t i = 0;
        while (i < t->n && !label_is(l, n, t->labels[i]))
            i++;
        if (i == t->n)
            return bad(w, "unknown flag");
        out->flags[i / 32] |= 1u << (i % 32);
        if (!eat(w, ',') && !(blanks(w), w->s < w->end && *w->s == '}'))
            return bad(w, "expected `,`");
    }
    return OK;
}

static const char *case_label(const CompValType *t, uint32_t i) {
    static const char *const opt[] = {"none", "some"}, *const res[] = {"ok", "err"};
    switch (t->kind) {
    case CVT_OPTION: return opt[i];
    case CVT_RESULT: return res[i];
    case CVT_ENUM: return t->labels[i];
    default: return t->cases[i].name;
    }
}

static Err variant(Wave *w, const CompValType *t, CompValue *out) {
    const char *l;
    size_t n;
    TRY(label(w, &l, &n));
    uint32_t count = comp_case_count(t), i = 0;
    while (i < count && !label_is(l, n, case_label(t, i)))
        i++;
    if (i == count)
        return bad(w, "unknown case");
    const CompValType *pt = comp_case_type(t, i);
    CompValue payload;
    if (eat(w, '(')) {
        if (!pt)
            return bad(w, "case has no payload");
        TRY(value(w, pt, &payload));
        TRY(expect(w, ')'));
    } else if (pt) {
        return bad(w, "expected `(` and a payload");
    }
    return comp_val_case(w->arena, (CompValKind)t->kind, i, pt ? &payload : NULL, out, w->diag);
}

static Err value(Wave *w, const CompValType *t, CompValue *out) {
    memset(out, 0, sizeof *out);
    blanks(w);
    switch (t->kind) {
    case CVT_BOOL: {
        const char *l;
        size_t n;
        TRY(label(w, &l, &n));
        if (!label_is(l, n, "true") && !label_is(l, n, "false"))
            return bad(w, "expected true or false");
        *out = comp_val_bool(label_is(l, n, "true"));
        return OK;
    }
    case CVT_F32:
    case CVT_F64: return floating(w, t, out);
    case CVT_CHAR: return char_value(w, out);
    case CVT_STRING: return string_value(w, out);
    case CVT_LIST:
    case CVT_FIXED_LIST: return items(w, t, '[', ']', out);
    case CVT_TUPLE: return items(w, t, '(', ')', out);
    case CVT_RECORD: return record(w, t, out);
    case CVT_FLAGS: return flags(w, t, out);
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT: return variant(w, t, out);
    default:
        if (t->kind >= CVT_S8 && t->kind <= CVT_U64)
            return integer(w, t, out);
        return bad(w, "values of this type cannot be written in WAVE");
    }
}

Err comp_value_parse(const char *text, size_t len, const CompValType *t, Arena *arena,
                     CompValue *out, Diag *diag) {
    Wave w = {text, text + len, text, arena, diag};
    TRY(value(&w, t, out));
    blanks(&w);
    return w.s == w.end ? OK : bad(&w, "unexpected text after the value");
}

Err comp_values_parse(const char *text, size_t len, const CompField *params, uint32_t n,
                      Arena *arena, CompValue *out, Diag *diag) {
    Wave w = {text, text + len, text, arena, diag};
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            TRY(expect(&w, ','));
        TRY(value(&w, params[i].type, &out[i]));
    }
    eat(&w, ',');
    blanks(&w);
    if (w.s != w.end)
        return bad(&w, n ? "too many arguments" : "the function takes no arguments");
    return OK;
}
