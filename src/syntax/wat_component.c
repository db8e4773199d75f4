/* The component text format: `(component ...)` parsed and encoded straight
 * to the component binary (preamble 0x0d 0x00 0x01 0x00). This file owns
 * scopes, name resolution (with automatic outer aliases and inline export
 * aliases), the component-level fields and the section encoding; types are
 * in wat_component_types.c, canonical definitions in wat_component_canon.c.
 * Invariant: an item is appended to its scope only after everything it
 * refers to has been appended, so indices match the items' order. */
#include "wat_component.h"

#include <stdio.h>
#include <string.h>

#include "syntax.h"

static const char *const ns_what[CNS_COUNT] = {
    "core func", "core global", "core table", "core memory", "core type", "core tag",
    "core instance", "core module", "func", "type", "instance", "component", "value",
};

/* ---- Scopes ----------------------------------------------------------------- */

void cwat_scope_init(CScope *s, CScopeKind kind, const Token *id, CScope *parent) {
    memset(s, 0, sizeof *s);
    s->kind = (uint8_t)kind;
    s->id = id;
    s->parent = parent;
    for (int i = 0; i < CNS_COUNT; i++)
        map_init(&s->names[i]);
}

void cwat_scope_fini(CScope *s) {
    for (int i = 0; i < CNS_COUNT; i++)
        map_fini(&s->names[i]);
    for (size_t i = 0; i < s->items.len; i++)
        mem_free(s->items.data[i].data);
    for (size_t i = 0; i < s->tail.len; i++)
        mem_free(s->tail.data[i].data);
    for (size_t i = 0; i < s->func_keys.len; i++)
        mem_free(s->func_keys.data[i].data);
    VEC_FREE(&s->items);
    VEC_FREE(&s->tail);
    VEC_FREE(&s->func_keys);
}

static Err push_item(CompParser *cp, bool tail, uint8_t code, ByteBuf *b) {
    if (b->failed) {
        buf_fini(b);
        return FAIL_NOMEM(cp->w.diag);
    }
    CItem it = {code, NULL, 0};
    it.data = buf_take(b, &it.len);
    bool ok = tail ? VEC_PUSH(&cp->scope->tail, it) : VEC_PUSH(&cp->scope->items, it);
    if (!ok) {
        mem_free(it.data);
        return FAIL_NOMEM(cp->w.diag);
    }
    return OK;
}

Err cwat_emit(CompParser *cp, uint8_t code, ByteBuf *b) {
    return push_item(cp, false, code, b);
}

Err cwat_define(CompParser *cp, CNs ns, const Token *id, uint32_t *out) {
    CScope *s = cp->scope;
    uint32_t idx = s->count[ns]++;
    if (id) {
        bool existed = false;
        if (!map_insert(&s->names[ns], id->text, id->len, idx, &existed))
            return FAIL_NOMEM(cp->w.diag);
        if (existed)
            return wat_fail_at(&cp->w, id, "duplicate %s identifier", ns_what[ns]);
    }
    if (out)
        *out = idx;
    return OK;
}

void cwat_put_name(ByteBuf *b, Name n) {
    leb_write_u32(b, n.len);
    buf_bytes(b, n.str, n.len);
}

Err cwat_name(CompParser *cp, Name *out) {
    out->str = "";
    out->len = 0;
    Err err = wat_expect_name(&cp->w, out);
    if (err != OK) {
        out->str = "";
        out->len = 0;
    }
    return err;
}

/* ---- Name resolution -------------------------------------------------------- */

static bool outer_aliasable(CNs ns) {
    return ns == CNS_CORE_MODULE || ns == CNS_CORE_TYPE || ns == CNS_TYPE || ns == CNS_COMPONENT;
}

Err cwat_resolve(CompParser *cp, CNs ns, uint32_t *out) {
    WatParser *p = &cp->w;
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ID) {
        if (!wat_peek_index(p))
            return wat_unexpected(p, t);
        return wat_expect_u32(p, out);
    }
    CScope *s = cp->scope;
    if (map_get(&s->names[ns], t->text, t->len, out)) {
        p->pos++;
        return OK;
    }
    if (outer_aliasable(ns) && s->kind != CSC_MODULE_TYPE) {
        uint32_t depth = 1;
        for (CScope *o = s->parent; o; o = o->parent, depth++) {
            uint32_t idx;
            if (!map_get(&o->names[ns], t->text, t->len, &idx))
                continue;
            ByteBuf tg;
            buf_init(&tg);
            buf_byte(&tg, 0x02);
            leb_write_u32(&tg, depth);
            leb_write_u32(&tg, idx);
            Err err = cwat_emit_alias(cp, ns, &tg, t, out);
            buf_fini(&tg);
            TRY(err);
            p->pos++;
            return OK;
        }
    }
    /* only modules, types and components are aliased implicitly */
    for (CScope *o = s->parent; o && !outer_aliasable(ns); o = o->parent) {
        uint32_t idx;
        if (map_get(&o->names[ns], t->text, t->len, &idx))
            return wat_fail_at(p, t, "outer item `%.*s` is not a module, type, or component",
                               (int)t->len, t->text);
    }
    return wat_fail_at(p, t, "unknown %s: failed to find name `$%.*s`", ns_what[ns], (int)t->len,
                       t->text);
}

