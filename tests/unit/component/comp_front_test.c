/* Component front end: text -> binary (wat_parse_component), decoding
 * (comp_decode) and validation (comp_validate) of small components, with the
 * suite's messages for malformed and invalid ones. */
#include "component/component_front.h"
#include "syntax/syntax.h"
#include "../test.h"

/* Parse `text`, decode and validate; returns the stage that failed (0 none,
 * 1 text, 2 decode, 3 validate) and the message in msg. */
static int run(const char *text, char *msg, size_t size) {
    ByteBuf b;
    buf_init(&b);
    Diag d;
    diag_clear(&d);
    int stage = 0;
    CompComponent *c = NULL;
    if (wat_parse_component(text, strlen(text), NULL, &b, &d) != OK)
        stage = 1;
    else if (comp_decode(b.data, b.len, &c, &d) != OK)
        stage = 2;
    else if (comp_validate(c, NULL, &d) != OK)
        stage = 3;
    snprintf(msg, size, "%s", stage ? d.msg : "");
    comp_ir_delete(c);
    buf_fini(&b);
    return stage;
}

static void test_valid(void) {
    char msg[DIAG_MSG_MAX];
    CHECK(run("(component)", msg, sizeof msg) == 0);
    CHECK(run("(component"
              "  (core module $m (func (export \"f\") (param i32) (result i32) local.get 0))"
              "  (core instance $i (instantiate $m))"
              "  (func (export \"f\") (param \"x\" u32) (result u32)"
              "    (canon lift (core func $i \"f\"))))",
              msg, sizeof msg) == 0);
    CHECK(run("(component"
              "  (type $r (record (field \"a\" u8) (field \"b\" string)))"
              "  (export \"r\" (type $r))"
              "  (import \"i\" (instance $i (export \"f\" (func (param \"a\" (list u8))))))"
              "  (alias export $i \"f\" (func $f))"
              "  (core module $mem (memory (export \"m\") 1))"
              "  (core instance $mi (instantiate $mem))"
              "  (core func (canon lower (func $f) (memory (core memory $mi \"m\")))))",
              msg, sizeof msg) == 0);
    CHECK(run("(component (type $R (resource (rep i32)))"
              "  (core func (canon resource.new $R)) (core func (canon resource.drop $R)))",
              msg, sizeof msg) == 0);
}

static void test_decode_errors(void) {
    CompComponent *c = NULL;
    Diag d;
    static const uint8_t bad_version[] = {0, 'a', 's', 'm', 0x0c, 0, 1, 0};
    CHECK(comp_decode(bad_version, sizeof bad_version, &c, &d) == ERR_MALFORMED);
    CHECK(strstr(d.msg, "unknown binary version") != NULL);
    static const uint8_t bad_section[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 0x0d, 0};
    CHECK(comp_decode(bad_section, sizeof bad_section, &c, &d) == ERR_MALFORMED);
    CHECK(strstr(d.msg, "malformed section id") != NULL);
    static const uint8_t short_type[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 0x07, 0x03, 0x00};
    CHECK(comp_decode(short_type, sizeof short_type, &c, &d) == ERR_MALFORMED);
    CHECK(strstr(d.msg, "unexpected end-of-file") != NULL);
    static const uint8_t bad_canon[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 0x08, 0x02, 0x01, 0x2e};
    CHECK(comp_decode(bad_canon, sizeof bad_canon, &c, &d) == ERR_MALFORMED);
    CHECK(strstr(d.msg, "invalid leading byte (0x2e) for canonical function") != NULL);
}

static void test_invalid(void) {
    char msg[DIAG_MSG_MAX];
    CHECK(run("(component (type (record)))", msg, sizeof msg) == 3);
    CHECK(strstr(msg, "record type must have at least one field") != NULL);
    CHECK(run("(component (import \"Foo\" (func)))", msg, sizeof msg) == 3);
    CHECK(strstr(msg, "is not a valid extern name") != NULL);
    CHECK(run("(component (import \"a\" (func)) (import \"A\" (func)))", msg, sizeof msg) == 3);
    CHECK(strstr(msg, "conflicts with previous name") != NULL);
    CHECK(run("(component (core instance (instantiate 0)))", msg, sizeof msg) == 3);
    CHECK(strstr(msg, "unknown module") != NULL);
    CHECK(run("(component (type (component (type (resource (rep i32))))))", msg, sizeof msg) ==
          3);
    CHECK(strstr(msg, "resources can only be defined within a concrete component") != NULL);
    CHECK(run("(component (type $t u8) (type (own $t)))", msg, sizeof msg) == 3);
    CHECK(strstr(msg, "is not a resource type") != NULL);
}

static void test_text_errors(void) {
    char msg[DIAG_MSG_MAX];
    CHECK(run("(component (func $f (import \"a\")) (func $f (import \"b\")))", msg, sizeof msg) ==
          1);
    CHECK(strstr(msg, "duplicate func identifier") != NULL);
    CHECK(run("(component (export \"a\" (func $nope)))", msg, sizeof msg) == 1);
    CHECK(strstr(msg, "unknown func") != NULL);
}

TEST_MAIN("comp_front", TEST_CASE(test_valid), TEST_CASE(test_decode_errors),
          TEST_CASE(test_invalid), TEST_CASE(test_text_errors))
