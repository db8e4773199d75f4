/* Binary decoder tests: hand-built modules for each section kind and the
 * important malformations (code, byte offset and message), the name section,
 * the caller's buffer not being kept, and an allocation-failure loop. */
#include <stdlib.h>

#include "syntax/syntax.h"
#include "test.h"

/* ---- Building test modules ---------------------------------------------------- */

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void begin(ByteBuf *b) {
    buf_init(b);
    buf_bytes(b, "\0asm\1\0\0\0", 8);
}

static void sec(ByteBuf *b, uint8_t id, const uint8_t *content, size_t n) {
    buf_byte(b, id);
    leb_write_u32(b, (uint32_t)n);
    buf_bytes(b, content, n);
}
#define SEC(b, id, ...) sec(b, id, BYTES(__VA_ARGS__))

/* A code section holding one body (locals and instructions). */
static void code1(ByteBuf *b, const uint8_t *body, size_t n) {
    ByteBuf c;
    buf_init(&c);
    buf_byte(&c, 1);
    leb_write_u32(&c, (uint32_t)n);
    buf_bytes(&c, body, n);
    sec(b, 10, c.data, c.len);
    buf_fini(&c);
}
#define CODE1(b, ...) code1(b, BYTES(__VA_ARGS__))

/* One `() -> ()` type and one function using it. */
static void func_header(ByteBuf *b) {
    SEC(b, 1, 0x01, 0x60, 0x00, 0x00);
    SEC(b, 3, 0x01, 0x00);
}

static Module *decode_ok(const ByteBuf *b) {
    Module *mod = NULL;
    Diag diag;
    diag_clear(&diag);
    Err err = bin_read_module(b->data, b->len, &mod, &diag);
    if (err != OK)
        fprintf(stderr, "  decode failed at 0x%llx: %s\n", (unsigned long long)diag.offset,
                diag.msg);
    CHECK(err == OK);
    return mod;
}

static void expect_fail(ByteBuf *b, Err code, uint64_t offset, const char *msg) {
    Module *mod = (Module *)1;
    Diag diag;
    diag_clear(&diag);
    Err err = bin_read_module(b->data, b->len, &mod, &diag);
    CHECK_EQ_U64(err, code);
    CHECK(mod == NULL);
    CHECK_EQ_U64(diag.offset, offset);
    CHECK_STR(diag.msg, msg);
    buf_fini(b);
}

static bool name_is(Name n, const char *s) {
    return n.len == strlen(s) && !memcmp(n.str, s, n.len);
}

/* ---- Well-formed modules ------------------------------------------------------- */

