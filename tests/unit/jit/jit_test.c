/* The JIT tier end to end: trap backtraces (explicit checks and guard-page
 * faults, through the code registry), host calls re-entering native code,
 * stack overflow in deep recursion, real tail calls running in constant
 * stack, call_indirect checks, fuel and epochs; the compile thread count. */
#include "jit/jit.h"
#include "jit/jit_int.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"cb\" (func $cb (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $inner)\n"
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (func $count (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (loop $l\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))\n"
    "    (local.get 1))\n"
    "  (func $inner (param i32) (result i32)\n"
    "    (i32.div_u (i32.const 1) (local.get 0)))\n"
    "  (func $outer (export \"outer\") (param i32) (result i32)\n"
    "    (i32.add (call $inner (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"oob\") (param i32) (result i32)\n"
    "    (i32.load (local.get 0)))\n"
    "  (func (export \"via-host\") (param i32) (result i32)\n"
    "    (i32.add (call $cb (local.get 0)) (i32.const 1000)))\n"
    "  (func $deep (export \"deep\") (param i32) (result i32)\n"
    "    (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))\n"
    "  (func $tail (export \"tail\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))\n"
    "      (else (return_call $tail (i32.sub (local.get 0) (i32.const 1))))))\n"
    "  (func (export \"indirect\") (param i32) (result i32)\n"
    "    (call_indirect (type $ii) (i32.const 5) (local.get 0)))\n"
    ")\n";

typedef struct Fixture {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
} Fixture;

static Fixture *current;

static FuncRef *export_func(Fixture *fx, const char *name) {
    Extern ext;
    if (!rt_instance_export(fx->inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC)
        return NULL;
    return ext.func;
}

/* Calls "count" with 2 * arg (re-entering native code), or traps via "outer". */
static Trap *host_cb(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                     uint32_t n_results) {
    ValRaw v[1] = {{0}};
    v[0].i32 = args[0].i32 * 2;
    Trap *trap = NULL;
    const char *callee = args[0].i32 < 0 ? "outer" : "count";
    if (args[0].i32 < 0)
        v[0].i32 = 0;
    if (rt_call(current->store, export_func(current, callee), v, 1, &trap) != OK)
        return trap;
    args[0].i32 = v[0].i32;
    return NULL;
}

static bool fx_setup(Fixture *fx, bool fuel, bool epoch) {
    memset(fx, 0, sizeof *fx);
    current = fx;
    if (!jit_available())
        return false;
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &jit_tier;
    cfg.consume_fuel = fuel;
    cfg.epoch_interruption = epoch;
    Diag diag;
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    ValType i32 = ir_valtype(VK_I32);
    uint32_t canon;
    bool ok = rt_engine_new(&cfg, &fx->engine, &diag) == OK &&
              wat_parse_module(wat, sizeof wat - 1, "jit.wat", &bytes, &diag) == OK &&
              rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &diag) == OK &&
              rt_store_new(fx->engine, &fx->store, &diag) == OK &&
              rt_engine_func_type(fx->engine, &i32, 1, &i32, 1, &canon, &diag) == OK;
    if (ok) {
        Extern imp = {.kind = EXTERN_FUNC};
        imp.func = rt_host_func_new(fx->store, canon, host_cb, NULL, NULL);
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

static Err call1(Fixture *fx, const char *name, int32_t arg, int32_t *out, Trap **out_trap) {
    ValRaw v[1] = {{0}};
    v[0].i32 = arg;
    *out_trap = NULL;
    Err err = rt_call(fx->store, export_func(fx, name), v, 1, out_trap);
    *out = v[0].i32;
    return err;
}

/* The wasm offset of the first `op` in function `func` (module index). */
static uint32_t op_offset(const Fixture *fx, uint32_t func, uint32_t op) {
    const Code *code = &fx->module->ir->funcs[func].code;
    for (uint32_t i = 0; i < code->n_instrs; i++)
        if (code->instrs[i].op == op)
            return code->instrs[i].offset;
    return UINT32_MAX;
}

static void test_backtrace(void) {
    Fixture fx;
    if (!fx_setup(&fx, false, false)) {
        CHECK(!jit_available());
        return;
    }
    int32_t r;
    Trap *trap = NULL;
    CHECK(call1(&fx, "outer", 3, &r, &trap) == OK);
    CHECK_EQ_U64(r, 1);
    CHECK(call1(&fx, "outer", 0, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_DIV_ZERO);
        CHECK_EQ_U64(trap->n_frames, 2);
        if (trap->n_frames == 2) {
            CHECK_EQ_U64(trap->frames[0].func_index, 2); /* $inner */
            CHECK_EQ_U64(trap->frames[1].func_index, 3); /* $outer */
            CHECK(trap->frames[1].code_offset > trap->frames[0].code_offset);
            /* each function's pc map names the exact instruction */
            CHECK_EQ_U64(trap->frames[0].code_offset, op_offset(&fx, 2, OP_I32_DIV_U));
            CHECK_EQ_U64(trap->frames[1].code_offset, op_offset(&fx, 3, OP_CALL));
        }
        rt_trap_delete(trap);
    }
    /* a guard-page fault, classified through the code registry */
    CHECK(call1(&fx, "oob", 65536, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_MEM_OOB);
        CHECK_EQ_U64(trap->n_frames, 1);
        if (trap->n_frames)
            CHECK_EQ_U64(trap->frames[0].func_index, 4);
        rt_trap_delete(trap);
    }
    CHECK(call1(&fx, "oob", 65532, &r, &trap) == OK);
    CHECK_EQ_U64(r, 0);
    fx_teardown(&fx);
}

static void test_host_reentry(void) {
    Fixture fx;
    if (!fx_setup(&fx, false, false))
        return;
    int32_t r = 0;
    Trap *trap = NULL;
    CHECK(call1(&fx, "via-host", 21, &r, &trap) == OK);
    CHECK_EQ_U64(r, 1042);
    /* the nested entry traps; the host returns the trap; then all still works */
    CHECK(call1(&fx, "via-host", -1, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_DIV_ZERO);
        rt_trap_delete(trap);
    }
    CHECK(call1(&fx, "via-host", 1, &r, &trap) == OK);
    CHECK_EQ_U64(r, 1002);
    fx_teardown(&fx);
}

static void test_stack(void) {
    Fixture fx;
    if (!fx_setup(&fx, false, false))
        return;
    int32_t r = 0;
    Trap *trap = NULL;
    CHECK(call1(&fx, "deep", 0, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_STACK_OVERFLOW);
        CHECK(trap->n_frames > 100);
        rt_trap_delete(trap);
    }
    /* a million tail calls in constant stack */
    CHECK(call1(&fx, "tail", 1000000, &r, &trap) == OK);
    CHECK_EQ_U64(r, 7);
    CHECK(call1(&fx, "count", 10, &r, &trap) == OK);
    CHECK_EQ_U64(r, 10);
    fx_teardown(&fx);
}

static void test_indirect(void) {
    Fixture fx;
    if (!fx_setup(&fx, false, false))
        return;
    int32_t r = 0;
    Trap *trap = NULL;
    CHECK(call1(&fx, "indirect", 0, &r, &trap) == OK); /* $inner(5) = 0 */
    CHECK_EQ_U64(r, 0);
    CHECK(call1(&fx, "indirect", 1, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_UNINITIALIZED_ELEMENT);
        rt_trap_delete(trap);
    }
    CHECK(call1(&fx, "indirect", 2, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_UNDEFINED_ELEMENT);
        rt_trap_delete(trap);
    }
    fx_teardown(&fx);
}

static void test_fuel_and_epoch(void) {
    Fixture fx;
    if (!fx_setup(&fx, true, false))
        return;
    int32_t r = 0;
    Trap *trap = NULL;
    rt_store_set_fuel(fx.store, 1000);
    CHECK(call1(&fx, "count", 10, &r, &trap) == OK);
    CHECK(rt_store_get_fuel(fx.store) < 1000);
    rt_store_set_fuel(fx.store, 1000);
    CHECK(call1(&fx, "count", 100000, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_OUT_OF_FUEL);
        rt_trap_delete(trap);
    }
    fx_teardown(&fx);
    if (!fx_setup(&fx, false, true))
        return;
    rt_store_set_epoch_deadline(fx.store, 1);
    CHECK(call1(&fx, "count", 10, &r, &trap) == OK);
    rt_engine_increment_epoch(fx.engine);
    CHECK(call1(&fx, "count", 10, &r, &trap) == ERR_TRAP);
    if (trap) {
        CHECK(trap->code == TRAP_INTERRUPT);
        rt_trap_delete(trap);
    }
    fx_teardown(&fx);
}

/* EngineConfig.compile_threads sizes the pool; small modules use one thread. */
static void test_compile_workers(void) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.compile_threads = 1;
    CHECK(jit_compile_workers(&cfg, 1000, 1 << 20) == 1);
    cfg.compile_threads = 3;
    CHECK(jit_compile_workers(&cfg, 1000, 1 << 20) == 3);
    CHECK(jit_compile_workers(&cfg, 10, 1 << 20) == 1);
    CHECK(jit_compile_workers(&cfg, 1000, 1000) == 1);
    cfg.compile_threads = 100;
    CHECK(jit_compile_workers(&cfg, 1000, 1 << 20) == JIT_MAX_COMPILE_THREADS);
    cfg.compile_threads = 0;
    unsigned automatic = jit_compile_workers(&cfg, 1000, 1 << 20);
    CHECK(automatic >= 1 && automatic <= JIT_MAX_COMPILE_THREADS);
}

TEST_MAIN("jit", TEST_CASE(test_backtrace), TEST_CASE(test_host_reentry), TEST_CASE(test_stack),
          TEST_CASE(test_indirect), TEST_CASE(test_fuel_and_epoch), TEST_CASE(test_compile_workers))
