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

typedef struct Form {
    uint32_t pos;
    const char *text;
} Form;

#define MAX_FORMS 256
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

/* Normalize "add    eax,ecx" and friends: collapse blanks, drop trailing ones. */
static void normalize(char *s) {
    char *w = s;
    bool space = false;
    for (char *r = s; *r; r++) {
        if (*r == ' ' || *r == '\t') {
            space = w != s;
            continue;
        }
        if (space)
            *w++ = ' ';
        space = false;
        *w++ = *r;
    }
    *w = 0;
}

/* The disassembly of `code`: texts[offset] for each instruction start. */
static bool disassemble(const CodeBuf *cb, char **texts) {
    char bin[] = "/tmp/wasmc_x64_test_XXXXXX";
    int fd = mkstemp(bin);
    if (fd < 0)
        return false;
    bool ok = write(fd, cb->code, cb->len) == (ssize_t)cb->len;
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "objdump -D -b binary -m i386:x86-64 -M intel --no-show-raw-insn %s 2>/dev/null", bin);
    FILE *p = ok ? popen(cmd, "r") : NULL;
    if (!p) {
        unlink(bin);
        return false;
    }
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, p)) {
        unsigned off;
        char *colon = strchr(line, ':');
        if (!colon || sscanf(line, " %x:", &off) != 1 || off >= cb->len || colon[1] != '\t')
            continue;
        char *text = colon + 2;
        text[strcspn(text, "\n")] = 0;
        char *hash = strstr(text, " #");
        if (hash)
            *hash = 0;
        normalize(text);
        texts[off] = strdup(text);
        n++;
    }
    pclose(p);
    unlink(bin);
    return n > 0;
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

TEST_MAIN("x64", TEST_CASE(test_forms), TEST_CASE(test_labels))
