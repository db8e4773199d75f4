/* The dispatch loop (direct threading with computed goto) and the array-call
 * entry. Wasm->wasm calls never recurse on the C stack: frames live on this
 * thread's interpreter stack, slots growing up from its base and IFrame records
 * growing down from its end; a call that would make them meet traps with
 * TRAP_STACK_OVERFLOW. The innermost record is always E->top (E = the current
 * entry), and a record's ip is stored before anything that can trap (for a
 * guarded memory access, whose fault is a signal, in E->fault_ip: one store
 * to a register-held pointer), so the backtrace is exact even after a
 * guard-page fault. Memory 0's base is cached in a local only for guarded
 * memories, whose base never moves. Results are written to whole 8-byte
 * slots (PUT), so the 8-byte moves that often read them next are forwarded
 * from the store. */
#include <pthread.h>
#include <stddef.h>

#include "interp_int.h"
#include "../runtime/numeric.h"
#include "../runtime/simd.h"

static const void *const *labels_table;
static pthread_once_t labels_once = PTHREAD_ONCE_INIT;
static ICall exit_instr; /* the sentinel's ip: EXIT, skip 0 */

static void run(IEntry *E, const uint8_t *ip, uint8_t *fp, IFrame *rec, VMContext *cx);

static void init_labels(void) {
    run(NULL, NULL, NULL, NULL, NULL);
    exit_instr.h = labels_table[IOP_EXIT];
}

const void *const *interp_labels(void) {
    pthread_once(&labels_once, init_labels);
    return labels_table;
}

static inline uint8_t *mem0_base(VMContext *cx) {
    const RtModule *m = cx->module;
    if (!m->ir->n_memories || !rt_memory_guarded(&m->engine->config, &m->ir->memories[0].type))
        return NULL;
    return VMCTX_AT(cx, m->offsets.memories, RtMemory **)[0]->base;
}

/* The address of [a + offset, a + offset + size) in m, or NULL when out of
 * bounds. */
static inline uint8_t *mem_checked(const RtMemory *m, uint64_t a, uint64_t offset, uint64_t size) {
    uint64_t ea;
    if (__builtin_add_overflow(a, offset, &ea) || m->length < size || ea > m->length - size)
        return NULL;
    return m->base + ea;
}

static inline void zero_slots(uint8_t *p, uint32_t bytes) {
    for (uint32_t i = 0; i < bytes; i += 8)
        *(uint64_t *)(p + i) = 0;
}

static inline RtTable *table_at(VMContext *cx, uint32_t index) {
    return vmctx_tables(cx)[index];
}

static inline uint64_t table_index(const RtTable *t, uint64_t raw) {
    return t->is64 ? raw : (uint32_t)raw;
}

#define S(T, off) (*(T *)(fp + (off)))
#define IN(shape) ((const shape *)ip)
/* Write a result of type T to the slot at off: a 4-byte value as 8 bytes,
 * zero-extended, so that an 8-byte read of the slot right after (MOV, RET1,
 * SELECT, argument moves) is forwarded from this store instead of waiting
 * for it to reach the cache (a wider load than the store cannot forward). */
#define PUT(T, off, v)                                                                             \
    do {                                                                                           \
        T put_ = (T)(v);                                                                           \
        if (sizeof put_ == 4) {                                                                    \
            uint32_t u_;                                                                           \
            memcpy(&u_, &put_, 4);                                                                 \
            S(uint64_t, off) = u_;                                                                 \
        } else {                                                                                   \
            memcpy(fp + (off), &put_, sizeof put_);                                                \
        }                                                                                          \
    } while (0)
#ifdef WASMC_INTERP_PROFILE /* tuning builds: count handlers (interp_dump.c) */
#define NEXT()                                                                                     \
    do {                                                                                           \
        interp_prof_hit(prof_prev, IN(IHdr)->h, rec ? rec->func : NULL, ip);                       \
        prof_prev = IN(IHdr)->h;                                                                   \
        goto *IN(IHdr)->h;                                                                         \
    } while (0)
#else
#define NEXT() goto *IN(IHdr)->h
#endif
#define TRAP(code)                                                                                 \
    do {                                                                                           \
        trap_code = (code);                                                                        \
        goto trap;                                                                                 \
    } while (0)
/* A trap whose message names the element at fault ("uninitialized element 2"). */
#define TRAP_INDEX(code, index)                                                                    \
    do {                                                                                           \
        trap_index = (index);                                                                      \
        TRAP(code);                                                                                \
    } while (0)
#define TRAP_IF(expr)                                                                              \
    do {                                                                                           \
        TrapCode c_ = (expr);                                                                      \
        if (c_)                                                                                    \
            TRAP(c_);                                                                              \
    } while (0)
#define JUMP(shape, field) ip = ip + offsetof(shape, field) + IN(shape)->field
#define IMM(T)                                                                                     \
    ({                                                                                             \
        T v_;                                                                                      \
        memcpy(&v_, ip + 16, sizeof v_);                                                           \
        v_;                                                                                        \
    })

