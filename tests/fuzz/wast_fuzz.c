/* Fuzz target: the WAST script parser (which drives the WAT parser for every
 * module form it meets). */
#include <stddef.h>
#include <stdint.h>

#include "syntax/syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Diag diag;
    Script *script = NULL;
    if (wast_parse_script((const char *)data, size, "fuzz.wast", &script, &diag) == OK)
        wast_script_delete(script);
    return 0;
}
