/* Component validator, types: building semantic types (comp_types.h) from
 * the IR's type definitions and declarators, extern types, resource
 * substitution (for instantiation and for fresh resources of imported
 * instance types) and subtyping with the suite's mismatch messages. */
#include <stdio.h>
#include <string.h>

#include "comp_valid_int.h"

/* spec: Canonical ABI > element size must stay below 2^28 */
#define MAX_VALUE_SIZE (1u << 28)

Err cv_valtype(V *v, CompValRef r, const CompValType **out) {
    if (!r.is_index) {
        *out = comp_prim((CompValKind)r.prim);
        return OK;
    }
    CompSpaceEntry e;
    TRY(cv_get(v, CSORT_TYPE, r.idx, &e));
    if (e.type->kind != CDEF_VAL)
        return cv_fail(v, "type index %u is not a defined type", r.idx);
    *out = e.type->val;
    return OK;
}

static Err resource_of(V *v, uint32_t idx, const CompResourceType **out, const void **alias) {
    *out = NULL;
    *alias = NULL;
    CompSpaceEntry e;
    TRY(cv_get(v, CSORT_TYPE, idx, &e));
    if (e.type->kind != CDEF_RESOURCE)
        return cv_fail(v, "type index %u is not a resource type", idx);
    *out = e.type->resource;
    *alias = e.alias;
    return OK;
}

static const char *const *label_array(V *v, const Name *names, uint32_t n) {
    const char **a = cv_alloc(v, n, sizeof *a);
    if (a)
        for (uint32_t i = 0; i < n; i++)
            a[i] = names[i].str;
    return a;
}

static Err labels_ok(V *v, const Name *names, uint32_t n, size_t stride, const char *what,
                     const char *prev) {
    for (uint32_t i = 0; i < n; i++)
        TRY(cv_label(v, *(const Name *)((const char *)names + i * stride), what));
    return cv_unique_labels(v, names, n, stride, what, prev);
}

static Err record(V *v, const CompTypeDef *t, CompValType **out) {
    if (t->n == 0)
        return cv_fail(v, "record type must have at least one field");
    TRY(labels_ok(v, &t->fields[0].name, t->n, sizeof t->fields[0], "record field", "field"));
    CompField *f = cv_alloc(v, t->n, sizeof *f);
    if (!f)
        return cv_nomem(v);
    for (uint32_t i = 0; i < t->n; i++) {
        f[i].name = t->fields[i].name.str;
        TRY(cv_valtype(v, t->fields[i].type, &f[i].type));
    }
    *out = comp_type_record(v->arena, f, t->n);
    return OK;
}

static Err variant(V *v, const CompTypeDef *t, CompValType **out) {
    if (t->n == 0)
        return cv_fail(v, "variant type must have at least one case");
    TRY(labels_ok(v, &t->cases[0].name, t->n, sizeof t->cases[0], "variant case", "case"));
    CompCase *c = cv_alloc(v, t->n, sizeof *c);
    if (!c)
        return cv_nomem(v);
    for (uint32_t i = 0; i < t->n; i++) {
        c[i].name = t->cases[i].name.str;
        c[i].refines = COMP_NONE;
        if (t->cases[i].has_type)
            TRY(cv_valtype(v, t->cases[i].type, &c[i].type));
    }
    *out = comp_type_variant(v->arena, c, t->n);
    return OK;
}

static Err opt_val(V *v, bool has, CompValRef r, const CompValType **out) {
    *out = NULL;
    return has ? cv_valtype(v, r, out) : OK;
}

