/* SIMD kernels: loops clang vectorizes to wasm SIMD at -O2 -msimd128 (gcc -O2
 * natively): an 8-bit alpha blend (widen, multiply, shift, narrow), a float
 * saxpy with clamping (f32x4 mul/add/min/max), a byte classification count
 * (i8x16 compares), and an integer sum of absolute differences (i32x4).
 * The float sums that make the checksum stay scalar, so the result is exact.
 * In wasm builds every function is compiled for simd128 even without the
 * flag, so the program exercises SIMD under any harness.
 *   simd_kernels [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__wasm__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("simd128"))), apply_to = function)
#endif

#define N 8192

static void blend(uint8_t *dst, const uint8_t *a, const uint8_t *b, const uint8_t *alpha, int n) {
    for (int i = 0; i < n; i++)
        dst[i] = (uint8_t)((a[i] * alpha[i] + b[i] * (255 - alpha[i]) + 128) >> 8);
}

static void saxpy_clamp(float *y, const float *x, float a, int n) {
    for (int i = 0; i < n; i++) {
        float v = a * x[i] + y[i];
        v = v < -4.0f ? -4.0f : v;
        y[i] = v > 4.0f ? 4.0f : v;
    }
}

static uint32_t count_alnum(const uint8_t *s, int n) {
    uint32_t count = 0;
    for (int i = 0; i < n; i++) {
        uint8_t c = s[i];
        count += (uint8_t)((c | 0x20) - 'a') < 26 || (uint8_t)(c - '0') < 10;
    }
    return count;
}

static uint32_t sad(const int32_t *a, const int32_t *b, int n) {
    uint32_t sum = 0;
    for (int i = 0; i < n; i++) {
        int32_t d = a[i] - b[i];
        sum += (uint32_t)(d < 0 ? -d : d);
    }
    return sum;
}

static void mix_ints(int32_t *a, const uint8_t *src, int n) {
    for (int i = 0; i < n; i++)
        a[i] = (a[i] ^ (a[i] >> 3)) + src[i] * 3;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int reps = (int)scaled(scale, 77000);
    uint8_t *a = malloc(N), *b = malloc(N), *alpha = malloc(N), *out = malloc(N);
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    int32_t *p = malloc(sizeof(int32_t) * N), *q = malloc(sizeof(int32_t) * N);
    if (!a || !b || !alpha || !out || !x || !y || !p || !q)
        return 1;
    uint32_t seed = 2024;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        a[i] = (uint8_t)(seed >> 24);
        b[i] = (uint8_t)(seed >> 16);
        alpha[i] = (uint8_t)(seed >> 8);
        x[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
        y[i] = (float)(seed & 0xffff) / 65536.0f;
        p[i] = (int32_t)(seed >> 4);
        q[i] = (int32_t)(seed * 2654435761u >> 4);
    }
    uint64_t check = 0;
    for (int r = 0; r < reps; r++) {
        blend(out, a, b, alpha, N);
        saxpy_clamp(y, x, 0.75f + (float)(r & 7) * 0.125f, N);
        check += count_alnum(out, N);
        check += sad(p, q, N);
        mix_ints(p, out, N);
        uint8_t *t = a; /* feed the blend back */
        a = out;
        out = t;
    }
    double fsum = 0;
    for (int i = 0; i < N; i++)
        fsum += y[i];
    uint32_t bsum = 0;
    for (int i = 0; i < N; i++)
        bsum = bsum * 31 + a[i];
    printf("simd_kernels: n=%d reps=%d check %llu bytes %u floats %.9e\n", N, reps,
           (unsigned long long)check, bsum, fsum);
    free(a);
    free(b);
    free(alpha);
    free(out);
    free(x);
    free(y);
    free(p);
    free(q);
    return 0;
}

#if defined(__wasm__) && defined(__clang__)
#pragma clang attribute pop
#endif
