/* Declarations shared inside the WASI layer: the preview1 ABI constants
 * (errno, rights, flags, struct layouts from wasi_snapshot_preview1.witx), the
 * fd table, bounds-checked guest memory access, sandboxed path resolution, and
 * the host-function table (wasi_funcs.def). */
#ifndef WASMC_WASI_WASI_INT_H
#define WASMC_WASI_WASI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "wasi.h"

/* ---- errno (witx: errno, u16) ------------------------------------------------ */

typedef enum WasiErrno {
#define WASI_ERRNO(name, value) WASI_E##name = value,
#include "wasi_errno.def"
#undef WASI_ERRNO
} WasiErrno;

/* Host errno -> WASI errno (EIO for anything unknown). */
uint16_t wasi_errno_from_host(int host_errno);
/* "NOENT", ... for tests and traces; "?" if unknown. */
const char *wasi_errno_name(uint16_t err);

/* ---- rights (witx: rights, u64) --------------------------------------------- */

#define WASI_RIGHT_FD_DATASYNC (1ull << 0)
#define WASI_RIGHT_FD_READ (1ull << 1)
#define WASI_RIGHT_FD_SEEK (1ull << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WASI_RIGHT_FD_SYNC (1ull << 4)
#define WASI_RIGHT_FD_TELL (1ull << 5)
#define WASI_RIGHT_FD_WRITE (1ull << 6)
#define WASI_RIGHT_FD_ADVISE (1ull << 7)
#define WASI_RIGHT_FD_ALLOCATE (1ull << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY (1ull << 9)
#define WASI_RIGHT_PATH_CREATE_FILE (1ull << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE (1ull << 11)
#define WASI_RIGHT_PATH_LINK_TARGET (1ull << 12)
#define WASI_RIGHT_PATH_OPEN (1ull << 13)
#define WASI_RIGHT_FD_READDIR (1ull << 14)
#define WASI_RIGHT_PATH_READLINK (1ull << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE (1ull << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET (1ull << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET (1ull << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WASI_RIGHT_FD_FILESTAT_GET (1ull << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WASI_RIGHT_PATH_SYMLINK (1ull << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE (1ull << 26)
#define WASI_RIGHT_POLL_FD_READWRITE (1ull << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN (1ull << 28)
#define WASI_RIGHT_SOCK_ACCEPT (1ull << 29)
#define WASI_RIGHTS_ALL ((1ull << 30) - 1)

/* Rights that make sense on a regular file / a directory / a socket / a tty. */
#define WASI_RIGHTS_FILE                                                                           \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |                            \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |                    \
     WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |                         \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                                \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                                            \
    (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC |                \
     WASI_RIGHT_FD_ADVISE | WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |      \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |            \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE |            \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |                                \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                      \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |     \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |                              \
     WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_SOCKET                                                                         \
    (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |                   \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_SOCK_SHUTDOWN |        \
     WASI_RIGHT_SOCK_ACCEPT)
#define WASI_RIGHTS_TTY                                                                            \
    (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |                   \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)
/* What a read-only pre-open never grants, to itself or anything opened below it. */
#define WASI_RIGHTS_MUTATE                                                                         \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |                                                \
     WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                              \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_RENAME_SOURCE |   \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |                           \
     WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                        \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |                                  \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE)

/* ---- small enums and flags ----------------------------------------------------- */

enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};
enum { WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4,
       WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16 };
enum { WASI_OFLAG_CREAT = 1, WASI_OFLAG_DIRECTORY = 2, WASI_OFLAG_EXCL = 4, WASI_OFLAG_TRUNC = 8 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4, WASI_FST_MTIM_NOW = 8 };
enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };
enum { WASI_CLOCK_REALTIME = 0, WASI_CLOCK_MONOTONIC = 1, WASI_CLOCK_PROCESS_CPUTIME = 2,
       WASI_CLOCK_THREAD_CPUTIME = 3 };
enum { WASI_EVENTTYPE_CLOCK = 0, WASI_EVENTTYPE_FD_READ = 1, WASI_EVENTTYPE_FD_WRITE = 2 };
enum { WASI_EVENT_FD_READWRITE_HANGUP = 1 };
enum { WASI_SUBCLOCK_ABSTIME = 1 };
enum { WASI_RIFLAG_RECV_PEEK = 1, WASI_RIFLAG_RECV_WAITALL = 2 };
enum { WASI_ROFLAG_RECV_DATA_TRUNCATED = 1 };
enum { WASI_SDFLAG_RD = 1, WASI_SDFLAG_WR = 2 };
enum { WASI_PREOPENTYPE_DIR = 0 };
#define WASI_SIGNAL_MAX 30 /* witx: signal::sys */

