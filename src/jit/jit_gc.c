/* Lowering of the GC instructions and the stack maps of safepoints.
 *
 * Inline: i31 (a shift), ref.eq (a word compare), the any/extern
 * conversions (flip bit 1), struct.get/set (field offsets are a pure
 * function of the type, runtime.h), array.len and array.get/set of scalar
 * elements (null and bounds checks to trap stubs). Everything else calls the
 * runtime's GC operations (runtime/gc_ops.h), which take operands as byte
 * offsets from a frame base: we pass rbp - frame, so every frame slot has a
 * non-negative offset, and the operands' slot offsets in an RtGcOperands
 * record placed in the code stream. struct.new and array.new_fixed, whose
 * operands those operations expect in ascending slots (ours descend), call
 * jit_gc_struct_new / jit_gc_array_new_fixed; casts call rt_gc_ref_test.
 *
 * Allocating calls are safepoints: the thread's innermost {rbp, return
 * address} is stored at a fixed %fs offset before the call and cleared after
 * it, and the call's range and reference slots are recorded (jit_gc.h). */
#include "jit_gc.h"

#include <stddef.h>
#include <string.h>

#include "jit_comp.h"
#include "../runtime/gc_ops.h"

JGcComp *jit_gc_state(Comp *c) {
    if (!c->gc && !(c->gc = mem_calloc(1, sizeof *c->gc)))
        longjmp(c->fail, 1);
    JGcComp *g = c->gc;
    if (!g->locals_done) {
        uint32_t n = c->n_params + c->n_locals, cap = 0;
        for (uint32_t l = 0; l < n; l++)
            if (c->local_types[l] == T_REF) {
                g->local_refs =
                    jit_grow(c, g->local_refs, &cap, g->n_local_refs + 1, sizeof(int32_t));
                g->local_refs[g->n_local_refs++] = c->local_disp[l];
            }
        g->locals_done = true;
    }
    return g;
}

static void add_slot(Comp *c, JGcComp *g, int32_t disp) {
    g->slots = jit_grow(c, g->slots, &g->cap_slots, g->n_slots + 1, sizeof *g->slots);
    g->slots[g->n_slots++] = disp;
}

uint32_t jit_safepoint_begin(Comp *c) {
    JGcComp *g = jit_gc_state(c);
    g->sps = jit_grow(c, g->sps, &g->cap_sps, g->n_sps + 1, sizeof *g->sps);
    JSafepoint *sp = &g->sps[g->n_sps];
    *sp = (JSafepoint){c->cb.len, c->cb.len, g->n_slots, 0, 0};
    for (uint32_t k = c->depth; k-- > 0 && g->ctl;)
        if (g->ctl[k].valid && g->ctl[k].label == c->cs[k].label) {
            sp->region = g->ctl[k].region;
            break;
        }
    for (uint32_t k = 0; k < g->n_local_refs; k++)
        add_slot(c, g, g->local_refs[k]);
    for (uint32_t i = 0; i < c->h; i++)
        if (c->vs[i].type == T_REF && c->vs[i].kind == K_SLOT)
            add_slot(c, g, jit_slot(c, i).disp);
    sp->n = g->n_slots - sp->first;
    return g->n_sps++;
}

void jit_safepoint_end(Comp *c, uint32_t sp) {
    c->gc->sps[sp].end = c->cb.len;
}

void jit_gc_finish(Comp *c, JFuncOut *out) {
    JGcComp *g = c->gc;
    if (!g)
        return;
    out->safepoints = g->sps;
    out->n_safepoints = g->n_sps;
    out->ref_slots = g->slots;
    out->n_ref_slots = g->n_slots;
    for (uint32_t k = 0; k < g->n_catches; k++)
        g->catches[k].pad = (uint32_t)c->cb.labels[g->catches[k].pad];
    out->regions = g->regions;
    out->n_regions = g->n_regions;
    out->catches = g->catches;
    out->n_catches = g->n_catches;
    g->sps = NULL;
    g->slots = NULL;
    g->regions = NULL;
    g->catches = NULL;
}

void jit_gc_comp_free(Comp *c) {
    if (!c->gc)
        return;
    mem_free(c->gc->sps);
    mem_free(c->gc->slots);
    mem_free(c->gc->local_refs);
    mem_free(c->gc->regions);
    mem_free(c->gc->catches);
    mem_free(c->gc->ctl);
    mem_free(c->gc->next);
    mem_free(c->gc);
    c->gc = NULL;
}

