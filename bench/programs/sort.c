/* Sorting: quicksort (median of three, insertion sort for short runs) and a
 * bottom-up mergesort of pseudo-random 32-bit integers; verifies the order and
 * checksums the sorted arrays.
 *   sort [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT 1000000

static uint64_t rng_state = 88172645463325252ull;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void insertion_sort(uint32_t *a, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(uint32_t *a, int i, int j) {
    uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quick_sort(uint32_t *a, int n) {
    while (n > 24) {
        int mid = n / 2;
        if (a[mid] < a[0])
            swap(a, mid, 0);
        if (a[n - 1] < a[0])
            swap(a, n - 1, 0);
        if (a[n - 1] < a[mid])
            swap(a, n - 1, mid);
        uint32_t pivot = a[mid];
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap(a, i, j);
            i++;
            j--;
        }
        /* recurse into the smaller half, loop on the larger: O(log n) depth */
        if (j + 1 < n - j - 1) {
            quick_sort(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quick_sort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

/* Sorts a[0..n) using tmp as scratch; returns whichever buffer holds the result. */
static const uint32_t *merge_sort(uint32_t *a, uint32_t *tmp, int n) {
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        uint32_t *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static uint64_t checksum(const uint32_t *a, int n, int *sorted) {
    uint64_t sum = 0;
    *sorted = 1;
    for (int i = 0; i < n; i++) {
        sum = sum * 1000003u + a[i];
        if (i > 0 && a[i - 1] > a[i])
            *sorted = 0;
    }
    return sum;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    /* full size: 9 rounds of 1M elements; below one round, fewer elements */
    uint32_t elements = scaled(scale, 9.0 * COUNT);
    int reps = elements >= COUNT ? (int)(elements / COUNT) : 1;
    int n = elements >= COUNT ? COUNT : (int)elements;
    uint32_t *a = malloc(sizeof(uint32_t) * COUNT);
    uint32_t *b = malloc(sizeof(uint32_t) * COUNT);
    uint32_t *tmp = malloc(sizeof(uint32_t) * COUNT);
    if (!a || !b || !tmp)
        return 1;
    uint64_t total = 0;
    int all_sorted = 1;
    for (int r = 0; r < reps; r++) {
        uint32_t range = r % 2 ? 1000 : 0xffffffffu; /* odd rounds: many duplicates */
        for (int i = 0; i < n; i++)
            a[i] = b[i] = rng() % range;
        quick_sort(a, n);
        const uint32_t *merged = merge_sort(b, tmp, n);
        int s1, s2;
        uint64_t c1 = checksum(a, n, &s1), c2 = checksum(merged, n, &s2);
        all_sorted &= s1 & s2 & (c1 == c2);
        total = total * 31 + c1;
    }
    printf("sort: reps=%d n=%d %s checksum=%016llx\n", reps, n, all_sorted ? "ok" : "UNSORTED",
           (unsigned long long)total);
    free(a);
    free(b);
    free(tmp);
    return all_sorted ? 0 : 1;
}
