/* NaN canonicalization in the interpreter (EngineConfig.nan_canonicalization):
 * after each instruction op_nan_canon names, one CANON op of the result's
 * shape rewrites a NaN result to the canonical NaN (handlers in
 * interp_canon.inc). Translation calls in only with the mode on, so code
 * translated with it off is unchanged. The CANON op becomes the last
 * producer: a local.set retargets its destination, and no fusion of the
 * instruction before it with what follows (load-op-store, multiply-add) can
 * see past it, so no result escapes uncanonicalized. */
#include <stddef.h>

#include "translate_int.h"

static const uint16_t canon_op[] = {
    [NAN_CANON_F32] = IOP_CANON_F32,
    [NAN_CANON_F64] = IOP_CANON_F64,
    [NAN_CANON_F32X4] = IOP_CANON_F32X4,
    [NAN_CANON_F64X2] = IOP_CANON_F64X2,
};

void interp_xl_canon(Xl *x, const Instr *in) {
    NanCanon shape = op_nan_canon((Opcode)in->op);
    if (shape == NAN_CANON_NONE || !x->h)
        return;
    uint32_t h = x->h;
    bool wide = shape == NAN_CANON_F32X4 || shape == NAN_CANON_F64X2;
    uint32_t a = interp_xl_src(x, h - 1), dst = interp_xl_tslot(x, h - 1);
    uint32_t op = canon_op[shape];
    uint32_t pos = interp_xl_emit(x, op, &(IUn){.h = NULL, .dst = dst, .a = a}, sizeof(IUn));
    interp_xl_trunc(x, h - 1);
    ValType t = {.kind = wide ? VK_V128 : VK_F64};
    interp_xl_push_types(x, &t, 1);
    x->last = (Last){.kind = L_PROD,
                     .op = OP_COUNT, /* nothing fuses with it */
                     .start = pos,
                     .code_end = x->len,
                     .dst_field = pos + (uint32_t)offsetof(IUn, dst),
                     .height = h - 1};
}
