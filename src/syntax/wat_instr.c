/* Instructions in the text format, flat and folded, into p->code. Immediates
 * are read by the IMM kind from the instruction table; only the text-format
 * quirks (optional memory/table indices, select with results, ref.test/cast
 * nullability, block labels, legacy try) have code of their own. Labels live
 * on p->labels while their block is open. */
#include "wat_int.h"

#include <stdlib.h>
#include <string.h>

static Err instr_seq(WatParser *p);
static Err folded_instr(WatParser *p);

static Err emit(WatParser *p, const Instr *in) {
    if (!VEC_PUSH(&p->code, *in))
        return FAIL_NOMEM(p->diag);
    return OK;
}

/* Emit the instruction that starts at token `start`, with its branch hint. */
static Err emit_at(WatParser *p, const Instr *in, uint32_t start) {
    TRY(wat_hint_instr(p, start));
    return emit(p, in);
}

static Instr make(Opcode op) {
    Instr in;
    memset(&in, 0, sizeof in);
    in.op = (uint16_t)op;
    return in;
}

static bool is_delimiter(Opcode op) {
    return op == OP_ELSE || op == OP_END || op == OP_CATCH || op == OP_CATCH_ALL ||
           op == OP_DELEGATE;
}

static bool is_block(Opcode op) {
    return op == OP_BLOCK || op == OP_LOOP || op == OP_IF || op == OP_TRY || op == OP_TRY_TABLE;
}

/* The opcode a token names, if it is an instruction keyword. */
static bool token_op(const Token *t, Opcode *out) {
    return t->kind == TOK_ATOM && op_from_text(t->text, t->len, out);
}

static bool peek_nat(const WatParser *p, uint32_t ahead) {
    const Token *t = wat_peek_at(p, ahead);
    return t->kind == TOK_ATOM && wat_num_class(t->text, t->len) == NUM_NAT;
}

/* How many index tokens (nat or $id) follow, up to `max`. */
static uint32_t count_indices(const WatParser *p, uint32_t max) {
    uint32_t n = 0;
    while (n < max) {
        const Token *t = wat_peek_at(p, n);
        if (t->kind != TOK_ID && !(t->kind == TOK_ATOM && wat_num_class(t->text, t->len) == NUM_NAT))
            break;
        n++;
    }
    return n;
}

static Err opt_index(WatParser *p, Space space, uint32_t *out) {
    *out = 0;
    if (wat_peek_index(p))
        return wat_index(p, space, out);
    return OK;
}

/* ---- Numbers ---------------------------------------------------------------- */

static Err int_literal(WatParser *p, unsigned bits, uint64_t *out, const char *range_msg) {
    const Token *t = wat_peek(p);
    NumClass c = t->kind == TOK_ATOM ? wat_num_class(t->text, t->len) : NUM_NONE;
    if (c != NUM_NAT && c != NUM_INT)
        return wat_unexpected(p, t);
    if (!wat_parse_int(t->text, t->len, bits, out))
        return wat_fail_at(p, t, "%s", range_msg);
    p->pos++;
    return OK;
}

static Err f32_literal(WatParser *p, uint32_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) == NUM_NONE)
        return wat_unexpected(p, t);
    if (!wat_parse_f32(t->text, t->len, out))
        return wat_fail_at(p, t, "constant out of range");
    p->pos++;
    return OK;
}

static Err f64_literal(WatParser *p, uint64_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) == NUM_NONE)
        return wat_unexpected(p, t);
    if (!wat_parse_f64(t->text, t->len, out))
        return wat_fail_at(p, t, "constant out of range");
    p->pos++;
    return OK;
}

/* A lane index: a nat below 256. */
static Err lane_index(WatParser *p, uint8_t *out) {
    const Token *t = wat_peek(p);
    if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) != NUM_NAT)
        return wat_unexpected(p, t);
    uint64_t v;
    if (!wat_parse_nat(t->text, t->len, &v) || v > 255)
        return wat_fail_at(p, t, "i8 constant out of range");
    *out = (uint8_t)v;
    p->pos++;
    return OK;
}

