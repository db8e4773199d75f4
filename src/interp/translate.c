/* Translation of one validated function into the interpreter's register code.
 *
 * The translator simulates the operand stack with a virtual stack saying where
 * each value is: in its temp slot T(height), in a local's slot, or a constant
 * not yet written anywhere. Operands refer to locals and constants directly;
 * a pending local reference is written to its temp slot before a local.set of
 * that local, and everything is made canonical (in T slots) at block entry, so
 * every label sees one layout. Peepholes: an op's result written straight to
 * the local a following local.set/tee names; compare (or eqz) + br_if / if
 * becomes one compare-and-branch; a constant operand becomes an immediate.
 * With guarded memory 0, an i32 add of a constant stays pending (V_ADDI) until
 * used, so accesses take it as (slot + immediate) addressing; further fusions
 * (each keyed on "the instruction just emitted", Last, so no label can lie
 * between the parts): a load feeding a binary op (_M), that op's result
 * stored back (_MS) or added into memory after a multiply (MAC, MACs at
 * consecutive elements grouped), a load stored unchanged (COPY*, consecutive
 * bytes grouped), an op with an immediate feeding another op (CHAIN*,
 * FUNNEL, ADD3, the rotate-xor mixes ROT2/ROT3), a shift-and-add feeding a
 * load (_X), a product times a slot (MUL2), an in-place increment (or two,
 * INC2; or three, INC3) feeding a compare-and-branch or a load, an add-
 * immediate returned (RET_ADDI), an and feeding a branch (BR_TEST), a load
 * feeding a branch (LOAD_BR) or, through a local.tee, a funnel shift stored
 * (LD_FUNNEL_ST), two adds around a local.tee (ADD2), a call's last argument
 * add (CALL_ADDI), consecutive moves (MOV2/3). Locals that the control flow
 * writes before any read are not zeroed at entry (they are laid out after
 * the zeroed ones). A local.set/tee of a constant, a local or a pending add
 * whose value no read after its straight-line run can see (by a per-local
 * scan, or by liveness over the control flow; translate_alias.c) writes
 * nothing: the reads in the run take the entry itself ("aliases"), so a
 * local.tee'd address folds into the accesses that use it.
 * Entries carry their width (a v128 takes two slots), so T(height) is the
 * prefix sum of the widths below; v128 constants used in loops are read from
 * the function's constant pool (written by its prologue).
 * Linear in the function's size; scratch lives in the Xl and dies with it. */
#include <setjmp.h>
#include <stddef.h>

#include "translate_int.h"

/* ---- per-opcode facts from iops.def ---- */

const uint8_t interp_op_class[OP_COUNT] = {
#define BINOP(name, type, result, expr) [OP_##name] = CL_BIN,
#define CMP(name, type, expr) [OP_##name] = CL_CMP,
#define UNOP(name, type, result, expr) [OP_##name] = CL_UN,
#define LOAD(name, result, memtype) [OP_##name] = CL_LOAD,
#define STORE(name, type, memtype) [OP_##name] = CL_STORE,
#include "iops.def"
#undef BINOP
#undef CMP
#undef UNOP
#undef LOAD
#undef STORE
#define VBIN(name, expr) [OP_##name] = CL_BIN,
#define VSHIFT(name, expr) [OP_##name] = CL_BIN,
#define VUN(name, expr) [OP_##name] = CL_UN,
#define VTEST(name, expr) [OP_##name] = CL_UN,
#define VSPLAT(name, T, expr) [OP_##name] = CL_UN,
#define VTERN(name, expr) [OP_##name] = CL_VTERN,
#define VEXTRACT(name, T, R) [OP_##name] = CL_VEXTRACT,
#define VREPLACE(name, T) [OP_##name] = CL_VREPLACE,
#define VLOAD(name, M, expr) [OP_##name] = CL_LOAD,
#define VSTORE(name) [OP_##name] = CL_STORE,
#define VLANE(name, M, store) [OP_##name] = CL_VLANE,
#include "../runtime/simd.def"
};

/* The byte width of a lane access (extract/replace/lane loads and stores). */
static const uint8_t op_lane_size[OP_COUNT] = {
#define VEXTRACT(name, T, R) [OP_##name] = sizeof(T),
#define VREPLACE(name, T) [OP_##name] = sizeof(T),
#define VLANE(name, M, store) [OP_##name] = sizeof(M),
#include "../runtime/simd.def"
};

static const uint16_t op_imm_form[OP_COUNT] = {
#define BINOP(name, type, result, expr) [OP_##name] = IOP_##name##_I,
#define CMP(name, type, expr) [OP_##name] = IOP_##name##_I,
#include "iops.def"
#undef BINOP
#undef CMP
#define VSHIFT(name, expr) [OP_##name] = IOP_##name##_I,
#include "../runtime/simd.def"
};

/* Binary ops with their second operand read from guarded memory 0. */
static const uint16_t op_mem_form[OP_COUNT] = {
#define BINOP(name, type, result, expr) [OP_##name] = IOP_##name##_M,
#include "iops.def"
#undef BINOP
};

/* The same, the result stored back to that address. */
static const uint16_t op_rmw_form[OP_COUNT] = {
#define RMW(name, type, expr) [OP_##name] = IOP_##name##_MS,
#include "iops.def"
#undef RMW
};

static const uint16_t op_branch_form[OP_COUNT] = {
#define CMP(name, type, expr) [OP_##name] = IOP_##name##_B,
#include "iops.def"
#undef CMP
};

static const uint16_t op_branch_imm_form[OP_COUNT] = {
#define CMP(name, type, expr) [OP_##name] = IOP_##name##_BI,
#include "iops.def"
#undef CMP
};

static const uint16_t op_inc_form[OP_COUNT] = {
#define INCBR(name, type, expr) [OP_##name] = IOP_##name##_IB,
#include "iops.def"
#undef INCBR
};

static const uint16_t op_inc_imm_form[OP_COUNT] = {
#define INCBR(name, type, expr) [OP_##name] = IOP_##name##_IBI,
#include "iops.def"
#undef INCBR
};

static const uint16_t op_inc2_form[OP_COUNT] = {
#define INCBR(name, type, expr) [OP_##name] = IOP_##name##_I2BI,
#include "iops.def"
#undef INCBR
};

/* Guarded accesses at (u32)(slot + immediate) + offset. */
static const uint16_t op_addi_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_AI,
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_AI,
#include "iops.def"
#undef LOAD
#undef STORE
#define VLOAD(name, M, expr) [OP_##name] = IOP_##name##_AI,
#define VSTORE(name) [OP_##name] = IOP_##name##_AI,
#include "../runtime/simd.def"
};

/* Guarded loads that first add an immediate to their address local. */
static const uint16_t op_incload_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_N,
#include "iops.def"
#undef LOAD
};

/* Guarded loads at (slot << shift) + slot. */
static const uint16_t op_scaled_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_X,
#include "iops.def"
#undef LOAD
};

/* Guarded loads and stores at a constant address. */
static const uint16_t op_abs_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_Z,
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_Z,
#include "iops.def"
#undef LOAD
#undef STORE
};

/* Guarded stores of a constant at (u32)(slot + immediate) + offset. */
static const uint16_t op_store_const_form[OP_COUNT] = {
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_K,
#include "iops.def"
#undef STORE
};

/* The bytes a load or store accesses. */
static const uint8_t op_mem_width[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = sizeof(memtype),
#define STORE(name, type, memtype) [OP_##name] = sizeof(memtype),
#include "iops.def"
#undef LOAD
#undef STORE
};

static const uint16_t op_add_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_A,
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_A,
#include "iops.def"
#define VLOAD(name, M, expr) [OP_##name] = IOP_##name##_A,
#define VSTORE(name) [OP_##name] = IOP_##name##_A,
#include "../runtime/simd.def"
};

static const uint16_t op_checked_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_C,
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_C,
#include "iops.def"
#define VLOAD(name, M, expr) [OP_##name] = IOP_##name##_C,
#define VSTORE(name) [OP_##name] = IOP_##name##_C,
#include "../runtime/simd.def"
};

/* Operand pairs: (op, op') with op(a, b) == op'(b, a). */
static const uint16_t swap_pairs[][2] = {
    {OP_I32_ADD, OP_I32_ADD},   {OP_I32_MUL, OP_I32_MUL},   {OP_I32_AND, OP_I32_AND},
    {OP_I32_OR, OP_I32_OR},     {OP_I32_XOR, OP_I32_XOR},   {OP_I64_ADD, OP_I64_ADD},
    {OP_I64_MUL, OP_I64_MUL},   {OP_I64_AND, OP_I64_AND},   {OP_I64_OR, OP_I64_OR},
    {OP_I64_XOR, OP_I64_XOR},   {OP_I32_EQ, OP_I32_EQ},     {OP_I32_NE, OP_I32_NE},
    {OP_I64_EQ, OP_I64_EQ},     {OP_I64_NE, OP_I64_NE},     {OP_I32_LT_S, OP_I32_GT_S},
    {OP_I32_GT_S, OP_I32_LT_S}, {OP_I32_LT_U, OP_I32_GT_U}, {OP_I32_GT_U, OP_I32_LT_U},
    {OP_I32_LE_S, OP_I32_GE_S}, {OP_I32_GE_S, OP_I32_LE_S}, {OP_I32_LE_U, OP_I32_GE_U},
    {OP_I32_GE_U, OP_I32_LE_U}, {OP_I64_LT_S, OP_I64_GT_S}, {OP_I64_GT_S, OP_I64_LT_S},
    {OP_I64_LT_U, OP_I64_GT_U}, {OP_I64_GT_U, OP_I64_LT_U}, {OP_I64_LE_S, OP_I64_GE_S},
    {OP_I64_GE_S, OP_I64_LE_S}, {OP_I64_LE_U, OP_I64_GE_U}, {OP_I64_GE_U, OP_I64_LE_U},
    {OP_F32_ADD, OP_F32_ADD},   {OP_F32_MUL, OP_F32_MUL},   {OP_F64_ADD, OP_F64_ADD},
    {OP_F64_MUL, OP_F64_MUL},
};

/* Integer compares and their negations (floats have none: NaN). */
static const uint16_t negate_pairs[][2] = {
    {OP_I32_EQ, OP_I32_NE},     {OP_I32_NE, OP_I32_EQ},     {OP_I32_LT_S, OP_I32_GE_S},
    {OP_I32_GE_S, OP_I32_LT_S}, {OP_I32_LT_U, OP_I32_GE_U}, {OP_I32_GE_U, OP_I32_LT_U},
    {OP_I32_GT_S, OP_I32_LE_S}, {OP_I32_LE_S, OP_I32_GT_S}, {OP_I32_GT_U, OP_I32_LE_U},
    {OP_I32_LE_U, OP_I32_GT_U}, {OP_I64_EQ, OP_I64_NE},     {OP_I64_NE, OP_I64_EQ},
    {OP_I64_LT_S, OP_I64_GE_S}, {OP_I64_GE_S, OP_I64_LT_S}, {OP_I64_LT_U, OP_I64_GE_U},
    {OP_I64_GE_U, OP_I64_LT_U}, {OP_I64_GT_S, OP_I64_LE_S}, {OP_I64_LE_S, OP_I64_GT_S},
    {OP_I64_GT_U, OP_I64_LE_U}, {OP_I64_LE_U, OP_I64_GT_U},
};

static uint32_t pair_lookup(const uint16_t (*pairs)[2], size_t n, uint32_t op) {
    for (size_t i = 0; i < n; i++)
        if (pairs[i][0] == op)
            return pairs[i][1];
    return OP_COUNT;
}
#define SWAPPED(op) pair_lookup(swap_pairs, sizeof swap_pairs / sizeof *swap_pairs, op)
#define NEGATED(op) pair_lookup(negate_pairs, sizeof negate_pairs / sizeof *negate_pairs, op)

/* Immediate width of an op's operands: 8 for i64/f64 ones. */
static uint32_t operand_width(uint32_t op) {
    char c = op_info[op].stack[0];
    return c == 'I' || c == 'F' ? 8 : 4;
}

/* Is the op's (single) result a v128? */
static bool result_wide(uint32_t op) {
    const char *colon = strchr(op_info[op].stack, ':');
    return colon && colon[1] == 'v';
}

static bool type_wide(ValType t) {
    return t.kind == VK_V128;
}

/* ---- code emission ---- */

static void reserve(Xl *x, uint32_t size) {
    if (x->len + (uint64_t)size <= x->cap)
        return;
    uint64_t cap = x->cap ? x->cap : 256;
    while (cap < x->len + (uint64_t)size)
        cap *= 2;
    uint8_t *code = cap > UINT32_MAX / 2 ? NULL : mem_realloc(x->code, cap);
    if (!code)
        longjmp(x->fail, 1);
    x->code = code;
    x->cap = (uint32_t)cap;
}

/* WASMC_INTERP_DUMP: this thread's instruction starts of the function being
 * translated (a start at or after a new one was rewound by a peephole). */
static _Thread_local struct {
    bool on;
    uint32_t *pos;
    uint32_t n, cap;
} dump_rec;

static void dump_note(uint32_t pos) {
    while (dump_rec.n && dump_rec.pos[dump_rec.n - 1] >= pos)
        dump_rec.n--;
    if (dump_rec.n == dump_rec.cap) {
        uint32_t cap = dump_rec.cap ? 2 * dump_rec.cap : 256;
        uint32_t *p = mem_realloc(dump_rec.pos, cap * sizeof *p);
        if (!p) {
            dump_rec.on = false;
            return;
        }
        dump_rec.pos = p;
        dump_rec.cap = cap;
    }
    dump_rec.pos[dump_rec.n++] = pos;
}

static void dump_finish(const IFunc *f, const Xl *x) {
    while (dump_rec.n && dump_rec.pos[dump_rec.n - 1] >= x->len)
        dump_rec.n--;
    if (dump_rec.on)
        interp_dump_func(f, x->code, x->len, dump_rec.pos, dump_rec.n);
    mem_free(dump_rec.pos);
    dump_rec.pos = NULL;
    dump_rec.n = dump_rec.cap = 0;
}

static uint32_t emit_raw(Xl *x, uint32_t op, const void *ins, uint32_t size) {
    reserve(x, size);
    uint32_t pos = x->len;
    if (dump_rec.on)
        dump_note(pos);
    memcpy(x->code + pos, ins, size);
    memcpy(x->code + pos, &x->labels[op], sizeof(void *));
    x->len += size;
    return pos;
}
#define EMIT(x, op, T, ...) emit_raw(x, op, &(T){.h = NULL, __VA_ARGS__}, sizeof(T))

static void patch32(Xl *x, uint32_t pos, uint32_t v) {
    memcpy(x->code + pos, &v, 4);
}
static uint32_t read32(Xl *x, uint32_t pos) {
    uint32_t v;
    memcpy(&v, x->code + pos, 4);
    return v;
}

static void pc_record(Xl *x, uint32_t wasm_offset) {
    while (x->n_pc && x->pc[x->n_pc - 1].code >= x->len)
        x->n_pc--;
    if (x->n_pc == x->cap_pc) {
        uint32_t cap = x->cap_pc ? x->cap_pc * 2 : 64;
        IPcEntry *pc = mem_realloc(x->pc, cap * sizeof *pc);
        if (!pc)
            longjmp(x->fail, 1);
        x->pc = pc;
        x->cap_pc = cap;
    }
    x->pc[x->n_pc++] = (IPcEntry){x->len, wasm_offset};
}

static void emit_mov(Xl *x, uint32_t dst, uint32_t src, bool wide) {
    if (dst != src)
        EMIT(x, wide ? IOP_MOV_V : IOP_MOV, IUn, .dst = dst, .a = src);
}

