/* The WAT/WAST lexer (see wat_lexer.h). Error texts follow the reference
 * interpreter ("unclosed string", "illegal character", "malformed UTF-8
 * encoding", "empty identifier", "empty annotation id", "unclosed annotation",
 * "unclosed comment") because the spec tests compare them. */
#include "wat_lexer.h"

#include <string.h>

typedef struct Lexer {
    const char *src;
    size_t len, pos;
    uint32_t line;
    size_t line_start;
    Arena *arena;
    VEC(Token) toks;
    VEC(uint32_t) open; /* indices of unmatched '(' tokens */
    VEC(Token) annot_toks;
    VEC(CustomAnnot) annots;
    const char *error;  /* the first lexical error, or NULL */
    uint32_t err_line, err_col;
} Lexer;

bool wat_is_idchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

static uint32_t column(const Lexer *lx, size_t pos) {
    return (uint32_t)(pos - lx->line_start + 1);
}

static void set_error(Lexer *lx, size_t pos, const char *msg) {
    if (lx->error)
        return;
    lx->error = msg;
    lx->err_line = lx->line;
    lx->err_col = column(lx, pos);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Length of the valid UTF-8 sequence at p (non-ASCII lead byte), 0 if malformed. */
static size_t utf8_len_at(const Lexer *lx, size_t p) {
    uint32_t cp;
    return utf8_decode((const uint8_t *)lx->src + p, lx->len - p, &cp);
}

/* Scan a string starting at the opening quote at `p`. On success returns the
 * position after the closing quote; on error returns 0 and sets *msg. */
static size_t scan_string(const Lexer *lx, size_t p, const char **msg) {
    p++;
    while (p < lx->len) {
        unsigned char c = (unsigned char)lx->src[p];
        if (c == '"')
            return p + 1;
        if (c == '\n') {
            *msg = "unclosed string";
            return 0;
        }
        if (c < 0x20 || c == 0x7f) {
            *msg = "illegal control character in string";
            return 0;
        }
        if (c >= 0x80) {
            size_t n = utf8_len_at(lx, p);
            if (!n) {
                *msg = "malformed UTF-8 encoding";
                return 0;
            }
            p += n;
            continue;
        }
        if (c != '\\') {
            p++;
            continue;
        }
        if (p + 1 >= lx->len)
            break;
        char e = lx->src[p + 1];
        if (strchr("nrt\\'\"", e)) {
            p += 2;
        } else if (e == 'u' && p + 2 < lx->len && lx->src[p + 2] == '{') {
            size_t q = p + 3;
            uint64_t cp = 0;
            bool any = false;
            while (q < lx->len && (hexval(lx->src[q]) >= 0 || (lx->src[q] == '_' && any))) {
                if (lx->src[q] != '_') {
                    cp = cp * 16 + (uint64_t)hexval(lx->src[q]);
                    if (cp > 0x10ffff)
                        cp = 0x110000;
                }
                any = true;
                q++;
            }
            if (!any || q >= lx->len || lx->src[q] != '}' || cp >= 0x110000 ||
                (cp >= 0xd800 && cp < 0xe000)) {
                *msg = "illegal escape";
                return 0;
            }
            p = q + 1;
        } else if (hexval(e) >= 0 && p + 2 < lx->len && hexval(lx->src[p + 2]) >= 0) {
            p += 3;
        } else {
            *msg = "illegal escape";
            return 0;
        }
    }
    *msg = "unclosed string";
    return 0;
}

uint8_t *wat_string_decode(const char *raw, uint32_t raw_len, Arena *arena, uint32_t *out_len) {
    uint8_t *out = arena_alloc(arena, raw_len + 1);
    if (!out)
        return NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < raw_len;) {
        char c = raw[i];
        if (c != '\\') {
            out[n++] = (uint8_t)c;
            i++;
            continue;
        }
        char e = raw[i + 1];
        switch (e) {
        case 'n': out[n++] = '\n'; i += 2; break;
        case 'r': out[n++] = '\r'; i += 2; break;
        case 't': out[n++] = '\t'; i += 2; break;
        case '\\': case '\'': case '"': out[n++] = (uint8_t)e; i += 2; break;
        case 'u': {
            uint32_t cp = 0;
            i += 3;
            for (; raw[i] != '}'; i++)
                if (raw[i] != '_')
                    cp = cp * 16 + (uint32_t)hexval(raw[i]);
            i++;
            n += (uint32_t)utf8_encode(cp, out + n);
            break;
        }
        default:
            out[n++] = (uint8_t)(hexval(e) * 16 + hexval(raw[i + 2]));
            i += 3;
            break;
        }
    }
    out[n] = 0;
    *out_len = n;
    return out;
}

