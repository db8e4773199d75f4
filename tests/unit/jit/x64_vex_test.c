/* The AVX (VEX.128) encodings of the vec.def rows, checked against
 * binutils objdump like tests/unit/jit/x64_test.c: every plain form with
 * registers that need each VEX field (R, B and vvvv, C5 and C4 prefixes),
 * then memory, RIP-relative, imm8 and shift-by-immediate forms. Skipped
 * (counted passed, with a note) when objdump is not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "jit/x64/x64.h"
#include "test.h"
#include "x64_disasm.h"

typedef struct Form {
    uint32_t pos;
    const char *text;
} Form;

#define MAX_FORMS 1024
static Form forms[MAX_FORMS];
static int n_forms;
static char texts_buf[MAX_FORMS][64];

#define F(expected, stmt)                                                                      \
    do {                                                                                       \
        forms[n_forms].pos = cb->len;                                                          \
        forms[n_forms].text = expected;                                                        \
        n_forms++;                                                                             \
        stmt;                                                                                  \
    } while (0)

/* nsrc 2: reg = vvvv OP rm; 1: reg = OP rm (vvvv unused). */
static const struct {
    X64Vec op;
    const char *name;
    int nsrc;
} plain[] = {
    {X64_PADDB, "paddb", 2},
    {X64_PADDW, "paddw", 2},
    {X64_PADDD, "paddd", 2},
    {X64_PADDQ, "paddq", 2},
    {X64_PSUBB, "psubb", 2},
    {X64_PSUBW, "psubw", 2},
    {X64_PSUBD, "psubd", 2},
    {X64_PSUBQ, "psubq", 2},
    {X64_PADDSB, "paddsb", 2},
    {X64_PADDSW, "paddsw", 2},
    {X64_PADDUSB, "paddusb", 2},
    {X64_PADDUSW, "paddusw", 2},
    {X64_PSUBSB, "psubsb", 2},
    {X64_PSUBSW, "psubsw", 2},
    {X64_PSUBUSB, "psubusb", 2},
    {X64_PSUBUSW, "psubusw", 2},
    {X64_PMULLW, "pmullw", 2},
    {X64_PMULHW, "pmulhw", 2},
    {X64_PMULHUW, "pmulhuw", 2},
    {X64_PMULUDQ, "pmuludq", 2},
    {X64_PMADDWD, "pmaddwd", 2},
    {X64_PAVGB, "pavgb", 2},
    {X64_PAVGW, "pavgw", 2},
    {X64_PMINUB, "pminub", 2},
    {X64_PMAXUB, "pmaxub", 2},
    {X64_PMINSW, "pminsw", 2},
    {X64_PMAXSW, "pmaxsw", 2},
    {X64_PAND, "pand", 2},
    {X64_PANDN, "pandn", 2},
    {X64_POR, "por", 2},
    {X64_PXOR, "pxor", 2},
    {X64_PCMPEQB, "pcmpeqb", 2},
    {X64_PCMPEQW, "pcmpeqw", 2},
    {X64_PCMPEQD, "pcmpeqd", 2},
    {X64_PCMPGTB, "pcmpgtb", 2},
    {X64_PCMPGTW, "pcmpgtw", 2},
    {X64_PCMPGTD, "pcmpgtd", 2},
    {X64_PACKSSWB, "packsswb", 2},
    {X64_PACKUSWB, "packuswb", 2},
    {X64_PACKSSDW, "packssdw", 2},
    {X64_PUNPCKLBW, "punpcklbw", 2},
    {X64_PUNPCKLWD, "punpcklwd", 2},
    {X64_PUNPCKLDQ, "punpckldq", 2},
    {X64_PUNPCKLQDQ, "punpcklqdq", 2},
    {X64_PUNPCKHBW, "punpckhbw", 2},
    {X64_PUNPCKHWD, "punpckhwd", 2},
    {X64_PUNPCKHDQ, "punpckhdq", 2},
    {X64_PUNPCKHQDQ, "punpckhqdq", 2},
    {X64_PSRLW, "psrlw", 2},
    {X64_PSRLD, "psrld", 2},
    {X64_PSRLQ, "psrlq", 2},
    {X64_PSRAW, "psraw", 2},
    {X64_PSRAD, "psrad", 2},
    {X64_PSLLW, "psllw", 2},
    {X64_PSLLD, "pslld", 2},
    {X64_PSLLQ, "psllq", 2},
    {X64_ADDPS, "addps", 2},
    {X64_ADDPD, "addpd", 2},
    {X64_SUBPS, "subps", 2},
    {X64_SUBPD, "subpd", 2},
    {X64_MULPS, "mulps", 2},
    {X64_MULPD, "mulpd", 2},
    {X64_DIVPS, "divps", 2},
    {X64_DIVPD, "divpd", 2},
    {X64_MINPS, "minps", 2},
    {X64_MINPD, "minpd", 2},
    {X64_MAXPS, "maxps", 2},
    {X64_MAXPD, "maxpd", 2},
    {X64_ANDNPS, "andnps", 2},
    {X64_PSHUFB, "pshufb", 2},
    {X64_PHADDW, "phaddw", 2},
    {X64_PHADDD, "phaddd", 2},
    {X64_PMADDUBSW, "pmaddubsw", 2},
    {X64_PMULHRSW, "pmulhrsw", 2},
    {X64_PMULDQ, "pmuldq", 2},
    {X64_PCMPEQQ, "pcmpeqq", 2},
    {X64_PACKUSDW, "packusdw", 2},
    {X64_PCMPGTQ, "pcmpgtq", 2},
    {X64_PMINSB, "pminsb", 2},
    {X64_PMINSD, "pminsd", 2},
    {X64_PMINUW, "pminuw", 2},
    {X64_PMINUD, "pminud", 2},
    {X64_PMAXSB, "pmaxsb", 2},
    {X64_PMAXSD, "pmaxsd", 2},
    {X64_PMAXUW, "pmaxuw", 2},
    {X64_PMAXUD, "pmaxud", 2},
    {X64_PMULLD, "pmulld", 2},
    {X64_MOVDQU, "movdqu", 1},
    {X64_MOVDQA, "movdqa", 1},
    {X64_SQRTPS, "sqrtps", 1},
    {X64_SQRTPD, "sqrtpd", 1},
    {X64_CVTDQ2PS, "cvtdq2ps", 1},
    {X64_CVTTPS2DQ, "cvttps2dq", 1},
    {X64_CVTDQ2PD, "cvtdq2pd", 1},
    {X64_CVTTPD2DQ, "cvttpd2dq", 1},
    {X64_CVTPS2PD, "cvtps2pd", 1},
    {X64_CVTPD2PS, "cvtpd2ps", 1},
    {X64_PABSB, "pabsb", 1},
    {X64_PABSW, "pabsw", 1},
    {X64_PABSD, "pabsd", 1},
    {X64_PTEST, "ptest", 1},
    {X64_PMOVSXBW, "pmovsxbw", 1},
    {X64_PMOVSXWD, "pmovsxwd", 1},
    {X64_PMOVSXDQ, "pmovsxdq", 1},
    {X64_PMOVZXBW, "pmovzxbw", 1},
    {X64_PMOVZXWD, "pmovzxwd", 1},
    {X64_PMOVZXDQ, "pmovzxdq", 1},
};

