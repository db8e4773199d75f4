/* The runner's --roundtrip checks on every module that decodes (the checks
 * are listed at wast_roundtrip in cli.h). Failures are blamed on the
 * writer/printer; the message says which step. */
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
    snprintf(out, size, "the end");
}

static bool compare_bytes(FileResult *res, const ByteBuf *want, const ByteBuf *got,
                          const char *step, uint32_t line, uint32_t column) {
    if (want->len == got->len && (!want->len || memcmp(want->data, got->data, want->len) == 0)) {
        report_pass(res, RK_ROUNDTRIP);
        return true;
    }
    Diag diag;
    diag_clear(&diag);
    size_t at = first_difference(want, got);
    char where[96], where_got[96];
    section_at(want, at, where, sizeof where);
    section_at(got, at, where_got, sizeof where_got);
    FAIL(&diag, ERR_MALFORMED, at, "bytes differ: written %s, reparsed %s", where, where_got);
    fail_rt(res, line, column, step, &diag);
    return false;
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

/* --save-failing: DIR/<display with '/' as '_'>-<line>.{wasm,wat,re.wasm,re.wat}. */
static void save(const char *dir, const FileResult *res, uint32_t line, const char *ext,
                 const ByteBuf *b) {
    if (!dir || !b->len || b->failed)
        return;
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s-%u%s", dir, res->display, line, ext);
    if (n < 0 || (size_t)n >= sizeof path)
        return;
    for (char *p = path + strlen(dir) + 1; *p; p++)
        if (*p == '/')
            *p = '_';
    Diag diag;
    if (os_write_file(path, b->data, b->len, &diag) != OK)
        fprintf(stderr, "wasmc wast: %s\n", diag.msg);
}

static bool print_module(const Module *mod, ByteBuf *text, Diag *diag) {
    if (wat_print_module(mod, text, diag) != OK)
        return false;
    if (text->failed)
        FAIL_NOMEM(diag);
    return !text->failed;
}

static bool parse_text(const ByteBuf *text, ByteBuf *out, Diag *diag) {
    if (wat_parse_module((const char *)text->data, text->len, "<printed>", out, diag) != OK)
        return false;
    if (out->failed)
        FAIL_NOMEM(diag);
    return !out->failed;
}

/* The text fixpoint for binary modules: print(decode(parse(print(m)))) == print(m). */
static bool check_fixpoint(FileResult *res, const ByteBuf *text, const ByteBuf *parsed,
                           ByteBuf *text2, uint32_t line, uint32_t column) {
    Diag diag;
    diag_clear(&diag);
    Module *again = NULL;
    bool ok = false;
    if (bin_read_module(parsed->data, parsed->len, &again, &diag) != OK) {
        fail_rt(res, line, column, "parse(print(m)) does not decode", &diag);
    } else if (!print_module(again, text2, &diag)) {
        fail_rt(res, line, column, "printing the reparsed module failed", &diag);
    } else if (text2->len == text->len && memcmp(text2->data, text->data, text->len) == 0) {
        report_pass(res, RK_ROUNDTRIP);
        ok = true;
    } else {
        size_t at = first_difference(text, text2);
        uint32_t text_line = 1;
        for (size_t i = 0; i < at; i++)
            text_line += text->data[i] == '\n';
        FAIL(&diag, ERR_MALFORMED, DIAG_NO_OFFSET, "printed texts differ at line %u", text_line);
        fail_rt(res, line, column, "print(parse(print(m))) != print(m)", &diag);
    }
    ir_module_delete(again);
    return ok;
}

/* print → parse → encode, compared with write(m) (text modules) or by the
 * text fixpoint (binary modules). */
static void check_print(FileResult *res, const RunOptions *opt, const Module *mod, bool from_text,
                        const ByteBuf *written, uint32_t line, uint32_t column) {
    bool ok = false;
    Diag diag;
    diag_clear(&diag);
    ByteBuf text, parsed, text2;
    buf_init(&text);
    buf_init(&parsed);
    buf_init(&text2);
    if (!print_module(mod, &text, &diag)) {
        fail_rt(res, line, column, "print failed", &diag);
        ok = true; /* nothing worth saving */
    } else if (!parse_text(&text, &parsed, &diag)) {
        fail_rt(res, line, column, "printed text does not parse", &diag);
    } else if (from_text) {
        ok = compare_bytes(res, written, &parsed, "encode(parse(print(m))) != write(m)", line,
                           column);
    } else {
        ok = check_fixpoint(res, &text, &parsed, &text2, line, column);
    }
    if (!ok) {
        save(opt->save_dir, res, line, ".wasm", written);
        save(opt->save_dir, res, line, ".wat", &text);
        save(opt->save_dir, res, line, ".re.wasm", &parsed);
        save(opt->save_dir, res, line, ".re.wat", &text2);
    }
    buf_fini(&text);
    buf_fini(&parsed);
    buf_fini(&text2);
}

void wast_roundtrip(FileResult *res, const RunOptions *opt, const Module *mod, bool from_text,
                    bool valid, uint32_t line, uint32_t column) {
    ByteBuf written;
    buf_init(&written);
    if (write_module(res, mod, &written, "write failed", line, column)) {
        check_write(res, mod, &written, line, column);
        if (from_text || valid)
            check_print(res, opt, mod, from_text, &written, line, column);
    }
    buf_fini(&written);
}
