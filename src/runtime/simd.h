/* The portable 128-bit vector layer of both tiers: lane types over the
 * compiler's vector extensions (GCC and clang), unaligned slot/memory access,
 * and the lane-wise helpers of the SIMD instructions C operators do not give
 * directly (saturation, narrowing, widening, float min/max, rounding,
 * conversions). Every helper is bit-exact with spec: Execution > Numerics;
 * the relaxed instructions' fixed choices are documented in docs/simd.md.
 * Header-only; used by the simd.def rows, which the interpreter's dispatch loop
 * and the JIT's C helpers (jit_simd_rt.c) both expand. */
#ifndef WASMC_RUNTIME_SIMD_H
#define WASMC_RUNTIME_SIMD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "numeric.h"

typedef int8_t VI8 __attribute__((vector_size(16)));
typedef uint8_t VU8 __attribute__((vector_size(16)));
typedef int16_t VI16 __attribute__((vector_size(16)));
typedef uint16_t VU16 __attribute__((vector_size(16)));
typedef int32_t VI32 __attribute__((vector_size(16)));
typedef uint32_t VU32 __attribute__((vector_size(16)));
typedef int64_t VI64 __attribute__((vector_size(16)));
typedef uint64_t VU64 __attribute__((vector_size(16)));
typedef float VF32 __attribute__((vector_size(16)));
typedef double VF64 __attribute__((vector_size(16)));
/* Half vectors (8 bytes), for widening and narrowing. */
typedef int8_t HI8 __attribute__((vector_size(8)));
typedef uint8_t HU8 __attribute__((vector_size(8)));
typedef int16_t HI16 __attribute__((vector_size(8)));
typedef uint16_t HU16 __attribute__((vector_size(8)));
typedef int32_t HI32 __attribute__((vector_size(8)));
typedef uint32_t HU32 __attribute__((vector_size(8)));

/* The type a v128 value travels in; lane views are bit casts: I32(v). */
typedef VU64 V128;

#define I8(v) ((VI8)(v))
#define U8(v) ((VU8)(v))
#define I16(v) ((VI16)(v))
#define U16(v) ((VU16)(v))
#define I32(v) ((VI32)(v))
#define U32(v) ((VU32)(v))
#define I64(v) ((VI64)(v))
#define U64(v) ((VU64)(v))
#define F32(v) ((VF32)(v))
#define F64(v) ((VF64)(v))

/* Slots and linear memory are only 8-byte (or byte) aligned: always go
 * through memcpy, which compiles to one unaligned 16-byte move. */
static inline V128 rt_simd_load(const void *p) {
    V128 v;
    memcpy(&v, p, 16);
    return v;
}
static inline void rt_simd_store(void *p, V128 v) {
    memcpy(p, &v, 16);
}

/* Lane-wise select by mask (all-ones lanes pick x). */
static inline V128 rt_simd_sel(V128 m, V128 x, V128 y) {
    return (x & m) | (y & ~m);
}

static inline V128 rt_simd_splat8(uint32_t x) {
    return (V128)((VU8){0} + (uint8_t)x);
}
static inline V128 rt_simd_splat16(uint32_t x) {
    return (V128)((VU16){0} + (uint16_t)x);
}
static inline V128 rt_simd_splat32(uint32_t x) {
    return (V128)((VU32){0} + x);
}
static inline V128 rt_simd_splat64(uint64_t x) {
    return (V128){x, x};
}

/* A v128 built lane by lane: `T r[n]` filled by `body` (index i), then cast. */
#define SIMD_LANES(T, n, body)                                                                     \
    ({                                                                                             \
        T r_[n];                                                                                   \
        for (int i = 0; i < (n); i++)                                                              \
            r_[i] = (T)(body);                                                                     \
        V128 v_;                                                                                   \
        memcpy(&v_, r_, 16);                                                                       \
        v_;                                                                                        \
    })

/* ---- integer lanes ---- */

