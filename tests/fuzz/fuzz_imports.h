/* Shared by the fuzz targets that instantiate fuzzer-made modules: limits
 * capped so growth cannot exhaust the host, and a dummy for each import
 * (host functions returning zeros, fresh tables, memories and globals). */
#ifndef WASMC_TESTS_FUZZ_IMPORTS_H
#define WASMC_TESTS_FUZZ_IMPORTS_H

#include <string.h>

#include "runtime/runtime.h"

/* Cap every memory and table maximum (the module stays valid: min <= cap);
 * false when a minimum is already too large. */
static bool fuzz_cap_limits(Module *mod, uint64_t max_pages, uint64_t max_table) {
    for (uint32_t i = 0; i < mod->n_memories; i++) {
        Limits *l = &mod->memories[i].type;
        if (l->min > max_pages)
            return false;
        if (!l->has_max || l->max > max_pages) {
            l->has_max = true;
            l->max = max_pages;
        }
    }
    for (uint32_t i = 0; i < mod->n_tables; i++) {
        Limits *l = &mod->tables[i].type.limits;
        if (l->min > max_table)
            return false;
        if (!l->has_max || l->max > max_table) {
            l->has_max = true;
            l->max = max_table;
        }
    }
    return true;
}

static Trap *fuzz_zeros(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                        uint32_t n_results) {
    memset(args_results, 0, sizeof(ValRaw) * n_results);
    return NULL;
}

/* A reference type with a concrete heap type in canonical form, or false when
 * the caller does not want concrete reference types. */
static bool fuzz_canon_ref(const RtModule *m, bool concrete_refs, ValType *t) {
    if (t->kind != VK_REF || t->heap < 0)
        return true;
    if (!concrete_refs)
        return false;
    t->heap = (int32_t)m->canon_types[t->heap];
    return true;
}

/* A dummy for import `imp`; false when we cannot (or, for concrete reference
 * types without `concrete_refs`, will not) make one. */
static bool fuzz_dummy_import(Store *store, const RtModule *m, const Import *imp,
                              bool concrete_refs, Extern *out) {
    const Module *ir = m->ir;
    out->kind = imp->kind;
    switch (imp->kind) {
    case EXTERN_FUNC:
        out->func = rt_host_func_new(store, m->canon_types[ir->funcs[imp->index].type],
                                     fuzz_zeros, NULL, NULL);
        return out->func != NULL;
    case EXTERN_TABLE: {
        TableType t = ir->tables[imp->index].type;
        if (!fuzz_canon_ref(m, concrete_refs, &t.elem))
            return false;
        out->table = t.elem.nullable ? rt_table_new(store, t, NULL) : NULL;
        return out->table != NULL;
    }
    case EXTERN_MEMORY:
        out->memory = rt_memory_new(store, ir->memories[imp->index].type);
        return out->memory != NULL;
    case EXTERN_GLOBAL: {
        GlobalType t = ir->globals[imp->index].type;
        if (!fuzz_canon_ref(m, concrete_refs, &t.type) ||
            (t.type.kind == VK_REF && !t.type.nullable))
            return false;
        ValRaw zero;
        memset(&zero, 0, sizeof zero);
        out->global = rt_global_new(store, t, zero);
        return out->global != NULL;
    }
    default: return false;
    }
}

#endif
