/* Component text format, types: value types (compound inline ones become
 * anonymous type definitions placed before their user), defined types,
 * function/component/instance/resource types, core function and module
 * types, extern descriptions and type uses. Encodings per Binary.md. */
#include "wat_component.h"

#include <string.h>

uint32_t cwat_sort_bytes(CNs ns, uint8_t out[2]) {
    static const uint8_t core_sort[] = {
        [CNS_CORE_FUNC] = 0x00,     [CNS_CORE_TABLE] = 0x01, [CNS_CORE_MEMORY] = 0x02,
        [CNS_CORE_GLOBAL] = 0x03,   [CNS_CORE_TAG] = 0x04,   [CNS_CORE_TYPE] = 0x10,
        [CNS_CORE_MODULE] = 0x11,   [CNS_CORE_INSTANCE] = 0x12,
    };
    switch (ns) {
    case CNS_FUNC: out[0] = 0x01; return 1;
    case CNS_VALUE: out[0] = 0x02; return 1;
    case CNS_TYPE: out[0] = 0x03; return 1;
    case CNS_COMPONENT: out[0] = 0x04; return 1;
    case CNS_INSTANCE: out[0] = 0x05; return 1;
    default: out[0] = 0x00; out[1] = core_sort[ns]; return 2;
    }
}

Err cwat_emit_type(CompParser *cp, ByteBuf *b, const Token *id, uint32_t *out) {
    TRY(cwat_emit(cp, cp->scope->kind == CSC_COMPONENT ? 7 : 0x01, b));
    return cwat_define(cp, CNS_TYPE, id, out);
}

static Err emit_core_type(CompParser *cp, ByteBuf *b, const Token *id, uint32_t *out) {
    uint8_t code = cp->scope->kind == CSC_COMPONENT ? 3
                   : cp->scope->kind == CSC_MODULE_TYPE ? 0x01 : 0x00;
    TRY(cwat_emit(cp, code, b));
    return cwat_define(cp, CNS_CORE_TYPE, id, out);
}

Err cwat_emit_alias(CompParser *cp, CNs ns, const ByteBuf *target, const Token *id,
                    uint32_t *out) {
    ByteBuf b;
    buf_init(&b);
    if (cp->scope->kind == CSC_MODULE_TYPE) {
        if (ns == CNS_TYPE)
            ns = CNS_CORE_TYPE;
        buf_byte(&b, 0x10);
        buf_byte(&b, 0x01);
        buf_bytes(&b, target->data + 1, target->len - 1);
    } else {
        uint8_t sort[2];
        buf_bytes(&b, sort, cwat_sort_bytes(ns, sort));
        buf_bytes(&b, target->data, target->len);
    }
    Err err = cwat_emit(cp, cp->scope->kind == CSC_COMPONENT ? 6 : 0x02, &b);
    buf_fini(&b);
    TRY(err);
    return cwat_define(cp, ns, id, out);
}

/* ---- Value types ------------------------------------------------------------ */

static bool primitive(const Token *t, uint8_t *out) {
    static const struct { const char *kw; uint8_t code; } prims[] = {
        {"bool", 0x7f},   {"s8", 0x7e},      {"u8", 0x7d},      {"s16", 0x7c},
        {"u16", 0x7b},    {"s32", 0x7a},     {"u32", 0x79},     {"s64", 0x78},
        {"u64", 0x77},    {"f32", 0x76},     {"float32", 0x76}, {"f64", 0x75},
        {"float64", 0x75}, {"char", 0x74},   {"string", 0x73},  {"error-context", 0x64},
    };
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) {
        if (wat_tok_is(t, prims[i].kw)) {
            *out = prims[i].code;
            return true;
        }
    }
    return false;
}

static Err defvaltype_form(CompParser *cp, ByteBuf *b);

Err cwat_valtype(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    const Token *t = wat_peek(p);
    uint8_t code;
    if (primitive(t, &code)) {
        p->pos++;
        buf_byte(b, code);
        return OK;
    }
    uint32_t idx;
    if (wat_peek_index(p)) {
        TRY(cwat_resolve(cp, CNS_TYPE, &idx));
    } else if (t->kind == TOK_LPAR) {
        ByteBuf d;
        buf_init(&d);
        Err err = defvaltype_form(cp, &d);
        if (err == OK)
            err = cwat_emit_type(cp, &d, NULL, &idx);
        buf_fini(&d);
        TRY(err);
    } else {
        return wat_unexpected(p, t);
    }
    leb_write_s64(b, idx);
    return OK;
}

