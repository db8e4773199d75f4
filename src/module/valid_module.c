/* Module-level validation (spec: Validation > Modules and Types): the type
 * section with recursion groups, declared subtypes and canonicalization into
 * the engine-wide registry; imports, tables, memories, globals, tags, exports,
 * start, element and data segments; then every function body. Checks run in
 * the reference interpreter's order so the first error reported matches. */
#include <string.h>

#include "valid_stack.h"

/* ---- Types ------------------------------------------------------------------- */

Err valid_heap_type(const ValidCtx *cx, int32_t heap, uint64_t offset, Diag *diag) {
    if (ht_is_concrete(heap) && (uint32_t)heap >= cx->mod->n_types)
        return FAIL(diag, ERR_INVALID, offset, "unknown type %d", (int)heap);
    return OK;
}

Err valid_val_type(const ValidCtx *cx, ValType t, uint64_t offset, Diag *diag) {
    return t.kind == VK_REF ? valid_heap_type(cx, t.heap, offset, diag) : OK;
}

/* Type references of a subtype may reach only the end of its own group. */
static Err check_ref_bound(ValType t, uint32_t end, Diag *diag) {
    if (t.kind == VK_REF && ht_is_concrete(t.heap) && (uint32_t)t.heap >= end)
        return FAIL(diag, ERR_INVALID, 0, "unknown type %d", (int)t.heap);
    return OK;
}

static Err check_sub_refs(const SubType *st, uint32_t self, uint32_t end, Diag *diag) {
    if (st->n_supers > 1)
        return FAIL(diag, ERR_INVALID, 0, "multiple supertypes");
    if (st->has_super && st->super >= end)
        return FAIL(diag, ERR_INVALID, 0, "unknown type %u", st->super);
    if (st->has_super && st->super >= self)
        return FAIL(diag, ERR_INVALID, 0, "forward use of type %u in sub type definition",
                    st->super);
    switch (st->kind) {
    case COMP_FUNC:
        for (uint32_t i = 0; i < st->func.n_params; i++)
            TRY(check_ref_bound(st->func.params[i], end, diag));
        for (uint32_t i = 0; i < st->func.n_results; i++)
            TRY(check_ref_bound(st->func.results[i], end, diag));
        return OK;
    case COMP_STRUCT:
        for (uint32_t i = 0; i < st->strct.n_fields; i++)
            TRY(check_ref_bound(st->strct.fields[i].type, end, diag));
        return OK;
    case COMP_ARRAY:
        return check_ref_bound(st->array.type, end, diag);
    }
    return OK;
}

static Err check_super(ValidCtx *cx, uint32_t self, Diag *diag) {
    const SubType *st = &cx->mod->types[self];
    if (!st->has_super)
        return OK;
    const SubType *sup = &cx->mod->types[st->super];
    if (sup->final || !mod_comp_match(cx->mod, cx->reg, st, sup))
        return FAIL(diag, ERR_INVALID, 0, "sub type %u does not match super type %u", self,
                    st->super);
    return OK;
}

static Err valid_types(ValidCtx *cx, TypeRegistry *reg, Diag *diag) {
    Module *mod = cx->mod;
    for (uint32_t i = 0; i < mod->n_types;) {
        const SubType *first = &mod->types[i];
        uint32_t n = first->rec_size;
        if (first->rec_start != i || n == 0 || n > mod->n_types - i)
            return FAIL(diag, ERR_INVALID, 0, "malformed recursion group at type %u", i);
        for (uint32_t j = i; j < i + n; j++)
            TRY(check_sub_refs(&mod->types[j], j, i + n, diag));
        TRY(mod_registry_add_group(reg, mod, i, n, diag));
        for (uint32_t j = i; j < i + n; j++)
            TRY(check_super(cx, j, diag));
        i += n;
    }
    return OK;
}

/* ---- Tables, memories, globals, tags --------------------------------------------- */

static Err check_limits(const Limits *l, uint64_t range, const char *msg, Diag *diag) {
    if (l->min > range || (l->has_max && l->max > range))
        return FAIL(diag, ERR_INVALID, 0, "%s", msg);
    if (l->has_max && l->min > l->max)
        return FAIL(diag, ERR_INVALID, 0, "size minimum must not be greater than maximum");
    return OK;
}

static Err valid_tables(ValidCtx *cx, Diag *diag) {
    Module *mod = cx->mod;
    /* Table initializers may read imported globals: their types must be valid
     * before any constant expression looks at them. */
    for (uint32_t i = 0; i < mod->n_global_imports; i++)
        TRY(valid_val_type(cx, mod->globals[i].type.type, 0, diag));
    cx->n_globals_vis = mod->n_global_imports;
    for (uint32_t i = 0; i < mod->n_tables; i++) {
        Table *t = &mod->tables[i];
        const Limits *l = &t->type.limits;
        if (l->is64)
            TRY(check_limits(l, UINT64_MAX, "table size", diag));
        else
            TRY(check_limits(l, UINT32_MAX, "table size must be at most 2^32-1", diag));
        TRY(valid_val_type(cx, t->type.elem, 0, diag));
        if (t->import >= 0)
            continue;
        if (t->has_init)
            TRY(valid_const_expr(cx, &t->init, t->type.elem, diag));
        else if (!t->type.elem.nullable)
            return FAIL(diag, ERR_INVALID, 0, "type mismatch: non-defaultable table element type");
    }
    return OK;
}

