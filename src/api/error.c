/* wasmc_error_t: a code and a message, owned by the caller. Making an error
 * never fails: when memory runs out a static out-of-memory error stands in
 * (wasmc_error_delete recognises and keeps it). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_int.h"

static char nomem_text[] = "out of memory";
static wasmc_error_t nomem_error = {WASMC_ERROR_NOMEM, nomem_text};

/* Err and wasmc_errcode_t list the same failures in the same order. */
static wasmc_errcode_t errcode_of(Err code) {
    return code >= ERR_MALFORMED && code <= ERR_USAGE ? (wasmc_errcode_t)code : WASMC_ERROR_USAGE;
}
_Static_assert((int)ERR_MALFORMED == (int)WASMC_ERROR_MALFORMED &&
                   (int)ERR_USAGE == (int)WASMC_ERROR_USAGE && (int)ERR_LINK == (int)WASMC_ERROR_LINK &&
                   (int)ERR_TRAP == (int)WASMC_ERROR_TRAP,
               "Err and wasmc_errcode_t agree");

static wasmc_error_t *error_text(Err code, const char *text) {
    wasmc_error_t *e = mem_alloc(sizeof *e);
    if (!e)
        return &nomem_error;
    e->code = errcode_of(code);
    e->message = mem_strndup(text, strlen(text));
    if (!e->message) {
        mem_free(e);
        return &nomem_error;
    }
    return e;
}

wasmc_error_t *api_error(Err code, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return error_text(code, text);
}

wasmc_error_t *api_error_diag(const Diag *diag) {
    char text[DIAG_MSG_MAX + 64];
    diag_format(diag, text, sizeof text);
    return error_text(diag->code ? diag->code : ERR_USAGE, text);
}

void wasmc_error_delete(wasmc_error_t *e) {
    if (!e || e == &nomem_error)
        return;
    mem_free(e->message);
    mem_free(e);
}

void wasmc_error_message(const wasmc_error_t *e, wasm_name_t *out) {
    const char *text = e ? e->message : "";
    wasm_name_new(out, strlen(text) + 1, text);
}

wasmc_errcode_t wasmc_error_code(const wasmc_error_t *e) {
    return e ? e->code : WASMC_ERROR_USAGE;
}
