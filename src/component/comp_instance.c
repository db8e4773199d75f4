/* Component instances at run time: the host's import tree (CompHost), calls
 * from the host into exported functions (comp_call), dropping host-held
 * resources, and running an instantiation plan (comp_instantiate).
 * Running the plan waits for the component IR (comp_ir.h); until then
 * comp_instantiate reports ERR_UNSUPPORTED (TODO(issue 8)). */
#include <string.h>

#include "cabi.h"
#include "component.h"

/* ---- Host import tree ---------------------------------------------------------------------- */

typedef enum HostKind { HOST_FUNC, HOST_MODULE, HOST_INSTANCE } HostKind;

typedef struct HostItem {
    struct HostItem *next;
    char *name;
    HostKind kind;
    const CompFuncType *type;
    CompHostFunc fn;
    void *env;
    RtModule *module;
    CompHost *instance;
} HostItem;

struct CompHost {
    HostItem *items;
};

CompHost *comp_host_new(void) {
    return mem_calloc(1, sizeof(CompHost));
}

void comp_host_delete(CompHost *host) {
    if (!host)
        return;
    for (HostItem *it = host->items, *next; it; it = next) {
        next = it->next;
        if (it->module)
            rt_module_release(it->module);
        comp_host_delete(it->instance);
        mem_free(it->name);
        mem_free(it);
    }
    mem_free(host);
}

static HostItem *find(const CompHost *host, const char *name) {
    for (HostItem *it = host->items; it; it = it->next)
        if (strcmp(it->name, name) == 0)
            return it;
    return NULL;
}

/* A fresh item for `name`, replacing an earlier definition. */
static Err add_item(CompHost *host, const char *name, HostKind kind, HostItem **out, Diag *diag) {
    HostItem *it = find(host, name);
    if (it) {
        if (it->module)
            rt_module_release(it->module);
        comp_host_delete(it->instance);
        char *keep = it->name;
        HostItem *next = it->next;
        memset(it, 0, sizeof *it);
        it->name = keep;
        it->next = next;
    } else {
        it = mem_calloc(1, sizeof *it);
        if (it)
            it->name = mem_strndup(name, strlen(name));
        if (!it || !it->name) {
            mem_free(it);
            return FAIL_NOMEM(diag);
        }
        it->next = host->items;
        host->items = it;
    }
    it->kind = kind;
    *out = it;
    return OK;
}

Err comp_host_func(CompHost *host, const char *name, const CompFuncType *type, CompHostFunc fn,
                   void *env, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_FUNC, &it, diag));
    it->type = type;
    it->fn = fn;
    it->env = env;
    return OK;
}

Err comp_host_module(CompHost *host, const char *name, RtModule *module, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_MODULE, &it, diag));
    rt_module_retain(module);
    it->module = module;
    return OK;
}

Err comp_host_instance(CompHost *host, const char *name, CompHost **out, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_INSTANCE, &it, diag));
    it->instance = comp_host_new();
    if (!it->instance)
        return FAIL_NOMEM(diag);
    *out = it->instance;
    return OK;
}

const void *comp_host_lookup(const CompHost *host, const char *name) {
    return find(host, name);
}

/* ---- Calls from the host ----------------------------------------------------------------- */

struct CompFunc {
    CabiLifted lifted;
};

const CompFuncType *comp_func_type(const CompFunc *func) {
    return func->lifted.type;
}

typedef struct Results {
    CompValue *out;
    uint32_t n;
} Results;

static Err copy_results(void *env, CompValue *results, Trap **out_trap, Diag *diag) {
    Results *r = env;
    memcpy(r->out, results, (size_t)r->n * sizeof *results);
    return OK;
}

Err comp_call(Store *store, CompFunc *func, const CompValue *args, uint32_t n_args,
              CompValue *results, uint32_t n_results, Arena *arena, Trap **out_trap,
              Diag *diag) {
    const CompFuncType *ft = func->lifted.type;
    if (n_args != ft->n_params || n_results != ft->n_results)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET,
                    "wrong number of arguments or results: expected %u and %u", ft->n_params,
                    ft->n_results);
    for (uint32_t i = 0; i < n_args; i++)
        if (!comp_value_check(&args[i], ft->params[i].type, diag))
            return ERR_USAGE;
    Results r = {results, n_results};
    return cabi_call_lifted(store, &func->lifted, args, arena, false, copy_results, &r, out_trap,
                            diag);
}

Err comp_resource_drop(Store *store, const CompValue *own, Trap **out_trap, Diag *diag) {
    if (own->kind != CVT_OWN || !own->res.type)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "not an owned resource");
    static const CabiOpts no_opts;
    CabiCx cx = {.store = store, .opts = &no_opts, .diag = diag};
    Err err = cabi_run_dtor(&cx, own->res.type, own->res.rep);
    if (err == ERR_TRAP) {
        *out_trap = cx.trap;
        cx.trap = NULL;
    }
    return err;
}

/* ---- Instantiation ------------------------------------------------------------------------- */

Err comp_instantiate(Store *store, const Component *component, const CompHost *host,
                     CompInstance **out, Trap **out_trap, Diag *diag) {
    return FAIL(diag, ERR_UNSUPPORTED, DIAG_NO_OFFSET,
                "component instantiation is not available yet (needs the component IR)");
}

CompFunc *comp_instance_func(CompInstance *instance, const char *name) {
    return NULL;
}