static Err defval(V *v, const CompTypeDef *t, CompValType **out) {
    const CompValType *a = NULL, *b = NULL;
    const CompResourceType *res;
    const void *alias;
    *out = NULL;
    switch (t->kind) {
    case CTD_RECORD: return record(v, t, out);
    case CTD_VARIANT: return variant(v, t, out);
    case CTD_LIST:
        TRY(cv_valtype(v, t->elem, &a));
        *out = comp_type_list(v->arena, a);
        return OK;
    case CTD_FIXED_LIST:
        TRY(cv_valtype(v, t->elem, &a));
        if (t->idx == 0)
            return cv_fail(v, "fixed-length list must have at least one element");
        *out = comp_type_fixed_list(v->arena, a, t->idx);
        return OK;
    case CTD_TUPLE: {
        if (t->n == 0)
            return cv_fail(v, "tuple type must have at least one type");
        const CompValType **e = cv_alloc(v, t->n, sizeof *e);
        if (!e)
            return cv_nomem(v);
        for (uint32_t i = 0; i < t->n; i++)
            TRY(cv_valtype(v, t->elems[i], &e[i]));
        *out = comp_type_tuple(v->arena, (const CompValType *const *)e, t->n);
        return OK;
    }
    case CTD_FLAGS:
        if (t->n == 0)
            return cv_fail(v, "flags must have at least one entry");
        if (t->n > 32)
            return cv_fail(v, "cannot have more than 32 flags");
        TRY(labels_ok(v, t->labels, t->n, sizeof(Name), "flag", "flag"));
        *out = comp_type_flags(v->arena, label_array(v, t->labels, t->n), t->n);
        return OK;
    case CTD_ENUM:
        if (t->n == 0)
            return cv_fail(v, "enum type must have at least one variant");
        TRY(labels_ok(v, t->labels, t->n, sizeof(Name), "enum tag", "tag"));
        *out = comp_type_enum(v->arena, label_array(v, t->labels, t->n), t->n);
        return OK;
    case CTD_OPTION:
        TRY(cv_valtype(v, t->elem, &a));
        *out = comp_type_option(v->arena, a);
        return OK;
    case CTD_RESULT:
        TRY(opt_val(v, t->has_ok, t->ok, &a));
        TRY(opt_val(v, t->has_err, t->err, &b));
        *out = comp_type_result(v->arena, a, b);
        return OK;
    case CTD_OWN:
    case CTD_BORROW:
        TRY(resource_of(v, t->idx, &res, &alias));
        *out = t->kind == CTD_OWN ? comp_type_own(v->arena, res) : comp_type_borrow(v->arena, res);
        if (*out)
            (*out)->alias = alias;
        return OK;
    case CTD_STREAM:
    case CTD_FUTURE:
        TRY(opt_val(v, t->has_elem, t->elem, &a));
        if (a && t->kind == CTD_STREAM && a->kind == CVT_CHAR)
            return cv_fail(v, "stream element type `char` is not valid at this time");
        *out = comp_type_async(v->arena, t->kind == CTD_STREAM ? CVT_STREAM : CVT_FUTURE, a);
        return OK;
    case CTD_MAP:
        TRY(cv_valtype(v, t->key, &a));
        TRY(cv_valtype(v, t->value, &b));
        *out = comp_type_map(v->arena, a, b);
        return OK;
    default: return cv_fail(v, "invalid defined type");
    }
}

static Err functype(V *v, const CompTypeDef *t, const CompFuncType **out) {
    TRY(labels_ok(v, &t->fields[0].name, t->n, sizeof t->fields[0], "function parameter",
                  "parameter"));
    CompFuncType *ft = cv_alloc(v, 1, sizeof *ft);
    CompField *p = cv_alloc(v, t->n, sizeof *p);
    if (!ft || !p)
        return cv_nomem(v);
    for (uint32_t i = 0; i < t->n; i++) {
        p[i].name = t->fields[i].name.str;
        TRY(cv_valtype(v, t->fields[i].type, &p[i].type));
    }
    ft->params = p;
    ft->n_params = t->n;
    ft->async_ = t->async_;
    if (t->has_result) {
        CompField *r = cv_alloc(v, 1, sizeof *r);
        if (!r)
            return cv_nomem(v);
        TRY(cv_valtype(v, t->result, &r->type));
        if (cv_val_has_borrow(r->type))
            return cv_fail(v, "function result cannot contain a `borrow` type");
        ft->results = r;
        ft->n_results = 1;
    }
    *out = ft;
    return OK;
}

static Err decls(V *v, const CompTypeDef *t, VScopeKind kind, CompDefType *dt);

static Err resource(V *v, const CompTypeDef *t, const CompResourceType **out) {
    if (v->scope->kind != VS_COMPONENT)
        return cv_fail(v, "resources can only be defined within a concrete component");
    CompResourceType *r = cv_new_resource(v, NULL);
    if (!r)
        return cv_nomem(v);
    r->defined = true;
    r->rep = (ValType){.kind = VK_I32};
    r->dtor = COMP_NONE;
    if (t->has_dtor) {
        CompSpaceEntry e;
        TRY(cv_get(v, CSORT_CORE_FUNC, t->idx, &e));
        const FuncType *f = e.core_func;
        if (f->n_params != 1 || f->params[0].kind != VK_I32 || f->n_results != 0)
            return cv_fail(v, "wrong signature for a destructor");
        r->dtor = t->idx;
    }
    if (!VEC_PUSH(&v->scope->local, r) || !VEC_PUSH(&v->scope->defined, r))
        return cv_nomem(v);
    *out = r;
    return OK;
}

