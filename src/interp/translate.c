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
 * Entries carry their width (a v128 takes two slots), so T(height) is the
 * prefix sum of the widths below; v128 constants used in loops are read from
 * the function's constant pool (written by its prologue).
 * Linear in the function's size; scratch lives in the Xl and dies with it. */
#include <setjmp.h>
#include <stddef.h>

#include "translate_int.h"

/* ---- per-opcode facts from iops.def ---- */

enum {
  CL_NONE,
  CL_BIN,
  CL_CMP,
  CL_UN,
  CL_LOAD,
  CL_STORE,
  CL_VTERN,
  CL_VEXTRACT,
  CL_VREPLACE,
  CL_VLANE
};

static const uint8_t op_class[OP_COUNT] = {
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
#include "simd.def"
};

/* The byte width of a lane access (extract/replace/lane loads and stores). */
static const uint8_t op_lane_size[OP_COUNT] = {
#define VEXTRACT(name, T, R) [OP_##name] = sizeof(T),
#define VREPLACE(name, T) [OP_##name] = sizeof(T),
#define VLANE(name, M, store) [OP_##name] = sizeof(M),
#include "simd.def"
};

static const uint16_t op_imm_form[OP_COUNT] = {
#define BINOP(name, type, result, expr) [OP_##name] = IOP_##name##_I,
#define CMP(name, type, expr) [OP_##name] = IOP_##name##_I,
#include "iops.def"
#undef BINOP
#undef CMP
#define VSHIFT(name, expr) [OP_##name] = IOP_##name##_I,
#include "simd.def"
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

/* Guarded accesses at (u32)(slot + immediate) + offset. */
static const uint16_t op_addi_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_AI,
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_AI,
#include "iops.def"
#undef LOAD
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
#include "simd.def"
};

static const uint16_t op_checked_form[OP_COUNT] = {
#define LOAD(name, result, memtype) [OP_##name] = IOP_##name##_C,
#define STORE(name, type, memtype) [OP_##name] = IOP_##name##_C,
#include "iops.def"
#define VLOAD(name, M, expr) [OP_##name] = IOP_##name##_C,
#define VSTORE(name) [OP_##name] = IOP_##name##_C,
#include "simd.def"
};

/* Operand pairs: (op, op') with op(a, b) == op'(b, a). */
static const uint16_t swap_pairs[][2] = {
    {OP_I32_ADD, OP_I32_ADD},   {OP_I32_MUL, OP_I32_MUL},
    {OP_I32_AND, OP_I32_AND},   {OP_I32_OR, OP_I32_OR},
    {OP_I32_XOR, OP_I32_XOR},   {OP_I64_ADD, OP_I64_ADD},
    {OP_I64_MUL, OP_I64_MUL},   {OP_I64_AND, OP_I64_AND},
    {OP_I64_OR, OP_I64_OR},     {OP_I64_XOR, OP_I64_XOR},
    {OP_I32_EQ, OP_I32_EQ},     {OP_I32_NE, OP_I32_NE},
    {OP_I64_EQ, OP_I64_EQ},     {OP_I64_NE, OP_I64_NE},
    {OP_I32_LT_S, OP_I32_GT_S}, {OP_I32_GT_S, OP_I32_LT_S},
    {OP_I32_LT_U, OP_I32_GT_U}, {OP_I32_GT_U, OP_I32_LT_U},
    {OP_I32_LE_S, OP_I32_GE_S}, {OP_I32_GE_S, OP_I32_LE_S},
    {OP_I32_LE_U, OP_I32_GE_U}, {OP_I32_GE_U, OP_I32_LE_U},
    {OP_I64_LT_S, OP_I64_GT_S}, {OP_I64_GT_S, OP_I64_LT_S},
    {OP_I64_LT_U, OP_I64_GT_U}, {OP_I64_GT_U, OP_I64_LT_U},
    {OP_I64_LE_S, OP_I64_GE_S}, {OP_I64_GE_S, OP_I64_LE_S},
    {OP_I64_LE_U, OP_I64_GE_U}, {OP_I64_GE_U, OP_I64_LE_U},
    {OP_F32_ADD, OP_F32_ADD},   {OP_F32_MUL, OP_F32_MUL},
    {OP_F64_ADD, OP_F64_ADD},   {OP_F64_MUL, OP_F64_MUL},
};

