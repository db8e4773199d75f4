/* The dispatch loop's slow paths: calls into host (or other-tier) functions
 * through the array-call ABI, value conversion between ValRaw cells and
 * slots, and the subtype walk. (Bulk memory and table operations, and
 * growth, are the runtime's libcalls, runtime/libcalls.c, shared with the
 * native tier: raw 8-byte slots go in, narrowed there by address type.) */
#include "interp_int.h"

void interp_vals_to_slots(const ValType *types, uint32_t n, const ValRaw *vals, uint8_t *slots) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = types[i].kind == VK_V128 ? 16 : 8;
        memcpy(slots, &vals[i], w);
        slots += w;
    }
}

void interp_slots_to_vals(const ValType *types, uint32_t n, const uint8_t *slots, ValRaw *vals) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = types[i].kind == VK_V128 ? 16 : 8;
        vals[i].u64[1] = 0;
        memcpy(&vals[i], slots, w);
        slots += w;
    }
}

void interp_call_host(const FuncRef *f, VMContext *cx, uint8_t *args, const FuncType *type) {
    Activation *act = rt_activation_current();
    if (rt_c_stack_exhausted(act))
        rt_trap_raise(TRAP_STACK_OVERFLOW);
    uint32_t n_params = type->n_params, n_results = type->n_results;
    uint32_t n = n_params > n_results ? n_params : n_results;
    ValRaw vals[n ? n : 1];
    interp_slots_to_vals(type->params, n_params, args, vals);
    f->array_call(f, cx, vals, n);
    interp_vals_to_slots(type->results, n_results, vals, args);
}

bool interp_is_subtype(VMContext *cx, uint32_t sub, uint32_t super) {
    return mod_registry_is_subtype(cx->module->engine->types, sub, super);
}
