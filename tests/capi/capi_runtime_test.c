/* The runtime objects of wasm.h: engines, stores, modules (imports,
 * exports, validation, serialization, sharing), functions and calls (host
 * callbacks, traps, wrong arity and kinds), globals, tables, memories,
 * externs, instances (import mismatches, start traps), references, foreign
 * objects, host info and finalizers, traps and frames. */
#include "capi_util.h"

static wasm_engine_t *engine;

/* ---- Modules ---------------------------------------------------------------------- */

static const char *kitchen_sink =
    "(module\n"
    "  (import \"env\" \"f\" (func (param i32) (result i64)))\n"
    "  (import \"env\" \"g\" (global (mut f32)))\n"
    "  (import \"env\" \"t\" (table 1 2 funcref))\n"
    "  (import \"env\" \"m\" (memory 1))\n"
    "  (func (export \"h\") (param externref funcref))\n"
    "  (global (export \"c\") f64 (f64.const 1))\n"
    "  (table (export \"tt\") 0 externref)\n"
    "  (memory (export \"mm\") 2 3)\n"
    "  (tag (export \"e\") (param i32)))";

static void module_types(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = wat_module(store, kitchen_sink);
    CHECK(module != NULL);
    if (!module) {
        wasm_store_delete(store);
        return;
    }
    wasm_importtype_vec_t imports;
    wasm_module_imports(module, &imports);
    CHECK(imports.size == 4);
    wasm_externkind_t ikinds[] = {WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL, WASM_EXTERN_TABLE,
                                  WASM_EXTERN_MEMORY};
    for (size_t i = 0; i < imports.size && i < 4; i++) {
        CHECK(wasm_externtype_kind(wasm_importtype_type(imports.data[i])) == ikinds[i]);
        CHECK(wasm_importtype_module(imports.data[i])->size == 3);
    }
    const wasm_functype_t *ft = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
    CHECK(wasm_valtype_kind(wasm_functype_params(ft)->data[0]) == WASM_I32);
    CHECK(wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_I64);
    const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[1]));
    CHECK(wasm_globaltype_mutability(gt) == WASM_VAR);
    const wasm_tabletype_t *tt = wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[2]));
    CHECK(wasm_tabletype_limits(tt)->min == 1 && wasm_tabletype_limits(tt)->max == 2);
    const wasm_memorytype_t *mt = wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[3]));
    CHECK(wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
    wasm_importtype_vec_delete(&imports);

    wasm_exporttype_vec_t exports;
    wasm_module_exports(module, &exports);
    CHECK(exports.size == 5);
    if (exports.size == 5) {
        CHECK(wasm_exporttype_name(exports.data[0])->size == 1 && wasm_exporttype_type(exports.data[0]));
        const wasm_functype_t *h = wasm_externtype_as_functype_const(wasm_exporttype_type(exports.data[0]));
        CHECK(wasm_valtype_kind(wasm_functype_params(h)->data[0]) == WASM_EXTERNREF);
        CHECK(wasm_valtype_kind(wasm_functype_params(h)->data[1]) == WASM_FUNCREF);
        CHECK(wasm_externtype_kind(wasm_exporttype_type(exports.data[4])) == WASM_EXTERN_TAG);
        const wasm_tagtype_t *tag = wasm_externtype_as_tagtype_const(wasm_exporttype_type(exports.data[4]));
        CHECK(wasm_functype_params(wasm_tagtype_functype(tag))->size == 1);
    }
    wasm_exporttype_vec_delete(&exports);
    wasm_module_delete(module);
    wasm_store_delete(store);
}

static void module_validation_and_errors(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t good, bad, invalid;
    wasm_byte_vec_new(&good, 8, "\0asm\1\0\0\0");
    wasm_byte_vec_new(&bad, 4, "\0asx");
    /* (func (result i32)) with an empty body: a type mismatch. */
    static const char invalid_bytes[] = "\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\n\4\1\2\0\x0b";
    wasm_byte_vec_new(&invalid, sizeof invalid_bytes - 1, invalid_bytes);
    CHECK(wasm_module_validate(store, &good));
    CHECK(!wasm_module_validate(store, &bad));
    CHECK(!wasm_module_validate(store, &invalid));
    CHECK(!wasm_module_validate(NULL, &good));
    wasm_module_t *m = wasm_module_new(store, &good);
    CHECK(m != NULL);
    wasm_module_delete(m);
    CHECK(wasm_module_new(store, &bad) == NULL);
    CHECK(wasm_module_new(store, &invalid) == NULL);
    CHECK(wasm_module_new(NULL, &good) == NULL);
    CHECK(wasm_module_new(store, NULL) == NULL);
    wasm_byte_vec_delete(&good);
    wasm_byte_vec_delete(&bad);
    wasm_byte_vec_delete(&invalid);
    wasm_store_delete(store);
}

