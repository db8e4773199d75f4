/* The SIMD libcall table shared by the lowering (jit_simd.c) and its C
 * helpers (jit_simd_rt.c). */
#ifndef WASMC_JIT_JIT_SIMD_H
#define WASMC_JIT_JIT_SIMD_H

#include "jit_int.h"

/* result, operands a, b, c: pointers to slots (see jit_simd_rt.c). */
typedef void (*JSimdFn)(void *r, const void *a, const void *b, const void *c);
extern const JSimdFn jit_simd_helpers[OP_COUNT];

#endif
