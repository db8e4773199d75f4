/* Component-model types as C structs: value types (bool ... own/borrow),
 * function, instance, component, module and resource types, extern types and
 * canonical options, with each value type's canonical-ABI layout (size,
 * alignment, flattened core types) computed once when it is built.
 *
 * Ownership: every type lives in an arena (the component IR's); types are
 * immutable once built and shared freely (a type index used twice is the same
 * pointer). Value types form a DAG built children first (the binary only
 * refers to earlier types), so layouts are computed bottom-up by the
 * constructors below or by comp_valtype_finish.
 *
 * This header is a contract between the decoder/validator (comp_ir.h,
 * comp_decode.c, comp_valid.c) and the ABI/plan/runtime (cabi_*, comp_plan.c):
 * changes are additive only. */
#ifndef WASMC_COMPONENT_COMP_TYPES_H
#define WASMC_COMPONENT_COMP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/base.h"
#include "../syntax/ir.h"

#define COMP_NONE UINT32_MAX /* "no index" in optional index fields */

/* Canonical ABI limits (spec: Canonical ABI > Flattening). */
#define COMP_MAX_FLAT_PARAMS 16
#define COMP_MAX_FLAT_RESULTS 1
#define COMP_MAX_FLAT_ASYNC_PARAMS 4
/* Deepest value type nesting the ABI and value API accept (C recursion bound);
 * the validator rejects deeper types. */
#define COMP_MAX_TYPE_DEPTH 100

/* ---- Value types ------------------------------------------------------------ */

/* The binary's codes are given for the primitives (valtype/primvaltype in
 * Binary.md) so the decoder can map a byte with comp_valkind_from_code. */
typedef enum CompValKind {
    CVT_BOOL,
    CVT_S8,
    CVT_U8,
    CVT_S16,
    CVT_U16,
    CVT_S32,
    CVT_U32,
    CVT_S64,
    CVT_U64,
    CVT_F32,
    CVT_F64,
    CVT_CHAR,
    CVT_STRING,
    CVT_ERROR_CONTEXT, /* async: decoded; the ABI reports ERR_UNSUPPORTED */
    /* compound */
    CVT_LIST,       /* elem */
    CVT_FIXED_LIST, /* elem, n = length (component_model_fixed_length_lists) */
    CVT_RECORD,     /* fields[n] */
    CVT_TUPLE,      /* elems[n] */
    CVT_VARIANT,    /* cases[n] */
    CVT_ENUM,       /* labels[n] */
    CVT_OPTION,     /* elem */
    CVT_RESULT,     /* result.ok / result.err, each may be NULL */
    CVT_FLAGS,      /* labels[n] */
    CVT_OWN,        /* resource */
    CVT_BORROW,     /* resource */
    CVT_MAP,        /* map.key, map.value (component_model_map); ABI: list<tuple<k, v>> */
    CVT_STREAM,     /* async: elem may be NULL; ABI reports ERR_UNSUPPORTED */
    CVT_FUTURE,     /* async: elem may be NULL; ABI reports ERR_UNSUPPORTED */
    CVT_COUNT
} CompValKind;

typedef struct CompValType CompValType;
typedef struct CompResourceType CompResourceType;

/* A named value: record field, function parameter or named result (name NULL
 * for an unnamed result). Names are NUL-terminated UTF-8 in the arena. */
typedef struct CompField {
    const char *name;
    const CompValType *type;
} CompField;

/* A variant case: payload type NULL when the case carries none; `refines` is
 * the index of the case it refines, or COMP_NONE (deprecated, kept for
 * decoding). */
typedef struct CompCase {
    const char *name;
    const CompValType *type;
    uint32_t refines;
} CompCase;

