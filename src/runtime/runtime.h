/* The runtime layer's public header: engine, compiled modules, stores,
 * instances, linear memories, tables, globals, func refs, host functions,
 * calls, traps and activations. Execution tiers (interp/, later jit/) plug in
 * through `Tier`; the runtime never knows which tier compiled a function.
 *
 * Ownership: an Engine is shared and thread-safe; an RtModule is immutable
 * once compiled and shared by refcount; a Store and everything instantiated in
 * it (instances, memories, tables, globals, host funcs) belong to one thread at
 * a time and die with the store. */
#ifndef WASMC_RUNTIME_RUNTIME_H
#define WASMC_RUNTIME_RUNTIME_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../module/module.h"

/* ---- Values ------------------------------------------------------------------ */

/* One value at the boundaries (array-call ABI, globals): 16 bytes, any type.
 * References are pointer-sized words: a funcref is a FuncRef*, an externref
 * made by the host an ExternObj*, null is NULL; GC references and the other
 * forms are under "GC references" below. */
typedef union ValRaw {
    int32_t i32;
    int64_t i64;
    uint32_t f32; /* bit pattern */
    uint64_t f64; /* bit pattern */
    uint8_t v128[16];
    void *ref;
    uint64_t u64[2];
} ValRaw;
_Static_assert(sizeof(ValRaw) == 16, "ValRaw is one 16-byte slot");

/* ---- Traps ------------------------------------------------------------------- */

typedef enum TrapCode {
    TRAP_NONE = 0,
#define TRAP(name, text) TRAP_##name,
#include "traps.def"
#undef TRAP
    TRAP_COUNT
} TrapCode;

/* The spec's message for a trap code ("out of bounds memory access", ...). */
const char *rt_trap_message(TrapCode code);

typedef struct TrapFrame {
    uint32_t func_index;   /* in its module's function index space */
    const char *func_name; /* from the name section, or NULL */
    uint32_t code_offset;  /* byte offset of the instruction in the module binary */
    const char *module_name;
} TrapFrame;

typedef struct ExnObj ExnObj;

/* A trap: its code, an optional message (host traps), and the wasm backtrace,
 * innermost frame first. Owned by whoever receives it (rt_trap_delete).
 * TRAP_UNCAUGHT_EXCEPTION is how a wasm exception nobody caught leaves
 * rt_call: `exn` is the exception (store-owned, not the trap's; NULL only if
 * the trap could not be allocated). Other codes have exn == NULL. */
typedef struct Trap {
    TrapCode code;
    char *message; /* NULL unless the trap came from a host function with a message */
    uint32_t n_frames;
    TrapFrame *frames;
    ExnObj *exn;
} Trap;

Trap *rt_trap_new(TrapCode code, const char *message);
void rt_trap_delete(Trap *trap);
/* Append one frame (for Tier.backtrace); frames are mem_alloc'd and freed by
 * rt_trap_delete. False on allocation failure (the trap stays valid). */
bool rt_trap_push_frame(Trap *trap, const TrapFrame *frame);
/* The trap's message: its own message if any, else rt_trap_message(code). */
const char *rt_trap_text(const Trap *trap);

/* ---- Engine ------------------------------------------------------------------ */

typedef struct RtModule RtModule;
typedef struct Store Store;
typedef struct Instance Instance;
typedef struct VMContext VMContext;
typedef struct FuncRef FuncRef;
typedef struct Activation Activation;
typedef struct RtGcTracer RtGcTracer;

/* An execution tier: compiles a validated module's functions and walks its
 * own frames for backtraces. Provided by interp/ (and later jit/) and handed to
 * the engine through EngineConfig, so the runtime depends on no tier. */
typedef struct Tier {
    const char *name;
    /* Fill module->funcs[i].array_call / .native for every defined function and
     * module->tier_data. On failure, frees what it allocated (release is not
     * called then). */
    Err (*compile)(RtModule *module, Diag *diag);
    void (*release)(RtModule *module);
    /* Append this tier's frames of `act` (innermost first) to trap->frames. */
    void (*backtrace)(const Activation *act, Trap *trap);
} Tier;