static Err valid_memories(ValidCtx *cx, Diag *diag) {
    for (uint32_t i = 0; i < cx->mod->n_memories; i++) {
        const Limits *l = &cx->mod->memories[i].type;
        if (l->is64)
            TRY(check_limits(l, 1ull << 48, "memory size must be at most 2^48 pages", diag));
        else
            TRY(check_limits(l, 65536, "memory size must be at most 65536 pages (4GiB)", diag));
        if (l->shared && !l->has_max)
            return FAIL(diag, ERR_INVALID, 0, "shared memory must have maximum");
    }
    return OK;
}

static Err valid_globals(ValidCtx *cx, Diag *diag) {
    Module *mod = cx->mod;
    for (uint32_t i = 0; i < mod->n_globals; i++) {
        Global *g = &mod->globals[i];
        TRY(valid_val_type(cx, g->type.type, g->init.offset, diag));
        if (g->import >= 0)
            continue;
        cx->n_globals_vis = i;
        TRY(valid_const_expr(cx, &g->init, g->type.type, diag));
    }
    cx->n_globals_vis = mod->n_globals;
    return OK;
}

static Err valid_func_types(ValidCtx *cx, Diag *diag) {
    for (uint32_t i = 0; i < cx->mod->n_funcs; i++) {
        uint32_t t = cx->mod->funcs[i].type;
        if (t >= cx->mod->n_types || cx->mod->types[t].kind != COMP_FUNC)
            return FAIL(diag, ERR_INVALID, 0, "unknown type %u", t);
    }
    return OK;
}

static Err valid_tags(ValidCtx *cx, Diag *diag) {
    for (uint32_t i = 0; i < cx->mod->n_tags; i++) {
        uint32_t t = cx->mod->tags[i].type.type;
        if (t >= cx->mod->n_types || cx->mod->types[t].kind != COMP_FUNC)
            return FAIL(diag, ERR_INVALID, 0, "unknown type %u", t);
        if (cx->mod->types[t].func.n_results != 0)
            return FAIL(diag, ERR_INVALID, 0, "non-empty tag result type");
    }
    return OK;
}

/* ---- Segments, start, exports ------------------------------------------------------ */

static ValType addr_of(bool is64) {
    return is64 ? VT_I64 : VT_I32;
}

static Err valid_elem(ValidCtx *cx, ElemSegment *e, Diag *diag) {
    Module *mod = cx->mod;
    uint64_t at = e->offset_in_binary;
    TRY(valid_val_type(cx, e->type, at, diag));
    for (uint32_t j = 0; j < e->n_items; j++) {
        if (e->exprs) {
            TRY(valid_const_expr(cx, &e->items[j], e->type, diag));
        } else if (e->funcs[j] >= mod->n_funcs) {
            return FAIL(diag, ERR_INVALID, at, "unknown function %u", e->funcs[j]);
        } else {
            ValType ft = ir_reftype(false, (int32_t)mod->funcs[e->funcs[j]].type);
            if (!mod_val_sub(mod, cx->reg, ft, e->type))
                return FAIL(diag, ERR_INVALID, at, "type mismatch");
        }
    }
    if (e->mode != SEG_ACTIVE)
        return OK;
    if (e->table >= mod->n_tables)
        return FAIL(diag, ERR_INVALID, at, "unknown table %u", e->table);
    const TableType *tt = &mod->tables[e->table].type;
    if (!mod_val_sub(mod, cx->reg, e->type, tt->elem))
        return FAIL(diag, ERR_INVALID, at, "type mismatch");
    return valid_const_expr(cx, &e->offset, addr_of(tt->limits.is64), diag);
}

static Err valid_data(ValidCtx *cx, DataSegment *d, Diag *diag) {
    if (d->mode != SEG_ACTIVE)
        return OK;
    if (d->memory >= cx->mod->n_memories)
        return FAIL(diag, ERR_INVALID, d->offset_in_binary, "unknown memory %u", d->memory);
    return valid_const_expr(cx, &d->offset, addr_of(cx->mod->memories[d->memory].type.is64), diag);
}

static Err valid_start(ValidCtx *cx, Diag *diag) {
    Module *mod = cx->mod;
    if (!mod->has_start)
        return OK;
    if (mod->start >= mod->n_funcs)
        return FAIL(diag, ERR_INVALID, 0, "unknown function %u", mod->start);
    const FuncType *ft = ir_func_type(mod, mod->start);
    if (ft->n_params || ft->n_results)
        return FAIL(diag, ERR_INVALID, 0, "start function must not have parameters or results");
    return OK;
}

