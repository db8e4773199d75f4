/* The WAST runner's component side: `component` (and `definition`),
 * `component instance`, assert_malformed / assert_invalid / assert_unlinkable
 * / assert_trap on components, and invoke / assert_return / assert_trap on
 * component instances with component values (script values converted by the
 * export's types). Named instances are importable by name, next to the
 * `host` items wasmtime's suite imports. Expected messages are found
 * anywhere in ours (the component suites are wasmtime's), with a leading
 * "wasm trap: " ignored. */
#include <stdio.h>
#include <string.h>

#include "component/component.h"
#include "component/component_front.h"
#include "wast_int.h"

struct WastCompUnit {
    Component *component; /* definitions: owned */
    CompInstance *instance;
};

struct WastComp {
    CompHost *host;
    VEC(WastCompUnit *) units;
};

/* ---- State and the host items ---------------------------------------------------------- */

static Trap *host_const(void *env, const CompValue *args, uint32_t n_args, CompValue *results,
                        uint32_t n_results, Arena *arena) {
    if (n_results)
        results[0] = comp_val_u(CVT_U32, (uint64_t)(uintptr_t)env);
    return NULL;
}

static const char simple_module[] = "(module (global (export \"g\") i32 i32.const 100)"
                                    " (func (export \"f\") (result i32) i32.const 101))";

static Err define_host(Runner *r, CompHost *root, Diag *diag) {
    CompHost *host, *nested;
    TRY(comp_host_func(root, "host-return-two", NULL, host_const, (void *)(uintptr_t)2, diag));
    TRY(comp_host_instance(root, "host", &host, diag));
    TRY(comp_host_func(host, "return-three", NULL, host_const, (void *)(uintptr_t)3, diag));
    TRY(comp_host_instance(host, "nested", &nested, diag));
    TRY(comp_host_func(nested, "return-four", NULL, host_const, (void *)(uintptr_t)4, diag));
    ByteBuf text;
    buf_init(&text);
    RtModule *m = NULL;
    Err err = wat_parse_module(simple_module, sizeof simple_module - 1, "host", &text, diag);
    if (err == OK && text.failed)
        err = FAIL_NOMEM(diag);
    if (err == OK)
        err = rt_module_new(r->engine, text.data, text.len, &m, diag);
    buf_fini(&text);
    if (err == OK)
        err = comp_host_module(host, "simple-module", m, diag);
    if (m)
        rt_module_release(m);
    return err;
}

static WastComp *state(Runner *r, Diag *diag) {
    if (r->comp)
        return r->comp;
    WastComp *c = mem_calloc(1, sizeof *c);
    if (!c) {
        FAIL_NOMEM(diag);
        return NULL;
    }
    c->host = comp_host_new();
    if (!c->host || define_host(r, c->host, diag) != OK) {
        if (!c->host)
            FAIL_NOMEM(diag);
        comp_host_delete(c->host);
        mem_free(c);
        return NULL;
    }
    r->comp = c;
    return c;
}

void wast_comp_fini(Runner *r) {
    WastComp *c = r->comp;
    if (!c)
        return;
    for (size_t i = 0; i < c->units.len; i++) {
        comp_component_delete(c->units.data[i]->component);
        mem_free(c->units.data[i]);
    }
    VEC_FREE(&c->units);
    comp_host_delete(c->host);
    mem_free(c);
    r->comp = NULL;
}

static WastCompUnit *new_unit(WastComp *c) {
    WastCompUnit *u = mem_calloc(1, sizeof *u);
    if (u && !VEC_PUSH(&c->units, u)) {
        mem_free(u);
        u = NULL;
    }
    return u;
}

/* ---- Messages ------------------------------------------------------------------------------ */

static bool message_ok(Runner *r, RunKind kind, const WastCommand *cmd, const char *got) {
    const char *want = cmd->message;
    if (!want)
        return true;
    if (strncmp(want, "wasm trap: ", 11) == 0)
        want += 11;
    bool ok = strstr(got, want) != NULL;
    r->res->kinds[kind].msg_checked++;
    r->res->kinds[kind].msg_mismatch += !ok;
    if (!ok && r->opt->verbose)
        buf_printf(&r->res->detail, "  %s:%u:%u: %s: message mismatch: expected \"%s\", got \"%s\"\n",
                   r->res->display, cmd->line, cmd->column, report_kind_name(kind), want, got);
    return ok;
}

