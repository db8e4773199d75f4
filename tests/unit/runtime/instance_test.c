/* Instantiation: exports, global initialization order, element and data
 * segments in order with earlier writes kept on a trap, segment dropping, the
 * start function, host functions, and allocation-failure loops. */
#include "test.h"

#include "fake_tier.h"

static Instance *inst_of(Store *s, RtModule *m, const Extern *imports, uint32_t n, Err *out_err,
                         Trap **out_trap, Diag *d) {
    Instance *inst = NULL;
    *out_err = rt_instantiate(s, m, imports, n, &inst, out_trap, d);
    return inst;
}

static Extern get(Instance *inst, const char *name) {
    Extern e = {0};
    CHECK(rt_instance_export(inst, name, strlen(name), &e));
    return e;
}

static void test_exports(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *m = fake_compile_wat(e,
                                   "(module (memory (export \"mem\") 1 2)"
                                   " (table (export \"tab\") 3 funcref)"
                                   " (global (export \"g\") (mut i64) (i64.const 7))"
                                   " (func $f (export \"f\") (result i32) (i32.const 42))"
                                   " (export \"f2\" (func $f))"
                                   " (data (i32.const 10) \"hi\"))",
                                   &d);
    CHECK(m != NULL);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    Err err;
    Trap *trap;
    Instance *inst = inst_of(s, m, NULL, 0, &err, &trap, &d);
    CHECK(err == OK && inst);
    Extern mem = get(inst, "mem"), tab = get(inst, "tab"), g = get(inst, "g");
    Extern f = get(inst, "f"), f2 = get(inst, "f2");
    CHECK(mem.kind == EXTERN_MEMORY && mem.memory->length == RT_PAGE_SIZE);
    CHECK(memcmp(mem.memory->base + 10, "hi", 2) == 0);
    CHECK(tab.kind == EXTERN_TABLE && tab.table->size == 3 && tab.table->elems[0] == NULL);
    CHECK(g.kind == EXTERN_GLOBAL && g.global->value->i64 == 7 && g.global->type.mutable_);
    CHECK(f.kind == EXTERN_FUNC && f.func == f2.func && f.func->func_index == 0);
    CHECK(f.func->vmctx == rt_instance_vmctx(inst));
    Extern none;
    CHECK(!rt_instance_export(inst, "nope", 4, &none));
    CHECK(!rt_instance_export(inst, "f", 0, &none));
    ValRaw v[1];
    CHECK(rt_call(s, f.func, v, 1, &trap) == OK && v[0].i32 == 42);
    const FuncType *ft = rt_func_type(e, f.func);
    CHECK(ft->n_params == 0 && ft->n_results == 1 && ft->results[0].kind == VK_I32);
    rt_store_delete(s);
    rt_module_release(m);
    rt_engine_delete(e);
}

static void test_global_order(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *m = fake_compile_wat(e,
                                   "(module (import \"h\" \"base\" (global $base i32))"
                                   " (global $a i32 (i32.add (global.get $base) (i32.const 5)))"
                                   " (global $b i32 (i32.mul (global.get $a) (i32.const 3)))"
                                   " (global $c i64 (i64.sub (i64.const 1) (i64.const 2)))"
                                   " (global $r funcref (ref.func $f))"
                                   " (func $f)"
                                   " (export \"a\" (global $a)) (export \"b\" (global $b))"
                                   " (export \"c\" (global $c)) (export \"r\" (global $r))"
                                   " (export \"base\" (global $base)) (export \"f\" (func $f)))",
                                   &d);
    CHECK(m != NULL);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    GlobalType gt = {ir_valtype(VK_I32), false};
    RtGlobal *base = rt_global_new(s, gt, (ValRaw){.i32 = 10});
    Extern imp = {.kind = EXTERN_GLOBAL, .global = base};
    Err err;
    Trap *trap;
    Instance *inst = inst_of(s, m, &imp, 1, &err, &trap, &d);
    CHECK(err == OK);
    CHECK_EQ_U64(get(inst, "a").global->value->i32, 15);
    CHECK_EQ_U64(get(inst, "b").global->value->i32, 45);
    CHECK(get(inst, "c").global->value->i64 == -1);
    CHECK(get(inst, "r").global->value->ref == get(inst, "f").func);
    CHECK(get(inst, "base").global == base); /* re-export: the same object */
    base->value->i32 = 99;                   /* globals are shared, not copied */
    CHECK(*vmctx_globals(rt_instance_vmctx(inst))[0]->u64 == 99);
    rt_store_delete(s);
    rt_module_release(m);
    rt_engine_delete(e);
}

