/* Translation of a validated component into a flat instantiation plan
 * (comp_plan.h): the definitions are walked like a program with symbolic
 * values, every nested `(instance (instantiate $C ...))` inlined with its
 * arguments bound, each inlined instantiation numbered as a frame (its own
 * may_enter / may_leave flags, handle table and resource bindings). Also
 * loading (decode, validate, plan, compile the core modules) and the
 * Component's lifetime. Index spaces grow exactly as the validator's did,
 * so the validator's entries give the types of every item. */
#include <string.h>

#include "comp_builtin.h"
#include "comp_plan.h"
#include "component_front.h"

#define PLAN_MAX_STEPS (1u << 20)
#define PLAN_MAX_DEPTH 64

struct PlanFrame {
    uint32_t index;
    const CompComponent *c;
    PlanFrame *env; /* lexical parent: where the component was defined */
    PlanSym *space[CSORT_COUNT];
    uint32_t len[CSORT_COUNT];
    uint32_t n_imports;
    /* a nested instantiation's arguments */
    uint32_t n_args;
    const Name *arg_names;
    const PlanSym *args;
    VEC(const char *) export_names;
    VEC(PlanSym) exports;
};

typedef struct ModCache {
    const CompDef *def;
    RtModule *module;
} ModCache;

typedef struct P {
    Component *comp;
    Arena *arena;
    Diag *diag;
    VEC(PlanStep) steps;
    VEC(ModCache) mods;
    uint32_t n_frames;
    uint32_t depth;
    uint32_t offset;
} P;

static Err plan_fail(P *p, const char *what) {
    return FAIL(p->diag, ERR_UNSUPPORTED, p->offset, "component plan: %s", what);
}

static Err push_step(P *p, const PlanStep *s, uint32_t *out) {
    if (p->steps.len >= PLAN_MAX_STEPS)
        return FAIL(p->diag, ERR_LIMIT, p->offset, "component plan: too many steps");
    if (!VEC_PUSH(&p->steps, *s))
        return FAIL_NOMEM(p->diag);
    if (out)
        *out = (uint32_t)p->steps.len - 1;
    return OK;
}

static Err space_get(P *p, const PlanFrame *f, uint8_t sort, uint32_t idx, PlanSym *out) {
    if (sort >= CSORT_COUNT || idx >= f->len[sort])
        return plan_fail(p, "index out of range (validator mismatch)");
    *out = f->space[sort][idx];
    return OK;
}

static Err space_push(P *p, PlanFrame *f, uint8_t sort, const PlanSym *s) {
    if (f->len[sort] >= f->c->space_len[sort])
        return plan_fail(p, "index space overflow (validator mismatch)");
    f->space[sort][f->len[sort]++] = *s;
    return OK;
}

static const CompSpaceEntry *entry(const PlanFrame *f, uint8_t sort, uint32_t idx) {
    return idx < f->c->space_len[sort] ? &f->c->space[sort][idx] : NULL;
}

/* A copy of n elements (never NULL unless out of memory, even when n is 0). */
static void *dup_n(P *p, const void *src, size_t n, size_t size) {
    return n ? arena_memdup(p->arena, src, n * size) : arena_calloc(p->arena, 1, size);
}

static PlanSym sym_none(void) {
    PlanSym s;
    memset(&s, 0, sizeof s);
    return s;
}

static PlanSym sym_step(uint8_t kind, uint32_t step) {
    PlanSym s = sym_none();
    s.kind = kind;
    s.step = step;
    return s;
}

static const CompResourceType *entry_resource(const CompSpaceEntry *e) {
    return e && e->type && e->type->kind == CDEF_RESOURCE ? e->type->resource : NULL;
}

/* ---- Resources ------------------------------------------------------------------------ */

/* Bind descriptor `res` of frame f to the resource of `src` unless it is the same. */
static Err bind_res(P *p, const PlanFrame *f, uint32_t res, const PlanSym *src) {
    if (src->kind != SYM_RES && src->kind != SYM_SLOT)
        return OK;
    if (src->kind == SYM_RES && src->frame == f->index && src->res == res)
        return OK;
    PlanStep s = {.kind = PS_RES_BIND, .frame = f->index, .res = res, .src = *src};
    return push_step(p, &s, NULL);
}

