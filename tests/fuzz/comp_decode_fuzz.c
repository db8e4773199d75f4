/* Fuzz target: the component decoder and validator. Any input must decode
 * and validate to success or a clean error, never crash or leak; inputs are
 * given the component preamble when they lack it so the fuzzer reaches the
 * sections quickly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "component/component_front.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t pre[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    uint8_t *buf = mem_alloc(size + 8);
    if (!buf)
        return 0;
    size_t len = size;
    if (size >= 8 && memcmp(data, pre, 4) == 0) {
        memcpy(buf, data, size);
    } else {
        memcpy(buf, pre, 8);
        if (size)
            memcpy(buf + 8, data, size);
        len = size + 8;
    }
    CompComponent *c = NULL;
    Diag d;
    diag_clear(&d);
    if (comp_decode(buf, len, &c, &d) == OK && comp_validate(c, NULL, &d) != OK)
        diag_clear(&d);
    comp_ir_delete(c);
    mem_free(buf);
    return 0;
}
