/* Globals, tables, memories, extern types and instances over the runtime's
 * store-owned objects. Values are checked against the object's type; a
 * mismatch makes set/grow return false (or a creation NULL), never a crash. */
#include <stdio.h>
#include <string.h>

#include "api_int.h"

static bool alive(const ApiObj *o, ObjKind kind) {
    return o && o->kind == kind && o->store && o->u.func;
}

/* ---- Globals ------------------------------------------------------------------------ */

wasm_global_t *wasm_global_new(wasm_store_t *store, const wasm_globaltype_t *type,
                               const wasm_val_t *val) {
    if (!store || !type || !val)
        return NULL;
    GlobalType gt;
    memset(&gt, 0, sizeof gt);
    gt.type = wasm_globaltype_content(type)->type;
    gt.mutable_ = wasm_globaltype_mutability(type) == WASM_VAR;
    ValRaw raw;
    char why[160];
    if (!api_val_to_raw(store, val, gt.type, &raw, why, sizeof why))
        return NULL;
    RtGlobal *g = rt_global_new(store->rt, gt, raw);
    return g ? (wasm_global_t *)api_intern(store, OBJ_GLOBAL, g) : NULL;
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *global) {
    const ApiObj *o = api_obj(global);
    if (!alive(o, OBJ_GLOBAL))
        return NULL;
    return api_globaltype_from(o->u.global->type, o->store->engine->rt, NULL);
}

void wasm_global_get(const wasm_global_t *global, wasm_val_t *out) {
    const ApiObj *o = api_obj(global);
    if (!out)
        return;
    if (!alive(o, OBJ_GLOBAL) ||
        !api_val_from_raw(o->store, o->u.global->type.type, o->u.global->value, out)) {
        memset(out, 0, sizeof *out);
        out->kind = WASM_EXTERNREF; /* a null reference: safe to delete */
    }
}

/* Setting an immutable global, or a value of the wrong kind, does nothing
 * (the standard defines no failure channel here). */
void wasm_global_set(wasm_global_t *global, const wasm_val_t *val) {
    ApiObj *o = api_obj(global);
    if (!alive(o, OBJ_GLOBAL) || !val || !o->u.global->type.mutable_)
        return;
    ValRaw raw;
    char why[160];
    if (api_val_to_raw(o->store, val, o->u.global->type.type, &raw, why, sizeof why))
        *o->u.global->value = raw;
}

/* ---- Tables ----------------------------------------------------------------------------- */

/* A reference as a raw table element of `table`'s element type. */
static bool table_ref(ApiObj *table_obj, const wasm_ref_t *ref, void **out) {
    RtTable *t = table_obj->u.table;
    wasm_val_t v;
    v.kind = api_valkind_of(t->elem_type, t->elem_type.heap >= 0);
    v.of.ref = (wasm_ref_t *)ref;
    ValRaw raw;
    char why[160];
    if (!api_val_to_raw(table_obj->store, &v, t->elem_type, &raw, why, sizeof why))
        return false;
    *out = raw.ref;
    return true;
}

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *type, wasm_ref_t *init) {
    if (!store || !type)
        return NULL;
    TableType tt;
    memset(&tt, 0, sizeof tt);
    tt.elem = wasm_tabletype_element(type)->type;
    tt.limits = api_limits_to(wasm_tabletype_limits(type));
    if (tt.limits.has_max && tt.limits.max < tt.limits.min)
        return NULL;
    wasm_val_t v;
    v.kind = wasm_tabletype_element(type)->kind;
    v.of.ref = init;
    ValRaw raw;
    char why[160];
    if (!api_val_to_raw(store, &v, tt.elem, &raw, why, sizeof why))
        return NULL;
    RtTable *t = rt_table_new(store->rt, tt, raw.ref);
    return t ? (wasm_table_t *)api_intern(store, OBJ_TABLE, t) : NULL;
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *table) {
    const ApiObj *o = api_obj(table);
    if (!alive(o, OBJ_TABLE))
        return NULL;
    TableType tt = o->u.table->type;
    tt.elem = o->u.table->elem_type;
    tt.limits.min = o->u.table->size;
    return api_tabletype_from(tt, o->store->engine->rt, NULL);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *table, wasm_table_size_t index) {
    const ApiObj *o = api_obj(table);
    if (!alive(o, OBJ_TABLE) || index >= o->u.table->size)
        return NULL;
    ValRaw raw;
    memset(&raw, 0, sizeof raw);
    raw.ref = o->u.table->elems[index];
    wasm_val_t v;
    if (!api_val_from_raw(o->store, o->u.table->elem_type, &raw, &v))
        return NULL;
    return v.of.ref;
}

