/* Directory functions: fd_readdir and every path_* function. Paths are copied
 * out of guest memory and resolved beneath the directory fd the guest names
 * (wasi_path.c); operations on a final component use *at calls on the
 * resolved parent with no-follow semantics, so nothing outside a pre-open is
 * ever opened, stat'ed, created or removed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_int.h"

#define ARG_U32(i) ((uint32_t)args[i].i32)
#define ARG_U64(i) ((uint64_t)args[i].i64)

static uint16_t host_err(void) {
    return wasi_errno_from_host(errno);
}

static uint16_t get_dir(WasiCall *call, uint32_t fd, uint64_t need, WasiFd **out) {
    uint16_t err = wasi_fd_get(call->wasi, fd, need, out);
    if (!err && (*out)->filetype != WASI_FILETYPE_DIRECTORY)
        err = WASI_ENOTDIR;
    return err;
}

/* Rights check, path copy and parent resolution in one step. */
static uint16_t open_parent(WasiCall *call, uint32_t fd, uint64_t need, uint32_t ptr,
                           uint32_t len, WasiParent *out) {
    *out = (WasiParent){.dir = -1};
    WasiFd *dir;
    char *path;
    uint16_t err = get_dir(call, fd, need, &dir);
    if (err || (err = wasi_mem_string(&call->mem, ptr, len, &path)))
        return err;
    err = wasi_path_parent(dir->host, path, out);
    mem_free(path);
    return err;
}

/* Rights check, path copy and full resolution (O_PATH) in one step. */
static uint16_t open_full(WasiCall *call, uint32_t fd, uint64_t need, uint32_t ptr, uint32_t len,
                         bool follow, int *out_fd) {
    *out_fd = -1;
    WasiFd *dir;
    char *path;
    uint16_t err = get_dir(call, fd, need, &dir);
    if (err || (err = wasi_mem_string(&call->mem, ptr, len, &path)))
        return err;
    err = wasi_path_open_beneath(dir->host, path, O_PATH, 0, follow, out_fd);
    mem_free(path);
    return err;
}

