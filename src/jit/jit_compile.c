/* The single-pass compiler's core: the value-location tracker (registers,
 * constants, pending local reads, canonical slots), control flow (blocks,
 * loops, if/else, br/br_if/br_table with compare+branch fusion), calls (direct
 * ones with register arguments, through func refs with one type check, real
 * tail calls, host calls), frames and prologues (stack-limit check, locals
 * zeroed only where a read may see them unassigned, fuel, epochs), trap stubs
 * and the driver over a validated function body. Numeric and memory ops are in jit_lower.c.
 * Every allocation failure longjmps to Comp.fail; the scratch lives in the
 * worker's JScratch arena, reset after each function. */
#include "jit_comp.h"
#include "jit_gc.h"

#include <stddef.h>
#include <string.h>

#define GPR_ALLOCATABLE                                                                        \
    ((1u << X64_RAX) | (1u << X64_RCX) | (1u << X64_RDX) | (1u << X64_RBX) | (1u << X64_RSI) |  \
     (1u << X64_RDI) | (1u << X64_R8) | (1u << X64_R9) | (1u << X64_R12) | (1u << X64_R13))
#define XMM_ALLOCATABLE ((1u << J_N_XMM) - 1)

/* ---- scratch arrays ---- */

void *jit_grow(Comp *c, void *p, uint32_t *cap, uint32_t need, size_t elem) {
    if (need <= *cap)
        return p;
    uint32_t n = *cap ? *cap * 2 : 32;
    while (n < need)
        n *= 2;
    void *q = mem_realloc(p, (size_t)n * elem);
    if (!q)
        longjmp(c->fail, 1);
    *cap = n;
    return q;
}

struct JScratch {
    Arena arena; /* everything a function's compile frees when it ends */
    CodeBuf cb;  /* the code is copied out; labels and fix-ups are reused */
    /* the pc map, trap table and call relocations, copied out like the code */
    JPc *pcs;
    JTrapSite *traps;
    JCallReloc *relocs;
    uint32_t cap_pcs, cap_traps, cap_relocs;
    const Module *v128_of; /* module_v128's answer for this module, */
    bool v128;             /* asked once per module rather than per function */
};

/* A scratch array in the function's arena (stubs, constants, analyses):
 * nothing to free on any path, since the arena is reset after the
 * function. Growth doubles; out of memory longjmps to c->fail. */
static void *scratch_grow(Comp *c, void *p, uint32_t *cap, uint32_t need, size_t elem) {
    if (need <= *cap)
        return p;
    uint32_t n = *cap ? *cap * 2 : 32;
    while (n < need)
        n *= 2;
    void *q = arena_resize(c->arena, p, (size_t)*cap * elem, (size_t)n * elem);
    if (!q)
        longjmp(c->fail, 1);
    *cap = n;
    return q;
}

/* The pc map: native offset -> wasm offset, one entry per position (an
 * instruction that emitted no code takes over its predecessor's entry). */
static inline void pc_record(Comp *c, uint32_t wasm) {
    uint32_t at = c->cb.len;
    if (at == c->pc_last) {
        c->pcs[c->n_pcs - 1].wasm = wasm;
        return;
    }
    if (c->n_pcs >= c->cap_pcs)
        c->pcs = jit_grow(c, c->pcs, &c->cap_pcs, c->n_pcs + 1, sizeof *c->pcs);
    c->pcs[c->n_pcs++] = (JPc){at, wasm};
    c->pc_last = at;
}

void jit_trap_site(Comp *c, uint32_t code) {
    c->traps = jit_grow(c, c->traps, &c->cap_traps, c->n_traps + 1, sizeof *c->traps);
    c->traps[c->n_traps++] = (JTrapSite){c->cb.len, code};
}

uint32_t jit_stub_index(Comp *c, uint32_t code, uint8_t index_reg) {
    c->stubs = scratch_grow(c, c->stubs, &c->cap_stubs, c->n_stubs + 1, sizeof *c->stubs);
    uint32_t label = x64_label(&c->cb);
    c->stubs[c->n_stubs++] = (JStub){label, code, c->wasm_offset, index_reg};
    return label;
}

uint32_t jit_stub(Comp *c, uint32_t code) {
    return jit_stub_index(c, code, X64_NOREG);
}

/* ---- types and places ---- */

JType jit_type(ValType t) {
    switch (t.kind) {
    case VK_I32: return T_I32;
    case VK_I64: return T_I64;
    case VK_F32: return T_F32;
    case VK_F64: return T_F64;
    case VK_V128: return T_V128;
    default: return T_REF;
    }
}

/* Operand slots grow downwards below the declared locals. */
static int32_t slot_disp(const Comp *c, uint32_t off, uint32_t width) {
    return -16 - (int32_t)c->local_bytes - (int32_t)off - (int32_t)width;
}

X64Mem jit_slot_at(const Comp *c, uint32_t off, uint32_t width) {
    return x64_mem(X64_RBP, slot_disp(c, off, width));
}

X64Mem jit_slot(const Comp *c, uint32_t height) {
    return jit_slot_at(c, c->soff[height], jit_width(c->vs[height].type));
}

X64Mem jit_local(const Comp *c, uint32_t local) {
    return x64_mem(X64_RBP, c->local_disp[local]);
}

/* Value i of a list of `n` types in an argument/result area of k bytes whose
 * lowest address is `base`: value 0 at the top, the rest downwards. */
static int32_t area_disp(const ValType *types, uint32_t i, uint32_t k) {
    uint32_t off = 0;
    for (uint32_t j = 0; j < i; j++)
        off += jit_width((uint8_t)jit_type(types[j]));
    return (int32_t)(k - off - jit_width((uint8_t)jit_type(types[i])));
}

static uint32_t types_bytes(uint32_t n, const ValType *types) {
    uint32_t b = 0;
    for (uint32_t j = 0; j < n; j++)
        b += jit_width((uint8_t)jit_type(types[j]));
    return b;
}

static X64Mem result_place(const Comp *c, uint32_t j) {
    return x64_mem(X64_RBP, 16 + area_disp(c->ft->results, j, c->k_bytes));
}

void jit_restore_rsp(Comp *c) {
    x64_lea(&c->cb, true, X64_RSP, x64_mem(X64_RBP, -c->frame));
}

static void reload_pins(Comp *c, bool all);

static void flush_pins(Comp *c, bool all);

void jit_call_c(Comp *c, const void *fn) {
    flush_pins(c, false);
    x64_alu_ri(&c->cb, X64_AND, true, X64_RSP, -16);
    x64_mov_ri(&c->cb, X64_RAX, (uint64_t)(uintptr_t)fn);
    x64_call_r(&c->cb, X64_RAX);
    jit_restore_rsp(c);
    reload_pins(c, false);
}

/* ---- registers ---- */

static void spill_item(Comp *c, uint32_t i);

/* jit_alloc when every register of the class is taken: the lowest entry
 * in one goes to its slot. */
uint8_t jit_alloc_spill(Comp *c, bool xmm) {
    for (uint32_t i = 0; i < c->h; i++)
        if (c->vs[i].kind == K_REG && jit_is_xmm(c->vs[i].type) == xmm) {
            spill_item(c, i);
            break;
        }
    uint16_t *mask = xmm ? &c->xmm_free : &c->gpr_free;
    uint8_t r = (uint8_t)__builtin_ctz(*mask);
    *mask &= (uint16_t) ~(1u << r);
    return r;
}

void jit_push_v128(Comp *c, uint64_t lo, uint64_t hi) {
    jit_push_item(c, (VItem){K_CONST, T_V128, 0, 0, lo, hi});
}

static inline void push_local(Comp *c, uint32_t local) {
    c->local_refs[local]++;
    jit_push_item(c, (VItem){K_LOCAL, c->local_types[local], 0, local, 0, 0});
}

void jit_push_slot(Comp *c, uint8_t type) {
    jit_push_item(c, (VItem){K_SLOT, type, 0, 0, 0, 0});
}

static void load_mem(Comp *c, uint8_t type, uint8_t r, X64Mem m) {
    switch (type) {
    case T_I32: x64_load(&c->cb, (X64Reg)r, m, 4, false, false); break;
    case T_F32: x64_sse_rm(&c->cb, X64_MOVSS, r, m); break;
    case T_F64: x64_sse_rm(&c->cb, X64_MOVSD, r, m); break;
    case T_V128: x64_vec_rm(&c->cb, X64_MOVDQU, r, m); break;
    default: x64_load(&c->cb, (X64Reg)r, m, 8, false, true); break;
    }
}

void jit_mov_to_reg(Comp *c, uint8_t type, uint8_t dst, uint8_t src) {
    if (dst == src)
        return;
    if (jit_is_xmm(type))
        x64_sse_rr(&c->cb, X64_MOVAPS, dst, src);
    else
        x64_mov_rr(&c->cb, true, (X64Reg)dst, (X64Reg)src);
}

void jit_load_item(Comp *c, const VItem *it, uint8_t r) {
    switch (it->kind) {
    case K_CONST:
        if (it->type == T_V128) {
            jit_load_v128(c, r, it->c, it->c_hi);
        } else if (!jit_is_xmm(it->type)) {
            x64_mov_ri(&c->cb, (X64Reg)r, it->type == T_I32 ? (uint32_t)it->c : it->c);
        } else if (it->c == 0) {
            x64_sse_rr(&c->cb, X64_XORPS, r, r);
        } else {
            x64_mov_ri(&c->cb, J_SCRATCH, it->c);
            x64_movd_xr(&c->cb, it->type == T_F64, r, J_SCRATCH);
        }
        break;
    case K_LOCAL:
        if (c->pin[it->local] != X64_NOREG)
            jit_mov_to_reg(c, it->type, r, c->pin[it->local]);
        else
            load_mem(c, it->type, r, jit_local(c, it->local));
        break;
    case K_SLOT: load_mem(c, it->type, r, jit_slot(c, (uint32_t)(it - c->vs))); break;
    default: jit_mov_to_reg(c, it->type, r, it->reg); break;
    }
}

/* jit_pop_reg for an entry not in a register. */
uint8_t jit_pop_reg_slow(Comp *c, uint8_t *out_type) {
    uint32_t at = c->h - 1;
    VItem it = jit_pop(c);
    if (out_type)
        *out_type = it.type;
    if (it.kind == K_REG)
        return it.reg;
    uint8_t r = jit_alloc(c, jit_is_xmm(it.type));
    if (it.kind == K_SLOT)
        load_mem(c, it.type, r, jit_slot(c, at));
    else
        jit_load_item(c, &it, r);
    return r;
}

/* jit_pop_imm for a constant on top. */
bool jit_pop_imm_const(Comp *c, int32_t *out_imm) {
    const VItem *top = &c->vs[c->h - 1];
    if (jit_is_xmm(top->type) || top->type == T_V128)
        return false;
    int64_t v = top->type == T_I32 ? (int64_t)(int32_t)(uint32_t)top->c : (int64_t)top->c;
    if (v < INT32_MIN || v > INT32_MAX)
        return false;
    *out_imm = (int32_t)v;
    jit_pop(c);
    return true;
}

/* The v128 item's 16 bytes to memory m (through xmm15 from memory). */
static void store_v128(Comp *c, const VItem *it, uint32_t at, X64Mem m) {
    switch (it->kind) {
    case K_REG: x64_vec_mr(&c->cb, X64_MOVDQU_ST, m, it->reg); return;
    case K_CONST: /* from the constant pool (or pxor / pcmpeqd) */
        jit_load_v128(c, J_XSCRATCH, it->c, it->c_hi);
        x64_vec_mr(&c->cb, X64_MOVDQU_ST, m, J_XSCRATCH);
        return;
    case K_LOCAL:
        x64_vec_rm(&c->cb, X64_MOVDQU, J_XSCRATCH, jit_local(c, it->local));
        x64_vec_mr(&c->cb, X64_MOVDQU_ST, m, J_XSCRATCH);
        return;
    default: {
        X64Mem src = jit_slot(c, at);
        if (src.disp == m.disp && m.base == X64_RBP && m.index == X64_NOREG)
            return;
        x64_vec_rm(&c->cb, X64_MOVDQU, J_XSCRATCH, src);
        x64_vec_mr(&c->cb, X64_MOVDQU_ST, m, J_XSCRATCH);
        return;
    }
    }
}