static inline V128 rt_simd_abs8(V128 a) {
    VI8 m = I8(a) >> 7;
    return (V128)((U8(a) ^ U8(m)) - U8(m));
}
static inline V128 rt_simd_abs16(V128 a) {
    VI16 m = I16(a) >> 15;
    return (V128)((U16(a) ^ U16(m)) - U16(m));
}
static inline V128 rt_simd_abs32(V128 a) {
    VI32 m = I32(a) >> 31;
    return (V128)((U32(a) ^ U32(m)) - U32(m));
}
static inline V128 rt_simd_abs64(V128 a) {
    VI64 m = I64(a) >> 63;
    return (V128)((U64(a) ^ U64(m)) - U64(m));
}

/* min/max by compare-and-select: m is all-ones where a < b */
#define SIMD_MIN(V, a, b) rt_simd_sel((V128)(V(a) < V(b)), a, b)
#define SIMD_MAX(V, a, b) rt_simd_sel((V128)(V(a) > V(b)), a, b)

static inline int32_t rt_simd_clamp(int32_t x, int32_t lo, int32_t hi) {
    return x < lo ? lo : x > hi ? hi : x;
}

/* Saturating add/sub on 8- and 16-bit lanes: exact in int32, then clamped. */
#define SIMD_SAT(T, n, V, op, lo, hi, a, b)                                                        \
    SIMD_LANES(T, n, rt_simd_clamp((int32_t)V(a)[i] op(int32_t) V(b)[i], lo, hi))

static inline V128 rt_simd_avgr8(V128 a, V128 b) {
    return SIMD_LANES(uint8_t, 16, ((uint32_t)U8(a)[i] + U8(b)[i] + 1) >> 1);
}
static inline V128 rt_simd_avgr16(V128 a, V128 b) {
    return SIMD_LANES(uint16_t, 8, ((uint32_t)U16(a)[i] + U16(b)[i] + 1) >> 1);
}

static inline V128 rt_simd_q15mulr(V128 a, V128 b) {
    return SIMD_LANES(
        int16_t, 8,
        rt_simd_clamp(((int32_t)I16(a)[i] * I16(b)[i] + 0x4000) >> 15, INT16_MIN, INT16_MAX));
}

static inline V128 rt_simd_popcnt8(V128 a) {
    return SIMD_LANES(uint8_t, 16, __builtin_popcount(U8(a)[i]));
}

/* Narrowing: lanes of a then lanes of b, saturated (clamped in the wide
 * lanes, then truncated to half vectors H). */
#define SIMD_NARROW(V, H, lo, hi, a, b)                                                            \
    ({                                                                                             \
        V128 r_;                                                                                   \
        V128 ca_ = SIMD_MAX(V, SIMD_MIN(V, a, (V128)(V(a) * 0 + (hi))), (V128)(V(a) * 0 + (lo)));  \
        V128 cb_ = SIMD_MAX(V, SIMD_MIN(V, b, (V128)(V(b) * 0 + (hi))), (V128)(V(b) * 0 + (lo)));  \
        H ha_ = __builtin_convertvector(V(ca_), H);                                                \
        H hb_ = __builtin_convertvector(V(cb_), H);                                                \
        memcpy(&r_, &ha_, 8);                                                                      \
        memcpy((uint8_t *)&r_ + 8, &hb_, 8);                                                       \
        r_;                                                                                        \
    })
static inline V128 rt_simd_narrow16_s(V128 a, V128 b) {
    return SIMD_NARROW(I16, HI8, INT8_MIN, INT8_MAX, a, b);
}
static inline V128 rt_simd_narrow16_u(V128 a, V128 b) {
    return SIMD_NARROW(I16, HU8, 0, UINT8_MAX, a, b);
}
static inline V128 rt_simd_narrow32_s(V128 a, V128 b) {
    return SIMD_NARROW(I32, HI16, INT16_MIN, INT16_MAX, a, b);
}
static inline V128 rt_simd_narrow32_u(V128 a, V128 b) {
    return SIMD_NARROW(I32, HU16, 0, UINT16_MAX, a, b);
}

/* The low (half 0) or high (half 1) 8 bytes of a as half vector type H. */
#define SIMD_HALF(H, a, half)                                                                      \
    ({                                                                                             \
        H h_;                                                                                      \
        V128 v_ = (a);                                                                             \
        memcpy(&h_, (const uint8_t *)&v_ + 8 * (half), 8);                                         \
        h_;                                                                                        \
    })