/* Integer compares and their negations (floats have none: NaN). */
static const uint16_t negate_pairs[][2] = {
    {OP_I32_EQ, OP_I32_NE},     {OP_I32_NE, OP_I32_EQ},
    {OP_I32_LT_S, OP_I32_GE_S}, {OP_I32_GE_S, OP_I32_LT_S},
    {OP_I32_LT_U, OP_I32_GE_U}, {OP_I32_GE_U, OP_I32_LT_U},
    {OP_I32_GT_S, OP_I32_LE_S}, {OP_I32_LE_S, OP_I32_GT_S},
    {OP_I32_GT_U, OP_I32_LE_U}, {OP_I32_LE_U, OP_I32_GT_U},
    {OP_I64_EQ, OP_I64_NE},     {OP_I64_NE, OP_I64_EQ},
    {OP_I64_LT_S, OP_I64_GE_S}, {OP_I64_GE_S, OP_I64_LT_S},
    {OP_I64_LT_U, OP_I64_GE_U}, {OP_I64_GE_U, OP_I64_LT_U},
    {OP_I64_GT_S, OP_I64_LE_S}, {OP_I64_LE_S, OP_I64_GT_S},
    {OP_I64_GT_U, OP_I64_LE_U}, {OP_I64_LE_U, OP_I64_GT_U},
};

static uint32_t pair_lookup(const uint16_t (*pairs)[2], size_t n, uint32_t op) {
  for (size_t i = 0; i < n; i++)
    if (pairs[i][0] == op)
      return pairs[i][1];
  return OP_COUNT;
}
#define SWAPPED(op)                                                            \
  pair_lookup(swap_pairs, sizeof swap_pairs / sizeof *swap_pairs, op)
#define NEGATED(op)                                                            \
  pair_lookup(negate_pairs, sizeof negate_pairs / sizeof *negate_pairs, op)

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

static bool type_wide(ValType t) { return t.kind == VK_V128; }

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
#define EMIT(x, op, T, ...)                                                    \
  emit_raw(x, op, &(T){.h = NULL, __VA_ARGS__}, sizeof(T))

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

