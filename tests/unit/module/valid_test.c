/* Validator tests on hand-written binary modules: canonical type ids across
 * modules, declared subtyping, representative valid and invalid function
 * bodies with the suite's messages, recorded block ends and stack heights, and
 * an allocation-failure loop. */
#include <pthread.h>
#include <stdlib.h>

#include "module/module.h"
#include "test.h"

typedef struct Bytes {
    uint8_t b[1024];
    size_t n;
} Bytes;

static void put(Bytes *o, const uint8_t *p, size_t n) {
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void section(Bytes *o, uint8_t id, const uint8_t *payload, size_t n) {
    o->b[o->n++] = id;
    o->b[o->n++] = (uint8_t)n; /* tests keep sections under 128 bytes */
    put(o, payload, n);
}

static void header(Bytes *o) {
    static const uint8_t h[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    o->n = 0;
    put(o, h, 8);
}

static Module *decode(const Bytes *o) {
    Module *mod = NULL;
    Diag diag;
    diag_clear(&diag);
    if (bin_read_module(o->b, o->n, &mod, &diag) != OK) {
        fprintf(stderr, "decode failed: %s\n", diag.msg);
        return NULL;
    }
    return mod;
}

static Module *types_module(const uint8_t *types, size_t n) {
    Bytes o;
    header(&o);
    section(&o, 1, types, n);
    return decode(&o);
}

/* One function of type 0 with a memory, a table and a tag (type 0 params), and
 * `extra_types` after the type section's first entry. body = locals + code. */
static Err body_check(const uint8_t *types, size_t tn, const uint8_t *body, size_t bn,
                      Diag *diag, Module **out) {
    Bytes o, code;
    header(&o);
    section(&o, 1, types, tn);
    section(&o, 3, (const uint8_t[]){1, 0}, 2);
    section(&o, 4, (const uint8_t[]){1, 0x70, 0, 1}, 4);
    section(&o, 5, (const uint8_t[]){1, 0, 1}, 3);
    code.n = 0;
    code.b[code.n++] = 1;
    code.b[code.n++] = (uint8_t)bn;
    put(&code, body, bn);
    section(&o, 10, code.b, code.n);
    Module *mod = decode(&o);
    if (!mod)
        return ERR_MALFORMED;
    diag_clear(diag);
    Err err = valid_module(mod, NULL, diag);
    if (out)
        *out = mod;
    else
        ir_module_delete(mod);
    return err;
}

static const uint8_t FUNC_VOID[] = {1, 0x60, 0, 0};
static const uint8_t FUNC_I32[] = {1, 0x60, 0, 1, 0x7f}; /* [] -> [i32] */

#define BODY(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void expect_invalid(const uint8_t *types, size_t tn, const uint8_t *body, size_t bn,
                           const char *prefix) {
    Diag diag;
    Err err = body_check(types, tn, body, bn, &diag, NULL);
    CHECK(err == ERR_INVALID);
    if (strncmp(diag.msg, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "  message \"%s\", want prefix \"%s\"\n", diag.msg, prefix);
        CHECK(0);
    }
}

static void expect_valid(const uint8_t *types, size_t tn, const uint8_t *body, size_t bn) {
    Diag diag;
    Err err = body_check(types, tn, body, bn, &diag, NULL);
    if (err != OK)
        fprintf(stderr, "  unexpected error: %s\n", diag.msg);
    CHECK(err == OK);
}

static void test_canon_across_modules(void) {
    TypeRegistry *reg = mod_registry_new();
    Diag diag;
    /* m1: func, struct (ref null 0) ; m2: struct i32, func, struct (ref null 1) */
    Module *m1 = types_module(BODY(2, 0x60, 0, 0, 0x5f, 1, 0x63, 0, 0));
    Module *m2 = types_module(BODY(3, 0x5f, 1, 0x7f, 0, 0x60, 0, 0, 0x5f, 1, 0x63, 1, 0));
    CHECK(m1 && m2);
    if (!m1 || !m2)
        return;
    CHECK(valid_module(m1, reg, &diag) == OK);
    CHECK(valid_module(m2, reg, &diag) == OK);
    CHECK(m1->types[0].canon == m2->types[1].canon);
    CHECK(m1->types[1].canon == m2->types[2].canon);
    CHECK(m2->types[0].canon != m1->types[0].canon && m2->types[0].canon != m1->types[1].canon);
    CHECK(mod_registry_count(reg) == 3);
    ir_module_delete(m1);
    ir_module_delete(m2);

    /* Recursive groups: equal by structure, different when an inner reference
     * points at another member. */
    Module *a = types_module(BODY(1, 0x4e, 2, 0x5f, 1, 0x63, 1, 0, 0x5f, 1, 0x63, 0, 0));
    Module *b = types_module(BODY(1, 0x4e, 2, 0x5f, 1, 0x63, 1, 0, 0x5f, 1, 0x63, 0, 0));
    Module *c = types_module(BODY(1, 0x4e, 2, 0x5f, 1, 0x63, 0, 0, 0x5f, 1, 0x63, 0, 0));
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(valid_module(a, reg, &diag) == OK);
        CHECK(valid_module(b, reg, &diag) == OK);
        CHECK(valid_module(c, reg, &diag) == OK);
        CHECK(a->types[0].canon == b->types[0].canon && a->types[1].canon == b->types[1].canon);
        CHECK(a->types[0].canon != a->types[1].canon);
        CHECK(c->types[0].canon != a->types[0].canon);
    }
    ir_module_delete(a);
    ir_module_delete(b);
    ir_module_delete(c);
    mod_registry_delete(reg);
}

