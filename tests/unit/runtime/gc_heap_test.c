/* The GC heap: reference encoding, struct layout, and the collector end to
 * end through the interpreter (roots in globals, tables, interpreter frames,
 * element segments and pins; garbage freed; allocation limits). */
#include "interp/interp.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"gc\" (func $gc))\n"
    "  (type $node (struct (field i32) (field (ref null $node))))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (global $keep (mut (ref null $node)) (ref.null $node))\n"
    "  (table $t 4 anyref)\n"
    "  (elem $e (ref null $node) (item (struct.new $node (i32.const 7) (ref.null $node))))\n"
    "  (func $build (export \"build\") (param $n i32) (result (ref null $node))\n"
    "    (local $head (ref null $node))\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.eqz (local.get $n)))\n"
    "      (local.set $head (struct.new $node (local.get $n) (local.get $head)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $head))\n"
    "  (func (export \"keep\") (param i32) (global.set $keep (call $build (local.get 0))))\n"
    "  (func (export \"clear\") (global.set $keep (ref.null $node)) (table.fill $t\n"
    "    (i32.const 0) (ref.null any) (i32.const 4)))\n"
    "  (func (export \"sum\") (result i32) (local $p (ref null $node)) (local $s i32)\n"
    "    (local.set $p (global.get $keep))\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (ref.is_null (local.get $p)))\n"
    "      (local.set $s (i32.add (local.get $s) (struct.get $node 0 (local.get $p))))\n"
    "      (local.set $p (struct.get $node 1 (local.get $p)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func (export \"garbage\") (param $n i32)\n"
    "    (loop $l (drop (struct.new $node (local.get $n) (ref.null $node)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))\n"
    "  (func (export \"in-frame\") (result i32) (local $x (ref null $node))\n"
    "    (local.set $x (call $build (i32.const 50)))\n"
    "    (call $gc)\n"
    "    (call $gc)\n"
    "    (struct.get $node 0 (struct.get $node 1 (local.get $x))))\n"
    "  (func (export \"in-table\") (result i32)\n"
    "    (table.set $t (i32.const 1) (call $build (i32.const 3)))\n"
    "    (table.set $t (i32.const 2) (ref.i31 (i32.const -1)))\n"
    "    (call $gc)\n"
    "    (struct.get $node 0 (ref.cast (ref $node) (table.get $t (i32.const 1)))))\n"
    "  (func (export \"elem\") (result i32)\n"
    "    (ref.eq (array.get $arr (array.new_elem $arr $e (i32.const 0) (i32.const 1))\n"
    "                            (i32.const 0))\n"
    "            (array.get $arr (array.new_elem $arr $e (i32.const 0) (i32.const 1))\n"
    "                            (i32.const 0))))\n"
    "  (type $arr (array (ref null $node)))\n"
    "  (func (export \"huge\") (drop (array.new_default $bytes (i32.const -1))))\n"
    ")\n";

typedef struct Fixture {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
} Fixture;

static Trap *host_gc(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                     uint32_t n_results) {
    (void)env, (void)args, (void)n_params, (void)n_results;
    rt_gc_collect(caller->store);
    return NULL;
}

static bool fx_setup(Fixture *fx) {
    memset(fx, 0, sizeof *fx);
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    Diag diag;
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    uint32_t canon;
    bool ok = rt_engine_new(&cfg, &fx->engine, &diag) == OK &&
              wat_parse_module(wat, sizeof wat - 1, "gc.wat", &bytes, &diag) == OK &&
              rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &diag) == OK &&
              rt_store_new(fx->engine, &fx->store, &diag) == OK &&
              rt_engine_func_type(fx->engine, NULL, 0, NULL, 0, &canon, &diag) == OK;
    if (ok) {
        Extern imp = {.kind = EXTERN_FUNC};
        imp.func = rt_host_func_new(fx->store, canon, host_gc, NULL, NULL);
        ok = imp.func && rt_instantiate(fx->store, fx->module, &imp, 1, &fx->inst, &trap,
                                        &diag) == OK;
    }
    buf_fini(&bytes);
    if (!ok)
        fprintf(stderr, "setup: %s\n", diag.msg);
    rt_trap_delete(trap);
    return ok;
}

static void fx_teardown(Fixture *fx) {
    rt_store_delete(fx->store);
    rt_module_release(fx->module);
    rt_engine_delete(fx->engine);
}

/* Call export `name` with at most one i32 argument; the trap code (or NONE). */
static TrapCode call(Fixture *fx, const char *name, int32_t arg, ValRaw *out) {
    Extern ext;
    if (!rt_instance_export(fx->inst, name, strlen(name), &ext))
        return TRAP_HOST;
    ValRaw v[1];
    memset(v, 0, sizeof v);
    v[0].i32 = arg;
    Trap *trap = NULL;
    TrapCode code = TRAP_NONE;
    if (rt_call(fx->store, ext.func, v, 1, &trap) != OK)
        code = trap ? trap->code : TRAP_HOST;
    rt_trap_delete(trap);
    if (out)
        *out = v[0];
    return code;
}

static uint64_t live_objects(Fixture *fx) {
    uint64_t n, bytes;
    rt_gc_collect(fx->store);
    rt_gc_stats(fx->store, &n, &bytes);
    return n;
}

