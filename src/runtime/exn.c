/* Exception objects (exnref referents): allocated in the store by whichever
 * tier executes `throw`, freed when the store dies. Tag identity is the
 * RtTag pointer; the payload is one ValRaw per tag parameter. */
#include "runtime_int.h"

ExnObj *rt_exn_new(Store *store, RtTag *tag, uint32_t n_values) {
    ExnObj *exn = mem_calloc(1, sizeof *exn + (size_t)n_values * sizeof(ValRaw));
    if (!exn)
        return NULL;
    exn->tag = tag;
    exn->n_values = n_values;
    return rt_store_own(store, exn, mem_free) ? exn : NULL;
}
