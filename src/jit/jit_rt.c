/* What compiled code needs at run time: the array-call entry (a C wrapper
 * around one assembly trampoline that copies the arguments into the native
 * convention's slots and saves the callee-saved registers), the per-thread
 * state (stack limit read by every prologue through %fs, captured frames for
 * backtraces), trap stubs' target, host calls, the fault hook and
 * backtraces, and CPU feature detection.
 *
 * Backtraces: native frames live on the C stack, which is gone once a trap
 * has unwound, so frames are captured (return addresses, by walking rbp)
 * before unwinding: by jit_trap for explicit traps, by jit_fault inside the
 * signal handler for guard-page faults (no allocation there: the buffer is
 * made at entry), or walked from the last exit to the host for host traps. */
#include "jit_gc.h"

#include <cpuid.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAPTURE 4096

typedef struct JitCapture {
    const Activation *act;
    uint32_t n;
    uintptr_t pcs[MAX_CAPTURE]; /* return addresses (a faulting pc is stored + 1) */
} JitCapture;

/* Per thread; initial-exec so compiled code reaches stack_limit at a fixed
 * %fs offset and the signal handler touches no lazily allocated TLS. */
typedef struct JitThread {
    uintptr_t stack_limit;
    const Activation *exit_act; /* the last exit from native code to the host */
    uintptr_t exit_fp, exit_pc;
    JitCapture *capture;
} JitThread;

static _Thread_local JitThread jit_thread __attribute__((tls_model("initial-exec")));

int32_t jit_stack_limit_tls_offset(void) {
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return (int32_t)((intptr_t)&jit_thread.stack_limit - (intptr_t)tp);
}

/* ---- CPU ---- */

static JCpu cpu;
static bool cpu_ok;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

/* AVX: the CPU has it (CPUID.1:ECX.AVX) and the OS saves the ymm state
 * (OSXSAVE, and XCR0 bits 1 and 2). */
static bool avx_usable(unsigned ecx) {
    if (!(ecx & (1u << 28)) || !(ecx & (1u << 27)))
        return false;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return (lo & 6) == 6;
}

static void cpu_detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    bool sse41 = c & (1u << 19);
    bool ssse3 = c & (1u << 9), sse42 = c & (1u << 20);
    cpu.simd_ext = sse42 && sse41 && ssse3 ? 3 : sse41 && ssse3 ? 2 : ssse3 ? 1 : 0;
    if (cpu.simd_ext == 3 && avx_usable(c))
        cpu.simd_ext = 4;
    const char *cap = getenv("WASMC_JIT_SSE");
    if (cap && *cap >= '0' && *cap <= '4' && (uint8_t)(*cap - '0') < cpu.simd_ext)
        cpu.simd_ext = (uint8_t)(*cap - '0');
    cpu.popcnt = c & (1u << 23);
    if (__get_cpuid(0x80000001, &a, &b, &c, &d))
        cpu.lzcnt = c & (1u << 5);
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
        cpu.bmi1 = b & (1u << 3);
    cpu_ok = sse41 && cpu.popcnt;
}

const JCpu *jit_cpu(void) {
    pthread_once(&cpu_once, cpu_detect);
    return &cpu;
}

bool jit_available(void) {
    jit_cpu();
    return cpu_ok;
}

/* ---- the entry trampoline ----
 * uint64_t jit_enter(void *code, VMContext *vmctx, uint64_t *slots, uint64_t k):
 * the argument area slots[0..k) (k 8-byte words, laid out as the native
 * convention's area) is copied to [rsp, rsp + 8k), the callee is called with
 * r15 = vmctx, and the k words are copied back (results); returns the
 * callee's rax (a single integer or reference result lives only there). */
uint64_t jit_enter(void *code, VMContext *vmctx, uint64_t *slots, uint64_t k);
__asm__(".text\n"
        ".p2align 4\n"
        ".type jit_enter, @function\n"
        "jit_enter:\n"
        "  push %rbp\n"
        "  mov %rsp, %rbp\n"
        "  push %rbx\n"
        "  push %r12\n"
        "  push %r13\n"
        "  push %r14\n"
        "  push %r15\n"
        "  sub $24, %rsp\n"
        "  mov %rdx, -48(%rbp)\n"
        "  mov %rcx, -56(%rbp)\n"
        "  lea 15(,%rcx,8), %rax\n"
        "  and $-16, %rax\n"
        "  sub %rax, %rsp\n"
        "  xor %eax, %eax\n"
        "1: cmp %rcx, %rax\n"
        "  jae 2f\n"
        "  mov (%rdx,%rax,8), %r8\n"
        "  mov %r8, (%rsp,%rax,8)\n"
        "  inc %rax\n"
        "  jmp 1b\n"
        "2: mov %rsp, -64(%rbp)\n"
        "  mov %rsi, %r15\n"
        "  call *%rdi\n"
        "  mov -48(%rbp), %rdx\n"
        "  mov -56(%rbp), %rcx\n"
        "  mov -64(%rbp), %rsi\n"
        "  xor %r9d, %r9d\n"
        "3: cmp %rcx, %r9\n"
        "  jae 4f\n"
        "  mov (%rsi,%r9,8), %r8\n"
        "  mov %r8, (%rdx,%r9,8)\n"
        "  inc %r9\n"
        "  jmp 3b\n"
        "4: lea -40(%rbp), %rsp\n"
        "  pop %r15\n"
        "  pop %r14\n"
        "  pop %r13\n"
        "  pop %r12\n"
        "  pop %rbx\n"
        "  pop %rbp\n"
        "  ret\n"
        ".size jit_enter, .-jit_enter\n");

