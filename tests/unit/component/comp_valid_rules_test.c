/* Component validator rules: visibility of types in imports and exports,
 * resource generativity, annotated-name resource contexts, outer-alias free
 * resources, type-declarator alias restrictions, module-type subtyping and
 * limits, duplicate core imports, 64-bit value-size limit, the wasmtime
 * restrictions (reported after validation) and the `implements` feature. */
#include "component/component_front.h"
#include "syntax/syntax.h"
#include "../test.h"

/* Text -> validate with `features`; 0 valid, else the failing stage (1 text,
 * 2 decode, 3 validate) with the message in msg. */
static int run_f(const char *text, uint32_t features, char *msg, size_t size) {
    ByteBuf b;
    buf_init(&b);
    Diag d;
    diag_clear(&d);
    int stage = 0;
    CompComponent *c = NULL;
    if (wat_parse_component(text, strlen(text), NULL, &b, &d) != OK) {
        stage = 1;
    } else if (comp_decode(b.data, b.len, &c, &d) != OK) {
        stage = 2;
    } else {
        c->features = features;
        if (comp_validate(c, NULL, &d) != OK)
            stage = 3;
    }
    snprintf(msg, size, "%s", stage ? d.msg : "");
    comp_ir_delete(c);
    buf_fini(&b);
    return stage;
}

static char msg[DIAG_MSG_MAX];

static bool valid(const char *text) {
    return run_f(text, COMP_FEATURES_DEFAULT, msg, sizeof msg) == 0;
}

/* Invalid at validation with `want` in the message. */
static bool invalid(const char *text, const char *want) {
    return run_f(text, COMP_FEATURES_DEFAULT, msg, sizeof msg) == 3 && strstr(msg, want);
}

#define LIFT_F                                                                                     \
    "(core module $m (func (export \"f\") (result i32) unreachable))"                            \
    "(core instance $i (instantiate $m))"

static void test_visibility(void) {
    /* a record must be exported before a function's type uses it */
    CHECK(valid("(component " LIFT_F "(type $Rec (record (field \"x\" u32)))"
                "(export $Rec' \"rec\" (type $Rec))"
                "(func $f (result $Rec') (canon lift (core func $i \"f\")))"
                "(export \"f\" (func $f)))"));
    CHECK(invalid("(component " LIFT_F "(type $Rec (record (field \"x\" u32)))"
                  "(func $f (result $Rec) (canon lift (core func $i \"f\")))"
                  "(export $Rec' \"rec\" (type $Rec))"
                  "(export \"f\" (func $f)))",
                  "func not valid to be used as export"));
    /* anonymous structure is fine, but what it holds must be named */
    CHECK(valid("(component (type $T (tuple (list u8) (option string))) (export \"t\" (type $T)))"));
    CHECK(invalid("(component (type $R (record (field \"x\" u32))) (type $L (list $R))"
                  "(export \"t\" (type $L)))",
                  "type not valid to be used as export"));
    /* exported types are not usable by imports; imported ones by both */
    CHECK(invalid("(component (type $R (resource (rep i32))) (export $R' \"r\" (type $R))"
                  "(import \"f\" (func (result (own $R')))))",
                  "func not valid to be used as import"));
    CHECK(valid("(component " LIFT_F "(import \"r\" (type $R (sub resource)))"
                "(func $f (result (own $R)) (canon lift (core func $i \"f\")))"
                "(export \"f\" (func $f)))"));
    /* instance types check eagerly only when attached */
    CHECK(valid("(component (type (instance (type $R (record (field \"x\" u32)))"
                "(export \"f\" (func (param \"x\" $R))))))"));
    CHECK(invalid("(component (type $I (instance (type $R (record (field \"x\" u32)))"
                  "(type $R2 (record (field \"r\" $R))) (export \"t\" (type (eq $R2)))))"
                  "(import \"i\" (instance (type $I))))",
                  "instance not valid to be used as import"));
    /* exporting an instance names the types it exports */
    CHECK(valid("(component (type $R (resource (rep i32)))"
                "(instance $bag (export \"r\" (type $R)))"
                "(export $bag' \"i\" (instance $bag))"
                "(alias export $bag' \"r\" (type $R'))"
                "(core func $drop (canon resource.drop $R'))"
                "(func $f (param \"x\" (own $R')) (canon lift (core func $drop)))"
                "(export \"f\" (func $f)))"));
}

