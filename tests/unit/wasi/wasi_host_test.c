/* WASI host functions called directly, through the same HostFn the runtime
 * calls, with a fake caller: a VMContext whose memory 0 is a 64 KiB buffer.
 * Covers errno mapping, memory-bounds checks (EFAULT, never a crash), the fd
 * table and rights, every fs/path function on a temp pre-open (also
 * read-only), clocks, random, poll_oneoff, sockets and proc_exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "wasi/wasi_int.h"

#define MEM_SIZE 65536u

typedef struct FakeCx {
    VMContext cx;
    RtMemory *mems[1];
} FakeCx;

static uint8_t memory[MEM_SIZE];
static RtMemory fake_mem = {.base = memory, .length = MEM_SIZE};
static Module fake_ir;
static RtModule fake_module;
static FakeCx fake_cx;
static Caller caller;
static Wasi *wasi;
static Trap *last_trap;
static char top[64];
static int out_pipe[2];

static void fake_setup(void) {
    fake_ir.n_memories = 1;
    fake_module.ir = &fake_ir;
    fake_module.offsets.memories = offsetof(FakeCx, mems);
    fake_cx.cx.module = &fake_module;
    fake_cx.mems[0] = &fake_mem;
    caller = (Caller){NULL, &fake_cx.cx};
}

/* Call WASI function `name` with integer arguments (i64 where the signature
 * says 'I'); returns the errno result (or -1 when the function trapped). */
static int call(const char *name, ...) {
    const WasiFuncDesc *d = wasi_func_find(name, strlen(name));
    if (!d)
        return -2;
    ValRaw ar[16];
    memset(ar, 0, sizeof ar);
    va_list ap;
    va_start(ap, name);
    uint32_t n = (uint32_t)strlen(d->params);
    for (uint32_t i = 0; i < n; i++) {
        if (d->params[i] == 'I')
            ar[i].i64 = va_arg(ap, int64_t);
        else
            ar[i].i32 = (int32_t)va_arg(ap, uint32_t);
    }
    va_end(ap);
    WasiBinding *b = &wasi->bindings[d - wasi_funcs];
    Trap *t = wasi_host_call(b, &caller, ar, n, d->has_result ? 1 : 0);
    if (t) {
        rt_trap_delete(last_trap);
        last_trap = t;
        return -1;
    }
    return ar[0].i32;
}

static uint32_t rd32(uint32_t at) {
    return wasi_get_u32(memory + at);
}

static uint64_t rd64(uint32_t at) {
    return wasi_get_u64(memory + at);
}

/* Put a string at `at` and return its length. */
static uint32_t put_str(uint32_t at, const char *s) {
    memcpy(memory + at, s, strlen(s));
    return (uint32_t)strlen(s);
}

static void put_iovec(uint32_t at, uint32_t buf, uint32_t len) {
    wasi_put_u32(memory + at, buf);
    wasi_put_u32(memory + at + 4, len);
}

#define P(rel) (snprintf(path_buf, sizeof path_buf, "%s/%s", top, rel), path_buf)
static char path_buf[512];

static void test_setup(void) {
    alarm(60); /* a blocking host call must fail the test, never hang the suite */
    fake_setup();
    snprintf(top, sizeof top, "/tmp/wasi_host_XXXXXX");
    CHECK(mkdtemp(top) != NULL);
    mkdir(P("rw"), 0755);
    mkdir(P("ro"), 0755);
    FILE *f = fopen(P("ro/data.txt"), "w");
    fputs("read me", f);
    fclose(f);
    f = fopen(P("outside.txt"), "w");
    fputs("outside", f);
    fclose(f);
    CHECK(pipe(out_pipe) == 0);
    char rw[300], ro[300];
    snprintf(rw, sizeof rw, "%s/rw", top);
    snprintf(ro, sizeof ro, "%s/ro", top);
    WasiPreopen pre[2] = {{rw, "/rw", false}, {ro, "/ro", true}};
    const char *args[] = {"prog", "a b", "c"};
    const char *env[] = {"K=V", "EMPTY="};
    WasiConfig cfg;
    wasi_config_default(&cfg);
    cfg.args = args;
    cfg.n_args = 3;
    cfg.env = env;
    cfg.n_env = 2;
    cfg.preopens = pre;
    cfg.n_preopens = 2;
    cfg.stdout_fd = out_pipe[1];
    Diag diag;
    CHECK(wasi_new(&cfg, &wasi, &diag) == OK);
}

