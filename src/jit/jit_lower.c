/* Lowering of numeric, memory and table instructions, driven by the lower_
 * tables below (one row per opcode: its class and the x86 operation). Integer
 * ops fold constant operands into immediates and read slots and locals as
 * memory operands; guarded memories are accessed as [base + addr + offset]
 * with the instruction registered as a trap site; other memories get an
 * explicit bounds check. Bulk memory and table growth go through the
 * runtime's libcall table. */
#include "jit_comp.h"

#include <stddef.h>
#include <string.h>

enum {
    L_NONE, L_ALU, L_MUL, L_DIV, L_SHIFT, L_CMP, L_EQZ, L_BITCNT, L_FBIN, L_FMINMAX, L_FCMP,
    L_FROUND, L_FSQRT, L_FABS, L_FNEG, L_FCOPYSIGN, L_EXTEND, L_WRAP, L_REINT, L_FCVT, L_I2F,
    L_F2I, L_LOAD, L_STORE
};

typedef struct Lower {
    uint8_t kind;
    uint8_t w;     /* 64-bit integer operation / double */
    uint8_t op;    /* X64Alu, X64Shift, X64Cond, X64BitOp, X64Sse, rounding mode, ... */
    uint8_t size;  /* memory access bytes; extend width; */
    uint8_t sign;  /* signed (div, extend, loads, conversions); F2I: 2 = saturating */
    uint8_t type;  /* result JType (loads, conversions) */
    uint8_t src64; /* conversions: the source is 64-bit / double */
} Lower;

#define ALU(o, w) {L_ALU, w, X64_##o, 0, 0, 0, 0}
#define SHIFT(o, w) {L_SHIFT, w, X64_##o, 0, 0, 0, 0}
#define DIV(w, s, rem) {L_DIV, w, rem, 0, s, 0, 0}
#define CMP(cc, w) {L_CMP, w, X64_##cc, 0, 0, 0, 0}
#define FBIN(o, d) {L_FBIN, d, X64_##o, 0, 0, 0, 0}
#define FCMP(k, d) {L_FCMP, d, k, 0, 0, 0, 0}
#define LOAD(size, sign, t) {L_LOAD, 0, 0, size, sign, t, 0}
#define STORE(size, t) {L_STORE, 0, 0, size, 0, t, 0}
#define F2I(d, w, s) {L_F2I, w, 0, 0, s, (w) ? T_I64 : T_I32, d}
#define I2F(d, w, s) {L_I2F, d, 0, 0, s, (d) ? T_F64 : T_F32, w}