/* A scalar (not v128) in register r to memory m: 8 bytes for integers. */
static void store_reg(Comp *c, uint8_t type, uint8_t r, X64Mem m) {
    if (type == T_F32)
        x64_movss_store(&c->cb, m, r, false);
    else if (type == T_F64)
        x64_movss_store(&c->cb, m, r, true);
    else
        x64_store(&c->cb, m, (X64Reg)r, 8);
}

/* Write an item (at height `at`, or any place) to memory m, 8 bytes for
 * integers, 16 for v128. */
static void store_item(Comp *c, const VItem *it, uint32_t at, X64Mem m) {
    if (it->kind == K_LOCAL && c->pin[it->local] != X64_NOREG) {
        VItem in_reg = {K_REG, it->type, c->pin[it->local], 0, 0, 0};
        store_item(c, &in_reg, at, m);
        return;
    }
    if (it->type == T_V128) {
        store_v128(c, it, at, m);
        return;
    }
    switch (it->kind) {
    case K_REG: store_reg(c, it->type, it->reg, m); return;
    case K_CONST: {
        uint64_t v = it->type == T_I32 || it->type == T_F32 ? (uint32_t)it->c : it->c;
        if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
            x64_store_imm(&c->cb, m, (int32_t)v, 8);
        } else {
            x64_mov_ri(&c->cb, J_SCRATCH, v);
            x64_store(&c->cb, m, J_SCRATCH, 8);
        }
        return;
    }
    case K_LOCAL:
        x64_load(&c->cb, J_SCRATCH, jit_local(c, it->local), 8, false, true);
        x64_store(&c->cb, m, J_SCRATCH, 8);
        return;
    default: {
        X64Mem src = jit_slot(c, at);
        if (src.disp == m.disp && m.base == X64_RBP && m.index == X64_NOREG)
            return;
        x64_load(&c->cb, J_SCRATCH, src, 8, false, true);
        x64_store(&c->cb, m, J_SCRATCH, 8);
        return;
    }
    }
}

static void spill_item(Comp *c, uint32_t i) {
    VItem *it = &c->vs[i];
    if (it->kind == K_SLOT)
        return;
    store_item(c, it, i, jit_slot(c, i));
    if (it->kind == K_REG)
        jit_free_reg(c, it->type, it->reg);
    if (it->kind == K_LOCAL)
        c->local_refs[it->local]--;
    it->kind = K_SLOT;
}

void jit_spill_item(Comp *c, uint32_t i) {
    spill_item(c, i);
}

void jit_spill_regs(Comp *c) {
    for (uint32_t i = 0; i < c->h; i++)
        if (c->vs[i].kind == K_REG)
            spill_item(c, i);
    jit_flush_locals(c);
}

void jit_spill_all(Comp *c) {
    for (uint32_t i = 0; i < c->h; i++)
        spill_item(c, i);
}

/* ---- register arguments of direct calls ----
 * A direct call (call or return_call of a defined function) passes the
 * first six integer arguments in rdi, rsi, rdx, rcx, r8, r9 and the first
 * six f32/f64 ones in xmm0..xmm5 as well as in the area, which stays every
 * argument's home (stack maps, landing pads and unpinned parameters read
 * it), so nothing but the callee's pinned parameters depends on them. Direct
 * calls enter at JFuncOut.entry; the function's start (func refs, the array
 * entry, other modules) first loads the registers the function reads (its
 * pinned parameters) from the area. */
static const uint8_t arg_gprs[6] = {X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9};

/* The register of the next parameter of type t; *g and *x count the integer
 * and f32/f64 parameters before it. */
static uint8_t next_arg_reg(uint8_t t, uint32_t *g, uint32_t *x) {
    if (t == T_V128)
        return X64_NOREG;
    if (jit_is_xmm(t))
        return *x < 6 ? (uint8_t)(*x)++ : X64_NOREG;
    return *g < 6 ? arg_gprs[(*g)++] : X64_NOREG;
}

/* ---- pinned locals ---- */

/* Whether pinned local l's register survives a C call (callee-saved GPRs). */
static bool pin_survives_c(const Comp *c, uint32_t l) {
    return !jit_is_xmm(c->local_types[l]) && !(J_PIN_VOLATILE & (1u << c->pin[l]));
}

/* Emit the pins' stores (reload: false) or loads for `all`: the same bytes
 * at every call of the function, so encoded once (JReplay). */
static void pin_moves(Comp *c, bool reload, bool all);

/* all: every written pin; else those a jit_call_c sequence has not
 * clobbered while setting up arguments (all but the volatile GPRs). */
static void flush_pins(Comp *c, bool all) {
    pin_moves(c, false, all);
}

static void encode_flush(Comp *c, bool all) {
    for (uint32_t k = 0; k < c->n_pinned; k++) {
        uint32_t l = c->pinned[k];
        if (!(c->pin_written & (1u << k)) ||
            (!all && !jit_is_xmm(c->local_types[l]) && !pin_survives_c(c, l)))
            continue;
        store_reg(c, c->local_types[l], c->pin[l], jit_local(c, l)); /* pins are scalars */
    }
}

void jit_flush_locals(Comp *c) {
    flush_pins(c, true);
}

/* all: every pin; else those a C call clobbers. */
static void reload_pins(Comp *c, bool all) {
    pin_moves(c, true, all);
}

static void encode_reload(Comp *c, bool all) {
    for (uint32_t k = 0; k < c->n_pinned; k++) {
        uint32_t l = c->pinned[k];
        if (all || !pin_survives_c(c, l))
            load_mem(c, c->local_types[l], c->pin[l], jit_local(c, l));
    }
}

/* Emit r's sequence: encode(c, arg) the first time, a copy after. */
static void replay(Comp *c, JReplay *r, void (*encode)(Comp *, bool), bool arg) {
    if (r->known) {
        x64_repeat(&c->cb, r->start, r->len);
        return;
    }
    r->start = c->cb.len;
    encode(c, arg);
    r->len = c->cb.len - r->start;
    r->known = !c->cb.failed;
}

static void pin_moves(Comp *c, bool reload, bool all) {
    if (c->n_pinned)
        replay(c, &c->pin_moves[reload][all], reload ? encode_reload : encode_flush, all);
}

void jit_reload_locals(Comp *c) {
    reload_pins(c, true);
}

/* Whether the frame word at rbp + disp is the slot of a pinned declared
 * local that is written: such a slot is stored by every flush before it is
 * ever read (reloads, libcall operands), so the prologue need not zero it. */
static bool slot_by_pin(const Comp *c, int32_t disp) {
    for (uint32_t k = 0; k < c->n_pinned; k++) {
        uint32_t l = c->pinned[k];
        if (l >= c->n_params && (c->pin_written & (1u << k)) && c->local_disp[l] == disp)
            return true;
    }
    return false;
}

/* ---- the scan before compiling ----
 * One pass over the body finds what the frame layout, the choice of pinned
 * locals and the prologue's zeroing ask: which kinds of instruction occur,
 * each local's weighted uses and deepest write, the weighted calls, and
 * which locals a read may see unassigned (definite assignment). */

/* What the scan looks at, per opcode, in one byte load. PW_HAND: the row's
 * stack effect is a hand rule ("*" in opcodes.def); every control
 * instruction, local access and call has one, so the scan's switch sees
 * only these rows, and a new control instruction cannot slip past it. */
