/* Reference objects (the ApiObj model of api_int.h): per-store interning,
 * retain/release, host info and finalizers, the as_ref/as_extern views,
 * foreign objects, and values crossing between wasm_val_t and raw slots.
 * Invariant: an ApiObj is freed exactly when its refcount reaches zero; the
 * store's reference to its interned objects is dropped only at store death,
 * after their finalizers ran. */
#include <stdio.h>
#include <string.h>

#include "api_int.h"

/* ---- Pointer map ----------------------------------------------------------------------- */

static size_t ptr_hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return (size_t)x;
}

static PtrMapSlot *map_slot(const PtrMap *m, const void *key) {
    size_t mask = m->cap - 1;
    for (size_t i = ptr_hash(key) & mask;; i = (i + 1) & mask)
        if (m->slots[i].key == key || !m->slots[i].key)
            return &m->slots[i];
}

static bool map_grow(PtrMap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    PtrMap bigger = {mem_calloc(cap, sizeof(PtrMapSlot)), cap, m->len};
    if (!bigger.slots)
        return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *map_slot(&bigger, m->slots[i].key) = m->slots[i];
    mem_free(m->slots);
    *m = bigger;
    return true;
}

static bool map_put(PtrMap *m, const void *key, ApiObj *obj) {
    if ((m->len + 1) * 4 > m->cap * 3 && !map_grow(m))
        return false;
    PtrMapSlot *slot = map_slot(m, key);
    if (!slot->key)
        m->len++;
    slot->key = key;
    slot->obj = obj;
    return true;
}

ApiObj *api_lookup(const wasm_store_t *store, const void *key) {
    if (!store || !key || !store->interned.cap)
        return NULL;
    PtrMapSlot *slot = map_slot(&store->interned, key);
    return slot->key ? slot->obj : NULL;
}

/* ---- Objects ----------------------------------------------------------------------------- */

ApiObj *api_obj_new(ObjKind kind) {
    ApiObj *o = mem_calloc(1, sizeof *o);
    if (o) {
        o->kind = (uint8_t)kind;
        o->refcount = 1;
    }
    return o;
}

ApiObj *api_retain(const ApiObj *obj) {
    ApiObj *o = (ApiObj *)obj;
    if (o)
        o->refcount++;
    return o;
}

void api_release(ApiObj *o) {
    if (!o || --o->refcount)
        return;
    if (o->finalizer)
        o->finalizer(o->host_info);
    if (o->kind == OBJ_MODULE)
        rt_module_release(o->u.module);
    else if (o->kind == OBJ_TRAP)
        api_trap_data_fini(&o->u.trap);
    mem_free(o);
}

static void set_key(ApiObj *o, void *key) {
    switch (o->kind) {
    case OBJ_FUNC: o->u.func = key; break;
    case OBJ_GLOBAL: o->u.global = key; break;
    case OBJ_TABLE: o->u.table = key; break;
    case OBJ_MEMORY: o->u.memory = key; break;
    case OBJ_TAG: o->u.tag = key; break;
    case OBJ_INSTANCE: o->u.instance = key; break;
    case OBJ_FOREIGN: o->u.foreign = key; break;
    default: break;
    }
}

ApiObj *api_intern(wasm_store_t *store, ObjKind kind, void *key) {
    if (!store || !key)
        return NULL;
    ApiObj *o = api_lookup(store, key);
    if (o)
        return api_retain(o);
    o = api_obj_new(kind);
    if (!o)
        return NULL;
    if (!VEC_RESERVE(&store->owned, 1) || !map_put(&store->interned, key, o)) {
        mem_free(o);
        return NULL;
    }
    o->store = store;
    set_key(o, key);
    o->refcount = 2; /* the store's and the caller's */
    VEC_PUSH(&store->owned, o);
    return o;
}

