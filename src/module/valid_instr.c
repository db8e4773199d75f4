/* Instruction typing, part 2: hand rules for memory and table instructions
 * with several address types, references and casts, GC structs, arrays and
 * i31 (spec: Validation > Instructions). Called from the dispatch loop in
 * valid_func.c for every "*" row it does not handle itself. */
#include "valid_stack.h"

static ValType addr_type(bool is64) {
    return is64 ? VT_I64 : VT_I32;
}

static Err table_of(ValidCtx *cx, const Instr *in, uint32_t table, const TableType **out,
                    Diag *diag) {
    if (table >= cx->mod->n_tables)
        return valid_unknown(in, "table", table, diag);
    *out = &cx->mod->tables[table].type;
    return OK;
}

/* The smaller of two address types: i64 only when both are. */
static ValType addr_min(ValType a, ValType b) {
    return a.kind == VK_I64 && b.kind == VK_I64 ? VT_I64 : VT_I32;
}

static Err op_memory_copy(ValidCtx *cx, const Instr *in, Diag *diag) {
    ValType dst = VT_I32, src = VT_I32;
    TRY(valid_memory(cx, in, in->imm.pair.x, &dst, diag));
    TRY(valid_memory(cx, in, in->imm.pair.y, &src, diag));
    ValType want[3] = {dst, src, addr_min(dst, src)};
    return valid_pop_n(cx, want, 3, in, diag);
}

/* ---- Tables --------------------------------------------------------------------- */

static Err op_table(ValidCtx *cx, const Instr *in, Diag *diag) {
    const TableType *tt = NULL;
    TRY(table_of(cx, in, in->imm.index, &tt, diag));
    ValType at = addr_type(tt->limits.is64), et = tt->elem;
    switch (in->op) {
    case OP_TABLE_GET: {
        TRY(vpop(cx, at, in, diag));
        return vpush(cx, et, diag);
    }
    case OP_TABLE_SET: {
        ValType want[2] = {at, et};
        return valid_pop_n(cx, want, 2, in, diag);
    }
    case OP_TABLE_SIZE: return vpush(cx, at, diag);
    case OP_TABLE_GROW: {
        ValType want[2] = {et, at};
        TRY(valid_pop_n(cx, want, 2, in, diag));
        return vpush(cx, at, diag);
    }
    default: { /* OP_TABLE_FILL */
        ValType want[3] = {at, et, at};
        return valid_pop_n(cx, want, 3, in, diag);
    }
    }
}

static Err op_table_copy(ValidCtx *cx, const Instr *in, Diag *diag) {
    const TableType *dst = NULL, *src = NULL;
    TRY(table_of(cx, in, in->imm.pair.x, &dst, diag));
    TRY(table_of(cx, in, in->imm.pair.y, &src, diag));
    if (!mod_val_sub(cx->mod, cx->reg, src->elem, dst->elem))
        return valid_mismatch(in, diag);
    ValType a = addr_type(dst->limits.is64), b = addr_type(src->limits.is64);
    ValType want[3] = {a, b, addr_min(a, b)};
    return valid_pop_n(cx, want, 3, in, diag);
}

static Err elem_type(ValidCtx *cx, const Instr *in, uint32_t elem, ValType *out, Diag *diag) {
    if (elem >= cx->mod->n_elems)
        return valid_unknown(in, "elem segment", elem, diag);
    *out = cx->mod->elems[elem].type;
    return OK;
}

static Err op_table_init(ValidCtx *cx, const Instr *in, Diag *diag) {
    const TableType *tt = NULL;
    ValType et = VT_BOT;
    TRY(table_of(cx, in, in->imm.pair.y, &tt, diag));
    TRY(elem_type(cx, in, in->imm.pair.x, &et, diag));
    if (!mod_val_sub(cx->mod, cx->reg, et, tt->elem))
        return valid_mismatch(in, diag);
    ValType want[3] = {addr_type(tt->limits.is64), VT_I32, VT_I32};
    return valid_pop_n(cx, want, 3, in, diag);
}

