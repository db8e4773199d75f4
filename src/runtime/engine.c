/* The engine: configuration, the canonical type registry shared by every
 * module and store of the engine, and the epoch counter. The engine itself is
 * immutable after rt_engine_new apart from the epoch (atomic) and the
 * registry (internally locked), so any thread may use it. */
#include "runtime_int.h"

void rt_engine_config_default(EngineConfig *cfg) {
    *cfg = (EngineConfig){
        .tier = NULL,
        .max_wasm_stack = 1u << 20,
        .consume_fuel = false,
        .epoch_interruption = false,
        .memory_reservation = true,
        .memory_guard_size = RT_MEMORY_GUARD_MIN, /* covers any u32 address + u32 offset */
    };
}

Err rt_engine_new(const EngineConfig *cfg, Engine **out, Diag *diag) {
    *out = NULL;
    if (!cfg->tier)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "engine configuration names no tier");
    Engine *engine = mem_calloc(1, sizeof *engine);
    if (!engine)
        return FAIL_NOMEM(diag);
    engine->config = *cfg;
    engine->types = mod_registry_new();
    if (!engine->types) {
        mem_free(engine);
        return FAIL_NOMEM(diag);
    }
    atomic_init(&engine->epoch, 0);
    *out = engine;
    return OK;
}

void rt_engine_delete(Engine *engine) {
    if (!engine)
        return;
    mod_registry_delete(engine->types);
    mem_free(engine);
}

void rt_engine_increment_epoch(Engine *engine) {
    atomic_fetch_add_explicit(&engine->epoch, 1, memory_order_relaxed);
}

/* A value type an embedder may hand us: a known kind, and for references a
 * known abstract heap type or an already registered canonical id. */
static bool valtype_ok(const Engine *engine, ValType t) {
    switch (t.kind) {
    case VK_I32:
    case VK_I64:
    case VK_F32:
    case VK_F64:
    case VK_V128:
        return true;
    case VK_REF:
        if (t.heap >= 0)
            return (uint32_t)t.heap < mod_registry_count(engine->types);
        return t.heap >= HT_EXN && t.heap <= HT_NOEXN;
    default:
        return false;
    }
}

Err rt_engine_func_type(Engine *engine, const ValType *params, uint32_t n_params,
                        const ValType *results, uint32_t n_results, uint32_t *out_canon,
                        Diag *diag) {
    for (uint32_t i = 0; i < n_params; i++)
        if (!valtype_ok(engine, params[i]))
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "invalid parameter type %u", i);
    for (uint32_t i = 0; i < n_results; i++)
        if (!valtype_ok(engine, results[i]))
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "invalid result type %u", i);
    /* The registry copies the arrays; it never writes through them. */
    FuncType ft = {n_params, n_results, (ValType *)params, (ValType *)results};
    return mod_registry_func_type(engine->types, &ft, out_canon, diag);
}

const FuncType *rt_func_type(Engine *engine, const FuncRef *func) {
    return &mod_registry_type(engine->types, func->type)->func;
}
