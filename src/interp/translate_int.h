/* The translator's state, shared by translate.c and the files that translate
 * one instruction family each (translate_eh.c: exceptions). The helpers below
 * are translate.c's own, exported under interp_xl_ names; they keep its
 * invariants: entries below `clean` are V_TEMP, everything is canonical (in
 * T slots) at block entry, allocation failure longjmps to Xl.fail. */
#ifndef WASMC_INTERP_TRANSLATE_INT_H
#define WASMC_INTERP_TRANSLATE_INT_H

#include <setjmp.h>

#include "interp_int.h"

/* V_LOCAL also names the read-only v128 constant slots (the pool). V_ADDI is
 * the i32 (slot + c) not computed yet (only with guarded memory 0, whose
 * accesses take it as their address); its slot is a local's (below t_base)
 * or the entry's own temp slot, holding the base. */
enum { V_TEMP, V_LOCAL, V_CONST, V_ADDI };
typedef struct VEnt {
    uint32_t kind;
    uint32_t slot; /* V_LOCAL: the local's slot (byte offset) */
    uint64_t c;    /* V_CONST: the bits, zero-extended (v128: the low half) */
    uint64_t c_hi; /* V_CONST v128: the high half */
    uint32_t toff; /* its temp slot's offset from t_base */
    bool wide;     /* a v128: two slots */
} VEnt;

/* C_TRY_TABLE and C_TRY (legacy) behave as blocks for branches. */
enum { C_FUNC, C_BLOCK, C_LOOP, C_IF, C_TRY_TABLE, C_TRY };
typedef struct Ctrl {
    uint32_t kind;
    const ValType *params, *results;
    uint32_t base; /* stack height below the block's params */
    uint32_t n_params, n_results;
    uint32_t end_index;  /* the END (or, before it, the ELSE) closing the block */
    uint32_t loop_start; /* C_LOOP: code offset of the head */
    uint32_t fixups;     /* forward branches to the end: threaded through their fields */
    uint32_t else_fix;   /* C_IF: the branch to the else arm (0 when bound) */
    bool unreachable;
    uint32_t region;     /* 1 + the handler region in force inside (0: none) */
    uint32_t exn_slot;   /* C_TRY: slot of the caught exnref (for rethrow) */
    uint32_t arms;       /* C_TRY: catch / catch_all arms begun */
    uint32_t try_region; /* C_TRY, C_TRY_TABLE: 1 + its body's region (0: none) */
} Ctrl;

/* What the previous wasm instruction left at the end of the code, for the
 * local.set and compare+branch peepholes. L_INC: an in-place add of immv to
 * the local at slot a (IOP_I32_ADD_I at start), for compare+branch. L_MOV:
 * a MOV or MOV2 at start, which a following move may join. L_COPY: a
 * COPY8 or COPY8N at start. */
enum { L_NONE, L_PROD, L_CMP, L_INC, L_MOV, L_COPY, L_TEE, L_INC2 };
/* A guarded load (op: i32.load or i32.load8_u) at code start writing slot
 * dst from (u32)(slot y + imm) + off (on: valid). */
typedef struct LdInfo {
    bool on;
    uint32_t start, dst, y, imm, off, op;
} LdInfo;
/* An I32_ROT2_XOR at code start: slot height's entry = rotl(slot a, k1) ^
 * rotl(slot a, k2), a a local's slot (on: valid). */
