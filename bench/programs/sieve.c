/* Integer loops: a sieve of Eratosthenes over a byte array and the longest
 * Collatz chain below a limit (64-bit arithmetic, data-dependent branches).
 *   sieve [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t sieve(uint8_t *composite, uint32_t limit) {
    memset(composite, 0, limit);
    uint32_t count = 0;
    for (uint32_t i = 2; i < limit; i++) {
        if (composite[i])
            continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j < limit; j += i)
            composite[j] = 1;
    }
    return count;
}

static uint32_t collatz_length(uint64_t n) {
    uint32_t steps = 1;
    while (n != 1) {
        n = (n & 1) ? 3 * n + 1 : n >> 1;
        steps++;
    }
    return steps;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    /* full size: 44 sieves up to 4 million; below one sieve, a smaller limit */
    uint32_t reps = scaled(scale, 44);
    uint32_t limit = scale * 44 / 100 >= 1.0 ? 4000000 : scaled(scale, 176000000) + 2000;
    uint8_t *composite = malloc(limit);
    if (!composite)
        return 1;
    uint32_t checksum = 0;
    for (uint32_t r = 0; r < reps; r++)
        checksum = checksum * 31 + sieve(composite, limit - r * 1000);
    uint32_t collatz_limit = scaled(scale, 4450000);
    uint32_t best = 0, best_start = 1;
    for (uint32_t n = 1; n < collatz_limit; n++) {
        uint32_t len = collatz_length(n);
        if (len > best) {
            best = len;
            best_start = n;
        }
    }
    free(composite);
    printf("sieve: primes-checksum=%08x collatz-best=%u (%u steps)\n", checksum, best_start, best);
    return 0;
}
