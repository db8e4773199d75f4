/* Configuration, engines and stores, with wasmc's configuration setters,
 * fuel and epochs. An engine wraps the runtime Engine (the JIT tier by
 * default where it runs, the interpreter elsewhere); a store wraps a runtime Store plus the API objects interned in
 * it and the WASI instances defined for it, which all die with it. */
#include <string.h>

#include "api_int.h"
#include "../jit/jit.h"

/* ---- Configuration ---------------------------------------------------------------- */

wasm_config_t *wasm_config_new(void) {
    wasm_config_t *c = mem_alloc(sizeof *c);
    if (!c)
        return NULL;
    rt_engine_config_default(&c->cfg);
    c->cfg.tier = jit_available() ? &jit_tier : &interp_tier;
    return c;
}

void wasm_config_delete(wasm_config_t *c) {
    mem_free(c);
}

wasmc_error_t *wasmc_config_tier_set(wasm_config_t *c, wasmc_tier_t tier) {
    if (!c)
        return api_error(ERR_USAGE, "wasmc_config_tier_set: NULL config");
    if (tier == WASMC_TIER_INTERP) {
        c->cfg.tier = &interp_tier;
        return NULL;
    }
    if (tier == WASMC_TIER_JIT) {
        if (!jit_available())
            return api_error(ERR_UNSUPPORTED, "the JIT tier needs x86-64 with SSE4.1 and POPCNT");
        c->cfg.tier = &jit_tier;
        return NULL;
    }
    return api_error(ERR_USAGE, "unknown tier %u", (unsigned)tier);
}

void wasmc_config_memory_reservation_set(wasm_config_t *c, bool on) {
    if (c)
        c->cfg.memory_reservation = on;
}

void wasmc_config_memory_guard_size_set(wasm_config_t *c, uint64_t bytes) {
    if (c)
        c->cfg.memory_guard_size = bytes < RT_MEMORY_GUARD_MIN ? RT_MEMORY_GUARD_MIN : bytes;
}

void wasmc_config_consume_fuel_set(wasm_config_t *c, bool on) {
    if (c)
        c->cfg.consume_fuel = on;
}

void wasmc_config_epoch_interruption_set(wasm_config_t *c, bool on) {
    if (c)
        c->cfg.epoch_interruption = on;
}

void wasmc_config_compile_threads_set(wasm_config_t *c, uint32_t threads) {
    if (c)
        c->cfg.compile_threads = threads;
}

void wasmc_config_max_wasm_stack_set(wasm_config_t *c, size_t bytes) {
    if (c && bytes)
        c->cfg.max_wasm_stack = bytes;
}

void wasmc_config_nan_canonicalization_set(wasm_config_t *c, bool on) {
    if (c)
        c->cfg.nan_canonicalization = on;
}

void wasmc_config_profiler_set(wasm_config_t *c, wasmc_profiler_t profiler) {
    if (c)
        c->cfg.perf_map = profiler == WASMC_PROFILER_PERFMAP;
}

/* ---- Engines ------------------------------------------------------------------------- */

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config) {
    if (!config)
        return NULL;
    wasm_engine_t *e = mem_alloc(sizeof *e);
    Diag diag;
    if (e && rt_engine_new(&config->cfg, &e->rt, &diag) != OK) {
        mem_free(e);
        e = NULL;
    }
    wasm_config_delete(config);
    return e;
}

wasm_engine_t *wasm_engine_new(void) {
    return wasm_engine_new_with_config(wasm_config_new());
}

void wasm_engine_delete(wasm_engine_t *e) {
    if (!e)
        return;
    rt_engine_delete(e->rt);
    mem_free(e);
}

void wasmc_engine_increment_epoch(wasm_engine_t *e) {
    if (e)
        rt_engine_increment_epoch(e->rt);
}

const char *wasmc_version(void) {
    return "0.1.0";
}

/* ---- Stores ---------------------------------------------------------------------------- */

wasm_store_t *wasm_store_new(wasm_engine_t *engine) {
    if (!engine)
        return NULL;
    wasm_store_t *s = mem_calloc(1, sizeof *s);
    Diag diag;
    if (!s)
        return NULL;
    if (rt_store_new(engine->rt, &s->rt, &diag) != OK) {
        mem_free(s);
        return NULL;
    }
    s->engine = engine;
    return s;
}

/* Order: the runtime store first (host-function finalizers and memories go
 * with it), then the API objects' finalizers, then WASI (its host functions
 * are gone by then). */
void wasm_store_delete(wasm_store_t *s) {
    if (!s)
        return;
    rt_store_delete(s->rt);
    s->rt = NULL;
    api_store_objects_fini(s);
    for (size_t i = 0; i < s->wasis.len; i++)
        wasi_delete(s->wasis.data[i]);
    VEC_FREE(&s->wasis);
    mem_free(s);
}

wasmc_error_t *wasmc_store_set_fuel(wasm_store_t *s, uint64_t fuel) {
    if (!s)
        return api_error(ERR_USAGE, "wasmc_store_set_fuel: NULL store");
    if (!s->engine->rt->config.consume_fuel)
        return api_error(ERR_USAGE, "fuel is not enabled (wasmc_config_consume_fuel_set)");
    rt_store_set_fuel(s->rt, fuel);
    return NULL;
}

wasmc_error_t *wasmc_store_get_fuel(const wasm_store_t *s, uint64_t *out) {
    if (!s || !out)
        return api_error(ERR_USAGE, "wasmc_store_get_fuel: NULL argument");
    if (!s->engine->rt->config.consume_fuel)
        return api_error(ERR_USAGE, "fuel is not enabled (wasmc_config_consume_fuel_set)");
    *out = rt_store_get_fuel(s->rt);
    return NULL;
}

void wasmc_store_set_epoch_deadline(wasm_store_t *s, uint64_t ticks) {
    if (s)
        rt_store_set_epoch_deadline(s->rt, ticks);
}

void wasmc_store_set_gc_heap_limit(wasm_store_t *s, uint64_t max_bytes) {
    if (s)
        rt_gc_set_limit(s->rt, max_bytes);
}
