/* The JIT's GC support at run time: the module's safepoint table, the walk
 * that reports native frames' references to the collector, the thread's
 * innermost safepoint (written by compiled code at a fixed %fs offset), host
 * exits, and the allocation helpers whose operands are in native operand
 * slots (value 0 at the highest address, unlike runtime/gc_ops.h's).
 *
 * Which frames: an activation out in a host function has a JGcExit in
 * act->tier_frames (jit_call_array); the innermost activation inside an
 * allocating helper has its {rbp, return address} in TLS (cleared when the
 * helper returns, so a stale one is never read). From there the rbp chain is
 * followed while return addresses are in compiled code; each frame's
 * safepoint (looked up by return address) names its reference slots. */
#include "jit_gc.h"

#include <string.h>

typedef struct JGcTls {
    uintptr_t fp, pc;
} JGcTls;

static _Thread_local JGcTls jit_gc_tls __attribute__((tls_model("initial-exec")));

int32_t jit_gc_tls_offset(void) {
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return (int32_t)((intptr_t)&jit_gc_tls - (intptr_t)tp);
}

/* ---- the module's table ---- */

/* A function's handler regions and catches appended to the module's. */
static void gather_eh(JModule *jm, const JFuncOut *o, uint32_t at) {
    uint32_t r0 = jm->n_regions, c0 = jm->n_catches;
    for (uint32_t k = 0; k < o->n_regions; k++) {
        JRegion r = o->regions[k];
        jm->regions[jm->n_regions++] = (JRegion){r.first + c0, r.n, r.parent ? r.parent + r0 : 0};
    }
    for (uint32_t k = 0; k < o->n_catches; k++) {
        JCatch cl = o->catches[k];
        cl.pad += at;
        jm->catches[jm->n_catches++] = cl;
    }
}

Err jit_gc_gather(JModule *jm, const JFuncOut *outs, uint32_t n) {
    uint64_t n_sps = 0, n_slots = 0, n_regions = 0, n_catches = 0;
    for (uint32_t i = 0; i < n; i++) {
        n_sps += outs[i].n_safepoints;
        n_slots += outs[i].n_ref_slots;
        n_regions += outs[i].n_regions;
        n_catches += outs[i].n_catches;
    }
    if (!n_sps)
        return OK;
    if (n_sps > UINT32_MAX / 2 || n_slots > UINT32_MAX / 2 || n_regions > UINT32_MAX / 2 ||
        n_catches > UINT32_MAX / 2)
        return ERR_LIMIT;
    jm->safepoints = mem_alloc(n_sps * sizeof *jm->safepoints);
    jm->ref_slots = mem_alloc((n_slots ? n_slots : 1) * sizeof *jm->ref_slots);
    jm->regions = mem_alloc((n_regions ? n_regions : 1) * sizeof *jm->regions);
    jm->catches = mem_alloc((n_catches ? n_catches : 1) * sizeof *jm->catches);
    if (!jm->safepoints || !jm->ref_slots || !jm->regions || !jm->catches)
        return ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        const JFuncOut *o = &outs[i];
        uint32_t at = jm->funcs[i].start, r0 = jm->n_regions;
        gather_eh(jm, o, at);
        for (uint32_t k = 0; k < o->n_safepoints; k++) {
            JSafepoint s = o->safepoints[k];
            jm->safepoints[jm->n_safepoints++] =
                (JSafepoint){s.start + at, s.end + at, s.first + jm->n_ref_slots, s.n,
                             s.region ? s.region + r0 : 0};
        }
        if (o->n_ref_slots)
            memcpy(jm->ref_slots + jm->n_ref_slots, o->ref_slots,
                   o->n_ref_slots * sizeof *jm->ref_slots);
        jm->n_ref_slots += o->n_ref_slots;
    }
    return OK;
}

void jit_gc_module_free(JModule *jm) {
    mem_free(jm->safepoints);
    mem_free(jm->ref_slots);
    mem_free(jm->regions);
    mem_free(jm->catches);
    jm->safepoints = NULL;
    jm->ref_slots = NULL;
    jm->regions = NULL;
    jm->catches = NULL;
}

