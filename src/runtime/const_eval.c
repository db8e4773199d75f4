/* Constant expressions (spec: Validation > Constant Expressions): global and
 * table initializers, segment offsets and element items, evaluated in an
 * instance's context. Validated input only; GC instructions are reported as
 * unsupported until GC lands. Integer arithmetic wraps (unsigned). */
#include <string.h>

#include "runtime_int.h"

enum { SMALL_STACK = 64 };

static Err eval_instr(VMContext *cx, const Instr *in, ValRaw *stack, uint32_t *sp, Diag *diag) {
    ValRaw v;
    memset(&v, 0, sizeof v);
    switch (in->op) {
    case OP_I32_CONST: v.i32 = in->imm.i32; break;
    case OP_I64_CONST: v.i64 = in->imm.i64; break;
    case OP_F32_CONST: v.f32 = in->imm.f32; break;
    case OP_F64_CONST: v.f64 = in->imm.f64; break;
    case OP_V128_CONST: memcpy(v.v128, in->imm.v128, 16); break;
    case OP_GLOBAL_GET: v = *vmctx_globals(cx)[in->imm.index]; break;
    case OP_REF_NULL: v.ref = NULL; break;
    case OP_REF_FUNC: v.ref = vmctx_funcs(cx)[in->imm.index]; break;
    case OP_I32_ADD: case OP_I32_SUB: case OP_I32_MUL: {
        uint32_t b = (uint32_t)stack[--*sp].i32, a = (uint32_t)stack[--*sp].i32;
        uint32_t r = in->op == OP_I32_ADD ? a + b : in->op == OP_I32_SUB ? a - b : a * b;
        v.i32 = (int32_t)r;
        break;
    }
    case OP_I64_ADD: case OP_I64_SUB: case OP_I64_MUL: {
        uint64_t b = (uint64_t)stack[--*sp].i64, a = (uint64_t)stack[--*sp].i64;
        uint64_t r = in->op == OP_I64_ADD ? a + b : in->op == OP_I64_SUB ? a - b : a * b;
        v.i64 = (int64_t)r;
        break;
    }
    default:
        return FAIL(diag, ERR_UNSUPPORTED, in->offset, "unsupported constant instruction %s",
                    op_info[in->op].text);
    }
    stack[(*sp)++] = v;
    return OK;
}

Err rt_const_eval(VMContext *cx, const ConstExpr *expr, ValRaw *out, Diag *diag) {
    ValRaw small[SMALL_STACK], *stack = small;
    if (expr->n_instrs > SMALL_STACK) {
        stack = mem_alloc(expr->n_instrs * sizeof *stack);
        if (!stack)
            return FAIL_NOMEM(diag);
    }
    uint32_t sp = 0;
    Err err = OK;
    for (uint32_t i = 0; i < expr->n_instrs && err == OK; i++)
        if (expr->instrs[i].op != OP_END)
            err = eval_instr(cx, &expr->instrs[i], stack, &sp, diag);
    if (err == OK)
        *out = stack[sp - 1];
    if (stack != small)
        mem_free(stack);
    return err;
}
