/* Globals: RtGlobal objects. A defined global's value lives in its instance's
 * VMContext (global storage) and its RtGlobal sits in the instance block; a
 * host-created global keeps its value in own_value. Either way `value` is the
 * one place compiled code reads and writes. */
#include "runtime_int.h"

RtGlobal *rt_global_new(Store *store, GlobalType type, ValRaw value) {
    RtGlobal *g = mem_alloc(sizeof *g);
    if (!g)
        return NULL;
    g->type = type;
    g->own_value = value;
    g->value = &g->own_value;
    return rt_store_own_traced(store, g, mem_free, rt_gc_trace_global) ? g : NULL;
}