/* ---- Size with 64-bit pointers ----------------------------------------------- */

/* spec: Canonical ABI > elem_size(t, i64) must stay below 2^28 too: strings
 * and lists are two 64-bit words there. Only types holding strings or lists
 * differ from the 32-bit layout; results are memoized (types are DAGs). */
#define SIZE64_CAP (1ull << 40)

static uint64_t align64(uint64_t x, uint32_t a) {
    uint64_t r = (x + a - 1) / a * a;
    return r > SIZE64_CAP ? SIZE64_CAP : r;
}

static void layout64(V *v, const CompValType *t, uint64_t *size, uint32_t *align);

/* Record/tuple fields in order, or the cases of a variant-like type. */
static void fields64(V *v, const CompValType *const *ts, uint32_t n, bool cases, uint64_t *size,
                     uint32_t *align) {
    uint64_t at = 0, max = 0;
    uint32_t al = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s = 0;
        uint32_t a = 1;
        if (ts[i])
            layout64(v, ts[i], &s, &a);
        al = a > al ? a : al;
        if (cases)
            max = s > max ? s : max;
        else
            at = align64(align64(at, a) + s, 1);
    }
    if (cases) {
        uint32_t d = comp_discriminant_size(n);
        at = align64(d, al) + max;
        al = d > al ? d : al;
    }
    *size = align64(at, al);
    *align = al;
}

static void compound64(V *v, const CompValType *t, uint64_t *size, uint32_t *align) {
    const CompValType *two[2];
    const CompValType **ts = NULL;
    switch (t->kind) {
    case CVT_LIST:
    case CVT_MAP: *size = 16; *align = 8; return;
    case CVT_FIXED_LIST:
        layout64(v, t->elem, size, align);
        *size = *size * t->n > SIZE64_CAP ? SIZE64_CAP : *size * t->n;
        return;
    case CVT_RECORD:
    case CVT_TUPLE:
    case CVT_VARIANT:
        ts = cv_alloc(v, t->n, sizeof *ts);
        if (!ts) {
            v->oom = true;
            *size = 0, *align = 1;
            return;
        }
        for (uint32_t i = 0; i < t->n; i++)
            ts[i] = t->kind == CVT_RECORD ? t->fields[i].type
                    : t->kind == CVT_TUPLE ? t->elems[i] : t->cases[i].type;
        fields64(v, ts, t->n, t->kind == CVT_VARIANT, size, align);
        return;
    case CVT_OPTION:
        two[0] = NULL, two[1] = t->elem;
        fields64(v, two, 2, true, size, align);
        return;
    case CVT_RESULT:
        two[0] = t->result.ok, two[1] = t->result.err;
        fields64(v, two, 2, true, size, align);
        return;
    default: *size = t->abi.size, *align = t->abi.align; return;
    }
}

static void layout64(V *v, const CompValType *t, uint64_t *size, uint32_t *align) {
    if (t->kind == CVT_STRING) {
        *size = 16, *align = 8;
        return;
    }
    if (!(t->abi.contains & CVT_HAS_MEMORY)) {
        *size = t->abi.size, *align = t->abi.align;
        return;
    }
    for (size_t i = 0; i < v->size64.len; i++) {
        if (v->size64.data[i].t == t) {
            *size = v->size64.data[i].size, *align = v->size64.data[i].align;
            return;
        }
    }
    compound64(v, t, size, align);
    Size64 m = {t, *size, *align};
    if (!VEC_PUSH(&v->size64, m))
        v->oom = true;
}

