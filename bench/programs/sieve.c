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

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 100;
    uint32_t limit = 4000000;
    uint32_t reps = (uint32_t)scale * 6 / 100;
    if (reps == 0)
        reps = 1;
    uint8_t *composite = malloc(limit);
    if (!composite)
        return 1;
    uint32_t checksum = 0;
    for (uint32_t r = 0; r < reps; r++)
        checksum = checksum * 31 + sieve(composite, limit - r * 1000);
    uint32_t collatz_limit = (uint32_t)scale * 6000;
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
