/* Component validator, relations between types: substitution (binding the
 * resources and type imports an instantiation supplies, freshening defined
 * resources), subtyping with the suite's messages (wasmparser's wording,
 * contexts joined by ": ") and core extern subtyping for module types. */
#include <stdio.h>
#include <string.h>

#include "comp_valid_int.h"

static void memo_clear(RMap *m) {
    m->memo_from.len = 0;
    m->memo_to.len = 0;
}

void rmap_fini(RMap *m) {
    VEC_FREE(&m->from);
    VEC_FREE(&m->to);
    VEC_FREE(&m->ren_from);
    VEC_FREE(&m->ren_to);
    VEC_FREE(&m->memo_from);
    VEC_FREE(&m->memo_to);
}

Err rmap_add(V *v, RMap *m, const CompResourceType *from, const CompResourceType *to) {
    memo_clear(m);
    if (!VEC_PUSH(&m->from, from) || !VEC_PUSH(&m->to, to))
        return cv_nomem(v);
    return OK;
}

static const CompResourceType *rmap_get(const RMap *m, const CompResourceType *r) {
    if (!m)
        return r;
    for (size_t i = m->from.len; i-- > 0;)
        if (m->from.data[i] == r)
            return m->to.data[i];
    return r;
}

static bool ren_get(const RMap *m, NameId from, NameId *to) {
    for (size_t i = m->ren_from.len; i-- > 0;) {
        if (m->ren_from.data[i].a == from.a && m->ren_from.data[i].b == from.b) {
            *to = m->ren_to.data[i];
            return true;
        }
    }
    return false;
}

/* ---- Substitution ----------------------------------------------------------- */

static const CompValType *subst_val(V *v, RMap *m, const CompValType *t);

/* Substitute into the children of copy n (of t); true if any changed. */
static bool subst_children(V *v, RMap *m, const CompValType *t, CompValType *n) {
    bool changed = false;
#define SUB(dst, src) (dst = subst_val(v, m, src), changed |= (dst) != (src))
    switch (t->kind) {
    case CVT_LIST: case CVT_FIXED_LIST: case CVT_OPTION: case CVT_STREAM: case CVT_FUTURE:
        SUB(n->elem, t->elem);
        break;
    case CVT_RECORD: {
        CompField *f = cv_alloc(v, t->n, sizeof *f);
        if (!f)
            return v->oom = true, false;
        for (uint32_t i = 0; i < t->n; i++) {
            f[i].name = t->fields[i].name;
            SUB(f[i].type, t->fields[i].type);
        }
        n->fields = f;
        break;
    }
    case CVT_TUPLE: {
        const CompValType **e = cv_alloc(v, t->n, sizeof *e);
        if (!e)
            return v->oom = true, false;
        for (uint32_t i = 0; i < t->n; i++)
            SUB(e[i], t->elems[i]);
        n->elems = (const CompValType *const *)e;
        break;
    }
    case CVT_VARIANT: {
        CompCase *c = cv_alloc(v, t->n, sizeof *c);
        if (!c)
            return v->oom = true, false;
        for (uint32_t i = 0; i < t->n; i++) {
            c[i] = t->cases[i];
            SUB(c[i].type, t->cases[i].type);
        }
        n->cases = c;
        break;
    }
    case CVT_RESULT:
        SUB(n->result.ok, t->result.ok);
        SUB(n->result.err, t->result.err);
        break;
    case CVT_MAP:
        SUB(n->map.key, t->map.key);
        SUB(n->map.value, t->map.value);
        break;
    case CVT_OWN:
    case CVT_BORROW: {
        NameId to;
        if (ren_get(m, (NameId){t->resource, t->alias}, &to)) {
            n->resource = to.a;
            n->alias = to.b;
        } else {
            n->resource = rmap_get(m, t->resource);
        }
        changed = n->resource != t->resource || n->alias != t->alias;
        break;
    }
    default: break;
    }
#undef SUB
    return changed;
}

