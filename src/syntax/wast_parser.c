/* The WAST script parser: commands, actions, values and result patterns into
 * the AST of wast.h. Text modules are parsed from the script's own tokens by
 * the WAT parser and encoded to binary right away; a module that fails keeps
 * its Diag for assert_malformed / assert_invalid; text components are
 * encoded to component binaries the same way. Forms we cannot run yet
 * (threads, stack switching) become CMD_UNSUPPORTED. */
#include <string.h>

#include "syntax.h"
#include "wat_component.h"

typedef struct WastParser {
    WatParser w; /* token cursor and error helpers only (no module) */
    Script *script;
    VEC(WastCommand) cmds;
    const Token *unsupported; /* a value form we cannot represent (component values) */
} WastParser;

static void *salloc(WastParser *sp, size_t size) {
    return arena_alloc(&sp->script->arena, size ? size : 1);
}

static Err nomem(WastParser *sp) {
    return FAIL_NOMEM(sp->w.diag);
}

static const char *id_string(WastParser *sp, const Token *id) {
    return id ? arena_strndup(&sp->script->arena, id->text, id->len) : NULL;
}

/* Concatenated strings up to ')' as bytes in the script arena (NUL-terminated). */
static Err strings(WastParser *sp, char **out, size_t *out_len) {
    ByteBuf b;
    buf_init(&b);
    WatParser *p = &sp->w;
    while (wat_peek(p)->kind == TOK_STRING) {
        Name n;
        Err err = wat_expect_string(p, &n);
        if (err != OK) {
            buf_fini(&b);
            return err;
        }
        buf_bytes(&b, n.str, n.len);
    }
    char *s = b.failed ? NULL : salloc(sp, b.len + 1);
    if (s) {
        if (b.len)
            memcpy(s, b.data, b.len);
        s[b.len] = 0;
    }
    *out = s;
    *out_len = b.len;
    buf_fini(&b);
    return s ? OK : nomem(sp);
}

/* ---- Modules ---------------------------------------------------------------- */

/* Parse and encode a text module whose fields are toks[start..end). */
static Err text_module(WastParser *sp, WastModule *wm, uint32_t start, uint32_t end) {
    Module *mod = NULL;
    Diag diag;
    diag_clear(&diag);
    Err err = wat_parse_tokens(sp->w.tl, start, end, &mod, &diag);
    ByteBuf out;
    buf_init(&out);
    if (err == OK)
        err = bin_write_module(mod, &out, &diag);
    if (err == OK && out.failed)
        err = FAIL_NOMEM(&diag);
    ir_module_delete(mod);
    if (err == ERR_NOMEM) {
        buf_fini(&out);
        return nomem(sp);
    }
    if (err != OK) {
        wm->has_error = true;
        wm->error = diag;
    } else {
        wm->bytes = salloc(sp, out.len);
        if (!wm->bytes) {
            buf_fini(&out);
            return nomem(sp);
        }
        if (out.len)
            memcpy(wm->bytes, out.data, out.len);
        wm->len = out.len;
    }
    buf_fini(&out);
    return OK;
}

/* Keep an encoding (or its error) in wm: `err` is the parse result. */
static Err keep_encoding(WastParser *sp, WastModule *wm, Err err, ByteBuf *out, Diag *diag) {
    if (err == OK && out->failed)
        err = FAIL_NOMEM(diag);
    if (err == ERR_NOMEM) {
        buf_fini(out);
        return nomem(sp);
    }
    if (err != OK) {
        wm->has_error = true;
        wm->error = *diag;
    } else {
        wm->bytes = salloc(sp, out->len);
        if (!wm->bytes) {
            buf_fini(out);
            return nomem(sp);
        }
        if (out->len)
            memcpy(wm->bytes, out->data, out->len);
        wm->len = out->len;
    }
    buf_fini(out);
    return OK;
}

/* Parse and encode a text component whose fields are toks[start..end). */
static Err text_component(WastParser *sp, WastModule *wm, uint32_t start, uint32_t end,
                          const Token *id) {
    Diag diag;
    diag_clear(&diag);
    ByteBuf out;
    buf_init(&out);
    Err err = wat_parse_component_tokens(sp->w.tl, start, end, id, &out, &diag);
    return keep_encoding(sp, wm, err, &out, &diag);
}

