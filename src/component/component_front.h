/* The component front end: decoding a component binary into the component IR
 * (comp_ir.h) and validating it (index spaces, types, names, canonical
 * options, subtyping). The runner decides assert_malformed with comp_decode
 * and assert_invalid with comp_validate; the plan builder reads the
 * validated IR. Messages follow the component-model test suite (wasmparser's
 * wording). */
#ifndef WASMC_COMPONENT_COMPONENT_FRONT_H
#define WASMC_COMPONENT_COMPONENT_FRONT_H

#include "../module/module.h"
#include "comp_ir.h"

#define COMP_MAGIC_VERSION_LAYER 0x0001000du /* 0x0d 0x00 0x01 0x00, little-endian */

/* Is `bytes` a component (preamble 0x00 'a' 's' 'm' 0x0d 0x00 0x01 0x00)? */
bool comp_is_component(const uint8_t *bytes, size_t len);

/* Decode a component binary (the bytes are copied; not kept). Errors are
 * ERR_MALFORMED with the byte offset. Embedded core modules are decoded too
 * (not validated). *out is owned by the caller (comp_ir_delete). */
Err comp_decode(const uint8_t *bytes, size_t len, CompComponent **out, Diag *diag) WARN_UNUSED;

/* Validate a decoded top-level component: core modules (valid_module with
 * `reg`, which may be NULL for a private registry), every definition's
 * types, names, canonical options, instantiations (subtyping), value-size
 * limits and the wasmtime restrictions on root components. Errors are
 * ERR_INVALID. Fills the validator fields of the IR. */
Err comp_validate(CompComponent *c, TypeRegistry *reg, Diag *diag) WARN_UNUSED;

/* Is extern type `sub` a subtype of `super` (an import's declared type)?
 * On false, fills diag (ERR_LINK) with the reason, in the suite's words
 * ("type mismatch in import `x`", "expected func, found instance", ...). */
bool comp_extern_subtype(const CompExternType *sub, const CompExternType *super, Diag *diag);

/* Value types: `sub` can be used where `super` is expected. */
bool comp_valtype_subtype(const CompValType *sub, const CompValType *super, Diag *diag);

#endif