static void module_serialize_share(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *m = wat_module(store, "(module (func (export \"f\") (result i32) i32.const 7))");
    wasm_byte_vec_t bytes;
    wasm_module_serialize(m, &bytes);
    CHECK(bytes.size > 32 && !memcmp(bytes.data, "WASMCMOD", 8));
    wasm_module_t *back = wasm_module_deserialize(store, &bytes);
    CHECK(back != NULL);
    wasm_exporttype_vec_t exports;
    wasm_module_exports(back, &exports);
    CHECK(exports.size == 1);
    wasm_exporttype_vec_delete(&exports);
    bytes.data[bytes.size - 2] ^= 0x40;
    CHECK(wasm_module_deserialize(store, &bytes) == NULL);
    bytes.data[0] = 'X';
    CHECK(wasm_module_deserialize(store, &bytes) == NULL);
    wasm_byte_vec_t tiny;
    wasm_byte_vec_new(&tiny, 4, "WASM");
    CHECK(wasm_module_deserialize(store, &tiny) == NULL);
    wasm_byte_vec_delete(&tiny);
    wasm_byte_vec_delete(&bytes);

    /* Share across stores of the same engine; not into another engine. */
    wasm_shared_module_t *shared = wasm_module_share(m);
    wasm_store_t *other = wasm_store_new(engine);
    wasm_module_t *obtained = wasm_module_obtain(other, shared);
    CHECK(obtained != NULL);
    wasm_engine_t *engine2 = wasm_engine_new();
    wasm_store_t *foreign_store = wasm_store_new(engine2);
    CHECK(wasm_module_obtain(foreign_store, shared) == NULL);
    /* A module of another engine cannot be instantiated. */
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    wasm_trap_t *trap = NULL;
    CHECK(wasm_instance_new(foreign_store, m, &none, &trap) == NULL);
    CHECK(trap_says(trap, "another engine"));
    wasm_instance_t *inst = wasm_instance_new(other, obtained, &none, NULL);
    CHECK(inst != NULL);
    wasm_instance_delete(inst);
    wasm_store_delete(foreign_store);
    wasm_engine_delete(engine2);
    wasm_module_delete(obtained);
    wasm_shared_module_delete(shared);
    wasm_shared_module_delete(NULL);
    CHECK(wasm_module_share(NULL) == NULL);

    /* Module refs: copy, same, host info, views. */
    wasm_module_t *copy = wasm_module_copy(m);
    CHECK(wasm_module_same(copy, m));
    wasm_module_set_host_info(m, &engine);
    CHECK(wasm_module_get_host_info(copy) == &engine);
    wasm_ref_t *ref = wasm_module_as_ref(m);
    CHECK(wasm_ref_as_module(ref) == m && wasm_ref_as_func(ref) == NULL);
    CHECK(wasm_module_as_ref_const(m) == ref && wasm_ref_as_module_const(ref) == m);
    wasm_module_delete(copy);
    wasm_module_delete(back);
    wasm_module_delete(m);
    wasm_store_delete(other);
    wasm_store_delete(store);
}

/* ---- Functions and calls -------------------------------------------------------------------- */

static int env_finalized;
static void env_finalizer(void *env) {
    env_finalized += *(int *)env;
}

static wasm_trap_t *add_env(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32 + *(int *)env;
    return NULL;
}

static wasm_trap_t *wrong_result(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    (void)args;
    results->data[0].kind = WASM_F64; /* declared i32 */
    results->data[0].of.f64 = 1;
    return NULL;
}

static wasm_store_t *trap_store;
static wasm_trap_t *host_trap(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    (void)args, (void)results;
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "host trap!");
    wasm_trap_t *t = wasm_trap_new(trap_store, &msg);
    wasm_name_delete(&msg);
    return t;
}

static wasm_trap_t *echo_ref(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    wasm_val_copy(&results->data[0], &args->data[0]);
    return NULL;
}

