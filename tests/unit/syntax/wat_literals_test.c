/* Numeric literals of the text format: lexical classes, integer ranges and
 * extremes, float rounding straight to f32/f64 (no double rounding), inf and
 * NaN payloads. */
#include <string.h>

#include "../test.h"
#include "syntax/wat_int.h"

static NumClass cls(const char *s) {
    return wat_num_class(s, (uint32_t)strlen(s));
}

static int int_ok(const char *s, unsigned bits, uint64_t *out) {
    return wat_parse_int(s, (uint32_t)strlen(s), bits, out);
}

static uint32_t f32(const char *s, int *ok) {
    uint32_t v = 0;
    *ok = wat_parse_f32(s, (uint32_t)strlen(s), &v);
    return v;
}

static uint64_t f64(const char *s, int *ok) {
    uint64_t v = 0;
    *ok = wat_parse_f64(s, (uint32_t)strlen(s), &v);
    return v;
}

static void test_classes(void) {
    CHECK(cls("0") == NUM_NAT);
    CHECK(cls("1_000") == NUM_NAT);
    CHECK(cls("0xdead_BEEF") == NUM_NAT);
    CHECK(cls("+1") == NUM_INT);
    CHECK(cls("-0x1") == NUM_INT);
    CHECK(cls("1.5") == NUM_FLOAT);
    CHECK(cls("1.") == NUM_FLOAT);
    CHECK(cls("1e10") == NUM_FLOAT);
    CHECK(cls("-1.5E-1_0") == NUM_FLOAT);
    CHECK(cls("0x1p-3") == NUM_FLOAT);
    CHECK(cls("0x1.8") == NUM_FLOAT);
    CHECK(cls("inf") == NUM_FLOAT);
    CHECK(cls("-nan") == NUM_FLOAT);
    CHECK(cls("nan:0x7f_ffff") == NUM_FLOAT);
    CHECK(cls("1__0") == NUM_NONE);
    CHECK(cls("_1") == NUM_NONE);
    CHECK(cls("1_") == NUM_NONE);
    CHECK(cls("0x") == NUM_NONE);
    CHECK(cls("1.e") == NUM_NONE);
    CHECK(cls(".5") == NUM_NONE);
    CHECK(cls("nan:0x") == NUM_NONE);
    CHECK(cls("nan:canonical") == NUM_NONE);
    CHECK(cls("0x1.p") == NUM_NONE);
    CHECK(cls("1x") == NUM_NONE);
}

static void test_integers(void) {
    uint64_t v;
    CHECK(int_ok("4294967295", 32, &v) && v == 0xffffffffu);
    CHECK(int_ok("+4294967295", 32, &v) && v == 0xffffffffu);
    CHECK(int_ok("-2147483648", 32, &v) && v == 0x80000000u);
    CHECK(!int_ok("-2147483649", 32, &v));
    CHECK(!int_ok("4294967296", 32, &v));
    CHECK(!int_ok("0x1_0000_0000", 32, &v));
    CHECK(int_ok("-0x8000_0000_0000_0000", 64, &v) && v == UINT64_C(0x8000000000000000));
    CHECK(!int_ok("-0x8000_0000_0000_0001", 64, &v));
    CHECK(int_ok("18446744073709551615", 64, &v) && v == UINT64_MAX);
    CHECK(!int_ok("18446744073709551616", 64, &v));
    CHECK(int_ok("-1", 64, &v) && v == UINT64_MAX);
    CHECK(int_ok("-1", 8, &v) && v == 0xff);
    CHECK(int_ok("255", 8, &v) && v == 0xff);
    CHECK(!int_ok("256", 8, &v));
    CHECK(!int_ok("-129", 8, &v));
    CHECK(!int_ok("1.0", 32, &v));
    CHECK(wat_parse_nat("0x1_0", 5, &v) && v == 16);
    CHECK(!wat_parse_nat("-1", 2, &v));
}

static void test_f32(void) {
    int ok;
    CHECK_EQ_U64(f32("0x1p-149", &ok), 1);
    CHECK(ok);
    CHECK_EQ_U64(f32("0x1.fffffep127", &ok), 0x7f7fffff);
    CHECK(ok);
    f32("0x1.ffffffp127", &ok);
    CHECK(!ok);
    f32("1e39", &ok);
    CHECK(!ok);
    f32("340282356779733661637539395458142568448", &ok); /* halfway to 2^128 */
    CHECK(!ok);
    CHECK_EQ_U64(f32("340282356779733661637539395458142568447", &ok), 0x7f7fffff);
    CHECK(ok);
    /* exactly half an ulp above 1: ties to even; a hair more: rounds up. A
       detour through double would lose the hair. */
    CHECK_EQ_U64(f32("0x1.000001p0", &ok), 0x3f800000);
    CHECK_EQ_U64(f32("0x1.00000100000000000001p0", &ok), 0x3f800001);
    CHECK_EQ_U64(f32("1.000000059604644775390625", &ok), 0x3f800000);
    CHECK_EQ_U64(f32("1.00000005960464477539062500000001", &ok), 0x3f800001);
    CHECK_EQ_U64(f32("1_000.5", &ok), 0x447a2000);
    CHECK_EQ_U64(f32("-0", &ok), 0x80000000);
    CHECK_EQ_U64(f32("inf", &ok), 0x7f800000);
    CHECK_EQ_U64(f32("-inf", &ok), 0xff800000);
    CHECK_EQ_U64(f32("nan", &ok), 0x7fc00000);
    CHECK_EQ_U64(f32("-nan", &ok), 0xffc00000);
    CHECK_EQ_U64(f32("nan:0x200000", &ok), 0x7fa00000);
    CHECK_EQ_U64(f32("+nan:0x7f_ffff", &ok), 0x7fffffff);
    f32("nan:0x0", &ok);
    CHECK(!ok);
    f32("nan:0x80_0000", &ok);
    CHECK(!ok);
}

static void test_f64(void) {
    int ok;
    CHECK_EQ_U64(f64("0x1.fffffffffffffp1023", &ok), UINT64_C(0x7fefffffffffffff));
    CHECK(ok);
    f64("0x1.fffffffffffff8p1023", &ok);
    CHECK(!ok);
    f64("1e309", &ok);
    CHECK(!ok);
    CHECK_EQ_U64(f64("4.9e-324", &ok), 1);
    CHECK_EQ_U64(f64("0x1p-1074", &ok), 1);
    CHECK_EQ_U64(f64("nan", &ok), UINT64_C(0x7ff8000000000000));
    CHECK_EQ_U64(f64("-nan:0xf_ffff_ffff_ffff", &ok), UINT64_C(0xffffffffffffffff));
    CHECK(ok);
    f64("nan:0x10000000000000", &ok);
    CHECK(!ok);
    CHECK_EQ_U64(f64("1", &ok), UINT64_C(0x3ff0000000000000));
    CHECK_EQ_U64(f64("0x1.8p1", &ok), UINT64_C(0x4008000000000000));
}

TEST_MAIN("wat_literals", TEST_CASE(test_classes), TEST_CASE(test_integers), TEST_CASE(test_f32),
          TEST_CASE(test_f64))
