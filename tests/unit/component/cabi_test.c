/* The canonical ABI against a real core instance (interpreter tier): layouts
 * from the spec's formulas, store/load and flat round trips of every value
 * type, string transcoding with the exact realloc sequence of the spec,
 * trap texts, handle tables, and a lifted call with post-return. Expected
 * values are worked out by hand from definitions.py. */
#include <math.h>

#include "component/cabi.h"
#include "interp/interp.h"
#include "syntax/syntax.h"
#include "test.h"

static const char core_wat[] =
    "(module\n"
    "  (memory (export \"mem\") 1)\n"
    "  (global $bump (mut i32) (i32.const 1024))\n"
    "  (global $log (mut i32) (i32.const 60000))\n"
    "  (global $post (mut i32) (i32.const 0))\n"
    "  (func (export \"realloc\") (param $old i32) (param $osz i32) (param $al i32)\n"
    "        (param $new i32) (result i32) (local $p i32)\n"
    "    (i32.store (global.get $log) (local.get $old))\n"
    "    (i32.store offset=4 (global.get $log) (local.get $osz))\n"
    "    (i32.store offset=8 (global.get $log) (local.get $al))\n"
    "    (i32.store offset=12 (global.get $log) (local.get $new))\n"
    "    (global.set $log (i32.add (global.get $log) (i32.const 16)))\n"
    "    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $al)\n"
    "      (i32.const 1))) (i32.sub (i32.const 0) (local.get $al))))\n"
    "    (global.set $bump (i32.add (local.get $p) (local.get $new)))\n"
    "    (memory.copy (local.get $p) (local.get $old) (select (local.get $osz)\n"
    "      (local.get $new) (i32.lt_u (local.get $osz) (local.get $new))))\n"
    "    (local.get $p))\n"
    "  (func (export \"add\") (param i32 i32) (result i32)\n"
    "    (i32.add (local.get 0) (local.get 1)))\n"
    "  (func (export \"ret-str\") (param i32 i32) (result i32)\n"
    "    (i32.store (i32.const 512) (local.get 0))\n"
    "    (i32.store (i32.const 516) (local.get 1)) (i32.const 512))\n"
    "  (func (export \"post\") (param i32)\n"
    "    (global.set $post (i32.add (global.get $post) (i32.const 1))))\n"
    "  (func (export \"post-count\") (result i32) (global.get $post))\n"
    "  (func (export \"reset\") (global.set $log (i32.const 60000)))\n"
    "  (func (export \"log-count\") (result i32)\n"
    "    (i32.shr_u (i32.sub (global.get $log) (i32.const 60000)) (i32.const 4)))\n"
    ")\n";

typedef struct Fx {
    Engine *engine;
    Store *store;
    RtModule *module;
    Instance *inst;
    RtMemory *mem;
    CompRtInstance cinst;
    CabiOpts opts;
    Arena arena;
    Diag diag;
} Fx;

static FuncRef *fn(Fx *fx, const char *name) {
    Extern e;
    return rt_instance_export(fx->inst, name, strlen(name), &e) ? e.func : NULL;
}

static bool fx_init(Fx *fx) {
    memset(fx, 0, sizeof *fx);
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &interp_tier;
    ByteBuf bytes;
    buf_init(&bytes);
    Trap *trap = NULL;
    bool ok = rt_engine_new(&cfg, &fx->engine, &fx->diag) == OK &&
              wat_parse_module(core_wat, sizeof core_wat - 1, "cabi.wat", &bytes, &fx->diag) ==
                  OK &&
              rt_module_new(fx->engine, bytes.data, bytes.len, &fx->module, &fx->diag) == OK &&
              rt_store_new(fx->engine, &fx->store, &fx->diag) == OK &&
              rt_instantiate(fx->store, fx->module, NULL, 0, &fx->inst, &trap, &fx->diag) == OK;
    buf_fini(&bytes);
    rt_trap_delete(trap);
    if (!ok) {
        fprintf(stderr, "setup: %s\n", fx->diag.msg);
        return false;
    }
    Extern e;
    rt_instance_export(fx->inst, "mem", 3, &e);
    fx->mem = e.memory;
    fx->cinst = (CompRtInstance){.may_leave = true, .may_enter = true};
    fx->opts = (CabiOpts){.memory = fx->mem, .realloc = fn(fx, "realloc")};
    arena_init(&fx->arena);
    return true;
}