static const Lower lower[OP_COUNT] = {
    [OP_I32_ADD] = ALU(ADD, 0), [OP_I32_SUB] = ALU(SUB, 0), [OP_I32_AND] = ALU(AND, 0),
    [OP_I32_OR] = ALU(OR, 0), [OP_I32_XOR] = ALU(XOR, 0), [OP_I64_ADD] = ALU(ADD, 1),
    [OP_I64_SUB] = ALU(SUB, 1), [OP_I64_AND] = ALU(AND, 1), [OP_I64_OR] = ALU(OR, 1),
    [OP_I64_XOR] = ALU(XOR, 1),
    [OP_I32_MUL] = {L_MUL, 0, 0, 0, 0, 0, 0}, [OP_I64_MUL] = {L_MUL, 1, 0, 0, 0, 0, 0},
    [OP_I32_DIV_S] = DIV(0, 1, 0), [OP_I32_DIV_U] = DIV(0, 0, 0), [OP_I32_REM_S] = DIV(0, 1, 1),
    [OP_I32_REM_U] = DIV(0, 0, 1), [OP_I64_DIV_S] = DIV(1, 1, 0), [OP_I64_DIV_U] = DIV(1, 0, 0),
    [OP_I64_REM_S] = DIV(1, 1, 1), [OP_I64_REM_U] = DIV(1, 0, 1),
    [OP_I32_SHL] = SHIFT(SHL, 0), [OP_I32_SHR_S] = SHIFT(SAR, 0), [OP_I32_SHR_U] = SHIFT(SHR, 0),
    [OP_I32_ROTL] = SHIFT(ROL, 0), [OP_I32_ROTR] = SHIFT(ROR, 0), [OP_I64_SHL] = SHIFT(SHL, 1),
    [OP_I64_SHR_S] = SHIFT(SAR, 1), [OP_I64_SHR_U] = SHIFT(SHR, 1), [OP_I64_ROTL] = SHIFT(ROL, 1),
    [OP_I64_ROTR] = SHIFT(ROR, 1),
    [OP_I32_EQ] = CMP(E, 0), [OP_I32_NE] = CMP(NE, 0), [OP_I32_LT_S] = CMP(L, 0),
    [OP_I32_LT_U] = CMP(B, 0), [OP_I32_GT_S] = CMP(G, 0), [OP_I32_GT_U] = CMP(A, 0),
    [OP_I32_LE_S] = CMP(LE, 0), [OP_I32_LE_U] = CMP(BE, 0), [OP_I32_GE_S] = CMP(GE, 0),
    [OP_I32_GE_U] = CMP(AE, 0), [OP_I64_EQ] = CMP(E, 1), [OP_I64_NE] = CMP(NE, 1),
    [OP_I64_LT_S] = CMP(L, 1), [OP_I64_LT_U] = CMP(B, 1), [OP_I64_GT_S] = CMP(G, 1),
    [OP_I64_GT_U] = CMP(A, 1), [OP_I64_LE_S] = CMP(LE, 1), [OP_I64_LE_U] = CMP(BE, 1),
    [OP_I64_GE_S] = CMP(GE, 1), [OP_I64_GE_U] = CMP(AE, 1),
    [OP_I32_EQZ] = {L_EQZ, 0, 0, 0, 0, 0, 0}, [OP_I64_EQZ] = {L_EQZ, 1, 0, 0, 0, 0, 0},
    [OP_I32_CLZ] = {L_BITCNT, 0, X64_LZCNT, 0, 0, 0, 0},
    [OP_I32_CTZ] = {L_BITCNT, 0, X64_TZCNT, 0, 0, 0, 0},
    [OP_I32_POPCNT] = {L_BITCNT, 0, X64_POPCNT, 0, 0, 0, 0},
    [OP_I64_CLZ] = {L_BITCNT, 1, X64_LZCNT, 0, 0, 0, 0},
    [OP_I64_CTZ] = {L_BITCNT, 1, X64_TZCNT, 0, 0, 0, 0},
    [OP_I64_POPCNT] = {L_BITCNT, 1, X64_POPCNT, 0, 0, 0, 0},
    [OP_F32_ADD] = FBIN(ADDSS, 0), [OP_F32_SUB] = FBIN(SUBSS, 0), [OP_F32_MUL] = FBIN(MULSS, 0),
    [OP_F32_DIV] = FBIN(DIVSS, 0), [OP_F64_ADD] = FBIN(ADDSD, 1), [OP_F64_SUB] = FBIN(SUBSD, 1),
    [OP_F64_MUL] = FBIN(MULSD, 1), [OP_F64_DIV] = FBIN(DIVSD, 1),
    [OP_F32_MIN] = {L_FMINMAX, 0, 0, 0, 0, 0, 0}, [OP_F32_MAX] = {L_FMINMAX, 0, 1, 0, 0, 0, 0},
    [OP_F64_MIN] = {L_FMINMAX, 1, 0, 0, 0, 0, 0}, [OP_F64_MAX] = {L_FMINMAX, 1, 1, 0, 0, 0, 0},
    [OP_F32_EQ] = FCMP(0, 0), [OP_F32_NE] = FCMP(1, 0), [OP_F32_LT] = FCMP(2, 0),
    [OP_F32_GT] = FCMP(3, 0), [OP_F32_LE] = FCMP(4, 0), [OP_F32_GE] = FCMP(5, 0),
    [OP_F64_EQ] = FCMP(0, 1), [OP_F64_NE] = FCMP(1, 1), [OP_F64_LT] = FCMP(2, 1),
    [OP_F64_GT] = FCMP(3, 1), [OP_F64_LE] = FCMP(4, 1), [OP_F64_GE] = FCMP(5, 1),
    [OP_F32_NEAREST] = {L_FROUND, 0, 0, 0, 0, 0, 0}, [OP_F32_FLOOR] = {L_FROUND, 0, 1, 0, 0, 0, 0},
    [OP_F32_CEIL] = {L_FROUND, 0, 2, 0, 0, 0, 0}, [OP_F32_TRUNC] = {L_FROUND, 0, 3, 0, 0, 0, 0},
    [OP_F64_NEAREST] = {L_FROUND, 1, 0, 0, 0, 0, 0}, [OP_F64_FLOOR] = {L_FROUND, 1, 1, 0, 0, 0, 0},
    [OP_F64_CEIL] = {L_FROUND, 1, 2, 0, 0, 0, 0}, [OP_F64_TRUNC] = {L_FROUND, 1, 3, 0, 0, 0, 0},
    [OP_F32_SQRT] = {L_FSQRT, 0, X64_SQRTSS, 0, 0, 0, 0},
    [OP_F64_SQRT] = {L_FSQRT, 1, X64_SQRTSD, 0, 0, 0, 0},
    [OP_F32_ABS] = {L_FABS, 0, 0, 0, 0, 0, 0}, [OP_F64_ABS] = {L_FABS, 1, 0, 0, 0, 0, 0},
    [OP_F32_NEG] = {L_FNEG, 0, 0, 0, 0, 0, 0}, [OP_F64_NEG] = {L_FNEG, 1, 0, 0, 0, 0, 0},
    [OP_F32_COPYSIGN] = {L_FCOPYSIGN, 0, 0, 0, 0, 0, 0},
    [OP_F64_COPYSIGN] = {L_FCOPYSIGN, 1, 0, 0, 0, 0, 0},
    [OP_I32_WRAP_I64] = {L_WRAP, 0, 0, 0, 0, T_I32, 0},
    [OP_I64_EXTEND_I32_U] = {L_WRAP, 0, 0, 0, 0, T_I64, 0},
    [OP_I64_EXTEND_I32_S] = {L_EXTEND, 1, 0, 4, 1, T_I64, 0},
    [OP_I32_EXTEND8_S] = {L_EXTEND, 0, 0, 1, 1, T_I32, 0},
    [OP_I32_EXTEND16_S] = {L_EXTEND, 0, 0, 2, 1, T_I32, 0},
    [OP_I64_EXTEND8_S] = {L_EXTEND, 1, 0, 1, 1, T_I64, 0},
    [OP_I64_EXTEND16_S] = {L_EXTEND, 1, 0, 2, 1, T_I64, 0},
    [OP_I64_EXTEND32_S] = {L_EXTEND, 1, 0, 4, 1, T_I64, 0},
    [OP_I32_REINTERPRET_F32] = {L_REINT, 0, 0, 0, 0, T_I32, 0},
    [OP_I64_REINTERPRET_F64] = {L_REINT, 1, 0, 0, 0, T_I64, 0},
    [OP_F32_REINTERPRET_I32] = {L_REINT, 0, 0, 0, 0, T_F32, 0},
    [OP_F64_REINTERPRET_I64] = {L_REINT, 1, 0, 0, 0, T_F64, 0},
    [OP_F32_DEMOTE_F64] = {L_FCVT, 0, X64_CVTSD2SS, 0, 0, T_F32, 0},
    [OP_F64_PROMOTE_F32] = {L_FCVT, 1, X64_CVTSS2SD, 0, 0, T_F64, 0},
    [OP_F32_CONVERT_I32_S] = I2F(0, 0, 1), [OP_F32_CONVERT_I32_U] = I2F(0, 0, 0),
    [OP_F32_CONVERT_I64_S] = I2F(0, 1, 1), [OP_F32_CONVERT_I64_U] = I2F(0, 1, 0),
    [OP_F64_CONVERT_I32_S] = I2F(1, 0, 1), [OP_F64_CONVERT_I32_U] = I2F(1, 0, 0),
    [OP_F64_CONVERT_I64_S] = I2F(1, 1, 1), [OP_F64_CONVERT_I64_U] = I2F(1, 1, 0),
    [OP_I32_TRUNC_F32_S] = F2I(0, 0, 1), [OP_I32_TRUNC_F32_U] = F2I(0, 0, 0),
    [OP_I32_TRUNC_F64_S] = F2I(1, 0, 1), [OP_I32_TRUNC_F64_U] = F2I(1, 0, 0),
    [OP_I64_TRUNC_F32_S] = F2I(0, 1, 1), [OP_I64_TRUNC_F32_U] = F2I(0, 1, 0),
    [OP_I64_TRUNC_F64_S] = F2I(1, 1, 1), [OP_I64_TRUNC_F64_U] = F2I(1, 1, 0),
    [OP_I32_TRUNC_SAT_F32_S] = F2I(0, 0, 3), [OP_I32_TRUNC_SAT_F32_U] = F2I(0, 0, 2),
    [OP_I32_TRUNC_SAT_F64_S] = F2I(1, 0, 3), [OP_I32_TRUNC_SAT_F64_U] = F2I(1, 0, 2),
    [OP_I64_TRUNC_SAT_F32_S] = F2I(0, 1, 3), [OP_I64_TRUNC_SAT_F32_U] = F2I(0, 1, 2),
    [OP_I64_TRUNC_SAT_F64_S] = F2I(1, 1, 3), [OP_I64_TRUNC_SAT_F64_U] = F2I(1, 1, 2),
    [OP_I32_LOAD] = LOAD(4, 0, T_I32), [OP_I64_LOAD] = LOAD(8, 0, T_I64),
    [OP_F32_LOAD] = LOAD(4, 0, T_F32), [OP_F64_LOAD] = LOAD(8, 0, T_F64),
    [OP_I32_LOAD8_S] = LOAD(1, 1, T_I32), [OP_I32_LOAD8_U] = LOAD(1, 0, T_I32),
    [OP_I32_LOAD16_S] = LOAD(2, 1, T_I32), [OP_I32_LOAD16_U] = LOAD(2, 0, T_I32),
    [OP_I64_LOAD8_S] = LOAD(1, 1, T_I64), [OP_I64_LOAD8_U] = LOAD(1, 0, T_I64),
    [OP_I64_LOAD16_S] = LOAD(2, 1, T_I64), [OP_I64_LOAD16_U] = LOAD(2, 0, T_I64),
    [OP_I64_LOAD32_S] = LOAD(4, 1, T_I64), [OP_I64_LOAD32_U] = LOAD(4, 0, T_I64),
    [OP_I32_STORE] = STORE(4, T_I32), [OP_I64_STORE] = STORE(8, T_I64),
    [OP_F32_STORE] = STORE(4, T_F32), [OP_F64_STORE] = STORE(8, T_F64),
    [OP_I32_STORE8] = STORE(1, T_I32), [OP_I32_STORE16] = STORE(2, T_I32),
    [OP_I64_STORE8] = STORE(1, T_I64), [OP_I64_STORE16] = STORE(2, T_I64),
    [OP_I64_STORE32] = STORE(4, T_I64),
};

