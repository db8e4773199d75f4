/* The type objects and vectors of wasm.h: construction, accessors, copies,
 * the extern-type views (including wrong-kind conversions), import and
 * export types, and every vector kind's new/copy/delete. */
#include "capi_util.h"

static void valtypes(void) {
    wasm_valkind_t kinds[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_EXTERNREF,
                              WASM_FUNCREF};
    for (size_t i = 0; i < sizeof kinds; i++) {
        wasm_valtype_t *t = wasm_valtype_new(kinds[i]);
        CHECK(t && wasm_valtype_kind(t) == kinds[i]);
        wasm_valtype_t *c = wasm_valtype_copy(t);
        CHECK(c && c != t && wasm_valtype_kind(c) == kinds[i]);
        CHECK(wasm_valtype_is_num(t) == (i < 4));
        CHECK(wasm_valtype_is_ref(t) == (i >= 4));
        CHECK(wasm_valkind_is_num(kinds[i]) == (i < 4));
        CHECK(wasm_valkind_is_ref(kinds[i]) == (i >= 4));
        wasm_valtype_delete(t);
        wasm_valtype_delete(c);
    }
    CHECK(wasm_valtype_new((wasm_valkind_t)77) == NULL);
    wasm_valtype_delete(NULL);
    wasm_valtype_t *shorthand[] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                   wasm_valtype_new_f32(), wasm_valtype_new_f64(),
                                   wasm_valtype_new_externref(), wasm_valtype_new_funcref()};
    for (size_t i = 0; i < 6; i++) {
        CHECK(wasm_valtype_kind(shorthand[i]) == kinds[i]);
        wasm_valtype_delete(shorthand[i]);
    }
}

static void functypes(void) {
    wasm_functype_t *types[] = {
        wasm_functype_new_0_0(),
        wasm_functype_new_1_0(wasm_valtype_new_i32()),
        wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i64()),
        wasm_functype_new_3_0(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                              wasm_valtype_new_f32()),
        wasm_functype_new_0_1(wasm_valtype_new_f64()),
        wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_f64()),
        wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_f64()),
        wasm_functype_new_3_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32(), wasm_valtype_new_f64()),
        wasm_functype_new_0_2(wasm_valtype_new_f64(), wasm_valtype_new_f64()),
        wasm_functype_new_1_2(wasm_valtype_new_i32(), wasm_valtype_new_f64(),
                              wasm_valtype_new_f64()),
        wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_f64(), wasm_valtype_new_f64()),
        wasm_functype_new_3_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                              wasm_valtype_new_i32(), wasm_valtype_new_f64(),
                              wasm_valtype_new_externref()),
    };
    size_t params[] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    size_t results[] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
    for (size_t i = 0; i < 12; i++) {
        CHECK(wasm_functype_params(types[i])->size == params[i]);
        CHECK(wasm_functype_results(types[i])->size == results[i]);
        wasm_functype_t *c = wasm_functype_copy(types[i]);
        CHECK(wasm_functype_params(c)->size == params[i]);
        CHECK(wasm_functype_params(c)->data != wasm_functype_params(types[i])->data || !params[i]);
        wasm_functype_delete(c);
    }
    CHECK(wasm_valtype_kind(wasm_functype_results(types[11])->data[1]) == WASM_EXTERNREF);
    CHECK(wasm_valtype_kind(wasm_functype_params(types[2])->data[1]) == WASM_I64);

    /* A vector of function types owns them. */
    wasm_functype_vec_t vec;
    wasm_functype_vec_new(&vec, 12, types);
    wasm_functype_vec_t copy;
    wasm_functype_vec_copy(&copy, &vec);
    CHECK(copy.size == 12 && copy.data[3] != vec.data[3]);
    wasm_functype_vec_delete(&copy);
    wasm_functype_vec_delete(&vec);
    CHECK(vec.size == 0 && vec.data == NULL);

    /* wasm_functype_new takes ownership of the vectors' contents. */
    wasm_valtype_t *ps[2] = {wasm_valtype_new_i32(), wasm_valtype_new_i32()};
    wasm_valtype_vec_t pv, rv;
    wasm_valtype_vec_new(&pv, 2, ps);
    wasm_valtype_vec_new_empty(&rv);
    wasm_functype_t *f = wasm_functype_new(&pv, &rv);
    CHECK(wasm_functype_params(f)->size == 2);
    wasm_functype_delete(f);
    wasm_functype_delete(NULL);
}

