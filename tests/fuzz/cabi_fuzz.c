/* Fuzz target: canonical ABI round trips. The input picks a random component
 * value type and a random value of it; the value is lowered into a core
 * instance's memory (store, then flat when it fits) and lifted back in each
 * string encoding, in host and adapter modes, and must come back equal.
 * Traps are allowed only when memory runs out; never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "component/cabi.h"
#include "interp/interp.h"
#include "syntax/syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char core_wat[] =
    "(module (memory (export \"mem\") 4)\n"
    "  (global $bump (mut i32) (i32.const 16))\n"
    "  (func (export \"reset\") (global.set $bump (i32.const 16)))\n"
    "  (func (export \"realloc\") (param $old i32) (param $osz i32) (param $al i32)\n"
    "        (param $new i32) (result i32) (local $p i32)\n"
    "    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $al)\n"
    "      (i32.const 1))) (i32.sub (i32.const 0) (local.get $al))))\n"
    "    (if (i32.gt_u (i32.add (local.get $p) (local.get $new)) (i32.const 262144))\n"
    "      (then (return (i32.const -8))))\n"
    "    (global.set $bump (i32.add (local.get $p) (local.get $new)))\n"
    "    (memory.copy (local.get $p) (local.get $old) (select (local.get $osz)\n"
    "      (local.get $new) (i32.lt_u (local.get $osz) (local.get $new))))\n"
    "    (local.get $p)))\n";

static struct {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
    RtMemory *mem;
    FuncRef *realloc, *reset;
} fz;

static int setup(void) {
    if (fz.inst)
        return 1;
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    Diag diag;
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    int ok = rt_engine_new(&cfg, &fz.engine, &diag) == OK &&
             wat_parse_module(core_wat, sizeof core_wat - 1, "f.wat", &bytes, &diag) == OK &&
             rt_module_new(fz.engine, bytes.data, bytes.len, &fz.module, &diag) == OK &&
             rt_store_new(fz.engine, &fz.store, &diag) == OK &&
             rt_instantiate(fz.store, fz.module, NULL, 0, &fz.inst, &trap, &diag) == OK;
    buf_fini(&bytes);
    rt_trap_delete(trap);
    if (!ok)
        __builtin_trap();
    Extern e;
    rt_instance_export(fz.inst, "mem", 3, &e);
    fz.mem = e.memory;
    rt_instance_export(fz.inst, "realloc", 7, &e);
    fz.realloc = e.func;
    rt_instance_export(fz.inst, "reset", 5, &e);
    fz.reset = e.func;
    return 1;
}

/* ---- Random types and values from the input ------------------------------------------------ */

typedef struct Gen {
    const uint8_t *p;
    size_t n, i;
    Arena *arena;
    uint32_t budget; /* bounds the value's size */
} Gen;

static uint32_t byte(Gen *g) {
    return g->i < g->n ? g->p[g->i++] : 0;
}

static uint64_t u64(Gen *g) {
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | byte(g);
    return v;
}

static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
                                    "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x",
                                    "y", "z", "aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh", "ii",
                                    "jj", "kk", "ll", "mm", "nn"};

static const CompValType *gen_type(Gen *g, int depth) {
    uint32_t k = byte(g) % (depth >= 4 ? 13 : 22);
    if (k < 13)
        return comp_prim((CompValKind)k); /* bool .. string */
    uint32_t n = 1 + byte(g) % 5;
    switch (k) {
    case 13: return comp_type_list(g->arena, gen_type(g, depth + 1));
    case 14: return comp_type_option(g->arena, gen_type(g, depth + 1));
    case 15: {
        const CompValType *ok = byte(g) & 1 ? gen_type(g, depth + 1) : NULL;
        const CompValType *err = byte(g) & 1 ? gen_type(g, depth + 1) : NULL;
        return comp_type_result(g->arena, ok, err);
    }
    case 16:
    case 17: {
        CompField *fs = arena_calloc(g->arena, n, sizeof *fs);
        const CompValType **ts = arena_calloc(g->arena, n, sizeof *ts);
        for (uint32_t i = 0; i < n; i++) {
            fs[i] = (CompField){names[i], gen_type(g, depth + 1)};
            ts[i] = fs[i].type;
        }
        return k == 16 ? comp_type_record(g->arena, fs, n)
                       : comp_type_tuple(g->arena, (const CompValType *const *)ts, n);
    }
    case 18: {
        CompCase *cs = arena_calloc(g->arena, n, sizeof *cs);
        for (uint32_t i = 0; i < n; i++)
            cs[i] = (CompCase){names[i], byte(g) & 1 ? gen_type(g, depth + 1) : NULL, COMP_NONE};
        return comp_type_variant(g->arena, cs, n);
    }
    case 19: return comp_type_enum(g->arena, names, n);
    case 20: return comp_type_flags(g->arena, names, 1 + byte(g) % 40);
    default: {
        uint32_t len = 1 + byte(g) % 4;
        return comp_type_fixed_list(g->arena, gen_type(g, depth + 1), len);
    }
    }
}

static const uint32_t chars[] = {'a', 0, 0x7f, 0xe9, 0xff, 0x100, 0x7ff, 0x800, 0xd7ff,
                                 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff};

static void gen_string(Gen *g, CompValue *out) {
    uint32_t n = byte(g) % 12, len = 0;
    uint8_t *buf = arena_alloc(g->arena, 4 * n + 1);
    for (uint32_t i = 0; i < n; i++)
        len += (uint32_t)utf8_encode(chars[byte(g) % 15], buf + len);
    *out = (CompValue){.kind = CVT_STRING, .str = {buf, len, COMP_STR_UTF8}};
}