static void test_empty(void) {
    ByteBuf b;
    begin(&b);
    Module *mod = decode_ok(&b);
    if (mod) {
        CHECK(mod->n_sections == 0 && mod->n_types == 0 && mod->n_funcs == 0);
        CHECK(!mod->names.present);
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_types(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 1, 0x03,                                      /* 3 recursion groups */
        0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d,               /* 0: (i32 i64) -> f32 */
        0x4e, 0x02,                                       /* rec of 2: */
        0x50, 0x00, 0x5f, 0x02, 0x78, 0x01, 0x77, 0x00,   /* 1: sub struct (mut i8) i16 */
        0x4f, 0x01, 0x01, 0x5e, 0x63, 0x01, 0x01,         /* 2: sub final 1 (array (mut ref)) */
        0x60, 0x04, 0x70, 0x6f, 0x64, 0x00, 0x63, 0x6e, 0x00); /* 3: func (4 ref params) */
    Module *mod = decode_ok(&b);
    if (mod && mod->n_types == 4) {
        SubType *t = mod->types;
        CHECK(t[0].kind == COMP_FUNC && t[0].func.n_params == 2 && t[0].func.n_results == 1);
        CHECK(t[0].func.params[1].kind == VK_I64 && t[0].func.results[0].kind == VK_F32);
        CHECK(t[0].final && !t[0].explicit_sub && t[0].rec_size == 1 && !t[0].explicit_rec);
        CHECK(t[1].kind == COMP_STRUCT && !t[1].final && t[1].explicit_sub && !t[1].has_super);
        CHECK(t[1].rec_start == 1 && t[1].rec_size == 2 && t[1].explicit_rec);
        CHECK(t[1].strct.n_fields == 2 && t[1].strct.fields[0].type.kind == VK_I8);
        CHECK(t[1].strct.fields[0].mutable_ && !t[1].strct.fields[1].mutable_);
        CHECK(t[1].strct.fields[1].type.kind == VK_I16);
        CHECK(t[2].kind == COMP_ARRAY && t[2].final && t[2].has_super && t[2].super == 1);
        CHECK(t[2].n_supers == 1 && t[2].rec_start == 1 && t[2].array.mutable_);
        CHECK(ir_valtype_eq(t[2].array.type, ir_reftype(true, 1)));
        const ValType *p = t[3].func.params;
        CHECK(ir_valtype_eq(p[0], ir_reftype(true, HT_FUNC)));
        CHECK(ir_valtype_eq(p[1], ir_reftype(true, HT_EXTERN)));
        CHECK(ir_valtype_eq(p[2], ir_reftype(false, 0)));
        CHECK(ir_valtype_eq(p[3], ir_reftype(true, HT_ANY)));
    } else {
        CHECK(!"4 types");
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_imports(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 1, 0x01, 0x60, 0x00, 0x00);
    SEC(&b, 2, 0x05,                                         /* 5 imports */
        0x01, 'm', 0x01, 'f', 0x00, 0x00,                    /* func type 0 */
        0x01, 'm', 0x01, 't', 0x01, 0x70, 0x05, 0x01, 0x02,  /* table64 funcref 1..2 */
        0x01, 'm', 0x03, 'm', 'e', 'm', 0x02, 0x03, 0x01, 0x02, /* shared memory 1..2 */
        0x01, 'm', 0x01, 'g', 0x03, 0x7e, 0x01,              /* global (mut i64) */
        0x01, 'm', 0x03, 't', 'a', 'g', 0x04, 0x00, 0x00);   /* tag type 0 */
    SEC(&b, 3, 0x01, 0x00);
    CODE1(&b, 0x00, 0x0b);
    Module *mod = decode_ok(&b);
    if (mod) {
        CHECK(mod->n_imports == 5 && name_is(mod->imports[2].field, "mem"));
        CHECK(mod->n_funcs == 2 && mod->n_func_imports == 1);
        CHECK(mod->funcs[0].import == 0 && mod->funcs[1].import == -1);
        CHECK(mod->funcs[1].code.n_instrs == 1 && mod->funcs[1].code.instrs[0].op == OP_END);
        CHECK(mod->n_tables == 1 && mod->tables[0].import == 1);
        const Limits *tl = &mod->tables[0].type.limits;
        CHECK(tl->is64 && tl->has_max && tl->min == 1 && tl->max == 2 && !tl->shared);
        CHECK(mod->n_memories == 1 && mod->memories[0].type.shared && !mod->memories[0].type.is64);
        CHECK(mod->n_globals == 1 && mod->globals[0].type.mutable_);
        CHECK(mod->globals[0].type.type.kind == VK_I64);
        CHECK(mod->n_tags == 1 && mod->tags[0].import == 4 && mod->imports[4].index == 0);
        CHECK(mod->imports[4].kind == EXTERN_TAG);
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_fields(void) {
    ByteBuf b;
    begin(&b);
    func_header(&b);
    SEC(&b, 4, 0x02, 0x70, 0x00, 0x0a,                             /* funcref 10.. */
        0x40, 0x00, 0x64, 0x70, 0x00, 0x01, 0xd2, 0x00, 0x0b);    /* (ref func) 1.. init */
    SEC(&b, 5, 0x01, 0x04, 0x10);                                 /* i64 memory 16.. */
    SEC(&b, 13, 0x01, 0x00, 0x00);                                /* tag type 0 */
    SEC(&b, 6, 0x01, 0x7f, 0x00, 0x41, 0x2a, 0x0b);               /* global i32 42 */
    SEC(&b, 7, 0x02, 0x01, 'f', 0x00, 0x00, 0x03, 'm', 'e', 'm', 0x02, 0x00);
    SEC(&b, 8, 0x00);
    CODE1(&b, 0x00, 0x0b);
    Module *mod = decode_ok(&b);
    if (mod) {
        CHECK(mod->n_tables == 2 && !mod->tables[0].has_init && mod->tables[1].has_init);
        CHECK(mod->tables[1].init.n_instrs == 2 && mod->tables[1].init.instrs[0].op == OP_REF_FUNC);
        CHECK(ir_valtype_eq(mod->tables[1].type.elem, ir_reftype(false, HT_FUNC)));
        CHECK(mod->n_memories == 1 && mod->memories[0].type.is64);
        CHECK(mod->memories[0].type.min == 16);
        CHECK(mod->n_tags == 1 && mod->tags[0].import == -1);
        CHECK(mod->n_globals == 1 && mod->globals[0].init.instrs[0].imm.i32 == 42);
        CHECK(mod->n_exports == 2 && name_is(mod->exports[1].name, "mem"));
        CHECK(mod->exports[1].kind == EXTERN_MEMORY);
        CHECK(mod->has_start && mod->start == 0);
        static const uint8_t order[] = {1, 3, 4, 5, 13, 6, 7, 8, 10};
        CHECK(mod->n_sections == sizeof order && !memcmp(mod->section_order, order, sizeof order));
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_elems(void) {
    ByteBuf b;
    begin(&b);
    func_header(&b);
    SEC(&b, 4, 0x01, 0x70, 0x00, 0x0a);
    SEC(&b, 9, 0x08,
        0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,                         /* 0: active, funcs */
        0x01, 0x00, 0x01, 0x00,                                     /* 1: passive, funcs */
        0x02, 0x00, 0x41, 0x01, 0x0b, 0x00, 0x02, 0x00, 0x00,       /* 2: table 0, funcs */
        0x03, 0x00, 0x01, 0x00,                                     /* 3: declarative */
        0x04, 0x41, 0x02, 0x0b, 0x01, 0xd2, 0x00, 0x0b,             /* 4: active, exprs */
        0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b,                         /* 5: passive, exprs */
        0x06, 0x00, 0x41, 0x03, 0x0b, 0x70, 0x01, 0xd2, 0x00, 0x0b, /* 6: table 0, exprs */
        0x07, 0x64, 0x70, 0x01, 0xd2, 0x00, 0x0b);                  /* 7: declarative */
    CODE1(&b, 0x00, 0x0b);
    Module *mod = decode_ok(&b);
    if (mod && mod->n_elems == 8) {
        const ElemSegment *e = mod->elems;
        static const uint8_t modes[8] = {SEG_ACTIVE, SEG_PASSIVE,     SEG_ACTIVE, SEG_DECLARATIVE,
                                         SEG_ACTIVE, SEG_PASSIVE,     SEG_ACTIVE, SEG_DECLARATIVE};
        for (int i = 0; i < 8; i++) {
            CHECK(e[i].flags == i && e[i].mode == modes[i] && e[i].exprs == (i >= 4));
            CHECK(e[i].mode != SEG_ACTIVE || e[i].offset.instrs[0].op == OP_I32_CONST);
        }
        CHECK(ir_valtype_eq(e[0].type, ir_reftype(false, HT_FUNC)));
        CHECK(e[2].n_items == 2 && e[2].funcs[1] == 0 && e[2].offset.instrs[0].imm.i32 == 1);
        CHECK(ir_valtype_eq(e[4].type, ir_reftype(true, HT_FUNC)));
        const Instr *item = e[5].items[0].instrs;
        CHECK(item[0].op == OP_REF_NULL && item[0].imm.heap == HT_FUNC);
        CHECK(ir_valtype_eq(e[7].type, ir_reftype(false, HT_FUNC)));
        CHECK(e[6].offset.instrs[0].imm.i32 == 3 && e[6].items[0].n_instrs == 2);
    } else {
        CHECK(!"8 element segments");
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_datas(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 5, 0x02, 0x00, 0x01, 0x00, 0x01);
    SEC(&b, 12, 0x03);
    SEC(&b, 11, 0x03, 0x00, 0x41, 0x00, 0x0b, 0x02, 'a', 'b', /* active memory 0 */
        0x01, 0x01, 'c',                                      /* passive */
        0x02, 0x01, 0x41, 0x08, 0x0b, 0x00);                  /* active memory 1 */
    Module *mod = decode_ok(&b);
    if (mod && mod->n_datas == 3) {
        const DataSegment *d = mod->datas;
        CHECK(mod->has_data_count && mod->data_count == 3);
        CHECK(d[0].mode == SEG_ACTIVE && d[0].memory == 0);
        CHECK(d[0].len == 2 && !memcmp(d[0].bytes, "ab", 2));
        CHECK(d[1].mode == SEG_PASSIVE && d[1].len == 1 && d[1].bytes[0] == 'c');
        CHECK(d[2].mode == SEG_ACTIVE && d[2].flags == 2 && d[2].memory == 1 && d[2].len == 0);
        CHECK(d[2].offset.instrs[0].imm.i32 == 8 && d[2].offset_in_binary == 31);
    } else {
        CHECK(!"3 data segments");
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static const uint8_t body_code[] = {
    0x02, 0x02, 0x7f, 0x01, 0x7b,            /* locals: 2 i32, 1 v128 */
    0x02, 0x40,                              /* 0 block */
    0x03, 0x7f,                              /* 1 loop (result i32) */
    0x41, 0x7f,                              /* 2 i32.const -1 */
    0x0e, 0x02, 0x00, 0x01, 0x00,            /* 3 br_table 0 1 0 */
    0x0b, 0x0b,                              /* 4, 5 end end */
    0x28, 0x42, 0x01, 0x08,                  /* 6 i32.load align=4 memory 1 offset 8 */
    0x1c, 0x01, 0x7f,                        /* 7 select (result i32) */
    0x11, 0x00, 0x01,                        /* 8 call_indirect type 0 table 1 */
    0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, /* 9 v128.const */
    0xfd, 0x15, 0x03,                        /* 10 i8x16.extract_lane_s 3 */
    0xfd, 0x54, 0x00, 0x00, 0x05,            /* 11 v128.load8_lane align=1 offset 0 lane 5 */
    0x1f, 0x40, 0x02, 0x00, 0x00, 0x00, 0x02, 0x01, /* 12 try_table (catch 0 0) (catch_all 1) */
    0x0b,                                    /* 13 end */
    0xfb, 0x18, 0x03, 0x00, 0x70, 0x73,      /* 14 br_on_cast 0 funcref nullfuncref */
    0x43, 0x00, 0x00, 0x80, 0x3f,            /* 15 f32.const 1 */
    0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, /* 16 f64.const 1 */
    0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, /* 17 i64.const min */
    0x04, 0x00,                              /* 18 if (type 0) */
    0x05,                                    /* 19 else */
    0x0b,                                    /* 20 end */
    0xfc, 0x0a, 0x01, 0x00,                  /* 21 memory.copy 1 0 */
    0x0b,                                    /* 22 end */
};

static void test_code(void) {
    ByteBuf b;
    begin(&b);
    func_header(&b);
    code1(&b, body_code, sizeof body_code);
    Module *mod = decode_ok(&b);
    if (mod && mod->funcs[0].code.n_instrs == 23) {
        const Code *c = &mod->funcs[0].code;
        const Instr *in = c->instrs;
        CHECK(c->n_local_groups == 2 && c->n_locals == 3);
        CHECK(c->local_groups[1].type.kind == VK_V128);
        CHECK(c->offset == 22 && c->size == sizeof body_code);
        CHECK(in[0].op == OP_BLOCK && in[0].imm.block.type.kind == BLOCK_EMPTY);
        CHECK(in[1].imm.block.type.kind == BLOCK_VALUE);
        CHECK(in[1].imm.block.type.value.kind == VK_I32);
        CHECK(in[2].imm.i32 == -1 && in[2].offset == 31);
        CHECK(in[3].imm.br_table.n == 2 && in[3].imm.br_table.labels[1] == 1);
        CHECK(in[6].op == OP_I32_LOAD && in[6].a == 2 && in[6].imm.memarg.mem == 1);
        CHECK(in[6].imm.memarg.offset == 8);
        CHECK(in[7].op == OP_SELECT_T && in[7].imm.select.n == 1);
        CHECK(in[8].imm.pair.x == 0 && in[8].imm.pair.y == 1);
        CHECK(in[9].op == OP_V128_CONST && in[9].imm.v128[0] == 1 && in[9].imm.v128[15] == 16);
        CHECK(in[10].op == OP_I8X16_EXTRACT_LANE_S && in[10].a == 3);
        CHECK(in[11].op == OP_V128_LOAD8_LANE && in[11].a == 0 && in[11].b == 5);
        const TryTable *tt = in[12].imm.try_table;
        CHECK(tt->n_catches == 2 && tt->catches[1].kind == CATCH_ALL && tt->catches[1].label == 1);
        CHECK(in[14].op == OP_BR_ON_CAST && in[14].a == 3 && in[14].imm.cast.heap1 == HT_FUNC);
        CHECK(in[14].imm.cast.heap2 == HT_NOFUNC);
        CHECK(in[15].imm.f32 == 0x3f800000u && in[16].imm.f64 == 0x3ff0000000000000ull);
        CHECK(in[17].imm.i64 == INT64_MIN);
        CHECK(in[18].imm.block.type.kind == BLOCK_INDEX && in[18].imm.block.type.index == 0);
        CHECK(in[19].op == OP_ELSE && in[21].op == OP_MEMORY_COPY && in[21].imm.pair.x == 1);
        CHECK(in[22].op == OP_END);
    } else {
        CHECK(!"23 instructions");
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_legacy_try(void) {
    ByteBuf b;
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x06, 0x40, 0x07, 0x00, 0x19, 0x0b, /* try catch 0 catch_all end */
          0x06, 0x40, 0x18, 0x00,                       /* try delegate 0 */
          0x0b);
    Module *mod = decode_ok(&b);
    CHECK(mod && mod->funcs[0].code.n_instrs == 7);
    ir_module_delete(mod);
    buf_fini(&b);
}

static void name_section(ByteBuf *b) {
    SEC(b, 0, 0x04, 'n', 'a', 'm', 'e',
        0x00, 0x05, 0x04, 'm', 'o', 'd', 'n',       /* module name */
        0x01, 0x05, 0x01, 0x00, 0x02, 'f', '0',     /* function 0 = f0 */
        0x02, 0x06, 0x01, 0x00, 0x01, 0x01, 0x01, 'x', /* function 0, local 1 = x */
        0x42, 0x01, 0x00);                          /* unknown subsection: skipped */
}

static void test_customs_and_names(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 0, 0x01, 'a', 'p', 'q');
    func_header(&b);
    CODE1(&b, 0x00, 0x0b);
    name_section(&b);
    Module *mod = decode_ok(&b);
    if (mod) {
        CHECK(mod->n_customs == 2);
        CHECK(name_is(mod->customs[0].name, "a") && mod->customs[0].after == 0);
        CHECK(mod->customs[0].len == 2 && !memcmp(mod->customs[0].bytes, "pq", 2));
        CHECK(name_is(mod->customs[1].name, "name") && mod->customs[1].after == 10);
        const Names *n = &mod->names;
        CHECK(n->present && n->has_module_name && name_is(n->module, "modn"));
        CHECK(n->funcs.n == 1 && name_is(n->funcs.entries[0].name, "f0"));
        CHECK(n->locals.n == 1 && n->locals.maps[0].n == 1);
        CHECK(n->locals.maps[0].entries[0].index == 1);
        CHECK(name_is(n->locals.maps[0].entries[0].name, "x"));
    }
    ir_module_delete(mod);
    buf_fini(&b);
}

static void test_bad_name_section_ignored(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 0, 0x04, 'n', 'a', 'm', 'e',
        0x01, 0x05, 0x01, 0x00, 0x02, 'f', '0', /* function names */
        0x00, 0x02, 0x01, 'm');                 /* module name after them: out of order */
    Module *mod = decode_ok(&b);
    CHECK(mod && !mod->names.present && mod->n_customs == 1);
    ir_module_delete(mod);
    buf_fini(&b);
    begin(&b);
    SEC(&b, 0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x09, 0x01, 0x00, 0x02, 0xff, 0xfe); /* bad */
    mod = decode_ok(&b);
    CHECK(mod && !mod->names.present && mod->n_customs == 1);
    ir_module_delete(mod);
    buf_fini(&b);
}

/* The module must not point into the caller's buffer. */
static void test_input_copied(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 2, 0x01, 0x01, 'm', 0x01, 'g', 0x03, 0x7f, 0x00);
    SEC(&b, 11, 0x01, 0x01, 0x03, 'x', 'y', 'z');
    Module *mod = decode_ok(&b);
    memset(b.data, 0xee, b.len);
    buf_fini(&b);
    if (mod) {
        CHECK(name_is(mod->imports[0].module, "m") && name_is(mod->imports[0].field, "g"));
        CHECK(mod->datas[0].len == 3 && !memcmp(mod->datas[0].bytes, "xyz", 3));
    }
    ir_module_delete(mod);
}

/* ---- Malformed modules ------------------------------------------------------------ */

#define EOF_MSG "unexpected end of section or function"

static void test_bad_header(void) {
    ByteBuf b;
    buf_init(&b);
    expect_fail(&b, ERR_MALFORMED, 0, EOF_MSG);
    buf_init(&b);
    buf_bytes(&b, "\0as", 3);
    expect_fail(&b, ERR_MALFORMED, 3, EOF_MSG);
    buf_init(&b);
    buf_bytes(&b, "asm\0\1\0\0\0", 8);
    expect_fail(&b, ERR_MALFORMED, 0, "magic header not detected");
    buf_init(&b);
    buf_bytes(&b, "\0asm\2\0\0\0", 8);
    expect_fail(&b, ERR_MALFORMED, 4, "unknown binary version");
    buf_init(&b);
    buf_bytes(&b, "\0asm\1\0\0", 7);
    expect_fail(&b, ERR_MALFORMED, 7, EOF_MSG);
}

static void test_bad_sections(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 14, 0x00);
    expect_fail(&b, ERR_MALFORMED, 8, "malformed section id");
    begin(&b);
    SEC(&b, 2, 0x00);
    SEC(&b, 1, 0x00);
    expect_fail(&b, ERR_MALFORMED, 11, "unexpected content after last section");
    begin(&b);
    SEC(&b, 6, 0x00);
    SEC(&b, 13, 0x00); /* tags come before globals */
    expect_fail(&b, ERR_MALFORMED, 11, "unexpected content after last section");
    begin(&b);
    SEC(&b, 1, 0x01, 0x60, 0x00, 0x00, 0x00);
    expect_fail(&b, ERR_MALFORMED, 10, "section size mismatch");
    begin(&b);
    buf_bytes(&b, "\x01\x10\x01", 3);
    expect_fail(&b, ERR_MALFORMED, 9, "length out of bounds");
    begin(&b);
    SEC(&b, 1, 0x02, 0x60, 0x00, 0x00);
    expect_fail(&b, ERR_MALFORMED, 14, EOF_MSG);
    begin(&b);
    SEC(&b, 0, 0x05, 'a'); /* custom name longer than the input */
    expect_fail(&b, ERR_MALFORMED, 10, "length out of bounds");
    begin(&b);
    buf_bytes(&b, "\x00\x01\x03" "abc", 6); /* custom name longer than the section */
    expect_fail(&b, ERR_MALFORMED, 14, EOF_MSG);
}

static void test_bad_fields(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 2, 0x01, 0x00, 0x00, 0x05);
    expect_fail(&b, ERR_MALFORMED, 13, "malformed import kind");
    begin(&b);
    SEC(&b, 2, 0x01, 0x01, 0xff, 0x00, 0x00, 0x00);
    expect_fail(&b, ERR_MALFORMED, 11, "malformed UTF-8 encoding");
    begin(&b);
    SEC(&b, 5, 0x01, 0x08, 0x00);
    expect_fail(&b, ERR_MALFORMED, 11, "malformed limits flags");
    begin(&b);
    SEC(&b, 4, 0x01, 0x70, 0x02, 0x00); /* tables cannot be shared */
    expect_fail(&b, ERR_MALFORMED, 12, "malformed limits flags");
    begin(&b);
    SEC(&b, 6, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 12, "malformed mutability");
    begin(&b);
    SEC(&b, 13, 0x01, 0x01, 0x00);
    expect_fail(&b, ERR_MALFORMED, 11, "zero byte expected");
    begin(&b);
    SEC(&b, 3, 0x01, 0xff, 0xff, 0xff, 0xff, 0x7f);
    expect_fail(&b, ERR_MALFORMED, 11, "integer too large");
    begin(&b);
    SEC(&b, 3, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    expect_fail(&b, ERR_MALFORMED, 11, "integer representation too long");
    begin(&b);
    SEC(&b, 9, 0x01, 0x05, 0x7f, 0x00);
    expect_fail(&b, ERR_MALFORMED, 12, "malformed reference type");
    begin(&b);
    SEC(&b, 1, 0x01, 0x5d, 0x00);
    expect_fail(&b, ERR_MALFORMED, 11, "malformed definition type");
    begin(&b);
    SEC(&b, 11, 0x01, 0x03);
    expect_fail(&b, ERR_MALFORMED, 11, "malformed data segment kind");
}

static void test_bad_cross_section(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 1, 0x01, 0x60, 0x00, 0x00);
    SEC(&b, 3, 0x02, 0x00, 0x00);
    CODE1(&b, 0x00, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 25, "function and code section have inconsistent lengths");
    begin(&b);
    SEC(&b, 12, 0x01);
    expect_fail(&b, ERR_MALFORMED, 11, "data count and data section have inconsistent lengths");
    begin(&b);
    func_header(&b);
    SEC(&b, 5, 0x01, 0x00, 0x00);
    CODE1(&b, 0x00, 0xfc, 0x09, 0x00, 0x0b);
    SEC(&b, 11, 0x01, 0x01, 0x00);
    expect_fail(&b, ERR_MALFORMED, 37, "data count section required");
}

static void test_bad_code(void) {
    ByteBuf b;
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x00, 0xff, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 24, "illegal opcode ff");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0xfc, 0x7f, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 23, "illegal opcode fc 7f");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1a, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 26, "malformed memop flags");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7e, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 22, "too many locals");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x01, 0xff, 0xff, 0x03, 0x7f, 0x0b);
    expect_fail(&b, ERR_LIMIT, 22, "too many locals");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x05, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 23, "END opcode expected");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x02, 0x40, 0x0b); /* the block's end is not the body's */
    expect_fail(&b, ERR_MALFORMED, 26, EOF_MSG);
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x0b, 0x01); /* trailing byte inside the body */
    expect_fail(&b, ERR_MALFORMED, 22, "section size mismatch");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x07, 0x00, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 23, "misplaced CATCH opcode");
    begin(&b);
    func_header(&b);
    CODE1(&b, 0x00, 0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b, 0x0b);
    expect_fail(&b, ERR_MALFORMED, 26, "malformed catch clause");
}

