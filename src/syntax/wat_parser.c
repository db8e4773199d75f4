/* The WAT parser's core: token helpers, errors in the reference
 * interpreter's words, symbolic names and indices, and the entry points
 * (wat_parse_module: text -> IR -> binary; wat_parse_tokens for WAST). */
#include "wat_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax.h"

static const char *const space_what[SP_COUNT] = {
    "type", "function", "table", "memory", "global", "tag", "elem segment", "data segment",
};

Err wat_fail_at(WatParser *p, const Token *t, const char *fmt, ...) {
    char buf[DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return FAIL_TEXT(p->diag, ERR_MALFORMED, t->line, t->col, "%s", buf);
}

/* Keywords the reference lexer knows besides instruction names and numbers. */
static const char *const structural[] = {
    "module", "type", "func", "param", "result", "local", "global", "table", "memory", "elem",
    "data", "offset", "item", "declare", "import", "export", "start", "mut", "ref", "null",
    "rec", "sub", "final", "struct", "array", "field", "tag", "then", "do", "catch_ref",
    "catch_all_ref", "i8", "i16", "i32", "i64", "f32", "f64", "v128", "funcref", "externref",
    "anyref", "eqref", "i31ref", "structref", "arrayref", "nullref", "nullfuncref",
    "nullexternref", "exnref", "nullexnref", "any", "eq", "i31", "none", "nofunc", "noextern",
    "extern", "exn", "noexn", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "binary",
    "quote", "definition", "instance", "register", "invoke", "get", "assert_return",
    "assert_trap", "assert_exhaustion", "assert_exception", "assert_malformed",
    "assert_invalid", "assert_unlinkable", "assert_malformed_custom", "assert_invalid_custom",
    "either", "nan:canonical", "nan:arithmetic", "shared", "unshared", "pagesize", "script",
    "input", "output", "thread", "wait", "component", "assert_suspension",
};

bool wat_known_keyword(const Token *t) {
    if (t->kind != TOK_ATOM)
        return false;
    if (wat_num_class(t->text, t->len) != NUM_NONE)
        return true;
    Opcode op;
    if (op_from_text(t->text, t->len, &op))
        return true;
    for (size_t i = 0; i < sizeof structural / sizeof structural[0]; i++)
        if (strlen(structural[i]) == t->len && memcmp(structural[i], t->text, t->len) == 0)
            return true;
    if (t->len > 7 && memcmp(t->text, "offset=", 7) == 0)
        return wat_num_class(t->text + 7, t->len - 7) == NUM_NAT;
    if (t->len > 6 && memcmp(t->text, "align=", 6) == 0)
        return wat_num_class(t->text + 6, t->len - 6) == NUM_NAT;
    return false;
}

Err wat_unexpected(WatParser *p, const Token *t) {
    /* the reference lexer reads the token after '(' before the parser fails */
    if (t->kind == TOK_LPAR && t[1].kind != TOK_EOF &&
        (t[1].kind == TOK_ERROR || t[1].kind == TOK_RESERVED ||
         (t[1].kind == TOK_ATOM && !wat_known_keyword(&t[1]))))
        t++;
    if (t->kind == TOK_ERROR)
        return wat_fail_at(p, t, "%.*s", (int)t->len, t->text);
    if (t->kind == TOK_RESERVED || (t->kind == TOK_ATOM && !wat_known_keyword(t)))
        return wat_fail_at(p, t, "unknown operator %.*s", (int)(t->len > 64 ? 64 : t->len),
                           t->text);
    return wat_fail_at(p, t, "unexpected token");
}

bool wat_tok_is(const Token *t, const char *kw) {
    return t->kind == TOK_ATOM && strlen(kw) == t->len && memcmp(t->text, kw, t->len) == 0;
}

bool wat_peek_form(const WatParser *p, const char *kw) {
    return wat_peek(p)->kind == TOK_LPAR && wat_tok_is(&p->toks[p->pos + 1], kw);
}

Err wat_expect_lpar(WatParser *p) {
    if (wat_peek(p)->kind != TOK_LPAR)
        return wat_unexpected(p, wat_peek(p));
    p->pos++;
    return OK;
}

Err wat_expect_rpar(WatParser *p) {
    if (wat_peek(p)->kind != TOK_RPAR)
        return wat_unexpected(p, wat_peek(p));
    p->pos++;
    return OK;
}

Err wat_expect_kw(WatParser *p, const char *kw) {
    if (!wat_tok_is(wat_peek(p), kw))
        return wat_unexpected(p, wat_peek(p));
    p->pos++;
    return OK;
}

Err wat_expect_form(WatParser *p, const char *kw) {
    TRY(wat_expect_lpar(p));
    return wat_expect_kw(p, kw);
}

bool wat_opt_id(WatParser *p, const Token **out) {
    if (wat_peek(p)->kind != TOK_ID) {
        *out = NULL;
        return false;
    }
    *out = &p->toks[p->pos++];
    return true;
}

void *wat_alloc(WatParser *p, size_t size) {
    return arena_alloc(p->arena, size ? size : 1);
}

Err wat_expect_string(WatParser *p, Name *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_STRING)
        return wat_unexpected(p, t);
    uint32_t n;
    uint8_t *bytes = wat_string_decode(t->text, t->len, p->arena, &n);
    if (!bytes)
        return FAIL_NOMEM(p->diag);
    out->str = (const char *)bytes;
    out->len = n;
    p->pos++;
    return OK;
}

