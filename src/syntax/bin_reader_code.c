/* Binary decoding of types and expressions: value, storage, reference, heap
 * and block types, and instruction sequences (function bodies and constant
 * expressions) into flat Instr arrays. Immediates are read by one switch over
 * the instruction table's ImmKind (their most common short forms inline in the
 * loop); only block structure (which END closes the expression) is tracked
 * here, the validator does the rest. Instructions are decoded straight into
 * one growing array in the module arena per expression: no allocation per
 * instruction, no copy. */
#include "bin_reader.h"

#include <pthread.h>

/* ---- Types ------------------------------------------------------------------ */

/* Type constructors are single-byte s7 values in the reference interpreter, so
 * a set continuation bit is an overlong integer rather than an unknown type. */
Err bin_fail_type_byte(Reader *r, const uint8_t *at, const char *msg) {
    if (*at & 0x80)
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "integer representation too long");
    return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "%s", msg);
}

/* spec: Binary Format > Types > Heap Types: abstract types are one byte. */
static bool is_abstract_heap(int64_t v) { return v >= HT_EXN && v <= HT_NOEXN; }

Err bin_read_heaptype(Reader *r, int32_t *out) {
    const uint8_t *at = r->pos;
    int64_t v = 0;
    TRY(bin_read_s33(r, &v));
    if (v >= 0) {
        /* Indices past INT32_MAX cannot be valid; keep them out of range. */
        *out = v > INT32_MAX ? INT32_MAX : (int32_t)v;
        return OK;
    }
    if (is_abstract_heap(v) && r->pos == at + 1) {
        *out = (int32_t)v;
        return OK;
    }
    return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "malformed heap type");
}

Err bin_read_reftype(Reader *r, ValType *out) {
    const uint8_t *at = r->pos;
    uint8_t b = 0;
    TRY(bin_read_byte(r, &b));
    if (b == 0x63 || b == 0x64) {
        int32_t heap = 0;
        TRY(bin_read_heaptype(r, &heap));
        *out = ir_reftype(b == 0x63, heap);
        return OK;
    }
    /* Shorthands (funcref, externref, ...) are the heap type's byte: nullable. */
    if (is_abstract_heap((int64_t)b - 0x80)) {
        *out = ir_reftype(true, (int32_t)b - 0x80);
        return OK;
    }
    return bin_fail_type_byte(r, at, "malformed reference type");
}

Err bin_read_valtype(Reader *r, ValType *out) {
    if (r->pos >= r->end)
        return bin_fail_eof(r);
    uint8_t b = *r->pos;
    if (b >= VK_V128 && b <= VK_I32) {
        r->pos++;
        *out = ir_valtype((ValKind)b);
        return OK;
    }
    return bin_read_reftype(r, out);
}

Err bin_read_storagetype(Reader *r, ValType *out) {
    if (r->pos < r->end && (*r->pos == VK_I8 || *r->pos == VK_I16)) {
        *out = ir_valtype((ValKind)*r->pos++);
        return OK;
    }
    return bin_read_valtype(r, out);
}

/* spec: Binary Format > Instructions > Control: 0x40, a value type, or a
 * type index as a positive s33. */
Err bin_read_blocktype(Reader *r, BlockType *out) {
    if (r->pos >= r->end)
        return bin_fail_eof(r);
    const uint8_t *at = r->pos;
    uint8_t b = *at;
    memset(out, 0, sizeof *out);
    if (b == 0x40) {
        r->pos++;
        out->kind = BLOCK_EMPTY;
        return OK;
    }
    if ((b & 0xc0) == 0x40) {
        out->kind = BLOCK_VALUE;
        return bin_read_valtype(r, &out->value);
    }
    int64_t v = 0;
    TRY(bin_read_s33(r, &v));
    if (v < 0)
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "malformed block type");
    out->kind = BLOCK_INDEX;
    out->index = (uint32_t)v;
    return OK;
}

/* ---- Immediates ------------------------------------------------------------- */

/* spec: Binary Format > Instructions > Memory: bit 6 of the flags says a
 * memory index follows; the low six bits are the alignment exponent. */
