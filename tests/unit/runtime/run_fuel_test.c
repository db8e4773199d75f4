/* Runaway code stops cleanly under the interpreter tier: an infinite loop
 * with fuel traps TRAP_OUT_OF_FUEL, and with an epoch deadline while another
 * thread bumps the engine epoch traps TRAP_INTERRUPT; finite work within its
 * fuel completes and fuel can be refilled. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "interp/interp.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char loops_wat[] =
    "(module\n"
    "  (func (export \"spin\") (loop $l (br $l)))\n"
    "  (func (export \"spin_calls\") (call $f) (br 0))\n"
    "  (func $f (loop $l (br $l)))\n"
    "  (func (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (loop $l\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))\n"
    "    (local.get 1)))\n";

typedef struct Setup {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
} Setup;

static bool setup(Setup *s, bool fuel, bool epochs) {
    memset(s, 0, sizeof *s);
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    cfg.consume_fuel = fuel;
    cfg.epoch_interruption = epochs;
    Diag diag;
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    bool ok = rt_engine_new(&cfg, &s->engine, &diag) == OK &&
              wat_parse_module(loops_wat, sizeof loops_wat - 1, "loops.wat", &bytes, &diag) == OK &&
              rt_module_new(s->engine, bytes.data, bytes.len, &s->module, &diag) == OK &&
              rt_store_new(s->engine, &s->store, &diag) == OK &&
              rt_instantiate(s->store, s->module, NULL, 0, &s->inst, &trap, &diag) == OK;
    if (!ok)
        fprintf(stderr, "setup: %s\n", diag.msg);
    rt_trap_delete(trap);
    buf_fini(&bytes);
    return ok;
}

static void teardown(Setup *s) {
    rt_store_delete(s->store);
    rt_module_release(s->module);
    rt_engine_delete(s->engine);
}

/* Call export `name` with one i32 argument (ignored when it takes none);
 * returns the trap code (TRAP_NONE on return) and the i32 result. */
static TrapCode call(Setup *s, const char *name, int32_t arg, int32_t *out_result) {
    Extern ext;
    if (!rt_instance_export(s->inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC)
        return TRAP_COUNT;
    ValRaw vals[1];
    memset(vals, 0, sizeof vals);
    vals[0].i32 = arg;
    Trap *trap = NULL;
    Err err = rt_call(s->store, ext.func, vals, 1, &trap);
    TrapCode code = err == OK ? TRAP_NONE : trap ? trap->code : TRAP_COUNT;
    if (err == ERR_TRAP && trap)
        CHECK(strlen(rt_trap_text(trap)) > 0);
    rt_trap_delete(trap);
    if (out_result)
        *out_result = vals[0].i32;
    return code;
}

static void test_fuel_stops_loop(void) {
    Setup s;
    CHECK(setup(&s, true, false));
    if (!s.inst) {
        teardown(&s);
        return;
    }
    rt_store_set_fuel(s.store, 100000);
    CHECK_EQ_U64(call(&s, "spin", 0, NULL), TRAP_OUT_OF_FUEL);
    CHECK_EQ_U64(rt_store_get_fuel(s.store), 0);
    rt_store_set_fuel(s.store, 100000);
    CHECK_EQ_U64(call(&s, "spin_calls", 0, NULL), TRAP_OUT_OF_FUEL);
    teardown(&s);
}

static void test_fuel_enough(void) {
    Setup s;
    CHECK(setup(&s, true, false));
    if (!s.inst) {
        teardown(&s);
        return;
    }
    rt_store_set_fuel(s.store, 1000000);
    int32_t result = 0;
    CHECK_EQ_U64(call(&s, "count", 1000, &result), TRAP_NONE);
    CHECK_EQ_U64(result, 1000);
    uint64_t left = rt_store_get_fuel(s.store);
    CHECK(left > 0 && left < 1000000);
    /* no fuel left: even a short call stops */
    rt_store_set_fuel(s.store, 0);
    CHECK_EQ_U64(call(&s, "count", 1000, &result), TRAP_OUT_OF_FUEL);
    /* refilled: the store works again after the trap */
    rt_store_set_fuel(s.store, 1000000);
    CHECK_EQ_U64(call(&s, "count", 10, &result), TRAP_NONE);
    CHECK_EQ_U64(result, 10);
    teardown(&s);
}

static void test_no_fuel_config_runs(void) {
    Setup s;
    CHECK(setup(&s, false, false));
    if (!s.inst) {
        teardown(&s);
        return;
    }
    int32_t result = 0;
    CHECK_EQ_U64(call(&s, "count", 100000, &result), TRAP_NONE);
    CHECK_EQ_U64(result, 100000);
    teardown(&s);
}

typedef struct Ticker {
    Engine *engine;
    atomic_bool stop;
} Ticker;

static void *tick(void *arg) {
    Ticker *t = arg;
    struct timespec ms = {0, 1000000};
    while (!atomic_load(&t->stop)) {
        rt_engine_increment_epoch(t->engine);
        nanosleep(&ms, NULL);
    }
    return NULL;
}

static void test_epoch_interrupts_loop(void) {
    Setup s;
    CHECK(setup(&s, false, true));
    if (!s.inst) {
        teardown(&s);
        return;
    }
    Ticker t = {s.engine, false};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, tick, &t) == 0);
    rt_store_set_epoch_deadline(s.store, 5);
    CHECK_EQ_U64(call(&s, "spin", 0, NULL), TRAP_INTERRUPT);
    rt_store_set_epoch_deadline(s.store, 5);
    CHECK_EQ_U64(call(&s, "spin_calls", 0, NULL), TRAP_INTERRUPT);
    /* a far deadline lets finite work finish */
    rt_store_set_epoch_deadline(s.store, UINT64_MAX / 2);
    int32_t result = 0;
    CHECK_EQ_U64(call(&s, "count", 1000, &result), TRAP_NONE);
    CHECK_EQ_U64(result, 1000);
    atomic_store(&t.stop, true);
    pthread_join(thread, NULL);
    teardown(&s);
}

static void test_epoch_deadline_already_passed(void) {
    Setup s;
    CHECK(setup(&s, false, true));
    if (!s.inst) {
        teardown(&s);
        return;
    }
    rt_store_set_epoch_deadline(s.store, 0);
    CHECK_EQ_U64(call(&s, "spin", 0, NULL), TRAP_INTERRUPT);
    teardown(&s);
}

TEST_MAIN("run_fuel", TEST_CASE(test_fuel_stops_loop), TEST_CASE(test_fuel_enough),
          TEST_CASE(test_no_fuel_config_runs), TEST_CASE(test_epoch_interrupts_loop),
          TEST_CASE(test_epoch_deadline_already_passed))
