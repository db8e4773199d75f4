/* The linker of wasmc.h over the runtime Linker, bound to one store, and the
 * WASI configuration it defines imports from. A WASI instance made for a
 * store lives until the store dies (its host functions point at it). */
#include <string.h>

#include "api_int.h"

extern char **environ;

struct wasmc_linker_t {
    Linker *rt;
    wasm_store_t *store;
};

wasmc_linker_t *wasmc_linker_new(wasm_store_t *store) {
    if (!store)
        return NULL;
    wasmc_linker_t *l = mem_alloc(sizeof *l);
    if (!l)
        return NULL;
    l->rt = rt_linker_new();
    if (!l->rt) {
        mem_free(l);
        return NULL;
    }
    l->store = store;
    return l;
}

void wasmc_linker_delete(wasmc_linker_t *l) {
    if (!l)
        return;
    rt_linker_delete(l->rt);
    mem_free(l);
}

wasmc_error_t *wasmc_linker_define(wasmc_linker_t *l, const char *module, size_t module_len,
                                   const char *name, size_t name_len, const wasm_extern_t *item) {
    Extern ext;
    if (!l || (!module && module_len) || (!name && name_len))
        return api_error(ERR_USAGE, "wasmc_linker_define: NULL argument");
    if (!api_extern_of(api_obj(item), &ext) || api_obj(item)->store != l->store)
        return api_error(ERR_USAGE, "wasmc_linker_define: not an extern of the linker's store");
    Diag diag;
    diag_clear(&diag);
    if (rt_linker_define(l->rt, module ? module : "", module_len, name ? name : "", name_len, ext,
                         &diag) != OK)
        return api_error_diag(&diag);
    return NULL;
}

wasmc_error_t *wasmc_linker_define_instance(wasmc_linker_t *l, const char *module,
                                            size_t module_len, const wasm_instance_t *instance) {
    const ApiObj *o = api_obj(instance);
    if (!l || (!module && module_len))
        return api_error(ERR_USAGE, "wasmc_linker_define_instance: NULL argument");
    if (!o || o->kind != OBJ_INSTANCE || o->store != l->store || !o->u.instance)
        return api_error(ERR_USAGE, "wasmc_linker_define_instance: not an instance of the "
                                    "linker's store");
    Diag diag;
    diag_clear(&diag);
    if (rt_linker_define_instance(l->rt, module ? module : "", module_len, o->u.instance,
                                  &diag) != OK)
        return api_error_diag(&diag);
    return NULL;
}

bool wasmc_linker_get(const wasmc_linker_t *l, const char *module, size_t module_len,
                      const char *name, size_t name_len, wasm_extern_t **out) {
    Extern ext;
    if (!l || !out || (!module && module_len) || (!name && name_len))
        return false;
    if (!rt_linker_get(l->rt, module ? module : "", module_len, name ? name : "", name_len, &ext))
        return false;
    *out = (wasm_extern_t *)api_extern_obj(l->store, &ext);
    return *out != NULL;
}

wasmc_error_t *wasmc_linker_instantiate(const wasmc_linker_t *l, const wasm_module_t *module,
                                        wasm_instance_t **out, wasm_trap_t **trap) {
    const ApiObj *mo = api_obj(module);
    if (!l || !mo || mo->kind != OBJ_MODULE || !out || !trap)
        return api_error(ERR_USAGE, "wasmc_linker_instantiate: NULL or wrong-kind argument");
    *out = NULL;
    *trap = NULL;
    if (mo->u.module->engine != l->store->engine->rt)
        return api_error(ERR_USAGE, "wasmc_linker_instantiate: module of another engine");
    Instance *inst = NULL;
    Trap *rt_trap = NULL;
    Diag diag;
    diag_clear(&diag);
    Err err = rt_linker_instantiate(l->rt, l->store->rt, mo->u.module, &inst, &rt_trap, &diag);
    if (err == ERR_TRAP) {
        *trap = (wasm_trap_t *)api_trap_from_rt(l->store, rt_trap, NULL);
        rt_trap_delete(rt_trap);
        return *trap ? NULL : api_error(ERR_NOMEM, "out of memory");
    }
    if (err != OK)
        return api_error_diag(&diag);
    ApiObj *o = api_intern(l->store, OBJ_INSTANCE, inst);
    if (!o)
        return api_error(ERR_NOMEM, "out of memory");
    l->store->last_instance = o;
    *out = (wasm_instance_t *)o;
    return NULL;
}

/* ---- WASI configuration ------------------------------------------------------------------ */

struct wasmc_wasi_config_t {
    VEC(char *) args;
    VEC(char *) env; /* "NAME=VALUE" */
    bool inherit_env;
    VEC(WasiPreopen) preopens; /* strings owned */
    int stdio[3];
};

wasmc_wasi_config_t *wasmc_wasi_config_new(void) {
    wasmc_wasi_config_t *c = mem_calloc(1, sizeof *c);
    if (c)
        c->stdio[0] = 0, c->stdio[1] = 1, c->stdio[2] = 2;
    return c;
}

static void strings_free(char **s, size_t n) {
    for (size_t i = 0; i < n; i++)
        mem_free(s[i]);
}