/* An 8-byte move: joins the MOV or MOV2 at `prev` when that is the last
 * instruction (the caller knows no label lies between). Returns where the
 * move now is (UINT32_MAX: none emitted). */
static uint32_t emit_mov_join(Xl *x, uint32_t prev, uint32_t dst, uint32_t src) {
    if (dst == src)
        return UINT32_MAX;
    const void *h = NULL;
    if (prev != UINT32_MAX)
        memcpy(&h, x->code + prev, sizeof h);
    uint32_t size = h == x->labels[IOP_MOV] ? sizeof(IUn) : h == x->labels[IOP_MOV2] ? 24 : 0;
    if (!size || prev + size != x->len)
        return EMIT(x, IOP_MOV, IUn, .dst = dst, .a = src);
    IMovs m = {NULL, {0}};
    memcpy(m.m, x->code + prev + 8, size - 8);
    m.m[(size - 8) / 4] = dst;
    m.m[(size - 8) / 4 + 1] = src;
    x->len = prev;
    emit_raw(x, size == 24 ? IOP_MOV3 : IOP_MOV2, &m, size + 8);
    return prev;
}

/* Write the constant entry e to slot dst. */
static void emit_const(Xl *x, uint32_t dst, const VEnt *e) {
    if (e->wide) {
        IConstV in = {NULL, dst, 0, {0}};
        memcpy(in.imm, &e->c, 8);
        memcpy(in.imm + 8, &e->c_hi, 8);
        emit_raw(x, IOP_CONST_V, &in, sizeof in);
    } else if (e->c <= UINT32_MAX) {
        EMIT(x, IOP_CONST32, IConst32, .dst = dst, .imm = (uint32_t)e->c);
    } else {
        EMIT(x, IOP_CONST64, IConst64, .dst = dst, .imm = e->c);
    }
}

/* ---- the virtual stack ---- */

static uint32_t vwidth(const VEnt *e) {
    return e->wide ? 16 : 8;
}

/* The temp slot of the entry at `height` (<= x->h): the prefix sum of the
 * widths below it. */
static uint32_t tslot(const Xl *x, uint32_t height) {
    if (height == 0)
        return x->t_base;
    const VEnt *below = &x->vs[height - 1];
    return x->t_base + below->toff + vwidth(below);
}

/* Does e read a local's slot (counted in refs)? */
static bool reads_local(const Xl *x, const VEnt *e) {
    return e->kind == V_LOCAL || (e->kind == V_ADDI && e->slot < x->t_base);
}

static void vpush(Xl *x, VEnt e) {
    if (reads_local(x, &e))
        x->refs[e.slot / 8]++;
    e.toff = tslot(x, x->h) - x->t_base;
    if (e.toff + vwidth(&e) > x->t_max)
        x->t_max = e.toff + vwidth(&e);
    x->vs[x->h++] = e;
}
static void vpush_temp(Xl *x, bool wide) {
    vpush(x, (VEnt){.kind = V_TEMP, .wide = wide});
}
static void vpush_local(Xl *x, uint32_t slot, bool wide) {
    vpush(x, (VEnt){.kind = V_LOCAL, .slot = slot, .wide = wide});
}
static void vpush_types(Xl *x, const ValType *types, uint32_t n) {
    for (uint32_t k = 0; k < n; k++)
        vpush_temp(x, type_wide(types[k]));
}
static VEnt vpop(Xl *x) {
    VEnt e = x->vs[--x->h];
    if (reads_local(x, &e))
        x->refs[e.slot / 8]--;
    if (x->clean > x->h)
        x->clean = x->h;
    return e;
}
static void vtrunc(Xl *x, uint32_t height) {
    while (x->h > height)
        vpop(x);
}

/* Write the pending add e to slot dst. */
static void emit_addi(Xl *x, uint32_t dst, const VEnt *e) {
    EMIT(x, IOP_I32_ADD_I, IBinI32, .dst = dst, .a = e->slot, .imm = (uint32_t)e->c);
}

/* Write the entry at `height` into its temp slot. */
static void materialize(Xl *x, uint32_t height) {
    VEnt *e = &x->vs[height];
    if (reads_local(x, e))
        x->refs[e->slot / 8]--;
    if (e->kind == V_LOCAL)
        emit_mov(x, tslot(x, height), e->slot, e->wide);
    else if (e->kind == V_CONST)
        emit_const(x, tslot(x, height), e);
    else if (e->kind == V_ADDI)
        emit_addi(x, tslot(x, height), e);
    e->kind = V_TEMP;
}

/* Compute every pending add (before code that needs plain slots). */
static void materialize_adds(Xl *x) {
    for (uint32_t i = x->clean; i < x->h; i++)
        if (x->vs[i].kind == V_ADDI)
            materialize(x, i);
}

static void materialize_all(Xl *x) {
    for (uint32_t i = x->clean; i < x->h; i++)
        materialize(x, i);
    x->clean = x->h;
}

/* The slot to read the entry at `height` from (constants get written). */
static uint32_t src(Xl *x, uint32_t height) {
    VEnt *e = &x->vs[height];
    if (e->kind == V_LOCAL)
        return e->slot;
    if (e->kind == V_CONST || e->kind == V_ADDI)
        materialize(x, height);
    return tslot(x, height);
}

static void spill_local_refs(Xl *x, uint32_t slot, uint32_t below) {
    for (uint32_t i = 0; i < below && x->refs[slot / 8]; i++)
        if (reads_local(x, &x->vs[i]) && x->vs[i].slot == slot)
            materialize(x, i);
}

/* ---- aliases: local.set/tee without a write (which locals may be aliased
 * and where: translate_alias.c) ---- */

static void alias_release(Xl *x, uint32_t local) {
    VEnt *a = &x->alias[local];
    if (a->kind == V_TEMP)
        return;
    if (reads_local(x, a))
        x->refs[a->slot / 8]--;
    a->kind = V_TEMP;
    for (uint32_t k = 0; k < x->n_alias; k++)
        if (x->alias_list[k] == local) {
            x->alias_list[k] = x->alias_list[--x->n_alias];
            break;
        }
}

/* At the end of a straight-line run: no aliased local is read again before
 * its next set, so the aliases go unwritten. */
static void alias_drop_all(Xl *x) {
    while (x->n_alias)
        alias_release(x, x->alias_list[x->n_alias - 1]);
}

static void alias_write(Xl *x, uint32_t local);

/* Slot `slot` is about to be written: first write every other local whose
 * alias reads it. */
static void alias_flush_on(Xl *x, uint32_t slot) {
    for (uint32_t k = 0; k < x->n_alias;) {
        uint32_t z = x->alias_list[k];
        const VEnt *a = &x->alias[z];
        if (reads_local(x, a) && a->slot == slot && x->loff[z] != slot) {
            alias_write(x, z);
            k = 0; /* the list changed */
        } else {
            k++;
        }
    }
}

/* Give an aliased local its value in its own slot (ending the alias), unless
 * nothing reads it again. */
static void alias_write(Xl *x, uint32_t local) {
    uint32_t slot = x->loff[local];
    VEnt a = x->alias[local];
    alias_release(x, local);
    if (!interp_xl_alias_read_ahead(x, local))
        return;
    alias_flush_on(x, slot);
    spill_local_refs(x, slot, x->h);
    if (a.kind == V_CONST)
        emit_const(x, slot, &a);
    else if (a.kind == V_ADDI)
        emit_addi(x, slot, &a);
    else
        emit_mov(x, slot, a.slot, false);
}

/* local.set/tee of a window local: alias it to the top entry when that is a
 * constant or reads an unaliased local (or itself). False: write it. */
static bool alias_set(Xl *x, uint32_t local, bool tee) {
    VEnt top = x->vs[x->h - 1];
    uint32_t slot = x->loff[local];
    if (!x->wl || !x->scalar[local] || top.wide)
        return false;
    if (!x->wl[local] && !(x->dead_set && x->body && x->dead_set[x->at]))
        return false;
    if (top.kind != V_CONST && (!reads_local(x, &top) || top.slot >= x->pool_base))
        return false; /* (pool and handler slots are no locals) */
    if (top.kind == V_LOCAL && top.slot == slot)
        return false; /* its own slot's value: the plain path, no write */
    alias_release(x, local);
    if (reads_local(x, &top)) {
        uint32_t base = x->slot_local[top.slot / 8];
        if (base != local && x->alias[base].kind != V_TEMP)
            return false;
        x->refs[top.slot / 8]++;
    }
    top.toff = 0;
    x->alias[local] = top;
    x->alias_list[x->n_alias++] = local;
    vpop(x);
    if (tee)
        vpush(x, top);
    return true;
}

static void set_producer(Xl *x, uint32_t dst_field, uint32_t height) {
    x->last.kind = L_PROD;
    x->last.op = OP_COUNT; /* not a fusable add or compare */
    x->last.code_end = x->len;
    x->last.dst_field = dst_field;
    x->last.height = height;
}

/* ---- labels and branches ---- */

static Ctrl *label(Xl *x, uint32_t depth) {
    return &x->cs[x->depth - 1 - depth];
}
static uint32_t arity(const Ctrl *c) {
    return c->kind == C_LOOP ? c->n_params : c->n_results;
}

static void link(Xl *x, Ctrl *c, uint32_t field) {
    if (c->kind == C_LOOP) {
        patch32(x, field, (uint32_t)((int32_t)c->loop_start - (int32_t)field));
    } else {
        patch32(x, field, c->fixups);
        c->fixups = field;
    }
}

static void bind_list(Xl *x, uint32_t *list) {
    uint32_t pos = *list;
    while (pos) {
        uint32_t next = read32(x, pos);
        patch32(x, pos, x->len - pos);
        pos = next;
    }
    *list = 0;
}

/* Do the branch values (the `n` entries below the top `skip`) already sit in
 * the label's slots? */
static bool in_place(Xl *x, uint32_t base, uint32_t n, uint32_t skip) {
    uint32_t first = x->h - skip - n;
    for (uint32_t k = 0; k < n; k++)
        if (x->vs[first + k].kind != V_TEMP || first + k != base + k)
            return false;
    return true;
}

/* Copy the branch values into the label's slots from T(base) on (at the
 * prefix sums of their widths); ascending order is safe since each source
 * sits at or above its destination. The virtual stack is unchanged. */
static void emit_moves(Xl *x, uint32_t base, uint32_t n, uint32_t skip) {
    uint32_t first = x->h - skip - n;
    uint32_t dst = tslot(x, base);
    for (uint32_t k = 0; k < n; k++) {
        const VEnt *e = &x->vs[first + k];
        if (e->kind == V_CONST)
            emit_const(x, dst, e);
        else if (e->kind == V_ADDI)
            emit_addi(x, dst, e);
        else
            emit_mov(x, dst, e->kind == V_LOCAL ? e->slot : tslot(x, first + k), e->wide);
        dst += vwidth(e);
    }
}

/* frame_src's answer for a pending add to compute from its base. */
#define FRAME_ADDI (UINT32_MAX - 1)

/* Where to read the entry at `height` from once emit_frame_moves has begun
 * writing the first `bytes` of the frame: a local (or pooled constant) there,
 * or a pending add of one, was first copied (computed) to the entry's temp
 * slot. UINT32_MAX for a constant, FRAME_ADDI for another pending add.
 * Changes nothing: frame moves may sit on one branch path only. */
static uint32_t frame_src(const Xl *x, uint32_t height, uint32_t bytes) {
    const VEnt *e = &x->vs[height];
    if (e->kind == V_CONST)
        return UINT32_MAX;
    if (e->kind == V_ADDI)
        return reads_local(x, e) && e->slot < bytes ? tslot(x, height) : FRAME_ADDI;
    if (e->kind == V_LOCAL && e->slot >= bytes)
        return e->slot;
    return tslot(x, height);
}

/* The bytes the n entries below the top `skip` take in slots. */
static uint32_t entries_bytes(const Xl *x, uint32_t n, uint32_t skip) {
    uint32_t bytes = 0;
    for (uint32_t k = x->h - skip - n; k < x->h - skip; k++)
        bytes += vwidth(&x->vs[k]);
    return bytes;
}

/* Move the `n` entries below the top `skip` into the frame's first slots
 * (results, or a tail call's arguments); returns the bytes written. Ascending
 * order is safe for temps (each sits at or above its destination); locals
 * among the destinations are saved first. */
static uint32_t emit_frame_moves(Xl *x, uint32_t n, uint32_t skip) {
    uint32_t first = x->h - skip - n;
    uint32_t bytes = entries_bytes(x, n, skip);
    for (uint32_t k = 0; k < n + skip; k++) {
        const VEnt *e = &x->vs[first + k];
        if (e->kind == V_LOCAL && e->slot < bytes)
            emit_mov(x, tslot(x, first + k), e->slot, e->wide);
        else if (e->kind == V_ADDI && reads_local(x, e) && e->slot < bytes)
            emit_addi(x, tslot(x, first + k), e); /* its temp slot is unused */
    }
    uint32_t dst = 0;
    for (uint32_t k = 0; k < n; k++) {
        const VEnt *e = &x->vs[first + k];
        uint32_t s = frame_src(x, first + k, bytes);
        if (s == UINT32_MAX)
            emit_const(x, dst, e);
        else if (s == FRAME_ADDI)
            emit_addi(x, dst, e);
        else
            emit_mov(x, dst, s, e->wide);
        dst += vwidth(e);
    }
    return bytes;
}

static void emit_return(Xl *x, uint32_t skip) {
    uint32_t n = x->ft->n_results;
    const VEnt *e = &x->vs[x->h - 1];
    if (n == 1 && skip == 0 && (e->kind == V_TEMP || e->kind == V_LOCAL) && !e->wide) {
        uint32_t s = e->kind == V_LOCAL ? e->slot : tslot(x, x->h - 1);
        if (s == 0)
            EMIT(x, IOP_RET0, IHdr);
        else
            EMIT(x, IOP_RET1, IUn, .a = s);
        return;
    }
    if (n == 1 && skip == 0 && e->kind == V_ADDI) { /* a pending add: one op */
        EMIT(x, IOP_RET_ADDI, IBinI32, .a = e->slot, .imm = (uint32_t)e->c);
        return;
    }
    emit_frame_moves(x, n, skip);
    EMIT(x, IOP_RET0, IHdr);
}

static bool needs_stub(Xl *x, Ctrl *c, uint32_t skip) {
    return c->kind == C_FUNC || !in_place(x, c->base, arity(c), skip);
}

/* An unconditional jump to label c carrying its values. */
static void emit_jump_to(Xl *x, Ctrl *c, uint32_t skip) {
    if (c->kind == C_FUNC) {
        emit_return(x, skip);
        return;
    }
    emit_moves(x, c->base, arity(c), skip);
    uint32_t pos = EMIT(x, IOP_BR, IBr, .disp = 0);
    link(x, c, pos + offsetof(IBr, disp));
}

/* A conditional branch on the fused compare `c` (negated: branch if false);
 * returns the displacement field. */
