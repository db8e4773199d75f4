/* Translation of a component into a flat instantiation plan: every nested
 * component instantiation inlined, each runtime component instance numbered
 * (its may_enter / may_leave flags and handle table), and the steps in order:
 * instantiate a core module with these imports, make a lowered import, lift
 * an export, define a runtime resource type, make a resource built-in.
 * Waits for the component IR (comp_ir.h, comp-front): until then loading
 * reports ERR_UNSUPPORTED (TODO(issue 8)). */
#include "cabi.h"
#include "component.h"

Err comp_component_new(Engine *engine, const uint8_t *bytes, size_t len, Component **out,
                       Diag *diag) {
    return FAIL(diag, ERR_UNSUPPORTED, DIAG_NO_OFFSET,
                "components are not supported yet (the component decoder is in progress)");
}

void comp_component_delete(Component *component) {
    (void)component;
}

const CompComponentType *comp_component_type(const Component *component) {
    return NULL;
}