/* ---- References ------------------------------------------------------------------ */

static Err op_ref_func(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t x = in->imm.index;
    if (x >= cx->mod->n_funcs)
        return valid_unknown(in, "function", x, diag);
    if (!cx->const_mode && !cx->declared[x])
        return FAIL(diag, ERR_INVALID, in->offset, "undeclared function reference");
    return vpush(cx, ir_reftype(false, (int32_t)cx->mod->funcs[x].type), diag);
}

static Err op_ref_simple(ValidCtx *cx, const Instr *in, Diag *diag) {
    ValType t = VT_BOT;
    switch (in->op) {
    case OP_REF_NULL:
        TRY(valid_heap_type(cx, in->imm.heap, in->offset, diag));
        return vpush(cx, ir_reftype(true, in->imm.heap), diag);
    case OP_REF_IS_NULL:
        TRY(valid_pop_ref(cx, in, &t, diag));
        return vpush(cx, VT_I32, diag);
    case OP_REF_AS_NON_NULL:
        TRY(valid_pop_ref(cx, in, &t, diag));
        return vpush(cx, ir_reftype(false, t.heap), diag);
    case OP_REF_EQ: {
        ValType want[2] = {ir_reftype(true, HT_EQ), ir_reftype(true, HT_EQ)};
        TRY(valid_pop_n(cx, want, 2, in, diag));
        return vpush(cx, VT_I32, diag);
    }
    case OP_REF_I31:
        TRY(vpop(cx, VT_I32, in, diag));
        return vpush(cx, ir_reftype(false, HT_I31), diag);
    case OP_I31_GET_S:
    case OP_I31_GET_U:
        TRY(vpop(cx, ir_reftype(true, HT_I31), in, diag));
        return vpush(cx, VT_I32, diag);
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY: {
        bool to_any = in->op == OP_ANY_CONVERT_EXTERN;
        TRY(valid_pop_get(cx, ir_reftype(true, to_any ? HT_EXTERN : HT_ANY), in, &t, diag));
        bool nullable = t.kind == VK_REF && t.nullable;
        return vpush(cx, ir_reftype(nullable, to_any ? HT_ANY : HT_EXTERN), diag);
    }
    case OP_THROW_REF:
        TRY(vpop(cx, ir_reftype(true, HT_EXN), in, diag));
        set_unreachable(cx);
        return OK;
    default: return FAIL(diag, ERR_UNSUPPORTED, in->offset, "no validation rule for %s",
                         op_info[in->op].text);
    }
}

static Err op_ref_test_cast(ValidCtx *cx, const Instr *in, Diag *diag) {
    int32_t ht = in->imm.heap;
    TRY(valid_heap_type(cx, ht, in->offset, diag));
    TRY(vpop(cx, ir_reftype(true, mod_heap_top(cx->mod, ht)), in, diag));
    if (in->op == OP_REF_TEST || in->op == OP_REF_TEST_NULL)
        return vpush(cx, VT_I32, diag);
    return vpush(cx, ir_reftype(in->op == OP_REF_CAST_NULL, ht), diag);
}

/* Pop the label's values below the reference and push them back. */
static Err keep_label_prefix(ValidCtx *cx, const Instr *in, const ValType *ts, uint32_t n,
                             Diag *diag) {
    TRY(valid_pop_n(cx, ts, n, in, diag));
    return vpush_n(cx, ts, n, diag);
}

static Err op_br_on_null(ValidCtx *cx, const Instr *in, Diag *diag) {
    TRY(valid_label(cx, in, in->imm.index, diag));
    ValType rt = VT_BOT;
    TRY(valid_pop_ref(cx, in, &rt, diag));
    uint32_t n;
    const ValType *ts = label_types(ctrl_at(cx, in->imm.index), &n);
    if (in->op == OP_BR_ON_NULL) {
        TRY(keep_label_prefix(cx, in, ts, n, diag));
        return vpush(cx, ir_reftype(false, rt.heap), diag);
    }
    if (n == 0 || !mod_val_sub(cx->mod, cx->reg, ir_reftype(false, rt.heap), ts[n - 1]))
        return valid_mismatch(in, diag);
    return keep_label_prefix(cx, in, ts, n - 1, diag);
}

