/* Checks the instruction table against the spec: unique encodings, lookups that
 * round-trip, per-proposal counts, spot-checked encodings, well-formed names
 * and stack signatures, and the NaN-canonicalizing rows (op_nan_canon).
 * Prints a FAIL line per problem; exits 1 if any. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "syntax/op.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: %s:%d: ", __FILE__, __LINE__);                                           \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static const char *const op_names[OP_COUNT] = {
#define OP(name, prefix, code, imm, stack, text, feat) [OP_##name] = #name,
#include "syntax/opcodes.def"
#undef OP
};

/* The first run of op_from_text fills its table; race several threads into it. */
static void *lookup_all(void *arg) {
    (void)arg;
    for (unsigned op = 0; op < OP_COUNT; op++) {
        Opcode found;
        const char *text = op_info[op].text;
        if (!op_from_text(text, strlen(text), &found) || strcmp(op_info[found].text, text) != 0)
            return "lookup failed";
    }
    return NULL;
}

static void check_concurrent_first_use(void) {
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&threads[i], NULL, lookup_all, NULL) == 0, "pthread_create");
    for (int i = 0; i < 4; i++) {
        void *result;
        pthread_join(threads[i], &result);
        CHECK(result == NULL, "thread %d: %s", i, (const char *)result);
    }
}

static void check_unique_encodings(void) {
    for (unsigned a = 0; a < OP_COUNT; a++)
        for (unsigned b = a + 1; b < OP_COUNT; b++)
            CHECK(op_info[a].prefix != op_info[b].prefix || op_info[a].code != op_info[b].code,
                  "%s and %s share 0x%02x %u", op_names[a], op_names[b], op_info[a].prefix,
                  op_info[a].code);
}

static void check_binary_lookup(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        Opcode found = OP_COUNT;
        bool ok = op_from_binary(op_info[op].prefix, op_info[op].code, &found);
        CHECK(ok && found == op, "op_from_binary(0x%02x, %u) for %s", op_info[op].prefix,
              op_info[op].code, op_names[op]);
    }
    static const struct {
        uint8_t prefix;
        uint32_t code;
    } unknown[] = {
        {0x00, 0x16}, {0x00, 0x1d}, {0x00, 0x27},        {0x00, 0xc5}, {0x00, 0xd7},  {0x00, 0xfb},
        {0x00, 0xfc}, {0x00, 0xfd}, {0x00, 0xfe},        {0x00, 0xff}, {0x00, 0x100}, {0xfb, 31},
        {0xfc, 18},   {0xfd, 154},  {0xfd, 162},         {0xfd, 187},  {0xfd, 0x114}, {0xfe, 0},
        {0xff, 0},    {0x01, 0x6a}, {0xfd, 0xffffffffu},
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        Opcode found;
        CHECK(!op_from_binary(unknown[i].prefix, unknown[i].code, &found),
              "0x%02x %u should be unknown", unknown[i].prefix, unknown[i].code);
    }
}

static void check_text_lookup(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        unsigned first = op;
        for (unsigned i = 0; i < op; i++)
            if (strcmp(op_info[i].text, op_info[op].text) == 0) {
                first = i;
                break;
            }
        /* Not NUL-terminated: the name is followed by more token characters. */
        char buf[64];
        size_t len = strlen(op_info[op].text);
        memcpy(buf, op_info[op].text, len);
        memcpy(buf + len, "_x.y", 5);
        Opcode found = OP_COUNT;
        bool ok = op_from_text(buf, len, &found);
        CHECK(ok && found == first, "op_from_text(\"%s\") gave %s, want %s", op_info[op].text,
              ok ? op_names[found] : "nothing", op_names[first]);
    }
    static const char *const unknown[] = {
        "",           "i32.ad",          "i32.addx",
        "I32.ADD",    "i32.atomic.load", "memory.atomic.notify",
        "i64x2.lt_u", "i16x8.popcnt",    "then",
        "catch_ref",  "v128.load8",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        Opcode found;
        CHECK(!op_from_text(unknown[i], strlen(unknown[i]), &found), "\"%s\" should be unknown",
              unknown[i]);
    }
}

