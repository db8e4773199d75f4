/* fd_* functions on open descriptors: read/write (scatter-gather straight
 * into and out of guest memory), seek/tell, stat, sizes, times, sync, advice,
 * flags and rights, pre-open descriptions, close and renumber. Each checks the
 * fd's rights first, then every guest pointer, then calls the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_int.h"

#define ARG_U32(i) ((uint32_t)args[i].i32)
#define ARG_U64(i) ((uint64_t)args[i].i64)

static uint16_t host_err(void) {
    return wasi_errno_from_host(errno);
}

static uint64_t ns_of(const struct timespec *ts) {
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

void wasi_filestat_encode(const struct stat *st, uint8_t out[WASI_FILESTAT_SIZE]) {
    memset(out, 0, WASI_FILESTAT_SIZE);
    wasi_put_u64(out + 0, (uint64_t)st->st_dev);
    wasi_put_u64(out + 8, (uint64_t)st->st_ino);
    out[16] = wasi_filetype_of_mode(st->st_mode);
    wasi_put_u64(out + 24, (uint64_t)st->st_nlink);
    wasi_put_u64(out + 32, (uint64_t)st->st_size);
    wasi_put_u64(out + 40, ns_of(&st->st_atim));
    wasi_put_u64(out + 48, ns_of(&st->st_mtim));
    wasi_put_u64(out + 56, ns_of(&st->st_ctim));
}

static struct timespec timespec_of(uint64_t ns) {
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000u),
                             .tv_nsec = (long)(ns % 1000000000u)};
}

uint16_t wasi_times_from_flags(uint64_t atim, uint64_t mtim, uint32_t fst_flags,
                               struct timespec *out) {
    if (fst_flags & ~15u)
        return WASI_EINVAL;
    if ((fst_flags & WASI_FST_ATIM) && (fst_flags & WASI_FST_ATIM_NOW))
        return WASI_EINVAL;
    if ((fst_flags & WASI_FST_MTIM) && (fst_flags & WASI_FST_MTIM_NOW))
        return WASI_EINVAL;
    out[0] = (struct timespec){.tv_nsec = UTIME_OMIT};
    out[1] = (struct timespec){.tv_nsec = UTIME_OMIT};
    if (fst_flags & WASI_FST_ATIM)
        out[0] = timespec_of(atim);
    if (fst_flags & WASI_FST_ATIM_NOW)
        out[0].tv_nsec = UTIME_NOW;
    if (fst_flags & WASI_FST_MTIM)
        out[1] = timespec_of(mtim);
    if (fst_flags & WASI_FST_MTIM_NOW)
        out[1].tv_nsec = UTIME_NOW;
    return WASI_ESUCCESS;
}

/* futimens, also for O_PATH descriptors (through their /proc/self/fd link). */
uint16_t wasi_set_times_fd(int fd, const struct timespec *ts) {
    if (futimens(fd, ts) == 0)
        return WASI_ESUCCESS;
    if (errno != EBADF)
        return host_err();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return utimensat(AT_FDCWD, path, ts, 0) == 0 ? WASI_ESUCCESS : host_err();
}

/* ---- reading and writing ---------------------------------------------------------- */

typedef enum IoKind { IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE } IoKind;

static uint16_t do_io(WasiCall *call, uint32_t fd, uint32_t iovs, uint32_t n_iovs, bool positioned,
                      uint64_t offset, uint32_t out_ptr, IoKind kind) {
    static const uint64_t need[] = {
        [IO_READ] = WASI_RIGHT_FD_READ,
        [IO_WRITE] = WASI_RIGHT_FD_WRITE,
        [IO_PREAD] = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK,
        [IO_PWRITE] = WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK,
    };
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, fd, need[kind], &f);
    if (err)
        return err;
    if (!wasi_mem_range(&call->mem, out_ptr, 4))
        return WASI_EFAULT;
    if (positioned && offset > INT64_MAX)
        return WASI_EINVAL;
    struct iovec *v;
    int n;
    if ((err = wasi_mem_iovecs(&call->mem, iovs, n_iovs, &v, &n)))
        return err;
    ssize_t got;
    do {
        switch (kind) {
        case IO_READ: got = readv(f->host, v, n); break;
        case IO_WRITE: got = writev(f->host, v, n); break;
        case IO_PREAD: got = preadv(f->host, v, n, (off_t)offset); break;
        default: got = pwritev(f->host, v, n, (off_t)offset); break;
        }
    } while (got < 0 && errno == EINTR);
    err = got < 0 ? host_err() : WASI_ESUCCESS;
    mem_free(v);
    return err ? err : wasi_mem_write_u32(&call->mem, out_ptr, (uint32_t)got);
}