enum { PW_FOREIGN = 1, PW_MEM = 2, PW_SIMD = 4, PW_TRY = 8, PW_HAND = 16 };
#define PW_BITS(name, prefix, imm, stack, feat)                                                    \
    (((feat) == FEAT_GC || (feat) == FEAT_EH || (feat) == FEAT_EH_LEGACY ? PW_FOREIGN : 0) |       \
     ((imm) == IMM_MEMARG || (imm) == IMM_MEMARG_LANE ? PW_MEM : 0) |                              \
     ((prefix) == 0xfd ? PW_SIMD : 0) | (OP_##name == OP_TRY ? PW_TRY : 0) |                       \
     ((stack)[0] == '*' ? PW_HAND : 0))
static const uint8_t pw_class[OP_COUNT] = {
#define OP(name, prefix, code, imm, stack, text, feat)                                             \
    [OP_##name] = (uint8_t)PW_BITS(name, prefix, imm, stack, feat),
#include "syntax/opcodes.def"
#undef OP
};
#undef PW_BITS

/* Definite assignment: a forward pass over the structured body with one
 * bit per local (1: assigned on every path to here). A label's state after
 * its end is the meet of the fall-through and every branch to it; a loop's
 * head needs nothing, since bits only get set along a path. Unreachable
 * code has every bit set. Exception handlers could see any state: functions
 * with try or try_table are not analysed. */
#define DA_MAX_WORDS (1u << 16)

typedef struct DefAssign {
    uint32_t nw;    /* 64-bit words per state */
    uint64_t *cur;  /* the state here */
    uint64_t *ends; /* per open control f: its end's state at 2f, its entry at 2f+1 */
    uint8_t *kinds; /* per open control: C_FUNC, C_BLOCK, C_LOOP, C_IF */
    uint32_t d;     /* open controls; 0: done, or not analysing */
} DefAssign;

/* A local.get inside a loop: weighed once every write is known. */
typedef struct LoopRead {
    uint32_t local, depth;
} LoopRead;

/* The scan's findings (in the function's arena). */
typedef struct BodyScan {
    uint8_t seen;        /* the union of pw_class over the body */
    bool direct;         /* a direct call of a defined function */
    bool analysed;       /* unset_read is the definite-assignment answer */
    uint32_t calls;      /* calls weighted by loop depth */
    uint32_t *w;         /* per local: weighted uses (LoopRead's still to add) */
    uint8_t *written;    /* per local: 1 + the deepest loop depth of a write (0: none) */
    LoopRead *reads;     /* reads inside loops */
    uint32_t n_reads;
    uint8_t *unset_read; /* per local: some read may see it unassigned */
    uint32_t *loop_ends; /* the open loops' end indices (popped at their end) */
    uint32_t depth;      /* open loops */
    DefAssign da;
} BodyScan;

static uint64_t *da_state(const DefAssign *a, uint32_t f, uint32_t which) {
    return a->ends + ((size_t)f * 2 + which) * a->nw;
}

static void da_meet(uint64_t *dst, const uint64_t *src, uint32_t nw) {
    for (uint32_t w = 0; w < nw; w++)
        dst[w] &= src[w];
}

static void da_branch(DefAssign *a, uint32_t depth) {
    uint32_t f = a->d - 1 - depth;
    if (f > 0 && a->kinds[f] != C_LOOP)
        da_meet(da_state(a, f, 0), a->cur, a->nw);
}

/* States are a word or two: plain loops beat calls to memset and memcpy. */
static void da_fill(uint64_t *dst, uint32_t nw) {
    for (uint32_t w = 0; w < nw; w++)
        dst[w] = UINT64_MAX;
}

static void da_copy(uint64_t *dst, const uint64_t *src, uint32_t nw) {
    for (uint32_t w = 0; w < nw; w++)
        dst[w] = src[w];
}

static void da_open(DefAssign *a, uint8_t kind) {
    a->kinds[a->d] = kind;
    da_fill(da_state(a, a->d, 0), a->nw);
    da_copy(da_state(a, a->d, 1), a->cur, a->nw);
    a->d++;
}

static void da_end(DefAssign *a) {
    uint32_t f = --a->d;
    if (a->kinds[f] == C_IF) /* no else arm: the condition's false path */
        da_meet(a->cur, da_state(a, f, 1), a->nw);
    if (a->kinds[f] != C_LOOP)
        da_meet(a->cur, da_state(a, f, 0), a->nw);
}

/* One instruction's control flow (local accesses: scan_get, scan_set);
 * false: not analysable (exception handling). */
static bool da_step(DefAssign *a, const Instr *in) {
    switch (in->op) {
    case OP_BLOCK: da_open(a, C_BLOCK); return true;
    case OP_LOOP: da_open(a, C_LOOP); return true;
    case OP_IF: da_open(a, C_IF); return true;
    case OP_ELSE:
        da_meet(da_state(a, a->d - 1, 0), a->cur, a->nw);
        da_copy(a->cur, da_state(a, a->d - 1, 1), a->nw);
        a->kinds[a->d - 1] = C_BLOCK;
        return true;
    case OP_END:
        if (a->d > 1)
            da_end(a);
        else
            a->d = 0;
        return true;
    case OP_BR_IF:
    case OP_BR_ON_NULL:
    case OP_BR_ON_NON_NULL: da_branch(a, in->imm.index); return true;
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL: da_branch(a, in->imm.cast.label); return true;
    case OP_BR_TABLE:
        for (uint32_t k = 0; k <= in->imm.br_table.n; k++)
            da_branch(a, in->imm.br_table.labels[k]);
        break;
    case OP_BR: da_branch(a, in->imm.index); break;
    case OP_RETURN:
    case OP_UNREACHABLE:
    case OP_THROW:
    case OP_THROW_REF:
    case OP_RETURN_CALL:
    case OP_RETURN_CALL_INDIRECT:
    case OP_RETURN_CALL_REF: break;
    case OP_TRY_TABLE:
    case OP_TRY:
    case OP_CATCH:
    case OP_CATCH_ALL:
    case OP_DELEGATE:
    case OP_RETHROW: return false;
    default: return true;
    }
    da_fill(a->cur, a->nw); /* the rest of the block is unreachable */
    return true;
}

/* The analysis's start: the parameters assigned, the function's frame
 * open. Functions without declared locals need none (nothing to skip);
 * false when out of memory. */
static bool da_init(const Comp *c, BodyScan *s) {
    uint32_t n_params = c->ft->n_params, n_all = n_params + c->code->n_locals;
    uint32_t max_d = c->code->max_depth + 2;
    DefAssign *a = &s->da;
    a->nw = (n_all + 63) / 64;
    s->analysed = (uint64_t)a->nw * (2 * (uint64_t)max_d + 1) <= DA_MAX_WORDS;
    if (!c->code->n_locals || !s->analysed)
        return true;
    a->cur = arena_calloc(c->arena, (size_t)a->nw * (2 * (size_t)max_d + 1), 8);
    a->kinds = arena_alloc(c->arena, max_d);
    if (!a->cur || !a->kinds)
        return false;
    a->ends = a->cur + a->nw;
    for (uint32_t l = 0; l < n_params; l++)
        a->cur[l / 64] |= 1ull << (l % 64);
    a->kinds[0] = C_FUNC;
    a->d = 1;
    return true;
}

/* Loop-depth weight of one use: 8^depth, up to depth 6. */
static uint32_t use_weight(uint32_t depth) {
    return 1u << (3 * (depth < 6 ? depth : 6));
}

static void add_weight(uint32_t *w, uint32_t x) {
    *w = *w + x < *w ? UINT32_MAX : *w + x;
}

/* A read outside loops weighs 1; inside one it waits for the writes
 * (weigh_loop_reads). */
static inline void scan_get(BodyScan *s, uint32_t l, uint32_t depth) {
    if (depth)
        s->reads[s->n_reads++] = (LoopRead){l, depth};
    else
        add_weight(&s->w[l], 1);
    if (s->da.d && !(s->da.cur[l / 64] >> (l % 64) & 1))
        s->unset_read[l] = 1;
}

static inline void scan_set(BodyScan *s, uint32_t l, uint32_t depth) {
    uint8_t d = (uint8_t)(depth < 254 ? depth + 1 : 255);
    if (s->written[l] < d)
        s->written[l] = d;
    add_weight(&s->w[l], use_weight(depth));
    if (s->da.d)
        s->da.cur[l / 64] |= 1ull << (l % 64);
}

/* Instruction i, one with a hand stack rule (PW_HAND). */
static void scan_instr(const Comp *c, BodyScan *s, const Instr *in, uint32_t i) {
    switch (in->op) {
    case OP_LOCAL_GET: scan_get(s, in->imm.index, s->depth); return;
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE: scan_set(s, in->imm.index, s->depth); return;
    case OP_LOOP: s->loop_ends[s->depth++] = in->imm.block.end; break;
    case OP_END: /* loops end with an end (never a delegate) */
        if (s->depth && s->loop_ends[s->depth - 1] == i)
            s->depth--;
        break;
    case OP_CALL:
    case OP_RETURN_CALL:
        if (in->imm.index >= c->mod->n_func_imports)
            s->direct = true;
        if (in->op == OP_CALL) /* each costs a pinned local a reload */
            add_weight(&s->calls, use_weight(s->depth));
        break;
    case OP_CALL_INDIRECT:
    case OP_CALL_REF: add_weight(&s->calls, use_weight(s->depth)); break;
    default: break;
    }
    if (s->da.d && !da_step(&s->da, in)) {
        s->da.d = 0;
        s->analysed = false;
    }
}

/* The scan of c's body into c->scan; false when out of memory. */
static bool scan_body(Comp *c) {
    const Code *code = c->code;
    size_t n_all = (size_t)c->ft->n_params + code->n_locals + 1;
    BodyScan *s = c->scan = arena_calloc(c->arena, 1, sizeof *s);
    if (!s)
        return false;
    s->w = arena_calloc(c->arena, n_all, sizeof *s->w);
    s->written = arena_calloc(c->arena, n_all, 1);
    s->unset_read = arena_calloc(c->arena, n_all, 1);
    s->reads = arena_alloc(c->arena, ((size_t)code->n_instrs + 1) * sizeof *s->reads);
    s->loop_ends = arena_alloc(c->arena, ((size_t)code->max_depth + 2) * sizeof *s->loop_ends);
    if (!s->w || !s->written || !s->unset_read || !s->reads || !s->loop_ends || !da_init(c, s))
        return false;
    const Instr *instrs = code->instrs;
    uint32_t n = code->n_instrs;
    uint8_t seen = 0;
    for (uint32_t i = 0; i < n; i++) {
        const Instr *in = &instrs[i];
        uint8_t k = pw_class[in->op];
        seen |= k;
        if (!(k & PW_HAND))
            continue;
        /* the most frequent: no call, no switch (da_step ignores them) */
        if (in->op == OP_LOCAL_GET)
            scan_get(s, in->imm.index, s->depth);
        else if (in->op == OP_LOCAL_SET || in->op == OP_LOCAL_TEE)
            scan_set(s, in->imm.index, s->depth);
        else
            scan_instr(c, s, in, i);
    }
    s->seen = seen;
    return true;
}

/* Numeric declared locals (not v128) that no read can see unassigned: the
 * prologue need not zero them, since no stack map or landing pad reads a
 * numeric unpinned slot. Marks them in skip[word] (word j = the frame word
 * at rbp - 24 - 8j). */
static void assigned_words(const Comp *c, uint8_t *skip, uint32_t words) {
    uint32_t n_all = c->n_params + c->n_locals;
    for (uint32_t l = c->n_params; l < n_all; l++) {
        uint8_t t = c->local_types[l];
        uint32_t j = (uint32_t)(-24 - c->local_disp[l]) / 8;
        if (!c->scan->unset_read[l] && t != T_REF && t != T_V128 && j < words)
            skip[j] = 1;
    }
}

/* The frame words the prologue need not zero (skip[word], as in
 * assigned_words): with the analysis, the locals no read sees unassigned;
 * without, the numeric declared locals (not v128) whose first access is a
 * local.set or local.tee in the body's opening straight-line code (before
 * the first block, loop, if or try). Either way also the slots slot_by_pin
 * names. */
static void zero_free_words(const Comp *c, uint8_t *skip, uint32_t words) {
    uint32_t n_all = c->n_params + c->n_locals;
    bool analysed = c->scan->analysed;
    if (analysed)
        assigned_words(c, skip, words);
    uint8_t *seen = analysed ? NULL : arena_calloc(c->arena, (size_t)n_all + 1, 1);
    const Code *code = c->code;
    for (uint32_t i = 0; seen && i < code->n_instrs; i++) { /* no memory: zero all */
        const Instr *in = &code->instrs[i];
        uint8_t imm = op_info[in->op].imm;
        if (imm == IMM_BLOCK || imm == IMM_TRY_TABLE)
            break;
        if (in->op != OP_LOCAL_GET && in->op != OP_LOCAL_SET && in->op != OP_LOCAL_TEE)
            continue;
        uint32_t l = in->imm.index;
        if (seen[l])
            continue;
        seen[l] = 1;
        uint8_t t = c->local_types[l];
        if (in->op != OP_LOCAL_GET && l >= c->n_params && t != T_REF && t != T_V128) {
            uint32_t j = (uint32_t)(-24 - c->local_disp[l]) / 8;
            if (j < words)
                skip[j] = 1;
        }
    }
    for (uint32_t j = 0; j < words; j++)
        skip[j] |= slot_by_pin(c, -24 - 8 * (int32_t)j);
}

/* Entry values of the pinned locals: parameters from their argument
 * registers (regs: at a direct entry) or the area, declared locals zero.
 * Parameters come first, and one whose register an earlier move overwrote
 * is read from the area. */
static void init_pins(Comp *c, bool regs) {
    uint32_t g = 0, x = 0, written = 0;
    for (uint32_t l = 0; l < c->n_params; l++) {
        uint8_t t = c->local_types[l], r = c->pin[l];
        uint8_t a = next_arg_reg(t, &g, &x);
        if (r == X64_NOREG)
            continue;
        uint32_t bit = 1u << (r + (jit_is_xmm(t) ? 16 : 0));
        if (regs && a != X64_NOREG && !(written & (1u << (a + (jit_is_xmm(t) ? 16 : 0))))) {
            if (a != r)
                jit_mov_to_reg(c, t, r, a);
        } else {
            load_mem(c, t, r, jit_local(c, l));
        }
        written |= bit;
    }
    for (uint32_t k = 0; k < c->n_pinned; k++) {
        uint32_t l = c->pinned[k];
        uint8_t r = c->pin[l];
        if (l < c->n_params)
            continue;
        else if (jit_is_xmm(c->local_types[l]))
            x64_sse_rr(&c->cb, X64_XORPS, r, r);
        else
            x64_alu_rr(&c->cb, X64_XOR, false, (X64Reg)r, (X64Reg)r);
    }
}

/* Add the reads inside loops to the weights, now that every write is known.
 * A read inside a loop of a local no loop that deep writes (a loop
 * invariant: a base pointer, a bound) weighs a quarter: unpinned, it is a
 * load folded into its use, off the loop's dependency chains, while a local
 * written in the loop costs a store and a store-forwarded reload on the
 * chain through it. */
static void weigh_loop_reads(const BodyScan *s) {
    for (uint32_t k = 0; k < s->n_reads; k++) {
        LoopRead r = s->reads[k];
        uint32_t x = use_weight(r.depth);
        add_weight(&s->w[r.local], s->written[r.local] <= r.depth ? x / 4 : x);
    }
}

/* The up to n heaviest locals of the class (GPR or XMM) worth pinning,
 * heaviest first, in one pass; returns how many. A pin costs a reload after
 * each call (weighted `calls`) and, if written, a store before it: its
 * weighted uses must outweigh that. */
static uint32_t heaviest(const Comp *c, const uint32_t *w, const uint8_t *written, bool xmm,
                         uint32_t calls, uint32_t *top, uint32_t n) {
    uint32_t n_top = 0, n_all = c->n_params + c->n_locals;
    for (uint32_t l = 0; l < n_all; l++) {
        uint8_t t = c->local_types[l];
        uint64_t cost = (uint64_t)calls * (written[l] ? 2 : 1);
        if (w[l] <= (cost > 2 ? cost : 2) || t == T_REF || t == T_V128 || jit_is_xmm(t) != xmm)
            continue;
        if (n_top == n && w[top[n - 1]] >= w[l])
            continue;
        uint32_t k = n_top < n ? n_top++ : n - 1;
        while (k && w[top[k - 1]] < w[l]) {
            top[k] = top[k - 1];
            k--;
        }
        top[k] = l;
    }
    return n_top;
}

static void pin_class(Comp *c, const uint32_t *w, const uint8_t *written, bool xmm,
                      const uint8_t *regs, uint32_t n_regs, uint32_t calls) {
    uint32_t top[J_MAX_PINS];
    uint32_t n = heaviest(c, w, written, xmm, calls, top, n_regs);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t l = top[k];
        c->pin[l] = regs[k];
        if (written[l])
            c->pin_written |= (uint16_t)(1u << c->n_pinned);
        c->pinned[c->n_pinned++] = l;
        if (xmm)
            c->xmm_free &= (uint16_t) ~(1u << regs[k]);
        else
            c->gpr_free &= (uint16_t) ~(1u << regs[k]);
    }
}

/* Choose the locals to keep in registers for the whole function: the
 * heaviest ones whose weighted uses outweigh the reloads after calls. */
static void choose_pins(Comp *c) {
    static const uint8_t xmms[J_MAX_PIN_XMM] = {13, 12, 11, 10, 9, 8};
    const BodyScan *s = c->scan;
    weigh_loop_reads(s);
    bool mem_access = s->seen & PW_MEM;
    if (!mem_access) /* no loads or stores: r14 need not hold memory 0's base */
        c->guarded0 = false;
    if (!mem_access && !s->direct) /* nor pass it to a direct callee */
        c->keep_mem0 = false;
    /* callee-saved first; r14 when memory 0 does not take it; the volatile
     * r8, r9, rdi, rsi only where every C call is one of ours (flushed by
     * jit_spill_regs before its arguments are set up) */
    uint8_t gprs[J_MAX_PIN_GPR] = {X64_RBX, X64_R12, X64_R13}, n_gprs = 3;
    if (!c->keep_mem0)
        gprs[n_gprs++] = X64_R14;
    if (!(s->seen & PW_FOREIGN)) {
        gprs[n_gprs++] = X64_R8;
        gprs[n_gprs++] = X64_R9;
        gprs[n_gprs++] = X64_RDI;
        gprs[n_gprs++] = X64_RSI;
    }
    pin_class(c, s->w, s->written, false, gprs, n_gprs, s->calls);
    pin_class(c, s->w, s->written, true, xmms, J_MAX_PIN_XMM, s->calls);
}

/* ---- fuel and epochs ---- */

static void fuel_flush(Comp *c) {
    if (c->fuel_pos)
        x64_patch32(&c->cb, c->fuel_pos, c->fuel_count ? c->fuel_count : 1);
    c->fuel_pos = 0;
}

static void fuel_block(Comp *c) {
    if (!c->fuel)
        return;
    fuel_flush(c);
    x64_load(&c->cb, J_SCRATCH, x64_mem(J_VMCTX, offsetof(VMContext, fuel)), 8, false, true);
    /* sub qword [r11], imm32 (always the 4-byte form: patched later) */
    x64_byte(&c->cb, 0x49);
    x64_byte(&c->cb, 0x81);
    x64_byte(&c->cb, 0x2B);
    c->fuel_pos = c->cb.len;
    x64_u32(&c->cb, 1);
    c->fuel_count = 0;
    x64_jcc(&c->cb, X64_S, jit_stub(c, TRAP_OUT_OF_FUEL));
}

static void epoch_check(Comp *c) {
    if (!c->epoch)
        return;
    x64_load(&c->cb, J_SCRATCH, x64_mem(J_VMCTX, offsetof(VMContext, engine_epoch)), 8, false,
             true);
    x64_load(&c->cb, J_SCRATCH, x64_mem(J_SCRATCH, 0), 8, false, true);
    x64_load(&c->cb, J_SCRATCH2, x64_mem(J_VMCTX, offsetof(VMContext, epoch_deadline)), 8, false,
             true);
    x64_alu_rm(&c->cb, X64_CMP, true, J_SCRATCH, x64_mem(J_SCRATCH2, 0));
    x64_jcc(&c->cb, X64_AE, jit_stub(c, TRAP_INTERRUPT));
}

/* ---- frame ---- */

static void load_mem0(Comp *c) {
    if (!c->keep_mem0)
        return;
    x64_load(&c->cb, J_MEM0, x64_mem(J_VMCTX, (int32_t)c->rm->offsets.memories), 8, false, true);
    x64_load(&c->cb, J_MEM0, x64_mem(J_MEM0, offsetof(RtMemory, base)), 8, false, true);
}

static void encode_context(Comp *c, bool keep_mem0) {
    x64_load(&c->cb, J_VMCTX, x64_mem(X64_RBP, -8), 8, false, true);
    if (keep_mem0)
        x64_load(&c->cb, J_MEM0, x64_mem(X64_RBP, -16), 8, false, true);
}

/* r15 from the frame, and r14 from the copy of memory 0's base the
 * prologue keeps at [rbp - 16] (one load; guarded bases never move). */
static void reload_context(Comp *c) {
    replay(c, &c->context_moves, encode_context, c->keep_mem0);
}

/* The function's start: r14 (keep_mem0) and, with regs, the pinned
 * parameters' argument registers from the area (rsp points at the return
 * address); then the direct entry, where r14 already holds memory 0's base
 * (keep_mem0: every function of the module keeps it there at its calls). */
static void general_entry(Comp *c, bool regs) {
    uint32_t g = 0, x = 0;
    load_mem0(c);
    for (uint32_t l = 0; regs && l < c->n_params; l++) {
        uint8_t t = c->local_types[l];
        uint8_t a = next_arg_reg(t, &g, &x);
        if (a != X64_NOREG && c->pin[l] != X64_NOREG)
            load_mem(c, t, a, x64_mem(X64_RSP, 8 + area_disp(c->ft->params, l, c->k_bytes)));
    }
    c->entry = c->cb.len;
}

static void prologue(Comp *c) {
    CodeBuf *cb = &c->cb;
    uint32_t words = c->local_bytes / 8, needed = 0;
    uint8_t *skip = c->zero_skip = arena_calloc(c->arena, (size_t)words + 1, 1);
    if (!skip)
        longjmp(c->fail, 1);
    zero_free_words(c, skip, words);
    for (uint32_t j = 0; j < words && needed <= 8; j++)
        needed += !skip[j];
    bool regs = needed <= 8; /* rep stos takes rdi, rcx */
    general_entry(c, regs);
    x64_push(cb, X64_RBP);
    x64_mov_rr(cb, true, X64_RBP, X64_RSP);
    x64_lea(cb, true, J_SCRATCH, x64_mem(X64_RSP, -c->frame));
    X64Mem limit = {X64_NOREG, X64_NOREG, 1, true, c->tls_limit};
    x64_alu_rm(cb, X64_CMP, true, J_SCRATCH, limit);
    x64_jcc(cb, X64_B, jit_stub(c, TRAP_STACK_OVERFLOW));
    x64_mov_rr(cb, true, X64_RSP, J_SCRATCH);
    x64_store(cb, x64_mem(X64_RBP, -8), J_VMCTX, 8);
    if (needed <= 8) {
        for (uint32_t j = 0; j < words; j++)
            if (!skip[j])
                x64_store_imm(cb, x64_mem(X64_RBP, -24 - 8 * (int32_t)j), 0, 8);
    } else {
        x64_lea(cb, true, X64_RDI, x64_mem(X64_RBP, -16 - (int32_t)c->local_bytes));
        x64_mov_ri(cb, X64_RCX, words);
        x64_alu_rr(cb, X64_XOR, false, X64_RAX, X64_RAX);
        x64_rep_stosq(cb);
    }
    init_pins(c, regs);
    if (c->keep_mem0)
        x64_store(cb, x64_mem(X64_RBP, -16), J_MEM0, 8);
    epoch_check(c);
    fuel_block(c);
}

/* ---- control ---- */

static void block_sig(Comp *c, const BlockType *bt, uint32_t *np, const ValType **params,
                      uint32_t *nr, const ValType **results) {
    *np = *nr = 0;
    *params = *results = NULL;
    if (bt->kind == BLOCK_VALUE) {
        *nr = 1;
        *results = &bt->value;
    } else if (bt->kind == BLOCK_INDEX) {
        const FuncType *ft = &c->mod->types[bt->index].func;
        *np = ft->n_params;
        *params = ft->params;
        *nr = ft->n_results;
        *results = ft->results;
    }
}


static JCtrl *push_ctrl(Comp *c, uint8_t kind, const Instr *in) {
    uint32_t np, nr;
    const ValType *params, *results;
    block_sig(c, &in->imm.block.type, &np, &params, &nr, &results);
    JCtrl *ctl = &c->cs[c->depth++];
    *ctl = (JCtrl){.kind = kind,
                   .base = c->h - np,
                   .n_params = np,
                   .n_results = nr,
                   .params = params,
                   .results = results,
                   .label = x64_label(&c->cb),
                   .end_index = in->imm.block.end};
    return ctl;
}

static JCtrl *label_at(Comp *c, uint32_t depth) {
    return &c->cs[c->depth - 1 - depth];
}

static uint32_t arity(const JCtrl *t) {
    return t->kind == C_LOOP ? t->n_params : t->n_results;
}

static void reset_stack(Comp *c, uint32_t base, uint32_t n, const ValType *types) {
    while (c->h > base) {
        VItem it = jit_pop(c);
        if (it.kind == K_REG)
            jit_free_reg(c, it.type, it.reg);
    }
    for (uint32_t k = 0; k < n; k++)
        jit_push_slot(c, (uint8_t)jit_type(types[k]));
}

/* Results to the caller's slots, then leave. The `n` results are the entries
 * below the top `skip`. */
/* Whether a function of type ft also returns its result in rax (one
 * integer or reference result; see jit_int.h). */
static bool rax_result(const FuncType *ft) {
    return jit_rax_result(ft);
}

static void emit_return(Comp *c, uint32_t skip) {
    uint32_t n = c->ft->n_results, first = c->h - skip - n;
    if (rax_result(c->ft)) { /* in rax alone (jit_int.h) */
        const VItem *it = &c->vs[first];
        if (it->kind == K_SLOT)
            load_mem(c, it->type, X64_RAX, jit_slot(c, first));
        else
            jit_load_item(c, it, X64_RAX);
        n = 0;
    }
    /* a result read from a parameter must not be overwritten first */
    for (uint32_t k = 0; k < n; k++)
        if (c->vs[first + k].kind == K_LOCAL && c->vs[first + k].local < c->n_params)
            spill_item(c, first + k);
    for (uint32_t k = 0; k < n; k++)
        store_item(c, &c->vs[first + k], first + k, result_place(c, k));
    x64_mov_rr(&c->cb, true, X64_RSP, X64_RBP);
    x64_pop(&c->cb, X64_RBP);
    x64_ret(&c->cb);
}

/* Copy the label's values (the n entries below the top `skip`, all in slots)
 * into the label's slots. */
static void branch_moves(Comp *c, const JCtrl *t, uint32_t skip) {
    uint32_t n = arity(t), first = c->h - skip - n, off = c->soff[t->base];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t w = jit_width(c->vs[first + k].type);
        store_item(c, &c->vs[first + k], first + k, jit_slot_at(c, off, w));
        off += w;
    }
}

