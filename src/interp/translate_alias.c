/* Aliases, the analysis: which locals a local.set/tee may leave unwritten,
 * decided before translation from the function's instructions alone. Owns the
 * straight-line run rule (straight_op), the window locals (every read after a
 * write in the same run) and the backward liveness that marks dead sets; the
 * translator (translate.c) keeps the alias state itself and does the writes.
 * Invariant: a mark only ever allows skipping a write nothing can read. */
#include "translate_int.h"

/* Aliases: local.set/tee without a write.
 * A local whose every read follows a write to it in the same straight-line
 * run (no instruction between that is a branch, a label, a call or anything
 * else straight_op rejects) never carries a value across one. Such a local's
 * set of a constant, another local or a pending add (V_ADDI on a local)
 * writes nothing: its reads take that entry instead (so a local.tee'd
 * address folds into the accesses that use it), until the run ends, where
 * the alias is dropped unwritten. A write to a slot an alias reads first
 * writes the alias's local (so aliases read only slots they can trust);
 * an alias never reads an aliased local other than itself, so these writes
 * cannot chase each other in a cycle. */

/* (translate_int.h) Calls, branches and labels end a run; everything else here stays in it. */
bool interp_xl_straight_op(uint32_t op) {
    switch (interp_op_class[op]) {
    case CL_BIN:
    case CL_CMP:
    case CL_UN:
    case CL_LOAD:
    case CL_STORE: return true; /* may trap: that leaves the function */
    default: break;
    }
    switch (op) {
    case OP_LOCAL_GET:
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE:
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET:
    case OP_I32_CONST:
    case OP_I64_CONST:
    case OP_F32_CONST:
    case OP_F64_CONST:
    case OP_NOP:
    case OP_DROP:
    case OP_SELECT:
    case OP_I32_WRAP_I64:
    case OP_I32_REINTERPRET_F32:
    case OP_I64_REINTERPRET_F64:
    case OP_F32_REINTERPRET_I32:
    case OP_F64_REINTERPRET_I64: return true;
    default: return false;
    }
}

static bool scalar_type(ValType t) {
    return t.kind == VK_I32 || t.kind == VK_I64 || t.kind == VK_F32 || t.kind == VK_F64;
}

/* Marks x->wl: the scalar locals (params too) read only after a write in
 * the same straight-line run. gen[i]: the run of local i's last write + 1. */
static void find_window_locals(Xl *x, const Code *code, uint32_t n) {
    uint32_t np = x->ft->n_params, run = 1;
    uint32_t *gen = mem_calloc(n ? n : 1, sizeof *gen);
    if (!gen)
        return; /* wl stays all zero: no aliases */
    for (uint32_t i = 0; i < np; i++)
        x->wl[i] = x->scalar[i] = scalar_type(x->ft->params[i]);
    for (uint32_t g = 0, i = np; g < code->n_local_groups; g++)
        for (uint32_t k = 0; k < code->local_groups[g].count; k++, i++)
            x->wl[i] = x->scalar[i] = scalar_type(code->local_groups[g].type);
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        const Instr *in = &code->instrs[i];
        if (!interp_xl_straight_op(in->op))
            run++;
        else if (in->op == OP_LOCAL_SET || in->op == OP_LOCAL_TEE)
            gen[in->imm.index] = run;
        else if (in->op == OP_LOCAL_GET && gen[in->imm.index] != run)
            x->wl[in->imm.index] = 0;
    }
    mem_free(gen);
}

/* Backward liveness of the locals over the structured control flow, for
 * aliases of locals read in later runs too: marks x->dead_set[i] when the
 * local.set/tee at i leaves a value no read after the end of its run can
 * see (the local is dead at the run's last instruction, or set again within
 * the run). Loops iterate to a fixed point; functions with branches it does
 * not model (exceptions, br_on_*), too deep or too big get no marks. */
enum { LV_BITS = 64 };
#define LV_SET(s, k) ((s)[(k) / LV_BITS] |= 1ull << ((k) % LV_BITS))
#define LV_CLR(s, k) ((s)[(k) / LV_BITS] &= ~(1ull << ((k) % LV_BITS)))
#define LV_HAS(s, k) ((s)[(k) / LV_BITS] >> ((k) % LV_BITS) & 1)