static void fx_fini(Fx *fx) {
    cabi_table_fini(&fx->cinst.table);
    arena_fini(&fx->arena);
    rt_store_delete(fx->store);
    rt_module_release(fx->module);
    rt_engine_delete(fx->engine);
}

static CabiCx fx_cx(Fx *fx, const CabiOpts *opts) {
    return (CabiCx){.store = fx->store, .opts = opts, .inst = &fx->cinst, .arena = &fx->arena,
                    .diag = &fx->diag};
}

static uint32_t rd32(Fx *fx, uint32_t at) {
    uint32_t v;
    memcpy(&v, fx->mem->base + at, 4);
    return v;
}

static void reset_log(Fx *fx) {
    ValRaw v[1] = {{0}};
    Trap *trap = NULL;
    CHECK(rt_call(fx->store, fn(fx, "reset"), v, 1, &trap) == OK);
}

static uint32_t log_count(Fx *fx) {
    ValRaw v[1] = {{0}};
    Trap *trap = NULL;
    CHECK(rt_call(fx->store, fn(fx, "log-count"), v, 1, &trap) == OK);
    return (uint32_t)v[0].i32;
}

/* The i-th logged realloc call equals (old, old_size, align, new_size). */
static bool logged(Fx *fx, uint32_t i, uint32_t old, uint32_t osz, uint32_t al, uint32_t nsz) {
    uint32_t at = 60000 + 16 * i;
    bool ok = (old == UINT32_MAX || rd32(fx, at) == old) && rd32(fx, at + 4) == osz &&
              rd32(fx, at + 8) == al && rd32(fx, at + 12) == nsz;
    if (!ok)
        fprintf(stderr, "  realloc #%u: (%u, %u, %u, %u)\n", i, rd32(fx, at), rd32(fx, at + 4),
                rd32(fx, at + 8), rd32(fx, at + 12));
    return ok;
}

/* ---- Types ------------------------------------------------------------------------------ */

