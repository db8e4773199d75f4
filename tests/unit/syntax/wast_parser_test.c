/* WAST scripts: every command kind, module forms (text, binary, quote,
 * definition, instance, bare fields), values and result patterns. */
#include <string.h>

#include "../test.h"
#include "syntax/syntax.h"

static const char script_text[] =
    "(module $M (func (export \"f\") (param i32) (result i32) local.get 0))\n"
    "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
    "(module quote \"(func\" \" $q)\")\n"
    "(module definition $D (memory 1))\n"
    "(module instance $I $D)\n"
    "(register \"reg\" $M)\n"
    "(invoke $M \"f\" (i32.const -1))\n"
    "(assert_return (invoke \"f\" (i32.const 7)) (i32.const 7))\n"
    "(assert_return (get $M \"g\") (f32.const nan:canonical))\n"
    "(assert_return (invoke \"v\" (v128.const i16x8 1 2 3 4 5 6 7 -1))\n"
    "  (v128.const f32x4 1 nan:arithmetic -0 inf))\n"
    "(assert_return (invoke \"r\" (ref.null extern) (ref.extern 3) (ref.host 4))\n"
    "  (ref.null) (ref.null func) (ref.extern 3) (ref.extern) (ref.func) (ref.i31)\n"
    "  (either (i64.const 1) (i64.const 2)))\n"
    "(assert_trap (invoke \"f\") \"unreachable\")\n"
    "(assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")\n"
    "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n"
    "(assert_exception (invoke \"f\"))\n"
    "(assert_malformed (module quote \"(func get_local)\") \"unknown operator\")\n"
    "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
    "(assert_unlinkable (module (import \"x\" \"y\" (func))) \"unknown import\")\n"
    "(assert_malformed (module (func br $nope)) \"unknown label\")\n"
    "((@a) thread $T (shared (module $M)) (invoke \"f\"))\n"
    "(wait $T)\n"
    "(assert_return (invoke \"c\") (u32.const 1))\n"
    "(func) (memory 0)\n";

