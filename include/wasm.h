/* The standard WebAssembly C API (the interface published by the
 * WebAssembly/wasm-c-api project), as implemented by libwasmc.
 *
 * Written for wasmc from the published declarations: the names, types,
 * layouts and signatures are the standard's, so a program written against
 * the standard compiles unchanged. wasmc's own additions live in wasmc.h,
 * never here. Compiles alone as C99 and as C++.
 *
 * Ownership: `own` marks ownership. An `own T*` result belongs to the caller,
 * who releases it with the matching wasm_T_delete exactly once; an `own`
 * parameter passes ownership to the callee; an `own` pointer parameter named
 * `out` is filled by the callee and then owned by the caller. An `own` vector
 * owns its elements too. Deleting a reference (func, global, table, memory,
 * extern, instance, module, trap, foreign, ref) releases that handle only; the
 * object lives on while its store (or another handle) does. */
#ifndef WASM_H
#define WASM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Every function below is exported from libwasmc (built with hidden
 * visibility otherwise). */
#ifndef WASMC_API
#if defined(__GNUC__) || defined(__clang__)
#define WASMC_API __attribute__((visibility("default")))
#else
#define WASMC_API
#endif
#endif

#ifndef WASM_API_EXTERN
#define WASM_API_EXTERN WASMC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Auxiliaries ------------------------------------------------------------ */

typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

/* The ownership marker: documentation only (see the top of this file). */
#define own

/* An owned object type: its opaque struct and its delete function. */
#define WASM_DECLARE_OWN(name)                                                                     \
    typedef struct wasm_##name##_t wasm_##name##_t;                                                \
                                                                                                   \
    WASM_API_EXTERN void wasm_##name##_delete(own wasm_##name##_t *);

/* A vector of `name`s (ptr_or_none = `*` for vectors of owned pointers):
 * `size` elements at `data`. new_empty: size 0; new_uninitialized: `size`
 * elements left unset (pointers: NULL); new: copies the array (for pointer
 * vectors, takes ownership of the pointed-to objects); copy: a deep copy;
 * delete: frees the elements (pointer vectors: deletes each) and the array. */
#define WASM_DECLARE_VEC(name, ptr_or_none)                                                        \
    typedef struct wasm_##name##_vec_t {                                                           \
        size_t size;                                                                               \
        wasm_##name##_t ptr_or_none *data;                                                         \
    } wasm_##name##_vec_t;                                                                         \
                                                                                                   \
    WASM_API_EXTERN void wasm_##name##_vec_new_empty(own wasm_##name##_vec_t *out);                \
    WASM_API_EXTERN void wasm_##name##_vec_new_uninitialized(own wasm_##name##_vec_t *out,         \
                                                             size_t);                              \
    WASM_API_EXTERN void wasm_##name##_vec_new(own wasm_##name##_vec_t *out, size_t,               \
                                               own wasm_##name##_t ptr_or_none const[]);           \
    WASM_API_EXTERN void wasm_##name##_vec_copy(own wasm_##name##_vec_t *out,                      \
                                                const wasm_##name##_vec_t *);                      \
    WASM_API_EXTERN void wasm_##name##_vec_delete(own wasm_##name##_vec_t *);

/* Byte vectors and names (names are byte vectors, not NUL-terminated unless
 * said so). */
typedef byte_t wasm_byte_t;
WASM_DECLARE_VEC(byte, )

typedef wasm_byte_vec_t wasm_name_t;

#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

static inline void wasm_name_new_from_string(own wasm_name_t *out, const char *s) {
    wasm_name_new(out, strlen(s), s);
}

/* The same, keeping the terminating NUL in the name. */
static inline void wasm_name_new_from_string_nt(own wasm_name_t *out, const char *s) {
    wasm_name_new(out, strlen(s) + 1, s);
}

/* ---- Runtime environment ------------------------------------------------------ */

/* Engine configuration; wasmc.h adds setters (tier, fuel, epochs, memory). */
WASM_DECLARE_OWN(config)

WASM_API_EXTERN own wasm_config_t *wasm_config_new(void);

