/* The registry's cross-module queries: registering a bare function type the
 * way a module's `(type (func ...))` is, canonical copies of types, value-type
 * subtyping over canonical ids, and re-registering a module validated against
 * another registry. */
#include "module/module.h"
#include "test.h"

static Module *parse(const char *wat, TypeRegistry *reg) {
    ByteBuf b;
    buf_init(&b);
    Diag d;
    Module *mod = NULL;
    if (wat_parse_module(wat, strlen(wat), "t", &b, &d) == OK &&
        bin_read_module(b.data, b.len, &mod, &d) == OK && valid_module(mod, reg, &d) != OK) {
        ir_module_delete(mod);
        mod = NULL;
    }
    buf_fini(&b);
    return mod;
}

static void test_func_type(void) {
    TypeRegistry *reg = mod_registry_new();
    Module *mod = parse("(module (type (func (param i32) (result f64)))"
                        " (type $s (sub (func))) (type (sub $s (func))))",
                        reg);
    CHECK(mod != NULL);
    ValType p = ir_valtype(VK_I32), r = ir_valtype(VK_F64);
    FuncType ft = {1, 1, &p, &r};
    uint32_t id, empty;
    Diag d;
    CHECK(mod_registry_func_type(reg, &ft, &id, &d) == OK && id == mod->types[0].canon);
    FuncType none = {0, 0, NULL, NULL};
    /* (func) is final, so not the open $s. */
    CHECK(mod_registry_func_type(reg, &none, &empty, &d) == OK);
    CHECK(empty != mod->types[1].canon && empty != mod->types[2].canon);
    const SubType *st = mod_registry_type(reg, id);
    CHECK(st->kind == COMP_FUNC && st->func.n_params == 1 && st->func.params[0].kind == VK_I32);
    const SubType *sub = mod_registry_type(reg, mod->types[2].canon);
    CHECK(sub->has_super && sub->super == mod->types[1].canon);
    CHECK(mod_registry_is_subtype(reg, mod->types[2].canon, mod->types[1].canon));
    ir_module_delete(mod);
    mod_registry_delete(reg);
}

static void test_val_sub_canon(void) {
    TypeRegistry *reg = mod_registry_new();
    Module *mod = parse("(module (type $s (sub (func))) (type $t (sub $s (func)))"
                        " (type $st (struct)))",
                        reg);
    CHECK(mod != NULL);
    int32_t s = (int32_t)mod->types[0].canon, t = (int32_t)mod->types[1].canon;
    int32_t st = (int32_t)mod->types[2].canon;
    CHECK(mod_val_sub_canon(reg, ir_reftype(false, t), ir_reftype(false, s)));
    CHECK(!mod_val_sub_canon(reg, ir_reftype(false, s), ir_reftype(false, t)));
    CHECK(!mod_val_sub_canon(reg, ir_reftype(true, t), ir_reftype(false, s)));
    CHECK(mod_val_sub_canon(reg, ir_reftype(false, t), ir_reftype(true, HT_FUNC)));
    CHECK(!mod_val_sub_canon(reg, ir_reftype(false, t), ir_reftype(true, HT_ANY)));
    CHECK(mod_val_sub_canon(reg, ir_reftype(false, st), ir_reftype(true, HT_EQ)));
    CHECK(mod_val_sub_canon(reg, ir_reftype(true, HT_NOFUNC), ir_reftype(true, s)));
    CHECK(!mod_val_sub_canon(reg, ir_reftype(true, HT_NONE), ir_reftype(true, s)));
    CHECK(mod_val_sub_canon(reg, ir_reftype(true, HT_NONE), ir_reftype(true, st)));
    CHECK(mod_val_sub_canon(reg, ir_valtype(VK_I32), ir_valtype(VK_I32)));
    CHECK(!mod_val_sub_canon(reg, ir_valtype(VK_I32), ir_valtype(VK_I64)));
    ir_module_delete(mod);
    mod_registry_delete(reg);
}

static void test_canonicalize(void) {
    TypeRegistry *a = mod_registry_new(), *b = mod_registry_new();
    Module *pad = parse("(module (type (func (param i64))) (type (struct)))", b);
    const char *wat = "(module (rec (type $x (func (param (ref $y)))) (type $y (struct)))"
                      " (type (func (param (ref $x)))))";
    Module *mod = parse(wat, a), *ref = parse(wat, b);
    CHECK(pad && mod && ref);
    Diag d;
    CHECK(mod_registry_canonicalize(b, mod, &d) == OK);
    for (uint32_t i = 0; i < 3; i++)
        CHECK(mod->types[i].canon == ref->types[i].canon);
    CHECK(mod_registry_count(b) == 5);
    ir_module_delete(pad);
    ir_module_delete(mod);
    ir_module_delete(ref);
    mod_registry_delete(a);
    mod_registry_delete(b);
}

TEST_MAIN("registry", TEST_CASE(test_func_type), TEST_CASE(test_val_sub_canon),
          TEST_CASE(test_canonicalize))
