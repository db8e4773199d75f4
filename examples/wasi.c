/* wasi: run a WASI program through a linker: configure its arguments and
 * environment, define WASI's imports, instantiate, run _start, and read the
 * exit code of proc_exit. */
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

/* Writes "Hello, WASI!\n" to stdout, then exits with code 7. */
static const char wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $proc_exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"Hello, WASI!\\n\")\n"
    "  (func (export \"_start\")\n"
    "    (i32.store (i32.const 0) (i32.const 16))  ;; iovec: buf\n"
    "    (i32.store (i32.const 4) (i32.const 13))  ;; iovec: len\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
    "    (call $proc_exit (i32.const 7))))";

static int fail(const char *what, wasmc_error_t *error) {
    wasm_name_t message;
    wasmc_error_message(error, &message);
    fprintf(stderr, "%s: %s\n", what, message.data);
    wasm_name_delete(&message);
    wasmc_error_delete(error);
    return 1;
}

int main(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t binary;
    wasmc_error_t *error = wasmc_wat2wasm(wat, strlen(wat), &binary);
    if (error)
        return fail("wat2wasm", error);
    wasm_module_t *module = NULL;
    error = wasmc_module_new(engine, (const uint8_t *)binary.data, binary.size, &module);
    wasm_byte_vec_delete(&binary);
    if (error)
        return fail("compile", error);

    /* What the program sees. */
    wasmc_wasi_config_t *config = wasmc_wasi_config_new();
    const char *argv[] = {"hello.wasm", "--greet"};
    const char *names[] = {"LANG"}, *values[] = {"C"};
    wasmc_wasi_config_set_argv(config, 2, argv);
    wasmc_wasi_config_set_env(config, 1, names, values);
    wasmc_wasi_config_inherit_stdio(config);

    wasmc_linker_t *linker = wasmc_linker_new(store);
    error = wasmc_linker_define_wasi(linker, config);
    if (error)
        return fail("define WASI", error);
    wasm_instance_t *instance = NULL;
    wasm_trap_t *trap = NULL;
    error = wasmc_linker_instantiate(linker, module, &instance, &trap);
    if (error)
        return fail("instantiate", error);

    wasm_extern_t *start = NULL;
    wasmc_linker_define_instance(linker, "main", 4, instance);
    if (!wasmc_linker_get(linker, "main", 4, "_start", 6, &start))
        return 1;
    fflush(stdout);
    error = wasmc_func_call(wasm_extern_as_func(start), NULL, 0, NULL, 0, &trap);
    if (error)
        return fail("call", error);
    int code;
    if (trap && wasmc_trap_exit_status(trap, &code))
        printf("the program exited with code %d\n", code);
    wasm_trap_delete(trap);

    wasm_extern_delete(start);
    wasm_instance_delete(instance);
    wasmc_linker_delete(linker);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
