/* Instruction typing, part 1: the stack machinery, control instructions
 * (blocks, branches, calls, returns, exception blocks), variables, and the
 * dispatch loop. Rows of opcodes.def with a fixed stack signature are typed
 * from the table; the rest go to hand rules here or in valid_instr.c. Each
 * instruction costs one dispatch on its rule (derived once from the table);
 * the common cases (operands of exactly the expected types) are done in place
 * and everything else falls back to the general rules, which give the errors.
 * One pass per body, no allocation per instruction: the stacks are VECs in the
 * ValidCtx, reused across functions. Fills Code.max_stack/max_depth and the
 * block end indices the IR marks "validator:". */
#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "valid_stack.h"

/* Hand rules and slow paths stay out of the dispatch loop, so that the fast
 * paths inlined into it (fixed rows, locals) keep their registers. */
#define OUT_OF_LINE __attribute__((noinline))

/* ---- Facts derived once from the instruction table ------------------------ */

/* How an instruction is typed: by its stack signature (RULE_FIXED, or
 * RULE_FIXED_IMM when it has immediates to check: memarg, lane, index), or by
 * a hand rule. One dispatch on this small number picks the code. */
enum {
    RULE_NOT_CONST, /* in a constant expression: not a constant instruction */
    RULE_FIXED,
    RULE_FIXED_IMM,
    RULE_UNREACHABLE,
    RULE_BLOCK, /* block, loop, if, try */
    RULE_ELSE,
    RULE_END,
    RULE_BR,
    RULE_BR_IF,
    RULE_BR_TABLE,
    RULE_RETURN,
    RULE_CALL,
    RULE_CALL_INDIRECT,
    RULE_CALL_REF,
    RULE_DROP,
    RULE_SELECT,
    RULE_LOCAL_GET,
    RULE_LOCAL_SET, /* local.set, local.tee */
    RULE_GLOBAL,
    RULE_THROW,
    RULE_TRY_TABLE,
    RULE_CATCH,
    RULE_DELEGATE,
    RULE_RETHROW,
    RULE_EXT, /* the hand rules of valid_instr.c */
};

/* 32 bytes (the alignment pads it), so one shift indexes the table. */
typedef struct OpFacts {
    /* The signature with `a` resolved: [0] for an i32 address, [1] for i64. */
    _Alignas(32) ValType out[2];
    uint8_t in[2][4];
    uint8_t n_in, n_out; /* n_out <= 1 */
    uint8_t max_align;   /* log2 of the natural alignment (memory rows) */
    uint8_t lanes;       /* lane count (lane rows) */
    uint8_t imm;         /* ImmKind */
} OpFacts;
_Static_assert(sizeof(OpFacts) == 32, "one shift indexes the table");

static uint32_t access_bytes(const char *text);
static uint32_t shape_lanes(const char *text);
static uint32_t log2u(uint32_t n);

static OpFacts facts[OP_COUNT];
/* The rule of each instruction: [0] in function bodies, [1] in constant
 * expressions (RULE_NOT_CONST for all valid_is_const_op rejects). */
static uint8_t rules[2][OP_COUNT];
static pthread_once_t facts_once = PTHREAD_ONCE_INIT;

static uint8_t hand_rule(Opcode op) {
    switch (op) {
    case OP_UNREACHABLE: return RULE_UNREACHABLE;
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF:
    case OP_TRY: return RULE_BLOCK;
    case OP_ELSE: return RULE_ELSE;
    case OP_END: return RULE_END;
    case OP_BR: return RULE_BR;
    case OP_BR_IF: return RULE_BR_IF;
    case OP_BR_TABLE: return RULE_BR_TABLE;
    case OP_RETURN: return RULE_RETURN;
    case OP_CALL:
    case OP_RETURN_CALL: return RULE_CALL;
    case OP_CALL_INDIRECT:
    case OP_RETURN_CALL_INDIRECT: return RULE_CALL_INDIRECT;
    case OP_CALL_REF:
    case OP_RETURN_CALL_REF: return RULE_CALL_REF;
    case OP_DROP: return RULE_DROP;
    case OP_SELECT:
    case OP_SELECT_T: return RULE_SELECT;
    case OP_LOCAL_GET: return RULE_LOCAL_GET;
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE: return RULE_LOCAL_SET;
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET: return RULE_GLOBAL;
    case OP_THROW: return RULE_THROW;
    case OP_TRY_TABLE: return RULE_TRY_TABLE;
    case OP_CATCH:
    case OP_CATCH_ALL: return RULE_CATCH;
    case OP_DELEGATE: return RULE_DELEGATE;
    case OP_RETHROW: return RULE_RETHROW;
    default: return RULE_EXT;
    }
}

/* Fixed rows whose immediates check_fixed_imm must look at: all but constants
 * (so a new immediate kind is checked unless said otherwise). */
static bool imm_checked(uint8_t imm) {
    switch (imm) {
    case IMM_NONE:
    case IMM_I32:
    case IMM_I64:
    case IMM_F32:
    case IMM_F64:
    case IMM_V128: return false;
    default: return true;
    }
}