/* An engine: compiled code and types, shared by its stores and threads. */
WASM_DECLARE_OWN(engine)

WASM_API_EXTERN own wasm_engine_t *wasm_engine_new(void);
/* Takes ownership of the config. */
WASM_API_EXTERN own wasm_engine_t *wasm_engine_new_with_config(own wasm_config_t *);

/* A store: the instances and objects of one thread at a time; they all die
 * with it. Delete a store before its engine. */
WASM_DECLARE_OWN(store)

WASM_API_EXTERN own wasm_store_t *wasm_store_new(wasm_engine_t *);

/* ---- Type representations -------------------------------------------------------- */

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum {
    WASM_CONST,
    WASM_VAR,
};

/* Limits of a table or memory; max = wasm_limits_max_default when unbounded. */
typedef struct wasm_limits_t {
    uint32_t min;
    uint32_t max;
} wasm_limits_t;

static const uint32_t wasm_limits_max_default = 0xffffffff;

/* A type object: owned, vectors of it, and a deep copy. */
#define WASM_DECLARE_TYPE(name)                                                                    \
    WASM_DECLARE_OWN(name)                                                                         \
    WASM_DECLARE_VEC(name, *)                                                                      \
                                                                                                   \
    WASM_API_EXTERN own wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *);

/* Value types. */
WASM_DECLARE_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
    WASM_I32,
    WASM_I64,
    WASM_F32,
    WASM_F64,
    WASM_EXTERNREF = 128,
    WASM_FUNCREF,
};

WASM_API_EXTERN own wasm_valtype_t *wasm_valtype_new(wasm_valkind_t);

WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *);

static inline bool wasm_valkind_is_num(wasm_valkind_t k) {
    return k < WASM_EXTERNREF;
}
static inline bool wasm_valkind_is_ref(wasm_valkind_t k) {
    return k >= WASM_EXTERNREF;
}

static inline bool wasm_valtype_is_num(const wasm_valtype_t *t) {
    return wasm_valkind_is_num(wasm_valtype_kind(t));
}
static inline bool wasm_valtype_is_ref(const wasm_valtype_t *t) {
    return wasm_valkind_is_ref(wasm_valtype_kind(t));
}

/* Function types: takes ownership of both vectors (and their elements). */
WASM_DECLARE_TYPE(functype)

WASM_API_EXTERN own wasm_functype_t *wasm_functype_new(own wasm_valtype_vec_t *params,
                                                       own wasm_valtype_vec_t *results);

WASM_API_EXTERN const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *);
WASM_API_EXTERN const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *);

/* Global types. */
WASM_DECLARE_TYPE(globaltype)

WASM_API_EXTERN own wasm_globaltype_t *wasm_globaltype_new(own wasm_valtype_t *,
                                                           wasm_mutability_t);

WASM_API_EXTERN const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *);
WASM_API_EXTERN wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *);

/* Table types. */
WASM_DECLARE_TYPE(tabletype)

WASM_API_EXTERN own wasm_tabletype_t *wasm_tabletype_new(own wasm_valtype_t *,
                                                         const wasm_limits_t *);

WASM_API_EXTERN const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *);
WASM_API_EXTERN const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *);

/* Memory types (limits in pages of 64 KiB). */
WASM_DECLARE_TYPE(memorytype)

WASM_API_EXTERN own wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *);

WASM_API_EXTERN const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *);

/* Tag types (exception handling): a tag carries values of a function type's
 * parameters. Takes ownership of the function type. */
WASM_DECLARE_TYPE(tagtype)

WASM_API_EXTERN own wasm_tagtype_t *wasm_tagtype_new(own wasm_functype_t *);

WASM_API_EXTERN const wasm_functype_t *wasm_tagtype_functype(const wasm_tagtype_t *);

/* Extern types: any of the above kinds. The as_* conversions return the same
 * object seen as another type (borrowed, never a copy); a conversion to the
 * wrong kind returns NULL. */
