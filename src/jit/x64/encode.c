/* x86-64 instruction encoding into a CodeBuf: REX/ModRM/SIB assembly shared by
 * every form, the regular groups driven by their tables (ALU rows, group 2/3
 * digits, condition codes, sse.def), labels resolved once at the end. */
#include "x64.h"

#include <string.h>

#include "../../base/base.h"

/* ---- buffer ---- */

void x64_init(CodeBuf *cb) {
    memset(cb, 0, sizeof *cb);
}

void x64_fini(CodeBuf *cb) {
    mem_free(cb->code);
    mem_free(cb->labels);
    mem_free(cb->fixups);
    memset(cb, 0, sizeof *cb);
}

void x64_reset(CodeBuf *cb) {
    cb->len = 0;
    cb->n_labels = 0;
    cb->n_fixups = 0;
    cb->failed = false;
}

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem) {
    if (need <= *cap)
        return true;
    uint64_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (n * elem > UINT32_MAX)
        return false;
    void *q = mem_realloc(*p, (size_t)(n * elem));
    if (!q)
        return false;
    *p = q;
    *cap = (uint32_t)n;
    return true;
}

/* Out of line: the inlined encoders keep only the capacity test. */
static __attribute__((noinline)) bool room_slow(CodeBuf *cb, uint32_t n) {
    if (cb->failed || !grow((void **)&cb->code, &cb->cap, cb->len + n + 64, 1)) {
        cb->failed = true;
        return false;
    }
    return true;
}

static inline bool room(CodeBuf *cb, uint32_t n) {
    return cb->len + n <= cb->cap || room_slow(cb, n);
}

void x64_reserve(CodeBuf *cb, uint32_t n) {
    room(cb, n);
}

void x64_byte_slow(CodeBuf *cb, uint8_t b) {
    if (room(cb, 1))
        cb->code[cb->len++] = b;
}

void x64_u32(CodeBuf *cb, uint32_t v) {
    if (room(cb, 4)) {
        memcpy(cb->code + cb->len, &v, 4);
        cb->len += 4;
    }
}

void x64_u64(CodeBuf *cb, uint64_t v) {
    if (room(cb, 8)) {
        memcpy(cb->code + cb->len, &v, 8);
        cb->len += 8;
    }
}

void x64_repeat(CodeBuf *cb, uint32_t start, uint32_t n) {
    if (room(cb, n)) { /* room may move the code: the source is taken after it */
        memcpy(cb->code + cb->len, cb->code + start, n);
        cb->len += n;
    }
}

void x64_patch32(CodeBuf *cb, uint32_t pos, uint32_t v) {
    if (!cb->failed)
        memcpy(cb->code + pos, &v, 4);
}

uint32_t x64_label(CodeBuf *cb) {
    if (cb->n_labels >= cb->cap_labels &&
        !grow((void **)&cb->labels, &cb->cap_labels, cb->n_labels + 1, sizeof(int32_t))) {
        cb->failed = true;
        return 0; /* label 0 stands in; the buffer is failed anyway */
    }
    cb->labels[cb->n_labels] = -1;
    return cb->n_labels++;
}

void x64_bind(CodeBuf *cb, uint32_t label) {
    if (label < cb->n_labels)
        cb->labels[label] = (int32_t)cb->len;
}

void x64_label_field(CodeBuf *cb, uint32_t label, uint32_t base) {
    if (cb->n_fixups >= cb->cap_fixups &&
        !grow((void **)&cb->fixups, &cb->cap_fixups, cb->n_fixups + 1, sizeof(X64Fixup))) {
        cb->failed = true;
        return;
    }
    cb->fixups[cb->n_fixups++] = (X64Fixup){cb->len, label, base};
    x64_u32(cb, 0);
}