/* Struct sizes (witx layouts; offsets are spelled out where they are written). */
#define WASI_IOVEC_SIZE 8
#define WASI_FDSTAT_SIZE 24
#define WASI_FILESTAT_SIZE 64
#define WASI_DIRENT_SIZE 24
#define WASI_PRESTAT_SIZE 8
#define WASI_SUBSCRIPTION_SIZE 48
#define WASI_EVENT_SIZE 32

/* ---- guest memory (wasi_mem.c) -------------------------------------------------- */

/* The calling instance's linear memory as seen at the start of a call. Every
 * guest pointer/length goes through these checks (with 64-bit arithmetic, so
 * ptr + len cannot wrap); an out-of-range access is WASI_EFAULT. */
typedef struct WasiMem {
    uint8_t *base;
    uint64_t len;
} WasiMem;

/* The memory exported as "memory" by the caller's module, else its memory 0;
 * an empty WasiMem when there is none. */
WasiMem wasi_mem_of_caller(const Caller *caller);
/* Host pointer to [ptr, ptr + len) of guest memory, NULL if out of bounds. */
uint8_t *wasi_mem_range(const WasiMem *mem, uint32_t ptr, uint64_t len);
uint16_t wasi_mem_read_u32(const WasiMem *mem, uint32_t ptr, uint32_t *out);
uint16_t wasi_mem_read_u64(const WasiMem *mem, uint32_t ptr, uint64_t *out);
uint16_t wasi_mem_write_u32(const WasiMem *mem, uint32_t ptr, uint32_t value);
uint16_t wasi_mem_write_u64(const WasiMem *mem, uint32_t ptr, uint64_t value);
uint16_t wasi_mem_write(const WasiMem *mem, uint32_t ptr, const void *data, uint64_t len);
/* Little-endian stores into a host buffer (building structs before copying out). */
void wasi_put_u16(uint8_t *p, uint16_t v);
void wasi_put_u32(uint8_t *p, uint32_t v);
void wasi_put_u64(uint8_t *p, uint64_t v);
uint16_t wasi_get_u16(const uint8_t *p);
uint32_t wasi_get_u32(const uint8_t *p);
uint64_t wasi_get_u64(const uint8_t *p);

/* Copy a guest string (path) into a fresh NUL-terminated host buffer:
 * EFAULT out of bounds, EINVAL on an embedded NUL, EILSEQ if not UTF-8,
 * ENAMETOOLONG past WASI_PATH_MAX. *out freed with mem_free. */
#define WASI_PATH_MAX 4096
uint16_t wasi_mem_string(const WasiMem *mem, uint32_t ptr, uint32_t len, char **out);

/* Translate a guest iovec array into host iovecs pointing into guest memory
 * (at most WASI_IOV_MAX; a longer array is truncated, which is a legal short
 * transfer). *out freed with mem_free. */
#define WASI_IOV_MAX 1024
#define WASI_IO_TOTAL_MAX 0x7ffff000u /* bytes per call, as Linux caps read/write */
struct iovec;
uint16_t wasi_mem_iovecs(const WasiMem *mem, uint32_t iovs, uint32_t n_iovs, struct iovec **out,
                         int *out_n);

/* ---- fd table (wasi_fd.c) -------------------------------------------------------- */

/* A directory snapshot for fd_readdir: cookie k is entry k (0 = start). */
typedef struct WasiDirEntry {
    char *name;
    uint64_t ino;
    uint8_t type; /* WASI_FILETYPE_* */
} WasiDirEntry;

/* One guest fd. Invariant: rights_base/rights_inheriting only shrink. */
typedef struct WasiFd {
    bool used;
    bool read_only;      /* below a read-only pre-open: never grows write rights */
    uint8_t filetype;    /* WASI_FILETYPE_* */
    int host;            /* owned host fd */
    uint64_t rights_base, rights_inheriting;
    char *preopen_name;  /* guest path of a pre-opened directory, else NULL */
    WasiDirEntry *dir_entries; /* fd_readdir snapshot */
    uint32_t n_dir_entries;
} WasiFd;

struct Wasi {
    char **args;
    uint32_t n_args;
    char **env;
    uint32_t n_env;
    WasiFd *fds;
    uint32_t n_fds, cap_fds;
    bool exited;
    int exit_code;
    struct WasiBinding *bindings; /* one per WASI function (host func env) */
};

/* The fd `fd` if open and holding every right in `need`: WASI_ESUCCESS with
 * *out, else EBADF (not open) or ENOTCAPABLE (a right missing). */
uint16_t wasi_fd_get(Wasi *wasi, uint32_t fd, uint64_t need, WasiFd **out);
/* Install an owned host fd in the lowest free slot >= 3; closes `host` on failure
 * (ENFILE when the table is full, ENOMEM). */
