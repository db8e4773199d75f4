/* The interpreter as a Tier: compile translates every defined function once
 * (IModule in module->tier_data owns the code, pc maps and names), release
 * frees it, backtrace walks the interpreter frames of an activation, and
 * trace_roots (registered with the GC) reports their slots. */
#include "interp_int.h"

static void imodule_free(IModule *im) {
    if (!im)
        return;
    for (uint32_t i = 0; i < im->n_funcs; i++) {
        mem_free((void *)im->funcs[i].code);
        mem_free((void *)im->funcs[i].pc);
        mem_free((void *)im->funcs[i].name);
        mem_free((void *)im->funcs[i].regions);
    }
    mem_free(im->funcs);
    mem_free(im);
}

/* The function's name from the name section, NUL-terminated; NULL if none. */
static Err func_name(const Module *mod, uint32_t index, const char **out) {
    const Name *name = ir_name_of(&mod->names.funcs, index);
    *out = name ? mem_strndup(name->str, name->len) : NULL;
    return !name || *out ? OK : ERR_NOMEM;
}

static void trace_roots(const Activation *act, RtGcTracer *tracer);

static Err compile(RtModule *module, Diag *diag) {
    rt_gc_register_tier(&interp_tier, trace_roots);
    const Module *mod = module->ir;
    uint32_t n = mod->n_funcs - mod->n_func_imports;
    IModule *im = mem_calloc(1, sizeof *im);
    if (!im || !(im->funcs = mem_calloc(n ? n : 1, sizeof *im->funcs))) {
        mem_free(im);
        return FAIL_NOMEM(diag);
    }
    im->n_funcs = n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index = mod->n_func_imports + i;
        IFunc *f = &im->funcs[i];
        uint8_t *code;
        uint32_t len;
        IPcEntry *pc;
        Err err = interp_translate(module, im->funcs, index, &code, &len, &pc, diag);
        if (err == OK) {
            f->code = code;
            f->pc = pc;
            if (func_name(mod, index, &f->name) != OK)
                err = FAIL_NOMEM(diag);
        }
        if (err != OK) {
            imodule_free(im);
            return err;
        }
        module->funcs[i].array_call = interp_entry;
        module->funcs[i].native = f;
    }
    module->tier_data = im;
    return OK;
}

static void release(RtModule *module) {
    imodule_free(module->tier_data);
    module->tier_data = NULL;
}

static uint32_t wasm_offset(const IFunc *f, const uint8_t *ip) {
    uint32_t at = (uint32_t)(ip - f->code), lo = 0, hi = f->n_pc;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->pc[mid].code <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? f->pc[lo - 1].wasm : 0;
}

static void backtrace(const Activation *act, Trap *trap) {
    for (const IEntry *e = act->tier_frames; e; e = e->prev) {
        for (const IFrame *r = e->top; r < &e->sentinel; r++) {
            /* a guard-page fault: the access stored its ip in the entry */
            const uint8_t *ip = r->ip;
            if (e == act->tier_frames && r == e->top && e->fault_ip && trap->code == TRAP_MEM_OOB)
                ip = e->fault_ip;
            TrapFrame frame = {r->func->func_index, r->func->name, wasm_offset(r->func, ip), NULL};
            if (!rt_trap_push_frame(trap, &frame))
                return;
        }
    }
}

/* GC roots: every slot of every live frame, scanned conservatively (slot
 * types are not kept at run time; the heap never moves, so a stale or
 * non-reference word that looks like an object only keeps it alive). */
static void trace_roots(const Activation *act, RtGcTracer *tracer) {
    for (const IEntry *e = act->tier_frames; e; e = e->prev) {
        const IFrame *first = &e->sentinel - 1, *top = e->top;
        if (top < &e->sentinel)
            rt_gc_trace_range(tracer, first->fp, top->fp + top->func->frame_bytes);
    }
}

const Tier interp_tier = {"interp", compile, release, backtrace};
