/* Compiled modules: decode, validate against the engine's type registry,
 * compute what every instantiation reuses (canonical type ids, the VMContext
 * layout, the export map, canonical global/table types, the instance block
 * layout), then hand the module to the tier. Immutable afterwards and shared
 * by refcount across stores and threads. */
#include "runtime_int.h"

Err rt_module_new(Engine *engine, const uint8_t *bytes, size_t len, RtModule **out, Diag *diag) {
    *out = NULL;
    Module *ir;
    TRY(bin_read_module(bytes, len, &ir, diag));
    return rt_module_from_ir(engine, ir, out, diag);
}

ValType rt_canon_valtype(const RtModule *module, ValType t) {
    if (t.kind == VK_REF && t.heap >= 0)
        t.heap = (int32_t)module->canon_types[t.heap];
    return t;
}

static bool build_exports(ModuleImpl *impl) {
    const Module *ir = impl->pub.ir;
    for (uint32_t i = 0; i < ir->n_exports; i++) {
        const Name *name = &ir->exports[i].name;
        if (!map_insert(&impl->exports, name->str, name->len, i, NULL))
            return false;
    }
    return true;
}

static bool build_types(ModuleImpl *impl) {
    RtModule *m = &impl->pub;
    const Module *ir = m->ir;
    m->canon_types = mem_alloc(ir->n_types * sizeof *m->canon_types);
    impl->global_types = mem_alloc(ir->n_globals * sizeof *impl->global_types);
    impl->table_types = mem_alloc(ir->n_tables * sizeof *impl->table_types);
    if (!m->canon_types || !impl->global_types || !impl->table_types)
        return false;
    for (uint32_t i = 0; i < ir->n_types; i++)
        m->canon_types[i] = ir->types[i].canon;
    for (uint32_t i = 0; i < ir->n_globals; i++) {
        impl->global_types[i] = ir->globals[i].type;
        impl->global_types[i].type = rt_canon_valtype(m, ir->globals[i].type.type);
    }
    for (uint32_t i = 0; i < ir->n_tables; i++) {
        impl->table_types[i] = ir->tables[i].type;
        impl->table_types[i].elem = rt_canon_valtype(m, ir->tables[i].type.elem);
    }
    return true;
}

static uint32_t align16(uint64_t x) {
    return (uint32_t)((x + 15) & ~(uint64_t)15);
}

/* One allocation per instance: Instance, VMContext, RtGlobal[defined],
 * RtGlobal *[all], RtTag[defined]. Sizes are bounded by the VMContext's
 * (checked < 2 GiB) times small factors, so 64-bit arithmetic cannot wrap. */
static Err layout_block(ModuleImpl *impl, Diag *diag) {
    const Module *ir = impl->pub.ir;
    uint64_t at = align16(sizeof(Instance));
    impl->block_vmctx = (uint32_t)at;
    at = align16(at + impl->pub.offsets.size);
    impl->block_globals = (uint32_t)at;
    at += (uint64_t)(ir->n_globals - ir->n_global_imports) * sizeof(RtGlobal);
    impl->block_global_ptrs = align16(at);
    at = impl->block_global_ptrs + (uint64_t)ir->n_globals * sizeof(RtGlobal *);
    impl->block_tags = align16(at);
    at = impl->block_tags + (uint64_t)(ir->n_tags - ir->n_tag_imports) * sizeof(RtTag);
    if (at >= (1ull << 31))
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "module too large to instantiate");
    impl->block_size = align16(at);
    return OK;
}

static void module_free(ModuleImpl *impl) {
    RtModule *m = &impl->pub;
    map_fini(&impl->exports);
    mem_free(impl->global_types);
    mem_free(impl->table_types);
    mem_free(m->canon_types);
    mem_free(m->funcs);
    ir_module_delete(m->ir);
    mem_free(impl);
}

static Err prepare(ModuleImpl *impl, Diag *diag) {
    RtModule *m = &impl->pub;
    Module *ir = m->ir;
    if (ir->validated)
        TRY(mod_registry_canonicalize(m->engine->types, ir, diag));
    else
        TRY(valid_module(ir, m->engine->types, diag));
    rt_vmoffsets_compute(ir, &m->offsets);
    if (m->offsets.size == UINT32_MAX)
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "module too large to instantiate");
    TRY(layout_block(impl, diag));
    m->funcs = mem_calloc(ir->n_funcs - ir->n_func_imports, sizeof *m->funcs);
    if (!m->funcs || !build_types(impl) || !build_exports(impl))
        return FAIL_NOMEM(diag);
    return OK;
}

Err rt_module_from_ir(Engine *engine, Module *ir, RtModule **out, Diag *diag) {
    *out = NULL;
    ModuleImpl *impl = mem_calloc(1, sizeof *impl);
    if (!impl) {
        ir_module_delete(ir);
        return FAIL_NOMEM(diag);
    }
    map_init(&impl->exports);
    RtModule *m = &impl->pub;
    atomic_init(&m->refcount, 1);
    m->engine = engine;
    m->ir = ir;
    Err err = prepare(impl, diag);
    if (err == OK)
        err = engine->config.tier->compile(m, diag);
    if (err != OK) {
        module_free(impl);
        return err;
    }
    *out = m;
    return OK;
}

void rt_module_retain(RtModule *module) {
    atomic_fetch_add_explicit(&module->refcount, 1, memory_order_relaxed);
}

void rt_module_release(RtModule *module) {
    if (!module)
        return;
    if (atomic_fetch_sub_explicit(&module->refcount, 1, memory_order_acq_rel) != 1)
        return;
    module->engine->config.tier->release(module);
    module_free(rt_module_impl(module));
}