static uint8_t letter_kind(char c, bool addr64) {
    switch (c) {
    case 'i': return VK_I32;
    case 'I': return VK_I64;
    case 'f': return VK_F32;
    case 'F': return VK_F64;
    case 'v': return VK_V128;
    default: return addr64 ? VK_I64 : VK_I32; /* 'a' */
    }
}

static void init_facts(void) {
    for (unsigned op = 0; op < OP_COUNT; op++) {
        const char *s = op_info[op].stack;
        OpFacts *f = &facts[op];
        uint8_t imm = op_info[op].imm;
        rules[0][op] = s[0] == '*'        ? hand_rule((Opcode)op)
                       : imm_checked(imm) ? RULE_FIXED_IMM
                                          : RULE_FIXED;
        rules[1][op] = valid_is_const_op((uint16_t)op) ? rules[0][op] : RULE_NOT_CONST;
        if (s[0] == '*')
            continue;
        f->imm = imm;
        if (imm == IMM_MEMARG || imm == IMM_MEMARG_LANE) {
            uint32_t bytes = access_bytes(op_info[op].text);
            f->max_align = (uint8_t)log2u(bytes);
            f->lanes = (uint8_t)(16 / bytes);
        } else if (imm == IMM_LANE) {
            f->lanes = (uint8_t)shape_lanes(op_info[op].text);
        }
        for (; *s && *s != ':'; s++, f->n_in++) {
            assert(f->n_in < 4);
            f->in[0][f->n_in] = letter_kind(*s, false);
            f->in[1][f->n_in] = letter_kind(*s, true);
        }
        if (*s == ':')
            s++;
        for (; *s; s++, f->n_out++) {
            assert(f->n_out < 1);
            f->out[0] = ir_valtype((ValKind)letter_kind(*s, false));
            f->out[1] = ir_valtype((ValKind)letter_kind(*s, true));
        }
    }
}

/* ---- Errors ------------------------------------------------------------------ */

Err valid_unknown(const Instr *in, const char *what, uint32_t index, Diag *diag) {
    return FAIL(diag, ERR_INVALID, in->offset, "unknown %s %u", what, index);
}

Err valid_mismatch(const Instr *in, Diag *diag) {
    return FAIL(diag, ERR_INVALID, in->offset, "type mismatch");
}

static void format_list(const ValType *ts, uint32_t n, char *buf, size_t size) {
    size_t len = 0;
    buf[len++] = '[';
    for (uint32_t i = 0; i < n && len + 24 < size; i++) {
        if (i)
            buf[len++] = ' ';
        ir_format_valtype(ts[i], buf + len, size - len);
        len += strlen(buf + len);
    }
    buf[len++] = ']';
    buf[len] = 0;
}

static Err mismatch_lists(const char *what, const Instr *in, const ValType *want, uint32_t n_want,
                          const ValType *have, uint32_t n_have, Diag *diag) {
    char a[96], b[96];
    format_list(want, n_want, a, sizeof a);
    format_list(have, n_have, b, sizeof b);
    return FAIL(diag, ERR_INVALID, in->offset, "type mismatch: %s requires %s but stack has %s",
                what, a, b);
}

/* ---- Operand stack -------------------------------------------------------------- */

Err valid_pop_n(ValidCtx *cx, const ValType *types, uint32_t n, const Instr *in, Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    size_t avail = cx->vals.len - c->height;
    uint32_t k = avail < n ? (uint32_t)avail : n;
    bool ok = k == n || c->unreachable;
    const ValType *top = k ? cx->vals.data + cx->vals.len - k : NULL;
    for (uint32_t i = 0; ok && i < k; i++)
        ok = mod_val_sub(cx->mod, cx->reg, top[i], types[n - k + i]);
    if (ok) {
        cx->vals.len -= k;
        return OK;
    }
    return mismatch_lists("instruction", in, types, n, top, k, diag);
}

Err valid_pop_any(ValidCtx *cx, const Instr *in, ValType *out, Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    if (cx->vals.len > c->height) {
        *out = cx->vals.data[--cx->vals.len];
        return OK;
    }
    if (c->unreachable) {
        *out = VT_BOT;
        return OK;
    }
    return FAIL(diag, ERR_INVALID, in->offset,
                "type mismatch: instruction requires [any] but stack has []");
}

Err valid_pop_get(ValidCtx *cx, ValType expect, const Instr *in, ValType *out, Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    *out = cx->vals.len > c->height ? cx->vals.data[cx->vals.len - 1] : VT_BOT;
    return vpop(cx, expect, in, diag);
}

Err valid_pop_ref(ValidCtx *cx, const Instr *in, ValType *out, Diag *diag) {
    ValType t = VT_BOT;
    TRY(valid_pop_any(cx, in, &t, diag));
    if (t.kind == VK_BOT) {
        *out = ir_reftype(false, HT_BOT);
        return OK;
    }
    if (t.kind != VK_REF) {
        char b[48];
        ir_format_valtype(t, b, sizeof b);
        return FAIL(diag, ERR_INVALID, in->offset,
                    "type mismatch: instruction requires reference type but stack has %s", b);
    }
    *out = t;
    return OK;
}

