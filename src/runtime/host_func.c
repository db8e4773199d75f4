/* Host functions: a FuncRef whose array-call entry is the trampoline below,
 * which calls the embedder's HostFn and turns a returned trap into a raised
 * one. Nothing unwinds through host code: the HostFn has returned before the
 * trap is raised. Store-owned; `finalize(env)` runs when the store dies. */
#include "runtime_int.h"

static void host_array_call(const FuncRef *callee, VMContext *caller, ValRaw *args_results,
                            uint32_t count) {
    (void)count;
    HostFunc *hf = callee->host;
    Caller c = {caller ? caller->store : hf->store, caller};
    Trap *trap = hf->fn(hf->env, &c, args_results, hf->n_params, hf->n_results);
    if (trap)
        rt_trap_raise_host(trap);
}

static void host_func_free(void *obj) {
    HostFunc *hf = obj;
    if (hf->finalize)
        hf->finalize(hf->env);
    mem_free(hf);
}

FuncRef *rt_host_func_new(Store *store, uint32_t canon_type, HostFn fn, void *env,
                          void (*finalize)(void *env)) {
    const SubType *st = mod_registry_type(store->engine->types, canon_type);
    if (st->kind != COMP_FUNC)
        return NULL;
    /* Reserve first so that on failure env stays the caller's (no finalize). */
    if (!rt_store_reserve(store, 1))
        return NULL;
    HostFunc *hf = mem_alloc(sizeof *hf);
    if (!hf)
        return NULL;
    *hf = (HostFunc){
        .ref = {host_array_call, NULL, canon_type, UINT32_MAX, NULL, hf},
        .store = store,
        .fn = fn,
        .env = env,
        .finalize = finalize,
        .n_params = st->func.n_params,
        .n_results = st->func.n_results,
    };
    (void)rt_store_own(store, hf, host_func_free);
    return &hf->ref;
}
