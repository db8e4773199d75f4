/* The component IR: a decoded component binary as C structs, one CompDef per
 * definition in binary order (sections flattened), with nested components
 * and embedded core modules (decoded Module IR). comp_decode fills the
 * syntactic part; comp_validate fills the fields marked "validator:" (the
 * semantic types of every index space, built from comp_types.h).
 * Everything lives in the top-level component's arena; a CompComponent is
 * immutable once validated. */
#ifndef WASMC_COMPONENT_COMP_IR_H
#define WASMC_COMPONENT_COMP_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/base.h"
#include "../syntax/ir.h"
#include "comp_types.h"

#define COMP_VERSION 0x0du

/* Optional validation features (CompComponent.features, set by comp_decode to
 * COMP_FEATURES_DEFAULT; a caller may change them before comp_validate).
 * `implements` is on by default as in wasm-tools (the spec suite uses it);
 * wasmtime's config has it off, and its scripts say so with
 * `;;! component_model_implements = false`, which the wast runner applies. */
#define COMP_FEAT_IMPLEMENTS 1u /* `implements` / `external-id` name attributes */
#define COMP_FEATURES_DEFAULT COMP_FEAT_IMPLEMENTS

/* Sorts, as one enum for core and component index spaces. */
typedef enum CompSort {
    CSORT_CORE_FUNC,
    CSORT_CORE_TABLE,
    CSORT_CORE_MEMORY,
    CSORT_CORE_GLOBAL,
    CSORT_CORE_TAG,
    CSORT_CORE_TYPE,
    CSORT_CORE_MODULE,
    CSORT_CORE_INSTANCE,
    CSORT_FUNC,
    CSORT_VALUE,
    CSORT_TYPE,
    CSORT_COMPONENT,
    CSORT_INSTANCE,
    CSORT_COUNT
} CompSort;

typedef struct CompSortIdx {
    uint8_t sort; /* CompSort */
    uint32_t idx;
} CompSortIdx;

/* An import/export name with its attributes (Binary.md importname'). */
typedef struct CompExternName {
    Name name;
    bool has_implements, has_external_id, has_version;
    bool dup_implements; /* two `implements` attributes: invalid */
    Name implements, external_id, version;
} CompExternName;

/* ---- Syntactic types -------------------------------------------------------- */

/* A valtype: a primitive (CompValKind < CVT_LIST) or a type index. */
typedef struct CompValRef {
    bool is_index;
    uint8_t prim; /* CompValKind when !is_index */
    uint32_t idx;
} CompValRef;

typedef struct CompNamedRef {
    Name name;
    CompValRef type;
} CompNamedRef;

typedef struct CompCaseDef {
    Name name;
    bool has_type;
    CompValRef type;
} CompCaseDef;

typedef enum CompTypeDefKind {
    CTD_PRIM,     /* prim */
    CTD_RECORD,   /* fields */
    CTD_VARIANT,  /* cases */
    CTD_LIST,     /* elem */
    CTD_FIXED_LIST, /* elem, length */
    CTD_TUPLE,    /* elems */
    CTD_FLAGS,    /* labels */
    CTD_ENUM,     /* labels */
    CTD_OPTION,   /* elem */
    CTD_RESULT,   /* ok/err (has_ok/has_err) */
    CTD_OWN,      /* idx */
    CTD_BORROW,   /* idx */
    CTD_STREAM,   /* elem (has_elem) */
    CTD_FUTURE,   /* elem (has_elem) */
    CTD_MAP,      /* key, value */
    CTD_FUNC,     /* params, result */
    CTD_COMPONENT, /* decls */
    CTD_INSTANCE, /* decls */
    CTD_RESOURCE, /* dtor */
} CompTypeDefKind;

typedef struct CompDecl CompDecl;

typedef struct CompTypeDef {
    uint8_t kind; /* CompTypeDefKind */
    uint8_t prim;
    bool async_;  /* func: 0x43 */
    bool has_ok, has_err, has_elem, has_dtor, has_result;
    CompValRef elem, ok, err, key, value, result;
    uint32_t n;   /* fields / cases / elems / labels / params / decls */
    CompNamedRef *fields; /* record fields, func params */
    CompCaseDef *cases;
    CompValRef *elems;
    Name *labels;
    CompDecl *decls;
    uint32_t idx;    /* own/borrow: type index; fixed list: length; resource: dtor */
    uint32_t offset; /* byte offset in the binary, for messages */
} CompTypeDef;

