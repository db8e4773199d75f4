/* The instruction table, read from opcodes.def: the Opcode enum, the kinds of
 * immediates and the features (proposals) instructions belong to, per-opcode facts
 * in op_info, and lookups by binary encoding and by text name. All of it is
 * immutable after start-up and safe to use from any thread. */
#ifndef WASMC_SYNTAX_OP_H
#define WASMC_SYNTAX_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum Opcode {
#define OP(name, prefix, code, imm, stack, text, feat) OP_##name,
#include "opcodes.def"
#undef OP
    OP_COUNT
} Opcode;

/* What follows an opcode in the binary format. Pairs name their parts in
 * binary order (IMM_DATA_MEMORY: dataidx then memidx). */
typedef enum ImmKind {
    IMM_NONE,
    IMM_BLOCK,         /* blocktype */
    IMM_LABEL,         /* labelidx */
    IMM_BR_TABLE,      /* vec(labelidx) labelidx */
    IMM_FUNC,          /* funcidx */
    IMM_CALL_INDIRECT, /* typeidx tableidx */
    IMM_TYPE,          /* typeidx */
    IMM_LOCAL,         /* localidx */
    IMM_GLOBAL,        /* globalidx */
    IMM_TABLE,         /* tableidx */
    IMM_TAG,           /* tagidx */
    IMM_MEMARG,        /* memarg (align flags, optional memidx, offset) */
    IMM_MEMORY,        /* memidx */
    IMM_I32,           /* s32 */
    IMM_I64,           /* s64 */
    IMM_F32,           /* 4 bytes */
    IMM_F64,           /* 8 bytes */
    IMM_V128,          /* 16 bytes */
    IMM_LANE,          /* laneidx byte */
    IMM_MEMARG_LANE,   /* memarg laneidx */
    IMM_SHUFFLE,       /* 16 laneidx bytes */
    IMM_SELECT_T,      /* vec(valtype) */
    IMM_HEAPTYPE,      /* heaptype */
    IMM_DATA,          /* dataidx */
    IMM_DATA_MEMORY,   /* dataidx memidx */
    IMM_ELEM,          /* elemidx */
    IMM_ELEM_TABLE,    /* elemidx tableidx */
    IMM_MEMORY_MEMORY, /* memidx (dst) memidx (src) */
    IMM_TABLE_TABLE,   /* tableidx (dst) tableidx (src) */
    IMM_TYPE_FIELD,    /* typeidx fieldidx */
    IMM_TYPE_TYPE,     /* typeidx (dst) typeidx (src) */
    IMM_TYPE_SIZE,     /* typeidx u32 */
    IMM_TYPE_DATA,     /* typeidx dataidx */
    IMM_TYPE_ELEM,     /* typeidx elemidx */
    IMM_BR_ON_CAST,    /* castflags byte, labelidx, heaptype, heaptype */
    IMM_TRY_TABLE,     /* blocktype vec(catch) */
    IMM_COUNT
} ImmKind;

/* The proposal that introduced an instruction; FEAT_MULTI_VALUE has no opcodes
 * of its own but is a switch all the same. */
typedef enum Feature {
    FEAT_MVP,
    FEAT_SIGN_EXT,
    FEAT_SAT_CONV,
    FEAT_MULTI_VALUE,
    FEAT_BULK_MEMORY,
    FEAT_REF_TYPES,
    FEAT_SIMD,
    FEAT_RELAXED_SIMD,
    FEAT_TAIL_CALL,
    FEAT_FUNC_REFS,
    FEAT_GC,
    FEAT_EH,
    FEAT_EH_LEGACY,
    FEAT_COUNT
} Feature;

/* One row of opcodes.def. `stack` is "params:results" over i/I/f/F/v/a, or "*"
 * when a hand-written validator rule types the instruction. `imm` is an ImmKind,
 * `feature` a Feature; `prefix` is 0 for single-byte opcodes. */
typedef struct OpInfo {
    const char *text;
    const char *stack;
    uint8_t prefix;
    uint8_t imm;
    uint8_t feature;
    uint32_t code;
} OpInfo;

extern const OpInfo op_info[OP_COUNT];

/* Opcode for a binary (prefix, code): prefix 0 with the opcode byte, or a prefix
 * byte with its u32 sub-opcode. Returns false when the encoding is unknown. */
bool op_from_binary(uint8_t prefix, uint32_t code, Opcode *out);

/* First opcode whose text name is `text` (len bytes, not NUL-terminated); false
 * when unknown. Keywords shared by several encodings (select, ref.test, ref.cast)
 * give the first row; the caller picks the variant from the operands. */
bool op_from_text(const char *text, size_t len, Opcode *out);

/* The feature's command-line name ("simd", "tail-call", ...); "unknown" when
 * out of range. */
const char *feature_name(Feature f);

/* The result shape an instruction's NaN canonicalization rewrites
 * (EngineConfig.nan_canonicalization): every instruction whose result is
 * computed by floating-point arithmetic, so that a NaN result may carry a
 * payload and sign the spec leaves open (spec: Execution > Numerics > NaN
 * Propagation): add, sub, mul, div, sqrt, min, max, ceil, floor, trunc,
 * nearest, promote, demote, scalar and SIMD, and the relaxed min, max, madd
 * and nmadd. NAN_CANON_NONE for everything else: bit operations (abs, neg,
 * copysign), moves, loads, constants, reinterprets, lane access, pmin/pmax
 * (a select of an operand) and conversions from integers (never NaN). The one
 * list both tiers read. */
typedef enum NanCanon {
    NAN_CANON_NONE,
    NAN_CANON_F32,   /* canonical NaN 0x7fc00000 */
    NAN_CANON_F64,   /* 0x7ff8000000000000 */
    NAN_CANON_F32X4, /* per lane, as f32 */
    NAN_CANON_F64X2, /* per lane, as f64 */
} NanCanon;

NanCanon op_nan_canon(Opcode op);

/* True for the prefix bytes of multi-byte opcodes: 0xfb, 0xfc, 0xfd. 0xfe
 * (threads) is not supported. */
bool op_is_prefix(uint8_t byte);

#endif
