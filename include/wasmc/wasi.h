/* WASI preview1 (wasi_snapshot_preview1): configure what a guest sees, then
 * define its imports in a linker. The guest reaches the host file system only
 * below pre-opened directories. A guest's proc_exit ends its call with a trap
 * that wasmc_trap_exit_status recognises. */
#ifndef WASMC_WASI_H
#define WASMC_WASI_H

#include "../wasm.h"
#include "error.h"
#include "linker.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasmc_wasi_config_t wasmc_wasi_config_t;

/* Empty: no arguments, environment or directories; stdio is the host's
 * 0, 1, 2. NULL when out of memory. */
WASMC_API own wasmc_wasi_config_t *wasmc_wasi_config_new(void);
WASMC_API void wasmc_wasi_config_delete(own wasmc_wasi_config_t *);

/* The guest's arguments (argv[0] is the program name), copied. False when
 * out of memory (the config is unchanged). */
WASMC_API bool wasmc_wasi_config_set_argv(wasmc_wasi_config_t *, size_t argc,
                                          const char *const argv[]);
/* The guest's environment: names[i]=values[i], copied. */
WASMC_API bool wasmc_wasi_config_set_env(wasmc_wasi_config_t *, size_t n,
                                         const char *const names[], const char *const values[]);
/* The guest's environment is the host process's (at definition time). */
WASMC_API void wasmc_wasi_config_inherit_env(wasmc_wasi_config_t *);
/* Make host directory `host_path` visible as `guest_path`; read-only
 * forbids every change below it. Opened when defined in a linker. */
WASMC_API bool wasmc_wasi_config_preopen_dir(wasmc_wasi_config_t *, const char *host_path,
                                             const char *guest_path, bool read_only);
/* The guest's stdin/stdout/stderr: a host file descriptor (duplicated when
 * defined; -1 = closed) ... */
WASMC_API void wasmc_wasi_config_set_stdin_fd(wasmc_wasi_config_t *, int fd);
WASMC_API void wasmc_wasi_config_set_stdout_fd(wasmc_wasi_config_t *, int fd);
WASMC_API void wasmc_wasi_config_set_stderr_fd(wasmc_wasi_config_t *, int fd);
/* ... or the host's own (the default). */
WASMC_API void wasmc_wasi_config_inherit_stdio(wasmc_wasi_config_t *);

/* Define every wasi_snapshot_preview1 function in the linker, for its store.
 * Takes ownership of the config. WASMC_ERROR_IO naming the path when a
 * pre-opened directory cannot be opened. */
WASMC_API own wasmc_error_t *wasmc_linker_define_wasi(wasmc_linker_t *,
                                                      own wasmc_wasi_config_t *config);

#ifdef __cplusplus
}
#endif

#undef own

#endif
