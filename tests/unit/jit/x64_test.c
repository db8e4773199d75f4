/* The x86-64 encoder, one case per instruction form, checked against
 * binutils objdump (Intel syntax): each form is emitted into one buffer, the
 * buffer is disassembled once, and the text at each form's offset must match.
 * Skipped (counted passed, with a note) when objdump is not installed. */
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

#define MAX_FORMS 512
static Form forms[MAX_FORMS];
static int n_forms;

#define F(expected, stmt)                                                                      \
    do {                                                                                       \
        forms[n_forms].pos = cb->len;                                                          \
        forms[n_forms].text = expected;                                                        \
        n_forms++;                                                                             \
        stmt;                                                                                  \
    } while (0)

static void emit_integer(CodeBuf *cb) {
    F("add eax,ecx", x64_alu_rr(cb, X64_ADD, false, X64_RAX, X64_RCX));
    F("sub r8,r15", x64_alu_rr(cb, X64_SUB, true, X64_R8, X64_R15));
    F("xor r12d,r13d", x64_alu_rr(cb, X64_XOR, false, X64_R12, X64_R13));
    F("cmp rsp,rbp", x64_alu_rr(cb, X64_CMP, true, X64_RSP, X64_RBP));
    F("and esi,0x7f", x64_alu_ri(cb, X64_AND, false, X64_RSI, 127));
    F("or rdi,0xffffffffffffff80", x64_alu_ri(cb, X64_OR, true, X64_RDI, -128));
    F("add r9d,0x12345", x64_alu_ri(cb, X64_ADD, false, X64_R9, 0x12345));
    F("cmp rax,QWORD PTR [rbp-0x8]", x64_alu_rm(cb, X64_CMP, true, X64_RAX, x64_mem(X64_RBP, -8)));
    F("add ecx,DWORD PTR [r12]", x64_alu_rm(cb, X64_ADD, false, X64_RCX, x64_mem(X64_R12, 0)));
    F("sub edx,DWORD PTR [r13+0x0]", x64_alu_rm(cb, X64_SUB, false, X64_RDX, x64_mem(X64_R13, 0)));
    F("xor QWORD PTR [rsp+0x100],rbx",
      x64_alu_mr(cb, X64_XOR, true, x64_mem(X64_RSP, 0x100), X64_RBX));
    F("cmp DWORD PTR [r10+0x10],0x5", x64_alu_mi(cb, X64_CMP, false, x64_mem(X64_R10, 16), 5));
    F("cmp QWORD PTR [rbp-0x18],0x0", x64_alu_mi(cb, X64_CMP, true, x64_mem(X64_RBP, -24), 0));
    F("cmp r11,QWORD PTR fs:0xfffffffffffffff0",
      x64_alu_rm(cb, X64_CMP, true, X64_R11, ((X64Mem){X64_NOREG, X64_NOREG, 1, true, -16})));
    F("mov rax,r15", x64_mov_rr(cb, true, X64_RAX, X64_R15));
    F("mov r8d,ecx", x64_mov_rr(cb, false, X64_R8, X64_RCX));
    F("mov ebx,0x2a", x64_mov_ri(cb, X64_RBX, 42));
    F("mov r11,0xffffffffffffffff", x64_mov_ri(cb, X64_R11, UINT64_MAX));
    F("movabs rax,0x123456789a", x64_mov_ri(cb, X64_RAX, 0x123456789aull));
    F("mov eax,DWORD PTR [r14+rcx*1+0x10]",
      x64_load(cb, X64_RAX, x64_mem_idx(X64_R14, X64_RCX, 1, 16), 4, false, false));
    F("mov r9,QWORD PTR [rax+r12*8]",
      x64_load(cb, X64_R9, x64_mem_idx(X64_RAX, X64_R12, 8, 0), 8, false, true));
    F("movzx eax,BYTE PTR [r14+rdx*1]",
      x64_load(cb, X64_RAX, x64_mem_idx(X64_R14, X64_RDX, 1, 0), 1, false, false));
    F("movsx rsi,WORD PTR [rdi+0x2]", x64_load(cb, X64_RSI, x64_mem(X64_RDI, 2), 2, true, true));
    F("movsxd r10,DWORD PTR [r11+rax*4]",
      x64_load(cb, X64_R10, x64_mem_idx(X64_R11, X64_RAX, 4, 0), 4, true, true));
    F("mov BYTE PTR [r14+rax*1],sil",
      x64_store(cb, x64_mem_idx(X64_R14, X64_RAX, 1, 0), X64_RSI, 1));
    F("mov WORD PTR [rcx],dx", x64_store(cb, x64_mem(X64_RCX, 0), X64_RDX, 2));
    F("mov DWORD PTR [rbp-0x20],r8d", x64_store(cb, x64_mem(X64_RBP, -32), X64_R8, 4));
    F("mov QWORD PTR [rbp+0x10],r11", x64_store(cb, x64_mem(X64_RBP, 16), X64_R11, 8));
    F("mov BYTE PTR [r15+0x40],0x1", x64_store_imm(cb, x64_mem(X64_R15, 64), 1, 1));
    F("mov WORD PTR [rax],0x1234", x64_store_imm(cb, x64_mem(X64_RAX, 0), 0x1234, 2));
    F("mov QWORD PTR [rbp-0x8],0xffffffffffffffff",
      x64_store_imm(cb, x64_mem(X64_RBP, -8), -1, 8));
    F("lea rsp,[rbp-0x40]", x64_lea(cb, true, X64_RSP, x64_mem(X64_RBP, -64)));
    F("movzx ecx,dil", x64_movzx_r8(cb, X64_RCX, X64_RDI));
    F("movsx eax,bl", x64_movsx_rr(cb, false, X64_RAX, X64_RBX, 1));
    F("movsx r8,si", x64_movsx_rr(cb, true, X64_R8, X64_RSI, 2));
    F("movsxd rdx,edx", x64_movsxd(cb, X64_RDX, X64_RDX));
    F("test r9d,r9d", x64_test_rr(cb, false, X64_R9, X64_R9));
    F("test ebx,0x1", x64_test_ri(cb, false, X64_RBX, 1));
    F("test r13,0xfffffffffffffff8", x64_test_ri(cb, true, X64_R13, -8));
    F("imul eax,ecx", x64_imul_rr(cb, false, X64_RAX, X64_RCX));
    F("imul r12,r12,0x64", x64_imul_rri(cb, true, X64_R12, X64_R12, 100));
    F("imul edi,edi,0x1000", x64_imul_rri(cb, false, X64_RDI, X64_RDI, 4096));
    F("idiv r11", x64_unary(cb, X64_IDIV, true, X64_R11));
    F("div ecx", x64_unary(cb, X64_DIV, false, X64_RCX));
    F("neg rax", x64_unary(cb, X64_NEG, true, X64_RAX));
    F("cdq", x64_cdq(cb, false));
    F("cqo", x64_cdq(cb, true));
    F("shl eax,cl", x64_shift_cl(cb, X64_SHL, false, X64_RAX));
    F("sar r13,cl", x64_shift_cl(cb, X64_SAR, true, X64_R13));
    F("ror edx,0x7", x64_shift_ri(cb, X64_ROR, false, X64_RDX, 7));
    F("shr r11,0x3f", x64_shift_ri(cb, X64_SHR, true, X64_R11, 63));
    F("lzcnt eax,ecx", x64_bitop(cb, X64_LZCNT, false, X64_RAX, X64_RCX));
    F("tzcnt r8,r9", x64_bitop(cb, X64_TZCNT, true, X64_R8, X64_R9));
    F("popcnt esi,esi", x64_bitop(cb, X64_POPCNT, false, X64_RSI, X64_RSI));
    F("bsr rax,rbx", x64_bitop(cb, X64_BSR, true, X64_RAX, X64_RBX));
    F("sete sil", x64_setcc(cb, X64_E, X64_RSI));
    F("setb r11b", x64_setcc(cb, X64_B, X64_R11));
    F("cmova r8,r11", x64_cmov(cb, X64_A, true, X64_R8, X64_R11));
    F("push rbp", x64_push(cb, X64_RBP));
    F("push r15", x64_push(cb, X64_R15));
    F("pop r12", x64_pop(cb, X64_R12));
    F("ret", x64_ret(cb));
    F("ud2", x64_ud2(cb));
    F("rep stos QWORD PTR es:[rdi],rax", x64_rep_stosq(cb));
    F("call rax", x64_call_r(cb, X64_RAX));
    F("call QWORD PTR [r10+0x8]", x64_call_m(cb, x64_mem(X64_R10, 8)));
    F("jmp r11", x64_jmp_r(cb, X64_R11));
}

