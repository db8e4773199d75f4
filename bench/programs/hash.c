/* Hashing over a large buffer: SHA-256 (32-bit rotates, shifts and adds) and
 * a 64-bit multiply/rotate hash, over a generated 1 MiB buffer that each
 * round perturbs with the previous digest. Checks SHA-256 against the FIPS
 * 180-4 "abc" example first.
 *   hash [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE (1u << 20)

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t rotr32(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t state[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) +
                      sha_k[i] + w[i];
        uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a, state[1] += b, state[2] += c, state[3] += d;
    state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t full = len & ~(size_t)63;
    for (size_t off = 0; off < full; off += 64)
        sha_block(state, data + off);
    uint8_t tail[128] = {0};
    size_t rest = len - full;
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < tail_len; off += 64)
        sha_block(state, tail + off);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(state[i] >> 8);
        out[4 * i + 3] = (uint8_t)state[i];
    }
}

static uint64_t rotl64(uint64_t x, int n) {
    return (x << n) | (x >> (64 - n));
}

/* Our own 64-bit hash: per 8-byte word one multiply, xor and rotate. */
static uint64_t hash64(const uint8_t *data, size_t len, uint64_t seed) {
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = rotl64(h ^ (w * 0xc2b2ae3d27d4eb4full), 31) * 0x165667b19e3779f9ull;
    }
    for (; i < len; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 29);
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int reps = (int)scaled(scale, 248);
    static const uint8_t abc_digest[4] = {0xba, 0x78, 0x16, 0xbf};
    uint8_t digest[32];
    sha256((const uint8_t *)"abc", 3, digest);
    if (memcmp(digest, abc_digest, 4) != 0) {
        printf("hash: SHA-256 self-test failed\n");
        return 1;
    }
    uint8_t *buf = malloc(BUF_SIZE);
    if (!buf)
        return 1;
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < BUF_SIZE; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        buf[i] = (uint8_t)(x >> 24);
    }
    uint64_t h64 = 0;
    for (int r = 0; r < reps; r++) {
        sha256(buf, BUF_SIZE - (size_t)r, digest);
        for (uint32_t i = 0; i < BUF_SIZE; i += 4096)
            buf[i] ^= digest[(i >> 12) & 31];
        for (int k = 0; k < 4; k++)
            h64 ^= hash64(buf + k, BUF_SIZE - 8, h64 + (uint64_t)r);
    }
    printf("hash: reps=%d sha256=", reps);
    for (int i = 0; i < 32; i++)
        printf("%02x", digest[i]);
    printf(" h64=%016llx\n", (unsigned long long)h64);
    free(buf);
    return 0;
}
