/* Canonical ABI: loading values from and storing them into linear memory
 * (spec: Loading, Storing). Callers check the whole value's range first, so
 * scalar accesses here need no bounds check; lists and strings check their
 * own ranges. Memory base is re-read after anything that may call wasm. */
#include <string.h>

#include "cabi.h"

static uint64_t load_int(CabiCx *cx, uint32_t ptr, uint32_t n) {
    uint8_t b[8] = {0};
    memcpy(b, cabi_mem(cx) + ptr, n);
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void store_int(CabiCx *cx, uint64_t v, uint32_t ptr, uint32_t n) {
    uint8_t b[8];
    for (uint32_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    memcpy(cabi_mem(cx) + ptr, b, n);
}

static int64_t sign_extend(uint64_t v, uint32_t bits) {
    if (bits == 64)
        return (int64_t)v;
    uint64_t m = UINT64_C(1) << (bits - 1);
    v &= (UINT64_C(1) << bits) - 1;
    return (int64_t)((v ^ m) - m);
}

/* ---- Loading ------------------------------------------------------------------------- */

Err cabi_lift_list(CabiCx *cx, uint32_t begin, uint32_t len, const CompValType *t,
                   CompValue *out) {
    const CompValType *et = t->kind == CVT_LIST ? t->elem : NULL;
    uint32_t esize, ealign;
    if (et) {
        esize = et->abi.size;
        ealign = et->abi.align;
    } else { /* map: list<tuple<k, v>> */
        uint32_t ka = t->map.key->abi.align, va = t->map.value->abi.align;
        ealign = ka > va ? ka : va;
        esize = comp_align_to(comp_align_to(t->map.key->abi.size, va) + t->map.value->abi.size,
                              ealign);
    }
    TRY(cabi_check_range(cx, begin, (uint64_t)len * esize, ealign, CF_LIST_ALIGN,
                         CF_LIST_BOUNDS));
    out->kind = t->kind;
    out->n = len;
    out->items = len ? arena_calloc(cx->arena, len, sizeof *out->items) : NULL;
    if (len && !out->items)
        return FAIL_NOMEM(cx->diag);
    for (uint32_t i = 0; i < len; i++) {
        uint32_t at = begin + i * esize;
        if (et) {
            TRY(cabi_load(cx, at, et, &out->items[i]));
            continue;
        }
        CompValue *kv = arena_calloc(cx->arena, 2, sizeof *kv);
        if (!kv)
            return FAIL_NOMEM(cx->diag);
        TRY(cabi_load(cx, at, t->map.key, &kv[0]));
        TRY(cabi_load(cx, comp_align_to(at + t->map.key->abi.size, t->map.value->abi.align),
                      t->map.value, &kv[1]));
        out->items[i] = (CompValue){.kind = CVT_TUPLE, .n = 2, .items = kv};
    }
    return OK;
}

static Err load_fields(CabiCx *cx, uint32_t ptr, const CompValType *t, CompValue *out) {
    bool fixed = t->kind == CVT_FIXED_LIST;
    uint32_t n = t->n;
    out->kind = t->kind;
    out->n = n;
    out->items = n ? arena_calloc(cx->arena, n, sizeof *out->items) : NULL;
    if (n && !out->items)
        return FAIL_NOMEM(cx->diag);
    for (uint32_t i = 0; i < n; i++) {
        const CompValType *ft = fixed ? t->elem : comp_field_type(t, i);
        ptr = comp_align_to(ptr, ft->abi.align);
        TRY(cabi_load(cx, ptr, ft, &out->items[i]));
        ptr += ft->abi.size;
    }
    return OK;
}

static Err bad_discriminant(CabiCx *cx, uint32_t index, uint32_t n) {
    if (cx->adapter)
        return cabi_trapf(cx, "invalid variant discriminant");
    return cabi_trapf(cx, "discriminant %u out of range [0..%u)", index, n);
}

static Err load_variant(CabiCx *cx, uint32_t ptr, const CompValType *t, CompValue *out) {
    uint32_t n = comp_case_count(t), disc = comp_discriminant_size(n);
    uint32_t index = (uint32_t)load_int(cx, ptr, disc);
    if (index >= n)
        return bad_discriminant(cx, index, n);
    out->kind = t->kind;
    out->var.index = index;
    out->var.payload = NULL;
    const CompValType *ct = comp_case_type(t, index);
    if (!ct)
        return OK;
    out->var.payload = arena_calloc(cx->arena, 1, sizeof *out->var.payload);
    if (!out->var.payload)
        return FAIL_NOMEM(cx->diag);
    return cabi_load(cx, ptr + comp_payload_offset(t), ct, out->var.payload);
}

static Err load_flags(CabiCx *cx, uint32_t ptr, const CompValType *t, CompValue *out) {
    uint32_t n_words = (t->n + 31) / 32;
    TRY(comp_val_flags(cx->arena, t->n, out, cx->diag));
    if (t->n == 0)
        return OK;
    if (t->n <= 16) {
        out->flags[0] = (uint32_t)load_int(cx, ptr, t->abi.size);
    } else {
        for (uint32_t i = 0; i < n_words; i++)
            out->flags[i] = (uint32_t)load_int(cx, ptr + 4 * i, 4);
    }
    if (t->n % 32) /* spec: unpack only the labelled bits */
        out->flags[n_words - 1] &= (UINT32_C(1) << (t->n % 32)) - 1;
    return OK;
}

static Err load_scalar(CabiCx *cx, uint32_t ptr, const CompValType *t, CompValue *out) {
    static const uint8_t widths[] = {[CVT_BOOL] = 1, [CVT_S8] = 1,  [CVT_U8] = 1,
                                     [CVT_S16] = 2,  [CVT_U16] = 2, [CVT_S32] = 4,
                                     [CVT_U32] = 4,  [CVT_S64] = 8, [CVT_U64] = 8};
    out->kind = t->kind;
    switch (t->kind) {
    case CVT_BOOL:
        out->b = load_int(cx, ptr, 1) != 0;
        return OK;
    case CVT_S8:
    case CVT_S16:
    case CVT_S32:
    case CVT_S64:
        out->s = sign_extend(load_int(cx, ptr, widths[t->kind]), 8u * widths[t->kind]);
        return OK;
    case CVT_U8:
    case CVT_U16:
    case CVT_U32:
    case CVT_U64:
        out->u = load_int(cx, ptr, widths[t->kind]);
        return OK;
    case CVT_F32: {
        uint32_t bits = (uint32_t)load_int(cx, ptr, 4);
        memcpy(&out->f32, &bits, 4);
        out->f32 = cabi_canon_f32(out->f32);
        return OK;
    }
    case CVT_F64: {
        uint64_t bits = load_int(cx, ptr, 8);
        memcpy(&out->f64, &bits, 8);
        out->f64 = cabi_canon_f64(out->f64);
        return OK;
    }
    case CVT_CHAR: {
        uint32_t c = (uint32_t)load_int(cx, ptr, 4);
        if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF))
            return cabi_fault(cx, CF_CHAR);
        out->ch = c;
        return OK;
    }
    default:
        return cabi_fault(cx, CF_UNSUPPORTED);
    }
}

