/* WAT modules checked field by field in the IR, abbreviations against their
 * expansions (compared as encoded bytes), and text errors in the reference
 * interpreter's words; function $ids as the name section's names. */
#include <string.h>

#include "../test.h"
#include "syntax/syntax.h"
#include "syntax/wat_int.h"

typedef struct Parsed {
    Arena arena;
    TokenList tl;
    Module *mod;
    Diag diag;
    Err err;
} Parsed;

/* Parse bare module fields into IR. */
static void parse(Parsed *p, const char *text) {
    memset(p, 0, sizeof *p);
    arena_init(&p->arena);
    p->err = wat_lex(text, strlen(text), &p->arena, &p->tl, &p->diag);
    if (p->err == OK)
        p->err = wat_parse_tokens(&p->tl, 0, p->tl.n - 1, &p->mod, &p->diag);
}

static void done(Parsed *p) {
    ir_module_delete(p->mod);
    wat_tokens_free(&p->tl);
    arena_fini(&p->arena);
}

static ByteBuf encode(const char *text) {
    ByteBuf b;
    buf_init(&b);
    Diag d;
    Err err = wat_parse_module(text, strlen(text), "test", &b, &d);
    if (err != OK)
        fprintf(stderr, "  %s: %s\n", text, d.msg);
    CHECK(err == OK);
    return b;
}

/* Drop the name section, which holds the $ids: abbreviations and their
 * expansions must encode the same apart from the names they chose. */
static void strip_names(ByteBuf *b) {
    size_t at = 8;
    while (at < b->len) {
        uint64_t size = 0;
        size_t n = 0;
        if (leb_read_unsigned(b->data + at + 1, b->data + b->len, 32, &size, &n) != LEB_OK)
            return;
        size_t end = at + 1 + n + (size_t)size;
        if (b->data[at] == 0 && size >= 5 && memcmp(b->data + at + 1 + n, "\4name", 5) == 0) {
            memmove(b->data + at, b->data + end, b->len - end);
            b->len -= end - at;
            return;
        }
        at = end;
    }
}

static void check_same(const char *a, const char *b) {
    ByteBuf x = encode(a), y = encode(b);
    strip_names(&x);
    strip_names(&y);
    CHECK(x.len == y.len && memcmp(x.data, y.data, x.len) == 0);
    buf_fini(&x);
    buf_fini(&y);
}

static void check_error(const char *text, const char *prefix) {
    ByteBuf b;
    buf_init(&b);
    Diag d;
    memset(&d, 0, sizeof d);
    Err err = wat_parse_module(text, strlen(text), "test", &b, &d);
    CHECK(err != OK);
    if (err != OK && strncmp(d.msg, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "  %s: got \"%s\", want \"%s\"\n", text, d.msg, prefix);
        CHECK(0);
    }
    CHECK(err == OK || d.line > 0);
    buf_fini(&b);
}

static void test_implicit_types(void) {
    Parsed p;
    parse(&p, "(type $a (func)) (func (param i32)) (func (type $a))"
              " (func (result f64) (f64.const 0)) (func (param $x i32))"
              " (func (block (param i32) (drop)) (i32.const 1) drop)");
    CHECK(p.err == OK);
    if (p.err == OK) {
        Module *m = p.mod;
        CHECK(m->n_types == 3);
        CHECK(m->types[1].func.n_params == 1 && m->types[1].func.params[0].kind == VK_I32);
        CHECK(m->types[2].func.n_results == 1 && m->types[2].func.results[0].kind == VK_F64);
        CHECK(m->n_funcs == 5);
        CHECK(m->funcs[0].type == 1 && m->funcs[1].type == 0 && m->funcs[2].type == 2);
        CHECK(m->funcs[3].type == 1);
        const Instr *b = &m->funcs[4].code.instrs[0];
        CHECK(b->op == OP_BLOCK && b->imm.block.type.kind == BLOCK_INDEX &&
              b->imm.block.type.index == 1);
    }
    done(&p);
}