/* ---- integer ---- */

/* Entry i as a memory operand when it lives in memory (an integer in a slot
 * or an unpinned local). */
static bool in_mem(const Comp *c, uint32_t i, X64Mem *out) {
    const VItem *it = &c->vs[i];
    if (jit_is_xmm(it->type) || (it->kind != K_SLOT && it->kind != K_LOCAL) ||
        (it->kind == K_LOCAL && jit_pin(c, it->local) != X64_NOREG))
        return false;
    *out = it->kind == K_SLOT ? jit_slot(c, i) : jit_local(c, it->local);
    return true;
}

/* The top entry as a memory operand (in_mem); pops it. */
static bool pop_mem(Comp *c, X64Mem *out) {
    if (!in_mem(c, c->h - 1, out))
        return false;
    jit_pop(c);
    return true;
}

static void lower_alu(Comp *c, const Lower *l) {
    int32_t imm;
    X64Mem m;
    uint8_t p = X64_NOREG;
    if (jit_pop_pinned(c, &p)) {
        uint8_t a = jit_pop_reg(c, NULL);
        x64_alu_rr(&c->cb, (X64Alu)l->op, l->w, (X64Reg)a, (X64Reg)p);
        jit_push_reg(c, l->w ? T_I64 : T_I32, a);
    } else if (jit_pop_imm(c, &imm)) {
        uint8_t a;
        bool lea = (l->op == X64_ADD || (l->op == X64_SUB && imm != INT32_MIN));
        if (lea && jit_pop_pinned(c, &p)) { /* a pinned local plus a constant: one lea */
            a = jit_alloc(c, false);
            x64_lea(&c->cb, l->w, (X64Reg)a, x64_mem((X64Reg)p, l->op == X64_SUB ? -imm : imm));
        } else {
            a = jit_pop_reg(c, NULL);
            x64_alu_ri(&c->cb, (X64Alu)l->op, l->w, (X64Reg)a, imm);
        }
        jit_push_reg(c, l->w ? T_I64 : T_I32, a);
    } else if (l->op != X64_SUB && c->vs[c->h - 1].kind == K_REG &&
               jit_is_pinned_read(c, c->h - 2)) { /* commutative: b op= the pinned a */
        uint8_t b = jit_pop_reg(c, NULL);
        jit_pop_pinned(c, &p);
        x64_alu_rr(&c->cb, (X64Alu)l->op, l->w, (X64Reg)b, (X64Reg)p);
        jit_push_reg(c, l->w ? T_I64 : T_I32, b);
    } else if (pop_mem(c, &m)) {
        uint8_t a = jit_pop_reg(c, NULL);
        x64_alu_rm(&c->cb, (X64Alu)l->op, l->w, (X64Reg)a, m);
        jit_push_reg(c, l->w ? T_I64 : T_I32, a);
    } else if (l->op != X64_SUB && c->vs[c->h - 1].kind == K_REG &&
               in_mem(c, c->h - 2, &m)) { /* commutative: b op= a in memory */
        uint8_t b = jit_pop_reg(c, NULL);
        jit_pop(c);
        x64_alu_rm(&c->cb, (X64Alu)l->op, l->w, (X64Reg)b, m);
        jit_push_reg(c, l->w ? T_I64 : T_I32, b);
    } else {
        uint8_t b = jit_pop_reg(c, NULL), a = jit_pop_reg(c, NULL);
        x64_alu_rr(&c->cb, (X64Alu)l->op, l->w, (X64Reg)a, (X64Reg)b);
        jit_free_reg(c, T_I64, b);
        jit_push_reg(c, l->w ? T_I64 : T_I32, a);
    }
}

static void lower_mul(Comp *c, const Lower *l) {
    int32_t imm;
    if (jit_pop_imm(c, &imm)) {
        uint8_t a = jit_pop_reg(c, NULL);
        x64_imul_rri(&c->cb, l->w, (X64Reg)a, (X64Reg)a, imm);
        jit_push_reg(c, l->w ? T_I64 : T_I32, a);
        return;
    }
    uint8_t b = jit_pop_reg(c, NULL), a = jit_pop_reg(c, NULL);
    x64_imul_rr(&c->cb, l->w, (X64Reg)a, (X64Reg)b);
    jit_free_reg(c, T_I64, b);
    jit_push_reg(c, l->w ? T_I64 : T_I32, a);
}

/* Make rax and rdx free of stack entries and take them. */
static void take_rax_rdx(Comp *c) {
    for (uint32_t i = 0; i < c->h; i++) {
        VItem *it = &c->vs[i];
        if (it->kind == K_REG && !jit_is_xmm(it->type) &&
            (it->reg == X64_RAX || it->reg == X64_RDX)) {
            uint16_t other = c->gpr_free & (uint16_t) ~((1u << X64_RAX) | (1u << X64_RDX));
            if (!other) { /* few registers (pinned locals): to its slot */
                jit_spill_item(c, i);
                continue;
            }
            uint8_t r = (uint8_t)__builtin_ctz(other);
            c->gpr_free = (uint16_t)((c->gpr_free | (1u << it->reg)) & ~(1u << r));
            x64_mov_rr(&c->cb, true, (X64Reg)r, (X64Reg)it->reg);
            it->reg = r;
        }
    }
}

