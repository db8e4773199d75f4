/* Running a WAST script: module forms are parsed, decoded, validated,
 * compiled and instantiated in one engine and store per file, with imports
 * resolved from registered instances and the spectest module; the
 * assertions are checked (messages compared as prefixes, as the reference
 * interpreter does). Commands needing what execution lacks are counted "not
 * run" under the feature's name (wast_gate.c). Input never trips an assert:
 * every failure becomes a counted, reported result. */
#include <stdio.h>
#include <string.h>

#include "interp/interp.h"
#include "wast_int.h"

/* ---- Loading the module of a command ------------------------------------------------ */

/* Parse (quote), decode and optionally validate a script module. On STAGE_OK
 * and STAGE_VALID *out is the decoded module (caller deletes). With
 * --roundtrip, every module that decodes is also round-tripped. */
static CliStage load_module(Runner *r, const WastCommand *cmd, bool validate, Module **out,
                            Diag *diag) {
    const WastModule *wm = cmd->module;
    *out = NULL;
    diag_clear(diag);
    if (wm->kind == WAST_MOD_TEXT && wm->has_error) {
        *diag = wm->error;
        return STAGE_PARSE;
    }
    ByteBuf text_bytes;
    buf_init(&text_bytes);
    const uint8_t *bytes = wm->bytes;
    size_t len = wm->len;
    if (wm->kind == WAST_MOD_QUOTE) {
        Err err = wat_parse_module(wm->text ? wm->text : "", wm->text_len, r->script->filename,
                                   &text_bytes, diag);
        if (err != OK || text_bytes.failed) {
            buf_fini(&text_bytes);
            return err == ERR_NOMEM || (err == OK && text_bytes.failed) ? STAGE_NOMEM : STAGE_PARSE;
        }
        bytes = text_bytes.data;
        len = text_bytes.len;
    }
    CliStage stage = cli_decode(bytes ? bytes : (const uint8_t *)"", len, false, NULL, out, diag);
    buf_fini(&text_bytes);
    if (stage != STAGE_OK)
        return stage;
    if (validate && valid_module(*out, r->reg, diag) != OK)
        stage = diag->code == ERR_NOMEM ? STAGE_NOMEM : STAGE_VALID;
    if (r->opt->roundtrip && stage != STAGE_NOMEM)
        wast_roundtrip(r->res, r->opt, *out, wm->kind != WAST_MOD_BINARY,
                       validate && stage == STAGE_OK, cmd->line, cmd->column);
    return stage;
}

static Blame blame_of(CliStage stage) {
    switch (stage) {
    case STAGE_PARSE: return BLAME_TEXT;
    case STAGE_DECODE: return BLAME_READER;
    case STAGE_VALID: return BLAME_VALIDATOR;
    default: return BLAME_RUNNER;
    }
}

static const char *stage_verb(CliStage stage) {
    switch (stage) {
    case STAGE_PARSE: return "text parse failed";
    case STAGE_DECODE: return "decode failed";
    case STAGE_VALID: return "validation failed";
    case STAGE_NOMEM: return "out of memory";
    default: return "failed";
    }
}

static const char *source_name(const WastModule *wm) {
    switch (wm->kind) {
    case WAST_MOD_BINARY: return "binary";
    case WAST_MOD_QUOTE: return "quote";
    default: return "text";
    }
}

/* Report a module that should have loaded but did not. */
static void fail_load(Runner *r, RunKind kind, const WastCommand *cmd, CliStage stage,
                      const Diag *diag) {
    char where[DIAG_MSG_MAX + 64], reason[DIAG_MSG_MAX + 64], detail[2 * DIAG_MSG_MAX + 64];
    diag_format(diag, where, sizeof where);
    snprintf(reason, sizeof reason, "%s (%s module): %s", stage_verb(stage),
             source_name(cmd->module), diag->msg);
    snprintf(detail, sizeof detail, "%s (%s module): %s", stage_verb(stage),
             source_name(cmd->module), where);
    report_fail(r->res, kind, blame_of(stage), cmd->line, cmd->column, reason, detail);
}

/* ---- Units: definitions and instances ------------------------------------------------ */

