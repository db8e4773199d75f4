/* Internals of the component validator (comp_valid.c: definitions and index
 * spaces; comp_valid_types.c: building types; comp_valid_sub.c: substitution
 * and subtyping; comp_valid_named.c: visibility of types in imports and
 * exports; comp_names.c: import/export name rules). A VScope is a component,
 * or a component/instance type being declared; each holds its own index
 * spaces. */
#ifndef WASMC_COMPONENT_COMP_VALID_INT_H
#define WASMC_COMPONENT_COMP_VALID_INT_H

#include "component_front.h"

typedef VEC(CompSpaceEntry) SpaceVec;
typedef VEC(CompExternDecl) DeclVec;
typedef VEC(const CompResourceType *) ResVec;

/* The identity a type has for the visibility rules (Explainer.md: external
 * visibility of types): a nameable value type (record, variant, enum, flags)
 * is {the CompValType, NULL}; a resource reference is {resource, alias}.
 * Exporting or importing a type (`eq` bound) creates a new identity for the
 * same type, as wasmparser's `with_unique` does. */
typedef struct NameId {
    const void *a, *b;
} NameId;
typedef VEC(NameId) NameSet;

typedef enum VScopeKind { VS_COMPONENT, VS_COMPONENT_TYPE, VS_INSTANCE_TYPE } VScopeKind;

typedef struct VScope {
    struct VScope *parent;
    uint8_t kind; /* VScopeKind */
    SpaceVec space[CSORT_COUNT];
    DeclVec imports, exports;
    ResVec local;   /* resources defined here by `(resource ...)` */
    ResVec defined; /* local + fresh ones of instantiations and exported
                       `(sub resource)`s: the type's CompComponentType.defined */
    NameSet named_imp, named_exp; /* types usable by imports / exports */
} VScope;

typedef struct Size64 {
    const CompValType *t;
    uint64_t size;
    uint32_t align;
} Size64;

typedef struct V {
    Arena *arena;
    Diag *diag;
    TypeRegistry *reg;
    VScope *scope;
    uint32_t offset;    /* of the definition being validated */
    uint32_t *n_resources;
    uint32_t features;  /* COMP_FEAT_* */
    bool oom;           /* an allocation failed where no Err could be returned */
    VEC(Size64) size64; /* memo of 64-bit-pointer layouts (comp_valid_types.c) */
    /* The first wasmtime restriction broken (reported only when the component
     * is otherwise valid, as wasmtime checks them after validation). */
    bool restricted;
    uint32_t restrict_offset;
    char restrict_msg[DIAG_MSG_MAX];
} V;

/* A substitution: resource from[i] becomes to[i]; type identity ren_from[i]
 * becomes ren_to[i] (an instantiated component's type imports become the
 * arguments); memo caches substituted value types (cleared on any change). */
typedef struct RMap {
    ResVec from, to;
    NameSet ren_from, ren_to;
    VEC(const CompValType *) memo_from, memo_to;
} RMap;