static void check_feature_counts(void) {
    /* Counted from spec: Binary Format > Instructions (wasm-3.0); SIMD is every
     * 0xfd code below 0x100 that is not reserved, relaxed SIMD is 0xfd 0x100..0x113,
     * GC is 0xfb 0..30 plus ref.eq, MVP includes else and end. */
    static const unsigned want[FEAT_COUNT] = {
        [FEAT_MVP] = 172,       [FEAT_SIGN_EXT] = 5,  [FEAT_SAT_CONV] = 8, [FEAT_MULTI_VALUE] = 0,
        [FEAT_BULK_MEMORY] = 7, [FEAT_REF_TYPES] = 9, [FEAT_SIMD] = 236,   [FEAT_RELAXED_SIMD] = 20,
        [FEAT_TAIL_CALL] = 2,   [FEAT_FUNC_REFS] = 5, [FEAT_GC] = 32,      [FEAT_EH] = 3,
        [FEAT_EH_LEGACY] = 5,
    };
    unsigned got[FEAT_COUNT] = {0};
    for (unsigned op = 0; op < OP_COUNT; op++) {
        CHECK(op_info[op].feature < FEAT_COUNT, "%s: bad feature", op_names[op]);
        if (op_info[op].feature < FEAT_COUNT)
            got[op_info[op].feature]++;
    }
    for (int f = 0; f < FEAT_COUNT; f++)
        CHECK(got[f] == want[f], "%s has %u opcodes, want %u", feature_name((Feature)f), got[f],
              want[f]);
    CHECK(OP_COUNT == 504, "OP_COUNT is %d, want 504", (int)OP_COUNT);
}

/* Where each proposal's opcodes live in the encoding space. */
static void check_feature_ranges(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        const OpInfo *o = &op_info[op];
        if (o->feature == FEAT_SIMD)
            CHECK(o->prefix == 0xfd && o->code < 0x100, "%s: SIMD outside 0xfd 0..255",
                  op_names[op]);
        if (o->feature == FEAT_RELAXED_SIMD)
            CHECK(o->prefix == 0xfd && o->code >= 0x100 && o->code <= 0x113,
                  "%s: relaxed SIMD outside 0xfd 0x100..0x113", op_names[op]);
        if (o->prefix == 0xfd)
            CHECK(o->feature == FEAT_SIMD || o->feature == FEAT_RELAXED_SIMD, "%s: 0xfd not SIMD",
                  op_names[op]);
        if (o->prefix == 0xfb)
            CHECK(o->feature == FEAT_GC && o->code <= 30, "%s: 0xfb not GC 0..30", op_names[op]);
        if (o->prefix == 0xfc)
            CHECK(o->code <= 17, "%s: 0xfc past 17", op_names[op]);
        CHECK(o->prefix == 0 || op_is_prefix(o->prefix), "%s: bad prefix", op_names[op]);
    }
}

static void check_spot(Opcode op, uint8_t prefix, uint32_t code, const char *text, ImmKind imm,
                       const char *stack) {
    const OpInfo *o = &op_info[op];
    CHECK(o->prefix == prefix && o->code == code, "%s is 0x%02x %u, want 0x%02x %u", text,
          o->prefix, o->code, prefix, code);
    CHECK(strcmp(o->text, text) == 0, "%s has text \"%s\"", op_names[op], o->text);
    CHECK(o->imm == imm, "%s: immediate kind %u, want %u", text, o->imm, (unsigned)imm);
    CHECK(strcmp(o->stack, stack) == 0, "%s: stack \"%s\", want \"%s\"", text, o->stack, stack);
}

