/* Linear memories: reservation layout, growth within the type's maximum and
 * the implementation limits, moving growth of unguarded memories, clean
 * failure when the address space runs out, and allocation-failure paths. */
#include <sys/resource.h>

#include "traps_fake.h"

#define GIB (UINT64_C(1) << 30)

static void test_guarded_grow(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    CHECK(store != NULL);
    uint64_t before = rt_memory_reserved_bytes();
    RtMemory *mem = rt_memory_new(store, fake_memtype(1, 3, true, false));
    CHECK(mem != NULL);
    CHECK(mem->guarded && !mem->is64);
    CHECK_EQ_U64(mem->length, RT_PAGE_SIZE);
    CHECK_EQ_U64(mem->max_pages, 3);
    CHECK(mem->reserved >= 4 * GIB + RT_MEMORY_GUARD_MIN);
    CHECK_EQ_U64(rt_memory_reserved_bytes() - before, mem->reserved);
    uint8_t *base = mem->base;
    CHECK(base[0] == 0 && base[RT_PAGE_SIZE - 1] == 0);
    base[RT_PAGE_SIZE - 1] = 7;
    uint64_t old = 99;
    CHECK(rt_memory_grow(mem, 1, &old));
    CHECK_EQ_U64(old, 1);
    CHECK_EQ_U64(mem->length, 2 * RT_PAGE_SIZE);
    CHECK(mem->base == base);
    CHECK(base[RT_PAGE_SIZE - 1] == 7 && base[RT_PAGE_SIZE] == 0);
    base[2 * RT_PAGE_SIZE - 1] = 1;
    CHECK(!rt_memory_grow(mem, 2, &old));
    CHECK_EQ_U64(mem->length, 2 * RT_PAGE_SIZE);
    CHECK(rt_memory_grow(mem, 0, &old));
    CHECK_EQ_U64(old, 2);
    CHECK(rt_memory_grow(mem, 1, &old));
    CHECK(!rt_memory_grow(mem, 1, &old));
    CHECK(!rt_memory_grow(mem, UINT64_MAX, &old));
    CHECK_EQ_U64(mem->length, 3 * RT_PAGE_SIZE);
    rt_store_delete(store);
    CHECK_EQ_U64(rt_memory_reserved_bytes(), before);
    rt_engine_delete(engine);
}