static const struct {
    const char *name;
    uint8_t lanes, bits;
    bool is_float;
} shapes[] = {
    {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
    {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true},
};

static Err v128_const(WatParser *p, uint8_t out[16]) {
    const Token *st = wat_peek(p);
    int shape = -1;
    for (int i = 0; i < 6; i++)
        if (wat_tok_is(st, shapes[i].name))
            shape = i;
    if (shape < 0)
        return wat_unexpected(p, st);
    p->pos++;
    uint32_t n = 0;
    while (n < 16) {
        const Token *t = wat_peek_at(p, n);
        if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) == NUM_NONE)
            break;
        n++;
    }
    if (n != shapes[shape].lanes) {
        const Token *bad = wat_peek_at(p, n);
        if (bad->kind == TOK_RESERVED || bad->kind == TOK_ERROR ||
            (bad->kind == TOK_ATOM && !wat_known_keyword(bad)))
            return wat_unexpected(p, bad);
        return wat_fail_at(p, bad, "wrong number of lane literals");
    }
    unsigned bytes = shapes[shape].bits / 8;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t v;
        if (!shapes[shape].is_float) {
            TRY(int_literal(p, shapes[shape].bits, &v, "constant out of range"));
        } else if (bytes == 4) {
            uint32_t f;
            TRY(f32_literal(p, &f));
            v = f;
        } else {
            TRY(f64_literal(p, &v));
        }
        for (unsigned b = 0; b < bytes; b++)
            out[i * bytes + b] = (uint8_t)(v >> (8 * b));
    }
    return OK;
}

static Err shuffle_lanes(WatParser *p, uint8_t out[16]) {
    uint32_t n = 0;
    while (n < 17) {
        const Token *t = wat_peek_at(p, n);
        if (t->kind != TOK_ATOM || wat_num_class(t->text, t->len) == NUM_NONE)
            break;
        n++;
    }
    if (n != 16)
        return wat_fail_at(p, wat_peek_at(p, n), "invalid lane length");
    for (int i = 0; i < 16; i++) {
        const Token *t = wat_peek(p);
        uint64_t v;
        if (wat_num_class(t->text, t->len) != NUM_NAT || !wat_parse_nat(t->text, t->len, &v) ||
            v > 255)
            return wat_fail_at(p, t, "i8 constant out of range");
        out[i] = (uint8_t)v;
        p->pos++;
    }
    return OK;
}

/* ---- Memory arguments ------------------------------------------------------- */

/* Natural alignment in bytes, from the instruction's name. */
static uint32_t natural_align(const char *name) {
    const char *m = strstr(name, ".load");
    const char *rest = m ? m + 5 : NULL;
    if (!m) {
        m = strstr(name, ".store");
        rest = m ? m + 6 : NULL;
    }
    if (rest && *rest >= '0' && *rest <= '9') {
        char *end;
        unsigned long bits = strtoul(rest, &end, 10);
        return *end == 'x' ? 8 : (uint32_t)(bits / 8);
    }
    if (strncmp(name, "v128", 4) == 0)
        return 16;
    return (name[1] == '6') ? 8 : 4;
}

static bool kw_with_value(const Token *t, const char *prefix, const char **val, uint32_t *len) {
    size_t n = strlen(prefix);
    if (t->kind != TOK_ATOM || t->len <= n || memcmp(t->text, prefix, n) != 0)
        return false;
    *val = t->text + n;
    *len = t->len - (uint32_t)n;
    return true;
}