WastUnit *wast_find_unit(WastUnits *units, const char *id) {
    for (size_t i = units->len; i-- > 0;) {
        WastUnit *u = &units->data[i];
        if (!id || (u->id && strcmp(u->id, id) == 0))
            return u;
    }
    return NULL;
}

static void push_unit(Runner *r, WastUnits *units, WastUnit u) {
    if (!VEC_PUSH(units, u) && u.module)
        rt_module_release(u.module); /* then the unit is missing: commands on it fail */
}

bool wast_unit_unusable(Runner *r, RunKind kind, const WastCommand *cmd, const WastUnit *u,
                        const char *what) {
    if (u->gate) {
        report_not_run(r->res, kind);
        report_keyword(r->res, u->gate);
        return true;
    }
    if (!u->failed)
        return false;
    char reason[128];
    snprintf(reason, sizeof reason, "%s failed (line %u)", what, u->line);
    report_fail(r->res, kind, (Blame)u->blame, cmd->line, cmd->column, reason, NULL);
    return true;
}

bool wast_message_ok(Runner *r, RunKind kind, const WastCommand *cmd, const char *got) {
    const char *want = cmd->message;
    if (!want)
        return true;
    bool ok = r->wasmtime ? strstr(got, want) != NULL
                              : strncmp(got, want, strlen(want)) == 0;
    r->res->kinds[kind].msg_checked++;
    r->res->kinds[kind].msg_mismatch += !ok;
    return ok;
}

/* ---- Preparing a module: load, gate, compile -------------------------------------------- */

static Blame blame_of_diag(const Diag *diag) {
    const char *f = diag->src_file ? diag->src_file : "";
    if (strstr(f, "interp/"))
        return BLAME_EXEC;
    if (strstr(f, "cli/"))
        return BLAME_RUNNER;
    return BLAME_RUNTIME;
}

static void fail_unit(WastUnit *u, Blame blame, const WastCommand *cmd) {
    u->failed = true;
    u->blame = (uint8_t)blame;
    u->line = cmd->line;
}

static void fail_with(Runner *r, RunKind kind, const WastCommand *cmd, Blame blame,
                      const char *what, const Diag *diag, WastUnit *u) {
    char reason[DIAG_MSG_MAX + 64];
    snprintf(reason, sizeof reason, "%s: %s", what, diag->msg);
    report_fail(r->res, kind, blame, cmd->line, cmd->column, reason, NULL);
    fail_unit(u, blame, cmd);
}

/* A module registered under a name whose unit is unusable: imports from it
 * make this module unusable the same way. */
static const WastUnit *bad_import(Runner *r, const Module *mod) {
    for (uint32_t i = 0; i < mod->n_imports; i++) {
        const Name *m = &mod->imports[i].module;
        for (size_t k = r->bad_names.len; k-- > 0;) {
            const BadName *b = &r->bad_names.data[k];
            if (strlen(b->name) == m->len && memcmp(b->name, m->str, m->len) == 0)
                return &b->unit;
        }
    }
    return NULL;
}

/* Everything before instantiation. On false the command is reported and *u
 * says why the module is unusable; on true *out is the compiled module. */
static bool prepare(Runner *r, RunKind kind, const WastCommand *cmd, RtModule **out,
                    WastUnit *u) {
    *out = NULL;
    u->line = cmd->line;
    if (cmd->module->is_component || r->file_gate) {
        u->gate = r->file_gate ? r->file_gate : "component";
        report_not_run(r->res, kind);
        report_keyword(r->res, u->gate);
        return false;
    }
    Diag diag;
    Module *mod;
    CliStage stage = load_module(r, cmd, true, &mod, &diag);
    if (stage != STAGE_OK) {
        ir_module_delete(mod);
        fail_load(r, kind, cmd, stage, &diag);
        fail_unit(u, blame_of(stage), cmd);
        return false;
    }
    const WastUnit *bad = bad_import(r, mod);
    u->gate = bad ? bad->gate : wast_module_gate(mod);
    if (u->gate || (bad && bad->failed)) {
        ir_module_delete(mod);
        if (u->gate)
            return !wast_unit_unusable(r, kind, cmd, u, "");
        wast_unit_unusable(r, kind, cmd, bad, "a module it imports from");
        fail_unit(u, (Blame)bad->blame, cmd);
        return false;
    }
    if (!r->engine) {
        ir_module_delete(mod);
        snprintf(diag.msg, sizeof diag.msg, "%s", r->setup_error);
        fail_with(r, kind, cmd, BLAME_RUNTIME, "no engine", &diag, u);
        return false;
    }
    if (rt_module_from_ir(r->engine, mod, out, &diag) != OK) {
        fail_with(r, kind, cmd, blame_of_diag(&diag), "compile failed", &diag, u);
        return false;
    }
    return true;
}