/* ---- Lookups ------------------------------------------------------------------------- */

Err valid_label(ValidCtx *cx, const Instr *in, uint32_t depth, Diag *diag) {
    if (depth >= cx->ctrls.len)
        return valid_unknown(in, "label", depth, diag);
    return OK;
}

Err valid_func_type(ValidCtx *cx, const Instr *in, uint32_t type, const FuncType **out,
                    Diag *diag) {
    if (type >= cx->mod->n_types)
        return valid_unknown(in, "type", type, diag);
    if (cx->mod->types[type].kind != COMP_FUNC)
        return FAIL(diag, ERR_INVALID, in->offset, "type mismatch: non-function type %u", type);
    *out = &cx->mod->types[type].func;
    return OK;
}

/* ---- Control frames --------------------------------------------------------------- */

static inline Err block_sig(ValidCtx *cx, const Instr *in, const BlockType *bt, Ctrl *c,
                            Diag *diag) {
    c->n_params = 0;
    c->params = NULL;
    c->single = false;
    c->n_results = 0;
    c->results = NULL;
    if (bt->kind == BLOCK_VALUE) {
        TRY(valid_val_type(cx, bt->value, in->offset, diag));
        c->single = true;
        c->one = bt->value;
        c->n_results = 1;
    } else if (bt->kind == BLOCK_INDEX) {
        const FuncType *ft = NULL;
        TRY(valid_func_type(cx, in, bt->index, &ft, diag));
        c->n_params = ft->n_params;
        c->params = ft->params;
        c->n_results = ft->n_results;
        c->results = ft->results;
    }
    return OK;
}

static inline Err push_ctrl(ValidCtx *cx, const Instr *in, uint16_t op, uint32_t idx, Ctrl *c,
                            Diag *diag) {
    TRY(vpop_n(cx, c->params, c->n_params, in, diag));
    c->op = op;
    c->unreachable = false;
    c->height = (uint32_t)cx->vals.len;
    c->init_height = (uint32_t)cx->init_log.len;
    c->instr = idx;
    TRY(ctrl_push(cx, c, diag));
    return vpush_n(cx, c->params, c->n_params, diag);
}

/* Locals first set inside the closing frame become unset again. */
static void undo_inits(ValidCtx *cx, const Ctrl *c) {
    while (cx->init_log.len > c->init_height)
        cx->local_set.data[VEC_POP(&cx->init_log)] = 0;
}

static Err fail_extra_values(ValidCtx *cx, const Instr *in, const Ctrl *c, Diag *diag) {
    uint32_t extra = (uint32_t)(cx->vals.len - c->height);
    char b[96], a[96];
    format_list(ctrl_results(c), c->n_results, a, sizeof a);
    format_list(cx->vals.data + c->height, extra, b, sizeof b);
    return FAIL(diag, ERR_INVALID, in->offset, "type mismatch: block requires %s but stack has %s",
                a, b);
}

/* Check the end of the top frame's current arm: its results and nothing else. */
static inline Err check_frame_end(ValidCtx *cx, const Instr *in, Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    TRY(vpop_n(cx, ctrl_results(c), c->n_results, in, diag));
    if (cx->vals.len != c->height)
        return fail_extra_values(cx, in, c, diag);
    return OK;
}

/* Start the next arm (else, catch, catch_all) of the top frame. */
static void next_arm(ValidCtx *cx, uint16_t op) {
    Ctrl *c = ctrl_top(cx);
    undo_inits(cx, c);
    cx->vals.len = c->height;
    c->unreachable = false;
    c->op = op;
}

OUT_OF_LINE static Err op_else(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) {
    Instr *in = &instrs[idx];
    Ctrl *c = ctrl_top(cx);
    if (c->op != OP_IF)
        return FAIL(diag, ERR_INVALID, in->offset, "else without matching if");
    TRY(check_frame_end(cx, in, diag));
    c = ctrl_top(cx);
    instrs[c->instr].imm.block.end = idx;
    next_arm(cx, OP_ELSE);
    c = ctrl_top(cx);
    c->instr = idx;
    return vpush_n(cx, c->params, c->n_params, diag);
}

OUT_OF_LINE static Err op_end(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) {
    Instr *in = &instrs[idx];
    Ctrl *c = ctrl_top(cx);
    /* Usually the stack holds exactly the frame's results: they stay where they
     * are, for the enclosing frame. */
    bool in_place = c->op != OP_IF && cx->vals.len - c->height == c->n_results &&
                    vtop_is(cx, ctrl_results(c), c->n_results);
    if (!in_place)
        TRY(check_frame_end(cx, in, diag));
    if (c->op == OP_IF) {
        /* An if without else has an implicit empty else arm: params -> results. */
        next_arm(cx, OP_IF);
        TRY(vpush_n(cx, c->params, c->n_params, diag));
        TRY(check_frame_end(cx, in, diag));
    }
    Instr *opener = &instrs[c->instr];
    switch (c->op) {
    case OP_ELSE: opener->imm.index = idx; break;
    case OP_TRY_TABLE: opener->imm.try_table->end = idx; break;
    case OP_CALL: break;
    default: opener->imm.block.end = idx; break;
    }
    undo_inits(cx, c);
    ctrl_pop(cx);
    if (cx->ctrls.len == 0) {
        cx->vals.len = c->height;
        return OK;
    }
    /* c stays readable: nothing pushes a frame before its results are pushed */
    return in_place ? OK : vpush_n(cx, ctrl_results(c), c->n_results, diag);
}

