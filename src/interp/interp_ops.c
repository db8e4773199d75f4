/* The dispatch loop's slow paths: calls into host (or other-tier) functions
 * through the array-call ABI, and the bulk memory and table operations with
 * the spec's trap-before-write semantics (spec: Execution > Instructions >
 * Memory / Table Instructions). Operands arrive as raw 8-byte slots and are
 * narrowed here by the memory's or table's address type. */
#include "interp_int.h"

void interp_vals_to_slots(const ValType *types, uint32_t n, const ValRaw *vals, uint8_t *slots) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = types[i].kind == VK_V128 ? 16 : 8;
        memcpy(slots, &vals[i], w);
        slots += w;
    }
}

void interp_slots_to_vals(const ValType *types, uint32_t n, const uint8_t *slots, ValRaw *vals) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = types[i].kind == VK_V128 ? 16 : 8;
        vals[i].u64[1] = 0;
        memcpy(&vals[i], slots, w);
        slots += w;
    }
}

void interp_call_host(const FuncRef *f, VMContext *cx, uint8_t *args, const FuncType *type) {
    Activation *act = rt_activation_current();
    if (rt_c_stack_exhausted(act))
        rt_trap_raise(TRAP_STACK_OVERFLOW);
    uint32_t n_params = type->n_params, n_results = type->n_results;
    uint32_t n = n_params > n_results ? n_params : n_results;
    ValRaw vals[n ? n : 1];
    interp_slots_to_vals(type->params, n_params, args, vals);
    f->array_call(f, cx, vals, n);
    interp_vals_to_slots(type->results, n_results, vals, args);
}

bool interp_is_subtype(VMContext *cx, uint32_t sub, uint32_t super) {
    return mod_registry_is_subtype(cx->module->engine->types, sub, super);
}

static RtMemory *memory_at(VMContext *cx, uint32_t index) {
    return vmctx_memories(cx)[index];
}

static uint64_t addr(const RtMemory *m, uint64_t raw) {
    return m->is64 ? raw : (uint32_t)raw;
}

/* [at, at + n) inside a region of `len` bytes? */
static bool in_bounds(uint64_t at, uint64_t n, uint64_t len) {
    return at <= len && n <= len - at;
}

TrapCode interp_memory_fill(VMContext *cx, uint32_t mem, uint64_t d, uint32_t val, uint64_t n) {
    RtMemory *m = memory_at(cx, mem);
    d = addr(m, d);
    n = addr(m, n);
    if (!in_bounds(d, n, m->length))
        return TRAP_MEM_OOB;
    memset(m->base + d, (int)(val & 0xff), n);
    return TRAP_NONE;
}

TrapCode interp_memory_copy(VMContext *cx, uint32_t dmem, uint32_t smem, uint64_t d, uint64_t s,
                            uint64_t n) {
    RtMemory *dm = memory_at(cx, dmem), *sm = memory_at(cx, smem);
    d = addr(dm, d);
    s = addr(sm, s);
    n = dm->is64 && sm->is64 ? n : (uint32_t)n;
    if (!in_bounds(d, n, dm->length) || !in_bounds(s, n, sm->length))
        return TRAP_MEM_OOB;
    memmove(dm->base + d, sm->base + s, n);
    return TRAP_NONE;
}

TrapCode interp_memory_init(VMContext *cx, uint32_t mem, uint32_t data, uint64_t d, uint64_t s,
                            uint64_t n) {
    RtMemory *m = memory_at(cx, mem);
    const DataSegment *seg = &cx->module->ir->datas[data];
    uint64_t len = vmctx_dropped_datas(cx)[data] ? 0 : seg->len;
    d = addr(m, d);
    if (!in_bounds(d, n, m->length) || !in_bounds(s, n, len))
        return TRAP_MEM_OOB;
    if (n)
        memcpy(m->base + d, seg->bytes + s, n);
    return TRAP_NONE;
}

uint64_t interp_memory_grow(VMContext *cx, uint32_t mem, uint64_t delta) {
    RtMemory *m = memory_at(cx, mem);
    uint64_t old;
    if (!rt_memory_grow(m, addr(m, delta), &old))
        return UINT64_MAX;
    return old;
}

static uint64_t index_of(const RtTable *t, uint64_t raw) {
    return t->is64 ? raw : (uint32_t)raw;
}

TrapCode interp_table_fill(VMContext *cx, uint32_t table, uint64_t i, void *val, uint64_t n) {
    RtTable *t = vmctx_tables(cx)[table];
    i = index_of(t, i);
    n = index_of(t, n);
    if (!in_bounds(i, n, t->size))
        return TRAP_TABLE_OOB;
    for (uint64_t k = 0; k < n; k++)
        t->elems[i + k] = val;
    return TRAP_NONE;
}

TrapCode interp_table_copy(VMContext *cx, uint32_t dt, uint32_t st, uint64_t d, uint64_t s,
                           uint64_t n) {
    RtTable *dst = vmctx_tables(cx)[dt], *srct = vmctx_tables(cx)[st];
    d = index_of(dst, d);
    s = index_of(srct, s);
    n = dst->is64 && srct->is64 ? n : (uint32_t)n;
    if (!in_bounds(d, n, dst->size) || !in_bounds(s, n, srct->size))
        return TRAP_TABLE_OOB;
    if (n)
        memmove(dst->elems + d, srct->elems + s, n * sizeof(void *));
    return TRAP_NONE;
}

uint64_t interp_table_grow(VMContext *cx, uint32_t table, void *init, uint64_t delta) {
    RtTable *t = vmctx_tables(cx)[table];
    uint64_t old;
    if (!rt_table_grow(t, index_of(t, delta), init, &old))
        return UINT64_MAX;
    return old;
}