static void emit_sse(CodeBuf *cb) {
    F("movss xmm1,DWORD PTR [rbp-0x10]", x64_sse_rm(cb, X64_MOVSS, 1, x64_mem(X64_RBP, -16)));
    F("movsd xmm9,QWORD PTR [r14+rax*1]",
      x64_sse_rm(cb, X64_MOVSD, 9, x64_mem_idx(X64_R14, X64_RAX, 1, 0)));
    F("movaps xmm0,xmm15", x64_sse_rr(cb, X64_MOVAPS, 0, 15));
    F("addss xmm2,xmm3", x64_sse_rr(cb, X64_ADDSS, 2, 3));
    F("subsd xmm10,xmm1", x64_sse_rr(cb, X64_SUBSD, 10, 1));
    F("mulss xmm0,xmm0", x64_sse_rr(cb, X64_MULSS, 0, 0));
    F("divsd xmm4,xmm12", x64_sse_rr(cb, X64_DIVSD, 4, 12));
    F("minss xmm1,xmm2", x64_sse_rr(cb, X64_MINSS, 1, 2));
    F("maxsd xmm1,xmm2", x64_sse_rr(cb, X64_MAXSD, 1, 2));
    F("sqrtsd xmm5,xmm5", x64_sse_rr(cb, X64_SQRTSD, 5, 5));
    F("ucomiss xmm0,xmm1", x64_sse_rr(cb, X64_UCOMISS, 0, 1));
    F("ucomisd xmm14,xmm15", x64_sse_rr(cb, X64_UCOMISD, 14, 15));
    F("cvtss2sd xmm3,xmm3", x64_sse_rr(cb, X64_CVTSS2SD, 3, 3));
    F("cvtsd2ss xmm3,xmm8", x64_sse_rr(cb, X64_CVTSD2SS, 3, 8));
    F("andps xmm0,xmm1", x64_sse_rr(cb, X64_ANDPS, 0, 1));
    F("orps xmm6,xmm7", x64_sse_rr(cb, X64_ORPS, 6, 7));
    F("xorps xmm13,xmm13", x64_sse_rr(cb, X64_XORPS, 13, 13));
    F("xorpd xmm1,xmm2", x64_sse_rr(cb, X64_XORPD, 1, 2));
    F("movss DWORD PTR [rbp+0x18],xmm2", x64_movss_store(cb, x64_mem(X64_RBP, 24), 2, false));
    F("movsd QWORD PTR [r10+rcx*1-0x8],xmm11",
      x64_movss_store(cb, x64_mem_idx(X64_R10, X64_RCX, 1, -8), 11, true));
    F("movd xmm1,eax", x64_movd_xr(cb, false, 1, X64_RAX));
    F("movq xmm9,r11", x64_movd_xr(cb, true, 9, X64_R11));
    F("movd r10d,xmm3", x64_movd_rx(cb, false, X64_R10, 3));
    F("movq rax,xmm12", x64_movd_rx(cb, true, X64_RAX, 12));
    F("cvtsi2ss xmm0,eax", x64_cvtsi2f(cb, false, false, 0, X64_RAX));
    F("cvtsi2sd xmm2,r9", x64_cvtsi2f(cb, true, true, 2, X64_R9));
    F("cvttss2si ecx,xmm1", x64_cvttf2si(cb, false, false, X64_RCX, 1));
    F("cvttsd2si r12,xmm10", x64_cvttf2si(cb, true, true, X64_R12, 10));
    F("roundss xmm1,xmm1,0x9", x64_round(cb, false, 1, 1, 9));
    F("roundsd xmm11,xmm2,0xa", x64_round(cb, true, 11, 2, 10));
}