/* (reg, vvvv, rm) triples: C5 (no B), C4 forced by B, every field high. */
static const uint8_t regs[][3] = {{1, 2, 3}, {9, 2, 12}, {15, 14, 0}, {0, 8, 7}};

static void emit_plain(CodeBuf *cb) {
    int t = 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        for (size_t k = 0; k < sizeof regs / sizeof regs[0]; k++) {
            uint8_t r = regs[k][0], v = regs[k][1], m = regs[k][2];
            if (plain[i].nsrc == 2)
                snprintf(texts_buf[t], sizeof texts_buf[t], "v%s xmm%u,xmm%u,xmm%u", plain[i].name,
                         r, v, m);
            else
                snprintf(texts_buf[t], sizeof texts_buf[t], "v%s xmm%u,xmm%u", plain[i].name, r, m);
            F(texts_buf[t++], x64_vex_rr(cb, plain[i].op, r, plain[i].nsrc == 2 ? v : 0, m));
        }
    }
}

static void emit_other(CodeBuf *cb) {
    F("vpaddd xmm1,xmm2,XMMWORD PTR [rbp-0x60]",
      x64_vex_rm(cb, X64_PADDD, 1, 2, x64_mem(X64_RBP, -0x60)));
    F("vpxor xmm10,xmm11,XMMWORD PTR [rbp-0x100]",
      x64_vex_rm(cb, X64_PXOR, 10, 11, x64_mem(X64_RBP, -0x100)));
    F("vpmullw xmm3,xmm9,XMMWORD PTR [r14+rcx*1+0x10]",
      x64_vex_rm(cb, X64_PMULLW, 3, 9, x64_mem_idx(X64_R14, X64_RCX, 1, 16)));
    F("vpmovzxbw xmm12,QWORD PTR [r13+r9*1+0x0]",
      x64_vex_rm(cb, X64_PMOVZXBW, 12, 0, x64_mem_idx(X64_R13, X64_R9, 1, 0)));
    F("vpmovsxwd xmm0,QWORD PTR [rsp]", x64_vex_rm(cb, X64_PMOVSXWD, 0, 0, x64_mem(X64_RSP, 0)));
    F("vmovdqu xmm15,XMMWORD PTR [rax+r11*8-0x8]",
      x64_vex_rm(cb, X64_MOVDQU, 15, 0, x64_mem_idx(X64_RAX, X64_R11, 8, -8)));
    F("vpshufd xmm1,xmm9,0xf5", x64_vex_rri(cb, X64_PSHUFD, 1, 0, 9, 0xF5));
    F("vpshuflw xmm12,xmm2,0x0", x64_vex_rri(cb, X64_PSHUFLW, 12, 0, 2, 0));
    F("vcmpunordps xmm0,xmm3,xmm14", x64_vex_rri(cb, X64_CMPPS, 0, 3, 14, 3));
    F("vcmpltpd xmm10,xmm11,xmm1", x64_vex_rri(cb, X64_CMPPD, 10, 11, 1, 1));
    F("vshufps xmm4,xmm5,xmm15,0x88", x64_vex_rri(cb, X64_SHUFPS, 4, 5, 15, 0x88));
    F("vroundps xmm1,xmm2,0xa", x64_vex_rri(cb, X64_ROUNDPS, 1, 0, 2, 10));
    F("vpalignr xmm3,xmm4,xmm13,0x8", x64_vex_rri(cb, X64_PALIGNR, 3, 4, 13, 8));
    F("vpsrlw xmm3,xmm9,0x4", x64_vex_shift_ri(cb, X64_PSRLW_I, 3, 9, 4));
    F("vpsraw xmm14,xmm2,0x8", x64_vex_shift_ri(cb, X64_PSRAW_I, 14, 2, 8));
    F("vpsllw xmm0,xmm15,0xf", x64_vex_shift_ri(cb, X64_PSLLW_I, 0, 15, 15));
    F("vpsrld xmm15,xmm15,0x1", x64_vex_shift_ri(cb, X64_PSRLD_I, 15, 15, 1));
    F("vpsrad xmm9,xmm1,0x1f", x64_vex_shift_ri(cb, X64_PSRAD_I, 9, 1, 31));
    F("vpslld xmm1,xmm10,0x10", x64_vex_shift_ri(cb, X64_PSLLD_I, 1, 10, 16));
    F("vpsrlq xmm2,xmm3,0x20", x64_vex_shift_ri(cb, X64_PSRLQ_I, 2, 3, 32));
    F("vpsrldq xmm3,xmm12,0x8", x64_vex_shift_ri(cb, X64_PSRLDQ_I, 3, 12, 8));
    F("vpsllq xmm10,xmm10,0x3f", x64_vex_shift_ri(cb, X64_PSLLQ_I, 10, 10, 63));
    F("vpslldq xmm4,xmm0,0x4", x64_vex_shift_ri(cb, X64_PSLLDQ_I, 4, 0, 4));
}

