/* wasmc.h: configuration, errors, fuel and epochs, wasm stack limits,
 * modules with errors, WAT to binary, serialization, wasmc_func_call's three
 * outcomes, the linker and WASI configuration; the perf map profiler. */
#include <unistd.h>

#include "capi_util.h"

static wasm_engine_t *engine_with(void (*configure)(wasm_config_t *)) {
    wasm_config_t *config = wasm_config_new();
    configure(config);
    return wasm_engine_new_with_config(config);
}

static void errors_and_version(void) {
    CHECK(!strcmp(wasmc_version(), "0.1.0"));
    wasm_byte_vec_t out;
    wasmc_error_t *e = wasmc_wat2wasm("(module (func (result i32)", 26, &out);
    CHECK(e && wasmc_error_code(e) == WASMC_ERROR_MALFORMED);
    wasm_name_t m;
    wasmc_error_message(e, &m);
    CHECK(m.size > 1 && m.data[m.size - 1] == '\0' && strchr(m.data, ':'));
    wasm_name_delete(&m);
    wasmc_error_delete(e);
    CHECK(out.size == 0);
    wasmc_error_delete(NULL);
    CHECK(wasmc_error_code(NULL) == WASMC_ERROR_USAGE);
    CHECK(error_says(wasmc_wat2wasm(NULL, 3, &out), "NULL"));
    CHECK(wasmc_wat2wasm("(module)", 8, &out) == NULL && out.size == 8);
    wasm_byte_vec_delete(&out);
}

static void config_tiers(void) {
    wasm_config_t *c = wasm_config_new();
    CHECK(wasmc_config_tier_set(c, WASMC_TIER_INTERP) == NULL);
    wasmc_error_t *e = wasmc_config_tier_set(c, WASMC_TIER_JIT);
    /* the JIT runs on x86-64 with SSE4.1 and POPCNT; elsewhere it is refused */
    CHECK(!e || wasmc_error_code(e) == WASMC_ERROR_UNSUPPORTED);
    wasmc_error_delete(e);
    CHECK(wasmc_config_tier_set(c, WASMC_TIER_INTERP) == NULL);
    CHECK(error_says(wasmc_config_tier_set(c, 9), "unknown tier"));
    CHECK(error_says(wasmc_config_tier_set(NULL, WASMC_TIER_INTERP), "NULL"));
    /* Memories mapped exactly, with a large guard setting ignored then. */
    wasmc_config_memory_reservation_set(c, false);
    wasmc_config_memory_guard_size_set(c, 1);
    wasmc_config_max_wasm_stack_set(c, 0);
    wasmc_config_compile_threads_set(c, 1);
    wasm_engine_t *engine = wasm_engine_new_with_config(c);
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store,
        "(module (memory (export \"m\") 1)\n"
        "  (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0))))");
    wasm_extern_t *load = export_at(inst, 1);
    wasm_val_t a[1] = {WASM_I32_VAL(65534)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
    CHECK(trap_says(wasm_func_call(wasm_extern_as_func(load), &av, &rv), "out of bounds memory"));
    wasm_extern_delete(load);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    /* Setters ignore NULL. */
    wasmc_config_memory_reservation_set(NULL, true);
    wasmc_config_memory_guard_size_set(NULL, 0);
    wasmc_config_consume_fuel_set(NULL, true);
    wasmc_config_epoch_interruption_set(NULL, true);
    wasmc_config_max_wasm_stack_set(NULL, 1);
    wasmc_config_compile_threads_set(NULL, 2);
}

static const char *spin =
    "(module (func (export \"spin\") (loop (br 0))))";

static void enable_fuel(wasm_config_t *c) {
    wasmc_config_consume_fuel_set(c, true);
}

