/* Clocks and randomness: monotonic time never goes back, realtime is after
 * 2020, a 20 ms sleep (poll_oneoff) lasts at least 20 ms, CPU clocks tick,
 * and random bytes are neither all zero nor repeated. Prints only verdicts. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    long long a = ns(CLOCK_MONOTONIC), b = ns(CLOCK_MONOTONIC);
    printf("monotonic: %s\n", a > 0 && b >= a ? "ok" : "FAIL");
    printf("realtime: %s\n", ns(CLOCK_REALTIME) / 1000000000LL > 1577836800LL ? "ok" : "FAIL");
    struct timespec res;
    printf("resolution: %s\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec || res.tv_nsec) ? "ok" : "FAIL");
    long long t0 = ns(CLOCK_MONOTONIC);
    struct timespec req = {0, 20000000};
    int r = nanosleep(&req, NULL);
    long long t1 = ns(CLOCK_MONOTONIC);
    printf("sleep: %s\n", r == 0 && t1 - t0 >= 20000000LL ? "ok" : "FAIL");
    volatile unsigned spin = 0;
    long long c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
    for (unsigned i = 0; i < 20000000u; i++)
        spin += i;
    printf("cputime: %s\n", c0 >= 0 && ns(CLOCK_PROCESS_CPUTIME_ID) > c0 ? "ok" : "FAIL");
    unsigned char r1[32], r2[32], zero[32] = {0};
    int ok = getentropy(r1, sizeof r1) == 0 && getentropy(r2, sizeof r2) == 0;
    printf("random: %s\n",
           ok && memcmp(r1, zero, 32) != 0 && memcmp(r1, r2, 32) != 0 ? "ok" : "FAIL");
    return 0;
}
