/* Lowering of exception handling: throw, throw_ref, try_table with its four
 * catch kinds, and the legacy try / catch / catch_all / delegate / rethrow.
 * The model is the interpreter's (docs/architecture.md, Exceptions): a try
 * body is a handler region; every call site inside it records the region in
 * its safepoint (jit_gc.h), so a throw finds each frame's handlers from the
 * frame's return address. The runtime side (jit_gc_rt.c) writes the payload
 * into the operand slots from the catching block's base (and the exnref
 * after it, or into a legacy try's hidden slot), then resumes at the
 * clause's landing pad with rbp and rsp of that frame.
 *
 * A try_table's pads are emitted before its body (jumped over on entry):
 * each restores the context and the register-cached locals and branches to
 * the clause's label like a `br`, counted from outside the try_table. A
 * legacy catch's pad is its arm's first instruction. Try blocks are plain
 * blocks for jit_compile.c; what is EH about them lives in JGcComp.ctl,
 * indexed by control depth and valid while the control's label matches. */
#include <string.h>

#include "jit_comp.h"
#include "jit_gc.h"

/* ---- legacy clause structure ---- */

static bool opens_block(uint32_t op) {
    return op_info[op].imm == IMM_BLOCK || op == OP_TRY_TABLE;
}

/* next[] of each legacy try/catch/catch_all (its clause's end: the next
 * catch, catch_all, delegate or end) when next != NULL; the deepest nesting
 * of legacy tries. */
static uint32_t scan_legacy(const Code *code, uint32_t *open, uint32_t *next) {
    uint32_t depth = 0, tries = 0, max_tries = 0;
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        uint32_t op = code->instrs[i].op;
        bool in_try = depth && (code->instrs[open[depth - 1]].op == OP_TRY ||
                                code->instrs[open[depth - 1]].op == OP_CATCH ||
                                code->instrs[open[depth - 1]].op == OP_CATCH_ALL);
        if (opens_block(op)) {
            open[depth++] = i;
            if (op == OP_TRY && ++tries > max_tries)
                max_tries = tries;
        } else if ((op == OP_CATCH || op == OP_CATCH_ALL) && in_try) {
            if (next)
                next[open[depth - 1]] = i;
            open[depth - 1] = i;
        } else if ((op == OP_END || op == OP_DELEGATE) && depth) {
            if (in_try) {
                if (next)
                    next[open[depth - 1]] = i;
                tries--;
            }
            depth--;
        }
    }
    return max_tries;
}

static bool has_legacy(const Code *code) {
    for (uint32_t i = 0; i < code->n_instrs; i++)
        if (code->instrs[i].op == OP_TRY)
            return true;
    return false;
}

uint32_t jit_eh_hidden_bytes(const Code *code) {
    if (!has_legacy(code))
        return 0;
    uint32_t *open = mem_alloc(((size_t)code->max_depth + 2) * sizeof *open);
    if (!open)
        return 0; /* compile fails later on the same allocation */
    uint32_t depth = scan_legacy(code, open, NULL);
    mem_free(open);
    return 8 * depth;
}

/* ---- compile state ---- */

static JGcComp *eh_state(Comp *c) {
    JGcComp *g = jit_gc_state(c);
    if (!g->ctl) {
        g->ctl = mem_calloc((size_t)c->code->max_depth + 2, sizeof *g->ctl);
        if (!g->ctl)
            longjmp(c->fail, 1);
    }
    return g;
}

/* The region in force inside control index k (searching outwards). */
static uint32_t region_at(const Comp *c, uint32_t k) {
    const JGcComp *g = c->gc;
    for (uint32_t j = k + 1; j-- > 0;)
        if (g->ctl[j].valid && g->ctl[j].label == c->cs[j].label)
            return g->ctl[j].region;
    return 0;
}

static JEhCtl *top_eh(Comp *c) {
    uint32_t k = c->depth - 1;
    JEhCtl *e = &c->gc->ctl[k];
    return e->valid && e->label == c->cs[k].label ? e : NULL;
}

/* A region for the top control's body; its catches follow. */
static JEhCtl *open_region(Comp *c, uint32_t n_catches) {
    JGcComp *g = c->gc;
    uint32_t k = c->depth - 1, parent = region_at(c, k);
    g->regions = jit_grow(c, g->regions, &g->cap_regions, g->n_regions + 1, sizeof *g->regions);
    g->regions[g->n_regions++] = (JRegion){g->n_catches, n_catches, parent};
    JEhCtl *e = &g->ctl[k];
    *e = (JEhCtl){
        .valid = true, .label = c->cs[k].label, .region = g->n_regions, .try_region = g->n_regions};
    return e;
}

static void close_region(Comp *c, JEhCtl *e) {
    e->region = c->gc->regions[e->try_region - 1].parent;
}

static JCatch *add_catch(Comp *c, JCatch k) {
    JGcComp *g = c->gc;
    g->catches = jit_grow(c, g->catches, &g->cap_catches, g->n_catches + 1, sizeof *g->catches);
    g->catches[g->n_catches] = k;
    return &g->catches[g->n_catches++];
}

