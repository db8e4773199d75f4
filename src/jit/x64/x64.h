/* The x86-64 encoder: a growable code buffer with labels and fix-ups, and one
 * emitter per instruction form the JIT uses (integer, SSE2..SSE4.1 scalar).
 * Regular encodings come from tables (ALU group, shifts, condition codes, SSE
 * ops); every form is checked against objdump in tests/unit/jit/x64_test.c.
 * Invariant: a CodeBuf that ran out of memory stays `failed` and ignores
 * further writes, so callers check once at the end. */
#ifndef WASMC_JIT_X64_X64_H
#define WASMC_JIT_X64_X64_H

#include <stdbool.h>
#include <stdint.h>

typedef enum X64Reg {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
    X64_NOREG = 0xff
} X64Reg;

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
typedef enum X64Cond {
    X64_O, X64_NO, X64_B, X64_AE, X64_E, X64_NE, X64_BE, X64_A,
    X64_S, X64_NS, X64_P, X64_NP, X64_L, X64_GE, X64_LE, X64_G
} X64Cond;
static inline X64Cond x64_cond_not(X64Cond c) {
    return (X64Cond)(c ^ 1);
}

/* A memory operand: [base + index * scale + disp]; base X64_NOREG means an
 * absolute disp32 (with `fs`, a thread-local access). */
typedef struct X64Mem {
    uint8_t base, index, scale; /* scale: 1, 2, 4, 8 */
    bool fs;
    int32_t disp;
} X64Mem;
static inline X64Mem x64_mem(X64Reg base, int32_t disp) {
    X64Mem m = {(uint8_t)base, X64_NOREG, 1, false, disp};
    return m;
}
static inline X64Mem x64_mem_idx(X64Reg base, X64Reg index, uint8_t scale, int32_t disp) {
    X64Mem m = {(uint8_t)base, (uint8_t)index, scale, false, disp};
    return m;
}

typedef struct X64Fixup {
    uint32_t pos;   /* where the 32-bit field is */
    uint32_t label;
    uint32_t base;  /* the value is target - base */
} X64Fixup;

typedef struct CodeBuf {
    uint8_t *code;
    uint32_t len, cap;
    int32_t *labels;    /* position, or -1 while unbound */
    uint32_t n_labels, cap_labels;
    X64Fixup *fixups;
    uint32_t n_fixups, cap_fixups;
    bool failed;        /* allocation failed: contents are garbage */
    uint8_t stage[16];  /* an instruction assembled while the buffer is full (encode.c) */
} CodeBuf;

void x64_init(CodeBuf *cb);
void x64_fini(CodeBuf *cb);
/* Forget code and labels, keep the storage. */
void x64_reset(CodeBuf *cb);
/* Make room for n more bytes up front (an estimate; growth stays automatic). */
void x64_reserve(CodeBuf *cb, uint32_t n);
/* One byte: inline while there is room (the hot path of every emitter). */
void x64_byte_slow(CodeBuf *cb, uint8_t b);
static inline void x64_byte(CodeBuf *cb, uint8_t b) {
    if (cb->len < cb->cap)
        cb->code[cb->len++] = b;
    else
        x64_byte_slow(cb, b);
}
void x64_u32(CodeBuf *cb, uint32_t v);
void x64_u64(CodeBuf *cb, uint64_t v);
void x64_patch32(CodeBuf *cb, uint32_t pos, uint32_t v);
/* Append a copy of the n bytes at `start` (code already in the buffer). */
void x64_repeat(CodeBuf *cb, uint32_t start, uint32_t n);

/* Labels: create, bind at the current position, refer to. */
uint32_t x64_label(CodeBuf *cb);
void x64_bind(CodeBuf *cb, uint32_t label);
static inline bool x64_bound(const CodeBuf *cb, uint32_t label) {
    return cb->labels[label] >= 0;
}
/* A 32-bit field holding label - base, resolved by x64_resolve. */
void x64_label_field(CodeBuf *cb, uint32_t label, uint32_t base);
/* Patch every fix-up; false if a label was never bound. */
bool x64_resolve(CodeBuf *cb);

/* ---- integer ---- */

