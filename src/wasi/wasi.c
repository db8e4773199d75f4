/* A WASI instance: the configuration (args, env), the fd table built from
 * stdio, pre-opened directories and sockets, and the table of host functions
 * (wasi_funcs.def) that wasi_define installs. Each host function's env is a
 * WasiBinding owned by the Wasi, so the Wasi must outlive its stores. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_int.h"

const WasiFuncDesc wasi_funcs[] = {
#define WASI_FUNC(name, params, has_result) {#name, params, has_result, wasi_fn_##name},
#include "wasi_funcs.def"
#undef WASI_FUNC
};
const uint32_t wasi_n_funcs = sizeof wasi_funcs / sizeof wasi_funcs[0];

const WasiFuncDesc *wasi_func_find(const char *name, size_t len) {
    for (uint32_t i = 0; i < wasi_n_funcs; i++)
        if (strlen(wasi_funcs[i].name) == len && memcmp(wasi_funcs[i].name, name, len) == 0)
            return &wasi_funcs[i];
    return NULL;
}

void wasi_config_default(WasiConfig *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->stdin_fd = 0;
    cfg->stdout_fd = 1;
    cfg->stderr_fd = 2;
}

static char **copy_strings(const char *const *src, uint32_t n) {
    char **out = mem_calloc(n ? n : 1, sizeof *out);
    if (!out)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = mem_strndup(src[i], strlen(src[i]));
        if (!out[i]) {
            for (uint32_t j = 0; j < i; j++)
                mem_free(out[j]);
            mem_free(out);
            return NULL;
        }
    }
    return out;
}

static void free_strings(char **s, uint32_t n) {
    for (uint32_t i = 0; s && i < n; i++)
        mem_free(s[i]);
    mem_free(s);
}

static Err add_stdio(Wasi *wasi, uint32_t fd, int host, Diag *diag) {
    if (host < 0)
        return OK;
    int dup_fd = fcntl(host, F_DUPFD_CLOEXEC, 3);
    struct stat st;
    if (dup_fd < 0 || fstat(dup_fd, &st) != 0) {
        if (dup_fd >= 0)
            close(dup_fd);
        return FAIL(diag, ERR_IO, DIAG_NO_OFFSET, "wasi: stdio fd %d: %s", host, strerror(errno));
    }
    uint8_t type = wasi_filetype_of_mode(st.st_mode);
    uint64_t rights = wasi_rights_for_type(type, isatty(dup_fd));
    int mode = fcntl(dup_fd, F_GETFL) & O_ACCMODE;
    if (mode == O_WRONLY)
        rights &= ~(uint64_t)WASI_RIGHT_FD_READ;
    else if (mode == O_RDONLY)
        rights &= ~(uint64_t)(WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_DATASYNC |
                              WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    if (wasi_fd_insert_at(wasi, fd, dup_fd, type, rights, 0, false))
        return FAIL_NOMEM(diag);
    return OK;
}

static Err add_preopen(Wasi *wasi, const WasiPreopen *p, Diag *diag) {
    int host = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0 && errno == EACCES)
        host = open(p->host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (host < 0)
        return FAIL(diag, ERR_IO, DIAG_NO_OFFSET, "cannot pre-open directory '%s': %s",
                    p->host_path, strerror(errno));
    const char *guest = p->guest_path ? p->guest_path : p->host_path;
    char *name = mem_strndup(guest, strlen(guest));
    uint32_t fd;
    if (!name || wasi_fd_insert(wasi, host, WASI_FILETYPE_DIRECTORY, WASI_RIGHTS_DIR,
                                WASI_RIGHTS_DIR | WASI_RIGHTS_FILE, p->read_only, &fd)) {
        mem_free(name);
        return FAIL_NOMEM(diag);
    }
    wasi->fds[fd].preopen_name = name;
    return OK;
}

static Err add_socket(Wasi *wasi, int sock, Diag *diag) {
    int host = fcntl(sock, F_DUPFD_CLOEXEC, 3);
    struct stat st;
    if (host < 0 || fstat(host, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        if (host >= 0)
            close(host);
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "wasi: fd %d is not a socket", sock);
    }
    int type = 0;
    socklen_t len = sizeof type;
    uint8_t ft = WASI_FILETYPE_SOCKET_STREAM;
    if (getsockopt(host, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
        ft = WASI_FILETYPE_SOCKET_DGRAM;
    uint32_t fd;
    if (wasi_fd_insert(wasi, host, ft, WASI_RIGHTS_SOCKET, WASI_RIGHTS_SOCKET, false, &fd))
        return FAIL_NOMEM(diag);
    return OK;
}

static Err wasi_fill(Wasi *wasi, const WasiConfig *cfg, Diag *diag) {
    wasi->args = copy_strings(cfg->args, cfg->n_args);
    wasi->n_args = cfg->n_args;
    wasi->env = copy_strings(cfg->env, cfg->n_env);
    wasi->n_env = cfg->n_env;
    wasi->bindings = mem_calloc(wasi_n_funcs, sizeof *wasi->bindings);
    if (!wasi->args || !wasi->env || !wasi->bindings)
        return FAIL_NOMEM(diag);
    for (uint32_t i = 0; i < wasi_n_funcs; i++)
        wasi->bindings[i] = (WasiBinding){wasi, &wasi_funcs[i]};
    TRY(add_stdio(wasi, 0, cfg->stdin_fd, diag));
    TRY(add_stdio(wasi, 1, cfg->stdout_fd, diag));
    TRY(add_stdio(wasi, 2, cfg->stderr_fd, diag));
    for (uint32_t i = 0; i < cfg->n_preopens; i++)
        TRY(add_preopen(wasi, &cfg->preopens[i], diag));
    for (uint32_t i = 0; i < cfg->n_sockets; i++)
        TRY(add_socket(wasi, cfg->sockets[i], diag));
    return OK;
}

Err wasi_new(const WasiConfig *cfg, Wasi **out, Diag *diag) {
    *out = NULL;
    Wasi *wasi = mem_calloc(1, sizeof *wasi);
    if (!wasi)
        return FAIL_NOMEM(diag);
    Err err = wasi_fill(wasi, cfg, diag);
    if (err != OK) {
        wasi_delete(wasi);
        return err;
    }
    *out = wasi;
    return OK;
}

void wasi_delete(Wasi *wasi) {
    if (!wasi)
        return;
    free_strings(wasi->args, wasi->n_args);
    free_strings(wasi->env, wasi->n_env);
    wasi_fd_table_free(wasi);
    mem_free(wasi->bindings);
    mem_free(wasi);
}

bool wasi_exit_status(const Wasi *wasi, int *out_code) {
    if (!wasi->exited)
        return false;
    *out_code = wasi->exit_code;
    return true;
}

Trap *wasi_host_call(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                     uint32_t n_results) {
    WasiBinding *binding = env;
    WasiCall call = {binding->wasi, wasi_mem_of_caller(caller), NULL};
    uint16_t err = binding->desc->handler(&call, args_results);
    if (call.trap)
        return call.trap;
    if (binding->desc->has_result && n_results >= 1)
        args_results[0] = (ValRaw){.i32 = err};
    return NULL;
}

static Err make_func(Wasi *wasi, Store *store, uint32_t index, Extern *out, Diag *diag) {
    const WasiFuncDesc *desc = &wasi_funcs[index];
    ValType params[16], result = {.kind = VK_I32};
    uint32_t n_params = (uint32_t)strlen(desc->params);
    for (uint32_t i = 0; i < n_params; i++)
        params[i] = (ValType){.kind = desc->params[i] == 'I' ? VK_I64 : VK_I32};
    uint32_t canon;
    TRY(rt_engine_func_type(rt_store_engine(store), params, n_params, &result,
                            desc->has_result ? 1 : 0, &canon, diag));
    FuncRef *f = rt_host_func_new(store, canon, wasi_host_call, &wasi->bindings[index], NULL);
    if (!f)
        return FAIL_NOMEM(diag);
    *out = (Extern){.kind = EXTERN_FUNC, .func = f};
    return OK;
}

Err wasi_import(Wasi *wasi, Store *store, const char *module, size_t module_len, const char *name,
                size_t name_len, Extern *out, bool *out_found, Diag *diag) {
    *out_found = false;
    if (module_len != strlen(WASI_MODULE_NAME) || memcmp(module, WASI_MODULE_NAME, module_len))
        return OK;
    const WasiFuncDesc *desc = wasi_func_find(name, name_len);
    if (!desc)
        return OK;
    TRY(make_func(wasi, store, (uint32_t)(desc - wasi_funcs), out, diag));
    *out_found = true;
    return OK;
}

Err wasi_define(Wasi *wasi, Linker *linker, Store *store, Diag *diag) {
    for (uint32_t i = 0; i < wasi_n_funcs; i++) {
        Extern ext;
        TRY(make_func(wasi, store, i, &ext, diag));
        TRY(rt_linker_define(linker, WASI_MODULE_NAME, strlen(WASI_MODULE_NAME),
                             wasi_funcs[i].name, strlen(wasi_funcs[i].name), ext, diag));
    }
    return OK;
}
