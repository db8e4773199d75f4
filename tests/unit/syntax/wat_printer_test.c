/* WAT printer tests: hand-built modules against expected text written from the
 * spec's text format, exact float printing, and names from the name section. */
#include "syntax/syntax.h"
#include "syntax/wat_printer.h"
#include "test.h"

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

static char printed[4096];

static const char *print(const Module *mod) {
    ByteBuf out;
    buf_init(&out);
    Diag diag;
    diag_clear(&diag);
    if (wat_print_module(mod, &out, &diag) != OK) {
        snprintf(printed, sizeof printed, "error: %s", diag.msg);
    } else {
        size_t n = out.len < sizeof printed - 1 ? out.len : sizeof printed - 1;
        memcpy(printed, out.data, n);
        printed[n] = '\0';
    }
    buf_fini(&out);
    return printed;
}

static const char *f32_text(uint32_t bits) {
    static char text[64];
    ByteBuf b;
    buf_init(&b);
    wp_f32(&b, bits);
    snprintf(text, sizeof text, "%.*s", (int)b.len, (const char *)b.data);
    buf_fini(&b);
    return text;
}

static void test_empty(void) {
    Module *mod = ir_module_new();
    CHECK_STR(print(mod), "(module)\n");
    ir_module_delete(mod);
}

static void test_func_and_fields(void) {
    Module *mod = ir_module_new();
    ValType i32 = ir_valtype(VK_I32);
    SubType type;
    memset(&type, 0, sizeof type);
    type.kind = COMP_FUNC;
    type.final = true;
    type.rec_size = 1;
    type.func.n_params = 1;
    type.func.params = &i32;
    type.func.n_results = 1;
    type.func.results = &i32;
    mod->types = &type;
    mod->n_types = 1;
    Func funcs[2];
    memset(funcs, 0, sizeof funcs);
    funcs[0].import = 0;
    funcs[1].import = -1;
    LocalGroup group = {2, {VK_I64, 0, 0, 0}};
    funcs[1].code.n_local_groups = 1;
    funcs[1].code.local_groups = &group;
    Instr body[10];
    body[0] = ins(OP_BLOCK);
    body[0].imm.block.type.kind = BLOCK_VALUE;
    body[0].imm.block.type.value = i32;
    body[1] = ins_index(OP_LOCAL_GET, 0);
    body[2] = ins(OP_I32_LOAD);
    body[2].a = 2;
    body[2].imm.memarg.offset = 8;
    body[3] = ins(OP_I64_LOAD8_U);
    body[3].a = 1;
    body[4] = ins(OP_DROP);
    body[5] = ins(OP_END);
    body[6] = ins(OP_F32_CONST);
    body[6].imm.f32 = 0x3fc00000; /* 1.5 */
    body[7] = ins(OP_DROP);
    body[8] = ins(OP_V128_CONST);
    for (int i = 0; i < 16; i++)
        body[8].imm.v128[i] = (uint8_t)i;
    body[9] = ins(OP_END);
    funcs[1].code.instrs = body;
    funcs[1].code.n_instrs = 10;
    mod->funcs = funcs;
    mod->n_funcs = 2;
    mod->n_func_imports = 1;
    Import imp = {{"m", 1}, {"f\n", 2}, EXTERN_FUNC, 0};
    mod->imports = &imp;
    mod->n_imports = 1;
    Memory mem = {{1, 2, true, true, true}, -1};
    mod->memories = &mem;
    mod->n_memories = 1;
    Export ex = {{"run", 3}, EXTERN_FUNC, 1};
    mod->exports = &ex;
    mod->n_exports = 1;
    Instr off[] = {ins(OP_I32_CONST), ins(OP_END)};
    DataSegment data;
    memset(&data, 0, sizeof data);
    data.mode = SEG_ACTIVE;
    data.offset.instrs = off;
    data.offset.n_instrs = 2;
    data.bytes = (const uint8_t *)"a\"\x01";
    data.len = 3;
    mod->datas = &data;
    mod->n_datas = 1;
    CHECK_STR(print(mod), "(module\n"
                          "  (type (;0;) (func (param i32) (result i32)))\n"
                          "  (import \"m\" \"f\\0a\" (func (;0;) (type 0) (param i32) (result i32)))\n"
                          "  (func (;1;) (type 0) (param i32) (result i32)\n"
                          "    (local i64 i64)\n"
                          "    block (result i32)\n"
                          "      local.get 0\n"
                          "      i32.load offset=8\n"
                          "      i64.load8_u align=2\n"
                          "      drop\n"
                          "    end\n"
                          "    f32.const 1.5\n"
                          "    drop\n"
                          "    v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c\n"
                          "  )\n"
                          "  (memory (;0;) i64 1 2 shared)\n"
                          "  (export \"run\" (func 1))\n"
                          "  (data (;0;) (offset i32.const 0) \"a\\22\\01\")\n"
                          ")\n");
    ir_module_delete(mod);
}

