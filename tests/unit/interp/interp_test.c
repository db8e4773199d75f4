/* The interpreter tier end to end: the translated code's shape (fusions really
 * happen), trap backtraces (function index, name, exact wasm offset, also
 * after a guard-page fault), host calls re-entering wasm, and fuel charged in
 * a callee. */
#include "interp/interp_int.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"cb\" (func $cb (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (func $count (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (loop $l\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))\n"
    "    (local.get 1))\n"
    "  (func $inner (param i32) (result i32)\n"
    "    (i32.div_u (i32.const 1) (local.get 0)))\n"
    "  (func $outer (export \"outer\") (param i32) (result i32)\n"
    "    (i32.add (call $inner (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"outer-addi\") (param i32) (result i32)\n"
    "    (call $inner (i32.add (local.get 0) (i32.const -1))))\n"
    "  (func (export \"oob\") (param i32) (result i32)\n"
    "    (i32.load (local.get 0)))\n"
    "  (func (export \"copy\") (param i32 i32) (result i32)\n"
    "    (i32.store (local.get 1) (i32.load (local.get 0))) (i32.const 0))\n"
    "  (func (export \"copy3\") (param i32 i32) (result i32)\n"
    "    (i32.store8 (local.get 1) (i32.load8_u (local.get 0)))\n"
    "    (i32.store8 (i32.add (local.get 1) (i32.const 1))\n"
    "                (i32.load8_u (i32.add (local.get 0) (i32.const 1))))\n"
    "    (i32.store8 (i32.add (local.get 1) (i32.const 2))\n"
    "                (i32.load8_u (i32.add (local.get 0) (i32.const 2))))\n"
    "    (i32.const 0))\n"
    "  (func (export \"ld-funnel\") (param i32 i32) (result i32)\n"
    "    (local i32)\n"
    "    (i32.store (local.get 1)\n"
    "      (i32.or (i32.shl (local.tee 2 (i32.load (local.get 0)))\n"
    "                       (i32.const 8))\n"
    "              (i32.shr_u (local.get 2) (i32.const 24))))\n"
    "    (i32.const 0))\n"
    "  (func (export \"via-host\") (param i32) (result i32)\n"
    "    (i32.add (call $cb (local.get 0)) (i32.const 1000)))\n"
    "  (func (export \"load-br\") (param i32 i32) (result i32)\n"
    "    (block (br_if 0 (i32.eqz (i32.load (local.get 0)))))\n"
    "    (i32.load (local.get 1)))\n"
    "  (func (export \"mac3i\") (param i32 i32) (result i32) (local f64)\n"
    "    (local.set 2 (f64.load (i32.const 1024)))\n"
    "    (f64.store (local.get 1) (f64.add (f64.mul (local.get 2)\n"
    "      (f64.load (local.get 0))) (f64.load (local.get 1))))\n"
    "    (f64.store (i32.add (local.get 1) (i32.const 8)) (f64.add (f64.mul (local.get 2)\n"
    "      (f64.load (i32.add (local.get 0) (i32.const 8))))\n"
    "      (f64.load (i32.add (local.get 1) (i32.const 8)))))\n"
    "    (f64.store (i32.add (local.get 1) (i32.const 16)) (f64.add (f64.mul (local.get 2)\n"
    "      (f64.load (i32.add (local.get 0) (i32.const 16))))\n"
    "      (f64.load (i32.add (local.get 1) (i32.const 16)))))\n"
    "    (i32.const 0))\n"
    "  (func (export \"ret-addi\") (param i32) (result i32)\n"
    "    (i32.add (local.get 0) (i32.const -7)))\n"
    "  (func (export \"cube\") (param i32) (result i32) (local f64)\n"
    "    (local.set 1 (f64.convert_i32_s (local.get 0)))\n"
    "    (i32.trunc_f64_s (f64.mul (f64.mul (local.get 1) (local.get 1)) (local.get 1))))\n"
    "  (func (export \"inc3\") (param $n i32) (result i32) (local $x i32) (local $y i32)\n"
    "    (loop $l\n"
    "      (local.set $x (i32.add (local.get $x) (i32.const 1)))\n"
    "      (local.set $y (i32.add (local.get $y) (i32.const 2)))\n"
    "      (local.set $n (i32.add (local.get $n) (i32.const -1)))\n"
    "      (br_if $l (local.get $n)))\n"
    "    (i32.add (local.get $x) (i32.mul (local.get $y) (i32.const 1000))))\n"
    "  (func (export \"elem2\") (param i32 i32) (result i32)\n"
    "    (i32.add (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))\n"
    "      (i32.load8_u (i32.add (local.get 1) (i32.shl (local.get 0) (i32.const 3))))))\n"
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