static void lower_div(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    bool w = l->w, rem = l->op;
    uint32_t at_b = c->h - 1, at_a = c->h - 2;
    VItem b = jit_pop(c), a = jit_pop(c);
    take_rax_rdx(c);
    /* b into r11 unless it is in a register other than rax / rdx */
    X64Reg rb = J_SCRATCH;
    if (b.kind == K_REG && b.reg != X64_RAX && b.reg != X64_RDX)
        rb = (X64Reg)b.reg;
    else if (b.kind == K_SLOT)
        x64_load(cb, rb, jit_slot(c, at_b), w ? 8 : 4, false, w);
    else
        jit_load_item(c, &b, rb);
    if (a.kind == K_SLOT)
        x64_load(cb, X64_RAX, jit_slot(c, at_a), w ? 8 : 4, false, w);
    else
        jit_load_item(c, &a, X64_RAX);
    if (a.kind == K_REG)
        jit_free_reg(c, T_I64, a.reg);
    if (b.kind == K_REG)
        jit_free_reg(c, T_I64, b.reg);
    c->gpr_free &= (uint16_t) ~((1u << X64_RAX) | (1u << X64_RDX));
    if (rb != J_SCRATCH)
        c->gpr_free &= (uint16_t) ~(1u << rb);
    x64_test_rr(cb, w, rb, rb);
    x64_jcc(cb, X64_E, jit_stub(c, TRAP_DIV_ZERO));
    uint32_t done = x64_label(cb);
    if (l->sign) {
        uint32_t normal = x64_label(cb);
        x64_alu_ri(cb, X64_CMP, w, rb, -1);
        x64_jcc(cb, X64_NE, normal);
        if (rem) {
            x64_alu_rr(cb, X64_XOR, false, X64_RDX, X64_RDX);
            x64_jmp(cb, done);
        } else {
            x64_mov_ri(cb, J_SCRATCH2, w ? (uint64_t)INT64_MIN : 0x80000000u);
            x64_alu_rr(cb, X64_CMP, w, X64_RAX, J_SCRATCH2);
            x64_jcc(cb, X64_E, jit_stub(c, TRAP_INT_OVERFLOW));
        }
        x64_bind(cb, normal);
        x64_cdq(cb, w);
        x64_unary(cb, X64_IDIV, w, rb);
    } else {
        x64_alu_rr(cb, X64_XOR, false, X64_RDX, X64_RDX);
        x64_unary(cb, X64_DIV, w, rb);
    }
    x64_bind(cb, done);
    if (rb != J_SCRATCH)
        jit_free_reg(c, T_I64, rb);
    uint8_t result = rem ? X64_RDX : X64_RAX;
    jit_free_reg(c, T_I64, rem ? X64_RAX : X64_RDX);
    jit_push_reg(c, w ? T_I64 : T_I32, result);
}

static void lower_shift(Comp *c, const Lower *l) {
    int32_t imm;
    uint8_t type = l->w ? T_I64 : T_I32;
    if (jit_pop_imm(c, &imm)) {
        uint8_t a = jit_pop_reg(c, NULL);
        x64_shift_ri(&c->cb, (X64Shift)l->op, l->w, (X64Reg)a, (uint8_t)(imm & (l->w ? 63 : 31)));
        jit_push_reg(c, type, a);
        return;
    }
    uint32_t at = c->h - 1;
    VItem b = jit_pop(c);
    if (!(b.kind == K_REG && b.reg == X64_RCX)) {
        for (uint32_t i = 0; i < c->h; i++) {
            VItem *it = &c->vs[i];
            if (it->kind == K_REG && !jit_is_xmm(it->type) && it->reg == X64_RCX) {
                uint8_t r = jit_alloc(c, false);
                x64_mov_rr(&c->cb, true, (X64Reg)r, X64_RCX);
                it->reg = r;
                jit_free_reg(c, T_I64, X64_RCX);
            }
        }
        if (b.kind == K_SLOT)
            x64_load(&c->cb, X64_RCX, jit_slot(c, at), 8, false, true);
        else
            jit_load_item(c, &b, X64_RCX);
        if (b.kind == K_REG)
            jit_free_reg(c, T_I64, b.reg);
        c->gpr_free &= (uint16_t) ~(1u << X64_RCX);
    }
    uint8_t a = jit_pop_reg(c, NULL);
    x64_shift_cl(&c->cb, (X64Shift)l->op, l->w, (X64Reg)a);
    jit_free_reg(c, T_I64, X64_RCX);
    jit_push_reg(c, type, a);
}

bool jit_fusable_cmp(uint32_t op) {
    return lower[op].kind == L_CMP || lower[op].kind == L_EQZ;
}

X64Cond jit_emit_cmp(Comp *c, uint32_t op) {
    const Lower *l = &lower[op];
    if (l->kind == L_EQZ) {
        uint8_t a;
        if (jit_pop_pinned(c, &a)) {
            x64_test_rr(&c->cb, l->w, (X64Reg)a, (X64Reg)a);
            return X64_E;
        }
        a = jit_pop_reg(c, NULL);
        x64_test_rr(&c->cb, l->w, (X64Reg)a, (X64Reg)a);
        jit_free_reg(c, T_I64, a);
        return X64_E;
    }
    int32_t imm;
    X64Mem m;
    uint8_t b = X64_NOREG;
    bool b_pinned = false, b_imm = false, b_mem = false;
    if (jit_pop_imm(c, &imm))
        b_imm = true;
    else if (pop_mem(c, &m))
        b_mem = true;
    else if (jit_pop_pinned(c, &b))
        b_pinned = true;
    else
        b = jit_pop_reg(c, NULL);
    uint8_t a;
    bool a_pinned = jit_pop_pinned(c, &a);
    if (!a_pinned)
        a = jit_pop_reg(c, NULL);
    if (b_imm && imm == 0) /* cmp a, 0 and test a, a set the same flags */
        x64_test_rr(&c->cb, l->w, (X64Reg)a, (X64Reg)a);
    else if (b_imm)
        x64_alu_ri(&c->cb, X64_CMP, l->w, (X64Reg)a, imm);
    else if (b_mem)
        x64_alu_rm(&c->cb, X64_CMP, l->w, (X64Reg)a, m);
    else
        x64_alu_rr(&c->cb, X64_CMP, l->w, (X64Reg)a, (X64Reg)b);
    if (!a_pinned)
        jit_free_reg(c, T_I64, a);
    if (!b_imm && !b_mem && !b_pinned)
        jit_free_reg(c, T_I64, b);
    return (X64Cond)l->op;
}

X64Cond jit_emit_test(Comp *c, bool w) {
    int32_t imm = 0;
    uint8_t a, b = X64_NOREG;
    bool b_imm = jit_pop_imm(c, &imm), b_pinned = !b_imm && jit_pop_pinned(c, &b);
    if (!b_imm && !b_pinned)
        b = jit_pop_reg(c, NULL);
    bool a_pinned = jit_pop_pinned(c, &a);
    if (!a_pinned)
        a = jit_pop_reg(c, NULL);
    if (b_imm)
        x64_test_ri(&c->cb, w, (X64Reg)a, imm);
    else
        x64_test_rr(&c->cb, w, (X64Reg)a, (X64Reg)b);
    if (!a_pinned)
        jit_free_reg(c, T_I64, a);
    if (!b_imm && !b_pinned)
        jit_free_reg(c, T_I64, b);
    return X64_NE;
}

