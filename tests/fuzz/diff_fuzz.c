/* Differential fuzz target: the same module runs on the interpreter and on
 * the JIT (each in its own engine and store, imports replaced by the same
 * dummies: host functions returning zeros, fresh tables, memories, globals),
 * every exported function is called under fuel with the same arguments
 * (zeros on the first call, then values drawn from a generator seeded by the
 * input: edge cases, NaNs with payloads, random bits, for every type v128
 * included), and the outcomes must agree: trap or not and which trap, every
 * result, every memory's contents and every exported global afterwards.
 * Scalar NaNs agree as NaNs; a v128 must agree bit for bit except where both
 * sides hold NaNs in the same f32 (or f64) lanes (arithmetic NaN payloads
 * are the one thing the spec leaves open).
 * Running out of fuel or stack is where the tiers may legitimately part (the
 * JIT's frames differ in size), so comparison stops for that instance there;
 * so does an allocation failing on one side only: the GC heap is bounded
 * (MAX_GC_HEAP) and each tier's collections free what its own frames no
 * longer hold, so the two heaps fill at different times.
 * A divergence aborts with a description, which libFuzzer reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp/interp.h"
#include "jit/jit.h"
#include "module/module.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"

#include "fuzz_imports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUEL 20000
#define MAX_PAGES 16u
#define MAX_TABLE 1000u
#define MAX_GC_HEAP (64u << 20) /* libFuzzer's RSS limit is 2 GiB; arrays may be 1 GiB */

typedef struct Side {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
    Extern *imports;
    bool ok;
} Side;

static bool side_setup(Side *s, const Tier *tier, const uint8_t *data, size_t size) {
    memset(s, 0, sizeof *s);
    Diag diag;
    Module *mod = NULL;
    if (bin_read_module(data, size, &mod, &diag) != OK ||
        !fuzz_cap_limits(mod, MAX_PAGES, MAX_TABLE)) {
        ir_module_delete(mod);
        return false;
    }
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = tier;
    cfg.consume_fuel = true;
    if (rt_engine_new(&cfg, &s->engine, &diag) != OK) {
        ir_module_delete(mod);
        return false;
    }
    if (rt_module_from_ir(s->engine, mod, &s->module, &diag) != OK ||
        rt_store_new(s->engine, &s->store, &diag) != OK)
        return false;
    rt_gc_set_limit(s->store, MAX_GC_HEAP);
    uint32_t n = s->module->ir->n_imports;
    s->imports = calloc(n ? n : 1, sizeof *s->imports);
    if (!s->imports)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!fuzz_dummy_import(s->store, s->module, &s->module->ir->imports[i], false,
                               &s->imports[i]))
            return false;
    s->ok = true;
    return true;
}

static void side_fini(Side *s) {
    rt_store_delete(s->store);
    if (s->module)
        rt_module_release(s->module);
    rt_engine_delete(s->engine);
    free(s->imports);
}

static _Noreturn void diverge(const char *what, const char *name, uint32_t len) {
    fprintf(stderr, "diff_fuzz: interp and jit diverge: %s (export \"%.*s\")\n", what, (int)len,
            name);
    abort();
}

static bool is_nan(ValType t, const ValRaw *v) {
    if (t.kind == VK_F32)
        return (v->f32 & 0x7f800000u) == 0x7f800000u && (v->f32 & 0x7fffffu);
    if (t.kind == VK_F64)
        return (v->f64 & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
               (v->f64 & 0xfffffffffffffull);
    return false;
}

/* Equal, or NaN in both wherever they differ, viewing the lanes as `lane`
 * (f32 or f64). */
static bool same_lanes(const ValRaw *a, const ValRaw *b, ValKind lane) {
    uint32_t w = lane == VK_F32 ? 4 : 8;
    ValType t = ir_valtype(lane);
    for (uint32_t off = 0; off < 16; off += w) {
        ValRaw la, lb;
        memset(&la, 0, sizeof la);
        memset(&lb, 0, sizeof lb);
        memcpy(&la, a->v128 + off, w);
        memcpy(&lb, b->v128 + off, w);
        if (memcmp(&la, &lb, w) != 0 && !(is_nan(t, &la) && is_nan(t, &lb)))
            return false;
    }
    return true;
}

static bool same_value(ValType t, const ValRaw *a, const ValRaw *b) {
    if (is_nan(t, a) || is_nan(t, b))
        return is_nan(t, a) && is_nan(t, b);
    switch (t.kind) {
    case VK_I32:
    case VK_F32: return a->i32 == b->i32;
    case VK_REF: return (a->ref == NULL) == (b->ref == NULL);
    case VK_V128:
        return memcmp(a->v128, b->v128, 16) == 0 || same_lanes(a, b, VK_F32) ||
               same_lanes(a, b, VK_F64);
    default: return a->i64 == b->i64;
    }
}

/* ---- argument values ---- */

static uint64_t rng_state;

static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* An interesting 64-bit pattern: small or extreme integers, float edge cases
 * (zeros, infinities, NaNs with payloads, bounds of conversions), or noise. */
static uint64_t pick64(void) {
    static const uint64_t edges[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
        0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX,
        0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0x7f800000, 0xff800000,
        0x3f800000, 0xbf800000, 0x4f000000, 0x4f800000, 0xcf000000, 0x00000001,
        0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
        0x7ff4000000000000ull, 0x7ff0000000000000ull, 0x3ff0000000000000ull,
        0x41e0000000000000ull, 0x41f0000000000000ull, 0xc1e0000000200000ull,
        0x43e0000000000000ull, 0x8000000000000001ull,
    };
    uint64_t r = rng();
    switch (r % 4) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return (r >> 8) % 33;
    default: return rng();
    }
}

