/* The "spectest" host module the spec test suite imports: print functions
 * (silent: the runner's output is its report), globals holding 666 / 666.6,
 * a 10..20 funcref table (also with i64 addresses), a 1..2 page memory and a
 * shared one. Values follow the reference interpreter (interpreter/host/
 * spectest.ml). Each object is made once per store, on first import. */
#include <string.h>

#include "cli.h"

/* The print functions: every parameter is ignored, nothing is returned. */
static Trap *print_fn(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                      uint32_t n_results) {
    return NULL;
}

typedef struct PrintDef {
    const char *name;
    uint8_t params[2];
    uint32_t n_params;
} PrintDef;

static const PrintDef print_defs[SPECTEST_N_PRINTS] = {
    {"print", {0}, 0},
    {"print_i32", {VK_I32}, 1},
    {"print_i64", {VK_I64}, 1},
    {"print_f32", {VK_F32}, 1},
    {"print_f64", {VK_F64}, 1},
    {"print_i32_f32", {VK_I32, VK_F32}, 2},
    {"print_f64_f64", {VK_F64, VK_F64}, 2},
};

static bool name_is(const char *name, size_t len, const char *want) {
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

static Err print_func(SpecTest *st, uint32_t i, Extern *out, Diag *diag) {
    if (!st->prints[i]) {
        const PrintDef *d = &print_defs[i];
        ValType params[2];
        for (uint32_t k = 0; k < d->n_params; k++)
            params[k] = ir_valtype((ValKind)d->params[k]);
        uint32_t canon;
        TRY(rt_engine_func_type(rt_store_engine(st->store), params, d->n_params, NULL, 0, &canon,
                                diag));
        st->prints[i] = rt_host_func_new(st->store, canon, print_fn, NULL, NULL);
        if (!st->prints[i])
            return FAIL_NOMEM(diag);
    }
    out->kind = EXTERN_FUNC;
    out->func = st->prints[i];
    return OK;
}

static Err global(SpecTest *st, ValKind kind, Extern *out, Diag *diag) {
    uint32_t i = kind == VK_I32 ? 0 : kind == VK_I64 ? 1 : kind == VK_F32 ? 2 : 3;
    if (!st->globals[i]) {
        ValRaw v;
        memset(&v, 0, sizeof v);
        float f32 = 666.6f;
        double f64 = 666.6;
        switch (kind) {
        case VK_I32: v.i32 = 666; break;
        case VK_I64: v.i64 = 666; break;
        case VK_F32: memcpy(&v.f32, &f32, 4); break;
        default: memcpy(&v.f64, &f64, 8); break;
        }
        GlobalType type = {ir_valtype(kind), false};
        st->globals[i] = rt_global_new(st->store, type, v);
        if (!st->globals[i])
            return FAIL_NOMEM(diag);
    }
    out->kind = EXTERN_GLOBAL;
    out->global = st->globals[i];
    return OK;
}

static Err table(SpecTest *st, bool is64, Extern *out, Diag *diag) {
    RtTable **slot = is64 ? &st->table64 : &st->table;
    if (!*slot) {
        TableType type = {ir_reftype(true, HT_FUNC), {10, 20, true, is64, false}};
        *slot = rt_table_new(st->store, type, NULL);
        if (!*slot)
            return FAIL_NOMEM(diag);
    }
    out->kind = EXTERN_TABLE;
    out->table = *slot;
    return OK;
}

static Err memory(SpecTest *st, bool shared, Extern *out, Diag *diag) {
    RtMemory **slot = shared ? &st->shared_memory : &st->memory;
    if (!*slot) {
        MemType type = {1, 2, true, false, shared};
        *slot = rt_memory_new(st->store, type);
        if (!*slot)
            return FAIL(diag, ERR_LINK, DIAG_NO_OFFSET,
                        "spectest: cannot create %smemory", shared ? "shared " : "");
    }
    out->kind = EXTERN_MEMORY;
    out->memory = *slot;
    return OK;
}

void cli_spectest_init(SpecTest *st, Store *store) {
    memset(st, 0, sizeof *st);
    st->store = store;
}

Err cli_spectest_lookup(SpecTest *st, const char *name, size_t len, bool *out_found, Extern *out,
                        Diag *diag) {
    *out_found = true;
    for (uint32_t i = 0; i < SPECTEST_N_PRINTS; i++)
        if (name_is(name, len, print_defs[i].name))
            return print_func(st, i, out, diag);
    if (name_is(name, len, "global_i32"))
        return global(st, VK_I32, out, diag);
    if (name_is(name, len, "global_i64"))
        return global(st, VK_I64, out, diag);
    if (name_is(name, len, "global_f32"))
        return global(st, VK_F32, out, diag);
    if (name_is(name, len, "global_f64"))
        return global(st, VK_F64, out, diag);
    if (name_is(name, len, "table"))
        return table(st, false, out, diag);
    if (name_is(name, len, "table64"))
        return table(st, true, out, diag);
    if (name_is(name, len, "memory"))
        return memory(st, false, out, diag);
    if (name_is(name, len, "shared_memory"))
        return memory(st, true, out, diag);
    *out_found = false;
    return OK;
}
