/* `wasmc wast --deviations FILE`: commands of other runtimes' scripts that
 * expect that runtime's own choices where the spec differs (wasmtime's trap
 * wordings, table.grow trapping instead of returning -1, ...). Each listed
 * command is reported "not run" under "known deviation" instead of failing,
 * so the rest of its script can run in CI; a listed line that names no
 * command fails the script, so the list cannot outlive the scripts.
 *
 * The file has one deviation per line, `#` starts a comment:
 *   PATH:LINE  reason
 * PATH is the script's path or a suffix of it starting after a `/`
 * ("gc/array-copy.wast" names ".../wasmtime-misc/gc/array-copy.wast"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *skip_space(const char *p, const char *end) {
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

/* One "PATH:LINE reason" line (leading space and comments already gone). */
static bool parse_line(const char *p, const char *end, WastDeviation *out) {
    const char *word_end = p;
    while (word_end < end && !isspace((unsigned char)*word_end))
        word_end++;
    const char *colon = word_end;
    while (colon > p && colon[-1] != ':')
        colon--;
    if (colon <= p + 1 || colon == word_end)
        return false;
    char digits[16];
    size_t n = (size_t)(word_end - colon);
    if (n >= sizeof digits)
        return false;
    memcpy(digits, colon, n);
    digits[n] = 0;
    char *digits_end;
    unsigned long line = strtoul(digits, &digits_end, 10);
    const char *reason = skip_space(word_end, end);
    if (*digits_end || line == 0 || line > UINT32_MAX || reason == end)
        return false;
    out->line = (uint32_t)line;
    out->file = mem_strndup(p, (size_t)(colon - 1 - p));
    out->reason = mem_strndup(reason, (size_t)(end - reason));
    return true;
}

static const char *line_end(const char *p, const char *end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* The line's content without its comment and trailing space. */
static const char *content_end(const char *p, const char *end) {
    if (end <= p)
        return p;
    const char *hash = memchr(p, '#', (size_t)(end - p));
    if (hash)
        end = hash;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    return end;
}

bool wast_deviations_load(const char *path, WastDeviations *out, char *err, size_t size) {
    uint8_t *data;
    size_t len;
    Diag diag;
    if (os_read_file(path, &data, &len, &diag) != OK) {
        snprintf(err, size, "%s", diag.msg);
        return false;
    }
    const char *p = (const char *)data, *end = p + len;
    bool ok = true;
    for (uint32_t line = 1; ok && p < end; line++) {
        const char *eol = line_end(p, end);
        const char *start = skip_space(p, eol), *stop = content_end(start, eol);
        if (start < stop) {
            WastDeviation d = {0};
            ok = parse_line(start, stop, &d);
            if (!ok)
                snprintf(err, size, "%s:%u: expected 'PATH:LINE reason'", path, line);
            else if (!d.file || !d.reason || !VEC_PUSH(out, d)) {
                mem_free(d.file);
                mem_free(d.reason);
                snprintf(err, size, "out of memory");
                ok = false;
            }
        }
        p = eol + 1;
    }
    mem_free(data);
    if (!ok)
        wast_deviations_free(out);
    return ok;
}

void wast_deviations_free(WastDeviations *d) {
    for (size_t i = 0; i < d->len; i++) {
        mem_free(d->data[i].file);
        mem_free(d->data[i].reason);
    }
    VEC_FREE(d);
}

bool wast_deviation_in_file(const WastDeviation *d, const char *path) {
    size_t n = strlen(path), m = strlen(d->file);
    if (m > n || strcmp(path + n - m, d->file) != 0)
        return false;
    return m == n || path[n - m - 1] == '/';
}
