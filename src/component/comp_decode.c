/* Component binary decoder: the preamble, every section (custom, core
 * module, core instance, core type, component, instance, alias, type, canon,
 * start, import, export) into the component IR, with embedded core modules
 * decoded by bin_read_module. Messages are the suite's (wasmparser's):
 * "unexpected end-of-file", "invalid leading byte (0x..) for ...". Every
 * count is bounded by the bytes left, so allocations follow the input size. */
#include <string.h>

#include "component_front.h"
#include "../syntax/syntax.h"

typedef VEC(Module *) ModuleVec;

typedef struct CReader {
    const uint8_t *pos, *end;
    const uint8_t *base; /* start of the top-level binary, for offsets */
    Arena *arena;
    Diag *diag;
    ModuleVec *modules; /* decoded core modules, owned by the root */
    uint32_t depth;
} CReader;

static uint32_t off(const CReader *r) {
    return (uint32_t)(r->pos - r->base);
}

static Err fail(CReader *r, const char *msg) {
    return FAIL(r->diag, ERR_MALFORMED, off(r), "%s", msg);
}

static Err eof(CReader *r) {
    return fail(r, "unexpected end-of-file");
}

static Err bad_byte(CReader *r, uint8_t b, const char *what) {
    return FAIL(r->diag, ERR_MALFORMED, off(r) - 1, "invalid leading byte (0x%x) for %s", b, what);
}

static Err nomem(CReader *r) {
    return FAIL_NOMEM(r->diag);
}

static Err u8(CReader *r, uint8_t *out) {
    if (r->pos >= r->end)
        return eof(r);
    *out = *r->pos++;
    return OK;
}

static Err leb(CReader *r, unsigned bits, bool is_signed, uint64_t *out) {
    size_t n;
    LebStatus st;
    if (is_signed) {
        int64_t v;
        st = leb_read_signed(r->pos, r->end, bits, &v, &n);
        *out = (uint64_t)v;
    } else {
        st = leb_read_unsigned(r->pos, r->end, bits, out, &n);
    }
    if (st == LEB_EOF)
        return eof(r);
    if (st != LEB_OK)
        return fail(r, leb_status_message(st));
    r->pos += n;
    return OK;
}

static Err u32(CReader *r, uint32_t *out) {
    uint64_t v;
    TRY(leb(r, 32, false, &v));
    *out = (uint32_t)v;
    return OK;
}

/* A vector count; each item takes at least one byte. */
static Err count(CReader *r, uint32_t *out) {
    TRY(u32(r, out));
    if (*out > (size_t)(r->end - r->pos))
        return eof(r);
    return OK;
}

static Err boolean(CReader *r, bool *out) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b > 1)
        return FAIL(r->diag, ERR_MALFORMED, off(r) - 1, "invalid boolean value");
    *out = b;
    return OK;
}

static Err name(CReader *r, Name *out) {
    uint32_t n;
    TRY(u32(r, &n));
    if (n > (size_t)(r->end - r->pos))
        return eof(r);
    if (!utf8_valid(r->pos, n))
        return fail(r, "malformed UTF-8 encoding");
    char *s = arena_strndup(r->arena, (const char *)r->pos, n);
    if (!s)
        return nomem(r);
    out->str = s;
    out->len = n;
    r->pos += n;
    return OK;
}

static void *alloc_n(CReader *r, uint32_t n, size_t size) {
    return arena_calloc(r->arena, n ? n : 1, size);
}

#define ALLOC_N(r, ptr, n)                                                                         \
    do {                                                                                           \
        (ptr) = alloc_n((r), (n), sizeof *(ptr));                                                  \
        if (!(ptr))                                                                                \
            return nomem(r);                                                                       \
    } while (0)

/* ---- Names and sorts -------------------------------------------------------- */

static Err extern_name(CReader *r, CompExternName *out) {
    memset(out, 0, sizeof *out);
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b == 0x00 || b == 0x01)
        return name(r, &out->name);
    if (b != 0x02)
        return bad_byte(r, b, "component name");
    TRY(name(r, &out->name));
    uint32_t n;
    TRY(count(r, &n));
    for (uint32_t i = 0; i < n; i++) {
        uint8_t k;
        Name v;
        TRY(u8(r, &k));
        if (k > 2)
            return bad_byte(r, k, "name option");
        TRY(name(r, &v));
        bool *has = k == 0 ? &out->has_implements : k == 1 ? &out->has_version
                                                           : &out->has_external_id;
        Name *dst = k == 0 ? &out->implements : k == 1 ? &out->version : &out->external_id;
        if (*has && k == 0)
            out->dup_implements = true;
        *has = true;
        *dst = v;
    }
    return OK;
}