static bool type_has_res(const CompExternType *t) {
    if (t->kind == CEXT_TYPE)
        return t->type.resource != NULL;
    if (t->kind != CEXT_INSTANCE)
        return false;
    for (uint32_t i = 0; i < t->instance->n_exports; i++)
        if (type_has_res(&t->instance->exports[i].type))
            return true;
    return false;
}

static Err export_of(P *p, const PlanSym *inst, const char *name, PlanSym *out);

/* Walk extern type t alongside the symbolic value that provides it, binding
 * t's resource descriptors in frame f to the provided resources. */
static Err bind_extern(P *p, const PlanFrame *f, const CompExternType *t, const PlanSym *value) {
    if (t->kind == CEXT_TYPE)
        return t->type.resource ? bind_res(p, f, t->type.resource->id, value) : OK;
    if (t->kind != CEXT_INSTANCE || !type_has_res(t))
        return OK;
    for (uint32_t i = 0; i < t->instance->n_exports; i++) {
        const CompExternDecl *x = &t->instance->exports[i];
        if (!type_has_res(&x->type))
            continue;
        PlanSym item;
        TRY(export_of(p, value, x->name, &item));
        TRY(bind_extern(p, f, &x->type, &item));
    }
    return OK;
}

/* ---- Items ------------------------------------------------------------------------------ */

/* Export `name` of a component instance symbol (a bag, or an import known
 * only at run time). */
static Err export_of(P *p, const PlanSym *inst, const char *name, PlanSym *out) {
    if (inst->kind == SYM_INSTANCE) {
        for (uint32_t i = 0; i < inst->n; i++) {
            if (strcmp(inst->names[i], name) == 0) {
                *out = inst->items[i];
                return OK;
            }
        }
        return plan_fail(p, "instance export not found");
    }
    if (inst->kind != SYM_SLOT)
        return plan_fail(p, "alias of an export of something that is not an instance");
    PlanStep s = {.kind = PS_IMPORT_ALIAS, .from = inst->step, .name = name};
    uint32_t step;
    TRY(push_step(p, &s, &step));
    *out = sym_step(SYM_SLOT, step);
    return OK;
}

/* Push a type entry whose value comes from `src`: types are identified by
 * the entry's own descriptor in this frame, bound to src's resource. */
static Err push_type(P *p, PlanFrame *f, const PlanSym *src) {
    const CompResourceType *r = entry_resource(entry(f, CSORT_TYPE, f->len[CSORT_TYPE]));
    PlanSym s = sym_none();
    if (r && src->kind == SYM_RES && src->res == r->id) {
        s = *src; /* the same descriptor, maybe bound in another frame */
    } else if (r) {
        TRY(bind_res(p, f, r->id, src));
        s.kind = SYM_RES;
        s.frame = f->index;
        s.res = r->id;
    }
    return space_push(p, f, CSORT_TYPE, &s);
}

static Err push_item(P *p, PlanFrame *f, uint8_t sort, const PlanSym *src) {
    if (sort == CSORT_TYPE)
        return push_type(p, f, src);
    return space_push(p, f, sort, src);
}

static Err compile_module(P *p, const CompDef *d, RtModule **out) {
    for (size_t i = 0; i < p->mods.len; i++) {
        if (p->mods.data[i].def == d) {
            *out = p->mods.data[i].module;
            return OK;
        }
    }
    RtModule *m;
    Diag md;
    diag_clear(&md);
    if (rt_module_new(p->comp->engine, d->module.bytes, d->module.len, &m, &md) != OK)
        return FAIL(p->diag, md.code, p->offset, "%s", md.msg);
    ModCache mc = {d, m};
    if (!VEC_PUSH(&p->mods, mc)) {
        rt_module_release(m);
        return FAIL_NOMEM(p->diag);
    }
    *out = m;
    return OK;
}