/* What a value type contains, for canonical-option checks and fast paths. */
enum {
    CVT_HAS_MEMORY = 1,   /* strings or lists: lifting/lowering needs `memory` */
    CVT_HAS_REALLOC = 2,  /* strings or lists: lowering needs `realloc` */
    CVT_HAS_OWN = 4,
    CVT_HAS_BORROW = 8,
    CVT_HAS_ASYNC = 16,   /* stream, future or error-context inside */
    CVT_HAS_FLOAT = 32,
};

/* Canonical-ABI layout of a value type (spec: Canonical ABI > Alignment,
 * Element Size, Flattening). Sizes and counts saturate at UINT32_MAX: such a
 * type can never be stored in a 32-bit memory and lifting it traps on bounds. */
typedef struct CompLayout {
    uint32_t size;   /* elem_size */
    uint32_t align;  /* 1, 2, 4 or 8 */
    uint32_t n_flat; /* number of flattened core values */
    uint16_t depth;  /* 1 for a primitive, 1 + deepest child otherwise */
    uint8_t contains; /* CVT_HAS_* bits */
} CompLayout;

/* A value type. `n` counts fields / elems / cases / labels (and is the length
 * of a fixed-length list). Invariant: `abi` is filled (constructors, or
 * comp_valtype_finish after the children are finished). Record, tuple,
 * variant, enum and flags have n >= 1 (the validator rejects empty ones). */
struct CompValType {
    uint8_t kind; /* CompValKind */
    uint32_t n;
    union {
        const CompValType *elem;         /* list, fixed list, option, stream, future */
        const CompField *fields;         /* record */
        const CompValType *const *elems; /* tuple */
        const CompCase *cases;           /* variant */
        const char *const *labels;       /* enum, flags */
        struct {
            const CompValType *ok, *err;
        } result;
        const CompResourceType *resource; /* own, borrow */
        struct {
            const CompValType *key, *value;
        } map;
    };
    CompLayout abi;
    /* own/borrow (validator): which alias of `resource` the type index named,
     * for the export/import visibility rules (an exported type is a new alias
     * of the same resource); NULL = the resource itself. NULL elsewhere. */
    const void *alias;
};

/* The shared, statically allocated primitive types (bool ... string,
 * error-context); NULL for a compound kind. */
const CompValType *comp_prim(CompValKind kind);
/* Map a primvaltype byte of the binary (0x7f bool ... 0x73 string, 0x64
 * error-context) to its kind; false if `code` is not a primitive. */
bool comp_valkind_from_code(uint8_t code, CompValKind *out);
/* Kind name as in the text format ("u32", "list", "own", ...). */
const char *comp_valkind_name(CompValKind kind);

/* Constructors: allocate in `arena`, compute the layout; NULL on allocation
 * failure. Arrays passed in must live in the same arena (they are kept, not
 * copied). */
CompValType *comp_type_list(Arena *arena, const CompValType *elem);
CompValType *comp_type_fixed_list(Arena *arena, const CompValType *elem, uint32_t length);
CompValType *comp_type_record(Arena *arena, const CompField *fields, uint32_t n);
CompValType *comp_type_tuple(Arena *arena, const CompValType *const *elems, uint32_t n);
CompValType *comp_type_variant(Arena *arena, const CompCase *cases, uint32_t n);
CompValType *comp_type_enum(Arena *arena, const char *const *labels, uint32_t n);
CompValType *comp_type_option(Arena *arena, const CompValType *elem);
CompValType *comp_type_result(Arena *arena, const CompValType *ok, const CompValType *err);
CompValType *comp_type_flags(Arena *arena, const char *const *labels, uint32_t n);
CompValType *comp_type_own(Arena *arena, const CompResourceType *resource);
CompValType *comp_type_borrow(Arena *arena, const CompResourceType *resource);
CompValType *comp_type_map(Arena *arena, const CompValType *key, const CompValType *value);
/* stream / future (elem may be NULL) */
CompValType *comp_type_async(Arena *arena, CompValKind kind, const CompValType *elem);

/* Compute t->abi from t's children (which must be finished). For callers that
 * fill a CompValType themselves. */
