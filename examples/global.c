/* global: globals shared between C and wasm: an imported mutable global the
 * module changes, an exported one the host changes, and a constant. */
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module\n"
    "  (global $counter (import \"host\" \"counter\") (mut i64))\n"
    "  (global $scale (export \"scale\") (mut f64) (f64.const 1.5))\n"
    "  (global (export \"answer\") i32 (i32.const 42))\n"
    "  (func (export \"tick\") (result f64)\n"
    "    (global.set $counter (i64.add (global.get $counter) (i64.const 1)))\n"
    "    (f64.mul (f64.convert_i64_s (global.get $counter)) (global.get $scale))))";

static double tick(wasm_func_t *func) {
    wasm_val_t results[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_EMPTY_VEC, result_vec = WASM_ARRAY_VEC(results);
    wasm_trap_t *trap = wasm_func_call(func, &args, &result_vec);
    if (trap) {
        wasm_trap_delete(trap);
        return -1;
    }
    return results[0].of.f64;
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

    /* The import: a mutable i64 global starting at 10. */
    wasm_globaltype_t *type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
    wasm_val_t initial = WASM_I64_VAL(10);
    wasm_global_t *counter = wasm_global_new(store, type, &initial);
    wasm_globaltype_delete(type);

    wasm_extern_t *items[] = {wasm_global_as_extern(counter)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(items);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_global_t *scale = wasm_extern_as_global(exports.data[0]);
    wasm_global_t *answer = wasm_extern_as_global(exports.data[1]);
    wasm_func_t *tick_fn = wasm_extern_as_func(exports.data[2]);

    printf("tick -> %g\n", tick(tick_fn));
    printf("tick -> %g\n", tick(tick_fn));
    wasm_val_t v;
    wasm_global_get(counter, &v);
    printf("counter (read by the host) = %lld\n", (long long)v.of.i64);

    wasm_val_t new_scale = WASM_F64_VAL(0.5);
    wasm_global_set(scale, &new_scale);
    wasm_val_t new_counter = WASM_I64_VAL(99);
    wasm_global_set(counter, &new_counter);
    printf("after setting scale 0.5 and counter 99: tick -> %g\n", tick(tick_fn));

    /* Types as the module declared them. */
    wasm_globaltype_t *answer_type = wasm_global_type(answer);
    wasm_global_get(answer, &v);
    printf("answer = %d (%s, kind %s)\n", v.of.i32,
           wasm_globaltype_mutability(answer_type) == WASM_CONST ? "const" : "var",
           wasm_valtype_kind(wasm_globaltype_content(answer_type)) == WASM_I32 ? "i32" : "?");
    wasm_globaltype_delete(answer_type);
    wasm_val_t ignored = WASM_I32_VAL(7);
    wasm_global_set(answer, &ignored); /* immutable: no effect */
    wasm_global_get(answer, &v);
    printf("answer after a set attempt = %d\n", v.of.i32);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_global_delete(counter);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