/* An extern description (Binary.md externdesc). */
typedef enum CompDescKind {
    CDESC_MODULE = 0,   /* idx: core type */
    CDESC_FUNC,         /* idx: type */
    CDESC_VALUE,        /* value_eq ? idx : valtype */
    CDESC_TYPE,         /* sub_resource ? - : eq idx */
    CDESC_COMPONENT,    /* idx: type */
    CDESC_INSTANCE,     /* idx: type */
} CompDescKind;

typedef struct CompExternDesc {
    uint8_t kind; /* CompDescKind */
    bool sub_resource;
    bool value_eq;
    uint32_t idx;
    CompValRef valtype;
} CompExternDesc;

/* A core type: a function type, or a module type (decls). */
typedef enum CompCoreDeclKind {
    CCD_IMPORT,
    CCD_TYPE,
    CCD_ALIAS, /* outer: ct, idx */
    CCD_EXPORT,
} CompCoreDeclKind;

typedef struct CompCoreDesc {
    uint8_t kind; /* ExternKind (EXTERN_FUNC, ...) */
    uint32_t type;   /* func / tag: core type index */
    TableType table;
    MemType memory;
    GlobalType global;
} CompCoreDesc;

typedef struct CompCoreTypeDef CompCoreTypeDef;

typedef struct CompCoreDecl {
    uint8_t kind; /* CompCoreDeclKind */
    Name module, name;
    CompCoreDesc desc;
    CompCoreTypeDef *type; /* CCD_TYPE */
    uint32_t ct, idx;      /* CCD_ALIAS */
} CompCoreDecl;

struct CompCoreTypeDef {
    bool is_module;
    FuncType func; /* !is_module */
    uint32_t n_decls;
    CompCoreDecl *decls;
    uint32_t offset;
};

/* ---- Definitions ------------------------------------------------------------ */

typedef enum CompAliasKind { CALIAS_EXPORT, CALIAS_CORE_EXPORT, CALIAS_OUTER } CompAliasKind;

typedef struct CompAlias {
    uint8_t sort;  /* CompSort */
    uint8_t kind;  /* CompAliasKind */
    uint32_t instance; /* export, core export */
    Name name;
    uint32_t ct, idx;  /* outer */
} CompAlias;

/* Component or instance type declarators. */
typedef enum CompDeclKind {
    CDECL_CORE_TYPE,
    CDECL_TYPE,
    CDECL_ALIAS,
    CDECL_IMPORT,
    CDECL_EXPORT,
} CompDeclKind;

struct CompDecl {
    uint8_t kind; /* CompDeclKind */
    CompCoreTypeDef *core_type;
    CompTypeDef *type;
    CompAlias alias;
    CompExternName name;
    CompExternDesc desc;
    uint32_t offset;
};

/* Canonical built-ins, by their binary opcode (Binary.md canon). */
typedef enum CompCanonOp {
    CCANON_LIFT = 0x00,
    CCANON_LOWER = 0x01,
    CCANON_RESOURCE_NEW = 0x02,
    CCANON_RESOURCE_DROP = 0x03,
    CCANON_RESOURCE_REP = 0x04,
    CCANON_RESOURCE_DROP_ASYNC = 0x07,
    /* 0x05.. : async and thread built-ins, decoded with their operands */
} CompCanonOp;

typedef struct CompCanon {
    uint8_t op;        /* CompCanonOp or another canon opcode */
    uint32_t func;     /* lift: core func; lower: func */
    uint32_t type;     /* lift: func type; resource.*, stream/future.*: type; thread: core type */
    uint32_t table;    /* thread.new-indirect / spawn-indirect */
    bool flag;         /* async / cancellable immediates */
    bool has_result;   /* task.return */
    CompValRef result; /* task.return */
    uint8_t ctx_type;  /* context.get/set: core value type */
    uint32_t ctx_index;
    uint32_t memory;   /* waitable-set.wait/poll */
    uint32_t n_opts;
    uint8_t *opt_codes; /* raw option codes, in order */
    uint32_t *opt_args;
    CompCanonOpts opts; /* validator: the options, checked */
} CompCanon;

