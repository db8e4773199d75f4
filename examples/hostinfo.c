/* hostinfo: attach host data to objects (host info with finalizers), carry
 * host objects through wasm as externrefs, and watch finalizers run when
 * the objects die: with their store, or with the last handle for modules
 * and traps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmc.h>

static const char wat[] =
    "(module\n"
    "  (table (export \"refs\") 4 externref)\n"
    "  (func (export \"keep\") (param i32 externref) (table.set (local.get 0) (local.get 1)))\n"
    "  (func (export \"get\") (param i32) (result externref) (table.get (local.get 0))))";

static int finalized;

static void finalize(void *data) {
    printf("finalizing %s\n", (const char *)data);
    finalized++;
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
    wasm_module_set_host_info_with_finalizer(module, "the module", finalize);

    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance)
        return 1;
    wasm_instance_set_host_info_with_finalizer(instance, "the instance", finalize);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_table_t *refs = wasm_extern_as_table(exports.data[0]);
    wasm_func_t *keep = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *get = wasm_extern_as_func(exports.data[2]);

    /* A foreign object: host data wasm can hold but not look into. */
    wasm_foreign_t *foreign = wasm_foreign_new(store);
    wasm_foreign_set_host_info_with_finalizer(foreign, "the foreign object", finalize);

    /* Hand it to wasm, which stores it in its table. */
    wasm_val_t args[2] = {WASM_I32_VAL(2), WASM_REF_VAL(wasm_foreign_as_ref(foreign))};
    wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), no_results = WASM_EMPTY_VEC;
    wasm_trap_t *trap = wasm_func_call(keep, &arg_vec, &no_results);
    if (trap)
        return 1;

    /* Get it back from wasm, and straight from the table: the same object. */
    wasm_val_t index[1] = {WASM_I32_VAL(2)}, result[1] = {WASM_INIT_VAL};
    wasm_val_vec_t index_vec = WASM_ARRAY_VEC(index), result_vec = WASM_ARRAY_VEC(result);
    trap = wasm_func_call(get, &index_vec, &result_vec);
    if (trap)
        return 1;
    wasm_ref_t *from_table = wasm_table_get(refs, 2);
    printf("wasm returned %s\n", (const char *)wasm_ref_get_host_info(result[0].of.ref));
    printf("same object: %s\n", wasm_ref_same(result[0].of.ref, from_table) ? "yes" : "no");
    printf("slot 3 is %s\n", wasm_table_get(refs, 3) ? "set" : "null");
    wasm_val_delete(&result[0]);
    wasm_ref_delete(from_table);

    /* Handles are references: copies share the host info. */
    wasm_foreign_t *copy = wasm_foreign_copy(foreign);
    printf("copy sees %s\n", (const char *)wasm_foreign_get_host_info(copy));
    wasm_foreign_delete(copy);
    wasm_foreign_delete(foreign);
    printf("handles deleted, finalized so far: %d\n", finalized);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    printf("deleting the store\n");
    wasm_store_delete(store);
    printf("deleting the module\n");
    wasm_module_delete(module);
    printf("finalized: %d\n", finalized);
    wasm_engine_delete(engine);
    return 0;
}
