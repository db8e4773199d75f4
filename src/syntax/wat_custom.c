/* Custom annotations: (@custom "name" (before|after section)? "bytes"*)
 * among a module's fields become custom sections placed where they say
 * (spec: Custom Annotations appendix); anywhere else they are "misplaced".
 * (@metadata.code.branch_hint "\00"|"\01") inside a function hints the
 * instruction that follows it (branch hinting proposal); the binary writer
 * encodes the hints. The lexer keeps annotation bodies aside; the module's own
 * tokens never see them. */
#include <string.h>

#include "wat_int.h"

/* The writer's section order; a custom section sits after the `after` id. */
static const struct {
    const char *name;
    uint8_t id;
} kinds[] = {
    {"type", 1},    {"import", 2}, {"func", 3},   {"table", 4},      {"memory", 5},
    {"tag", 13},    {"global", 6}, {"export", 7}, {"start", 8},      {"elem", 9},
    {"datacount", 12}, {"code", 10}, {"data", 11},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static Err annot_fail(WatParser *p, const Token *t, const char *msg) {
    return FAIL_TEXT(p->diag, ERR_MALFORMED, t->line, t->col, "@custom annotation: %s", msg);
}

/* (before X) / (after X) at t[0] == '('; sets *after and advances *i. */
static Err placement(WatParser *p, const Token *t, uint32_t *i, uint8_t *after) {
    const Token *dir = &t[*i + 1];
    bool before = wat_tok_is(dir, "before");
    if (!before && !wat_tok_is(dir, "after"))
        return annot_fail(p, dir, "malformed placement");
    const Token *k = &t[*i + 2];
    int found = -1;
    if (wat_tok_is(k, "first"))
        found = before ? -2 : 0;
    else if (wat_tok_is(k, "last"))
        found = before ? (int)N_KINDS - 1 : -3;
    for (size_t j = 0; j < N_KINDS; j++)
        if (wat_tok_is(k, kinds[j].name))
            found = (int)j;
    if (found == -1)
        return annot_fail(p, k, "malformed section kind");
    if (t[*i + 3].kind != TOK_RPAR)
        return annot_fail(p, &t[*i + 3], "malformed placement");
    if (found == -2)
        *after = 0;
    else if (found == -3)
        *after = kinds[N_KINDS - 1].id;
    else if (!before || wat_tok_is(k, "last"))
        *after = kinds[found].id;
    else
        *after = found == 0 ? 0 : kinds[found - 1].id;
    *i += 4;
    return OK;
}

static Err custom_section(WatParser *p, const CustomAnnot *a, CustomSection *out) {
    const Token *t = &p->tl->annot_toks[a->first];
    memset(out, 0, sizeof *out);
    out->after = kinds[N_KINDS - 1].id;
    if (t[0].kind != TOK_STRING)
        return annot_fail(p, &t[0], "missing section name");
    uint32_t n;
    uint8_t *name = wat_string_decode(t[0].text, t[0].len, p->arena, &n);
    if (!name)
        return FAIL_NOMEM(p->diag);
    if (!utf8_valid(name, n))
        return annot_fail(p, &t[0], "malformed UTF-8 encoding");
    out->name.str = (const char *)name;
    out->name.len = n;
    uint32_t i = 1;
    if (t[i].kind == TOK_LPAR)
        TRY(placement(p, t, &i, &out->after));
    ByteBuf b;
    buf_init(&b);
    for (; t[i].kind == TOK_STRING; i++) {
        uint8_t *bytes = wat_string_decode(t[i].text, t[i].len, p->arena, &n);
        if (!bytes)
            b.failed = true;
        else
            buf_bytes(&b, bytes, n);
    }
    Err err = OK;
    if (i < a->n)
        err = annot_fail(p, &t[i], "unexpected token");
    else if (b.failed || !(out->bytes = arena_memdup(p->arena, b.data ? b.data : (uint8_t *)"", b.len)))
        err = FAIL_NOMEM(p->diag);
    out->len = (uint32_t)b.len;
    buf_fini(&b);
    return err;
}

/* Is token index `at` a field boundary of the module's top level? */
static bool at_top_level(const WatParser *p, uint32_t at, uint32_t start, uint32_t end) {
    for (uint32_t i = start; i < end; i = p->toks[i].match + 1)
        if (i == at)
            return true;
    return at == end;
}

/* May a (@name ...) stand at token `at` inside a field? Right after the
 * keyword (and $id) of a form that defines something nameable. */
static bool name_allowed_inside(const WatParser *p, uint32_t at, uint32_t start) {
    static const char *const kws[] = {"func", "table", "memory", "global", "tag", "elem",
                                      "data", "type", "local", "param", "field", "import"};
    uint32_t k = at - 1;
    if (k > start && p->toks[k].kind == TOK_ID)
        k--;
    if (k <= start || p->toks[k - 1].kind != TOK_LPAR)
        return false;
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (wat_tok_is(&p->toks[k], kws[i]))
            return true;
    return false;
}

/* (@name "...") : the module's name right at the start, or a name inside a
 * definition (accepted, not yet recorded). */
static Err name_annot(WatParser *p, const CustomAnnot *a, uint32_t start, uint32_t end) {
    const Token *t = &p->tl->annot_toks[a->first];
    if (a->n != 1 || t[0].kind != TOK_STRING)
        return FAIL_TEXT(p->diag, ERR_MALFORMED, t[0].line, t[0].col,
                         "@name annotation: unexpected token");
    uint32_t n;
    uint8_t *name = wat_string_decode(t[0].text, t[0].len, p->arena, &n);
    if (!name)
        return FAIL_NOMEM(p->diag);
    if (!utf8_valid(name, n))
        return FAIL_TEXT(p->diag, ERR_MALFORMED, t[0].line, t[0].col,
                         "@name annotation: malformed UTF-8 encoding");
    if (a->at == start) {
        Names *names = &p->mod->names;
        if (names->has_module_name)
            return FAIL_TEXT(p->diag, ERR_MALFORMED, a->line, a->col,
                             "@name annotation: multiple module names");
        names->present = true;
        names->has_module_name = true;
        names->module.str = (const char *)name;
        names->module.len = n;
        return OK;
    }
    if (at_top_level(p, a->at, start, end) || !name_allowed_inside(p, a->at, start))
        return FAIL_TEXT(p->diag, ERR_MALFORMED, a->line, a->col, "misplaced @name annotation");
    return OK;
}

/* How many annotations stand before tokens start..end; the first is
 * tl->annots[*out_first]. */
static uint32_t annots_in(const TokenList *tl, uint32_t start, uint32_t end, uint32_t *out_first) {
    uint32_t lo = 0, hi = tl ? tl->n_annots : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tl->annots[mid].at < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t count = 0;
    while (tl && lo + count < tl->n_annots && tl->annots[lo + count].at <= end)
        count++;
    *out_first = lo;
    return count;
}

Err wat_custom_sections(WatParser *p, uint32_t start, uint32_t end) {
    const TokenList *tl = p->tl;
    uint32_t first;
    uint32_t count = annots_in(tl, start, end, &first);
    if (count == 0)
        return OK;
    CustomSection *cs = arena_calloc(p->arena, count, sizeof *cs);
    if (!cs)
        return FAIL_NOMEM(p->diag);
    uint32_t n_cs = 0;
    for (uint32_t k = 0; k < count; k++) {
        const CustomAnnot *a = &tl->annots[first + k];
        if (a->kind == ANNOT_BRANCH_HINT)
            continue;
        if (a->kind == ANNOT_NAME) {
            TRY(name_annot(p, a, start, end));
            continue;
        }
        if (!at_top_level(p, a->at, start, end))
            return FAIL_TEXT(p->diag, ERR_MALFORMED, a->line, a->col,
                             "misplaced @custom annotation");
        TRY(custom_section(p, a, &cs[n_cs++]));
    }
    p->mod->customs = cs;
    p->mod->n_customs = n_cs;
    return OK;
}

/* ---- Branch hints ----------------------------------------------------------- */

static Err hint_fail(WatParser *p, uint32_t line, uint32_t col, const char *msg) {
    return FAIL_TEXT(p->diag, ERR_MALFORMED, line, col, "@metadata.code.branch_hint annotation: %s",
                     msg);
}

/* Is token `at` inside a (func ...) field among [start, end)? */
static bool in_function(const WatParser *p, uint32_t at, uint32_t start, uint32_t end) {
    for (uint32_t i = start; i < end && p->toks[i].kind == TOK_LPAR; i = p->toks[i].match + 1)
        if (at > i && at <= p->toks[i].match)
            return wat_tok_is(&p->toks[i + 1], "func");
    return false;
}

/* The payload: strings that decode to the single byte 0 or 1. */
static Err hint_value(WatParser *p, const CustomAnnot *a, uint8_t *out) {
    const Token *t = &p->tl->annot_toks[a->first];
    uint32_t total = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        if (t[i].kind != TOK_STRING)
            return hint_fail(p, t[i].line, t[i].col, "unexpected token");
        uint32_t n;
        uint8_t *bytes = wat_string_decode(t[i].text, t[i].len, p->arena, &n);
        if (!bytes)
            return FAIL_NOMEM(p->diag);
        if (n == 1 && total == 0)
            *out = bytes[0];
        total += n;
    }
    if (total != 1 || *out > 1)
        return hint_fail(p, a->line, a->col, "invalid value");
    return OK;
}