static void test_fields(void) {
    Parsed p;
    parse(&p, "(import \"m\" \"f\" (func $imp (param i32)))"
              "(func $f (export \"f\") (param $x i32) (result i32) (local $y i64) (local f32 f32)"
              "  block $a (result i32) block $b local.get $x br_if $a br $b end i32.const 7 end)"
              "(table $t 2 10 funcref) (table i64 (ref null func) (elem $f $f $f))"
              "(memory $m i64 1 2) (memory (data \"ab\" \"c\"))"
              "(global $g (mut i64) (i64.const -1)) (tag $e (param i32))"
              "(elem declare func $f) (elem (table $t) (offset (i32.const 1)) funcref (item ref.func $f))"
              "(data $d (memory $m) (i64.const 8) \"xyz\") (data \"p\") (start $imp)");
    CHECK(p.err == OK);
    if (p.err != OK) {
        fprintf(stderr, "  %u:%u %s\n", p.diag.line, p.diag.column, p.diag.msg);
        done(&p);
        return;
    }
    Module *m = p.mod;
    CHECK(m->n_imports == 1 && m->imports[0].kind == EXTERN_FUNC && m->imports[0].index == 0);
    CHECK(m->n_funcs == 2 && m->n_func_imports == 1 && m->funcs[0].import == 0);
    const Code *c = &m->funcs[1].code;
    CHECK(c->n_locals == 3 && c->n_local_groups == 2 && c->local_groups[1].count == 2);
    CHECK(c->instrs[2].op == OP_LOCAL_GET && c->instrs[2].imm.index == 0);
    CHECK(c->instrs[3].op == OP_BR_IF && c->instrs[3].imm.index == 1);
    CHECK(c->instrs[4].op == OP_BR && c->instrs[4].imm.index == 0);
    CHECK(c->instrs[c->n_instrs - 1].op == OP_END);
    CHECK(m->n_exports == 1 && m->exports[0].index == 1 && m->exports[0].name.len == 1);
    CHECK(m->n_tables == 2 && m->tables[0].type.limits.max == 10);
    CHECK(m->tables[1].type.limits.is64 && m->tables[1].type.limits.min == 3);
    CHECK(m->n_memories == 2 && m->memories[0].type.is64 && m->memories[1].type.min == 1);
    CHECK(m->n_globals == 1 && m->globals[0].type.mutable_ &&
          m->globals[0].init.instrs[0].imm.i64 == -1);
    CHECK(m->n_tags == 1 && m->types[m->tags[0].type.type].func.n_params == 1);
    CHECK(m->n_elems == 3);
    CHECK(m->elems[0].mode == SEG_ACTIVE && m->elems[0].table == 1 && !m->elems[0].exprs);
    CHECK(m->elems[0].offset.instrs[0].op == OP_I64_CONST && m->elems[0].n_items == 3);
    CHECK(m->elems[1].mode == SEG_DECLARATIVE && !m->elems[1].exprs && m->elems[1].funcs[0] == 1);
    CHECK(m->elems[2].mode == SEG_ACTIVE && m->elems[2].exprs &&
          m->elems[2].items[0].instrs[0].op == OP_REF_FUNC);
    CHECK(m->n_datas == 3 && m->datas[0].len == 3 && memcmp(m->datas[0].bytes, "abc", 3) == 0);
    CHECK(m->datas[1].memory == 0 && m->datas[1].offset.instrs[0].op == OP_I64_CONST);
    CHECK(m->datas[2].mode == SEG_PASSIVE);
    CHECK(m->has_start && m->start == 0);
    done(&p);
}

