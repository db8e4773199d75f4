/* Component validator, definitions: walks a component's definitions in
 * order, building each index space (comp_ir.h CompSpaceEntry) and checking
 * core modules (valid_module), core and component instantiations (with
 * resource binding and fresh exported resources), aliases, canonical
 * definitions and their options, imports and exports (names, visibility of
 * types, ascribed types) and the root-level restrictions wasmtime's suite
 * expects (reported only when nothing else is wrong: wasmtime checks them
 * after validation). Errors are ERR_INVALID at the definition's byte offset. */
#include <stdio.h>
#include <string.h>

#include "comp_valid_int.h"

/* ---- Helpers ---------------------------------------------------------------- */

Err cv_fail(V *v, const char *fmt, ...) {
    char buf[DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return FAIL(v->diag, ERR_INVALID, v->offset, "%s", buf);
}

Err cv_nomem(V *v) {
    return FAIL_NOMEM(v->diag);
}

void cv_restrict(V *v, const char *fmt, ...) {
    if (v->restricted)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->restrict_msg, sizeof v->restrict_msg, fmt, ap);
    va_end(ap);
    v->restricted = true;
    v->restrict_offset = v->offset;
}

void *cv_alloc(V *v, size_t n, size_t size) {
    return arena_calloc(v->arena, n ? n : 1, size);
}

const char *cv_sort_name(uint8_t sort) {
    static const char *const names[CSORT_COUNT] = {
        "func", "table", "memory", "global", "tag", "type", "module", "instance",
        "func", "value", "type", "component", "instance",
    };
    return sort < CSORT_COUNT ? names[sort] : "?";
}

static const char *index_what(uint8_t sort) {
    static const char *const names[CSORT_COUNT] = {
        "function", "table", "memory", "global", "tag", "type", "module", "instance",
        "function", "value", "type", "component", "instance",
    };
    return names[sort];
}

Err cv_get(V *v, uint8_t sort, uint32_t idx, CompSpaceEntry *out) {
    SpaceVec *s = &v->scope->space[sort];
    memset(out, 0, sizeof *out);
    if (idx >= s->len)
        return cv_fail(v, "unknown %s %u: %s index out of bounds", index_what(sort), idx,
                       index_what(sort));
    *out = s->data[idx];
    return OK;
}

Err cv_push(V *v, uint8_t sort, const CompSpaceEntry *e) {
    if (!VEC_PUSH(&v->scope->space[sort], *e))
        return cv_nomem(v);
    return OK;
}

void cv_scope_init(VScope *s, VScopeKind kind, VScope *parent) {
    memset(s, 0, sizeof *s);
    s->kind = (uint8_t)kind;
    s->parent = parent;
}

void cv_scope_fini(VScope *s) {
    for (int i = 0; i < CSORT_COUNT; i++)
        VEC_FREE(&s->space[i]);
    VEC_FREE(&s->imports);
    VEC_FREE(&s->exports);
    VEC_FREE(&s->local);
    VEC_FREE(&s->defined);
    VEC_FREE(&s->named_imp);
    VEC_FREE(&s->named_exp);
}

CompResourceType *cv_new_resource(V *v, const char *name) {
    CompResourceType *r = cv_alloc(v, 1, sizeof *r);
    if (!r)
        return NULL;
    r->id = (*v->n_resources)++;
    r->dtor = COMP_NONE;
    r->name = name;
    return r;
}

static FuncType *core_functype(V *v, const char *params, const char *results) {
    FuncType *f = cv_alloc(v, 1, sizeof *f);
    if (!f)
        return NULL;
    f->n_params = (uint32_t)strlen(params);
    f->n_results = (uint32_t)strlen(results);
    f->params = cv_alloc(v, f->n_params, sizeof(ValType));
    f->results = cv_alloc(v, f->n_results, sizeof(ValType));
    if (!f->params || !f->results)
        return NULL;
    for (uint32_t i = 0; i < f->n_params; i++)
        f->params[i].kind = params[i] == 'I' ? VK_I64 : VK_I32;
    for (uint32_t i = 0; i < f->n_results; i++)
        f->results[i].kind = results[i] == 'I' ? VK_I64 : VK_I32;
    return f;
}

/* ---- Core modules and instances --------------------------------------------- */

static Err module_extern(V *v, const Module *m, uint8_t kind, uint32_t index,
                         CompCoreExtern *out) {
    out->kind = kind;
    switch (kind) {
    case EXTERN_FUNC: out->func = &m->types[m->funcs[index].type].func; return OK;
    case EXTERN_TABLE: out->table = m->tables[index].type; return OK;
    case EXTERN_MEMORY: out->memory = m->memories[index].type; return OK;
    case EXTERN_GLOBAL: out->global = m->globals[index].type; return OK;
    case EXTERN_TAG: out->func = &m->types[m->tags[index].type.type].func; return OK;
    default: return cv_fail(v, "unsupported core extern kind");
    }
}

static bool name_eq(Name a, Name b) {
    return a.len == b.len && memcmp(a.str, b.str, a.len) == 0;
}

