/* Components end to end through the plan (comp_plan.c) and its runner
 * (comp_instance.c): nested instantiations each get their own core state,
 * a function lowered from a lifted one of the same instance traps, host
 * imports are called and checked, exports of exported instances are found,
 * and WAVE text parses back to the values it prints (comp_wave.c). */
#include <math.h>

#include "component/component.h"
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
    CompHost *host = e->host; /* a preset host is kept */
    memset(e, 0, sizeof *e);
    e->host = host;
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
    if (!e->host)
        e->host = comp_host_new();
    return comp_instantiate(e->store, e->component, e->host, &e->inst, trap, diag);
}

static void env_fini(Env *e) {
    rt_store_delete(e->store);
    comp_component_delete(e->component);
    comp_host_delete(e->host);
    rt_engine_delete(e->engine);
}

/* Call a () -> u32 export. */
static Err call_u32(Env *e, const char *name, uint64_t *out, Trap **trap, Diag *diag) {
    CompFunc *f = comp_instance_func(e->inst, name);
    if (!f)
        return FAIL(diag, ERR_USAGE, DIAG_NO_OFFSET, "no export %s", name);
    Arena a;
    arena_init(&a);
    CompValue r;
    Err err = comp_call(e->store, f, NULL, 0, &r, 1, &a, trap, diag);
    *out = r.u;
    arena_fini(&a);
    return err;
}

static const char counter[] =
    "(component"
    "  (component $C"
    "    (core module $m (global $n (mut i32) (i32.const 0))"
    "      (func (export \"inc\") (result i32)"
    "        (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))"
    "    (core instance $i (instantiate $m))"
    "    (func (export \"inc\") (result u32) (canon lift (core func $i \"inc\"))))"
    "  (instance $a (instantiate $C))"
    "  (instance $b (instantiate $C))"
    "  (export \"a\" (instance $a))"
    "  (func (export \"inc-b\") (alias export $b \"inc\")))";

static void test_nested_instances(void) {
    Env e = {0};
    Trap *trap;
    Diag diag;
    CHECK(load(&e, counter, &trap, &diag) == OK);
    uint64_t v = 0;
    CHECK(call_u32(&e, "a#inc", &v, &trap, &diag) == OK && v == 1);
    CHECK(call_u32(&e, "a#inc", &v, &trap, &diag) == OK && v == 2);
    CHECK(call_u32(&e, "inc-b", &v, &trap, &diag) == OK && v == 1);
    CHECK(comp_instance_func(e.inst, "a") == NULL);
    CHECK(comp_instance_func(e.inst, "missing") == NULL);
    env_fini(&e);
}

static const char reentry[] =
    "(component"
    "  (core module $m (func (export \"f\") (result i32) (i32.const 7)))"
    "  (core instance $i (instantiate $m))"
    "  (func $f (result u32) (canon lift (core func $i \"f\")))"
    "  (core func $lf (canon lower (func $f)))"
    "  (core module $n (import \"\" \"f\" (func $f (result i32)))"
    "    (func (export \"g\") (result i32) (call $f)))"
    "  (core instance $j (instantiate $n (with \"\" (instance (export \"f\" (func $lf))))))"
    "  (func (export \"g\") (result u32) (canon lift (core func $j \"g\")))"
    "  (export \"f\" (func $f)))";

static void test_lower_of_own_lift_traps(void) {
    Env e = {0};
    Trap *trap;
    Diag diag;
    CHECK(load(&e, reentry, &trap, &diag) == OK);
    uint64_t v = 0;
    CHECK(call_u32(&e, "f", &v, &trap, &diag) == OK && v == 7);
    CHECK(call_u32(&e, "g", &v, &trap, &diag) == ERR_TRAP);
    CHECK(trap && strstr(rt_trap_text(trap), "cannot enter component instance"));
    rt_trap_delete(trap);
    /* the instance is usable again afterwards */
    CHECK(call_u32(&e, "f", &v, &trap, &diag) == OK && v == 7);
    env_fini(&e);
}

static Trap *host_add(void *env, const CompValue *args, uint32_t n_args, CompValue *results,
                      uint32_t n_results, Arena *arena) {
    results[0] = comp_val_u(CVT_U32, args[0].u + (uintptr_t)env);
    return NULL;
}

