/* WAT printer: instructions and numbers. Immediates are printed by ImmKind from
 * opcodes.def; floats are printed exactly (shortest decimal that reads back to
 * the same bits, else nan:0x payloads and inf), so printed text parses back
 * to the same binary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wat_printer.h"

/* ---- Floats ---------------------------------------------------------------------- */

void wp_f32(ByteBuf *b, uint32_t bits) {
    const char *sign = (bits >> 31) ? "-" : "";
    uint32_t exp = (bits >> 23) & 0xff, mant = bits & 0x7fffff;
    if (exp == 0xff) {
        if (mant == 0)
            buf_printf(b, "%sinf", sign);
        else if (mant == 0x400000)
            buf_printf(b, "%snan", sign);
        else
            buf_printf(b, "%snan:0x%x", sign, (unsigned)mant);
        return;
    }
    float f;
    memcpy(&f, &bits, 4);
    char text[48];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(text, sizeof text, "%.*g", prec, (double)f);
        float back = strtof(text, NULL);
        uint32_t back_bits;
        memcpy(&back_bits, &back, 4);
        if (back_bits == bits)
            break;
    }
    buf_str(b, text);
}

void wp_f64(ByteBuf *b, uint64_t bits) {
    const char *sign = (bits >> 63) ? "-" : "";
    uint64_t exp = (bits >> 52) & 0x7ff, mant = bits & 0xfffffffffffffull;
    if (exp == 0x7ff) {
        if (mant == 0)
            buf_printf(b, "%sinf", sign);
        else if (mant == 0x8000000000000ull)
            buf_printf(b, "%snan", sign);
        else
            buf_printf(b, "%snan:0x%llx", sign, (unsigned long long)mant);
        return;
    }
    double d;
    memcpy(&d, &bits, 8);
    char text[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*g", prec, d);
        double back = strtod(text, NULL);
        uint64_t back_bits;
        memcpy(&back_bits, &back, 8);
        if (back_bits == bits)
            break;
    }
    buf_str(b, text);
}

/* ---- Immediates -------------------------------------------------------------------- */

/* The natural alignment (log2 bytes) of a memory instruction, from its name:
 * "i64.load32_u" -> 4 bytes, "v128.load8x8_s" -> 8, "f64.store" -> 8. */
static unsigned natural_align(const char *text) {
    const char *op = strchr(text, '.');
    unsigned type_bytes = strncmp(text, "v128", 4) == 0 ? 16 : strstr(text, "64") == text + 1 ? 8 : 4;
    op = op ? op + 1 : text;
    while (*op && (*op < '0' || *op > '9'))
        op++;
    unsigned bytes = type_bytes;
    if (*op) {
        unsigned bits = (unsigned)strtoul(op, (char **)&op, 10);
        bytes = *op == 'x' ? 8 : bits / 8;
    }
    unsigned log = 0;
    while ((1u << log) < bytes)
        log++;
    return log;
}

static void put_memarg(Printer *p, const Instr *ins) {
    if (ins->imm.memarg.mem != 0) {
        buf_byte(p->out, ' ');
        wp_index(p, PS_MEMORY, ins->imm.memarg.mem);
    }
    if (ins->imm.memarg.offset != 0)
        buf_printf(p->out, " offset=%llu", (unsigned long long)ins->imm.memarg.offset);
    /* The binary exponent is below 64 and the text alignment is a u64, so
     * every decoded alignment has a text form. */
    if (ins->a != natural_align(op_info[ins->op].text)) {
        if (ins->a < 64)
            buf_printf(p->out, " align=%llu", 1ull << ins->a);
        else
            buf_printf(p->out, " (;align=2**%u;)", ins->a);
    }
}

static void put_blocktype(Printer *p, const BlockType *bt) {
    if (bt->kind == BLOCK_VALUE) {
        buf_str(p->out, " (result ");
        wp_valtype(p, bt->value);
        buf_byte(p->out, ')');
    } else if (bt->kind == BLOCK_INDEX) {
        buf_str(p->out, " (type ");
        wp_index(p, PS_TYPE, bt->index);
        buf_byte(p->out, ')');
    }
}

static void put_try_table(Printer *p, const TryTable *tt) {
    static const char *const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
    put_blocktype(p, &tt->type);
    for (uint32_t i = 0; i < tt->n_catches; i++) {
        const Catch *c = &tt->catches[i];
        buf_printf(p->out, " (%s ", c->kind < 4 ? kinds[c->kind] : "catch");
        if (c->kind == CATCH_TAG || c->kind == CATCH_TAG_REF) {
            wp_index(p, PS_TAG, c->tag);
            buf_byte(p->out, ' ');
        }
        buf_printf(p->out, "%u)", c->label);
    }
}