static void test_instr_forms(void) {
    Parsed p;
    parse(&p, "(memory 1) (memory $m2 1) (type $s (struct (field $a i32) (field $b i64)))"
              "(func (param v128) (result i32)"
              " (i64.load (i32.const 0)) drop (v128.load8x8_s $m2 offset=0x10 (i32.const 0)) drop"
              " (i32.load8_u align=1 (i32.const 0)) drop"
              " (v128.load16_lane 1 offset=2 3 (i32.const 0) (local.get 0)) drop"
              " (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3)) drop"
              " (ref.cast (ref null $s) (ref.null none)) drop"
              " (struct.get $s $b (ref.null $s)) drop"
              " (v128.const f32x4 1 -1 nan inf) drop"
              " (memory.copy $m2 0 (i32.const 0) (i32.const 0) (i32.const 0))"
              " (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))))");
    CHECK(p.err == OK);
    if (p.err != OK) {
        fprintf(stderr, "  %u:%u %s\n", p.diag.line, p.diag.column, p.diag.msg);
        done(&p);
        return;
    }
    const Instr *in = p.mod->funcs[0].code.instrs;
    CHECK(in[1].op == OP_I64_LOAD && in[1].a == 3);
    CHECK(in[4].op == OP_V128_LOAD8X8_S && in[4].a == 3 && in[4].imm.memarg.mem == 1 &&
          in[4].imm.memarg.offset == 16);
    CHECK(in[7].op == OP_I32_LOAD8_U && in[7].a == 0);
    CHECK(in[11].op == OP_V128_LOAD16_LANE && in[11].imm.memarg.mem == 1 && in[11].b == 3 &&
          in[11].a == 1 && in[11].imm.memarg.offset == 2);
    CHECK(in[16].op == OP_SELECT_T && in[16].imm.select.n == 1);
    CHECK(in[19].op == OP_REF_CAST_NULL && in[19].imm.heap == 0);
    CHECK(in[22].op == OP_STRUCT_GET && in[22].imm.pair.x == 0 && in[22].imm.pair.y == 1);
    CHECK(in[24].op == OP_V128_CONST && in[24].imm.v128[3] == 0x3f && in[24].imm.v128[7] == 0xbf);
    CHECK(in[29].op == OP_MEMORY_COPY && in[29].imm.pair.x == 1 && in[29].imm.pair.y == 0);
    CHECK(in[30].op == OP_I32_CONST && in[31].op == OP_IF && in[33].op == OP_ELSE);
    done(&p);
}

static void test_abbreviations(void) {
    check_same("(module (func (export \"f\")))", "(module (func $f) (export \"f\" (func $f)))");
    check_same("(module (func (import \"m\" \"n\") (param i32)))",
               "(module (type (func (param i32))) (import \"m\" \"n\" (func (type 0))))");
    check_same("(module (memory (export \"m\") 1))", "(memory 1) (export \"m\" (memory 0))");
    check_same("(module (global (import \"a\" \"b\") i32))", "(import \"a\" \"b\" (global i32))");
    check_same("(func (i32.add (i32.const 1) (i32.const 2)) drop)",
               "(func i32.const 1 i32.const 2 i32.add drop)");
    check_same("(func (if (i32.const 0) (then nop) (else nop)))",
               "(func i32.const 0 if nop else nop end)");
    check_same("(table 1 funcref) (elem (i32.const 0) $f) (func $f)",
               "(table 1 funcref) (elem (table 0) (offset i32.const 0) func $f) (func $f)");
    check_same("(func $\"a b\" (call $\"a b\"))", "(func $f (call $f))");
}

static bool func_named(const Module *mod, uint32_t k, uint32_t index, const char *name) {
    const NameMap *m = &mod->names.funcs;
    return k < m->n && m->entries[k].index == index && m->entries[k].name.len == strlen(name) &&
           memcmp(m->entries[k].name.str, name, strlen(name)) == 0;
}

/* Function $ids become the name section's function names (imports count),
 * sorted by index; the text's own name section wins. */
