/* A stand-in execution tier for runtime unit tests: every function "runs" by
 * looking at its first instruction only: `unreachable` traps, `i32.const N`
 * returns N, `global.get G` returns global G, anything else returns nothing.
 * Enough to test instantiation, start functions and calls without a real tier. */
#ifndef WASMC_TESTS_FAKE_TIER_H
#define WASMC_TESTS_FAKE_TIER_H

#include <string.h>

#include "base/base.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"

static int fake_calls, fake_compiles, fake_releases;

static void fake_call(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    (void)caller;
    (void)count;
    VMContext *cx = callee->vmctx;
    const Code *code = &cx->module->ir->funcs[callee->func_index].code;
    const Instr *in = &code->instrs[0];
    fake_calls++;
    if (in->op == OP_UNREACHABLE)
        rt_trap_raise(TRAP_UNREACHABLE);
    if (in->op == OP_I32_CONST)
        args[0].i32 = in->imm.i32;
    if (in->op == OP_GLOBAL_GET)
        args[0] = *vmctx_globals(cx)[in->imm.index];
}

static Err fake_compile(RtModule *m, Diag *diag) {
    (void)diag;
    uint32_t n = m->ir->n_funcs - m->ir->n_func_imports;
    for (uint32_t i = 0; i < n; i++) {
        m->funcs[i].array_call = fake_call;
        m->funcs[i].native = NULL;
    }
    m->tier_data = mem_alloc(8); /* so leaks of modules show */
    if (!m->tier_data)
        return FAIL_NOMEM(diag);
    fake_compiles++;
    return OK;
}

static void fake_release(RtModule *m) {
    mem_free(m->tier_data);
    fake_releases++;
}

static void fake_backtrace(const Activation *act, Trap *trap) {
    (void)act;
    (void)trap;
}

static const Tier fake_tier = {"fake", fake_compile, fake_release, fake_backtrace};

static Engine *fake_engine(void) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &fake_tier;
    Engine *e = NULL;
    Diag d;
    if (rt_engine_new(&cfg, &e, &d) != OK)
        return NULL;
    return e;
}

/* Compile WAT text; NULL (with the message printed) on error. */
static RtModule *fake_compile_wat(Engine *e, const char *wat, Diag *d) {
    ByteBuf b;
    buf_init(&b);
    RtModule *m = NULL;
    Err err = wat_parse_module(wat, strlen(wat), "test", &b, d);
    if (err == OK)
        err = rt_module_new(e, b.data, b.len, &m, d);
    buf_fini(&b);
    if (err != OK && err != ERR_NOMEM)
        fprintf(stderr, "compile: %s\n", d->msg);
    return m;
}

#endif
