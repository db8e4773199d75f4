/* The engine-wide canonical type registry (spec: Validation > Types, rolling
 * and type equivalence). A recursion group is encoded as a word string where
 * references into the group are group-relative and references out of it are
 * canonical ids; equal strings are equal groups and share canonical ids.
 * Canonical type records live in fixed pages that never move, so subtype
 * queries on ids a caller already holds need no lock; registration locks. */
#include <pthread.h>
#include <string.h>

#include "module_int.h"

enum { PAGE_BITS = 12, PAGE_SIZE = 1u << PAGE_BITS, MAX_PAGES = 4096 };

typedef struct CanonType {
    uint32_t depth;             /* declared-supertype chain length */
    const uint32_t *ancestors;  /* [depth + 1]: root first, this type last */
    const SubType *type;        /* the type, concrete heap types as canonical ids */
} CanonType;

typedef struct Group {
    uint64_t hash;
    uint32_t first_id, n_words;
    uint32_t *words;
} Group;

struct TypeRegistry {
    pthread_mutex_t lock;
    uint32_t count;
    CanonType *pages[MAX_PAGES];
    Group *slots;      /* open addressing; first_id == UINT32_MAX marks empty */
    uint32_t n_slots, n_groups;
    Arena arena;       /* group words and ancestor arrays */
};

TypeRegistry *mod_registry_new(void) {
    TypeRegistry *reg = mem_calloc(1, sizeof *reg);
    if (!reg)
        return NULL;
    if (pthread_mutex_init(&reg->lock, NULL) != 0) {
        mem_free(reg);
        return NULL;
    }
    arena_init(&reg->arena);
    return reg;
}

void mod_registry_delete(TypeRegistry *reg) {
    if (!reg)
        return;
    for (uint32_t i = 0; i < MAX_PAGES && reg->pages[i]; i++)
        mem_free(reg->pages[i]);
    mem_free(reg->slots);
    arena_fini(&reg->arena);
    pthread_mutex_destroy(&reg->lock);
    mem_free(reg);
}

static const CanonType *canon_at(const TypeRegistry *reg, uint32_t id) {
    return &reg->pages[id >> PAGE_BITS][id & (PAGE_SIZE - 1)];
}

bool mod_registry_is_subtype(const TypeRegistry *reg, uint32_t sub, uint32_t super) {
    if (sub == super)
        return true;
    const CanonType *a = canon_at(reg, sub), *b = canon_at(reg, super);
    return b->depth < a->depth && a->ancestors[b->depth] == super;
}

uint32_t mod_registry_count(const TypeRegistry *reg) {
    pthread_mutex_t *lock = (pthread_mutex_t *)&reg->lock;
    pthread_mutex_lock(lock);
    uint32_t n = reg->count;
    pthread_mutex_unlock(lock);
    return n;
}

/* ---- Encoding a group ---------------------------------------------------- */

typedef VEC(uint32_t) Words;

enum { REF_ABSTRACT = 0, REF_LOCAL = 1, REF_CANON = 2 };

/* Where a group comes from: types of a module (concrete heap types are
 * module-local indices, those in [start, start + n) inside the group), or,
 * when mod is NULL, types whose concrete heap types are already canonical ids
 * (never referring into their own group). */
typedef struct GroupSrc {
    const Module *mod;
    const SubType *types; /* [n] */
    uint32_t start, n;
} GroupSrc;

static bool in_group(const GroupSrc *g, int32_t heap) {
    return g->mod && (uint32_t)heap >= g->start && (uint32_t)heap < g->start + g->n;
}

static uint32_t canon_of(const GroupSrc *g, int32_t heap) {
    return g->mod ? g->mod->types[heap].canon : (uint32_t)heap;
}

static bool put(Words *w, uint32_t v) {
    return VEC_PUSH(w, v);
}

static bool put_ref(Words *w, const GroupSrc *g, int32_t heap) {
    if (!ht_is_concrete(heap))
        return put(w, REF_ABSTRACT) && put(w, (uint32_t)heap);
    if (in_group(g, heap))
        return put(w, REF_LOCAL) && put(w, (uint32_t)heap - g->start);
    return put(w, REF_CANON) && put(w, canon_of(g, heap));
}

static bool put_val(Words *w, const GroupSrc *g, ValType t) {
    if (!put(w, (uint32_t)t.kind | (uint32_t)t.nullable << 8))
        return false;
    return t.kind != VK_REF || put_ref(w, g, t.heap);
}

