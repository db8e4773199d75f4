/* Translation of exception handling: throw, throw_ref, try_table and the
 * legacy try / catch / catch_all / delegate / rethrow.
 *
 * A try body becomes a handler region (IRegion: a code range, its catch
 * clauses, the region to search next); the function's regions go to
 * IFunc.regions in the order they open, so the innermost one holding an
 * offset is the last. A try_table's catches land on pads emitted before its
 * body (jumped over on entry): the runtime writes the payload (and exnref)
 * into the temps from the block's base, and the pad branches to the clause's
 * label like a `br`. A legacy catch lands on its arm's first instruction with
 * the payload in the same temps and the exnref in a hidden slot per try
 * nesting depth (between the v128 pool and the temps), which `rethrow` reads.
 * `delegate l` closes its region with the region in force inside label l as
 * the next to search. Catch positions are not in the IR: a pre-pass finds
 * each legacy clause's end (the next catch, catch_all, delegate or end). */
#include <stddef.h>

#include "translate_int.h"

typedef struct XlEh {
    const Instr *instrs;
    uint32_t *next;    /* legacy try / catch / catch_all: its clause's end */
    uint32_t exn_base; /* hidden exnref slots: depth d at exn_base + 8 d */
    uint32_t try_depth;
    VEC(IRegion) regions;
    VEC(ICatch) catches;
} XlEh;

#define EMIT(x, op, T, ...) interp_xl_emit(x, op, &(T){.h = NULL, __VA_ARGS__}, sizeof(T))

static bool is_eh(uint32_t op) {
    uint8_t f = op_info[op].feature;
    return f == FEAT_EH || f == FEAT_EH_LEGACY;
}

static bool opens_block(uint32_t op) {
    return op_info[op].imm == IMM_BLOCK || op == OP_TRY_TABLE;
}

/* next[] for every legacy clause, and the deepest try nesting. */
static Err scan_legacy(XlEh *eh, const Code *code, uint32_t *out_depth) {
    uint32_t cap = code->max_depth + 2, depth = 0, tries = 0, max_tries = 0;
    uint32_t *open = mem_alloc(cap * sizeof *open);
    eh->next = mem_alloc((size_t)code->n_instrs * sizeof *eh->next);
    if (!open || !eh->next) {
        mem_free(open);
        return ERR_NOMEM;
    }
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        uint32_t op = code->instrs[i].op;
        bool in_try = depth && (code->instrs[open[depth - 1]].op == OP_TRY ||
                                code->instrs[open[depth - 1]].op == OP_CATCH ||
                                code->instrs[open[depth - 1]].op == OP_CATCH_ALL);
        if (opens_block(op)) {
            if (depth < cap)
                open[depth++] = i;
            if (op == OP_TRY && ++tries > max_tries)
                max_tries = tries;
        } else if ((op == OP_CATCH || op == OP_CATCH_ALL) && in_try) {
            eh->next[open[depth - 1]] = i;
            open[depth - 1] = i;
        } else if ((op == OP_END || op == OP_DELEGATE) && depth) {
            if (in_try) {
                eh->next[open[depth - 1]] = i;
                tries--;
            }
            depth--;
        }
    }
    mem_free(open);
    *out_depth = max_tries;
    return OK;
}

Err interp_xl_eh_setup(Xl *x, const Code *code, uint32_t slot, uint32_t *out_bytes) {
    *out_bytes = 0;
    bool any = false, legacy = false;
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        any |= is_eh(code->instrs[i].op);
        legacy |= code->instrs[i].op == OP_TRY;
    }
    if (!any)
        return OK;
    XlEh *eh = mem_calloc(1, sizeof *eh);
    if (!eh)
        return ERR_NOMEM;
    x->eh = eh;
    eh->instrs = code->instrs;
    eh->exn_base = slot;
    uint32_t depth = 0;
    if (legacy)
        TRY(scan_legacy(eh, code, &depth));
    *out_bytes = 8 * depth;
    return OK;
}

void interp_xl_eh_free(Xl *x) {
    XlEh *eh = x->eh;
    if (!eh)
        return;
    mem_free(eh->next);
    VEC_FREE(&eh->regions);
    VEC_FREE(&eh->catches);
    mem_free(eh);
    x->eh = NULL;
}