/* Components forbid two imports of one core module with the same two-level
 * name (they would mangle to the same single-level name). */
static Err unique_core_imports(V *v, const Module *m) {
    for (uint32_t i = 0; i < m->n_imports; i++)
        for (uint32_t j = 0; j < i; j++)
            if (name_eq(m->imports[i].module, m->imports[j].module) &&
                name_eq(m->imports[i].field, m->imports[j].field))
                return cv_fail(v, "duplicate import name `%.*s:%.*s` already defined",
                               (int)m->imports[i].module.len, m->imports[i].module.str,
                               (int)m->imports[i].field.len, m->imports[i].field.str);
    return OK;
}

static Err core_module(V *v, CompDef *d) {
    Module *m = d->module.mod;
    Diag md;
    diag_clear(&md);
    if (valid_module(m, v->reg, &md) != OK) {
        uint64_t o = md.offset == DIAG_NO_OFFSET ? d->offset : d->offset + md.offset;
        return FAIL(v->diag, md.code == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID, o, "%s", md.msg);
    }
    TRY(unique_core_imports(v, m));
    CompModuleType *mt = cv_alloc(v, 1, sizeof *mt);
    CompCoreImportDecl *im = cv_alloc(v, m->n_imports, sizeof *im);
    CompCoreExportDecl *ex = cv_alloc(v, m->n_exports, sizeof *ex);
    if (!mt || !im || !ex)
        return cv_nomem(v);
    for (uint32_t i = 0; i < m->n_imports; i++) {
        const Import *x = &m->imports[i];
        im[i].module = arena_strndup(v->arena, x->module.str, x->module.len);
        im[i].field = arena_strndup(v->arena, x->field.str, x->field.len);
        TRY(module_extern(v, m, x->kind, x->index, &im[i].type));
    }
    for (uint32_t i = 0; i < m->n_exports; i++) {
        const Export *x = &m->exports[i];
        ex[i].name = arena_strndup(v->arena, x->name.str, x->name.len);
        TRY(module_extern(v, m, x->kind, x->index, &ex[i].type));
    }
    mt->imports = im;
    mt->n_imports = m->n_imports;
    mt->exports = ex;
    mt->n_exports = m->n_exports;
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    e.core_module = mt;
    return cv_push(v, CSORT_CORE_MODULE, &e);
}

static const CompCoreExportDecl *core_export(const CompCoreInstanceType *ci, const char *n) {
    for (uint32_t i = 0; i < ci->n; i++)
        if (strcmp(ci->exports[i].name, n) == 0)
            return &ci->exports[i];
    return NULL;
}

static Err core_instantiate(V *v, const CompCoreInstance *ci, CompCoreInstanceType *out) {
    CompSpaceEntry me;
    TRY(cv_get(v, CSORT_CORE_MODULE, ci->module, &me));
    const CompModuleType *mt = me.core_module;
    const CompCoreInstanceType **args = cv_alloc(v, ci->n, sizeof *args);
    if (!args)
        return cv_nomem(v);
    for (uint32_t i = 0; i < ci->n; i++) {
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(ci->names[i].str, ci->names[j].str) == 0)
                return cv_fail(v, "duplicate module instantiation argument named `%s`",
                               ci->names[i].str);
        CompSpaceEntry e;
        TRY(cv_get(v, CSORT_CORE_INSTANCE, ci->items[i].idx, &e));
        args[i] = e.core_instance;
    }
    for (uint32_t i = 0; i < mt->n_imports; i++) {
        const CompCoreImportDecl *im = &mt->imports[i];
        const CompCoreInstanceType *arg = NULL;
        for (uint32_t j = 0; j < ci->n && !arg; j++)
            if (strcmp(ci->names[j].str, im->module) == 0)
                arg = args[j];
        if (!arg)
            return cv_fail(v, "missing module instantiation argument named `%s`", im->module);
        const CompCoreExportDecl *x = core_export(arg, im->field);
        if (!x)
            return cv_fail(v, "module instantiation argument `%s` does not export an item named "
                              "`%s`", im->module, im->field);
        char msg[DIAG_MSG_MAX];
        if (!cv_core_extern_sub(&x->type, &im->type, msg, sizeof msg))
            return cv_fail(v, "type mismatch for export `%s` of module instantiation argument "
                              "`%s`: %s", im->field, im->module, msg);
    }
    out->n = mt->n_exports;
    out->exports = mt->exports;
    return OK;
}

static Err core_entry_extern(V *v, CompSortIdx it, CompCoreExtern *out) {
    CompSpaceEntry e;
    TRY(cv_get(v, it.sort, it.idx, &e));
    switch (it.sort) {
    case CSORT_CORE_FUNC: out->kind = EXTERN_FUNC; out->func = e.core_func; return OK;
    case CSORT_CORE_TABLE: out->kind = EXTERN_TABLE; out->table = e.core_table; return OK;
    case CSORT_CORE_MEMORY: out->kind = EXTERN_MEMORY; out->memory = e.core_memory; return OK;
    case CSORT_CORE_GLOBAL: out->kind = EXTERN_GLOBAL; out->global = e.core_global; return OK;
    case CSORT_CORE_TAG: out->kind = EXTERN_TAG; out->func = e.core_tag; return OK;
    default: return cv_fail(v, "a core instance may only export funcs, tables, memories, "
                               "globals and tags");
    }
}

