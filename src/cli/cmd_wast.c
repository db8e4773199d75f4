/* `wasmc wast [options] [FILE|DIR...]`: argument handling, finding the spec
 * test suite, collecting *.wast files (recursively, sorted), running them on
 * a pool of threads and printing the results in file order. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct WastArgs {
    RunOptions opt;
    int jobs;
    uint32_t top;
    bool timing;
    bool isolate;       /* each file in a child process */
    int timeout_s;      /* per file, when isolated; 0 = none */
    WastDeviations deviations;
    VEC(const char *) inputs; /* borrowed from argv */
} WastArgs;

/* One file to run: both strings are owned. */
typedef struct InputFile {
    char *path;
    char *display;
} InputFile;

typedef VEC(InputFile) FileList;

static void usage(FILE *out) {
    fprintf(out,
            "usage: wasmc wast [options] [FILE|DIR...]\n"
            "  runs WAST scripts; directories are searched recursively for *.wast.\n"
            "  With no FILE, runs core/ of the spec test suite: $WASMC_TESTSUITE, else\n"
            "  ../shared/testsuite from here, else ../../shared/testsuite (and similar)\n"
            "  from the executable's folder.\n"
            "options:\n"
            "  -v, --verbose     list failures and message mismatches\n"
            "  --roundtrip       also write/print every decoded module and compare\n"
            "  -j N, --jobs N    run N files in parallel (default: number of CPUs)\n"
            "  --top N           list the N most frequent failure reasons (default 10)\n"
            "  --time            print the time spent and the slowest file\n"
            "  --save-failing D  with --roundtrip: write the module, its printed text and the\n"
            "                    re-encoded bytes of each failed print round trip into D\n"
            "  --no-isolate      run files in this process (default: one child process per\n"
            "                    file, so a crash or hang fails only that file)\n"
            "  --timeout S       per-file time limit in seconds when isolated (default 600;\n"
            "                    0 = none)\n"
            "  --tier T          execution tier: interp or jit (default: jit on x86-64)\n"
            "  --deviations F    commands to report not run, one 'PATH:LINE reason' per line\n"
            "                    (scripts of other runtimes that expect that runtime's own\n"
            "                    choices where the spec differs); a line naming no command\n"
            "                    fails its script\n");
}

static bool parse_count(const char *s, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 4096)
        return false;
    *out = (int)v;
    return true;
}

/* An option's numeric argument argv[*i + 1]: consumed on success. */
static bool next_count(int argc, char **argv, int *i, int *out) {
    if (*i + 1 >= argc || !parse_count(argv[*i + 1], out))
        return false;
    (*i)++;
    return true;
}

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, WastArgs *a) {
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int n;
        if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            a->opt.verbose = true;
        } else if (strcmp(arg, "--roundtrip") == 0) {
            a->opt.roundtrip = true;
        } else if (strcmp(arg, "--time") == 0) {
            a->timing = true;
        } else if (strcmp(arg, "--save-failing") == 0 && i + 1 < argc) {
            a->opt.save_dir = argv[++i];
        } else if (strcmp(arg, "--tier") == 0 && i + 1 < argc) {
            if (!(a->opt.tier = cli_tier_named(argv[++i]))) {
                fprintf(stderr, "wasmc wast: unknown or unavailable tier '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(arg, "--deviations") == 0 && i + 1 < argc) {
            char err[256];
            if (!wast_deviations_load(argv[++i], &a->deviations, err, sizeof err)) {
                fprintf(stderr, "wasmc wast: --deviations: %s\n", err);
                return 2;
            }
            a->opt.deviations = &a->deviations;
        } else if (strcmp(arg, "--no-isolate") == 0) {
            a->isolate = false;
        } else if (strcmp(arg, "--timeout") == 0 && next_count(argc, argv, &i, &n)) {
            a->timeout_s = n;
        } else if (strcmp(arg, "--top") == 0 && next_count(argc, argv, &i, &n)) {
            a->top = (uint32_t)n;
        } else if ((strcmp(arg, "-j") == 0 || strcmp(arg, "--jobs") == 0) &&
                   next_count(argc, argv, &i, &n)) {
            a->jobs = n;
        } else if (strncmp(arg, "-j", 2) == 0 && parse_count(arg + 2, &n)) {
            a->jobs = n;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "wasmc wast: bad option or missing argument '%s'\n", arg);
            usage(stderr);
            return 2;
        } else if (!VEC_PUSH(&a->inputs, arg)) {
            fprintf(stderr, "wasmc wast: out of memory\n");
            return 2;
        }
    }
    return -1;
}

