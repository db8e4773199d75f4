/* The linker and import matching: resolution in order, redefinition,
 * "unknown import" and "incompatible import type" errors with exact texts. */
#include "test.h"

#include "fake_tier.h"

typedef struct Fixture {
    Engine *e;
    Store *s;
    Linker *l;
    RtModule *exporter;
    Instance *inst;
} Fixture;

static const char *const exporter_wat =
    "(module $m"
    " (global (export \"g i32\") i32 (i32.const 0))"
    " (global (export \"g mut i32\") (mut i32) (i32.const 0))"
    " (global (export \"g funcref\") funcref (ref.null func))"
    " (table (export \"t funcref\") 0 funcref)"
    " (table (export \"t externref\") 0 externref)"
    " (table (export \"t 2 5\") 2 5 funcref)"
    " (memory (export \"mem\") 0)"
    " (memory (export \"mem 1 3\") 1 3)"
    " (func (export \"f\"))"
    " (func (export \"f p1r2\") (param f32) (result i32 i64) unreachable)"
    " (type $t (func (param i32)))"
    " (func $ft (type $t))"
    " (global (export \"g ref t\") (ref $t) (ref.func $ft))"
    " (global (export \"g mut funcref\") (mut funcref) (ref.null func)))";

static void setup(Fixture *fx) {
    Diag d;
    fx->e = fake_engine();
    CHECK(rt_store_new(fx->e, &fx->s, &d) == OK);
    fx->l = rt_linker_new();
    fx->exporter = fake_compile_wat(fx->e, exporter_wat, &d);
    Trap *trap;
    CHECK(rt_instantiate(fx->s, fx->exporter, NULL, 0, &fx->inst, &trap, &d) == OK);
    CHECK(rt_linker_define_instance(fx->l, "m", 1, fx->inst, &d) == OK);
}

static void teardown(Fixture *fx) {
    rt_linker_delete(fx->l);
    rt_store_delete(fx->s);
    rt_module_release(fx->exporter);
    rt_engine_delete(fx->e);
}

/* Instantiate `wat` through the linker; returns the error, message in d. */
static Err link(Fixture *fx, const char *wat, Diag *d) {
    RtModule *m = fake_compile_wat(fx->e, wat, d);
    if (!m)
        return ERR_INVALID;
    Instance *inst;
    Trap *trap = NULL;
    Err err = rt_linker_instantiate(fx->l, fx->s, m, &inst, &trap, d);
    rt_trap_delete(trap);
    rt_module_release(m);
    return err;
}

static void check_link_error(Fixture *fx, const char *wat, const char *msg) {
    Diag d;
    Err err = link(fx, wat, &d);
    CHECK(err == ERR_LINK);
    if (err == ERR_LINK)
        CHECK_STR(d.msg, msg);
}

static void test_resolve(void) {
    Fixture fx;
    setup(&fx);
    Diag d;
    CHECK(link(&fx,
               "(module (import \"m\" \"f\" (func)) (import \"m\" \"g i32\" (global i32))"
               " (import \"m\" \"t 2 5\" (table 1 6 funcref)) (import \"m\" \"mem 1 3\" (memory 0)))",
               &d) == OK);
    Extern e;
    CHECK(rt_linker_get(fx.l, "m", 1, "f", 1, &e) && e.kind == EXTERN_FUNC);
    CHECK(!rt_linker_get(fx.l, "m", 1, "g", 1, &e));
    CHECK(!rt_linker_get(fx.l, "mf", 2, "", 0, &e)); /* keys keep the split */
    /* Redefinition replaces. */
    Extern mem;
    CHECK(rt_linker_get(fx.l, "m", 1, "mem", 3, &mem));
    CHECK(rt_linker_define(fx.l, "m", 1, "f", 1, mem, &d) == OK);
    CHECK(rt_linker_get(fx.l, "m", 1, "f", 1, &e) && e.kind == EXTERN_MEMORY);
    check_link_error(&fx, "(module (import \"m\" \"f\" (func)))",
                     "incompatible import type for `m::f`: expected func, found memory");
    teardown(&fx);
}

static void test_unknown(void) {
    Fixture fx;
    setup(&fx);
    check_link_error(&fx, "(module (import \"m\" \"f\" (func)) (import \"x\" \"y\" (func)))",
                     "unknown import: `x::y` has not been defined");
    check_link_error(&fx, "(module (import \"m\" \"nope\" (global i32)))",
                     "unknown import: `m::nope` has not been defined");
    teardown(&fx);
}