/* Every plain xmm, xmm form of vec.def (reg 9 / rm 2 and reg 3 / rm 12, so
 * both REX.R and REX.B are exercised), then the forms with a GPR, memory,
 * imm8 or a RIP-relative constant. */
static const struct {
    X64Vec op;
    const char *name;
} vec_plain[] = {
    {X64_MOVDQU, "movdqu"},
    {X64_MOVDQA, "movdqa"},
    {X64_PADDB, "paddb"},
    {X64_PADDW, "paddw"},
    {X64_PADDD, "paddd"},
    {X64_PADDQ, "paddq"},
    {X64_PSUBB, "psubb"},
    {X64_PSUBW, "psubw"},
    {X64_PSUBD, "psubd"},
    {X64_PSUBQ, "psubq"},
    {X64_PADDSB, "paddsb"},
    {X64_PADDSW, "paddsw"},
    {X64_PADDUSB, "paddusb"},
    {X64_PADDUSW, "paddusw"},
    {X64_PSUBSB, "psubsb"},
    {X64_PSUBSW, "psubsw"},
    {X64_PSUBUSB, "psubusb"},
    {X64_PSUBUSW, "psubusw"},
    {X64_PMULLW, "pmullw"},
    {X64_PMULHW, "pmulhw"},
    {X64_PMULHUW, "pmulhuw"},
    {X64_PMULUDQ, "pmuludq"},
    {X64_PMADDWD, "pmaddwd"},
    {X64_PAVGB, "pavgb"},
    {X64_PAVGW, "pavgw"},
    {X64_PMINUB, "pminub"},
    {X64_PMAXUB, "pmaxub"},
    {X64_PMINSW, "pminsw"},
    {X64_PMAXSW, "pmaxsw"},
    {X64_PAND, "pand"},
    {X64_PANDN, "pandn"},
    {X64_POR, "por"},
    {X64_PXOR, "pxor"},
    {X64_PCMPEQB, "pcmpeqb"},
    {X64_PCMPEQW, "pcmpeqw"},
    {X64_PCMPEQD, "pcmpeqd"},
    {X64_PCMPGTB, "pcmpgtb"},
    {X64_PCMPGTW, "pcmpgtw"},
    {X64_PCMPGTD, "pcmpgtd"},
    {X64_PACKSSWB, "packsswb"},
    {X64_PACKUSWB, "packuswb"},
    {X64_PACKSSDW, "packssdw"},
    {X64_PUNPCKLBW, "punpcklbw"},
    {X64_PUNPCKLWD, "punpcklwd"},
    {X64_PUNPCKLDQ, "punpckldq"},
    {X64_PUNPCKLQDQ, "punpcklqdq"},
    {X64_PUNPCKHBW, "punpckhbw"},
    {X64_PUNPCKHWD, "punpckhwd"},
    {X64_PUNPCKHDQ, "punpckhdq"},
    {X64_PUNPCKHQDQ, "punpckhqdq"},
    {X64_PSRLW, "psrlw"},
    {X64_PSRLD, "psrld"},
    {X64_PSRLQ, "psrlq"},
    {X64_PSRAW, "psraw"},
    {X64_PSRAD, "psrad"},
    {X64_PSLLW, "psllw"},
    {X64_PSLLD, "pslld"},
    {X64_PSLLQ, "psllq"},
    {X64_ADDPS, "addps"},
    {X64_ADDPD, "addpd"},
    {X64_SUBPS, "subps"},
    {X64_SUBPD, "subpd"},
    {X64_MULPS, "mulps"},
    {X64_MULPD, "mulpd"},
    {X64_DIVPS, "divps"},
    {X64_DIVPD, "divpd"},
    {X64_MINPS, "minps"},
    {X64_MINPD, "minpd"},
    {X64_MAXPS, "maxps"},
    {X64_MAXPD, "maxpd"},
    {X64_SQRTPS, "sqrtps"},
    {X64_SQRTPD, "sqrtpd"},
    {X64_ANDNPS, "andnps"},
    {X64_CVTDQ2PS, "cvtdq2ps"},
    {X64_CVTTPS2DQ, "cvttps2dq"},
    {X64_CVTDQ2PD, "cvtdq2pd"},
    {X64_CVTTPD2DQ, "cvttpd2dq"},
    {X64_CVTPS2PD, "cvtps2pd"},
    {X64_CVTPD2PS, "cvtpd2ps"},
    {X64_PSHUFB, "pshufb"},
    {X64_PHADDW, "phaddw"},
    {X64_PHADDD, "phaddd"},
    {X64_PMADDUBSW, "pmaddubsw"},
    {X64_PMULHRSW, "pmulhrsw"},
    {X64_PABSB, "pabsb"},
    {X64_PABSW, "pabsw"},
    {X64_PABSD, "pabsd"},
    {X64_PTEST, "ptest"},
    {X64_PMOVSXBW, "pmovsxbw"},
    {X64_PMOVSXWD, "pmovsxwd"},
    {X64_PMOVSXDQ, "pmovsxdq"},
    {X64_PMULDQ, "pmuldq"},
    {X64_PCMPEQQ, "pcmpeqq"},
    {X64_PACKUSDW, "packusdw"},
    {X64_PMOVZXBW, "pmovzxbw"},
    {X64_PMOVZXWD, "pmovzxwd"},
    {X64_PMOVZXDQ, "pmovzxdq"},
    {X64_PCMPGTQ, "pcmpgtq"},
    {X64_PMINSB, "pminsb"},
    {X64_PMINSD, "pminsd"},
    {X64_PMINUW, "pminuw"},
    {X64_PMINUD, "pminud"},
    {X64_PMAXSB, "pmaxsb"},
    {X64_PMAXSD, "pmaxsd"},
    {X64_PMAXUW, "pmaxuw"},
    {X64_PMAXUD, "pmaxud"},
    {X64_PMULLD, "pmulld"},
};