typedef struct EngineConfig {
    const Tier *tier;           /* required */
    uint64_t max_wasm_stack;    /* bytes of wasm stack per activation (default 1 MiB) */
    bool consume_fuel;          /* compile fuel metering in; stores start with 0 fuel */
    bool epoch_interruption;    /* compile epoch checks in */
    bool memory_reservation;    /* reserve 4 GiB + guard for 32-bit memories (default on) */
    uint64_t memory_guard_size; /* bytes of guard after a reservation (default and minimum:
                                   RT_MEMORY_GUARD_MIN) */
    bool nan_canonicalization;  /* every NaN that arithmetic computes (op_nan_canon) is the
                                   canonical one, on every tier (default off) */
    uint32_t compile_threads;   /* threads compiling one module's functions (tiers that
                                   compile in parallel); 0: one per online CPU, at most 8 */
    bool perf_map;              /* tiers that compile to native code append each function's
                                   address, size and name to /tmp/perf-PID.map (perf's JIT
                                   symbol file; default off) */
} EngineConfig;

void rt_engine_config_default(EngineConfig *cfg);

typedef struct Engine {
    EngineConfig config;
    TypeRegistry *types;
    _Atomic uint64_t epoch;
} Engine;

/* *out owned by the caller (rt_engine_delete, after every store and module). */
Err rt_engine_new(const EngineConfig *cfg, Engine **out, Diag *diag) WARN_UNUSED;
void rt_engine_delete(Engine *engine);
void rt_engine_increment_epoch(Engine *engine);

/* Canonical id of a function type (for host functions), registered engine-wide. */
Err rt_engine_func_type(Engine *engine, const ValType *params, uint32_t n_params,
                        const ValType *results, uint32_t n_results, uint32_t *out_canon,
                        Diag *diag) WARN_UNUSED;

/* ---- Compiled modules --------------------------------------------------------- */

typedef struct VMContext VMContext;

/* The array-call entry of a function: arguments in args_results[0..n_params),
 * results written to args_results[0..n_results); `count` is the array's length,
 * max(n_params, n_results). A trap does not return: it longjmps to the
 * innermost activation (rt_trap_raise). */
typedef void (*ArrayCallFn)(const FuncRef *callee, VMContext *caller, ValRaw *args_results,
                            uint32_t count);

typedef struct TierFunc {
    ArrayCallFn array_call; /* entry for host->wasm and generic callers */
    void *native;           /* the tier's own handle for fast wasm->wasm calls */
} TierFunc;

/* Byte offsets of the VMContext's variable parts, computed once per module
 * (rt_vmoffsets_compute). Compiled code and the interpreter read fields at
 * these offsets; nothing else about the layout is assumed. */
typedef struct VMOffsets {
    uint32_t memories;        /* RtMemory *[n_memories] */
    uint32_t tables;          /* RtTable *[n_tables] */
    uint32_t globals;         /* ValRaw *[n_globals]: each global's storage */
    uint32_t funcs;           /* FuncRef *[n_funcs] */
    uint32_t tags;            /* RtTag *[n_tags] */
    uint32_t func_storage;    /* FuncRef[n_funcs - n_func_imports] */
    uint32_t global_storage;  /* ValRaw[n_globals - n_global_imports] */
    uint32_t dropped_elems;   /* uint8_t[n_elems]: 1 once dropped */
    uint32_t dropped_datas;   /* uint8_t[n_datas] */
    uint32_t size;            /* total bytes */
} VMOffsets;

struct RtModule {
    _Atomic uint32_t refcount;
    Engine *engine;
    Module *ir;               /* validated; owned */
    uint32_t *canon_types;    /* canonical id per type index */
    VMOffsets offsets;
    TierFunc *funcs;          /* per defined function (index - n_func_imports) */
    void *tier_data;
};

/* Decode, validate and compile. `bytes` is not kept. */
Err rt_module_new(Engine *engine, const uint8_t *bytes, size_t len, RtModule **out,
                  Diag *diag) WARN_UNUSED;
/* Validate (if not yet) and compile an IR; takes ownership of `ir` (also on failure). */
Err rt_module_from_ir(Engine *engine, Module *ir, RtModule **out, Diag *diag) WARN_UNUSED;
void rt_module_retain(RtModule *module);
void rt_module_release(RtModule *module);

/* ---- Memories, tables, globals, tags, func refs ------------------------------- */

#define RT_PAGE_SIZE 65536u