/* The safepoint whose call sequence holds return address `ret` (a module
 * code offset), or NULL. */
static const JSafepoint *find_safepoint(const JModule *jm, uint32_t ret) {
    uint32_t lo = 0, hi = jm->n_safepoints;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (jm->safepoints[mid].start < ret)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || ret > jm->safepoints[lo - 1].end)
        return NULL;
    return &jm->safepoints[lo - 1];
}

/* ---- the walk ---- */

enum { MAX_FRAMES = 1u << 24 };

static void trace_from(uintptr_t fp, uintptr_t pc, RtGcTracer *tracer) {
    for (uint32_t n = 0; fp && n < MAX_FRAMES; n++) {
        const JModule *jm = rt_code_lookup(pc - 1);
        if (!jm)
            return;
        const JSafepoint *s = find_safepoint(jm, (uint32_t)(pc - (uintptr_t)jm->code));
        for (uint32_t k = 0; s && k < s->n; k++) {
            const void *ref;
            memcpy(&ref, (const uint8_t *)fp + jm->ref_slots[s->first + k], sizeof ref);
            rt_gc_trace_ref(tracer, ref);
        }
        pc = ((const uintptr_t *)fp)[1];
        fp = ((const uintptr_t *)fp)[0];
    }
}

void jit_gc_trace_frames(const Activation *act, RtGcTracer *tracer) {
    if (act->tier_frames) {
        const JGcExit *e = act->tier_frames;
        trace_from(e->fp, e->pc, tracer);
    } else if (act == rt_activation_current() && jit_gc_tls.fp) {
        trace_from(jit_gc_tls.fp, jit_gc_tls.pc, tracer);
    }
}

void jit_gc_exit_begin(Activation *act, JGcExit *exit, uintptr_t fp, uintptr_t pc) {
    exit->fp = fp;
    exit->pc = pc;
    exit->prev = act->tier_frames;
    act->tier_frames = exit;
}

void jit_gc_exit_end(Activation *act, JGcExit *exit) {
    act->tier_frames = exit->prev;
}

/* ---- allocation from operand slots ---- */

static uint32_t slot_width(uint32_t size) {
    return size == 16 ? 16 : 8;
}

void *jit_gc_struct_new(VMContext *cx, uint64_t type, const uint8_t *area, uint64_t bytes) {
    TrapCode trap;
    RtGcObject *obj = rt_gc_new_struct(cx->store, (uint32_t)type, true, &trap);
    if (!obj || !bytes)
        return obj;
    const StructType *st = &mod_registry_type(cx->module->engine->types, (uint32_t)type)->strct;
    uint32_t at = RT_GC_STRUCT_FIELDS;
    uint64_t top = bytes;
    for (uint32_t k = 0; k < st->n_fields; k++) {
        uint32_t size = rt_gc_storage_size(st->fields[k].type);
        top -= slot_width(size);
        memcpy((uint8_t *)obj + rt_gc_field_place(&at, size), area + top, size);
    }
    return obj;
}

void *jit_gc_array_new_fixed(VMContext *cx, uint64_t type, const uint8_t *area, uint64_t n) {
    TrapCode trap;
    RtGcArray *a = rt_gc_new_array(cx->store, (uint32_t)type, n, true, &trap);
    if (!a)
        return NULL;
    uint32_t size = rt_gc_array_elem_size(cx->module->engine, (uint32_t)type);
    uint32_t w = slot_width(size);
    uint8_t *data = (uint8_t *)a + RT_GC_ARRAY_DATA;
    for (uint64_t i = 0; i < n; i++)
        memcpy(data + i * size, area + (n - 1 - i) * w, size);
    return a;
}

/* ---- throwing ---- */

/* Continue at `pad` with the frame whose rbp is fp and rsp sp. */
_Noreturn void jit_eh_resume(uintptr_t pad, uintptr_t fp, uintptr_t sp);
__asm__(".text\n"
        ".p2align 4\n"
        ".type jit_eh_resume, @function\n"
        "jit_eh_resume:\n"
        "  mov %rsi, %rbp\n"
        "  mov %rdx, %rsp\n"
        "  jmp *%rdi\n"
        ".size jit_eh_resume, .-jit_eh_resume\n");

