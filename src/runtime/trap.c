/* Trap objects (code, optional host message, wasm backtrace) and raising them:
 * capture the backtrace while the tier's frames are intact, then siglongjmp to
 * the innermost activation's landing point in rt_call. A trap never fails to
 * exist: when allocation fails, a static per-code trap (no frames) stands in. */
#include "activation_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const trap_messages[TRAP_COUNT] = {
    [TRAP_NONE] = "no trap",
#define TRAP(name, text) [TRAP_##name] = text,
#include "traps.def"
#undef TRAP
};

/* Stand-ins when a Trap cannot be allocated; immutable, never freed. */
static Trap static_traps[TRAP_COUNT] = {
#define TRAP(name, text) [TRAP_##name] = {.code = TRAP_##name},
#include "traps.def"
#undef TRAP
};

static bool is_static(const Trap *trap) {
    return trap >= static_traps && trap < static_traps + TRAP_COUNT;
}

const char *rt_trap_message(TrapCode code) {
    return (unsigned)code < TRAP_COUNT ? trap_messages[code] : "unknown trap";
}

Trap *rt_trap_new(TrapCode code, const char *message) {
    Trap *trap = mem_calloc(1, sizeof *trap);
    if (!trap)
        return NULL;
    trap->code = code;
    if (message) {
        trap->message = mem_strndup(message, strlen(message));
        if (!trap->message) {
            mem_free(trap);
            return NULL;
        }
    }
    return trap;
}

void rt_trap_delete(Trap *trap) {
    if (!trap || is_static(trap))
        return;
    mem_free(trap->message);
    mem_free(trap->frames);
    mem_free(trap);
}

const char *rt_trap_text(const Trap *trap) {
    return trap->message ? trap->message : rt_trap_message(trap->code);
}

bool rt_trap_push_frame(Trap *trap, const TrapFrame *frame) {
    if (is_static(trap))
        return false;
    /* Capacity: 4, then the next power of two; grow when n reaches it. */
    uint32_t n = trap->n_frames;
    if (n == UINT32_MAX)
        return false;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n ? (size_t)n * 2 : 4;
        TrapFrame *frames = mem_realloc(trap->frames, cap * sizeof *frames);
        if (!frames)
            return false;
        trap->frames = frames;
    }
    trap->frames[n] = *frame;
    trap->n_frames = n + 1;
    return true;
}

Trap *rt_trap_make(TrapCode code, const char *message) {
    Trap *trap = rt_trap_new(code, message);
    if (trap)
        return trap;
    return &static_traps[(unsigned)code < TRAP_COUNT ? code : TRAP_HOST];
}

Trap *rt_trap_landed(Activation *act) {
    Trap *trap = act->trap;
    if (trap)
        return trap;
    trap = rt_trap_make(act->trap_code, NULL);
    if (act->tier && act->tier->backtrace)
        act->tier->backtrace(act, trap);
    return trap;
}

static _Noreturn void no_activation(const char *what) {
    fprintf(stderr, "wasmc: %s called outside any wasm activation\n", what);
    abort();
}

static _Noreturn void unwind(Activation *act, Trap *trap) {
    if (act->tier && act->tier->backtrace)
        act->tier->backtrace(act, trap);
    act->trap_code = trap->code;
    act->trap = trap;
    siglongjmp(act->resume, RT_LAND_TRAP);
}

_Noreturn void rt_trap_raise(TrapCode code) {
    Activation *act = rt_activation_current();
    if (!act)
        no_activation("rt_trap_raise");
    unwind(act, rt_trap_make(code, NULL));
}

_Noreturn void rt_trap_raise_index(TrapCode code, uint64_t index) {
    Activation *act = rt_activation_current();
    if (!act)
        no_activation("rt_trap_raise_index");
    char message[96];
    snprintf(message, sizeof message, "%s %llu", rt_trap_message(code),
             (unsigned long long)index);
    unwind(act, rt_trap_make(code, message));
}

_Noreturn void rt_trap_raise_host(Trap *trap) {
    Activation *act = rt_activation_current();
    if (!act)
        no_activation("rt_trap_raise_host");
    unwind(act, trap ? trap : rt_trap_make(TRAP_HOST, NULL));
}