static void test_encoding(void) {
    void *i = rt_i31_new(0x7fffffffu);
    CHECK(rt_ref_is_i31(i));
    CHECK_EQ_U64(rt_i31_get_u(i), 0x7fffffffu);
    CHECK(rt_i31_get_s(i) == -1);
    CHECK(rt_i31_get_s(rt_i31_new(0x40000000u)) == -0x40000000);
    CHECK_EQ_U64(rt_i31_get_u(rt_i31_new(0x80000005u)), 5);
    CHECK(rt_ref_convert(i) == i);
    CHECK(rt_ref_convert(NULL) == NULL);
    static uint64_t obj[2];
    void *p = obj;
    CHECK(rt_ref_convert(p) != p);
    CHECK(rt_ref_convert(rt_ref_convert(p)) == p);
}

static void test_layout(void) {
    FieldType f[7] = {{ir_valtype(VK_I8), false},  {ir_valtype(VK_I32), false},
                      {ir_valtype(VK_I8), false},  {ir_valtype(VK_I64), false},
                      {ir_valtype(VK_I16), false}, {ir_valtype(VK_V128), false},
                      {ir_valtype(VK_I32), false}};
    StructType st = {7, f};
    static const uint32_t want[7] = {8, 12, 16, 24, 32, 40, 56};
    for (uint32_t i = 0; i < 7; i++)
        CHECK_EQ_U64(rt_gc_field_offset(&st, i), want[i]);
}

static void test_collect(void) {
    Fixture fx;
    if (!fx_setup(&fx)) {
        CHECK(false);
        return;
    }
    rt_gc_set_threshold(fx.store, 0); /* collect at every allocation */
    uint64_t base = live_objects(&fx); /* the element segment's item */
    CHECK_EQ_U64(base, 1);
    CHECK(call(&fx, "keep", 1000, NULL) == TRAP_NONE);
    CHECK_EQ_U64(live_objects(&fx), base + 1000);
    CHECK(call(&fx, "garbage", 3000, NULL) == TRAP_NONE);
    CHECK_EQ_U64(live_objects(&fx), base + 1000);
    ValRaw r;
    CHECK(call(&fx, "sum", 0, &r) == TRAP_NONE);
    CHECK_EQ_U64((uint32_t)r.i32, 1000 * 1001 / 2);
    CHECK(call(&fx, "in-frame", 0, &r) == TRAP_NONE);
    CHECK_EQ_U64((uint32_t)r.i32, 2);
    CHECK(call(&fx, "in-table", 0, &r) == TRAP_NONE);
    CHECK_EQ_U64((uint32_t)r.i32, 1);
    CHECK(call(&fx, "elem", 0, &r) == TRAP_NONE);
    CHECK_EQ_U64((uint32_t)r.i32, 1);
    CHECK(call(&fx, "clear", 0, NULL) == TRAP_NONE);
    CHECK_EQ_U64(live_objects(&fx), base);
    fx_teardown(&fx);
}

static void test_pins(void) {
    Fixture fx;
    if (!fx_setup(&fx)) {
        CHECK(false);
        return;
    }
    ValRaw head;
    CHECK(call(&fx, "build", 10, &head) == TRAP_NONE);
    CHECK(rt_gc_pin(fx.store, head.ref));
    CHECK(rt_gc_pin(fx.store, head.ref));
    CHECK_EQ_U64(live_objects(&fx), 11);
    rt_gc_unpin(fx.store, head.ref);
    CHECK_EQ_U64(live_objects(&fx), 11);
    rt_gc_unpin(fx.store, head.ref);
    CHECK_EQ_U64(live_objects(&fx), 1);
    fx_teardown(&fx);
}

static void test_limits(void) {
    Fixture fx;
    if (!fx_setup(&fx)) {
        CHECK(false);
        return;
    }
    CHECK(call(&fx, "huge", 0, NULL) == TRAP_ALLOCATION_TOO_LARGE);
    TrapCode code = TRAP_NONE;
    CHECK(rt_gc_new_array(fx.store, fx.module->canon_types[1], RT_GC_MAX_OBJECT_BYTES, false,
                          &code) == NULL);
    CHECK(code == TRAP_ALLOCATION_TOO_LARGE);
    fx_teardown(&fx);
}

/* A bounded heap: what stays live cannot pass the bound; garbage is
 * collected to make room before an allocation fails. */
static void test_heap_limit(void) {
    Fixture fx;
    if (!fx_setup(&fx)) {
        CHECK(false);
        return;
    }
    rt_gc_set_limit(fx.store, 64 * 1024);
    CHECK(call(&fx, "keep", 100, NULL) == TRAP_NONE);
    CHECK(call(&fx, "garbage", 20000, NULL) == TRAP_NONE); /* far beyond 64 KiB in all */
    CHECK(call(&fx, "keep", 100000, NULL) == TRAP_ALLOCATION_TOO_LARGE);
    uint64_t objects, bytes;
    rt_gc_stats(fx.store, &objects, &bytes);
    CHECK(bytes <= 64 * 1024);
    rt_gc_set_limit(fx.store, 0);
    CHECK(call(&fx, "keep", 100000, NULL) == TRAP_NONE);
    fx_teardown(&fx);
}

TEST_MAIN("gc_heap", TEST_CASE(test_encoding), TEST_CASE(test_layout), TEST_CASE(test_collect),
          TEST_CASE(test_pins), TEST_CASE(test_limits), TEST_CASE(test_heap_limit))