WASM_DECLARE_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
    WASM_EXTERN_FUNC,
    WASM_EXTERN_GLOBAL,
    WASM_EXTERN_TABLE,
    WASM_EXTERN_MEMORY,
    WASM_EXTERN_TAG,
};

WASM_API_EXTERN wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *);

WASM_API_EXTERN wasm_externtype_t *wasm_functype_as_externtype(wasm_functype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_globaltype_as_externtype(wasm_globaltype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_tabletype_as_externtype(wasm_tabletype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_memorytype_as_externtype(wasm_memorytype_t *);
WASM_API_EXTERN wasm_externtype_t *wasm_tagtype_as_externtype(wasm_tagtype_t *);

WASM_API_EXTERN wasm_functype_t *wasm_externtype_as_functype(wasm_externtype_t *);
WASM_API_EXTERN wasm_globaltype_t *wasm_externtype_as_globaltype(wasm_externtype_t *);
WASM_API_EXTERN wasm_tabletype_t *wasm_externtype_as_tabletype(wasm_externtype_t *);
WASM_API_EXTERN wasm_memorytype_t *wasm_externtype_as_memorytype(wasm_externtype_t *);
WASM_API_EXTERN wasm_tagtype_t *wasm_externtype_as_tagtype(wasm_externtype_t *);

WASM_API_EXTERN const wasm_externtype_t *
wasm_functype_as_externtype_const(const wasm_functype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_globaltype_as_externtype_const(const wasm_globaltype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_tabletype_as_externtype_const(const wasm_tabletype_t *);
WASM_API_EXTERN const wasm_externtype_t *
wasm_memorytype_as_externtype_const(const wasm_memorytype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_tagtype_as_externtype_const(const wasm_tagtype_t *);

WASM_API_EXTERN const wasm_functype_t *
wasm_externtype_as_functype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_globaltype_t *
wasm_externtype_as_globaltype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_tabletype_t *
wasm_externtype_as_tabletype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_memorytype_t *
wasm_externtype_as_memorytype_const(const wasm_externtype_t *);
WASM_API_EXTERN const wasm_tagtype_t *wasm_externtype_as_tagtype_const(const wasm_externtype_t *);

/* Import types: takes ownership of both names and the type. */
WASM_DECLARE_TYPE(importtype)

WASM_API_EXTERN own wasm_importtype_t *
wasm_importtype_new(own wasm_name_t *module, own wasm_name_t *name, own wasm_externtype_t *);

WASM_API_EXTERN const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *);
WASM_API_EXTERN const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *);

/* Export types: takes ownership of the name and the type. */
WASM_DECLARE_TYPE(exporttype)

WASM_API_EXTERN own wasm_exporttype_t *wasm_exporttype_new(own wasm_name_t *,
                                                           own wasm_externtype_t *);

WASM_API_EXTERN const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *);
WASM_API_EXTERN const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *);

/* ---- Runtime objects ------------------------------------------------------------------ */

/* Values: a kind and its payload. A reference value owns its `ref` (NULL is
 * the null reference). */
struct wasm_ref_t;

typedef struct wasm_val_t {
    wasm_valkind_t kind;
    union {
        int32_t i32;
        int64_t i64;
        float32_t f32;
        float64_t f64;
        struct wasm_ref_t *ref;
    } of;
} wasm_val_t;

WASM_API_EXTERN void wasm_val_delete(own wasm_val_t *v);
WASM_API_EXTERN void wasm_val_copy(own wasm_val_t *out, const wasm_val_t *);

WASM_DECLARE_VEC(val, )

/* References. Every runtime object is a reference: copy makes a new handle
 * to the same object, same compares objects, and host info (with an optional
 * finalizer, run once when the object dies) belongs to the object, so every
 * handle sees it. */
#define WASM_DECLARE_REF_BASE(name)                                                                \
    WASM_DECLARE_OWN(name)                                                                         \
                                                                                                   \
    WASM_API_EXTERN own wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *);              \
    WASM_API_EXTERN bool wasm_##name##_same(const wasm_##name##_t *, const wasm_##name##_t *);    \
                                                                                                   \
    WASM_API_EXTERN void *wasm_##name##_get_host_info(const wasm_##name##_t *);                    \
    WASM_API_EXTERN void wasm_##name##_set_host_info(wasm_##name##_t *, void *);                   \
    WASM_API_EXTERN void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *, void *,     \
                                                                    void (*)(void *));

