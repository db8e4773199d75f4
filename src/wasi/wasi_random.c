/* random_get: the kernel's CSPRNG (getrandom), straight into guest memory. */
#include <errno.h>
#include <sys/random.h>

#include "wasi_int.h"

uint16_t wasi_fn_random_get(WasiCall *call, const ValRaw *args) {
    uint32_t len = (uint32_t)args[1].i32;
    uint8_t *p = wasi_mem_range(&call->mem, (uint32_t)args[0].i32, len);
    if (!p)
        return WASI_EFAULT;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno_from_host(errno);
        }
        p += n;
        len -= (uint32_t)n;
    }
    return WASI_ESUCCESS;
}
