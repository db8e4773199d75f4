/* Engine configuration beyond wasm_config_new(): set on a wasm_config_t
 * before wasm_engine_new_with_config takes it. Defaults: the interpreter,
 * 4 GiB reservations with guard pages for 32-bit memories, no fuel, no
 * epochs, 1 MiB of wasm stack, NaNs not canonicalized. */
#ifndef WASMC_CONFIG_H
#define WASMC_CONFIG_H

#include "../wasm.h"
#include "error.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

/* Execution tiers (default: the JIT where it runs, else the interpreter). */
typedef uint8_t wasmc_tier_t;
enum wasmc_tier_enum {
    WASMC_TIER_INTERP, /* the portable interpreter */
    WASMC_TIER_JIT,    /* the x86-64 compiler (WASMC_ERROR_UNSUPPORTED on other machines) */
};

WASMC_API own wasmc_error_t *wasmc_config_tier_set(wasm_config_t *, wasmc_tier_t);
/* Reserve 4 GiB plus a guard region for each 32-bit memory, so accesses
 * need no bounds checks (default true). Off: memories are mapped exactly. */
WASMC_API void wasmc_config_memory_reservation_set(wasm_config_t *, bool);
/* Bytes of guard after each reservation; raised to the minimum that covers
 * every 32-bit offset when smaller. */
WASMC_API void wasmc_config_memory_guard_size_set(wasm_config_t *, uint64_t);
/* Meter execution with fuel (wasmc_store_set_fuel); out of fuel traps. */
WASMC_API void wasmc_config_consume_fuel_set(wasm_config_t *, bool);
/* Check the engine epoch at function entries and loops
 * (wasmc_engine_increment_epoch, wasmc_store_set_epoch_deadline). */
WASMC_API void wasmc_config_epoch_interruption_set(wasm_config_t *, bool);
/* Bytes of wasm stack per call from the host; deeper recursion traps
 * (WASMC_TRAP_STACK_OVERFLOW). Zero keeps the default. */
WASMC_API void wasmc_config_max_wasm_stack_set(wasm_config_t *, size_t);
/* Threads that compile one module's functions in parallel (the JIT tier;
 * small modules use one). Zero, the default: one per online CPU, at most 8. */
WASMC_API void wasmc_config_compile_threads_set(wasm_config_t *, uint32_t);
/* Canonicalize NaNs (default false): every NaN that floating-point arithmetic
 * computes (add, sub, mul, div, sqrt, min, max, ceil, floor, trunc, nearest,
 * promote, demote; f32, f64, f32x4, f64x2 and relaxed min/max/madd/nmadd) is
 * the canonical NaN, positive with payload 0 (0x7fc00000, 0x7ff8000000000000),
 * instead of a NaN whose sign and payload depend on the operands. Results are
 * then the same bits on every tier and machine (deterministic execution).
 * Bit operations (abs, neg, copysign), loads and reinterprets keep NaNs as
 * they are. */
WASMC_API void wasmc_config_nan_canonicalization_set(wasm_config_t *, bool);

/* Profilers that can name compiled code (default: none). */
typedef uint8_t wasmc_profiler_t;
enum wasmc_profiler_enum {
    WASMC_PROFILER_NONE,
    /* Linux perf's JIT symbol file: every module the JIT compiles appends
     * "START SIZE wasm[INDEX]:NAME" per function to /tmp/perf-PID.map, so
     * `perf record` + `perf report` name samples in wasm code. The
     * interpreter has no per-function code: its samples name the interpreter. */
    WASMC_PROFILER_PERFMAP,
};
WASMC_API void wasmc_config_profiler_set(wasm_config_t *, wasmc_profiler_t);

#ifdef __cplusplus
}
#endif

#undef own

#endif
