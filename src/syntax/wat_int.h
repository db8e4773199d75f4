/* Internals of the text-format parsers (WAT modules and WAST scripts): the
 * literal converters, the parser state shared by wat_parser.c (tokens,
 * errors, names), wat_types.c, wat_instr.c and wat_module.c. A WatParser
 * builds one Module's IR in the module's arena; names resolve to indices
 * through StrMaps keyed by the token text (which outlives the parse). */
#ifndef WASMC_SYNTAX_WAT_INT_H
#define WASMC_SYNTAX_WAT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/base.h"
#include "ir.h"
#include "op.h"
#include "wat_lexer.h"

/* ---- Literals (wat_literals.c) ---------------------------------------------- */

typedef enum NumClass { NUM_NONE, NUM_NAT, NUM_INT, NUM_FLOAT } NumClass;

/* The lexical class of a token's text: nat, signed int, float (incl. inf and
 * nan forms), or none. */
NumClass wat_num_class(const char *s, uint32_t len);
/* A nat that fits in 64 bits. */
bool wat_parse_nat(const char *s, uint32_t len, uint64_t *out);
/* A nat or int in range for `bits` (8..64): -2^(bits-1) .. 2^bits-1, as bits. */
bool wat_parse_int(const char *s, uint32_t len, unsigned bits, uint64_t *out);
/* Any number, as f32/f64 bits; false when out of range or malformed. */
bool wat_parse_f32(const char *s, uint32_t len, uint32_t *out);
bool wat_parse_f64(const char *s, uint32_t len, uint64_t *out);

/* ---- Parser state (wat_parser.c) -------------------------------------------- */

typedef enum Space {
    SP_TYPE,
    SP_FUNC,
    SP_TABLE,
    SP_MEMORY,
    SP_GLOBAL,
    SP_TAG,
    SP_ELEM,
    SP_DATA,
    SP_COUNT
} Space;

typedef struct Label {
    const char *name; /* NULL when unnamed */
    uint32_t len;
} Label;

/* A (@metadata.code.branch_hint) annotation inside a function, waiting for
 * the instruction that starts at token `at`. */
typedef struct HintAnnot {
    uint32_t at;
    uint8_t value;
    bool used;
    uint32_t line, col; /* of the annotation, for errors */
} HintAnnot;

typedef struct WatParser {
    const Token *toks;
    const TokenList *tl; /* for the custom annotations */
    uint32_t pos;
    Module *mod;
    Arena *arena; /* &mod->arena */
    Diag *diag;

    StrMap names[SP_COUNT];
    uint32_t counts[SP_COUNT]; /* entries per index space, from the first pass */
    uint32_t next[SP_COUNT];   /* next index to fill in the second pass */
    uint32_t defined[SP_COUNT];/* definitions seen so far in the first pass */

    VEC(SubType) types;
    VEC(StrMap *) fields; /* per type: field names (NULL when none) */

    VEC(Import) imports;
    VEC(Export) exports;

    /* per function */
    StrMap locals;
    uint32_t n_locals; /* params + locals */
    VEC(Instr) code;
    VEC(Label) labels;
    VEC(ValType) scratch_types;
    VEC(BranchHint) hints; /* of the function being parsed */

    HintAnnot *hint_annots; /* the module's branch hints, sorted by `at` (module arena) */
    uint32_t n_hint_annots;

    bool needs_data_count;
} WatParser;

static inline const Token *wat_peek(const WatParser *p) {
    return &p->toks[p->pos];
}
static inline const Token *wat_peek_at(const WatParser *p, uint32_t ahead) {
    uint32_t last = p->tl->n - 1; /* the TOK_EOF */
    return &p->toks[ahead > last - p->pos ? last : p->pos + ahead];
}

/* Errors at a token: the message, or for an unexpected token the
 * reference's "unexpected token" / "unknown operator" / lexical message. */
Err wat_fail_at(WatParser *p, const Token *t, const char *fmt, ...) PRINTF_LIKE(3, 4);
Err wat_unexpected(WatParser *p, const Token *t);

bool wat_tok_is(const Token *t, const char *kw);
/* The current token is '(' followed by the keyword. */
bool wat_peek_form(const WatParser *p, const char *kw);
/* Consume '(' kw, or fail. */
Err wat_expect_form(WatParser *p, const char *kw) WARN_UNUSED;
Err wat_expect_lpar(WatParser *p) WARN_UNUSED;
Err wat_expect_rpar(WatParser *p) WARN_UNUSED;
Err wat_expect_kw(WatParser *p, const char *kw) WARN_UNUSED;
/* Consume an identifier if present. */
bool wat_opt_id(WatParser *p, const Token **out);
/* A string token decoded into the module arena. */
Err wat_expect_string(WatParser *p, Name *out) WARN_UNUSED;
/* A name: a string that must be valid UTF-8. */
Err wat_expect_name(WatParser *p, Name *out) WARN_UNUSED;

