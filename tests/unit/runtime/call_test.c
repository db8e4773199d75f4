/* Calls and activations: nested host->wasm->host->wasm entries, traps landing
 * in the innermost one, and the C stack: re-entrant calls and runaway C
 * recursion under an activation trap with "call stack exhausted" instead of
 * crashing, also on a thread with a 256 KiB stack. */
#include <pthread.h>

#include "traps_fake.h"

static Store *call_store;
static FakeFrame frame_a = {1, 0, NULL}, frame_b = {2, 0, NULL};

static void inner_traps(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    rt_activation_current()->tier_frames = &frame_b;
    rt_trap_raise(TRAP_UNREACHABLE);
}

static void inner_returns(const FuncRef *callee, VMContext *caller, ValRaw *args,
                          uint32_t count) {
    CHECK(rt_activation_current()->prev != NULL);
    args[0].i32 *= 2;
}

/* "wasm" A: calls "host" code that enters wasm twice (one trap, one return),
 * then traps itself if args[0] says so. */
static void outer(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    Activation *act = rt_activation_current();
    act->tier_frames = &frame_a;
    CHECK(act->prev == NULL && act->store == call_store);
    FuncRef b = fake_func(inner_traps);
    ValRaw inner_args[1] = {{.i32 = 21}};
    Trap *trap = NULL;
    CHECK(rt_call(call_store, &b, inner_args, 1, &trap) == ERR_TRAP);
    CHECK(trap && trap->code == TRAP_UNREACHABLE);
    CHECK(trap && trap->n_frames == 1 && trap->frames[0].func_index == 2);
    rt_trap_delete(trap);
    CHECK(rt_activation_current() == act);
    b = fake_func(inner_returns);
    CHECK(rt_call(call_store, &b, inner_args, 1, &trap) == OK);
    CHECK_EQ_U64(inner_args[0].i32, 42);
    CHECK(rt_activation_current() == act);
    if (args[0].i32)
        rt_trap_raise(TRAP_NULL_REF);
    args[0].i32 = inner_args[0].i32;
}

static void test_nested(void) {
    Engine *engine = fake_engine(true);
    call_store = fake_store(engine);
    FuncRef a = fake_func(outer);
    ValRaw args[1] = {{.i32 = 0}};
    Trap *trap = NULL;
    CHECK(rt_call(call_store, &a, args, 1, &trap) == OK);
    CHECK_EQ_U64(args[0].i32, 42);
    args[0].i32 = 1;
    CHECK(rt_call(call_store, &a, args, 1, &trap) == ERR_TRAP);
    CHECK(trap && trap->code == TRAP_NULL_REF);
    CHECK(trap && trap->n_frames == 1 && trap->frames[0].func_index == 1);
    rt_trap_delete(trap);
    CHECK(rt_activation_current() == NULL);
    rt_store_delete(call_store);
    rt_engine_delete(engine);
}

/* ---- The C stack -------------------------------------------------------------- */

static _Thread_local int depth, max_depth;

/* "wasm" that calls a "host function" that re-enters wasm, forever: each
 * level burns some C stack; the trap travels back out as host traps do. */
static void reenters(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    volatile char burn[1024];
    burn[0] = (char)depth;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    Trap *trap = NULL;
    Err err = rt_call(call_store, callee, args, count, &trap);
    depth--;
    if (err != OK)
        rt_trap_raise_host(trap);
    args[0].i32 += burn[0];
}

/* "wasm" that recurses on the C stack without any check, as a buggy tier
 * would: the guard page below the stack stops it. */
static int runaway(int n) {
    volatile char burn[512];
    burn[0] = (char)n;
    max_depth = n > max_depth ? n : max_depth;
    if (n == INT32_MAX) /* never: keeps the compiler from calling it infinite */
        return 0;
    return runaway(n + 1) + burn[0];
}

static void recurses(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    args[0].i32 = runaway(0);
}

/* "wasm" recursing through array_call, checking the limit as tiers must. */
static void checks_limit(const FuncRef *callee, VMContext *caller, ValRaw *args,
                         uint32_t count) {
    volatile char burn[256];
    burn[0] = 0;
    if (rt_c_stack_exhausted(rt_activation_current()))
        rt_trap_raise(TRAP_STACK_OVERFLOW);
    max_depth++;
    callee->array_call(callee, caller, args, count);
    args[0].i32 += burn[0];
}

static void adds_one(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    args[0].i32 += 1;
}

typedef struct StackResult {
    TrapCode reenter, runaway, runaway_again, checked;
    int reenter_depth, checked_depth;
    bool still_works;
} StackResult;

static TrapCode call_expecting_trap(ArrayCallFn fn) {
    FuncRef f = fake_func(fn);
    ValRaw args[1] = {{.i32 = 0}};
    Trap *trap = NULL;
    if (rt_call(call_store, &f, args, 1, &trap) != ERR_TRAP || !trap)
        return TRAP_NONE;
    TrapCode code = trap->code;
    rt_trap_delete(trap);
    return code;
}

static void *stack_thread(void *arg) {
    StackResult *r = arg;
    depth = max_depth = 0;
    r->reenter = call_expecting_trap(reenters);
    r->reenter_depth = max_depth;
    r->runaway = call_expecting_trap(recurses);
    r->runaway_again = call_expecting_trap(recurses);
    max_depth = 0;
    r->checked = call_expecting_trap(checks_limit);
    r->checked_depth = max_depth;
    FuncRef f = fake_func(adds_one);
    ValRaw args[1] = {{.i32 = 1}};
    Trap *trap = NULL;
    r->still_works = call_expecting_trap(inner_traps) == TRAP_UNREACHABLE &&
                     rt_call(call_store, &f, args, 1, &trap) == OK && args[0].i32 == 2;
    return NULL;
}

static void run_stack_checks(size_t stack_size) {
    Engine *engine = fake_engine(true);
    call_store = fake_store(engine);
    StackResult r;
    memset(&r, 0, sizeof r);
    if (stack_size) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        CHECK(pthread_attr_setstacksize(&attr, stack_size) == 0);
        pthread_t thread;
        CHECK(pthread_create(&thread, &attr, stack_thread, &r) == 0);
        pthread_join(thread, NULL);
        pthread_attr_destroy(&attr);
    } else {
        stack_thread(&r);
    }
    CHECK(r.reenter == TRAP_STACK_OVERFLOW);
    CHECK(r.reenter_depth > 10);
    CHECK(r.runaway == TRAP_STACK_OVERFLOW);
    CHECK(r.runaway_again == TRAP_STACK_OVERFLOW);
    CHECK(r.checked == TRAP_STACK_OVERFLOW);
    CHECK(r.checked_depth > 10);
    CHECK(r.still_works);
    CHECK(rt_activation_current() == NULL);
    rt_store_delete(call_store);
    rt_engine_delete(engine);
}

static void test_small_thread_stack(void) {
    run_stack_checks(256 * 1024);
}

static void test_main_thread_stack(void) {
    run_stack_checks(0);
}

TEST_MAIN("call", TEST_CASE(test_nested), TEST_CASE(test_small_thread_stack),
          TEST_CASE(test_main_thread_stack))