static void memo_put(V *v, RMap *m, const CompValType *from, const CompValType *to) {
    if (!VEC_PUSH(&m->memo_from, from) || !VEC_PUSH(&m->memo_to, to))
        v->oom = true;
}

/* The substituted type: the same pointer when nothing in it changes, and one
 * new type per original within a substitution (so identities stay shared). */
static const CompValType *subst_val(V *v, RMap *m, const CompValType *t) {
    if (!t || t->kind <= CVT_ERROR_CONTEXT)
        return t;
    NameId to;
    if (ren_get(m, (NameId){t, NULL}, &to))
        return to.a;
    for (size_t i = 0; i < m->memo_from.len; i++)
        if (m->memo_from.data[i] == t)
            return m->memo_to.data[i];
    CompValType *n = cv_alloc(v, 1, sizeof *n);
    if (!n) {
        v->oom = true;
        return t;
    }
    *n = *t;
    if (!subst_children(v, m, t, n)) {
        memo_put(v, m, t, t);
        return t;
    }
    comp_valtype_finish(n);
    memo_put(v, m, t, n);
    return n;
}

static const CompFuncType *subst_func(V *v, RMap *m, const CompFuncType *f) {
    CompFuncType *n = cv_alloc(v, 1, sizeof *n);
    CompField *p = cv_alloc(v, f->n_params, sizeof *p);
    CompField *r = cv_alloc(v, f->n_results, sizeof *r);
    if (!n || !p || !r) {
        v->oom = true;
        return f;
    }
    *n = *f;
    bool changed = false;
    for (uint32_t i = 0; i < f->n_params; i++) {
        p[i] = (CompField){f->params[i].name, subst_val(v, m, f->params[i].type)};
        changed |= p[i].type != f->params[i].type;
    }
    for (uint32_t i = 0; i < f->n_results; i++) {
        r[i] = (CompField){f->results[i].name, subst_val(v, m, f->results[i].type)};
        changed |= r[i].type != f->results[i].type;
    }
    n->params = p;
    n->results = r;
    return changed ? n : f;
}

static Err subst_decls(V *v, RMap *m, const CompExternDecl *d, uint32_t n,
                       const CompExternDecl **out) {
    CompExternDecl *a = cv_alloc(v, n, sizeof *a);
    if (!a)
        return cv_nomem(v);
    for (uint32_t i = 0; i < n; i++) {
        a[i].name = d[i].name;
        TRY(cv_subst_extern(v, m, &d[i].type, &a[i].type));
    }
    *out = a;
    return OK;
}

static Err subst_resources(V *v, RMap *m, const CompResourceType *const *r, uint32_t n,
                           const CompResourceType *const **out) {
    const CompResourceType **a = cv_alloc(v, n, sizeof *a);
    if (!a)
        return cv_nomem(v);
    for (uint32_t i = 0; i < n; i++)
        a[i] = rmap_get(m, r[i]);
    *out = a;
    return OK;
}

static Err subst_bound(V *v, RMap *m, const CompTypeBound *b, CompTypeBound *out) {
    NameId to;
    if (b->resource) {
        if (ren_get(m, (NameId){b->resource, b->alias}, &to)) {
            out->resource = to.a;
            out->alias = to.b;
        } else {
            out->resource = rmap_get(m, b->resource);
        }
        if (b->eq && out->resource != b->resource) {
            CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
            if (!dt)
                return cv_nomem(v);
            dt->kind = CDEF_RESOURCE;
            dt->resource = out->resource;
            out->eq = dt;
        }
    } else if (b->eq && b->eq->kind == CDEF_VAL) {
        const CompValType *n = subst_val(v, m, b->eq->val);
        if (n != b->eq->val) {
            CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
            if (!dt)
                return cv_nomem(v);
            dt->kind = CDEF_VAL;
            dt->val = n;
            out->eq = dt;
        }
    }
    return OK;
}

