/* The WAST runner's bookkeeping: per-file counts and failure lines, the totals
 * per command kind, per feature and per blamed component, and the closing
 * "N passed, N failed, N skipped" line (skipped = not run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const kind_names[RK_COUNT] = {
    [RK_MODULE] = "module",
    [RK_INSTANCE] = "module instance",
    [RK_REGISTER] = "register",
    [RK_ACTION] = "invoke/get",
    [RK_ASSERT_RETURN] = "assert_return",
    [RK_ASSERT_TRAP] = "assert_trap",
    [RK_ASSERT_TRAP_MODULE] = "assert_trap (module)",
    [RK_ASSERT_EXHAUSTION] = "assert_exhaustion",
    [RK_ASSERT_EXCEPTION] = "assert_exception",
    [RK_ASSERT_MALFORMED] = "assert_malformed",
    [RK_ASSERT_INVALID] = "assert_invalid",
    [RK_ASSERT_UNLINKABLE] = "assert_unlinkable",
    [RK_MALFORMED_CUSTOM] = "assert_malformed_custom",
    [RK_INVALID_CUSTOM] = "assert_invalid_custom",
    [RK_UNSUPPORTED] = "unsupported forms",
    [RK_ROUNDTRIP] = "roundtrip",
    [RK_SCRIPT] = "script",
};

static const char *const blame_names[BLAME_COUNT] = {
    [BLAME_TEXT] = "text",         [BLAME_READER] = "reader", [BLAME_VALIDATOR] = "validator",
    [BLAME_WRITER] = "writer",     [BLAME_RUNTIME] = "runtime", [BLAME_EXEC] = "execution",
    [BLAME_RUNNER] = "runner",     [BLAME_CRASH] = "crash",
};

const char *report_kind_name(RunKind kind) { return kind < RK_COUNT ? kind_names[kind] : "?"; }
const char *report_blame_name(Blame blame) {
    return blame < BLAME_COUNT ? blame_names[blame] : "?";
}

/* ---- Per-file records -------------------------------------------------------- */

void report_pass(FileResult *res, RunKind kind) { res->kinds[kind].passed++; }
void report_not_run(FileResult *res, RunKind kind) { res->kinds[kind].not_run++; }

void report_fail(FileResult *res, RunKind kind, Blame blame, uint32_t line, uint32_t column,
                 const char *reason, const char *detail) {
    res->kinds[kind].failed++;
    buf_printf(&res->detail, "  %s:%u:%u: %s: %s\n", res->display, line, column,
               report_kind_name(kind), detail ? detail : reason);
    FailReason r = {(uint8_t)kind, (uint8_t)blame, mem_strndup(reason, strlen(reason))};
    if (!r.text || !VEC_PUSH(&res->reasons, r))
        mem_free(r.text); /* the count stands; only the triage table loses a line */
}

void report_keyword(FileResult *res, const char *keyword) {
    for (size_t i = 0; i < res->keywords.len; i++) {
        if (strcmp(res->keywords.data[i].keyword, keyword) == 0) {
            res->keywords.data[i].count++;
            return;
        }
    }
    KeywordCount k = {mem_strndup(keyword, strlen(keyword)), 1};
    if (!k.keyword || !VEC_PUSH(&res->keywords, k))
        mem_free(k.keyword);
}

void report_message(FileResult *res, RunKind kind, bool verbose, uint32_t line, uint32_t column,
                    const char *expected, const char *got) {
    if (!expected)
        return;
    res->kinds[kind].msg_checked++;
    if (strncmp(got, expected, strlen(expected)) == 0)
        return;
    res->kinds[kind].msg_mismatch++;
    if (verbose)
        buf_printf(&res->detail, "  %s:%u:%u: %s: message mismatch: expected \"%s\", got \"%s\"\n",
                   res->display, line, column, report_kind_name(kind), expected, got);
}

void wast_result_fini(FileResult *res) {
    buf_fini(&res->detail);
    for (size_t i = 0; i < res->reasons.len; i++)
        mem_free(res->reasons.data[i].text);
    VEC_FREE(&res->reasons);
    for (size_t i = 0; i < res->keywords.len; i++)
        mem_free(res->keywords.data[i].keyword);
    VEC_FREE(&res->keywords);
}

/* ---- Features ------------------------------------------------------------------ */

