/* Deep structural comparison of two module IRs, for round-trip tests
 * (decode -> write -> decode must give an equal IR) and debugging. */
#ifndef WASMC_SYNTAX_IR_COMPARE_H
#define WASMC_SYNTAX_IR_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"

/* True when `a` and `b` describe the same module: every type, import, function
 * body, segment, custom section, name and the recorded section order. Byte
 * offsets (Instr.offset, Code.offset/size, *.offset_in_binary, ...) and fields
 * filled by the validator (canon, block ends, max_stack, validated) are ignored.
 * On a difference, writes the first one into `why` (NUL-terminated, at most
 * why_len bytes; `why` may be NULL), e.g. "func 3 instr 17: op differs". */
bool ir_module_equal(const Module *a, const Module *b, char *why, size_t why_len);

#endif
