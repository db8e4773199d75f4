/* v128 in the JIT's calling conventions: the array-call entry and results
 * (16-byte ValRaw), host calls with mixed v128 / scalar arguments and
 * results, call_indirect, tail calls whose argument areas differ in size,
 * v128 globals, and more live v128 values than XMM registers (spills). Each
 * run on both tiers where the interpreter can check the JIT. */
#include "interp/interp.h"
#include "jit/jit.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"mix\" (func $mix (param v128 i32 v128) (result v128 i64 v128)))\n"
    "  (global $g (mut v128) (v128.const i32x4 1 2 3 4))\n"
    "  (table 1 funcref)\n"
    "  (elem (i32.const 0) $swap)\n"
    "  (type $sw (func (param v128 i64 v128) (result v128 i64 v128)))\n"
    "  (func $swap (param v128 i64 v128) (result v128 i64 v128)\n"
    "    (local.get 2) (i64.add (local.get 1) (i64.const 1)) (local.get 0))\n"
    "  (func (export \"via-host\") (param v128 i32) (result v128 i64 v128)\n"
    "    (call $mix (local.get 0) (local.get 1) (global.get $g)))\n"
    "  (func (export \"indirect\") (param v128 i64 v128) (result v128 i64 v128)\n"
    "    (call_indirect (type $sw) (local.get 0) (local.get 1) (local.get 2) (i32.const 0)))\n"
    "  (func $count (param v128 i32) (result v128)\n"
    "    (if (result v128) (i32.eqz (local.get 1)) (then (local.get 0))\n"
    "      (else (return_call $count (i32x4.add (local.get 0) (v128.const i32x4 1 1 1 1))\n"
    "                                (i32.sub (local.get 1) (i32.const 1))))))\n"
    "  (func (export \"count\") (param v128 i32) (result v128)\n"
    "    (return_call $count (local.get 0) (local.get 1)))\n"
    "  (func $big (param i32 i32 i32 v128 v128) (result v128)\n"
    "    (i64x2.add (i64x2.add (local.get 3) (local.get 4))\n"
    "      (i64x2.splat (i64.extend_i32_u (i32.add (local.get 0)\n"
    "        (i32.add (local.get 1) (local.get 2)))))))\n"
    "  (func (export \"bigtail\") (param i32) (result v128)\n"
    "    (return_call $big (local.get 0) (i32.const 2) (i32.const 3)\n"
    "      (v128.const i64x2 5 6) (v128.const i64x2 7 8)))\n"
    "  (func (export \"set-g\") (param v128) (global.set $g (local.get 0)))\n"
    "  (func (export \"get-g\") (result v128) (global.get $g))\n"
    "  (func (export \"spill\") (param v128) (result v128)\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 1 1 1 1))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 2 2 2 2))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 3 3 3 3))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 4 4 4 4))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 5 5 5 5))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 6 6 6 6))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 7 7 7 7))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 8 8 8 8))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 9 9 9 9))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 10 10 10 10))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 11 11 11 11))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 12 12 12 12))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 13 13 13 13))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 14 14 14 14))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 15 15 15 15))\n"
    "    (i32x4.add (local.get 0) (v128.const i32x4 16 16 16 16))\n"
    "    i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add\n"
    "    i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add)\n"
    ")\n";

typedef struct Fixture {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
} Fixture;

static ValRaw v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    ValRaw v;
    uint32_t lanes[4] = {a, b, c, d};
    memcpy(v.v128, lanes, 16);
    return v;
}

static bool same(const ValRaw *a, const ValRaw *b) {
    return memcmp(a->v128, b->v128, 16) == 0;
}

/* (a, i, c) -> (a ^ c, 3 * i, a) */
static Trap *host_mix(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                      uint32_t n_results) {
    ValRaw a = args[0], c = args[2];
    int64_t i = args[1].i32;
    for (int k = 0; k < 16; k++)
        args[0].v128[k] = a.v128[k] ^ c.v128[k];
    memset(&args[1], 0, sizeof args[1]);
    args[1].i64 = 3 * i;
    args[2] = a;
    return NULL;
}

