/* Component instances at run time: the host's import tree (CompHost), calls
 * from the host into exported functions (comp_call), dropping host-held
 * resources, and running an instantiation plan (comp_instantiate: one pass
 * over the steps of comp_plan.h, each producing a runtime item in its slot).
 * An instance's state (frames, handle tables, resource bindings, lifted and
 * lowered functions) lives in one arena hung on the store, and keeps its
 * Component alive, because the functions point into its types. */
#include <stdio.h>
#include <string.h>

#include "comp_builtin.h"
#include "comp_plan.h"
#include "comp_valid_int.h"
#include "component_front.h"

/* ---- Host import tree ---------------------------------------------------------------------- */

typedef enum HostKind { HOST_FUNC, HOST_MODULE, HOST_INSTANCE, HOST_COMPONENT } HostKind;

typedef struct HostItem {
    struct HostItem *next;
    char *name;
    HostKind kind;
    const CompFuncType *type;
    CompHostFunc fn;
    void *env;
    RtModule *module;
    CompHost *instance;
    CompInstance *component; /* HOST_COMPONENT: store-owned, not ours */
} HostItem;

struct CompHost {
    HostItem *items;
};

CompHost *comp_host_new(void) {
    return mem_calloc(1, sizeof(CompHost));
}

void comp_host_delete(CompHost *host) {
    if (!host)
        return;
    for (HostItem *it = host->items, *next; it; it = next) {
        next = it->next;
        if (it->module)
            rt_module_release(it->module);
        comp_host_delete(it->instance);
        mem_free(it->name);
        mem_free(it);
    }
    mem_free(host);
}

static HostItem *find(const CompHost *host, const char *name) {
    for (HostItem *it = host->items; it; it = it->next)
        if (strcmp(it->name, name) == 0)
            return it;
    return NULL;
}

/* A fresh item for `name`, replacing an earlier definition. */
static Err add_item(CompHost *host, const char *name, HostKind kind, HostItem **out, Diag *diag) {
    HostItem *it = find(host, name);
    if (it) {
        if (it->module)
            rt_module_release(it->module);
        comp_host_delete(it->instance);
        char *keep = it->name;
        HostItem *next = it->next;
        memset(it, 0, sizeof *it);
        it->name = keep;
        it->next = next;
    } else {
        it = mem_calloc(1, sizeof *it);
        if (it)
            it->name = mem_strndup(name, strlen(name));
        if (!it || !it->name) {
            mem_free(it);
            return FAIL_NOMEM(diag);
        }
        it->next = host->items;
        host->items = it;
    }
    it->kind = kind;
    *out = it;
    return OK;
}

Err comp_host_func(CompHost *host, const char *name, const CompFuncType *type, CompHostFunc fn,
                   void *env, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_FUNC, &it, diag));
    it->type = type;
    it->fn = fn;
    it->env = env;
    return OK;
}

Err comp_host_module(CompHost *host, const char *name, RtModule *module, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_MODULE, &it, diag));
    rt_module_retain(module);
    it->module = module;
    return OK;
}

Err comp_host_instance(CompHost *host, const char *name, CompHost **out, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_INSTANCE, &it, diag));
    it->instance = comp_host_new();
    if (!it->instance)
        return FAIL_NOMEM(diag);
    *out = it->instance;
    return OK;
}

Err comp_host_component(CompHost *host, const char *name, CompInstance *instance, Diag *diag) {
    HostItem *it;
    TRY(add_item(host, name, HOST_COMPONENT, &it, diag));
    it->component = instance;
    return OK;
}

const void *comp_host_lookup(const CompHost *host, const char *name) {
    return find(host, name);
}

/* ---- Calls from the host ----------------------------------------------------------------- */

struct CompFunc {
    CabiLifted lifted;
};

const CompFuncType *comp_func_type(const CompFunc *func) {
    return func->lifted.type;
}

typedef struct Results {
    CompValue *out;
    uint32_t n;
} Results;