Err cv_fail(V *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
Err cv_nomem(V *v);
/* Record a wasmtime restriction (the first one wins). */
void cv_restrict(V *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
void *cv_alloc(V *v, size_t n, size_t size);
const char *cv_sort_name(uint8_t sort);
Err cv_get(V *v, uint8_t sort, uint32_t idx, CompSpaceEntry *out) WARN_UNUSED;
Err cv_push(V *v, uint8_t sort, const CompSpaceEntry *e) WARN_UNUSED;
void cv_scope_init(VScope *s, VScopeKind kind, VScope *parent);
void cv_scope_fini(VScope *s);
CompResourceType *cv_new_resource(V *v, const char *name);
Err cv_copy_resources(V *v, const ResVec *r, const CompResourceType *const **out, uint32_t *n)
    WARN_UNUSED;
/* Add an import or export of type t (attached, visibility-checked, named) to
 * the current scope and its index space. */
Err cv_add_extern(V *v, bool is_import, const CompExternName *name, CompExternType *t,
                  bool imported) WARN_UNUSED;

/* ---- comp_valid_types.c ----------------------------------------------------- */

Err cv_valtype(V *v, CompValRef r, const CompValType **out) WARN_UNUSED;
/* Build a defined type (any kind) in the current scope. */
Err cv_deftype(V *v, const CompTypeDef *t, const CompDefType **out) WARN_UNUSED;
Err cv_core_type(V *v, const CompCoreTypeDef *t, CompSpaceEntry *out) WARN_UNUSED;
Err cv_externdesc(V *v, const CompExternDesc *d, const char *name, CompExternType *out) WARN_UNUSED;
/* The index-space entry and sort an extern type introduces. */
Err cv_extern_entry(V *v, const CompExternType *t, uint8_t *out_sort, CompSpaceEntry *out) WARN_UNUSED;
/* Check a type declaration alias/decl inside a component or instance type. */
Err cv_alias(V *v, const CompAlias *a) WARN_UNUSED;

void rmap_fini(RMap *m);
Err rmap_add(V *v, RMap *m, const CompResourceType *from, const CompResourceType *to) WARN_UNUSED;
Err cv_subst_extern(V *v, RMap *m, const CompExternType *t, CompExternType *out) WARN_UNUSED;
/* Fresh copies of `defined` added to m (and to the current scope's defined
 * resources when `define`). */
Err cv_freshen(V *v, const CompResourceType *const *defined, uint32_t n, RMap *m,
               bool define) WARN_UNUSED;
/* After `actual` satisfied import type `expected`: map expected's type
 * identities to actual's (wasmparser: register_type_renamings). */
Err cv_rename(V *v, RMap *m, const CompExternType *actual, const CompExternType *expected)
    WARN_UNUSED;
/* An instance type attached to an import or export: its own `(sub resource)`
 * exports become fresh resources (defined in this scope for an export). */
Err cv_attach_instance(V *v, CompExternType *t, bool is_import) WARN_UNUSED;

/* Subtyping: sub <: super. On false, writes the reason to msg. `bind` (may be
 * NULL) receives super's not-yet-bound abstract resources -> sub's. */
bool cv_extern_sub(V *v, const CompExternType *sub, const CompExternType *super, RMap *bind,
                   char *msg, size_t size);
bool cv_val_sub(const CompValType *a, const CompValType *b, char *msg, size_t size);
bool cv_core_func_eq(const FuncType *a, const FuncType *b);
/* Core extern subtyping (module types, instantiation arguments): a <: b. */
bool cv_core_extern_sub(const CompCoreExtern *a, const CompCoreExtern *b, char *msg,
                        size_t size);

bool cv_val_has_borrow(const CompValType *t);

/* ---- comp_valid_named.c ------------------------------------------------------ */

NameId cv_bound_ident(const CompTypeBound *b);
/* wasmparser's with_unique: give an `eq` type bound a new identity. */
Err cv_unique_bound(V *v, CompTypeBound *b) WARN_UNUSED;
/* Check that every type `t` refers to is named in the current scope (for an
 * import or export) and register the types it introduces; false when not
 * ("<kind> not valid to be used as <import|export>"). */
bool cv_register_named(V *v, bool is_import, const CompExternType *t);
const char *cv_extern_desc(uint8_t kind);
/* Does a type refer to resources it does not itself introduce? */
bool cv_deftype_has_free(V *v, const CompDefType *t);

/* ---- comp_names.c ----------------------------------------------------------- */

/* Validate an import/export name and its uniqueness against `prev`. */
/* `names` (may be NULL: none) are the decls whose resource types give
 * `[method]r.m` etc. their resource names. */
Err cv_extern_name(V *v, const CompExternName *n, bool is_import, const CompExternType *t,
                   const DeclVec *prev, const DeclVec *names) WARN_UNUSED;
/* A label (kebab case) of a record field etc.: "<what> name `x` is not in kebab case". */
Err cv_label(V *v, Name n, const char *what) WARN_UNUSED;
/* Labels unique ignoring case: "<what> name `x` conflicts with previous <what2> name `y`". */
Err cv_unique_labels(V *v, const Name *names, uint32_t n, size_t stride, const char *what,
                     const char *prev_what) WARN_UNUSED;

#endif
