/* Import matching (spec: Validation > Matching > External Types, and
 * Execution > Modules > Instantiation step "each external value matches its
 * import's type"). Types on both sides are canonical: concrete heap types
 * are canonical ids. Errors are ERR_LINK "incompatible import type for
 * `module::field`: <why>", the why worded as Wasmtime words it. */
#include <stdio.h>

#include "runtime_int.h"

typedef struct Out {
    char *buf;
    size_t size, len;
} Out;

static void outf(Out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void outf(Out *o, const char *fmt, ...) {
    if (o->len >= o->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}


static void put_functype(Out *o, const TypeRegistry *reg, const FuncType *ft, int depth);

/* A concrete type by its structure (canonical ids mean nothing to a reader);
 * nested concrete types by kind only, so recursive types print finitely. */
static void put_concrete(Out *o, const TypeRegistry *reg, uint32_t id, int depth) {
    const SubType *st = mod_registry_type(reg, id);
    if (st->kind == COMP_FUNC && depth == 0)
        put_functype(o, reg, &st->func, depth + 1);
    else
        outf(o, st->kind == COMP_FUNC ? "func" : st->kind == COMP_STRUCT ? "struct" : "array");
}

static void put_valtype(Out *o, const TypeRegistry *reg, ValType t, int depth) {
    switch (t.kind) {
    case VK_I32: outf(o, "i32"); return;
    case VK_I64: outf(o, "i64"); return;
    case VK_F32: outf(o, "f32"); return;
    case VK_F64: outf(o, "f64"); return;
    case VK_V128: outf(o, "v128"); return;
    default: break;
    }
    if (t.heap < 0 && t.nullable)
        outf(o, "%sref", ir_heap_type_name(t.heap));
    else if (t.heap < 0)
        outf(o, "(ref %s)", ir_heap_type_name(t.heap));
    else {
        outf(o, "(ref %s", t.nullable ? "null " : "");
        put_concrete(o, reg, (uint32_t)t.heap, depth);
        outf(o, ")");
    }
}

static void put_functype(Out *o, const TypeRegistry *reg, const FuncType *ft, int depth) {
    outf(o, "(func");
    if (ft->n_params) {
        outf(o, " (param");
        for (uint32_t i = 0; i < ft->n_params; i++) {
            outf(o, " ");
            put_valtype(o, reg, ft->params[i], depth);
        }
        outf(o, ")");
    }
    if (ft->n_results) {
        outf(o, " (result");
        for (uint32_t i = 0; i < ft->n_results; i++) {
            outf(o, " ");
            put_valtype(o, reg, ft->results[i], depth);
        }
        outf(o, ")");
    }
    outf(o, ")");
}

static void put_limits(Out *o, uint64_t min, bool has_max, uint64_t max) {
    if (has_max)
        outf(o, "(min: %llu, max: %llu)", (unsigned long long)min, (unsigned long long)max);
    else
        outf(o, "(min: %llu, max: none)", (unsigned long long)min);
}

static bool limits_match(uint64_t have_min, bool have_has_max, uint64_t have_max,
                         const Limits *want) {
    if (have_min < want->min)
        return false;
    return !want->has_max || (have_has_max && have_max <= want->max);
}

static void why_func(const RtModule *m, uint32_t idx, const FuncRef *have, Out *o) {
    const TypeRegistry *reg = m->engine->types;
    uint32_t want = m->canon_types[m->ir->funcs[idx].type];
    if (mod_registry_is_subtype(reg, have->type, want))
        return;
    outf(o, "expected type `");
    put_functype(o, reg, &mod_registry_type(reg, want)->func, 0);
    outf(o, "`, found type `");
    put_functype(o, reg, &mod_registry_type(reg, have->type)->func, 0);
    outf(o, "`");
}

static void why_table(const RtModule *m, uint32_t idx, const RtTable *have, Out *o) {
    const TypeRegistry *reg = m->engine->types;
    const TableType *want = &rt_module_impl(m)->table_types[idx];
    const Limits *hl = &have->type.limits;
    if (!ir_valtype_eq(want->elem, have->elem_type)) {
        outf(o, "expected table of type `");
        put_valtype(o, reg, want->elem, 0);
        outf(o, "`, found table of type `");
        put_valtype(o, reg, have->elem_type, 0);
        outf(o, "`");
    } else if (want->limits.is64 != have->is64) {
        outf(o, "expected %s table, found %s table", want->limits.is64 ? "64-bit" : "32-bit",
             have->is64 ? "64-bit" : "32-bit");
    } else if (!limits_match(have->size, hl->has_max, hl->max, &want->limits)) {
        outf(o, "expected table limits ");
        put_limits(o, want->limits.min, want->limits.has_max, want->limits.max);
        outf(o, " doesn't match provided table limits ");
        put_limits(o, have->size, hl->has_max, hl->max);
    }
}

static void why_memory(const RtModule *m, uint32_t idx, const RtMemory *have, Out *o) {
    const Limits *want = &m->ir->memories[idx].type;
    uint64_t pages = have->length / RT_PAGE_SIZE;
    if (want->is64 != have->is64) {
        outf(o, "expected %s memory, found %s memory", want->is64 ? "64-bit" : "32-bit",
             have->is64 ? "64-bit" : "32-bit");
    } else if (want->shared != have->shared) {
        outf(o, "expected %s memory, found %s memory", want->shared ? "shared" : "unshared",
             have->shared ? "shared" : "unshared");
    } else if (!limits_match(pages, have->type.has_max, have->type.max, want)) {
        outf(o, "expected memory limits ");
        put_limits(o, want->min, want->has_max, want->max);
        outf(o, " doesn't match provided memory limits ");
        put_limits(o, pages, have->type.has_max, have->type.max);
    }
}

static void why_global(const RtModule *m, uint32_t idx, const RtGlobal *have, Out *o) {
    const TypeRegistry *reg = m->engine->types;
    const GlobalType *want = &rt_module_impl(m)->global_types[idx];
    bool ok;
    if (want->mutable_ != have->type.mutable_) {
        outf(o, "expected %s global, found %s global", want->mutable_ ? "mutable" : "immutable",
             have->type.mutable_ ? "mutable" : "immutable");
        return;
    }
    if (want->mutable_)
        ok = ir_valtype_eq(want->type, have->type.type);
    else
        ok = mod_val_sub_canon(m->engine->types, have->type.type, want->type);
    if (ok)
        return;
    outf(o, "expected global of type `");
    put_valtype(o, reg, want->type, 0);
    outf(o, "`, found global of type `");
    put_valtype(o, reg, have->type.type, 0);
    outf(o, "`");
}

static void why_tag(const RtModule *m, uint32_t idx, const RtTag *have, Out *o) {
    const TypeRegistry *reg = m->engine->types;
    uint32_t want = m->canon_types[m->ir->tags[idx].type.type];
    if (want == have->canon_type)
        return;
    outf(o, "expected tag of type `");
    put_functype(o, reg, &mod_registry_type(reg, want)->func, 0);
    outf(o, "`, found tag of type `");
    put_functype(o, reg, &mod_registry_type(reg, have->canon_type)->func, 0);
    outf(o, "`");
}

static const char *kind_name(uint8_t kind) {
    static const char *const names[] = {"func", "table", "memory", "global", "tag"};
    return kind <= EXTERN_TAG ? names[kind] : "unknown";
}

static bool extern_present(const Extern *e) {
    switch (e->kind) {
    case EXTERN_FUNC: return e->func != NULL;
    case EXTERN_TABLE: return e->table != NULL;
    case EXTERN_MEMORY: return e->memory != NULL;
    case EXTERN_GLOBAL: return e->global != NULL;
    case EXTERN_TAG: return e->tag != NULL;
    default: return false;
    }
}

/* Why `have` does not match import `im`; o->len stays 0 when it matches. */
static void why(const RtModule *m, const Import *im, const Extern *have, Out *o) {
    if (have->kind != im->kind) {
        outf(o, "expected %s, found %s", kind_name(im->kind), kind_name(have->kind));
        return;
    }
    switch (im->kind) {
    case EXTERN_FUNC: why_func(m, im->index, have->func, o); break;
    case EXTERN_TABLE: why_table(m, im->index, have->table, o); break;
    case EXTERN_MEMORY: why_memory(m, im->index, have->memory, o); break;
    case EXTERN_GLOBAL: why_global(m, im->index, have->global, o); break;
    case EXTERN_TAG: why_tag(m, im->index, have->tag, o); break;
    default: break;
    }
}

Err rt_check_imports(const RtModule *module, const Extern *imports, Diag *diag) {
    const Module *ir = module->ir;
    for (uint32_t i = 0; i < ir->n_imports; i++) {
        const Import *im = &ir->imports[i];
        if (!extern_present(&imports[i]))
            return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "import %u is not a valid external value",
                        i);
        char reason[160];
        Out o = {reason, sizeof reason, 0};
        reason[0] = 0;
        why(module, im, &imports[i], &o);
        if (o.len)
            return FAIL(diag, ERR_LINK, DIAG_NO_OFFSET,
                        "incompatible import type for `%.*s::%.*s`: %s", (int)im->module.len,
                        im->module.str, (int)im->field.len, im->field.str, reason);
    }
    return OK;
}
