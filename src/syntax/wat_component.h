/* Internals of the component text parser (wat_component*.c): scopes with
 * their name spaces and encoded items, and the helpers the type parser and
 * the field parser share. The parser is single-pass: every definition is
 * encoded as soon as it is parsed and appended to its scope's item list;
 * sugar (inline types, inline export aliases, references to names of
 * enclosing scopes) becomes extra items placed before the item that uses it,
 * as the wasm-tools text format does, so numeric indices agree with it. */
#ifndef WASMC_SYNTAX_WAT_COMPONENT_H
#define WASMC_SYNTAX_WAT_COMPONENT_H

#include "wat_int.h"

typedef enum CNs {
    CNS_CORE_FUNC,
    CNS_CORE_GLOBAL,
    CNS_CORE_TABLE,
    CNS_CORE_MEMORY,
    CNS_CORE_TYPE,
    CNS_CORE_TAG,
    CNS_CORE_INSTANCE,
    CNS_CORE_MODULE,
    CNS_FUNC,
    CNS_TYPE,
    CNS_INSTANCE,
    CNS_COMPONENT,
    CNS_VALUE,
    CNS_COUNT
} CNs;

typedef enum CScopeKind {
    CSC_COMPONENT,
    CSC_COMPONENT_TYPE,
    CSC_INSTANCE_TYPE,
    CSC_MODULE_TYPE
} CScopeKind;

/* One encoded definition: a section id (component scope) or a declarator
 * code (type scopes), and its bytes (mem_alloc'd). */
typedef struct CItem {
    uint8_t code;
    uint8_t *data;
    size_t len;
} CItem;

/* A core function type already in a module type's type space, for reusing
 * it when an inline type use matches (as the reference text format does). */
typedef struct CFuncKey {
    uint8_t *data; /* encoding after 0x60, mem_alloc'd */
    size_t len;
    uint32_t index;
} CFuncKey;

typedef struct CScope {
    uint8_t kind; /* CScopeKind */
    const Token *id;
    StrMap names[CNS_COUNT];
    uint32_t count[CNS_COUNT];
    VEC(CItem) items;
    VEC(CItem) tail; /* inline exports, appended after every other field */
    VEC(CFuncKey) func_keys;
    struct CScope *parent;
} CScope;

typedef struct CompParser {
    WatParser w; /* tokens, position, diag and string arena */
    CScope *scope;
    uint32_t depth;
} CompParser;

/* ---- wat_component.c -------------------------------------------------------- */

/* Parse component fields toks[start..end) (end: the component's ')' or the
 * final EOF; `id` the component's own $id or NULL) and append the component
 * binary to *out. Errors are ERR_MALFORMED with line:column. */
Err wat_parse_component_tokens(const TokenList *tl, uint32_t start, uint32_t end,
                               const Token *id, ByteBuf *out, Diag *diag) WARN_UNUSED;

void cwat_scope_init(CScope *s, CScopeKind kind, const Token *id, CScope *parent);
void cwat_scope_fini(CScope *s);
/* Append an item to the current scope, taking b's bytes (b is left empty). */
Err cwat_emit(CompParser *cp, uint8_t code, ByteBuf *b) WARN_UNUSED;
/* Give the next index of `ns` in the current scope to `id` (may be NULL). */
Err cwat_define(CompParser *cp, CNs ns, const Token *id, uint32_t *out) WARN_UNUSED;
/* Resolve an index (number or $id) of `ns` at the current token; names of
 * enclosing scopes become outer aliases where the format allows them. */
Err cwat_resolve(CompParser *cp, CNs ns, uint32_t *out) WARN_UNUSED;
/* An item reference: index then export names (each adds an export alias). */
Err cwat_item_ref(CompParser *cp, CNs ns, uint32_t *out) WARN_UNUSED;
/* A core item reference: index then at most one core export name. */
Err cwat_core_item_ref(CompParser *cp, CNs ns, uint32_t *out) WARN_UNUSED;
/* Write a name as len + bytes. */
void cwat_put_name(ByteBuf *b, Name n);
/* A string token as a name (UTF-8 checked). */
Err cwat_name(CompParser *cp, Name *out) WARN_UNUSED;
/* Nested `(component ...)` field list up to the closing ')' (not consumed). */
Err cwat_component_fields(CompParser *cp) WARN_UNUSED;
/* The import/export decl `(import|export "name" opts externdesc)` inside a
 * component or instance type, at '(' */
Err cwat_decl_extern(CompParser *cp, bool is_import) WARN_UNUSED;
/* Extern name with its options: writes exportname'/importname' and leaves
 * the cursor after the options. */
Err cwat_extern_name(CompParser *cp, ByteBuf *b) WARN_UNUSED;

/* ---- wat_component_types.c -------------------------------------------------- */

/* A component value type at the current token; compound inline types are
 * hoisted into their own type definitions. Writes the valtype encoding. */
Err cwat_valtype(CompParser *cp, ByteBuf *b) WARN_UNUSED;
/* `(type $id? (export "n")* deftype)` at '(' in a component or type scope. */
Err cwat_type_field(CompParser *cp) WARN_UNUSED;
/* `(core type $id? ...)` at '(' */
Err cwat_core_type_field(CompParser *cp) WARN_UNUSED;
/* An externdesc form at '(' (func/instance/component/core module/type/value):
 * writes it; *out_ns and *out_id are the sort's namespace and the $id. */
Err cwat_externdesc(CompParser *cp, ByteBuf *b, CNs *out_ns, const Token **out_id) WARN_UNUSED;
/* A type use for `kind` (CNS_FUNC, CNS_INSTANCE, CNS_COMPONENT or
 * CNS_CORE_MODULE): `(type x)` or an inline definition, hoisted. */
Err cwat_type_use(CompParser *cp, CNs kind, uint32_t *out) WARN_UNUSED;
/* Emit a type definition (encoded in b) into the current scope. */
Err cwat_emit_type(CompParser *cp, ByteBuf *b, const Token *id, uint32_t *out) WARN_UNUSED;
/* Emit an alias into the current scope and define its index. `sort` is the
 * encoded sort (1 or 2 bytes), `target` the encoded alias target. */
Err cwat_emit_alias(CompParser *cp, CNs ns, const ByteBuf *target, const Token *id,
                    uint32_t *out) WARN_UNUSED;
/* The encoded sort of a namespace (one or two bytes); returns the length. */
uint32_t cwat_sort_bytes(CNs ns, uint8_t out[2]);
/* A core value type, encoded. */
Err cwat_core_valtype(CompParser *cp, ByteBuf *b) WARN_UNUSED;

/* ---- wat_component_canon.c -------------------------------------------------- */

/* `(canon ...)` at '('. When `wrapped`, the form sits inside `(core func
 * $id? ...)` or `(func $id? typeuse ...)` whose id is `outer_id` and (for a
 * lift) whose type index is `lift_type`; otherwise its own trailing
 * `(core func $id?)` / `(func $id? typeuse)` names the result. */
Err cwat_canon(CompParser *cp, bool wrapped, const Token *outer_id, uint32_t lift_type) WARN_UNUSED;
/* `(alias ...)` at '(' in any scope. */
Err cwat_alias_decl(CompParser *cp) WARN_UNUSED;

#endif
