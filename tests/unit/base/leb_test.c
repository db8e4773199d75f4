/* LEB128 reading limits and writing, against hand-encoded bytes from the spec's rules. */
#include "base/base.h"
#include "test.h"

static LebStatus read_u(const uint8_t *bytes, size_t len, unsigned bits, uint64_t *out) {
    size_t used;
    return leb_read_unsigned(bytes, bytes + len, bits, out, &used);
}

static LebStatus read_s(const uint8_t *bytes, size_t len, unsigned bits, int64_t *out) {
    size_t used;
    return leb_read_signed(bytes, bytes + len, bits, out, &used);
}

static void test_unsigned_limits(void) {
    uint64_t v;
    const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    CHECK(read_u(max32, 5, 32, &v) == LEB_OK);
    CHECK_EQ_U64(v, 0xffffffffu);
    const uint8_t big32[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    CHECK(read_u(big32, 5, 32, &v) == LEB_TOO_LARGE);
    const uint8_t long32[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    CHECK(read_u(long32, 6, 32, &v) == LEB_TOO_LONG);
    const uint8_t padded_zero[] = {0x80, 0x80, 0x80, 0x80, 0x00};
    CHECK(read_u(padded_zero, 5, 32, &v) == LEB_OK);
    CHECK_EQ_U64(v, 0);
    const uint8_t cut[] = {0x80, 0x80};
    CHECK(read_u(cut, 2, 32, &v) == LEB_EOF);
    const uint8_t max64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(read_u(max64, 10, 64, &v) == LEB_OK);
    CHECK_EQ_U64(v, UINT64_MAX);
    const uint8_t big64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    CHECK(read_u(big64, 10, 64, &v) == LEB_TOO_LARGE);
    const uint8_t one_bit[] = {0x02};
    CHECK(read_u(one_bit, 1, 1, &v) == LEB_TOO_LARGE);
}

static void test_signed_limits(void) {
    int64_t v;
    const uint8_t minus_one[] = {0x7f};
    CHECK(read_s(minus_one, 1, 32, &v) == LEB_OK);
    CHECK(v == -1);
    const uint8_t min32[] = {0x80, 0x80, 0x80, 0x80, 0x78};
    CHECK(read_s(min32, 5, 32, &v) == LEB_OK);
    CHECK(v == INT32_MIN);
    const uint8_t bad_sign32[] = {0x80, 0x80, 0x80, 0x80, 0x70};
    CHECK(read_s(bad_sign32, 5, 32, &v) == LEB_TOO_LARGE);
    const uint8_t bad_pos32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    CHECK(read_s(bad_pos32, 5, 32, &v) == LEB_TOO_LARGE);
    const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x07};
    CHECK(read_s(max32, 5, 32, &v) == LEB_OK);
    CHECK(v == INT32_MAX);
    const uint8_t s33_neg[] = {0x40};
    CHECK(read_s(s33_neg, 1, 33, &v) == LEB_OK);
    CHECK(v == -64);
    const uint8_t min64[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
    CHECK(read_s(min64, 10, 64, &v) == LEB_OK);
    CHECK(v == INT64_MIN);
    const uint8_t bad64[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    CHECK(read_s(bad64, 10, 64, &v) == LEB_TOO_LARGE);
}

static void test_write_round_trip(void) {
    const int64_t values[] = {0, 1, -1, 63, 64, -64, -65, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        ByteBuf b;
        buf_init(&b);
        leb_write_s64(&b, values[i]);
        int64_t got;
        size_t used;
        CHECK(leb_read_signed(b.data, b.data + b.len, 64, &got, &used) == LEB_OK);
        CHECK(got == values[i]);
        CHECK(used == b.len);
        buf_fini(&b);
    }
    ByteBuf b;
    buf_init(&b);
    leb_write_u64(&b, 624485);
    CHECK(b.len == 3 && b.data[0] == 0xe5 && b.data[1] == 0x8e && b.data[2] == 0x26);
    buf_fini(&b);
    uint8_t padded[5];
    leb_write_u32_padded(padded, 3);
    uint64_t v;
    CHECK(read_u(padded, 5, 32, &v) == LEB_OK && v == 3);
}

TEST_MAIN("leb", TEST_CASE(test_unsigned_limits), TEST_CASE(test_signed_limits),
          TEST_CASE(test_write_round_trip))
