/* Error values and diagnostics: every fallible function returns an Err and, on
 * failure, fills a caller-provided Diag with what went wrong and where (a byte
 * offset for binary input, line:column for text). */
#ifndef WASMC_BASE_ERR_H
#define WASMC_BASE_ERR_H

#include <stdarg.h>
#include <stdint.h>

typedef enum Err {
    OK = 0,
    ERR_MALFORMED,   /* bytes or text that do not follow the format */
    ERR_INVALID,     /* well-formed but fails validation */
    ERR_NOMEM,       /* an allocation failed */
    ERR_LIMIT,       /* an implementation limit was exceeded */
    ERR_UNSUPPORTED, /* a feature this build does not provide */
    ERR_IO,          /* reading or writing a file failed */
    ERR_LINK,        /* imports do not match */
    ERR_TRAP,        /* execution trapped */
    ERR_USAGE,       /* the caller misused an interface */
} Err;

#define DIAG_MSG_MAX 256
#define DIAG_NO_OFFSET UINT64_MAX

/* Where and what. `offset` is a byte offset (DIAG_NO_OFFSET when unknown);
 * `line`/`column` are 1-based for text input and 0 otherwise. */
typedef struct Diag {
    Err code;
    uint64_t offset;
    uint32_t line, column;
    const char *src_file; /* the C file that raised it (debug builds) */
    int src_line;
    char msg[DIAG_MSG_MAX];
} Diag;

#if defined(__GNUC__)
#define WARN_UNUSED __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define WARN_UNUSED
#define PRINTF_LIKE(f, a)
#endif

void diag_clear(Diag *diag);

/* Fill `diag` (may be NULL) and return `code`. Use through FAIL / FAIL_TEXT. */
Err err_fail(Diag *diag, Err code, uint64_t offset, const char *file, int line, const char *fmt,
             ...) PRINTF_LIKE(6, 7);
Err err_fail_text(Diag *diag, Err code, uint32_t line, uint32_t column, const char *file,
                  int src_line, const char *fmt, ...) PRINTF_LIKE(7, 8);
Err err_vfail(Diag *diag, Err code, uint64_t offset, const char *file, int line, const char *fmt,
              va_list ap);

#define FAIL(diag, code, offset, ...) err_fail(diag, code, offset, __FILE__, __LINE__, __VA_ARGS__)
#define FAIL_TEXT(diag, code, line, col, ...)                                                      \
    err_fail_text(diag, code, line, col, __FILE__, __LINE__, __VA_ARGS__)
#define FAIL_NOMEM(diag) FAIL(diag, ERR_NOMEM, DIAG_NO_OFFSET, "out of memory")

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        Err try_err_ = (expr);                                                                     \
        if (try_err_ != OK)                                                                        \
            return try_err_;                                                                       \
    } while (0)

const char *err_name(Err code);

/* Format "offset 0x12: msg" or "3:14: msg" into buf. */
void diag_format(const Diag *diag, char *buf, uint32_t size);

#endif