/* A reference kind convertible to and from wasm_ref_t (borrowed views; a
 * conversion to the wrong kind returns NULL). */
#define WASM_DECLARE_REF(name)                                                                     \
    WASM_DECLARE_REF_BASE(name)                                                                    \
                                                                                                   \
    WASM_API_EXTERN wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *);                           \
    WASM_API_EXTERN wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *);                             \
    WASM_API_EXTERN const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *);         \
    WASM_API_EXTERN const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *);

/* A reference kind that can cross threads: share gives a thread-safe owned
 * token, obtain makes a reference to the same object in another store. */
#define WASM_DECLARE_SHARABLE_REF(name)                                                            \
    WASM_DECLARE_REF(name)                                                                         \
    WASM_DECLARE_OWN(shared_##name)                                                                \
                                                                                                   \
    WASM_API_EXTERN own wasm_shared_##name##_t *wasm_##name##_share(const wasm_##name##_t *);      \
    WASM_API_EXTERN own wasm_##name##_t *wasm_##name##_obtain(wasm_store_t *,                      \
                                                              const wasm_shared_##name##_t *);

WASM_DECLARE_REF_BASE(ref)

/* Frames of a trap's backtrace: the instance, the function index in its
 * module, and the offset of the instruction from the function body's start
 * and from the module binary's start. */
WASM_DECLARE_OWN(frame)
WASM_DECLARE_VEC(frame, *)
WASM_API_EXTERN own wasm_frame_t *wasm_frame_copy(const wasm_frame_t *);

WASM_API_EXTERN struct wasm_instance_t *wasm_frame_instance(const wasm_frame_t *);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t *);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t *);

/* Traps: a message (NUL-terminated; its size includes the NUL), the
 * innermost frame (origin, NULL when unknown) and the whole backtrace,
 * innermost first. */
typedef wasm_name_t wasm_message_t;

WASM_DECLARE_REF(trap)

WASM_API_EXTERN own wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *);

WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t *, own wasm_message_t *out);
WASM_API_EXTERN own wasm_frame_t *wasm_trap_origin(const wasm_trap_t *);
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t *, own wasm_frame_vec_t *out);

/* Foreign objects: host values wasm can hold as externrefs. */
WASM_DECLARE_REF(foreign)

WASM_API_EXTERN own wasm_foreign_t *wasm_foreign_new(wasm_store_t *);

/* Modules: decoded, validated and compiled once; instantiate many times, in
 * any store of the same engine. The binary is not kept by the module. */
WASM_DECLARE_SHARABLE_REF(module)

WASM_API_EXTERN own wasm_module_t *wasm_module_new(wasm_store_t *, const wasm_byte_vec_t *binary);

WASM_API_EXTERN bool wasm_module_validate(wasm_store_t *, const wasm_byte_vec_t *binary);

WASM_API_EXTERN void wasm_module_imports(const wasm_module_t *, own wasm_importtype_vec_t *out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t *, own wasm_exporttype_vec_t *out);

WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t *, own wasm_byte_vec_t *out);
WASM_API_EXTERN own wasm_module_t *wasm_module_deserialize(wasm_store_t *,
                                                           const wasm_byte_vec_t *);

/* Functions. A host callback reads `args` and writes every element of the
 * pre-sized `results`; it returns NULL, or a trap (ownership passes to the
 * caller) to stop execution. */
WASM_DECLARE_REF(func)

typedef own wasm_trap_t *(*wasm_func_callback_t)(const wasm_val_vec_t *args,
                                                 own wasm_val_vec_t *results);
typedef own wasm_trap_t *(*wasm_func_callback_with_env_t)(void *env, const wasm_val_vec_t *args,
                                                          wasm_val_vec_t *results);

WASM_API_EXTERN own wasm_func_t *wasm_func_new(wasm_store_t *, const wasm_functype_t *,
                                               wasm_func_callback_t);