bool x64_resolve(CodeBuf *cb) {
    if (cb->failed)
        return false;
    for (uint32_t i = 0; i < cb->n_fixups; i++) {
        const X64Fixup *f = &cb->fixups[i];
        if (f->label >= cb->n_labels || cb->labels[f->label] < 0)
            return false;
        x64_patch32(cb, f->pos, (uint32_t)(cb->labels[f->label] - (int32_t)f->base));
    }
    cb->n_fixups = 0;
    return true;
}

/* ---- REX, ModRM, SIB ---- */

/* An instruction's bytes are written straight into the buffer after one room
 * check for the longest form (ENC_MAX bytes); each put_ helper returns the
 * next write position. op_rr and op_rm are inlined into their callers, so the
 * opcode bytes and most tests are constants there. */
#define ENC_MAX sizeof(((CodeBuf *)0)->stage)
#define ENC_INLINE static inline __attribute__((always_inline))

/* REX for reg field r, index x, base/rm b; `force` for byte registers
 * spl..dil. Written always, kept only when needed. */
ENC_INLINE uint8_t *put_rex(uint8_t *p, bool w, unsigned r, unsigned x, unsigned b, bool force) {
    unsigned v = 0x40u | (unsigned)w << 3 | (r & 8) >> 1 | (x & 8) >> 2 | (b & 8) >> 3;
    *p = (uint8_t)v;
    return p + (v != 0x40 || force);
}

ENC_INLINE uint8_t *put_u32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
    return p + 4;
}

ENC_INLINE uint8_t *put_modrm_mem(uint8_t *p, unsigned reg, X64Mem m) {
    unsigned r = (reg & 7) << 3;
    if (m.base == X64_NOREG) { /* absolute disp32 */
        p[0] = (uint8_t)(0x04 | r);
        p[1] = 0x25;
        return put_u32(p + 2, (uint32_t)m.disp);
    }
    unsigned mod = m.disp == 0 && (m.base & 7) != X64_RBP ? 0
                   : m.disp >= -128 && m.disp <= 127      ? 1
                                                          : 2;
    bool sib = m.index != X64_NOREG || (m.base & 7) == X64_RSP;
    *p++ = (uint8_t)((mod << 6) | r | (sib ? 4 : (m.base & 7)));
    if (sib) {
        unsigned ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
        unsigned idx = m.index == X64_NOREG ? 4 : (m.index & 7);
        *p++ = (uint8_t)((ss << 6) | (idx << 3) | (m.base & 7));
    }
    if (mod == 1)
        *p++ = (uint8_t)(int8_t)m.disp;
    else if (mod == 2)
        p = put_u32(p, (uint32_t)m.disp);
    return p;
}

/* Where to assemble an instruction: in place when the buffer has room, else
 * in the staging area, which enc_end appends out of line. So the common
 * path makes no call and needs no stack frame. */
ENC_INLINE uint8_t *enc_begin(CodeBuf *cb) {
    return cb->len + ENC_MAX <= cb->cap ? cb->code + cb->len : cb->stage;
}

/* Append the staged bytes (growing the buffer); dropped when it failed. */
static __attribute__((noinline)) void stage_flush(CodeBuf *cb, uint32_t n) {
    if (room(cb, n)) {
        memcpy(cb->code + cb->len, cb->stage, n);
        cb->len += n;
    }
}

/* The instruction enc_begin's `start` began ends at p. */
ENC_INLINE void enc_end(CodeBuf *cb, const uint8_t *start, const uint8_t *p) {
    if (start == cb->stage)
        stage_flush(cb, (uint32_t)(p - start));
    else
        cb->len = (uint32_t)(p - cb->code);
}

static void rex(CodeBuf *cb, bool w, unsigned r, unsigned x, unsigned b, bool force) {
    uint8_t *p = enc_begin(cb);
    enc_end(cb, p, put_rex(p, w, r, x, b, force));
}

static void modrm_rr(CodeBuf *cb, unsigned reg, unsigned rm) {
    x64_byte(cb, (uint8_t)(0xC0 | ((reg & 7) << 3) | (rm & 7)));
}

