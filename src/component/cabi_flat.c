/* Canonical ABI: flat lifting and lowering (spec: Flat Lifting, Flat
 * Lowering, Lifting and Lowering Values). A flat value lives in a ValRaw
 * slot as a little-endian 64-bit pattern (i32/f32 zero-extended), so a
 * variant's joined slots need no explicit coercion: reading an i32 or f32
 * case from an i64 slot takes its low 32 bits, which is the spec's wrap. */
#include <string.h>

#include "cabi.h"

static uint32_t slot_u32(const ValRaw *flat, uint32_t pos) {
    return (uint32_t)flat[pos].i32;
}

static void put(ValRaw *flat, uint32_t *pos, uint64_t bits) {
    memset(&flat[*pos], 0, sizeof flat[*pos]);
    flat[*pos].u64[0] = bits;
    (*pos)++;
}

/* ---- Lifting ------------------------------------------------------------------------- */

static Err lift_scalar(CabiCx *cx, const ValRaw *flat, uint32_t *pos, const CompValType *t,
                       CompValue *out) {
    const ValRaw *s = &flat[(*pos)++];
    out->kind = t->kind;
    switch (t->kind) {
    case CVT_BOOL: out->b = s->i32 != 0; return OK;
    case CVT_S8: out->s = (int8_t)s->i32; return OK;
    case CVT_U8: out->u = (uint8_t)s->i32; return OK;
    case CVT_S16: out->s = (int16_t)s->i32; return OK;
    case CVT_U16: out->u = (uint16_t)s->i32; return OK;
    case CVT_S32: out->s = s->i32; return OK;
    case CVT_U32: out->u = (uint32_t)s->i32; return OK;
    case CVT_S64: out->s = s->i64; return OK;
    case CVT_U64: out->u = (uint64_t)s->i64; return OK;
    case CVT_F32:
        memcpy(&out->f32, &s->f32, 4);
        out->f32 = cabi_canon_f32(out->f32);
        return OK;
    case CVT_F64:
        memcpy(&out->f64, &s->f64, 8);
        out->f64 = cabi_canon_f64(out->f64);
        return OK;
    case CVT_CHAR: {
        uint32_t c = (uint32_t)s->i32;
        if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF))
            return cabi_fault(cx, CF_CHAR);
        out->ch = c;
        return OK;
    }
    case CVT_OWN: return cabi_lift_own(cx, (uint32_t)s->i32, t, out);
    case CVT_BORROW: return cabi_lift_borrow(cx, (uint32_t)s->i32, t, out);
    default: return cabi_fault(cx, CF_UNSUPPORTED);
    }
}

static Err lift_fields(CabiCx *cx, const ValRaw *flat, uint32_t *pos, const CompValType *t,
                       CompValue *out) {
    bool fixed = t->kind == CVT_FIXED_LIST;
    out->kind = t->kind;
    out->n = t->n;
    out->items = t->n ? arena_calloc(cx->arena, t->n, sizeof *out->items) : NULL;
    if (t->n && !out->items)
        return FAIL_NOMEM(cx->diag);
    for (uint32_t i = 0; i < t->n; i++)
        TRY(cabi_lift_flat(cx, flat, pos, fixed ? t->elem : comp_field_type(t, i),
                           &out->items[i]));
    return OK;
}

static Err lift_variant(CabiCx *cx, const ValRaw *flat, uint32_t *pos, const CompValType *t,
                        CompValue *out) {
    uint32_t start = *pos, n = comp_case_count(t), index = slot_u32(flat, start);
    if (index >= n) {
        if (cx->adapter)
            return cabi_trapf(cx, "invalid variant discriminant");
        return cabi_trapf(cx, "discriminant %u out of range [0..%u)", index, n);
    }
    out->kind = t->kind;
    out->var.index = index;
    out->var.payload = NULL;
    const CompValType *ct = comp_case_type(t, index);
    if (ct) {
        out->var.payload = arena_calloc(cx->arena, 1, sizeof *out->var.payload);
        if (!out->var.payload)
            return FAIL_NOMEM(cx->diag);
        uint32_t at = start + 1;
        TRY(cabi_lift_flat(cx, flat, &at, ct, out->var.payload));
    }
    *pos = start + t->abi.n_flat;
    return OK;
}

