/* Canonical ABI plumbing: trap texts for every ABI fault (two wordings: the
 * host path's and the component-to-component adapter path's, as the
 * wasmtime test suite expects them), memory range checks, calls into core
 * functions (cabi_call_core: realloc, callees, post-return, destructors) and
 * NaN canonicalization. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cabi.h"

/* [fault] = {host text, adapter text} */
static const char *const fault_texts[][2] = {
    [CF_LIST_ALIGN] = {"list pointer is not aligned", "unaligned pointer"},
    [CF_LIST_BOUNDS] = {"list pointer/length out of bounds of memory",
                        "list content out-of-bounds"},
    [CF_STRING_ALIGN] = {"string pointer not aligned to 2", "unaligned pointer"},
    [CF_STRING_BOUNDS] = {"string pointer/length out of bounds of memory",
                          "string content out-of-bounds"},
    [CF_PTR_ALIGN] = {"pointer not aligned", "unaligned pointer"},
    [CF_PTR_BOUNDS] = {"pointer out of bounds of memory", "out of bounds memory access"},
    [CF_REALLOC_ALIGN] = {"realloc return: result not aligned", "unaligned pointer"},
    [CF_REALLOC_BOUNDS] = {"realloc return: beyond end of memory", "out of bounds memory access"},
    [CF_REALLOC_LIST_BOUNDS] = {"realloc return: beyond end of memory",
                                "list content out-of-bounds"},
    [CF_REALLOC_STRING_BOUNDS] = {"realloc return: beyond end of memory",
                                  "string content out-of-bounds"},
    [CF_CHAR] = {"invalid `char` bit pattern", "invalid `char` bit pattern"},
    [CF_UTF16] = {"invalid utf-16: lone surrogate found", "invalid utf-16: lone surrogate found"},
    [CF_STRING_TOO_LONG] = {"string content out-of-bounds", "string content out-of-bounds"},
    [CF_LIST_TOO_LONG] = {"list content out-of-bounds", "list content out-of-bounds"},
    [CF_NO_REALLOC] = {"canonical option `realloc` is required",
                       "canonical option `realloc` is required"},
    [CF_NO_MEMORY] = {"canonical option `memory` is required",
                      "canonical option `memory` is required"},
    [CF_CANNOT_LEAVE] = {"cannot leave component instance", "cannot leave component instance"},
    [CF_CANNOT_ENTER] = {"cannot enter component instance", "cannot enter component instance"},
    [CF_BORROWS_REMAIN] = {"borrow handles still remain at the end of the call",
                           "borrow handles still remain at the end of the call"},
    [CF_HANDLE_TABLE_FULL] = {"handle table full", "handle table full"},
    [CF_UNSUPPORTED] = {"unsupported component-model feature",
                        "unsupported component-model feature"},
};

static Err set_trap(CabiCx *cx, const char *text) {
    if (cx->trap)
        rt_trap_delete(cx->trap);
    cx->trap = rt_trap_new(TRAP_HOST, text);
    return cx->trap ? ERR_TRAP : FAIL_NOMEM(cx->diag);
}

Err cabi_fault(CabiCx *cx, CabiFault fault) {
    return set_trap(cx, fault_texts[fault][cx->adapter ? 1 : 0]);
}

Err cabi_trapf(CabiCx *cx, const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return set_trap(cx, buf);
}

Err cabi_check_range(CabiCx *cx, uint64_t ptr, uint64_t size, uint32_t align,
                     CabiFault align_fault, CabiFault bounds_fault) {
    if (!cx->opts->memory)
        return cabi_fault(cx, CF_NO_MEMORY);
    if (align > 1 && ptr % align != 0)
        return cabi_fault(cx, align_fault);
    if (ptr + size < ptr || ptr + size > cx->opts->memory->length)
        return cabi_fault(cx, bounds_fault);
    return OK;
}

Err cabi_call_core(CabiCx *cx, const FuncRef *fn, ValRaw *args, uint32_t count) {
    Trap *trap = NULL;
    if (rt_call(cx->store, fn, args, count ? count : 1, &trap) == OK)
        return OK;
    if (trap && trap->code == TRAP_UNCAUGHT_EXCEPTION) {
        /* spec: call_and_trap_on_throw (the exception object is store-owned) */
        static const char text[] = "uncaught exception propagated out of component";
        char *msg = mem_strndup(text, sizeof text - 1);
        if (msg) {
            mem_free(trap->message);
            trap->message = msg;
        }
        trap->exn = NULL;
    }
    if (cx->trap)
        rt_trap_delete(cx->trap);
    cx->trap = trap;
    return ERR_TRAP;
}

Err cabi_realloc(CabiCx *cx, uint32_t old, uint32_t old_size, uint32_t align, uint32_t new_size,
                 uint32_t *out) {
    if (!cx->opts->realloc)
        return cabi_fault(cx, CF_NO_REALLOC);
    ValRaw args[4];
    memset(args, 0, sizeof args);
    args[0].i32 = (int32_t)old;
    args[1].i32 = (int32_t)old_size;
    args[2].i32 = (int32_t)align;
    args[3].i32 = (int32_t)new_size;
    TRY(cabi_call_core(cx, cx->opts->realloc, args, 4));
    *out = (uint32_t)args[0].i32;
    return OK;
}

Err cabi_alloc(CabiCx *cx, uint32_t align, uint64_t size, CabiFault bounds_fault, uint32_t *out) {
    if (size > UINT32_MAX)
        return cabi_fault(cx, bounds_fault);
    uint32_t ptr;
    TRY(cabi_realloc(cx, 0, 0, align, (uint32_t)size, &ptr));
    TRY(cabi_check_range(cx, ptr, size, align, CF_REALLOC_ALIGN, bounds_fault));
    *out = ptr;
    return OK;
}

float cabi_canon_f32(float f) {
    if (isnan(f)) {
        uint32_t bits = CABI_NAN32;
        memcpy(&f, &bits, 4);
    }
    return f;
}

double cabi_canon_f64(double f) {
    if (isnan(f)) {
        uint64_t bits = CABI_NAN64;
        memcpy(&f, &bits, 8);
    }
    return f;
}
