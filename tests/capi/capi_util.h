/* Helpers shared by the C API tests: compile WAT into a module, take an
 * export by position, read a trap's or error's message. Uses only the public
 * headers. */
#ifndef WASMC_TESTS_CAPI_UTIL_H
#define WASMC_TESTS_CAPI_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "wasmc.h"

/* A module from WAT text (NULL, after printing why, on failure). */
static inline wasm_module_t *wat_module(wasm_store_t *store, const char *wat) {
    wasm_byte_vec_t binary;
    wasmc_error_t *e = wasmc_wat2wasm(wat, strlen(wat), &binary);
    if (e) {
        wasm_name_t m;
        wasmc_error_message(e, &m);
        fprintf(stderr, "wat2wasm: %s\n", m.data);
        wasm_name_delete(&m);
        wasmc_error_delete(e);
        return NULL;
    }
    wasm_module_t *module = wasm_module_new(store, &binary);
    wasm_byte_vec_delete(&binary);
    return module;
}

/* Instantiate with no imports. */
static inline wasm_instance_t *wat_instance(wasm_store_t *store, const char *wat) {
    wasm_module_t *module = wat_module(store, wat);
    if (!module)
        return NULL;
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    wasm_module_delete(module);
    return instance;
}

/* Export number `index` of an instance (a new reference), or NULL. */
static inline wasm_extern_t *export_at(const wasm_instance_t *instance, size_t index) {
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_extern_t *found = index < exports.size ? wasm_extern_copy(exports.data[index]) : NULL;
    wasm_extern_vec_delete(&exports);
    return found;
}

/* A trap's message as a malloc'd string (freed by the caller). */
static inline char *trap_text(const wasm_trap_t *trap) {
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    char *s = malloc(m.size + 1);
    memcpy(s, m.data, m.size);
    s[m.size] = '\0';
    wasm_byte_vec_delete(&m);
    return s;
}

/* Whether a trap's message contains `needle`; deletes the trap. */
static inline int trap_says(wasm_trap_t *trap, const char *needle) {
    if (!trap)
        return 0;
    char *s = trap_text(trap);
    int ok = strstr(s, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  trap message: %s\n", s);
    free(s);
    wasm_trap_delete(trap);
    return ok;
}

/* Whether an error's message contains `needle`; deletes the error. */
static inline int error_says(wasmc_error_t *e, const char *needle) {
    if (!e)
        return 0;
    wasm_name_t m;
    wasmc_error_message(e, &m);
    int ok = strstr(m.data, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  error message: %s\n", m.data);
    wasm_name_delete(&m);
    wasmc_error_delete(e);
    return ok;
}

#endif