static void test_layouts(void) {
    Arena a;
    arena_init(&a);
    const CompValType *u8 = comp_prim(CVT_U8), *u32 = comp_prim(CVT_U32),
                      *u64 = comp_prim(CVT_U64), *f32 = comp_prim(CVT_F32),
                      *str = comp_prim(CVT_STRING);
    CHECK_EQ_U64(str->abi.size, 8);
    CHECK_EQ_U64(str->abi.n_flat, 2);
    /* record { a: u8, b: u64, c: u8 } : 1 + pad 7 + 8 + 1 -> 17, align 8 -> 24 */
    CompField rf[] = {{"a", u8}, {"b", u64}, {"c", u8}};
    CompValType *rec = comp_type_record(&a, rf, 3);
    CHECK_EQ_U64(rec->abi.size, 24);
    CHECK_EQ_U64(rec->abi.align, 8);
    CHECK_EQ_U64(rec->abi.n_flat, 3);
    CHECK_EQ_U64(comp_field_offset(rec, 2), 16);
    /* option<u64>: disc 1, payload at 8 -> 16 ; flat i32 i64 */
    CompValType *opt = comp_type_option(&a, u64);
    CHECK_EQ_U64(opt->abi.size, 16);
    CHECK_EQ_U64(comp_payload_offset(opt), 8);
    uint8_t flat[8];
    CHECK_EQ_U64(comp_flatten_type(opt, flat, 8), 2);
    CHECK(flat[0] == VK_I32 && flat[1] == VK_I64);
    /* result<f32, u32> joins f32/i32 to i32; variant {a(f32), b(u64)} joins to i64 */
    CompValType *res = comp_type_result(&a, f32, u32);
    CHECK_EQ_U64(comp_flatten_type(res, flat, 8), 2);
    CHECK(flat[1] == VK_I32);
    CompCase cs[] = {{"a", f32, COMP_NONE}, {"b", u64, COMP_NONE}, {"c", NULL, COMP_NONE}};
    CompValType *var = comp_type_variant(&a, cs, 3);
    CHECK_EQ_U64(comp_flatten_type(var, flat, 8), 2);
    CHECK(flat[1] == VK_I64);
    CHECK_EQ_U64(var->abi.size, 16);
    /* flags: 8 -> 1 byte, 9 -> 2 bytes, 33 -> 8 bytes / 2 flat i32 */
    const char *labels[40] = {0};
    for (int i = 0; i < 40; i++)
        labels[i] = "x";
    CHECK_EQ_U64(comp_type_flags(&a, labels, 8)->abi.size, 1);
    CHECK_EQ_U64(comp_type_flags(&a, labels, 9)->abi.size, 2);
    CHECK_EQ_U64(comp_type_flags(&a, labels, 33)->abi.size, 8);
    CHECK_EQ_U64(comp_type_flags(&a, labels, 33)->abi.n_flat, 2);
    /* an enum of 257 cases needs a u16 discriminant */
    CHECK_EQ_U64(comp_type_enum(&a, labels, 40)->abi.size, 1);
    CHECK_EQ_U64(comp_discriminant_size(257), 2);
    /* func(17 x u32) -> (u32, u32): lower takes (i32 argptr, i32 retptr) */
    CompField params[17], results[2] = {{NULL, u32}, {NULL, u32}};
    for (int i = 0; i < 17; i++)
        params[i] = (CompField){"p", u32};
    CompValType *pair_elems[2] = {(CompValType *)u32, (CompValType *)u32};
    CompFuncType ft = {params, 17, results, 1, false};
    results[0].type = comp_type_tuple(&a, (const CompValType *const *)pair_elems, 2);
    FuncType core;
    CHECK(comp_func_core_type(&ft, true, &a, &core, NULL) == OK);
    CHECK_EQ_U64(core.n_params, 2);
    CHECK_EQ_U64(core.n_results, 0);
    CHECK(comp_func_core_type(&ft, false, &a, &core, NULL) == OK);
    CHECK_EQ_U64(core.n_params, 1);
    CHECK_EQ_U64(core.n_results, 1);
    arena_fini(&a);
}

/* ---- Round trips -------------------------------------------------------------------------- */

static void roundtrip(Fx *fx, const CompValue *v, const CompValType *t) {
    CabiCx cx = fx_cx(fx, &fx->opts);
    uint32_t ptr = 0;
    CompValue back;
    CHECK(cabi_alloc(&cx, t->abi.align, t->abi.size, CF_REALLOC_BOUNDS, &ptr) == OK);
    CHECK(cabi_store(&cx, v, t, ptr) == OK);
    CHECK(cabi_load(&cx, ptr, t, &back) == OK);
    CHECK(comp_value_equal(v, &back));
    if (t->abi.n_flat <= COMP_MAX_FLAT_PARAMS) {
        ValRaw flat[COMP_MAX_FLAT_PARAMS];
        uint32_t pos = 0, pos2 = 0;
        CHECK(cabi_lower_flat(&cx, v, t, flat, &pos) == OK);
        CHECK_EQ_U64(pos, t->abi.n_flat);
        CHECK(cabi_lift_flat(&cx, flat, &pos2, t, &back) == OK);
        CHECK_EQ_U64(pos2, t->abi.n_flat);
        CHECK(comp_value_equal(v, &back));
    }
    if (cx.trap) {
        fprintf(stderr, "  trap: %s\n", rt_trap_text(cx.trap));
        rt_trap_delete(cx.trap);
    }
}