Err cv_deftype(V *v, const CompTypeDef *t, const CompDefType **out) {
    CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
    if (!dt)
        return cv_nomem(v);
    *out = dt;
    switch (t->kind) {
    case CTD_PRIM:
        dt->kind = CDEF_VAL;
        dt->val = comp_prim((CompValKind)t->prim);
        return OK;
    case CTD_FUNC: dt->kind = CDEF_FUNC; return functype(v, t, &dt->func);
    case CTD_COMPONENT: return decls(v, t, VS_COMPONENT_TYPE, dt);
    case CTD_INSTANCE: return decls(v, t, VS_INSTANCE_TYPE, dt);
    case CTD_RESOURCE: dt->kind = CDEF_RESOURCE; return resource(v, t, &dt->resource);
    default: {
        CompValType *val;
        TRY(defval(v, t, &val));
        if (!val)
            return cv_nomem(v);
        if (val->abi.depth > COMP_MAX_TYPE_DEPTH)
            return cv_fail(v, "type nesting is too deep");
        uint64_t size64 = 0;
        uint32_t align = 1;
        if (val->abi.size < MAX_VALUE_SIZE)
            layout64(v, val, &size64, &align);
        if (v->oom)
            return cv_nomem(v);
        if (val->abi.size >= MAX_VALUE_SIZE || size64 >= MAX_VALUE_SIZE)
            return cv_fail(v, "value type exceeds maximum byte size of %u", MAX_VALUE_SIZE - 1);
        dt->kind = CDEF_VAL;
        dt->val = val;
        return OK;
    }
    }
}

/* ---- Core types ------------------------------------------------------------- */

/* spec: Validation > Limits (memory and table types inside module types) */
static Err core_limits(V *v, const Limits *l, uint64_t max, const char *too_big) {
    if (too_big && (l->min > max || (l->has_max && l->max > max)))
        return cv_fail(v, "%s", too_big);
    if (l->has_max && l->min > l->max)
        return cv_fail(v, "size minimum must not be greater than maximum");
    return OK;
}

static Err core_extern(V *v, const CompCoreDesc *d, VScope *types, CompCoreExtern *out) {
    out->kind = d->kind;
    switch (d->kind) {
    case EXTERN_FUNC:
    case EXTERN_TAG: {
        if (d->type >= types->space[CSORT_CORE_TYPE].len)
            return cv_fail(v, "unknown type %u: type index out of bounds", d->type);
        CompSpaceEntry *e = &types->space[CSORT_CORE_TYPE].data[d->type];
        if (e->core_type_is_module)
            return cv_fail(v, "core type index %u is not a function type", d->type);
        out->func = e->core_func_type;
        return OK;
    }
    case EXTERN_TABLE:
        out->table = d->table;
        return core_limits(v, &d->table.limits, UINT64_MAX, NULL);
    case EXTERN_MEMORY:
        out->memory = d->memory;
        return core_limits(v, &d->memory, d->memory.is64 ? 1ull << 48 : 65536,
                           d->memory.is64 ? "memory size must be at most 2^48 pages"
                                          : "memory size must be at most 65536 pages (4GiB)");
    default: out->global = d->global; return OK;
    }
}

