/* The GC heap of a store: struct and array objects (layout in runtime.h),
 * allocation, casts, and a non-moving mark-sweep collector. Each object is its
 * own mem_alloc block, listed in `objects` and in an address set, so a word
 * can be tested for "is an object of this heap" in O(1): roots may be scanned
 * conservatively (the interpreter's frames are), object fields precisely.
 * Invariant: between collections every mark bit is 0. */
#include <pthread.h>
#include <string.h>

#include "runtime_int.h"

enum { DEFAULT_THRESHOLD = 4u << 20 };

/* What the collector and allocator need of one canonical type. */
typedef struct GcLayout {
    uint8_t kind;        /* RtGcKind */
    uint32_t size;       /* structs: the object's bytes; arrays: the element's */
    uint32_t n_refs;     /* structs: reference fields */
    uint32_t *ref_offs;  /* their offsets */
    bool elem_ref;       /* arrays: elements are references */
} GcLayout;

typedef struct Pin {
    void *ref;
    uint32_t count;
} Pin;

struct GcHeap {
    Store *store;
    VEC(RtGcObject *) objects;
    uintptr_t *set; /* open addressing over object addresses; 0 = empty */
    size_t set_cap; /* a power of two, at least twice objects.len */
    uint64_t bytes, since, threshold;
    uint64_t limit; /* rt_gc_set_limit; 0: none */
    GcLayout **layouts; /* by canonical id, built on first use */
    uint32_t n_layouts;
    VEC(Pin) pins;
    VEC(RtGcObject *) stack; /* marked objects whose fields are not traced yet */
    bool overflow;           /* the stack could not grow: rescan marked objects */
};

struct RtGcTracer {
    GcHeap *heap;
};

/* ---- types and layouts ---------------------------------------------------------------- */

uint32_t rt_gc_storage_size(ValType t) {
    switch (t.kind) {
    case VK_I8: return 1;
    case VK_I16: return 2;
    case VK_I32:
    case VK_F32: return 4;
    case VK_V128: return 16;
    default: return 8;
    }
}

uint32_t rt_gc_field_offset(const StructType *type, uint32_t index) {
    uint32_t at = RT_GC_STRUCT_FIELDS, offset = at;
    for (uint32_t i = 0; i <= index; i++)
        offset = rt_gc_field_place(&at, rt_gc_storage_size(type->fields[i].type));
    return offset;
}

uint32_t rt_gc_array_elem_size(const Engine *engine, uint32_t type) {
    return rt_gc_storage_size(mod_registry_type(engine->types, type)->array.type);
}

static GcLayout *layout_build(const SubType *st) {
    GcLayout *l = mem_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    if (st->kind == COMP_ARRAY) {
        l->kind = RT_GC_ARRAY;
        l->size = rt_gc_storage_size(st->array.type);
        l->elem_ref = st->array.type.kind == VK_REF;
        return l;
    }
    l->kind = RT_GC_STRUCT;
    uint32_t n = st->strct.n_fields, at = RT_GC_STRUCT_FIELDS;
    l->ref_offs = mem_alloc((n ? n : 1) * sizeof *l->ref_offs);
    if (!l->ref_offs) {
        mem_free(l);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        ValType t = st->strct.fields[i].type;
        uint32_t off = rt_gc_field_place(&at, rt_gc_storage_size(t));
        if (t.kind == VK_REF)
            l->ref_offs[l->n_refs++] = off;
    }
    l->size = at;
    return l;
}

static const GcLayout *layout_of(GcHeap *heap, uint32_t type) {
    if (type >= heap->n_layouts) {
        uint32_t n = mod_registry_count(heap->store->engine->types);
        if (type >= n)
            return NULL;
        GcLayout **ls = mem_realloc(heap->layouts, n * sizeof *ls);
        if (!ls)
            return NULL;
        memset(ls + heap->n_layouts, 0, (n - heap->n_layouts) * sizeof *ls);
        heap->layouts = ls;
        heap->n_layouts = n;
    }
    if (!heap->layouts[type])
        heap->layouts[type] = layout_build(mod_registry_type(heap->store->engine->types, type));
    return heap->layouts[type];
}

static uint64_t object_bytes(GcHeap *heap, const RtGcObject *obj) {
    const GcLayout *l = heap->layouts[obj->type];
    if (obj->kind == RT_GC_STRUCT)
        return l->size;
    return RT_GC_ARRAY_DATA + (uint64_t)((const RtGcArray *)obj)->length * l->size;
}

/* ---- the address set ---------------------------------------------------------------------- */

