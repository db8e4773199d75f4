/* Script values against raw values: arguments converted by the callee's
 * parameter types, results checked against assert_return's expectations
 * (floats bit for bit, NaN patterns per value and per lane, references by
 * identity or by kind), and both printed for failure messages. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "wast_int.h"

/* (ref.extern N) and (ref.host N) are the same host object N, as in the
 * spec's interpreter: an externref, and as an anyref (any.convert_extern of
 * it) the same object tagged RT_REF_FOREIGN (runtime.h). */
ExternObj *wast_host_ref(Runner *r, bool host, uint32_t n) {
    (void)host;
    for (size_t i = 0; i < r->hostrefs.len; i++)
        if (r->hostrefs.data[i].n == n)
            return r->hostrefs.data[i].obj;
    ExternObj *obj = rt_extern_new(r->store, n);
    HostRef h = {n, false, obj};
    if (!obj || !VEC_PUSH(&r->hostrefs, h))
        return NULL;
    return obj;
}

static bool is_func_heap(int32_t heap) { return heap == HT_FUNC || heap == HT_NOFUNC || heap >= 0; }
static bool is_extern_heap(int32_t heap) { return heap == HT_EXTERN || heap == HT_NOEXTERN; }

/* Is (canonical) reference type t in the any hierarchy? */
static bool is_any_type(const Runner *r, ValType t) {
    if (t.kind != VK_REF)
        return false;
    if (t.heap >= 0)
        return mod_registry_type(r->engine->types, (uint32_t)t.heap)->kind != COMP_FUNC;
    return !is_func_heap(t.heap) && !is_extern_heap(t.heap) && t.heap != HT_EXN &&
           t.heap != HT_NOEXN;
}

static bool arg_kind_fits(uint8_t kind, ValType t) {
    switch (kind) {
    case WV_I32: return t.kind == VK_I32;
    case WV_I64: return t.kind == VK_I64;
    case WV_F32: return t.kind == VK_F32;
    case WV_F64: return t.kind == VK_F64;
    case WV_V128: return t.kind == VK_V128;
    case WV_REF_NULL: return t.kind == VK_REF && t.nullable;
    case WV_REF_EXTERN: return t.kind == VK_REF && is_extern_heap(t.heap);
    case WV_REF_HOST: return t.kind == VK_REF && !is_func_heap(t.heap);
    default: return false;
    }
}

bool wast_arg_to_raw(Runner *r, const WastValue *v, ValType t, ValRaw *out, char *why,
                     size_t size) {
    memset(out, 0, sizeof *out);
    if (!arg_kind_fits(v->kind, t)) {
        char ty[48];
        ir_format_valtype(t, ty, sizeof ty);
        snprintf(why, size, "argument does not fit parameter type %s", ty);
        return false;
    }
    switch (v->kind) {
    case WV_I32:
    case WV_F32: out->i32 = (int32_t)v->i32; return true;
    case WV_I64:
    case WV_F64: out->i64 = (int64_t)v->i64; return true;
    case WV_V128: memcpy(out->v128, v->v128, 16); return true;
    case WV_REF_NULL: out->ref = NULL; return true;
    default:
        out->ref = wast_host_ref(r, v->kind == WV_REF_HOST, v->host);
        if (!out->ref)
            snprintf(why, size, "out of memory");
        else if (is_any_type(r, t))
            out->ref = rt_ref_convert(out->ref);
        return out->ref != NULL;
    }
}

/* ---- Matching --------------------------------------------------------------------------- */

static bool f32_nan_ok(uint32_t bits, uint8_t pattern) {
    if (pattern == LANE_NAN_CANONICAL)
        return (bits & 0x7fffffffu) == 0x7fc00000u;
    return (bits & 0x7fc00000u) == 0x7fc00000u;
}