/* A linear memory. With a reservation (32-bit memories, reservation on), every
 * i32 address plus a u32 offset lands inside [base, base + reserved): loads and
 * stores need no bounds check and out-of-bounds accesses fault on guard pages.
 *
 * Guarded (rt_memory_guarded: 32-bit and EngineConfig.memory_reservation):
 * reserved = 4 GiB + guard, guard = max(memory_guard_size, RT_MEMORY_GUARD_MIN),
 * so base + (uint64_t)addr + offset + width - 1 with u32 addr and u32 offset is
 * always inside the reservation: the tier emits no bounds check at all, and an
 * access at or past `length` faults and becomes TRAP_MEM_OOB (signals.c).
 * `base` never moves. Not guarded (memory64, or reservation off): `length`
 * bytes are mapped exactly and the tier checks every access explicitly
 * (addr + offset + width <= length, without overflow); `base` may MOVE on grow,
 * so reload base/length after memory.grow and after any call. Shared memories
 * never move. Contents start zeroed. Memories are store-owned. */
typedef struct RtMemory {
    uint8_t *base;
    uint64_t length;    /* bytes accessible: pages * RT_PAGE_SIZE */
    uint64_t max_pages; /* the type's maximum, capped by the implementation */
    uint64_t reserved;  /* bytes of address space reserved at base (incl. guard) */
    bool is64;
    bool guarded;       /* accesses need no explicit bounds check */
    bool shared;
    MemType type;
} RtMemory;

/* Grow by delta pages; on success *out_old is the previous size in pages.
 * Failure (limit, out of memory) is reported as false, never an abort. */
bool rt_memory_grow(RtMemory *mem, uint64_t delta, uint64_t *out_old);

/* Guard region after the 4 GiB of a guarded memory, at least: covers any u32
 * offset plus a 16-byte access past any u32 address. */
#define RT_MEMORY_GUARD_MIN ((UINT64_C(4) << 30) + RT_PAGE_SIZE)
/* Whether memories of `type` are guarded under `cfg` (a pure function, so a
 * tier may decide at compile time; equals RtMemory.guarded). */
static inline bool rt_memory_guarded(const EngineConfig *cfg, const MemType *type) {
    return cfg->memory_reservation && !type->is64;
}
/* Implementation limits on memory size, in pages. */
#define RT_MEMORY32_MAX_PAGES (UINT64_C(1) << 16)
#define RT_MEMORY64_MAX_PAGES (UINT64_C(1) << 32) /* 2^48 bytes */

/* Create a memory for instantiation (rt_memory_new uses it too): mapped per the
 * store's engine config, zeroed, owned by the store (rt_store_own_memory) and
 * unmapped when it dies. ERR_LIMIT when the minimum exceeds the implementation
 * limit or the address space cannot be reserved/committed (too many memories),
 * ERR_NOMEM. Never aborts. */
Err rt_memory_create(Store *store, MemType type, RtMemory **out, Diag *diag) WARN_UNUSED;
/* Bytes of address space held by the live memories of the process. (Up to 16
 * released guarded reservations are kept, zeroed, for reuse and not counted.) */
uint64_t rt_memory_reserved_bytes(void);

typedef struct RtTable {
    void **elems;       /* references: FuncRef *, ExternObj *, ... ; NULL = null */
    uint64_t size, max;
    ValType elem_type;  /* heap type canonicalized: concrete indices are canonical ids */
    bool is64;
    TableType type;
} RtTable;

/* Implementation limit on table size, in elements: larger minimums fail to
 * instantiate (ERR_LIMIT) and growth past it fails. */
#define RT_TABLE_MAX_ELEMS 10000000u

/* Grow by delta elements set to `init`; on success *out_old is the previous
 * size. Failure (the type's maximum, RT_TABLE_MAX_ELEMS, out of memory) is
 * false, never an abort. */
bool rt_table_grow(RtTable *table, uint64_t delta, void *init, uint64_t *out_old);
/* table.init: copy items [src, src + n) of element segment `elem` (items
 * evaluated now; a dropped segment has none) into table `table` at dst, both
 * indices in cx's module. TRAP_NONE, or TRAP_TABLE_OOB with nothing written. */
TrapCode rt_table_init(VMContext *cx, uint32_t table, uint32_t elem, uint64_t dst, uint64_t src,
                       uint64_t n);

typedef struct RtGlobal {
    ValRaw *value;      /* storage (inside the owning VMContext for defined globals) */
    GlobalType type;
    ValRaw own_value;   /* storage for host-created globals */
} RtGlobal;