static size_t set_slot(const GcHeap *heap, uintptr_t p) {
    return (size_t)(((uint64_t)p >> 4) * 0x9e3779b97f4a7c15ull >> 20) & (heap->set_cap - 1);
}

static void set_put(GcHeap *heap, uintptr_t p) {
    size_t i = set_slot(heap, p);
    while (heap->set[i])
        i = (i + 1) & (heap->set_cap - 1);
    heap->set[i] = p;
}

static bool set_has(const GcHeap *heap, uintptr_t p) {
    if (!heap->set_cap)
        return false;
    for (size_t i = set_slot(heap, p); heap->set[i]; i = (i + 1) & (heap->set_cap - 1))
        if (heap->set[i] == p)
            return true;
    return false;
}

/* Rebuild the set from `objects` with room for `extra` more. */
static bool set_rebuild(GcHeap *heap, size_t extra) {
    size_t need = (heap->objects.len + extra) * 2, cap = 64;
    while (cap < need)
        cap *= 2;
    if (cap != heap->set_cap) {
        uintptr_t *set = mem_alloc(cap * sizeof *set);
        if (!set)
            return false;
        mem_free(heap->set);
        heap->set = set;
        heap->set_cap = cap;
    }
    memset(heap->set, 0, heap->set_cap * sizeof *heap->set);
    for (size_t i = 0; i < heap->objects.len; i++)
        set_put(heap, (uintptr_t)heap->objects.data[i]);
    return true;
}

/* ---- the heap ------------------------------------------------------------------------------ */

static void heap_free(void *obj) {
    GcHeap *heap = obj;
    for (size_t i = 0; i < heap->objects.len; i++)
        mem_free(heap->objects.data[i]);
    for (uint32_t i = 0; i < heap->n_layouts; i++)
        if (heap->layouts[i]) {
            mem_free(heap->layouts[i]->ref_offs);
            mem_free(heap->layouts[i]);
        }
    VEC_FREE(&heap->objects);
    VEC_FREE(&heap->pins);
    VEC_FREE(&heap->stack);
    mem_free(heap->layouts);
    mem_free(heap->set);
    mem_free(heap);
}

static GcHeap *heap_of(Store *store) {
    if (store->gc)
        return store->gc;
    GcHeap *heap = mem_calloc(1, sizeof *heap);
    if (!heap || !rt_store_own(store, heap, heap_free))
        return NULL;
    heap->store = store;
    heap->threshold = DEFAULT_THRESHOLD;
    store->gc = heap;
    return heap;
}

void rt_gc_set_threshold(Store *store, uint64_t bytes) {
    GcHeap *heap = heap_of(store);
    if (heap)
        heap->threshold = bytes;
}

void rt_gc_set_limit(Store *store, uint64_t max_bytes) {
    GcHeap *heap = heap_of(store);
    if (heap)
        heap->limit = max_bytes;
}

void rt_gc_stats(Store *store, uint64_t *out_objects, uint64_t *out_bytes) {
    GcHeap *heap = store->gc;
    *out_objects = heap ? heap->objects.len : 0;
    *out_bytes = heap ? heap->bytes : 0;
}

static void maybe_collect(GcHeap *heap, uint64_t size) {
    uint64_t live = heap->bytes - heap->since;
    uint64_t limit = heap->threshold && live > heap->threshold ? live : heap->threshold;
    if (heap->since + size > limit)
        rt_gc_collect(heap->store);
}

/* Room for `size` more bytes under the store's limit, collecting first when
 * that is what it takes (and allowed). */
static bool within_limit(GcHeap *heap, uint64_t size, bool may_collect) {
    if (!heap->limit || heap->bytes + size <= heap->limit)
        return true;
    if (may_collect)
        rt_gc_collect(heap->store);
    return heap->bytes + size <= heap->limit;
}

/* A zeroed object of `size` bytes, registered; NULL when memory runs out. */
static RtGcObject *heap_alloc(GcHeap *heap, uint64_t size, bool may_collect) {
    if (may_collect)
        maybe_collect(heap, size);
    if (!within_limit(heap, size, may_collect))
        return NULL;
    if ((heap->objects.len + 1) * 2 > heap->set_cap && !set_rebuild(heap, heap->objects.len + 1))
        return NULL;
    if (!VEC_RESERVE(&heap->objects, 1))
        return NULL;
    RtGcObject *obj = mem_calloc(1, (size_t)size);
    if (!obj)
        return NULL;
    heap->objects.data[heap->objects.len++] = obj;
    set_put(heap, (uintptr_t)obj);
    heap->bytes += size;
    heap->since += size;
    return obj;
}

