/* Shared by the runtime-traps unit tests (memory, trap, signals, call): a fake
 * tier whose "wasm functions" are plain C array-call entries and whose frames
 * are FakeFrame records chained from Activation.tier_frames, so traps, faults
 * and stack limits are tested without the interpreter. */
#ifndef WASMC_TESTS_TRAPS_FAKE_H
#define WASMC_TESTS_TRAPS_FAKE_H

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
#define FAKE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#endif
#endif
#ifndef FAKE_ASAN
#define FAKE_ASAN 0
#endif

/* A fake wasm frame; must live outside the C stack (static or heap). */
typedef struct FakeFrame {
    uint32_t func_index;
    uint32_t offset;
    struct FakeFrame *caller;
} FakeFrame;

static inline Err fake_compile(RtModule *module, Diag *diag) {
    (void)module;
    (void)diag;
    return OK;
}

static inline void fake_release(RtModule *module) {
    (void)module;
}

static inline void fake_backtrace(const Activation *act, Trap *trap) {
    for (const FakeFrame *f = act->tier_frames; f; f = f->caller) {
        TrapFrame tf = {f->func_index, NULL, f->offset, NULL};
        if (!rt_trap_push_frame(trap, &tf))
            return;
    }
}

static const Tier fake_tier = {"fake", fake_compile, fake_release, fake_backtrace};

static inline Engine *fake_engine(bool reservation) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &fake_tier;
    cfg.memory_reservation = reservation;
    Engine *engine = NULL;
    Diag diag;
    if (rt_engine_new(&cfg, &engine, &diag) != OK)
        return NULL;
    return engine;
}

static inline Store *fake_store(Engine *engine) {
    Store *store = NULL;
    Diag diag;
    if (!engine || rt_store_new(engine, &store, &diag) != OK)
        return NULL;
    return store;
}

static inline MemType fake_memtype(uint64_t min, uint64_t max, bool has_max, bool is64) {
    MemType t;
    memset(&t, 0, sizeof t);
    t.min = min;
    t.max = max;
    t.has_max = has_max;
    t.is64 = is64;
    return t;
}

static inline FuncRef fake_func(ArrayCallFn fn) {
    FuncRef f;
    memset(&f, 0, sizeof f);
    f.array_call = fn;
    f.func_index = 0;
    return f;
}

/* Run fn in a forked child (stderr discarded); return its wait status. */
static inline int fake_in_child(void (*fn)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2); /* the crash reports we expect are noise */
        fn();
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

/* Did the child crash the way an unclaimed fault crashes? Under ASan the
 * sanitizer's SEGV report ends the process with exit code 1 instead. */
static inline int fake_crashed(int status) {
    if (WIFSIGNALED(status))
        return WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS;
    return FAKE_ASAN && WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

#endif
