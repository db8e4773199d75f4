/* Module fields of the text format. Pass one walks the fields (skipping each
 * form through its matching parenthesis) to number every index space and bind
 * names, so fields may refer forward; pass two parses type definitions, then
 * every other field in textual order, filling the Module IR. Inline
 * imports/exports, inline table elements and memory data are expanded here. */
#include "wat_int.h"

#include <string.h>

typedef struct ScanState {
    uint32_t imported[SP_COUNT];
    uint32_t n_imports, n_exports;
} ScanState;

static const char *const def_what[SP_COUNT] = {
    "type", "function", "table", "memory", "global", "tag", "elem", "data",
};
static const char *const dup_what[SP_COUNT] = {
    "type", "func", "table", "memory", "global", "tag", "elem", "data",
};

static int space_of_keyword(const Token *t) {
    static const char *const kws[] = {"func", "table", "memory", "global", "tag"};
    static const Space spaces[] = {SP_FUNC, SP_TABLE, SP_MEMORY, SP_GLOBAL, SP_TAG};
    for (int i = 0; i < 5; i++)
        if (wat_tok_is(t, kws[i]))
            return (int)spaces[i];
    return -1;
}

static bool form_at(const WatParser *p, uint32_t i, const char *kw) {
    return p->toks[i].kind == TOK_LPAR && wat_tok_is(&p->toks[i + 1], kw);
}

static Err check_import_order(WatParser *p, const Token *at) {
    static const Space order[] = {SP_FUNC, SP_TABLE, SP_MEMORY, SP_GLOBAL, SP_TAG};
    for (int i = 0; i < 5; i++)
        if (p->defined[order[i]])
            return wat_fail_at(p, at, "import after %s", def_what[order[i]]);
    return OK;
}

/* Pass one over (func|table|memory|global|tag ...) starting at '(' index i. */
static Err scan_entity(WatParser *p, ScanState *s, uint32_t i, Space space) {
    uint32_t k = i + 2, end = p->toks[i].match;
    const Token *id = p->toks[k].kind == TOK_ID ? &p->toks[k] : NULL;
    if (id)
        k++;
    while (form_at(p, k, "export")) {
        s->n_exports++;
        k = p->toks[k].match + 1;
    }
    TRY(wat_bind(p, &p->names[space], id, p->counts[space], dup_what[space]));
    p->counts[space]++;
    if (form_at(p, k, "import")) {
        TRY(check_import_order(p, &p->toks[k]));
        s->imported[space]++;
        s->n_imports++;
        return OK;
    }
    p->defined[space]++;
    for (; k < end; k = p->toks[k].kind == TOK_LPAR ? p->toks[k].match + 1 : k + 1) {
        if (space == SP_TABLE && form_at(p, k, "elem"))
            p->counts[SP_ELEM]++;
        if (space == SP_MEMORY && form_at(p, k, "data"))
            p->counts[SP_DATA]++;
    }
    return OK;
}

static Err scan_import(WatParser *p, ScanState *s, uint32_t i) {
    uint32_t k = i + 2;
    TRY(check_import_order(p, &p->toks[i + 1]));
    while (p->toks[k].kind == TOK_STRING)
        k++;
    if (p->toks[k].kind != TOK_LPAR)
        return OK; /* pass two reports it */
    int space = space_of_keyword(&p->toks[k + 1]);
    if (space < 0)
        return OK;
    const Token *id = p->toks[k + 2].kind == TOK_ID ? &p->toks[k + 2] : NULL;
    TRY(wat_bind(p, &p->names[space], id, p->counts[space], dup_what[space]));
    p->counts[space]++;
    s->imported[space]++;
    s->n_imports++;
    return OK;
}

static Err scan_field(WatParser *p, ScanState *s, uint32_t i) {
    const Token *kw = &p->toks[i + 1];
    const Token *id = p->toks[i + 2].kind == TOK_ID ? &p->toks[i + 2] : NULL;
    int space = space_of_keyword(kw);
    if (space >= 0)
        return scan_entity(p, s, i, (Space)space);
    if (wat_tok_is(kw, "type") || wat_tok_is(kw, "rec"))
        return wat_scan_types(p, &p->toks[i]);
    if (wat_tok_is(kw, "import"))
        return scan_import(p, s, i);
    if (wat_tok_is(kw, "export")) {
        s->n_exports++;
        return OK;
    }
    if (wat_tok_is(kw, "elem") || wat_tok_is(kw, "data")) {
        Space sp = wat_tok_is(kw, "elem") ? SP_ELEM : SP_DATA;
        TRY(wat_bind(p, &p->names[sp], id, p->counts[sp], dup_what[sp]));
        p->counts[sp]++;
        return OK;
    }
    if (wat_tok_is(kw, "start"))
        return OK;
    return wat_unexpected(p, kw);
}

