/* The canonical ABI inside the component layer: runtime component instances
 * (flags and handle table), runtime resource types, resolved canonical
 * options, and lift/lower between CompValues and core values or linear
 * memory (spec: CanonicalABI.md, canonical-abi/definitions.py).
 *
 * Errors: functions return Err. ERR_TRAP means the operation trapped and
 * cx->trap holds the trap (owned by the context until taken); any other code
 * fills cx->diag. Memory is re-read after every call into wasm (realloc may
 * grow and move it). */
#ifndef WASMC_COMPONENT_CABI_H
#define WASMC_COMPONENT_CABI_H

#include "../runtime/runtime.h"
#include "comp_value.h"

typedef struct CompRtInstance CompRtInstance;
typedef struct CabiCall CabiCall;

/* ---- Handles and resources ------------------------------------------------------- */

/* One slot of a handle table; `type` NULL marks a free slot. */
typedef struct CabiHandle {
    CompRtResource *type;
    uint32_t rep;
    uint32_t lend_count; /* own handles: live borrows lent out of it */
    bool own;
    CabiCall *scope; /* borrow handles: the export call that received it */
} CabiHandle;

/* The per-instance handle table (spec: one table per component instance):
 * index 0 is never used, indices grow from 1, freed ones are reused LIFO. */
typedef struct CabiTable {
    CabiHandle *elems; /* elems[0] unused */
    uint32_t len, cap; /* len counts slot 0 */
    uint32_t *free;
    uint32_t n_free, free_cap;
} CabiTable;

#define CABI_TABLE_MAX (1u << 28)

typedef struct CabiTask CabiTask;

/* A runtime component instance: what the spec's ComponentInstance keeps for
 * synchronous calls. Numbered per top-level instance (plan order). */
struct CompRtInstance {
    uint32_t index;
    bool may_leave;
    bool may_enter;
    CabiTable table;
    /* The task whose core code runs in this instance (innermost lifted call
     * into it, or a destructor's task), NULL outside calls. Built-ins that
     * act on "the current task" (task.return) read it. */
    CabiTask *task;
};

/* A runtime resource type: created per instantiation of its definition (or
 * by the host). `impl` is the defining instance (NULL for host resources). */
struct CompRtResource {
    uint32_t id;
    CompRtInstance *impl;
    FuncRef *dtor; /* core destructor (i32 rep) -> (), or NULL */
    void (*host_dtor)(void *env, uint32_t rep);
    void *host_env;
    const char *name;
};

void cabi_table_fini(CabiTable *table);

/* ---- Options, calls, contexts ------------------------------------------------------ */

/* Canonical options resolved to runtime objects (NULL: absent). */
typedef struct CabiOpts {
    RtMemory *memory;
    FuncRef *realloc;
    FuncRef *post_return;
    FuncRef *callback;       /* async lift: the callback (not supported yet) */
    uint8_t string_encoding; /* CompStringEncoding */
    bool async_;             /* `async`: lift results through task.return */
} CabiOpts;

typedef struct CabiLender {
    CompRtInstance *inst;
    uint32_t index;
} CabiLender;

/* The spec's ExportCall (borrow_count) and ImportCall (lenders) in one. */
struct CabiCall {
    uint32_t borrow_count;
    CabiLender *lenders;
    uint32_t n_lenders, cap_lenders;
};

/* A lift or lower in progress. */
typedef struct CabiCx {
    Store *store;
    const CabiOpts *opts;
    CompRtInstance *inst;
    CabiCall *call;
    /* Static resource descriptor id -> runtime type, for own/borrow. */
    CompRtResource *const *resources;
    uint32_t n_resources;
    Arena *arena;       /* lifted values go here */
    bool adapter;       /* component-to-component path: adapter trap texts */
    bool keep_encoding; /* lifted strings keep their encoding (else UTF-8) */
    Trap *trap;         /* set with ERR_TRAP */
    Diag *diag;
} CabiCx;

/* ---- Faults ------------------------------------------------------------------------ */

