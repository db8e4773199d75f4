/* The JIT as a Tier: compile every defined function (in parallel on a small
 * thread pool), lay the code out in one mapping, link direct calls, make it
 * executable (W^X: written while RW, then RX, never both), register it with
 * the runtime's code registry, and fill TierFunc. release undoes all of it;
 * backtrace is jit_backtrace. The JModule in tier_data owns code, pc maps,
 * trap tables and names. */
#include "jit_gc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUNC_ALIGN 16
#ifndef MAP_POPULATE
#define MAP_POPULATE 0 /* only a hint: pre-fault the code pages in one go (Linux) */
#endif

static void jmodule_free(JModule *jm) {
    if (!jm)
        return;
    if (jm->registered)
        rt_code_unregister((uintptr_t)jm->code);
    if (jm->code)
        munmap(jm->code, jm->map_size);
    for (uint32_t i = 0; i < jm->n_funcs; i++)
        mem_free((void *)jm->funcs[i].name);
    mem_free(jm->funcs);
    mem_free(jm->pcs);
    mem_free(jm->traps);
    jit_gc_module_free(jm);
    mem_free(jm);
}

/* The function's name from the name section, NUL-terminated; NULL if none. */
static Err func_name(const Module *mod, uint32_t index, const char **out) {
    const Name *name = ir_name_of(&mod->names.funcs, index);
    *out = name ? mem_strndup(name->str, name->len) : NULL;
    return !name || *out ? OK : ERR_NOMEM;
}

/* ---- parallel compilation ---- */

typedef struct Job {
    const RtModule *module;
    JFuncOut *outs;
    uint32_t n;
    _Atomic uint32_t next;
    _Atomic bool failed;
    pthread_mutex_t lock;
    Diag diag; /* the first failure */
} Job;

static void job_fail(Job *job, const Diag *diag) {
    pthread_mutex_lock(&job->lock);
    if (!atomic_exchange(&job->failed, true))
        job->diag = *diag;
    pthread_mutex_unlock(&job->lock);
}

static void *worker(void *arg) {
    Job *job = arg;
    const Module *mod = job->module->ir;
    JScratch *scratch = jit_scratch_new();
    for (;;) {
        uint32_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n || atomic_load(&job->failed))
            break;
        Diag diag;
        diag_clear(&diag);
        if (!scratch) {
            (void)FAIL_NOMEM(&diag);
            job_fail(job, &diag);
            break;
        }
        if (jit_compile_func(job->module, mod->n_func_imports + i, scratch, &job->outs[i],
                             &diag) != OK)
            job_fail(job, &diag);
    }
    jit_scratch_delete(scratch);
    return NULL;
}

