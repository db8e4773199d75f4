/* NaN canonicalization in compiled code (EngineConfig.nan_canonicalization):
 * an instruction op_nan_canon names is lowered as usual, then its result,
 * in an XMM register, gets every NaN lane replaced by the canonical NaN.
 * The common case (no NaN) only tests and branches and leaves the register
 * alone, so the check is off the result's dependency chain:
 *     scalar:  ucomiss/sd r, r; jnp done; r = [canonical]; done:
 *     vector:  mask = cmpunordps/pd(r, r); if movmskps(mask):
 *              r |= mask; r ^= mask & ~canonical
 * (a NaN lane becomes all ones, then all ones ^ ~canonical = canonical).
 * xmm15 and r11 are scratch. Called from lower_instr only with the mode on,
 * so code compiled with it off is unchanged. */
#include "jit_comp.h"

#define CB (&c->cb)

static const uint64_t canon32x2 = 0x7fc000007fc00000ull, canon64 = 0x7ff8000000000000ull;

static void canon_scalar(Comp *c, uint8_t r, bool dbl) {
    uint64_t canon = dbl ? canon64 : canon32x2;
    uint32_t done = x64_label(CB);
    x64_sse_rr(CB, dbl ? X64_UCOMISD : X64_UCOMISS, r, r);
    x64_jcc(CB, X64_NP, done); /* ordered: not a NaN */
    x64_vec_rl(CB, X64_MOVDQA, r, jit_const(c, canon, canon));
    x64_bind(CB, done);
}

static void canon_vector(Comp *c, uint8_t r, bool dbl) {
    uint64_t not_canon = ~(dbl ? canon64 : canon32x2);
    uint32_t done = x64_label(CB);
    x64_sse_rr(CB, X64_MOVAPS, J_XSCRATCH, r);
    x64_vec_rri(CB, dbl ? X64_CMPPD : X64_CMPPS, J_XSCRATCH, r, 3); /* unordered */
    x64_vec_rr(CB, X64_MOVMSKPS, J_SCRATCH, J_XSCRATCH);
    x64_test_rr(CB, false, J_SCRATCH, J_SCRATCH);
    x64_jcc(CB, X64_E, done);
    x64_vec_rr(CB, X64_POR, r, J_XSCRATCH);
    x64_vec_rl(CB, X64_PAND, J_XSCRATCH, jit_const(c, not_canon, not_canon));
    x64_vec_rr(CB, X64_PXOR, r, J_XSCRATCH);
    x64_bind(CB, done);
}

bool jit_canon_lower(Comp *c, const Instr *in) {
    NanCanon shape = op_nan_canon((Opcode)in->op);
    if (shape == NAN_CANON_NONE)
        return false;
    bool ok = op_info[in->op].prefix == 0xfd ? jit_lower_simd(c, in) : jit_lower_numeric(c, in);
    if (!ok)
        return false;
    uint8_t type;
    uint8_t r = jit_pop_reg(c, &type);
    if (shape == NAN_CANON_F32 || shape == NAN_CANON_F64)
        canon_scalar(c, r, shape == NAN_CANON_F64);
    else
        canon_vector(c, r, shape == NAN_CANON_F64X2);
    jit_push_reg(c, type, r);
    return true;
}