/* A tag. Its identity is this object (never its type): a catch matches an
 * exception whose `tag` is the same RtTag *, whatever module imports it. */
typedef struct RtTag {
    uint32_t canon_type; /* canonical id of the tag's function type */
} RtTag;

/* An exception (what a non-null exnref points to): its tag and payload, one
 * ValRaw per parameter of the tag's function type. Store-owned: freed when
 * the store dies (not collected yet). Tiers allocate them with rt_exn_new
 * and compare tags by pointer. */
struct ExnObj {
    RtTag *tag;
    uint32_t n_values;
    ValRaw payload[];
};

/* A new exception of `tag` with n_values zeroed payload values, owned by the
 * store. NULL on allocation failure (tiers trap: TRAP_ALLOCATION_TOO_LARGE). */
ExnObj *rt_exn_new(Store *store, RtTag *tag, uint32_t n_values);

/* A function reference. Compared and called through one record, whatever the
 * tier or host behind it. `type` is the canonical type id, so call_indirect's
 * type check is one integer comparison (plus a subtype walk when unequal). */
struct FuncRef {
    ArrayCallFn array_call;
    void *native;      /* TierFunc.native for wasm functions; NULL for host functions */
    uint32_t type;     /* canonical type id */
    uint32_t func_index;
    VMContext *vmctx;  /* the owning instance (wasm) */
    void *host;        /* HostFunc * for host functions */
};

/* An externref's referent: host data boxed in the store. */
typedef struct ExternObj {
    uint64_t host_value;
} ExternObj;

/* ---- VM context ---------------------------------------------------------------- */

/* Each instance's context block: this fixed header followed by the variable
 * parts at the module's VMOffsets. Read by compiled code and the interpreter. */
struct VMContext {
    Instance *instance;
    Store *store;
    const RtModule *module;
    const uint32_t *canon_types; /* = module->canon_types */
    int64_t *fuel;               /* -> store->fuel; remaining fuel goes below zero to trap */
    const uint64_t *epoch_deadline;
    _Atomic uint64_t *engine_epoch;
};

#define VMCTX_AT(vmctx, offset, type) ((type)((uint8_t *)(vmctx) + (offset)))
static inline RtMemory **vmctx_memories(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.memories, RtMemory **);
}
static inline RtTable **vmctx_tables(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.tables, RtTable **);
}
static inline ValRaw **vmctx_globals(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.globals, ValRaw **);
}
static inline FuncRef **vmctx_funcs(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.funcs, FuncRef **);
}
static inline RtTag **vmctx_tags(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.tags, RtTag **);
}
static inline uint8_t *vmctx_dropped_elems(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.dropped_elems, uint8_t *);
}
static inline uint8_t *vmctx_dropped_datas(VMContext *cx) {
    return VMCTX_AT(cx, cx->module->offsets.dropped_datas, uint8_t *);
}

void rt_vmoffsets_compute(const Module *ir, VMOffsets *out);

/* ---- Stores and instances ------------------------------------------------------ */

Err rt_store_new(Engine *engine, Store **out, Diag *diag) WARN_UNUSED;
void rt_store_delete(Store *store);
Engine *rt_store_engine(const Store *store);
/* Fuel (only meaningful with EngineConfig.consume_fuel). */
void rt_store_set_fuel(Store *store, uint64_t fuel);
uint64_t rt_store_get_fuel(const Store *store);
/* Trap with TRAP_INTERRUPT once the engine epoch reaches now + delta. */
void rt_store_set_epoch_deadline(Store *store, uint64_t delta);
/* Limit every linear memory created in the store from now on to max_bytes
 * (rounded down to whole pages): growing past it fails (memory.grow returns
 * -1) and creating one whose minimum is larger fails with ERR_LIMIT. Default:
 * no limit beyond the type's and the implementation's. */
void rt_store_set_memory_limit(Store *store, uint64_t max_bytes);

/* An external value: what imports and exports carry. */
typedef struct Extern {
    uint8_t kind; /* ExternKind */
    union {
        FuncRef *func;
        RtTable *table;
        RtMemory *memory;
        RtGlobal *global;
        RtTag *tag;
    };
} Extern;