unsigned jit_compile_workers(const EngineConfig *cfg, uint32_t n_funcs, uint64_t body_bytes) {
    if (n_funcs < 16 || body_bytes < 64 * 1024)
        return 1; /* threads would cost more than they save */
    long n = cfg->compile_threads;
    if (n == 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return (unsigned)(n > JIT_MAX_COMPILE_THREADS ? JIT_MAX_COMPILE_THREADS : n);
}

static Err compile_all(const RtModule *module, JFuncOut *outs, uint32_t n, Diag *diag) {
    Job job = {.module = module, .outs = outs, .n = n};
    pthread_mutex_init(&job.lock, NULL);
    diag_clear(&job.diag);
    const Module *mod = module->ir;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        bytes += mod->funcs[mod->n_func_imports + i].code.size;
    unsigned w = jit_compile_workers(&module->engine->config, n, bytes);
    pthread_t threads[JIT_MAX_COMPILE_THREADS];
    unsigned started = 0;
    for (unsigned k = 1; k < w; k++)
        if (pthread_create(&threads[started], NULL, worker, &job) == 0)
            started++;
    worker(&job);
    for (unsigned k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    pthread_mutex_destroy(&job.lock);
    if (atomic_load(&job.failed)) {
        *diag = job.diag;
        return diag->code ? diag->code : ERR_NOMEM;
    }
    return OK;
}

/* ---- layout and linking ---- */

/* A function's trap table, moved to its place `at` in the module's code. */
static void place_traps(JTrapSite *restrict dst, const JTrapSite *restrict src, uint32_t n,
                        uint32_t at) {
    for (uint32_t k = 0; k < n; k++)
        dst[k] = (JTrapSite){src[k].native + at, src[k].code};
}

static Err gather(JModule *jm, JFuncOut *outs, uint32_t n, const Module *mod) {
    uint64_t size = 0, n_pcs = 0, n_traps = 0;
    for (uint32_t i = 0; i < n; i++) {
        size = (size + FUNC_ALIGN - 1) & ~(uint64_t)(FUNC_ALIGN - 1);
        size += outs[i].len;
        n_pcs += outs[i].n_pcs;
        n_traps += outs[i].n_traps;
    }
    if (size > UINT32_MAX / 2)
        return ERR_LIMIT;
    size_t page = os_page_size();
    jm->map_size = ((size_t)size + page - 1) & ~(page - 1);
    if (!jm->map_size)
        jm->map_size = page;
    /* every page is written below: populated in one go, not one fault each */
    void *p = mmap(NULL, jm->map_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    jm->funcs = mem_calloc(n ? n : 1, sizeof *jm->funcs);
    jm->pcs = mem_alloc((n_pcs ? n_pcs : 1) * sizeof *jm->pcs);
    jm->traps = mem_alloc((n_traps ? n_traps : 1) * sizeof *jm->traps);
    if (p == MAP_FAILED || !jm->funcs || !jm->pcs || !jm->traps) {
        if (p != MAP_FAILED)
            munmap(p, jm->map_size);
        return ERR_NOMEM;
    }
    jm->code = p;
    jm->code_size = (uint32_t)size;
    jm->n_funcs = n;
    uint32_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        const JFuncOut *o = &outs[i];
        while (at % FUNC_ALIGN)
            jm->code[at++] = 0xCC;
        JFunc *f = &jm->funcs[i];
        f->start = at;
        f->end = at + o->len;
        f->func_index = mod->n_func_imports + i;
        f->pc_first = jm->n_pcs;
        f->n_pc = o->n_pcs;
        memcpy(jm->code + at, o->code, o->len);
        if (o->n_pcs) /* JPc offsets are relative to the function */
            memcpy(jm->pcs + jm->n_pcs, o->pcs, o->n_pcs * sizeof *o->pcs);
        jm->n_pcs += o->n_pcs;
        place_traps(jm->traps + jm->n_traps, o->traps, o->n_traps, at);
        jm->n_traps += o->n_traps;
        at += o->len;
    }
    return OK;
}

static void link_calls(JModule *jm, JFuncOut *outs, uint32_t n, uint32_t n_imports) {
    for (uint32_t i = 0; i < n; i++) {
        const JFunc *f = &jm->funcs[i];
        for (uint32_t k = 0; k < outs[i].n_relocs; k++) {
            const JCallReloc *r = &outs[i].relocs[k];
            uint32_t pos = f->start + r->pos;
            uint32_t callee = r->callee - n_imports; /* direct calls enter at .entry */
            int32_t rel = (int32_t)(jm->funcs[callee].start + outs[callee].entry - (pos + 4));
            memcpy(jm->code + pos, &rel, 4);
        }
    }
}

/* WASMC_JIT_DUMP=FILE (a debugging knob): the module's code to FILE and
 * "start end index name" per function to FILE.map, for objdump -D -b binary
 * -mi386:x86-64 --adjust-vma=0. */
static void dump_code(const JModule *jm) {
    const char *path = getenv("WASMC_JIT_DUMP");
    if (!path || !*path)
        return;
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(jm->code, 1, jm->code_size, f);
        fclose(f);
    }
    char map[4096];
    snprintf(map, sizeof map, "%s.map", path);
    f = fopen(map, "w");
    if (!f)
        return;
    fprintf(f, "base %p\n", (void *)jm->code);
    for (uint32_t i = 0; i < jm->n_funcs; i++)
        fprintf(f, "%x %x %u %s\n", jm->funcs[i].start, jm->funcs[i].end, jm->funcs[i].func_index,
                jm->funcs[i].name ? jm->funcs[i].name : "-");
    fclose(f);
}

static Err finish(JModule *jm, RtModule *module) {
    if (mprotect(jm->code, jm->map_size, PROT_READ | PROT_EXEC) != 0)
        return ERR_NOMEM;
    if (!rt_code_register((uintptr_t)jm->code, (uintptr_t)jm->code + jm->map_size, jit_fault, jm))
        return ERR_NOMEM;
    jm->registered = true;
    const Module *mod = module->ir;
    for (uint32_t i = 0; i < jm->n_funcs; i++) {
        if (func_name(mod, jm->funcs[i].func_index, &jm->funcs[i].name) != OK)
            return ERR_NOMEM;
        module->funcs[i].array_call = jit_array_entry;
        module->funcs[i].native = jm->code + jm->funcs[i].start;
    }
    dump_code(jm);
    if (module->engine->config.perf_map)
        jit_perfmap_write(jm);
    return OK;
}

static Err compile(RtModule *module, Diag *diag) {
    if (!jit_available())
        return FAIL(diag, ERR_UNSUPPORTED, 0, "the JIT needs x86-64 with SSE4.1 and POPCNT");
    rt_gc_register_tier(&jit_tier, jit_gc_trace_frames);
    const Module *mod = module->ir;
    uint32_t n = mod->n_funcs - mod->n_func_imports;
    JModule *jm = mem_calloc(1, sizeof *jm);
    JFuncOut *outs = mem_calloc(n ? n : 1, sizeof *outs);
    if (!jm || !outs) {
        mem_free(jm);
        mem_free(outs);
        return FAIL_NOMEM(diag);
    }
    jm->module = module;
    Err err = compile_all(module, outs, n, diag);
    if (err == OK) {
        err = gather(jm, outs, n, mod);
        if (err == OK) {
            link_calls(jm, outs, n, mod->n_func_imports);
            err = jit_gc_gather(jm, outs, n);
            if (err == OK)
                err = finish(jm, module);
        }
        if (err != OK)
            err = err == ERR_LIMIT ? FAIL(diag, err, 0, "module code too large") : FAIL_NOMEM(diag);
    }
    for (uint32_t i = 0; i < n; i++)
        jit_func_out_free(&outs[i]);
    mem_free(outs);
    if (err != OK) {
        jmodule_free(jm);
        return err;
    }
    module->tier_data = jm;
    return OK;
}

static void release(RtModule *module) {
    jmodule_free(module->tier_data);
    module->tier_data = NULL;
}

const Tier jit_tier = {"jit", compile, release, jit_backtrace};