static void test_incompatible(void) {
    Fixture fx;
    setup(&fx);
    check_link_error(&fx, "(module (import \"m\" \"g i32\" (global i64)))",
                     "incompatible import type for `m::g i32`: expected global of type `i64`, "
                     "found global of type `i32`");
    check_link_error(&fx, "(module (import \"m\" \"g i32\" (global (mut i32))))",
                     "incompatible import type for `m::g i32`: expected mutable global, found "
                     "immutable global");
    check_link_error(&fx, "(module (import \"m\" \"g mut i32\" (global i32)))",
                     "incompatible import type for `m::g mut i32`: expected immutable global, "
                     "found mutable global");
    check_link_error(&fx, "(module (import \"m\" \"t funcref\" (table 1 funcref)))",
                     "incompatible import type for `m::t funcref`: expected table limits (min: "
                     "1, max: none) doesn't match provided table limits (min: 0, max: none)");
    check_link_error(&fx, "(module (import \"m\" \"t 2 5\" (table 2 4 funcref)))",
                     "incompatible import type for `m::t 2 5`: expected table limits (min: 2, "
                     "max: 4) doesn't match provided table limits (min: 2, max: 5)");
    check_link_error(&fx, "(module (import \"m\" \"t externref\" (table 0 funcref)))",
                     "incompatible import type for `m::t externref`: expected table of type "
                     "`funcref`, found table of type `externref`");
    check_link_error(&fx, "(module (import \"m\" \"mem\" (memory 1)))",
                     "incompatible import type for `m::mem`: expected memory limits (min: 1, "
                     "max: none) doesn't match provided memory limits (min: 0, max: none)");
    check_link_error(&fx, "(module (import \"m\" \"mem\" (memory i64 0)))",
                     "incompatible import type for `m::mem`: expected 64-bit memory, found "
                     "32-bit memory");
    check_link_error(&fx, "(module (import \"m\" \"f\" (func (param i32))))",
                     "incompatible import type for `m::f`: expected type `(func (param i32))`, "
                     "found type `(func)`");
    check_link_error(&fx,
                     "(module (import \"m\" \"f p1r2\" (func (param i32 i32) (result f64))))",
                     "incompatible import type for `m::f p1r2`: expected type `(func (param i32 "
                     "i32) (result f64))`, found type `(func (param f32) (result i32 i64))`");
    /* Immutable globals match by subtyping; mutable ones need equal types. */
    Diag d;
    CHECK(link(&fx, "(module (import \"m\" \"g funcref\" (global funcref)))", &d) == OK);
    CHECK(link(&fx, "(module (import \"m\" \"g ref t\" (global funcref)))", &d) == OK);
    CHECK(link(&fx,
               "(module (type $u (func (param i32))) (import \"m\" \"g ref t\" (global (ref $u))))",
               &d) == OK);
    CHECK(link(&fx, "(module (import \"m\" \"g mut funcref\" (global (mut funcref))))", &d) ==
          OK);
    check_link_error(&fx, "(module (import \"m\" \"g funcref\" (global (ref func))))",
                     "incompatible import type for `m::g funcref`: expected global of type "
                     "`(ref func)`, found global of type `funcref`");
    check_link_error(&fx,
                     "(module (type $u (func)) (import \"m\" \"g ref t\" (global (ref $u))))",
                     "incompatible import type for `m::g ref t`: expected global of type "
                     "`(ref (func))`, found global of type `(ref (func (param i32)))`");
    teardown(&fx);
}

/* Imports must match their import's type also across modules with their own
 * type indices: a concrete func type is matched through canonical ids. */
static void test_canonical_func_types(void) {
    Fixture fx;
    setup(&fx);
    Diag d;
    CHECK(link(&fx,
               "(module (type (func (param i64))) (type $e (func))"
               " (import \"m\" \"f\" (func (type $e))))",
               &d) == OK);
    teardown(&fx);
}

static void test_alloc_failures(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *m = fake_compile_wat(e, exporter_wat, &d);
    RtModule *user = fake_compile_wat(
        e, "(module (import \"m\" \"f\" (func)) (import \"m\" \"mem\" (memory 0)))", &d);
    int64_t n = 0;
    for (; n < 1000; n++) {
        Store *s = NULL;
        Linker *l = NULL;
        Instance *inst = NULL, *inst2 = NULL;
        Trap *trap = NULL;
        mem_fail_after(n);
        Err err = rt_store_new(e, &s, &d);
        if (err == OK)
            l = rt_linker_new();
        if (err == OK && !l)
            err = ERR_NOMEM;
        if (err == OK)
            err = rt_instantiate(s, m, NULL, 0, &inst, &trap, &d);
        if (err == OK)
            err = rt_linker_define_instance(l, "m", 1, inst, &d);
        if (err == OK)
            err = rt_linker_instantiate(l, s, user, &inst2, &trap, &d);
        mem_fail_after(-1);
        CHECK(err == OK || err == ERR_NOMEM);
        rt_linker_delete(l);
        rt_store_delete(s);
        if (err == OK)
            break;
    }
    CHECK(n > 3 && n < 1000);
    rt_module_release(m);
    rt_module_release(user);
    rt_engine_delete(e);
}

TEST_MAIN("linker", TEST_CASE(test_resolve), TEST_CASE(test_unknown),
          TEST_CASE(test_incompatible), TEST_CASE(test_canonical_func_types),
          TEST_CASE(test_alloc_failures))