/* Widening of the low or high lanes of type H to the vector type W. */
#define SIMD_EXTEND(H, W, a, half) ((V128) __builtin_convertvector(SIMD_HALF(H, a, half), W))
/* Widening multiply of the low or high lanes (exact in the wide lanes). */
#define SIMD_EXTMUL(H, W, a, b, half)                                                              \
    ((V128)(__builtin_convertvector(SIMD_HALF(H, a, half), W) *                                    \
            __builtin_convertvector(SIMD_HALF(H, b, half), W)))
/* Sum of adjacent lane pairs, widened. */
#define SIMD_EXTADD(T, n, V, a) SIMD_LANES(T, n, (T)V(a)[2 * i] + (T)V(a)[2 * i + 1])

static inline V128 rt_simd_dot16(V128 a, V128 b) {
    return SIMD_LANES(uint32_t, 4,
                      (uint32_t)((int32_t)I16(a)[2 * i] * I16(b)[2 * i]) +
                          (uint32_t)((int32_t)I16(a)[2 * i + 1] * I16(b)[2 * i + 1]));
}

static inline uint32_t rt_simd_bitmask8(V128 a) {
    uint32_t m = 0;
    for (int i = 0; i < 16; i++)
        m |= (uint32_t)(U8(a)[i] >> 7) << i;
    return m;
}
static inline uint32_t rt_simd_bitmask16(V128 a) {
    uint32_t m = 0;
    for (int i = 0; i < 8; i++)
        m |= (uint32_t)(U16(a)[i] >> 15) << i;
    return m;
}
static inline uint32_t rt_simd_bitmask32(V128 a) {
    uint32_t m = 0;
    for (int i = 0; i < 4; i++)
        m |= (U32(a)[i] >> 31) << i;
    return m;
}
static inline uint32_t rt_simd_bitmask64(V128 a) {
    return (uint32_t)(a[0] >> 63) | (uint32_t)(a[1] >> 63) << 1;
}

/* all_true: no lane is zero. */
#define SIMD_ALL_TRUE(V, n, a)                                                                     \
    ({                                                                                             \
        uint32_t t_ = 1;                                                                           \
        for (int i = 0; i < (n); i++)                                                              \
            t_ &= V(a)[i] != 0;                                                                    \
        t_;                                                                                        \
    })

/* ---- shuffles ---- */

/* Byte gathers assemble the result in two 64-bit words (byte stores then a
 * 16-byte load would stall store forwarding). */
static inline V128 rt_simd_swizzle(V128 a, V128 s) {
    uint8_t bytes[16], idx[16];
    memcpy(bytes, &a, 16);
    memcpy(idx, &s, 16);
    V128 r = {0, 0};
    for (int i = 0; i < 16; i++)
        r[i >> 3] |= (uint64_t)(idx[i] < 16 ? bytes[idx[i] & 15] : 0) << 8 * (i & 7);
    return r;
}
static inline V128 rt_simd_shuffle(V128 a, V128 b, const uint8_t *lanes) {
    uint8_t ab[32];
    memcpy(ab, &a, 16);
    memcpy(ab + 16, &b, 16);
    V128 r = {0, 0};
    for (int i = 0; i < 16; i++)
        r[i >> 3] |= (uint64_t)ab[lanes[i] & 31] << 8 * (i & 7);
    return r;
}

/* ---- float lanes ---- */

#define SIMD_MAP32(a, fn) SIMD_LANES(float, 4, fn(F32(a)[i]))
#define SIMD_MAP64(a, fn) SIMD_LANES(double, 2, fn(F64(a)[i]))
#define SIMD_ZIP32(a, b, fn) SIMD_LANES(float, 4, fn(F32(a)[i], F32(b)[i]))
#define SIMD_ZIP64(a, b, fn) SIMD_LANES(double, 2, fn(F64(a)[i], F64(b)[i]))

/* spec: fpmin/fpmax: b < a ? b : a and a < b ? b : a, NaNs as they fall. */
#define SIMD_PMIN(V, a, b) rt_simd_sel((V128)(V(b) < V(a)), b, a)
#define SIMD_PMAX(V, a, b) rt_simd_sel((V128)(V(a) < V(b)), b, a)