OUT_OF_LINE static Err op_block(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) {
    Instr *in = &instrs[idx];
    Ctrl c;
    TRY(block_sig(cx, in, &in->imm.block.type, &c, diag));
    if (in->op == OP_IF)
        TRY(vpop(cx, VT_I32, in, diag));
    return push_ctrl(cx, in, in->op, idx, &c, diag);
}

/* ---- Branches ------------------------------------------------------------------------ */

OUT_OF_LINE static Err op_br(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(valid_label(cx, in, in->imm.index, diag));
    uint32_t n;
    const ValType *ts = label_types(ctrl_at(cx, in->imm.index), &n);
    TRY(vpop_n(cx, ts, n, in, diag));
    set_unreachable(cx);
    return OK;
}

static Err op_br_if(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(valid_label(cx, in, in->imm.index, diag));
    TRY(vpop(cx, VT_I32, in, diag));
    uint32_t n;
    const ValType *ts = label_types(ctrl_at(cx, in->imm.index), &n);
    return vpop_push_n(cx, ts, n, in, diag);
}

/* The values for a label are popped and pushed back as they were, so a later
 * target sees the actual types (spec: Appendix > br_table). */
static Err pop_push_actual(ValidCtx *cx, const Instr *in, const ValType *ts, uint32_t n,
                           Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    size_t avail = cx->vals.len - c->height;
    TRY(valid_pop_n(cx, ts, n, in, diag));
    uint32_t k = avail < n ? (uint32_t)avail : n;
    /* The popped values are still in the array above len: restore them and
     * fill the polymorphic part with the unknown type. */
    if (k < n) {
        if (!VEC_RESERVE(&cx->vals, n))
            return FAIL_NOMEM(diag);
        memmove(cx->vals.data + cx->vals.len + (n - k), cx->vals.data + cx->vals.len,
                k * sizeof *cx->vals.data);
        for (uint32_t i = 0; i < n - k; i++)
            cx->vals.data[cx->vals.len + i] = VT_BOT;
    }
    cx->vals.len += n;
    if (cx->vals.len > cx->max_stack)
        cx->max_stack = (uint32_t)cx->vals.len;
    return OK;
}

OUT_OF_LINE static Err op_br_table(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(vpop(cx, VT_I32, in, diag));
    uint32_t n = in->imm.br_table.n;
    const uint32_t *labels = in->imm.br_table.labels;
    TRY(valid_label(cx, in, labels[n], diag));
    uint32_t arity;
    const ValType *dts = label_types(ctrl_at(cx, labels[n]), &arity);
    for (uint32_t i = 0; i < n; i++) {
        TRY(valid_label(cx, in, labels[i], diag));
        uint32_t m;
        const ValType *ts = label_types(ctrl_at(cx, labels[i]), &m);
        if (m != arity)
            return FAIL(diag, ERR_INVALID, in->offset,
                        "type mismatch: br_table targets have different arities");
        TRY(pop_push_actual(cx, in, ts, m, diag));
    }
    TRY(valid_pop_n(cx, dts, arity, in, diag));
    set_unreachable(cx);
    return OK;
}

static Err check_return_types(ValidCtx *cx, const Instr *in, const FuncType *callee, Diag *diag) {
    const FuncType *self = cx->func_type;
    bool ok = callee->n_results == self->n_results;
    for (uint32_t i = 0; ok && i < callee->n_results; i++)
        ok = mod_val_sub(cx->mod, cx->reg, callee->results[i], self->results[i]);
    return ok ? OK : valid_mismatch(in, diag);
}

OUT_OF_LINE static Err op_return(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(valid_pop_n(cx, cx->func_type->results, cx->func_type->n_results, in, diag));
    set_unreachable(cx);
    return OK;
}

/* Shared tail of every call form: pop arguments, push or return results. */
static Err finish_call(ValidCtx *cx, const Instr *in, const FuncType *ft, bool tail, Diag *diag) {
    if (tail)
        TRY(check_return_types(cx, in, ft, diag));
    TRY(vpop_n(cx, ft->params, ft->n_params, in, diag));
    if (tail) {
        set_unreachable(cx);
        return OK;
    }
    return vpush_n(cx, ft->results, ft->n_results, diag);
}

OUT_OF_LINE static Err op_call(ValidCtx *cx, const Instr *in, Diag *diag) {
    if (in->imm.index >= cx->mod->n_funcs)
        return valid_unknown(in, "function", in->imm.index, diag);
    const FuncType *ft = ir_func_type(cx->mod, in->imm.index);
    return finish_call(cx, in, ft, in->op == OP_RETURN_CALL, diag);
}

