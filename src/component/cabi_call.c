/* Calls across the canonical ABI (spec: canon lift, canon lower, resource
 * built-ins): calling a lifted function with CompValues (one task per call,
 * cabi_task.c; `async` lifts return through task.return), the core function
 * behind a lowered import (host callee, or a lifted function of another
 * component: the generic lift-then-lower path), and the built-ins. Every
 * call into wasm goes through rt_call, so a trap comes back as a value and
 * never unwinds through these frames. */
#include <string.h>

#include "cabi.h"

#define FLAT_SLOTS (COMP_MAX_FLAT_PARAMS + 1)

static uint32_t flat_count(const CompField *fs, uint32_t n) {
    uint64_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += fs[i].type->abi.n_flat;
    return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

/* Turn a non-trap error into a trap carrying its message. */
static Trap *trap_of(Err err, CabiCx *cx, Diag *diag) {
    if (err == ERR_TRAP && cx->trap) {
        Trap *t = cx->trap;
        cx->trap = NULL;
        return t;
    }
    Trap *t = rt_trap_new(TRAP_HOST, diag->msg[0] ? diag->msg : "component call failed");
    return t ? t : rt_trap_new(TRAP_HOST, NULL);
}

static Err take_trap(CabiCx *cx, Err err, Trap **out_trap) {
    if (err == ERR_TRAP) {
        *out_trap = cx->trap;
        cx->trap = NULL;
    }
    return err;
}

/* ---- canon lift -------------------------------------------------------------------------- */

static Err post_return(CabiCx *cx, const CabiLifted *f, const ValRaw *results, uint32_t n) {
    if (!f->opts.post_return)
        return OK;
    ValRaw args[FLAT_SLOTS];
    memcpy(args, results, sizeof args);
    f->inst->may_leave = false;
    Err err = cabi_call_core(cx, f->opts.post_return, args, n);
    f->inst->may_leave = true;
    return err;
}

/* The core call of a task, after its params are lowered into flat[]:
 * synchronous lifts return their results, which are lifted and returned;
 * async lifts return them through task.return before they return. */
static Err run_core(CabiCx *cx, const CabiLifted *f, CabiTask *task, ValRaw *flat,
                    uint32_t core_params) {
    const CompFuncType *ft = f->type;
    if (f->opts.async_) {
        TRY(cabi_call_core(cx, f->core, flat, core_params));
        /* spec: Task.exit of the last thread traps unless the task resolved */
        if (task->state != CABI_TASK_RESOLVED)
            return cabi_trapf(cx, "async-lifted export failed to produce a result");
        return OK;
    }
    uint32_t nr = flat_count(ft->results, ft->n_results);
    uint32_t core_results = nr > COMP_MAX_FLAT_RESULTS ? 1 : nr;
    uint32_t count = core_params > core_results ? core_params : core_results;
    TRY(cabi_call_core(cx, f->core, flat, count));
    ValRaw core_out[FLAT_SLOTS];
    memcpy(core_out, flat, sizeof core_out);
    CompValue *results = arena_calloc(cx->arena, ft->n_results + 1, sizeof *results);
    if (!results)
        return FAIL_NOMEM(cx->diag);
    TRY(cabi_lift_values(cx, COMP_MAX_FLAT_RESULTS, flat, ft->results, ft->n_results, results));
    TRY(cabi_task_return(cx, task, results));
    return post_return(cx, f, core_out, core_results);
}

/* spec: canon_lift, from Task.enter to Task.exit. */
static Err lift_call(CabiCx *cx, const CabiLifted *f, const CompValue *args, CabiTask *task) {
    const CompFuncType *ft = f->type;
    if (!f->inst->may_enter)
        return cabi_fault(cx, CF_CANNOT_ENTER);
    if (f->opts.callback)
        return cabi_trapf(cx, "unsupported: `async` lift with a `callback`");
    uint32_t np = flat_count(ft->params, ft->n_params);
    uint32_t core_params = np > COMP_MAX_FLAT_PARAMS ? 1 : np;
    ValRaw flat[FLAT_SLOTS];
    memset(flat, 0, sizeof flat);
    uint32_t n;
    cabi_task_enter(task);
    Err err = cabi_lower_values(cx, COMP_MAX_FLAT_PARAMS, args, ft->params, ft->n_params, flat,
                                NULL, &n);
    if (err == OK)
        err = run_core(cx, f, task, flat, core_params);
    cabi_task_exit(task);
    return err;
}

Err cabi_call_lifted(Store *store, const CabiLifted *f, const CompValue *args, Arena *arena,
                     bool adapter, CabiOnResults on_results, void *env, Trap **out_trap,
                     Diag *diag) {
    CabiCall call = {0};
    CabiCx cx = {.store = store, .opts = &f->opts, .inst = f->inst, .call = &call,
                 .resources = f->resources, .n_resources = f->n_resources, .arena = arena,
                 .adapter = adapter, .keep_encoding = adapter, .diag = diag};
    CabiTask task = {.state = CABI_TASK_INITIAL, .func = f, .inst = f->inst, .cx = &cx,
                     .on_resolve = on_results, .env = env};
    Err err = lift_call(&cx, f, args, &task);
    if (err == OK)
        err = cabi_call_exit_export(&cx, &call);
    else
        cabi_call_exit_import(&call);
    return take_trap(&cx, err, out_trap);
}

/* ---- canon lower ------------------------------------------------------------------------- */

typedef struct LowerCall {
    CabiCx *cx; /* the caller's side */
    const CabiLowered *lw;
    ValRaw *flat;
    bool has_retptr;
    uint32_t retptr;
} LowerCall;

static Err lower_results(void *env, CompValue *results, Trap **out_trap, Diag *diag) {
    LowerCall *lc = env;
    const CompFuncType *ft = lc->lw->type;
    for (uint32_t i = 0; i < ft->n_results; i++)
        if (!comp_value_check(&results[i], ft->results[i].type, diag))
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "result %u of the callee: %s", i,
                        diag->msg);
    uint32_t n;
    Err err = cabi_lower_values(lc->cx, COMP_MAX_FLAT_RESULTS, results, ft->results,
                                ft->n_results, lc->flat, lc->has_retptr ? &lc->retptr : NULL, &n);
    if (err == ERR_TRAP) {
        *out_trap = lc->cx->trap;
        lc->cx->trap = NULL;
    }
    return err;
}

