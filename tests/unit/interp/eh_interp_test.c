/* Exceptions in the interpreter seen from the host: an uncaught exception
 * leaves rt_call as TRAP_UNCAUGHT_EXCEPTION carrying the ExnObj (tag identity,
 * payload, backtrace); across a wasm->host->wasm chain it reaches the outer
 * wasm as a trap that no catch_all catches; compiling and running under
 * allocation failure ends cleanly. */
#include "interp/interp_int.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"cb\" (func $cb (param i32) (result i32)))\n"
    "  (tag $t (export \"t\") (param i32 i64))\n"
    "  (func $thrower (export \"throw\") (param i32) (result i32)\n"
    "    (throw $t (local.get 0) (i64.const -9)))\n"
    "  (func (export \"catch\") (param i32) (result i32)\n"
    "    (block $h (result i32 i64)\n"
    "      (try_table (catch $t $h) (drop (call $thrower (local.get 0))))\n"
    "      (return (i32.const -1)))\n"
    "    (drop))\n"
    "  (func (export \"via-host\") (param i32) (result i32)\n"
    "    (block $h\n"
    "      (try_table (catch_all $h) (return (call $cb (local.get 0)))))\n"
    "    (i32.const -2))\n"
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
  if (!rt_instance_export(fx->inst, name, strlen(name), &ext) ||
      ext.kind != EXTERN_FUNC)
    return NULL;
  return ext.func;
}

/* Re-enters wasm: calls "throw", whose exception comes back as a trap. */
static Trap *host_cb(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                     uint32_t n_results) {
  (void)env, (void)caller, (void)n_params, (void)n_results;
  Trap *trap = NULL;
  if (rt_call(current->store, export_func(current, "throw"), args, 1, &trap) !=
      OK)
    return trap;
  return NULL;
}

static bool fx_setup(Fixture *fx, Diag *diag) {
  memset(fx, 0, sizeof *fx);
  current = fx;
  EngineConfig cfg;
  rt_engine_config_default(&cfg);
  cfg.tier = &interp_tier;
  ByteBuf bytes;
  buf_init(&bytes);
  Trap *trap = NULL;
  ValType i32 = ir_valtype(VK_I32);
  uint32_t canon;
  bool ok =
      rt_engine_new(&cfg, &fx->engine, diag) == OK &&
      wat_parse_module(wat, sizeof wat - 1, "eh.wat", &bytes, diag) == OK &&
      rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, diag) ==
          OK &&
      rt_store_new(fx->engine, &fx->store, diag) == OK &&
      rt_engine_func_type(fx->engine, &i32, 1, &i32, 1, &canon, diag) == OK;
  if (ok) {
    Extern imp = {.kind = EXTERN_FUNC};
    imp.func = rt_host_func_new(fx->store, canon, host_cb, NULL, NULL);
    ok = imp.func && rt_instantiate(fx->store, fx->module, &imp, 1, &fx->inst,
                                    &trap, diag) == OK;
  }
  rt_trap_delete(trap);
  buf_fini(&bytes);
  return ok;
}

static void fx_teardown(Fixture *fx) {
  rt_store_delete(fx->store);
  rt_module_release(fx->module);
  rt_engine_delete(fx->engine);
}

static Err call1(Fixture *fx, const char *name, int32_t arg, int32_t *out,
                 Trap **out_trap) {
  ValRaw v[1] = {{0}};
  v[0].i32 = arg;
  *out_trap = NULL;
  Err err = rt_call(fx->store, export_func(fx, name), v, 1, out_trap);
  *out = v[0].i32;
  return err;
}

static void test_uncaught(void) {
  Fixture fx;
  Diag diag;
  if (!fx_setup(&fx, &diag)) {
    CHECK(false);
    return;
  }
  Extern tag;
  CHECK(rt_instance_export(fx.inst, "t", 1, &tag) && tag.kind == EXTERN_TAG);
  int32_t r;
  Trap *trap;
  CHECK(call1(&fx, "throw", 42, &r, &trap) == ERR_TRAP);
  CHECK(trap && trap->code == TRAP_UNCAUGHT_EXCEPTION);
  if (trap) {
    CHECK_STR(rt_trap_text(trap), "uncaught exception");
    CHECK(trap->exn && trap->exn->tag == tag.tag);
    if (trap->exn) {
      CHECK_EQ_U64(trap->exn->n_values, 2);
      CHECK_EQ_U64(trap->exn->payload[0].i32, 42);
      CHECK(trap->exn->payload[1].i64 == -9);
    }
    CHECK_EQ_U64(trap->n_frames, 1);
    rt_trap_delete(trap);
  }
  CHECK(call1(&fx, "catch", 7, &r, &trap) == OK);
  CHECK_EQ_U64(r, 7);
  fx_teardown(&fx);
}

static void test_through_host(void) {
  Fixture fx;
  Diag diag;
  if (!fx_setup(&fx, &diag)) {
    CHECK(false);
    return;
  }
  int32_t r;
  Trap *trap;
  /* the inner exception becomes the host function's trap: catch_all in the
   * outer wasm does not see it */
  CHECK(call1(&fx, "via-host", 3, &r, &trap) == ERR_TRAP);
  CHECK(trap && trap->code == TRAP_UNCAUGHT_EXCEPTION);
  CHECK(trap && trap->exn && trap->exn->payload[0].i32 == 3);
  rt_trap_delete(trap);
  /* the thread's interpreter state is fine afterwards */
  CHECK(call1(&fx, "catch", 8, &r, &trap) == OK);
  CHECK_EQ_U64(r, 8);
  fx_teardown(&fx);
}

/* Fail the Nth allocation of setup + calls: every run ends cleanly. */
static void test_alloc_failure(void) {
  bool done = false;
  for (int64_t n = 0; n < 10000 && !done; n++) {
    Fixture fx;
    Diag diag;
    mem_fail_after(n);
    bool ok = fx_setup(&fx, &diag);
    int32_t r = 0;
    Trap *trap = NULL;
    if (ok) {
      Err err = call1(&fx, "catch", 5, &r, &trap);
      CHECK(err == OK || err == ERR_TRAP);
      if (err == ERR_TRAP)
        CHECK(trap && (trap->code == TRAP_ALLOCATION_TOO_LARGE ||
                       trap->code == TRAP_STACK_OVERFLOW));
      rt_trap_delete(trap);
      done = err == OK && r == 5;
    }
    mem_fail_after(-1);
    if (fx.store || fx.module || fx.engine)
      fx_teardown(&fx);
  }
  CHECK(done);
}

TEST_MAIN("eh_interp", TEST_CASE(test_uncaught), TEST_CASE(test_through_host),
          TEST_CASE(test_alloc_failure))