static void test_roundtrips(void) {
    Fx fx;
    if (!fx_init(&fx)) {
        CHECK(false);
        return;
    }
    Arena *a = &fx.arena;
    CompValue v, s;
    roundtrip(&fx, &(CompValue){.kind = CVT_S8, .s = -5}, comp_prim(CVT_S8));
    roundtrip(&fx, &(CompValue){.kind = CVT_U64, .u = UINT64_MAX}, comp_prim(CVT_U64));
    roundtrip(&fx, &(CompValue){.kind = CVT_S64, .s = INT64_MIN}, comp_prim(CVT_S64));
    roundtrip(&fx, &(CompValue){.kind = CVT_F64, .f64 = -2.5}, comp_prim(CVT_F64));
    roundtrip(&fx, &(CompValue){.kind = CVT_CHAR, .ch = 0x1F600}, comp_prim(CVT_CHAR));
    roundtrip(&fx, &(CompValue){.kind = CVT_BOOL, .b = true}, comp_prim(CVT_BOOL));
    CHECK(comp_val_string(a, "h\xc3\xa9llo \xf0\x9f\x98\x80", 11, &s, NULL) == OK);
    roundtrip(&fx, &s, comp_prim(CVT_STRING));
    /* list<record { name: string, v: option<f32> }> */
    CompField fields[] = {{"name", comp_prim(CVT_STRING)},
                          {"v", comp_type_option(a, comp_prim(CVT_F32))}};
    CompValType *rec = comp_type_record(a, fields, 2);
    CompValType *list = comp_type_list(a, rec);
    CHECK(comp_val_items(a, CVT_LIST, 3, &v, NULL) == OK);
    for (uint32_t i = 0; i < 3; i++) {
        CompValue f = {.kind = CVT_F32, .f32 = 1.5f * (float)i};
        CHECK(comp_val_items(a, CVT_RECORD, 2, &v.items[i], NULL) == OK);
        v.items[i].items[0] = s;
        CHECK(comp_val_case(a, CVT_OPTION, i & 1, (i & 1) ? &f : NULL, &v.items[i].items[1],
                            NULL) == OK);
    }
    roundtrip(&fx, &v, list);
    roundtrip(&fx, &v, list); /* again: memory has moved on */
    /* result<tuple<u8, s16>, string> both ways; flags with 40 labels */
    CompValType *elems[2] = {(CompValType *)comp_prim(CVT_U8), (CompValType *)comp_prim(CVT_S16)};
    CompValType *tup = comp_type_tuple(a, (const CompValType *const *)elems, 2);
    CompValType *res = comp_type_result(a, tup, comp_prim(CVT_STRING));
    CompValue t2;
    CHECK(comp_val_items(a, CVT_TUPLE, 2, &t2, NULL) == OK);
    t2.items[0] = (CompValue){.kind = CVT_U8, .u = 200};
    t2.items[1] = (CompValue){.kind = CVT_S16, .s = -300};
    CHECK(comp_val_case(a, CVT_RESULT, 0, &t2, &v, NULL) == OK);
    roundtrip(&fx, &v, res);
    CHECK(comp_val_case(a, CVT_RESULT, 1, &s, &v, NULL) == OK);
    roundtrip(&fx, &v, res);
    const char *labels[40];
    for (int i = 0; i < 40; i++)
        labels[i] = "f";
    CompValType *flags = comp_type_flags(a, labels, 40);
    CHECK(comp_val_flags(a, 40, &v, NULL) == OK);
    v.flags[0] = 0x80000001u;
    v.flags[1] = 0x81;
    roundtrip(&fx, &v, flags);
    fx_fini(&fx);
}

