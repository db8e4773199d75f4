/* The single-pass compiler's state, shared by jit_compile.c (value tracker,
 * control flow, calls, driver) and jit_lower.c (numeric, memory, table ops).
 *
 * Value tracker: each operand-stack entry is a constant, a pending local
 * read, a register, or its canonical slot (slot s for height s). At every
 * label (block entry, branch, end) all entries are in their slots, so every
 * path into a label agrees on the layout; within straight-line code values
 * stay in registers. i32 values in GPRs are always zero-extended; f32/f64 live
 * in the low lane of an XMM register, v128 in a whole one.
 *
 * Register-cached locals: a pre-pass (choose_pins in jit_compile.c) weighs
 * every numeric local's local.get/set/tee by loop depth (a read of a loop
 * invariant, a local no loop that deep writes, weighs a quarter: unpinned it
 * is a folded memory operand) and pins the heaviest in registers for the
 * whole function: i32/i64 in the callee-saved rbx, r12,
 * r13 (and r14 when memory 0 is not guarded), f32/f64 in xmm8..xmm13. Refs
 * and v128 are never pinned. A pinned local lives in Comp.pin[local]; a
 * pending K_LOCAL read of it is a read of that register. Since the pins hold
 * for the whole function, labels need no merging. Functions with GC or EH
 * instructions pin GPR locals only in callee-saved registers; others may
 * also use r8, r9, rdi and rsi (J_PIN_VOLATILE).
 * Call contract (GC stack maps, exception landing pads): before every call
 * instruction (wasm calls, call_indirect/call_ref, tail calls, and every
 * jit_call_c) each pinned local is in its frame slot (jit_local), so frame
 * slots describe all locals at the call: jit_spill_regs flushes them all
 * (jit_flush_locals; our call paths spill before setting up arguments) and
 * jit_call_c flushes the ones argument set-up cannot clobber. After a wasm
 * call every pinned local is reloaded (jit_reload_locals: the native
 * convention preserves nothing; a direct call the function returns right
 * after reloads nothing, see reload_dead); after jit_call_c the XMM and
 * volatile ones are. Pins never hold refs. A landing pad resumes from frame slots:
 * jit_reload_context (r15, r14) also reloads every pinned local.
 *
 * Widths: a v128 takes 16 bytes wherever a value goes (locals, operand
 * slots, the argument/result area), every other value 8. Entry i of the
 * operand stack sits at byte offset soff[i] (the sum of the widths below
 * it), so a function without v128 is laid out as with 8-byte slots. */
#ifndef WASMC_JIT_JIT_COMP_H
#define WASMC_JIT_JIT_COMP_H

#include <setjmp.h>

#include "jit_int.h"

typedef enum JType { T_I32, T_I64, T_F32, T_F64, T_REF, T_V128 } JType;
enum { K_CONST, K_LOCAL, K_REG, K_SLOT };

typedef struct VItem {
    uint8_t kind, type, reg;
    uint32_t local;
    uint64_t c, c_hi; /* K_CONST; c_hi: the upper half of a v128 */
} VItem;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF };
typedef struct JCtrl {
    uint8_t kind;
    bool unreachable, targeted, has_else;
    uint32_t base, n_params, n_results;
    const ValType *params, *results;
    uint32_t label;      /* branch target: loop head or end */
    uint32_t else_label; /* C_IF: the else arm (or the end without one) */
    uint32_t end_index;
} JCtrl;

/* A deferred out-of-line trap stub. */
typedef struct JStub {
    uint32_t label;
    uint32_t code;  /* TrapCode, or UINT32_MAX: the code is in eax */
    uint32_t wasm;  /* offset of the trapping instruction */
    uint8_t index_reg; /* X64_NOREG, or the register holding the element index */
} JStub;

/* Allocatable registers (r10, r11, xmm14, xmm15 are scratch; r14 = memory 0
 * base, r15 = vmctx). */
