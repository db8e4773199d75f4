/* Files and directories in the pre-opened /sandbox: create, write, read,
 * seek, pread/pwrite, truncate, append, stat, times, rename, symlink and
 * readlink, hard links, readdir (sorted), mkdir/rmdir, unlink. Every line of
 * output is deterministic; errors print their errno name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EBADF: return "EBADF";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    default: return strerror(e);
    }
}

static void report(const char *what, int r) {
    printf("%s: %s\n", what, ename(r == 0 ? 0 : errno));
}

static void read_all(const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    printf("read %s: %s\n", path, n >= 0 ? buf : ename(errno));
    if (fd >= 0)
        close(fd);
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
    DIR *d = opendir(path);
    char *names[32];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 32)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("entries of %s:", path);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void seek_and_positional(void) {
    int fd = open("/sandbox/dir/a.txt", O_RDWR);
    char buf[16] = {0};
    lseek(fd, 6, SEEK_SET);
    write(fd, "FILE", 4);
    lseek(fd, 0, SEEK_SET);
    read(fd, buf, sizeof buf - 1);
    printf("after seek+write: %s", buf);
    printf("size by SEEK_END: %ld\n", (long)lseek(fd, 0, SEEK_END));
    pwrite(fd, "XY", 2, 0);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 5, 0);
    printf("pread: %s\n", buf);
    printf("position kept: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    report("ftruncate", ftruncate(fd, 5));
    struct stat st;
    fstat(fd, &st);
    printf("size after truncate: %ld\n", (long)st.st_size);
    close(fd);
    fd = open("/sandbox/dir/a.txt", O_WRONLY | O_APPEND);
    write(fd, "++", 2);
    close(fd);
    read_all("/sandbox/dir/a.txt");
}

static void links_and_names(void) {
    report("rename", rename("/sandbox/dir/a.txt", "/sandbox/dir/b.txt"));
    read_all("/sandbox/dir/a.txt");
    read_all("/sandbox/dir/b.txt");
    report("symlink", symlink("b.txt", "/sandbox/dir/link"));
    char target[64] = {0};
    ssize_t n = readlink("/sandbox/dir/link", target, sizeof target - 1);
    printf("readlink: %s\n", n >= 0 ? target : ename(errno));
    struct stat st;
    lstat("/sandbox/dir/link", &st);
    printf("lstat is link: %d\n", S_ISLNK(st.st_mode));
    stat("/sandbox/dir/link", &st);
    printf("stat through link: regular=%d size=%ld\n", S_ISREG(st.st_mode), (long)st.st_size);
    report("link", link("/sandbox/dir/b.txt", "/sandbox/dir/c.txt"));
    stat("/sandbox/dir/b.txt", &st);
    printf("nlink: %ld\n", (long)st.st_nlink);
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 500}};
    report("utimensat", utimensat(AT_FDCWD, "/sandbox/dir/b.txt", times, 0));
    stat("/sandbox/dir/b.txt", &st);
    printf("mtime: %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void) {
    report("mkdir", mkdir("/sandbox/dir", 0755));
    report("mkdir again", mkdir("/sandbox/dir", 0755));
    FILE *f = fopen("/sandbox/dir/a.txt", "w");
    fputs("hello file\n", f);
    fclose(f);
    read_all("/sandbox/dir/a.txt");
    seek_and_positional();
    links_and_names();
    report("mkdir sub", mkdir("/sandbox/dir/sub", 0755));
    list("/sandbox/dir");
    report("rmdir sub", rmdir("/sandbox/dir/sub"));
    report("rmdir non-empty", rmdir("/sandbox/dir"));
    report("unlink dir", unlink("/sandbox/dir"));
    report("unlink link", unlink("/sandbox/dir/link"));
    report("unlink b", unlink("/sandbox/dir/b.txt"));
    report("unlink missing", unlink("/sandbox/dir/b.txt"));
    list("/sandbox/dir");
    f = fopen("/sandbox/kept.txt", "w");
    fputs("kept\n", f);
    fclose(f);
    read_all("/sandbox/nothing-here");
    return 0;
}