static Err opt_valtype(CompParser *cp, ByteBuf *b) {
    if (wat_peek(&cp->w)->kind == TOK_RPAR) {
        buf_byte(b, 0x00);
        return OK;
    }
    buf_byte(b, 0x01);
    return cwat_valtype(cp, b);
}

/* Repeated `(kw ...)` items written as a vector by `item`. */
static Err vec_of(CompParser *cp, const char *kw, ByteBuf *b,
                  Err (*item)(CompParser *, ByteBuf *)) {
    WatParser *p = &cp->w;
    ByteBuf items;
    buf_init(&items);
    uint32_t n = 0;
    Err err = OK;
    while (err == OK && wat_peek_form(p, kw)) {
        p->pos += 2;
        err = item(cp, &items);
        if (err == OK)
            err = wat_expect_rpar(p);
        n++;
    }
    leb_write_u32(b, n);
    buf_bytes(b, items.data, items.len);
    buf_fini(&items);
    return err;
}

static Err field_item(CompParser *cp, ByteBuf *b) {
    Name n;
    TRY(cwat_name(cp, &n));
    cwat_put_name(b, n);
    return cwat_valtype(cp, b);
}

static Err case_item(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    const Token *id;
    wat_opt_id(p, &id);
    Name n;
    TRY(cwat_name(cp, &n));
    cwat_put_name(b, n);
    if (wat_peek(p)->kind != TOK_RPAR && !wat_peek_form(p, "refines")) {
        buf_byte(b, 0x01);
        TRY(cwat_valtype(cp, b));
    } else {
        buf_byte(b, 0x00);
    }
    if (wat_peek_form(p, "refines")) {
        p->pos = wat_peek(p)->match + 1;
        buf_byte(b, 0x01);
        leb_write_u32(b, 0);
        return OK;
    }
    buf_byte(b, 0x00);
    return OK;
}

static Err labels(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    ByteBuf items;
    buf_init(&items);
    uint32_t n = 0;
    Err err = OK;
    while (err == OK && wat_peek(p)->kind == TOK_STRING) {
        Name name;
        err = cwat_name(cp, &name);
        cwat_put_name(&items, name);
        n++;
    }
    leb_write_u32(b, n);
    buf_bytes(b, items.data, items.len);
    buf_fini(&items);
    return err;
}

static Err valtypes_to_rpar(CompParser *cp, ByteBuf *b) {
    ByteBuf items;
    buf_init(&items);
    uint32_t n = 0;
    Err err = OK;
    while (err == OK && wat_peek(&cp->w)->kind != TOK_RPAR) {
        err = cwat_valtype(cp, &items);
        n++;
    }
    leb_write_u32(b, n);
    buf_bytes(b, items.data, items.len);
    buf_fini(&items);
    return err;
}

static Err result_type(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    buf_byte(b, 0x6a);
    if (wat_peek(p)->kind == TOK_RPAR || wat_peek_form(p, "error")) {
        buf_byte(b, 0x00);
    } else {
        buf_byte(b, 0x01);
        TRY(cwat_valtype(cp, b));
    }
    if (!wat_peek_form(p, "error")) {
        buf_byte(b, 0x00);
        return OK;
    }
    p->pos += 2;
    buf_byte(b, 0x01);
    TRY(cwat_valtype(cp, b));
    return wat_expect_rpar(p);
}

static Err handle_type(CompParser *cp, uint8_t code, ByteBuf *b) {
    uint32_t idx;
    TRY(cwat_resolve(cp, CNS_TYPE, &idx));
    buf_byte(b, code);
    leb_write_u32(b, idx);
    return OK;
}