/* Element segments apply in order; a trapping one leaves earlier writes, and
 * later segments (and all data segments) are not applied. */
static void test_elem_partial(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *ma = fake_compile_wat(
        e, "(module (table (export \"t\") 10 funcref) (memory (export \"m\") 1))", &d);
    RtModule *mb = fake_compile_wat(e,
                                    "(module (import \"a\" \"t\" (table 10 funcref))"
                                    " (import \"a\" \"m\" (memory 1))"
                                    " (func $f (result i32) (i32.const 7))"
                                    " (func $g (result i32) (i32.const 8))"
                                    " (elem (i32.const 0) $f)"
                                    " (elem (i32.const 9) $g $g)"
                                    " (elem (i32.const 1) $g)"
                                    " (data (i32.const 0) \"x\"))",
                                    &d);
    CHECK(ma && mb);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    Err err;
    Trap *trap;
    Instance *a = inst_of(s, ma, NULL, 0, &err, &trap, &d);
    Extern imps[2] = {get(a, "t"), get(a, "m")};
    Instance *b = inst_of(s, mb, imps, 2, &err, &trap, &d);
    CHECK(err == ERR_TRAP && b == NULL && trap != NULL);
    CHECK_STR(rt_trap_text(trap), "out of bounds table access");
    CHECK_STR(d.msg, "out of bounds table access");
    rt_trap_delete(trap);
    RtTable *t = imps[0].table;
    CHECK(t->elems[0] != NULL && t->elems[1] == NULL && t->elems[9] == NULL);
    CHECK(imps[1].memory->base[0] == 0);
    /* The failed instance's function stays callable. */
    ValRaw v[1];
    CHECK(rt_call(s, t->elems[0], v, 1, &trap) == OK && v[0].i32 == 7);
    rt_store_delete(s);
    rt_module_release(ma);
    rt_module_release(mb);
    rt_engine_delete(e);
}

static void test_data_partial(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *ma = fake_compile_wat(e, "(module (memory (export \"m\") 1))", &d);
    RtModule *mb = fake_compile_wat(e,
                                    "(module (import \"a\" \"m\" (memory 1))"
                                    " (data (i32.const 0) \"ab\")"
                                    " (data (i32.const 65535) \"cd\")"
                                    " (data (i32.const 2) \"ef\"))",
                                    &d);
    RtModule *mc = fake_compile_wat(e,
                                    "(module (import \"a\" \"m\" (memory 1))"
                                    " (data (i32.const 65536) \"\")"
                                    " (data (i32.const 65537) \"\"))",
                                    &d);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    Err err;
    Trap *trap;
    Instance *a = inst_of(s, ma, NULL, 0, &err, &trap, &d);
    Extern m = get(a, "m");
    CHECK(inst_of(s, mb, &m, 1, &err, &trap, &d) == NULL && err == ERR_TRAP);
    CHECK_STR(rt_trap_text(trap), "out of bounds memory access");
    rt_trap_delete(trap);
    CHECK(memcmp(m.memory->base, "ab\0\0", 4) == 0);
    CHECK(m.memory->base[65535] == 0);
    /* Empty segment at the end is fine; one past it traps. No out_trap wanted. */
    CHECK(inst_of(s, mc, &m, 1, &err, NULL, &d) == NULL && err == ERR_TRAP);
    rt_store_delete(s);
    rt_module_release(ma);
    rt_module_release(mb);
    rt_module_release(mc);
    rt_engine_delete(e);
}