static void push_flag(Comp *c, X64Cond cc) {
    uint8_t r = jit_alloc(c, false);
    x64_setcc(&c->cb, cc, (X64Reg)r);
    x64_movzx_r8(&c->cb, (X64Reg)r, (X64Reg)r);
    jit_push_reg(c, T_I32, r);
}

static void lower_bitcnt(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    uint8_t a = jit_pop_reg(c, NULL);
    const JCpu *cpu = jit_cpu();
    bool have = l->op == X64_LZCNT ? cpu->lzcnt : l->op == X64_TZCNT ? cpu->bmi1 : cpu->popcnt;
    if (have) {
        x64_bitop(cb, (X64BitOp)l->op, l->w, (X64Reg)a, (X64Reg)a);
    } else if (l->op == X64_LZCNT) { /* bsr; zero -> 2*width-1, then xor width-1 */
        x64_mov_ri(cb, J_SCRATCH, l->w ? 127 : 63);
        x64_bitop(cb, X64_BSR, l->w, (X64Reg)a, (X64Reg)a);
        x64_cmov(cb, X64_E, l->w, (X64Reg)a, J_SCRATCH);
        x64_alu_ri(cb, X64_XOR, l->w, (X64Reg)a, l->w ? 63 : 31);
    } else { /* bsf; zero -> width (popcnt is required at start-up) */
        x64_mov_ri(cb, J_SCRATCH, l->w ? 64 : 32);
        x64_bitop(cb, X64_BSF, l->w, (X64Reg)a, (X64Reg)a);
        x64_cmov(cb, X64_E, l->w, (X64Reg)a, J_SCRATCH);
    }
    jit_push_reg(c, l->w ? T_I64 : T_I32, a);
}

/* ---- float ---- */

static void lower_fbin(Comp *c, const Lower *l) {
    uint8_t b;
    bool pinned = jit_pop_pinned(c, &b);
    if (!pinned)
        b = jit_pop_reg(c, NULL);
    uint8_t a = jit_pop_reg(c, NULL);
    x64_sse_rr(&c->cb, (X64Sse)l->op, a, b);
    if (!pinned)
        jit_free_reg(c, T_F64, b);
    jit_push_reg(c, l->w ? T_F64 : T_F32, a);
}

/* Wasm min/max: NaN if either is NaN, and -0 < +0. */
static void lower_fminmax(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    bool d = l->w, max = l->op;
    uint8_t b = jit_pop_reg(c, NULL), a = jit_pop_reg(c, NULL);
    uint32_t nan = x64_label(cb), normal = x64_label(cb), done = x64_label(cb);
    x64_sse_rr(cb, d ? X64_UCOMISD : X64_UCOMISS, a, b);
    x64_jcc(cb, X64_P, nan);
    x64_jcc(cb, X64_NE, normal);
    x64_sse_rr(cb, max ? X64_ANDPS : X64_ORPS, a, b);
    x64_jmp(cb, done);
    x64_bind(cb, nan);
    x64_sse_rr(cb, d ? X64_ADDSD : X64_ADDSS, a, b);
    x64_jmp(cb, done);
    x64_bind(cb, normal);
    x64_sse_rr(cb, max ? (d ? X64_MAXSD : X64_MAXSS) : (d ? X64_MINSD : X64_MINSS), a, b);
    x64_bind(cb, done);
    jit_free_reg(c, T_F64, b);
    jit_push_reg(c, d ? T_F64 : T_F32, a);
}

static void lower_fcmp(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    X64Sse ucom = l->w ? X64_UCOMISD : X64_UCOMISS;
    uint8_t b = jit_pop_reg(c, NULL), a = jit_pop_reg(c, NULL);
    uint8_t r = jit_alloc(c, false);
    switch (l->op) {
    case 0: /* eq: ZF and not PF */
    case 1: /* ne: not ZF or PF */
        x64_sse_rr(cb, ucom, a, b);
        x64_setcc(cb, l->op ? X64_NE : X64_E, (X64Reg)r);
        x64_setcc(cb, l->op ? X64_P : X64_NP, J_SCRATCH);
        x64_alu_rr(cb, l->op ? X64_OR : X64_AND, false, (X64Reg)r, J_SCRATCH);
        break;
    case 2: x64_sse_rr(cb, ucom, b, a); x64_setcc(cb, X64_A, (X64Reg)r); break;  /* lt */
    case 3: x64_sse_rr(cb, ucom, a, b); x64_setcc(cb, X64_A, (X64Reg)r); break;  /* gt */
    case 4: x64_sse_rr(cb, ucom, b, a); x64_setcc(cb, X64_AE, (X64Reg)r); break; /* le */
    default: x64_sse_rr(cb, ucom, a, b); x64_setcc(cb, X64_AE, (X64Reg)r); break; /* ge */
    }
    x64_movzx_r8(cb, (X64Reg)r, (X64Reg)r);
    jit_free_reg(c, T_F64, a);
    jit_free_reg(c, T_F64, b);
    jit_push_reg(c, T_I32, r);
}

/* abs / neg / copysign on the bits, through r11 (and r10). */
static void lower_fbits(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    bool d = l->w;
    uint8_t b = X64_NOREG;
    if (l->kind == L_FCOPYSIGN)
        b = jit_pop_reg(c, NULL);
    uint8_t a = jit_pop_reg(c, NULL);
    x64_movd_rx(cb, d, J_SCRATCH, a);
    if (l->kind == L_FNEG) {
        if (d) {
            x64_mov_ri(cb, J_SCRATCH2, (uint64_t)1 << 63);
            x64_alu_rr(cb, X64_XOR, true, J_SCRATCH, J_SCRATCH2);
        } else {
            x64_alu_ri(cb, X64_XOR, false, J_SCRATCH, INT32_MIN);
        }
    } else {
        if (d) {
            x64_shift_ri(cb, X64_SHL, true, J_SCRATCH, 1);
            x64_shift_ri(cb, X64_SHR, true, J_SCRATCH, 1);
        } else {
            x64_alu_ri(cb, X64_AND, false, J_SCRATCH, INT32_MAX);
        }
        if (l->kind == L_FCOPYSIGN) {
            x64_movd_rx(cb, d, J_SCRATCH2, b);
            if (d) {
                x64_shift_ri(cb, X64_SHR, true, J_SCRATCH2, 63);
                x64_shift_ri(cb, X64_SHL, true, J_SCRATCH2, 63);
            } else {
                x64_alu_ri(cb, X64_AND, false, J_SCRATCH2, INT32_MIN);
            }
            x64_alu_rr(cb, X64_OR, d, J_SCRATCH, J_SCRATCH2);
            jit_free_reg(c, T_F64, b);
        }
    }
    x64_movd_xr(cb, d, a, J_SCRATCH);
    jit_push_reg(c, d ? T_F64 : T_F32, a);
}

static void load_fconst(Comp *c, bool d, uint8_t x, double v) {
    uint64_t bits;
    if (d) {
        memcpy(&bits, &v, 8);
    } else {
        float f = (float)v;
        uint32_t b32;
        memcpy(&b32, &f, 4);
        bits = b32;
    }
    x64_mov_ri(&c->cb, J_SCRATCH, bits);
    x64_movd_xr(&c->cb, d, x, J_SCRATCH);
}

