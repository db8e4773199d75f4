/* Declarations shared inside the interpreter: the internal code format, the
 * per-function record, frames on the interpreter's own stack, and the
 * translator/dispatcher interface.
 *
 * Code format: a function's code is a byte array of instructions, each an
 * 8-byte handler address (direct threading) followed by 32-bit operands, in one
 * of the shapes below; every shape is a multiple of 8 bytes. A frame is an
 * array of 8-byte slots [params][locals][v128 constants][operand temps];
 * a v128 value takes two consecutive slots (8-byte aligned only), every other
 * value one, so params, locals and stack values sit at the prefix sums of
 * their widths. Operands are byte offsets of slots from the frame pointer
 * (fp). Branch displacements are relative to the displacement field itself. */
#ifndef WASMC_INTERP_INTERP_INT_H
#define WASMC_INTERP_INTERP_INT_H

#include <string.h>

#include "../runtime/gc_ops.h"
#include "interp.h"

/* ---- internal op numbers ---- */

typedef enum IOp {
    IOP_FIRST_ = OP_COUNT - 1,
#define BINOP(name, type, result, expr) IOP_##name##_I, IOP_##name##_M,
#define CMP(name, type, expr) IOP_##name##_I, IOP_##name##_M, IOP_##name##_B, IOP_##name##_BI,
#define LOAD(name, result, memtype)                                                                \
    IOP_##name##_C, IOP_##name##_A, IOP_##name##_AI, IOP_##name##_N, IOP_##name##_Z, IOP_##name##_X,
#define STORE(name, type, memtype)                                                                 \
    IOP_##name##_C, IOP_##name##_A, IOP_##name##_AI, IOP_##name##_K, IOP_##name##_Z,
#define INCBR(name, type, expr) IOP_##name##_IB, IOP_##name##_IBI, IOP_##name##_I2BI,
#define RMW(name, type, expr) IOP_##name##_MS,
#define CHAIN(n1, e1, n2, e2) IOP_CHAIN_##n1##_##n2,
#define CHAINI(n1, e1, n2, e2) IOP_CHAINI_##n1##_##n2,
#define IOP(name) IOP_##name,
#define GCOP(name) IOP_##name,
#include "iops.def"
#undef BINOP
#undef CMP
#undef LOAD
#undef STORE
#undef INCBR
#undef RMW
#undef CHAIN
#undef CHAINI
#undef IOP
#define VSHIFT(name, expr) IOP_##name##_I,
#define VLOAD(name, M, expr) IOP_##name##_C, IOP_##name##_A, IOP_##name##_AI,
#define VSTORE(name) IOP_##name##_C, IOP_##name##_A, IOP_##name##_AI,
#include "../runtime/simd.def"
    IOP_COUNT
} IOp;

/* ---- instruction shapes ---- */

typedef struct IHdr {
    const void *h;
} IHdr;
typedef struct IUn {
    const void *h;
    uint32_t dst, a;
} IUn;
typedef struct IBin {
    const void *h;
    uint32_t dst, a, b, pad;
} IBin;
typedef struct IBinI32 {
    const void *h;
    uint32_t dst, a, imm, pad;
} IBinI32;
typedef struct IBinI64 {
    const void *h;
    uint32_t dst, a;
    uint64_t imm;
} IBinI64;
typedef struct IConst32 {
    const void *h;
    uint32_t dst, imm;
} IConst32;
typedef struct IConst64 {
    const void *h;
    uint32_t dst, pad;
    uint64_t imm;
} IConst64;
typedef struct ISelect {
    const void *h;
    uint32_t dst, a, b, cond;
} ISelect;
/* Loads: x = dst, y = address; stores: x = address, y = value. */
typedef struct IMem {
    const void *h;
    uint32_t x, y;
    uint64_t offset;
} IMem;
/* mem = vmctx byte offset of the RtMemory *. */
typedef struct IMemC {
    const void *h;
    uint32_t x, y;
    uint64_t offset;
    uint32_t mem, is64;
} IMemC;
/* Guarded memory 0 at (u32)(slot y + slot z) + offset (_AI forms: z is an
 * immediate); x = dst (loads) or value. */