/* offset=N? align=N? */
static Err memarg_keywords(WatParser *p, Opcode op, Instr *in) {
    const char *v;
    uint32_t n;
    const Token *t = wat_peek(p);
    if (kw_with_value(t, "offset=", &v, &n)) {
        if (wat_num_class(v, n) != NUM_NAT)
            return wat_unexpected(p, t);
        if (!wat_parse_nat(v, n, &in->imm.memarg.offset))
            return wat_fail_at(p, t, "i64 constant out of range");
        p->pos++;
        t = wat_peek(p);
    }
    uint64_t align = natural_align(op_info[op].text);
    if (kw_with_value(t, "align=", &v, &n)) {
        uint64_t a;
        if (wat_num_class(v, n) != NUM_NAT)
            return wat_unexpected(p, t);
        if (!wat_parse_nat(v, n, &a) || a == 0 || (a & (a - 1)) != 0)
            return wat_fail_at(p, t, "alignment must be a power of two");
        align = a;
        p->pos++;
    }
    uint8_t exp = 0;
    while ((UINT64_C(1) << exp) < align)
        exp++;
    in->a = exp;
    return OK;
}

static Err memarg(WatParser *p, Opcode op, Instr *in) {
    TRY(opt_index(p, SP_MEMORY, &in->imm.memarg.mem));
    return memarg_keywords(p, op, in);
}

/* memidx? memarg laneidx: a lone nat is the lane. */
static Err memarg_lane(WatParser *p, Opcode op, Instr *in) {
    const Token *t = wat_peek(p);
    if (t->kind == TOK_ID) {
        TRY(wat_index(p, SP_MEMORY, &in->imm.memarg.mem));
    } else if (peek_nat(p, 0)) {
        const Token *next = wat_peek_at(p, 1);
        const char *v;
        uint32_t n;
        if (peek_nat(p, 1) || kw_with_value(next, "offset=", &v, &n) ||
            kw_with_value(next, "align=", &v, &n))
            TRY(wat_index(p, SP_MEMORY, &in->imm.memarg.mem));
    }
    TRY(memarg_keywords(p, op, in));
    return lane_index(p, &in->b);
}

/* ---- Immediates by kind ----------------------------------------------------- */

static Err select_results(WatParser *p, Instr *in) {
    VEC(ValType) types = {0};
    Err err = OK;
    while (err == OK && wat_peek_form(p, "result")) {
        p->pos += 2;
        while (err == OK && wat_peek(p)->kind != TOK_RPAR) {
            ValType t;
            err = wat_valtype(p, &t);
            if (err == OK && !VEC_PUSH(&types, t))
                err = FAIL_NOMEM(p->diag);
        }
        if (err == OK)
            err = wat_expect_rpar(p);
    }
    if (err == OK) {
        in->op = OP_SELECT_T;
        in->imm.select.n = (uint32_t)types.len;
        in->imm.select.types = wat_alloc(p, sizeof(ValType) * types.len);
        if (!in->imm.select.types)
            err = FAIL_NOMEM(p->diag);
        else if (types.len)
            memcpy(in->imm.select.types, types.data, sizeof(ValType) * types.len);
    }
    VEC_FREE(&types);
    return err;
}

static Err br_table(WatParser *p, Instr *in) {
    uint32_t n = count_indices(p, UINT32_MAX);
    if (n == 0)
        return wat_unexpected(p, wat_peek(p));
    uint32_t *labels = wat_alloc(p, sizeof(uint32_t) * n);
    if (!labels)
        return FAIL_NOMEM(p->diag);
    for (uint32_t i = 0; i < n; i++)
        TRY(wat_label_index(p, &labels[i]));
    in->imm.br_table.n = n - 1;
    in->imm.br_table.labels = labels;
    return OK;
}

/* ref.test / ref.cast take a reference type; nullable picks the _NULL row. */
static Err cast_target(WatParser *p, Instr *in) {
    ValType t;
    TRY(wat_reftype(p, &t));
    in->imm.heap = t.heap;
    if (t.nullable)
        in->op = in->op == OP_REF_TEST ? OP_REF_TEST_NULL : OP_REF_CAST_NULL;
    return OK;
}

