/* Functions: host functions made from standard callbacks (a trampoline
 * converts raw slots to wasm_val_t and back, and a callback's trap into a
 * runtime trap), their types, and calls from the host, which check arity and
 * value kinds before anything runs. */
#include <stdio.h>
#include <string.h>

#include "api_int.h"

/* ---- Host functions --------------------------------------------------------------------- */

/* What a host function made by wasm_func_new(_with_env) runs; freed with
 * the function (at store death), after the embedder's finalizer. */
typedef struct HostEnv {
    wasm_store_t *store;
    wasm_func_callback_t callback;               /* or */
    wasm_func_callback_with_env_t env_callback;
    void *env;
    void (*finalizer)(void *);
    uint32_t n_params, n_results;
    ValType *types; /* params, then results */
} HostEnv;

static void host_env_free(void *p) {
    HostEnv *h = p;
    if (h->finalizer)
        h->finalizer(h->env);
    mem_free(h->types);
    mem_free(h);
}

enum { SMALL_ARITY = 8 };

static void vals_drop(wasm_val_t *vals, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        wasm_val_delete(&vals[i]);
}

/* Results the callback wrote, back into raw slots (checked). */
static Trap *store_results(HostEnv *h, wasm_val_t *results, ValRaw *out) {
    char why[160];
    for (uint32_t i = 0; i < h->n_results; i++) {
        if (!api_val_to_raw(h->store, &results[i], h->types[h->n_params + i], &out[i], why,
                            sizeof why)) {
            char text[200];
            snprintf(text, sizeof text, "host function result %u: %s", i, why);
            return rt_trap_new(TRAP_HOST, text);
        }
    }
    return NULL;
}

static Trap *host_call(HostEnv *h, wasm_val_t *args, wasm_val_t *results, ValRaw *slots,
                       bool *out_trapped) {
    for (uint32_t i = 0; i < h->n_params; i++)
        if (!api_val_from_raw(h->store, h->types[i], &slots[i], &args[i])) {
            vals_drop(args, i);
            *out_trapped = true;
            return rt_trap_new(TRAP_HOST, "host function argument cannot cross the C API");
        }
    for (uint32_t i = 0; i < h->n_results; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].kind = api_valkind_of(h->types[h->n_params + i], false);
    }
    wasm_val_vec_t arg_vec = {h->n_params, args}, result_vec = {h->n_results, results};
    wasm_trap_t *t = h->env_callback ? h->env_callback(h->env, &arg_vec, &result_vec)
                                     : h->callback(&arg_vec, &result_vec);
    vals_drop(args, h->n_params);
    Trap *trap = t ? api_trap_to_rt(api_obj(t)) : store_results(h, results, slots);
    *out_trapped = t || trap;
    wasm_trap_delete(t);
    vals_drop(results, h->n_results);
    return trap;
}

static Trap *trampoline(void *env, Caller *caller, ValRaw *slots, uint32_t n_params,
                        uint32_t n_results) {
    (void)caller, (void)n_params, (void)n_results;
    HostEnv *h = env;
    wasm_val_t small[2 * SMALL_ARITY];
    wasm_val_t *vals = small;
    uint32_t n = h->n_params + h->n_results;
    bool trapped = false;
    Trap *trap = NULL;
    if (n > 2 * SMALL_ARITY && !(vals = mem_alloc(n * sizeof *vals)))
        trapped = true;
    else
        trap = host_call(h, vals, vals + h->n_params, slots, &trapped);
    if (vals != small)
        mem_free(vals);
    if (trapped && !trap)
        rt_trap_raise_host(NULL); /* out of memory for the trap itself: a bare host trap */
    return trap;
}

static bool host_types(HostEnv *h, const wasm_functype_t *type) {
    const wasm_valtype_vec_t *ps = wasm_functype_params(type), *rs = wasm_functype_results(type);
    h->n_params = (uint32_t)ps->size;
    h->n_results = (uint32_t)rs->size;
    h->types = mem_alloc((ps->size + rs->size + 1) * sizeof *h->types);
    if (!h->types)
        return false;
    for (size_t i = 0; i < ps->size; i++)
        h->types[i] = ps->data[i]->type;
    for (size_t i = 0; i < rs->size; i++)
        h->types[ps->size + i] = rs->data[i]->type;
    return true;
}

static wasm_func_t *host_func_new(wasm_store_t *store, const wasm_functype_t *type, HostEnv *h) {
    uint32_t canon;
    Diag diag;
    if (!host_types(h, type) ||
        rt_engine_func_type(store->engine->rt, h->types, h->n_params, h->types + h->n_params,
                            h->n_results, &canon, &diag) != OK) {
        h->finalizer = NULL; /* the embedder keeps env when creation fails */
        host_env_free(h);
        return NULL;
    }
    FuncRef *f = rt_host_func_new(store->rt, canon, trampoline, h, host_env_free);
    if (!f) {
        h->finalizer = NULL; /* env stays the embedder's */
        host_env_free(h);
        return NULL;
    }
    /* Interning may fail; the function then dies with the store all the same. */
    return (wasm_func_t *)api_intern(store, OBJ_FUNC, f);
}

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type,
                           wasm_func_callback_t callback) {
    if (!store || !type || !callback)
        return NULL;
    HostEnv *h = mem_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->store = store;
    h->callback = callback;
    return host_func_new(store, type, h);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *store, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t callback, void *env,
                                    void (*finalizer)(void *)) {
    if (!store || !type || !callback)
        return NULL;
    HostEnv *h = mem_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->store = store;
    h->env_callback = callback;
    h->env = env;
    h->finalizer = finalizer;
    return host_func_new(store, type, h);
}

