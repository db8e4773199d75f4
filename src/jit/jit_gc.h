/* The JIT's GC support, shared by jit_compile.c (hooks), jit_tier.c (module
 * layout) and jit_rt.c (host exits): lowering of the GC instructions
 * (jit_gc.c) and the stack maps that make native frames precise roots
 * (jit_gc_rt.c).
 *
 * Stack maps: every call site that can reach the collector (wasm calls, host
 * calls, allocating helpers) is a safepoint: the code range of its call
 * sequence and the rbp displacements of the frame slots holding references
 * while the call runs (reference locals and the operand-stack entries in
 * their slots; by contract every local and live operand entry is in its frame
 * slot at a call). The collector walks the native frames of an activation
 * through the rbp chain from its innermost safepoint: the one recorded in
 * thread-local storage by the last allocating helper call, or, while the
 * activation is out in a host function, the exit jit_call_array records in
 * act->tier_frames. */
#ifndef WASMC_JIT_JIT_GC_H
#define WASMC_JIT_JIT_GC_H

#include "jit_int.h"

typedef struct Comp Comp;

/* A call sequence [start, end) (code offsets) and its reference slots:
 * rbp displacements ref_slots[first .. first + n). */
typedef struct JSafepoint {
    uint32_t start, end;
    uint32_t first, n;
    uint32_t region; /* the innermost handler region at the call: 1 + index, or 0 */
} JSafepoint;

/* Exception handling (jit_eh.c): a handler region is the body of a try_table
 * or legacy try, with its catch clauses in order and the region to search
 * next (the enclosing one; for `delegate l` the one in force inside l). A
 * throw walks the frames innermost first; each frame's region is its call
 * site's safepoint's. Indices are per function while compiling, per module
 * after jit_gc_gather. */
typedef struct JRegion {
    uint32_t first, n; /* catches */
    uint32_t parent;   /* 1 + index, or 0 */
} JRegion;

typedef struct JCatch {
    uint32_t tag;         /* vmctx offset of the tag pointer; UINT32_MAX: catch_all */
    uint32_t pad;         /* landing pad: a label while compiling, then a code offset */
    int32_t top_disp;     /* rbp displacement of the top of the payload's slots */
    int32_t exn_disp;     /* legacy catch: the hidden exnref slot; 0: none */
    int32_t frame;        /* the frame's size: rsp = rbp - frame at the pad */
    bool with_ref;        /* catch_ref / catch_all_ref: the exnref after the payload */
    const FuncType *type; /* the tag's type (NULL: catch_all) */
} JCatch;

/* Per-function compile state of safepoints and handlers. */
typedef struct JEhCtl {
    bool valid;
    uint32_t label;      /* the JCtrl's label: valid for that control only */
    uint32_t region;     /* in force inside it */
    uint32_t try_region; /* the region it opened (1 + index), or 0 */
    int32_t exn_disp;    /* legacy try: its hidden exnref slot */
    uint32_t arms;       /* legacy try: catch arms begun */
    bool legacy;
} JEhCtl;

typedef struct JGcComp {
    JSafepoint *sps;
    uint32_t n_sps, cap_sps;
    int32_t *slots;
    uint32_t n_slots, cap_slots;
    int32_t *local_refs; /* rbp displacements of reference locals */
    uint32_t n_local_refs;
    bool locals_done;
    JRegion *regions;
    uint32_t n_regions, cap_regions;
    JCatch *catches;
    uint32_t n_catches, cap_catches;
    JEhCtl *ctl;    /* by control depth index */
    uint32_t *next; /* legacy try/catch/catch_all: the index of its clause's end */
    uint32_t try_depth;
} JGcComp;

/* A host exit: the frame and return address of the call into the host. */
typedef struct JGcExit {
    uintptr_t fp, pc;
    void *prev; /* the activation's previous tier_frames */
} JGcExit;

/* ---- compile time (jit_gc.c) ---- */

/* The GC instructions; false when `in` is not one. */
bool jit_lower_gc(Comp *c, const Instr *in);
/* The exception-handling instructions (jit_eh.c); false when not one. */
bool jit_lower_eh(Comp *c, const Instr *in);
/* Before the `end` of the innermost control: close its handler region. */
void jit_eh_end(Comp *c);
/* Bytes of hidden locals the function needs (legacy try's exnrefs). */
uint32_t jit_eh_hidden_bytes(const Code *code);
/* The compile state (allocated on first use). */
JGcComp *jit_gc_state(Comp *c);
/* Around a call sequence: begin records the reference slots live now (all
 * entries below and including the call's operands), end closes the code
 * range (the return address lies inside it). */
uint32_t jit_safepoint_begin(Comp *c);
void jit_safepoint_end(Comp *c, uint32_t sp);
/* Move the function's safepoints into out (jit_compile_func), free them
 * (comp_free). */
void jit_gc_finish(Comp *c, JFuncOut *out);
void jit_gc_comp_free(Comp *c);
void jit_gc_out_free(JFuncOut *out);

/* ---- modules and run time (jit_gc_rt.c) ---- */

/* Append the functions' safepoints to the module (after gather laid the code
 * out). ERR_NOMEM. */
Err jit_gc_gather(JModule *jm, const JFuncOut *outs, uint32_t n);
void jit_gc_module_free(JModule *jm);
/* The collector's walk over an activation's native frames. */
void jit_gc_trace_frames(const Activation *act, RtGcTracer *tracer);
/* fs-relative offset of this thread's innermost safepoint {fp, pc}. */
int32_t jit_gc_tls_offset(void);
/* Host exits (jit_call_array). */
void jit_gc_exit_begin(Activation *act, JGcExit *exit, uintptr_t fp, uintptr_t pc);
void jit_gc_exit_end(Activation *act, JGcExit *exit);

/* Throwing (jit_gc_rt.c): build the exception from the operand area (like
 * struct.new's) / throw an existing one, from the frame fp whose call site
 * is the return address. Never return: resume at the first matching
 * handler, or trap "uncaught exception". */
_Noreturn void jit_eh_throw(VMContext *cx, uint64_t tag, const FuncType *type, const uint8_t *area,
                            uintptr_t fp);
_Noreturn void jit_eh_throw_ref(ExnObj *exn, uintptr_t fp);

/* struct.new / array.new_fixed: the operands are `area` (its lowest byte),
 * laid out like the native convention's argument area (value 0 at the top).
 * The object, or NULL when allocation fails. */
void *jit_gc_struct_new(VMContext *cx, uint64_t type, const uint8_t *area, uint64_t bytes);
void *jit_gc_array_new_fixed(VMContext *cx, uint64_t type, const uint8_t *area, uint64_t n);

#endif
