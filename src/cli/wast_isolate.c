/* Running one script in a child process: the child runs wast_run_file and
 * sends the FileResult back through a pipe (a flat little-endian-agnostic
 * record: same machine, same build). A crash, a sanitizer abort or a time-out
 * of the child becomes one failed "script" result naming the command that
 * was running, read from a shared page the child updates. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define RESULT_MAGIC 0x57415354u /* "WAST" */

/* ---- Encoding the result --------------------------------------------------------------- */

static void put_u32(ByteBuf *b, uint32_t v) { buf_bytes(b, &v, sizeof v); }

static void put_str(ByteBuf *b, const void *s, size_t len) {
    put_u32(b, (uint32_t)len);
    buf_bytes(b, s, len);
}

static void encode_result(const FileResult *res, ByteBuf *b) {
    put_u32(b, RESULT_MAGIC);
    buf_bytes(b, res->kinds, sizeof res->kinds);
    buf_bytes(b, &res->elapsed_ns, sizeof res->elapsed_ns);
    put_str(b, res->detail.data, res->detail.len);
    put_u32(b, (uint32_t)res->reasons.len);
    for (size_t i = 0; i < res->reasons.len; i++) {
        const FailReason *r = &res->reasons.data[i];
        buf_byte(b, r->kind);
        buf_byte(b, r->blame);
        put_str(b, r->text, strlen(r->text));
    }
    put_u32(b, (uint32_t)res->keywords.len);
    for (size_t i = 0; i < res->keywords.len; i++) {
        put_u32(b, res->keywords.data[i].count);
        put_str(b, res->keywords.data[i].keyword, strlen(res->keywords.data[i].keyword));
    }
}

/* ---- Decoding it ------------------------------------------------------------------------------ */

typedef struct Cursor {
    const uint8_t *p, *end;
    bool bad;
} Cursor;

static void get(Cursor *c, void *out, size_t n) {
    if ((size_t)(c->end - c->p) < n) {
        c->bad = true;
        memset(out, 0, n);
        return;
    }
    memcpy(out, c->p, n);
    c->p += n;
}

static uint32_t get_u32(Cursor *c) {
    uint32_t v;
    get(c, &v, sizeof v);
    return v;
}

/* A NUL-terminated mem_alloc'd copy, or NULL (then c->bad may be set). */
static char *get_str(Cursor *c, size_t *out_len) {
    uint32_t len = get_u32(c);
    if (c->bad || (size_t)(c->end - c->p) < len) {
        c->bad = true;
        return NULL;
    }
    char *s = mem_strndup((const char *)c->p, len);
    c->p += len;
    if (out_len)
        *out_len = len;
    return s;
}

static bool decode_result(const uint8_t *data, size_t len, FileResult *res) {
    Cursor c = {data, data + len, false};
    if (get_u32(&c) != RESULT_MAGIC)
        return false;
    get(&c, res->kinds, sizeof res->kinds);
    get(&c, &res->elapsed_ns, sizeof res->elapsed_ns);
    size_t detail_len = 0;
    char *detail = get_str(&c, &detail_len);
    if (detail)
        buf_bytes(&res->detail, detail, detail_len);
    mem_free(detail);
    uint32_t n = get_u32(&c);
    for (uint32_t i = 0; i < n && !c.bad; i++) {
        FailReason r = {0};
        get(&c, &r.kind, 1);
        get(&c, &r.blame, 1);
        r.text = get_str(&c, NULL);
        if (!r.text || r.kind >= RK_COUNT || r.blame >= BLAME_COUNT || !VEC_PUSH(&res->reasons, r))
            mem_free(r.text);
    }
    n = get_u32(&c);
    for (uint32_t i = 0; i < n && !c.bad; i++) {
        KeywordCount k = {0};
        k.count = get_u32(&c);
        k.keyword = get_str(&c, NULL);
        if (!k.keyword || !VEC_PUSH(&res->keywords, k))
            mem_free(k.keyword);
    }
    return !c.bad && c.p == c.end;
}

/* ---- The child and the parent --------------------------------------------------------------- */

static void write_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Keep only stdio and our pipe (as fd 3): pipes of sibling workers must not
 * stay open here, or their readers would wait for this child too. */
static int close_other_fds(int fd) {
    if (fd != 3) {
        if (dup2(fd, 3) < 0)
            return fd;
        close(fd);
    }
    if (close_range(4, ~0u, 0) != 0)
        for (int f = 4; f < 4096; f++)
            close(f);
    return 3;
}

static void child(int fd, FileResult *res, const RunOptions *opt, unsigned timeout_s) {
    fd = close_other_fds(fd);
    signal(SIGPIPE, SIG_DFL);
    if (timeout_s)
        alarm(timeout_s);
    wast_run_file(res, opt);
    ByteBuf out;
    buf_init(&out);
    encode_result(res, &out);
    if (!out.failed)
        write_all(fd, out.data, out.len);
    _exit(out.failed ? 3 : 0);
}

static bool read_all(int fd, ByteBuf *out) {
    uint8_t chunk[1 << 14];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0;
        buf_bytes(out, chunk, (size_t)n);
    }
}

static void describe_exit(int status, unsigned timeout_s, char *buf, size_t size) {
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(buf, size, "timed out after %u s", timeout_s);
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "crashed: %s", strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, size, "exited with status %d (sanitizer report on stderr?)",
                 WEXITSTATUS(status));
    else
        snprintf(buf, size, "ended abnormally");
}

/* The child did not hand back a result: one failure at the running command. */
static void report_crash(FileResult *res, int status, unsigned timeout_s,
                         const volatile uint32_t *where) {
    char what[128], detail[256];
    describe_exit(status, timeout_s, what, sizeof what);
    snprintf(detail, sizeof detail, "%s while %s (rerun this file alone with --no-isolate to debug)",
             what, where[0] ? "running this command" : "reading or parsing the script");
    report_fail(res, RK_SCRIPT, BLAME_CRASH, where[0], where[1], what, detail);
}

void wast_run_file_isolated(FileResult *res, const RunOptions *opt, unsigned timeout_s) {
    volatile uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fds[2];
    if (shared == MAP_FAILED || pipe(fds) != 0) {
        if (shared != MAP_FAILED)
            munmap((void *)shared, 4096);
        wast_run_file(res, opt); /* cannot isolate: run in-process */
        return;
    }
    shared[0] = shared[1] = 0;
    res->progress = shared;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], res, opt, timeout_s);
    }
    close(fds[1]);
    ByteBuf data;
    buf_init(&data);
    bool read_ok = pid > 0 && read_all(fds[0], &data);
    close(fds[0]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    res->progress = NULL;
    FileResult got = {.path = res->path, .display = res->display, .feature = res->feature};
    buf_init(&got.detail);
    bool ok = pid > 0 && read_ok && !data.failed && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0 && decode_result(data.data, data.len, &got);
    if (ok) {
        wast_result_fini(res);
        *res = got;
    } else {
        wast_result_fini(&got);
        if (pid < 0)
            wast_run_file(res, opt);
        else
            report_crash(res, status, timeout_s, shared);
    }
    buf_fini(&data);
    munmap((void *)shared, 4096);
}
