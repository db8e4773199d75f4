/* The guest's fd table: guest fd -> owned host fd, WASI filetype and rights.
 * Every handler reaches a host fd only through wasi_fd_get, which checks that
 * the slot is open and holds the rights the operation needs. */
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_int.h"

#define WASI_FD_LIMIT 65536u /* guest fds are < 2^31; we keep the table small */
/* New fds never reuse 0-2: pre-opens stay at 3.. (wasi-libc scans from 3)
 * even when a stdio fd is closed. */
#define WASI_FD_FIRST_FREE 3u

uint16_t wasi_fd_get(Wasi *wasi, uint32_t fd, uint64_t need, WasiFd **out) {
    *out = NULL;
    if (fd >= wasi->n_fds || !wasi->fds[fd].used)
        return WASI_EBADF;
    WasiFd *f = &wasi->fds[fd];
    if ((f->rights_base & need) != need)
        return WASI_ENOTCAPABLE;
    *out = f;
    return WASI_ESUCCESS;
}

static uint16_t grow_table(Wasi *wasi, uint32_t min_fds) {
    if (min_fds > WASI_FD_LIMIT)
        return WASI_ENFILE;
    if (min_fds <= wasi->cap_fds) {
        if (wasi->n_fds < min_fds)
            wasi->n_fds = min_fds;
        return WASI_ESUCCESS;
    }
    uint32_t cap = wasi->cap_fds ? wasi->cap_fds * 2 : 16;
    while (cap < min_fds)
        cap *= 2;
    WasiFd *fds = mem_realloc(wasi->fds, (size_t)cap * sizeof *fds);
    if (!fds)
        return WASI_ENOMEM;
    for (uint32_t i = wasi->cap_fds; i < cap; i++)
        fds[i] = (WasiFd){.used = false, .host = -1};
    wasi->fds = fds;
    wasi->cap_fds = cap;
    wasi->n_fds = min_fds;
    return WASI_ESUCCESS;
}

uint16_t wasi_fd_insert_at(Wasi *wasi, uint32_t fd, int host, uint8_t filetype, uint64_t base,
                           uint64_t inheriting, bool read_only) {
    uint16_t err = grow_table(wasi, fd + 1);
    if (err) {
        close(host);
        return err;
    }
    WasiFd *f = &wasi->fds[fd];
    if (f->used)
        wasi_fd_close_slot(f);
    if (read_only) {
        base &= ~WASI_RIGHTS_MUTATE;
        inheriting &= ~WASI_RIGHTS_MUTATE;
    }
    *f = (WasiFd){.used = true, .read_only = read_only, .filetype = filetype, .host = host,
                  .rights_base = base, .rights_inheriting = inheriting};
    return WASI_ESUCCESS;
}

uint16_t wasi_fd_insert(Wasi *wasi, int host, uint8_t filetype, uint64_t base,
                        uint64_t inheriting, bool read_only, uint32_t *out_fd) {
    uint32_t fd = WASI_FD_FIRST_FREE;
    while (fd < wasi->n_fds && wasi->fds[fd].used)
        fd++;
    uint16_t err = wasi_fd_insert_at(wasi, fd, host, filetype, base, inheriting, read_only);
    if (err == WASI_ESUCCESS)
        *out_fd = fd;
    return err;
}

void wasi_dir_entries_free(WasiFd *f) {
    for (uint32_t i = 0; i < f->n_dir_entries; i++)
        mem_free(f->dir_entries[i].name);
    mem_free(f->dir_entries);
    f->dir_entries = NULL;
    f->n_dir_entries = 0;
}

void wasi_fd_close_slot(WasiFd *f) {
    if (!f->used)
        return;
    if (f->host >= 0)
        close(f->host);
    mem_free(f->preopen_name);
    wasi_dir_entries_free(f);
    *f = (WasiFd){.used = false, .host = -1};
}

uint16_t wasi_fd_close(Wasi *wasi, uint32_t fd) {
    WasiFd *f;
    uint16_t err = wasi_fd_get(wasi, fd, 0, &f);
    if (err)
        return err;
    wasi_fd_close_slot(f);
    while (wasi->n_fds > 0 && !wasi->fds[wasi->n_fds - 1].used)
        wasi->n_fds--;
    return WASI_ESUCCESS;
}

/* spec (witx fd_renumber): atomically replace `to` by `from`; both must be open. */
uint16_t wasi_fd_renumber(Wasi *wasi, uint32_t from, uint32_t to) {
    WasiFd *src, *dst;
    uint16_t err = wasi_fd_get(wasi, from, 0, &src);
    if (!err)
        err = wasi_fd_get(wasi, to, 0, &dst);
    if (err)
        return err;
    if (from == to)
        return WASI_ESUCCESS;
    wasi_fd_close_slot(dst);
    *dst = *src;
    *src = (WasiFd){.used = false, .host = -1};
    while (wasi->n_fds > 0 && !wasi->fds[wasi->n_fds - 1].used)
        wasi->n_fds--;
    return WASI_ESUCCESS;
}

void wasi_fd_table_free(Wasi *wasi) {
    for (uint32_t i = 0; i < wasi->cap_fds; i++)
        wasi_fd_close_slot(&wasi->fds[i]);
    mem_free(wasi->fds);
    wasi->fds = NULL;
    wasi->n_fds = wasi->cap_fds = 0;
}

uint8_t wasi_filetype_of_mode(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG:
        return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR:
        return WASI_FILETYPE_DIRECTORY;
    case S_IFCHR:
        return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK:
        return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK:
        return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK:
        return WASI_FILETYPE_SOCKET_STREAM;
    default:
        return WASI_FILETYPE_UNKNOWN;
    }
}

uint64_t wasi_rights_for_type(uint8_t filetype, bool is_tty) {
    switch (filetype) {
    case WASI_FILETYPE_DIRECTORY:
        return WASI_RIGHTS_DIR;
    case WASI_FILETYPE_REGULAR_FILE:
    case WASI_FILETYPE_BLOCK_DEVICE:
        return WASI_RIGHTS_FILE;
    case WASI_FILETYPE_SOCKET_STREAM:
    case WASI_FILETYPE_SOCKET_DGRAM:
        return WASI_RIGHTS_SOCKET;
    case WASI_FILETYPE_CHARACTER_DEVICE:
        return is_tty ? WASI_RIGHTS_TTY : WASI_RIGHTS_FILE;
    default: /* pipes and the like: a stream without a position */
        return WASI_RIGHTS_TTY;
    }
}