static Err br_on_cast(WatParser *p, Instr *in) {
    ValType t1, t2;
    TRY(wat_label_index(p, &in->imm.cast.label));
    TRY(wat_reftype(p, &t1));
    TRY(wat_reftype(p, &t2));
    in->a = (uint8_t)((t1.nullable ? 1 : 0) | (t2.nullable ? 2 : 0));
    in->imm.cast.heap1 = t1.heap;
    in->imm.cast.heap2 = t2.heap;
    return OK;
}

/* Two optional indices where one given names the second (memory.init,
 * table.init): `first` gets the default 0. */
static Err one_or_two(WatParser *p, Space first, Space second, uint32_t *out_first,
                      uint32_t *out_second) {
    *out_first = 0;
    if (count_indices(p, 2) == 2)
        TRY(wat_index(p, first, out_first));
    return wat_index(p, second, out_second);
}

static Err zero_or_two(WatParser *p, Space space, Instr *in) {
    in->imm.pair.x = in->imm.pair.y = 0;
    if (!wat_peek_index(p))
        return OK;
    TRY(wat_index(p, space, &in->imm.pair.x));
    return wat_index(p, space, &in->imm.pair.y);
}

static Err index_imm(WatParser *p, uint8_t imm, Instr *in) {
    switch (imm) {
    case IMM_LABEL: return wat_label_index(p, &in->imm.index);
    case IMM_FUNC: return wat_index(p, SP_FUNC, &in->imm.index);
    case IMM_TYPE: return wat_index(p, SP_TYPE, &in->imm.index);
    case IMM_LOCAL: return wat_local_index(p, &in->imm.index);
    case IMM_GLOBAL: return wat_index(p, SP_GLOBAL, &in->imm.index);
    case IMM_TABLE: return opt_index(p, SP_TABLE, &in->imm.index);
    case IMM_TAG: return wat_index(p, SP_TAG, &in->imm.index);
    case IMM_MEMORY: return opt_index(p, SP_MEMORY, &in->imm.index);
    case IMM_DATA: return wat_index(p, SP_DATA, &in->imm.index);
    case IMM_ELEM: return wat_index(p, SP_ELEM, &in->imm.index);
    case IMM_DATA_MEMORY:
        return one_or_two(p, SP_MEMORY, SP_DATA, &in->imm.pair.y, &in->imm.pair.x);
    case IMM_ELEM_TABLE:
        return one_or_two(p, SP_TABLE, SP_ELEM, &in->imm.pair.y, &in->imm.pair.x);
    case IMM_MEMORY_MEMORY: return zero_or_two(p, SP_MEMORY, in);
    case IMM_TABLE_TABLE: return zero_or_two(p, SP_TABLE, in);
    case IMM_TYPE_FIELD:
        TRY(wat_index(p, SP_TYPE, &in->imm.pair.x));
        return wat_field_index(p, in->imm.pair.x, &in->imm.pair.y);
    case IMM_TYPE_TYPE:
        TRY(wat_index(p, SP_TYPE, &in->imm.pair.x));
        return wat_index(p, SP_TYPE, &in->imm.pair.y);
    case IMM_TYPE_SIZE:
        TRY(wat_index(p, SP_TYPE, &in->imm.pair.x));
        return wat_expect_u32(p, &in->imm.pair.y);
    case IMM_TYPE_DATA:
        TRY(wat_index(p, SP_TYPE, &in->imm.pair.x));
        return wat_index(p, SP_DATA, &in->imm.pair.y);
    case IMM_TYPE_ELEM:
        TRY(wat_index(p, SP_TYPE, &in->imm.pair.x));
        return wat_index(p, SP_ELEM, &in->imm.pair.y);
    }
    return OK;
}

