/* Shared by the files of `wasmc run` (cmd_run*.c): the parsed command line,
 * the option parser and usage text (cmd_run_args.c), and the --timeout
 * watchdog (cmd_run_timer.c). Nothing outside these files includes it. */
#ifndef WASMC_CLI_CMD_RUN_H
#define WASMC_CLI_CMD_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "wasi/wasi.h"

/* Exit status of a run that trapped (as 128 + SIGABRT, like other runtimes). */
#define RUN_EXIT_TRAP 134

/* The command line. Strings point into argv, except the host paths of
 * `dirs`, which are copies in `owned`. */
typedef struct RunArgs {
    const char *invoke; /* NULL: run _start if exported */
    const char *argv0;  /* the guest's args[0]; default: FILE as given */
    bool use_fuel;
    uint64_t fuel;
    bool use_max_memory;
    uint64_t max_memory; /* bytes per linear memory */
    uint64_t timeout_ns; /* 0: none */
    const char *timeout_text;
    const Tier *tier; /* --tier; NULL: cli_default_tier() */
    bool nan_canonicalization;
    bool perf_map; /* --profile perfmap */
    bool inherit_env;
    VEC(WasiPreopen) dirs;
    VEC(const char *) env_opts; /* --env values, in order: "K=V" or "K" */
    VEC(char *) owned;
    const char *file;
    int n_args;
    char **args; /* after FILE: the guest's arguments (or --invoke's values) */
} RunArgs;

/* Parse argv (after "run"). Returns -1 to go on, or the exit status to end
 * with (0 after --help, 2 on a usage error, already reported). */
int cli_run_parse_args(int argc, char **argv, RunArgs *a);
void cli_run_args_fini(RunArgs *a);

/* The guest's environment: the host's (--inherit-env) and then each --env in
 * order, a later KEY replacing an earlier one; "K" alone takes the host's
 * value (skipped when the host has none). *out_env (strings borrowed from
 * argv/environ) is mem_free'd by the caller. False when out of memory. */
bool cli_run_build_env(const RunArgs *a, const char ***out_env, uint32_t *out_n);

/* The --timeout watchdog: a thread that increments the engine's epoch once
 * the duration has passed (the store's deadline is the next epoch, so wasm
 * traps with "interrupt" at its next function entry or loop header). If the
 * guest is still running a second later (blocked in a host call such as
 * reading stdin), it reports the timeout and ends the process with
 * RUN_EXIT_TRAP. */
typedef struct RunTimer RunTimer;

/* Start watching (rt_store_set_epoch_deadline(store, 1) is the caller's). */
RunTimer *cli_run_timer_start(Engine *engine, uint64_t timeout_ns, const char *text);
/* Stop and join the thread; true if the deadline had passed. NULL: false. */
bool cli_run_timer_stop(RunTimer *t);

#endif
