/* The WAST runner's insides, shared by wast_runner.c (script and module
 * commands), wast_exec.c (actions and assertions on them), wast_values.c
 * (script values <-> raw values) and wast_gate.c (what execution cannot run
 * yet). One Runner per script file: one engine, one store. */
#ifndef WASMC_CLI_WAST_INT_H
#define WASMC_CLI_WAST_INT_H

#include "cli.h"
#include "syntax/wast.h"

/* A module definition or an instance the script can name. Units that cannot
 * be used say why, so that commands on them are reported, not crashed. */
typedef struct WastUnit {
    const char *id;     /* script arena; NULL when anonymous */
    RtModule *module;   /* definitions: retained, released with the runner */
    Instance *inst;     /* instances: owned by the store */
    const char *gate;   /* needs this feature: commands on it are not run */
    bool failed;        /* its command failed: commands on it fail */
    uint8_t blame;      /* Blame of that failure */
    uint32_t line;      /* of the command that made it */
    struct WastCompUnit *comp; /* a component definition or instance (wast_component.c) */
} WastUnit;

typedef VEC(WastUnit) WastUnits;

/* A name given by `register` to a unit that cannot be used: modules
 * importing from it are gated or fail like it. */
typedef struct BadName {
    const char *name;
    WastUnit unit;
} BadName;

/* ref.extern N / ref.host N: one object per N in the store. */
typedef struct HostRef {
    uint32_t n;
    bool host;
    ExternObj *obj;
} HostRef;

/* A deviation (--deviations) naming a command of this script. */
typedef struct FileDeviation {
    const WastDeviation *dev;
    bool used; /* a command is at its line */
} FileDeviation;

typedef struct Runner {
    FileResult *res;
    const RunOptions *opt;
    const Script *script;
    TypeRegistry *reg;      /* validation: the engine's, so canonical ids agree */
    TypeRegistry *own_reg;  /* when there is no engine */
    Engine *engine;
    Store *store;
    char setup_error[DIAG_MSG_MAX]; /* why there is no engine or store */
    const char *file_gate;  /* a `;;!` flag we lack: nothing of the file executes */
    bool comp_no_implements; /* ";;! component_model_implements = false" */
    bool nan_canon;         /* ";;! nan_canonicalization = true": the engine mode on */
    bool wasmtime;          /* wasmtime's scripts: an expected message may be anywhere
                               in ours, and named instances are registered by name */
    SpecTest spectest;
    CliLinker linker;
    WastUnits defs, insts;
    VEC(BadName) bad_names;
    VEC(HostRef) hostrefs;
    VEC(FileDeviation) deviations;
    struct WastComp *comp;  /* component state (wast_component.c), made on first use */
} Runner;

/* ---- wast_runner.c ----------------------------------------------------------------- */

/* The unit with `id` (newest first), or the most recent one when id is NULL. */
WastUnit *wast_find_unit(WastUnits *units, const char *id);
/* A unit not usable: report the command not run (gate) or failed. True if so. */
bool wast_unit_unusable(Runner *r, RunKind kind, const WastCommand *cmd, const WastUnit *u,
                        const char *what);
/* Does `got` satisfy the expected message? (prefix, or substring for
 * wasmtime's scripts) Also counts it in the message columns. */
bool wast_message_ok(Runner *r, RunKind kind, const WastCommand *cmd, const char *got);

/* ---- wast_exec.c ---------------------------------------------------------------------- */

void wast_run_action_cmd(Runner *r, const WastCommand *cmd);

/* ---- wast_values.c -------------------------------------------------------------------- */

/* The store's object for ref.extern N / ref.host N (NULL: out of memory). */
ExternObj *wast_host_ref(Runner *r, bool host, uint32_t n);
/* A script argument as a raw value of type t; false (with `why`) when the
 * value does not fit the type. */
bool wast_arg_to_raw(Runner *r, const WastValue *v, ValType t, ValRaw *out, char *why,
                     size_t size);
/* Does a result (type t, value v) satisfy the expectation? */
bool wast_expect_match(Runner *r, const WastExpect *e, ValType t, const ValRaw *v);
void wast_format_expect(const WastExpect *e, char *buf, size_t size);
void wast_format_result(ValType t, const ValRaw *v, char *buf, size_t size);

/* ---- wast_gate.c ------------------------------------------------------------------------ */

/* The feature a module needs that execution lacks ("simd", "gc",
 * "exceptions", ...), or NULL. */
const char *wast_module_gate(const Module *mod);
/* The same for a command's values (v128 arguments or results, GC
 * references), or NULL. */
const char *wast_command_gate(const WastCommand *cmd);
/* The first `;;! flag = true` line at the top of a script naming a feature we
 * lack (threads, gc, simd, ...), or NULL. The string is static. */
const char *wast_file_gate(const char *text, size_t len);
/* A feature the file's place in the suite says it needs and we lack, or NULL. */
const char *wast_path_gate(const char *path);
/* Does the script's header set flag `name` to `value` (";;! name = true" / "= false")? */
bool wast_file_flag(const char *text, size_t len, const char *name, bool value);

/* ---- wast_component.c -------------------------------------------------------------------- */

typedef struct WastCompUnit WastCompUnit;
typedef struct WastComp WastComp;

/* Run `cmd` if it is about components (component forms, or an action on a
 * component instance); false if it is not. */
bool wast_comp_command(Runner *r, const WastCommand *cmd);
/* Free the component state (after the store, before the engine). */
void wast_comp_fini(Runner *r);

#endif
