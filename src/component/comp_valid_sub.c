/* Component validator, relations between types: resource substitution
 * (binding the resources an instantiation supplies, freshening the resources
 * of imported instance types), subtyping with the suite's messages, and the
 * "transitively refers to resources" visibility check. */
#include <stdio.h>
#include <string.h>

#include "comp_valid_int.h"

void rmap_fini(RMap *m) {
    VEC_FREE(&m->from);
    VEC_FREE(&m->to);
}

Err rmap_add(V *v, RMap *m, const CompResourceType *from, const CompResourceType *to) {
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

/* ---- Substitution ----------------------------------------------------------- */

static const CompValType *subst_val(V *v, const RMap *m, const CompValType *t);

static const CompValType *subst_children(V *v, const RMap *m, const CompValType *t) {
    CompValType *n = cv_alloc(v, 1, sizeof *n);
    if (!n)
        return NULL;
    *n = *t;
    switch (t->kind) {
    case CVT_LIST: case CVT_FIXED_LIST: case CVT_OPTION: case CVT_STREAM: case CVT_FUTURE:
        n->elem = t->elem ? subst_val(v, m, t->elem) : NULL;
        break;
    case CVT_RECORD: {
        CompField *f = cv_alloc(v, t->n, sizeof *f);
        if (!f)
            return NULL;
        for (uint32_t i = 0; i < t->n; i++)
            f[i] = (CompField){t->fields[i].name, subst_val(v, m, t->fields[i].type)};
        n->fields = f;
        break;
    }
    case CVT_TUPLE: {
        const CompValType **e = cv_alloc(v, t->n, sizeof *e);
        if (!e)
            return NULL;
        for (uint32_t i = 0; i < t->n; i++)
            e[i] = subst_val(v, m, t->elems[i]);
        n->elems = (const CompValType *const *)e;
        break;
    }
    case CVT_VARIANT: {
        CompCase *c = cv_alloc(v, t->n, sizeof *c);
        if (!c)
            return NULL;
        for (uint32_t i = 0; i < t->n; i++) {
            c[i] = t->cases[i];
            c[i].type = t->cases[i].type ? subst_val(v, m, t->cases[i].type) : NULL;
        }
        n->cases = c;
        break;
    }
    case CVT_RESULT:
        n->result.ok = t->result.ok ? subst_val(v, m, t->result.ok) : NULL;
        n->result.err = t->result.err ? subst_val(v, m, t->result.err) : NULL;
        break;
    case CVT_MAP:
        n->map.key = subst_val(v, m, t->map.key);
        n->map.value = subst_val(v, m, t->map.value);
        break;
    case CVT_OWN: case CVT_BORROW: n->resource = rmap_get(m, t->resource); break;
    default: break;
    }
    comp_valtype_finish(n);
    return n;
}

static const CompValType *subst_val(V *v, const RMap *m, const CompValType *t) {
    if (!t || !(t->abi.contains & (CVT_HAS_OWN | CVT_HAS_BORROW)))
        return t;
    const CompValType *n = subst_children(v, m, t);
    return n ? n : t;
}

static const CompFuncType *subst_func(V *v, const RMap *m, const CompFuncType *f) {
    CompFuncType *n = cv_alloc(v, 1, sizeof *n);
    CompField *p = cv_alloc(v, f->n_params, sizeof *p);
    CompField *r = cv_alloc(v, f->n_results, sizeof *r);
    if (!n || !p || !r)
        return f;
    *n = *f;
    for (uint32_t i = 0; i < f->n_params; i++)
        p[i] = (CompField){f->params[i].name, subst_val(v, m, f->params[i].type)};
    for (uint32_t i = 0; i < f->n_results; i++)
        r[i] = (CompField){f->results[i].name, subst_val(v, m, f->results[i].type)};
    n->params = p;
    n->results = r;
    return n;
}

static Err subst_decls(V *v, const RMap *m, const CompExternDecl *d, uint32_t n,
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

Err cv_subst_extern(V *v, const RMap *m, const CompExternType *t, CompExternType *out) {
    *out = *t;
    if (!m || m->from.len == 0)
        return OK;
    switch (t->kind) {
    case CEXT_FUNC: out->func = subst_func(v, m, t->func); return OK;
    case CEXT_VALUE: out->value = subst_val(v, m, t->value); return OK;
    case CEXT_TYPE: {
        if (t->type.resource) {
            const CompResourceType *r = rmap_get(m, t->type.resource);
            out->type.resource = r;
            if (t->type.eq) {
                CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
                if (!dt)
                    return cv_nomem(v);
                dt->kind = CDEF_RESOURCE;
                dt->resource = r;
                out->type.eq = dt;
            }
        } else if (t->type.eq && t->type.eq->kind == CDEF_VAL) {
            CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
            if (!dt)
                return cv_nomem(v);
            dt->kind = CDEF_VAL;
            dt->val = subst_val(v, m, t->type.eq->val);
            out->type.eq = dt;
        }
        return OK;
    }
    case CEXT_INSTANCE: {
        CompInstanceType *it = cv_alloc(v, 1, sizeof *it);
        if (!it)
            return cv_nomem(v);
        it->n_exports = t->instance->n_exports;
        TRY(subst_decls(v, m, t->instance->exports, it->n_exports, &it->exports));
        out->instance = it;
        return OK;
    }
    case CEXT_COMPONENT: {
        CompComponentType *ct = cv_alloc(v, 1, sizeof *ct);
        if (!ct)
            return cv_nomem(v);
        ct->n_imports = t->component->n_imports;
        ct->n_exports = t->component->n_exports;
        TRY(subst_decls(v, m, t->component->imports, ct->n_imports, &ct->imports));
        TRY(subst_decls(v, m, t->component->exports, ct->n_exports, &ct->exports));
        out->component = ct;
        return OK;
    }
    default: return OK;
    }
}

Err cv_fresh_exports(V *v, const CompExternDecl *ex, uint32_t n, RMap *m) {
    for (uint32_t i = 0; i < n; i++) {
        const CompExternType *t = &ex[i].type;
        if (t->kind == CEXT_TYPE && t->type.sub_resource) {
            CompResourceType *r = cv_new_resource(v, ex[i].name);
            if (!r)
                return cv_nomem(v);
            TRY(rmap_add(v, m, t->type.resource, r));
        } else if (t->kind == CEXT_INSTANCE) {
            TRY(cv_fresh_exports(v, t->instance->exports, t->instance->n_exports, m));
        }
    }
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

static bool val_sub_m(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                      size_t size);

/* Prefix an inner reason with context. */
static bool nested(char *msg, size_t size, const char *ctx, const char *inner) {
    char tmp[DIAG_MSG_MAX];
    snprintf(tmp, sizeof tmp, "%s", inner);
    snprintf(msg, size, "%s: %s", ctx, tmp);
    return false;
}

static bool opt_sub(const RMap *m, const CompValType *a, const CompValType *b, const char *what,
                    char *msg, size_t size) {
    char inner[DIAG_MSG_MAX], ctx[96];
    if (!a && !b)
        return true;
    if (b && !a)
        return MISMATCH("expected %s type, but found none", what);
    if (a && !b)
        return MISMATCH("expected %s type to not be present", what);
    if (val_sub_m(m, a, b, inner, sizeof inner))
        return true;
    snprintf(ctx, sizeof ctx, "type mismatch in %s variant", what);
    return nested(msg, size, ctx, inner);
}

static bool labels_eq(const char *const *a, const char *const *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static bool compound_sub(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                         size_t size) {
    char inner[DIAG_MSG_MAX], ctx[160];
    switch (b->kind) {
    case CVT_RECORD:
        if (a->n != b->n)
            return MISMATCH("expected %u fields, found %u", b->n, a->n);
        for (uint32_t i = 0; i < b->n; i++) {
            if (strcmp(a->fields[i].name, b->fields[i].name) != 0)
                return MISMATCH("expected field name `%s`, found `%s`", b->fields[i].name,
                                a->fields[i].name);
            if (!val_sub_m(m, a->fields[i].type, b->fields[i].type, inner, sizeof inner)) {
                snprintf(ctx, sizeof ctx, "type mismatch in record field `%s`", b->fields[i].name);
                return nested(msg, size, ctx, inner);
            }
        }
        return true;
    case CVT_VARIANT:
        if (a->n != b->n)
            return MISMATCH("expected %u cases, found %u", b->n, a->n);
        for (uint32_t i = 0; i < b->n; i++) {
            const CompCase *ca = &a->cases[i], *cb = &b->cases[i];
            if (strcmp(ca->name, cb->name) != 0)
                return MISMATCH("expected case named `%s`, found `%s`", cb->name, ca->name);
            if (cb->type && !ca->type)
                return MISMATCH("expected case `%s` to have a type, found none", cb->name);
            if (!cb->type && ca->type)
                return MISMATCH("expected case `%s` to have no type", cb->name);
            if (cb->type && !val_sub_m(m, ca->type, cb->type, inner, sizeof inner)) {
                snprintf(ctx, sizeof ctx, "type mismatch in variant case `%s`", cb->name);
                return nested(msg, size, ctx, inner);
            }
        }
        return true;
    case CVT_TUPLE:
        if (a->n != b->n)
            return MISMATCH("expected %u types, found %u", b->n, a->n);
        for (uint32_t i = 0; i < b->n; i++)
            if (!val_sub_m(m, a->elems[i], b->elems[i], inner, sizeof inner)) {
                snprintf(ctx, sizeof ctx, "type mismatch in tuple field %u", i);
                return nested(msg, size, ctx, inner);
            }
        return true;
    case CVT_FLAGS:
    case CVT_ENUM:
        if (a->n != b->n || !labels_eq(a->labels, b->labels, b->n))
            return MISMATCH("mismatch in %s elements", b->kind == CVT_FLAGS ? "flags" : "enum");
        return true;
    case CVT_RESULT:
        return opt_sub(m, a->result.ok, b->result.ok, "ok", msg, size) &&
               opt_sub(m, a->result.err, b->result.err, "err", msg, size);
    case CVT_OWN:
    case CVT_BORROW:
        if (rmap_get(m, b->resource) != a->resource && b->resource != a->resource)
            return MISMATCH("resource types are not the same");
        return true;
    case CVT_FIXED_LIST:
        if (a->n != b->n)
            return MISMATCH("expected list of length %u, found %u", b->n, a->n);
        /* fall through */
    case CVT_LIST:
    case CVT_OPTION:
    case CVT_STREAM:
    case CVT_FUTURE:
        if (!a->elem && !b->elem)
            return true;
        if (!a->elem || !b->elem)
            return MISMATCH("type mismatch in %s element", kind_name(b));
        if (val_sub_m(m, a->elem, b->elem, inner, sizeof inner))
            return true;
        snprintf(ctx, sizeof ctx, "type mismatch in %s element", kind_name(b));
        return nested(msg, size, ctx, inner);
    case CVT_MAP:
        if (!val_sub_m(m, a->map.key, b->map.key, inner, sizeof inner))
            return nested(msg, size, "type mismatch in map key", inner);
        if (!val_sub_m(m, a->map.value, b->map.value, inner, sizeof inner))
            return nested(msg, size, "type mismatch in map value", inner);
        return true;
    default: return true;
    }
}

static bool val_sub_m(const RMap *m, const CompValType *a, const CompValType *b, char *msg,
                      size_t size) {
    if (a == b)
        return true;
    if (is_prim(a) && is_prim(b)) {
        if (a->kind == b->kind)
            return true;
        return MISMATCH("expected primitive `%s` found primitive `%s`", kind_name(b),
                        kind_name(a));
    }
    if (is_prim(b))
        return MISMATCH("expected primitive, found %s", kind_name(a));
    if (a->kind != b->kind) {
        if ((a->kind == CVT_OWN || a->kind == CVT_BORROW) &&
            (b->kind == CVT_OWN || b->kind == CVT_BORROW))
            return MISMATCH("expected %s, found %s", kind_name(b), kind_name(a));
        return MISMATCH("expected %s, found %s", kind_name(b), kind_name(a));
    }
    return compound_sub(m, a, b, msg, size);
}

bool cv_val_sub(const CompValType *a, const CompValType *b, char *msg, size_t size) {
    return val_sub_m(NULL, a, b, msg, size);
}

bool comp_valtype_subtype(const CompValType *sub, const CompValType *super, Diag *diag) {
    char msg[DIAG_MSG_MAX];
    if (val_sub_m(NULL, sub, super, msg, sizeof msg))
        return true;
    FAIL(diag, ERR_LINK, DIAG_NO_OFFSET, "%s", msg);
    return false;
}

static bool func_sub(const RMap *m, const CompFuncType *a, const CompFuncType *b, char *msg,
                     size_t size) {
    char inner[DIAG_MSG_MAX], ctx[160];
    if (a->n_params != b->n_params)
        return MISMATCH("expected %u parameters, found %u", b->n_params, a->n_params);
    for (uint32_t i = 0; i < b->n_params; i++) {
        if (strcmp(a->params[i].name, b->params[i].name) != 0)
            return MISMATCH("expected parameter named `%s`, found `%s`", b->params[i].name,
                            a->params[i].name);
        if (!val_sub_m(m, b->params[i].type, a->params[i].type, inner, sizeof inner) &&
            !val_sub_m(m, a->params[i].type, b->params[i].type, inner, sizeof inner)) {
            snprintf(ctx, sizeof ctx, "type mismatch in function parameter `%s`",
                     b->params[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    if (b->n_results && !a->n_results)
        return MISMATCH("expected a result, found none");
    if (!b->n_results && a->n_results)
        return MISMATCH("expected no result, found one");
    if (b->n_results &&
        !val_sub_m(m, a->results[0].type, b->results[0].type, inner, sizeof inner))
        return nested(msg, size, "type mismatch with result type", inner);
    if (a->async_ != b->async_)
        return MISMATCH("type mismatch in async attribute");
    return true;
}

static const char *ext_kind_name(uint8_t k) {
    static const char *const names[] = {"module", "func", "value", "type", "component",
                                        "instance"};
    return k < 6 ? names[k] : "?";
}

static const CompExternDecl *find_decl(const CompExternDecl *d, uint32_t n, const char *name) {
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

static bool ext_sub(V *v, const RMap *m, const CompExternType *a, const CompExternType *b,
                    RMap *bind, char *msg, size_t size);

static bool decls_sub(V *v, const RMap *m, const CompExternDecl *a, uint32_t na,
                      const CompExternDecl *b, uint32_t nb, bool exports, RMap *bind, char *msg,
                      size_t size) {
    char inner[DIAG_MSG_MAX], ctx[200];
    for (uint32_t i = 0; i < nb; i++) {
        const CompExternDecl *x = find_decl(a, na, b[i].name);
        if (!x)
            return MISMATCH("missing expected %s `%s`", exports ? "export" : "import", b[i].name);
        bool ok = exports ? ext_sub(v, m, &x->type, &b[i].type, bind, inner, sizeof inner)
                          : ext_sub(v, m, &b[i].type, &x->type, bind, inner, sizeof inner);
        if (!ok) {
            snprintf(ctx, sizeof ctx, "type mismatch in %s `%s`", exports ? "export" : "import",
                     b[i].name);
            return nested(msg, size, ctx, inner);
        }
    }
    return true;
}

static bool type_sub(V *v, const RMap *m, const CompTypeBound *a, const CompTypeBound *b,
                     RMap *bind, char *msg, size_t size) {
    if (b->sub_resource) {
        if (!a->resource)
            return MISMATCH("expected resource, found defined type");
        if (bind && rmap_add(v, bind, b->resource, a->resource) != OK)
            return MISMATCH("out of memory");
        return true;
    }
    if (b->resource) {
        if (!a->resource)
            return MISMATCH("expected resource, found defined type");
        const CompResourceType *want = rmap_get(bind, rmap_get(m, b->resource));
        if (want != a->resource && b->resource != a->resource)
            return MISMATCH("resource types are not the same");
        return true;
    }
    if (a->resource)
        return MISMATCH("expected defined type, found resource");
    if (b->eq && a->eq && b->eq->kind == CDEF_VAL && a->eq->kind == CDEF_VAL)
        return val_sub_m(bind, a->eq->val, b->eq->val, msg, size);
    if (b->eq && a->eq && b->eq->kind != a->eq->kind)
        return MISMATCH("type mismatch");
    return true;
}

static bool ext_sub(V *v, const RMap *m, const CompExternType *a, const CompExternType *b,
                    RMap *bind, char *msg, size_t size) {
    if (a->kind != b->kind)
        return MISMATCH("expected %s, found %s", ext_kind_name(b->kind), ext_kind_name(a->kind));
    switch (b->kind) {
    case CEXT_FUNC: return func_sub(bind, a->func, b->func, msg, size);
    case CEXT_VALUE: return val_sub_m(bind, a->value, b->value, msg, size);
    case CEXT_TYPE: return type_sub(v, m, &a->type, &b->type, bind, msg, size);
    case CEXT_INSTANCE:
        return decls_sub(v, m, a->instance->exports, a->instance->n_exports, b->instance->exports,
                         b->instance->n_exports, true, bind, msg, size);
    case CEXT_COMPONENT:
        return decls_sub(v, m, b->component->imports, b->component->n_imports,
                         a->component->imports, a->component->n_imports, false, bind, msg,
                         size) &&
               decls_sub(v, m, a->component->exports, a->component->n_exports,
                         b->component->exports, b->component->n_exports, true, bind, msg, size);
    default: return true;
    }
}

bool cv_extern_sub(V *v, const CompExternType *sub, const CompExternType *super, RMap *bind,
                   char *msg, size_t size) {
    return ext_sub(v, NULL, sub, super, bind, msg, size);
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
    bool ok = ext_sub(&v, NULL, sub, super, &bind, msg, sizeof msg);
    rmap_fini(&bind);
    arena_fini(&arena);
    if (!ok)
        FAIL(diag, ERR_LINK, DIAG_NO_OFFSET, "%s", msg);
    return ok;
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

static bool named_in(const CompExternDecl *d, size_t n, const CompResourceType *r) {
    for (size_t i = 0; i < n; i++) {
        const CompExternType *t = &d[i].type;
        if (t->kind == CEXT_TYPE && t->type.resource == r)
            return true;
        if (t->kind == CEXT_INSTANCE &&
            named_in(t->instance->exports, t->instance->n_exports, r))
            return true;
    }
    return false;
}

static bool val_unnamed(V *v, const CompValType *t, const CompExternDecl *extra, uint32_t n) {
    if (!t || !(t->abi.contains & (CVT_HAS_OWN | CVT_HAS_BORROW)))
        return false;
    switch (t->kind) {
    case CVT_OWN:
    case CVT_BORROW:
        return !named_in(v->scope->imports.data, v->scope->imports.len, t->resource) &&
               !named_in(v->scope->exports.data, v->scope->exports.len, t->resource) &&
               !named_in(extra, n, t->resource);
    case CVT_RECORD:
        for (uint32_t i = 0; i < t->n; i++)
            if (val_unnamed(v, t->fields[i].type, extra, n))
                return true;
        return false;
    case CVT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            if (val_unnamed(v, t->elems[i], extra, n))
                return true;
        return false;
    case CVT_VARIANT:
        for (uint32_t i = 0; i < t->n; i++)
            if (val_unnamed(v, t->cases[i].type, extra, n))
                return true;
        return false;
    case CVT_RESULT:
        return val_unnamed(v, t->result.ok, extra, n) || val_unnamed(v, t->result.err, extra, n);
    case CVT_MAP:
        return val_unnamed(v, t->map.key, extra, n) || val_unnamed(v, t->map.value, extra, n);
    default: return val_unnamed(v, t->elem, extra, n);
    }
}

bool cv_type_uses_unnamed(V *v, const CompExternType *t, const CompExternDecl *extra,
                          uint32_t n_extra) {
    switch (t->kind) {
    case CEXT_FUNC:
        for (uint32_t i = 0; i < t->func->n_params; i++)
            if (val_unnamed(v, t->func->params[i].type, extra, n_extra))
                return true;
        for (uint32_t i = 0; i < t->func->n_results; i++)
            if (val_unnamed(v, t->func->results[i].type, extra, n_extra))
                return true;
        return false;
    case CEXT_VALUE: return val_unnamed(v, t->value, extra, n_extra);
    case CEXT_TYPE:
        return !t->type.resource && t->type.eq && t->type.eq->kind == CDEF_VAL &&
               val_unnamed(v, t->type.eq->val, extra, n_extra);
    case CEXT_INSTANCE:
        for (uint32_t i = 0; i < t->instance->n_exports; i++)
            if (cv_type_uses_unnamed(v, &t->instance->exports[i].type, t->instance->exports,
                                     t->instance->n_exports))
                return true;
        return false;
    default: return false;
    }
}