static Err read_memarg(Reader *r, Instr *in) {
    const uint8_t *at = r->pos;
    uint32_t flags = 0;
    TRY(bin_read_u32(r, &flags));
    if (flags >= 0x80)
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "malformed memop flags");
    in->a = (uint8_t)(flags & 0x3f);
    if (flags & 0x40)
        TRY(bin_read_u32(r, &in->imm.memarg.mem));
    if (r->pos < r->end && *r->pos < 0x80) {
        in->imm.memarg.offset = *r->pos++;
        return OK;
    }
    return bin_read_u64(r, &in->imm.memarg.offset);
}

static Err read_pair(Reader *r, Instr *in) {
    TRY(bin_read_u32(r, &in->imm.pair.x));
    return bin_read_u32(r, &in->imm.pair.y);
}

static Err read_fixed(Reader *r, uint32_t n, uint8_t *out) {
    const uint8_t *p = NULL;
    TRY(bin_read_bytes(r, n, &p));
    memcpy(out, p, n);
    return OK;
}

static Err read_f32(Reader *r, Instr *in) {
    const uint8_t *p = NULL;
    TRY(bin_read_bytes(r, 4, &p));
    in->imm.f32 =
        (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return OK;
}

static Err read_f64(Reader *r, Instr *in) {
    const uint8_t *p = NULL;
    TRY(bin_read_bytes(r, 8, &p));
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    in->imm.f64 = v;
    return OK;
}

static Err read_br_table(Reader *r, Instr *in) {
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    uint32_t *labels = arena_alloc(&r->mod->arena, ((size_t)n + 1) * sizeof *labels);
    if (!labels)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i <= n; i++)
        TRY(bin_read_u32(r, &labels[i]));
    in->imm.br_table.n = n;
    in->imm.br_table.labels = labels;
    return OK;
}

static Err read_select_types(Reader *r, Instr *in) {
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    ValType *types = arena_alloc(&r->mod->arena, (size_t)n * sizeof *types);
    if (!types)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < n; i++)
        TRY(bin_read_valtype(r, &types[i]));
    in->imm.select.n = n;
    in->imm.select.types = types;
    return OK;
}

static Err read_br_on_cast(Reader *r, Instr *in) {
    const uint8_t *at = r->pos;
    TRY(bin_read_byte(r, &in->a));
    if (in->a > 3)
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "malformed br_on_cast flags");
    TRY(bin_read_u32(r, &in->imm.cast.label));
    TRY(bin_read_heaptype(r, &in->imm.cast.heap1));
    return bin_read_heaptype(r, &in->imm.cast.heap2);
}

static Err read_catch(Reader *r, Catch *c) {
    const uint8_t *at = r->pos;
    TRY(bin_read_byte(r, &c->kind));
    if (c->kind > CATCH_ALL_REF)
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "malformed catch clause");
    c->tag = 0;
    if (c->kind == CATCH_TAG || c->kind == CATCH_TAG_REF)
        TRY(bin_read_u32(r, &c->tag));
    return bin_read_u32(r, &c->label);
}

static Err read_try_table(Reader *r, Instr *in) {
    TryTable *tt = arena_calloc(&r->mod->arena, 1, sizeof *tt);
    if (!tt)
        return bin_fail_nomem(r);
    TRY(bin_read_blocktype(r, &tt->type));
    TRY(bin_read_len(r, &tt->n_catches));
    tt->catches = arena_alloc(&r->mod->arena, (size_t)tt->n_catches * sizeof *tt->catches);
    if (!tt->catches)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < tt->n_catches; i++)
        TRY(read_catch(r, &tt->catches[i]));
    in->imm.try_table = tt;
    return OK;
}