/* Instantiate; on failure the reason is in diag (and *trap for a trap). */
static Err instantiate(Runner *r, RtModule *module, Instance **out, Trap **trap, Diag *diag) {
    diag_clear(diag);
    Err err = cli_linker_instantiate(&r->linker, module, out, trap, diag);
    if (err == ERR_TRAP)
        snprintf(diag->msg, sizeof diag->msg, "%s", *trap ? rt_trap_text(*trap) : "trap");
    return err;
}

/* Blame for a failed instantiation: a trap with wasm frames ran code. */
static Blame blame_of_instantiation(Err err, const Trap *trap, const Diag *diag) {
    if (err == ERR_TRAP)
        return trap && trap->n_frames ? BLAME_EXEC : BLAME_RUNTIME;
    return blame_of_diag(diag);
}

/* ---- Commands -------------------------------------------------------------------------- */

/* wasmtime's runner makes `(module $name ...)` importable as "name". */
static void auto_register(Runner *r, const WastCommand *cmd, const WastUnit *inst) {
    Diag diag;
    if (!r->wasmtime || !inst->id)
        return;
    if (!inst->inst) {
        BadName b = {inst->id, *inst};
        (void)VEC_PUSH(&r->bad_names, b); /* lost: its importers fail to link instead */
    } else if (cli_linker_instance(&r->linker, inst->id, strlen(inst->id), inst->inst, &diag) !=
               OK) {
        report_fail(r->res, RK_REGISTER, BLAME_RUNNER, cmd->line, cmd->column, diag.msg, NULL);
    }
}

static void run_module(Runner *r, const WastCommand *cmd) {
    WastUnit u = {.id = cmd->module->id, .line = cmd->line};
    RtModule *module;
    if (!prepare(r, RK_MODULE, cmd, &module, &u)) {
        push_unit(r, &r->defs, u);
        if (!cmd->module->is_definition) {
            auto_register(r, cmd, &u);
            push_unit(r, &r->insts, u);
        }
        return;
    }
    WastUnit inst = u;
    u.module = module;
    push_unit(r, &r->defs, u);
    if (cmd->module->is_definition) {
        report_pass(r->res, RK_MODULE);
        return;
    }
    Diag diag;
    Trap *trap = NULL;
    Err err = instantiate(r, module, &inst.inst, &trap, &diag);
    if (err != OK)
        fail_with(r, RK_MODULE, cmd, blame_of_instantiation(err, trap, &diag),
                  err == ERR_TRAP ? "instantiation trapped" : "instantiation failed", &diag, &inst);
    else
        report_pass(r->res, RK_MODULE);
    rt_trap_delete(trap);
    auto_register(r, cmd, &inst);
    push_unit(r, &r->insts, inst);
}

/* assert_malformed and (with parser support) assert_malformed_custom: the
 * module must fail to parse or to decode; failing validation is not enough. */
static void run_malformed(Runner *r, RunKind kind, const WastCommand *cmd) {
    if (cmd->module->is_component) {
        report_not_run(r->res, kind);
        report_keyword(r->res, "component");
        return;
    }
    Diag diag;
    Module *mod;
    CliStage stage = load_module(r, cmd, false, &mod, &diag);
    ir_module_delete(mod);
    const char *expected = cmd->message ? cmd->message : "";
    if (stage == STAGE_PARSE || stage == STAGE_DECODE) {
        report_pass(r->res, kind);
        report_message(r->res, kind, r->opt->verbose, cmd->line, cmd->column, cmd->message,
                       diag.msg);
        return;
    }
    if (stage == STAGE_NOMEM) {
        fail_load(r, kind, cmd, stage, &diag);
        return;
    }
    bool binary = cmd->module->kind == WAST_MOD_BINARY;
    const char *what = binary ? "module decoded fine" : "module parsed and decoded fine";
    char reason[DIAG_MSG_MAX + 64];
    snprintf(reason, sizeof reason, "expected \"%s\", %s", expected, what);
    report_fail(r->res, kind, binary ? BLAME_READER : BLAME_TEXT, cmd->line, cmd->column, reason,
                NULL);
}