static uint32_t vwidth(const VEnt *e) { return e->wide ? 16 : 8; }

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
  EMIT(x, IOP_I32_ADD_I, IBinI32, .dst = dst, .a = e->slot,
       .imm = (uint32_t)e->c);
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
      emit_mov(x, dst, e->kind == V_LOCAL ? e->slot : tslot(x, first + k),
               e->wide);
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
    return reads_local(x, e) && e->slot < bytes ? tslot(x, height)
                                                 : FRAME_ADDI;
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
  if (n == 1 && skip == 0 && (e->kind == V_TEMP || e->kind == V_LOCAL) &&
      !e->wide) {
    uint32_t s = e->kind == V_LOCAL ? e->slot : tslot(x, x->h - 1);
    if (s == 0)
      EMIT(x, IOP_RET0, IHdr);
    else
      EMIT(x, IOP_RET1, IUn, .a = s);
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
  if (c->op == OP_I32_EQZ || c->op == OP_I64_EQZ) {
    bool is64 = c->op == OP_I64_EQZ;
    uint32_t op = negate ? (is64 ? IOP_BR_NEZ64 : IOP_BR_NEZ32)
                         : (is64 ? IOP_BR_EQZ64 : IOP_BR_EQZ32);
    return EMIT(x, op, IBrIf, .cond = c->a) + offsetof(IBrIf, disp);
  }
  uint32_t op = negate ? NEGATED(c->op) : c->op;
  if (!c->imm)
    return EMIT(x, op_branch_form[op], ICmpBr, .a = c->a, .b = c->b) +
           offsetof(ICmpBr, disp);
  if (operand_width(op) == 4)
    return EMIT(x, op_branch_imm_form[op], ICmpBrI32, .a = c->a,
                .imm = (uint32_t)c->immv) +
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
  if (e.kind == V_LOCAL) {
    slot = e.slot;
    /* the local was just incremented in place: one op */
    if (x->len == len && p->kind == L_PROD && p->op == IOP_I32_ADD_I &&
        p->code_end == len && p->a == slot) {
      x->len = p->start;
      return EMIT(x, negate ? IOP_I32_INC_BR_EQZ : IOP_I32_INC_BR_NEZ, IIncBr,
                  .x = slot, .add = (int32_t)p->immv) +
             offsetof(IIncBr, disp);
    }
  } else {
    slot = tslot(x, height);
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
  } else if (base->kind == V_ADDI &&
             (!swap || reads_local(x, base))) {
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
  return true;
}

static void xl_binop(Xl *x, uint32_t op) {
  if (defer_add(x, op))
    return;
  uint32_t h = x->h;
  const VEnt *a = &x->vs[h - 2], *b = &x->vs[h - 1];
  uint32_t dst = tslot(x, h - 2), pos;
  Last c = {.kind = L_CMP, .op = op};
  uint32_t swapped = SWAPPED(op);
  if (op_imm_form[op] &&
      (b->kind == V_CONST || (a->kind == V_CONST && swapped != OP_COUNT))) {
    bool swap = b->kind != V_CONST;
    uint64_t imm = swap ? a->c : b->c;
    c.op = swap ? swapped : op;
    c.a = src(x, swap ? h - 1 : h - 2);
    c.imm = true;
    c.immv = imm;
    if (operand_width(c.op) == 4)
      pos = EMIT(x, op_imm_form[c.op], IBinI32, .dst = dst, .a = c.a,
                 .imm = (uint32_t)imm);
    else
      pos =
          EMIT(x, op_imm_form[c.op], IBinI64, .dst = dst, .a = c.a, .imm = imm);
  } else {
    c.a = src(x, h - 2);
    c.b = src(x, h - 1);
    pos = EMIT(x, op, IBin, .dst = dst, .a = c.a, .b = c.b);
  }
  vpop(x);
  vpop(x);
  vpush_temp(x, result_wide(op));
  c.start = pos;
  c.code_end = x->len;
  c.dst_field = pos + offsetof(IBin, dst);
  c.height = h - 2;
  c.kind = op_class[op] == CL_CMP ? L_CMP : L_PROD;
  const Last *p = &x->prev;
  if (c.kind == L_CMP && op_inc_form[c.op] && p->kind == L_PROD &&
      p->op == IOP_I32_ADD_I && p->code_end == pos && p->a == c.a) {
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
    if (op == OP_I32_EQZ && p->kind == L_PROD && p->op == IOP_I32_ADD_I &&
        p->code_end == pos && p->a == a) {
      x->last.inc = true;
      x->last.inc_start = p->start;
      x->last.inc_imm = (uint32_t)p->immv;
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
 * emitted? Then a guarded access can do the add itself: drop the add. */
static bool take_add(Xl *x, uint32_t height, Last *out) {
  const Last *p = &x->prev;
  if (p->kind != L_PROD || p->op != OP_I32_ADD || p->imm ||
      p->code_end != x->len || p->height != height ||
      x->vs[height].kind != V_TEMP)
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
static void set_copyable(Xl *x, uint32_t op, uint32_t pos, uint32_t a,
                         uint32_t k, uint64_t offset) {
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
    pos = EMIT(x, op_add_form[op], IMemA, .x = dst, .y = add.a, .z = add.b,
               .offset = offset);
    pc_at(x, pos, in->offset);
    vpop(x);
    vpush_temp(x, result_wide(op));
    set_producer(x, pos + offsetof(IMemA, x), h - 1);
    return;
  }
  const VEnt *e = &x->vs[h - 1];
  if (is_guarded(x, mem, offset) && e->kind == V_ADDI && op_addi_form[op]) {
    uint32_t base = e->slot, k = (uint32_t)e->c;
    pos = EMIT(x, op_addi_form[op], IMemA, .x = dst, .y = base, .z = k,
               .offset = offset);
    vpop(x);
    vpush_temp(x, result_wide(op));
    set_producer(x, pos + offsetof(IMemA, x), h - 1);
    set_copyable(x, op, pos, base, k, offset);
    return;
  }
  uint32_t addr = src(x, h - 1);
  if (is_guarded(x, mem, offset))
    pos = EMIT(x, op, IMem, .x = dst, .y = addr, .offset = offset);
  else
    pos = EMIT(x, op_checked_form[op], IMemC, .x = dst, .y = addr,
               .offset = offset, .mem = mem_field(x, mem),
               .is64 = x->mod->memories[mem].type.is64);
  vpop(x);
  vpush_temp(x, result_wide(op));
  set_producer(x, pos + offsetof(IMem, x), h - 1);
  if (is_guarded(x, mem, offset) && op_addi_form[op])
    set_copyable(x, op, pos, addr, 0, offset);
}

/* A store of the value the guarded load just emitted loaded, of the same
 * width, to a guarded address: one copy op. A fault in its store half
 * reports code offset + 1, mapped to the store. */
static bool xl_copy(Xl *x, const Instr *in) {
  static const uint16_t copy_ops[9] = {
      [1] = IOP_COPY8, [2] = IOP_COPY16, [4] = IOP_COPY32, [8] = IOP_COPY64};
  uint32_t h = x->h, op = in->op;
  const Last *p = &x->prev;
  const VEnt *a = &x->vs[h - 2];
  if (p->kind != L_PROD || !p->copyable || p->code_end != x->len ||
      p->height != h - 1 || x->vs[h - 1].kind != V_TEMP ||
      op_mem_width[p->op] != op_mem_width[op] || a->kind == V_CONST ||
      a->wide)
    return false;
  uint32_t dy = a->kind == V_TEMP ? tslot(x, h - 2) : a->slot;
  uint32_t dimm = a->kind == V_ADDI ? (uint32_t)a->c : 0;
  x->len = p->start;
  EMIT(x, copy_ops[op_mem_width[op]], ICopy, .dy = dy, .dimm = dimm,
       .sy = p->a, .simm = p->b, .doff = (uint32_t)in->imm.memarg.offset,
       .soff = (uint32_t)p->immv);
  if (x->n_pc && x->pc[x->n_pc - 1].code == p->code_end)
    x->pc[x->n_pc - 1].code = p->start + 1;
  vpop(x);
  vpop(x);
  return true;
}

static void xl_store(Xl *x, const Instr *in) {
  uint32_t h = x->h, op = in->op, mem = in->imm.memarg.mem;
  uint64_t offset = in->imm.memarg.offset;
  bool guarded = is_guarded(x, mem, offset);
  if (guarded && op_addi_form[op] && xl_copy(x, in))
    return;
  uint32_t val = src(x, h - 1);
  Last add;
  if (guarded && take_add(x, h - 2, &add)) {
    uint32_t pos = EMIT(x, op_add_form[op], IMemA, .x = val, .y = add.a,
                        .z = add.b, .offset = offset);
    pc_at(x, pos, in->offset);
    vpop(x);
    vpop(x);
    return;
  }
  const VEnt *e = &x->vs[h - 2];
  if (guarded && e->kind == V_ADDI && op_addi_form[op]) {
    EMIT(x, op_addi_form[op], IMemA, .x = val, .y = e->slot,
         .z = (uint32_t)e->c, .offset = offset);
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
  uint32_t k0 =
      result ? 1 : 0; /* with a result, a = dst and inputs start at b */
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
  uint32_t pos = EMIT(x, op, ISelect, .dst = tslot(x, h - 3), .a = a, .b = b,
                      .cond = c);
  vtrunc(x, h - 3);
  vpush_temp(x, true);
  set_producer(x, pos + offsetof(ISelect, dst), h - 3);
}

/* extract_lane: a scalar read at the lane's offset inside the vector. */
static void xl_extract(Xl *x, const Instr *in) {
  uint32_t h = x->h;
  uint32_t a = src(x, h - 1) + in->a * op_lane_size[in->op];
  uint32_t pos =
      EMIT(x, in->op, IUn, .dst = tslot(x, h - 1), .a = a);
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
  uint64_t size =
      (offsetof(IBrTable, disp) + 4 * ((uint64_t)n + 1) + 7) & ~(uint64_t)7;
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
    uint32_t field =
        EMIT(x, not_taken, IBrIf, .cond = ref) + offsetof(IBrIf, disp);
    emit_jump_to(x, c, skip);
    patch32(x, field, x->len - field);
  }
  if (!on_null)
    vpop(x);
}

/* An in-place add of k to the local at `slot` was just emitted at `pos`: a
 * compare-and-branch on the local right after it may absorb it. */
static void set_inc(Xl *x, uint32_t pos, uint32_t slot, uint32_t k) {
  x->last = (Last){.kind = L_PROD,
                   .op = IOP_I32_ADD_I,
                   .start = pos,
                   .code_end = x->len,
                   .height = UINT32_MAX, /* nothing to retarget */
                   .a = slot,
                   .imm = true,
                   .immv = k};
}

static void xl_local_set(Xl *x, uint32_t local, bool tee) {
  uint32_t slot = x->loff[local], h = x->h;
  VEnt top = x->vs[h - 1];
  const Last *p = &x->prev;
  if (top.kind == V_LOCAL && top.slot == slot) {
    /* local.set of its own value: nothing to do */
  } else if (p->kind != L_NONE && p->code_end == x->len && p->height == h - 1 &&
             top.kind == V_TEMP && x->refs[slot / 8] == 0) {
    patch32(x, p->dst_field, slot);
    if (p->kind == L_PROD && p->op == OP_I32_ADD && p->imm && p->a == slot)
      set_inc(x, p->start, slot, (uint32_t)p->immv);
  } else {
    spill_local_refs(x, slot, h - 1);
    if (top.kind == V_CONST) {
      emit_const(x, slot, &top);
    } else if (top.kind == V_ADDI) {
      uint32_t pos = x->len;
      emit_addi(x, slot, &top);
      if (top.slot == slot)
        set_inc(x, pos, slot, (uint32_t)top.c);
    } else {
      emit_mov(x, slot, top.kind == V_LOCAL ? top.slot : tslot(x, h - 1),
               top.wide);
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
 * so the callee's frame starts at the first. */
static uint32_t place_args(Xl *x, uint32_t n, uint32_t skip) {
  uint32_t first = x->h - skip - n;
  for (uint32_t k = 0; k < n; k++)
    materialize(x, first + k);
  return tslot(x, first);
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
  uint32_t args = tail ? 0 : place_args(x, ft->n_params, 0);
  if (import) {
    uint32_t op = tail ? IOP_TAIL_CALL_IMPORT : IOP_CALL_IMPORT;
    EMIT(x, op, ICallRef, .skip = sizeof(ICallRef), .args = args,
         .x = funcs_field(x, func), .type = ft);
  } else {
    const IFunc *f = &x->funcs[func - x->mod->n_func_imports];
    EMIT(x, tail ? IOP_TAIL_CALL : IOP_CALL, ICall, .skip = sizeof(ICall),
         .args = args, .func = f);
  }
  if (tail)
    x->cs[x->depth - 1].unreachable = true;
  else
    finish_call(x, ft, 0);
}

/* call_indirect / call_ref: the table index or the ref is on top. */
static void xl_call_through(Xl *x, const Instr *in, bool tail) {
  bool indirect =
      in->op == OP_CALL_INDIRECT || in->op == OP_RETURN_CALL_INDIRECT;
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
    xl_ops(x, IOP_MEMORY_COPY, 3, false,
           (IOps){.d = in->imm.pair.x, .e = in->imm.pair.y});
    return true;
  case OP_MEMORY_INIT:
    xl_ops(x, IOP_MEMORY_INIT, 3, false,
           (IOps){.d = in->imm.pair.y, .e = in->imm.pair.x});
    return true;
  case OP_DATA_DROP:
    xl_ops(x, IOP_DATA_DROP, 0, false, (IOps){.a = in->imm.index});
    return true;
  case OP_TABLE_GET:
    xl_ops(x, IOP_TABLE_GET, 1, true, (IOps){.d = in->imm.index});
    return true;
  case OP_TABLE_SET:
    xl_ops(x, IOP_TABLE_SET, 2, false, (IOps){.d = in->imm.index});
    return true;
  case OP_TABLE_SIZE:
    xl_ops(x, IOP_TABLE_SIZE, 0, true, (IOps){.d = in->imm.index});
    return true;
  case OP_TABLE_GROW:
    xl_ops(x, IOP_TABLE_GROW, 2, true, (IOps){.d = in->imm.index});
    return true;
  case OP_TABLE_FILL:
    xl_ops(x, IOP_TABLE_FILL, 3, false, (IOps){.d = in->imm.index});
    return true;
  case OP_TABLE_COPY:
    xl_ops(x, IOP_TABLE_COPY, 3, false,
           (IOps){.d = in->imm.pair.x, .e = in->imm.pair.y});
    return true;
  case OP_TABLE_INIT:
    xl_ops(x, IOP_TABLE_INIT, 3, false,
           (IOps){.d = in->imm.pair.y, .e = in->imm.pair.x});
    return true;
  case OP_ELEM_DROP:
    xl_ops(x, IOP_ELEM_DROP, 0, false, (IOps){.a = in->imm.index});
    return true;
  default:
    return false;
  }
}

static void xl_global(Xl *x, const Instr *in) {
  uint32_t field =
      x->rm->offsets.globals + in->imm.index * (uint32_t)sizeof(void *);
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
  uint32_t op = kind == VK_V128                 ? IOP_GLOBAL_SET_V
                : kind == VK_I32 || kind == VK_F32 ? IOP_GLOBAL_SET32
                                                   : IOP_GLOBAL_SET;
  EMIT(x, op, IUn, .dst = field, .a = s);
  vpop(x);
}

static void mark_unreachable(Xl *x) { x->cs[x->depth - 1].unreachable = true; }

/* Returns false for what this tier does not run (GC, exceptions). */
static bool xl_instr(Xl *x, const Instr *in) {
  uint32_t op = in->op;
  switch (op_class[op]) {
  case CL_BIN:
  case CL_CMP:
    xl_binop(x, op);
    return true;
  case CL_UN:
    xl_unop(x, op);
    return true;
  case CL_LOAD:
    xl_load(x, in);
    return true;
  case CL_STORE:
    xl_store(x, in);
    return true;
  case CL_VTERN:
    xl_ternop(x, op);
    return true;
  case CL_VEXTRACT:
    xl_extract(x, in);
    return true;
  case CL_VREPLACE:
    xl_replace(x, in);
    return true;
  case CL_VLANE:
    xl_lane_mem(x, in);
    return true;
  default:
    break;
  }
  if (xl_memory_op(x, in))
    return true;
  switch (op) {
  case OP_NOP:
  case OP_I32_WRAP_I64: /* an i32 reads the low half of the slot */
  case OP_I32_REINTERPRET_F32:
  case OP_I64_REINTERPRET_F64:
  case OP_F32_REINTERPRET_I32:
  case OP_F64_REINTERPRET_I64:
    return true;
  case OP_UNREACHABLE:
    EMIT(x, IOP_UNREACHABLE, IHdr);
    mark_unreachable(x);
    return true;
  case OP_BLOCK:
    push_ctrl(x, C_BLOCK, in);
    return true;
  case OP_LOOP:
    push_ctrl(x, C_LOOP, in);
    x->cs[x->depth - 1].loop_start = x->len;
    epoch_check(x);
    fuel_block(x);
    return true;
  case OP_IF:
    xl_if(x, in);
    return true;
  case OP_ELSE:
    xl_else(x, in);
    return true;
  case OP_END:
    interp_xl_eh_end(x);
    xl_end(x);
    return true;
  case OP_BR:
    emit_jump_to(x, label(x, in->imm.index), 0);
    mark_unreachable(x);
    return true;
  case OP_BR_IF:
    xl_br_if(x, in->imm.index);
    return true;
  case OP_BR_TABLE:
    xl_br_table(x, in);
    mark_unreachable(x);
    return true;
  case OP_RETURN:
    emit_return(x, 0);
    mark_unreachable(x);
    return true;
  case OP_CALL:
  case OP_RETURN_CALL:
    xl_call(x, in->imm.index, op == OP_RETURN_CALL);
    return true;
  case OP_CALL_INDIRECT:
  case OP_CALL_REF:
  case OP_RETURN_CALL_INDIRECT:
  case OP_RETURN_CALL_REF:
    xl_call_through(x, in,
                    op == OP_RETURN_CALL_INDIRECT || op == OP_RETURN_CALL_REF);
    return true;
  case OP_DROP:
    vpop(x);
    return true;
  case OP_SELECT:
  case OP_SELECT_T: {
    uint32_t h = x->h;
    bool wide = x->vs[h - 2].wide;
    uint32_t cond = src(x, h - 1), b = src(x, h - 2), a = src(x, h - 3);
    uint32_t pos = EMIT(x, wide ? IOP_SELECT_V : IOP_SELECT, ISelect,
                        .dst = tslot(x, h - 3), .a = a, .b = b, .cond = cond);
    vtrunc(x, h - 3);
    vpush_temp(x, wide);
    set_producer(x, pos + offsetof(ISelect, dst), h - 3);
    return true;
  }
  case OP_LOCAL_GET: {
    uint32_t i = in->imm.index;
    vpush_local(x, x->loff[i], x->loff[i + 1] - x->loff[i] == 16);
    return true;
  }
  case OP_LOCAL_SET:
  case OP_LOCAL_TEE:
    xl_local_set(x, in->imm.index, op == OP_LOCAL_TEE);
    return true;
  case OP_GLOBAL_GET:
  case OP_GLOBAL_SET:
    xl_global(x, in);
    return true;
  case OP_I32_CONST:
    vpush(x, (VEnt){.kind = V_CONST, .c = (uint32_t)in->imm.i32});
    return true;
  case OP_F32_CONST:
    vpush(x, (VEnt){.kind = V_CONST, .c = in->imm.f32});
    return true;
  case OP_I64_CONST:
  case OP_F64_CONST:
    vpush(x, (VEnt){.kind = V_CONST, .c = in->imm.f64});
    return true;
  case OP_V128_CONST:
    xl_v128_const(x, in);
    return true;
  case OP_I8X16_SHUFFLE:
    xl_shuffle(x, in);
    return true;
  case OP_REF_NULL:
    vpush(x, (VEnt){.kind = V_CONST});
    return true;
  case OP_REF_IS_NULL:
    xl_unop(x, OP_I64_EQZ);
    return true;
  case OP_REF_FUNC: {
    uint32_t h = x->h;
    uint32_t pos = EMIT(x, IOP_REF_FUNC, IUn, .dst = tslot(x, h),
                        .a = funcs_field(x, in->imm.index));
    vpush_temp(x, false);
    set_producer(x, pos + offsetof(IUn, dst), h);
    return true;
  }
  case OP_REF_AS_NON_NULL:
    EMIT(x, IOP_REF_AS_NON_NULL, IUn, .a = src(x, x->h - 1));
    return true;
  case OP_BR_ON_NULL:
  case OP_BR_ON_NON_NULL:
    xl_br_on_null(x, in->imm.index, op == OP_BR_ON_NULL);
    return true;
  case OP_TRY_TABLE:
  case OP_THROW:
  case OP_THROW_REF:
  case OP_TRY:
  case OP_CATCH:
  case OP_CATCH_ALL:
  case OP_DELEGATE:
  case OP_RETHROW:
    return interp_xl_eh(x, in);
  case OP_REF_EQ: /* equal references are equal words (i31s included) */
    xl_binop(x, OP_I64_EQ);
    return true;
  default:
    return interp_xl_gc(x, in);
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
  for (uint32_t i = 0; i < code->n_instrs && x->depth; i++) {
    const Instr *in = &code->instrs[i];
    /* local.get and constants emit nothing: the peepholes see through them */
    bool quiet = in->op == OP_LOCAL_GET || in->op == OP_I32_CONST ||
                 in->op == OP_I64_CONST || in->op == OP_F32_CONST ||
                 in->op == OP_F64_CONST || in->op == OP_V128_CONST;
    if (!quiet) {
      x->prev = x->last;
      x->last = (Last){.kind = L_NONE};
    }
    Ctrl *top = &x->cs[x->depth - 1];
    if (top->unreachable && i < top->end_index) {
      i = top->end_index - 1;
      continue;
    }
    pc_record(x, in->offset);
    x->fuel_count++;
    if (!xl_instr(x, in))
      return false;
  }
  fuel_flush(x);
  return true;
}

static void xl_free(Xl *x) {
  mem_free(x->vs);
  mem_free(x->cs);
  mem_free(x->refs);
  mem_free(x->loff);
  mem_free(x->pool);
  interp_xl_eh_free(x);
}

static uint64_t types_bytes(const ValType *types, uint32_t n) {
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < n; i++)
    bytes += type_wide(types[i]) ? 16 : 8;
  return bytes;
}

/* Every local's slot: params, then the declared locals, by their widths. */
static void local_offsets(Xl *x, const Code *code) {
  uint32_t i = 0, off = 0;
  for (; i < x->ft->n_params; i++) {
    x->loff[i] = off;
    off += type_wide(x->ft->params[i]) ? 16 : 8;
  }
  for (uint32_t g = 0; g < code->n_local_groups; g++) {
    const LocalGroup *lg = &code->local_groups[g];
    for (uint32_t k = 0; k < lg->count; k++, i++) {
      x->loff[i] = off;
      off += type_wide(lg->type) ? 16 : 8;
    }
  }
  x->loff[i] = off;
}

static Err xl_setup(Xl *x, const Code *code, uint64_t locals_end) {
  uint64_t n_locals = (uint64_t)x->ft->n_params + code->n_locals;
  x->vs = mem_alloc(((size_t)code->max_stack + 2) * sizeof *x->vs);
  x->cs = mem_alloc(((size_t)code->max_depth + 2) * sizeof *x->cs);
  x->loff = mem_alloc((n_locals + 1) * sizeof *x->loff);
  if (!x->vs || !x->cs || !x->loff)
    return ERR_NOMEM;
  local_offsets(x, code);
  pool_scan(x, code);
  x->pool_base = (uint32_t)locals_end;
  uint32_t eh_bytes;
  if (interp_xl_eh_setup(x, code, x->pool_base + 16 * x->n_pool, &eh_bytes))
    return ERR_NOMEM;
  x->t_base = x->pool_base + 16 * x->n_pool + eh_bytes;
  x->refs = mem_calloc(x->t_base / 8 + 1, sizeof *x->refs);
  return x->refs ? OK : ERR_NOMEM;
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

Err interp_translate(const RtModule *module, IFunc *funcs, uint32_t index,
                     uint8_t **out_code, uint32_t *out_len, IPcEntry **out_pc,
                     Diag *diag) {
  const Module *mod = module->ir;
  const Func *fn = &mod->funcs[index];
  const Code *code = &fn->code;
  IFunc *f = &funcs[index - mod->n_func_imports];
  Xl x = {
      .rm = module, .mod = mod, .ft = ir_func_type(mod, index), .funcs = funcs};
  x.labels = interp_labels();
  const EngineConfig *cfg = &module->engine->config;
  x.fuel = cfg->consume_fuel;
  x.epoch = cfg->epoch_interruption;
  x.guarded0 =
      mod->n_memories && rt_memory_guarded(cfg, &mod->memories[0].type);
  uint64_t param_bytes = types_bytes(x.ft->params, x.ft->n_params);
  uint64_t locals_end = param_bytes;
  for (uint32_t g = 0; g < code->n_local_groups; g++)
    locals_end += (uint64_t)code->local_groups[g].count *
                  (type_wide(code->local_groups[g].type) ? 16 : 8);
  /* params, locals, pool, temps (at most 16 bytes each), slack */
  uint64_t bound =
      locals_end + 16 * (uint64_t)POOL_MAX + 16 * (uint64_t)code->max_stack + 16;
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
uint32_t interp_xl_src(Xl *x, uint32_t height) { return src(x, height); }
void interp_xl_push_types(Xl *x, const ValType *types, uint32_t n) {
  vpush_types(x, types, n);
}
void interp_xl_trunc(Xl *x, uint32_t height) { vtrunc(x, height); }
uint32_t interp_xl_place_args(Xl *x, uint32_t n, uint32_t skip) {
  return place_args(x, n, skip);
}
void interp_xl_push_ctrl(Xl *x, uint32_t kind, const Instr *in) {
  push_ctrl(x, kind, in);
}
void interp_xl_jump_to(Xl *x, Ctrl *c, uint32_t skip) {
  emit_jump_to(x, c, skip);
}
void interp_xl_end(Xl *x) { xl_end(x); }
void interp_xl_fuel_block(Xl *x) { fuel_block(x); }