static uint32_t val_width(ValType t) {
    return t.kind == VK_V128 ? 16 : 8;
}

static bool catch_matches(const JCatch *k, uintptr_t fp, const ExnObj *exn) {
    if (k->tag == UINT32_MAX)
        return true;
    const uint8_t *cx = *(const uint8_t *const *)(fp - 8);
    return *(RtTag *const *)(cx + k->tag) == exn->tag;
}

/* The payload (and exnref) into the catching frame's slots, then resume. */
static _Noreturn void land(const JModule *jm, const JCatch *k, uintptr_t fp, ExnObj *exn) {
    uint8_t *top = (uint8_t *)fp + k->top_disp;
    for (uint32_t j = 0; k->type && j < k->type->n_params; j++) {
        uint32_t w = val_width(k->type->params[j]);
        top -= w;
        memcpy(top, &exn->payload[j], w);
    }
    if (k->with_ref) {
        top -= 8;
        memcpy(top, &exn, sizeof exn);
    }
    if (k->exn_disp)
        memcpy((uint8_t *)fp + k->exn_disp, &exn, sizeof exn);
    jit_eh_resume((uintptr_t)jm->code + k->pad, fp, fp - (uintptr_t)k->frame);
}

static _Noreturn void uncaught(ExnObj *exn) {
    Trap *trap = rt_trap_new(TRAP_UNCAUGHT_EXCEPTION, NULL);
    if (!trap)
        rt_trap_raise(TRAP_UNCAUGHT_EXCEPTION);
    trap->exn = exn;
    rt_trap_raise_host(trap);
}

/* Search the frames from (fp, pc) outwards while they are compiled code. */
static _Noreturn void throw_from(ExnObj *exn, uintptr_t fp, uintptr_t pc) {
    uintptr_t throw_fp = fp, throw_pc = pc;
    for (uint32_t n = 0; fp && n < MAX_FRAMES; n++) {
        const JModule *jm = rt_code_lookup(pc - 1);
        if (!jm)
            break;
        const JSafepoint *s = find_safepoint(jm, (uint32_t)(pc - (uintptr_t)jm->code));
        for (uint32_t r = s ? s->region : 0; r; r = jm->regions[r - 1].parent) {
            const JRegion *g = &jm->regions[r - 1];
            for (uint32_t k = 0; k < g->n; k++)
                if (catch_matches(&jm->catches[g->first + k], fp, exn))
                    land(jm, &jm->catches[g->first + k], fp, exn);
        }
        pc = ((const uintptr_t *)fp)[1];
        fp = ((const uintptr_t *)fp)[0];
    }
    jit_capture_frames(throw_pc, throw_fp); /* the trap's backtrace: where it was thrown */
    uncaught(exn);
}

_Noreturn void jit_eh_throw(VMContext *cx, uint64_t tag, const FuncType *type, const uint8_t *area,
                            uintptr_t fp) {
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    RtTag *t = *(RtTag **)((uint8_t *)cx + tag);
    ExnObj *exn = rt_exn_new(cx->store, t, type->n_params);
    if (!exn)
        rt_trap_raise(TRAP_ALLOCATION_TOO_LARGE);
    uint32_t bytes = 0;
    for (uint32_t j = 0; j < type->n_params; j++)
        bytes += val_width(type->params[j]);
    for (uint32_t j = 0; j < type->n_params; j++) {
        uint32_t w = val_width(type->params[j]);
        bytes -= w;
        memset(&exn->payload[j], 0, sizeof exn->payload[j]);
        memcpy(&exn->payload[j], area + bytes, w);
        uint8_t kind = type->params[j].kind;
        if (kind == VK_I32 || kind == VK_F32)
            exn->payload[j].u64[0] = (uint32_t)exn->payload[j].u64[0];
    }
    throw_from(exn, fp, pc);
}

_Noreturn void jit_eh_throw_ref(ExnObj *exn, uintptr_t fp) {
    throw_from(exn, fp, (uintptr_t)__builtin_return_address(0));
}