static Err core_instance(V *v, const CompCoreInstance *ci) {
    CompCoreInstanceType *t = cv_alloc(v, 1, sizeof *t);
    if (!t)
        return cv_nomem(v);
    if (ci->instantiate) {
        TRY(core_instantiate(v, ci, t));
    } else {
        CompCoreExportDecl *ex = cv_alloc(v, ci->n, sizeof *ex);
        if (!ex)
            return cv_nomem(v);
        for (uint32_t i = 0; i < ci->n; i++) {
            for (uint32_t j = 0; j < i; j++)
                if (strcmp(ci->names[i].str, ci->names[j].str) == 0)
                    return cv_fail(v, "export name `%s` already defined", ci->names[i].str);
            ex[i].name = ci->names[i].str;
            TRY(core_entry_extern(v, ci->items[i], &ex[i].type));
        }
        t->n = ci->n;
        t->exports = ex;
    }
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    e.core_instance = t;
    return cv_push(v, CSORT_CORE_INSTANCE, &e);
}

/* ---- Component instances ---------------------------------------------------- */

/* The extern type of index-space item `it`; `unique`: a type gets a new
 * identity (an export), else it keeps the entry's (arguments, bags). */
static Err item_extern(V *v, CompSortIdx it, bool unique, CompExternType *out, bool *imported) {
    CompSpaceEntry e;
    TRY(cv_get(v, it.sort, it.idx, &e));
    memset(out, 0, sizeof *out);
    if (imported)
        *imported = e.imported;
    switch (it.sort) {
    case CSORT_CORE_MODULE: out->kind = CEXT_MODULE; out->module = e.core_module; return OK;
    case CSORT_FUNC: out->kind = CEXT_FUNC; out->func = e.func; return OK;
    case CSORT_VALUE: out->kind = CEXT_VALUE; out->value = e.value; return OK;
    case CSORT_COMPONENT: out->kind = CEXT_COMPONENT; out->component = e.component; return OK;
    case CSORT_INSTANCE: out->kind = CEXT_INSTANCE; out->instance = e.instance; return OK;
    case CSORT_TYPE:
        out->kind = CEXT_TYPE;
        out->type.eq = e.type;
        if (e.type->kind == CDEF_RESOURCE) {
            out->type.resource = e.type->resource;
            out->type.alias = e.alias;
        }
        return unique ? cv_unique_bound(v, &out->type) : OK;
    default:
        return cv_fail(v, "%s not valid to be used as export", cv_sort_name(it.sort));
    }
}

static Err instantiate_args(V *v, const CompInstanceDef *in, CompExternType *args) {
    for (uint32_t i = 0; i < in->n; i++) {
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(in->names[i].str, in->names[j].str) == 0)
                return cv_fail(v, "instantiation argument `%s` conflicts with previous argument "
                                  "`%s`", in->names[i].str, in->names[j].str);
        TRY(item_extern(v, in->items[i], false, &args[i], NULL));
    }
    return OK;
}

/* spec (wasmparser instantiate_component): the arguments must satisfy the
 * imports (binding imported resources and type imports), the defined
 * resources become fresh ones, and the exports are substituted. */
static Err instantiate_match(V *v, const CompComponentType *ct, const CompInstanceDef *in,
                             const CompExternType *args, RMap *bind) {
    char msg[DIAG_MSG_MAX];
    for (uint32_t i = 0; i < ct->n_imports; i++) {
        const CompExternDecl *im = &ct->imports[i];
        int32_t arg = -1;
        for (uint32_t j = 0; j < in->n; j++)
            if (strcmp(in->names[j].str, im->name) == 0)
                arg = (int32_t)j;
        if (arg < 0)
            return cv_fail(v, "missing import named `%s`", im->name);
        CompExternType want;
        TRY(cv_subst_extern(v, bind, &im->type, &want));
        if (!cv_extern_sub(v, &args[arg], &want, bind, msg, sizeof msg))
            return cv_fail(v, "type mismatch for import `%s`: %s", im->name, msg);
        TRY(cv_rename(v, bind, &args[arg], &im->type));
    }
    return OK;
}

static Err instantiate(V *v, const CompInstanceDef *in, CompInstanceType *out) {
    CompSpaceEntry ce;
    TRY(cv_get(v, CSORT_COMPONENT, in->component, &ce));
    const CompComponentType *ct = ce.component;
    CompExternType *args = cv_alloc(v, in->n, sizeof *args);
    if (!args)
        return cv_nomem(v);
    TRY(instantiate_args(v, in, args));
    RMap bind = {0};
    Err err = instantiate_match(v, ct, in, args, &bind);
    if (err == OK)
        err = cv_freshen(v, ct->defined, ct->n_defined, &bind, true);
    CompExternDecl *ex = err == OK ? cv_alloc(v, ct->n_exports, sizeof *ex) : NULL;
    if (err == OK && !ex)
        err = cv_nomem(v);
    for (uint32_t i = 0; err == OK && i < ct->n_exports; i++) {
        ex[i].name = ct->exports[i].name;
        err = cv_subst_extern(v, &bind, &ct->exports[i].type, &ex[i].type);
    }
    rmap_fini(&bind);
    TRY(err);
    out->exports = ex;
    out->n_exports = ct->n_exports;
    return OK;
}

