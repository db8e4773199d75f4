/* v128 in the interpreter tier: values of mixed widths through the array-call
 * ABI (host -> wasm and wasm -> host), and the translated code's shape for a
 * SIMD loop (pooled constant read in place, result written straight to the
 * local, shift by a constant as an immediate form). */
#include "interp/interp_int.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"h\" (func $h (param v128 i32) (result i64 v128)))\n"
    "  (func $pooled (export \"pooled\") (param i32) (result v128) (local v128)\n"
    "    (loop $l\n"
    "      (local.set 1 (i32x4.shl (i32x4.add (local.get 1)\n"
    "                                          (v128.const i32x4 1 2 3 4))\n"
    "                              (i32.const 1)))\n"
    "      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))\n"
    "    (local.get 1))\n"
    "  (func (export \"mix\") (param i32 v128 f64) (result v128 i32 v128)\n"
    "    (i32x4.splat (local.get 0)) (i32.const 7) (local.get 1))\n"
    "  (func (export \"via-host\") (param v128) (result v128) (local v128)\n"
    "    (call $h (local.get 0) (i32.const 3))\n"
    "    (local.set 1) (i64x2.splat) (local.get 1) (i64x2.add))\n"
    ")\n";

typedef struct Fixture {
  Engine *engine;
  Store *store;
  RtModule *module;
  Instance *inst;
} Fixture;

static FuncRef *export_func(Fixture *fx, const char *name) {
  Extern ext;
  if (!rt_instance_export(fx->inst, name, strlen(name), &ext) ||
      ext.kind != EXTERN_FUNC)
    return NULL;
  return ext.func;
}

/* (v128 v, i32 n) -> (i64 n * 1000, v with every i32 lane + n) */
static Trap *host_h(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                    uint32_t n_results) {
  (void)env, (void)caller, (void)n_params, (void)n_results;
  uint32_t lanes[4];
  memcpy(lanes, args[0].v128, 16);
  int32_t n = args[1].i32;
  for (int i = 0; i < 4; i++)
    lanes[i] += (uint32_t)n;
  args[0].i64 = (int64_t)n * 1000;
  args[0].u64[1] = 0;
  memcpy(args[1].v128, lanes, 16);
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
  ValType params[2] = {ir_valtype(VK_V128), ir_valtype(VK_I32)};
  ValType results[2] = {ir_valtype(VK_I64), ir_valtype(VK_V128)};
  uint32_t canon;
  bool ok =
      rt_engine_new(&cfg, &fx->engine, &diag) == OK &&
      wat_parse_module(wat, sizeof wat - 1, "simd.wat", &bytes, &diag) == OK &&
      rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &diag) ==
          OK &&
      rt_store_new(fx->engine, &fx->store, &diag) == OK &&
      rt_engine_func_type(fx->engine, params, 2, results, 2, &canon, &diag) ==
          OK;
  if (ok) {
    Extern imp = {.kind = EXTERN_FUNC};
    imp.func = rt_host_func_new(fx->store, canon, host_h, NULL, NULL);
    ok = imp.func && rt_instantiate(fx->store, fx->module, &imp, 1, &fx->inst,
                                    &trap, &diag) == OK;
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

static void set_i32x4(ValRaw *v, uint32_t a, uint32_t b, uint32_t c,
                      uint32_t d) {
  uint32_t lanes[4] = {a, b, c, d};
  memcpy(v->v128, lanes, 16);
}

static bool is_i32x4(const ValRaw *v, uint32_t a, uint32_t b, uint32_t c,
                     uint32_t d) {
  uint32_t lanes[4];
  memcpy(lanes, v->v128, 16);
  return lanes[0] == a && lanes[1] == b && lanes[2] == c && lanes[3] == d;
}

/* How often `handler` starts an 8-byte word of the function's code before its
 * last wasm instruction (handler addresses never occur as operands). */
static uint32_t count_handler(const IFunc *f, const void *handler) {
  uint32_t end = f->n_pc ? f->pc[f->n_pc - 1].code : 0, n = 0;
  for (uint32_t at = 0; at < end; at += 8) {
    const void *h;
    memcpy(&h, f->code + at, sizeof h);
    n += h == handler;
  }
  return n;
}

static void test_loop_shape(void) {
  Fixture fx;
  if (!fx_setup(&fx)) {
    CHECK(false);
    return;
  }
  const void *const *labels = interp_labels();
  const IFunc *f = fx.module->funcs[0].native;
  CHECK_EQ_U64(count_handler(f, labels[IOP_CONST_V]), 1); /* the prologue */
  CHECK_EQ_U64(count_handler(f, labels[OP_I32X4_ADD]), 1);
  CHECK_EQ_U64(count_handler(f, labels[IOP_I32X4_SHL_I]), 1);
  CHECK_EQ_U64(count_handler(f, labels[OP_I32X4_SHL]), 0);
  CHECK_EQ_U64(count_handler(f, labels[IOP_MOV_V]), 0);
  ValRaw v[1] = {{0}};
  v[0].i32 = 3;
  Trap *trap = NULL;
  CHECK(rt_call(fx.store, export_func(&fx, "pooled"), v, 1, &trap) == OK);
  CHECK(is_i32x4(&v[0], 14, 28, 42, 56));
  fx_teardown(&fx);
}

static void test_array_abi(void) {
  Fixture fx;
  if (!fx_setup(&fx)) {
    CHECK(false);
    return;
  }
  ValRaw v[3];
  memset(v, 0xee, sizeof v);
  v[0].i32 = 5;
  v[0].u64[1] = 0;
  set_i32x4(&v[1], 1, 2, 3, 0xffffffff);
  v[2].f64 = 0x4000000000000000ull;
  v[2].u64[1] = 0;
  Trap *trap = NULL;
  CHECK(rt_call(fx.store, export_func(&fx, "mix"), v, 3, &trap) == OK);
  CHECK(is_i32x4(&v[0], 5, 5, 5, 5));
  CHECK_EQ_U64(v[1].i32, 7);
  CHECK(is_i32x4(&v[2], 1, 2, 3, 0xffffffff));
  /* wasm -> host -> wasm: (v + 3 per i32 lane) + splat(3000) per i64 lane */
  ValRaw w[1];
  set_i32x4(&w[0], 10, 0, 20, 0);
  CHECK(rt_call(fx.store, export_func(&fx, "via-host"), w, 1, &trap) == OK);
  CHECK(is_i32x4(&w[0], 3013, 3, 3023, 3));
  fx_teardown(&fx);
}

TEST_MAIN("simd_interp", TEST_CASE(test_loop_shape), TEST_CASE(test_array_abi))
