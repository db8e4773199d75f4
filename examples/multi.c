/* multi: functions with several results, across the boundary both ways: a
 * host callback returning two values and a wasm function returning four. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"swap\" (func $swap (param i32 i64) (result i64 i32)))\n"
    "  (func (export \"run\") (param i32 i64) (result i64 i32 i64 i32)\n"
    "    (call $swap (local.get 0) (local.get 1))\n"
    "    (call $swap (local.get 0) (i64.mul (local.get 1) (i64.const 2)))))";

/* (i32, i64) -> (i64, i32) */
static wasm_trap_t *swap(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    printf("swap(%d, %" PRId64 ")\n", args->data[0].of.i32, args->data[1].of.i64);
    results->data[0].kind = WASM_I64;
    results->data[0].of.i64 = args->data[1].of.i64;
    results->data[1].kind = WASM_I32;
    results->data[1].of.i32 = args->data[0].of.i32;
    return NULL;
}

int main(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t binary;
    wasmc_error_t *error = wasmc_wat2wasm(wat, strlen(wat), &binary);
    if (error)
        return 1;
    wasm_module_t *module = wasm_module_new(store, &binary);
    wasm_byte_vec_delete(&binary);

    wasm_functype_t *type = wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                                  wasm_valtype_new_i64(), wasm_valtype_new_i32());
    wasm_func_t *swap_fn = wasm_func_new(store, type, swap);
    wasm_functype_delete(type);
    wasm_extern_t *items[] = {wasm_func_as_extern(swap_fn)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(items);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_func_t *run = wasm_extern_as_func(exports.data[0]);
    printf("run takes %zu values and returns %zu\n", wasm_func_param_arity(run),
           wasm_func_result_arity(run));

    wasm_val_t args[2] = {WASM_I32_VAL(1), WASM_I64_VAL(2)};
    wasm_val_t results[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
    wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
    wasm_trap_t *trap = wasm_func_call(run, &arg_vec, &result_vec);
    if (trap)
        return 1;
    printf("run(1, 2) = %" PRId64 " %d %" PRId64 " %d\n", results[0].of.i64, results[1].of.i32,
           results[2].of.i64, results[3].of.i32);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(swap_fn);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