static void test_names_from_ids(void) {
    Parsed p;
    parse(&p, "(import \"m\" \"f\" (func $imp)) (func $zeta) (func) (func $\"a b\")");
    CHECK(p.err == OK && p.mod->names.present && p.mod->names.funcs.n == 3);
    CHECK(func_named(p.mod, 0, 0, "imp") && func_named(p.mod, 1, 1, "zeta") &&
          func_named(p.mod, 2, 3, "a b"));
    done(&p);
    parse(&p, "(func) (memory $m 1)");
    CHECK(p.err == OK && !p.mod->names.present);
    done(&p);
    parse(&p, "(func $f) (@custom \"name\" \"\")");
    CHECK(p.err == OK && !p.mod->names.present && p.mod->n_customs == 1);
    done(&p);
    ByteBuf b = encode("(module (func $walk))");
    Module *mod = NULL;
    Diag d;
    CHECK(bin_read_module(b.data, b.len, &mod, &d) == OK);
    CHECK(mod && func_named(mod, 0, 0, "walk"));
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_errors(void) {
    check_error("(func block $a end $b)", "mismatching label");
    check_error("(func br $x)", "unknown label");
    check_error("(func (local $a i32) (local $a i32))", "duplicate local");
    check_error("(func $f) (func $f)", "duplicate func");
    check_error("(func) (import \"a\" \"b\" (func))", "import after function");
    check_error("(type $t (func)) (func (type $t) (param i32))", "inline function type");
    check_error("(func (i32.const 0x1_0000_0000) drop)", "constant out of range");
    check_error("(func (f32.const 1e39) drop)", "constant out of range");
    check_error("(memory 1) (func (i32.load align=3 (i32.const 0)) drop)", "alignment");
    check_error("(func get_local 0)", "unknown operator");
    check_error("(func (i32.load32 (i32.const 0)))", "unknown operator");
    check_error("(func (nop) (local i32))", "unexpected token");
    check_error("(func $f) (start $f) (start $f)", "multiple start sections");
    check_error("(func (v128.const i32x4 0 0 0) drop)", "wrong number of lane literals");
    check_error("(func (call $nope))", "unknown function");
    check_error("(module (func)) x", "unexpected token");
    check_error("(export \"\\ff\" (func 0)) (func)", "malformed UTF-8 encoding");
    check_error("(func", "unexpected token");
}

/* Limits are u64 in text and binary for both address types: too-large sizes
 * of 32-bit memories and tables parse, and the validator rejects them. */
static void test_large_limits(void) {
    Parsed p;
    parse(&p, "(memory (import \"M\" \"m\") 0 0x1_0000_0000)"
              " (memory 0x1_0000_0000 0x1_0000_0000) (table 0 0x1_0000_0000 funcref)");
    CHECK(p.err == OK);
    if (p.err == OK) {
        Module *m = p.mod;
        CHECK(m->n_memories == 2 && !m->memories[1].type.is64);
        CHECK(m->memories[1].type.min == 0x100000000ull &&
              m->memories[1].type.max == 0x100000000ull);
        CHECK(m->memories[0].type.has_max && m->memories[0].type.max == 0x100000000ull);
        CHECK(m->n_tables == 1 && m->tables[0].type.limits.max == 0x100000000ull);
    }
    done(&p);
    check_error("(memory 0x1_0000_0000_0000_0000)", "i64 constant out of range");
}

static void test_custom_annotations(void) {
    Parsed p;
    parse(&p, "(@name \"mod\") (@custom \"a\" \"x\" \"yz\") (func)"
              " (@custom \"b\" (before func)) (@custom \"c\" (after last))");
    CHECK(p.err == OK);
    if (p.err == OK) {
        Module *m = p.mod;
        CHECK(m->n_customs == 3 && m->customs[0].len == 3 && m->customs[0].after == 11);
        CHECK(m->customs[1].after == 2 && m->customs[2].after == 11);
        CHECK(m->names.has_module_name && m->names.module.len == 3);
    }
    done(&p);
    check_error("(func (@custom \"x\"))", "misplaced @custom annotation");
    check_error("(@custom \"x\" (before types))", "@custom annotation: malformed section kind");
    check_error("(@custom 4)", "@custom annotation: missing section name");
    check_error("(module (func) (@name \"M\"))", "misplaced @name annotation");
}

/* (@metadata.code.branch_hint) hints the instruction that follows it: for a
 * folded `if`, the `if` itself (emitted after its condition). The writer
 * puts the offsets from the body start in a section right before the code. */
static void test_branch_hints(void) {
    Parsed p;
    parse(&p, "(func $a (param i32) (local i32)"
              "  local.get 0 (@metadata.code.branch_hint \"\\01\") if end"
              "  (block (@metadata.code.branch_hint \"\\00\") (br_if 0 (local.get 0))))"
              "(func (param i32) (@metadata.code.branch_hint \"\\00\")"
              "  (if (local.get 0) (then (@metadata.code.branch_hint \"\\01\") (br_if 0"
              "   (local.get 0)))))");
    CHECK(p.err == OK);
    if (p.err == OK) {
        const Code *a = &p.mod->funcs[0].code, *b = &p.mod->funcs[1].code;
        CHECK(a->n_hints == 2 && a->hints[0].instr == 1 && a->hints[0].value == 1);
        CHECK(a->n_hints == 2 && a->instrs[a->hints[1].instr].op == OP_BR_IF &&
              a->hints[1].value == 0);
        CHECK(b->n_hints == 2 && b->instrs[b->hints[0].instr].op == OP_IF &&
              b->hints[0].instr == 1 && b->hints[0].value == 0);
        CHECK(b->n_hints == 2 && b->instrs[b->hints[1].instr].op == OP_BR_IF &&
              b->hints[1].value == 1);
    }
    done(&p);
    ByteBuf bin = encode("(func (param i32) local.get 0 (@metadata.code.branch_hint \"\\01\")"
                         " br_if 0)");
    static const uint8_t want[] = {
        0x00, 0x20, 0x19, 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '.', 'c', 'o', 'd', 'e', '.',
        'b', 'r', 'a', 'n', 'c', 'h', '_', 'h', 'i', 'n', 't',
        0x01, 0x00, 0x01, 0x03, 0x01, 0x01,  /* func 0: one hint at offset 3, value 1 */
        0x0a, 0x08, 0x01, 0x06, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b};
    CHECK(bin.len > sizeof want &&
          memcmp(bin.data + bin.len - sizeof want, want, sizeof want) == 0);
    buf_fini(&bin);
    check_error("(func (@metadata.code.branch_hint \"\\01\") (@metadata.code.branch_hint"
                " \"\\01\") (if (i32.const 0) (then)))",
                "@metadata.code.branch_hint annotation: duplicate annotation");
    check_error("(@metadata.code.branch_hint \"\\01\") (func)",
                "@metadata.code.branch_hint annotation: not in a function");
    check_error("(global i32 (@metadata.code.branch_hint \"\\01\") (i32.const 0))",
                "@metadata.code.branch_hint annotation: not in a function");
    check_error("(func (@metadata.code.branch_hint \"\\02\") (if (i32.const 0) (then)))",
                "@metadata.code.branch_hint annotation: invalid value");
    check_error("(func nop (@metadata.code.branch_hint \"\\01\"))",
                "@metadata.code.branch_hint annotation: invalid target");
}

/* Fail allocation 1, 2, ... until the parse succeeds: each run must end in a
 * clean ERR_NOMEM (leaks show under the sanitizer build). */
static void test_alloc_failures(void) {
    static const char text[] =
        "(module (type $t (func (param i32) (result i32))) (import \"m\" \"f\" (func $i))"
        " (func $f (export \"f\") (type $t) (local i64) (block (result i32) (local.get 0))"
        "  (@metadata.code.branch_hint \"\\01\") (if (i32.const 1) (then)))"
        " (table 1 funcref) (elem (i32.const 0) $f) (memory (data \"abc\"))"
        " (global i32 (i32.const 1)) (@custom \"c\" \"d\"))";
    static const char script[] = "(module $m (func)) (assert_return (invoke $m \"f\" (i32.const 1))"
                                 " (either (f32.const nan:canonical) (ref.null)))"
                                 "(assert_malformed (module quote \"(func\") \"x\")";
    bool ok = false;
    for (int64_t n = 0; !ok && n < 100000; n++) {
        ByteBuf b;
        buf_init(&b);
        Diag d;
        mem_fail_after(n);
        Err err = wat_parse_module(text, sizeof text - 1, "t", &b, &d);
        mem_fail_after(-1);
        ok = err == OK && !b.failed;
        CHECK(err == OK || err == ERR_NOMEM);
        buf_fini(&b);
    }
    CHECK(ok);
    ok = false;
    for (int64_t n = 0; !ok && n < 100000; n++) {
        Script *s = NULL;
        Diag d;
        mem_fail_after(n);
        Err err = wast_parse_script(script, sizeof script - 1, "t", &s, &d);
        mem_fail_after(-1);
        ok = err == OK;
        CHECK(err == OK || err == ERR_NOMEM);
        wast_script_delete(s);
    }
    CHECK(ok);
}

TEST_MAIN("wat_module", TEST_CASE(test_alloc_failures), TEST_CASE(test_custom_annotations), TEST_CASE(test_implicit_types), TEST_CASE(test_fields),
          TEST_CASE(test_instr_forms), TEST_CASE(test_abbreviations), TEST_CASE(test_errors),
          TEST_CASE(test_large_limits), TEST_CASE(test_branch_hints), TEST_CASE(test_names_from_ids))