static bool core_sort_of(uint8_t b, uint8_t *out) {
    switch (b) {
    case 0x00: *out = CSORT_CORE_FUNC; return true;
    case 0x01: *out = CSORT_CORE_TABLE; return true;
    case 0x02: *out = CSORT_CORE_MEMORY; return true;
    case 0x03: *out = CSORT_CORE_GLOBAL; return true;
    case 0x04: *out = CSORT_CORE_TAG; return true;
    case 0x10: *out = CSORT_CORE_TYPE; return true;
    case 0x11: *out = CSORT_CORE_MODULE; return true;
    case 0x12: *out = CSORT_CORE_INSTANCE; return true;
    default: return false;
    }
}

static bool sort_of(uint8_t b, uint8_t *out) {
    static const uint8_t sorts[] = {0, CSORT_FUNC, CSORT_VALUE, CSORT_TYPE, CSORT_COMPONENT,
                                    CSORT_INSTANCE};
    if (b < 1 || b > 5)
        return false;
    *out = sorts[b];
    return true;
}

static Err core_sort(CReader *r, uint8_t *out) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (!core_sort_of(b, out))
        return bad_byte(r, b, "core sort");
    return OK;
}

static Err sort(CReader *r, uint8_t *out) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b == 0x00)
        return core_sort(r, out);
    if (!sort_of(b, out))
        return bad_byte(r, b, "component external kind");
    return OK;
}

static Err sortidx(CReader *r, CompSortIdx *out) {
    TRY(sort(r, &out->sort));
    return u32(r, &out->idx);
}

/* ---- Value types ------------------------------------------------------------ */

static bool prim_code(uint8_t b, uint8_t *out) {
    if (b >= 0x73 && b <= 0x7f) {
        *out = (uint8_t)(CVT_BOOL + (0x7f - b));
        return true;
    }
    if (b == 0x64) {
        *out = CVT_ERROR_CONTEXT;
        return true;
    }
    return false;
}

static Err valtype(CReader *r, CompValRef *out) {
    memset(out, 0, sizeof *out);
    if (r->pos < r->end && prim_code(*r->pos, &out->prim)) {
        r->pos++;
        return OK;
    }
    uint8_t first = r->pos < r->end ? *r->pos : 0;
    uint64_t v;
    TRY(leb(r, 33, true, &v));
    if ((int64_t)v < 0 || v > UINT32_MAX) {
        r->pos--;
        return bad_byte(r, first, "component value type");
    }
    out->is_index = true;
    out->idx = (uint32_t)v;
    return OK;
}

static Err opt_valtype(CReader *r, bool *has, CompValRef *out, const char *what) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b > 1)
        return bad_byte(r, b, what);
    *has = b;
    return b ? valtype(r, out) : OK;
}

static Err labels(CReader *r, CompTypeDef *t) {
    TRY(count(r, &t->n));
    ALLOC_N(r, t->labels, t->n);
    for (uint32_t i = 0; i < t->n; i++)
        TRY(name(r, &t->labels[i]));
    return OK;
}

static Err named_list(CReader *r, uint32_t *n, CompNamedRef **out) {
    TRY(count(r, n));
    ALLOC_N(r, *out, *n);
    for (uint32_t i = 0; i < *n; i++) {
        TRY(name(r, &(*out)[i].name));
        TRY(valtype(r, &(*out)[i].type));
    }
    return OK;
}

static Err variant(CReader *r, CompTypeDef *t) {
    TRY(count(r, &t->n));
    ALLOC_N(r, t->cases, t->n);
    for (uint32_t i = 0; i < t->n; i++) {
        CompCaseDef *c = &t->cases[i];
        TRY(name(r, &c->name));
        TRY(opt_valtype(r, &c->has_type, &c->type, "optional variant case type"));
        uint8_t z;
        TRY(u8(r, &z));
        if (z != 0)
            return bad_byte(r, z, "zero byte required");
    }
    return OK;
}

