/* The embedding API under allocation failure: a whole embedding session
 * (engine, store, module from WAT, host function, instance, calls that
 * return and trap, globals, tables, memories, serialization, linker) is run
 * with the Nth allocation failing, for every N until it completes. Each run
 * must end cleanly: NULLs and errors, never a crash; the sanitizer build
 * checks that nothing leaks. */
#include "../test.h"
#include "base/mem.h"
#include "wasmc.h"

static const char wat[] =
    "(module (import \"h\" \"f\" (func $f (param i32) (result i32)))\n"
    "  (memory (export \"m\") 1) (table (export \"t\") 2 funcref) (elem (i32.const 0) $f)\n"
    "  (global (export \"g\") (mut i32) (i32.const 1))\n"
    "  (func (export \"run\") (param i32) (result i32) (call $f (local.get 0)))\n"
    "  (func (export \"boom\") unreachable))";

static wasm_trap_t *twice(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = args->data[0].of.i32 * 2;
    return NULL;
}

/* One session; true when every step succeeded. */
static bool session(void) {
    bool ok = false;
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = engine ? wasm_store_new(engine) : NULL;
    wasm_byte_vec_t bin = WASM_EMPTY_VEC, ser = WASM_EMPTY_VEC;
    wasm_module_t *module = NULL, *back = NULL;
    wasm_functype_t *type = NULL;
    wasm_func_t *f = NULL;
    wasm_instance_t *inst = NULL;
    wasm_extern_vec_t exports = WASM_EMPTY_VEC;
    wasmc_linker_t *linker = NULL;
    wasm_trap_t *trap = NULL;
    wasmc_error_t *e = NULL;
    if (!store || (e = wasmc_wat2wasm(wat, sizeof wat - 1, &bin)))
        goto done;
    if (!(module = wasm_module_new(store, &bin)))
        goto done;
    if (!(type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32())))
        goto done;
    if (!(f = wasm_func_new(store, type, twice)))
        goto done;
    wasm_extern_t *items[1] = {wasm_func_as_extern(f)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(items);
    if (!(inst = wasm_instance_new(store, module, &imports, &trap)))
        goto done;
    wasm_instance_exports(inst, &exports);
    if (exports.size != 5)
        goto done;
    wasm_val_t a[1] = {WASM_I32_VAL(21)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r), none = WASM_EMPTY_VEC;
    if ((trap = wasm_func_call(wasm_extern_as_func(exports.data[3]), &av, &rv)) || r[0].of.i32 != 42)
        goto done;
    if (!(trap = wasm_func_call(wasm_extern_as_func(exports.data[4]), &none, &none)))
        goto done;
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);
    trap = NULL;
    wasm_ref_t *slot = wasm_table_get(wasm_extern_as_table(exports.data[1]), 0);
    wasm_ref_delete(slot);
    wasm_memorytype_t *mt = wasm_memory_type(wasm_extern_as_memory(exports.data[0]));
    wasm_memorytype_delete(mt);
    wasm_module_serialize(module, &ser);
    if (!ser.size || !(back = wasm_module_deserialize(store, &ser)))
        goto done;
    if (!(linker = wasmc_linker_new(store)) ||
        (e = wasmc_linker_define(linker, "h", 1, "f", 1, wasm_func_as_extern(f))))
        goto done;
    wasm_instance_t *second = NULL;
    if ((e = wasmc_linker_instantiate(linker, back, &second, &trap)) || !second)
        goto done;
    wasm_instance_delete(second);
    ok = true;
done:
    wasmc_error_delete(e);
    wasm_trap_delete(trap);
    wasmc_linker_delete(linker);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(inst);
    wasm_func_delete(f);
    wasm_functype_delete(type);
    wasm_module_delete(back);
    wasm_module_delete(module);
    wasm_byte_vec_delete(&ser);
    wasm_byte_vec_delete(&bin);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return ok;
}

static void allocation_failures(void) {
    CHECK(session());
    int64_t n = 0;
    for (; n < 100000; n++) {
        mem_fail_after(n);
        bool ok = session();
        mem_fail_after(-1);
        if (ok)
            break;
    }
    CHECK(n > 10 && n < 100000);
}

TEST_MAIN("api_oom", TEST_CASE(allocation_failures))
