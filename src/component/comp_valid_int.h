/* Internals of the component validator (comp_valid.c: definitions and index
 * spaces; comp_valid_types.c: building types, substitution, subtyping;
 * comp_names.c: import/export name rules). A VScope is a component, or a
 * component/instance type being declared; each holds its own index spaces. */
#ifndef WASMC_COMPONENT_COMP_VALID_INT_H
#define WASMC_COMPONENT_COMP_VALID_INT_H

#include "component_front.h"

typedef VEC(CompSpaceEntry) SpaceVec;
typedef VEC(CompExternDecl) DeclVec;

typedef enum VScopeKind { VS_COMPONENT, VS_COMPONENT_TYPE, VS_INSTANCE_TYPE } VScopeKind;

typedef struct VScope {
    struct VScope *parent;
    uint8_t kind; /* VScopeKind */
    SpaceVec space[CSORT_COUNT];
    DeclVec imports, exports;
    VEC(const CompResourceType *) local; /* resources defined here */
} VScope;

typedef struct V {
    Arena *arena;
    Diag *diag;
    TypeRegistry *reg;
    VScope *scope;
    uint32_t offset;    /* of the definition being validated */
    uint32_t *n_resources;
} V;

/* A resource substitution: from[i] becomes to[i]. */
typedef struct RMap {
    VEC(const CompResourceType *) from, to;
} RMap;

Err cv_fail(V *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
Err cv_nomem(V *v);
void *cv_alloc(V *v, size_t n, size_t size);
const char *cv_sort_name(uint8_t sort);
Err cv_get(V *v, uint8_t sort, uint32_t idx, CompSpaceEntry *out) WARN_UNUSED;
Err cv_push(V *v, uint8_t sort, const CompSpaceEntry *e) WARN_UNUSED;
void cv_scope_init(VScope *s, VScopeKind kind, VScope *parent);
void cv_scope_fini(VScope *s);
CompResourceType *cv_new_resource(V *v, const char *name);

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
Err cv_subst_extern(V *v, const RMap *m, const CompExternType *t, CompExternType *out) WARN_UNUSED;
/* Fresh copies of the resources an instance/component's exports declare
 * (sub resource bounds), added to m. */
Err cv_fresh_exports(V *v, const CompExternDecl *ex, uint32_t n, RMap *m) WARN_UNUSED;

/* Subtyping: sub <: super. On false, writes the reason to msg. `bind` (may be
 * NULL) receives super's not-yet-bound abstract resources -> sub's. */
bool cv_extern_sub(V *v, const CompExternType *sub, const CompExternType *super, RMap *bind,
                   char *msg, size_t size);
bool cv_val_sub(const CompValType *a, const CompValType *b, char *msg, size_t size);
bool cv_core_func_eq(const FuncType *a, const FuncType *b);

/* Does t (transitively) use a resource that is not named in the current
 * scope's imports/exports? */
bool cv_type_uses_unnamed(V *v, const CompExternType *t, const CompExternDecl *extra,
                          uint32_t n_extra);
bool cv_val_has_borrow(const CompValType *t);

/* ---- comp_names.c ----------------------------------------------------------- */

/* Validate an import/export name and its uniqueness against `prev`. */
Err cv_extern_name(V *v, const CompExternName *n, bool is_import, const CompExternType *t,
                   const DeclVec *prev) WARN_UNUSED;
/* A label (kebab case) of a record field etc.: "<what> name `x` is not in kebab case". */
Err cv_label(V *v, Name n, const char *what) WARN_UNUSED;
/* Labels unique ignoring case: "<what> name `x` conflicts with previous <what2> name `y`". */
Err cv_unique_labels(V *v, const Name *names, uint32_t n, size_t stride, const char *what,
                     const char *prev_what) WARN_UNUSED;

#endif