static unsigned mem_index(X64Mem m) {
    return m.index == X64_NOREG ? 0 : m.index;
}

static void modrm_mem(CodeBuf *cb, unsigned reg, X64Mem m) {
    uint8_t *p = enc_begin(cb);
    enc_end(cb, p, put_modrm_mem(p, reg, m));
}

/* prefix(es), REX, opcode bytes, ModRM for reg/rm forms. */
ENC_INLINE void op_rr(CodeBuf *cb, uint8_t prefix, bool w, const uint8_t *op, unsigned n_op,
                      unsigned reg, unsigned rm, bool byte_regs) {
    uint8_t *start = enc_begin(cb), *p = start;
    if (prefix)
        *p++ = prefix;
    p = put_rex(p, w, reg, 0, rm, byte_regs && ((reg & 0xf) >= 4 || (rm & 0xf) >= 4));
    for (unsigned i = 0; i < n_op; i++)
        *p++ = op[i];
    *p++ = (uint8_t)(0xC0 | ((reg & 7) << 3) | (rm & 7));
    enc_end(cb, start, p);
}

ENC_INLINE void op_rm(CodeBuf *cb, uint8_t prefix, bool w, const uint8_t *op, unsigned n_op,
                      unsigned reg, X64Mem m, bool byte_reg) {
    uint8_t *start = enc_begin(cb), *p = start;
    if (m.fs)
        *p++ = 0x64;
    if (prefix)
        *p++ = prefix;
    unsigned base = m.base == X64_NOREG ? 0 : m.base;
    p = put_rex(p, w, reg, mem_index(m), base, byte_reg && (reg & 0xf) >= 4);
    for (unsigned i = 0; i < n_op; i++)
        *p++ = op[i];
    enc_end(cb, start, put_modrm_mem(p, reg, m));
}

#define OPS(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* ---- integer ---- */

void x64_alu_rr(CodeBuf *cb, X64Alu op, bool w, X64Reg dst, X64Reg src) {
    op_rr(cb, 0, w, OPS((uint8_t)(op * 8 + 1)), src, dst, false);
}

void x64_alu_ri(CodeBuf *cb, X64Alu op, bool w, X64Reg dst, int32_t imm) {
    if (imm >= -128 && imm <= 127) {
        op_rr(cb, 0, w, OPS(0x83), op, dst, false);
        x64_byte(cb, (uint8_t)(int8_t)imm);
    } else {
        op_rr(cb, 0, w, OPS(0x81), op, dst, false);
        x64_u32(cb, (uint32_t)imm);
    }
}

void x64_alu_rm(CodeBuf *cb, X64Alu op, bool w, X64Reg dst, X64Mem m) {
    op_rm(cb, 0, w, OPS((uint8_t)(op * 8 + 3)), dst, m, false);
}

void x64_alu_mr(CodeBuf *cb, X64Alu op, bool w, X64Mem m, X64Reg src) {
    op_rm(cb, 0, w, OPS((uint8_t)(op * 8 + 1)), src, m, false);
}

void x64_alu_mi(CodeBuf *cb, X64Alu op, bool w, X64Mem m, int32_t imm) {
    if (imm >= -128 && imm <= 127) {
        op_rm(cb, 0, w, OPS(0x83), op, m, false);
        x64_byte(cb, (uint8_t)(int8_t)imm);
    } else {
        op_rm(cb, 0, w, OPS(0x81), op, m, false);
        x64_u32(cb, (uint32_t)imm);
    }
}

void x64_mov_rr(CodeBuf *cb, bool w, X64Reg dst, X64Reg src) {
    op_rr(cb, 0, w, OPS(0x89), src, dst, false);
}