/* ---- Pass two: shared pieces ------------------------------------------------- */

static Err inline_exports(WatParser *p, ExternKind kind, uint32_t index) {
    while (wat_peek_form(p, "export")) {
        p->pos += 2;
        Export e;
        memset(&e, 0, sizeof e);
        TRY(wat_expect_name(p, &e.name));
        e.kind = (uint8_t)kind;
        e.index = index;
        TRY(wat_expect_rpar(p));
        if (!VEC_PUSH(&p->exports, e))
            return FAIL_NOMEM(p->diag);
    }
    return OK;
}

/* (import "m" "n") if present; sets *out_import to its index in imports. */
static Err inline_import(WatParser *p, ExternKind kind, uint32_t index, int32_t *out_import) {
    *out_import = -1;
    if (!wat_peek_form(p, "import"))
        return OK;
    p->pos += 2;
    Import im;
    memset(&im, 0, sizeof im);
    TRY(wat_expect_name(p, &im.module));
    TRY(wat_expect_name(p, &im.field));
    TRY(wat_expect_rpar(p));
    im.kind = (uint8_t)kind;
    im.index = index;
    *out_import = (int32_t)p->imports.len;
    if (!VEC_PUSH(&p->imports, im))
        return FAIL_NOMEM(p->diag);
    return OK;
}

static bool peek_addrtype(WatParser *p, bool *is64) {
    const Token *t = wat_peek(p);
    if (wat_tok_is(t, "i32") || wat_tok_is(t, "i64")) {
        *is64 = wat_tok_is(t, "i64");
        p->pos++;
        return true;
    }
    *is64 = false;
    return false;
}

/* spec: Text Format > Types > Limits. Bounds are u64 in the text and in the
 * binary format for either address type, so sizes too large for a 32-bit
 * memory or table are left to the validator (invalid, not malformed). */
static Err limits(WatParser *p, Limits *out) {
    TRY(wat_expect_u64(p, &out->min));
    out->has_max = false;
    if (wat_peek(p)->kind == TOK_ATOM && wat_num_class(wat_peek(p)->text, wat_peek(p)->len) == NUM_NAT) {
        TRY(wat_expect_u64(p, &out->max));
        out->has_max = true;
    }
    return OK;
}

static Err table_type(WatParser *p, TableType *out) {
    memset(out, 0, sizeof *out);
    peek_addrtype(p, &out->limits.is64);
    TRY(limits(p, &out->limits));
    return wat_reftype(p, &out->elem);
}

static Err mem_type(WatParser *p, MemType *out) {
    memset(out, 0, sizeof *out);
    peek_addrtype(p, &out->is64);
    TRY(limits(p, out));
    if (wat_tok_is(wat_peek(p), "shared")) {
        p->pos++;
        out->shared = true;
    } else if (wat_tok_is(wat_peek(p), "unshared")) {
        p->pos++;
    }
    return OK;
}

static Err global_type(WatParser *p, GlobalType *out) {
    out->mutable_ = false;
    if (wat_peek_form(p, "mut")) {
        p->pos += 2;
        out->mutable_ = true;
        TRY(wat_valtype(p, &out->type));
        return wat_expect_rpar(p);
    }
    return wat_valtype(p, &out->type);
}

static Err tag_type(WatParser *p, TagType *out) {
    out->attribute = 0;
    p->n_locals = 0;
    return wat_type_use(p, false, &out->type);
}

/* An offset: (offset instr*) or one folded instruction. */
static Err offset_expr(WatParser *p, ConstExpr *out) {
    if (wat_peek_form(p, "offset")) {
        p->pos += 2;
        TRY(wat_const_expr(p, out));
        return wat_expect_rpar(p);
    }
    return wat_const_expr_folded(p, out);
}