static Err immediates(WatParser *p, Instr *in) {
    Opcode op = (Opcode)in->op;
    uint8_t imm = op_info[op].imm;
    uint64_t v;
    switch (imm) {
    case IMM_NONE:
        if (op == OP_SELECT && wat_peek_form(p, "result"))
            return select_results(p, in);
        return OK;
    case IMM_BR_TABLE: return br_table(p, in);
    case IMM_CALL_INDIRECT:
        TRY(opt_index(p, SP_TABLE, &in->imm.pair.y));
        return wat_type_use(p, false, &in->imm.pair.x);
    case IMM_MEMARG: return memarg(p, op, in);
    case IMM_MEMARG_LANE: return memarg_lane(p, op, in);
    case IMM_I32:
        TRY(int_literal(p, 32, &v, "constant out of range"));
        in->imm.i32 = (int32_t)(uint32_t)v;
        return OK;
    case IMM_I64:
        TRY(int_literal(p, 64, &v, "constant out of range"));
        in->imm.i64 = (int64_t)v;
        return OK;
    case IMM_F32: return f32_literal(p, &in->imm.f32);
    case IMM_F64: return f64_literal(p, &in->imm.f64);
    case IMM_V128: return v128_const(p, in->imm.v128);
    case IMM_LANE: return lane_index(p, &in->a);
    case IMM_SHUFFLE: return shuffle_lanes(p, in->imm.v128);
    case IMM_SELECT_T: return select_results(p, in);
    case IMM_HEAPTYPE:
        if (op == OP_REF_NULL)
            return wat_heaptype(p, &in->imm.heap);
        return cast_target(p, in);
    case IMM_BR_ON_CAST: return br_on_cast(p, in);
    default: return index_imm(p, imm, in);
    }
}

/* ---- Blocks ----------------------------------------------------------------- */

static Err push_label(WatParser *p, const Token *id) {
    Label l = {id ? id->text : NULL, id ? id->len : 0};
    if (!VEC_PUSH(&p->labels, l))
        return FAIL_NOMEM(p->diag);
    return OK;
}

/* An optional $id after end/else/catch must repeat the block's label. */
static Err end_label(WatParser *p) {
    const Token *id;
    if (!wat_opt_id(p, &id))
        return OK;
    Label l = VEC_LAST(&p->labels);
    if (!l.name || l.len != id->len || memcmp(l.name, id->text, l.len) != 0)
        return wat_fail_at(p, id, "mismatching label");
    return OK;
}

/* try_table's catch clauses, resolved outside the new label. */
static Err catch_clauses(WatParser *p, TryTable *tt) {
    VEC(Catch) catches = {0};
    Err err = OK;
    static const char *const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
    for (;;) {
        int kind = -1;
        for (int k = 0; k < 4; k++)
            if (wat_peek_form(p, kinds[k]))
                kind = k;
        if (kind < 0)
            break;
        p->pos += 2;
        Catch c = {(uint8_t)kind, 0, 0};
        if (kind < 2)
            err = wat_index(p, SP_TAG, &c.tag);
        if (err == OK)
            err = wat_label_index(p, &c.label);
        if (err == OK)
            err = wat_expect_rpar(p);
        if (err == OK && !VEC_PUSH(&catches, c))
            err = FAIL_NOMEM(p->diag);
        if (err != OK)
            break;
    }
    if (err == OK) {
        tt->n_catches = (uint32_t)catches.len;
        tt->catches = wat_alloc(p, sizeof(Catch) * catches.len);
        if (!tt->catches)
            err = FAIL_NOMEM(p->diag);
        else if (catches.len)
            memcpy(tt->catches, catches.data, sizeof(Catch) * catches.len);
    }
    VEC_FREE(&catches);
    return err;
}

/* label? blocktype (catches for try_table); pushes the label. */
static Err block_header(WatParser *p, Instr *in) {
    const Token *id;
    wat_opt_id(p, &id);
    if (in->op == OP_TRY_TABLE) {
        TryTable *tt = wat_alloc(p, sizeof *tt);
        if (!tt)
            return FAIL_NOMEM(p->diag);
        memset(tt, 0, sizeof *tt);
        TRY(wat_block_type(p, &tt->type));
        TRY(catch_clauses(p, tt));
        in->imm.try_table = tt;
    } else {
        TRY(wat_block_type(p, &in->imm.block.type));
    }
    return push_label(p, id);
}