typedef struct Lv {
    const Code *code;
    uint32_t words, cap, depth, n_loops;
    uint32_t *aux;         /* end/else: its opener; loop: its number */
    uint32_t *opener;      /* per frame (UINT32_MAX: the function) */
    uint8_t *has_else;     /* per frame */
    uint64_t *endl, *elsl; /* per frame: live at its end / at its else arm */
    uint64_t *loopl;       /* per loop: live at its head */
    uint64_t *live;
} Lv;

static bool lv_model(uint32_t op) {
    switch (op) {
    case OP_BR_ON_NULL:
    case OP_BR_ON_NON_NULL:
    case OP_BR_ON_CAST:
    case OP_BR_ON_CAST_FAIL:
    case OP_TRY_TABLE:
    case OP_TRY:
    case OP_CATCH:
    case OP_CATCH_ALL:
    case OP_DELEGATE:
    case OP_THROW:
    case OP_THROW_REF:
    case OP_RETHROW: return false;
    default: return true;
    }
}

/* Openers of every end/else and numbers of the loops; false: not modelled. */
static bool lv_match(Lv *v) {
    const Code *code = v->code;
    uint32_t depth = 0;
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        uint32_t op = code->instrs[i].op;
        if (!lv_model(op))
            return false;
        if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF) {
            if (depth + 2 >= v->cap)
                return false;
            v->opener[depth++] = i;
            if (op == OP_LOOP)
                v->aux[i] = v->n_loops++;
        } else if (op == OP_ELSE) {
            if (!depth)
                return false;
            v->aux[i] = v->opener[depth - 1];
        } else if (op == OP_END) {
            v->aux[i] = depth ? v->opener[--depth] : UINT32_MAX;
        }
    }
    return true;
}

/* The live set at the label `d` frames out. */
static const uint64_t *lv_label(const Lv *v, uint32_t d) {
    uint32_t f = v->depth - 1 - d;
    uint32_t o = v->opener[f];
    if (o != UINT32_MAX && v->code->instrs[o].op == OP_LOOP)
        return v->loopl + (size_t)v->aux[o] * v->words;
    return v->endl + (size_t)f * v->words;
}

static void lv_or(const Lv *v, uint64_t *dst, const uint64_t *src) {
    for (uint32_t w = 0; w < v->words; w++)
        dst[w] |= src[w];
}

/* One backward pass: the live set before each instruction from the one
 * after it; returns whether a loop head's set grew. */
static bool lv_pass(Lv *v, uint8_t *dead, uint32_t *setgen, uint64_t *runend, uint32_t *run) {
    const Code *code = v->code;
    uint32_t W = v->words;
    bool changed = false;
    memset(v->live, 0, W * 8);
    memset(runend, 0, W * 8);
    v->depth = 1;
    v->opener[0] = UINT32_MAX;
    memset(v->endl, 0, W * 8);
    for (uint32_t i = code->n_instrs; i-- > 0;) {
        const Instr *in = &code->instrs[i];
        uint32_t op = in->op, k = in->imm.index;
        uint64_t *f_end = v->endl + (size_t)(v->depth - 1) * W;
        switch (op) {
        case OP_LOCAL_GET: LV_SET(v->live, k); break;
        case OP_LOCAL_SET:
        case OP_LOCAL_TEE:
            if (!LV_HAS(runend, k) || setgen[k] == *run)
                dead[i] = 1;
            setgen[k] = *run;
            LV_CLR(v->live, k);
            break;
        case OP_END:
            if (v->aux[i] == UINT32_MAX) {
                memset(v->live, 0, W * 8); /* the function's: results are on the stack */
                break;
            }
            v->opener[v->depth] = v->aux[i];
            v->has_else[v->depth] = 0;
            memcpy(v->endl + (size_t)v->depth * W, v->live, W * 8);
            v->depth++;
            break;
        case OP_ELSE:
            memcpy(v->elsl + (size_t)(v->depth - 1) * W, v->live, W * 8);
            v->has_else[v->depth - 1] = 1;
            memcpy(v->live, f_end, W * 8);
            break;
        case OP_IF:
            lv_or(v, v->live,
                  v->has_else[v->depth - 1] ? v->elsl + (size_t)(v->depth - 1) * W : f_end);
            v->depth--;
            break;
        case OP_BLOCK: v->depth--; break;
        case OP_LOOP: {
            uint64_t *head = v->loopl + (size_t)v->aux[i] * W;
            if (memcmp(head, v->live, W * 8)) {
                memcpy(head, v->live, W * 8);
                changed = true;
            }
            v->depth--;
            break;
        }
        case OP_BR: memcpy(v->live, lv_label(v, k), W * 8); break;
        case OP_BR_IF: lv_or(v, v->live, lv_label(v, k)); break;
        case OP_BR_TABLE:
            memset(v->live, 0, W * 8);
            for (uint32_t t = 0; t <= in->imm.br_table.n; t++)
                lv_or(v, v->live, lv_label(v, in->imm.br_table.labels[t]));
            break;
        case OP_RETURN:
        case OP_UNREACHABLE:
        case OP_RETURN_CALL:
        case OP_RETURN_CALL_INDIRECT:
        case OP_RETURN_CALL_REF: memset(v->live, 0, W * 8); break;
        default: break;
        }
        if (!interp_xl_straight_op(op)) { /* a run ends before it: what is live there */
            memcpy(runend, v->live, W * 8);
            ++*run;
        }
    }
    return changed;
}