static char vec_texts[2 * sizeof vec_plain / sizeof vec_plain[0]][48];

static void emit_vec(CodeBuf *cb) {
    int t = 0;
    for (size_t i = 0; i < sizeof vec_plain / sizeof vec_plain[0]; i++) {
        snprintf(vec_texts[t], sizeof vec_texts[t], "%s xmm9,xmm2", vec_plain[i].name);
        F(vec_texts[t++], x64_vec_rr(cb, vec_plain[i].op, 9, 2));
        snprintf(vec_texts[t], sizeof vec_texts[t], "%s xmm3,xmm12", vec_plain[i].name);
        F(vec_texts[t++], x64_vec_rr(cb, vec_plain[i].op, 3, 12));
    }
    F("movdqu xmm1,XMMWORD PTR [rbp-0x30]", x64_vec_rm(cb, X64_MOVDQU, 1, x64_mem(X64_RBP, -48)));
    F("movdqu XMMWORD PTR [r14+rax*1+0x10],xmm13",
      x64_vec_mr(cb, X64_MOVDQU_ST, x64_mem_idx(X64_R14, X64_RAX, 1, 16), 13));
    F("movq xmm4,QWORD PTR [r10+r11*1-0x8]",
      x64_vec_rm(cb, X64_MOVQ_X, 4, x64_mem_idx(X64_R10, X64_R11, 1, -8)));
    F("movq xmm5,xmm11", x64_vec_rr(cb, X64_MOVQ_X, 5, 11));
    F("movq QWORD PTR [rax],xmm2", x64_vec_mr(cb, X64_MOVQ_ST, x64_mem(X64_RAX, 0), 2));
    F("movd xmm15,r8d", x64_vec_rr(cb, X64_MOVD_X, 15, X64_R8));
    F("movd xmm0,DWORD PTR [r14+rcx*1]",
      x64_vec_rm(cb, X64_MOVD_X, 0, x64_mem_idx(X64_R14, X64_RCX, 1, 0)));
    F("movd r11d,xmm7", x64_vec_rr(cb, X64_MOVD_ST, 7, X64_R11));
    F("pmovmskb r11d,xmm14", x64_vec_rr(cb, X64_PMOVMSKB, X64_R11, 14));
    F("movmskps eax,xmm9", x64_vec_rr(cb, X64_MOVMSKPS, X64_RAX, 9));
    F("movmskpd r12d,xmm1", x64_vec_rr(cb, X64_MOVMSKPD, X64_R12, 1));
    F("pinsrw xmm3,r11d,0x5", x64_vec_rri(cb, X64_PINSRW, 3, X64_R11, 5));
    F("pextrw esi,xmm10,0x7", x64_vec_rri(cb, X64_PEXTRW, X64_RSI, 10, 7));
    F("pextrb edi,xmm2,0xf", x64_vec_rri(cb, X64_PEXTRB, 2, X64_RDI, 15));
    F("pextrw WORD PTR [rax],xmm1,0x3", x64_vec_rmi(cb, X64_PEXTRW_M, 1, x64_mem(X64_RAX, 0), 3));
    F("pextrd r9d,xmm12,0x2", x64_vec_rri(cb, X64_PEXTRD, 12, X64_R9, 2));
    F("pextrq rdx,xmm0,0x1", x64_vec_rri(cb, X64_PEXTRQ, 0, X64_RDX, 1));
    F("pinsrb xmm8,ecx,0x9", x64_vec_rri(cb, X64_PINSRB, 8, X64_RCX, 9));
    F("pinsrd xmm1,r13d,0x3", x64_vec_rri(cb, X64_PINSRD, 1, X64_R13, 3));
    F("pinsrq xmm13,rbx,0x1", x64_vec_rri(cb, X64_PINSRQ, 13, X64_RBX, 1));
    F("pblendvb xmm9,xmm2,xmm0", x64_vec_rr(cb, X64_PBLENDVB, 9, 2));
    F("pshufd xmm1,xmm9,0xf5", x64_vec_rri(cb, X64_PSHUFD, 1, 9, 0xF5));
    F("pshuflw xmm2,xmm2,0x0", x64_vec_rri(cb, X64_PSHUFLW, 2, 2, 0));
    F("pshufhw xmm11,xmm3,0x1b", x64_vec_rri(cb, X64_PSHUFHW, 11, 3, 0x1B));
    F("cmpunordps xmm0,xmm14", x64_vec_rri(cb, X64_CMPPS, 0, 14, 3));
    F("cmpltpd xmm10,xmm1", x64_vec_rri(cb, X64_CMPPD, 10, 1, 1));
    F("shufps xmm4,xmm15,0x88", x64_vec_rri(cb, X64_SHUFPS, 4, 15, 0x88));
    F("roundps xmm1,xmm2,0xa", x64_vec_rri(cb, X64_ROUNDPS, 1, 2, 10));
    F("roundpd xmm12,xmm12,0xb", x64_vec_rri(cb, X64_ROUNDPD, 12, 12, 11));
    F("palignr xmm3,xmm4,0x8", x64_vec_rri(cb, X64_PALIGNR, 3, 4, 8));
    F("insertps xmm6,xmm9,0x30", x64_vec_rri(cb, X64_INSERTPS, 6, 9, 0x30));
    F("psrlw xmm3,0x4", x64_vshift_ri(cb, X64_PSRLW_I, 3, 4));
    F("psraw xmm14,0x8", x64_vshift_ri(cb, X64_PSRAW_I, 14, 8));
    F("psllw xmm0,0xf", x64_vshift_ri(cb, X64_PSLLW_I, 0, 15));
    F("psrld xmm15,0x1", x64_vshift_ri(cb, X64_PSRLD_I, 15, 1));
    F("psrad xmm9,0x1f", x64_vshift_ri(cb, X64_PSRAD_I, 9, 31));
    F("pslld xmm1,0x10", x64_vshift_ri(cb, X64_PSLLD_I, 1, 16));
    F("psrlq xmm2,0x20", x64_vshift_ri(cb, X64_PSRLQ_I, 2, 32));
    F("psrldq xmm3,0x8", x64_vshift_ri(cb, X64_PSRLDQ_I, 3, 8));
    F("psllq xmm10,0x3f", x64_vshift_ri(cb, X64_PSLLQ_I, 10, 63));
    F("pslldq xmm4,0x4", x64_vshift_ri(cb, X64_PSLLDQ_I, 4, 4));
}