static void globaltypes_tables_memories(void) {
    wasm_globaltype_t *g = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
    CHECK(wasm_valtype_kind(wasm_globaltype_content(g)) == WASM_F32);
    CHECK(wasm_globaltype_mutability(g) == WASM_VAR);
    wasm_globaltype_t *gc = wasm_globaltype_copy(g);
    CHECK(wasm_globaltype_mutability(gc) == WASM_VAR);
    CHECK(wasm_globaltype_content(gc) != wasm_globaltype_content(g));
    CHECK(wasm_globaltype_new(NULL, WASM_CONST) == NULL);

    wasm_limits_t limits = {1, 5};
    wasm_tabletype_t *t = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
    CHECK(wasm_valtype_kind(wasm_tabletype_element(t)) == WASM_FUNCREF);
    CHECK(wasm_tabletype_limits(t)->min == 1 && wasm_tabletype_limits(t)->max == 5);
    wasm_tabletype_t *tc = wasm_tabletype_copy(t);
    CHECK(wasm_tabletype_limits(tc)->max == 5);

    wasm_limits_t open = {2, wasm_limits_max_default};
    wasm_memorytype_t *m = wasm_memorytype_new(&open);
    CHECK(wasm_memorytype_limits(m)->min == 2);
    CHECK(wasm_memorytype_limits(m)->max == wasm_limits_max_default);
    wasm_memorytype_t *mc = wasm_memorytype_copy(m);
    CHECK(wasm_memorytype_limits(mc)->min == 2);
    CHECK(wasm_memorytype_new(NULL) == NULL);

    wasm_tagtype_t *tag = wasm_tagtype_new(wasm_functype_new_1_0(wasm_valtype_new_i32()));
    CHECK(wasm_functype_params(wasm_tagtype_functype(tag))->size == 1);
    wasm_tagtype_t *tagc = wasm_tagtype_copy(tag);
    CHECK(wasm_tagtype_functype(tagc) != wasm_tagtype_functype(tag));
    CHECK(wasm_tagtype_new(NULL) == NULL);

    /* Vectors of each. */
    wasm_globaltype_vec_t gv;
    wasm_globaltype_vec_new(&gv, 1, &gc);
    wasm_globaltype_vec_delete(&gv);
    wasm_tabletype_vec_t tv;
    wasm_tabletype_vec_new(&tv, 1, &tc);
    wasm_tabletype_vec_delete(&tv);
    wasm_memorytype_vec_t mv;
    wasm_memorytype_vec_new(&mv, 1, &mc);
    wasm_memorytype_vec_delete(&mv);
    wasm_tagtype_vec_t tagv;
    wasm_tagtype_vec_new(&tagv, 1, &tagc);
    wasm_tagtype_vec_delete(&tagv);

    wasm_globaltype_delete(g);
    wasm_tabletype_delete(t);
    wasm_memorytype_delete(m);
    wasm_tagtype_delete(tag);
}

static void externtype_views(void) {
    wasm_functype_t *f = wasm_functype_new_0_0();
    wasm_globaltype_t *g = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_limits_t limits = {0, 1};
    wasm_tabletype_t *t = wasm_tabletype_new(wasm_valtype_new_externref(), &limits);
    wasm_memorytype_t *m = wasm_memorytype_new(&limits);
    wasm_tagtype_t *tag = wasm_tagtype_new(wasm_functype_new_0_0());

    wasm_externtype_t *ef = wasm_functype_as_externtype(f);
    wasm_externtype_t *eg = wasm_globaltype_as_externtype(g);
    wasm_externtype_t *et = wasm_tabletype_as_externtype(t);
    wasm_externtype_t *em = wasm_memorytype_as_externtype(m);
    wasm_externtype_t *etag = wasm_tagtype_as_externtype(tag);
    CHECK(wasm_externtype_kind(ef) == WASM_EXTERN_FUNC);
    CHECK(wasm_externtype_kind(eg) == WASM_EXTERN_GLOBAL);
    CHECK(wasm_externtype_kind(et) == WASM_EXTERN_TABLE);
    CHECK(wasm_externtype_kind(em) == WASM_EXTERN_MEMORY);
    CHECK(wasm_externtype_kind(etag) == WASM_EXTERN_TAG);
    CHECK(wasm_externtype_as_functype(ef) == f && wasm_externtype_as_globaltype(eg) == g);
    CHECK(wasm_externtype_as_tabletype(et) == t && wasm_externtype_as_memorytype(em) == m);
    CHECK(wasm_externtype_as_tagtype(etag) == tag);
    /* Wrong kinds give NULL. */
    CHECK(wasm_externtype_as_functype(eg) == NULL && wasm_externtype_as_globaltype(ef) == NULL);
    CHECK(wasm_externtype_as_tabletype(em) == NULL && wasm_externtype_as_memorytype(et) == NULL);
    CHECK(wasm_externtype_as_tagtype(ef) == NULL);
    CHECK(wasm_externtype_as_functype(NULL) == NULL);
    /* Const views. */
    CHECK(wasm_functype_as_externtype_const(f) == ef);
    CHECK(wasm_globaltype_as_externtype_const(g) == eg);
    CHECK(wasm_tabletype_as_externtype_const(t) == et);
    CHECK(wasm_memorytype_as_externtype_const(m) == em);
    CHECK(wasm_tagtype_as_externtype_const(tag) == etag);
    CHECK(wasm_externtype_as_functype_const(ef) == f);
    CHECK(wasm_externtype_as_globaltype_const(eg) == g);
    CHECK(wasm_externtype_as_tabletype_const(et) == t);
    CHECK(wasm_externtype_as_memorytype_const(em) == m);
    CHECK(wasm_externtype_as_tagtype_const(etag) == tag);
    CHECK(wasm_externtype_as_memorytype_const(ef) == NULL);

    wasm_externtype_t *copy = wasm_externtype_copy(et);
    CHECK(wasm_externtype_kind(copy) == WASM_EXTERN_TABLE);
    wasm_externtype_t *all[] = {ef, eg, et, em, etag, copy};
    wasm_externtype_vec_t vec, vcopy;
    wasm_externtype_vec_new(&vec, 6, all); /* takes them all */
    wasm_externtype_vec_copy(&vcopy, &vec);
    CHECK(vcopy.size == 6 && wasm_externtype_kind(vcopy.data[4]) == WASM_EXTERN_TAG);
    wasm_externtype_vec_delete(&vcopy);
    wasm_externtype_vec_delete(&vec);
}

