/* Guard-page faults: an access past a guarded memory's length while running
 * wasm is TRAP_MEM_OOB with the tier's backtrace; every other fault (outside
 * any wasm memory, or outside wasm) still crashes through the previous
 * handler; concurrent threads trap on their own signal stacks. */
#include <pthread.h>

#include "traps_fake.h"

#define GIB (UINT64_C(1) << 30)

static _Thread_local RtMemory *touch_mem;
static _Thread_local uint64_t touch_offset;
static _Thread_local FakeFrame touch_frame;
static _Thread_local int touch_after;

static void touches(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    Activation *act = rt_activation_current();
    touch_frame = (FakeFrame){5, 77, NULL};
    act->tier_frames = &touch_frame;
    volatile uint8_t *p = touch_mem->base + touch_offset;
    args[0].i32 = *p;
    touch_after = 1;
}

/* rt_call of `touches` at base + offset: the trap code, or TRAP_NONE. */
static TrapCode touch(Store *store, RtMemory *mem, uint64_t offset) {
    touch_mem = mem;
    touch_offset = offset;
    touch_after = 0;
    FuncRef f = fake_func(touches);
    ValRaw args[1];
    Trap *trap = NULL;
    if (rt_call(store, &f, args, 1, &trap) == OK)
        return TRAP_NONE;
    TrapCode code = trap->code;
    if (trap->n_frames != 1 || trap->frames[0].func_index != 5 || trap->frames[0].code_offset != 77)
        code = TRAP_COUNT;
    rt_trap_delete(trap);
    return code;
}

static void sigsegv_exit_42(int sig, siginfo_t *info, void *context) {
    _exit(42);
}

static void chained_child(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sigsegv_exit_42;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    Store *store = fake_store(fake_engine(true));
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 1, true, false));
    if (touch(store, mem, 5 * GIB) != TRAP_MEM_OOB)
        _exit(1);
    /* Not a wasm memory: the embedder's handler must see it. */
    uint8_t *page = os_vm_reserve(RT_PAGE_SIZE);
    RtMemory other = {.base = page};
    touch(store, &other, 100);
    _exit(2);
}

/* Runs first, before this process installs the handler: a handler the
 * embedder had before us still gets the faults that are not ours. */
static void test_chains_to_previous_handler(void) {
    int status = fake_in_child(chained_child);
    CHECK(WIFEXITED(status));
    CHECK_EQ_U64(WEXITSTATUS(status), 42);
}

static void test_guard_fault(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 4, true, false));
    CHECK(mem && mem->guarded);
    CHECK(touch(store, mem, 0) == TRAP_NONE);
    CHECK(touch(store, mem, RT_PAGE_SIZE - 1) == TRAP_NONE);
    CHECK(touch_after == 1);
    CHECK(touch(store, mem, RT_PAGE_SIZE) == TRAP_MEM_OOB);
    CHECK(touch_after == 0);
    CHECK(touch(store, mem, 5 * GIB) == TRAP_MEM_OOB);
    CHECK(touch(store, mem, 4 * GIB - 1) == TRAP_MEM_OOB);
    /* The highest address an i32 access with a u32 offset reaches. */
    CHECK(touch(store, mem, 2 * (4 * GIB - 1) + 15) == TRAP_MEM_OOB);
    for (int i = 0; i < 100; i++)
        CHECK(touch(store, mem, 3 * GIB + (uint64_t)i * 4096) == TRAP_MEM_OOB);
    uint64_t old;
    CHECK(rt_memory_grow(mem, 1, &old));
    CHECK(touch(store, mem, RT_PAGE_SIZE) == TRAP_NONE);
    CHECK(touch(store, mem, 2 * RT_PAGE_SIZE) == TRAP_MEM_OOB);
    CHECK(rt_activation_current() == NULL);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

