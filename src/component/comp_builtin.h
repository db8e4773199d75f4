/* Built-ins made by the plan itself (comp_builtin.c): the ones that work
 * while `may_leave` is clear, `canon task.return`, and `canon lower async`
 * of a callee that completes at once. Each CompBuiltin lives in its
 * instance's arena. */
#ifndef WASMC_COMPONENT_COMP_BUILTIN_H
#define WASMC_COMPONENT_COMP_BUILTIN_H

#include "cabi.h"

typedef enum CompBuiltinKind {
    CBI_RESOURCE_REP = 16, /* after the CabiBuiltin kinds */
    CBI_CONTEXT_GET,
    CBI_CONTEXT_SET,
    CBI_NOOP,
    CBI_ASYNC_LOWER,
    CBI_TASK_RETURN,
} CompBuiltinKind;

typedef struct CompBuiltin {
    uint8_t kind;            /* CompBuiltinKind */
    CompRtInstance *inst;
    CompRtResource *rt;      /* resource.rep */
    uint32_t *slot;          /* context.get/set: the instance's context slot */
    CabiLowered *lowered;    /* async lower: callee, type and options */
    const CompValType *result; /* task.return: its result type (NULL: none) */
    CabiOpts opts;           /* task.return: memory and string encoding; else unused */
} CompBuiltin;

/* The core function of a built-in (store-owned; `b` lives as long as the store). */
Err comp_builtin_func(Store *store, CompBuiltin *b, const FuncType *core_type, FuncRef **out,
                      Diag *diag) WARN_UNUSED;

#endif