static bool f64_nan_ok(uint64_t bits, uint8_t pattern) {
    if (pattern == LANE_NAN_CANONICAL)
        return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* Float lanes may carry NaN patterns; other lanes and shapes compare bytes. */
static bool v128_match(const WastExpect *e, const uint8_t *got) {
    const uint8_t *want = e->value.v128;
    uint32_t lanes = e->value.shape == SHAPE_F32X4 ? 4 : e->value.shape == SHAPE_F64X2 ? 2 : 0;
    if (!lanes)
        return memcmp(want, got, 16) == 0;
    uint32_t width = 16 / lanes;
    for (uint32_t i = 0; i < lanes; i++) {
        const uint8_t *g = got + i * width;
        uint8_t pattern = e->lane_nan[i];
        if (pattern == LANE_EXACT) {
            if (memcmp(want + i * width, g, width) != 0)
                return false;
            continue;
        }
        uint64_t bits = 0;
        memcpy(&bits, g, width);
        if (lanes == 4 ? !f32_nan_ok((uint32_t)bits, pattern) : !f64_nan_ok(bits, pattern))
            return false;
    }
    return true;
}

static bool value_match(Runner *r, const WastExpect *e, ValType t, const ValRaw *v) {
    const WastValue *w = &e->value;
    switch (w->kind) {
    case WV_I32: return t.kind == VK_I32 && (uint32_t)v->i32 == w->i32;
    case WV_I64: return t.kind == VK_I64 && (uint64_t)v->i64 == w->i64;
    case WV_F32: return t.kind == VK_F32 && v->f32 == w->i32;
    case WV_F64: return t.kind == VK_F64 && v->f64 == w->i64;
    case WV_V128: return t.kind == VK_V128 && v128_match(e, v->v128);
    case WV_REF_NULL: return t.kind == VK_REF && v->ref == NULL;
    case WV_REF_EXTERN:
    case WV_REF_HOST: {
        void *got = t.kind == VK_REF && is_any_type(r, t) ? rt_ref_convert(v->ref) : v->ref;
        return t.kind == VK_REF && got && got == wast_host_ref(r, w->kind == WV_REF_HOST, w->host);
    }
    default: return false;
    }
}

static bool ref_kind_match(const Runner *r, const WastExpect *e, ValType t, const ValRaw *v) {
    if (t.kind != VK_REF || !v->ref)
        return false;
    switch (e->ref_class) {
    case HT_FUNC: return !is_any_type(r, t) && is_func_heap(t.heap);
    case HT_EXTERN: return is_extern_heap(t.heap);
    default: /* any, eq, i31, struct, array */
        return is_any_type(r, t) && rt_gc_ref_test(r->engine, v->ref, e->ref_class, false);
    }
}

bool wast_expect_match(Runner *r, const WastExpect *e, ValType t, const ValRaw *v) {
    switch (e->kind) {
    case WE_VALUE: return value_match(r, e, t, v);
    case WE_NAN_CANONICAL:
    case WE_NAN_ARITHMETIC: {
        uint8_t pattern = e->kind == WE_NAN_CANONICAL ? LANE_NAN_CANONICAL : LANE_NAN_ARITHMETIC;
        if (e->value.kind == WV_F32)
            return t.kind == VK_F32 && f32_nan_ok(v->f32, pattern);
        return t.kind == VK_F64 && f64_nan_ok(v->f64, pattern);
    }
    case WE_REF_NULL_ANY: return t.kind == VK_REF && v->ref == NULL;
    case WE_REF_KIND: return ref_kind_match(r, e, t, v);
    case WE_EITHER:
        for (uint32_t i = 0; i < e->n_alts; i++)
            if (wast_expect_match(r, &e->alts[i], t, v))
                return true;
        return false;
    default: return false;
    }
}

/* ---- Printing ---------------------------------------------------------------------------------- */

static const char *shape_name(uint8_t shape) {
    static const char *const names[] = {"i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"};
    return shape < 6 ? names[shape] : "?";
}

static void format_v128(const uint8_t *bytes, uint8_t shape, char *buf, size_t size) {
    uint32_t w[4];
    memcpy(w, bytes, 16);
    snprintf(buf, size, "v128.const i32x4 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32
                        " 0x%08" PRIx32 " (written as %s)",
             w[0], w[1], w[2], w[3], shape_name(shape));
}

static void format_value(const WastValue *w, char *buf, size_t size) {
    switch (w->kind) {
    case WV_I32: snprintf(buf, size, "i32.const %" PRId32, (int32_t)w->i32); return;
    case WV_I64: snprintf(buf, size, "i64.const %" PRId64, (int64_t)w->i64); return;
    case WV_F32: snprintf(buf, size, "f32.const 0x%08" PRIx32, w->i32); return;
    case WV_F64: snprintf(buf, size, "f64.const 0x%016" PRIx64, w->i64); return;
    case WV_V128: format_v128(w->v128, w->shape, buf, size); return;
    case WV_REF_NULL: snprintf(buf, size, "ref.null %d", w->heap); return;
    case WV_REF_EXTERN: snprintf(buf, size, "ref.extern %" PRIu32, w->host); return;
    case WV_REF_HOST: snprintf(buf, size, "ref.host %" PRIu32, w->host); return;
    default: snprintf(buf, size, "?"); return;
    }
}

void wast_format_expect(const WastExpect *e, char *buf, size_t size) {
    switch (e->kind) {
    case WE_VALUE: format_value(&e->value, buf, size); return;
    case WE_NAN_CANONICAL:
    case WE_NAN_ARITHMETIC:
        snprintf(buf, size, "%s.const nan:%s", e->value.kind == WV_F32 ? "f32" : "f64",
                 e->kind == WE_NAN_CANONICAL ? "canonical" : "arithmetic");
        return;
    case WE_REF_NULL_ANY: snprintf(buf, size, "ref.null"); return;
    case WE_REF_KIND: snprintf(buf, size, "a non-null reference (class %d)", e->ref_class); return;
    case WE_EITHER: {
        size_t n = (size_t)snprintf(buf, size, "either");
        for (uint32_t i = 0; i < e->n_alts && n + 4 < size; i++) {
            char alt[96];
            wast_format_expect(&e->alts[i], alt, sizeof alt);
            n += (size_t)snprintf(buf + n, size - n, " (%s)", alt);
        }
        return;
    }
    default: snprintf(buf, size, "?"); return;
    }
}

void wast_format_result(ValType t, const ValRaw *v, char *buf, size_t size) {
    switch (t.kind) {
    case VK_F32: snprintf(buf, size, "f32.const 0x%08" PRIx32, v->f32); return;
    case VK_F64: snprintf(buf, size, "f64.const 0x%016" PRIx64, v->f64); return;
    case VK_V128: format_v128(v->v128, SHAPE_I32X4, buf, size); return;
    default: {
        char ty[48], val[96];
        ir_format_valtype(t, ty, sizeof ty);
        cli_format_value(t, v, val, sizeof val);
        snprintf(buf, size, "%s %s", ty, val);
        return;
    }
    }
}