OUT_OF_LINE static Err op_call_indirect(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t type = in->imm.pair.x, table = in->imm.pair.y;
    if (table >= cx->mod->n_tables)
        return valid_unknown(in, "table", table, diag);
    const FuncType *ft = NULL;
    TRY(valid_func_type(cx, in, type, &ft, diag));
    const TableType *tt = &cx->mod->tables[table].type;
    if (!mod_val_sub(cx->mod, cx->reg, tt->elem, ir_reftype(true, HT_FUNC)))
        return FAIL(diag, ERR_INVALID, in->offset,
                    "type mismatch: instruction requires table of function type");
    TRY(vpop(cx, tt->limits.is64 ? VT_I64 : VT_I32, in, diag));
    return finish_call(cx, in, ft, in->op == OP_RETURN_CALL_INDIRECT, diag);
}

OUT_OF_LINE static Err op_call_ref(ValidCtx *cx, const Instr *in, Diag *diag) {
    const FuncType *ft = NULL;
    TRY(valid_func_type(cx, in, in->imm.index, &ft, diag));
    TRY(vpop(cx, ir_reftype(true, (int32_t)in->imm.index), in, diag));
    return finish_call(cx, in, ft, in->op == OP_RETURN_CALL_REF, diag);
}

/* ---- Exception blocks -------------------------------------------------------------- */

static Err tag_params(ValidCtx *cx, const Instr *in, uint32_t tag, const FuncType **out,
                      Diag *diag) {
    if (tag >= cx->mod->n_tags)
        return valid_unknown(in, "tag", tag, diag);
    uint32_t type = cx->mod->tags[tag].type.type;
    if (type >= cx->mod->n_types || cx->mod->types[type].kind != COMP_FUNC)
        return valid_unknown(in, "type", type, diag);
    *out = &cx->mod->types[type].func;
    return OK;
}

OUT_OF_LINE static Err op_throw(ValidCtx *cx, const Instr *in, Diag *diag) {
    const FuncType *ft = NULL;
    TRY(tag_params(cx, in, in->imm.index, &ft, diag));
    TRY(valid_pop_n(cx, ft->params, ft->n_params, in, diag));
    set_unreachable(cx);
    return OK;
}

/* A catch clause delivers `ts` (+ an exnref) to its label. */
static Err check_catch(ValidCtx *cx, const Instr *in, const Catch *k, Diag *diag) {
    TRY(valid_label(cx, in, k->label, diag));
    const FuncType *ft = NULL;
    if (k->kind == CATCH_TAG || k->kind == CATCH_TAG_REF)
        TRY(tag_params(cx, in, k->tag, &ft, diag));
    uint32_t n_have = ft ? ft->n_params : 0;
    bool with_ref = k->kind == CATCH_TAG_REF || k->kind == CATCH_ALL_REF;
    uint32_t n;
    const ValType *ts = label_types(ctrl_at(cx, k->label), &n);
    if (n != n_have + with_ref)
        return valid_mismatch(in, diag);
    for (uint32_t i = 0; i < n_have; i++)
        if (!mod_val_sub(cx->mod, cx->reg, ft->params[i], ts[i]))
            return valid_mismatch(in, diag);
    if (with_ref && !mod_val_sub(cx->mod, cx->reg, ir_reftype(false, HT_EXN), ts[n - 1]))
        return valid_mismatch(in, diag);
    return OK;
}

OUT_OF_LINE static Err op_try_table(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) {
    Instr *in = &instrs[idx];
    TryTable *tt = in->imm.try_table;
    Ctrl c;
    TRY(block_sig(cx, in, &tt->type, &c, diag));
    for (uint32_t i = 0; i < tt->n_catches; i++)
        TRY(check_catch(cx, in, &tt->catches[i], diag));
    return push_ctrl(cx, in, OP_TRY_TABLE, idx, &c, diag);
}

OUT_OF_LINE static Err op_catch(ValidCtx *cx, const Instr *in, Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    if (c->op != OP_TRY && c->op != OP_CATCH)
        return FAIL(diag, ERR_INVALID, in->offset, "catch without matching try");
    const FuncType *ft = NULL;
    if (in->op == OP_CATCH)
        TRY(tag_params(cx, in, in->imm.index, &ft, diag));
    TRY(check_frame_end(cx, in, diag));
    next_arm(cx, in->op == OP_CATCH ? OP_CATCH : OP_CATCH_ALL);
    return ft ? vpush_n(cx, ft->params, ft->n_params, diag) : OK;
}

OUT_OF_LINE static Err op_delegate(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) {
    Instr *in = &instrs[idx];
    Ctrl *c = ctrl_top(cx);
    if (c->op != OP_TRY)
        return FAIL(diag, ERR_INVALID, in->offset, "delegate without matching try");
    TRY(check_frame_end(cx, in, diag));
    c = ctrl_top(cx);
    instrs[c->instr].imm.block.end = idx;
    undo_inits(cx, c);
    ctrl_pop(cx);
    TRY(valid_label(cx, in, in->imm.index, diag));
    return vpush_n(cx, ctrl_results(c), c->n_results, diag);
}

