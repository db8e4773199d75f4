/* The WAST script AST: what `wast_parse_script` produces and the runner
 * executes. Module forms written as text are encoded to binary at parse time
 * (through the WAT parser); `module quote` text is kept for the runner to parse
 * so that assert_malformed can observe the text error. Everything lives in the
 * Script's arena. */
#ifndef WASMC_SYNTAX_WAST_H
#define WASMC_SYNTAX_WAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/err.h"

typedef enum WastModKind {
    WAST_MOD_TEXT,   /* (module ...) text: `bytes` holds the encoding, or `error` is set */
    WAST_MOD_BINARY, /* (module binary "..."): `bytes` */
    WAST_MOD_QUOTE,  /* (module quote "..."): `text`, to be parsed by the runner.
                        (component quote "..."): `text`, and also already parsed:
                        `bytes`, or `has_error` with `error` */
} WastModKind;

typedef struct WastModule {
    uint8_t kind;       /* WastModKind */
    bool is_definition; /* (module definition ...) */
    bool is_component;  /* (component ...) forms: `bytes` is a component binary
                           (text components are encoded at parse time) */
    const char *id;     /* $name without '$', NUL-terminated, or NULL */
    uint8_t *bytes;
    size_t len;
    char *text;         /* quote: the concatenated strings */
    size_t text_len;
    bool has_error;     /* text form that failed to parse or encode */
    Diag error;
    uint32_t line, column;
} WastModule;

typedef enum WastValKind {
    WV_I32,
    WV_I64,
    WV_F32,
    WV_F64,
    WV_V128,
    WV_REF_NULL,   /* (ref.null ht): heap holds the HeapTypeCode or type index */
    WV_REF_EXTERN, /* (ref.extern N) */
    WV_REF_HOST,   /* (ref.host N) */
    WV_COMP,       /* a component value (u32.const, str.const, list.const, ...): `comp`.
                      In component actions f32.const/f64.const stay WV_F32/WV_F64 at the
                      top level; inside compound values they are WCV_F32/WCV_F64. */
} WastValKind;

/* Component values of invoke arguments and assert_return results. */
typedef enum WastCompValKind {
    WCV_BOOL, /* bits 0/1 */
    WCV_S8,   /* integers: bits holds the value (two's complement, sign-extended) */
    WCV_U8,
    WCV_S16,
    WCV_U16,
    WCV_S32,
    WCV_U32,
    WCV_S64,
    WCV_U64,
    WCV_F32,  /* bits: the f32 bit pattern */
    WCV_F64,  /* bits: the f64 bit pattern */
    WCV_CHAR, /* bits: the Unicode scalar value */
    WCV_STRING,  /* str/len: UTF-8 bytes (NUL-terminated) */
    WCV_LIST,    /* items[n] */
    WCV_RECORD,  /* items[n] with names[n] the field names */
    WCV_TUPLE,   /* items[n] */
    WCV_VARIANT, /* str: case label; n = 0 or 1 payload items */
    WCV_ENUM,    /* str: the label */
    WCV_FLAGS,   /* names[n]: the labels that are set, as written */
    WCV_OPTION,  /* n = 0 (none) or 1 (some items[0]) */
    WCV_RESULT,  /* is_err; n = 0 or 1 payload items */
} WastCompValKind;

typedef struct WastCompValue {
    uint8_t kind; /* WastCompValKind */
    bool is_err;  /* WCV_RESULT */
    uint64_t bits;
    const char *str;
    uint32_t len;
    uint32_t n;
    struct WastCompValue *items;
    const char *const *names;
} WastCompValue;

/* v128 lane shapes, for printing and for per-lane NaN patterns. */
typedef enum WastShape { SHAPE_I8X16, SHAPE_I16X8, SHAPE_I32X4, SHAPE_I64X2, SHAPE_F32X4, SHAPE_F64X2 } WastShape;