static bool push(Lexer *lx, uint8_t kind, size_t start, size_t len, uint32_t line, uint32_t col) {
    Token t = {lx->src + start, (uint32_t)len, 0, line, col, kind};
    return VEC_PUSH(&lx->toks, t);
}

static void newline(Lexer *lx, size_t pos_after) {
    lx->line++;
    lx->line_start = pos_after;
}

/* Skip a line comment at lx->pos (";;"). */
static void skip_line_comment(Lexer *lx) {
    size_t p = lx->pos + 2;
    /* spec: a line comment ends at a newline, which is LF or CR */
    while (p < lx->len && lx->src[p] != '\n' && lx->src[p] != '\r') {
        if ((unsigned char)lx->src[p] >= 0x80) {
            size_t n = utf8_len_at(lx, p);
            if (!n) {
                set_error(lx, p, "malformed UTF-8 encoding");
                lx->pos = lx->len;
                return;
            }
            p += n;
        } else {
            p++;
        }
    }
    lx->pos = p;
}

/* Skip a (possibly nested) block comment at lx->pos ("(;"). */
static void skip_block_comment(Lexer *lx) {
    uint32_t sline = lx->line, scol = column(lx, lx->pos);
    size_t p = lx->pos + 2;
    uint32_t depth = 1;
    while (p < lx->len) {
        char c = lx->src[p];
        if (c == '(' && p + 1 < lx->len && lx->src[p + 1] == ';') {
            depth++;
            p += 2;
        } else if (c == ';' && p + 1 < lx->len && lx->src[p + 1] == ')') {
            p += 2;
            if (--depth == 0) {
                lx->pos = p;
                return;
            }
        } else if (c == '\n') {
            newline(lx, ++p);
        } else if ((unsigned char)c >= 0x80) {
            size_t n = utf8_len_at(lx, p);
            if (!n) {
                set_error(lx, p, "malformed UTF-8 encoding");
                lx->pos = lx->len;
                return;
            }
            p += n;
        } else {
            p++;
        }
    }
    if (!lx->error) {
        lx->error = "unclosed comment";
        lx->err_line = sline;
        lx->err_col = scol;
    }
    lx->pos = lx->len;
}

/* Report a character that starts no token. */
static void bad_char(Lexer *lx) {
    size_t p = lx->pos;
    unsigned char c = (unsigned char)lx->src[p];
    if (c >= 0x80 && !utf8_len_at(lx, p))
        set_error(lx, p, "malformed UTF-8 encoding");
    else
        set_error(lx, p, "illegal character");
    lx->pos = lx->len;
}

typedef enum LexStep { STEP_TOKEN, STEP_SKIPPED, STEP_DONE } LexStep;

static LexStep lex_one(Lexer *lx, bool *nomem, int annot_depth);

/* Keep the body of a (@custom ...) annotation (tokens [mark, end) minus the
 * closing parenthesis) for the parser. */
static void keep_custom(Lexer *lx, AnnotKind kind, size_t mark, uint32_t line, uint32_t col,
                        bool *nomem) {
    CustomAnnot a = {(uint8_t)kind, (uint32_t)mark, (uint32_t)lx->annot_toks.len, 0, line, col};
    for (size_t i = mark; i + 1 < lx->toks.len; i++)
        if (!VEC_PUSH(&lx->annot_toks, lx->toks.data[i]))
            *nomem = true;
    a.n = (uint32_t)(lx->annot_toks.len - a.first);
    Token end = {lx->src + lx->pos, 0, 0, lx->line, column(lx, lx->pos), TOK_EOF};
    if (!VEC_PUSH(&lx->annot_toks, end) || !VEC_PUSH(&lx->annots, a))
        *nomem = true;
}

/* The kind of an annotation id the parser handles, or -1 for one it skips. */
static int annot_kind(const char *id, size_t len) {
    static const struct {
        const char *id;
        AnnotKind kind;
    } kept[] = {{"custom", ANNOT_CUSTOM},
                {"name", ANNOT_NAME},
                {"metadata.code.branch_hint", ANNOT_BRANCH_HINT}};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (strlen(kept[i].id) == len && memcmp(kept[i].id, id, len) == 0)
            return (int)kept[i].kind;
    return -1;
}

