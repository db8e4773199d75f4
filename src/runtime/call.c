/* Host->wasm calls: rt_call pushes an Activation on this thread's list, sets
 * the landing point for traps and enters the callee's array-call entry.
 * Invariant: rt_thread.current is the innermost live activation; every entry
 * first checks the C stack so nested host->wasm->host->... entries trap with
 * TRAP_STACK_OVERFLOW before the thread's stack runs out. */
#include "activation_int.h"

_Thread_local RtThread rt_thread RT_THREAD_TLS;

Activation *rt_activation_current(void) {
    return rt_thread.current;
}

static void thread_init(RtThread *t) {
    uintptr_t low, high;
    size_t guard;
    if (os_thread_stack(&low, &high, &guard)) {
        size_t quarter = (size_t)(high - low) / 4;
        t->stack_low = low;
        t->stack_high = high;
        t->stack_guard = guard;
        t->stack_limit = low + (quarter < RT_C_STACK_MARGIN ? quarter : RT_C_STACK_MARGIN);
    }
    rt_signals_thread_init();
    t->ready = true;
}

/* The stack limit for an entry at `sp`: none on a stack we do not know (a
 * coroutine's, say), whose bounds we cannot tell. */
static uintptr_t stack_limit_at(const RtThread *t, uintptr_t sp) {
    return sp >= t->stack_low && sp < t->stack_high ? t->stack_limit : 0;
}

static Err stack_exhausted(Trap **out_trap) {
    *out_trap = rt_trap_make(TRAP_STACK_OVERFLOW, NULL);
    return ERR_TRAP;
}

/* Out of line so rt_call's own frame stays small; `act` is reached only
 * through memory after the second return of sigsetjmp. */
static __attribute__((noinline)) Err landed(Activation *act, int how, Trap **out_trap) {
    rt_thread.current = act->prev;
    if (how == RT_LAND_SIGNAL)
        rt_signals_after_landing();
    *out_trap = rt_trap_landed(act);
    return ERR_TRAP;
}

Err rt_call(Store *store, const FuncRef *func, ValRaw *args_results, uint32_t count,
            Trap **out_trap) {
    *out_trap = NULL;
    RtThread *t = &rt_thread;
    if (!t->ready)
        thread_init(t);
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t limit = stack_limit_at(t, sp);
    if (sp < limit)
        return stack_exhausted(out_trap);
    Activation act;
    act.prev = t->current;
    act.store = store;
    act.trap = NULL;
    act.c_stack_limit = limit;
    act.tier_frames = NULL;
    act.tier = store->engine->config.tier;
    act.trap_code = TRAP_NONE;
    int how = sigsetjmp(act.resume, 0);
    if (how != 0)
        return landed(&act, how, out_trap);
    t->current = &act;
    func->array_call(func, NULL, args_results, count);
    if (act.trap || act.trap_code != TRAP_NONE) /* recorded, then returned */
        return landed(&act, RT_LAND_TRAP, out_trap);
    t->current = act.prev;
    return OK;
}
