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
    /*  0 */ PUSH, 2, STORE, 0,                 /* n = 2 */
    /*  4 */ PUSH, 0, STORE, 3,                 /* count = 0 */
    /*  8 */ LOAD, 0, LOAD, 1, LT, JZ, 61,      /* while n < limit */
    /* 15 */ PUSH, 1, STORE, 4,                 /*   is_prime = 1 */
    /* 19 */ PUSH, 2, STORE, 2,                 /*   d = 2 */
    /* 23 */ LOAD, 2, DUP, MUL, LOAD, 0, LE,    /*   while d * d <= n */
    /* 30 */ JZ, 50,
    /* 32 */ LOAD, 0, LOAD, 2, MOD, PUSH, 0, EQ, JZ, 46, /* if n % d == 0 */
    /* 42 */ PUSH, 0, STORE, 4,                 /*       is_prime = 0 (no break) */
    /* 46 */ INC, 2,                            /*     d++ */
    /* 48 */ JMP, 23,
    /* 50 */ LOAD, 3, LOAD, 4, ADD, STORE, 3,   /*   count += is_prime */
    /* 57 */ INC, 0,                            /*   n++ */
    /* 59 */ JMP, 8,
    /* 61 */ HALT,
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

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    int32_t limit = 1000 + (int32_t)scaled(scale, 84000);
    int32_t primes = run(program, limit);
    static Expr pool[1 << 12];
    int used = 0;
    const Expr *tree = make_tree(pool, &used, 10);
    uint32_t evals = scaled(scale, 170000), sum = 0;
    for (uint32_t x = 0; x < evals; x++)
        sum = sum * 31 + tree->eval(tree, x);
    printf("vm: primes below %d = %d; %u evaluations of %d nodes, checksum=%08x\n", limit, primes,
           evals, used, sum);
    return 0;
}
