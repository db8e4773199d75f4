/* Exception objects (exnref referents): allocated in the store by whichever
 * tier executes `throw`, freed when the store dies. Tag identity is the
 * RtTag pointer; the payload is one ValRaw per tag parameter. Until
 * exceptions are collected, each one is a GC root for the references in its
 * payload (traced conservatively). */
#include "runtime_int.h"

static void exn_trace(void *obj, RtGcTracer *tracer) {
    ExnObj *exn = obj;
    rt_gc_trace_range(tracer, exn->payload, exn->payload + exn->n_values);
}

ExnObj *rt_exn_new(Store *store, RtTag *tag, uint32_t n_values) {
    ExnObj *exn = mem_calloc(1, sizeof *exn + (size_t)n_values * sizeof(ValRaw));
    if (!exn)
        return NULL;
    exn->tag = tag;
    exn->n_values = n_values;
    return rt_store_own_traced(store, exn, mem_free, exn_trace) ? exn : NULL;
}