static Err module_type(V *v, const CompCoreTypeDef *t, const CompModuleType **out) {
    VScope s;
    cv_scope_init(&s, VS_INSTANCE_TYPE, v->scope);
    VEC(CompCoreImportDecl) imps = {0};
    VEC(CompCoreExportDecl) exps = {0};
    Err err = OK;
    for (uint32_t i = 0; err == OK && i < t->n_decls; i++) {
        const CompCoreDecl *d = &t->decls[i];
        CompSpaceEntry e;
        memset(&e, 0, sizeof e);
        if (d->kind == CCD_TYPE && d->type->is_module) {
            err = cv_fail(v, "invalid leading byte (0x50) for type definition in module type");
        } else if (d->kind == CCD_TYPE) {
            e.core_func_type = &d->type->func;
            if (!VEC_PUSH(&s.space[CSORT_CORE_TYPE], e))
                err = cv_nomem(v);
        } else if (d->kind == CCD_ALIAS) {
            VScope *o = &s;
            for (uint32_t k = 0; o && k < d->ct; k++)
                o = o->parent;
            if (!o || d->ct == 0)
                err = cv_fail(v, "invalid outer alias count of %u", d->ct);
            else if (d->idx >= o->space[CSORT_CORE_TYPE].len)
                err = cv_fail(v, "unknown type %u: type index out of bounds", d->idx);
            else if (o->space[CSORT_CORE_TYPE].data[d->idx].core_type_is_module)
                err = cv_fail(v, "cannot alias a module type into a module type");
            else if (!VEC_PUSH(&s.space[CSORT_CORE_TYPE], o->space[CSORT_CORE_TYPE].data[d->idx]))
                err = cv_nomem(v);
        } else if (d->kind == CCD_IMPORT) {
            CompCoreImportDecl im = {d->module.str, d->name.str, {0}};
            err = core_extern(v, &d->desc, &s, &im.type);
            for (size_t k = 0; err == OK && k < imps.len; k++)
                if (strcmp(imps.data[k].module, im.module) == 0 &&
                    strcmp(imps.data[k].field, im.field) == 0)
                    err = cv_fail(v, "duplicate import name `%s:%s` already defined", im.module,
                                  im.field);
            if (err == OK && !VEC_PUSH(&imps, im))
                err = cv_nomem(v);
        } else {
            CompCoreExportDecl ex = {d->name.str, {0}};
            err = core_extern(v, &d->desc, &s, &ex.type);
            for (size_t k = 0; err == OK && k < exps.len; k++)
                if (strcmp(exps.data[k].name, ex.name) == 0)
                    err = cv_fail(v, "duplicate export name `%s` already defined", ex.name);
            if (err == OK && !VEC_PUSH(&exps, ex))
                err = cv_nomem(v);
        }
    }
    CompModuleType *mt = err == OK ? cv_alloc(v, 1, sizeof *mt) : NULL;
    if (err == OK && !mt)
        err = cv_nomem(v);
    if (err == OK) {
        mt->n_imports = (uint32_t)imps.len;
        mt->n_exports = (uint32_t)exps.len;
        CompCoreImportDecl *ia = cv_alloc(v, mt->n_imports, sizeof *ia);
        CompCoreExportDecl *ea = cv_alloc(v, mt->n_exports, sizeof *ea);
        if (!ia || !ea)
            err = cv_nomem(v);
        else {
            if (imps.len)
                memcpy(ia, imps.data, imps.len * sizeof *ia);
            if (exps.len)
                memcpy(ea, exps.data, exps.len * sizeof *ea);
            mt->imports = ia;
            mt->exports = ea;
            *out = mt;
        }
    }
    VEC_FREE(&imps);
    VEC_FREE(&exps);
    cv_scope_fini(&s);
    return err;
}

Err cv_core_type(V *v, const CompCoreTypeDef *t, CompSpaceEntry *out) {
    memset(out, 0, sizeof *out);
    if (!t->is_module) {
        out->core_func_type = &t->func;
        return OK;
    }
    out->core_type_is_module = true;
    return module_type(v, t, &out->core_module_type);
}

/* ---- Extern types ----------------------------------------------------------- */

Err cv_externdesc(V *v, const CompExternDesc *d, const char *name, CompExternType *out) {
    memset(out, 0, sizeof *out);
    out->kind = d->kind;
    CompSpaceEntry e;
    switch (d->kind) {
    case CDESC_MODULE:
        TRY(cv_get(v, CSORT_CORE_TYPE, d->idx, &e));
        if (!e.core_type_is_module)
            return cv_fail(v, "core type index %u is not a module type", d->idx);
        out->module = e.core_module_type;
        return OK;
    case CDESC_FUNC:
        TRY(cv_get(v, CSORT_TYPE, d->idx, &e));
        if (e.type->kind != CDEF_FUNC)
            return cv_fail(v, "type index %u is not a function type", d->idx);
        out->func = e.type->func;
        return OK;
    case CDESC_VALUE:
        if (d->value_eq) {
            TRY(cv_get(v, CSORT_VALUE, d->idx, &e));
            out->value = e.value;
            return OK;
        }
        return cv_valtype(v, d->valtype, &out->value);
    case CDESC_TYPE:
        if (d->sub_resource) {
            CompResourceType *r = cv_new_resource(v, name);
            if (!r)
                return cv_nomem(v);
            out->type.sub_resource = true;
            out->type.resource = r;
            return OK;
        }
        TRY(cv_get(v, CSORT_TYPE, d->idx, &e));
        out->type.eq = e.type;
        if (e.type->kind == CDEF_RESOURCE) {
            out->type.resource = e.type->resource;
            out->type.alias = e.alias;
        }
        return cv_unique_bound(v, &out->type);
    case CDESC_COMPONENT:
        TRY(cv_get(v, CSORT_TYPE, d->idx, &e));
        if (e.type->kind != CDEF_COMPONENT)
            return cv_fail(v, "type index %u is not a component type", d->idx);
        out->component = e.type->component;
        return OK;
    default:
        TRY(cv_get(v, CSORT_TYPE, d->idx, &e));
        if (e.type->kind != CDEF_INSTANCE)
            return cv_fail(v, "type index %u is not an instance type", d->idx);
        out->instance = e.type->instance;
        return OK;
    }
}

