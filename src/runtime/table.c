/* Tables: arrays of references (FuncRef *, ExternObj *, NULL = null), their
 * growth, and element-segment items. Sizes are capped at RT_TABLE_MAX_ELEMS
 * so a module's limits can never ask for a huge allocation; growth past the
 * cap fails like any other growth failure (table.grow yields -1). */
#include <string.h>

#include "runtime_int.h"

static void table_free(void *obj) {
    RtTable *t = obj;
    mem_free(t->elems);
    mem_free(t);
}

static void fill(void **elems, uint64_t from, uint64_t to, void *init) {
    for (uint64_t i = from; i < to; i++)
        elems[i] = init;
}

RtTable *rt_table_new(Store *store, TableType type, void *init) {
    uint64_t min = type.limits.min;
    if (min > RT_TABLE_MAX_ELEMS)
        return NULL;
    RtTable *t = mem_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->elems = mem_alloc(min * sizeof *t->elems);
    if (!t->elems) {
        mem_free(t);
        return NULL;
    }
    fill(t->elems, 0, min, init);
    t->size = min;
    t->max = type.limits.has_max && type.limits.max < RT_TABLE_MAX_ELEMS ? type.limits.max
                                                                         : RT_TABLE_MAX_ELEMS;
    t->elem_type = type.elem;
    t->is64 = type.limits.is64;
    t->type = type;
    return rt_store_own_traced(store, t, table_free, rt_gc_trace_table) ? t : NULL;
}

bool rt_table_grow(RtTable *table, uint64_t delta, void *init, uint64_t *out_old) {
    uint64_t old = table->size;
    if (delta > table->max - old)
        return false;
    if (delta) {
        void **elems = mem_realloc(table->elems, (old + delta) * sizeof *elems);
        if (!elems)
            return false;
        fill(elems, old, old + delta, init);
        table->elems = elems;
        table->size = old + delta;
    }
    *out_old = old;
    return true;
}

Err rt_elem_item(VMContext *cx, const ElemSegment *seg, uint32_t item, void **out, Diag *diag) {
    if (!seg->exprs) {
        *out = vmctx_funcs(cx)[seg->funcs[item]];
        return OK;
    }
    void **evaluated = cx->instance->elem_items
                           ? cx->instance->elem_items[seg - cx->module->ir->elems]
                           : NULL;
    if (evaluated) {
        *out = evaluated[item];
        return OK;
    }
    ValRaw v;
    TRY(rt_const_eval(cx, &seg->items[item], &v, diag));
    *out = v.ref;
    return OK;
}

/* spec: Execution > Instructions > table.init */
TrapCode rt_table_init(VMContext *cx, uint32_t table, uint32_t elem, uint64_t dst, uint64_t src,
                       uint64_t n) {
    RtTable *t = vmctx_tables(cx)[table];
    const ElemSegment *seg = &cx->module->ir->elems[elem];
    uint64_t seg_len = vmctx_dropped_elems(cx)[elem] ? 0 : seg->n_items;
    if (src > seg_len || n > seg_len - src || dst > t->size || n > t->size - dst)
        return TRAP_TABLE_OOB;
    for (uint64_t i = 0; i < n; i++) {
        void *ref;
        if (rt_elem_item(cx, seg, (uint32_t)(src + i), &ref, NULL) != OK)
            return TRAP_UNSUPPORTED;
        t->elems[dst + i] = ref;
    }
    return TRAP_NONE;
}