/* Calls "count" with arg - 1 (re-entering wasm), or returns arg at 0. */
static Trap *host_cb(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                     uint32_t n_results) {
  (void)env, (void)caller, (void)n_params, (void)n_results;
  ValRaw v[1] = {{0}};
  v[0].i32 = args[0].i32 * 2;
  Trap *trap = NULL;
  if (rt_call(current->store, export_func(current, "count"), v, 1, &trap) != OK)
    return trap;
  args[0].i32 = v[0].i32;
  return NULL;
}

static bool fx_setup(Fixture *fx, bool fuel) {
  memset(fx, 0, sizeof *fx);
  current = fx;
  EngineConfig cfg;
  rt_engine_config_default(&cfg);
  cfg.tier = &interp_tier;
  cfg.consume_fuel = fuel;
  Diag diag;
  ByteBuf bytes;
  buf_init(&bytes);
  Trap *trap = NULL;
  ValType i32 = ir_valtype(VK_I32);
  uint32_t canon;
  bool ok =
      rt_engine_new(&cfg, &fx->engine, &diag) == OK &&
      wat_parse_module(wat, sizeof wat - 1, "interp.wat", &bytes, &diag) ==
          OK &&
      rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &diag) ==
          OK &&
      rt_store_new(fx->engine, &fx->store, &diag) == OK &&
      rt_engine_func_type(fx->engine, &i32, 1, &i32, 1, &canon, &diag) == OK;
  if (ok) {
    Extern imp = {.kind = EXTERN_FUNC};
    imp.func = rt_host_func_new(fx->store, canon, host_cb, NULL, NULL);
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

static Err call1(Fixture *fx, const char *name, int32_t arg, int32_t *out,
                 Trap **out_trap) {
  ValRaw v[1] = {{0}};
  v[0].i32 = arg;
  Err err = rt_call(fx->store, export_func(fx, name), v, 1, out_trap);
  *out = v[0].i32;
  return err;
}

/* The code offset of the trap from func (s, d); 0 if none. */
static uint32_t copy_trap_offset(Fixture *fx, const char *func, int32_t s,
                                 int32_t d) {
  ValRaw v[2] = {{0}, {0}};
  v[0].i32 = s;
  v[1].i32 = d;
  Trap *trap = NULL;
  uint32_t off = 0;
  if (rt_call(fx->store, export_func(fx, func), v, 2, &trap) == ERR_TRAP &&
      trap && trap->code == TRAP_MEM_OOB && trap->n_frames)
    off = trap->frames[0].code_offset;
  rt_trap_delete(trap);
  return off;
}

/* Instructions (by handler) in a function's code, up to its first RET. */
static uint32_t count_instrs(const IFunc *f, const void *handler,
                             uint32_t *out_total) {
  const void *const *labels = interp_labels();
  uint32_t n = 0, total = 0;
  const uint8_t *ip = f->code;
  for (;;) {
    const void *h = ((const IHdr *)ip)->h;
    total++;
    n += h == handler;
    if (h == labels[IOP_RET0] || h == labels[IOP_RET1] || total > 64)
      break;
    if (h == labels[IOP_MOV] || h == labels[IOP_CONST32] ||
        h == labels[IOP_RET1])
      ip += sizeof(IUn);
    else
      ip += sizeof(IBin); /* every other op in "count" is 24 bytes */
  }
  *out_total = total;
  return n;
}

static void test_fused_loop_shape(void) {
  Fixture fx;
  if (!fx_setup(&fx, false)) {
    CHECK(false);
    return;
  }
  const void *const *labels = interp_labels();
  const IFunc *count = fx.module->funcs[0].native;
  uint32_t total;
  /* local.set (add local const) -> an add-immediate writing the local,
   * lt_u + br_if -> a compare-and-branch, and the two -> one increment-
   * compare-and-branch; then return of local 1. */
  CHECK_EQ_U64(count_instrs(count, labels[IOP_I32_ADD_I], &total), 0);
  CHECK_EQ_U64(count_instrs(count, labels[IOP_I32_LT_U_IB], &total), 1);
  CHECK_EQ_U64(total, 2);
  int32_t r;
  Trap *trap = NULL;
  CHECK(call1(&fx, "count", 1000, &r, &trap) == OK);
  CHECK_EQ_U64(r, 1000);
  fx_teardown(&fx);
}

static void test_backtrace(void) {
  Fixture fx;
  if (!fx_setup(&fx, false)) {
    CHECK(false);
    return;
  }
  int32_t r;
  Trap *trap = NULL;
  CHECK(call1(&fx, "outer", 0, &r, &trap) == ERR_TRAP);
  if (trap) {
    CHECK(trap->code == TRAP_DIV_ZERO);
    CHECK_EQ_U64(trap->n_frames, 2);
    if (trap->n_frames == 2) {
      CHECK_EQ_U64(trap->frames[0].func_index, 2); /* $inner (after 1 import) */
      CHECK_EQ_U64(trap->frames[1].func_index, 3); /* $outer */
      /* text modules carry no name section unless asked to */
      CHECK(!trap->frames[0].func_name ||
            !strcmp(trap->frames[0].func_name, "inner"));
      CHECK(trap->frames[1].code_offset > trap->frames[0].code_offset);
    }
    rt_trap_delete(trap);
    trap = NULL;
  }
  /* The last argument's add done by the call op: the caller's frame names
   * the call, 13 bytes after outer's (outer's body is 10 bytes, the add 5
   * more before the call) */
  uint32_t outer_call = 0, addi_call = 0;
  for (int k = 0; k < 2; k++) {
    trap = NULL;
    CHECK(call1(&fx, k ? "outer-addi" : "outer", k, &r, &trap) == ERR_TRAP);
    if (trap && trap->n_frames == 2)
      *(k ? &addi_call : &outer_call) = trap->frames[1].code_offset;
    rt_trap_delete(trap);
  }
  CHECK(outer_call > 0);
  CHECK_EQ_U64(addi_call, outer_call + 13);
  const IFunc *oa = fx.module->funcs[3].native;
  CHECK(((const IHdr *)oa->code)->h ==
        interp_labels()[IOP_CALL_ADDI]);
  trap = NULL;
  /* A guard-page fault: the frame's offset names the load itself. */
  CHECK(call1(&fx, "oob", 65536, &r, &trap) == ERR_TRAP);
  if (trap) {
    CHECK(trap->code == TRAP_MEM_OOB);
    CHECK_EQ_U64(trap->n_frames, 1);
    if (trap->n_frames)
      CHECK(trap->frames[0].code_offset > 0);
    rt_trap_delete(trap);
  }
  trap = NULL;
  CHECK(call1(&fx, "oob", 65532, &r, &trap) == OK);
  CHECK_EQ_U64(r, 0);
  /* A load and a store of its value run as one copy op: a fault names the
   * load or the store (i32.load is 3 bytes: opcode, align, offset). */
  uint32_t load_off = copy_trap_offset(&fx, "copy", 65536, 0);
  uint32_t store_off = copy_trap_offset(&fx, "copy", 0, 65536);
  CHECK(load_off > 0);
  CHECK_EQ_U64(store_off, load_off + 3);
  /* Consecutive byte copies run as one op: a fault names its byte's load
   * or store (the first byte's, then the third's). */
  uint32_t first_load = copy_trap_offset(&fx, "copy3", 65536, 0);
  uint32_t third_load = copy_trap_offset(&fx, "copy3", 65534, 0);
  uint32_t third_store = copy_trap_offset(&fx, "copy3", 0, 65534);
  CHECK(first_load > 0 && third_load > first_load + 6);
  CHECK_EQ_U64(third_store, third_load + 3);
  /* A load, shifts of the loaded local and the store of the result run as
   * one op: a fault names the load or the store, 14 bytes later. */
  const IFunc *ldf = fx.module->funcs[7].native;
  CHECK(((const IHdr *)ldf->code)->h == interp_labels()[IOP_I32_LD_FUNNEL_ST]);
  load_off = copy_trap_offset(&fx, "ld-funnel", 65536, 0);
  store_off = copy_trap_offset(&fx, "ld-funnel", 0, 65536);
  CHECK(load_off > 0);
  CHECK_EQ_U64(store_off, load_off + 14);
  /* A load and a branch on its value run as one op: a fault names the
   * load, 9 bytes before the next load (eqz, br_if, end, local.get). */
  const IFunc *lbr = fx.module->funcs[9].native;
  CHECK(((const IHdr *)lbr->code)->h == interp_labels()[IOP_LOAD_BR_EQZ]);
  uint32_t first = copy_trap_offset(&fx, "load-br", 65536, 0);
  uint32_t second = copy_trap_offset(&fx, "load-br", 0, 65536);
  CHECK(first > 0);
  CHECK_EQ_U64(second, first + 9);
  fx_teardown(&fx);
}

/* Newer fused forms: their shape, results, and for the MAC group the wasm
 * offsets its faults report. */
static void test_groups(void) {
  Fixture fx;
  if (!fx_setup(&fx, false)) {
    CHECK(false);
    return;
  }
  const void *const *labels = interp_labels();
  /* three MACs at consecutive elements: one F64_MACN after the load of a */
  const IFunc *f = fx.module->funcs[10].native;
  const uint8_t *mac = f->code + sizeof(IMem);
  CHECK(((const IHdr *)mac)->h == labels[IOP_F64_MACN]);
  CHECK_EQ_U64(((const IMacN *)mac)->n, 3);
  /* a fault names the load at fault: b of the second, its c 9 bytes later
   * (f64.load, f64.mul, local.get, i32.const, i32.add), b of the third 19
   * bytes after that */
  uint32_t b2 = copy_trap_offset(&fx, "mac3i", 65528, 0);
  uint32_t c2 = copy_trap_offset(&fx, "mac3i", 0, 65528);
  uint32_t b3 = copy_trap_offset(&fx, "mac3i", 65520, 0);
  CHECK(b2 > 0);
  CHECK_EQ_U64(c2, b2 + 9);
  CHECK_EQ_U64(b3, c2 + 19);
  int32_t r = 0;
  Trap *trap = NULL;
  f = fx.module->funcs[11].native;
  CHECK(((const IHdr *)f->code)->h == labels[IOP_RET_ADDI]);
  CHECK(call1(&fx, "ret-addi", 5, &r, &trap) == OK);
  CHECK_EQ_U64((uint32_t)r, (uint32_t)-2);
  f = fx.module->funcs[12].native;
  const uint8_t *cube = f->code + sizeof(IUn);
  CHECK(((const IHdr *)cube)->h == labels[IOP_F64_MUL2]);
  CHECK(call1(&fx, "cube", -3, &r, &trap) == OK);
  CHECK_EQ_U64((uint32_t)r, (uint32_t)-27);
  f = fx.module->funcs[13].native;
  CHECK(((const IHdr *)f->code)->h == labels[IOP_I32_INC3_BR_NEZ]);
  CHECK(call1(&fx, "inc3", 5, &r, &trap) == OK);
  CHECK_EQ_U64(r, 10005);
  /* array element loads at (index << k) + base: a fault names its load,
   * the second 11 bytes after the first */
  f = fx.module->funcs[14].native;
  CHECK(((const IHdr *)f->code)->h == labels[IOP_I32_LOAD_X]);
  CHECK(((const IHdr *)(f->code + sizeof(IMemX)))->h == labels[IOP_I32_LOAD8_U_X]);
  uint32_t first = copy_trap_offset(&fx, "elem2", 65536, 0);
  uint32_t second = copy_trap_offset(&fx, "elem2", 8192, 0);
  CHECK(first > 0);
  CHECK_EQ_U64(second, first + 11);
  fx_teardown(&fx);
}

static void test_host_reentry(void) {
  Fixture fx;
  if (!fx_setup(&fx, false)) {
    CHECK(false);
    return;
  }
  int32_t r = 0;
  Trap *trap = NULL;
  CHECK(call1(&fx, "via-host", 21, &r, &trap) == OK);
  CHECK_EQ_U64(r, 1042);
  /* A trap in the nested entry, then the outer one still works. */
  CHECK(call1(&fx, "outer", 0, &r, &trap) == ERR_TRAP);
  rt_trap_delete(trap);
  trap = NULL;
  CHECK(call1(&fx, "via-host", 5, &r, &trap) == OK);
  CHECK_EQ_U64(r, 1010);
  fx_teardown(&fx);
}

static void test_fuel_in_callee(void) {
  Fixture fx;
  if (!fx_setup(&fx, true)) {
    CHECK(false);
    return;
  }
  int32_t r = 0;
  Trap *trap = NULL;
  rt_store_set_fuel(fx.store, 1000);
  CHECK(call1(&fx, "via-host", 1000, &r, &trap) == ERR_TRAP);
  CHECK(trap && trap->code == TRAP_OUT_OF_FUEL);
  rt_trap_delete(trap);
  trap = NULL;
  rt_store_set_fuel(fx.store, 1000000);
  CHECK(call1(&fx, "via-host", 1000, &r, &trap) == OK);
  CHECK_EQ_U64(r, 3000);
  uint64_t left = rt_store_get_fuel(fx.store);
  /* one unit per wasm instruction: "count" runs 2000 iterations of 8-11 */
  CHECK(left < 1000000 - 2000 * 8 && left > 1000000 - 2000 * 12);
  fx_teardown(&fx);
}

TEST_MAIN("interp", TEST_CASE(test_fused_loop_shape), TEST_CASE(test_backtrace),
          TEST_CASE(test_groups),
          TEST_CASE(test_host_reentry), TEST_CASE(test_fuel_in_callee))