static void test_nan_canonical(void) {
    Fx fx;
    if (!fx_init(&fx)) {
        CHECK(false);
        return;
    }
    CabiCx cx = fx_cx(&fx, &fx.opts);
    uint32_t bits = 0x7fa00001u; /* a signalling NaN with payload */
    ValRaw flat[1] = {{0}};
    flat[0].f32 = bits;
    uint32_t pos = 0;
    CompValue v;
    CHECK(cabi_lift_flat(&cx, flat, &pos, comp_prim(CVT_F32), &v) == OK);
    memcpy(&bits, &v.f32, 4);
    CHECK_EQ_U64(bits, CABI_NAN32);
    fx_fini(&fx);
}

/* ---- Strings: the spec's realloc sequences ---------------------------------------------- */

static uint32_t lower_str(Fx *fx, uint8_t enc, const CompValue *s, uint32_t *units) {
    CabiOpts o = fx->opts;
    o.string_encoding = enc;
    CabiCx cx = fx_cx(fx, &o);
    uint32_t ptr = 0;
    reset_log(fx);
    CHECK(cabi_lower_string(&cx, s, &ptr, units) == OK);
    return ptr;
}

static void test_transcoding(void) {
    Fx fx;
    if (!fx_init(&fx)) {
        CHECK(false);
        return;
    }
    Arena *a = &fx.arena;
    CompValue ascii, latin, wide, back;
    uint32_t units, ptr;
    CHECK(comp_val_string(a, "hello", 5, &ascii, NULL) == OK);
    CHECK(comp_val_string(a, "h\xc3\xa9llo", 6, &latin, NULL) == OK);
    CHECK(comp_val_string(a, "h\xf0\x9f\x98\x80", 5, &wide, NULL) == OK);

    /* utf8 -> utf8: one exact allocation */
    lower_str(&fx, COMP_STR_UTF8, &latin, &units);
    CHECK_EQ_U64(units, 6);
    CHECK(logged(&fx, 0, 0, 0, 1, 6));
    /* utf8 -> utf16: worst case 2 * 6 = 12, shrink to 10 */
    ptr = lower_str(&fx, COMP_STR_UTF16, &latin, &units);
    CHECK_EQ_U64(units, 5);
    CHECK(logged(&fx, 0, 0, 0, 2, 12));
    CHECK(logged(&fx, 1, UINT32_MAX, 12, 2, 10));
    CHECK_EQ_U64(log_count(&fx), 2);
    /* utf8 -> latin1+utf16, all latin1: (0,0,2,6) then shrink to 5 */
    ptr = lower_str(&fx, COMP_STR_LATIN1_UTF16, &latin, &units);
    CHECK_EQ_U64(units, 5);
    CHECK(logged(&fx, 0, 0, 0, 2, 6));
    CHECK(logged(&fx, 1, UINT32_MAX, 6, 2, 5));
    CHECK(fx.mem->base[ptr + 1] == 0xe9);
    /* ascii exactly fits: no shrink */
    lower_str(&fx, COMP_STR_LATIN1_UTF16, &ascii, &units);
    CHECK_EQ_U64(units, 5);
    CHECK(logged(&fx, 0, 0, 0, 2, 5));
    CHECK_EQ_U64(log_count(&fx), 1);
    /* needs utf16: (0,0,2,5), inflate (p,5,2,10), shrink to 3 units = 6 bytes */
    ptr = lower_str(&fx, COMP_STR_LATIN1_UTF16, &wide, &units);
    CHECK_EQ_U64(units, 3 | COMP_UTF16_TAG);
    CHECK(logged(&fx, 0, 0, 0, 2, 5));
    CHECK(logged(&fx, 1, UINT32_MAX, 5, 2, 10));
    CHECK(logged(&fx, 2, UINT32_MAX, 10, 2, 6));
    CHECK(fx.mem->base[ptr] == 'h' && fx.mem->base[ptr + 1] == 0);

    /* lift each back (host mode gives UTF-8) */
    CabiOpts o = fx.opts;
    o.string_encoding = COMP_STR_LATIN1_UTF16;
    CabiCx cx = fx_cx(&fx, &o);
    CHECK(cabi_lift_string(&cx, ptr, units, &back) == OK);
    CHECK(comp_value_equal(&back, &wide));
    /* a latin1+utf16 source kept in its encoding, lowered to utf8: worst case 2x */
    cx.keep_encoding = true;
    ptr = lower_str(&fx, COMP_STR_LATIN1_UTF16, &latin, &units);
    CHECK(cabi_lift_string(&cx, ptr, units, &back) == OK);
    CHECK(back.str.encoding == COMP_STR_LATIN1_UTF16);
    ptr = lower_str(&fx, COMP_STR_UTF8, &back, &units);
    CHECK_EQ_U64(units, 6);
    CHECK(logged(&fx, 0, 0, 0, 1, 5));
    CHECK(logged(&fx, 1, UINT32_MAX, 5, 1, 10));
    CHECK(logged(&fx, 2, UINT32_MAX, 10, 1, 6));
    CHECK(memcmp(fx.mem->base + ptr, "h\xc3\xa9llo", 6) == 0);
    fx_fini(&fx);
}