static Err const_i32_zero(WatParser *p, ConstExpr *out, bool is64) {
    Instr *ins = wat_alloc(p, 2 * sizeof(Instr));
    if (!ins)
        return FAIL_NOMEM(p->diag);
    memset(ins, 0, 2 * sizeof(Instr));
    ins[0].op = is64 ? OP_I64_CONST : OP_I32_CONST;
    ins[1].op = OP_END;
    out->instrs = ins;
    out->n_instrs = 2;
    out->offset = 0;
    return OK;
}

/* ---- Element lists ------------------------------------------------------------ */

/* Items after the element type: function indices, or expressions. */
static Err elem_items(WatParser *p, ElemSegment *seg, bool indices) {
    VEC(uint32_t) funcs = {0};
    VEC(ConstExpr) items = {0};
    Err err = OK;
    while (err == OK && wat_peek(p)->kind != TOK_RPAR) {
        if (indices) {
            uint32_t f;
            err = wat_index(p, SP_FUNC, &f);
            if (err == OK && !VEC_PUSH(&funcs, f))
                err = FAIL_NOMEM(p->diag);
            continue;
        }
        ConstExpr e;
        if (wat_peek_form(p, "item")) {
            p->pos += 2;
            err = wat_const_expr(p, &e);
            if (err == OK)
                err = wat_expect_rpar(p);
        } else {
            err = wat_const_expr_folded(p, &e);
        }
        if (err == OK && !VEC_PUSH(&items, e))
            err = FAIL_NOMEM(p->diag);
    }
    if (err == OK) {
        seg->exprs = !indices;
        seg->n_items = (uint32_t)(indices ? funcs.len : items.len);
        if (indices) {
            seg->funcs = wat_alloc(p, sizeof(uint32_t) * funcs.len);
            if (!seg->funcs)
                err = FAIL_NOMEM(p->diag);
            else if (funcs.len)
                memcpy(seg->funcs, funcs.data, sizeof(uint32_t) * funcs.len);
        } else {
            seg->items = wat_alloc(p, sizeof(ConstExpr) * items.len);
            if (!seg->items)
                err = FAIL_NOMEM(p->diag);
            else if (items.len)
                memcpy(seg->items, items.data, sizeof(ConstExpr) * items.len);
        }
    }
    VEC_FREE(&funcs);
    VEC_FREE(&items);
    return err;
}

/* Function indices as (ref.func x) expressions, for element types other
 * than func, which the index forms of the binary cannot carry. */
static Err indices_to_exprs(WatParser *p, ElemSegment *seg) {
    ConstExpr *items = wat_alloc(p, sizeof(ConstExpr) * seg->n_items);
    Instr *ins = wat_alloc(p, 2 * sizeof(Instr) * seg->n_items);
    if (!items || !ins)
        return FAIL_NOMEM(p->diag);
    memset(ins, 0, 2 * sizeof(Instr) * seg->n_items);
    for (uint32_t i = 0; i < seg->n_items; i++) {
        ins[2 * i].op = OP_REF_FUNC;
        ins[2 * i].imm.index = seg->funcs[i];
        ins[2 * i + 1].op = OP_END;
        items[i].instrs = &ins[2 * i];
        items[i].n_instrs = 2;
        items[i].offset = 0;
    }
    seg->items = items;
    seg->funcs = NULL;
    seg->exprs = true;
    return OK;
}

/* elemlist: `func` idx* | reftype item* | idx* (abbreviation). */
static Err elem_list(WatParser *p, ElemSegment *seg) {
    if (wat_tok_is(wat_peek(p), "func")) {
        p->pos++;
        seg->type = ir_reftype(false, HT_FUNC);
        return elem_items(p, seg, true);
    }
    if (wat_peek_valtype(p)) {
        TRY(wat_reftype(p, &seg->type));
        return elem_items(p, seg, false);
    }
    seg->type = ir_reftype(false, HT_FUNC);
    return elem_items(p, seg, true);
}

static uint8_t elem_flags(const ElemSegment *seg) {
    uint8_t exprs = seg->exprs ? 4 : 0;
    if (seg->mode == SEG_PASSIVE)
        return 1 | exprs;
    if (seg->mode == SEG_DECLARATIVE)
        return 3 | exprs;
    bool plain = seg->table == 0 &&
                 (seg->exprs ? (seg->type.heap == HT_FUNC && seg->type.nullable) : true);
    return (plain ? 0 : 2) | exprs;
}

/* ---- Pass two: fields ------------------------------------------------------- */

