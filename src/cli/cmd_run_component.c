/* `wasmc run` for components: `wasmc run [--invoke 'name(args)'] [--fuel N]
 * [--tier T] [--nan-canonicalization] FILE` where FILE is a component (binary, or text starting with
 * `(component`). The component is instantiated with no host imports; with
 * --invoke the export `name` (or `inst#name`) is called with the arguments
 * written in the WAVE syntax and its result is printed the same way.
 * Exit status: 0 ok, 1 failure or trap, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_run.h"
#include "component/component.h"
#include "component/component_front.h"

typedef struct CompRun {
    const char *invoke;
    bool use_fuel, nan_canonicalization, perf_map;
    uint64_t fuel;
    const Tier *tier; /* NULL: cli_default_tier() */
    const char *file;
    uint8_t *data;
    size_t len;
    Engine *engine;
    Store *store;
    Component *component;
    CompHost *host;
    CompInstance *inst;
} CompRun;

/* Does the text begin (after blanks and comments) with `(component`? */
static bool text_is_component(const uint8_t *p, size_t len) {
    size_t i = 0;
    while (i < len) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
            i++;
        } else if (i + 1 < len && p[i] == ';' && p[i + 1] == ';') {
            while (i < len && p[i] != '\n')
                i++;
        } else {
            break;
        }
    }
    return len - i >= 10 && memcmp(p + i, "(component", 10) == 0;
}

/* Options as cmd_run.c takes them; -1 when FILE is not a component. */
static int parse(int argc, char **argv, CompRun *r) {
    int i = 0;
    for (; i < argc && !r->file; i++) {
        if (strcmp(argv[i], "--invoke") == 0 && i + 1 < argc) {
            r->invoke = argv[++i];
        } else if (strcmp(argv[i], "--fuel") == 0 && i + 1 < argc) {
            r->use_fuel = true;
            r->fuel = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--tier") == 0 && i + 1 < argc) {
            if (!(r->tier = cli_tier_named(argv[++i])))
                return -1;
        } else if (strncmp(argv[i], "--tier=", 7) == 0) {
            if (!(r->tier = cli_tier_named(argv[i] + 7)))
                return -1;
        } else if (strcmp(argv[i], "--nan-canonicalization") == 0) {
            r->nan_canonicalization = true;
        } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc &&
                   strcmp(argv[i + 1], "perfmap") == 0) {
            r->perf_map = true;
            i++;
        } else if (strcmp(argv[i], "--profile=perfmap") == 0) {
            r->perf_map = true;
        } else if (argv[i][0] != '-' || !argv[i][1]) {
            r->file = argv[i];
        } else {
            return -1; /* cmd_run.c reports bad options */
        }
    }
    Diag diag;
    if (!r->file || os_read_file(r->file, &r->data, &r->len, &diag) != OK)
        return -1;
    if (!comp_is_component(r->data, r->len) && !text_is_component(r->data, r->len))
        return -1;
    if (i < argc) {
        fprintf(stderr, "wasmc run: component arguments go inside --invoke 'name(args)'\n");
        return 2;
    }
    return 0;
}

static Err load(CompRun *r, Diag *diag) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = r->tier ? r->tier : cli_default_tier();
    cfg.nan_canonicalization = r->nan_canonicalization;
    cfg.perf_map = r->perf_map;
    cfg.consume_fuel = r->use_fuel;
    TRY(rt_engine_new(&cfg, &r->engine, diag));
    TRY(rt_store_new(r->engine, &r->store, diag));
    if (r->use_fuel)
        rt_store_set_fuel(r->store, r->fuel);
    ByteBuf text;
    buf_init(&text);
    const uint8_t *bytes = r->data;
    size_t len = r->len;
    Err err = OK;
    if (!comp_is_component(r->data, r->len)) {
        err = wat_parse_component((const char *)r->data, r->len, r->file, &text, diag);
        if (err == OK && text.failed)
            err = FAIL_NOMEM(diag);
        bytes = text.data;
        len = text.len;
    }
    if (err == OK)
        err = comp_component_new(r->engine, bytes, len, &r->component, diag);
    buf_fini(&text);
    TRY(err);
    r->host = comp_host_new();
    return r->host ? OK : FAIL_NOMEM(diag);
}

