/* Growable arrays on the heap (mem_*), typed by macro:
 *   VEC(uint32_t) v = {0};  if (!VEC_PUSH(&v, 7)) return FAIL_NOMEM(diag);  VEC_FREE(&v);
 * `data` is NULL while empty; `len` elements are live, `cap` allocated. */
#ifndef WASMC_BASE_VEC_H
#define WASMC_BASE_VEC_H

#include <stdbool.h>
#include <stddef.h>

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *data;                                                                                   \
        size_t len, cap;                                                                           \
    }

/* Make room for `extra` more elements; false on allocation failure. */
bool vec_reserve_raw(void **data, size_t *cap, size_t len, size_t extra, size_t elem_size);

#define VEC_RESERVE(v, extra)                                                                      \
    vec_reserve_raw((void **)&(v)->data, &(v)->cap, (v)->len, (extra), sizeof *(v)->data)
/* Evaluates to true on success. */
#define VEC_PUSH(v, item) (VEC_RESERVE(v, 1) ? ((v)->data[(v)->len++] = (item), true) : false)
#define VEC_POP(v) ((v)->data[--(v)->len])
#define VEC_LAST(v) ((v)->data[(v)->len - 1])
#define VEC_FREE(v)                                                                                \
    do {                                                                                           \
        mem_free((v)->data);                                                                       \
        (v)->data = NULL;                                                                          \
        (v)->len = (v)->cap = 0;                                                                   \
    } while (0)

#endif