static void host_functions(void) {
    wasm_store_t *store = wasm_store_new(engine);
    trap_store = store;
    int env = 100;
    wasm_functype_t *ii_i =
        wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *f = wasm_func_new_with_env(store, ii_i, add_env, &env, env_finalizer);
    CHECK(wasm_func_param_arity(f) == 2 && wasm_func_result_arity(f) == 1);
    wasm_functype_t *t = wasm_func_type(f);
    CHECK(wasm_functype_params(t)->size == 2);
    wasm_functype_delete(t);

    wasm_val_t args[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)}, res[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(args), rv = WASM_ARRAY_VEC(res);
    CHECK(wasm_func_call(f, &av, &rv) == NULL);
    CHECK(res[0].kind == WASM_I32 && res[0].of.i32 == 103);

    /* Wrong arity and kinds are traps, and nothing runs. */
    wasm_val_vec_t one = {1, args};
    CHECK(trap_says(wasm_func_call(f, &one, &rv), "wrong number of arguments"));
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    CHECK(trap_says(wasm_func_call(f, &av, &none), "wrong number of results"));
    wasm_val_t bad[2] = {WASM_I32_VAL(1), WASM_F32_VAL(2)};
    wasm_val_vec_t badv = WASM_ARRAY_VEC(bad);
    CHECK(trap_says(wasm_func_call(f, &badv, &rv), "argument 1: expected i32, got f32"));
    CHECK(trap_says(wasm_func_call(NULL, &av, &rv), "NULL"));

    /* A callback returning the wrong kind, and one returning a trap. */
    wasm_functype_t *v_i = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_func_t *wr = wasm_func_new(store, v_i, wrong_result);
    wasm_val_vec_t r1 = {1, res};
    CHECK(trap_says(wasm_func_call(wr, &none, &r1), "host function result 0"));
    wasm_functype_t *v_v = wasm_functype_new_0_0();
    wasm_func_t *ht = wasm_func_new(store, v_v, host_trap);
    wasm_trap_t *trap = wasm_func_call(ht, &none, &none);
    wasmc_trap_code_t code;
    CHECK(trap && wasmc_trap_code(trap, &code) && code == WASMC_TRAP_HOST);
    CHECK(trap_says(trap, "host trap!"));

    /* NULL arguments. */
    CHECK(wasm_func_new(NULL, v_v, host_trap) == NULL);
    CHECK(wasm_func_new(store, NULL, host_trap) == NULL);
    CHECK(wasm_func_new(store, v_v, NULL) == NULL);
    CHECK(wasm_func_new_with_env(store, v_v, NULL, NULL, NULL) == NULL);
    CHECK(wasm_func_type(NULL) == NULL && wasm_func_param_arity(NULL) == 0);

    /* References through a host function: externref in, same object out. */
    wasm_functype_t *r_r =
        wasm_functype_new_1_1(wasm_valtype_new_externref(), wasm_valtype_new_externref());
    wasm_func_t *echo = wasm_func_new(store, r_r, echo_ref);
    wasm_foreign_t *foreign = wasm_foreign_new(store);
    wasm_val_t rarg[1] = {WASM_REF_VAL(wasm_foreign_as_ref(foreign))};
    wasm_val_vec_t rav = WASM_ARRAY_VEC(rarg);
    CHECK(wasm_func_call(echo, &rav, &r1) == NULL);
    CHECK(res[0].kind == WASM_EXTERNREF && wasm_ref_same(res[0].of.ref, wasm_foreign_as_ref(foreign)));
    wasm_val_delete(&res[0]);
    /* A funcref where an externref is expected: a kind mismatch. */
    wasm_val_t fref[1] = {{.kind = WASM_FUNCREF, .of = {.ref = wasm_func_as_ref(f)}}};
    wasm_val_vec_t frv = WASM_ARRAY_VEC(fref);
    CHECK(trap_says(wasm_func_call(echo, &frv, &r1), "expected externref, got funcref"));
    /* A function passed as an externref (boxed) comes back as itself. */
    wasm_val_t boxed[1] = {WASM_REF_VAL(wasm_func_as_ref(f))};
    wasm_val_vec_t bv = WASM_ARRAY_VEC(boxed);
    CHECK(wasm_func_call(echo, &bv, &r1) == NULL);
    CHECK(wasm_ref_as_func(res[0].of.ref) == f);
    wasm_val_delete(&res[0]);

    wasm_functype_delete(ii_i);
    wasm_functype_delete(v_i);
    wasm_functype_delete(v_v);
    wasm_functype_delete(r_r);
    wasm_foreign_delete(foreign);
    wasm_func_delete(echo);
    wasm_func_delete(f);
    wasm_func_delete(wr);
    wasm_func_delete(ht);
    CHECK(env_finalized == 0);
    wasm_store_delete(store);
    CHECK(env_finalized == 100); /* the env finalizer ran once, with the store */
}

