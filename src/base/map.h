/* StrMap: open-addressing hash map from byte strings to uint32_t. Keys are
 * borrowed: the caller keeps them alive as long as the map (typically they
 * live in the same arena or input buffer). */
#ifndef WASMC_BASE_MAP_H
#define WASMC_BASE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StrMapEntry {
    const char *key; /* NULL marks an empty slot */
    uint32_t key_len;
    uint32_t value;
    uint64_t hash;
} StrMapEntry;

typedef struct StrMap {
    StrMapEntry *slots;
    size_t cap, len; /* cap is a power of two or 0 */
} StrMap;

void map_init(StrMap *m);
void map_fini(StrMap *m);
void map_clear(StrMap *m);
/* Insert key→value. Returns false on allocation failure. If the key exists,
 * leaves it unchanged and sets *out_existed (may be NULL). */
bool map_insert(StrMap *m, const char *key, size_t key_len, uint32_t value, bool *out_existed);
bool map_get(const StrMap *m, const char *key, size_t key_len, uint32_t *out_value);

#endif