static void find_dead_sets(Xl *x, const Code *code, uint32_t n) {
    Lv v = {.code = code, .words = (n + LV_BITS - 1) / LV_BITS, .cap = code->max_depth + 3};
    uint32_t ni = code->n_instrs, run = 1;
    x->dead_set = mem_calloc(ni ? ni : 1, 1);
    v.aux = mem_calloc(ni ? ni : 1, sizeof *v.aux);
    v.opener = mem_calloc(v.cap, sizeof *v.opener);
    v.has_else = mem_calloc(v.cap, 1);
    if (!n || !x->dead_set || !v.aux || !v.opener || !v.has_else || !lv_match(&v) ||
        (uint64_t)(2 * v.cap + v.n_loops + 2) * v.words > (1u << 20))
        goto out;
    size_t W = v.words;
    uint64_t *sets = mem_calloc((2 * v.cap + v.n_loops + 2) * W, 8);
    uint32_t *setgen = mem_calloc(n, sizeof *setgen);
    if (sets && setgen) {
        v.endl = sets;
        v.elsl = sets + v.cap * W;
        v.loopl = sets + 2 * v.cap * W;
        v.live = v.loopl + v.n_loops * W;
        uint64_t *runend = v.live + W;
        bool converged = false;
        for (int it = 0; it < 16 && !converged; it++) {
            memset(x->dead_set, 0, ni);
            converged = !lv_pass(&v, x->dead_set, setgen, runend, &run);
        }
        if (!converged)
            memset(x->dead_set, 0, ni);
    } else {
        memset(x->dead_set, 0, ni);
    }
    mem_free(sets);
    mem_free(setgen);
out:
    mem_free(v.aux);
    mem_free(v.opener);
    mem_free(v.has_else);
}

/* Is the aliased local read again before its run ends or it is set? (A
 * window local is dead after that.) Looks a bounded distance ahead: true
 * when it cannot tell. */
bool interp_xl_alias_read_ahead(const Xl *x, uint32_t local) {
    const Code *code = x->body;
    if (!code)
        return true;
    for (uint32_t i = x->at + 1, n = 0; i < code->n_instrs && n < 256; i++, n++) {
        const Instr *in = &code->instrs[i];
        if (!interp_xl_straight_op(in->op))
            return false;
        if ((in->op == OP_LOCAL_SET || in->op == OP_LOCAL_TEE) && in->imm.index == local)
            return false;
        if (in->op == OP_LOCAL_GET && in->imm.index == local)
            return true;
    }
    return true;
}

Err interp_xl_alias_setup(Xl *x, const Code *code, uint32_t n) {
    x->wl = mem_calloc(n ? n : 1, 1);
    x->scalar = mem_calloc(n ? n : 1, 1);
    x->alias = mem_calloc(n ? n : 1, sizeof *x->alias);
    x->alias_list = mem_calloc(n ? n : 1, sizeof *x->alias_list);
    x->slot_local = mem_calloc(x->loff[n] / 8 + 1, sizeof *x->slot_local);
    if (!x->wl || !x->scalar || !x->alias || !x->alias_list || !x->slot_local)
        return ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        x->slot_local[x->loff[i] / 8] = i;
    find_window_locals(x, code, n);
    find_dead_sets(x, code, n); /* (without memory for it: no marks) */
    return OK;
}
