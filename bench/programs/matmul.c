/* Matrix multiply: dense double-precision C = A * B (i-k-j loop order, so the
 * inner loop streams rows), repeated with the product fed back as the next
 * input. Tests array indexing, loads/stores and float multiply-add throughput.
 *   matmul [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 192

static void multiply(const double *a, const double *b, double *c) {
    memset(c, 0, sizeof(double) * N * N);
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < N; k++) {
            double aik = a[i * N + k];
            const double *brow = b + k * N;
            double *crow = c + i * N;
            for (int j = 0; j < N; j++)
                crow[j] += aik * brow[j];
        }
    }
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int reps = (int)scaled(scale, 830);
    double *a = malloc(sizeof(double) * N * N);
    double *b = malloc(sizeof(double) * N * N);
    double *c = malloc(sizeof(double) * N * N);
    if (!a || !b || !c)
        return 1;
    uint32_t seed = 12345;
    for (int i = 0; i < N * N; i++) {
        seed = seed * 1664525u + 1013904223u;
        a[i] = (double)(seed >> 8) / 16777216.0 - 0.5;
        seed = seed * 1664525u + 1013904223u;
        b[i] = (double)(seed >> 8) / 16777216.0 - 0.5;
    }
    double trace_sum = 0;
    for (int r = 0; r < reps; r++) {
        multiply(a, b, c);
        /* feed back, rescaled so values stay bounded */
        for (int i = 0; i < N * N; i++)
            a[i] = c[i] * (1.0 / 8.0) + b[(i * 7) % (N * N)] * 0.5;
        for (int i = 0; i < N; i++)
            trace_sum += c[i * N + i];
    }
    double total = 0;
    for (int i = 0; i < N * N; i++)
        total += c[i];
    printf("matmul: n=%d reps=%d trace-sum %.12e total %.12e\n", N, reps, trace_sum, total);
    free(a);
    free(b);
    free(c);
    return 0;
}