static void print_trap(const Trap *trap) {
    fprintf(stderr, "wasmc: trap: %s\n", rt_trap_text(trap));
}

/* Split `name(args)`: *name is copied into buf. */
static bool split_call(const char *s, char *name, size_t size, const char **args,
                       size_t *args_len) {
    const char *open = strchr(s, '(');
    size_t n = open ? (size_t)(open - s) : strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (!n || n >= size)
        return false;
    memcpy(name, s, n);
    name[n] = 0;
    *args = "";
    *args_len = 0;
    if (!open)
        return true;
    const char *close = strrchr(open, ')');
    if (!close || close[strspn(close + 1, " ") + 1])
        return false;
    *args = open + 1;
    *args_len = (size_t)(close - open - 1);
    return true;
}

static int invoke(CompRun *r) {
    char name[256];
    const char *args_text;
    size_t args_len;
    if (!split_call(r->invoke, name, sizeof name, &args_text, &args_len)) {
        fprintf(stderr, "wasmc run: --invoke takes 'name(arg, ...)'\n");
        return 2;
    }
    CompFunc *f = comp_instance_func(r->inst, name);
    if (!f) {
        fprintf(stderr, "wasmc run: %s: no exported function '%s'\n", r->file, name);
        return 1;
    }
    const CompFuncType *ft = comp_func_type(f);
    Arena arena;
    arena_init(&arena);
    CompValue *args = arena_calloc(&arena, ft->n_params + 1, sizeof *args);
    CompValue *results = arena_calloc(&arena, ft->n_results + 1, sizeof *results);
    Diag diag;
    diag_clear(&diag);
    Trap *trap = NULL;
    int status = 0;
    Err err = args && results ? comp_values_parse(args_text, args_len, ft->params, ft->n_params,
                                                  &arena, args, &diag)
                              : FAIL_NOMEM(&diag);
    if (err != OK) {
        fprintf(stderr, "wasmc run: arguments of '%s': %s\n", name, diag.msg);
        status = 2;
    } else if ((err = comp_call(r->store, f, args, ft->n_params, results, ft->n_results, &arena,
                                &trap, &diag)) != OK) {
        if (err == ERR_TRAP && trap)
            print_trap(trap);
        else
            fprintf(stderr, "wasmc run: call failed: %s\n", diag.msg);
        status = err == ERR_TRAP ? RUN_EXIT_TRAP : 1;
    }
    for (uint32_t i = 0; status == 0 && i < ft->n_results; i++) {
        char text[4096];
        comp_value_print(&results[i], ft->results[i].type, text, sizeof text);
        printf("%s\n", text);
    }
    rt_trap_delete(trap);
    arena_fini(&arena);
    return status;
}

static int run(CompRun *r) {
    Diag diag;
    diag_clear(&diag);
    if (load(r, &diag) != OK) {
        char where[DIAG_MSG_MAX + 64];
        diag_format(&diag, where, sizeof where);
        fprintf(stderr, "wasmc run: %s: %s\n", r->file, where);
        return 1;
    }
    Trap *trap = NULL;
    Err err = comp_instantiate(r->store, r->component, r->host, &r->inst, &trap, &diag);
    if (err != OK) {
        if (err == ERR_TRAP && trap)
            print_trap(trap);
        else
            fprintf(stderr, "wasmc run: %s: %s\n", r->file, diag.msg);
        rt_trap_delete(trap);
        return err == ERR_TRAP ? RUN_EXIT_TRAP : 1;
    }
    return r->invoke ? invoke(r) : 0;
}

int cli_run_component(int argc, char **argv) {
    CompRun r;
    memset(&r, 0, sizeof r);
    int status = parse(argc, argv, &r);
    if (status == 0)
        status = run(&r);
    fflush(stdout);
    rt_store_delete(r.store);
    comp_host_delete(r.host);
    comp_component_delete(r.component);
    rt_engine_delete(r.engine);
    mem_free(r.data);
    return status;
}