static void import_export_types(void) {
    wasm_name_t module, name, ename;
    wasm_name_new_from_string(&module, "env");
    wasm_name_new_from_string(&name, "f");
    wasm_importtype_t *imp =
        wasm_importtype_new(&module, &name, wasm_functype_as_externtype(wasm_functype_new_0_0()));
    CHECK(imp);
    CHECK(wasm_importtype_module(imp)->size == 3 && !memcmp(wasm_importtype_module(imp)->data, "env", 3));
    CHECK(wasm_importtype_name(imp)->size == 1);
    CHECK(wasm_externtype_kind(wasm_importtype_type(imp)) == WASM_EXTERN_FUNC);
    wasm_importtype_t *ic = wasm_importtype_copy(imp);
    CHECK(wasm_importtype_module(ic)->data != wasm_importtype_module(imp)->data);

    wasm_name_new_from_string_nt(&ename, "g");
    CHECK(ename.size == 2 && ename.data[1] == '\0');
    wasm_limits_t limits = {1, 1};
    wasm_exporttype_t *exp =
        wasm_exporttype_new(&ename, wasm_memorytype_as_externtype(wasm_memorytype_new(&limits)));
    CHECK(wasm_exporttype_name(exp)->size == 2);
    CHECK(wasm_externtype_kind(wasm_exporttype_type(exp)) == WASM_EXTERN_MEMORY);
    wasm_exporttype_t *ec = wasm_exporttype_copy(exp);
    CHECK(ec && wasm_exporttype_type(ec) != wasm_exporttype_type(exp));

    wasm_importtype_vec_t iv;
    wasm_importtype_vec_new(&iv, 1, &ic);
    wasm_importtype_vec_delete(&iv);
    wasm_exporttype_vec_t ev;
    wasm_exporttype_vec_new_uninitialized(&ev, 2);
    CHECK(ev.size == 2 && ev.data[0] == NULL && ev.data[1] == NULL);
    ev.data[0] = ec;
    wasm_exporttype_vec_delete(&ev); /* NULL elements are skipped */
    wasm_importtype_delete(imp);
    wasm_exporttype_delete(exp);
    wasm_importtype_delete(NULL);
    wasm_exporttype_delete(NULL);
}

