/* WASI through the real runtime: WAT modules importing wasi_snapshot_preview1
 * functions, linked with wasi_define, instantiated and run by the interpreter.
 * Checks output on a pipe standing in for stdout, proc_exit's code, that a bad
 * guest pointer is an errno (never a crash), and import type checking. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "interp/interp.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"
#include "test.h"
#include "wasi/wasi.h"

typedef struct Run {
    Engine *engine;
    Store *store;
    RtModule *module;
    Linker *linker;
    Wasi *wasi;
    Instance *inst;
    int out[2];
    Err err;       /* of rt_call */
    Trap *trap;
    ValRaw result; /* of the called export */
    char output[256];
} Run;

static bool run_setup(Run *r, const char *wat, Diag *diag) {
    memset(r, 0, sizeof *r);
    /* non-blocking: the Wasi holds a dup of the write end until wasi_delete */
    if (pipe2(r->out, O_NONBLOCK) != 0)
        return false;
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    WasiConfig wcfg;
    wasi_config_default(&wcfg);
    const char *args[] = {"prog", "arg1"};
    wcfg.args = args;
    wcfg.n_args = 2;
    wcfg.stdout_fd = r->out[1];
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    bool ok = rt_engine_new(&cfg, &r->engine, diag) == OK &&
              wat_parse_module(wat, strlen(wat), "wasi.wat", &bytes, diag) == OK &&
              rt_module_new(r->engine, bytes.data, bytes.len, &r->module, diag) == OK &&
              rt_store_new(r->engine, &r->store, diag) == OK &&
              (r->linker = rt_linker_new()) != NULL &&
              wasi_new(&wcfg, &r->wasi, diag) == OK &&
              wasi_define(r->wasi, r->linker, r->store, diag) == OK &&
              rt_linker_instantiate(r->linker, r->store, r->module, &r->inst, &trap, diag) == OK;
    buf_fini(&bytes);
    rt_trap_delete(trap);
    return ok;
}

/* Call export `name` (no params, at most one result) and collect stdout. */
static void run_call(Run *r, const char *name) {
    Extern ext;
    if (!rt_instance_export(r->inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC) {
        r->err = ERR_USAGE;
        return;
    }
    ValRaw vals[1] = {{0}};
    r->err = rt_call(r->store, ext.func, vals, 1, &r->trap);
    r->result = vals[0];
    close(r->out[1]);
    r->out[1] = -1;
    ssize_t n = read(r->out[0], r->output, sizeof r->output - 1);
    r->output[n > 0 ? n : 0] = '\0';
}

static void run_teardown(Run *r) {
    rt_trap_delete(r->trap);
    rt_store_delete(r->store);
    rt_module_release(r->module);
    rt_linker_delete(r->linker);
    wasi_delete(r->wasi);
    rt_engine_delete(r->engine);
    close(r->out[0]);
    if (r->out[1] >= 0)
        close(r->out[1]);
}

static const char hello_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\"\n"
    "    (func $args_sizes_get (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $proc_exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"hello, wasi\\n\")\n"
    "  (func (export \"_start\")\n"
    "    (i32.store (i32.const 0) (i32.const 16))\n"
    "    (i32.store (i32.const 4) (i32.const 12))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))\n"
    "  (func (export \"bad_pointer\") (result i32)\n"
    "    (call $fd_write (i32.const 1) (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)))\n"
    "  (func (export \"argc\") (result i32)\n"
    "    (drop (call $args_sizes_get (i32.const 100) (i32.const 104)))\n"
    "    (i32.load (i32.const 100)))\n"
    "  (func (export \"exit\") (call $proc_exit (i32.const 3)) (unreachable))\n"
    ")\n";

static void test_hello(void) {
    alarm(60); /* never hang the suite */
    Run r;
    Diag diag;
    bool ok = run_setup(&r, hello_wat, &diag);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "setup: %s\n", diag.msg);
        return;
    }
    run_call(&r, "_start");
    CHECK_EQ_U64(r.err, OK);
    CHECK_STR(r.output, "hello, wasi\n");
    int code;
    CHECK(!wasi_exit_status(r.wasi, &code));
    run_teardown(&r);
}

static void test_bad_pointer(void) {
    Run r;
    Diag diag;
    CHECK(run_setup(&r, hello_wat, &diag));
    run_call(&r, "bad_pointer");
    CHECK_EQ_U64(r.err, OK);
    CHECK_EQ_U64(r.result.i32, 21); /* errno::fault */
    CHECK_STR(r.output, "");
    run_teardown(&r);
}

static void test_args(void) {
    Run r;
    Diag diag;
    CHECK(run_setup(&r, hello_wat, &diag));
    run_call(&r, "argc");
    CHECK_EQ_U64(r.err, OK);
    CHECK_EQ_U64(r.result.i32, 2);
    run_teardown(&r);
}

static void test_exit(void) {
    Run r;
    Diag diag;
    CHECK(run_setup(&r, hello_wat, &diag));
    run_call(&r, "exit");
    CHECK_EQ_U64(r.err, ERR_TRAP);
    CHECK(r.trap != NULL && r.trap->code == TRAP_HOST);
    int code = -1;
    CHECK(wasi_exit_status(r.wasi, &code));
    CHECK_EQ_U64(code, 3);
    run_teardown(&r);
}

/* An import with the wrong signature is a link error, not a crash later. */
static void test_bad_signature(void) {
    static const char wat[] =
        "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32) (result i32)))\n"
        "  (memory (export \"memory\") 1))\n";
    Run r;
    Diag diag;
    CHECK(!run_setup(&r, wat, &diag));
    CHECK(r.inst == NULL);
    run_teardown(&r);
}

TEST_MAIN("wasi_module", TEST_CASE(test_hello), TEST_CASE(test_bad_pointer), TEST_CASE(test_args),
          TEST_CASE(test_exit), TEST_CASE(test_bad_signature))
