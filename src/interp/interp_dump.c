/* Diagnostics for tuning the interpreter, off the hot path: the names of the
 * internal ops, a listing of a function's internal code (environment variable
 * WASMC_INTERP_DUMP=1 makes the translator print every function it
 * translates, to stderr), and, in builds with -DWASMC_INTERP_PROFILE, a
 * count of executed handlers, handler pairs and instructions printed at exit
 * (WASMC_INTERP_PROFILE_ROWS: how many instructions; all of them give the
 * per-function totals). */
#include <stdio.h>
#include <stdlib.h>

#include "interp_int.h"

#define N_(id, text) [IOP_##id - OP_COUNT] = text
static const char *const iop_names[IOP_COUNT - OP_COUNT] = {
#define BINOP(name, ...) N_(name##_I, #name "_I"), N_(name##_M, #name "_M"),
#define CMP(name, ...)                                                                             \
    N_(name##_I, #name "_I"), N_(name##_M, #name "_M"), N_(name##_B, #name "_B"),                  \
        N_(name##_BI, #name "_BI"),
#define LOAD(name, ...)                                                                            \
    N_(name##_C, #name "_C"), N_(name##_A, #name "_A"), N_(name##_AI, #name "_AI"),                \
        N_(name##_N, #name "_N"), N_(name##_Z, #name "_Z"), N_(name##_X, #name "_X"),
#define STORE(name, ...)                                                                           \
    N_(name##_C, #name "_C"), N_(name##_A, #name "_A"), N_(name##_AI, #name "_AI"),                \
        N_(name##_K, #name "_K"), N_(name##_Z, #name "_Z"),
#define INCBR(name, ...)                                                                           \
    N_(name##_IB, #name "_IB"), N_(name##_IBI, #name "_IBI"), N_(name##_I2BI, #name "_I2BI"),
#define RMW(name, ...) N_(name##_MS, #name "_MS"),
#define CHAIN(n1, e1, n2, e2) N_(CHAIN_##n1##_##n2, "CHAIN_" #n1 "_" #n2),
#define CHAINI(n1, e1, n2, e2) N_(CHAINI_##n1##_##n2, "CHAINI_" #n1 "_" #n2),
#define IOP(name) N_(name, #name),
#define GCOP(name) N_(name, #name),
#include "iops.def"
#undef BINOP
#undef CMP
#undef LOAD
#undef STORE
#undef INCBR
#undef RMW
#undef CHAIN
#undef CHAINI
#undef IOP
#undef GCOP
#define VSHIFT(name, ...) N_(name##_I, #name "_I"),
#define VLOAD(name, ...)                                                                           \
    N_(name##_C, #name "_C"), N_(name##_A, #name "_A"), N_(name##_AI, #name "_AI"),
#define VSTORE(name) N_(name##_C, #name "_C"), N_(name##_A, #name "_A"), N_(name##_AI, #name "_AI"),
#include "../runtime/simd.def"
};
#undef N_

static const char *op_name(uint32_t op) {
    if (op < OP_COUNT)
        return op_info[op].text;
    const char *name = op < IOP_COUNT ? iop_names[op - OP_COUNT] : NULL;
    return name ? name : "?";
}

/* The op whose handler is h (IOP_COUNT if none). */
static uint32_t op_of_handler(const void *h) {
    const void *const *labels = interp_labels();
    /* handlers shared by several ops report the first */
    for (uint32_t op = 0; op < IOP_COUNT; op++)
        if (labels[op] == h)
            return op;
    return IOP_COUNT;
}

bool interp_dump_enabled(void) {
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("WASMC_INTERP_DUMP");
        on = e && *e && *e != '0';
    }
    return on;
}

void interp_dump_func(const IFunc *f, const uint8_t *code, uint32_t len, const uint32_t *starts,
                      uint32_t n) {
    fprintf(stderr, "func %u%s%s: frame %u params %u locals %u, %u bytes at %p\n", f->func_index,
            f->name ? " " : "", f->name ? f->name : "", f->frame_bytes, f->param_bytes,
            f->local_bytes, len, (void *)code);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t end = i + 1 < n ? starts[i + 1] : len;
        const void *h;
        memcpy(&h, code + starts[i], sizeof h);
        fprintf(stderr, "  %5u %-22s", starts[i], op_name(op_of_handler(h)));
        for (uint32_t p = starts[i] + 8; p + 4 <= end; p += 4) {
            int32_t w;
            memcpy(&w, code + p, 4);
            fprintf(stderr, " %d", w);
        }
        fputc('\n', stderr);
    }
}

#ifdef WASMC_INTERP_PROFILE
/* Open-addressed counts keyed by (previous handler, handler); prev NULL
 * counts single handlers. Not thread-safe: for single-threaded runs. */
#define PROF_SIZE (1u << 16)
static struct {
    const void *a, *b;
    uint64_t n;
} prof[PROF_SIZE];
static bool prof_registered;

static void prof_count(const void *a, const void *b) {
    uintptr_t k = ((uintptr_t)a * 31 + (uintptr_t)b) * 0x9E3779B97F4A7C15ull;
    for (uint32_t i = (uint32_t)(k >> 48) & (PROF_SIZE - 1);; i = (i + 1) & (PROF_SIZE - 1)) {
        if (prof[i].a == a && prof[i].b == b) {
            prof[i].n++;
            return;
        }
        if (!prof[i].n) {
            prof[i].a = a;
            prof[i].b = b;
            prof[i].n = 1;
            return;
        }
    }
}

static int prof_cmp(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

static void prof_print(void) {
    static struct {
        uint64_t n;
        uint32_t i;
    } rows[PROF_SIZE];
    uint32_t nr = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < PROF_SIZE; i++)
        if (prof[i].n && !prof[i].a) {
            rows[nr].n = prof[i].n;
            rows[nr++].i = i;
            total += prof[i].n;
        }
    qsort(rows, nr, sizeof rows[0], prof_cmp);
    fprintf(stderr, "interp profile: %llu dispatches\n", (unsigned long long)total);
    for (uint32_t r = 0; r < nr && r < 40; r++)
        fprintf(stderr, "  %12llu %5.2f%% %s\n", (unsigned long long)rows[r].n,
                100.0 * (double)rows[r].n / (double)total,
                op_name(op_of_handler(prof[rows[r].i].b)));
    nr = 0;
    for (uint32_t i = 0; i < PROF_SIZE; i++)
        if (prof[i].n && prof[i].a) {
            rows[nr].n = prof[i].n;
            rows[nr++].i = i;
        }
    qsort(rows, nr, sizeof rows[0], prof_cmp);
    fprintf(stderr, "pairs:\n");
    for (uint32_t r = 0; r < nr && r < 40; r++)
        fprintf(stderr, "  %12llu %5.2f%% %s -> %s\n", (unsigned long long)rows[r].n,
                100.0 * (double)rows[r].n / (double)total,
                op_name(op_of_handler(prof[rows[r].i].a)),
                op_name(op_of_handler(prof[rows[r].i].b)));
}

/* Rows of the per-instruction listing: WASMC_INTERP_PROFILE_ROWS, default 60. */
static uint32_t prof_rows(void) {
    const char *e = getenv("WASMC_INTERP_PROFILE_ROWS");
    return e && *e ? (uint32_t)strtoul(e, NULL, 10) : 60;
}

/* Per instruction: keyed by (function, code offset + 1). */
static struct {
    const IFunc *f;
    uintptr_t at;
    uint64_t n;
} prof_ip[PROF_SIZE];

static void prof_ip_count(const IFunc *f, uintptr_t at) {
    uintptr_t k = ((uintptr_t)f * 31 + at) * 0x9E3779B97F4A7C15ull;
    for (uint32_t i = (uint32_t)(k >> 48) & (PROF_SIZE - 1);; i = (i + 1) & (PROF_SIZE - 1)) {
        if (prof_ip[i].f == f && prof_ip[i].at == at) {
            prof_ip[i].n++;
            return;
        }
        if (!prof_ip[i].n) {
            prof_ip[i].f = f;
            prof_ip[i].at = at;
            prof_ip[i].n = 1;
            return;
        }
    }
}

static void prof_ip_print(void) {
    static struct {
        uint64_t n;
        uint32_t i;
    } rows[PROF_SIZE];
    uint32_t nr = 0;
    for (uint32_t i = 0; i < PROF_SIZE; i++)
        if (prof_ip[i].n) {
            rows[nr].n = prof_ip[i].n;
            rows[nr++].i = i;
        }
    qsort(rows, nr, sizeof rows[0], prof_cmp);
    fprintf(stderr, "instructions:\n");
    for (uint32_t r = 0; r < nr && r < prof_rows(); r++)
        fprintf(stderr, "  %12llu func %u at %lu\n", (unsigned long long)rows[r].n,
                prof_ip[rows[r].i].f->func_index, (unsigned long)prof_ip[rows[r].i].at - 1);
}

void interp_prof_hit(const void *prev, const void *h, const IFunc *f, const uint8_t *ip) {
    if (!prof_registered) {
        prof_registered = true;
        atexit(prof_ip_print);
        atexit(prof_print);
    }
    prof_count(NULL, h);
    if (prev)
        prof_count(prev, h);
    if (f && ip >= f->code)
        prof_ip_count(f, (uintptr_t)(ip - f->code) + 1);
}
#endif
