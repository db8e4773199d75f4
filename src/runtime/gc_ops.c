/* The GC operations on frame-addressed operands (gc_ops.h, gc_ops.def):
 * structs, arrays, i31, casts and any/extern conversions over the runtime's
 * heap (runtime.h: object layout, reference encoding). Operands are 8-byte
 * slots (v128: 16); a value of storage size s is the slot's low s bytes.
 * Every operation reads all its operands before writing `dst` (which may be a
 * local the interpreter's translator retargeted). Allocations may collect:
 * the caller's frames are the roots (each tier's registered frame walker), so
 * operands stay in slots until the object is initialized. */
#include "gc_ops.h"

#include <string.h>

static inline void *ref_at(const uint8_t *fp, uint32_t slot) {
    void *r;
    memcpy(&r, fp + slot, sizeof r);
    return r;
}
static inline uint32_t u32_at(const uint8_t *fp, uint32_t slot) {
    uint32_t v;
    memcpy(&v, fp + slot, sizeof v);
    return v;
}
static inline void put64(uint8_t *fp, uint32_t slot, uint64_t v) {
    memcpy(fp + slot, &v, sizeof v);
}
static inline void put_ref(uint8_t *fp, uint32_t slot, const void *r) {
    memcpy(fp + slot, &r, sizeof r);
}
/* The slot width of a value of storage size `size`. */
static inline uint32_t slot_width(uint32_t size) {
    return size == 16 ? 16 : 8;
}

/* A value of `size` bytes at `p` into slot dst, zero- or sign-extended to
 * the slot's width. */
static void load_to(uint8_t *fp, uint32_t dst, const uint8_t *p, uint32_t size, bool sign) {
    if (size == 16) {
        memcpy(fp + dst, p, 16);
        return;
    }
    uint64_t v = 0;
    memcpy(&v, p, size);
    if (sign && size == 1)
        v = (uint32_t)(int32_t)(int8_t)v;
    else if (sign && size == 2)
        v = (uint32_t)(int32_t)(int16_t)v;
    put64(fp, dst, v);
}

static const Engine *engine_of(const VMContext *cx) {
    return cx->module->engine;
}

static uint8_t *array_data(RtGcArray *a) {
    return (uint8_t *)a + RT_GC_ARRAY_DATA;
}

/* [at, at + n) inside [0, len)? */
static bool in_bounds(uint64_t at, uint64_t n, uint64_t len) {
    return at <= len && n <= len - at;
}

/* ---- structs ---- */

TrapCode rt_gc_op_STRUCT_NEW(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    TrapCode trap;
    uint32_t type = in->imm[0];
    RtGcObject *obj = rt_gc_new_struct(cx->store, type, true, &trap);
    if (!obj)
        return trap;
    const StructType *st = &mod_registry_type(engine_of(cx)->types, type)->strct;
    uint32_t at = RT_GC_STRUCT_FIELDS, slot = in->in[0];
    for (uint32_t k = 0; k < st->n_fields; k++) {
        uint32_t size = rt_gc_storage_size(st->fields[k].type);
        memcpy((uint8_t *)obj + rt_gc_field_place(&at, size), fp + slot, size);
        slot += slot_width(size);
    }
    put_ref(fp, in->dst, obj);
    return TRAP_NONE;
}

TrapCode rt_gc_op_STRUCT_NEW_DEFAULT(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    TrapCode trap;
    RtGcObject *obj = rt_gc_new_struct(cx->store, in->imm[0], true, &trap);
    if (!obj)
        return trap;
    put_ref(fp, in->dst, obj);
    return TRAP_NONE;
}

TrapCode rt_gc_op_STRUCT_GET(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    uint8_t *obj = ref_at(fp, in->in[0]);
    if (!obj)
        return TRAP_NULL_STRUCT_REF;
    load_to(fp, in->dst, obj + in->imm[0], in->imm[1], in->imm[2]);
    return TRAP_NONE;
}

TrapCode rt_gc_op_STRUCT_SET(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    uint8_t *obj = ref_at(fp, in->in[0]);
    if (!obj)
        return TRAP_NULL_STRUCT_REF;
    memcpy(obj + in->imm[0], fp + in->in[1], in->imm[1]);
    return TRAP_NONE;
}