#define J_SCRATCH X64_R11
#define J_SCRATCH2 X64_R10
#define J_XSCRATCH 15
#define J_XSCRATCH2 14
#define J_MEM0 X64_R14
#define J_VMCTX X64_R15
#define J_N_XMM 14
/* Registers for pinned locals: GPRs callee-saved in the C ABI, XMMs at the
 * top of the allocatable range. */
#define J_MAX_PIN_XMM 6
#define J_MAX_PIN_GPR 8
#define J_MAX_PINS (J_MAX_PIN_GPR + J_MAX_PIN_XMM)
/* Pinned GPRs a C call clobbers (used only in functions without GC or EH
 * instructions, whose C calls all go through jit_spill_regs first). */
#define J_PIN_VOLATILE ((1u << X64_R8) | (1u << X64_R9) | (1u << X64_RDI) | (1u << X64_RSI))

/* A 16-byte constant in the function's pool (after the stubs). */
typedef struct JConst {
    uint64_t lo, hi;
    uint32_t label;
} JConst;

/* A code sequence emitted the same way wherever it appears in a function
 * (frame-relative operands only: no labels, trap sites or pc entries), so
 * only its first copy is encoded; later ones copy those bytes. */
typedef struct JReplay {
    uint32_t start, len;
    bool known; /* start and len describe the first copy */
} JReplay;

typedef struct Comp {
    jmp_buf fail; /* allocation failure */
    Arena *arena; /* the function's scratch (JScratch), reset after it */
    struct BodyScan *scan; /* what the scan before compiling found (jit_compile.c) */
    const RtModule *rm;
    const Module *mod;
    const FuncType *ft;
    const Code *code;
    CodeBuf cb;
    uint32_t n_params, n_locals; /* params, declared locals */
    uint32_t k_bytes;            /* max(param bytes, result bytes) */
    uint32_t local_bytes;        /* declared locals' bytes */
    uint8_t *local_types;        /* JType per local (params first) */
    uint8_t *zero_skip;          /* prologue: frame words it need not zero */
    int32_t *local_disp;         /* rbp displacement per local */
    uint32_t *soff;              /* operand entry i at byte offset soff[i] */
    int32_t frame;               /* bytes below rbp */
    VItem *vs;
    uint32_t h;
    uint32_t *local_refs; /* pending K_LOCAL entries per local */
    uint8_t *pin;         /* per local: its register, or X64_NOREG (not pinned) */
    uint32_t pinned[J_MAX_PINS]; /* the pinned locals */
    uint32_t n_pinned;
    uint16_t pin_written; /* bit k: pinned[k] is written somewhere (else its slot stays current) */
    JReplay pin_moves[2][2]; /* [reload][all]: flush_pins / reload_pins (jit_compile.c) */
    JReplay context_moves;   /* reload_context */
    JCtrl *cs;
    uint32_t depth;
    uint16_t gpr_free, xmm_free; /* bit masks */
    JStub *stubs;
    uint32_t n_stubs, cap_stubs;
    JPc *pcs;
    uint32_t n_pcs, cap_pcs;
    uint32_t pc_last; /* pcs[n_pcs - 1].native, UINT32_MAX when there is none */
    JTrapSite *traps;
    uint32_t n_traps, cap_traps;
    JCallReloc *relocs;
    uint32_t n_relocs, cap_relocs;
    JConst *consts;
    uint32_t n_consts, cap_consts;
    uint8_t ext; /* SIMD extension level usable (x64_vec_ext scale) */
    uint32_t wasm_offset; /* of the instruction being compiled */
    bool guarded0, fuel, epoch;
    bool nan_canon; /* EngineConfig.nan_canonicalization (read per instruction) */
    /* Memory 0 is guarded and the function accesses memory or makes direct
     * calls: r14 holds memory 0's base at every direct call and direct entry
     * (a function that does neither may pin r14), [rbp - 16] keeps a copy. */
    bool keep_mem0;
    uint32_t fuel_pos, fuel_count; /* the pending fuel charge's imm32 field */
    int32_t tls_limit;
    uint32_t entry; /* the direct entry's offset (JFuncOut.entry) */
    struct JGcComp *gc; /* safepoints (jit_gc.c) */
} Comp;