void interp_xl_eh_finish(Xl *x, IFunc *f, bool ok) {
    XlEh *eh = x->eh;
    f->n_regions = 0;
    f->regions = NULL;
    if (!ok || !eh || !eh->regions.len)
        return;
    size_t nr = eh->regions.len, nc = eh->catches.len;
    size_t bytes = nr * sizeof(IRegion) + nc * sizeof(ICatch);
    _Static_assert(sizeof(IRegion) % _Alignof(ICatch) == 0, "catches follow");
    uint8_t *block = mem_alloc(bytes);
    if (!block)
        longjmp(x->fail, 1);
    memcpy(block, eh->regions.data, nr * sizeof(IRegion));
    if (nc)
        memcpy(block + nr * sizeof(IRegion), eh->catches.data, nc * sizeof(ICatch));
    f->regions = (const IRegion *)block;
    f->n_regions = (uint32_t)nr;
}

/* ---- regions ---- */

static Ctrl *top_ctrl(Xl *x) {
    return &x->cs[x->depth - 1];
}
static Ctrl *label_at(Xl *x, uint32_t depth) {
    return &x->cs[x->depth - 1 - depth];
}

/* Open a region for the body of c (the innermost control) with n catch
 * clauses reserved; they start at the catches' current end. */
static void open_region(Xl *x, Ctrl *c, uint32_t n) {
    XlEh *eh = x->eh;
    IRegion g = {x->len, 0, c->region, (uint32_t)eh->catches.len, n, 0};
    if (!VEC_PUSH(&eh->regions, g) || !VEC_RESERVE(&eh->catches, n))
        longjmp(x->fail, 1);
    c->region = c->try_region = (uint32_t)eh->regions.len;
}

static void add_catch(Xl *x, ICatch c) {
    if (!VEC_PUSH(&x->eh->catches, c))
        longjmp(x->fail, 1);
}

/* End c's body region here; the code after it is in the enclosing region. */
static void close_region(Xl *x, Ctrl *c) {
    IRegion *g = &x->eh->regions.data[c->try_region - 1];
    g->end = x->len;
    c->region = g->parent;
}

static uint32_t tag_field(Xl *x, uint32_t tag) {
    return x->rm->offsets.tags + tag * (uint32_t)sizeof(void *);
}

static const FuncType *tag_type(Xl *x, uint32_t tag) {
    return &x->mod->types[x->mod->tags[tag].type.type].func;
}

static uint32_t params_bytes(const FuncType *ft) {
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < ft->n_params; i++)
        bytes += ft->params[i].kind == VK_V128 ? 16 : 8;
    return bytes;
}

/* ---- try_table ---- */

/* One catch clause's landing pad: the payload (+ exnref) as temps from the
 * block's base, branched to the clause's label. */
static void emit_pad(Xl *x, Ctrl *c, const Catch *k) {
    bool with_ref = k->kind == CATCH_TAG_REF || k->kind == CATCH_ALL_REF;
    bool tagged = k->kind == CATCH_TAG || k->kind == CATCH_TAG_REF;
    const FuncType *ft = tagged ? tag_type(x, k->tag) : NULL;
    uint32_t dst = interp_xl_tslot(x, c->base);
    ICatch rc = {tagged ? tag_field(x, k->tag) : UINT32_MAX, dst, UINT32_MAX, x->len, ft};
    interp_xl_trunc(x, c->base);
    if (ft)
        interp_xl_push_types(x, ft->params, ft->n_params);
    if (with_ref) {
        ValType exnref = ir_reftype(true, HT_EXN);
        rc.exn = dst + (ft ? params_bytes(ft) : 0);
        interp_xl_push_types(x, &exnref, 1);
    }
    x->clean = x->h;
    /* the clause's label counts from outside the try_table */
    interp_xl_jump_to(x, label_at(x, k->label + 1), 0);
    add_catch(x, rc);
}

static void xl_try_table(Xl *x, const Instr *in) {
    const TryTable *tt = in->imm.try_table;
    Instr block = {.op = OP_BLOCK, .offset = in->offset};
    block.imm.block.type = tt->type;
    block.imm.block.end = tt->end;
    interp_xl_push_ctrl(x, C_TRY_TABLE, &block);
    Ctrl *c = top_ctrl(x);
    if (tt->type.kind == BLOCK_VALUE) /* not into `block`, which dies here */
        c->results = &tt->type.value;
    if (!tt->n_catches)
        return;
    uint32_t over = EMIT(x, IOP_BR, IBr, .disp = 0) + offsetof(IBr, disp);
    uint32_t first = (uint32_t)x->eh->catches.len;
    for (uint32_t k = 0; k < tt->n_catches; k++)
        emit_pad(x, c, &tt->catches[k]);
    int32_t disp = (int32_t)(x->len - over);
    memcpy(x->code + over, &disp, 4);
    interp_xl_trunc(x, c->base);
    interp_xl_push_types(x, c->params, c->n_params);
    x->clean = x->h;
    IRegion g = {x->len, 0, c->region, first, tt->n_catches, 0};
    if (!VEC_PUSH(&x->eh->regions, g))
        longjmp(x->fail, 1);
    c->region = c->try_region = (uint32_t)x->eh->regions.len;
}

