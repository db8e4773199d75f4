/* SIMD libcalls: one C function per value-producing SIMD instruction,
 * generated from runtime/simd.def with the expressions the interpreter runs
 * too (runtime/simd.h), so a lowering that has no inline sequence on this CPU
 * (an SSE extension missing) gives exactly the interpreter's result. Uniform
 * signature: operands and the result are pointers to their frame slots
 * (unaligned; a result may overlap an operand: operands are read first). */
#include "jit_simd.h"

#include "../runtime/simd.h"

#define HELPER(name) static void h_##name(void *out, const void *pa, const void *pb, const void *pc)

#define VBIN(name, expr)                                                                       \
    HELPER(name) {                                                                             \
        (void)pc;                                                                              \
        V128 a = rt_simd_load(pa), b = rt_simd_load(pb);                                       \
        rt_simd_store(out, (V128)(expr));                                                      \
    }
#define VUN(name, expr)                                                                        \
    HELPER(name) {                                                                             \
        (void)pb;                                                                              \
        (void)pc;                                                                              \
        V128 a = rt_simd_load(pa);                                                             \
        rt_simd_store(out, (V128)(expr));                                                      \
    }
#define VTERN(name, expr)                                                                      \
    HELPER(name) {                                                                             \
        V128 a = rt_simd_load(pa), b = rt_simd_load(pb), c = rt_simd_load(pc);                 \
        rt_simd_store(out, (V128)(expr));                                                      \
    }
#define VSHIFT(name, expr)                                                                     \
    HELPER(name) {                                                                             \
        (void)pc;                                                                              \
        V128 a = rt_simd_load(pa);                                                             \
        uint32_t n;                                                                            \
        memcpy(&n, pb, 4);                                                                     \
        rt_simd_store(out, (V128)(expr));                                                      \
    }
#define VTEST(name, expr)                                                                      \
    HELPER(name) {                                                                             \
        (void)pb;                                                                              \
        (void)pc;                                                                              \
        V128 a = rt_simd_load(pa);                                                             \
        uint64_t v_ = (uint32_t)(expr);                                                        \
        memcpy(out, &v_, 8);                                                                    \
    }
#define VSPLAT(name, T, expr)                                                                  \
    HELPER(name) {                                                                             \
        (void)pb;                                                                              \
        (void)pc;                                                                              \
        T x;                                                                                   \
        memcpy(&x, pa, sizeof x);                                                              \
        rt_simd_store(out, (V128)(expr));                                                      \
    }
#include "../runtime/simd.def"

/* i8x16.shuffle: `pc` points at the 16 lane indices. */
static void h_I8X16_SHUFFLE(void *out, const void *pa, const void *pb, const void *pc) {
    rt_simd_store(out, rt_simd_shuffle(rt_simd_load(pa), rt_simd_load(pb), pc));
}

const JSimdFn jit_simd_helpers[OP_COUNT] = {
#define VBIN(name, expr) [OP_##name] = h_##name,
#define VUN(name, expr) [OP_##name] = h_##name,
#define VTERN(name, expr) [OP_##name] = h_##name,
#define VSHIFT(name, expr) [OP_##name] = h_##name,
#define VTEST(name, expr) [OP_##name] = h_##name,
#define VSPLAT(name, T, expr) [OP_##name] = h_##name,
#include "../runtime/simd.def"
    [OP_I8X16_SHUFFLE] = h_I8X16_SHUFFLE,
};