RtGcObject *rt_gc_new_struct(Store *store, uint32_t type, bool may_collect, TrapCode *out_trap) {
    GcHeap *heap = heap_of(store);
    const GcLayout *l = heap ? layout_of(heap, type) : NULL;
    RtGcObject *obj = l ? heap_alloc(heap, l->size, may_collect) : NULL;
    if (!obj) {
        *out_trap = TRAP_ALLOCATION_TOO_LARGE;
        return NULL;
    }
    obj->type = type;
    obj->kind = RT_GC_STRUCT;
    return obj;
}

RtGcArray *rt_gc_new_array(Store *store, uint32_t type, uint64_t length, bool may_collect,
                           TrapCode *out_trap) {
    *out_trap = TRAP_ALLOCATION_TOO_LARGE;
    GcHeap *heap = heap_of(store);
    const GcLayout *l = heap ? layout_of(heap, type) : NULL;
    if (!l || length > UINT32_MAX || length * l->size > RT_GC_MAX_OBJECT_BYTES - RT_GC_ARRAY_DATA)
        return NULL;
    RtGcArray *arr = (RtGcArray *)heap_alloc(heap, RT_GC_ARRAY_DATA + length * l->size,
                                             may_collect);
    if (!arr)
        return NULL;
    arr->header.type = type;
    arr->header.kind = RT_GC_ARRAY;
    arr->length = (uint32_t)length;
    return arr;
}

/* ---- values in objects ------------------------------------------------------------------------ */

void rt_gc_store(uint8_t *at, uint32_t size, const ValRaw *v) {
    memcpy(at, v, size); /* little-endian: the low bytes are the packed value */
}

void rt_gc_load(const uint8_t *at, uint32_t size, bool sign, ValRaw *out) {
    memset(out, 0, sizeof *out);
    memcpy(out, at, size);
    if (sign && size == 1)
        out->i32 = (int8_t)out->i32;
    else if (sign && size == 2)
        out->i32 = (int16_t)out->i32;
}

/* ---- casts ------------------------------------------------------------------------------------ */

static bool is_object(const void *ref) {
    return ref && ((uintptr_t)ref & (RT_REF_I31 | RT_REF_FOREIGN)) == 0;
}

static bool concrete_test(const Engine *engine, const void *ref, uint32_t type) {
    const TypeRegistry *reg = engine->types;
    if (mod_registry_type(reg, type)->kind == COMP_FUNC)
        return mod_registry_is_subtype(reg, ((const FuncRef *)ref)->type, type);
    if (!is_object(ref))
        return false;
    return mod_registry_is_subtype(reg, ((const RtGcObject *)ref)->type, type);
}

bool rt_gc_ref_test(const Engine *engine, const void *ref, int32_t heap, bool nullable) {
    if (!ref)
        return nullable;
    if (heap >= 0)
        return concrete_test(engine, ref, (uint32_t)heap);
    switch (heap) {
    case HT_ANY:
    case HT_FUNC:
    case HT_EXTERN:
    case HT_EXN: return true;
    case HT_EQ: return rt_ref_is_i31(ref) || is_object(ref);
    case HT_I31: return rt_ref_is_i31(ref);
    case HT_STRUCT: return is_object(ref) && ((const RtGcObject *)ref)->kind == RT_GC_STRUCT;
    case HT_ARRAY: return is_object(ref) && ((const RtGcObject *)ref)->kind == RT_GC_ARRAY;
    default: return false; /* none, nofunc, noextern, noexn */
    }
}

/* ---- marking ----------------------------------------------------------------------------------- */

static void mark(GcHeap *heap, uintptr_t w) {
    if (!w || (w & RT_REF_I31))
        return;
    w &= ~RT_REF_FOREIGN;
    if (!set_has(heap, w))
        return;
    RtGcObject *obj = (RtGcObject *)w;
    if (obj->mark)
        return;
    obj->mark = 1;
    if (!VEC_PUSH(&heap->stack, obj))
        heap->overflow = true;
}

void rt_gc_trace_ref(RtGcTracer *tracer, const void *ref) {
    mark(tracer->heap, (uintptr_t)ref);
}

void rt_gc_trace_range(RtGcTracer *tracer, const void *start, const void *end) {
    uintptr_t p = ((uintptr_t)start + 7) & ~(uintptr_t)7;
    for (; p + 8 <= (uintptr_t)end; p += 8)
        mark(tracer->heap, *(const uintptr_t *)p);
}

