/* GC and exception handling on the JIT tier, under pressure: the collector
 * runs at every allocation (threshold 0) while references live only in
 * native frames (locals, operand slots across calls, a deep recursion, an
 * outer activation suspended in a host call that re-enters wasm), and
 * exceptions carrying references cross native frames and stop at host
 * frames. */
#include "jit/jit.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"gc\" (func $gc))\n"
    "  (import \"host\" \"reenter\" (func $reenter (param i32)))\n"
    "  (import \"host\" \"live\" (func $live (result i32)))\n"
    "  (type $node (struct (field i32) (field (ref null $node))))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (type $refs (array (mut anyref)))\n"
    "  (tag $boom (param (ref null $node) i32))\n"
    "  (func $build (export \"build\") (param $n i32) (result (ref null $node))\n"
    "    (local $head (ref null $node))\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.eqz (local.get $n)))\n"
    "      (local.set $head (struct.new $node (local.get $n) (local.get $head)))\n"
    "      (drop (array.new_default $bytes (i32.const 100)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $head))\n"
    "  (func $sum (param $p (ref null $node)) (result i32) (local $s i32)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (ref.is_null (local.get $p)))\n"
    "      (local.set $s (i32.add (local.get $s) (struct.get $node 0 (local.get $p))))\n"
    "      (local.set $p (struct.get $node 1 (local.get $p)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func $garbage (export \"garbage\") (param $n i32)\n"
    "    (loop $l (drop (struct.new $node (local.get $n) (ref.null $node)))\n"
    "      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))\n"
    /* references as operands while the next operand allocates */
    "  (func (export \"operands\") (result i32)\n"
    "    (i32.add (call $sum (call $build (i32.const 10)))\n"
    "      (i32.add (call $sum (struct.new $node (i32.const 1000) (call $build (i32.const 20))))\n"
    "               (array.len (array.new_fixed $refs 3 (call $build (i32.const 2))\n"
    "                 (ref.i31 (i32.const 5)) (call $build (i32.const 3)))))))\n"
    "  (func (export \"local\") (result i32) (local $x (ref null $node))\n"
    "    (local.set $x (call $build (i32.const 30)))\n"
    "    (call $garbage (i32.const 500))\n"
    "    (call $gc)\n"
    "    (call $sum (local.get $x)))\n"
    /* every frame of the recursion holds a list */
    "  (func $deep (export \"deep\") (param $n i32) (result i32) (local $x (ref null $node))\n"
    "    (local.set $x (call $build (i32.const 3)))\n"
    "    (if (result i32) (i32.eqz (local.get $n)) (then (call $sum (local.get $x)))\n"
    "      (else (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1)))\n"
    "                     (call $sum (local.get $x))))))\n"
    /* live objects counted while references sit in locals / operands */
    "  (func (export \"live-local\") (result i32) (local $x (ref null $node))\n"
    "    (local.set $x (call $build (i32.const 30)))\n"
    "    (call $garbage (i32.const 100))\n"
    "    (call $live))\n"
    "  (func (export \"live-operand\") (result i32) (local $n i32)\n"
    "    (call $build (i32.const 10)) (call $build (i32.const 5)) (call $live)\n"
    "    (local.set $n) (drop) (drop) (local.get $n))\n"
    "  (func $live-deep (export \"live-deep\") (param $n i32) (result i32)\n"
    "    (local $x (ref null $node))\n"
    "    (local.set $x (call $build (i32.const 3)))\n"
    "    (if (result i32) (i32.eqz (local.get $n)) (then (call $live))\n"
    "      (else (call $live-deep (i32.sub (local.get $n) (i32.const 1))))))\n"
    "  (func (export \"live-caught\") (result i32) (local $v i32)\n"
    "    (block $h (result (ref null $node) i32)\n"
    "      (try_table (catch $boom $h) (call $thrower (i32.const 10)))\n"
    "      (return (i32.const -1)))\n"
    "    (drop) (call $garbage (i32.const 50)) (call $live) (local.set $v) (drop)\n"
    "    (local.get $v))\n"
    /* an outer activation suspended in the host while an inner one collects */
    "  (func (export \"outer\") (result i32) (local $x (ref null $node))\n"
    "    (local.set $x (call $build (i32.const 5)))\n"
    "    (call $reenter (i32.const 300))\n"
    "    (call $sum (local.get $x)))\n"
    /* exceptions carrying references across frames */
    "  (func $thrower (param $n i32)\n"
    "    (if (i32.eqz (local.get $n))\n"
    "      (then (throw $boom (call $build (i32.const 4)) (i32.const 7))))\n"
    "    (call $thrower (i32.sub (local.get $n) (i32.const 1))))\n"
    "  (func (export \"catch\") (result i32) (local $v i32)\n"
    "    (block $h (result (ref null $node) i32)\n"
    "      (try_table (catch $boom $h) (call $thrower (i32.const 10)))\n"
    "      (return (i32.const -1)))\n"
    "    (local.set $v)\n"
    "    (call $garbage (i32.const 200))\n" /* the caught list is an operand */
    "    (call $sum) (local.get $v) (i32.add))\n"
    "  (func (export \"catch-ref\") (result i32) (local $e exnref) (local $s i32)\n"
    "    (block $h (result (ref null $node) i32 exnref)\n"
    "      (try_table (catch_ref $boom $h) (call $thrower (i32.const 3)))\n"
    "      (return (i32.const -1)))\n"
    "    (local.set $e) (local.set $s)\n"
    "    (call $garbage (i32.const 200))\n"
    "    (call $sum) (local.get $s) (i32.add) (local.set $s)\n"
    "    (block $h2 (result (ref null $node) i32)\n"
    "      (try_table (catch $boom $h2) (throw_ref (local.get $e)))\n"
    "      (return (i32.const -2)))\n"
    "    (drop) (call $sum) (local.get $s) (i32.add))\n"
    "  (func (export \"legacy\") (result i32)\n"
    "    (try (result i32)\n"
    "      (do (try (result i32) (do (call $thrower (i32.const 2)) (i32.const 0))\n"
    "            (catch_all (call $garbage (i32.const 50)) (rethrow 0))))\n"
    "      (catch $boom (drop) (call $sum))))\n"
    /* a host frame between: the inner throw is a trap no wasm handler sees */
    "  (func (export \"throw-inner\") (param i32)\n"
    "    (call $thrower (local.get 0)))\n"
    "  (func (export \"through-host\") (result i32)\n"
    "    (block $h\n"
    "      (try_table (catch_all $h) (call $reenter (i32.const -1)))\n"
    "      (return (i32.const 1)))\n"
    "    (i32.const 2))\n"
    ")\n";