static void test_subtyping(void) {
    TypeRegistry *reg = mod_registry_new();
    Diag diag;
    /* $a = sub (struct); $b = sub $a (struct i32); $c = sub final $b (struct i32 i64) */
    Module *m = types_module(BODY(3, 0x50, 0, 0x5f, 0, 0x50, 1, 0, 0x5f, 1, 0x7f, 0, 0x4f, 1, 1,
                                  0x5f, 2, 0x7f, 0, 0x7e, 0));
    CHECK(m != NULL);
    if (m) {
        CHECK(valid_module(m, reg, &diag) == OK);
        uint32_t a = m->types[0].canon, b = m->types[1].canon, c = m->types[2].canon;
        CHECK(mod_registry_is_subtype(reg, b, a));
        CHECK(mod_registry_is_subtype(reg, c, a));
        CHECK(mod_registry_is_subtype(reg, c, b));
        CHECK(!mod_registry_is_subtype(reg, a, b));
        CHECK(mod_registry_is_subtype(reg, a, a));
    }
    ir_module_delete(m);
    /* A declared super that does not match, and a final super. */
    Module *bad = types_module(BODY(2, 0x50, 0, 0x5f, 1, 0x7f, 0, 0x50, 1, 0, 0x5f, 1, 0x7e, 0));
    Module *fin = types_module(BODY(2, 0x5f, 0, 0x50, 1, 0, 0x5f, 0));
    if (bad && fin) {
        CHECK(valid_module(bad, reg, &diag) == ERR_INVALID);
        CHECK(strncmp(diag.msg, "sub type", 8) == 0);
        CHECK(valid_module(fin, reg, &diag) == ERR_INVALID);
        CHECK(strncmp(diag.msg, "sub type", 8) == 0);
    }
    ir_module_delete(bad);
    ir_module_delete(fin);
    /* Forward reference out of the group. */
    Module *fwd = types_module(BODY(2, 0x5f, 1, 0x63, 1, 0, 0x5f, 0));
    if (fwd) {
        CHECK(valid_module(fwd, reg, &diag) == ERR_INVALID);
        CHECK(strncmp(diag.msg, "unknown type", 12) == 0);
    }
    ir_module_delete(fwd);
    mod_registry_delete(reg);
}

