/* Executing a WAST script without an execution engine: module forms are
 * parsed, decoded and validated; assert_malformed / assert_invalid are checked
 * (message prefixes compared as the reference interpreter does); everything
 * that needs instantiation or execution is counted "not run". Input never
 * trips an assert: every failure becomes a counted, reported result. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* A module kept for later commands (by id, or as the most recent one). */
typedef struct KeptModule {
    const char *id; /* in the script arena, or NULL */
    Module *mod;
} KeptModule;

typedef struct Runner {
    FileResult *res;
    const RunOptions *opt;
    const Script *script;
    TypeRegistry *reg;
    VEC(KeptModule) kept;
} Runner;

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

/* ---- Kept modules -------------------------------------------------------------------- */

/* Keep `mod` (takes ownership). An anonymous module is only reachable as the
 * most recent one, so the previous anonymous one can go. */
static void keep_module(Runner *r, const char *id, Module *mod) {
    if (r->kept.len && !VEC_LAST(&r->kept).id) {
        ir_module_delete(VEC_LAST(&r->kept).mod);
        r->kept.len--;
    }
    KeptModule k = {id, mod};
    if (!VEC_PUSH(&r->kept, k))
        ir_module_delete(mod);
}

static void free_kept(Runner *r) {
    for (size_t i = 0; i < r->kept.len; i++)
        ir_module_delete(r->kept.data[i].mod);
    VEC_FREE(&r->kept);
}

/* ---- Commands -------------------------------------------------------------------------- */

static bool is_component(Runner *r, const WastCommand *cmd) {
    if (!cmd->module || !cmd->module->is_component)
        return false;
    report_keyword(r->res, "component");
    return true;
}

static void run_module(Runner *r, const WastCommand *cmd) {
    if (is_component(r, cmd)) {
        report_not_run(r->res, RK_MODULE);
        return;
    }
    Diag diag;
    Module *mod;
    CliStage stage = load_module(r, cmd, true, &mod, &diag);
    if (stage != STAGE_OK) {
        ir_module_delete(mod);
        fail_load(r, RK_MODULE, cmd, stage, &diag);
        return;
    }
    report_pass(r->res, RK_MODULE);
    keep_module(r, cmd->module->id, mod);
}

/* assert_malformed and (with parser support) assert_malformed_custom: the
 * module must fail to parse or to decode; failing validation is not enough. */
static void run_malformed(Runner *r, RunKind kind, const WastCommand *cmd) {
    if (is_component(r, cmd)) {
        report_not_run(r->res, kind);
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
    if (is_component(r, cmd)) {
        report_not_run(r->res, RK_ASSERT_INVALID);
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

/* assert_unlinkable / assert_trap on a module: only decoding and validation
 * can be checked without instantiation; the command itself is not run. */
static void run_needs_instance(Runner *r, RunKind kind, const WastCommand *cmd) {
    if (is_component(r, cmd)) {
        report_not_run(r->res, kind);
        return;
    }
    Diag diag;
    Module *mod;
    CliStage stage = load_module(r, cmd, true, &mod, &diag);
    ir_module_delete(mod);
    if (stage == STAGE_OK)
        report_not_run(r->res, kind);
    else
        fail_load(r, kind, cmd, stage, &diag);
}

static void run_command(Runner *r, const WastCommand *cmd) {
    switch ((WastCmdKind)cmd->kind) {
    case CMD_MODULE: run_module(r, cmd); return;
    case CMD_ASSERT_MALFORMED: run_malformed(r, RK_ASSERT_MALFORMED, cmd); return;
    case CMD_ASSERT_INVALID: run_invalid(r, cmd); return;
    case CMD_ASSERT_UNLINKABLE: run_needs_instance(r, RK_ASSERT_UNLINKABLE, cmd); return;
    case CMD_ASSERT_TRAP_MODULE: run_needs_instance(r, RK_ASSERT_TRAP_MODULE, cmd); return;
    case CMD_ASSERT_MALFORMED_CUSTOM:
        if (r->opt->custom_annotations)
            run_malformed(r, RK_MALFORMED_CUSTOM, cmd);
        else
            report_not_run(r->res, RK_MALFORMED_CUSTOM);
        return;
    case CMD_ASSERT_INVALID_CUSTOM: report_not_run(r->res, RK_INVALID_CUSTOM); return;
    case CMD_INSTANCE: report_not_run(r->res, RK_INSTANCE); return;
    case CMD_REGISTER: report_not_run(r->res, RK_REGISTER); return;
    case CMD_ACTION: report_not_run(r->res, RK_ACTION); return;
    case CMD_ASSERT_RETURN: report_not_run(r->res, RK_ASSERT_RETURN); return;
    case CMD_ASSERT_TRAP: report_not_run(r->res, RK_ASSERT_TRAP); return;
    case CMD_ASSERT_EXHAUSTION: report_not_run(r->res, RK_ASSERT_EXHAUSTION); return;
    case CMD_ASSERT_EXCEPTION: report_not_run(r->res, RK_ASSERT_EXCEPTION); return;
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

void wast_run_file(FileResult *res, const RunOptions *opt) {
    uint64_t start = os_now_ns();
    Diag diag;
    diag_clear(&diag);
    uint8_t *data = NULL;
    size_t len = 0;
    Script *script = NULL;
    if (os_read_file(res->path, &data, &len, &diag) != OK) {
        fail_script(res, &diag);
    } else if (wast_parse_script((const char *)data, len, res->display, &script, &diag) != OK) {
        fail_script(res, &diag);
    } else {
        Runner r = {.res = res, .opt = opt, .script = script, .reg = mod_registry_new()};
        if (!r.reg) {
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
        free_kept(&r);
        mod_registry_delete(r.reg);
    }
    wast_script_delete(script);
    mem_free(data);
    res->elapsed_ns = os_now_ns() - start;
}