/* A 32-bit memory without a maximum grows to exactly 4 GiB and no further. */
static void test_guarded_4gib(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    RtMemory *mem = rt_memory_new(store, fake_memtype(0, 0, false, false));
    CHECK(mem != NULL);
    CHECK_EQ_U64(mem->max_pages, RT_MEMORY32_MAX_PAGES);
    CHECK_EQ_U64(mem->length, 0);
    CHECK(mem->base != NULL);
    uint64_t old = 99;
    CHECK(!rt_memory_grow(mem, RT_MEMORY32_MAX_PAGES + 1, &old));
    CHECK(rt_memory_grow(mem, RT_MEMORY32_MAX_PAGES, &old));
    CHECK_EQ_U64(old, 0);
    CHECK_EQ_U64(mem->length, 4 * GIB);
    mem->base[4 * GIB - 1] = 5;
    CHECK(mem->base[4 * GIB - 1] == 5);
    CHECK(!rt_memory_grow(mem, 1, &old));
    CHECK(rt_memory_grow(mem, 0, &old));
    CHECK_EQ_U64(old, RT_MEMORY32_MAX_PAGES);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

/* Reservation off: exact mappings that may move on grow, contents kept. */
static void test_unguarded_grow(void) {
    Engine *engine = fake_engine(false);
    Store *store = fake_store(engine);
    RtMemory *mem = rt_memory_new(store, fake_memtype(0, 100, true, false));
    CHECK(mem != NULL);
    CHECK(!mem->guarded);
    CHECK(mem->base != NULL);
    CHECK_EQ_U64(mem->length, 0);
    uint64_t old = 99;
    CHECK(rt_memory_grow(mem, 1, &old));
    CHECK_EQ_U64(old, 0);
    for (uint32_t i = 0; i < RT_PAGE_SIZE; i++)
        mem->base[i] = (uint8_t)i;
    CHECK(rt_memory_grow(mem, 50, &old));
    CHECK_EQ_U64(old, 1);
    CHECK_EQ_U64(mem->length, 51 * RT_PAGE_SIZE);
    CHECK(mem->reserved >= mem->length);
    int same = 1;
    for (uint32_t i = 0; i < RT_PAGE_SIZE; i++)
        same &= mem->base[i] == (uint8_t)i;
    CHECK(same);
    CHECK(mem->base[RT_PAGE_SIZE] == 0 && mem->base[51 * RT_PAGE_SIZE - 1] == 0);
    CHECK(!rt_memory_grow(mem, 50, &old));
    CHECK(rt_memory_grow(mem, 49, &old));
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static void test_memory64(void) {
    Engine *engine = fake_engine(true);
    Store *store = fake_store(engine);
    RtMemory *mem = rt_memory_new(store, fake_memtype(2, 0, false, true));
    CHECK(mem != NULL);
    CHECK(mem->is64 && !mem->guarded);
    CHECK_EQ_U64(mem->max_pages, RT_MEMORY64_MAX_PAGES);
    uint64_t old = 0;
    CHECK(!rt_memory_grow(mem, RT_MEMORY64_MAX_PAGES - 1, &old));
    CHECK(!rt_memory_grow(mem, UINT64_MAX - 1, &old));
    CHECK(rt_memory_grow(mem, 3, &old));
    CHECK_EQ_U64(old, 2);
    RtMemory *out = NULL;
    Diag diag;
    CHECK(rt_memory_create(store, fake_memtype(RT_MEMORY64_MAX_PAGES + 1, 0, false, true), &out,
                           &diag) == ERR_LIMIT);
    CHECK(out == NULL);
    CHECK(rt_memory_create(store, fake_memtype(RT_MEMORY32_MAX_PAGES + 1, 0, false, false), &out,
                           &diag) == ERR_LIMIT);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static uint64_t address_space_used(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* In a child with little address space left: reserving fails with ERR_LIMIT,
 * growing fails with false (memory.grow's -1), and nothing is lost. */
static void address_space_child(void) {
    /* An unusual guard size, so no pooled reservation fits. */
    EngineConfig cfg;
    rt_engine_config_default(&cfg);
    cfg.tier = &fake_tier;
    cfg.memory_guard_size = 5 * GIB;
    Engine *engine = NULL;
    Diag diag;
    if (rt_engine_new(&cfg, &engine, &diag) != OK)
        _exit(9);
    Store *store = fake_store(engine);
    if (!store)
        _exit(10);
    struct rlimit lim = {address_space_used() + 256 * 1024 * 1024, RLIM_INFINITY};
    lim.rlim_max = lim.rlim_cur;
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        _exit(11);
    RtMemory *mem = NULL;
    if (rt_memory_create(store, fake_memtype(1, 0, false, false), &mem, &diag) != ERR_LIMIT)
        _exit(12);
    if (rt_memory_create(store, fake_memtype(1, 0, false, true), &mem, &diag) != OK)
        _exit(13);
    mem->base[0] = 42;
    uint64_t old;
    if (rt_memory_grow(mem, 8192, &old)) /* 512 MiB */
        _exit(14);
    if (mem->length != RT_PAGE_SIZE || mem->base[0] != 42)
        _exit(15);
    if (!rt_memory_grow(mem, 1, &old) || old != 1 || mem->base[0] != 42)
        _exit(16);
    rt_store_delete(store);
    rt_engine_delete(engine);
}

static void test_out_of_address_space(void) {
    int status = fake_in_child(address_space_child);
    CHECK(WIFEXITED(status));
    CHECK_EQ_U64(WEXITSTATUS(status), 0);
}

/* Released guarded reservations are reused: zeroed, with exactly the new
 * length accessible (signals_test checks the faults past it). */
static void test_reuse_is_zeroed(void) {
    Engine *engine = fake_engine(true);
    for (int round = 0; round < 3; round++) {
        Store *store = fake_store(engine);
        RtMemory *a = rt_memory_new(store, fake_memtype(3, 0, false, false));
        RtMemory *b = rt_memory_new(store, fake_memtype(1, 0, false, false));
        CHECK(a && b);
        uint64_t zero = 0;
        for (uint64_t i = 0; i < a->length; i += 4096)
            zero |= a->base[i];
        for (uint64_t i = 0; i < b->length; i += 4096)
            zero |= b->base[i];
        CHECK_EQ_U64(zero, 0);
        memset(a->base, 0xaa, (size_t)a->length);
        memset(b->base, 0xbb, (size_t)b->length);
        uint64_t old;
        CHECK(rt_memory_grow(b, 2, &old));
        CHECK(b->base[RT_PAGE_SIZE] == 0 && b->base[3 * RT_PAGE_SIZE - 1] == 0);
        memset(b->base, 0xcc, (size_t)b->length);
        rt_store_delete(store);
    }
    rt_engine_delete(engine);
}

/* Fail the Nth allocation: every run ends in ERR_NOMEM or success, and the
 * store frees whatever was made. */
static void test_allocation_failures(void) {
    Engine *engine = fake_engine(true);
    uint64_t before = rt_memory_reserved_bytes();
    Err err = ERR_NOMEM;
    for (int64_t n = 0; n < 20 && err != OK; n++) {
        Store *store = fake_store(engine);
        RtMemory *mem = NULL;
        Diag diag;
        mem_fail_after(n);
        err = rt_memory_create(store, fake_memtype(1, 2, true, false), &mem, &diag);
        mem_fail_after(-1);
        CHECK(err == OK || err == ERR_NOMEM);
        CHECK((err == OK) == (mem != NULL));
        rt_store_delete(store);
        CHECK_EQ_U64(rt_memory_reserved_bytes(), before);
    }
    CHECK(err == OK);
    rt_engine_delete(engine);
}

TEST_MAIN("memory", TEST_CASE(test_guarded_grow), TEST_CASE(test_guarded_4gib),
          TEST_CASE(test_unguarded_grow), TEST_CASE(test_memory64),
          TEST_CASE(test_out_of_address_space), TEST_CASE(test_reuse_is_zeroed), TEST_CASE(test_allocation_failures))
