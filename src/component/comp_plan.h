/* The instantiation plan shared by comp_plan.c (which builds it from a
 * validated component) and comp_instance.c (which runs it): a flat list of
 * steps over numbered runtime component instances ("frames"), with every
 * item of every index space reduced to a symbol that names a step's result.
 *
 * Invariant: a step only refers to earlier steps, so running the list in
 * order never meets an unresolved symbol. Everything lives in the
 * Component's arena and is immutable once built. */
#ifndef WASMC_COMPONENT_COMP_PLAN_H
#define WASMC_COMPONENT_COMP_PLAN_H

#include "cabi.h"
#include "comp_ir.h"
#include "component.h"

/* What an index-space item is, symbolically. */
typedef enum PlanSymKind {
    SYM_NONE,      /* nothing the runtime needs (values, plain types, components) */
    SYM_CORE,      /* a core item: export `name` of the core instance made by `step`,
                      or (name NULL) the function made by `step` (lower, built-in) */
    SYM_SLOT,      /* whatever step `step` produced (lift, import, import alias) */
    SYM_MODULE,    /* a core module of the component: `module` */
    SYM_CORE_BAG,  /* a core instance made of exports: names[n] -> items[n] (SYM_CORE) */
    SYM_CORE_INST, /* the core instance made by `step` */
    SYM_INSTANCE,  /* a component instance: names[n] -> items[n] */
    SYM_RES,       /* the runtime resource bound to descriptor `res` in frame `frame` */
    SYM_COMPONENT, /* plan time only: a component definition and its lexical frame */
} PlanSymKind;

typedef struct PlanFrame PlanFrame;
typedef struct PlanSym PlanSym;

struct PlanSym {
    uint8_t kind; /* PlanSymKind */
    uint32_t step;
    const char *name;
    uint32_t frame, res;
    uint32_t n;
    const char **names;
    PlanSym *items;
    RtModule *module;
    const CompComponent *comp;
    PlanFrame *env;
};

typedef enum PlanStepKind {
    PS_FRAME,            /* a runtime component instance; resources copied from `parent` */
    PS_IMPORT,           /* root import `name` of extern type `type`: resolve, check, bind */
    PS_IMPORT_ALIAS,     /* export `name` of the item produced by step `from` */
    PS_CORE_INSTANTIATE, /* instantiate `module` with args names[n] -> core instances */
    PS_LOWER,            /* canon lower of `callee` (SYM_SLOT) with options */
    PS_LIFT,             /* canon lift of `callee` (SYM_CORE) with options */
    PS_RES_DEFINE,       /* a fresh runtime resource for descriptor `res` (dtor `dtor`) */
    PS_RES_BIND,         /* descriptor `res` of `frame` = the resource of `src` (SYM_RES) */
    PS_BUILTIN,          /* a canon built-in on `frame` (resource `src` when it has one) */
    PS_START,            /* call the lifted function `callee` (a component start) */
} PlanStepKind;

typedef struct PlanStep {
    uint8_t kind; /* PlanStepKind */
    uint32_t frame;
    uint32_t parent; /* PS_FRAME: frame to copy resources from, COMP_NONE for none */
    const char *name;
    const CompExternType *type; /* PS_IMPORT */
    uint32_t from;              /* PS_IMPORT_ALIAS */
    PlanSym module;             /* PS_CORE_INSTANTIATE: SYM_MODULE or SYM_SLOT */
    uint32_t n;
    const char **names;
    const PlanSym *args;        /* PS_CORE_INSTANTIATE: core instance symbols */
    const CompFuncType *func_type;
    PlanSym callee;
    PlanSym memory, realloc, post_return, callback, dtor; /* SYM_NONE when absent */
    uint8_t string_encoding;
    bool async_;                    /* canonical option `async` */
    const CompValType *result_type; /* PS_BUILTIN task.return: its result (NULL: none) */
    uint32_t res;               /* descriptor; context.get/set: the slot */
    PlanSym src;
    uint8_t builtin;            /* CabiBuiltin or CompBuiltinKind (comp_builtin.h) */
    const FuncType *core_type;  /* PS_BUILTIN */
} PlanStep;

typedef struct Plan {
    PlanStep *steps;
    uint32_t n_steps;
    uint32_t n_frames;
    uint32_t n_res; /* descriptors per frame */
    uint32_t n_exports;
    const char **export_names;
    PlanSym *exports;
} Plan;

/* A loaded component: IR, plan, compiled core modules. Refcounted so that
 * instances (which point into its types) keep it alive with their store. */
struct Component {
    uint32_t refcount;
    Engine *engine;
    CompComponent *ir;
    Arena arena; /* the plan */
    Plan plan;
    RtModule **modules; /* compiled core modules, released with the component */
    uint32_t n_modules;
};

void comp_component_retain(Component *component);

#endif
