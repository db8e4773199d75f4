/* Dispatch-heavy: a small stack-machine bytecode interpreter (a switch in a
 * loop: br_table in wasm, unpredictable indirect jumps natively) running a
 * prime-counting program, and an expression-tree evaluator that calls through
 * function pointers (call_indirect in wasm).
 *   vm [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum {
    PUSH, /* imm */
    LOAD, /* var */
    STORE, /* var */
    ADD,
    SUB,
    MUL,
    MOD,
    LT,
    LE,
    EQ,
    JZ, /* target */
    JMP, /* target */
    DUP,
    DROP,
    INC, /* var */
    HALT
};

/* Variables: 0 = n, 1 = limit, 2 = d, 3 = count, 4 = is_prime */
static const int32_t program[] = {
    PUSH, 2, STORE, 0,        /* 0: n = 2 */
    PUSH, 0, STORE, 3,        /* 4: count = 0 */
    LOAD, 0, LOAD, 1, LT,     /* 8: while n < limit */
    JZ, 63,                   /* 13 */
    PUSH, 1, STORE, 4,        /* 15: is_prime = 1 */
    PUSH, 2, STORE, 2,        /* 19: d = 2 */
    LOAD, 2, DUP, MUL, LOAD, 0, LE, /* 23: while d*d <= n */
    JZ, 51,                   /* 30 */
    LOAD, 0, LOAD, 2, MOD,    /* 32: if n % d == 0 */
    PUSH, 0, EQ, JZ, 47,      /* 37 */
    PUSH, 0, STORE, 4,        /* 42: is_prime = 0 (and keep looping: no break) */
    INC, 2,                   /* 46/47: d++ */
    JMP, 23,                  /* 49 */
    LOAD, 3, LOAD, 4, ADD, STORE, 3, /* 51: count += is_prime */
    INC, 0,                   /* 58: n++ */
    JMP, 8,                   /* 60 */
    HALT,                     /* 62/63 */
};

static int32_t run(const int32_t *code, int32_t limit) {
    int32_t stack[64], vars[8] = {0};
    int sp = 0, pc = 0;
    vars[1] = limit;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = vars[code[pc++]]; break;
        case STORE: vars[code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case LE: sp--; stack[sp - 1] = stack[sp - 1] <= stack[sp]; break;
        case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
        case JMP: pc = code[pc]; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case DROP: sp--; break;
        case INC: vars[code[pc++]]++; break;
        case HALT: return vars[3];
        default: return -1;
        }
    }
}

/* Expression trees evaluated through function pointers. */
typedef struct Expr Expr;
typedef uint32_t (*EvalFn)(const Expr *e, uint32_t x);
struct Expr {
    EvalFn eval;
    const Expr *a, *b;
    uint32_t k;
};

static uint32_t ev_const(const Expr *e, uint32_t x) { (void)x; return e->k; }
static uint32_t ev_var(const Expr *e, uint32_t x) { (void)e; return x; }
static uint32_t ev_add(const Expr *e, uint32_t x) { return e->a->eval(e->a, x) + e->b->eval(e->b, x); }
static uint32_t ev_mul(const Expr *e, uint32_t x) { return e->a->eval(e->a, x) * e->b->eval(e->b, x); }
static uint32_t ev_xor(const Expr *e, uint32_t x) { return e->a->eval(e->a, x) ^ e->b->eval(e->b, x); }
static uint32_t ev_shr(const Expr *e, uint32_t x) { return e->a->eval(e->a, x) >> (e->k & 31); }

static const EvalFn binary_ops[] = {ev_add, ev_mul, ev_xor};

static uint32_t rng_state = 7;

static uint32_t rng(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static Expr *make_tree(Expr *pool, int *used, int depth) {
    Expr *e = &pool[(*used)++];
    e->a = e->b = NULL;
    e->k = rng();
    if (depth == 0) {
        e->eval = rng() % 3 ? ev_var : ev_const;
    } else if (rng() % 5 == 0) {
        e->eval = ev_shr;
        e->a = make_tree(pool, used, depth - 1);
    } else {
        e->eval = binary_ops[rng() % 3];
        e->a = make_tree(pool, used, depth - 1);
        e->b = make_tree(pool, used, depth - 1);
    }
    return e;
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 100;
    int32_t limit = 60000 + scale * 1100;
    int32_t primes = run(program, limit);
    static Expr pool[1 << 12];
    int used = 0;
    const Expr *tree = make_tree(pool, &used, 10);
    uint32_t evals = (uint32_t)scale * 3000, sum = 0;
    for (uint32_t x = 0; x < evals; x++)
        sum = sum * 31 + tree->eval(tree, x);
    printf("vm: primes below %d = %d; %u evaluations of %d nodes, checksum=%08x\n", limit, primes,
           evals, used, sum);
    return 0;
}