static bool is_dir_at(int dir, const char *name) {
    struct stat st;
    return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool exists_at(int dir, const char *name) {
    struct stat st;
    return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- fd_readdir -------------------------------------------------------------------------- */

static uint8_t dirent_type(int dir, const struct dirent *d) {
    switch (d->d_type) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_UNKNOWN: {
        struct stat st;
        if (fstatat(dir, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return wasi_filetype_of_mode(st.st_mode);
        return WASI_FILETYPE_UNKNOWN;
    }
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

static uint16_t snapshot_add(WasiFd *f, uint32_t *cap, const char *name, uint64_t ino,
                             uint8_t type) {
    if (f->n_dir_entries == *cap) {
        uint32_t n = *cap ? *cap * 2 : 32;
        WasiDirEntry *e = mem_realloc(f->dir_entries, n * sizeof *e);
        if (!e)
            return WASI_ENOMEM;
        f->dir_entries = e;
        *cap = n;
    }
    char *copy = mem_strndup(name, strlen(name));
    if (!copy)
        return WASI_ENOMEM;
    f->dir_entries[f->n_dir_entries++] = (WasiDirEntry){copy, ino, type};
    return WASI_ESUCCESS;
}

/* Read the whole directory once; cookies index this snapshot. */
static uint16_t snapshot_load(WasiFd *f) {
    wasi_dir_entries_free(f);
    int fd = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return host_err();
    DIR *dp = fdopendir(fd);
    if (!dp) {
        close(fd);
        return host_err();
    }
    uint32_t cap = 0;
    uint16_t err = WASI_ESUCCESS;
    struct dirent *d;
    errno = 0;
    while (!err && (d = readdir(dp)) != NULL)
        err = snapshot_add(f, &cap, d->d_name, d->d_ino, dirent_type(dirfd(dp), d));
    if (!err && errno)
        err = host_err();
    closedir(dp);
    if (err)
        wasi_dir_entries_free(f);
    return err;
}

uint16_t wasi_fn_fd_readdir(WasiCall *call, const ValRaw *args) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(call->wasi, ARG_U32(0), WASI_RIGHT_FD_READDIR, &f);
    if (err)
        return err;
    uint32_t buf_len = ARG_U32(2);
    uint8_t *buf = wasi_mem_range(&call->mem, ARG_U32(1), buf_len);
    uint64_t cookie = ARG_U64(3);
    if (!buf || !wasi_mem_range(&call->mem, ARG_U32(4), 4))
        return WASI_EFAULT;
    if ((cookie == 0 || !f->dir_entries) && (err = snapshot_load(f)))
        return err;
    uint32_t used = 0;
    for (uint64_t i = cookie; i < f->n_dir_entries && used < buf_len; i++) {
        const WasiDirEntry *e = &f->dir_entries[i];
        uint32_t name_len = (uint32_t)strlen(e->name);
        uint8_t head[WASI_DIRENT_SIZE] = {0};
        wasi_put_u64(head + 0, i + 1);
        wasi_put_u64(head + 8, e->ino);
        wasi_put_u32(head + 16, name_len);
        head[20] = e->type;
        uint32_t n = buf_len - used < WASI_DIRENT_SIZE ? buf_len - used : WASI_DIRENT_SIZE;
        memcpy(buf + used, head, n);
        used += n;
        n = buf_len - used < name_len ? buf_len - used : name_len;
        memcpy(buf + used, e->name, n);
        used += n;
    }
    return wasi_mem_write_u32(&call->mem, ARG_U32(4), used);
}

/* ---- path_open ---------------------------------------------------------------------------- */

#define RIGHTS_READ (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)
#define RIGHTS_WRITE                                                                               \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |                       \
     WASI_RIGHT_FD_FILESTAT_SET_SIZE)

static int open_flags(uint32_t oflags, uint32_t fdflags, uint64_t base) {
    int flags = O_NOCTTY;
    bool rd = base & RIGHTS_READ, wr = base & RIGHTS_WRITE;
    if (oflags & WASI_OFLAG_DIRECTORY)
        flags |= O_DIRECTORY | O_RDONLY;
    else
        flags |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
    flags |= (oflags & WASI_OFLAG_CREAT) ? O_CREAT : 0;
    flags |= (oflags & WASI_OFLAG_EXCL) ? O_EXCL : 0;
    flags |= (oflags & WASI_OFLAG_TRUNC) ? O_TRUNC : 0;
    flags |= (fdflags & WASI_FDFLAG_APPEND) ? O_APPEND : 0;
    flags |= (fdflags & WASI_FDFLAG_NONBLOCK) ? O_NONBLOCK : 0;
    flags |= (fdflags & WASI_FDFLAG_DSYNC) ? O_DSYNC : 0;
    flags |= (fdflags & (WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) ? O_SYNC : 0;
    return flags;
}

uint16_t wasi_fn_path_open(WasiCall *call, const ValRaw *args) {
    uint32_t oflags = ARG_U32(4), fdflags = ARG_U32(7);
    uint64_t need = WASI_RIGHT_PATH_OPEN;
    need |= (oflags & WASI_OFLAG_CREAT) ? WASI_RIGHT_PATH_CREATE_FILE : 0;
    need |= (oflags & WASI_OFLAG_TRUNC) ? WASI_RIGHT_PATH_FILESTAT_SET_SIZE : 0;
    WasiFd *dir;
    uint16_t err = get_dir(call, ARG_U32(0), need, &dir);
    if (err)
        return err;
    if ((oflags & ~15u) || (fdflags & ~31u))
        return WASI_EINVAL;
    if (!wasi_mem_range(&call->mem, ARG_U32(8), 4))
        return WASI_EFAULT;
    /* A new fd gets at most what its directory may hand down; asking to write
     * below a directory that may not hand down writing is refused outright. */
    if ((ARG_U64(5) & WASI_RIGHT_FD_WRITE) && !(dir->rights_inheriting & WASI_RIGHT_FD_WRITE))
        return WASI_ENOTCAPABLE;
    uint64_t base = ARG_U64(5) & dir->rights_inheriting;
    uint64_t inheriting = ARG_U64(6) & dir->rights_inheriting;
    bool read_only = dir->read_only;
    char *path;
    if ((err = wasi_mem_string(&call->mem, ARG_U32(2), ARG_U32(3), &path)))
        return err;
    int host;
    err = wasi_path_open_beneath(dir->host, path, open_flags(oflags, fdflags, base), 0666,
                                 ARG_U32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &host);
    mem_free(path);
    if (err)
        return err;
    struct stat st;
    if (fstat(host, &st) != 0) {
        err = host_err();
        close(host);
        return err;
    }
    uint8_t type = wasi_filetype_of_mode(st.st_mode);
    base &= wasi_rights_for_type(type, isatty(host));
    uint32_t fd;
    if ((err = wasi_fd_insert(call->wasi, host, type, base, inheriting, read_only, &fd)))
        return err;
    return wasi_mem_write_u32(&call->mem, ARG_U32(8), fd);
}

/* ---- stat and times ----------------------------------------------------------------------- */

uint16_t wasi_fn_path_filestat_get(WasiCall *call, const ValRaw *args) {
    if (!wasi_mem_range(&call->mem, ARG_U32(4), WASI_FILESTAT_SIZE))
        return WASI_EFAULT;
    bool follow = ARG_U32(1) & WASI_LOOKUP_SYMLINK_FOLLOW;
    struct stat st;
    WasiParent p;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_FILESTAT_GET, ARG_U32(2),
                               ARG_U32(3), &p);
    if (err)
        return err;
    if (follow || p.trailing_slash) {
        int fd;
        wasi_path_parent_done(&p);
        if ((err = open_full(call, ARG_U32(0), 0, ARG_U32(2), ARG_U32(3), true, &fd)))
            return err;
        err = fstat(fd, &st) == 0 ? WASI_ESUCCESS : host_err();
        close(fd);
    } else {
        err = fstatat(p.dir, p.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_ESUCCESS : host_err();
        wasi_path_parent_done(&p);
    }
    if (err)
        return err;
    uint8_t buf[WASI_FILESTAT_SIZE];
    wasi_filestat_encode(&st, buf);
    return wasi_mem_write(&call->mem, ARG_U32(4), buf, sizeof buf);
}

uint16_t wasi_fn_path_filestat_set_times(WasiCall *call, const ValRaw *args) {
    struct timespec ts[2];
    uint16_t err = wasi_times_from_flags(ARG_U64(4), ARG_U64(5), ARG_U32(6), ts);
    if (err)
        return err;
    WasiParent p;
    if ((err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_FILESTAT_SET_TIMES, ARG_U32(2),
                           ARG_U32(3), &p)))
        return err;
    if ((ARG_U32(1) & WASI_LOOKUP_SYMLINK_FOLLOW) || p.trailing_slash) {
        int fd;
        wasi_path_parent_done(&p);
        if ((err = open_full(call, ARG_U32(0), 0, ARG_U32(2), ARG_U32(3), true, &fd)))
            return err;
        err = wasi_set_times_fd(fd, ts);
        close(fd);
        return err;
    }
    err = utimensat(p.dir, p.name, ts, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_ESUCCESS : host_err();
    wasi_path_parent_done(&p);
    return err;
}

/* ---- create, remove, rename, link ----------------------------------------------------------- */

uint16_t wasi_fn_path_create_directory(WasiCall *call, const ValRaw *args) {
    WasiParent p;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_CREATE_DIRECTORY, ARG_U32(1),
                               ARG_U32(2), &p);
    if (err)
        return err;
    err = mkdirat(p.dir, p.name, 0777) == 0 ? WASI_ESUCCESS : host_err();
    wasi_path_parent_done(&p);
    return err;
}

uint16_t wasi_fn_path_remove_directory(WasiCall *call, const ValRaw *args) {
    WasiParent p;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_REMOVE_DIRECTORY, ARG_U32(1),
                               ARG_U32(2), &p);
    if (err)
        return err;
    err = unlinkat(p.dir, p.name, AT_REMOVEDIR) == 0 ? WASI_ESUCCESS : host_err();
    wasi_path_parent_done(&p);
    return err;
}

uint16_t wasi_fn_path_unlink_file(WasiCall *call, const ValRaw *args) {
    WasiParent p;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_UNLINK_FILE, ARG_U32(1),
                               ARG_U32(2), &p);
    if (err)
        return err;
    if (p.trailing_slash)
        err = is_dir_at(p.dir, p.name) ? WASI_EISDIR : WASI_ENOTDIR;
    else
        err = unlinkat(p.dir, p.name, 0) == 0 ? WASI_ESUCCESS : host_err();
    wasi_path_parent_done(&p);
    return err;
}

uint16_t wasi_fn_path_rename(WasiCall *call, const ValRaw *args) {
    WasiParent from, to;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_RENAME_SOURCE, ARG_U32(1),
                               ARG_U32(2), &from);
    if (err)
        return err;
    err = open_parent(call, ARG_U32(3), WASI_RIGHT_PATH_RENAME_TARGET, ARG_U32(4), ARG_U32(5), &to);
    if (!err && (from.trailing_slash || to.trailing_slash) && !is_dir_at(from.dir, from.name))
        err = exists_at(from.dir, from.name) ? WASI_ENOTDIR : WASI_ENOENT;
    if (!err)
        err = renameat(from.dir, from.name, to.dir, to.name) == 0 ? WASI_ESUCCESS : host_err();
    wasi_path_parent_done(&from);
    wasi_path_parent_done(&to);
    return err;
}