/* assert_invalid: the module must decode and then fail validation. */
static void run_invalid(Runner *r, const WastCommand *cmd) {
    if (cmd->module->is_component) {
        report_not_run(r->res, RK_ASSERT_INVALID);
        report_keyword(r->res, "component");
        return;
    }
    Diag diag;
    Module *mod;
    CliStage stage = load_module(r, cmd, true, &mod, &diag);
    ir_module_delete(mod);
    const char *expected = cmd->message ? cmd->message : "";
    char reason[2 * DIAG_MSG_MAX + 64], where[DIAG_MSG_MAX + 64];
    diag_format(&diag, where, sizeof where);
    switch (stage) {
    case STAGE_VALID:
        report_pass(r->res, RK_ASSERT_INVALID);
        report_message(r->res, RK_ASSERT_INVALID, r->opt->verbose, cmd->line, cmd->column,
                       cmd->message, diag.msg);
        return;
    case STAGE_OK:
        snprintf(reason, sizeof reason, "expected \"%s\", module validated fine", expected);
        report_fail(r->res, RK_ASSERT_INVALID, BLAME_VALIDATOR, cmd->line, cmd->column, reason,
                    NULL);
        return;
    default:
        snprintf(reason, sizeof reason, "expected \"%s\", rejected as malformed by %s: %s",
                 expected, report_blame_name(blame_of(stage)), diag.msg);
        char detail[3 * DIAG_MSG_MAX + 64];
        snprintf(detail, sizeof detail, "expected \"%s\", rejected as malformed by %s: %s",
                 expected, report_blame_name(blame_of(stage)), where);
        report_fail(r->res, RK_ASSERT_INVALID, blame_of(stage), cmd->line, cmd->column, reason,
                    detail);
        return;
    }
}

/* (module instance $I $M): instantiate a definition. */
static void run_instance(Runner *r, const WastCommand *cmd) {
    WastUnit *def = wast_find_unit(&r->defs, cmd->definition_id);
    WastUnit inst = {.id = cmd->instance_id, .line = cmd->line};
    if (!def) {
        report_fail(r->res, RK_INSTANCE, BLAME_RUNNER, cmd->line, cmd->column,
                    "no such module definition", NULL);
        fail_unit(&inst, BLAME_RUNNER, cmd);
    } else if (wast_unit_unusable(r, RK_INSTANCE, cmd, def, "its module definition")) {
        inst.gate = def->gate;
        inst.failed = def->failed;
        inst.blame = def->blame;
    } else {
        Diag diag;
        Trap *trap = NULL;
        Err err = instantiate(r, def->module, &inst.inst, &trap, &diag);
        if (err != OK)
            fail_with(r, RK_INSTANCE, cmd, blame_of_instantiation(err, trap, &diag),
                      "instantiation failed", &diag, &inst);
        else
            report_pass(r->res, RK_INSTANCE);
        rt_trap_delete(trap);
        auto_register(r, cmd, &inst);
    }
    push_unit(r, &r->insts, inst);
}

static void run_register(Runner *r, const WastCommand *cmd) {
    const char *name = cmd->register_name ? cmd->register_name : "";
    WastUnit *u = wast_find_unit(&r->insts, cmd->definition_id);
    Diag diag;
    if (!u) {
        report_fail(r->res, RK_REGISTER, BLAME_RUNNER, cmd->line, cmd->column,
                    "register: no such module instance", NULL);
        return;
    }
    if (wast_unit_unusable(r, RK_REGISTER, cmd, u, "its module")) {
        BadName b = {name, *u};
        if (!VEC_PUSH(&r->bad_names, b))
            return;
        return;
    }
    for (size_t i = r->bad_names.len; i-- > 0;)
        if (strcmp(r->bad_names.data[i].name, name) == 0)
            r->bad_names.data[i] = r->bad_names.data[--r->bad_names.len];
    if (cli_linker_instance(&r->linker, name, strlen(name), u->inst, &diag) != OK)
        report_fail(r->res, RK_REGISTER, BLAME_RUNNER, cmd->line, cmd->column, diag.msg, NULL);
    else
        report_pass(r->res, RK_REGISTER);
}

