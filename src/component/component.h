/* The component layer's public header: load a component (bytes -> decode ->
 * validate -> flat instantiation plan), instantiate it in a store with host
 * imports, look up and call its exports with CompValues, and implement
 * imports with host functions. Types: comp_types.h; values: comp_value.h.
 *
 * Ownership: a Component is immutable once loaded and may be instantiated
 * many times (in stores of its engine); a CompInstance belongs to its store
 * and dies with it. CompHost (the host's imports) is owned by the caller and
 * only read during comp_instantiate. */
#ifndef WASMC_COMPONENT_COMPONENT_H
#define WASMC_COMPONENT_COMPONENT_H

#include "../runtime/runtime.h"
#include "comp_types.h"
#include "comp_value.h"

typedef struct Component Component;
typedef struct CompInstance CompInstance;
typedef struct CompHost CompHost;

/* A host function implementing a component function import: reads
 * args[n_args], writes results[n_results] (allocate strings, lists, payloads
 * in `arena`, which lives until the results are lowered). Returns NULL or a
 * trap (ownership passes). The values are checked against the import's type
 * before they are lowered. */
typedef Trap *(*CompHostFunc)(void *env, const CompValue *args, uint32_t n_args,
                              CompValue *results, uint32_t n_results, Arena *arena);

/* ---- Loading ---------------------------------------------------------------------- */

/* Decode, validate and plan a component binary (the 0x0d 0x00 0x01 0x00
 * preamble). ERR_MALFORMED / ERR_INVALID with the spec tests' wording,
 * ERR_NOMEM. *out owned by the caller (comp_component_delete). */
Err comp_component_new(Engine *engine, const uint8_t *bytes, size_t len, Component **out,
                       Diag *diag) WARN_UNUSED;
/* The same with the optional validation features `features` (COMP_FEAT_*
 * of comp_ir.h; comp_component_new uses COMP_FEATURES_DEFAULT). */
Err comp_component_new_features(Engine *engine, const uint8_t *bytes, size_t len,
                                uint32_t features, Component **out, Diag *diag) WARN_UNUSED;
void comp_component_delete(Component *component);
/* The component's type: its imports and exports (valid while it lives). */
const CompComponentType *comp_component_type(const Component *component);

/* ---- Host imports ------------------------------------------------------------------- */

/* A tree of host-provided items, matched by name against the component's
 * imports: functions, core modules, nested instances. Names are copied. */
CompHost *comp_host_new(void); /* NULL on allocation failure */
void comp_host_delete(CompHost *host);
/* Define `name` (an import name, or an export name inside an instance made by
 * comp_host_instance) as a function. `type` may be NULL: the function then
 * takes whatever type the import declares. */
Err comp_host_func(CompHost *host, const char *name, const CompFuncType *type, CompHostFunc fn,
                   void *env, Diag *diag) WARN_UNUSED;
/* Define `name` as a core module (retained until the host is deleted). */
Err comp_host_module(CompHost *host, const char *name, RtModule *module, Diag *diag) WARN_UNUSED;
/* Define `name` as an instance whose exports are defined in *out (owned by
 * `host`). */
Err comp_host_instance(CompHost *host, const char *name, CompHost **out, Diag *diag) WARN_UNUSED;
/* Define `name` as the exports of a component instance of the same store (a
 * linker registering instances by name; the instance is not owned). */
Err comp_host_component(CompHost *host, const char *name, CompInstance *instance,
                        Diag *diag) WARN_UNUSED;
/* Look up a definition (for linkers and tests); NULL when absent. */
const void *comp_host_lookup(const CompHost *host, const char *name);

/* ---- Instances and calls ----------------------------------------------------------------- */

/* Run the plan: instantiate core modules, lower imports, lift exports, run
 * start functions. ERR_LINK "... was not found" / "... has the wrong type"
 * for a missing or mistyped import, ERR_TRAP (*out_trap) for a trap during
 * instantiation. *out is owned by the store. */
Err comp_instantiate(Store *store, const Component *component, const CompHost *host,
                     CompInstance **out, Trap **out_trap, Diag *diag) WARN_UNUSED;

/* An exported function: the handle comp_call takes. Valid while the store
 * lives. `name` is a top-level export, or "inst#func" for a function inside
 * an exported instance. NULL if absent or not a function. */
typedef struct CompFunc CompFunc;
CompFunc *comp_instance_func(CompInstance *instance, const char *name);
const CompFuncType *comp_func_type(const CompFunc *func);

/* Call: args[n_args] must match the parameter types (ERR_USAGE otherwise);
 * results[n_results] are allocated in `arena` (strings as UTF-8). Returns OK,
 * ERR_TRAP with *out_trap (a wasm trap or a canonical-ABI trap such as
 * "cannot enter component instance"), or another error in diag. Post-return
 * has run when this returns. */
Err comp_call(Store *store, CompFunc *func, const CompValue *args, uint32_t n_args,
              CompValue *results, uint32_t n_results, Arena *arena, Trap **out_trap,
              Diag *diag) WARN_UNUSED;

/* Drop an owned resource the host received in a result (runs its destructor
 * in its defining instance). */
Err comp_resource_drop(Store *store, const CompValue *own, Trap **out_trap,
                       Diag *diag) WARN_UNUSED;

#endif
