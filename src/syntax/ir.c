/* Module IR lifetime and small queries. */
#include "ir.h"

#include <stdio.h>
#include <string.h>

#include "../base/mem.h"

Module *ir_module_new(void) {
    Module *mod = mem_calloc(1, sizeof *mod);
    if (mod)
        arena_init(&mod->arena);
    return mod;
}

void ir_module_delete(Module *mod) {
    if (!mod)
        return;
    arena_fini(&mod->arena);
    mem_free(mod);
}

const FuncType *ir_func_type(const Module *mod, uint32_t func_index) {
    return &mod->types[mod->funcs[func_index].type].func;
}

/* Indexed by HT_NOEXN - heap: the codes run from -0x0c down to -0x17. */
static const struct {
    const char *name, *shorthand;
} heap_types[] = {
    {"noexn", "nullexnref"}, {"nofunc", "nullfuncref"}, {"noextern", "nullexternref"},
    {"none", "nullref"},     {"func", "funcref"},       {"extern", "externref"},
    {"any", "anyref"},       {"eq", "eqref"},           {"i31", "i31ref"},
    {"struct", "structref"}, {"array", "arrayref"},     {"exn", "exnref"},
};
#define N_HEAP_TYPES (sizeof heap_types / sizeof heap_types[0])

static bool abstract_heap(int32_t heap) {
    return heap <= HT_NOEXN && heap > HT_NOEXN - (int32_t)N_HEAP_TYPES;
}

const char *ir_heap_type_name(int32_t heap) {
    return abstract_heap(heap) ? heap_types[HT_NOEXN - heap].name : NULL;
}

const char *ir_ref_shorthand(int32_t heap) {
    return abstract_heap(heap) ? heap_types[HT_NOEXN - heap].shorthand : NULL;
}

static bool find_heap(const char *name, size_t len, bool shorthand, int32_t *out) {
    for (size_t i = 0; i < N_HEAP_TYPES; i++) {
        const char *n = shorthand ? heap_types[i].shorthand : heap_types[i].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            *out = HT_NOEXN - (int32_t)i;
            return true;
        }
    }
    return false;
}

bool ir_heap_type_by_name(const char *name, size_t len, int32_t *out) {
    return find_heap(name, len, false, out);
}

bool ir_ref_shorthand_by_name(const char *name, size_t len, int32_t *out) {
    return find_heap(name, len, true, out);
}

void ir_format_valtype(ValType t, char *buf, size_t size) {
    switch (t.kind) {
    case VK_I32: snprintf(buf, size, "i32"); return;
    case VK_I64: snprintf(buf, size, "i64"); return;
    case VK_F32: snprintf(buf, size, "f32"); return;
    case VK_F64: snprintf(buf, size, "f64"); return;
    case VK_V128: snprintf(buf, size, "v128"); return;
    case VK_I8: snprintf(buf, size, "i8"); return;
    case VK_I16: snprintf(buf, size, "i16"); return;
    case VK_REF: break;
    default: snprintf(buf, size, "_"); return; /* the validator's unknown type */
    }
    const char *null = t.nullable ? "null " : "";
    if (t.heap >= 0)
        snprintf(buf, size, "(ref %s%d)", null, (int)t.heap);
    else if (t.nullable && ir_ref_shorthand(t.heap))
        snprintf(buf, size, "%s", ir_ref_shorthand(t.heap));
    else
        snprintf(buf, size, "(ref %s%s)", null,
                 ir_heap_type_name(t.heap) ? ir_heap_type_name(t.heap) : "bot");
}

bool ir_has_custom(const Module *mod, const char *name) {
    size_t len = strlen(name);
    for (uint32_t i = 0; i < mod->n_customs; i++) {
        const Name *n = &mod->customs[i].name;
        if (n->len == len && memcmp(n->str, name, len) == 0)
            return true;
    }
    return false;
}

const Name *ir_name_of(const NameMap *map, uint32_t index) {
    uint32_t lo = 0, hi = map->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (map->entries[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < map->n && map->entries[lo].index == index ? &map->entries[lo].name : NULL;
}