static void trace_fields(GcHeap *heap, const RtGcObject *obj) {
    const GcLayout *l = heap->layouts[obj->type];
    const uint8_t *base = (const uint8_t *)obj;
    uintptr_t w;
    if (obj->kind == RT_GC_STRUCT) {
        for (uint32_t i = 0; i < l->n_refs; i++) {
            memcpy(&w, base + l->ref_offs[i], sizeof w);
            mark(heap, w);
        }
        return;
    }
    if (!l->elem_ref)
        return;
    uint32_t n = ((const RtGcArray *)obj)->length;
    for (uint32_t i = 0; i < n; i++) {
        memcpy(&w, base + RT_GC_ARRAY_DATA + (size_t)i * 8, sizeof w);
        mark(heap, w);
    }
}

static void drain(GcHeap *heap) {
    for (;;) {
        while (heap->stack.len)
            trace_fields(heap, VEC_POP(&heap->stack));
        if (!heap->overflow)
            return;
        /* Some marked objects were never pushed: trace every marked one again. */
        heap->overflow = false;
        for (size_t i = 0; i < heap->objects.len; i++)
            if (heap->objects.data[i]->mark)
                trace_fields(heap, heap->objects.data[i]);
    }
}

/* Tiers' frame tracers: `tier` is published (release) after `fn` is set. */
enum { MAX_TIERS = 4 };
static struct {
    _Atomic(const Tier *) tier;
    RtGcFramesFn fn;
} tiers[MAX_TIERS];
static pthread_mutex_t tiers_lock = PTHREAD_MUTEX_INITIALIZER;

void rt_gc_register_tier(const Tier *tier, RtGcFramesFn fn) {
    for (int i = 0; i < MAX_TIERS; i++)
        if (atomic_load_explicit(&tiers[i].tier, memory_order_acquire) == tier)
            return;
    pthread_mutex_lock(&tiers_lock);
    for (int i = 0; i < MAX_TIERS; i++) {
        const Tier *t = atomic_load_explicit(&tiers[i].tier, memory_order_relaxed);
        if (t == tier)
            break;
        if (!t) {
            tiers[i].fn = fn;
            atomic_store_explicit(&tiers[i].tier, tier, memory_order_release);
            break;
        }
    }
    pthread_mutex_unlock(&tiers_lock);
}

static RtGcFramesFn frames_fn(const Tier *tier) {
    for (int i = 0; tier && i < MAX_TIERS; i++)
        if (atomic_load_explicit(&tiers[i].tier, memory_order_acquire) == tier)
            return tiers[i].fn;
    return NULL;
}

static void mark_roots(GcHeap *heap, RtGcTracer *tracer) {
    Store *store = heap->store;
    for (size_t i = 0; i < store->objects.len; i++) {
        const StoreObj *so = &store->objects.data[i];
        if (so->trace_fn)
            so->trace_fn(so->obj, tracer);
    }
    for (Activation *act = rt_activation_current(); act; act = act->prev) {
        RtGcFramesFn fn = frames_fn(act->tier);
        if (fn)
            fn(act, tracer);
    }
    for (size_t i = 0; i < heap->pins.len; i++)
        mark(heap, (uintptr_t)heap->pins.data[i].ref);
}

static void sweep(GcHeap *heap) {
    size_t kept = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < heap->objects.len; i++) {
        RtGcObject *obj = heap->objects.data[i];
        if (obj->mark) {
            obj->mark = 0;
            bytes += object_bytes(heap, obj);
            heap->objects.data[kept++] = obj;
        } else {
            mem_free(obj);
        }
    }
    heap->objects.len = kept;
    heap->bytes = bytes;
    heap->since = 0;
    /* The set only shrinks in use, so rebuilding in place cannot fail. */
    memset(heap->set, 0, heap->set_cap * sizeof *heap->set);
    for (size_t i = 0; i < kept; i++)
        set_put(heap, (uintptr_t)heap->objects.data[i]);
}

void rt_gc_collect(Store *store) {
    GcHeap *heap = store->gc;
    if (!heap || !heap->objects.len)
        return;
    RtGcTracer tracer = {heap};
    mark_roots(heap, &tracer);
    drain(heap);
    sweep(heap);
}

/* ---- pins -------------------------------------------------------------------------------------- */

bool rt_gc_pin(Store *store, void *ref) {
    if (!is_object((void *)((uintptr_t)ref & ~RT_REF_FOREIGN)))
        return true;
    GcHeap *heap = heap_of(store);
    if (!heap)
        return false;
    for (size_t i = 0; i < heap->pins.len; i++)
        if (heap->pins.data[i].ref == ref) {
            heap->pins.data[i].count++;
            return true;
        }
    return VEC_PUSH(&heap->pins, ((Pin){ref, 1}));
}