static Err core_instance(P *p, PlanFrame *f, const CompCoreInstance *ci) {
    PlanSym s = sym_none();
    const char **names = arena_calloc(p->arena, ci->n ? ci->n : 1, sizeof *names);
    PlanSym *items = arena_calloc(p->arena, ci->n ? ci->n : 1, sizeof *items);
    if (!names || !items)
        return FAIL_NOMEM(p->diag);
    for (uint32_t i = 0; i < ci->n; i++) {
        names[i] = ci->names[i].str;
        uint8_t sort = ci->instantiate ? CSORT_CORE_INSTANCE : ci->items[i].sort;
        TRY(space_get(p, f, sort, ci->items[i].idx, &items[i]));
    }
    if (ci->instantiate) {
        PlanStep st = {.kind = PS_CORE_INSTANTIATE, .frame = f->index, .n = ci->n,
                       .names = names, .args = items};
        TRY(space_get(p, f, CSORT_CORE_MODULE, ci->module, &st.module));
        uint32_t step;
        TRY(push_step(p, &st, &step));
        s = sym_step(SYM_CORE_INST, step);
    } else {
        s.kind = SYM_CORE_BAG;
        s.n = ci->n;
        s.names = names;
        s.items = items;
    }
    return space_push(p, f, CSORT_CORE_INSTANCE, &s);
}

/* ---- Aliases ------------------------------------------------------------------------------ */

static Err alias(P *p, PlanFrame *f, const CompAlias *a) {
    PlanSym src = sym_none(), inst;
    switch (a->kind) {
    case CALIAS_EXPORT:
        TRY(space_get(p, f, CSORT_INSTANCE, a->instance, &inst));
        TRY(export_of(p, &inst, a->name.str, &src));
        break;
    case CALIAS_CORE_EXPORT:
        TRY(space_get(p, f, CSORT_CORE_INSTANCE, a->instance, &inst));
        if (inst.kind == SYM_CORE_INST) {
            src = sym_step(SYM_CORE, inst.step);
            src.name = a->name.str;
        } else {
            bool found = false;
            for (uint32_t i = 0; i < inst.n && !found; i++)
                if ((found = strcmp(inst.names[i], a->name.str) == 0))
                    src = inst.items[i];
            if (!found)
                return plan_fail(p, "core instance export not found");
        }
        break;
    default: {
        PlanFrame *o = f;
        for (uint32_t k = 0; o && k < a->ct; k++)
            o = o->env;
        if (!o)
            return plan_fail(p, "outer alias leaves the component");
        TRY(space_get(p, o, a->sort, a->idx, &src));
        break;
    }
    }
    return push_item(p, f, a->sort, &src);
}

/* ---- Canonical definitions ------------------------------------------------------------ */

static Err opt_sym(P *p, PlanFrame *f, uint8_t sort, uint32_t idx, PlanSym *out) {
    *out = sym_none();
    return idx == COMP_NONE ? OK : space_get(p, f, sort, idx, out);
}

static Err canon_opts(P *p, PlanFrame *f, const CompCanonOpts *o, PlanStep *s) {
    TRY(opt_sym(p, f, CSORT_CORE_MEMORY, o->memory, &s->memory));
    TRY(opt_sym(p, f, CSORT_CORE_FUNC, o->realloc, &s->realloc));
    TRY(opt_sym(p, f, CSORT_CORE_FUNC, o->post_return, &s->post_return));
    TRY(opt_sym(p, f, CSORT_CORE_FUNC, o->callback, &s->callback));
    s->string_encoding = o->string_encoding;
    s->async_ = o->async_;
    return OK;
}

/* canon task.return: the result type and the options its values are lifted with. */
static Err task_return(P *p, PlanFrame *f, const CompCanon *c, PlanStep *s) {
    s->kind = PS_BUILTIN;
    s->builtin = CBI_TASK_RETURN;
    s->string_encoding = COMP_STR_UTF8;
    if (c->n_opts) /* the validator fills c->opts only when there are options */
        TRY(canon_opts(p, f, &c->opts, s));
    if (!c->has_result)
        return OK;
    if (!c->result.is_index) {
        s->result_type = comp_prim(c->result.prim);
    } else {
        const CompSpaceEntry *e = entry(f, CSORT_TYPE, c->result.idx);
        if (e && e->type && e->type->kind == CDEF_VAL)
            s->result_type = e->type->val;
    }
    return s->result_type ? OK : plan_fail(p, "task.return result type");
}