static Err defvaltype(CReader *r, uint8_t b, CompTypeDef *t) {
    uint8_t prim;
    if (prim_code(b, &prim)) {
        t->kind = CTD_PRIM;
        t->prim = prim;
        return OK;
    }
    switch (b) {
    case 0x72: t->kind = CTD_RECORD; return named_list(r, &t->n, &t->fields);
    case 0x71: t->kind = CTD_VARIANT; return variant(r, t);
    case 0x70: t->kind = CTD_LIST; return valtype(r, &t->elem);
    case 0x67:
        t->kind = CTD_FIXED_LIST;
        TRY(valtype(r, &t->elem));
        return u32(r, &t->idx);
    case 0x6f:
        t->kind = CTD_TUPLE;
        TRY(count(r, &t->n));
        ALLOC_N(r, t->elems, t->n);
        for (uint32_t i = 0; i < t->n; i++)
            TRY(valtype(r, &t->elems[i]));
        return OK;
    case 0x6e: t->kind = CTD_FLAGS; return labels(r, t);
    case 0x6d: t->kind = CTD_ENUM; return labels(r, t);
    case 0x6b: t->kind = CTD_OPTION; return valtype(r, &t->elem);
    case 0x6a:
        t->kind = CTD_RESULT;
        TRY(opt_valtype(r, &t->has_ok, &t->ok, "optional result type"));
        return opt_valtype(r, &t->has_err, &t->err, "optional result type");
    case 0x69: t->kind = CTD_OWN; return u32(r, &t->idx);
    case 0x68: t->kind = CTD_BORROW; return u32(r, &t->idx);
    case 0x66:
    case 0x65:
        t->kind = b == 0x66 ? CTD_STREAM : CTD_FUTURE;
        return opt_valtype(r, &t->has_elem, &t->elem, "optional stream/future type");
    case 0x63:
        t->kind = CTD_MAP;
        TRY(valtype(r, &t->key));
        return valtype(r, &t->value);
    default: return bad_byte(r, b, "component defined type");
    }
}

/* ---- Core types ------------------------------------------------------------- */

static Err core_valtype(CReader *r, ValType *out) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    memset(out, 0, sizeof *out);
    if (b == VK_I32 || b == VK_I64 || b == VK_F32 || b == VK_F64 || b == VK_V128) {
        out->kind = b;
        return OK;
    }
    if (b >= 0x69 && b <= 0x74) {
        out->kind = VK_REF;
        out->nullable = 1;
        out->heap = (int32_t)b - 0x80;
        return OK;
    }
    if (b == 0x63 || b == 0x64) {
        uint64_t h;
        TRY(leb(r, 33, true, &h));
        out->kind = VK_REF;
        out->nullable = b == 0x63;
        out->heap = (int32_t)(int64_t)h;
        return OK;
    }
    return bad_byte(r, b, "value type");
}

static Err core_valtypes(CReader *r, uint32_t *n, ValType **out) {
    TRY(count(r, n));
    ALLOC_N(r, *out, *n);
    for (uint32_t i = 0; i < *n; i++)
        TRY(core_valtype(r, &(*out)[i]));
    return OK;
}

static Err limits(CReader *r, Limits *out) {
    uint8_t flags = 0;
    TRY(u8(r, &flags));
    if (flags > 7)
        return bad_byte(r, flags, "limits");
    out->has_max = flags & 1;
    out->shared = flags & 2;
    out->is64 = flags & 4;
    unsigned bits = out->is64 ? 64 : 32;
    TRY(leb(r, bits, false, &out->min));
    if (out->has_max)
        TRY(leb(r, bits, false, &out->max));
    return OK;
}

static Err core_desc(CReader *r, CompCoreDesc *out) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    memset(out, 0, sizeof *out);
    out->kind = b;
    switch (b) {
    case EXTERN_FUNC: return u32(r, &out->type);
    case EXTERN_TABLE:
        TRY(core_valtype(r, &out->table.elem));
        return limits(r, &out->table.limits);
    case EXTERN_MEMORY: return limits(r, &out->memory);
    case EXTERN_GLOBAL: {
        TRY(core_valtype(r, &out->global.type));
        return boolean(r, &out->global.mutable_);
    }
    case EXTERN_TAG: {
        uint8_t attr;
        TRY(u8(r, &attr));
        if (attr != 0)
            return bad_byte(r, attr, "tag attribute");
        return u32(r, &out->type);
    }
    default: return bad_byte(r, b, "external kind");
    }
}

/* depth: 0 = a core type, 1 = a type in a module type, 2 = a type in a
 * module type nested in a module type (decoded so that the validator rejects
 * it, as wasm-tools does; deeper nesting is malformed). */
static Err core_type(CReader *r, int depth, CompCoreTypeDef **out);