static void test_resources(void) {
    /* each instantiation defines fresh resources */
    const char *eq = "(component $eq (import \"a\" (type $a (sub resource)))"
                     "(import \"b\" (type (eq $a))))";
    char text[2048];
    snprintf(text, sizeof text,
             "(component (component $C (type $r (export \"r\") (resource (rep i32))))"
             "(instance $c1 (instantiate $C)) (instance $c2 (instantiate $C))"
             "(alias export $c1 \"r\" (type $a)) (alias export $c2 \"r\" (type $b)) %s"
             "(instance (instantiate $eq (with \"a\" (type $a)) (with \"b\" (type $b)))))",
             eq);
    CHECK(invalid(text, "resource types are not the same"));
    snprintf(text, sizeof text,
             "(component (component $C (type $r (export \"r\") (resource (rep i32))))"
             "(instance $c1 (instantiate $C))"
             "(alias export $c1 \"r\" (type $a)) (alias export $c1 \"r\" (type $b)) %s"
             "(instance (instantiate $eq (with \"a\" (type $a)) (with \"b\" (type $b)))))",
             eq);
    CHECK(valid(text));
    /* two imports of one instance type do not share resources */
    CHECK(invalid("(component (type $I (instance (export \"r\" (type $r (sub resource)))"
                  "(export \"f\" (func (result (own $r))))))"
                  "(import \"i1\" (instance $i1 (type $I))) (import \"i2\" (instance $i2 (type $I)))"
                  "(component $C (import \"r\" (type $r (sub resource)))"
                  "(import \"f\" (func (result (own $r)))))"
                  "(instance (instantiate $C (with \"r\" (type $i1 \"r\")) (with \"f\" (func $i2 \"f\")))))",
                  "resource types are not the same"));
}

static void test_annotated_names(void) {
    CHECK(invalid("(component (import \"b\" (type $a (sub resource)))"
                  "(import \"[constructor]a\" (func (result (own $a)))))",
                  "function does not match expected resource name `b`"));
    CHECK(invalid("(component (import \"b\" (type $T (sub resource)))"
                  "(import \"f\" (func $f (param \"self\" (borrow $T))))"
                  "(export \"[method]b.foo\" (func $f)))",
                  "resource used in function does not have a name in this context"));
    CHECK(valid("(component (component (import \"b\" (type $T (sub resource)))"
                "(import \"f\" (func $f (param \"self\" (borrow $T))))"
                "(export $c \"c\" (type $T))"
                "(export \"[method]c.foo\" (func $f) (func (param \"self\" (borrow $c))))))"));
}

static void test_aliases(void) {
    CHECK(invalid("(component $C (type $R (resource (rep i32)))"
                  "(type $Rec (record (field \"h\" (own $R))))"
                  "(component (alias outer $C $Rec (type))))",
                  "transitively refers to resources"));
    CHECK(invalid("(component $C (type $R (resource (rep i32)))"
                  "(type $U (component (export \"a\" (type (eq $R)))))"
                  "(component (alias outer $C $U (type))))",
                  "transitively refers to resources"));
    CHECK(valid("(component $C (component $D (import \"r\" (type (sub resource))))"
                "(type $U (component (import \"r\" (type (sub resource)))))"
                "(component (alias outer $C $U (type))))"));
    CHECK(invalid("(component $C (component $D) (type (component (alias outer $C $D (component)))))",
                  "may only refer to types or instances"));
}

static void test_core(void) {
    CHECK(invalid("(component (core module (import \"\" \"a\" (func)) (import \"\" \"a\" (func))))",
                  "duplicate import name `:a`"));
    CHECK(invalid("(component (core type (module (import \"\" \"\" (memory 70000)))))",
                  "memory size must be at most"));
    CHECK(invalid("(component (core module $m (import \"\" \"f\" (global i32)))"
                  "(component $c (import \"m\" (core module (import \"\" \"f\" (func)))))"
                  "(instance (instantiate $c (with \"m\" (core module $m)))))",
                  "type mismatch in import `::f`"));
    CHECK(invalid("(component (core module $m)"
                  "(component $c (import \"m\" (core module (export \"x\" (func)))))"
                  "(instance (instantiate $c (with \"m\" (core module $m)))))",
                  "missing expected export `x`"));
    CHECK(invalid("(component (core module $m1 (import \"\" \"f\" (func)))"
                  "(core module $m2 (func (export \"f\") (param i32)))"
                  "(core instance $i (instantiate $m2))"
                  "(core instance (instantiate $m1 (with \"\" (instance $i)))))",
                  "expected: (func)"));
    CHECK(invalid("(component (component $c) (instance (instantiate $c (with \"a\" (func 0)))))",
                  "index out of bounds"));
}

static void test_limits_and_features(void) {
    CHECK(valid("(component (type (list string 16777215)))"));
    CHECK(invalid("(component (type (list string 16777216)))", "exceeds maximum byte size"));
    /* wasmtime's restrictions lose to the validator's own errors */
    CHECK(invalid("(component (import \"a\" (component $c)) (instance $i (instantiate $c))"
                  "(alias export $i \"a\" (func)))",
                  "instance 0 has no export named `a`"));
    CHECK(invalid("(component (import \"a\" (component)))",
                  "root-level component imports are not supported"));
    const char *impl = "(component (import \"a\" (implements \"a:b/c\") (instance)))";
    CHECK(valid(impl));
    CHECK(run_f(impl, 0, msg, sizeof msg) == 3 &&
          strstr(msg, "the `cm-implements` feature is not active"));
    CHECK(invalid("(component (import \"ns:A/b\" (func)))", "is not a valid extern name"));
}

TEST_MAIN("comp_valid_rules", TEST_CASE(test_visibility), TEST_CASE(test_resources),
          TEST_CASE(test_annotated_names), TEST_CASE(test_aliases), TEST_CASE(test_core),
          TEST_CASE(test_limits_and_features))