/* Host calls wasm calls host: re-entrancy and traps crossing both ways. */
static wasm_func_t *inner;
static wasm_trap_t *reenter(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    wasm_val_t a[1] = {WASM_I32_VAL(args->data[0].of.i32 - 1)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
    if (args->data[0].of.i32 <= 0) {
        results->data[0].kind = WASM_I32;
        results->data[0].of.i32 = 0;
        return NULL;
    }
    wasm_trap_t *t = wasm_func_call(inner, &av, &rv);
    if (t)
        return t; /* hand the wasm trap back to wasm */
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = r[0].of.i32 + 1;
    return NULL;
}

static void reentrancy(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *m = wat_module(store,
        "(module (import \"\" \"host\" (func $h (param i32) (result i32)))\n"
        "  (func (export \"f\") (param i32) (result i32)\n"
        "    (if (i32.eq (local.get 0) (i32.const 3)) (then unreachable))\n"
        "    (call $h (local.get 0))))");
    wasm_functype_t *i_i = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *h = wasm_func_new(store, i_i, reenter);
    wasm_extern_t *imps[1] = {wasm_func_as_extern(h)};
    wasm_extern_vec_t iv = WASM_ARRAY_VEC(imps);
    wasm_instance_t *inst = wasm_instance_new(store, m, &iv, NULL);
    wasm_extern_t *fx = export_at(inst, 0);
    inner = wasm_extern_as_func(fx);
    wasm_val_t a[1] = {WASM_I32_VAL(2)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(inner, &av, &rv) == NULL && r[0].of.i32 == 2);
    a[0].of.i32 = 10; /* reaches 3 on the way down: unreachable, through the host */
    wasm_trap_t *t = wasm_func_call(inner, &av, &rv);
    wasmc_trap_code_t code;
    CHECK(t && wasmc_trap_code(t, &code) && code == WASMC_TRAP_UNREACHABLE);
    CHECK(trap_says(t, "unreachable"));
    wasm_extern_delete(fx);
    wasm_instance_delete(inst);
    wasm_func_delete(h);
    wasm_functype_delete(i_i);
    wasm_module_delete(m);
    wasm_store_delete(store);
}

/* ---- Globals, tables, memories --------------------------------------------------------------- */

static void globals(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_val_t v = WASM_I32_VAL(5), wrong = WASM_F64_VAL(1);
    wasm_global_t *g = wasm_global_new(store, gt, &v);
    CHECK(g != NULL);
    CHECK(wasm_global_new(store, gt, &wrong) == NULL);
    CHECK(wasm_global_new(NULL, gt, &v) == NULL && wasm_global_new(store, NULL, &v) == NULL);
    wasm_val_t out;
    wasm_global_get(g, &out);
    CHECK(out.kind == WASM_I32 && out.of.i32 == 5);
    wasm_val_t nv = WASM_I32_VAL(-9);
    wasm_global_set(g, &nv);
    wasm_global_set(g, &wrong); /* ignored */
    wasm_global_get(g, &out);
    CHECK(out.of.i32 == -9);
    wasm_globaltype_t *t = wasm_global_type(g);
    CHECK(wasm_globaltype_mutability(t) == WASM_VAR);
    wasm_globaltype_delete(t);

    wasm_globaltype_t *ct = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_CONST);
    wasm_val_t fv = WASM_F32_VAL(2.5f);
    wasm_global_t *c = wasm_global_new(store, ct, &fv);
    wasm_val_t fv2 = WASM_F32_VAL(4.0f);
    wasm_global_set(c, &fv2); /* immutable: ignored */
    wasm_global_get(c, &out);
    CHECK(out.kind == WASM_F32 && out.of.f32 == 2.5f);

    /* A funcref global holding a host function. */
    wasm_globaltype_t *rt = wasm_globaltype_new(wasm_valtype_new_funcref(), WASM_VAR);
    wasm_functype_t *ft = wasm_functype_new_0_0();
    wasm_func_t *f = wasm_func_new(store, ft, host_trap);
    wasm_val_t fr = {.kind = WASM_FUNCREF, .of = {.ref = wasm_func_as_ref(f)}};
    wasm_global_t *rg = wasm_global_new(store, rt, &fr);
    wasm_global_get(rg, &out);
    CHECK(out.kind == WASM_FUNCREF && wasm_ref_as_func(out.of.ref) == f);
    wasm_val_delete(&out);
    wasm_val_t nullref = {.kind = WASM_FUNCREF, .of = {.ref = NULL}};
    wasm_global_set(rg, &nullref);
    wasm_global_get(rg, &out);
    CHECK(out.of.ref == NULL);

    /* Views and refs. */
    wasm_extern_t *e = wasm_global_as_extern(g);
    CHECK(wasm_extern_kind(e) == WASM_EXTERN_GLOBAL && wasm_extern_as_global(e) == g);
    CHECK(wasm_extern_as_func(e) == NULL && wasm_extern_as_table(e) == NULL);
    CHECK(wasm_global_as_extern_const(g) == e && wasm_extern_as_global_const(e) == g);
    wasm_externtype_t *et = wasm_extern_type(e);
    CHECK(wasm_externtype_kind(et) == WASM_EXTERN_GLOBAL);
    wasm_externtype_delete(et);
    wasm_ref_t *r = wasm_global_as_ref(g);
    CHECK(wasm_ref_as_global(r) == g && wasm_ref_as_memory(r) == NULL);
    CHECK(wasm_global_as_ref_const(g) == r && wasm_ref_as_global_const(r) == g);
    wasm_global_t *gc = wasm_global_copy(g);
    CHECK(wasm_global_same(gc, g));
    wasm_global_set_host_info(g, &engine);
    CHECK(wasm_global_get_host_info(gc) == &engine);
    wasm_global_set_host_info_with_finalizer(g, NULL, NULL);
    wasm_global_delete(gc);

    wasm_globaltype_delete(gt);
    wasm_globaltype_delete(ct);
    wasm_globaltype_delete(rt);
    wasm_functype_delete(ft);
    wasm_func_delete(f);
    wasm_global_delete(g);
    wasm_global_delete(c);
    wasm_global_delete(rg);
    wasm_store_delete(store);
}