OUT_OF_LINE static Err op_rethrow(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(valid_label(cx, in, in->imm.index, diag));
    uint16_t op = ctrl_at(cx, in->imm.index)->op;
    if (op != OP_CATCH && op != OP_CATCH_ALL)
        return FAIL(diag, ERR_INVALID, in->offset, "invalid rethrow label");
    set_unreachable(cx);
    return OK;
}

/* ---- Parametric and variable instructions ----------------------------------------- */

OUT_OF_LINE static Err op_select(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(vpop(cx, VT_I32, in, diag));
    if (in->op == OP_SELECT_T) {
        if (in->imm.select.n != 1)
            return FAIL(diag, ERR_INVALID, in->offset, "invalid result arity");
        ValType t = in->imm.select.types[0];
        TRY(valid_val_type(cx, t, in->offset, diag));
        TRY(vpop(cx, t, in, diag));
        TRY(vpop(cx, t, in, diag));
        return vpush(cx, t, diag);
    }
    ValType t1 = VT_BOT, t2 = VT_BOT;
    TRY(valid_pop_any(cx, in, &t1, diag));
    TRY(valid_pop_any(cx, in, &t2, diag));
    bool ok1 = t1.kind != VK_REF, ok2 = t2.kind != VK_REF;
    if (!ok1 || !ok2)
        return FAIL(diag, ERR_INVALID, in->offset,
                    "type mismatch: instruction requires numeric or vector type");
    if (t1.kind != t2.kind && t1.kind != VK_BOT && t2.kind != VK_BOT)
        return valid_mismatch(in, diag);
    return vpush(cx, t1.kind == VK_BOT ? t2 : t1, diag);
}

static Err op_local_get(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t x = in->imm.index;
    if (x >= cx->locals.len)
        return valid_unknown(in, "local", x, diag);
    if (!cx->local_set.data[x])
        return FAIL(diag, ERR_INVALID, in->offset, "uninitialized local %u", x);
    return vpush(cx, cx->locals.data[x], diag);
}

/* local.set and local.tee */
static Err op_local_set(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t x = in->imm.index;
    if (x >= cx->locals.len)
        return valid_unknown(in, "local", x, diag);
    ValType t = cx->locals.data[x];
    TRY(vpop(cx, t, in, diag));
    if (!cx->local_set.data[x]) {
        cx->local_set.data[x] = 1;
        if (cx->init_log.len == cx->init_log.cap && !VEC_RESERVE(&cx->init_log, 1))
            return FAIL_NOMEM(diag);
        cx->init_log.data[cx->init_log.len++] = x;
    }
    return in->op == OP_LOCAL_TEE ? vpush(cx, t, diag) : OK;
}

OUT_OF_LINE static Err op_global(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t x = in->imm.index;
    if (x >= cx->n_globals_vis)
        return valid_unknown(in, "global", x, diag);
    const GlobalType *gt = &cx->mod->globals[x].type;
    if (in->op == OP_GLOBAL_GET) {
        if (cx->const_mode && gt->mutable_)
            return FAIL(diag, ERR_INVALID, in->offset, "constant expression required");
        return vpush(cx, gt->type, diag);
    }
    if (!gt->mutable_)
        return FAIL(diag, ERR_INVALID, in->offset, "immutable global");
    return vpop(cx, gt->type, in, diag);
}

/* ---- Dispatch ---------------------------------------------------------------------- */

/* Lane and memory immediates of fixed-signature rows. */
static Err check_imm(ValidCtx *cx, const Instr *in, const OpFacts *f, ValType *addr, Diag *diag);

/* The common case of a fixed row, done in place: its operands are on the
 * stack with exactly the kinds it takes (none unknown) and there is room for
 * its result. Returns false, having changed nothing, otherwise. */
static inline bool fixed_fast(ValidCtx *cx, const OpFacts *f, bool addr64) {
    size_t len = cx->vals.len;
    uint32_t n_in = f->n_in;
    if (len - ctrl_top(cx)->height < n_in || len == cx->vals.cap)
        return false;
    ValType *top = cx->vals.data + len - n_in;
    const uint8_t *want = f->in[addr64];
    bool match;
    switch (n_in) { /* unrolled: no row takes more than three operands */
    case 0: match = true; break;
    case 1: match = top[0].kind == want[0]; break;
    case 2: match = top[0].kind == want[0] && top[1].kind == want[1]; break;
    case 3:
        match = top[0].kind == want[0] && top[1].kind == want[1] && top[2].kind == want[2];
        break;
    default: match = false; break;
    }
    if (!match)
        return false;
    if (f->n_out)
        top[0] = f->out[addr64];
    len = len - n_in + f->n_out;
    cx->vals.len = len;
    if (len > cx->max_stack)
        cx->max_stack = (uint32_t)len;
    return true;
}

