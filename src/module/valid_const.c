/* Constant expressions (spec: Validation > Instructions > Constant
 * Expressions, Wasm 3.0 with extended-const and GC): the instruction typer runs
 * in const mode, which admits only constant instructions and global.get of
 * immutable globals visible at that point. */
#include "valid_stack.h"

bool valid_is_const_op(uint16_t op) {
    switch (op) {
    case OP_I32_CONST:
    case OP_I64_CONST:
    case OP_F32_CONST:
    case OP_F64_CONST:
    case OP_V128_CONST:
    case OP_I32_ADD:
    case OP_I32_SUB:
    case OP_I32_MUL:
    case OP_I64_ADD:
    case OP_I64_SUB:
    case OP_I64_MUL:
    case OP_REF_NULL:
    case OP_REF_FUNC:
    case OP_REF_I31:
    case OP_GLOBAL_GET:
    case OP_STRUCT_NEW:
    case OP_STRUCT_NEW_DEFAULT:
    case OP_ARRAY_NEW:
    case OP_ARRAY_NEW_DEFAULT:
    case OP_ARRAY_NEW_FIXED:
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY:
    case OP_END:
        return true;
    default:
        return false;
    }
}

Err valid_const_expr(ValidCtx *cx, ConstExpr *expr, ValType type, Diag *diag) {
    if (expr->n_instrs == 0 || expr->instrs[expr->n_instrs - 1].op != OP_END)
        return FAIL(diag, ERR_INVALID, expr->offset, "unexpected end");
    cx->const_mode = true;
    cx->locals.len = 0;
    cx->local_set.len = 0;
    Err err = valid_expr(cx, expr->instrs, expr->n_instrs, &type, 1, diag);
    cx->const_mode = false;
    return err;
}
