/* What execution cannot run yet, decided before running it: a wasmtime
 * script whose `;;!` flags ask for a feature we lack. Such commands are
 * counted "not run" under the feature's name, never failed or passed. Every
 * instruction and every value type (v128, GC and host references included)
 * executes, so modules and commands are no longer gated themselves. */
#include <string.h>

#include "wast_int.h"

const char *wast_module_gate(const Module *mod) {
    (void)mod;
    return NULL;
}

const char *wast_command_gate(const WastCommand *cmd) {
    (void)cmd;
    return NULL;
}

/* ---- Script flags ----------------------------------------------------------------------------- */

/* wasmtime's flags that need nothing beyond what the interpreter runs. */
static const char *const supported_flags[] = {
    "reference_types", "bulk_memory", "multi_memory", "memory64", "tail_call",
    "function_references", "branch_hinting", "hogs_memory", "extended_const",
    "multi_value", "sign_extension", "saturating_float_to_int", "mutable_globals",
    "simd", "relaxed_simd", "exceptions", "legacy_exceptions", "gc",
    "nan_canonicalization", /* an engine mode the runner turns on (wast_file_flag) */
};

/* Flag names we lack, as the report shows them (static strings). */
static const struct {
    const char *flag, *gate;
} gated_flags[] = {
    {"threads", "threads"},
    {"shared_everything_threads", "threads"},
    {"stack_switching", "stack-switching"},
    {"wide_arithmetic", "wide-arithmetic"},
    {"custom_page_sizes", "custom-page-sizes"},
    {"component_model", "component-model"},
};

static const char *flag_gate(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof supported_flags / sizeof supported_flags[0]; i++)
        if (strlen(supported_flags[i]) == len && memcmp(supported_flags[i], name, len) == 0)
            return NULL;
    for (size_t i = 0; i < sizeof gated_flags / sizeof gated_flags[0]; i++)
        if (strlen(gated_flags[i].flag) == len && memcmp(gated_flags[i].flag, name, len) == 0)
            return gated_flags[i].gate;
    return "unknown ;;! flag";
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* One line after ";;!": "name = true" gates, anything else does not. */
static const char *line_gate(const char *p, const char *end) {
    while (p < end && *p == ' ')
        p++;
    const char *name = p;
    while (p < end && is_name_char(*p))
        p++;
    size_t len = (size_t)(p - name);
    while (p < end && (*p == ' ' || *p == '='))
        p++;
    if (!len || (size_t)(end - p) < 4 || memcmp(p, "true", 4) != 0)
        return NULL;
    return flag_gate(name, len);
}

/* Is the header line ";;! NAME = VALUE" present? (Flags come before any code.) */
bool wast_file_flag(const char *text, size_t len, const char *name, bool value) {
    const char *word = value ? "true" : "false";
    size_t word_len = strlen(word);
    const char *p = text, *end = text + len;
    size_t name_len = strlen(name);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol - p >= 3 && memcmp(p, ";;!", 3) == 0) {
            const char *q = p + 3;
            while (q < eol && *q == ' ')
                q++;
            if ((size_t)(eol - q) > name_len && memcmp(q, name, name_len) == 0 &&
                !is_name_char(q[name_len])) {
                q += name_len;
                while (q < eol && (*q == ' ' || *q == '='))
                    q++;
                if ((size_t)(eol - q) >= word_len && memcmp(q, word, word_len) == 0)
                    return true;
            }
        } else if (p != eol && *p != '\r' && !(eol - p >= 2 && memcmp(p, ";;", 2) == 0)) {
            return false;
        }
        p = eol + 1;
    }
    return false;
}

const char *wast_path_gate(const char *path) {
    /* The async component model (tests in component-model's `async/` folders)
     * is not implemented. */
    if (strstr(path, "component-model") && strstr(path, "/async/"))
        return "component-model-async";
    return NULL;
}

const char *wast_file_gate(const char *text, size_t len) {
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol - p >= 3 && memcmp(p, ";;!", 3) == 0) {
            const char *g = line_gate(p + 3, eol);
            if (g)
                return g;
        } else if (p != eol && *p != '\r' && !(eol - p >= 2 && memcmp(p, ";;", 2) == 0)) {
            return NULL; /* flags come first, before any code */
        }
        p = eol + 1;
    }
    return NULL;
}