static Err copy_results(void *env, CompValue *results, Trap **out_trap, Diag *diag) {
    Results *r = env;
    if (r->n) /* with no results both pointers may be NULL */
        memcpy(r->out, results, (size_t)r->n * sizeof *results);
    return OK;
}

Err comp_call(Store *store, CompFunc *func, const CompValue *args, uint32_t n_args,
              CompValue *results, uint32_t n_results, Arena *arena, Trap **out_trap,
              Diag *diag) {
    const CompFuncType *ft = func->lifted.type;
    if (n_args != ft->n_params || n_results != ft->n_results)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET,
                    "wrong number of arguments or results: expected %u and %u", ft->n_params,
                    ft->n_results);
    for (uint32_t i = 0; i < n_args; i++)
        if (!comp_value_check(&args[i], ft->params[i].type, diag))
            return ERR_USAGE;
    Results r = {results, n_results};
    return cabi_call_lifted(store, &func->lifted, args, arena, false, copy_results, &r, out_trap,
                            diag);
}

Err comp_resource_drop(Store *store, const CompValue *own, Trap **out_trap, Diag *diag) {
    if (own->kind != CVT_OWN || !own->res.type)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "not an owned resource");
    static const CabiOpts no_opts;
    CabiCx cx = {.store = store, .opts = &no_opts, .diag = diag};
    Err err = cabi_run_dtor(&cx, own->res.type, own->res.rep);
    if (err == ERR_TRAP) {
        *out_trap = cx.trap;
        cx.trap = NULL;
    }
    return err;
}

/* ---- Runtime items -------------------------------------------------------------------------- */

/* What a plan step produced, or what an import path names. */
typedef enum RtItemKind {
    RI_NONE,
    RI_HOST_FUNC,
    RI_LIFTED,
    RI_MODULE,
    RI_HOST_INSTANCE,
    RI_EXPORTS,
    RI_RESOURCE,
    RI_CORE_INSTANCE,
    RI_FUNCREF,
} RtItemKind;

typedef struct ExportTree ExportTree;

typedef struct RtItem {
    uint8_t kind; /* RtItemKind */
    union {
        const HostItem *host;
        CompFunc *func;
        RtModule *module;
        const CompHost *hinst;
        const ExportTree *tree;
        CompRtResource *res;
        Instance *core;
        FuncRef *fn;
    };
} RtItem;

/* An instance's exports: names[n] -> items[n]. */
struct ExportTree {
    uint32_t n;
    const char **names;
    RtItem *items;
};

struct CompInstance {
    Component *component;
    Arena arena;
    CompRtInstance *frames;
    uint32_t n_frames, n_res;
    CompRtResource **resmap; /* frame k's bindings at [k * n_res] */
    uint32_t *contexts;      /* frame k's context.get/set slots at [2 * k] */
    RtItem *slots;           /* per step */
    ExportTree exports;
};

typedef struct Run {
    Store *store;
    CompInstance *inst;
    const Plan *plan;
    const CompHost *host;
    Trap **out_trap;
    Diag *diag;
} Run;

static CompRtResource **resmap(const Run *r, uint32_t frame) {
    return &r->inst->resmap[(size_t)frame * r->inst->n_res];
}

static RtItem host_item(const HostItem *it) {
    RtItem r = {RI_NONE, {0}};
    if (!it)
        return r;
    switch (it->kind) {
    case HOST_FUNC: r.kind = RI_HOST_FUNC; r.host = it; break;
    case HOST_MODULE: r.kind = RI_MODULE; r.module = it->module; break;
    case HOST_INSTANCE: r.kind = RI_HOST_INSTANCE; r.hinst = it->instance; break;
    default: r.kind = RI_EXPORTS; r.tree = &it->component->exports; break;
    }
    return r;
}

