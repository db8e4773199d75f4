/* Linear memories: address space from os_vm, growth within the type's and the
 * implementation's limits, and the process-wide count of reserved bytes.
 * Invariant: [base, base + length) is readable and writable; the rest of a
 * guarded reservation faults (signals.c turns that into TRAP_MEM_OOB).
 * Memories belong to their store, which unmaps them when it dies (or keeps a
 * few guarded reservations, zeroed, for the next memories). */
#include "runtime_int.h"

#include <pthread.h>

#define GIB (UINT64_C(1) << 30)

static _Atomic uint64_t reserved_total;

uint64_t rt_memory_reserved_bytes(void) {
    return atomic_load_explicit(&reserved_total, memory_order_relaxed);
}

static uint64_t round_up(uint64_t n, uint64_t align) {
    return (n + align - 1) & ~(align - 1);
}

static uint64_t max_u64(uint64_t a, uint64_t b) {
    return a > b ? a : b;
}

static uint64_t impl_max_pages(const MemType *type) {
    return type->is64 ? RT_MEMORY64_MAX_PAGES : RT_MEMORY32_MAX_PAGES;
}

/* Bytes of address space a new memory maps at its base. */
static uint64_t reservation_size(const RtMemory *mem, const EngineConfig *cfg) {
    if (mem->guarded) {
        uint64_t guard = max_u64(cfg->memory_guard_size, RT_MEMORY_GUARD_MIN);
        return round_up(4 * GIB + guard, os_page_size());
    }
    /* Shared memories must never move, so they reserve their maximum. Others
     * map exactly their length (at least one page, so base is never NULL). */
    uint64_t pages = mem->shared ? mem->max_pages : mem->length / RT_PAGE_SIZE;
    return round_up(max_u64(pages, 1) * RT_PAGE_SIZE, os_page_size());
}

/* Released guarded reservations kept for reuse: taking one costs no mmap and
 * putting one back a single madvise instead of an munmap, which would
 * otherwise dominate instantiation time. A slot's pages are zero:
 * [base, base + committed) is accessible, the rest faults. */
#define POOL_SLOTS 16

typedef struct PoolSlot {
    uint8_t *base;
    uint64_t size, committed;
} PoolSlot;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static PoolSlot pool[POOL_SLOTS];
static int pool_len;