static void tables(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_limits_t limits = {2, 4};
    wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
    wasm_functype_t *ft = wasm_functype_new_0_0();
    wasm_func_t *f = wasm_func_new(store, ft, host_trap);
    wasm_table_t *t = wasm_table_new(store, tt, wasm_func_as_ref(f));
    CHECK(t && wasm_table_size(t) == 2);
    wasm_ref_t *r0 = wasm_table_get(t, 0);
    CHECK(r0 && wasm_ref_as_func(r0) == f);
    wasm_ref_delete(r0);
    CHECK(wasm_table_get(t, 2) == NULL);
    CHECK(wasm_table_set(t, 1, NULL));
    CHECK(wasm_table_get(t, 1) == NULL);
    CHECK(!wasm_table_set(t, 2, NULL));
    /* Wrong-kind references: a foreign object in a funcref table. */
    wasm_foreign_t *fo = wasm_foreign_new(store);
    CHECK(!wasm_table_set(t, 0, wasm_foreign_as_ref(fo)));
    CHECK(!wasm_table_grow(t, 1, wasm_foreign_as_ref(fo)));
    CHECK(wasm_table_new(store, tt, wasm_foreign_as_ref(fo)) == NULL);
    CHECK(wasm_table_grow(t, 2, NULL) && wasm_table_size(t) == 4);
    CHECK(!wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 4);
    wasm_tabletype_t *type = wasm_table_type(t);
    CHECK(wasm_tabletype_limits(type)->min == 4 && wasm_tabletype_limits(type)->max == 4);
    CHECK(wasm_valtype_kind(wasm_tabletype_element(type)) == WASM_FUNCREF);
    wasm_tabletype_delete(type);
    CHECK(wasm_table_new(NULL, tt, NULL) == NULL && wasm_table_new(store, NULL, NULL) == NULL);
    CHECK(wasm_table_size(NULL) == 0 && wasm_table_type(NULL) == NULL);

    /* An externref table holds foreign objects. */
    wasm_limits_t one = {1, wasm_limits_max_default};
    wasm_tabletype_t *xt = wasm_tabletype_new(wasm_valtype_new_externref(), &one);
    wasm_table_t *x = wasm_table_new(store, xt, NULL);
    CHECK(wasm_table_set(x, 0, wasm_foreign_as_ref(fo)));
    wasm_ref_t *got = wasm_table_get(x, 0);
    CHECK(got && wasm_ref_same(got, wasm_foreign_as_ref(fo)));
    wasm_ref_delete(got);

    wasm_extern_t *e = wasm_table_as_extern(t);
    CHECK(wasm_extern_kind(e) == WASM_EXTERN_TABLE && wasm_extern_as_table(e) == t);
    CHECK(wasm_table_as_extern_const(t) == e && wasm_extern_as_table_const(e) == t);
    CHECK(wasm_extern_as_memory(e) == NULL && wasm_extern_as_global(e) == NULL);
    wasm_ref_t *r = wasm_table_as_ref(t);
    CHECK(wasm_ref_as_table(r) == t && wasm_table_as_ref_const(t) == r);
    CHECK(wasm_ref_as_table_const(r) == t && wasm_ref_as_global(r) == NULL);
    wasm_table_t *tc = wasm_table_copy(t);
    CHECK(wasm_table_same(tc, t));
    wasm_table_set_host_info_with_finalizer(t, &engine, NULL);
    CHECK(wasm_table_get_host_info(tc) == &engine);
    wasm_table_set_host_info(t, NULL);
    wasm_table_delete(tc);

    wasm_tabletype_delete(tt);
    wasm_tabletype_delete(xt);
    wasm_functype_delete(ft);
    wasm_foreign_delete(fo);
    wasm_func_delete(f);
    wasm_table_delete(t);
    wasm_table_delete(x);
    wasm_store_delete(store);
}

static void memories(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_limits_t limits = {1, 3};
    wasm_memorytype_t *mt = wasm_memorytype_new(&limits);
    wasm_memory_t *m = wasm_memory_new(store, mt);
    CHECK(m && wasm_memory_size(m) == 1 && wasm_memory_data_size(m) == MEMORY_PAGE_SIZE);
    byte_t *data = wasm_memory_data(m);
    CHECK(data && data[100] == 0);
    data[MEMORY_PAGE_SIZE - 1] = 7;
    CHECK(wasm_memory_grow(m, 2) && wasm_memory_size(m) == 3);
    CHECK(wasm_memory_data(m)[MEMORY_PAGE_SIZE - 1] == 7);
    CHECK(!wasm_memory_grow(m, 1) && wasm_memory_size(m) == 3);
    wasm_memorytype_t *type = wasm_memory_type(m);
    CHECK(wasm_memorytype_limits(type)->min == 3 && wasm_memorytype_limits(type)->max == 3);
    wasm_memorytype_delete(type);
    wasm_limits_t backwards = {2, 1}, huge = {70000, wasm_limits_max_default};
    wasm_memorytype_t *bt = wasm_memorytype_new(&backwards), *ht = wasm_memorytype_new(&huge);
    CHECK(wasm_memory_new(store, bt) == NULL && wasm_memory_new(store, ht) == NULL);
    CHECK(wasm_memory_new(NULL, mt) == NULL && wasm_memory_new(store, NULL) == NULL);
    CHECK(wasm_memory_data(NULL) == NULL && wasm_memory_data_size(NULL) == 0);
    CHECK(wasm_memory_size(NULL) == 0 && !wasm_memory_grow(NULL, 1));

    wasm_extern_t *e = wasm_memory_as_extern(m);
    CHECK(wasm_extern_kind(e) == WASM_EXTERN_MEMORY && wasm_extern_as_memory(e) == m);
    CHECK(wasm_memory_as_extern_const(m) == e && wasm_extern_as_memory_const(e) == m);
    CHECK(wasm_extern_as_func_const(e) == NULL);
    wasm_ref_t *r = wasm_memory_as_ref(m);
    CHECK(wasm_ref_as_memory(r) == m && wasm_memory_as_ref_const(m) == r);
    CHECK(wasm_ref_as_memory_const(r) == m && wasm_ref_as_table(r) == NULL);
    wasm_memory_t *mc = wasm_memory_copy(m);
    CHECK(wasm_memory_same(mc, m));
    wasm_memory_set_host_info(m, &engine);
    CHECK(wasm_memory_get_host_info(mc) == &engine);
    wasm_memory_set_host_info_with_finalizer(m, NULL, NULL);
    wasm_memory_delete(mc);
    wasm_memorytype_delete(mt);
    wasm_memorytype_delete(bt);
    wasm_memorytype_delete(ht);
    wasm_memory_delete(m);
    wasm_store_delete(store);
}

