/* Stores: the owner of everything instantiated or created in them (instances,
 * memories, tables, globals, host funcs, extern objects), plus the fuel and
 * epoch-deadline state compiled code reads through the VMContext. Objects are
 * freed in reverse order of creation when the store dies. */
#include "runtime_int.h"

Err rt_store_new(Engine *engine, Store **out, Diag *diag) {
    *out = NULL;
    Store *store = mem_calloc(1, sizeof *store);
    if (!store)
        return FAIL_NOMEM(diag);
    store->engine = engine;
    store->fuel = 0;
    store->epoch_deadline = UINT64_MAX;
    store->memory_limit_pages = UINT64_MAX;
    *out = store;
    return OK;
}

void rt_store_delete(Store *store) {
    if (!store)
        return;
    for (size_t i = store->objects.len; i-- > 0;)
        store->objects.data[i].free_fn(store->objects.data[i].obj);
    VEC_FREE(&store->objects);
    VEC_FREE(&store->memories);
    mem_free(store);
}

Engine *rt_store_engine(const Store *store) {
    return store->engine;
}

void rt_store_set_fuel(Store *store, uint64_t fuel) {
    store->fuel = fuel > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)fuel;
}

uint64_t rt_store_get_fuel(const Store *store) {
    return store->fuel < 0 ? 0 : (uint64_t)store->fuel;
}

void rt_store_set_epoch_deadline(Store *store, uint64_t delta) {
    uint64_t now = atomic_load_explicit(&store->engine->epoch, memory_order_relaxed);
    store->epoch_deadline = delta > UINT64_MAX - now ? UINT64_MAX : now + delta;
}

void rt_store_set_memory_limit(Store *store, uint64_t max_bytes) {
    store->memory_limit_pages = max_bytes / RT_PAGE_SIZE;
}

bool rt_store_reserve(Store *store, size_t n) {
    return VEC_RESERVE(&store->objects, n);
}

bool rt_store_own(Store *store, void *obj, void (*free_fn)(void *obj)) {
    return rt_store_own_traced(store, obj, free_fn, NULL);
}

bool rt_store_own_traced(Store *store, void *obj, void (*free_fn)(void *obj),
                         void (*trace_fn)(void *obj, RtGcTracer *tracer)) {
    StoreObj so = {obj, free_fn, trace_fn};
    if (!VEC_PUSH(&store->objects, so)) {
        free_fn(obj);
        return false;
    }
    return true;
}

bool rt_store_own_memory(Store *store, RtMemory *mem, void (*free_fn)(void *obj)) {
    if (!VEC_RESERVE(&store->memories, 1)) {
        free_fn(mem);
        return false;
    }
    if (!rt_store_own(store, mem, free_fn))
        return false;
    store->memories.data[store->memories.len++] = mem;
    return true;
}

ExternObj *rt_extern_new(Store *store, uint64_t host_value) {
    ExternObj *obj = mem_alloc(sizeof *obj);
    if (!obj)
        return NULL;
    obj->host_value = host_value;
    return rt_store_own(store, obj, mem_free) ? obj : NULL;
}
