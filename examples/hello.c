/* hello: the smallest embedding. Compile a module that imports a host
 * function, give it a C callback, call the module's export.
 *   cc hello.c $(pkg-config --cflags --libs wasmc) */
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"hello\" (func $hello (param i32)))\n"
    "  (func (export \"run\") (call $hello (i32.const 42))))";

/* The host function: wasm calls it with one i32. */
static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    (void)results;
    printf("Hello from C! wasm passed %d\n", args->data[0].of.i32);
    return NULL;
}

int main(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);

    /* Text to binary, then compile. */
    wasm_byte_vec_t binary;
    wasmc_error_t *error = wasmc_wat2wasm(wat, strlen(wat), &binary);
    if (error) {
        wasm_name_t message;
        wasmc_error_message(error, &message);
        fprintf(stderr, "wat2wasm: %s\n", message.data);
        return 1;
    }
    wasm_module_t *module = wasm_module_new(store, &binary);
    wasm_byte_vec_delete(&binary);
    if (!module)
        return 1;

    /* The import: a function of type [i32] -> []. */
    wasm_functype_t *type = wasm_functype_new_1_0(wasm_valtype_new_i32());
    wasm_func_t *func = wasm_func_new(store, type, hello);
    wasm_functype_delete(type);

    wasm_extern_t *items[] = {wasm_func_as_extern(func)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(items);
    wasm_trap_t *trap = NULL;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
    if (!instance)
        return 1;

    /* Call the first export, "run". */
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_func_t *run = wasm_extern_as_func(exports.data[0]);
    wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_EMPTY_VEC;
    trap = wasm_func_call(run, &args, &results);
    if (trap) {
        wasm_trap_delete(trap);
        return 1;
    }
    printf("Done.\n");

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(func);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