Err cv_extern_entry(V *v, const CompExternType *t, uint8_t *out_sort, CompSpaceEntry *out) {
    memset(out, 0, sizeof *out);
    switch (t->kind) {
    case CEXT_MODULE: *out_sort = CSORT_CORE_MODULE; out->core_module = t->module; return OK;
    case CEXT_FUNC: *out_sort = CSORT_FUNC; out->func = t->func; return OK;
    case CEXT_VALUE: *out_sort = CSORT_VALUE; out->value = t->value; return OK;
    case CEXT_COMPONENT: *out_sort = CSORT_COMPONENT; out->component = t->component; return OK;
    case CEXT_INSTANCE: *out_sort = CSORT_INSTANCE; out->instance = t->instance; return OK;
    default: {
        *out_sort = CSORT_TYPE;
        out->alias = t->type.alias;
        if (t->type.eq && !t->type.sub_resource) {
            out->type = t->type.eq;
            return OK;
        }
        CompDefType *dt = cv_alloc(v, 1, sizeof *dt);
        if (!dt)
            return cv_nomem(v);
        dt->kind = CDEF_RESOURCE;
        dt->resource = t->type.resource;
        out->type = dt;
        return OK;
    }
    }
}

/* ---- Component and instance type declarators --------------------------------- */

Err cv_alias(V *v, const CompAlias *a) {
    CompSpaceEntry e;
    if (a->kind == CALIAS_OUTER) {
        VScope *o = v->scope;
        for (uint32_t k = 0; o && k < a->ct; k++)
            o = o->parent;
        if (!o)
            return cv_fail(v, "invalid outer alias count of %u", a->ct);
        VScope *saved = v->scope;
        v->scope = o;
        Err err = cv_get(v, a->sort, a->idx, &e);
        v->scope = saved;
        TRY(err);
        bool crosses = false;
        VScope *s = v->scope;
        for (uint32_t k = 0; k < a->ct; k++, s = s->parent)
            crosses |= s->kind == VS_COMPONENT;
        if (a->sort == CSORT_TYPE && crosses && cv_deftype_has_free(v, e.type))
            return cv_fail(v, "cannot alias outer type which transitively refers to resources "
                              "not defined in the current component");
        return cv_push(v, a->sort, &e);
    }
    if (a->kind == CALIAS_CORE_EXPORT) {
        TRY(cv_get(v, CSORT_CORE_INSTANCE, a->instance, &e));
        const CompCoreInstanceType *ci = e.core_instance;
        for (uint32_t i = 0; i < ci->n; i++) {
            const CompCoreExportDecl *x = &ci->exports[i];
            if (strcmp(x->name, a->name.str) != 0)
                continue;
            static const uint8_t sort_of[] = {CSORT_CORE_FUNC, CSORT_CORE_TABLE, CSORT_CORE_MEMORY,
                                              CSORT_CORE_GLOBAL, CSORT_CORE_TAG};
            if (x->type.kind > EXTERN_TAG || sort_of[x->type.kind] != a->sort)
                return cv_fail(v, "export `%s` for core instance %u is not a %s", a->name.str,
                               a->instance, cv_sort_name(a->sort));
            CompSpaceEntry n;
            memset(&n, 0, sizeof n);
            switch (x->type.kind) {
            case EXTERN_FUNC: n.core_func = x->type.func; break;
            case EXTERN_TABLE: n.core_table = x->type.table; break;
            case EXTERN_MEMORY: n.core_memory = x->type.memory; break;
            case EXTERN_GLOBAL: n.core_global = x->type.global; break;
            default: n.core_tag = x->type.func; break;
            }
            return cv_push(v, a->sort, &n);
        }
        return cv_fail(v, "core instance %u has no export named `%s`", a->instance, a->name.str);
    }
    TRY(cv_get(v, CSORT_INSTANCE, a->instance, &e));
    const CompInstanceType *it = e.instance;
    for (uint32_t i = 0; i < it->n_exports; i++) {
        if (strcmp(it->exports[i].name, a->name.str) != 0)
            continue;
        uint8_t sort;
        CompSpaceEntry n;
        TRY(cv_extern_entry(v, &it->exports[i].type, &sort, &n));
        if (sort != a->sort)
            return cv_fail(v, "export `%s` for instance %u is not a %s", a->name.str,
                           a->instance, cv_sort_name(a->sort));
        return cv_push(v, sort, &n);
    }
    return cv_fail(v, "instance %u has no export named `%s`", a->instance, a->name.str);
}