/* ---- Traps --------------------------------------------------------------------------------- */

static void expect_trap(CabiCx *cx, Err err, const char *text) {
    CHECK(err == ERR_TRAP);
    if (err == ERR_TRAP && cx->trap) {
        CHECK_STR(rt_trap_text(cx->trap), text);
        rt_trap_delete(cx->trap);
        cx->trap = NULL;
    }
}

static void test_traps(void) {
    Fx fx;
    if (!fx_init(&fx)) {
        CHECK(false);
        return;
    }
    Arena *a = &fx.arena;
    CabiOpts o16 = fx.opts;
    o16.string_encoding = COMP_STR_UTF16;
    CabiCx cx = fx_cx(&fx, &o16);
    CompValue v;
    expect_trap(&cx, cabi_lift_string(&cx, 1, 0, &v), "string pointer not aligned to 2");
    cx.adapter = true;
    expect_trap(&cx, cabi_lift_string(&cx, 1, 0, &v), "unaligned pointer");
    expect_trap(&cx, cabi_lift_string(&cx, 65534, 2, &v), "string content out-of-bounds");
    cx.adapter = false;
    expect_trap(&cx, cabi_lift_string(&cx, 65534, 2, &v),
                "string pointer/length out of bounds of memory");
    CabiCx c8 = fx_cx(&fx, &fx.opts);
    memcpy(fx.mem->base + 100, "ab\xff", 3);
    expect_trap(&c8, cabi_lift_string(&c8, 100, 3, &v),
                "invalid utf-8 sequence of 1 bytes from index 2");
    memcpy(fx.mem->base + 100, "ab\xe2\x82", 4);
    expect_trap(&c8, cabi_lift_string(&c8, 100, 4, &v),
                "incomplete utf-8 byte sequence from index 2");
    ValRaw flat[4] = {{0}};
    uint32_t pos = 0;
    flat[0].i32 = 0xd800;
    expect_trap(&c8, cabi_lift_flat(&c8, flat, &pos, comp_prim(CVT_CHAR), &v),
                "invalid `char` bit pattern");
    CompCase cs[] = {{"a", comp_prim(CVT_U32), COMP_NONE}, {"b", NULL, COMP_NONE}};
    CompValType *var = comp_type_variant(a, cs, 2);
    flat[0].i32 = 2;
    pos = 0;
    expect_trap(&c8, cabi_lift_flat(&c8, flat, &pos, var, &v), "discriminant 2 out of range [0..2)");
    c8.adapter = true;
    pos = 0;
    expect_trap(&c8, cabi_lift_flat(&c8, flat, &pos, var, &v), "invalid variant discriminant");
    c8.adapter = false;
    CompValType *lu32 = comp_type_list(a, comp_prim(CVT_U32));
    expect_trap(&c8, cabi_lift_list(&c8, 2, 1, lu32, &v), "list pointer is not aligned");
    expect_trap(&c8, cabi_lift_list(&c8, 65532, 2, lu32, &v),
                "list pointer/length out of bounds of memory");
    fx_fini(&fx);
}

