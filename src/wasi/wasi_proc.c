/* Process-level functions: arguments and environment (copied into guest
 * memory after checking every pointer), proc_exit and proc_raise (which end
 * the program with a host trap the embedder recognises through
 * wasi_exit_status), and sched_yield. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "wasi_int.h"

static uint16_t sizes_get(const WasiMem *mem, char **strs, uint32_t n, uint32_t count_ptr,
                          uint32_t size_ptr) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += strlen(strs[i]) + 1;
    if (total > UINT32_MAX)
        return WASI_EOVERFLOW;
    uint16_t err = wasi_mem_write_u32(mem, count_ptr, n);
    return err ? err : wasi_mem_write_u32(mem, size_ptr, (uint32_t)total);
}

/* Writes n pointers at `ptrs` and the NUL-terminated strings at `buf`. */
static uint16_t strings_get(const WasiMem *mem, char **strs, uint32_t n, uint32_t ptrs,
                            uint32_t buf) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += strlen(strs[i]) + 1;
    if (!wasi_mem_range(mem, ptrs, (uint64_t)n * 4) || !wasi_mem_range(mem, buf, total))
        return WASI_EFAULT;
    uint64_t at = buf;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(strs[i]) + 1;
        wasi_mem_write_u32(mem, ptrs + 4 * i, (uint32_t)at);
        wasi_mem_write(mem, (uint32_t)at, strs[i], len);
        at += len;
    }
    return WASI_ESUCCESS;
}

uint16_t wasi_fn_args_get(WasiCall *call, const ValRaw *args) {
    return strings_get(&call->mem, call->wasi->args, call->wasi->n_args, (uint32_t)args[0].i32,
                       (uint32_t)args[1].i32);
}

uint16_t wasi_fn_args_sizes_get(WasiCall *call, const ValRaw *args) {
    return sizes_get(&call->mem, call->wasi->args, call->wasi->n_args, (uint32_t)args[0].i32,
                     (uint32_t)args[1].i32);
}

uint16_t wasi_fn_environ_get(WasiCall *call, const ValRaw *args) {
    return strings_get(&call->mem, call->wasi->env, call->wasi->n_env, (uint32_t)args[0].i32,
                       (uint32_t)args[1].i32);
}

uint16_t wasi_fn_environ_sizes_get(WasiCall *call, const ValRaw *args) {
    return sizes_get(&call->mem, call->wasi->env, call->wasi->n_env, (uint32_t)args[0].i32,
                     (uint32_t)args[1].i32);
}

static void end_program(WasiCall *call, int code, const char *what) {
    char msg[64];
    snprintf(msg, sizeof msg, "wasi: %s %d", what, code);
    call->wasi->exited = true;
    call->wasi->exit_code = code;
    call->trap = rt_trap_new(TRAP_HOST, msg);
}

uint16_t wasi_fn_proc_exit(WasiCall *call, const ValRaw *args) {
    end_program(call, args[0].i32, "exit with code");
    return WASI_ESUCCESS;
}

/* witx signal numbers -> host signals (index = WASI signal). */
static const int wasi_signals[WASI_SIGNAL_MAX + 1] = {
    0,       SIGHUP,  SIGINT,    SIGQUIT, SIGILL,  SIGTRAP,   SIGABRT, SIGBUS,
    SIGFPE,  SIGKILL, SIGUSR1,   SIGSEGV, SIGUSR2, SIGPIPE,   SIGALRM, SIGTERM,
    SIGCHLD, SIGCONT, SIGSTOP,   SIGTSTP, SIGTTIN, SIGTTOU,   SIGURG,  SIGXCPU,
    SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPOLL, SIGPWR,   SIGSYS,
};

/* The guest's signal never reaches the host process: a signal whose default
 * action is to ignore does nothing, stop signals are unsupported, every other
 * one ends the program as if killed (exit code 128 + host signal number). */
uint16_t wasi_fn_proc_raise(WasiCall *call, const ValRaw *args) {
    uint32_t sig = (uint32_t)args[0].i32;
    if (sig > WASI_SIGNAL_MAX)
        return WASI_EINVAL;
    int host = wasi_signals[sig];
    if (host == 0 || host == SIGCHLD || host == SIGCONT || host == SIGURG || host == SIGWINCH)
        return WASI_ESUCCESS;
    if (host == SIGSTOP || host == SIGTSTP || host == SIGTTIN || host == SIGTTOU)
        return WASI_ENOTSUP;
    end_program(call, 128 + host, "killed by signal, exit code");
    return WASI_ESUCCESS;
}

uint16_t wasi_fn_sched_yield(WasiCall *call, const ValRaw *args) {
    (void)call, (void)args;
    sched_yield();
    return WASI_ESUCCESS;
}
