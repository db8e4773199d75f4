/* Writes every module of the given WAST scripts as seeds for the fuzzers:
 * SCRIPT-N.wasm (the binary) and SCRIPT-N.wat (printed back as text) into OUT_DIR.
 *   fuzz_seeds OUT_DIR FILE.wast... */
#include <stdio.h>
#include <string.h>

#include "syntax/syntax.h"

static int write_seed(const char *dir, const char *script, unsigned n, const char *ext,
                      const uint8_t *data, size_t len) {
    const char *slash = strrchr(script, '/');
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%04u.%s", dir, slash ? slash + 1 : script, n, ext);
    Diag diag;
    return os_write_file(path, data, len, &diag) == OK ? 0 : 1;
}

static unsigned dump_script(const char *dir, const Script *script) {
    unsigned n = 0;
    for (uint32_t i = 0; i < script->n_commands; i++) {
        const WastModule *m = script->commands[i].module;
        if (!m || !m->bytes || m->is_component)
            continue;
        write_seed(dir, script->filename, n, "wasm", m->bytes, m->len);
        Module *mod = NULL;
        Diag diag;
        if (bin_read_module(m->bytes, m->len, &mod, &diag) == OK) {
            ByteBuf text;
            buf_init(&text);
            if (wat_print_module(mod, &text, &diag) == OK && !text.failed)
                write_seed(dir, script->filename, n, "wat", text.data, text.len);
            buf_fini(&text);
        }
        ir_module_delete(mod);
        n++;
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz_seeds OUT_DIR FILE.wast...\n");
        return 2;
    }
    unsigned n = 0;
    for (int i = 2; i < argc; i++) {
        uint8_t *text;
        size_t len;
        Diag diag;
        if (os_read_file(argv[i], &text, &len, &diag) != OK)
            continue;
        Script *script = NULL;
        if (wast_parse_script((const char *)text, len, argv[i], &script, &diag) == OK) {
            n += dump_script(argv[1], script);
            wast_script_delete(script);
        }
        mem_free(text);
    }
    printf("%u modules\n", n);
    return 0;
}