Err cabi_load(CabiCx *cx, uint32_t ptr, const CompValType *t, CompValue *out) {
    switch (t->kind) {
    case CVT_STRING:
        return cabi_lift_string(cx, (uint32_t)load_int(cx, ptr, 4),
                                (uint32_t)load_int(cx, ptr + 4, 4), out);
    case CVT_LIST:
    case CVT_MAP:
        return cabi_lift_list(cx, (uint32_t)load_int(cx, ptr, 4), (uint32_t)load_int(cx, ptr + 4, 4),
                              t, out);
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
        return load_fields(cx, ptr, t, out);
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        return load_variant(cx, ptr, t, out);
    case CVT_FLAGS:
        return load_flags(cx, ptr, t, out);
    case CVT_OWN:
        return cabi_lift_own(cx, (uint32_t)load_int(cx, ptr, 4), t, out);
    case CVT_BORROW:
        return cabi_lift_borrow(cx, (uint32_t)load_int(cx, ptr, 4), t, out);
    default:
        return load_scalar(cx, ptr, t, out);
    }
}

/* ---- Storing -------------------------------------------------------------------------- */

Err cabi_lower_list(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t *out_ptr) {
    const CompValType *et = t->kind == CVT_LIST ? t->elem : NULL;
    uint32_t esize, ealign;
    if (et) {
        esize = et->abi.size;
        ealign = et->abi.align;
    } else {
        uint32_t ka = t->map.key->abi.align, va = t->map.value->abi.align;
        ealign = ka > va ? ka : va;
        esize = comp_align_to(comp_align_to(t->map.key->abi.size, va) + t->map.value->abi.size,
                              ealign);
    }
    uint64_t bytes = (uint64_t)v->n * esize;
    if (bytes >= (UINT64_C(1) << 32))
        return cabi_fault(cx, CF_LIST_TOO_LONG);
    uint32_t begin;
    TRY(cabi_alloc(cx, ealign, bytes, CF_REALLOC_LIST_BOUNDS, &begin));
    for (uint32_t i = 0; i < v->n; i++) {
        uint32_t at = begin + i * esize;
        if (et) {
            TRY(cabi_store(cx, &v->items[i], et, at));
            continue;
        }
        const CompValue *kv = v->items[i].items;
        TRY(cabi_store(cx, &kv[0], t->map.key, at));
        TRY(cabi_store(cx, &kv[1], t->map.value,
                       comp_align_to(at + t->map.key->abi.size, t->map.value->abi.align)));
    }
    *out_ptr = begin;
    return OK;
}

