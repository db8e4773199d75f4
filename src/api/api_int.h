/* Declarations shared inside the API layer: what the opaque objects of
 * wasm.h and wasmc.h are, and the helpers the files share.
 *
 * Object model. Every runtime object the standard calls a reference (func,
 * global, table, memory, instance, foreign, trap, module) is one refcounted
 * ApiObj, and a handle IS the object: copy retains and returns the same
 * pointer, delete releases, same compares pointers, and the as_ref/as_extern
 * views are casts. Objects living in a store (funcs, globals, tables,
 * memories, tags, instances, foreigns) are interned per store by their runtime
 * pointer, so the same runtime object always comes back as the same ApiObj
 * (host info survives every handle), and the store holds one reference to
 * each: when the store dies it runs their host-info finalizers, detaches them
 * (store and runtime pointer NULL) and drops its reference; handles still held
 * stay valid to delete. Modules and traps are refcounted only. */
#ifndef WASMC_API_API_INT_H
#define WASMC_API_API_INT_H

#include "wasm.h"
#include "wasmc.h"

#include "../interp/interp.h"
#include "../runtime/runtime.h"
#include "../wasi/wasi.h"

/* ---- Errors (error.c) ------------------------------------------------------------- */

struct wasmc_error_t {
    wasmc_errcode_t code;
    char *message;
};

