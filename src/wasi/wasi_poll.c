/* poll_oneoff: clock subscriptions (relative or absolute, on any WASI clock)
 * and fd read/write readiness, waited for together with one ppoll. A bad fd
 * or clock is reported as an event carrying the error, as the spec asks. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_int.h"

typedef struct PollSub {
    uint64_t userdata;
    uint8_t type;       /* WASI_EVENTTYPE_* */
    uint16_t error;     /* set: report at once with this error */
    uint64_t wait_ns;   /* clocks: time left until it fires */
    int pollfd;         /* fds: index into the pollfd array, else -1 */
} PollSub;

static void parse_clock(const uint8_t *s, PollSub *sub, uint64_t *min_wait) {
    uint32_t id = wasi_get_u32(s + 16);
    uint64_t timeout = wasi_get_u64(s + 24);
    uint16_t flags = wasi_get_u16(s + 40);
    uint64_t now = 0;
    sub->error = wasi_clock_now(id, &now);
    if (sub->error)
        return;
    if (flags & WASI_SUBCLOCK_ABSTIME)
        sub->wait_ns = timeout > now ? timeout - now : 0;
    else
        sub->wait_ns = timeout;
    if (sub->wait_ns < *min_wait)
        *min_wait = sub->wait_ns;
}

static void parse_fd(Wasi *wasi, const uint8_t *s, PollSub *sub, struct pollfd *pfds,
                     uint32_t *n_pfds) {
    WasiFd *f;
    sub->error = wasi_fd_get(wasi, wasi_get_u32(s + 16), WASI_RIGHT_POLL_FD_READWRITE, &f);
    if (sub->error)
        return;
    sub->pollfd = (int)*n_pfds;
    pfds[(*n_pfds)++] =
        (struct pollfd){f->host, sub->type == WASI_EVENTTYPE_FD_READ ? POLLIN : POLLOUT, 0};
}

static uint64_t readable_bytes(int fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        return pos >= 0 && st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
    }
    int n = 0;
    return ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

static void put_event(uint8_t *out, const PollSub *sub, uint16_t error, uint64_t nbytes,
                      uint16_t flags) {
    memset(out, 0, WASI_EVENT_SIZE);
    wasi_put_u64(out + 0, sub->userdata);
    wasi_put_u16(out + 8, error);
    out[10] = sub->type;
    wasi_put_u64(out + 16, nbytes);
    wasi_put_u16(out + 24, flags);
}

/* Longer waits are forever (ppoll rejects timeouts past the kernel's range). */
#define WAIT_FOREVER_NS (UINT64_C(100) * 365 * 24 * 3600 * 1000000000)

static int wait_fds(struct pollfd *pfds, uint32_t n, uint64_t wait_ns) {
    struct timespec ts = {(time_t)(wait_ns / 1000000000u), (long)(wait_ns % 1000000000u)};
    int r;
    do
        r = ppoll(pfds, n, wait_ns >= WAIT_FOREVER_NS ? NULL : &ts, NULL);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Events for what happened: errors, ready fds, then clocks that fired. */
static uint32_t collect(PollSub *subs, uint32_t n, const struct pollfd *pfds, int ready,
                        uint64_t min_wait, uint8_t *out) {
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        PollSub *s = &subs[i];
        if (s->error) {
            put_event(out + count++ * WASI_EVENT_SIZE, s, s->error, 0, 0);
        } else if (s->type != WASI_EVENTTYPE_CLOCK && pfds[s->pollfd].revents) {
            short re = pfds[s->pollfd].revents;
            uint16_t err = (re & POLLNVAL) ? WASI_EBADF : 0;
            uint64_t nbytes = s->type == WASI_EVENTTYPE_FD_READ && !err
                                  ? readable_bytes(pfds[s->pollfd].fd) : 0;
            put_event(out + count++ * WASI_EVENT_SIZE, s, err, nbytes,
                      (re & POLLHUP) ? WASI_EVENT_FD_READWRITE_HANGUP : 0);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        PollSub *s = &subs[i];
        bool fired = ready == 0 ? s->wait_ns <= min_wait : s->wait_ns == 0;
        if (!s->error && s->type == WASI_EVENTTYPE_CLOCK && fired)
            put_event(out + count++ * WASI_EVENT_SIZE, s, 0, 0, 0);
    }
    return count;
}

static uint16_t poll_run(WasiCall *call, const uint8_t *in, uint32_t n, PollSub *subs,
                         struct pollfd *pfds, uint8_t *events, uint32_t *out_count) {
    uint32_t n_pfds = 0;
    uint64_t min_wait = UINT64_MAX;
    bool immediate = false;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = in + (size_t)i * WASI_SUBSCRIPTION_SIZE;
        subs[i] = (PollSub){.userdata = wasi_get_u64(s), .type = s[8], .pollfd = -1,
                            .wait_ns = UINT64_MAX};
        if (s[8] == WASI_EVENTTYPE_CLOCK)
            parse_clock(s, &subs[i], &min_wait);
        else if (s[8] == WASI_EVENTTYPE_FD_READ || s[8] == WASI_EVENTTYPE_FD_WRITE)
            parse_fd(call->wasi, s, &subs[i], pfds, &n_pfds);
        else
            return WASI_EINVAL;
        immediate |= subs[i].error != 0;
    }
    int ready = wait_fds(pfds, n_pfds, immediate ? 0 : min_wait);
    if (ready < 0)
        return wasi_errno_from_host(errno);
    *out_count = collect(subs, n, pfds, ready, immediate ? 0 : min_wait, events);
    return WASI_ESUCCESS;
}

uint16_t wasi_fn_poll_oneoff(WasiCall *call, const ValRaw *args) {
    uint32_t n = (uint32_t)args[2].i32;
    if (n == 0)
        return WASI_EINVAL;
    const uint8_t *in = wasi_mem_range(&call->mem, (uint32_t)args[0].i32,
                                       (uint64_t)n * WASI_SUBSCRIPTION_SIZE);
    uint8_t *out = wasi_mem_range(&call->mem, (uint32_t)args[1].i32, (uint64_t)n * WASI_EVENT_SIZE);
    if (!in || !out || !wasi_mem_range(&call->mem, (uint32_t)args[3].i32, 4))
        return WASI_EFAULT;
    /* in and out may overlap: work on copies */
    uint8_t *in_copy = mem_alloc((size_t)n * WASI_SUBSCRIPTION_SIZE);
    PollSub *subs = mem_calloc(n, sizeof *subs);
    struct pollfd *pfds = mem_calloc(n, sizeof *pfds);
    uint8_t *events = mem_alloc((size_t)n * WASI_EVENT_SIZE);
    uint16_t err = WASI_ENOMEM;
    uint32_t count = 0;
    if (in_copy && subs && pfds && events) {
        memcpy(in_copy, in, (size_t)n * WASI_SUBSCRIPTION_SIZE);
        err = poll_run(call, in_copy, n, subs, pfds, events, &count);
    }
    if (!err) {
        memcpy(out, events, (size_t)count * WASI_EVENT_SIZE);
        err = wasi_mem_write_u32(&call->mem, (uint32_t)args[3].i32, count);
    }
    mem_free(in_copy);
    mem_free(subs);
    mem_free(pfds);
    mem_free(events);
    return err;
}
