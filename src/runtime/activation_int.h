/* Shared by call.c, trap.c and signals.c only: the per-thread runtime state
 * (innermost activation, C stack bounds, signal stack) and how a trap lands
 * back in rt_call. Owned by the runtime-traps side; nothing else includes it. */
#ifndef WASMC_RUNTIME_ACTIVATION_INT_H
#define WASMC_RUNTIME_ACTIVATION_INT_H

#include "runtime_int.h"

/* sigsetjmp's second return value in rt_call: how the trap arrived. */
enum { RT_LAND_TRAP = 1, RT_LAND_SIGNAL = 2 };

/* Stack kept free below each rt_call entry for host code, the tier's C frames
 * and libc: min(RT_C_STACK_MARGIN, a quarter of the thread's stack). */
#define RT_C_STACK_MARGIN (128u * 1024u)

/* This thread's runtime state. Read by the fault handler, so plain fields
 * only, written before any activation that could fault uses them. */
typedef struct RtThread {
    Activation *current;   /* innermost activation, NULL outside wasm */
    uintptr_t stack_low;   /* usable C stack [stack_low, stack_high); 0 if unknown */
    uintptr_t stack_high;
    uintptr_t stack_limit; /* rt_call traps below this */
    size_t stack_guard;    /* guard bytes below stack_low */
    bool ready;            /* the fields above and the signal setup are done */
} RtThread;

/* initial-exec: no lazy TLS allocation (malloc) when the fault handler first
 * touches it on a thread, and a cheap rt_activation_current. */
#define RT_THREAD_TLS __attribute__((tls_model("initial-exec")))
extern _Thread_local RtThread rt_thread RT_THREAD_TLS;

/* rt_trap_new, or on allocation failure a static trap of `code` without
 * message or frames (rt_trap_delete ignores it). Never NULL. */
Trap *rt_trap_make(TrapCode code, const char *message);
/* The trap rt_call returns after landing: the raised one, or one built from
 * act->trap_code with the tier's backtrace (fault path). Never NULL. */
Trap *rt_trap_landed(Activation *act);

/* Install the fault handler (once per process) and give this thread a signal
 * stack if it has none. Idempotent; failures leave the defaults. */
void rt_signals_thread_init(void);
/* After landing from the fault handler: unblock the signals it blocked. */
void rt_signals_after_landing(void);

#endif
