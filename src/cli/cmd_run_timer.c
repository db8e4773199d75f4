/* The --timeout watchdog of `wasmc run`: one thread waits on a condition
 * variable (CLOCK_MONOTONIC) until the deadline or until stopped; at the
 * deadline it increments the engine's epoch, which wasm code checks at
 * function entries and loop headers. A guest blocked in a host call never
 * reaches such a check, so a second later the watchdog ends the process. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cmd_run.h"

#define GRACE_NS UINT64_C(1000000000)

struct RunTimer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Engine *engine;
    uint64_t timeout_ns;
    const char *text;
    bool stop;    /* set by cli_run_timer_stop */
    bool expired; /* the epoch was incremented */
};

static struct timespec deadline_after(uint64_t ns) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t total = (uint64_t)ts.tv_nsec + ns % 1000000000u;
    ts.tv_sec += (time_t)(ns / 1000000000u + total / 1000000000u);
    ts.tv_nsec = (long)(total % 1000000000u);
    return ts;
}

/* Wait until stopped or `ns` have passed; true if stopped. Lock held. */
static bool wait_stop(RunTimer *t, uint64_t ns) {
    struct timespec until = deadline_after(ns);
    while (!t->stop)
        if (pthread_cond_timedwait(&t->cond, &t->lock, &until) != 0)
            break;
    return t->stop;
}

static void *watch(void *arg) {
    RunTimer *t = arg;
    pthread_mutex_lock(&t->lock);
    if (!wait_stop(t, t->timeout_ns)) {
        t->expired = true;
        rt_engine_increment_epoch(t->engine);
        if (!wait_stop(t, GRACE_NS)) {
            fprintf(stderr,
                    "wasmc: the program did not stop within 1s of its --timeout %s "
                    "(blocked in a host call); ending it\n",
                    t->text);
            _exit(RUN_EXIT_TRAP);
        }
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

RunTimer *cli_run_timer_start(Engine *engine, uint64_t timeout_ns, const char *text) {
    RunTimer *t = mem_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->engine = engine;
    t->timeout_ns = timeout_ns;
    t->text = text;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) {
        mem_free(t);
        return NULL;
    }
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&t->cond, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (ok && pthread_mutex_init(&t->lock, NULL) != 0) {
        pthread_cond_destroy(&t->cond);
        ok = false;
    }
    if (!ok) {
        mem_free(t);
        return NULL;
    }
    if (pthread_create(&t->thread, NULL, watch, t) != 0) {
        pthread_cond_destroy(&t->cond);
        pthread_mutex_destroy(&t->lock);
        mem_free(t);
        return NULL;
    }
    return t;
}

bool cli_run_timer_stop(RunTimer *t) {
    if (!t)
        return false;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    bool expired = t->expired;
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    mem_free(t);
    return expired;
}