void api_store_objects_fini(wasm_store_t *store) {
    for (size_t i = store->owned.len; i-- > 0;) {
        ApiObj *o = store->owned.data[i];
        if (o->finalizer) {
            void (*fin)(void *) = o->finalizer;
            o->finalizer = NULL;
            fin(o->host_info);
        }
    }
    for (size_t i = store->owned.len; i-- > 0;) {
        ApiObj *o = store->owned.data[i];
        o->store = NULL;
        o->boxed = NULL;
        set_key(o, NULL);
        api_release(o);
    }
    VEC_FREE(&store->owned);
    mem_free(store->interned.slots);
    store->interned.slots = NULL;
    store->interned.cap = store->interned.len = 0;
}

/* ---- Reference functions of every kind ------------------------------------------------------ */

static bool is_extern_kind(const ApiObj *o) {
    return o->kind <= OBJ_TAG;
}

#define KIND_FUNC(o) ((o)->kind == OBJ_FUNC)
#define KIND_GLOBAL(o) ((o)->kind == OBJ_GLOBAL)
#define KIND_TABLE(o) ((o)->kind == OBJ_TABLE)
#define KIND_MEMORY(o) ((o)->kind == OBJ_MEMORY)
#define KIND_INSTANCE(o) ((o)->kind == OBJ_INSTANCE)
#define KIND_FOREIGN(o) ((o)->kind == OBJ_FOREIGN)
#define KIND_MODULE(o) ((o)->kind == OBJ_MODULE)
#define KIND_TRAP(o) ((o)->kind == OBJ_TRAP)
#define KIND_EXTERN(o) is_extern_kind(o)

#define REF_BASE(name)                                                                             \
    void wasm_##name##_delete(wasm_##name##_t *r) {                                                \
        api_release(api_obj(r));                                                                   \
    }                                                                                              \
    wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *r) {                                \
        return (wasm_##name##_t *)api_retain(api_obj(r));                                          \
    }                                                                                              \
    bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) {                  \
        return a == b;                                                                             \
    }                                                                                              \
    void *wasm_##name##_get_host_info(const wasm_##name##_t *r) {                                  \
        return r ? api_obj(r)->host_info : NULL;                                                   \
    }                                                                                              \
    void wasm_##name##_set_host_info(wasm_##name##_t *r, void *info) {                             \
        if (r) {                                                                                   \
            api_obj(r)->host_info = info;                                                          \
            api_obj(r)->finalizer = NULL;                                                          \
        }                                                                                          \
    }                                                                                              \
    void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *r, void *info,                \
                                                    void (*finalizer)(void *)) {                   \
        if (r) {                                                                                   \
            api_obj(r)->host_info = info;                                                          \
            api_obj(r)->finalizer = finalizer;                                                     \
        }                                                                                          \
    }