static uint16_t link_follow(WasiCall *call, const ValRaw *args, const WasiParent *to) {
    int fd;
    uint16_t err = open_full(call, ARG_U32(0), 0, ARG_U32(2), ARG_U32(3), true, &fd);
    if (err)
        return err;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    err = linkat(AT_FDCWD, proc, to->dir, to->name, AT_SYMLINK_FOLLOW) == 0 ? WASI_ESUCCESS
                                                                             : host_err();
    close(fd);
    return err;
}

uint16_t wasi_fn_path_link(WasiCall *call, const ValRaw *args) {
    WasiParent from, to;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_LINK_SOURCE, ARG_U32(2),
                               ARG_U32(3), &from);
    if (err)
        return err;
    err = open_parent(call, ARG_U32(4), WASI_RIGHT_PATH_LINK_TARGET, ARG_U32(5), ARG_U32(6), &to);
    if (!err && to.trailing_slash)
        err = exists_at(to.dir, to.name) ? WASI_EEXIST : WASI_ENOENT;
    if (!err && from.trailing_slash)
        err = is_dir_at(from.dir, from.name) ? WASI_EPERM : WASI_ENOTDIR;
    if (!err && (ARG_U32(1) & WASI_LOOKUP_SYMLINK_FOLLOW))
        err = link_follow(call, args, &to);
    else if (!err)
        err = linkat(from.dir, from.name, to.dir, to.name, 0) == 0 ? WASI_ESUCCESS : host_err();
    wasi_path_parent_done(&from);
    wasi_path_parent_done(&to);
    return err;
}