static bool in_place(const Comp *c, const JCtrl *t, uint32_t skip) {
    uint32_t n = arity(t);
    if (n == 0)
        return true;
    uint32_t first = c->h - skip - n;
    for (uint32_t k = 0; k < n; k++)
        if (c->vs[first + k].kind != K_SLOT)
            return false;
    return first == t->base;
}

static void jump_to(Comp *c, JCtrl *t, uint32_t skip) {
    if (t->kind == C_FUNC) {
        emit_return(c, skip);
        return;
    }
    branch_moves(c, t, skip);
    t->targeted = true;
    x64_jmp(&c->cb, t->label);
}

/* Branch to label `depth` when cc holds (flags set; entries all in slots). */
static void branch_if(Comp *c, uint32_t depth, X64Cond cc, uint32_t skip) {
    JCtrl *t = label_at(c, depth);
    if (t->kind != C_FUNC && in_place(c, t, skip)) {
        t->targeted = true;
        x64_jcc(&c->cb, cc, t->label);
        return;
    }
    uint32_t skip_label = x64_label(&c->cb);
    x64_jcc(&c->cb, x64_cond_not(cc), skip_label);
    jump_to(c, t, skip);
    x64_bind(&c->cb, skip_label);
}

/* Pop the condition of br_if / if (fusing a preceding-compare is done by the
 * caller) and spill: returns the condition for "true". */
static X64Cond pop_cond(Comp *c) {
    uint8_t p;
    if (jit_pop_pinned(c, &p)) {
        jit_spill_all(c);
        x64_test_rr(&c->cb, false, (X64Reg)p, (X64Reg)p);
        return X64_NE;
    }
    uint8_t r = jit_pop_reg(c, NULL);
    jit_spill_all(c);
    x64_test_rr(&c->cb, false, (X64Reg)r, (X64Reg)r);
    jit_free_reg(c, T_I32, r);
    return X64_NE;
}

static void do_br_if(Comp *c, uint32_t depth, X64Cond cc) {
    branch_if(c, depth, cc, 0);
}

void jit_branch_if(Comp *c, uint32_t depth, X64Cond cc) {
    branch_if(c, depth, cc, 0);
}

void jit_br(Comp *c, uint32_t depth) {
    jump_to(c, label_at(c, depth), 0);
}

JCtrl *jit_push_block(Comp *c, const Instr *in) {
    return push_ctrl(c, C_BLOCK, in);
}

static void do_end(Comp *c);

void jit_end(Comp *c) {
    do_end(c);
}

