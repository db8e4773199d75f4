/* Tasks and `canon task.return` (cabi_task.c): async lifts without a
 * callback return through task.return to a host caller, a synchronous
 * lowering and an async lowering (results at the return pointer, status
 * RETURNED); the state machine's traps (twice, never, wrong signature or
 * options, from a synchronous task, from post-return's may_leave); and the
 * features parameter of comp_component_new_features. */
#include "component/component.h"
#include "component/component_front.h"
#include "interp/interp.h"
#include "syntax/syntax.h"
#include "test.h"

typedef struct Env {
    Engine *engine;
    Store *store;
    Component *component;
    CompHost *host;
    CompInstance *inst;
} Env;

static Err load(Env *e, const char *wat, Trap **trap, Diag *diag) {
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    memset(e, 0, sizeof *e);
    *trap = NULL;
    TRY(rt_engine_new(&cfg, &e->engine, diag));
    TRY(rt_store_new(e->engine, &e->store, diag));
    ByteBuf b;
    buf_init(&b);
    Err err = wat_parse_component(wat, strlen(wat), "test", &b, diag);
    if (err == OK)
        err = comp_component_new(e->engine, b.data, b.len, &e->component, diag);
    buf_fini(&b);
    TRY(err);
    e->host = comp_host_new();
    return comp_instantiate(e->store, e->component, e->host, &e->inst, trap, diag);
}

static void env_fini(Env *e) {
    rt_store_delete(e->store);
    comp_component_delete(e->component);
    comp_host_delete(e->host);
    rt_engine_delete(e->engine);
}

/* Call a () -> (one result) export; the result is printed as WAVE into text. */
static Err call(Env *e, const char *name, char *text, size_t size, Trap **trap, Diag *diag) {
    *trap = NULL;
    text[0] = 0;
    CompFunc *f = comp_instance_func(e->inst, name);
    if (!f)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "no export %s", name);
    const CompFuncType *ft = comp_func_type(f);
    Arena a;
    arena_init(&a);
    CompValue r;
    Err err = comp_call(e->store, f, NULL, 0, &r, ft->n_results, &a, trap, diag);
    if (err == OK && ft->n_results)
        comp_value_print(&r, ft->results[0].type, text, size);
    arena_fini(&a);
    return err;
}

/* Expect export `name` to trap with a message starting with `want`. */
static void expect_trap(Env *e, const char *name, const char *want) {
    char text[128];
    Trap *trap;
    Diag diag;
    Err err = call(e, name, text, sizeof text, &trap, &diag);
    CHECK(err == ERR_TRAP);
    CHECK(trap != NULL);
    if (trap) {
        if (strncmp(rt_trap_text(trap), want, strlen(want)) != 0)
            fprintf(stderr, "  %s: trap `%s`, want `%s`\n", name, rt_trap_text(trap), want);
        CHECK(strncmp(rt_trap_text(trap), want, strlen(want)) == 0);
        rt_trap_delete(trap);
    }
}

static void expect_result(Env *e, const char *name, const char *want) {
    char text[128];
    Trap *trap;
    Diag diag;
    Err err = call(e, name, text, sizeof text, &trap, &diag);
    if (err != OK)
        fprintf(stderr, "  %s: %s\n", name, trap ? rt_trap_text(trap) : diag.msg);
    CHECK(err == OK);
    CHECK_STR(text, want);
    rt_trap_delete(trap);
}