static bool put_sub(Words *w, const GroupSrc *g, const SubType *st) {
    uint32_t head = (uint32_t)st->kind | (uint32_t)st->final << 8 | (uint32_t)st->has_super << 9;
    if (!put(w, head))
        return false;
    if (st->has_super && !put_ref(w, g, (int32_t)st->super))
        return false;
    switch (st->kind) {
    case COMP_FUNC:
        if (!put(w, st->func.n_params) || !put(w, st->func.n_results))
            return false;
        for (uint32_t i = 0; i < st->func.n_params; i++)
            if (!put_val(w, g, st->func.params[i]))
                return false;
        for (uint32_t i = 0; i < st->func.n_results; i++)
            if (!put_val(w, g, st->func.results[i]))
                return false;
        return true;
    case COMP_STRUCT:
        if (!put(w, st->strct.n_fields))
            return false;
        for (uint32_t i = 0; i < st->strct.n_fields; i++) {
            const FieldType *f = &st->strct.fields[i];
            if (!put_val(w, g, f->type) || !put(w, f->mutable_))
                return false;
        }
        return true;
    case COMP_ARRAY:
        return put_val(w, g, st->array.type) && put(w, st->array.mutable_);
    }
    return false;
}

/* ---- Canonical copies of types (caller holds the lock) -------------------- */

static int32_t map_heap(const GroupSrc *g, uint32_t first, int32_t heap) {
    if (!ht_is_concrete(heap))
        return heap;
    if (in_group(g, heap))
        return (int32_t)(first + ((uint32_t)heap - g->start));
    return (int32_t)canon_of(g, heap);
}

static ValType *map_vals(Arena *a, const GroupSrc *g, uint32_t first, const ValType *src,
                         uint32_t n) {
    ValType *out = arena_alloc(a, (n ? n : 1) * sizeof *out);
    if (!out)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = src[i];
        if (src[i].kind == VK_REF)
            out[i].heap = map_heap(g, first, src[i].heap);
    }
    return out;
}

static FieldType *map_fields(Arena *a, const GroupSrc *g, uint32_t first, const FieldType *src,
                             uint32_t n) {
    FieldType *out = arena_alloc(a, (n ? n : 1) * sizeof *out);
    if (!out)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = src[i];
        if (src[i].type.kind == VK_REF)
            out[i].type.heap = map_heap(g, first, src[i].type.heap);
    }
    return out;
}

/* The canonical copy of type i of a new group at first. */
static const SubType *copy_type(TypeRegistry *reg, const GroupSrc *g, uint32_t first, uint32_t i) {
    const SubType *src = &g->types[i];
    SubType *st = arena_alloc(&reg->arena, sizeof *st);
    if (!st)
        return NULL;
    *st = *src;
    st->rec_start = first;
    st->canon = first + i;
    if (st->has_super)
        st->super = (uint32_t)map_heap(g, first, (int32_t)src->super);
    switch (src->kind) {
    case COMP_FUNC:
        st->func.params = map_vals(&reg->arena, g, first, src->func.params, src->func.n_params);
        st->func.results = map_vals(&reg->arena, g, first, src->func.results, src->func.n_results);
        return st->func.params && st->func.results ? st : NULL;
    case COMP_STRUCT:
        st->strct.fields = map_fields(&reg->arena, g, first, src->strct.fields, src->strct.n_fields);
        return st->strct.fields ? st : NULL;
    case COMP_ARRAY:
        if (src->array.type.kind == VK_REF)
            st->array.type.heap = map_heap(g, first, src->array.type.heap);
        return st;
    }
    return NULL;
}

/* ---- The group table (caller holds the lock) ----------------------------- */

static Group *find_group(TypeRegistry *reg, uint64_t hash, const uint32_t *words, uint32_t n) {
    if (!reg->n_slots)
        return NULL;
    for (uint32_t i = (uint32_t)hash & (reg->n_slots - 1);; i = (i + 1) & (reg->n_slots - 1)) {
        Group *g = &reg->slots[i];
        if (g->first_id == UINT32_MAX)
            return NULL;
        if (g->hash == hash && g->n_words == n && memcmp(g->words, words, n * 4u) == 0)
            return g;
    }
}

static void insert_slot(Group *slots, uint32_t n_slots, Group g) {
    uint32_t i = (uint32_t)g.hash & (n_slots - 1);
    while (slots[i].first_id != UINT32_MAX)
        i = (i + 1) & (n_slots - 1);
    slots[i] = g;
}

static bool grow_slots(TypeRegistry *reg) {
    if ((reg->n_groups + 1) * 2 <= reg->n_slots)
        return true;
    uint32_t n = reg->n_slots ? reg->n_slots * 2 : 64;
    Group *slots = mem_alloc(n * sizeof *slots);
    if (!slots)
        return false;
    for (uint32_t i = 0; i < n; i++)
        slots[i].first_id = UINT32_MAX;
    for (uint32_t i = 0; i < reg->n_slots; i++)
        if (reg->slots[i].first_id != UINT32_MAX)
            insert_slot(slots, n, reg->slots[i]);
    mem_free(reg->slots);
    reg->slots = slots;
    reg->n_slots = n;
    return true;
}