/* Alias `name` of instance `inst` (component or core) as `ns`. */
static Err export_alias(CompParser *cp, CNs ns, bool core, uint32_t inst, Name name,
                        uint32_t *out) {
    ByteBuf tg;
    buf_init(&tg);
    buf_byte(&tg, core ? 0x01 : 0x00);
    leb_write_u32(&tg, inst);
    cwat_put_name(&tg, name);
    Err err = cwat_emit_alias(cp, ns, &tg, NULL, out);
    buf_fini(&tg);
    return err;
}

Err cwat_item_ref(CompParser *cp, CNs ns, uint32_t *out) {
    WatParser *p = &cp->w;
    if (!wat_peek_index(p))
        return wat_unexpected(p, wat_peek(p));
    if (wat_peek_at(p, 1)->kind != TOK_STRING)
        return cwat_resolve(cp, ns, out);
    uint32_t idx;
    TRY(cwat_resolve(cp, CNS_INSTANCE, &idx));
    while (wat_peek(p)->kind == TOK_STRING) {
        Name n;
        TRY(cwat_name(cp, &n));
        bool last = wat_peek(p)->kind != TOK_STRING;
        TRY(export_alias(cp, last ? ns : CNS_INSTANCE, false, idx, n, &idx));
    }
    *out = idx;
    return OK;
}

Err cwat_core_item_ref(CompParser *cp, CNs ns, uint32_t *out) {
    WatParser *p = &cp->w;
    if (!wat_peek_index(p))
        return wat_unexpected(p, wat_peek(p));
    if (wat_peek_at(p, 1)->kind != TOK_STRING)
        return cwat_resolve(cp, ns, out);
    uint32_t idx;
    TRY(cwat_resolve(cp, CNS_CORE_INSTANCE, &idx));
    Name n;
    TRY(cwat_name(cp, &n));
    return export_alias(cp, ns, true, idx, n, out);
}

/* ---- Extern names ----------------------------------------------------------- */

static bool peek_name_option(const WatParser *p) {
    return wat_peek_form(p, "implements") || wat_peek_form(p, "external-id") ||
           wat_peek_form(p, "version");
}

Err cwat_extern_name(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    Name n;
    TRY(cwat_name(cp, &n));
    if (!peek_name_option(p)) {
        buf_byte(b, 0x00);
        cwat_put_name(b, n);
        return OK;
    }
    ByteBuf opts;
    buf_init(&opts);
    uint32_t n_opts = 0;
    Err err = OK;
    while (err == OK && peek_name_option(p)) {
        bool impl = wat_peek_form(p, "implements");
        bool ver = wat_peek_form(p, "version");
        p->pos += 2;
        Name v;
        err = cwat_name(cp, &v);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err != OK)
            break;
        buf_byte(&opts, impl ? 0x00 : ver ? 0x01 : 0x02);
        cwat_put_name(&opts, v);
        n_opts++;
    }
    buf_byte(b, 0x02);
    cwat_put_name(b, n);
    leb_write_u32(b, n_opts);
    buf_bytes(b, opts.data, opts.len);
    buf_fini(&opts);
    return err;
}

/* ---- Inline exports --------------------------------------------------------- */

/* Is the current token `(kw "name" options*)` with nothing else: the
 * inline export/import sugar of a definition (not an export field, a bundle
 * export or an import field of a nested component or module)? */
static bool peek_sugar(const WatParser *p, const char *kw) {
    if (!wat_peek_form(p, kw) || wat_peek_at(p, 2)->kind != TOK_STRING)
        return false;
    uint32_t k = 3;
    while (wat_peek_at(p, k)->kind == TOK_LPAR &&
           (wat_tok_is(wat_peek_at(p, k + 1), "implements") ||
            wat_tok_is(wat_peek_at(p, k + 1), "external-id") ||
            wat_tok_is(wat_peek_at(p, k + 1), "version")))
        k = wat_peek_at(p, k)->match - p->pos + 1;
    return wat_peek_at(p, k)->kind == TOK_RPAR;
}

static bool peek_inline_export(const WatParser *p) {
    return peek_sugar(p, "export");
}

static bool peek_inline_import(const WatParser *p) {
    return peek_sugar(p, "import");
}

typedef VEC(ByteBuf) NameBufs;

static Err inline_exports(CompParser *cp, NameBufs *names) {
    WatParser *p = &cp->w;
    while (peek_inline_export(p)) {
        p->pos += 2;
        ByteBuf b;
        buf_init(&b);
        Err err = cwat_extern_name(cp, &b);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err == OK && !VEC_PUSH(names, b))
            err = FAIL_NOMEM(cp->w.diag);
        if (err != OK) {
            buf_fini(&b);
            return err;
        }
    }
    return OK;
}

static void free_names(NameBufs *names) {
    for (size_t i = 0; i < names->len; i++)
        buf_fini(&names->data[i]);
    VEC_FREE(names);
}

