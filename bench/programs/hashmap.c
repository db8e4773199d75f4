/* Hash-table workload: an open-addressing table (linear probing, backward-
 * shift deletion) from 64-bit keys to 32-bit values, driven through rounds of
 * inserts, hit/miss lookups, updates and deletes with random keys.
 *   hashmap [SCALE]   (SCALE = workload in percent, default 100) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CAPACITY_BITS 20
#define CAPACITY (1u << CAPACITY_BITS)
#define MASK (CAPACITY - 1)
#define EMPTY 0 /* key 0 is never stored */
#define N_KEYS 400000 /* keys per round at full size */

typedef struct Slot {
    uint64_t key;
    uint32_t value;
} Slot;

typedef struct Table {
    Slot *slots;
    uint32_t count;
} Table;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t slot_of(uint64_t key) {
    key ^= key >> 31;
    key *= 0x7fb5d329728ea185ull;
    key ^= key >> 27;
    return (uint32_t)(key >> (64 - CAPACITY_BITS));
}

/* Inserts or updates; returns 1 when the key was new. */
static int table_put(Table *t, uint64_t key, uint32_t value) {
    uint32_t i = slot_of(key);
    while (t->slots[i].key != EMPTY) {
        if (t->slots[i].key == key) {
            t->slots[i].value = value;
            return 0;
        }
        i = (i + 1) & MASK;
    }
    t->slots[i].key = key;
    t->slots[i].value = value;
    t->count++;
    return 1;
}

static Slot *table_find(Table *t, uint64_t key) {
    uint32_t i = slot_of(key);
    while (t->slots[i].key != EMPTY) {
        if (t->slots[i].key == key)
            return &t->slots[i];
        i = (i + 1) & MASK;
    }
    return NULL;
}

static int table_remove(Table *t, uint64_t key) {
    Slot *s = table_find(t, key);
    if (!s)
        return 0;
    uint32_t hole = (uint32_t)(s - t->slots);
    uint32_t i = (hole + 1) & MASK;
    while (t->slots[i].key != EMPTY) {
        uint32_t home = slot_of(t->slots[i].key);
        /* move slot i into the hole unless its home lies cyclically in (hole, i] */
        if (((i - home) & MASK) >= ((i - hole) & MASK)) {
            t->slots[hole] = t->slots[i];
            hole = i;
        }
        i = (i + 1) & MASK;
    }
    t->slots[hole].key = EMPTY;
    t->count--;
    return 1;
}

/* Workload size for SCALE percent of the full size `full` (at least 1). */
static uint32_t scaled(double scale, double full) {
    double n = scale * full / 100.0;
    return n < 1.0 ? 1u : (uint32_t)n;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 100.0;
    /* full size: 7 rounds of 400k keys; below one round, fewer keys */
    int rounds = (int)scaled(scale, 7);
    uint32_t total_keys = scaled(scale, 7.0 * N_KEYS);
    int n_keys = total_keys < N_KEYS ? (int)total_keys : N_KEYS;
    Table t = {calloc(CAPACITY, sizeof(Slot)), 0};
    uint64_t *keys = malloc(sizeof(uint64_t) * N_KEYS);
    if (!t.slots || !keys)
        return 1;
    uint64_t sum = 0;
    uint32_t hits = 0, inserted = 0, removed = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n_keys; i++) {
            keys[i] = (rng() & 0xfffffffffull) | 1; /* some keys repeat across rounds */
            inserted += (uint32_t)table_put(&t, keys[i], (uint32_t)i * 7 + (uint32_t)r);
        }
        for (int i = 0; i < 2 * n_keys; i++) {
            uint64_t key = i % 2 ? keys[(uint32_t)rng() % (uint32_t)n_keys] : (rng() | 1);
            Slot *s = table_find(&t, key);
            if (s) {
                hits++;
                sum += s->value;
                s->value ^= (uint32_t)i;
            }
        }
        for (int i = 0; i < n_keys; i += 2)
            removed += (uint32_t)table_remove(&t, keys[i]);
        for (int i = 0; i < n_keys; i++)
            sum = sum * 3 + (table_find(&t, keys[i]) != NULL);
        if (t.count > CAPACITY / 2) { /* keep the load factor sane at any scale */
            for (int i = 1; i < n_keys; i += 2)
                removed += (uint32_t)table_remove(&t, keys[i]);
            sum = sum * 3 + t.count;
        }
    }
    printf("hashmap: rounds=%d count=%u inserted=%u removed=%u hits=%u sum=%016llx\n", rounds,
           t.count, inserted, removed, hits, (unsigned long long)sum);
    free(t.slots);
    free(keys);
    return 0;
}