/* The body of a defined value type after its keyword `kw` (consumed). */
static Err defvaltype_body(CompParser *cp, const Token *kw, ByteBuf *b) {
    WatParser *p = &cp->w;
    if (wat_tok_is(kw, "record")) {
        buf_byte(b, 0x72);
        return vec_of(cp, "field", b, field_item);
    }
    if (wat_tok_is(kw, "variant")) {
        buf_byte(b, 0x71);
        return vec_of(cp, "case", b, case_item);
    }
    if (wat_tok_is(kw, "list")) {
        ByteBuf e;
        buf_init(&e);
        Err err = cwat_valtype(cp, &e);
        uint32_t len = 0;
        bool fixed = err == OK && wat_peek(p)->kind == TOK_ATOM;
        if (fixed)
            err = wat_expect_u32(p, &len);
        buf_byte(b, fixed ? 0x67 : 0x70);
        buf_bytes(b, e.data, e.len);
        if (fixed)
            leb_write_u32(b, len);
        buf_fini(&e);
        return err;
    }
    if (wat_tok_is(kw, "tuple")) {
        buf_byte(b, 0x6f);
        return valtypes_to_rpar(cp, b);
    }
    if (wat_tok_is(kw, "flags") || wat_tok_is(kw, "enum")) {
        buf_byte(b, wat_tok_is(kw, "flags") ? 0x6e : 0x6d);
        return labels(cp, b);
    }
    if (wat_tok_is(kw, "option")) {
        buf_byte(b, 0x6b);
        return cwat_valtype(cp, b);
    }
    if (wat_tok_is(kw, "result"))
        return result_type(cp, b);
    if (wat_tok_is(kw, "own") || wat_tok_is(kw, "borrow"))
        return handle_type(cp, wat_tok_is(kw, "own") ? 0x69 : 0x68, b);
    if (wat_tok_is(kw, "stream") || wat_tok_is(kw, "future")) {
        buf_byte(b, wat_tok_is(kw, "stream") ? 0x66 : 0x65);
        return opt_valtype(cp, b);
    }
    if (wat_tok_is(kw, "map")) {
        buf_byte(b, 0x63);
        TRY(cwat_valtype(cp, b));
        return cwat_valtype(cp, b);
    }
    uint8_t code;
    if (primitive(kw, &code)) {
        buf_byte(b, code);
        return OK;
    }
    return wat_unexpected(p, kw);
}

static Err defvaltype_form(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    TRY(defvaltype_body(cp, kw, b));
    return wat_expect_rpar(p);
}

/* ---- Function types --------------------------------------------------------- */

static Err param_item(CompParser *cp, ByteBuf *b) {
    return field_item(cp, b);
}

/* `async? (param "n" t)* (result t)?` up to ')' ; writes the functype. */
static Err functype_body(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    bool async_ = false;
    if (wat_tok_is(wat_peek(p), "async")) {
        async_ = true;
        p->pos++;
    }
    buf_byte(b, async_ ? 0x43 : 0x40);
    TRY(vec_of(cp, "param", b, param_item));
    if (!wat_peek_form(p, "result")) {
        buf_byte(b, 0x01);
        buf_byte(b, 0x00);
        return OK;
    }
    if (wat_peek_at(p, 2)->kind == TOK_STRING) {
        buf_byte(b, 0x01);
        return vec_of(cp, "result", b, field_item);
    }
    p->pos += 2;
    buf_byte(b, 0x00);
    TRY(cwat_valtype(cp, b));
    return wat_expect_rpar(p);
}

/* ---- Component and instance types ------------------------------------------- */

static Err type_decls(CompParser *cp, bool component) {
    WatParser *p = &cp->w;
    while (wat_peek(p)->kind == TOK_LPAR) {
        const Token *kw = wat_peek_at(p, 1);
        if (wat_tok_is(kw, "type"))
            TRY(cwat_type_field(cp));
        else if (wat_tok_is(kw, "core") && wat_tok_is(wat_peek_at(p, 2), "type"))
            TRY(cwat_core_type_field(cp));
        else if (wat_tok_is(kw, "alias"))
            TRY(cwat_alias_decl(cp));
        else if (wat_tok_is(kw, "export"))
            TRY(cwat_decl_extern(cp, false));
        else if (component && wat_tok_is(kw, "import"))
            TRY(cwat_decl_extern(cp, true));
        else
            return wat_unexpected(p, wat_peek(p));
    }
    return OK;
}

static void put_decls(ByteBuf *b, const CScope *s) {
    leb_write_u32(b, (uint32_t)s->items.len);
    for (size_t i = 0; i < s->items.len; i++) {
        buf_byte(b, s->items.data[i].code);
        buf_bytes(b, s->items.data[i].data, s->items.data[i].len);
    }
}

/* Declarators up to ')' in a fresh scope; writes 0x41/0x42/0x50 + decls. */
static Err scoped_decls(CompParser *cp, CScopeKind kind, const Token *id, ByteBuf *b);

static Err module_decls(CompParser *cp);