static uint32_t emit_cmp_branch(Xl *x, const Last *c, bool negate) {
    if (c->inc && x->len == c->start) {
        /* fold the in-place add just before the compare into the branch */
        uint32_t op;
        if (c->op == OP_I32_EQZ) {
            op = negate ? IOP_I32_INC_BR_NEZ : IOP_I32_INC_BR_EQZ;
        } else {
            op = negate ? NEGATED(c->op) : c->op;
            op = c->imm ? op_inc_imm_form[op] : op_inc_form[op];
        }
        x->len = c->inc_start;
        return EMIT(x, op, IIncBr, .x = c->a, .add = (int32_t)c->inc_imm,
                    .b = c->imm ? (uint32_t)c->immv : c->b) +
               offsetof(IIncBr, disp);
    }
    if (c->inc2 && x->len == c->start) {
        /* fold the INC2 just before the compare into the branch */
        uint32_t op = op_inc2_form[negate ? NEGATED(c->op) : c->op];
        x->len = c->inc2_start;
        return EMIT(x, op, IInc2Br, .x1 = c->inc2_m[0], .k1 = c->inc2_m[1], .x2 = c->inc2_m[2],
                    .k2 = c->inc2_m[3], .a = c->a, .imm = (uint32_t)c->immv) +
               offsetof(IInc2Br, disp);
    }
    if (c->ld.on && x->len == c->start) {
        /* eqz of the value the load just before loaded: one op */
        bool byte = c->ld.op == OP_I32_LOAD8_U;
        uint32_t op = negate ? (byte ? IOP_LOAD8U_BR_NEZ : IOP_LOAD_BR_NEZ)
                             : (byte ? IOP_LOAD8U_BR_EQZ : IOP_LOAD_BR_EQZ);
        x->len = c->ld.start;
        return EMIT(x, op, ILoadBr, .dst = c->ld.dst, .y = c->ld.y, .imm = c->ld.imm,
                    .offset = c->ld.off) +
               offsetof(ILoadBr, disp);
    }
    if (c->tst && x->len == c->start) {
        x->len = c->tst_start;
        return EMIT(x, negate ? IOP_BR_TEST_NZ : IOP_BR_TEST_Z, ICmpBrI32, .a = c->tst_a,
                    .imm = c->tst_k) +
               offsetof(ICmpBrI32, disp);
    }
    if (c->op == OP_I32_EQZ || c->op == OP_I64_EQZ) {
        bool is64 = c->op == OP_I64_EQZ;
        uint32_t op =
            negate ? (is64 ? IOP_BR_NEZ64 : IOP_BR_NEZ32) : (is64 ? IOP_BR_EQZ64 : IOP_BR_EQZ32);
        return EMIT(x, op, IBrIf, .cond = c->a) + offsetof(IBrIf, disp);
    }
    uint32_t op = negate ? NEGATED(c->op) : c->op;
    if (!c->imm)
        return EMIT(x, op_branch_form[op], ICmpBr, .a = c->a, .b = c->b) + offsetof(ICmpBr, disp);
    if (operand_width(op) == 4)
        return EMIT(x, op_branch_imm_form[op], ICmpBrI32, .a = c->a, .imm = (uint32_t)c->immv) +
               offsetof(ICmpBrI32, disp);
    return EMIT(x, op_branch_imm_form[op], ICmpBrI64, .a = c->a, .imm = c->immv) +
           offsetof(ICmpBrI64, disp);
}

/* Pop the i32 condition on top; emit a branch taken when it is true (or false,
 * `negate`) and return its displacement field. Fuses the compare just emitted.
 */
static uint32_t emit_cond(Xl *x, bool negate, bool materialize_first) {
    const Last *p = &x->prev;
    if (p->kind == L_CMP && p->code_end == x->len && p->height == x->h - 1 &&
        x->vs[x->h - 1].kind == V_TEMP) {
        Last c = *p;
        x->len = c.start;
        vpop(x);
        if (materialize_first)
            materialize_all(x);
        return emit_cmp_branch(x, &c, negate);
    }
    uint32_t height = x->h - 1, len = x->len;
    VEnt e = vpop(x);
    if (materialize_first)
        materialize_all(x);
    uint32_t slot;
    if (x->len == len) {
        /* the condition is the value the guarded i32.load / i32.load8_u just
         * emitted loaded (into this temp, or into this local by a local.tee /
         * set): one op loads and branches */
        LdInfo ld = {false, 0, 0, 0, 0, 0, 0};
        if (e.kind == V_LOCAL && p->kind == L_TEE && p->ld.on && p->ld.dst == e.slot &&
            p->code_end == len)
            ld = p->ld;
        else if (e.kind == V_TEMP && p->kind == L_PROD && p->copyable && p->code_end == len &&
                 p->height == height && (p->op == OP_I32_LOAD || p->op == OP_I32_LOAD8_U))
            ld = (LdInfo){true, p->start, tslot(x, height), p->a, p->b, (uint32_t)p->immv, p->op};
        if (ld.on) {
            bool byte = ld.op == OP_I32_LOAD8_U;
            uint32_t op = negate ? (byte ? IOP_LOAD8U_BR_EQZ : IOP_LOAD_BR_EQZ)
                                 : (byte ? IOP_LOAD8U_BR_NEZ : IOP_LOAD_BR_NEZ);
            x->len = ld.start;
            return EMIT(x, op, ILoadBr, .dst = ld.dst, .y = ld.y, .imm = ld.imm, .offset = ld.off) +
                   offsetof(ILoadBr, disp);
        }
    }
    if (e.kind == V_LOCAL) {
        slot = e.slot;
        /* the local was just incremented in place: one op */
        if (x->len == len && p->kind == L_INC && p->code_end == len && p->a == slot && p->inc2) {
            /* ... right after an INC2: one op for all three */
            x->len = p->inc2_start;
            return EMIT(x, negate ? IOP_I32_INC3_BR_EQZ : IOP_I32_INC3_BR_NEZ, IInc2Br,
                        .x1 = p->inc2_m[0], .k1 = p->inc2_m[1], .x2 = p->inc2_m[2],
                        .k2 = p->inc2_m[3], .a = slot, .imm = (uint32_t)p->immv) +
                   offsetof(IInc2Br, disp);
        }
        if (x->len == len && p->kind == L_INC && p->code_end == len && p->a == slot) {
            x->len = p->start;
            return EMIT(x, negate ? IOP_I32_INC_BR_EQZ : IOP_I32_INC_BR_NEZ, IIncBr, .x = slot,
                        .add = (int32_t)p->immv) +
                   offsetof(IIncBr, disp);
        }
    } else {
        slot = tslot(x, height);
        /* the i32.and with an immediate just emitted: test and branch */
        if (e.kind == V_TEMP && x->len == len && p->kind == L_PROD && p->op == OP_I32_AND &&
            p->imm && !p->memop && !p->copyable && p->code_end == len && p->height == height) {
            x->len = p->start;
            return EMIT(x, negate ? IOP_BR_TEST_Z : IOP_BR_TEST_NZ, ICmpBrI32, .a = p->a,
                        .imm = (uint32_t)p->immv) +
                   offsetof(ICmpBrI32, disp);
        }
        if (e.kind == V_CONST)
            emit_const(x, slot, &e);
        else if (e.kind == V_ADDI)
            emit_addi(x, slot, &e);
    }
    uint32_t op = negate ? IOP_BR_EQZ32 : IOP_BR_NEZ32;
    return EMIT(x, op, IBrIf, .cond = slot) + offsetof(IBrIf, disp);
}

/* ---- fuel and epochs ---- */

static void fuel_flush(Xl *x) {
    if (x->fuel_field)
        patch32(x, x->fuel_field, x->fuel_count ? x->fuel_count : 1);
    x->fuel_field = 0;
}

static void fuel_block(Xl *x) {
    if (!x->fuel)
        return;
    fuel_flush(x);
    x->fuel_field = EMIT(x, IOP_FUEL, IUn, .a = 1) + offsetof(IUn, a);
    x->fuel_count = 0;
}

static void epoch_check(Xl *x) {
    if (x->epoch)
        EMIT(x, IOP_EPOCH, IHdr);
}

/* ---- instruction groups ---- */

/* i32.add / i32.sub of a constant with guarded memory 0: a pending add
 * (V_ADDI) that an access can take as its address, so the add costs no
 * instruction. Its base must stay put: a local, or the temp slot of the
 * entry it replaces. Returns false when it does not apply. */
static bool defer_add(Xl *x, uint32_t op) {
    uint32_t h = x->h;
    const VEnt *a = &x->vs[h - 2], *b = &x->vs[h - 1];
    if (!x->guarded0 || (op != OP_I32_ADD && op != OP_I32_SUB))
        return false;
    bool swap = b->kind != V_CONST;
    if (swap && (op == OP_I32_SUB || a->kind != V_CONST))
        return false;
    const VEnt *base = swap ? b : a;
    uint32_t k = (uint32_t)(swap ? a->c : b->c);
    if (op == OP_I32_SUB)
        k = 0u - k;
    VEnt e = {.kind = V_ADDI, .c = k};
    if (base->kind == V_LOCAL) {
        e.slot = base->slot;
    } else if (base->kind == V_ADDI && (!swap || reads_local(x, base))) {
        e.slot = base->slot;
        e.c = (uint32_t)(base->c + k);
    } else if (base->kind == V_TEMP && !swap) {
        e.slot = tslot(x, h - 2);
    } else {
        return false;
    }
    vpop(x);
    vpop(x);
    vpush(x, e);
    x->last = x->prev; /* no code: the code's end is as the previous left it */
    return true;
}

/* The load that reads a whole value of op's operand type. */
static uint32_t natural_load(uint32_t op) {
    switch (op_info[op].stack[0]) {
    case 'i': return OP_I32_LOAD;
    case 'I': return OP_I64_LOAD;
    case 'f': return OP_F32_LOAD;
    case 'F': return OP_F64_LOAD;
    default: return OP_COUNT;
    }
}

/* A binary op whose operand is the value the guarded load just emitted
 * loaded (and the other a slot): the op reads memory itself (its _M form,
 * memory operand second). Not for ops that trap: one code offset serves
 * the load's fault. Returns false when it does not apply. */
static bool fuse_load(Xl *x, uint32_t op) {
    uint32_t h = x->h;
    const Last *p = &x->prev;
    if (!op_mem_form[op] || interp_op_class[op] != CL_BIN || p->kind != L_PROD || !p->copyable ||
        p->code_end != x->len || p->op != natural_load(op))
        return false;
    switch (op) {
    case OP_I32_DIV_S:
    case OP_I32_DIV_U:
    case OP_I32_REM_S:
    case OP_I32_REM_U:
    case OP_I64_DIV_S:
    case OP_I64_DIV_U:
    case OP_I64_REM_S:
    case OP_I64_REM_U: return false;
    default: break;
    }
    uint32_t other;
    if (p->height == h - 1)
        other = h - 2;
    else if (p->height == h - 2 && SWAPPED(op) == op)
        other = h - 1;
    else
        return false;
    const VEnt *o = &x->vs[other], *m = &x->vs[p->height];
    if (m->kind != V_TEMP || (o->kind != V_TEMP && o->kind != V_LOCAL))
        return false;
    uint32_t a = o->kind == V_LOCAL ? o->slot : tslot(x, other);
    uint32_t dst = tslot(x, h - 2);
    /* an add of the product the memory-operand multiply just before made */
    const Last *mul = &x->mul;
    bool mac = (op == OP_F64_ADD || op == OP_F32_ADD) && mul->memop &&
               mul->op == (op == OP_F64_ADD ? OP_F64_MUL : OP_F32_MUL) &&
               mul->code_end == p->start && o->kind == V_TEMP && mul->height == other;
    x->len = p->start;
    uint32_t pos = EMIT(x, op_mem_form[op], IBinM, .dst = dst, .a = a, .y = p->a, .imm = p->b,
                        .offset = (uint32_t)p->immv);
    vpop(x);
    vpop(x);
    vpush_temp(x, false);
    set_producer(x, pos + offsetof(IBinM, dst), h - 2);
    x->last.memop = true;
    x->last.op = op;
    x->last.start = pos;
    x->last.a = p->a;
    x->last.b = p->b;
    x->last.immv = p->immv;
    x->last.mem_a = a;
    x->last.mac = mac;
    x->last.grp = p->grp; /* a MAC group may be right before the load */
    x->last.grp_start = p->grp_start;
    if (!mac)
        x->mul = x->last; /* a mac add keeps its multiply there */
    return true;
}

/* The store that writes a whole value of op's result type. */
static uint32_t natural_store(uint32_t op) {
    switch (natural_load(op)) {
    case OP_I32_LOAD: return OP_I32_STORE;
    case OP_I64_LOAD: return OP_I64_STORE;
    case OP_F32_LOAD: return OP_F32_STORE;
    case OP_F64_LOAD: return OP_F64_STORE;
    default: return OP_COUNT;
    }
}