/* Unfused multiply-add (relaxed madd's fixed choice): the product is rounded
 * before the add; the empty asm keeps the compiler from contracting the two
 * into a fused multiply-add on targets that have one. */
static inline V128 rt_simd_madd32(V128 a, V128 b, V128 c, int neg) {
    VF32 p = F32(a) * F32(b);
    __asm__("" : "+m"(p));
    return (V128)(neg ? F32(c) - p : p + F32(c));
}
static inline V128 rt_simd_madd64(V128 a, V128 b, V128 c, int neg) {
    VF64 p = F64(a) * F64(b);
    __asm__("" : "+m"(p));
    return (V128)(neg ? F64(c) - p : p + F64(c));
}

/* ---- conversions ---- */

static inline V128 rt_simd_trunc_sat32_s(V128 a) {
    return SIMD_LANES(int32_t, 4, rt_num_sat_f32_i32s(F32(a)[i]));
}
static inline V128 rt_simd_trunc_sat32_u(V128 a) {
    return SIMD_LANES(uint32_t, 4, rt_num_sat_f32_i32u(F32(a)[i]));
}
static inline V128 rt_simd_trunc_sat64_s(V128 a) {
    return SIMD_LANES(int32_t, 4, i < 2 ? rt_num_sat_f64_i32s(F64(a)[i]) : 0);
}
static inline V128 rt_simd_trunc_sat64_u(V128 a) {
    return SIMD_LANES(uint32_t, 4, i < 2 ? rt_num_sat_f64_i32u(F64(a)[i]) : 0);
}
static inline V128 rt_simd_convert32_s(V128 a) {
    return SIMD_LANES(float, 4, (float)I32(a)[i]);
}
static inline V128 rt_simd_convert32_u(V128 a) {
    return SIMD_LANES(float, 4, (float)U32(a)[i]);
}
static inline V128 rt_simd_convert_low_s(V128 a) {
    return SIMD_LANES(double, 2, (double)I32(a)[i]);
}
static inline V128 rt_simd_convert_low_u(V128 a) {
    return SIMD_LANES(double, 2, (double)U32(a)[i]);
}
static inline V128 rt_simd_demote(V128 a) {
    return SIMD_LANES(float, 4, i < 2 ? (float)F64(a)[i] : 0.0f);
}
static inline V128 rt_simd_promote(V128 a) {
    return SIMD_LANES(double, 2, (double)F32(a)[i]);
}

/* ---- relaxed integer dot products (signed x signed, no saturation) ---- */

static inline V128 rt_simd_dot8(V128 a, V128 b) {
    return SIMD_LANES(
        int16_t, 8, (uint16_t)(I8(a)[2 * i] * I8(b)[2 * i] + I8(a)[2 * i + 1] * I8(b)[2 * i + 1]));
}
static inline V128 rt_simd_dot8_add(V128 a, V128 b, V128 c) {
    return SIMD_LANES(
        int32_t, 4,
        (uint32_t)I32(c)[i] +
            (uint32_t)(I8(a)[4 * i] * I8(b)[4 * i] + I8(a)[4 * i + 1] * I8(b)[4 * i + 1] +
                       I8(a)[4 * i + 2] * I8(b)[4 * i + 2] + I8(a)[4 * i + 3] * I8(b)[4 * i + 3]));
}

/* ---- NaN canonicalization (EngineConfig.nan_canonicalization) ---- */

/* Every NaN lane becomes the canonical NaN (0x7fc00000 / 0x7ff8000000000000),
 * every other lane is kept bit for bit. */
static inline V128 rt_simd_canon32(V128 a) {
    V128 nan = (V128)((U32(a) & 0x7fffffffu) > 0x7f800000u);
    return rt_simd_sel(nan, rt_simd_splat32(0x7fc00000u), a);
}
static inline V128 rt_simd_canon64(V128 a) {
    V128 nan = (V128)((U64(a) & 0x7fffffffffffffffull) > 0x7ff0000000000000ull);
    return rt_simd_sel(nan, rt_simd_splat64(0x7ff8000000000000ull), a);
}

#endif
