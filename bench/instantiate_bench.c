/* Measures instantiation of a small compiled module (one memory with a data
 * segment, a table with an element segment, globals, a few functions and
 * exports): µs per rt_instantiate, best of several rounds. Two figures:
 * instantiate alone (100 instances per store), and store_new + instantiate +
 * store_delete (the memory's unmap included). Uses a stub tier: compilation
 * happens once, before timing, and instantiation never looks at code.
 *   bench_instantiate [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "syntax/syntax.h"

static void stub_call(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    (void)callee, (void)caller, (void)args, (void)count;
}

static Err stub_compile(RtModule *m, Diag *diag) {
    (void)diag;
    for (uint32_t i = 0; i < m->ir->n_funcs - m->ir->n_func_imports; i++)
        m->funcs[i].array_call = stub_call;
    return OK;
}

static void stub_release(RtModule *m) {
    (void)m;
}

static void stub_backtrace(const Activation *act, Trap *trap) {
    (void)act, (void)trap;
}

static const Tier stub_tier = {"stub", stub_compile, stub_release, stub_backtrace};

#define BODY                                                                                       \
    " (table 4 funcref)"                                                                           \
    " (global $sp (mut i32) (i32.const 65536))"                                                    \
    " (global $k i32 (i32.const 42))"                                                              \
    " (func $add (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))" \
    " (func $sp (export \"sp\") (result i32) (global.get $sp))"                                    \
    " (func $k (export \"k\") (result i32) (global.get $k))"                                       \
    " (func $call (export \"call\") (param i32) (result i32)"                                      \
    "   (call_indirect (param i32 i32) (result i32) (i32.const 1) (i32.const 2) (local.get 0)))"   \
    " (func $nop (export \"nop\"))"                                                                \
    " (elem (i32.const 0) $add $add $add $add))"

static const char *const small_module =
    "(module"
    " (memory (export \"memory\") 1)"
    " (data (i32.const 16) \"hello, world\")"
    BODY;

/* The same without the memory: what the runtime itself costs, no mmap. */
static const char *const no_memory_module = "(module" BODY;

enum { PER_STORE = 100 };

static double now_us(void) {
    return (double)os_now_ns() / 1e3;
}

static int fail(const char *what, const Diag *d) {
    fprintf(stderr, "%s: %s\n", what, d->msg);
    return 1;
}

/* µs per instantiation, instances only (stores made and freed untimed). */
static int round_inst(Engine *e, RtModule *m, double *out) {
    Store *s;
    Diag d;
    Instance *inst;
    Trap *trap;
    if (rt_store_new(e, &s, &d) != OK)
        return fail("store", &d);
    double t0 = now_us();
    for (int i = 0; i < PER_STORE; i++)
        if (rt_instantiate(s, m, NULL, 0, &inst, &trap, &d) != OK)
            return fail("instantiate", &d);
    *out = (now_us() - t0) / PER_STORE;
    rt_store_delete(s);
    return 0;
}

/* µs per store_new + instantiate + store_delete. */
static int round_store(Engine *e, RtModule *m, double *out) {
    Diag d;
    double t0 = now_us();
    for (int i = 0; i < PER_STORE; i++) {
        Store *s;
        Instance *inst;
        Trap *trap;
        if (rt_store_new(e, &s, &d) != OK)
            return fail("store", &d);
        if (rt_instantiate(s, m, NULL, 0, &inst, &trap, &d) != OK)
            return fail("instantiate", &d);
        rt_store_delete(s);
    }
    *out = (now_us() - t0) / PER_STORE;
    return 0;
}

static int compile(Engine *e, const char *wat, RtModule **out) {
    ByteBuf b;
    Diag d;
    buf_init(&b);
    Err err = wat_parse_module(wat, strlen(wat), "bench", &b, &d);
    if (err == OK)
        err = rt_module_new(e, b.data, b.len, out, &d);
    buf_fini(&b);
    return err == OK ? 0 : fail("compile", &d);
}

/* Best of `rounds` for both figures. */
static int measure(Engine *e, const char *wat, int rounds, double *out_inst, double *out_store) {
    RtModule *m;
    if (compile(e, wat, &m))
        return 1;
    *out_inst = *out_store = 1e30;
    for (int r = 0; r < rounds; r++) {
        double a, s;
        if (round_inst(e, m, &a) || round_store(e, m, &s))
            return 1;
        *out_inst = a < *out_inst ? a : *out_inst;
        *out_store = s < *out_store ? s : *out_store;
    }
    rt_module_release(m);
    return 0;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &stub_tier;
    Engine *e;
    Diag d;
    if (rt_engine_new(&cfg, &e, &d) != OK)
        return fail("engine", &d);
    double inst, store, inst_nm, store_nm;
    if (measure(e, small_module, rounds, &inst, &store) ||
        measure(e, no_memory_module, rounds, &inst_nm, &store_nm))
        return 1;
    printf("module: 1 memory + data segment, 1 table + elem segment, 2 globals, 5 funcs\n");
    printf("instantiate:                            %6.2f us\n", inst);
    printf("store_new + instantiate + store_delete: %6.2f us\n", store);
    printf("the same module without its memory:\n");
    printf("instantiate:                            %6.2f us\n", inst_nm);
    printf("store_new + instantiate + store_delete: %6.2f us\n", store_nm);
    rt_engine_delete(e);
    return 0;
}