/* ---- Instances ------------------------------------------------------------------------------ */

static void instances(void) {
    wasm_store_t *store = wasm_store_new(engine);
    trap_store = store;
    wasm_module_t *m = wat_module(store,
        "(module (import \"env\" \"f\" (func (param i32)))\n"
        "  (import \"env\" \"g\" (global i32))\n"
        "  (func (export \"run\"))\n"
        "  (global (export \"gg\") i32 (global.get 0)))");
    wasm_functype_t *i_v = wasm_functype_new_1_0(wasm_valtype_new_i32());
    wasm_functype_t *v_v = wasm_functype_new_0_0();
    wasm_func_t *good = wasm_func_new(store, i_v, host_trap);
    wasm_func_t *wrong = wasm_func_new(store, v_v, host_trap);
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_val_t v = WASM_I32_VAL(77);
    wasm_global_t *g = wasm_global_new(store, gt, &v);

    wasm_trap_t *trap = NULL;
    /* Too few imports. */
    wasm_extern_t *few[1] = {wasm_func_as_extern(good)};
    wasm_extern_vec_t fv = WASM_ARRAY_VEC(few);
    CHECK(wasm_instance_new(store, m, &fv, &trap) == NULL);
    CHECK(trap_says(trap, "expected 2 imports, got 1"));
    /* A function of the wrong type. */
    wasm_extern_t *bad[2] = {wasm_func_as_extern(wrong), wasm_global_as_extern(g)};
    wasm_extern_vec_t bv = WASM_ARRAY_VEC(bad);
    CHECK(wasm_instance_new(store, m, &bv, &trap) == NULL);
    CHECK(trap_says(trap, "incompatible import type"));
    /* The wrong kind (a global where a function goes). */
    wasm_extern_t *kinds[2] = {wasm_global_as_extern(g), wasm_global_as_extern(g)};
    wasm_extern_vec_t kv = WASM_ARRAY_VEC(kinds);
    CHECK(wasm_instance_new(store, m, &kv, &trap) == NULL);
    CHECK(trap_says(trap, "incompatible import type"));
    /* NULL trap pointer is fine; NULL store or module fails. */
    CHECK(wasm_instance_new(store, m, &bv, NULL) == NULL);
    CHECK(wasm_instance_new(NULL, m, &bv, NULL) == NULL);
    CHECK(wasm_instance_new(store, NULL, &bv, &trap) == NULL);
    CHECK(trap_says(trap, "NULL"));
    /* An extern of another store. */
    wasm_store_t *other = wasm_store_new(engine);
    wasm_global_t *og = wasm_global_new(other, gt, &v);
    wasm_extern_t *cross[2] = {wasm_func_as_extern(good), wasm_global_as_extern(og)};
    wasm_extern_vec_t cv = WASM_ARRAY_VEC(cross);
    CHECK(wasm_instance_new(store, m, &cv, &trap) == NULL);
    CHECK(trap_says(trap, "another"));

    wasm_extern_t *ok[2] = {wasm_func_as_extern(good), wasm_global_as_extern(g)};
    wasm_extern_vec_t okv = WASM_ARRAY_VEC(ok);
    wasm_instance_t *inst = wasm_instance_new(store, m, &okv, &trap);
    CHECK(inst && trap == NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(inst, &exports);
    CHECK(exports.size == 2);
    CHECK(wasm_extern_kind(exports.data[0]) == WASM_EXTERN_FUNC);
    wasm_val_t out;
    wasm_global_get(wasm_extern_as_global(exports.data[1]), &out);
    CHECK(out.of.i32 == 77);
    /* The same export twice is the same object. */
    wasm_extern_t *again = export_at(inst, 0);
    CHECK(wasm_extern_same(again, exports.data[0]));
    wasm_externtype_t *et = wasm_extern_type(again);
    CHECK(wasm_externtype_kind(et) == WASM_EXTERN_FUNC);
    wasm_externtype_delete(et);
    wasm_extern_t *ec = wasm_extern_copy(again);
    wasm_extern_set_host_info(ec, &engine);
    CHECK(wasm_extern_get_host_info(again) == &engine);
    wasm_extern_set_host_info_with_finalizer(ec, NULL, NULL);
    wasm_ref_t *er = wasm_extern_as_ref(ec);
    CHECK(wasm_ref_as_extern(er) == ec && wasm_extern_as_ref_const(ec) == er);
    CHECK(wasm_ref_as_extern_const(er) == ec && wasm_ref_as_instance(er) == NULL);
    CHECK(wasm_func_as_ref_const(wasm_extern_as_func(ec)) == er);
    CHECK(wasm_func_as_extern_const(wasm_extern_as_func(ec)) == ec);
    CHECK(wasm_ref_as_func_const(er) == wasm_extern_as_func_const(ec));
    wasm_func_t *fc = wasm_func_copy(wasm_extern_as_func(ec));
    CHECK(wasm_func_same(fc, wasm_extern_as_func(ec)));
    wasm_func_set_host_info(fc, &v);
    CHECK(wasm_func_get_host_info(fc) == &v);
    wasm_func_set_host_info_with_finalizer(fc, NULL, NULL);
    wasm_func_delete(fc);
    wasm_extern_delete(ec);
    wasm_extern_delete(again);
    wasm_extern_vec_delete(&exports);

    wasm_instance_t *ic = wasm_instance_copy(inst);
    CHECK(wasm_instance_same(ic, inst));
    wasm_instance_set_host_info(inst, &v);
    CHECK(wasm_instance_get_host_info(ic) == &v);
    wasm_instance_set_host_info_with_finalizer(inst, NULL, NULL);
    wasm_ref_t *ir = wasm_instance_as_ref(inst);
    CHECK(wasm_ref_as_instance(ir) == inst && wasm_instance_as_ref_const(inst) == ir);
    CHECK(wasm_ref_as_instance_const(ir) == inst && wasm_ref_as_extern(ir) == NULL);
    wasm_instance_delete(ic);
    wasm_instance_exports(NULL, &exports);
    CHECK(exports.size == 0);

    /* A start function that traps. */
    wasm_module_t *sm = wat_module(store, "(module (func $s unreachable) (start $s))");
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    CHECK(wasm_instance_new(store, sm, &none, &trap) == NULL);
    wasmc_trap_code_t code;
    CHECK(trap && wasmc_trap_code(trap, &code) && code == WASMC_TRAP_UNREACHABLE);
    CHECK(trap_says(trap, "unreachable"));

    wasm_module_delete(sm);
    wasm_instance_delete(inst);
    wasm_functype_delete(i_v);
    wasm_functype_delete(v_v);
    wasm_globaltype_delete(gt);
    wasm_func_delete(good);
    wasm_func_delete(wrong);
    wasm_global_delete(g);
    wasm_global_delete(og);
    wasm_module_delete(m);
    wasm_store_delete(other);
    wasm_store_delete(store);
}

/* ---- References, foreign objects, host info ---------------------------------------------------- */

static int finalized;
static void count_finalizer(void *p) {
    finalized += *(int *)p;
}

static void refs_and_host_info(void) {
    wasm_store_t *store = wasm_store_new(engine);
    static int one = 1, ten = 10, hundred = 100;
    finalized = 0;
    wasm_foreign_t *f = wasm_foreign_new(store);
    CHECK(f && wasm_foreign_new(NULL) == NULL);
    wasm_foreign_set_host_info_with_finalizer(f, &one, count_finalizer);
    wasm_foreign_t *fc = wasm_foreign_copy(f);
    CHECK(wasm_foreign_same(f, fc) && wasm_foreign_get_host_info(fc) == &one);
    wasm_ref_t *r = wasm_foreign_as_ref(f);
    CHECK(wasm_ref_as_foreign(r) == f && wasm_ref_as_foreign_const(r) == f);
    CHECK(wasm_foreign_as_ref_const(f) == r && wasm_ref_as_trap(r) == NULL);
    wasm_ref_t *rc = wasm_ref_copy(r);
    CHECK(wasm_ref_same(rc, r) && wasm_ref_get_host_info(rc) == &one);
    wasm_ref_set_host_info(rc, &one);
    wasm_ref_set_host_info_with_finalizer(rc, &one, count_finalizer);
    wasm_ref_delete(rc);
    wasm_foreign_delete(fc);
    wasm_foreign_delete(f);
    wasm_foreign_t *g = wasm_foreign_new(store);
    CHECK(!wasm_foreign_same(f, g));
    wasm_foreign_set_host_info(g, &ten);
    wasm_foreign_set_host_info_with_finalizer(g, &ten, count_finalizer);
    wasm_foreign_delete(g);
    CHECK(wasm_ref_copy(NULL) == NULL && wasm_ref_get_host_info(NULL) == NULL);
    wasm_ref_delete(NULL);

    /* A module's finalizer runs with its last reference, not with the store. */
    wasm_module_t *m = wat_module(store, "(module)");
    wasm_module_set_host_info_with_finalizer(m, &hundred, count_finalizer);
    wasm_store_delete(store);
    CHECK(finalized == 11); /* the two foreign objects, when their store died */
    wasm_module_delete(m);
    CHECK(finalized == 111);
}

/* ---- Traps and frames -------------------------------------------------------------------------- */

static void traps_and_frames(void) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "made by hand");
    wasm_trap_t *t = wasm_trap_new(store, &msg);
    wasm_name_delete(&msg);
    wasm_message_t got;
    wasm_trap_message(t, &got);
    CHECK(got.size == 13 && !strcmp(got.data, "made by hand"));
    wasm_byte_vec_delete(&got);
    CHECK(wasm_trap_origin(t) == NULL);
    wasm_frame_vec_t trace;
    wasm_trap_trace(t, &trace);
    CHECK(trace.size == 0);
    wasm_frame_vec_delete(&trace);
    wasmc_trap_code_t code;
    int status;
    CHECK(!wasmc_trap_code(t, &code) && !wasmc_trap_exit_status(t, &status));
    wasm_trap_t *tc = wasm_trap_copy(t);
    CHECK(wasm_trap_same(t, tc));
    wasm_trap_set_host_info(t, &status);
    CHECK(wasm_trap_get_host_info(tc) == &status);
    wasm_trap_set_host_info_with_finalizer(t, NULL, NULL);
    wasm_ref_t *r = wasm_trap_as_ref(t);
    CHECK(wasm_ref_as_trap(r) == t && wasm_trap_as_ref_const(t) == r);
    CHECK(wasm_ref_as_trap_const(r) == t && wasm_ref_as_module(r) == NULL);
    wasm_trap_delete(tc);
    wasm_trap_delete(t);
    CHECK(wasm_trap_new(store, NULL) == NULL);
    wasm_message_t bare; /* without the NUL: accepted */
    wasm_name_new_from_string(&bare, "bare");
    t = wasm_trap_new(store, &bare);
    wasm_name_delete(&bare);
    CHECK(trap_says(t, "bare"));

    /* A wasm trap three calls deep, in a module with a name section:
     * func 0 is "boom". */
    wasm_instance_t *inst = wat_instance(store,
        "(module (@custom \"name\" \"\\00\\05\\04demo\\01\\07\\01\\00\\04boom\")\n"
        "  (func unreachable)\n"
        "  (func call 0)\n"
        "  (func (export \"go\") nop call 1))");
    wasm_extern_t *go = export_at(inst, 0);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    t = wasm_func_call(wasm_extern_as_func(go), &none, &none);
    CHECK(t && wasmc_trap_code(t, &code) && code == WASMC_TRAP_UNREACHABLE);
    wasm_frame_t *origin = wasm_trap_origin(t);
    CHECK(origin && wasm_frame_func_index(origin) == 0);
    CHECK(origin && wasmc_frame_func_name(origin) && !strcmp(wasmc_frame_func_name(origin), "boom"));
    CHECK(origin && wasm_frame_instance(origin) == inst);
    CHECK(origin && wasm_frame_module_offset(origin) > wasm_frame_func_offset(origin));
    wasm_frame_t *oc = wasm_frame_copy(origin);
    CHECK(oc && wasm_frame_module_offset(oc) == wasm_frame_module_offset(origin));
    wasm_frame_delete(oc);
    wasm_frame_delete(origin);
    wasm_trap_trace(t, &trace);
    CHECK(trace.size == 3);
    if (trace.size == 3) {
        CHECK(wasm_frame_func_index(trace.data[1]) == 1 && wasm_frame_func_index(trace.data[2]) == 2);
        CHECK(wasmc_frame_func_name(trace.data[2]) == NULL);
        CHECK(wasm_frame_func_offset(trace.data[2]) > 0); /* after the nop */
        (void)wasmc_frame_module_name(trace.data[0]);
    }
    wasm_frame_vec_t trace_copy;
    wasm_frame_vec_copy(&trace_copy, &trace);
    CHECK(trace_copy.size == trace.size);
    wasm_frame_vec_delete(&trace_copy);
    wasm_frame_vec_delete(&trace);
    CHECK(wasm_frame_copy(NULL) == NULL && wasm_frame_instance(NULL) == NULL);
    CHECK(wasm_frame_func_index(NULL) == 0 && wasm_frame_module_offset(NULL) == 0);
    wasm_frame_delete(NULL);
    wasm_extern_delete(go);
    wasm_instance_delete(inst);
    /* The trap outlives its store. */
    wasm_store_delete(store);
    CHECK(trap_says(t, "unreachable"));
}

