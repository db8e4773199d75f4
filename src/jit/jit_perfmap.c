/* Linux perf's JIT symbol file: with EngineConfig.perf_map, every compiled
 * module appends one line per function, "START SIZE NAME" in hex, to
 * /tmp/perf-PID.map, which `perf report` reads to name samples that land in
 * JIT code. One process-wide lock keeps the lines of modules compiled on
 * different threads whole. The file is written once per module and never
 * read back, so a failure to write it is silent: profiling is best effort
 * and must not fail compilation. */
#include "jit_int.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t perfmap_lock = PTHREAD_MUTEX_INITIALIZER;

void jit_perfmap_write(const JModule *jm) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    pthread_mutex_lock(&perfmap_lock);
    FILE *f = fopen(path, "a");
    if (f) {
        for (uint32_t i = 0; i < jm->n_funcs; i++) {
            const JFunc *fn = &jm->funcs[i];
            fprintf(f, "%lx %x wasm[%u]%s%s\n", (unsigned long)(uintptr_t)(jm->code + fn->start),
                    fn->end - fn->start, fn->func_index, fn->name ? ":" : "",
                    fn->name ? fn->name : "");
        }
        fclose(f);
    }
    pthread_mutex_unlock(&perfmap_lock);
}