static void test_rec_types_and_elems(void) {
    Module *mod = ir_module_new();
    SubType types[2];
    memset(types, 0, sizeof types);
    FieldType field = {{VK_REF, 1, 0, 1}, true};
    types[0].kind = COMP_STRUCT;
    types[0].final = false;
    types[0].rec_size = 2;
    types[0].strct.n_fields = 1;
    types[0].strct.fields = &field;
    types[1].kind = COMP_ARRAY;
    types[1].final = true;
    types[1].has_super = true;
    types[1].super = 0;
    types[1].rec_size = 2;
    types[1].array.type = ir_valtype(VK_I8);
    mod->types = types;
    mod->n_types = 2;
    Table table;
    memset(&table, 0, sizeof table);
    table.type.elem = ir_reftype(true, HT_FUNC);
    table.type.limits.min = 1;
    table.import = -1;
    mod->tables = &table;
    mod->n_tables = 1;
    ElemSegment elems[2];
    memset(elems, 0, sizeof elems);
    Instr off[] = {ins(OP_I32_CONST), ins(OP_END)};
    uint32_t funcs[] = {0, 1};
    elems[0].mode = SEG_ACTIVE;
    elems[0].offset.instrs = off;
    elems[0].offset.n_instrs = 2;
    elems[0].type = ir_reftype(false, HT_FUNC);
    elems[0].n_items = 2;
    elems[0].funcs = funcs;
    Instr null_any[] = {ins(OP_REF_NULL), ins(OP_END)};
    null_any[0].imm.heap = HT_ANY;
    ConstExpr item = {2, null_any, 0};
    elems[1].mode = SEG_DECLARATIVE;
    elems[1].flags = 7;
    elems[1].type = ir_reftype(true, HT_ANY);
    elems[1].exprs = true;
    elems[1].n_items = 1;
    elems[1].items = &item;
    mod->elems = elems;
    mod->n_elems = 2;
    CustomSection cs = {{"c", 1}, (const uint8_t *)"xy", 2, 1, 0};
    mod->customs = &cs;
    mod->n_customs = 1;
    CHECK_STR(print(mod), "(module\n"
                          "  (rec\n"
                          "    (type (;0;) (sub (struct (field (mut (ref null 1))))))\n"
                          "    (type (;1;) (sub final 0 (array i8))))\n"
                          "  (table (;0;) 1 funcref)\n"
                          "  (elem (;0;) (offset i32.const 0) func 0 1)\n"
                          "  (elem (;1;) declare anyref (item ref.null any))\n"
                          "  (@custom \"c\" (after type) \"xy\")\n"
                          ")\n");
    ir_module_delete(mod);
}