Err wat_expect_u32(WatParser *p, uint32_t *out) WARN_UNUSED;
Err wat_expect_u64(WatParser *p, uint64_t *out) WARN_UNUSED;

/* Bind `id` (may be NULL) to `index` in a space; "duplicate <what>" on reuse. */
Err wat_bind(WatParser *p, StrMap *map, const Token *id, uint32_t index, const char *what) WARN_UNUSED;
/* Is the current token an index (nat or $id)? */
bool wat_peek_index(const WatParser *p);
/* Parse an index (nat or $id) in a space. */
Err wat_index(WatParser *p, Space space, uint32_t *out) WARN_UNUSED;
Err wat_local_index(WatParser *p, uint32_t *out) WARN_UNUSED;
Err wat_label_index(WatParser *p, uint32_t *out) WARN_UNUSED;

void *wat_alloc(WatParser *p, size_t size);

/* ---- Types (wat_types.c) ---------------------------------------------------- */

bool wat_peek_valtype(const WatParser *p);
Err wat_valtype(WatParser *p, ValType *out) WARN_UNUSED;
Err wat_reftype(WatParser *p, ValType *out) WARN_UNUSED;
Err wat_heaptype(WatParser *p, int32_t *out) WARN_UNUSED;
/* (type ...) or (rec (type ...)*) at the current token. */
Err wat_type_field(WatParser *p) WARN_UNUSED;
/* A type use: (type x)? (param ...)* (result ...)*. When `bind_params`, param
 * ids are bound as locals (a function's header). Returns the type index,
 * creating an implicit type when there is no (type x). */
Err wat_type_use(WatParser *p, bool bind_params, uint32_t *out) WARN_UNUSED;
/* A block type after the label: (type x)? (param t*)* (result t*)*. */
Err wat_block_type(WatParser *p, BlockType *out) WARN_UNUSED;
/* The index of an implicit type for params -> results (found or appended). */
Err wat_implicit_type(WatParser *p, const ValType *params, uint32_t n_params,
                      const ValType *results, uint32_t n_results, uint32_t *out) WARN_UNUSED;
Err wat_field_index(WatParser *p, uint32_t type, uint32_t *out) WARN_UNUSED;
/* Pass one over a type field: bind the type names. */
Err wat_scan_types(WatParser *p, const Token *form) WARN_UNUSED;

/* ---- Instructions (wat_instr.c) --------------------------------------------- */

/* Instructions up to the closing ')' of the enclosing form (not consumed),
 * appended to p->code. */
Err wat_instrs(WatParser *p) WARN_UNUSED;
/* A constant expression up to ')' (not consumed), ending with OP_END. */
Err wat_const_expr(WatParser *p, ConstExpr *out) WARN_UNUSED;
/* One folded instruction as a constant expression (offset and item
 * abbreviations). */
Err wat_const_expr_folded(WatParser *p, ConstExpr *out) WARN_UNUSED;
/* Take p->code into the arena. */
Err wat_take_code(WatParser *p, Instr **out, uint32_t *out_n) WARN_UNUSED;

/* ---- Modules (wat_module.c) ------------------------------------------------- */

/* Parse module fields from p->pos up to the token at `end` (a ')' or EOF). */
Err wat_module_fields(WatParser *p, uint32_t end) WARN_UNUSED;

/* ---- Entry points shared with wast_parser.c --------------------------------- */

/* Parse a module whose fields run from toks[start] up to toks[end] (exclusive).
 * On success *out is the IR module (caller deletes). */
Err wat_parse_tokens(const TokenList *tl, uint32_t start, uint32_t end, Module **out,
                     Diag *diag) WARN_UNUSED;

/* ---- Custom annotations (wat_custom.c) -------------------------------------- */

/* Turn the (@custom ...) annotations among the module's fields (tokens
 * [start, end]) into custom sections; misplaced ones are errors. */
Err wat_custom_sections(WatParser *p, uint32_t start, uint32_t end) WARN_UNUSED;
/* Collect the (@metadata.code.branch_hint) annotations among the module's
 * fields (tokens [start, end]) into p->hint_annots: each must sit inside a
 * function, hold one byte 0 or 1, and be alone before its instruction. */
Err wat_branch_hints(WatParser *p, uint32_t start, uint32_t end) WARN_UNUSED;
/* The instruction about to become p->code.data[p->code.len] starts at token
 * `at` (its keyword, or the '(' of a folded form): attach the hint there. */
Err wat_hint_instr(WatParser *p, uint32_t at) WARN_UNUSED;
/* Move the current function's hints (p->hints) into `code`, sorted. */
Err wat_take_hints(WatParser *p, Code *code) WARN_UNUSED;
/* Every branch hint must have found its instruction. */
Err wat_check_hints_used(WatParser *p) WARN_UNUSED;
/* Is `t` an atom the reference lexer knows (keyword or number)? */
bool wat_known_keyword(const Token *t);

#endif
