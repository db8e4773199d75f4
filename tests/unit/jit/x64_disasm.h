/* The x86-64 form tests' disassembler: objdump's Intel-syntax text of each
 * instruction of a code buffer, so encodings are checked against a tool we
 * did not write. Shared by x64_test.c and x64_vex_test.c. */
#ifndef WASMC_TESTS_X64_DISASM_H
#define WASMC_TESTS_X64_DISASM_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit/x64/x64.h"

/* Normalize "add    eax,ecx" or "vpaddd    xmm1,xmm2,xmm3": collapse blanks, drop trailing ones. */
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
    char bin[] = "/tmp/wasmc_disasm_XXXXXX";
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

#endif