static void fuel(void) {
    wasm_engine_t *engine = engine_with(enable_fuel);
    wasm_store_t *store = wasm_store_new(engine);
    uint64_t left = 99;
    CHECK(wasmc_store_get_fuel(store, &left) == NULL && left == 0);
    CHECK(wasmc_store_set_fuel(store, 10000) == NULL);
    wasm_instance_t *inst = wat_instance(store, spin);
    wasm_extern_t *f = export_at(inst, 0);
    wasm_trap_t *trap = NULL;
    CHECK(wasmc_func_call(wasm_extern_as_func(f), NULL, 0, NULL, 0, &trap) == NULL);
    wasmc_trap_code_t code;
    CHECK(trap && wasmc_trap_code(trap, &code) && code == WASMC_TRAP_OUT_OF_FUEL);
    CHECK(trap_says(trap, "fuel"));
    CHECK(wasmc_store_get_fuel(store, &left) == NULL && left == 0);
    CHECK(error_says(wasmc_store_get_fuel(NULL, &left), "NULL"));
    CHECK(error_says(wasmc_store_set_fuel(NULL, 1), "NULL"));
    wasm_extern_delete(f);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);

    /* Without consume_fuel, fuel calls are errors. */
    engine = wasm_engine_new();
    store = wasm_store_new(engine);
    CHECK(error_says(wasmc_store_set_fuel(store, 5), "not enabled"));
    CHECK(error_says(wasmc_store_get_fuel(store, &left), "not enabled"));
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

static void enable_epochs(wasm_config_t *c) {
    wasmc_config_epoch_interruption_set(c, true);
}

static void epochs(void) {
    wasm_engine_t *engine = engine_with(enable_epochs);
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store, spin);
    wasm_extern_t *f = export_at(inst, 0);
    wasmc_store_set_epoch_deadline(store, 1);
    wasmc_engine_increment_epoch(engine); /* already past the deadline */
    wasm_trap_t *trap = NULL;
    CHECK(wasmc_func_call(wasm_extern_as_func(f), NULL, 0, NULL, 0, &trap) == NULL);
    wasmc_trap_code_t code;
    CHECK(trap && wasmc_trap_code(trap, &code) && code == WASMC_TRAP_INTERRUPT);
    wasm_trap_delete(trap);
    wasmc_store_set_epoch_deadline(NULL, 1);
    wasmc_engine_increment_epoch(NULL);
    wasm_extern_delete(f);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

/* A bounded GC heap: a 1 MiB array fails under a 64 KiB bound, and succeeds
 * once the bound is lifted. */
static void gc_heap_limit(void) {
    static const char alloc[] = "(module (type $b (array (mut i8)))"
                                "  (func (export \"alloc\") (param i32)"
                                "    (drop (array.new_default $b (local.get 0)))))";
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store, alloc);
    wasm_extern_t *f = export_at(inst, 0);
    wasm_val_t arg = WASM_I32_VAL(1 << 20);
    wasmc_store_set_gc_heap_limit(store, 64 * 1024);
    wasm_trap_t *trap = NULL;
    CHECK(wasmc_func_call(wasm_extern_as_func(f), &arg, 1, NULL, 0, &trap) == NULL);
    wasmc_trap_code_t code;
    CHECK(trap && wasmc_trap_code(trap, &code) && code == WASMC_TRAP_ALLOCATION_TOO_LARGE);
    wasm_trap_delete(trap);
    trap = NULL;
    wasmc_store_set_gc_heap_limit(store, 0);
    CHECK(wasmc_func_call(wasm_extern_as_func(f), &arg, 1, NULL, 0, &trap) == NULL && !trap);
    wasmc_store_set_gc_heap_limit(NULL, 1);
    wasm_extern_delete(f);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

static void enable_perfmap(wasm_config_t *c) {
    wasmc_config_profiler_set(c, WASMC_PROFILER_PERFMAP);
}

/* Lines of /tmp/perf-PID.map naming `suffix` (" wasm[1]:walk"), each with a
 * non-zero size; -1 when there is no map. */
static int perfmap_lines(const char *suffix) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long start = 0, size = 0;
        char name[128];
        if (sscanf(line, "%lx %lx %127s", &start, &size, name) == 3 && start && size &&
            strstr(line, suffix) && line[strlen(line) - 1] == '\n')
            n++;
    }
    fclose(f);
    return n;
}

/* The JIT appends each compiled function to perf's map; without the setting
 * (or on the interpreter) nothing is written. */
