/* Fuel and epochs: bounding how long wasm runs (fuel needs
 * wasmc_config_consume_fuel_set; epochs need
 * wasmc_config_epoch_interruption_set); and bounding the GC heap. */
#ifndef WASMC_STORE_H
#define WASMC_STORE_H

#include "../wasm.h"
#include "error.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

/* Set the store's remaining fuel. WASMC_ERROR_USAGE unless the engine
 * consumes fuel. A store starts with no fuel. */
WASMC_API own wasmc_error_t *wasmc_store_set_fuel(wasm_store_t *, uint64_t fuel);
/* The store's remaining fuel in *out. WASMC_ERROR_USAGE unless the engine
 * consumes fuel. */
WASMC_API own wasmc_error_t *wasmc_store_get_fuel(const wasm_store_t *, uint64_t *out);

/* Trap (WASMC_TRAP_INTERRUPT) once the engine's epoch reaches its current
 * value plus `ticks`. Until set, a store never hits a deadline. */
WASMC_API void wasmc_store_set_epoch_deadline(wasm_store_t *, uint64_t ticks);
/* Advance the engine's epoch by one; any thread may call it at any time. */
WASMC_API void wasmc_engine_increment_epoch(wasm_engine_t *);

/* Bound the bytes of the store's GC objects (structs, arrays): an allocation
 * that would exceed max_bytes even after a collection traps
 * (WASMC_TRAP_ALLOCATION_TOO_LARGE). 0, the default: no bound. */
WASMC_API void wasmc_store_set_gc_heap_limit(wasm_store_t *, uint64_t max_bytes);

#ifdef __cplusplus
}
#endif

#undef own

#endif