void jit_reload_context(Comp *c) {
    reload_context(c);
    jit_reload_locals(c);
}

void jit_fuel_block(Comp *c) {
    fuel_block(c);
}

static void do_if(Comp *c, const Instr *in, X64Cond cc) {
    JCtrl *t = push_ctrl(c, C_IF, in);
    t->else_label = x64_label(&c->cb);
    x64_jcc(&c->cb, x64_cond_not(cc), t->else_label);
}

static void do_else(Comp *c, const Instr *in) {
    JCtrl *t = &c->cs[c->depth - 1];
    if (!t->unreachable) {
        jit_spill_all(c);
        t->targeted = true;
        x64_jmp(&c->cb, t->label);
    }
    x64_bind(&c->cb, t->else_label);
    t->has_else = true;
    reset_stack(c, t->base, t->n_params, t->params);
    t->unreachable = false;
    t->end_index = in->imm.index;
    fuel_block(c);
}

static void do_end(Comp *c) {
    JCtrl *t = &c->cs[c->depth - 1];
    if (t->kind == C_FUNC) {
        if (!t->unreachable)
            emit_return(c, 0);
        c->depth--;
        return;
    }
    bool reach = !t->unreachable;
    if (reach)
        jit_spill_all(c);
    bool targeted = t->targeted || (t->kind == C_IF && !t->has_else);
    if (t->kind != C_LOOP)
        x64_bind(&c->cb, t->label);
    if (t->kind == C_IF && !t->has_else)
        x64_bind(&c->cb, t->else_label);
    reset_stack(c, t->base, t->n_results, t->results);
    c->depth--;
    if (t->kind == C_LOOP)
        targeted = false; /* branches to a loop go to its head */
    if (!reach && !targeted)
        c->cs[c->depth - 1].unreachable = true;
    else if (targeted)
        fuel_block(c);
}

static void do_br_table(Comp *c, const Instr *in) {
    CodeBuf *cb = &c->cb;
    uint8_t idx = jit_pop_reg(c, NULL);
    jit_spill_all(c);
    uint32_t n = in->imm.br_table.n;
    uint32_t *targets = arena_alloc(c->arena, ((size_t)n + 1) * sizeof *targets);
    if (!targets)
        longjmp(c->fail, 1);
    for (uint32_t k = 0; k <= n; k++) {
        JCtrl *t = label_at(c, in->imm.br_table.labels[k]);
        if (t->kind != C_FUNC && in_place(c, t, 0)) {
            t->targeted = true;
            targets[k] = t->label;
        } else {
            targets[k] = x64_label(cb); /* a stub below */
        }
    }
    uint32_t table = x64_label(cb);
    x64_alu_ri(cb, X64_CMP, false, (X64Reg)idx, (int32_t)n);
    x64_mov_ri(cb, J_SCRATCH, n);
    x64_cmov(cb, X64_A, true, (X64Reg)idx, J_SCRATCH);
    x64_lea_label(cb, J_SCRATCH2, table);
    x64_load(cb, J_SCRATCH, x64_mem_idx(J_SCRATCH2, (X64Reg)idx, 4, 0), 4, true, true);
    x64_alu_rr(cb, X64_ADD, true, J_SCRATCH, J_SCRATCH2);
    x64_jmp_r(cb, J_SCRATCH);
    jit_free_reg(c, T_I32, idx);
    x64_bind(cb, table);
    uint32_t base = cb->len;
    for (uint32_t k = 0; k <= n; k++)
        x64_label_field(cb, targets[k], base);
    for (uint32_t k = 0; k <= n; k++) {
        if (x64_bound(cb, targets[k]) || targets[k] == label_at(c, in->imm.br_table.labels[k])->label)
            continue;
        x64_bind(cb, targets[k]);
        jump_to(c, label_at(c, in->imm.br_table.labels[k]), 0);
    }
}

/* br_on_null (branch if null, dropping it) / br_on_non_null (branch with it). */
static void do_br_on_null(Comp *c, uint32_t depth, bool on_null) {
    jit_spill_all(c);
    x64_alu_mi(&c->cb, X64_CMP, true, jit_slot(c, c->h - 1), 0);
    if (on_null) {
        branch_if(c, depth, X64_E, 1);
    } else {
        branch_if(c, depth, X64_NE, 0);
        jit_pop(c);
    }
}

/* ---- calls ---- */

/* Everything in registers to slots, the arguments (top n) in their slots. */
static void call_prepare(Comp *c, uint32_t n) {
    jit_spill_regs(c); /* flushes the pinned locals */
    for (uint32_t i = c->h - n; i < c->h; i++)
        spill_item(c, i);
}

/* Bytes of a signature's argument/result area: max(params, results). */
static uint32_t k_of(const FuncType *ft) {
    uint32_t p = types_bytes(ft->n_params, ft->params);
    uint32_t r = types_bytes(ft->n_results, ft->results);
    return p > r ? p : r;
}

/* rbp displacement of the lowest byte of the area of a call whose n
 * arguments are the top entries. */
static int32_t call_area_disp(const Comp *c, const FuncType *ft) {
    return slot_disp(c, c->soff[c->h - ft->n_params], k_of(ft));
}

static void set_call_rsp(Comp *c, const FuncType *ft) {
    x64_lea(&c->cb, true, X64_RSP, x64_mem(X64_RBP, call_area_disp(c, ft)));
}

static void finish_call(Comp *c, const FuncType *ft) {
    for (uint32_t i = 0; i < ft->n_params; i++)
        jit_pop(c);
    if (rax_result(ft)) { /* in rax alone */
        uint8_t t = (uint8_t)jit_type(ft->results[0]);
        if (c->gpr_free & (1u << X64_RAX)) {
            c->gpr_free &= (uint16_t) ~(1u << X64_RAX);
            jit_push_reg(c, t, X64_RAX);
        } else {
            jit_push_slot(c, t);
            x64_store(&c->cb, jit_slot(c, c->h - 1), X64_RAX, 8);
        }
        return;
    }
    for (uint32_t j = 0; j < ft->n_results; j++)
        jit_push_slot(c, (uint8_t)jit_type(ft->results[j]));
}

/* Move the n arguments (in slots) over our own incoming area, put the return
 * address below them and restore the caller's rbp: the callee then returns
 * straight to our caller. */
static void tail_frame(Comp *c, const FuncType *ft) {
    CodeBuf *cb = &c->cb;
    uint32_t n = ft->n_params, k = k_of(ft);
    uint32_t bytes = types_bytes(n, ft->params);
    int32_t top = 16 + (int32_t)c->k_bytes; /* our area's end */
    int32_t src_top = slot_disp(c, c->soff[c->h - n], 0);
    x64_load(cb, X64_RAX, x64_mem(X64_RBP, 8), 8, false, true);
    x64_load(cb, X64_RCX, x64_mem(X64_RBP, 0), 8, false, true);
    /* the same layout moved up: copy 8-byte words, highest first */
    for (uint32_t w = 1; w <= bytes / 8; w++) {
        x64_load(cb, J_SCRATCH, x64_mem(X64_RBP, src_top - 8 * (int32_t)w), 8, false, true);
        x64_store(cb, x64_mem(X64_RBP, top - 8 * (int32_t)w), J_SCRATCH, 8);
    }
    x64_lea(cb, true, X64_RSP, x64_mem(X64_RBP, top - (int32_t)k));
    x64_push(cb, X64_RAX);
    x64_mov_rr(cb, true, X64_RBP, X64_RCX);
}

/* Call the FuncRef in r10 (not null): native code directly, anything else
 * through jit_call_array. */
static void call_ref(Comp *c, const FuncType *ft, bool tail) {
    CodeBuf *cb = &c->cb;
    uint32_t slow = x64_label(cb), done = x64_label(cb);
    uint32_t safepoint = jit_safepoint_begin(c);
    x64_mov_ri(cb, J_SCRATCH, (uint64_t)(uintptr_t)jit_array_entry);
    x64_alu_rm(cb, X64_CMP, true, J_SCRATCH, x64_mem(J_SCRATCH2, offsetof(FuncRef, array_call)));
    x64_jcc(cb, X64_NE, slow);
    x64_load(cb, J_VMCTX, x64_mem(J_SCRATCH2, offsetof(FuncRef, vmctx)), 8, false, true);
    if (tail) {
        tail_frame(c, ft);
        x64_load(cb, J_SCRATCH2, x64_mem(J_SCRATCH2, offsetof(FuncRef, native)), 8, false, true);
        x64_jmp_r(cb, J_SCRATCH2);
    } else {
        set_call_rsp(c, ft);
        x64_call_m(cb, x64_mem(J_SCRATCH2, offsetof(FuncRef, native)));
        x64_jmp(cb, done);
    }
    x64_bind(cb, slow);
    x64_mov_rr(cb, true, X64_RDI, J_SCRATCH2);
    x64_mov_rr(cb, true, X64_RSI, J_VMCTX);
    x64_lea(cb, true, X64_RDX, x64_mem(X64_RBP, call_area_disp(c, ft)));
    x64_mov_ri(cb, X64_RCX, (uint64_t)(uintptr_t)ft);
    x64_mov_rr(cb, true, X64_R8, X64_RBP);
    jit_call_c(c, (const void *)jit_call_array);
    if (rax_result(ft)) /* native callees return it in rax too */
        load_mem(c, (uint8_t)jit_type(ft->results[0]), X64_RAX,
                 x64_mem(X64_RBP, call_area_disp(c, ft) + area_disp(ft->results, 0, k_of(ft))));
    x64_bind(cb, done);
    jit_safepoint_end(c, safepoint);
    jit_restore_rsp(c);
    reload_context(c);
    jit_reload_locals(c);
    finish_call(c, ft);
    if (tail) {
        emit_return(c, 0);
        c->cs[c->depth - 1].unreachable = true;
    }
}

/* A register argument of a direct call: the entry as it was before
 * call_prepare spilled it, its height, its register. */
typedef struct ArgMove {
    VItem it;
    uint32_t at;
    uint8_t dst;
} ArgMove;

static uint32_t capture_args(const Comp *c, const FuncType *ft, ArgMove *m) {
    uint32_t g = 0, x = 0, n = 0, first = c->h - ft->n_params;
    for (uint32_t i = 0; i < ft->n_params && g + x < 12; i++) {
        uint8_t a = next_arg_reg((uint8_t)jit_type(ft->params[i]), &g, &x);
        if (a != X64_NOREG)
            m[n++] = (ArgMove){c->vs[first + i], first + i, a};
    }
    return n;
}

/* The argument registers, after jit_spill_regs: from the registers the
 * values were in (spilling keeps them) unless an earlier move overwrote one,
 * else from the locals' frame slots or the operand slots. */
static void move_args(Comp *c, const ArgMove *m, uint32_t n) {
    uint32_t written = 0;
    for (uint32_t k = 0; k < n; k++) {
        const VItem *it = &m[k].it;
        uint32_t cls = jit_is_xmm(it->type) ? 16 : 0;
        uint8_t src = it->kind == K_REG     ? it->reg
                      : it->kind == K_LOCAL ? c->pin[it->local]
                                            : X64_NOREG;
        if (it->kind == K_CONST)
            jit_load_item(c, it, m[k].dst);
        else if (src != X64_NOREG && !(written & (1u << (src + cls))))
            jit_mov_to_reg(c, it->type, m[k].dst, src);
        else if (it->kind == K_LOCAL) /* its frame slot: flushed if pinned */
            load_mem(c, it->type, m[k].dst, jit_local(c, it->local));
        else
            load_mem(c, it->type, m[k].dst, jit_slot(c, m[k].at));
        written |= 1u << (m[k].dst + cls);
    }
}

/* After tail_frame: the argument registers from the callee's area. */
static void tail_args(Comp *c, const FuncType *ft) {
    uint32_t g = 0, x = 0, k = k_of(ft);
    for (uint32_t i = 0; i < ft->n_params && g + x < 12; i++) {
        uint8_t t = (uint8_t)jit_type(ft->params[i]);
        uint8_t a = next_arg_reg(t, &g, &x);
        if (a != X64_NOREG)
            load_mem(c, t, a, x64_mem(X64_RSP, 8 + area_disp(ft->params, i, k)));
    }
}

/* Whether the code after a call can skip reloading r15, r14 and the pinned
 * locals: the next instruction returns (returns: the caller saw it), no
 * entry below the arguments is a pending read of a pinned local, and none of
 * the results is pinned either (emit_return reads only rax and slots). */