/* finalizer(env), if given, runs when the function dies (with its store). */
WASM_API_EXTERN own wasm_func_t *wasm_func_new_with_env(wasm_store_t *,
                                                        const wasm_functype_t *type,
                                                        wasm_func_callback_with_env_t, void *env,
                                                        void (*finalizer)(void *));

WASM_API_EXTERN own wasm_functype_t *wasm_func_type(const wasm_func_t *);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t *);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t *);

/* Call: `args` must match the parameters, `results` must hold one value per
 * result. Returns NULL on success (results written, owned by the caller), or
 * a trap: from wasm or a host callback, or for wrong arguments (arity, kinds). */
WASM_API_EXTERN own wasm_trap_t *wasm_func_call(const wasm_func_t *, const wasm_val_vec_t *args,
                                                wasm_val_vec_t *results);

/* Globals. */
WASM_DECLARE_REF(global)

WASM_API_EXTERN own wasm_global_t *wasm_global_new(wasm_store_t *, const wasm_globaltype_t *,
                                                   const wasm_val_t *);

WASM_API_EXTERN own wasm_globaltype_t *wasm_global_type(const wasm_global_t *);

WASM_API_EXTERN void wasm_global_get(const wasm_global_t *, own wasm_val_t *out);
WASM_API_EXTERN void wasm_global_set(wasm_global_t *, const wasm_val_t *);

/* Tables. get returns NULL for a null element or an index out of bounds;
 * set and grow return false when out of bounds, over the limit or given a
 * reference of the wrong type. */
WASM_DECLARE_REF(table)

typedef uint32_t wasm_table_size_t;

WASM_API_EXTERN own wasm_table_t *wasm_table_new(wasm_store_t *, const wasm_tabletype_t *,
                                                 wasm_ref_t *init);

WASM_API_EXTERN own wasm_tabletype_t *wasm_table_type(const wasm_table_t *);

WASM_API_EXTERN own wasm_ref_t *wasm_table_get(const wasm_table_t *, wasm_table_size_t index);
WASM_API_EXTERN bool wasm_table_set(wasm_table_t *, wasm_table_size_t index, wasm_ref_t *);

WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t *);
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t *, wasm_table_size_t delta, wasm_ref_t *init);

/* Memories. data stays valid until the memory grows. */
WASM_DECLARE_REF(memory)

typedef uint32_t wasm_memory_pages_t;

static const size_t MEMORY_PAGE_SIZE = 0x10000;

WASM_API_EXTERN own wasm_memory_t *wasm_memory_new(wasm_store_t *, const wasm_memorytype_t *);

WASM_API_EXTERN own wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *);

WASM_API_EXTERN byte_t *wasm_memory_data(wasm_memory_t *);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t *);

WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *);
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t *, wasm_memory_pages_t delta);

/* Externals: a func, global, table or memory seen as an import or export.
 * The as_* conversions are borrowed views of the same object; a conversion to
 * the wrong kind returns NULL. */
WASM_DECLARE_REF(extern)
WASM_DECLARE_VEC(extern, *)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t *);
WASM_API_EXTERN own wasm_externtype_t *wasm_extern_type(const wasm_extern_t *);

WASM_API_EXTERN wasm_extern_t *wasm_func_as_extern(wasm_func_t *);
WASM_API_EXTERN wasm_extern_t *wasm_global_as_extern(wasm_global_t *);
WASM_API_EXTERN wasm_extern_t *wasm_table_as_extern(wasm_table_t *);
WASM_API_EXTERN wasm_extern_t *wasm_memory_as_extern(wasm_memory_t *);

WASM_API_EXTERN wasm_func_t *wasm_extern_as_func(wasm_extern_t *);
WASM_API_EXTERN wasm_global_t *wasm_extern_as_global(wasm_extern_t *);
WASM_API_EXTERN wasm_table_t *wasm_extern_as_table(wasm_extern_t *);
WASM_API_EXTERN wasm_memory_t *wasm_extern_as_memory(wasm_extern_t *);