static void profiler(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    unlink(path);
    const char *wat = "(module (func $walk (export \"walk\") (param i32) (result i32)\n"
                      "  (call $leaf (local.get 0))) (func $leaf (param i32) (result i32)\n"
                      "  (local.get 0)) (func (export \"anon\")))";
    wasm_config_t *probe = wasm_config_new();
    wasmc_error_t *e = wasmc_config_tier_set(probe, WASMC_TIER_JIT);
    wasm_config_delete(probe);
    bool jit = e == NULL;
    wasmc_error_delete(e);
    wasm_engine_t *engine = engine_with(enable_perfmap);
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store, wat);
    CHECK(inst != NULL);
    if (jit) {
        CHECK(perfmap_lines(" wasm[0]:walk") == 1);
        CHECK(perfmap_lines(" wasm[1]:leaf") == 1);
        CHECK(perfmap_lines(" wasm[2]\n") == 1);
        CHECK(perfmap_lines(" wasm[") == 3);
    }
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    unlink(path);
    engine = wasm_engine_new();
    store = wasm_store_new(engine);
    inst = wat_instance(store, wat);
    CHECK(inst && perfmap_lines(" wasm[") == -1);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    wasmc_config_profiler_set(NULL, WASMC_PROFILER_PERFMAP);
}

static void small_stack(wasm_config_t *c) {
    wasmc_config_max_wasm_stack_set(c, 64 * 1024);
}

static void stack_limit(void) {
    wasm_engine_t *engine = engine_with(small_stack);
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store,
        "(module (func $f (export \"f\") (param i32) (result i32)\n"
        "  (i32.add (call $f (local.get 0)) (i32.const 1))))");
    wasm_extern_t *f = export_at(inst, 0);
    wasm_val_t a[1] = {WASM_I32_VAL(1)}, r[1] = {WASM_INIT_VAL};
    wasm_trap_t *trap = NULL;
    CHECK(wasmc_func_call(wasm_extern_as_func(f), a, 1, r, 1, &trap) == NULL);
    wasmc_trap_code_t code;
    CHECK(trap && wasmc_trap_code(trap, &code) && code == WASMC_TRAP_STACK_OVERFLOW);
    wasm_trap_delete(trap);
    wasm_extern_delete(f);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

/* f32.add of a quiet NaN with payload and sign and 1.0, on a fresh engine
 * (tier jit or interp, NaN canonicalization on or off): the result's bits. */
static uint32_t nan_add_bits(bool jit, bool canon) {
    wasm_config_t *c = wasm_config_new();
    if (jit)
        CHECK(wasmc_config_tier_set(c, WASMC_TIER_JIT) == NULL);
    wasmc_config_nan_canonicalization_set(c, canon);
    wasm_engine_t *engine = wasm_engine_new_with_config(c);
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store,
        "(module (func (export \"add\") (param f32 f32) (result f32)\n"
        "  (f32.add (local.get 0) (local.get 1))))");
    wasm_extern_t *f = export_at(inst, 0);
    uint32_t bits = 0xffc01234u;
    float nan;
    memcpy(&nan, &bits, sizeof nan);
    wasm_val_t a[2] = {WASM_F32_VAL(nan), WASM_F32_VAL(1.0f)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(wasm_extern_as_func(f), &av, &rv) == NULL);
    memcpy(&bits, &r[0].of.f32, sizeof bits);
    wasm_extern_delete(f);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    return bits;
}

static void nan_canonicalization(void) {
    wasm_config_t *c = wasm_config_new();
    wasmc_error_t *e = wasmc_config_tier_set(c, WASMC_TIER_JIT);
    bool have_jit = e == NULL;
    wasmc_error_delete(e);
    wasm_config_delete(c);
    for (int jit = 0; jit <= (int)have_jit; jit++) {
        /* off (the default): x86 and C keep the operand NaN's sign and payload */
        CHECK(nan_add_bits(jit, false) == 0xffc01234u);
        CHECK(nan_add_bits(jit, true) == 0x7fc00000u);
    }
    wasmc_config_nan_canonicalization_set(NULL, true);
}

