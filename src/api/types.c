/* Type objects of wasm.h: value, function, global, table, memory, tag,
 * extern, import and export types, and their conversion from runtime types.
 * Each is an owned plain object; the five extern kinds share one struct
 * (api_int.h) so the as_externtype views are casts. */
#include <string.h>

#include "api_int.h"

/* ---- Value types --------------------------------------------------------------------- */

wasm_valkind_t api_valkind_of(ValType t, bool concrete_is_func) {
    switch (t.kind) {
    case VK_I32: return WASM_I32;
    case VK_I64: return WASM_I64;
    case VK_F32: return WASM_F32;
    case VK_F64: return WASM_F64;
    case VK_V128: return API_V128_KIND;
    default: break;
    }
    if (t.heap >= 0)
        return concrete_is_func ? WASM_FUNCREF : WASM_EXTERNREF;
    return t.heap == HT_FUNC || t.heap == HT_NOFUNC ? WASM_FUNCREF : WASM_EXTERNREF;
}

bool api_valtype_to(wasm_valkind_t kind, ValType *out) {
    switch (kind) {
    case WASM_I32: *out = ir_valtype(VK_I32); return true;
    case WASM_I64: *out = ir_valtype(VK_I64); return true;
    case WASM_F32: *out = ir_valtype(VK_F32); return true;
    case WASM_F64: *out = ir_valtype(VK_F64); return true;
    case API_V128_KIND: *out = ir_valtype(VK_V128); return true;
    case WASM_EXTERNREF: *out = ir_reftype(true, HT_EXTERN); return true;
    case WASM_FUNCREF: *out = ir_reftype(true, HT_FUNC); return true;
    default: return false;
    }
}

static bool concrete_is_func(ValType t, const Engine *engine, const Module *module) {
    if (t.kind != VK_REF || t.heap < 0)
        return false;
    if (module)
        return (uint32_t)t.heap < module->n_types && module->types[t.heap].kind == COMP_FUNC;
    if (engine && (uint32_t)t.heap < mod_registry_count(engine->types))
        return mod_registry_type(engine->types, (uint32_t)t.heap)->kind == COMP_FUNC;
    return false;
}

wasm_valtype_t *api_valtype_from(ValType t, const Engine *engine, const Module *module) {
    wasm_valtype_t *vt = mem_alloc(sizeof *vt);
    if (!vt)
        return NULL;
    vt->kind = api_valkind_of(t, concrete_is_func(t, engine, module));
    vt->type = t;
    return vt;
}

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind) {
    ValType t;
    if (!api_valtype_to(kind, &t))
        return NULL;
    wasm_valtype_t *vt = mem_alloc(sizeof *vt);
    if (!vt)
        return NULL;
    vt->kind = kind;
    vt->type = t;
    return vt;
}

void wasm_valtype_delete(wasm_valtype_t *t) {
    mem_free(t);
}

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) {
    if (!t)
        return NULL;
    wasm_valtype_t *c = mem_alloc(sizeof *c);
    if (c)
        *c = *t;
    return c;
}

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) {
    return t ? t->kind : WASM_I32;
}

/* ---- Limits --------------------------------------------------------------------------- */

wasm_limits_t api_limits_from(Limits l) {
    wasm_limits_t out;
    out.min = l.min > UINT32_MAX ? UINT32_MAX : (uint32_t)l.min;
    out.max = !l.has_max || l.max > UINT32_MAX ? wasm_limits_max_default : (uint32_t)l.max;
    return out;
}

Limits api_limits_to(const wasm_limits_t *l) {
    Limits out;
    memset(&out, 0, sizeof out);
    out.min = l->min;
    out.has_max = l->max != wasm_limits_max_default;
    out.max = out.has_max ? l->max : 0;
    return out;
}

/* ---- Extern types ------------------------------------------------------------------------ */

static wasm_externtype_t *externtype_new(wasm_externkind_t kind) {
    wasm_externtype_t *t = mem_calloc(1, sizeof *t);
    if (t)
        t->kind = kind;
    return t;
}