/* ---- tracker (jit_compile.c) ---- */
JType jit_type(ValType t);
/* Bytes a value of the type takes in slots and argument areas: 8 or 16. */
static inline uint32_t jit_width(uint8_t type) {
    return type == T_V128 ? 16 : 8;
}
/* The canonical slot of the entry at `height` (its type decides the width). */
X64Mem jit_slot(const Comp *c, uint32_t height);
/* The operand area's slot at byte offset `off` for a value of `width` bytes. */
X64Mem jit_slot_at(const Comp *c, uint32_t off, uint32_t width);
X64Mem jit_local(const Comp *c, uint32_t local);
/* The register holding pinned local `local`, or X64_NOREG. */
static inline uint8_t jit_pin(const Comp *c, uint32_t local) {
    return c->pin[local];
}
/* Whether entry i is a pending read of a pinned local. */
static inline bool jit_is_pinned_read(const Comp *c, uint32_t i) {
    return c->vs[i].kind == K_LOCAL && c->pin[c->vs[i].local] != X64_NOREG;
}
/* Every pinned local to its frame slot (before a call). */
void jit_flush_locals(Comp *c);
/* Every pinned local from its frame slot (after a wasm call; landing pads). */
void jit_reload_locals(Comp *c);
/* f32, f64 and v128 live in XMM registers, the rest in GPRs. */
static inline bool jit_is_xmm(uint8_t type) {
    return type == T_F32 || type == T_F64 || type == T_V128;
}
uint8_t jit_alloc_spill(Comp *c, bool xmm);
/* A free register of the class (spilling the lowest entry in one if need
 * be). Inline: nearly every instruction allocates. */
static inline uint8_t jit_alloc(Comp *c, bool xmm) {
    uint16_t *mask = xmm ? &c->xmm_free : &c->gpr_free;
    if (!*mask)
        return jit_alloc_spill(c, xmm);
    uint8_t r = (uint8_t)__builtin_ctz(*mask);
    *mask &= (uint16_t) ~(1u << r);
    return r;
}
static inline void jit_free_reg(Comp *c, uint8_t type, uint8_t reg) {
    if (jit_is_xmm(type))
        c->xmm_free |= (uint16_t)(1u << reg);
    else
        c->gpr_free |= (uint16_t)(1u << reg);
}
/* The push and pop below run for nearly every instruction: inline. */
static inline void jit_push_item(Comp *c, VItem it) {
    uint32_t h = c->h;
    c->soff[h + 1] = c->soff[h] + jit_width(it.type);
    c->vs[h] = it;
    c->h = h + 1;
}
static inline void jit_push_reg(Comp *c, uint8_t type, uint8_t reg) {
    jit_push_item(c, (VItem){K_REG, type, reg, 0, 0, 0});
}
static inline void jit_push_const(Comp *c, uint8_t type, uint64_t v) {
    jit_push_item(c, (VItem){K_CONST, type, 0, 0, v, 0});
}
void jit_push_v128(Comp *c, uint64_t lo, uint64_t hi);
void jit_push_slot(Comp *c, uint8_t type);
static inline VItem jit_pop(Comp *c) {
    VItem it = c->vs[--c->h];
    if (it.kind == K_LOCAL)
        c->local_refs[it.local]--;
    return it;
}
/* Pop into a register the caller owns (may be the entry's own register). */
uint8_t jit_pop_reg_slow(Comp *c, uint8_t *out_type);
static inline uint8_t jit_pop_reg(Comp *c, uint8_t *out_type) {
    const VItem *top = &c->vs[c->h - 1];
    if (top->kind != K_REG)
        return jit_pop_reg_slow(c, out_type);
    c->h--;
    if (out_type)
        *out_type = top->type;
    return top->reg;
}
/* If the top entry is a pending read of a pinned local, pop it and return
 * its register in *reg (read-only: never freed or written). */