static void test_names(void) {
    Module *mod = ir_module_new();
    SubType type;
    memset(&type, 0, sizeof type);
    type.kind = COMP_FUNC;
    type.final = true;
    type.rec_size = 1;
    ValType i32 = ir_valtype(VK_I32);
    type.func.n_params = 1;
    type.func.params = &i32;
    mod->types = &type;
    mod->n_types = 1;
    Func funcs[2];
    memset(funcs, 0, sizeof funcs);
    Instr body[] = {ins_index(OP_LOCAL_GET, 0), ins_index(OP_CALL, 1), ins(OP_END)};
    for (int i = 0; i < 2; i++) {
        funcs[i].import = -1;
        funcs[i].code.instrs = body;
        funcs[i].code.n_instrs = 3;
    }
    mod->funcs = funcs;
    mod->n_funcs = 2;
    /* "bad name" is not a valid id, so function 1 keeps its number. */
    NameAssoc fnames[] = {{0, {"f", 1}}, {1, {"bad name", 8}}};
    NameAssoc lnames[] = {{0, {"x", 1}}};
    NameMap lmap = {1, lnames};
    uint32_t lfunc = 0;
    /* placed after the data section, which the module has not: printed after code */
    CustomSection cs = {{"name", 4}, (const uint8_t *)"", 0, 11, 0};
    mod->customs = &cs;
    mod->n_customs = 1;
    mod->names.present = true;
    mod->names.funcs.n = 2;
    mod->names.funcs.entries = fnames;
    mod->names.locals.n = 1;
    mod->names.locals.indices = &lfunc;
    mod->names.locals.maps = &lmap;
    CHECK_STR(print(mod), "(module\n"
                          "  (type (;0;) (func (param i32)))\n"
                          "  (func $f (type 0) (param $x i32)\n"
                          "    local.get $x\n"
                          "    call 1\n"
                          "  )\n"
                          "  (func (;1;) (type 0) (param i32)\n"
                          "    local.get 0\n"
                          "    call 1\n"
                          "  )\n"
                          "  (@custom \"name\" (after code) \"\")\n"
                          ")\n");
    ir_module_delete(mod);
}

static void test_floats(void) {
    CHECK_STR(f32_text(0x3fc00000), "1.5");
    CHECK_STR(f32_text(0x80000000), "-0");
    CHECK_STR(f32_text(0x7f800000), "inf");
    CHECK_STR(f32_text(0xff800000), "-inf");
    CHECK_STR(f32_text(0x7fc00000), "nan");
    CHECK_STR(f32_text(0xffc00000), "-nan");
    CHECK_STR(f32_text(0x7f800001), "nan:0x1");
    CHECK_STR(f32_text(0x00000001), "1e-45");
    CHECK_STR(f32_text(0x3dcccccd), "0.1");
    ByteBuf b;
    buf_init(&b);
    wp_f64(&b, 0x3fb999999999999aull);
    buf_byte(&b, ' ');
    wp_f64(&b, 0x7ff0000000000001ull);
    buf_byte(&b, ' ');
    wp_f64(&b, 0x0000000000000001ull);
    buf_byte(&b, 0);
    CHECK_STR((const char *)b.data, "0.1 nan:0x1 5e-324");
    buf_fini(&b);
}

/* Text covering each immediate kind: parse -> decode -> print -> parse must
 * give the bytes the writer gives for the decoded module. */
