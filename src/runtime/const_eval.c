/* Constant expressions (spec: Validation > Constant Expressions): global and
 * table initializers, segment offsets and element items, evaluated in an
 * instance's context. Validated input only. Integer arithmetic wraps
 * (unsigned). GC allocations here never collect: the values on this stack are
 * not roots. */
#include <string.h>

#include "runtime_int.h"

enum { SMALL_STACK = 64 };

static Err alloc_failed(TrapCode code, const Instr *in, Diag *diag) {
    return FAIL(diag, ERR_TRAP, in->offset, "%s", rt_trap_message(code));
}

/* struct.new / struct.new_default: the fields are the top n values (or zero). */
static Err eval_struct(VMContext *cx, const Instr *in, ValRaw *stack, uint32_t *sp, ValRaw *out,
                       Diag *diag) {
    const StructType *st = &cx->module->ir->types[in->imm.index].strct;
    TrapCode code;
    RtGcObject *obj = rt_gc_new_struct(cx->store, cx->canon_types[in->imm.index], false, &code);
    if (!obj)
        return alloc_failed(code, in, diag);
    if (in->op == OP_STRUCT_NEW) {
        *sp -= st->n_fields;
        uint32_t at = RT_GC_STRUCT_FIELDS;
        for (uint32_t k = 0; k < st->n_fields; k++) {
            uint32_t size = rt_gc_storage_size(st->fields[k].type);
            rt_gc_store((uint8_t *)obj + rt_gc_field_place(&at, size), size, &stack[*sp + k]);
        }
    }
    out->ref = obj;
    return OK;
}

/* array.new (value, n), array.new_default (n), array.new_fixed (n values). */
static Err eval_array(VMContext *cx, const Instr *in, ValRaw *stack, uint32_t *sp, ValRaw *out,
                      Diag *diag) {
    uint32_t type = in->op == OP_ARRAY_NEW_FIXED ? in->imm.pair.x : in->imm.index;
    uint64_t n = in->op == OP_ARRAY_NEW_FIXED ? in->imm.pair.y : (uint32_t)stack[--*sp].i32;
    const ValRaw *vals = in->op == OP_ARRAY_NEW ? &stack[--*sp] : NULL;
    if (in->op == OP_ARRAY_NEW_FIXED) {
        *sp -= (uint32_t)n;
        vals = &stack[*sp];
    }
    TrapCode code;
    RtGcArray *arr = rt_gc_new_array(cx->store, cx->canon_types[type], n, false, &code);
    if (!arr)
        return alloc_failed(code, in, diag);
    uint32_t size = rt_gc_array_elem_size(cx->module->engine, cx->canon_types[type]);
    uint8_t *data = (uint8_t *)arr + RT_GC_ARRAY_DATA;
    for (uint64_t i = 0; vals && i < n; i++)
        rt_gc_store(data + i * size, size, in->op == OP_ARRAY_NEW ? vals : &vals[i]);
    out->ref = arr;
    return OK;
}

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
    case OP_STRUCT_NEW: case OP_STRUCT_NEW_DEFAULT: TRY(eval_struct(cx, in, stack, sp, &v, diag)); break;
    case OP_ARRAY_NEW: case OP_ARRAY_NEW_DEFAULT: case OP_ARRAY_NEW_FIXED:
        TRY(eval_array(cx, in, stack, sp, &v, diag));
        break;
    case OP_REF_I31: v.ref = rt_i31_new((uint32_t)stack[--*sp].i32); break;
    case OP_ANY_CONVERT_EXTERN: case OP_EXTERN_CONVERT_ANY: v.ref = rt_ref_convert(stack[--*sp].ref); break;
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