static Err emit_op(WatParser *p, Opcode op, uint32_t index) {
    Instr in = make(op);
    in.imm.index = index;
    return emit(p, &in);
}

/* Flat legacy catch/catch_all arms and the closing delegate, if any; sets
 * *delegated when the try ended with delegate (no end follows). */
static Err flat_try_arms(WatParser *p, bool *delegated) {
    *delegated = false;
    bool caught = false, caught_all = false;
    for (;;) {
        Opcode op;
        if (!token_op(wat_peek(p), &op) || (op != OP_CATCH && op != OP_CATCH_ALL))
            break;
        if (caught_all)
            return wat_unexpected(p, wat_peek(p));
        caught = true;
        caught_all = op == OP_CATCH_ALL;
        p->pos++;
        uint32_t tag = 0;
        if (op == OP_CATCH)
            TRY(wat_index(p, SP_TAG, &tag));
        TRY(emit_op(p, op, tag));
        TRY(instr_seq(p));
    }
    if (wat_tok_is(wat_peek(p), "delegate")) {
        if (caught)
            return wat_unexpected(p, wat_peek(p));
        p->pos++;
        p->labels.len--;
        uint32_t label;
        TRY(wat_label_index(p, &label));
        *delegated = true;
        return emit_op(p, OP_DELEGATE, label);
    }
    return OK;
}

static Err flat_block(WatParser *p, Instr *in, uint32_t start) {
    TRY(block_header(p, in));
    TRY(emit_at(p, in, start));
    TRY(instr_seq(p));
    if (in->op == OP_IF && wat_tok_is(wat_peek(p), "else")) {
        p->pos++;
        TRY(end_label(p));
        TRY(emit_op(p, OP_ELSE, 0));
        TRY(instr_seq(p));
    }
    if (in->op == OP_TRY) {
        bool delegated;
        TRY(flat_try_arms(p, &delegated));
        if (delegated)
            return OK;
    }
    TRY(wat_expect_kw(p, "end"));
    TRY(end_label(p));
    p->labels.len--;
    return emit_op(p, OP_END, 0);
}

/* (then ...) (else ...)? of a folded if, after the IF is emitted. */
static Err folded_if_arms(WatParser *p) {
    TRY(wat_expect_form(p, "then"));
    TRY(instr_seq(p));
    TRY(wat_expect_rpar(p));
    if (wat_peek_form(p, "else")) {
        p->pos += 2;
        TRY(emit_op(p, OP_ELSE, 0));
        TRY(instr_seq(p));
        TRY(wat_expect_rpar(p));
    }
    return OK;
}

/* (do ...) then (catch $t ...)* (catch_all ...)? or (delegate l). */
static Err folded_try_arms(WatParser *p, bool *delegated) {
    *delegated = false;
    TRY(wat_expect_form(p, "do"));
    TRY(instr_seq(p));
    TRY(wat_expect_rpar(p));
    bool caught = false, caught_all = false;
    while (wat_peek_form(p, "catch") || wat_peek_form(p, "catch_all")) {
        bool all = wat_peek_form(p, "catch_all");
        if (caught_all)
            return wat_unexpected(p, wat_peek(p));
        caught = true;
        caught_all = all;
        p->pos += 2;
        uint32_t tag = 0;
        if (!all)
            TRY(wat_index(p, SP_TAG, &tag));
        TRY(emit_op(p, all ? OP_CATCH_ALL : OP_CATCH, tag));
        TRY(instr_seq(p));
        TRY(wat_expect_rpar(p));
    }
    if (wat_peek_form(p, "delegate")) {
        if (caught)
            return wat_unexpected(p, wat_peek(p));
        p->pos += 2;
        p->labels.len--;
        uint32_t label;
        TRY(wat_label_index(p, &label));
        TRY(wat_expect_rpar(p));
        *delegated = true;
        return emit_op(p, OP_DELEGATE, label);
    }
    return OK;
}

