/* Fuzz target: decode, validate, compile (interpreter tier), instantiate and
 * run. Imports get dummies of their type (host functions returning zeros,
 * fresh tables, memories and globals); every exported function is called
 * with zero arguments under fuel, so runaway code stops with a trap.
 * Memories and tables are capped small so growth cannot exhaust the host.
 * Any outcome but a crash, a leak or a sanitizer report is fine. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "interp/interp.h"
#include "module/module.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"

#include "fuzz_imports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUEL 100000
#define MAX_PAGES 64u       /* 4 MiB per memory */
#define MAX_TABLE 10000u
#define MAX_GC_HEAP (64u << 20) /* libFuzzer's RSS limit is 2 GiB; arrays may be 1 GiB */

static void call_exports(Store *store, Engine *engine, Instance *inst, const Module *ir) {
    for (uint32_t i = 0; i < ir->n_exports; i++) {
        Extern ext;
        const Name *name = &ir->exports[i].name;
        if (!rt_instance_export(inst, name->str, name->len, &ext) || ext.kind != EXTERN_FUNC)
            continue;
        const FuncType *ft = rt_func_type(engine, ext.func);
        bool ok = true;
        for (uint32_t k = 0; k < ft->n_params; k++)
            ok = ok && !(ft->params[k].kind == VK_REF && !ft->params[k].nullable);
        uint32_t count = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
        ValRaw vals[64];
        if (!ok || count > 64)
            continue;
        memset(vals, 0, sizeof vals);
        rt_store_set_fuel(store, FUEL);
        Trap *trap = NULL;
        Err err = rt_call(store, ext.func, vals, count, &trap);
        (void)err; /* traps and errors are fine outcomes */
        rt_trap_delete(trap);
    }
}

static void run(Engine *engine, RtModule *m) {
    Store *store = NULL;
    Diag diag;
    if (rt_store_new(engine, &store, &diag) != OK)
        return;
    rt_gc_set_limit(store, MAX_GC_HEAP);
    uint32_t n = m->ir->n_imports;
    Extern *imports = mem_calloc(n ? n : 1, sizeof *imports);
    bool ok = imports != NULL;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = fuzz_dummy_import(store, m, &m->ir->imports[i], true, &imports[i]);
    Instance *inst = NULL;
    Trap *trap = NULL;
    rt_store_set_fuel(store, FUEL);
    if (ok && rt_instantiate(store, m, imports, n, &inst, &trap, &diag) == OK)
        call_exports(store, engine, inst, m->ir);
    rt_trap_delete(trap);
    mem_free(imports);
    rt_store_delete(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Diag diag;
    Module *mod = NULL;
    if (bin_read_module(data, size, &mod, &diag) != OK ||
        !fuzz_cap_limits(mod, MAX_PAGES, MAX_TABLE)) {
        ir_module_delete(mod);
        return 0;
    }
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    cfg.consume_fuel = true;
    Engine *engine = NULL;
    if (rt_engine_new(&cfg, &engine, &diag) != OK) {
        ir_module_delete(mod);
        return 0;
    }
    RtModule *m = NULL;
    if (rt_module_from_ir(engine, mod, &m, &diag) == OK) { /* takes mod */
        run(engine, m);
        rt_module_release(m);
    }
    rt_engine_delete(engine);
    return 0;
}
