/* Type equality and subtyping over a module's types (spec: Validation >
 * Matching). Concrete heap types are compared through their canonical ids, so
 * two indices naming iso-recursively equal types are the same type and declared
 * subtyping is answered by the engine-wide registry in O(1). */
#include <stdio.h>

#include "module_int.h"

bool mod_defaultable(ValType t) {
    return t.kind != VK_REF || t.nullable;
}

static CompKind kind_of(const Module *mod, int32_t heap) {
    return mod->types[heap].kind;
}

int32_t mod_heap_top(const Module *mod, int32_t heap) {
    if (ht_is_concrete(heap))
        return kind_of(mod, heap) == COMP_FUNC ? HT_FUNC : HT_ANY;
    switch (heap) {
    case HT_FUNC:
    case HT_NOFUNC:
        return HT_FUNC;
    case HT_EXTERN:
    case HT_NOEXTERN:
        return HT_EXTERN;
    case HT_EXN:
    case HT_NOEXN:
        return HT_EXN;
    case HT_BOT:
        return HT_BOT;
    default:
        return HT_ANY;
    }
}

/* Abstract `a` below abstract `b`. */
static bool abstract_sub(int32_t a, int32_t b) {
    if (a == b)
        return true;
    switch (a) {
    case HT_NONE:
        return b == HT_ANY || b == HT_EQ || b == HT_I31 || b == HT_STRUCT || b == HT_ARRAY;
    case HT_I31:
    case HT_STRUCT:
    case HT_ARRAY:
        return b == HT_EQ || b == HT_ANY;
    case HT_EQ:
        return b == HT_ANY;
    case HT_NOFUNC:
        return b == HT_FUNC;
    case HT_NOEXTERN:
        return b == HT_EXTERN;
    case HT_NOEXN:
        return b == HT_EXN;
    default:
        return false;
    }
}

/* Concrete type of kind `k` below abstract `b`. */
static bool concrete_below(CompKind k, int32_t b) {
    switch (k) {
    case COMP_FUNC:
        return b == HT_FUNC;
    case COMP_STRUCT:
        return b == HT_STRUCT || b == HT_EQ || b == HT_ANY;
    case COMP_ARRAY:
        return b == HT_ARRAY || b == HT_EQ || b == HT_ANY;
    }
    return false;
}

/* Abstract `a` below concrete type of kind `k`. */
static bool abstract_below(int32_t a, CompKind k) {
    if (a == HT_NOFUNC)
        return k == COMP_FUNC;
    if (a == HT_NONE)
        return k != COMP_FUNC;
    return false;
}

bool mod_heap_sub(const Module *mod, const TypeRegistry *reg, int32_t a, int32_t b) {
    if (a == b || a == HT_BOT)
        return true;
    if (ht_is_concrete(a) && ht_is_concrete(b))
        return mod_registry_is_subtype(reg, mod->types[a].canon, mod->types[b].canon);
    if (ht_is_concrete(a))
        return concrete_below(kind_of(mod, a), b);
    if (ht_is_concrete(b))
        return abstract_below(a, kind_of(mod, b));
    return abstract_sub(a, b);
}

static bool heap_sub_canon(const TypeRegistry *reg, int32_t a, int32_t b) {
    if (a == b || a == HT_BOT)
        return true;
    if (ht_is_concrete(a) && ht_is_concrete(b))
        return mod_registry_is_subtype(reg, (uint32_t)a, (uint32_t)b);
    if (ht_is_concrete(a))
        return concrete_below(mod_registry_type(reg, (uint32_t)a)->kind, b);
    if (ht_is_concrete(b))
        return abstract_below(a, mod_registry_type(reg, (uint32_t)b)->kind);
    return abstract_sub(a, b);
}

bool mod_val_sub_canon(const TypeRegistry *reg, ValType a, ValType b) {
    if (a.kind == VK_BOT)
        return true;
    if (a.kind != b.kind)
        return false;
    if (a.kind != VK_REF)
        return true;
    if (a.nullable && !b.nullable)
        return false;
    return heap_sub_canon(reg, a.heap, b.heap);
}

bool mod_val_sub(const Module *mod, const TypeRegistry *reg, ValType a, ValType b) {
    if (a.kind == VK_BOT)
        return true;
    if (a.kind != b.kind)
        return false;
    if (a.kind != VK_REF)
        return true;
    if (a.nullable && !b.nullable)
        return false;
    return mod_heap_sub(mod, reg, a.heap, b.heap);
}

static bool heap_eq(const Module *mod, int32_t a, int32_t b) {
    if (ht_is_concrete(a) && ht_is_concrete(b))
        return mod->types[a].canon == mod->types[b].canon;
    return a == b;
}

bool mod_val_eq(const Module *mod, ValType a, ValType b) {
    if (a.kind != b.kind)
        return false;
    if (a.kind != VK_REF)
        return true;
    return a.nullable == b.nullable && heap_eq(mod, a.heap, b.heap);
}

bool mod_storage_sub(const Module *mod, const TypeRegistry *reg, ValType a, ValType b) {
    if (a.kind == VK_I8 || a.kind == VK_I16 || b.kind == VK_I8 || b.kind == VK_I16)
        return a.kind == b.kind;
    return mod_val_sub(mod, reg, a, b);
}

/* spec: Matching > Field Types */
static bool field_match(const Module *mod, const TypeRegistry *reg, const FieldType *a,
                        const FieldType *b) {
    if (a->mutable_ != b->mutable_)
        return false;
    if (!mod_storage_sub(mod, reg, a->type, b->type))
        return false;
    return !a->mutable_ || mod_storage_sub(mod, reg, b->type, a->type);
}

static bool func_match(const Module *mod, const TypeRegistry *reg, const FuncType *a,
                       const FuncType *b) {
    if (a->n_params != b->n_params || a->n_results != b->n_results)
        return false;
    for (uint32_t i = 0; i < a->n_params; i++)
        if (!mod_val_sub(mod, reg, b->params[i], a->params[i]))
            return false;
    for (uint32_t i = 0; i < a->n_results; i++)
        if (!mod_val_sub(mod, reg, a->results[i], b->results[i]))
            return false;
    return true;
}

bool mod_comp_match(const Module *mod, const TypeRegistry *reg, const SubType *a,
                      const SubType *b) {
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case COMP_FUNC:
        return func_match(mod, reg, &a->func, &b->func);
    case COMP_STRUCT:
        if (a->strct.n_fields < b->strct.n_fields)
            return false;
        for (uint32_t i = 0; i < b->strct.n_fields; i++)
            if (!field_match(mod, reg, &a->strct.fields[i], &b->strct.fields[i]))
                return false;
        return true;
    case COMP_ARRAY:
        return field_match(mod, reg, &a->array, &b->array);
    }
    return false;
}