static Err check_export_index(const Module *mod, const Export *e, Diag *diag) {
    static const char *const what[] = {"function", "table", "memory", "global", "tag"};
    uint32_t n = 0;
    switch (e->kind) {
    case EXTERN_FUNC: n = mod->n_funcs; break;
    case EXTERN_TABLE: n = mod->n_tables; break;
    case EXTERN_MEMORY: n = mod->n_memories; break;
    case EXTERN_GLOBAL: n = mod->n_globals; break;
    case EXTERN_TAG: n = mod->n_tags; break;
    default: return FAIL(diag, ERR_INVALID, 0, "malformed export kind");
    }
    if (e->index >= n)
        return FAIL(diag, ERR_INVALID, 0, "unknown %s %u", what[e->kind], e->index);
    return OK;
}

static Err valid_exports(ValidCtx *cx, Diag *diag) {
    StrMap names;
    map_init(&names);
    Err err = OK;
    for (uint32_t i = 0; i < cx->mod->n_exports && !err; i++) {
        const Export *e = &cx->mod->exports[i];
        err = check_export_index(cx->mod, e, diag);
        if (err)
            break;
        bool existed = false;
        const char *key = e->name.str ? e->name.str : "";
        if (!map_insert(&names, key, e->name.len, i, &existed))
            err = FAIL_NOMEM(diag);
        else if (existed)
            err = FAIL(diag, ERR_INVALID, 0, "duplicate export name");
    }
    map_fini(&names);
    return err;
}

/* ---- Declared function references (spec: C.refs) ------------------------------------ */

static void declare_in(ValidCtx *cx, const ConstExpr *e) {
    for (uint32_t i = 0; i < e->n_instrs; i++) {
        const Instr *in = &e->instrs[i];
        if (in->op == OP_REF_FUNC && in->imm.index < cx->mod->n_funcs)
            cx->declared[in->imm.index] = 1;
    }
}

static Err collect_declared(ValidCtx *cx, Diag *diag) {
    Module *mod = cx->mod;
    cx->declared = mem_calloc(mod->n_funcs ? mod->n_funcs : 1, 1);
    if (!cx->declared)
        return FAIL_NOMEM(diag);
    for (uint32_t i = 0; i < mod->n_exports; i++)
        if (mod->exports[i].kind == EXTERN_FUNC && mod->exports[i].index < mod->n_funcs)
            cx->declared[mod->exports[i].index] = 1;
    for (uint32_t i = 0; i < mod->n_elems; i++) {
        const ElemSegment *e = &mod->elems[i];
        for (uint32_t j = 0; j < e->n_items; j++) {
            if (e->exprs)
                declare_in(cx, &e->items[j]);
            else if (e->funcs[j] < mod->n_funcs)
                cx->declared[e->funcs[j]] = 1;
        }
    }
    for (uint32_t i = mod->n_global_imports; i < mod->n_globals; i++)
        declare_in(cx, &mod->globals[i].init);
    for (uint32_t i = mod->n_table_imports; i < mod->n_tables; i++)
        if (mod->tables[i].has_init)
            declare_in(cx, &mod->tables[i].init);
    return OK;
}

/* ---- The module ---------------------------------------------------------------------- */

static Err valid_all(ValidCtx *cx, TypeRegistry *reg, Diag *diag) {
    Module *mod = cx->mod;
    TRY(valid_types(cx, reg, diag));
    TRY(valid_func_types(cx, diag));
    TRY(valid_tables(cx, diag));
    TRY(valid_memories(cx, diag));
    TRY(valid_globals(cx, diag));
    TRY(valid_tags(cx, diag));
    TRY(collect_declared(cx, diag));
    for (uint32_t i = 0; i < mod->n_elems; i++)
        TRY(valid_elem(cx, &mod->elems[i], diag));
    for (uint32_t i = 0; i < mod->n_datas; i++)
        TRY(valid_data(cx, &mod->datas[i], diag));
    for (uint32_t i = mod->n_func_imports; i < mod->n_funcs; i++)
        TRY(valid_func_body(cx, i, diag));
    TRY(valid_start(cx, diag));
    return valid_exports(cx, diag);
}

static void ctx_fini(ValidCtx *cx) {
    VEC_FREE(&cx->vals);
    VEC_FREE(&cx->ctrls);
    VEC_FREE(&cx->locals);
    VEC_FREE(&cx->local_set);
    VEC_FREE(&cx->init_log);
    mem_free(cx->declared);
}

Err valid_module(Module *mod, TypeRegistry *reg, Diag *diag) {
    TypeRegistry *own = NULL;
    if (!reg) {
        own = reg = mod_registry_new();
        if (!reg)
            return FAIL_NOMEM(diag);
    }
    ValidCtx cx;
    memset(&cx, 0, sizeof cx);
    cx.mod = mod;
    cx.reg = reg;
    cx.n_globals_vis = mod->n_globals;
    Err err = valid_all(&cx, reg, diag);
    ctx_fini(&cx);
    mod_registry_delete(own);
    if (err == OK)
        mod->validated = true;
    return err;
}