/* Reused reservations fault right past their new length. */
static void test_guard_after_reuse(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    RtMemory *mem = rt_memory_new(store, fake_memtype(3, 0, false, false));
    memset(mem->base, 1, (size_t)mem->length);
    rt_store_delete(store);
    store = fake_store(engine);
    mem = rt_memory_new(store, fake_memtype(1, 0, false, false));
    CHECK(touch(store, mem, RT_PAGE_SIZE - 1) == TRAP_NONE);
    CHECK(touch(store, mem, RT_PAGE_SIZE) == TRAP_MEM_OOB);
    CHECK(touch(store, mem, 3 * RT_PAGE_SIZE - 1) == TRAP_MEM_OOB);
    RtMemory *big = rt_memory_new(store, fake_memtype(5, 0, false, false));
    CHECK(touch(store, big, 5 * RT_PAGE_SIZE - 1) == TRAP_NONE);
    CHECK(touch(store, big, 5 * RT_PAGE_SIZE) == TRAP_MEM_OOB);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static void outside_memory_child(void) {
    Store *store = fake_store(fake_engine(true));
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 1, true, false));
    (void)mem;
    uint8_t *page = os_vm_reserve(RT_PAGE_SIZE);
    RtMemory other = {.base = page};
    touch(store, &other, 8);
    _exit(3); /* not reached */
}

static void outside_wasm_child(void) {
    Store *store = fake_store(fake_engine(true));
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 1, true, false));
    touch(store, mem, 5 * GIB); /* installs the handler */
    volatile uint8_t *p = mem->base + 5 * GIB;
    p[0] = 1; /* guard page, but no wasm running */
    _exit(3);
}

static void other_store_child(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine), *other = fake_store(engine);
    RtMemory *mem = rt_memory_new(other, fake_memtype(1, 1, true, false));
    touch(store, mem, 5 * GIB); /* a memory of a store not running */
    _exit(3);
}

static void sent_signal_child(void) {
    Store *store = fake_store(fake_engine(true));
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 1, true, false));
    touch(store, mem, 5 * GIB);
    raise(SIGSEGV);
    _exit(3);
}

static void test_other_faults_crash(void) {
    int status = fake_in_child(outside_memory_child);
    CHECK(fake_crashed(status));
    status = fake_in_child(outside_wasm_child);
    CHECK(fake_crashed(status));
    status = fake_in_child(other_store_child);
    CHECK(fake_crashed(status));
    status = fake_in_child(sent_signal_child);
    CHECK(fake_crashed(status) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV));
}

static pthread_barrier_t threads_done;

typedef struct ThreadResult {
    int traps, wrong;
    void *alt_stack;
    bool alt_enabled;
} ThreadResult;

static void *trap_thread(void *arg) {
    ThreadResult *r = arg;
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 1, true, false));
    for (int i = 0; i < 300; i++) {
        TrapCode code = touch(store, mem, RT_PAGE_SIZE + (uint64_t)(i % 16) * 4096);
        if (code == TRAP_MEM_OOB)
            r->traps++;
        else
            r->wrong++;
        if (touch(store, mem, (uint64_t)i) != TRAP_NONE)
            r->wrong++;
    }
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0) {
        r->alt_enabled = !(ss.ss_flags & SS_DISABLE);
        r->alt_stack = ss.ss_sp;
    }
    pthread_barrier_wait(&threads_done); /* both alive: their stacks differ */
    rt_store_delete(store);
    rt_engine_delete(engine);
    return NULL;
}

static void test_threads_trap_concurrently(void) {
    pthread_t threads[2];
    ThreadResult results[2];
    memset(results, 0, sizeof results);
    pthread_barrier_init(&threads_done, NULL, 2);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&threads[i], NULL, trap_thread, &results[i]) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_U64(results[i].traps, 300);
        CHECK_EQ_U64(results[i].wrong, 0);
        CHECK(results[i].alt_enabled);
    }
    CHECK(results[0].alt_stack != results[1].alt_stack);
    pthread_barrier_destroy(&threads_done);
}

TEST_MAIN("signals", TEST_CASE(test_chains_to_previous_handler), TEST_CASE(test_guard_fault), TEST_CASE(test_guard_after_reuse),
          TEST_CASE(test_other_faults_crash), TEST_CASE(test_threads_trap_concurrently))