static void fill_arg(ValType t, ValRaw *v) {
    memset(v, 0, sizeof *v);
    switch (t.kind) {
    case VK_I32:
    case VK_F32: v->u64[0] = (uint32_t)pick64(); break;
    case VK_I64:
    case VK_F64: v->u64[0] = pick64(); break;
    case VK_V128: /* lanes of one width, mixed patterns */
        if (rng() % 2) {
            v->u64[0] = pick64();
            v->u64[1] = pick64();
        } else {
            for (int k = 0; k < 4; k++) {
                uint32_t x = (uint32_t)pick64();
                memcpy(v->v128 + 4 * k, &x, 4);
            }
        }
        break;
    default: break; /* references stay null */
    }
}

/* Memories and globals of both instances, compared through the exports. */
static void compare_state(Side *a, Side *b, const Name *at) {
    const Module *ir = a->module->ir;
    for (uint32_t i = 0; i < ir->n_exports; i++) {
        const Name *name = &ir->exports[i].name;
        Extern ea, eb;
        if (!rt_instance_export(a->inst, name->str, name->len, &ea) ||
            !rt_instance_export(b->inst, name->str, name->len, &eb))
            continue;
        if (ea.kind == EXTERN_MEMORY &&
            (ea.memory->length != eb.memory->length ||
             memcmp(ea.memory->base, eb.memory->base, ea.memory->length) != 0))
            diverge("memory contents", at->str, at->len);
        if (ea.kind == EXTERN_GLOBAL && !same_value(ea.global->type.type, ea.global->value,
                                                    eb.global->value))
            diverge("global value", at->str, at->len);
    }
}

/* Call export i on both (zero arguments, or drawn ones); false once
 * comparison must stop. */
static bool call_both(Side *a, Side *b, uint32_t i, bool random_args) {
    const Name *name = &a->module->ir->exports[i].name;
    Extern ea, eb;
    if (!rt_instance_export(a->inst, name->str, name->len, &ea) || ea.kind != EXTERN_FUNC ||
        !rt_instance_export(b->inst, name->str, name->len, &eb))
        return true;
    const FuncType *ft = rt_func_type(a->engine, ea.func);
    for (uint32_t k = 0; k < ft->n_params; k++)
        if (ft->params[k].kind == VK_REF && !ft->params[k].nullable)
            return true;
    uint32_t count = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    ValRaw va[64], vb[64];
    if (count > 64)
        return true;
    memset(va, 0, sizeof va);
    if (random_args)
        for (uint32_t k = 0; k < ft->n_params; k++)
            fill_arg(ft->params[k], &va[k]);
    memcpy(vb, va, sizeof vb);
    rt_store_set_fuel(a->store, FUEL);
    rt_store_set_fuel(b->store, FUEL);
    Trap *ta = NULL, *tb = NULL;
    Err ra = rt_call(a->store, ea.func, va, count, &ta);
    Err rb = rt_call(b->store, eb.func, vb, count, &tb);
    TrapCode ca = ra == OK ? TRAP_NONE : ta ? ta->code : TRAP_HOST;
    TrapCode cb = rb == OK ? TRAP_NONE : tb ? tb->code : TRAP_HOST;
    rt_trap_delete(ta);
    rt_trap_delete(tb);
    if (ca == TRAP_OUT_OF_FUEL || cb == TRAP_OUT_OF_FUEL || ca == TRAP_STACK_OVERFLOW ||
        cb == TRAP_STACK_OVERFLOW || ca == TRAP_UNSUPPORTED || cb == TRAP_UNSUPPORTED)
        return false;
    if (ca != cb && (ca == TRAP_ALLOCATION_TOO_LARGE || cb == TRAP_ALLOCATION_TOO_LARGE))
        return false;
    if (ca != cb)
        diverge(ca == TRAP_NONE || cb == TRAP_NONE ? "trap vs. return" : "trap codes", name->str,
                name->len);
    for (uint32_t k = 0; ca == TRAP_NONE && k < ft->n_results; k++)
        if (!same_value(ft->results[k], &va[k], &vb[k]))
            diverge("results", name->str, name->len);
    compare_state(a, b, name);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!jit_available())
        return 0;
    Side a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (side_setup(&a, &interp_tier, data, size) && side_setup(&b, &jit_tier, data, size)) {
        Trap *trap_a = NULL, *trap_b = NULL;
        Diag diag;
        rt_store_set_fuel(a.store, FUEL);
        rt_store_set_fuel(b.store, FUEL);
        uint32_t n = a.module->ir->n_imports;
        Err ra = rt_instantiate(a.store, a.module, a.imports, n, &a.inst, &trap_a, &diag);
        Err rb = rt_instantiate(b.store, b.module, b.imports, n, &b.inst, &trap_b, &diag);
        bool fuel_out = (trap_a && trap_a->code == TRAP_OUT_OF_FUEL) ||
                        (trap_b && trap_b->code == TRAP_OUT_OF_FUEL);
        if (!fuel_out && (ra == OK) != (rb == OK))
            diverge("instantiation", "", 0);
        /* the seed: a hash of the input, so a finding replays */
        rng_state = 0x9e3779b97f4a7c15ull;
        for (size_t k = 0; k < size; k++)
            rng_state = (rng_state ^ data[k]) * 0x100000001b3ull;
        rng_state |= 1;
        bool go = ra == OK && rb == OK;
        for (uint32_t round = 0; go && round < 3; round++)
            for (uint32_t i = 0; go && i < a.module->ir->n_exports; i++)
                go = call_both(&a, &b, i, round > 0);
        rt_trap_delete(trap_a);
        rt_trap_delete(trap_b);
    }
    side_fini(&a);
    side_fini(&b);
    return 0;
}