static void test_errno_map(void) {
    CHECK_EQ_U64(wasi_errno_from_host(0), WASI_ESUCCESS);
    CHECK_EQ_U64(wasi_errno_from_host(ENOENT), 44);
    CHECK_EQ_U64(wasi_errno_from_host(EXDEV), 75);
    CHECK_EQ_U64(wasi_errno_from_host(EWOULDBLOCK), WASI_EAGAIN);
    CHECK_EQ_U64(wasi_errno_from_host(EOPNOTSUPP), WASI_ENOTSUP);
    CHECK_EQ_U64(wasi_errno_from_host(ENOTEMPTY), 55);
    CHECK_EQ_U64(wasi_errno_from_host(99999), WASI_EIO);
    CHECK_STR(wasi_errno_name(WASI_ENOTCAPABLE), "NOTCAPABLE");
    CHECK_EQ_U64(WASI_ENOTCAPABLE, 76);
}

static void test_mem_bounds(void) {
    WasiMem m = {memory, MEM_SIZE};
    CHECK(wasi_mem_range(&m, MEM_SIZE, 0) != NULL);
    CHECK(wasi_mem_range(&m, MEM_SIZE - 4, 4) != NULL);
    CHECK(wasi_mem_range(&m, MEM_SIZE - 3, 4) == NULL);
    CHECK(wasi_mem_range(&m, 0xffffffffu, 2) == NULL);
    CHECK(wasi_mem_range(&m, 1, UINT64_MAX) == NULL);
    CHECK_EQ_U64(wasi_mem_write_u32(&m, MEM_SIZE - 3, 1), WASI_EFAULT);
    CHECK_EQ_U64(wasi_mem_write_u64(&m, MEM_SIZE - 8, 1), 0);
    WasiMem none = {NULL, 0};
    CHECK(wasi_mem_range(&none, 0, 0) == NULL);
    char *s;
    memcpy(memory + 100, "ab\0c", 4);
    CHECK_EQ_U64(wasi_mem_string(&m, 100, 4, &s), WASI_EINVAL);
    memcpy(memory + 100, "\xff\xfe", 2);
    CHECK_EQ_U64(wasi_mem_string(&m, 100, 2, &s), WASI_EILSEQ);
    CHECK_EQ_U64(wasi_mem_string(&m, MEM_SIZE - 1, 2, &s), WASI_EFAULT);
    /* the host functions: bad pointers are EFAULT, nothing is written */
    CHECK_EQ_U64(call("args_sizes_get", MEM_SIZE - 2, 0), WASI_EFAULT);
    CHECK_EQ_U64(call("clock_time_get", 1, (int64_t)0, 0xfffffff0u), WASI_EFAULT);
    CHECK_EQ_U64(call("random_get", MEM_SIZE - 10, 11), WASI_EFAULT);
    put_iovec(200, MEM_SIZE - 2, 5);
    CHECK_EQ_U64(call("fd_write", 1, 200, 1, 300), WASI_EFAULT);
    CHECK_EQ_U64(call("fd_write", 1, MEM_SIZE - 4, 1, 300), WASI_EFAULT);
    put_iovec(200, 400, 1);
    CHECK_EQ_U64(call("fd_write", 1, 200, 1, MEM_SIZE), WASI_EFAULT);
    CHECK_EQ_U64(call("path_open", 3, 0, 0xffffff00u, 200, 0, (int64_t)2, (int64_t)0, 0, 0),
                 WASI_EFAULT);
    CHECK_EQ_U64(call("poll_oneoff", 0, MEM_SIZE - 31, 1, 0), WASI_EFAULT);
}