static bool reload_dead(const Comp *c, const FuncType *ft, bool returns) {
    if (!returns)
        return false;
    for (uint32_t i = 0; i < c->h - ft->n_params; i++)
        if (jit_is_pinned_read(c, i))
            return false;
    return true;
}

/* call_prepare for a direct call: the argument registers are filled before
 * their arguments are spilled, so a local or a constant goes to its register
 * once and from there to its slot. The arguments without a register are
 * spilled first: a pinned local among them may live in an argument register. */
static void prepare_direct(Comp *c, const FuncType *ft, const ArgMove *m, uint32_t n) {
    uint32_t k = 0;
    jit_spill_regs(c); /* flushes the pinned locals */
    for (uint32_t i = c->h - ft->n_params; i < c->h; i++) {
        if (k < n && m[k].at == i)
            k++;
        else
            spill_item(c, i);
    }
    move_args(c, m, n);
    for (k = 0; k < n; k++) {
        VItem *it = &c->vs[m[k].at];
        if (it->kind == K_SLOT)
            continue;
        VItem in_reg = {K_REG, it->type, m[k].dst, 0, 0, 0};
        store_item(c, &in_reg, m[k].at, jit_slot(c, m[k].at));
        if (it->kind == K_LOCAL)
            c->local_refs[it->local]--;
        it->kind = K_SLOT;
    }
}

static void do_call(Comp *c, uint32_t func, bool tail, bool returns) {
    const FuncType *ft = ir_func_type(c->mod, func);
    uint32_t safepoint = 0;
    ArgMove moves[12];
    uint32_t n_moves = capture_args(c, ft, moves);
    if (func >= c->mod->n_func_imports && !tail)
        prepare_direct(c, ft, moves, n_moves);
    else
        call_prepare(c, ft->n_params);
    if (func < c->mod->n_func_imports) {
        x64_load(&c->cb, J_SCRATCH2,
                 x64_mem(J_VMCTX, (int32_t)(c->rm->offsets.funcs + 8 * func)), 8, false, true);
        call_ref(c, ft, tail);
        return;
    }
    c->relocs = jit_grow(c, c->relocs, &c->cap_relocs, c->n_relocs + 1, sizeof *c->relocs);
    if (tail) {
        tail_frame(c, ft);
        tail_args(c, ft);
        x64_byte(&c->cb, 0xE9);
    } else {
        safepoint = jit_safepoint_begin(c);
        set_call_rsp(c, ft);
        x64_byte(&c->cb, 0xE8);
    }
    c->relocs[c->n_relocs++] = (JCallReloc){c->cb.len, func};
    x64_u32(&c->cb, 0);
    if (!tail)
        jit_safepoint_end(c, safepoint);
    if (tail) {
        c->cs[c->depth - 1].unreachable = true;
        return;
    }
    /* a callee may have tail-called into another instance */
    jit_restore_rsp(c);
    if (!reload_dead(c, ft, returns)) {
        reload_context(c);
        jit_reload_locals(c);
    }
    finish_call(c, ft);
}

/* The callee's FuncRef into r10 from the operand on top (an index into a
 * table, or a reference), with the spec's checks. */
static void do_call_indirect(Comp *c, const Instr *in, bool tail) {
    CodeBuf *cb = &c->cb;
    uint32_t type = in->imm.pair.x, table = in->imm.pair.y;
    const FuncType *ft = &c->mod->types[type].func;
    uint8_t idx = jit_pop_reg(c, NULL);
    call_prepare(c, ft->n_params);
    if (!c->mod->tables[table].type.limits.is64)
        x64_mov_rr(cb, false, (X64Reg)idx, (X64Reg)idx);
    x64_load(cb, J_SCRATCH2, x64_mem(J_VMCTX, (int32_t)(c->rm->offsets.tables + 8 * table)), 8,
             false, true);
    x64_alu_rm(cb, X64_CMP, true, (X64Reg)idx, x64_mem(J_SCRATCH2, offsetof(RtTable, size)));
    x64_jcc(cb, X64_AE, jit_stub(c, TRAP_UNDEFINED_ELEMENT));
    x64_load(cb, J_SCRATCH2, x64_mem(J_SCRATCH2, offsetof(RtTable, elems)), 8, false, true);
    x64_load(cb, J_SCRATCH2, x64_mem_idx(J_SCRATCH2, (X64Reg)idx, 8, 0), 8, false, true);
    x64_test_rr(cb, true, J_SCRATCH2, J_SCRATCH2);
    x64_jcc(cb, X64_E, jit_stub_index(c, TRAP_UNINITIALIZED_ELEMENT, idx));
    jit_free_reg(c, T_I64, idx);
    uint32_t canon = c->rm->canon_types[type], ok = x64_label(cb);
    x64_alu_mi(cb, X64_CMP, false, x64_mem(J_SCRATCH2, offsetof(FuncRef, type)), (int32_t)canon);
    x64_jcc(cb, X64_E, ok);
    X64Mem save = jit_slot_at(c, c->soff[c->h], 8); /* the index's slot, free now */
    x64_store(cb, save, J_SCRATCH2, 8);
    x64_mov_rr(cb, true, X64_RDI, J_VMCTX);
    x64_load(cb, X64_RSI, x64_mem(J_SCRATCH2, offsetof(FuncRef, type)), 4, false, false);
    x64_mov_ri(cb, X64_RDX, canon);
    jit_call_c(c, (const void *)rt_lib_IS_SUBTYPE);
    x64_test_rr(cb, false, X64_RAX, X64_RAX);
    x64_jcc(cb, X64_E, jit_stub(c, TRAP_INDIRECT_TYPE));
    x64_load(cb, J_SCRATCH2, save, 8, false, true);
    x64_bind(cb, ok);
    call_ref(c, ft, tail);
}

static void do_call_ref(Comp *c, const Instr *in, bool tail) {
    const FuncType *ft = &c->mod->types[in->imm.index].func;
    uint32_t at = c->h - 1;
    VItem ref = jit_pop(c);
    call_prepare(c, ft->n_params);
    if (ref.kind == K_SLOT)
        x64_load(&c->cb, J_SCRATCH2, jit_slot(c, at), 8, false, true);
    else
        jit_load_item(c, &ref, J_SCRATCH2);
    if (ref.kind == K_REG)
        jit_free_reg(c, ref.type, ref.reg);
    x64_test_rr(&c->cb, true, J_SCRATCH2, J_SCRATCH2);
    x64_jcc(&c->cb, X64_E, jit_stub(c, TRAP_NULL_FUNC_REF));
    call_ref(c, ft, tail);
}

/* ---- variables ---- */

/* Entry i, a pending local read, into a register of its own (a slot when
 * it is a v128: registers are scarcer there). */
static void read_to_reg(Comp *c, uint32_t i) {
    VItem *it = &c->vs[i];
    if (it->type == T_V128) {
        spill_item(c, i);
        return;
    }
    uint8_t r = jit_alloc(c, jit_is_xmm(it->type));
    jit_load_item(c, it, r);
    c->local_refs[it->local]--;
    it->kind = K_REG;
    it->reg = r;
}

static void local_set(Comp *c, uint32_t local, bool tee) {
    uint32_t at = c->h - 1;
    VItem it = jit_pop(c);
    if (it.kind == K_LOCAL && it.local == local) {
        if (tee)
            push_local(c, local);
        return;
    }
    if (c->local_refs[local]) /* pending reads keep the old value: into registers */
        for (uint32_t i = 0; i < c->h; i++)
            if (c->vs[i].kind == K_LOCAL && c->vs[i].local == local)
                read_to_reg(c, i);
    uint8_t pin = c->pin[local];
    if (tee && pin == X64_NOREG && (it.kind == K_SLOT || it.kind == K_LOCAL) &&
        it.type != T_V128) { /* the value stays in a register for its next use */
        uint8_t r = jit_alloc(c, jit_is_xmm(it.type));
        if (it.kind == K_SLOT)
            load_mem(c, it.type, r, jit_slot(c, at));
        else
            jit_load_item(c, &it, r);
        it.kind = K_REG;
        it.reg = r;
    }
    if (pin != X64_NOREG) {
        if (it.kind == K_SLOT)
            load_mem(c, it.type, pin, jit_slot(c, at));
        else
            jit_load_item(c, &it, pin);
    } else {
        store_item(c, &it, at, jit_local(c, local));
    }
    if (tee && it.kind == K_REG) {
        jit_push_reg(c, it.type, it.reg);
        return;
    }
    if (it.kind == K_REG)
        jit_free_reg(c, it.type, it.reg);
    if (tee)
        push_local(c, local);
}

static void global_op(Comp *c, const Instr *in) {
    uint32_t g = in->imm.index;
    JType type = jit_type(c->mod->globals[g].type.type);
    x64_load(&c->cb, J_SCRATCH, x64_mem(J_VMCTX, (int32_t)(c->rm->offsets.globals + 8 * g)), 8,
             false, true);
    if (in->op == OP_GLOBAL_GET) {
        uint8_t r = jit_alloc(c, jit_is_xmm(type));
        load_mem(c, type, r, x64_mem(J_SCRATCH, 0));
        jit_push_reg(c, type, r);
        return;
    }
    uint8_t r = jit_pop_reg(c, NULL);
    if (type == T_F32) {
        x64_movd_rx(&c->cb, false, J_SCRATCH2, r);
        x64_store(&c->cb, x64_mem(J_SCRATCH, 0), J_SCRATCH2, 8);
    } else if (type == T_F64) {
        x64_movss_store(&c->cb, x64_mem(J_SCRATCH, 0), r, true);
    } else if (type == T_V128) {
        x64_vec_mr(&c->cb, X64_MOVDQU_ST, x64_mem(J_SCRATCH, 0), r);
    } else {
        x64_store(&c->cb, x64_mem(J_SCRATCH, 0), (X64Reg)r, 8);
    }
    jit_free_reg(c, type, r);
}

static void do_select(Comp *c) {
    uint8_t cond = jit_pop_reg(c, NULL);
    uint8_t type;
    uint8_t b = jit_pop_reg(c, &type);
    uint8_t a = jit_pop_reg(c, NULL);
    x64_test_rr(&c->cb, false, (X64Reg)cond, (X64Reg)cond);
    if (jit_is_xmm(type)) {
        uint32_t keep = x64_label(&c->cb);
        x64_jcc(&c->cb, X64_NE, keep);
        x64_sse_rr(&c->cb, X64_MOVAPS, a, b);
        x64_bind(&c->cb, keep);
    } else {
        x64_cmov(&c->cb, X64_E, true, (X64Reg)a, (X64Reg)b);
    }
    jit_free_reg(c, T_I32, cond);
    jit_free_reg(c, type, b);
    jit_push_reg(c, type, a);
}

static void ref_op(Comp *c, const Instr *in) {
    if (in->op == OP_REF_NULL) {
        jit_push_const(c, T_REF, 0);
    } else if (in->op == OP_REF_FUNC) {
        uint8_t r = jit_alloc(c, false);
        x64_load(&c->cb, (X64Reg)r,
                 x64_mem(J_VMCTX, (int32_t)(c->rm->offsets.funcs + 8 * in->imm.index)), 8, false,
                 true);
        jit_push_reg(c, T_REF, r);
    } else if (in->op == OP_REF_IS_NULL) {
        uint8_t r = jit_pop_reg(c, NULL);
        x64_test_rr(&c->cb, true, (X64Reg)r, (X64Reg)r);
        x64_setcc(&c->cb, X64_E, (X64Reg)r);
        x64_movzx_r8(&c->cb, (X64Reg)r, (X64Reg)r);
        jit_push_reg(c, T_I32, r);
    } else { /* ref.as_non_null */
        uint8_t r = jit_pop_reg(c, NULL);
        x64_test_rr(&c->cb, true, (X64Reg)r, (X64Reg)r);
        x64_jcc(&c->cb, X64_E, jit_stub(c, TRAP_NULL_REF));
        jit_push_reg(c, T_REF, r);
    }
}

/* ---- the instruction switch ---- */

/* The instruction's code starts here: its pc map entry, its offset for
 * stubs. */
static void at_instr(Comp *c, const Instr *in) {
    c->wasm_offset = in->offset;
    pc_record(c, in->offset);
}

/* `local.get a; local.get x; iNN.add|sub; local.set|tee b` on pinned GPR
 * locals of one type (a, b checked by pinned_add): add/sub in place when
 * a == b, else lea (add only). */