/* A bag of exports: names are checked, types keep their identity, and no
 * resource names are known (wasmparser's empty name context). */
static Err instance_exports(V *v, const CompInstanceDef *in, CompInstanceType *t) {
    DeclVec prev = {0};
    Err err = OK;
    for (uint32_t i = 0; err == OK && i < in->n; i++) {
        CompExternDecl x = {in->export_names[i].name.str, {0}};
        err = item_extern(v, in->items[i], false, &x.type, NULL);
        if (err == OK)
            err = cv_extern_name(v, &in->export_names[i], false, &x.type, &prev, NULL);
        if (err == OK && !VEC_PUSH(&prev, x))
            err = cv_nomem(v);
    }
    CompExternDecl *ex = err == OK ? cv_alloc(v, (uint32_t)prev.len, sizeof *ex) : NULL;
    if (err == OK && !ex)
        err = cv_nomem(v);
    if (err == OK && prev.len)
        memcpy(ex, prev.data, prev.len * sizeof *ex);
    t->exports = ex;
    t->n_exports = (uint32_t)prev.len;
    VEC_FREE(&prev);
    return err;
}

static Err instance(V *v, const CompInstanceDef *in) {
    CompInstanceType *t = cv_alloc(v, 1, sizeof *t);
    if (!t)
        return cv_nomem(v);
    if (in->instantiate)
        TRY(instantiate(v, in, t));
    else
        TRY(instance_exports(v, in, t));
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    e.instance = t;
    return cv_push(v, CSORT_INSTANCE, &e);
}

/* ---- Canonical definitions -------------------------------------------------- */

static const char *enc_name(uint8_t code) {
    return code == 0 ? "utf8" : code == 1 ? "utf16" : "latin1-utf16";
}

/* Validated after all options, as `realloc` depends on `memory`. */
static Err check_realloc(V *v, const CompCanonOpts *o) {
    if (o->memory == COMP_NONE)
        return cv_fail(v, "canonical option `realloc` requires `memory` to also be specified");
    CompSpaceEntry e;
    TRY(cv_get(v, CSORT_CORE_FUNC, o->realloc, &e));
    const FuncType *f = e.core_func;
    bool ok = f->n_params == 4 && f->n_results == 1;
    for (uint32_t j = 0; ok && j < 4; j++)
        ok = f->params[j].kind == VK_I32;
    if (!ok || f->results[0].kind != VK_I32)
        return cv_fail(v, "canonical option `realloc` uses a core function with an incorrect "
                          "signature");
    return OK;
}

static Err canon_options(V *v, CompCanon *c, bool lift) {
    CompCanonOpts *o = &c->opts;
    comp_canon_opts_default(o);
    int enc = -1;
    for (uint32_t i = 0; i < c->n_opts; i++) {
        uint8_t k = c->opt_codes[i];
        uint32_t a = c->opt_args[i];
        CompSpaceEntry e;
        switch (k) {
        case 0x00: case 0x01: case 0x02:
            if (enc >= 0)
                return cv_fail(v, "canonical encoding option `%s` conflicts with option `%s`",
                               enc_name((uint8_t)enc), enc_name(k));
            enc = k;
            o->string_encoding = k;
            break;
        case 0x03:
            if (o->memory != COMP_NONE)
                return cv_fail(v, "canonical option `memory` is specified more than once");
            TRY(cv_get(v, CSORT_CORE_MEMORY, a, &e));
            o->memory = a;
            break;
        case 0x04:
        case 0x05:
        case 0x07: {
            const char *name = k == 0x04 ? "realloc" : k == 0x05 ? "post-return" : "callback";
            uint32_t *slot = k == 0x04 ? &o->realloc : k == 0x05 ? &o->post_return : &o->callback;
            if (*slot != COMP_NONE)
                return cv_fail(v, "canonical option `%s` is specified more than once", name);
            if (k == 0x05 && !lift)
                return cv_fail(v, "canonical option `post-return` cannot be specified for "
                                  "lowerings");
            if (k != 0x04)
                TRY(cv_get(v, CSORT_CORE_FUNC, a, &e));
            *slot = a;
            break;
        }
        case 0x06: o->async_ = true; break;
        default: break;
        }
    }
    return o->realloc != COMP_NONE ? check_realloc(v, o) : OK;
}

static bool contains(const CompFuncType *ft, bool params, uint8_t what) {
    const CompField *f = params ? ft->params : ft->results;
    uint32_t n = params ? ft->n_params : ft->n_results;
    for (uint32_t i = 0; i < n; i++)
        if (f[i].type->abi.contains & what)
            return true;
    return false;
}

