/* Clocks: WASI clock ids map onto the host's POSIX clocks; times and
 * resolutions are nanoseconds (witx: timestamp, u64). */
#include <errno.h>
#include <time.h>

#include "wasi_int.h"

static bool host_clock(uint32_t id, clockid_t *out) {
    switch (id) {
    case WASI_CLOCK_REALTIME:
        *out = CLOCK_REALTIME;
        return true;
    case WASI_CLOCK_MONOTONIC:
        *out = CLOCK_MONOTONIC;
        return true;
    case WASI_CLOCK_PROCESS_CPUTIME:
        *out = CLOCK_PROCESS_CPUTIME_ID;
        return true;
    case WASI_CLOCK_THREAD_CPUTIME:
        *out = CLOCK_THREAD_CPUTIME_ID;
        return true;
    default:
        return false;
    }
}

uint16_t wasi_clock_now(uint32_t id, uint64_t *out) {
    clockid_t c;
    struct timespec ts;
    if (!host_clock(id, &c))
        return WASI_EINVAL;
    if (clock_gettime(c, &ts) != 0)
        return wasi_errno_from_host(errno);
    *out = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return WASI_ESUCCESS;
}

uint16_t wasi_fn_clock_res_get(WasiCall *call, const ValRaw *args) {
    clockid_t c;
    struct timespec ts;
    if (!host_clock((uint32_t)args[0].i32, &c))
        return WASI_EINVAL;
    if (clock_getres(c, &ts) != 0)
        return wasi_errno_from_host(errno);
    uint64_t res = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return wasi_mem_write_u64(&call->mem, (uint32_t)args[1].i32, res ? res : 1);
}

uint16_t wasi_fn_clock_time_get(WasiCall *call, const ValRaw *args) {
    uint64_t now = 0;
    uint16_t err = wasi_clock_now((uint32_t)args[0].i32, &now);
    return err ? err : wasi_mem_write_u64(&call->mem, (uint32_t)args[2].i32, now);
}