/* ---- Finding files ------------------------------------------------------------------ */

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir), m = strlen(name);
    bool slash = n && dir[n - 1] != '/';
    char *s = mem_alloc(n + slash + m + 1);
    if (s) {
        memcpy(s, dir, n);
        if (slash)
            s[n] = '/';
        memcpy(s + n + slash, name, m + 1);
    }
    return s;
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool add_file(FileList *files, const char *path, const char *display) {
    InputFile f = {mem_strndup(path, strlen(path)), mem_strndup(display, strlen(display))};
    if (f.path && f.display && VEC_PUSH(files, f))
        return true;
    mem_free(f.path);
    mem_free(f.display);
    return false;
}

/* Add every *.wast below `path` (display names below `display`). */
static bool walk_dir(FileList *files, const char *path, const char *display, int depth) {
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "wasmc wast: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = join(path, e->d_name), *sub_display = join(display, e->d_name);
        if (!sub || !sub_display)
            ok = false;
        else if (is_dir(sub))
            ok = depth < 64 ? walk_dir(files, sub, sub_display, depth + 1) : true;
        else if (ends_with(e->d_name, ".wast"))
            ok = add_file(files, sub, sub_display);
        mem_free(sub);
        mem_free(sub_display);
    }
    closedir(d);
    return ok;
}

static int cmp_display(const void *a, const void *b) {
    return strcmp(((const InputFile *)a)->display, ((const InputFile *)b)->display);
}

/* Add FILE or DIR (recursively, sorted by name). */
static bool add_input(FileList *files, const char *path, const char *display) {
    if (!is_dir(path)) {
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "wasmc wast: cannot open %s: %s\n", path, strerror(errno));
            return false;
        }
        return add_file(files, path, display);
    }
    size_t first = files->len;
    if (!walk_dir(files, path, display, 0))
        return false;
    qsort(files->data + first, files->len - first, sizeof *files->data, cmp_display);
    return true;
}

static void free_files(FileList *files) {
    for (size_t i = 0; i < files->len; i++) {
        mem_free(files->data[i].path);
        mem_free(files->data[i].display);
    }
    VEC_FREE(files);
}

/* The suite: $WASMC_TESTSUITE, ../shared/testsuite, or next to the executable.
 * Returns an owned path or NULL (with the places tried in `tried`). */
static char *find_suite(ByteBuf *tried) {
    const char *env = getenv("WASMC_TESTSUITE");
    if (env && *env) {
        buf_printf(tried, "%s (WASMC_TESTSUITE)", env);
        return is_dir(env) ? mem_strndup(env, strlen(env)) : NULL;
    }
    const char *candidates[] = {"../shared/testsuite", "shared/testsuite"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        buf_printf(tried, "%s%s", tried->len ? ", " : "", candidates[i]);
        if (is_dir(candidates[i]))
            return mem_strndup(candidates[i], strlen(candidates[i]));
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    const char *up[] = {"/../shared/testsuite", "/../../shared/testsuite",
                        "/../../../shared/testsuite"};
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
        char *p = join(exe, up[i] + 1);
        if (!p)
            return NULL;
        buf_printf(tried, ", %s", p);
        if (is_dir(p))
            return p;
        mem_free(p);
    }
    return NULL;
}

static int add_default_suite(FileList *files) {
    ByteBuf tried;
    buf_init(&tried);
    char *suite = find_suite(&tried);
    char *core = suite ? join(suite, "core") : NULL;
    int status = 0;
    if (!core || !is_dir(core)) {
        buf_byte(&tried, 0);
        fprintf(stderr, "wasmc wast: test suite not found at %s; set WASMC_TESTSUITE\n",
                tried.failed ? "?" : (const char *)tried.data);
        status = 2;
    } else if (!add_input(files, core, "core")) {
        status = 2;
    }
    mem_free(core);
    mem_free(suite);
    buf_fini(&tried);
    return status;
}

