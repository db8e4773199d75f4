/* The dynamic value API: a CompValue tree carries one component-model value
 * between the host and a component (arguments and results of comp_call, of
 * host functions behind lowered imports) and between two components on the
 * generic lift-then-lower path.
 *
 * Ownership: a value tree lives in an Arena (its items, strings and flag
 * words); whoever owns the arena owns the values. Values are plain data: no
 * destructor runs when the arena goes, except that an owned resource handed
 * to the host must be dropped with comp_resource_drop (component.h). */
#ifndef WASMC_COMPONENT_COMP_VALUE_H
#define WASMC_COMPONENT_COMP_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "comp_types.h"

typedef struct CompRtResource CompRtResource;

/* A string's bytes in one of the canonical-ABI encodings. Host-made strings
 * are COMP_STR_UTF8; a string lifted for another component keeps its source
 * encoding so lowering follows the spec's allocation strategy exactly.
 * `tagged_units` is the spec's tagged code-unit count (latin1+utf16: bit 31
 * set means the bytes are UTF-16LE, clear means latin-1). */
typedef struct CompString {
    const uint8_t *bytes;
    uint32_t tagged_units;
    uint8_t encoding; /* CompStringEncoding */
} CompString;

#define COMP_UTF16_TAG 0x80000000u

/* One value. `kind` is the CompValKind of its type.
 *   bool b; s8..s64 s (sign-extended); u8..u64 u; f32; f64; char ch (a
 *   Unicode scalar value); string str;
 *   list, fixed list, record (fields in type order), tuple, map (each item a
 *   tuple of key and value): items[n];
 *   variant, enum, option (0 none, 1 some), result (0 ok, 1 error):
 *   var.index and var.payload (NULL when the case has none);
 *   flags: n labels, flags[(n + 31) / 32] words, bit i = label i set;
 *   own / borrow: res (the runtime resource type and representation). */
typedef struct CompValue CompValue;
struct CompValue {
    uint8_t kind;
    uint32_t n;
    union {
        bool b;
        int64_t s;
        uint64_t u;
        float f32;
        double f64;
        uint32_t ch;
        CompString str;
        CompValue *items;
        struct {
            uint32_t index;
            CompValue *payload;
        } var;
        uint32_t *flags;
        struct {
            CompRtResource *type;
            uint32_t rep;
        } res;
    };
};

/* Constructors for host code (NULL-free: they fill *out). Strings are copied
 * into the arena and must be valid UTF-8 (ERR_USAGE otherwise). */
static inline CompValue comp_val_bool(bool b) {
    return (CompValue){.kind = CVT_BOOL, .b = b};
}
static inline CompValue comp_val_s(CompValKind kind, int64_t s) {
    return (CompValue){.kind = (uint8_t)kind, .s = s};
}
static inline CompValue comp_val_u(CompValKind kind, uint64_t u) {
    return (CompValue){.kind = (uint8_t)kind, .u = u};
}
static inline CompValue comp_val_f32(float f) {
    return (CompValue){.kind = CVT_F32, .f32 = f};
}
static inline CompValue comp_val_f64(double f) {
    return (CompValue){.kind = CVT_F64, .f64 = f};
}
static inline CompValue comp_val_char(uint32_t ch) {
    return (CompValue){.kind = CVT_CHAR, .ch = ch};
}
Err comp_val_string(Arena *arena, const char *utf8, uint32_t len, CompValue *out,
                    Diag *diag) WARN_UNUSED;
/* items[n] for a list/record/tuple/fixed list (kind), uninitialized items
 * zeroed; NULL items on allocation failure (ERR_NOMEM). */
Err comp_val_items(Arena *arena, CompValKind kind, uint32_t n, CompValue *out,
                   Diag *diag) WARN_UNUSED;
/* A variant-like value: `payload` is copied into the arena when not NULL. */
Err comp_val_case(Arena *arena, CompValKind kind, uint32_t index, const CompValue *payload,
                  CompValue *out, Diag *diag) WARN_UNUSED;
/* Flags with n labels, all clear. */
Err comp_val_flags(Arena *arena, uint32_t n, CompValue *out, Diag *diag) WARN_UNUSED;

/* The string as UTF-8 (transcoded into `arena` when it is not UTF-8 already).
 * ERR_NOMEM only. */
Err comp_val_string_utf8(const CompValue *v, Arena *arena, const char **out_ptr,
                         uint32_t *out_len, Diag *diag) WARN_UNUSED;

/* Whether `v` is a well-formed value of type `t` (kinds, counts, indices,
 * char range, UTF-8, resource types by runtime identity not checked). On
 * mismatch fills diag (ERR_USAGE, "type mismatch: expected u32, found ...")
 * and returns false. */
bool comp_value_check(const CompValue *v, const CompValType *t, Diag *diag);

/* Structural equality (floats by bits after NaN canonicalization, strings by
 * content whatever their encodings). */
bool comp_value_equal(const CompValue *a, const CompValue *b);

/* Deep copy of `v` into `arena` (strings become UTF-8). ERR_NOMEM only. */
Err comp_value_copy(Arena *arena, const CompValue *v, CompValue *out, Diag *diag) WARN_UNUSED;

/* Print in the WAVE syntax (WAVE.md): `42`, `"hi"`, `'x'`, `[1, 2]`,
 * `{a: 1, b: "x"}`, `(1, 2)`, `some(1)`, `none`, `ok(1)`, `err("e")`,
 * `case(payload)`, `{read, write}`, `nan`, `inf`. `t` gives labels and may be
 * NULL (then records print as tuples, variants as `#index(...)`, flags as bits).
 * Writes at most `size` bytes including the NUL; returns the length it needed. */
size_t comp_value_print(const CompValue *v, const CompValType *t, char *buf, size_t size);

/* Parse one value of type `t` written in the WAVE syntax (comp_wave.c) from
 * text[0..len) (blanks around it allowed) into `arena`. ERR_MALFORMED
 * ("WAVE: ...", offset = byte in text) when the text is not a value of t. */
Err comp_value_parse(const char *text, size_t len, const CompValType *t, Arena *arena,
                     CompValue *out, Diag *diag) WARN_UNUSED;
/* The same for an argument list `v1, v2, ...` of params[n] into out[n]. */
Err comp_values_parse(const char *text, size_t len, const CompField *params, uint32_t n,
                      Arena *arena, CompValue *out, Diag *diag) WARN_UNUSED;

#endif