typedef struct RotInfo {
    bool on;
    uint32_t start, a, k1, k2, height;
} RotInfo;
typedef struct Last {
    uint32_t kind;
    uint32_t code_end;  /* x->len right after it */
    uint32_t dst_field; /* the position of its destination operand */
    uint32_t height;    /* the stack height of its result */
    uint32_t start;     /* L_CMP: where the compare instruction starts */
    uint32_t op;        /* L_CMP: the compare (OP_I32_EQZ/OP_I64_EQZ for eqz) */
    bool imm;
    uint32_t a, b;
    uint64_t immv;
    /* L_PROD of a guarded load at (u32)(slot a + b) + immv (op = the load) */
    bool copyable;
    /* ... and right after a byte-copy group (a float load: a MAC group)
     * starting at grp_start; the multiply fed by such a load keeps both */
    bool grp;
    uint32_t grp_start;
    /* L_PROD of a CHAIN_SHL_ADD at start: (slot a << immv) + slot b */
    bool scaled;
    /* L_PROD of a binary op (op) of slot mem_a and the value at that address */
    bool memop;
    uint32_t mem_a;
    bool mac; /* ... an add whose slot operand is the product Xl.mul made */
    /* L_PROD of an op with an immediate right after another (pre_op of slot
     * pre_a and pre_k at pre_start, its result at pre_height) */
    bool pre;
    uint32_t pre_start, pre_op, pre_a, pre_k, pre_height;
    /* L_CMP: an in-place add of inc_imm to operand a (IOP_I32_ADD_I) ends
     * right where the compare starts; it begins at inc_start */
    bool inc;
    uint32_t inc_start, inc_imm;
    /* L_CMP of i32.eqz: its operand is the i32.and of slot tst_a and tst_k
     * that starts at tst_start and ends where the eqz starts */
    bool tst;
    uint32_t tst_start, tst_a, tst_k;
    /* L_TEE: a local.set/tee made the load `ld` (ending at code_end) write
     * the local itself. L_PROD of an i32 shift by an immediate: `ld` is such
     * a load of its operand's local right before it (pre_ld: the same for
     * the pre op; on a FUNNEL: for its first shift) */
    LdInfo ld, pre_ld;
    /* L_TEE: add2 says the producer was an i32.add of slots a and b (at
     * start), now writing the local at slot add2_dst */
    bool add2;
    uint32_t add2_dst;
    /* L_PROD: `rot` is the I32_ROT2_XOR just emitted; of an i32.rotl /
     * i32.shr_u by an immediate: `pre_rot`, the one right before it */
    RotInfo rot, pre_rot;
    /* L_INC2: an INC2 (slot inc2_m[0] += [1], then [2] += [3]) at start;
     * L_CMP with an immediate and L_INC: inc2, such an INC2 (at inc2_start)
     * ends where it starts */
    bool inc2;
    uint32_t inc2_start, inc2_m[4];
} Last;

struct XlEh;

typedef struct Xl {
    jmp_buf fail; /* allocation failure */
    const RtModule *rm;
    const Module *mod;
    const FuncType *ft;
    IFunc *funcs;
    const void *const *labels;
    uint8_t *code;
    uint32_t len, cap;
    IPcEntry *pc;
    uint32_t n_pc, cap_pc;
    VEnt *vs;
    uint32_t h, clean; /* entries below `clean` are all V_TEMP */
    Ctrl *cs;
    uint32_t depth;
    uint32_t *refs; /* per 8-byte slot: pending V_LOCAL entries */
    uint32_t *loff; /* per local (params first): its slot; [n] = locals' end */
    uint8_t *lwide; /* per local: a v128 (two slots) */
    uint32_t n_pool;
    uint8_t (*pool)[16]; /* v128 constants living in slots from pool_base */
    uint32_t pool_base;
    uint32_t t_base;
    uint32_t zero_bytes; /* the declared locals zeroed at entry (first ones) */
    uint32_t t_max;      /* the temps' end, from t_base */
    Last last, prev;
    Last mul; /* the last memory-operand op (for multiply-accumulate) */
    /* The last MAC / MACN group, [mac_start, mac_end), while only
     * straight-line instructions followed it (else mac_end = UINT32_MAX):
     * a MAC right after it may join it. */
    uint32_t mac_start, mac_end;
    bool fuel, epoch, guarded0;
    uint32_t fuel_field, fuel_count;
    struct XlEh *eh; /* translate_eh.c's state (NULL: no exception handling) */
    /* Locals set without a write ("aliases"; the analysis in translate_alias.c,
     * the state here in translate.c): per local, whether
     * every read follows a write in the same straight-line run (wl); the
     * value its last set left pending (alias, kind V_TEMP: none); the
     * locals with one (alias_list); per 8-byte local slot, its local. */
    uint8_t *wl;
    uint8_t *scalar;   /* per local: i32/i64/f32/f64 (may be aliased) */
    uint8_t *dead_set; /* per instruction: a set whose value its run's end
                          cannot see (liveness: no read after it) */
    VEnt *alias;
    uint32_t *alias_list, n_alias;
    uint32_t *slot_local;
    const Code *body; /* the function's instructions, ... */
    uint32_t at;      /* ... and the index of the one being translated */
} Xl;

