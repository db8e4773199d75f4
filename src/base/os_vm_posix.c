/* POSIX implementation of os_vm.h: mmap/mprotect/madvise for address space,
 * mremap where Linux has it, pthread_getattr_np for thread stack bounds.
 * Reservations are PROT_NONE + MAP_NORESERVE so they cost no commit charge. */
#define _GNU_SOURCE
#include "os_vm.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

size_t os_page_size(void) {
    static size_t page_size;
    if (!page_size) {
        long size = sysconf(_SC_PAGESIZE);
        page_size = size > 0 ? (size_t)size : 4096;
    }
    return page_size;
}

void *os_vm_reserve(size_t size) {
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bool os_vm_commit(void *addr, size_t size) {
    return size == 0 || mprotect(addr, size, PROT_READ | PROT_WRITE) == 0;
}

bool os_vm_decommit(void *addr, size_t size) {
    if (size == 0)
        return true;
    /* Mapping fresh PROT_NONE pages over the range drops the old contents and
     * their backing in one step, keeping the range reserved. */
    void *p = mmap(addr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                   -1, 0);
    return p != MAP_FAILED;
}

bool os_vm_reset(void *addr, size_t size) {
    if (size == 0)
        return true;
#if defined(__linux__)
    /* Private anonymous pages read as zero after MADV_DONTNEED. */
    return madvise(addr, size, MADV_DONTNEED) == 0;
#else
    void *p = mmap(addr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return p != MAP_FAILED;
#endif
}

void os_vm_release(void *addr, size_t size) {
    if (addr)
        munmap(addr, size);
}

void *os_vm_alloc(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *os_vm_resize(void *addr, size_t old_size, size_t new_size) {
    if (new_size == old_size)
        return addr;
#if defined(__linux__)
    void *p = mremap(addr, old_size, new_size, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p;
#else
    void *p = os_vm_alloc(new_size);
    if (!p)
        return NULL;
    memcpy(p, addr, old_size < new_size ? old_size : new_size);
    os_vm_release(addr, old_size);
    return p;
#endif
}

bool os_thread_stack(uintptr_t *out_low, uintptr_t *out_high, size_t *out_guard) {
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0, guard = 0;
#if defined(__GLIBC__) || defined(__linux__)
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return false;
#else
    (void)attr;
    return false;
#endif
    bool ok = pthread_attr_getstack(&attr, &addr, &size) == 0 && addr && size;
    if (pthread_attr_getguardsize(&attr, &guard) != 0)
        guard = 0;
    pthread_attr_destroy(&attr);
    if (!ok)
        return false;
    *out_low = (uintptr_t)addr;
    *out_high = (uintptr_t)addr + size;
    *out_guard = guard;
    return true;
}
