/* Component validator, names: kebab-case labels, extern names (plain,
 * [constructor]/[method]/[static] annotated, interface names with semver
 * versions, dependency names), their attributes (`implements`), the
 * annotated functions' signatures, and uniqueness (case-insensitive for
 * plain names). Messages follow the suite. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "comp_valid_int.h"

/* A word: lowercase letters and digits, or uppercase letters and digits;
 * the first word of a label must start with a letter. */
static bool word_ok(const char *s, size_t n, bool first) {
    if (n == 0 || (first && !isalpha((unsigned char)s[0])))
        return false;
    int cls = 0; /* 1 lower, 2 upper */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isdigit(c))
            continue;
        if (!isalpha(c))
            return false;
        int k = islower(c) ? 1 : 2;
        if (cls && cls != k)
            return false;
        cls = k;
    }
    return true;
}

static bool kebab(const char *s, size_t n) {
    if (n == 0)
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '-') {
            if (!word_ok(s + start, i - start, start == 0))
                return false;
            start = i + 1;
        }
    }
    return true;
}

Err cv_label(V *v, Name n, const char *what) {
    if (n.len == 0)
        return cv_fail(v, "%s name cannot be empty", what);
    if (!kebab(n.str, n.len))
        return cv_fail(v, "%s name `%s` is not in kebab case", what, n.str);
    return OK;
}

