/* `wasmc validate FILE...`: decode (or parse) and validate each file, print
 * "FILE: ok" or "FILE: <where>: <message>". Exit 1 if any file fails. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static bool validate_one(const char *path) {
    Diag diag;
    diag_clear(&diag);
    Module *mod = NULL;
    CliStage stage = cli_load_file(path, true, &mod, &diag);
    ir_module_delete(mod);
    if (stage == STAGE_OK) {
        printf("%s: ok\n", path);
        return true;
    }
    char msg[DIAG_MSG_MAX + 64];
    diag_format(&diag, msg, sizeof msg);
    printf("%s:%s%s\n", path, diag.line ? "" : " ", msg);
    return false;
}

int cli_validate(int argc, char **argv) {
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fprintf(argc < 1 ? stderr : stdout,
                "usage: wasmc validate FILE...\n"
                "  decode (.wasm) or parse (.wat) each module and validate it\n");
        return argc < 1 ? 2 : 0;
    }
    bool all_ok = true;
    for (int i = 0; i < argc; i++)
        all_ok &= validate_one(argv[i]);
    return all_ok ? 0 : 1;
}
