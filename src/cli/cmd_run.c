/* `wasmc run [OPTIONS] [--] FILE.wasm|FILE.wat [ARGS...]`: compile and
 * instantiate a module with the chosen tier (--tier), with WASI preview1 when it
 * imports wasi_snapshot_preview1, then call NAME (--invoke) with ARGS parsed
 * by its parameter types and print each result on its own line, or run
 * `_start`. Fuel, a per-memory limit and an epoch-based timeout bound the
 * run. Options and the usage text: cmd_run_args.c; the watchdog:
 * cmd_run_timer.c. Exit status: the guest's proc_exit code, 0 when it
 * returns, RUN_EXIT_TRAP (134) on a trap (message and wasm backtrace on
 * stderr), 1 when loading/linking fails, 2 usage. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_run.h"
#include "interp/interp.h"

/* Everything one run owns; torn down in reverse. */
typedef struct RunCtx {
    Engine *engine;
    Store *store;
    RtModule *module;
    CliLinker linker;
    bool has_linker;
    Wasi *wasi; /* when the module imports WASI; outlives the store */
    Instance *inst;
    RunTimer *timer;
    bool timed_out;
} RunCtx;

/* ---- Loading -------------------------------------------------------------------------------- */

static Err load(RunCtx *cx, const char *path, Diag *diag) {
    uint8_t *data;
    size_t len;
    TRY(os_read_file(path, &data, &len, diag));
    Err err;
    if (cli_is_binary(path, data, len)) {
        err = rt_module_new(cx->engine, data, len, &cx->module, diag);
    } else {
        ByteBuf bytes;
        buf_init(&bytes);
        err = wat_parse_module((const char *)data, len, path, &bytes, diag);
        if (err == OK && bytes.failed)
            err = FAIL_NOMEM(diag);
        if (err == OK)
            err = rt_module_new(cx->engine, bytes.data, bytes.len, &cx->module, diag);
        buf_fini(&bytes);
    }
    mem_free(data);
    return err;
}

static bool imports_wasi(const Module *ir) {
    size_t len = strlen(WASI_MODULE_NAME);
    for (uint32_t i = 0; i < ir->n_imports; i++)
        if (ir->imports[i].module.len == len &&
            memcmp(ir->imports[i].module.str, WASI_MODULE_NAME, len) == 0)
            return true;
    return false;
}

/* WASI for this run: args[0] and the program's arguments, the environment,
 * the pre-opened directories, the process's standard streams. */
static Err define_wasi(RunCtx *cx, const RunArgs *a, Diag *diag) {
    const char **args = mem_calloc((size_t)a->n_args + 1, sizeof *args);
    const char **env = NULL;
    uint32_t n_env = 0;
    if (!args || !cli_run_build_env(a, &env, &n_env)) {
        mem_free(args);
        return FAIL_NOMEM(diag);
    }
    args[0] = a->argv0 ? a->argv0 : a->file;
    for (int i = 0; i < a->n_args; i++)
        args[i + 1] = a->args[i];
    WasiConfig cfg;
    wasi_config_default(&cfg);
    cfg.args = args;
    cfg.n_args = (uint32_t)a->n_args + 1;
    cfg.env = env;
    cfg.n_env = n_env;
    cfg.preopens = a->dirs.data;
    cfg.n_preopens = (uint32_t)a->dirs.len;
    Err err = wasi_new(&cfg, &cx->wasi, diag);
    mem_free(args);
    mem_free(env);
    TRY(err);
    return wasi_define(cx->wasi, cx->linker.linker, cx->store, diag);
}

/* The host modules a program may import: WASI preview1. */
static Err define_imports(RunCtx *cx, const RunArgs *a, Diag *diag) {
    if (imports_wasi(cx->module->ir))
        TRY(define_wasi(cx, a, diag));
    return OK;
}

