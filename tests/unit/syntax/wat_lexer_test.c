/* The WAT lexer: token kinds, identifiers (plain and quoted), strings with
 * escapes, nested comments, dropped annotations, matched parentheses, and the
 * reference interpreter's lexical error texts. */
#include <string.h>

#include "../test.h"
#include "syntax/wat_lexer.h"

typedef struct Lexed {
    Arena arena;
    TokenList tl;
} Lexed;

static void lex(Lexed *l, const char *text) {
    arena_init(&l->arena);
    Diag d;
    Err err = wat_lex(text, strlen(text), &l->arena, &l->tl, &d);
    CHECK(err == OK);
}

static void done(Lexed *l) {
    wat_tokens_free(&l->tl);
    arena_fini(&l->arena);
}

static int text_is(const Token *t, const char *s) {
    return t->len == strlen(s) && memcmp(t->text, s, t->len) == 0;
}

static void test_tokens(void) {
    Lexed l;
    lex(&l, "(module $x $\"a b\" \"s\\n\\u{41}\\41\" 0x1_0 (; a (; nested ;) ;) ;; line\n"
            " (@annot x (y) \"z\") i32.const -1.5)");
    const Token *t = l.tl.toks;
    CHECK(l.tl.n == 10);
    CHECK(t[0].kind == TOK_LPAR && t[0].match == 8);
    CHECK(t[1].kind == TOK_ATOM && text_is(&t[1], "module"));
    CHECK(t[2].kind == TOK_ID && text_is(&t[2], "x"));
    CHECK(t[3].kind == TOK_ID && text_is(&t[3], "a b"));
    CHECK(t[4].kind == TOK_STRING);
    uint32_t n;
    uint8_t *s = wat_string_decode(t[4].text, t[4].len, &l.arena, &n);
    CHECK(n == 4 && memcmp(s, "s\nAA", 4) == 0);
    CHECK(t[5].kind == TOK_ATOM && text_is(&t[5], "0x1_0"));
    CHECK(t[6].kind == TOK_ATOM && text_is(&t[6], "i32.const"));
    CHECK(t[6].line == 2);
    CHECK(t[7].kind == TOK_ATOM && text_is(&t[7], "-1.5"));
    CHECK(t[8].kind == TOK_RPAR);
    CHECK(t[9].kind == TOK_EOF);
    done(&l);
}

static void test_reserved(void) {
    Lexed l;
    lex(&l, "a\"b\" , $x\"y\"");
    CHECK(l.tl.toks[0].kind == TOK_RESERVED && text_is(&l.tl.toks[0], "a\"b\""));
    CHECK(l.tl.toks[1].kind == TOK_RESERVED);
    CHECK(l.tl.toks[2].kind == TOK_RESERVED);
    done(&l);
}

/* The first error token's message. */
static void check_error(const char *text, const char *msg) {
    Lexed l;
    lex(&l, text);
    const Token *err = NULL;
    for (uint32_t i = 0; i < l.tl.n; i++)
        if (l.tl.toks[i].kind == TOK_ERROR && !err)
            err = &l.tl.toks[i];
    CHECK(err != NULL);
    if (err && !text_is(err, msg)) {
        fprintf(stderr, "  %s: got \"%.*s\", want \"%s\"\n", text, (int)err->len, err->text, msg);
        CHECK(0);
    }
    done(&l);
}

static void test_errors(void) {
    check_error("\"abc", "unclosed string");
    check_error("\"a\nb\"", "unclosed string");
    check_error("\"\\q\"", "illegal escape");
    check_error("\"\\u{d800}\"", "illegal escape");
    check_error("(@a \x01)", "illegal character");
    check_error("(@a \xe0)", "malformed UTF-8 encoding");
    check_error("$", "empty identifier");
    check_error("$\"\"", "empty identifier");
    check_error("$\"\\ef\"", "malformed UTF-8 encoding");
    check_error("(@)", "empty annotation id");
    check_error("(@x (y)", "unclosed annotation");
    check_error("(; (; ;)", "unclosed comment");
    check_error(";; \xff\n", "malformed UTF-8 encoding");
}

static void test_annotation_body(void) {
    Lexed l;
    lex(&l, "(@a (@) @ (;c;) \"s\") x");
    CHECK(l.tl.n == 2);
    CHECK(text_is(&l.tl.toks[0], "x"));
    done(&l);
}

TEST_MAIN("wat_lexer", TEST_CASE(test_tokens), TEST_CASE(test_reserved), TEST_CASE(test_errors),
          TEST_CASE(test_annotation_body))