static Err call_host(LowerCall *lc, CompValue *args, Trap **out_trap) {
    const CompFuncType *ft = lc->lw->type;
    CompValue *results = NULL;
    if (ft->n_results) {
        results = arena_calloc(lc->cx->arena, ft->n_results, sizeof *results);
        if (!results)
            return FAIL_NOMEM(lc->cx->diag);
    }
    Trap *trap = lc->lw->host(lc->lw->host_env, args, ft->n_params, results, ft->n_results,
                              lc->cx->arena);
    if (trap) {
        *out_trap = trap;
        return ERR_TRAP;
    }
    return lower_results(lc, results, out_trap, lc->cx->diag);
}

static Err lower_call(CabiCx *cx, const CabiLowered *lw, ValRaw *flat, Trap **out_trap) {
    const CompFuncType *ft = lw->type;
    CompValue *args = NULL;
    if (ft->n_params) {
        args = arena_calloc(cx->arena, ft->n_params, sizeof *args);
        if (!args)
            return FAIL_NOMEM(cx->diag);
    }
    TRY(cabi_lift_values(cx, COMP_MAX_FLAT_PARAMS, flat, ft->params, ft->n_params, args));
    uint32_t np = flat_count(ft->params, ft->n_params);
    LowerCall lc = {cx, lw, flat, flat_count(ft->results, ft->n_results) > COMP_MAX_FLAT_RESULTS,
                    0};
    if (lc.has_retptr)
        lc.retptr = (uint32_t)flat[np > COMP_MAX_FLAT_PARAMS ? 1 : np].i32;
    if (!lw->lifted)
        return call_host(&lc, args, out_trap);
    return cabi_call_lifted(cx->store, lw->lifted, args, cx->arena, true, lower_results, &lc,
                            out_trap, cx->diag);
}