/* A thread's capture buffer is freed when the thread exits (the key's
 * destructor); the main thread's lives until the process ends. */
static pthread_key_t capture_key;
static bool capture_key_ok;
static pthread_once_t capture_once = PTHREAD_ONCE_INIT;

static void capture_free(void *capture) {
    jit_thread.capture = NULL;
    mem_free(capture);
}

static void capture_key_init(void) {
    capture_key_ok = pthread_key_create(&capture_key, capture_free) == 0;
}

static JitThread *thread_state(void) {
    JitThread *t = &jit_thread;
    if (t->capture)
        return t;
    pthread_once(&capture_once, capture_key_init);
    if (!capture_key_ok)
        return t; /* no frames in backtraces, still safe */
    t->capture = mem_calloc(1, sizeof *t->capture); /* NULL: no frames, still safe */
    if (t->capture && pthread_setspecific(capture_key, t->capture) != 0) {
        mem_free(t->capture);
        t->capture = NULL;
    }
    return t;
}

static const JFunc *func_of(const FuncRef *callee, const JModule **out_jm) {
    const RtModule *m = callee->vmctx->module;
    const JModule *jm = m->tier_data;
    *out_jm = jm;
    return &jm->funcs[callee->func_index - m->ir->n_func_imports];
}

/* ---- argument areas (the native convention's layout, jit_int.h) ---- */

static uint32_t val_bytes(ValType t) {
    return t.kind == VK_V128 ? 16 : 8;
}

static uint32_t area_bytes(const FuncType *ft) {
    uint32_t p = 0, r = 0;
    for (uint32_t i = 0; i < ft->n_params; i++)
        p += val_bytes(ft->params[i]);
    for (uint32_t j = 0; j < ft->n_results; j++)
        r += val_bytes(ft->results[j]);
    return p > r ? p : r;
}

/* ValRaw values -> an area of k bytes (values from the top down). */
static void area_put(uint8_t *area, uint32_t k, uint32_t n, const ValType *types,
                     const ValRaw *vals) {
    uint32_t at = k;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = val_bytes(types[i]);
        at -= w;
        memcpy(area + at, &vals[i], w);
    }
}

/* The area's values -> ValRaw (scalars zero-extended to 16 bytes). */
static void area_get(const uint8_t *area, uint32_t k, uint32_t n, const ValType *types,
                     ValRaw *vals) {
    uint32_t at = k;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = val_bytes(types[i]);
        at -= w;
        ValRaw v;
        memset(&v, 0, sizeof v);
        memcpy(&v, area + at, w);
        uint8_t kind = types[i].kind;
        if (kind == VK_I32 || kind == VK_F32)
            v.u64[0] = (uint32_t)v.u64[0];
        vals[i] = v;
    }
}

void jit_array_entry(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    const JModule *jm;
    const JFunc *f = func_of(callee, &jm);
    const Module *mod = callee->vmctx->module->ir;
    const FuncType *ft = ir_func_type(mod, f->func_index);
    Activation *act = rt_activation_current();
    if (!act)
        rt_trap_raise(TRAP_HOST); /* reports the misuse and aborts */
    if (rt_c_stack_exhausted(act))
        rt_trap_raise(TRAP_STACK_OVERFLOW);
    uint32_t k = area_bytes(ft);
    uint64_t slots[k ? k / 8 : 1];
    area_put((uint8_t *)slots, k, ft->n_params, ft->params, args);
    JitThread *t = thread_state();
    uintptr_t saved = t->stack_limit, sp = (uintptr_t)__builtin_frame_address(0);
    uint64_t budget = callee->vmctx->module->engine->config.max_wasm_stack;
    uintptr_t limit = act->c_stack_limit;
    if (sp > budget && sp - budget > limit)
        limit = sp - budget;
    t->stack_limit = limit;
    uint64_t rax = jit_enter(jm->code + f->start, callee->vmctx, slots, k / 8);
    t->stack_limit = saved;
    if (jit_rax_result(ft))
        slots[k / 8 - 1] = rax; /* result 0 sits at the area's top */
    area_get((const uint8_t *)slots, k, ft->n_results, ft->results, args);
}

/* ---- frames ---- */

/* Record the frames from (pc, fp) outwards while the return addresses are in
 * registered code. Async-signal-safe. */