/* The chained op for i32 `t = a op1 k; t op2 b` (OP_COUNT: none). */
static uint32_t chain_op(uint32_t op1, uint32_t op2) {
#define CHAIN(n1, e1, n2, e2)                                                                      \
    if (op1 == OP_I32_##n1 && op2 == OP_I32_##n2)                                                  \
        return IOP_CHAIN_##n1##_##n2;
#include "iops.def"
#undef CHAIN
    return OP_COUNT;
}

/* An i32.xor of two temps: the rotl of a local by an immediate just emitted
 * and the rotl of the same local right before it (an I32_ROT2_XOR), or the
 * rotl / shr_u of a local just emitted and the I32_ROT2_XOR of that local
 * right before it (I32_ROT3_XOR, I32_ROT2_SHR_XOR): the rotate-xor mixes of
 * hash functions. Returns false when it does not apply. */
static bool fuse_rot(Xl *x) {
    uint32_t h = x->h;
    const Last *p = &x->prev;
    if (p->kind != L_PROD || !p->imm || p->memop || p->copyable || p->code_end != x->len ||
        p->a >= x->t_base || x->vs[h - 1].kind != V_TEMP || x->vs[h - 2].kind != V_TEMP ||
        (p->height != h - 1 && p->height != h - 2))
        return false;
    uint32_t other = p->height == h - 1 ? h - 2 : h - 1;
    IOps f = {NULL, tslot(x, h - 2), p->a, 0, 0, 0, 0};
    uint32_t at, op;
    RotInfo rot = {false, 0, 0, 0, 0, 0};
    if (p->pre_rot.on && p->pre_rot.a == p->a && p->pre_rot.height == other &&
        p->pre_rot.start + sizeof(IOps) == p->start) {
        at = p->pre_rot.start;
        op = p->op == OP_I32_ROTL ? IOP_I32_ROT3_XOR : IOP_I32_ROT2_SHR_XOR;
        f.c = p->pre_rot.k1, f.d = p->pre_rot.k2, f.e = (uint32_t)p->immv;
    } else if (p->op == OP_I32_ROTL && p->pre && p->pre_op == OP_I32_ROTL && p->pre_a == p->a &&
               p->pre_height == other && p->pre_start < p->start) {
        at = p->pre_start;
        op = IOP_I32_ROT2_XOR;
        f.c = p->pre_k, f.d = (uint32_t)p->immv;
        rot = (RotInfo){true, at, p->a, f.c, f.d, h - 2};
    } else {
        return false;
    }
    x->len = at;
    uint32_t pos = emit_raw(x, op, &f, sizeof f);
    vpop(x);
    vpop(x);
    vpush_temp(x, false);
    set_producer(x, pos + offsetof(IOps, a), h - 2);
    x->last.rot = rot;
    return true;
}

/* A commutative i32 op one of whose operands is the result of the
 * op-with-immediate just emitted (or a pending add), the other a slot: one
 * chained op. Returns false when it does not apply. */
static bool fuse_chain(Xl *x, uint32_t op) {
    if (op != OP_I32_OR && op != OP_I32_XOR && op != OP_I32_ADD && op != OP_I32_AND)
        return false;
    uint32_t h = x->h;
    const Last *p = &x->prev;
    /* an add of the sum of two slots just emitted: one three-way add */
    if (op == OP_I32_ADD && p->kind == L_PROD && p->op == OP_I32_ADD && !p->imm && !p->memop &&
        p->code_end == x->len) {
        for (uint32_t ti = h - 2; ti < h; ti++) {
            uint32_t oi = ti == h - 1 ? h - 2 : h - 1;
            const VEnt *o = &x->vs[oi];
            if (p->height != ti || x->vs[ti].kind != V_TEMP ||
                (o->kind != V_LOCAL && o->kind != V_TEMP))
                continue;
            IOps f = {
                NULL, tslot(x, h - 2), p->a, p->b, o->kind == V_LOCAL ? o->slot : tslot(x, oi), 0,
                0};
            x->len = p->start;
            uint32_t pos = emit_raw(x, IOP_I32_ADD3, &f, sizeof f);
            vpop(x);
            vpop(x);
            vpush_temp(x, false);
            set_producer(x, pos + offsetof(IOps, a), h - 2);
            return true;
        }
    }
    /* (a << k) | (b >> k'), the two shifts just emitted: a funnel shift */
    if (op == OP_I32_OR && p->kind == L_PROD && p->imm && p->pre && p->code_end == x->len &&
        p->pre_start < p->start && x->vs[h - 1].kind == V_TEMP && x->vs[h - 2].kind == V_TEMP &&
        ((p->height == h - 1 && p->pre_height == h - 2) ||
         (p->height == h - 2 && p->pre_height == h - 1))) {
        bool shl_last = p->op == OP_I32_SHL && p->pre_op == OP_I32_SHR_U;
        if (shl_last || (p->op == OP_I32_SHR_U && p->pre_op == OP_I32_SHL)) {
            IOps f = {NULL,
                      tslot(x, h - 2),
                      shl_last ? p->a : p->pre_a,
                      shl_last ? (uint32_t)p->immv : p->pre_k,
                      shl_last ? p->pre_a : p->a,
                      shl_last ? p->pre_k : (uint32_t)p->immv,
                      0};
            x->len = p->pre_start;
            uint32_t pos = emit_raw(x, IOP_I32_FUNNEL, &f, sizeof f);
            vpop(x);
            vpop(x);
            vpush_temp(x, false);
            set_producer(x, pos + offsetof(IOps, a), h - 2);
            x->last.start = pos;    /* a store of it may fuse (xl_store) */
            x->last.ld = p->pre_ld; /* ... and the load right before it */
            return true;
        }
    }
    if (op == OP_I32_XOR && fuse_rot(x))
        return true;
    for (uint32_t ti = h - 2; ti < h; ti++) {
        uint32_t oi = ti == h - 1 ? h - 2 : h - 1;
        const VEnt *t = &x->vs[ti], *o = &x->vs[oi];
        if (o->kind != V_LOCAL && o->kind != V_TEMP)
            continue;
        uint32_t op1, a, k;
        bool rewind = false;
        if (t->kind == V_ADDI) {
            op1 = OP_I32_ADD, a = t->slot, k = (uint32_t)t->c;
        } else if (t->kind == V_TEMP && p->kind == L_PROD && p->imm && !p->memop && !p->copyable &&
                   p->code_end == x->len && p->height == ti) {
            op1 = p->op, a = p->a, k = (uint32_t)p->immv, rewind = true;
        } else {
            continue;
        }
        uint32_t cop = chain_op(op1, op);
        if (cop == OP_COUNT)
            continue;
        uint32_t b = o->kind == V_LOCAL ? o->slot : tslot(x, oi);
        if (rewind)
            x->len = p->start;
        uint32_t pos = EMIT(x, cop, IChain, .dst = tslot(x, h - 2), .a = a, .k = k, .b = b);
        vpop(x);
        vpop(x);
        vpush_temp(x, false);
        set_producer(x, pos + offsetof(IChain, dst), h - 2);
        if (cop == IOP_CHAIN_SHL_ADD) { /* an array element's address, for a load */
            x->last.scaled = true;
            x->last.start = pos;
            x->last.a = a;
            x->last.b = b;
            x->last.immv = k;
        }
        return true;
    }
    return false;
}

/* The chained op for i32 `t = a op1 k; t op2 k2` (OP_COUNT: none). */
static uint32_t chaini_op(uint32_t op1, uint32_t op2) {
#define CHAINI(n1, e1, n2, e2)                                                                     \
    if (op1 == OP_I32_##n1 && op2 == OP_I32_##n2)                                                  \
        return IOP_CHAINI_##n1##_##n2;
#include "iops.def"
#undef CHAINI
    return OP_COUNT;
}

/* An i32 op with a constant second operand whose first is the result of the
 * op-with-immediate just emitted (or a pending add): one chained op. */
static bool fuse_chaini(Xl *x, uint32_t op) {
    uint32_t h = x->h;
    const Last *p = &x->prev;
    const VEnt *t = &x->vs[h - 2], *b = &x->vs[h - 1];
    if (b->kind != V_CONST || operand_width(op) != 4)
        return false;
    uint32_t op1, a, k;
    bool rewind = false;
    if (t->kind == V_ADDI) {
        op1 = OP_I32_ADD, a = t->slot, k = (uint32_t)t->c;
    } else if (t->kind == V_TEMP && p->kind == L_PROD && p->imm && !p->memop && !p->copyable &&
               p->code_end == x->len && p->height == h - 2) {
        op1 = p->op, a = p->a, k = (uint32_t)p->immv, rewind = true;
    } else {
        return false;
    }
    uint32_t cop = chaini_op(op1, op);
    if (cop == OP_COUNT)
        return false;
    uint32_t k2 = (uint32_t)b->c;
    if (rewind)
        x->len = p->start;
    uint32_t pos = EMIT(x, cop, IChain, .dst = tslot(x, h - 2), .a = a, .k = k, .b = k2);
    vpop(x);
    vpop(x);
    vpush_temp(x, false);
    set_producer(x, pos + offsetof(IChain, dst), h - 2);
    return true;
}

static void xl_binop(Xl *x, uint32_t op) {
    if (defer_add(x, op) || fuse_load(x, op) || fuse_chain(x, op) || fuse_chaini(x, op))
        return;
    uint32_t h = x->h;
    const VEnt *a = &x->vs[h - 2], *b = &x->vs[h - 1];
    uint32_t dst = tslot(x, h - 2), pos;
    Last c = {.kind = L_CMP, .op = op};
    uint32_t swapped = SWAPPED(op);
    if (op_imm_form[op] && (b->kind == V_CONST || (a->kind == V_CONST && swapped != OP_COUNT))) {
        bool swap = b->kind != V_CONST;
        uint64_t imm = swap ? a->c : b->c;
        c.op = swap ? swapped : op;
        c.a = src(x, swap ? h - 1 : h - 2);
        c.imm = true;
        c.immv = imm;
        if (operand_width(c.op) == 4)
            pos = EMIT(x, op_imm_form[c.op], IBinI32, .dst = dst, .a = c.a, .imm = (uint32_t)imm);
        else
            pos = EMIT(x, op_imm_form[c.op], IBinI64, .dst = dst, .a = c.a, .imm = imm);
    } else {
        c.a = src(x, h - 2);
        c.b = src(x, h - 1);
        const Last *p = &x->prev;
        if (op == OP_I32_ADD && p->kind == L_TEE && p->add2 && p->code_end == x->len) {
            /* right after another add of two slots whose result a local.set /
             * tee took: one op doing both in order */
            IMovs m = {NULL, {p->add2_dst, p->a, p->b, dst, c.a, c.b}};
            x->len = p->start;
            pos = emit_raw(x, IOP_ADD2, &m, sizeof m);
            vpop(x);
            vpop(x);
            vpush_temp(x, false);
            set_producer(x, pos + offsetof(IMovs, m[3]), h - 2);
            return;
        }
        bool mul = op == OP_F64_MUL || op == OP_F32_MUL;
        if (mul && p->kind == L_PROD && p->op == op && !p->imm && !p->memop &&
            p->code_end == x->len && p->start + sizeof(IBin) == p->code_end && p->height == h - 2 &&
            a->kind == V_TEMP) {
            /* the product just made times a slot: one op (same order) */
            IOps m = {NULL, dst, p->a, p->b, c.b, 0, 0};
            x->len = p->start;
            pos = emit_raw(x, op == OP_F64_MUL ? IOP_F64_MUL2 : IOP_F32_MUL2, &m, sizeof m);
            vpop(x);
            vpop(x);
            vpush_temp(x, false);
            set_producer(x, pos + offsetof(IOps, a), h - 2);
            return;
        }
        pos = EMIT(x, op, IBin, .dst = dst, .a = c.a, .b = c.b);
    }
    vpop(x);
    vpop(x);
    vpush_temp(x, result_wide(op));
    c.start = pos;
    c.code_end = x->len;
    c.dst_field = pos + offsetof(IBin, dst);
    c.height = h - 2;
    c.kind = interp_op_class[op] == CL_CMP ? L_CMP : L_PROD;
    const Last *p = &x->prev;
    if (c.kind == L_PROD && c.imm && p->kind == L_PROD && p->imm && !p->memop && !p->copyable &&
        p->code_end == pos) {
        c.pre = true; /* for three-op fusions (fuse_chain) */
        c.pre_start = p->start;
        c.pre_op = p->op;
        c.pre_a = p->a;
        c.pre_k = (uint32_t)p->immv;
        c.pre_height = p->height;
        c.pre_ld = p->ld;
    }
    if (c.imm && (op == OP_I32_ROTL || op == OP_I32_SHR_U) && p->kind == L_PROD && p->rot.on &&
        p->code_end == pos)
        c.pre_rot = p->rot; /* right after an I32_ROT2_XOR */
    if (c.imm && (op == OP_I32_SHL || op == OP_I32_SHR_U) && p->kind == L_TEE &&
        p->code_end == pos && p->ld.dst == c.a && p->ld.op == OP_I32_LOAD)
        c.ld = p->ld; /* a shift of the local a load just wrote */
    if (c.kind == L_CMP && c.imm && op_inc2_form[c.op] && p->kind == L_INC2 && p->code_end == pos) {
        c.inc2 = true; /* the compare follows an INC2 */
        c.inc2_start = p->start;
        memcpy(c.inc2_m, p->inc2_m, sizeof c.inc2_m);
    }
    if (c.kind == L_CMP && op_inc_form[c.op] && p->kind == L_INC && p->code_end == pos &&
        p->a == c.a) {
        c.inc = true; /* the compare follows an in-place add of its operand */
        c.inc_start = p->start;
        c.inc_imm = (uint32_t)p->immv;
    }
    x->last = c;
}

static void xl_unop(Xl *x, uint32_t op) {
    uint32_t h = x->h;
    uint32_t a = src(x, h - 1);
    uint32_t pos = EMIT(x, op, IUn, .dst = tslot(x, h - 1), .a = a);
    vpop(x);
    vpush_temp(x, result_wide(op));
    set_producer(x, pos + offsetof(IUn, dst), h - 1);
    if (op == OP_I32_EQZ || op == OP_I64_EQZ) {
        const Last *p = &x->prev;
        x->last.kind = L_CMP;
        x->last.op = op;
        x->last.start = pos;
        x->last.a = a;
        x->last.imm = false;
        if (op == OP_I32_EQZ && p->kind == L_INC && p->code_end == pos && p->a == a) {
            x->last.inc = true;
            x->last.inc_start = p->start;
            x->last.inc_imm = (uint32_t)p->immv;
        }
        if (op == OP_I32_EQZ && p->kind == L_TEE && p->ld.on && p->ld.dst == a &&
            p->code_end == pos)
            x->last.ld = p->ld; /* eqz of the local a load just wrote */
        if (op == OP_I32_EQZ && p->kind == L_PROD && p->copyable && p->code_end == pos &&
            p->height == h - 1 && (p->op == OP_I32_LOAD || p->op == OP_I32_LOAD8_U))
            x->last.ld = (LdInfo){true, p->start,          a,    p->a,
                                  p->b, (uint32_t)p->immv, p->op}; /* ... just loaded */
        if (op == OP_I32_EQZ && p->kind == L_PROD && p->op == OP_I32_AND && p->imm && !p->memop &&
            !p->copyable && p->code_end == pos && p->height == h - 1) {
            x->last.tst = true; /* eqz of a bit test */
            x->last.tst_start = p->start;
            x->last.tst_a = p->a;
            x->last.tst_k = (uint32_t)p->immv;
        }
    }
}

static uint32_t mem_field(Xl *x, uint32_t mem) {
    return x->rm->offsets.memories + mem * (uint32_t)sizeof(void *);
}

static bool is_guarded(Xl *x, uint32_t mem, uint64_t offset) {
    return mem == 0 && x->guarded0 && offset <= UINT32_MAX;
}

/* Is the entry at `height` the result of the i32.add (of two slots) just
 * emitted? Then a guarded access can do the add itself: drop the add. (Not
 * an add with a memory operand, fuse_load's: its b is no slot.) */
static bool take_add(Xl *x, uint32_t height, Last *out) {
    const Last *p = &x->prev;
    if (p->kind != L_PROD || p->op != OP_I32_ADD || p->imm || p->memop || p->code_end != x->len ||
        p->height != height || x->vs[height].kind != V_TEMP)
        return false;
    *out = *p;
    x->len = p->start;
    return true;
}

/* A fused instruction now at `pos` can trap only as the wasm instruction at
 * `wasm` (the one being translated): map its code there. */
static void pc_at(Xl *x, uint32_t pos, uint32_t wasm) {
    while (x->n_pc && x->pc[x->n_pc - 1].code >= pos)
        x->n_pc--;
    uint32_t len = x->len;
    x->len = pos;
    pc_record(x, wasm);
    x->len = len;
}

/* A load just emitted at `pos` reads (u32)(slot a + k) + offset: a following
 * store of its value may fuse with it (xl_store). */
static void set_copyable(Xl *x, uint32_t op, uint32_t pos, uint32_t a, uint32_t k,
                         uint64_t offset) {
    const Last *p = &x->prev;
    if (p->kind == L_COPY && p->code_end == pos) {
        x->last.grp = true;
        x->last.grp_start = p->start;
    } else if (x->mac_end == pos) {
        x->last.grp = true;
        x->last.grp_start = x->mac_start;
    }
    x->last.copyable = true;
    x->last.op = op;
    x->last.start = pos;
    x->last.a = a;
    x->last.b = k;
    x->last.immv = offset;
}

static void xl_load(Xl *x, const Instr *in) {
    uint32_t h = x->h, op = in->op, mem = in->imm.memarg.mem;
    uint64_t offset = in->imm.memarg.offset;
    uint32_t dst = tslot(x, h - 1), pos;
    Last add;
    if (is_guarded(x, mem, offset) && take_add(x, h - 1, &add)) {
        pos = EMIT(x, op_add_form[op], IMemA, .x = dst, .y = add.a, .z = add.b, .offset = offset);
        pc_at(x, pos, in->offset);
        vpop(x);
        vpush_temp(x, result_wide(op));
        set_producer(x, pos + offsetof(IMemA, x), h - 1);
        return;
    }
    const VEnt *e = &x->vs[h - 1];
    if (is_guarded(x, mem, offset) && e->kind == V_ADDI && op_addi_form[op]) {
        uint32_t base = e->slot, k = (uint32_t)e->c;
        pos = EMIT(x, op_addi_form[op], IMemA, .x = dst, .y = base, .z = k, .offset = offset);
        vpop(x);
        vpush_temp(x, result_wide(op));
        set_producer(x, pos + offsetof(IMemA, x), h - 1);
        if (op_mem_width[op])
            set_copyable(x, op, pos, base, k, offset);
        return;
    }
    if (is_guarded(x, mem, offset) && op_abs_form[op] && e->kind == V_CONST) {
        /* the wasm address is a u32, the offset below 2^32: no overflow */
        pos = EMIT(x, op_abs_form[op], IMem, .x = dst, .offset = e->c + offset);
        vpop(x);
        vpush_temp(x, result_wide(op));
        set_producer(x, pos + offsetof(IMem, x), h - 1);
        return;
    }
    const Last *p = &x->prev;
    if (is_guarded(x, mem, offset) && op_scaled_form[op] && e->kind == V_TEMP &&
        p->kind == L_PROD && p->scaled && p->code_end == x->len && p->height == h - 1) {
        /* the address (slot << k) + slot just computed: one op */
        x->len = p->start;
        pos = EMIT(x, op_scaled_form[op], IMemX, .x = dst, .y = p->b, .z = p->a,
                   .shift = (uint32_t)p->immv, .offset = offset);
        pc_at(x, pos, in->offset);
        vpop(x);
        vpush_temp(x, result_wide(op));
        set_producer(x, pos + offsetof(IMemX, x), h - 1);
        return;
    }
    if (is_guarded(x, mem, offset) && op_incload_form[op] && e->kind == V_LOCAL &&
        p->kind == L_INC && p->code_end == x->len && p->a == e->slot) {
        /* the address local was just incremented in place: one op */
        x->len = p->start;
        pos = EMIT(x, op_incload_form[op], IMemA, .x = dst, .y = e->slot, .z = (uint32_t)p->immv,
                   .offset = offset);
        pc_at(x, pos, in->offset);
        vpop(x);
        vpush_temp(x, result_wide(op));
        set_producer(x, pos + offsetof(IMemA, x), h - 1);
        return;
    }
    uint32_t addr = src(x, h - 1);
    if (is_guarded(x, mem, offset))
        pos = EMIT(x, op, IMem, .x = dst, .y = addr, .offset = offset);
    else
        pos = EMIT(x, op_checked_form[op], IMemC, .x = dst, .y = addr, .offset = offset,
                   .mem = mem_field(x, mem), .is64 = x->mod->memories[mem].type.is64);
    vpop(x);
    vpush_temp(x, result_wide(op));
    set_producer(x, pos + offsetof(IMem, x), h - 1);
    if (is_guarded(x, mem, offset) && op_mem_width[op])
        set_copyable(x, op, pos, addr, 0, offset);
}

/* A store of the value the guarded load just emitted loaded, of the same
 * width, to a guarded address: one copy op. A fault in its store half
 * reports code offset + 1, mapped to the store. */
/* The byte copy c (its load just emitted, p) continues the COPY8 / COPY8N
 * group right before it (same slots and offsets, immediates one further):
 * the group grows by one (up to 8); its load's and store's pc entries move
 * to the group's code offset + 2n / + 2n + 1. */
static bool join_copy(Xl *x, const Last *p, const ICopyN *c) {
    uint32_t g = p->grp_start;
    const void *h;
    memcpy(&h, x->code + g, sizeof h);
    ICopyN grp = {NULL, 0, 0, 0, 0, 0, 0, 1, 0};
    if (h == x->labels[IOP_COPY8])
        memcpy(&grp, x->code + g, sizeof(ICopy));
    else if (h == x->labels[IOP_COPY8N])
        memcpy(&grp, x->code + g, sizeof grp);
    else
        return false;
    uint32_t n = grp.n;
    if (n >= 8 || grp.dy != c->dy || grp.sy != c->sy || grp.doff != c->doff ||
        grp.soff != c->soff || grp.dimm + n != c->dimm || grp.simm + n != c->simm || x->n_pc < 2 ||
        x->pc[x->n_pc - 2].code != p->start || x->pc[x->n_pc - 1].code != p->code_end)
        return false;
    grp.n = n + 1;
    grp.mem = mem_field(x, 0);
    x->len = g;
    emit_raw(x, IOP_COPY8N, &grp, sizeof grp);
    x->pc[x->n_pc - 2].code = g + 2 * n;
    x->pc[x->n_pc - 1].code = g + 2 * n + 1;
    x->last = (Last){.kind = L_COPY, .start = g, .code_end = x->len, .height = UINT32_MAX};
    return true;
}

static bool xl_copy(Xl *x, const Instr *in) {
    static const uint16_t copy_ops[9] = {
        [1] = IOP_COPY8, [2] = IOP_COPY16, [4] = IOP_COPY32, [8] = IOP_COPY64};
    uint32_t h = x->h, op = in->op;
    const Last *p = &x->prev;
    const VEnt *a = &x->vs[h - 2];
    if (p->kind != L_PROD || !p->copyable || p->code_end != x->len || p->height != h - 1 ||
        x->vs[h - 1].kind != V_TEMP || !op_mem_width[op] ||
        op_mem_width[p->op] != op_mem_width[op] || a->kind == V_CONST || a->wide)
        return false;
    uint32_t dy = a->kind == V_TEMP ? tslot(x, h - 2) : a->slot;
    uint32_t dimm = a->kind == V_ADDI ? (uint32_t)a->c : 0;
    ICopyN c = {NULL, dy, dimm, p->a, p->b, (uint32_t)in->imm.memarg.offset, (uint32_t)p->immv,
                1,    0};
    vpop(x);
    vpop(x);
    if (op_mem_width[op] == 1 && p->grp && join_copy(x, p, &c))
        return true;
    x->len = p->start;
    EMIT(x, copy_ops[op_mem_width[op]], ICopy, .dy = c.dy, .dimm = c.dimm, .sy = c.sy,
         .simm = c.simm, .doff = c.doff, .soff = c.soff);
    if (x->n_pc && x->pc[x->n_pc - 1].code == p->code_end)
        x->pc[x->n_pc - 1].code = p->start + 1;
    if (op_mem_width[op] == 1)
        x->last =
            (Last){.kind = L_COPY, .start = p->start, .code_end = x->len, .height = UINT32_MAX};
    return true;
}

/* The wasm offset recorded for code offset `code` (among the last few
 * entries); false if none. */
static bool pc_find(const Xl *x, uint32_t code, uint32_t *wasm) {
    for (uint32_t i = x->n_pc; i > 0 && x->pc[i - 1].code >= code; i--)
        if (x->pc[i - 1].code == code) {
            *wasm = x->pc[i - 1].wasm;
            return true;
        }
    return false;
}

/* Map code from `code` on to wasm offset `wasm` (dropping later entries). */
static void pc_set(Xl *x, uint32_t code, uint32_t wasm) {
    uint32_t len = x->len;
    x->len = code;
    pc_record(x, wasm);
    x->len = len;
}

/* The wasm offset a trap at code offset `code` reports (the last pc entry
 * at or before it). */
static uint32_t pc_governing(const Xl *x, uint32_t code) {
    for (uint32_t i = x->n_pc; i > 0; i--)
        if (x->pc[i - 1].code <= code)
            return x->pc[i - 1].wasm;
    return 0;
}

/* The MAC c (its multiply `mul`, whose load b and load c report wasm
 * offsets load_b, load_c) continues the MAC / MACN group right before that
 * multiply's load (same type, slots and offsets, both immediates one element
 * further): the group grows by one (up to 8); c's pc entries move to the
 * group's code offset + 2n / + 2n + 1. */
static bool join_mac(Xl *x, const Last *mul, const IMacN *c, bool f64, uint32_t load_b,
                     uint32_t load_c) {
    uint32_t g = mul->grp_start, width = f64 ? 8 : 4;
    if (!mul->grp)
        return false;
    const void *h;
    memcpy(&h, x->code + g, sizeof h);
    IMacN grp;
    if (h == x->labels[f64 ? IOP_F64_MAC : IOP_F32_MAC]) {
        memcpy(&grp, x->code + g, sizeof(IMac));
        grp.n = 1; /* the MAC's pad */
    } else if (h == x->labels[f64 ? IOP_F64_MACN : IOP_F32_MACN]) {
        memcpy(&grp, x->code + g, sizeof grp);
    } else {
        return false;
    }
    uint32_t n = grp.n;
    if (n >= 8 || grp.a != c->a || grp.by != c->by || grp.cy != c->cy || grp.boff != c->boff ||
        grp.coff != c->coff || grp.bimm + n * width != c->bimm || grp.cimm + n * width != c->cimm)
        return false;
    grp.n = n + 1;
    x->len = g;
    emit_raw(x, f64 ? IOP_F64_MACN : IOP_F32_MACN, &grp, sizeof grp);
    pc_set(x, g + 2 * n, load_b);
    pc_set(x, g + 2 * n + 1, load_c);
    return true;
}

/* A store of the result of the memory-operand op just emitted to the
 * address it read: one read-modify-write op (its _MS form). Only the read
 * can fault, so the op keeps the load's code offset. */
static bool xl_rmw(Xl *x, const Instr *in) {
    uint32_t h = x->h;
    const Last *p = &x->prev;
    const VEnt *a = &x->vs[h - 2];
    if (p->kind != L_PROD || !p->memop || p->code_end != x->len || p->height != h - 1 ||
        x->vs[h - 1].kind != V_TEMP || !op_rmw_form[p->op] || natural_store(p->op) != in->op ||
        in->imm.memarg.offset != p->immv || a->kind == V_CONST)
        return false;
    uint32_t slot = a->kind == V_TEMP ? tslot(x, h - 2) : a->slot;
    uint32_t imm = a->kind == V_ADDI ? (uint32_t)a->c : 0;
    if (slot != p->a || imm != p->b)
        return false;
    const Last *mul = &x->mul;
    uint32_t load_b, load_c;
    if (p->mac && mul->code_end == p->start && pc_find(x, mul->start, &load_b) &&
        pc_find(x, p->start, &load_c)) {
        /* c += a * b: one op; reading c reports code offset + 1 (the store
         * cannot fault once c was read) */
        IMacN mac = {NULL, mul->mem_a,        mul->a, mul->b, (uint32_t)mul->immv, p->a,
                     p->b, (uint32_t)p->immv, 1};
        bool f64 = p->op == OP_F64_ADD;
        if (!join_mac(x, mul, &mac, f64, load_b, load_c)) {
            x->len = mul->start;
            EMIT(x, f64 ? IOP_F64_MAC : IOP_F32_MAC, IMac, .a = mac.a, .by = mac.by,
                 .bimm = mac.bimm, .boff = mac.boff, .cy = mac.cy, .cimm = mac.cimm,
                 .coff = mac.coff);
            pc_set(x, mul->start, load_b);
            pc_set(x, mul->start + 1, load_c);
            x->mac_start = mul->start;
        } /* else the group still starts at mac_start */
        x->mac_end = x->len;
        vpop(x);
        vpop(x);
        return true;
    }
    x->len = p->start;
    EMIT(x, op_rmw_form[p->op], IBinM, .a = p->mem_a, .y = p->a, .imm = p->b,
         .offset = (uint32_t)p->immv);
    vpop(x);
    vpop(x);
    return true;
}

static void xl_store(Xl *x, const Instr *in) {
    uint32_t h = x->h, op = in->op, mem = in->imm.memarg.mem;
    uint64_t offset = in->imm.memarg.offset;
    bool guarded = is_guarded(x, mem, offset);
    if (guarded && op_addi_form[op] && (xl_rmw(x, in) || xl_copy(x, in)))
        return;
    const VEnt *v = &x->vs[h - 1], *ad = &x->vs[h - 2];
    const Last *p = &x->prev;
    const void *ph = NULL;
    if (p->kind == L_PROD && p->code_end == x->len && p->start + sizeof(IOps) == p->code_end)
        memcpy(&ph, x->code + p->start, sizeof ph);
    if (guarded && op == OP_I32_STORE && ph == x->labels[IOP_I32_FUNNEL] && p->height == h - 1 &&
        v->kind == V_TEMP && ad->kind != V_CONST) {
        /* store the funnel shift just computed: one op */
        IOps f;
        memcpy(&f, x->code + p->start, sizeof f);
        IFunnelSt st = {NULL,
                        f.b,
                        f.c,
                        f.d,
                        f.e,
                        ad->kind == V_TEMP ? tslot(x, h - 2) : ad->slot,
                        ad->kind == V_ADDI ? (uint32_t)ad->c : 0,
                        (uint32_t)offset,
                        0};
        if (p->ld.on) {
            /* ... and the i32.load right before the funnel: one op; a fault in
             * the load reports code offset + 0, in the store + 1 */
            const LdInfo *ld = &p->ld;
            uint32_t load_wasm = pc_governing(x, ld->start);
            IFunnelLdSt lst = {NULL,      st.a,    st.ka, st.b,    st.kb,   st.y, st.imm,
                               st.offset, ld->dst, ld->y, ld->imm, ld->off, 0};
            x->len = ld->start;
            emit_raw(x, IOP_I32_LD_FUNNEL_ST, &lst, sizeof lst);
            pc_set(x, ld->start, load_wasm);
            pc_set(x, ld->start + 1, (uint32_t)in->offset);
            vpop(x);
            vpop(x);
            return;
        }
        x->len = p->start;
        uint32_t pos = emit_raw(x, IOP_I32_FUNNEL_ST, &st, sizeof st);
        pc_at(x, pos, in->offset);
        vpop(x);
        vpop(x);
        return;
    }
    if (guarded && op_store_const_form[op] && v->kind == V_CONST &&
        ad->kind != V_CONST) { /* a constant: no temp to write first */
        uint32_t y = ad->kind == V_TEMP ? tslot(x, h - 2) : ad->slot;
        uint32_t imm = ad->kind == V_ADDI ? (uint32_t)ad->c : 0;
        EMIT(x, op_store_const_form[op], IStoreK, .y = y, .imm = imm, .offset = (uint32_t)offset,
             .value = v->c);
        vpop(x);
        vpop(x);
        return;
    }
    uint32_t val = src(x, h - 1);
    Last add;
    if (guarded && take_add(x, h - 2, &add)) {
        uint32_t pos =
            EMIT(x, op_add_form[op], IMemA, .x = val, .y = add.a, .z = add.b, .offset = offset);
        pc_at(x, pos, in->offset);
        vpop(x);
        vpop(x);
        return;
    }
    const VEnt *e = &x->vs[h - 2];
    if (guarded && e->kind == V_ADDI && op_addi_form[op]) {
        EMIT(x, op_addi_form[op], IMemA, .x = val, .y = e->slot, .z = (uint32_t)e->c,
             .offset = offset);
        vpop(x);
        vpop(x);
        return;
    }
    if (guarded && op_abs_form[op] && e->kind == V_CONST) {
        EMIT(x, op_abs_form[op], IMem, .y = val, .offset = e->c + offset);
        vpop(x);
        vpop(x);
        return;
    }
    uint32_t addr = src(x, h - 2);
    if (is_guarded(x, mem, offset))
        EMIT(x, op, IMem, .x = addr, .y = val, .offset = offset);
    else
        EMIT(x, op_checked_form[op], IMemC, .x = addr, .y = val, .offset = offset,
             .mem = mem_field(x, mem), .is64 = x->mod->memories[mem].type.is64);
    vpop(x);
    vpop(x);
}

/* An op over the top `n_in` values with IOps operands a, b, c taken from them
 * in order; the result (if any) replaces them, written at IOps.a. */
static void xl_ops(Xl *x, uint32_t op, uint32_t n_in, bool result, IOps ops) {
    uint32_t h = x->h, first = h - n_in;
    uint32_t *fields[3] = {&ops.a, &ops.b, &ops.c};
    uint32_t k0 = result ? 1 : 0; /* with a result, a = dst and inputs start at b */
    for (uint32_t k = 0; k < n_in; k++)
        *fields[k0 + k] = src(x, first + k);
    if (result)
        ops.a = tslot(x, first);
    uint32_t pos = emit_raw(x, op, &ops, sizeof ops);
    vtrunc(x, first);
    if (result) {
        vpush_temp(x, false);
        set_producer(x, pos + offsetof(IOps, a), first);
    }
}

/* A v128 op over the top three values (ISelect shape: a, b, cond = c). */
static void xl_ternop(Xl *x, uint32_t op) {
    uint32_t h = x->h;
    uint32_t c = src(x, h - 1), b = src(x, h - 2), a = src(x, h - 3);
    uint32_t pos = EMIT(x, op, ISelect, .dst = tslot(x, h - 3), .a = a, .b = b, .cond = c);
    vtrunc(x, h - 3);
    vpush_temp(x, true);
    set_producer(x, pos + offsetof(ISelect, dst), h - 3);
}

/* extract_lane: a scalar read at the lane's offset inside the vector. */
static void xl_extract(Xl *x, const Instr *in) {
    uint32_t h = x->h;
    uint32_t a = src(x, h - 1) + in->a * op_lane_size[in->op];
    uint32_t pos = EMIT(x, in->op, IUn, .dst = tslot(x, h - 1), .a = a);
    vpop(x);
    vpush_temp(x, result_wide(in->op));
    set_producer(x, pos + offsetof(IUn, dst), h - 1);
}

static void xl_replace(Xl *x, const Instr *in) {
    uint32_t h = x->h;
    uint32_t b = src(x, h - 1), a = src(x, h - 2);
    uint32_t pos = EMIT(x, in->op, IBin, .dst = tslot(x, h - 2), .a = a, .b = b,
                        .pad = in->a * op_lane_size[in->op]);
    vtrunc(x, h - 2);
    vpush_temp(x, true);
    set_producer(x, pos + offsetof(IBin, dst), h - 2);
}

static void xl_shuffle(Xl *x, const Instr *in) {
    uint32_t h = x->h;
    IShuffle s = {NULL, tslot(x, h - 2), src(x, h - 2), src(x, h - 1), 0, {0}};
    memcpy(s.lanes, in->imm.v128, 16);
    uint32_t pos = emit_raw(x, OP_I8X16_SHUFFLE, &s, sizeof s);
    vtrunc(x, h - 2);
    vpush_temp(x, true);
    set_producer(x, pos + offsetof(IShuffle, dst), h - 2);
}

/* Lane loads (address, vector -> vector) and stores (address, vector). */
static void xl_lane_mem(Xl *x, const Instr *in) {
    uint32_t h = x->h, mem = in->imm.memarg.mem;
    bool store = !result_wide(in->op);
    IMemLane m = {NULL,
                  tslot(x, h - 2),
                  src(x, h - 2),
                  in->imm.memarg.offset,
                  src(x, h - 1),
                  in->b * op_lane_size[in->op],
                  mem_field(x, mem),
                  x->mod->memories[mem].type.is64};
    uint32_t pos = emit_raw(x, in->op, &m, sizeof m);
    vtrunc(x, h - 2);
    if (!store) {
        vpush_temp(x, true);
        set_producer(x, pos + offsetof(IMemLane, x), h - 2);
    }
}

static void block_sig(Xl *x, const BlockType *bt, uint32_t *np, uint32_t *nr,
                      const ValType **params, const ValType **results) {
    *np = *nr = 0;
    *params = *results = NULL;
    if (bt->kind == BLOCK_VALUE) {
        *nr = 1;
        *results = &bt->value;
    } else if (bt->kind == BLOCK_INDEX) {
        const FuncType *ft = &x->mod->types[bt->index].func;
        *np = ft->n_params;
        *nr = ft->n_results;
        *params = ft->params;
        *results = ft->results;
    }
}

static void push_ctrl(Xl *x, uint32_t kind, const Instr *in) {
    uint32_t np, nr;
    const ValType *params, *results;
    block_sig(x, &in->imm.block.type, &np, &nr, &params, &results);
    materialize_all(x);
    Ctrl *c = &x->cs[x->depth++];
    *c = (Ctrl){.kind = kind,
                .params = params,
                .results = results,
                .base = x->h - np,
                .n_params = np,
                .n_results = nr,
                .end_index = in->imm.block.end};
    c->region = x->depth > 1 ? c[-1].region : 0;
}

static void xl_if(Xl *x, const Instr *in) {
    uint32_t field = emit_cond(x, true, true);
    push_ctrl(x, C_IF, in);
    x->cs[x->depth - 1].else_fix = field;
}

static void close_arm(Xl *x, Ctrl *c) {
    for (uint32_t k = 0; k < c->n_results; k++)
        materialize(x, c->base + k);
}

static void xl_else(Xl *x, const Instr *in) {
    Ctrl *c = &x->cs[x->depth - 1];
    if (!c->unreachable) {
        close_arm(x, c);
        uint32_t pos = EMIT(x, IOP_BR, IBr, .disp = 0);
        link(x, c, pos + offsetof(IBr, disp));
    }
    bind_list(x, &c->else_fix);
    vtrunc(x, c->base);
    vpush_types(x, c->params, c->n_params);
    x->clean = x->h;
    c->unreachable = false;
    c->end_index = in->imm.index;
    fuel_block(x);
}

static void xl_end(Xl *x) {
    Ctrl *c = &x->cs[x->depth - 1];
    if (c->kind == C_FUNC) {
        if (!c->unreachable)
            emit_return(x, 0);
        x->depth--;
        return;
    }
    bool reach = !c->unreachable;
    if (reach)
        close_arm(x, c);
    bool targeted = c->fixups || c->else_fix;
    bind_list(x, &c->fixups);
    bind_list(x, &c->else_fix);
    vtrunc(x, c->base);
    vpush_types(x, c->results, c->n_results);
    x->clean = x->h;
    x->depth--;
    if (!reach && !targeted)
        x->cs[x->depth - 1].unreachable = true;
    else if (targeted)
        fuel_block(x);
}

static void xl_br_if(Xl *x, uint32_t depth) {
    Ctrl *c = label(x, depth);
    /* The values sit below the condition, which emit_cond pops. */
    bool direct = !needs_stub(x, c, 1);
    uint32_t field = emit_cond(x, !direct, false);
    if (direct) {
        link(x, c, field);
        return;
    }
    emit_jump_to(x, c, 0);
    patch32(x, field, x->len - field);
}

static void xl_br_table(Xl *x, const Instr *in) {
    uint32_t n = in->imm.br_table.n;
    const uint32_t *labels = in->imm.br_table.labels;
    uint32_t index = src(x, x->h - 1);
    vpop(x);
    uint64_t size = (offsetof(IBrTable, disp) + 4 * ((uint64_t)n + 1) + 7) & ~(uint64_t)7;
    if (size > UINT32_MAX / 4)
        longjmp(x->fail, 1);
    reserve(x, (uint32_t)size);
    uint32_t pos = x->len;
    memset(x->code + pos, 0, size);
    IBrTable head = {NULL, index, n};
    memcpy(x->code + pos, &head, sizeof head);
    memcpy(x->code + pos, &x->labels[IOP_BR_TABLE], sizeof(void *));
    x->len += (uint32_t)size;
    if (dump_rec.on)
        dump_note(pos);
    for (uint32_t j = 0; j <= n; j++) {
        Ctrl *c = label(x, labels[j]);
        if (!needs_stub(x, c, 0))
            link(x, c, pos + (uint32_t)offsetof(IBrTable, disp) + 4 * j);
    }
    for (uint32_t j = 0; j <= n; j++) {
        Ctrl *c = label(x, labels[j]);
        if (!needs_stub(x, c, 0))
            continue;
        uint32_t field = pos + (uint32_t)offsetof(IBrTable, disp) + 4 * j;
        patch32(x, field, x->len - field);
        emit_jump_to(x, c, 0);
    }
}

/* br_on_null (branch when null, the ref stays otherwise) and br_on_non_null
 * (branch with the ref when non-null, dropped otherwise). */
static void xl_br_on_null(Xl *x, uint32_t depth, bool on_null) {
    Ctrl *c = label(x, depth);
    uint32_t skip = on_null ? 1 : 0;
    uint32_t ref = src(x, x->h - 1);
    uint32_t taken = on_null ? IOP_BR_EQZ64 : IOP_BR_NEZ64;
    uint32_t not_taken = on_null ? IOP_BR_NEZ64 : IOP_BR_EQZ64;
    if (!needs_stub(x, c, skip)) {
        link(x, c, EMIT(x, taken, IBrIf, .cond = ref) + offsetof(IBrIf, disp));
    } else {
        uint32_t field = EMIT(x, not_taken, IBrIf, .cond = ref) + offsetof(IBrIf, disp);
        emit_jump_to(x, c, skip);
        patch32(x, field, x->len - field);
    }
    if (!on_null)
        vpop(x);
}

/* An in-place add of k to the local at `slot` was just emitted at `pos`: a
 * compare-and-branch on the local right after it may absorb it. */
static void set_inc(Xl *x, uint32_t pos, uint32_t slot, uint32_t k) {
    const Last *p = &x->prev;
    bool inc2 = p->kind == L_INC2 && p->code_end == pos; /* right after an INC2 */
    x->last = (Last){.kind = L_INC,
                     .op = IOP_I32_ADD_I,
                     .start = pos,
                     .code_end = x->len,
                     .height = UINT32_MAX, /* nothing to retarget */
                     .a = slot,
                     .imm = true,
                     .immv = k,
                     .inc2 = inc2,
                     .inc2_start = inc2 ? p->start : 0};
    if (inc2)
        memcpy(x->last.inc2_m, p->inc2_m, sizeof x->last.inc2_m);
}

static void xl_local_set(Xl *x, uint32_t local, bool tee) {
    if (alias_set(x, local, tee))
        return;
    uint32_t slot = x->loff[local], h = x->h;
    if (x->n_alias) { /* written now: aliases reading the slot write first */
        alias_release(x, local);
        alias_flush_on(x, slot);
    }
    VEnt top = x->vs[h - 1];
    const Last *p = &x->prev;
    if (top.kind == V_LOCAL && top.slot == slot) {
        /* local.set of its own value: nothing to do */
    } else if (p->kind != L_NONE && p->code_end == x->len && p->height == h - 1 &&
               top.kind == V_TEMP && x->refs[slot / 8] == 0) {
        patch32(x, p->dst_field, slot);
        if (p->kind == L_PROD && p->op == OP_I32_ADD && p->imm && p->a == slot)
            set_inc(x, p->start, slot, (uint32_t)p->immv);
        if (p->kind == L_PROD && p->copyable && (p->op == OP_I32_LOAD || p->op == OP_I32_LOAD8_U))
            x->last = (Last){.kind = L_TEE,
                             .code_end = x->len,
                             .height = UINT32_MAX,
                             .ld = {true, p->start, slot, p->a, p->b, (uint32_t)p->immv, p->op}};
        if (p->kind == L_PROD && p->op == OP_I32_ADD && !p->imm && !p->memop &&
            p->start + sizeof(IBin) == p->code_end)
            x->last = (Last){.kind = L_TEE,
                             .code_end = x->len,
                             .height = UINT32_MAX,
                             .start = p->start,
                             .a = p->a,
                             .b = p->b,
                             .add2 = true,
                             .add2_dst = slot};
    } else {
        spill_local_refs(x, slot, h - 1);
        if (top.kind == V_CONST) {
            emit_const(x, slot, &top);
        } else if (top.kind == V_ADDI) {
            uint32_t pos = x->len;
            const void *mh = NULL;
            if (p->kind == L_MOV && p->code_end == x->len)
                memcpy(&mh, x->code + p->start, sizeof mh);
            if (mh == x->labels[IOP_MOV] && top.slot != slot) {
                /* a copy, then an add to another local: one op */
                IMovs m = {NULL, {0}};
                memcpy(m.m, x->code + p->start + 8, 8);
                m.m[2] = slot;
                m.m[3] = top.slot;
                m.m[4] = (uint32_t)top.c;
                x->len = p->start;
                emit_raw(x, IOP_MOV_ADDI, &m, sizeof m);
            } else if (top.slot == slot && p->kind == L_INC && p->code_end == x->len) {
                /* two in-place increments in a row: one op (the second cannot
                 * join a compare then, the first could not anyway) */
                IMovs m = {NULL, {p->a, (uint32_t)p->immv, slot, (uint32_t)top.c}};
                uint32_t at = p->start;
                x->len = at;
                emit_raw(x, IOP_INC2, &m, 24);
                x->last = (Last){.kind = L_INC2,
                                 .start = at,
                                 .code_end = x->len,
                                 .height = UINT32_MAX,
                                 .inc2 = true,
                                 .inc2_start = at,
                                 .inc2_m = {m.m[0], m.m[1], m.m[2], m.m[3]}};
            } else {
                emit_addi(x, slot, &top);
                if (top.slot == slot)
                    set_inc(x, pos, slot, (uint32_t)top.c);
            }
        } else if (!top.wide) { /* consecutive local.set moves join */
            uint32_t prev = p->kind == L_MOV && p->code_end == x->len ? p->start : UINT32_MAX;
            uint32_t at =
                emit_mov_join(x, prev, slot, top.kind == V_LOCAL ? top.slot : tslot(x, h - 1));
            if (at != UINT32_MAX)
                x->last =
                    (Last){.kind = L_MOV, .start = at, .code_end = x->len, .height = UINT32_MAX};
        } else {
            emit_mov(x, slot, top.kind == V_LOCAL ? top.slot : tslot(x, h - 1), top.wide);
        }
    }
    vpop(x);
    if (tee)
        vpush_local(x, slot, top.wide);
}

/* ---- calls ---- */

static uint32_t funcs_field(Xl *x, uint32_t func) {
    return x->rm->offsets.funcs + func * (uint32_t)sizeof(void *);
}

/* Arguments: the n entries below the top `skip`, written to their temp slots
 * so the callee's frame starts at the first: the locals' moves first (they
 * join), then the rest (any order is right: each writes its own temp slot
 * and reads a local, a constant or, for a pending add, its own slot). When
 * the last code emitted is a pending add's I32_ADD_I, *addi is its
 * position (else UINT32_MAX). */
static uint32_t place_args_addi(Xl *x, uint32_t n, uint32_t skip, uint32_t *addi) {
    uint32_t first = x->h - skip - n, mov = UINT32_MAX;
    *addi = UINT32_MAX;
    for (uint32_t k = 0; k < n; k++) {
        VEnt *e = &x->vs[first + k];
        if (e->kind == V_LOCAL && !e->wide) { /* consecutive moves join */
            x->refs[e->slot / 8]--;
            e->kind = V_TEMP;
            uint32_t at = emit_mov_join(x, mov, tslot(x, first + k), e->slot);
            mov = at != UINT32_MAX ? at : mov;
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t at = x->len;
        bool add = x->vs[first + k].kind == V_ADDI;
        materialize(x, first + k);
        if (x->len != at)
            *addi = add && x->len == at + sizeof(IBinI32) ? at : UINT32_MAX;
    }
    return tslot(x, first);
}

static uint32_t place_args(Xl *x, uint32_t n, uint32_t skip) {
    uint32_t addi;
    return place_args_addi(x, n, skip, &addi);
}

static void finish_call(Xl *x, const FuncType *ft, uint32_t skip) {
    vtrunc(x, x->h - skip - ft->n_params);
    vpush_types(x, ft->results, ft->n_results);
}

static void xl_call(Xl *x, uint32_t func, bool tail) {
    const FuncType *ft = ir_func_type(x->mod, func);
    bool import = func < x->mod->n_func_imports;
    if (tail)
        emit_frame_moves(x, ft->n_params, 0);
    uint32_t addi = UINT32_MAX;
    uint32_t args = tail ? 0 : place_args_addi(x, ft->n_params, 0, &addi);
    if (!tail && !import && addi != UINT32_MAX) {
        /* the last argument's add-immediate and the call: one op */
        IBinI32 a;
        memcpy(&a, x->code + addi, sizeof a);
        x->len = addi;
        EMIT(x, IOP_CALL_ADDI, ICallAddi, .skip = sizeof(ICallAddi), .args = args,
             .func = &x->funcs[func - x->mod->n_func_imports], .dst = a.dst, .a = a.a,
             .imm = a.imm);
        finish_call(x, ft, 0);
        return;
    }
    if (import) {
        uint32_t op = tail ? IOP_TAIL_CALL_IMPORT : IOP_CALL_IMPORT;
        EMIT(x, op, ICallRef, .skip = sizeof(ICallRef), .args = args, .x = funcs_field(x, func),
             .type = ft);
    } else {
        const IFunc *f = &x->funcs[func - x->mod->n_func_imports];
        EMIT(x, tail ? IOP_TAIL_CALL : IOP_CALL, ICall, .skip = sizeof(ICall), .args = args,
             .func = f);
    }
    if (tail)
        x->cs[x->depth - 1].unreachable = true;
    else
        finish_call(x, ft, 0);
}

/* call_indirect / call_ref: the table index or the ref is on top. */
static void xl_call_through(Xl *x, const Instr *in, bool tail) {
    bool indirect = in->op == OP_CALL_INDIRECT || in->op == OP_RETURN_CALL_INDIRECT;
    uint32_t type = indirect ? in->imm.pair.x : in->imm.index;
    const FuncType *ft = &x->mod->types[type].func;
    uint32_t args = 0, top;
    if (tail) {
        materialize_adds(x); /* frame_src then names a slot or a constant */
        uint32_t bytes = emit_frame_moves(x, ft->n_params, 1);
        top = frame_src(x, x->h - 1, bytes);
        if (top == UINT32_MAX) {
            top = tslot(x, x->h - 1);
            emit_const(x, top, &x->vs[x->h - 1]);
        }
    } else {
        args = place_args(x, ft->n_params, 1);
        top = src(x, x->h - 1);
    }
    ICallRef c = {NULL, sizeof(ICallRef), args, top, 0, 0, 0, ft};
    uint32_t op;
    if (indirect) {
        uint32_t table = in->imm.pair.y;
        c.y = x->rm->offsets.tables + table * (uint32_t)sizeof(void *);
        c.z = x->rm->canon_types[type];
        c.w = x->mod->tables[table].type.limits.is64;
        op = tail ? IOP_TAIL_CALL_INDIRECT : IOP_CALL_INDIRECT;
    } else {
        op = tail ? IOP_TAIL_CALL_REF : IOP_CALL_REF;
    }
    emit_raw(x, op, &c, sizeof c);
    if (tail)
        x->cs[x->depth - 1].unreachable = true;
    else
        finish_call(x, ft, 1);
}

/* ---- v128 constants ---- */

/* v128 constants used inside loops get a read-only slot each (the pool),
 * written once by the function's prologue, so loop bodies read them in place
 * instead of rewriting them on every iteration. */
#define POOL_MAX 64

static int32_t pool_find(const Xl *x, const uint8_t *v) {
    for (uint32_t i = 0; i < x->n_pool; i++)
        if (memcmp(x->pool[i], v, 16) == 0)
            return (int32_t)i;
    return -1;
}

static void pool_scan(Xl *x, const Code *code) {
    uint32_t cap = code->max_depth + 2, depth = 0, in_loop = 0;
    uint8_t *loops = mem_calloc(cap, 1);
    x->pool = mem_alloc(POOL_MAX * sizeof *x->pool);
    if (!loops || !x->pool) {
        mem_free(loops);
        return; /* no pool: constants are written where they are used */
    }
    for (uint32_t i = 0; i + 1 < code->n_instrs; i++) {
        const Instr *in = &code->instrs[i];
        if (op_info[in->op].imm == IMM_BLOCK || in->op == OP_TRY_TABLE) {
            bool loop = in->op == OP_LOOP;
            if (depth < cap)
                loops[depth++] = loop;
            in_loop += loop;
        } else if (in->op == OP_END && depth) {
            in_loop -= loops[--depth];
        } else if (in->op == OP_V128_CONST && in_loop && x->n_pool < POOL_MAX &&
                   pool_find(x, in->imm.v128) < 0) {
            memcpy(x->pool[x->n_pool++], in->imm.v128, 16);
        }
    }
    mem_free(loops);
}

static void emit_pool(Xl *x) {
    for (uint32_t i = 0; i < x->n_pool; i++) {
        IConstV in = {NULL, x->pool_base + 16 * i, 0, {0}};
        memcpy(in.imm, x->pool[i], 16);
        emit_raw(x, IOP_CONST_V, &in, sizeof in);
    }
}

static void xl_v128_const(Xl *x, const Instr *in) {
    int32_t k = pool_find(x, in->imm.v128);
    if (k >= 0) {
        vpush_local(x, x->pool_base + 16 * (uint32_t)k, true);
        return;
    }
    VEnt e = {.kind = V_CONST, .wide = true};
    memcpy(&e.c, in->imm.v128, 8);
    memcpy(&e.c_hi, in->imm.v128 + 8, 8);
    vpush(x, e);
}

/* ---- the instruction switch ---- */

static bool xl_memory_op(Xl *x, const Instr *in) {
    switch (in->op) {
    case OP_MEMORY_SIZE:
        xl_ops(x, IOP_MEMORY_SIZE, 0, true, (IOps){.d = in->imm.index});
        return true;
    case OP_MEMORY_GROW:
        xl_ops(x, IOP_MEMORY_GROW, 1, true, (IOps){.d = in->imm.index});
        return true;
    case OP_MEMORY_FILL:
        xl_ops(x, IOP_MEMORY_FILL, 3, false, (IOps){.d = in->imm.index});
        return true;
    case OP_MEMORY_COPY:
        xl_ops(x, IOP_MEMORY_COPY, 3, false, (IOps){.d = in->imm.pair.x, .e = in->imm.pair.y});
        return true;
    case OP_MEMORY_INIT:
        xl_ops(x, IOP_MEMORY_INIT, 3, false, (IOps){.d = in->imm.pair.y, .e = in->imm.pair.x});
        return true;
    case OP_DATA_DROP: xl_ops(x, IOP_DATA_DROP, 0, false, (IOps){.a = in->imm.index}); return true;
    case OP_TABLE_GET: xl_ops(x, IOP_TABLE_GET, 1, true, (IOps){.d = in->imm.index}); return true;
    case OP_TABLE_SET: xl_ops(x, IOP_TABLE_SET, 2, false, (IOps){.d = in->imm.index}); return true;
    case OP_TABLE_SIZE: xl_ops(x, IOP_TABLE_SIZE, 0, true, (IOps){.d = in->imm.index}); return true;
    case OP_TABLE_GROW: xl_ops(x, IOP_TABLE_GROW, 2, true, (IOps){.d = in->imm.index}); return true;
    case OP_TABLE_FILL:
        xl_ops(x, IOP_TABLE_FILL, 3, false, (IOps){.d = in->imm.index});
        return true;
    case OP_TABLE_COPY:
        xl_ops(x, IOP_TABLE_COPY, 3, false, (IOps){.d = in->imm.pair.x, .e = in->imm.pair.y});
        return true;
    case OP_TABLE_INIT:
        xl_ops(x, IOP_TABLE_INIT, 3, false, (IOps){.d = in->imm.pair.y, .e = in->imm.pair.x});
        return true;
    case OP_ELEM_DROP: xl_ops(x, IOP_ELEM_DROP, 0, false, (IOps){.a = in->imm.index}); return true;
    default: return false;
    }
}

static void xl_global(Xl *x, const Instr *in) {
    uint32_t field = x->rm->offsets.globals + in->imm.index * (uint32_t)sizeof(void *);
    uint32_t h = x->h;
    uint8_t kind = x->mod->globals[in->imm.index].type.type.kind;
    if (in->op == OP_GLOBAL_GET) {
        uint32_t op = kind == VK_V128 ? IOP_GLOBAL_GET_V : IOP_GLOBAL_GET;
        uint32_t pos = EMIT(x, op, IUn, .dst = tslot(x, h), .a = field);
        vpush_temp(x, kind == VK_V128);
        set_producer(x, pos + offsetof(IUn, dst), h);
        return;
    }
    uint32_t s = src(x, h - 1);
    uint32_t op = kind == VK_V128                    ? IOP_GLOBAL_SET_V
                  : kind == VK_I32 || kind == VK_F32 ? IOP_GLOBAL_SET32
                                                     : IOP_GLOBAL_SET;
    EMIT(x, op, IUn, .dst = field, .a = s);
    vpop(x);
}

static void mark_unreachable(Xl *x) {
    x->cs[x->depth - 1].unreachable = true;
}

/* select; on the eqz just computed it tests that eqz's operand instead, the
 * two values swapped. */
static void xl_select(Xl *x) {
    uint32_t h = x->h;
    bool wide = x->vs[h - 2].wide;
    uint32_t cond = src(x, h - 1), b = src(x, h - 2), a = src(x, h - 3);
    uint32_t op = wide ? IOP_SELECT_V : IOP_SELECT;
    const Last *p = &x->prev;
    if (p->kind == L_CMP && (p->op == OP_I32_EQZ || (p->op == OP_I64_EQZ && !wide)) &&
        p->code_end == x->len && p->height == h - 1 && x->vs[h - 1].kind == V_TEMP) {
        x->len = p->start;
        cond = p->a;
        uint32_t t = a;
        a = b;
        b = t;
        if (p->op == OP_I64_EQZ)
            op = IOP_SELECT64;
    }
    uint32_t pos = EMIT(x, op, ISelect, .dst = tslot(x, h - 3), .a = a, .b = b, .cond = cond);
    vtrunc(x, h - 3);
    vpush_temp(x, wide);
    set_producer(x, pos + offsetof(ISelect, dst), h - 3);
}

/* Returns false for what this tier does not run (GC, exceptions). */
static bool xl_instr(Xl *x, const Instr *in) {
    uint32_t op = in->op;
    switch (interp_op_class[op]) {
    case CL_BIN:
    case CL_CMP: xl_binop(x, op); return true;
    case CL_UN: xl_unop(x, op); return true;
    case CL_LOAD: xl_load(x, in); return true;
    case CL_STORE: xl_store(x, in); return true;
    case CL_VTERN: xl_ternop(x, op); return true;
    case CL_VEXTRACT: xl_extract(x, in); return true;
    case CL_VREPLACE: xl_replace(x, in); return true;
    case CL_VLANE: xl_lane_mem(x, in); return true;
    default: break;
    }
    if (xl_memory_op(x, in))
        return true;
    switch (op) {
    case OP_NOP:
    case OP_I32_WRAP_I64: /* an i32 reads the low half of the slot */
    case OP_I32_REINTERPRET_F32:
    case OP_I64_REINTERPRET_F64:
    case OP_F32_REINTERPRET_I32:
    case OP_F64_REINTERPRET_I64: return true;
    case OP_UNREACHABLE:
        EMIT(x, IOP_UNREACHABLE, IHdr);
        mark_unreachable(x);
        return true;
    case OP_BLOCK: push_ctrl(x, C_BLOCK, in); return true;
    case OP_LOOP:
        push_ctrl(x, C_LOOP, in);
        x->cs[x->depth - 1].loop_start = x->len;
        epoch_check(x);
        fuel_block(x);
        return true;
    case OP_IF: xl_if(x, in); return true;
    case OP_ELSE: xl_else(x, in); return true;
    case OP_END:
        interp_xl_eh_end(x);
        xl_end(x);
        return true;
    case OP_BR:
        emit_jump_to(x, label(x, in->imm.index), 0);
        mark_unreachable(x);
        return true;
    case OP_BR_IF: xl_br_if(x, in->imm.index); return true;
    case OP_BR_TABLE:
        xl_br_table(x, in);
        mark_unreachable(x);
        return true;
    case OP_RETURN:
        emit_return(x, 0);
        mark_unreachable(x);
        return true;
    case OP_CALL:
    case OP_RETURN_CALL: xl_call(x, in->imm.index, op == OP_RETURN_CALL); return true;
    case OP_CALL_INDIRECT:
    case OP_CALL_REF:
    case OP_RETURN_CALL_INDIRECT:
    case OP_RETURN_CALL_REF:
        xl_call_through(x, in, op == OP_RETURN_CALL_INDIRECT || op == OP_RETURN_CALL_REF);
        return true;
    case OP_DROP: vpop(x); return true;
    case OP_SELECT:
    case OP_SELECT_T: xl_select(x); return true;
    case OP_LOCAL_GET: {
        uint32_t i = in->imm.index;
        if (x->alias && x->alias[i].kind != V_TEMP)
            vpush(x, x->alias[i]);
        else
            vpush_local(x, x->loff[i], x->lwide[i]);
        return true;
    }
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE: xl_local_set(x, in->imm.index, op == OP_LOCAL_TEE); return true;
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET: xl_global(x, in); return true;
    case OP_I32_CONST: vpush(x, (VEnt){.kind = V_CONST, .c = (uint32_t)in->imm.i32}); return true;
    case OP_F32_CONST: vpush(x, (VEnt){.kind = V_CONST, .c = in->imm.f32}); return true;
    case OP_I64_CONST:
    case OP_F64_CONST: vpush(x, (VEnt){.kind = V_CONST, .c = in->imm.f64}); return true;
    case OP_V128_CONST: xl_v128_const(x, in); return true;
    case OP_I8X16_SHUFFLE: xl_shuffle(x, in); return true;
    case OP_REF_NULL: vpush(x, (VEnt){.kind = V_CONST}); return true;
    case OP_REF_IS_NULL: xl_unop(x, OP_I64_EQZ); return true;
    case OP_REF_FUNC: {
        uint32_t h = x->h;
        uint32_t pos =
            EMIT(x, IOP_REF_FUNC, IUn, .dst = tslot(x, h), .a = funcs_field(x, in->imm.index));
        vpush_temp(x, false);
        set_producer(x, pos + offsetof(IUn, dst), h);
        return true;
    }
    case OP_REF_AS_NON_NULL: EMIT(x, IOP_REF_AS_NON_NULL, IUn, .a = src(x, x->h - 1)); return true;
    case OP_BR_ON_NULL:
    case OP_BR_ON_NON_NULL: xl_br_on_null(x, in->imm.index, op == OP_BR_ON_NULL); return true;
    case OP_TRY_TABLE:
    case OP_THROW:
    case OP_THROW_REF:
    case OP_TRY:
    case OP_CATCH:
    case OP_CATCH_ALL:
    case OP_DELEGATE:
    case OP_RETHROW: return interp_xl_eh(x, in);
    case OP_REF_EQ: /* equal references are equal words (i31s included) */
        xl_binop(x, OP_I64_EQ);
        return true;
    default: return interp_xl_gc(x, in);
    }
}

/* ---- driver ---- */

static bool translate_body(Xl *x, const Code *code) {
    Ctrl *c = &x->cs[x->depth++];
    *c = (Ctrl){.kind = C_FUNC,
                .results = x->ft->results,
                .n_results = x->ft->n_results,
                .end_index = code->n_instrs - 1};
    emit_pool(x);
    epoch_check(x);
    fuel_block(x);
    x->body = code;
    for (uint32_t i = 0; i < code->n_instrs && x->depth; i++) {
        const Instr *in = &code->instrs[i];
        /* local.get and constants emit nothing: the peepholes see through them */
        bool quiet = in->op == OP_LOCAL_GET || in->op == OP_I32_CONST || in->op == OP_I64_CONST ||
                     in->op == OP_F32_CONST || in->op == OP_F64_CONST || in->op == OP_V128_CONST;
        if (!quiet) {
            x->prev = x->last;
            x->last = (Last){.kind = L_NONE};
        }
        Ctrl *top = &x->cs[x->depth - 1];
        if (top->unreachable && i < top->end_index) {
            i = top->end_index - 1;
            continue;
        }
        if ((x->n_alias || x->mac_end != UINT32_MAX) && !interp_xl_straight_op(in->op)) {
            if (x->n_alias)
                alias_drop_all(x);
            x->mac_end = UINT32_MAX;
        }
        x->at = i;
        pc_record(x, in->offset);
        x->fuel_count++;
        if (!xl_instr(x, in))
            return false;
        if (x->rm->engine->config.nan_canonicalization)
            interp_xl_canon(x, in); /* translate_canon.c */
    }
    fuel_flush(x);
    return true;
}

static void xl_free(Xl *x) {
    mem_free(x->vs);
    mem_free(x->cs);
    mem_free(x->refs);
    mem_free(x->loff);
    mem_free(x->lwide);
    mem_free(x->wl);
    mem_free(x->scalar);
    mem_free(x->dead_set);
    mem_free(x->alias);
    mem_free(x->alias_list);
    mem_free(x->slot_local);
    mem_free(x->pool);
    interp_xl_eh_free(x);
}

static uint64_t types_bytes(const ValType *types, uint32_t n) {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        bytes += type_wide(types[i]) ? 16 : 8;
    return bytes;
}

/* Marks (1) the declared locals (0 = the first after the params) that the
 * function's opening straight-line code writes before anything reads them:
 * scanning stops at the first instruction that can branch within the
 * function, so such a local is written before any read on every path and
 * needs no zero at entry. */
static void find_assigned(const Xl *x, const Code *code, uint8_t *mark) {
    uint32_t np = x->ft->n_params;
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        const Instr *in = &code->instrs[i];
        uint32_t op = in->op;
        if (op == OP_LOCAL_GET || op == OP_LOCAL_SET || op == OP_LOCAL_TEE) {
            if (in->imm.index >= np && !mark[in->imm.index - np])
                mark[in->imm.index - np] = op == OP_LOCAL_GET ? 2 : 1;
            continue;
        }
        switch (interp_op_class[op]) {
        case CL_BIN:
        case CL_CMP:
        case CL_UN:
        case CL_LOAD:
        case CL_STORE: continue; /* may trap, which leaves the function */
        default: break;
        }
        switch (op) {
        case OP_BLOCK:
        case OP_LOOP: /* entered from above first */
        case OP_END:  /* reached only by falling through so far */
        case OP_NOP:
        case OP_DROP:
        case OP_SELECT:
        case OP_I32_CONST:
        case OP_I64_CONST:
        case OP_F32_CONST:
        case OP_F64_CONST:
        case OP_GLOBAL_GET:
        case OP_GLOBAL_SET:
        case OP_CALL: /* no try seen: an exception leaves the function */
        case OP_CALL_INDIRECT:
        case OP_MEMORY_SIZE:
        case OP_MEMORY_GROW:
        case OP_MEMORY_FILL:
        case OP_MEMORY_COPY: continue;
        default: return;
        }
    }
}

/* The same by a forward pass over the structured control flow: a local
 * needs its zero when some path reaches a read of it before any write.
 * Tracks the set of written locals along the current path; a block's end
 * gets the intersection over the branches to it and the fall-through, a
 * loop's head its entry set (writes only add). Returns false, changing
 * nothing, for code it does not model (exception handling, casts) or too
 * many locals. */
static bool flow_assigned(const Xl *x, const Code *code, uint8_t *mark) {
    uint32_t np = x->ft->n_params, nl = code->n_locals;
    uint32_t words = (nl + 63) / 64, depth = 0, cap = code->max_depth + 2;
    if (!nl || words > 64 || (uint64_t)cap * words > (1u << 18))
        return false;
    /* per frame: kind, reach flags, then out and entry sets */
    typedef struct {
        uint8_t kind, has_out, entry_reach, saw_else;
    } F;
    F *fs = mem_calloc(cap, sizeof *fs);
    uint64_t *sets = mem_calloc((size_t)(2 * cap + 1) * words, 8);
    uint8_t *needs = mem_calloc(nl, 1);
    bool ok = fs && sets && needs, reach = true;
    uint64_t *a = sets + (size_t)2 * cap * words;
#define OUT(f) (sets + (size_t)(f)*2 * words)
#define ENTRY(f) (sets + ((size_t)(f)*2 + 1) * words)
#define MERGE(f)                                                                                   \
    do {                                                                                           \
        if (reach && fs[f].kind != C_LOOP && fs[f].kind != C_FUNC) {                               \
            for (uint32_t w = 0; w < words; w++)                                                   \
                OUT(f)[w] = fs[f].has_out ? OUT(f)[w] & a[w] : a[w];                               \
            fs[f].has_out = 1;                                                                     \
        }                                                                                          \
    } while (0)
    if (ok)
        fs[depth++].kind = C_FUNC;
    for (uint32_t i = 0; ok && i < code->n_instrs && depth; i++) {
        const Instr *in = &code->instrs[i];
        uint32_t k = in->imm.index;
        switch (in->op) {
        case OP_LOCAL_GET:
            if (k >= np && reach && !(a[(k - np) / 64] >> ((k - np) % 64) & 1))
                needs[k - np] = 1;
            break;
        case OP_LOCAL_SET:
        case OP_LOCAL_TEE:
            if (k >= np)
                a[(k - np) / 64] |= 1ull << ((k - np) % 64);
            break;
        case OP_BLOCK:
        case OP_LOOP:
        case OP_IF:
            fs[depth] = (F){in->op == OP_BLOCK  ? C_BLOCK
                            : in->op == OP_LOOP ? C_LOOP
                                                : C_IF,
                            0, reach, 0};
            memcpy(ENTRY(depth), a, words * 8);
            depth++;
            break;
        case OP_ELSE:
            MERGE(depth - 1);
            memcpy(a, ENTRY(depth - 1), words * 8);
            reach = fs[depth - 1].entry_reach;
            fs[depth - 1].saw_else = 1;
            break;
        case OP_END: {
            uint32_t f = --depth;
            if (fs[f].kind == C_IF && !fs[f].saw_else) {
                bool r = reach;
                uint64_t save[64];
                memcpy(save, a, words * 8);
                memcpy(a, ENTRY(f), words * 8);
                reach = fs[f].entry_reach;
                MERGE(f);
                memcpy(a, save, words * 8);
                reach = r;
            }
            if (fs[f].kind == C_BLOCK || fs[f].kind == C_IF) {
                MERGE(f);
                reach = fs[f].has_out;
                if (reach)
                    memcpy(a, OUT(f), words * 8);
            }
            break;
        }
        case OP_BR:
        case OP_BR_IF:
        case OP_BR_ON_NULL:
        case OP_BR_ON_NON_NULL:
            if (k < depth)
                MERGE(depth - 1 - k);
            if (in->op == OP_BR)
                reach = false;
            break;
        case OP_BR_TABLE:
            for (uint32_t j = 0; j <= in->imm.br_table.n; j++)
                if (in->imm.br_table.labels[j] < depth)
                    MERGE(depth - 1 - in->imm.br_table.labels[j]);
            reach = false;
            break;
        case OP_RETURN:
        case OP_UNREACHABLE:
        case OP_RETURN_CALL:
        case OP_RETURN_CALL_INDIRECT:
        case OP_RETURN_CALL_REF:
        case OP_THROW:
        case OP_THROW_REF:
        case OP_RETHROW: reach = false; break;
        case OP_TRY_TABLE:
        case OP_TRY:
        case OP_CATCH:
        case OP_CATCH_ALL:
        case OP_DELEGATE:
        case OP_BR_ON_CAST:
        case OP_BR_ON_CAST_FAIL: ok = false; break;
        default: break;
        }
    }
#undef OUT
#undef ENTRY
#undef MERGE
    if (ok)
        for (uint32_t i = 0; i < nl; i++)
            mark[i] = needs[i] ? 2 : 1;
    mem_free(fs);
    mem_free(sets);
    mem_free(needs);
    return ok;
}

/* Every local's slot: params, then the declared locals that need a zero at
 * entry, then the others (x->zero_bytes: the second group's size). */
static Err local_offsets(Xl *x, const Code *code) {
    uint32_t np = x->ft->n_params, i = 0, off = 0;
    uint8_t *mark = mem_calloc(code->n_locals ? code->n_locals : 1, 1);
    x->lwide = mem_calloc((size_t)np + code->n_locals + 1, 1);
    if (!mark || !x->lwide) {
        mem_free(mark);
        return ERR_NOMEM;
    }
    if (!flow_assigned(x, code, mark))
        find_assigned(x, code, mark);
    for (; i < np; i++) {
        x->loff[i] = off;
        x->lwide[i] = type_wide(x->ft->params[i]);
        off += x->lwide[i] ? 16 : 8;
    }
    uint32_t start = off;
    for (int pass = 0; pass < 2; pass++) {
        i = np;
        for (uint32_t g = 0; g < code->n_local_groups; g++) {
            const LocalGroup *lg = &code->local_groups[g];
            for (uint32_t k = 0; k < lg->count; k++, i++) {
                if ((mark[i - np] == 1) != (pass == 1))
                    continue;
                x->loff[i] = off;
                x->lwide[i] = type_wide(lg->type);
                off += x->lwide[i] ? 16 : 8;
            }
        }
        if (pass == 0)
            x->zero_bytes = off - start;
    }
    x->loff[i] = off;
    mem_free(mark);
    return OK;
}

static Err xl_setup(Xl *x, const Code *code, uint64_t locals_end) {
    uint64_t n_locals = (uint64_t)x->ft->n_params + code->n_locals;
    x->vs = mem_alloc(((size_t)code->max_stack + 2) * sizeof *x->vs);
    x->cs = mem_alloc(((size_t)code->max_depth + 2) * sizeof *x->cs);
    x->loff = mem_alloc((n_locals + 1) * sizeof *x->loff);
    if (!x->vs || !x->cs || !x->loff || local_offsets(x, code) != OK)
        return ERR_NOMEM;
    pool_scan(x, code);
    x->pool_base = (uint32_t)locals_end;
    uint32_t eh_bytes;
    if (interp_xl_eh_setup(x, code, x->pool_base + 16 * x->n_pool, &eh_bytes))
        return ERR_NOMEM;
    x->t_base = x->pool_base + 16 * x->n_pool + eh_bytes;
    x->refs = mem_calloc(x->t_base / 8 + 1, sizeof *x->refs);
    if (!x->refs)
        return ERR_NOMEM;
    return interp_xl_alias_setup(x, code, (uint32_t)n_locals);
}

static void emit_unsupported(Xl *x) {
    x->len = 0;
    x->n_pc = 0;
    EMIT(x, IOP_UNSUPPORTED, IHdr);
}

static bool sig_has_v128(const FuncType *ft) {
    for (uint32_t i = 0; i < ft->n_params; i++)
        if (type_wide(ft->params[i]))
            return true;
    for (uint32_t i = 0; i < ft->n_results; i++)
        if (type_wide(ft->results[i]))
            return true;
    return false;
}

Err interp_translate(const RtModule *module, IFunc *funcs, uint32_t index, uint8_t **out_code,
                     uint32_t *out_len, IPcEntry **out_pc, Diag *diag) {
    const Module *mod = module->ir;
    const Func *fn = &mod->funcs[index];
    const Code *code = &fn->code;
    IFunc *f = &funcs[index - mod->n_func_imports];
    Xl x = {.rm = module,
            .mod = mod,
            .ft = ir_func_type(mod, index),
            .funcs = funcs,
            .mac_end = UINT32_MAX};
    x.labels = interp_labels();
    const EngineConfig *cfg = &module->engine->config;
    x.fuel = cfg->consume_fuel;
    x.epoch = cfg->epoch_interruption;
    x.guarded0 = mod->n_memories && rt_memory_guarded(cfg, &mod->memories[0].type);
    uint64_t param_bytes = types_bytes(x.ft->params, x.ft->n_params);
    uint64_t locals_end = param_bytes;
    for (uint32_t g = 0; g < code->n_local_groups; g++)
        locals_end += (uint64_t)code->local_groups[g].count *
                      (type_wide(code->local_groups[g].type) ? 16 : 8);
    /* params, locals, pool, temps (at most 16 bytes each), slack */
    uint64_t bound = locals_end + 16 * (uint64_t)POOL_MAX + 16 * (uint64_t)code->max_stack + 16;
    uint64_t result_bytes = types_bytes(x.ft->results, x.ft->n_results);
    if (bound > (1u << 30) || result_bytes > (1u << 30))
        return FAIL(diag, ERR_LIMIT, code->offset, "function frame too large");
    f->frame_bytes = (uint32_t)result_bytes; /* at least */
    f->param_bytes = (uint32_t)param_bytes;
    f->local_bytes = (uint32_t)(locals_end - param_bytes);
    Err err = xl_setup(&x, code, locals_end);
    if (err != OK) {
        xl_free(&x);
        return FAIL_NOMEM(diag);
    }
    f->local_bytes = x.zero_bytes;
    if (setjmp(x.fail)) {
        xl_free(&x);
        mem_free(x.code);
        mem_free(x.pc);
        return FAIL_NOMEM(diag);
    }
    dump_rec.on = interp_dump_enabled();
    dump_rec.n = 0;
    bool ok = translate_body(&x, code);
    if (!ok)
        emit_unsupported(&x);
    interp_xl_eh_finish(&x, f, ok);
    uint32_t frame = x.t_base + x.t_max + 16;
    if (frame > f->frame_bytes)
        f->frame_bytes = frame;
    xl_free(&x);
    f->n_params = x.ft->n_params;
    f->n_results = x.ft->n_results;
    f->has_v128 = sig_has_v128(x.ft);
    f->type = x.ft;
    f->func_index = index;
    f->n_pc = x.n_pc;
    if (dump_rec.on || dump_rec.pos)
        dump_finish(f, &x);
    *out_code = x.code;
    *out_len = x.len;
    *out_pc = x.pc;
    return OK;
}

/* ---- for the instruction families in other files (translate_int.h) ---- */

uint32_t interp_xl_emit(Xl *x, uint32_t op, const void *ins, uint32_t size) {
    return emit_raw(x, op, ins, size);
}
uint32_t interp_xl_tslot(const Xl *x, uint32_t height) {
    return tslot(x, height);
}
uint32_t interp_xl_src(Xl *x, uint32_t height) {
    return src(x, height);
}
void interp_xl_push_types(Xl *x, const ValType *types, uint32_t n) {
    vpush_types(x, types, n);
}
void interp_xl_trunc(Xl *x, uint32_t height) {
    vtrunc(x, height);
}
uint32_t interp_xl_place_args(Xl *x, uint32_t n, uint32_t skip) {
    return place_args(x, n, skip);
}
void interp_xl_push_ctrl(Xl *x, uint32_t kind, const Instr *in) {
    push_ctrl(x, kind, in);
}
void interp_xl_jump_to(Xl *x, Ctrl *c, uint32_t skip) {
    emit_jump_to(x, c, skip);
}
void interp_xl_end(Xl *x) {
    xl_end(x);
}
void interp_xl_fuel_block(Xl *x) {
    fuel_block(x);
}