static Err folded_block(WatParser *p, Instr *in, uint32_t start) {
    if (in->op != OP_IF) {
        TRY(block_header(p, in));
        TRY(emit_at(p, in, start));
        if (in->op == OP_TRY) {
            bool delegated;
            TRY(folded_try_arms(p, &delegated));
            if (delegated)
                return wat_expect_rpar(p);
        } else {
            TRY(instr_seq(p));
        }
    } else {
        const Token *id;
        wat_opt_id(p, &id);
        TRY(wat_block_type(p, &in->imm.block.type));
        while (wat_peek(p)->kind == TOK_LPAR && !wat_peek_form(p, "then"))
            TRY(folded_instr(p));
        TRY(push_label(p, id));
        TRY(emit_at(p, in, start));
        TRY(folded_if_arms(p));
    }
    TRY(wat_expect_rpar(p));
    p->labels.len--;
    return emit_op(p, OP_END, 0);
}

/* ---- Instruction sequences -------------------------------------------------- */

static Err folded_instr(WatParser *p) {
    uint32_t start = p->pos;
    TRY(wat_expect_lpar(p));
    const Token *t = wat_peek(p);
    Opcode op;
    if (!token_op(t, &op) || is_delimiter(op))
        return wat_unexpected(p, t);
    p->pos++;
    Instr in = make(op);
    if (is_block(op))
        return folded_block(p, &in, start);
    TRY(immediates(p, &in));
    /* operands: folded instructions; flat ones too, as other text parsers
       (wasm-tools) accept and wasmtime's tests use */
    TRY(instr_seq(p));
    TRY(wat_expect_rpar(p));
    return emit_at(p, &in, start);
}

static Err plain_instr(WatParser *p, Opcode op) {
    uint32_t start = p->pos++;
    Instr in = make(op);
    if (is_block(op))
        return flat_block(p, &in, start);
    TRY(immediates(p, &in));
    return emit_at(p, &in, start);
}

/* Instructions until a token that cannot start one. */
static Err instr_seq(WatParser *p) {
    for (;;) {
        const Token *t = wat_peek(p);
        Opcode op;
        if (t->kind == TOK_LPAR) {
            if (!token_op(&p->toks[p->pos + 1], &op) || is_delimiter(op))
                return OK;
            TRY(folded_instr(p));
        } else if (token_op(t, &op) && !is_delimiter(op)) {
            TRY(plain_instr(p, op));
        } else {
            return OK;
        }
    }
}

Err wat_instrs(WatParser *p) {
    TRY(instr_seq(p));
    if (wat_peek(p)->kind != TOK_RPAR)
        return wat_unexpected(p, wat_peek(p));
    return OK;
}

Err wat_take_code(WatParser *p, Instr **out, uint32_t *out_n) {
    *out_n = (uint32_t)p->code.len;
    *out = wat_alloc(p, sizeof(Instr) * p->code.len);
    if (!*out)
        return FAIL_NOMEM(p->diag);
    if (p->code.len)
        memcpy(*out, p->code.data, sizeof(Instr) * p->code.len);
    p->code.len = 0;
    return OK;
}

Err wat_const_expr(WatParser *p, ConstExpr *out) {
    p->code.len = 0;
    p->labels.len = 0;
    TRY(wat_instrs(p));
    TRY(emit_op(p, OP_END, 0));
    out->offset = 0;
    return wat_take_code(p, &out->instrs, &out->n_instrs);
}

Err wat_const_expr_folded(WatParser *p, ConstExpr *out) {
    p->code.len = 0;
    p->labels.len = 0;
    if (wat_peek(p)->kind != TOK_LPAR)
        return wat_unexpected(p, wat_peek(p));
    TRY(folded_instr(p));
    TRY(emit_op(p, OP_END, 0));
    out->offset = 0;
    return wat_take_code(p, &out->instrs, &out->n_instrs);
}