bool wasm_table_set(wasm_table_t *table, wasm_table_size_t index, wasm_ref_t *ref) {
    ApiObj *o = api_obj(table);
    void *elem;
    if (!alive(o, OBJ_TABLE) || index >= o->u.table->size || !table_ref(o, ref, &elem))
        return false;
    o->u.table->elems[index] = elem;
    return true;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *table) {
    const ApiObj *o = api_obj(table);
    if (!alive(o, OBJ_TABLE))
        return 0;
    return o->u.table->size > UINT32_MAX ? UINT32_MAX : (wasm_table_size_t)o->u.table->size;
}

bool wasm_table_grow(wasm_table_t *table, wasm_table_size_t delta, wasm_ref_t *init) {
    ApiObj *o = api_obj(table);
    void *elem;
    uint64_t old;
    if (!alive(o, OBJ_TABLE) || !table_ref(o, init, &elem))
        return false;
    return rt_table_grow(o->u.table, delta, elem, &old);
}

/* ---- Memories ------------------------------------------------------------------------------ */

wasm_memory_t *wasm_memory_new(wasm_store_t *store, const wasm_memorytype_t *type) {
    if (!store || !type)
        return NULL;
    MemType mt = api_limits_to(wasm_memorytype_limits(type));
    if ((mt.has_max && mt.max < mt.min) || mt.min > RT_MEMORY32_MAX_PAGES ||
        (mt.has_max && mt.max > RT_MEMORY32_MAX_PAGES))
        return NULL;
    RtMemory *m = rt_memory_new(store->rt, mt);
    return m ? (wasm_memory_t *)api_intern(store, OBJ_MEMORY, m) : NULL;
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *memory) {
    const ApiObj *o = api_obj(memory);
    if (!alive(o, OBJ_MEMORY))
        return NULL;
    MemType mt = o->u.memory->type;
    mt.min = o->u.memory->length / RT_PAGE_SIZE;
    return api_memorytype_from(mt);
}

byte_t *wasm_memory_data(wasm_memory_t *memory) {
    const ApiObj *o = api_obj(memory);
    return alive(o, OBJ_MEMORY) ? (byte_t *)o->u.memory->base : NULL;
}

size_t wasm_memory_data_size(const wasm_memory_t *memory) {
    const ApiObj *o = api_obj(memory);
    return alive(o, OBJ_MEMORY) ? (size_t)o->u.memory->length : 0;
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *memory) {
    const ApiObj *o = api_obj(memory);
    if (!alive(o, OBJ_MEMORY))
        return 0;
    uint64_t pages = o->u.memory->length / RT_PAGE_SIZE;
    return pages > UINT32_MAX ? UINT32_MAX : (wasm_memory_pages_t)pages;
}

bool wasm_memory_grow(wasm_memory_t *memory, wasm_memory_pages_t delta) {
    ApiObj *o = api_obj(memory);
    uint64_t old;
    return alive(o, OBJ_MEMORY) && rt_memory_grow(o->u.memory, delta, &old);
}

/* ---- Extern types ----------------------------------------------------------------------------- */

static wasm_externtype_t *tag_type(const ApiObj *o) {
    const Engine *engine = o->store->engine->rt;
    const SubType *st = mod_registry_type(engine->types, o->u.tag->canon_type);
    return api_et(wasm_tagtype_new(api_functype_from(&st->func, engine, NULL)));
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e) {
    const ApiObj *o = api_obj(e);
    if (!o || !o->store)
        return NULL;
    switch (o->kind) {
    case OBJ_FUNC: return api_et(wasm_func_type((const wasm_func_t *)e));
    case OBJ_GLOBAL: return api_et(wasm_global_type((const wasm_global_t *)e));
    case OBJ_TABLE: return api_et(wasm_table_type((const wasm_table_t *)e));
    case OBJ_MEMORY: return api_et(wasm_memory_type((const wasm_memory_t *)e));
    case OBJ_TAG: return tag_type(o);
    default: return NULL;
    }
}

