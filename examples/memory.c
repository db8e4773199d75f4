/* memory: read and write a module's linear memory from C, grow it from both
 * sides, and see out-of-bounds accesses trap. */
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module\n"
    "  (memory (export \"memory\") 2 3)\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load8_s (local.get 0)))\n"
    "  (func (export \"store\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
    "  (data (i32.const 0x1000) \"\\01\\02\\03\\04\"))";

static wasm_module_t *compile(wasm_store_t *store, const char *text) {
    wasm_byte_vec_t binary;
    wasmc_error_t *error = wasmc_wat2wasm(text, strlen(text), &binary);
    if (error) {
        wasmc_error_delete(error);
        return NULL;
    }
    wasm_module_t *module = wasm_module_new(store, &binary);
    wasm_byte_vec_delete(&binary);
    return module;
}

/* Call an export taking up to two i32s; print the result or the trap. */
static void call(wasm_func_t *func, const char *what, int nargs, int32_t a, int32_t b) {
    wasm_val_t args[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
    wasm_val_t results[1] = {WASM_INIT_VAL};
    wasm_val_vec_t arg_vec = {(size_t)nargs, args};
    wasm_val_vec_t result_vec = {wasm_func_result_arity(func), results};
    wasm_trap_t *trap = wasm_func_call(func, &arg_vec, &result_vec);
    if (trap) {
        wasm_message_t message;
        wasm_trap_message(trap, &message);
        printf("%s -> trap: %s\n", what, message.data);
        wasm_byte_vec_delete(&message);
        wasm_trap_delete(trap);
    } else if (result_vec.size) {
        printf("%s -> %d\n", what, results[0].of.i32);
    } else {
        printf("%s -> ok\n", what);
    }
}

int main(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = compile(store, wat);
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance)
        return 1;

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
    wasm_func_t *size = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *load = wasm_extern_as_func(exports.data[2]);
    wasm_func_t *store_fn = wasm_extern_as_func(exports.data[3]);

    printf("pages: %u, bytes: %zu\n", wasm_memory_size(memory), wasm_memory_data_size(memory));
    byte_t *data = wasm_memory_data(memory);
    printf("data[0x1000..0x1003] = %d %d %d %d\n", data[0x1000], data[0x1001], data[0x1002],
           data[0x1003]);
    call(load, "load(0x1002)", 1, 0x1002, 0);
    call(load, "load(0x20000)", 1, 0x20000, 0);

    /* Writes from either side are seen by the other. */
    data[0x1003] = 5;
    call(load, "load(0x1003)", 1, 0x1003, 0);
    call(store_fn, "store(0x1002, 6)", 2, 0x1002, 6);
    printf("data[0x1002] = %d\n", wasm_memory_data(memory)[0x1002]);

    /* Grow: within the maximum of 3 pages, then past it. */
    printf("grow by 1: %s\n", wasm_memory_grow(memory, 1) ? "ok" : "failed");
    call(size, "size()", 0, 0, 0);
    call(load, "load(0x20000)", 1, 0x20000, 0);
    printf("grow by 1: %s\n", wasm_memory_grow(memory, 1) ? "ok" : "failed");

    /* A memory made by the host. */
    wasm_limits_t limits = {1, 2};
    wasm_memorytype_t *type = wasm_memorytype_new(&limits);
    wasm_memory_t *own_memory = wasm_memory_new(store, type);
    printf("host memory: %u page(s)\n", wasm_memory_size(own_memory));
    printf("grow to 2 pages: %s\n", wasm_memory_grow(own_memory, 1) ? "ok" : "failed");
    printf("grow to 3 pages: %s\n", wasm_memory_grow(own_memory, 1) ? "ok" : "failed");
    wasm_memorytype_delete(type);
    wasm_memory_delete(own_memory);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