/* Instantiate in the spec's order: check imports (ERR_LINK "unknown import" is
 * the linker's; here "incompatible import type"), allocate the VMContext,
 * initialize globals, tables, memories, then active element and data segments
 * in order, drop declarative ones, run the start function. A trap during
 * segment initialization or start returns ERR_TRAP with *out_trap set; writes
 * already made stay (memories/tables may be shared). *out is owned by the store. */
Err rt_instantiate(Store *store, RtModule *module, const Extern *imports, uint32_t n_imports,
                   Instance **out, Trap **out_trap, Diag *diag) WARN_UNUSED;
/* Look up an export by name; false if absent. */
bool rt_instance_export(Instance *instance, const char *name, size_t len, Extern *out);
VMContext *rt_instance_vmctx(Instance *instance);

/* Host-created objects (owned by the store). NULL on allocation failure. */
RtMemory *rt_memory_new(Store *store, MemType type);
RtTable *rt_table_new(Store *store, TableType type, void *init);
RtGlobal *rt_global_new(Store *store, GlobalType type, ValRaw value);
ExternObj *rt_extern_new(Store *store, uint64_t host_value);

/* ---- Linker --------------------------------------------------------------------- */

/* Names ("module", "field") -> external values, for resolving imports. Not
 * tied to a store, but the externs it holds are: instantiate only into the
 * store they came from. Names are copied; lengths are in bytes. */
typedef struct Linker Linker;

Linker *rt_linker_new(void); /* NULL on allocation failure */
void rt_linker_delete(Linker *linker);
/* Define (or redefine: the new value replaces the old) module::field. */
Err rt_linker_define(Linker *linker, const char *module, size_t module_len, const char *field,
                     size_t field_len, Extern ext, Diag *diag) WARN_UNUSED;
/* Define every export of `instance` under `module`. */
Err rt_linker_define_instance(Linker *linker, const char *module, size_t module_len,
                              Instance *instance, Diag *diag) WARN_UNUSED;
bool rt_linker_get(const Linker *linker, const char *module, size_t module_len, const char *field,
                   size_t field_len, Extern *out);
/* Resolve the module's imports in order (ERR_LINK "unknown import: `m::f` has
 * not been defined" for the first missing one) and rt_instantiate. */
Err rt_linker_instantiate(const Linker *linker, Store *store, RtModule *module, Instance **out,
                          Trap **out_trap, Diag *diag) WARN_UNUSED;

/* ---- Host functions and calls --------------------------------------------------- */

typedef struct Caller {
    Store *store;
    VMContext *vmctx; /* the calling instance, or NULL when called from the host */
} Caller;

/* A host function: reads args_results[0..n_params), writes results to
 * args_results[0..n_results); returns NULL or a trap (ownership passes). */
typedef Trap *(*HostFn)(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                        uint32_t n_results);

/* canon_type: from rt_engine_func_type. `finalize(env)` runs when the store dies. */
FuncRef *rt_host_func_new(Store *store, uint32_t canon_type, HostFn fn, void *env,
                          void (*finalize)(void *env));

/* Call a function from the host: args in args_results[0..n_params), results in
 * args_results[0..n_results) (the array holds max of the two). Returns OK, or
 * ERR_TRAP with *out_trap (wasm trap or host trap, with backtrace; never NULL,
 * even when memory runs out). Re-entrant: a host function called from wasm may
 * call rt_call again; when the C stack is nearly used up (below min(128 KiB, a
 * quarter of the thread's stack) from its end) the entry itself traps with
 * TRAP_STACK_OVERFLOW. The first call on a thread installs the fault handler
 * (once per process) and a signal stack for the thread. */
Err rt_call(Store *store, const FuncRef *func, ValRaw *args_results, uint32_t count,
            Trap **out_trap) WARN_UNUSED;

/* The canonical function type of a func ref. */
const FuncType *rt_func_type(Engine *engine, const FuncRef *func);

/* ---- Activations (for tiers) -------------------------------------------------------- */