static Err read_imm(Reader *r, Instr *in, ImmKind kind) {
    switch (kind) {
    case IMM_NONE: return OK;
    case IMM_BLOCK: return bin_read_blocktype(r, &in->imm.block.type);
    case IMM_DATA:
        r->saw_data_index |= r->in_code;
        return bin_read_u32(r, &in->imm.index);
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_TYPE:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_TAG:
    case IMM_MEMORY:
    case IMM_ELEM: return bin_read_u32(r, &in->imm.index);
    case IMM_DATA_MEMORY:
    case IMM_TYPE_DATA:
        r->saw_data_index |= r->in_code;
        return read_pair(r, in);
    case IMM_CALL_INDIRECT:
    case IMM_ELEM_TABLE:
    case IMM_MEMORY_MEMORY:
    case IMM_TABLE_TABLE:
    case IMM_TYPE_FIELD:
    case IMM_TYPE_TYPE:
    case IMM_TYPE_SIZE:
    case IMM_TYPE_ELEM: return read_pair(r, in);
    case IMM_BR_TABLE: return read_br_table(r, in);
    case IMM_MEMARG: return read_memarg(r, in);
    case IMM_MEMARG_LANE:
        TRY(read_memarg(r, in));
        return bin_read_byte(r, &in->b);
    case IMM_I32: return bin_read_s32(r, &in->imm.i32);
    case IMM_I64: return bin_read_s64(r, &in->imm.i64);
    case IMM_F32: return read_f32(r, in);
    case IMM_F64: return read_f64(r, in);
    case IMM_V128:
    case IMM_SHUFFLE: return read_fixed(r, 16, in->imm.v128);
    case IMM_LANE: return bin_read_byte(r, &in->a);
    case IMM_SELECT_T: return read_select_types(r, in);
    case IMM_HEAPTYPE: return bin_read_heaptype(r, &in->imm.heap);
    case IMM_BR_ON_CAST: return read_br_on_cast(r, in);
    case IMM_TRY_TABLE: return read_try_table(r, in);
    case IMM_COUNT: break;
    }
    return FAIL(r->diag, ERR_MALFORMED, DIAG_NO_OFFSET, "unknown immediate kind");
}

/* ---- Decode tables ---------------------------------------------------------- */

/* An opcode's role in block structure; CTL_NONE for all but the delimiters. */
enum {
    CTL_NONE,
    CTL_OPEN,
    CTL_IF,
    CTL_ELSE,
    CTL_TRY,
    CTL_CATCH,
    CTL_CATCH_ALL,
    CTL_DELEGATE,
    CTL_END,
};

/* What the loop needs per opcode, in one load. */
typedef struct OpDecode {
    uint16_t op; /* OP_COUNT: a prefix byte or an illegal opcode */
    uint8_t imm; /* ImmKind */
    uint8_t ctl;
} OpDecode;

