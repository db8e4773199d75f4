/* The GC instructions that both tiers run out of line (structs, arrays, i31,
 * casts, any/extern conversions; gc_ops.def lists them), over operands at
 * byte offsets from a frame base: the calling convention both tiers use for
 * them. The interpreter passes its frame pointer, the JIT rbp - frame size (so
 * every slot's offset is non-negative). Semantics in gc_ops.c. */
#ifndef WASMC_RUNTIME_GC_OPS_H
#define WASMC_RUNTIME_GC_OPS_H

#include "runtime.h"

/* The operands of one GC operation: byte offsets from the frame base of the
 * result slot `dst` and of up to five operand slots `in`, and op-specific
 * immediates (gc_ops.def says which are used). Slots are 8 bytes (v128: 16);
 * a value of storage size s is the slot's low s bytes. The record lives where
 * the calling tier puts it (in its code) and is only read. */
typedef struct RtGcOperands {
    uint32_t dst;
    uint32_t in[5];
    uint32_t imm[3];
    uint32_t pad; /* keeps the record a multiple of 8 bytes */
} RtGcOperands;

/* One operation per gc_ops.def row, on the frame at `fp`: TRAP_NONE or the
 * trap to raise. Each reads all its operands before writing dst (which may
 * be an operand's slot). Allocating operations may collect: the caller's
 * frames must be traceable (rt_gc_register_tier) with the operands still in
 * their slots. */
#define GCOP(name) TrapCode rt_gc_op_##name(VMContext *cx, uint8_t *fp, const RtGcOperands *in);
#include "gc_ops.def"

#endif
