/* Types in the text format: value, reference and heap types, type
 * definitions (rec/sub/final/func/struct/array with field names), type uses
 * with inline params/results, block types, and implicit types, which are
 * appended after the explicit ones in first-use order (reusing an equal
 * plain function type) as the reference interpreter does. */
#include "wat_int.h"

#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool numeric_kind(const Token *t, ValKind *out) {
    static const struct { const char *name; ValKind kind; } nums[] = {
        {"i32", VK_I32}, {"i64", VK_I64}, {"f32", VK_F32}, {"f64", VK_F64}, {"v128", VK_V128},
    };
    for (size_t i = 0; i < N_OF(nums); i++) {
        if (wat_tok_is(t, nums[i].name)) {
            *out = nums[i].kind;
            return true;
        }
    }
    return false;
}

bool wat_peek_valtype(const WatParser *p) {
    const Token *t = wat_peek(p);
    ValKind k;
    if (t->kind == TOK_ATOM)
        return numeric_kind(t, &k) || ir_ref_shorthand_by_name(t->text, t->len, &(int32_t){0});
    return wat_peek_form(p, "ref");
}

Err wat_heaptype(WatParser *p, int32_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind == TOK_ATOM && ir_heap_type_by_name(t->text, t->len, out)) {
        p->pos++;
        return OK;
    }
    if (!wat_peek_index(p))
        return wat_unexpected(p, t);
    uint32_t idx;
    TRY(wat_index(p, SP_TYPE, &idx));
    if (idx > INT32_MAX)
        return wat_fail_at(p, t, "unknown type");
    *out = (int32_t)idx;
    return OK;
}

Err wat_reftype(WatParser *p, ValType *out) {
    const Token *t = wat_peek(p);
    int32_t heap;
    if (t->kind == TOK_ATOM && ir_ref_shorthand_by_name(t->text, t->len, &heap)) {
        *out = ir_reftype(true, heap);
        p->pos++;
        return OK;
    }
    TRY(wat_expect_form(p, "ref"));
    bool nullable = false;
    if (wat_tok_is(wat_peek(p), "null")) {
        nullable = true;
        p->pos++;
    }
    TRY(wat_heaptype(p, &heap));
    *out = ir_reftype(nullable, heap);
    return wat_expect_rpar(p);
}

Err wat_valtype(WatParser *p, ValType *out) {
    ValKind k;
    if (numeric_kind(wat_peek(p), &k)) {
        *out = ir_valtype(k);
        p->pos++;
        return OK;
    }
    return wat_reftype(p, out);
}

static Err storage_type(WatParser *p, ValType *out) {
    const Token *t = wat_peek(p);
    if (wat_tok_is(t, "i8") || wat_tok_is(t, "i16")) {
        *out = ir_valtype(wat_tok_is(t, "i8") ? VK_I8 : VK_I16);
        p->pos++;
        return OK;
    }
    return wat_valtype(p, out);
}

static Err field_type(WatParser *p, FieldType *out) {
    out->mutable_ = false;
    if (wat_peek_form(p, "mut")) {
        p->pos += 2;
        out->mutable_ = true;
        TRY(storage_type(p, &out->type));
        return wat_expect_rpar(p);
    }
    return storage_type(p, &out->type);
}

/* ---- Type uses and function types ------------------------------------------- */

/* (param ...)* then (result ...)* into p->scratch_types; params first. When
 * `names` is "bind", param ids bind locals; when "forbid", ids are errors. */
typedef enum ParamIds { IDS_IGNORE, IDS_BIND, IDS_FORBID } ParamIds;