/* Turn the inline export names into export items at the component's end. */
static Err finish_inline_exports(CompParser *cp, NameBufs *names, CNs ns, uint32_t idx) {
    Err err = OK;
    for (size_t i = 0; err == OK && i < names->len; i++) {
        ByteBuf b;
        buf_init(&b);
        buf_bytes(&b, names->data[i].data, names->data[i].len);
        uint8_t sort[2];
        buf_bytes(&b, sort, cwat_sort_bytes(ns, sort));
        leb_write_u32(&b, idx);
        buf_byte(&b, 0x00);
        err = push_item(cp, true, 11, &b);
    }
    free_names(names);
    return err;
}

/* ---- Sort items ------------------------------------------------------------- */

typedef struct SortKw {
    const char *kw;
    bool core;
    CNs ns;
} SortKw;

static const SortKw sort_kws[] = {
    {"func", false, CNS_FUNC},          {"value", false, CNS_VALUE},
    {"type", false, CNS_TYPE},          {"component", false, CNS_COMPONENT},
    {"instance", false, CNS_INSTANCE},  {"func", true, CNS_CORE_FUNC},
    {"table", true, CNS_CORE_TABLE},    {"memory", true, CNS_CORE_MEMORY},
    {"global", true, CNS_CORE_GLOBAL},  {"tag", true, CNS_CORE_TAG},
    {"type", true, CNS_CORE_TYPE},      {"module", true, CNS_CORE_MODULE},
    {"instance", true, CNS_CORE_INSTANCE},
};

/* A sort keyword at the current token (after '('): `core`-prefixed or not.
 * `core_ctx` reads bare keywords as core sorts (core instance exports). */
static bool sort_keyword(WatParser *p, bool core_ctx, CNs *out) {
    bool core = core_ctx;
    uint32_t skip = 0;
    if (wat_tok_is(wat_peek(p), "core")) {
        core = true;
        skip = 1;
    }
    const Token *t = wat_peek_at(p, skip);
    for (size_t i = 0; i < sizeof sort_kws / sizeof sort_kws[0]; i++) {
        if (sort_kws[i].core == core && wat_tok_is(t, sort_kws[i].kw)) {
            *out = sort_kws[i].ns;
            p->pos += skip + 1;
            return true;
        }
    }
    /* `(module ...)` names a core module in component contexts too */
    if (!core && wat_tok_is(t, "module")) {
        *out = CNS_CORE_MODULE;
        p->pos += skip + 1;
        return true;
    }
    return false;
}

static bool ns_is_core(CNs ns) {
    return ns <= CNS_CORE_MODULE;
}

/* `(sort ref)` at '(' : writes the sortidx (component sort encoding, or the
 * core sort byte when core_ctx). */
static Err sort_item(CompParser *cp, bool core_ctx, ByteBuf *b, CNs *out_ns, uint32_t *out_idx) {
    WatParser *p = &cp->w;
    TRY(wat_expect_lpar(p));
    CNs ns;
    if (!sort_keyword(p, core_ctx, &ns))
        return wat_unexpected(p, wat_peek(p));
    uint32_t idx;
    if (ns_is_core(ns) && ns != CNS_CORE_MODULE)
        TRY(cwat_core_item_ref(cp, ns, &idx));
    else
        TRY(cwat_item_ref(cp, ns, &idx));
    TRY(wat_expect_rpar(p));
    uint8_t sort[2];
    uint32_t n = cwat_sort_bytes(ns, sort);
    if (core_ctx)
        buf_byte(b, sort[1]);
    else
        buf_bytes(b, sort, n);
    leb_write_u32(b, idx);
    if (out_ns)
        *out_ns = ns;
    if (out_idx)
        *out_idx = idx;
    return OK;
}

/* ---- Core modules and instances --------------------------------------------- */

/* `(import "name" opts)` sugar inside a definition: the name with options. */
static Err inline_import_name(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    p->pos += 2;
    TRY(cwat_extern_name(cp, b));
    return wat_expect_rpar(p);
}

/* An import built from the sugar: name already in b, then the externdesc
 * for `ns` with type index `type`. */
static Err emit_sugar_import(CompParser *cp, ByteBuf *b, CNs ns, uint32_t type, const Token *id,
                             uint32_t *out) {
    switch (ns) {
    case CNS_CORE_MODULE: buf_byte(b, 0x00); buf_byte(b, 0x11); break;
    case CNS_FUNC: buf_byte(b, 0x01); break;
    case CNS_COMPONENT: buf_byte(b, 0x04); break;
    default: buf_byte(b, 0x05); break;
    }
    leb_write_u32(b, type);
    TRY(cwat_emit(cp, 10, b));
    return cwat_define(cp, ns, id, out);
}

/* The `(import "name" opts) typeuse` sugar of a definition: emits the import
 * and defines `id` in namespace `ns`. */
static Err import_sugar(CompParser *cp, ByteBuf *b, CNs ns, const Token *id, uint32_t *out) {
    uint32_t type;
    TRY(inline_import_name(cp, b));
    TRY(cwat_type_use(cp, ns, &type));
    return emit_sugar_import(cp, b, ns, type, id, out);
}

/* The end of a definition with inline exports: frees its scratch buffer, then
 * (if it succeeded) turns the export names into items and expects ')'. */