Err cv_subst_extern(V *v, RMap *m, const CompExternType *t, CompExternType *out) {
    *out = *t;
    if (!m || (m->from.len == 0 && m->ren_from.len == 0))
        return OK;
    switch (t->kind) {
    case CEXT_FUNC: out->func = subst_func(v, m, t->func); break;
    case CEXT_VALUE: out->value = subst_val(v, m, t->value); break;
    case CEXT_TYPE: TRY(subst_bound(v, m, &t->type, &out->type)); break;
    case CEXT_INSTANCE: {
        CompInstanceType *it = cv_alloc(v, 1, sizeof *it);
        if (!it)
            return cv_nomem(v);
        it->n_exports = t->instance->n_exports;
        it->n_defined = t->instance->n_defined;
        TRY(subst_decls(v, m, t->instance->exports, it->n_exports, &it->exports));
        TRY(subst_resources(v, m, t->instance->defined, it->n_defined, &it->defined));
        out->instance = it;
        break;
    }
    case CEXT_COMPONENT: {
        CompComponentType *ct = cv_alloc(v, 1, sizeof *ct);
        if (!ct)
            return cv_nomem(v);
        ct->n_imports = t->component->n_imports;
        ct->n_exports = t->component->n_exports;
        ct->n_defined = t->component->n_defined;
        TRY(subst_decls(v, m, t->component->imports, ct->n_imports, &ct->imports));
        TRY(subst_decls(v, m, t->component->exports, ct->n_exports, &ct->exports));
        TRY(subst_resources(v, m, t->component->defined, ct->n_defined, &ct->defined));
        out->component = ct;
        break;
    }
    default: break;
    }
    return v->oom ? cv_nomem(v) : OK;
}

Err cv_freshen(V *v, const CompResourceType *const *defined, uint32_t n, RMap *m, bool define) {
    for (uint32_t i = 0; i < n; i++) {
        CompResourceType *r = cv_new_resource(v, defined[i]->name);
        if (!r)
            return cv_nomem(v);
        TRY(rmap_add(v, m, defined[i], r));
        if (define && !VEC_PUSH(&v->scope->defined, r))
            return cv_nomem(v);
    }
    return OK;
}

static const CompExternDecl *find_decl(const CompExternDecl *d, uint32_t n, const char *name);

Err cv_rename(V *v, RMap *m, const CompExternType *actual, const CompExternType *expected) {
    if (actual->kind != expected->kind)
        return OK;
    if (expected->kind == CEXT_TYPE) {
        NameId from = cv_bound_ident(&expected->type), to = cv_bound_ident(&actual->type);
        if (from.a == to.a && from.b == to.b)
            return OK;
        memo_clear(m);
        if (!VEC_PUSH(&m->ren_from, from) || !VEC_PUSH(&m->ren_to, to))
            return cv_nomem(v);
        return OK;
    }
    if (expected->kind != CEXT_INSTANCE)
        return OK;
    const CompInstanceType *e = expected->instance, *a = actual->instance;
    for (uint32_t i = 0; i < e->n_exports; i++) {
        const CompExternDecl *x = find_decl(a->exports, a->n_exports, e->exports[i].name);
        if (x)
            TRY(cv_rename(v, m, &x->type, &e->exports[i].type));
    }
    return OK;
}

Err cv_attach_instance(V *v, CompExternType *t, bool is_import) {
    if (t->kind != CEXT_INSTANCE || t->instance->n_defined == 0)
        return OK;
    RMap m = {0};
    Err err = cv_freshen(v, t->instance->defined, t->instance->n_defined, &m, !is_import);
    CompExternType out;
    if (err == OK)
        err = cv_subst_extern(v, &m, t, &out);
    rmap_fini(&m);
    TRY(err);
    CompInstanceType *it = (CompInstanceType *)out.instance;
    it->defined = NULL;
    it->n_defined = 0;
    *t = out;
    return OK;
}

