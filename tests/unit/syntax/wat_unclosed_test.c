/* Regressions: text whose parentheses are not closed is malformed, never a
 * module (found by reading the API tests' notes and by fuzzing). */
#include "syntax/syntax.h"
#include "test.h"

static Err parse(const char *text, Diag *diag) {
    ByteBuf out;
    buf_init(&out);
    Err err = wat_parse_module(text, strlen(text), "t.wat", &out, diag);
    buf_fini(&out);
    return err;
}

static void test_unclosed_module(void) {
    Diag diag;
    CHECK(parse("(module (func)", &diag) == ERR_MALFORMED);
    CHECK_STR(diag.msg, "unexpected end of input");
    CHECK(diag.line == 1 && diag.column == 15);
    CHECK(parse("(module (func (i32.const 1)", &diag) == ERR_MALFORMED);
    CHECK(parse("(module", &diag) == ERR_MALFORMED);
}

static void test_unclosed_field(void) {
    Diag diag;
    CHECK(parse("(func", &diag) == ERR_MALFORMED);
    CHECK(parse("(module (func", &diag) == ERR_MALFORMED);
    CHECK(parse("(func (export \"f", &diag) == ERR_MALFORMED);
}

static void test_closed_is_fine(void) {
    Diag diag;
    CHECK(parse("(module (func))", &diag) == OK);
    CHECK(parse("(func)", &diag) == OK);
    CHECK(parse("(module) (func)", &diag) == ERR_MALFORMED);
}

TEST_MAIN("wat_unclosed", TEST_CASE(test_unclosed_module), TEST_CASE(test_unclosed_field),
          TEST_CASE(test_closed_is_fine))