uint16_t wasi_fn_fd_read(WasiCall *call, const ValRaw *args) {
    return do_io(call, ARG_U32(0), ARG_U32(1), ARG_U32(2), false, 0, ARG_U32(3), IO_READ);
}

uint16_t wasi_fn_fd_write(WasiCall *call, const ValRaw *args) {
    return do_io(call, ARG_U32(0), ARG_U32(1), ARG_U32(2), false, 0, ARG_U32(3), IO_WRITE);
}

uint16_t wasi_fn_fd_pread(WasiCall *call, const ValRaw *args) {
    return do_io(call, ARG_U32(0), ARG_U32(1), ARG_U32(2), true, ARG_U64(3), ARG_U32(4), IO_PREAD);
}

uint16_t wasi_fn_fd_pwrite(WasiCall *call, const ValRaw *args) {
    return do_io(call, ARG_U32(0), ARG_U32(1), ARG_U32(2), true, ARG_U64(3), ARG_U32(4),
                 IO_PWRITE);
}

/* ---- position ------------------------------------------------------------------------ */

uint16_t wasi_fn_fd_seek(WasiCall *call, const ValRaw *args) {
    int64_t offset = args[1].i64;
    uint32_t whence = ARG_U32(2);
    bool tell_only = offset == 0 && whence == WASI_WHENCE_CUR;
    WasiFd *f;
    uint64_t need = tell_only ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), need, &f);
    if (err == WASI_ENOTCAPABLE && tell_only)
        err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_SEEK, &f);
    if (err)
        return err;
    static const int host_whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (whence > WASI_WHENCE_END)
        return WASI_EINVAL;
    if (!wasi_mem_range(&call->mem, ARG_U32(3), 8))
        return WASI_EFAULT;
    off_t pos = lseek(f->host, (off_t)offset, host_whence[whence]);
    if (pos < 0)
        return host_err();
    return wasi_mem_write_u64(&call->mem, ARG_U32(3), (uint64_t)pos);
}

uint16_t wasi_fn_fd_tell(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_TELL, &f);
    if (err)
        return err;
    if (!wasi_mem_range(&call->mem, ARG_U32(1), 8))
        return WASI_EFAULT;
    off_t pos = lseek(f->host, 0, SEEK_CUR);
    if (pos < 0)
        return host_err();
    return wasi_mem_write_u64(&call->mem, ARG_U32(1), (uint64_t)pos);
}

/* ---- attributes ------------------------------------------------------------------------ */

uint16_t wasi_fn_fd_fdstat_get(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), 0, &f);
    if (err)
        return err;
    int fl = fcntl(f->host, F_GETFL);
    uint16_t flags = 0;
    if (fl >= 0) {
        flags |= (fl & O_APPEND) ? WASI_FDFLAG_APPEND : 0;
        flags |= (fl & O_NONBLOCK) ? WASI_FDFLAG_NONBLOCK : 0;
        if ((fl & O_SYNC) == O_SYNC)
            flags |= WASI_FDFLAG_SYNC;
        else if (fl & O_DSYNC)
            flags |= WASI_FDFLAG_DSYNC;
    }
    uint8_t buf[WASI_FDSTAT_SIZE] = {0};
    buf[0] = f->filetype;
    wasi_put_u16(buf + 2, flags);
    wasi_put_u64(buf + 8, f->rights_base);
    wasi_put_u64(buf + 16, f->rights_inheriting);
    return wasi_mem_write(&call->mem, ARG_U32(1), buf, sizeof buf);
}

uint16_t wasi_fn_fd_fdstat_set_flags(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &f);
    if (err)
        return err;
    uint32_t flags = ARG_U32(1);
    if (flags & ~31u)
        return WASI_EINVAL;
    if (flags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        return WASI_ENOTSUP; /* Linux cannot change these after open */
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0)
        return host_err();
    fl &= ~(O_APPEND | O_NONBLOCK);
    fl |= (flags & WASI_FDFLAG_APPEND) ? O_APPEND : 0;
    fl |= (flags & WASI_FDFLAG_NONBLOCK) ? O_NONBLOCK : 0;
    return fcntl(f->host, F_SETFL, fl) == 0 ? WASI_ESUCCESS : host_err();
}

/* spec: rights can only be removed (ENOTCAPABLE for an attempt to add one). */
uint16_t wasi_fn_fd_fdstat_set_rights(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), 0, &f);
    if (err)
        return err;
    uint64_t base = ARG_U64(1), inheriting = ARG_U64(2);
    if ((base & ~f->rights_base) || (inheriting & ~f->rights_inheriting))
        return WASI_ENOTCAPABLE;
    f->rights_base = base;
    f->rights_inheriting = inheriting;
    return WASI_ESUCCESS;
}