/* Pushed by rt_call for each host->wasm entry on this thread.
 *
 * What a tier must do (call.c, trap.c and signals.c rely on it):
 * - At entry (its array_call) take act = rt_activation_current() and keep
 *   act->tier_frames pointing at its innermost wasm frame while wasm runs.
 * - Before any instruction that can trap or fault — memory accesses on guarded
 *   memories especially, calls, and anything calling rt_trap_raise — store the
 *   current instruction position in that frame, so Tier.backtrace (which reads
 *   only act->tier_frames) names the exact instruction.
 * - Frames must live outside the C stack (the interpreter's own wasm stack):
 *   after a guard-page fault the backtrace is taken once the signal handler has
 *   unwound to rt_call (no malloc in a handler), so the tier's C frames are gone
 *   by then. Per-entry resources must be reachable from the store or thread,
 *   not freed on return only: a trap unwinds without running any tier code.
 * - Wasm->wasm calls do not recurse on the C stack (bounded by max_wasm_stack,
 *   TRAP_STACK_OVERFLOW); any C recursion (calling a FuncRef's array_call from
 *   wasm) first checks rt_c_stack_exhausted(act) and raises TRAP_STACK_OVERFLOW.
 * - Traps: rt_trap_raise(code); a host function's trap: rt_trap_raise_host.
 *   (Alternatively the entry rt_call called may set act->trap_code and return:
 *   rt_call reports it the same way.) Tier.backtrace must add frames with
 *   rt_trap_push_frame only.
 * - A fault in a guarded memory's reservation while an activation is live is
 *   a trap even from host code called by wasm (the handler cannot tell them
 *   apart), so host functions bounds-check their own accesses.
 * - Fuel: *vmctx->fuel -= cost; once it drops below zero, TRAP_OUT_OF_FUEL.
 *   Epochs: at function entry and loop headers, if atomic_load_explicit(
 *   vmctx->engine_epoch, memory_order_relaxed) >= *vmctx->epoch_deadline,
 *   TRAP_INTERRUPT. Both only when compiled in (EngineConfig). */
struct Activation {
    Activation *prev;
    Store *store;
    sigjmp_buf resume;        /* where a trap lands */
    Trap *trap;               /* the trap being raised (NULL: build from trap_code) */
    uintptr_t c_stack_limit;  /* lowest usable C stack address for this activation */
    void *tier_frames;        /* the tier's innermost frame, for backtraces */
    const Tier *tier;
    TrapCode trap_code;       /* the code being raised (set before unwinding) */
};

/* True when the C stack is too low to enter more host or wasm code. */
static inline bool rt_c_stack_exhausted(const Activation *act) {
    return (uintptr_t)__builtin_frame_address(0) < act->c_stack_limit;
}

/* The innermost activation of this thread, or NULL outside wasm. */
Activation *rt_activation_current(void);

/* Raise a trap from wasm code: capture the backtrace, unwind to the innermost
 * activation. Never returns. */
_Noreturn void rt_trap_raise(TrapCode code);
/* The same, naming the element at fault in the message ("uninitialized element
 * 2", as the spec's reference interpreter words it). */
_Noreturn void rt_trap_raise_index(TrapCode code, uint64_t index);
/* Raise a trap a host function returned (takes ownership). Never returns. */
_Noreturn void rt_trap_raise_host(Trap *trap);

/* ---- GC references and heap objects (gc_heap.c) ------------------------------------ */

/* Reference encoding, the same in every tier: a reference is one pointer-sized
 * word, NULL for null in every hierarchy.
 * - funcref: a FuncRef *.
 * - i31ref: (value << 1) | RT_REF_I31, never allocated; it stays an i31 in
 *   both the any and the extern hierarchy.
 * - anyref to a struct or array: its RtGcObject * (8-aligned, low bits 00).
 * - anyref to a host object (any.convert_extern of an ExternObj):
 *   ExternObj * | RT_REF_FOREIGN.
 * - externref: an ExternObj * (low bits 00), an i31, or (extern.convert_any of
 *   a struct/array) RtGcObject * | RT_REF_FOREIGN.
 * So any.convert_extern and extern.convert_any are one operation: flip
 * RT_REF_FOREIGN of a non-null non-i31 word (rt_ref_convert); both round
 * trips give back the identical word. Hosts see only ExternObj * in
 * externrefs they made themselves. */
#define RT_REF_I31 ((uintptr_t)1)
#define RT_REF_FOREIGN ((uintptr_t)2)