static Err module_decl(CReader *r, CompCoreDecl *d, int depth) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    switch (b) {
    case 0x00:
        d->kind = CCD_IMPORT;
        TRY(name(r, &d->module));
        TRY(name(r, &d->name));
        return core_desc(r, &d->desc);
    case 0x01: d->kind = CCD_TYPE; return core_type(r, depth + 1, &d->type);
    case 0x02: {
        d->kind = CCD_ALIAS;
        uint8_t s, t;
        TRY(u8(r, &s));
        if (s != 0x10)
            return bad_byte(r, s, "outer alias kind");
        TRY(u8(r, &t));
        if (t != 0x01)
            return bad_byte(r, t, "outer alias target");
        TRY(u32(r, &d->ct));
        return u32(r, &d->idx);
    }
    case 0x03:
        d->kind = CCD_EXPORT;
        TRY(name(r, &d->name));
        return core_desc(r, &d->desc);
    default: return bad_byte(r, b, "type definition");
    }
}

static Err core_type(CReader *r, int depth, CompCoreTypeDef **out) {
    CompCoreTypeDef *t;
    ALLOC_N(r, t, 1);
    t->offset = off(r);
    *out = t;
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b == 0x00 || b == 0x4f) {
        /* a (non-)final subtype wrapper: supertypes then the composite type */
        if (b == 0x00) {
            uint8_t s;
            TRY(u8(r, &s));
            if (s != 0x50)
                return bad_byte(r, s, "core type");
        }
        uint32_t n;
        TRY(count(r, &n));
        for (uint32_t i = 0; i < n; i++) {
            uint32_t super;
            TRY(u32(r, &super));
        }
        TRY(u8(r, &b));
        if (b != 0x60)
            return bad_byte(r, b, "core type");
    }
    if (b == 0x60) {
        TRY(core_valtypes(r, &t->func.n_params, &t->func.params));
        return core_valtypes(r, &t->func.n_results, &t->func.results);
    }
    if (b == 0x50 && depth < 2) {
        t->is_module = true;
        TRY(count(r, &t->n_decls));
        ALLOC_N(r, t->decls, t->n_decls);
        for (uint32_t i = 0; i < t->n_decls; i++)
            TRY(module_decl(r, &t->decls[i], depth));
        return OK;
    }
    return bad_byte(r, b, depth ? "type definition in module type" : "core type");
}

/* ---- Component types -------------------------------------------------------- */

static Err externdesc(CReader *r, CompExternDesc *d) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    memset(d, 0, sizeof *d);
    switch (b) {
    case 0x00: {
        uint8_t m;
        TRY(u8(r, &m));
        if (m != 0x11)
            return bad_byte(r, m, "component external kind");
        d->kind = CDESC_MODULE;
        return u32(r, &d->idx);
    }
    case 0x01: d->kind = CDESC_FUNC; return u32(r, &d->idx);
    case 0x02: {
        d->kind = CDESC_VALUE;
        uint8_t v;
        TRY(u8(r, &v));
        if (v == 0x00) {
            d->value_eq = true;
            return u32(r, &d->idx);
        }
        if (v != 0x01)
            return bad_byte(r, v, "value bound");
        return valtype(r, &d->valtype);
    }
    case 0x03: {
        d->kind = CDESC_TYPE;
        uint8_t t;
        TRY(u8(r, &t));
        if (t == 0x01) {
            d->sub_resource = true;
            return OK;
        }
        if (t != 0x00)
            return bad_byte(r, t, "type bound");
        return u32(r, &d->idx);
    }
    case 0x04: d->kind = CDESC_COMPONENT; return u32(r, &d->idx);
    case 0x05: d->kind = CDESC_INSTANCE; return u32(r, &d->idx);
    default: return bad_byte(r, b, "component external kind");
    }
}

static Err alias(CReader *r, CompAlias *a);
static Err deftype(CReader *r, CompTypeDef **out);

static Err decl(CReader *r, bool component, CompDecl *d) {
    d->offset = off(r);
    uint8_t b = 0;
    TRY(u8(r, &b));
    switch (b) {
    case 0x00: d->kind = CDECL_CORE_TYPE; return core_type(r, 0, &d->core_type);
    case 0x01: d->kind = CDECL_TYPE; return deftype(r, &d->type);
    case 0x02: d->kind = CDECL_ALIAS; return alias(r, &d->alias);
    case 0x03:
        if (!component)
            break;
        d->kind = CDECL_IMPORT;
        TRY(extern_name(r, &d->name));
        return externdesc(r, &d->desc);
    case 0x04:
        d->kind = CDECL_EXPORT;
        TRY(extern_name(r, &d->name));
        return externdesc(r, &d->desc);
    default: break;
    }
    return bad_byte(r, b, "component or instance type declaration");
}