static Trap *lowered_entry(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                           uint32_t n_results) {
    CabiLowered *lw = env;
    Diag diag;
    diag_clear(&diag);
    Arena arena;
    arena_init(&arena);
    CabiCall call = {0};
    bool adapter = lw->lifted != NULL;
    CabiCx cx = {.store = caller->store, .opts = &lw->opts, .inst = lw->inst, .call = &call,
                 .resources = lw->resources, .n_resources = lw->n_resources, .arena = &arena,
                 .adapter = adapter, .keep_encoding = adapter, .diag = &diag};
    Trap *trap = NULL;
    Err err;
    if (!lw->inst->may_leave) {
        err = cabi_fault(&cx, CF_CANNOT_LEAVE);
    } else if (lw->type->async_ && !cabi_task_may_block(lw->inst->task)) {
        /* spec: canon_lower; callees never block today, but the rule is static */
        err = cabi_trapf(&cx, "cannot block a synchronous task before returning");
    } else {
        lw->inst->may_enter = false;
        err = lower_call(&cx, lw, args_results, &trap);
        lw->inst->may_enter = true;
    }
    cabi_call_exit_import(&call);
    if (err != OK && !trap)
        trap = trap_of(err, &cx, &diag);
    if (cx.trap)
        rt_trap_delete(cx.trap);
    arena_fini(&arena);
    return trap;
}

static Err func_canon(Store *store, const FuncType *ft, uint32_t *out, Diag *diag) {
    return rt_engine_func_type(rt_store_engine(store), ft->params, ft->n_params, ft->results,
                               ft->n_results, out, diag);
}

Err cabi_lowered_func(Store *store, CabiLowered *lw, FuncRef **out, Diag *diag) {
    Arena a;
    arena_init(&a);
    FuncType core;
    uint32_t canon = 0;
    Err err = comp_func_core_type(lw->type, true, &a, &core, diag);
    if (err == OK)
        err = func_canon(store, &core, &canon, diag);
    arena_fini(&a);
    TRY(err);
    FuncRef *f = rt_host_func_new(store, canon, lowered_entry, lw, NULL);
    if (!f)
        return FAIL_NOMEM(diag);
    *out = f;
    return OK;
}

static Trap *never_called(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                          uint32_t n_results) {
    return rt_trap_new(TRAP_UNREACHABLE, NULL);
}

Err cabi_store_attach(Store *store, void *env, void (*finalize)(void *env), Diag *diag) {
    static const FuncType unit = {0, 0, NULL, NULL};
    uint32_t canon;
    Err err = func_canon(store, &unit, &canon, diag);
    if (err == OK && !rt_host_func_new(store, canon, never_called, env, finalize))
        err = FAIL_NOMEM(diag);
    if (err != OK)
        finalize(env);
    return err;
}

/* ---- Built-ins ------------------------------------------------------------------------------ */

static Err builtin_run(CabiCx *cx, const CabiBuiltinFunc *b, ValRaw *ar) {
    uint32_t h;
    if (!b->inst->may_leave)
        return cabi_fault(cx, CF_CANNOT_LEAVE);
    switch (b->kind) {
    case CB_RESOURCE_NEW:
        TRY(cabi_resource_new(cx, b->rt, (uint32_t)ar[0].i32, &h));
        memset(&ar[0], 0, sizeof ar[0]);
        ar[0].i32 = (int32_t)h;
        return OK;
    case CB_RESOURCE_REP:
        TRY(cabi_resource_rep(cx, b->rt, (uint32_t)ar[0].i32, &h));
        memset(&ar[0], 0, sizeof ar[0]);
        ar[0].i32 = (int32_t)h;
        return OK;
    case CB_RESOURCE_DROP:
        return cabi_resource_drop(cx, b->rt, (uint32_t)ar[0].i32);
    default:
        return cabi_trapf(cx, "unsupported built-in `%s`", b->name ? b->name : "?");
    }
}

static Trap *builtin_entry(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                           uint32_t n_results) {
    CabiBuiltinFunc *b = env;
    static const CabiOpts no_opts;
    Diag diag;
    diag_clear(&diag);
    CabiCx cx = {.store = caller->store, .opts = &no_opts, .inst = b->inst, .diag = &diag};
    Err err = builtin_run(&cx, b, args_results);
    Trap *trap = err == OK ? NULL : trap_of(err, &cx, &diag);
    if (cx.trap)
        rt_trap_delete(cx.trap);
    return trap;
}

Err cabi_builtin_func(Store *store, CabiBuiltinFunc *b, const FuncType *core_type, FuncRef **out,
                      Diag *diag) {
    uint32_t canon;
    TRY(func_canon(store, core_type, &canon, diag));
    FuncRef *f = rt_host_func_new(store, canon, builtin_entry, b, NULL);
    if (!f)
        return FAIL_NOMEM(diag);
    *out = f;
    return OK;
}