enum {
    SF_MVP,
    SF_BULK,
    SF_REFTYPES,
    SF_SIMD,
    SF_RELAXED,
    SF_TAIL,
    SF_MULTIMEM,
    SF_MEM64,
    SF_FUNCREF,
    SF_GC,
    SF_EH,
    SF_EH_LEGACY,
    SF_ANNOT,
    SF_CUSTOM_ANNOT,
    SF_INSTANCE,
    SF_THREADS,
    SF_CUSTOM_PAGES,
    SF_WIDE,
    SF_CUSTOM_DESC,
    SF_COMPONENT,
    SF_WASMTIME,
    SF_OTHER,
    SF_COUNT
};

static const char *const feature_names[SF_COUNT] = {
    "mvp",         "bulk-memory",     "reference-types", "simd",
    "relaxed-simd", "tail-call",      "multi-memory",    "memory64",
    "function-references", "gc",      "exceptions",      "eh-legacy",
    "annotations", "custom-annotations", "instance",     "threads",
    "custom-page-sizes", "wide-arithmetic", "custom-descriptors", "component-model",
    "wasmtime-misc", "other",
};

/* core/ files by the proposal that added them (testsuite README table). */
static const struct {
    int feature;
    const char *names;
} core_features[] = {
    {SF_BULK, " bulk memory_copy memory_fill memory_init table_copy table_init "},
    {SF_REFTYPES, " ref_func ref_is_null ref_null table-sub table_fill table_get table_grow"
                    " table_set table_size unreached-valid "},
    {SF_RELAXED, " i16x8_relaxed_q15mulr_s i32x4_relaxed_trunc i8x16_relaxed_swizzle"
                   " relaxed_dot_product relaxed_laneselect relaxed_madd_nmadd relaxed_min_max "},
    {SF_TAIL, " return_call return_call_indirect "},
    {SF_MULTIMEM, " address0 address1 align0 binary0 data0 data1 data_drop0 exports0"
                    " float_exprs0 float_exprs1 float_memory0 imports0 imports1 imports2 imports3"
                    " imports4 linking0 linking1 linking2 linking3 load0 load1 load2 memory-multi"
                    " memory_copy0 memory_copy1 memory_fill0 memory_init0 memory_size0"
                    " memory_size1 memory_size2 memory_size3 memory_size_import memory_trap0"
                    " memory_trap1 simd_memory-multi start0 store0 store1 store2 traps0 "},
    {SF_MEM64, " address64 align64 binary_leb128_64 bulk64 call_indirect64 endianness64"
                 " float_memory64 load64 memory64 memory64-imports memory_copy64 memory_fill64"
                 " memory_grow64 memory_init64 memory_redundancy64 memory_trap64 table64"
                 " table_copy64 table_copy_mixed table_fill64 table_get64 table_grow64"
                 " table_init64 table_set64 table_size64 "},
    {SF_FUNCREF, " br_on_non_null br_on_null call_ref local_init ref ref_as_non_null"
                   " return_call_ref type-equivalence "},
    {SF_GC, " array array_copy array_fill array_init_data array_init_elem array_new_data"
              " array_new_elem binary-gc br_on_cast br_on_cast_fail extern i31 ref_cast ref_eq"
              " ref_test struct type-canon type-rec type-subtyping "},
    {SF_EH, " tag throw throw_ref try_table "},
    {SF_ANNOT, " annotations id "},
    {SF_INSTANCE, " instance "},
};

static bool has_dir(const char *path, const char *dir) {
    size_t n = strlen(dir);
    for (const char *p = strstr(path, dir); p; p = strstr(p + 1, dir)) {
        if ((p == path || p[-1] == '/') && p[n] == '/')
            return true;
    }
    return false;
}

static int proposal_feature(const char *path) {
    static const struct {
        const char *dir;
        int feature;
    } dirs[] = {{"threads", SF_THREADS},
                {"custom-page-sizes", SF_CUSTOM_PAGES},
                {"wide-arithmetic", SF_WIDE},
                {"custom-descriptors", SF_CUSTOM_DESC}};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (has_dir(path, dirs[i].dir))
            return dirs[i].feature;
    return SF_OTHER;
}