typedef struct CompCoreInstance {
    bool instantiate;
    uint32_t module;
    uint32_t n; /* args or exports */
    Name *names;
    CompSortIdx *items; /* instantiate: instance indices; exports: core sortidx */
} CompCoreInstance;

typedef struct CompInstanceDef {
    bool instantiate;
    uint32_t component;
    uint32_t n;
    Name *names;                 /* instantiate args */
    CompExternName *export_names; /* exports */
    CompSortIdx *items;
} CompInstanceDef;

typedef struct CompStart {
    uint32_t func;
    uint32_t n_args;
    uint32_t *args;
    uint32_t n_results;
} CompStart;

typedef struct CompExport {
    CompExternName name;
    CompSortIdx item;
    bool has_desc;
    CompExternDesc desc;
} CompExport;

typedef struct CompImport {
    CompExternName name;
    CompExternDesc desc;
} CompImport;

typedef struct CompComponent CompComponent;

typedef enum CompDefKind2 {
    CD_CORE_MODULE,
    CD_CORE_INSTANCE,
    CD_CORE_TYPE,
    CD_COMPONENT,
    CD_INSTANCE,
    CD_ALIAS,
    CD_TYPE,
    CD_CANON,
    CD_START,
    CD_IMPORT,
    CD_EXPORT,
} CompDefKind2;

typedef struct CompDef {
    uint8_t kind;    /* CompDefKind2 */
    uint32_t offset; /* byte offset in the top-level binary */
    union {
        struct {
            const uint8_t *bytes; /* the embedded module (in the arena) */
            uint32_t len;
            Module *mod;          /* decoded, validated by comp_validate */
        } module;
        CompCoreInstance core_instance;
        CompCoreTypeDef *core_type;
        CompComponent *component;
        CompInstanceDef instance;
        CompAlias alias;
        CompTypeDef *type;
        CompCanon canon;
        CompStart start;
        CompImport import;
        CompExport export_;
    };
} CompDef;

/* ---- Validator results: the index spaces ------------------------------------ */

/* A core instance's exports. */
typedef struct CompCoreInstanceType {
    uint32_t n;
    const CompCoreExportDecl *exports;
} CompCoreInstanceType;

/* One entry of a component index space (validator). */
typedef struct CompSpaceEntry {
    union {
        const FuncType *core_func;
        TableType core_table;
        MemType core_memory;
        GlobalType core_global;
        const FuncType *core_tag;
        const CompModuleType *core_module;
        const CompCoreInstanceType *core_instance;
        const CompFuncType *func;
        const CompValType *value;
        const CompDefType *type;
        const CompComponentType *component;
        const CompInstanceType *instance;
    };
    bool imported;                        /* CSORT_FUNC: an import or taken from an import */
    const void *alias;                    /* CSORT_TYPE resource: CompValType.alias */
    bool core_type_is_module;             /* CSORT_CORE_TYPE */
    const CompModuleType *core_module_type; /* CSORT_CORE_TYPE when a module type */
    const FuncType *core_func_type;       /* CSORT_CORE_TYPE when a func type */
} CompSpaceEntry;

struct CompComponent {
    Arena *arena;        /* the top-level component's arena (owned by it) */
    Arena own_arena;     /* top level only */
    bool is_root;
    CompComponent *parent;
    uint32_t n_defs;
    CompDef *defs;

    uint32_t features; /* root: COMP_FEAT_* enabled for comp_validate */

    /* validator: */
    bool validated;
    uint32_t space_len[CSORT_COUNT];
    CompSpaceEntry *space[CSORT_COUNT];
    const CompComponentType *type; /* imports and exports */
    uint32_t n_resources;          /* root: resource descriptors created (ids 0..n-1) */
};

void comp_ir_delete(CompComponent *c);

#endif