static void test_dropped_segments(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *m = fake_compile_wat(e,
                                   "(module (table 2 funcref) (memory 1) (func $f)"
                                   " (elem (i32.const 0) func $f)"
                                   " (elem func $f)"
                                   " (elem declare func $f)"
                                   " (data (i32.const 0) \"a\") (data \"b\"))",
                                   &d);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    Err err;
    Trap *trap;
    Instance *inst = inst_of(s, m, NULL, 0, &err, &trap, &d);
    CHECK(err == OK);
    VMContext *cx = rt_instance_vmctx(inst);
    CHECK(vmctx_dropped_elems(cx)[0] == 1 && vmctx_dropped_elems(cx)[1] == 0);
    CHECK(vmctx_dropped_elems(cx)[2] == 1);
    CHECK(vmctx_dropped_datas(cx)[0] == 1 && vmctx_dropped_datas(cx)[1] == 0);
    /* table.init from the passive segment; from the dropped one only n = 0. */
    CHECK(rt_table_init(cx, 0, 1, 1, 0, 1) == TRAP_NONE);
    CHECK(vmctx_tables(cx)[0]->elems[1] == vmctx_funcs(cx)[0]);
    CHECK(rt_table_init(cx, 0, 0, 0, 0, 1) == TRAP_TABLE_OOB);
    CHECK(rt_table_init(cx, 0, 0, 2, 0, 0) == TRAP_NONE);
    CHECK(rt_table_init(cx, 0, 0, 3, 0, 0) == TRAP_TABLE_OOB);
    CHECK(rt_table_init(cx, 0, 1, 0, 1, 1) == TRAP_TABLE_OOB);
    rt_store_delete(s);
    rt_module_release(m);
    rt_engine_delete(e);
}

static void test_start(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *ok = fake_compile_wat(e, "(module (func $s (i32.const 1) drop) (start $s))", &d);
    RtModule *bad = fake_compile_wat(
        e, "(module (memory (export \"m\") 1) (data (i32.const 0) \"z\") (func $s unreachable) (start $s))",
        &d);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    Err err;
    Trap *trap;
    int calls = fake_calls;
    CHECK(inst_of(s, ok, NULL, 0, &err, &trap, &d) != NULL && err == OK);
    CHECK(fake_calls == calls + 1);
    CHECK(inst_of(s, bad, NULL, 0, &err, &trap, &d) == NULL && err == ERR_TRAP);
    CHECK(trap && trap->code == TRAP_UNREACHABLE);
    CHECK_STR(d.msg, "unreachable");
    rt_trap_delete(trap);
    rt_store_delete(s);
    rt_module_release(ok);
    rt_module_release(bad);
    rt_engine_delete(e);
}

static Trap *host_add(void *env, Caller *caller, ValRaw *args, uint32_t n_params,
                      uint32_t n_results) {
    (void)caller;
    CHECK(n_params == 2 && n_results == 1);
    (*(int *)env)++;
    if (args[0].i32 < 0)
        return rt_trap_new(TRAP_HOST, "negative");
    args[0].i32 = args[0].i32 + args[1].i32;
    return NULL;
}

static int finalized;
static void host_fin(void *env) {
    (void)env;
    finalized++;
}

static void test_host_func(void) {
    Engine *e = fake_engine();
    Diag d;
    ValType ii[2] = {ir_valtype(VK_I32), ir_valtype(VK_I32)};
    uint32_t canon, canon2;
    CHECK(rt_engine_func_type(e, ii, 2, ii, 1, &canon, &d) == OK);
    CHECK(rt_engine_func_type(e, ii, 2, ii, 1, &canon2, &d) == OK && canon == canon2);
    ValType bad = {.kind = VK_REF, .heap = 12345};
    CHECK(rt_engine_func_type(e, &bad, 1, NULL, 0, &canon2, &d) == ERR_USAGE);
    RtModule *m = fake_compile_wat(e,
                                   "(module (type $t (func (param i32 i32) (result i32)))"
                                   " (import \"h\" \"add\" (func $add (type $t)))"
                                   " (export \"add\" (func $add)))",
                                   &d);
    CHECK(m && m->canon_types[0] == canon);
    Store *s;
    CHECK(rt_store_new(e, &s, &d) == OK);
    int count = 0;
    finalized = 0;
    FuncRef *f = rt_host_func_new(s, canon, host_add, &count, host_fin);
    CHECK(f && f->native == NULL && f->type == canon);
    Extern imp = {.kind = EXTERN_FUNC, .func = f};
    Err err;
    Trap *trap;
    Instance *inst = inst_of(s, m, &imp, 1, &err, &trap, &d);
    CHECK(err == OK && get(inst, "add").func == f);
    ValRaw v[2] = {{.i32 = 2}, {.i32 = 3}};
    CHECK(rt_call(s, f, v, 2, &trap) == OK && v[0].i32 == 5 && count == 1);
    v[0].i32 = -1;
    CHECK(rt_call(s, f, v, 2, &trap) == ERR_TRAP && trap);
    if (trap) {
        CHECK_STR(rt_trap_text(trap), "negative");
        rt_trap_delete(trap);
    }
    rt_store_delete(s);
    CHECK(finalized == 1);
    rt_module_release(m);
    rt_engine_delete(e);
}