static uint32_t tag_field(const Comp *c, uint32_t tag) {
    return c->rm->offsets.tags + tag * (uint32_t)sizeof(void *);
}

static const FuncType *tag_type(const Comp *c, uint32_t tag) {
    return &c->mod->types[c->mod->tags[tag].type.type].func;
}

/* rbp displacement of the top of the operand slots from height `base`. */
static int32_t top_disp(const Comp *c, uint32_t base) {
    return jit_slot_at(c, c->soff[base], 0).disp;
}

static void truncate_to(Comp *c, uint32_t base) {
    while (c->h > base) {
        VItem it = jit_pop(c);
        if (it.kind == K_REG)
            jit_free_reg(c, it.type, it.reg);
    }
}

static void push_types(Comp *c, uint32_t n, const ValType *types) {
    for (uint32_t k = 0; k < n; k++)
        jit_push_slot(c, (uint8_t)jit_type(types[k]));
}

/* At a landing pad: the frame's context and register-cached locals (the
 * frame slots hold them: every call flushes them first). */
static void land(Comp *c) {
    jit_reload_context(c); /* r15, r14 and every pinned local */
}

/* ---- try_table ---- */

/* A block for the try_table (its results point into the module's arena,
 * not at the scratch instruction). */
static void push_try_block(Comp *c, const Instr *in) {
    const TryTable *tt = in->imm.try_table;
    Instr block = {.op = OP_BLOCK, .offset = in->offset};
    block.imm.block.type = tt->type;
    block.imm.block.end = tt->end;
    JCtrl *t = jit_push_block(c, &block);
    if (tt->type.kind == BLOCK_VALUE)
        t->results = &tt->type.value;
}

static void try_table(Comp *c, const Instr *in) {
    const TryTable *tt = in->imm.try_table;
    JGcComp *g = eh_state(c);
    jit_spill_all(c);
    if (!tt->n_catches) {
        push_try_block(c, in);
        return;
    }
    uint32_t np = 0;
    if (tt->type.kind == BLOCK_INDEX)
        np = c->mod->types[tt->type.index].func.n_params;
    uint32_t base = c->h - np;
    VItem *params = mem_alloc((np ? np : 1) * sizeof *params);
    if (!params)
        longjmp(c->fail, 1);
    memcpy(params, c->vs + base, np * sizeof *params);
    uint32_t over = x64_label(&c->cb), first = g->n_catches;
    x64_jmp(&c->cb, over);
    for (uint32_t k = 0; k < tt->n_catches; k++) {
        const Catch *cl = &tt->catches[k];
        bool with_ref = cl->kind == CATCH_TAG_REF || cl->kind == CATCH_ALL_REF;
        bool tagged = cl->kind == CATCH_TAG || cl->kind == CATCH_TAG_REF;
        const FuncType *ft = tagged ? tag_type(c, cl->tag) : NULL;
        uint32_t pad = x64_label(&c->cb);
        add_catch(c, (JCatch){tagged ? tag_field(c, cl->tag) : UINT32_MAX, pad, top_disp(c, base),
                              0, c->frame, with_ref, ft});
        x64_bind(&c->cb, pad);
        land(c);
        truncate_to(c, base);
        if (ft)
            push_types(c, ft->n_params, ft->params);
        if (with_ref) {
            ValType exnref = ir_reftype(true, HT_EXN);
            push_types(c, 1, &exnref);
        }
        jit_br(c, cl->label);
    }
    truncate_to(c, base);
    for (uint32_t k = 0; k < np; k++)
        jit_push_slot(c, params[k].type);
    mem_free(params);
    x64_bind(&c->cb, over);
    push_try_block(c, in);
    JEhCtl *e = open_region(c, tt->n_catches);
    g->regions[e->try_region - 1].first = first;
}

/* ---- legacy try ---- */

static uint32_t instr_index(const Comp *c, const Instr *in) {
    return (uint32_t)(in - c->code->instrs);
}

static void legacy_try(Comp *c, const Instr *in) {
    JGcComp *g = eh_state(c);
    if (!g->next) {
        g->next = mem_alloc((size_t)c->code->n_instrs * sizeof *g->next);
        uint32_t *open = mem_alloc(((size_t)c->code->max_depth + 2) * sizeof *open);
        if (!g->next || !open) {
            mem_free(open);
            longjmp(c->fail, 1);
        }
        scan_legacy(c->code, open, g->next);
        mem_free(open);
    }
    jit_spill_all(c);
    JCtrl *t = jit_push_block(c, in);
    uint32_t i = instr_index(c, in);
    t->end_index = g->next[i];
    const Instr *ins = c->code->instrs;
    uint32_t n = 0;
    for (uint32_t j = g->next[i]; ins[j].op == OP_CATCH || ins[j].op == OP_CATCH_ALL;
         j = g->next[j])
        n++;
    JEhCtl *e = open_region(c, n);
    e->legacy = true;
    /* the hidden slots are the last bytes of the locals area (reserved by
     * setup through jit_eh_hidden_bytes, 0 if its scratch allocation failed) */
    uint32_t declared = 0;
    for (uint32_t l = c->n_params; l < c->n_params + c->n_locals; l++)
        declared += jit_width(c->local_types[l]);
    if (c->local_bytes - declared < 8 * (g->try_depth + 1))
        longjmp(c->fail, 1);
    e->exn_disp = -16 - (int32_t)c->local_bytes + 8 * (int32_t)g->try_depth;
    g->try_depth++;
    for (uint32_t j = g->next[i]; ins[j].op == OP_CATCH || ins[j].op == OP_CATCH_ALL;
         j = g->next[j]) {
        bool tagged = ins[j].op == OP_CATCH;
        const FuncType *ft = tagged ? tag_type(c, ins[j].imm.index) : NULL;
        add_catch(c,
                  (JCatch){tagged ? tag_field(c, ins[j].imm.index) : UINT32_MAX, x64_label(&c->cb),
                           top_disp(c, t->base), e->exn_disp, c->frame, false, ft});
    }
}

