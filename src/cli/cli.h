/* Subcommands of the wasmc command; each returns the process exit code. Also
 * the helpers shared between the subcommands: loading a module file through
 * parse/decode/validate, and the WAST runner's result records. */
#ifndef WASMC_CLI_CLI_H
#define WASMC_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module/module.h"
#include "runtime/runtime.h"
#include "syntax/syntax.h"

int cli_validate(int argc, char **argv);
int cli_print(int argc, char **argv);
int cli_wast(int argc, char **argv);
int cli_run(int argc, char **argv);
/* `wasmc run` when FILE is a component (cmd_run_component.c); -1 if it is not. */
int cli_run_component(int argc, char **argv);

/* ---- Loading modules (cli_load.c) ------------------------------------------ */

/* How far a module got: each stage names the component that rejected it. */
typedef enum CliStage {
    STAGE_OK,     /* decoded (and validated, when asked) */
    STAGE_READ,   /* the file could not be read */
    STAGE_PARSE,  /* the WAT text parser rejected it */
    STAGE_DECODE, /* the binary decoder rejected it */
    STAGE_VALID,  /* the validator rejected it */
    STAGE_NOMEM,  /* we ran out of memory somewhere */
} CliStage;

/* Does this file hold binary (magic header or .wasm name) rather than text? */
bool cli_is_binary(const char *path, const uint8_t *data, size_t len);

/* Decode `bytes` and, if `validate`, validate against `reg` (may be NULL).
 * On STAGE_OK *out is the module (caller deletes); on STAGE_VALID *out is the
 * decoded but invalid module (caller deletes); otherwise *out is NULL. */
CliStage cli_decode(const uint8_t *bytes, size_t len, bool validate, TypeRegistry *reg,
                    Module **out, Diag *diag);

/* Read a module file (binary or WAT text) and decode and validate it.
 * *out as for cli_decode. */
CliStage cli_load_file(const char *path, bool validate, Module **out, Diag *diag);

/* ---- The spectest host module (spectest.c) ---------------------------------- */

#define SPECTEST_N_PRINTS 7

/* The spectest objects of one store, made on first import. */
typedef struct SpecTest {
    Store *store;
    FuncRef *prints[SPECTEST_N_PRINTS];
    RtGlobal *globals[4]; /* i32, i64, f32, f64 */
    RtTable *table, *table64;
    RtMemory *memory, *shared_memory;
} SpecTest;

void cli_spectest_init(SpecTest *st, Store *store);
/* The export `name` of spectest: *out_found false if there is none. */
Err cli_spectest_lookup(SpecTest *st, const char *name, size_t len, bool *out_found, Extern *out,
                        Diag *diag) WARN_UNUSED;

/* ---- Resolving imports by name (cli_link.c) --------------------------------------- */

/* The runtime's Linker plus the spectest module (if given). Borrows the
 * store and spectest. */
typedef struct CliLinker {
    Linker *linker; /* owned */
    Store *store;
    SpecTest *spectest;
} CliLinker;

Err cli_linker_init(CliLinker *l, Store *store, SpecTest *spectest, Diag *diag) WARN_UNUSED;
void cli_linker_fini(CliLinker *l);
/* Make `inst`'s exports importable under module name `name`. */
Err cli_linker_instance(CliLinker *l, const char *name, size_t len, Instance *inst,
                        Diag *diag) WARN_UNUSED;
/* Define one import (WASI functions, ...). */
Err cli_linker_define(CliLinker *l, const char *module, const char *field, Extern ext,
                      Diag *diag) WARN_UNUSED;
/* Resolve the imports and rt_instantiate: ERR_LINK ("unknown import: ...",
 * "incompatible import type for `m::f`: ..."), or ERR_TRAP with *out_trap. */
Err cli_linker_instantiate(CliLinker *l, RtModule *module, Instance **out, Trap **out_trap,
                           Diag *diag) WARN_UNUSED;

/* ---- Values as text (cli_values.c) ------------------------------------------------ */

void cli_format_func_type(const FuncType *ft, char *buf, size_t size);
/* A value as `wasmc run` prints it: i32/i64 signed decimal, floats with
 * enough digits to round-trip (nan:0x... for non-canonical NaNs). */
void cli_format_value(ValType t, const ValRaw *v, char *buf, size_t size);
/* Parse a command-line argument of type t (integers decimal or 0x hex, signed
 * or unsigned; floats decimal, hex, inf, nan, nan:0x...). */
bool cli_parse_value(const char *s, ValType t, ValRaw *out);

/* ---- WAST runner records (wast_report.c) ----------------------------------- */

/* What the runner counts, one row each in the summary table. The first rows
 * follow WastCmdKind. */
typedef enum RunKind {
    RK_MODULE,
    RK_INSTANCE,
    RK_REGISTER,
    RK_ACTION,
    RK_ASSERT_RETURN,
    RK_ASSERT_TRAP,
    RK_ASSERT_TRAP_MODULE,
    RK_ASSERT_EXHAUSTION,
    RK_ASSERT_EXCEPTION,
    RK_ASSERT_MALFORMED,
    RK_ASSERT_INVALID,
    RK_ASSERT_UNLINKABLE,
    RK_MALFORMED_CUSTOM,
    RK_INVALID_CUSTOM,
    RK_UNSUPPORTED,
    RK_ROUNDTRIP, /* --roundtrip checks */
    RK_SCRIPT,    /* whole scripts that failed to read or parse */
    RK_COUNT
} RunKind;

