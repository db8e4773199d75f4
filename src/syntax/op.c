/* Lookups over opcodes.def. op_info and the binary map are built by the compiler;
 * the text map is a hash table filled once under pthread_once. Nothing is written
 * after that, so every lookup is lock-free and safe from any thread. */
#include "op.h"

#include <pthread.h>
#include <string.h>

const OpInfo op_info[OP_COUNT] = {
#define OP(name, prefix, code, imm, stack, text, feat)                                             \
    [OP_##name] = {text, stack, prefix, imm, feat, code},
#include "opcodes.def"
#undef OP
};

_Static_assert(OP_COUNT < UINT16_MAX, "opcodes are stored as uint16_t + 1");
_Static_assert(IMM_COUNT <= 256 && FEAT_COUNT <= 256, "OpInfo stores these in a byte");

/* One array maps every encoding: the 256 single-byte opcodes, then one block of
 * sub-opcodes per prefix. Entries are Opcode + 1; 0 is an unknown encoding. */
enum {
    FB_BASE = 256,
    FB_SIZE = 32,
    FC_BASE = FB_BASE + FB_SIZE,
    FC_SIZE = 32,
    FD_BASE = FC_BASE + FC_SIZE,
    FD_SIZE = 0x114,
    BINARY_SLOTS = FD_BASE + FD_SIZE,
};

#define PREFIX_BASE(prefix)                                                                        \
    ((prefix) == 0xfb ? FB_BASE : (prefix) == 0xfc ? FC_BASE : (prefix) == 0xfd ? FD_BASE : 0)
#define PREFIX_SIZE(prefix)                                                                        \
    ((prefix) == 0xfb ? FB_SIZE : (prefix) == 0xfc ? FC_SIZE : (prefix) == 0xfd ? FD_SIZE : 256)

/* A code past its block would alias another encoding's slot. */
#define OP(name, prefix, code, imm, stack, text, feat)                                             \
    _Static_assert((prefix) == 0 || (prefix) == 0xfb || (prefix) == 0xfc || (prefix) == 0xfd,      \
                   "opcodes.def: " #name " has an unknown prefix");                                \
    _Static_assert((code) < PREFIX_SIZE(prefix), "opcodes.def: " #name " code out of range");
#include "opcodes.def"
#undef OP

static const uint16_t by_binary[BINARY_SLOTS] = {
#define OP(name, prefix, code, imm, stack, text, feat)                                             \
    [PREFIX_BASE(prefix) + (code)] = OP_##name + 1,
#include "opcodes.def"
#undef OP
};

bool op_from_binary(uint8_t prefix, uint32_t code, Opcode *out) {
    if (prefix != 0 && !op_is_prefix(prefix))
        return false;
    if (code >= (uint32_t)PREFIX_SIZE(prefix))
        return false;
    uint16_t entry = by_binary[PREFIX_BASE(prefix) + code];
    if (entry == 0)
        return false;
    *out = (Opcode)(entry - 1);
    return true;
}

/* Text names: open addressing with linear probing, kept under half full. */
enum { TEXT_SLOTS = 1024 };
_Static_assert(OP_COUNT <= TEXT_SLOTS / 2, "grow TEXT_SLOTS");

static const uint8_t text_len[OP_COUNT] = {
#define OP(name, prefix, code, imm, stack, text, feat) [OP_##name] = sizeof(text) - 1,
#include "opcodes.def"
#undef OP
};

static uint16_t by_text[TEXT_SLOTS]; /* Opcode + 1; 0 = empty. Written only by fill_by_text. */
static pthread_once_t by_text_once = PTHREAD_ONCE_INIT;

static uint32_t hash_text(const char *text, size_t len) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)text[i]) * 16777619u;
    return h;
}

static bool text_is(Opcode op, const char *text, size_t len) {
    return text_len[op] == len && memcmp(op_info[op].text, text, len) == 0;
}