void wasm_externtype_delete(wasm_externtype_t *t) {
    if (!t)
        return;
    switch (t->kind) {
    case WASM_EXTERN_FUNC:
        wasm_valtype_vec_delete(&t->u.func.params);
        wasm_valtype_vec_delete(&t->u.func.results);
        break;
    case WASM_EXTERN_GLOBAL: wasm_valtype_delete(t->u.global.content); break;
    case WASM_EXTERN_TABLE: wasm_valtype_delete(t->u.table.element); break;
    case WASM_EXTERN_TAG: wasm_externtype_delete(api_et(t->u.tag.functype)); break;
    default: break;
    }
    mem_free(t);
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t) {
    if (!t)
        return NULL;
    wasm_externtype_t *c = externtype_new(t->kind);
    if (!c)
        return NULL;
    bool ok = true;
    switch (t->kind) {
    case WASM_EXTERN_FUNC:
        wasm_valtype_vec_copy(&c->u.func.params, &t->u.func.params);
        wasm_valtype_vec_copy(&c->u.func.results, &t->u.func.results);
        ok = (c->u.func.params.data || !t->u.func.params.size) &&
             (c->u.func.results.data || !t->u.func.results.size);
        break;
    case WASM_EXTERN_GLOBAL:
        c->u.global = t->u.global;
        ok = (c->u.global.content = wasm_valtype_copy(t->u.global.content)) != NULL;
        break;
    case WASM_EXTERN_TABLE:
        c->u.table = t->u.table;
        ok = (c->u.table.element = wasm_valtype_copy(t->u.table.element)) != NULL;
        break;
    case WASM_EXTERN_MEMORY: c->u.memory = t->u.memory; break;
    case WASM_EXTERN_TAG:
        c->u.tag.functype = (wasm_functype_t *)wasm_externtype_copy(api_et(t->u.tag.functype));
        ok = c->u.tag.functype != NULL;
        break;
    default: break;
    }
    if (!ok) {
        wasm_externtype_delete(c);
        return NULL;
    }
    return c;
}

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) {
    return t ? t->kind : WASM_EXTERN_FUNC;
}

/* The five kinds: delete, copy, and the views in both directions. */
#define EXTERNTYPE_KIND(name, KIND)                                                                \
    void wasm_##name##_delete(wasm_##name##_t *t) {                                                \
        wasm_externtype_delete(api_et(t));                                                         \
    }                                                                                              \
    wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *t) {                                \
        return (wasm_##name##_t *)wasm_externtype_copy(api_et(t));                                 \
    }                                                                                              \
    wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) {                           \
        return api_et(t);                                                                          \
    }                                                                                              \
    const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t) {         \
        return api_et(t);                                                                          \
    }                                                                                              \
    wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t) {                             \
        return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;                                 \
    }                                                                                              \
    const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *t) {         \
        return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;                           \
    }

EXTERNTYPE_KIND(functype, WASM_EXTERN_FUNC)
EXTERNTYPE_KIND(globaltype, WASM_EXTERN_GLOBAL)
EXTERNTYPE_KIND(tabletype, WASM_EXTERN_TABLE)
EXTERNTYPE_KIND(memorytype, WASM_EXTERN_MEMORY)
EXTERNTYPE_KIND(tagtype, WASM_EXTERN_TAG)

/* ---- Function types ----------------------------------------------------------------------- */

static bool all_set(const wasm_valtype_vec_t *v) {
    for (size_t i = 0; i < v->size; i++)
        if (!v->data[i])
            return false;
    return true;
}

/* NULL elements (a failed wasm_valtype_new) make the whole type fail. */
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results) {
    wasm_externtype_t *t = NULL;
    if (params && results && all_set(params) && all_set(results))
        t = externtype_new(WASM_EXTERN_FUNC);
    if (!t) {
        wasm_valtype_vec_delete(params);
        wasm_valtype_vec_delete(results);
        return NULL;
    }
    t->u.func.params = *params;
    t->u.func.results = *results;
    /* Ownership moved: the caller's vectors no longer own the elements. */
    params->size = 0, params->data = NULL;
    results->size = 0, results->data = NULL;
    return (wasm_functype_t *)t;
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) {
    return &api_et(t)->u.func.params;
}

const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) {
    return &api_et(t)->u.func.results;
}

static bool valtypes_from(const ValType *types, uint32_t n, const Engine *engine,
                          const Module *module, wasm_valtype_vec_t *out) {
    wasm_valtype_vec_new_uninitialized(out, n);
    if (n && !out->data)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        out->data[i] = api_valtype_from(types[i], engine, module);
        if (!out->data[i])
            return false;
    }
    return true;
}

wasm_functype_t *api_functype_from(const FuncType *ft, const Engine *engine,
                                   const Module *module) {
    wasm_externtype_t *t = externtype_new(WASM_EXTERN_FUNC);
    if (!t)
        return NULL;
    if (!valtypes_from(ft->params, ft->n_params, engine, module, &t->u.func.params) ||
        !valtypes_from(ft->results, ft->n_results, engine, module, &t->u.func.results)) {
        wasm_externtype_delete(t);
        return NULL;
    }
    return (wasm_functype_t *)t;
}

