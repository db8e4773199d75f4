/* Component text format, canonical definitions: `canon lift`, `canon lower`,
 * the resource built-ins and the async/thread built-ins (encoded so such
 * components decode; the validator decides what is supported), with their
 * options and the `(core func $id?)` / `(func $id? type)` result forms. */
#include "wat_component.h"

#include <string.h>

/* Arguments: T type index, a `async` flag, c `cancellable` flag, o options,
 * r task.return result, x context (`i32 N`), m memory option, y core type,
 * b core table. */
typedef struct Builtin {
    const char *name;
    uint8_t code;
    const char *args;
} Builtin;

static const Builtin builtins[] = {
    {"resource.new", 0x02, "T"},           {"resource.drop", 0x03, "Ta"},
    {"resource.rep", 0x04, "T"},           {"task.cancel", 0x05, ""},
    {"subtask.cancel", 0x06, "a"},         {"backpressure.set", 0x08, ""},
    {"task.return", 0x09, "ro"},           {"context.get", 0x0a, "x"},
    {"context.set", 0x0b, "x"},            {"thread.yield", 0x0c, "c"},
    {"subtask.drop", 0x0d, ""},            {"stream.new", 0x0e, "T"},
    {"stream.read", 0x0f, "To"},           {"stream.write", 0x10, "To"},
    {"stream.cancel-read", 0x11, "Ta"},    {"stream.cancel-write", 0x12, "Ta"},
    {"stream.drop-readable", 0x13, "T"},   {"stream.drop-writable", 0x14, "T"},
    {"future.new", 0x15, "T"},             {"future.read", 0x16, "To"},
    {"future.write", 0x17, "To"},          {"future.cancel-read", 0x18, "Ta"},
    {"future.cancel-write", 0x19, "Ta"},   {"future.drop-readable", 0x1a, "T"},
    {"future.drop-writable", 0x1b, "T"},   {"error-context.new", 0x1c, "o"},
    {"error-context.debug-message", 0x1d, "o"}, {"error-context.drop", 0x1e, ""},
    {"waitable-set.new", 0x1f, ""},        {"waitable-set.wait", 0x20, "cm"},
    {"waitable-set.poll", 0x21, "cm"},     {"waitable-set.drop", 0x22, ""},
    {"waitable.join", 0x23, ""},           {"backpressure.inc", 0x24, ""},
    {"backpressure.dec", 0x25, ""},        {"thread.index", 0x26, ""},
    {"thread.new-indirect", 0x27, "yb"},   {"thread.resume-later", 0x28, ""},
    {"thread.suspend", 0x29, "c"},         {"thread.suspend-then-resume", 0x2a, "c"},
    {"thread.yield-then-resume", 0x2b, "c"}, {"thread.suspend-then-promote", 0x2c, "c"},
    {"thread.yield-then-promote", 0x2d, "c"}, {"thread.spawn-ref", 0x40, "y"},
    {"thread.spawn-indirect", 0x41, "yb"}, {"thread.available-parallelism", 0x42, ""},
};

/* `idx`, `$i "name"` or `(kw ref)` (with an optional `core`) for `ns`. */
static Err ref_or_form(CompParser *cp, CNs ns, const char *kw, uint32_t *out) {
    WatParser *p = &cp->w;
    bool core = ns <= CNS_CORE_MODULE;
    if (wat_peek(p)->kind == TOK_LPAR) {
        p->pos++;
        if (wat_tok_is(wat_peek(p), "core"))
            p->pos++;
        TRY(wat_expect_kw(p, kw));
        TRY(core ? cwat_core_item_ref(cp, ns, out) : cwat_item_ref(cp, ns, out));
        return wat_expect_rpar(p);
    }
    return core ? cwat_core_item_ref(cp, ns, out) : cwat_item_ref(cp, ns, out);
}

static bool flag_kw(WatParser *p, const char *kw) {
    if (!wat_tok_is(wat_peek(p), kw))
        return false;
    p->pos++;
    return true;
}

/* Canonical options up to something that is not an option; writes vec(opt). */
static Err canon_opts(CompParser *cp, ByteBuf *b) {
    WatParser *p = &cp->w;
    ByteBuf o;
    buf_init(&o);
    uint32_t n = 0;
    Err err = OK;
    for (;;) {
        uint32_t idx;
        const Token *t = wat_peek(p);
        if (wat_tok_is(t, "string-encoding=utf8")) {
            buf_byte(&o, 0x00);
        } else if (wat_tok_is(t, "string-encoding=utf16")) {
            buf_byte(&o, 0x01);
        } else if (wat_tok_is(t, "string-encoding=latin1+utf16")) {
            buf_byte(&o, 0x02);
        } else if (wat_tok_is(t, "async")) {
            buf_byte(&o, 0x06);
        } else if (wat_tok_is(t, "always-task-return")) {
            buf_byte(&o, 0x08);
        } else if (wat_peek_form(p, "memory")) {
            p->pos += 2;
            err = ref_or_form(cp, CNS_CORE_MEMORY, "memory", &idx);
            buf_byte(&o, 0x03);
            leb_write_u32(&o, idx);
        } else if (wat_peek_form(p, "realloc") || wat_peek_form(p, "post-return") ||
                   wat_peek_form(p, "callback")) {
            uint8_t code = wat_peek_form(p, "realloc")       ? 0x04
                           : wat_peek_form(p, "post-return") ? 0x05
                                                             : 0x07;
            p->pos += 2;
            err = ref_or_form(cp, CNS_CORE_FUNC, "func", &idx);
            buf_byte(&o, code);
            leb_write_u32(&o, idx);
        } else {
            break;
        }
        if (t->kind == TOK_ATOM)
            p->pos++;
        else if (err == OK)
            err = wat_expect_rpar(p);
        n++;
        if (err != OK)
            break;
    }
    leb_write_u32(b, n);
    buf_bytes(b, o.data, o.len);
    buf_fini(&o);
    return err;
}