/* ---- Handles ------------------------------------------------------------------------------- */

static void test_handles(void) {
    Fx fx;
    if (!fx_init(&fx)) {
        CHECK(false);
        return;
    }
    CompRtResource r1 = {.id = 0, .impl = &fx.cinst}, r2 = {.id = 1, .impl = &fx.cinst};
    CabiCx cx = fx_cx(&fx, &fx.opts);
    uint32_t h, rep;
    /* spec/resources/handle-table.wast: sequential from 1, LIFO reuse */
    CHECK(cabi_resource_new(&cx, &r1, 100, &h) == OK && h == 1);
    CHECK(cabi_resource_new(&cx, &r1, 200, &h) == OK && h == 2);
    CHECK(cabi_resource_new(&cx, &r1, 300, &h) == OK && h == 3);
    CHECK(cabi_resource_drop(&cx, &r1, 2) == OK);
    CHECK(cabi_resource_new(&cx, &r1, 400, &h) == OK && h == 2);
    CHECK(cabi_resource_rep(&cx, &r1, 2, &rep) == OK && rep == 400);
    CHECK(cabi_resource_drop(&cx, &r1, 1) == OK);
    CHECK(cabi_resource_drop(&cx, &r1, 2) == OK);
    CHECK(cabi_resource_drop(&cx, &r1, 3) == OK);
    CHECK(cabi_resource_new(&cx, &r1, 500, &h) == OK && h == 3);
    CHECK(cabi_resource_new(&cx, &r1, 600, &h) == OK && h == 2);
    CHECK(cabi_resource_new(&cx, &r1, 700, &h) == OK && h == 1);
    CHECK(cabi_resource_new(&cx, &r1, 800, &h) == OK && h == 4);
    expect_trap(&cx, cabi_resource_drop(&cx, &r1, 5), "unknown handle index 5");
    expect_trap(&cx, cabi_resource_drop(&cx, &r1, 0), "unknown handle index 0");
    expect_trap(&cx, cabi_resource_rep(&cx, &r2, 1, &rep),
                "handle index 1 used with the wrong type, expected guest-defined resource but "
                "found a different guest-defined resource");
    /* lending: an own handle lent to a call cannot be dropped until the call ends */
    CompRtResource *map[2] = {&r1, &r2};
    CompResourceType d1 = {.id = 0};
    CompValType *borrow = comp_type_borrow(&fx.arena, &d1), *own = comp_type_own(&fx.arena, &d1);
    CabiCall call = {0};
    cx.call = &call;
    cx.resources = map;
    cx.n_resources = 2;
    CompValue v;
    CHECK(cabi_lift_borrow(&cx, 1, borrow, &v) == OK && v.res.rep == 700);
    expect_trap(&cx, cabi_resource_drop(&cx, &r1, 1), "cannot remove owned resource while borrowed");
    cabi_call_exit_import(&call);
    CHECK(cabi_lift_own(&cx, 1, own, &v) == OK && v.res.rep == 700 && v.res.type == &r1);
    expect_trap(&cx, cabi_resource_rep(&cx, &r1, 1, &rep), "unknown handle index 1");
    CHECK(cabi_lower_own(&cx, &v, own, &h) == OK && h == 1);
    fx_fini(&fx);
}

/* ---- A lifted call ---------------------------------------------------------------------------- */

static Err take_results(void *env, CompValue *results, Trap **out_trap, Diag *diag) {
    *(CompValue *)env = results[0];
    return OK;
}