/* A RIP-relative constant load resolves to the label's address. */
static void test_vec_rip(void) {
    CodeBuf cbuf;
    CodeBuf *cb = &cbuf;
    x64_init(cb);
    uint32_t k = x64_label(cb);
    x64_vec_rl(cb, X64_PAND, 10, k); /* 66 45 0F DB 15 rel32 */
    CHECK_EQ_U64(cb->len, 9);
    x64_ret(cb);
    x64_bind(cb, k);
    CHECK(x64_resolve(cb));
    int32_t rel;
    memcpy(&rel, cb->code + 5, 4);
    CHECK_EQ_U64(rel, 1);
    CHECK_EQ_U64(cb->code[4], 0x15);
    x64_fini(cb);
}

static void test_forms(void) {
    if (system("objdump --version >/dev/null 2>&1") != 0) {
        printf("x64: objdump not found, forms not checked\n");
        return;
    }
    CodeBuf cbuf;
    CodeBuf *cb = &cbuf;
    x64_init(cb);
    emit_integer(cb);
    emit_sse(cb);
    emit_vec(cb);
    CHECK(!cb->failed);
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

/* Labels: forward and backward jumps, short when they reach, rel32 tables. */
static void test_labels(void) {
    CodeBuf cbuf;
    CodeBuf *cb = &cbuf;
    x64_init(cb);
    uint32_t back = x64_label(cb), fwd = x64_label(cb);
    x64_bind(cb, back);
    x64_ret(cb);
    x64_jmp(cb, back); /* EB FD: short backwards */
    CHECK_EQ_U64(cb->code[1], 0xEB);
    CHECK_EQ_U64(cb->code[2], 0xFD);
    x64_jcc(cb, X64_NE, fwd); /* 0F 85 rel32, resolved later */
    uint32_t field = cb->len - 4;
    x64_ud2(cb);
    x64_bind(cb, fwd);
    CHECK(x64_resolve(cb));
    int32_t rel;
    memcpy(&rel, cb->code + field, 4);
    CHECK_EQ_U64(rel, 2);
    uint32_t never = x64_label(cb);
    x64_jmp(cb, never);
    CHECK(!x64_resolve(cb));
    x64_fini(cb);
}

/* x64_repeat: a copy of earlier bytes, also when the copy makes the buffer
 * grow (the source moves with it). */
static void test_repeat(void) {
    CodeBuf cbuf;
    CodeBuf *cb = &cbuf;
    x64_init(cb);
    x64_ret(cb);
    x64_load(cb, X64_RAX, x64_mem(X64_RBP, -8), 8, false, true); /* 48 8B 45 F8 */
    uint32_t first = 1, n = cb->len - 1;
    x64_repeat(cb, first, n);
    CHECK_EQ_U64(cb->len, 1 + 2 * n);
    CHECK(memcmp(cb->code + 1 + n, cb->code + first, n) == 0);
    while (cb->len + n <= cb->cap)
        x64_repeat(cb, first, n);
    uint32_t at = cb->len;
    x64_repeat(cb, first, n); /* past the capacity: grows first */
    CHECK(!cb->failed);
    CHECK_EQ_U64(cb->len, at + n);
    CHECK(memcmp(cb->code + at, cb->code + first, n) == 0);
    CHECK_EQ_U64(cb->code[at], 0x48);
    x64_fini(cb);
}

TEST_MAIN("x64", TEST_CASE(test_forms), TEST_CASE(test_labels), TEST_CASE(test_vec_rip),
          TEST_CASE(test_repeat))