static Err setup(RunCtx *cx, const RunArgs *a, Diag *diag) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = a->tier ? a->tier : cli_default_tier();
    cfg.consume_fuel = a->use_fuel;
    cfg.epoch_interruption = a->timeout_ns > 0;
    cfg.nan_canonicalization = a->nan_canonicalization;
    cfg.perf_map = a->perf_map;
    TRY(rt_engine_new(&cfg, &cx->engine, diag));
    TRY(load(cx, a->file, diag));
    TRY(rt_store_new(cx->engine, &cx->store, diag));
    if (a->use_fuel)
        rt_store_set_fuel(cx->store, a->fuel);
    if (a->use_max_memory)
        rt_store_set_memory_limit(cx->store, a->max_memory);
    if (a->timeout_ns)
        rt_store_set_epoch_deadline(cx->store, 1);
    TRY(cli_linker_init(&cx->linker, cx->store, NULL, diag));
    cx->has_linker = true;
    return define_imports(cx, a, diag);
}

static void teardown(RunCtx *cx) {
    cli_run_timer_stop(cx->timer);
    if (cx->has_linker)
        cli_linker_fini(&cx->linker);
    rt_store_delete(cx->store);
    wasi_delete(cx->wasi);
    rt_module_release(cx->module);
    rt_engine_delete(cx->engine);
}

/* ---- Traps and exits --------------------------------------------------------------------------
 */

/* A frame's function name: the name section's, else an export's (only one
 * wasm module runs here, so frames index its function space). */
static void frame_name(const RunCtx *cx, const TrapFrame *f, char *buf, size_t size) {
    if (f->func_name) {
        snprintf(buf, size, "%s", f->func_name);
        return;
    }
    const Module *ir = cx->module ? cx->module->ir : NULL;
    for (uint32_t i = 0; ir && i < ir->n_exports; i++) {
        const Export *e = &ir->exports[i];
        if (e->kind == EXTERN_FUNC && e->index == f->func_index) {
            snprintf(buf, size, "<export \"%.*s\">", (int)e->name.len, e->name.str);
            return;
        }
    }
    snprintf(buf, size, "<unnamed>");
}

static void print_trap(const RunCtx *cx, const RunArgs *a, const Trap *trap) {
    fprintf(stderr, "wasmc: trap: %s\n", rt_trap_text(trap));
    if (trap->code == TRAP_INTERRUPT && cx->timed_out)
        fprintf(stderr, "wasmc: the --timeout of %s elapsed\n", a->timeout_text);
    if (!trap->n_frames)
        return;
    fprintf(stderr, "wasm backtrace:\n");
    for (uint32_t i = 0; i < trap->n_frames; i++) {
        const TrapFrame *f = &trap->frames[i];
        char name[160];
        frame_name(cx, f, name, sizeof name);
        fprintf(stderr, "  %2u: 0x%06" PRIx32 " - %s%s%s (func %" PRIu32 ")\n", i, f->code_offset,
                f->module_name ? f->module_name : "", f->module_name ? "!" : "", name,
                f->func_index);
    }
}

/* The exit status for a trap: the guest's proc_exit code, or the trap
 * reported (takes ownership of trap, which may be NULL). */
static int trap_status(RunCtx *cx, const RunArgs *a, Trap *trap) {
    int code;
    int status = RUN_EXIT_TRAP;
    if (cx->wasi && wasi_exit_status(cx->wasi, &code)) {
        status = code;
    } else {
        cx->timed_out = cli_run_timer_stop(cx->timer);
        cx->timer = NULL;
        if (trap)
            print_trap(cx, a, trap);
        else
            fprintf(stderr, "wasmc run: call failed\n");
    }
    rt_trap_delete(trap);
    return status;
}

/* ---- Calling -------------------------------------------------------------------------------- */