#define REF_VIEWS(name, CHECK)                                                                     \
    wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *r) {                                         \
        return (wasm_ref_t *)r;                                                                    \
    }                                                                                              \
    const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *r) {                       \
        return (const wasm_ref_t *)r;                                                              \
    }                                                                                              \
    wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                                           \
        return r && CHECK(api_obj(r)) ? (wasm_##name##_t *)r : NULL;                               \
    }                                                                                              \
    const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {                       \
        return r && CHECK(api_obj(r)) ? (const wasm_##name##_t *)r : NULL;                         \
    }

REF_BASE(ref)

#define REF_KIND(name, CHECK) REF_BASE(name) REF_VIEWS(name, CHECK)

REF_KIND(func, KIND_FUNC)
REF_KIND(global, KIND_GLOBAL)
REF_KIND(table, KIND_TABLE)
REF_KIND(memory, KIND_MEMORY)
REF_KIND(extern, KIND_EXTERN)
REF_KIND(instance, KIND_INSTANCE)
REF_KIND(foreign, KIND_FOREIGN)
REF_KIND(module, KIND_MODULE)
REF_KIND(trap, KIND_TRAP)

/* ---- Foreign objects ----------------------------------------------------------------------- */

wasm_foreign_t *wasm_foreign_new(wasm_store_t *store) {
    if (!store)
        return NULL;
    ExternObj *e = rt_extern_new(store->rt, 0);
    return e ? (wasm_foreign_t *)api_intern(store, OBJ_FOREIGN, e) : NULL;
}

/* ---- Externs --------------------------------------------------------------------------------- */

bool api_extern_of(const ApiObj *o, Extern *out) {
    memset(out, 0, sizeof *out);
    switch (o ? o->kind : OBJ_TRAP) {
    case OBJ_FUNC: out->kind = EXTERN_FUNC, out->func = o->u.func; break;
    case OBJ_GLOBAL: out->kind = EXTERN_GLOBAL, out->global = o->u.global; break;
    case OBJ_TABLE: out->kind = EXTERN_TABLE, out->table = o->u.table; break;
    case OBJ_MEMORY: out->kind = EXTERN_MEMORY, out->memory = o->u.memory; break;
    case OBJ_TAG: out->kind = EXTERN_TAG, out->tag = o->u.tag; break;
    default: return false;
    }
    return o->store && out->func; /* the union's pointer: NULL once detached */
}

ApiObj *api_extern_obj(wasm_store_t *store, const Extern *ext) {
    switch (ext->kind) {
    case EXTERN_FUNC: return api_intern(store, OBJ_FUNC, ext->func);
    case EXTERN_GLOBAL: return api_intern(store, OBJ_GLOBAL, ext->global);
    case EXTERN_TABLE: return api_intern(store, OBJ_TABLE, ext->table);
    case EXTERN_MEMORY: return api_intern(store, OBJ_MEMORY, ext->memory);
    case EXTERN_TAG: return api_intern(store, OBJ_TAG, ext->tag);
    default: return NULL;
    }
}

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e) {
    static const wasm_externkind_t kinds[] = {
        [OBJ_FUNC] = WASM_EXTERN_FUNC,     [OBJ_GLOBAL] = WASM_EXTERN_GLOBAL,
        [OBJ_TABLE] = WASM_EXTERN_TABLE,   [OBJ_MEMORY] = WASM_EXTERN_MEMORY,
        [OBJ_TAG] = WASM_EXTERN_TAG,
    };
    return e && is_extern_kind(api_obj(e)) ? kinds[api_obj(e)->kind] : WASM_EXTERN_FUNC;
}

#define EXTERN_VIEWS(name, KIND)                                                                   \
    wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) {                                   \
        return (wasm_extern_t *)x;                                                                 \
    }                                                                                              \
    const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) {                 \
        return (const wasm_extern_t *)x;                                                           \
    }                                                                                              \
    wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e) {                                     \
        return e && api_obj(e)->kind == KIND ? (wasm_##name##_t *)e : NULL;                        \
    }                                                                                              \
    const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e) {                 \
        return e && api_obj(e)->kind == KIND ? (const wasm_##name##_t *)e : NULL;                  \
    }

EXTERN_VIEWS(func, OBJ_FUNC)
EXTERN_VIEWS(global, OBJ_GLOBAL)
EXTERN_VIEWS(table, OBJ_TABLE)
EXTERN_VIEWS(memory, OBJ_MEMORY)

/* ---- Values ----------------------------------------------------------------------------------- */

void wasm_val_delete(wasm_val_t *v) {
    if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
        api_release(api_obj(v->of.ref));
        v->of.ref = NULL;
    }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
    *out = *v;
    if (wasm_valkind_is_ref(v->kind))
        api_retain(api_obj(v->of.ref));
}

static const char *kind_name(wasm_valkind_t k) {
    switch (k) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case API_V128_KIND: return "v128";
    case WASM_EXTERNREF: return "externref";
    case WASM_FUNCREF: return "funcref";
    default: return "an unknown kind";
    }
}

static bool is_func_heap(const wasm_store_t *store, int32_t heap) {
    const TypeRegistry *reg = store->engine->rt->types;
    if (heap >= 0)
        return (uint32_t)heap < mod_registry_count(reg) &&
               mod_registry_type(reg, (uint32_t)heap)->kind == COMP_FUNC;
    return heap == HT_FUNC || heap == HT_NOFUNC;
}

/* This object as an externref: foreign objects are ExternObjs already;
 * other store objects get one boxed on demand (interned, so it maps back). */
