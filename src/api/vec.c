/* The vectors of wasm.h: bytes, values, and vectors of owned pointers (types,
 * frames, externs). A vector owns its array and its elements; on allocation
 * failure a constructor yields the empty vector {0, NULL}. */
#include <string.h>

#include "api_int.h"

static void *alloc_array(size_t n, size_t elem) {
    if (n == 0 || n > SIZE_MAX / elem)
        return NULL;
    return mem_calloc(n, elem);
}

/* Vectors of plain values: copying an element is `COPY(dst, src)`, deleting
 * it `DROP(elem)`. */
#define PLAIN_VEC(name, COPY, DROP)                                                                \
    void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                                   \
        out->size = 0;                                                                             \
        out->data = NULL;                                                                          \
    }                                                                                              \
    void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size) {              \
        out->data = alloc_array(size, sizeof *out->data);                                          \
        out->size = out->data ? size : 0;                                                          \
    }                                                                                              \
    void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size,                              \
                               wasm_##name##_t const src[]) {                                      \
        wasm_##name##_vec_new_uninitialized(out, size);                                            \
        if (out->size)                                                                             \
            memcpy(out->data, src, size * sizeof *out->data);                                      \
    }                                                                                              \
    void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src) {        \
        wasm_##name##_vec_new_uninitialized(out, src->size);                                       \
        for (size_t i = 0; i < out->size; i++)                                                     \
            COPY(&out->data[i], &src->data[i]);                                                    \
    }                                                                                              \
    void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                                        \
        if (!v)                                                                                    \
            return;                                                                                \
        for (size_t i = 0; i < v->size && v->data; i++)                                            \
            DROP(&v->data[i]);                                                                     \
        mem_free(v->data);                                                                         \
        v->size = 0;                                                                               \
        v->data = NULL;                                                                            \
    }

#define BYTE_COPY(dst, src) (*(dst) = *(src))
#define BYTE_DROP(elem) ((void)(elem))

PLAIN_VEC(byte, BYTE_COPY, BYTE_DROP)
PLAIN_VEC(val, wasm_val_copy, wasm_val_delete)

/* Vectors of owned pointers: new takes ownership of the pointed-to objects,
 * copy deep-copies each, delete deletes each. */
#define POINTER_VEC(name)                                                                          \
    void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                                   \
        out->size = 0;                                                                             \
        out->data = NULL;                                                                          \
    }                                                                                              \
    void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size) {              \
        out->data = alloc_array(size, sizeof *out->data);                                          \
        out->size = out->data ? size : 0;                                                          \
    }                                                                                              \
    void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size,                              \
                               wasm_##name##_t *const src[]) {                                     \
        wasm_##name##_vec_new_uninitialized(out, size);                                            \
        if (out->size)                                                                             \
            memcpy(out->data, src, size * sizeof *out->data);                                      \
        else /* out of memory: the elements were handed over, so they go */                        \
            for (size_t i = 0; i < size; i++)                                                      \
                if (src[i])                                                                        \
                    wasm_##name##_delete(src[i]);                                                  \
    }                                                                                              \
    void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src) {        \
        wasm_##name##_vec_new_uninitialized(out, src->size);                                       \
        for (size_t i = 0; i < out->size; i++)                                                     \
            out->data[i] = src->data[i] ? wasm_##name##_copy(src->data[i]) : NULL;                 \
    }                                                                                              \
    void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                                        \
        if (!v)                                                                                    \
            return;                                                                                \
        for (size_t i = 0; i < v->size && v->data; i++)                                            \
            if (v->data[i])                                                                        \
                wasm_##name##_delete(v->data[i]);                                                  \
        mem_free(v->data);                                                                         \
        v->size = 0;                                                                               \
        v->data = NULL;                                                                            \
    }

POINTER_VEC(valtype)
POINTER_VEC(functype)
POINTER_VEC(globaltype)
POINTER_VEC(tabletype)
POINTER_VEC(memorytype)
POINTER_VEC(tagtype)
POINTER_VEC(externtype)
POINTER_VEC(importtype)
POINTER_VEC(exporttype)
POINTER_VEC(frame)
POINTER_VEC(extern)