static void legacy_catch(Comp *c, const Instr *in) {
    JGcComp *g = c->gc;
    JCtrl *t = &c->cs[c->depth - 1];
    JEhCtl *e = top_eh(c);
    if (!e->arms)
        close_region(c, e);
    if (!t->unreachable) {
        jit_spill_all(c);
        jit_br(c, 0);
    }
    const JRegion *r = &g->regions[e->try_region - 1];
    JCatch *k = &g->catches[r->first + e->arms++];
    x64_bind(&c->cb, k->pad);
    land(c);
    truncate_to(c, t->base);
    if (in->op == OP_CATCH)
        push_types(c, k->type->n_params, k->type->params);
    t->unreachable = false;
    t->end_index = g->next[instr_index(c, in)];
    jit_fuel_block(c);
}

void jit_eh_end(Comp *c) {
    if (!c->gc || !c->gc->ctl)
        return;
    JEhCtl *e = top_eh(c);
    if (!e)
        return;
    if (!e->legacy || !e->arms)
        close_region(c, e);
    if (e->legacy)
        c->gc->try_depth--;
    e->valid = false;
}

static void delegate(Comp *c, const Instr *in) {
    JEhCtl *e = top_eh(c);
    /* label l counts from outside the try */
    uint32_t target = c->depth - 1 - (in->imm.index + 1);
    c->gc->regions[e->try_region - 1].parent = region_at(c, target);
    e->region = 0;
    e->arms = 1; /* the region is closed */
    jit_eh_end(c);
    jit_end(c);
}

/* ---- throws ---- */

static void throw_op(Comp *c, uint32_t tag) {
    CodeBuf *cb = &c->cb;
    const FuncType *ft = tag_type(c, tag);
    jit_spill_all(c);
    uint32_t first = c->h - ft->n_params, bytes = c->soff[c->h] - c->soff[first];
    x64_mov_rr(cb, true, X64_RDI, J_VMCTX);
    x64_mov_ri(cb, X64_RSI, tag_field(c, tag));
    x64_mov_ri(cb, X64_RDX, (uint64_t)(uintptr_t)ft);
    x64_lea(cb, true, X64_RCX, jit_slot_at(c, c->soff[first], bytes));
    x64_mov_rr(cb, true, X64_R8, X64_RBP);
    uint32_t sp = jit_safepoint_begin(c);
    jit_call_c(c, (const void *)jit_eh_throw);
    jit_safepoint_end(c, sp);
    truncate_to(c, first);
}

static void throw_ref_from(Comp *c, X64Mem m, bool pop) {
    CodeBuf *cb = &c->cb;
    jit_spill_all(c);
    x64_load(cb, X64_RDI, m, 8, false, true);
    x64_test_rr(cb, true, X64_RDI, X64_RDI);
    x64_jcc(cb, X64_E, jit_stub(c, TRAP_NULL_EXN_REF));
    x64_mov_rr(cb, true, X64_RSI, X64_RBP);
    uint32_t sp = jit_safepoint_begin(c);
    jit_call_c(c, (const void *)jit_eh_throw_ref);
    jit_safepoint_end(c, sp);
    if (pop)
        jit_pop(c);
}

bool jit_lower_eh(Comp *c, const Instr *in) {
    switch (in->op) {
    case OP_TRY_TABLE: try_table(c, in); return true;
    case OP_TRY: legacy_try(c, in); return true;
    case OP_CATCH:
    case OP_CATCH_ALL: legacy_catch(c, in); return true;
    case OP_DELEGATE: delegate(c, in); return true;
    case OP_THROW: throw_op(c, in->imm.index); break;
    case OP_THROW_REF: {
        jit_spill_all(c);
        throw_ref_from(c, jit_slot(c, c->h - 1), true);
        break;
    }
    case OP_RETHROW: {
        JGcComp *g = eh_state(c);
        uint32_t k = c->depth - 1 - in->imm.index;
        throw_ref_from(c, x64_mem(X64_RBP, g->ctl[k].exn_disp), false);
        break;
    }
    default: return false;
    }
    c->cs[c->depth - 1].unreachable = true;
    return true;
}