static Err locals_decl(WatParser *p, Code *code) {
    VEC(LocalGroup) groups = {0};
    Err err = OK;
    uint64_t n = 0;
    while (err == OK && wat_peek_form(p, "local")) {
        p->pos += 2;
        const Token *id;
        bool named = wat_opt_id(p, &id);
        while (err == OK && wat_peek(p)->kind != TOK_RPAR) {
            ValType t;
            err = wat_valtype(p, &t);
            if (err == OK && named)
                err = wat_bind(p, &p->locals, id, p->n_locals, "local");
            if (err != OK)
                break;
            p->n_locals++;
            n++;
            if (groups.len && ir_valtype_eq(VEC_LAST(&groups).type, t)) {
                VEC_LAST(&groups).count++;
            } else {
                LocalGroup g = {1, t};
                if (!VEC_PUSH(&groups, g))
                    err = FAIL_NOMEM(p->diag);
            }
            if (named)
                break;
        }
        if (err == OK)
            err = wat_expect_rpar(p);
    }
    if (err == OK) {
        code->n_locals = n;
        code->n_local_groups = (uint32_t)groups.len;
        code->local_groups = wat_alloc(p, sizeof(LocalGroup) * groups.len);
        if (!code->local_groups)
            err = FAIL_NOMEM(p->diag);
        else if (groups.len)
            memcpy(code->local_groups, groups.data, sizeof(LocalGroup) * groups.len);
    }
    VEC_FREE(&groups);
    return err;
}

static Err func_body(WatParser *p, Code *code) {
    TRY(locals_decl(p, code));
    p->code.len = 0;
    p->labels.len = 0;
    p->hints.len = 0;
    TRY(wat_instrs(p));
    Instr end;
    memset(&end, 0, sizeof end);
    end.op = OP_END;
    if (!VEC_PUSH(&p->code, end))
        return FAIL_NOMEM(p->diag);
    TRY(wat_take_hints(p, code));
    return wat_take_code(p, &code->instrs, &code->n_instrs);
}

static Err func_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t index = p->next[SP_FUNC]++;
    Func *f = &p->mod->funcs[index];
    TRY(inline_exports(p, EXTERN_FUNC, index));
    TRY(inline_import(p, EXTERN_FUNC, index, &f->import));
    map_clear(&p->locals);
    p->n_locals = 0;
    TRY(wat_type_use(p, true, &f->type));
    if (f->import < 0)
        TRY(func_body(p, &f->code));
    map_clear(&p->locals);
    return wat_expect_rpar(p);
}

static Err new_elem(WatParser *p, ElemSegment **out) {
    uint32_t index = p->next[SP_ELEM]++;
    *out = &p->mod->elems[index];
    memset(*out, 0, sizeof **out);
    return OK;
}

/* (table reftype (elem ...)) after the optional address type. */
static Err table_inline_elem(WatParser *p, Table *t, uint32_t index, bool is64) {
    TRY(wat_reftype(p, &t->type.elem));
    TRY(wat_expect_form(p, "elem"));
    ElemSegment *seg;
    TRY(new_elem(p, &seg));
    seg->mode = SEG_ACTIVE;
    seg->table = index;
    TRY(const_i32_zero(p, &seg->offset, is64));
    bool indices = wat_peek(p)->kind != TOK_LPAR;
    TRY(elem_items(p, seg, indices));
    seg->type = t->type.elem;
    if (indices && t->type.elem.heap == HT_FUNC)
        seg->type = ir_reftype(false, HT_FUNC);
    else if (indices)
        TRY(indices_to_exprs(p, seg));
    seg->flags = elem_flags(seg);
    t->type.limits.min = t->type.limits.max = seg->n_items;
    t->type.limits.has_max = true;
    t->type.limits.is64 = is64;
    TRY(wat_expect_rpar(p));
    return wat_expect_rpar(p);
}

static Err table_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t index = p->next[SP_TABLE]++;
    Table *t = &p->mod->tables[index];
    TRY(inline_exports(p, EXTERN_TABLE, index));
    TRY(inline_import(p, EXTERN_TABLE, index, &t->import));
    if (t->import < 0) {
        uint32_t save = p->pos;
        bool is64;
        peek_addrtype(p, &is64);
        if (wat_peek_valtype(p))
            return table_inline_elem(p, t, index, is64);
        p->pos = save;
    }
    TRY(table_type(p, &t->type));
    if (t->import < 0 && wat_peek(p)->kind != TOK_RPAR) {
        t->has_init = true;
        TRY(wat_const_expr(p, &t->init));
    }
    return wat_expect_rpar(p);
}

