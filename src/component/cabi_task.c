/* Tasks (spec: Canonical ABI > Task State, canon task.return): the state of
 * one call into a component instance, the instance's current task, and the
 * built-in that resolves it. Invariant: a task resolves at most once, and a
 * resolved task has handed its results to its caller exactly once. */
#include <string.h>

#include "cabi.h"
#include "component_front.h"

#define TASK_RETURN_INVALID "invalid `task.return` signature and/or options for current task"
#define TASK_RETURN_TWICE "`task.return` or `task.cancel` called more than once for current task"

void cabi_task_enter(CabiTask *task) {
    task->prev = task->inst->task;
    task->inst->task = task;
}

void cabi_task_exit(CabiTask *task) {
    task->inst->task = task->prev;
}

bool cabi_task_may_block(const CabiTask *task) {
    if (!task)
        return false;
    return (task->func && task->func->type->async_) || task->state == CABI_TASK_RESOLVED;
}

Err cabi_task_return(CabiCx *cx, CabiTask *task, CompValue *results) {
    if (task->state == CABI_TASK_RESOLVED)
        return cabi_trapf(cx, "%s", TASK_RETURN_TWICE);
    if (task->cx && task->cx->call->borrow_count)
        return cabi_fault(cx, CF_BORROWS_REMAIN);
    Trap *trap = NULL;
    Err err = task->on_resolve(task->env, results, &trap, cx->diag);
    if (err == ERR_TRAP) {
        if (cx->trap)
            rt_trap_delete(cx->trap);
        cx->trap = trap;
    }
    TRY(err);
    task->state = CABI_TASK_RESOLVED;
    return OK;
}

/* spec: task.return's result type equals the task's function's result type. */
static bool same_result(const CompFuncType *ft, const CompValType *result) {
    if (!result)
        return ft->n_results == 0;
    if (ft->n_results != 1 || ft->results[0].name)
        return false;
    const CompValType *t = ft->results[0].type;
    if (t == result)
        return true;
    Diag ignored;
    return comp_valtype_subtype(t, result, &ignored) && comp_valtype_subtype(result, t, &ignored);
}

/* spec: LiftOptions.equal */
static bool same_lift_opts(const CabiOpts *a, const CabiOpts *b) {
    return a->string_encoding == b->string_encoding && a->memory == b->memory;
}

Err cabi_task_return_builtin(CabiCx *cx, CompRtInstance *inst, const CompValType *result,
                             const CabiOpts *opts, const ValRaw *flat) {
    if (!inst->may_leave)
        return cabi_fault(cx, CF_CANNOT_LEAVE);
    CabiTask *task = inst->task;
    if (!task || !task->func || !task->func->opts.async_ ||
        !same_result(task->func->type, result) || !same_lift_opts(opts, &task->func->opts))
        return cabi_trapf(cx, "%s", TASK_RETURN_INVALID);
    const CompFuncType *ft = task->func->type;
    CompValue *results = arena_calloc(task->cx->arena, ft->n_results + 1, sizeof *results);
    if (!results)
        return FAIL_NOMEM(cx->diag);
    /* Lift in the task's context (its options, borrow scope and arena), with
     * traps raised on the built-in's. */
    CabiCx lift = *task->cx;
    lift.trap = NULL;
    lift.diag = cx->diag;
    Err err =
        cabi_lift_values(&lift, COMP_MAX_FLAT_PARAMS, flat, ft->results, ft->n_results, results);
    if (err == OK)
        err = cabi_task_return(&lift, task, results);
    if (lift.trap) {
        if (cx->trap)
            rt_trap_delete(cx->trap);
        cx->trap = lift.trap;
    }
    return err;
}
