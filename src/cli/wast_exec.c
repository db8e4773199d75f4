/* Actions and the assertions on them: invoke (arguments converted by the
 * callee's type, rt_call) and get (a global export), then assert_return's
 * expected values, assert_trap's and assert_exhaustion's traps,
 * assert_exception's uncaught exception. A failure
 * names the component most likely at fault: wrong values and traps point at
 * the interpreter, calls that cannot be made at the runtime. */
#include <stdio.h>
#include <string.h>

#include "wast_int.h"

/* What an action did. */
typedef struct Outcome {
    Err err;              /* OK, ERR_TRAP (trap set), or the action could not run (why) */
    Trap *trap;
    uint32_t n_results;
    const ValType *types; /* the callee's result types, or the global's type */
    ValRaw *vals;         /* mem_alloc'd */
    uint8_t blame;        /* when the action could not run */
    char why[DIAG_MSG_MAX + 64];
} Outcome;

static void outcome_fini(Outcome *o) {
    rt_trap_delete(o->trap);
    mem_free(o->vals);
}

static Err cannot(Outcome *o, Blame blame, const char *why) {
    o->err = ERR_USAGE;
    o->blame = (uint8_t)blame;
    if (why != o->why)
        snprintf(o->why, sizeof o->why, "%s", why);
    return o->err;
}

static Err do_get(Outcome *o, const Extern *ext) {
    if (ext->kind != EXTERN_GLOBAL)
        return cannot(o, BLAME_RUNNER, "get: the export is not a global");
    o->vals = mem_calloc(1, sizeof(ValRaw));
    if (!o->vals)
        return cannot(o, BLAME_RUNNER, "out of memory");
    o->vals[0] = *ext->global->value;
    o->types = &ext->global->type.type;
    o->n_results = 1;
    return o->err = OK;
}

static Err do_invoke(Runner *r, const WastAction *a, Outcome *o, const Extern *ext) {
    if (ext->kind != EXTERN_FUNC)
        return cannot(o, BLAME_RUNNER, "invoke: the export is not a function");
    const FuncType *ft = rt_func_type(r->engine, ext->func);
    if (!ft)
        return cannot(o, BLAME_RUNTIME, "invoke: the function has no known type");
    if (ft->n_params != a->n_args) {
        snprintf(o->why, sizeof o->why, "invoke: %u arguments for %u parameters", a->n_args,
                 ft->n_params);
        return cannot(o, BLAME_RUNNER, o->why);
    }
    uint32_t count = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    o->vals = mem_calloc(count ? count : 1, sizeof(ValRaw));
    if (!o->vals)
        return cannot(o, BLAME_RUNNER, "out of memory");
    for (uint32_t i = 0; i < a->n_args; i++) {
        char why[128];
        if (!wast_arg_to_raw(r, &a->args[i], ft->params[i], &o->vals[i], why, sizeof why)) {
            snprintf(o->why, sizeof o->why, "invoke: argument %u: %s", i, why);
            return cannot(o, BLAME_RUNNER, o->why);
        }
    }
    o->types = ft->results;
    o->n_results = ft->n_results;
    o->err = rt_call(r->store, ext->func, o->vals, count, &o->trap);
    if (o->err == ERR_TRAP && !o->trap)
        return cannot(o, BLAME_RUNTIME, "rt_call reported a trap but gave none");
    if (o->err != OK && o->err != ERR_TRAP) {
        snprintf(o->why, sizeof o->why, "rt_call failed: %s", err_name(o->err));
        return cannot(o, BLAME_RUNTIME, o->why);
    }
    return o->err;
}

/* Run the command's action. False when it was not run or could not start
 * (already reported); else *o says what happened. */