static void fail(Runner *r, RunKind kind, const WastCommand *cmd, Blame blame, const char *fmt,
                 const char *a, const char *b) {
    char reason[2 * DIAG_MSG_MAX + 128];
    snprintf(reason, sizeof reason, fmt, a, b);
    report_fail(r->res, kind, blame, cmd->line, cmd->column, reason, NULL);
}

/* ---- Loading -------------------------------------------------------------------------------- */

/* The command's component bytes, or the text error (STAGE_PARSE). */
static CliStage bytes_of(const WastModule *wm, const uint8_t **bytes, size_t *len, Diag *diag) {
    diag_clear(diag);
    if (wm->has_error) {
        *diag = wm->error;
        return STAGE_PARSE;
    }
    *bytes = wm->bytes ? wm->bytes : (const uint8_t *)"";
    *len = wm->len;
    return STAGE_OK;
}

/* Decode and validate only (the assert_malformed / assert_invalid stages). */
static CliStage check_component(Runner *r, const WastModule *wm, Diag *diag) {
    const uint8_t *bytes;
    size_t len;
    CliStage stage = bytes_of(wm, &bytes, &len, diag);
    if (stage != STAGE_OK)
        return stage;
    CompComponent *c;
    Err err = comp_decode(bytes, len, &c, diag);
    if (err != OK)
        return err == ERR_NOMEM ? STAGE_NOMEM : STAGE_DECODE;
    if (r->comp_no_implements)
        c->features &= ~COMP_FEAT_IMPLEMENTS;
    err = comp_validate(c, r->reg, diag);
    comp_ir_delete(c);
    if (err != OK)
        return err == ERR_NOMEM ? STAGE_NOMEM : STAGE_VALID;
    return STAGE_OK;
}

static Blame blame_of(CliStage stage) {
    switch (stage) {
    case STAGE_PARSE: return BLAME_TEXT;
    case STAGE_DECODE: return BLAME_READER;
    case STAGE_VALID: return BLAME_VALIDATOR;
    default: return BLAME_RUNTIME;
    }
}

/* Load the command's component; on failure the command is reported. */
static Component *load(Runner *r, RunKind kind, const WastCommand *cmd) {
    Diag diag;
    const uint8_t *bytes;
    size_t len;
    CliStage stage = bytes_of(cmd->module, &bytes, &len, &diag);
    if (stage == STAGE_OK && !r->engine) {
        fail(r, kind, cmd, BLAME_RUNTIME, "no engine: %s%s", r->setup_error, "");
        return NULL;
    }
    Component *c = NULL;
    uint32_t features = COMP_FEATURES_DEFAULT;
    if (r->comp_no_implements)
        features &= ~COMP_FEAT_IMPLEMENTS;
    if (stage == STAGE_OK &&
        comp_component_new_features(r->engine, bytes, len, features, &c, &diag) == OK)
        return c;
    if (stage == STAGE_OK)
        stage = diag.code == ERR_MALFORMED ? STAGE_DECODE
                : diag.code == ERR_INVALID ? STAGE_VALID
                                           : STAGE_NOMEM;
    fail(r, kind, cmd, blame_of(stage), "component failed to load: %s%s", diag.msg, "");
    return NULL;
}

static Err instantiate(Runner *r, WastComp *wc, Component *c, CompInstance **out, Diag *diag) {
    Trap *trap = NULL;
    Err err = comp_instantiate(r->store, c, wc->host, out, &trap, diag);
    if (err == ERR_TRAP)
        snprintf(diag->msg, sizeof diag->msg, "%s", trap ? rt_trap_text(trap) : "trap");
    rt_trap_delete(trap);
    return err;
}

/* ---- Commands on components ------------------------------------------------------------------ */