/* The ALU group: rows of the classic 00..3F opcodes and /digit of 0x81/0x83. */
typedef enum X64Alu {
    X64_ADD, X64_OR, X64_ADC, X64_SBB, X64_AND, X64_SUB, X64_XOR, X64_CMP
} X64Alu;
/* w: 64-bit operand size (else 32). */
void x64_alu_rr(CodeBuf *cb, X64Alu op, bool w, X64Reg dst, X64Reg src);
void x64_alu_ri(CodeBuf *cb, X64Alu op, bool w, X64Reg dst, int32_t imm);
void x64_alu_rm(CodeBuf *cb, X64Alu op, bool w, X64Reg dst, X64Mem m);
void x64_alu_mr(CodeBuf *cb, X64Alu op, bool w, X64Mem m, X64Reg src);
void x64_alu_mi(CodeBuf *cb, X64Alu op, bool w, X64Mem m, int32_t imm);

void x64_mov_rr(CodeBuf *cb, bool w, X64Reg dst, X64Reg src);
/* Smallest encoding of dst = imm (zero-extended 32-bit forms when they fit). */
void x64_mov_ri(CodeBuf *cb, X64Reg dst, uint64_t imm);
/* Loads: size 1, 2, 4, 8 bytes; sign: sign-extend to 32 (w = 0) or 64 bits. */
void x64_load(CodeBuf *cb, X64Reg dst, X64Mem m, uint8_t size, bool sign, bool w);
void x64_store(CodeBuf *cb, X64Mem m, X64Reg src, uint8_t size);
void x64_store_imm(CodeBuf *cb, X64Mem m, int32_t imm, uint8_t size);
void x64_lea(CodeBuf *cb, bool w, X64Reg dst, X64Mem m);
void x64_movzx_r8(CodeBuf *cb, X64Reg dst, X64Reg src); /* dst32 = (u8)src */
void x64_movsx_rr(CodeBuf *cb, bool w, X64Reg dst, X64Reg src, uint8_t size);
void x64_movsxd(CodeBuf *cb, X64Reg dst, X64Reg src);
void x64_test_rr(CodeBuf *cb, bool w, X64Reg a, X64Reg b);
void x64_test_ri(CodeBuf *cb, bool w, X64Reg r, int32_t imm); /* F7 /0 id */
void x64_imul_rr(CodeBuf *cb, bool w, X64Reg dst, X64Reg src);
void x64_imul_rri(CodeBuf *cb, bool w, X64Reg dst, X64Reg src, int32_t imm);

/* Group 3 (0xF7 /digit). */
typedef enum X64Unary { X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_DIV = 6, X64_IDIV = 7 } X64Unary;
void x64_unary(CodeBuf *cb, X64Unary op, bool w, X64Reg r);
void x64_cdq(CodeBuf *cb, bool w); /* cdq / cqo */

/* Group 2 (shifts and rotates, /digit). */
typedef enum X64Shift { X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7 } X64Shift;
void x64_shift_cl(CodeBuf *cb, X64Shift op, bool w, X64Reg r);
void x64_shift_ri(CodeBuf *cb, X64Shift op, bool w, X64Reg r, uint8_t imm);

/* Bit counts: F3 0F BD/BC/B8 (lzcnt, tzcnt, popcnt) and 0F BD/BC (bsr, bsf). */
typedef enum X64BitOp { X64_LZCNT, X64_TZCNT, X64_POPCNT, X64_BSR, X64_BSF } X64BitOp;
void x64_bitop(CodeBuf *cb, X64BitOp op, bool w, X64Reg dst, X64Reg src);

void x64_setcc(CodeBuf *cb, X64Cond cc, X64Reg r);
void x64_cmov(CodeBuf *cb, X64Cond cc, bool w, X64Reg dst, X64Reg src);
void x64_push(CodeBuf *cb, X64Reg r);
void x64_pop(CodeBuf *cb, X64Reg r);
void x64_ret(CodeBuf *cb);
void x64_ud2(CodeBuf *cb);
void x64_rep_stosq(CodeBuf *cb);

/* ---- control ---- */

void x64_jmp(CodeBuf *cb, uint32_t label);
void x64_jcc(CodeBuf *cb, X64Cond cc, uint32_t label);
void x64_call(CodeBuf *cb, uint32_t label);
void x64_call_r(CodeBuf *cb, X64Reg r);
void x64_call_m(CodeBuf *cb, X64Mem m);
void x64_jmp_r(CodeBuf *cb, X64Reg r);
/* lea dst, [rip + label] */
void x64_lea_label(CodeBuf *cb, X64Reg dst, uint32_t label);