static Err lift_flags(CabiCx *cx, const ValRaw *flat, uint32_t *pos, const CompValType *t,
                      CompValue *out) {
    TRY(comp_val_flags(cx->arena, t->n, out, cx->diag));
    uint32_t words = t->abi.n_flat;
    for (uint32_t i = 0; i < words; i++)
        out->flags[i] = slot_u32(flat, (*pos)++);
    if (t->n % 32)
        out->flags[words - 1] &= (UINT32_C(1) << (t->n % 32)) - 1;
    return OK;
}

Err cabi_lift_flat(CabiCx *cx, const ValRaw *flat, uint32_t *pos, const CompValType *t,
                   CompValue *out) {
    switch (t->kind) {
    case CVT_STRING: {
        uint32_t ptr = slot_u32(flat, *pos), units = slot_u32(flat, *pos + 1);
        *pos += 2;
        return cabi_lift_string(cx, ptr, units, out);
    }
    case CVT_LIST:
    case CVT_MAP: {
        uint32_t ptr = slot_u32(flat, *pos), len = slot_u32(flat, *pos + 1);
        *pos += 2;
        return cabi_lift_list(cx, ptr, len, t, out);
    }
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
        return lift_fields(cx, flat, pos, t, out);
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        return lift_variant(cx, flat, pos, t, out);
    case CVT_FLAGS:
        return lift_flags(cx, flat, pos, t, out);
    default:
        return lift_scalar(cx, flat, pos, t, out);
    }
}

/* ---- Lowering ------------------------------------------------------------------------- */

static Err lower_scalar(CabiCx *cx, const CompValue *v, const CompValType *t, ValRaw *flat,
                        uint32_t *pos) {
    switch (t->kind) {
    case CVT_BOOL: put(flat, pos, v->b ? 1 : 0); return OK;
    case CVT_S8:
    case CVT_S16:
    case CVT_S32:
    case CVT_U8:
    case CVT_U16:
    case CVT_U32: put(flat, pos, (uint32_t)v->u); return OK;
    case CVT_S64:
    case CVT_U64: put(flat, pos, v->u); return OK;
    case CVT_F32: {
        float f = cabi_canon_f32(v->f32);
        uint32_t bits;
        memcpy(&bits, &f, 4);
        put(flat, pos, bits);
        return OK;
    }
    case CVT_F64: {
        double f = cabi_canon_f64(v->f64);
        uint64_t bits;
        memcpy(&bits, &f, 8);
        put(flat, pos, bits);
        return OK;
    }
    case CVT_CHAR: put(flat, pos, v->ch); return OK;
    case CVT_OWN:
    case CVT_BORROW: {
        uint32_t h;
        if (t->kind == CVT_OWN)
            TRY(cabi_lower_own(cx, v, t, &h));
        else
            TRY(cabi_lower_borrow(cx, v, t, &h));
        put(flat, pos, h);
        return OK;
    }
    default: return cabi_fault(cx, CF_UNSUPPORTED);
    }
}

static Err lower_variant(CabiCx *cx, const CompValue *v, const CompValType *t, ValRaw *flat,
                         uint32_t *pos) {
    uint32_t start = *pos, end = start + t->abi.n_flat;
    put(flat, pos, v->var.index);
    const CompValType *ct = comp_case_type(t, v->var.index);
    if (ct)
        TRY(cabi_lower_flat(cx, v->var.payload, ct, flat, pos));
    while (*pos < end)
        put(flat, pos, 0);
    return OK;
}

Err cabi_lower_flat(CabiCx *cx, const CompValue *v, const CompValType *t, ValRaw *flat,
                    uint32_t *pos) {
    switch (t->kind) {
    case CVT_STRING: {
        uint32_t ptr, units;
        TRY(cabi_lower_string(cx, v, &ptr, &units));
        put(flat, pos, ptr);
        put(flat, pos, units);
        return OK;
    }
    case CVT_LIST:
    case CVT_MAP: {
        uint32_t ptr;
        TRY(cabi_lower_list(cx, v, t, &ptr));
        put(flat, pos, ptr);
        put(flat, pos, v->n);
        return OK;
    }
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE: {
        bool fixed = t->kind == CVT_FIXED_LIST;
        for (uint32_t i = 0; i < t->n; i++)
            TRY(cabi_lower_flat(cx, &v->items[i], fixed ? t->elem : comp_field_type(t, i), flat,
                                pos));
        return OK;
    }
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        return lower_variant(cx, v, t, flat, pos);
    case CVT_FLAGS:
        for (uint32_t i = 0; i < t->abi.n_flat; i++)
            put(flat, pos, v->flags[i]);
        return OK;
    default:
        return lower_scalar(cx, v, t, flat, pos);
    }
}

