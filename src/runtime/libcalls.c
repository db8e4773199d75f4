/* The helpers of libcalls.def: bulk memory and table operations with the spec's
 * trap-before-write semantics (spec: Execution > Instructions > Memory / Table
 * Instructions), growth, and the subtype walk behind call_indirect. Shared by
 * the native tier; the results are TrapCodes or raw values, never raised here,
 * so the caller can make its frames walkable first. */
#include "runtime_int.h"

#include <string.h>

static RtMemory *memory_at(VMContext *cx, uint64_t index) {
    return vmctx_memories(cx)[index];
}

static uint64_t mem_addr(const RtMemory *m, uint64_t raw) {
    return m->is64 ? raw : (uint32_t)raw;
}

static uint64_t table_index(const RtTable *t, uint64_t raw) {
    return t->is64 ? raw : (uint32_t)raw;
}

/* [at, at + n) inside a region of `len` bytes? */
static bool in_bounds(uint64_t at, uint64_t n, uint64_t len) {
    return at <= len && n <= len - at;
}

uint64_t rt_lib_MEMORY_GROW(VMContext *cx, uint64_t mem, uint64_t delta, uint64_t c, uint64_t d,
                            uint64_t e) {
    RtMemory *m = memory_at(cx, mem);
    uint64_t old;
    if (!rt_memory_grow(m, mem_addr(m, delta), &old))
        return UINT64_MAX;
    return old;
}

uint64_t rt_lib_MEMORY_FILL(VMContext *cx, uint64_t mem, uint64_t d, uint64_t val, uint64_t n,
                            uint64_t e) {
    RtMemory *m = memory_at(cx, mem);
    d = mem_addr(m, d);
    n = mem_addr(m, n);
    if (!in_bounds(d, n, m->length))
        return TRAP_MEM_OOB;
    memset(m->base + d, (int)(val & 0xff), n);
    return TRAP_NONE;
}

uint64_t rt_lib_MEMORY_COPY(VMContext *cx, uint64_t dmem, uint64_t smem, uint64_t d, uint64_t s,
                            uint64_t n) {
    RtMemory *dm = memory_at(cx, dmem), *sm = memory_at(cx, smem);
    d = mem_addr(dm, d);
    s = mem_addr(sm, s);
    n = dm->is64 && sm->is64 ? n : (uint32_t)n;
    if (!in_bounds(d, n, dm->length) || !in_bounds(s, n, sm->length))
        return TRAP_MEM_OOB;
    memmove(dm->base + d, sm->base + s, n);
    return TRAP_NONE;
}

uint64_t rt_lib_MEMORY_INIT(VMContext *cx, uint64_t mem, uint64_t data, uint64_t d, uint64_t s,
                            uint64_t n) {
    RtMemory *m = memory_at(cx, mem);
    const DataSegment *seg = &cx->module->ir->datas[data];
    uint64_t len = vmctx_dropped_datas(cx)[data] ? 0 : seg->len;
    d = mem_addr(m, d);
    s = (uint32_t)s;
    n = (uint32_t)n;
    if (!in_bounds(d, n, m->length) || !in_bounds(s, n, len))
        return TRAP_MEM_OOB;
    if (n)
        memcpy(m->base + d, seg->bytes + s, n);
    return TRAP_NONE;
}

uint64_t rt_lib_TABLE_GROW(VMContext *cx, uint64_t table, uint64_t init, uint64_t delta,
                           uint64_t d, uint64_t e) {
    RtTable *t = vmctx_tables(cx)[table];
    uint64_t old;
    if (!rt_table_grow(t, table_index(t, delta), (void *)(uintptr_t)init, &old))
        return UINT64_MAX;
    return old;
}

uint64_t rt_lib_TABLE_FILL(VMContext *cx, uint64_t table, uint64_t i, uint64_t val, uint64_t n,
                           uint64_t e) {
    RtTable *t = vmctx_tables(cx)[table];
    i = table_index(t, i);
    n = table_index(t, n);
    if (!in_bounds(i, n, t->size))
        return TRAP_TABLE_OOB;
    for (uint64_t k = 0; k < n; k++)
        t->elems[i + k] = (void *)(uintptr_t)val;
    return TRAP_NONE;
}

uint64_t rt_lib_TABLE_COPY(VMContext *cx, uint64_t dt, uint64_t st, uint64_t d, uint64_t s,
                           uint64_t n) {
    RtTable *dst = vmctx_tables(cx)[dt], *src = vmctx_tables(cx)[st];
    d = table_index(dst, d);
    s = table_index(src, s);
    n = dst->is64 && src->is64 ? n : (uint32_t)n;
    if (!in_bounds(d, n, dst->size) || !in_bounds(s, n, src->size))
        return TRAP_TABLE_OOB;
    if (n)
        memmove(dst->elems + d, src->elems + s, n * sizeof(void *));
    return TRAP_NONE;
}

uint64_t rt_lib_TABLE_INIT(VMContext *cx, uint64_t table, uint64_t elem, uint64_t d, uint64_t s,
                           uint64_t n) {
    RtTable *t = vmctx_tables(cx)[table];
    return rt_table_init(cx, (uint32_t)table, (uint32_t)elem, table_index(t, d), (uint32_t)s,
                         (uint32_t)n);
}

uint64_t rt_lib_IS_SUBTYPE(VMContext *cx, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                           uint64_t e) {
    return mod_registry_is_subtype(cx->module->engine->types, (uint32_t)a, (uint32_t)b);
}

const RtLibcall rt_libcalls[RT_LIB_COUNT] = {
#define LIBCALL(name, what) [RT_LIB_##name] = rt_lib_##name,
#include "libcalls.def"
#undef LIBCALL
};
