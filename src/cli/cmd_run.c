/* `wasmc run [--invoke NAME] [--fuel N] FILE.wasm|FILE.wat [ARGS...]`:
 * compile and instantiate a module with the interpreter tier, then call
 * NAME with ARGS parsed by its parameter types (or `_start` when it is
 * exported) and print each result on its own line. Imports are resolved by
 * a CliLinker: define_imports() is where host modules (WASI) join. A trap
 * prints "wasmc: trap: MESSAGE" and the wasm backtrace to stderr.
 * Exit status: 0 ok, 1 failure or trap, 2 usage. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp/interp.h"
#include "cli.h"

typedef struct RunArgs {
    const char *invoke; /* NULL: run _start if exported */
    bool use_fuel;
    uint64_t fuel;
    const char *file;
    int n_args;
    char **args;
} RunArgs;

/* Everything one run owns; torn down in reverse. */
typedef struct RunCtx {
    Engine *engine;
    Store *store;
    RtModule *module;
    CliLinker linker;
    bool has_linker;
    Instance *inst;
} RunCtx;

static void usage(FILE *out) {
    fprintf(out, "usage: wasmc run [--invoke NAME] [--fuel N] FILE.wasm|FILE.wat [ARGS...]\n"
                 "  instantiates the module and calls NAME with ARGS (parsed by its parameter\n"
                 "  types: integers decimal or 0x hex, floats decimal, hex, inf, nan), or\n"
                 "  `_start` when exported; prints each result on its own line.\n"
                 "options:\n"
                 "  --invoke NAME   the export to call\n"
                 "  --fuel N        stop with a trap after N units of fuel\n");
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *end || errno)
        return false;
    *out = v;
    return true;
}

/* Options come before FILE; everything after FILE is the function's. */
static int parse_args(int argc, char **argv, RunArgs *a) {
    int i = 0;
    for (; i < argc && !a->file; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--invoke") == 0 && i + 1 < argc) {
            a->invoke = argv[++i];
        } else if (strcmp(arg, "--fuel") == 0 && i + 1 < argc && parse_u64(argv[i + 1], &a->fuel)) {
            a->use_fuel = true;
            i++;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "wasmc run: bad option or missing argument '%s'\n", arg);
            usage(stderr);
            return 2;
        } else {
            a->file = arg;
        }
    }
    if (!a->file) {
        usage(stderr);
        return 2;
    }
    a->n_args = argc - i;
    a->args = argv + i;
    return -1;
}

/* ---- Loading ---------------------------------------------------------------------------- */

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

/* The host modules a program may import. None yet: WASI
 * (wasi_snapshot_preview1) will define its functions here through
 * cli_linker_define. */
static Err define_imports(RunCtx *cx, const RunArgs *a, Diag *diag) {
    (void)cx;
    (void)a;
    (void)diag;
    return OK;
}

static Err setup(RunCtx *cx, const RunArgs *a, Diag *diag) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    cfg.consume_fuel = a->use_fuel;
    TRY(rt_engine_new(&cfg, &cx->engine, diag));
    TRY(load(cx, a->file, diag));
    TRY(rt_store_new(cx->engine, &cx->store, diag));
    if (a->use_fuel)
        rt_store_set_fuel(cx->store, a->fuel);
    TRY(cli_linker_init(&cx->linker, cx->store, NULL, diag));
    cx->has_linker = true;
    return define_imports(cx, a, diag);
}

static void teardown(RunCtx *cx) {
    if (cx->has_linker)
        cli_linker_fini(&cx->linker);
    rt_store_delete(cx->store);
    rt_module_release(cx->module);
    rt_engine_delete(cx->engine);
}

/* ---- Calling -------------------------------------------------------------------------------- */

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

static void print_trap(const RunCtx *cx, const Trap *trap) {
    fprintf(stderr, "wasmc: trap: %s\n", rt_trap_text(trap));
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

static int parse_call_args(const RunArgs *a, const FuncType *ft, ValRaw *vals) {
    if ((uint32_t)a->n_args != ft->n_params) {
        char ty[256];
        cli_format_func_type(ft, ty, sizeof ty);
        fprintf(stderr, "wasmc run: '%s' takes %u arguments, %d given: %s\n", a->invoke,
                ft->n_params, a->n_args, ty);
        return 2;
    }
    for (uint32_t i = 0; i < ft->n_params; i++) {
        if (!cli_parse_value(a->args[i], ft->params[i], &vals[i])) {
            char ty[48];
            cli_format_valtype(ft->params[i], ty, sizeof ty);
            fprintf(stderr, "wasmc run: argument %u '%s' is not a valid %s\n", i + 1, a->args[i],
                    ty);
            return 2;
        }
    }
    return -1;
}

/* Call `name` with the command-line arguments; print the results. */
static int call(RunCtx *cx, const RunArgs *a, const char *name) {
    Extern ext;
    if (!rt_instance_export(cx->inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC) {
        fprintf(stderr, "wasmc run: %s: no exported function '%s'\n", a->file, name);
        return 1;
    }
    const FuncType *ft = rt_func_type(cx->engine, ext.func);
    uint32_t count = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    ValRaw *vals = mem_calloc(count ? count : 1, sizeof *vals);
    if (!vals) {
        fprintf(stderr, "wasmc run: out of memory\n");
        return 1;
    }
    int status = parse_call_args(a, ft, vals);
    Trap *trap = NULL;
    if (status < 0 && rt_call(cx->store, ext.func, vals, count, &trap) != OK) {
        if (trap)
            print_trap(cx, trap);
        else
            fprintf(stderr, "wasmc run: call failed\n");
        status = 1;
    }
    for (uint32_t i = 0; status < 0 && i < ft->n_results; i++) {
        char text[128];
        cli_format_value(ft->results[i], &vals[i], text, sizeof text);
        printf("%s\n", text);
    }
    rt_trap_delete(trap);
    mem_free(vals);
    return status < 0 ? 0 : status;
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
    Trap *trap = NULL;
    Err err = cli_linker_instantiate(&cx->linker, cx->module, &cx->inst, &trap, &diag);
    if (err == ERR_TRAP && trap) {
        print_trap(cx, trap);
        rt_trap_delete(trap);
        return 1;
    }
    if (err != OK) {
        fprintf(stderr, "wasmc run: %s: %s\n", a->file, diag.msg);
        return 1;
    }
    if (a->invoke)
        return call(cx, a, a->invoke);
    Extern ext;
    if (rt_instance_export(cx->inst, "_start", 6, &ext))
        return call(cx, &(RunArgs){.file = a->file, .invoke = "_start"}, "_start");
    return 0;
}

int cli_run(int argc, char **argv) {
    int comp_status = cli_run_component(argc, argv); /* cmd_run_component.c */
    if (comp_status >= 0)
        return comp_status;
    RunArgs a = {0};
    int status = parse_args(argc, argv, &a);
    if (status >= 0)
        return status;
    RunCtx cx = {0};
    status = run(&cx, &a);
    fflush(stdout);
    teardown(&cx);
    return status;
}