void x64_mov_ri(CodeBuf *cb, X64Reg dst, uint64_t imm) {
    if (imm <= UINT32_MAX) {
        rex(cb, false, 0, 0, dst, false);
        x64_byte(cb, (uint8_t)(0xB8 + (dst & 7)));
        x64_u32(cb, (uint32_t)imm);
    } else if ((int64_t)imm >= INT32_MIN && (int64_t)imm <= INT32_MAX) {
        op_rr(cb, 0, true, OPS(0xC7), 0, dst, false);
        x64_u32(cb, (uint32_t)imm);
    } else {
        rex(cb, true, 0, 0, dst, false);
        x64_byte(cb, (uint8_t)(0xB8 + (dst & 7)));
        x64_u64(cb, imm);
    }
}

/* ---- the hottest forms: frame slots, locals, vmctx fields ----
 * [base + disp] with a base that needs no SIB byte, no index and no fs:
 * most loads and stores the compiler emits. x64_load and x64_store test for
 * it first and leave the rest to the general encoders, kept out of line so
 * that this path stays short (no spills of callee-saved registers). */

static bool plain_base(X64Mem m) {
    return m.index == X64_NOREG && !m.fs && m.base != X64_NOREG && (m.base & 7) != X64_RSP;
}

/* REX, one opcode byte, ModRM for [base + disp] (plain_base). */
ENC_INLINE void op_base(CodeBuf *cb, bool w, uint8_t op, unsigned reg, X64Mem m) {
    uint8_t *start = enc_begin(cb), *p = start;
    p = put_rex(p, w, reg, 0, m.base, false);
    *p++ = op;
    unsigned modrm = (reg & 7) << 3 | (m.base & 7);
    if (m.disp == 0 && (m.base & 7) != X64_RBP) {
        *p++ = (uint8_t)modrm;
    } else if (m.disp >= -128 && m.disp <= 127) {
        *p++ = (uint8_t)(0x40 | modrm);
        *p++ = (uint8_t)(int8_t)m.disp;
    } else {
        *p++ = (uint8_t)(0x80 | modrm);
        p = put_u32(p, (uint32_t)m.disp);
    }
    enc_end(cb, start, p);
}

static __attribute__((noinline)) void load_general(CodeBuf *cb, X64Reg dst, X64Mem m,
                                                   uint8_t size, bool sign, bool w) {
    switch (size) {
    case 1: op_rm(cb, 0, w, OPS(0x0F, sign ? 0xBE : 0xB6), dst, m, false); break;
    case 2: op_rm(cb, 0, w, OPS(0x0F, sign ? 0xBF : 0xB7), dst, m, false); break;
    case 4:
        if (sign)
            op_rm(cb, 0, true, OPS(0x63), dst, m, false);
        else
            op_rm(cb, 0, false, OPS(0x8B), dst, m, false);
        break;
    default: op_rm(cb, 0, true, OPS(0x8B), dst, m, false); break;
    }
}

void x64_load(CodeBuf *cb, X64Reg dst, X64Mem m, uint8_t size, bool sign, bool w) {
    if (plain_base(m) && (size == 8 || (size == 4 && !sign)))
        op_base(cb, size == 8, 0x8B, dst, m);
    else
        load_general(cb, dst, m, size, sign, w);
}

static __attribute__((noinline)) void store_general(CodeBuf *cb, X64Mem m, X64Reg src,
                                                    uint8_t size) {
    switch (size) {
    case 1: op_rm(cb, 0, false, OPS(0x88), src, m, true); break;
    case 2: op_rm(cb, 0x66, false, OPS(0x89), src, m, false); break;
    case 4: op_rm(cb, 0, false, OPS(0x89), src, m, false); break;
    default: op_rm(cb, 0, true, OPS(0x89), src, m, false); break;
    }
}

void x64_store(CodeBuf *cb, X64Mem m, X64Reg src, uint8_t size) {
    if (plain_base(m) && size >= 4)
        op_base(cb, size == 8, 0x89, src, m);
    else
        store_general(cb, m, src, size);
}