static inline void *rt_ref_convert(void *ref) {
    uintptr_t w = (uintptr_t)ref;
    return w && !(w & RT_REF_I31) ? (void *)(w ^ RT_REF_FOREIGN) : ref;
}
static inline void *rt_i31_new(uint32_t value) {
    return (void *)(((uintptr_t)(value & 0x7fffffffu) << 1) | RT_REF_I31);
}
static inline bool rt_ref_is_i31(const void *ref) {
    return ((uintptr_t)ref & RT_REF_I31) != 0;
}
static inline uint32_t rt_i31_get_u(const void *ref) {
    return (uint32_t)((uintptr_t)ref >> 1) & 0x7fffffffu;
}
static inline int32_t rt_i31_get_s(const void *ref) {
    return (int32_t)(rt_i31_get_u(ref) << 1) >> 1;
}

/* Heap objects. Every struct and array starts with this 8-byte header; struct
 * fields follow at RT_GC_STRUCT_FIELDS (offsets from rt_gc_field_offsets, a
 * pure function of the type, so a tier computes them at compile time); an
 * array has its length at RT_GC_ARRAY_LENGTH and its elements, packed at their
 * storage size, from RT_GC_ARRAY_DATA. Values are stored at their storage
 * size (i8, i16: 1, 2 bytes; i32/f32: 4; i64/f64/references: 8; v128: 16),
 * little-endian, unaligned accesses allowed (tiers use memcpy-like loads).
 * Objects never move. */
typedef enum RtGcKind { RT_GC_STRUCT = 1, RT_GC_ARRAY = 2 } RtGcKind;

typedef struct RtGcObject {
    uint32_t type;     /* canonical type id */
    uint8_t kind;      /* RtGcKind */
    uint8_t mark;      /* the collector's */
    uint16_t reserved;
} RtGcObject;

typedef struct RtGcArray {
    RtGcObject header;
    uint32_t length;
    uint32_t reserved;
} RtGcArray;

#define RT_GC_STRUCT_FIELDS 8u
#define RT_GC_ARRAY_LENGTH 8u
#define RT_GC_ARRAY_DATA 16u
/* The largest object (header included) an allocation may ask for; larger ones
 * trap with TRAP_ALLOCATION_TOO_LARGE. */
#define RT_GC_MAX_OBJECT_BYTES (UINT64_C(1) << 30)

/* Bytes a value of storage type `t` takes in an object (VK_I8 ... VK_V128, VK_REF). */
uint32_t rt_gc_storage_size(ValType t);
/* Struct layout: fields in order from RT_GC_STRUCT_FIELDS, each aligned to
 * min(size, 8). Place the next field of `size` bytes: returns its offset and
 * advances *at (start with *at = RT_GC_STRUCT_FIELDS; the final *at is the
 * object's size). */
static inline uint32_t rt_gc_field_place(uint32_t *at, uint32_t size) {
    uint32_t align = size < 8 ? size : 8;
    uint32_t offset = (*at + align - 1) & ~(align - 1);
    *at = offset + size;
    return offset;
}
/* The offset of field `index` of a struct type (concrete heap types canonical or not). */
uint32_t rt_gc_field_offset(const StructType *type, uint32_t index);

/* Allocation. Both may collect first when `may_collect` (the caller's
 * references are all visible to the collector: in tier frames, globals,
 * tables, or pinned); const-expression evaluation passes false. Fields and
 * elements start zeroed (null / 0). NULL with *out_trap set on failure
 * (TRAP_ALLOCATION_TOO_LARGE, also when memory runs out). `type` is a
 * canonical struct / array type id. */
RtGcObject *rt_gc_new_struct(Store *store, uint32_t type, bool may_collect, TrapCode *out_trap);
RtGcArray *rt_gc_new_array(Store *store, uint32_t type, uint64_t length, bool may_collect,
                           TrapCode *out_trap);

/* Storage size of canonical array type `type`'s elements. */
uint32_t rt_gc_array_elem_size(const Engine *engine, uint32_t type);
/* Write / read field or element storage from / to a ValRaw (packed values are
 * truncated on write; reads zero-extend, `sign` sign-extends packed ones). */
void rt_gc_store(uint8_t *at, uint32_t size, const ValRaw *v);
void rt_gc_load(const uint8_t *at, uint32_t size, bool sign, ValRaw *out);

/* Items [src, src + n) of element segment `elem` of cx's module (none once
 * dropped) into out[0..n) (out may be NULL: bounds check only).
 * TRAP_TABLE_OOB when out of range, with nothing written. */
TrapCode rt_elem_items(VMContext *cx, uint32_t elem, uint64_t src, uint64_t n, void **out);