static void check_spot_encodings(void) {
    check_spot(OP_I32X4_DOT_I16X8_S, 0xfd, 186, "i32x4.dot_i16x8_s", IMM_NONE, "vv:v");
    check_spot(OP_F64X2_PROMOTE_LOW_F32X4, 0xfd, 95, "f64x2.promote_low_f32x4", IMM_NONE, "v:v");
    check_spot(OP_MEMORY_COPY, 0xfc, 10, "memory.copy", IMM_MEMORY_MEMORY, "*");
    check_spot(OP_MEMORY_INIT, 0xfc, 8, "memory.init", IMM_DATA_MEMORY, "aii:");
    check_spot(OP_MEMORY_FILL, 0xfc, 11, "memory.fill", IMM_MEMORY, "aia:");
    check_spot(OP_BR_ON_CAST_FAIL, 0xfb, 25, "br_on_cast_fail", IMM_BR_ON_CAST, "*");
    check_spot(OP_TRY_TABLE, 0x00, 0x1f, "try_table", IMM_TRY_TABLE, "*");
    check_spot(OP_THROW_REF, 0x00, 0x0a, "throw_ref", IMM_NONE, "*");
    check_spot(OP_THROW, 0x00, 0x08, "throw", IMM_TAG, "*");
    check_spot(OP_DELEGATE, 0x00, 0x18, "delegate", IMM_LABEL, "*");
    check_spot(OP_CATCH_ALL, 0x00, 0x19, "catch_all", IMM_NONE, "*");
    check_spot(OP_RETURN_CALL_INDIRECT, 0x00, 0x13, "return_call_indirect", IMM_CALL_INDIRECT, "*");
    check_spot(OP_CALL_REF, 0x00, 0x14, "call_ref", IMM_TYPE, "*");
    check_spot(OP_RETURN_CALL_REF, 0x00, 0x15, "return_call_ref", IMM_TYPE, "*");
    check_spot(OP_BR_ON_NON_NULL, 0x00, 0xd6, "br_on_non_null", IMM_LABEL, "*");
    check_spot(OP_SELECT_T, 0x00, 0x1c, "select", IMM_SELECT_T, "*");
    check_spot(OP_I32_TRUNC_SAT_F32_S, 0xfc, 0, "i32.trunc_sat_f32_s", IMM_NONE, "f:i");
    check_spot(OP_I64_TRUNC_SAT_F64_U, 0xfc, 7, "i64.trunc_sat_f64_u", IMM_NONE, "F:I");
    check_spot(OP_I64_EXTEND32_S, 0x00, 0xc4, "i64.extend32_s", IMM_NONE, "I:I");
    check_spot(OP_I64_EXTEND_I32_U, 0x00, 0xad, "i64.extend_i32_u", IMM_NONE, "i:I");
    check_spot(OP_TABLE_INIT, 0xfc, 12, "table.init", IMM_ELEM_TABLE, "*");
    check_spot(OP_TABLE_FILL, 0xfc, 17, "table.fill", IMM_TABLE, "*");
    check_spot(OP_ARRAY_NEW_FIXED, 0xfb, 8, "array.new_fixed", IMM_TYPE_SIZE, "*");
    check_spot(OP_ARRAY_INIT_ELEM, 0xfb, 19, "array.init_elem", IMM_TYPE_ELEM, "*");
    check_spot(OP_REF_TEST_NULL, 0xfb, 21, "ref.test", IMM_HEAPTYPE, "*");
    check_spot(OP_ANY_CONVERT_EXTERN, 0xfb, 26, "any.convert_extern", IMM_NONE, "*");
    check_spot(OP_I31_GET_U, 0xfb, 30, "i31.get_u", IMM_NONE, "*");
    check_spot(OP_V128_LOAD8X8_S, 0xfd, 1, "v128.load8x8_s", IMM_MEMARG, "a:v");
    check_spot(OP_V128_LOAD64_ZERO, 0xfd, 93, "v128.load64_zero", IMM_MEMARG, "a:v");
    check_spot(OP_V128_LOAD8_LANE, 0xfd, 84, "v128.load8_lane", IMM_MEMARG_LANE, "av:v");
    check_spot(OP_V128_STORE64_LANE, 0xfd, 91, "v128.store64_lane", IMM_MEMARG_LANE, "av:");
    check_spot(OP_V128_CONST, 0xfd, 12, "v128.const", IMM_V128, ":v");
    check_spot(OP_I8X16_SHUFFLE, 0xfd, 13, "i8x16.shuffle", IMM_SHUFFLE, "vv:v");
    check_spot(OP_I8X16_EXTRACT_LANE_S, 0xfd, 21, "i8x16.extract_lane_s", IMM_LANE, "v:i");
    check_spot(OP_I64X2_REPLACE_LANE, 0xfd, 30, "i64x2.replace_lane", IMM_LANE, "vI:v");
    check_spot(OP_V128_BITSELECT, 0xfd, 82, "v128.bitselect", IMM_NONE, "vvv:v");
    check_spot(OP_F64X2_NEAREST, 0xfd, 148, "f64x2.nearest", IMM_NONE, "v:v");
    check_spot(OP_I16X8_Q15MULR_SAT_S, 0xfd, 130, "i16x8.q15mulr_sat_s", IMM_NONE, "vv:v");
    check_spot(OP_I64X2_ALL_TRUE, 0xfd, 195, "i64x2.all_true", IMM_NONE, "v:i");
    check_spot(OP_I64X2_GE_S, 0xfd, 219, "i64x2.ge_s", IMM_NONE, "vv:v");
    check_spot(OP_F64X2_CONVERT_LOW_I32X4_U, 0xfd, 255, "f64x2.convert_low_i32x4_u", IMM_NONE,
               "v:v");
    check_spot(OP_I8X16_RELAXED_SWIZZLE, 0xfd, 0x100, "i8x16.relaxed_swizzle", IMM_NONE, "vv:v");
    check_spot(OP_F32X4_RELAXED_MADD, 0xfd, 0x105, "f32x4.relaxed_madd", IMM_NONE, "vvv:v");
    check_spot(OP_I16X8_RELAXED_DOT_I8X16_I7X16_S, 0xfd, 0x112, "i16x8.relaxed_dot_i8x16_i7x16_s",
               IMM_NONE, "vv:v");
    check_spot(OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, 0xfd, 0x113,
               "i32x4.relaxed_dot_i8x16_i7x16_add_s", IMM_NONE, "vvv:v");
    check_spot(OP_MEMORY_SIZE, 0x00, 0x3f, "memory.size", IMM_MEMORY, ":a");
    check_spot(OP_MEMORY_GROW, 0x00, 0x40, "memory.grow", IMM_MEMORY, "a:a");
    check_spot(OP_I64_STORE, 0x00, 0x37, "i64.store", IMM_MEMARG, "aI:");
    check_spot(OP_F64_CONST, 0x00, 0x44, "f64.const", IMM_F64, ":F");
}

