/* Fuzz target: binary decoder + validator. Any input must yield a module or a
 * clean error; never a crash, a leak or a sanitizer report. A module that
 * decodes must also survive being written back and decoded again. */
#include <stddef.h>
#include <stdint.h>

#include "module/module.h"
#include "syntax/syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Diag diag;
    Module *mod = NULL;
    if (bin_read_module(data, size, &mod, &diag) != OK)
        return 0;
    if (valid_module(mod, NULL, &diag) == OK) {
        ByteBuf out;
        buf_init(&out);
        if (bin_write_module(mod, &out, &diag) == OK) {
            Module *again = NULL;
            if (bin_read_module(out.data, out.len, &again, &diag) != OK)
                __builtin_trap(); /* we wrote something we cannot read back */
            ir_module_delete(again);
        }
        buf_fini(&out);
    }
    ir_module_delete(mod);
    return 0;
}
