/* Component value types: the primitive singletons, constructors, and the
 * canonical-ABI layout of every value type (spec: Canonical ABI > Alignment,
 * Element Size, Flattening), computed once per type from its children.
 * Sizes and flat counts saturate at UINT32_MAX so no input overflows. */
#include "comp_types.h"

#include <string.h>

#define PRIM(k) {.kind = (k)}
static CompValType prims[CVT_LIST] = {
    PRIM(CVT_BOOL), PRIM(CVT_S8),  PRIM(CVT_U8),  PRIM(CVT_S16),    PRIM(CVT_U16),
    PRIM(CVT_S32),  PRIM(CVT_U32), PRIM(CVT_S64), PRIM(CVT_U64),    PRIM(CVT_F32),
    PRIM(CVT_F64),  PRIM(CVT_CHAR), PRIM(CVT_STRING), PRIM(CVT_ERROR_CONTEXT),
};
#undef PRIM
static bool prims_ready;

static const char *const kind_names[CVT_COUNT] = {
    "bool", "s8",   "u8",    "s16",    "u16",    "s32",    "u32",   "s64",
    "u64",  "f32",  "f64",   "char",   "string", "error-context",   "list",
    "list", "record", "tuple", "variant", "enum", "option", "result", "flags",
    "own",  "borrow", "map", "stream", "future",
};

const char *comp_valkind_name(CompValKind kind) {
    return kind < CVT_COUNT ? kind_names[kind] : "?";
}

const CompValType *comp_prim(CompValKind kind) {
    if (kind >= CVT_LIST)
        return NULL;
    if (!prims_ready) {
        /* Idempotent: concurrent first calls write identical values. */
        for (int k = 0; k < CVT_LIST; k++)
            comp_valtype_finish(&prims[k]);
        prims_ready = true;
    }
    return &prims[kind];
}

bool comp_valkind_from_code(uint8_t code, CompValKind *out) {
    /* spec: Binary.md primvaltype, 0x7f bool ... 0x73 string; 0x64 error-context */
    if (code >= 0x73 && code <= 0x7f) {
        *out = (CompValKind)(CVT_BOOL + (0x7f - code));
        return true;
    }
    if (code == 0x64) {
        *out = CVT_ERROR_CONTEXT;
        return true;
    }
    return false;
}

/* ---- Saturating arithmetic ------------------------------------------------------- */