/* Everything fixed_fast leaves: unknown or mismatched operands, growth. */
OUT_OF_LINE static Err fixed_slow(ValidCtx *cx, const Instr *in, const OpFacts *f, bool addr64,
                                  Diag *diag) {
    ValType want[4];
    for (uint32_t i = 0; i < f->n_in; i++)
        want[i] = ir_valtype((ValKind)f->in[addr64][i]);
    TRY(valid_pop_n(cx, want, f->n_in, in, diag));
    if (f->n_out)
        TRY(vpush(cx, f->out[addr64], diag));
    return OK;
}

/* A fixed row with immediates to check (memarg, lane, memory, segment). */
OUT_OF_LINE static Err check_fixed_imm(ValidCtx *cx, const Instr *in, const OpFacts *f,
                                       Diag *diag) {
    ValType addr = VT_I32;
    TRY(check_imm(cx, in, f, &addr, diag));
    bool addr64 = addr.kind == VK_I64;
    if (fixed_fast(cx, f, addr64))
        return OK;
    return fixed_slow(cx, in, f, addr64, diag);
}

static Err check_instr(ValidCtx *cx, const uint8_t *rule, Instr *instrs, uint32_t idx, uint32_t n,
                       Diag *diag) {
    Instr *in = &instrs[idx];
    switch (rule[in->op]) {
    case RULE_NOT_CONST: return FAIL(diag, ERR_INVALID, in->offset, "constant expression required");
    case RULE_FIXED:
        if (fixed_fast(cx, &facts[in->op], false))
            return OK;
        return fixed_slow(cx, in, &facts[in->op], false, diag);
    case RULE_FIXED_IMM: return check_fixed_imm(cx, in, &facts[in->op], diag);
    case RULE_UNREACHABLE: set_unreachable(cx); return OK;
    case RULE_BLOCK: return op_block(cx, instrs, idx, diag);
    case RULE_ELSE: return op_else(cx, instrs, idx, diag);
    case RULE_END:
        TRY(op_end(cx, instrs, idx, diag));
        /* only end closes the outermost frame */
        if (cx->ctrls.len == 0 && idx + 1 < n)
            return FAIL(diag, ERR_INVALID, instrs[idx + 1].offset,
                        "operators remaining after end of function");
        return OK;
    case RULE_BR: return op_br(cx, in, diag);
    case RULE_BR_IF: return op_br_if(cx, in, diag);
    case RULE_BR_TABLE: return op_br_table(cx, in, diag);
    case RULE_RETURN: return op_return(cx, in, diag);
    case RULE_CALL: return op_call(cx, in, diag);
    case RULE_CALL_INDIRECT: return op_call_indirect(cx, in, diag);
    case RULE_CALL_REF: return op_call_ref(cx, in, diag);
    case RULE_DROP: {
        ValType t = VT_BOT;
        return valid_pop_any(cx, in, &t, diag);
    }
    case RULE_SELECT: return op_select(cx, in, diag);
    case RULE_LOCAL_GET: return op_local_get(cx, in, diag);
    case RULE_LOCAL_SET: return op_local_set(cx, in, diag);
    case RULE_GLOBAL: return op_global(cx, in, diag);
    case RULE_THROW: return op_throw(cx, in, diag);
    case RULE_TRY_TABLE: return op_try_table(cx, instrs, idx, diag);
    case RULE_CATCH: return op_catch(cx, in, diag);
    case RULE_DELEGATE: return op_delegate(cx, instrs, idx, diag);
    case RULE_RETHROW: return op_rethrow(cx, in, diag);
    default: return valid_instr_ext(cx, instrs, idx, diag);
    }
}

static Err check_instrs(ValidCtx *cx, Instr *instrs, uint32_t n, Diag *diag) {
    const uint8_t *rule = rules[cx->const_mode];
    for (uint32_t i = 0; i < n; i++)
        TRY(check_instr(cx, rule, instrs, i, n, diag));
    if (cx->ctrls.len != 0)
        return FAIL(diag, ERR_INVALID, n ? instrs[n - 1].offset : 0, "unexpected end");
    return OK;
}

Err valid_expr(ValidCtx *cx, Instr *instrs, uint32_t n, const ValType *results,
               uint32_t n_results, Diag *diag) {
    pthread_once(&facts_once, init_facts);
    cx->vals.len = 0;
    cx->ctrls.len = 0;
    cx->init_log.len = 0;
    cx->max_stack = 0;
    cx->max_depth = 0;
    Ctrl c = {0};
    c.op = OP_CALL;
    c.n_results = n_results;
    c.results = results;
    TRY(ctrl_push(cx, &c, diag));
    return check_instrs(cx, instrs, n, diag);
}

/* ---- Functions ------------------------------------------------------------------------ */