static Err functype(CReader *r, CompTypeDef *t) {
    TRY(named_list(r, &t->n, &t->fields));
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b == 0x00) {
        t->has_result = true;
        return valtype(r, &t->result);
    }
    if (b != 0x01)
        return bad_byte(r, b, "component function results");
    TRY(u8(r, &b));
    if (b != 0x00)
        return bad_byte(r, b, "number of results");
    return OK;
}

static Err deftype(CReader *r, CompTypeDef **out) {
    if (++r->depth > 1000)
        return fail(r, "type nesting is too deep");
    CompTypeDef *t;
    ALLOC_N(r, t, 1);
    *out = t;
    t->offset = off(r);
    uint8_t b = 0;
    TRY(u8(r, &b));
    Err err;
    switch (b) {
    case 0x40:
    case 0x43:
        t->kind = CTD_FUNC;
        t->async_ = b == 0x43;
        err = functype(r, t);
        break;
    case 0x41:
    case 0x42:
        t->kind = b == 0x41 ? CTD_COMPONENT : CTD_INSTANCE;
        err = count(r, &t->n);
        if (err == OK && !(t->decls = alloc_n(r, t->n, sizeof *t->decls)))
            err = nomem(r);
        for (uint32_t i = 0; err == OK && i < t->n; i++)
            err = decl(r, b == 0x41, &t->decls[i]);
        break;
    case 0x3f: {
        t->kind = CTD_RESOURCE;
        uint8_t rep;
        err = u8(r, &rep);
        if (err == OK && rep != 0x7f)
            err = bad_byte(r, rep, "resource representation");
        if (err == OK)
            err = u8(r, &rep);
        if (err == OK && rep > 1)
            err = bad_byte(r, rep, "optional resource destructor");
        t->has_dtor = rep == 1;
        if (err == OK && t->has_dtor)
            err = u32(r, &t->idx);
        break;
    }
    default: err = defvaltype(r, b, t); break;
    }
    r->depth--;
    return err;
}

/* ---- Definitions ------------------------------------------------------------ */

static Err alias(CReader *r, CompAlias *a) {
    memset(a, 0, sizeof *a);
    uint8_t b1, b2 = 0, t;
    TRY(u8(r, &b1));
    if (b1 == 0x00)
        TRY(u8(r, &b2));
    TRY(u8(r, &t));
    if (t == 0x02) {
        a->kind = CALIAS_OUTER;
        if (b1 == 0x00 && (b2 == 0x10 || b2 == 0x11))
            a->sort = b2 == 0x10 ? CSORT_CORE_TYPE : CSORT_CORE_MODULE;
        else if (b1 == 0x03 || b1 == 0x04)
            a->sort = b1 == 0x03 ? CSORT_TYPE : CSORT_COMPONENT;
        else
            return FAIL(r->diag, ERR_MALFORMED, off(r) - 1,
                        "invalid leading byte (0x%x) for component outer alias kind",
                        b1 == 0 ? b2 : b1);
        TRY(u32(r, &a->ct));
        return u32(r, &a->idx);
    }
    if (t > 0x02)
        return bad_byte(r, t, "alias");
    if (b1 == 0x00) {
        if (!core_sort_of(b2, &a->sort))
            return bad_byte(r, b2, "core sort");
    } else if (!sort_of(b1, &a->sort)) {
        return bad_byte(r, b1, "component external kind");
    }
    a->kind = t == 0x00 ? CALIAS_EXPORT : CALIAS_CORE_EXPORT;
    TRY(u32(r, &a->instance));
    return name(r, &a->name);
}

static Err core_instance(CReader *r, CompCoreInstance *ci) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b == 0x00) {
        ci->instantiate = true;
        TRY(u32(r, &ci->module));
        TRY(count(r, &ci->n));
        ALLOC_N(r, ci->names, ci->n);
        ALLOC_N(r, ci->items, ci->n);
        for (uint32_t i = 0; i < ci->n; i++) {
            TRY(name(r, &ci->names[i]));
            uint8_t k;
            TRY(u8(r, &k));
            if (k != 0x12)
                return bad_byte(r, k, "instantiation arg kind");
            ci->items[i].sort = CSORT_CORE_INSTANCE;
            TRY(u32(r, &ci->items[i].idx));
        }
        return OK;
    }
    if (b != 0x01)
        return bad_byte(r, b, "core instance");
    TRY(count(r, &ci->n));
    ALLOC_N(r, ci->names, ci->n);
    ALLOC_N(r, ci->items, ci->n);
    for (uint32_t i = 0; i < ci->n; i++) {
        TRY(name(r, &ci->names[i]));
        TRY(core_sort(r, &ci->items[i].sort));
        TRY(u32(r, &ci->items[i].idx));
    }
    return OK;
}