/* A RIP-relative operand resolves to the label's address (C5 and C4). */
static void test_vex_rip(void) {
    CodeBuf cbuf;
    CodeBuf *cb = &cbuf;
    x64_init(cb);
    uint32_t k = x64_label(cb);
    x64_vex_rl(cb, X64_PAND, 10, 3, k); /* C5 61 DB 15 rel32 (R set: C5 still fits) */
    CHECK_EQ_U64(cb->len, 8);
    x64_vex_rl(cb, X64_PSHUFB, 2, 2, k); /* C4 E2 69 00 15 rel32 */
    CHECK_EQ_U64(cb->len, 17);
    x64_ret(cb);
    x64_bind(cb, k);
    CHECK(x64_resolve(cb));
    int32_t rel;
    memcpy(&rel, cb->code + 4, 4);
    CHECK_EQ_U64(rel, 10);
    CHECK_EQ_U64(cb->code[0], 0xC5);
    CHECK_EQ_U64(cb->code[3], 0x15);
    memcpy(&rel, cb->code + 13, 4);
    CHECK_EQ_U64(rel, 1);
    CHECK_EQ_U64(cb->code[8], 0xC4);
    x64_fini(cb);
}

static void test_vex_forms(void) {
    if (system("objdump --version >/dev/null 2>&1") != 0) {
        printf("x64_vex: objdump not found, forms not checked\n");
        return;
    }
    CodeBuf cbuf;
    CodeBuf *cb = &cbuf;
    x64_init(cb);
    emit_plain(cb);
    emit_other(cb);
    CHECK(!cb->failed);
    CHECK(n_forms <= MAX_FORMS);
    char **texts = calloc(cb->len + 1, sizeof *texts);
    CHECK(texts && disassemble(cb, texts));
    for (int i = 0; texts && i < n_forms; i++) {
        const char *got = texts[forms[i].pos] ? texts[forms[i].pos] : "(nothing)";
        if (strcmp(got, forms[i].text) != 0) {
            fprintf(stderr, "  form %d: expected \"%s\", objdump says \"%s\"\n", i, forms[i].text,
                    got);
            CHECK(!"encoding differs");
        }
    }
    for (uint32_t i = 0; texts && i <= cb->len; i++)
        free(texts[i]);
    free(texts);
    x64_fini(cb);
}

TEST_MAIN("x64_vex", TEST_CASE(test_vex_forms), TEST_CASE(test_vex_rip))