static Err scoped_decls(CompParser *cp, CScopeKind kind, const Token *id, ByteBuf *b) {
    if (++cp->depth > 100) {
        cp->depth--;
        return wat_fail_at(&cp->w, wat_peek(&cp->w), "nesting too deep");
    }
    CScope inner;
    cwat_scope_init(&inner, kind, id, cp->scope);
    cp->scope = &inner;
    Err err = kind == CSC_MODULE_TYPE ? module_decls(cp)
                                      : type_decls(cp, kind == CSC_COMPONENT_TYPE);
    cp->scope = inner.parent;
    cp->depth--;
    if (err == OK) {
        buf_byte(b, kind == CSC_COMPONENT_TYPE ? 0x41 : kind == CSC_INSTANCE_TYPE ? 0x42 : 0x50);
        put_decls(b, &inner);
    }
    cwat_scope_fini(&inner);
    return err;
}

/* ---- Resource types --------------------------------------------------------- */

static Err core_func_ref_form(CompParser *cp, uint32_t *out) {
    WatParser *p = &cp->w;
    if (wat_peek(p)->kind != TOK_LPAR)
        return cwat_core_item_ref(cp, CNS_CORE_FUNC, out);
    TRY(wat_expect_lpar(p));
    if (wat_tok_is(wat_peek(p), "core"))
        p->pos++;
    TRY(wat_expect_kw(p, "func"));
    TRY(cwat_core_item_ref(cp, CNS_CORE_FUNC, out));
    return wat_expect_rpar(p);
}

static Err resource_body(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    TRY(wat_expect_form(p, "rep"));
    TRY(wat_expect_kw(p, "i32"));
    TRY(wat_expect_rpar(p));
    buf_byte(b, 0x3f);
    buf_byte(b, 0x7f);
    if (!wat_peek_form(p, "dtor")) {
        buf_byte(b, 0x00);
        return OK;
    }
    p->pos += 2;
    uint32_t f;
    TRY(core_func_ref_form(cp, &f));
    buf_byte(b, 0x01);
    leb_write_u32(b, f);
    return wat_expect_rpar(p);
}

/* ---- Type fields ------------------------------------------------------------ */

/* A deftype form at '(' (or a primitive keyword). */
static Err deftype(CompParser *cp, const Token *id, ByteBuf *b) {
    WatParser *p = &cp->w;
    uint8_t code;
    if (primitive(wat_peek(p), &code)) {
        p->pos++;
        buf_byte(b, code);
        return OK;
    }
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    if (wat_tok_is(kw, "func"))
        TRY(functype_body(cp, b));
    else if (wat_tok_is(kw, "component"))
        TRY(scoped_decls(cp, CSC_COMPONENT_TYPE, id, b));
    else if (wat_tok_is(kw, "instance"))
        TRY(scoped_decls(cp, CSC_INSTANCE_TYPE, id, b));
    else if (wat_tok_is(kw, "resource"))
        TRY(resource_body(cp, b));
    else
        TRY(defvaltype_body(cp, kw, b));
    return wat_expect_rpar(p);
}

Err cwat_type_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    const Token *id;
    wat_opt_id(p, &id);
    VEC(Name) exports = {0};
    Err err = OK;
    while (err == OK && wat_peek_form(p, "export") && wat_peek_at(p, 3)->kind == TOK_RPAR) {
        p->pos += 2;
        Name n;
        err = cwat_name(cp, &n);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err == OK && !VEC_PUSH(&exports, n))
            err = FAIL_NOMEM(p->diag);
    }
    ByteBuf b;
    buf_init(&b);
    uint32_t idx = 0;
    if (err == OK)
        err = deftype(cp, id, &b);
    if (err == OK)
        err = cwat_emit_type(cp, &b, id, &idx);
    buf_fini(&b);
    for (size_t i = 0; err == OK && i < exports.len; i++) {
        ByteBuf e;
        buf_init(&e);
        buf_byte(&e, 0x00);
        cwat_put_name(&e, exports.data[i]);
        buf_byte(&e, 0x03);
        leb_write_u32(&e, idx);
        buf_byte(&e, 0x00);
        CItem it = {11, NULL, 0};
        it.data = buf_take(&e, &it.len);
        if (!it.data || !VEC_PUSH(&cp->scope->tail, it)) {
            mem_free(it.data);
            err = FAIL_NOMEM(p->diag);
        }
    }
    VEC_FREE(&exports);
    TRY(err);
    return wat_expect_rpar(p);
}