typedef struct IMemA {
    const void *h;
    uint32_t x, y, z, pad;
    uint64_t offset;
} IMemA;
/* A load from guarded memory 0 at (u32)((slot z << (shift & 31)) + slot y)
 * + offset to slot x. */
typedef struct IMemX {
    const void *h;
    uint32_t x, y, z, shift;
    uint64_t offset;
} IMemX;
/* The constant value to guarded memory 0 at (u32)(slot y + imm) + offset. */
typedef struct IStoreK {
    const void *h;
    uint32_t y, imm, offset, pad;
    uint64_t value;
} IStoreK;
/* One lane of v128 memory: x = dst (loads), y = address, v = the vector,
 * lane = the lane's byte offset; checked on any memory. */
typedef struct IMemLane {
    const void *h;
    uint32_t x, y;
    uint64_t offset;
    uint32_t v, lane, mem, is64;
} IMemLane;
typedef struct IConstV {
    const void *h;
    uint32_t dst, pad;
    uint8_t imm[16];
} IConstV;
typedef struct IShuffle {
    const void *h;
    uint32_t dst, a, b, pad;
    uint8_t lanes[16];
} IShuffle;
typedef struct IBr {
    const void *h;
    int32_t disp, pad;
} IBr;
typedef struct IBrIf {
    const void *h;
    uint32_t cond;
    int32_t disp;
} IBrIf;
typedef struct ICmpBr {
    const void *h;
    uint32_t a, b;
    int32_t disp, pad;
} ICmpBr;
typedef struct ICmpBrI32 {
    const void *h;
    uint32_t a, imm;
    int32_t disp, pad;
} ICmpBrI32;
typedef struct ICmpBrI64 {
    const void *h;
    uint32_t a;
    int32_t disp;
    uint64_t imm;
} ICmpBrI64;
/* dst = slot a op b, b loaded from guarded memory 0 at (u32)(slot y + imm) +
 * offset. */
typedef struct IBinM {
    const void *h;
    uint32_t dst, a, y, imm;
    uint32_t offset, pad;
} IBinM;
/* Guarded memory 0: c = a * b + c (two roundings, as the wasm mul then add),
 * b and c at (u32)(slot y + imm) + off; a fault reading b reports code
 * offset + 0, reading c + 1. */
typedef struct IMac {
    const void *h;
    uint32_t a, by, bimm, boff;
    uint32_t cy, cimm, coff, pad;
} IMac;
/* n (2..8) IMacs in order, the k-th with bimm and cimm k elements further
 * (k * the value's width); a fault reading b of the k-th reports code
 * offset + 2k, reading c + 2k + 1. */
typedef struct IMacN {
    const void *h;
    uint32_t a, by, bimm, boff;
    uint32_t cy, cimm, coff, n;
} IMacN;
/* Guarded memory 0 at (u32)(slot y + imm) + offset = (slot a << ka) |
 * (slot b >> kb) (i32). */
typedef struct IFunnelSt {
    const void *h;
    uint32_t a, ka, b, kb;
    uint32_t y, imm, offset, pad;
} IFunnelSt;
/* An i32.load to slot lx from guarded memory 0 at (u32)(slot ly + limm) +
 * loff, then an IFunnelSt's store (its operands read after the load); a
 * fault in the load reports code offset + 0, in the store + 1. */
typedef struct IFunnelLdSt {
    const void *h;
    uint32_t a, ka, b, kb;
    uint32_t y, imm, offset, lx;
    uint32_t ly, limm, loff, pad;
} IFunnelLdSt;
/* dst = (slot a op1 immediate k) op2 slot b (i32). */
typedef struct IChain {
    const void *h;
    uint32_t dst, a, k, b;
} IChain;
/* Slot dst = the i32 (or zero-extended byte) at guarded memory 0's (u32)(slot
 * y + imm) + offset, then branch if it is non-zero (or zero). */
typedef struct ILoadBr {
    const void *h;
    uint32_t dst, y, imm, offset;
    int32_t disp, pad;
} ILoadBr;
/* Slot x1 += k1, slot x2 += k2 (i32, in order), then branch if slot a
 * compares true with the immediate imm. */
