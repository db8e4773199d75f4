/* Declarations shared inside the JIT: the native calling convention and frame
 * layout, the per-function compiler state (value-location tracker, control
 * stack), the compiled-module record and the runtime helpers compiled code
 * calls.
 *
 * Native convention (wasm->wasm): r15 = the callee's VMContext; arguments and
 * results live in an area of K = max(param bytes, result bytes) just above
 * the return address, each value 8 bytes wide (16 for v128): value i at
 * [rsp_at_call + K - (bytes of values 0..i)], i.e. value 0 at the top, the
 * rest downwards; [rbp + 16 + ...] in the callee. A caller lays its operand
 * stack out downwards the same way, so the arguments are already in place in
 * its own slots. A function with one integer or reference result returns
 * it in rax alone, never in the area (jit_rax_result; after a host call
 * through jit_call_array the caller loads rax from the area itself, and
 * jit_enter hands rax back to jit_array_entry). Nothing else is preserved
 * across calls except rbp; the caller reloads r15 (from [rbp - 8]), r14
 * (memory 0's base when memory 0 is guarded, from [rbp - 16]; other modules
 * may pin a local in r14) and its pinned locals (jit_comp.h) afterwards.
 * Direct calls inside a module enter at JFuncOut.entry with r14 already
 * memory 0's base and the pinned parameters also in registers
 * (jit_compile.c, next_arg_reg); the start loads both (func refs, the
 * array entry, other modules).
 *
 * Frame: [rbp - 8] vmctx, [rbp - 16] memory 0's base (modules whose memory 0
 * is guarded; unused otherwise), then declared locals (8 or 16
 * bytes each), then the operand-stack slots (entry i at its byte offset
 * below the locals, see jit_comp.h); rsp sits at the bottom of the frame
 * between instructions. Frame pointers always, so traps and profilers walk
 * [rbp] / [rbp + 8]. */
#ifndef WASMC_JIT_JIT_INT_H
#define WASMC_JIT_JIT_INT_H

#include "jit.h"
#include "x64/x64.h"

/* ---- compiled modules ---- */

/* native offset (from the function's start: the map is placed without a
 * rewrite) -> wasm binary offset */
typedef struct JPc {
    uint32_t native, wasm;
} JPc;

/* a faulting instruction (guard-page access) -> its trap code */
typedef struct JTrapSite {
    uint32_t native;
    uint32_t code; /* TrapCode */
} JTrapSite;

typedef struct JFunc {
    uint32_t start, end; /* code range, module code offsets */
    uint32_t func_index;
    uint32_t pc_first, n_pc;
    const char *name; /* NUL-terminated, or NULL */
} JFunc;

/* The module's tier data (RtModule.tier_data). Immutable after compile. */
typedef struct JModule {
    const RtModule *module;
    uint8_t *code; /* RX mapping */
    size_t map_size;
    uint32_t code_size;
    uint32_t n_funcs;
    JFunc *funcs;
    JPc *pcs;
    uint32_t n_pcs;
    JTrapSite *traps;
    uint32_t n_traps;
    bool registered;
    /* GC stack maps (jit_gc.h), sorted by code range */
    struct JSafepoint *safepoints;
    uint32_t n_safepoints;
    int32_t *ref_slots;
    uint32_t n_ref_slots;
    struct JRegion *regions; /* exception handlers (jit_gc.h) */
    uint32_t n_regions;
    struct JCatch *catches;
    uint32_t n_catches;
} JModule;

/* One function's compiled code before linking, relative to its own start. */
typedef struct JCallReloc {
    uint32_t pos;    /* rel32 field */
    uint32_t callee; /* defined-function index (module index space) */
} JCallReloc;

typedef struct JFuncOut {
    uint8_t *code;
    uint32_t len;
    uint32_t entry; /* where direct calls enter (register arguments, jit_compile.c) */
    JPc *pcs;
    uint32_t n_pcs;
    JTrapSite *traps;
    uint32_t n_traps;
    JCallReloc *relocs;
    uint32_t n_relocs;
    struct JSafepoint *safepoints; /* GC stack maps (jit_gc.h) */
    uint32_t n_safepoints;
    int32_t *ref_slots;
    uint32_t n_ref_slots;
    struct JRegion *regions; /* exception handlers (jit_gc.h) */
    uint32_t n_regions;
    struct JCatch *catches;
    uint32_t n_catches;
} JFuncOut;

