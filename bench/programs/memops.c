/* Memory copy/fill heavy: memcpy, memmove (overlapping) and memset of sizes
 * from one byte to 16 KiB at pseudo-random offsets in an 8 MiB buffer, plus
 * memcmp, then a sampled checksum of the buffer.
 *   memops [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE (8u << 20)
#define MAX_LEN (16u << 10)

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Sizes skewed toward small copies, as in real programs: 1 B .. 16 KiB. */
static uint32_t random_len(void) {
    uint32_t bits = rng() % 15;
    return 1 + rng() % (1u << bits);
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    uint32_t ops = scaled(scale, 25000000);
    uint8_t *buf = malloc(BUF_SIZE);
    if (!buf)
        return 1;
    for (uint32_t i = 0; i < BUF_SIZE; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 24);
    uint32_t equal = 0;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < ops; i++) {
        uint32_t len = random_len();
        uint32_t src = rng() % (BUF_SIZE - MAX_LEN), dst = rng() % (BUF_SIZE - MAX_LEN);
        switch (i % 8) {
        case 0:
        case 1:
        case 2:
            if (src + len <= dst || dst + len <= src)
                memcpy(buf + dst, buf + src, len);
            break;
        case 3:
        case 4:
            memmove(buf + dst, buf + (dst + (rng() % 64)), len); /* overlapping */
            break;
        case 5:
        case 6:
            memset(buf + dst, (int)(i & 0xff), len);
            break;
        default:
            equal += memcmp(buf + src, buf + dst, len) == 0;
            break;
        }
        bytes += len;
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < BUF_SIZE; i += 61)
        sum = sum * 131 + buf[i];
    printf("memops: ops=%u bytes=%llu equal=%u checksum=%016llx\n", ops, (unsigned long long)bytes,
           equal, (unsigned long long)sum);
    free(buf);
    return 0;
}