static void push(WastUnits *units, WastUnit u) {
    (void)VEC_PUSH(units, u); /* lost: commands naming it fail as unknown */
}

static void register_unit(Runner *r, WastComp *wc, const WastCommand *cmd, const char *name,
                          WastCompUnit *cu) {
    Diag diag;
    if (name && cu && cu->instance &&
        comp_host_component(wc->host, name, cu->instance, &diag) != OK)
        report_fail(r->res, RK_REGISTER, BLAME_RUNNER, cmd->line, cmd->column, diag.msg, NULL);
}

/* Instantiate definition `def` as the unit `id`. */
static void make_instance(Runner *r, WastComp *wc, RunKind kind, const WastCommand *cmd,
                          Component *def, const char *id) {
    WastUnit u = {.id = id, .line = cmd->line};
    WastCompUnit *cu = new_unit(wc);
    Diag diag;
    Err err = cu ? instantiate(r, wc, def, &cu->instance, &diag) : FAIL_NOMEM(&diag);
    if (err != OK) {
        fail(r, kind, cmd, err == ERR_TRAP ? BLAME_EXEC : BLAME_RUNTIME,
             "component instantiation failed: %s%s", diag.msg, "");
        u.failed = true;
        u.blame = BLAME_RUNTIME;
    } else {
        report_pass(r->res, kind);
        u.comp = cu;
        register_unit(r, wc, cmd, id, cu);
    }
    push(&r->insts, u);
}

static void run_component(Runner *r, WastComp *wc, const WastCommand *cmd) {
    const WastModule *wm = cmd->module;
    WastUnit def = {.id = wm->id, .line = cmd->line};
    Component *c = load(r, RK_MODULE, cmd);
    WastCompUnit *cu = c ? new_unit(wc) : NULL;
    if (c && !cu) {
        comp_component_delete(c);
        c = NULL;
        report_fail(r->res, RK_MODULE, BLAME_RUNNER, cmd->line, cmd->column, "out of memory",
                    NULL);
    }
    if (!c) {
        def.failed = true;
        def.blame = BLAME_RUNTIME;
        push(&r->defs, def);
        if (!wm->is_definition)
            push(&r->insts, def);
        return;
    }
    cu->component = c;
    def.comp = cu;
    push(&r->defs, def);
    if (wm->is_definition)
        report_pass(r->res, RK_MODULE);
    else
        make_instance(r, wc, RK_MODULE, cmd, c, wm->id);
}

static void run_instance(Runner *r, WastComp *wc, const WastCommand *cmd) {
    WastUnit *def = wast_find_unit(&r->defs, cmd->definition_id);
    if (!def || !def->comp || !def->comp->component) {
        WastUnit u = {.id = cmd->instance_id, .line = cmd->line, .failed = true};
        if (!def || !wast_unit_unusable(r, RK_INSTANCE, cmd, def, "its component definition"))
            report_fail(r->res, RK_INSTANCE, BLAME_RUNNER, cmd->line, cmd->column,
                        "no such component definition", NULL);
        push(&r->insts, u);
        return;
    }
    make_instance(r, wc, RK_INSTANCE, cmd, def->comp->component, cmd->instance_id);
}

static void run_rejected(Runner *r, RunKind kind, const WastCommand *cmd) {
    Diag diag;
    CliStage stage = check_component(r, cmd->module, &diag);
    bool ok = kind == RK_ASSERT_INVALID ? stage == STAGE_VALID
                                        : stage == STAGE_PARSE || stage == STAGE_DECODE;
    if (kind == RK_ASSERT_INVALID && stage == STAGE_PARSE)
        ok = true; /* the text format rejects some invalid components (unknown names) */
    if (ok) {
        report_pass(r->res, kind);
        message_ok(r, kind, cmd, diag.msg);
        return;
    }
    const char *want = cmd->message ? cmd->message : "";
    if (stage == STAGE_OK)
        fail(r, kind, cmd, kind == RK_ASSERT_INVALID ? BLAME_VALIDATOR : BLAME_READER,
             "expected \"%s\", component %s fine", want,
             kind == RK_ASSERT_INVALID ? "validated" : "decoded");
    else
        fail(r, kind, cmd, blame_of(stage), "expected \"%s\", got \"%s\"", want, diag.msg);
}