/* assert_trap on a module (instantiation must trap) and assert_unlinkable
 * (linking must fail): instantiation must end with `want_err` and the message. */
static void run_failing_instantiation(Runner *r, const WastCommand *cmd, RunKind kind,
                                      Err want_err) {
    WastUnit u = {0};
    RtModule *module;
    if (!prepare(r, kind, cmd, &module, &u))
        return;
    Diag diag;
    Trap *trap = NULL;
    Instance *inst;
    Err err = instantiate(r, module, &inst, &trap, &diag);
    const char *want = cmd->message ? cmd->message : "";
    const char *what = want_err == ERR_TRAP ? "trap " : "";
    if (err == want_err && wast_message_ok(r, kind, cmd, diag.msg)) {
        report_pass(r->res, kind);
    } else {
        char reason[DIAG_MSG_MAX + 96];
        if (err == OK)
            snprintf(reason, sizeof reason, "expected %s\"%s\", %s fine", what, want,
                     want_err == ERR_TRAP ? "instantiated" : "linked");
        else
            snprintf(reason, sizeof reason, "expected %s\"%s\", got %s \"%s\"", what, want,
                     err_name(err), diag.msg);
        Blame blame = want_err == ERR_TRAP ? blame_of_instantiation(err, trap, &diag)
                                           : BLAME_RUNTIME;
        report_fail(r->res, kind, blame, cmd->line, cmd->column, reason, NULL);
    }
    rt_trap_delete(trap);
    rt_module_release(module);
}

static RunKind run_kind_of(const WastCommand *cmd) {
    static const RunKind kinds[] = {
        [CMD_MODULE] = RK_MODULE,
        [CMD_INSTANCE] = RK_INSTANCE,
        [CMD_REGISTER] = RK_REGISTER,
        [CMD_ACTION] = RK_ACTION,
        [CMD_ASSERT_RETURN] = RK_ASSERT_RETURN,
        [CMD_ASSERT_TRAP] = RK_ASSERT_TRAP,
        [CMD_ASSERT_TRAP_MODULE] = RK_ASSERT_TRAP_MODULE,
        [CMD_ASSERT_EXHAUSTION] = RK_ASSERT_EXHAUSTION,
        [CMD_ASSERT_EXCEPTION] = RK_ASSERT_EXCEPTION,
        [CMD_ASSERT_MALFORMED] = RK_ASSERT_MALFORMED,
        [CMD_ASSERT_INVALID] = RK_ASSERT_INVALID,
        [CMD_ASSERT_UNLINKABLE] = RK_ASSERT_UNLINKABLE,
        [CMD_ASSERT_MALFORMED_CUSTOM] = RK_MALFORMED_CUSTOM,
        [CMD_ASSERT_INVALID_CUSTOM] = RK_INVALID_CUSTOM,
        [CMD_UNSUPPORTED] = RK_UNSUPPORTED,
    };
    return cmd->kind < sizeof kinds / sizeof kinds[0] ? kinds[cmd->kind] : RK_UNSUPPORTED;
}

/* Commands that are not run in a file gated by its flags. */
static bool file_gated(Runner *r, const WastCommand *cmd) {
    if (!r->file_gate)
        return false;
    report_not_run(r->res, run_kind_of(cmd));
    report_keyword(r->res, r->file_gate);
    return true;
}

/* A command --deviations lists: not run. */
static bool known_deviation(Runner *r, const WastCommand *cmd) {
    for (size_t i = 0; i < r->deviations.len; i++) {
        FileDeviation *fd = &r->deviations.data[i];
        if (fd->dev->line == cmd->line) {
            fd->used = true;
            report_not_run(r->res, run_kind_of(cmd));
            report_keyword(r->res, "known deviation");
            return true;
        }
    }
    return false;
}

