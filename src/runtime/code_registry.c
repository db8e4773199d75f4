/* The code registry: address ranges of native code with their owner, so the
 * fault handler can tell a fault in compiled code from any other without a
 * lock. Entries live in chunks that are never freed; an entry is published by
 * storing its `start` last (release) and retired by clearing `start` first, so
 * a reader never sees a half-written entry it would trust. Writers serialize
 * on a mutex. */
#include "runtime_int.h"

#include <pthread.h>

#define CHUNK_ENTRIES 256

typedef struct CodeEntry {
    _Atomic uintptr_t start; /* 0: free */
    uintptr_t end;
    RtCodeFaultFn fault;
    void *data;
} CodeEntry;

typedef struct CodeChunk {
    CodeEntry entries[CHUNK_ENTRIES];
    struct CodeChunk *_Atomic next;
} CodeChunk;

static CodeChunk *_Atomic chunks;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

static CodeEntry *free_entry(void) {
    for (CodeChunk *c = atomic_load(&chunks); c; c = atomic_load(&c->next))
        for (unsigned i = 0; i < CHUNK_ENTRIES; i++)
            if (atomic_load_explicit(&c->entries[i].start, memory_order_relaxed) == 0)
                return &c->entries[i];
    CodeChunk *c = mem_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    atomic_store(&c->next, atomic_load(&chunks));
    atomic_store(&chunks, c);
    return &c->entries[0];
}

bool rt_code_register(uintptr_t start, uintptr_t end, RtCodeFaultFn fault, void *data) {
    if (start == 0 || end <= start)
        return false;
    pthread_mutex_lock(&registry_lock);
    CodeEntry *e = free_entry();
    if (e) {
        e->end = end;
        e->fault = fault;
        e->data = data;
        atomic_store_explicit(&e->start, start, memory_order_release);
    }
    pthread_mutex_unlock(&registry_lock);
    return e != NULL;
}

void rt_code_unregister(uintptr_t start) {
    pthread_mutex_lock(&registry_lock);
    for (CodeChunk *c = atomic_load(&chunks); c; c = atomic_load(&c->next))
        for (unsigned i = 0; i < CHUNK_ENTRIES; i++)
            if (atomic_load_explicit(&c->entries[i].start, memory_order_relaxed) == start)
                atomic_store_explicit(&c->entries[i].start, 0, memory_order_release);
    pthread_mutex_unlock(&registry_lock);
}

static const CodeEntry *find(uintptr_t pc) {
    for (CodeChunk *c = atomic_load(&chunks); c; c = atomic_load(&c->next))
        for (unsigned i = 0; i < CHUNK_ENTRIES; i++) {
            const CodeEntry *e = &c->entries[i];
            uintptr_t start = atomic_load_explicit(&e->start, memory_order_acquire);
            if (start && pc >= start && pc < e->end)
                return e;
        }
    return NULL;
}

void *rt_code_lookup(uintptr_t pc) {
    const CodeEntry *e = find(pc);
    return e ? e->data : NULL;
}

TrapCode rt_code_fault(uintptr_t pc, uintptr_t fp) {
    const CodeEntry *e = find(pc);
    return e && e->fault ? e->fault(e->data, pc, fp) : TRAP_NONE;
}
