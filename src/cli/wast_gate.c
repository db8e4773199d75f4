/* What execution cannot run yet, decided before running it: a module whose
 * instructions (op_info[op].feature) need GC heap objects or exception
 * handling; a command whose values are host/GC references; a wasmtime script
 * whose `;;!` flags ask for a feature we lack. Such commands are counted "not
 * run" under the feature's name, never failed or passed. Declaring GC types
 * alone does not gate: with no GC instruction, their values can only be null.
 * Every value type (v128 included) executes. */
#include <string.h>

#include "wast_int.h"

static const char *const GATE_GC = "gc";
static const char *const GATE_EH = "exceptions";

/* A reference class only GC (or exception handling) produces. */
static const char *heap_gate(int32_t heap) {
    switch (heap) {
    case HT_ANY:
    case HT_EQ:
    case HT_I31:
    case HT_STRUCT:
    case HT_ARRAY:
    case HT_NONE: return GATE_GC;
    case HT_EXN:
    case HT_NOEXN: return GATE_EH;
    default: return NULL;
    }
}

static const char *feature_gate(uint8_t feature) {
    switch (feature) {
    case FEAT_GC: return GATE_GC;
    case FEAT_EH:
    case FEAT_EH_LEGACY: return GATE_EH;
    default: return NULL;
    }
}

static const char *instr_gate(const Instr *in) {
    return feature_gate(op_info[in->op].feature);
}

static const char *instrs_gate(const Instr *instrs, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const char *g = instr_gate(&instrs[i]);
        if (g)
            return g;
    }
    return NULL;
}

static const char *fields_gate(const Module *mod) {
    for (uint32_t i = 0; i < mod->n_globals; i++) {
        const Global *g = &mod->globals[i];
        const char *why = g->import < 0 ? instrs_gate(g->init.instrs, g->init.n_instrs) : NULL;
        if (why)
            return why;
    }
    for (uint32_t i = 0; i < mod->n_tables; i++) {
        const Table *t = &mod->tables[i];
        const char *why = t->has_init ? instrs_gate(t->init.instrs, t->init.n_instrs) : NULL;
        if (why)
            return why;
    }
    return NULL;
}

static const char *elems_gate(const Module *mod) {
    for (uint32_t i = 0; i < mod->n_elems; i++) {
        const ElemSegment *e = &mod->elems[i];
        const char *g = NULL;
        for (uint32_t k = 0; !g && e->exprs && k < e->n_items; k++)
            g = instrs_gate(e->items[k].instrs, e->items[k].n_instrs);
        if (!g && e->mode == SEG_ACTIVE)
            g = instrs_gate(e->offset.instrs, e->offset.n_instrs);
        if (g)
            return g;
    }
    for (uint32_t i = 0; i < mod->n_datas; i++) {
        const DataSegment *d = &mod->datas[i];
        if (d->mode == SEG_ACTIVE) {
            const char *g = instrs_gate(d->offset.instrs, d->offset.n_instrs);
            if (g)
                return g;
        }
    }
    return NULL;
}

const char *wast_module_gate(const Module *mod) {
    const char *g = fields_gate(mod);
    if (!g)
        g = elems_gate(mod);
    for (uint32_t i = mod->n_func_imports; !g && i < mod->n_funcs; i++)
        g = instrs_gate(mod->funcs[i].code.instrs, mod->funcs[i].code.n_instrs);
    return g;
}

/* ---- Commands ------------------------------------------------------------------------------ */

static const char *value_gate(const WastValue *v) {
    switch (v->kind) {
    case WV_REF_HOST: return GATE_GC; /* host references are `any`s */
    default: return NULL;
    }
}

static const char *expect_gate(const WastExpect *e) {
    switch (e->kind) {
    case WE_REF_KIND:
        return e->ref_class == HT_FUNC || e->ref_class == HT_EXTERN ? NULL
                                                                    : heap_gate(e->ref_class);
    case WE_EITHER:
        for (uint32_t i = 0; i < e->n_alts; i++) {
            const char *g = expect_gate(&e->alts[i]);
            if (g)
                return g;
        }
        return NULL;
    case WE_VALUE: return value_gate(&e->value);
    default: return NULL;
    }
}

