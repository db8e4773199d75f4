/* The WASI layer's one public header: WASI preview1 (wasi_snapshot_preview1)
 * as host functions over the runtime, with a capability sandbox. The guest
 * reaches the host file system only below the directories pre-opened in
 * WasiConfig, and only sockets handed in by the embedder.
 *
 * Exit: proc_exit (and a terminating proc_raise) returns a host trap from the
 * host function; the embedder sees ERR_TRAP from rt_call and asks
 * wasi_exit_status whether the trap was a normal exit and with which code. */
#ifndef WASMC_WASI_WASI_H
#define WASMC_WASI_WASI_H

#include <stdbool.h>
#include <stdint.h>

#include "../runtime/runtime.h"

#define WASI_MODULE_NAME "wasi_snapshot_preview1"

/* One pre-opened directory: host_path is opened once by wasi_new; the guest
 * sees it under guest_path (e.g. "/data" or "."). Read-only: the guest gets no
 * right that creates, writes, removes, renames or changes times below it. */
typedef struct WasiPreopen {
    const char *host_path;
    const char *guest_path;
    bool read_only;
} WasiPreopen;

/* Everything a WASI instance starts from. Strings and arrays are copied by
 * wasi_new. Guest fds: 0-2 = stdio, then preopens in order, then sockets. */
typedef struct WasiConfig {
    const char *const *args; /* args[0] is the program name */
    uint32_t n_args;
    const char *const *env;  /* "KEY=VALUE" strings */
    uint32_t n_env;
    const WasiPreopen *preopens;
    uint32_t n_preopens;
    const int *sockets;      /* host fds of sockets (listening or connected); dup'ed */
    uint32_t n_sockets;
    int stdin_fd, stdout_fd, stderr_fd; /* host fds, dup'ed; -1 = closed (EBADF) */
} WasiConfig;

typedef struct Wasi Wasi;

/* Defaults: no args, env, preopens or sockets; stdio = host 0, 1, 2. */
void wasi_config_default(WasiConfig *cfg);

/* Create a WASI instance: copies the config, dups stdio and sockets, opens the
 * pre-opened directories (ERR_IO naming the path when one cannot be opened).
 * *out owned by the caller (wasi_delete, after every store it was defined in). */
Err wasi_new(const WasiConfig *cfg, Wasi **out, Diag *diag) WARN_UNUSED;
void wasi_delete(Wasi *wasi);

/* Create every wasi_snapshot_preview1 function as a host function in `store`
 * and define it in `linker` under WASI_MODULE_NAME. */
Err wasi_define(Wasi *wasi, Linker *linker, Store *store, Diag *diag) WARN_UNUSED;

/* The host function for one import, created in `store`; *out_found is false
 * (and OK returned) when module/name is not a WASI preview1 function. */
Err wasi_import(Wasi *wasi, Store *store, const char *module, size_t module_len, const char *name,
                size_t name_len, Extern *out, bool *out_found, Diag *diag) WARN_UNUSED;

/* True once the guest called proc_exit (or raised a terminating signal);
 * *out_code is the exit code (128 + signal for proc_raise). */
bool wasi_exit_status(const Wasi *wasi, int *out_code);

#endif
