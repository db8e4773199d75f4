/* Error objects: what went wrong in an embedder-visible operation (misuse,
 * malformed or invalid modules, link errors, limits), with a message. Owned by
 * the caller of the function that returned it; wasmc_error_delete once. */
#ifndef WASMC_ERROR_H
#define WASMC_ERROR_H

#include "../wasm.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasmc_error_t wasmc_error_t;

/* What kind of failure an error is. */
typedef uint8_t wasmc_errcode_t;
enum wasmc_errcode_enum {
    WASMC_ERROR_MALFORMED = 1, /* bytes or text not in the format */
    WASMC_ERROR_INVALID,       /* well-formed but fails validation */
    WASMC_ERROR_NOMEM,         /* out of memory */
    WASMC_ERROR_LIMIT,         /* an implementation or configured limit */
    WASMC_ERROR_UNSUPPORTED,   /* not provided by this build */
    WASMC_ERROR_IO,            /* reading or opening a file failed */
    WASMC_ERROR_LINK,          /* imports missing or of the wrong type */
    WASMC_ERROR_TRAP,          /* execution trapped (where no wasm_trap_t is returned) */
    WASMC_ERROR_USAGE,         /* wrong arguments: NULL, wrong kind, wrong type or arity */
};

WASMC_API void wasmc_error_delete(own wasmc_error_t *);

/* The message, NUL-terminated (the size includes the NUL). */
WASMC_API void wasmc_error_message(const wasmc_error_t *, own wasm_name_t *out);
WASMC_API wasmc_errcode_t wasmc_error_code(const wasmc_error_t *);

#ifdef __cplusplus
}
#endif

#undef own

#endif