/* ---- Allocation failures ------------------------------------------------------------ */

static void test_alloc_failures(void) {
    ByteBuf b;
    begin(&b);
    SEC(&b, 0, 0x01, 'a', 'p', 'q');
    func_header(&b);
    SEC(&b, 4, 0x01, 0x70, 0x00, 0x0a);
    SEC(&b, 9, 0x01, 0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b);
    code1(&b, body_code, sizeof body_code);
    name_section(&b);
    int64_t n = 0;
    for (;; n++) {
        Module *mod = NULL;
        Diag diag;
        diag_clear(&diag);
        mem_fail_after(n);
        Err err = bin_read_module(b.data, b.len, &mod, &diag);
        mem_fail_after(-1);
        if (err == OK) {
            CHECK(mod && mod->names.present);
            ir_module_delete(mod);
            break;
        }
        CHECK_EQ_U64(err, ERR_NOMEM);
        CHECK(mod == NULL);
        if (err != ERR_NOMEM || n > 1000)
            break;
    }
    CHECK(n > 3);
    buf_fini(&b);
}

TEST_MAIN("bin_reader", TEST_CASE(test_empty), TEST_CASE(test_types), TEST_CASE(test_imports),
          TEST_CASE(test_fields), TEST_CASE(test_elems), TEST_CASE(test_datas),
          TEST_CASE(test_code),
          TEST_CASE(test_legacy_try), TEST_CASE(test_customs_and_names),
          TEST_CASE(test_bad_name_section_ignored), TEST_CASE(test_input_copied),
          TEST_CASE(test_bad_header), TEST_CASE(test_bad_sections), TEST_CASE(test_bad_fields),
          TEST_CASE(test_bad_cross_section), TEST_CASE(test_bad_code),
          TEST_CASE(test_alloc_failures))