static void store_lifetimes(void) {
    /* Handles deleted after their store are fine. */
    wasm_store_t *store = wasm_store_new(engine);
    wasm_foreign_t *f = wasm_foreign_new(store);
    wasm_limits_t limits = {1, 1};
    wasm_memorytype_t *mt = wasm_memorytype_new(&limits);
    wasm_memory_t *m = wasm_memory_new(store, mt);
    wasm_store_delete(store);
    CHECK(wasm_memory_data(m) == NULL && wasm_memory_size(m) == 0);
    wasm_memory_delete(m);
    wasm_foreign_delete(f);
    wasm_memorytype_delete(mt);
    CHECK(wasm_store_new(NULL) == NULL);
    wasm_store_delete(NULL);
    wasm_engine_delete(NULL);
    wasm_config_delete(NULL);
    wasm_config_delete(wasm_config_new());
    CHECK(wasm_engine_new_with_config(NULL) == NULL);
    wasm_engine_t *e = wasm_engine_new_with_config(wasm_config_new());
    CHECK(e != NULL);
    wasm_engine_delete(e);
}

static void setup(void) {
    engine = wasm_engine_new();
    CHECK(engine != NULL);
}

static void teardown(void) {
    wasm_engine_delete(engine);
}

TEST_MAIN("capi_runtime", TEST_CASE(setup), TEST_CASE(module_types),
          TEST_CASE(module_validation_and_errors), TEST_CASE(module_serialize_share),
          TEST_CASE(host_functions), TEST_CASE(reentrancy), TEST_CASE(globals), TEST_CASE(tables),
          TEST_CASE(memories), TEST_CASE(instances), TEST_CASE(refs_and_host_info),
          TEST_CASE(traps_and_frames), TEST_CASE(store_lifetimes), TEST_CASE(teardown))