/* ---- Instances ------------------------------------------------------------------------------- */

static void set_trap(wasm_trap_t **trap, ApiObj *t) {
    if (trap)
        *trap = (wasm_trap_t *)t;
    else
        api_release(t);
}

/* Imports in module order as runtime externs; a message in why on failure. */
static bool collect_imports(wasm_store_t *store, const Module *ir, const wasm_extern_vec_t *imports,
                            Extern *exts, char *why, size_t why_size) {
    size_t given = imports ? imports->size : 0;
    if (given != ir->n_imports) {
        snprintf(why, why_size, "expected %u imports, got %zu", ir->n_imports, given);
        return false;
    }
    for (uint32_t i = 0; i < ir->n_imports; i++) {
        const ApiObj *o = api_obj(imports->data[i]);
        if (!o || !api_extern_of(o, &exts[i]) || o->store != store) {
            snprintf(why, why_size, "import %u (%.*s::%.*s): %s", i,
                     (int)ir->imports[i].module.len, ir->imports[i].module.str,
                     (int)ir->imports[i].field.len, ir->imports[i].field.str,
                     o ? "an extern of another (or a deleted) store" : "NULL");
            return false;
        }
    }
    return true;
}

/* Runtime instantiation's outcome as an instance object, or a trap. */
static wasm_instance_t *instantiated(wasm_store_t *store, Err err, Instance *inst, Trap *rt_trap,
                                     const Diag *diag, wasm_trap_t **trap) {
    if (err == ERR_TRAP) {
        set_trap(trap, api_trap_from_rt(store, rt_trap, NULL));
        rt_trap_delete(rt_trap);
        return NULL;
    }
    if (err != OK) {
        char text[DIAG_MSG_MAX + 64];
        diag_format(diag, text, sizeof text);
        set_trap(trap, api_trap_msg("%s", text));
        return NULL;
    }
    ApiObj *o = api_intern(store, OBJ_INSTANCE, inst);
    if (o)
        store->last_instance = o;
    else
        set_trap(trap, api_trap_msg("out of memory"));
    return (wasm_instance_t *)o;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *store, const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap) {
    if (trap)
        *trap = NULL;
    const ApiObj *mo = api_obj(module);
    if (!store || !mo || mo->kind != OBJ_MODULE) {
        set_trap(trap, api_trap_msg("wasm_instance_new: NULL store or module"));
        return NULL;
    }
    RtModule *m = mo->u.module;
    if (m->engine != store->engine->rt) {
        set_trap(trap, api_trap_msg("wasm_instance_new: module of another engine"));
        return NULL;
    }
    Extern *exts = mem_calloc(m->ir->n_imports + 1, sizeof *exts);
    char why[256];
    if (!exts || !collect_imports(store, m->ir, imports, exts, why, sizeof why)) {
        mem_free(exts);
        set_trap(trap, api_trap_msg("instantiation: %s", exts ? why : "out of memory"));
        return NULL;
    }
    Instance *inst = NULL;
    Trap *rt_trap = NULL;
    Diag diag;
    diag_clear(&diag);
    Err err = rt_instantiate(store->rt, m, exts, m->ir->n_imports, &inst, &rt_trap, &diag);
    mem_free(exts);
    return instantiated(store, err, inst, rt_trap, &diag, trap);
}

void wasm_instance_exports(const wasm_instance_t *instance, wasm_extern_vec_t *out) {
    const ApiObj *o = api_obj(instance);
    if (!o || o->kind != OBJ_INSTANCE || !o->store || !o->u.instance) {
        wasm_extern_vec_new_empty(out);
        return;
    }
    const Module *ir = rt_instance_vmctx(o->u.instance)->module->ir;
    wasm_extern_vec_new_uninitialized(out, ir->n_exports);
    for (size_t i = 0; i < out->size; i++) {
        Extern ext;
        const Export *exp = &ir->exports[i];
        if (!rt_instance_export(o->u.instance, exp->name.str, exp->name.len, &ext) ||
            !(out->data[i] = (wasm_extern_t *)api_extern_obj(o->store, &ext))) {
            wasm_extern_vec_delete(out);
            return;
        }
    }
}
