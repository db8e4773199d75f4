/* The module layer's public header: validation of a decoded Module and the
 * engine-wide canonical type registry (iso-recursive type equivalence). */
#ifndef WASMC_MODULE_MODULE_H
#define WASMC_MODULE_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/base.h"
#include "../syntax/syntax.h"

/* Engine-wide registry of canonical types. Two types (in any modules) get the
 * same canonical id exactly when they are equivalent under the spec's
 * iso-recursive rules: their recursion groups are structurally identical after
 * replacing references inside the group by group-relative indices and
 * references outside it by canonical ids, and they sit at the same position.
 * Thread-safe: modules may be validated concurrently. */
typedef struct TypeRegistry TypeRegistry;

TypeRegistry *mod_registry_new(void);
void mod_registry_delete(TypeRegistry *reg);

/* Is canonical type `sub` a subtype of canonical type `super` (declared
 * subtyping, reflexive and transitive)? O(1) amortised. */
bool mod_registry_is_subtype(const TypeRegistry *reg, uint32_t sub, uint32_t super);
/* Number of canonical types registered so far. */
uint32_t mod_registry_count(const TypeRegistry *reg);
/* Canonical type `id` (< mod_registry_count): a copy whose concrete heap types
 * (params, results, fields, supertype) are canonical ids. Lives as long as the
 * registry; no lock needed. */
const SubType *mod_registry_type(const TypeRegistry *reg, uint32_t id);
/* Register a function type alone in its recursion group (final, no
 * supertype), as `(type (func ...))` in a module would be; concrete heap types
 * in `type` are canonical ids. *out_canon is its canonical id. */
Err mod_registry_func_type(TypeRegistry *reg, const FuncType *type, uint32_t *out_canon,
                           Diag *diag) WARN_UNUSED;
/* Re-register the recursion groups of an already validated module with `reg`,
 * in order, reassigning every SubType.canon (for a module validated against
 * another registry). */
Err mod_registry_canonicalize(TypeRegistry *reg, Module *mod, Diag *diag) WARN_UNUSED;
/* Value-type subtyping across modules: concrete heap types are canonical ids. */
bool mod_val_sub_canon(const TypeRegistry *reg, ValType sub, ValType super);

/* Validate a module against the WebAssembly 3.0 rules. On success sets
 * mod->validated, assigns every SubType.canon, and fills the per-function and
 * per-instruction facts the IR marks "validator:". Errors are ERR_INVALID with
 * the spec's message ("type mismatch", "unknown local", ...) and the byte offset
 * of the offending instruction or field. `reg` may be NULL (a private registry
 * is used then). */
Err valid_module(Module *mod, TypeRegistry *reg, Diag *diag) WARN_UNUSED;

#endif