uint16_t wasi_fd_insert(Wasi *wasi, int host, uint8_t filetype, uint64_t base,
                        uint64_t inheriting, bool read_only, uint32_t *out_fd);
/* Install at a given guest fd (used for stdio and in wasi_new). */
uint16_t wasi_fd_insert_at(Wasi *wasi, uint32_t fd, int host, uint8_t filetype, uint64_t base,
                           uint64_t inheriting, bool read_only);
void wasi_fd_close_slot(WasiFd *f);
uint16_t wasi_fd_close(Wasi *wasi, uint32_t fd);
uint16_t wasi_fd_renumber(Wasi *wasi, uint32_t from, uint32_t to);
void wasi_fd_table_free(Wasi *wasi);
/* The WASI filetype of a host stat mode. */
uint8_t wasi_filetype_of_mode(unsigned mode);
/* The rights a host fd of this filetype may hold. */
uint64_t wasi_rights_for_type(uint8_t filetype, bool is_tty);
void wasi_dir_entries_free(WasiFd *f);

/* ---- sandboxed paths (wasi_path.c) ---------------------------------------------------- */

/* Open `path` relative to the directory `dirfd`, never leaving it: absolute
 * paths, `..` above dirfd and symbolic links pointing out are ENOTCAPABLE,
 * link loops ELOOP. `follow`: follow a symlink in the final component
 * (otherwise open it O_PATH|O_NOFOLLOW-style, or fail ELOOP for real opens).
 * `flags`/`mode` as for openat (O_CLOEXEC added). */
uint16_t wasi_path_open_beneath(int dirfd, const char *path, int flags, unsigned mode, bool follow,
                                int *out_fd);

/* Split `path` for an *at operation on its final component: *out_dir is an
 * O_PATH fd for the parent directory, opened beneath `dirfd`; *out_name a
 * single component (no '/'; "." when the path names dirfd itself or ends in
 * "." or ".."). *out_trailing_slash says the path ended in '/'. Free both with
 * wasi_path_parent_done. */
typedef struct WasiParent {
    int dir;
    char *name;
    bool trailing_slash;
    bool dot; /* final component was "." or ".." (name is ".") */
} WasiParent;
uint16_t wasi_path_parent(int dirfd, const char *path, WasiParent *out);
void wasi_path_parent_done(WasiParent *p);

/* Tests: force the portable resolver even when openat2 works. */
void wasi_path_force_fallback(bool on);

/* ---- host functions ------------------------------------------------------------------- */

/* One call of a WASI function: the instance, the caller's memory, and the
 * trap to return (proc_exit). A handler returns a WASI errno. */
typedef struct WasiCall {
    Wasi *wasi;
    WasiMem mem;
    Trap *trap;
} WasiCall;

typedef uint16_t (*WasiHandler)(WasiCall *call, const ValRaw *args);

typedef struct WasiFuncDesc {
    const char *name;
    const char *params;  /* 'i' = i32, 'I' = i64 */
    bool has_result;     /* every function but proc_exit returns an errno */
    WasiHandler handler;
} WasiFuncDesc;

typedef struct WasiBinding {
    Wasi *wasi;
    const WasiFuncDesc *desc;
} WasiBinding;

extern const WasiFuncDesc wasi_funcs[];
extern const uint32_t wasi_n_funcs;
const WasiFuncDesc *wasi_func_find(const char *name, size_t len);
/* The HostFn behind every WASI function (env = WasiBinding *). */
Trap *wasi_host_call(void *env, Caller *caller, ValRaw *args_results, uint32_t n_params,
                     uint32_t n_results);

/* Handlers, one per function, named wasi_fn_<function>. */
#define WASI_FUNC(name, params, has_result)                                                        \
    uint16_t wasi_fn_##name(WasiCall *call, const ValRaw *args);
#include "wasi_funcs.def"
#undef WASI_FUNC

/* Now on a WASI clock, in ns (EINVAL for an unknown clock id). */
uint16_t wasi_clock_now(uint32_t id, uint64_t *out);

/* Shared by the fs handlers: fill a WASI filestat from a host struct stat. */
struct stat;
void wasi_filestat_encode(const struct stat *st, uint8_t out[WASI_FILESTAT_SIZE]);
/* WASI timestamp pair + fstflags -> host timespec out[2] (EINVAL on conflicting flags). */
struct timespec;
uint16_t wasi_times_from_flags(uint64_t atim, uint64_t mtim, uint32_t fst_flags,
                               struct timespec *out);
/* futimens that also works on O_PATH descriptors. */
uint16_t wasi_set_times_fd(int fd, const struct timespec *ts);

#endif