static const char *builtin_name(uint8_t op) {
    switch (op) {
    case 0x05: return "task.cancel";
    case 0x06: return "subtask.drop";
    case 0x08: return "backpressure.set";
    case 0x09: return "task.return";
    case 0x0a: return "context.get";
    case 0x0b: return "context.set";
    case 0x0c: return "thread.yield";
    default: return op >= 0x0e && op <= 0x1b ? "stream/future built-in" : "async built-in";
    }
}

static Err canon(P *p, PlanFrame *f, const CompCanon *c) {
    PlanStep s = {.frame = f->index};
    uint32_t step;
    switch (c->op) {
    case CCANON_LIFT: {
        const CompSpaceEntry *e = entry(f, CSORT_FUNC, f->len[CSORT_FUNC]);
        if (!e)
            return plan_fail(p, "lift type");
        s.kind = PS_LIFT;
        s.func_type = e->func;
        TRY(space_get(p, f, CSORT_CORE_FUNC, c->func, &s.callee));
        TRY(canon_opts(p, f, &c->opts, &s));
        TRY(push_step(p, &s, &step));
        PlanSym r = sym_step(SYM_SLOT, step);
        return space_push(p, f, CSORT_FUNC, &r);
    }
    case CCANON_LOWER: {
        const CompSpaceEntry *e = entry(f, CSORT_FUNC, c->func);
        if (!e)
            return plan_fail(p, "lower type");
        if (c->opts.async_)
            s.builtin = CBI_ASYNC_LOWER;
        s.kind = PS_LOWER;
        s.func_type = e->func;
        TRY(space_get(p, f, CSORT_FUNC, c->func, &s.callee));
        TRY(canon_opts(p, f, &c->opts, &s));
        break;
    }
    case CCANON_RESOURCE_NEW:
    case CCANON_RESOURCE_REP:
    case CCANON_RESOURCE_DROP:
        s.kind = PS_BUILTIN;
        /* resource.rep works from post-return (may_leave clear): ours */
        s.builtin = c->op == CCANON_RESOURCE_NEW   ? CB_RESOURCE_NEW
                    : c->op == CCANON_RESOURCE_REP ? CBI_RESOURCE_REP
                                                   : CB_RESOURCE_DROP;
        TRY(space_get(p, f, CSORT_TYPE, c->type, &s.src));
        break;
    case 0x0a: /* context.get */
    case 0x0b: /* context.set */
        s.kind = PS_BUILTIN;
        s.builtin = c->op == 0x0a ? CBI_CONTEXT_GET : CBI_CONTEXT_SET;
        s.res = c->ctx_index;
        break;
    case 0x09: TRY(task_return(p, f, c, &s)); break;
    case 0x08: /* backpressure.set */
    case 0x24: /* backpressure.inc */
    case 0x25: /* backpressure.dec */
        s.kind = PS_BUILTIN;
        s.builtin = CBI_NOOP;
        break;
    default:
        s.kind = PS_BUILTIN;
        s.builtin = CB_UNSUPPORTED;
        s.name = c->op == CCANON_RESOURCE_DROP_ASYNC ? "resource.drop async" : builtin_name(c->op);
        break;
    }
    const CompSpaceEntry *ce = entry(f, CSORT_CORE_FUNC, f->len[CSORT_CORE_FUNC]);
    if (!ce)
        return plan_fail(p, "built-in type");
    s.core_type = ce->core_func;
    TRY(push_step(p, &s, &step));
    PlanSym r = sym_step(SYM_CORE, step);
    return space_push(p, f, CSORT_CORE_FUNC, &r);
}

/* ---- Types, imports, exports, start ------------------------------------------------------- */