typedef struct Fixture {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
} Fixture;

static TrapCode call(Fixture *fx, const char *name, int32_t arg, ValRaw *out);

static Trap *host_gc(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                     uint32_t n_results) {
    (void)env, (void)args, (void)n_params, (void)n_results;
    rt_gc_collect(caller->store);
    return NULL;
}

/* reenter(n): n >= 0 runs "garbage"(n) in a nested activation; n < 0 runs
 * "throw-inner"(0), whose uncaught exception comes back as a trap. */
static Trap *host_reenter(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                          uint32_t n_results) {
    (void)caller, (void)n_params, (void)n_results;
    Fixture *fx = env;
    int32_t n = args[0].i32;
    TrapCode code = call(fx, n >= 0 ? "garbage" : "throw-inner", n >= 0 ? n : 0, NULL);
    if (code == TRAP_NONE)
        return NULL;
    return rt_trap_new(code, NULL);
}

/* live(): collect, then the number of live objects */
static Trap *host_live(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                       uint32_t n_results) {
    (void)env, (void)n_params, (void)n_results;
    uint64_t n, bytes;
    rt_gc_collect(caller->store);
    rt_gc_stats(caller->store, &n, &bytes);
    args[0].i32 = (int32_t)n;
    return NULL;
}

static bool fx_setup(Fixture *fx) {
    memset(fx, 0, sizeof *fx);
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &jit_tier;
    Diag diag;
    diag_clear(&diag);
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    uint32_t canon0, canon1, canon2;
    ValType i32 = ir_valtype(VK_I32);
    bool ok = rt_engine_new(&cfg, &fx->engine, &diag) == OK &&
              wat_parse_module(wat, sizeof wat - 1, "gc_eh.wat", &bytes, &diag) == OK &&
              rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &diag) == OK &&
              rt_store_new(fx->engine, &fx->store, &diag) == OK &&
              rt_engine_func_type(fx->engine, NULL, 0, NULL, 0, &canon0, &diag) == OK &&
              rt_engine_func_type(fx->engine, &i32, 1, NULL, 0, &canon1, &diag) == OK &&
              rt_engine_func_type(fx->engine, NULL, 0, &i32, 1, &canon2, &diag) == OK;
    if (ok) {
        Extern imps[3] = {{.kind = EXTERN_FUNC}, {.kind = EXTERN_FUNC}, {.kind = EXTERN_FUNC}};
        imps[0].func = rt_host_func_new(fx->store, canon0, host_gc, NULL, NULL);
        imps[1].func = rt_host_func_new(fx->store, canon1, host_reenter, fx, NULL);
        imps[2].func = rt_host_func_new(fx->store, canon2, host_live, NULL, NULL);
        ok = imps[0].func && imps[1].func && imps[2].func &&
             rt_instantiate(fx->store, fx->module, imps, 3, &fx->inst, &trap, &diag) == OK;
    }
    buf_fini(&bytes);
    if (!ok)
        fprintf(stderr, "setup: %s\n", diag.msg);
    rt_trap_delete(trap);
    if (ok)
        rt_gc_set_threshold(fx->store, 0); /* collect at every allocation */
    return ok;
}