void rt_gc_unpin(Store *store, void *ref) {
    GcHeap *heap = store->gc;
    for (size_t i = 0; heap && i < heap->pins.len; i++)
        if (heap->pins.data[i].ref == ref) {
            if (--heap->pins.data[i].count == 0)
                heap->pins.data[i] = heap->pins.data[--heap->pins.len];
            return;
        }
}

/* ---- roots held by store objects ----------------------------------------------------------------- */

/* Can values of reference type `t` be heap objects (any or extern hierarchy)? */
static bool may_hold_objects(const Engine *engine, ValType t) {
    if (t.kind != VK_REF)
        return false;
    if (t.heap >= 0)
        return mod_registry_type(engine->types, (uint32_t)t.heap)->kind != COMP_FUNC;
    return t.heap != HT_FUNC && t.heap != HT_NOFUNC;
}

void rt_gc_trace_table(void *table, RtGcTracer *tracer) {
    RtTable *t = table;
    if (!may_hold_objects(tracer->heap->store->engine, t->elem_type))
        return;
    for (uint64_t i = 0; i < t->size; i++)
        mark(tracer->heap, (uintptr_t)t->elems[i]);
}

void rt_gc_trace_global(void *global, RtGcTracer *tracer) {
    RtGlobal *g = global;
    if (may_hold_objects(tracer->heap->store->engine, g->type.type))
        mark(tracer->heap, (uintptr_t)g->value->ref);
}

void rt_gc_trace_instance(void *instance, RtGcTracer *tracer) {
    Instance *inst = instance;
    const Module *ir = inst->module->ir;
    const Engine *engine = tracer->heap->store->engine;
    const GlobalType *types = rt_module_impl(inst->module)->global_types;
    for (uint32_t i = ir->n_global_imports; i < ir->n_globals; i++)
        if (may_hold_objects(engine, types[i].type))
            mark(tracer->heap, (uintptr_t)vmctx_globals(inst->vmctx)[i]->ref);
    if (!inst->elem_items)
        return;
    const uint8_t *dropped = vmctx_dropped_elems(inst->vmctx);
    for (uint32_t i = 0; i < ir->n_elems; i++) {
        void **items = inst->elem_items[i];
        for (uint32_t k = 0; items && !dropped[i] && k < ir->elems[i].n_items; k++)
            mark(tracer->heap, (uintptr_t)items[k]);
    }
}

void rt_gc_trace_exn(void *exn, RtGcTracer *tracer) {
    const ExnObj *e = exn;
    for (uint32_t i = 0; i < e->n_values; i++)
        mark(tracer->heap, (uintptr_t)e->payload[i].ref);
}

/* ---- element segments evaluated once ---------------------------------------------------------------- */

static bool allocates(const ElemSegment *seg) {
    for (uint32_t k = 0; seg->exprs && k < seg->n_items; k++)
        for (uint32_t j = 0; j < seg->items[k].n_instrs; j++)
            if (op_info[seg->items[k].instrs[j].op].feature == FEAT_GC)
                return true;
    return false;
}

static void *store_calloc(Store *store, size_t n, size_t size) {
    void *p = mem_calloc(n ? n : 1, size);
    return p && rt_store_own(store, p, mem_free) ? p : NULL;
}

Err rt_gc_eval_elems(Instance *inst, Diag *diag) {
    const Module *ir = inst->module->ir;
    for (uint32_t i = 0; i < ir->n_elems; i++) {
        const ElemSegment *seg = &ir->elems[i];
        if (!allocates(seg))
            continue;
        if (!inst->elem_items &&
            !(inst->elem_items = store_calloc(inst->store, ir->n_elems, sizeof(void **))))
            return FAIL_NOMEM(diag);
        void **items = store_calloc(inst->store, seg->n_items, sizeof(void *));
        if (!items)
            return FAIL_NOMEM(diag);
        inst->elem_items[i] = items;
        for (uint32_t k = 0; k < seg->n_items; k++) {
            ValRaw v;
            TRY(rt_const_eval(inst->vmctx, &seg->items[k], &v, diag));
            items[k] = v.ref;
        }
    }
    return OK;
}

TrapCode rt_elem_items(VMContext *cx, uint32_t elem, uint64_t src, uint64_t n, void **out) {
    const ElemSegment *seg = &cx->module->ir->elems[elem];
    uint64_t len = vmctx_dropped_elems(cx)[elem] ? 0 : seg->n_items;
    if (src > len || n > len - src)
        return TRAP_TABLE_OOB;
    for (uint64_t i = 0; out && i < n; i++)
        if (rt_elem_item(cx, seg, (uint32_t)(src + i), &out[i], NULL) != OK)
            return TRAP_UNSUPPORTED;
    return TRAP_NONE;
}