static Err op_br_on_cast(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t label = in->imm.cast.label;
    TRY(valid_label(cx, in, label, diag));
    ValType rt1 = ir_reftype(in->a & 1, in->imm.cast.heap1);
    ValType rt2 = ir_reftype((in->a >> 1) & 1, in->imm.cast.heap2);
    TRY(valid_heap_type(cx, rt1.heap, in->offset, diag));
    TRY(valid_heap_type(cx, rt2.heap, in->offset, diag));
    if (!mod_val_sub(cx->mod, cx->reg, rt2, rt1))
        return valid_mismatch(in, diag);
    /* rt1 minus rt2: non-null when the cast target admits null. */
    ValType diff = ir_reftype(rt1.nullable && !rt2.nullable, rt1.heap);
    bool fail = in->op == OP_BR_ON_CAST_FAIL;
    ValType to_label = fail ? diff : rt2, fall = fail ? rt2 : diff;
    uint32_t n;
    const ValType *ts = label_types(ctrl_at(cx, label), &n);
    if (n == 0 || !mod_val_sub(cx->mod, cx->reg, to_label, ts[n - 1]))
        return valid_mismatch(in, diag);
    TRY(vpop(cx, rt1, in, diag));
    TRY(keep_label_prefix(cx, in, ts, n - 1, diag));
    return vpush(cx, fall, diag);
}

/* ---- GC: structs and arrays -------------------------------------------------------- */

static Err comp_type(ValidCtx *cx, const Instr *in, uint32_t type, CompKind kind,
                     const SubType **out, Diag *diag) {
    if (type >= cx->mod->n_types)
        return valid_unknown(in, "type", type, diag);
    if (cx->mod->types[type].kind != kind)
        return valid_mismatch(in, diag);
    *out = &cx->mod->types[type];
    return OK;
}

static ValType ref_to(uint32_t type, bool nullable) {
    return ir_reftype(nullable, (int32_t)type);
}

static Err op_struct_new(ValidCtx *cx, const Instr *in, Diag *diag) {
    const SubType *st = NULL;
    TRY(comp_type(cx, in, in->imm.index, COMP_STRUCT, &st, diag));
    const StructType *s = &st->strct;
    if (in->op == OP_STRUCT_NEW_DEFAULT) {
        for (uint32_t i = 0; i < s->n_fields; i++)
            if (!mod_defaultable(s->fields[i].type))
                return FAIL(diag, ERR_INVALID, in->offset, "field type is not defaultable");
    } else {
        for (uint32_t i = s->n_fields; i-- > 0;)
            TRY(vpop(cx, mod_unpacked(s->fields[i].type), in, diag));
    }
    return vpush(cx, ref_to(in->imm.index, false), diag);
}

static bool is_packed(ValType t) {
    return t.kind == VK_I8 || t.kind == VK_I16;
}

/* get on a packed field needs _s/_u, and only packed fields take them. */
static Err check_packing(const Instr *in, ValType t, bool signed_or_unsigned, Diag *diag) {
    if (is_packed(t) != signed_or_unsigned)
        return FAIL(diag, ERR_INVALID, in->offset, "type mismatch: field is %s",
                    is_packed(t) ? "packed" : "unpacked");
    return OK;
}

static Err op_struct_access(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t type = in->imm.pair.x, field = in->imm.pair.y;
    const SubType *st = NULL;
    TRY(comp_type(cx, in, type, COMP_STRUCT, &st, diag));
    if (field >= st->strct.n_fields)
        return valid_unknown(in, "field", field, diag);
    const FieldType *ft = &st->strct.fields[field];
    ValType t = mod_unpacked(ft->type);
    if (in->op == OP_STRUCT_SET) {
        if (!ft->mutable_)
            return FAIL(diag, ERR_INVALID, in->offset, "immutable field");
        ValType want[2] = {ref_to(type, true), t};
        return valid_pop_n(cx, want, 2, in, diag);
    }
    TRY(check_packing(in, ft->type, in->op != OP_STRUCT_GET, diag));
    TRY(vpop(cx, ref_to(type, true), in, diag));
    return vpush(cx, t, diag);
}