static void capture(JitThread *t, const Activation *act, uintptr_t pc, uintptr_t fp) {
    JitCapture *cap = t->capture;
    if (!cap)
        return;
    cap->act = act;
    cap->n = 0;
    cap->pcs[cap->n++] = pc;
    while (fp && cap->n < MAX_CAPTURE) {
        uintptr_t ret = ((const uintptr_t *)fp)[1];
        if (!rt_code_lookup(ret - 1))
            break;
        cap->pcs[cap->n++] = ret;
        fp = ((const uintptr_t *)fp)[0];
    }
}

void jit_capture_frames(uintptr_t pc, uintptr_t fp) {
    capture(&jit_thread, rt_activation_current(), pc, fp);
}

_Noreturn void jit_trap(uint32_t code, uintptr_t fp) {
    capture(&jit_thread, rt_activation_current(), (uintptr_t)__builtin_return_address(0), fp);
    rt_trap_raise((TrapCode)code);
}

_Noreturn void jit_trap_index(uint32_t code, uintptr_t fp, uint64_t index) {
    capture(&jit_thread, rt_activation_current(), (uintptr_t)__builtin_return_address(0), fp);
    rt_trap_raise_index((TrapCode)code, index);
}

void jit_call_array(const FuncRef *ref, VMContext *cx, uint8_t *area, const FuncType *ft,
                    uintptr_t fp) {
    JitThread *t = &jit_thread;
    Activation *act = rt_activation_current();
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    if (rt_c_stack_exhausted(act)) {
        capture(t, act, pc, fp);
        rt_trap_raise(TRAP_STACK_OVERFLOW);
    }
    uint32_t n = ft->n_params > ft->n_results ? ft->n_params : ft->n_results;
    uint32_t k = area_bytes(ft);
    ValRaw vals[n ? n : 1];
    area_get(area, k, ft->n_params, ft->params, vals);
    JitThread saved = *t;
    t->exit_act = act;
    t->exit_fp = fp;
    t->exit_pc = pc;
    JGcExit gc_exit;
    jit_gc_exit_begin(act, &gc_exit, fp, pc);
    ref->array_call(ref, cx, vals, n);
    jit_gc_exit_end(act, &gc_exit);
    t->exit_act = saved.exit_act;
    t->exit_fp = saved.exit_fp;
    t->exit_pc = saved.exit_pc;
    t->stack_limit = saved.stack_limit;
    area_put(area, k, ft->n_results, ft->results, vals);
}

/* ---- pc maps ---- */

const JFunc *jit_find_func(const JModule *jm, uint32_t native) {
    uint32_t lo = 0, hi = jm->n_funcs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (jm->funcs[mid].start <= native)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || native >= jm->funcs[lo - 1].end)
        return NULL;
    return &jm->funcs[lo - 1];
}

uint32_t jit_wasm_offset(const JModule *jm, const JFunc *f, uint32_t native) {
    const JPc *pcs = jm->pcs + f->pc_first;
    uint32_t lo = 0, hi = f->n_pc;
    native -= f->start; /* JPc.native is relative to the function */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pcs[mid].native <= native)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? pcs[lo - 1].wasm : 0;
}

static bool trap_site(const JModule *jm, uint32_t native, uint32_t *out_code) {
    uint32_t lo = 0, hi = jm->n_traps;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (jm->traps[mid].native < native)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == jm->n_traps || jm->traps[lo].native != native)
        return false;
    *out_code = jm->traps[lo].code;
    return true;
}

TrapCode jit_fault(void *data, uintptr_t pc, uintptr_t fp) {
    const JModule *jm = data;
    uint32_t code;
    if (!trap_site(jm, (uint32_t)(pc - (uintptr_t)jm->code), &code))
        return TRAP_NONE;
    capture(&jit_thread, rt_activation_current(), pc + 1, fp);
    return (TrapCode)code;
}

static bool push_frame(Trap *trap, uintptr_t ret) {
    const JModule *jm = rt_code_lookup(ret - 1);
    if (!jm)
        return false;
    uint32_t native = (uint32_t)(ret - 1 - (uintptr_t)jm->code);
    const JFunc *f = jit_find_func(jm, native);
    if (!f)
        return false;
    TrapFrame frame = {f->func_index, f->name, jit_wasm_offset(jm, f, native), NULL};
    return rt_trap_push_frame(trap, &frame);
}

void jit_backtrace(const Activation *act, Trap *trap) {
    JitThread *t = &jit_thread;
    JitCapture *cap = t->capture;
    if (cap && cap->act == act && cap->n) {
        for (uint32_t i = 0; i < cap->n; i++)
            if (!push_frame(trap, cap->pcs[i]))
                break;
        cap->n = 0;
        cap->act = NULL;
        return;
    }
    if (t->exit_act != act || !t->exit_fp)
        return;
    uintptr_t pc = t->exit_pc, fp = t->exit_fp;
    for (uint32_t n = 0; n < MAX_CAPTURE && push_frame(trap, pc); n++) {
        pc = ((const uintptr_t *)fp)[1];
        fp = ((const uintptr_t *)fp)[0];
    }
}