static Err end_field(CompParser *cp, NameBufs *names, ByteBuf *b, Err err, CNs ns, uint32_t idx) {
    buf_fini(b);
    if (err != OK) {
        free_names(names);
        return err;
    }
    TRY(finish_inline_exports(cp, names, ns, idx));
    return wat_expect_rpar(&cp->w);
}

static Err strings_bytes(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    while (wat_peek(p)->kind == TOK_STRING) {
        Name n;
        TRY(wat_expect_string(p, &n));
        buf_bytes(b, n.str, n.len);
    }
    return OK;
}

static Err inline_module(CompParser *cp, uint32_t close, ByteBuf *b) {
    WatParser *p = &cp->w;
    if (wat_tok_is(wat_peek(p), "binary")) {
        p->pos++;
        return strings_bytes(cp, b);
    }
    Module *mod = NULL;
    TRY(wat_parse_tokens(p->tl, p->pos, close, &mod, p->diag));
    Err err = bin_write_module(mod, b, p->diag);
    ir_module_delete(mod);
    p->pos = close;
    return err;
}

static Err core_module(CompParser *cp) {
    WatParser *p = &cp->w;
    uint32_t close = wat_peek(p)->match;
    p->pos += 3;
    const Token *id;
    wat_opt_id(p, &id);
    NameBufs names = {0};
    Err err = inline_exports(cp, &names);
    uint32_t idx = 0;
    ByteBuf b;
    buf_init(&b);
    if (err == OK && peek_inline_import(p)) {
        err = import_sugar(cp, &b, CNS_CORE_MODULE, id, &idx);
    } else if (err == OK) {
        err = inline_module(cp, close, &b);
        if (err == OK)
            err = cwat_emit(cp, 1, &b);
        if (err == OK)
            err = cwat_define(cp, CNS_CORE_MODULE, id, &idx);
    }
    return end_field(cp, &names, &b, err, CNS_CORE_MODULE, idx);
}

/* `(export "n" (sort ref))*` of a bundle, up to ')' ; writes vec(export). */
static Err bundle_exports(CompParser *cp, bool core, ByteBuf *b) {
    WatParser *p = &cp->w;
    ByteBuf items;
    buf_init(&items);
    uint32_t n = 0;
    Err err = OK;
    while (err == OK && wat_peek_form(p, "export")) {
        p->pos += 2;
        if (core) {
            Name name;
            err = cwat_name(cp, &name);
            cwat_put_name(&items, name);
        } else {
            err = cwat_extern_name(cp, &items);
        }
        if (err == OK)
            err = sort_item(cp, core, &items, NULL, NULL);
        if (err == OK)
            err = wat_expect_rpar(p);
        n++;
    }
    leb_write_u32(b, n);
    buf_bytes(b, items.data, items.len);
    buf_fini(&items);
    return err;
}

/* `(instance (export ...)*)` as an instantiation argument: a new bundle. */
static Err arg_bundle(CompParser *cp, bool core, uint32_t *out) {
    WatParser *p = &cp->w;
    ByteBuf b;
    buf_init(&b);
    buf_byte(&b, 0x01);
    Err err = bundle_exports(cp, core, &b);
    if (err == OK)
        err = wat_expect_rpar(p);
    if (err == OK)
        err = cwat_emit(cp, core ? 2 : 5, &b);
    buf_fini(&b);
    TRY(err);
    return cwat_define(cp, core ? CNS_CORE_INSTANCE : CNS_INSTANCE, NULL, out);
}

/* The instantiation target: an index, or `(module|component ref)`. */
static Err instantiate_target(CompParser *cp, CNs ns, uint32_t *out) {
    WatParser *p = &cp->w;
    if (wat_peek(p)->kind != TOK_LPAR)
        return cwat_item_ref(cp, ns, out);
    TRY(wat_expect_lpar(p));
    if (wat_tok_is(wat_peek(p), "core"))
        p->pos++;
    TRY(wat_expect_kw(p, ns == CNS_CORE_MODULE ? "module" : "component"));
    TRY(cwat_item_ref(cp, ns, out));
    return wat_expect_rpar(p);
}

/* `(with "n" item)*` ; writes vec(arg). */
static Err with_args(CompParser *cp, bool core, ByteBuf *b) {
    WatParser *p = &cp->w;
    ByteBuf args;
    buf_init(&args);
    uint32_t n = 0;
    Err err = OK;
    while (err == OK && wat_peek_form(p, "with")) {
        p->pos += 2;
        Name name;
        err = cwat_name(cp, &name);
        cwat_put_name(&args, name);
        bool bundle = wat_peek_form(p, "instance") && wat_peek_at(p, 2)->kind == TOK_LPAR;
        if (err == OK && bundle) {
            uint32_t idx;
            p->pos += 2;
            err = arg_bundle(cp, core, &idx);
            if (err == OK) {
                buf_byte(&args, core ? 0x12 : 0x05);
                leb_write_u32(&args, idx);
            }
        } else if (err == OK) {
            err = sort_item(cp, core, &args, NULL, NULL);
        }
        if (err == OK)
            err = wat_expect_rpar(p);
        n++;
    }
    leb_write_u32(b, n);
    buf_bytes(b, args.data, args.len);
    buf_fini(&args);
    return err;
}