typedef struct WastValue {
    uint8_t kind;  /* WastValKind */
    uint8_t shape; /* WV_V128: WastShape as written */
    int32_t heap;  /* WV_REF_NULL */
    union {
        uint32_t i32; /* also f32 bits */
        uint64_t i64; /* also f64 bits */
        uint8_t v128[16];
        uint32_t host; /* WV_REF_EXTERN / WV_REF_HOST */
        const WastCompValue *comp; /* WV_COMP */
    };
} WastValue;

typedef enum WastExpectKind {
    WE_VALUE,          /* exactly `value` (floats compared bitwise), lanes per `lane_nan` */
    WE_NAN_CANONICAL,  /* f32/f64 canonical NaN (value.kind says which) */
    WE_NAN_ARITHMETIC, /* f32/f64 arithmetic NaN */
    WE_REF_NULL_ANY,   /* (ref.null) with no type */
    WE_REF_KIND,       /* any non-null reference of the class in `ref_class` */
    WE_EITHER,         /* one of `alts` */
} WastExpectKind;

typedef enum WastNanLane { LANE_EXACT = 0, LANE_NAN_CANONICAL = 1, LANE_NAN_ARITHMETIC = 2 } WastNanLane;

typedef struct WastExpect {
    uint8_t kind;      /* WastExpectKind */
    int32_t ref_class; /* WE_REF_KIND: HT_FUNC, HT_EXTERN, HT_ANY, HT_EQ, HT_I31, HT_STRUCT,
                          HT_ARRAY, HT_EXN */
    WastValue value;
    uint8_t lane_nan[16]; /* WV_V128 of float shape: WastNanLane per lane */
    uint32_t n_alts;
    struct WastExpect *alts;
} WastExpect;

typedef enum WastActionKind { WAST_INVOKE, WAST_GET } WastActionKind;

typedef struct WastAction {
    uint8_t kind;          /* WastActionKind */
    const char *module_id; /* NULL = the most recent instance */
    const char *name;      /* export name (NUL-terminated; may contain NULs: see name_len) */
    uint32_t name_len;
    uint32_t n_args;
    WastValue *args;
} WastAction;

typedef enum WastCmdKind {
    CMD_MODULE,             /* module; instantiate unless a definition */
    CMD_INSTANCE,           /* (module instance $I? $M?) */
    CMD_REGISTER,           /* (register "name" $M?) */
    CMD_ACTION,             /* a bare invoke/get */
    CMD_ASSERT_RETURN,
    CMD_ASSERT_TRAP,        /* on an action */
    CMD_ASSERT_TRAP_MODULE, /* instantiation traps */
    CMD_ASSERT_EXHAUSTION,
    CMD_ASSERT_EXCEPTION,
    CMD_ASSERT_MALFORMED,
    CMD_ASSERT_INVALID,
    CMD_ASSERT_UNLINKABLE,
    CMD_ASSERT_MALFORMED_CUSTOM,
    CMD_ASSERT_INVALID_CUSTOM,
    CMD_UNSUPPORTED,        /* a form this runner does not know: counted as failed with
                               its keyword in `message`; threads, components, ... */
} WastCmdKind;

typedef struct WastCommand {
    uint8_t kind;           /* WastCmdKind */
    uint32_t line, column;  /* of the command's opening parenthesis */
    WastModule *module;     /* CMD_MODULE and the module-taking assertions */
    WastAction action;      /* action-taking commands */
    const char *message;    /* expected failure text, or CMD_UNSUPPORTED's keyword */
    uint32_t n_expects;
    WastExpect *expects;    /* CMD_ASSERT_RETURN */
    const char *register_name;
    const char *instance_id, *definition_id; /* CMD_INSTANCE; also CMD_REGISTER's module */
    bool is_component;      /* CMD_INSTANCE: (component instance $I? $C?) */
} WastCommand;

typedef struct Script {
    Arena arena;
    const char *filename;
    uint32_t n_commands;
    WastCommand *commands;
} Script;

/* Parse a whole script. On a syntax error outside a module quote, fails with
 * ERR_MALFORMED and line:column in diag. *out is owned by the caller
 * (wast_script_delete). */
Err wast_parse_script(const char *text, size_t len, const char *filename, Script **out,
                      Diag *diag) WARN_UNUSED;
void wast_script_delete(Script *script);

#endif