/* assert_unlinkable / assert_trap on a component: instantiation must fail so. */
static void run_failing_instance(Runner *r, WastComp *wc, RunKind kind, const WastCommand *cmd) {
    Component *c = load(r, kind, cmd);
    if (!c)
        return;
    CompInstance *inst;
    Diag diag;
    Err err = instantiate(r, wc, c, &inst, &diag);
    Err want_err = kind == RK_ASSERT_UNLINKABLE ? ERR_LINK : ERR_TRAP;
    const char *want = cmd->message ? cmd->message : "";
    if (err == want_err && message_ok(r, kind, cmd, diag.msg))
        report_pass(r->res, kind);
    else if (err == OK)
        fail(r, kind, cmd, BLAME_RUNTIME, "expected \"%s\", instantiated fine%s", want, "");
    else
        fail(r, kind, cmd, BLAME_RUNTIME, "expected \"%s\", got \"%s\"", want, diag.msg);
    comp_component_delete(c);
}

static void run_register(Runner *r, WastComp *wc, const WastCommand *cmd, WastUnit *u) {
    if (wast_unit_unusable(r, RK_REGISTER, cmd, u, "its component"))
        return;
    Diag diag;
    if (comp_host_component(wc->host, cmd->register_name ? cmd->register_name : "",
                            u->comp->instance, &diag) != OK)
        report_fail(r->res, RK_REGISTER, BLAME_RUNNER, cmd->line, cmd->column, diag.msg, NULL);
    else
        report_pass(r->res, RK_REGISTER);
}

/* ---- Values ------------------------------------------------------------------------------------ */

typedef struct Conv {
    Arena *arena;
    char why[160];
} Conv;

static bool conv_fail(Conv *cv, const char *what, const CompValType *t) {
    snprintf(cv->why, sizeof cv->why, "%s for a %s", what, comp_valkind_name(t->kind));
    return false;
}

static bool to_value(Conv *cv, const WastCompValue *w, const CompValType *t, CompValue *out);

static bool to_scalar(Conv *cv, const WastCompValue *w, const CompValType *t, CompValue *out) {
    if (w->kind != t->kind)
        return conv_fail(cv, "wrong kind of value", t);
    static const uint8_t bits[] = {[CVT_S8] = 8,   [CVT_U8] = 8,   [CVT_S16] = 16,
                                   [CVT_U16] = 16, [CVT_S32] = 32, [CVT_U32] = 32,
                                   [CVT_S64] = 64, [CVT_U64] = 64};
    out->kind = t->kind;
    switch (t->kind) {
    case CVT_BOOL: out->b = w->bits != 0; return true;
    case CVT_F32: {
        uint32_t b = (uint32_t)w->bits;
        memcpy(&out->f32, &b, 4);
        return true;
    }
    case CVT_F64: memcpy(&out->f64, &w->bits, 8); return true;
    case CVT_CHAR: out->ch = (uint32_t)w->bits; return true;
    case CVT_STRING: {
        Diag diag;
        return comp_val_string(cv->arena, w->str, w->len, out, &diag) == OK ||
               conv_fail(cv, "bad string", t);
    }
    default: break;
    }
    unsigned n = bits[t->kind];
    uint64_t mask = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
    bool is_signed = t->kind == CVT_S8 || t->kind == CVT_S16 || t->kind == CVT_S32 ||
                     t->kind == CVT_S64;
    uint64_t u = w->bits & mask;
    if (is_signed && n < 64 && (u >> (n - 1)) & 1)
        u |= ~mask;
    out->u = u;
    return true;
}