/* Whether a function of this type returns its one integer or reference
 * result in rax alone (the area's result word is not written). */
static inline bool jit_rax_result(const FuncType *ft) {
    if (ft->n_results != 1)
        return false;
    ValKind k = ft->results[0].kind;
    return k != VK_F32 && k != VK_F64 && k != VK_V128;
}

/* Threads compiling a module of n_funcs functions with body_bytes of code:
 * EngineConfig.compile_threads (0: one per online CPU), at most
 * JIT_MAX_COMPILE_THREADS; 1 for small modules. */
#define JIT_MAX_COMPILE_THREADS 8
unsigned jit_compile_workers(const EngineConfig *cfg, uint32_t n_funcs, uint64_t body_bytes);

/* Scratch memory a compiling thread keeps from one function to the next
 * (the per-function arena, the code buffer), so that compiling a function
 * allocates little beyond what it hands out in JFuncOut. One per thread;
 * NULL when out of memory; jit_scratch_delete(NULL) does nothing. */
typedef struct JScratch JScratch;
JScratch *jit_scratch_new(void);
void jit_scratch_delete(JScratch *scratch);

/* Compile defined function `index` (module index space) into *out (buffers
 * mem_alloc'd), using (and keeping) `scratch`'s memory. ERR_NOMEM, ERR_LIMIT. */
Err jit_compile_func(const RtModule *module, uint32_t index, JScratch *scratch, JFuncOut *out,
                     Diag *diag) WARN_UNUSED;
void jit_func_out_free(JFuncOut *out);

/* ---- runtime helpers (jit_rt.c) ---- */

/* The array-call entry of every compiled function. */
void jit_array_entry(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count);
/* Called by trap stubs: capture the backtrace from frame `fp` (the return
 * address names the trap site) and raise. */
_Noreturn void jit_trap(uint32_t code, uintptr_t fp);
_Noreturn void jit_trap_index(uint32_t code, uintptr_t fp, uint64_t index);
/* Record the frames from a call at pc with frame fp for the backtrace of
 * the trap about to be raised (an exception that leaves wasm uncaught). */
void jit_capture_frames(uintptr_t pc, uintptr_t fp);
/* Call a func ref that is not native code of this tier (host functions):
 * `area` is the call's argument/result area (its lowest byte; the layout of
 * the native convention for signature ft); results are written back there. */
void jit_call_array(const FuncRef *ref, VMContext *cx, uint8_t *area, const FuncType *ft,
                    uintptr_t fp);
bool jit_is_subtype(VMContext *cx, uint32_t sub, uint32_t super);
/* fs-relative offset of this thread's stack limit (the prologue compares rsp). */
int32_t jit_stack_limit_tls_offset(void);
/* The module and function holding pc (a return address: pc - 1 is looked up). */
const JFunc *jit_find_func(const JModule *jm, uint32_t native);
uint32_t jit_wasm_offset(const JModule *jm, const JFunc *f, uint32_t native);
/* Signal path: registered with the runtime's code registry. */
TrapCode jit_fault(void *data, uintptr_t pc, uintptr_t fp);
/* Append the module's functions to /tmp/perf-PID.map (EngineConfig.perf_map;
 * jit_perfmap.c). */
void jit_perfmap_write(const JModule *jm);
void jit_backtrace(const Activation *act, Trap *trap);

/* CPU features chosen at run time. */
typedef struct JCpu {
    bool lzcnt, popcnt, bmi1;
    /* The SIMD extension level compiled code may use: 0 SSE2, 1 SSSE3,
     * 2 SSE4.1, 3 SSE4.2, 4 AVX (VEX encodings; capped by WASMC_JIT_SSE=0..4,
     * a testing knob: lower levels take the SSE sequences and libcalls). */
    uint8_t simd_ext;
} JCpu;
const JCpu *jit_cpu(void);

#endif