void x64_store_imm(CodeBuf *cb, X64Mem m, int32_t imm, uint8_t size) {
    switch (size) {
    case 1:
        op_rm(cb, 0, false, OPS(0xC6), 0, m, false);
        x64_byte(cb, (uint8_t)imm);
        break;
    case 2:
        op_rm(cb, 0x66, false, OPS(0xC7), 0, m, false);
        x64_byte(cb, (uint8_t)imm);
        x64_byte(cb, (uint8_t)(imm >> 8));
        break;
    default:
        op_rm(cb, 0, size == 8, OPS(0xC7), 0, m, false);
        x64_u32(cb, (uint32_t)imm);
        break;
    }
}

void x64_lea(CodeBuf *cb, bool w, X64Reg dst, X64Mem m) {
    op_rm(cb, 0, w, OPS(0x8D), dst, m, false);
}

void x64_movzx_r8(CodeBuf *cb, X64Reg dst, X64Reg src) {
    op_rr(cb, 0, false, OPS(0x0F, 0xB6), dst, src, true);
}

void x64_movsx_rr(CodeBuf *cb, bool w, X64Reg dst, X64Reg src, uint8_t size) {
    if (size == 4)
        op_rr(cb, 0, true, OPS(0x63), dst, src, false);
    else
        op_rr(cb, 0, w, OPS(0x0F, size == 1 ? 0xBE : 0xBF), dst, src, size == 1);
}

void x64_movsxd(CodeBuf *cb, X64Reg dst, X64Reg src) {
    op_rr(cb, 0, true, OPS(0x63), dst, src, false);
}

void x64_test_rr(CodeBuf *cb, bool w, X64Reg a, X64Reg b) {
    op_rr(cb, 0, w, OPS(0x85), b, a, false);
}

void x64_test_ri(CodeBuf *cb, bool w, X64Reg r, int32_t imm) {
    op_rr(cb, 0, w, OPS(0xF7), 0, r, false);
    x64_u32(cb, (uint32_t)imm);
}

void x64_imul_rr(CodeBuf *cb, bool w, X64Reg dst, X64Reg src) {
    op_rr(cb, 0, w, OPS(0x0F, 0xAF), dst, src, false);
}

void x64_imul_rri(CodeBuf *cb, bool w, X64Reg dst, X64Reg src, int32_t imm) {
    if (imm >= -128 && imm <= 127) {
        op_rr(cb, 0, w, OPS(0x6B), dst, src, false);
        x64_byte(cb, (uint8_t)(int8_t)imm);
    } else {
        op_rr(cb, 0, w, OPS(0x69), dst, src, false);
        x64_u32(cb, (uint32_t)imm);
    }
}

void x64_unary(CodeBuf *cb, X64Unary op, bool w, X64Reg r) {
    op_rr(cb, 0, w, OPS(0xF7), op, r, false);
}

void x64_cdq(CodeBuf *cb, bool w) {
    rex(cb, w, 0, 0, 0, false);
    x64_byte(cb, 0x99);
}

void x64_shift_cl(CodeBuf *cb, X64Shift op, bool w, X64Reg r) {
    op_rr(cb, 0, w, OPS(0xD3), op, r, false);
}

void x64_shift_ri(CodeBuf *cb, X64Shift op, bool w, X64Reg r, uint8_t imm) {
    op_rr(cb, 0, w, OPS(0xC1), op, r, false);
    x64_byte(cb, imm);
}

void x64_bitop(CodeBuf *cb, X64BitOp op, bool w, X64Reg dst, X64Reg src) {
    static const uint8_t code[] = {0xBD, 0xBC, 0xB8, 0xBD, 0xBC};
    op_rr(cb, op <= X64_POPCNT ? 0xF3 : 0, w, OPS(0x0F, code[op]), dst, src, false);
}

void x64_setcc(CodeBuf *cb, X64Cond cc, X64Reg r) {
    op_rr(cb, 0, false, OPS(0x0F, (uint8_t)(0x90 + cc)), 0, r, true);
}

