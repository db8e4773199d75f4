/* Binary writer tests: hand-built modules against expected bytes written from
 * the spec's binary format (not from the writer's output), plus a decode round
 * trip when the reader is available. */
#include <stdlib.h>

#include "syntax/ir_compare.h"
#include "syntax/syntax.h"
#include "test.h"

#define HEADER 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00

static Instr ins(Opcode op) {
    Instr i;
    memset(&i, 0, sizeof i);
    i.op = (uint16_t)op;
    return i;
}

static Instr ins_index(Opcode op, uint32_t index) {
    Instr i = ins(op);
    i.imm.index = index;
    return i;
}

static Instr ins_i32(int32_t v) {
    Instr i = ins(OP_I32_CONST);
    i.imm.i32 = v;
    return i;
}

static Instr *dup_instrs(Module *mod, const Instr *src, uint32_t n) {
    return arena_memdup(&mod->arena, src, n * sizeof *src);
}

static ConstExpr const_i32(Module *mod, int32_t v) {
    Instr body[] = {ins_i32(v), ins(OP_END)};
    ConstExpr e = {2, dup_instrs(mod, body, 2), 0};
    return e;
}

/* Add a function type (params) -> (results) as its own group. */
static uint32_t add_func_type(Module *mod, const ValType *params, uint32_t np,
                              const ValType *results, uint32_t nr) {
    SubType *types = arena_calloc(&mod->arena, mod->n_types + 1, sizeof *types);
    if (mod->n_types)
        memcpy(types, mod->types, mod->n_types * sizeof *types);
    SubType *st = &types[mod->n_types];
    st->kind = COMP_FUNC;
    st->final = true;
    st->rec_start = mod->n_types;
    st->rec_size = 1;
    st->func.n_params = np;
    st->func.n_results = nr;
    st->func.params = np ? arena_memdup(&mod->arena, params, np * sizeof *params) : NULL;
    st->func.results = nr ? arena_memdup(&mod->arena, results, nr * sizeof *results) : NULL;
    mod->types = types;
    return mod->n_types++;
}

static void add_funcs(Module *mod, uint32_t n, uint32_t type) {
    mod->funcs = arena_calloc(&mod->arena, n, sizeof *mod->funcs);
    mod->n_funcs = n;
    for (uint32_t i = 0; i < n; i++) {
        mod->funcs[i].type = type;
        mod->funcs[i].import = -1;
    }
}

static void set_body(Module *mod, uint32_t f, const Instr *body, uint32_t n) {
    mod->funcs[f].code.instrs = dup_instrs(mod, body, n);
    mod->funcs[f].code.n_instrs = n;
}

static bool write_equals(const Module *mod, const uint8_t *expect, size_t len) {
    ByteBuf out;
    buf_init(&out);
    Diag diag;
    diag_clear(&diag);
    Err err = bin_write_module(mod, &out, &diag);
    bool ok = err == OK && out.len == len && memcmp(out.data, expect, len) == 0;
    if (!ok) {
        fprintf(stderr, "  got (%d, %s):", (int)err, diag.msg);
        for (size_t i = 0; i < out.len; i++)
            fprintf(stderr, " %02x", out.data[i]);
        fprintf(stderr, "\n");
    }
    buf_fini(&out);
    return ok;
}