static bool is_type_letter(char c) { return c && strchr("iIfFva", c) != NULL; }

/* "*" or [iIfFva]*:[iIfFva]*; an 'a' needs an immediate naming a memory. */
static void check_stack_strings(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        const OpInfo *o = &op_info[op];
        if (strcmp(o->stack, "*") == 0)
            continue;
        const char *p = o->stack;
        while (is_type_letter(*p))
            p++;
        bool ok = *p++ == ':';
        while (ok && is_type_letter(*p))
            p++;
        CHECK(ok && *p == '\0', "%s: malformed stack \"%s\"", op_names[op], o->stack);
        bool has_memory = o->imm == IMM_MEMARG || o->imm == IMM_MEMARG_LANE ||
                          o->imm == IMM_MEMORY || o->imm == IMM_DATA_MEMORY;
        CHECK((strchr(o->stack, 'a') != NULL) == has_memory,
              "%s: 'a' in \"%s\" without a memory immediate, or the reverse", op_names[op],
              o->stack);
    }
}

/* Lowercase keyword characters only, and NAME derived from the text. */
static void check_names(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        const char *text = op_info[op].text;
        char want[64];
        size_t n = strlen(text);
        bool ok = n > 0 && n < sizeof want;
        for (size_t i = 0; ok && i < n; i++) {
            char c = text[i];
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
            want[i] = isalnum((unsigned char)c) ? (char)toupper((unsigned char)c) : '_';
        }
        CHECK(ok, "%s: bad text name \"%s\"", op_names[op], text);
        if (!ok)
            continue;
        want[n] = '\0';
        if (op == OP_SELECT_T || op == OP_REF_TEST_NULL || op == OP_REF_CAST_NULL)
            strcat(want, op == OP_SELECT_T ? "_T" : "_NULL");
        CHECK(strcmp(op_names[op], want) == 0, "OP_%s should be OP_%s", op_names[op], want);
    }
}