static bool pinned_add_local(Comp *c, const Instr *in, uint32_t a, uint32_t b) {
    uint32_t x = in[1].imm.index;
    uint8_t ra = c->pin[a], rb = c->pin[b], rx = c->pin[x];
    if (rx == X64_NOREG || c->local_types[x] != c->local_types[a])
        return false;
    bool w = c->local_types[a] == T_I64;
    bool add = in[2].op == (w ? OP_I64_ADD : OP_I32_ADD);
    if (!add && (in[2].op != (w ? OP_I64_SUB : OP_I32_SUB) || a != b))
        return false;
    at_instr(c, in);
    if (a == b)
        x64_alu_rr(&c->cb, add ? X64_ADD : X64_SUB, w, (X64Reg)rb, (X64Reg)rx);
    else
        x64_lea(&c->cb, w, (X64Reg)rb, x64_mem_idx((X64Reg)ra, (X64Reg)rx, 1, 0));
    if (in[3].op == OP_LOCAL_TEE)
        push_local(c, b);
    return true;
}

/* `local.get a; iNN.const k | local.get x; iNN.add|sub; local.set|tee b` with a and b
 * pinned GPR locals: one add or lea on the pins. Returns the instructions
 * consumed (0: not the pattern). */
static uint32_t pinned_add(Comp *c, const Instr *in, uint32_t left) {
    if (left < 4 || in[0].op != OP_LOCAL_GET)
        return 0;
    uint32_t a = in[0].imm.index, b = in[3].imm.index;
    if (in[3].op != OP_LOCAL_SET && in[3].op != OP_LOCAL_TEE)
        return 0;
    uint8_t ra = c->pin[a], rb = c->pin[b], t = c->local_types[a];
    if (ra == X64_NOREG || rb == X64_NOREG || jit_is_xmm(t) || t != c->local_types[b] ||
        c->local_refs[b])
        return 0;
    bool w = t == T_I64;
    int64_t k;
    if (in[1].op == OP_LOCAL_GET)
        return pinned_add_local(c, in, a, b) ? 4 : 0;
    if (in[1].op == (w ? OP_I64_CONST : OP_I32_CONST))
        k = w ? in[1].imm.i64 : (int64_t)in[1].imm.i32;
    else
        return 0;
    if (in[2].op == (w ? OP_I64_SUB : OP_I32_SUB))
        k = -k;
    else if (in[2].op != (w ? OP_I64_ADD : OP_I32_ADD))
        return 0;
    if (k < INT32_MIN + 1 || k > INT32_MAX)
        return 0;
    at_instr(c, in);
    if (a == b)
        x64_alu_ri(&c->cb, X64_ADD, w, (X64Reg)rb, (int32_t)k);
    else
        x64_lea(&c->cb, w, (X64Reg)rb, x64_mem((X64Reg)ra, (int32_t)k));
    if (in[3].op == OP_LOCAL_TEE)
        push_local(c, b);
    return 4;
}

/* compare / and (/ and + eqz) fused with the br_if or if that follows (an
 * eqz is never last: an end follows, so next[1] exists). Returns how many
 * instructions after `in` it consumed, 0 when there is nothing to fuse. */
static uint32_t lower_fused_branch(Comp *c, const Instr *in, const Instr *next) {
    if (next->op != OP_BR_IF && next->op != OP_IF && next->op != OP_I32_EQZ &&
        next->op != OP_I64_EQZ) /* most instructions: nothing to fuse, decided at once */
        return 0;
    bool and_op = in->op == OP_I32_AND || in->op == OP_I64_AND, negate = false;
    if (and_op && next->op == (in->op == OP_I32_AND ? OP_I32_EQZ : OP_I64_EQZ) &&
        (next[1].op == OP_BR_IF || next[1].op == OP_IF)) {
        negate = true;
        next++;
    }
    if ((next->op != OP_BR_IF && next->op != OP_IF) || (!and_op && !jit_fusable_cmp(in->op)))
        return 0;
    X64Cond cc = and_op ? jit_emit_test(c, in->op == OP_I64_AND) : jit_emit_cmp(c, in->op);
    if (negate)
        cc = x64_cond_not(cc);
    jit_spill_all(c);
    c->wasm_offset = next->offset;
    if (next->op == OP_BR_IF) {
        do_br_if(c, next->imm.index, cc);
    } else {
        JCtrl *t = push_ctrl(c, C_IF, next);
        t->else_label = x64_label(&c->cb);
        x64_jcc(&c->cb, x64_cond_not(cc), t->else_label);
    }
    return negate ? 2 : 1;
}

/* An instruction without a hand stack rule (numeric, memory, SIMD; never
 * control flow): `in` and, when it fuses them, the instructions after it
 * (*extra of them). *claimed: false when none of these lowerers takes it. */
static bool lower_value(Comp *c, const Instr *in, const Instr *next, uint32_t *extra,
                        bool *claimed) {
    *claimed = true;
    if (next && (*extra = lower_fused_branch(c, in, next)))
        return true;
    if (c->nan_canon && jit_canon_lower(c, in))
        return true;
    if (!(pw_class[in->op] & PW_MEM) && jit_lower_numeric(c, in)) /* it takes no memory access */
        return true;
    if (jit_lower_memory(c, in))
        return true;
    if (op_info[in->op].prefix == 0xfd)
        return jit_lower_simd(c, in);
    *claimed = false;
    return true;
}

/* local.get: a pending read, or the start of a pinned add (*extra: the
 * instructions after it that fused). */
static void lower_local_get(Comp *c, const Instr *in, uint32_t left, uint32_t *extra) {
    uint32_t fused = pinned_add(c, in, left);
    if (fused)
        *extra = fused - 1;
    else
        push_local(c, in->imm.index);
}

/* `in` and, when it fuses them, the instructions after it (*extra of them;
 * `left`: the instructions from `in` to the body's end). local.get and the
 * constants only push an entry, emitting no code, so they take no pc map
 * entry: the instruction after them records the same position, which would
 * take the entry over anyway (pc_record); a pinned add records itself. */
static bool lower_instr(Comp *c, const Instr *in, uint32_t left, uint32_t *extra) {
    if (in->op == OP_LOCAL_GET) { /* the most frequent: no switch */
        lower_local_get(c, in, left, extra);
        return true;
    }
    const Instr *next = left > 1 ? in + 1 : NULL;
    switch (in->op) { /* the next most frequent first (compile speed) */
    case OP_I32_CONST: jit_push_const(c, T_I32, (uint32_t)in->imm.i32); return true;
    case OP_I64_CONST: jit_push_const(c, T_I64, (uint64_t)in->imm.i64); return true;
    case OP_F32_CONST: jit_push_const(c, T_F32, in->imm.f32); return true;
    case OP_F64_CONST: jit_push_const(c, T_F64, in->imm.f64); return true;
    case OP_LOCAL_SET:
        at_instr(c, in);
        if (next && next->op == OP_LOCAL_GET && next->imm.index == in->imm.index) {
            local_set(c, in->imm.index, true); /* local.set x; local.get x = local.tee x */
            *extra = 1;
            return true;
        }
        local_set(c, in->imm.index, false);
        return true;
    case OP_LOCAL_TEE:
        at_instr(c, in);
        local_set(c, in->imm.index, true);
        return true;
    default: break;
    }
    at_instr(c, in);
    if (!(pw_class[in->op] & PW_HAND)) {
        bool claimed, ok = lower_value(c, in, next, extra, &claimed);
        if (claimed)
            return ok;
    }
    JCtrl *top = &c->cs[c->depth - 1];
    switch (in->op) {
    case OP_NOP: return true;
    case OP_UNREACHABLE:
        x64_jmp(&c->cb, jit_stub(c, TRAP_UNREACHABLE));
        top->unreachable = true;
        return true;
    case OP_BLOCK:
    case OP_LOOP: {
        jit_spill_all(c);
        JCtrl *t = push_ctrl(c, in->op == OP_BLOCK ? C_BLOCK : C_LOOP, in);
        if (!t)
            return false;
        if (in->op == OP_LOOP) {
            x64_bind(&c->cb, t->label);
            epoch_check(c);
            fuel_block(c);
        }
        return true;
    }
    case OP_IF: {
        X64Cond cc = pop_cond(c);
        do_if(c, in, cc);
        return true;
    }
    case OP_ELSE: do_else(c, in); return true;
    case OP_END:
        jit_eh_end(c);
        do_end(c);
        return true;
    case OP_BR:
        jit_spill_all(c);
        jump_to(c, label_at(c, in->imm.index), 0);
        top->unreachable = true;
        return true;
    case OP_BR_IF: do_br_if(c, in->imm.index, pop_cond(c)); return true;
    case OP_BR_TABLE:
        do_br_table(c, in);
        top->unreachable = true;
        return true;
    case OP_RETURN:
        emit_return(c, 0);
        top->unreachable = true;
        return true;
    case OP_CALL:
    case OP_RETURN_CALL: {
        bool returns = next && (next->op == OP_RETURN || (next->op == OP_END && c->depth == 1));
        do_call(c, in->imm.index, in->op == OP_RETURN_CALL, returns);
        return true;
    }
    case OP_CALL_INDIRECT:
    case OP_RETURN_CALL_INDIRECT:
    case OP_CALL_REF:
    case OP_RETURN_CALL_REF: {
        bool ind = in->op == OP_CALL_INDIRECT || in->op == OP_RETURN_CALL_INDIRECT;
        bool tail = in->op == OP_RETURN_CALL_INDIRECT || in->op == OP_RETURN_CALL_REF;
        if (ind)
            do_call_indirect(c, in, tail);
        else
            do_call_ref(c, in, tail);
        return true;
    }
    case OP_DROP: {
        VItem it = jit_pop(c);
        if (it.kind == K_REG)
            jit_free_reg(c, it.type, it.reg);
        return true;
    }
    case OP_SELECT_T:
    case OP_SELECT: do_select(c); return true;
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET: global_op(c, in); return true;
    case OP_REF_NULL:
    case OP_REF_FUNC:
    case OP_REF_IS_NULL:
    case OP_REF_AS_NON_NULL: ref_op(c, in); return true;
    case OP_BR_ON_NULL:
    case OP_BR_ON_NON_NULL: do_br_on_null(c, in->imm.index, in->op == OP_BR_ON_NULL); return true;
    default: /* memory.copy and the table instructions have hand rules too */
        return jit_lower_memory(c, in) || jit_lower_gc(c, in) || jit_lower_eh(c, in);
    }
}

/* ---- the constant pool ---- */

uint32_t jit_const(Comp *c, uint64_t lo, uint64_t hi) {
    for (uint32_t i = 0; i < c->n_consts; i++)
        if (c->consts[i].lo == lo && c->consts[i].hi == hi)
            return c->consts[i].label;
    c->consts = scratch_grow(c, c->consts, &c->cap_consts, c->n_consts + 1, sizeof *c->consts);
    uint32_t label = x64_label(&c->cb);
    c->consts[c->n_consts++] = (JConst){lo, hi, label};
    return label;
}

static void emit_consts(Comp *c) {
    if (!c->n_consts)
        return;
    while (c->cb.len % 16)
        x64_byte(&c->cb, 0xCC);
    for (uint32_t i = 0; i < c->n_consts; i++) {
        x64_bind(&c->cb, c->consts[i].label);
        x64_u64(&c->cb, c->consts[i].lo);
        x64_u64(&c->cb, c->consts[i].hi);
    }
}

/* ---- stubs and the driver ---- */

/* One stub's code: the trap code (or eax) and the frame to jit_trap. */
static void encode_stub(Comp *c, const JStub *s) {
    CodeBuf *cb = &c->cb;
    if (s->code == UINT32_MAX)
        x64_mov_rr(cb, false, X64_RDI, X64_RAX);
    else
        x64_mov_ri(cb, X64_RDI, s->code);
    x64_mov_rr(cb, true, X64_RSI, X64_RBP);
    if (s->index_reg != X64_NOREG)
        x64_mov_rr(cb, true, X64_RDX, (X64Reg)s->index_reg);
    x64_alu_ri(cb, X64_AND, true, X64_RSP, -16);
    x64_mov_ri(cb, X64_RAX,
               (uint64_t)(uintptr_t)(s->index_reg != X64_NOREG ? (const void *)jit_trap_index
                                                                : (const void *)jit_trap));
    x64_call_r(cb, X64_RAX);
    x64_ud2(cb);
}

/* The stubs, after the body. Stubs of one trap code without an index are
 * the same bytes (no relative operands): encoded once, then copied. */