/* The callee: async lifts returning through task.return, plus the misuses. */
static const char callee[] =
    "(component"
    "  (core module $libc (memory (export \"mem\") 1)"
    "    (data (i32.const 100) \"hello\"))"
    "  (core instance $libc (instantiate $libc))"
    "  (core func $ret-u32 (canon task.return (result u32)))"
    "  (core func $ret-s32 (canon task.return (result s32)))"
    "  (core func $ret-none (canon task.return))"
    "  (core func $ret-str (canon task.return (result string)"
    "    (memory (core memory $libc \"mem\"))))"
    "  (core func $ret-str16 (canon task.return (result string)"
    "    (memory (core memory $libc \"mem\")) string-encoding=utf16))"
    "  (core module $m"
    "    (import \"\" \"u32\" (func $u32 (param i32)))"
    "    (import \"\" \"s32\" (func $s32 (param i32)))"
    "    (import \"\" \"none\" (func $none))"
    "    (import \"\" \"str\" (func $str (param i32 i32)))"
    "    (import \"\" \"str16\" (func $str16 (param i32 i32)))"
    "    (func (export \"answer\") (call $u32 (i32.const 42)))"
    "    (func (export \"twice\") (call $u32 (i32.const 1)) (call $u32 (i32.const 2)))"
    "    (func (export \"never\"))"
    "    (func (export \"wrong-type\") (call $s32 (i32.const 1)))"
    "    (func (export \"unit\") (call $none))"
    "    (func (export \"greet\") (call $str (i32.const 100) (i32.const 5)))"
    "    (func (export \"wrong-opts\") (call $str16 (i32.const 100) (i32.const 2)))"
    "    (func (export \"sync\") (result i32) (call $u32 (i32.const 3)) (i32.const 3))"
    "    (func (export \"after\") (call $u32 (i32.const 7)) (unreachable))"
    "    (func (export \"one\") (result i32) (i32.const 1))"
    "    (func (export \"in-post-return\") (param i32) (call $u32 (i32.const 9))))"
    "  (core instance $i (instantiate $m (with \"\" (instance"
    "    (export \"u32\" (func $ret-u32)) (export \"s32\" (func $ret-s32))"
    "    (export \"none\" (func $ret-none)) (export \"str\" (func $ret-str))"
    "    (export \"str16\" (func $ret-str16))))))"
    "  (func (export \"answer\") async (result u32) (canon lift (core func $i \"answer\") async))"
    "  (func (export \"twice\") async (result u32) (canon lift (core func $i \"twice\") async))"
    "  (func (export \"never\") async (result u32) (canon lift (core func $i \"never\") async))"
    "  (func (export \"wrong-type\") async (result u32)"
    "    (canon lift (core func $i \"wrong-type\") async))"
    "  (func (export \"unit\") async (canon lift (core func $i \"unit\") async))"
    "  (func (export \"greet\") async (result string)"
    "    (canon lift (core func $i \"greet\") async (memory (core memory $libc \"mem\"))))"
    "  (func (export \"wrong-opts\") async (result string)"
    "    (canon lift (core func $i \"wrong-opts\") async (memory (core memory $libc \"mem\"))))"
    "  (func (export \"sync\") (result u32) (canon lift (core func $i \"sync\")))"
    "  (func (export \"after\") async (result u32) (canon lift (core func $i \"after\") async))"
    "  (func (export \"in-post-return\") (result u32) (canon lift (core func $i \"one\")"
    "    (post-return (core func $i \"in-post-return\")))))";

static void test_host_caller(void) {
    Env e;
    Trap *trap;
    Diag diag;
    Err err = load(&e, callee, &trap, &diag);
    if (err != OK)
        fprintf(stderr, "  load: %s\n", trap ? rt_trap_text(trap) : diag.msg);
    CHECK(err == OK);
    if (err == OK) {
        expect_result(&e, "answer", "42");
        expect_result(&e, "greet", "\"hello\"");
        char text[16];
        CHECK(call(&e, "unit", text, sizeof text, &trap, &diag) == OK);
        /* the instance keeps working after each of these traps */
        expect_trap(&e, "twice",
                    "`task.return` or `task.cancel` called more than once for current task");
        expect_trap(&e, "never", "async-lifted export failed to produce a result");
        expect_trap(&e, "wrong-type",
                    "invalid `task.return` signature and/or options for current task");
        expect_trap(&e, "wrong-opts",
                    "invalid `task.return` signature and/or options for current task");
        expect_trap(&e, "sync", "invalid `task.return` signature and/or options for current task");
        expect_trap(&e, "in-post-return", "cannot leave component instance");
        expect_trap(&e, "after", ""); /* resolved, then trapped: the trap wins */
        expect_result(&e, "answer", "42");
    }
    env_fini(&e);
}