typedef struct IInc2Br {
    const void *h;
    uint32_t x1, k1, x2, k2;
    uint32_t a, imm;
    int32_t disp, pad;
} IInc2Br;
/* x += add (i32), then branch if x compares true with slot / immediate b. */
typedef struct IIncBr {
    const void *h;
    uint32_t x;
    int32_t add;
    uint32_t b;
    int32_t disp;
} IIncBr;
/* n (2..8) ICopy byte copies in order, the k-th with dimm + k, simm + k; a
 * fault in the k-th reports code offset + 2k (load) or + 2k + 1 (store).
 * mem = vmctx byte offset of memory 0's RtMemory * (for a bounds check
 * that lets the common case skip the per-byte bookkeeping). */
typedef struct ICopyN {
    const void *h;
    uint32_t dy, dimm, sy, simm;
    uint32_t doff, soff, n, mem;
} ICopyN;
/* Moves m[0] = m[1], m[2] = m[3] (, m[4] = m[5]) in order: MOV2 is 24
 * bytes, MOV3 32. */
typedef struct IMovs {
    const void *h;
    uint32_t m[6];
} IMovs;
/* Guarded memory 0: copy from (u32)(slot sy + simm) + soff to
 * (u32)(slot dy + dimm) + doff. */
typedef struct ICopy {
    const void *h;
    uint32_t dy, dimm, sy, simm;
    uint32_t doff, soff;
} ICopy;
/* disp[n] is the default; each relative to its own field. */
typedef struct IBrTable {
    const void *h;
    uint32_t index, n;
    int32_t disp[];
} IBrTable;
struct IFunc;
/* Calls: `skip` is the instruction's size (returns resume at call + skip);
 * `args` the byte offset of the callee's frame (= its first argument). */
typedef struct ICall {
    const void *h;
    uint32_t skip, args;
    const struct IFunc *func;
} ICall;
/* A CALL whose last argument's add-immediate is done first: slot dst =
 * (u32)(slot a + imm). */
typedef struct ICallAddi {
    const void *h;
    uint32_t skip, args;
    const struct IFunc *func;
    uint32_t dst, a, imm, pad;
} ICallAddi;
typedef struct ICallRef {
    const void *h;
    uint32_t skip, args;
    uint32_t x, y, z, w;
    const FuncType *type; /* the call's signature (host calls convert by it) */
} ICallRef;
typedef struct IOps {
    const void *h;
    uint32_t a, b, c, d, e, pad;
} IOps;
/* GC instructions (iops.def GCOP): the runtime's operand record (up to five
 * operand slots, a result slot, op-specific immediates; gc_ops.h). */
typedef struct IGc {
    const void *h;
    RtGcOperands ops;
} IGc;

/* ---- functions and frames ---- */

/* A pc-map entry: code at byte `code` and after belongs to the wasm
 * instruction at binary offset `wasm`. */
typedef struct IPcEntry {
    uint32_t code, wasm;
} IPcEntry;

/* Exception handling (translate_eh.c, interp_eh.c). A handler region: a
 * throw at a code offset in [start, end) tries catches[first, first + n) of
 * the function's table in order; when none matches, the search goes on in
 * region `parent` (1 + its index; 0: the exception leaves the frame).
 * Regions are listed in the order they open, so the last one holding an
 * offset is the innermost. */
typedef struct IRegion {
    uint32_t start, end;
    uint32_t parent;
    uint32_t first, n;
    uint32_t pad; /* keeps the ICatch table after the regions aligned */
} IRegion;
/* A catch clause: `tag` = vmctx byte offset of the RtTag * to match
 * (UINT32_MAX: any exception); the payload (of `type`'s params) goes to the
 * slots from `dst`, the exnref to slot `exn` (UINT32_MAX: not kept); then
 * execution resumes at code offset `pad`. */
typedef struct ICatch {
    uint32_t tag, dst, exn, pad;
    const FuncType *type; /* the tag's type; NULL for catch-all clauses */
} ICatch;

/* The tier's record of one defined function (TierFunc.native). Immutable
 * after compile; code and pc map live in the module's tier data. */
