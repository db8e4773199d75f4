/* Binary writer internals shared with the WAT printer: which sections the
 * writer emits, so the printer can say where a custom section goes in terms
 * the printed text will reproduce. */
#ifndef WASMC_SYNTAX_BIN_WRITER_H
#define WASMC_SYNTAX_BIN_WRITER_H

#include <stdint.h>

#include "syntax.h"

/* A custom section placed after section `after` (0 = before the first) in
 * `mod` sits, once the module is printed and parsed back (the text records no
 * empty sections), after the last section at or before `after` that the
 * writer emits for that text: its id, or 0 when there is none. Ids the
 * writer does not know are returned unchanged. */
uint8_t bin_text_placement(const Module *mod, uint8_t after);

#endif
