/* A minimal unit-test harness: CHECK records a failure with its location and
 * goes on; TEST_MAIN runs the listed test functions and prints the closing
 * "N passed, N failed" line that tests/run.sh adds up. */
#ifndef WASMC_TESTS_TEST_H
#define WASMC_TESTS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_checks_failed;
static int test_current_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
            test_checks_failed++;                                                                  \
            test_current_failed = 1;                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
    do {                                                                                           \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                               \
        if (check_a_ != check_b_) {                                                                \
            fprintf(stderr, "FAIL %s:%d: %s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")\n", __FILE__,   \
                    __LINE__, #a, #b, check_a_, check_b_);                                         \
            test_checks_failed++;                                                                  \
            test_current_failed = 1;                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (strcmp(check_a_, check_b_) != 0) {                                                     \
            fprintf(stderr, "FAIL %s:%d: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, #a,   \
                    #b, check_a_, check_b_);                                                       \
            test_checks_failed++;                                                                  \
            test_current_failed = 1;                                                               \
        }                                                                                          \
    } while (0)

typedef void (*TestFn)(void);
typedef struct TestCase {
    const char *name;
    TestFn fn;
} TestCase;

#define TEST_CASE(fn) {#fn, fn}

static inline int test_run_all(const char *suite, const TestCase *cases, int n) {
    int passed = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        test_current_failed = 0;
        cases[i].fn();
        if (test_current_failed) {
            failed++;
            fprintf(stderr, "  %s: %s FAILED\n", suite, cases[i].name);
        } else {
            passed++;
        }
    }
    printf("%s: %d passed, %d failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}

#define TEST_MAIN(suite, ...)                                                                      \
    int main(void) {                                                                               \
        static const TestCase cases[] = {__VA_ARGS__};                                             \
        return test_run_all(suite, cases, (int)(sizeof cases / sizeof cases[0]));                  \
    }

#endif