/* Concatenated strings up to ')' into the module arena. */
static Err data_strings(WatParser *p, const uint8_t **out, uint32_t *out_len) {
    ByteBuf b;
    buf_init(&b);
    while (wat_peek(p)->kind == TOK_STRING) {
        Name n;
        Err err = wat_expect_string(p, &n);
        if (err != OK) {
            buf_fini(&b);
            return err;
        }
        buf_bytes(&b, n.str, n.len);
    }
    Err err = OK;
    uint8_t *bytes = b.failed ? NULL : arena_memdup(p->arena, b.data ? b.data : (uint8_t *)"", b.len);
    if (!bytes)
        err = FAIL_NOMEM(p->diag);
    *out = bytes;
    *out_len = (uint32_t)b.len;
    buf_fini(&b);
    return err;
}

static Err memory_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t index = p->next[SP_MEMORY]++;
    Memory *m = &p->mod->memories[index];
    TRY(inline_exports(p, EXTERN_MEMORY, index));
    TRY(inline_import(p, EXTERN_MEMORY, index, &m->import));
    if (m->import < 0) {
        uint32_t save = p->pos;
        bool is64;
        peek_addrtype(p, &is64);
        if (wat_peek_form(p, "data")) {
            p->pos += 2;
            DataSegment *d = &p->mod->datas[p->next[SP_DATA]++];
            memset(d, 0, sizeof *d);
            d->mode = SEG_ACTIVE;
            d->memory = index;
            TRY(const_i32_zero(p, &d->offset, is64));
            TRY(data_strings(p, &d->bytes, &d->len));
            TRY(wat_expect_rpar(p));
            memset(&m->type, 0, sizeof m->type);
            m->type.min = m->type.max = ((uint64_t)d->len + 65535) / 65536;
            m->type.has_max = true;
            m->type.is64 = is64;
            return wat_expect_rpar(p);
        }
        p->pos = save;
    }
    TRY(mem_type(p, &m->type));
    return wat_expect_rpar(p);
}

static Err global_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t index = p->next[SP_GLOBAL]++;
    Global *g = &p->mod->globals[index];
    TRY(inline_exports(p, EXTERN_GLOBAL, index));
    TRY(inline_import(p, EXTERN_GLOBAL, index, &g->import));
    TRY(global_type(p, &g->type));
    if (g->import < 0)
        TRY(wat_const_expr(p, &g->init));
    return wat_expect_rpar(p);
}

static Err tag_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t index = p->next[SP_TAG]++;
    Tag *t = &p->mod->tags[index];
    TRY(inline_exports(p, EXTERN_TAG, index));
    TRY(inline_import(p, EXTERN_TAG, index, &t->import));
    TRY(tag_type(p, &t->type));
    return wat_expect_rpar(p);
}

static Err import_field(WatParser *p) {
    Import im;
    memset(&im, 0, sizeof im);
    TRY(wat_expect_name(p, &im.module));
    TRY(wat_expect_name(p, &im.field));
    TRY(wat_expect_lpar(p));
    int space = space_of_keyword(wat_peek(p));
    if (space < 0)
        return wat_unexpected(p, wat_peek(p));
    p->pos++;
    const Token *id;
    wat_opt_id(p, &id);
    uint32_t index = p->next[space]++;
    int32_t import_index = (int32_t)p->imports.len;
    Module *mod = p->mod;
    switch (space) {
    case SP_FUNC:
        im.kind = EXTERN_FUNC;
        mod->funcs[index].import = import_index;
        map_clear(&p->locals);
        p->n_locals = 0;
        TRY(wat_type_use(p, true, &mod->funcs[index].type));
        map_clear(&p->locals);
        break;
    case SP_TABLE:
        im.kind = EXTERN_TABLE;
        mod->tables[index].import = import_index;
        TRY(table_type(p, &mod->tables[index].type));
        break;
    case SP_MEMORY:
        im.kind = EXTERN_MEMORY;
        mod->memories[index].import = import_index;
        TRY(mem_type(p, &mod->memories[index].type));
        break;
    case SP_GLOBAL:
        im.kind = EXTERN_GLOBAL;
        mod->globals[index].import = import_index;
        TRY(global_type(p, &mod->globals[index].type));
        break;
    default:
        im.kind = EXTERN_TAG;
        mod->tags[index].import = import_index;
        TRY(tag_type(p, &mod->tags[index].type));
        break;
    }
    im.index = index;
    if (!VEC_PUSH(&p->imports, im))
        return FAIL_NOMEM(p->diag);
    TRY(wat_expect_rpar(p));
    return wat_expect_rpar(p);
}

