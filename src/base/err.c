/* Diagnostics: filling and formatting Diag records. */
#include "err.h"

#include <stdio.h>
#include <string.h>

void diag_clear(Diag *diag) {
    memset(diag, 0, sizeof *diag);
    diag->offset = DIAG_NO_OFFSET;
}

Err err_vfail(Diag *diag, Err code, uint64_t offset, const char *file, int line, const char *fmt,
              va_list ap) {
    if (!diag)
        return code;
    diag->code = code;
    diag->offset = offset;
    diag->line = diag->column = 0;
    diag->src_file = file;
    diag->src_line = line;
    vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
    return code;
}

Err err_fail(Diag *diag, Err code, uint64_t offset, const char *file, int line, const char *fmt,
             ...) {
    va_list ap;
    va_start(ap, fmt);
    err_vfail(diag, code, offset, file, line, fmt, ap);
    va_end(ap);
    return code;
}

Err err_fail_text(Diag *diag, Err code, uint32_t line, uint32_t column, const char *file,
                  int src_line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err_vfail(diag, code, DIAG_NO_OFFSET, file, src_line, fmt, ap);
    va_end(ap);
    if (diag) {
        diag->line = line;
        diag->column = column;
    }
    return code;
}

const char *err_name(Err code) {
    switch (code) {
    case OK: return "ok";
    case ERR_MALFORMED: return "malformed";
    case ERR_INVALID: return "invalid";
    case ERR_NOMEM: return "out of memory";
    case ERR_LIMIT: return "limit exceeded";
    case ERR_UNSUPPORTED: return "unsupported";
    case ERR_IO: return "i/o error";
    case ERR_LINK: return "link error";
    case ERR_TRAP: return "trap";
    case ERR_USAGE: return "usage error";
    }
    return "error";
}

void diag_format(const Diag *diag, char *buf, uint32_t size) {
    if (diag->line)
        snprintf(buf, size, "%u:%u: %s", diag->line, diag->column, diag->msg);
    else if (diag->offset != DIAG_NO_OFFSET)
        snprintf(buf, size, "offset 0x%llx: %s", (unsigned long long)diag->offset, diag->msg);
    else
        snprintf(buf, size, "%s", diag->msg);
}
