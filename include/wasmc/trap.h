/* Trap codes, frame names and WASI exits. */
#ifndef WASMC_TRAP_H
#define WASMC_TRAP_H

#include "../wasm.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

/* Why wasm trapped. WASMC_TRAP_HOST: a host callback returned a trap. */
typedef uint8_t wasmc_trap_code_t;
enum wasmc_trap_code_enum {
    WASMC_TRAP_UNREACHABLE,           /* "unreachable" */
    WASMC_TRAP_MEM_OOB,               /* "out of bounds memory access" */
    WASMC_TRAP_TABLE_OOB,             /* "out of bounds table access" */
    WASMC_TRAP_ARRAY_OOB,             /* "out of bounds array access" */
    WASMC_TRAP_DIV_ZERO,              /* "integer divide by zero" */
    WASMC_TRAP_INT_OVERFLOW,          /* "integer overflow" */
    WASMC_TRAP_BAD_CONVERSION,        /* "invalid conversion to integer" */
    WASMC_TRAP_UNDEFINED_ELEMENT,     /* "undefined element" */
    WASMC_TRAP_UNINITIALIZED_ELEMENT, /* "uninitialized element" */
    WASMC_TRAP_INDIRECT_TYPE,         /* "indirect call type mismatch" */
    WASMC_TRAP_NULL_REF,              /* "null reference" */
    WASMC_TRAP_NULL_FUNC_REF,         /* "null function reference" */
    WASMC_TRAP_NULL_STRUCT_REF,       /* "null structure reference" */
    WASMC_TRAP_NULL_ARRAY_REF,        /* "null array reference" */
    WASMC_TRAP_NULL_I31_REF,          /* "null i31 reference" */
    WASMC_TRAP_CAST_FAILURE,          /* "cast failure" */
    WASMC_TRAP_STACK_OVERFLOW,        /* "call stack exhausted" */
    WASMC_TRAP_OUT_OF_FUEL,           /* "all fuel consumed by WebAssembly" */
    WASMC_TRAP_INTERRUPT,             /* "interrupt" (epoch deadline) */
    WASMC_TRAP_ALLOCATION_TOO_LARGE,  /* "allocation size too large" */
    WASMC_TRAP_UNSUPPORTED,           /* "unsupported instruction" */
    WASMC_TRAP_HOST,                  /* a host callback's trap (its own message) */
    WASMC_TRAP_NULL_EXN_REF,          /* "null exception reference" (throw_ref) */
    WASMC_TRAP_UNCAUGHT_EXCEPTION,    /* "uncaught exception": a wasm exception left the call */
};

/* The trap's code in *out; false (and *out untouched) for a trap made by
 * wasm_trap_new that never ran through wasm. */
WASMC_API bool wasmc_trap_code(const wasm_trap_t *, wasmc_trap_code_t *out);
/* True when the trap is a WASI program's exit (proc_exit); *out is the exit
 * code. */
WASMC_API bool wasmc_trap_exit_status(const wasm_trap_t *, int *out);

/* A frame's function name (name section) and module name, or NULL. Valid
 * as long as the frame. */
WASMC_API const char *wasmc_frame_func_name(const wasm_frame_t *);
WASMC_API const char *wasmc_frame_module_name(const wasm_frame_t *);

#ifdef __cplusplus
}
#endif

#undef own

#endif