static inline bool jit_pop_pinned(Comp *c, uint8_t *reg) {
    const VItem *top = &c->vs[c->h - 1];
    if (top->kind != K_LOCAL || c->pin[top->local] == X64_NOREG)
        return false;
    *reg = c->pin[top->local];
    c->local_refs[top->local]--;
    c->h--;
    return true;
}
/* Pop; a constant that fits a sign-extended imm32 is returned as such. */
bool jit_pop_imm_const(Comp *c, int32_t *out_imm);
static inline bool jit_pop_imm(Comp *c, int32_t *out_imm) {
    return c->vs[c->h - 1].kind == K_CONST && jit_pop_imm_const(c, out_imm);
}
/* Load an item's value into register r. */
void jit_load_item(Comp *c, const VItem *it, uint8_t r);
void jit_spill_regs(Comp *c);
/* Entry i to its canonical slot. */
void jit_spill_item(Comp *c, uint32_t i);
/* The label of a pooled 16-byte constant (16-byte aligned). */
uint32_t jit_const(Comp *c, uint64_t lo, uint64_t hi);
/* Grow a scratch array of the compile (doubling; longjmps to c->fail when out
 * of memory). */
void *jit_grow(Comp *c, void *p, uint32_t *cap, uint32_t need, size_t elem);
/* xmm r = the v128 constant. */
void jit_load_v128(Comp *c, uint8_t r, uint64_t lo, uint64_t hi);
void jit_spill_all(Comp *c);
uint32_t jit_stub(Comp *c, uint32_t code);
uint32_t jit_stub_index(Comp *c, uint32_t code, uint8_t index_reg);
void jit_trap_site(Comp *c, uint32_t code);
void jit_call_c(Comp *c, const void *fn);
void jit_restore_rsp(Comp *c);
/* Branch to label `depth` when cc holds (flags set; entries all in slots). */
void jit_branch_if(Comp *c, uint32_t depth, X64Cond cc);
/* For exception handling (jit_eh.c): br to label `depth`; push a block (the
 * instruction's block immediate); the `end` of the innermost control; r15,
 * r14 and the pinned locals from the frame (landing pads). */
void jit_br(Comp *c, uint32_t depth);
JCtrl *jit_push_block(Comp *c, const Instr *in);
void jit_end(Comp *c);
void jit_reload_context(Comp *c);
/* Start a fuel block here (a legacy catch arm). */
void jit_fuel_block(Comp *c);

/* ---- lowering (jit_lower.c): false when `op` is not theirs ---- */
bool jit_lower_numeric(Comp *c, const Instr *in);
bool jit_lower_memory(Comp *c, const Instr *in);
/* SIMD and relaxed SIMD (jit_simd.c). */
bool jit_lower_simd(Comp *c, const Instr *in);
/* An op_nan_canon instruction, lowered with its NaN result made canonical
 * (jit_canon.c; only with EngineConfig.nan_canonicalization). */
bool jit_canon_lower(Comp *c, const Instr *in);
/* The address operand of a memory access of `size` bytes (pops the address;
 * may use r10/r11); *site: a fault there is a guard-page trap. */
X64Mem jit_address(Comp *c, const Instr *in, uint8_t size, bool *site);
/* A compare fused with the br_if / if that follows: emits the compare and
 * returns the condition that is true when the compare is. */
bool jit_fusable_cmp(uint32_t op);
X64Cond jit_emit_cmp(Comp *c, uint32_t op);
/* iNN.and fused with the br_if / if that follows (a test): true when the
 * and is nonzero. */
X64Cond jit_emit_test(Comp *c, bool w);
/* Raw GPR move helpers */
void jit_mov_to_reg(Comp *c, uint8_t type, uint8_t dst, uint8_t src);

#endif