/* A caller component: lowers the callee's async exports async (status and
 * return pointer) and sync (from an async task; from a sync task it traps). */
static const char caller[] =
    "(component"
    "  (component $C"
    "    (core module $libc (memory (export \"mem\") 1)"
    "      (data (i32.const 100) \"hello\"))"
    "    (core instance $libc (instantiate $libc))"
    "    (core func $ret-u32 (canon task.return (result u32)))"
    "    (core func $ret-str (canon task.return (result string)"
    "      (memory (core memory $libc \"mem\"))))"
    "    (core module $m"
    "      (import \"\" \"u32\" (func $u32 (param i32)))"
    "      (import \"\" \"str\" (func $str (param i32 i32)))"
    "      (func (export \"add\") (param i32) (call $u32 (i32.add (local.get 0) (i32.const 1))))"
    "      (func (export \"greet\") (call $str (i32.const 100) (i32.const 5)))"
    "      (func (export \"twice\") (param i32) (call $u32 (i32.const 1)) (call $u32 (i32.const "
    "2))))"
    "    (core instance $i (instantiate $m (with \"\" (instance"
    "      (export \"u32\" (func $ret-u32)) (export \"str\" (func $ret-str))))))"
    "    (func (export \"add\") async (param \"x\" u32) (result u32)"
    "      (canon lift (core func $i \"add\") async))"
    "    (func (export \"twice\") async (param \"x\" u32) (result u32)"
    "      (canon lift (core func $i \"twice\") async))"
    "    (func (export \"greet\") async (result string)"
    "      (canon lift (core func $i \"greet\") async (memory (core memory $libc \"mem\")))))"
    "  (component $D"
    "    (import \"c\" (instance $c"
    "      (export \"add\" (func async (param \"x\" u32) (result u32)))"
    "      (export \"twice\" (func async (param \"x\" u32) (result u32)))"
    "      (export \"greet\" (func async (result string)))))"
    "    (core module $libc (memory (export \"mem\") 1)"
    "      (global $next (mut i32) (i32.const 1024))"
    "      (func (export \"realloc\") (param i32 i32 i32 i32) (result i32)"
    "        (global.get $next)"
    "        (global.set $next (i32.add (global.get $next) (local.get 3)))))"
    "    (core instance $libc (instantiate $libc))"
    "    (core func $add-async (canon lower (func $c \"add\") async"
    "      (memory (core memory $libc \"mem\"))))"
    "    (core func $twice-async (canon lower (func $c \"twice\") async"
    "      (memory (core memory $libc \"mem\"))))"
    "    (core func $greet-async (canon lower (func $c \"greet\") async"
    "      (memory (core memory $libc \"mem\")) (realloc (core func $libc \"realloc\"))))"
    "    (core func $add-sync (canon lower (func $c \"add\")))"
    "    (core func $ret (canon task.return (result u32)))"
    "    (core module $m"
    "      (import \"\" \"mem\" (memory 1))"
    "      (import \"\" \"add-async\" (func $add-async (param i32 i32) (result i32)))"
    "      (import \"\" \"twice-async\" (func $twice-async (param i32 i32) (result i32)))"
    "      (import \"\" \"greet-async\" (func $greet-async (param i32) (result i32)))"
    "      (import \"\" \"add-sync\" (func $add-sync (param i32) (result i32)))"
    "      (import \"\" \"ret\" (func $ret (param i32)))"
    "      (func (export \"via-async\") (result i32)"
    "        (if (i32.ne (call $add-async (i32.const 41) (i32.const 16)) (i32.const 2))"
    "          (then unreachable))"
    "        (i32.load (i32.const 16)))"
    "      (func (export \"greet-len\") (result i32)"
    "        (if (i32.ne (call $greet-async (i32.const 16)) (i32.const 2)) (then unreachable))"
    "        (if (i32.ne (i32.load8_u (i32.load (i32.const 16))) (i32.const 0x68))"
    "          (then unreachable))"
    "        (i32.load (i32.const 20)))"
    "      (func (export \"twice\") (result i32)"
    "        (drop (call $twice-async (i32.const 1) (i32.const 16))) (i32.const 0))"
    "      (func (export \"sync-from-sync\") (result i32) (call $add-sync (i32.const 1)))"
    "      (func (export \"sync-from-async\") (call $ret (call $add-sync (i32.const 9)))))"
    "    (core instance $i (instantiate $m (with \"\" (instance"
    "      (export \"mem\" (memory $libc \"mem\"))"
    "      (export \"add-async\" (func $add-async)) (export \"twice-async\" (func $twice-async))"
    "      (export \"greet-async\" (func $greet-async)) (export \"add-sync\" (func $add-sync))"
    "      (export \"ret\" (func $ret))))))"
    "    (func (export \"via-async\") (result u32) (canon lift (core func $i \"via-async\")))"
    "    (func (export \"greet-len\") (result u32) (canon lift (core func $i \"greet-len\")))"
    "    (func (export \"twice\") (result u32) (canon lift (core func $i \"twice\")))"
    "    (func (export \"sync-from-sync\") (result u32)"
    "      (canon lift (core func $i \"sync-from-sync\")))"
    "    (func (export \"sync-from-async\") async (result u32)"
    "      (canon lift (core func $i \"sync-from-async\") async)))"
    "  (instance $c (instantiate $C))"
    "  (instance $d (instantiate $D (with \"c\" (instance $c))))"
    "  (func (export \"via-async\") (alias export $d \"via-async\"))"
    "  (func (export \"greet-len\") (alias export $d \"greet-len\"))"
    "  (func (export \"twice\") (alias export $d \"twice\"))"
    "  (func (export \"sync-from-sync\") (alias export $d \"sync-from-sync\"))"
    "  (func (export \"sync-from-async\") (alias export $d \"sync-from-async\")))";

