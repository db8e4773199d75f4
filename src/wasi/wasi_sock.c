/* Sockets handed in by the embedder (WasiConfig.sockets): accept, recv, send
 * and shutdown against the fd table. The guest cannot create, bind or connect
 * sockets; it only uses the ones it was given and those they accept. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "wasi_int.h"

#define ARG_U32(i) ((uint32_t)args[i].i32)

uint16_t wasi_fn_sock_accept(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_SOCK_ACCEPT, &f);
    if (err)
        return err;
    uint32_t flags = ARG_U32(1);
    if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK)
        return WASI_EINVAL;
    if (!wasi_mem_range(&call->mem, ARG_U32(2), 4))
        return WASI_EFAULT;
    int host;
    do
        host = accept4(f->host, NULL, NULL,
                       SOCK_CLOEXEC | ((flags & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0));
    while (host < 0 && errno == EINTR);
    if (host < 0)
        return wasi_errno_from_host(errno);
    uint32_t fd;
    if ((err = wasi_fd_insert(call->wasi, host, WASI_FILETYPE_SOCKET_STREAM,
                              WASI_RIGHTS_SOCKET & ~WASI_RIGHT_SOCK_ACCEPT, 0, false, &fd)))
        return err;
    return wasi_mem_write_u32(&call->mem, ARG_U32(2), fd);
}

uint16_t wasi_fn_sock_recv(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_READ, &f);
    if (err)
        return err;
    uint32_t ri_flags = ARG_U32(3);
    if (ri_flags & ~3u)
        return WASI_EINVAL;
    if (!wasi_mem_range(&call->mem, ARG_U32(4), 4) || !wasi_mem_range(&call->mem, ARG_U32(5), 2))
        return WASI_EFAULT;
    struct msghdr msg = {0};
    int n;
    if ((err = wasi_mem_iovecs(&call->mem, ARG_U32(1), ARG_U32(2), &msg.msg_iov, &n)))
        return err;
    msg.msg_iovlen = (size_t)n;
    int flags = ((ri_flags & WASI_RIFLAG_RECV_PEEK) ? MSG_PEEK : 0) |
                ((ri_flags & WASI_RIFLAG_RECV_WAITALL) ? MSG_WAITALL : 0);
    ssize_t got;
    do
        got = recvmsg(f->host, &msg, flags);
    while (got < 0 && errno == EINTR);
    err = got < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
    mem_free(msg.msg_iov);
    if (err)
        return err;
    uint8_t ro[2];
    wasi_put_u16(ro, (msg.msg_flags & MSG_TRUNC) ? WASI_ROFLAG_RECV_DATA_TRUNCATED : 0);
    wasi_mem_write(&call->mem, ARG_U32(5), ro, 2);
    return wasi_mem_write_u32(&call->mem, ARG_U32(4), (uint32_t)got);
}

uint16_t wasi_fn_sock_send(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_WRITE, &f);
    if (err)
        return err;
    if (ARG_U32(3) != 0)
        return WASI_EINVAL; /* witx siflags defines no flag */
    if (!wasi_mem_range(&call->mem, ARG_U32(4), 4))
        return WASI_EFAULT;
    struct msghdr msg = {0};
    int n;
    if ((err = wasi_mem_iovecs(&call->mem, ARG_U32(1), ARG_U32(2), &msg.msg_iov, &n)))
        return err;
    msg.msg_iovlen = (size_t)n;
    ssize_t sent;
    do
        sent = sendmsg(f->host, &msg, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    err = sent < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
    mem_free(msg.msg_iov);
    return err ? err : wasi_mem_write_u32(&call->mem, ARG_U32(4), (uint32_t)sent);
}

uint16_t wasi_fn_sock_shutdown(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_SOCK_SHUTDOWN, &f);
    if (err)
        return err;
    static const int how[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    uint32_t h = ARG_U32(1);
    if (h == 0 || h > 3)
        return WASI_EINVAL;
    return shutdown(f->host, how[h]) == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}