static bool fx_setup(Fixture *fx, const Tier *tier) {
    memset(fx, 0, sizeof *fx);
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = tier;
    Diag diag;
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    ValType p[3] = {ir_valtype(VK_V128), ir_valtype(VK_I32), ir_valtype(VK_V128)};
    ValType r[3] = {ir_valtype(VK_V128), ir_valtype(VK_I64), ir_valtype(VK_V128)};
    uint32_t canon;
    bool ok = rt_engine_new(&cfg, &fx->engine, &diag) == OK &&
              wat_parse_module(wat, sizeof wat - 1, "simd.wat", &bytes, &diag) == OK &&
              rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &diag) == OK &&
              rt_store_new(fx->engine, &fx->store, &diag) == OK &&
              rt_engine_func_type(fx->engine, p, 3, r, 3, &canon, &diag) == OK;
    if (ok) {
        Extern imp = {.kind = EXTERN_FUNC};
        imp.func = rt_host_func_new(fx->store, canon, host_mix, NULL, NULL);
        ok = imp.func &&
             rt_instantiate(fx->store, fx->module, &imp, 1, &fx->inst, &trap, &diag) == OK;
    }
    if (!ok)
        fprintf(stderr, "setup: %s\n", diag.msg);
    rt_trap_delete(trap);
    buf_fini(&bytes);
    return ok;
}

static void fx_teardown(Fixture *fx) {
    rt_store_delete(fx->store);
    rt_module_release(fx->module);
    rt_engine_delete(fx->engine);
}

static bool call(Fixture *fx, const char *name, ValRaw *vals, uint32_t count) {
    Extern ext;
    if (!rt_instance_export(fx->inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC)
        return false;
    Trap *trap = NULL;
    Err err = rt_call(fx->store, ext.func, vals, count, &trap);
    if (trap)
        fprintf(stderr, "%s: trap %d\n", name, trap->code);
    rt_trap_delete(trap);
    return err == OK;
}

/* Every export's results on one tier, checked against known values. */
static void check_tier(const Tier *tier) {
    Fixture fx;
    if (!fx_setup(&fx, tier)) {
        CHECK(!"setup");
        return;
    }
    ValRaw v[5];
    memset(v, 0, sizeof v);
    v[0] = v4(0xff, 0xf0, 0x0f, 0x100);
    v[1].i32 = 7;
    CHECK(call(&fx, "via-host", v, 3));
    ValRaw x = v4(0xff ^ 1, 0xf0 ^ 2, 0x0f ^ 3, 0x100 ^ 4), a = v4(0xff, 0xf0, 0x0f, 0x100);
    CHECK(same(&v[0], &x));
    CHECK_EQ_U64(v[1].i64, 21);
    CHECK(same(&v[2], &a));

    memset(v, 0, sizeof v);
    v[0] = v4(1, 2, 3, 4);
    v[1].i64 = 41;
    v[2] = v4(5, 6, 7, 8);
    CHECK(call(&fx, "indirect", v, 3));
    ValRaw p = v4(1, 2, 3, 4), q = v4(5, 6, 7, 8);
    CHECK(same(&v[0], &q));
    CHECK_EQ_U64(v[1].i64, 42);
    CHECK(same(&v[2], &p));

    memset(v, 0, sizeof v);
    v[0] = v4(10, 20, 30, 40);
    v[1].i32 = 100000; /* constant stack: real tail calls */
    CHECK(call(&fx, "count", v, 2));
    ValRaw n = v4(100010, 100020, 100030, 100040);
    CHECK(same(&v[0], &n));

    memset(v, 0, sizeof v);
    v[0].i32 = 1;
    CHECK(call(&fx, "bigtail", v, 1));
    ValRaw big = v4(5 + 7 + 6, 0, 6 + 8 + 6, 0);
    CHECK(same(&v[0], &big));

    memset(v, 0, sizeof v);
    CHECK(call(&fx, "get-g", v, 1));
    ValRaw g0 = v4(1, 2, 3, 4), g1 = v4(9, 8, 7, 6);
    CHECK(same(&v[0], &g0));
    v[0] = g1;
    CHECK(call(&fx, "set-g", v, 1));
    memset(v, 0, sizeof v);
    CHECK(call(&fx, "get-g", v, 1));
    CHECK(same(&v[0], &g1));

    v[0] = v4(1, 2, 3, 0xffffffffu);
    CHECK(call(&fx, "spill", v, 1));
    ValRaw s = v4(16 + 136, 32 + 136, 48 + 136, (uint32_t)(136 - 16));
    CHECK(same(&v[0], &s));
    fx_teardown(&fx);
}

static void test_interp(void) {
    check_tier(&interp_tier);
}

static void test_jit(void) {
    if (jit_available())
        check_tier(&jit_tier);
}

TEST_MAIN("jit_simd", TEST_CASE(test_interp), TEST_CASE(test_jit))