static void test_component_caller(void) {
    Env e;
    Trap *trap;
    Diag diag;
    Err err = load(&e, caller, &trap, &diag);
    if (err != OK)
        fprintf(stderr, "  load: %s\n", trap ? rt_trap_text(trap) : diag.msg);
    CHECK(err == OK);
    if (err == OK) {
        expect_result(&e, "via-async", "42");
        expect_result(&e, "greet-len", "5");
        expect_result(&e, "sync-from-async", "10");
        expect_trap(&e, "sync-from-sync", "cannot block a synchronous task before returning");
        expect_trap(&e, "twice",
                    "`task.return` or `task.cancel` called more than once for current task");
        expect_result(&e, "via-async", "42");
    }
    env_fini(&e);
}

/* comp_component_new_features: `implements` needs COMP_FEAT_IMPLEMENTS. */
static void test_features(void) {
    static const char text[] = "(component (import \"a\" (implements \"a:b/c\") (instance)))";
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    Engine *engine;
    Diag diag;
    CHECK(rt_engine_new(&cfg, &engine, &diag) == OK);
    ByteBuf b;
    buf_init(&b);
    CHECK(wat_parse_component(text, strlen(text), "test", &b, &diag) == OK);
    Component *c = NULL;
    CHECK(comp_component_new(engine, b.data, b.len, &c, &diag) == OK);
    comp_component_delete(c);
    c = NULL;
    CHECK(comp_component_new_features(engine, b.data, b.len, COMP_FEATURES_DEFAULT, &c, &diag) ==
          OK);
    comp_component_delete(c);
    c = NULL;
    CHECK(comp_component_new_features(engine, b.data, b.len, 0, &c, &diag) == ERR_INVALID);
    CHECK(c == NULL);
    CHECK(strstr(diag.msg, "the `cm-implements` feature is not active") != NULL);
    buf_fini(&b);
    rt_engine_delete(engine);
}

TEST_MAIN("comp_task", TEST_CASE(test_host_caller), TEST_CASE(test_component_caller),
          TEST_CASE(test_features))