static Err setup_locals(ValidCtx *cx, const FuncType *ft, const Code *code, Diag *diag) {
    uint64_t n = ft->n_params + code->n_locals;
    cx->locals.len = 0;
    cx->local_set.len = 0;
    if (n > UINT32_MAX)
        return FAIL(diag, ERR_INVALID, code->offset, "too many locals");
    if (!VEC_RESERVE(&cx->locals, n) || !VEC_RESERVE(&cx->local_set, n))
        return FAIL_NOMEM(diag);
    for (uint32_t i = 0; i < ft->n_params; i++) {
        cx->locals.data[cx->locals.len++] = ft->params[i];
        cx->local_set.data[cx->local_set.len++] = 1;
    }
    for (uint32_t g = 0; g < code->n_local_groups; g++) {
        const LocalGroup *lg = &code->local_groups[g];
        TRY(valid_val_type(cx, lg->type, code->offset, diag));
        uint8_t set = mod_defaultable(lg->type);
        for (uint32_t i = 0; i < lg->count; i++) {
            cx->locals.data[cx->locals.len++] = lg->type;
            cx->local_set.data[cx->local_set.len++] = set;
        }
    }
    return OK;
}

Err valid_func_body(ValidCtx *cx, uint32_t func_index, Diag *diag) {
    Func *f = &cx->mod->funcs[func_index];
    const FuncType *ft = ir_func_type(cx->mod, func_index);
    Code *code = &f->code;
    cx->func_type = ft;
    cx->const_mode = false;
    cx->n_globals_vis = cx->mod->n_globals;
    TRY(setup_locals(cx, ft, code, diag));
    if (code->n_instrs == 0 || code->instrs[code->n_instrs - 1].op != OP_END)
        return FAIL(diag, ERR_INVALID, code->offset, "unexpected end");
    TRY(valid_expr(cx, code->instrs, code->n_instrs, ft->results, ft->n_results, diag));
    code->max_stack = cx->max_stack;
    code->max_depth = cx->max_depth;
    return OK;
}

/* ---- Immediates of fixed rows ------------------------------------------------------- */

/* Bytes accessed by a load/store row, from its text name ("i64.load32_u": 4,
 * "v128.load8x8_s": 8, "v128.load8_lane": 1). */
static uint32_t access_bytes(const char *text) {
    uint32_t bytes = strncmp(text, "v128", 4) == 0 ? 16 : text[1] == '6' ? 8 : 4;
    const char *p = strstr(text, ".load");
    if (p)
        p += 5;
    else if ((p = strstr(text, ".store")) != NULL)
        p += 6;
    if (p && isdigit((unsigned char)*p)) {
        char *end;
        unsigned long n = strtoul(p, &end, 10);
        bytes = *end == 'x' ? 8 : (uint32_t)(n / 8);
    }
    return bytes;
}

static uint32_t log2u(uint32_t n) {
    uint32_t k = 0;
    while ((1u << k) < n)
        k++;
    return k;
}

static Err check_memarg(ValidCtx *cx, const Instr *in, const OpFacts *f, ValType *addr,
                        Diag *diag) {
    TRY(valid_memory(cx, in, in->imm.memarg.mem, addr, diag));
    if (in->a > f->max_align)
        return FAIL(diag, ERR_INVALID, in->offset, "alignment must not be larger than natural");
    if (addr->kind == VK_I32 && in->imm.memarg.offset > UINT32_MAX)
        return FAIL(diag, ERR_INVALID, in->offset, "offset out of range");
    if (f->imm == IMM_MEMARG_LANE && in->b >= f->lanes)
        return FAIL(diag, ERR_INVALID, in->offset, "invalid lane index");
    return OK;
}

/* Lanes of a shape-prefixed row ("i16x8.extract_lane_s": 8). */
static uint32_t shape_lanes(const char *text) {
    const char *x = strchr(text, 'x');
    return x ? (uint32_t)strtoul(x + 1, NULL, 10) : 16;
}

static Err check_imm(ValidCtx *cx, const Instr *in, const OpFacts *f, ValType *addr, Diag *diag) {
    switch (f->imm) {
    case IMM_MEMARG:
    case IMM_MEMARG_LANE: return check_memarg(cx, in, f, addr, diag);
    case IMM_MEMORY: return valid_memory(cx, in, in->imm.index, addr, diag);
    case IMM_DATA_MEMORY:
        TRY(valid_memory(cx, in, in->imm.pair.y, addr, diag));
        if (in->imm.pair.x >= cx->mod->n_datas)
            return valid_unknown(in, "data segment", in->imm.pair.x, diag);
        return OK;
    case IMM_DATA:
        if (in->imm.index >= cx->mod->n_datas)
            return valid_unknown(in, "data segment", in->imm.index, diag);
        return OK;
    case IMM_ELEM:
        if (in->imm.index >= cx->mod->n_elems)
            return valid_unknown(in, "elem segment", in->imm.index, diag);
        return OK;
    case IMM_LANE:
        if (in->a >= f->lanes)
            return FAIL(diag, ERR_INVALID, in->offset, "invalid lane index");
        return OK;
    case IMM_SHUFFLE:
        for (int i = 0; i < 16; i++)
            if (in->imm.v128[i] >= 32)
                return FAIL(diag, ERR_INVALID, in->offset, "invalid lane index");
        return OK;
    default: return OK;
    }
}