void x64_cmov(CodeBuf *cb, X64Cond cc, bool w, X64Reg dst, X64Reg src) {
    op_rr(cb, 0, w, OPS(0x0F, (uint8_t)(0x40 + cc)), dst, src, false);
}

void x64_push(CodeBuf *cb, X64Reg r) {
    rex(cb, false, 0, 0, r, false);
    x64_byte(cb, (uint8_t)(0x50 + (r & 7)));
}

void x64_pop(CodeBuf *cb, X64Reg r) {
    rex(cb, false, 0, 0, r, false);
    x64_byte(cb, (uint8_t)(0x58 + (r & 7)));
}

void x64_ret(CodeBuf *cb) {
    x64_byte(cb, 0xC3);
}

void x64_ud2(CodeBuf *cb) {
    x64_byte(cb, 0x0F);
    x64_byte(cb, 0x0B);
}

void x64_rep_stosq(CodeBuf *cb) {
    x64_byte(cb, 0xF3);
    x64_byte(cb, 0x48);
    x64_byte(cb, 0xAB);
}

/* ---- control ---- */

/* A jump to a bound label takes the short form when it reaches. */
static void jump(CodeBuf *cb, const uint8_t *op8, unsigned n8, const uint8_t *op32, unsigned n32,
                 uint32_t label) {
    if (label < cb->n_labels && cb->labels[label] >= 0 && op8) {
        int64_t rel = (int64_t)cb->labels[label] - (int64_t)(cb->len + n8 + 1);
        if (rel >= -128 && rel <= 127) {
            for (unsigned i = 0; i < n8; i++)
                x64_byte(cb, op8[i]);
            x64_byte(cb, (uint8_t)(int8_t)rel);
            return;
        }
    }
    for (unsigned i = 0; i < n32; i++)
        x64_byte(cb, op32[i]);
    x64_label_field(cb, label, cb->len + 4);
}

void x64_jmp(CodeBuf *cb, uint32_t label) {
    jump(cb, OPS(0xEB), OPS(0xE9), label);
}

void x64_jcc(CodeBuf *cb, X64Cond cc, uint32_t label) {
    jump(cb, OPS((uint8_t)(0x70 + cc)), OPS(0x0F, (uint8_t)(0x80 + cc)), label);
}

void x64_call(CodeBuf *cb, uint32_t label) {
    jump(cb, NULL, 0, OPS(0xE8), label);
}

void x64_call_r(CodeBuf *cb, X64Reg r) {
    op_rr(cb, 0, false, OPS(0xFF), 2, r, false);
}

void x64_call_m(CodeBuf *cb, X64Mem m) {
    op_rm(cb, 0, false, OPS(0xFF), 2, m, false);
}

void x64_jmp_r(CodeBuf *cb, X64Reg r) {
    op_rr(cb, 0, false, OPS(0xFF), 4, r, false);
}

void x64_lea_label(CodeBuf *cb, X64Reg dst, uint32_t label) {
    rex(cb, true, dst, 0, 0, false);
    x64_byte(cb, 0x8D);
    x64_byte(cb, (uint8_t)(0x05 | ((dst & 7) << 3)));
    x64_label_field(cb, label, cb->len + 4);
}

/* ---- SSE ---- */

static const uint8_t sse_prefix[X64_SSE_COUNT] = {
#define X64_SSE(name, prefix, op) prefix,
#include "sse.def"
#undef X64_SSE
};
static const uint8_t sse_op[X64_SSE_COUNT] = {
#define X64_SSE(name, prefix, op) op,
#include "sse.def"
#undef X64_SSE
};

void x64_sse_rr(CodeBuf *cb, X64Sse op, uint8_t dst, uint8_t src) {
    op_rr(cb, sse_prefix[op], false, OPS(0x0F, sse_op[op]), dst, src, false);
}

void x64_sse_rm(CodeBuf *cb, X64Sse op, uint8_t dst, X64Mem m) {
    op_rm(cb, sse_prefix[op], false, OPS(0x0F, sse_op[op]), dst, m, false);
}