/* ---- translate.c's helpers ---- */

/* Emit an instruction of `size` bytes whose handler is op's; its position. */
uint32_t interp_xl_emit(Xl *x, uint32_t op, const void *ins, uint32_t size);
/* The temp slot of the entry at `height`. */
uint32_t interp_xl_tslot(const Xl *x, uint32_t height);
/* The slot to read the entry at `height` from (constants get written). */
uint32_t interp_xl_src(Xl *x, uint32_t height);
/* Push temps of the given types / pop down to `height`. */
void interp_xl_push_types(Xl *x, const ValType *types, uint32_t n);
void interp_xl_trunc(Xl *x, uint32_t height);
/* Write the n entries below the top `skip` to their temp slots; the first's. */
uint32_t interp_xl_place_args(Xl *x, uint32_t n, uint32_t skip);
/* Open a block-like control of `kind` (type and end as in IMM_BLOCK). */
void interp_xl_push_ctrl(Xl *x, uint32_t kind, const Instr *in);
/* An unconditional jump to label c carrying its values (the n entries below
 * the top `skip`). */
void interp_xl_jump_to(Xl *x, Ctrl *c, uint32_t skip);
/* Close the innermost control (as OP_END does). */
void interp_xl_end(Xl *x);
/* Start a fuel block (a new basic block's cost counter). */
void interp_xl_fuel_block(Xl *x);

/* ---- translate.c's tables ---- */

/* What kind of operation each wasm opcode is (from iops.def / simd.def). */
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
extern const uint8_t interp_op_class[OP_COUNT];

/* ---- translate_alias.c ---- */

/* Set up x's alias tables for a function of n locals (params first; x->loff
 * laid out): the window locals (x->wl) and the dead sets (x->dead_set, none
 * when there is no memory for them). ERR_NOMEM. */
Err interp_xl_alias_setup(Xl *x, const Code *code, uint32_t n) WARN_UNUSED;
/* May `op` sit inside a straight-line run (no label, branch or call)? */
bool interp_xl_straight_op(uint32_t op);
/* Is the aliased local read again before its run ends or it is set? Looks
 * a bounded distance ahead from the instruction being translated: true
 * when it cannot tell. */
bool interp_xl_alias_read_ahead(const Xl *x, uint32_t local);

/* ---- translate_eh.c ---- */

/* Before translation: the hidden slots legacy `try` needs, from `slot` on
 * (*out_bytes of them). ERR_NOMEM. */
Err interp_xl_eh_setup(Xl *x, const Code *code, uint32_t slot, uint32_t *out_bytes) WARN_UNUSED;
/* Translate an exception instruction (try_table, throw, throw_ref, try,
 * catch, catch_all, delegate, rethrow); false for any other. */
bool interp_xl_eh(Xl *x, const Instr *in);
/* At OP_END, before the control closes: end its handler region. */
void interp_xl_eh_end(Xl *x);
/* After translation: hand the handler table to f (none unless `ok`). */
void interp_xl_eh_finish(Xl *x, IFunc *f, bool ok);
void interp_xl_eh_free(Xl *x);

/* ---- translate_gc.c ---- */

/* Translate a GC instruction (struct.*, array.*, ref.test/cast, br_on_cast*,
 * conversions, i31); false for any other. */
bool interp_xl_gc(Xl *x, const Instr *in);

/* ---- translate_canon.c ---- */

/* After `in` was translated, with EngineConfig.nan_canonicalization on: make
 * a NaN result of an op_nan_canon instruction the canonical NaN. */
void interp_xl_canon(Xl *x, const Instr *in);

#endif
