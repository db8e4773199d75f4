/* Sandbox escape attempts from inside the pre-opened /sandbox. The run script
 * prepared sandbox/ with links pointing outside (abs_link -> an absolute path
 * outside, rel_link -> ../outside/secret.txt, chain1 -> chain2 -> rel_link,
 * loop1 <-> loop2, dangling -> ../outside/created) and a secret file next to
 * the sandbox. Every attempt must fail; the run script then checks that
 * nothing outside was created, changed or removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case 0: return "SUCCEEDED";
    case ENOENT: return "ENOENT";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EPERM: return "EPERM";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    default: return strerror(e);
    }
}

static void try_open(const char *path, int flags) {
    int fd = open(path, flags, 0644);
    printf("open %s: %s\n", path, ename(fd >= 0 ? 0 : errno));
    if (fd >= 0)
        close(fd);
}

static void try_stat(const char *path) {
    struct stat st;
    printf("stat %s: %s\n", path, ename(stat(path, &st) == 0 ? 0 : errno));
}

int main(void) {
    try_open("/sandbox/../outside/secret.txt", O_RDONLY);
    try_open("/sandbox/sub/../../outside/secret.txt", O_RDONLY);
    try_open("/etc/passwd", O_RDONLY);
    try_open("/sandbox/abs_link", O_RDONLY);
    try_open("/sandbox/rel_link", O_RDONLY);
    try_open("/sandbox/chain1", O_RDONLY);
    try_open("/sandbox/loop1", O_RDONLY);
    try_open("/sandbox/dangling", O_WRONLY | O_CREAT);
    try_open("/sandbox/updir/secret.txt", O_RDONLY);
    try_stat("/sandbox/..");
    try_stat("/sandbox/abs_link");
    try_stat("/sandbox/updir/secret.txt");
    printf("mkdir ../made: %s\n", ename(mkdir("/sandbox/../made", 0755) == 0 ? 0 : errno));
    printf("rename secret in: %s\n",
           ename(rename("/sandbox/../outside/secret.txt", "/sandbox/stolen") == 0 ? 0 : errno));
    printf("unlink secret: %s\n",
           ename(unlink("/sandbox/updir/secret.txt") == 0 ? 0 : errno));
    printf("symlink to /: %s\n", ename(symlink("/", "/sandbox/root_link") == 0 ? 0 : errno));
    printf("opendir ..: %s\n", ename(opendir("/sandbox/..") ? 0 : errno));
    /* what is allowed still works: lstat of a link that points outside */
    struct stat st;
    printf("lstat abs_link: %s\n", ename(lstat("/sandbox/abs_link", &st) == 0 ? 0 : errno));
    return 0;
}
