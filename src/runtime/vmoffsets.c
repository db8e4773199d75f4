/* The VMContext layout: where each variable part of an instance's context
 * block lives, computed once per module. The fixed header (struct VMContext)
 * comes first; pointer arrays follow, then func-ref records, then global
 * storage (16-byte aligned so v128 globals are naturally aligned), then the
 * dropped-segment flags. A size of UINT32_MAX means the module is too large. */
#include "runtime_int.h"

static uint64_t align_up(uint64_t x, uint64_t a) {
    return (x + a - 1) & ~(a - 1);
}

static uint32_t place(uint64_t *at, uint64_t count, uint64_t elem_size, uint64_t align) {
    *at = align_up(*at, align);
    uint64_t start = *at;
    *at += count * elem_size;
    return start > UINT32_MAX ? UINT32_MAX : (uint32_t)start;
}

void rt_vmoffsets_compute(const Module *ir, VMOffsets *out) {
    uint64_t at = sizeof(VMContext);
    const uint64_t ptr = sizeof(void *);
    out->memories = place(&at, ir->n_memories, ptr, ptr);
    out->tables = place(&at, ir->n_tables, ptr, ptr);
    out->globals = place(&at, ir->n_globals, ptr, ptr);
    out->funcs = place(&at, ir->n_funcs, ptr, ptr);
    out->tags = place(&at, ir->n_tags, ptr, ptr);
    out->func_storage = place(&at, ir->n_funcs - ir->n_func_imports, sizeof(FuncRef), 16);
    out->global_storage = place(&at, ir->n_globals - ir->n_global_imports, sizeof(ValRaw), 16);
    out->dropped_elems = place(&at, ir->n_elems, 1, 1);
    out->dropped_datas = place(&at, ir->n_datas, 1, 1);
    at = align_up(at, 16);
    /* Keep every offset and the size well inside 32 bits. */
    out->size = at >= (1ull << 31) ? UINT32_MAX : (uint32_t)at;
}