static int core_feature(const char *base, size_t len) {
    char key[128];
    if (len + 3 > sizeof key)
        return SF_MVP;
    snprintf(key, sizeof key, " %.*s ", (int)len, base);
    if (strcmp(key, " simd_memory-multi ") != 0 && strncmp(key, " simd_", 6) == 0)
        return SF_SIMD;
    for (size_t i = 0; i < sizeof core_features / sizeof core_features[0]; i++)
        if (strstr(core_features[i].names, key))
            return core_features[i].feature;
    return SF_MVP;
}

int report_feature_of(const char *path) {
    if (has_dir(path, "component-model"))
        return SF_COMPONENT;
    if (has_dir(path, "proposals"))
        return proposal_feature(path);
    if (has_dir(path, "wasmtime-misc"))
        return SF_WASMTIME;
    if (!has_dir(path, "core"))
        return SF_OTHER;
    if (has_dir(path, "legacy"))
        return SF_EH_LEGACY;
    if (has_dir(path, "custom"))
        return SF_CUSTOM_ANNOT;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".wast") == 0)
        len -= 5;
    return core_feature(base, len);
}

const char *report_feature_name(int feature) {
    return feature >= 0 && feature < SF_COUNT ? feature_names[feature] : "?";
}
int report_feature_count(void) { return SF_COUNT; }

/* ---- Totals ----------------------------------------------------------------------- */

struct Report {
    KindCounts kinds[RK_COUNT];
    KindCounts features[SF_COUNT];
    uint32_t blame_failed[BLAME_COUNT];
    VEC(FailReason) reasons;   /* owned */
    VEC(KeywordCount) keywords; /* owned */
    uint32_t files, files_failed;
    uint64_t elapsed_ns;
    const char *slowest;
    uint64_t slowest_ns;
};

Report *report_new(void) { return mem_calloc(1, sizeof(Report)); }

void report_delete(Report *rep) {
    if (!rep)
        return;
    for (size_t i = 0; i < rep->reasons.len; i++)
        mem_free(rep->reasons.data[i].text);
    VEC_FREE(&rep->reasons);
    for (size_t i = 0; i < rep->keywords.len; i++)
        mem_free(rep->keywords.data[i].keyword);
    VEC_FREE(&rep->keywords);
    mem_free(rep);
}

static void add_counts(KindCounts *to, const KindCounts *from) {
    to->passed += from->passed;
    to->failed += from->failed;
    to->not_run += from->not_run;
    to->msg_checked += from->msg_checked;
    to->msg_mismatch += from->msg_mismatch;
}

static void merge_keywords(Report *rep, FileResult *res) {
    for (size_t i = 0; i < res->keywords.len; i++) {
        KeywordCount *k = &res->keywords.data[i];
        size_t j = 0;
        while (j < rep->keywords.len && strcmp(rep->keywords.data[j].keyword, k->keyword) != 0)
            j++;
        if (j < rep->keywords.len) {
            rep->keywords.data[j].count += k->count;
        } else if (VEC_PUSH(&rep->keywords, *k)) {
            k->keyword = NULL; /* moved */
        }
    }
}

static void merge_reasons(Report *rep, FileResult *res) {
    for (size_t i = 0; i < res->reasons.len; i++) {
        FailReason *r = &res->reasons.data[i];
        rep->blame_failed[r->blame]++;
        if (VEC_PUSH(&rep->reasons, *r))
            r->text = NULL; /* moved */
    }
}

void report_add_file(Report *rep, FileResult *res, bool verbose) {
    KindCounts file = {0};
    for (int k = 0; k < RK_COUNT; k++) {
        add_counts(&rep->kinds[k], &res->kinds[k]);
        add_counts(&file, &res->kinds[k]);
    }
    add_counts(&rep->features[res->feature], &file);
    merge_keywords(rep, res);
    merge_reasons(rep, res);
    rep->files++;
    rep->files_failed += file.failed != 0;
    rep->elapsed_ns += res->elapsed_ns;
    if (res->elapsed_ns > rep->slowest_ns) {
        rep->slowest_ns = res->elapsed_ns;
        rep->slowest = res->display;
    }
    printf("%s: %u passed, %u failed, %u not run\n", res->display, file.passed, file.failed,
           file.not_run);
    /* A script-level failure (parse error, crash) is the file's only line and
     * says why nothing else ran, so it is shown even without --verbose. */
    if ((verbose || res->kinds[RK_SCRIPT].failed) && res->detail.len)
        fwrite(res->detail.data, 1, res->detail.len, stdout);
    fflush(stdout);
}

