/* Fuzz target: the WAT parser, and the decoder + validator on what it
 * encodes. Text that parses must encode to bytes the decoder accepts. */
#include <stddef.h>
#include <stdint.h>

#include "module/module.h"
#include "syntax/syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Diag diag;
    ByteBuf bin;
    buf_init(&bin);
    if (wat_parse_module((const char *)data, size, "fuzz.wat", &bin, &diag) == OK) {
        Module *mod = NULL;
        if (bin_read_module(bin.data, bin.len, &mod, &diag) == OK) {
            Err err = valid_module(mod, NULL, &diag);
            (void)err;
            ir_module_delete(mod);
        }
    }
    buf_fini(&bin);
    return 0;
}