/* Export `name` of an instance item (RI_NONE when absent). */
static RtItem item_export(RtItem parent, const char *name) {
    RtItem none = {RI_NONE, {0}};
    if (parent.kind == RI_HOST_INSTANCE)
        return parent.hinst ? host_item(find(parent.hinst, name)) : none;
    if (parent.kind != RI_EXPORTS)
        return none;
    for (uint32_t i = 0; i < parent.tree->n; i++)
        if (strcmp(parent.tree->names[i], name) == 0)
            return parent.tree->items[i];
    return none;
}

/* ---- Import checks ---------------------------------------------------------------------------- */

static const char *expected_name(uint8_t kind) {
    static const char *const names[] = {"module", "function", "value", "type", "component",
                                        "instance"};
    return kind <= CEXT_INSTANCE ? names[kind] : "item";
}

static const char *found_name(uint8_t kind) {
    switch (kind) {
    case RI_HOST_FUNC:
    case RI_LIFTED:
    case RI_FUNCREF: return "func";
    case RI_MODULE: return "module";
    case RI_HOST_INSTANCE:
    case RI_EXPORTS: return "instance";
    case RI_RESOURCE: return "resource";
    default: return "nothing";
    }
}

/* Needs nothing supplied: a plain (non-resource) type, or an instance of such. */
static bool empty_instance(const CompExternType *t) {
    if (t->kind == CEXT_TYPE)
        return !t->type.resource;
    if (t->kind != CEXT_INSTANCE)
        return false;
    for (uint32_t i = 0; i < t->instance->n_exports; i++)
        if (!empty_instance(&t->instance->exports[i].type))
            return false;
    return true;
}

static Err check_extern(Run *r, const char *name, const CompExternType *t, RtItem item);

static Err check_func(Run *r, const char *name, const CompExternType *t, RtItem item) {
    const CompFuncType *have = item.kind == RI_LIFTED ? item.func->lifted.type
                                                      : item.host->type;
    if (!have)
        return OK;
    CompExternType ht = {.kind = CEXT_FUNC, .func = have};
    if (!comp_extern_subtype(&ht, t, r->diag))
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "type mismatch in import `%s`: %s", name,
                    r->diag->msg);
    return OK;
}

/* ---- Core module imports (wasmtime's wording) ---------------------------------------------- */

static void module_extern(const Module *m, uint8_t kind, uint32_t index, CompCoreExtern *out) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case EXTERN_FUNC: out->func = &m->types[m->funcs[index].type].func; break;
    case EXTERN_TABLE: out->table = m->tables[index].type; break;
    case EXTERN_MEMORY: out->memory = m->memories[index].type; break;
    case EXTERN_GLOBAL: out->global = m->globals[index].type; break;
    default: out->func = &m->types[m->tags[index].type.type].func; break;
    }
}

static const char *core_kind(uint8_t kind) {
    static const char *const names[] = {"func", "table", "memory", "global", "tag"};
    return kind < sizeof names / sizeof names[0] ? names[kind] : "item";
}

static const char *core_val_name(ValType t) {
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
static void func_text(const FuncType *f, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "(func");
    for (int part = 0; part < 2 && at < size; part++) {
        uint32_t n = part ? f->n_results : f->n_params;
        const ValType *ts = part ? f->results : f->params;
        if (n)
            at += (size_t)snprintf(buf + at, size - at, " (%s", part ? "result" : "param");
        for (uint32_t i = 0; i < n && at < size; i++)
            at += (size_t)snprintf(buf + at, size - at, " %s", core_val_name(ts[i]));
        if (n && at < size)
            at += (size_t)snprintf(buf + at, size - at, ")");
    }
    if (at < size)
        snprintf(buf + at, size - at, ")");
}

static Err export_mismatch(Run *r, const char *name, const CompCoreExtern *want,
                           const CompCoreExtern *have) {
    if (want->kind != EXTERN_FUNC)
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "export `%s` has the wrong type", name);
    char a[96], b[96];
    func_text(want->func, a, sizeof a);
    func_text(have->func, b, sizeof b);
    return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET,
                "export `%s` has the wrong type: expected type `%s`, found type `%s`", name, a, b);
}