static Err array_field(ValidCtx *cx, const Instr *in, uint32_t type, bool need_mutable,
                       const FieldType **out, Diag *diag) {
    const SubType *st = NULL;
    TRY(comp_type(cx, in, type, COMP_ARRAY, &st, diag));
    if (need_mutable && !st->array.mutable_)
        return FAIL(diag, ERR_INVALID, in->offset, "immutable array");
    *out = &st->array;
    return OK;
}

static Err data_index(ValidCtx *cx, const Instr *in, uint32_t data, Diag *diag) {
    if (data >= cx->mod->n_datas)
        return valid_unknown(in, "data segment", data, diag);
    return OK;
}

static Err check_numeric_field(const Instr *in, const FieldType *ft, Diag *diag) {
    if (ft->type.kind == VK_REF)
        return FAIL(diag, ERR_INVALID, in->offset, "array type is not numeric or vector");
    return OK;
}

static Err check_elem_field(ValidCtx *cx, const Instr *in, uint32_t elem, const FieldType *ft,
                            Diag *diag) {
    ValType et = VT_BOT;
    TRY(elem_type(cx, in, elem, &et, diag));
    if (!mod_storage_sub(cx->mod, cx->reg, et, ft->type))
        return valid_mismatch(in, diag);
    return OK;
}

static Err op_array_new(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t type = in->imm.index;
    if (in->op != OP_ARRAY_NEW && in->op != OP_ARRAY_NEW_DEFAULT)
        type = in->imm.pair.x;
    const FieldType *ft = NULL;
    TRY(array_field(cx, in, type, false, &ft, diag));
    ValType t = mod_unpacked(ft->type);
    switch (in->op) {
    case OP_ARRAY_NEW: {
        ValType want[2] = {t, VT_I32};
        TRY(valid_pop_n(cx, want, 2, in, diag));
        break;
    }
    case OP_ARRAY_NEW_DEFAULT:
        if (!mod_defaultable(ft->type))
            return FAIL(diag, ERR_INVALID, in->offset, "array type is not defaultable");
        TRY(vpop(cx, VT_I32, in, diag));
        break;
    case OP_ARRAY_NEW_FIXED: {
        /* Past the values really on the stack a pop either fails (reachable) or
         * pops the polymorphic stack (unreachable), so one more pop decides the
         * rest: the count may be huge. */
        uint32_t on_stack = (uint32_t)(cx->vals.len - ctrl_top(cx)->height);
        uint32_t n = in->imm.pair.y <= on_stack ? in->imm.pair.y : on_stack + 1;
        for (uint32_t i = 0; i < n; i++)
            TRY(vpop(cx, t, in, diag));
        break;
    }
    default: { /* new_data, new_elem */
        if (in->op == OP_ARRAY_NEW_DATA) {
            TRY(check_numeric_field(in, ft, diag));
            TRY(data_index(cx, in, in->imm.pair.y, diag));
        } else {
            TRY(check_elem_field(cx, in, in->imm.pair.y, ft, diag));
        }
        ValType want[2] = {VT_I32, VT_I32};
        TRY(valid_pop_n(cx, want, 2, in, diag));
        break;
    }
    }
    return vpush(cx, ref_to(type, false), diag);
}

static Err op_array_access(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t type = in->imm.index;
    bool set = in->op == OP_ARRAY_SET || in->op == OP_ARRAY_FILL;
    const FieldType *ft = NULL;
    TRY(array_field(cx, in, type, set, &ft, diag));
    ValType t = mod_unpacked(ft->type), r = ref_to(type, true);
    switch (in->op) {
    case OP_ARRAY_SET: {
        ValType want[3] = {r, VT_I32, t};
        return valid_pop_n(cx, want, 3, in, diag);
    }
    case OP_ARRAY_FILL: {
        ValType want[4] = {r, VT_I32, t, VT_I32};
        return valid_pop_n(cx, want, 4, in, diag);
    }
    default: {
        TRY(check_packing(in, ft->type, in->op != OP_ARRAY_GET, diag));
        ValType want[2] = {r, VT_I32};
        TRY(valid_pop_n(cx, want, 2, in, diag));
        return vpush(cx, t, diag);
    }
    }
}