static Err quote_component(WastParser *sp, WastModule *wm) {
    Diag diag;
    diag_clear(&diag);
    ByteBuf out;
    buf_init(&out);
    Err err = wat_parse_component(wm->text, wm->text_len, NULL, &out, &diag);
    return keep_encoding(sp, wm, err, &out, &diag);
}

/* (module|component definition? $id? (binary|quote)? ...) at '('. */
static Err module_form(WastParser *sp, WastModule **out) {
    WatParser *p = &sp->w;
    const Token *open = wat_peek(p);
    WastModule *wm = salloc(sp, sizeof *wm);
    if (!wm)
        return nomem(sp);
    memset(wm, 0, sizeof *wm);
    wm->line = open->line;
    wm->column = open->col;
    uint32_t close = open->match;
    bool component = wat_tok_is(wat_peek_at(p, 1), "component");
    TRY(wat_expect_lpar(p));
    p->pos++; /* module / component */
    if (component)
        wm->is_component = true;
    if (wat_tok_is(wat_peek(p), "definition")) {
        p->pos++;
        wm->is_definition = true;
    }
    const Token *id;
    wat_opt_id(p, &id);
    wm->id = id_string(sp, id);
    *out = wm;
    if (wat_tok_is(wat_peek(p), "binary") || wat_tok_is(wat_peek(p), "quote")) {
        bool binary = wat_tok_is(wat_peek(p), "binary");
        p->pos++;
        char *s;
        size_t n;
        TRY(strings(sp, &s, &n));
        wm->kind = binary ? WAST_MOD_BINARY : WAST_MOD_QUOTE;
        if (binary) {
            wm->bytes = (uint8_t *)s;
            wm->len = n;
        } else {
            wm->text = s;
            wm->text_len = n;
            if (component)
                TRY(quote_component(sp, wm));
        }
        return wat_expect_rpar(p);
    }
    wm->kind = WAST_MOD_TEXT;
    if (component)
        TRY(text_component(sp, wm, p->pos, close, id));
    else
        TRY(text_module(sp, wm, p->pos, close));
    p->pos = close;
    return wat_expect_rpar(p);
}

/* ---- Values ----------------------------------------------------------------- */

static int shape_of(const Token *t) {
    static const char *const names[] = {"i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"};
    for (int i = 0; i < 6; i++)
        if (wat_tok_is(t, names[i]))
            return i;
    return -1;
}

static Err num(WastParser *sp, unsigned bits, bool is_float, uint64_t *out, uint8_t *nan) {
    WatParser *p = &sp->w;
    const Token *t = wat_peek(p);
    if (nan) {
        *nan = LANE_EXACT;
        if (wat_tok_is(t, "nan:canonical") || wat_tok_is(t, "nan:arithmetic")) {
            *nan = wat_tok_is(t, "nan:canonical") ? LANE_NAN_CANONICAL : LANE_NAN_ARITHMETIC;
            *out = 0;
            p->pos++;
            return OK;
        }
    }
    if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) == NUM_NONE)
        return wat_unexpected(p, t);
    bool ok;
    if (!is_float) {
        NumClass c = wat_num_class(t->text, t->len);
        if (c != NUM_NAT && c != NUM_INT)
            return wat_unexpected(p, t);
        ok = wat_parse_int(t->text, t->len, bits, out);
    } else if (bits == 32) {
        uint32_t f = 0;
        ok = wat_parse_f32(t->text, t->len, &f);
        *out = f;
    } else {
        ok = wat_parse_f64(t->text, t->len, out);
    }
    if (!ok)
        return wat_fail_at(p, t, "constant out of range");
    p->pos++;
    return OK;
}