static void test_lifted_call(void) {
    Fx fx;
    if (!fx_init(&fx)) {
        CHECK(false);
        return;
    }
    Arena *a = &fx.arena;
    CompField p[] = {{"s", comp_prim(CVT_STRING)}}, r[] = {{NULL, comp_prim(CVT_STRING)}};
    CompFuncType ft = {p, 1, r, 1, false};
    CabiLifted f = {&ft, fn(&fx, "ret-str"), fx.opts, &fx.cinst, NULL, 0};
    f.opts.string_encoding = COMP_STR_UTF16;
    f.opts.post_return = fn(&fx, "post");
    CompValue arg, res = {0};
    CHECK(comp_val_string(a, "h\xc3\xa9llo \xf0\x9f\x98\x80", 11, &arg, NULL) == OK);
    Trap *trap = NULL;
    CHECK(cabi_call_lifted(fx.store, &f, &arg, a, false, take_results, &res, &trap, &fx.diag) ==
          OK);
    CHECK(comp_value_equal(&arg, &res));
    CHECK(res.str.encoding == COMP_STR_UTF8);
    ValRaw v[1] = {{0}};
    CHECK(rt_call(fx.store, fn(&fx, "post-count"), v, 1, &trap) == OK);
    CHECK_EQ_U64(v[0].i32, 1);
    /* may_enter cleared: the call traps before running anything */
    fx.cinst.may_enter = false;
    CHECK(cabi_call_lifted(fx.store, &f, &arg, a, false, take_results, &res, &trap, &fx.diag) ==
          ERR_TRAP);
    CHECK(trap && strcmp(rt_trap_text(trap), "cannot enter component instance") == 0);
    rt_trap_delete(trap);
    fx.cinst.may_enter = true;
    /* 2 u32 params flat: add */
    CompField p2[] = {{"a", comp_prim(CVT_U32)}, {"b", comp_prim(CVT_U32)}},
              r2[] = {{NULL, comp_prim(CVT_U32)}};
    CompFuncType ft2 = {p2, 2, r2, 1, false};
    CabiLifted add = {&ft2, fn(&fx, "add"), fx.opts, &fx.cinst, NULL, 0};
    CompValue args2[2] = {{.kind = CVT_U32, .u = 40}, {.kind = CVT_U32, .u = 2}};
    trap = NULL;
    CHECK(cabi_call_lifted(fx.store, &add, args2, a, false, take_results, &res, &trap,
                           &fx.diag) == OK);
    CHECK(res.kind == CVT_U32 && res.u == 42);
    fx_fini(&fx);
}

static void test_print(void) {
    Arena a;
    arena_init(&a);
    CompValue v, s;
    char buf[128];
    CHECK(comp_val_string(&a, "a\"b", 3, &s, NULL) == OK);
    CHECK(comp_val_case(&a, CVT_OPTION, 1, &s, &v, NULL) == OK);
    comp_value_print(&v, NULL, buf, sizeof buf);
    CHECK_STR(buf, "some(\"a\\\"b\")");
    CompField f[] = {{"x", comp_prim(CVT_S32)}, {"y", comp_prim(CVT_F64)}};
    CompValType *rec = comp_type_record(&a, f, 2);
    CHECK(comp_val_items(&a, CVT_RECORD, 2, &v, NULL) == OK);
    v.items[0] = (CompValue){.kind = CVT_S32, .s = -1};
    v.items[1] = (CompValue){.kind = CVT_F64, .f64 = NAN};
    comp_value_print(&v, rec, buf, sizeof buf);
    CHECK_STR(buf, "{x: -1, y: nan}");
    arena_fini(&a);
}

int main(void) {
    static const TestCase cases[] = {
        TEST_CASE(test_layouts),    TEST_CASE(test_roundtrips),   TEST_CASE(test_nan_canonical),
        TEST_CASE(test_transcoding), TEST_CASE(test_traps),       TEST_CASE(test_handles),
        TEST_CASE(test_lifted_call), TEST_CASE(test_print),
    };
    return test_run_all("cabi", cases, (int)(sizeof cases / sizeof cases[0]));
}
