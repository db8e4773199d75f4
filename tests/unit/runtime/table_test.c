/* Tables: creation, growth within limits and the implementation cap, and
 * growth failure reported as false (table.grow then yields -1). */
#include "test.h"

#include "fake_tier.h"

static TableType funcref_table(uint64_t min, bool has_max, uint64_t max) {
    TableType t = {ir_reftype(true, HT_FUNC), {min, max, has_max, false, false}};
    return t;
}

static void test_grow(void) {
    Engine *e = fake_engine();
    Diag d;
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    RtTable *t = rt_table_new(s, funcref_table(2, true, 4), NULL);
    CHECK(t && t->size == 2 && t->max == 4 && t->elems[0] == NULL && t->elems[1] == NULL);
    int marker;
    uint64_t old = 99;
    CHECK(rt_table_grow(t, 0, NULL, &old) && old == 2);
    CHECK(rt_table_grow(t, 1, &marker, &old) && old == 2 && t->size == 3);
    CHECK(t->elems[2] == &marker && t->elems[1] == NULL);
    CHECK(!rt_table_grow(t, 2, NULL, &old) && t->size == 3);
    CHECK(rt_table_grow(t, 1, NULL, &old) && old == 3 && t->size == 4);
    CHECK(!rt_table_grow(t, 1, NULL, &old));
    CHECK(!rt_table_grow(t, UINT64_MAX, NULL, &old));
    rt_store_delete(s);
    rt_engine_delete(e);
}

static void test_caps(void) {
    Engine *e = fake_engine();
    Diag d;
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    CHECK(rt_table_new(s, funcref_table(RT_TABLE_MAX_ELEMS + 1ull, false, 0), NULL) == NULL);
    RtTable *t = rt_table_new(s, funcref_table(0, true, 0xffffffffull), NULL);
    CHECK(t && t->max == RT_TABLE_MAX_ELEMS && t->size == 0);
    uint64_t old;
    CHECK(!rt_table_grow(t, RT_TABLE_MAX_ELEMS + 1ull, NULL, &old));
    CHECK(rt_table_grow(t, 10, NULL, &old) && t->size == 10);
    /* A module asking for too large a table fails cleanly at instantiation. */
    RtModule *m = fake_compile_wat(e, "(module (table 20000000 funcref))", &d);
    Instance *inst;
    Trap *trap;
    CHECK(m && rt_instantiate(s, m, NULL, 0, &inst, &trap, &d) == ERR_LIMIT);
    rt_module_release(m);
    rt_store_delete(s);
    rt_engine_delete(e);
}

static void test_init_expr(void) {
    Engine *e = fake_engine();
    Diag d;
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    RtModule *m = fake_compile_wat(e,
                                   "(module (type $t (func)) (func $f (type $t))"
                                   " (table (export \"t\") 3 (ref $t) (ref.func $f))"
                                   " (table (export \"u\") 1 externref))",
                                   &d);
    Instance *inst;
    Trap *trap;
    CHECK(m && rt_instantiate(s, m, NULL, 0, &inst, &trap, &d) == OK);
    Extern t, u, f;
    CHECK(rt_instance_export(inst, "t", 1, &t) && rt_instance_export(inst, "u", 1, &u));
    f.func = vmctx_funcs(rt_instance_vmctx(inst))[0];
    CHECK(t.table->elems[0] == f.func && t.table->elems[2] == f.func);
    CHECK(t.table->elem_type.heap == (int32_t)m->canon_types[0] && !t.table->elem_type.nullable);
    CHECK(u.table->elem_type.heap == HT_EXTERN && u.table->elems[0] == NULL);
    rt_module_release(m);
    rt_store_delete(s);
    rt_engine_delete(e);
}

TEST_MAIN("table", TEST_CASE(test_grow), TEST_CASE(test_caps), TEST_CASE(test_init_expr))