static void test_empty(void) {
    Module *mod = ir_module_new();
    static const uint8_t expect[] = {HEADER};
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_func_export(void) {
    Module *mod = ir_module_new();
    ValType i32 = ir_valtype(VK_I32);
    add_func_type(mod, &i32, 1, &i32, 1);
    add_funcs(mod, 1, 0);
    Instr body[] = {ins_index(OP_LOCAL_GET, 0), ins_i32(128), ins(OP_I32_ADD), ins(OP_END)};
    set_body(mod, 0, body, 4);
    Export ex = {{"f", 1}, EXTERN_FUNC, 0};
    mod->exports = &ex;
    mod->n_exports = 1;
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, /* type (func (param i32) (result i32)) */
        0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
        0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,       /* export "f" (func 0) */
        0x0a, 0x0a, 0x01, 0x08, 0x00,                   /* code: 1 body, 8 bytes, no locals */
        0x20, 0x00, 0x41, 0x80, 0x01, 0x6a, 0x0b,       /* local.get 0 i32.const 128 i32.add end */
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_locals_and_blocks(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    add_funcs(mod, 1, 0);
    LocalGroup groups[] = {{2, {VK_I64, 0, 0, 0}}, {1, {VK_REF, 1, 0, HT_EXTERN}}};
    mod->funcs[0].code.local_groups = groups;
    mod->funcs[0].code.n_local_groups = 2;
    Instr body[8];
    body[0] = ins(OP_BLOCK); /* empty */
    body[1] = ins(OP_LOOP);
    body[1].imm.block.type.kind = BLOCK_VALUE;
    body[1].imm.block.type.value = ir_reftype(false, 0);
    body[2] = ins(OP_BR_TABLE);
    uint32_t labels[] = {0, 1, 2};
    body[2].imm.br_table.n = 2;
    body[2].imm.br_table.labels = labels;
    body[3] = ins(OP_END);
    body[4] = ins(OP_IF);
    body[4].imm.block.type.kind = BLOCK_INDEX;
    body[4].imm.block.type.index = 0;
    body[5] = ins(OP_END);
    body[6] = ins(OP_END);
    body[7] = ins(OP_END);
    set_body(mod, 0, body, 8);
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x00,
        0x0a, 0x17, 0x01, 0x15,
        0x02, 0x02, 0x7e, 0x01, 0x6f, /* locals: 2 i64, 1 externref */
        0x02, 0x40,                   /* block */
        0x03, 0x64, 0x00,             /* loop (result (ref 0)) */
        0x0e, 0x02, 0x00, 0x01, 0x02, /* br_table 0 1 2 */
        0x0b,
        0x04, 0x00,                   /* if (type 0) */
        0x0b, 0x0b, 0x0b,
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_memories_and_memarg(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    add_funcs(mod, 1, 0);
    Memory mems[2] = {{{1, 0, false, false, false}, -1}, {{1, 2, true, true, false}, -1}};
    mod->memories = mems;
    mod->n_memories = 2;
    Instr body[6];
    body[0] = ins_i32(0);
    body[1] = ins(OP_I32_LOAD);
    body[1].a = 2;
    body[1].imm.memarg.offset = 4;
    body[1].imm.memarg.mem = 1;
    body[2] = ins(OP_I64_LOAD8_U);
    body[2].a = 0;
    body[2].imm.memarg.offset = 0x80;
    body[3] = ins_index(OP_MEMORY_SIZE, 1);
    body[4] = ins(OP_MEMORY_COPY);
    body[4].imm.pair.x = 1;
    body[4].imm.pair.y = 0;
    body[5] = ins(OP_END);
    set_body(mod, 0, body, 6);
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x00,
        0x05, 0x06, 0x02, 0x00, 0x01, 0x05, 0x01, 0x02, /* memory 1; memory i64 1 2 */
        0x0a, 0x14, 0x01, 0x12, 0x00,
        0x41, 0x00,
        0x28, 0x42, 0x01, 0x04,       /* i32.load 1 offset=4 align=4 */
        0x31, 0x00, 0x80, 0x01,       /* i64.load8_u offset=128 align=1 */
        0x3f, 0x01,                   /* memory.size 1 */
        0xfc, 0x0a, 0x01, 0x00,       /* memory.copy 1 0 */
        0x0b,
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_rec_group(void) {
    Module *mod = ir_module_new();
    SubType types[3];
    memset(types, 0, sizeof types);
    FieldType field = {{VK_I32, 0, 0, 0}, true};
    types[0].kind = COMP_STRUCT;
    types[0].final = true;
    types[0].rec_start = 0;
    types[0].rec_size = 2;
    types[0].strct.n_fields = 1;
    types[0].strct.fields = &field;
    types[1].kind = COMP_ARRAY;
    types[1].final = false;
    types[1].rec_start = 0;
    types[1].rec_size = 2;
    types[1].array.type = ir_valtype(VK_I8);
    types[2].kind = COMP_ARRAY;
    types[2].final = true;
    types[2].has_super = true;
    types[2].n_supers = 1;
    types[2].super = 1;
    types[2].rec_start = 2;
    types[2].rec_size = 1;
    types[2].explicit_rec = true;
    types[2].array.type = ir_valtype(VK_I8);
    mod->types = types;
    mod->n_types = 3;
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x14, 0x02,
        0x4e, 0x02,                         /* rec */
        0x5f, 0x01, 0x7f, 0x01,             /*   (struct (field (mut i32))) */
        0x50, 0x00, 0x5e, 0x78, 0x00,       /*   (sub (array i8)) */
        0x4e, 0x01,                         /* rec */
        0x4f, 0x01, 0x01, 0x5e, 0x78, 0x00, /*   (sub final 1 (array i8)) */
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_imports_tables_globals(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    add_funcs(mod, 1, 0);
    mod->funcs[0].import = 0;
    mod->n_func_imports = 1;
    Import imps[2] = {{{"m", 1}, {"f", 1}, EXTERN_FUNC, 0}, {{"m", 1}, {"g", 1}, EXTERN_GLOBAL, 0}};
    mod->imports = imps;
    mod->n_imports = 2;
    Global globals[2];
    memset(globals, 0, sizeof globals);
    globals[0].type.type = ir_reftype(true, HT_ANY);
    globals[0].import = 1;
    globals[1].type.type = ir_valtype(VK_I32);
    globals[1].type.mutable_ = true;
    globals[1].import = -1;
    globals[1].init = const_i32(mod, -1);
    mod->globals = globals;
    mod->n_globals = 2;
    mod->n_global_imports = 1;
    Table tables[2];
    memset(tables, 0, sizeof tables);
    tables[0].type.elem = ir_reftype(true, HT_FUNC);
    tables[0].type.limits.min = 1;
    tables[0].import = -1;
    tables[1].type.elem = ir_reftype(false, HT_FUNC);
    tables[1].type.limits.min = 2;
    tables[1].type.limits.max = 3;
    tables[1].type.limits.has_max = true;
    tables[1].type.limits.is64 = true;
    tables[1].import = -1;
    tables[1].has_init = true;
    Instr init[] = {ins_index(OP_REF_FUNC, 0), ins(OP_END)};
    tables[1].init.instrs = init;
    tables[1].init.n_instrs = 2;
    mod->tables = tables;
    mod->n_tables = 2;
    mod->has_start = true;
    mod->start = 0;
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x02, 0x0e, 0x02,
        0x01, 0x6d, 0x01, 0x66, 0x00, 0x00,       /* "m" "f" func 0 */
        0x01, 0x6d, 0x01, 0x67, 0x03, 0x6e, 0x00, /* "m" "g" global anyref const */
        0x04, 0x0e, 0x02,
        0x70, 0x00, 0x01,                         /* funcref 1 */
        0x40, 0x00, 0x64, 0x70, 0x05, 0x02, 0x03, /* init form, (ref func) i64 2 3 */
        0xd2, 0x00, 0x0b,                         /* ref.func 0 end */
        0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x7f, 0x0b, /* global (mut i32) (i32.const -1) */
        0x08, 0x01, 0x00,                         /* start 0 */
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_elems_and_datas(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    add_funcs(mod, 1, 0);
    Instr body[] = {ins_index(OP_DATA_DROP, 1), ins(OP_END)};
    set_body(mod, 0, body, 2);
    ElemSegment elems[3];
    memset(elems, 0, sizeof elems);
    uint32_t funcs[] = {0, 0};
    elems[0].mode = SEG_ACTIVE;
    elems[0].flags = 0;
    elems[0].offset = const_i32(mod, 1);
    elems[0].type = ir_reftype(false, HT_FUNC);
    elems[0].n_items = 2;
    elems[0].funcs = funcs;
    Instr null_func[] = {ins(OP_REF_NULL), ins(OP_END)};
    null_func[0].imm.heap = HT_FUNC;
    ConstExpr items[] = {{2, null_func, 0}};
    elems[1].mode = SEG_PASSIVE;
    elems[1].flags = 5;
    elems[1].type = ir_reftype(true, HT_FUNC);
    elems[1].n_items = 1;
    elems[1].exprs = true;
    elems[1].items = items;
    elems[2].mode = SEG_DECLARATIVE;
    elems[2].flags = 3;
    elems[2].type = ir_reftype(false, HT_FUNC);
    elems[2].n_items = 1;
    elems[2].funcs = funcs;
    mod->elems = elems;
    mod->n_elems = 3;
    Memory mem = {{1, 0, false, false, false}, -1};
    mod->memories = &mem;
    mod->n_memories = 1;
    DataSegment datas[2];
    memset(datas, 0, sizeof datas);
    datas[0].mode = SEG_ACTIVE;
    datas[0].offset = const_i32(mod, 8);
    datas[0].bytes = (const uint8_t *)"hi";
    datas[0].len = 2;
    datas[1].mode = SEG_PASSIVE;
    datas[1].flags = 1;
    datas[1].bytes = (const uint8_t *)"x";
    datas[1].len = 1;
    mod->datas = datas;
    mod->n_datas = 2;
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x00,
        0x05, 0x03, 0x01, 0x00, 0x01,
        0x09, 0x12, 0x03,
        0x00, 0x41, 0x01, 0x0b, 0x02, 0x00, 0x00, /* (elem (i32.const 1) func 0 0) */
        0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b,       /* (elem funcref (ref.null func)) */
        0x03, 0x00, 0x01, 0x00,                   /* (elem declare func 0) */
        0x0c, 0x01, 0x02,                         /* data count 2 */
        0x0a, 0x07, 0x01, 0x05, 0x00, 0xfc, 0x09, 0x01, 0x0b, /* data.drop 1 */
        0x0b, 0x0b, 0x02,
        0x00, 0x41, 0x08, 0x0b, 0x02, 0x68, 0x69, /* (data (i32.const 8) "hi") */
        0x01, 0x01, 0x78,                         /* (data "x") */
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_customs_placed(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    CustomSection cs[3] = {
        {{"a", 1}, (const uint8_t *)"1", 1, 1, 0},
        {{"b", 1}, (const uint8_t *)"", 0, 0, 0},
        {{"c", 1}, (const uint8_t *)"23", 2, 11, 0},
    };
    mod->customs = cs;
    mod->n_customs = 3;
    static const uint8_t expect[] = {
        HEADER,
        0x00, 0x02, 0x01, 0x62,             /* "b" at the start */
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x00, 0x03, 0x01, 0x61, 0x31,       /* "a" after type */
        0x00, 0x04, 0x01, 0x63, 0x32, 0x33, /* "c" after data (absent) */
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

/* Branch hints become "metadata.code.branch_hint" right before the code
 * section: function indices count imports, offsets start at the body's locals
 * declaration; functions without hints are left out. */
static void test_branch_hint_section(void) {
    Module *mod = ir_module_new();
    ValType i32 = ir_valtype(VK_I32);
    uint32_t t = add_func_type(mod, &i32, 1, NULL, 0);
    add_funcs(mod, 3, t);
    mod->funcs[0].import = 0;
    mod->n_func_imports = 1;
    Import imp = {{"m", 1}, {"f", 1}, EXTERN_FUNC, 0};
    mod->imports = &imp;
    mod->n_imports = 1;
    Instr body[] = {ins_index(OP_LOCAL_GET, 0), ins_index(OP_BR_IF, 0), ins(OP_END)};
    set_body(mod, 1, body, 1);
    mod->funcs[1].code.instrs[0] = ins(OP_END);
    set_body(mod, 2, body, 3);
    LocalGroup group = {1, i32};
    mod->funcs[2].code.local_groups = &group;
    mod->funcs[2].code.n_local_groups = 1;
    BranchHint hint = {1, 1};
    mod->funcs[2].code.hints = &hint;
    mod->funcs[2].code.n_hints = 1;
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,
        0x02, 0x07, 0x01, 0x01, 'm', 0x01, 'f', 0x00, 0x00,
        0x03, 0x03, 0x02, 0x00, 0x00,
        0x00, 0x20, 0x19, 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '.', 'c', 'o', 'd', 'e', '.',
        'b', 'r', 'a', 'n', 'c', 'h', '_', 'h', 'i', 'n', 't',
        0x01, 0x02, 0x01, 0x05, 0x01, 0x01, /* func 2: br_if at body offset 5, likely */
        0x0a, 0x0d, 0x02, 0x02, 0x00, 0x0b,
        0x08, 0x01, 0x01, 0x7f, 0x20, 0x00, 0x0d, 0x00, 0x0b,
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_recorded_empty_sections(void) {
    Module *mod = ir_module_new();
    mod->section_order[0] = 1;
    mod->section_order[1] = 3;
    mod->section_order[2] = 10;
    mod->n_sections = 3;
    static const uint8_t expect[] = {HEADER, 0x01, 0x01, 0x00, 0x03, 0x01, 0x00, 0x0a, 0x01, 0x00};
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_simd_gc_eh_immediates(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    add_funcs(mod, 1, 0);
    Instr body[7];
    body[0] = ins(OP_V128_LOAD8_LANE);
    body[0].a = 0;
    body[0].b = 15;
    body[0].imm.memarg.offset = 1;
    body[1] = ins(OP_I8X16_EXTRACT_LANE_S);
    body[1].a = 3;
    body[2] = ins(OP_BR_ON_CAST);
    body[2].a = 3;
    body[2].imm.cast.label = 0;
    body[2].imm.cast.heap1 = HT_ANY;
    body[2].imm.cast.heap2 = 2;
    body[3] = ins(OP_STRUCT_GET);
    body[3].imm.pair.x = 1;
    body[3].imm.pair.y = 2;
    Catch catches[2] = {{CATCH_TAG, 0, 1}, {CATCH_ALL_REF, 0, 2}};
    TryTable tt = {{BLOCK_EMPTY, {{0, 0, 0, 0}}}, 0, 2, catches};
    body[4] = ins(OP_TRY_TABLE);
    body[4].imm.try_table = &tt;
    body[5] = ins(OP_SELECT_T);
    ValType sel = ir_valtype(VK_F64);
    body[5].imm.select.n = 1;
    body[5].imm.select.types = &sel;
    body[6] = ins(OP_END);
    set_body(mod, 0, body, 7);
    static const uint8_t expect[] = {
        HEADER,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x00,
        0x0a, 0x21, 0x01, 0x1f, 0x00,
        0xfd, 0x54, 0x00, 0x01, 0x0f,             /* v128.load8_lane offset=1 15 */
        0xfd, 0x15, 0x03,                         /* i8x16.extract_lane_s 3 */
        0xfb, 0x18, 0x03, 0x00, 0x6e, 0x02,       /* br_on_cast 0 anyref (ref null 2) */
        0xfb, 0x02, 0x01, 0x02,                   /* struct.get 1 2 */
        0x1f, 0x40, 0x02, 0x00, 0x00, 0x01, 0x03, 0x02, /* try_table (catch 0 1) (catch_all_ref 2) */
        0x1c, 0x01, 0x7c,                         /* select (result f64) */
        0x0b,
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

static void test_names_section(void) {
    Module *mod = ir_module_new();
    NameAssoc fn = {0, {"f", 1}};
    mod->names.present = true;
    mod->names.has_module_name = true;
    mod->names.module.str = "m";
    mod->names.module.len = 1;
    mod->names.funcs.n = 1;
    mod->names.funcs.entries = &fn;
    static const uint8_t expect[] = {
        HEADER,
        0x00, 0x0f, 0x04, 0x6e, 0x61, 0x6d, 0x65, /* custom "name" */
        0x00, 0x02, 0x01, 0x6d,                   /* module name "m" */
        0x01, 0x04, 0x01, 0x00, 0x01, 0x66,       /* func 0 "f" */
    };
    CHECK(write_equals(mod, expect, sizeof expect));
    ir_module_delete(mod);
}

/* Each allocation the writer makes may fail; every failure must come back as
 * ERR_NOMEM and the first run without failures must succeed. */
static void test_allocation_failures(void) {
    Module *mod = ir_module_new();
    add_func_type(mod, NULL, 0, NULL, 0);
    add_funcs(mod, 2, 0);
    Instr body[] = {ins_i32(1), ins(OP_DROP), ins(OP_END)};
    set_body(mod, 0, body, 3);
    set_body(mod, 1, body, 3);
    NameAssoc fn = {0, {"f", 1}};
    mod->names.present = true;
    mod->names.funcs.n = 1;
    mod->names.funcs.entries = &fn;
    for (int64_t n = 0; n < 1000; n++) {
        ByteBuf out;
        buf_init(&out);
        Diag diag;
        mem_fail_after(n);
        Err err = bin_write_module(mod, &out, &diag);
        mem_fail_after(-1);
        buf_fini(&out);
        if (err == OK)
            break;
        CHECK(err == ERR_NOMEM);
        if (err != ERR_NOMEM)
            break;
    }
    ir_module_delete(mod);
}

TEST_MAIN("bin_writer", TEST_CASE(test_allocation_failures), TEST_CASE(test_empty), TEST_CASE(test_func_export),
          TEST_CASE(test_locals_and_blocks), TEST_CASE(test_memories_and_memarg),
          TEST_CASE(test_rec_group), TEST_CASE(test_imports_tables_globals),
          TEST_CASE(test_elems_and_datas), TEST_CASE(test_customs_placed),
          TEST_CASE(test_recorded_empty_sections), TEST_CASE(test_simd_gc_eh_immediates),
          TEST_CASE(test_names_section), TEST_CASE(test_branch_hint_section))
