/* Measures the JIT's compilation speed per core (issue 9 asks for >= 50 MB
 * of wasm per second per core on the benchmark modules): compiles each
 * module repeatedly on ONE thread and reports MB of .wasm file per CPU
 * second, per module and over all of them (total MB / total time).
 *   bench_compile [--seconds S] FILE.wasm...
 *
 * One thread: EngineConfig.compile_threads = 1 (wasmc_config_compile_threads_set
 * in the API). Times are the process's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), so other load on the machine does not count
 * and, should the JIT still use several threads, the figure stays per core.
 * Three figures per module, each the median over the repetitions:
 *   jit compile                      the tier's compile alone (a wrapping
 *                                    Tier times jit_tier.compile)
 *   decode + validate                the rest of rt_module_new (its time
 *                                    less the compile's, per repetition)
 *   decode + validate + jit compile  rt_module_new, what `wasmc run` pays */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit/jit.h"
#include "runtime/runtime.h"

static uint64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- a Tier that times the JIT's compile ---- */

static uint64_t last_compile_ns;

static Err timed_compile(RtModule *m, Diag *diag) {
    uint64_t t0 = cpu_ns();
    Err err = jit_tier.compile(m, diag);
    last_compile_ns = cpu_ns() - t0;
    return err;
}

static void timed_release(RtModule *m) {
    jit_tier.release(m);
}

static void timed_backtrace(const Activation *act, Trap *trap) {
    jit_tier.backtrace(act, trap);
}

static const Tier timed_jit = {"jit", timed_compile, timed_release, timed_backtrace};

/* ---- measuring ---- */

enum { MAX_REPS = 4096, MIN_REPS = 5 };

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct Figure {
    uint64_t compile_ns, front_ns, total_ns; /* medians */
    int reps;
} Figure;

/* Compiles `data` at least MIN_REPS times and for about `seconds` of CPU. */
static int measure(Engine *engine, const uint8_t *data, size_t len, double seconds,
                   Figure *out) {
    static uint64_t compile[MAX_REPS], front[MAX_REPS], total[MAX_REPS];
    int n = 0;
    uint64_t start = cpu_ns();
    while (n < MAX_REPS && (n < MIN_REPS || (double)(cpu_ns() - start) / 1e9 < seconds)) {
        Diag diag;
        RtModule *m = NULL;
        uint64_t t0 = cpu_ns();
        if (rt_module_new(engine, data, len, &m, &diag) != OK) {
            fprintf(stderr, "compile failed: %s\n", diag.msg);
            return 1;
        }
        total[n] = cpu_ns() - t0;
        compile[n] = last_compile_ns;
        front[n] = total[n] > compile[n] ? total[n] - compile[n] : 0;
        rt_module_release(m);
        n++;
    }
    out->compile_ns = median(compile, n);
    out->front_ns = median(front, n);
    out->total_ns = median(total, n);
    out->reps = n;
    return 0;
}

static void print_figures(double mb, uint64_t compile_ns, uint64_t front_ns, uint64_t total_ns) {
    printf("  jit compile: %.1f MB/s\n", mb / ((double)compile_ns / 1e9));
    printf("  jit compile per MB: %.2f ms\n", (double)compile_ns / 1e6 / mb);
    printf("  decode + validate: %.1f MB/s\n", mb / ((double)front_ns / 1e9));
    printf("  decode + validate + jit compile: %.1f MB/s\n", mb / ((double)total_ns / 1e9));
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int main(int argc, char **argv) {
    double seconds = 2.0;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--seconds") == 0) {
        seconds = atof(argv[2]);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: bench_compile [--seconds S] FILE.wasm...\n");
        return 2;
    }
    if (!jit_available()) {
        fprintf(stderr, "bench_compile: the JIT cannot run on this machine\n");
        return 1;
    }
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &timed_jit;
    cfg.compile_threads = 1;
    Engine *engine;
    Diag diag;
    if (rt_engine_new(&cfg, &engine, &diag) != OK) {
        fprintf(stderr, "engine: %s\n", diag.msg);
        return 1;
    }
    printf("jit, 1 thread (compile_threads), CPU time, median of repetitions\n");
    double all_mb = 0;
    uint64_t all_compile = 0, all_front = 0, all_total = 0;
    int status = 0;
    for (int i = first; i < argc && status == 0; i++) {
        uint8_t *data;
        size_t len;
        if (os_read_file(argv[i], &data, &len, &diag) != OK) {
            fprintf(stderr, "%s: %s\n", argv[i], diag.msg);
            status = 1;
            break;
        }
        Figure f;
        status = measure(engine, data, len, seconds / (argc - first), &f);
        mem_free(data);
        if (status != 0)
            break;
        double mb = (double)len / 1e6;
        printf("module %s %.4f MB, %d reps:\n", base_name(argv[i]), mb, f.reps);
        print_figures(mb, f.compile_ns, f.front_ns, f.total_ns);
        all_mb += mb;
        all_compile += f.compile_ns;
        all_front += f.front_ns;
        all_total += f.total_ns;
    }
    if (status == 0 && argc - first > 1) {
        printf("all %d modules %.4f MB:\n", argc - first, all_mb);
        print_figures(all_mb, all_compile, all_front, all_total);
    }
    rt_engine_delete(engine);
    return status;
}