static void lower_i2f(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    bool d = l->w, w64 = l->src64;
    uint8_t a = jit_pop_reg(c, NULL);
    uint8_t x = jit_alloc(c, true);
    x64_sse_rr(cb, X64_XORPS, x, x);
    if (l->sign || !w64) { /* signed, or u32 (zero-extended: convert as i64) */
        x64_cvtsi2f(cb, d, w64 || !l->sign, x, (X64Reg)a);
    } else {
        uint32_t big = x64_label(cb), done = x64_label(cb);
        x64_test_rr(cb, true, (X64Reg)a, (X64Reg)a);
        x64_jcc(cb, X64_S, big);
        x64_cvtsi2f(cb, d, true, x, (X64Reg)a);
        x64_jmp(cb, done);
        x64_bind(cb, big); /* halve (keeping the low bit for rounding), convert, double */
        x64_mov_rr(cb, true, J_SCRATCH, (X64Reg)a);
        x64_shift_ri(cb, X64_SHR, true, J_SCRATCH, 1);
        x64_mov_rr(cb, false, J_SCRATCH2, (X64Reg)a);
        x64_alu_ri(cb, X64_AND, false, J_SCRATCH2, 1);
        x64_alu_rr(cb, X64_OR, true, J_SCRATCH, J_SCRATCH2);
        x64_cvtsi2f(cb, d, true, x, J_SCRATCH);
        x64_sse_rr(cb, d ? X64_ADDSD : X64_ADDSS, x, x);
        x64_bind(cb, done);
    }
    jit_free_reg(c, T_I64, a);
    jit_push_reg(c, d ? T_F64 : T_F32, x);
}

/* Exclusive bounds of the truncation's valid range (spec: Numerics > trunc). */
static void trunc_bounds(bool d, bool w, bool sign, double *lo, double *hi) {
    if (!sign) {
        *lo = -1.0;
        *hi = w ? 18446744073709551616.0 : 4294967296.0;
    } else if (!w) {
        *lo = d ? -2147483649.0 : -2147483904.0;
        *hi = 2147483648.0;
    } else {
        *lo = d ? -9223372036854777856.0 : -9223373136366403584.0;
        *hi = 9223372036854775808.0;
    }
}

static void lower_f2i(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    bool d = l->src64, w = l->w, sat = l->sign >= 2, sign = l->sign & 1;
    uint8_t x = jit_pop_reg(c, NULL);
    uint8_t r = jit_alloc(c, false);
    X64Sse ucom = d ? X64_UCOMISD : X64_UCOMISS;
    uint32_t nan = x64_label(cb), low = x64_label(cb), high = x64_label(cb),
             done = x64_label(cb);
    double lo, hi;
    trunc_bounds(d, w, sign, &lo, &hi);
    x64_sse_rr(cb, ucom, x, x);
    x64_jcc(cb, X64_P, sat ? nan : jit_stub(c, TRAP_BAD_CONVERSION));
    load_fconst(c, d, J_XSCRATCH, lo);
    x64_sse_rr(cb, ucom, x, J_XSCRATCH);
    x64_jcc(cb, X64_BE, sat ? low : jit_stub(c, TRAP_INT_OVERFLOW));
    load_fconst(c, d, J_XSCRATCH, hi);
    x64_sse_rr(cb, ucom, x, J_XSCRATCH);
    x64_jcc(cb, X64_AE, sat ? high : jit_stub(c, TRAP_INT_OVERFLOW));
    if (sign || !w) {
        x64_cvttf2si(cb, d, w || !sign, (X64Reg)r, x);
        if (!w)
            x64_mov_rr(cb, false, (X64Reg)r, (X64Reg)r);
    } else { /* u64: values >= 2^63 are converted after subtracting 2^63 */
        uint32_t big = x64_label(cb);
        load_fconst(c, d, J_XSCRATCH, 9223372036854775808.0);
        x64_sse_rr(cb, ucom, x, J_XSCRATCH);
        x64_jcc(cb, X64_AE, big);
        x64_cvttf2si(cb, d, true, (X64Reg)r, x);
        x64_jmp(cb, done);
        x64_bind(cb, big);
        x64_sse_rr(cb, X64_MOVAPS, J_XSCRATCH2, x);
        x64_sse_rr(cb, d ? X64_SUBSD : X64_SUBSS, J_XSCRATCH2, J_XSCRATCH);
        x64_cvttf2si(cb, d, true, (X64Reg)r, J_XSCRATCH2);
        x64_mov_ri(cb, J_SCRATCH, (uint64_t)1 << 63);
        x64_alu_rr(cb, X64_XOR, true, (X64Reg)r, J_SCRATCH);
    }
    if (sat) {
        x64_jmp(cb, done);
        x64_bind(cb, nan);
        x64_mov_ri(cb, (X64Reg)r, 0);
        x64_jmp(cb, done);
        x64_bind(cb, low);
        x64_mov_ri(cb, (X64Reg)r, !sign ? 0 : w ? (uint64_t)INT64_MIN : 0x80000000u);
        x64_jmp(cb, done);
        x64_bind(cb, high);
        x64_mov_ri(cb, (X64Reg)r, !sign ? (w ? UINT64_MAX : 0xffffffffu)
                                        : (w ? (uint64_t)INT64_MAX : 0x7fffffffu));
    }
    x64_bind(cb, done);
    jit_free_reg(c, T_F64, x);
    jit_push_reg(c, w ? T_I64 : T_I32, r);
}

static void lower_conv(Comp *c, const Lower *l) {
    CodeBuf *cb = &c->cb;
    uint8_t a = jit_pop_reg(c, NULL);
    switch (l->kind) {
    case L_WRAP: /* i32.wrap_i64 / i64.extend_i32_u: zero the upper half */
        x64_mov_rr(cb, false, (X64Reg)a, (X64Reg)a);
        jit_push_reg(c, l->type, a);
        return;
    case L_EXTEND: x64_movsx_rr(cb, l->w, (X64Reg)a, (X64Reg)a, l->size);
        if (!l->w)
            x64_mov_rr(cb, false, (X64Reg)a, (X64Reg)a);
        jit_push_reg(c, l->type, a);
        return;
    case L_REINT: {
        bool to_float = jit_is_xmm(l->type);
        uint8_t r = jit_alloc(c, to_float);
        if (to_float)
            x64_movd_xr(cb, l->w, r, (X64Reg)a);
        else
            x64_movd_rx(cb, l->w, (X64Reg)r, a);
        jit_free_reg(c, to_float ? T_I64 : T_F64, a);
        jit_push_reg(c, l->type, r);
        return;
    }
    case L_FCVT: x64_sse_rr(cb, (X64Sse)l->op, a, a); jit_push_reg(c, l->type, a); return;
    case L_FROUND: x64_round(cb, l->w, a, a, (uint8_t)(8 | l->op)); break;
    default: x64_sse_rr(cb, (X64Sse)l->op, a, a); break; /* sqrt */
    }
    jit_push_reg(c, l->w ? T_F64 : T_F32, a);
}

