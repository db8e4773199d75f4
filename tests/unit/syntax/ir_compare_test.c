/* ir_module_equal tests, and the writer round trip on hand-written binaries:
 * decode(bytes) -> write must give the same bytes (they are already in the
 * writer's canonical form) and decode(write(m)) must equal m. */
#include "syntax/ir_compare.h"
#include "syntax/syntax.h"
#include "test.h"

static Module *decode(const uint8_t *bytes, size_t len) {
    Module *mod = NULL;
    Diag diag;
    diag_clear(&diag);
    if (bin_read_module(bytes, len, &mod, &diag) != OK) {
        fprintf(stderr, "  decode failed: %s\n", diag.msg);
        ir_module_delete(mod);
        return NULL;
    }
    return mod;
}

/* decode -> write -> bytes equal; decode again -> IR equal. */
static bool round_trip(const uint8_t *bytes, size_t len) {
    Module *a = decode(bytes, len);
    if (!a)
        return false;
    ByteBuf out;
    buf_init(&out);
    Diag diag;
    diag_clear(&diag);
    bool ok = bin_write_module(a, &out, &diag) == OK;
    if (ok && (out.len != len || memcmp(out.data, bytes, len) != 0)) {
        fprintf(stderr, "  written bytes differ (%zu vs %zu)\n", out.len, len);
        ok = false;
    }
    Module *b = ok ? decode(out.data, out.len) : NULL;
    char why[256];
    if (b && !ir_module_equal(a, b, why, sizeof why)) {
        fprintf(stderr, "  IR differs: %s\n", why);
        ok = false;
    }
    ok = ok && b;
    ir_module_delete(a);
    ir_module_delete(b);
    buf_fini(&out);
    return ok;
}

#define HEADER 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00

static const uint8_t simple[] = {
    HEADER,
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
    0x0a, 0x0e, 0x01, 0x0c, 0x01, 0x01, 0x7e,
    0x20, 0x00, 0x20, 0x00, 0x28, 0x02, 0x04, 0x6a, 0x0b,
};

static void test_equal_to_itself(void) {
    Module *a = decode(simple, sizeof simple);
    Module *b = decode(simple, sizeof simple);
    CHECK(a && b);
    if (a && b) {
        char why[128];
        CHECK(ir_module_equal(a, b, why, sizeof why));
        CHECK_STR(why, "");
    }
    ir_module_delete(a);
    ir_module_delete(b);
}

static void test_reports_difference(void) {
    Module *a = decode(simple, sizeof simple);
    Module *b = decode(simple, sizeof simple);
    CHECK(a && b);
    if (!a || !b)
        return;
    char why[128];
    b->funcs[0].code.instrs[2].imm.memarg.offset = 8;
    CHECK(!ir_module_equal(a, b, why, sizeof why));
    CHECK_STR(why, "func 0: instr 2 (i32.load): immediate differs");
    b->funcs[0].code.instrs[2].imm.memarg.offset = 4;
    b->funcs[0].code.instrs[3].op = OP_I32_SUB;
    CHECK(!ir_module_equal(a, b, why, sizeof why));
    CHECK_STR(why, "func 0: instr 3: op differs (i32.add vs i32.sub)");
    b->funcs[0].code.instrs[3].op = OP_I32_ADD;
    b->exports[0].index = 1;
    CHECK(!ir_module_equal(a, b, NULL, 0));
    CHECK(!ir_module_equal(a, b, why, sizeof why));
    CHECK_STR(why, "export 0: differs");
    ir_module_delete(a);
    ir_module_delete(b);
}

static void test_offsets_ignored(void) {
    Module *a = decode(simple, sizeof simple);
    Module *b = decode(simple, sizeof simple);
    CHECK(a && b);
    if (!a || !b)
        return;
    b->funcs[0].code.instrs[0].offset += 3;
    b->funcs[0].code.offset += 3;
    b->funcs[0].code.max_stack = 99;
    CHECK(ir_module_equal(a, b, NULL, 0));
    ir_module_delete(a);
    ir_module_delete(b);
}

static void test_round_trip_simple(void) { CHECK(round_trip(simple, sizeof simple)); }

/* Types with rec groups and subtyping, an import of each kind, tags, a table
 * with an initializer, element segments in forms 2, 5 and 6, data count,
 * passive data and custom sections in several places (the name section last). */
static const uint8_t rich[] = {
    HEADER,
    0x00, 0x02, 0x01, 0x61,                                     /* custom "a" */
    0x01, 0x18, 0x03,
    0x60, 0x00, 0x00,                                           /* (func) */
    0x4e, 0x02, 0x50, 0x00, 0x5f, 0x01, 0x7f, 0x01,             /* rec (sub (struct (mut i32))) */
    0x4f, 0x01, 0x01, 0x5f, 0x01, 0x7f, 0x01,                   /*     (sub final 1 (struct ...)) */
    0x4e, 0x01, 0x5e, 0x78, 0x00,                               /* rec (array i8) */
    0x02, 0x1e, 0x04,
    0x01, 0x6d, 0x01, 0x66, 0x00, 0x00,                         /* func */
    0x01, 0x6d, 0x01, 0x74, 0x01, 0x70, 0x00, 0x01,             /* table funcref 1 */
    0x01, 0x6d, 0x01, 0x67, 0x03, 0x63, 0x01, 0x01,             /* global (mut (ref null 1)) */
    0x01, 0x6d, 0x01, 0x78, 0x04, 0x00, 0x00,                   /* tag */
    0x03, 0x02, 0x01, 0x00,
    0x04, 0x0a, 0x01, 0x40, 0x00, 0x64, 0x70, 0x00, 0x01,       /* table (ref func) 1 init */
    0xd2, 0x00, 0x0b,
    0x05, 0x04, 0x01, 0x05, 0x01, 0x02,                         /* memory i64 1 2 */
    0x0d, 0x03, 0x01, 0x00, 0x00,                               /* tag (type 0) */
    0x00, 0x03, 0x01, 0x62, 0x62,                               /* custom "b" after tag */
    0x09, 0x16, 0x03,
    0x02, 0x01, 0x42, 0x00, 0x0b, 0x00, 0x01, 0x01,             /* form 2: table 1 */
    0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b,                         /* form 5 */
    0x06, 0x00, 0x41, 0x00, 0x0b, 0x70, 0x00,                   /* form 6: table 0 */
    0x0c, 0x01, 0x01,                                           /* data count */
    0x0a, 0x14, 0x01, 0x12, 0x00,
    0x42, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, /* memory.init 0 */
    0x1f, 0x40, 0x01, 0x02, 0x00, 0x0b,                         /* try_table (catch_all 0) end */
    0x0b,
    0x0b, 0x03, 0x01, 0x01, 0x00,                               /* passive data "" */
    0x00, 0x08, 0x04, 0x6e, 0x61, 0x6d, 0x65,                   /* "name": */
    0x01, 0x01, 0x00,                                           /*   function names: none */
};

static void test_round_trip_rich(void) {
    CHECK(round_trip(rich, sizeof rich));
}

TEST_MAIN("ir_compare", TEST_CASE(test_equal_to_itself), TEST_CASE(test_reports_difference),
          TEST_CASE(test_offsets_ignored), TEST_CASE(test_round_trip_simple),
          TEST_CASE(test_round_trip_rich))