static Err instance(CReader *r, CompInstanceDef *in) {
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b == 0x00) {
        in->instantiate = true;
        TRY(u32(r, &in->component));
        TRY(count(r, &in->n));
        ALLOC_N(r, in->names, in->n);
        ALLOC_N(r, in->items, in->n);
        for (uint32_t i = 0; i < in->n; i++) {
            TRY(name(r, &in->names[i]));
            TRY(sortidx(r, &in->items[i]));
        }
        return OK;
    }
    if (b != 0x01)
        return bad_byte(r, b, "instance");
    TRY(count(r, &in->n));
    ALLOC_N(r, in->export_names, in->n);
    ALLOC_N(r, in->items, in->n);
    for (uint32_t i = 0; i < in->n; i++) {
        TRY(extern_name(r, &in->export_names[i]));
        TRY(sortidx(r, &in->items[i]));
    }
    return OK;
}

static Err canon_opts(CReader *r, CompCanon *c) {
    TRY(count(r, &c->n_opts));
    ALLOC_N(r, c->opt_codes, c->n_opts);
    ALLOC_N(r, c->opt_args, c->n_opts);
    for (uint32_t i = 0; i < c->n_opts; i++) {
        uint8_t b = 0;
        TRY(u8(r, &b));
        c->opt_codes[i] = b;
        if (b == 0x03 || b == 0x04 || b == 0x05 || b == 0x07)
            TRY(u32(r, &c->opt_args[i]));
        else if (b > 0x08)
            return bad_byte(r, b, "canonical option");
    }
    return OK;
}

/* Operand shapes of the canon opcodes 0x02..0x42 (as in the text parser):
 * T type, a/c flag, o opts, r result, x context, m memory, y core type,
 * b table; NULL = unallocated. */
static const char *canon_shape(uint8_t op) {
    static const char *const shapes[] = {
        [0x02] = "T",  [0x03] = "T",  [0x04] = "T",  [0x05] = "",   [0x06] = "a",
        [0x08] = "",   [0x09] = "ro", [0x0a] = "x",  [0x0b] = "x",
        [0x0c] = "c",  [0x0d] = "",   [0x0e] = "T",  [0x0f] = "To", [0x10] = "To",
        [0x11] = "Ta", [0x12] = "Ta", [0x13] = "T",  [0x14] = "T",  [0x15] = "T",
        [0x16] = "To", [0x17] = "To", [0x18] = "Ta", [0x19] = "Ta", [0x1a] = "T",
        [0x1b] = "T",  [0x1c] = "o",  [0x1d] = "o",  [0x1e] = "",   [0x1f] = "",
        [0x20] = "cm", [0x21] = "cm", [0x22] = "",   [0x23] = "",   [0x24] = "",
        [0x25] = "",   [0x26] = "",   [0x27] = "yb", [0x28] = "",   [0x29] = "c",
        [0x2a] = "c",  [0x2b] = "c",  [0x2c] = "c",  [0x2d] = "c",  [0x40] = "y",
        [0x41] = "yb", [0x42] = "",
    };
    if (op >= sizeof shapes / sizeof shapes[0])
        return NULL;
    return shapes[op];
}

static Err canon_operand(CReader *r, char a, CompCanon *c) {
    switch (a) {
    case 'T':
    case 'y': return u32(r, &c->type);
    case 'a':
    case 'c': return boolean(r, &c->flag);
    case 'o': return canon_opts(r, c);
    case 'r': {
        uint8_t b = 0;
        TRY(u8(r, &b));
        if (b == 0x00) {
            c->has_result = true;
            return valtype(r, &c->result);
        }
        if (b != 0x01)
            return bad_byte(r, b, "component function results");
        TRY(u8(r, &b));
        return b == 0 ? OK : bad_byte(r, b, "number of results");
    }
    case 'x':
        TRY(u8(r, &c->ctx_type));
        if (c->ctx_type != VK_I32)
            return bad_byte(r, c->ctx_type, "context type");
        return u32(r, &c->ctx_index);
    case 'm': return u32(r, &c->memory);
    default: return u32(r, &c->table);
    }
}

static Err canon(CReader *r, CompCanon *c) {
    TRY(u8(r, &c->op));
    if (c->op == 0x00 || c->op == 0x01) {
        uint8_t z;
        TRY(u8(r, &z));
        if (z != 0x00)
            return bad_byte(r, z, c->op == 0 ? "canonical function lift"
                                             : "canonical function lower");
        TRY(u32(r, &c->func));
        TRY(canon_opts(r, c));
        if (c->op == 0x00)
            TRY(u32(r, &c->type));
        return OK;
    }
    const char *shape = canon_shape(c->op);
    if (!shape)
        return bad_byte(r, c->op, "canonical function");
    for (; *shape; shape++)
        TRY(canon_operand(r, *shape, c));
    return OK;
}

