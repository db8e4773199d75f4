/* Sandboxed path resolution: a temp tree with a pre-open `root` next to an
 * `outside` directory, and every escape we know of — `..`, absolute paths,
 * absolute/relative symlinks, chains, loops, dangling links used with
 * O_CREAT, and two races (a symlink swapped and a directory moved out while
 * resolving). Each case runs with openat2 and with the portable resolver, and
 * the tree is checked afterwards: nothing outside was created. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "wasi/wasi_int.h"

static char top[256];
static int root_fd = -1;

static void put_file(const char *rel, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", top, rel);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void put_dir(const char *rel) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", top, rel);
    mkdir(p, 0755);
}

static void put_link(const char *target, const char *rel) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", top, rel);
    if (symlink(target, p) != 0)
        perror("symlink");
}

static bool exists(const char *rel) {
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", top, rel);
    return lstat(p, &st) == 0;
}

static void setup(void) {
    snprintf(top, sizeof top, "/tmp/wasi_path_XXXXXX");
    if (!mkdtemp(top))
        abort();
    put_dir("outside");
    put_dir("outside/x");
    put_file("outside/secret.txt", "SECRET");
    put_file("outside/marker", "OUTSIDE");
    put_file("outside/inner.txt", "OUTSIDE");
    put_dir("root");
    put_file("root/file.txt", "file");
    put_file("root/marker", "root");
    put_dir("root/sub");
    put_file("root/sub/inner.txt", "inner");
    put_dir("root/sub/deeper");
    char abs_target[512];
    snprintf(abs_target, sizeof abs_target, "%s/outside/secret.txt", top);
    put_link(abs_target, "root/abs_link");
    put_link("/", "root/slash_link");
    put_link("../outside/secret.txt", "root/rel_escape");
    put_link("../../outside", "root/sub/up2");
    put_link("chain2", "root/chain1");
    put_link("chain3", "root/chain2");
    put_link("sub/../../outside/secret.txt", "root/chain3");
    put_link("good_chain2", "root/good_chain1");
    put_link("sub/inner.txt", "root/good_chain2");
    put_link("loop2", "root/loop1");
    put_link("loop1", "root/loop2");
    put_link("self", "root/self");
    put_link("sub", "root/dirlink");
    put_link("..", "root/sub/back");
    put_link("../..", "root/sub/back2");
    put_link("../outside/newfile", "root/dangling_out");
    put_link("created_inside", "root/dangling_in");
    put_link("/proc/self/root/etc/passwd", "root/magic");
    put_link("sub", "root/race");
    char p[512];
    snprintf(p, sizeof p, "%s/root", top);
    root_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void teardown(void) {
    char cmd[600];
    close(root_fd);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
}

/* Open beneath root and return the file's content ("" on error), *out_err. */
static const char *read_at(const char *path, bool follow, uint16_t *out_err) {
    static char buf[64];
    int fd;
    buf[0] = '\0';
    *out_err = wasi_path_open_beneath(root_fd, path, O_RDONLY, 0, follow, &fd);
    if (*out_err == 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    return buf;
}

#define EXPECT_OK(path, text)                                                                      \
    do {                                                                                           \
        uint16_t e_;                                                                               \
        CHECK_STR(read_at(path, true, &e_), text);                                                 \
        CHECK_EQ_U64(e_, WASI_ESUCCESS);                                                           \
    } while (0)
#define EXPECT_ERR(path, follow, err)                                                              \
    do {                                                                                           \
        uint16_t e_;                                                                               \
        const char *got_ = read_at(path, follow, &e_);                                             \
        CHECK_EQ_U64(e_, err);                                                                     \
        CHECK(strcmp(got_, "SECRET") != 0 && strcmp(got_, "OUTSIDE") != 0);                        \
    } while (0)

static void check_inside(void) {
    EXPECT_OK("file.txt", "file");
    EXPECT_OK("sub/inner.txt", "inner");
    EXPECT_OK("sub/../file.txt", "file");
    EXPECT_OK("./sub/./inner.txt", "inner");
    EXPECT_OK("sub//inner.txt", "inner");
    EXPECT_OK("good_chain1", "inner");
    EXPECT_OK("dirlink/inner.txt", "inner");
    EXPECT_OK("dirlink/../file.txt", "file");
    EXPECT_OK("sub/back/file.txt", "file");
    EXPECT_OK("sub/deeper/../../marker", "root");
}

static void check_escapes(void) {
    EXPECT_ERR("../outside/secret.txt", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("sub/../../outside/secret.txt", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("..", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("/etc/passwd", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("abs_link", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("slash_link/etc/passwd", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("rel_escape", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("sub/up2/secret.txt", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("chain1", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("sub/back2/outside/secret.txt", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("magic", true, WASI_ENOTCAPABLE);
    EXPECT_ERR("loop1", true, WASI_ELOOP);
    EXPECT_ERR("self", true, WASI_ELOOP);
    EXPECT_ERR("self/x", true, WASI_ELOOP);
    EXPECT_ERR("abs_link", false, WASI_ELOOP); /* not followed: a link is not opened */
    EXPECT_ERR("", true, WASI_ENOENT);
    EXPECT_ERR("missing/x", true, WASI_ENOENT);
    EXPECT_ERR("file.txt/", true, WASI_ENOTDIR);
    EXPECT_ERR("file.txt/x", true, WASI_ENOTDIR);
}

static void check_create(void) {
    int fd;
    uint16_t e =
        wasi_path_open_beneath(root_fd, "dangling_out", O_WRONLY | O_CREAT, 0644, true, &fd);
    CHECK_EQ_U64(e, WASI_ENOTCAPABLE);
    CHECK(!exists("outside/newfile"));
    e = wasi_path_open_beneath(root_fd, "sub/up2/created", O_WRONLY | O_CREAT, 0644, true, &fd);
    CHECK_EQ_U64(e, WASI_ENOTCAPABLE);
    CHECK(!exists("outside/created"));
    e = wasi_path_open_beneath(root_fd, "dangling_in", O_WRONLY | O_CREAT, 0644, true, &fd);
    CHECK_EQ_U64(e, WASI_ESUCCESS);
    if (e == 0)
        close(fd);
    CHECK(exists("root/created_inside"));
    char p[512];
    snprintf(p, sizeof p, "%s/root/created_inside", top);
    unlink(p);
    /* O_PATH without follow opens the link itself */
    e = wasi_path_open_beneath(root_fd, "abs_link", O_PATH, 0, false, &fd);
    CHECK_EQ_U64(e, WASI_ESUCCESS);
    if (e == 0) {
        struct stat st;
        CHECK(fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
        close(fd);
    }
}

static void check_parent(void) {
    WasiParent p;
    CHECK_EQ_U64(wasi_path_parent(root_fd, "sub/inner.txt", &p), 0);
    CHECK_STR(p.name, "inner.txt");
    CHECK(!p.trailing_slash);
    struct stat st;
    CHECK(fstatat(p.dir, p.name, &st, 0) == 0 && S_ISREG(st.st_mode));
    wasi_path_parent_done(&p);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "sub/deeper//", &p), 0);
    CHECK_STR(p.name, "deeper");
    CHECK(p.trailing_slash);
    wasi_path_parent_done(&p);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "sub/..", &p), 0);
    CHECK(p.dot);
    CHECK(fstatat(p.dir, "marker", &st, 0) == 0); /* the parent is root itself */
    wasi_path_parent_done(&p);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "abs_link", &p), 0); /* the link itself, not followed */
    CHECK_STR(p.name, "abs_link");
    wasi_path_parent_done(&p);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "..", &p), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "../outside/secret.txt", &p), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "abs_link/x", &p), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "sub/up2/secret.txt", &p), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "/tmp/x", &p), WASI_ENOTCAPABLE);
    CHECK_EQ_U64(wasi_path_parent(root_fd, "", &p), WASI_ENOENT);
    CHECK(p.dir == -1 && p.name == NULL);
}