static bool pool_take(uint64_t size, PoolSlot *out) {
    bool found = false;
    pthread_mutex_lock(&pool_lock);
    for (int i = pool_len; i-- > 0 && !found;) {
        if (pool[i].size == size) {
            *out = pool[i];
            pool[i] = pool[--pool_len];
            found = true;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    return found;
}

static bool pool_has_room(void) {
    pthread_mutex_lock(&pool_lock);
    bool room = pool_len < POOL_SLOTS;
    pthread_mutex_unlock(&pool_lock);
    return room;
}

static bool pool_put(const PoolSlot *slot) {
    pthread_mutex_lock(&pool_lock);
    bool kept = pool_len < POOL_SLOTS;
    if (kept)
        pool[pool_len++] = *slot;
    pthread_mutex_unlock(&pool_lock);
    return kept;
}

/* Give a guarded memory's reservation to the pool, zeroed; false if not. */
static bool recycle(const RtMemory *mem) {
    if (!mem->guarded || mem->shared || !pool_has_room())
        return false;
    if (!os_vm_reset(mem->base, (size_t)mem->length))
        return false;
    PoolSlot slot = {mem->base, mem->reserved, mem->length};
    return pool_put(&slot);
}

/* A pooled reservation of `size` bytes with exactly `length` accessible. */
static uint8_t *reuse(uint64_t size, uint64_t length) {
    PoolSlot slot;
    if (!pool_take(size, &slot))
        return NULL;
    bool ok = true;
    if (length > slot.committed)
        ok = os_vm_commit(slot.base + slot.committed, (size_t)(length - slot.committed));
    else if (length < slot.committed)
        ok = os_vm_decommit(slot.base + length, (size_t)(slot.committed - length));
    if (ok)
        return slot.base;
    os_vm_release(slot.base, (size_t)slot.size);
    return NULL;
}

static void memory_free(void *obj) {
    RtMemory *mem = obj;
    atomic_fetch_sub_explicit(&reserved_total, mem->reserved, memory_order_relaxed);
    if (!recycle(mem))
        os_vm_release(mem->base, (size_t)mem->reserved);
    mem_free(mem);
}

/* Reserve `size` bytes with [0, length) accessible: from the pool, else fresh. */
static uint8_t *reserve_and_commit(uint64_t size, uint64_t length, bool poolable) {
    uint8_t *base = poolable ? reuse(size, length) : NULL;
    if (base)
        return base;
    base = os_vm_reserve((size_t)size);
    if (base && !os_vm_commit(base, (size_t)length)) {
        os_vm_release(base, (size_t)size);
        base = NULL;
    }
    return base;
}

/* Map mem->length accessible bytes (mem->guarded/shared/max_pages set). */
static Err map_memory(RtMemory *mem, const EngineConfig *cfg, Diag *diag) {
    uint64_t size = reservation_size(mem, cfg);
    uint8_t *base = NULL;
    if (size > SIZE_MAX)
        base = NULL;
    else if (!mem->guarded && !mem->shared)
        base = os_vm_alloc((size_t)size);
    else
        base = reserve_and_commit(size, mem->length, mem->guarded && !mem->shared);
    if (!base)
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET,
                    "cannot map a memory of %llu pages (%llu bytes of address space)",
                    (unsigned long long)(mem->length / RT_PAGE_SIZE), (unsigned long long)size);
    mem->base = base;
    mem->reserved = size;
    atomic_fetch_add_explicit(&reserved_total, size, memory_order_relaxed);
    return OK;
}

Err rt_memory_create(Store *store, MemType type, RtMemory **out, Diag *diag) {
    *out = NULL;
    const EngineConfig *cfg = &store->engine->config;
    uint64_t limit = impl_max_pages(&type);
    if (type.min > limit)
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET,
                    "memory minimum of %llu pages exceeds the limit of %llu pages",
                    (unsigned long long)type.min, (unsigned long long)limit);
    if (store->memory_limit_pages < limit) {
        limit = store->memory_limit_pages;
        if (type.min > limit)
            return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET,
                        "memory minimum of %llu pages exceeds the store's limit of %llu pages",
                        (unsigned long long)type.min, (unsigned long long)limit);
    }
    RtMemory *mem = mem_calloc(1, sizeof *mem);
    if (!mem)
        return FAIL_NOMEM(diag);
    mem->type = type;
    mem->is64 = type.is64;
    mem->shared = type.shared;
    mem->guarded = rt_memory_guarded(cfg, &type);
    mem->max_pages = type.has_max && type.max < limit ? type.max : limit;
    mem->length = type.min * RT_PAGE_SIZE;
    Err err = map_memory(mem, cfg, diag);
    if (err != OK) {
        mem_free(mem);
        return err;
    }
    if (!rt_store_own_memory(store, mem, memory_free))
        return FAIL_NOMEM(diag);
    *out = mem;
    return OK;
}

RtMemory *rt_memory_new(Store *store, MemType type) {
    RtMemory *mem;
    return rt_memory_create(store, type, &mem, NULL) == OK ? mem : NULL;
}

/* Make [base, base + new_length) accessible, new bytes zero. */
static bool extend(RtMemory *mem, uint64_t new_length) {
    if (mem->guarded || mem->shared) {
        uint8_t *from = mem->base + mem->length;
        size_t size = (size_t)(new_length - mem->length);
        if (os_vm_commit(from, size))
            return true;
        /* A partial commit must not leave bytes past `length` accessible. */
        (void)os_vm_decommit(from, size);
        return false;
    }
    uint64_t size = round_up(max_u64(new_length, RT_PAGE_SIZE), os_page_size());
    if (size > SIZE_MAX)
        return false;
    if (size == mem->reserved)
        return true;
    uint8_t *base = os_vm_resize(mem->base, (size_t)mem->reserved, (size_t)size);
    if (!base)
        return false;
    atomic_fetch_add_explicit(&reserved_total, size - mem->reserved, memory_order_relaxed);
    mem->base = base;
    mem->reserved = size;
    return true;
}

bool rt_memory_grow(RtMemory *mem, uint64_t delta, uint64_t *out_old) {
    uint64_t old_pages = mem->length / RT_PAGE_SIZE;
    if (delta > mem->max_pages - old_pages)
        return false;
    uint64_t new_length = (old_pages + delta) * RT_PAGE_SIZE;
    if (delta && !extend(mem, new_length))
        return false;
    mem->length = new_length;
    *out_old = old_pages;
    return true;
}
