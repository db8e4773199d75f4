/* The operand and control stacks of instruction validation (spec: Appendix >
 * Validation Algorithm), as inline helpers shared by valid_func.c and
 * valid_instr.c. VK_BOT is the unknown type of unreachable code; a popped
 * unknown reference is (ref bot). No helper allocates except on stack growth. */
#ifndef WASMC_MODULE_VALID_STACK_H
#define WASMC_MODULE_VALID_STACK_H

#include <string.h>

#include "module_int.h"

#define VT_BOT ((ValType){VK_BOT, 0, 0, 0})
#define VT_I32 ((ValType){VK_I32, 0, 0, 0})
#define VT_I64 ((ValType){VK_I64, 0, 0, 0})

static inline Ctrl *ctrl_top(ValidCtx *cx) {
    return cx->top;
}

static inline Err ctrl_push(ValidCtx *cx, const Ctrl *c, Diag *diag) {
    if (cx->ctrls.len == cx->ctrls.cap && !VEC_RESERVE(&cx->ctrls, 1))
        return FAIL_NOMEM(diag);
    cx->top = &cx->ctrls.data[cx->ctrls.len++];
    *cx->top = *c;
    if (cx->ctrls.len > cx->max_depth)
        cx->max_depth = (uint32_t)cx->ctrls.len;
    return OK;
}

/* The popped frame stays readable until the next push. */
static inline void ctrl_pop(ValidCtx *cx) {
    cx->ctrls.len--;
    cx->top = cx->ctrls.len ? &cx->ctrls.data[cx->ctrls.len - 1] : NULL;
}

/* Label i counted from the innermost frame; the caller checked i < len. */
static inline Ctrl *ctrl_at(ValidCtx *cx, uint32_t depth) {
    return &cx->ctrls.data[cx->ctrls.len - 1 - depth];
}

static inline const ValType *ctrl_results(const Ctrl *c) {
    return c->single ? &c->one : c->results;
}

static inline const ValType *label_types(const Ctrl *c, uint32_t *out_n) {
    if (c->op == OP_LOOP) {
        *out_n = c->n_params;
        return c->params;
    }
    *out_n = c->n_results;
    return ctrl_results(c);
}

static inline Err vpush(ValidCtx *cx, ValType t, Diag *diag) {
    size_t len = cx->vals.len;
    if (len == cx->vals.cap && !VEC_RESERVE(&cx->vals, 1))
        return FAIL_NOMEM(diag);
    cx->vals.data[len++] = t;
    cx->vals.len = len;
    if (len > cx->max_stack)
        cx->max_stack = (uint32_t)len;
    return OK;
}

static inline Err vpush_n(ValidCtx *cx, const ValType *ts, uint32_t n, Diag *diag) {
    if (cx->vals.cap - cx->vals.len < n && !VEC_RESERVE(&cx->vals, n))
        return FAIL_NOMEM(diag);
    for (uint32_t i = 0; i < n; i++)
        cx->vals.data[cx->vals.len++] = ts[i];
    if (cx->vals.len > cx->max_stack)
        cx->max_stack = (uint32_t)cx->vals.len;
    return OK;
}

/* Pop n values matching types[0..n) (types[n-1] on top). The message names
 * both sequences, as the reference interpreter does. */
Err valid_pop_n(ValidCtx *cx, const ValType *types, uint32_t n, const Instr *in, Diag *diag) WARN_UNUSED;

/* Byte-identical types are equal, hence subtypes. (ValTypes are built zeroed;
 * a type differing only in padding would just take the slow path.) */
static inline bool same_type(const ValType *a, const ValType *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

/* Are the top n values (above the frame's height) exactly types[0..n)? */
static inline bool vtop_is(ValidCtx *cx, const ValType *types, uint32_t n) {
    size_t len = cx->vals.len;
    if (len - ctrl_top(cx)->height < n)
        return false;
    /* indexed, not a pointer to the top: the stack may be unallocated if n == 0 */
    for (uint32_t i = 0; i < n; i++)
        if (!same_type(&cx->vals.data[len - n + i], &types[i]))
            return false;
    return true;
}

/* valid_pop_n with the common case inline. */
static inline Err vpop_n(ValidCtx *cx, const ValType *types, uint32_t n, const Instr *in,
                         Diag *diag) {
    if (vtop_is(cx, types, n)) {
        cx->vals.len -= n;
        return OK;
    }
    return valid_pop_n(cx, types, n, in, diag);
}

/* Pop values matching types[0..n) and push types[0..n) (a branch that may
 * fall through): nothing to do when the stack holds exactly those types. */
static inline Err vpop_push_n(ValidCtx *cx, const ValType *types, uint32_t n, const Instr *in,
                              Diag *diag) {
    if (vtop_is(cx, types, n))
        return OK;
    TRY(valid_pop_n(cx, types, n, in, diag));
    return vpush_n(cx, types, n, diag);
}

static inline Err vpop(ValidCtx *cx, ValType expect, const Instr *in, Diag *diag) {
    Ctrl *c = ctrl_top(cx);
    if (cx->vals.len > c->height) {
        ValType actual = cx->vals.data[cx->vals.len - 1];
        if (actual.kind == expect.kind && (actual.kind != VK_REF ||
                                           mod_val_sub(cx->mod, cx->reg, actual, expect))) {
            cx->vals.len--;
            return OK;
        }
        if (actual.kind == VK_BOT) {
            cx->vals.len--;
            return OK;
        }
    } else if (c->unreachable) {
        return OK;
    }
    return valid_pop_n(cx, &expect, 1, in, diag);
}

/* Pop any value; VK_BOT when the stack is polymorphic. */
Err valid_pop_any(ValidCtx *cx, const Instr *in, ValType *out, Diag *diag) WARN_UNUSED;
/* Pop a value matching `expect` and return the actual type. */
Err valid_pop_get(ValidCtx *cx, ValType expect, const Instr *in, ValType *out, Diag *diag) WARN_UNUSED;
/* Pop a reference; an unknown value gives (ref bot). */
Err valid_pop_ref(ValidCtx *cx, const Instr *in, ValType *out, Diag *diag) WARN_UNUSED;

static inline void set_unreachable(ValidCtx *cx) {
    Ctrl *c = ctrl_top(cx);
    cx->vals.len = c->height;
    c->unreachable = true;
}

/* Errors with the suite's wording; `what` is e.g. "local", "function". */
Err valid_unknown(const Instr *in, const char *what, uint32_t index, Diag *diag) WARN_UNUSED;
Err valid_mismatch(const Instr *in, Diag *diag) WARN_UNUSED;

/* Index-space lookups that fail with "unknown X n". */
Err valid_label(ValidCtx *cx, const Instr *in, uint32_t depth, Diag *diag) WARN_UNUSED;
Err valid_func_type(ValidCtx *cx, const Instr *in, uint32_t type, const FuncType **out,
                    Diag *diag) WARN_UNUSED;

/* valid_instr.c: rules for memory, table, reference, GC and exception
 * instructions; returns OK having typed `ins`, or an error. */
Err valid_instr_ext(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) WARN_UNUSED;
/* The address type of memory `mem` (i32 or i64), failing "unknown memory n". */
static inline Err valid_memory(ValidCtx *cx, const Instr *in, uint32_t mem, ValType *out,
                               Diag *diag) {
    if (mem >= cx->mod->n_memories)
        return valid_unknown(in, "memory", mem, diag);
    *out = cx->mod->memories[mem].type.is64 ? VT_I64 : VT_I32;
    return OK;
}

#endif