/* The component blamed for a failure (for triage). */
typedef enum Blame {
    BLAME_TEXT,      /* WAT/WAST parser */
    BLAME_READER,    /* binary decoder */
    BLAME_VALIDATOR, /* validator */
    BLAME_WRITER,    /* binary writer, printer, ir_compare */
    BLAME_RUNTIME,   /* compiling, linking, instantiating, calling (src/runtime) */
    BLAME_EXEC,      /* wrong results or traps while executing (the tier: src/interp, src/jit) */
    BLAME_RUNNER,    /* the runner itself, I/O, out of memory */
    BLAME_CRASH,     /* a crash or time-out: the component is not known */
    BLAME_COUNT
} Blame;

typedef struct KindCounts {
    uint32_t passed, failed, not_run;
    uint32_t msg_checked, msg_mismatch; /* expected messages compared / not matching */
} KindCounts;

/* A failure reason without positions, for the "top failures" table. */
typedef struct FailReason {
    uint8_t kind;  /* RunKind */
    uint8_t blame; /* Blame */
    char *text;    /* mem_alloc'd */
} FailReason;

/* A keyword of a form that was not run because nothing supports it yet. */
typedef struct KeywordCount {
    char *keyword; /* mem_alloc'd */
    uint32_t count;
} KeywordCount;

/* Everything one script file produced; filled by a worker thread, printed
 * and summed by the main thread in file order. */
typedef struct FileResult {
    const char *path;    /* to open (borrowed from the file list) */
    const char *display; /* as printed (borrowed) */
    int feature;         /* index into the feature table */
    KindCounts kinds[RK_COUNT];
    ByteBuf detail;      /* verbose lines, already formatted */
    volatile uint32_t *progress; /* if set: [0], [1] = line, column of the running command */
    VEC(FailReason) reasons;
    VEC(KeywordCount) keywords;
    uint64_t elapsed_ns;
} FileResult;

/* A command another runtime's script expects that runtime's choice of
 * (wast_deviations.c): reported not run, never failed. */
typedef struct WastDeviation {
    char *file;     /* the script's path or a suffix of it after a '/' */
    uint32_t line;  /* of the command */
    char *reason;
} WastDeviation;

typedef VEC(WastDeviation) WastDeviations;

/* Read a deviations file into *out (appending); false with a message in err. */
bool wast_deviations_load(const char *path, WastDeviations *out, char *err, size_t size);
void wast_deviations_free(WastDeviations *d);
/* Does d name a command of the script at `path`? */
bool wast_deviation_in_file(const WastDeviation *d, const char *path);

typedef struct RunOptions {
    bool verbose;    /* list failures and message mismatches */
    bool roundtrip;  /* write/print round trips for every decoded module */
    bool list_notrun;/* also list every command not run */
    bool custom_annotations; /* the text parser supports (@custom ...) */
    const char *save_dir;    /* --save-failing: where failed print round trips go */
    const Tier *tier;        /* --tier; NULL: cli_default_tier() */
    const WastDeviations *deviations; /* --deviations */
} RunOptions;

/* --tier NAME ("interp", "jit"): the tier, or NULL when unknown or not
 * available on this machine (cli_tier.c). */
const Tier *cli_tier_named(const char *name);
const Tier *cli_default_tier(void);

/* The --roundtrip checks for one decoded module; each counts one passed or
 * failed RK_ROUNDTRIP test in *res:
 *   write: decode(write(m)) equals m (ir_module_equal), for every module;
 *   print, for modules written as text (our encoder is canonical):
 *          encode(parse(print(m))) is byte for byte write(m);
 *   print, for binary modules that validate (text cannot express every
 *          binary detail: local groups, element encodings, empty sections):
 *          print(decode(encode(parse(print(m))))) is print(m).
 * Invalid binary modules get only the write check. */
void wast_roundtrip(FileResult *res, const RunOptions *opt, const Module *mod, bool from_text,
                    bool valid, uint32_t line, uint32_t column);

/* Run one script file into *res (res->path/display/feature set by the caller). */
void wast_run_file(FileResult *res, const RunOptions *opt);
/* The same in a child process, so that a crash or a hang (more than
 * `timeout_s` seconds, 0 = no limit) costs one failed file, not the run. */
void wast_run_file_isolated(FileResult *res, const RunOptions *opt, unsigned timeout_s);
void wast_result_fini(FileResult *res);

/* Record helpers used by the runner. */
void report_pass(FileResult *res, RunKind kind);
void report_not_run(FileResult *res, RunKind kind);
void report_fail(FileResult *res, RunKind kind, Blame blame, uint32_t line, uint32_t column,
                 const char *reason, const char *detail);
void report_keyword(FileResult *res, const char *keyword);
void report_message(FileResult *res, RunKind kind, bool verbose, uint32_t line, uint32_t column,
                    const char *expected, const char *got);
const char *report_kind_name(RunKind kind);
const char *report_blame_name(Blame blame);

/* Features, for the not-run table: the index for a path relative to the suite
 * (or any path: classified by its folders and file name). */
int report_feature_of(const char *path);
const char *report_feature_name(int feature);
int report_feature_count(void);

/* The totals over all files and their printing. */
typedef struct Report Report;
Report *report_new(void);
void report_delete(Report *rep);
/* Print the file's line (and details) and add it to the totals. */
void report_add_file(Report *rep, FileResult *res, bool verbose);
/* Print the tables and the closing line; returns true if anything failed. */
bool report_print_summary(Report *rep, uint32_t top_reasons, bool timing);

#endif
