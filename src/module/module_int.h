/* Declarations shared inside the module layer: the validation context, type
 * queries over a module's (canonicalized) types, and the entry points of the
 * per-part validators. Everything here assumes the type section has been
 * validated and every SubType.canon assigned, unless a comment says otherwise. */
#ifndef WASMC_MODULE_MODULE_INT_H
#define WASMC_MODULE_MODULE_INT_H

#include "module.h"

/* ---- Types (types.c) ---------------------------------------------------- */

/* Abstract heap types are < 0; concrete ones are module-local type indices. */
static inline bool ht_is_concrete(int32_t heap) {
    return heap >= 0;
}

/* Numbers, vectors and nullable references have a default value. */
bool mod_defaultable(ValType t);

/* Subtyping and equality of heap and value types of one module. */
bool mod_heap_sub(const Module *mod, const TypeRegistry *reg, int32_t a, int32_t b);
bool mod_val_sub(const Module *mod, const TypeRegistry *reg, ValType a, ValType b);
bool mod_val_eq(const Module *mod, ValType a, ValType b);
/* Storage types (fields): packed types match only themselves. */
bool mod_storage_sub(const Module *mod, const TypeRegistry *reg, ValType a, ValType b);
/* Top of a heap type's hierarchy: HT_ANY, HT_FUNC, HT_EXTERN or HT_EXN. */
int32_t mod_heap_top(const Module *mod, int32_t heap);
/* Does composite type `a` structurally match `b` (for declared subtypes)? */
bool mod_comp_match(const Module *mod, const TypeRegistry *reg, const SubType *a,
                      const SubType *b);
/* Unpacked value type of a field (i8/i16 become i32). */
static inline ValType mod_unpacked(ValType t) {
    if (t.kind == VK_I8 || t.kind == VK_I16)
        t.kind = VK_I32;
    return t;
}

/* "i32", "(ref null 3)", ... into buf. */

/* ---- Registry (registry.c) --------------------------------------------- */

/* Canonicalize the recursion group of `mod` starting at type `start` (n types):
 * assigns SubType.canon for each. References inside the group must be below
 * start + n and those outside already canonicalized. ERR_NOMEM leaves the
 * registry unchanged apart from unused capacity. */
Err mod_registry_add_group(TypeRegistry *reg, Module *mod, uint32_t start, uint32_t n, Diag *diag);

/* ---- Validation context ------------------------------------------------- */

typedef struct Ctrl {
    uint16_t op;          /* OP_BLOCK/LOOP/IF/ELSE/TRY/CATCH/CATCH_ALL/TRY_TABLE; OP_CALL = function */
    bool unreachable;
    bool single;          /* the result is `one` (a single value type), not `results` */
    uint32_t height;      /* operand-stack height at entry */
    uint32_t init_height; /* local-initialization log height at entry */
    uint32_t instr;       /* index of the opening instruction */
    uint32_t n_params, n_results;
    const ValType *params, *results;
    ValType one;
} Ctrl;

typedef struct ValidCtx {
    Module *mod;
    const TypeRegistry *reg;
    /* module-level facts */
    uint8_t *declared;      /* per function: referenced outside function bodies */
    uint32_t n_globals_vis; /* globals visible to the current constant expression */
    bool const_mode;        /* validating a constant expression */
    /* per-function scratch, reused */
    VEC(ValType) vals;
    VEC(Ctrl) ctrls;
    Ctrl *top; /* &ctrls.data[ctrls.len - 1]: ctrl_push/ctrl_pop keep it */
    VEC(ValType) locals;
    VEC(uint8_t) local_set; /* per local: initialized */
    VEC(uint32_t) init_log; /* locals set inside open blocks, to unset at block end */
    const FuncType *func_type;
    uint32_t max_stack, max_depth;
} ValidCtx;

/* Validate `n` instructions (ending with OP_END) whose block produces
 * `results` (n_results values, no parameters). Used for bodies and constant
 * expressions; in const_mode only constant instructions are accepted. */
Err valid_expr(ValidCtx *cx, Instr *instrs, uint32_t n, const ValType *results,
               uint32_t n_results, Diag *diag) WARN_UNUSED;
/* Validate defined function `func_index`'s body and fill its Code facts. */
Err valid_func_body(ValidCtx *cx, uint32_t func_index, Diag *diag) WARN_UNUSED;
/* Validate a constant expression of type `type`. */
Err valid_const_expr(ValidCtx *cx, ConstExpr *expr, ValType type, Diag *diag) WARN_UNUSED;
/* Is `op` allowed in constant expressions (global.get is checked separately)? */
bool valid_is_const_op(uint16_t op);

/* Shared checks used by several parts. */
Err valid_heap_type(const ValidCtx *cx, int32_t heap, uint64_t offset, Diag *diag) WARN_UNUSED;
Err valid_val_type(const ValidCtx *cx, ValType t, uint64_t offset, Diag *diag) WARN_UNUSED;

#endif
