/* Arguments and environment: prints argv and two variables, one set with
 * --env and one never set; exits with the number of arguments. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *a = getenv("WASI_TEST_A");
    const char *missing = getenv("WASI_TEST_MISSING");
    printf("WASI_TEST_A=%s\n", a ? a : "(unset)");
    printf("WASI_TEST_MISSING=%s\n", missing ? missing : "(unset)");
    return argc;
}