/* ---- Types ------------------------------------------------------------------------------- */

static const FuncType *func_type(const wasm_func_t *func) {
    const ApiObj *o = api_obj(func);
    if (!o || o->kind != OBJ_FUNC || !o->store)
        return NULL;
    return rt_func_type(o->store->engine->rt, o->u.func);
}

wasm_functype_t *wasm_func_type(const wasm_func_t *func) {
    const FuncType *ft = func_type(func);
    return ft ? api_functype_from(ft, api_obj(func)->store->engine->rt, NULL) : NULL;
}

size_t wasm_func_param_arity(const wasm_func_t *func) {
    const FuncType *ft = func_type(func);
    return ft ? ft->n_params : 0;
}

size_t wasm_func_result_arity(const wasm_func_t *func) {
    const FuncType *ft = func_type(func);
    return ft ? ft->n_results : 0;
}

/* ---- Calls -------------------------------------------------------------------------------- */

const ApiObj *api_instance_of_func(const wasm_store_t *store, const FuncRef *func) {
    if (!func->vmctx || func->native == NULL)
        return NULL;
    return api_lookup(store, func->vmctx->instance);
}

static wasmc_error_t *check_args(wasm_store_t *store, const FuncType *ft, const wasm_val_t *args,
                                 size_t nargs, size_t nresults, ValRaw *slots) {
    if (nargs != ft->n_params)
        return api_error(ERR_USAGE, "wrong number of arguments: expected %u, got %zu",
                         ft->n_params, nargs);
    if (nresults != ft->n_results)
        return api_error(ERR_USAGE, "wrong number of results: expected %u, got %zu",
                         ft->n_results, nresults);
    char why[160];
    for (uint32_t i = 0; i < ft->n_params; i++)
        if (!api_val_to_raw(store, &args[i], ft->params[i], &slots[i], why, sizeof why))
            return api_error(ERR_USAGE, "argument %u: %s", i, why);
    return NULL;
}

static wasmc_error_t *read_results(wasm_store_t *store, const FuncType *ft, const ValRaw *slots,
                                   wasm_val_t *results) {
    for (uint32_t i = 0; i < ft->n_results; i++) {
        if (!api_val_from_raw(store, ft->results[i], &slots[i], &results[i])) {
            vals_drop(results, i);
            return api_error(ERR_UNSUPPORTED, "result %u cannot cross the C API", i);
        }
    }
    return NULL;
}

/* The call itself, slots checked and filled: OK, or a trap object in *trap. */
static wasmc_error_t *call_checked(const ApiObj *o, const FuncType *ft, ValRaw *slots,
                                   uint32_t count, wasm_val_t *results, wasm_trap_t **trap) {
    wasm_store_t *store = o->store;
    Trap *rt_trap = NULL;
    if (rt_call(store->rt, o->u.func, slots, count, &rt_trap) != OK) {
        *trap = (wasm_trap_t *)api_trap_from_rt(store, rt_trap,
                                                api_instance_of_func(store, o->u.func));
        rt_trap_delete(rt_trap);
        return *trap ? NULL : api_error(ERR_NOMEM, "out of memory");
    }
    return read_results(store, ft, slots, results);
}

wasmc_error_t *wasmc_func_call(const wasm_func_t *func, const wasm_val_t *args, size_t nargs,
                               wasm_val_t *results, size_t nresults, wasm_trap_t **trap) {
    if (trap)
        *trap = NULL;
    const FuncType *ft = func_type(func);
    if (!ft || !trap || (!args && nargs) || (!results && nresults))
        return api_error(ERR_USAGE, "wasmc_func_call: NULL, deleted or non-function argument");
    wasm_store_t *store = api_obj(func)->store;
    uint32_t count = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    ValRaw small[SMALL_ARITY];
    ValRaw *slots = count <= SMALL_ARITY ? small : mem_alloc(count * sizeof *slots);
    if (!slots)
        return api_error(ERR_NOMEM, "out of memory");
    wasmc_error_t *e = check_args(store, ft, args, nargs, nresults, slots);
    if (!e)
        e = call_checked(api_obj(func), ft, slots, count, results, trap);
    if (slots != small)
        mem_free(slots);
    return e;
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
    wasm_trap_t *trap = NULL;
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    if (!args)
        args = &none;
    if (!results)
        results = &none;
    wasmc_error_t *e =
        wasmc_func_call(func, args->data, args->size, results->data, results->size, &trap);
    if (e) {
        /* The standard has no error channel: misuse becomes a trap. */
        trap = (wasm_trap_t *)api_trap_msg("%s", e->message);
        wasmc_error_delete(e);
    }
    return trap;
}