/* ---- legacy try ---- */

static uint32_t instr_index(Xl *x, const Instr *in) {
    return (uint32_t)(in - x->eh->instrs);
}

static void xl_try(Xl *x, const Instr *in) {
    XlEh *eh = x->eh;
    uint32_t i = instr_index(x, in);
    interp_xl_push_ctrl(x, C_TRY, in);
    Ctrl *c = top_ctrl(x);
    c->end_index = eh->next[i];
    c->exn_slot = eh->exn_base + 8 * eh->try_depth++;
    c->arms = 0;
    uint32_t n = 0;
    for (uint32_t j = eh->next[i]; eh->instrs[j].op == OP_CATCH || eh->instrs[j].op == OP_CATCH_ALL;
         j = eh->next[j])
        n++;
    open_region(x, c, n);
    /* the clauses, pads filled in as their arms begin */
    uint32_t dst = interp_xl_tslot(x, c->base);
    for (uint32_t j = eh->next[i]; eh->instrs[j].op == OP_CATCH || eh->instrs[j].op == OP_CATCH_ALL;
         j = eh->next[j]) {
        bool tagged = eh->instrs[j].op == OP_CATCH;
        uint32_t tag = eh->instrs[j].imm.index;
        add_catch(x, (ICatch){tagged ? tag_field(x, tag) : UINT32_MAX, dst, c->exn_slot, 0,
                              tagged ? tag_type(x, tag) : NULL});
    }
}

/* catch / catch_all: end the previous arm (or the body), begin the next. */
static void xl_catch(Xl *x, const Instr *in) {
    XlEh *eh = x->eh;
    Ctrl *c = top_ctrl(x);
    if (!c->arms)
        close_region(x, c);
    if (!c->unreachable)
        interp_xl_jump_to(x, c, 0);
    const IRegion *g = &eh->regions.data[c->try_region - 1];
    ICatch *k = &eh->catches.data[g->first + c->arms++];
    k->pad = x->len;
    interp_xl_trunc(x, c->base);
    if (in->op == OP_CATCH)
        interp_xl_push_types(x, k->type->params, k->type->n_params);
    x->clean = x->h;
    c->unreachable = false;
    c->end_index = eh->next[instr_index(x, in)];
    interp_xl_fuel_block(x);
}

static void xl_delegate(Xl *x, const Instr *in) {
    Ctrl *c = top_ctrl(x);
    IRegion *g = &x->eh->regions.data[c->try_region - 1];
    g->end = x->len;
    /* label l counts from outside the try */
    g->parent = label_at(x, in->imm.index + 1)->region;
    c->region = 0;
    x->eh->try_depth--;
    interp_xl_end(x);
}

void interp_xl_eh_end(Xl *x) {
    Ctrl *c = top_ctrl(x);
    if (c->kind == C_TRY_TABLE) {
        if (c->try_region)
            close_region(x, c);
    } else if (c->kind == C_TRY) {
        if (!c->arms)
            close_region(x, c);
        x->eh->try_depth--;
    }
}

/* ---- throws ---- */

static void xl_throw(Xl *x, uint32_t tag) {
    const FuncType *ft = tag_type(x, tag);
    uint32_t args = interp_xl_place_args(x, ft->n_params, 0);
    EMIT(x, IOP_THROW, ICallRef, .skip = sizeof(ICallRef), .args = args, .x = tag_field(x, tag),
         .type = ft);
    interp_xl_trunc(x, x->h - ft->n_params);
}

static void xl_throw_ref(Xl *x) {
    EMIT(x, IOP_THROW_REF, IUn, .a = interp_xl_src(x, x->h - 1));
    interp_xl_trunc(x, x->h - 1);
}

bool interp_xl_eh(Xl *x, const Instr *in) {
    switch (in->op) {
    case OP_TRY_TABLE: xl_try_table(x, in); return true;
    case OP_TRY: xl_try(x, in); return true;
    case OP_CATCH:
    case OP_CATCH_ALL: xl_catch(x, in); return true;
    case OP_DELEGATE: xl_delegate(x, in); return true;
    case OP_THROW: xl_throw(x, in->imm.index); break;
    case OP_THROW_REF: xl_throw_ref(x); break;
    case OP_RETHROW: EMIT(x, IOP_THROW_REF, IUn, .a = label_at(x, in->imm.index)->exn_slot); break;
    default: return false;
    }
    top_ctrl(x)->unreachable = true;
    return true;
}