static bool name_is(Name n, const char *s) {
    return strlen(s) == n.len && memcmp(s, n.str, n.len) == 0;
}

/* The supplied module m against the declared module type mt: every import of
 * m is declared, with a declared type that is a subtype of m's (what the
 * importer will supply satisfies m); every declared export is in m, with
 * m's type a subtype of the declared one. */
static Err check_module(Run *r, const CompModuleType *mt, RtModule *rm) {
    const Module *m = rm->ir;
    char why[DIAG_MSG_MAX];
    for (uint32_t i = 0; i < m->n_imports; i++) {
        const Import *im = &m->imports[i];
        const CompCoreImportDecl *d = NULL;
        for (uint32_t k = 0; k < mt->n_imports && !d; k++)
            if (name_is(im->module, mt->imports[k].module) &&
                name_is(im->field, mt->imports[k].field))
                d = &mt->imports[k];
        if (!d)
            return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "module import `%.*s::%.*s` not defined",
                        (int)im->module.len, im->module.str, (int)im->field.len, im->field.str);
        CompCoreExtern have;
        module_extern(m, im->kind, im->index, &have);
        if (have.kind != d->type.kind)
            return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "expected %s found %s",
                        core_kind(have.kind), core_kind(d->type.kind));
        if (!cv_core_extern_sub(&d->type, &have, why, sizeof why))
            return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET,
                        "module import `%s::%s` has the wrong type", d->module, d->field);
    }
    for (uint32_t i = 0; i < mt->n_exports; i++) {
        const CompCoreExportDecl *x = &mt->exports[i];
        const Export *e = NULL;
        for (uint32_t k = 0; k < m->n_exports && !e; k++)
            if (name_is(m->exports[k].name, x->name))
                e = &m->exports[k];
        if (!e)
            return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "module export `%s` not defined",
                        x->name);
        CompCoreExtern have;
        module_extern(m, e->kind, e->index, &have);
        if (have.kind != x->type.kind)
            return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "expected %s found %s",
                        core_kind(x->type.kind), core_kind(have.kind));
        if (!cv_core_extern_sub(&have, &x->type, why, sizeof why))
            return export_mismatch(r, x->name, &x->type, &have);
    }
    return OK;
}

static Err check_resource(Run *r, const char *name, const CompResourceType *want, RtItem item) {
    if (item.kind != RI_RESOURCE)
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "import `%s`: expected resource found %s",
                    name, found_name(item.kind));
    CompRtResource **slot = &resmap(r, 0)[want->id];
    if (*slot && *slot != item.res)
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET,
                    "import `%s`: mismatched resource types", name);
    *slot = item.res;
    return OK;
}

static Err check_instance(Run *r, const CompInstanceType *it, RtItem item) {
    for (uint32_t i = 0; i < it->n_exports; i++) {
        const CompExternDecl *x = &it->exports[i];
        if (x->type.kind == CEXT_TYPE && !x->type.type.resource)
            continue; /* a plain value type: nothing to supply */
        TRY(check_extern(r, x->name, &x->type, item_export(item, x->name)));
    }
    return OK;
}

/* Check a supplied item against an import's type; binds the resources. */
static Err check_extern(Run *r, const char *name, const CompExternType *t, RtItem item) {
    if (item.kind == RI_NONE) {
        if (empty_instance(t))
            return OK;
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "import `%s` was not found", name);
    }
    bool ok;
    switch (t->kind) {
    case CEXT_FUNC: ok = item.kind == RI_HOST_FUNC || item.kind == RI_LIFTED; break;
    case CEXT_MODULE: ok = item.kind == RI_MODULE; break;
    case CEXT_INSTANCE: ok = item.kind == RI_HOST_INSTANCE || item.kind == RI_EXPORTS; break;
    case CEXT_TYPE:
        if (t->type.resource)
            return check_resource(r, name, t->type.resource, item);
        return OK;
    default:
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "import `%s`: %s imports are not supported",
                    name, expected_name(t->kind));
    }
    if (!ok)
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "import `%s`: expected %s found %s", name,
                    expected_name(t->kind), found_name(item.kind));
    switch (t->kind) {
    case CEXT_FUNC: return check_func(r, name, t, item);
    case CEXT_MODULE: return check_module(r, t->module, item.module);
    default: return check_instance(r, t->instance, item);
    }
}

