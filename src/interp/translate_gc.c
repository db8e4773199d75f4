/* Translation of the GC instructions into IGc instructions (iops.def GCOP;
 * handlers in runtime/gc_ops.c). Type facts are resolved here, once: canonical
 * type ids, field offsets (the runtime's layout function) and storage sizes
 * go into the immediates. struct.new and array.new_fixed take their
 * operands from consecutive temp slots; br_on_cast(_fail) is a ref.test into
 * a scratch slot followed by a conditional jump. ref.eq is an i64.eq
 * (translate.c), since equal references are equal words. */
#include <stddef.h>

#include "translate_int.h"

/* An IGc op over the top `n_in` entries; with a result of storage size
 * `result_size` (0: none) replacing them. */
static void emit_gc(Xl *x, uint32_t op, uint32_t n_in, uint32_t result_size, IGc g) {
    uint32_t first = x->h - n_in;
    for (uint32_t k = 0; k < n_in; k++)
        g.ops.in[k] = interp_xl_src(x, first + k);
    g.ops.dst = interp_xl_tslot(x, first);
    uint32_t pos = interp_xl_emit(x, op, &g, sizeof g);
    interp_xl_trunc(x, first);
    if (!result_size)
        return;
    ValType t = {.kind = result_size == 16 ? VK_V128 : VK_I64};
    interp_xl_push_types(x, &t, 1);
    /* a following local.set may retarget the result (handlers write dst last) */
    x->last = (Last){.kind = L_PROD,
                     .op = OP_COUNT,
                     .code_end = x->len,
                     .dst_field = pos + (uint32_t)offsetof(IGc, ops.dst),
                     .height = first};
}

/* struct.new / array.new_fixed: n operands in consecutive temp slots. */
static void emit_gc_range(Xl *x, uint32_t op, uint32_t n, IGc g) {
    uint32_t first = interp_xl_place_args(x, n, 0);
    g.ops.in[0] = first;
    g.ops.dst = first;
    interp_xl_emit(x, op, &g, sizeof g);
    interp_xl_trunc(x, x->h - n);
    ValType t = {.kind = VK_REF};
    interp_xl_push_types(x, &t, 1);
}

static uint32_t canon(const Xl *x, uint32_t type) {
    return x->rm->canon_types[type];
}

static uint32_t heap_imm(const Xl *x, int32_t heap) {
    return heap >= 0 ? canon(x, (uint32_t)heap) : (uint32_t)heap;
}

static uint32_t elem_size(const Xl *x, uint32_t type) {
    return rt_gc_storage_size(x->mod->types[type].array.type);
}

static void xl_struct(Xl *x, const Instr *in) {
    uint32_t type =
        in->op == OP_STRUCT_NEW || in->op == OP_STRUCT_NEW_DEFAULT ? in->imm.index : in->imm.pair.x;
    const StructType *st = &x->mod->types[type].strct;
    if (in->op == OP_STRUCT_NEW) {
        emit_gc_range(x, IOP_STRUCT_NEW, st->n_fields, (IGc){.ops.imm = {canon(x, type)}});
        return;
    }
    if (in->op == OP_STRUCT_NEW_DEFAULT) {
        emit_gc(x, IOP_STRUCT_NEW_DEFAULT, 0, 8, (IGc){.ops.imm = {canon(x, type)}});
        return;
    }
    uint32_t field = in->imm.pair.y;
    uint32_t offset = rt_gc_field_offset(st, field);
    uint32_t size = rt_gc_storage_size(st->fields[field].type);
    if (in->op == OP_STRUCT_SET)
        emit_gc(x, IOP_STRUCT_SET, 2, 0, (IGc){.ops.imm = {offset, size}});
    else
        emit_gc(x, IOP_STRUCT_GET, 1, size,
                (IGc){.ops.imm = {offset, size, in->op == OP_STRUCT_GET_S}});
}

/* Array allocation and bulk operations. */
static void xl_array_new(Xl *x, const Instr *in) {
    uint32_t t = in->imm.pair.x, c = canon(x, t), size = elem_size(x, t);
    switch (in->op) {
    case OP_ARRAY_NEW: emit_gc(x, IOP_ARRAY_NEW, 2, 8, (IGc){.ops.imm = {c, size}}); return;
    case OP_ARRAY_NEW_DEFAULT:
        emit_gc(x, IOP_ARRAY_NEW_DEFAULT, 1, 8, (IGc){.ops.imm = {c}});
        return;
    case OP_ARRAY_NEW_FIXED:
        emit_gc_range(x, IOP_ARRAY_NEW_FIXED, in->imm.pair.y,
                      (IGc){.ops.imm = {c, size, in->imm.pair.y}});
        return;
    case OP_ARRAY_NEW_DATA:
        emit_gc(x, IOP_ARRAY_NEW_DATA, 2, 8, (IGc){.ops.imm = {c, size, in->imm.pair.y}});
        return;
    default: /* OP_ARRAY_NEW_ELEM */
        emit_gc(x, IOP_ARRAY_NEW_ELEM, 2, 8, (IGc){.ops.imm = {c, 8, in->imm.pair.y}});
        return;
    }
}