static void put_v128(Printer *p, const uint8_t *bytes) {
    buf_str(p->out, " i32x4");
    for (int i = 0; i < 4; i++) {
        uint32_t w = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                     (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
        buf_printf(p->out, " 0x%08x", w);
    }
}

static void put_space_index(Printer *p, PrintSpace space, uint32_t index) {
    buf_byte(p->out, ' ');
    wp_index(p, space, index);
}

static void put_cast_type(Printer *p, bool nullable, int32_t heap) {
    buf_byte(p->out, ' ');
    wp_reftype(p, nullable, heap);
}

/* Instructions whose only immediate is one index. */
static void put_index_imm(Printer *p, const Instr *ins, ImmKind kind) {
    switch (kind) {
    case IMM_LABEL: buf_printf(p->out, " %u", ins->imm.index); break;
    case IMM_FUNC: put_space_index(p, PS_FUNC, ins->imm.index); break;
    case IMM_TYPE: put_space_index(p, PS_TYPE, ins->imm.index); break;
    case IMM_LOCAL: put_space_index(p, PS_LOCAL, ins->imm.index); break;
    case IMM_GLOBAL: put_space_index(p, PS_GLOBAL, ins->imm.index); break;
    case IMM_TABLE: put_space_index(p, PS_TABLE, ins->imm.index); break;
    case IMM_TAG: put_space_index(p, PS_TAG, ins->imm.index); break;
    case IMM_DATA: put_space_index(p, PS_DATA, ins->imm.index); break;
    case IMM_ELEM: put_space_index(p, PS_ELEM, ins->imm.index); break;
    case IMM_MEMORY:
        if (ins->imm.index != 0)
            put_space_index(p, PS_MEMORY, ins->imm.index);
        break;
    default: break;
    }
}

/* Instructions with two indices; the text order may differ from the binary's. */
static void put_pair_imm(Printer *p, const Instr *ins, ImmKind kind) {
    uint32_t x = ins->imm.pair.x, y = ins->imm.pair.y;
    switch (kind) {
    case IMM_CALL_INDIRECT:
        put_space_index(p, PS_TABLE, y);
        buf_str(p->out, " (type ");
        wp_index(p, PS_TYPE, x);
        buf_byte(p->out, ')');
        break;
    case IMM_DATA_MEMORY:
        put_space_index(p, PS_MEMORY, y);
        put_space_index(p, PS_DATA, x);
        break;
    case IMM_ELEM_TABLE:
        put_space_index(p, PS_TABLE, y);
        put_space_index(p, PS_ELEM, x);
        break;
    case IMM_MEMORY_MEMORY:
        put_space_index(p, PS_MEMORY, x);
        put_space_index(p, PS_MEMORY, y);
        break;
    case IMM_TABLE_TABLE:
        put_space_index(p, PS_TABLE, x);
        put_space_index(p, PS_TABLE, y);
        break;
    case IMM_TYPE_FIELD:
    case IMM_TYPE_SIZE:
        put_space_index(p, PS_TYPE, x);
        buf_printf(p->out, " %u", y);
        break;
    case IMM_TYPE_TYPE:
        put_space_index(p, PS_TYPE, x);
        put_space_index(p, PS_TYPE, y);
        break;
    case IMM_TYPE_DATA:
        put_space_index(p, PS_TYPE, x);
        put_space_index(p, PS_DATA, y);
        break;
    case IMM_TYPE_ELEM:
        put_space_index(p, PS_TYPE, x);
        put_space_index(p, PS_ELEM, y);
        break;
    default: break;
    }
}

static void put_vector_imm(Printer *p, const Instr *ins, ImmKind kind) {
    switch (kind) {
    case IMM_BR_TABLE:
        for (uint32_t i = 0; i <= ins->imm.br_table.n; i++)
            buf_printf(p->out, " %u", ins->imm.br_table.labels[i]);
        break;
    case IMM_SELECT_T:
        buf_str(p->out, " (result");
        for (uint32_t i = 0; i < ins->imm.select.n; i++) {
            buf_byte(p->out, ' ');
            wp_valtype(p, ins->imm.select.types[i]);
        }
        buf_byte(p->out, ')');
        break;
    case IMM_BR_ON_CAST:
        buf_printf(p->out, " %u", ins->imm.cast.label);
        put_cast_type(p, ins->a & 1, ins->imm.cast.heap1);
        put_cast_type(p, (ins->a >> 1) & 1, ins->imm.cast.heap2);
        break;
    case IMM_TRY_TABLE: put_try_table(p, ins->imm.try_table); break;
    case IMM_SHUFFLE:
        for (int i = 0; i < 16; i++)
            buf_printf(p->out, " %u", ins->imm.v128[i]);
        break;
    default: break;
    }
}

static void put_number_imm(Printer *p, const Instr *ins, ImmKind kind) {
    switch (kind) {
    case IMM_I32: buf_printf(p->out, " %d", (int)ins->imm.i32); break;
    case IMM_I64: buf_printf(p->out, " %lld", (long long)ins->imm.i64); break;
    case IMM_F32:
        buf_byte(p->out, ' ');
        wp_f32(p->out, ins->imm.f32);
        break;
    case IMM_F64:
        buf_byte(p->out, ' ');
        wp_f64(p->out, ins->imm.f64);
        break;
    case IMM_V128: put_v128(p, ins->imm.v128); break;
    case IMM_LANE: buf_printf(p->out, " %u", ins->a); break;
    default: break;
    }
}

void wp_instr(Printer *p, const Instr *ins) {
    ImmKind kind = (ImmKind)op_info[ins->op].imm;
    buf_str(p->out, op_info[ins->op].text);
    switch (kind) {
    case IMM_NONE: break;
    case IMM_BLOCK: put_blocktype(p, &ins->imm.block.type); break;
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_TYPE:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_TAG:
    case IMM_MEMORY:
    case IMM_DATA:
    case IMM_ELEM: put_index_imm(p, ins, kind); break;
    case IMM_CALL_INDIRECT:
    case IMM_DATA_MEMORY:
    case IMM_ELEM_TABLE:
    case IMM_MEMORY_MEMORY:
    case IMM_TABLE_TABLE:
    case IMM_TYPE_FIELD:
    case IMM_TYPE_TYPE:
    case IMM_TYPE_SIZE:
    case IMM_TYPE_DATA:
    case IMM_TYPE_ELEM: put_pair_imm(p, ins, kind); break;
    case IMM_MEMARG: put_memarg(p, ins); break;
    case IMM_MEMARG_LANE:
        put_memarg(p, ins);
        buf_printf(p->out, " %u", ins->b);
        break;
    case IMM_I32:
    case IMM_I64:
    case IMM_F32:
    case IMM_F64:
    case IMM_V128:
    case IMM_LANE: put_number_imm(p, ins, kind); break;
    case IMM_HEAPTYPE:
        if (ins->op == OP_REF_NULL) {
            buf_byte(p->out, ' ');
            wp_heaptype(p, ins->imm.heap);
        } else {
            put_cast_type(p, ins->op == OP_REF_TEST_NULL || ins->op == OP_REF_CAST_NULL,
                          ins->imm.heap);
        }
        break;
    case IMM_BR_TABLE:
    case IMM_SELECT_T:
    case IMM_BR_ON_CAST:
    case IMM_TRY_TABLE:
    case IMM_SHUFFLE: put_vector_imm(p, ins, kind); break;
    case IMM_COUNT: break;
    }
}

/* ---- Bodies ------------------------------------------------------------------------ */

static bool opens_block(uint16_t op) {
    return op == OP_BLOCK || op == OP_LOOP || op == OP_IF || op == OP_TRY || op == OP_TRY_TABLE;
}

/* else, catch and catch_all sit at the level of their block's opening. */
static bool is_midblock(uint16_t op) {
    return op == OP_ELSE || op == OP_CATCH || op == OP_CATCH_ALL;
}

void wp_body(Printer *p, const Instr *instrs, uint32_t n) {
    if (n > 0 && instrs[n - 1].op == OP_END)
        n--;
    int base = p->indent;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t op = instrs[i].op;
        bool closes = op == OP_END || op == OP_DELEGATE;
        if ((closes || is_midblock(op)) && p->indent > base)
            p->indent--;
        wp_newline(p);
        wp_instr(p, &instrs[i]);
        if (opens_block(op) || is_midblock(op))
            p->indent++;
    }
    p->indent = base;
}

void wp_const_expr(Printer *p, const ConstExpr *e) {
    uint32_t n = e->n_instrs;
    if (n > 0 && e->instrs[n - 1].op == OP_END)
        n--;
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            buf_byte(p->out, ' ');
        wp_instr(p, &e->instrs[i]);
    }
}