/* ---- Subtyping -------------------------------------------------------------- */

static const char *kind_name(const CompValType *t) {
    return comp_valkind_name((CompValKind)t->kind);
}

static bool is_prim(const CompValType *t) {
    return t->kind <= CVT_ERROR_CONTEXT;
}

#define MISMATCH(...) (snprintf(msg, size, __VA_ARGS__), false)

/* "ctx: inner"; when that does not fit, the inner reason alone (the suite
 * looks for the innermost reason more often than for the outer contexts). */
static bool nested(char *msg, size_t size, const char *ctx, const char *inner) {
    if (strlen(ctx) + 2 + strlen(inner) < size)
        snprintf(msg, size, "%s: %s", ctx, inner);
    else
        snprintf(msg, size, "%s", inner);
    return false;
}

/* Resources are the same, or one is bound to the other by m. */
static bool same_resource(const RMap *m, const CompResourceType *a, const CompResourceType *b) {
    return a == b || rmap_get(m, a) == b || rmap_get(m, b) == a;
}

static bool val_sub_m(const RMap *m, const CompValType *a, const CompValType *b, bool top,
                      char *msg, size_t size);

static bool opt_sub(const RMap *m, const CompValType *a, const CompValType *b, const char *what,
                    const char *ctx, char *msg, size_t size) {
    char inner[DIAG_MSG_MAX];
    if (!a && !b)
        return true;
    if (b && !a)
        return MISMATCH("expected %s type, but found none", what);
    if (a && !b)
        return MISMATCH("expected %s type to not be present", what);
    if (val_sub_m(m, a, b, false, inner, sizeof inner))
        return true;
    return nested(msg, size, ctx, inner);
}