Err wat_expect_name(WatParser *p, Name *out) {
    const Token *t = wat_peek(p);
    TRY(wat_expect_string(p, out));
    if (!utf8_valid((const uint8_t *)out->str, out->len))
        return wat_fail_at(p, t, "malformed UTF-8 encoding");
    return OK;
}

Err wat_expect_u64(WatParser *p, uint64_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) != NUM_NAT)
        return wat_unexpected(p, t);
    if (!wat_parse_nat(t->text, t->len, out))
        return wat_fail_at(p, t, "i64 constant out of range");
    p->pos++;
    return OK;
}

Err wat_expect_u32(WatParser *p, uint32_t *out) {
    const Token *t = wat_peek(p);
    uint64_t v;
    TRY(wat_expect_u64(p, &v));
    if (v > UINT32_MAX)
        return wat_fail_at(p, t, "i32 constant out of range");
    *out = (uint32_t)v;
    return OK;
}

Err wat_bind(WatParser *p, StrMap *map, const Token *id, uint32_t index, const char *what) {
    if (!id)
        return OK;
    bool existed = false;
    if (!map_insert(map, id->text, id->len, index, &existed))
        return FAIL_NOMEM(p->diag);
    if (existed)
        return wat_fail_at(p, id, "duplicate %s $%.*s", what, (int)id->len, id->text);
    return OK;
}

bool wat_peek_index(const WatParser *p) {
    const Token *t = wat_peek(p);
    return t->kind == TOK_ID ||
           (t->kind == TOK_ATOM && wat_num_class(t->text, t->len) == NUM_NAT);
}

static Err lookup(WatParser *p, const StrMap *map, const char *what, uint32_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind == TOK_ID) {
        if (!map_get(map, t->text, t->len, out))
            return wat_fail_at(p, t, "unknown %s $%.*s", what, (int)t->len, t->text);
        p->pos++;
        return OK;
    }
    return wat_expect_u32(p, out);
}

Err wat_index(WatParser *p, Space space, uint32_t *out) {
    return lookup(p, &p->names[space], space_what[space], out);
}

Err wat_local_index(WatParser *p, uint32_t *out) {
    return lookup(p, &p->locals, "local", out);
}

Err wat_label_index(WatParser *p, uint32_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ID)
        return wat_expect_u32(p, out);
    for (size_t i = p->labels.len; i-- > 0;) {
        Label l = p->labels.data[i];
        if (l.name && l.len == t->len && memcmp(l.name, t->text, t->len) == 0) {
            *out = (uint32_t)(p->labels.len - 1 - i);
            p->pos++;
            return OK;
        }
    }
    return wat_fail_at(p, t, "unknown label $%.*s", (int)t->len, t->text);
}

static void parser_fini(WatParser *p) {
    for (int i = 0; i < SP_COUNT; i++)
        map_fini(&p->names[i]);
    for (size_t i = 0; i < p->fields.len; i++) {
        if (p->fields.data[i]) {
            map_fini(p->fields.data[i]);
            mem_free(p->fields.data[i]);
        }
    }
    VEC_FREE(&p->fields);
    VEC_FREE(&p->types);
    VEC_FREE(&p->imports);
    VEC_FREE(&p->exports);
    map_fini(&p->locals);
    VEC_FREE(&p->code);
    VEC_FREE(&p->labels);
    VEC_FREE(&p->scratch_types);
    VEC_FREE(&p->hints);
}