static void modules(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_module_t *m = NULL;
    /* i32.add on an empty stack: invalid, with the offset. */
    static const char invalid[] = "\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\n\5\1\3\0\x6a\x0b";
    wasmc_error_t *e = wasmc_module_new(engine, (const uint8_t *)invalid, sizeof invalid - 1, &m);
    CHECK(e && wasmc_error_code(e) == WASMC_ERROR_INVALID && m == NULL);
    CHECK(error_says(e, "type mismatch"));
    e = wasmc_module_validate(engine, (const uint8_t *)invalid, sizeof invalid - 1);
    CHECK(error_says(e, "offset 0x"));
    CHECK(error_says(wasmc_module_validate(engine, (const uint8_t *)"\0asm\2\0\0\0", 8),
                     "unknown binary version"));
    CHECK(wasmc_module_validate(engine, (const uint8_t *)"\0asm\1\0\0\0", 8) == NULL);
    CHECK(error_says(wasmc_module_new(NULL, NULL, 0, &m), "NULL"));
    CHECK(error_says(wasmc_module_validate(NULL, NULL, 0), "NULL"));
    CHECK(wasmc_module_new(engine, (const uint8_t *)"\0asm\1\0\0\0", 8, &m) == NULL && m);

    wasm_byte_vec_t bytes;
    CHECK(wasmc_module_serialize(m, &bytes) == NULL && bytes.size == 40);
    wasm_module_t *back = NULL;
    CHECK(wasmc_module_deserialize(engine, (const uint8_t *)bytes.data, bytes.size, &back) == NULL);
    CHECK(back != NULL);
    wasm_module_delete(back);
    bytes.data[8] = 9; /* format version */
    CHECK(error_says(wasmc_module_deserialize(engine, (const uint8_t *)bytes.data, bytes.size, &back),
                     "format version"));
    CHECK(error_says(wasmc_module_deserialize(engine, (const uint8_t *)"nope", 4, &back),
                     "not a serialized"));
    CHECK(error_says(wasmc_module_deserialize(NULL, NULL, 0, &back), "NULL"));
    CHECK(error_says(wasmc_module_serialize(NULL, &bytes), "NULL"));
    wasm_byte_vec_delete(&bytes);
    wasm_module_delete(m);
    wasm_engine_delete(engine);
}

static wasm_trap_t *three(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
    (void)args;
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = 3;
    return NULL;
}