static Err start(CReader *r, CompStart *s) {
    TRY(u32(r, &s->func));
    TRY(count(r, &s->n_args));
    ALLOC_N(r, s->args, s->n_args);
    for (uint32_t i = 0; i < s->n_args; i++)
        TRY(u32(r, &s->args[i]));
    return u32(r, &s->n_results);
}

static Err export_def(CReader *r, CompExport *e) {
    TRY(extern_name(r, &e->name));
    TRY(sortidx(r, &e->item));
    uint8_t b = 0;
    TRY(u8(r, &b));
    if (b > 1)
        return bad_byte(r, b, "optional component export type");
    e->has_desc = b;
    return b ? externdesc(r, &e->desc) : OK;
}

/* ---- Sections --------------------------------------------------------------- */

typedef VEC(CompDef) DefVec;

static Err push_def(CReader *r, DefVec *defs, CompDef **out) {
    CompDef d;
    memset(&d, 0, sizeof d);
    d.offset = off(r);
    if (!VEC_PUSH(defs, d))
        return nomem(r);
    *out = &VEC_LAST(defs);
    return OK;
}

static Err decode_body(CReader *r, CompComponent *c);

static Err core_module_section(CReader *r, DefVec *defs) {
    CompDef *d;
    TRY(push_def(r, defs, &d));
    d->kind = CD_CORE_MODULE;
    size_t len = (size_t)(r->end - r->pos);
    static const uint8_t core_version[4] = {1, 0, 0, 0};
    if (len >= 8 && memcmp(r->pos + 4, core_version, 4) != 0)
        return FAIL(r->diag, ERR_MALFORMED, off(r) + 4, "expected a version header for a module");
    uint8_t *copy = arena_alloc(r->arena, len ? len : 1); /* never read past the end */
    if (!copy)
        return nomem(r);
    if (len)
        memcpy(copy, r->pos, len);
    d->module.bytes = copy;
    d->module.len = (uint32_t)len;
    Module *mod = NULL;
    Diag md;
    diag_clear(&md);
    Err err = bin_read_module(r->pos, len, &mod, &md);
    if (err != OK) {
        uint64_t o = md.offset == DIAG_NO_OFFSET ? off(r) : off(r) + md.offset;
        if (strncmp(md.msg, "unexpected content after last section", 37) == 0)
            return FAIL(r->diag, err, o, "section out of order (%s)", md.msg);
        return FAIL(r->diag, err, o, "%s", md.msg);
    }
    if (!VEC_PUSH(r->modules, mod)) {
        ir_module_delete(mod);
        return nomem(r);
    }
    d->module.mod = mod;
    r->pos = r->end;
    return OK;
}

static Err component_section(CReader *r, CompComponent *parent, DefVec *defs) {
    CompDef *d;
    TRY(push_def(r, defs, &d));
    d->kind = CD_COMPONENT;
    CompComponent *c;
    ALLOC_N(r, c, 1);
    c->arena = r->arena;
    c->parent = parent;
    d->component = c;
    if (++r->depth > 100)
        return fail(r, "nesting too deep");
    Err err = decode_body(r, c);
    r->depth--;
    return err;
}

/* A vector section: `n` items read by `item` into consecutive defs. */
static Err vec_section(CReader *r, DefVec *defs, uint8_t id) {
    uint32_t n;
    TRY(count(r, &n));
    for (uint32_t i = 0; i < n; i++) {
        CompDef *d;
        TRY(push_def(r, defs, &d));
        switch (id) {
        case 2: d->kind = CD_CORE_INSTANCE; TRY(core_instance(r, &d->core_instance)); break;
        case 3: d->kind = CD_CORE_TYPE; TRY(core_type(r, 0, &d->core_type)); break;
        case 5: d->kind = CD_INSTANCE; TRY(instance(r, &d->instance)); break;
        case 6: d->kind = CD_ALIAS; TRY(alias(r, &d->alias)); break;
        case 7: d->kind = CD_TYPE; TRY(deftype(r, &d->type)); break;
        case 8: d->kind = CD_CANON; TRY(canon(r, &d->canon)); break;
        case 10:
            d->kind = CD_IMPORT;
            TRY(extern_name(r, &d->import.name));
            TRY(externdesc(r, &d->import.desc));
            break;
        default: d->kind = CD_EXPORT; TRY(export_def(r, &d->export_)); break;
        }
    }
    return OK;
}