static int by_index(const void *a, const void *b) {
    uint32_t x = ((const NameAssoc *)a)->index, y = ((const NameAssoc *)b)->index;
    return x < y ? -1 : x > y;
}

/* The function identifiers ($name) as the name section's function names,
 * as text-to-binary tools do, so backtraces and profilers name functions of
 * text modules. Not when the text carries its own name section. */
static Err names_from_ids(WatParser *p) {
    const StrMap *ids = &p->names[SP_FUNC];
    Module *mod = p->mod;
    if (!ids->len || mod->names.present || ir_has_custom(mod, "name"))
        return OK;
    NameAssoc *entries = arena_alloc(p->arena, ids->len * sizeof *entries);
    if (!entries)
        return FAIL_NOMEM(p->diag);
    uint32_t n = 0;
    for (size_t i = 0; i < ids->cap; i++) {
        const StrMapEntry *e = &ids->slots[i];
        if (!e->key)
            continue;
        const char *copy = arena_memdup(p->arena, e->key, e->key_len);
        if (!copy && e->key_len)
            return FAIL_NOMEM(p->diag);
        entries[n++] = (NameAssoc){e->value, {copy, e->key_len}};
    }
    qsort(entries, n, sizeof *entries, by_index);
    mod->names.funcs = (NameMap){n, entries};
    mod->names.present = true;
    return OK;
}

Err wat_parse_tokens(const TokenList *tl, uint32_t start, uint32_t end, Module **out,
                     Diag *diag) {
    Module *mod = ir_module_new();
    if (!mod)
        return FAIL_NOMEM(diag);
    WatParser p;
    memset(&p, 0, sizeof p);
    p.toks = tl->toks;
    p.tl = tl;
    p.pos = start;
    p.mod = mod;
    p.arena = &mod->arena;
    p.diag = diag;
    for (int i = 0; i < SP_COUNT; i++)
        map_init(&p.names[i]);
    map_init(&p.locals);
    Err err = wat_module_fields(&p, end);
    if (err == OK)
        err = names_from_ids(&p);
    parser_fini(&p);
    if (err != OK) {
        ir_module_delete(mod);
        return err;
    }
    *out = mod;
    return OK;
}

/* Where the module's fields are: inside "(module $id? ...)" or the whole text. */
static Err module_bounds(const TokenList *tl, uint32_t *out_start, uint32_t *out_end,
                         Diag *diag) {
    const Token *t = tl->toks;
    if (t[0].kind == TOK_LPAR && wat_tok_is(&t[1], "module")) {
        uint32_t close = t[0].match;
        uint32_t start = 2;
        if (t[2].kind == TOK_ID)
            start = 3;
        if (t[close].kind != TOK_RPAR) { /* the '(' of "(module" is never closed */
            if (t[close].kind == TOK_ERROR)
                return FAIL_TEXT(diag, ERR_MALFORMED, t[close].line, t[close].col, "%.*s",
                                 (int)t[close].len, t[close].text);
            return FAIL_TEXT(diag, ERR_MALFORMED, t[close].line, t[close].col,
                             "unexpected end of input");
        }
        const Token *after = &t[close + 1];
        if (after->kind != TOK_EOF) {
            if (after->kind == TOK_ERROR)
                return FAIL_TEXT(diag, ERR_MALFORMED, after->line, after->col, "%.*s",
                                 (int)after->len, after->text);
            return FAIL_TEXT(diag, ERR_MALFORMED, after->line, after->col, "unexpected token");
        }
        *out_start = start;
        *out_end = close;
        return OK;
    }
    *out_start = 0;
    *out_end = tl->n - 1;
    return OK;
}

Err wat_parse_module(const char *text, size_t len, const char *filename, ByteBuf *out,
                     Diag *diag) {
    (void)filename;
    Arena arena;
    arena_init(&arena);
    TokenList tl = {0};
    Module *mod = NULL;
    Err err = wat_lex(text, len, &arena, &tl, diag);
    uint32_t start = 0, end = 0;
    if (err == OK)
        err = module_bounds(&tl, &start, &end, diag);
    if (err == OK)
        err = wat_parse_tokens(&tl, start, end, &mod, diag);
    if (err == OK)
        err = bin_write_module(mod, out, diag);
    ir_module_delete(mod);
    wat_tokens_free(&tl);
    arena_fini(&arena);
    return err;
}