static bool labels_eq(const char *const *a, const char *const *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static bool record_sub(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                       size_t size) {
    char inner[DIAG_MSG_MAX], ctx[160];
    if (a->n != b->n)
        return MISMATCH("expected %u fields, found %u", b->n, a->n);
    for (uint32_t i = 0; i < b->n; i++) {
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0)
            return MISMATCH("expected field name `%s`, found `%s`", b->fields[i].name,
                            a->fields[i].name);
        if (!val_sub_m(m, a->fields[i].type, b->fields[i].type, false, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in record field `%s`", a->fields[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

static bool variant_sub(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                        size_t size) {
    char inner[DIAG_MSG_MAX], ctx[160];
    if (a->n != b->n)
        return MISMATCH("expected %u cases, found %u", b->n, a->n);
    for (uint32_t i = 0; i < b->n; i++) {
        const CompCase *ca = &a->cases[i], *cb = &b->cases[i];
        if (strcmp(ca->name, cb->name) != 0)
            return MISMATCH("expected case named `%s`, found `%s`", cb->name, ca->name);
        if (cb->type && !ca->type)
            return MISMATCH("expected case `%s` to have a type, found none", ca->name);
        if (!cb->type && ca->type)
            return MISMATCH("expected case `%s` to have no type", ca->name);
        if (cb->type && !val_sub_m(m, ca->type, cb->type, false, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in variant case `%s`", ca->name);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

static bool tuple_sub(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                      size_t size) {
    char inner[DIAG_MSG_MAX], ctx[64];
    if (a->n != b->n)
        return MISMATCH("expected %u types, found %u", b->n, a->n);
    for (uint32_t i = 0; i < b->n; i++) {
        if (!val_sub_m(m, a->elems[i], b->elems[i], false, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in tuple field %u", i);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

/* future / stream: an optional payload with its own context */
static bool async_sub(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                      size_t size) {
    const char *what = b->kind == CVT_FUTURE ? "future" : "stream";
    char ctx[32];
    snprintf(ctx, sizeof ctx, "type mismatch in %s", what);
    return opt_sub(m, a->elem, b->elem, what, ctx, msg, size);
}

static bool compound_sub(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                         size_t size) {
    char inner[DIAG_MSG_MAX];
    switch (b->kind) {
    case CVT_RECORD: return record_sub(m, a, b, msg, size);
    case CVT_VARIANT: return variant_sub(m, a, b, msg, size);
    case CVT_TUPLE: return tuple_sub(m, a, b, msg, size);
    case CVT_FLAGS:
    case CVT_ENUM:
        if (a->n != b->n || !labels_eq(a->labels, b->labels, b->n))
            return MISMATCH("mismatch in %s elements", b->kind == CVT_FLAGS ? "flags" : "enum");
        return true;
    case CVT_RESULT:
        return opt_sub(m, a->result.ok, b->result.ok, "ok", "type mismatch in ok variant", msg,
                       size) &&
               opt_sub(m, a->result.err, b->result.err, "err", "type mismatch in err variant",
                       msg, size);
    case CVT_OWN:
    case CVT_BORROW:
        if (!same_resource(m, a->resource, b->resource))
            return MISMATCH("resource types are not the same");
        return true;
    case CVT_FIXED_LIST:
        if (a->n != b->n)
            return MISMATCH("expected fixed size %u, found size %u", b->n, a->n);
        return val_sub_m(m, a->elem, b->elem, false, msg, size);
    case CVT_LIST:
    case CVT_OPTION: return val_sub_m(m, a->elem, b->elem, false, msg, size);
    case CVT_STREAM:
    case CVT_FUTURE: return async_sub(m, a, b, msg, size);
    case CVT_MAP:
        if (!val_sub_m(m, a->map.key, b->map.key, false, inner, sizeof inner))
            return nested(msg, size, "type mismatch in map key", inner);
        if (!val_sub_m(m, a->map.value, b->map.value, false, inner, sizeof inner))
            return nested(msg, size, "type mismatch in map value", inner);
        return true;
    default: return true;
    }
}

/* `top`: comparing two defined types (an `eq` bound), where a primitive on
 * the expected side is described as "primitive". */
static bool val_sub_m(const RMap *m, const CompValType *a, const CompValType *b, bool top,
                      char *msg, size_t size) {
    if (a == b)
        return true;
    if (is_prim(a) && is_prim(b)) {
        if (a->kind == b->kind)
            return true;
        return MISMATCH("expected primitive `%s` found primitive `%s`", kind_name(b),
                        kind_name(a));
    }
    if (is_prim(b) && top)
        return MISMATCH("expected primitive, found %s", kind_name(a));
    if (a->kind != b->kind)
        return MISMATCH("expected %s, found %s", kind_name(b), kind_name(a));
    return compound_sub(m, a, b, msg, size);
}

bool cv_val_sub(const CompValType *a, const CompValType *b, char *msg, size_t size) {
    return val_sub_m(NULL, a, b, false, msg, size);
}

bool comp_valtype_subtype(const CompValType *sub, const CompValType *super, Diag *diag) {
    char msg[DIAG_MSG_MAX];
    if (val_sub_m(NULL, sub, super, false, msg, sizeof msg))
        return true;
    FAIL(diag, ERR_LINK, DIAG_NO_OFFSET, "%s", msg);
    return false;
}

/* wasmparser compares function types for equality, parameters by name. */
static bool func_sub(const RMap *m, const CompFuncType *a, const CompFuncType *b, char *msg,
                     size_t size) {
    char inner[DIAG_MSG_MAX], ctx[160];
    if (a->n_params != b->n_params)
        return MISMATCH("expected %u parameters, found %u", b->n_params, a->n_params);
    for (uint32_t i = 0; i < b->n_params; i++) {
        if (strcmp(a->params[i].name, b->params[i].name) != 0)
            return MISMATCH("expected parameter named `%s`, found `%s`", b->params[i].name,
                            a->params[i].name);
        if (!val_sub_m(m, a->params[i].type, b->params[i].type, false, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in function parameter `%s`",
                     a->params[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    /* (sic) wasmparser's wording */
    if (a->n_results && !b->n_results)
        return MISMATCH("expected a result, found none");
    if (!a->n_results && b->n_results)
        return MISMATCH("expected no result, found one");
    if (b->n_results &&
        !val_sub_m(m, a->results[0].type, b->results[0].type, false, inner, sizeof inner))
        return nested(msg, size, "type mismatch with result type", inner);
    if (a->async_ != b->async_)
        return MISMATCH("type mismatch in async attribute");
    return true;
}

static const CompExternDecl *find_decl(const CompExternDecl *d, uint32_t n, const char *name) {
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

static bool ext_sub(V *v, const CompExternType *a, const CompExternType *b, RMap *bind,
                    char *msg, size_t size);

/* Instance types: every export of b is in a, with a subtype. */
static bool instance_sub(V *v, const CompInstanceType *a, const CompInstanceType *b, RMap *bind,
                         char *msg, size_t size) {
    char inner[DIAG_MSG_MAX], ctx[200];
    for (uint32_t i = 0; i < b->n_exports; i++) {
        const CompExternDecl *x = find_decl(a->exports, a->n_exports, b->exports[i].name);
        if (!x)
            return MISMATCH("missing expected export `%s`", b->exports[i].name);
        if (!ext_sub(v, &x->type, &b->exports[i].type, bind, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in instance export `%s`", b->exports[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

/* Component types (wasmparser: component_type): b's imports must satisfy a's
 * imports, and a's exports must satisfy b's exports. */
static bool component_sub(V *v, const CompComponentType *a, const CompComponentType *b,
                          RMap *bind, char *msg, size_t size) {
    char inner[DIAG_MSG_MAX], ctx[200];
    for (uint32_t i = 0; i < a->n_imports; i++) {
        const CompExternDecl *x = find_decl(b->imports, b->n_imports, a->imports[i].name);
        if (!x)
            return MISMATCH("missing import named `%s`", a->imports[i].name);
        if (!ext_sub(v, &x->type, &a->imports[i].type, bind, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch for import `%s`", a->imports[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    for (uint32_t i = 0; i < b->n_exports; i++) {
        const CompExternDecl *x = find_decl(a->exports, a->n_exports, b->exports[i].name);
        if (!x)
            return MISMATCH("missing export named `%s`", b->exports[i].name);
        if (!ext_sub(v, &x->type, &b->exports[i].type, bind, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch for export `%s`", b->exports[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

static const CompCoreImportDecl *find_core_import(const CompModuleType *t, const char *module,
                                                  const char *field) {
    for (uint32_t i = 0; i < t->n_imports; i++)
        if (strcmp(t->imports[i].module, module) == 0 && strcmp(t->imports[i].field, field) == 0)
            return &t->imports[i];
    return NULL;
}

/* Module types: b's imports must satisfy a's; a's exports b's. */
static bool module_sub(const CompModuleType *a, const CompModuleType *b, char *msg,
                       size_t size) {
    char inner[DIAG_MSG_MAX], ctx[200];
    for (uint32_t i = 0; i < a->n_imports; i++) {
        const CompCoreImportDecl *ai = &a->imports[i];
        const CompCoreImportDecl *bi = find_core_import(b, ai->module, ai->field);
        if (!bi)
            return MISMATCH("missing expected import `%s::%s`", ai->module, ai->field);
        if (!cv_core_extern_sub(&bi->type, &ai->type, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in import `%s::%s`", ai->module, ai->field);
            return nested(msg, size, ctx, inner);
        }
    }
    for (uint32_t i = 0; i < b->n_exports; i++) {
        const CompCoreExportDecl *be = &b->exports[i], *ae = NULL;
        for (uint32_t j = 0; j < a->n_exports && !ae; j++)
            if (strcmp(a->exports[j].name, be->name) == 0)
                ae = &a->exports[j];
        if (!ae)
            return MISMATCH("missing expected export `%s`", be->name);
        if (!cv_core_extern_sub(&ae->type, &be->type, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in export `%s`", be->name);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

static const char *def_desc(const CompTypeBound *t) {
    if (t->resource)
        return "resource";
    if (!t->eq)
        return "type";
    static const char *const names[] = {"defined type", "func type", "component type",
                                        "instance type", "resource"};
    return t->eq->kind <= CDEF_RESOURCE ? names[t->eq->kind] : "type";
}

static bool type_sub(V *v, const CompTypeBound *a, const CompTypeBound *b, RMap *bind, char *msg,
                     size_t size) {
    if (b->sub_resource) {
        if (!a->resource)
            return MISMATCH("expected resource, found %s", def_desc(a));
        if (bind && rmap_add(v, bind, b->resource, a->resource) != OK)
            return MISMATCH("out of memory");
        return true;
    }
    if (b->resource || a->resource) {
        if (!a->resource || !b->resource)
            return MISMATCH("expected %s, found %s", def_desc(b), def_desc(a));
        if (!same_resource(bind, a->resource, b->resource))
            return MISMATCH("resource types are not the same");
        return true;
    }
    if (!a->eq || !b->eq)
        return true;
    if (b->eq->kind != a->eq->kind)
        return MISMATCH("expected %s, found %s", def_desc(b), def_desc(a));
    switch (b->eq->kind) {
    case CDEF_VAL: return val_sub_m(bind, a->eq->val, b->eq->val, true, msg, size);
    case CDEF_FUNC: return func_sub(bind, a->eq->func, b->eq->func, msg, size);
    case CDEF_INSTANCE: return instance_sub(v, a->eq->instance, b->eq->instance, bind, msg, size);
    case CDEF_COMPONENT:
        return component_sub(v, a->eq->component, b->eq->component, bind, msg, size);
    default: return true;
    }
}

static bool ext_sub(V *v, const CompExternType *a, const CompExternType *b, RMap *bind,
                    char *msg, size_t size) {
    if (a->kind != b->kind)
        return MISMATCH("expected %s, found %s", cv_extern_desc(b->kind), cv_extern_desc(a->kind));
    switch (b->kind) {
    case CEXT_MODULE: return module_sub(a->module, b->module, msg, size);
    case CEXT_FUNC: return func_sub(bind, a->func, b->func, msg, size);
    case CEXT_VALUE: return val_sub_m(bind, a->value, b->value, false, msg, size);
    case CEXT_TYPE: return type_sub(v, &a->type, &b->type, bind, msg, size);
    case CEXT_INSTANCE: return instance_sub(v, a->instance, b->instance, bind, msg, size);
    case CEXT_COMPONENT: return component_sub(v, a->component, b->component, bind, msg, size);
    default: return true;
    }
}

bool cv_extern_sub(V *v, const CompExternType *sub, const CompExternType *super, RMap *bind,
                   char *msg, size_t size) {
    return ext_sub(v, sub, super, bind, msg, size);
}

bool comp_extern_subtype(const CompExternType *sub, const CompExternType *super, Diag *diag) {
    char msg[DIAG_MSG_MAX];
    Arena arena;
    arena_init(&arena);
    V v;
    memset(&v, 0, sizeof v);
    v.arena = &arena;
    v.diag = diag;
    RMap bind = {0};
    bool ok = ext_sub(&v, sub, super, &bind, msg, sizeof msg);
    rmap_fini(&bind);
    arena_fini(&arena);
    if (!ok)
        FAIL(diag, ERR_LINK, DIAG_NO_OFFSET, "%s", msg);
    return ok;
}

/* ---- Core extern types ------------------------------------------------------ */

static const char *core_kind_name(uint8_t k) {
    static const char *const names[] = {"func", "table", "memory", "global", "tag"};
    return k <= EXTERN_TAG ? names[k] : "?";
}

static const char *vt_name(ValType t) {
    switch (t.kind) {
    case VK_I32: return "i32";
    case VK_I64: return "i64";
    case VK_F32: return "f32";
    case VK_F64: return "f64";
    case VK_V128: return "v128";
    default: return t.heap == HT_FUNC ? "funcref" : t.heap == HT_EXTERN ? "externref" : "ref";
    }
}

/* "(func (param i32) (result i64))" */
static void func_desc(const FuncType *f, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "(func");
    for (int part = 0; part < 2; part++) {
        uint32_t n = part ? f->n_results : f->n_params;
        const ValType *t = part ? f->results : f->params;
        if (n && at < size)
            at += (size_t)snprintf(buf + at, size - at, " (%s", part ? "result" : "param");
        for (uint32_t i = 0; i < n && at < size; i++)
            at += (size_t)snprintf(buf + at, size - at, " %s", vt_name(t[i]));
        if (n && at < size)
            at += (size_t)snprintf(buf + at, size - at, ")");
    }
    if (at < size)
        snprintf(buf + at, size - at, ")");
}

static bool limits_sub(const Limits *a, const Limits *b) {
    if (a->min < b->min)
        return false;
    if (b->has_max && (!a->has_max || a->max > b->max))
        return false;
    return true;
}

bool cv_core_extern_sub(const CompCoreExtern *a, const CompCoreExtern *b, char *msg,
                        size_t size) {
    if (a->kind != b->kind)
        return MISMATCH("expected %s, found %s", core_kind_name(b->kind), core_kind_name(a->kind));
    switch (b->kind) {
    case EXTERN_FUNC:
    case EXTERN_TAG:
        if (!cv_core_func_eq(a->func, b->func)) {
            char da[96], db[96];
            func_desc(b->func, db, sizeof db);
            func_desc(a->func, da, sizeof da);
            return MISMATCH("expected: %s, found: %s", db, da);
        }
        return true;
    case EXTERN_TABLE:
        if (memcmp(&a->table.elem, &b->table.elem, sizeof(ValType)) != 0)
            return MISMATCH("expected table element type %s, found %s", vt_name(b->table.elem),
                            vt_name(a->table.elem));
        if (a->table.limits.is64 != b->table.limits.is64 || !limits_sub(&a->table.limits,
                                                                       &b->table.limits))
            return MISMATCH("mismatch in table limits");
        return true;
    case EXTERN_MEMORY:
        if (a->memory.shared != b->memory.shared)
            return MISMATCH("mismatch in the shared flag for memories");
        if (a->memory.is64 != b->memory.is64)
            return MISMATCH("mismatch in index type used for memories");
        if (!limits_sub(&a->memory, &b->memory))
            return MISMATCH("mismatch in memory limits");
        return true;
    default:
        if (a->global.mutable_ != b->global.mutable_)
            return MISMATCH("global types differ in mutability");
        if (memcmp(&a->global.type, &b->global.type, sizeof(ValType)) != 0)
            return MISMATCH("expected global type %s, found %s", vt_name(b->global.type),
                            vt_name(a->global.type));
        return true;
    }
}

static bool core_val_eq(ValType a, ValType b) {
    if (a.kind != b.kind)
        return false;
    return a.kind != VK_REF || (a.nullable == b.nullable && a.heap == b.heap);
}

bool cv_core_func_eq(const FuncType *a, const FuncType *b) {
    if (a->n_params != b->n_params || a->n_results != b->n_results)
        return false;
    for (uint32_t i = 0; i < a->n_params; i++)
        if (!core_val_eq(a->params[i], b->params[i]))
            return false;
    for (uint32_t i = 0; i < a->n_results; i++)
        if (!core_val_eq(a->results[i], b->results[i]))
            return false;
    return true;
}

/* ---- Resource visibility ---------------------------------------------------- */

bool cv_val_has_borrow(const CompValType *t) {
    return t && (t->abi.contains & CVT_HAS_BORROW);
}
