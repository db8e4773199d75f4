/* Fuel and epochs: bounding how long wasm runs. Fuel needs
 * wasmc_config_consume_fuel_set; epochs need
 * wasmc_config_epoch_interruption_set. */
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

#ifdef __cplusplus
}
#endif

#undef own

#endif
