/* Declarations shared inside the runtime layer: the Store and Instance
 * records, the runtime's private part of a compiled module, store ownership of
 * objects, constant-expression evaluation and table helpers. Nothing outside
 * src/runtime/ includes this file. */
#ifndef WASMC_RUNTIME_RUNTIME_INT_H
#define WASMC_RUNTIME_RUNTIME_INT_H

#include "runtime.h"

/* ---- Store (store.c) ---------------------------------------------------------- */

/* Something the store frees when it dies: free_fn(obj). */
typedef struct StoreObj {
    void *obj;
    void (*free_fn)(void *obj);
    void (*trace_fn)(void *obj, RtGcTracer *tracer); /* GC roots it holds, or NULL */
} StoreObj;

typedef struct GcHeap GcHeap;

/* Invariant: every object reachable from the store's instances (memories,
 * tables, globals, host funcs, extern objects, instances themselves) is in
 * `objects` and is freed exactly once, in reverse order of registration. */
struct Store {
    Engine *engine;
    int64_t fuel;            /* remaining fuel; wasm traps once it drops below zero */
    uint64_t epoch_deadline; /* TRAP_INTERRUPT once engine->epoch >= this (UINT64_MAX: never) */
    uint64_t memory_limit_pages; /* cap on new memories' maximum (UINT64_MAX: none) */
    VEC(StoreObj) objects;
    VEC(RtMemory *) memories; /* every memory of the store, for fault classification */
    GcHeap *gc;               /* created by the first GC allocation (gc_heap.c) */
};

/* Hand `obj` to the store: free_fn(obj) runs at store death. On allocation
 * failure calls free_fn(obj) at once and returns false. */
bool rt_store_own(Store *store, void *obj, void (*free_fn)(void *obj));
/* rt_store_own for an object holding references: the collector calls
 * trace_fn(obj, tracer) to find them. */
bool rt_store_own_traced(Store *store, void *obj, void (*free_fn)(void *obj),
                         void (*trace_fn)(void *obj, RtGcTracer *tracer));
/* Make room so the next n rt_store_own calls cannot fail. */
bool rt_store_reserve(Store *store, size_t n);
/* rt_store_own for a memory; also lists it in store->memories. */
bool rt_store_own_memory(Store *store, RtMemory *mem, void (*free_fn)(void *obj));

/* ---- Compiled modules (module.c) ------------------------------------------------ */

/* The runtime's private part of a compiled module; `pub` comes first so an
 * RtModule * converts with rt_module_impl. Everything here is computed once in
 * rt_module_new and read-only afterwards. */
typedef struct ModuleImpl {
    RtModule pub;
    StrMap exports;          /* export name -> index into ir->exports */
    GlobalType *global_types; /* per global, heap types canonical */
    TableType *table_types;   /* per table, heap types canonical */
    /* Layout of an instance's single allocation: Instance, then the VMContext
     * (offsets.size bytes), then RtGlobal[defined globals], RtGlobal *[all
     * globals], RtTag[defined tags]. Byte offsets from the block's start. */
    uint32_t block_vmctx, block_globals, block_global_ptrs, block_tags, block_size;
} ModuleImpl;

static inline ModuleImpl *rt_module_impl(const RtModule *module) {
    return (ModuleImpl *)module;
}

/* A heap type with concrete indices replaced by canonical ids. */
ValType rt_canon_valtype(const RtModule *module, ValType t);

/* ---- Instances (instance.c) ------------------------------------------------------ */

struct Instance {
    Store *store;
    RtModule *module;     /* retained */
    VMContext *vmctx;     /* inside this instance's block */
    RtGlobal **globals;   /* per global: the exporter's object for imports */
    void ***elem_items;   /* per element segment: its items evaluated at instantiation
                             (segments that allocate GC objects), else NULL; store-owned */
};

/* Check each import's external value against the import's type (extern_match.c).
 * ERR_LINK "incompatible import type for `m::f`: ..." on the first mismatch. */
Err rt_check_imports(const RtModule *module, const Extern *imports, Diag *diag) WARN_UNUSED;

/* ---- Constant expressions (const_eval.c) -------------------------------------------- */

/* Evaluate a constant expression in an instance's context (globals and
 * functions already set up). GC allocations here never collect; one that
 * fails is ERR_TRAP with the trap's message. */
Err rt_const_eval(VMContext *cx, const ConstExpr *expr, ValRaw *out, Diag *diag) WARN_UNUSED;

/* ---- GC roots and element segments (gc_heap.c) ------------------------------------------ */

/* Trace functions for rt_store_own_traced: an Instance, an RtTable, a host RtGlobal. */
void rt_gc_trace_instance(void *instance, RtGcTracer *tracer);
void rt_gc_trace_table(void *table, RtGcTracer *tracer);
void rt_gc_trace_global(void *global, RtGcTracer *tracer);
/* For an ExnObj: its payload values (conservatively: any word that is an object). */
void rt_gc_trace_exn(void *exn, RtGcTracer *tracer);
/* Evaluate, once, the items of every element segment whose expressions
 * allocate (spec: instantiation evaluates element segments); rt_elem_item
 * then reads them from inst->elem_items. */
Err rt_gc_eval_elems(Instance *inst, Diag *diag) WARN_UNUSED;

/* ---- Tables (table.c) ---------------------------------------------------------------- */

/* Reference item `item` of element segment `elem` (evaluated now). */
Err rt_elem_item(VMContext *cx, const ElemSegment *seg, uint32_t item, void **out,
                 Diag *diag) WARN_UNUSED;

/* ---- Host functions (host_func.c) --------------------------------------------------------- */

typedef struct HostFunc {
    FuncRef ref; /* ref.host points back here */
    Store *store;
    HostFn fn;
    void *env;
    void (*finalize)(void *env);
    uint32_t n_params, n_results;
} HostFunc;

#endif