static void gen_value(Gen *g, const CompValType *t, CompValue *out);

static void gen_items(Gen *g, const CompValType *t, uint32_t n, CompValue *out) {
    out->kind = t->kind;
    out->n = n;
    out->items = n ? arena_calloc(g->arena, n, sizeof *out->items) : NULL;
    for (uint32_t i = 0; i < n; i++)
        gen_value(g, t->kind == CVT_LIST || t->kind == CVT_FIXED_LIST ? t->elem
                                                                         : comp_field_type(t, i),
                  &out->items[i]);
}

static void gen_value(Gen *g, const CompValType *t, CompValue *out) {
    memset(out, 0, sizeof *out);
    out->kind = t->kind;
    g->budget = g->budget > 1 ? g->budget - 1 : 0;
    switch (t->kind) {
    case CVT_BOOL: out->b = byte(g) & 1; return;
    case CVT_S8: out->s = (int8_t)byte(g); return;
    case CVT_U8: out->u = (uint8_t)byte(g); return;
    case CVT_S16: out->s = (int16_t)u64(g); return;
    case CVT_U16: out->u = (uint16_t)u64(g); return;
    case CVT_S32: out->s = (int32_t)u64(g); return;
    case CVT_U32: out->u = (uint32_t)u64(g); return;
    case CVT_S64: out->s = (int64_t)u64(g); return;
    case CVT_U64: out->u = u64(g); return;
    case CVT_F32: {
        uint32_t bits = (uint32_t)u64(g);
        memcpy(&out->f32, &bits, 4);
        return;
    }
    case CVT_F64: {
        uint64_t bits = u64(g);
        memcpy(&out->f64, &bits, 8);
        return;
    }
    case CVT_CHAR: out->ch = chars[byte(g) % 15]; return;
    case CVT_STRING: gen_string(g, out); return;
    case CVT_LIST: gen_items(g, t, g->budget ? byte(g) % 6 : 0, out); return;
    case CVT_FIXED_LIST:
    case CVT_RECORD:
    case CVT_TUPLE: gen_items(g, t, t->n, out); return;
    case CVT_FLAGS:
        out->n = t->n;
        out->flags = arena_calloc(g->arena, 2, sizeof *out->flags);
        out->flags[0] = (uint32_t)u64(g);
        out->flags[1] = (uint32_t)u64(g);
        if (t->n % 32)
            out->flags[(t->n - 1) / 32] &= (UINT32_C(1) << (t->n % 32)) - 1;
        if (t->n <= 32)
            out->flags[1] = 0;
        return;
    default: {
        uint32_t i = byte(g) % comp_case_count(t);
        const CompValType *ct = comp_case_type(t, i);
        out->var.index = i;
        if (ct) {
            out->var.payload = arena_calloc(g->arena, 1, sizeof *out->var.payload);
            gen_value(g, ct, out->var.payload);
        }
        return;
    }
    }
}

/* ---- Round trip ---------------------------------------------------------------------------- */

static void check_trap(CabiCx *cx, Err err) {
    if (err == OK)
        return;
    /* only running out of memory is acceptable */
    if (err != ERR_TRAP || !cx->trap ||
        (strstr(rt_trap_text(cx->trap), "beyond end of memory") == NULL &&
         strstr(rt_trap_text(cx->trap), "out-of-bounds") == NULL))
        __builtin_trap();
}

static void roundtrip(const CompValue *v, const CompValType *t, uint8_t enc, bool adapter,
                      Arena *arena) {
    ValRaw one[1] = {{0}};
    Trap *trap = NULL;
    if (rt_call(fz.store, fz.reset, one, 1, &trap) != OK)
        __builtin_trap();
    CabiOpts opts = {.memory = fz.mem, .realloc = fz.realloc, .string_encoding = enc};
    CompRtInstance inst = {.may_leave = true, .may_enter = true};
    Diag diag;
    CabiCx cx = {.store = fz.store, .opts = &opts, .inst = &inst, .arena = arena,
                 .adapter = adapter, .keep_encoding = adapter, .diag = &diag};
    uint32_t ptr = 0;
    Err err = cabi_alloc(&cx, t->abi.align, t->abi.size, CF_REALLOC_BOUNDS, &ptr);
    if (err == OK)
        err = cabi_store(&cx, v, t, ptr);
    CompValue back;
    if (err == OK) {
        err = cabi_load(&cx, ptr, t, &back);
        if (err != OK || !comp_value_equal(v, &back))
            __builtin_trap();
    }
    check_trap(&cx, err);
    if (err == OK && t->abi.n_flat <= COMP_MAX_FLAT_PARAMS) {
        ValRaw flat[COMP_MAX_FLAT_PARAMS];
        uint32_t pos = 0, pos2 = 0;
        err = cabi_lower_flat(&cx, v, t, flat, &pos);
        if (err == OK && (cabi_lift_flat(&cx, flat, &pos2, t, &back) != OK || pos != pos2 ||
                          !comp_value_equal(v, &back)))
            __builtin_trap();
        check_trap(&cx, err);
    }
    rt_trap_delete(cx.trap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    Arena arena;
    arena_init(&arena);
    Gen gen = {data, size, 0, &arena, 64};
    const CompValType *t = gen_type(&gen, 0);
    CompValue v;
    gen_value(&gen, t, &v);
    for (uint8_t enc = COMP_STR_UTF8; enc <= COMP_STR_LATIN1_UTF16; enc++)
        for (int adapter = 0; adapter < 2; adapter++)
            roundtrip(&v, t, enc, adapter, &arena);
    arena_fini(&arena);
    return 0;
}
