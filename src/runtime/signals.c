/* Guard-page faults as traps. One SIGSEGV/SIGBUS handler per process (on a
 * per-thread alternate stack) claims a fault only when this thread is running
 * wasm (an activation is live) and the address lies in a guarded memory of
 * the activation's store (TRAP_MEM_OOB) or in the guard below this thread's C
 * stack (TRAP_STACK_OVERFLOW); anything else goes to the previous handler, so
 * real bugs still crash. The handler is async-signal-safe: it only records
 * the code and siglongjmps; rt_call builds the Trap after landing. */
#define _GNU_SOURCE
#include "activation_int.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

/* Our signal stack, and the smallest existing one we keep instead. */
#define ALT_STACK_SIZE (64u * 1024u)
#define ALT_STACK_MIN (16u * 1024u)
/* How far below the C stack a fault still counts as overflow. */
#define STACK_GUARD_WINDOW (64u * 1024u)

static struct sigaction prev_segv, prev_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_key_t alt_stack_key;
static bool alt_stack_key_ok;

static TrapCode classify(const RtThread *t, const Activation *act, uintptr_t addr) {
    const Store *store = act->store;
    for (size_t i = 0; i < store->memories.len; i++) {
        const RtMemory *mem = store->memories.data[i];
        if (mem->guarded && addr - (uintptr_t)mem->base < mem->reserved)
            return TRAP_MEM_OOB;
    }
    size_t window = t->stack_guard > STACK_GUARD_WINDOW ? t->stack_guard : STACK_GUARD_WINDOW;
    if (t->stack_low > window && addr < t->stack_low && addr >= t->stack_low - window)
        return TRAP_STACK_OVERFLOW;
    return TRAP_NONE;
}

/* Hook for native tiers (code_registry.c): a fault whose pc lies in registered
 * code is first offered to the code's owner, which maps the pc through its
 * trap table and records its frames; TRAP_NONE falls back to classify(). */
static TrapCode classify_code(void *context) {
#if defined(__x86_64__) && defined(__linux__)
    const ucontext_t *uc = context;
    return rt_code_fault((uintptr_t)uc->uc_mcontext.gregs[REG_RIP],
                         (uintptr_t)uc->uc_mcontext.gregs[REG_RBP]);
#else
    (void)context;
    return TRAP_NONE;
#endif
}

/* Hand a fault that is not ours to whoever had the signal before us. */
static void chain(int sig, siginfo_t *info, void *context) {
    const struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
    if (prev->sa_flags & SA_SIGINFO) {
        prev->sa_sigaction(sig, info, context);
        return;
    }
    if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
        return;
    }
    /* Default action: a faulting instruction faults again on return and the
     * process dies of the signal; a sent signal is re-raised. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (info->si_code <= 0)
        raise(sig);
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    RtThread *t = &rt_thread;
    Activation *act = t->current;
    /* si_code > 0: raised by the kernel for this thread's own access. */
    if (act && info->si_code > 0) {
        TrapCode code = classify_code(context);
        if (code == TRAP_NONE)
            code = classify(t, act, (uintptr_t)info->si_addr);
        if (code != TRAP_NONE) {
            act->trap = NULL;
            act->trap_code = code;
            siglongjmp(act->resume, RT_LAND_SIGNAL);
        }
    }
    int saved_errno = errno;
    chain(sig, info, context);
    errno = saved_errno;
}

static void free_alt_stack(void *mapping) {
    size_t page = os_page_size();
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0 && ss.ss_sp == (uint8_t *)mapping + page) {
        memset(&ss, 0, sizeof ss);
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, NULL);
    }
    os_vm_release(mapping, ALT_STACK_SIZE + page);
}

static void install(void) {
    alt_stack_key_ok = pthread_key_create(&alt_stack_key, free_alt_stack) == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &prev_segv);
    sigaction(SIGBUS, &sa, &prev_bus);
}

/* A signal stack for this thread unless it has a big enough one (the
 * embedder's or a sanitizer's); its lowest page is a guard. Freed at thread
 * exit by the key's destructor. */
static void setup_alt_stack(void) {
    stack_t ss;
    if (sigaltstack(NULL, &ss) != 0)
        return;
    if (!(ss.ss_flags & SS_DISABLE) && ss.ss_size >= ALT_STACK_MIN)
        return;
    if (!alt_stack_key_ok)
        return;
    size_t page = os_page_size();
    uint8_t *mapping = os_vm_reserve(ALT_STACK_SIZE + page);
    if (!mapping)
        return;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = mapping + page;
    ss.ss_size = ALT_STACK_SIZE;
    if (!os_vm_commit(mapping + page, ALT_STACK_SIZE) || sigaltstack(&ss, NULL) != 0) {
        os_vm_release(mapping, ALT_STACK_SIZE + page);
        return;
    }
    if (pthread_setspecific(alt_stack_key, mapping) != 0)
        free_alt_stack(mapping);
}

void rt_signals_thread_init(void) {
    pthread_once(&install_once, install);
    setup_alt_stack();
}

void rt_signals_after_landing(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