static const char importer[] =
    "(component"
    "  (import \"h\" (instance $h (export \"add\" (func (param \"x\" u32) (result u32)))))"
    "  (core func $add (canon lower (func $h \"add\")))"
    "  (core module $m (import \"\" \"add\" (func $add (param i32) (result i32)))"
    "    (func (export \"run\") (result i32) (call $add (i32.const 40))))"
    "  (core instance $i (instantiate $m (with \"\" (instance (export \"add\" (func $add))))))"
    "  (func (export \"run\") (result u32) (canon lift (core func $i \"run\"))))";

static void test_host_import(void) {
    Env e = {0};
    Trap *trap;
    Diag diag;
    CHECK(load(&e, importer, &trap, &diag) == ERR_LINK);
    CHECK(strstr(diag.msg, "was not found") != NULL);
    env_fini(&e);

    CompHost *host = comp_host_new(), *h;
    CHECK(comp_host_instance(host, "h", &h, &diag) == OK);
    CHECK(comp_host_func(h, "add", NULL, host_add, (void *)(uintptr_t)2, &diag) == OK);
    Env e2 = {0};
    e2.host = host;
    Err err = load(&e2, importer, &trap, &diag);
    CHECK(err == OK);
    uint64_t v = 0;
    CHECK(err == OK && call_u32(&e2, "run", &v, &trap, &diag) == OK && v == 42);
    env_fini(&e2);
}

static void check_wave(const CompValType *t, const char *text, const char *printed) {
    Arena a;
    arena_init(&a);
    CompValue v;
    Diag diag;
    char buf[256];
    Err err = comp_value_parse(text, strlen(text), t, &a, &v, &diag);
    CHECK(err == OK);
    if (err == OK) {
        comp_value_print(&v, t, buf, sizeof buf);
        CHECK_STR(buf, printed);
    }
    arena_fini(&a);
}

static void test_wave(void) {
    Arena a;
    arena_init(&a);
    static const char *const labels[] = {"read", "write", "exec"};
    CompField fields[2] = {{"name", comp_prim(CVT_STRING)}, {"size", NULL}};
    fields[1].type = comp_type_option(&a, comp_prim(CVT_U64));
    CompValType *rec = comp_type_record(&a, fields, 2);
    CompValType *list = comp_type_list(&a, comp_prim(CVT_S16));
    CompValType *fl = comp_type_flags(&a, labels, 3);
    CompValType *res = comp_type_result(&a, comp_prim(CVT_CHAR), NULL);
    check_wave(comp_prim(CVT_U32), " 42 ", "42");
    check_wave(comp_prim(CVT_S8), "-128", "-128");
    check_wave(comp_prim(CVT_F64), "-inf", "-inf");
    check_wave(comp_prim(CVT_STRING), "\"a\\u{1f600}\\n\"", "\"a\xf0\x9f\x98\x80\\n\"");
    check_wave(list, "[1, -2, 3,]", "[1, -2, 3]");
    check_wave(rec, "{name: \"x\"}", "{name: \"x\", size: none}");
    check_wave(rec, "{size: some(7), name: \"y\"}", "{name: \"y\", size: some(7)}");
    check_wave(fl, "{write, read}", "{read, write}");
    check_wave(fl, "{}", "{}");
    check_wave(res, "ok('z')", "ok('z')");
    check_wave(res, "err", "err");
    CompValue v;
    Diag diag;
    CHECK(comp_value_parse("256", 3, comp_prim(CVT_U8), &a, &v, &diag) == ERR_MALFORMED);
    CHECK(comp_value_parse("{nope}", 6, fl, &a, &v, &diag) == ERR_MALFORMED);
    CHECK(comp_value_parse("1 2", 3, comp_prim(CVT_U8), &a, &v, &diag) == ERR_MALFORMED);
    CompValue two[2];
    CompField params[2] = {{"a", comp_prim(CVT_BOOL)}, {"b", comp_prim(CVT_CHAR)}};
    CHECK(comp_values_parse("true, 'q'", 9, params, 2, &a, two, &diag) == OK);
    CHECK(two[0].b && two[1].ch == 'q');
    CHECK(comp_values_parse("true", 4, params, 2, &a, two, &diag) == ERR_MALFORMED);
    arena_fini(&a);
}

TEST_MAIN("comp_plan", TEST_CASE(test_nested_instances), TEST_CASE(test_lower_of_own_lift_traps),
          TEST_CASE(test_host_import), TEST_CASE(test_wave))