static Err v128_value(WastParser *sp, WastValue *v, uint8_t lane_nan[16]) {
    static const uint8_t lanes[] = {16, 8, 4, 2, 4, 2}, bits[] = {8, 16, 32, 64, 32, 64};
    WatParser *p = &sp->w;
    int shape = shape_of(wat_peek(p));
    if (shape < 0)
        return wat_unexpected(p, wat_peek(p));
    p->pos++;
    v->kind = WV_V128;
    v->shape = (uint8_t)shape;
    bool is_float = shape >= SHAPE_F32X4;
    unsigned bytes = bits[shape] / 8;
    for (unsigned i = 0; i < lanes[shape]; i++) {
        uint64_t x;
        uint8_t nan = LANE_EXACT;
        TRY(num(sp, bits[shape], is_float, &x, lane_nan && is_float ? &nan : NULL));
        if (lane_nan)
            lane_nan[i] = nan;
        for (unsigned b = 0; b < bytes; b++)
            v->v128[i * bytes + b] = (uint8_t)(x >> (8 * b));
    }
    return OK;
}

/* ---- Component values ------------------------------------------------------- */

static const struct { const char *kw; uint8_t kind; uint8_t bits; } comp_scalars[] = {
    {"bool.const", WCV_BOOL, 1}, {"s8.const", WCV_S8, 8},    {"u8.const", WCV_U8, 8},
    {"s16.const", WCV_S16, 16},  {"u16.const", WCV_U16, 16}, {"s32.const", WCV_S32, 32},
    {"u32.const", WCV_U32, 32},  {"s64.const", WCV_S64, 64}, {"u64.const", WCV_U64, 64},
    {"f32.const", WCV_F32, 32},  {"f64.const", WCV_F64, 64}, {"char.const", WCV_CHAR, 0},
    {"str.const", WCV_STRING, 0},
};