static Err type_def(P *p, PlanFrame *f, const CompTypeDef *t) {
    const CompResourceType *r = entry_resource(entry(f, CSORT_TYPE, f->len[CSORT_TYPE]));
    if (t->kind != CTD_RESOURCE || !r) {
        PlanSym none = sym_none();
        return push_type(p, f, &none);
    }
    PlanStep s = {.kind = PS_RES_DEFINE, .frame = f->index, .res = r->id};
    if (t->has_dtor)
        TRY(space_get(p, f, CSORT_CORE_FUNC, t->idx, &s.dtor));
    TRY(push_step(p, &s, NULL));
    PlanSym me = sym_none();
    me.kind = SYM_RES;
    me.frame = f->index;
    me.res = r->id;
    return space_push(p, f, CSORT_TYPE, &me);
}

static uint8_t sort_of_extern(uint8_t kind) {
    static const uint8_t sorts[] = {
        [CEXT_MODULE] = CSORT_CORE_MODULE, [CEXT_FUNC] = CSORT_FUNC,
        [CEXT_VALUE] = CSORT_VALUE,        [CEXT_TYPE] = CSORT_TYPE,
        [CEXT_COMPONENT] = CSORT_COMPONENT, [CEXT_INSTANCE] = CSORT_INSTANCE,
    };
    return kind <= CEXT_INSTANCE ? sorts[kind] : CSORT_VALUE;
}

static Err import(P *p, PlanFrame *f, const CompImport *im) {
    const CompComponentType *ct = f->c->type;
    if (!ct || f->n_imports >= ct->n_imports)
        return plan_fail(p, "import type");
    const CompExternType *t = &ct->imports[f->n_imports++].type;
    uint8_t sort = sort_of_extern(t->kind);
    PlanSym src = sym_none();
    if (f->index == 0) {
        PlanStep s = {.kind = PS_IMPORT, .frame = 0, .name = im->name.name.str, .type = t};
        uint32_t step;
        TRY(push_step(p, &s, &step));
        if (sort != CSORT_TYPE)
            src = sym_step(SYM_SLOT, step);
        return sort == CSORT_TYPE ? push_type(p, f, &src) : space_push(p, f, sort, &src);
    }
    bool found = false;
    for (uint32_t i = 0; i < f->n_args && !found; i++)
        if ((found = strcmp(f->arg_names[i].str, im->name.name.str) == 0))
            src = f->args[i];
    if (!found)
        return plan_fail(p, "missing instantiation argument");
    if (sort != CSORT_TYPE)
        TRY(bind_extern(p, f, t, &src));
    return push_item(p, f, sort, &src);
}

static Err export_def(P *p, PlanFrame *f, const CompExport *ex) {
    PlanSym item;
    TRY(space_get(p, f, ex->item.sort, ex->item.idx, &item));
    TRY(push_item(p, f, ex->item.sort, &item));
    PlanSym pushed = f->space[ex->item.sort][f->len[ex->item.sort] - 1];
    if (!VEC_PUSH(&f->export_names, ex->name.name.str) || !VEC_PUSH(&f->exports, pushed))
        return FAIL_NOMEM(p->diag);
    return OK;
}

static Err start(P *p, PlanFrame *f, const CompStart *st) {
    PlanStep s = {.kind = PS_START, .frame = f->index};
    TRY(space_get(p, f, CSORT_FUNC, st->func, &s.callee));
    if (st->n_args || st->n_results)
        return plan_fail(p, "start functions with arguments or results are not supported");
    return push_step(p, &s, NULL);
}

/* ---- Components ---------------------------------------------------------------------------- */

static Err plan_frame(P *p, PlanFrame *f);

static Err instance_bag(P *p, PlanFrame *f, const CompInstanceDef *in, PlanSym *out) {
    out->kind = SYM_INSTANCE;
    out->n = in->n;
    out->names = arena_calloc(p->arena, in->n ? in->n : 1, sizeof *out->names);
    out->items = arena_calloc(p->arena, in->n ? in->n : 1, sizeof *out->items);
    if (!out->names || !out->items)
        return FAIL_NOMEM(p->diag);
    for (uint32_t i = 0; i < in->n; i++) {
        out->names[i] = in->export_names[i].name.str;
        TRY(space_get(p, f, in->items[i].sort, in->items[i].idx, &out->items[i]));
    }
    return OK;
}