const char *wast_command_gate(const WastCommand *cmd) {
    if (cmd->kind == CMD_ASSERT_EXCEPTION)
        return GATE_EH;
    for (uint32_t i = 0; i < cmd->action.n_args; i++) {
        const char *g = value_gate(&cmd->action.args[i]);
        if (g)
            return g;
    }
    for (uint32_t i = 0; i < cmd->n_expects; i++) {
        const char *g = expect_gate(&cmd->expects[i]);
        if (g)
            return g;
    }
    return NULL;
}

/* ---- Script flags ----------------------------------------------------------------------------- */

/* wasmtime's flags that need nothing beyond what the interpreter runs. */
static const char *const supported_flags[] = {
    "reference_types", "bulk_memory", "multi_memory", "memory64", "tail_call",
    "function_references", "branch_hinting", "hogs_memory", "extended_const",
    "multi_value", "sign_extension", "saturating_float_to_int", "mutable_globals",
    "simd", "relaxed_simd",
};

/* Flag names we lack, as the report shows them (static strings). */
static const struct {
    const char *flag, *gate;
} gated_flags[] = {
    {"gc", "gc"},
    {"exceptions", "exceptions"},
    {"legacy_exceptions", "exceptions"},
    {"threads", "threads"},
    {"shared_everything_threads", "threads"},
    {"stack_switching", "stack-switching"},
    {"wide_arithmetic", "wide-arithmetic"},
    {"custom_page_sizes", "custom-page-sizes"},
    {"nan_canonicalization", "nan-canonicalization"},
    {"component_model", "component-model"},
};

static const char *flag_gate(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof supported_flags / sizeof supported_flags[0]; i++)
        if (strlen(supported_flags[i]) == len && memcmp(supported_flags[i], name, len) == 0)
            return NULL;
    for (size_t i = 0; i < sizeof gated_flags / sizeof gated_flags[0]; i++)
        if (strlen(gated_flags[i].flag) == len && memcmp(gated_flags[i].flag, name, len) == 0)
            return gated_flags[i].gate;
    return "unknown ;;! flag";
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* One line after ";;!": "name = true" gates, anything else does not. */
static const char *line_gate(const char *p, const char *end) {
    while (p < end && *p == ' ')
        p++;
    const char *name = p;
    while (p < end && is_name_char(*p))
        p++;
    size_t len = (size_t)(p - name);
    while (p < end && (*p == ' ' || *p == '='))
        p++;
    if (!len || (size_t)(end - p) < 4 || memcmp(p, "true", 4) != 0)
        return NULL;
    return flag_gate(name, len);
}

/* Is the header line ";;! NAME = false" present? (Flags come before any code.) */
bool wast_file_flag_false(const char *text, size_t len, const char *name) {
    const char *p = text, *end = text + len;
    size_t name_len = strlen(name);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol - p >= 3 && memcmp(p, ";;!", 3) == 0) {
            const char *q = p + 3;
            while (q < eol && *q == ' ')
                q++;
            if ((size_t)(eol - q) > name_len && memcmp(q, name, name_len) == 0 &&
                !is_name_char(q[name_len])) {
                q += name_len;
                while (q < eol && (*q == ' ' || *q == '='))
                    q++;
                if (eol - q >= 5 && memcmp(q, "false", 5) == 0)
                    return true;
            }
        } else if (p != eol && *p != '\r' && !(eol - p >= 2 && memcmp(p, ";;", 2) == 0)) {
            return false;
        }
        p = eol + 1;
    }
    return false;
}

const char *wast_file_gate(const char *text, size_t len) {
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol - p >= 3 && memcmp(p, ";;!", 3) == 0) {
            const char *g = line_gate(p + 3, eol);
            if (g)
                return g;
        } else if (p != eol && *p != '\r' && !(eol - p >= 2 && memcmp(p, ";;", 2) == 0)) {
            return NULL; /* flags come first, before any code */
        }
        p = eol + 1;
    }
    return NULL;
}
