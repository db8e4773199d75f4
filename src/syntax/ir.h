/* The module IR: WebAssembly's abstract syntax as C structs. The binary reader
 * produces it, the text parser builds it, the binary writer and printer read
 * it, the validator checks it and fills the fields marked "validator:".
 * Everything a Module points to lives in its arena (mod->arena); a Module is
 * immutable once validated. Index spaces (funcs, tables, memories, globals,
 * tags) hold imports first, then definitions, as in the spec. */
#ifndef WASMC_SYNTAX_IR_H
#define WASMC_SYNTAX_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "op.h"

/* ---- Types ---------------------------------------------------------------- */

typedef enum ValKind {
    VK_I32 = 0x7f, /* the binary codes, so readers and writers need no table */
    VK_I64 = 0x7e,
    VK_F32 = 0x7d,
    VK_F64 = 0x7c,
    VK_V128 = 0x7b,
    VK_I8 = 0x78, /* packed storage types: struct/array fields only */
    VK_I16 = 0x77,
    VK_REF = 0x64,
    VK_BOT = 0x00, /* validator only: the unknown type of unreachable code */
} ValKind;

/* Heap types: abstract ones are negative (their s33 binary value), concrete
 * ones are a type index >= 0 (module-local in the IR). */
typedef enum HeapTypeCode {
    HT_NOEXN = -0x0c,    /* 0x74 */
    HT_NOFUNC = -0x0d,   /* 0x73 */
    HT_NOEXTERN = -0x0e, /* 0x72 */
    HT_NONE = -0x0f,     /* 0x71 */
    HT_FUNC = -0x10,     /* 0x70 */
    HT_EXTERN = -0x11,   /* 0x6f */
    HT_ANY = -0x12,      /* 0x6e */
    HT_EQ = -0x13,       /* 0x6d */
    HT_I31 = -0x14,      /* 0x6c */
    HT_STRUCT = -0x15,   /* 0x6b */
    HT_ARRAY = -0x16,    /* 0x6a */
    HT_EXN = -0x17,      /* 0x69 */
    HT_BOT = -0x40,      /* validator only: bottom of every hierarchy */
} HeapTypeCode;

typedef struct ValType {
    uint8_t kind;     /* ValKind */
    uint8_t nullable; /* VK_REF only */
    uint16_t reserved;
    int32_t heap;     /* VK_REF only: HeapTypeCode (< 0) or type index */
} ValType;

typedef struct FieldType {
    ValType type; /* may be VK_I8 / VK_I16 */
    bool mutable_;
} FieldType;

typedef enum CompKind { COMP_FUNC, COMP_STRUCT, COMP_ARRAY } CompKind;

typedef struct FuncType {
    uint32_t n_params, n_results;
    ValType *params, *results;
} FuncType;

typedef struct StructType {
    uint32_t n_fields;
    FieldType *fields;
} StructType;

/* One entry of the type section: a subtype inside a recursion group. */
typedef struct SubType {
    CompKind kind;
    bool final;
    bool has_super;     /* at most one supertype (validator checks n_supers) */
    uint32_t n_supers;  /* as encoded; > 1 is invalid */
    uint32_t super;     /* type index, when has_super */
    uint32_t rec_start; /* index of the first type of its recursion group */
    uint32_t rec_size;  /* types in that group */
    bool explicit_sub;  /* encoded with 0x50/0x4f (kept for round trips) */
    bool explicit_rec;  /* inside an explicit 0x4e group (kept for round trips) */
    union {
        FuncType func;
        StructType strct;
        FieldType array;
    };
    uint32_t canon;     /* validator: engine-wide canonical type id */
} SubType;

typedef struct Limits {
    uint64_t min, max;
    bool has_max;
    bool is64;   /* memory64 / table64 address type */
    bool shared; /* threads: decoded and rejected by the validator if unsupported */
} Limits;

typedef struct TableType {
    ValType elem;
    Limits limits;
} TableType;

typedef Limits MemType;

typedef struct GlobalType {
    ValType type;
    bool mutable_;
} GlobalType;

typedef struct TagType {
    uint8_t attribute; /* 0 = exception */
    uint32_t type;     /* function type index */
} TagType;

/* ---- Instructions ---------------------------------------------------------- */

typedef struct Name {
    const char *str; /* not NUL-terminated in general; in the module arena */
    uint32_t len;
} Name;

/* Block type: empty, one value type, or a type index. */
typedef enum BlockKind { BLOCK_EMPTY, BLOCK_VALUE, BLOCK_INDEX } BlockKind;

typedef struct BlockType {
    uint8_t kind; /* BlockKind */
    union {
        ValType value;
        uint32_t index;
    };
} BlockType;

typedef enum CatchKind { CATCH_TAG = 0, CATCH_TAG_REF = 1, CATCH_ALL = 2, CATCH_ALL_REF = 3 } CatchKind;

