/* Component validator, visibility of types (Explainer.md: external
 * visibility): every record, variant, enum, flags and resource that an
 * import's or export's type refers to must itself have been imported or
 * exported before (wasmparser: validate_and_register_named_types). Each scope
 * keeps the identities usable by imports and by exports; an `eq` type bound
 * creates a new identity for the same type. Also the free-resource check of
 * outer type aliases. */
#include <string.h>

#include "comp_valid_int.h"

static bool nameable(const CompValType *t) {
    return t->kind == CVT_RECORD || t->kind == CVT_VARIANT || t->kind == CVT_ENUM ||
           t->kind == CVT_FLAGS;
}

NameId cv_bound_ident(const CompTypeBound *b) {
    if (b->resource)
        return (NameId){b->resource, b->alias};
    if (b->eq && b->eq->kind == CDEF_VAL)
        return (NameId){b->eq->val, NULL};
    return (NameId){b->eq, NULL};
}

Err cv_unique_bound(V *v, CompTypeBound *b) {
    if (b->sub_resource)
        return OK;
    if (b->resource) {
        b->alias = cv_alloc(v, 1, 1);
        return b->alias ? OK : cv_nomem(v);
    }
    if (!b->eq || b->eq->kind != CDEF_VAL || !nameable(b->eq->val))
        return OK;
    CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
    CompValType *copy = cv_alloc(v, 1, sizeof *copy);
    if (!dt || !copy)
        return cv_nomem(v);
    *copy = *b->eq->val;
    dt->kind = CDEF_VAL;
    dt->val = copy;
    b->eq = dt;
    return OK;
}

static bool set_has(const NameSet *s, NameId id) {
    for (size_t i = 0; i < s->len; i++)
        if (s->data[i].a == id.a && s->data[i].b == id.b)
            return true;
    return false;
}

/* spec (wasmparser): type_named_valtype */
static bool type_named(const NameSet *s, const CompValType *t) {
    if (!t || t->kind <= CVT_ERROR_CONTEXT)
        return true;
    switch (t->kind) {
    case CVT_RECORD:
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_FLAGS: return set_has(s, (NameId){t, NULL});
    case CVT_OWN:
    case CVT_BORROW: return set_has(s, (NameId){t->resource, t->alias});
    case CVT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            if (!type_named(s, t->elems[i]))
                return false;
        return true;
    case CVT_RESULT: return type_named(s, t->result.ok) && type_named(s, t->result.err);
    case CVT_MAP: return type_named(s, t->map.key) && type_named(s, t->map.value);
    default: return type_named(s, t->elem);
    }
}

/* The first layer of a defined type: its parts must be named. */
static bool defined_named(const NameSet *s, const CompValType *t) {
    switch (t->kind) {
    case CVT_ENUM:
    case CVT_FLAGS: return true;
    case CVT_RECORD:
        for (uint32_t i = 0; i < t->n; i++)
            if (!type_named(s, t->fields[i].type))
                return false;
        return true;
    case CVT_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if (!type_named(s, t->cases[i].type))
                return false;
        return true;
    default: return type_named(s, t);
    }
}

static bool func_named(const NameSet *s, const CompFuncType *f) {
    for (uint32_t i = 0; i < f->n_params; i++)
        if (!type_named(s, f->params[i].type))
            return false;
    for (uint32_t i = 0; i < f->n_results; i++)
        if (!type_named(s, f->results[i].type))
            return false;
    return true;
}

static bool instance_named(const NameSet *s, const CompInstanceType *it);

static bool bound_named(const NameSet *s, const CompTypeBound *b) {
    if (b->resource || !b->eq)
        return true;
    switch (b->eq->kind) {
    case CDEF_VAL: return defined_named(s, b->eq->val);
    case CDEF_FUNC: return func_named(s, b->eq->func);
    case CDEF_INSTANCE: return instance_named(s, b->eq->instance);
    default: return true;
    }
}

