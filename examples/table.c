/* table: a module's funcref table seen from C: read, write, grow, and call
 * through it from wasm (call_indirect), with traps for a null slot and a
 * signature mismatch. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module\n"
    "  (table (export \"table\") 2 10 funcref)\n"
    "  (type $ii_i (func (param i32 i32) (result i32)))\n"
    "  (func $add (export \"add\") (type $ii_i) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func $neg (export \"neg\") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))\n"
    "  (elem (i32.const 1) $add)\n"
    "  (func (export \"call_at\") (param i32 i32 i32) (result i32)\n"
    "    (call_indirect (type $ii_i) (local.get 1) (local.get 2) (local.get 0))))";

static void call_at(wasm_func_t *call, int32_t slot, int32_t a, int32_t b) {
    wasm_val_t args[3] = {WASM_I32_VAL(slot), WASM_I32_VAL(a), WASM_I32_VAL(b)};
    wasm_val_t results[1] = {WASM_INIT_VAL};
    wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
    wasm_trap_t *trap = wasm_func_call(call, &arg_vec, &result_vec);
    if (trap) {
        wasm_message_t message;
        wasm_trap_message(trap, &message);
        printf("call_at(%d, %d, %d) -> trap: %s\n", slot, a, b, message.data);
        wasm_byte_vec_delete(&message);
        wasm_trap_delete(trap);
    } else {
        printf("call_at(%d, %d, %d) -> %d\n", slot, a, b, results[0].of.i32);
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
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance)
        return 1;
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_table_t *table = wasm_extern_as_table(exports.data[0]);
    wasm_func_t *add = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *neg = wasm_extern_as_func(exports.data[2]);
    wasm_func_t *call = wasm_extern_as_func(exports.data[3]);

    printf("size: %u\n", wasm_table_size(table));
    wasm_ref_t *slot0 = wasm_table_get(table, 0), *slot1 = wasm_table_get(table, 1);
    printf("slot 0 is %s, slot 1 is %s\n", slot0 ? "a function" : "null",
           slot1 && wasm_ref_same(slot1, wasm_func_as_ref(add)) ? "add" : "something else");
    wasm_ref_delete(slot1);
    call_at(call, 1, 2, 3);
    call_at(call, 0, 2, 3);
    call_at(call, 5, 2, 3);

    /* Put neg (the wrong signature) in slot 0, then add. */
    printf("set slot 0 to neg: %s\n", wasm_table_set(table, 0, wasm_func_as_ref(neg)) ? "ok" : "failed");
    call_at(call, 0, 2, 3);
    wasm_table_set(table, 0, wasm_func_as_ref(add));
    call_at(call, 0, 7, 8);
    printf("set slot 2 (out of bounds): %s\n", wasm_table_set(table, 2, NULL) ? "ok" : "failed");

    /* Grow with add in the new slots, up to the maximum of 10. */
    bool grown = wasm_table_grow(table, 3, wasm_func_as_ref(add));
    printf("grow by 3: %s, size %u\n", grown ? "ok" : "failed", wasm_table_size(table));
    call_at(call, 4, 20, 22);
    grown = wasm_table_grow(table, 6, NULL);
    printf("grow by 6: %s, size %u\n", grown ? "ok" : "failed", wasm_table_size(table));

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return 0;
}
