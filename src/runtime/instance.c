/* Instantiation (spec: Execution > Modules > Instantiation) and export lookup.
 * An instance is one allocation: the Instance record, its VMContext, the
 * RtGlobal objects of its defined globals, the per-global RtGlobal pointers
 * and its defined tags (layout precomputed in ModuleImpl). It is owned by the
 * store from the moment it exists, also when instantiation then fails or
 * traps: functions it wrote into shared tables stay callable. */
#include <string.h>

#include "runtime_int.h"

static void instance_free(void *obj) {
    Instance *inst = obj;
    rt_module_release(inst->module);
    mem_free(inst);
}

static Instance *new_instance(Store *store, RtModule *module) {
    const ModuleImpl *impl = rt_module_impl(module);
    uint8_t *block = mem_calloc(1, impl->block_size);
    if (!block)
        return NULL;
    Instance *inst = (Instance *)block;
    VMContext *cx = (VMContext *)(block + impl->block_vmctx);
    rt_module_retain(module);
    inst->store = store;
    inst->module = module;
    inst->vmctx = cx;
    inst->globals = (RtGlobal **)(block + impl->block_global_ptrs);
    *cx = (VMContext){
        .instance = inst,
        .store = store,
        .module = module,
        .canon_types = module->canon_types,
        .fuel = &store->fuel,
        .epoch_deadline = &store->epoch_deadline,
        .engine_epoch = &store->engine->epoch,
    };
    return rt_store_own_traced(store, inst, instance_free, rt_gc_trace_instance) ? inst : NULL;
}

static void link_imports(Instance *inst, const Extern *imports) {
    VMContext *cx = inst->vmctx;
    const Module *ir = inst->module->ir;
    for (uint32_t i = 0; i < ir->n_imports; i++) {
        uint32_t idx = ir->imports[i].index;
        const Extern *e = &imports[i];
        switch (e->kind) {
        case EXTERN_FUNC: vmctx_funcs(cx)[idx] = e->func; break;
        case EXTERN_TABLE: vmctx_tables(cx)[idx] = e->table; break;
        case EXTERN_MEMORY: vmctx_memories(cx)[idx] = e->memory; break;
        case EXTERN_GLOBAL:
            vmctx_globals(cx)[idx] = e->global->value;
            inst->globals[idx] = e->global;
            break;
        case EXTERN_TAG: vmctx_tags(cx)[idx] = e->tag; break;
        default: break;
        }
    }
}

/* Func refs, global storage pointers and tags of the defined entities. */
static void init_defined(Instance *inst) {
    VMContext *cx = inst->vmctx;
    const RtModule *m = inst->module;
    const ModuleImpl *impl = rt_module_impl(m);
    const Module *ir = m->ir;
    uint8_t *block = (uint8_t *)inst;
    FuncRef *refs = VMCTX_AT(cx, m->offsets.func_storage, FuncRef *);
    for (uint32_t i = ir->n_func_imports; i < ir->n_funcs; i++) {
        const TierFunc *tf = &m->funcs[i - ir->n_func_imports];
        FuncRef *f = &refs[i - ir->n_func_imports];
        *f = (FuncRef){tf->array_call, tf->native, m->canon_types[ir->funcs[i].type], i, cx, NULL};
        vmctx_funcs(cx)[i] = f;
    }
    ValRaw *storage = VMCTX_AT(cx, m->offsets.global_storage, ValRaw *);
    RtGlobal *globals = (RtGlobal *)(block + impl->block_globals);
    for (uint32_t i = ir->n_global_imports; i < ir->n_globals; i++) {
        RtGlobal *g = &globals[i - ir->n_global_imports];
        g->value = &storage[i - ir->n_global_imports];
        g->type = impl->global_types[i];
        vmctx_globals(cx)[i] = g->value;
        inst->globals[i] = g;
    }
    RtTag *tags = (RtTag *)(block + impl->block_tags);
    for (uint32_t i = ir->n_tag_imports; i < ir->n_tags; i++) {
        tags[i - ir->n_tag_imports].canon_type = m->canon_types[ir->tags[i].type.type];
        vmctx_tags(cx)[i] = &tags[i - ir->n_tag_imports];
    }
}

