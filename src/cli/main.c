/* The wasmc command: dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out) {
    fprintf(out, "usage: wasmc <command> [args]\n"
                 "commands:\n"
                 "  validate FILE...   decode and validate modules (.wasm or .wat)\n"
                 "  print FILE         print a module as WAT text\n"
                 "  wast [FILE|DIR...] run WAST scripts (default: the spec test suite)\n"
                 "  run [--invoke NAME] [--fuel N] FILE [ARGS...]\n"
                 "                     instantiate a module and call a function\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "validate") == 0)
        return cli_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "print") == 0)
        return cli_print(argc - 2, argv + 2);
    if (strcmp(cmd, "wast") == 0)
        return cli_wast(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "wasmc: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