/* spec: Canonical ABI > canon lift/lower option requirements */
static Err canon_requirements(V *v, const CompFuncType *ft, const CompCanonOpts *o, bool lift) {
    if (o->async_)
        return OK;
    bool params_spill = comp_func_flat_params(ft) > COMP_MAX_FLAT_PARAMS;
    bool results_spill = comp_func_flat_results(ft) > COMP_MAX_FLAT_RESULTS;
    bool need_mem = contains(ft, true, CVT_HAS_MEMORY) || contains(ft, false, CVT_HAS_MEMORY) ||
                    params_spill || results_spill;
    bool need_realloc = lift ? (contains(ft, true, CVT_HAS_REALLOC) || params_spill)
                             : contains(ft, false, CVT_HAS_REALLOC);
    if (need_mem && o->memory == COMP_NONE)
        return cv_fail(v, "canonical option `memory` is required");
    if (need_realloc && o->realloc == COMP_NONE)
        return cv_fail(v, "canonical option `realloc` is required");
    return OK;
}

static void format_types(const ValType *t, uint32_t n, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "[");
    for (uint32_t i = 0; i < n && at < size; i++) {
        const char *s = t[i].kind == VK_I32 ? "I32" : t[i].kind == VK_I64 ? "I64"
                        : t[i].kind == VK_F32 ? "F32" : t[i].kind == VK_F64 ? "F64" : "?";
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", s);
    }
    if (at < size)
        snprintf(buf + at, size - at, "]");
}

static bool vals_eq(const ValType *a, uint32_t na, const ValType *b, uint32_t nb) {
    if (na != nb)
        return false;
    for (uint32_t i = 0; i < na; i++)
        if (a[i].kind != b[i].kind)
            return false;
    return true;
}

/* The lifted core function's signature (spec: flatten_functype, 'lift'): an
 * async lift returns its results through task.return, or (with a callback)
 * returns the callback code. */
static Err lift_core_sig(V *v, const CompCanon *c, const CompFuncType *ft, const FuncType *core) {
    FuncType want;
    TRY(comp_func_core_type(ft, false, v->arena, &want, v->diag));
    if (c->opts.async_) {
        ValType *code = cv_alloc(v, 1, sizeof *code);
        if (!code)
            return cv_nomem(v);
        code->kind = VK_I32;
        want.n_results = c->opts.callback != COMP_NONE ? 1 : 0;
        want.results = code;
    }
    char a[128], b[128];
    if (!vals_eq(core->params, core->n_params, want.params, want.n_params)) {
        format_types(want.params, want.n_params, a, sizeof a);
        format_types(core->params, core->n_params, b, sizeof b);
        return cv_fail(v, "lowered parameter types `%s` do not match parameter types `%s` "
                          "of core function %u", a, b, c->func);
    }
    if (!vals_eq(core->results, core->n_results, want.results, want.n_results)) {
        format_types(want.results, want.n_results, a, sizeof a);
        format_types(core->results, core->n_results, b, sizeof b);
        return cv_fail(v, "lowered result types `%s` do not match result types `%s` of "
                          "core function %u", a, b, c->func);
    }
    if (c->opts.post_return != COMP_NONE && !c->opts.async_) {
        CompSpaceEntry pe;
        TRY(cv_get(v, CSORT_CORE_FUNC, c->opts.post_return, &pe));
        const FuncType *p = pe.core_func;
        if (p->n_results != 0 || !vals_eq(p->params, p->n_params, core->results, core->n_results))
            return cv_fail(v, "canonical option `post-return` uses a core function with an "
                              "incorrect signature");
    }
    return OK;
}

static Err lift(V *v, CompCanon *c) {
    CompSpaceEntry fe, te;
    TRY(cv_get(v, CSORT_CORE_FUNC, c->func, &fe));
    TRY(canon_options(v, c, true));
    TRY(cv_get(v, CSORT_TYPE, c->type, &te));
    if (te.type->kind != CDEF_FUNC)
        return cv_fail(v, "type index %u is not a function type", c->type);
    const CompFuncType *ft = te.type->func;
    TRY(canon_requirements(v, ft, &c->opts, true));
    TRY(lift_core_sig(v, c, ft, fe.core_func));
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    e.func = ft;
    return cv_push(v, CSORT_FUNC, &e);
}

/* spec: Canonical ABI > flatten_functype for async lowering: up to 4 flat
 * params (else one pointer), a result pointer when there is a result, and an
 * i32 status result. */