static void check_features_and_prefixes(void) {
    static const char *const want[FEAT_COUNT] = {
        "mvp",          "sign-ext",  "sat-conv",  "multi-value", "bulk-memory", "ref-types", "simd",
        "relaxed-simd", "tail-call", "func-refs", "gc",          "eh",          "eh-legacy",
    };
    for (int f = 0; f < FEAT_COUNT; f++)
        CHECK(strcmp(feature_name((Feature)f), want[f]) == 0, "feature_name(%d) is \"%s\"", f,
              feature_name((Feature)f));
    CHECK(strcmp(feature_name(FEAT_COUNT), "unknown") == 0, "feature_name(FEAT_COUNT)");
    for (unsigned b = 0; b < 256; b++)
        CHECK(op_is_prefix((uint8_t)b) == (b == 0xfb || b == 0xfc || b == 0xfd),
              "op_is_prefix(0x%02x)", b);
}

/* op_nan_canon: each listed result's shape is the row's result type; the
 * count (11 arithmetic ops x 4 shapes, 4 promote/demote, 8 relaxed); and
 * spot checks of what is left out. */
static void check_nan_canon(void) {
    static const char *const prefix[] = {[NAN_CANON_F32] = "f32.",
                                         [NAN_CANON_F64] = "f64.",
                                         [NAN_CANON_F32X4] = "f32x4.",
                                         [NAN_CANON_F64X2] = "f64x2."};
    static const char result[] = {[NAN_CANON_F32] = 'f',
                                  [NAN_CANON_F64] = 'F',
                                  [NAN_CANON_F32X4] = 'v',
                                  [NAN_CANON_F64X2] = 'v'};
    int n = 0;
    for (unsigned op = 0; op < OP_COUNT; op++) {
        NanCanon shape = op_nan_canon((Opcode)op);
        if (shape == NAN_CANON_NONE)
            continue;
        n++;
        const char *colon = strchr(op_info[op].stack, ':');
        CHECK(colon && colon[1] == result[shape] && colon[2] == 0, "%s: stack %s", op_names[op],
              op_info[op].stack);
        CHECK(strncmp(op_info[op].text, prefix[shape], strlen(prefix[shape])) == 0, "%s: shape %d",
              op_names[op], shape);
    }
    CHECK(n == 11 * 4 + 4 + 8, "%d canonicalizing opcodes", n);
    static const Opcode kept[] = {
        OP_F32_NEG,
        OP_F64_ABS,
        OP_F32_COPYSIGN,
        OP_F32X4_PMIN,
        OP_F64X2_PMAX,
        OP_F32_CONVERT_I32_S,
        OP_F64X2_CONVERT_LOW_I32X4_U,
        OP_F32_REINTERPRET_I32,
        OP_F64_LOAD,
        OP_F32X4_SPLAT,
        OP_F32X4_EQ,
        OP_I32_TRUNC_F32_S,
        OP_V128_BITSELECT,
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        CHECK(op_nan_canon(kept[i]) == NAN_CANON_NONE, "%s canonicalizes", op_names[kept[i]]);
    CHECK(op_nan_canon(OP_F64X2_RELAXED_NMADD) == NAN_CANON_F64X2, "f64x2.relaxed_nmadd");
    CHECK(op_nan_canon(OP_F32_DEMOTE_F64) == NAN_CANON_F32, "f32.demote_f64");
    CHECK(op_nan_canon(OP_COUNT) == NAN_CANON_NONE, "op_nan_canon(OP_COUNT)");
}

typedef void (*Check)(void);

int main(void) {
    static const Check checks[] = {
        check_concurrent_first_use,  check_unique_encodings, check_binary_lookup,
        check_text_lookup,           check_feature_counts,   check_feature_ranges,
        check_spot_encodings,        check_stack_strings,    check_names,
        check_features_and_prefixes, check_nan_canon,
    };
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int before = failures;
        checks[i]();
        if (failures == before)
            passed++;
        else
            failed++;
    }
    printf("op: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