WASM_API_EXTERN const wasm_extern_t *wasm_func_as_extern_const(const wasm_func_t *);
WASM_API_EXTERN const wasm_extern_t *wasm_global_as_extern_const(const wasm_global_t *);
WASM_API_EXTERN const wasm_extern_t *wasm_table_as_extern_const(const wasm_table_t *);
WASM_API_EXTERN const wasm_extern_t *wasm_memory_as_extern_const(const wasm_memory_t *);

WASM_API_EXTERN const wasm_func_t *wasm_extern_as_func_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_global_t *wasm_extern_as_global_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_table_t *wasm_extern_as_table_const(const wasm_extern_t *);
WASM_API_EXTERN const wasm_memory_t *wasm_extern_as_memory_const(const wasm_extern_t *);

/* Instances. `imports` holds one extern per module import, in order. On
 * failure returns NULL and, when `trap` is not NULL, sets *trap: the trap of
 * the start function or of a segment, or a trap describing the link error
 * (unknown or mismatched import). */
WASM_DECLARE_REF(instance)

WASM_API_EXTERN own wasm_instance_t *wasm_instance_new(wasm_store_t *, const wasm_module_t *,
                                                       const wasm_extern_vec_t *imports,
                                                       own wasm_trap_t **trap);

/* One extern per module export, in the module's export order. */
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t *, own wasm_extern_vec_t *out);

/* ---- Convenience ------------------------------------------------------------------------ */

#define WASM_EMPTY_VEC {0, NULL}
#define WASM_ARRAY_VEC(array) {sizeof(array) / sizeof(*(array)), array}

static inline own wasm_valtype_t *wasm_valtype_new_i32(void) {
    return wasm_valtype_new(WASM_I32);
}
static inline own wasm_valtype_t *wasm_valtype_new_i64(void) {
    return wasm_valtype_new(WASM_I64);
}
static inline own wasm_valtype_t *wasm_valtype_new_f32(void) {
    return wasm_valtype_new(WASM_F32);
}
static inline own wasm_valtype_t *wasm_valtype_new_f64(void) {
    return wasm_valtype_new(WASM_F64);
}
static inline own wasm_valtype_t *wasm_valtype_new_externref(void) {
    return wasm_valtype_new(WASM_EXTERNREF);
}
static inline own wasm_valtype_t *wasm_valtype_new_funcref(void) {
    return wasm_valtype_new(WASM_FUNCREF);
}