static bool run_action(Runner *r, RunKind kind, const WastCommand *cmd, Outcome *o) {
    memset(o, 0, sizeof *o);
    const WastAction *a = &cmd->action;
    WastUnit *u = wast_find_unit(&r->insts, a->module_id);
    if (!u) {
        char why[128];
        snprintf(why, sizeof why, "no module instance%s%s", a->module_id ? " $" : "",
                 a->module_id ? a->module_id : "");
        report_fail(r->res, kind, BLAME_RUNNER, cmd->line, cmd->column, why, NULL);
        return false;
    }
    if (wast_unit_unusable(r, kind, cmd, u, "its module"))
        return false;
    Extern ext;
    if (!rt_instance_export(u->inst, a->name, a->name_len, &ext)) {
        char why[160];
        snprintf(why, sizeof why, "unknown export \"%.*s\"", (int)(a->name_len > 64 ? 64 : a->name_len),
                 a->name);
        report_fail(r->res, kind, BLAME_RUNTIME, cmd->line, cmd->column, why, NULL);
        return false;
    }
    if (a->kind == WAST_GET)
        do_get(o, &ext);
    else
        do_invoke(r, a, o, &ext);
    if (o->err != OK && o->err != ERR_TRAP) {
        report_fail(r->res, kind, (Blame)o->blame, cmd->line, cmd->column, o->why, NULL);
        return false;
    }
    return true;
}

/* "trap message (in func 3 "name" at offset 0x12)" for failure details. */
static void describe_trap(const Trap *trap, char *buf, size_t size) {
    if (!trap->n_frames) {
        snprintf(buf, size, "trap \"%s\"", rt_trap_text(trap));
        return;
    }
    const TrapFrame *f = &trap->frames[0];
    snprintf(buf, size, "trap \"%s\" (in func %u%s%s%s at offset 0x%x)", rt_trap_text(trap),
             f->func_index, f->func_name ? " \"" : "", f->func_name ? f->func_name : "",
             f->func_name ? "\"" : "", f->code_offset);
}

static void fail_unexpected_trap(Runner *r, RunKind kind, const WastCommand *cmd,
                                 const Outcome *o) {
    char reason[DIAG_MSG_MAX], detail[DIAG_MSG_MAX + 64];
    snprintf(reason, sizeof reason, "unexpected trap \"%s\"", rt_trap_text(o->trap));
    describe_trap(o->trap, detail, sizeof detail);
    char full[DIAG_MSG_MAX * 2];
    snprintf(full, sizeof full, "unexpected %s", detail);
    report_fail(r->res, kind, BLAME_EXEC, cmd->line, cmd->column, reason, full);
}

static void check_return(Runner *r, const WastCommand *cmd, const Outcome *o) {
    char reason[DIAG_MSG_MAX], detail[4 * DIAG_MSG_MAX];
    if (o->n_results != cmd->n_expects) {
        snprintf(reason, sizeof reason, "%u results, expected %u", o->n_results, cmd->n_expects);
        report_fail(r->res, RK_ASSERT_RETURN, BLAME_RUNNER, cmd->line, cmd->column, reason, NULL);
        return;
    }
    for (uint32_t i = 0; i < o->n_results; i++) {
        if (wast_expect_match(r, &cmd->expects[i], o->types[i], &o->vals[i]))
            continue;
        char want[DIAG_MSG_MAX], got[DIAG_MSG_MAX];
        wast_format_expect(&cmd->expects[i], want, sizeof want);
        wast_format_result(o->types[i], &o->vals[i], got, sizeof got);
        snprintf(reason, sizeof reason, "wrong result from \"%.*s\"",
                 (int)(cmd->action.name_len > 48 ? 48 : cmd->action.name_len), cmd->action.name);
        snprintf(detail, sizeof detail, "result %u: expected %s, got %s", i, want, got);
        report_fail(r->res, RK_ASSERT_RETURN, BLAME_EXEC, cmd->line, cmd->column, reason,
                    detail);
        return;
    }
    report_pass(r->res, RK_ASSERT_RETURN);
}

/* The trap's text as the script's runner words it: wasmtime reports a table
 * bounds trap as "undefined element: out of bounds table access". */
static const char *trap_text(const Runner *r, const Trap *trap) {
    if (r->wasmtime && trap->code == TRAP_TABLE_OOB && !trap->message)
        return "undefined element: out of bounds table access";
    return rt_trap_text(trap);
}