static void test_bodies(void) {
    expect_valid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0x0b));
    expect_valid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 1, 0x41, 2, 0x6a, 0x0b));
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x42, 1, 0x0b),
                   "type mismatch: instruction requires [i32] but stack has [i64]");
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0x41, 1, 0x0b),
                   "type mismatch: block requires [] but stack has [i32]");
    /* unreachable makes the stack polymorphic */
    expect_valid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x00, 0x6a, 0x0b));
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x00, 0x42, 0, 0x6a, 0x0b), "type mismatch");
    /* locals, labels, globals */
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0x20, 0, 0x1a, 0x0b), "unknown local");
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0x0c, 1, 0x0b), "unknown label");
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0x23, 0, 0x1a, 0x0b), "unknown global");
    /* block with result, br_if, br_table */
    expect_valid(FUNC_I32, sizeof FUNC_I32,
                 BODY(0, 0x02, 0x7f, 0x41, 1, 0x41, 0, 0x0d, 0, 0x0b, 0x0b));
    expect_valid(FUNC_I32, sizeof FUNC_I32,
                 BODY(0, 0x02, 0x7f, 0x41, 1, 0x41, 0, 0x0e, 1, 0, 1, 0x0b, 0x0b));
    expect_invalid(FUNC_I32, sizeof FUNC_I32,
                   BODY(0, 0x02, 0x7f, 0x41, 1, 0x41, 0, 0x0e, 1, 0, 2, 0x0b, 0x0b), "unknown label");
    /* if without else must have matching params/results */
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 1, 0x04, 0x7f, 0x41, 1, 0x0b, 0x0b),
                   "type mismatch");
    /* memory: alignment and address type */
    expect_valid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 0, 0x28, 2, 0, 0x0b));
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 0, 0x28, 3, 0, 0x0b),
                   "alignment must not be larger than natural");
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 0, 0x2c, 1, 0, 0x0b),
                   "alignment must not be larger than natural");
    /* non-defaultable local: (local (ref func)) read before set */
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(1, 1, 0x64, 0x70, 0x20, 0, 0x1a, 0x0b),
                   "uninitialized local");
    /* set inside a block does not survive the block */
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID,
                   BODY(1, 1, 0x64, 0x70, 0x02, 0x40, 0xd0, 0x70, 0xd4, 0x21, 0, 0x0b, 0x20, 0, 0x1a,
                        0x0b),
                   "uninitialized local");
    expect_valid(FUNC_VOID, sizeof FUNC_VOID,
                 BODY(1, 1, 0x64, 0x70, 0xd0, 0x70, 0xd4, 0x21, 0, 0x20, 0, 0x1a, 0x0b));
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0xd2, 0, 0x1a, 0x0b),
                   "undeclared function reference");
    /* select needs numeric operands; typed select needs arity 1 */
    expect_valid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 1, 0x41, 2, 0x41, 0, 0x1b, 0x0b));
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x41, 1, 0x42, 2, 0x41, 0, 0x1b, 0x0b),
                   "type mismatch");
}

/* The validator's shortcuts (operands of exactly the expected types) must
 * give what the general rules give when they do not apply: unknown operands,
 * and subtypes, which branches and block ends replace by the label's types. */
static void test_fast_path_fallbacks(void) {
    /* operands of unknown type, from unreachable, for fixed rows */
    expect_valid(FUNC_VOID, sizeof FUNC_VOID,
                 BODY(0, 0x00, 0x6a, 0x41, 1, 0x6a, 0x28, 2, 0, 0x1a, 0x0b));
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID, BODY(0, 0x00, 0x6a, 0x42, 0, 0x7c, 0x1a, 0x0b),
                   "type mismatch");
    /* block $a (result nullfuncref) block $b (result funcref) ref.null nofunc
     * br_if $b leaves a funcref: br_if $a then needs a nullfuncref */
    expect_valid(FUNC_VOID, sizeof FUNC_VOID,
                 BODY(0, 0x02, 0x73, 0x02, 0x70, 0xd0, 0x73, 0x41, 0, 0x0d, 0, 0x41, 0, 0x0d, 0,
                      0x0b, 0x1a, 0xd0, 0x73, 0x0b, 0x1a, 0x0b));
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID,
                   BODY(0, 0x02, 0x73, 0x02, 0x70, 0xd0, 0x73, 0x41, 0, 0x0d, 0, 0x41, 0, 0x0d, 1,
                        0x0b, 0x0b, 0x1a, 0x0b),
                   "type mismatch");
    /* a block's end leaves its declared result type, not the subtype inside */
    expect_invalid(FUNC_VOID, sizeof FUNC_VOID,
                   BODY(0, 0x02, 0x73, 0x02, 0x70, 0xd0, 0x73, 0x0b, 0x0b, 0x1a, 0x0b),
                   "type mismatch");
    expect_valid(FUNC_VOID, sizeof FUNC_VOID,
                 BODY(0, 0x02, 0x70, 0x02, 0x73, 0xd0, 0x73, 0x0b, 0x0b, 0x1a, 0x0b));
    /* missing and extra values at a block's end */
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x02, 0x7f, 0x0b, 0x0b),
                   "type mismatch: instruction requires [i32] but stack has []");
    expect_invalid(FUNC_I32, sizeof FUNC_I32, BODY(0, 0x02, 0x7f, 0x41, 1, 0x41, 2, 0x0b, 0x0b),
                   "type mismatch: block requires [i32] but stack has [i32]");
}