static uint32_t sat_add(uint32_t a, uint32_t b) {
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static uint32_t sat_mul(uint32_t a, uint32_t b) {
    uint64_t r = (uint64_t)a * b;
    return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

static uint32_t max_u32(uint32_t a, uint32_t b) {
    return a > b ? a : b;
}

/* ---- Case and field access ------------------------------------------------------- */

uint32_t comp_case_count(const CompValType *t) {
    switch (t->kind) {
    case CVT_VARIANT:
    case CVT_ENUM:
        return t->n;
    case CVT_OPTION:
    case CVT_RESULT:
        return 2;
    default:
        return 0;
    }
}

const CompValType *comp_case_type(const CompValType *t, uint32_t i) {
    switch (t->kind) {
    case CVT_VARIANT:
        return t->cases[i].type;
    case CVT_OPTION:
        return i == 1 ? t->elem : NULL;
    case CVT_RESULT:
        return i == 0 ? t->result.ok : t->result.err;
    default:
        return NULL;
    }
}

const CompValType *comp_field_type(const CompValType *t, uint32_t i) {
    return t->kind == CVT_RECORD ? t->fields[i].type : t->elems[i];
}

uint32_t comp_field_offset(const CompValType *t, uint32_t i) {
    uint32_t s = 0;
    for (uint32_t k = 0;; k++) {
        const CompValType *ft = comp_field_type(t, k);
        s = comp_align_to(s, ft->abi.align);
        if (k == i)
            return s;
        s = sat_add(s, ft->abi.size);
    }
}

uint32_t comp_discriminant_size(uint32_t n_cases) {
    if (n_cases <= 0x100)
        return 1;
    if (n_cases <= 0x10000)
        return 2;
    return 4;
}

static uint32_t max_case_align(const CompValType *t) {
    uint32_t a = 1, n = comp_case_count(t);
    for (uint32_t i = 0; i < n; i++) {
        const CompValType *ct = comp_case_type(t, i);
        if (ct)
            a = max_u32(a, ct->abi.align);
    }
    return a;
}

uint32_t comp_payload_offset(const CompValType *t) {
    return comp_align_to(comp_discriminant_size(comp_case_count(t)), max_case_align(t));
}

/* ---- Layout ----------------------------------------------------------------------- */

static void absorb(CompLayout *l, const CompValType *child) {
    if (!child)
        return;
    l->contains |= child->abi.contains;
    if (child->abi.depth + 1u > l->depth)
        l->depth = (uint16_t)(child->abi.depth + 1u > UINT16_MAX ? UINT16_MAX
                                                                  : child->abi.depth + 1u);
}

static void layout_record(CompValType *t, CompLayout *l) {
    uint32_t s = 0, a = 1;
    for (uint32_t i = 0; i < t->n; i++) {
        const CompValType *ft = comp_field_type(t, i);
        absorb(l, ft);
        s = sat_add(comp_align_to(s, ft->abi.align), ft->abi.size);
        a = max_u32(a, ft->abi.align);
        l->n_flat = sat_add(l->n_flat, ft->abi.n_flat);
    }
    l->align = a;
    l->size = comp_align_to(s, a);
}

static void layout_variant(CompValType *t, CompLayout *l) {
    uint32_t n = comp_case_count(t), disc = comp_discriminant_size(n), cs = 0, flat = 0;
    for (uint32_t i = 0; i < n; i++) {
        const CompValType *ct = comp_case_type(t, i);
        if (!ct)
            continue;
        absorb(l, ct);
        cs = max_u32(cs, ct->abi.size);
        flat = max_u32(flat, ct->abi.n_flat);
    }
    uint32_t ca = max_case_align(t);
    l->align = max_u32(disc, ca);
    l->size = comp_align_to(sat_add(comp_align_to(disc, ca), cs), l->align);
    l->n_flat = sat_add(1, flat);
}

static void layout_flags(CompValType *t, CompLayout *l) {
    uint32_t n = t->n;
    l->align = n <= 8 ? 1 : n <= 16 ? 2 : 4;
    l->size = n == 0 ? 0 : n <= 8 ? 1 : n <= 16 ? 2 : 4 * ((n + 31) / 32);
    l->n_flat = (n + 31) / 32;
}

static void layout_scalar(uint8_t kind, CompLayout *l) {
    static const uint8_t sizes[] = {
        [CVT_BOOL] = 1, [CVT_S8] = 1,  [CVT_U8] = 1,   [CVT_S16] = 2, [CVT_U16] = 2,
        [CVT_S32] = 4,  [CVT_U32] = 4, [CVT_S64] = 8,  [CVT_U64] = 8, [CVT_F32] = 4,
        [CVT_F64] = 8,  [CVT_CHAR] = 4, [CVT_STRING] = 8, [CVT_ERROR_CONTEXT] = 4,
    };
    l->size = sizes[kind];
    l->align = kind == CVT_STRING ? 4 : sizes[kind];
    l->n_flat = kind == CVT_STRING ? 2 : 1;
    if (kind == CVT_STRING)
        l->contains |= CVT_HAS_MEMORY | CVT_HAS_REALLOC;
    if (kind == CVT_F32 || kind == CVT_F64)
        l->contains |= CVT_HAS_FLOAT;
    if (kind == CVT_ERROR_CONTEXT)
        l->contains |= CVT_HAS_ASYNC;
}

static void layout_handle_like(CompValType *t, CompLayout *l) {
    l->size = 4;
    l->align = 4;
    l->n_flat = 1;
    if (t->kind == CVT_OWN)
        l->contains |= CVT_HAS_OWN;
    else if (t->kind == CVT_BORROW)
        l->contains |= CVT_HAS_BORROW;
    else
        l->contains |= CVT_HAS_ASYNC;
}

void comp_valtype_finish(CompValType *t) {
    CompLayout l = {.depth = 1};
    switch (t->kind) {
    case CVT_LIST:
    case CVT_MAP:
        absorb(&l, t->kind == CVT_LIST ? t->elem : t->map.key);
        if (t->kind == CVT_MAP)
            absorb(&l, t->map.value);
        l.size = 8;
        l.align = 4;
        l.n_flat = 2;
        l.contains |= CVT_HAS_MEMORY | CVT_HAS_REALLOC;
        break;
    case CVT_FIXED_LIST:
        absorb(&l, t->elem);
        l.align = t->elem->abi.align;
        l.size = sat_mul(t->elem->abi.size, t->n);
        l.n_flat = sat_mul(t->elem->abi.n_flat, t->n);
        break;
    case CVT_RECORD:
    case CVT_TUPLE:
        layout_record(t, &l);
        break;
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        layout_variant(t, &l);
        break;
    case CVT_FLAGS:
        layout_flags(t, &l);
        break;
    case CVT_OWN:
    case CVT_BORROW:
    case CVT_STREAM:
    case CVT_FUTURE:
        if (t->kind >= CVT_STREAM)
            absorb(&l, t->elem);
        layout_handle_like(t, &l);
        break;
    default:
        layout_scalar(t->kind, &l);
        break;
    }
    t->abi = l;
}

/* ---- Constructors ----------------------------------------------------------------- */

static CompValType *new_type(Arena *arena, CompValKind kind, uint32_t n) {
    CompValType *t = arena_calloc(arena, 1, sizeof *t);
    if (t) {
        t->kind = (uint8_t)kind;
        t->n = n;
    }
    return t;
}

static CompValType *done(CompValType *t) {
    if (t)
        comp_valtype_finish(t);
    return t;
}

CompValType *comp_type_list(Arena *arena, const CompValType *elem) {
    CompValType *t = new_type(arena, CVT_LIST, 0);
    if (t)
        t->elem = elem;
    return done(t);
}

CompValType *comp_type_fixed_list(Arena *arena, const CompValType *elem, uint32_t length) {
    CompValType *t = new_type(arena, CVT_FIXED_LIST, length);
    if (t)
        t->elem = elem;
    return done(t);
}

CompValType *comp_type_record(Arena *arena, const CompField *fields, uint32_t n) {
    CompValType *t = new_type(arena, CVT_RECORD, n);
    if (t)
        t->fields = fields;
    return done(t);
}

CompValType *comp_type_tuple(Arena *arena, const CompValType *const *elems, uint32_t n) {
    CompValType *t = new_type(arena, CVT_TUPLE, n);
    if (t)
        t->elems = elems;
    return done(t);
}

CompValType *comp_type_variant(Arena *arena, const CompCase *cases, uint32_t n) {
    CompValType *t = new_type(arena, CVT_VARIANT, n);
    if (t)
        t->cases = cases;
    return done(t);
}

CompValType *comp_type_enum(Arena *arena, const char *const *labels, uint32_t n) {
    CompValType *t = new_type(arena, CVT_ENUM, n);
    if (t)
        t->labels = labels;
    return done(t);
}

CompValType *comp_type_flags(Arena *arena, const char *const *labels, uint32_t n) {
    CompValType *t = new_type(arena, CVT_FLAGS, n);
    if (t)
        t->labels = labels;
    return done(t);
}

CompValType *comp_type_option(Arena *arena, const CompValType *elem) {
    CompValType *t = new_type(arena, CVT_OPTION, 0);
    if (t)
        t->elem = elem;
    return done(t);
}

CompValType *comp_type_result(Arena *arena, const CompValType *ok, const CompValType *err) {
    CompValType *t = new_type(arena, CVT_RESULT, 0);
    if (t) {
        t->result.ok = ok;
        t->result.err = err;
    }
    return done(t);
}

CompValType *comp_type_own(Arena *arena, const CompResourceType *resource) {
    CompValType *t = new_type(arena, CVT_OWN, 0);
    if (t)
        t->resource = resource;
    return done(t);
}

CompValType *comp_type_borrow(Arena *arena, const CompResourceType *resource) {
    CompValType *t = new_type(arena, CVT_BORROW, 0);
    if (t)
        t->resource = resource;
    return done(t);
}

CompValType *comp_type_map(Arena *arena, const CompValType *key, const CompValType *value) {
    CompValType *t = new_type(arena, CVT_MAP, 0);
    if (t) {
        t->map.key = key;
        t->map.value = value;
    }
    return done(t);
}

CompValType *comp_type_async(Arena *arena, CompValKind kind, const CompValType *elem) {
    CompValType *t = new_type(arena, kind, 0);
    if (t)
        t->elem = elem;
    return done(t);
}

/* ---- Flattening ------------------------------------------------------------------- */

/* Flattening never needs more than a function's flat limit plus a pointer, so
 * callers pass small caps; variants join through a buffer of this size. */
#define FLAT_CAP_MAX 64

typedef struct FlatOut {
    uint8_t *out;
    uint32_t cap, n;
} FlatOut;

static void flat_push(FlatOut *f, uint8_t vk) {
    if (f->n < f->cap)
        f->out[f->n] = vk;
    f->n = sat_add(f->n, 1);
}

static uint8_t flat_join(uint8_t a, uint8_t b) {
    if (a == b)
        return a;
    if ((a == VK_I32 && b == VK_F32) || (a == VK_F32 && b == VK_I32))
        return VK_I32;
    return VK_I64;
}

static void flatten_into(const CompValType *t, FlatOut *f);

static void flatten_variant(const CompValType *t, FlatOut *f) {
    uint32_t n = comp_case_count(t);
    flat_push(f, VK_I32);
    uint32_t base = f->n, room = f->cap > base ? f->cap - base : 0, joined = 0;
    if (room > FLAT_CAP_MAX)
        room = FLAT_CAP_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const CompValType *ct = comp_case_type(t, i);
        if (!ct)
            continue;
        uint8_t tmp[FLAT_CAP_MAX];
        FlatOut sub = {tmp, room, 0};
        flatten_into(ct, &sub);
        uint32_t m = sub.n < room ? sub.n : room;
        for (uint32_t k = 0; k < m; k++)
            f->out[base + k] = k < joined ? flat_join(f->out[base + k], tmp[k]) : tmp[k];
        if (m > joined)
            joined = m;
    }
    f->n = sat_add(base, t->abi.n_flat - 1);
}

static void flatten_into(const CompValType *t, FlatOut *f) {
    switch (t->kind) {
    case CVT_S64:
    case CVT_U64:
        flat_push(f, VK_I64);
        return;
    case CVT_F32:
        flat_push(f, VK_F32);
        return;
    case CVT_F64:
        flat_push(f, VK_F64);
        return;
    case CVT_STRING:
    case CVT_LIST:
    case CVT_MAP:
        flat_push(f, VK_I32);
        flat_push(f, VK_I32);
        return;
    case CVT_FIXED_LIST: {
        uint32_t start = f->n;
        for (uint32_t i = 0; i < t->n && f->n < f->cap; i++)
            flatten_into(t->elem, f);
        f->n = sat_add(start, t->abi.n_flat);
        return;
    }
    case CVT_RECORD:
    case CVT_TUPLE:
        for (uint32_t i = 0; i < t->n; i++)
            flatten_into(comp_field_type(t, i), f);
        return;
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        flatten_variant(t, f);
        return;
    case CVT_FLAGS:
        for (uint32_t i = 0; i < t->abi.n_flat; i++)
            flat_push(f, VK_I32);
        return;
    default:
        flat_push(f, VK_I32);
        return;
    }
}

uint32_t comp_flatten_type(const CompValType *t, uint8_t *out, uint32_t cap) {
    FlatOut f = {out, cap, 0};
    flatten_into(t, &f);
    return t->abi.n_flat;
}

/* ---- Function types ----------------------------------------------------------------- */

void comp_canon_opts_default(CompCanonOpts *out) {
    memset(out, 0, sizeof *out);
    out->string_encoding = COMP_STR_UTF8;
    out->memory = out->realloc = out->post_return = out->callback = COMP_NONE;
}

static uint32_t flat_count(const CompField *fs, uint32_t n) {
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c = sat_add(c, fs[i].type->abi.n_flat);
    return c;
}

uint32_t comp_func_flat_params(const CompFuncType *ft) {
    return flat_count(ft->params, ft->n_params);
}

uint32_t comp_func_flat_results(const CompFuncType *ft) {
    return flat_count(ft->results, ft->n_results);
}

/* Flatten a field list into out (which holds n entries). */
static void flatten_fields(const CompField *fs, uint32_t n_fields, ValType *out, uint32_t n) {
    uint8_t kinds[COMP_MAX_FLAT_PARAMS];
    uint32_t at = 0;
    for (uint32_t i = 0; i < n_fields && at < n; i++) {
        uint32_t m = comp_flatten_type(fs[i].type, kinds, COMP_MAX_FLAT_PARAMS);
        if (m > COMP_MAX_FLAT_PARAMS)
            m = COMP_MAX_FLAT_PARAMS;
        for (uint32_t k = 0; k < m && at < n; k++)
            out[at++] = (ValType){.kind = kinds[k]};
    }
}

Err comp_func_core_type(const CompFuncType *ft, bool lower, Arena *arena, FuncType *out,
                        Diag *diag) {
    uint32_t np = comp_func_flat_params(ft), nr = comp_func_flat_results(ft);
    bool params_mem = np > COMP_MAX_FLAT_PARAMS, results_mem = nr > COMP_MAX_FLAT_RESULTS;
    uint32_t n_params = params_mem ? 1 : np, n_results = results_mem ? (lower ? 0 : 1) : nr;
    if (results_mem && lower)
        n_params++;
    ValType *params = arena_calloc(arena, n_params ? n_params : 1, sizeof *params);
    ValType *results = arena_calloc(arena, n_results ? n_results : 1, sizeof *results);
    if (!params || !results)
        return FAIL_NOMEM(diag);
    if (params_mem)
        params[0] = (ValType){.kind = VK_I32};
    else
        flatten_fields(ft->params, ft->n_params, params, np);
    if (results_mem && lower)
        params[n_params - 1] = (ValType){.kind = VK_I32};
    else if (results_mem)
        results[0] = (ValType){.kind = VK_I32};
    else
        flatten_fields(ft->results, ft->n_results, results, nr);
    *out = (FuncType){.n_params = n_params, .n_results = n_results, .params = params,
                      .results = results};
    return OK;
}