/* ---- Resolving symbols ---------------------------------------------------------------------- */

static Err missing(Run *r, const char *what) {
    return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "component instantiation: %s", what);
}

static Err core_extern(Run *r, const PlanSym *s, Extern *out) {
    if (s->kind != SYM_CORE || s->step >= r->plan->n_steps)
        return missing(r, "not a core item");
    RtItem it = r->inst->slots[s->step];
    if (!s->name) {
        if (it.kind != RI_FUNCREF)
            return missing(r, "core function not made");
        out->kind = EXTERN_FUNC;
        out->func = it.fn;
        return OK;
    }
    if (it.kind != RI_CORE_INSTANCE || !rt_instance_export(it.core, s->name, strlen(s->name), out))
        return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "core export `%s` was not found", s->name);
    return OK;
}

static Err core_func(Run *r, const PlanSym *s, FuncRef **out) {
    *out = NULL;
    if (s->kind == SYM_NONE)
        return OK;
    Extern e;
    TRY(core_extern(r, s, &e));
    if (e.kind != EXTERN_FUNC)
        return missing(r, "expected a core function");
    *out = e.func;
    return OK;
}

/* A core instance symbol's export `field` (len bytes). */
static Err core_field(Run *r, const PlanSym *ci, const char *field, size_t len, Extern *out) {
    if (ci->kind == SYM_CORE_INST) {
        RtItem it = r->inst->slots[ci->step];
        if (it.kind == RI_CORE_INSTANCE && rt_instance_export(it.core, field, len, out))
            return OK;
    } else if (ci->kind == SYM_CORE_BAG) {
        for (uint32_t i = 0; i < ci->n; i++)
            if (strlen(ci->names[i]) == len && memcmp(ci->names[i], field, len) == 0)
                return core_extern(r, &ci->items[i], out);
    }
    return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "core import `%.*s` was not found", (int)len,
                field);
}

static Err opts_of(Run *r, const PlanStep *s, CabiOpts *o) {
    memset(o, 0, sizeof *o);
    o->string_encoding = s->string_encoding;
    if (s->memory.kind != SYM_NONE) {
        Extern e;
        TRY(core_extern(r, &s->memory, &e));
        if (e.kind != EXTERN_MEMORY)
            return missing(r, "canonical option `memory` is not a memory");
        o->memory = e.memory;
    }
    TRY(core_func(r, &s->realloc, &o->realloc));
    TRY(core_func(r, &s->callback, &o->callback));
    o->async_ = s->async_;
    return core_func(r, &s->post_return, &o->post_return);
}

static void *alloc(Run *r, size_t size) {
    return arena_calloc(&r->inst->arena, 1, size);
}

/* ---- Steps ---------------------------------------------------------------------------------- */

