/* Calling functions with errors apart from traps. */
#ifndef WASMC_FUNC_H
#define WASMC_FUNC_H

#include "../wasm.h"
#include "error.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

/* Call `func` with nargs arguments; write its results to results[0..nresults).
 * Three outcomes:
 *   - success: returns NULL, *trap = NULL, results written (owned by the caller);
 *   - an error: returns it (WASMC_ERROR_USAGE for a NULL function, wrong
 *     arity or value kinds, a reference from another store), nothing ran;
 *   - a trap: returns NULL and sets *trap (wasm trap or host callback trap,
 *     with its backtrace). */
WASMC_API own wasmc_error_t *wasmc_func_call(const wasm_func_t *func, const wasm_val_t *args,
                                             size_t nargs, wasm_val_t *results, size_t nresults,
                                             own wasm_trap_t **trap);

#ifdef __cplusplus
}
#endif

#undef own

#endif