void comp_valtype_finish(CompValType *t);

/* Flatten `t` (spec: flatten_type): writes at most `cap` core types (VK_I32,
 * VK_I64, VK_F32, VK_F64) to out and returns the full count (t->abi.n_flat). */
uint32_t comp_flatten_type(const CompValType *t, uint8_t *out, uint32_t cap);

/* The discriminant's byte size of a variant-like type with n cases (1, 2, 4). */
uint32_t comp_discriminant_size(uint32_t n_cases);
/* Byte offset of a variant-like type's payload (after the discriminant,
 * aligned to the largest case alignment); `t` is a variant, enum, option or
 * result. */
uint32_t comp_payload_offset(const CompValType *t);
/* Number of cases of a variant-like type (variant n, enum n, option 2, result 2)
 * and the payload type of case i (NULL for none). */
uint32_t comp_case_count(const CompValType *t);
const CompValType *comp_case_type(const CompValType *t, uint32_t i);
/* Byte offset of field/elem i of a record or tuple. */
uint32_t comp_field_offset(const CompValType *t, uint32_t i);
/* Field/elem i's type of a record or tuple. */
const CompValType *comp_field_type(const CompValType *t, uint32_t i);

static inline uint32_t comp_align_to(uint32_t ptr, uint32_t align) {
    uint64_t r = ((uint64_t)ptr + align - 1) / align * align;
    return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

/* ---- Resource types ------------------------------------------------------------ */

/* A resource type as the validator sees it: one descriptor per distinct
 * static resource type. The decoder/validator creates a fresh descriptor for
 * (a) each `(resource (rep i32) (dtor ...))` definition, (b) each type import
 * or export bound `(sub resource)` — including those inside the instance and
 * component types of imports, freshly for each import, so two imports of one
 * instance type get distinct resources. `eq` bounds and aliases resolve to the
 * descriptor they name (no new one). own/borrow point at the descriptor their
 * type index resolves to. The plan binds each descriptor to a runtime resource
 * type per instantiation (comp_plan.c), so ids must be unique within a
 * top-level component (dense from 0 is best: the plan indexes arrays by id). */
struct CompResourceType {
    uint32_t id;
    bool defined;     /* (a): has a representation and maybe a destructor */
    ValType rep;      /* defined: the representation (i32) */
    uint32_t dtor;    /* defined: core func index (in the defining component's
                         core func space) of the destructor, or COMP_NONE */
    const char *name; /* for messages: the import/export name, or NULL */
};

/* ---- Function, instance, component, module types ------------------------------- */

typedef struct CompFuncType {
    const CompField *params;
    uint32_t n_params;
    const CompField *results; /* 0 or 1 unnamed (name NULL), or named (legacy) */
    uint32_t n_results;
    bool async_;
} CompFuncType;

typedef enum CompExternKind {
    CEXT_MODULE = 0, /* core module */
    CEXT_FUNC,
    CEXT_VALUE,
    CEXT_TYPE,
    CEXT_COMPONENT,
    CEXT_INSTANCE,
} CompExternKind;

typedef struct CompDefType CompDefType;
typedef struct CompInstanceType CompInstanceType;
typedef struct CompComponentType CompComponentType;
typedef struct CompModuleType CompModuleType;

/* The bound of a type import/export: `(eq T)` or `(sub resource)`. For
 * sub resource `resource` is the fresh descriptor and eq is NULL; for eq,
 * `eq` is the type and `resource` is set too when that type is a resource. */
typedef struct CompTypeBound {
    bool sub_resource;
    const CompDefType *eq;
    const CompResourceType *resource;
    const void *alias; /* resource: the alias this import/export introduces (see
                          CompValType.alias); NULL = the resource itself */
} CompTypeBound;

/* An extern type: what an import or export carries. */
typedef struct CompExternType {
    uint8_t kind; /* CompExternKind */
    union {
        const CompModuleType *module;
        const CompFuncType *func;
        const CompValType *value;
        CompTypeBound type;
        const CompComponentType *component;
        const CompInstanceType *instance;
    };
} CompExternType;

/* A named import or export. `name` is the full extern name as written (plain
 * kebab, `[method]r.m`, interface `ns:pkg/iface@1.0.0`, ...). */
typedef struct CompExternDecl {
    const char *name;
    CompExternType type;
} CompExternDecl;

/* `defined` (validator): the resources this type itself introduces, made
 * fresh each time it is instantiated (component) or attached to an import or
 * export (an instance type declaration's `(sub resource)` exports); a
 * concrete instance's type has none. */
struct CompInstanceType {
    const CompExternDecl *exports;
    uint32_t n_exports;
    const CompResourceType *const *defined;
    uint32_t n_defined;
};

struct CompComponentType {
    const CompExternDecl *imports;
    uint32_t n_imports;
    const CompExternDecl *exports;
    uint32_t n_exports;
    const CompResourceType *const *defined;
    uint32_t n_defined;
};

/* A core extern type (module types, core instance exports). */
typedef struct CompCoreExtern {
    uint8_t kind; /* ExternKind */
    union {
        const FuncType *func; /* EXTERN_FUNC and EXTERN_TAG (the tag's signature) */
        TableType table;
        MemType memory;
        GlobalType global;
    };
} CompCoreExtern;

typedef struct CompCoreImportDecl {
    const char *module, *field;
    CompCoreExtern type;
} CompCoreImportDecl;

typedef struct CompCoreExportDecl {
    const char *name;
    CompCoreExtern type;
} CompCoreExportDecl;

struct CompModuleType {
    const CompCoreImportDecl *imports;
    uint32_t n_imports;
    const CompCoreExportDecl *exports;
    uint32_t n_exports;
};

/* An entry of a component's type index space. */
typedef enum CompDefKind {
    CDEF_VAL = 0,
    CDEF_FUNC,
    CDEF_COMPONENT,
    CDEF_INSTANCE,
    CDEF_RESOURCE,
} CompDefKind;

struct CompDefType {
    uint8_t kind; /* CompDefKind */
    union {
        const CompValType *val;
        const CompFuncType *func;
        const CompComponentType *component;
        const CompInstanceType *instance;
        const CompResourceType *resource;
    };
};

/* ---- Canonical options ------------------------------------------------------------ */

typedef enum CompStringEncoding {
    COMP_STR_UTF8 = 0,
    COMP_STR_UTF16,
    COMP_STR_LATIN1_UTF16,
} CompStringEncoding;

/* The options of a `canon lift` / `canon lower` as written: indices are in
 * the component's core memory and core func index spaces (COMP_NONE: absent). */
typedef struct CompCanonOpts {
    uint8_t string_encoding; /* CompStringEncoding; utf8 by default */
    uint32_t memory;
    uint32_t realloc;
    uint32_t post_return;
    uint32_t callback; /* async only */
    bool async_;
} CompCanonOpts;

void comp_canon_opts_default(CompCanonOpts *out);

/* The core function type of a function of type `ft` lifted (lower=false) or
 * lowered (lower=true) with synchronous options (spec: flatten_functype):
 * params beyond COMP_MAX_FLAT_PARAMS become one i32 pointer; results beyond
 * COMP_MAX_FLAT_RESULTS become an i32 return pointer (lift) or an extra i32
 * param (lower). Arrays allocated in `arena`. ERR_NOMEM only. */
Err comp_func_core_type(const CompFuncType *ft, bool lower, Arena *arena, FuncType *out,
                        Diag *diag) WARN_UNUSED;
/* Flattened counts of the parameters / results (saturating). */
uint32_t comp_func_flat_params(const CompFuncType *ft);
uint32_t comp_func_flat_results(const CompFuncType *ft);

#endif
