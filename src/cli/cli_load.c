/* Loading a module for the subcommands: read a file, parse it if it is text,
 * decode and validate. Reports which stage rejected the module so callers can
 * tell malformed from invalid. */
#include <string.h>

#include "cli.h"

bool cli_is_binary(const char *path, const uint8_t *data, size_t len) {
    if (len >= 4 && memcmp(data, "\0asm", 4) == 0)
        return true;
    size_t n = strlen(path);
    return n >= 5 && strcmp(path + n - 5, ".wasm") == 0;
}

static CliStage stage_of(Err err, CliStage stage) { return err == ERR_NOMEM ? STAGE_NOMEM : stage; }

CliStage cli_decode(const uint8_t *bytes, size_t len, bool validate, TypeRegistry *reg,
                    Module **out, Diag *diag) {
    *out = NULL;
    Module *mod = NULL;
    Err err = bin_read_module(bytes, len, &mod, diag);
    if (err != OK) {
        ir_module_delete(mod);
        return stage_of(err, STAGE_DECODE);
    }
    *out = mod;
    if (validate) {
        err = valid_module(mod, reg, diag);
        if (err != OK)
            return stage_of(err, STAGE_VALID);
    }
    return STAGE_OK;
}

CliStage cli_load_file(const char *path, bool validate, Module **out, Diag *diag) {
    *out = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    Err err = os_read_file(path, &data, &len, diag);
    if (err != OK)
        return stage_of(err, STAGE_READ);
    CliStage stage;
    if (cli_is_binary(path, data, len)) {
        stage = cli_decode(data, len, validate, NULL, out, diag);
    } else {
        ByteBuf bytes;
        buf_init(&bytes);
        err = wat_parse_module((const char *)data, len, path, &bytes, diag);
        if (err != OK)
            stage = stage_of(err, STAGE_PARSE);
        else
            stage = cli_decode(bytes.data, bytes.len, validate, NULL, out, diag);
        buf_fini(&bytes);
    }
    mem_free(data);
    return stage;
}