/* ---- Values ------------------------------------------------------------------------------ */

/* Layout of the tuple of `n` fields' types (spec: lift_values' tuple_type). */
static void tuple_layout(const CompField *fs, uint32_t n, uint32_t *out_size,
                         uint32_t *out_align) {
    uint32_t s = 0, a = 1;
    for (uint32_t i = 0; i < n; i++) {
        const CompLayout *l = &fs[i].type->abi;
        s = comp_align_to(s, l->align);
        s = s > UINT32_MAX - l->size ? UINT32_MAX : s + l->size;
        if (l->align > a)
            a = l->align;
    }
    *out_size = comp_align_to(s, a);
    *out_align = a;
}

static uint32_t flat_total(const CompField *fs, uint32_t n) {
    uint64_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += fs[i].type->abi.n_flat;
    return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

Err cabi_lift_values(CabiCx *cx, uint32_t max_flat, const ValRaw *flat, const CompField *types,
                     uint32_t n, CompValue *out) {
    if (flat_total(types, n) <= max_flat) {
        uint32_t pos = 0;
        for (uint32_t i = 0; i < n; i++)
            TRY(cabi_lift_flat(cx, flat, &pos, types[i].type, &out[i]));
        return OK;
    }
    uint32_t ptr = slot_u32(flat, 0), size, align;
    tuple_layout(types, n, &size, &align);
    TRY(cabi_check_range(cx, ptr, size, align, CF_PTR_ALIGN, CF_PTR_BOUNDS));
    for (uint32_t i = 0; i < n; i++) {
        ptr = comp_align_to(ptr, types[i].type->abi.align);
        TRY(cabi_load(cx, ptr, types[i].type, &out[i]));
        ptr += types[i].type->abi.size;
    }
    return OK;
}

static Err lower_spilled(CabiCx *cx, const CompValue *vs, const CompField *types, uint32_t n,
                         const uint32_t *out_param, uint32_t *out_ptr) {
    uint32_t ptr, size, align;
    tuple_layout(types, n, &size, &align);
    if (out_param) {
        ptr = *out_param;
        TRY(cabi_check_range(cx, ptr, size, align, CF_PTR_ALIGN, CF_PTR_BOUNDS));
    } else {
        TRY(cabi_alloc(cx, align, size, CF_REALLOC_BOUNDS, &ptr));
    }
    *out_ptr = ptr;
    for (uint32_t i = 0; i < n; i++) {
        ptr = comp_align_to(ptr, types[i].type->abi.align);
        TRY(cabi_store(cx, &vs[i], types[i].type, ptr));
        ptr += types[i].type->abi.size;
    }
    return OK;
}

Err cabi_lower_values(CabiCx *cx, uint32_t max_flat, const CompValue *vs, const CompField *types,
                      uint32_t n, ValRaw *flat, const uint32_t *out_param, uint32_t *out_n) {
    CompRtInstance *inst = cx->inst;
    bool saved = inst ? inst->may_leave : true;
    if (inst)
        inst->may_leave = false;
    Err err = OK;
    uint32_t pos = 0;
    if (flat_total(types, n) > max_flat) {
        uint32_t ptr = 0;
        err = lower_spilled(cx, vs, types, n, out_param, &ptr);
        if (err == OK && !out_param)
            put(flat, &pos, ptr);
    } else {
        for (uint32_t i = 0; i < n && err == OK; i++)
            err = cabi_lower_flat(cx, &vs[i], types[i].type, flat, &pos);
    }
    if (inst)
        inst->may_leave = saved;
    *out_n = pos;
    return err;
}
