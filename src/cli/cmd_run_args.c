/* The command line of `wasmc run`: options before FILE (also as
 * --name=value), `--` to end them, everything after FILE for the guest; the
 * usage text; and the guest's environment built from --inherit-env/--env.
 * Values are checked here so that a bad option never starts the program. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_run.h"

extern char **environ;

static void usage(FILE *out) {
    fprintf(out, "usage: wasmc run [OPTIONS] [--] FILE.wasm|FILE.wat [ARGS...]\n"
                 "  Compiles and instantiates a module and runs it: with --invoke, calls NAME\n"
                 "  with ARGS parsed by its parameter types (integers decimal or 0x hex, floats\n"
                 "  decimal, hex, inf, nan; a v128 as SHAPE:LANE,... with SHAPE i8x16, i16x8,\n"
                 "  i32x4, i64x2, f32x4 or f64x2 and all its lanes, lane 0 first, e.g.\n"
                 "  i32x4:1,-2,0x3,4; v128 results print as i32x4:0x...,...) and prints each\n"
                 "  result on its own line; otherwise\n"
                 "  calls `_start` when exported (`_initialize` first when exported), passing\n"
                 "  FILE and ARGS as the program's arguments. A module that imports\n"
                 "  wasi_snapshot_preview1 gets WASI: the standard streams, clocks, randomness,\n"
                 "  and only the directories granted with --dir. Options come before FILE;\n"
                 "  everything after FILE belongs to the program.\n"
                 "options:\n"
                 "  --dir HOST[::GUEST]     pre-open host directory HOST as GUEST (default: HOST)\n"
                 "  --dir-ro HOST[::GUEST]  the same, read-only: nothing below it can be created,\n"
                 "                          written, renamed, removed or have its times changed\n"
                 "  --env KEY=VALUE         set a variable of the program's environment;\n"
                 "                          --env KEY passes the host's value of KEY\n"
                 "  --inherit-env           start from the whole host environment (--env wins)\n"
                 "  --argv0 NAME            the program's args[0] (default: FILE as given)\n"
                 "  --invoke NAME           call the export NAME instead of `_start`\n"
                 "  --fuel N                trap once N units of fuel are consumed (about one\n"
                 "                          per instruction)\n"
                 "  --max-memory BYTES      no linear memory may grow past BYTES (suffix K, M or\n"
                 "                          G for KiB, MiB, GiB; rounded down to 64 KiB pages):\n"
                 "                          memory.grow returns -1; a larger minimum fails to\n"
                 "                          instantiate\n"
                 "  --timeout DURATION      interrupt the program after DURATION (e.g. 500ms, 2s,\n"
                 "                          1.5m, 1h; a bare number is seconds): a trap\n"
                 "  --tier interp|jit       the execution tier (default: jit where it runs,\n"
                 "                          x86-64 with SSE4.1; interp elsewhere)\n"
                 "  --nan-canonicalization  every NaN that float arithmetic computes is the\n"
                 "                          canonical NaN (payload and sign deterministic)\n"
                 "  --profile perfmap       name JIT code for Linux perf: each compiled\n"
                 "                          function goes to /tmp/perf-PID.map (`perf record`,\n"
                 "                          then `perf report`)\n"
                 "  -h, --help              show this help\n"
                 "exit status:\n"
                 "  the program's proc_exit code (low 8 bits), or 0 when `_start` returns;\n"
                 "  134 when the program traps (the trap message and the wasm backtrace go to\n"
                 "  stderr: fuel exhausted, timeout, unreachable, out of bounds...);\n"
                 "  1 when the file cannot be loaded, linked or instantiated; 2 usage errors.\n");
}

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno)
        return false;
    *out = v;
    return true;
}

/* BYTES with an optional binary suffix: K/KiB, M/MiB, G/GiB. */
static bool parse_bytes(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || errno)
        return false;
    static const struct {
        const char *suffix;
        unsigned shift;
    } units[] = {
        {"", 0}, {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20}, {"G", 30}, {"GiB", 30},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) != 0)
            continue;
        if (v > (UINT64_MAX >> units[i].shift))
            return false;
        *out = (uint64_t)v << units[i].shift;
        return true;
    }
    return false;
}

/* DURATION: a non-negative decimal number and a unit (ns, us, ms, s, m, h;
 * none = s), at least 1 ns and at most a year. */
static bool parse_duration(const char *s, uint64_t *out_ns) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if ((*s < '0' || *s > '9') && *s != '.')
        return false;
    static const struct {
        const char *unit;
        double ns;
    } units[] = {
        {"", 1e9}, {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) != 0)
            continue;
        double ns = v * units[i].ns;
        if (errno || !isfinite(ns) || ns < 1 || ns > 366 * 86400e9)
            return false;
        *out_ns = (uint64_t)ns;
        return true;
    }
    return false;
}

/* --dir value: HOST[::GUEST]; the host part is copied. */
static bool add_dir(RunArgs *a, const char *value, bool read_only) {
    const char *sep = strstr(value, "::");
    size_t host_len = sep ? (size_t)(sep - value) : strlen(value);
    const char *guest = sep ? sep + 2 : NULL;
    if (!host_len || (guest && !*guest))
        return false;
    char *host = mem_strndup(value, host_len);
    if (!host || !VEC_PUSH(&a->owned, host)) {
        mem_free(host);
        return false;
    }
    WasiPreopen p = {host, guest ? guest : host, read_only};
    return VEC_PUSH(&a->dirs, p);
}

