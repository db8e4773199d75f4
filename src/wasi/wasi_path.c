/* Sandboxed path resolution: every guest path is resolved beneath a directory
 * fd the guest holds and can never name anything outside it. With the
 * kernel's openat2 (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) the kernel does
 * it atomically; without it (ENOSYS) a component-by-component walk does: each
 * component opened O_PATH|O_NOFOLLOW from an fd we hold, `..` pops a stack of
 * held ancestor fds (never re-resolved by name, so a concurrent rename cannot
 * lift us out), symlink targets read from the opened link and re-walked. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi_int.h"

#define MAX_SYMLINKS 40
#define OPENAT2_RETRIES 8

static bool force_fallback;
static int openat2_missing; /* set once the kernel said ENOSYS */

void wasi_path_force_fallback(bool on) {
    force_fallback = on;
}

/* Result of the kernel path: 1 = done (*out_err set), 0 = not available. */
static int try_openat2(int dirfd, const char *path, int flags, unsigned mode, bool follow,
                       int *out_fd, uint16_t *out_err) {
#ifdef SYS_openat2
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    /* O_TMPFILE includes O_DIRECTORY's bit: test it whole */
    how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0; attempt < OPENAT2_RETRIES; attempt++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) {
            *out_fd = (int)fd;
            *out_err = WASI_ESUCCESS;
            return 1;
        }
        if (errno == ENOSYS) {
            openat2_missing = 1;
            return 0;
        }
        if (errno == EAGAIN || errno == EINTR)
            continue; /* a concurrent rename: the kernel asks us to retry */
        *out_err = errno == EXDEV ? WASI_ENOTCAPABLE : wasi_errno_from_host(errno);
        return 1;
    }
    *out_err = WASI_EAGAIN;
    return 1;
#else
    (void)dirfd, (void)path, (void)flags, (void)mode, (void)follow, (void)out_fd, (void)out_err;
    return 0;
#endif
}

/* ---- the portable walk ---------------------------------------------------------- */

typedef struct Walk {
    int *dirs;       /* held directory fds: dirs[0] = the start, dirs[n-1] = current */
    uint32_t n, cap;
    char *rem;       /* what is left to resolve (heap) */
    size_t pos;      /* next byte of rem */
    unsigned links;  /* symlinks expanded so far */
} Walk;

static void walk_free(Walk *w) {
    for (uint32_t i = 0; i < w->n; i++)
        close(w->dirs[i]);
    mem_free(w->dirs);
    mem_free(w->rem);
}

static uint16_t walk_push(Walk *w, int fd) {
    if (w->n == w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 16;
        int *dirs = mem_realloc(w->dirs, cap * sizeof *dirs);
        if (!dirs) {
            close(fd);
            return WASI_ENOMEM;
        }
        w->dirs = dirs;
        w->cap = cap;
    }
    w->dirs[w->n++] = fd;
    return WASI_ESUCCESS;
}

/* Replace the walk's remaining path by `target` + "/" + what followed the link. */
static uint16_t walk_expand(Walk *w, const char *target, size_t target_len, const char *rest) {
    if (++w->links > MAX_SYMLINKS)
        return WASI_ELOOP;
    if (target_len == 0)
        return WASI_ENOENT;
    if (target[0] == '/')
        return WASI_ENOTCAPABLE;
    size_t rest_len = strlen(rest);
    char *s = mem_alloc(target_len + 1 + rest_len + 1);
    if (!s)
        return WASI_ENOMEM;
    memcpy(s, target, target_len);
    s[target_len] = '/';
    memcpy(s + target_len + 1, rest, rest_len + 1);
    if (rest_len == 0)
        s[target_len] = '\0'; /* a link with nothing after it keeps no trailing slash */
    mem_free(w->rem);
    w->rem = s;
    w->pos = 0;
    return WASI_ESUCCESS;
}

/* Read link `name` in the current directory and continue with its target.
 * `rest` may point into w->rem (replaced by the expansion), so it is copied;
 * a trailing slash after a final link survives (the target must be a directory). */
static uint16_t walk_follow(Walk *w, const char *name, const char *rest, bool trailing) {
    char target[WASI_PATH_MAX + 1];
    ssize_t len = readlinkat(w->dirs[w->n - 1], name, target, sizeof target - 1);
    if (len < 0)
        return wasi_errno_from_host(errno);
    if ((size_t)len >= sizeof target - 1)
        return WASI_ENAMETOOLONG;
    target[len] = '\0';
    size_t rest_len = strlen(rest);
    char *tail = mem_alloc(rest_len + 2);
    if (!tail)
        return WASI_ENOMEM;
    if (trailing && rest_len == 0)
        strcpy(tail, "/");
    else
        memcpy(tail, rest, rest_len + 1);
    uint16_t err = walk_expand(w, target, (size_t)len, tail);
    mem_free(tail);
    return err;
}

