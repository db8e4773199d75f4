/* A linker resolves a module's imports by name ("module", "name") from the
 * externs defined in it, then instantiates. It belongs to one store: every
 * extern defined in it, and every instance it makes, is of that store. Names
 * are byte strings with lengths, copied. Defining a name again replaces it. */
#ifndef WASMC_LINKER_H
#define WASMC_LINKER_H

#include "../wasm.h"
#include "error.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasmc_linker_t wasmc_linker_t;

/* NULL when out of memory. Delete the linker before its store. */
WASMC_API own wasmc_linker_t *wasmc_linker_new(wasm_store_t *store);
WASMC_API void wasmc_linker_delete(own wasmc_linker_t *);

/* Define module::name as `item` (borrowed; WASMC_ERROR_USAGE if it belongs
 * to another store). */
WASMC_API own wasmc_error_t *wasmc_linker_define(wasmc_linker_t *, const char *module,
                                                 size_t module_len, const char *name,
                                                 size_t name_len, const wasm_extern_t *item);
/* Define every export of `instance` under `module`. */
WASMC_API own wasmc_error_t *wasmc_linker_define_instance(wasmc_linker_t *, const char *module,
                                                          size_t module_len,
                                                          const wasm_instance_t *instance);
/* Look up module::name; false when undefined. */
WASMC_API bool wasmc_linker_get(const wasmc_linker_t *, const char *module, size_t module_len,
                                const char *name, size_t name_len, own wasm_extern_t **out);
/* Resolve every import of `module` and instantiate it in the linker's store.
 * Returns an error for a missing or mismatched import (WASMC_ERROR_LINK:
 * "unknown import: `m::f` has not been defined"); a trap in a segment or the
 * start function returns NULL with *trap set (and *out NULL). */
WASMC_API own wasmc_error_t *wasmc_linker_instantiate(const wasmc_linker_t *,
                                                      const wasm_module_t *module,
                                                      own wasm_instance_t **out,
                                                      own wasm_trap_t **trap);

#ifdef __cplusplus
}
#endif

#undef own

#endif