static void emit_stubs(Comp *c) {
    JReplay same[TRAP_COUNT] = {{0, 0, false}};
    for (uint32_t i = 0; i < c->n_stubs; i++) {
        const JStub *s = &c->stubs[i];
        x64_bind(&c->cb, s->label);
        pc_record(c, s->wasm);
        JReplay *r = s->code < TRAP_COUNT && s->index_reg == X64_NOREG ? &same[s->code] : NULL;
        if (r && r->known) {
            x64_repeat(&c->cb, r->start, r->len);
            continue;
        }
        uint32_t start = c->cb.len;
        encode_stub(c, s);
        if (r)
            *r = (JReplay){start, c->cb.len - start, !c->cb.failed};
    }
}

static bool compile_body(Comp *c) {
    const Code *code = c->code;
    /* about 6 bytes of code and one pc entry per wasm instruction */
    x64_reserve(&c->cb, code->n_instrs * 6u + 256);
    c->pcs = jit_grow(c, c->pcs, &c->cap_pcs, code->n_instrs + 16, sizeof *c->pcs);
    c->pc_last = UINT32_MAX;
    JCtrl *f = &c->cs[c->depth++];
    *f = (JCtrl){.kind = C_FUNC,
                 .n_results = c->ft->n_results,
                 .results = c->ft->results,
                 .label = x64_label(&c->cb),
                 .end_index = code->n_instrs - 1};
    pc_record(c, code->offset);
    prologue(c);
    const Instr *instrs = code->instrs;
    uint32_t n = code->n_instrs;
    for (uint32_t i = 0; i < n && c->depth; i++) {
        const Instr *in = &instrs[i];
        JCtrl *top = &c->cs[c->depth - 1];
        if (top->unreachable && i < top->end_index) {
            i = top->end_index - 1;
            continue;
        }
        c->fuel_count++;
        uint32_t extra = 0;
        if (!lower_instr(c, in, n - i, &extra))
            return false;
        i += extra;
        c->fuel_count += extra;
    }
    fuel_flush(c);
    emit_stubs(c);
    emit_consts(c);
    return true;
}

/* A function this tier does not run (GC, exceptions): it traps. */
static void compile_unsupported(Comp *c) {
    x64_reset(&c->cb);
    memset(c->pin_moves, 0, sizeof c->pin_moves); /* their first copies are gone */
    c->context_moves.known = false;
    c->entry = 0;
    jit_gc_comp_free(c);
    c->n_pcs = c->n_traps = c->n_relocs = c->n_stubs = c->n_consts = 0;
    c->pc_last = UINT32_MAX;
    c->wasm_offset = c->code->offset;
    pc_record(c, c->code->offset);
    x64_push(&c->cb, X64_RBP);
    x64_mov_rr(&c->cb, true, X64_RBP, X64_RSP);
    x64_jmp(&c->cb, jit_stub(c, TRAP_UNSUPPORTED));
    emit_stubs(c);
}

static bool types_v128(uint32_t n, const ValType *types) {
    for (uint32_t i = 0; i < n; i++)
        if (types[i].kind == VK_V128)
            return true;
    return false;
}

/* Whether the operand stack may hold a v128 (then slots are sized 16 bytes):
 * a v128 in the signature or locals, any SIMD instruction, or v128 anywhere
 * in the module's types or globals. Conservative: it only sizes the frame. */
static bool module_v128(const Module *mod) {
    for (uint32_t t = 0; t < mod->n_types; t++) {
        const SubType *st = &mod->types[t];
        if (st->kind == COMP_FUNC && (types_v128(st->func.n_params, st->func.params) ||
                                      types_v128(st->func.n_results, st->func.results)))
            return true;
    }
    for (uint32_t g = 0; g < mod->n_globals; g++)
        if (mod->globals[g].type.type.kind == VK_V128)
            return true;
    return false;
}

static bool uses_v128(const Comp *c, JScratch *s, uint8_t body) {
    if (types_v128(c->ft->n_params, c->ft->params) ||
        types_v128(c->ft->n_results, c->ft->results))
        return true;
    for (uint32_t g = 0; g < c->code->n_local_groups; g++)
        if (c->code->local_groups[g].type.kind == VK_V128)
            return true;
    if (s->v128_of != c->mod) {
        s->v128 = module_v128(c->mod);
        s->v128_of = c->mod;
    }
    return s->v128 || (body & PW_SIMD) != 0;
}

static Err setup(Comp *c, JScratch *s, const RtModule *module, uint32_t index) {
    const Module *mod = module->ir;
    c->rm = module;
    c->mod = mod;
    c->ft = ir_func_type(mod, index);
    c->code = &mod->funcs[index].code;
    c->n_params = c->ft->n_params;
    c->k_bytes = k_of(c->ft);
    const EngineConfig *cfg = &module->engine->config;
    c->fuel = cfg->consume_fuel;
    c->epoch = cfg->epoch_interruption;
    c->nan_canon = cfg->nan_canonicalization;
    c->guarded0 = mod->n_memories && rt_memory_guarded(cfg, &mod->memories[0].type);
    c->keep_mem0 = c->guarded0;
    c->tls_limit = jit_stack_limit_tls_offset();
    c->ext = jit_cpu()->simd_ext;
    c->gpr_free = GPR_ALLOCATABLE;
    c->xmm_free = XMM_ALLOCATABLE;
    uint64_t n_locals = c->code->n_locals, local_bytes = 0;
    for (uint32_t g = 0; g < c->code->n_local_groups; g++)
        local_bytes += (uint64_t)c->code->local_groups[g].count *
                       jit_width((uint8_t)jit_type(c->code->local_groups[g].type));
    if (!scan_body(c))
        return ERR_NOMEM;
    uint8_t body = c->scan->seen;
    if (body & PW_TRY) /* legacy try's exnrefs, after the locals */
        local_bytes += jit_eh_hidden_bytes(c->code);
    uint64_t slot = uses_v128(c, s, body) ? 16 : 8;
    uint64_t frame = 24 + local_bytes + slot * (c->code->max_stack + 1);
    if (frame > (1u << 28))
        return ERR_LIMIT;
    c->n_locals = (uint32_t)n_locals;
    c->local_bytes = (uint32_t)local_bytes;
    c->frame = (int32_t)((frame + 15) & ~(uint64_t)15);
    uint64_t n_all = c->n_params + n_locals;
    Arena *a = c->arena;
    c->local_types = arena_alloc(a, n_all + 1);
    c->local_disp = arena_alloc(a, (n_all + 1) * sizeof *c->local_disp);
    c->local_refs = arena_calloc(a, n_all + 1, sizeof *c->local_refs);
    c->pin = arena_alloc(a, n_all + 1);
    c->vs = arena_alloc(a, ((size_t)c->code->max_stack + 2) * sizeof *c->vs);
    c->soff = arena_calloc(a, (size_t)c->code->max_stack + 3, sizeof *c->soff);
    c->cs = arena_alloc(a, ((size_t)c->code->max_depth + 2) * sizeof *c->cs);
    if (!c->local_types || !c->local_disp || !c->local_refs || !c->pin || !c->vs || !c->soff ||
        !c->cs)
        return ERR_NOMEM;
    memset(c->pin, X64_NOREG, n_all + 1);
    for (uint32_t i = 0; i < c->n_params; i++) {
        c->local_types[i] = (uint8_t)jit_type(c->ft->params[i]);
        c->local_disp[i] = 16 + area_disp(c->ft->params, i, c->k_bytes);
    }
    uint32_t at = c->n_params;
    int32_t disp = -16;
    for (uint32_t g = 0; g < c->code->n_local_groups; g++)
        for (uint32_t k = 0; k < c->code->local_groups[g].count; k++) {
            uint8_t t = (uint8_t)jit_type(c->code->local_groups[g].type);
            disp -= (int32_t)jit_width(t);
            c->local_types[at] = t;
            c->local_disp[at++] = disp;
        }
    choose_pins(c);
    return OK;
}


/* The arena's first chunk, the one arena_reset keeps: room for the scratch
 * of most functions, so that they allocate nothing (freed and allocated
 * again per function, larger chunks cost page faults as well as malloc). */
#define SCRATCH_CHUNK (64 * 1024)

JScratch *jit_scratch_new(void) {
    JScratch *s = mem_calloc(1, sizeof *s); /* no buffers yet, no module seen */
    if (!s)
        return NULL;
    arena_init(&s->arena);
    x64_init(&s->cb);
    if (!arena_alloc(&s->arena, SCRATCH_CHUNK)) {
        mem_free(s);
        return NULL;
    }
    arena_reset(&s->arena);
    return s;
}

void jit_scratch_delete(JScratch *s) {
    if (!s)
        return;
    arena_fini(&s->arena);
    x64_fini(&s->cb);
    mem_free(s->pcs);
    mem_free(s->traps);
    mem_free(s->relocs);
    mem_free(s);
}

/* The buffers the compile takes from the scratch. */
static void comp_init(Comp *c, JScratch *s) {
    c->arena = &s->arena;
    c->cb = s->cb;
    c->pcs = s->pcs;
    c->cap_pcs = s->cap_pcs;
    c->traps = s->traps;
    c->cap_traps = s->cap_traps;
    c->relocs = s->relocs;
    c->cap_relocs = s->cap_relocs;
}

/* Back to the scratch: the buffers (emptied, for the next function) and
 * the arena, reset. */
static void comp_free(Comp *c, JScratch *s) {
    x64_reset(&c->cb);
    s->cb = c->cb;
    s->pcs = c->pcs;
    s->cap_pcs = c->cap_pcs;
    s->traps = c->traps;
    s->cap_traps = c->cap_traps;
    s->relocs = c->relocs;
    s->cap_relocs = c->cap_relocs;
    jit_gc_comp_free(c);
    arena_reset(&s->arena);
}

/* out->code owns the block take_outputs put pcs, traps and relocs in. */
void jit_func_out_free(JFuncOut *out) {
    mem_free(out->code);
    jit_gc_out_free(out);
    memset(out, 0, sizeof *out);
}

/* `bytes` from src to *at, which then moves on by `room` (>= bytes). */
static void *copy_out(uint8_t **at, const void *src, size_t bytes, size_t room) {
    void *dst = *at;
    if (bytes)
        memcpy(dst, src, bytes);
    *at += room;
    return dst;
}

/* The code, pc map, trap table and call relocations out of the scratch, at
 * their exact sizes, in one block (the code first, padded to 8 bytes). */
static bool take_outputs(Comp *c, JFuncOut *out) {
    size_t code = ((size_t)c->cb.len + 7) & ~(size_t)7;
    size_t pcs = c->n_pcs * sizeof *c->pcs, traps = c->n_traps * sizeof *c->traps;
    size_t relocs = c->n_relocs * sizeof *c->relocs;
    uint8_t *at = mem_alloc(code + pcs + traps + relocs + 1);
    if (!at)
        return false;
    out->code = copy_out(&at, c->cb.code, c->cb.len, code);
    out->len = c->cb.len;
    out->pcs = copy_out(&at, c->pcs, pcs, pcs);
    out->n_pcs = c->n_pcs;
    out->traps = copy_out(&at, c->traps, traps, traps);
    out->n_traps = c->n_traps;
    out->relocs = copy_out(&at, c->relocs, relocs, relocs);
    out->n_relocs = c->n_relocs;
    return true;
}

Err jit_compile_func(const RtModule *module, uint32_t index, JScratch *scratch, JFuncOut *out,
                     Diag *diag) {
    memset(out, 0, sizeof *out);
    Comp *c = arena_calloc(&scratch->arena, 1, sizeof *c);
    if (!c)
        return FAIL_NOMEM(diag);
    comp_init(c, scratch);
    Err err = setup(c, scratch, module, index);
    if (err == ERR_LIMIT) {
        comp_free(c, scratch);
        return FAIL(diag, ERR_LIMIT, module->ir->funcs[index].code.offset,
                    "function frame too large");
    }
    if (err != OK || setjmp(c->fail)) {
        comp_free(c, scratch);
        return FAIL_NOMEM(diag);
    }
    bool ok = compile_body(c) && x64_resolve(&c->cb);
    if (!ok && !c->cb.failed) {
        compile_unsupported(c);
        ok = x64_resolve(&c->cb);
    }
    if (!ok || !take_outputs(c, out)) {
        comp_free(c, scratch);
        return FAIL_NOMEM(diag);
    }
    out->entry = c->entry;
    jit_gc_finish(c, out);
    comp_free(c, scratch);
    return OK;
}