/* ---- array allocation ---- */

static RtGcArray *new_array(VMContext *cx, uint32_t type, uint64_t n, TrapCode *trap) {
    return rt_gc_new_array(cx->store, type, n, true, trap);
}

/* Every element of a (n of `size` bytes) = the value at p. */
static void fill(uint8_t *data, uint64_t n, uint32_t size, const uint8_t *p) {
    static const uint8_t zero[16];
    if (memcmp(p, zero, size) == 0) {
        memset(data, 0, n * size);
        return;
    }
    for (uint64_t i = 0; i < n; i++)
        memcpy(data + i * size, p, size);
}

TrapCode rt_gc_op_ARRAY_NEW(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    TrapCode trap;
    uint32_t n = u32_at(fp, in->in[1]), size = in->imm[1];
    RtGcArray *a = new_array(cx, in->imm[0], n, &trap);
    if (!a)
        return trap;
    fill(array_data(a), n, size, fp + in->in[0]);
    put_ref(fp, in->dst, a);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_NEW_DEFAULT(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    TrapCode trap;
    RtGcArray *a = new_array(cx, in->imm[0], u32_at(fp, in->in[0]), &trap);
    if (!a)
        return trap;
    put_ref(fp, in->dst, a);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_NEW_FIXED(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    TrapCode trap;
    uint32_t size = in->imm[1], n = in->imm[2];
    RtGcArray *a = new_array(cx, in->imm[0], n, &trap);
    if (!a)
        return trap;
    uint8_t *data = array_data(a);
    for (uint32_t i = 0; i < n; i++)
        memcpy(data + (size_t)i * size, fp + in->in[0] + i * slot_width(size), size);
    put_ref(fp, in->dst, a);
    return TRAP_NONE;
}

/* The bytes of data segment `data` (none once dropped). */
static const uint8_t *data_bytes(VMContext *cx, uint32_t data, uint64_t *len) {
    const DataSegment *seg = &cx->module->ir->datas[data];
    *len = vmctx_dropped_datas(cx)[data] ? 0 : seg->len;
    return seg->bytes;
}

TrapCode rt_gc_op_ARRAY_NEW_DATA(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    uint64_t s = u32_at(fp, in->in[0]), n = u32_at(fp, in->in[1]), len;
    uint32_t size = in->imm[1];
    const uint8_t *bytes = data_bytes(cx, in->imm[2], &len);
    if (!in_bounds(s, n * size, len))
        return TRAP_MEM_OOB;
    TrapCode trap;
    RtGcArray *a = new_array(cx, in->imm[0], n, &trap);
    if (!a)
        return trap;
    if (n)
        memcpy(array_data(a), bytes + s, n * size);
    put_ref(fp, in->dst, a);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_NEW_ELEM(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    uint64_t s = u32_at(fp, in->in[0]), n = u32_at(fp, in->in[1]);
    TrapCode trap = rt_elem_items(cx, in->imm[2], s, n, NULL);
    if (trap)
        return trap;
    RtGcArray *a = new_array(cx, in->imm[0], n, &trap);
    if (!a)
        return trap;
    trap = rt_elem_items(cx, in->imm[2], s, n, (void **)array_data(a));
    if (trap)
        return trap;
    put_ref(fp, in->dst, a);
    return TRAP_NONE;
}

/* ---- array access ---- */

TrapCode rt_gc_op_ARRAY_GET(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    RtGcArray *a = ref_at(fp, in->in[0]);
    uint32_t i = u32_at(fp, in->in[1]), size = in->imm[1];
    if (!a)
        return TRAP_NULL_ARRAY_REF;
    if (i >= a->length)
        return TRAP_ARRAY_OOB;
    load_to(fp, in->dst, array_data(a) + (size_t)i * size, size, in->imm[2]);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_SET(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    RtGcArray *a = ref_at(fp, in->in[0]);
    uint32_t i = u32_at(fp, in->in[1]), size = in->imm[1];
    if (!a)
        return TRAP_NULL_ARRAY_REF;
    if (i >= a->length)
        return TRAP_ARRAY_OOB;
    memcpy(array_data(a) + (size_t)i * size, fp + in->in[2], size);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_LEN(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    RtGcArray *a = ref_at(fp, in->in[0]);
    if (!a)
        return TRAP_NULL_ARRAY_REF;
    put64(fp, in->dst, a->length);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_FILL(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    RtGcArray *a = ref_at(fp, in->in[0]);
    uint64_t d = u32_at(fp, in->in[1]), n = u32_at(fp, in->in[3]);
    uint32_t size = in->imm[1];
    if (!a)
        return TRAP_NULL_ARRAY_REF;
    if (!in_bounds(d, n, a->length))
        return TRAP_ARRAY_OOB;
    fill(array_data(a) + d * size, n, size, fp + in->in[2]);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_COPY(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    RtGcArray *da = ref_at(fp, in->in[0]), *sa = ref_at(fp, in->in[2]);
    uint64_t d = u32_at(fp, in->in[1]), s = u32_at(fp, in->in[3]);
    uint64_t n = u32_at(fp, in->in[4]);
    uint32_t size = in->imm[1];
    if (!da || !sa)
        return TRAP_NULL_ARRAY_REF;
    if (!in_bounds(d, n, da->length) || !in_bounds(s, n, sa->length))
        return TRAP_ARRAY_OOB;
    if (n)
        memmove(array_data(da) + d * size, array_data(sa) + s * size, n * size);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_INIT_DATA(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    RtGcArray *a = ref_at(fp, in->in[0]);
    uint64_t d = u32_at(fp, in->in[1]), s = u32_at(fp, in->in[2]);
    uint64_t n = u32_at(fp, in->in[3]), len;
    uint32_t size = in->imm[1];
    if (!a)
        return TRAP_NULL_ARRAY_REF;
    if (!in_bounds(d, n, a->length))
        return TRAP_ARRAY_OOB;
    const uint8_t *bytes = data_bytes(cx, in->imm[2], &len);
    if (!in_bounds(s, n * size, len))
        return TRAP_MEM_OOB;
    if (n)
        memcpy(array_data(a) + d * size, bytes + s, n * size);
    return TRAP_NONE;
}

TrapCode rt_gc_op_ARRAY_INIT_ELEM(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    RtGcArray *a = ref_at(fp, in->in[0]);
    uint64_t d = u32_at(fp, in->in[1]), s = u32_at(fp, in->in[2]);
    uint64_t n = u32_at(fp, in->in[3]);
    if (!a)
        return TRAP_NULL_ARRAY_REF;
    if (!in_bounds(d, n, a->length))
        return TRAP_ARRAY_OOB;
    TrapCode trap = rt_elem_items(cx, in->imm[2], s, n, NULL);
    if (trap)
        return trap;
    return rt_elem_items(cx, in->imm[2], s, n, (void **)(array_data(a) + d * sizeof(void *)));
}

/* ---- casts, conversions, i31 ---- */

TrapCode rt_gc_op_REF_TEST(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    bool ok = rt_gc_ref_test(engine_of(cx), ref_at(fp, in->in[0]), (int32_t)in->imm[0], in->imm[1]);
    put64(fp, in->dst, ok);
    return TRAP_NONE;
}

TrapCode rt_gc_op_REF_CAST(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    bool ok = rt_gc_ref_test(engine_of(cx), ref_at(fp, in->in[0]), (int32_t)in->imm[0], in->imm[1]);
    return ok ? TRAP_NONE : TRAP_CAST_FAILURE;
}

TrapCode rt_gc_op_REF_CONVERT(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    put_ref(fp, in->dst, rt_ref_convert(ref_at(fp, in->in[0])));
    return TRAP_NONE;
}

TrapCode rt_gc_op_REF_I31(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    put_ref(fp, in->dst, rt_i31_new(u32_at(fp, in->in[0])));
    return TRAP_NONE;
}

TrapCode rt_gc_op_I31_GET(VMContext *cx, uint8_t *fp, const RtGcOperands *in) {
    (void)cx;
    void *r = ref_at(fp, in->in[0]);
    if (!r)
        return TRAP_NULL_I31_REF;
    put64(fp, in->dst, in->imm[2] ? (uint32_t)rt_i31_get_s(r) : rt_i31_get_u(r));
    return TRAP_NONE;
}