bool jit_lower_numeric(Comp *c, const Instr *in) {
    const Lower *l = &lower[in->op];
    switch (l->kind) {
    case L_ALU: lower_alu(c, l); return true;
    case L_MUL: lower_mul(c, l); return true;
    case L_DIV: lower_div(c, l); return true;
    case L_SHIFT: lower_shift(c, l); return true;
    case L_CMP:
    case L_EQZ: push_flag(c, jit_emit_cmp(c, in->op)); return true;
    case L_BITCNT: lower_bitcnt(c, l); return true;
    case L_FBIN: lower_fbin(c, l); return true;
    case L_FMINMAX: lower_fminmax(c, l); return true;
    case L_FCMP: lower_fcmp(c, l); return true;
    case L_FABS:
    case L_FNEG:
    case L_FCOPYSIGN: lower_fbits(c, l); return true;
    case L_I2F: lower_i2f(c, l); return true;
    case L_F2I: lower_f2i(c, l); return true;
    case L_WRAP:
    case L_EXTEND:
    case L_REINT:
    case L_FCVT:
    case L_FROUND:
    case L_FSQRT: lower_conv(c, l); return true;
    default: break;
    }
    switch (in->op) {
    case OP_I32_CONST: jit_push_const(c, T_I32, (uint32_t)in->imm.i32); return true;
    case OP_I64_CONST: jit_push_const(c, T_I64, (uint64_t)in->imm.i64); return true;
    case OP_F32_CONST: jit_push_const(c, T_F32, in->imm.f32); return true;
    case OP_F64_CONST: jit_push_const(c, T_F64, in->imm.f64); return true;
    default: return false;
    }
}

/* ---- memory ---- */

static int32_t mem_field(const Comp *c, uint32_t mem) {
    return (int32_t)(c->rm->offsets.memories + 8 * mem);
}

X64Mem jit_address(Comp *c, const Instr *in, uint8_t size, bool *site) {
    CodeBuf *cb = &c->cb;
    uint32_t mem = in->imm.memarg.mem;
    uint64_t offset = in->imm.memarg.offset;
    const MemType *mt = &c->mod->memories[mem].type;
    bool guarded = rt_memory_guarded(&c->rm->engine->config, mt);
    const VItem *top = &c->vs[c->h - 1];
    bool is_const = top->kind == K_CONST;
    uint64_t cv = mt->is64 ? top->c : (uint32_t)top->c;
    uint8_t a = X64_NOREG;
    bool pinned = false; /* a is a pinned local's register: read it, never free it */
    if (is_const)
        jit_pop(c);
    else if (!(pinned = jit_pop_pinned(c, &a)))
        a = jit_pop_reg(c, NULL);
    *site = guarded;
    X64Mem m;
    if (guarded) {
        X64Reg base = J_MEM0;
        if (mem != 0) {
            x64_load(cb, J_SCRATCH2, x64_mem(J_VMCTX, mem_field(c, mem)), 8, false, true);
            x64_load(cb, J_SCRATCH2, x64_mem(J_SCRATCH2, offsetof(RtMemory, base)), 8, false,
                     true);
            base = J_SCRATCH2;
        }
        if (is_const) {
            uint64_t ea = cv + offset;
            if (ea <= INT32_MAX)
                return x64_mem(base, (int32_t)ea);
            x64_mov_ri(cb, J_SCRATCH, ea);
            return x64_mem_idx(base, J_SCRATCH, 1, 0);
        }
        if (offset <= INT32_MAX) {
            m = x64_mem_idx(base, (X64Reg)a, 1, (int32_t)offset);
        } else {
            x64_mov_ri(cb, J_SCRATCH, offset);
            x64_alu_rr(cb, X64_ADD, true, J_SCRATCH, (X64Reg)a);
            m = x64_mem_idx(base, J_SCRATCH, 1, 0);
        }
        if (!pinned)
            jit_free_reg(c, T_I64, a);
        return m;
    }
    /* explicit check: addr + offset + size <= length, without overflow */
    uint32_t oob = jit_stub(c, TRAP_MEM_OOB);
    x64_load(cb, J_SCRATCH2, x64_mem(J_VMCTX, mem_field(c, mem)), 8, false, true);
    uint64_t end = offset + size;
    if (is_const) {
        uint64_t ea;
        if (__builtin_add_overflow(cv, end, &ea)) {
            x64_jmp(cb, oob);
            ea = size;
        }
        x64_mov_ri(cb, J_SCRATCH, ea);
    } else {
        x64_mov_ri(cb, J_SCRATCH, end);
        if (!mt->is64 && !pinned) /* a pinned i32 is kept zero-extended */
            x64_mov_rr(cb, false, (X64Reg)a, (X64Reg)a);
        x64_alu_rr(cb, X64_ADD, true, J_SCRATCH, (X64Reg)a);
        x64_jcc(cb, X64_B, oob);
        if (!pinned)
            jit_free_reg(c, T_I64, a);
    }
    x64_alu_rm(cb, X64_CMP, true, J_SCRATCH, x64_mem(J_SCRATCH2, offsetof(RtMemory, length)));
    x64_jcc(cb, X64_A, oob);
    x64_load(cb, J_SCRATCH2, x64_mem(J_SCRATCH2, offsetof(RtMemory, base)), 8, false, true);
    *site = false;
    return x64_mem_idx(J_SCRATCH2, J_SCRATCH, 1, -(int32_t)size);
}

static void lower_load(Comp *c, const Instr *in, const Lower *l) {
    bool site;
    X64Mem m = jit_address(c, in, l->size, &site);
    uint8_t r = jit_alloc(c, jit_is_xmm(l->type));
    if (site)
        jit_trap_site(c, TRAP_MEM_OOB);
    if (l->type == T_F32)
        x64_sse_rm(&c->cb, X64_MOVSS, r, m);
    else if (l->type == T_F64)
        x64_sse_rm(&c->cb, X64_MOVSD, r, m);
    else
        x64_load(&c->cb, (X64Reg)r, m, l->size, l->sign, l->type == T_I64);
    jit_push_reg(c, l->type, r);
}

static void lower_store(Comp *c, const Instr *in, const Lower *l) {
    int32_t imm = 0;
    bool is_imm = !jit_is_xmm(l->type) && jit_pop_imm(c, &imm);
    uint8_t v = X64_NOREG;
    bool pinned = !is_imm && jit_pop_pinned(c, &v);
    if (!is_imm && !pinned)
        v = jit_pop_reg(c, NULL);
    bool site;
    X64Mem m = jit_address(c, in, l->size, &site);
    if (site)
        jit_trap_site(c, TRAP_MEM_OOB);
    if (is_imm)
        x64_store_imm(&c->cb, m, imm, l->size);
    else if (l->type == T_F32 || l->type == T_F64)
        x64_movss_store(&c->cb, m, v, l->type == T_F64);
    else
        x64_store(&c->cb, m, (X64Reg)v, l->size);
    if (!is_imm && !pinned)
        jit_free_reg(c, l->type, v);
}