/* One option with its value (NULL for flags). 1 = ok, 0 = bad value, -1 =
 * unknown option, -2 = value missing. */
static int apply_option(RunArgs *a, const char *name, const char *value) {
    if (strcmp(name, "--inherit-env") == 0) {
        a->inherit_env = true;
        return 1;
    }
    if (strcmp(name, "--nan-canonicalization") == 0) {
        a->nan_canonicalization = true;
        return 1;
    }
    if (!value)
        return -2;
    if (strcmp(name, "--invoke") == 0)
        a->invoke = value;
    else if (strcmp(name, "--argv0") == 0)
        a->argv0 = value;
    else if (strcmp(name, "--fuel") == 0)
        return (a->use_fuel = parse_u64(value, &a->fuel));
    else if (strcmp(name, "--max-memory") == 0)
        return (a->use_max_memory = parse_bytes(value, &a->max_memory));
    else if (strcmp(name, "--timeout") == 0)
        return (a->timeout_text = value, parse_duration(value, &a->timeout_ns));
    else if (strcmp(name, "--dir") == 0 || strcmp(name, "--dir-ro") == 0)
        return add_dir(a, value, name[5] == '-');
    else if (strcmp(name, "--tier") == 0)
        return (a->tier = cli_tier_named(value)) != NULL;
    else if (strcmp(name, "--env") == 0)
        return *value && *value != '=' && VEC_PUSH(&a->env_opts, value);
    else if (strcmp(name, "--profile") == 0)
        return (a->perf_map = strcmp(value, "perfmap") == 0);
    else
        return -1;
    return 1;
}

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "wasmc run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see wasmc run --help)\n");
    return 2;
}

/* One argument (and maybe the next) starting with '-'; returns how many
 * arguments it took, or -(exit status) to stop. */
static int take_option(RunArgs *a, int argc, char **argv, int i) {
    const char *arg = argv[i];
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    char name[32];
    const char *eq = strchr(arg, '=');
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    if (name_len >= sizeof name)
        return -usage_error("unknown option '%s'", arg);
    memcpy(name, arg, name_len);
    name[name_len] = 0;
    bool inline_value = eq != NULL;
    const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
    int r = apply_option(a, name, value);
    if (r == 1 &&
        (strcmp(name, "--inherit-env") == 0 || strcmp(name, "--nan-canonicalization") == 0))
        return inline_value ? -usage_error("'%s' takes no value", name) : 1;
    if (r == 1)
        return inline_value ? 1 : 2;
    if (r == -1)
        return -usage_error("unknown option '%s'", arg);
    if (r == -2)
        return -usage_error("option '%s' needs a value", arg);
    return -usage_error("bad value for '%s'", arg);
}

int cli_run_parse_args(int argc, char **argv, RunArgs *a) {
    int i = 0;
    while (i < argc && !a->file) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            if (++i < argc)
                a->file = argv[i++];
        } else if (arg[0] == '-' && arg[1]) {
            int took = take_option(a, argc, argv, i);
            if (took <= 0)
                return -took;
            i += took;
        } else {
            a->file = argv[i++];
        }
    }
    if (!a->file) {
        fprintf(stderr, "wasmc run: no FILE given\n");
        usage(stderr);
        return 2;
    }
    a->n_args = argc - i;
    a->args = argv + i;
    return -1;
}

void cli_run_args_fini(RunArgs *a) {
    for (size_t i = 0; i < a->owned.len; i++)
        mem_free(a->owned.data[i]);
    VEC_FREE(&a->owned);
    VEC_FREE(&a->dirs);
    VEC_FREE(&a->env_opts);
}

/* ---- The guest's environment -------------------------------------------------------- */

static size_t key_len(const char *kv) {
    const char *eq = strchr(kv, '=');
    return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* Append kv, replacing an entry with the same key. */
static void env_set(const char **env, uint32_t *n, const char *kv) {
    size_t len = key_len(kv);
    for (uint32_t i = 0; i < *n; i++) {
        if (key_len(env[i]) == len && memcmp(env[i], kv, len) == 0) {
            memmove(&env[i], &env[i + 1], (*n - i - 1) * sizeof *env);
            (*n)--;
            break;
        }
    }
    env[(*n)++] = kv;
}

/* The host's "KEY=VALUE" entry for KEY, or NULL. */
static const char *host_entry(const char *key) {
    size_t len = strlen(key);
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, key, len) == 0 && (*e)[len] == '=')
            return *e;
    return NULL;
}

bool cli_run_build_env(const RunArgs *a, const char ***out_env, uint32_t *out_n) {
    size_t n_host = 0;
    for (char **e = environ; a->inherit_env && e && *e; e++)
        n_host++;
    const char **env = mem_calloc(n_host + a->env_opts.len + 1, sizeof *env);
    if (!env)
        return false;
    uint32_t n = 0;
    for (size_t i = 0; i < n_host; i++)
        if (strchr(environ[i], '='))
            env_set(env, &n, environ[i]);
    for (size_t i = 0; i < a->env_opts.len; i++) {
        const char *kv = a->env_opts.data[i];
        if (!strchr(kv, '='))
            kv = host_entry(kv);
        if (kv)
            env_set(env, &n, kv);
    }
    *out_env = env;
    *out_n = n;
    return true;
}