typedef struct Catch {
    uint8_t kind;  /* CatchKind (its binary code) */
    uint32_t tag;  /* CATCH_TAG / CATCH_TAG_REF */
    uint32_t label;
} Catch;

typedef struct TryTable {
    BlockType type;
    uint32_t end; /* validator: index of the matching OP_END */
    uint32_t n_catches;
    Catch *catches;
} TryTable;

/* One decoded instruction. 24 bytes; variable-length immediates point into
 * the module arena. `offset` is the opcode's byte offset in the binary (0 for
 * modules built from text until encoded), used by errors and backtraces. */
typedef struct Instr {
    uint16_t op;     /* Opcode */
    uint8_t a;       /* IMM_MEMARG, IMM_MEMARG_LANE: alignment exponent; IMM_LANE: lane;
                        IMM_BR_ON_CAST: the flags byte (bit0: src nullable, bit1: dst nullable) */
    uint8_t b;       /* IMM_MEMARG_LANE: lane */
    uint32_t offset;
    union {
        uint32_t index;                            /* one index or label */
        struct { uint32_t x, y; } pair;            /* two indices, in binary order
                                                      (call_indirect: x = type, y = table) */
        int32_t i32;
        int64_t i64;
        uint32_t f32;                              /* bit pattern */
        uint64_t f64;                              /* bit pattern */
        uint8_t v128[16];                          /* also the i8x16.shuffle lanes */
        struct { uint64_t offset; uint32_t mem; } memarg;
        struct { uint32_t n; uint32_t *labels; } br_table; /* labels[n] is the default */
        /* IMM_BLOCK. validator: `end` is the index of the matching OP_END, except
           for OP_IF with an else arm, where it is the OP_ELSE's index (whose
           imm.index then holds the index of the matching OP_END). */
        struct { BlockType type; uint32_t end; } block;
        struct { uint32_t n; ValType *types; } select;
        int32_t heap;                              /* IMM_HEAPTYPE */
        struct { uint32_t label; int32_t heap1, heap2; } cast; /* IMM_BR_ON_CAST */
        TryTable *try_table;
    } imm;
} Instr;

/* A constant expression (globals, segment offsets, element items, table
 * initializers): instructions ending with OP_END. */
typedef struct ConstExpr {
    uint32_t n_instrs;
    Instr *instrs;
    uint32_t offset; /* byte offset of the first instruction */
} ConstExpr;

typedef struct LocalGroup {
    uint32_t count;
    ValType type;
} LocalGroup;

/* A branch hint (spec: branch hinting proposal, "metadata.code.branch_hint"):
 * the `if` or `br_if` at instrs[instr] is likely taken (value 1) or not (0). */
typedef struct BranchHint {
    uint32_t instr;
    uint8_t value;
} BranchHint;

typedef struct Code {
    uint32_t n_local_groups;
    LocalGroup *local_groups; /* as encoded (kept for round trips) */
    uint64_t n_locals;        /* sum of the groups' counts, parameters excluded */
    uint32_t n_instrs;
    Instr *instrs;            /* the body; the last is OP_END */
    uint32_t offset, size;    /* byte range of the body (after the size field) */
    /* validator: what execution tiers need without re-deriving it */
    uint32_t max_stack;       /* maximum operand-stack height, in values */
    uint32_t max_depth;       /* maximum control-stack depth */
    /* From (@metadata.code.branch_hint) annotations, sorted by instr; only the
     * text parser fills them and the binary writer turns them into the
     * "metadata.code.branch_hint" section (the reader keeps that section raw). */
    uint32_t n_hints;
    BranchHint *hints;
} Code;

/* ---- Module fields --------------------------------------------------------- */

typedef enum ExternKind {
    EXTERN_FUNC = 0,
    EXTERN_TABLE = 1,
    EXTERN_MEMORY = 2,
    EXTERN_GLOBAL = 3,
    EXTERN_TAG = 4,
} ExternKind;

typedef struct Import {
    Name module, field;
    uint8_t kind;   /* ExternKind */
    uint32_t index; /* position in its kind's index space */
} Import;

typedef struct Export {
    Name name;
    uint8_t kind;   /* ExternKind */
    uint32_t index;
} Export;

typedef struct Func {
    uint32_t type;   /* type index (a function type) */
    int32_t import;  /* index into imports, or -1 when defined here */
    Code code;       /* defined functions only */
} Func;

typedef struct Table {
    TableType type;
    int32_t import;
    bool has_init;   /* encoded as 0x40 0x00 with an initializer expression */
    ConstExpr init;
} Table;

typedef struct Memory {
    MemType type;
    int32_t import;
} Memory;

typedef struct Global {
    GlobalType type;
    int32_t import;
    ConstExpr init;  /* defined globals only */
} Global;