/* ---- races ------------------------------------------------------------------------------ */

static atomic_bool racing;

static void *swap_links(void *arg) {
    (void)arg;
    char a[512], b[512], link[512];
    snprintf(a, sizeof a, "%s/root/race_in", top);
    snprintf(b, sizeof b, "%s/root/race_out", top);
    snprintf(link, sizeof link, "%s/root/race", top);
    while (atomic_load(&racing)) {
        unlink(a);
        unlink(b);
        if (symlink("sub", a) == 0)
            rename(a, link);
        if (symlink("../outside", b) == 0)
            rename(b, link);
    }
    return NULL;
}

static void *move_dir(void *arg) {
    (void)arg;
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/root/sub/deeper", top);
    snprintf(out, sizeof out, "%s/outside/x/deeper", top);
    while (atomic_load(&racing)) {
        rename(in, out);
        rename(out, in);
    }
    return NULL;
}

static void run_race(void *(*fn)(void *), const char *path) {
    pthread_t t;
    atomic_store(&racing, true);
    if (pthread_create(&t, NULL, fn, NULL) != 0)
        return;
    int leaks = 0;
    for (int i = 0; i < 3000; i++) {
        uint16_t e;
        const char *got = read_at(path, true, &e);
        if (strcmp(got, "OUTSIDE") == 0 || strcmp(got, "SECRET") == 0)
            leaks++;
    }
    atomic_store(&racing, false);
    pthread_join(t, NULL);
    CHECK_EQ_U64(leaks, 0);
}

static void check_races(void) {
    run_race(swap_links, "race/inner.txt");
    run_race(move_dir, "sub/deeper/../../marker");
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/root/sub/deeper", top);
    snprintf(out, sizeof out, "%s/outside/x/deeper", top);
    rename(out, in); /* put it back if the thread stopped half-way */
}

static void check_outside_untouched(void) {
    CHECK(!exists("outside/newfile"));
    CHECK(!exists("outside/created"));
    CHECK(exists("outside/secret.txt"));
}

static void test_openat2(void) {
    wasi_path_force_fallback(false);
    check_inside();
    check_escapes();
    check_create();
    check_parent();
    check_races();
    check_outside_untouched();
}

static void test_portable(void) {
    wasi_path_force_fallback(true);
    check_inside();
    check_escapes();
    check_create();
    check_parent();
    check_races();
    check_outside_untouched();
    wasi_path_force_fallback(false);
}

static void test_setup(void) {
    alarm(120); /* never hang the suite */
    setup();
    CHECK(root_fd >= 0);
}

static void test_teardown(void) {
    teardown();
}

TEST_MAIN("wasi_path", TEST_CASE(test_setup), TEST_CASE(test_openat2), TEST_CASE(test_portable),
          TEST_CASE(test_teardown))