static int parse_call_args(const RunArgs *a, const char *name, const FuncType *ft, ValRaw *vals) {
    if ((uint32_t)a->n_args != ft->n_params) {
        char ty[256];
        cli_format_func_type(ft, ty, sizeof ty);
        fprintf(stderr, "wasmc run: '%s' takes %u arguments, %d given: %s\n", name, ft->n_params,
                a->n_args, ty);
        return 2;
    }
    for (uint32_t i = 0; i < ft->n_params; i++) {
        if (!cli_parse_value(a->args[i], ft->params[i], &vals[i])) {
            char ty[48];
            ir_format_valtype(ft->params[i], ty, sizeof ty);
            fprintf(stderr, "wasmc run: argument %u '%s' is not a valid %s\n", i + 1, a->args[i],
                    ty);
            return 2;
        }
    }
    return -1;
}

/* Call the function `ext` with `a`'s arguments (none unless `typed`);
 * print the results. */
static int call(RunCtx *cx, const RunArgs *a, const char *name, Extern ext, bool typed) {
    const FuncType *ft = rt_func_type(cx->engine, ext.func);
    uint32_t count = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    ValRaw *vals = mem_calloc(count ? count : 1, sizeof *vals);
    if (!vals) {
        fprintf(stderr, "wasmc run: out of memory\n");
        return 1;
    }
    RunArgs none = {.n_args = 0};
    int status = parse_call_args(typed ? a : &none, name, ft, vals);
    Trap *trap = NULL;
    if (status < 0 && rt_call(cx->store, ext.func, vals, count, &trap) != OK)
        status = trap_status(cx, a, trap);
    for (uint32_t i = 0; status < 0 && i < ft->n_results; i++) {
        char text[128];
        cli_format_value(ft->results[i], &vals[i], text, sizeof text);
        printf("%s\n", text);
    }
    mem_free(vals);
    return status < 0 ? 0 : status;
}

static bool export_func(RunCtx *cx, const char *name, Extern *out) {
    return rt_instance_export(cx->inst, name, strlen(name), out) && out->kind == EXTERN_FUNC;
}

/* After instantiation: `_initialize` (a reactor's constructor) unless it is
 * the function asked for, then --invoke NAME or `_start`. */
static int run_exports(RunCtx *cx, const RunArgs *a) {
    Extern ext;
    const char *name = a->invoke ? a->invoke : "_start";
    if (strcmp(name, "_initialize") != 0 && export_func(cx, "_initialize", &ext) &&
        !export_func(cx, "_start", &(Extern){0})) {
        int status = call(cx, a, "_initialize", ext, false);
        if (status != 0)
            return status;
    }
    if (!export_func(cx, name, &ext)) {
        if (!a->invoke)
            return 0;
        fprintf(stderr, "wasmc run: %s: no exported function '%s'\n", a->file, name);
        return 1;
    }
    return call(cx, a, name, ext, a->invoke != NULL);
}

static int run(RunCtx *cx, const RunArgs *a) {
    Diag diag;
    diag_clear(&diag);
    if (setup(cx, a, &diag) != OK) {
        char where[DIAG_MSG_MAX + 64];
        diag_format(&diag, where, sizeof where);
        fprintf(stderr, "wasmc run: %s: %s\n", a->file, where);
        return 1;
    }
    if (a->timeout_ns &&
        !(cx->timer = cli_run_timer_start(cx->engine, a->timeout_ns, a->timeout_text))) {
        fprintf(stderr, "wasmc run: cannot start the --timeout thread\n");
        return 1;
    }
    Trap *trap = NULL;
    Err err = cli_linker_instantiate(&cx->linker, cx->module, &cx->inst, &trap, &diag);
    if (err == ERR_TRAP)
        return trap_status(cx, a, trap);
    if (err != OK) {
        fprintf(stderr, "wasmc run: %s: %s\n", a->file, diag.msg);
        return 1;
    }
    return run_exports(cx, a);
}

int cli_run(int argc, char **argv) {
    int comp_status = cli_run_component(argc, argv); /* cmd_run_component.c */
    if (comp_status >= 0)
        return comp_status;
    RunArgs a = {0};
    int status = cli_run_parse_args(argc, argv, &a);
    if (status < 0) {
        RunCtx cx = {0};
        status = run(&cx, &a);
        fflush(stdout);
        teardown(&cx);
    }
    cli_run_args_fini(&a);
    return status;
}