/* ---- Core types ------------------------------------------------------------- */

Err cwat_core_valtype(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    StrMap saved = p->names[SP_TYPE];
    p->names[SP_TYPE] = cp->scope->names[CNS_CORE_TYPE];
    ValType t;
    Err err = wat_valtype(p, &t);
    p->names[SP_TYPE] = saved;
    TRY(err);
    if (t.kind != VK_REF) {
        buf_byte(b, t.kind);
    } else if (t.nullable && t.heap < 0) {
        buf_byte(b, (uint8_t)(t.heap & 0x7f));
    } else {
        buf_byte(b, t.nullable ? 0x63 : 0x64);
        leb_write_s64(b, t.heap);
    }
    return OK;
}

/* `(param $id? t*)`/`(result t*)` lists up to the end: writes the two
 * vectors of a core function type (after 0x60). */
static Err core_functype_body(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    ByteBuf params, results;
    buf_init(&params);
    buf_init(&results);
    uint32_t n_params = 0, n_results = 0;
    Err err = OK;
    while (err == OK && (wat_peek_form(p, "param") || wat_peek_form(p, "result"))) {
        bool is_param = wat_peek_form(p, "param");
        p->pos += 2;
        const Token *id;
        wat_opt_id(p, &id);
        while (err == OK && wat_peek(p)->kind != TOK_RPAR) {
            err = cwat_core_valtype(cp, is_param ? &params : &results);
            if (is_param)
                n_params++;
            else
                n_results++;
        }
        if (err == OK)
            err = wat_expect_rpar(p);
    }
    leb_write_u32(b, n_params);
    buf_bytes(b, params.data, params.len);
    leb_write_u32(b, n_results);
    buf_bytes(b, results.data, results.len);
    buf_fini(&params);
    buf_fini(&results);
    return err;
}

static Err add_func_key(CompParser *cp, const uint8_t *data, size_t len, uint32_t index) {
    CFuncKey k = {mem_alloc(len ? len : 1), len, index};
    if (!k.data || !VEC_PUSH(&cp->scope->func_keys, k)) {
        mem_free(k.data);
        return FAIL_NOMEM(cp->w.diag);
    }
    memcpy(k.data, data, len);
    return OK;
}

/* A core type use in a module type: `(type x)` or inline params/results,
 * reusing an equal function type of the module type. */
static Err core_type_use(CompParser *cp, uint32_t *out) {
    WatParser *p = &cp->w;
    if (wat_peek_form(p, "type")) {
        p->pos += 2;
        TRY(cwat_resolve(cp, CNS_CORE_TYPE, out));
        TRY(wat_expect_rpar(p));
        while (wat_peek_form(p, "param") || wat_peek_form(p, "result"))
            p->pos = wat_peek(p)->match + 1;
        return OK;
    }
    ByteBuf body;
    buf_init(&body);
    Err err = core_functype_body(cp, &body);
    for (size_t i = 0; err == OK && i < cp->scope->func_keys.len; i++) {
        CFuncKey *k = &cp->scope->func_keys.data[i];
        if (k->len == body.len && memcmp(k->data, body.data, body.len) == 0) {
            *out = k->index;
            buf_fini(&body);
            return OK;
        }
    }
    ByteBuf t;
    buf_init(&t);
    buf_byte(&t, 0x60);
    buf_bytes(&t, body.data, body.len);
    if (err == OK)
        err = emit_core_type(cp, &t, NULL, out);
    if (err == OK)
        err = add_func_key(cp, body.data, body.len, *out);
    buf_fini(&t);
    buf_fini(&body);
    return err;
}

static Err limits(CompParser *cp, ByteBuf *b, bool memory) {
    WatParser *p = &cp->w;
    bool is64 = false, shared = false, has_max = false;
    if (wat_tok_is(wat_peek(p), "i64") || wat_tok_is(wat_peek(p), "i32")) {
        is64 = wat_tok_is(wat_peek(p), "i64");
        p->pos++;
    }
    uint64_t min, max = 0;
    TRY(wat_expect_u64(p, &min));
    const Token *t = wat_peek(p);
    if (t->kind == TOK_ATOM && wat_num_class(t->text, t->len) == NUM_NAT) {
        TRY(wat_expect_u64(p, &max));
        has_max = true;
    }
    if (memory && wat_tok_is(wat_peek(p), "shared")) {
        shared = true;
        p->pos++;
    }
    buf_byte(b, (uint8_t)((has_max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0)));
    leb_write_u64(b, min);
    if (has_max)
        leb_write_u64(b, max);
    return OK;
}

