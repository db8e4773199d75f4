/* The runner's --roundtrip checks on every module that decodes:
 *   write:  decode(write(m)) must equal m (ir_module_equal);
 *   print:  parse(print(m)) must encode to exactly the bytes write(m) gave.
 * Failures are blamed on the writer/printer; the message says which step. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "syntax/ir_compare.h"

static void fail_rt(FileResult *res, uint32_t line, uint32_t column, const char *step,
                    const Diag *diag) {
    char reason[DIAG_MSG_MAX + 64], detail[DIAG_MSG_MAX + 96], where[DIAG_MSG_MAX + 32];
    snprintf(reason, sizeof reason, "%s%s%s", step, diag ? ": " : "", diag ? diag->msg : "");
    if (diag)
        diag_format(diag, where, sizeof where);
    snprintf(detail, sizeof detail, "%s%s%s", step, diag ? ": " : "", diag ? where : "");
    report_fail(res, RK_ROUNDTRIP, BLAME_WRITER, line, column, reason, detail);
}

/* Encode `mod` into *out; false (and a reported failure) if the writer fails. */
static bool write_module(FileResult *res, const Module *mod, ByteBuf *out, const char *step,
                         uint32_t line, uint32_t column) {
    Diag diag;
    diag_clear(&diag);
    if (bin_write_module(mod, out, &diag) != OK) {
        fail_rt(res, line, column, step, &diag);
        return false;
    }
    if (out->failed) {
        FAIL_NOMEM(&diag);
        fail_rt(res, line, column, step, &diag);
        return false;
    }
    return true;
}

static size_t first_difference(const ByteBuf *a, const ByteBuf *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    size_t i = 0;
    while (i < n && a->data[i] == b->data[i])
        i++;
    return i;
}

static const char *section_name(uint8_t id) {
    static const char *const names[] = {"custom", "type",   "import", "function", "table",
                                        "memory", "global", "export", "start",    "element",
                                        "code",   "data",   "datacount", "tag"};
    return id < sizeof names / sizeof names[0] ? names[id] : "unknown";
}

/* Name the section of `bytes` that holds `offset` ("code section", "custom
 * section \"name\"", "header"), for grouping failures by where they are. */
static void section_at(const ByteBuf *bytes, size_t offset, char *out, size_t size) {
    size_t pos = 8;
    if (offset < 8) {
        snprintf(out, size, "the header");
        return;
    }
    while (pos < bytes->len) {
        uint8_t id = bytes->data[pos];
        uint64_t len = 0;
        uint32_t shift = 0;
        size_t p = pos + 1;
        while (p < bytes->len && shift < 35) {
            len |= (uint64_t)(bytes->data[p] & 0x7f) << shift;
            shift += 7;
            if (!(bytes->data[p++] & 0x80))
                break;
        }
        size_t end = p + len;
        if (offset < end || end > bytes->len) {
            if (id == 0 && p < bytes->len && p + 1 + bytes->data[p] <= bytes->len)
                snprintf(out, size, "custom section \"%.*s\"", (int)bytes->data[p],
                         (const char *)bytes->data + p + 1);
            else
                snprintf(out, size, "%s section", section_name(id));
            return;
        }
        pos = end;
    }
    snprintf(out, size, "the end (extra bytes)");
}

static void compare_bytes(FileResult *res, const ByteBuf *want, const ByteBuf *got,
                          const char *step, uint32_t line, uint32_t column) {
    if (want->len == got->len && (!want->len || memcmp(want->data, got->data, want->len) == 0)) {
        report_pass(res, RK_ROUNDTRIP);
        return;
    }
    Diag diag;
    diag_clear(&diag);
    size_t at = first_difference(want, got);
    char where[96], where_got[96];
    section_at(want, at, where, sizeof where);
    section_at(got, at, where_got, sizeof where_got);
    FAIL(&diag, ERR_MALFORMED, at, "bytes differ: written %s, reparsed %s", where, where_got);
    fail_rt(res, line, column, step, &diag);
}

/* write → decode: the same IR. */
static void check_write(FileResult *res, const Module *mod, const ByteBuf *written,
                        uint32_t line, uint32_t column) {
    Diag diag;
    diag_clear(&diag);
    Module *again = NULL;
    if (bin_read_module(written->data, written->len, &again, &diag) != OK) {
        ir_module_delete(again);
        fail_rt(res, line, column, "written module does not decode", &diag);
        return;
    }
    char why[DIAG_MSG_MAX];
    why[0] = 0;
    if (ir_module_equal(mod, again, why, sizeof why)) {
        report_pass(res, RK_ROUNDTRIP);
    } else {
        FAIL(&diag, ERR_MALFORMED, DIAG_NO_OFFSET, "%s", why[0] ? why : "modules differ");
        fail_rt(res, line, column, "decode(write(m)) != m", &diag);
    }
    ir_module_delete(again);
}

/* print → parse → encode: the bytes write(m) gave. */
static void check_print(FileResult *res, const Module *mod, const ByteBuf *written, uint32_t line,
                        uint32_t column) {
    Diag diag;
    diag_clear(&diag);
    ByteBuf text, parsed;
    buf_init(&text);
    buf_init(&parsed);
    if (wat_print_module(mod, &text, &diag) != OK || text.failed) {
        if (text.failed)
            FAIL_NOMEM(&diag);
        fail_rt(res, line, column, "print failed", &diag);
    } else if (wat_parse_module((const char *)text.data, text.len, "<printed>", &parsed, &diag) !=
                   OK ||
               parsed.failed) {
        if (parsed.failed)
            FAIL_NOMEM(&diag);
        fail_rt(res, line, column, "printed text does not parse", &diag);
    } else {
        compare_bytes(res, written, &parsed, "encode(parse(print(m))) != write(m)", line, column);
    }
    buf_fini(&text);
    buf_fini(&parsed);
}

void wast_roundtrip(FileResult *res, const Module *mod, uint32_t line, uint32_t column) {
    ByteBuf written;
    buf_init(&written);
    if (write_module(res, mod, &written, "write failed", line, column)) {
        check_write(res, mod, &written, line, column);
        check_print(res, mod, &written, line, column);
    }
    buf_fini(&written);
}
