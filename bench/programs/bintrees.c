/* Allocation-heavy: builds complete binary trees of many depths with malloc,
 * walks them and frees them node by node, while one long-lived tree stays
 * allocated — exercises the allocator (dlmalloc in wasi-libc, glibc's
 * natively) and pointer chasing.
 *   bintrees [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    struct Node *left, *right;
    uint32_t value;
} Node;

static Node *build(int depth, uint32_t value) {
    Node *n = malloc(sizeof(Node));
    if (!n) {
        printf("bintrees: out of memory\n");
        exit(1);
    }
    n->value = value;
    if (depth > 0) {
        n->left = build(depth - 1, value * 2);
        n->right = build(depth - 1, value * 2 + 1);
    } else {
        n->left = n->right = NULL;
    }
    return n;
}

static uint32_t walk(const Node *n) {
    uint32_t sum = n->value;
    if (n->left)
        sum += walk(n->left) ^ walk(n->right);
    return sum;
}

static void release(Node *n) {
    if (n->left) {
        release(n->left);
        release(n->right);
    }
    free(n);
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int max_depth = scale >= 10 ? 16 : 12; /* small trees for tiny workloads */
    Node *long_lived = build(max_depth, 1);
    uint32_t checksum = walk(long_lived);
    for (int depth = 4; depth <= max_depth; depth += 2) {
        /* the same number of nodes at every depth */
        uint32_t iterations = scaled(scale, 4.6 * (1u << (max_depth - depth + 4)));
        uint32_t sum = 0;
        for (uint32_t i = 0; i < iterations; i++) {
            Node *t = build(depth, i);
            sum += walk(t);
            release(t);
        }
        checksum = checksum * 31 + sum;
        printf("depth %2d: %6u trees, sum %08x\n", depth, iterations, sum);
    }
    checksum = checksum * 31 + walk(long_lived);
    release(long_lived);
    printf("bintrees: checksum=%08x\n", checksum);
    return 0;
}