void jit_gc_out_free(JFuncOut *out) {
    mem_free(out->safepoints);
    mem_free(out->ref_slots);
    mem_free(out->regions);
    mem_free(out->catches);
    out->safepoints = NULL;
    out->ref_slots = NULL;
    out->regions = NULL;
    out->catches = NULL;
}

/* ---- calls ---- */

/* Call fn (arguments already in registers). Allocating calls record the
 * safepoint in TLS and the stack map. */
static void gc_call(Comp *c, const void *fn, bool alloc) {
    CodeBuf *cb = &c->cb;
    if (!alloc) {
        jit_call_c(c, fn);
        return;
    }
    /* the TLS pc is the end of the call sequence: inside the safepoint */
    uint32_t sp = jit_safepoint_begin(c), ret = x64_label(cb);
    int32_t tls = jit_gc_tls_offset();
    X64Mem tls_fp = {X64_NOREG, X64_NOREG, 1, true, tls};
    X64Mem tls_pc = {X64_NOREG, X64_NOREG, 1, true, tls + 8};
    x64_lea_label(cb, J_SCRATCH, ret);
    x64_store(cb, tls_pc, J_SCRATCH, 8);
    x64_store(cb, tls_fp, X64_RBP, 8);
    jit_call_c(c, fn);
    x64_bind(cb, ret);
    jit_safepoint_end(c, sp);
    x64_store_imm(cb, tls_fp, 0, 8);
}

/* Byte offset of entry i's slot from the frame base rbp - frame. */
static uint32_t slot_off(const Comp *c, uint32_t i) {
    return (uint32_t)(c->frame + jit_slot(c, i).disp);
}

enum { NO_RESULT = 0xff };

/* A runtime GC operation over the top n_in entries (all spilled first),
 * its result (type `result`, or NO_RESULT) replacing them. */

static void gc_op_call(Comp *c, const void *fn, uint32_t n_in, uint8_t result, RtGcOperands g,
                       bool alloc) {
    CodeBuf *cb = &c->cb;
    jit_spill_all(c);
    uint32_t first = c->h - n_in;
    for (uint32_t k = 0; k < n_in; k++)
        g.in[k] = slot_off(c, first + k);
    if (result != NO_RESULT)
        g.dst = (uint32_t)(c->frame + jit_slot_at(c, c->soff[first], jit_width(result)).disp);
    uint32_t over = x64_label(cb), data = x64_label(cb);
    x64_jmp(cb, over);
    while (cb->len % 8)
        x64_byte(cb, 0xCC);
    x64_bind(cb, data);
    const uint8_t *bytes = (const uint8_t *)&g;
    for (size_t k = 0; k < sizeof g; k++)
        x64_byte(cb, bytes[k]);
    x64_bind(cb, over);
    x64_mov_rr(cb, true, X64_RDI, J_VMCTX);
    x64_lea(cb, true, X64_RSI, x64_mem(X64_RBP, -c->frame));
    x64_lea_label(cb, X64_RDX, data);
    gc_call(c, fn, alloc);
    x64_test_rr(cb, false, X64_RAX, X64_RAX);
    x64_jcc(cb, X64_NE, jit_stub(c, UINT32_MAX));
    for (uint32_t k = 0; k < n_in; k++)
        jit_pop(c);
    if (result != NO_RESULT)
        jit_push_slot(c, result);
}

static uint8_t field_type(ValType t) {
    return t.kind == VK_I8 || t.kind == VK_I16 ? T_I32 : (uint8_t)jit_type(t);
}

static uint32_t canon(const Comp *c, uint32_t type) {
    return c->rm->canon_types[type];
}

static uint32_t elem_size(const Comp *c, uint32_t type) {
    return rt_gc_storage_size(c->mod->types[type].array.type);
}

/* struct.new / array.new_fixed: the top n entries are the operand area. */
static void new_from_area(Comp *c, const void *fn, uint32_t type, uint32_t n, bool fixed) {
    CodeBuf *cb = &c->cb;
    jit_spill_all(c);
    uint32_t first = c->h - n, bytes = c->soff[c->h] - c->soff[first];
    x64_mov_rr(cb, true, X64_RDI, J_VMCTX);
    x64_mov_ri(cb, X64_RSI, canon(c, type));
    x64_lea(cb, true, X64_RDX, jit_slot_at(c, c->soff[first], bytes));
    x64_mov_ri(cb, X64_RCX, fixed ? n : bytes);
    gc_call(c, fn, true);
    x64_test_rr(cb, true, X64_RAX, X64_RAX);
    x64_jcc(cb, X64_E, jit_stub(c, TRAP_ALLOCATION_TOO_LARGE));
    for (uint32_t k = 0; k < n; k++)
        jit_pop(c);
    c->gpr_free &= (uint16_t) ~(1u << X64_RAX);
    jit_push_reg(c, T_REF, X64_RAX);
}