/* Function types from up to 3 parameters and 2 results: wasm_functype_new_P_R. */
static inline own wasm_functype_t *wasm_functype_new_0_0(void) {
    wasm_valtype_vec_t params, results;
    wasm_valtype_vec_new_empty(&params);
    wasm_valtype_vec_new_empty(&results);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_1_0(own wasm_valtype_t *p) {
    wasm_valtype_t *ps[1];
    wasm_valtype_vec_t params, results;
    ps[0] = p;
    wasm_valtype_vec_new(&params, 1, ps);
    wasm_valtype_vec_new_empty(&results);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_2_0(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2) {
    wasm_valtype_t *ps[2];
    wasm_valtype_vec_t params, results;
    ps[0] = p1;
    ps[1] = p2;
    wasm_valtype_vec_new(&params, 2, ps);
    wasm_valtype_vec_new_empty(&results);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_3_0(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *p3) {
    wasm_valtype_t *ps[3];
    wasm_valtype_vec_t params, results;
    ps[0] = p1;
    ps[1] = p2;
    ps[2] = p3;
    wasm_valtype_vec_new(&params, 3, ps);
    wasm_valtype_vec_new_empty(&results);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_0_1(own wasm_valtype_t *r) {
    wasm_valtype_t *rs[1];
    wasm_valtype_vec_t params, results;
    rs[0] = r;
    wasm_valtype_vec_new_empty(&params);
    wasm_valtype_vec_new(&results, 1, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_1_1(own wasm_valtype_t *p,
                                                         own wasm_valtype_t *r) {
    wasm_valtype_t *ps[1], *rs[1];
    wasm_valtype_vec_t params, results;
    ps[0] = p;
    rs[0] = r;
    wasm_valtype_vec_new(&params, 1, ps);
    wasm_valtype_vec_new(&results, 1, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_2_1(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *r) {
    wasm_valtype_t *ps[2], *rs[1];
    wasm_valtype_vec_t params, results;
    ps[0] = p1;
    ps[1] = p2;
    rs[0] = r;
    wasm_valtype_vec_new(&params, 2, ps);
    wasm_valtype_vec_new(&results, 1, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_3_1(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *p3,
                                                         own wasm_valtype_t *r) {
    wasm_valtype_t *ps[3], *rs[1];
    wasm_valtype_vec_t params, results;
    ps[0] = p1;
    ps[1] = p2;
    ps[2] = p3;
    rs[0] = r;
    wasm_valtype_vec_new(&params, 3, ps);
    wasm_valtype_vec_new(&results, 1, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_0_2(own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2) {
    wasm_valtype_t *rs[2];
    wasm_valtype_vec_t params, results;
    rs[0] = r1;
    rs[1] = r2;
    wasm_valtype_vec_new_empty(&params);
    wasm_valtype_vec_new(&results, 2, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_1_2(own wasm_valtype_t *p,
                                                         own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2) {
    wasm_valtype_t *ps[1], *rs[2];
    wasm_valtype_vec_t params, results;
    ps[0] = p;
    rs[0] = r1;
    rs[1] = r2;
    wasm_valtype_vec_new(&params, 1, ps);
    wasm_valtype_vec_new(&results, 2, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_2_2(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2) {
    wasm_valtype_t *ps[2], *rs[2];
    wasm_valtype_vec_t params, results;
    ps[0] = p1;
    ps[1] = p2;
    rs[0] = r1;
    rs[1] = r2;
    wasm_valtype_vec_new(&params, 2, ps);
    wasm_valtype_vec_new(&results, 2, rs);
    return wasm_functype_new(&params, &results);
}

static inline own wasm_functype_t *wasm_functype_new_3_2(own wasm_valtype_t *p1,
                                                         own wasm_valtype_t *p2,
                                                         own wasm_valtype_t *p3,
                                                         own wasm_valtype_t *r1,
                                                         own wasm_valtype_t *r2) {
    wasm_valtype_t *ps[3], *rs[2];
    wasm_valtype_vec_t params, results;
    ps[0] = p1;
    ps[1] = p2;
    ps[2] = p3;
    rs[0] = r1;
    rs[1] = r2;
    wasm_valtype_vec_new(&params, 3, ps);
    wasm_valtype_vec_new(&results, 2, rs);
    return wasm_functype_new(&params, &results);
}

/* A host pointer carried as an integer value (i32 or i64 by pointer width). */
static inline void wasm_val_init_ptr(own wasm_val_t *out, void *p) {
#if UINTPTR_MAX == UINT32_MAX
    out->kind = WASM_I32;
    out->of.i32 = (int32_t)(intptr_t)p;
#else
    out->kind = WASM_I64;
    out->of.i64 = (int64_t)(intptr_t)p;
#endif
}

static inline void *wasm_val_ptr(const wasm_val_t *val) {
#if UINTPTR_MAX == UINT32_MAX
    return (void *)(intptr_t)val->of.i32;
#else
    return (void *)(intptr_t)val->of.i64;
#endif
}

/* Value initializers (designated initializers: C99, or C++20). */
#define WASM_I32_VAL(i) {.kind = WASM_I32, .of = {.i32 = i}}
#define WASM_I64_VAL(i) {.kind = WASM_I64, .of = {.i64 = i}}
#define WASM_F32_VAL(z) {.kind = WASM_F32, .of = {.f32 = z}}
#define WASM_F64_VAL(z) {.kind = WASM_F64, .of = {.f64 = z}}
#define WASM_REF_VAL(r) {.kind = WASM_EXTERNREF, .of = {.ref = r}}
#define WASM_INIT_VAL {.kind = WASM_EXTERNREF, .of = {.ref = NULL}}

#undef own

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASM_H */