static OpDecode by_byte[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint8_t control_role(Opcode op) {
    switch (op) {
    case OP_BLOCK:
    case OP_LOOP:
    case OP_TRY_TABLE: return CTL_OPEN;
    case OP_IF: return CTL_IF;
    case OP_ELSE: return CTL_ELSE;
    case OP_TRY: return CTL_TRY;
    case OP_CATCH: return CTL_CATCH;
    case OP_CATCH_ALL: return CTL_CATCH_ALL;
    case OP_DELEGATE: return CTL_DELEGATE;
    case OP_END: return CTL_END;
    default: return CTL_NONE;
    }
}

static OpDecode decode_entry(Opcode op) {
    return (OpDecode){(uint16_t)op, op_info[op].imm, control_role(op)};
}

static void fill_tables(void) {
    for (unsigned b = 0; b < 256; b++) {
        Opcode op;
        by_byte[b] = op_from_binary(0, (uint32_t)b, &op) ? decode_entry(op)
                                                         : (OpDecode){OP_COUNT, IMM_NONE, CTL_NONE};
    }
}

/* Immediates that are one u32 index and need nothing else (IMM_DATA also
 * marks the data count section as required, so it takes the slow path). */
#define INDEX_IMMS                                                                                 \
    ((1ull << IMM_LABEL) | (1ull << IMM_FUNC) | (1ull << IMM_TYPE) | (1ull << IMM_LOCAL) |         \
     (1ull << IMM_GLOBAL) | (1ull << IMM_TABLE) | (1ull << IMM_TAG) | (1ull << IMM_MEMORY) |       \
     (1ull << IMM_ELEM))
_Static_assert(IMM_COUNT <= 64, "INDEX_IMMS is a 64-bit mask");

/* The forms most immediates take, read without a call: a one-byte index or
 * s32, a memarg of one flags byte (no memory index) and a one-byte offset, an
 * empty or single-value block type. Returns false, having consumed nothing,
 * otherwise: read_imm then reads it (and reports any error). */
static inline bool read_short_imm(Reader *r, Instr *in, uint8_t kind) {
    const uint8_t *p = r->pos;
    if (r->end - p < 2 || p[0] >= 0x80) /* the body's END follows any immediate */
        return false;
    if ((INDEX_IMMS >> kind) & 1) {
        in->imm.index = p[0];
    } else if (kind == IMM_I32) {
        in->imm.i32 = (int32_t)(p[0] ^ 0x40) - 0x40; /* sign bit is 0x40 */
    } else if (kind == IMM_MEMARG && p[0] < 0x40 && p[1] < 0x80) {
        in->a = p[0];
        in->imm.memarg.offset = p[1];
        r->pos = p + 2;
        return true;
    } else if (kind == IMM_BLOCK && p[0] >= VK_V128 && p[0] <= VK_I32) {
        in->imm.block.type.kind = BLOCK_VALUE;
        in->imm.block.type.value = ir_valtype((ValKind)p[0]);
    } else if (kind != IMM_BLOCK || p[0] != 0x40) {
        return false;
    } /* else 0x40, the empty block type: BLOCK_EMPTY, as the Instr was zeroed */
    r->pos = p + 1;
    return true;
}
_Static_assert(BLOCK_EMPTY == 0, "a zeroed Instr holds the empty block type");

/* ---- Block structure -------------------------------------------------------- */

/* What the innermost open construct accepts next. */
enum { FRAME_BLOCK, FRAME_IF, FRAME_ELSE, FRAME_TRY, FRAME_CATCH, FRAME_CATCH_ALL };

static inline Err push_frame(Reader *r, uint8_t kind) {
    if (r->frames.len == r->frames.cap && !VEC_RESERVE(&r->frames, 1))
        return bin_fail_nomem(r);
    r->frames.data[r->frames.len++] = kind;
    return OK;
}

/* Track nesting for the delimiters; sets *done at the END that closes the
 * whole expression. Misplaced delimiters get the reference interpreter's
 * messages. */
static Err track_structure(Reader *r, uint8_t ctl, const uint8_t *at, bool *done) {
    uint8_t *top = r->frames.len ? &r->frames.data[r->frames.len - 1] : NULL;
    uint32_t off = bin_offset(r, at);
    switch (ctl) {
    case CTL_OPEN: return push_frame(r, FRAME_BLOCK);
    case CTL_IF: return push_frame(r, FRAME_IF);
    case CTL_TRY: return push_frame(r, FRAME_TRY);
    case CTL_ELSE:
        if (!top || *top != FRAME_IF)
            return FAIL(r->diag, ERR_MALFORMED, off, "END opcode expected");
        *top = FRAME_ELSE;
        return OK;
    case CTL_CATCH:
    case CTL_CATCH_ALL:
        if (!top || (*top != FRAME_TRY && *top != FRAME_CATCH))
            return FAIL(r->diag, ERR_MALFORMED, off, "misplaced %s opcode",
                        ctl == CTL_CATCH ? "CATCH" : "CATCH_ALL");
        *top = ctl == CTL_CATCH ? FRAME_CATCH : FRAME_CATCH_ALL;
        return OK;
    case CTL_DELEGATE: /* closes its try like an END */
        if (!top || *top != FRAME_TRY)
            return FAIL(r->diag, ERR_MALFORMED, off, "misplaced DELEGATE opcode");
        r->frames.len--;
        return OK;
    case CTL_END:
        if (top)
            r->frames.len--;
        else
            *done = true;
        return OK;
    default: return OK;
    }
}

/* ---- Expressions ------------------------------------------------------------ */

/* A byte the single-byte table does not know: a prefix with its u32
 * sub-opcode, or an illegal opcode. */
static Err read_prefixed(Reader *r, uint8_t byte, const uint8_t *at, OpDecode *out) {
    if (!op_is_prefix(byte))
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "illegal opcode %02x", byte);
    uint32_t code = 0;
    Opcode op;
    TRY(bin_read_u32(r, &code));
    if (!op_from_binary(byte, code, &op))
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "illegal opcode %02x %02x", byte,
                    code);
    *out = decode_entry(op);
    return OK;
}