typedef struct Tag {
    TagType type;
    int32_t import;
} Tag;

typedef enum SegMode { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE } SegMode;

typedef struct ElemSegment {
    uint8_t mode;       /* SegMode */
    uint8_t flags;      /* the binary form 0..7, kept for round trips */
    uint32_t table;     /* active only */
    ConstExpr offset;   /* active only */
    ValType type;       /* element reference type */
    uint32_t n_items;
    bool exprs;         /* items are expressions (else function indices) */
    uint32_t *funcs;    /* !exprs */
    ConstExpr *items;   /* exprs */
    uint32_t offset_in_binary;
} ElemSegment;

typedef struct DataSegment {
    uint8_t mode;       /* SEG_ACTIVE or SEG_PASSIVE */
    uint8_t flags;      /* the binary form 0..2 */
    uint32_t memory;
    ConstExpr offset;
    const uint8_t *bytes;
    uint32_t len;
    uint32_t offset_in_binary;
} DataSegment;

typedef struct CustomSection {
    Name name;
    const uint8_t *bytes; /* the payload after the name */
    uint32_t len;
    uint8_t after;        /* id of the last known section before it (0 = at the start) */
    uint32_t offset;
} CustomSection;

/* The name section (function/local/type/field/... names), by index. */
typedef struct NameAssoc {
    uint32_t index;
    Name name;
} NameAssoc;

typedef struct NameMap {
    uint32_t n;
    NameAssoc *entries; /* sorted by index */
} NameMap;

typedef struct IndirectNameMap {
    uint32_t n;
    uint32_t *indices;  /* outer index (function, type, ...) */
    NameMap *maps;
} IndirectNameMap;

typedef struct Names {
    bool present;
    bool has_module_name;
    Name module;
    NameMap funcs, types, tables, memories, globals, elems, datas, tags;
    IndirectNameMap locals, labels, fields;
} Names;

typedef struct Module {
    Arena arena;

    uint32_t n_types;
    SubType *types;

    uint32_t n_imports;
    Import *imports;

    uint32_t n_funcs, n_func_imports;
    Func *funcs;
    uint32_t n_tables, n_table_imports;
    Table *tables;
    uint32_t n_memories, n_memory_imports;
    Memory *memories;
    uint32_t n_globals, n_global_imports;
    Global *globals;
    uint32_t n_tags, n_tag_imports;
    Tag *tags;

    uint32_t n_exports;
    Export *exports;

    bool has_start;
    uint32_t start;

    uint32_t n_elems;
    ElemSegment *elems;

    bool has_data_count;
    uint32_t data_count;
    uint32_t n_datas;
    DataSegment *datas;

    uint32_t n_customs;
    CustomSection *customs;
    Names names;

    /* Section ids in the order they appeared (for round trips and errors). */
    uint8_t n_sections;
    uint8_t section_order[32];

    bool validated; /* set by the validator when every check passed */
} Module;

/* Allocate an empty module with its arena; NULL on allocation failure. */
Module *ir_module_new(void);
void ir_module_delete(Module *mod);

static inline ValType ir_valtype(ValKind kind) {
    ValType t = {(uint8_t)kind, 0, 0, 0};
    return t;
}
static inline ValType ir_reftype(bool nullable, int32_t heap) {
    ValType t = {VK_REF, (uint8_t)nullable, 0, heap};
    return t;
}
static inline bool ir_valtype_eq(ValType a, ValType b) {
    return a.kind == b.kind && (a.kind != VK_REF || (a.nullable == b.nullable && a.heap == b.heap));
}

/* Text names of abstract heap types ("func", "extern", ...) and of their
 * nullable reference shorthands ("funcref", "nullexternref", ...): the one
 * table the parser, printer and messages share. NULL for a concrete or unknown
 * heap type. */
const char *ir_heap_type_name(int32_t heap);
const char *ir_ref_shorthand(int32_t heap);
/* The abstract heap type named `name` (len bytes); false if none. */
bool ir_heap_type_by_name(const char *name, size_t len, int32_t *out);
/* The abstract heap type whose nullable shorthand is `name`; false if none. */
bool ir_ref_shorthand_by_name(const char *name, size_t len, int32_t *out);
/* A value type as text: "i32", "funcref", "(ref null 3)", "(ref any)". */
void ir_format_valtype(ValType t, char *buf, size_t size);

/* The name `map` gives `index` (binary search: entries are sorted); NULL if
 * none. */
const Name *ir_name_of(const NameMap *map, uint32_t index);
/* Whether the module keeps a raw custom section called `name`. */
bool ir_has_custom(const Module *mod, const char *name);

/* The function type of function `func_index` (imports included). */
const FuncType *ir_func_type(const Module *mod, uint32_t func_index);

#endif
