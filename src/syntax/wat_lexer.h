/* The WAT/WAST lexer: turns text into an array of tokens in one pass.
 * Comments and annotations (@id ...) are dropped; every '(' knows the index
 * of its matching ')' so parsers skip whole forms in O(1). A lexical error
 * becomes a TOK_ERROR token (then TOK_EOF) so it is reported only when the
 * parser reaches it, as the reference interpreter's lazy lexer does. */
#ifndef WASMC_SYNTAX_WAT_LEXER_H
#define WASMC_SYNTAX_WAT_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

typedef enum TokKind {
    TOK_EOF,
    TOK_LPAR,
    TOK_RPAR,
    TOK_ATOM,     /* keyword or number: a run of idchars not starting with '$' */
    TOK_ID,       /* $name or $"name": text is the name without '$', decoded */
    TOK_STRING,   /* text is the raw content between the quotes (escapes kept) */
    TOK_RESERVED, /* anything else the grammar reserves: "unknown operator" */
    TOK_ERROR,    /* a lexical error: text is the message */
} TokKind;

typedef struct Token {
    const char *text;
    uint32_t len;
    uint32_t match; /* TOK_LPAR: index of the matching TOK_RPAR, or of the final TOK_EOF */
    uint32_t line, col;
    uint8_t kind;   /* TokKind */
} Token;

typedef enum AnnotKind {
    ANNOT_CUSTOM,      /* (@custom ...) */
    ANNOT_NAME,        /* (@name ...) */
    ANNOT_BRANCH_HINT, /* (@metadata.code.branch_hint ...) */
} AnnotKind;

/* A (@custom ...), (@name ...) or (@metadata.code.branch_hint ...) annotation
 * (not nested in another one): the parser turns it into a custom section, a
 * name or a branch hint, or reports it misplaced. */
typedef struct CustomAnnot {
    uint8_t kind;         /* AnnotKind */
    uint32_t at;          /* index in toks of the token that follows it */
    uint32_t first, n;    /* its body tokens (after the id) in annot_toks */
    uint32_t line, col;   /* of the "(@" */
} CustomAnnot;

/* Extra TOK_EOF tokens after the list's last token, so lookahead past the
 * end (or past an unclosed '(' whose match is the EOF) stays in bounds. */
#define WAT_TOKEN_PAD 4

typedef struct TokenList {
    Token *toks; /* mem_alloc'd; toks[n - 1] is TOK_EOF, followed by WAT_TOKEN_PAD more */
    uint32_t n;
    Token *annot_toks;    /* mem_alloc'd; bodies of the custom annotations */
    CustomAnnot *annots;  /* mem_alloc'd, in text order */
    uint32_t n_annots;
} TokenList;

/* Tokenize text[0..len). Quoted identifiers are decoded into `arena`, which
 * must outlive the tokens (as must `text`). Fails only on allocation failure
 * or input too large; lexical errors become a TOK_ERROR token. */
Err wat_lex(const char *text, size_t len, Arena *arena, TokenList *out, Diag *diag) WARN_UNUSED;
void wat_tokens_free(TokenList *list);

/* Decode a string token's raw content into bytes in `arena`. The lexer has
 * already checked the escapes. */
uint8_t *wat_string_decode(const char *raw, uint32_t raw_len, Arena *arena, uint32_t *out_len);

/* True for characters allowed in keywords, numbers and identifiers. */
bool wat_is_idchar(unsigned char c);

#endif