static Err async_lower_type(V *v, const CompFuncType *ft, FuncType **out) {
    uint8_t flat[COMP_MAX_FLAT_ASYNC_PARAMS + 1];
    uint32_t n = 0;
    for (uint32_t i = 0; i < ft->n_params && n <= COMP_MAX_FLAT_ASYNC_PARAMS; i++) {
        uint8_t tmp[COMP_MAX_FLAT_ASYNC_PARAMS + 1];
        uint32_t k = comp_flatten_type(ft->params[i].type, tmp, COMP_MAX_FLAT_ASYNC_PARAMS + 1);
        for (uint32_t j = 0; j < k && n <= COMP_MAX_FLAT_ASYNC_PARAMS; j++)
            flat[n++] = tmp[j];
    }
    if (n > COMP_MAX_FLAT_ASYNC_PARAMS) {
        n = 1;
        flat[0] = VK_I32;
    }
    char p[COMP_MAX_FLAT_ASYNC_PARAMS + 2];
    uint32_t np = n + (ft->n_results ? 1 : 0);
    memset(p, 'i', np);
    p[np] = 0;
    *out = core_functype(v, p, "i");
    if (!*out)
        return cv_nomem(v);
    for (uint32_t i = 0; i < n; i++)
        (*out)->params[i].kind = flat[i];
    return OK;
}

static Err lower(V *v, CompCanon *c) {
    CompSpaceEntry fe;
    TRY(cv_get(v, CSORT_FUNC, c->func, &fe));
    TRY(canon_options(v, c, false));
    TRY(canon_requirements(v, fe.func, &c->opts, false));
    FuncType *f = cv_alloc(v, 1, sizeof *f);
    if (!f)
        return cv_nomem(v);
    if (c->opts.async_)
        TRY(async_lower_type(v, fe.func, &f));
    else
        TRY(comp_func_core_type(fe.func, true, v->arena, f, v->diag));
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    e.core_func = f;
    return cv_push(v, CSORT_CORE_FUNC, &e);
}

static Err resource_builtin(V *v, CompCanon *c) {
    CompSpaceEntry te;
    TRY(cv_get(v, CSORT_TYPE, c->type, &te));
    if (te.type->kind != CDEF_RESOURCE)
        return cv_fail(v, "type index %u is not a resource type", c->type);
    if (c->op != CCANON_RESOURCE_DROP) {
        bool local = false;
        for (size_t i = 0; i < v->scope->local.len; i++)
            local |= v->scope->local.data[i] == te.type->resource;
        if (!local)
            return cv_fail(v, "type index %u is not a local resource", c->type);
    }
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    e.core_func = c->op == CCANON_RESOURCE_DROP ? core_functype(v, "i", "")
                                                : core_functype(v, "i", "i");
    if (!e.core_func)
        return cv_nomem(v);
    return cv_push(v, CSORT_CORE_FUNC, &e);
}

/* Core signatures of the async and thread built-ins (i = i32, I = i64). */
static void builtin_sig(uint8_t op, const char **params, const char **results) {
    static const struct { uint8_t op; const char *p, *r; } sigs[] = {
        {0x05, "", ""},     {0x06, "i", "i"},   {0x08, "i", ""},    {0x0a, "", "i"},
        {0x0b, "i", ""},    {0x0c, "", "i"},    {0x0d, "i", ""},    {0x0e, "", "I"},
        {0x0f, "iii", "i"}, {0x10, "iii", "i"}, {0x11, "i", "i"},   {0x12, "i", "i"},
        {0x13, "i", ""},    {0x14, "i", ""},    {0x15, "", "I"},    {0x16, "ii", "i"},
        {0x17, "ii", "i"},  {0x18, "i", "i"},   {0x19, "i", "i"},   {0x1a, "i", ""},
        {0x1b, "i", ""},    {0x1c, "ii", "i"},  {0x1d, "ii", ""},   {0x1e, "i", ""},
        {0x1f, "", "i"},    {0x20, "ii", "i"},  {0x21, "ii", "i"},  {0x22, "i", ""},
        {0x23, "ii", ""},   {0x24, "", ""},     {0x25, "", ""},     {0x26, "", "i"},
        {0x27, "ii", "i"},  {0x28, "i", ""},    {0x29, "", "i"},    {0x2a, "i", "i"},
        {0x2b, "i", "i"},   {0x2c, "i", "i"},   {0x2d, "i", "i"},   {0x40, "ii", "i"},
        {0x41, "ii", "i"},  {0x42, "", "i"},
    };
    *params = "";
    *results = "";
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigs[i].op == op) {
            *params = sigs[i].p;
            *results = sigs[i].r;
        }
    }
}