/* A libcall with `n_imm` immediates then the top `n_ops` operands as
 * arguments; the result is pushed (type `result`) or, for TrapCode results
 * (result == UINT8_MAX), checked. */
static void libcall(Comp *c, RtLibId id, uint32_t n_imm, const uint64_t *imms, uint32_t n_ops,
                    uint8_t result) {
    static const X64Reg args[] = {X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9};
    jit_spill_regs(c);
    for (uint32_t k = 0; k < n_imm; k++)
        x64_mov_ri(&c->cb, args[k], imms[k]);
    uint32_t first = c->h - n_ops;
    for (uint32_t k = 0; k < n_ops; k++) {
        const VItem *it = &c->vs[first + k];
        X64Reg r = args[n_imm + k];
        if (it->kind == K_LOCAL) /* from its slot: a pin may be in r8/r9, already flushed */
            x64_load(&c->cb, r, jit_local(c, it->local), it->type == T_I32 ? 4 : 8, false,
                     it->type != T_I32);
        else
            jit_load_item(c, it, (uint8_t)r);
    }
    for (uint32_t k = 0; k < n_ops; k++)
        jit_pop(c);
    x64_mov_rr(&c->cb, true, X64_RDI, J_VMCTX);
    jit_call_c(c, (const void *)rt_libcalls[id]);
    if (result == UINT8_MAX) {
        x64_test_rr(&c->cb, false, X64_RAX, X64_RAX);
        x64_jcc(&c->cb, X64_NE, jit_stub(c, UINT32_MAX));
        return;
    }
    c->gpr_free &= (uint16_t) ~(1u << X64_RAX);
    if (result == T_I32)
        x64_mov_rr(&c->cb, false, X64_RAX, X64_RAX);
    jit_push_reg(c, result, X64_RAX);
}

static uint8_t addr_type(bool is64) {
    return is64 ? T_I64 : T_I32;
}

static void table_access(Comp *c, uint32_t table, bool set) {
    CodeBuf *cb = &c->cb;
    uint8_t v = set ? jit_pop_reg(c, NULL) : X64_NOREG;
    uint8_t i = jit_pop_reg(c, NULL);
    if (!c->mod->tables[table].type.limits.is64)
        x64_mov_rr(cb, false, (X64Reg)i, (X64Reg)i);
    x64_load(cb, J_SCRATCH2, x64_mem(J_VMCTX, (int32_t)(c->rm->offsets.tables + 8 * table)), 8,
             false, true);
    x64_alu_rm(cb, X64_CMP, true, (X64Reg)i, x64_mem(J_SCRATCH2, offsetof(RtTable, size)));
    x64_jcc(cb, X64_AE, jit_stub(c, TRAP_TABLE_OOB));
    x64_load(cb, J_SCRATCH2, x64_mem(J_SCRATCH2, offsetof(RtTable, elems)), 8, false, true);
    X64Mem m = x64_mem_idx(J_SCRATCH2, (X64Reg)i, 8, 0);
    if (set) {
        x64_store(cb, m, (X64Reg)v, 8);
        jit_free_reg(c, T_I64, v);
        jit_free_reg(c, T_I64, i);
    } else {
        x64_load(cb, (X64Reg)i, m, 8, false, true);
        jit_push_reg(c, T_REF, i);
    }
}

static void size_op(Comp *c, int32_t field, int32_t member, uint8_t shift, uint8_t type) {
    uint8_t r = jit_alloc(c, false);
    x64_load(&c->cb, J_SCRATCH2, x64_mem(J_VMCTX, field), 8, false, true);
    x64_load(&c->cb, (X64Reg)r, x64_mem(J_SCRATCH2, member), 8, false, true);
    if (shift)
        x64_shift_ri(&c->cb, X64_SHR, true, (X64Reg)r, shift);
    jit_push_reg(c, type, r);
}

static void drop_segment(Comp *c, uint32_t field, uint32_t index) {
    x64_store_imm(&c->cb, x64_mem(J_VMCTX, (int32_t)(field + index)), 1, 1);
}

bool jit_lower_memory(Comp *c, const Instr *in) {
    const Lower *l = &lower[in->op];
    if (l->kind == L_LOAD) {
        lower_load(c, in, l);
        return true;
    }
    if (l->kind == L_STORE) {
        lower_store(c, in, l);
        return true;
    }
    const Module *mod = c->mod;
    uint64_t x = in->imm.pair.x, y = in->imm.pair.y, idx = in->imm.index;
    switch (in->op) {
    case OP_MEMORY_SIZE:
        size_op(c, mem_field(c, in->imm.index), offsetof(RtMemory, length), 16,
                addr_type(mod->memories[idx].type.is64));
        return true;
    case OP_MEMORY_GROW:
        libcall(c, RT_LIB_MEMORY_GROW, 1, &idx, 1, addr_type(mod->memories[idx].type.is64));
        return true;
    case OP_MEMORY_FILL: libcall(c, RT_LIB_MEMORY_FILL, 1, &idx, 3, UINT8_MAX); return true;
    case OP_MEMORY_COPY: {
        uint64_t imms[2] = {x, y};
        libcall(c, RT_LIB_MEMORY_COPY, 2, imms, 3, UINT8_MAX);
        return true;
    }
    case OP_MEMORY_INIT: {
        uint64_t imms[2] = {y, x};
        libcall(c, RT_LIB_MEMORY_INIT, 2, imms, 3, UINT8_MAX);
        return true;
    }
    case OP_DATA_DROP: drop_segment(c, c->rm->offsets.dropped_datas, in->imm.index); return true;
    case OP_ELEM_DROP: drop_segment(c, c->rm->offsets.dropped_elems, in->imm.index); return true;
    case OP_TABLE_GET: table_access(c, in->imm.index, false); return true;
    case OP_TABLE_SET: table_access(c, in->imm.index, true); return true;
    case OP_TABLE_SIZE:
        size_op(c, (int32_t)(c->rm->offsets.tables + 8 * in->imm.index), offsetof(RtTable, size),
                0, addr_type(mod->tables[idx].type.limits.is64));
        return true;
    case OP_TABLE_GROW:
        libcall(c, RT_LIB_TABLE_GROW, 1, &idx, 2, addr_type(mod->tables[idx].type.limits.is64));
        return true;
    case OP_TABLE_FILL: libcall(c, RT_LIB_TABLE_FILL, 1, &idx, 3, UINT8_MAX); return true;
    case OP_TABLE_COPY: {
        uint64_t imms[2] = {x, y};
        libcall(c, RT_LIB_TABLE_COPY, 2, imms, 3, UINT8_MAX);
        return true;
    }
    case OP_TABLE_INIT: {
        uint64_t imms[2] = {y, x};
        libcall(c, RT_LIB_TABLE_INIT, 2, imms, 3, UINT8_MAX);
        return true;
    }
    default: return false;
    }
}