static void print_kind_table(const Report *rep) {
    KindCounts total = {0};
    printf("\n%-26s %9s %9s %9s %9s %9s\n", "command", "passed", "failed", "not run", "msg ok",
           "msg diff");
    for (int k = 0; k < RK_COUNT; k++) {
        const KindCounts *c = &rep->kinds[k];
        add_counts(&total, c);
        if (!c->passed && !c->failed && !c->not_run)
            continue;
        printf("%-26s %9u %9u %9u %9u %9u\n", report_kind_name((RunKind)k), c->passed, c->failed,
               c->not_run, c->msg_checked - c->msg_mismatch, c->msg_mismatch);
    }
    printf("%-26s %9u %9u %9u %9u %9u\n", "total", total.passed, total.failed, total.not_run,
           total.msg_checked - total.msg_mismatch, total.msg_mismatch);
}

static void print_feature_table(const Report *rep) {
    printf("\n%-26s %9s %9s %9s\n", "feature", "passed", "failed", "not run");
    for (int f = 0; f < SF_COUNT; f++) {
        const KindCounts *c = &rep->features[f];
        if (c->passed || c->failed || c->not_run)
            printf("%-26s %9u %9u %9u\n", feature_names[f], c->passed, c->failed, c->not_run);
    }
}

static void print_keywords(const Report *rep) {
    if (!rep->keywords.len)
        return;
    printf("\nnot run, by what they need:");
    for (size_t i = 0; i < rep->keywords.len; i++)
        printf("%s %s x%u", i ? "," : "", rep->keywords.data[i].keyword,
               rep->keywords.data[i].count);
    printf("\n");
}

static int cmp_reason(const void *a, const void *b) {
    const FailReason *x = a, *y = b;
    if (x->blame != y->blame)
        return x->blame - y->blame;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return strcmp(x->text ? x->text : "", y->text ? y->text : "");
}

typedef struct ReasonGroup {
    const FailReason *first;
    uint32_t count;
} ReasonGroup;

static int cmp_group(const void *a, const void *b) {
    const ReasonGroup *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return cmp_reason(x->first, y->first);
}

static void print_top_reasons(Report *rep, uint32_t top) {
    if (!rep->reasons.len || !top)
        return;
    qsort(rep->reasons.data, rep->reasons.len, sizeof *rep->reasons.data, cmp_reason);
    ReasonGroup *groups = mem_calloc(rep->reasons.len, sizeof *groups);
    if (!groups)
        return;
    size_t n = 0;
    for (size_t i = 0; i < rep->reasons.len; i++) {
        if (n && cmp_reason(groups[n - 1].first, &rep->reasons.data[i]) == 0) {
            groups[n - 1].count++;
            continue;
        }
        groups[n++] = (ReasonGroup){&rep->reasons.data[i], 1};
    }
    qsort(groups, n, sizeof *groups, cmp_group);
    printf("\nfailures by component:");
    for (int b = 0; b < BLAME_COUNT; b++)
        if (rep->blame_failed[b])
            printf(" %s %u", blame_names[b], rep->blame_failed[b]);
    printf("\ntop failure reasons:\n");
    for (size_t i = 0; i < n && i < top; i++) {
        const FailReason *r = groups[i].first;
        printf("%7u  %-9s %s: %s\n", groups[i].count, blame_names[r->blame],
               report_kind_name((RunKind)r->kind), r->text ? r->text : "?");
    }
    mem_free(groups);
}

bool report_print_summary(Report *rep, uint32_t top_reasons, bool timing) {
    KindCounts total = {0};
    for (int k = 0; k < RK_COUNT; k++)
        add_counts(&total, &rep->kinds[k]);
    print_kind_table(rep);
    print_feature_table(rep);
    print_keywords(rep);
    print_top_reasons(rep, top_reasons);
    if (timing && rep->slowest)
        printf("\n%u files in %.2f s of work; slowest %s (%.2f s)\n", rep->files,
               (double)rep->elapsed_ns / 1e9, rep->slowest, (double)rep->slowest_ns / 1e9);
    printf("\n%u files, %u with failures\n", rep->files, rep->files_failed);
    printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed, total.not_run);
    fflush(stdout);
    return total.failed != 0;
}