static bool to_items(Conv *cv, const WastCompValue *w, const CompValType *t, CompValue *out) {
    Diag diag;
    uint32_t n = w->n;
    if ((t->kind == CVT_RECORD || t->kind == CVT_TUPLE || t->kind == CVT_FIXED_LIST) && n != t->n)
        return conv_fail(cv, "wrong number of items", t);
    if (comp_val_items(cv->arena, (CompValKind)t->kind, n, out, &diag) != OK)
        return conv_fail(cv, "out of memory", t);
    for (uint32_t i = 0; i < n; i++) {
        const CompValType *et = t->kind == CVT_RECORD  ? t->fields[i].type
                                : t->kind == CVT_TUPLE ? t->elems[i]
                                                       : t->elem;
        if (!to_value(cv, &w->items[i], et, &out->items[i]))
            return false;
    }
    return true;
}

static bool to_case(Conv *cv, const WastCompValue *w, const CompValType *t, uint32_t index,
                    CompValue *out) {
    const CompValType *pt = comp_case_type(t, index);
    if ((pt != NULL) != (w->n == 1))
        return conv_fail(cv, "payload mismatch", t);
    CompValue payload;
    if (pt && !to_value(cv, &w->items[0], pt, &payload))
        return false;
    Diag diag;
    if (comp_val_case(cv->arena, (CompValKind)t->kind, index, pt ? &payload : NULL, out, &diag) !=
        OK)
        return conv_fail(cv, "out of memory", t);
    return true;
}