/* In index order, so each initializer sees the globals before it. */
static Err init_globals(Instance *inst, Diag *diag) {
    VMContext *cx = inst->vmctx;
    const Module *ir = inst->module->ir;
    for (uint32_t i = ir->n_global_imports; i < ir->n_globals; i++)
        TRY(rt_const_eval(cx, &ir->globals[i].init, vmctx_globals(cx)[i], diag));
    return OK;
}

static Err create_tables(Instance *inst, Diag *diag) {
    VMContext *cx = inst->vmctx;
    const Module *ir = inst->module->ir;
    const ModuleImpl *impl = rt_module_impl(inst->module);
    for (uint32_t i = ir->n_table_imports; i < ir->n_tables; i++) {
        ValRaw init = {.ref = NULL};
        if (ir->tables[i].has_init)
            TRY(rt_const_eval(cx, &ir->tables[i].init, &init, diag));
        RtTable *t = rt_table_new(inst->store, impl->table_types[i], init.ref);
        if (!t)
            return ir->tables[i].type.limits.min > RT_TABLE_MAX_ELEMS
                       ? FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "table too large")
                       : FAIL_NOMEM(diag);
        vmctx_tables(cx)[i] = t;
    }
    return OK;
}

static Err create_memories(Instance *inst, Diag *diag) {
    VMContext *cx = inst->vmctx;
    const Module *ir = inst->module->ir;
    for (uint32_t i = ir->n_memory_imports; i < ir->n_memories; i++) {
        TRY(rt_memory_create(inst->store, ir->memories[i].type, &vmctx_memories(cx)[i], diag));
    }
    return OK;
}

/* A trap during instantiation: hand it out (or drop it) and report ERR_TRAP. */
static Err trap_out(Trap *trap, Trap **out_trap, Diag *diag) {
    Err err = FAIL(diag, ERR_TRAP, DIAG_NO_OFFSET, "%s", rt_trap_text(trap));
    if (out_trap)
        *out_trap = trap;
    else
        rt_trap_delete(trap);
    return err;
}

static Err trap_code_out(TrapCode code, Trap **out_trap, Diag *diag) {
    Trap *trap = rt_trap_new(code, NULL);
    if (!trap)
        return FAIL_NOMEM(diag);
    return trap_out(trap, out_trap, diag);
}

static Err offset_of(VMContext *cx, const ConstExpr *expr, bool is64, uint64_t *out, Diag *diag) {
    ValRaw v;
    TRY(rt_const_eval(cx, expr, &v, diag));
    *out = is64 ? (uint64_t)v.i64 : (uint32_t)v.i32;
    return OK;
}

/* spec: table.init of the whole segment, then elem.drop. *out_trapped on OOB. */
static Err apply_elem(VMContext *cx, uint32_t idx, bool *out_trapped, Diag *diag) {
    const ElemSegment *seg = &cx->module->ir->elems[idx];
    RtTable *t = vmctx_tables(cx)[seg->table];
    uint64_t dst;
    TRY(offset_of(cx, &seg->offset, t->is64, &dst, diag));
    if (dst > t->size || seg->n_items > t->size - dst) {
        *out_trapped = true;
        return OK;
    }
    for (uint32_t i = 0; i < seg->n_items; i++)
        TRY(rt_elem_item(cx, seg, i, &t->elems[dst + i], diag));
    return OK;
}

static Err init_elems(Instance *inst, Trap **out_trap, Diag *diag) {
    VMContext *cx = inst->vmctx;
    const Module *ir = inst->module->ir;
    for (uint32_t i = 0; i < ir->n_elems; i++) {
        if (ir->elems[i].mode == SEG_PASSIVE)
            continue;
        if (ir->elems[i].mode == SEG_ACTIVE) {
            bool trapped = false;
            TRY(apply_elem(cx, i, &trapped, diag));
            if (trapped)
                return trap_code_out(TRAP_TABLE_OOB, out_trap, diag);
        }
        vmctx_dropped_elems(cx)[i] = 1;
    }
    return OK;
}

