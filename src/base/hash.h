/* Non-cryptographic hashing for hash tables (64-bit, seedless). */
#ifndef WASMC_BASE_HASH_H
#define WASMC_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *data, size_t len);
/* Mix a value into a running hash (order-dependent). */
static inline uint64_t hash_combine(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

#endif