/* A core import description `(func|table|memory|global|tag $id? ...)` at '('. */
static Err core_desc(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t idx;
    if (wat_tok_is(kw, "func") || wat_tok_is(kw, "tag")) {
        bool tag = wat_tok_is(kw, "tag");
        TRY(core_type_use(cp, &idx));
        buf_byte(b, tag ? 0x04 : 0x00);
        if (tag)
            buf_byte(b, 0x00);
        leb_write_u32(b, idx);
    } else if (wat_tok_is(kw, "memory")) {
        buf_byte(b, 0x02);
        TRY(limits(cp, b, true));
    } else if (wat_tok_is(kw, "table")) {
        ByteBuf lim;
        buf_init(&lim);
        Err err = limits(cp, &lim, false);
        buf_byte(b, 0x01);
        if (err == OK)
            err = cwat_core_valtype(cp, b);
        buf_bytes(b, lim.data, lim.len);
        buf_fini(&lim);
        TRY(err);
    } else if (wat_tok_is(kw, "global")) {
        buf_byte(b, 0x03);
        bool mut = wat_peek_form(p, "mut");
        if (mut)
            p->pos += 2;
        TRY(cwat_core_valtype(cp, b));
        if (mut)
            TRY(wat_expect_rpar(p));
        buf_byte(b, mut ? 1 : 0);
    } else {
        return wat_unexpected(p, kw);
    }
    return wat_expect_rpar(p);
}

static Err module_decls(CompParser *cp) {
    WatParser *p = &cp->w;
    while (wat_peek(p)->kind == TOK_LPAR) {
        const Token *kw = wat_peek_at(p, 1);
        ByteBuf b;
        buf_init(&b);
        Err err = OK;
        if (wat_tok_is(kw, "import")) {
            p->pos += 2;
            Name m, f = {"", 0};
            err = cwat_name(cp, &m);
            if (err == OK)
                err = cwat_name(cp, &f);
            cwat_put_name(&b, m);
            cwat_put_name(&b, f);
            if (err == OK)
                err = core_desc(cp, &b);
            if (err == OK)
                err = cwat_emit(cp, 0x00, &b);
            if (err == OK)
                err = wat_expect_rpar(p);
        } else if (wat_tok_is(kw, "export")) {
            p->pos += 2;
            Name n;
            err = cwat_name(cp, &n);
            cwat_put_name(&b, n);
            if (err == OK)
                err = core_desc(cp, &b);
            if (err == OK)
                err = cwat_emit(cp, 0x03, &b);
            if (err == OK)
                err = wat_expect_rpar(p);
        } else if (wat_tok_is(kw, "type")) {
            err = cwat_core_type_field(cp);
        } else if (wat_tok_is(kw, "alias")) {
            err = cwat_alias_decl(cp);
        } else {
            err = wat_unexpected(p, wat_peek(p));
        }
        buf_fini(&b);
        TRY(err);
    }
    return OK;
}

/* `(core type $id? (func ...)|(module ...))` at '(' ; inside a module type
 * the form is `(type $id? (func ...))`. */
Err cwat_core_type_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += wat_tok_is(wat_peek_at(p, 1), "core") ? 3 : 2;
    const Token *id;
    wat_opt_id(p, &id);
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    ByteBuf b;
    buf_init(&b);
    Err err = OK;
    uint32_t idx = 0;
    if (wat_tok_is(kw, "func")) {
        ByteBuf body;
        buf_init(&body);
        err = core_functype_body(cp, &body);
        buf_byte(&b, 0x60);
        buf_bytes(&b, body.data, body.len);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err == OK)
            err = emit_core_type(cp, &b, id, &idx);
        if (err == OK && cp->scope->kind == CSC_MODULE_TYPE)
            err = add_func_key(cp, body.data, body.len, idx);
        buf_fini(&body);
    } else if (wat_tok_is(kw, "module") && cp->scope->kind != CSC_MODULE_TYPE) {
        err = scoped_decls(cp, CSC_MODULE_TYPE, id, &b);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err == OK)
            err = emit_core_type(cp, &b, id, &idx);
    } else {
        err = wat_unexpected(p, kw);
    }
    buf_fini(&b);
    TRY(err);
    return wat_expect_rpar(p);
}