void wasmc_wasi_config_delete(wasmc_wasi_config_t *c) {
    if (!c)
        return;
    strings_free(c->args.data, c->args.len);
    strings_free(c->env.data, c->env.len);
    for (size_t i = 0; i < c->preopens.len; i++) {
        mem_free((char *)c->preopens.data[i].host_path);
        mem_free((char *)c->preopens.data[i].guest_path);
    }
    VEC_FREE(&c->args);
    VEC_FREE(&c->env);
    VEC_FREE(&c->preopens);
    mem_free(c);
}

/* Copy n strings (each a + b) into `v`, replacing what it held; all or nothing. */
#define STRINGS_SET(v, n, A, B)                                                                    \
    do {                                                                                           \
        char **copies = mem_calloc((n) + 1, sizeof(char *));                                       \
        bool ok_ = copies != NULL;                                                                 \
        for (size_t i_ = 0; ok_ && i_ < (n); i_++) {                                               \
            const char *a_ = (A), *b_ = (B);                                                       \
            size_t la = strlen(a_), lb = b_ ? strlen(b_) + 1 : 0;                                  \
            ok_ = (copies[i_] = mem_alloc(la + lb + 1)) != NULL;                                   \
            if (ok_) {                                                                             \
                memcpy(copies[i_], a_, la);                                                        \
                if (b_)                                                                            \
                    copies[i_][la] = '=', memcpy(copies[i_] + la + 1, b_, lb - 1);                 \
                copies[i_][la + lb] = '\0';                                                        \
            }                                                                                      \
        }                                                                                          \
        if (!ok_) {                                                                                \
            if (copies)                                                                            \
                strings_free(copies, (n));                                                         \
            mem_free(copies);                                                                      \
            return false;                                                                          \
        }                                                                                          \
        strings_free((v)->data, (v)->len);                                                         \
        mem_free((v)->data);                                                                       \
        (v)->data = copies;                                                                        \
        (v)->len = (v)->cap = (n);                                                                 \
    } while (0)

bool wasmc_wasi_config_set_argv(wasmc_wasi_config_t *c, size_t argc, const char *const argv[]) {
    if (!c || (argc && !argv))
        return false;
    STRINGS_SET(&c->args, argc, argv[i_], NULL);
    return true;
}

bool wasmc_wasi_config_set_env(wasmc_wasi_config_t *c, size_t n, const char *const names[],
                               const char *const values[]) {
    if (!c || (n && (!names || !values)))
        return false;
    STRINGS_SET(&c->env, n, names[i_], values[i_]);
    c->inherit_env = false;
    return true;
}

void wasmc_wasi_config_inherit_env(wasmc_wasi_config_t *c) {
    if (c)
        c->inherit_env = true;
}

bool wasmc_wasi_config_preopen_dir(wasmc_wasi_config_t *c, const char *host_path,
                                   const char *guest_path, bool read_only) {
    if (!c || !host_path || !guest_path)
        return false;
    WasiPreopen p = {mem_strndup(host_path, strlen(host_path)),
                     mem_strndup(guest_path, strlen(guest_path)), read_only};
    if (!p.host_path || !p.guest_path || !VEC_PUSH(&c->preopens, p)) {
        mem_free((char *)p.host_path);
        mem_free((char *)p.guest_path);
        return false;
    }
    return true;
}

void wasmc_wasi_config_set_stdin_fd(wasmc_wasi_config_t *c, int fd) {
    if (c)
        c->stdio[0] = fd;
}

void wasmc_wasi_config_set_stdout_fd(wasmc_wasi_config_t *c, int fd) {
    if (c)
        c->stdio[1] = fd;
}

void wasmc_wasi_config_set_stderr_fd(wasmc_wasi_config_t *c, int fd) {
    if (c)
        c->stdio[2] = fd;
}

void wasmc_wasi_config_inherit_stdio(wasmc_wasi_config_t *c) {
    if (c)
        c->stdio[0] = 0, c->stdio[1] = 1, c->stdio[2] = 2;
}

static void wasi_config_of(const wasmc_wasi_config_t *c, WasiConfig *out) {
    wasi_config_default(out);
    out->args = (const char *const *)c->args.data;
    out->n_args = (uint32_t)c->args.len;
    out->env = (const char *const *)c->env.data;
    out->n_env = (uint32_t)c->env.len;
    if (c->inherit_env) {
        uint32_t n = 0;
        while (environ && environ[n])
            n++;
        out->env = (const char *const *)environ;
        out->n_env = n;
    }
    out->preopens = c->preopens.data;
    out->n_preopens = (uint32_t)c->preopens.len;
    out->stdin_fd = c->stdio[0];
    out->stdout_fd = c->stdio[1];
    out->stderr_fd = c->stdio[2];
}

wasmc_error_t *wasmc_linker_define_wasi(wasmc_linker_t *l, wasmc_wasi_config_t *config) {
    if (!l || !config) {
        wasmc_wasi_config_delete(config);
        return api_error(ERR_USAGE, "wasmc_linker_define_wasi: NULL argument");
    }
    WasiConfig wc;
    wasi_config_of(config, &wc);
    Wasi *wasi = NULL;
    Diag diag;
    diag_clear(&diag);
    Err err = wasi_new(&wc, &wasi, &diag);
    wasmc_wasi_config_delete(config);
    if (err != OK)
        return api_error_diag(&diag);
    if (!VEC_PUSH(&l->store->wasis, wasi)) {
        wasi_delete(wasi);
        return api_error(ERR_NOMEM, "out of memory");
    }
    if (wasi_define(wasi, l->rt, l->store->rt, &diag) != OK)
        return api_error_diag(&diag);
    return NULL;
}