static Err store_fields(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t ptr) {
    bool fixed = t->kind == CVT_FIXED_LIST;
    for (uint32_t i = 0; i < t->n; i++) {
        const CompValType *ft = fixed ? t->elem : comp_field_type(t, i);
        ptr = comp_align_to(ptr, ft->abi.align);
        TRY(cabi_store(cx, &v->items[i], ft, ptr));
        ptr += ft->abi.size;
    }
    return OK;
}

static Err store_variant(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t ptr) {
    uint32_t n = comp_case_count(t);
    store_int(cx, v->var.index, ptr, comp_discriminant_size(n));
    const CompValType *ct = comp_case_type(t, v->var.index);
    if (!ct)
        return OK;
    return cabi_store(cx, v->var.payload, ct, ptr + comp_payload_offset(t));
}

static void store_flags(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t ptr) {
    if (t->n == 0)
        return;
    if (t->n <= 16) {
        store_int(cx, v->flags[0], ptr, t->abi.size);
        return;
    }
    for (uint32_t i = 0; i < (t->n + 31) / 32; i++)
        store_int(cx, v->flags[i], ptr + 4 * i, 4);
}

static void store_scalar(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t ptr) {
    switch (t->kind) {
    case CVT_BOOL:
        store_int(cx, v->b ? 1 : 0, ptr, 1);
        return;
    case CVT_F32: {
        float f = cabi_canon_f32(v->f32);
        uint32_t bits;
        memcpy(&bits, &f, 4);
        store_int(cx, bits, ptr, 4);
        return;
    }
    case CVT_F64: {
        double f = cabi_canon_f64(v->f64);
        uint64_t bits;
        memcpy(&bits, &f, 8);
        store_int(cx, bits, ptr, 8);
        return;
    }
    case CVT_CHAR:
        store_int(cx, v->ch, ptr, 4);
        return;
    default: /* integers: s and u share storage */
        store_int(cx, v->u, ptr, t->abi.size);
        return;
    }
}

Err cabi_store(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t ptr) {
    switch (t->kind) {
    case CVT_STRING: {
        uint32_t begin, units;
        TRY(cabi_lower_string(cx, v, &begin, &units));
        store_int(cx, begin, ptr, 4);
        store_int(cx, units, ptr + 4, 4);
        return OK;
    }
    case CVT_LIST:
    case CVT_MAP: {
        uint32_t begin;
        TRY(cabi_lower_list(cx, v, t, &begin));
        store_int(cx, begin, ptr, 4);
        store_int(cx, v->n, ptr + 4, 4);
        return OK;
    }
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE:
        return store_fields(cx, v, t, ptr);
    case CVT_VARIANT:
    case CVT_ENUM:
    case CVT_OPTION:
    case CVT_RESULT:
        return store_variant(cx, v, t, ptr);
    case CVT_FLAGS:
        store_flags(cx, v, t, ptr);
        return OK;
    case CVT_OWN:
    case CVT_BORROW: {
        uint32_t h;
        if (t->kind == CVT_OWN)
            TRY(cabi_lower_own(cx, v, t, &h));
        else
            TRY(cabi_lower_borrow(cx, v, t, &h));
        store_int(cx, h, ptr, 4);
        return OK;
    }
    case CVT_ERROR_CONTEXT:
    case CVT_STREAM:
    case CVT_FUTURE:
        return cabi_fault(cx, CF_UNSUPPORTED);
    default:
        store_scalar(cx, v, t, ptr);
        return OK;
    }
}