uint16_t wasi_fn_fd_filestat_get(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_FILESTAT_GET, &f);
    if (err)
        return err;
    struct stat st;
    if (fstat(f->host, &st) != 0)
        return host_err();
    uint8_t buf[WASI_FILESTAT_SIZE];
    wasi_filestat_encode(&st, buf);
    if (f->filetype == WASI_FILETYPE_SOCKET_DGRAM)
        buf[16] = WASI_FILETYPE_SOCKET_DGRAM;
    return wasi_mem_write(&call->mem, ARG_U32(1), buf, sizeof buf);
}

uint16_t wasi_fn_fd_filestat_set_size(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_FILESTAT_SET_SIZE, &f);
    if (err)
        return err;
    if (ARG_U64(1) > INT64_MAX)
        return WASI_EINVAL;
    return ftruncate(f->host, (off_t)ARG_U64(1)) == 0 ? WASI_ESUCCESS : host_err();
}

uint16_t wasi_fn_fd_filestat_set_times(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_FILESTAT_SET_TIMES, &f);
    if (err)
        return err;
    struct timespec ts[2];
    if ((err = wasi_times_from_flags(ARG_U64(1), ARG_U64(2), ARG_U32(3), ts)))
        return err;
    return wasi_set_times_fd(f->host, ts);
}

/* ---- sync, advice, allocation ------------------------------------------------------------ */

uint16_t wasi_fn_fd_sync(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_SYNC, &f);
    if (err)
        return err;
    return fsync(f->host) == 0 ? WASI_ESUCCESS : host_err();
}

uint16_t wasi_fn_fd_datasync(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_DATASYNC, &f);
    if (err)
        return err;
    return fdatasync(f->host) == 0 ? WASI_ESUCCESS : host_err();
}

uint16_t wasi_fn_fd_advise(WasiCall *call, const ValRaw *args) {
    static const int advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_ADVISE, &f);
    if (err)
        return err;
    if (ARG_U32(3) > 5 || ARG_U64(1) > INT64_MAX || ARG_U64(2) > INT64_MAX)
        return WASI_EINVAL;
    if (f->filetype == WASI_FILETYPE_DIRECTORY)
        return WASI_ESUCCESS; /* advice is only advice */
    int e = posix_fadvise(f->host, (off_t)ARG_U64(1), (off_t)ARG_U64(2), advice[ARG_U32(3)]);
    return wasi_errno_from_host(e);
}

uint16_t wasi_fn_fd_allocate(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_ALLOCATE, &f);
    if (err)
        return err;
    if (ARG_U64(1) > INT64_MAX || ARG_U64(2) > INT64_MAX || ARG_U64(2) == 0)
        return WASI_EINVAL;
    int e = posix_fallocate(f->host, (off_t)ARG_U64(1), (off_t)ARG_U64(2));
    return wasi_errno_from_host(e);
}

/* ---- pre-opens, close, renumber ------------------------------------------------------------ */

/* Only pre-opened directories have a description; anything else is EBADF, which
 * is also what ends wasi-libc's scan of fds 3, 4, ... */
uint16_t wasi_fn_fd_prestat_get(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), 0, &f);
    if (err)
        return err;
    if (!f->preopen_name)
        return WASI_EBADF;
    uint8_t buf[WASI_PRESTAT_SIZE] = {0};
    buf[0] = WASI_PREOPENTYPE_DIR;
    wasi_put_u32(buf + 4, (uint32_t)strlen(f->preopen_name));
    return wasi_mem_write(&call->mem, ARG_U32(1), buf, sizeof buf);
}

uint16_t wasi_fn_fd_prestat_dir_name(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), 0, &f);
    if (err)
        return err;
    if (!f->preopen_name)
        return WASI_EBADF;
    size_t len = strlen(f->preopen_name);
    if (ARG_U32(2) < len)
        return WASI_ENAMETOOLONG;
    return wasi_mem_write(&call->mem, ARG_U32(1), f->preopen_name, len);
}

uint16_t wasi_fn_fd_close(WasiCall *call, const ValRaw *args) {
    return wasi_fd_close(call->wasi, ARG_U32(0));
}

uint16_t wasi_fn_fd_renumber(WasiCall *call, const ValRaw *args) {
    return wasi_fd_renumber(call->wasi, ARG_U32(0), ARG_U32(1));
}