typedef enum CabiFault {
    CF_LIST_ALIGN,
    CF_LIST_BOUNDS,
    CF_STRING_ALIGN,
    CF_STRING_BOUNDS,
    CF_PTR_ALIGN,
    CF_PTR_BOUNDS,
    CF_REALLOC_ALIGN,
    CF_REALLOC_BOUNDS,        /* spilled params/results */
    CF_REALLOC_LIST_BOUNDS,
    CF_REALLOC_STRING_BOUNDS,
    CF_CHAR,
    CF_UTF16,
    CF_STRING_TOO_LONG,
    CF_LIST_TOO_LONG,
    CF_NO_REALLOC,
    CF_NO_MEMORY,
    CF_CANNOT_LEAVE,
    CF_CANNOT_ENTER,
    CF_BORROWS_REMAIN,
    CF_HANDLE_TABLE_FULL,
    CF_UNSUPPORTED,
} CabiFault;

/* Raise a fault: sets cx->trap (message per cx->adapter) and returns ERR_TRAP
 * (ERR_NOMEM if even the trap cannot be allocated). */
Err cabi_fault(CabiCx *cx, CabiFault fault);
/* Raise a trap with a formatted message. */
Err cabi_trapf(CabiCx *cx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* ---- Memory --------------------------------------------------------------------------- */

/* Trap unless [ptr, ptr + size) is in the options' memory and ptr is aligned. */
Err cabi_check_range(CabiCx *cx, uint64_t ptr, uint64_t size, uint32_t align,
                     CabiFault align_fault, CabiFault bounds_fault) WARN_UNUSED;
static inline uint8_t *cabi_mem(CabiCx *cx) {
    return cx->opts->memory->base;
}
/* Call core function fn through rt_call (args[count] in, results out); a
 * trap is raised on cx, and an exception escaping fn becomes the trap
 * "uncaught exception propagated out of component" (spec:
 * call_and_trap_on_throw). */
Err cabi_call_core(CabiCx *cx, const FuncRef *fn, ValRaw *args, uint32_t count) WARN_UNUSED;
/* Call realloc(old, old_size, align, new_size); the result is not checked. */
Err cabi_realloc(CabiCx *cx, uint32_t old, uint32_t old_size, uint32_t align, uint32_t new_size,
                 uint32_t *out) WARN_UNUSED;
/* realloc(0, 0, align, size), then check alignment and bounds. */
Err cabi_alloc(CabiCx *cx, uint32_t align, uint64_t size, CabiFault bounds_fault,
               uint32_t *out) WARN_UNUSED;

/* ---- Lift and lower ------------------------------------------------------------------ */

/* Load a value of type t at ptr (aligned and in bounds: the caller checked). */
Err cabi_load(CabiCx *cx, uint32_t ptr, const CompValType *t, CompValue *out) WARN_UNUSED;
/* Store v of type t at ptr (aligned and in bounds). */
Err cabi_store(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t ptr) WARN_UNUSED;

/* Lift one value from flat core values; *pos advances over t->abi.n_flat slots. */
Err cabi_lift_flat(CabiCx *cx, const ValRaw *flat, uint32_t *pos, const CompValType *t,
                   CompValue *out) WARN_UNUSED;
/* Lower one value into flat slots (each written zero-extended to 64 bits). */
Err cabi_lower_flat(CabiCx *cx, const CompValue *v, const CompValType *t, ValRaw *flat,
                    uint32_t *pos) WARN_UNUSED;

/* spec: lift_values / lower_values for a parameter or result list. lift:
 * reads flat[0..) (a pointer when the flat count exceeds max_flat) into
 * out[n]. lower: writes flat values to `flat` (room for max_flat, or 1), or
 * spills to memory: at the pointer *out_param when not NULL (lowered
 * results), else allocated with realloc; *out_n = flat values written.
 * lower_values clears inst->may_leave while it runs (spec). */
Err cabi_lift_values(CabiCx *cx, uint32_t max_flat, const ValRaw *flat, const CompField *types,
                     uint32_t n, CompValue *out) WARN_UNUSED;
Err cabi_lower_values(CabiCx *cx, uint32_t max_flat, const CompValue *vs, const CompField *types,
                      uint32_t n, ValRaw *flat, const uint32_t *out_param,
                      uint32_t *out_n) WARN_UNUSED;

/* Lists (and maps) from/into a memory range: lift checks alignment and bounds;
 * lower allocates with realloc and returns the begin pointer. */
Err cabi_lift_list(CabiCx *cx, uint32_t begin, uint32_t len, const CompValType *t,
                   CompValue *out) WARN_UNUSED;
Err cabi_lower_list(CabiCx *cx, const CompValue *v, const CompValType *t,
                    uint32_t *out_ptr) WARN_UNUSED;

/* Strings (cabi_string.c). */
Err cabi_lift_string(CabiCx *cx, uint32_t ptr, uint32_t tagged_units, CompValue *out) WARN_UNUSED;
Err cabi_lower_string(CabiCx *cx, const CompValue *v, uint32_t *out_ptr,
                      uint32_t *out_units) WARN_UNUSED;

/* Handles (cabi_handle.c). */
Err cabi_resource_of(CabiCx *cx, const CompValType *t, CompRtResource **out) WARN_UNUSED;
Err cabi_lift_own(CabiCx *cx, uint32_t index, const CompValType *t, CompValue *out) WARN_UNUSED;
Err cabi_lift_borrow(CabiCx *cx, uint32_t index, const CompValType *t,
                     CompValue *out) WARN_UNUSED;
Err cabi_lower_own(CabiCx *cx, const CompValue *v, const CompValType *t,
                   uint32_t *out) WARN_UNUSED;
Err cabi_lower_borrow(CabiCx *cx, const CompValue *v, const CompValType *t,
                      uint32_t *out) WARN_UNUSED;
/* canon resource.new / resource.rep / resource.drop on instance `inst`. */
Err cabi_resource_new(CabiCx *cx, CompRtResource *rt, uint32_t rep, uint32_t *out) WARN_UNUSED;
Err cabi_resource_rep(CabiCx *cx, CompRtResource *rt, uint32_t index, uint32_t *out) WARN_UNUSED;
Err cabi_resource_drop(CabiCx *cx, CompRtResource *rt, uint32_t index) WARN_UNUSED;
/* Run a resource's destructor for rep (core dtor or host dtor). */
Err cabi_run_dtor(CabiCx *cx, CompRtResource *rt, uint32_t rep) WARN_UNUSED;
/* End of a call: export side traps if borrows remain; import side returns
 * the lends. Frees the call's lender list. */
Err cabi_call_exit_export(CabiCx *cx, CabiCall *call) WARN_UNUSED;
void cabi_call_exit_import(CabiCall *call);

/* ---- Calls (cabi_call.c) ------------------------------------------------------------ */

/* A host function implementing a component function: reads args[n_args],
 * writes results[n_results] (values allocated in `arena`, which lives until
 * the results are lowered). Returns NULL or a trap (ownership passes). */
typedef Trap *(*CompHostFn)(void *env, const CompValue *args, uint32_t n_args,
                            CompValue *results, uint32_t n_results, Arena *arena);

/* A lifted function: `canon lift` of a core function in instance `inst`. */
typedef struct CabiLifted {
    const CompFuncType *type;
    FuncRef *core;
    CabiOpts opts;
    CompRtInstance *inst;
    CompRtResource *const *resources;
    uint32_t n_resources;
} CabiLifted;

/* Receives a lifted call's results before post-return runs. */
typedef Err (*CabiOnResults)(void *env, CompValue *results, Trap **out_trap, Diag *diag);

/* spec: canon_lift. Runs the call as a task (cabi_task.c): lowers args into
 * the callee, calls it, lifts the results into `arena` and hands them to
 * on_results (adapter: strings keep their encoding and may point into the
 * callee's memory until on_results returns) — a synchronous lift's when its
 * core function returns, then post-return runs (may_leave cleared); an
 * `async` lift's when its code calls task.return (a trap if it never does) —
 * then the call's exit checks. on_results runs at most once, and only on
 * success paths up to that point. OK, ERR_TRAP (*out_trap set), or another
 * error in diag. */
Err cabi_call_lifted(Store *store, const CabiLifted *f, const CompValue *args, Arena *arena,
                     bool adapter, CabiOnResults on_results, void *env, Trap **out_trap,
                     Diag *diag) WARN_UNUSED;

/* A lowered function: `canon lower` into instance `inst`, calling either a
 * lifted function (component-to-component) or a host function. */
typedef struct CabiLowered {
    const CompFuncType *type;
    CabiOpts opts;
    CompRtInstance *inst;
    CompRtResource *const *resources;
    uint32_t n_resources;
    const CabiLifted *lifted; /* callee when not NULL */
    CompHostFn host;          /* else this host function */
    void *host_env;
} CabiLowered;

/* The core function for a lowered function (store-owned; `lw` must live as
 * long as the store: see cabi_store_attach). */
Err cabi_lowered_func(Store *store, CabiLowered *lw, FuncRef **out, Diag *diag) WARN_UNUSED;
/* Run finalize(env) when the store dies (component instances hang their
 * state on the store this way). On failure finalize runs at once. */
Err cabi_store_attach(Store *store, void *env, void (*finalize)(void *env),
                      Diag *diag) WARN_UNUSED;

/* ---- Tasks (cabi_task.c) ---------------------------------------------------------------- */

/* spec: Task.State. Today a task only goes INITIAL -> RESOLVED: cancellation
 * needs a caller that can wait on a callee that blocks. */
typedef enum CabiTaskState {
    CABI_TASK_INITIAL,
    CABI_TASK_PENDING_CANCEL,   /* not reached yet */
    CABI_TASK_CANCEL_DELIVERED, /* not reached yet */
    CABI_TASK_RESOLVED,
} CabiTaskState;

/* spec: Task — one call into a lifted function (or a destructor run for
 * another instance) from entry until its core function returns. It lives in
 * cabi_call_lifted's frame: every callee completes (resolves or traps) during
 * the call, so no task outlives its caller. Once callees can block, a task
 * will be allocated and kept by the caller's subtask (a waitable), and gain
 * its threads; the state machine and on_resolve stay as they are. */
struct CabiTask {
    uint8_t state;            /* CabiTaskState */
    const CabiLifted *func;   /* type and options; NULL: a destructor (sync, no results) */
    CompRtInstance *inst;
    CabiCx *cx;               /* the lift side: borrow scope, arena, string mode; NULL: dtor */
    CabiOnResults on_resolve; /* delivers the results to the caller */
    void *env;
    CabiTask *prev; /* inst->task before this task entered */
};

/* spec: Task.enter / Task.exit (no backpressure yet): the task becomes its
 * instance's current task; exit restores the previous one. */
void cabi_task_enter(CabiTask *task);
void cabi_task_exit(CabiTask *task);
/* spec: Task.may_block: an async-typed task, or one that has resolved. */
bool cabi_task_may_block(const CabiTask *task);
/* spec: Task.return_: trap if the task has resolved ("`task.return` or
 * `task.cancel` called more than once for current task") or borrows it
 * received remain; else hand `results` (lifted, in the task's arena) to
 * on_resolve and resolve. Traps are raised on cx. */
Err cabi_task_return(CabiCx *cx, CabiTask *task, CompValue *results) WARN_UNUSED;
/* spec: canon task.return, called by core code of `inst` with the flat
 * values flat[]: checks may_leave, that the current task was lifted async
 * with this result type (NULL: none) and the same memory and string
 * encoding, lifts the values and returns them (cabi_task_return). */
Err cabi_task_return_builtin(CabiCx *cx, CompRtInstance *inst, const CompValType *result,
                             const CabiOpts *opts, const ValRaw *flat) WARN_UNUSED;

/* Core functions for canon built-ins on instance `inst` (store-owned). */
typedef enum CabiBuiltin {
    CB_RESOURCE_NEW,
    CB_RESOURCE_DROP,
    CB_RESOURCE_REP,
    CB_UNSUPPORTED, /* any other built-in: traps (may_leave checked first) */
} CabiBuiltin;
typedef struct CabiBuiltinFunc {
    CabiBuiltin kind;
    CompRtInstance *inst;
    CompRtResource *rt;
    const char *name; /* for the unsupported trap */
} CabiBuiltinFunc;
/* `core_type` is the built-in's core signature. */
Err cabi_builtin_func(Store *store, CabiBuiltinFunc *b, const FuncType *core_type, FuncRef **out,
                      Diag *diag) WARN_UNUSED;

/* Canonical NaN bit patterns (spec: canonicalize_nan32/64). */
#define CABI_NAN32 0x7fc00000u
#define CABI_NAN64 UINT64_C(0x7ff8000000000000)
float cabi_canon_f32(float f);
double cabi_canon_f64(double f);

#endif