static void test_args_env(void) {
    CHECK_EQ_U64(call("args_sizes_get", 0, 4), 0);
    CHECK_EQ_U64(rd32(0), 3);
    CHECK_EQ_U64(rd32(4), 11); /* "prog\0a b\0c\0" */
    CHECK_EQ_U64(call("args_get", 100, 200), 0);
    CHECK_EQ_U64(rd32(100), 200);
    CHECK_EQ_U64(rd32(104), 205);
    CHECK_STR((char *)memory + rd32(108), "c");
    CHECK_EQ_U64(call("environ_sizes_get", 0, 4), 0);
    CHECK_EQ_U64(rd32(0), 2);
    CHECK_EQ_U64(rd32(4), 11);
    CHECK_EQ_U64(call("environ_get", 100, 200), 0);
    CHECK_STR((char *)memory + rd32(100), "K=V");
    CHECK_STR((char *)memory + rd32(104), "EMPTY=");
    CHECK_EQ_U64(call("args_get", 100, MEM_SIZE - 5), WASI_EFAULT);
}

static void test_stdout_write(void) {
    put_str(400, "hello ");
    put_str(420, "world\n");
    put_iovec(200, 400, 6);
    put_iovec(208, 420, 6);
    CHECK_EQ_U64(call("fd_write", 1, 200, 2, 300), 0);
    CHECK_EQ_U64(rd32(300), 12);
    char buf[32] = {0};
    CHECK(read(out_pipe[0], buf, sizeof buf) == 12);
    CHECK_STR(buf, "hello world\n");
    CHECK_EQ_U64(call("fd_write", 9, 200, 2, 300), WASI_EBADF);
    CHECK_EQ_U64(call("fd_read", 1, 200, 2, 300), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(call("fd_seek", 1, (int64_t)0, 0, 300), WASI_ENOTCAPABLE); /* a pipe */
    CHECK_EQ_U64(call("fd_fdstat_get", 1, 500), 0);
    CHECK_EQ_U64(memory[500], WASI_FILETYPE_UNKNOWN);
}

static void test_prestat(void) {
    CHECK_EQ_U64(call("fd_prestat_get", 3, 0), 0);
    CHECK_EQ_U64(memory[0], 0);
    CHECK_EQ_U64(rd32(4), 3);
    CHECK_EQ_U64(call("fd_prestat_dir_name", 3, 100, 3), 0);
    CHECK(memcmp(memory + 100, "/rw", 3) == 0);
    CHECK_EQ_U64(call("fd_prestat_dir_name", 3, 100, 2), WASI_ENAMETOOLONG);
    CHECK_EQ_U64(call("fd_prestat_get", 4, 0), 0);
    CHECK_EQ_U64(call("fd_prestat_get", 5, 0), WASI_EBADF);
    CHECK_EQ_U64(call("fd_prestat_get", 1, 0), WASI_EBADF);
    CHECK_EQ_U64(call("fd_fdstat_get", 3, 0), 0);
    CHECK_EQ_U64(memory[0], WASI_FILETYPE_DIRECTORY);
    CHECK(rd64(8) & WASI_RIGHT_PATH_OPEN);
    CHECK_EQ_U64(call("fd_fdstat_get", 4, 0), 0);
    CHECK_EQ_U64(rd64(8) & WASI_RIGHT_PATH_CREATE_FILE, 0);
    CHECK_EQ_U64(rd64(16) & WASI_RIGHT_FD_WRITE, 0);
}

/* path_open(dir, path) with read+write rights; returns the new fd or -errno. */
static int open_file(uint32_t dir, const char *path, uint32_t oflags, uint64_t rights) {
    uint32_t len = put_str(1000, path);
    int e = call("path_open", dir, 1, 1000, len, oflags, (int64_t)rights, (int64_t)0, 0, 96);
    return e ? -e : (int)rd32(96);
}

#define RW_RIGHTS (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK | \
                   WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_READDIR | \
                   WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES)