static Err core_instance(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 3;
    const Token *id;
    wat_opt_id(p, &id);
    ByteBuf b;
    buf_init(&b);
    Err err = OK;
    if (wat_peek_form(p, "instantiate")) {
        p->pos += 2;
        uint32_t mod;
        err = instantiate_target(cp, CNS_CORE_MODULE, &mod);
        buf_byte(&b, 0x00);
        leb_write_u32(&b, mod);
        if (err == OK)
            err = with_args(cp, true, &b);
        if (err == OK)
            err = wat_expect_rpar(p);
    } else {
        buf_byte(&b, 0x01);
        err = bundle_exports(cp, true, &b);
    }
    if (err == OK)
        err = cwat_emit(cp, 2, &b);
    buf_fini(&b);
    TRY(err);
    TRY(cwat_define(cp, CNS_CORE_INSTANCE, id, NULL));
    return wat_expect_rpar(p);
}

/* ---- Aliases ---------------------------------------------------------------- */

/* `(sort $id?)` closing an alias form. */
static Err alias_kind(CompParser *cp, CNs *out_ns, const Token **out_id) {
    WatParser *p = &cp->w;
    TRY(wat_expect_lpar(p));
    if (!sort_keyword(p, false, out_ns))
        return wat_unexpected(p, wat_peek(p));
    wat_opt_id(p, out_id);
    return wat_expect_rpar(p);
}

/* The outer count of `(alias outer $c ...)`: a number or an enclosing id. */
static Err outer_depth(CompParser *cp, uint32_t *out_depth, CScope **out_scope) {
    WatParser *p = &cp->w;
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ID) {
        TRY(wat_expect_u32(p, out_depth));
        CScope *s = cp->scope;
        for (uint32_t i = 0; s && i < *out_depth; i++)
            s = s->parent;
        *out_scope = s;
        return OK;
    }
    uint32_t depth = 0;
    for (CScope *s = cp->scope; s; s = s->parent, depth++) {
        if (s->id && s->id->len == t->len && memcmp(s->id->text, t->text, t->len) == 0) {
            *out_depth = depth;
            *out_scope = s;
            p->pos++;
            return OK;
        }
    }
    return wat_fail_at(p, t, "outer component `%.*s` not found", (int)t->len, t->text);
}

/* `(alias outer c i kind)` after the `outer` keyword. */
static Err outer_alias(CompParser *cp, const Token *wrap_id, CNs wrap_ns, uint32_t *out) {
    WatParser *p = &cp->w;
    uint32_t depth;
    CScope *target = NULL;
    TRY(outer_depth(cp, &depth, &target));
    const Token *it = wat_peek(p);
    uint32_t at = p->pos;
    p->pos++;
    CNs ns = wrap_ns;
    const Token *id = wrap_id;
    if (wat_peek(p)->kind == TOK_LPAR)
        TRY(alias_kind(cp, &ns, &id));
    if (cp->scope->kind == CSC_MODULE_TYPE && ns == CNS_TYPE)
        ns = CNS_CORE_TYPE;
    if (!outer_aliasable(ns))
        return wat_fail_at(p, it, "outer item `%.*s` is not a module, type, or component",
                           (int)it->len, it->text);
    uint32_t idx;
    if (it->kind == TOK_ID) {
        if (!target || !map_get(&target->names[ns], it->text, it->len, &idx))
            return wat_fail_at(p, it, "unknown %s: failed to find name `$%.*s`", "type",
                               (int)it->len, it->text);
    } else {
        uint32_t save = p->pos;
        p->pos = at;
        TRY(wat_expect_u32(p, &idx));
        p->pos = save;
    }
    ByteBuf tg;
    buf_init(&tg);
    buf_byte(&tg, 0x02);
    leb_write_u32(&tg, depth);
    leb_write_u32(&tg, idx);
    Err err = cwat_emit_alias(cp, ns, &tg, id, out);
    buf_fini(&tg);
    return err;
}

/* `(alias ...)` at '(' ; in any scope. */
static Err alias_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    uint32_t idx;
    if (wat_tok_is(wat_peek(p), "outer")) {
        p->pos++;
        TRY(outer_alias(cp, NULL, CNS_TYPE, &idx));
        return wat_expect_rpar(p);
    }
    bool core = false;
    if (wat_tok_is(wat_peek(p), "core")) {
        core = true;
        p->pos++;
    }
    TRY(wat_expect_kw(p, "export"));
    uint32_t inst;
    TRY(cwat_resolve(cp, core ? CNS_CORE_INSTANCE : CNS_INSTANCE, &inst));
    Name name;
    TRY(cwat_name(cp, &name));
    CNs ns;
    const Token *id = NULL;
    TRY(alias_kind(cp, &ns, &id));
    ByteBuf tg;
    buf_init(&tg);
    buf_byte(&tg, core ? 0x01 : 0x00);
    leb_write_u32(&tg, inst);
    cwat_put_name(&tg, name);
    Err err = cwat_emit_alias(cp, ns, &tg, id, &idx);
    buf_fini(&tg);
    TRY(err);
    return wat_expect_rpar(p);
}

/* `(alias export $i "n")` / `(alias core export $i "n")` inside a definition
 * form of sort `ns` with id `id`. */
