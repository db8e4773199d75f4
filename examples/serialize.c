/* serialize: compile once, save the compiled module, load it again (in
 * another store, as another process would), and reject a damaged copy. */
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module (func (export \"square\") (param i32) (result i32)\n"
    "  (i32.mul (local.get 0) (local.get 0))))";

static void print_error(const char *what, wasmc_error_t *error) {
    wasm_name_t message;
    wasmc_error_message(error, &message);
    printf("%s: %s\n", what, message.data);
    wasm_name_delete(&message);
    wasmc_error_delete(error);
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

    wasm_byte_vec_t saved;
    wasm_module_serialize(module, &saved);
    printf("serialized: %zu bytes\n", saved.size);
    wasm_module_delete(module);

    /* Load it in a fresh store. */
    wasm_store_t *other = wasm_store_new(engine);
    wasm_module_t *loaded = wasm_module_deserialize(other, &saved);
    printf("deserialized: %s\n", loaded ? "ok" : "failed");
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(other, loaded, &imports, NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_val_t args[1] = {WASM_I32_VAL(12)}, results[1] = {WASM_INIT_VAL};
    wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
    wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &arg_vec, &result_vec);
    printf("square(12) = %d\n", trap ? -1 : results[0].of.i32);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_module_delete(loaded);

    /* A damaged artefact is refused, with the reason from wasmc.h. */
    saved.data[saved.size - 1] ^= 1;
    printf("damaged copy: %s\n", wasm_module_deserialize(other, &saved) ? "loaded" : "refused");
    wasm_module_t *damaged = NULL;
    error = wasmc_module_deserialize(engine, (const uint8_t *)saved.data, saved.size, &damaged);
    if (error)
        print_error("why", error);
    wasm_byte_vec_delete(&saved);

    wasm_store_delete(other);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