static Err step_core_instantiate(Run *r, const PlanStep *s, RtItem *out) {
    RtModule *m = s->module.kind == SYM_MODULE ? s->module.module : NULL;
    if (s->module.kind == SYM_SLOT && r->inst->slots[s->module.step].kind == RI_MODULE)
        m = r->inst->slots[s->module.step].module;
    if (!m)
        return missing(r, "core module not available");
    const Module *ir = m->ir;
    Extern *ext = arena_calloc(&r->inst->arena, ir->n_imports ? ir->n_imports : 1, sizeof *ext);
    if (!ext)
        return FAIL_NOMEM(r->diag);
    for (uint32_t i = 0; i < ir->n_imports; i++) {
        const Import *im = &ir->imports[i];
        const PlanSym *arg = NULL;
        for (uint32_t k = 0; k < s->n && !arg; k++)
            if (strlen(s->names[k]) == im->module.len &&
                memcmp(s->names[k], im->module.str, im->module.len) == 0)
                arg = &s->args[k];
        if (!arg)
            return FAIL(r->diag, ERR_LINK, DIAG_NO_OFFSET, "core instance `%.*s` was not found",
                        (int)im->module.len, im->module.str);
        TRY(core_field(r, arg, im->field.str, im->field.len, &ext[i]));
    }
    Instance *inst;
    TRY(rt_instantiate(r->store, m, ext, ir->n_imports, &inst, r->out_trap, r->diag));
    out->kind = RI_CORE_INSTANCE;
    out->core = inst;
    return OK;
}

static Err step_lift(Run *r, const PlanStep *s, RtItem *out) {
    CompFunc *fn = alloc(r, sizeof *fn);
    if (!fn)
        return FAIL_NOMEM(r->diag);
    CabiLifted *l = &fn->lifted;
    l->type = s->func_type;
    TRY(core_func(r, &s->callee, &l->core));
    TRY(opts_of(r, s, &l->opts));
    l->inst = &r->inst->frames[s->frame];
    l->resources = resmap(r, s->frame);
    l->n_resources = r->inst->n_res;
    out->kind = RI_LIFTED;
    out->func = fn;
    return OK;
}

static Err step_lower(Run *r, const PlanStep *s, RtItem *out) {
    CabiLowered *lw = alloc(r, sizeof *lw);
    if (!lw)
        return FAIL_NOMEM(r->diag);
    lw->type = s->func_type;
    TRY(opts_of(r, s, &lw->opts));
    lw->inst = &r->inst->frames[s->frame];
    lw->resources = resmap(r, s->frame);
    lw->n_resources = r->inst->n_res;
    RtItem callee = s->callee.kind == SYM_SLOT ? r->inst->slots[s->callee.step] : (RtItem){0};
    if (callee.kind == RI_LIFTED) {
        lw->lifted = &callee.func->lifted;
    } else if (callee.kind == RI_HOST_FUNC) {
        lw->host = callee.host->fn;
        lw->host_env = callee.host->env;
    } else {
        return missing(r, "the lowered function was not supplied");
    }
    out->kind = RI_FUNCREF;
    if (s->builtin != CBI_ASYNC_LOWER)
        return cabi_lowered_func(r->store, lw, &out->fn, r->diag);
    CompBuiltin *b = alloc(r, sizeof *b);
    if (!b)
        return FAIL_NOMEM(r->diag);
    b->kind = CBI_ASYNC_LOWER;
    b->inst = lw->inst;
    b->lowered = lw;
    return comp_builtin_func(r->store, b, s->core_type, &out->fn, r->diag);
}

static CompRtResource *res_of(Run *r, const PlanSym *s) {
    if (s->kind == SYM_RES && s->frame < r->inst->n_frames && s->res < r->inst->n_res)
        return resmap(r, s->frame)[s->res];
    if (s->kind == SYM_SLOT && r->inst->slots[s->step].kind == RI_RESOURCE)
        return r->inst->slots[s->step].res;
    return NULL;
}

static Err step_res_define(Run *r, const PlanStep *s) {
    CompRtResource *res = alloc(r, sizeof *res);
    if (!res)
        return FAIL_NOMEM(r->diag);
    res->id = s->res;
    res->impl = &r->inst->frames[s->frame];
    TRY(core_func(r, &s->dtor, &res->dtor));
    resmap(r, s->frame)[s->res] = res;
    return OK;
}

