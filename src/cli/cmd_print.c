/* `wasmc print FILE`: decode a binary module (or parse a text one) and print
 * it as WAT text on stdout. The module is not required to validate. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_print(int argc, char **argv) {
    if (argc != 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        bool help = argc == 1;
        fprintf(help ? stdout : stderr, "usage: wasmc print FILE\n"
                                        "  print a module (.wasm or .wat) as WAT text\n");
        return help ? 0 : 2;
    }
    const char *path = argv[0];
    Diag diag;
    diag_clear(&diag);
    Module *mod = NULL;
    CliStage stage = cli_load_file(path, false, &mod, &diag);
    int status = 1;
    if (stage == STAGE_OK) {
        ByteBuf text;
        buf_init(&text);
        if (wat_print_module(mod, &text, &diag) == OK && !text.failed) {
            fwrite(text.data, 1, text.len, stdout);
            status = fflush(stdout) == 0 ? 0 : 1;
        } else if (text.failed) {
            FAIL_NOMEM(&diag);
        }
        buf_fini(&text);
    }
    ir_module_delete(mod);
    if (status != 0 && diag.msg[0]) {
        char msg[DIAG_MSG_MAX + 64];
        diag_format(&diag, msg, sizeof msg);
        fprintf(stderr, "%s:%s%s\n", path, diag.line ? "" : " ", msg);
    }
    return status;
}