void x64_movss_store(CodeBuf *cb, X64Mem m, uint8_t src, bool dbl) {
    op_rm(cb, dbl ? 0xF2 : 0xF3, false, OPS(0x0F, 0x11), src, m, false);
}

void x64_movd_xr(CodeBuf *cb, bool w, uint8_t xmm, X64Reg r) {
    op_rr(cb, 0x66, w, OPS(0x0F, 0x6E), xmm, r, false);
}

void x64_movd_rx(CodeBuf *cb, bool w, X64Reg r, uint8_t xmm) {
    op_rr(cb, 0x66, w, OPS(0x0F, 0x7E), xmm, r, false);
}

void x64_cvtsi2f(CodeBuf *cb, bool dbl, bool w, uint8_t dst, X64Reg src) {
    op_rr(cb, dbl ? 0xF2 : 0xF3, w, OPS(0x0F, 0x2A), dst, src, false);
}

void x64_cvttf2si(CodeBuf *cb, bool dbl, bool w, X64Reg dst, uint8_t src) {
    op_rr(cb, dbl ? 0xF2 : 0xF3, w, OPS(0x0F, 0x2C), dst, src, false);
}

void x64_round(CodeBuf *cb, bool dbl, uint8_t dst, uint8_t src, uint8_t mode) {
    op_rr(cb, 0x66, false, OPS(0x0F, 0x3A, dbl ? 0x0B : 0x0A), dst, src, false);
    x64_byte(cb, mode);
}

/* ---- SSE packed ---- */

typedef struct VecForm {
    uint8_t prefix, w, map, op, ext;
} VecForm;

static const VecForm vec_forms[X64_VEC_COUNT] = {
#define X64_VEC(name, prefix, w, map, op, ext) {prefix, w, map, op, ext},
#include "vec.def"
#undef X64_VEC
};

uint8_t x64_vec_ext(X64Vec op) {
    return vec_forms[op].ext;
}

/* The opcode bytes after the prefix and REX: 0F [38|3A] op. */
static unsigned vec_opcode(const VecForm *f, uint8_t out[3]) {
    unsigned n = 0;
    out[n++] = 0x0F;
    if (f->map == 2)
        out[n++] = 0x38;
    else if (f->map == 3)
        out[n++] = 0x3A;
    out[n++] = f->op;
    return n;
}

void x64_vec_rr(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t rm) {
    const VecForm *f = &vec_forms[op];
    uint8_t bytes[3];
    unsigned n = vec_opcode(f, bytes);
    op_rr(cb, f->prefix, f->w, bytes, n, reg, rm, false);
}

void x64_vec_rm(CodeBuf *cb, X64Vec op, uint8_t reg, X64Mem m) {
    const VecForm *f = &vec_forms[op];
    uint8_t bytes[3];
    unsigned n = vec_opcode(f, bytes);
    op_rm(cb, f->prefix, f->w, bytes, n, reg, m, false);
}

void x64_vec_mr(CodeBuf *cb, X64Vec op, X64Mem m, uint8_t reg) {
    x64_vec_rm(cb, op, reg, m);
}

void x64_vec_rri(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t rm, uint8_t imm) {
    x64_vec_rr(cb, op, reg, rm);
    x64_byte(cb, imm);
}

void x64_vec_rmi(CodeBuf *cb, X64Vec op, uint8_t reg, X64Mem m, uint8_t imm) {
    x64_vec_rm(cb, op, reg, m);
    x64_byte(cb, imm);
}

void x64_vec_rl(CodeBuf *cb, X64Vec op, uint8_t reg, uint32_t label) {
    const VecForm *f = &vec_forms[op];
    uint8_t bytes[3];
    unsigned n = vec_opcode(f, bytes);
    if (f->prefix)
        x64_byte(cb, f->prefix);
    rex(cb, f->w, reg, 0, 0, false);
    for (unsigned i = 0; i < n; i++)
        x64_byte(cb, bytes[i]);
    x64_byte(cb, (uint8_t)(0x05 | ((reg & 7) << 3)));
    x64_label_field(cb, label, cb->len + 4);
}