/* ---- Running ------------------------------------------------------------------------------ */

typedef struct Pool {
    FileResult *results;
    bool *done;
    size_t n, next;
    const RunOptions *opt;
    bool isolate;
    unsigned timeout_s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} Pool;

static void run_one(Pool *p, size_t i) {
    if (p->isolate)
        wast_run_file_isolated(&p->results[i], p->opt, p->timeout_s);
    else
        wast_run_file(&p->results[i], p->opt);
}

static void *worker(void *arg) {
    Pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            return NULL;
        run_one(p, i);
        pthread_mutex_lock(&p->mu);
        p->done[i] = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Start up to `jobs` threads; returns how many started (0: run inline). */
static int start_workers(Pool *p, pthread_t *threads, int jobs) {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return 0;
    pthread_attr_setstacksize(&attr, 64u << 20); /* parsers recurse on nesting */
    int started = 0;
    while (started < jobs && pthread_create(&threads[started], &attr, worker, p) == 0)
        started++;
    pthread_attr_destroy(&attr);
    return started;
}

/* Probe once whether the text parser turns (@custom ...) into a section. */
static bool parser_supports_custom(void) {
    static const char probe[] = "(module (@custom \"wasmc-probe\" \"x\"))";
    ByteBuf out;
    buf_init(&out);
    Diag diag;
    bool ok = wat_parse_module(probe, sizeof probe - 1, "<probe>", &out, &diag) == OK &&
              !out.failed && out.len > 11;
    ok = ok && memmem(out.data, out.len, "wasmc-probe", 11) != NULL;
    buf_fini(&out);
    return ok;
}

static bool run_all(FileList *files, const WastArgs *a) {
    Pool p = {.n = files->len, .opt = &a->opt, .isolate = a->isolate,
              .timeout_s = (unsigned)a->timeout_s};
    p.results = mem_calloc(files->len ? files->len : 1, sizeof *p.results);
    p.done = mem_calloc(files->len ? files->len : 1, sizeof *p.done);
    Report *rep = report_new();
    if (!p.results || !p.done || !rep) {
        fprintf(stderr, "wasmc wast: out of memory\n");
        mem_free(p.results);
        mem_free(p.done);
        report_delete(rep);
        return true;
    }
    for (size_t i = 0; i < files->len; i++) {
        FileResult *res = &p.results[i];
        res->path = files->data[i].path;
        res->display = files->data[i].display;
        res->feature = report_feature_of(res->display);
        buf_init(&res->detail);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    int jobs = a->jobs > (int)files->len ? (int)files->len : a->jobs;
    if (a->isolate && !os_fork_safe_with_threads())
        jobs = 1; /* fork only while no other thread can hold the allocator's lock */
    pthread_t threads[256];
    int started = jobs > 1 ? start_workers(&p, threads, jobs < 256 ? jobs : 256) : 0;
    for (size_t i = 0; i < files->len; i++) {
        if (!started) {
            run_one(&p, i);
        } else {
            pthread_mutex_lock(&p.mu);
            while (!p.done[i])
                pthread_cond_wait(&p.cv, &p.mu);
            pthread_mutex_unlock(&p.mu);
        }
        report_add_file(rep, &p.results[i], a->opt.verbose);
        wast_result_fini(&p.results[i]);
    }
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    bool failed = report_print_summary(rep, a->top, a->timing);
    report_delete(rep);
    mem_free(p.results);
    mem_free(p.done);
    return failed;
}

int cli_wast(int argc, char **argv) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    WastArgs a = {.jobs = cpus > 0 ? (int)cpus : 1, .top = 10, .isolate = true, .timeout_s = 600};
    int status = parse_args(argc, argv, &a);
    FileList files = {0};
    if (status < 0 && a.inputs.len == 0)
        status = add_default_suite(&files) ? 2 : -1;
    for (size_t i = 0; status < 0 && i < a.inputs.len; i++)
        if (!add_input(&files, a.inputs.data[i], a.inputs.data[i]))
            status = 2;
    if (status < 0) {
        a.opt.custom_annotations = parser_supports_custom();
        status = run_all(&files, &a) ? 1 : 0;
    }
    free_files(&files);
    wast_deviations_free(&a.deviations);
    VEC_FREE(&a.inputs);
    return status;
}