static bool ensure_pages(TypeRegistry *reg, uint32_t end) {
    if (end == 0)
        return true;
    uint32_t last = (end - 1) >> PAGE_BITS;
    if (last >= MAX_PAGES)
        return false;
    for (uint32_t p = 0; p <= last; p++) {
        if (!reg->pages[p]) {
            reg->pages[p] = mem_calloc(PAGE_SIZE, sizeof(CanonType));
            if (!reg->pages[p])
                return false;
        }
    }
    return true;
}

/* The ancestor chain of type i of a new group at first_id. */
static const uint32_t *make_ancestors(TypeRegistry *reg, const GroupSrc *g, uint32_t i,
                                      uint32_t first_id, uint32_t *out_depth) {
    const SubType *st = &g->types[i];
    uint32_t self = first_id + i, depth = 0;
    const uint32_t *parent = NULL;
    if (st->has_super) {
        uint32_t super_id = (uint32_t)map_heap(g, first_id, (int32_t)st->super);
        const CanonType *c = canon_at(reg, super_id);
        parent = c->ancestors;
        depth = c->depth + 1;
    }
    uint32_t *anc = arena_alloc(&reg->arena, (depth + 1) * sizeof *anc);
    if (!anc)
        return NULL;
    if (depth)
        memcpy(anc, parent, depth * sizeof *anc);
    anc[depth] = self;
    *out_depth = depth;
    return anc;
}

static Err add_new_group(TypeRegistry *reg, const GroupSrc *g, const Words *w, uint64_t hash,
                         uint32_t *out_first, Diag *diag) {
    uint32_t first = reg->count, n = g->n;
    if (first + n < first || !ensure_pages(reg, first + n))
        return first + n < first ? FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "too many types")
                                 : FAIL_NOMEM(diag);
    if (!grow_slots(reg))
        return FAIL_NOMEM(diag);
    uint32_t *words = arena_memdup(&reg->arena, w->data, w->len * sizeof *w->data);
    if (!words)
        return FAIL_NOMEM(diag);
    /* Supers inside the group come earlier (checked by the caller), so each
     * chain is built from already-filled records. Records past `count` are
     * invisible until the group is published below. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t depth;
        const uint32_t *anc = make_ancestors(reg, g, i, first, &depth);
        const SubType *type = copy_type(reg, g, first, i);
        if (!anc || !type)
            return FAIL_NOMEM(diag);
        CanonType *c = &reg->pages[(first + i) >> PAGE_BITS][(first + i) & (PAGE_SIZE - 1)];
        c->depth = depth;
        c->ancestors = anc;
        c->type = type;
    }
    Group grp = {hash, first, (uint32_t)w->len, words};
    insert_slot(reg->slots, reg->n_slots, grp);
    reg->n_groups++;
    reg->count = first + n;
    *out_first = first;
    return OK;
}

/* Find or add the group; *out_first is the canonical id of its first type. */
static Err add_group(TypeRegistry *reg, const GroupSrc *g, uint32_t *out_first, Diag *diag) {
    Words w = {0};
    bool ok = put(&w, g->n);
    for (uint32_t i = 0; ok && i < g->n; i++)
        ok = put_sub(&w, g, &g->types[i]);
    if (!ok) {
        VEC_FREE(&w);
        return FAIL_NOMEM(diag);
    }
    uint64_t hash = hash_bytes(w.data, w.len * sizeof *w.data);
    Err err = OK;
    pthread_mutex_lock(&reg->lock);
    Group *found = find_group(reg, hash, w.data, (uint32_t)w.len);
    if (found)
        *out_first = found->first_id;
    else
        err = add_new_group(reg, g, &w, hash, out_first, diag);
    pthread_mutex_unlock(&reg->lock);
    VEC_FREE(&w);
    return err;
}

Err mod_registry_add_group(TypeRegistry *reg, Module *mod, uint32_t start, uint32_t n, Diag *diag) {
    GroupSrc g = {mod, mod->types + start, start, n};
    uint32_t first;
    TRY(add_group(reg, &g, &first, diag));
    for (uint32_t i = 0; i < n; i++)
        mod->types[start + i].canon = first + i;
    return OK;
}

Err mod_registry_canonicalize(TypeRegistry *reg, Module *mod, Diag *diag) {
    for (uint32_t start = 0; start < mod->n_types;) {
        uint32_t n = mod->types[start].rec_size ? mod->types[start].rec_size : 1;
        TRY(mod_registry_add_group(reg, mod, start, n, diag));
        start += n;
    }
    return OK;
}

Err mod_registry_func_type(TypeRegistry *reg, const FuncType *type, uint32_t *out_canon,
                           Diag *diag) {
    SubType st = {.kind = COMP_FUNC, .final = true, .rec_size = 1, .func = *type};
    GroupSrc g = {NULL, &st, 0, 1};
    return add_group(reg, &g, out_canon, diag);
}

const SubType *mod_registry_type(const TypeRegistry *reg, uint32_t id) {
    return canon_at(reg, id)->type;
}