static Err instantiate(P *p, PlanFrame *f, const CompInstanceDef *in, PlanSym *out) {
    PlanSym cs;
    TRY(space_get(p, f, CSORT_COMPONENT, in->component, &cs));
    if (cs.kind != SYM_COMPONENT)
        return plan_fail(p, "instantiating an imported component is not supported");
    PlanSym *args = arena_calloc(p->arena, in->n ? in->n : 1, sizeof *args);
    PlanFrame *child = arena_calloc(p->arena, 1, sizeof *child);
    if (!args || !child)
        return FAIL_NOMEM(p->diag);
    for (uint32_t i = 0; i < in->n; i++)
        TRY(space_get(p, f, in->items[i].sort, in->items[i].idx, &args[i]));
    child->index = p->n_frames++;
    child->c = cs.comp;
    child->env = cs.env;
    child->n_args = in->n;
    child->arg_names = in->names;
    child->args = args;
    PlanStep s = {.kind = PS_FRAME, .frame = child->index, .parent = cs.env->index};
    TRY(push_step(p, &s, NULL));
    Err err = plan_frame(p, child);
    if (err == OK) {
        out->kind = SYM_INSTANCE;
        out->n = (uint32_t)child->exports.len;
        out->names = dup_n(p, child->export_names.data, child->exports.len, sizeof(char *));
        out->items = dup_n(p, child->exports.data, child->exports.len, sizeof(PlanSym));
        if (!out->names || !out->items)
            err = FAIL_NOMEM(p->diag);
    }
    VEC_FREE(&child->export_names);
    VEC_FREE(&child->exports);
    return err;
}

static Err instance(P *p, PlanFrame *f, const CompInstanceDef *in) {
    PlanSym s = sym_none();
    const CompSpaceEntry *e = entry(f, CSORT_INSTANCE, f->len[CSORT_INSTANCE]);
    if (!e)
        return plan_fail(p, "instance type");
    TRY(in->instantiate ? instantiate(p, f, in, &s) : instance_bag(p, f, in, &s));
    CompExternType t = {.kind = CEXT_INSTANCE, .instance = e->instance};
    TRY(bind_extern(p, f, &t, &s));
    return space_push(p, f, CSORT_INSTANCE, &s);
}

static Err def(P *p, PlanFrame *f, const CompDef *d) {
    PlanSym s = sym_none();
    p->offset = d->offset;
    switch (d->kind) {
    case CD_CORE_MODULE:
        s.kind = SYM_MODULE;
        TRY(compile_module(p, d, &s.module));
        return space_push(p, f, CSORT_CORE_MODULE, &s);
    case CD_CORE_INSTANCE: return core_instance(p, f, &d->core_instance);
    case CD_CORE_TYPE: return space_push(p, f, CSORT_CORE_TYPE, &s);
    case CD_COMPONENT:
        s.kind = SYM_COMPONENT;
        s.comp = d->component;
        s.env = f;
        return space_push(p, f, CSORT_COMPONENT, &s);
    case CD_INSTANCE: return instance(p, f, &d->instance);
    case CD_ALIAS: return alias(p, f, &d->alias);
    case CD_TYPE: return type_def(p, f, d->type);
    case CD_CANON: return canon(p, f, &d->canon);
    case CD_START: {
        TRY(start(p, f, &d->start));
        return OK;
    }
    case CD_IMPORT: return import(p, f, &d->import);
    case CD_EXPORT: return export_def(p, f, &d->export_);
    default: return plan_fail(p, "unknown definition");
    }
}