/* ---- Global, table, memory and tag types ------------------------------------------------------ */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mutability) {
    if (!content)
        return NULL;
    wasm_externtype_t *t = externtype_new(WASM_EXTERN_GLOBAL);
    if (!t) {
        wasm_valtype_delete(content);
        return NULL;
    }
    t->u.global.content = content;
    t->u.global.mutability = mutability;
    return (wasm_globaltype_t *)t;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) {
    return api_et(t)->u.global.content;
}

wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) {
    return api_et(t)->u.global.mutability;
}

wasm_globaltype_t *api_globaltype_from(GlobalType g, const Engine *engine, const Module *module) {
    wasm_valtype_t *content = api_valtype_from(g.type, engine, module);
    return content ? wasm_globaltype_new(content, g.mutable_ ? WASM_VAR : WASM_CONST) : NULL;
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element, const wasm_limits_t *limits) {
    if (!element || !limits) {
        wasm_valtype_delete(element);
        return NULL;
    }
    wasm_externtype_t *t = externtype_new(WASM_EXTERN_TABLE);
    if (!t) {
        wasm_valtype_delete(element);
        return NULL;
    }
    t->u.table.element = element;
    t->u.table.limits = *limits;
    return (wasm_tabletype_t *)t;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) {
    return api_et(t)->u.table.element;
}

const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) {
    return &api_et(t)->u.table.limits;
}

wasm_tabletype_t *api_tabletype_from(TableType tt, const Engine *engine, const Module *module) {
    wasm_valtype_t *elem = api_valtype_from(tt.elem, engine, module);
    wasm_limits_t limits = api_limits_from(tt.limits);
    return elem ? wasm_tabletype_new(elem, &limits) : NULL;
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits) {
    if (!limits)
        return NULL;
    wasm_externtype_t *t = externtype_new(WASM_EXTERN_MEMORY);
    if (t)
        t->u.memory.limits = *limits;
    return (wasm_memorytype_t *)t;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) {
    return &api_et(t)->u.memory.limits;
}

wasm_memorytype_t *api_memorytype_from(MemType m) {
    wasm_limits_t limits = api_limits_from(m);
    return wasm_memorytype_new(&limits);
}

wasm_tagtype_t *wasm_tagtype_new(wasm_functype_t *functype) {
    if (!functype)
        return NULL;
    wasm_externtype_t *t = externtype_new(WASM_EXTERN_TAG);
    if (!t) {
        wasm_functype_delete(functype);
        return NULL;
    }
    t->u.tag.functype = functype;
    return (wasm_tagtype_t *)t;
}

const wasm_functype_t *wasm_tagtype_functype(const wasm_tagtype_t *t) {
    return api_et(t)->u.tag.functype;
}

/* ---- Import and export types --------------------------------------------------------------- */

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type) {
    wasm_importtype_t *t = mem_alloc(sizeof *t);
    if (!t || !module || !name || !type) {
        mem_free(t);
        if (module)
            wasm_name_delete(module);
        if (name)
            wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    t->module = *module;
    t->name = *name;
    t->type = type;
    module->size = 0, module->data = NULL;
    name->size = 0, name->data = NULL;
    return t;
}

void wasm_importtype_delete(wasm_importtype_t *t) {
    if (!t)
        return;
    wasm_name_delete(&t->module);
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    mem_free(t);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t) {
    if (!t)
        return NULL;
    wasm_name_t module, name;
    wasm_name_copy(&module, &t->module);
    wasm_name_copy(&name, &t->name);
    return wasm_importtype_new(&module, &name, wasm_externtype_copy(t->type));
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) {
    return &t->module;
}

const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) {
    return &t->name;
}

const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) {
    return t->type;
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type) {
    wasm_exporttype_t *t = mem_alloc(sizeof *t);
    if (!t || !name || !type) {
        mem_free(t);
        if (name)
            wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    t->name = *name;
    t->type = type;
    name->size = 0, name->data = NULL;
    return t;
}

void wasm_exporttype_delete(wasm_exporttype_t *t) {
    if (!t)
        return;
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    mem_free(t);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t) {
    if (!t)
        return NULL;
    wasm_name_t name;
    wasm_name_copy(&name, &t->name);
    return wasm_exporttype_new(&name, wasm_externtype_copy(t->type));
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) {
    return &t->name;
}

const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) {
    return t->type;
}