static Err sugar_alias(CompParser *cp, CNs ns, const Token *id, uint32_t *out) {
    WatParser *p = &cp->w;
    p->pos += 2;
    bool core = false;
    if (wat_tok_is(wat_peek(p), "core")) {
        core = true;
        p->pos++;
    }
    if (wat_tok_is(wat_peek(p), "outer")) {
        p->pos++;
        TRY(outer_alias(cp, id, ns, out));
        return wat_expect_rpar(p);
    }
    TRY(wat_expect_kw(p, "export"));
    uint32_t inst;
    TRY(cwat_resolve(cp, core ? CNS_CORE_INSTANCE : CNS_INSTANCE, &inst));
    Name name;
    TRY(cwat_name(cp, &name));
    ByteBuf tg;
    buf_init(&tg);
    buf_byte(&tg, core ? 0x01 : 0x00);
    leb_write_u32(&tg, inst);
    cwat_put_name(&tg, name);
    Err err = cwat_emit_alias(cp, ns, &tg, id, out);
    buf_fini(&tg);
    TRY(err);
    return wat_expect_rpar(p);
}

/* `(core func|memory|table|global|tag $id? ...)` at '(' */
static Err core_entity(CompParser *cp, CNs ns) {
    WatParser *p = &cp->w;
    p->pos += 3;
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t idx;
    if (wat_peek_form(p, "alias"))
        TRY(sugar_alias(cp, ns, id, &idx));
    else if (ns == CNS_CORE_FUNC && wat_peek_form(p, "canon"))
        TRY(cwat_canon(cp, true, id, UINT32_MAX));
    else
        return wat_unexpected(p, wat_peek(p));
    return wat_expect_rpar(p);
}

/* ---- Component-level definitions --------------------------------------------- */

static Err encode_component(CompParser *cp, CScope *s, ByteBuf *out);

static Err nested_component(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    const Token *id;
    wat_opt_id(p, &id);
    NameBufs names = {0};
    Err err = inline_exports(cp, &names);
    uint32_t idx = 0;
    ByteBuf b;
    buf_init(&b);
    if (err == OK && peek_inline_import(p)) {
        err = import_sugar(cp, &b, CNS_COMPONENT, id, &idx);
    } else if (err == OK) {
        if (++cp->depth > 100)
            err = wat_fail_at(p, wat_peek(p), "nesting too deep");
        CScope inner;
        cwat_scope_init(&inner, CSC_COMPONENT, id, cp->scope);
        cp->scope = &inner;
        if (err == OK)
            err = cwat_component_fields(cp);
        if (err == OK)
            err = encode_component(cp, &inner, &b);
        cp->scope = inner.parent;
        cp->depth--;
        cwat_scope_fini(&inner);
        if (err == OK)
            err = cwat_emit(cp, 4, &b);
        if (err == OK)
            err = cwat_define(cp, CNS_COMPONENT, id, &idx);
    }
    return end_field(cp, &names, &b, err, CNS_COMPONENT, idx);
}

static Err instance_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    const Token *id;
    wat_opt_id(p, &id);
    NameBufs names = {0};
    Err err = inline_exports(cp, &names);
    uint32_t idx = 0;
    ByteBuf b;
    buf_init(&b);
    if (err == OK && peek_inline_import(p)) {
        err = import_sugar(cp, &b, CNS_INSTANCE, id, &idx);
    } else if (err == OK) {
        if (wat_peek_form(p, "instantiate")) {
            p->pos += 2;
            uint32_t comp;
            err = instantiate_target(cp, CNS_COMPONENT, &comp);
            buf_byte(&b, 0x00);
            leb_write_u32(&b, comp);
            if (err == OK)
                err = with_args(cp, false, &b);
            if (err == OK)
                err = wat_expect_rpar(p);
        } else {
            buf_byte(&b, 0x01);
            err = bundle_exports(cp, false, &b);
        }
        if (err == OK)
            err = cwat_emit(cp, 5, &b);
        if (err == OK)
            err = cwat_define(cp, CNS_INSTANCE, id, &idx);
    }
    return end_field(cp, &names, &b, err, CNS_INSTANCE, idx);
}

/* `(func $id? (export "n")* ...)`: import sugar, alias sugar or a lift. */
static Err func_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    const Token *id;
    wat_opt_id(p, &id);
    NameBufs names = {0};
    Err err = inline_exports(cp, &names);
    uint32_t idx = 0;
    ByteBuf b;
    buf_init(&b);
    if (err == OK && peek_inline_import(p)) {
        err = import_sugar(cp, &b, CNS_FUNC, id, &idx);
    } else if (err == OK && wat_peek_form(p, "alias")) {
        err = sugar_alias(cp, CNS_FUNC, id, &idx);
    } else if (err == OK) {
        uint32_t type;
        err = cwat_type_use(cp, CNS_FUNC, &type);
        if (err == OK && !wat_peek_form(p, "canon"))
            err = wat_unexpected(p, wat_peek(p));
        if (err == OK)
            err = cwat_canon(cp, true, id, type);
        idx = cp->scope->count[CNS_FUNC] - 1;
    }
    return end_field(cp, &names, &b, err, CNS_FUNC, idx);
}