static void test_commands(void) {
    Script *s = NULL;
    Diag d;
    Err err = wast_parse_script(script_text, sizeof script_text - 1, "t.wast", &s, &d);
    if (err != OK)
        fprintf(stderr, "  %u:%u: %s\n", d.line, d.column, d.msg);
    CHECK(err == OK);
    if (err != OK)
        return;
    CHECK(s->n_commands == 23);
    if (s->n_commands != 23) {
        wast_script_delete(s);
        return;
    }
    const WastCommand *c = s->commands;
    CHECK(c[0].kind == CMD_MODULE && c[0].module->kind == WAST_MOD_TEXT);
    CHECK(strcmp(c[0].module->id, "M") == 0 && c[0].module->len > 8 && !c[0].module->has_error);
    CHECK(c[0].line == 1 && c[0].column == 1);
    CHECK(c[1].module->kind == WAST_MOD_BINARY && c[1].module->len == 8);
    CHECK(c[2].module->kind == WAST_MOD_QUOTE && strcmp(c[2].module->text, "(func $q)") == 0);
    CHECK(c[3].module->is_definition && strcmp(c[3].module->id, "D") == 0);
    CHECK(c[4].kind == CMD_INSTANCE && strcmp(c[4].instance_id, "I") == 0 &&
          strcmp(c[4].definition_id, "D") == 0);
    CHECK(c[5].kind == CMD_REGISTER && strcmp(c[5].register_name, "reg") == 0 &&
          strcmp(c[5].definition_id, "M") == 0);
    CHECK(c[6].kind == CMD_ACTION && strcmp(c[6].action.module_id, "M") == 0 &&
          c[6].action.n_args == 1 && c[6].action.args[0].i32 == 0xffffffffu);
    CHECK(c[7].kind == CMD_ASSERT_RETURN && c[7].n_expects == 1 &&
          c[7].expects[0].kind == WE_VALUE && c[7].expects[0].value.i32 == 7);
    CHECK(c[8].action.kind == WAST_GET && c[8].expects[0].kind == WE_NAN_CANONICAL &&
          c[8].expects[0].value.kind == WV_F32);
    const WastExpect *v = &c[9].expects[0];
    CHECK(c[9].action.args[0].kind == WV_V128 && c[9].action.args[0].v128[14] == 0xff);
    CHECK(v->value.shape == SHAPE_F32X4 && v->lane_nan[1] == LANE_NAN_ARITHMETIC &&
          v->lane_nan[0] == LANE_EXACT && v->value.v128[11] == 0x80);
    const WastCommand *r = &c[10];
    CHECK(r->action.n_args == 3 && r->action.args[0].kind == WV_REF_NULL &&
          r->action.args[0].heap == HT_EXTERN && r->action.args[1].kind == WV_REF_EXTERN &&
          r->action.args[1].host == 3 && r->action.args[2].kind == WV_REF_HOST);
    CHECK(r->n_expects == 7);
    CHECK(r->expects[0].kind == WE_REF_NULL_ANY);
    CHECK(r->expects[1].kind == WE_VALUE && r->expects[1].value.heap == HT_FUNC);
    CHECK(r->expects[2].value.kind == WV_REF_EXTERN && r->expects[2].value.host == 3);
    CHECK(r->expects[3].kind == WE_REF_KIND && r->expects[3].ref_class == HT_EXTERN);
    CHECK(r->expects[4].kind == WE_REF_KIND && r->expects[4].ref_class == HT_FUNC);
    CHECK(r->expects[5].ref_class == HT_I31);
    CHECK(r->expects[6].kind == WE_EITHER && r->expects[6].n_alts == 2 &&
          r->expects[6].alts[1].value.i64 == 2);
    CHECK(c[11].kind == CMD_ASSERT_TRAP && strcmp(c[11].message, "unreachable") == 0);
    CHECK(c[12].kind == CMD_ASSERT_TRAP_MODULE && c[12].module->len > 8);
    CHECK(c[13].kind == CMD_ASSERT_EXHAUSTION);
    CHECK(c[14].kind == CMD_ASSERT_EXCEPTION);
    CHECK(c[15].kind == CMD_ASSERT_MALFORMED && c[15].module->kind == WAST_MOD_QUOTE);
    CHECK(c[16].kind == CMD_ASSERT_INVALID && c[16].module->len > 8);
    CHECK(c[17].kind == CMD_ASSERT_UNLINKABLE);
    CHECK(c[18].kind == CMD_ASSERT_MALFORMED && c[18].module->has_error &&
          strncmp(c[18].module->error.msg, "unknown label", 13) == 0);
    CHECK(c[19].kind == CMD_UNSUPPORTED && strcmp(c[19].message, "thread") == 0);
    CHECK(c[20].kind == CMD_UNSUPPORTED && strcmp(c[20].message, "wait") == 0);
    CHECK(c[21].kind == CMD_ASSERT_RETURN && c[21].n_expects == 1 &&
          c[21].expects[0].value.kind == WV_COMP &&
          c[21].expects[0].value.comp->kind == WCV_U32 && c[21].expects[0].value.comp->bits == 1);
    CHECK(c[22].kind == CMD_MODULE && c[22].module->kind == WAST_MOD_TEXT && !c[22].module->id);
    CHECK(c[22].module->len > 8 && c[22].line == 26);
    wast_script_delete(s);
}

static void test_syntax_error(void) {
    static const char bad[] = "(module)\n(assert_return (invoke \"f\" (i32.const 1.5)))";
    Script *s = NULL;
    Diag d;
    CHECK(wast_parse_script(bad, sizeof bad - 1, "t.wast", &s, &d) == ERR_MALFORMED);
    CHECK(s == NULL && d.line == 2 && strcmp(d.msg, "unexpected token") == 0);
}

TEST_MAIN("wast_parser", TEST_CASE(test_commands), TEST_CASE(test_syntax_error))