static Err export_field(WatParser *p) {
    Export e;
    memset(&e, 0, sizeof e);
    TRY(wat_expect_name(p, &e.name));
    TRY(wat_expect_lpar(p));
    int space = space_of_keyword(wat_peek(p));
    if (space < 0)
        return wat_unexpected(p, wat_peek(p));
    p->pos++;
    static const uint8_t kinds[SP_COUNT] = {
        [SP_FUNC] = EXTERN_FUNC,     [SP_TABLE] = EXTERN_TABLE, [SP_MEMORY] = EXTERN_MEMORY,
        [SP_GLOBAL] = EXTERN_GLOBAL, [SP_TAG] = EXTERN_TAG,
    };
    e.kind = kinds[space];
    TRY(wat_index(p, (Space)space, &e.index));
    TRY(wat_expect_rpar(p));
    if (!VEC_PUSH(&p->exports, e))
        return FAIL_NOMEM(p->diag);
    return wat_expect_rpar(p);
}

static Err start_field(WatParser *p, const Token *kw) {
    if (p->mod->has_start)
        return wat_fail_at(p, kw, "multiple start sections");
    TRY(wat_index(p, SP_FUNC, &p->mod->start));
    p->mod->has_start = true;
    return wat_expect_rpar(p);
}

static Err elem_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    ElemSegment *seg;
    TRY(new_elem(p, &seg));
    if (wat_tok_is(wat_peek(p), "declare")) {
        p->pos++;
        seg->mode = SEG_DECLARATIVE;
    } else if (wat_peek_form(p, "table")) {
        p->pos += 2;
        seg->mode = SEG_ACTIVE;
        TRY(wat_index(p, SP_TABLE, &seg->table));
        TRY(wat_expect_rpar(p));
        TRY(offset_expr(p, &seg->offset));
    } else if (wat_peek_index(p) && wat_peek_at(p, 1)->kind == TOK_LPAR) {
        /* the MVP form (elem x (offset) ...) with a bare table index */
        seg->mode = SEG_ACTIVE;
        TRY(wat_index(p, SP_TABLE, &seg->table));
        TRY(offset_expr(p, &seg->offset));
    } else if (wat_peek(p)->kind == TOK_LPAR && !wat_peek_form(p, "ref") &&
               !wat_peek_form(p, "item")) {
        seg->mode = SEG_ACTIVE;
        TRY(offset_expr(p, &seg->offset));
    } else {
        seg->mode = SEG_PASSIVE;
    }
    TRY(elem_list(p, seg));
    seg->flags = elem_flags(seg);
    return wat_expect_rpar(p);
}

static Err data_field(WatParser *p) {
    const Token *id;
    wat_opt_id(p, &id);
    DataSegment *d = &p->mod->datas[p->next[SP_DATA]++];
    memset(d, 0, sizeof *d);
    d->mode = SEG_PASSIVE;
    if (wat_peek_form(p, "memory")) {
        p->pos += 2;
        TRY(wat_index(p, SP_MEMORY, &d->memory));
        TRY(wat_expect_rpar(p));
        d->mode = SEG_ACTIVE;
        TRY(offset_expr(p, &d->offset));
    } else if (wat_peek_index(p)) {
        /* the MVP form (data x (offset) ...) with a bare memory index */
        TRY(wat_index(p, SP_MEMORY, &d->memory));
        d->mode = SEG_ACTIVE;
        TRY(offset_expr(p, &d->offset));
    } else if (wat_peek(p)->kind == TOK_LPAR) {
        d->mode = SEG_ACTIVE;
        TRY(offset_expr(p, &d->offset));
    }
    d->flags = d->mode == SEG_PASSIVE ? 1 : d->memory != 0 ? 2 : 0;
    TRY(data_strings(p, &d->bytes, &d->len));
    return wat_expect_rpar(p);
}