static bool label_index(const WastCompValue *w, const CompValType *t, uint32_t *out) {
    for (uint32_t i = 0; i < t->n; i++) {
        const char *name = t->kind == CVT_VARIANT ? t->cases[i].name : t->labels[i];
        if (strcmp(name, w->str) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

static bool to_flags(Conv *cv, const WastCompValue *w, const CompValType *t, CompValue *out) {
    Diag diag;
    if (comp_val_flags(cv->arena, t->n, out, &diag) != OK)
        return conv_fail(cv, "out of memory", t);
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t k = t->n;
        for (uint32_t j = 0; j < t->n && k == t->n; j++)
            if (strcmp(t->labels[j], w->names[i]) == 0)
                k = j;
        if (k == t->n)
            return conv_fail(cv, "unknown flag", t);
        out->flags[k / 32] |= 1u << (k % 32);
    }
    return true;
}

static bool to_value(Conv *cv, const WastCompValue *w, const CompValType *t, CompValue *out) {
    memset(out, 0, sizeof *out);
    uint32_t index;
    if (t->kind <= CVT_STRING)
        return to_scalar(cv, w, t, out);
    switch (t->kind) {
    case CVT_LIST:
    case CVT_FIXED_LIST:
        return w->kind == WCV_LIST ? to_items(cv, w, t, out) : conv_fail(cv, "not a list", t);
    case CVT_RECORD:
        return w->kind == WCV_RECORD ? to_items(cv, w, t, out) : conv_fail(cv, "not a record", t);
    case CVT_TUPLE:
        return w->kind == WCV_TUPLE ? to_items(cv, w, t, out) : conv_fail(cv, "not a tuple", t);
    case CVT_VARIANT:
    case CVT_ENUM:
        if (w->kind != (t->kind == CVT_ENUM ? WCV_ENUM : WCV_VARIANT) || !label_index(w, t, &index))
            return conv_fail(cv, "unknown case", t);
        return to_case(cv, w, t, index, out);
    case CVT_OPTION:
        return w->kind == WCV_OPTION ? to_case(cv, w, t, w->n ? 1 : 0, out)
                                     : conv_fail(cv, "not an option", t);
    case CVT_RESULT:
        return w->kind == WCV_RESULT ? to_case(cv, w, t, w->is_err ? 1 : 0, out)
                                     : conv_fail(cv, "not a result", t);
    case CVT_FLAGS:
        return w->kind == WCV_FLAGS ? to_flags(cv, w, t, out) : conv_fail(cv, "not flags", t);
    default: return conv_fail(cv, "unsupported value", t);
    }
}

/* A script value (a component value, or f32/f64.const at the top level). */
static bool script_value(Conv *cv, const WastValue *v, const CompValType *t, CompValue *out) {
    if (v->kind == WV_COMP)
        return to_value(cv, v->comp, t, out);
    WastCompValue w;
    memset(&w, 0, sizeof w);
    if (v->kind == WV_F32) {
        w.kind = WCV_F32;
        w.bits = v->i32;
    } else if (v->kind == WV_F64) {
        w.kind = WCV_F64;
        w.bits = v->i64;
    } else {
        return conv_fail(cv, "not a component value", t);
    }
    return to_value(cv, &w, t, out);
}

/* ---- Actions ------------------------------------------------------------------------------------ */

static bool is_nan(const CompValue *v) {
    return v->kind == CVT_F32 ? v->f32 != v->f32 : v->kind == CVT_F64 && v->f64 != v->f64;
}

static bool expect_ok(Conv *cv, const WastExpect *e, const CompValType *t, const CompValue *got) {
    if (e->kind == WE_NAN_CANONICAL || e->kind == WE_NAN_ARITHMETIC)
        return is_nan(got);
    if (e->kind != WE_VALUE)
        return false;
    CompValue want;
    return script_value(cv, &e->value, t, &want) && comp_value_equal(&want, got);
}

static void check_return(Runner *r, const WastCommand *cmd, const CompFuncType *ft,
                         Conv *cv, const CompValue *results) {
    if (ft->n_results != cmd->n_expects) {
        char n[32], m[32];
        snprintf(n, sizeof n, "%u", ft->n_results);
        snprintf(m, sizeof m, "%u", cmd->n_expects);
        fail(r, RK_ASSERT_RETURN, cmd, BLAME_RUNNER, "%s results, expected %s", n, m);
        return;
    }
    for (uint32_t i = 0; i < ft->n_results; i++) {
        if (expect_ok(cv, &cmd->expects[i], ft->results[i].type, &results[i]))
            continue;
        char got[DIAG_MSG_MAX], why[DIAG_MSG_MAX];
        comp_value_print(&results[i], ft->results[i].type, got, sizeof got);
        snprintf(why, sizeof why, "%s", cv->why[0] ? cv->why : "a different value");
        fail(r, RK_ASSERT_RETURN, cmd, BLAME_EXEC, "wrong result: got %s, expected %s", got,
             why);
        return;
    }
    report_pass(r->res, RK_ASSERT_RETURN);
}

static RunKind kind_of(const WastCommand *cmd) {
    switch (cmd->kind) {
    case CMD_ASSERT_RETURN: return RK_ASSERT_RETURN;
    case CMD_ASSERT_TRAP: return RK_ASSERT_TRAP;
    case CMD_ASSERT_EXHAUSTION: return RK_ASSERT_EXHAUSTION;
    default: return RK_ACTION;
    }
}

static void finish_action(Runner *r, RunKind kind, const WastCommand *cmd, const CompFuncType *ft,
                          Conv *cv, Err err, const Trap *trap, const CompValue *results,
                          const Diag *diag) {
    const char *text = err == ERR_TRAP ? (trap ? rt_trap_text(trap) : "trap") : diag->msg;
    if (kind == RK_ASSERT_TRAP || kind == RK_ASSERT_EXHAUSTION) {
        if (err == ERR_TRAP && message_ok(r, kind, cmd, text))
            report_pass(r->res, kind);
        else if (err == OK)
            fail(r, kind, cmd, BLAME_EXEC, "expected trap \"%s\", returned normally%s",
                 cmd->message ? cmd->message : "", "");
        else
            fail(r, kind, cmd, BLAME_EXEC, "expected trap \"%s\", got \"%s\"",
                 cmd->message ? cmd->message : "", text);
        return;
    }
    if (err != OK) {
        fail(r, kind, cmd, err == ERR_TRAP ? BLAME_EXEC : BLAME_RUNTIME, "unexpected %s: %s",
             err == ERR_TRAP ? "trap" : "error", text);
        return;
    }
    if (kind == RK_ASSERT_RETURN)
        check_return(r, cmd, ft, cv, results);
    else
        report_pass(r->res, kind);
}

static void run_action(Runner *r, const WastCommand *cmd, WastUnit *u) {
    RunKind kind = kind_of(cmd);
    if (wast_unit_unusable(r, kind, cmd, u, "its component"))
        return;
    const WastAction *a = &cmd->action;
    CompFunc *f = a->kind == WAST_INVOKE ? comp_instance_func(u->comp->instance, a->name) : NULL;
    if (!f) {
        fail(r, kind, cmd, BLAME_RUNTIME, "unknown component export \"%s\"%s", a->name, "");
        return;
    }
    const CompFuncType *ft = comp_func_type(f);
    Arena arena;
    arena_init(&arena);
    Conv cv = {.arena = &arena};
    CompValue *args = arena_calloc(&arena, a->n_args + 1, sizeof *args);
    CompValue *results = arena_calloc(&arena, ft->n_results + 1, sizeof *results);
    bool ok = args && results && a->n_args == ft->n_params;
    if (!ok)
        snprintf(cv.why, sizeof cv.why, "%u arguments for %u parameters", a->n_args, ft->n_params);
    for (uint32_t i = 0; ok && i < a->n_args; i++)
        ok = script_value(&cv, &a->args[i], ft->params[i].type, &args[i]);
    if (!ok) {
        fail(r, kind, cmd, BLAME_RUNNER, "invoke: %s%s", cv.why, "");
        arena_fini(&arena);
        return;
    }
    Trap *trap = NULL;
    Diag diag;
    diag_clear(&diag);
    Err err = comp_call(r->store, f, args, a->n_args, results, ft->n_results, &arena, &trap,
                        &diag);
    cv.why[0] = 0;
    finish_action(r, kind, cmd, ft, &cv, err, trap, results, &diag);
    rt_trap_delete(trap);
    arena_fini(&arena);
}

/* ---- Dispatch ---------------------------------------------------------------------------------- */

static bool is_component_cmd(Runner *r, const WastCommand *cmd, WastUnit **out_unit) {
    *out_unit = NULL;
    switch (cmd->kind) {
    case CMD_MODULE:
    case CMD_ASSERT_MALFORMED:
    case CMD_ASSERT_INVALID:
    case CMD_ASSERT_UNLINKABLE:
    case CMD_ASSERT_TRAP_MODULE: return cmd->module && cmd->module->is_component;
    case CMD_INSTANCE: return cmd->is_component;
    case CMD_REGISTER:
        *out_unit = wast_find_unit(&r->insts, cmd->definition_id);
        return *out_unit && (*out_unit)->comp;
    case CMD_ACTION:
    case CMD_ASSERT_RETURN:
    case CMD_ASSERT_TRAP:
    case CMD_ASSERT_EXHAUSTION:
        *out_unit = wast_find_unit(&r->insts, cmd->action.module_id);
        return *out_unit && (*out_unit)->comp;
    default: return false;
    }
}

bool wast_comp_command(Runner *r, const WastCommand *cmd) {
    WastUnit *u;
    if (!is_component_cmd(r, cmd, &u))
        return false;
    Diag diag;
    WastComp *wc = r->engine ? state(r, &diag) : NULL;
    if (!wc) {
        report_fail(r->res, kind_of(cmd), BLAME_RUNNER, cmd->line, cmd->column,
                    r->engine ? diag.msg : r->setup_error, NULL);
        return true;
    }
    switch (cmd->kind) {
    case CMD_MODULE: run_component(r, wc, cmd); break;
    case CMD_INSTANCE: run_instance(r, wc, cmd); break;
    case CMD_ASSERT_MALFORMED: run_rejected(r, RK_ASSERT_MALFORMED, cmd); break;
    case CMD_ASSERT_INVALID: run_rejected(r, RK_ASSERT_INVALID, cmd); break;
    case CMD_ASSERT_UNLINKABLE: run_failing_instance(r, wc, RK_ASSERT_UNLINKABLE, cmd); break;
    case CMD_ASSERT_TRAP_MODULE: run_failing_instance(r, wc, RK_ASSERT_TRAP_MODULE, cmd); break;
    case CMD_REGISTER: run_register(r, wc, cmd, u); break;
    default: run_action(r, cmd, u); break;
    }
    return true;
}