/* ref.test semantics: does `ref` match reference type (ref null? heap)?
 * `heap` is abstract (HeapTypeCode) or a canonical type id. */
bool rt_gc_ref_test(const Engine *engine, const void *ref, int32_t heap, bool nullable);

/* Run a full collection now. */
void rt_gc_collect(Store *store);
/* Collect once more than `bytes` have been allocated since the last
 * collection (at least the live bytes it left); default 4 MiB. 0 collects at
 * every allocation that may collect (for tests). */
void rt_gc_set_threshold(Store *store, uint64_t bytes);
/* Bound the bytes of the store's GC objects: an allocation that would exceed
 * max_bytes even after a collection (where the tier allows one) fails like
 * one the machine cannot satisfy (TRAP_ALLOCATION_TOO_LARGE). 0: no bound
 * (the default). Guards embedders against guests that allocate without end. */
void rt_gc_set_limit(Store *store, uint64_t max_bytes);
/* Live objects and their bytes (after the last collection plus allocations since). */
void rt_gc_stats(Store *store, uint64_t *out_objects, uint64_t *out_bytes);
/* Host-held references: a pinned reference and what it reaches survive
 * collections until unpinned (counted: pin twice, unpin twice). Anything not
 * a heap object is ignored. Pinning returns false on allocation failure. */
bool rt_gc_pin(Store *store, void *ref);
void rt_gc_unpin(Store *store, void *ref);

/* The collector's root protocol. Roots are: every store-owned object with a
 * trace function (rt_store_own_traced: instances trace their defined globals
 * and evaluated element segments, tables and host globals their references),
 * the frames of every live activation on this thread (through the function
 * its tier registered), and pinned references. Reporting a word that is not a
 * reference to this heap's object is harmless (the collector checks
 * membership), so tiers may scan conservatively. */
void rt_gc_trace_ref(RtGcTracer *tracer, const void *ref);
/* Every 8-byte-aligned word in [start, end), conservatively. */
void rt_gc_trace_range(RtGcTracer *tracer, const void *start, const void *end);
/* A tier whose frames can hold GC references registers, before running any
 * (idempotent, thread-safe; at most 4 tiers), how to report them for an
 * activation whose `tier` it is: fn(act, tracer) from act->tier_frames. */
typedef void (*RtGcFramesFn)(const Activation *act, RtGcTracer *tracer);
void rt_gc_register_tier(const Tier *tier, RtGcFramesFn fn);

/* ---- Libcalls and the code registry (for native tiers) --------------------------- */

/* Helpers compiled code calls (libcalls.def): one signature for all, so a tier
 * calls them through one table. */
typedef enum RtLibId {
#define LIBCALL(name, what) RT_LIB_##name,
#include "libcalls.def"
#undef LIBCALL
    RT_LIB_COUNT
} RtLibId;
typedef uint64_t (*RtLibcall)(VMContext *cx, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                              uint64_t e);
extern const RtLibcall rt_libcalls[RT_LIB_COUNT];
#define LIBCALL(name, what)                                                                    \
    uint64_t rt_lib_##name(VMContext *cx, uint64_t a, uint64_t b, uint64_t c, uint64_t d,      \
                           uint64_t e);
#include "libcalls.def"
#undef LIBCALL

/* Native code ranges, so the fault handler can tell a fault in compiled code
 * (code_registry.c). `fault` runs inside the signal handler (async-signal-safe:
 * no locks, no allocation) with the faulting pc and frame pointer; it returns
 * the trap code of the trap site at pc, or TRAP_NONE (then the fault is
 * classified by address as for any other code). Lookups take no lock. */
typedef TrapCode (*RtCodeFaultFn)(void *data, uintptr_t pc, uintptr_t fp);
/* Register [start, end); false on allocation failure. */
bool rt_code_register(uintptr_t start, uintptr_t end, RtCodeFaultFn fault, void *data);
/* Remove the range starting at `start` (once no code in it can run). */
void rt_code_unregister(uintptr_t start);
/* The `data` of the range holding pc, or NULL. Async-signal-safe. */
void *rt_code_lookup(uintptr_t pc);
/* For signals.c: ask the owner of the range holding pc (TRAP_NONE if none). */
TrapCode rt_code_fault(uintptr_t pc, uintptr_t fp);

#endif