static void byte_and_val_vectors(void) {
    wasm_byte_vec_t b, bc, empty;
    wasm_byte_vec_new(&b, 5, "hello");
    CHECK(b.size == 5 && !memcmp(b.data, "hello", 5));
    wasm_byte_vec_copy(&bc, &b);
    CHECK(bc.size == 5 && bc.data != b.data && !memcmp(bc.data, "hello", 5));
    wasm_byte_vec_new_empty(&empty);
    CHECK(empty.size == 0 && empty.data == NULL);
    wasm_byte_vec_t un;
    wasm_byte_vec_new_uninitialized(&un, 100);
    CHECK(un.size == 100 && un.data);
    wasm_byte_vec_delete(&un);
    wasm_byte_vec_delete(&b);
    wasm_byte_vec_delete(&bc);
    wasm_byte_vec_delete(&empty);
    wasm_name_t n;
    wasm_name_new_empty(&n);
    wasm_name_delete(&n);
    wasm_name_new_uninitialized(&n, 3);
    CHECK(n.size == 3);
    wasm_name_delete(&n);
    wasm_name_t nn;
    wasm_name_new(&nn, 2, "ab");
    wasm_name_t nc;
    wasm_name_copy(&nc, &nn);
    CHECK(nc.size == 2);
    wasm_name_delete(&nn);
    wasm_name_delete(&nc);
    wasm_byte_vec_delete(NULL);

    wasm_val_t vals[3] = {WASM_I32_VAL(1), WASM_F64_VAL(2.5), WASM_INIT_VAL};
    wasm_val_vec_t v, vc;
    wasm_val_vec_new(&v, 3, vals);
    wasm_val_vec_copy(&vc, &v);
    CHECK(vc.size == 3 && vc.data[1].kind == WASM_F64 && vc.data[1].of.f64 == 2.5);
    CHECK(vc.data[2].kind == WASM_EXTERNREF && vc.data[2].of.ref == NULL);
    wasm_val_vec_delete(&v);
    wasm_val_vec_delete(&vc);
    wasm_val_vec_new_empty(&v);
    wasm_val_vec_delete(&v);
    wasm_val_vec_new_uninitialized(&v, 4);
    CHECK(v.size == 4);
    wasm_val_vec_delete(&v);

    wasm_val_t p;
    int x;
    wasm_val_init_ptr(&p, &x);
    CHECK(wasm_val_ptr(&p) == &x);
    wasm_val_t i64 = WASM_I64_VAL(-5), f32 = WASM_F32_VAL(1.5f), r = WASM_REF_VAL(NULL);
    CHECK(i64.kind == WASM_I64 && f32.kind == WASM_F32 && r.kind == WASM_EXTERNREF);
    wasm_val_t copy;
    wasm_val_copy(&copy, &i64);
    CHECK(copy.of.i64 == -5);
    wasm_val_delete(&copy);
    CHECK(sizeof(wasm_val_t) == 16);
}

static void empty_pointer_vectors(void) {
    /* Every vector kind: empty, uninitialized (NULLs), copy, delete. */
#define EMPTY_VEC_CHECK(name)                                                                      \
    do {                                                                                           \
        wasm_##name##_vec_t v, c;                                                                  \
        wasm_##name##_vec_new_empty(&v);                                                           \
        CHECK(v.size == 0);                                                                        \
        wasm_##name##_vec_delete(&v);                                                              \
        wasm_##name##_vec_new_uninitialized(&v, 3);                                                \
        CHECK(v.size == 3 && v.data[2] == NULL);                                                   \
        wasm_##name##_vec_copy(&c, &v);                                                            \
        CHECK(c.size == 3 && c.data[0] == NULL);                                                   \
        wasm_##name##_vec_delete(&c);                                                              \
        wasm_##name##_vec_delete(&v);                                                              \
    } while (0)
    EMPTY_VEC_CHECK(valtype);
    EMPTY_VEC_CHECK(functype);
    EMPTY_VEC_CHECK(globaltype);
    EMPTY_VEC_CHECK(tabletype);
    EMPTY_VEC_CHECK(memorytype);
    EMPTY_VEC_CHECK(tagtype);
    EMPTY_VEC_CHECK(externtype);
    EMPTY_VEC_CHECK(importtype);
    EMPTY_VEC_CHECK(exporttype);
    EMPTY_VEC_CHECK(frame);
    EMPTY_VEC_CHECK(extern);
    /* new with zero elements, for the kinds made only by the runtime. */
    wasm_frame_vec_t fv;
    wasm_frame_vec_new(&fv, 0, NULL);
    CHECK(fv.size == 0);
    wasm_frame_vec_delete(&fv);
    wasm_extern_vec_t xv;
    wasm_extern_vec_new(&xv, 0, NULL);
    CHECK(xv.size == 0);
    wasm_extern_vec_delete(&xv);
    wasm_name_t name;
    wasm_name_new_from_string(&name, "x");
    wasm_exporttype_t *et = wasm_exporttype_new(&name, wasm_functype_as_externtype(wasm_functype_new_0_0()));
    wasm_exporttype_vec_t ev;
    wasm_exporttype_vec_new(&ev, 1, &et);
    CHECK(ev.size == 1 && ev.data[0] == et);
    wasm_exporttype_vec_delete(&ev);

    wasm_valtype_t *vts[1] = {wasm_valtype_new_i32()};
    wasm_valtype_vec_t v, c;
    wasm_valtype_vec_new(&v, 1, vts);
    wasm_valtype_vec_copy(&c, &v);
    CHECK(wasm_valtype_kind(c.data[0]) == WASM_I32);
    wasm_valtype_vec_delete(&v);
    wasm_valtype_vec_delete(&c);
}

TEST_MAIN("capi_types", TEST_CASE(valtypes), TEST_CASE(functypes),
          TEST_CASE(globaltypes_tables_memories), TEST_CASE(externtype_views),
          TEST_CASE(import_export_types), TEST_CASE(byte_and_val_vectors),
          TEST_CASE(empty_pointer_vectors))