static void run_command(Runner *r, const WastCommand *cmd) {
    if (file_gated(r, cmd) || known_deviation(r, cmd) || wast_comp_command(r, cmd))
        return;
    switch ((WastCmdKind)cmd->kind) {
    case CMD_MODULE: run_module(r, cmd); return;
    case CMD_ASSERT_MALFORMED: run_malformed(r, RK_ASSERT_MALFORMED, cmd); return;
    case CMD_ASSERT_INVALID: run_invalid(r, cmd); return;
    case CMD_ASSERT_UNLINKABLE:
        run_failing_instantiation(r, cmd, RK_ASSERT_UNLINKABLE, ERR_LINK);
        return;
    case CMD_ASSERT_TRAP_MODULE:
        run_failing_instantiation(r, cmd, RK_ASSERT_TRAP_MODULE, ERR_TRAP);
        return;
    case CMD_ASSERT_MALFORMED_CUSTOM:
        if (r->opt->custom_annotations)
            run_malformed(r, RK_MALFORMED_CUSTOM, cmd);
        else
            report_not_run(r->res, RK_MALFORMED_CUSTOM);
        return;
    case CMD_ASSERT_INVALID_CUSTOM: report_not_run(r->res, RK_INVALID_CUSTOM); return;
    case CMD_INSTANCE: run_instance(r, cmd); return;
    case CMD_REGISTER: run_register(r, cmd); return;
    case CMD_ACTION:
    case CMD_ASSERT_RETURN:
    case CMD_ASSERT_TRAP:
    case CMD_ASSERT_EXHAUSTION:
    case CMD_ASSERT_EXCEPTION: wast_run_action_cmd(r, cmd); return;
    case CMD_UNSUPPORTED:
        report_not_run(r->res, RK_UNSUPPORTED);
        report_keyword(r->res, cmd->message ? cmd->message : "?");
        return;
    }
    report_not_run(r->res, RK_UNSUPPORTED);
    report_keyword(r->res, "unknown command kind");
}

/* ---- A whole file ------------------------------------------------------------------------ */

static void fail_script(FileResult *res, const Diag *diag) {
    char reason[DIAG_MSG_MAX + 64];
    snprintf(reason, sizeof reason, "script rejected: %s", diag->msg);
    Blame blame = diag->code == ERR_MALFORMED ? BLAME_TEXT : BLAME_RUNNER;
    report_fail(res, RK_SCRIPT, blame, diag->line, diag->column, reason, diag->msg);
}

/* One engine (interpreter tier, default configuration) and one store per
 * file; without them, module commands fail with the reason. */
/* wasmtime's scripts import "wasmtime" "gc": a host function that collects. */
static Trap *wasmtime_gc(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                         uint32_t n_results) {
    rt_gc_collect(caller->store);
    return NULL;
}

static Err define_wasmtime_harness(Runner *r, Diag *diag) {
    uint32_t canon;
    TRY(rt_engine_func_type(r->engine, NULL, 0, NULL, 0, &canon, diag));
    Extern ext = {.kind = EXTERN_FUNC};
    ext.func = rt_host_func_new(r->store, canon, wasmtime_gc, NULL, NULL);
    if (!ext.func)
        return FAIL_NOMEM(diag);
    return cli_linker_define(&r->linker, "wasmtime", "gc", ext, diag);
}

static void runner_setup(Runner *r) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = r->opt->tier ? r->opt->tier : cli_default_tier();
    cfg.nan_canonicalization = r->nan_canon;
    Diag diag;
    diag_clear(&diag);
    if (rt_engine_new(&cfg, &r->engine, &diag) == OK &&
        rt_store_new(r->engine, &r->store, &diag) == OK) {
        cli_spectest_init(&r->spectest, r->store);
        if (cli_linker_init(&r->linker, r->store, &r->spectest, &diag) == OK &&
            (!r->wasmtime || define_wasmtime_harness(r, &diag) == OK)) {
            r->reg = r->engine->types;
            return;
        }
    }
    snprintf(r->setup_error, sizeof r->setup_error, "%s", diag.msg);
    rt_store_delete(r->store);
    r->store = NULL;
    rt_engine_delete(r->engine);
    r->engine = NULL;
    r->reg = r->own_reg = mod_registry_new();
}