static bool instance_named(const NameSet *s, const CompInstanceType *it) {
    for (uint32_t i = 0; i < it->n_exports; i++) {
        const CompExternType *t = &it->exports[i].type;
        bool ok = true;
        switch (t->kind) {
        case CEXT_FUNC: ok = func_named(s, t->func); break;
        case CEXT_TYPE: ok = bound_named(s, &t->type); break;
        case CEXT_VALUE: ok = defined_named(s, t->value); break;
        case CEXT_INSTANCE: ok = instance_named(s, t->instance); break;
        default: break;
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool add_named(V *v, NameSet *s, NameId id) {
    if (set_has(s, id))
        return true;
    if (!VEC_PUSH(s, id))
        v->oom = true;
    return true;
}

static bool register_named(V *v, bool is_import, const CompExternType *t) {
    VScope *sc = v->scope;
    const NameSet *s = is_import ? &sc->named_imp : &sc->named_exp;
    switch (t->kind) {
    case CEXT_TYPE: {
        if (!bound_named(s, &t->type))
            return false;
        NameId id = cv_bound_ident(&t->type);
        if (is_import)
            add_named(v, &sc->named_imp, id);
        return add_named(v, &sc->named_exp, id);
    }
    case CEXT_INSTANCE:
        for (uint32_t i = 0; i < t->instance->n_exports; i++)
            if (!register_named(v, is_import, &t->instance->exports[i].type))
                return false;
        return true;
    case CEXT_FUNC: return func_named(s, t->func);
    case CEXT_VALUE: return type_named(s, t->value);
    default: return true;
    }
}

bool cv_register_named(V *v, bool is_import, const CompExternType *t) {
    if (v->scope->kind == VS_INSTANCE_TYPE)
        return true;
    return register_named(v, is_import, t);
}

const char *cv_extern_desc(uint8_t kind) {
    static const char *const names[] = {"module", "func",      "value",
                                        "type",   "component", "instance"};
    return kind < 6 ? names[kind] : "?";
}

/* ---- Free resources --------------------------------------------------------- */

/* The resources a type refers to (`used`) and those it introduces itself
 * (`bound`: `(sub resource)` imports and exports, defined resources). */
typedef struct FreeScan {
    ResVec used, bound;
    bool oom;
} FreeScan;

static void scan_res(FreeScan *f, ResVec *into, const CompResourceType *r) {
    if (r && !VEC_PUSH(into, r))
        f->oom = true;
}

static void scan_val(FreeScan *f, const CompValType *t) {
    if (!t || !(t->abi.contains & (CVT_HAS_OWN | CVT_HAS_BORROW)))
        return;
    switch (t->kind) {
    case CVT_OWN:
    case CVT_BORROW: scan_res(f, &f->used, t->resource); return;
    case CVT_RECORD:
        for (uint32_t i = 0; i < t->n; i++)
            scan_val(f, t->fields[i].type);
        return;
    case CVT_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            scan_val(f, t->cases[i].type);
        return;
    case CVT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            scan_val(f, t->elems[i]);
        return;
    case CVT_RESULT:
        scan_val(f, t->result.ok);
        scan_val(f, t->result.err);
        return;
    case CVT_MAP:
        scan_val(f, t->map.key);
        scan_val(f, t->map.value);
        return;
    default: scan_val(f, t->elem); return;
    }
}

static void scan_def(FreeScan *f, const CompDefType *t);

static void scan_func(FreeScan *f, const CompFuncType *ft) {
    for (uint32_t i = 0; i < ft->n_params; i++)
        scan_val(f, ft->params[i].type);
    for (uint32_t i = 0; i < ft->n_results; i++)
        scan_val(f, ft->results[i].type);
}

static void scan_decls(FreeScan *f, const CompExternDecl *d, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const CompExternType *t = &d[i].type;
        switch (t->kind) {
        case CEXT_FUNC: scan_func(f, t->func); break;
        case CEXT_VALUE: scan_val(f, t->value); break;
        case CEXT_TYPE:
            scan_res(f, t->type.sub_resource ? &f->bound : &f->used, t->type.resource);
            if (t->type.eq)
                scan_def(f, t->type.eq);
            break;
        case CEXT_INSTANCE: {
            CompDefType d2 = {.kind = CDEF_INSTANCE, .instance = t->instance};
            scan_def(f, &d2);
            break;
        }
        case CEXT_COMPONENT: {
            CompDefType d2 = {.kind = CDEF_COMPONENT, .component = t->component};
            scan_def(f, &d2);
            break;
        }
        default: break;
        }
    }
}

static void scan_def(FreeScan *f, const CompDefType *t) {
    switch (t->kind) {
    case CDEF_VAL: scan_val(f, t->val); return;
    case CDEF_FUNC: scan_func(f, t->func); return;
    case CDEF_RESOURCE: scan_res(f, &f->used, t->resource); return;
    case CDEF_INSTANCE:
        for (uint32_t i = 0; i < t->instance->n_defined; i++)
            scan_res(f, &f->bound, t->instance->defined[i]);
        scan_decls(f, t->instance->exports, t->instance->n_exports);
        return;
    default:
        for (uint32_t i = 0; i < t->component->n_defined; i++)
            scan_res(f, &f->bound, t->component->defined[i]);
        scan_decls(f, t->component->imports, t->component->n_imports);
        scan_decls(f, t->component->exports, t->component->n_exports);
        return;
    }
}

bool cv_deftype_has_free(V *v, const CompDefType *t) {
    FreeScan f = {0};
    scan_def(&f, t);
    bool free_res = false;
    for (size_t i = 0; i < f.used.len && !free_res; i++) {
        bool found = false;
        for (size_t j = 0; j < f.bound.len && !found; j++)
            found = f.bound.data[j] == f.used.data[i];
        free_res = !found;
    }
    v->oom |= f.oom;
    VEC_FREE(&f.used);
    VEC_FREE(&f.bound);
    return free_res;
}
