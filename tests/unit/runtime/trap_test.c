/* Trap objects and raising them: messages from traps.def, frames, traps raised
 * from (fake) wasm with their backtrace, host traps keeping their message, and
 * traps that still arrive when allocation fails. */
#include "traps_fake.h"

static void test_messages(void) {
#define TRAP(name, text) CHECK_STR(rt_trap_message(TRAP_##name), text);
#include "runtime/traps.def"
#undef TRAP
    CHECK_STR(rt_trap_message(TRAP_MEM_OOB), "out of bounds memory access");
    CHECK_STR(rt_trap_message(TRAP_STACK_OVERFLOW), "call stack exhausted");
    CHECK(rt_trap_message(TRAP_COUNT) != NULL);
    Trap *trap = rt_trap_new(TRAP_DIV_ZERO, NULL);
    CHECK(trap && trap->code == TRAP_DIV_ZERO && trap->n_frames == 0);
    CHECK_STR(rt_trap_text(trap), "integer divide by zero");
    rt_trap_delete(trap);
    trap = rt_trap_new(TRAP_HOST, "the host says no");
    CHECK_STR(rt_trap_text(trap), "the host says no");
    rt_trap_delete(trap);
    rt_trap_delete(NULL);
}

static void test_frames(void) {
    Trap *trap = rt_trap_new(TRAP_UNREACHABLE, NULL);
    for (uint32_t i = 0; i < 1000; i++) {
        TrapFrame f = {i, NULL, i * 3, NULL};
        CHECK(rt_trap_push_frame(trap, &f));
    }
    CHECK_EQ_U64(trap->n_frames, 1000);
    int ok = 1;
    for (uint32_t i = 0; i < 1000; i++)
        ok &= trap->frames[i].func_index == i && trap->frames[i].code_offset == i * 3;
    CHECK(ok);
    rt_trap_delete(trap);
}

static FakeFrame outer_frame = {1, 10, NULL};
static FakeFrame inner_frame = {2, 20, &outer_frame};

static void returns_sum(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    CHECK(rt_activation_current() != NULL);
    CHECK_EQ_U64(count, 2);
    args[0].i32 = args[0].i32 + args[1].i32;
}

static void divides_by_zero(const FuncRef *callee, VMContext *caller, ValRaw *args,
                            uint32_t count) {
    Activation *act = rt_activation_current();
    act->tier_frames = &inner_frame;
    rt_trap_raise(TRAP_DIV_ZERO);
}

static void test_call_and_raise(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    FuncRef f = fake_func(returns_sum);
    ValRaw args[2] = {{.i32 = 40}, {.i32 = 2}};
    Trap *trap = (Trap *)1;
    CHECK(rt_call(store, &f, args, 2, &trap) == OK);
    CHECK(trap == NULL);
    CHECK_EQ_U64(args[0].i32, 42);
    CHECK(rt_activation_current() == NULL);

    f = fake_func(divides_by_zero);
    CHECK(rt_call(store, &f, args, 2, &trap) == ERR_TRAP);
    CHECK(trap != NULL && trap->code == TRAP_DIV_ZERO);
    CHECK_STR(rt_trap_text(trap), "integer divide by zero");
    CHECK_EQ_U64(trap->n_frames, 2);
    CHECK(trap->n_frames == 2 && trap->frames[0].func_index == 2 &&
          trap->frames[0].code_offset == 20 && trap->frames[1].func_index == 1);
    rt_trap_delete(trap);
    CHECK(rt_activation_current() == NULL);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static void raises_host_trap(const FuncRef *callee, VMContext *caller, ValRaw *args,
                             uint32_t count) {
    rt_activation_current()->tier_frames = &outer_frame;
    rt_trap_raise_host(rt_trap_new(TRAP_HOST, "custom failure"));
}

static Trap *host_fails(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                        uint32_t n_results) {
    CHECK(caller->store == env);
    return rt_trap_new(TRAP_HOST, "from the host function");
}

static void test_host_trap(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    FuncRef f = fake_func(raises_host_trap);
    ValRaw args[1] = {{.i32 = 0}};
    Trap *trap = NULL;
    CHECK(rt_call(store, &f, args, 1, &trap) == ERR_TRAP);
    CHECK(trap && trap->code == TRAP_HOST);
    CHECK_STR(rt_trap_text(trap), "custom failure");
    CHECK(trap->n_frames == 1 && trap->frames[0].func_index == 1);
    rt_trap_delete(trap);

    uint32_t canon = 0;
    Diag diag;
    CHECK(rt_engine_func_type(engine, NULL, 0, NULL, 0, &canon, &diag) == OK);
    FuncRef *host = rt_host_func_new(store, canon, host_fails, store, NULL);
    CHECK(host != NULL);
    if (host) {
        CHECK(rt_call(store, host, args, 0, &trap) == ERR_TRAP);
        CHECK(trap && trap->code == TRAP_HOST);
        CHECK_STR(rt_trap_text(trap), "from the host function");
        rt_trap_delete(trap);
    }
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static void raises_without_memory(const FuncRef *callee, VMContext *caller, ValRaw *args,
                                  uint32_t count) {
    rt_activation_current()->tier_frames = &inner_frame;
    mem_fail_after(0);
    rt_trap_raise(TRAP_INT_OVERFLOW);
}

/* With every allocation failing, a trap still arrives with its code. */
static void test_raise_without_memory(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    FuncRef f = fake_func(raises_without_memory);
    ValRaw args[1];
    Trap *trap = NULL;
    CHECK(rt_call(store, &f, args, 1, &trap) == ERR_TRAP);
    mem_fail_after(-1);
    CHECK(trap && trap->code == TRAP_INT_OVERFLOW);
    CHECK_STR(rt_trap_text(trap), "integer overflow");
    rt_trap_delete(trap);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static void records_and_returns(const FuncRef *callee, VMContext *caller, ValRaw *args,
                                uint32_t count) {
    Activation *act = rt_activation_current();
    act->tier_frames = &inner_frame;
    act->trap_code = TRAP_BAD_CONVERSION;
}

/* A tier may record the trap in the activation and return instead. */
static void test_recorded_trap(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    FuncRef f = fake_func(records_and_returns);
    ValRaw args[1];
    Trap *trap = NULL;
    CHECK(rt_call(store, &f, args, 1, &trap) == ERR_TRAP);
    CHECK(trap && trap->code == TRAP_BAD_CONVERSION && trap->n_frames == 2);
    rt_trap_delete(trap);
    CHECK(rt_activation_current() == NULL);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

TEST_MAIN("trap", TEST_CASE(test_messages), TEST_CASE(test_frames),
          TEST_CASE(test_call_and_raise), TEST_CASE(test_host_trap),
          TEST_CASE(test_raise_without_memory), TEST_CASE(test_recorded_trap))