Err wat_branch_hints(WatParser *p, uint32_t start, uint32_t end) {
    uint32_t first;
    uint32_t count = annots_in(p->tl, start, end, &first);
    p->n_hint_annots = 0;
    if (count == 0)
        return OK;
    p->hint_annots = arena_calloc(p->arena, count, sizeof *p->hint_annots);
    if (!p->hint_annots)
        return FAIL_NOMEM(p->diag);
    for (uint32_t k = 0; k < count; k++) {
        const CustomAnnot *a = &p->tl->annots[first + k];
        if (a->kind != ANNOT_BRANCH_HINT)
            continue;
        if (!in_function(p, a->at, start, end))
            return hint_fail(p, a->line, a->col, "not in a function");
        /* annotations come in text order, so equal targets are neighbours */
        if (p->n_hint_annots && p->hint_annots[p->n_hint_annots - 1].at == a->at)
            return hint_fail(p, a->line, a->col, "duplicate annotation");
        HintAnnot *h = &p->hint_annots[p->n_hint_annots++];
        h->at = a->at;
        h->line = a->line;
        h->col = a->col;
        TRY(hint_value(p, a, &h->value));
    }
    return OK;
}

Err wat_hint_instr(WatParser *p, uint32_t at) {
    uint32_t lo = 0, hi = p->n_hint_annots;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->hint_annots[mid].at < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == p->n_hint_annots || p->hint_annots[lo].at != at || p->hint_annots[lo].used)
        return OK;
    p->hint_annots[lo].used = true;
    BranchHint h = {(uint32_t)p->code.len, p->hint_annots[lo].value};
    if (!VEC_PUSH(&p->hints, h))
        return FAIL_NOMEM(p->diag);
    return OK;
}

Err wat_take_hints(WatParser *p, Code *code) {
    code->n_hints = 0;
    code->hints = NULL;
    if (p->hints.len == 0)
        return OK;
    BranchHint *h = wat_alloc(p, p->hints.len * sizeof *h);
    if (!h)
        return FAIL_NOMEM(p->diag);
    /* a folded `if` is emitted after its condition, which may hold hints too */
    for (size_t i = 0; i < p->hints.len; i++) {
        size_t j = i;
        for (; j > 0 && h[j - 1].instr > p->hints.data[i].instr; j--)
            h[j] = h[j - 1];
        h[j] = p->hints.data[i];
    }
    code->hints = h;
    code->n_hints = (uint32_t)p->hints.len;
    p->hints.len = 0;
    return OK;
}

Err wat_check_hints_used(WatParser *p) {
    for (uint32_t i = 0; i < p->n_hint_annots; i++)
        if (!p->hint_annots[i].used)
            return hint_fail(p, p->hint_annots[i].line, p->hint_annots[i].col, "invalid target");
    return OK;
}