/* ---- inline accesses ---- */

static void null_check(Comp *c, uint8_t r, uint32_t code) {
    x64_test_rr(&c->cb, true, (X64Reg)r, (X64Reg)r);
    x64_jcc(&c->cb, X64_E, jit_stub(c, code));
}

/* A value of `type` stored at `size` bytes: load from m into a register. */
static uint8_t load_value(Comp *c, uint8_t type, uint32_t size, bool sign, X64Mem m,
                          uint8_t reuse) {
    CodeBuf *cb = &c->cb;
    if (!jit_is_xmm(type)) {
        if (size < 4)
            x64_load(cb, (X64Reg)reuse, m, (uint8_t)size, sign, false);
        else
            x64_load(cb, (X64Reg)reuse, m, (uint8_t)size, false, size == 8);
        return reuse;
    }
    jit_free_reg(c, T_I64, reuse);
    uint8_t x = jit_alloc(c, true);
    if (type == T_F32)
        x64_sse_rm(cb, X64_MOVSS, x, m);
    else if (type == T_F64)
        x64_sse_rm(cb, X64_MOVSD, x, m);
    else
        x64_vec_rm(cb, X64_MOVDQU, x, m);
    return x;
}

static void store_value(Comp *c, uint8_t type, uint32_t size, X64Mem m, uint8_t v) {
    CodeBuf *cb = &c->cb;
    if (type == T_F32)
        x64_movss_store(cb, m, v, false);
    else if (type == T_F64)
        x64_movss_store(cb, m, v, true);
    else if (type == T_V128)
        x64_vec_mr(cb, X64_MOVDQU_ST, m, v);
    else
        x64_store(cb, m, (X64Reg)v, (uint8_t)size);
}

static void struct_access(Comp *c, const Instr *in) {
    const StructType *st = &c->mod->types[in->imm.pair.x].strct;
    uint32_t field = in->imm.pair.y;
    ValType ft = st->fields[field].type;
    uint32_t off = rt_gc_field_offset(st, field), size = rt_gc_storage_size(ft);
    uint8_t type = field_type(ft);
    if (in->op == OP_STRUCT_SET) {
        uint8_t v = jit_pop_reg(c, NULL);
        uint8_t r = jit_pop_reg(c, NULL);
        null_check(c, r, TRAP_NULL_STRUCT_REF);
        store_value(c, type, size, x64_mem((X64Reg)r, (int32_t)off), v);
        jit_free_reg(c, type, v);
        jit_free_reg(c, T_REF, r);
        return;
    }
    uint8_t r = jit_pop_reg(c, NULL);
    null_check(c, r, TRAP_NULL_STRUCT_REF);
    uint8_t v =
        load_value(c, type, size, in->op == OP_STRUCT_GET_S, x64_mem((X64Reg)r, (int32_t)off), r);
    jit_push_reg(c, type, v);
}

/* array.get/set of elements up to 8 bytes; false for v128 elements. */
static bool array_access(Comp *c, const Instr *in) {
    ValType et = c->mod->types[in->imm.pair.x].array.type;
    uint32_t size = rt_gc_storage_size(et);
    if (size > 8)
        return false;
    uint8_t type = field_type(et);
    bool set = in->op == OP_ARRAY_SET;
    uint8_t v = set ? jit_pop_reg(c, NULL) : X64_NOREG;
    uint8_t i = jit_pop_reg(c, NULL);
    uint8_t r = jit_pop_reg(c, NULL);
    null_check(c, r, TRAP_NULL_ARRAY_REF);
    x64_alu_rm(&c->cb, X64_CMP, false, (X64Reg)i, x64_mem((X64Reg)r, RT_GC_ARRAY_LENGTH));
    x64_jcc(&c->cb, X64_AE, jit_stub(c, TRAP_ARRAY_OOB));
    X64Mem m = x64_mem_idx((X64Reg)r, (X64Reg)i, (uint8_t)size, RT_GC_ARRAY_DATA);
    if (set) {
        store_value(c, type, size, m, v);
        jit_free_reg(c, type, v);
        jit_free_reg(c, T_REF, r);
        jit_free_reg(c, T_I32, i);
        return true;
    }
    uint8_t out = load_value(c, type, size, in->op == OP_ARRAY_GET_S, m, i);
    jit_free_reg(c, T_REF, r);
    jit_push_reg(c, type, out);
    return true;
}

