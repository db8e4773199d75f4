/* Exact WebAssembly numeric semantics the C operators do not give directly:
 * rotates, signed-division traps, float min/max (NaN and signed zeros), and the
 * range checks of float-to-integer truncation, trapping and saturating.
 * spec: Execution > Numerics. Header-only and tier-neutral: the interpreter's
 * dispatch loop and the JIT's C helpers (through simd.h) share it, so both tiers
 * compute the same results. */
#ifndef WASMC_RUNTIME_NUMERIC_H
#define WASMC_RUNTIME_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "runtime.h"

static inline uint32_t rt_num_rotl32(uint32_t a, uint32_t b) {
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t rt_num_rotr32(uint32_t a, uint32_t b) {
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t rt_num_rotl64(uint64_t a, uint64_t b) {
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t rt_num_rotr64(uint64_t a, uint64_t b) {
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

static inline TrapCode rt_num_div_check32(int32_t a, int32_t b) {
    if (b == 0)
        return TRAP_DIV_ZERO;
    return a == INT32_MIN && b == -1 ? TRAP_INT_OVERFLOW : TRAP_NONE;
}
static inline TrapCode rt_num_div_check64(int64_t a, int64_t b) {
    if (b == 0)
        return TRAP_DIV_ZERO;
    return a == INT64_MIN && b == -1 ? TRAP_INT_OVERFLOW : TRAP_NONE;
}

static inline uint32_t rt_num_bits32(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline float rt_num_from_bits32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline uint64_t rt_num_bits64(double f) {
    uint64_t u;
    memcpy(&u, &f, 8);
    return u;
}
static inline double rt_num_from_bits64(uint64_t u) {
    double f;
    memcpy(&f, &u, 8);
    return f;
}

/* spec: fmin/fmax. A NaN operand gives a NaN (a + b quiets it, which is an
 * arithmetic NaN); equal operands may be zeros of different sign: min takes
 * the negative one (OR of the bits), max the positive one (AND). */
static inline float rt_num_fmin32(float a, float b) {
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return rt_num_from_bits32(rt_num_bits32(a) | rt_num_bits32(b));
    return a < b ? a : b;
}
static inline float rt_num_fmax32(float a, float b) {
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return rt_num_from_bits32(rt_num_bits32(a) & rt_num_bits32(b));
    return a > b ? a : b;
}
static inline double rt_num_fmin64(double a, double b) {
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return rt_num_from_bits64(rt_num_bits64(a) | rt_num_bits64(b));
    return a < b ? a : b;
}
static inline double rt_num_fmax64(double a, double b) {
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return rt_num_from_bits64(rt_num_bits64(a) & rt_num_bits64(b));
    return a > b ? a : b;
}

/* spec: fceil, ffloor, ftrunc, fnearest. libm returns a signalling NaN
 * unchanged; the spec wants it quieted (an arithmetic NaN). */
#define NUM_ROUND(name, T, fn)                                                                     \
    static inline T name(T x) {                                                                    \
        return x != x ? x + x : fn(x);                                                             \
    }
NUM_ROUND(rt_num_ceil32, float, ceilf)
NUM_ROUND(rt_num_floor32, float, floorf)
NUM_ROUND(rt_num_trunc32, float, truncf)
NUM_ROUND(rt_num_nearest32, float, rintf)
NUM_ROUND(rt_num_ceil64, double, ceil)
NUM_ROUND(rt_num_floor64, double, floor)
NUM_ROUND(rt_num_trunc64, double, trunc)
NUM_ROUND(rt_num_nearest64, double, rint)
#undef NUM_ROUND

/* spec: trunc. NaN is an invalid conversion; a value whose truncation is out of
 * the target range overflows. Bounds are exclusive and exactly representable.
 */
#define NUM_TRUNC_CHECK(name, T, lo, hi)                                                           \
    static inline TrapCode name(T x) {                                                             \
        if (x != x)                                                                                \
            return TRAP_BAD_CONVERSION;                                                            \
        return x > (lo) && x < (hi) ? TRAP_NONE : TRAP_INT_OVERFLOW;                               \
    }
NUM_TRUNC_CHECK(rt_num_trunc_f32_i32s, float, -2147483904.0f, 2147483648.0f)
NUM_TRUNC_CHECK(rt_num_trunc_f32_i32u, float, -1.0f, 4294967296.0f)
NUM_TRUNC_CHECK(rt_num_trunc_f64_i32s, double, -2147483649.0, 2147483648.0)
NUM_TRUNC_CHECK(rt_num_trunc_f64_i32u, double, -1.0, 4294967296.0)
NUM_TRUNC_CHECK(rt_num_trunc_f32_i64s, float, -9223373136366403584.0f, 9223372036854775808.0f)
NUM_TRUNC_CHECK(rt_num_trunc_f32_i64u, float, -1.0f, 18446744073709551616.0f)
NUM_TRUNC_CHECK(rt_num_trunc_f64_i64s, double, -9223372036854777856.0, 9223372036854775808.0)
NUM_TRUNC_CHECK(rt_num_trunc_f64_i64u, double, -1.0, 18446744073709551616.0)
#undef NUM_TRUNC_CHECK

/* spec: trunc_sat. NaN gives 0, out-of-range values clamp. */
#define NUM_TRUNC_SAT(name, T, R, lo, hi, rmin, rmax)                                              \
    static inline R name(T x) {                                                                    \
        if (x != x)                                                                                \
            return 0;                                                                              \
        if (x <= (lo))                                                                             \
            return rmin;                                                                           \
        if (x >= (hi))                                                                             \
            return rmax;                                                                           \
        return (R)x;                                                                               \
    }
NUM_TRUNC_SAT(rt_num_sat_f32_i32s, float, int32_t, -2147483904.0f, 2147483648.0f, INT32_MIN,
              INT32_MAX)
NUM_TRUNC_SAT(rt_num_sat_f32_i32u, float, uint32_t, -1.0f, 4294967296.0f, 0, UINT32_MAX)
NUM_TRUNC_SAT(rt_num_sat_f64_i32s, double, int32_t, -2147483649.0, 2147483648.0, INT32_MIN,
              INT32_MAX)
NUM_TRUNC_SAT(rt_num_sat_f64_i32u, double, uint32_t, -1.0, 4294967296.0, 0, UINT32_MAX)
NUM_TRUNC_SAT(rt_num_sat_f32_i64s, float, int64_t, -9223373136366403584.0f, 9223372036854775808.0f,
              INT64_MIN, INT64_MAX)
NUM_TRUNC_SAT(rt_num_sat_f32_i64u, float, uint64_t, -1.0f, 18446744073709551616.0f, 0, UINT64_MAX)
NUM_TRUNC_SAT(rt_num_sat_f64_i64s, double, int64_t, -9223372036854777856.0, 9223372036854775808.0,
              INT64_MIN, INT64_MAX)
NUM_TRUNC_SAT(rt_num_sat_f64_i64u, double, uint64_t, -1.0, 18446744073709551616.0, 0, UINT64_MAX)
#undef NUM_TRUNC_SAT

#endif