/* ---- SSE (scalar) ---- */

/* Two-operand SSE ops xmm, xmm/m: prefix (0, 0x66, 0xF2, 0xF3) + 0F op. */
typedef enum X64Sse {
#define X64_SSE(name, prefix, op) X64_##name,
#include "sse.def"
#undef X64_SSE
    X64_SSE_COUNT
} X64Sse;
void x64_sse_rr(CodeBuf *cb, X64Sse op, uint8_t dst, uint8_t src);
void x64_sse_rm(CodeBuf *cb, X64Sse op, uint8_t dst, X64Mem m);
/* Stores: movss/movsd [m], xmm. */
void x64_movss_store(CodeBuf *cb, X64Mem m, uint8_t src, bool dbl);
/* movd/movq between a GPR and an XMM (w: 64 bits). */
void x64_movd_xr(CodeBuf *cb, bool w, uint8_t xmm, X64Reg r);
void x64_movd_rx(CodeBuf *cb, bool w, X64Reg r, uint8_t xmm);
/* cvtsi2ss/sd xmm, r32/64 and cvttss/sd2si r32/64, xmm. */
void x64_cvtsi2f(CodeBuf *cb, bool dbl, bool w, uint8_t dst, X64Reg src);
void x64_cvttf2si(CodeBuf *cb, bool dbl, bool w, X64Reg dst, uint8_t src);
/* roundss/roundsd xmm, xmm, mode (SSE4.1). */
void x64_round(CodeBuf *cb, bool dbl, uint8_t dst, uint8_t src, uint8_t mode);

/* ---- SSE (packed, vec.def) ---- */

typedef enum X64Vec {
#define X64_VEC(name, prefix, w, map, op, ext) X64_##name,
#include "vec.def"
#undef X64_VEC
    X64_VEC_COUNT
} X64Vec;
/* The extension a form needs: 0 SSE2, 1 SSSE3, 2 SSE4.1, 3 SSE4.2. */
uint8_t x64_vec_ext(X64Vec op);
/* `reg` goes in ModRM.reg, `rm` in ModRM.rm (register numbers of whichever
 * class the form takes: see vec.def). */
void x64_vec_rr(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t rm);
void x64_vec_rm(CodeBuf *cb, X64Vec op, uint8_t reg, X64Mem m);
/* stores and extracts to memory: the same encoding as rm with `reg` the source */
void x64_vec_mr(CodeBuf *cb, X64Vec op, X64Mem m, uint8_t reg);
void x64_vec_rri(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t rm, uint8_t imm);
void x64_vec_rmi(CodeBuf *cb, X64Vec op, uint8_t reg, X64Mem m, uint8_t imm);
/* A packed load from `label` (a 16-byte aligned constant), RIP-relative. */
void x64_vec_rl(CodeBuf *cb, X64Vec op, uint8_t reg, uint32_t label);
/* Shifts by an immediate: 66 0F 71/72/73 /digit ib. */
typedef enum X64VShift {
    X64_PSRLW_I, X64_PSRAW_I, X64_PSLLW_I, X64_PSRLD_I, X64_PSRAD_I, X64_PSLLD_I,
    X64_PSRLQ_I, X64_PSRLDQ_I, X64_PSLLQ_I, X64_PSLLDQ_I
} X64VShift;
void x64_vshift_ri(CodeBuf *cb, X64VShift op, uint8_t xmm, uint8_t imm);

/* AVX (VEX.128) encodings of the same rows, for CPUs with AVX (x64_vec_ext
 * level 4): reg = vvvv OP rm, three operands, memory operands need no
 * alignment. vvvv is the second source (pass 0 for the forms that have none:
 * moves, unary ops, pshufd...). Upper halves of the ymm registers are zeroed.
 * Checked against objdump in tests/unit/jit/x64_vex_test.c. */
void x64_vex_rr(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, uint8_t rm);
void x64_vex_rm(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, X64Mem m);
void x64_vex_rl(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, uint32_t label);
void x64_vex_rri(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, uint8_t rm, uint8_t imm);
/* dst = src shifted by imm (VEX.NDD: 66 0F 71/72/73 /digit ib). */
void x64_vex_shift_ri(CodeBuf *cb, X64VShift op, uint8_t dst, uint8_t src, uint8_t imm);

#endif