static bool same_ci(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

Err cv_unique_labels(V *v, const Name *names, uint32_t n, size_t stride, const char *what,
                     const char *prev_what) {
    for (uint32_t i = 0; i < n; i++) {
        const Name *a = (const Name *)((const char *)names + i * stride);
        for (uint32_t j = 0; j < i; j++) {
            const Name *b = (const Name *)((const char *)names + j * stride);
            if (same_ci(a->str, b->str))
                return cv_fail(v, "%s name `%s` conflicts with previous %s name `%s`", what,
                               a->str, prev_what, b->str);
        }
    }
    return OK;
}

/* ---- Semver ----------------------------------------------------------------- */

static bool semver_num(const char **p, const char *what, char *msg, size_t size) {
    const char *s = *p;
    if (!*s) {
        snprintf(msg, size, "unexpected end of input while parsing %s version number", what);
        return false;
    }
    if (!isdigit((unsigned char)*s)) {
        snprintf(msg, size, "unexpected character '%c' while parsing %s version number", *s, what);
        return false;
    }
    if (*s == '0' && isdigit((unsigned char)s[1])) {
        snprintf(msg, size, "invalid leading zero in %s version number", what);
        return false;
    }
    while (isdigit((unsigned char)*s))
        s++;
    *p = s;
    return true;
}

static bool semver_idents(const char **p, const char *what, char *msg, size_t size) {
    const char *s = *p;
    for (;;) {
        const char *start = s;
        while (isalnum((unsigned char)*s) || *s == '-')
            s++;
        if (s == start) {
            snprintf(msg, size, "empty identifier segment in %s", what);
            return false;
        }
        if (*s != '.')
            break;
        s++;
    }
    *p = s;
    return true;
}

static bool semver(const char *s, char *msg, size_t size) {
    if (!*s) {
        snprintf(msg, size, "empty string, expected a semver version");
        return false;
    }
    if (!semver_num(&s, "major", msg, size))
        return false;
    if (*s != '.') {
        snprintf(msg, size, *s ? "unexpected character '%c' after major version number"
                               : "unexpected end of input after major version number", *s);
        return false;
    }
    s++;
    if (!semver_num(&s, "minor", msg, size))
        return false;
    if (*s != '.') {
        snprintf(msg, size, *s ? "unexpected character '%c' after minor version number"
                               : "unexpected end of input after minor version number", *s);
        return false;
    }
    s++;
    if (!semver_num(&s, "patch", msg, size))
        return false;
    if (*s == '-') {
        s++;
        if (!semver_idents(&s, "pre-release identifier", msg, size))
            return false;
    }
    if (*s == '+') {
        s++;
        if (!semver_idents(&s, "build metadata", msg, size))
            return false;
    }
    if (*s) {
        snprintf(msg, size, "unexpected character '%c' after patch version number", *s);
        return false;
    }
    return true;
}

/* ---- Extern names ----------------------------------------------------------- */

/* A namespace or package name: kebab case of lowercase words (Explainer.md:
 * `words ::= word | words '-' word`, `word ::= [a-z] [0-9a-z]*`). */
static bool lower_words(const char *s, size_t n) {
    if (!kebab(s, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if (isupper((unsigned char)s[i]))
            return false;
    return true;
}

static bool words_ok(const char *s, size_t n, char *msg, size_t size) {
    if (!kebab(s, n)) {
        snprintf(msg, size, "`%.*s` is not in kebab case", (int)n, s);
        return false;
    }
    if (!lower_words(s, n)) {
        snprintf(msg, size, "`%.*s` is not a valid package or namespace name: words must be "
                            "lowercase", (int)n, s);
        return false;
    }
    return true;
}

/* `ns:pkg/iface(@version)?`; false with msg when malformed. */
static bool interface_name(const char *s, char *msg, size_t size) {
    const char *colon = strchr(s, ':');
    if (!words_ok(s, (size_t)(colon - s), msg, size))
        return false;
    const char *pkg = colon + 1;
    size_t n = strcspn(pkg, "/@:");
    if (!words_ok(pkg, n, msg, size))
        return false;
    if (pkg[n] != '/') {
        snprintf(msg, size, "expected `/` after package name");
        return false;
    }
    const char *iface = pkg + n + 1;
    size_t m = strcspn(iface, "/@");
    if (!kebab(iface, m)) {
        snprintf(msg, size, "`%.*s` is not in kebab case", (int)m, iface);
        return false;
    }
    const char *rest = iface + m;
    if (*rest == '/') {
        snprintf(msg, size, "trailing characters found: `%s`", rest);
        return false;
    }
    if (*rest == '@')
        return semver(rest + 1, msg, size);
    return true;
}

static bool dep_name(const char *s) {
    static const char *const prefixes[] = {"unlocked-dep=<", "locked-dep=<", "url=<",
                                           "relative-url=<", "integrity=<"};
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0 && n > 0 && s[n - 1] == '>')
            return true;
    return false;
}

typedef enum NameKind { NK_PLAIN, NK_CTOR, NK_METHOD, NK_STATIC, NK_IFACE, NK_DEP } NameKind;

typedef struct ParsedName {
    NameKind kind;
    const char *res, *item; /* annotated: resource label and item label */
    size_t res_len, item_len;
} ParsedName;

static const char *annot(const char *s, NameKind *kind) {
    static const struct { const char *p; NameKind k; } tab[] = {
        {"[constructor]", NK_CTOR},     {"[method]", NK_METHOD},
        {"[static]", NK_STATIC},        {"[async method]", NK_METHOD},
        {"[async static]", NK_STATIC},  {"[async]", NK_PLAIN},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        size_t n = strlen(tab[i].p);
        if (strncmp(s, tab[i].p, n) == 0) {
            *kind = tab[i].k;
            return s + n;
        }
    }
    return NULL;
}

static bool parse_name(const char *s, ParsedName *out, char *msg, size_t size) {
    memset(out, 0, sizeof *out);
    NameKind k;
    const char *rest = annot(s, &k);
    if (rest) {
        out->kind = k;
        if (k == NK_METHOD || k == NK_STATIC) {
            const char *dot = strchr(rest, '.');
            if (!dot) {
                snprintf(msg, size, "failed to find `.` character");
                return false;
            }
            out->res = rest;
            out->res_len = (size_t)(dot - rest);
            out->item = dot + 1;
            out->item_len = strlen(dot + 1);
            if (!kebab(out->res, out->res_len) || !kebab(out->item, out->item_len)) {
                snprintf(msg, size, "`%s` is not in kebab case",
                         !kebab(out->res, out->res_len) ? rest : out->item);
                return false;
            }
            return true;
        }
        out->res = rest;
        out->res_len = strlen(rest);
        if (!kebab(rest, out->res_len)) {
            snprintf(msg, size, "`%s` is not in kebab case", rest);
            return false;
        }
        return true;
    }
    if (strchr(s, ':')) {
        out->kind = NK_IFACE;
        return interface_name(s, msg, size);
    }
    if (dep_name(s)) {
        out->kind = NK_DEP;
        return true;
    }
    out->kind = NK_PLAIN;
    if (!kebab(s, strlen(s))) {
        snprintf(msg, size, "`%s` is not in kebab case", s);
        return false;
    }
    return true;
}

/* The name a type import/export in `names` gives resource reference
 * (r, alias) (wasmparser: ComponentNameContext), or NULL. */
static const char *resource_name(const DeclVec *names, const CompResourceType *r,
                                 const void *alias) {
    for (size_t i = 0; names && i < names->len; i++) {
        const CompExternType *t = &names->data[i].type;
        if (t->kind == CEXT_TYPE && t->type.resource == r && t->type.alias == alias)
            return names->data[i].name;
    }
    return NULL;
}

static bool resource_name_known(const DeclVec *names, const char *r, size_t n) {
    for (size_t i = 0; names && i < names->len; i++) {
        const CompExternDecl *d = &names->data[i];
        if (d->type.kind == CEXT_TYPE && d->type.type.resource && strlen(d->name) == n &&
            memcmp(d->name, r, n) == 0)
            return true;
    }
    return false;
}

static const CompValType *own_of(const CompValType *t) {
    if (!t)
        return NULL;
    if (t->kind == CVT_OWN)
        return t;
    if (t->kind == CVT_RESULT && t->result.ok && t->result.ok->kind == CVT_OWN)
        return t->result.ok;
    return NULL;
}

static Err resource_matches(V *v, const ParsedName *pn, const CompValType *t,
                            const DeclVec *names) {
    const char *want = resource_name(names, t->resource, t->alias);
    if (!want)
        return cv_fail(v, "resource used in function does not have a name in this context");
    if (strlen(want) != pn->res_len || memcmp(want, pn->res, pn->res_len) != 0)
        return cv_fail(v, "function does not match expected resource name `%s`", want);
    return OK;
}

static Err annotated(V *v, const ParsedName *pn, const CompExternType *t, const DeclVec *names) {
    if (t->kind != CEXT_FUNC)
        return cv_fail(v, "item is not a func");
    const CompFuncType *f = t->func;
    if (pn->kind == NK_CTOR) {
        if (f->n_results != 1)
            return cv_fail(v, "function should return one value");
        const CompValType *r = own_of(f->results[0].type);
        if (!r)
            return cv_fail(v, "function should return `(own $T)` or `(result (own $T))`");
        return resource_matches(v, pn, r, names);
    }
    if (pn->kind == NK_METHOD) {
        if (f->n_params == 0)
            return cv_fail(v, "function should have at least one argument");
        if (strcmp(f->params[0].name, "self") != 0)
            return cv_fail(v, "function should have a first argument called `self`");
        const CompValType *p = f->params[0].type;
        if (p->kind != CVT_BORROW)
            return cv_fail(v, "function should take a first argument of `(borrow $T)`");
        return resource_matches(v, pn, p, names);
    }
    if (!resource_name_known(names, pn->res, pn->res_len))
        return cv_fail(v, "static resource name is not known in this context");
    return OK;
}

/* The key two names conflict on: plain labels ignoring case. */
/* The part of a plain or annotated name that must be unique: the label,
 * `r.m` for methods and statics, `[constructor]r` for constructors. */
static const char *conflict_key(const char *s, NameKind *kind) {
    const char *r = annot(s, kind);
    if (!r) {
        *kind = NK_PLAIN;
        return s;
    }
    return *kind == NK_CTOR ? s : r;
}

static bool conflicts(const char *a, const char *b) {
    if (strchr(a, ':') || strchr(b, ':') || dep_name(a) || dep_name(b))
        return strcmp(a, b) == 0;
    NameKind ka, kb;
    const char *xa = conflict_key(a, &ka), *xb = conflict_key(b, &kb);
    if (same_ci(xa, xb))
        return true;
    /* `[method]a.a` clashes with a plain `a` */
    for (int k = 0; k < 2; k++) {
        const char *m = k ? xb : xa, *p = k ? xa : xb;
        NameKind km = k ? kb : ka, kp = k ? ka : kb;
        const char *dot = strchr(m, '.');
        if ((km == NK_METHOD || km == NK_STATIC) && kp == NK_PLAIN && dot &&
            (size_t)(dot - m) == strlen(dot + 1) && strncmp(m, dot + 1, (size_t)(dot - m)) == 0 &&
            same_ci(dot + 1, p))
            return true;
    }
    return false;
}

Err cv_extern_name(V *v, const CompExternName *n, bool is_import, const CompExternType *t,
                   const DeclVec *prev, const DeclVec *names) {
    const char *what = is_import ? "import" : "export";
    const char *s = n->name.str;
    char msg[DIAG_MSG_MAX];
    ParsedName pn;
    if (n->dup_implements)
        return cv_fail(v, "duplicate 'implements' option in name");
    if (!parse_name(s, &pn, msg, sizeof msg))
        return cv_fail(v, "%s name `%s` is not a valid extern name: %s", what, s, msg);
    if ((n->has_implements || n->has_external_id) && !(v->features & COMP_FEAT_IMPLEMENTS))
        return cv_fail(v, "the `cm-implements` feature is not active");
    if (n->has_implements) {
        if (t->kind != CEXT_INSTANCE)
            return cv_fail(v, "only instances can have an `implements` option");
        if (pn.kind != NK_PLAIN)
            return cv_fail(v, "name `%s` is not valid with `implements`", s);
        if (n->implements.len == 0)
            return cv_fail(v, "`` is not a valid name for `implements`");
        if (!strchr(n->implements.str, ':'))
            return cv_fail(v, "`implements` name `%s` must be an interface", n->implements.str);
        if (!interface_name(n->implements.str, msg, sizeof msg))
            return cv_fail(v, "`implements` name is not a valid name: %s", msg);
    }
    if (pn.kind == NK_CTOR || pn.kind == NK_METHOD || pn.kind == NK_STATIC)
        TRY(annotated(v, &pn, t, names));
    for (size_t i = 0; i < prev->len; i++)
        if (conflicts(s, prev->data[i].name))
            return cv_fail(v, "%s name `%s` conflicts with previous name `%s`", what, s,
                           prev->data[i].name);
    return OK;
}
