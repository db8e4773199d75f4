/* Canon built-ins the plan makes itself rather than through cabi_builtin_func:
 * those that must work while `may_leave` is clear (from post-return), as
 * the suite expects — resource.rep, context.get/set, backpressure.inc/dec/set
 * (no-ops without async) —, `canon task.return` (cabi_task.c), and
 * `canon lower async` of a callee that always
 * completes at once (every synchronous callee): lift up to 4 flat params,
 * call, store the results at the return pointer, return RETURNED. */
#include <string.h>

#include "comp_builtin.h"

#define ASYNC_MAX_FLAT_PARAMS 4
#define SUBTASK_RETURNED 2

static Trap *trap_from(CabiCx *cx, Err err, Diag *diag) {
    if (err == ERR_TRAP && cx->trap) {
        Trap *t = cx->trap;
        cx->trap = NULL;
        return t;
    }
    return rt_trap_new(TRAP_HOST, diag->msg[0] ? diag->msg : "component built-in failed");
}

static void set_i32(ValRaw *v, uint32_t x) {
    memset(v, 0, sizeof *v);
    v->i32 = (int32_t)x;
}

/* ---- canon lower async of a synchronous callee ---------------------------------------------- */

typedef struct AsyncCall {
    CabiCx *cx;
    const CompFuncType *type;
    uint32_t retptr;
} AsyncCall;

static Err store_results(void *env, CompValue *results, Trap **out_trap, Diag *diag) {
    AsyncCall *ac = env;
    const CompFuncType *ft = ac->type;
    for (uint32_t i = 0; i < ft->n_results; i++)
        if (!comp_value_check(&results[i], ft->results[i].type, diag))
            return ERR_USAGE;
    ValRaw flat[1];
    uint32_t n;
    Err err = cabi_lower_values(ac->cx, 0, results, ft->results, ft->n_results, flat,
                                &ac->retptr, &n);
    if (err == ERR_TRAP) {
        *out_trap = ac->cx->trap;
        ac->cx->trap = NULL;
    }
    return err;
}

static uint32_t flat_params(const CompFuncType *ft) {
    uint64_t c = 0;
    for (uint32_t i = 0; i < ft->n_params; i++)
        c += ft->params[i].type->abi.n_flat;
    return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static Err async_lower(CabiCx *cx, const CompBuiltin *b, ValRaw *ar, Trap **out_trap) {
    const CabiLowered *lw = b->lowered;
    const CompFuncType *ft = lw->type;
    CompValue *args = arena_calloc(cx->arena, ft->n_params + 1, sizeof *args);
    CompValue *results = arena_calloc(cx->arena, ft->n_results + 1, sizeof *results);
    if (!args || !results)
        return FAIL_NOMEM(cx->diag);
    uint32_t np = flat_params(ft);
    AsyncCall ac = {cx, ft, 0};
    if (ft->n_results)
        ac.retptr = (uint32_t)ar[np > ASYNC_MAX_FLAT_PARAMS ? 1 : np].i32;
    TRY(cabi_lift_values(cx, ASYNC_MAX_FLAT_PARAMS, ar, ft->params, ft->n_params, args));
    if (lw->lifted) {
        TRY(cabi_call_lifted(cx->store, lw->lifted, args, cx->arena, true, store_results, &ac,
                             out_trap, cx->diag));
    } else {
        Trap *t = lw->host(lw->host_env, args, ft->n_params, results, ft->n_results, cx->arena);
        if (t) {
            *out_trap = t;
            return ERR_TRAP;
        }
        TRY(store_results(&ac, results, out_trap, cx->diag));
    }
    set_i32(&ar[0], SUBTASK_RETURNED);
    return OK;
}

/* ---- Entry ----------------------------------------------------------------------------------- */

static Err run(CabiCx *cx, const CompBuiltin *b, ValRaw *ar, Trap **out_trap) {
    uint32_t x;
    switch (b->kind) {
    case CBI_RESOURCE_REP:
        TRY(cabi_resource_rep(cx, b->rt, (uint32_t)ar[0].i32, &x));
        set_i32(&ar[0], x);
        return OK;
    case CBI_CONTEXT_GET: set_i32(&ar[0], *b->slot); return OK;
    case CBI_CONTEXT_SET: *b->slot = (uint32_t)ar[0].i32; return OK;
    case CBI_NOOP: return OK;
    case CBI_TASK_RETURN: return cabi_task_return_builtin(cx, b->inst, b->result, &b->opts, ar);
    default:
        if (!b->inst->may_leave)
            return cabi_fault(cx, CF_CANNOT_LEAVE);
        b->inst->may_enter = false;
        Err err = async_lower(cx, b, ar, out_trap);
        b->inst->may_enter = true;
        return err;
    }
}

static Trap *entry(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                   uint32_t n_results) {
    CompBuiltin *b = env;
    Diag diag;
    diag_clear(&diag);
    Arena arena;
    arena_init(&arena);
    CabiCall call = {0};
    bool adapter = b->lowered && b->lowered->lifted;
    CabiCx cx = {.store = caller->store, .opts = b->lowered ? &b->lowered->opts : &b->opts,
                 .inst = b->inst, .call = &call, .arena = &arena, .adapter = adapter,
                 .keep_encoding = adapter, .diag = &diag};
    if (b->lowered) {
        cx.resources = b->lowered->resources;
        cx.n_resources = b->lowered->n_resources;
    }
    Trap *trap = NULL;
    Err err = run(&cx, b, args_results, &trap);
    cabi_call_exit_import(&call);
    if (err != OK && !trap)
        trap = trap_from(&cx, err, &diag);
    if (cx.trap)
        rt_trap_delete(cx.trap);
    arena_fini(&arena);
    return trap;
}

Err comp_builtin_func(Store *store, CompBuiltin *b, const FuncType *core_type, FuncRef **out,
                      Diag *diag) {
    uint32_t canon;
    TRY(rt_engine_func_type(rt_store_engine(store), core_type->params, core_type->n_params,
                            core_type->results, core_type->n_results, &canon, diag));
    *out = rt_host_func_new(store, canon, entry, b, NULL);
    return *out ? OK : FAIL_NOMEM(diag);
}