static Err start_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    ByteBuf b;
    buf_init(&b);
    uint32_t f;
    Err err = cwat_resolve(cp, CNS_FUNC, &f);
    leb_write_u32(&b, f);
    ByteBuf args;
    buf_init(&args);
    uint32_t n_args = 0, n_results = 0;
    while (err == OK && wat_peek_form(p, "value")) {
        p->pos += 2;
        uint32_t v;
        err = cwat_item_ref(cp, CNS_VALUE, &v);
        leb_write_u32(&args, v);
        n_args++;
        if (err == OK)
            err = wat_expect_rpar(p);
    }
    VEC(const Token *) results = {0};
    while (err == OK && wat_peek_form(p, "result")) {
        p->pos += 2;
        err = wat_expect_form(p, "value");
        const Token *rid;
        wat_opt_id(p, &rid);
        if (err == OK && !VEC_PUSH(&results, rid))
            err = FAIL_NOMEM(p->diag);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err == OK)
            err = wat_expect_rpar(p);
        n_results++;
    }
    leb_write_u32(&b, n_args);
    buf_bytes(&b, args.data, args.len);
    leb_write_u32(&b, n_results);
    buf_fini(&args);
    if (err == OK)
        err = cwat_emit(cp, 9, &b);
    for (size_t i = 0; err == OK && i < results.len; i++)
        err = cwat_define(cp, CNS_VALUE, results.data[i], NULL);
    VEC_FREE(&results);
    buf_fini(&b);
    TRY(err);
    return wat_expect_rpar(p);
}

static Err import_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    ByteBuf b;
    buf_init(&b);
    CNs ns = CNS_FUNC;
    const Token *id = NULL;
    Err err = cwat_extern_name(cp, &b);
    if (err == OK)
        err = cwat_externdesc(cp, &b, &ns, &id);
    if (err == OK)
        err = cwat_emit(cp, 10, &b);
    buf_fini(&b);
    TRY(err);
    TRY(cwat_define(cp, ns, id, NULL));
    return wat_expect_rpar(p);
}

Err cwat_decl_extern(CompParser *cp, bool is_import) {
    WatParser *p = &cp->w;
    p->pos += 2;
    ByteBuf b;
    buf_init(&b);
    CNs ns = CNS_FUNC;
    const Token *id = NULL;
    Err err = cwat_extern_name(cp, &b);
    if (err == OK)
        err = cwat_externdesc(cp, &b, &ns, &id);
    if (err == OK)
        err = cwat_emit(cp, is_import ? 0x03 : 0x04, &b);
    buf_fini(&b);
    TRY(err);
    TRY(cwat_define(cp, ns, id, NULL));
    return wat_expect_rpar(p);
}

static Err export_field(CompParser *cp) {
    WatParser *p = &cp->w;
    p->pos += 2;
    const Token *id;
    wat_opt_id(p, &id);
    ByteBuf b;
    buf_init(&b);
    CNs ns = CNS_FUNC;
    Err err = cwat_extern_name(cp, &b);
    if (err == OK)
        err = sort_item(cp, false, &b, &ns, NULL);
    if (err == OK && wat_peek(p)->kind == TOK_LPAR) {
        CNs dns;
        const Token *did;
        buf_byte(&b, 0x01);
        err = cwat_externdesc(cp, &b, &dns, &did);
    } else {
        buf_byte(&b, 0x00);
    }
    if (err == OK)
        err = cwat_emit(cp, 11, &b);
    buf_fini(&b);
    TRY(err);
    TRY(cwat_define(cp, ns, id, NULL));
    return wat_expect_rpar(p);
}

static Err core_field(CompParser *cp) {
    WatParser *p = &cp->w;
    const Token *k = wat_peek_at(p, 2);
    if (wat_tok_is(k, "module"))
        return core_module(cp);
    if (wat_tok_is(k, "instance"))
        return core_instance(cp);
    if (wat_tok_is(k, "type") || wat_tok_is(k, "rec"))
        return cwat_core_type_field(cp);
    static const struct { const char *kw; CNs ns; } ents[] = {
        {"func", CNS_CORE_FUNC},     {"memory", CNS_CORE_MEMORY}, {"table", CNS_CORE_TABLE},
        {"global", CNS_CORE_GLOBAL}, {"tag", CNS_CORE_TAG},
    };
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
        if (wat_tok_is(k, ents[i].kw))
            return core_entity(cp, ents[i].ns);
    return wat_unexpected(p, k);
}

static Err field(CompParser *cp) {
    WatParser *p = &cp->w;
    if (wat_peek(p)->kind != TOK_LPAR)
        return wat_unexpected(p, wat_peek(p));
    const Token *kw = wat_peek_at(p, 1);
    if (wat_tok_is(kw, "core"))
        return core_field(cp);
    if (wat_tok_is(kw, "component"))
        return nested_component(cp);
    if (wat_tok_is(kw, "instance"))
        return instance_field(cp);
    if (wat_tok_is(kw, "alias"))
        return alias_field(cp);
    if (wat_tok_is(kw, "type"))
        return cwat_type_field(cp);
    if (wat_tok_is(kw, "canon")) {
        TRY(cwat_canon(cp, false, NULL, UINT32_MAX));
        return OK;
    }
    if (wat_tok_is(kw, "func"))
        return func_field(cp);
    if (wat_tok_is(kw, "start"))
        return start_field(cp);
    if (wat_tok_is(kw, "import"))
        return import_field(cp);
    if (wat_tok_is(kw, "export"))
        return export_field(cp);
    return wat_unexpected(p, wat_peek(p));
}