/* A new error (never NULL: a static out-of-memory error stands in). */
wasmc_error_t *api_error(Err code, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* An error from a Diag: "offset 0x..: msg" / "line:col: msg". */
wasmc_error_t *api_error_diag(const Diag *diag);

/* ---- Engine and store (engine.c) --------------------------------------------------- */

struct wasm_config_t {
    EngineConfig cfg;
};

struct wasm_engine_t {
    Engine *rt;
};

/* Open-addressing map from a runtime pointer to its ApiObj (no references
 * held by the map itself). */
typedef struct PtrMapSlot {
    const void *key; /* NULL: empty */
    struct wasm_ref_t *obj;
} PtrMapSlot;

typedef struct PtrMap {
    PtrMapSlot *slots;
    size_t cap, len; /* cap: power of two or 0 */
} PtrMap;

struct wasm_store_t {
    Store *rt;
    wasm_engine_t *engine;
    PtrMap interned;                 /* runtime pointer -> ApiObj */
    VEC(struct wasm_ref_t *) owned;  /* each holds one reference from the store */
    VEC(Wasi *) wasis;               /* deleted after the runtime store */
    struct wasm_ref_t *last_instance; /* the most recent instance, for frame lookup */
};

/* ---- Types (types.c) ------------------------------------------------------------- */

/* A WASMC value kind for v128 (not in the standard enum): reported by
 * wasm_valtype_kind, never accepted by calls. */
#define API_V128_KIND ((wasm_valkind_t)4)

struct wasm_valtype_t {
    wasm_valkind_t kind;
    ValType type; /* the full type; abstract heap types only */
};

/* functype, globaltype, tabletype, memorytype and tagtype are all this
 * struct, so the as_externtype views are casts. */
struct wasm_externtype_t {
    wasm_externkind_t kind;
    union {
        struct {
            wasm_valtype_vec_t params, results;
        } func;
        struct {
            wasm_valtype_t *content;
            wasm_mutability_t mutability;
        } global;
        struct {
            wasm_valtype_t *element;
            wasm_limits_t limits;
        } table;
        struct {
            wasm_limits_t limits;
        } memory;
        struct {
            wasm_functype_t *functype;
        } tag;
    } u;
};

struct wasm_importtype_t {
    wasm_name_t module, name;
    wasm_externtype_t *type;
};

struct wasm_exporttype_t {
    wasm_name_t name;
    wasm_externtype_t *type;
};

static inline struct wasm_externtype_t *api_et(const void *type) {
    return (struct wasm_externtype_t *)type;
}

/* The standard kind of a value type; `is_func(heap)` answers for concrete
 * heap types. */
wasm_valkind_t api_valkind_of(ValType t, bool concrete_is_func);
/* A new valtype / functype from runtime types (NULL on allocation failure);
 * heap types of concrete references are resolved by `engine` (canonical ids)
 * or `module` (module-local indices), whichever is given. */
wasm_valtype_t *api_valtype_from(ValType t, const Engine *engine, const Module *module);
wasm_functype_t *api_functype_from(const FuncType *ft, const Engine *engine,
                                   const Module *module);
wasm_globaltype_t *api_globaltype_from(GlobalType g, const Engine *engine, const Module *module);
wasm_tabletype_t *api_tabletype_from(TableType t, const Engine *engine, const Module *module);
wasm_memorytype_t *api_memorytype_from(MemType m);
wasm_limits_t api_limits_from(Limits l);
Limits api_limits_to(const wasm_limits_t *l);
/* The runtime type of a standard kind (references are nullable, abstract). */
bool api_valtype_to(wasm_valkind_t kind, ValType *out);

/* ---- Objects (object.c) ----------------------------------------------------------------- */

typedef enum ObjKind {
    OBJ_FUNC,
    OBJ_GLOBAL,
    OBJ_TABLE,
    OBJ_MEMORY,
    OBJ_TAG,
    OBJ_INSTANCE,
    OBJ_FOREIGN,
    OBJ_MODULE,
    OBJ_TRAP,
} ObjKind;

/* One frame of a trap's backtrace. */
struct wasm_frame_t {
    uint32_t func_index;
    size_t func_offset, module_offset;
    struct wasm_ref_t *instance; /* retained, or NULL when unknown */
    char *func_name, *module_name;
};

typedef struct TrapData {
    bool has_code;       /* false: made by wasm_trap_new, never ran through wasm */
    TrapCode code;
    char *message;       /* NUL-terminated */
    bool exited;         /* a WASI proc_exit */
    int exit_code;
    uint32_t n_frames;
    struct wasm_frame_t *frames;
} TrapData;

struct wasm_ref_t {
    uint8_t kind; /* ObjKind */
    uint32_t refcount;
    wasm_store_t *store; /* store-owned kinds; NULL once the store died */
    void *host_info;
    void (*finalizer)(void *);
    ExternObj *boxed; /* this object as an externref (made on demand) */
    union {
        FuncRef *func;
        RtGlobal *global;
        RtTable *table;
        RtMemory *memory;
        RtTag *tag;
        Instance *instance;
        ExternObj *foreign;
        RtModule *module;
        TrapData trap;
    } u;
};

typedef struct wasm_ref_t ApiObj;

static inline ApiObj *api_obj(const void *handle) {
    return (ApiObj *)handle;
}

/* The ApiObj of a store object (`key` = its runtime pointer), interned:
 * found, or made, registered and retained by the store. Returns a new
 * reference for the caller; NULL on allocation failure. */
ApiObj *api_intern(wasm_store_t *store, ObjKind kind, void *key);
/* The interned object of `key`, borrowed, or NULL. */
ApiObj *api_lookup(const wasm_store_t *store, const void *key);
/* A fresh unregistered object with refcount 1 (modules, traps). */
ApiObj *api_obj_new(ObjKind kind);
ApiObj *api_retain(const ApiObj *obj);
void api_release(ApiObj *obj);
/* Store death: finalize, detach and release every owned object. */
void api_store_objects_fini(wasm_store_t *store);

/* Runtime Extern of an extern-kind object; false for other kinds or dead ones. */
bool api_extern_of(const ApiObj *obj, Extern *out);
/* The ApiObj (new reference) of a runtime Extern. */
ApiObj *api_extern_obj(wasm_store_t *store, const Extern *ext);

/* ---- Values (object.c) ------------------------------------------------------------------- */

/* A wasm value to a raw slot of type `type`, checking its kind (and store
 * and nullability for references). On mismatch returns false and writes the
 * reason into why[why_size]. */
bool api_val_to_raw(wasm_store_t *store, const wasm_val_t *v, ValType type, ValRaw *out,
                    char *why, size_t why_size);
/* A raw slot of `type` to a wasm value (references: new references). False
 * on allocation failure or an unsupported reference type (out = null). */
bool api_val_from_raw(wasm_store_t *store, ValType type, const ValRaw *raw, wasm_val_t *out);

/* ---- Traps (trap.c) ------------------------------------------------------------------------ */

/* A trap object with only a message (NULL only when out of memory). */
ApiObj *api_trap_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* A trap object from a runtime trap (takes no ownership of `trap`), with
 * frames resolved against the store's instances; `hint` (an instance, may be
 * NULL) is tried first. */
ApiObj *api_trap_from_rt(wasm_store_t *store, const Trap *trap, const ApiObj *hint);
/* A runtime trap (owned) carrying an API trap's code and message. */
Trap *api_trap_to_rt(const ApiObj *trap);
void api_trap_data_fini(TrapData *data);

/* ---- Modules (module.c) ---------------------------------------------------------------------- */

ApiObj *api_module_wrap(RtModule *module); /* takes the module reference */

/* ---- Instances (extern.c) ------------------------------------------------------------------- */

/* Instance of a func ref's owning context, or NULL for host functions. */
const ApiObj *api_instance_of_func(const wasm_store_t *store, const FuncRef *func);

#endif