/* The built-ins of comp_builtin.c. */
static Err step_own_builtin(Run *r, const PlanStep *s, RtItem *out) {
    CompBuiltin *b = alloc(r, sizeof *b);
    if (!b)
        return FAIL_NOMEM(r->diag);
    b->kind = s->builtin;
    b->inst = &r->inst->frames[s->frame];
    b->slot = &r->inst->contexts[2 * (size_t)s->frame + (s->res & 1)];
    if (b->kind == CBI_TASK_RETURN) {
        b->result = s->result_type;
        TRY(opts_of(r, s, &b->opts));
    }
    if (b->kind == CBI_RESOURCE_REP) {
        b->rt = res_of(r, &s->src);
        if (!b->rt)
            return missing(r, "resource type of a built-in not bound");
    }
    out->kind = RI_FUNCREF;
    return comp_builtin_func(r->store, b, s->core_type, &out->fn, r->diag);
}

static Err step_builtin(Run *r, const PlanStep *s, RtItem *out) {
    if (s->builtin >= CBI_RESOURCE_REP)
        return step_own_builtin(r, s, out);
    CabiBuiltinFunc *b = alloc(r, sizeof *b);
    if (!b)
        return FAIL_NOMEM(r->diag);
    b->kind = (CabiBuiltin)s->builtin;
    b->inst = &r->inst->frames[s->frame];
    b->name = s->name;
    if (b->kind != CB_UNSUPPORTED) {
        b->rt = res_of(r, &s->src);
        if (!b->rt)
            return missing(r, "resource type of a built-in not bound");
    }
    out->kind = RI_FUNCREF;
    return cabi_builtin_func(r->store, b, s->core_type, &out->fn, r->diag);
}

static Err ignore_results(void *env, CompValue *results, Trap **out_trap, Diag *diag) {
    return OK;
}

static Err step_start(Run *r, const PlanStep *s) {
    RtItem f = s->callee.kind == SYM_SLOT ? r->inst->slots[s->callee.step] : (RtItem){0};
    if (f.kind != RI_LIFTED)
        return missing(r, "start function is not a lifted function");
    Arena a;
    arena_init(&a);
    Err err = cabi_call_lifted(r->store, &f.func->lifted, NULL, &a, false, ignore_results, NULL,
                               r->out_trap, r->diag);
    arena_fini(&a);
    return err;
}

static Err run_step(Run *r, const PlanStep *s, RtItem *out) {
    CompInstance *in = r->inst;
    switch (s->kind) {
    case PS_FRAME: {
        CompRtInstance *f = &in->frames[s->frame];
        f->index = s->frame;
        f->may_enter = f->may_leave = true;
        if (s->parent != COMP_NONE && in->n_res)
            memcpy(resmap(r, s->frame), resmap(r, s->parent), in->n_res * sizeof(CompRtResource *));
        return OK;
    }
    case PS_IMPORT: {
        RtItem root = {RI_HOST_INSTANCE, {.hinst = r->host}};
        *out = item_export(root, s->name);
        return check_extern(r, s->name, s->type, *out);
    }
    case PS_IMPORT_ALIAS: *out = item_export(in->slots[s->from], s->name); return OK;
    case PS_CORE_INSTANTIATE: return step_core_instantiate(r, s, out);
    case PS_LIFT: return step_lift(r, s, out);
    case PS_LOWER: return step_lower(r, s, out);
    case PS_RES_DEFINE: return step_res_define(r, s);
    case PS_RES_BIND: resmap(r, s->frame)[s->res] = res_of(r, &s->src); return OK;
    case PS_BUILTIN: return step_builtin(r, s, out);
    case PS_START: return step_start(r, s);
    default: return missing(r, "unknown plan step");
    }
}

/* ---- Exports and lifetime ------------------------------------------------------------------- */

static Err export_item(Run *r, const PlanSym *s, RtItem *out);

static Err export_tree(Run *r, uint32_t n, const char **names, const PlanSym *syms,
                       ExportTree *out) {
    out->n = n;
    out->names = names;
    out->items = arena_calloc(&r->inst->arena, n ? n : 1, sizeof *out->items);
    if (!out->items)
        return FAIL_NOMEM(r->diag);
    for (uint32_t i = 0; i < n; i++)
        TRY(export_item(r, &syms[i], &out->items[i]));
    return OK;
}