static Err field(WatParser *p) {
    TRY(wat_expect_lpar(p));
    const Token *kw = wat_peek(p);
    p->pos++;
    if (wat_tok_is(kw, "func"))
        return func_field(p);
    if (wat_tok_is(kw, "table"))
        return table_field(p);
    if (wat_tok_is(kw, "memory"))
        return memory_field(p);
    if (wat_tok_is(kw, "global"))
        return global_field(p);
    if (wat_tok_is(kw, "tag"))
        return tag_field(p);
    if (wat_tok_is(kw, "import"))
        return import_field(p);
    if (wat_tok_is(kw, "export"))
        return export_field(p);
    if (wat_tok_is(kw, "start"))
        return start_field(p, kw);
    if (wat_tok_is(kw, "elem"))
        return elem_field(p);
    if (wat_tok_is(kw, "data"))
        return data_field(p);
    return wat_unexpected(p, kw);
}

/* ---- Driver ----------------------------------------------------------------- */

#define ALLOC_SPACE(p, field, space)                                                               \
    ((p)->mod->field = arena_calloc((p)->arena, (p)->counts[space] ? (p)->counts[space] : 1,     \
                                    sizeof *(p)->mod->field))

static Err allocate(WatParser *p) {
    if (!ALLOC_SPACE(p, funcs, SP_FUNC) || !ALLOC_SPACE(p, tables, SP_TABLE) ||
        !ALLOC_SPACE(p, memories, SP_MEMORY) || !ALLOC_SPACE(p, globals, SP_GLOBAL) ||
        !ALLOC_SPACE(p, tags, SP_TAG) || !ALLOC_SPACE(p, elems, SP_ELEM) ||
        !ALLOC_SPACE(p, datas, SP_DATA))
        return FAIL_NOMEM(p->diag);
    return OK;
}

static Err finish(WatParser *p, const ScanState *s) {
    Module *mod = p->mod;
    mod->n_types = (uint32_t)p->types.len;
    mod->types = arena_memdup(p->arena, p->types.data ? (void *)p->types.data : (void *)"",
                              sizeof(SubType) * p->types.len);
    mod->n_imports = (uint32_t)p->imports.len;
    mod->imports = arena_memdup(p->arena, p->imports.data ? (void *)p->imports.data : (void *)"",
                                sizeof(Import) * p->imports.len);
    mod->n_exports = (uint32_t)p->exports.len;
    mod->exports = arena_memdup(p->arena, p->exports.data ? (void *)p->exports.data : (void *)"",
                                sizeof(Export) * p->exports.len);
    if (!mod->types || !mod->imports || !mod->exports)
        return FAIL_NOMEM(p->diag);
    mod->n_funcs = p->counts[SP_FUNC];
    mod->n_func_imports = s->imported[SP_FUNC];
    mod->n_tables = p->counts[SP_TABLE];
    mod->n_table_imports = s->imported[SP_TABLE];
    mod->n_memories = p->counts[SP_MEMORY];
    mod->n_memory_imports = s->imported[SP_MEMORY];
    mod->n_globals = p->counts[SP_GLOBAL];
    mod->n_global_imports = s->imported[SP_GLOBAL];
    mod->n_tags = p->counts[SP_TAG];
    mod->n_tag_imports = s->imported[SP_TAG];
    mod->n_elems = p->counts[SP_ELEM];
    mod->n_datas = p->counts[SP_DATA];
    return OK;
}

Err wat_module_fields(WatParser *p, uint32_t end) {
    ScanState s;
    memset(&s, 0, sizeof s);
    uint32_t start = p->pos;
    for (uint32_t i = start; i < end; i = p->toks[i].match + 1) {
        if (p->toks[i].kind != TOK_LPAR)
            return wat_unexpected(p, &p->toks[i]);
        TRY(scan_field(p, &s, i));
    }
    TRY(allocate(p));
    TRY(wat_branch_hints(p, start, end));
    for (uint32_t i = start; i < end; i = p->toks[i].match + 1) {
        if (form_at(p, i, "type") || form_at(p, i, "rec")) {
            p->pos = i;
            TRY(wat_type_field(p));
        }
    }
    for (uint32_t i = start; i < end; i = p->toks[i].match + 1) {
        if (form_at(p, i, "type") || form_at(p, i, "rec"))
            continue;
        p->pos = i;
        TRY(field(p));
    }
    TRY(wat_check_hints_used(p));
    TRY(wat_custom_sections(p, start, end));
    return finish(p, &s);
}