static void array_len(Comp *c) {
    uint8_t r = jit_pop_reg(c, NULL);
    null_check(c, r, TRAP_NULL_ARRAY_REF);
    x64_load(&c->cb, (X64Reg)r, x64_mem((X64Reg)r, RT_GC_ARRAY_LENGTH), 4, false, false);
    jit_push_reg(c, T_I32, r);
}

static void i31_op(Comp *c, const Instr *in) {
    CodeBuf *cb = &c->cb;
    uint8_t r = jit_pop_reg(c, NULL);
    if (in->op == OP_REF_I31) {
        x64_alu_rr(cb, X64_ADD, false, (X64Reg)r, (X64Reg)r); /* (v & 0x7fffffff) << 1 */
        x64_alu_ri(cb, X64_OR, true, (X64Reg)r, 1);
        jit_push_reg(c, T_REF, r);
        return;
    }
    null_check(c, r, TRAP_NULL_I31_REF);
    if (in->op == OP_I31_GET_S) {
        x64_shift_ri(cb, X64_SAR, false, (X64Reg)r, 1);
    } else {
        x64_shift_ri(cb, X64_SHR, true, (X64Reg)r, 1);
        x64_mov_rr(cb, false, (X64Reg)r, (X64Reg)r);
    }
    jit_push_reg(c, T_I32, r);
}

static void ref_eq(Comp *c) {
    uint8_t b = jit_pop_reg(c, NULL);
    uint8_t a = jit_pop_reg(c, NULL);
    x64_alu_rr(&c->cb, X64_CMP, true, (X64Reg)a, (X64Reg)b);
    x64_setcc(&c->cb, X64_E, (X64Reg)a);
    x64_movzx_r8(&c->cb, (X64Reg)a, (X64Reg)a);
    jit_free_reg(c, T_REF, b);
    jit_push_reg(c, T_I32, a);
}

/* any.convert_extern / extern.convert_any: flip bit 1 of a non-null non-i31. */
static void ref_convert(Comp *c) {
    CodeBuf *cb = &c->cb;
    uint8_t r = jit_pop_reg(c, NULL);
    uint32_t done = x64_label(cb);
    x64_test_rr(cb, true, (X64Reg)r, (X64Reg)r);
    x64_jcc(cb, X64_E, done);
    x64_mov_rr(cb, false, J_SCRATCH, (X64Reg)r);
    x64_alu_ri(cb, X64_AND, false, J_SCRATCH, (int32_t)RT_REF_I31);
    x64_jcc(cb, X64_NE, done);
    x64_alu_ri(cb, X64_XOR, true, (X64Reg)r, (int32_t)RT_REF_FOREIGN);
    x64_bind(cb, done);
    jit_push_reg(c, T_REF, r);
}

/* ---- casts ---- */

/* eax = rt_gc_ref_test(engine, top, heap, nullable); the reference stays on
 * the stack, everything spilled. */
static void ref_test_call(Comp *c, int32_t heap, bool nullable) {
    jit_spill_all(c);
    uint32_t h = heap >= 0 ? canon(c, (uint32_t)heap) : (uint32_t)heap;
    jit_load_item(c, &c->vs[c->h - 1], X64_RSI);
    x64_mov_ri(&c->cb, X64_RDI, (uint64_t)(uintptr_t)c->rm->engine);
    x64_mov_ri(&c->cb, X64_RDX, (uint64_t)(int64_t)(int32_t)h);
    x64_mov_ri(&c->cb, X64_RCX, nullable);
    jit_call_c(c, (const void *)rt_gc_ref_test);
    x64_movzx_r8(&c->cb, X64_RAX, X64_RAX);
}

static void cast_op(Comp *c, const Instr *in) {
    bool nullable = in->op == OP_REF_TEST_NULL || in->op == OP_REF_CAST_NULL;
    ref_test_call(c, in->imm.heap, nullable);
    if (in->op == OP_REF_TEST || in->op == OP_REF_TEST_NULL) {
        jit_pop(c);
        c->gpr_free &= (uint16_t) ~(1u << X64_RAX);
        jit_push_reg(c, T_I32, X64_RAX);
        return;
    }
    x64_test_rr(&c->cb, false, X64_RAX, X64_RAX);
    x64_jcc(&c->cb, X64_E, jit_stub(c, TRAP_CAST_FAILURE));
}

