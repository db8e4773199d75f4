/* Recursion-heavy workload: naive Fibonacci, Takeuchi's function and
 * Ackermann's function — deep call trees of tiny functions, so the cost of a
 * call and a return dominates.
 *   recursion [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t fib(uint32_t n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int32_t tak(int32_t x, int32_t y, int32_t z) {
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

static uint32_t ackermann(uint32_t m, uint32_t n) {
    while (m != 0) {
        n = n == 0 ? 1 : ackermann(m, n - 1);
        m--;
    }
    return n + 1;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    uint32_t reps = scaled(scale, 725);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < reps; i++) {
        sum = sum * 31 + fib(24 + i % 4);
        sum = sum * 31 + (uint32_t)tak(18 + (int32_t)(i % 3), 12, 6);
        sum = sum * 31 + ackermann(2 + i % 2, 7 + i % 3);
    }
    printf("recursion: reps=%u checksum=%08x\n", reps, sum);
    return 0;
}