static Err params_results(WatParser *p, ParamIds ids, uint32_t *n_params, uint32_t *n_results) {
    *n_params = *n_results = 0;
    /* Callers point into scratch_types even when it stays empty: keep it allocated. */
    if (!VEC_RESERVE(&p->scratch_types, 1))
        return FAIL_NOMEM(p->diag);
    while (wat_peek_form(p, "param")) {
        p->pos += 2;
        const Token *id;
        if (wat_peek(p)->kind == TOK_ID && ids == IDS_FORBID)
            return wat_unexpected(p, wat_peek(p));
        if (wat_opt_id(p, &id)) {
            ValType t;
            TRY(wat_valtype(p, &t));
            if (ids == IDS_BIND)
                TRY(wat_bind(p, &p->locals, id, p->n_locals, "local"));
            p->n_locals += ids == IDS_BIND;
            if (!VEC_PUSH(&p->scratch_types, t))
                return FAIL_NOMEM(p->diag);
            (*n_params)++;
        } else {
            while (wat_peek(p)->kind != TOK_RPAR) {
                ValType t;
                TRY(wat_valtype(p, &t));
                p->n_locals += ids == IDS_BIND;
                if (!VEC_PUSH(&p->scratch_types, t))
                    return FAIL_NOMEM(p->diag);
                (*n_params)++;
            }
        }
        TRY(wat_expect_rpar(p));
    }
    while (wat_peek_form(p, "result")) {
        p->pos += 2;
        while (wat_peek(p)->kind != TOK_RPAR) {
            ValType t;
            TRY(wat_valtype(p, &t));
            if (!VEC_PUSH(&p->scratch_types, t))
                return FAIL_NOMEM(p->diag);
            (*n_results)++;
        }
        TRY(wat_expect_rpar(p));
    }
    if (wat_peek_form(p, "param"))
        return wat_unexpected(p, wat_peek(p));
    return OK;
}

static bool types_eq(const ValType *a, const ValType *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (!ir_valtype_eq(a[i], b[i]))
            return false;
    return true;
}

static bool func_type_is(const SubType *st, const ValType *params, uint32_t n_params,
                         const ValType *results, uint32_t n_results) {
    return st->kind == COMP_FUNC && st->func.n_params == n_params &&
           st->func.n_results == n_results && types_eq(st->func.params, params, n_params) &&
           types_eq(st->func.results, results, n_results);
}

static Err fill_func_type(WatParser *p, FuncType *ft, const ValType *params, uint32_t n_params,
                          const ValType *results, uint32_t n_results) {
    ft->n_params = n_params;
    ft->n_results = n_results;
    ft->params = wat_alloc(p, sizeof(ValType) * n_params);
    ft->results = wat_alloc(p, sizeof(ValType) * n_results);
    if (!ft->params || !ft->results)
        return FAIL_NOMEM(p->diag);
    if (n_params)
        memcpy(ft->params, params, sizeof(ValType) * n_params);
    if (n_results)
        memcpy(ft->results, results, sizeof(ValType) * n_results);
    return OK;
}

Err wat_implicit_type(WatParser *p, const ValType *params, uint32_t n_params,
                      const ValType *results, uint32_t n_results, uint32_t *out) {
    for (size_t i = 0; i < p->types.len; i++) {
        const SubType *st = &p->types.data[i];
        if (st->final && !st->has_super && st->n_supers == 0 && st->rec_size == 1 &&
            func_type_is(st, params, n_params, results, n_results)) {
            *out = (uint32_t)i;
            return OK;
        }
    }
    SubType st;
    memset(&st, 0, sizeof st);
    st.kind = COMP_FUNC;
    st.final = true;
    st.rec_start = (uint32_t)p->types.len;
    st.rec_size = 1;
    TRY(fill_func_type(p, &st.func, params, n_params, results, n_results));
    if (!VEC_PUSH(&p->types, st) || !VEC_PUSH(&p->fields, NULL))
        return FAIL_NOMEM(p->diag);
    *out = (uint32_t)p->types.len - 1;
    return OK;
}

/* Shared by type uses and block types. *has_inline tells whether any
 * param/result clause was written. */
