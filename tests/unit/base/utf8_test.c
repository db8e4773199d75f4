/* Strict UTF-8: the forms the binary format must reject. */
#include "base/base.h"
#include "test.h"

static bool valid(const char *s, size_t len) { return utf8_valid((const uint8_t *)s, len); }

static void test_accepts_well_formed(void) {
    CHECK(valid("", 0));
    CHECK(valid("abc", 3));
    CHECK(valid("\xc2\x80", 2));
    CHECK(valid("\xef\xbf\xbf", 3));
    CHECK(valid("\xf4\x8f\xbf\xbf", 4));
}

static void test_rejects_malformed(void) {
    CHECK(!valid("\x80", 1));             /* lone continuation */
    CHECK(!valid("\xc0\x80", 2));         /* overlong NUL */
    CHECK(!valid("\xe0\x80\x80", 3));     /* overlong */
    CHECK(!valid("\xed\xa0\x80", 3));     /* surrogate */
    CHECK(!valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
    CHECK(!valid("\xf8\x88\x80\x80\x80", 5));
    CHECK(!valid("\xe2\x82", 2));         /* truncated */
    CHECK(!valid("\xc2\x41", 2));         /* bad continuation */
}

static void test_encode(void) {
    uint8_t out[4];
    CHECK(utf8_encode(0x24, out) == 1 && out[0] == 0x24);
    CHECK(utf8_encode(0x20ac, out) == 3 && out[0] == 0xe2 && out[1] == 0x82 && out[2] == 0xac);
    CHECK(utf8_encode(0x10348, out) == 4 && out[0] == 0xf0);
    CHECK(utf8_encode(0xd800, out) == 0);
    CHECK(utf8_encode(0x110000, out) == 0);
}

TEST_MAIN("utf8", TEST_CASE(test_accepts_well_formed), TEST_CASE(test_rejects_malformed),
          TEST_CASE(test_encode))