static Err task_return_type(V *v, CompCanon *c, FuncType **out) {
    char p[COMP_MAX_FLAT_PARAMS + 1];
    uint32_t n = 0;
    uint8_t flat[COMP_MAX_FLAT_PARAMS];
    if (c->has_result) {
        const CompValType *t;
        TRY(cv_valtype(v, c->result, &t));
        n = comp_flatten_type(t, flat, COMP_MAX_FLAT_PARAMS);
        if (n > COMP_MAX_FLAT_PARAMS) {
            n = 1;
            flat[0] = VK_I32;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        p[i] = 'i';
    p[n] = 0;
    *out = core_functype(v, p, "");
    if (!*out)
        return cv_nomem(v);
    for (uint32_t i = 0; i < n; i++)
        (*out)->params[i].kind = flat[i];
    return OK;
}

static Err canon(V *v, CompCanon *c) {
    switch (c->op) {
    case CCANON_LIFT: return lift(v, c);
    case CCANON_LOWER: return lower(v, c);
    case CCANON_RESOURCE_NEW:
    case CCANON_RESOURCE_DROP:
    case CCANON_RESOURCE_REP: return resource_builtin(v, c);
    default: break;
    }
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    if (c->n_opts)
        TRY(canon_options(v, c, false));
    if (c->op == 0x20 || c->op == 0x21)
        TRY(cv_get(v, CSORT_CORE_MEMORY, c->memory, &e));
    if (c->op == 0x27 || c->op == 0x41)
        TRY(cv_get(v, CSORT_CORE_TABLE, c->table, &e));
    if (c->op == 0x27 || c->op == 0x40 || c->op == 0x41)
        TRY(cv_get(v, CSORT_CORE_TYPE, c->type, &e));
    if ((c->op >= 0x0e && c->op <= 0x1b)) {
        TRY(cv_get(v, CSORT_TYPE, c->type, &e));
        if (e.type->kind != CDEF_VAL ||
            (e.type->val->kind != CVT_STREAM && e.type->val->kind != CVT_FUTURE))
            return cv_fail(v, "type index %u is not a stream or future type", c->type);
    }
    memset(&e, 0, sizeof e);
    if (c->op == 0x09) {
        FuncType *f;
        TRY(task_return_type(v, c, &f));
        e.core_func = f;
    } else {
        const char *p, *r;
        builtin_sig(c->op, &p, &r);
        e.core_func = core_functype(v, p, r);
        if (!e.core_func)
            return cv_nomem(v);
    }
    return cv_push(v, CSORT_CORE_FUNC, &e);
}

/* ---- Start, imports, exports ------------------------------------------------ */

static Err start(V *v, const CompStart *s) {
    CompSpaceEntry fe;
    TRY(cv_get(v, CSORT_FUNC, s->func, &fe));
    const CompFuncType *ft = fe.func;
    if (s->n_args != ft->n_params)
        return cv_fail(v, "component start function requires %u arguments but was given %u",
                       ft->n_params, s->n_args);
    for (uint32_t i = 0; i < s->n_args; i++) {
        CompSpaceEntry ve;
        TRY(cv_get(v, CSORT_VALUE, s->args[i], &ve));
    }
    if (s->n_results != ft->n_results)
        return cv_fail(v, "component start function has a result count mismatch");
    for (uint32_t i = 0; i < ft->n_results; i++) {
        CompSpaceEntry e;
        memset(&e, 0, sizeof e);
        e.value = ft->results[i].type;
        TRY(cv_push(v, CSORT_VALUE, &e));
    }
    return OK;
}

static bool is_root(const V *v) {
    return v->scope->parent == NULL;
}

Err cv_add_extern(V *v, bool is_import, const CompExternName *name, CompExternType *t,
                  bool imported) {
    DeclVec *list = is_import ? &v->scope->imports : &v->scope->exports;
    TRY(cv_attach_instance(v, t, is_import));
    if (!cv_register_named(v, is_import, t))
        return cv_fail(v, "%s not valid to be used as %s", cv_extern_desc(t->kind),
                       is_import ? "import" : "export");
    if (v->oom)
        return cv_nomem(v);
    TRY(cv_extern_name(v, name, is_import, t, list, list));
    CompExternDecl x = {name->name.str, *t};
    if (!VEC_PUSH(list, x))
        return cv_nomem(v);
    uint8_t sort;
    CompSpaceEntry e;
    TRY(cv_extern_entry(v, t, &sort, &e));
    e.imported = imported;
    return cv_push(v, sort, &e);
}

static Err import(V *v, const CompImport *im) {
    CompExternType t;
    TRY(cv_externdesc(v, &im->desc, im->name.name.str, &t));
    if (is_root(v) && t.kind == CEXT_COMPONENT)
        cv_restrict(v, "root-level component imports are not supported");
    return cv_add_extern(v, true, &im->name, &t, true);
}

static Err export_def(V *v, const CompExport *ex) {
    CompExternType t;
    bool imported = false;
    TRY(item_extern(v, ex->item, true, &t, &imported));
    if (ex->has_desc) {
        CompExternType want;
        char msg[DIAG_MSG_MAX];
        TRY(cv_externdesc(v, &ex->desc, ex->name.name.str, &want));
        RMap bind = {0};
        bool ok = cv_extern_sub(v, &t, &want, &bind, msg, sizeof msg);
        rmap_fini(&bind);
        if (!ok)
            return cv_fail(v, "ascribed type of export is not compatible with item's type: %s",
                           msg);
        /* an ascribed `(sub resource)` exports a fresh resource (wasmparser) */
        if (want.kind == CEXT_TYPE && want.type.sub_resource &&
            !VEC_PUSH(&v->scope->defined, want.type.resource))
            return cv_nomem(v);
        t = want;
    }
    if (is_root(v) && t.kind == CEXT_COMPONENT)
        cv_restrict(v, "exporting a component from the root component is not supported");
    if (is_root(v) && t.kind == CEXT_FUNC && imported)
        cv_restrict(v, "component export `%s` is a reexport of an imported function which is "
                       "not implemented", ex->name.name.str);
    return cv_add_extern(v, false, &ex->name, &t, imported);
}

/* ---- Components ------------------------------------------------------------- */

static Err component(V *v, CompComponent *c, const CompComponentType **out);

static Err def(V *v, CompDef *d) {
    CompSpaceEntry e;
    memset(&e, 0, sizeof e);
    v->offset = d->offset;
    switch (d->kind) {
    case CD_CORE_MODULE: return core_module(v, d);
    case CD_CORE_INSTANCE: return core_instance(v, &d->core_instance);
    case CD_CORE_TYPE:
        TRY(cv_core_type(v, d->core_type, &e));
        return cv_push(v, CSORT_CORE_TYPE, &e);
    case CD_COMPONENT:
        TRY(component(v, d->component, &e.component));
        return cv_push(v, CSORT_COMPONENT, &e);
    case CD_INSTANCE: return instance(v, &d->instance);
    case CD_ALIAS: {
        TRY(cv_alias(v, &d->alias));
        if (d->alias.kind == CALIAS_EXPORT && d->alias.sort == CSORT_FUNC) {
            CompSpaceEntry inst;
            TRY(cv_get(v, CSORT_INSTANCE, d->alias.instance, &inst));
            VEC_LAST(&v->scope->space[CSORT_FUNC]).imported = inst.imported;
        }
        return OK;
    }
    case CD_TYPE: {
        const CompDefType *t;
        TRY(cv_deftype(v, d->type, &t));
        e.type = t;
        return cv_push(v, CSORT_TYPE, &e);
    }
    case CD_CANON: return canon(v, &d->canon);
    case CD_START: return start(v, &d->start);
    case CD_IMPORT: return import(v, &d->import);
    default: return export_def(v, &d->export_);
    }
}

static Err publish(V *v, CompComponent *c, VScope *s, const CompComponentType **out) {
    CompComponentType *ct = cv_alloc(v, 1, sizeof *ct);
    if (ct)
        TRY(cv_copy_resources(v, &s->defined, &ct->defined, &ct->n_defined));
    CompExternDecl *im = cv_alloc(v, (uint32_t)s->imports.len, sizeof *im);
    CompExternDecl *ex = cv_alloc(v, (uint32_t)s->exports.len, sizeof *ex);
    if (!ct || !im || !ex)
        return cv_nomem(v);
    if (s->imports.len)
        memcpy(im, s->imports.data, s->imports.len * sizeof *im);
    if (s->exports.len)
        memcpy(ex, s->exports.data, s->exports.len * sizeof *ex);
    ct->imports = im;
    ct->n_imports = (uint32_t)s->imports.len;
    ct->exports = ex;
    ct->n_exports = (uint32_t)s->exports.len;
    for (int k = 0; k < CSORT_COUNT; k++) {
        c->space_len[k] = (uint32_t)s->space[k].len;
        c->space[k] = cv_alloc(v, c->space_len[k], sizeof(CompSpaceEntry));
        if (!c->space[k])
            return cv_nomem(v);
        if (s->space[k].len)
            memcpy(c->space[k], s->space[k].data, s->space[k].len * sizeof(CompSpaceEntry));
    }
    c->type = ct;
    c->validated = true;
    *out = ct;
    return OK;
}

static Err component(V *v, CompComponent *c, const CompComponentType **out) {
    VScope s;
    cv_scope_init(&s, VS_COMPONENT, v->scope);
    VScope *saved = v->scope;
    uint32_t saved_offset = v->offset;
    v->scope = &s;
    Err err = OK;
    for (uint32_t i = 0; err == OK && i < c->n_defs; i++)
        err = def(v, &c->defs[i]);
    if (err == OK)
        err = publish(v, c, &s, out);
    v->scope = saved;
    v->offset = saved_offset;
    cv_scope_fini(&s);
    return err;
}

Err cv_copy_resources(V *v, const ResVec *r, const CompResourceType *const **out,
                      uint32_t *n) {
    const CompResourceType **a = cv_alloc(v, (uint32_t)r->len, sizeof *a);
    if (!a)
        return cv_nomem(v);
    if (r->len)
        memcpy(a, r->data, r->len * sizeof *a);
    *out = a;
    *n = (uint32_t)r->len;
    return OK;
}

Err comp_validate(CompComponent *c, TypeRegistry *reg, Diag *diag) {
    V v;
    memset(&v, 0, sizeof v);
    v.arena = c->arena;
    v.diag = diag;
    v.reg = reg;
    v.n_resources = &c->n_resources;
    v.features = c->features;
    const CompComponentType *ct;
    Err err = component(&v, c, &ct);
    VEC_FREE(&v.size64);
    TRY(err);
    if (v.restricted)
        return FAIL(diag, ERR_INVALID, v.restrict_offset, "%s", v.restrict_msg);
    return OK;
}