static void func_call_outcomes(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_instance_t *inst = wat_instance(store,
        "(module (func (export \"div\") (param i32 i32) (result i32)\n"
        "  (i32.div_u (local.get 0) (local.get 1))))");
    wasm_extern_t *div = export_at(inst, 0);
    wasm_func_t *f = wasm_extern_as_func(div);
    wasm_val_t a[2] = {WASM_I32_VAL(7), WASM_I32_VAL(2)}, r[1] = {WASM_INIT_VAL};
    wasm_trap_t *trap = (wasm_trap_t *)&trap;
    CHECK(wasmc_func_call(f, a, 2, r, 1, &trap) == NULL && trap == NULL && r[0].of.i32 == 3);
    a[1].of.i32 = 0;
    CHECK(wasmc_func_call(f, a, 2, r, 1, &trap) == NULL);
    CHECK(trap_says(trap, "integer divide by zero"));
    wasmc_error_t *e = wasmc_func_call(f, a, 1, r, 1, &trap);
    CHECK(e && wasmc_error_code(e) == WASMC_ERROR_USAGE && trap == NULL);
    CHECK(error_says(e, "expected 2, got 1"));
    a[0].kind = WASM_I64;
    CHECK(error_says(wasmc_func_call(f, a, 2, r, 1, &trap), "argument 0"));
    CHECK(error_says(wasmc_func_call(f, a, 2, r, 1, NULL), "NULL"));
    CHECK(error_says(wasmc_func_call(NULL, a, 2, r, 1, &trap), "NULL"));

    /* A host function called directly. */
    wasm_functype_t *t = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_func_t *h = wasm_func_new(store, t, three);
    CHECK(wasmc_func_call(h, NULL, 0, r, 1, &trap) == NULL && trap == NULL && r[0].of.i32 == 3);
    wasm_functype_delete(t);
    wasm_func_delete(h);
    wasm_extern_delete(div);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

static void linker(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasmc_linker_t *l = wasmc_linker_new(store);
    CHECK(l && wasmc_linker_new(NULL) == NULL);
    wasm_module_t *lib = wat_module(store,
        "(module (func (export \"seven\") (result i32) (i32.const 7)))");
    wasm_module_t *app = wat_module(store,
        "(module (import \"lib\" \"seven\" (func $s (result i32)))\n"
        "  (import \"host\" \"g\" (global i32))\n"
        "  (func (export \"sum\") (result i32) (i32.add (call $s) (global.get 0))))");
    wasm_instance_t *lib_inst = NULL, *app_inst = NULL;
    wasm_trap_t *trap = NULL;
    CHECK(wasmc_linker_instantiate(l, lib, &lib_inst, &trap) == NULL && lib_inst && !trap);
    CHECK(wasmc_linker_define_instance(l, "lib", 3, lib_inst) == NULL);
    /* host::g is missing. */
    wasmc_error_t *e = wasmc_linker_instantiate(l, app, &app_inst, &trap);
    CHECK(e && wasmc_error_code(e) == WASMC_ERROR_LINK && !app_inst);
    CHECK(error_says(e, "unknown import"));
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_val_t v = WASM_I32_VAL(35);
    wasm_global_t *g = wasm_global_new(store, gt, &v);
    CHECK(wasmc_linker_define(l, "host", 4, "g", 1, wasm_global_as_extern(g)) == NULL);
    CHECK(wasmc_linker_instantiate(l, app, &app_inst, &trap) == NULL && app_inst);
    wasm_extern_t *sum = export_at(app_inst, 0);
    wasm_val_t r[1] = {WASM_INIT_VAL};
    CHECK(wasmc_func_call(wasm_extern_as_func(sum), NULL, 0, r, 1, &trap) == NULL);
    CHECK(r[0].of.i32 == 42);

    wasm_extern_t *got = NULL;
    CHECK(wasmc_linker_get(l, "lib", 3, "seven", 5, &got) && got);
    CHECK(wasm_extern_kind(got) == WASM_EXTERN_FUNC);
    wasm_extern_delete(got);
    CHECK(!wasmc_linker_get(l, "lib", 3, "eight", 5, &got));
    CHECK(!wasmc_linker_get(NULL, "lib", 3, "seven", 5, &got));

    /* A global where a function is expected: incompatible. */
    CHECK(wasmc_linker_define(l, "lib", 3, "seven", 5, wasm_global_as_extern(g)) == NULL);
    wasm_instance_t *bad = NULL;
    CHECK(error_says(wasmc_linker_instantiate(l, app, &bad, &trap), "incompatible import type"));

    /* Misuse. */
    wasm_store_t *other = wasm_store_new(engine);
    wasm_global_t *og = wasm_global_new(other, gt, &v);
    CHECK(error_says(wasmc_linker_define(l, "x", 1, "y", 1, wasm_global_as_extern(og)),
                     "linker's store"));
    CHECK(error_says(wasmc_linker_define(l, "x", 1, "y", 1, NULL), "linker's store"));
    CHECK(error_says(wasmc_linker_define(NULL, "x", 1, "y", 1, NULL), "NULL"));
    CHECK(error_says(wasmc_linker_define_instance(l, "x", 1, NULL), "not an instance"));
    CHECK(error_says(wasmc_linker_define_instance(NULL, "x", 1, lib_inst), "NULL"));
    CHECK(error_says(wasmc_linker_instantiate(l, NULL, &bad, &trap), "NULL"));

    /* A start trap through the linker: NULL error, trap set. */
    wasm_module_t *boom = wat_module(store, "(module (func $s unreachable) (start $s))");
    CHECK(wasmc_linker_instantiate(l, boom, &bad, &trap) == NULL && !bad);
    CHECK(trap_says(trap, "unreachable"));

    wasm_module_delete(boom);
    wasm_extern_delete(sum);
    wasm_global_delete(g);
    wasm_global_delete(og);
    wasm_globaltype_delete(gt);
    wasm_instance_delete(lib_inst);
    wasm_instance_delete(app_inst);
    wasm_module_delete(lib);
    wasm_module_delete(app);
    wasmc_linker_delete(l);
    wasmc_linker_delete(NULL);
    wasm_store_delete(other);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

/* A WASI program writing its argv[1] and $NAME to a pipe, then exiting 5. */
static const char *wasi_program =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"args_get\" (func $args_get (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"environ_get\" (func $env_get (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func $strlen (param i32) (result i32) (local i32)\n"
    "    (block $done (loop $next\n"
    "      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get 0) (local.get 1)))))\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br $next)))\n"
    "    (local.get 1))\n"
    "  (func $print (param i32)\n"
    "    (i32.store (i32.const 0) (local.get 0))\n"
    "    (i32.store (i32.const 4) (call $strlen (local.get 0)))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))\n"
    "  (func (export \"_start\")\n"
    "    (drop (call $args_get (i32.const 100) (i32.const 1000)))\n"
    "    (call $print (i32.load (i32.const 104)))\n"
    "    (drop (call $env_get (i32.const 200) (i32.const 2000)))\n"
    "    (call $print (i32.load (i32.const 200)))\n"
    "    (call $exit (i32.const 5))))";

static void wasi(void) {
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *m = wat_module(store, wasi_program);
    int fds[2];
    CHECK(pipe(fds) == 0);

    wasmc_wasi_config_t *c = wasmc_wasi_config_new();
    const char *argv[] = {"prog", "first-arg"};
    const char *names[] = {"NAME"}, *values[] = {"value"};
    CHECK(wasmc_wasi_config_set_argv(c, 2, argv));
    CHECK(!wasmc_wasi_config_set_argv(c, 1, NULL));
    wasmc_wasi_config_inherit_env(c);
    CHECK(wasmc_wasi_config_set_env(c, 1, names, values)); /* replaces inheriting */
    CHECK(!wasmc_wasi_config_set_env(NULL, 0, NULL, NULL));
    CHECK(wasmc_wasi_config_preopen_dir(c, ".", "/work", true));
    CHECK(!wasmc_wasi_config_preopen_dir(c, NULL, "/x", false));
    wasmc_wasi_config_inherit_stdio(c);
    wasmc_wasi_config_set_stdin_fd(c, -1);
    wasmc_wasi_config_set_stdout_fd(c, fds[1]);
    wasmc_wasi_config_set_stderr_fd(c, 2);

    wasmc_linker_t *l = wasmc_linker_new(store);
    CHECK(wasmc_linker_define_wasi(l, c) == NULL);
    close(fds[1]);
    wasm_instance_t *inst = NULL;
    wasm_trap_t *trap = NULL;
    CHECK(wasmc_linker_instantiate(l, m, &inst, &trap) == NULL && inst);
    wasm_extern_t *start = export_at(inst, 1);
    CHECK(wasmc_func_call(wasm_extern_as_func(start), NULL, 0, NULL, 0, &trap) == NULL);
    int status = -1;
    CHECK(trap && wasmc_trap_exit_status(trap, &status) && status == 5);
    wasm_trap_delete(trap);
    char buf[64] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    CHECK(n > 0 && !strcmp(buf, "first-argNAME=value"));
    close(fds[0]);

    /* A pre-open that does not exist fails at definition. */
    wasmc_wasi_config_t *bad = wasmc_wasi_config_new();
    CHECK(wasmc_wasi_config_preopen_dir(bad, "/no/such/dir/anywhere", "/x", false));
    wasmc_error_t *e = wasmc_linker_define_wasi(l, bad);
    CHECK(e && wasmc_error_code(e) == WASMC_ERROR_IO);
    wasmc_error_delete(e);
    CHECK(error_says(wasmc_linker_define_wasi(NULL, wasmc_wasi_config_new()), "NULL"));
    wasmc_wasi_config_delete(NULL);
    wasmc_wasi_config_set_stdin_fd(NULL, 0);
    wasmc_wasi_config_set_stdout_fd(NULL, 0);
    wasmc_wasi_config_set_stderr_fd(NULL, 0);
    wasmc_wasi_config_inherit_stdio(NULL);
    wasmc_wasi_config_inherit_env(NULL);

    wasm_extern_delete(start);
    wasm_instance_delete(inst);
    wasmc_linker_delete(l);
    wasm_module_delete(m);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
}

TEST_MAIN("capi_wasmc", TEST_CASE(errors_and_version), TEST_CASE(config_tiers), TEST_CASE(fuel),
          TEST_CASE(epochs), TEST_CASE(gc_heap_limit), TEST_CASE(stack_limit), TEST_CASE(nan_canonicalization), TEST_CASE(profiler),
          TEST_CASE(modules),
          TEST_CASE(func_call_outcomes), TEST_CASE(linker), TEST_CASE(wasi))