static const char round_trip_text[] =
    "(module\n"
    "  (type $s (sub (struct (field $f (mut i32)) (field i8))))\n"
    "  (rec (type $a (array (mut i16))) (type $t (sub final $s (struct (field (mut i32)) (field i8)))))\n"
    "  (type $v (func (param i32 i64) (result f32)))\n"
    "  (import \"env\" \"g\" (global $g (mut i64)))\n"
    "  (import \"env\" \"f\" (func $imp (type $v)))\n"
    "  (memory $m 1 2)\n"
    "  (memory $m64 i64 3)\n"
    "  (table $tab 2 funcref)\n"
    "  (table $tab2 1 (ref null func) (ref.null func))\n"
    "  (tag $e (param i32))\n"
    "  (global $h f64 (f64.const -0x1.8p-1000))\n"
    "  (func $main (export \"main\") (param $x i32) (param i64) (result f32) (local $y v128) (local f64 f64)\n"
    "    block $b (result i32)\n"
    "      local.get $x\n"
    "      br_table 0 0 0\n"
    "    end\n"
    "    if (type $v)\n"
    "      f32.const nan:0x123\n"
    "      return\n"
    "    else\n"
    "      unreachable\n"
    "    end\n"
    "    i32.const 0\n"
    "    i64.load32_u $m offset=4 align=2\n"
    "    drop\n"
    "    i64.const 0\n"
    "    v128.load8_lane $m64 offset=1 15\n"
    "    i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31\n"
    "    f32x4.extract_lane 3\n"
    "    drop\n"
    "    v128.const f32x4 1.5 -inf nan 0x1p-149\n"
    "    local.set $y\n"
    "    i32.const 1 i32.const 2 i32.const 3\n"
    "    memory.init $m 0\n"
    "    data.drop 0\n"
    "    i32.const 0 i32.const 0 i32.const 0\n"
    "    table.init $tab2 1\n"
    "    elem.drop 0\n"
    "    i64.const 0 i64.const 0 i64.const 0\n"
    "    memory.copy $m64 $m64\n"
    "    ref.null $t\n"
    "    ref.test (ref null $s)\n"
    "    drop\n"
    "    block $l (result anyref)\n"
    "      ref.null any\n"
    "      br_on_cast $l anyref (ref $s)\n"
    "      drop\n"
    "      ref.null none\n"
    "    end\n"
    "    drop\n"
    "    try_table (catch $e 0) (catch_all_ref 0)\n"
    "    end\n"
    "    i32.const 5\n"
    "    struct.new_default $t\n"
    "    struct.get $t 0\n"
    "    array.new_default $a\n"
    "    i32.const 0\n"
    "    array.get_u $a\n"
    "    i32.const 7 i32.const 8\n"
    "    array.new_fixed $a 2\n"
    "    drop drop drop\n"
    "    i32.const 0 i32.const 0 global.get $g local.get 1 call $imp\n"
    "    i32.const 0\n"
    "    select (result f32)\n"
    "    i32.const 0 i64.const 0 i32.const 1\n"
    "    call_indirect $tab (type $v)\n"
    "    drop\n"
    "  )\n"
    "  (elem $e0 (table $tab) (offset i32.const 0) func $main)\n"
    "  (elem declare func $imp)\n"
    "  (elem funcref (ref.func $main) (ref.null func))\n"
    "  (data (memory $m) (offset i32.const 8) \"\\00hi\\ff\")\n"
    "  (data \"passive\")\n"
    "  (start $imp2)\n"
    "  (func $imp2)\n"
    ")\n";

static bool parse_text(const char *text, size_t len, ByteBuf *out) {
    Diag diag;
    diag_clear(&diag);
    if (wat_parse_module(text, len, "<test>", out, &diag) == OK && !out->failed)
        return true;
    char msg[DIAG_MSG_MAX + 64];
    diag_format(&diag, msg, sizeof msg);
    fprintf(stderr, "  parse failed: %s\n", msg);
    return false;
}

static void test_print_parses_back(void) {
    ByteBuf bytes, written, text, again;
    buf_init(&bytes);
    buf_init(&written);
    buf_init(&text);
    buf_init(&again);
    Module *mod = NULL;
    Diag diag;
    diag_clear(&diag);
    CHECK(parse_text(round_trip_text, sizeof round_trip_text - 1, &bytes));
    CHECK(bin_read_module(bytes.data, bytes.len, &mod, &diag) == OK);
    if (mod) {
        CHECK(bin_write_module(mod, &written, &diag) == OK);
        CHECK(wat_print_module(mod, &text, &diag) == OK);
        CHECK(parse_text((const char *)text.data, text.len, &again));
        CHECK(again.len == written.len && memcmp(again.data, written.data, written.len) == 0);
        if (again.len != written.len || memcmp(again.data, written.data, written.len) != 0)
            fprintf(stderr, "%.*s", (int)text.len, (const char *)text.data);
    }
    ir_module_delete(mod);
    buf_fini(&bytes);
    buf_fini(&written);
    buf_fini(&text);
    buf_fini(&again);
}

