/* A read-only pre-open (--dir-ro): /ro holds data.txt and sub/; reading and
 * listing work, while every attempt to create, write, truncate, rename,
 * remove, link or change times below /ro fails (data.txt, sub/inner.txt,
 * sub/gone.txt and empty/ are the run script's). A writable /rw next to it
 * shows the same calls succeed there. The run script checks afterwards that
 * nothing below ro/ changed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case 0: return "ok";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    default: return strerror(e);
    }
}

static void report(const char *what, int r) {
    printf("%s: %s\n", what, ename(r == 0 ? 0 : errno));
}

static int try_open(const char *path, int flags) {
    int fd = open(path, flags, 0644);
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? 0 : -1;
}

static int read_back(const char *path) {
    char buf[64] = {0};
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    printf("  %s holds %zu bytes: %s", path, n, buf);
    return 0;
}

/* Open with `flags` and write one byte. With wasi-libc, open() itself
 * succeeds below a read-only directory (wasi-libc trims the rights it asks
 * for to what the directory grants), but the fd cannot write. */
static int open_and_write(const char *path, int flags) {
    int fd = open(path, flags);
    if (fd < 0)
        return -1;
    int r = write(fd, "x", 1) == 1 ? 0 : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

static int list(const char *path) {
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    printf("  %s has %d entries\n", path, n);
    return 0;
}

static void attempts(const char *dir) {
    char a[64], b[64];
#define P(buf, name) (snprintf(buf, sizeof buf, "%s/%s", dir, name), buf)
    printf("%s:\n", dir);
    report("read data.txt", read_back(P(a, "data.txt")));
    report("readdir", list(dir));
    report("write", open_and_write(P(a, "data.txt"), O_WRONLY));
    report("append", open_and_write(P(a, "data.txt"), O_WRONLY | O_APPEND));
    report("write to an fd opened for reading", open_and_write(P(a, "data.txt"), O_RDONLY));
    report("truncate", try_open(P(a, "data.txt"), O_RDWR | O_TRUNC));
    report("create", try_open(P(a, "new.txt"), O_WRONLY | O_CREAT));
    report("mkdir", mkdir(P(a, "newdir"), 0755));
    report("rename", rename(P(a, "sub/inner.txt"), P(b, "moved.txt")));
    report("unlink", unlink(P(a, "sub/gone.txt")));
    report("rmdir", rmdir(P(a, "empty")));
    report("symlink", symlink("data.txt", P(a, "link")));
    report("link", link(P(a, "data.txt"), P(b, "hard")));
    report("utimes", utimes(P(a, "data.txt"), NULL));
#undef P
}

int main(void) {
    attempts("/ro");
    attempts("/rw");
    return 0;
}