/* The slot holding `text`, or the empty slot where it would go. */
static uint32_t text_slot(const char *text, size_t len) {
    uint32_t i = hash_text(text, len) & (TEXT_SLOTS - 1);
    while (by_text[i] != 0 && !text_is((Opcode)(by_text[i] - 1), text, len))
        i = (i + 1) & (TEXT_SLOTS - 1);
    return i;
}

static void fill_by_text(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        uint32_t i = text_slot(op_info[op].text, text_len[op]);
        if (by_text[i] == 0) /* a later row with the same name stays unreachable */
            by_text[i] = (uint16_t)(op + 1);
    }
}

bool op_from_text(const char *text, size_t len, Opcode *out) {
    pthread_once(&by_text_once, fill_by_text);
    uint16_t entry = by_text[text_slot(text, len)];
    if (entry == 0)
        return false;
    *out = (Opcode)(entry - 1);
    return true;
}

const char *feature_name(Feature f) {
    static const char *const names[FEAT_COUNT] = {
        [FEAT_MVP] = "mvp",
        [FEAT_SIGN_EXT] = "sign-ext",
        [FEAT_SAT_CONV] = "sat-conv",
        [FEAT_MULTI_VALUE] = "multi-value",
        [FEAT_BULK_MEMORY] = "bulk-memory",
        [FEAT_REF_TYPES] = "ref-types",
        [FEAT_SIMD] = "simd",
        [FEAT_RELAXED_SIMD] = "relaxed-simd",
        [FEAT_TAIL_CALL] = "tail-call",
        [FEAT_FUNC_REFS] = "func-refs",
        [FEAT_GC] = "gc",
        [FEAT_EH] = "eh",
        [FEAT_EH_LEGACY] = "eh-legacy",
    };
    if ((unsigned)f >= FEAT_COUNT)
        return "unknown";
    return names[f];
}

/* Which results NaN canonicalization rewrites (op.h): the arithmetic rows, by
 * result shape. wasmtime's nan_canonicalization covers the same instructions. */
static const uint8_t nan_canon[OP_COUNT] = {
#define ROWS(name)                                                                                 \
    [OP_F32_##name] = NAN_CANON_F32, [OP_F32X4_##name] = NAN_CANON_F32X4,                          \
    [OP_F64_##name] = NAN_CANON_F64, [OP_F64X2_##name] = NAN_CANON_F64X2
    ROWS(ADD),
    ROWS(SUB),
    ROWS(MUL),
    ROWS(DIV),
    ROWS(MIN),
    ROWS(MAX),
    ROWS(SQRT),
    ROWS(CEIL),
    ROWS(FLOOR),
    ROWS(TRUNC),
    ROWS(NEAREST),
#undef ROWS
    [OP_F32_DEMOTE_F64] = NAN_CANON_F32,
    [OP_F64_PROMOTE_F32] = NAN_CANON_F64,
    [OP_F32X4_DEMOTE_F64X2_ZERO] = NAN_CANON_F32X4,
    [OP_F64X2_PROMOTE_LOW_F32X4] = NAN_CANON_F64X2,
    [OP_F32X4_RELAXED_MIN] = NAN_CANON_F32X4,
    [OP_F32X4_RELAXED_MAX] = NAN_CANON_F32X4,
    [OP_F32X4_RELAXED_MADD] = NAN_CANON_F32X4,
    [OP_F32X4_RELAXED_NMADD] = NAN_CANON_F32X4,
    [OP_F64X2_RELAXED_MIN] = NAN_CANON_F64X2,
    [OP_F64X2_RELAXED_MAX] = NAN_CANON_F64X2,
    [OP_F64X2_RELAXED_MADD] = NAN_CANON_F64X2,
    [OP_F64X2_RELAXED_NMADD] = NAN_CANON_F64X2,
};

NanCanon op_nan_canon(Opcode op) {
    return (unsigned)op < OP_COUNT ? (NanCanon)nan_canon[op] : NAN_CANON_NONE;
}

bool op_is_prefix(uint8_t byte) { return byte == 0xfb || byte == 0xfc || byte == 0xfd; }
