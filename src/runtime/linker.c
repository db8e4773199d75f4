/* The linker: a name -> external value map ("module"/"field" pairs) that
 * resolves a module's imports in order and instantiates it. Defining a name
 * again replaces the earlier value (as WAST `register` does). Keys are
 * private copies; the externs must belong to the store instantiated into. */
#include <string.h>

#include "runtime_int.h"

typedef struct LinkEntry {
    char *key; /* u32 module length, module bytes, field bytes */
    Extern ext;
} LinkEntry;

struct Linker {
    StrMap names; /* key -> index into entries */
    VEC(LinkEntry) entries;
};

Linker *rt_linker_new(void) {
    Linker *l = mem_calloc(1, sizeof *l);
    if (l)
        map_init(&l->names);
    return l;
}

void rt_linker_delete(Linker *linker) {
    if (!linker)
        return;
    for (size_t i = 0; i < linker->entries.len; i++)
        mem_free(linker->entries.data[i].key);
    VEC_FREE(&linker->entries);
    map_fini(&linker->names);
    mem_free(linker);
}

/* The key for (module, field) in buf (caller frees when != stack); NULL on OOM. */
static char *make_key(const char *module, size_t module_len, const char *field,
                      size_t field_len, char *stack, size_t stack_size, size_t *out_len) {
    size_t len = 4 + module_len + field_len;
    char *key = len <= stack_size ? stack : mem_alloc(len);
    if (!key)
        return NULL;
    uint32_t ml = (uint32_t)module_len;
    memcpy(key, &ml, 4);
    memcpy(key + 4, module, module_len);
    memcpy(key + 4 + module_len, field, field_len);
    *out_len = len;
    return key;
}

Err rt_linker_define(Linker *linker, const char *module, size_t module_len, const char *field,
                     size_t field_len, Extern ext, Diag *diag) {
    if (module_len > UINT32_MAX || field_len > UINT32_MAX)
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "import name too long");
    size_t len;
    char *key = make_key(module, module_len, field, field_len, NULL, 0, &len);
    if (!key)
        return FAIL_NOMEM(diag);
    uint32_t idx;
    if (map_get(&linker->names, key, len, &idx)) {
        mem_free(key);
        linker->entries.data[idx].ext = ext;
        return OK;
    }
    LinkEntry e = {key, ext};
    if (!VEC_RESERVE(&linker->entries, 1) ||
        !map_insert(&linker->names, key, len, (uint32_t)linker->entries.len, NULL)) {
        mem_free(key);
        return FAIL_NOMEM(diag);
    }
    linker->entries.data[linker->entries.len++] = e;
    return OK;
}

Err rt_linker_define_instance(Linker *linker, const char *module, size_t module_len,
                              Instance *instance, Diag *diag) {
    const Module *ir = instance->module->ir;
    for (uint32_t i = 0; i < ir->n_exports; i++) {
        const Name *name = &ir->exports[i].name;
        Extern ext;
        if (!rt_instance_export(instance, name->str, name->len, &ext))
            continue;
        TRY(rt_linker_define(linker, module, module_len, name->str, name->len, ext, diag));
    }
    return OK;
}

bool rt_linker_get(const Linker *linker, const char *module, size_t module_len, const char *field,
                   size_t field_len, Extern *out) {
    char stack[256];
    size_t len;
    char *key = make_key(module, module_len, field, field_len, stack, sizeof stack, &len);
    if (!key)
        return false;
    uint32_t idx;
    bool found = map_get(&linker->names, key, len, &idx);
    if (key != stack)
        mem_free(key);
    if (found)
        *out = linker->entries.data[idx].ext;
    return found;
}

static Err resolve(const Linker *linker, const Module *ir, Extern *out, Diag *diag) {
    for (uint32_t i = 0; i < ir->n_imports; i++) {
        const Import *im = &ir->imports[i];
        if (!rt_linker_get(linker, im->module.str, im->module.len, im->field.str, im->field.len,
                           &out[i]))
            return FAIL(diag, ERR_LINK, DIAG_NO_OFFSET,
                        "unknown import: `%.*s::%.*s` has not been defined", (int)im->module.len,
                        im->module.str, (int)im->field.len, im->field.str);
    }
    return OK;
}

Err rt_linker_instantiate(const Linker *linker, Store *store, RtModule *module, Instance **out,
                          Trap **out_trap, Diag *diag) {
    *out = NULL;
    if (out_trap)
        *out_trap = NULL;
    uint32_t n = module->ir->n_imports;
    Extern stack[16], *imports = stack;
    if (n > 16) {
        imports = mem_alloc(n * sizeof *imports);
        if (!imports)
            return FAIL_NOMEM(diag);
    }
    Err err = resolve(linker, module->ir, imports, diag);
    if (err == OK)
        err = rt_instantiate(store, module, imports, n, out, out_trap, diag);
    if (imports != stack)
        mem_free(imports);
    return err;
}