/* Binary details text cannot express print so that the text reproduces
 * itself: flags 2 with table/memory 0 (the parser, like the reference
 * encoder, picks flags 0 for index 0), an alignment of 2^63, and a custom
 * section after an empty section (placed after the last section the text
 * produces). */
static void test_print_fixpoint_details(void) {
    static const uint8_t wasm[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                   /* type () -> () */
        0x03, 0x02, 0x01, 0x00,                               /* func 0 */
        0x04, 0x04, 0x01, 0x70, 0x00, 0x01,                   /* table 1 funcref */
        0x05, 0x03, 0x01, 0x00, 0x01,                         /* memory 1 */
        0x07, 0x01, 0x00,                                     /* empty export section */
        0x00, 0x04, 0x01, 'c', 'x', 'y',                      /* custom "c" */
        0x09, 0x09, 0x01, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00, /* elem flags 2 */
        0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0x29, 0x3f, 0x00, 0x1a, 0x0b, /* align 2^63 */
        0x0b, 0x08, 0x01, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x01, 'a', /* data flags 2 */
    };
    Module *mod = NULL, *again = NULL;
    Diag diag;
    ByteBuf text, bytes, text2;
    buf_init(&text);
    buf_init(&bytes);
    buf_init(&text2);
    CHECK(bin_read_module(wasm, sizeof wasm, &mod, &diag) == OK);
    if (mod && wat_print_module(mod, &text, &diag) == OK) {
        buf_byte(&text, 0);
        const char *t = (const char *)text.data;
        CHECK(strstr(t, "(table 0)") == NULL && strstr(t, "(memory 0)") == NULL);
        CHECK(strstr(t, "i64.load align=9223372036854775808") != NULL);
        CHECK(strstr(t, "(@custom \"c\" (after memory) \"xy\")") != NULL);
        CHECK(parse_text(t, text.len - 1, &bytes));
        CHECK(bin_read_module(bytes.data, bytes.len, &again, &diag) == OK);
        CHECK(again && wat_print_module(again, &text2, &diag) == OK);
        CHECK(text2.len == text.len - 1 && memcmp(text2.data, t, text2.len) == 0);
        if (text2.len != text.len - 1 || memcmp(text2.data, t, text2.len) != 0)
            fprintf(stderr, "%s---\n%.*s", t, (int)text2.len, (const char *)text2.data);
    }
    ir_module_delete(mod);
    ir_module_delete(again);
    buf_fini(&text);
    buf_fini(&bytes);
    buf_fini(&text2);
}

/* Every allocation the printer makes may fail: each failure must come back
 * as ERR_NOMEM, and the run without failures must succeed. */
static void test_allocation_failures(void) {
    ByteBuf bytes;
    buf_init(&bytes);
    Module *mod = NULL;
    Diag diag;
    CHECK(parse_text(round_trip_text, sizeof round_trip_text - 1, &bytes));
    CHECK(bin_read_module(bytes.data, bytes.len, &mod, &diag) == OK);
    for (int64_t n = 0; mod; n++) {
        ByteBuf text;
        buf_init(&text);
        mem_fail_after(n);
        Err err = wat_print_module(mod, &text, &diag);
        mem_fail_after(-1);
        buf_fini(&text);
        if (err == OK)
            break;
        CHECK(err == ERR_NOMEM);
        if (err != ERR_NOMEM || n > 10000)
            break;
    }
    ir_module_delete(mod);
    buf_fini(&bytes);
}

TEST_MAIN("wat_printer", TEST_CASE(test_print_parses_back), TEST_CASE(test_allocation_failures), TEST_CASE(test_empty), TEST_CASE(test_func_and_fields),
          TEST_CASE(test_rec_types_and_elems), TEST_CASE(test_names), TEST_CASE(test_floats),
          TEST_CASE(test_print_fixpoint_details))