/* Skip an annotation "(@id ...)" whose "(@" is at lx->pos. */
static void skip_annotation(Lexer *lx, bool *nomem, bool top) {
    size_t start = lx->pos;
    uint32_t sline = lx->line, scol = column(lx, start);
    size_t p = start + 2;
    int kind = -1; /* AnnotKind of an annotation kept for the parser */
    if (p < lx->len && lx->src[p] == '"') {
        const char *msg = NULL;
        size_t end = scan_string(lx, p, &msg);
        if (!end || end == p + 2) {
            set_error(lx, start, end || !msg || strcmp(msg, "malformed UTF-8 encoding") != 0
                                     ? "empty annotation id"
                                     : msg);
            lx->pos = lx->len;
            return;
        }
        uint32_t n;
        uint8_t *name = wat_string_decode(lx->src + p + 1, (uint32_t)(end - p - 2), lx->arena, &n);
        if (!name) {
            *nomem = true;
            return;
        }
        if (!utf8_valid(name, n)) {
            set_error(lx, start, "malformed UTF-8 encoding");
            lx->pos = lx->len;
            return;
        }
        p = end;
    } else if (p < lx->len && wat_is_idchar((unsigned char)lx->src[p])) {
        while (p < lx->len && wat_is_idchar((unsigned char)lx->src[p]))
            p++;
        kind = annot_kind(lx->src + start + 2, p - start - 2);
    } else {
        set_error(lx, start, "empty annotation id");
        lx->pos = lx->len;
        return;
    }
    lx->pos = p;
    size_t mark = lx->toks.len;
    int depth = 1;
    while (depth > 0) {
        LexStep s = lex_one(lx, nomem, 1);
        if (*nomem)
            return;
        if (lx->error) {
            lx->toks.len = mark;
            return;
        }
        if (s == STEP_DONE) {
            lx->error = "unclosed annotation";
            lx->err_line = sline;
            lx->err_col = scol;
            lx->toks.len = mark;
            return;
        }
        if (s == STEP_TOKEN) {
            uint8_t k = lx->toks.data[lx->toks.len - 1].kind;
            depth += k == TOK_LPAR ? 1 : k == TOK_RPAR ? -1 : 0;
        }
    }
    if (kind >= 0 && top)
        keep_custom(lx, (AnnotKind)kind, mark, sline, scol, nomem);
    lx->toks.len = mark; /* annotations are not tokens for the parser */
}

/* Lex `$...` at lx->pos. */
static void lex_id(Lexer *lx, bool *nomem, uint32_t line, uint32_t col) {
    size_t start = lx->pos, p = start + 1;
    if (p < lx->len && lx->src[p] == '"') {
        const char *msg = NULL;
        size_t end = scan_string(lx, p, &msg);
        if (!end || end == p + 2) {
            set_error(lx, start, "empty identifier");
            lx->pos = lx->len;
            return;
        }
        uint32_t n;
        uint8_t *name = wat_string_decode(lx->src + p + 1, (uint32_t)(end - p - 2), lx->arena, &n);
        if (!name) {
            *nomem = true;
            return;
        }
        if (!utf8_valid(name, n)) {
            set_error(lx, start, "malformed UTF-8 encoding");
            lx->pos = lx->len;
            return;
        }
        lx->pos = end;
        Token t = {(const char *)name, n, 0, line, col, TOK_ID};
        if (!VEC_PUSH(&lx->toks, t))
            *nomem = true;
        return;
    }
    while (p < lx->len && wat_is_idchar((unsigned char)lx->src[p]))
        p++;
    if (p == start + 1) {
        set_error(lx, start, "empty identifier");
        lx->pos = lx->len;
        return;
    }
    lx->pos = p;
    if (!push(lx, TOK_ID, start + 1, p - start - 1, line, col))
        *nomem = true;
}

/* After a token ending at lx->pos: an idchar or quote glued to it makes the
 * whole run a reserved token. Returns true if it did. */
static bool glue_reserved(Lexer *lx) {
    size_t p = lx->pos;
    if (p >= lx->len)
        return false;
    unsigned char c = (unsigned char)lx->src[p];
    if (!wat_is_idchar(c) && c != '"')
        return false;
    while (p < lx->len) {
        c = (unsigned char)lx->src[p];
        if (c == '"') {
            const char *msg;
            size_t end = scan_string(lx, p, &msg);
            if (!end)
                break;
            p = end;
        } else if (wat_is_idchar(c)) {
            p++;
        } else {
            break;
        }
    }
    Token *t = &lx->toks.data[lx->toks.len - 1];
    t->kind = TOK_RESERVED;
    t->len = (uint32_t)(lx->src + p - t->text);
    lx->pos = p;
    return true;
}

