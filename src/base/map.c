/* StrMap with linear probing at load factor <= 1/2. */
#include "map.h"

#include <string.h>

#include "hash.h"
#include "mem.h"

void map_init(StrMap *m) { memset(m, 0, sizeof *m); }

void map_fini(StrMap *m) {
    mem_free(m->slots);
    memset(m, 0, sizeof *m);
}

void map_clear(StrMap *m) {
    if (m->slots)
        memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->len = 0;
}

static StrMapEntry *find_slot(StrMapEntry *slots, size_t cap, const char *key, size_t key_len,
                              uint64_t hash) {
    size_t i = hash & (cap - 1);
    for (;;) {
        StrMapEntry *e = &slots[i];
        if (!e->key)
            return e;
        if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
        i = (i + 1) & (cap - 1);
    }
}

static bool grow(StrMap *m) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    StrMapEntry *slots = mem_calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < m->cap; i++) {
        StrMapEntry *e = &m->slots[i];
        if (e->key)
            *find_slot(slots, cap, e->key, e->key_len, e->hash) = *e;
    }
    mem_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

bool map_insert(StrMap *m, const char *key, size_t key_len, uint32_t value, bool *out_existed) {
    if ((m->len + 1) * 2 > m->cap && !grow(m))
        return false;
    uint64_t hash = hash_bytes(key, key_len);
    StrMapEntry *e = find_slot(m->slots, m->cap, key, key_len, hash);
    if (out_existed)
        *out_existed = e->key != NULL;
    if (!e->key) {
        e->key = key ? key : "";
        e->key_len = (uint32_t)key_len;
        e->value = value;
        e->hash = hash;
        m->len++;
    }
    return true;
}

bool map_get(const StrMap *m, const char *key, size_t key_len, uint32_t *out_value) {
    if (!m->cap)
        return false;
    StrMapEntry *e = find_slot(m->slots, m->cap, key, key_len, hash_bytes(key, key_len));
    if (!e->key)
        return false;
    *out_value = e->value;
    return true;
}