Err cwat_component_fields(CompParser *cp) {
    while (wat_peek(&cp->w)->kind == TOK_LPAR)
        TRY(field(cp));
    if (wat_peek(&cp->w)->kind != TOK_RPAR)
        return wat_unexpected(&cp->w, wat_peek(&cp->w));
    return OK;
}

Err cwat_alias_decl(CompParser *cp) {
    return alias_field(cp);
}

/* ---- Encoding --------------------------------------------------------------- */

static void put_section(ByteBuf *out, uint8_t id, const uint8_t *data, size_t len,
                        uint32_t count, bool vec) {
    ByteBuf c;
    buf_init(&c);
    if (vec)
        leb_write_u32(&c, count);
    buf_bytes(&c, data, len);
    buf_byte(out, id);
    leb_write_u32(out, (uint32_t)c.len);
    buf_bytes(out, c.data, c.len);
    if (c.failed)
        out->failed = true;
    buf_fini(&c);
}

static bool single_section(uint8_t id) {
    return id == 0 || id == 1 || id == 4 || id == 9;
}

static void put_items(ByteBuf *out, const CItem *items, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t id = items[i].code;
        if (single_section(id)) {
            put_section(out, id, items[i].data, items[i].len, 0, false);
            i++;
            continue;
        }
        ByteBuf c;
        buf_init(&c);
        size_t j = i;
        while (j < n && items[j].code == id) {
            buf_bytes(&c, items[j].data, items[j].len);
            j++;
        }
        put_section(out, id, c.data, c.len, (uint32_t)(j - i), true);
        if (c.failed)
            out->failed = true;
        buf_fini(&c);
        i = j;
    }
}

static Err encode_component(CompParser *cp, CScope *s, ByteBuf *out) {
    static const uint8_t preamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    buf_bytes(out, preamble, 8);
    /* a tail export followed by more tail exports forms one section with
       trailing export items of the body, as the grouping is by adjacency */
    VEC(CItem) all = {0};
    if (!VEC_RESERVE(&all, s->items.len + s->tail.len + 1))
        return FAIL_NOMEM(cp->w.diag);
    for (size_t i = 0; i < s->items.len; i++)
        all.data[all.len++] = s->items.data[i];
    for (size_t i = 0; i < s->tail.len; i++)
        all.data[all.len++] = s->tail.data[i];
    put_items(out, all.data, all.len);
    VEC_FREE(&all);
    return out->failed ? FAIL_NOMEM(cp->w.diag) : OK;
}

/* ---- Entry points ----------------------------------------------------------- */

Err wat_parse_component_tokens(const TokenList *tl, uint32_t start, uint32_t end,
                               const Token *id, ByteBuf *out, Diag *diag) {
    Arena arena;
    arena_init(&arena);
    CompParser cp;
    memset(&cp, 0, sizeof cp);
    cp.w.toks = tl->toks;
    cp.w.tl = tl;
    cp.w.pos = start;
    cp.w.diag = diag;
    cp.w.arena = &arena;
    for (int i = 0; i < SP_COUNT; i++)
        map_init(&cp.w.names[i]);
    CScope root;
    cwat_scope_init(&root, CSC_COMPONENT, id, NULL);
    cp.scope = &root;
    Err err = cwat_component_fields(&cp);
    if (err == OK && cp.w.pos != end)
        err = wat_unexpected(&cp.w, wat_peek(&cp.w));
    if (err == OK)
        err = encode_component(&cp, &root, out);
    cwat_scope_fini(&root);
    for (int i = 0; i < SP_COUNT; i++)
        map_fini(&cp.w.names[i]);
    arena_fini(&arena);
    return err;
}

Err wat_parse_component(const char *text, size_t len, const char *filename, ByteBuf *out,
                        Diag *diag) {
    (void)filename;
    Arena arena;
    arena_init(&arena);
    TokenList tl = {0};
    Err err = wat_lex(text, len, &arena, &tl, diag);
    if (err == OK) {
        const Token *t = tl.toks;
        uint32_t start = 0, end = tl.n - 1;
        const Token *id = NULL;
        if (t[0].kind == TOK_LPAR && wat_tok_is(&t[1], "component")) {
            end = t[0].match;
            start = 2;
            if (t[2].kind == TOK_ID)
                id = &t[start++];
            if (t[end].kind != TOK_RPAR || t[end + 1].kind != TOK_EOF)
                err = FAIL_TEXT(diag, ERR_MALFORMED, t[end].line, t[end].col,
                                "unexpected token");
        }
        if (err == OK)
            err = wat_parse_component_tokens(&tl, start, end, id, out, diag);
    }
    wat_tokens_free(&tl);
    arena_fini(&arena);
    if (err != OK && strcmp(diag->msg, "illegal escape") == 0)
        snprintf(diag->msg, sizeof diag->msg, "invalid string escape"); /* wasm-tools' words */
    return err;
}