static void xl_array_access(Xl *x, const Instr *in) {
    uint32_t t = in->imm.pair.x, size = elem_size(x, t);
    switch (in->op) {
    case OP_ARRAY_GET:
    case OP_ARRAY_GET_S:
    case OP_ARRAY_GET_U:
        emit_gc(x, IOP_ARRAY_GET, 2, size, (IGc){.ops.imm = {0, size, in->op == OP_ARRAY_GET_S}});
        return;
    case OP_ARRAY_SET: emit_gc(x, IOP_ARRAY_SET, 3, 0, (IGc){.ops.imm = {0, size}}); return;
    case OP_ARRAY_FILL: emit_gc(x, IOP_ARRAY_FILL, 4, 0, (IGc){.ops.imm = {0, size}}); return;
    case OP_ARRAY_COPY: emit_gc(x, IOP_ARRAY_COPY, 5, 0, (IGc){.ops.imm = {0, size}}); return;
    case OP_ARRAY_INIT_DATA:
        emit_gc(x, IOP_ARRAY_INIT_DATA, 4, 0, (IGc){.ops.imm = {0, size, in->imm.pair.y}});
        return;
    default: /* OP_ARRAY_INIT_ELEM */
        emit_gc(x, IOP_ARRAY_INIT_ELEM, 4, 0, (IGc){.ops.imm = {0, 8, in->imm.pair.y}});
        return;
    }
}

/* br_on_cast (branch when the cast succeeds) / br_on_cast_fail (when it
 * fails); the reference stays on the stack either way. */
static void xl_br_on_cast(Xl *x, const Instr *in) {
    uint32_t h = x->h;
    ValType i32 = {.kind = VK_I32};
    interp_xl_push_types(x, &i32, 1); /* reserve the scratch slot above the ref */
    uint32_t test = interp_xl_tslot(x, h);
    interp_xl_trunc(x, h);
    IGc g = {.ops.dst = test,
             .ops.in = {interp_xl_src(x, h - 1)},
             .ops.imm = {heap_imm(x, in->imm.cast.heap2), (in->a >> 1) & 1}};
    interp_xl_emit(x, IOP_REF_TEST, &g, sizeof g);
    bool on_success = in->op == OP_BR_ON_CAST;
    IBrIf skip = {NULL, test, 0};
    uint32_t field =
        interp_xl_emit(x, on_success ? IOP_BR_EQZ32 : IOP_BR_NEZ32, &skip, sizeof skip) +
        (uint32_t)offsetof(IBrIf, disp);
    interp_xl_jump_to(x, &x->cs[x->depth - 1 - in->imm.cast.label], 0);
    int32_t disp = (int32_t)(x->len - field);
    memcpy(x->code + field, &disp, sizeof disp);
}

static void xl_cast(Xl *x, const Instr *in) {
    bool nullable = in->op == OP_REF_TEST_NULL || in->op == OP_REF_CAST_NULL;
    IGc g = {.ops.imm = {heap_imm(x, in->imm.heap), nullable}};
    if (in->op == OP_REF_TEST || in->op == OP_REF_TEST_NULL) {
        emit_gc(x, IOP_REF_TEST, 1, 4, g);
        return;
    }
    g.ops.in[0] = interp_xl_src(x, x->h - 1); /* checked in place */
    interp_xl_emit(x, IOP_REF_CAST, &g, sizeof g);
}

bool interp_xl_gc(Xl *x, const Instr *in) {
    switch (in->op) {
    case OP_STRUCT_NEW:
    case OP_STRUCT_NEW_DEFAULT:
    case OP_STRUCT_GET:
    case OP_STRUCT_GET_S:
    case OP_STRUCT_GET_U:
    case OP_STRUCT_SET: xl_struct(x, in); return true;
    case OP_ARRAY_NEW:
    case OP_ARRAY_NEW_DEFAULT:
    case OP_ARRAY_NEW_FIXED:
    case OP_ARRAY_NEW_DATA:
    case OP_ARRAY_NEW_ELEM: xl_array_new(x, in); return true;
    case OP_ARRAY_GET:
    case OP_ARRAY_GET_S:
    case OP_ARRAY_GET_U:
    case OP_ARRAY_SET:
    case OP_ARRAY_FILL:
    case OP_ARRAY_COPY:
    case OP_ARRAY_INIT_DATA:
    case OP_ARRAY_INIT_ELEM: xl_array_access(x, in); return true;
    case OP_ARRAY_LEN: emit_gc(x, IOP_ARRAY_LEN, 1, 4, (IGc){0}); return true;
    case OP_REF_TEST:
    case OP_REF_TEST_NULL:
    case OP_REF_CAST:
    case OP_REF_CAST_NULL: xl_cast(x, in); return true;
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL: xl_br_on_cast(x, in); return true;
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY: emit_gc(x, IOP_REF_CONVERT, 1, 8, (IGc){0}); return true;
    case OP_REF_I31: emit_gc(x, IOP_REF_I31, 1, 8, (IGc){0}); return true;
    case OP_I31_GET_S:
    case OP_I31_GET_U:
        emit_gc(x, IOP_I31_GET, 1, 4, (IGc){.ops.imm = {0, 0, in->op == OP_I31_GET_S}});
        return true;
    default: return false;
    }
}