static void check_trap(Runner *r, RunKind kind, const WastCommand *cmd, const Outcome *o) {
    char reason[DIAG_MSG_MAX];
    if (o->err != ERR_TRAP) {
        snprintf(reason, sizeof reason, "expected trap \"%s\", returned normally",
                 cmd->message ? cmd->message : "");
        report_fail(r->res, kind, BLAME_EXEC, cmd->line, cmd->column, reason, NULL);
        return;
    }
    const char *text = trap_text(r, o->trap);
    bool code_ok = kind != RK_ASSERT_EXHAUSTION || o->trap->code == TRAP_STACK_OVERFLOW;
    if (!wast_message_ok(r, kind, cmd, text) || !code_ok) {
        char trap[2 * DIAG_MSG_MAX], detail[3 * DIAG_MSG_MAX];
        describe_trap(o->trap, trap, sizeof trap);
        snprintf(reason, sizeof reason, "expected trap \"%s\", got \"%s\"",
                 cmd->message ? cmd->message : "", text);
        snprintf(detail, sizeof detail, "expected trap \"%s\", got %s",
                 cmd->message ? cmd->message : "", trap);
        report_fail(r->res, kind, BLAME_EXEC, cmd->line, cmd->column, reason, detail);
        return;
    }
    report_pass(r->res, kind);
}

/* assert_exception: the invoke must end with a wasm exception nobody caught
 * (rt_call's ERR_TRAP with TRAP_UNCAUGHT_EXCEPTION), not a return or a trap. */
static void check_exception(Runner *r, const WastCommand *cmd, const Outcome *o) {
    char reason[DIAG_MSG_MAX], trap[2 * DIAG_MSG_MAX];
    if (o->err == ERR_TRAP && o->trap->code == TRAP_UNCAUGHT_EXCEPTION) {
        report_pass(r->res, RK_ASSERT_EXCEPTION);
        return;
    }
    if (o->err != ERR_TRAP) {
        snprintf(reason, sizeof reason, "expected an exception, returned normally");
        report_fail(r->res, RK_ASSERT_EXCEPTION, BLAME_EXEC, cmd->line, cmd->column, reason,
                    NULL);
        return;
    }
    describe_trap(o->trap, trap, sizeof trap);
    snprintf(reason, sizeof reason, "expected an exception, got trap \"%s\"",
             rt_trap_text(o->trap));
    report_fail(r->res, RK_ASSERT_EXCEPTION, BLAME_EXEC, cmd->line, cmd->column, reason, trap);
}

static RunKind kind_of(const WastCommand *cmd) {
    switch (cmd->kind) {
    case CMD_ASSERT_RETURN: return RK_ASSERT_RETURN;
    case CMD_ASSERT_TRAP: return RK_ASSERT_TRAP;
    case CMD_ASSERT_EXHAUSTION: return RK_ASSERT_EXHAUSTION;
    case CMD_ASSERT_EXCEPTION: return RK_ASSERT_EXCEPTION;
    default: return RK_ACTION;
    }
}

void wast_run_action_cmd(Runner *r, const WastCommand *cmd) {
    RunKind kind = kind_of(cmd);
    const char *gate = r->file_gate ? r->file_gate : wast_command_gate(cmd);
    if (gate) {
        report_not_run(r->res, kind);
        report_keyword(r->res, gate);
        return;
    }
    Outcome o;
    if (!run_action(r, kind, cmd, &o)) {
        outcome_fini(&o);
        return;
    }
    switch (kind) {
    case RK_ASSERT_RETURN:
    case RK_ACTION:
        if (o.err == ERR_TRAP)
            fail_unexpected_trap(r, kind, cmd, &o);
        else if (kind == RK_ASSERT_RETURN)
            check_return(r, cmd, &o);
        else
            report_pass(r->res, kind);
        break;
    case RK_ASSERT_EXCEPTION: check_exception(r, cmd, &o); break;
    default: check_trap(r, kind, cmd, &o); break;
    }
    outcome_fini(&o);
}