static Err type_use(WatParser *p, ParamIds ids, bool *has_type, uint32_t *idx,
                    uint32_t *n_params, uint32_t *n_results) {
    *has_type = false;
    const Token *type_tok = NULL;
    if (wat_peek_form(p, "type")) {
        p->pos += 2;
        type_tok = wat_peek(p);
        TRY(wat_index(p, SP_TYPE, idx));
        TRY(wat_expect_rpar(p));
        *has_type = true;
    }
    p->scratch_types.len = 0;
    uint32_t locals_before = p->n_locals;
    TRY(params_results(p, ids, n_params, n_results));
    const ValType *params = p->scratch_types.data, *results = params + *n_params;
    if (*has_type && (*n_params || *n_results)) {
        if (*idx >= p->types.len)
            return wat_fail_at(p, type_tok, "unknown type");
        if (
            !func_type_is(&p->types.data[*idx], params, *n_params, results, *n_results))
            return wat_fail_at(p, type_tok, "inline function type");
    }
    if (ids == IDS_BIND && *has_type && !*n_params && !*n_results && *idx < p->types.len &&
        p->types.data[*idx].kind == COMP_FUNC) {
        /* the parameters are locals all the same, just unnamed */
        *n_params = p->types.data[*idx].func.n_params;
        p->n_locals = locals_before + *n_params;
    }
    return OK;
}

Err wat_type_use(WatParser *p, bool bind_params, uint32_t *out) {
    bool has_type;
    uint32_t n_params, n_results;
    TRY(type_use(p, bind_params ? IDS_BIND : IDS_FORBID, &has_type, out, &n_params, &n_results));
    if (has_type)
        return OK;
    const ValType *params = p->scratch_types.data;
    return wat_implicit_type(p, params, n_params, params + n_params, n_results, out);
}

Err wat_block_type(WatParser *p, BlockType *out) {
    bool has_type;
    uint32_t idx = 0, n_params, n_results;
    uint32_t saved = p->n_locals;
    Err err = type_use(p, IDS_FORBID, &has_type, &idx, &n_params, &n_results);
    p->n_locals = saved;
    TRY(err);
    memset(out, 0, sizeof *out);
    if (has_type) {
        out->kind = BLOCK_INDEX;
        out->index = idx;
    } else if (n_params == 0 && n_results == 0) {
        out->kind = BLOCK_EMPTY;
    } else if (n_params == 0 && n_results == 1) {
        out->kind = BLOCK_VALUE;
        out->value = p->scratch_types.data[0];
    } else {
        const ValType *params = p->scratch_types.data;
        out->kind = BLOCK_INDEX;
        TRY(wat_implicit_type(p, params, n_params, params + n_params, n_results, &out->index));
    }
    return OK;
}

/* ---- Type definitions ------------------------------------------------------- */

static Err struct_fields(WatParser *p, SubType *st, uint32_t type_index) {
    VEC(FieldType) fields = {0};
    StrMap *names = NULL;
    Err err = OK;
    while (err == OK && wat_peek_form(p, "field")) {
        p->pos += 2;
        const Token *id;
        if (wat_opt_id(p, &id)) {
            if (!names) {
                names = mem_calloc(1, sizeof *names);
                if (!names) {
                    err = FAIL_NOMEM(p->diag);
                    break;
                }
                map_init(names);
            }
            err = wat_bind(p, names, id, (uint32_t)fields.len, "field");
            FieldType ft;
            if (err == OK)
                err = field_type(p, &ft);
            if (err == OK && !VEC_PUSH(&fields, ft))
                err = FAIL_NOMEM(p->diag);
        } else {
            while (err == OK && wat_peek(p)->kind != TOK_RPAR) {
                FieldType ft;
                err = field_type(p, &ft);
                if (err == OK && !VEC_PUSH(&fields, ft))
                    err = FAIL_NOMEM(p->diag);
            }
        }
        if (err == OK)
            err = wat_expect_rpar(p);
    }
    if (err == OK) {
        st->strct.n_fields = (uint32_t)fields.len;
        st->strct.fields = wat_alloc(p, sizeof(FieldType) * fields.len);
        if (!st->strct.fields)
            err = FAIL_NOMEM(p->diag);
        else if (fields.len)
            memcpy(st->strct.fields, fields.data, sizeof(FieldType) * fields.len);
    }
    VEC_FREE(&fields);
    if (names) {
        p->fields.data[type_index] = names;
    }
    return err;
}