void x64_vshift_ri(CodeBuf *cb, X64VShift op, uint8_t xmm, uint8_t imm) {
    static const uint8_t code[] = {0x71, 0x71, 0x71, 0x72, 0x72, 0x72, 0x73, 0x73, 0x73, 0x73};
    static const uint8_t digit[] = {2, 4, 6, 2, 4, 6, 2, 3, 6, 7};
    op_rr(cb, 0x66, false, OPS(0x0F, code[op]), digit[op], xmm, false);
    x64_byte(cb, imm);
}

/* ---- AVX (VEX.128) forms of the vec.def rows ---- */

/* The VEX prefix: the two-byte C5 form when it can say everything (map 0F,
 * no W, no X/B extension), else C4. `reg`, `x`, `b` as for REX; vvvv the
 * second source (0 when unused: it is stored inverted, 1111b). */
static void vex(CodeBuf *cb, const VecForm *f, unsigned reg, unsigned x, unsigned b,
                unsigned vvvv) {
    unsigned pp = f->prefix == 0x66 ? 1 : f->prefix == 0xF3 ? 2 : f->prefix == 0xF2 ? 3 : 0;
    unsigned r_ = (~reg >> 3) & 1, x_ = (~x >> 3) & 1, b_ = (~b >> 3) & 1;
    unsigned v_ = (~vvvv) & 15;
    if (f->map == 1 && !f->w && x_ && b_) {
        x64_byte(cb, 0xC5);
        x64_byte(cb, (uint8_t)((r_ << 7) | (v_ << 3) | pp));
        return;
    }
    x64_byte(cb, 0xC4);
    x64_byte(cb, (uint8_t)((r_ << 7) | (x_ << 6) | (b_ << 5) | f->map));
    x64_byte(cb, (uint8_t)((f->w << 7) | (v_ << 3) | pp));
}

void x64_vex_rr(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, uint8_t rm) {
    const VecForm *f = &vec_forms[op];
    vex(cb, f, reg, 0, rm, vvvv);
    x64_byte(cb, f->op);
    modrm_rr(cb, reg, rm);
}

void x64_vex_rm(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, X64Mem m) {
    const VecForm *f = &vec_forms[op];
    if (m.fs)
        x64_byte(cb, 0x64);
    vex(cb, f, reg, mem_index(m), m.base == X64_NOREG ? 0 : m.base, vvvv);
    x64_byte(cb, f->op);
    modrm_mem(cb, reg, m);
}

void x64_vex_rl(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, uint32_t label) {
    const VecForm *f = &vec_forms[op];
    vex(cb, f, reg, 0, 0, vvvv);
    x64_byte(cb, f->op);
    x64_byte(cb, (uint8_t)(0x05 | ((reg & 7) << 3)));
    x64_label_field(cb, label, cb->len + 4);
}

void x64_vex_rri(CodeBuf *cb, X64Vec op, uint8_t reg, uint8_t vvvv, uint8_t rm, uint8_t imm) {
    x64_vex_rr(cb, op, reg, vvvv, rm);
    x64_byte(cb, imm);
}

void x64_vex_shift_ri(CodeBuf *cb, X64VShift op, uint8_t dst, uint8_t src, uint8_t imm) {
    static const uint8_t code[] = {0x71, 0x71, 0x71, 0x72, 0x72, 0x72, 0x73, 0x73, 0x73, 0x73};
    static const uint8_t digit[] = {2, 4, 6, 2, 4, 6, 2, 3, 6, 7};
    const VecForm f = {0x66, 0, 1, code[op], 0};
    vex(cb, &f, digit[op], 0, src, dst);
    x64_byte(cb, code[op]);
    modrm_rr(cb, digit[op], src);
    x64_byte(cb, imm);
}