static const struct { const char *kw; uint8_t kind; } comp_compounds[] = {
    {"list.const", WCV_LIST},     {"record.const", WCV_RECORD}, {"tuple.const", WCV_TUPLE},
    {"variant.const", WCV_VARIANT}, {"enum.const", WCV_ENUM},   {"flags.const", WCV_FLAGS},
    {"option.none", WCV_OPTION},  {"option.some", WCV_OPTION},  {"result.ok", WCV_RESULT},
    {"result.err", WCV_RESULT},
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool comp_value_keyword(const Token *t) {
    for (size_t i = 0; i < N_ELEMS(comp_scalars); i++)
        if (i < 9 || i > 10) /* f32/f64.const are core values at the top level */
            if (wat_tok_is(t, comp_scalars[i].kw))
                return true;
    for (size_t i = 0; i < N_ELEMS(comp_compounds); i++)
        if (wat_tok_is(t, comp_compounds[i].kw))
            return true;
    return false;
}

static Err comp_value(WastParser *sp, const Token *kw, WastCompValue *v);

/* A parenthesized component value: `(kw ...)`. */
static Err comp_value_form(WastParser *sp, WastCompValue *v) {
    WatParser *p = &sp->w;
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    TRY(comp_value(sp, kw, v));
    return wat_expect_rpar(p);
}

static Err comp_string(WastParser *sp, const char **out, uint32_t *out_len) {
    Name n;
    TRY(wat_expect_name(&sp->w, &n));
    char *s = arena_strndup(&sp->script->arena, n.str, n.len);
    if (!s)
        return nomem(sp);
    *out = s;
    *out_len = n.len;
    return OK;
}

static Err comp_scalar(WastParser *sp, const Token *kw, size_t i, WastCompValue *v) {
    WatParser *p = &sp->w;
    v->kind = comp_scalars[i].kind;
    if (v->kind == WCV_BOOL) {
        const Token *t = wat_peek(p);
        if (!wat_tok_is(t, "true") && !wat_tok_is(t, "false"))
            return wat_unexpected(p, t);
        v->bits = wat_tok_is(t, "true");
        p->pos++;
        return OK;
    }
    if (v->kind == WCV_STRING)
        return comp_string(sp, &v->str, &v->len);
    if (v->kind == WCV_CHAR) {
        const Token *t = wat_peek(p);
        const char *s;
        uint32_t len, cp;
        TRY(comp_string(sp, &s, &len));
        if (len == 0 || utf8_decode((const uint8_t *)s, len, &cp) != len)
            return wat_fail_at(p, t, "malformed char constant");
        v->bits = cp;
        return OK;
    }
    (void)kw;
    bool is_float = v->kind == WCV_F32 || v->kind == WCV_F64;
    return num(sp, comp_scalars[i].bits, is_float, &v->bits, NULL);
}

/* Values up to ')' into v->items. */
static Err comp_items(WastParser *sp, WastCompValue *v, bool record) {
    WatParser *p = &sp->w;
    VEC(WastCompValue) items = {0};
    VEC(const char *) names = {0};
    Err err = OK;
    while (err == OK && wat_peek(p)->kind == TOK_LPAR) {
        WastCompValue item;
        memset(&item, 0, sizeof item);
        if (record) {
            const char *name;
            uint32_t len;
            err = wat_expect_form(p, "field");
            if (err == OK)
                err = comp_string(sp, &name, &len);
            if (err == OK && !VEC_PUSH(&names, name))
                err = nomem(sp);
            const Token *kw = wat_peek(p);
            p->pos++;
            if (err == OK)
                err = comp_value(sp, kw, &item);
            if (err == OK)
                err = wat_expect_rpar(p);
        } else {
            err = comp_value_form(sp, &item);
        }
        if (err == OK && !VEC_PUSH(&items, item))
            err = nomem(sp);
    }
    if (err == OK) {
        v->n = (uint32_t)items.len;
        v->items = salloc(sp, sizeof(WastCompValue) * items.len);
        const char **nm = record ? salloc(sp, sizeof(char *) * names.len) : NULL;
        if (!v->items || (record && !nm))
            err = nomem(sp);
        else {
            if (items.len)
                memcpy(v->items, items.data, sizeof(WastCompValue) * items.len);
            if (record && names.len)
                memcpy(nm, names.data, sizeof(char *) * names.len);
            v->names = nm;
        }
    }
    VEC_FREE(&items);
    VEC_FREE(&names);
    return err;
}

static Err comp_flags(WastParser *sp, WastCompValue *v) {
    WatParser *p = &sp->w;
    VEC(const char *) names = {0};
    Err err = OK;
    while (err == OK && wat_peek(p)->kind == TOK_STRING) {
        const char *name;
        uint32_t len;
        err = comp_string(sp, &name, &len);
        if (err == OK && !VEC_PUSH(&names, name))
            err = nomem(sp);
    }
    const char **nm = err == OK ? salloc(sp, sizeof(char *) * names.len) : NULL;
    if (err == OK && !nm)
        err = nomem(sp);
    if (err == OK) {
        if (names.len)
            memcpy(nm, names.data, sizeof(char *) * names.len);
        v->names = nm;
        v->n = (uint32_t)names.len;
    }
    VEC_FREE(&names);
    return err;
}

/* One component value after its keyword `kw`, up to ')' (not consumed). */
static Err comp_value(WastParser *sp, const Token *kw, WastCompValue *v) {
    WatParser *p = &sp->w;
    memset(v, 0, sizeof *v);
    for (size_t i = 0; i < N_ELEMS(comp_scalars); i++)
        if (wat_tok_is(kw, comp_scalars[i].kw))
            return comp_scalar(sp, kw, i, v);
    size_t c = N_ELEMS(comp_compounds);
    for (size_t i = 0; i < N_ELEMS(comp_compounds); i++)
        if (wat_tok_is(kw, comp_compounds[i].kw))
            c = i;
    if (c == N_ELEMS(comp_compounds))
        return wat_unexpected(p, kw);
    v->kind = comp_compounds[c].kind;
    switch (v->kind) {
    case WCV_LIST:
    case WCV_TUPLE: return comp_items(sp, v, false);
    case WCV_RECORD: return comp_items(sp, v, true);
    case WCV_FLAGS: return comp_flags(sp, v);
    case WCV_ENUM: return comp_string(sp, &v->str, &v->len);
    case WCV_VARIANT:
        TRY(comp_string(sp, &v->str, &v->len));
        return comp_items(sp, v, false);
    case WCV_RESULT:
        v->is_err = wat_tok_is(kw, "result.err");
        return comp_items(sp, v, false);
    default: /* option */
        if (wat_tok_is(kw, "option.none"))
            return OK;
        return comp_items(sp, v, false);
    }
}

static bool ref_kind(const Token *t, int32_t *out) {
    static const struct { const char *kw; int32_t ht; } kinds[] = {
        {"ref.func", HT_FUNC},     {"ref.extern", HT_EXTERN}, {"ref.any", HT_ANY},
        {"ref.eq", HT_EQ},         {"ref.i31", HT_I31},       {"ref.struct", HT_STRUCT},
        {"ref.array", HT_ARRAY},   {"ref.exn", HT_EXN},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (wat_tok_is(t, kinds[i].kw)) {
            *out = kinds[i].ht;
            return true;
        }
    }
    return false;
}

/* One value or result pattern inside its parentheses (after the keyword).
 * `ex` is NULL for arguments. */
static Err value_body(WastParser *sp, const Token *kw, WastValue *v, WastExpect *ex) {
    WatParser *p = &sp->w;
    uint64_t x;
    uint8_t nan = LANE_EXACT;
    int32_t ht;
    memset(v, 0, sizeof *v);
    if (wat_tok_is(kw, "i32.const") || wat_tok_is(kw, "i64.const")) {
        bool is64 = wat_tok_is(kw, "i64.const");
        TRY(num(sp, is64 ? 64 : 32, false, &x, NULL));
        v->kind = is64 ? WV_I64 : WV_I32;
        if (is64)
            v->i64 = x;
        else
            v->i32 = (uint32_t)x;
    } else if (wat_tok_is(kw, "f32.const") || wat_tok_is(kw, "f64.const")) {
        bool is64 = wat_tok_is(kw, "f64.const");
        TRY(num(sp, is64 ? 64 : 32, true, &x, ex ? &nan : NULL));
        v->kind = is64 ? WV_F64 : WV_F32;
        if (is64)
            v->i64 = x;
        else
            v->i32 = (uint32_t)x;
        if (ex && nan != LANE_EXACT)
            ex->kind = nan == LANE_NAN_CANONICAL ? WE_NAN_CANONICAL : WE_NAN_ARITHMETIC;
    } else if (wat_tok_is(kw, "v128.const")) {
        TRY(v128_value(sp, v, ex ? ex->lane_nan : NULL));
    } else if (wat_tok_is(kw, "ref.null")) {
        if (wat_peek(p)->kind == TOK_RPAR) {
            if (!ex)
                return wat_unexpected(p, wat_peek(p));
            ex->kind = WE_REF_NULL_ANY;
            v->kind = WV_REF_NULL;
            return OK;
        }
        v->kind = WV_REF_NULL;
        TRY(wat_heaptype(p, &v->heap));
    } else if ((wat_tok_is(kw, "ref.extern") || wat_tok_is(kw, "ref.host")) &&
               wat_peek(p)->kind != TOK_RPAR) {
        uint32_t n;
        TRY(wat_expect_u32(p, &n));
        v->kind = wat_tok_is(kw, "ref.host") ? WV_REF_HOST : WV_REF_EXTERN;
        v->host = n;
    } else if (ex && ref_kind(kw, &ht)) {
        ex->kind = WE_REF_KIND;
        ex->ref_class = ht;
        while (wat_peek(p)->kind != TOK_RPAR && wat_peek(p)->kind != TOK_EOF)
            p->pos++;
    } else if (comp_value_keyword(kw)) {
        WastCompValue *cv = salloc(sp, sizeof *cv);
        if (!cv)
            return nomem(sp);
        TRY(comp_value(sp, kw, cv));
        v->kind = WV_COMP;
        v->comp = cv;
    } else {
        return wat_unexpected(p, kw);
    }
    return OK;
}

static Err expect_pattern(WastParser *sp, WastExpect *ex);

static Err either(WastParser *sp, WastExpect *ex) {
    WatParser *p = &sp->w;
    VEC(WastExpect) alts = {0};
    Err err = OK;
    while (err == OK && wat_peek(p)->kind == TOK_LPAR) {
        WastExpect e;
        err = expect_pattern(sp, &e);
        if (err == OK && !VEC_PUSH(&alts, e))
            err = nomem(sp);
    }
    if (err == OK) {
        ex->kind = WE_EITHER;
        ex->n_alts = (uint32_t)alts.len;
        ex->alts = salloc(sp, sizeof(WastExpect) * alts.len);
        if (!ex->alts)
            err = nomem(sp);
        else if (alts.len)
            memcpy(ex->alts, alts.data, sizeof(WastExpect) * alts.len);
    }
    VEC_FREE(&alts);
    return err;
}

static Err expect_pattern(WastParser *sp, WastExpect *ex) {
    WatParser *p = &sp->w;
    memset(ex, 0, sizeof *ex);
    ex->kind = WE_VALUE;
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    if (wat_tok_is(kw, "either"))
        TRY(either(sp, ex));
    else
        TRY(value_body(sp, kw, &ex->value, ex));
    return wat_expect_rpar(p);
}

static Err arg_value(WastParser *sp, WastValue *v) {
    WatParser *p = &sp->w;
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    TRY(value_body(sp, kw, v, NULL));
    return wat_expect_rpar(p);
}

/* ---- Actions and commands --------------------------------------------------- */

static Err action(WastParser *sp, WastAction *a) {
    WatParser *p = &sp->w;
    memset(a, 0, sizeof *a);
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    if (!wat_tok_is(kw, "invoke") && !wat_tok_is(kw, "get"))
        return wat_unexpected(p, kw);
    p->pos++;
    a->kind = wat_tok_is(kw, "invoke") ? WAST_INVOKE : WAST_GET;
    const Token *id;
    wat_opt_id(p, &id);
    a->module_id = id_string(sp, id);
    const Token *name_tok = wat_peek(p);
    Name name;
    TRY(wat_expect_string(p, &name));
    if (!utf8_valid((const uint8_t *)name.str, name.len))
        return wat_fail_at(p, name_tok, "malformed UTF-8 encoding");
    a->name = name.str;
    a->name_len = name.len;
    VEC(WastValue) args = {0};
    Err err = OK;
    while (err == OK && wat_peek(p)->kind == TOK_LPAR) {
        WastValue v;
        err = arg_value(sp, &v);
        if (err == OK && !VEC_PUSH(&args, v))
            err = nomem(sp);
    }
    if (err == OK) {
        a->n_args = (uint32_t)args.len;
        a->args = salloc(sp, sizeof(WastValue) * args.len);
        if (!a->args)
            err = nomem(sp);
        else if (args.len)
            memcpy(a->args, args.data, sizeof(WastValue) * args.len);
    }
    VEC_FREE(&args);
    TRY(err);
    return wat_expect_rpar(p);
}

static Err message(WastParser *sp, WastCommand *cmd) {
    char *s;
    size_t n;
    if (wat_peek(&sp->w)->kind != TOK_STRING)
        return wat_unexpected(&sp->w, wat_peek(&sp->w));
    TRY(strings(sp, &s, &n));
    cmd->message = s;
    return OK;
}

static Err assert_return(WastParser *sp, WastCommand *cmd) {
    WatParser *p = &sp->w;
    TRY(action(sp, &cmd->action));
    VEC(WastExpect) exps = {0};
    Err err = OK;
    while (err == OK && wat_peek(p)->kind == TOK_LPAR) {
        WastExpect e;
        err = expect_pattern(sp, &e);
        if (err == OK && !VEC_PUSH(&exps, e))
            err = nomem(sp);
    }
    if (err == OK) {
        cmd->n_expects = (uint32_t)exps.len;
        cmd->expects = salloc(sp, sizeof(WastExpect) * exps.len);
        if (!cmd->expects)
            err = nomem(sp);
        else if (exps.len)
            memcpy(cmd->expects, exps.data, sizeof(WastExpect) * exps.len);
    }
    VEC_FREE(&exps);
    return err;
}

static bool peek_module(const WatParser *p) {
    return wat_peek_form(p, "module") || wat_peek_form(p, "component");
}

/* assert_trap on an action or a module. */
static Err assert_trap(WastParser *sp, WastCommand *cmd) {
    if (peek_module(&sp->w)) {
        cmd->kind = CMD_ASSERT_TRAP_MODULE;
        TRY(module_form(sp, &cmd->module));
    } else {
        TRY(action(sp, &cmd->action));
    }
    return message(sp, cmd);
}

static Err module_assert(WastParser *sp, WastCommand *cmd) {
    if (!peek_module(&sp->w))
        return wat_unexpected(&sp->w, wat_peek(&sp->w));
    TRY(module_form(sp, &cmd->module));
    return message(sp, cmd);
}

/* (module instance $I? $M?) or (register "name" $M?) */
static Err instance_cmd(WastParser *sp, WastCommand *cmd) {
    WatParser *p = &sp->w;
    const Token *a, *b;
    wat_opt_id(p, &a);
    wat_opt_id(p, &b);
    cmd->instance_id = id_string(sp, a);
    cmd->definition_id = id_string(sp, b);
    return wat_expect_rpar(p);
}

static Err register_cmd(WastParser *sp, WastCommand *cmd) {
    WatParser *p = &sp->w;
    char *s;
    size_t n;
    if (wat_peek(p)->kind != TOK_STRING)
        return wat_unexpected(p, wat_peek(p));
    TRY(strings(sp, &s, &n));
    cmd->register_name = s;
    const Token *id;
    wat_opt_id(p, &id);
    cmd->definition_id = id_string(sp, id);
    return wat_expect_rpar(p);
}

typedef struct CmdKeyword {
    const char *kw;
    uint8_t kind;
} CmdKeyword;

static const CmdKeyword cmd_keywords[] = {
    {"register", CMD_REGISTER},
    {"invoke", CMD_ACTION},
    {"get", CMD_ACTION},
    {"assert_return", CMD_ASSERT_RETURN},
    {"assert_trap", CMD_ASSERT_TRAP},
    {"assert_exhaustion", CMD_ASSERT_EXHAUSTION},
    {"assert_exception", CMD_ASSERT_EXCEPTION},
    {"assert_malformed", CMD_ASSERT_MALFORMED},
    {"assert_invalid", CMD_ASSERT_INVALID},
    {"assert_unlinkable", CMD_ASSERT_UNLINKABLE},
    {"assert_malformed_custom", CMD_ASSERT_MALFORMED_CUSTOM},
    {"assert_invalid_custom", CMD_ASSERT_INVALID_CUSTOM},
};

/* A command after its keyword (the '(' and keyword are consumed, except
 * for actions, which re-read their own parentheses). */
static Err command_body(WastParser *sp, WastCommand *cmd, uint32_t open) {
    WatParser *p = &sp->w;
    switch (cmd->kind) {
    case CMD_REGISTER: return register_cmd(sp, cmd);
    case CMD_ACTION: p->pos = open; return action(sp, &cmd->action);
    case CMD_ASSERT_RETURN: TRY(assert_return(sp, cmd)); break;
    case CMD_ASSERT_TRAP: TRY(assert_trap(sp, cmd)); break;
    case CMD_ASSERT_EXHAUSTION: TRY(action(sp, &cmd->action)); TRY(message(sp, cmd)); break;
    case CMD_ASSERT_EXCEPTION: TRY(action(sp, &cmd->action)); break;
    default: TRY(module_assert(sp, cmd)); break;
    }
    return wat_expect_rpar(p);
}

static bool is_field_keyword(const Token *t) {
    static const char *const kws[] = {"type", "rec", "import", "func", "table", "memory",
                                      "global", "tag", "export", "start", "elem", "data"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (wat_tok_is(t, kws[i]))
            return true;
    return false;
}

/* Consecutive top-level module fields form one anonymous module. */
static Err bare_module(WastParser *sp, WastCommand *cmd) {
    WatParser *p = &sp->w;
    uint32_t start = p->pos, end = start;
    while (p->toks[end].kind == TOK_LPAR && is_field_keyword(&p->toks[end + 1]))
        end = p->toks[end].match + 1;
    WastModule *wm = salloc(sp, sizeof *wm);
    if (!wm)
        return nomem(sp);
    memset(wm, 0, sizeof *wm);
    wm->kind = WAST_MOD_TEXT;
    wm->line = cmd->line;
    wm->column = cmd->column;
    cmd->kind = CMD_MODULE;
    cmd->module = wm;
    TRY(text_module(sp, wm, start, end));
    p->pos = end;
    return OK;
}

static Err command(WastParser *sp, WastCommand *cmd) {
    WatParser *p = &sp->w;
    const Token *open = wat_peek(p);
    memset(cmd, 0, sizeof *cmd);
    cmd->line = open->line;
    cmd->column = open->col;
    if (open->kind != TOK_LPAR)
        return wat_unexpected(p, open);
    const Token *kw = wat_peek_at(p, 1);
    if ((wat_tok_is(kw, "module") || wat_tok_is(kw, "component")) &&
        wat_tok_is(wat_peek_at(p, 2), "instance")) {
        cmd->kind = CMD_INSTANCE;
        cmd->is_component = wat_tok_is(kw, "component");
        p->pos += 3;
        return instance_cmd(sp, cmd);
    }
    if (wat_tok_is(kw, "module")) {
        cmd->kind = CMD_MODULE;
        return module_form(sp, &cmd->module);
    }
    if (is_field_keyword(kw))
        return bare_module(sp, cmd);
    uint32_t start = p->pos;
    for (size_t i = 0; i < sizeof cmd_keywords / sizeof cmd_keywords[0]; i++) {
        if (wat_tok_is(kw, cmd_keywords[i].kw)) {
            cmd->kind = cmd_keywords[i].kind;
            p->pos += 2;
            return command_body(sp, cmd, start);
        }
    }
    if (kw->kind != TOK_ATOM)
        return wat_unexpected(p, kw);
    /* threads, components, stack switching, ...: skip the whole form */
    cmd->kind = CMD_UNSUPPORTED;
    if (wat_tok_is(kw, "component")) {
        cmd->kind = CMD_MODULE;
        return module_form(sp, &cmd->module);
    }
    cmd->message = arena_strndup(&sp->script->arena, kw->text, kw->len);
    if (!cmd->message)
        return nomem(sp);
    p->pos = open->match;
    return wat_expect_rpar(p);
}

static Err script_body(WastParser *sp) {
    while (wat_peek(&sp->w)->kind != TOK_EOF) {
        WastCommand cmd;
        sp->unsupported = NULL;
        TRY(command(sp, &cmd));
        if (sp->unsupported) {
            cmd.kind = CMD_UNSUPPORTED;
            cmd.message = arena_strndup(&sp->script->arena, sp->unsupported->text,
                                        sp->unsupported->len);
            if (!cmd.message)
                return nomem(sp);
        }
        if (!VEC_PUSH(&sp->cmds, cmd))
            return nomem(sp);
    }
    Script *s = sp->script;
    s->n_commands = (uint32_t)sp->cmds.len;
    s->commands = salloc(sp, sizeof(WastCommand) * sp->cmds.len);
    if (!s->commands)
        return nomem(sp);
    if (sp->cmds.len)
        memcpy(s->commands, sp->cmds.data, sizeof(WastCommand) * sp->cmds.len);
    return OK;
}

Err wast_parse_script(const char *text, size_t len, const char *filename, Script **out,
                      Diag *diag) {
    *out = NULL;
    Script *script = mem_calloc(1, sizeof *script);
    if (!script)
        return FAIL_NOMEM(diag);
    arena_init(&script->arena);
    script->filename = filename ? arena_strndup(&script->arena, filename, strlen(filename)) : NULL;
    TokenList tl = {0};
    Err err = wat_lex(text, len, &script->arena, &tl, diag);
    if (err == OK) {
        WastParser sp;
        memset(&sp, 0, sizeof sp);
        sp.w.toks = tl.toks;
        sp.w.tl = &tl;
        sp.w.diag = diag;
        sp.w.arena = &script->arena;
        sp.script = script;
        err = script_body(&sp);
        VEC_FREE(&sp.cmds);
    }
    wat_tokens_free(&tl);
    if (err != OK) {
        wast_script_delete(script);
        return err;
    }
    *out = script;
    return OK;
}

void wast_script_delete(Script *script) {
    if (!script)
        return;
    arena_fini(&script->arena);
    mem_free(script);
}
