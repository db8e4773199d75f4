/* Modules: compile, validate, describe imports and exports, serialize,
 * share across threads; and WAT to binary. A module object holds one
 * reference to the engine-wide RtModule, which is immutable and shared.
 *
 * Serialized form (until the JIT brings native artefacts): a 32-byte header
 * -- magic "WASMCMOD", u32 format version, u32 zero, u64 hash of the wasmc
 * version and the payload, u64 payload length (little endian) -- then the
 * module's binary encoding. Deserializing checks all of it, then compiles. */
#include <string.h>

#include "api_int.h"

#define SER_MAGIC "WASMCMOD"
#define SER_VERSION 1u
#define SER_HEADER 32u

ApiObj *api_module_wrap(RtModule *module) {
    ApiObj *o = api_obj_new(OBJ_MODULE);
    if (!o) {
        rt_module_release(module);
        return NULL;
    }
    o->u.module = module;
    return o;
}

static wasmc_error_t *module_new(Engine *engine, const uint8_t *bytes, size_t len,
                                 wasm_module_t **out) {
    RtModule *m;
    Diag diag;
    diag_clear(&diag);
    if (rt_module_new(engine, bytes, len, &m, &diag) != OK)
        return api_error_diag(&diag);
    *out = (wasm_module_t *)api_module_wrap(m);
    return *out ? NULL : api_error(ERR_NOMEM, "out of memory");
}

wasmc_error_t *wasmc_module_new(wasm_engine_t *engine, const uint8_t *binary, size_t len,
                                wasm_module_t **out) {
    if (!engine || (!binary && len) || !out)
        return api_error(ERR_USAGE, "wasmc_module_new: NULL argument");
    return module_new(engine->rt, binary, len, out);
}

wasm_module_t *wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary) {
    wasm_module_t *m = NULL;
    if (!store || !binary)
        return NULL;
    wasmc_error_delete(
        module_new(store->engine->rt, (const uint8_t *)binary->data, binary->size, &m));
    return m;
}

static wasmc_error_t *validate(const uint8_t *bytes, size_t len) {
    Module *ir;
    Diag diag;
    diag_clear(&diag);
    if (bin_read_module(bytes, len, &ir, &diag) != OK)
        return api_error_diag(&diag);
    Err err = valid_module(ir, NULL, &diag);
    ir_module_delete(ir);
    return err == OK ? NULL : api_error_diag(&diag);
}

wasmc_error_t *wasmc_module_validate(wasm_engine_t *engine, const uint8_t *binary, size_t len) {
    if (!engine || (!binary && len))
        return api_error(ERR_USAGE, "wasmc_module_validate: NULL argument");
    return validate(binary, len);
}

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary) {
    if (!store || !binary)
        return false;
    wasmc_error_t *e = validate((const uint8_t *)binary->data, binary->size);
    wasmc_error_delete(e);
    return e == NULL;
}

/* ---- Imports and exports ------------------------------------------------------------ */

static wasm_externtype_t *extern_type(const Module *ir, uint8_t kind, uint32_t index) {
    switch (kind) {
    case EXTERN_FUNC:
        return api_et(api_functype_from(ir_func_type(ir, index), NULL, ir));
    case EXTERN_TABLE: return api_et(api_tabletype_from(ir->tables[index].type, NULL, ir));
    case EXTERN_MEMORY: return api_et(api_memorytype_from(ir->memories[index].type));
    case EXTERN_GLOBAL: return api_et(api_globaltype_from(ir->globals[index].type, NULL, ir));
    case EXTERN_TAG: {
        const FuncType *ft = &ir->types[ir->tags[index].type.type].func;
        return api_et(wasm_tagtype_new(api_functype_from(ft, NULL, ir)));
    }
    default: return NULL;
    }
}

static bool name_new(wasm_name_t *out, Name n) {
    wasm_name_new(out, n.len, n.str);
    return out->data || !n.len;
}

void wasm_module_imports(const wasm_module_t *module, wasm_importtype_vec_t *out) {
    const Module *ir = api_obj(module)->u.module->ir;
    wasm_importtype_vec_new_uninitialized(out, ir->n_imports);
    for (size_t i = 0; i < out->size; i++) {
        const Import *imp = &ir->imports[i];
        wasm_name_t mod_name, field;
        wasm_name_new_empty(&mod_name);
        wasm_name_new_empty(&field);
        wasm_externtype_t *type = NULL;
        if (name_new(&mod_name, imp->module) && name_new(&field, imp->field))
            type = extern_type(ir, imp->kind, imp->index);
        out->data[i] = wasm_importtype_new(&mod_name, &field, type);
        if (!out->data[i]) {
            wasm_importtype_vec_delete(out);
            return;
        }
    }
}

void wasm_module_exports(const wasm_module_t *module, wasm_exporttype_vec_t *out) {
    const Module *ir = api_obj(module)->u.module->ir;
    wasm_exporttype_vec_new_uninitialized(out, ir->n_exports);
    for (size_t i = 0; i < out->size; i++) {
        const Export *exp = &ir->exports[i];
        wasm_name_t name;
        wasm_name_new_empty(&name);
        wasm_externtype_t *type = NULL;
        if (name_new(&name, exp->name))
            type = extern_type(ir, exp->kind, exp->index);
        out->data[i] = wasm_exporttype_new(&name, type);
        if (!out->data[i]) {
            wasm_exporttype_vec_delete(out);
            return;
        }
    }
}

