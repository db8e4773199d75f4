/* wasmc's embedding API beyond the standard: everything wasm.h lacks, in
 * small headers under wasmc/, all reached from here. Names are
 * wasmc_<object>_<verb>; objects are opaque; fallible functions return an
 * owned wasmc_error_t * (NULL on success). Traps stay apart from errors: a
 * call that traps reports a wasm_trap_t, never an error.
 *
 *   wasmc/error.h   error objects with messages and codes
 *   wasmc/config.h  engine configuration: tier, memory, fuel, epochs, stack
 *   wasmc/store.h   fuel and epoch control
 *   wasmc/module.h  modules with errors, WAT to binary, serialization
 *   wasmc/func.h    calls that tell errors from traps
 *   wasmc/trap.h    trap codes, backtraces with names, WASI exit status
 *   wasmc/linker.h  resolving imports by name, instantiating
 *   wasmc/wasi.h    WASI preview1 configuration, defined through a linker */
#ifndef WASMC_H
#define WASMC_H

#include "wasm.h"

#include "wasmc/error.h"
#include "wasmc/config.h"
#include "wasmc/store.h"
#include "wasmc/module.h"
#include "wasmc/func.h"
#include "wasmc/trap.h"
#include "wasmc/linker.h"
#include "wasmc/wasi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
WASMC_API const char *wasmc_version(void);

#ifdef __cplusplus
}
#endif

#endif