static void fx_teardown(Fixture *fx) {
    rt_store_delete(fx->store);
    rt_module_release(fx->module);
    rt_engine_delete(fx->engine);
}

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

static int32_t call_i32(Fixture *fx, const char *name, int32_t arg) {
    ValRaw r;
    TrapCode code = call(fx, name, arg, &r);
    CHECK_EQ_U64(code, TRAP_NONE);
    return code == TRAP_NONE ? r.i32 : INT32_MIN;
}

static uint64_t live_objects(Fixture *fx) {
    uint64_t n, bytes;
    rt_gc_collect(fx->store);
    rt_gc_stats(fx->store, &n, &bytes);
    return n;
}

static int32_t tri(int32_t n) {
    return n * (n + 1) / 2;
}

static void test_roots(void) {
    Fixture fx;
    if (!fx_setup(&fx)) {
        CHECK(false);
        return;
    }
    CHECK_EQ_U64(call_i32(&fx, "operands", 0), tri(10) + 1000 + tri(20) + 3);
    CHECK_EQ_U64(call_i32(&fx, "local", 0), tri(30));
    CHECK_EQ_U64(call_i32(&fx, "deep", 200), 201 * tri(3));
    CHECK_EQ_U64(call_i32(&fx, "outer", 0), tri(5));
    /* exactly what the frames hold is live */
    CHECK_EQ_U64(call_i32(&fx, "live-local", 0), 30);
    CHECK_EQ_U64(call_i32(&fx, "live-operand", 0), 15);
    CHECK_EQ_U64(call_i32(&fx, "live-deep", 100), 3 * 101);
    /* nothing survives the calls: the maps hold no stale roots */
    CHECK_EQ_U64(live_objects(&fx), 0);
    /* (exceptions are roots of their payload until the store dies) */
    CHECK_EQ_U64(call_i32(&fx, "live-caught", 0), 4);
    fx_teardown(&fx);
}

static void test_exceptions(void) {
    Fixture fx;
    if (!fx_setup(&fx)) {
        CHECK(false);
        return;
    }
    CHECK_EQ_U64(call_i32(&fx, "catch", 0), 7 + tri(4));
    CHECK_EQ_U64(call_i32(&fx, "catch-ref", 0), 7 + 2 * tri(4));
    CHECK_EQ_U64(call_i32(&fx, "legacy", 0), tri(4));
    /* a host frame stops the exception: the catch_all never sees it */
    CHECK_EQ_U64(call(&fx, "through-host", 0, NULL), TRAP_UNCAUGHT_EXCEPTION);
    CHECK_EQ_U64(call(&fx, "throw-inner", 5, NULL), TRAP_UNCAUGHT_EXCEPTION);
    /* still usable afterwards */
    CHECK_EQ_U64(call_i32(&fx, "catch-ref", 0), 7 + 2 * tri(4));
    fx_teardown(&fx);
}

TEST_MAIN("jit_gc_eh", TEST_CASE(test_roots), TEST_CASE(test_exceptions))