static void test_files(void) {
    int fd = open_file(3, "f.txt", WASI_OFLAG_CREAT, RW_RIGHTS);
    CHECK(fd >= 5);
    put_str(400, "abcdef");
    put_iovec(200, 400, 6);
    CHECK_EQ_U64(call("fd_write", fd, 200, 1, 300), 0);
    CHECK_EQ_U64(call("fd_tell", fd, 300), 0);
    CHECK_EQ_U64(rd64(300), 6);
    CHECK_EQ_U64(call("fd_seek", fd, (int64_t)-4, WASI_WHENCE_END, 300), 0);
    CHECK_EQ_U64(rd64(300), 2);
    CHECK_EQ_U64(call("fd_seek", fd, (int64_t)0, 7, 300), WASI_EINVAL);
    put_iovec(200, 500, 3);
    CHECK_EQ_U64(call("fd_read", fd, 200, 1, 300), 0);
    CHECK_EQ_U64(rd32(300), 3);
    CHECK(memcmp(memory + 500, "cde", 3) == 0);
    CHECK_EQ_U64(call("fd_pread", fd, 200, 1, (int64_t)0, 300), 0);
    CHECK(memcmp(memory + 500, "abc", 3) == 0);
    CHECK_EQ_U64(call("fd_filestat_get", fd, 600), 0);
    CHECK_EQ_U64(memory[616], WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ_U64(rd64(632), 6);
    CHECK_EQ_U64(call("fd_filestat_set_size", fd, (int64_t)2), 0);
    CHECK_EQ_U64(call("fd_filestat_get", fd, 600), 0);
    CHECK_EQ_U64(rd64(632), 2);
    CHECK_EQ_U64(call("fd_filestat_set_times", fd, (int64_t)5000000000, (int64_t)0,
                      WASI_FST_ATIM | WASI_FST_MTIM_NOW), 0);
    CHECK_EQ_U64(call("fd_filestat_get", fd, 600), 0);
    CHECK_EQ_U64(rd64(640), 5000000000u);
    CHECK_EQ_U64(call("fd_filestat_set_times", fd, (int64_t)0, (int64_t)0,
                      WASI_FST_ATIM | WASI_FST_ATIM_NOW), WASI_EINVAL);
    /* rights only shrink */
    CHECK_EQ_U64(call("fd_fdstat_set_rights", fd, (int64_t)WASI_RIGHT_FD_READ, (int64_t)0), 0);
    CHECK_EQ_U64(call("fd_write", fd, 200, 1, 300), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(call("fd_fdstat_set_rights", fd, (int64_t)RW_RIGHTS, (int64_t)0),
                 WASI_ENOTCAPABLE);
    /* renumber and close */
    int fd2 = open_file(3, "f.txt", 0, WASI_RIGHT_FD_READ);
    CHECK(fd2 > fd);
    CHECK_EQ_U64(call("fd_renumber", fd2, fd), 0);
    CHECK_EQ_U64(call("fd_close", fd2), WASI_EBADF);
    CHECK_EQ_U64(call("fd_close", fd), 0);
    CHECK_EQ_U64(call("fd_close", fd), WASI_EBADF);
    CHECK_EQ_U64(open_file(3, "missing.txt", 0, WASI_RIGHT_FD_READ), -WASI_ENOENT);
    CHECK_EQ_U64(open_file(3, "f.txt", WASI_OFLAG_CREAT | WASI_OFLAG_EXCL, RW_RIGHTS),
                 -WASI_EEXIST);
    CHECK_EQ_U64(open_file(3, "f.txt", WASI_OFLAG_DIRECTORY, WASI_RIGHT_FD_READ), -WASI_ENOTDIR);
}

static int path_call(const char *fn, uint32_t dir, const char *path) {
    uint32_t len = put_str(1000, path);
    return call(fn, dir, 1000, len);
}

static void test_dirs(void) {
    CHECK_EQ_U64(path_call("path_create_directory", 3, "d"), 0);
    CHECK_EQ_U64(path_call("path_create_directory", 3, "d"), WASI_EEXIST);
    int fd = open_file(3, "d/x", WASI_OFLAG_CREAT, RW_RIGHTS);
    CHECK(fd >= 0);
    call("fd_close", fd);
    CHECK_EQ_U64(path_call("path_remove_directory", 3, "d"), WASI_ENOTEMPTY);
    CHECK_EQ_U64(path_call("path_unlink_file", 3, "d"), WASI_EISDIR);
    CHECK_EQ_U64(path_call("path_unlink_file", 3, "d/x/"), WASI_ENOTDIR);
    /* rename d/x -> y, then stat */
    uint32_t l1 = put_str(1000, "d/x"), l2 = put_str(1100, "y");
    CHECK_EQ_U64(call("path_rename", 3, 1000, l1, 3, 1100, l2), 0);
    uint32_t l = put_str(1000, "y");
    CHECK_EQ_U64(call("path_filestat_get", 3, 0, 1000, l, 600), 0);
    CHECK_EQ_U64(memory[616], WASI_FILETYPE_REGULAR_FILE);
    /* symlink + readlink + lstat vs stat */
    l1 = put_str(1000, "y");
    l2 = put_str(1100, "ylink");
    CHECK_EQ_U64(call("path_symlink", 1000, l1, 3, 1100, l2), 0);
    CHECK_EQ_U64(call("path_readlink", 3, 1100, l2, 1200, 64, 96), 0);
    CHECK_EQ_U64(rd32(96), 1);
    CHECK_EQ_U64(memory[1200], 'y');
    CHECK_EQ_U64(call("path_filestat_get", 3, 0, 1100, l2, 600), 0);
    CHECK_EQ_U64(memory[616], WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_EQ_U64(call("path_filestat_get", 3, WASI_LOOKUP_SYMLINK_FOLLOW, 1100, l2, 600), 0);
    CHECK_EQ_U64(memory[616], WASI_FILETYPE_REGULAR_FILE);
    /* hard link */
    l1 = put_str(1000, "y");
    l2 = put_str(1100, "yhard");
    CHECK_EQ_U64(call("path_link", 3, 0, 1000, l1, 3, 1100, l2), 0);
    CHECK_EQ_U64(call("path_filestat_get", 3, 0, 1000, l1, 600), 0);
    CHECK_EQ_U64(rd64(624), 2); /* nlink */
    CHECK_EQ_U64(path_call("path_remove_directory", 3, "d"), 0);
    /* readdir: ".", "..", y, ylink, yhard, f.txt */
    int dfd = open_file(3, ".", WASI_OFLAG_DIRECTORY, WASI_RIGHT_FD_READDIR);
    CHECK(dfd >= 0);
    CHECK_EQ_U64(call("fd_readdir", dfd, 2000, 4096, (int64_t)0, 96), 0);
    uint32_t used = rd32(96), n = 0;
    bool saw_y = false;
    for (uint32_t at = 0; at + WASI_DIRENT_SIZE <= used; n++) {
        uint32_t namlen = rd32(2000 + at + 16);
        if (namlen == 1 && memory[2000 + at + 24] == 'y')
            saw_y = memory[2000 + at + 20] == WASI_FILETYPE_REGULAR_FILE;
        at += WASI_DIRENT_SIZE + namlen;
    }
    CHECK_EQ_U64(n, 6);
    CHECK(saw_y);
    /* a tiny buffer is filled completely (truncated entry), cookies resume */
    CHECK_EQ_U64(call("fd_readdir", dfd, 2000, 10, (int64_t)0, 96), 0);
    CHECK_EQ_U64(rd32(96), 10);
    CHECK_EQ_U64(call("fd_readdir", dfd, 2000, 4096, (int64_t)5, 96), 0);
    CHECK_EQ_U64(rd32(96), WASI_DIRENT_SIZE + rd32(2000 + 16));
    CHECK_EQ_U64(call("fd_readdir", dfd, 2000, 4096, (int64_t)6, 96), 0);
    CHECK_EQ_U64(rd32(96), 0);
    CHECK_EQ_U64(call("fd_readdir", dfd, MEM_SIZE - 5, 10, (int64_t)0, 96), WASI_EFAULT);
    call("fd_close", dfd);
}

static void test_escapes(void) {
    CHECK_EQ_U64(open_file(3, "../outside.txt", 0, WASI_RIGHT_FD_READ), -WASI_ENOTCAPABLE);
    CHECK_EQ_U64(open_file(3, "/etc/passwd", 0, WASI_RIGHT_FD_READ), -WASI_ENOTCAPABLE);
    uint32_t l1 = put_str(1000, "../outside.txt"), l2 = put_str(1100, "esc");
    CHECK_EQ_U64(call("path_symlink", 1000, l1, 3, 1100, l2), 0); /* creating is fine */
    /* ...following it is not */
    CHECK_EQ_U64(open_file(3, "esc", 0, WASI_RIGHT_FD_READ), -WASI_ENOTCAPABLE);
    CHECK_EQ_U64(call("path_filestat_get", 3, WASI_LOOKUP_SYMLINK_FOLLOW, 1100, l2, 600),
                 WASI_ENOTCAPABLE);
    l1 = put_str(1000, "/etc/passwd");
    l2 = put_str(1100, "esc2");
    CHECK_EQ_U64(call("path_symlink", 1000, l1, 3, 1100, l2), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(path_call("path_create_directory", 3, "../made"), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(path_call("path_unlink_file", 3, "../outside.txt"), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(path_call("path_unlink_file", 3, "esc/"), WASI_ENOTDIR);
    l1 = put_str(1000, "../outside.txt");
    CHECK_EQ_U64(call("path_filestat_get", 3, 0, 1000, l1, 600), WASI_ENOTCAPABLE);
    l2 = put_str(1100, "stolen");
    CHECK_EQ_U64(call("path_rename", 3, 1000, l1, 3, 1100, l2), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(call("path_link", 3, 0, 1000, l1, 3, 1100, l2), WASI_ENOTCAPABLE);
    l1 = put_str(1000, "esc");
    CHECK_EQ_U64(call("path_link", 3, WASI_LOOKUP_SYMLINK_FOLLOW, 1000, l1, 3, 1100, l2),
                 WASI_ENOTCAPABLE);
    struct stat st;
    CHECK(stat(P("outside.txt"), &st) == 0 && st.st_size == 7);
    CHECK(stat(P("made"), &st) != 0);
    CHECK(stat(P("rw/stolen"), &st) != 0);
}

static void test_read_only(void) {
    CHECK_EQ_U64(open_file(4, "new.txt", WASI_OFLAG_CREAT, WASI_RIGHT_FD_READ),
                 -WASI_ENOTCAPABLE);
    CHECK_EQ_U64(open_file(4, "data.txt", 0, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE),
                 -WASI_ENOTCAPABLE);
    CHECK_EQ_U64(open_file(4, "data.txt", WASI_OFLAG_TRUNC, WASI_RIGHT_FD_READ), -WASI_ENOTCAPABLE);
    CHECK_EQ_U64(path_call("path_unlink_file", 4, "data.txt"), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(path_call("path_create_directory", 4, "d"), WASI_ENOTCAPABLE);
    int fd = open_file(4, "data.txt", 0, WASI_RIGHTS_ALL & ~WASI_RIGHT_FD_WRITE);
    CHECK(fd >= 0);
    put_iovec(200, 500, 7);
    CHECK_EQ_U64(call("fd_read", fd, 200, 1, 300), 0);
    CHECK(memcmp(memory + 500, "read me", 7) == 0);
    CHECK_EQ_U64(call("fd_write", fd, 200, 1, 300), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(call("fd_filestat_set_size", fd, (int64_t)0), WASI_ENOTCAPABLE);
    call("fd_close", fd);
    struct stat st;
    CHECK(stat(P("ro/data.txt"), &st) == 0 && st.st_size == 7);
    CHECK(stat(P("ro/new.txt"), &st) != 0);
}

static void test_clock_random(void) {
    CHECK_EQ_U64(call("clock_time_get", WASI_CLOCK_MONOTONIC, (int64_t)1, 0), 0);
    uint64_t a = rd64(0);
    CHECK_EQ_U64(call("clock_time_get", WASI_CLOCK_MONOTONIC, (int64_t)1, 8), 0);
    CHECK(rd64(8) >= a);
    CHECK_EQ_U64(call("clock_time_get", WASI_CLOCK_REALTIME, (int64_t)1, 0), 0);
    CHECK(rd64(0) > 1600000000ull * 1000000000ull);
    CHECK_EQ_U64(call("clock_res_get", WASI_CLOCK_PROCESS_CPUTIME, 0), 0);
    CHECK(rd64(0) > 0);
    CHECK_EQ_U64(call("clock_time_get", 9, (int64_t)1, 0), WASI_EINVAL);
    memset(memory + 100, 0, 64);
    CHECK_EQ_U64(call("random_get", 100, 64), 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += memory[100 + i] != 0;
    CHECK(nonzero > 32);
    CHECK_EQ_U64(call("sched_yield"), 0);
}

static void put_sub_clock(uint32_t at, uint64_t userdata, uint64_t timeout_ns) {
    memset(memory + at, 0, WASI_SUBSCRIPTION_SIZE);
    wasi_put_u64(memory + at, userdata);
    memory[at + 8] = WASI_EVENTTYPE_CLOCK;
    wasi_put_u32(memory + at + 16, WASI_CLOCK_MONOTONIC);
    wasi_put_u64(memory + at + 24, timeout_ns);
}

static void put_sub_fd(uint32_t at, uint64_t userdata, uint8_t type, uint32_t fd) {
    memset(memory + at, 0, WASI_SUBSCRIPTION_SIZE);
    wasi_put_u64(memory + at, userdata);
    memory[at + 8] = type;
    wasi_put_u32(memory + at + 16, fd);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_poll(void) {
    put_sub_clock(0, 42, 20000000);
    uint64_t t0 = now_ns();
    CHECK_EQ_U64(call("poll_oneoff", 0, 1000, 1, 96), 0);
    CHECK(now_ns() - t0 >= 20000000);
    CHECK_EQ_U64(rd32(96), 1);
    CHECK_EQ_U64(rd64(1000), 42);
    CHECK_EQ_U64(memory[1010], WASI_EVENTTYPE_CLOCK);
    /* stdout (a pipe) is writable at once; the clock does not fire */
    put_sub_clock(0, 1, 5000000000ull);
    put_sub_fd(48, 2, WASI_EVENTTYPE_FD_WRITE, 1);
    put_sub_fd(96, 3, WASI_EVENTTYPE_FD_READ, 77);
    t0 = now_ns();
    CHECK_EQ_U64(call("poll_oneoff", 0, 1000, 3, 500), 0);
    CHECK(now_ns() - t0 < 1000000000ull);
    CHECK_EQ_U64(rd32(500), 2); /* events in subscription order */
    CHECK_EQ_U64(rd64(1000), 2);
    CHECK_EQ_U64(memory[1010], WASI_EVENTTYPE_FD_WRITE);
    CHECK_EQ_U64(wasi_get_u16(memory + 1008), 0);
    CHECK_EQ_U64(rd64(1032), 3); /* the bad fd: an event with EBADF */
    CHECK_EQ_U64(wasi_get_u16(memory + 1040), WASI_EBADF);
    CHECK_EQ_U64(call("poll_oneoff", 0, 1000, 0, 500), WASI_EINVAL);
}

static void test_sockets(void) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int lst = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/sock", top);
    CHECK(bind(lst, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(lst, 4) == 0);
    int socks[2] = {sv[0], lst};
    WasiConfig cfg;
    wasi_config_default(&cfg);
    cfg.sockets = socks;
    cfg.n_sockets = 2;
    Wasi *saved = wasi, *w2;
    Diag diag;
    CHECK(wasi_new(&cfg, &w2, &diag) == OK);
    close(sv[0]);
    close(lst);
    wasi = w2;
    /* fds: 3 = connected socket, 4 = listener */
    put_str(400, "ping");
    put_iovec(200, 400, 4);
    CHECK_EQ_U64(call("sock_send", 3, 200, 1, 0, 300), 0);
    CHECK_EQ_U64(rd32(300), 4);
    char buf[8] = {0};
    CHECK(read(sv[1], buf, sizeof buf) == 4);
    CHECK_STR(buf, "ping");
    CHECK(write(sv[1], "pong!", 5) == 5);
    put_iovec(200, 500, 16);
    CHECK_EQ_U64(call("sock_recv", 3, 200, 1, WASI_RIFLAG_RECV_PEEK, 300, 304), 0);
    CHECK_EQ_U64(call("sock_recv", 3, 200, 1, 0, 300, 304), 0);
    CHECK_EQ_U64(rd32(300), 5);
    CHECK(memcmp(memory + 500, "pong!", 5) == 0);
    CHECK_EQ_U64(call("sock_send", 3, 200, 1, 1, 300), WASI_EINVAL);
    CHECK_EQ_U64(call("sock_shutdown", 3, WASI_SDFLAG_WR), 0);
    CHECK(read(sv[1], buf, sizeof buf) == 0);
    CHECK_EQ_U64(call("sock_shutdown", 3, 0), WASI_EINVAL);
    CHECK_EQ_U64(call("sock_accept", 3, 0, 300), WASI_EINVAL); /* not listening */
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK_EQ_U64(call("sock_accept", 4, 0, 300), 0);
    uint32_t conn = rd32(300);
    CHECK(conn >= 5);
    CHECK(write(client, "hi", 2) == 2);
    put_iovec(200, 600, 2);
    CHECK_EQ_U64(call("fd_read", conn, 200, 1, 300), 0);
    CHECK(memcmp(memory + 600, "hi", 2) == 0);
    CHECK_EQ_U64(call("sock_accept", 4, 2, 300), WASI_EINVAL);
    /* a non-blocking listener with nobody waiting: EAGAIN, never a hang */
    CHECK_EQ_U64(call("fd_fdstat_set_flags", 4, WASI_FDFLAG_NONBLOCK), 0);
    CHECK_EQ_U64(call("sock_accept", 4, WASI_FDFLAG_NONBLOCK, 300), WASI_EAGAIN);
    close(client);
    close(sv[1]);
    wasi_delete(w2);
    wasi = saved;
}

static void test_proc_exit(void) {
    CHECK_EQ_U64(call("proc_raise", 99), WASI_EINVAL);
    CHECK_EQ_U64(call("proc_raise", 16), 0); /* SIGCHLD: ignored */
    int code = -1;
    CHECK(!wasi_exit_status(wasi, &code));
    CHECK_EQ_U64(call("proc_exit", 7), (uint64_t)-1);
    CHECK(last_trap != NULL);
    CHECK(wasi_exit_status(wasi, &code));
    CHECK_EQ_U64(code, 7);
}

static void test_no_memory(void) {
    Caller saved = caller;
    fake_ir.n_memories = 0;
    CHECK_EQ_U64(call("args_sizes_get", 0, 4), WASI_EFAULT);
    CHECK_EQ_U64(call("sched_yield"), 0);
    fake_ir.n_memories = 1;
    caller = (Caller){NULL, NULL};
    CHECK_EQ_U64(call("args_sizes_get", 0, 4), WASI_EFAULT);
    caller = saved;
}

static void test_teardown(void) {
    wasi_delete(wasi);
    rt_trap_delete(last_trap);
    close(out_pipe[0]);
    close(out_pipe[1]);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    CHECK(system(cmd) == 0);
}

TEST_MAIN("wasi_host", TEST_CASE(test_setup), TEST_CASE(test_errno_map), TEST_CASE(test_mem_bounds),
          TEST_CASE(test_args_env), TEST_CASE(test_stdout_write), TEST_CASE(test_prestat),
          TEST_CASE(test_files), TEST_CASE(test_dirs), TEST_CASE(test_escapes),
          TEST_CASE(test_read_only), TEST_CASE(test_clock_random), TEST_CASE(test_poll),
          TEST_CASE(test_sockets), TEST_CASE(test_proc_exit), TEST_CASE(test_no_memory),
          TEST_CASE(test_teardown))