/* ---- Serialization ------------------------------------------------------------------------ */

static uint64_t payload_hash(const uint8_t *payload, size_t len) {
    const char *version = wasmc_version();
    return hash_combine(hash_bytes(version, strlen(version)), hash_bytes(payload, len));
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

wasmc_error_t *wasmc_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out) {
    if (!module || !out)
        return api_error(ERR_USAGE, "wasmc_module_serialize: NULL argument");
    wasm_byte_vec_new_empty(out);
    ByteBuf bin;
    Diag diag;
    diag_clear(&diag);
    buf_init(&bin);
    if (bin_write_module(api_obj(module)->u.module->ir, &bin, &diag) != OK || bin.failed) {
        buf_fini(&bin);
        return diag.code ? api_error_diag(&diag) : api_error(ERR_NOMEM, "out of memory");
    }
    wasm_byte_vec_new_uninitialized(out, SER_HEADER + bin.len);
    if (!out->data) {
        buf_fini(&bin);
        return api_error(ERR_NOMEM, "out of memory");
    }
    uint8_t *p = (uint8_t *)out->data;
    memcpy(p, SER_MAGIC, 8);
    put_u64(p + 8, SER_VERSION);
    put_u64(p + 16, payload_hash(bin.data, bin.len));
    put_u64(p + 24, bin.len);
    memcpy(p + SER_HEADER, bin.data, bin.len);
    buf_fini(&bin);
    return NULL;
}

void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out) {
    wasmc_error_t *e = wasmc_module_serialize(module, out);
    if (e && out)
        wasm_byte_vec_new_empty(out);
    wasmc_error_delete(e);
}

wasmc_error_t *wasmc_module_deserialize(wasm_engine_t *engine, const uint8_t *bytes, size_t len,
                                        wasm_module_t **out) {
    if (!engine || (!bytes && len) || !out)
        return api_error(ERR_USAGE, "wasmc_module_deserialize: NULL argument");
    if (len < SER_HEADER || memcmp(bytes, SER_MAGIC, 8) != 0)
        return api_error(ERR_MALFORMED, "not a serialized wasmc module");
    if (get_u64(bytes + 8) != SER_VERSION)
        return api_error(ERR_MALFORMED, "serialized module has an unsupported format version");
    const uint8_t *payload = bytes + SER_HEADER;
    size_t n = len - SER_HEADER;
    if (get_u64(bytes + 24) != n || get_u64(bytes + 16) != payload_hash(payload, n))
        return api_error(ERR_MALFORMED, "serialized module is corrupt or from another wasmc");
    return module_new(engine->rt, payload, n, out);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store, const wasm_byte_vec_t *bytes) {
    wasm_module_t *m = NULL;
    if (!store || !bytes)
        return NULL;
    wasmc_error_delete(
        wasmc_module_deserialize(store->engine, (const uint8_t *)bytes->data, bytes->size, &m));
    return m;
}

/* ---- Sharing across threads ------------------------------------------------------------------ */

struct wasm_shared_module_t {
    RtModule *module; /* one reference; the refcount is atomic */
};

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module) {
    if (!module)
        return NULL;
    wasm_shared_module_t *s = mem_alloc(sizeof *s);
    if (!s)
        return NULL;
    s->module = api_obj(module)->u.module;
    rt_module_retain(s->module);
    return s;
}

void wasm_shared_module_delete(wasm_shared_module_t *s) {
    if (!s)
        return;
    rt_module_release(s->module);
    mem_free(s);
}

wasm_module_t *wasm_module_obtain(wasm_store_t *store, const wasm_shared_module_t *shared) {
    if (!store || !shared || shared->module->engine != store->engine->rt)
        return NULL;
    rt_module_retain(shared->module);
    return (wasm_module_t *)api_module_wrap(shared->module);
}

/* ---- Text ----------------------------------------------------------------------------------- */

wasmc_error_t *wasmc_wat2wasm(const char *wat, size_t len, wasm_byte_vec_t *out) {
    if ((!wat && len) || !out)
        return api_error(ERR_USAGE, "wasmc_wat2wasm: NULL argument");
    wasm_byte_vec_new_empty(out);
    ByteBuf bin;
    Diag diag;
    diag_clear(&diag);
    buf_init(&bin);
    Err err = wat_parse_module(wat ? wat : "", len, "<wat>", &bin, &diag);
    wasmc_error_t *e = NULL;
    if (err != OK)
        e = api_error_diag(&diag);
    else if (bin.failed)
        e = api_error(ERR_NOMEM, "out of memory");
    else {
        wasm_byte_vec_new(out, bin.len, (const wasm_byte_t *)bin.data);
        if (bin.len && !out->data)
            e = api_error(ERR_NOMEM, "out of memory");
    }
    buf_fini(&bin);
    return e;
}