/* ---- Type uses and extern descriptions -------------------------------------- */

/* `(type idx "export"*)` with nothing else: a reference, not an inline decl. */
static bool peek_type_ref(const WatParser *p) {
    if (!wat_peek_form(p, "type"))
        return false;
    const Token *t = wat_peek_at(p, 2);
    if (t->kind != TOK_ID && !(t->kind == TOK_ATOM && wat_num_class(t->text, t->len) == NUM_NAT))
        return false;
    uint32_t k = 3;
    while (wat_peek_at(p, k)->kind == TOK_STRING)
        k++;
    return wat_peek_at(p, k)->kind == TOK_RPAR;
}

Err cwat_type_use(CompParser *cp, CNs kind, uint32_t *out) {
    WatParser *p = &cp->w;
    if (peek_type_ref(p)) {
        p->pos += 2;
        TRY(cwat_item_ref(cp, kind == CNS_CORE_MODULE ? CNS_CORE_TYPE : CNS_TYPE, out));
        return wat_expect_rpar(p);
    }
    ByteBuf b;
    buf_init(&b);
    Err err;
    switch (kind) {
    case CNS_FUNC: err = functype_body(cp, &b); break;
    case CNS_INSTANCE: err = scoped_decls(cp, CSC_INSTANCE_TYPE, NULL, &b); break;
    case CNS_COMPONENT: err = scoped_decls(cp, CSC_COMPONENT_TYPE, NULL, &b); break;
    default: err = scoped_decls(cp, CSC_MODULE_TYPE, NULL, &b); break;
    }
    if (err == OK)
        err = kind == CNS_CORE_MODULE ? emit_core_type(cp, &b, NULL, out)
                                      : cwat_emit_type(cp, &b, NULL, out);
    buf_fini(&b);
    return err;
}

static Err type_bound(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    buf_byte(b, 0x03);
    if (wat_peek_form(p, "sub")) {
        p->pos += 2;
        TRY(wat_expect_kw(p, "resource"));
        buf_byte(b, 0x01);
        return wat_expect_rpar(p);
    }
    TRY(wat_expect_form(p, "eq"));
    uint32_t idx;
    TRY(cwat_resolve(cp, CNS_TYPE, &idx));
    buf_byte(b, 0x00);
    leb_write_u32(b, idx);
    return wat_expect_rpar(p);
}

Err cwat_externdesc(CompParser *cp, ByteBuf *b, CNs *out_ns, const Token **out_id) {
    WatParser *p = &cp->w;
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    CNs ns;
    if (wat_tok_is(kw, "core")) {
        p->pos++;
        TRY(wat_expect_kw(p, "module"));
        ns = CNS_CORE_MODULE;
    } else if (wat_tok_is(kw, "func") || wat_tok_is(kw, "component") ||
               wat_tok_is(kw, "instance") || wat_tok_is(kw, "type") ||
               wat_tok_is(kw, "value")) {
        p->pos++;
        ns = wat_tok_is(kw, "func")        ? CNS_FUNC
             : wat_tok_is(kw, "component") ? CNS_COMPONENT
             : wat_tok_is(kw, "instance")  ? CNS_INSTANCE
             : wat_tok_is(kw, "type")      ? CNS_TYPE
                                           : CNS_VALUE;
    } else {
        return wat_unexpected(p, kw);
    }
    wat_opt_id(p, out_id);
    *out_ns = ns;
    uint32_t idx;
    switch (ns) {
    case CNS_TYPE: TRY(type_bound(cp, b)); break;
    case CNS_VALUE:
        buf_byte(b, 0x02);
        buf_byte(b, 0x01);
        TRY(cwat_valtype(cp, b));
        break;
    default: {
        ByteBuf d;
        buf_init(&d);
        Err err = cwat_type_use(cp, ns, &idx);
        buf_fini(&d);
        TRY(err);
        if (ns == CNS_CORE_MODULE) {
            buf_byte(b, 0x00);
            buf_byte(b, 0x11);
        } else {
            buf_byte(b, ns == CNS_FUNC ? 0x01 : ns == CNS_COMPONENT ? 0x04 : 0x05);
        }
        leb_write_u32(b, idx);
        break;
    }
    }
    return wat_expect_rpar(p);
}
