/* Growth policy for VEC: doubling, at least 8 elements. */
#include "vec.h"

#include <stdint.h>

#include "mem.h"

bool vec_reserve_raw(void **data, size_t *cap, size_t len, size_t extra, size_t elem_size) {
    if (len + extra <= *cap)
        return true;
    if (extra > SIZE_MAX / elem_size - len)
        return false;
    size_t want = *cap ? *cap * 2 : 8;
    if (want < len + extra)
        want = len + extra;
    if (want > SIZE_MAX / elem_size)
        return false;
    void *p = mem_realloc(*data, want * elem_size);
    if (!p)
        return false;
    *data = p;
    *cap = want;
    return true;
}