/* The store dies first (its instances hold the modules), then the modules
 * the runner kept, then the engine. */
static void runner_teardown(Runner *r) {
    if (r->store) {
        cli_linker_fini(&r->linker);
        rt_store_delete(r->store);
    }
    for (size_t i = 0; i < r->defs.len; i++)
        if (r->defs.data[i].module)
            rt_module_release(r->defs.data[i].module);
    wast_comp_fini(r);
    VEC_FREE(&r->defs);
    VEC_FREE(&r->insts);
    VEC_FREE(&r->bad_names);
    VEC_FREE(&r->hostrefs);
    VEC_FREE(&r->deviations);
    rt_engine_delete(r->engine);
    mod_registry_delete(r->own_reg);
}

/* The --deviations entries naming this script. */
static bool collect_deviations(Runner *r) {
    const WastDeviations *all = r->opt->deviations;
    for (size_t i = 0; all && i < all->len; i++)
        if (wast_deviation_in_file(&all->data[i], r->res->display) &&
            !VEC_PUSH(&r->deviations, ((FileDeviation){.dev = &all->data[i]})))
            return false;
    return true;
}

/* A listed line with no command: the list no longer matches the script. */
static void fail_unused_deviations(Runner *r) {
    static const char reason[] = "--deviations names a line with no command";
    for (size_t i = 0; i < r->deviations.len; i++) {
        const WastDeviation *d = r->deviations.data[i].dev;
        if (r->deviations.data[i].used)
            continue;
        char detail[512];
        snprintf(detail, sizeof detail, "%s (%s)", reason, d->reason);
        report_fail(r->res, RK_SCRIPT, BLAME_RUNNER, d->line, 0, reason, detail);
    }
}

/* `text`: the script's source, for its `;;!` flags. */
static void run_script(FileResult *res, const RunOptions *opt, const Script *script,
                       const char *file_gate, const char *text, size_t len) {
    Runner r = {.res = res, .opt = opt, .script = script, .file_gate = file_gate,
                .comp_no_implements =
                    wast_file_flag(text, len, "component_model_implements", false),
                .nan_canon = wast_file_flag(text, len, "nan_canonicalization", true)};
    r.wasmtime = strstr(res->display, "wasmtime-misc") != NULL;
    runner_setup(&r);
    if (!r.reg) {
        Diag diag;
        FAIL_NOMEM(&diag);
        fail_script(res, &diag);
    }
    if (!collect_deviations(&r)) {
        Diag diag;
        FAIL_NOMEM(&diag);
        fail_script(res, &diag);
    }
    for (uint32_t i = 0; r.reg && i < script->n_commands; i++) {
        if (res->progress) {
            res->progress[0] = script->commands[i].line;
            res->progress[1] = script->commands[i].column;
        }
        run_command(&r, &script->commands[i]);
    }
    fail_unused_deviations(&r);
    runner_teardown(&r);
}

void wast_run_file(FileResult *res, const RunOptions *opt) {
    uint64_t start = os_now_ns();
    Diag diag;
    diag_clear(&diag);
    uint8_t *data = NULL;
    size_t len = 0;
    Script *script = NULL;
    if (os_read_file(res->path, &data, &len, &diag) != OK) {
        fail_script(res, &diag);
        res->elapsed_ns = os_now_ns() - start;
        return;
    }
    const char *gate = wast_file_gate((const char *)data, len);
    if (!gate)
        gate = wast_path_gate(res->display ? res->display : res->path);
    if (wast_parse_script((const char *)data, len, res->display, &script, &diag) == OK) {
        run_script(res, opt, script, gate, (const char *)data, len);
    } else if (gate) {
        report_not_run(res, RK_SCRIPT); /* its syntax may be what we lack */
        report_keyword(res, gate);
    } else {
        fail_script(res, &diag);
    }
    wast_script_delete(script);
    mem_free(data);
    res->elapsed_ns = os_now_ns() - start;
}