static void run(IEntry *E, const uint8_t *ip, uint8_t *fp, IFrame *rec, VMContext *cx) {
    static const void *const table[IOP_COUNT] = {
#define BINOP(name, type, result, expr)                                                            \
    [OP_##name] = &&op_##name, [IOP_##name##_I] = &&op_##name##_I,                                 \
    [IOP_##name##_M] = &&op_##name##_M,
#define CMP(name, type, expr)                                                                      \
    [OP_##name] = &&op_##name, [IOP_##name##_I] = &&op_##name##_I,                                 \
    [IOP_##name##_M] = &&op_##name##_M, [IOP_##name##_B] = &&op_##name##_B,                        \
    [IOP_##name##_BI] = &&op_##name##_BI,
#define UNOP(name, type, result, expr) [OP_##name] = &&op_##name,
#define LOAD(name, result, memtype)                                                                \
    [OP_##name] = &&op_##name, [IOP_##name##_C] = &&op_##name##_C,                                 \
    [IOP_##name##_A] = &&op_##name##_A, [IOP_##name##_AI] = &&op_##name##_AI,                      \
    [IOP_##name##_N] = &&op_##name##_N, [IOP_##name##_Z] = &&op_##name##_Z,                        \
    [IOP_##name##_X] = &&op_##name##_X,
#define STORE(name, type, memtype)                                                                 \
    [OP_##name] = &&op_##name, [IOP_##name##_C] = &&op_##name##_C,                                 \
    [IOP_##name##_A] = &&op_##name##_A, [IOP_##name##_AI] = &&op_##name##_AI,                      \
    [IOP_##name##_K] = &&op_##name##_K, [IOP_##name##_Z] = &&op_##name##_Z,
#define INCBR(name, type, expr)                                                                    \
    [IOP_##name##_IB] = &&op_##name##_IB, [IOP_##name##_IBI] = &&op_##name##_IBI,                  \
    [IOP_##name##_I2BI] = &&op_##name##_I2BI,
#define RMW(name, type, expr) [IOP_##name##_MS] = &&op_##name##_MS,
#define CHAIN(n1, e1, n2, e2) [IOP_CHAIN_##n1##_##n2] = &&op_CHAIN_##n1##_##n2,
#define CHAINI(n1, e1, n2, e2) [IOP_CHAINI_##n1##_##n2] = &&op_CHAINI_##n1##_##n2,
#define IOP(name) [IOP_##name] = &&op_##name,
#define GCOP(name) [IOP_##name] = &&op_##name,
#include "iops.def"
#undef BINOP
#undef CMP
#undef UNOP
#undef LOAD
#undef STORE
#undef INCBR
#undef RMW
#undef CHAIN
#undef CHAINI
#undef IOP
#define VBIN(name, expr) [OP_##name] = &&op_##name,
#define VUN(name, expr) [OP_##name] = &&op_##name,
#define VTERN(name, expr) [OP_##name] = &&op_##name,
#define VSHIFT(name, expr) [OP_##name] = &&op_##name, [IOP_##name##_I] = &&op_##name##_I,
#define VTEST(name, expr) [OP_##name] = &&op_##name,
#define VSPLAT(name, T, expr) [OP_##name] = &&op_##name,
#define VEXTRACT(name, T, R) [OP_##name] = &&op_##name,
#define VREPLACE(name, T) [OP_##name] = &&op_##name,
#define VLOAD(name, M, expr)                                                                       \
    [OP_##name] = &&op_##name, [IOP_##name##_C] = &&op_##name##_C,                                 \
    [IOP_##name##_A] = &&op_##name##_A, [IOP_##name##_AI] = &&op_##name##_AI,
#define VSTORE(name)                                                                               \
    [OP_##name] = &&op_##name, [IOP_##name##_C] = &&op_##name##_C,                                 \
    [IOP_##name##_A] = &&op_##name##_A, [IOP_##name##_AI] = &&op_##name##_AI,
#define VLANE(name, M, store) [OP_##name] = &&op_##name,
#include "../runtime/simd.def"
        [OP_I8X16_SHUFFLE] = &&op_I8X16_SHUFFLE,
    };
    if (!E) {
        labels_table = table;
        return;
    }
    TrapCode trap_code;
    uint64_t trap_index = UINT64_MAX; /* UINT64_MAX: the message names no element */
    uint8_t *mem0 = mem0_base(cx);
    const IFunc *callee;
    const FuncRef *ref;
    uint8_t *new_fp;
    VMContext *new_cx;
    ExnObj *exn;
#ifdef WASMC_INTERP_PROFILE
    const void *prof_prev = NULL;
#endif
    NEXT();

    /* ---- numeric ---- */
#define BINOP(name, type, result, expr)                                                            \
    op_##name : {                                                                                  \
        type a = S(type, IN(IBin)->a), b = S(type, IN(IBin)->b);                                   \
        PUT(result, IN(IBin)->dst, expr);                                                          \
        ip += sizeof(IBin);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_I : {                                                                              \
        type a = S(type, IN(IBin)->a), b = IMM(type);                                              \
        PUT(result, IN(IBin)->dst, expr);                                                          \
        ip += sizeof(IBin);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_M : {                                                                              \
        const IBinM *in = IN(IBinM);                                                               \
        E->fault_ip = ip;                                                                          \
        type a = S(type, in->a), b;                                                                \
        uint32_t ea = S(uint32_t, in->y) + in->imm;                                                \
        memcpy(&b, mem0 + (uint64_t)ea + in->offset, sizeof b);                                    \
        PUT(result, in->dst, expr);                                                                \
        ip += sizeof(IBinM);                                                                       \
        NEXT();                                                                                    \
    }
#define CMP(name, type, expr)                                                                      \
    BINOP(name, type, uint32_t, expr)                                                              \
    op_##name##_B : {                                                                              \
        type a = S(type, IN(ICmpBr)->a), b = S(type, IN(ICmpBr)->b);                               \
        if (expr)                                                                                  \
            JUMP(ICmpBr, disp);                                                                    \
        else                                                                                       \
            ip += sizeof(ICmpBr);                                                                  \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_BI : {                                                                             \
        type a = S(type, IN(ICmpBrI32)->a), b;                                                     \
        memcpy(&b, ip + (sizeof(type) == 4 ? 12 : 16), sizeof b);                                  \
        const uint8_t *dp = ip + (sizeof(type) == 4 ? 16 : 12);                                    \
        if (expr)                                                                                  \
            ip = dp + *(const int32_t *)dp;                                                        \
        else                                                                                       \
            ip += sizeof(ICmpBrI32);                                                               \
        NEXT();                                                                                    \
    }
#define UNOP(name, type, result, expr)                                                             \
    op_##name : {                                                                                  \
        type a = S(type, IN(IUn)->a);                                                              \
        PUT(result, IN(IUn)->dst, expr);                                                           \
        ip += sizeof(IUn);                                                                         \
        NEXT();                                                                                    \
    }
#define LOAD(name, result, memtype)                                                                \
    op_##name : {                                                                                  \
        E->fault_ip = ip;                                                                          \
        memtype v;                                                                                 \
        memcpy(&v, mem0 + (uint64_t)S(uint32_t, IN(IMem)->y) + IN(IMem)->offset, sizeof v);        \
        PUT(result, IN(IMem)->x, v);                                                               \
        ip += sizeof(IMem);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_A : {                                                                              \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        memtype v;                                                                                 \
        uint32_t a = S(uint32_t, in->y) + S(uint32_t, in->z);                                      \
        memcpy(&v, mem0 + (uint64_t)a + in->offset, sizeof v);                                     \
        PUT(result, in->x, v);                                                                     \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_AI : {                                                                             \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        memtype v;                                                                                 \
        uint32_t a = S(uint32_t, in->y) + in->z;                                                   \
        memcpy(&v, mem0 + (uint64_t)a + in->offset, sizeof v);                                     \
        PUT(result, in->x, v);                                                                     \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_Z : {                                                                              \
        E->fault_ip = ip;                                                                          \
        memtype v;                                                                                 \
        memcpy(&v, mem0 + IN(IMem)->offset, sizeof v);                                             \
        PUT(result, IN(IMem)->x, v);                                                               \
        ip += sizeof(IMem);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_X : {                                                                              \
        const IMemX *in = IN(IMemX);                                                               \
        E->fault_ip = ip;                                                                          \
        memtype v;                                                                                 \
        uint32_t a = (S(uint32_t, in->z) << (in->shift & 31)) + S(uint32_t, in->y);                \
        memcpy(&v, mem0 + (uint64_t)a + in->offset, sizeof v);                                     \
        PUT(result, in->x, v);                                                                     \
        ip += sizeof(IMemX);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_N : {                                                                              \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        memtype v;                                                                                 \
        uint32_t a = S(uint32_t, in->y) + in->z;                                                   \
        PUT(uint32_t, in->y, a);                                                                   \
        memcpy(&v, mem0 + (uint64_t)a + in->offset, sizeof v);                                     \
        PUT(result, in->x, v);                                                                     \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_C : {                                                                              \
        const IMemC *in = IN(IMemC);                                                               \
        const RtMemory *m = *(RtMemory **)((uint8_t *)cx + in->mem);                               \
        uint64_t a = in->is64 ? S(uint64_t, in->y) : S(uint32_t, in->y);                           \
        uint8_t *p = mem_checked(m, a, in->offset, sizeof(memtype));                               \
        if (!p)                                                                                    \
            TRAP(TRAP_MEM_OOB);                                                                    \
        memtype v;                                                                                 \
        memcpy(&v, p, sizeof v);                                                                   \
        PUT(result, in->x, v);                                                                     \
        ip += sizeof(IMemC);                                                                       \
        NEXT();                                                                                    \
    }
#define STORE(name, type, memtype)                                                                 \
    op_##name : {                                                                                  \
        E->fault_ip = ip;                                                                          \
        memtype v = (memtype)S(type, IN(IMem)->y);                                                 \
        memcpy(mem0 + (uint64_t)S(uint32_t, IN(IMem)->x) + IN(IMem)->offset, &v, sizeof v);        \
        ip += sizeof(IMem);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_A : {                                                                              \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        memtype v = (memtype)S(type, in->x);                                                       \
        uint32_t a = S(uint32_t, in->y) + S(uint32_t, in->z);                                      \
        memcpy(mem0 + (uint64_t)a + in->offset, &v, sizeof v);                                     \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_AI : {                                                                             \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        memtype v = (memtype)S(type, in->x);                                                       \
        uint32_t a = S(uint32_t, in->y) + in->z;                                                   \
        memcpy(mem0 + (uint64_t)a + in->offset, &v, sizeof v);                                     \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_Z : {                                                                              \
        E->fault_ip = ip;                                                                          \
        memtype v = (memtype)S(type, IN(IMem)->y);                                                 \
        memcpy(mem0 + IN(IMem)->offset, &v, sizeof v);                                             \
        ip += sizeof(IMem);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_K : {                                                                              \
        const IStoreK *in = IN(IStoreK);                                                           \
        E->fault_ip = ip;                                                                          \
        memtype v = (memtype)in->value;                                                            \
        uint32_t a = S(uint32_t, in->y) + in->imm;                                                 \
        memcpy(mem0 + (uint64_t)a + in->offset, &v, sizeof v);                                     \
        ip += sizeof(IStoreK);                                                                     \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_C : {                                                                              \
        const IMemC *in = IN(IMemC);                                                               \
        const RtMemory *m = *(RtMemory **)((uint8_t *)cx + in->mem);                               \
        uint64_t a = in->is64 ? S(uint64_t, in->x) : S(uint32_t, in->x);                           \
        uint8_t *p = mem_checked(m, a, in->offset, sizeof(memtype));                               \
        if (!p)                                                                                    \
            TRAP(TRAP_MEM_OOB);                                                                    \
        memtype v = (memtype)S(type, in->y);                                                       \
        memcpy(p, &v, sizeof v);                                                                   \
        ip += sizeof(IMemC);                                                                       \
        NEXT();                                                                                    \
    }
#define INCBR(name, type, expr)                                                                    \
    op_##name##_IB : {                                                                             \
        const IIncBr *in = IN(IIncBr);                                                             \
        uint32_t x_ = S(uint32_t, in->x) + (uint32_t)in->add;                                      \
        PUT(uint32_t, in->x, x_);                                                                  \
        type a = (type)x_, b = S(type, in->b);                                                     \
        if (expr)                                                                                  \
            JUMP(IIncBr, disp);                                                                    \
        else                                                                                       \
            ip += sizeof(IIncBr);                                                                  \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_IBI : {                                                                            \
        const IIncBr *in = IN(IIncBr);                                                             \
        uint32_t x_ = S(uint32_t, in->x) + (uint32_t)in->add;                                      \
        PUT(uint32_t, in->x, x_);                                                                  \
        type a = (type)x_, b = (type)in->b;                                                        \
        if (expr)                                                                                  \
            JUMP(IIncBr, disp);                                                                    \
        else                                                                                       \
            ip += sizeof(IIncBr);                                                                  \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_I2BI : {                                                                           \
        const IInc2Br *in = IN(IInc2Br);                                                           \
        PUT(uint32_t, in->x1, S(uint32_t, in->x1) + in->k1);                                       \
        PUT(uint32_t, in->x2, S(uint32_t, in->x2) + in->k2);                                       \
        type a = S(type, in->a), b = (type)in->imm;                                                \
        if (expr)                                                                                  \
            JUMP(IInc2Br, disp);                                                                   \
        else                                                                                       \
            ip += sizeof(IInc2Br);                                                                 \
        NEXT();                                                                                    \
    }
#define RMW(name, type, expr)                                                                      \
    op_##name##_MS : {                                                                             \
        const IBinM *in = IN(IBinM);                                                               \
        E->fault_ip = ip;                                                                          \
        uint32_t ea = S(uint32_t, in->y) + in->imm;                                                \
        uint8_t *p_ = mem0 + (uint64_t)ea + in->offset;                                            \
        type a = S(type, in->a), b;                                                                \
        memcpy(&b, p_, sizeof b);                                                                  \
        type r_ = expr;                                                                            \
        memcpy(p_, &r_, sizeof r_);                                                                \
        ip += sizeof(IBinM);                                                                       \
        NEXT();                                                                                    \
    }
#define CHAIN(n1, e1, n2, e2)                                                                      \
    op_CHAIN_##n1##_##n2 : {                                                                       \
        const IChain *in = IN(IChain);                                                             \
        uint32_t a = S(uint32_t, in->a), k = in->k, b = S(uint32_t, in->b);                        \
        uint32_t t = e1;                                                                           \
        PUT(uint32_t, in->dst, e2);                                                                \
        ip += sizeof(IChain);                                                                      \
        NEXT();                                                                                    \
    }
#define CHAINI(n1, e1, n2, e2)                                                                     \
    op_CHAINI_##n1##_##n2 : {                                                                      \
        const IChain *in = IN(IChain);                                                             \
        uint32_t a = S(uint32_t, in->a), k = in->k, b = in->b;                                     \
        uint32_t t = e1;                                                                           \
        PUT(uint32_t, in->dst, e2);                                                                \
        ip += sizeof(IChain);                                                                      \
        NEXT();                                                                                    \
    }
#include "iops.def"
#undef BINOP
#undef CMP
#undef UNOP
#undef LOAD
#undef STORE
#undef INCBR
#undef RMW
#undef CHAIN
#undef CHAINI

    /* ---- SIMD (simd.def) ---- */
#define VLD(off) rt_simd_load(fp + (off))
#define VST(off, v) rt_simd_store(fp + (off), (V128)(v))
#define VBIN(name, expr)                                                                           \
    op_##name : {                                                                                  \
        V128 a = VLD(IN(IBin)->a), b = VLD(IN(IBin)->b);                                           \
        VST(IN(IBin)->dst, expr);                                                                  \
        ip += sizeof(IBin);                                                                        \
        NEXT();                                                                                    \
    }
#define VUN(name, expr)                                                                            \
    op_##name : {                                                                                  \
        V128 a = VLD(IN(IUn)->a);                                                                  \
        VST(IN(IUn)->dst, expr);                                                                   \
        ip += sizeof(IUn);                                                                         \
        NEXT();                                                                                    \
    }
#define VTERN(name, expr)                                                                          \
    op_##name : {                                                                                  \
        const ISelect *in = IN(ISelect);                                                           \
        V128 a = VLD(in->a), b = VLD(in->b), c = VLD(in->cond);                                    \
        VST(in->dst, expr);                                                                        \
        ip += sizeof(ISelect);                                                                     \
        NEXT();                                                                                    \
    }
#define VSHIFT(name, expr)                                                                         \
    op_##name : {                                                                                  \
        V128 a = VLD(IN(IBin)->a);                                                                 \
        uint32_t n = S(uint32_t, IN(IBin)->b);                                                     \
        VST(IN(IBin)->dst, expr);                                                                  \
        ip += sizeof(IBin);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_I : {                                                                              \
        V128 a = VLD(IN(IBinI32)->a);                                                              \
        uint32_t n = IN(IBinI32)->imm;                                                             \
        VST(IN(IBinI32)->dst, expr);                                                               \
        ip += sizeof(IBinI32);                                                                     \
        NEXT();                                                                                    \
    }
#define VTEST(name, expr)                                                                          \
    op_##name : {                                                                                  \
        V128 a = VLD(IN(IUn)->a);                                                                  \
        PUT(uint32_t, IN(IUn)->dst, expr);                                                         \
        ip += sizeof(IUn);                                                                         \
        NEXT();                                                                                    \
    }
#define VSPLAT(name, T, expr)                                                                      \
    op_##name : {                                                                                  \
        T x = S(T, IN(IUn)->a);                                                                    \
        VST(IN(IUn)->dst, expr);                                                                   \
        ip += sizeof(IUn);                                                                         \
        NEXT();                                                                                    \
    }
#define VEXTRACT(name, T, R)                                                                       \
    op_##name : {                                                                                  \
        T x;                                                                                       \
        memcpy(&x, fp + IN(IUn)->a, sizeof x);                                                     \
        PUT(R, IN(IUn)->dst, x);                                                                   \
        ip += sizeof(IUn);                                                                         \
        NEXT();                                                                                    \
    }
#define VREPLACE(name, T)                                                                          \
    op_##name : {                                                                                  \
        const IBin *in = IN(IBin);                                                                 \
        V128 v = VLD(in->a);                                                                       \
        T x = S(T, in->b);                                                                         \
        memcpy((uint8_t *)&v + in->pad, &x, sizeof x);                                             \
        VST(in->dst, v);                                                                           \
        ip += sizeof(IBin);                                                                        \
        NEXT();                                                                                    \
    }
#define VLOAD(name, M, expr)                                                                       \
    op_##name : {                                                                                  \
        E->fault_ip = ip;                                                                          \
        M v;                                                                                       \
        memcpy(&v, mem0 + (uint64_t)S(uint32_t, IN(IMem)->y) + IN(IMem)->offset, sizeof v);        \
        VST(IN(IMem)->x, expr);                                                                    \
        ip += sizeof(IMem);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_A : {                                                                              \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        M v;                                                                                       \
        uint32_t a_ = S(uint32_t, in->y) + S(uint32_t, in->z);                                     \
        memcpy(&v, mem0 + (uint64_t)a_ + in->offset, sizeof v);                                    \
        VST(in->x, expr);                                                                          \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_AI : {                                                                             \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        M v;                                                                                       \
        uint32_t a_ = S(uint32_t, in->y) + in->z;                                                  \
        memcpy(&v, mem0 + (uint64_t)a_ + in->offset, sizeof v);                                    \
        VST(in->x, expr);                                                                          \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_C : {                                                                              \
        const IMemC *in = IN(IMemC);                                                               \
        const RtMemory *m = *(RtMemory **)((uint8_t *)cx + in->mem);                               \
        uint64_t a_ = in->is64 ? S(uint64_t, in->y) : S(uint32_t, in->y);                          \
        uint8_t *p = mem_checked(m, a_, in->offset, sizeof(M));                                    \
        if (!p)                                                                                    \
            TRAP(TRAP_MEM_OOB);                                                                    \
        M v;                                                                                       \
        memcpy(&v, p, sizeof v);                                                                   \
        VST(in->x, expr);                                                                          \
        ip += sizeof(IMemC);                                                                       \
        NEXT();                                                                                    \
    }
#define VSTORE(name)                                                                               \
    op_##name : {                                                                                  \
        E->fault_ip = ip;                                                                          \
        rt_simd_store(mem0 + (uint64_t)S(uint32_t, IN(IMem)->x) + IN(IMem)->offset,                \
                      VLD(IN(IMem)->y));                                                           \
        ip += sizeof(IMem);                                                                        \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_A : {                                                                              \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        uint32_t a_ = S(uint32_t, in->y) + S(uint32_t, in->z);                                     \
        rt_simd_store(mem0 + (uint64_t)a_ + in->offset, VLD(in->x));                               \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_AI : {                                                                             \
        const IMemA *in = IN(IMemA);                                                               \
        E->fault_ip = ip;                                                                          \
        uint32_t a_ = S(uint32_t, in->y) + in->z;                                                  \
        rt_simd_store(mem0 + (uint64_t)a_ + in->offset, VLD(in->x));                               \
        ip += sizeof(IMemA);                                                                       \
        NEXT();                                                                                    \
    }                                                                                              \
    op_##name##_C : {                                                                              \
        const IMemC *in = IN(IMemC);                                                               \
        const RtMemory *m = *(RtMemory **)((uint8_t *)cx + in->mem);                               \
        uint64_t a_ = in->is64 ? S(uint64_t, in->x) : S(uint32_t, in->x);                          \
        uint8_t *p = mem_checked(m, a_, in->offset, 16);                                           \
        if (!p)                                                                                    \
            TRAP(TRAP_MEM_OOB);                                                                    \
        rt_simd_store(p, VLD(in->y));                                                              \
        ip += sizeof(IMemC);                                                                       \
        NEXT();                                                                                    \
    }
#define VLANE(name, M, store)                                                                      \
    op_##name : {                                                                                  \
        const IMemLane *in = IN(IMemLane);                                                         \
        const RtMemory *m = *(RtMemory **)((uint8_t *)cx + in->mem);                               \
        uint64_t a_ = in->is64 ? S(uint64_t, in->y) : S(uint32_t, in->y);                          \
        uint8_t *p = mem_checked(m, a_, in->offset, sizeof(M));                                    \
        if (!p)                                                                                    \
            TRAP(TRAP_MEM_OOB);                                                                    \
        if (store) {                                                                               \
            memcpy(p, fp + in->v + in->lane, sizeof(M));                                           \
        } else {                                                                                   \
            V128 v = VLD(in->v);                                                                   \
            memcpy((uint8_t *)&v + in->lane, p, sizeof(M));                                        \
            VST(in->x, v);                                                                         \
        }                                                                                          \
        ip += sizeof(IMemLane);                                                                    \
        NEXT();                                                                                    \
    }
#include "../runtime/simd.def"
op_I8X16_SHUFFLE : {
    const IShuffle *in = IN(IShuffle);
    VST(in->dst, rt_simd_shuffle(VLD(in->a), VLD(in->b), in->lanes));
    ip += sizeof(IShuffle);
    NEXT();
}
op_MOV_V:
    VST(IN(IUn)->dst, VLD(IN(IUn)->a));
    ip += sizeof(IUn);
    NEXT();
op_CONST_V:
    VST(IN(IConstV)->dst, rt_simd_load(IN(IConstV)->imm));
    ip += sizeof(IConstV);
    NEXT();
op_SELECT_V : {
    const ISelect *in = IN(ISelect);
    VST(in->dst, VLD(S(uint32_t, in->cond) ? in->a : in->b));
    ip += sizeof(ISelect);
    NEXT();
}
op_GLOBAL_GET_V:
    VST(IN(IUn)->dst, rt_simd_load(*(ValRaw **)((uint8_t *)cx + IN(IUn)->a)));
    ip += sizeof(IUn);
    NEXT();
op_GLOBAL_SET_V:
    rt_simd_store(*(ValRaw **)((uint8_t *)cx + IN(IUn)->dst), VLD(IN(IUn)->a));
    ip += sizeof(IUn);
    NEXT();

    /* ---- moves, constants, select ---- */
op_MOV:
    S(uint64_t, IN(IUn)->dst) = S(uint64_t, IN(IUn)->a);
    ip += sizeof(IUn);
    NEXT();
op_MOV2 : {
    const uint32_t *m = IN(IMovs)->m;
    S(uint64_t, m[0]) = S(uint64_t, m[1]);
    S(uint64_t, m[2]) = S(uint64_t, m[3]);
    ip += 24;
    NEXT();
}
op_INC2 : {
    const uint32_t *m = IN(IMovs)->m;
    PUT(uint32_t, m[0], S(uint32_t, m[0]) + m[1]);
    PUT(uint32_t, m[2], S(uint32_t, m[2]) + m[3]);
    ip += 24;
    NEXT();
}
op_ADD2 : {
    const uint32_t *m = IN(IMovs)->m;
    PUT(uint32_t, m[0], S(uint32_t, m[1]) + S(uint32_t, m[2]));
    PUT(uint32_t, m[3], S(uint32_t, m[4]) + S(uint32_t, m[5]));
    ip += 32;
    NEXT();
}
op_MOV_ADDI : {
    const uint32_t *m = IN(IMovs)->m;
    S(uint64_t, m[0]) = S(uint64_t, m[1]);
    PUT(uint32_t, m[2], S(uint32_t, m[3]) + m[4]);
    ip += 32;
    NEXT();
}
op_MOV3 : {
    const uint32_t *m = IN(IMovs)->m;
    S(uint64_t, m[0]) = S(uint64_t, m[1]);
    S(uint64_t, m[2]) = S(uint64_t, m[3]);
    S(uint64_t, m[4]) = S(uint64_t, m[5]);
    ip += 32;
    NEXT();
}
op_CONST32:
    S(uint64_t, IN(IConst32)->dst) = IN(IConst32)->imm;
    ip += sizeof(IConst32);
    NEXT();
op_CONST64:
    S(uint64_t, IN(IConst64)->dst) = IN(IConst64)->imm;
    ip += sizeof(IConst64);
    NEXT();
op_SELECT : {
    const ISelect *in = IN(ISelect);
    S(uint64_t, in->dst) = S(uint32_t, in->cond) ? S(uint64_t, in->a) : S(uint64_t, in->b);
    ip += sizeof(ISelect);
    NEXT();
}
op_SELECT64 : {
    const ISelect *in = IN(ISelect);
    S(uint64_t, in->dst) = S(uint64_t, in->cond) ? S(uint64_t, in->a) : S(uint64_t, in->b);
    ip += sizeof(ISelect);
    NEXT();
}

    /* ---- fused forms ---- */
op_I32_ADD3 : {
    const IOps *in = IN(IOps);
    PUT(uint32_t, in->a, S(uint32_t, in->b) + S(uint32_t, in->c) + S(uint32_t, in->d));
    ip += sizeof(IOps);
    NEXT();
}
op_I32_ROT2_XOR : {
    const IOps *in = IN(IOps);
    uint32_t v = S(uint32_t, in->b);
    PUT(uint32_t, in->a, rt_num_rotl32(v, in->c) ^ rt_num_rotl32(v, in->d));
    ip += sizeof(IOps);
    NEXT();
}
op_I32_ROT3_XOR : {
    const IOps *in = IN(IOps);
    uint32_t v = S(uint32_t, in->b);
    PUT(uint32_t, in->a,
        rt_num_rotl32(v, in->c) ^ rt_num_rotl32(v, in->d) ^ rt_num_rotl32(v, in->e));
    ip += sizeof(IOps);
    NEXT();
}
op_I32_ROT2_SHR_XOR : {
    const IOps *in = IN(IOps);
    uint32_t v = S(uint32_t, in->b);
    PUT(uint32_t, in->a, rt_num_rotl32(v, in->c) ^ rt_num_rotl32(v, in->d) ^ (v >> (in->e & 31)));
    ip += sizeof(IOps);
    NEXT();
}
op_I32_FUNNEL_ST : {
    const IFunnelSt *in = IN(IFunnelSt);
    E->fault_ip = ip;
    uint32_t v = (S(uint32_t, in->a) << (in->ka & 31)) | (S(uint32_t, in->b) >> (in->kb & 31));
    uint32_t ea = S(uint32_t, in->y) + in->imm;
    memcpy(mem0 + (uint64_t)ea + in->offset, &v, 4);
    ip += sizeof(IFunnelSt);
    NEXT();
}
op_I32_LD_FUNNEL_ST : {
    const IFunnelLdSt *in = IN(IFunnelLdSt);
    E->fault_ip = ip;
    uint32_t la = S(uint32_t, in->ly) + in->limm, w;
    memcpy(&w, mem0 + (uint64_t)la + in->loff, 4);
    PUT(uint32_t, in->lx, w);
    E->fault_ip = ip + 1;
    uint32_t v = (S(uint32_t, in->a) << (in->ka & 31)) | (S(uint32_t, in->b) >> (in->kb & 31));
    uint32_t ea = S(uint32_t, in->y) + in->imm;
    memcpy(mem0 + (uint64_t)ea + in->offset, &v, 4);
    ip += sizeof(IFunnelLdSt);
    NEXT();
}
op_I32_FUNNEL : {
    const IOps *in = IN(IOps);
    PUT(uint32_t, in->a,
        (S(uint32_t, in->b) << (in->c & 31)) | (S(uint32_t, in->d) >> (in->e & 31)));
    ip += sizeof(IOps);
    NEXT();
}
/* The product is kept apart so the compiler cannot contract the two
 * roundings into one fused multiply-add. */
#if defined(__x86_64__) || defined(__i386__)
#define FP_APART(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define FP_APART(v) __asm__("" : "+w"(v))
#else
#define FP_APART(v) ((void)*(volatile __typeof__(v) *)&(v))
#endif
#define MAC_OP(name, T)                                                                            \
    op_##name : {                                                                                  \
        const IMac *in = IN(IMac);                                                                 \
        E->fault_ip = ip;                                                                          \
        T a = S(T, in->a), b, c;                                                                   \
        uint32_t ba = S(uint32_t, in->by) + in->bimm;                                              \
        memcpy(&b, mem0 + (uint64_t)ba + in->boff, sizeof b);                                      \
        E->fault_ip = ip + 1;                                                                      \
        uint32_t ca = S(uint32_t, in->cy) + in->cimm;                                              \
        uint8_t *pc_ = mem0 + (uint64_t)ca + in->coff;                                             \
        memcpy(&c, pc_, sizeof c);                                                                 \
        T m = a * b;                                                                               \
        FP_APART(m);                                                                               \
        T r = m + c;                                                                               \
        memcpy(pc_, &r, sizeof r);                                                                 \
        ip += sizeof(IMac);                                                                        \
        NEXT();                                                                                    \
    }
    MAC_OP(F64_MAC, double)
    MAC_OP(F32_MAC, float)
#undef MAC_OP
/* The operands are read before the loop: its stores to memory could alias
 * them for all the compiler knows. */
#define MACN_OP(name, T)                                                                           \
    op_##name : {                                                                                  \
        const IMacN *in = IN(IMacN);                                                               \
        T a = S(T, in->a);                                                                         \
        uint32_t ba = S(uint32_t, in->by) + in->bimm, ca = S(uint32_t, in->cy) + in->cimm;         \
        uint8_t *bp = mem0 + in->boff, *cp = mem0 + in->coff;                                      \
        const uint8_t *fault_end = ip + 2 * in->n;                                                 \
        for (const uint8_t *f = ip; f < fault_end; f += 2) {                                       \
            T b, c;                                                                                \
            E->fault_ip = f;                                                                       \
            memcpy(&b, bp + ba, sizeof b);                                                         \
            E->fault_ip = f + 1;                                                                   \
            memcpy(&c, cp + ca, sizeof c);                                                         \
            T m = a * b;                                                                           \
            FP_APART(m);                                                                           \
            T r = m + c;                                                                           \
            memcpy(cp + ca, &r, sizeof r);                                                         \
            ba += sizeof(T);                                                                       \
            ca += sizeof(T);                                                                       \
        }                                                                                          \
        ip += sizeof(IMacN);                                                                       \
        NEXT();                                                                                    \
    }
    MACN_OP(F64_MACN, double)
    MACN_OP(F32_MACN, float)
#undef MACN_OP
#define MUL2_OP(name, T)                                                                           \
    op_##name : {                                                                                  \
        const IOps *in = IN(IOps);                                                                 \
        T t = S(T, in->b) * S(T, in->c);                                                           \
        PUT(T, in->a, t * S(T, in->d));                                                            \
        ip += sizeof(IOps);                                                                        \
        NEXT();                                                                                    \
    }
    MUL2_OP(F64_MUL2, double)
    MUL2_OP(F32_MUL2, float)
#undef MUL2_OP
op_BR_TEST_NZ:
    if (S(uint32_t, IN(ICmpBrI32)->a) & IN(ICmpBrI32)->imm)
        JUMP(ICmpBrI32, disp);
    else
        ip += sizeof(ICmpBrI32);
    NEXT();
op_BR_TEST_Z:
    if (!(S(uint32_t, IN(ICmpBrI32)->a) & IN(ICmpBrI32)->imm))
        JUMP(ICmpBrI32, disp);
    else
        ip += sizeof(ICmpBrI32);
    NEXT();
#define LOAD_BR(name, T, test)                                                                     \
    op_##name : {                                                                                  \
        const ILoadBr *in = IN(ILoadBr);                                                           \
        E->fault_ip = ip;                                                                          \
        T v;                                                                                       \
        uint32_t a = S(uint32_t, in->y) + in->imm;                                                 \
        memcpy(&v, mem0 + (uint64_t)a + in->offset, sizeof v);                                     \
        PUT(uint32_t, in->dst, v);                                                                 \
        if (test)                                                                                  \
            JUMP(ILoadBr, disp);                                                                   \
        else                                                                                       \
            ip += sizeof(ILoadBr);                                                                 \
        NEXT();                                                                                    \
    }
    LOAD_BR(LOAD_BR_NEZ, uint32_t, v != 0)
    LOAD_BR(LOAD_BR_EQZ, uint32_t, v == 0)
    LOAD_BR(LOAD8U_BR_NEZ, uint8_t, v != 0)
    LOAD_BR(LOAD8U_BR_EQZ, uint8_t, v == 0)
#undef LOAD_BR
op_I32_INC_BR_NEZ : {
    const IIncBr *in = IN(IIncBr);
    uint32_t v = S(uint32_t, in->x) + (uint32_t)in->add;
    PUT(uint32_t, in->x, v);
    if (v)
        JUMP(IIncBr, disp);
    else
        ip += sizeof(IIncBr);
    NEXT();
}
op_I32_INC_BR_EQZ : {
    const IIncBr *in = IN(IIncBr);
    uint32_t v = S(uint32_t, in->x) + (uint32_t)in->add;
    PUT(uint32_t, in->x, v);
    if (!v)
        JUMP(IIncBr, disp);
    else
        ip += sizeof(IIncBr);
    NEXT();
}
#define INC3_BR(name, test)                                                                        \
    op_##name : {                                                                                  \
        const IInc2Br *in = IN(IInc2Br);                                                           \
        PUT(uint32_t, in->x1, S(uint32_t, in->x1) + in->k1);                                       \
        PUT(uint32_t, in->x2, S(uint32_t, in->x2) + in->k2);                                       \
        uint32_t v = S(uint32_t, in->a) + in->imm;                                                 \
        PUT(uint32_t, in->a, v);                                                                   \
        if (test)                                                                                  \
            JUMP(IInc2Br, disp);                                                                   \
        else                                                                                       \
            ip += sizeof(IInc2Br);                                                                 \
        NEXT();                                                                                    \
    }
    INC3_BR(I32_INC3_BR_NEZ, v != 0)
    INC3_BR(I32_INC3_BR_EQZ, v == 0)
#undef INC3_BR
/* A fault in the store half reports ip + 1, which the pc map gives the
 * store's offset. */
#define COPY_OP(name, T)                                                                           \
    op_##name : {                                                                                  \
        const ICopy *in = IN(ICopy);                                                               \
        E->fault_ip = ip;                                                                          \
        T v;                                                                                       \
        uint32_t sa = S(uint32_t, in->sy) + in->simm;                                              \
        memcpy(&v, mem0 + (uint64_t)sa + in->soff, sizeof v);                                      \
        E->fault_ip = ip + 1;                                                                      \
        uint32_t da = S(uint32_t, in->dy) + in->dimm;                                              \
        memcpy(mem0 + (uint64_t)da + in->doff, &v, sizeof v);                                      \
        ip += sizeof(ICopy);                                                                       \
        NEXT();                                                                                    \
    }
op_COPY8N : {
    const ICopyN *in = IN(ICopyN);
    uint32_t sa = S(uint32_t, in->sy) + in->simm;
    uint32_t da = S(uint32_t, in->dy) + in->dimm;
    uint32_t n = in->n;
    uint64_t s0 = (uint64_t)sa + in->soff, d0 = (uint64_t)da + in->doff;
    uint64_t len = (*(RtMemory **)((uint8_t *)cx + in->mem))->length;
    if (sa <= UINT32_MAX - n && da <= UINT32_MAX - n && s0 + n <= len &&
        d0 + n <= len) { /* no byte wraps or faults */
        const uint8_t *s = mem0 + s0;
        uint8_t *d = mem0 + d0;
        if (n == 8 && (d0 + 8 <= s0 || s0 + 8 <= d0)) {
            uint64_t v;
            memcpy(&v, s, 8);
            memcpy(d, &v, 8);
        } else {
            for (uint32_t k = 0; k < n; k++)
                d[k] = s[k];
        }
        ip += sizeof(ICopyN);
        NEXT();
    }
    for (uint32_t k = 0; k < n; k++) {
        E->fault_ip = ip + 2 * k;
        uint8_t v = mem0[(uint64_t)(uint32_t)(sa + k) + in->soff];
        E->fault_ip = ip + 2 * k + 1;
        mem0[(uint64_t)(uint32_t)(da + k) + in->doff] = v;
    }
    ip += sizeof(ICopyN);
    NEXT();
}
    COPY_OP(COPY8, uint8_t)
    COPY_OP(COPY16, uint16_t)
    COPY_OP(COPY32, uint32_t)
    COPY_OP(COPY64, uint64_t)
#undef COPY_OP

    /* ---- branches ---- */
op_BR:
    JUMP(IBr, disp);
    NEXT();
op_BR_NEZ32:
    if (S(uint32_t, IN(IBrIf)->cond))
        JUMP(IBrIf, disp);
    else
        ip += sizeof(IBrIf);
    NEXT();
op_BR_EQZ32:
    if (!S(uint32_t, IN(IBrIf)->cond))
        JUMP(IBrIf, disp);
    else
        ip += sizeof(IBrIf);
    NEXT();
op_BR_NEZ64:
    if (S(uint64_t, IN(IBrIf)->cond))
        JUMP(IBrIf, disp);
    else
        ip += sizeof(IBrIf);
    NEXT();
op_BR_EQZ64:
    if (!S(uint64_t, IN(IBrIf)->cond))
        JUMP(IBrIf, disp);
    else
        ip += sizeof(IBrIf);
    NEXT();
op_BR_TABLE : {
    const IBrTable *in = IN(IBrTable);
    uint32_t i = S(uint32_t, in->index);
    const int32_t *d = &in->disp[i < in->n ? i : in->n];
    ip = (const uint8_t *)d + *d;
    NEXT();
}

    /* ---- calls and returns ---- */
op_RET_ADDI:
    PUT(uint32_t, 0, S(uint32_t, IN(IBinI32)->a) + IN(IBinI32)->imm);
    goto op_RET0;
op_RET1:
    S(uint64_t, 0) = S(uint64_t, IN(IUn)->a);
    /* fall through */
op_RET0:
    rec++;
    E->top = rec;
    fp = rec->fp;
    ip = rec->ip;
    if (rec->cx != cx) {
        cx = rec->cx;
        mem0 = mem0_base(cx);
    }
    ip += ((const ICall *)ip)->skip;
    NEXT();
op_EXIT:
    return;

op_CALL_ADDI : {
    const ICallAddi *in = IN(ICallAddi);
    PUT(uint32_t, in->dst, S(uint32_t, in->a) + in->imm);
    callee = in->func;
    new_fp = fp + in->args;
    new_cx = cx;
    goto enter;
}
op_CALL:
    callee = IN(ICall)->func;
    new_fp = fp + IN(ICall)->args;
    new_cx = cx;
enter:
    rec->ip = ip;
    if (new_fp + callee->frame_bytes > (uint8_t *)(rec - 1))
        TRAP(TRAP_STACK_OVERFLOW);
    rec--;
    rec->fp = new_fp;
    rec->func = callee;
    rec->cx = new_cx;
    E->top = rec;
    zero_slots(new_fp + callee->param_bytes, callee->local_bytes);
    fp = new_fp;
    ip = callee->code;
    if (new_cx != cx) {
        cx = new_cx;
        mem0 = mem0_base(cx);
    }
    NEXT();

op_CALL_IMPORT:
    ref = *(FuncRef **)((uint8_t *)cx + IN(ICallRef)->x);
    goto call_ref;
op_CALL_INDIRECT : {
    const ICallRef *in = IN(ICallRef);
    const RtTable *t = *(RtTable **)((uint8_t *)cx + in->y);
    uint64_t i = in->w ? S(uint64_t, in->x) : S(uint32_t, in->x);
    if (i >= t->size)
        TRAP(TRAP_UNDEFINED_ELEMENT);
    ref = t->elems[i];
    if (!ref)
        TRAP_INDEX(TRAP_UNINITIALIZED_ELEMENT, i);
    if (ref->type != in->z && !interp_is_subtype(cx, ref->type, in->z))
        TRAP(TRAP_INDIRECT_TYPE);
    goto call_ref;
}
op_CALL_REF:
    ref = S(const FuncRef *, IN(ICallRef)->x);
    if (!ref)
        TRAP(TRAP_NULL_FUNC_REF);
call_ref:
    if (ref->array_call == interp_entry) {
        callee = ref->native;
        new_fp = fp + IN(ICallRef)->args;
        new_cx = ref->vmctx;
        goto enter;
    }
    rec->ip = ip;
    E->fault_ip = NULL;
    interp_call_host(ref, cx, fp + IN(ICallRef)->args, IN(ICallRef)->type);
    mem0 = mem0_base(cx);
    ip += sizeof(ICallRef);
    NEXT();

op_TAIL_CALL:
    callee = IN(ICall)->func;
    new_cx = cx;
tail_enter:
    if (fp + callee->frame_bytes > (uint8_t *)rec)
        TRAP(TRAP_STACK_OVERFLOW);
    rec->func = callee;
    rec->cx = new_cx;
    zero_slots(fp + callee->param_bytes, callee->local_bytes);
    ip = callee->code;
    if (new_cx != cx) {
        cx = new_cx;
        mem0 = mem0_base(cx);
    }
    NEXT();
op_TAIL_CALL_IMPORT:
    ref = *(FuncRef **)((uint8_t *)cx + IN(ICallRef)->x);
    goto tail_ref;
op_TAIL_CALL_INDIRECT : {
    const ICallRef *in = IN(ICallRef);
    const RtTable *t = *(RtTable **)((uint8_t *)cx + in->y);
    uint64_t i = in->w ? S(uint64_t, in->x) : S(uint32_t, in->x);
    if (i >= t->size)
        TRAP(TRAP_UNDEFINED_ELEMENT);
    ref = t->elems[i];
    if (!ref)
        TRAP_INDEX(TRAP_UNINITIALIZED_ELEMENT, i);
    if (ref->type != in->z && !interp_is_subtype(cx, ref->type, in->z))
        TRAP(TRAP_INDIRECT_TYPE);
    goto tail_ref;
}
op_TAIL_CALL_REF:
    ref = S(const FuncRef *, IN(ICallRef)->x);
    if (!ref)
        TRAP(TRAP_NULL_FUNC_REF);
tail_ref:
    if (ref->array_call == interp_entry) {
        callee = ref->native;
        new_cx = ref->vmctx;
        goto tail_enter;
    }
    rec->ip = ip;
    E->fault_ip = NULL;
    interp_call_host(ref, cx, fp, IN(ICallRef)->type);
    goto op_RET0;

    /* ---- variables and references ---- */
op_GLOBAL_GET:
    S(uint64_t, IN(IUn)->dst) = (*(ValRaw **)((uint8_t *)cx + IN(IUn)->a))->u64[0];
    ip += sizeof(IUn);
    NEXT();
op_GLOBAL_SET:
    (*(ValRaw **)((uint8_t *)cx + IN(IUn)->dst))->u64[0] = S(uint64_t, IN(IUn)->a);
    ip += sizeof(IUn);
    NEXT();
op_GLOBAL_SET32:
    (*(ValRaw **)((uint8_t *)cx + IN(IUn)->dst))->u64[0] = S(uint32_t, IN(IUn)->a);
    ip += sizeof(IUn);
    NEXT();
op_REF_FUNC:
    S(void *, IN(IUn)->dst) = *(FuncRef **)((uint8_t *)cx + IN(IUn)->a);
    ip += sizeof(IUn);
    NEXT();
op_REF_AS_NON_NULL:
    if (!S(void *, IN(IUn)->a))
        TRAP(TRAP_NULL_REF);
    ip += sizeof(IUn);
    NEXT();

    /* ---- exceptions (interp_eh.c) ---- */
op_THROW:
    rec->ip = ip;
    exn = interp_eh_new(cx, IN(ICallRef)->x, IN(ICallRef)->type, fp + IN(ICallRef)->args);
    goto throw_exn;
op_THROW_REF:
    exn = S(ExnObj *, IN(IUn)->a);
    if (!exn)
        TRAP(TRAP_NULL_EXN_REF);
    rec->ip = ip;
throw_exn:
    ip = interp_eh_throw(E, &rec, exn);
    fp = rec->fp;
    if (rec->cx != cx) {
        cx = rec->cx;
        mem0 = mem0_base(cx);
    }
    NEXT();

    /* ---- traps, fuel, epochs ---- */
op_UNREACHABLE:
    TRAP(TRAP_UNREACHABLE);
op_UNSUPPORTED:
    TRAP(TRAP_UNSUPPORTED);
op_FUEL:
    *cx->fuel -= IN(IUn)->a;
    if (*cx->fuel < 0)
        TRAP(TRAP_OUT_OF_FUEL);
    ip += sizeof(IUn);
    NEXT();
op_EPOCH:
    if (atomic_load_explicit(cx->engine_epoch, memory_order_relaxed) >= *cx->epoch_deadline)
        TRAP(TRAP_INTERRUPT);
    ip += sizeof(IHdr);
    NEXT();

    /* ---- memories and tables (slow paths in interp_ops.c) ---- */
op_MEMORY_SIZE : {
    const IOps *in = IN(IOps);
    S(uint64_t, in->a) = vmctx_memories(cx)[in->d]->length / RT_PAGE_SIZE;
    ip += sizeof(IOps);
    NEXT();
}
op_MEMORY_GROW : {
    const IOps *in = IN(IOps);
    S(uint64_t, in->a) = rt_lib_MEMORY_GROW(cx, in->d, S(uint64_t, in->b), 0, 0, 0);
    mem0 = mem0_base(cx);
    ip += sizeof(IOps);
    NEXT();
}
op_MEMORY_FILL : {
    const IOps *in = IN(IOps);
    rec->ip = ip;
    TRAP_IF((TrapCode)rt_lib_MEMORY_FILL(cx, in->d, S(uint64_t, in->a), S(uint64_t, in->b),
                                         S(uint64_t, in->c), 0));
    ip += sizeof(IOps);
    NEXT();
}
op_MEMORY_COPY : {
    const IOps *in = IN(IOps);
    rec->ip = ip;
    TRAP_IF((TrapCode)rt_lib_MEMORY_COPY(cx, in->d, in->e, S(uint64_t, in->a), S(uint64_t, in->b),
                                         S(uint64_t, in->c)));
    ip += sizeof(IOps);
    NEXT();
}
op_MEMORY_INIT : {
    const IOps *in = IN(IOps);
    rec->ip = ip;
    TRAP_IF((TrapCode)rt_lib_MEMORY_INIT(cx, in->d, in->e, S(uint64_t, in->a), S(uint64_t, in->b),
                                         S(uint64_t, in->c)));
    ip += sizeof(IOps);
    NEXT();
}
op_DATA_DROP:
    vmctx_dropped_datas(cx)[IN(IOps)->a] = 1;
    ip += sizeof(IOps);
    NEXT();
op_TABLE_GET : {
    const IOps *in = IN(IOps);
    const RtTable *t = table_at(cx, in->d);
    uint64_t i = table_index(t, S(uint64_t, in->b));
    if (i >= t->size)
        TRAP(TRAP_TABLE_OOB);
    S(void *, in->a) = t->elems[i];
    ip += sizeof(IOps);
    NEXT();
}
op_TABLE_SET : {
    const IOps *in = IN(IOps);
    RtTable *t = table_at(cx, in->d);
    uint64_t i = table_index(t, S(uint64_t, in->a));
    if (i >= t->size)
        TRAP(TRAP_TABLE_OOB);
    t->elems[i] = S(void *, in->b);
    ip += sizeof(IOps);
    NEXT();
}
op_TABLE_SIZE:
    S(uint64_t, IN(IOps)->a) = table_at(cx, IN(IOps)->d)->size;
    ip += sizeof(IOps);
    NEXT();
op_TABLE_GROW : {
    const IOps *in = IN(IOps);
    S(uint64_t, in->a) = rt_lib_TABLE_GROW(cx, in->d, S(uint64_t, in->b), S(uint64_t, in->c), 0, 0);
    ip += sizeof(IOps);
    NEXT();
}
op_TABLE_FILL : {
    const IOps *in = IN(IOps);
    TRAP_IF((TrapCode)rt_lib_TABLE_FILL(cx, in->d, S(uint64_t, in->a), S(uint64_t, in->b),
                                        S(uint64_t, in->c), 0));
    ip += sizeof(IOps);
    NEXT();
}
op_TABLE_COPY : {
    const IOps *in = IN(IOps);
    TRAP_IF((TrapCode)rt_lib_TABLE_COPY(cx, in->d, in->e, S(uint64_t, in->a), S(uint64_t, in->b),
                                        S(uint64_t, in->c)));
    ip += sizeof(IOps);
    NEXT();
}
op_TABLE_INIT : {
    const IOps *in = IN(IOps);
    uint64_t d = table_index(table_at(cx, in->d), S(uint64_t, in->a));
    TRAP_IF(rt_table_init(cx, in->d, in->e, d, S(uint32_t, in->b), S(uint32_t, in->c)));
    ip += sizeof(IOps);
    NEXT();
}
op_ELEM_DROP:
    vmctx_dropped_elems(cx)[IN(IOps)->a] = 1;
    ip += sizeof(IOps);
    NEXT();

#include "interp_canon.inc" /* NaN canonicalization (translate_canon.c) */

    /* ---- GC (runtime/gc_ops.c; allocations may collect: E->top is current) ---- */
#define GCOP(name)                                                                                 \
    op_##name : rec->ip = ip;                                                                      \
    TRAP_IF(rt_gc_op_##name(cx, fp, &IN(IGc)->ops));                                               \
    ip += sizeof(IGc);                                                                             \
    NEXT();
#include "iops.def"

trap:
    rec->ip = ip;
    E->top = rec;
    E->fault_ip = NULL;
    if (trap_index != UINT64_MAX)
        rt_trap_raise_index(trap_code, trap_index);
    rt_trap_raise(trap_code);
}

/* ---- the entry ---- */

/* This thread's interpreter stack; reused by every entry, reallocated only
 * when no interpreter frame is live. A thread-exit destructor frees it. */
static _Thread_local struct {
    uint8_t *base;
    size_t size;
} tls_stack;
static pthread_key_t stack_key;
static pthread_once_t stack_key_once = PTHREAD_ONCE_INIT;

static void stack_free_at_exit(void *base) {
    mem_free(base);
}
static void stack_key_create(void) {
    (void)pthread_key_create(&stack_key, stack_free_at_exit);
}

/* The innermost live interpreter entry of this thread's activations. */
static IEntry *outer_entry(const Activation *act) {
    for (; act; act = act->prev)
        if (act->tier == &interp_tier && act->tier_frames)
            return act->tier_frames;
    return NULL;
}

static void stack_reserve(size_t size) {
    if (size < 64 * 1024)
        size = 64 * 1024;
    if (tls_stack.base && tls_stack.size == size)
        return;
    mem_free(tls_stack.base);
    tls_stack.base = mem_alloc(size);
    tls_stack.size = tls_stack.base ? size : 0;
    pthread_once(&stack_key_once, stack_key_create);
    (void)pthread_setspecific(stack_key, tls_stack.base);
    if (!tls_stack.base)
        rt_trap_raise(TRAP_STACK_OVERFLOW);
}

void interp_entry(const FuncRef *callee, VMContext *caller, ValRaw *args, uint32_t count) {
    const IFunc *f = callee->native;
    VMContext *cx = callee->vmctx;
    Activation *act = rt_activation_current();
    if (!act)
        rt_trap_raise(TRAP_HOST); /* reports the misuse and aborts */
    IEntry *outer = outer_entry(act);
    uint8_t *slots, *end;
    if (outer) {
        slots = outer->top->fp + outer->top->func->frame_bytes;
        end = (uint8_t *)outer->top;
    } else {
        stack_reserve(cx->module->engine->config.max_wasm_stack);
        slots = tls_stack.base;
        end = tls_stack.base + tls_stack.size;
    }
    IEntry *E = (IEntry *)(((uintptr_t)end - sizeof(IEntry)) & ~(uintptr_t)15);
    IFrame *rec = &E->sentinel - 1;
    if ((uint8_t *)rec < slots + f->frame_bytes)
        rt_trap_raise(TRAP_STACK_OVERFLOW);
    E->sentinel = (IFrame){(const uint8_t *)&exit_instr, NULL, NULL, cx};
    E->prev = act->tier == &interp_tier ? act->tier_frames : NULL;
    E->fault_ip = NULL;
    *rec = (IFrame){f->code, slots, f, cx};
    E->top = rec;
    if (f->has_v128)
        interp_vals_to_slots(f->type->params, f->n_params, args, slots);
    else
        for (uint32_t i = 0; i < f->n_params; i++)
            ((uint64_t *)slots)[i] = args[i].u64[0];
    zero_slots(slots + f->param_bytes, f->local_bytes);
    void *saved_frames = act->tier_frames;
    const Tier *saved_tier = act->tier;
    act->tier_frames = E;
    act->tier = &interp_tier;
    run(E, f->code, slots, rec, cx);
    act->tier_frames = saved_frames;
    act->tier = saved_tier;
    if (f->has_v128) {
        interp_slots_to_vals(f->type->results, f->n_results, slots, args);
        return;
    }
    for (uint32_t i = 0; i < f->n_results; i++) {
        args[i].u64[0] = ((uint64_t *)slots)[i];
        args[i].u64[1] = 0;
    }
}