static void br_on_cast(Comp *c, const Instr *in) {
    ref_test_call(c, in->imm.cast.heap2, (in->a >> 1) & 1);
    x64_test_rr(&c->cb, false, X64_RAX, X64_RAX);
    jit_branch_if(c, in->imm.cast.label, in->op == OP_BR_ON_CAST ? X64_NE : X64_E);
}

/* ---- the switch ---- */

static bool is_array_op(uint32_t op) {
    return op >= OP_ARRAY_NEW && op <= OP_ARRAY_INIT_ELEM && op != OP_ARRAY_LEN;
}

static bool lower_array(Comp *c, const Instr *in) {
    if (!is_array_op(in->op))
        return false;
    uint32_t t = in->imm.pair.x, size = elem_size(c, t);
    switch (in->op) {
    case OP_ARRAY_NEW:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_NEW, 2, T_REF,
                   (RtGcOperands){.imm = {canon(c, t), size}}, true);
        return true;
    case OP_ARRAY_NEW_DEFAULT:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_NEW_DEFAULT, 1, T_REF,
                   (RtGcOperands){.imm = {canon(c, t)}}, true);
        return true;
    case OP_ARRAY_NEW_FIXED:
        new_from_area(c, (const void *)jit_gc_array_new_fixed, t, in->imm.pair.y, true);
        return true;
    case OP_ARRAY_NEW_DATA:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_NEW_DATA, 2, T_REF,
                   (RtGcOperands){.imm = {canon(c, t), size, in->imm.pair.y}}, true);
        return true;
    case OP_ARRAY_NEW_ELEM:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_NEW_ELEM, 2, T_REF,
                   (RtGcOperands){.imm = {canon(c, t), 8, in->imm.pair.y}}, true);
        return true;
    case OP_ARRAY_GET:
    case OP_ARRAY_GET_S:
    case OP_ARRAY_GET_U:
        if (!array_access(c, in))
            gc_op_call(c, (const void *)rt_gc_op_ARRAY_GET, 2, T_V128,
                       (RtGcOperands){.imm = {0, size, 0}}, false);
        return true;
    case OP_ARRAY_SET:
        if (!array_access(c, in))
            gc_op_call(c, (const void *)rt_gc_op_ARRAY_SET, 3, NO_RESULT,
                       (RtGcOperands){.imm = {0, size}}, false);
        return true;
    case OP_ARRAY_FILL:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_FILL, 4, NO_RESULT,
                   (RtGcOperands){.imm = {0, size}}, false);
        return true;
    case OP_ARRAY_COPY:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_COPY, 5, NO_RESULT,
                   (RtGcOperands){.imm = {0, size}}, false);
        return true;
    case OP_ARRAY_INIT_DATA:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_INIT_DATA, 4, NO_RESULT,
                   (RtGcOperands){.imm = {0, size, in->imm.pair.y}}, false);
        return true;
    case OP_ARRAY_INIT_ELEM:
        gc_op_call(c, (const void *)rt_gc_op_ARRAY_INIT_ELEM, 4, NO_RESULT,
                   (RtGcOperands){.imm = {0, 8, in->imm.pair.y}}, false);
        return true;
    default: return false;
    }
}

bool jit_lower_gc(Comp *c, const Instr *in) {
    switch (in->op) {
    case OP_STRUCT_NEW: {
        uint32_t t = in->imm.index;
        new_from_area(c, (const void *)jit_gc_struct_new, t, c->mod->types[t].strct.n_fields,
                      false);
        return true;
    }
    case OP_STRUCT_NEW_DEFAULT:
        new_from_area(c, (const void *)jit_gc_struct_new, in->imm.index, 0, false);
        return true;
    case OP_STRUCT_GET:
    case OP_STRUCT_GET_S:
    case OP_STRUCT_GET_U:
    case OP_STRUCT_SET: struct_access(c, in); return true;
    case OP_ARRAY_LEN: array_len(c); return true;
    case OP_REF_I31:
    case OP_I31_GET_S:
    case OP_I31_GET_U: i31_op(c, in); return true;
    case OP_REF_EQ: ref_eq(c); return true;
    case OP_ANY_CONVERT_EXTERN:
    case OP_EXTERN_CONVERT_ANY: ref_convert(c); return true;
    case OP_REF_TEST:
    case OP_REF_TEST_NULL:
    case OP_REF_CAST:
    case OP_REF_CAST_NULL: cast_op(c, in); return true;
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL: br_on_cast(c, in); return true;
    default: return lower_array(c, in);
    }
}