static Err decl_extern(V *v, const CompDecl *d, bool is_import) {
    CompExternType t;
    TRY(cv_externdesc(v, &d->desc, d->name.name.str, &t));
    if (!is_import && t.kind == CEXT_TYPE && t.type.sub_resource &&
        !VEC_PUSH(&v->scope->defined, t.type.resource))
        return cv_nomem(v);
    return cv_add_extern(v, is_import, &d->name, &t, false);
}

static bool decl_alias_ok(const CompAlias *a) {
    switch (a->kind) {
    case CALIAS_EXPORT: return a->sort == CSORT_TYPE || a->sort == CSORT_INSTANCE;
    case CALIAS_OUTER: return a->sort == CSORT_TYPE || a->sort == CSORT_CORE_TYPE;
    default: return false;
    }
}

static Err copy_decls(V *v, const DeclVec *d, const CompExternDecl **out, uint32_t *n) {
    CompExternDecl *a = cv_alloc(v, (uint32_t)d->len, sizeof *a);
    if (!a)
        return cv_nomem(v);
    if (d->len)
        memcpy(a, d->data, d->len * sizeof *a);
    *out = a;
    *n = (uint32_t)d->len;
    return OK;
}

static Err decls(V *v, const CompTypeDef *t, VScopeKind kind, CompDefType *dt) {
    VScope s;
    cv_scope_init(&s, kind, v->scope);
    v->scope = &s;
    Err err = OK;
    uint32_t saved_offset = v->offset;
    for (uint32_t i = 0; err == OK && i < t->n; i++) {
        const CompDecl *d = &t->decls[i];
        v->offset = d->offset;
        CompSpaceEntry e;
        const CompDefType *sub;
        switch (d->kind) {
        case CDECL_CORE_TYPE:
            err = cv_core_type(v, d->core_type, &e);
            if (err == OK)
                err = cv_push(v, CSORT_CORE_TYPE, &e);
            break;
        case CDECL_TYPE:
            err = cv_deftype(v, d->type, &sub);
            memset(&e, 0, sizeof e);
            e.type = sub;
            if (err == OK)
                err = cv_push(v, CSORT_TYPE, &e);
            break;
        case CDECL_ALIAS:
            if (!decl_alias_ok(&d->alias))
                err = cv_fail(v, "aliases in a component or instance type may only refer to "
                                 "types or instances");
            else
                err = cv_alias(v, &d->alias);
            break;
        case CDECL_IMPORT: err = decl_extern(v, d, true); break;
        default: err = decl_extern(v, d, false); break;
        }
    }
    v->offset = saved_offset;
    v->scope = s.parent;
    if (err == OK && kind == VS_COMPONENT_TYPE) {
        CompComponentType *ct = cv_alloc(v, 1, sizeof *ct);
        if (!ct)
            err = cv_nomem(v);
        if (err == OK)
            err = copy_decls(v, &s.imports, &ct->imports, &ct->n_imports);
        if (err == OK)
            err = copy_decls(v, &s.exports, &ct->exports, &ct->n_exports);
        if (err == OK)
            err = cv_copy_resources(v, &s.defined, &ct->defined, &ct->n_defined);
        dt->kind = CDEF_COMPONENT;
        dt->component = ct;
    } else if (err == OK) {
        CompInstanceType *it = cv_alloc(v, 1, sizeof *it);
        if (!it)
            err = cv_nomem(v);
        if (err == OK)
            err = copy_decls(v, &s.exports, &it->exports, &it->n_exports);
        if (err == OK)
            err = cv_copy_resources(v, &s.defined, &it->defined, &it->n_defined);
        dt->kind = CDEF_INSTANCE;
        dt->instance = it;
    }
    cv_scope_fini(&s);
    return err;
}