static LexStep lex_one(Lexer *lx, bool *nomem, int annot_depth) {
    while (lx->pos < lx->len) {
        size_t p = lx->pos;
        char c = lx->src[p];
        char next = p + 1 < lx->len ? lx->src[p + 1] : 0;
        uint32_t line = lx->line, col = column(lx, p);
        if (c == ' ' || c == '\t' || c == '\r') {
            lx->pos++;
        } else if (c == '\n') {
            newline(lx, ++lx->pos);
        } else if (c == ';' && next == ';') {
            skip_line_comment(lx);
        } else if (c == '(' && next == ';') {
            skip_block_comment(lx);
        } else if (c == '(' && next == '@' && !annot_depth) {
            skip_annotation(lx, nomem, !annot_depth);
            if (*nomem || lx->error)
                return STEP_DONE;
            if (annot_depth)
                return STEP_SKIPPED;
        } else if (c == '(' || c == ')') {
            lx->pos++;
            if (!push(lx, c == '(' ? TOK_LPAR : TOK_RPAR, p, 1, line, col))
                *nomem = true;
            return STEP_TOKEN;
        } else if (c == '"') {
            const char *msg = NULL;
            size_t end = scan_string(lx, p, &msg);
            if (!end) {
                set_error(lx, p, msg);
                lx->pos = lx->len;
                return STEP_DONE;
            }
            lx->pos = end;
            if (!push(lx, TOK_STRING, p + 1, end - p - 2, line, col))
                *nomem = true;
            else
                glue_reserved(lx);
            return STEP_TOKEN;
        } else if (c == '$') {
            lex_id(lx, nomem, line, col);
            if (lx->error || *nomem)
                return STEP_DONE;
            glue_reserved(lx);
            return STEP_TOKEN;
        } else if (wat_is_idchar((unsigned char)c)) {
            while (lx->pos < lx->len && wat_is_idchar((unsigned char)lx->src[lx->pos]))
                lx->pos++;
            if (!push(lx, TOK_ATOM, p, lx->pos - p, line, col))
                *nomem = true;
            else
                glue_reserved(lx);
            return STEP_TOKEN;
        } else if (c == ',' || c == ';' || c == '[' || c == ']' || c == '{' || c == '}') {
            lx->pos++;
            if (!push(lx, TOK_RESERVED, p, 1, line, col))
                *nomem = true;
            return STEP_TOKEN;
        } else {
            bad_char(lx);
            return STEP_DONE;
        }
        if (lx->error)
            return STEP_DONE;
    }
    return STEP_DONE;
}

static bool finish(Lexer *lx) {
    if (lx->error) {
        Token t = {lx->error, (uint32_t)strlen(lx->error), 0, lx->err_line, lx->err_col, TOK_ERROR};
        if (!VEC_PUSH(&lx->toks, t))
            return false;
    }
    Token eof = {lx->src + lx->len, 0, 0, lx->line, column(lx, lx->len), TOK_EOF};
    /* One EOF token plus WAT_TOKEN_PAD more: parsers look a few tokens ahead
     * (and one past an unclosed '(' whose match is the EOF) without bounds checks. */
    for (int i = 0; i <= WAT_TOKEN_PAD; i++)
        if (!VEC_PUSH(&lx->toks, eof))
            return false;
    /* match parentheses */
    uint32_t eof_index = (uint32_t)lx->toks.len - 1 - WAT_TOKEN_PAD;
    for (uint32_t i = 0; i < eof_index; i++) {
        Token *t = &lx->toks.data[i];
        if (t->kind == TOK_LPAR) {
            if (!VEC_PUSH(&lx->open, i))
                return false;
            t->match = eof_index;
        } else if (t->kind == TOK_RPAR && lx->open.len) {
            lx->toks.data[VEC_POP(&lx->open)].match = i;
        }
    }
    return true;
}

Err wat_lex(const char *text, size_t len, Arena *arena, TokenList *out, Diag *diag) {
    if (len >= UINT32_MAX / 2)
        return FAIL_TEXT(diag, ERR_LIMIT, 1, 1, "text too large");
    Lexer lx = {0};
    lx.src = text;
    lx.len = len;
    lx.line = 1;
    lx.arena = arena;
    bool nomem = false;
    while (!nomem && lex_one(&lx, &nomem, 0) != STEP_DONE) {
    }
    if (nomem || !finish(&lx)) {
        VEC_FREE(&lx.toks);
        VEC_FREE(&lx.open);
        VEC_FREE(&lx.annot_toks);
        VEC_FREE(&lx.annots);
        return FAIL_NOMEM(diag);
    }
    VEC_FREE(&lx.open);
    out->toks = lx.toks.data;
    out->n = (uint32_t)lx.toks.len - WAT_TOKEN_PAD; /* up to and including the EOF */
    out->annot_toks = lx.annot_toks.data;
    out->annots = lx.annots.data;
    out->n_annots = (uint32_t)lx.annots.len;
    return OK;
}

void wat_tokens_free(TokenList *list) {
    mem_free(list->toks);
    mem_free(list->annot_toks);
    mem_free(list->annots);
    memset(list, 0, sizeof *list);
}
