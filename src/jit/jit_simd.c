/* Lowering of SIMD and relaxed SIMD to SSE2..SSE4.2, and AVX encodings where
 * the CPU has them. Regular instructions are rows of `rows` (one packed form,
 * maybe with swapped operands, a negated result or an imm8); the rest have
 * short sequences below. A form whose extension this CPU lacks (Comp.ext)
 * falls back to an SSE2 sequence or to the instruction's C helper
 * (jit_simd_rt.c: the interpreter's own expression), so every tier and every
 * CPU gives the results docs/simd.md fixes, relaxed instructions included.
 * xmm14/xmm15 are scratch; constants come from the function's pool
 * (RIP-relative, 16-byte aligned).
 * Second operands are read in place when they are not in a register (Src):
 * pooled constants always, locals and operand slots with AVX (VEX forms need
 * no alignment) or for 8-byte reads (pmovzx/pmovsx). With AVX the three-
 * operand forms also save the copies the destructive SSE forms need. */
#include "jit_comp.h"
#include "jit_simd.h"

#include <string.h>

#define CB (&c->cb)
#define XS J_XSCRATCH  /* xmm15 */
#define XS2 J_XSCRATCH2 /* xmm14 */

enum { R_NONE, R_BIN, R_SWAP, R_NOT, R_SWAPNOT, R_UN, R_IMM, R_SWAPIMM, R_UNIMM };

typedef struct SRow {
    uint8_t kind;
    uint8_t op;  /* X64Vec */
    uint8_t imm; /* cmpps predicate, rounding mode */
} SRow;

#define BIN(o) {R_BIN, X64_##o, 0}
#define SWAP(o) {R_SWAP, X64_##o, 0}
#define NOT(o) {R_NOT, X64_##o, 0}
#define SWAPNOT(o) {R_SWAPNOT, X64_##o, 0}
#define UN(o) {R_UN, X64_##o, 0}
#define CMP(o, p) {R_IMM, X64_##o, p}
#define CMPSWAP(o, p) {R_SWAPIMM, X64_##o, p}
#define ROUND(o, m) {R_UNIMM, X64_##o, 8 | (m)}