/* spec: memory.init of the whole segment, then data.drop. */
static Err init_datas(Instance *inst, Trap **out_trap, Diag *diag) {
    VMContext *cx = inst->vmctx;
    const Module *ir = inst->module->ir;
    for (uint32_t i = 0; i < ir->n_datas; i++) {
        const DataSegment *seg = &ir->datas[i];
        if (seg->mode != SEG_ACTIVE)
            continue;
        RtMemory *mem = vmctx_memories(cx)[seg->memory];
        uint64_t dst;
        TRY(offset_of(cx, &seg->offset, mem->is64, &dst, diag));
        if (dst > mem->length || seg->len > mem->length - dst)
            return trap_code_out(TRAP_MEM_OOB, out_trap, diag);
        if (seg->len)
            memcpy(mem->base + dst, seg->bytes, seg->len);
        vmctx_dropped_datas(cx)[i] = 1;
    }
    return OK;
}

static Err run_start(Instance *inst, Trap **out_trap, Diag *diag) {
    const Module *ir = inst->module->ir;
    if (!ir->has_start)
        return OK;
    ValRaw none[1];
    Trap *trap = NULL;
    Err err = rt_call(inst->store, vmctx_funcs(inst->vmctx)[ir->start], none, 0, &trap);
    if (err == OK)
        return OK;
    if (trap)
        return trap_out(trap, out_trap, diag);
    return FAIL(diag, err, DIAG_NO_OFFSET, "start function failed");
}

Err rt_instantiate(Store *store, RtModule *module, const Extern *imports, uint32_t n_imports,
                   Instance **out, Trap **out_trap, Diag *diag) {
    *out = NULL;
    if (out_trap)
        *out_trap = NULL;
    const Module *ir = module->ir;
    if (module->engine != store->engine)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "module and store of different engines");
    if (n_imports != ir->n_imports)
        return FAIL(diag, ERR_LINK, DIAG_NO_OFFSET, "expected %u imports, found %u",
                    ir->n_imports, n_imports);
    TRY(rt_check_imports(module, imports, diag));
    Instance *inst = new_instance(store, module);
    if (!inst)
        return FAIL_NOMEM(diag);
    link_imports(inst, imports);
    init_defined(inst);
    TRY(init_globals(inst, diag));
    TRY(create_tables(inst, diag));
    TRY(create_memories(inst, diag));
    TRY(rt_gc_eval_elems(inst, diag));
    TRY(init_elems(inst, out_trap, diag));
    TRY(init_datas(inst, out_trap, diag));
    TRY(run_start(inst, out_trap, diag));
    *out = inst;
    return OK;
}

bool rt_instance_export(Instance *instance, const char *name, size_t len, Extern *out) {
    const RtModule *m = instance->module;
    uint32_t e;
    if (!map_get(&rt_module_impl(m)->exports, name, len, &e))
        return false;
    const Export *ex = &m->ir->exports[e];
    VMContext *cx = instance->vmctx;
    out->kind = ex->kind;
    switch (ex->kind) {
    case EXTERN_FUNC: out->func = vmctx_funcs(cx)[ex->index]; break;
    case EXTERN_TABLE: out->table = vmctx_tables(cx)[ex->index]; break;
    case EXTERN_MEMORY: out->memory = vmctx_memories(cx)[ex->index]; break;
    case EXTERN_GLOBAL: out->global = instance->globals[ex->index]; break;
    case EXTERN_TAG: out->tag = vmctx_tags(cx)[ex->index]; break;
    default: return false;
    }
    return true;
}

VMContext *rt_instance_vmctx(Instance *instance) {
    return instance->vmctx;
}