static Err plan_frame(P *p, PlanFrame *f) {
    if (++p->depth > PLAN_MAX_DEPTH) {
        p->depth--;
        return FAIL(p->diag, ERR_LIMIT, p->offset, "component plan: instantiations nest too deep");
    }
    Err err = OK;
    for (int k = 0; err == OK && k < CSORT_COUNT; k++) {
        f->space[k] = arena_calloc(p->arena, f->c->space_len[k] ? f->c->space_len[k] : 1,
                                   sizeof(PlanSym));
        if (!f->space[k])
            err = FAIL_NOMEM(p->diag);
    }
    for (uint32_t i = 0; err == OK && i < f->c->n_defs; i++)
        err = def(p, f, &f->c->defs[i]);
    p->depth--;
    return err;
}

static Err plan_root(P *p, Plan *out) {
    PlanFrame *root = arena_calloc(p->arena, 1, sizeof *root);
    if (!root)
        return FAIL_NOMEM(p->diag);
    root->c = p->comp->ir;
    p->n_frames = 1;
    PlanStep s = {.kind = PS_FRAME, .frame = 0, .parent = COMP_NONE};
    Err err = push_step(p, &s, NULL);
    if (err == OK)
        err = plan_frame(p, root);
    if (err == OK) {
        size_t n = root->exports.len;
        out->n_exports = (uint32_t)n;
        out->export_names = dup_n(p, root->export_names.data, n, sizeof(char *));
        out->exports = dup_n(p, root->exports.data, n, sizeof(PlanSym));
        out->steps = dup_n(p, p->steps.data, p->steps.len, sizeof(PlanStep));
        out->n_steps = (uint32_t)p->steps.len;
        out->n_frames = p->n_frames;
        out->n_res = p->comp->ir->n_resources;
        if (!out->export_names || !out->exports || !out->steps)
            err = FAIL_NOMEM(p->diag);
    }
    VEC_FREE(&root->export_names);
    VEC_FREE(&root->exports);
    return err;
}

/* ---- Loading ----------------------------------------------------------------------------- */

static Err build_plan(Component *c, Diag *diag) {
    P p;
    memset(&p, 0, sizeof p);
    p.comp = c;
    p.arena = &c->arena;
    p.diag = diag;
    Err err = plan_root(&p, &c->plan);
    c->n_modules = (uint32_t)p.mods.len;
    c->modules = mem_calloc(p.mods.len ? p.mods.len : 1, sizeof(RtModule *));
    if (!c->modules) {
        for (size_t i = 0; i < p.mods.len; i++)
            rt_module_release(p.mods.data[i].module);
        c->n_modules = 0;
        if (err == OK)
            err = FAIL_NOMEM(diag);
    } else {
        for (size_t i = 0; i < p.mods.len; i++)
            c->modules[i] = p.mods.data[i].module;
    }
    VEC_FREE(&p.mods);
    VEC_FREE(&p.steps);
    return err;
}

Err comp_component_new(Engine *engine, const uint8_t *bytes, size_t len, Component **out,
                       Diag *diag) {
    return comp_component_new_features(engine, bytes, len, COMP_FEATURES_DEFAULT, out, diag);
}

Err comp_component_new_features(Engine *engine, const uint8_t *bytes, size_t len,
                                uint32_t features, Component **out, Diag *diag) {
    *out = NULL;
    Component *c = mem_calloc(1, sizeof *c);
    if (!c)
        return FAIL_NOMEM(diag);
    c->refcount = 1;
    c->engine = engine;
    arena_init(&c->arena);
    Err err = comp_decode(bytes, len, &c->ir, diag);
    if (err == OK) {
        c->ir->features = features;
        err = comp_validate(c->ir, engine->types, diag);
    }
    if (err == OK)
        err = build_plan(c, diag);
    if (err != OK) {
        comp_component_delete(c);
        return err;
    }
    *out = c;
    return OK;
}

void comp_component_retain(Component *component) {
    component->refcount++;
}

void comp_component_delete(Component *component) {
    if (!component || --component->refcount)
        return;
    for (uint32_t i = 0; i < component->n_modules; i++)
        rt_module_release(component->modules[i]);
    mem_free(component->modules);
    arena_fini(&component->arena);
    comp_ir_delete(component->ir);
    mem_free(component);
}

const CompComponentType *comp_component_type(const Component *component) {
    return component->ir->type;
}
