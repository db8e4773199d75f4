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

#include "interp.h"

/* ---- internal op numbers ---- */

typedef enum IOp {
  IOP_FIRST_ = OP_COUNT - 1,
#define BINOP(name, type, result, expr) IOP_##name##_I,
#define CMP(name, type, expr) IOP_##name##_I, IOP_##name##_B, IOP_##name##_BI,
#define LOAD(name, result, memtype)                                            \
  IOP_##name##_C, IOP_##name##_A, IOP_##name##_AI,
#define STORE(name, type, memtype)                                             \
  IOP_##name##_C, IOP_##name##_A, IOP_##name##_AI,
#define INCBR(name, type, expr) IOP_##name##_IB, IOP_##name##_IBI,
#define IOP(name) IOP_##name,
#define GCOP(name) IOP_##name,
#include "iops.def"
#undef BINOP
#undef CMP
#undef LOAD
#undef STORE
#undef INCBR
#undef IOP
#define VSHIFT(name, expr) IOP_##name##_I,
#define VLOAD(name, M, expr) IOP_##name##_C, IOP_##name##_A,
#define VSTORE(name) IOP_##name##_C, IOP_##name##_A,
#include "simd.def"
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
/* x += add (i32), then branch if x compares true with slot / immediate b. */
typedef struct IIncBr {
  const void *h;
  uint32_t x;
  int32_t add;
  uint32_t b;
  int32_t disp;
} IIncBr;
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
/* GC instructions (iops.def GCOP): up to five operand slots, a result slot,
 * op-specific immediates. */
typedef struct IGc {
  const void *h;
  uint32_t dst;
  uint32_t in[5];
  uint32_t imm[3];
  uint32_t pad;
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
void interp_entry(const FuncRef *callee, VMContext *caller,
                  ValRaw *args_results, uint32_t count);

/* ---- translation (translate.c) ---- */

/* Translate defined function `index` (module index space) into `*f`; code and
 * pc map are mem_alloc'd (the caller gathers them). ERR_NOMEM / ERR_LIMIT. */
Err interp_translate(const RtModule *module, IFunc *funcs, uint32_t index,
                     uint8_t **out_code, uint32_t *out_len, IPcEntry **out_pc,
                     Diag *diag) WARN_UNUSED;

/* ---- exceptions (interp_eh.c) ---- */

/* A new exception of the tag at vmctx byte offset `tag`, its payload (of
 * `type`'s params) read from slots at `args`. Traps on allocation failure. */
ExnObj *interp_eh_new(VMContext *cx, uint32_t tag, const FuncType *type,
                      const uint8_t *args);
/* Unwind the frames of entry E from *rec outwards to the innermost handler
 * of `exn`: deliver it there, make that frame E's top (*rec) and return the
 * handler's code. With no handler in E, raise TRAP_UNCAUGHT_EXCEPTION
 * carrying exn (never returns). */
const uint8_t *interp_eh_throw(IEntry *E, IFrame **rec, ExnObj *exn);

/* ---- GC (interp_gc.c) ---- */

/* One handler per GCOP: TRAP_NONE or the trap to raise. */
#define GCOP(name)                                                             \
  TrapCode interp_gc_##name(VMContext *cx, uint8_t *fp, const IGc *in);
#include "iops.def"

/* ---- slow paths (interp_ops.c) ---- */

void interp_call_host(const FuncRef *f, VMContext *cx, uint8_t *args,
                      const FuncType *type);
/* Copy values between ValRaw cells and packed slots (v128 = two slots). */
void interp_vals_to_slots(const ValType *types, uint32_t n, const ValRaw *vals,
                          uint8_t *slots);
void interp_slots_to_vals(const ValType *types, uint32_t n, const uint8_t *slots,
                          ValRaw *vals);
TrapCode interp_memory_fill(VMContext *cx, uint32_t mem, uint64_t d,
                            uint32_t val, uint64_t n);
TrapCode interp_memory_copy(VMContext *cx, uint32_t dmem, uint32_t smem,
                            uint64_t d, uint64_t s, uint64_t n);
TrapCode interp_memory_init(VMContext *cx, uint32_t mem, uint32_t data,
                            uint64_t d, uint64_t s, uint64_t n);
uint64_t interp_memory_grow(VMContext *cx, uint32_t mem, uint64_t delta);
TrapCode interp_table_fill(VMContext *cx, uint32_t table, uint64_t i, void *val,
                           uint64_t n);
TrapCode interp_table_copy(VMContext *cx, uint32_t dt, uint32_t st, uint64_t d,
                           uint64_t s, uint64_t n);
uint64_t interp_table_grow(VMContext *cx, uint32_t table, void *init,
                           uint64_t delta);
bool interp_is_subtype(VMContext *cx, uint32_t sub, uint32_t super);

/* ---- tuning diagnostics (interp_dump.c) ---- */

/* Is WASMC_INTERP_DUMP set (print every translated function)? */
bool interp_dump_enabled(void);
/* Print f's internal code; starts[0..n) are its instructions' offsets. */
void interp_dump_func(const IFunc *f, const uint8_t *code, uint32_t len,
                      const uint32_t *starts, uint32_t n);
#ifdef WASMC_INTERP_PROFILE
void interp_prof_hit(const void *prev, const void *h, const IFunc *f,
                     const uint8_t *ip);
#endif

#endif