static Err section(CReader *r, CompComponent *c, DefVec *defs, uint8_t id) {
    switch (id) {
    case 0: {
        Name n;
        TRY(name(r, &n));
        r->pos = r->end;
        return OK;
    }
    case 1: return core_module_section(r, defs);
    case 4: return component_section(r, c, defs);
    case 9: {
        CompDef *d;
        TRY(push_def(r, defs, &d));
        d->kind = CD_START;
        return start(r, &d->start);
    }
    case 2: case 3: case 5: case 6: case 7: case 8: case 10: case 11:
        return vec_section(r, defs, id);
    default:
        return FAIL(r->diag, ERR_MALFORMED, off(r) - 1, "malformed section id");
    }
}

static Err preamble(CReader *r) {
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    size_t len = (size_t)(r->end - r->pos);
    if (len < 4 || memcmp(r->pos, magic, 4) != 0)
        return len < 4 ? eof(r) : fail(r, "magic header not detected");
    if (len < 8) {
        r->pos = r->end;
        return eof(r);
    }
    const uint8_t *v = r->pos + 4;
    r->pos += 8;
    if (v[2] == 0x00 && v[3] == 0x00)
        return FAIL(r->diag, ERR_MALFORMED, off(r) - 4,
                    "expected a version header for a component");
    if (v[0] != COMP_VERSION || v[1] != 0x00)
        return FAIL(r->diag, ERR_MALFORMED, off(r) - 4, "unknown binary version");
    if (v[2] != 0x01 || v[3] != 0x00)
        return FAIL(r->diag, ERR_MALFORMED, off(r) - 2, "unknown binary layer");
    return OK;
}

static Err decode_body(CReader *r, CompComponent *c) {
    TRY(preamble(r));
    DefVec defs = {0};
    Err err = OK;
    while (err == OK && r->pos < r->end) {
        uint8_t id;
        uint32_t size;
        err = u8(r, &id);
        if (err == OK && id > 12) {
            r->pos--;
            err = FAIL(r->diag, ERR_MALFORMED, off(r), "malformed section id");
        }
        if (err == OK)
            err = u32(r, &size);
        if (err == OK && size > (size_t)(r->end - r->pos))
            err = eof(r);
        if (err != OK)
            break;
        const uint8_t *outer_end = r->end;
        r->end = r->pos + size;
        err = section(r, c, &defs, id);
        if (err == OK && r->pos != r->end)
            err = fail(r, "section size mismatch: unexpected data at the end of the section");
        r->pos = r->end;
        r->end = outer_end;
    }
    if (err == OK) {
        c->n_defs = (uint32_t)defs.len;
        c->defs = alloc_n(r, c->n_defs, sizeof(CompDef));
        if (!c->defs)
            err = nomem(r);
        else if (defs.len)
            memcpy(c->defs, defs.data, sizeof(CompDef) * defs.len);
    }
    VEC_FREE(&defs);
    return err;
}

/* ---- Entry points ----------------------------------------------------------- */

typedef struct CompRoot {
    CompComponent c;
    ModuleVec modules;
} CompRoot;

bool comp_is_component(const uint8_t *bytes, size_t len) {
    static const uint8_t pre[8] = {0x00, 0x61, 0x73, 0x6d, COMP_VERSION, 0x00, 0x01, 0x00};
    return len >= 8 && memcmp(bytes, pre, 8) == 0;
}

Err comp_decode(const uint8_t *bytes, size_t len, CompComponent **out, Diag *diag) {
    *out = NULL;
    CompRoot *root = mem_calloc(1, sizeof *root);
    if (!root)
        return FAIL_NOMEM(diag);
    CompComponent *c = &root->c;
    arena_init(&c->own_arena);
    c->arena = &c->own_arena;
    c->is_root = true;
    c->features = COMP_FEATURES_DEFAULT;
    CReader r = {bytes, bytes + len, bytes, c->arena, diag, &root->modules, 0};
    Err err = decode_body(&r, c);
    if (err != OK) {
        comp_ir_delete(c);
        return err;
    }
    *out = c;
    return OK;
}

void comp_ir_delete(CompComponent *c) {
    if (!c || !c->is_root)
        return;
    CompRoot *root = (CompRoot *)c;
    for (size_t i = 0; i < root->modules.len; i++)
        ir_module_delete(root->modules.data[i]);
    VEC_FREE(&root->modules);
    arena_fini(&c->own_arena);
    mem_free(root);
}