/* A module is shared by stores; it dies with its last user. */
static void test_module_refcount(void) {
    Engine *e = fake_engine();
    Diag d;
    int releases = fake_releases;
    RtModule *m = fake_compile_wat(e, "(module (func (export \"f\")))", &d);
    Store *s1 = NULL, *s2 = NULL;
    CHECK(rt_store_new(e, &s1, &d) == OK && rt_store_new(e, &s2, &d) == OK);
    Err err;
    Trap *trap;
    CHECK(inst_of(s1, m, NULL, 0, &err, &trap, &d) && inst_of(s2, m, NULL, 0, &err, &trap, &d));
    rt_module_release(m);
    CHECK(fake_releases == releases);
    rt_store_delete(s1);
    CHECK(fake_releases == releases);
    rt_store_delete(s2);
    CHECK(fake_releases == releases + 1);
    rt_engine_delete(e);
}

static void test_vmoffsets(void) {
    Engine *e = fake_engine();
    Diag d;
    RtModule *m = fake_compile_wat(e,
                                   "(module (import \"a\" \"f\" (func)) (func) (func)"
                                   " (global i32 (i32.const 0)) (global v128 (v128.const i64x2 1 2))"
                                   " (memory 1) (table 1 funcref) (elem func) (data \"\"))",
                                   &d);
    const VMOffsets *o = &m->offsets;
    CHECK(o->memories >= sizeof(VMContext));
    CHECK(o->tables >= o->memories + sizeof(void *));
    CHECK(o->funcs % sizeof(void *) == 0 && o->func_storage % 16 == 0);
    CHECK(o->global_storage % 16 == 0);
    CHECK(o->global_storage >= o->func_storage + 2 * sizeof(FuncRef));
    CHECK(o->dropped_elems >= o->global_storage + 2 * sizeof(ValRaw));
    CHECK(o->dropped_datas == o->dropped_elems + 1);
    CHECK(o->size >= o->dropped_datas + 1 && o->size % 16 == 0);
    rt_module_release(m);
    rt_engine_delete(e);
}

static const char *const alloc_wat =
    "(module (import \"a\" \"g\" (global i32)) (memory 1) (table 2 funcref)"
    " (global (mut i32) (global.get 0)) (func $f (result i32) (i32.const 1))"
    " (elem (i32.const 0) $f) (data (i32.const 0) \"x\")"
    " (export \"f\" (func $f)) (export \"t\" (table 0)) (export \"m\" (memory 0))"
    " (func $s) (start $s))";

/* Fail allocation 1, 2, ... of compile + instantiate: always a clean error. */
static void test_alloc_failures(void) {
    Engine *e = fake_engine();
    int64_t n = 0;
    for (; n < 10000; n++) {
        Diag d;
        Store *s = NULL;
        mem_fail_after(n);
        RtModule *m = fake_compile_wat(e, alloc_wat, &d);
        Err err = m ? rt_store_new(e, &s, &d) : ERR_NOMEM;
        RtGlobal *g = s ? rt_global_new(s, (GlobalType){ir_valtype(VK_I32), false},
                                        (ValRaw){.i32 = 3})
                        : NULL;
        Instance *inst = NULL;
        Trap *trap = NULL;
        if (err == OK && g) {
            Extern imp = {.kind = EXTERN_GLOBAL, .global = g};
            err = rt_instantiate(s, m, &imp, 1, &inst, &trap, &d);
        } else {
            err = ERR_NOMEM;
        }
        mem_fail_after(-1);
        CHECK(err == OK || err == ERR_NOMEM || err == ERR_TRAP);
        if (err == ERR_TRAP) /* the start function's trap record could not be made */
            CHECK(trap != NULL);
        rt_trap_delete(trap);
        rt_store_delete(s);
        rt_module_release(m);
        if (err == OK) {
            CHECK(inst != NULL);
            break;
        }
        CHECK(inst == NULL);
    }
    CHECK(n > 5);
    rt_engine_delete(e);
}

TEST_MAIN("instance", TEST_CASE(test_exports), TEST_CASE(test_global_order),
          TEST_CASE(test_elem_partial), TEST_CASE(test_data_partial),
          TEST_CASE(test_dropped_segments), TEST_CASE(test_start), TEST_CASE(test_host_func),
          TEST_CASE(test_module_refcount), TEST_CASE(test_vmoffsets),
          TEST_CASE(test_alloc_failures))
