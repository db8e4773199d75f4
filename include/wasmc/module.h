/* Modules with error reporting, the text format, and serialization.
 *
 * Serialized modules: for now the artefact is the validated module's binary
 * encoding behind a header (magic, format version, hash of the payload);
 * deserializing checks the header and hash, then decodes, validates and
 * compiles again. Native `.cwasm` artefacts (no recompilation) come with the
 * JIT tier. A stale or corrupt artefact is rejected, never trusted. */
#ifndef WASMC_MODULE_H
#define WASMC_MODULE_H

#include "../wasm.h"
#include "error.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

/* Decode, validate and compile `binary` for `engine`. On failure *out is
 * untouched and the error says what and where ("offset 0x1c: type mismatch"). */
WASMC_API own wasmc_error_t *wasmc_module_new(wasm_engine_t *engine, const uint8_t *binary,
                                              size_t len, own wasm_module_t **out);
/* Decode and validate only. */
WASMC_API own wasmc_error_t *wasmc_module_validate(wasm_engine_t *engine, const uint8_t *binary,
                                                   size_t len);
/* The serialized form (see above) of a module. */
WASMC_API own wasmc_error_t *wasmc_module_serialize(const wasm_module_t *,
                                                    own wasm_byte_vec_t *out);
/* A module from its serialized form (WASMC_ERROR_MALFORMED for a foreign,
 * stale or corrupt artefact). */
WASMC_API own wasmc_error_t *wasmc_module_deserialize(wasm_engine_t *engine, const uint8_t *bytes,
                                                      size_t len, own wasm_module_t **out);

/* WebAssembly text (one module) to binary. Errors give line:column. */
WASMC_API own wasmc_error_t *wasmc_wat2wasm(const char *wat, size_t len,
                                            own wasm_byte_vec_t *out);

#ifdef __cplusplus
}
#endif

#undef own

#endif
