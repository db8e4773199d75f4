/* The binary reader's LEB128 readers (bin_read_u32/u64/s32/s33/s64, which
 * decode common numbers with leb.h's leb_read_fast) against leb.c on
 * every one- and two-byte input, the limit cases and random longer inputs:
 * same value, same length, or the same error at the same offset. */
#include <stdlib.h>

#include "syntax/bin_reader.h"
#include "test.h"

typedef enum Form { U32, U64, S32, S33, S64 } Form;

static const unsigned form_bits[] = {32, 64, 32, 33, 64};

/* What leb.c says about bytes[0..len) read at `at`: the reader's outcome as
 * the value, the bytes consumed, or the error's offset and message. */
typedef struct Outcome {
    Err err;
    uint64_t value;
    size_t used;
    uint64_t offset;
    char msg[DIAG_MSG_MAX];
} Outcome;

static Outcome expected(Form form, const uint8_t *bytes, size_t len, size_t at) {
    Outcome o = {0};
    size_t n = 0;
    LebStatus st;
    if (form == U32 || form == U64) {
        st = leb_read_unsigned(bytes + at, bytes + len, form_bits[form], &o.value, &n);
    } else {
        int64_t v = 0;
        st = leb_read_signed(bytes + at, bytes + len, form_bits[form], &v, &n);
        o.value = (uint64_t)v;
    }
    if (st == LEB_OK) {
        if (form == U32 || form == S32)
            o.value = (uint32_t)o.value;
        o.used = n;
        return o;
    }
    o.err = ERR_MALFORMED;
    o.offset = st == LEB_EOF ? len : at;
    snprintf(o.msg, sizeof o.msg, "%s", st == LEB_EOF ? BIN_MSG_EOF : leb_status_message(st));
    return o;
}

static Outcome actual(Form form, const uint8_t *bytes, size_t len, size_t at) {
    Outcome o = {0};
    Diag diag;
    diag_clear(&diag);
    Reader r;
    bin_reader_init(&r, bytes, len, NULL, &diag);
    r.pos = bytes + at;
    switch (form) {
    case U32: {
        uint32_t v = 0;
        o.err = bin_read_u32(&r, &v);
        o.value = v;
        break;
    }
    case U64: o.err = bin_read_u64(&r, &o.value); break;
    case S32: {
        int32_t v = 0;
        o.err = bin_read_s32(&r, &v);
        o.value = (uint32_t)v;
        break;
    }
    case S33:
    case S64: {
        int64_t v = 0;
        o.err = form == S33 ? bin_read_s33(&r, &v) : bin_read_s64(&r, &v);
        o.value = (uint64_t)v;
        break;
    }
    }
    bin_reader_fini(&r);
    if (o.err == OK) {
        o.used = (size_t)(r.pos - (bytes + at));
        return o;
    }
    o.value = 0;
    o.offset = diag.offset;
    snprintf(o.msg, sizeof o.msg, "%s", diag.msg);
    return o;
}

static int mismatches;

static void compare(Form form, const uint8_t *bytes, size_t len, size_t at) {
    Outcome want = expected(form, bytes, len, at), got = actual(form, bytes, len, at);
    bool same = want.err == got.err && want.value == got.value && want.used == got.used &&
                want.offset == got.offset && strcmp(want.msg, got.msg) == 0;
    if (!same && mismatches++ < 10) {
        fprintf(stderr, "  form %d, %zu bytes from %zu:", (int)form, len - at, at);
        for (size_t i = at; i < len; i++)
            fprintf(stderr, " %02x", bytes[i]);
        fprintf(stderr, "\n    want err %d value 0x%llx used %zu at %llu \"%s\"\n", want.err,
                (unsigned long long)want.value, want.used, (unsigned long long)want.offset,
                want.msg);
        fprintf(stderr, "    got  err %d value 0x%llx used %zu at %llu \"%s\"\n", got.err,
                (unsigned long long)got.value, got.used, (unsigned long long)got.offset, got.msg);
    }
    CHECK(same);
}

static void compare_all_forms(const uint8_t *bytes, size_t len, size_t at) {
    for (int f = U32; f <= S64; f++)
        compare((Form)f, bytes, len, at);
}

/* Every one- and two-byte input, alone, cut short, and followed by more. */
static void test_short_inputs(void) {
    uint8_t buf[4];
    for (unsigned a = 0; a < 256; a++) {
        buf[0] = (uint8_t)a;
        compare_all_forms(buf, 1, 0);
        for (unsigned b = 0; b < 256; b++) {
            buf[1] = (uint8_t)b;
            buf[2] = 0x01;
            buf[3] = 0x80;
            compare_all_forms(buf, 2, 0);
            compare_all_forms(buf, 4, 0);
        }
    }
}

/* Numbers in their widest form, with every last byte: in range, too large,
 * too long; and the same bytes one short of the end of the input. */
static void test_widest_forms(void) {
    uint8_t buf[12];
    for (size_t width = 3; width <= 10; width++) {
        for (unsigned last = 0; last < 256; last++) {
            for (unsigned fill = 0; fill < 3; fill++) {
                uint8_t f = fill == 0 ? 0x80 : fill == 1 ? 0xff : 0xc5;
                for (size_t i = 0; i + 1 < width; i++)
                    buf[i] = f;
                buf[width - 1] = (uint8_t)last;
                buf[width] = 0x0b;
                compare_all_forms(buf, width, 0);
                compare_all_forms(buf, width + 1, 0);
                compare_all_forms(buf, width - 1, 0);
            }
        }
    }
}

/* Random inputs biased towards continuation bits and limit values, read from
 * an offset inside the input. */
static void test_random_inputs(void) {
    static const uint8_t picks[] = {0x00, 0x01, 0x07, 0x08, 0x0f, 0x10, 0x1f, 0x3f,
                                    0x40, 0x70, 0x78, 0x7f, 0x80, 0x81, 0xbf, 0xff};
    uint8_t buf[16];
    uint64_t state = 0x2545f4914f6cdd1dull;
    for (int round = 0; round < 200000; round++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        size_t len = 1 + state % 14, at = (state >> 8) % len;
        uint64_t bits = state >> 16;
        for (size_t i = 0; i < len; i++, bits = bits * 6364136223846793005ull + 1)
            buf[i] = (bits >> 60) & 1 ? (uint8_t)(bits >> 33) : picks[(bits >> 40) & 15];
        compare_all_forms(buf, len, at);
    }
}

TEST_MAIN("bin_leb", TEST_CASE(test_short_inputs), TEST_CASE(test_widest_forms),
          TEST_CASE(test_random_inputs))
