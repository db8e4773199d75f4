/* WAT printer internals shared by wat_printer.c (module fields, names) and
 * wat_printer_instr.c (types, instructions, numbers). A Printer appends text to
 * one ByteBuf; ids are "$name" strings from the name section, or NULL where the
 * index is printed as a number (no name, not a valid id, or a duplicate). */
#ifndef WASMC_SYNTAX_WAT_PRINTER_H
#define WASMC_SYNTAX_WAT_PRINTER_H

#include "../base/base.h"
#include "syntax.h"

typedef enum PrintSpace {
    PS_FUNC,
    PS_TABLE,
    PS_MEMORY,
    PS_GLOBAL,
    PS_TAG,
    PS_TYPE,
    PS_ELEM,
    PS_DATA,
    PS_LOCAL, /* the function being printed */
    PS_COUNT
} PrintSpace;

typedef struct Printer {
    const Module *mod;
    ByteBuf *out;
    int indent;              /* in steps of two spaces */
    Arena arena;             /* ids and scratch */
    const char **ids[PS_COUNT];
    uint32_t n_ids[PS_COUNT];
} Printer;

void wp_newline(Printer *p);
/* `$id` or the decimal index. */
void wp_index(Printer *p, PrintSpace space, uint32_t index);
/* A quoted string with \hh escapes for everything but printable ASCII. */
void wp_string(Printer *p, const uint8_t *bytes, size_t len);
void wp_valtype(Printer *p, ValType t);
void wp_heaptype(Printer *p, int32_t heap);
void wp_reftype(Printer *p, bool nullable, int32_t heap);

/* wat_printer_instr.c */
void wp_f32(ByteBuf *b, uint32_t bits);
void wp_f64(ByteBuf *b, uint64_t bits);
/* One instruction's keyword and immediates (no newline). */
void wp_instr(Printer *p, const Instr *ins);
/* Instructions one per line, indented by block structure. The final END of
 * a body is not printed (the enclosing field's parenthesis closes it). */
void wp_body(Printer *p, const Instr *instrs, uint32_t n);
/* A constant expression flat on the current line, without its END. */
void wp_const_expr(Printer *p, const ConstExpr *e);

#endif