static void test_recorded_facts(void) {
    Diag diag;
    Module *mod = NULL;
    /* block (if (else) end) end */
    Err err = body_check(FUNC_VOID, sizeof FUNC_VOID,
                         BODY(0, 0x02, 0x40, 0x41, 1, 0x04, 0x40, 0x05, 0x0b, 0x0b, 0x0b), &diag,
                         &mod);
    CHECK(err == OK);
    if (mod) {
        const Code *code = &mod->funcs[0].code;
        CHECK_EQ_U64(code->n_instrs, 7);
        CHECK_EQ_U64(code->instrs[0].imm.block.end, 5); /* block -> its end */
        CHECK_EQ_U64(code->instrs[2].imm.block.end, 3); /* if -> else */
        CHECK_EQ_U64(code->instrs[3].imm.index, 4); /* else -> end */
        CHECK_EQ_U64(code->max_stack, 1);
        CHECK_EQ_U64(code->max_depth, 3);
    }
    ir_module_delete(mod);
}

static void test_alloc_failure(void) {
    Bytes o;
    header(&o);
    section(&o, 1, BODY(2, 0x60, 0, 1, 0x7f, 0x4e, 2, 0x5f, 1, 0x63, 2, 0, 0x5e, 0x7f, 1));
    section(&o, 3, (const uint8_t[]){1, 0}, 2);
    section(&o, 7, BODY(1, 1, 'f', 0, 0));
    section(&o, 10, BODY(1, 10, 1, 1, 0x63, 0x6e, 0x02, 0x7f, 0x41, 7, 0x0b, 0x0b));
    Module *mod = decode(&o);
    CHECK(mod != NULL);
    if (!mod)
        return;
    Diag diag;
    Err err = ERR_NOMEM;
    int64_t n;
    for (n = 0; n < 1000 && err != OK; n++) {
        TypeRegistry *reg = mod_registry_new();
        if (!reg)
            break;
        mem_fail_after(n);
        err = valid_module(mod, reg, &diag);
        mem_fail_after(-1);
        CHECK(err == OK || err == ERR_NOMEM);
        mod_registry_delete(reg);
    }
    CHECK(err == OK);
    CHECK(n > 1);
    ir_module_delete(mod);
}

/* Threads validating equivalent groups into one registry agree on the ids. */
typedef struct ThreadArg {
    TypeRegistry *reg;
    uint32_t canon[4];
    int ok;
} ThreadArg;

static void *validate_in_thread(void *p) {
    ThreadArg *arg = p;
    arg->ok = 1;
    for (int round = 0; round < 50; round++) {
        Module *m = types_module(BODY(2, 0x4e, 2, 0x50, 0, 0x5f, 1, 0x63, 1, 0, 0x50, 0, 0x5f, 1, 0x63,
                                      0, 0, 0x50, 1, 0, 0x5f, 2, 0x63, 1, 0, 0x7f, 0));
        Diag diag;
        if (!m || valid_module(m, arg->reg, &diag) != OK) {
            arg->ok = 0;
            ir_module_delete(m);
            return NULL;
        }
        for (int i = 0; i < 3; i++) {
            if (round > 0 && arg->canon[i] != m->types[i].canon)
                arg->ok = 0;
            arg->canon[i] = m->types[i].canon;
        }
        ir_module_delete(m);
    }
    return NULL;
}

static void test_registry_threads(void) {
    TypeRegistry *reg = mod_registry_new();
    ThreadArg args[4];
    pthread_t threads[4];
    memset(args, 0, sizeof args);
    for (int i = 0; i < 4; i++) {
        args[i].reg = reg;
        CHECK(pthread_create(&threads[i], NULL, validate_in_thread, &args[i]) == 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 4; i++) {
        CHECK(args[i].ok);
        CHECK(memcmp(args[i].canon, args[0].canon, sizeof args[0].canon) == 0);
    }
    CHECK(mod_registry_count(reg) == 3);
    CHECK(mod_registry_is_subtype(reg, args[0].canon[2], args[0].canon[0]));
    mod_registry_delete(reg);
}

TEST_MAIN("valid", TEST_CASE(test_registry_threads), TEST_CASE(test_canon_across_modules),
          TEST_CASE(test_subtyping), TEST_CASE(test_bodies), TEST_CASE(test_fast_path_fallbacks),
          TEST_CASE(test_recorded_facts), TEST_CASE(test_alloc_failure))
