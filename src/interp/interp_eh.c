/* Throwing and catching in the interpreter: exception objects are the
 * runtime's (ExnObj, store-owned); a throw searches the handler regions of
 * the current entry's frames, innermost first, and resumes at the first
 * matching catch's landing pad with the payload in the pad's slots. An
 * exception no frame of the entry catches leaves it as the trap
 * TRAP_UNCAUGHT_EXCEPTION carrying the ExnObj (so, like every trap, it lands
 * in rt_call; host frames are never unwound by an exception). */
#include "interp_int.h"

ExnObj *interp_eh_new(VMContext *cx, uint32_t tag, const FuncType *type, const uint8_t *args) {
    RtTag *t = *(RtTag **)((uint8_t *)cx + tag);
    ExnObj *exn = rt_exn_new(cx->store, t, type->n_params);
    if (!exn)
        rt_trap_raise(TRAP_ALLOCATION_TOO_LARGE);
    interp_slots_to_vals(type->params, type->n_params, args, exn->payload);
    return exn;
}

static const ICatch *region_catches(const IFunc *f) {
    return (const ICatch *)(f->regions + f->n_regions);
}

/* The innermost region of f holding code offset `at`: 1 + its index, or 0. */
static uint32_t innermost_region(const IFunc *f, uint32_t at) {
    for (uint32_t i = f->n_regions; i-- > 0;)
        if (f->regions[i].start <= at && at < f->regions[i].end)
            return i + 1;
    return 0;
}

static bool catch_matches(const ICatch *c, VMContext *cx, const ExnObj *exn) {
    return c->tag == UINT32_MAX || *(RtTag **)((uint8_t *)cx + c->tag) == exn->tag;
}

/* The catch of frame r that takes exn, or NULL (spec: Execution > throw_ref:
 * the innermost handler, its clauses in order). */
static const ICatch *find_catch(const IFrame *r, const ExnObj *exn) {
    const IFunc *f = r->func;
    if (!f->n_regions)
        return NULL;
    const ICatch *catches = region_catches(f);
    uint32_t region = innermost_region(f, (uint32_t)(r->ip - f->code));
    while (region) {
        const IRegion *g = &f->regions[region - 1];
        for (uint32_t k = 0; k < g->n; k++)
            if (catch_matches(&catches[g->first + k], r->cx, exn))
                return &catches[g->first + k];
        region = g->parent;
    }
    return NULL;
}

static _Noreturn void uncaught(ExnObj *exn) {
    Trap *trap = rt_trap_new(TRAP_UNCAUGHT_EXCEPTION, NULL);
    if (!trap)
        rt_trap_raise(TRAP_UNCAUGHT_EXCEPTION);
    trap->exn = exn;
    rt_trap_raise_host(trap);
}

const uint8_t *interp_eh_throw(IEntry *E, IFrame **rec, ExnObj *exn) {
    for (IFrame *r = *rec; r < &E->sentinel; r++) {
        const ICatch *c = find_catch(r, exn);
        if (!c)
            continue;
        if (c->type)
            interp_vals_to_slots(c->type->params, c->type->n_params, exn->payload, r->fp + c->dst);
        if (c->exn != UINT32_MAX)
            *(ExnObj **)(r->fp + c->exn) = exn;
        E->top = r;
        *rec = r;
        return r->func->code + c->pad;
    }
    uncaught(exn);
}