static Err export_item(Run *r, const PlanSym *s, RtItem *out) {
    memset(out, 0, sizeof *out);
    switch (s->kind) {
    case SYM_SLOT: *out = r->inst->slots[s->step]; return OK;
    case SYM_MODULE: out->kind = RI_MODULE; out->module = s->module; return OK;
    case SYM_RES:
        out->res = res_of(r, s);
        out->kind = out->res ? RI_RESOURCE : RI_NONE;
        return OK;
    case SYM_INSTANCE: {
        ExportTree *t = alloc(r, sizeof *t);
        if (!t)
            return FAIL_NOMEM(r->diag);
        out->kind = RI_EXPORTS;
        out->tree = t;
        return export_tree(r, s->n, s->names, s->items, t);
    }
    default: return OK;
    }
}

static void instance_finalize(void *env) {
    CompInstance *in = env;
    for (uint32_t i = 0; in->frames && i < in->n_frames; i++)
        cabi_table_fini(&in->frames[i].table);
    Component *c = in->component;
    arena_fini(&in->arena);
    mem_free(in);
    comp_component_delete(c);
}

static Err instance_new(Store *store, const Component *component, CompInstance **out,
                        Diag *diag) {
    const Plan *plan = &component->plan;
    CompInstance *in = mem_calloc(1, sizeof *in);
    if (!in)
        return FAIL_NOMEM(diag);
    arena_init(&in->arena);
    in->component = (Component *)component;
    comp_component_retain(in->component);
    in->n_frames = plan->n_frames;
    in->n_res = plan->n_res;
    TRY(cabi_store_attach(store, in, instance_finalize, diag));
    uint64_t n_map = (uint64_t)plan->n_frames * plan->n_res;
    if (n_map > (UINT64_C(1) << 26))
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "component has too many resource bindings");
    in->frames = arena_calloc(&in->arena, plan->n_frames ? plan->n_frames : 1,
                              sizeof *in->frames);
    in->resmap = arena_calloc(&in->arena, n_map ? (size_t)n_map : 1, sizeof *in->resmap);
    in->slots = arena_calloc(&in->arena, plan->n_steps ? plan->n_steps : 1, sizeof *in->slots);
    in->contexts = arena_calloc(&in->arena, (size_t)plan->n_frames * 2 + 1, sizeof(uint32_t));
    if (!in->frames || !in->resmap || !in->slots || !in->contexts)
        return FAIL_NOMEM(diag);
    *out = in;
    return OK;
}

Err comp_instantiate(Store *store, const Component *component, const CompHost *host,
                     CompInstance **out, Trap **out_trap, Diag *diag) {
    *out = NULL;
    *out_trap = NULL;
    CompInstance *in = NULL;
    TRY(instance_new(store, component, &in, diag));
    const Plan *plan = &component->plan;
    Run r = {store, in, plan, host, out_trap, diag};
    for (uint32_t i = 0; i < plan->n_steps; i++)
        TRY(run_step(&r, &plan->steps[i], &in->slots[i]));
    TRY(export_tree(&r, plan->n_exports, plan->export_names, plan->exports, &in->exports));
    *out = in;
    return OK;
}

CompFunc *comp_instance_func(CompInstance *instance, const char *name) {
    RtItem it = {RI_EXPORTS, {.tree = &instance->exports}};
    const char *p = name;
    for (;;) {
        const char *hash = strchr(p, '#');
        size_t len = hash ? (size_t)(hash - p) : strlen(p);
        char part[256];
        if (len >= sizeof part)
            return NULL;
        memcpy(part, p, len);
        part[len] = 0;
        it = item_export(it, part);
        if (!hash)
            break;
        p = hash + 1;
    }
    return it.kind == RI_LIFTED ? it.func : NULL;
}