/* func / struct / array after '(' */
static Err comp_type(WatParser *p, SubType *st, uint32_t type_index) {
    const Token *t = wat_peek(p);
    if (wat_tok_is(t, "func")) {
        p->pos++;
        uint32_t n_params, n_results;
        p->scratch_types.len = 0;
        uint32_t saved = p->n_locals;
        Err err = params_results(p, IDS_IGNORE, &n_params, &n_results);
        p->n_locals = saved;
        TRY(err);
        st->kind = COMP_FUNC;
        const ValType *params = p->scratch_types.data;
        TRY(fill_func_type(p, &st->func, params, n_params, params + n_params, n_results));
    } else if (wat_tok_is(t, "struct")) {
        p->pos++;
        st->kind = COMP_STRUCT;
        TRY(struct_fields(p, st, type_index));
    } else if (wat_tok_is(t, "array")) {
        p->pos++;
        st->kind = COMP_ARRAY;
        TRY(field_type(p, &st->array));
    } else {
        return wat_unexpected(p, t);
    }
    return wat_expect_rpar(p);
}

/* (sub final? x* comptype) or comptype, after "(type $id?". */
static Err sub_type(WatParser *p, SubType *st, uint32_t type_index) {
    st->final = true;
    TRY(wat_expect_lpar(p));
    if (!wat_tok_is(wat_peek(p), "sub"))
        return comp_type(p, st, type_index);
    p->pos++;
    st->explicit_sub = true;
    st->final = false;
    if (wat_tok_is(wat_peek(p), "final")) {
        p->pos++;
        st->final = true;
    }
    while (wat_peek_index(p)) {
        uint32_t super;
        TRY(wat_index(p, SP_TYPE, &super));
        if (st->n_supers++ == 0)
            st->super = super;
        st->has_super = true;
    }
    TRY(wat_expect_lpar(p));
    TRY(comp_type(p, st, type_index));
    return wat_expect_rpar(p);
}

static Err type_def(WatParser *p, uint32_t rec_start, bool explicit_rec) {
    TRY(wat_expect_form(p, "type"));
    const Token *id;
    wat_opt_id(p, &id);
    SubType st;
    memset(&st, 0, sizeof st);
    st.rec_start = rec_start;
    st.explicit_rec = explicit_rec;
    uint32_t index = (uint32_t)p->types.len;
    if (!VEC_PUSH(&p->types, st) || !VEC_PUSH(&p->fields, NULL))
        return FAIL_NOMEM(p->diag);
    TRY(sub_type(p, &st, index));
    st.rec_start = rec_start;
    st.explicit_rec = explicit_rec;
    p->types.data[index] = st;
    return wat_expect_rpar(p);
}

Err wat_type_field(WatParser *p) {
    uint32_t start = (uint32_t)p->types.len;
    if (wat_peek_form(p, "rec")) {
        p->pos += 2;
        while (wat_peek(p)->kind != TOK_RPAR)
            TRY(type_def(p, start, true));
        p->pos++;
    } else {
        TRY(type_def(p, start, false));
    }
    uint32_t size = (uint32_t)p->types.len - start;
    for (uint32_t i = start; i < start + size; i++)
        p->types.data[i].rec_size = size;
    return OK;
}

Err wat_scan_types(WatParser *p, const Token *form) {
    uint32_t i = (uint32_t)(form - p->toks);
    bool rec = wat_tok_is(&p->toks[i + 1], "rec");
    uint32_t end = form->match;
    uint32_t k = rec ? i + 2 : i;
    while (k < end && p->toks[k].kind == TOK_LPAR) {
        const Token *kw = &p->toks[k + 1];
        if (!wat_tok_is(kw, "type"))
            break;
        const Token *id = &p->toks[k + 2];
        TRY(wat_bind(p, &p->names[SP_TYPE], id->kind == TOK_ID ? id : NULL,
                     p->counts[SP_TYPE], "type"));
        p->counts[SP_TYPE]++;
        if (!rec)
            break;
        k = p->toks[k].match + 1;
    }
    return OK;
}

Err wat_field_index(WatParser *p, uint32_t type, uint32_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ID)
        return wat_expect_u32(p, out);
    StrMap *names = type < p->fields.len ? p->fields.data[type] : NULL;
    if (!names || !map_get(names, t->text, t->len, out))
        return wat_fail_at(p, t, "unknown field $%.*s", (int)t->len, t->text);
    p->pos++;
    return OK;
}