static ExternObj *as_externref(wasm_store_t *store, ApiObj *o) {
    if (o->kind == OBJ_FOREIGN)
        return o->u.foreign;
    if (o->boxed)
        return o->boxed;
    ExternObj *e = rt_extern_new(store->rt, 0);
    if (!e || !map_put(&store->interned, e, o))
        return NULL;
    o->boxed = e;
    return e;
}

static bool ref_to_raw(wasm_store_t *store, ApiObj *o, ValType type, ValRaw *out, char *why,
                       size_t why_size) {
    if (!o) {
        if (!type.nullable)
            return snprintf(why, why_size, "null reference for a non-nullable type"), false;
        return true;
    }
    if (!o->store || o->store != store)
        return snprintf(why, why_size, "reference from another (or a deleted) store"), false;
    if (is_func_heap(store, type.heap)) {
        if (o->kind != OBJ_FUNC || type.heap == HT_NOFUNC ||
            (type.heap >= 0 &&
             !mod_registry_is_subtype(store->engine->rt->types, o->u.func->type,
                                      (uint32_t)type.heap)))
            return snprintf(why, why_size, "reference is not a function of the expected type"),
                   false;
        out->ref = o->u.func;
        return true;
    }
    if (type.heap != HT_EXTERN || o->kind > OBJ_FOREIGN)
        return snprintf(why, why_size, "reference cannot be passed as this reference type"),
               false;
    out->ref = as_externref(store, o);
    if (!out->ref)
        return snprintf(why, why_size, "out of memory"), false;
    return true;
}

bool api_val_to_raw(wasm_store_t *store, const wasm_val_t *v, ValType type, ValRaw *out,
                    char *why, size_t why_size) {
    wasm_valkind_t want = api_valkind_of(type, type.kind == VK_REF && is_func_heap(store, type.heap));
    memset(out, 0, sizeof *out);
    if (v->kind != want) {
        snprintf(why, why_size, "expected %s, got %s", kind_name(want), kind_name(v->kind));
        return false;
    }
    switch (type.kind) {
    case VK_I32: out->i32 = v->of.i32; return true;
    case VK_I64: out->i64 = v->of.i64; return true;
    case VK_F32: memcpy(&out->f32, &v->of.f32, 4); return true;
    case VK_F64: memcpy(&out->f64, &v->of.f64, 8); return true;
    case VK_REF: return ref_to_raw(store, api_obj(v->of.ref), type, out, why, why_size);
    default: snprintf(why, why_size, "%s values cannot cross the C API", kind_name(want)); return false;
    }
}

static ApiObj *ref_from_raw(wasm_store_t *store, ValType type, void *p, bool *ok) {
    *ok = true;
    if (!p)
        return NULL;
    if (is_func_heap(store, type.heap))
        return api_intern(store, OBJ_FUNC, p);
    if (type.heap == HT_EXTERN || type.heap == HT_NOEXTERN) {
        ApiObj *o = api_lookup(store, p);
        return o ? api_retain(o) : api_intern(store, OBJ_FOREIGN, p);
    }
    *ok = false; /* GC references (any, eq, struct, ...) do not cross the C API */
    return NULL;
}

bool api_val_from_raw(wasm_store_t *store, ValType type, const ValRaw *raw, wasm_val_t *out) {
    bool func_heap = type.kind == VK_REF && is_func_heap(store, type.heap);
    out->kind = api_valkind_of(type, func_heap);
    out->of.i64 = 0;
    switch (type.kind) {
    case VK_I32: out->of.i32 = raw->i32; return true;
    case VK_I64: out->of.i64 = raw->i64; return true;
    case VK_F32: memcpy(&out->of.f32, &raw->f32, 4); return true;
    case VK_F64: memcpy(&out->of.f64, &raw->f64, 8); return true;
    case VK_REF: {
        bool ok;
        out->of.ref = ref_from_raw(store, type, raw->ref, &ok);
        return ok && (out->of.ref || !raw->ref);
    }
    default: return false;
    }
}
