/* Measures decode + validate throughput: reads a .wasm file, decodes and
 * validates it repeatedly for at least the given time, and reports MB/s for
 * decoding alone and for decoding plus validation (best of several rounds).
 *   bench_decode FILE.wasm [SECONDS] */
#include <stdio.h>
#include <stdlib.h>

#include "module/module.h"
#include "syntax/syntax.h"

typedef struct Round {
    double decode_s, total_s;
} Round;

static int run_once(const uint8_t *data, size_t len, TypeRegistry *reg, Round *out) {
    Diag diag;
    Module *mod = NULL;
    uint64_t t0 = os_now_ns();
    if (bin_read_module(data, len, &mod, &diag) != OK) {
        fprintf(stderr, "decode failed: offset 0x%llx: %s\n", (unsigned long long)diag.offset,
                diag.msg);
        return 1;
    }
    uint64_t t1 = os_now_ns();
    Err err = valid_module(mod, reg, &diag);
    uint64_t t2 = os_now_ns();
    ir_module_delete(mod);
    if (err != OK) {
        fprintf(stderr, "validation failed: offset 0x%llx: %s\n", (unsigned long long)diag.offset,
                diag.msg);
        return 1;
    }
    out->decode_s = (double)(t1 - t0) / 1e9;
    out->total_s = (double)(t2 - t0) / 1e9;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_decode FILE.wasm [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 3.0;
    uint8_t *data;
    size_t len;
    Diag diag;
    if (os_read_file(argv[1], &data, &len, &diag) != OK) {
        fprintf(stderr, "%s\n", diag.msg);
        return 1;
    }
    TypeRegistry *reg = mod_registry_new();
    Round best = {1e9, 1e9};
    int rounds = 0;
    uint64_t start = os_now_ns();
    while (rounds < 3 || (double)(os_now_ns() - start) / 1e9 < seconds) {
        Round r;
        if (run_once(data, len, reg, &r) != 0)
            return 1;
        if (r.decode_s < best.decode_s)
            best.decode_s = r.decode_s;
        if (r.total_s < best.total_s)
            best.total_s = r.total_s;
        rounds++;
    }
    double mb = (double)len / 1e6;
    printf("%s: %.2f MB, %d rounds (best)\n", argv[1], mb, rounds);
    printf("  decode:            %8.1f MB/s  (%.2f ms)\n", mb / best.decode_s, best.decode_s * 1e3);
    printf("  decode + validate: %8.1f MB/s  (%.2f ms)\n", mb / best.total_s, best.total_s * 1e3);
    mod_registry_delete(reg);
    mem_free(data);
    return 0;
}