static Err builtin_arg(CompParser *cp, char arg, ByteBuf *b) {
    WatParser *p = &cp->w;
    uint32_t idx;
    switch (arg) {
    case 'T':
        TRY(ref_or_form(cp, CNS_TYPE, "type", &idx));
        leb_write_u32(b, idx);
        return OK;
    case 'a': buf_byte(b, flag_kw(p, "async") ? 1 : 0); return OK;
    case 'c': buf_byte(b, flag_kw(p, "cancellable") ? 1 : 0); return OK;
    case 'o': return canon_opts(cp, b);
    case 'r':
        if (wat_peek_form(p, "result")) {
            p->pos += 2;
            buf_byte(b, 0x00);
            TRY(cwat_valtype(cp, b));
            return wat_expect_rpar(p);
        }
        buf_byte(b, 0x01);
        buf_byte(b, 0x00);
        return OK;
    case 'x':
        TRY(wat_expect_kw(p, "i32"));
        buf_byte(b, 0x7f);
        TRY(wat_expect_u32(p, &idx));
        leb_write_u32(b, idx);
        return OK;
    case 'm':
        TRY(wat_expect_form(p, "memory"));
        TRY(ref_or_form(cp, CNS_CORE_MEMORY, "memory", &idx));
        leb_write_u32(b, idx);
        return wat_expect_rpar(p);
    case 'y':
        TRY(ref_or_form(cp, CNS_CORE_TYPE, "type", &idx));
        leb_write_u32(b, idx);
        return OK;
    default:
        TRY(ref_or_form(cp, CNS_CORE_TABLE, "table", &idx));
        leb_write_u32(b, idx);
        return OK;
    }
}

/* The trailing `(core func $id?)` of a core-function canon. */
static Err core_func_result(CompParser *cp, bool wrapped, const Token **id) {
    WatParser *p = &cp->w;
    if (wrapped)
        return OK;
    TRY(wat_expect_form(p, "core"));
    TRY(wat_expect_kw(p, "func"));
    wat_opt_id(p, id);
    return wat_expect_rpar(p);
}

static Err lift(CompParser *cp, bool wrapped, const Token *id, uint32_t type) {
    WatParser *p = &cp->w;
    ByteBuf b;
    buf_init(&b);
    uint32_t f;
    Err err = ref_or_form(cp, CNS_CORE_FUNC, "func", &f);
    buf_byte(&b, 0x00);
    buf_byte(&b, 0x00);
    leb_write_u32(&b, f);
    if (err == OK)
        err = canon_opts(cp, &b);
    if (err == OK && !wrapped) {
        err = wat_expect_form(p, "func");
        wat_opt_id(p, &id);
        if (err == OK)
            err = cwat_type_use(cp, CNS_FUNC, &type);
        if (err == OK)
            err = wat_expect_rpar(p);
    }
    leb_write_u32(&b, type);
    if (err == OK)
        err = cwat_emit(cp, 8, &b);
    buf_fini(&b);
    TRY(err);
    return cwat_define(cp, CNS_FUNC, id, NULL);
}

Err cwat_canon(CompParser *cp, bool wrapped, const Token *outer_id, uint32_t lift_type) {
    WatParser *p = &cp->w;
    p->pos += 2;
    const Token *kw = wat_peek(p);
    p->pos++;
    const Token *id = outer_id;
    if (wat_tok_is(kw, "lift"))
        TRY(lift(cp, wrapped, id, lift_type));
    else {
        ByteBuf b;
        buf_init(&b);
        Err err = OK;
        if (wat_tok_is(kw, "lower")) {
            uint32_t f;
            err = ref_or_form(cp, CNS_FUNC, "func", &f);
            buf_byte(&b, 0x01);
            buf_byte(&b, 0x00);
            leb_write_u32(&b, f);
            if (err == OK)
                err = canon_opts(cp, &b);
        } else {
            const Builtin *bi = NULL;
            for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
                if (wat_tok_is(kw, builtins[i].name))
                    bi = &builtins[i];
            if (!bi) {
                buf_fini(&b);
                return wat_unexpected(p, kw);
            }
            buf_byte(&b, bi->code);
            for (const char *a = bi->args; err == OK && *a; a++)
                err = builtin_arg(cp, *a, &b);
            /* resource.drop has no flag byte in the binary */
            if (err == OK && bi->code == 0x03)
                b.len--;
        }
        if (err == OK)
            err = core_func_result(cp, wrapped, &id);
        if (err == OK)
            err = cwat_emit(cp, 8, &b);
        buf_fini(&b);
        TRY(err);
        TRY(cwat_define(cp, CNS_CORE_FUNC, id, NULL));
    }
    return wat_expect_rpar(p);
}