/* One intermediate component: descend into a directory or expand a link. */
static uint16_t walk_step(Walk *w, const char *name, const char *rest) {
    int fd = openat(w->dirs[w->n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return wasi_errno_from_host(errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return wasi_errno_from_host(e);
    }
    if (S_ISDIR(st.st_mode))
        return walk_push(w, fd);
    if (!S_ISLNK(st.st_mode)) {
        close(fd);
        return WASI_ENOTDIR;
    }
    close(fd);
    return walk_follow(w, name, rest, false);
}

/* Split off the next component of w->rem into `name`; *out_final when nothing
 * but slashes follows it, *out_trailing when at least one slash does. */
static uint16_t walk_next(Walk *w, char *name, bool *out_final, bool *out_trailing,
                          const char **out_rest) {
    const char *s = w->rem + w->pos;
    while (*s == '/')
        s++;
    const char *end = strchr(s, '/');
    size_t len = end ? (size_t)(end - s) : strlen(s);
    if (len > 255)
        return WASI_ENAMETOOLONG;
    memcpy(name, s, len);
    name[len] = '\0';
    const char *rest = s + len;
    *out_trailing = *rest == '/';
    while (*rest == '/')
        rest++;
    *out_final = *rest == '\0';
    *out_rest = rest;
    w->pos = (size_t)(rest - w->rem);
    if (len == 0)
        strcpy(name, "."); /* empty remaining path: the current directory */
    return WASI_ESUCCESS;
}

/* Open the final component; follows a final symlink by expanding it. *out_fd
 * stays -1 when the walk must continue. */
static uint16_t walk_final(Walk *w, const char *name, bool trailing, int flags, unsigned mode,
                           bool follow, int *out_fd) {
    int cur = w->dirs[w->n - 1];
    bool want_follow = follow || trailing;
    int f = flags | O_CLOEXEC | O_NOFOLLOW | (trailing ? O_DIRECTORY : 0);
    int fd = openat(cur, name, f, mode);
    if (fd >= 0) {
        struct stat st;
        if (!want_follow || !(flags & O_PATH) || fstat(fd, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out_fd = fd;
            return WASI_ESUCCESS;
        }
        close(fd); /* an O_PATH open of a link we must follow */
    } else {
        int e = errno;
        struct stat st;
        bool is_link = (e == ELOOP || e == ENOTDIR || e == EMLINK) &&
                       fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        if (!is_link || !want_follow)
            return wasi_errno_from_host(e);
    }
    return walk_follow(w, name, "", trailing);
}

static uint16_t walk_run(Walk *w, int flags, unsigned mode, bool follow, int *out_fd) {
    char name[256];
    for (;;) {
        bool final, trailing;
        const char *rest;
        uint16_t err = walk_next(w, name, &final, &trailing, &rest);
        if (err)
            return err;
        if (strcmp(name, "..") == 0) {
            if (w->n == 1)
                return WASI_ENOTCAPABLE;
            close(w->dirs[--w->n]);
            if (final)
                strcpy(name, ".");
            else
                continue;
        }
        if (strcmp(name, ".") == 0 && !final)
            continue;
        if (!final) {
            err = walk_step(w, name, rest);
        } else {
            err = walk_final(w, name, trailing, flags, mode, follow, out_fd);
            if (err == WASI_ESUCCESS && *out_fd >= 0)
                return WASI_ESUCCESS;
        }
        if (err)
            return err;
    }
}

static uint16_t resolve_portable(int dirfd, const char *path, int flags, unsigned mode,
                                 bool follow, int *out_fd) {
    Walk w = {0};
    int start = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (start < 0)
        return wasi_errno_from_host(errno);
    uint16_t err = walk_push(&w, start);
    if (!err) {
        w.rem = mem_strndup(path, strlen(path));
        err = w.rem ? walk_run(&w, flags, mode, follow, out_fd) : WASI_ENOMEM;
    }
    walk_free(&w);
    return err;
}

uint16_t wasi_path_open_beneath(int dirfd, const char *path, int flags, unsigned mode, bool follow,
                                int *out_fd) {
    *out_fd = -1;
    if (path[0] == '\0')
        return WASI_ENOENT;
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    if (!force_fallback && !openat2_missing) {
        uint16_t err;
        if (try_openat2(dirfd, path, flags, mode, follow, out_fd, &err))
            return err;
    }
    return resolve_portable(dirfd, path, flags, mode, follow, out_fd);
}

/* ---- parent + final name ----------------------------------------------------------- */

uint16_t wasi_path_parent(int dirfd, const char *path, WasiParent *out) {
    *out = (WasiParent){.dir = -1};
    size_t len = strlen(path);
    if (len == 0)
        return WASI_ENOENT;
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    char *copy = mem_strndup(path, len);
    if (!copy)
        return WASI_ENOMEM;
    while (len > 1 && copy[len - 1] == '/') {
        copy[--len] = '\0';
        out->trailing_slash = true;
    }
    char *slash = strrchr(copy, '/');
    const char *name = slash ? slash + 1 : copy;
    uint16_t err;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        out->dot = true;
        err = wasi_path_open_beneath(dirfd, copy, O_PATH | O_DIRECTORY, 0, true, &out->dir);
        name = ".";
    } else if (slash) {
        *slash = '\0';
        err = wasi_path_open_beneath(dirfd, copy, O_PATH | O_DIRECTORY, 0, true, &out->dir);
    } else {
        err = wasi_path_open_beneath(dirfd, ".", O_PATH | O_DIRECTORY, 0, true, &out->dir);
    }
    if (!err) {
        out->name = mem_strndup(name, strlen(name));
        if (!out->name)
            err = WASI_ENOMEM;
    }
    mem_free(copy);
    if (err)
        wasi_path_parent_done(out);
    return err;
}

void wasi_path_parent_done(WasiParent *p) {
    if (p->dir >= 0)
        close(p->dir);
    mem_free(p->name);
    p->dir = -1;
    p->name = NULL;
}