/* An absolute link target could never be followed inside the sandbox and would
 * point host tools outside it, so it is refused. */
uint16_t wasi_fn_path_symlink(WasiCall *call, const ValRaw *args) {
    char *target;
    uint16_t err = wasi_mem_string(&call->mem, ARG_U32(0), ARG_U32(1), &target);
    if (err)
        return err;
    WasiParent p = {.dir = -1};
    if (target[0] == '/')
        err = WASI_ENOTCAPABLE;
    else
        err = open_parent(call, ARG_U32(2), WASI_RIGHT_PATH_SYMLINK, ARG_U32(3), ARG_U32(4), &p);
    if (!err && p.trailing_slash)
        err = exists_at(p.dir, p.name) ? WASI_EEXIST : WASI_ENOENT;
    if (!err)
        err = symlinkat(target, p.dir, p.name) == 0 ? WASI_ESUCCESS : host_err();
    mem_free(target);
    wasi_path_parent_done(&p);
    return err;
}

uint16_t wasi_fn_path_readlink(WasiCall *call, const ValRaw *args) {
    uint32_t buf_len = ARG_U32(4);
    uint8_t *buf = wasi_mem_range(&call->mem, ARG_U32(3), buf_len);
    if (!buf || !wasi_mem_range(&call->mem, ARG_U32(5), 4))
        return WASI_EFAULT;
    WasiParent p;
    uint16_t err = open_parent(call, ARG_U32(0), WASI_RIGHT_PATH_READLINK, ARG_U32(1), ARG_U32(2),
                               &p);
    if (err)
        return err;
    char target[WASI_PATH_MAX + 1];
    ssize_t n = -1;
    if (p.trailing_slash)
        err = WASI_EINVAL; /* "link/" names the link's target, never a link */
    else if ((n = readlinkat(p.dir, p.name, target, sizeof target)) < 0)
        err = host_err();
    wasi_path_parent_done(&p);
    if (err)
        return err;
    uint32_t used = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
    memcpy(buf, target, used);
    return wasi_mem_write_u32(&call->mem, ARG_U32(5), used);
}