typedef struct IFunc {
    const uint8_t *code;
    uint32_t frame_bytes; /* every slot the frame may touch, results included */
    uint32_t param_bytes;
    uint32_t local_bytes; /* declared locals, zeroed at entry */
    uint32_t n_params, n_results;
    uint32_t func_index;
    bool has_v128;        /* a v128 param or result: entry converts by type */
    const FuncType *type; /* in the module IR */
    uint32_t n_pc;
    const IPcEntry *pc;
    const char *name; /* NUL-terminated, or NULL */
    uint32_t n_regions;
    const IRegion *regions; /* mem_alloc'd, the ICatch table right after them */
} IFunc;

/* One active wasm frame, on the records side of the interpreter stack.
 * `ip` is the frame's current instruction (its call instruction for callers).
 */
typedef struct IFrame {
    const uint8_t *ip;
    uint8_t *fp;
    const IFunc *func;
    VMContext *cx;
} IFrame;

/* One host->interpreter entry, stored on the interpreter stack (never on the C
 * stack: backtraces are taken after unwinding). Its frames are the records
 * [top, &sentinel); Activation.tier_frames points at the innermost entry. */
typedef struct IEntry {
    IFrame sentinel; /* ip = the exit instruction */
    struct IEntry *prev;
    IFrame *top;
    /* Guarded memory accesses store their ip here (not in top->ip): for a
     * guard-page fault, the instruction of the top frame. Cleared where a
     * trap or a host call can happen otherwise, so backtraces use it only
     * for TRAP_MEM_OOB in the innermost entry while it is set. */
    const uint8_t *fault_ip;
} IEntry;

/* The module's tier data. */
typedef struct IModule {
    uint32_t n_funcs;
    IFunc *funcs;  /* per defined function */
    uint8_t *code; /* all functions' code */
    IPcEntry *pc;  /* all pc maps */
    char *names;   /* all names */
} IModule;

/* ---- dispatch (interp.c) ---- */

/* The handler address of every IOp (NULL for wasm opcodes with no generic
 * form). */
const void *const *interp_labels(void);
/* The array-call entry of every interpreted function. */
void interp_entry(const FuncRef *callee, VMContext *caller, ValRaw *args_results, uint32_t count);

/* ---- translation (translate.c) ---- */

/* Translate defined function `index` (module index space) into `*f`; code and
 * pc map are mem_alloc'd (the caller gathers them). ERR_NOMEM / ERR_LIMIT. */
Err interp_translate(const RtModule *module, IFunc *funcs, uint32_t index, uint8_t **out_code,
                     uint32_t *out_len, IPcEntry **out_pc, Diag *diag) WARN_UNUSED;

/* ---- exceptions (interp_eh.c) ---- */

/* A new exception of the tag at vmctx byte offset `tag`, its payload (of
 * `type`'s params) read from slots at `args`. Traps on allocation failure. */
ExnObj *interp_eh_new(VMContext *cx, uint32_t tag, const FuncType *type, const uint8_t *args);
/* Unwind the frames of entry E from *rec outwards to the innermost handler
 * of `exn`: deliver it there, make that frame E's top (*rec) and return the
 * handler's code. With no handler in E, raise TRAP_UNCAUGHT_EXCEPTION
 * carrying exn (never returns). */
const uint8_t *interp_eh_throw(IEntry *E, IFrame **rec, ExnObj *exn);

/* ---- slow paths (interp_ops.c) ---- */

void interp_call_host(const FuncRef *f, VMContext *cx, uint8_t *args, const FuncType *type);
/* Copy values between ValRaw cells and packed slots (v128 = two slots). */
void interp_vals_to_slots(const ValType *types, uint32_t n, const ValRaw *vals, uint8_t *slots);
void interp_slots_to_vals(const ValType *types, uint32_t n, const uint8_t *slots, ValRaw *vals);
bool interp_is_subtype(VMContext *cx, uint32_t sub, uint32_t super);

/* ---- tuning diagnostics (interp_dump.c) ---- */

/* Is WASMC_INTERP_DUMP set (print every translated function)? */
bool interp_dump_enabled(void);
/* Print f's internal code; starts[0..n) are its instructions' offsets. */
void interp_dump_func(const IFunc *f, const uint8_t *code, uint32_t len, const uint32_t *starts,
                      uint32_t n);
#ifdef WASMC_INTERP_PROFILE
void interp_prof_hit(const void *prev, const void *h, const IFunc *f, const uint8_t *ip);
#endif

#endif
