/* The syntax layer's public header: the instruction table, the module IR, the
 * binary reader and writer, the text (WAT) parser and printer, and WAST scripts. */
#ifndef WASMC_SYNTAX_SYNTAX_H
#define WASMC_SYNTAX_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"
#include "ir.h"
#include "op.h"
#include "wast.h"

#define WASM_MAGIC 0x6d736100u
#define WASM_VERSION 1u

/* Decode a binary module. The bytes are copied into the module's arena; the
 * caller's buffer is not kept. Errors are ERR_MALFORMED with the byte offset and
 * the spec's message ("unexpected end", "integer too large", ...). *out is
 * owned by the caller (ir_module_delete). Does not validate. */
Err bin_read_module(const uint8_t *bytes, size_t len, Module **out, Diag *diag) WARN_UNUSED;

/* Encode a module (validated or not) to the binary format, appending to *out.
 * Sections and custom sections are written in the module's recorded order. */
Err bin_write_module(const Module *mod, ByteBuf *out, Diag *diag) WARN_UNUSED;

/* Parse one WAT module (the whole text is `(module ...)` or bare module
 * fields) and encode it to binary bytes, appended to *out. Errors are
 * ERR_MALFORMED with line:column. `filename` is for messages only. */
Err wat_parse_module(const char *text, size_t len, const char *filename, ByteBuf *out,
                     Diag *diag) WARN_UNUSED;

/* Parse one component in the text format (`(component $id? ...)` or bare
 * component fields) and encode it to the component binary format, appended
 * to *out. Errors are ERR_MALFORMED with line:column. */
Err wat_parse_component(const char *text, size_t len, const char *filename, ByteBuf *out,
                        Diag *diag) WARN_UNUSED;

/* Print a module as WAT text, appending to *out. */
Err wat_print_module(const Module *mod, ByteBuf *out, Diag *diag) WARN_UNUSED;

#endif
