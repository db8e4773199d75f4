/* Binary reader internals shared by bin_reader.c (sections), bin_reader_code.c
 * (types, instructions, expressions) and bin_reader_names.c (the name section).
 * A Reader is a cursor over the module's private copy of the input. Reads are
 * bounded by the end of the whole input, not of the current section or body,
 * as in the reference interpreter: sizes are checked after the fact, which is
 * what makes the suite's messages ("length out of bounds", "section size
 * mismatch", "END opcode expected") come out the same. */
#ifndef WASMC_SYNTAX_BIN_READER_H
#define WASMC_SYNTAX_BIN_READER_H

#include <string.h>

#include "../base/base.h"
#include "syntax.h"

/* Every end-of-input error uses the long form: the suite expects either it or
 * "unexpected end", and the runner matches expected messages as prefixes. */
#define BIN_MSG_EOF "unexpected end of section or function"

/* Declared locals per function beyond which we refuse a module (ERR_LIMIT), as
 * web engines do; 2^32 or more is malformed by the spec. */
#define BIN_MAX_LOCALS 50000u

/* Invariant: start <= pos <= end; byte offsets in errors and the IR are pos - start. */
typedef struct Reader {
    const uint8_t *start;
    const uint8_t *pos;
    const uint8_t *end;
    Module *mod;    /* arrays and immediates go to mod->arena */
    Diag *diag;
    /* Scratch reused across expressions (mem_*, freed by bin_reader_fini). */
    VEC(uint8_t) frames;
    bool in_code;        /* decoding a code-section body (not a constant expression) */
    bool saw_data_index; /* a code body used a data index (needs the data count section) */
} Reader;

void bin_reader_init(Reader *r, const uint8_t *bytes, size_t len, Module *mod, Diag *diag);
void bin_reader_fini(Reader *r);

static inline uint32_t bin_offset(const Reader *r, const uint8_t *p) {
    return (uint32_t)(p - r->start);
}

/* Failures. bin_fail_eof reports at the end of the input; bin_fail_leb maps a
 * LebStatus (not LEB_OK) read at `at` to the spec's message. */
Err bin_fail_eof(Reader *r) WARN_UNUSED;
Err bin_fail_leb(Reader *r, LebStatus status, const uint8_t *at) WARN_UNUSED;
Err bin_fail_nomem(Reader *r) WARN_UNUSED;
/* An unknown type-constructor byte at `at`: `msg`, or "integer representation
 * too long" when the byte has its continuation bit set. */
Err bin_fail_type_byte(Reader *r, const uint8_t *at, const char *msg) WARN_UNUSED;

/* Slow paths of the inline readers below. */
Err bin_read_u32_slow(Reader *r, uint32_t *out) WARN_UNUSED;
Err bin_read_u64(Reader *r, uint64_t *out) WARN_UNUSED;
Err bin_read_s32(Reader *r, int32_t *out) WARN_UNUSED;
Err bin_read_s64(Reader *r, int64_t *out) WARN_UNUSED;
Err bin_read_s33(Reader *r, int64_t *out) WARN_UNUSED;

static inline Err bin_read_byte(Reader *r, uint8_t *out) {
    if (r->pos >= r->end)
        return bin_fail_eof(r);
    *out = *r->pos++;
    return OK;
}

/* The single-byte LEB128 case inline; everything else in bin_read_u32_slow. */
static inline Err bin_read_u32(Reader *r, uint32_t *out) {
    if (r->pos < r->end && *r->pos < 0x80) {
        *out = *r->pos++;
        return OK;
    }
    return bin_read_u32_slow(r, out);
}

/* A u32 length or count that must not exceed the bytes left, counted from the
 * start of the length itself ("length out of bounds"), as the reference
 * interpreter does. Vector counts go through here too, which bounds every
 * allocation by the input size. */
Err bin_read_len(Reader *r, uint32_t *out) WARN_UNUSED;

/* `n` raw bytes; *out points into the input copy. */
Err bin_read_bytes(Reader *r, uint32_t n, const uint8_t **out) WARN_UNUSED;

/* A length-prefixed UTF-8 name ("malformed UTF-8 encoding"). */
Err bin_read_name(Reader *r, Name *out) WARN_UNUSED;

/* ---- bin_reader_code.c ---- */

/* Value, storage (i8/i16 allowed), reference and heap types, block types. */
Err bin_read_valtype(Reader *r, ValType *out) WARN_UNUSED;
Err bin_read_storagetype(Reader *r, ValType *out) WARN_UNUSED;
Err bin_read_reftype(Reader *r, ValType *out) WARN_UNUSED;
Err bin_read_heaptype(Reader *r, int32_t *out) WARN_UNUSED;
Err bin_read_blocktype(Reader *r, BlockType *out) WARN_UNUSED;

/* An expression up to and including the END that closes it, copied to the
 * module arena. Constant expressions are decoded with the full instruction
 * set; the validator checks constness. */
Err bin_read_const_expr(Reader *r, ConstExpr *out) WARN_UNUSED;

/* One code-section entry after its size field: locals and body, which must
 * end exactly `size` bytes after the current position. */
Err bin_read_code(Reader *r, uint32_t size, Code *out) WARN_UNUSED;

/* ---- bin_reader_names.c ---- */

/* Parse a "name" custom section payload into r->mod->names. A malformed name
 * section is ignored (names cleared, OK returned); only ERR_NOMEM fails. */
Err bin_read_name_section(Reader *r, const uint8_t *payload, uint32_t len) WARN_UNUSED;

#endif
