/* trap: traps from wasm and from a host callback, with their messages,
 * codes and wasm backtraces (function index and name, offsets). */
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module $demo\n"
    "  (import \"host\" \"fail\" (func $host_fail))\n"
    "  (func $divide (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))\n"
    "  (func $middle (param i32) (result i32) (call $divide (i32.const 1) (local.get 0)))\n"
    "  (func (export \"divide_by\") (param i32) (result i32) (call $middle (local.get 0)))\n"
    "  (func (export \"call_host\") (call $host_fail)))";

static wasm_trap_t *host_fail(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    (void)args, (void)results;
    wasm_message_t message;
    wasm_name_new_from_string_nt(&message, "the host says no");
    wasm_trap_t *trap = wasm_trap_new((wasm_store_t *)env, &message);
    wasm_name_delete(&message);
    return trap;
}

static void print_trap(wasm_trap_t *trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    printf("trap: %s\n", message.data);
    wasm_byte_vec_delete(&message);
    wasmc_trap_code_t code;
    if (wasmc_trap_code(trap, &code))
        printf("  code: %s\n", code == WASMC_TRAP_DIV_ZERO ? "WASMC_TRAP_DIV_ZERO"
                               : code == WASMC_TRAP_HOST   ? "WASMC_TRAP_HOST"
                                                           : "other");
    wasm_frame_t *origin = wasm_trap_origin(trap);
    if (origin)
        printf("  origin: func %u\n", wasm_frame_func_index(origin));
    wasm_frame_delete(origin);
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    for (size_t i = 0; i < trace.size; i++) {
        const wasm_frame_t *f = trace.data[i];
        const char *name = wasmc_frame_func_name(f);
        printf("  #%zu func %u (%s) at module offset 0x%zx, function offset 0x%zx%s\n", i,
               wasm_frame_func_index(f), name ? name : "no name", wasm_frame_module_offset(f),
               wasm_frame_func_offset(f), wasm_frame_instance(f) ? "" : " (instance unknown)");
    }
    wasm_frame_vec_delete(&trace);
}

static void call(wasm_func_t *func, int nargs, int32_t arg) {
    wasm_val_t args[1] = {WASM_I32_VAL(arg)};
    wasm_val_t results[1] = {WASM_INIT_VAL};
    wasm_val_vec_t arg_vec = {(size_t)nargs, args};
    wasm_val_vec_t result_vec = {wasm_func_result_arity(func), results};
    wasm_trap_t *trap = wasm_func_call(func, &arg_vec, &result_vec);
    if (trap) {
        print_trap(trap);
        wasm_trap_delete(trap);
    } else {
        printf("result: %d\n", results[0].of.i32);
    }
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

    wasm_functype_t *type = wasm_functype_new_0_0();
    wasm_func_t *fail = wasm_func_new_with_env(store, type, host_fail, store, NULL);
    wasm_functype_delete(type);
    wasm_extern_t *items[] = {wasm_func_as_extern(fail)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(items);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_func_t *divide_by = wasm_extern_as_func(exports.data[0]);
    wasm_func_t *call_host = wasm_extern_as_func(exports.data[1]);

    call(divide_by, 1, 1);
    call(divide_by, 1, 0);
    call(call_host, 0, 0);
    /* Misuse is reported as a trap too: one argument too many. */
    call(call_host, 1, 0);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(fail);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