static Err op_array_bulk(ValidCtx *cx, const Instr *in, Diag *diag) {
    uint32_t type = in->imm.pair.x;
    const FieldType *ft = NULL;
    TRY(array_field(cx, in, type, true, &ft, diag));
    ValType r = ref_to(type, true);
    if (in->op == OP_ARRAY_COPY) {
        const FieldType *src = NULL;
        TRY(array_field(cx, in, in->imm.pair.y, false, &src, diag));
        if (!mod_storage_sub(cx->mod, cx->reg, src->type, ft->type))
            return FAIL(diag, ERR_INVALID, in->offset, "array types do not match");
        ValType want[5] = {r, VT_I32, ref_to(in->imm.pair.y, true), VT_I32, VT_I32};
        return valid_pop_n(cx, want, 5, in, diag);
    }
    if (in->op == OP_ARRAY_INIT_DATA) {
        TRY(check_numeric_field(in, ft, diag));
        TRY(data_index(cx, in, in->imm.pair.y, diag));
    } else {
        TRY(check_elem_field(cx, in, in->imm.pair.y, ft, diag));
    }
    ValType want[4] = {r, VT_I32, VT_I32, VT_I32};
    return valid_pop_n(cx, want, 4, in, diag);
}

Err valid_instr_ext(ValidCtx *cx, Instr *instrs, uint32_t idx, Diag *diag) {
    const Instr *in = &instrs[idx];
    switch (in->op) {
    case OP_MEMORY_COPY: return op_memory_copy(cx, in, diag);
    case OP_TABLE_GET:
    case OP_TABLE_SET:
    case OP_TABLE_SIZE:
    case OP_TABLE_GROW:
    case OP_TABLE_FILL: return op_table(cx, in, diag);
    case OP_TABLE_COPY: return op_table_copy(cx, in, diag);
    case OP_TABLE_INIT: return op_table_init(cx, in, diag);
    case OP_REF_FUNC: return op_ref_func(cx, in, diag);
    case OP_REF_TEST:
    case OP_REF_TEST_NULL:
    case OP_REF_CAST:
    case OP_REF_CAST_NULL: return op_ref_test_cast(cx, in, diag);
    case OP_BR_ON_NULL:
    case OP_BR_ON_NON_NULL: return op_br_on_null(cx, in, diag);
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL: return op_br_on_cast(cx, in, diag);
    case OP_STRUCT_NEW:
    case OP_STRUCT_NEW_DEFAULT: return op_struct_new(cx, in, diag);
    case OP_STRUCT_GET:
    case OP_STRUCT_GET_S:
    case OP_STRUCT_GET_U:
    case OP_STRUCT_SET: return op_struct_access(cx, in, diag);
    case OP_ARRAY_NEW:
    case OP_ARRAY_NEW_DEFAULT:
    case OP_ARRAY_NEW_FIXED:
    case OP_ARRAY_NEW_DATA:
    case OP_ARRAY_NEW_ELEM: return op_array_new(cx, in, diag);
    case OP_ARRAY_GET:
    case OP_ARRAY_GET_S:
    case OP_ARRAY_GET_U:
    case OP_ARRAY_SET:
    case OP_ARRAY_FILL: return op_array_access(cx, in, diag);
    case OP_ARRAY_LEN:
        TRY(vpop(cx, ir_reftype(true, HT_ARRAY), in, diag));
        return vpush(cx, VT_I32, diag);
    case OP_ARRAY_COPY:
    case OP_ARRAY_INIT_DATA:
    case OP_ARRAY_INIT_ELEM: return op_array_bulk(cx, in, diag);
    default: return op_ref_simple(cx, in, diag);
    }
}
