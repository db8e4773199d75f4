/* Memory limits as a C program sees them: allocates 64 KiB blocks until
 * malloc returns NULL (or 256 MiB), touching each, and reports whether it
 * stopped near the limit given as argv[1] in MiB (run with --max-memory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    size_t limit = argc > 1 ? (size_t)atoi(argv[1]) << 20 : 0;
    size_t total = 0, block = 64 << 10;
    void **list = NULL; /* the blocks stay reachable, so none is optimized away */
    while (total < (256u << 20)) {
        void **p = malloc(block);
        if (!p)
            break;
        memset(p, 1, block);
        *p = list;
        list = p;
        total += block;
    }
    printf("malloc returned NULL: %s\n", total < (256u << 20) ? "yes" : "no");
    printf("stopped within the limit: %s\n", total <= limit ? "yes" : "no");
    printf("got at least half of it: %s\n", total >= limit / 2 ? "yes" : "no");
    while (list) {
        void **next = *list;
        free(list);
        list = next;
    }
    return 0;
}