/* Decode up to and including the END closing the expression, straight into
 * the module arena: the array starts at `hint` entries, grows in place while
 * nothing was allocated after it (an immediate's array makes it move once)
 * and is trimmed to its length at the end. */
static Err read_instrs(Reader *r, size_t hint, Instr **out, uint32_t *out_n) {
    pthread_once(&tables_once, fill_tables);
    r->frames.len = 0;
    Arena *arena = &r->mod->arena;
    size_t cap = hint;
    Instr *instrs = arena_alloc(arena, cap * sizeof *instrs);
    if (!instrs)
        return bin_fail_nomem(r);
    Instr *next = instrs, *limit = instrs + cap; /* the next entry; one past the array */
    for (;;) {
        if (next == limit) {
            Instr *grown =
                arena_resize(arena, instrs, cap * sizeof *instrs, 2 * cap * sizeof *instrs);
            if (!grown)
                return bin_fail_nomem(r);
            instrs = grown;
            next = grown + cap;
            cap *= 2;
            limit = grown + cap;
        }
        const uint8_t *at = r->pos;
        if (at >= r->end)
            return bin_fail_eof(r);
        uint8_t byte = *r->pos++;
        OpDecode d = by_byte[byte];
        if (d.op == OP_COUNT)
            TRY(read_prefixed(r, byte, at, &d));
        Instr *in = next++;
        memset(in, 0, sizeof *in);
        in->op = d.op;
        in->offset = bin_offset(r, at);
        if (d.imm != IMM_NONE && !read_short_imm(r, in, d.imm))
            TRY(read_imm(r, in, (ImmKind)d.imm));
        if (d.ctl != CTL_NONE) {
            bool done = false;
            TRY(track_structure(r, d.ctl, at, &done));
            if (done) {
                size_t len = (size_t)(next - instrs);
                *out = arena_resize(arena, instrs, cap * sizeof *instrs, len * sizeof *instrs);
                *out_n = (uint32_t)len;
                return OK;
            }
        }
    }
}

Err bin_read_const_expr(Reader *r, ConstExpr *out) {
    out->offset = bin_offset(r, r->pos);
    r->in_code = false;
    return read_instrs(r, 4, &out->instrs, &out->n_instrs);
}

/* spec: Binary Format > Modules > Code Section: locals as (count, type)
 * groups whose total must stay below 2^32. */
static Err read_locals(Reader *r, Code *out) {
    const uint8_t *at = r->pos;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    LocalGroup *groups = arena_alloc(&r->mod->arena, (size_t)n * sizeof *groups);
    if (!groups)
        return bin_fail_nomem(r);
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        TRY(bin_read_u32(r, &groups[i].count));
        TRY(bin_read_valtype(r, &groups[i].type));
        total += groups[i].count;
    }
    if (total > UINT32_MAX)
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "too many locals");
    if (total > BIN_MAX_LOCALS)
        return FAIL(r->diag, ERR_LIMIT, bin_offset(r, at), "too many locals");
    out->n_local_groups = n;
    out->local_groups = groups;
    out->n_locals = total;
    return OK;
}

Err bin_read_code(Reader *r, uint32_t size, Code *out) {
    const uint8_t *start = r->pos;
    memset(out, 0, sizeof *out);
    out->offset = bin_offset(r, start);
    out->size = size;
    TRY(read_locals(r, out));
    r->in_code = true;
    /* about 0.4 instructions per byte in compiled code: half a byte's worth
     * rarely needs to grow */
    Err err = read_instrs(r, size / 2 + 4, &out->instrs, &out->n_instrs);
    r->in_code = false;
    TRY(err);
    if (r->pos != start + size)
        return FAIL(r->diag, ERR_MALFORMED, out->offset, "section size mismatch");
    return OK;
}