/* Integer compares: eq, ne, gt_s, lt_s, le_s, ge_s from pcmpeq/pcmpgt. */
#define ICMP(S, EQ, GT)                                                                        \
    [OP_##S##_EQ] = BIN(EQ), [OP_##S##_NE] = NOT(EQ), [OP_##S##_GT_S] = BIN(GT),               \
    [OP_##S##_LT_S] = SWAP(GT), [OP_##S##_LE_S] = NOT(GT), [OP_##S##_GE_S] = SWAPNOT(GT)
/* Float compares: cmpps/cmppd predicates eq 0, lt 1, le 2, neq 4. */
#define FCMP(S, O)                                                                             \
    [OP_##S##_EQ] = CMP(O, 0), [OP_##S##_NE] = CMP(O, 4), [OP_##S##_LT] = CMP(O, 1),           \
    [OP_##S##_LE] = CMP(O, 2), [OP_##S##_GT] = CMPSWAP(O, 1), [OP_##S##_GE] = CMPSWAP(O, 2)

static const SRow rows[OP_COUNT] = {
    [OP_V128_AND] = BIN(PAND), [OP_V128_OR] = BIN(POR), [OP_V128_XOR] = BIN(PXOR),
    [OP_V128_ANDNOT] = SWAP(PANDN),
    [OP_I8X16_ADD] = BIN(PADDB), [OP_I8X16_ADD_SAT_S] = BIN(PADDSB),
    [OP_I8X16_ADD_SAT_U] = BIN(PADDUSB), [OP_I8X16_SUB] = BIN(PSUBB),
    [OP_I8X16_SUB_SAT_S] = BIN(PSUBSB), [OP_I8X16_SUB_SAT_U] = BIN(PSUBUSB),
    [OP_I8X16_MIN_S] = BIN(PMINSB), [OP_I8X16_MIN_U] = BIN(PMINUB),
    [OP_I8X16_MAX_S] = BIN(PMAXSB), [OP_I8X16_MAX_U] = BIN(PMAXUB),
    [OP_I8X16_AVGR_U] = BIN(PAVGB), [OP_I8X16_NARROW_I16X8_S] = BIN(PACKSSWB),
    [OP_I8X16_NARROW_I16X8_U] = BIN(PACKUSWB),
    [OP_I16X8_ADD] = BIN(PADDW), [OP_I16X8_ADD_SAT_S] = BIN(PADDSW),
    [OP_I16X8_ADD_SAT_U] = BIN(PADDUSW), [OP_I16X8_SUB] = BIN(PSUBW),
    [OP_I16X8_SUB_SAT_S] = BIN(PSUBSW), [OP_I16X8_SUB_SAT_U] = BIN(PSUBUSW),
    [OP_I16X8_MUL] = BIN(PMULLW), [OP_I16X8_MIN_S] = BIN(PMINSW),
    [OP_I16X8_MIN_U] = BIN(PMINUW), [OP_I16X8_MAX_S] = BIN(PMAXSW),
    [OP_I16X8_MAX_U] = BIN(PMAXUW), [OP_I16X8_AVGR_U] = BIN(PAVGW),
    [OP_I16X8_NARROW_I32X4_S] = BIN(PACKSSDW), [OP_I16X8_NARROW_I32X4_U] = BIN(PACKUSDW),
    [OP_I32X4_ADD] = BIN(PADDD), [OP_I32X4_SUB] = BIN(PSUBD), [OP_I32X4_MUL] = BIN(PMULLD),
    [OP_I32X4_MIN_S] = BIN(PMINSD), [OP_I32X4_MIN_U] = BIN(PMINUD),
    [OP_I32X4_MAX_S] = BIN(PMAXSD), [OP_I32X4_MAX_U] = BIN(PMAXUD),
    [OP_I32X4_DOT_I16X8_S] = BIN(PMADDWD),
    [OP_I64X2_ADD] = BIN(PADDQ), [OP_I64X2_SUB] = BIN(PSUBQ),
    ICMP(I8X16, PCMPEQB, PCMPGTB), ICMP(I16X8, PCMPEQW, PCMPGTW), ICMP(I32X4, PCMPEQD, PCMPGTD),
    [OP_I64X2_EQ] = BIN(PCMPEQQ), [OP_I64X2_NE] = NOT(PCMPEQQ), [OP_I64X2_GT_S] = BIN(PCMPGTQ),
    [OP_I64X2_LT_S] = SWAP(PCMPGTQ), [OP_I64X2_LE_S] = NOT(PCMPGTQ),
    [OP_I64X2_GE_S] = SWAPNOT(PCMPGTQ),
    FCMP(F32X4, CMPPS), FCMP(F64X2, CMPPD),
    [OP_F32X4_ADD] = BIN(ADDPS), [OP_F32X4_SUB] = BIN(SUBPS), [OP_F32X4_MUL] = BIN(MULPS),
    [OP_F32X4_DIV] = BIN(DIVPS), [OP_F32X4_PMIN] = SWAP(MINPS), [OP_F32X4_PMAX] = SWAP(MAXPS),
    [OP_F64X2_ADD] = BIN(ADDPD), [OP_F64X2_SUB] = BIN(SUBPD), [OP_F64X2_MUL] = BIN(MULPD),
    [OP_F64X2_DIV] = BIN(DIVPD), [OP_F64X2_PMIN] = SWAP(MINPD), [OP_F64X2_PMAX] = SWAP(MAXPD),
    [OP_F32X4_SQRT] = UN(SQRTPS), [OP_F64X2_SQRT] = UN(SQRTPD),
    [OP_F32X4_CONVERT_I32X4_S] = UN(CVTDQ2PS), [OP_F64X2_CONVERT_LOW_I32X4_S] = UN(CVTDQ2PD),
    [OP_F32X4_DEMOTE_F64X2_ZERO] = UN(CVTPD2PS), [OP_F64X2_PROMOTE_LOW_F32X4] = UN(CVTPS2PD),
    [OP_I8X16_ABS] = UN(PABSB), [OP_I16X8_ABS] = UN(PABSW), [OP_I32X4_ABS] = UN(PABSD),
    [OP_F32X4_NEAREST] = ROUND(ROUNDPS, 0), [OP_F32X4_FLOOR] = ROUND(ROUNDPS, 1),
    [OP_F32X4_CEIL] = ROUND(ROUNDPS, 2), [OP_F32X4_TRUNC] = ROUND(ROUNDPS, 3),
    [OP_F64X2_NEAREST] = ROUND(ROUNDPD, 0), [OP_F64X2_FLOOR] = ROUND(ROUNDPD, 1),
    [OP_F64X2_CEIL] = ROUND(ROUNDPD, 2), [OP_F64X2_TRUNC] = ROUND(ROUNDPD, 3),
};

/* ---- small helpers ---- */

static bool has(const Comp *c, uint8_t ext) {
    return c->ext >= ext;
}

static uint8_t popx(Comp *c) {
    return jit_pop_reg(c, NULL);
}

static void freex(Comp *c, uint8_t r) {
    jit_free_reg(c, T_V128, r);
}

static void pushv(Comp *c, uint8_t r) {
    jit_push_reg(c, T_V128, r);
}

static void vrr(Comp *c, X64Vec op, uint8_t reg, uint8_t rm) {
    x64_vec_rr(CB, op, reg, rm);
}

static void vmov(Comp *c, uint8_t dst, uint8_t src) {
    if (dst != src)
        x64_sse_rr(CB, X64_MOVAPS, dst, src);
}

static void vzero(Comp *c, uint8_t r) {
    vrr(c, X64_PXOR, r, r);
}

/* op r, [constant] */
static void vconst_op(Comp *c, X64Vec op, uint8_t r, uint64_t lo, uint64_t hi) {
    x64_vec_rl(CB, op, r, jit_const(c, lo, hi));
}

static uint64_t rep8(uint8_t b) {
    return 0x0101010101010101ull * b;
}
static uint64_t rep16(uint16_t h) {
    return 0x0001000100010001ull * h;
}
static uint64_t rep32(uint32_t w) {
    return ((uint64_t)w << 32) | w;
}

void jit_load_v128(Comp *c, uint8_t r, uint64_t lo, uint64_t hi) {
    if (lo == 0 && hi == 0)
        vzero(c, r);
    else if (lo == UINT64_MAX && hi == UINT64_MAX)
        vrr(c, X64_PCMPEQD, r, r);
    else
        vconst_op(c, X64_MOVDQA, r, lo, hi);
}

static void vnot(Comp *c, uint8_t r) {
    vrr(c, X64_PCMPEQD, XS, XS);
    vrr(c, X64_PXOR, r, XS);
}

/* ---- operands folded into instructions ---- */

static bool avx(const Comp *c) {
    return c->ext >= 4;
}

/* The second operand of a form: a register, or read in place: a pooled
 * constant (16-byte aligned), or a local or operand slot when the form
 * tolerates unaligned memory (any VEX form; SSE forms reading 8 bytes or
 * less). The caller frees it with free_src. */
enum { S_REG, S_MEM, S_CONST };
typedef struct Src {
    uint8_t kind, reg;
    uint32_t label;
    X64Mem m;
} Src;

enum { F_CONST = 1, F_MEM = 2 };

static bool foldable(const Comp *c, const VItem *it, unsigned flags) {
    if (it->type != T_V128)
        return false;
    if (it->kind == K_CONST)
        return flags & F_CONST;
    return (it->kind == K_LOCAL || it->kind == K_SLOT) && (flags & F_MEM);
}

static Src pop_src(Comp *c, unsigned flags) {
    const VItem *top = &c->vs[c->h - 1];
    Src s = {S_REG, 0, 0, {0}};
    if (!foldable(c, top, flags)) {
        s.reg = popx(c);
        return s;
    }
    if (top->kind == K_CONST) {
        s.kind = S_CONST;
        s.label = jit_const(c, top->c, top->c_hi);
    } else {
        s.kind = S_MEM;
        s.m = top->kind == K_SLOT ? jit_slot(c, c->h - 1) : jit_local(c, top->local);
    }
    jit_pop(c);
    return s;
}

/* Flags for a full 16-byte operand of a packed form. */
static unsigned f16(const Comp *c) {
    return F_CONST | (avx(c) ? F_MEM : 0);
}

static void free_src(Comp *c, Src s) {
    if (s.kind == S_REG)
        freex(c, s.reg);
}

/* dst = a OP s (with SSE: dst = a first, so s must not be dst unless a is). */
static void op3(Comp *c, X64Vec op, uint8_t dst, uint8_t a, Src s) {
    if (avx(c)) {
        if (s.kind == S_REG)
            x64_vex_rr(CB, op, dst, a, s.reg);
        else if (s.kind == S_MEM)
            x64_vex_rm(CB, op, dst, a, s.m);
        else
            x64_vex_rl(CB, op, dst, a, s.label);
        return;
    }
    vmov(c, dst, a);
    if (s.kind == S_REG)
        vrr(c, op, dst, s.reg);
    else if (s.kind == S_MEM)
        x64_vec_rm(CB, op, dst, s.m);
    else
        x64_vec_rl(CB, op, dst, s.label);
}

/* dst = OP s, for forms without a second source (pmovzx, pabs, cvt...). */
static void op2(Comp *c, X64Vec op, uint8_t dst, Src s) {
    if (avx(c)) {
        if (s.kind == S_REG)
            x64_vex_rr(CB, op, dst, 0, s.reg);
        else if (s.kind == S_MEM)
            x64_vex_rm(CB, op, dst, 0, s.m);
        else
            x64_vex_rl(CB, op, dst, 0, s.label);
        return;
    }
    if (s.kind == S_REG)
        vrr(c, op, dst, s.reg);
    else if (s.kind == S_MEM)
        x64_vec_rm(CB, op, dst, s.m);
    else
        x64_vec_rl(CB, op, dst, s.label);
}

/* dst = a OP b for registers (VEX: no copy). */
static void rrr(Comp *c, X64Vec op, uint8_t dst, uint8_t a, uint8_t b) {
    Src s = {S_REG, b, 0, {0}};
    op3(c, op, dst, a, s);
}

/* dst = src shifted by an immediate. */
static void vshift_to(Comp *c, X64VShift op, uint8_t dst, uint8_t src, uint8_t imm) {
    if (avx(c)) {
        x64_vex_shift_ri(CB, op, dst, src, imm);
        return;
    }
    vmov(c, dst, src);
    x64_vshift_ri(CB, op, dst, imm);
}

/* Pop the top entry and drop it without loading it. */
static void drop(Comp *c) {
    VItem it = jit_pop(c);
    if (it.kind == K_REG)
        jit_free_reg(c, it.type, it.reg);
}

/* ---- the C helper fallback ---- */

static uint8_t stack_type(char ch) {
    switch (ch) {
    case 'i': return T_I32;
    case 'I': return T_I64;
    case 'f': return T_F32;
    case 'F': return T_F64;
    default: return T_V128;
    }
}

/* Operands to their slots, the helper called with pointers to them, the
 * result left in the slot of the first operand's place. `extra` (or NULL)
 * is passed as the third pointer (the shuffle's lanes). */
static bool simd_libcall(Comp *c, const Instr *in, const void *extra) {
    JSimdFn fn = jit_simd_helpers[in->op];
    const char *stack = op_info[in->op].stack;
    const char *colon = strchr(stack, ':');
    if (!fn || !colon || !colon[1])
        return false;
    uint32_t n_in = (uint32_t)(colon - stack);
    uint8_t rtype = stack_type(colon[1]);
    static const X64Reg args[] = {X64_RSI, X64_RDX, X64_RCX};
    jit_spill_regs(c);
    uint32_t first = c->h - n_in;
    for (uint32_t i = first; i < c->h; i++)
        jit_spill_item(c, i);
    for (uint32_t k = 0; k < n_in; k++)
        x64_lea(CB, true, args[k], jit_slot(c, first + k));
    if (extra)
        x64_mov_ri(CB, X64_RCX, (uint64_t)(uintptr_t)extra);
    x64_lea(CB, true, X64_RDI, jit_slot_at(c, c->soff[first], jit_width(rtype)));
    for (uint32_t k = 0; k < n_in; k++)
        jit_pop(c);
    jit_call_c(c, (const void *)fn);
    jit_push_slot(c, rtype);
    return true;
}

/* ---- table rows ---- */

/* Forms whose operands commute: the one in a register becomes the
 * destination, the other may be read in place. */
static bool commutes(X64Vec op) {
    switch (op) {
    case X64_PADDB: case X64_PADDW: case X64_PADDD: case X64_PADDQ:
    case X64_PADDSB: case X64_PADDSW: case X64_PADDUSB: case X64_PADDUSW:
    case X64_PMULLW: case X64_PMULLD: case X64_PMULHW: case X64_PMULHUW:
    case X64_PMADDWD: case X64_PAVGB: case X64_PAVGW:
    case X64_PMINUB: case X64_PMAXUB: case X64_PMINSW: case X64_PMAXSW:
    case X64_PMINSB: case X64_PMAXSB: case X64_PMINUW: case X64_PMAXUW:
    case X64_PMINSD: case X64_PMAXSD: case X64_PMINUD: case X64_PMAXUD:
    case X64_PAND: case X64_POR: case X64_PXOR:
    case X64_PCMPEQB: case X64_PCMPEQW: case X64_PCMPEQD: case X64_PCMPEQQ: return true;
    default: return false;
    }
}

static void lower_row(Comp *c, const SRow *r) {
    X64Vec op = (X64Vec)r->op;
    if (r->kind == R_UN) {
        Src s = pop_src(c, f16(c));
        uint8_t d = s.kind == S_REG ? s.reg : jit_alloc(c, true);
        op2(c, op, d, s);
        pushv(c, d);
        return;
    }
    if (r->kind == R_UNIMM) {
        uint8_t a = popx(c);
        x64_vec_rri(CB, op, a, a, r->imm);
        pushv(c, a);
        return;
    }
    bool swap = r->kind == R_SWAP || r->kind == R_SWAPNOT || r->kind == R_SWAPIMM;
    bool imm = r->kind == R_IMM || r->kind == R_SWAPIMM;
    unsigned flags = imm ? (avx(c) ? F_MEM : 0) : f16(c);
    const VItem *b_it = &c->vs[c->h - 1], *a_it = &c->vs[c->h - 2];
    if (!swap && commutes(op) && b_it->kind == K_REG && foldable(c, a_it, flags))
        swap = true; /* b op a */
    uint8_t dst;
    Src s;
    if (swap) {
        dst = popx(c);
        s = pop_src(c, flags);
    } else {
        s = pop_src(c, flags);
        dst = popx(c);
    }
    if (!imm) {
        op3(c, op, dst, dst, s);
    } else if (avx(c)) {
        if (s.kind == S_REG)
            x64_vex_rri(CB, op, dst, dst, s.reg, r->imm);
        else {
            x64_vex_rm(CB, op, dst, dst, s.m);
            x64_byte(CB, r->imm);
        }
    } else {
        x64_vec_rri(CB, op, dst, s.reg, r->imm);
    }
    if (r->kind == R_NOT || r->kind == R_SWAPNOT)
        vnot(c, dst);
    free_src(c, s);
    pushv(c, dst);
}

/* ---- bitwise, tests ---- */

/* (a & m) | (b & ~m) */
static void bitselect(Comp *c) {
    uint8_t m = popx(c), b = popx(c), a = popx(c);
    vrr(c, X64_PAND, a, m);
    vrr(c, X64_PANDN, m, b);
    vrr(c, X64_POR, a, m);
    freex(c, m);
    freex(c, b);
    pushv(c, a);
}

static void push_flag(Comp *c, X64Cond cc) {
    uint8_t r = jit_alloc(c, false);
    x64_setcc(CB, cc, (X64Reg)r);
    x64_movzx_r8(CB, (X64Reg)r, (X64Reg)r);
    jit_push_reg(c, T_I32, r);
}

static void any_true(Comp *c) {
    uint8_t a = popx(c);
    if (has(c, 2)) {
        vrr(c, X64_PTEST, a, a);
        freex(c, a);
        push_flag(c, X64_NE);
        return;
    }
    vzero(c, XS);
    vrr(c, X64_PCMPEQB, a, XS);
    vrr(c, X64_PMOVMSKB, J_SCRATCH, a);
    x64_alu_ri(CB, X64_CMP, false, J_SCRATCH, 0xffff);
    freex(c, a);
    push_flag(c, X64_NE);
}

/* all_true: no lane equal to zero. */
static bool all_true(Comp *c, X64Vec eq) {
    if (x64_vec_ext(eq) > c->ext)
        return false;
    uint8_t a = popx(c);
    vzero(c, XS);
    vrr(c, eq, XS, a);
    vrr(c, X64_PMOVMSKB, J_SCRATCH, XS);
    x64_test_rr(CB, false, J_SCRATCH, J_SCRATCH);
    freex(c, a);
    push_flag(c, X64_E);
    return true;
}

static void bitmask(Comp *c, uint32_t op) {
    uint8_t a = popx(c);
    uint8_t r = jit_alloc(c, false);
    switch (op) {
    case OP_I8X16_BITMASK: vrr(c, X64_PMOVMSKB, r, a); break;
    case OP_I16X8_BITMASK:
        vrr(c, X64_PACKSSWB, a, a);
        vrr(c, X64_PMOVMSKB, r, a);
        x64_movzx_r8(CB, (X64Reg)r, (X64Reg)r);
        break;
    case OP_I32X4_BITMASK: vrr(c, X64_MOVMSKPS, r, a); break;
    default: vrr(c, X64_MOVMSKPD, r, a); break;
    }
    freex(c, a);
    jit_push_reg(c, T_I32, r);
}

/* ---- integer arithmetic ---- */

static void neg(Comp *c, X64Vec sub) {
    uint8_t a = popx(c);
    if (avx(c)) { /* a = 0 - a */
        vzero(c, XS);
        x64_vex_rr(CB, sub, a, XS, a);
    } else {
        vmov(c, XS, a);
        vzero(c, a);
        vrr(c, sub, a, XS);
    }
    pushv(c, a);
}

/* xmm14 = each 64-bit lane's sign, all bits. */
static void sign64(Comp *c, uint8_t a) {
    x64_vec_rri(CB, X64_PSHUFD, XS2, a, 0xF5);
    x64_vshift_ri(CB, X64_PSRAD_I, XS2, 31);
}

static void abs64(Comp *c) {
    uint8_t a = popx(c);
    sign64(c, a);
    vrr(c, X64_PXOR, a, XS2);
    vrr(c, X64_PSUBQ, a, XS2);
    pushv(c, a);
}

static void mul64(Comp *c) {
    uint8_t b = popx(c), a = popx(c);
    vshift_to(c, X64_PSRLQ_I, XS, a, 32);
    vrr(c, X64_PMULUDQ, XS, b); /* ah * bl */
    vshift_to(c, X64_PSRLQ_I, XS2, b, 32);
    vrr(c, X64_PMULUDQ, XS2, a); /* al * bh */
    vrr(c, X64_PADDQ, XS, XS2);
    x64_vshift_ri(CB, X64_PSLLQ_I, XS, 32);
    vrr(c, X64_PMULUDQ, a, b); /* al * bl */
    vrr(c, X64_PADDQ, a, XS);
    freex(c, b);
    pushv(c, a);
}

/* le_u / ge_u through max/min: a >= b <=> max(a, b) == a. */
static bool ucmp(Comp *c, X64Vec max, X64Vec min, X64Vec eq, bool ge) {
    if (x64_vec_ext(max) > c->ext)
        return false;
    Src b = pop_src(c, f16(c));
    uint8_t a = popx(c);
    op3(c, ge ? max : min, XS2, a, b);
    vrr(c, eq, a, XS2);
    free_src(c, b);
    pushv(c, a);
    return true;
}

/* lt_u / gt_u as signed compares of both operands with the sign bit
 * flipped (no negation needed; a constant operand is flipped here). */
static void ucmp_flip(Comp *c, X64Vec gt, uint64_t bias, bool lt) {
    const VItem *top = &c->vs[c->h - 1];
    Src k = {S_CONST, 0, jit_const(c, bias, bias), {0}};
    Src b;
    if (top->kind == K_CONST) { /* b ^ bias, folded */
        b.kind = S_CONST;
        b.label = jit_const(c, top->c ^ bias, top->c_hi ^ bias);
        jit_pop(c);
    } else {
        b = pop_src(c, f16(c)); /* xmm15 = b ^ bias */
        if (b.kind == S_REG) {
            op3(c, X64_PXOR, XS, b.reg, k);
        } else {
            x64_vec_rl(CB, X64_MOVDQA, XS, k.label);
            op3(c, X64_PXOR, XS, XS, b);
        }
        free_src(c, b);
        b.kind = S_REG;
        b.reg = XS;
    }
    uint8_t a = popx(c);
    op3(c, X64_PXOR, a, a, k);
    if (!lt) { /* a' > b' */
        op3(c, gt, a, a, b);
    } else if (avx(c)) { /* b' > a' */
        if (b.kind == S_CONST) {
            x64_vec_rl(CB, X64_MOVDQA, XS, b.label);
            b.kind = S_REG;
            b.reg = XS;
        }
        x64_vex_rr(CB, gt, a, b.reg, a);
    } else {
        if (b.kind == S_CONST)
            x64_vec_rl(CB, X64_MOVDQA, XS, b.label);
        vrr(c, gt, XS, a);
        vmov(c, a, XS);
    }
    pushv(c, a);
}

static bool lower_ucmp(Comp *c, uint32_t op) {
    X64Vec max, min, eq, gt;
    uint32_t base;
    uint64_t bias;
    if (op >= OP_I8X16_EQ && op <= OP_I8X16_GE_U) {
        max = X64_PMAXUB, min = X64_PMINUB, eq = X64_PCMPEQB, gt = X64_PCMPGTB;
        base = OP_I8X16_EQ, bias = rep8(0x80);
    } else if (op >= OP_I16X8_EQ && op <= OP_I16X8_GE_U) {
        max = X64_PMAXUW, min = X64_PMINUW, eq = X64_PCMPEQW, gt = X64_PCMPGTW;
        base = OP_I16X8_EQ, bias = rep16(0x8000);
    } else {
        max = X64_PMAXUD, min = X64_PMINUD, eq = X64_PCMPEQD, gt = X64_PCMPGTD;
        base = OP_I32X4_EQ, bias = rep32(0x80000000u);
    }
    /* eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u */
    switch (op - base) {
    case 3: ucmp_flip(c, gt, bias, true); return true;  /* lt_u */
    case 5: ucmp_flip(c, gt, bias, false); return true; /* gt_u */
    case 7: return ucmp(c, max, min, eq, false);        /* le_u */
    default: return ucmp(c, max, min, eq, true);        /* ge_u */
    }
}

/* q15mulr: pmulhrsw, whose one overflow (0x8000 * 0x8000) gives 0x8000
 * where the saturating result is 0x7fff. */
static bool q15mulr(Comp *c) {
    if (!has(c, 1))
        return false;
    uint8_t b = popx(c), a = popx(c);
    vrr(c, X64_PMULHRSW, a, b);
    vconst_op(c, X64_MOVDQA, XS, rep16(0x8000), rep16(0x8000));
    vrr(c, X64_PCMPEQW, XS, a);
    vrr(c, X64_PXOR, a, XS);
    freex(c, b);
    pushv(c, a);
    return true;
}

/* Widening of the low/high half: sign- or zero-extended lanes. */
static void extend_reg(Comp *c, uint8_t a, uint8_t bits, bool high, bool sign) {
    static const X64Vec lo_unpack[] = {X64_PUNPCKLBW, X64_PUNPCKLWD, X64_PUNPCKLDQ};
    static const X64Vec hi_unpack[] = {X64_PUNPCKHBW, X64_PUNPCKHWD, X64_PUNPCKHDQ};
    static const X64Vec zx[] = {X64_PMOVZXBW, X64_PMOVZXWD, X64_PMOVZXDQ};
    static const X64Vec sx[] = {X64_PMOVSXBW, X64_PMOVSXWD, X64_PMOVSXDQ};
    int k = bits == 8 ? 0 : bits == 16 ? 1 : 2;
    X64Vec unpack = high ? hi_unpack[k] : lo_unpack[k];
    if (has(c, 2) && !high) {
        vrr(c, sign ? sx[k] : zx[k], a, a);
    } else if (!sign) {
        vzero(c, XS);
        vrr(c, unpack, a, XS);
    } else if (bits < 32) { /* duplicate each lane, then shift the copy down */
        vrr(c, unpack, a, a);
        x64_vshift_ri(CB, bits == 8 ? X64_PSRAW_I : X64_PSRAD_I, a, bits);
    } else {
        vshift_to(c, X64_PSRAD_I, XS, a, 31);
        vrr(c, unpack, a, XS);
    }
}

/* pmovzx/pmovsx of the low half, the source read in place if it is not in
 * a register (8 bytes: no alignment needed). */
static uint8_t extend_low(Comp *c, uint8_t bits, bool sign) {
    static const X64Vec zx[] = {X64_PMOVZXBW, X64_PMOVZXWD, X64_PMOVZXDQ};
    static const X64Vec sx[] = {X64_PMOVSXBW, X64_PMOVSXWD, X64_PMOVSXDQ};
    int k = bits == 8 ? 0 : bits == 16 ? 1 : 2;
    Src s = pop_src(c, F_CONST | F_MEM);
    uint8_t d = s.kind == S_REG ? s.reg : jit_alloc(c, true);
    op2(c, sign ? sx[k] : zx[k], d, s);
    return d;
}

static void extend(Comp *c, uint8_t bits, bool high, bool sign) {
    if (!high && has(c, 2)) {
        pushv(c, extend_low(c, bits, sign));
        return;
    }
    uint8_t a = popx(c);
    extend_reg(c, a, bits, high, sign);
    pushv(c, a);
}

static void extmul(Comp *c, uint8_t bits, bool high, bool sign) {
    if (bits == 8 && !high && has(c, 2)) {
        uint8_t b = extend_low(c, 8, sign), a = extend_low(c, 8, sign);
        vrr(c, X64_PMULLW, a, b);
        freex(c, b);
        pushv(c, a);
        return;
    }
    uint8_t b = popx(c), a = popx(c);
    if (bits == 8) {
        extend_reg(c, a, 8, high, sign);
        extend_reg(c, b, 8, high, sign);
        vrr(c, X64_PMULLW, a, b);
    } else if (bits == 16) { /* low and high halves of the 32-bit products */
        rrr(c, sign ? X64_PMULHW : X64_PMULHUW, XS2, a, b);
        vrr(c, X64_PMULLW, a, b);
        vrr(c, high ? X64_PUNPCKHWD : X64_PUNPCKLWD, a, XS2);
    } else { /* lanes 0,1 (or 2,3) to the even positions, then pmul(u)dq */
        uint8_t sel = high ? 0xFA : 0x50;
        x64_vec_rri(CB, X64_PSHUFD, a, a, sel);
        x64_vec_rri(CB, X64_PSHUFD, b, b, sel);
        if (sign && !has(c, 2)) {
            /* (a*b)u - (a<0 ? b<<32 : 0) - (b<0 ? a<<32 : 0), mod 2^64 */
            vshift_to(c, X64_PSRAD_I, XS, a, 31);
            vrr(c, X64_PAND, XS, b);
            vshift_to(c, X64_PSRAD_I, XS2, b, 31);
            vrr(c, X64_PAND, XS2, a);
            vrr(c, X64_PADDD, XS, XS2);
            x64_vshift_ri(CB, X64_PSLLQ_I, XS, 32);
            vrr(c, X64_PMULUDQ, a, b);
            vrr(c, X64_PSUBQ, a, XS);
        } else {
            vrr(c, sign ? X64_PMULDQ : X64_PMULUDQ, a, b);
        }
    }
    freex(c, b);
    pushv(c, a);
}

static bool extadd(Comp *c, uint32_t op) {
    switch (op) {
    case OP_I16X8_EXTADD_PAIRWISE_I8X16_S:
    case OP_I16X8_EXTADD_PAIRWISE_I8X16_U: {
        if (!has(c, 1))
            return false;
        uint8_t a = popx(c);
        vconst_op(c, X64_MOVDQA, XS, rep8(1), rep8(1));
        if (op == OP_I16X8_EXTADD_PAIRWISE_I8X16_S) { /* ones unsigned x a signed */
            vrr(c, X64_PMADDUBSW, XS, a);
            vmov(c, a, XS);
        } else {
            vrr(c, X64_PMADDUBSW, a, XS);
        }
        pushv(c, a);
        return true;
    }
    case OP_I32X4_EXTADD_PAIRWISE_I16X8_S: {
        uint8_t a = popx(c);
        vconst_op(c, X64_PMADDWD, a, rep16(1), rep16(1));
        pushv(c, a);
        return true;
    }
    default: { /* unsigned: bias to signed, sum, unbias */
        uint8_t a = popx(c);
        vconst_op(c, X64_PXOR, a, rep16(0x8000), rep16(0x8000));
        vconst_op(c, X64_PMADDWD, a, rep16(1), rep16(1));
        vconst_op(c, X64_PADDD, a, rep32(0x10000), rep32(0x10000));
        pushv(c, a);
        return true;
    }
    }
}

static bool popcnt8(Comp *c) {
    if (!has(c, 1))
        return false;
    uint8_t a = popx(c);
    uint8_t t = jit_alloc(c, true);
    const uint64_t lut_lo = 0x0302020102010100ull, lut_hi = 0x0403030203020201ull;
    vshift_to(c, X64_PSRLW_I, XS2, a, 4);
    vconst_op(c, X64_PAND, XS2, rep8(0x0F), rep8(0x0F));
    vconst_op(c, X64_PAND, a, rep8(0x0F), rep8(0x0F));
    jit_load_v128(c, XS, lut_lo, lut_hi);
    vrr(c, X64_PSHUFB, XS, a);
    jit_load_v128(c, t, lut_lo, lut_hi);
    vrr(c, X64_PSHUFB, t, XS2);
    vrr(c, X64_PADDB, XS, t);
    vmov(c, a, XS);
    freex(c, t);
    pushv(c, a);
    return true;
}

/* relaxed dot products, both operands' lanes signed */
static void dot8(Comp *c, bool add) {
    uint8_t acc = add ? popx(c) : X64_NOREG;
    uint8_t b = popx(c), a = popx(c);
    /* even lanes sign-extended in XS2 (a) and XS (b), odd lanes in a, b */
    vshift_to(c, X64_PSLLW_I, XS2, a, 8);
    x64_vshift_ri(CB, X64_PSRAW_I, XS2, 8);
    vshift_to(c, X64_PSLLW_I, XS, b, 8);
    x64_vshift_ri(CB, X64_PSRAW_I, XS, 8);
    x64_vshift_ri(CB, X64_PSRAW_I, a, 8);
    x64_vshift_ri(CB, X64_PSRAW_I, b, 8);
    if (!add) {
        vrr(c, X64_PMULLW, XS2, XS);
        vrr(c, X64_PMULLW, a, b);
        vrr(c, X64_PADDW, a, XS2);
    } else {
        vrr(c, X64_PMADDWD, XS2, XS);
        vrr(c, X64_PMADDWD, a, b);
        vrr(c, X64_PADDD, a, XS2);
        vrr(c, X64_PADDD, a, acc);
        freex(c, acc);
    }
    freex(c, b);
    pushv(c, a);
}

/* ---- shifts ---- */

/* The count into xmm15 (masked to the lane width, plus `bias`), or an
 * immediate: returns true with *imm set when the count is constant. */
static bool shift_count(Comp *c, uint8_t bits, uint8_t bias, uint8_t *imm) {
    int32_t v;
    if (jit_pop_imm(c, &v)) {
        *imm = (uint8_t)((v & (bits - 1)) + bias);
        return true;
    }
    uint8_t r = jit_pop_reg(c, NULL);
    x64_alu_ri(CB, X64_AND, false, (X64Reg)r, bits - 1);
    if (bias)
        x64_alu_ri(CB, X64_ADD, false, (X64Reg)r, bias);
    x64_vec_rr(CB, X64_MOVD_X, XS, r);
    jit_free_reg(c, T_I32, r);
    return false;
}

static void vshift(Comp *c, uint8_t a, X64Vec by_reg, X64VShift by_imm, bool is_imm, uint8_t n) {
    if (is_imm)
        x64_vshift_ri(CB, by_imm, a, n);
    else
        vrr(c, by_reg, a, XS);
}

/* i8 lanes: each byte doubled into a word, shifted as words, packed back. */
static void shift8(Comp *c, int kind) {
    uint8_t n = 0;
    bool imm = shift_count(c, 8, kind == 0 ? 0 : 8, &n);
    uint8_t a = popx(c);
    rrr(c, X64_PUNPCKHBW, XS2, a, a);
    vrr(c, X64_PUNPCKLBW, a, a);
    if (kind == 0) { /* shl: the low byte of each word, masked */
        vshift(c, a, X64_PSLLW, X64_PSLLW_I, imm, n);
        vshift(c, XS2, X64_PSLLW, X64_PSLLW_I, imm, n);
        vconst_op(c, X64_PAND, a, rep16(0xFF), rep16(0xFF));
        vconst_op(c, X64_PAND, XS2, rep16(0xFF), rep16(0xFF));
        vrr(c, X64_PACKUSWB, a, XS2);
    } else if (kind == 1) { /* shr_s: the high byte shifted down by 8 + n */
        vshift(c, a, X64_PSRAW, X64_PSRAW_I, imm, n);
        vshift(c, XS2, X64_PSRAW, X64_PSRAW_I, imm, n);
        vrr(c, X64_PACKSSWB, a, XS2);
    } else {
        vshift(c, a, X64_PSRLW, X64_PSRLW_I, imm, n);
        vshift(c, XS2, X64_PSRLW, X64_PSRLW_I, imm, n);
        vrr(c, X64_PACKUSWB, a, XS2);
    }
    pushv(c, a);
}

static void shift(Comp *c, uint32_t op) {
    static const struct {
        uint16_t op;
        uint8_t bits;
        uint8_t reg;   /* X64Vec */
        uint8_t by_imm; /* X64VShift */
    } forms[] = {
        {OP_I16X8_SHL, 16, X64_PSLLW, X64_PSLLW_I}, {OP_I16X8_SHR_S, 16, X64_PSRAW, X64_PSRAW_I},
        {OP_I16X8_SHR_U, 16, X64_PSRLW, X64_PSRLW_I}, {OP_I32X4_SHL, 32, X64_PSLLD, X64_PSLLD_I},
        {OP_I32X4_SHR_S, 32, X64_PSRAD, X64_PSRAD_I}, {OP_I32X4_SHR_U, 32, X64_PSRLD, X64_PSRLD_I},
        {OP_I64X2_SHL, 64, X64_PSLLQ, X64_PSLLQ_I}, {OP_I64X2_SHR_U, 64, X64_PSRLQ, X64_PSRLQ_I},
        {OP_I64X2_SHR_S, 64, X64_PSRLQ, X64_PSRLQ_I},
    };
    if (op == OP_I8X16_SHL || op == OP_I8X16_SHR_S || op == OP_I8X16_SHR_U) {
        shift8(c, op == OP_I8X16_SHL ? 0 : op == OP_I8X16_SHR_S ? 1 : 2);
        return;
    }
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (forms[i].op != op)
            continue;
        uint8_t n = 0;
        bool imm = shift_count(c, forms[i].bits, 0, &n);
        uint8_t a = popx(c);
        if (op == OP_I64X2_SHR_S) { /* ((a ^ s) >>u n) ^ s, s = the sign */
            sign64(c, a);
            vrr(c, X64_PXOR, a, XS2);
            vshift(c, a, X64_PSRLQ, X64_PSRLQ_I, imm, n);
            vrr(c, X64_PXOR, a, XS2);
        } else {
            vshift(c, a, (X64Vec)forms[i].reg, (X64VShift)forms[i].by_imm, imm, n);
        }
        pushv(c, a);
        return;
    }
}

/* ---- float ---- */

/* Wasm min/max: NaN (as a + b) if either is NaN, -0 < +0. */
static void fminmax(Comp *c, bool d, bool max) {
    uint8_t b = popx(c), a = popx(c);
    X64Vec mm = max ? (d ? X64_MAXPD : X64_MAXPS) : (d ? X64_MINPD : X64_MINPS);
    uint8_t t = jit_alloc(c, true);
    X64Vec cmp = d ? X64_CMPPD : X64_CMPPS;
    rrr(c, mm, XS, a, b);
    rrr(c, mm, XS2, b, a);
    vrr(c, max ? X64_PAND : X64_POR, XS, XS2); /* the two agree but on +-0 */
    if (avx(c)) {
        x64_vex_rri(CB, cmp, t, a, b, 3); /* unordered */
    } else {
        vmov(c, t, a);
        x64_vec_rri(CB, cmp, t, b, 3);
    }
    vrr(c, d ? X64_ADDPD : X64_ADDPS, a, b);              /* the NaN result */
    vrr(c, X64_PAND, a, t);
    vrr(c, X64_PANDN, t, XS);
    vrr(c, X64_POR, a, t);
    freex(c, t);
    freex(c, b);
    pushv(c, a);
}

static void fbits(Comp *c, bool d, bool negate) {
    uint8_t a = popx(c);
    vrr(c, X64_PCMPEQD, XS, XS);
    if (negate) {
        x64_vshift_ri(CB, d ? X64_PSLLQ_I : X64_PSLLD_I, XS, d ? 63 : 31);
        vrr(c, X64_PXOR, a, XS);
    } else {
        x64_vshift_ri(CB, d ? X64_PSRLQ_I : X64_PSRLD_I, XS, 1);
        vrr(c, X64_PAND, a, XS);
    }
    pushv(c, a);
}

static void madd(Comp *c, bool d, bool negate) {
    uint8_t cc = popx(c), b = popx(c), a = popx(c);
    vrr(c, d ? X64_MULPD : X64_MULPS, a, b);
    if (negate) { /* c - a * b */
        vrr(c, d ? X64_SUBPD : X64_SUBPS, cc, a);
        vmov(c, a, cc);
    } else {
        vrr(c, d ? X64_ADDPD : X64_ADDPS, a, cc);
    }
    freex(c, cc);
    freex(c, b);
    pushv(c, a);
}

/* ---- conversions ---- */

static void convert_u32(Comp *c) {
    uint8_t a = popx(c);
    vshift_to(c, X64_PSLLD_I, XS, a, 16);
    x64_vshift_ri(CB, X64_PSRLD_I, XS, 16); /* low 16 bits */
    vrr(c, X64_PSUBD, a, XS);              /* high 16 bits */
    vrr(c, X64_CVTDQ2PS, XS, XS);          /* exact */
    x64_vshift_ri(CB, X64_PSRLD_I, a, 1);
    vrr(c, X64_CVTDQ2PS, a, a);
    vrr(c, X64_ADDPS, a, a);
    vrr(c, X64_ADDPS, a, XS); /* the one rounding */
    pushv(c, a);
}

static void convert_low_u32(Comp *c) {
    uint8_t a = popx(c);
    const uint64_t two52 = 0x4330000000000000ull;
    vconst_op(c, X64_PUNPCKLDQ, a, rep32(0x43300000), rep32(0x43300000)); /* 2^52 + x */
    vconst_op(c, X64_SUBPD, a, two52, two52);
    pushv(c, a);
}

static void trunc_sat32_s(Comp *c) {
    uint8_t a = popx(c);
    vmov(c, XS, a);
    x64_vec_rri(CB, X64_CMPPS, XS, XS, 0); /* not NaN */
    vrr(c, X64_PAND, a, XS);               /* NaN -> 0 */
    vrr(c, X64_PXOR, XS, a);               /* sign bit: a >= 0 */
    vrr(c, X64_CVTTPS2DQ, a, a);           /* out of range -> 0x80000000 */
    vrr(c, X64_PAND, XS, a);
    x64_vshift_ri(CB, X64_PSRAD_I, XS, 31); /* positive overflow */
    vrr(c, X64_PXOR, a, XS);
    pushv(c, a);
}

static bool trunc_sat32_u(Comp *c) {
    if (!has(c, 2))
        return false;
    uint8_t a = popx(c);
    vzero(c, XS);
    vrr(c, X64_MAXPS, a, XS); /* NaN, negative -> 0 */
    vrr(c, X64_PCMPEQD, XS, XS);
    x64_vshift_ri(CB, X64_PSRLD_I, XS, 1);
    vrr(c, X64_CVTDQ2PS, XS, XS); /* 2^31 */
    rrr(c, X64_SUBPS, XS2, a, XS);
    x64_vec_rri(CB, X64_CMPPS, XS, XS2, 2); /* 2^31 <= a - 2^31: too large */
    vrr(c, X64_CVTTPS2DQ, XS2, XS2);
    vrr(c, X64_PXOR, XS2, XS);
    vzero(c, XS);
    vrr(c, X64_PMAXSD, XS2, XS);
    vrr(c, X64_CVTTPS2DQ, a, a);
    vrr(c, X64_PADDD, a, XS2);
    pushv(c, a);
    return true;
}

static void trunc_sat64_s(Comp *c) {
    uint8_t a = popx(c);
    union { double d; uint64_t u; } max = {2147483647.0};
    vmov(c, XS, a);
    x64_vec_rri(CB, X64_CMPPD, XS, XS, 0); /* not NaN */
    vconst_op(c, X64_PAND, XS, max.u, max.u);
    vrr(c, X64_MINPD, a, XS); /* NaN -> 0, too large -> max */
    vrr(c, X64_CVTTPD2DQ, a, a);
    pushv(c, a);
}

static bool trunc_sat64_u(Comp *c) {
    if (!has(c, 2))
        return false;
    uint8_t a = popx(c);
    union { double d; uint64_t u; } max = {4294967295.0}, two52 = {4503599627370496.0};
    vzero(c, XS);
    vrr(c, X64_MAXPD, a, XS); /* NaN, negative -> 0 */
    vconst_op(c, X64_MINPD, a, max.u, max.u);
    x64_vec_rri(CB, X64_ROUNDPD, a, a, 8 | 3);
    vconst_op(c, X64_ADDPD, a, two52.u, two52.u); /* the integer in the low bits */
    x64_vec_rri(CB, X64_SHUFPS, a, XS, 0x88);
    pushv(c, a);
    return true;
}

/* ---- lanes ---- */

/* GPR r = lane of v (zero-extended; sign-extended to 32 bits if `sign`). */
static void extract_gpr(Comp *c, uint8_t r, uint8_t v, uint8_t size, uint8_t lane, bool sign) {
    X64Reg g = (X64Reg)r;
    switch (size) {
    case 1:
        if (has(c, 2)) {
            x64_vec_rri(CB, X64_PEXTRB, v, r, lane);
        } else {
            x64_vec_rri(CB, X64_PEXTRW, r, v, lane / 2);
            if (lane & 1)
                x64_shift_ri(CB, X64_SHR, false, g, 8);
        }
        if (sign)
            x64_movsx_rr(CB, false, g, g, 1);
        else
            x64_movzx_r8(CB, g, g);
        return;
    case 2:
        x64_vec_rri(CB, X64_PEXTRW, r, v, lane);
        if (sign)
            x64_movsx_rr(CB, false, g, g, 2);
        return;
    case 4:
        if (lane == 0) {
            x64_vec_rr(CB, X64_MOVD_ST, v, r);
        } else if (has(c, 2)) {
            x64_vec_rri(CB, X64_PEXTRD, v, r, lane);
        } else {
            x64_vec_rri(CB, X64_PSHUFD, XS, v, lane);
            x64_vec_rr(CB, X64_MOVD_ST, XS, r);
        }
        return;
    default:
        if (lane == 0) {
            x64_movd_rx(CB, true, g, v);
        } else if (has(c, 2)) {
            x64_vec_rri(CB, X64_PEXTRQ, v, r, lane);
        } else {
            x64_vec_rri(CB, X64_PSHUFD, XS, v, 0xEE);
            x64_movd_rx(CB, true, g, XS);
        }
        return;
    }
}

/* lane of v = the low `size` bytes of GPR r (may clobber r10, r11, xmm15). */
static void insert_gpr(Comp *c, uint8_t v, uint8_t r, uint8_t size, uint8_t lane) {
    static const X64Vec pinsr[] = {X64_PINSRB, X64_PINSRW, X64_PINSRD, X64_PINSRQ};
    int k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    if (size == 2 || has(c, 2)) {
        x64_vec_rri(CB, pinsr[k], v, r, lane);
        return;
    }
    X64Reg g = (X64Reg)r;
    switch (size) {
    case 1: /* merge the byte into its word */
        x64_vec_rri(CB, X64_PEXTRW, J_SCRATCH, v, lane / 2);
        x64_movzx_r8(CB, J_SCRATCH2, g);
        if (lane & 1) {
            x64_shift_ri(CB, X64_SHL, false, J_SCRATCH2, 8);
            x64_alu_ri(CB, X64_AND, false, J_SCRATCH, 0xFF);
        } else {
            x64_alu_ri(CB, X64_AND, false, J_SCRATCH, 0xFF00);
        }
        x64_alu_rr(CB, X64_OR, false, J_SCRATCH, J_SCRATCH2);
        x64_vec_rri(CB, X64_PINSRW, v, J_SCRATCH, lane / 2);
        return;
    case 4: /* two words */
        x64_mov_rr(CB, false, J_SCRATCH, g);
        x64_vec_rri(CB, X64_PINSRW, v, J_SCRATCH, 2 * lane);
        x64_shift_ri(CB, X64_SHR, false, J_SCRATCH, 16);
        x64_vec_rri(CB, X64_PINSRW, v, J_SCRATCH, 2 * lane + 1);
        return;
    default:
        x64_movd_xr(CB, true, XS, g);
        if (lane == 0)
            x64_sse_rr(CB, X64_MOVSD, v, XS);
        else
            vrr(c, X64_PUNPCKLQDQ, v, XS);
        return;
    }
}

static uint8_t lane_size(uint32_t op) {
    switch (op) {
    case OP_I8X16_EXTRACT_LANE_S:
    case OP_I8X16_EXTRACT_LANE_U:
    case OP_I8X16_REPLACE_LANE:
    case OP_V128_LOAD8_LANE:
    case OP_V128_STORE8_LANE: return 1;
    case OP_I16X8_EXTRACT_LANE_S:
    case OP_I16X8_EXTRACT_LANE_U:
    case OP_I16X8_REPLACE_LANE:
    case OP_V128_LOAD16_LANE:
    case OP_V128_STORE16_LANE: return 2;
    case OP_I32X4_EXTRACT_LANE:
    case OP_F32X4_EXTRACT_LANE:
    case OP_I32X4_REPLACE_LANE:
    case OP_F32X4_REPLACE_LANE:
    case OP_V128_LOAD32_LANE:
    case OP_V128_STORE32_LANE: return 4;
    default: return 8;
    }
}

static void extract_lane(Comp *c, const Instr *in) {
    uint8_t size = lane_size(in->op), lane = in->a;
    bool sign = in->op == OP_I8X16_EXTRACT_LANE_S || in->op == OP_I16X8_EXTRACT_LANE_S;
    bool fl = in->op == OP_F32X4_EXTRACT_LANE || in->op == OP_F64X2_EXTRACT_LANE;
    uint8_t type = fl ? (size == 4 ? T_F32 : T_F64) : (size == 8 ? T_I64 : T_I32);
    const VItem *top = &c->vs[c->h - 1];
    if (top->kind == K_CONST) { /* fold */
        uint8_t bytes[16];
        memcpy(bytes, &top->c, 8);
        memcpy(bytes + 8, &top->c_hi, 8);
        uint64_t v = 0;
        memcpy(&v, bytes + lane * size, size);
        if (sign)
            v = (uint32_t)(size == 1 ? (int32_t)(int8_t)v : (int32_t)(int16_t)v);
        jit_pop(c);
        jit_push_const(c, type, v);
        return;
    }
    if (top->kind == K_LOCAL || top->kind == K_SLOT) { /* a scalar read in place */
        X64Mem m = top->kind == K_SLOT ? jit_slot(c, c->h - 1) : jit_local(c, top->local);
        m.disp += lane * size;
        jit_pop(c);
        uint8_t r = jit_alloc(c, fl);
        if (fl)
            x64_sse_rm(CB, size == 4 ? X64_MOVSS : X64_MOVSD, r, m);
        else
            x64_load(CB, (X64Reg)r, m, size, sign, false);
        if (sign) /* 32-bit result, zero-extended in the register */
            x64_mov_rr(CB, false, (X64Reg)r, (X64Reg)r);
        jit_push_reg(c, type, r);
        return;
    }
    uint8_t v = popx(c);
    if (fl) {
        if (lane)
            x64_vec_rri(CB, X64_PSHUFD, v, v, size == 4 ? lane : 0xEE);
        jit_push_reg(c, type, v);
        return;
    }
    uint8_t r = jit_alloc(c, false);
    extract_gpr(c, r, v, size, lane, sign);
    freex(c, v);
    jit_push_reg(c, type, r);
}

static void replace_lane(Comp *c, const Instr *in) {
    uint8_t size = lane_size(in->op), lane = in->a;
    uint8_t stype;
    uint8_t s = jit_pop_reg(c, &stype);
    uint8_t v = popx(c);
    if (stype == T_F32) {
        if (has(c, 2)) {
            x64_vec_rri(CB, X64_INSERTPS, v, s, (uint8_t)(lane << 4));
        } else {
            x64_movd_rx(CB, false, J_SCRATCH2, s);
            insert_gpr(c, v, J_SCRATCH2, 4, lane);
        }
    } else if (stype == T_F64) {
        if (lane == 0)
            x64_sse_rr(CB, X64_MOVSD, v, s);
        else
            vrr(c, X64_PUNPCKLQDQ, v, s);
    } else {
        insert_gpr(c, v, s, size, lane);
    }
    jit_free_reg(c, stype, s);
    pushv(c, v);
}

static void splat(Comp *c, uint32_t op) {
    const VItem *top = &c->vs[c->h - 1];
    if (top->kind == K_CONST) {
        uint64_t x = top->c, v;
        switch (op) {
        case OP_I8X16_SPLAT: v = rep8((uint8_t)x); break;
        case OP_I16X8_SPLAT: v = rep16((uint16_t)x); break;
        case OP_I32X4_SPLAT:
        case OP_F32X4_SPLAT: v = rep32((uint32_t)x); break;
        default: v = x; break;
        }
        jit_pop(c);
        jit_push_v128(c, v, v);
        return;
    }
    uint8_t type;
    uint8_t s = jit_pop_reg(c, &type);
    uint8_t v = s;
    if (!jit_is_xmm(type)) {
        v = jit_alloc(c, true);
        x64_movd_xr(CB, op == OP_I64X2_SPLAT, v, (X64Reg)s);
        jit_free_reg(c, type, s);
    }
    switch (op) {
    case OP_I8X16_SPLAT:
        if (has(c, 1)) {
            vzero(c, XS);
            vrr(c, X64_PSHUFB, v, XS);
            break;
        }
        vrr(c, X64_PUNPCKLBW, v, v);
        /* fall through */
    case OP_I16X8_SPLAT:
        x64_vec_rri(CB, X64_PSHUFLW, v, v, 0);
        /* fall through */
    case OP_I32X4_SPLAT:
    case OP_F32X4_SPLAT: x64_vec_rri(CB, X64_PSHUFD, v, v, 0); break;
    default: vrr(c, X64_PUNPCKLQDQ, v, v); break;
    }
    pushv(c, v);
}

/* The pshufd immediate when the 16 lane indices move whole 32-bit lanes of
 * one operand (`base` 0 for a, 16 for b); -1 otherwise. */
static int dword_pattern(const uint8_t *lanes, uint8_t base) {
    int imm = 0;
    for (int d = 0; d < 4; d++) {
        uint8_t l0 = (uint8_t)(lanes[4 * d] & 31);
        if (l0 < base || l0 >= base + 16 || (l0 - base) % 4)
            return -1;
        for (int k = 1; k < 4; k++)
            if ((lanes[4 * d + k] & 31) != l0 + k)
                return -1;
        imm |= ((l0 - base) / 4) << (2 * d);
    }
    return imm;
}

static bool shuffle(Comp *c, const Instr *in) {
    const uint8_t *lanes = in->imm.v128;
    const VItem *ta = &c->vs[c->h - 2], *tb = &c->vs[c->h - 1];
    /* the same value twice: every index names a */
    uint8_t same[16];
    bool alias = ta->kind == tb->kind && ta->kind == K_LOCAL && ta->local == tb->local;
    if (alias) {
        for (int i = 0; i < 16; i++)
            same[i] = lanes[i] & 15;
        lanes = same;
    }
    int da = dword_pattern(lanes, 0), db = dword_pattern(lanes, 16);
    if (da >= 0 || db >= 0) { /* pshufd from one operand */
        uint8_t v;
        if (da >= 0) {
            drop(c);
            v = popx(c);
        } else {
            v = popx(c);
            drop(c);
        }
        x64_vec_rri(CB, X64_PSHUFD, v, v, (uint8_t)(da >= 0 ? da : db));
        pushv(c, v);
        return true;
    }
    if (!has(c, 1))
        return simd_libcall(c, in, in->imm.v128);
    uint8_t ma[16], mb[16];
    bool use_a = false, use_b = false;
    for (int i = 0; i < 16; i++) {
        uint8_t l = lanes[i] & 31;
        ma[i] = l < 16 ? l : 0x80;
        mb[i] = l >= 16 ? (uint8_t)(l - 16) : 0x80;
        use_a |= l < 16;
        use_b |= l >= 16;
    }
    uint64_t a_lo, a_hi, b_lo, b_hi;
    memcpy(&a_lo, ma, 8);
    memcpy(&a_hi, ma + 8, 8);
    memcpy(&b_lo, mb, 8);
    memcpy(&b_hi, mb + 8, 8);
    if (!use_b || !use_a) { /* one operand: one pshufb */
        uint8_t v;
        if (!use_b) {
            drop(c);
            v = popx(c);
        } else {
            v = popx(c);
            drop(c);
        }
        Src m = {S_CONST, 0, use_a ? jit_const(c, a_lo, a_hi) : jit_const(c, b_lo, b_hi), {0}};
        op3(c, X64_PSHUFB, v, v, m);
        pushv(c, v);
        return true;
    }
    uint8_t b = popx(c), a = popx(c);
    vconst_op(c, X64_PSHUFB, a, a_lo, a_hi);
    vconst_op(c, X64_PSHUFB, b, b_lo, b_hi);
    vrr(c, X64_POR, a, b);
    freex(c, b);
    pushv(c, a);
    return true;
}

/* swizzle: indices >= 16 select 0 (pshufb zeroes a lane whose index has the
 * top bit set: saturating-add 0x70 sets it for every index >= 16). */
static bool swizzle(Comp *c) {
    if (!has(c, 1))
        return false;
    uint8_t s = popx(c), a = popx(c);
    vconst_op(c, X64_PADDUSB, s, rep8(0x70), rep8(0x70));
    vrr(c, X64_PSHUFB, a, s);
    freex(c, s);
    pushv(c, a);
    return true;
}

/* ---- memory ---- */

static void mem_site(Comp *c, bool site) {
    if (site)
        jit_trap_site(c, TRAP_MEM_OOB);
}

/* Loads of 4, 8 or 16 bytes straight into the register, then widened or
 * splatted in place. */
static bool load(Comp *c, const Instr *in) {
    uint32_t op = in->op;
    uint8_t size = op == OP_V128_LOAD ? 16
                   : op == OP_V128_LOAD32_SPLAT || op == OP_V128_LOAD32_ZERO ? 4
                                                                            : 8;
    bool site;
    X64Mem m = jit_address(c, in, size, &site);
    uint8_t v = jit_alloc(c, true);
    static const struct {
        uint16_t op;
        uint8_t form; /* X64Vec */
    } widen[] = {
        {OP_V128_LOAD8X8_S, X64_PMOVSXBW},  {OP_V128_LOAD8X8_U, X64_PMOVZXBW},
        {OP_V128_LOAD16X4_S, X64_PMOVSXWD}, {OP_V128_LOAD16X4_U, X64_PMOVZXWD},
        {OP_V128_LOAD32X2_S, X64_PMOVSXDQ}, {OP_V128_LOAD32X2_U, X64_PMOVZXDQ},
    };
    for (size_t i = 0; has(c, 2) && i < sizeof widen / sizeof widen[0]; i++) {
        if (widen[i].op != op)
            continue;
        mem_site(c, site); /* the widening load itself */
        x64_vec_rm(CB, (X64Vec)widen[i].form, v, m);
        jit_push_reg(c, T_V128, v);
        return true;
    }
    mem_site(c, site);
    x64_vec_rm(CB, size == 16 ? X64_MOVDQU : size == 4 ? X64_MOVD_X : X64_MOVQ_X, v, m);
    switch (op) {
    case OP_V128_LOAD8X8_S: extend_reg(c, v, 8, false, true); break;
    case OP_V128_LOAD8X8_U: extend_reg(c, v, 8, false, false); break;
    case OP_V128_LOAD16X4_S: extend_reg(c, v, 16, false, true); break;
    case OP_V128_LOAD16X4_U: extend_reg(c, v, 16, false, false); break;
    case OP_V128_LOAD32X2_S: extend_reg(c, v, 32, false, true); break;
    case OP_V128_LOAD32X2_U: extend_reg(c, v, 32, false, false); break;
    case OP_V128_LOAD32_SPLAT: x64_vec_rri(CB, X64_PSHUFD, v, v, 0); break;
    case OP_V128_LOAD64_SPLAT: vrr(c, X64_PUNPCKLQDQ, v, v); break;
    default: break;
    }
    jit_push_reg(c, T_V128, v);
    return true;
}

/* load8_splat / load16_splat: through r11 (the load is the trap site). */
static bool load_small(Comp *c, const Instr *in) {
    uint8_t size = in->op == OP_V128_LOAD8_SPLAT ? 1 : 2;
    bool site;
    X64Mem m = jit_address(c, in, size, &site);
    uint8_t v = jit_alloc(c, true);
    mem_site(c, site);
    x64_load(CB, J_SCRATCH, m, size, false, false);
    x64_movd_xr(CB, false, v, J_SCRATCH);
    if (size == 1) {
        if (has(c, 1)) {
            vzero(c, XS);
            vrr(c, X64_PSHUFB, v, XS);
            jit_push_reg(c, T_V128, v);
            return true;
        }
        vrr(c, X64_PUNPCKLBW, v, v);
    }
    x64_vec_rri(CB, X64_PSHUFLW, v, v, 0);
    x64_vec_rri(CB, X64_PSHUFD, v, v, 0);
    jit_push_reg(c, T_V128, v);
    return true;
}

static void store(Comp *c, const Instr *in) {
    uint8_t v = popx(c);
    bool site;
    X64Mem m = jit_address(c, in, 16, &site);
    mem_site(c, site);
    x64_vec_mr(CB, X64_MOVDQU_ST, m, v);
    freex(c, v);
}

static void load_lane(Comp *c, const Instr *in) {
    uint8_t size = lane_size(in->op), lane = in->b;
    uint8_t v = popx(c);
    bool site;
    X64Mem m = jit_address(c, in, size, &site);
    uint8_t r = jit_alloc(c, false);
    mem_site(c, site);
    x64_load(CB, (X64Reg)r, m, size, false, size == 8);
    insert_gpr(c, v, r, size, lane);
    jit_free_reg(c, T_I64, r);
    pushv(c, v);
}

static void store_lane(Comp *c, const Instr *in) {
    uint8_t size = lane_size(in->op), lane = in->b;
    uint8_t v = popx(c);
    uint8_t r = jit_alloc(c, false);
    extract_gpr(c, r, v, size, lane, false);
    freex(c, v);
    bool site;
    X64Mem m = jit_address(c, in, size, &site);
    mem_site(c, site);
    x64_store(CB, m, (X64Reg)r, size);
    jit_free_reg(c, T_I64, r);
}

/* ---- the switch ---- */

static bool lower_other(Comp *c, const Instr *in) {
    uint32_t op = in->op;
    switch (op) {
    case OP_V128_CONST: {
        uint64_t lo, hi;
        memcpy(&lo, in->imm.v128, 8);
        memcpy(&hi, in->imm.v128 + 8, 8);
        jit_push_v128(c, lo, hi);
        return true;
    }
    case OP_V128_LOAD8_SPLAT:
    case OP_V128_LOAD16_SPLAT: return load_small(c, in);
    case OP_V128_LOAD:
    case OP_V128_LOAD8X8_S:
    case OP_V128_LOAD8X8_U:
    case OP_V128_LOAD16X4_S:
    case OP_V128_LOAD16X4_U:
    case OP_V128_LOAD32X2_S:
    case OP_V128_LOAD32X2_U:
    case OP_V128_LOAD32_SPLAT:
    case OP_V128_LOAD64_SPLAT:
    case OP_V128_LOAD32_ZERO:
    case OP_V128_LOAD64_ZERO: return load(c, in);
    case OP_V128_STORE: store(c, in); return true;
    case OP_V128_LOAD8_LANE:
    case OP_V128_LOAD16_LANE:
    case OP_V128_LOAD32_LANE:
    case OP_V128_LOAD64_LANE: load_lane(c, in); return true;
    case OP_V128_STORE8_LANE:
    case OP_V128_STORE16_LANE:
    case OP_V128_STORE32_LANE:
    case OP_V128_STORE64_LANE: store_lane(c, in); return true;
    case OP_I8X16_SPLAT:
    case OP_I16X8_SPLAT:
    case OP_I32X4_SPLAT:
    case OP_I64X2_SPLAT:
    case OP_F32X4_SPLAT:
    case OP_F64X2_SPLAT: splat(c, op); return true;
    case OP_I8X16_EXTRACT_LANE_S:
    case OP_I8X16_EXTRACT_LANE_U:
    case OP_I16X8_EXTRACT_LANE_S:
    case OP_I16X8_EXTRACT_LANE_U:
    case OP_I32X4_EXTRACT_LANE:
    case OP_I64X2_EXTRACT_LANE:
    case OP_F32X4_EXTRACT_LANE:
    case OP_F64X2_EXTRACT_LANE: extract_lane(c, in); return true;
    case OP_I8X16_REPLACE_LANE:
    case OP_I16X8_REPLACE_LANE:
    case OP_I32X4_REPLACE_LANE:
    case OP_I64X2_REPLACE_LANE:
    case OP_F32X4_REPLACE_LANE:
    case OP_F64X2_REPLACE_LANE: replace_lane(c, in); return true;
    case OP_I8X16_SHUFFLE: return shuffle(c, in);
    case OP_I8X16_SWIZZLE:
    case OP_I8X16_RELAXED_SWIZZLE: return swizzle(c);
    case OP_V128_NOT: {
        uint8_t a = popx(c);
        vnot(c, a);
        pushv(c, a);
        return true;
    }
    case OP_V128_BITSELECT:
    case OP_I8X16_RELAXED_LANESELECT:
    case OP_I16X8_RELAXED_LANESELECT:
    case OP_I32X4_RELAXED_LANESELECT:
    case OP_I64X2_RELAXED_LANESELECT: bitselect(c); return true;
    case OP_V128_ANY_TRUE: any_true(c); return true;
    case OP_I8X16_ALL_TRUE: return all_true(c, X64_PCMPEQB);
    case OP_I16X8_ALL_TRUE: return all_true(c, X64_PCMPEQW);
    case OP_I32X4_ALL_TRUE: return all_true(c, X64_PCMPEQD);
    case OP_I64X2_ALL_TRUE: return all_true(c, X64_PCMPEQQ);
    case OP_I8X16_BITMASK:
    case OP_I16X8_BITMASK:
    case OP_I32X4_BITMASK:
    case OP_I64X2_BITMASK: bitmask(c, op); return true;
    case OP_I8X16_NEG: neg(c, X64_PSUBB); return true;
    case OP_I16X8_NEG: neg(c, X64_PSUBW); return true;
    case OP_I32X4_NEG: neg(c, X64_PSUBD); return true;
    case OP_I64X2_NEG: neg(c, X64_PSUBQ); return true;
    case OP_I64X2_ABS: abs64(c); return true;
    case OP_I64X2_MUL: mul64(c); return true;
    case OP_I8X16_POPCNT: return popcnt8(c);
    case OP_I8X16_LT_U:
    case OP_I8X16_GT_U:
    case OP_I8X16_LE_U:
    case OP_I8X16_GE_U:
    case OP_I16X8_LT_U:
    case OP_I16X8_GT_U:
    case OP_I16X8_LE_U:
    case OP_I16X8_GE_U:
    case OP_I32X4_LT_U:
    case OP_I32X4_GT_U:
    case OP_I32X4_LE_U:
    case OP_I32X4_GE_U: return lower_ucmp(c, op);
    case OP_I16X8_Q15MULR_SAT_S:
    case OP_I16X8_RELAXED_Q15MULR_S: return q15mulr(c);
    case OP_I16X8_EXTEND_LOW_I8X16_S: extend(c, 8, false, true); return true;
    case OP_I16X8_EXTEND_HIGH_I8X16_S: extend(c, 8, true, true); return true;
    case OP_I16X8_EXTEND_LOW_I8X16_U: extend(c, 8, false, false); return true;
    case OP_I16X8_EXTEND_HIGH_I8X16_U: extend(c, 8, true, false); return true;
    case OP_I32X4_EXTEND_LOW_I16X8_S: extend(c, 16, false, true); return true;
    case OP_I32X4_EXTEND_HIGH_I16X8_S: extend(c, 16, true, true); return true;
    case OP_I32X4_EXTEND_LOW_I16X8_U: extend(c, 16, false, false); return true;
    case OP_I32X4_EXTEND_HIGH_I16X8_U: extend(c, 16, true, false); return true;
    case OP_I64X2_EXTEND_LOW_I32X4_S: extend(c, 32, false, true); return true;
    case OP_I64X2_EXTEND_HIGH_I32X4_S: extend(c, 32, true, true); return true;
    case OP_I64X2_EXTEND_LOW_I32X4_U: extend(c, 32, false, false); return true;
    case OP_I64X2_EXTEND_HIGH_I32X4_U: extend(c, 32, true, false); return true;
    case OP_I16X8_EXTMUL_LOW_I8X16_S: extmul(c, 8, false, true); return true;
    case OP_I16X8_EXTMUL_HIGH_I8X16_S: extmul(c, 8, true, true); return true;
    case OP_I16X8_EXTMUL_LOW_I8X16_U: extmul(c, 8, false, false); return true;
    case OP_I16X8_EXTMUL_HIGH_I8X16_U: extmul(c, 8, true, false); return true;
    case OP_I32X4_EXTMUL_LOW_I16X8_S: extmul(c, 16, false, true); return true;
    case OP_I32X4_EXTMUL_HIGH_I16X8_S: extmul(c, 16, true, true); return true;
    case OP_I32X4_EXTMUL_LOW_I16X8_U: extmul(c, 16, false, false); return true;
    case OP_I32X4_EXTMUL_HIGH_I16X8_U: extmul(c, 16, true, false); return true;
    case OP_I64X2_EXTMUL_LOW_I32X4_S: extmul(c, 32, false, true); return true;
    case OP_I64X2_EXTMUL_HIGH_I32X4_S: extmul(c, 32, true, true); return true;
    case OP_I64X2_EXTMUL_LOW_I32X4_U: extmul(c, 32, false, false); return true;
    case OP_I64X2_EXTMUL_HIGH_I32X4_U: extmul(c, 32, true, false); return true;
    case OP_I16X8_EXTADD_PAIRWISE_I8X16_S:
    case OP_I16X8_EXTADD_PAIRWISE_I8X16_U:
    case OP_I32X4_EXTADD_PAIRWISE_I16X8_S:
    case OP_I32X4_EXTADD_PAIRWISE_I16X8_U: return extadd(c, op);
    case OP_I16X8_RELAXED_DOT_I8X16_I7X16_S: dot8(c, false); return true;
    case OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S: dot8(c, true); return true;
    case OP_I8X16_SHL:
    case OP_I8X16_SHR_S:
    case OP_I8X16_SHR_U:
    case OP_I16X8_SHL:
    case OP_I16X8_SHR_S:
    case OP_I16X8_SHR_U:
    case OP_I32X4_SHL:
    case OP_I32X4_SHR_S:
    case OP_I32X4_SHR_U:
    case OP_I64X2_SHL:
    case OP_I64X2_SHR_S:
    case OP_I64X2_SHR_U: shift(c, op); return true;
    case OP_F32X4_MIN:
    case OP_F32X4_RELAXED_MIN: fminmax(c, false, false); return true;
    case OP_F32X4_MAX:
    case OP_F32X4_RELAXED_MAX: fminmax(c, false, true); return true;
    case OP_F64X2_MIN:
    case OP_F64X2_RELAXED_MIN: fminmax(c, true, false); return true;
    case OP_F64X2_MAX:
    case OP_F64X2_RELAXED_MAX: fminmax(c, true, true); return true;
    case OP_F32X4_ABS: fbits(c, false, false); return true;
    case OP_F32X4_NEG: fbits(c, false, true); return true;
    case OP_F64X2_ABS: fbits(c, true, false); return true;
    case OP_F64X2_NEG: fbits(c, true, true); return true;
    case OP_F32X4_RELAXED_MADD: madd(c, false, false); return true;
    case OP_F32X4_RELAXED_NMADD: madd(c, false, true); return true;
    case OP_F64X2_RELAXED_MADD: madd(c, true, false); return true;
    case OP_F64X2_RELAXED_NMADD: madd(c, true, true); return true;
    case OP_F32X4_CONVERT_I32X4_U: convert_u32(c); return true;
    case OP_F64X2_CONVERT_LOW_I32X4_U: convert_low_u32(c); return true;
    case OP_I32X4_TRUNC_SAT_F32X4_S:
    case OP_I32X4_RELAXED_TRUNC_F32X4_S: trunc_sat32_s(c); return true;
    case OP_I32X4_TRUNC_SAT_F32X4_U:
    case OP_I32X4_RELAXED_TRUNC_F32X4_U: return trunc_sat32_u(c);
    case OP_I32X4_TRUNC_SAT_F64X2_S_ZERO:
    case OP_I32X4_RELAXED_TRUNC_F64X2_S_ZERO: trunc_sat64_s(c); return true;
    case OP_I32X4_TRUNC_SAT_F64X2_U_ZERO:
    case OP_I32X4_RELAXED_TRUNC_F64X2_U_ZERO: return trunc_sat64_u(c);
    default: return false;
    }
}

bool jit_lower_simd(Comp *c, const Instr *in) {
    const SRow *r = &rows[in->op];
    if (r->kind != R_NONE) {
        if (x64_vec_ext((X64Vec)r->op) <= c->ext) {
            lower_row(c, r);
            return true;
        }
        return simd_libcall(c, in, NULL);
    }
    return lower_other(c, in) || simd_libcall(c, in, NULL);
}
