/* Deep comparison of two module IRs (see ir_compare.h). Each part is compared
 * field by field; `where` names the part being compared ("func 3", "elem 0
 * item 2") so the first difference can be reported precisely. */
#include "ir_compare.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/err.h"

typedef struct Cmp {
    char *why;
    size_t why_len;
    char where[96];
} Cmp;

static bool differ(Cmp *cx, const char *fmt, ...) PRINTF_LIKE(2, 3);

static bool differ(Cmp *cx, const char *fmt, ...) {
    if (!cx->why || cx->why_len == 0)
        return false;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (cx->where[0])
        snprintf(cx->why, cx->why_len, "%s: %s", cx->where, what);
    else
        snprintf(cx->why, cx->why_len, "%s", what);
    return false;
}

static void set_where(Cmp *cx, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void set_where(Cmp *cx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->where, sizeof cx->where, fmt, ap);
    va_end(ap);
}

static bool name_eq(Name a, Name b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.str, b.str, a.len) == 0);
}

static bool valtypes_eq(const ValType *a, const ValType *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (!ir_valtype_eq(a[i], b[i]))
            return false;
    return true;
}

static bool limits_eq(const Limits *a, const Limits *b) {
    return a->min == b->min && a->has_max == b->has_max && (!a->has_max || a->max == b->max) &&
           a->is64 == b->is64 && a->shared == b->shared;
}

/* ---- Types ----------------------------------------------------------------------- */

static bool fields_eq(const FieldType *a, const FieldType *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (!ir_valtype_eq(a[i].type, b[i].type) || a[i].mutable_ != b[i].mutable_)
            return false;
    return true;
}

static bool comptype_eq(const SubType *a, const SubType *b) {
    switch (a->kind) {
    case COMP_FUNC:
        return a->func.n_params == b->func.n_params && a->func.n_results == b->func.n_results &&
               valtypes_eq(a->func.params, b->func.params, a->func.n_params) &&
               valtypes_eq(a->func.results, b->func.results, a->func.n_results);
    case COMP_STRUCT:
        return a->strct.n_fields == b->strct.n_fields &&
               fields_eq(a->strct.fields, b->strct.fields, a->strct.n_fields);
    case COMP_ARRAY: return fields_eq(&a->array, &b->array, 1);
    }
    return false;
}

static bool subtype_eq(Cmp *cx, const SubType *a, const SubType *b) {
    if (a->kind != b->kind)
        return differ(cx, "kind differs");
    if (a->final != b->final || a->explicit_sub != b->explicit_sub)
        return differ(cx, "sub/final differs");
    if (a->has_super != b->has_super || a->n_supers != b->n_supers ||
        (a->has_super && a->super != b->super))
        return differ(cx, "supertype differs");
    if (a->rec_start != b->rec_start || a->rec_size != b->rec_size ||
        a->explicit_rec != b->explicit_rec)
        return differ(cx, "recursion group differs");
    if (!comptype_eq(a, b))
        return differ(cx, "composite type differs");
    return true;
}

static bool types_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_types != b->n_types)
        return differ(cx, "type count differs (%u vs %u)", a->n_types, b->n_types);
    for (uint32_t i = 0; i < a->n_types; i++) {
        set_where(cx, "type %u", i);
        if (!subtype_eq(cx, &a->types[i], &b->types[i]))
            return false;
    }
    return true;
}

/* ---- Instructions --------------------------------------------------------------- */

static bool blocktype_eq(const BlockType *a, const BlockType *b) {
    if (a->kind != b->kind)
        return false;
    if (a->kind == BLOCK_VALUE)
        return ir_valtype_eq(a->value, b->value);
    return a->kind != BLOCK_INDEX || a->index == b->index;
}

static bool try_table_eq(const TryTable *a, const TryTable *b) {
    if (!blocktype_eq(&a->type, &b->type) || a->n_catches != b->n_catches)
        return false;
    for (uint32_t i = 0; i < a->n_catches; i++) {
        const Catch *x = &a->catches[i], *y = &b->catches[i];
        bool has_tag = x->kind == CATCH_TAG || x->kind == CATCH_TAG_REF;
        if (x->kind != y->kind || x->label != y->label || (has_tag && x->tag != y->tag))
            return false;
    }
    return true;
}

static bool vector_imm_eq(const Instr *a, const Instr *b, ImmKind kind) {
    switch (kind) {
    case IMM_BR_TABLE:
        return a->imm.br_table.n == b->imm.br_table.n &&
               memcmp(a->imm.br_table.labels, b->imm.br_table.labels,
                      (a->imm.br_table.n + 1) * sizeof(uint32_t)) == 0;
    case IMM_SELECT_T:
        return a->imm.select.n == b->imm.select.n &&
               valtypes_eq(a->imm.select.types, b->imm.select.types, a->imm.select.n);
    case IMM_BR_ON_CAST:
        return a->a == b->a && a->imm.cast.label == b->imm.cast.label &&
               a->imm.cast.heap1 == b->imm.cast.heap1 && a->imm.cast.heap2 == b->imm.cast.heap2;
    case IMM_TRY_TABLE: return try_table_eq(a->imm.try_table, b->imm.try_table);
    default: return false;
    }
}

static bool memarg_eq(const Instr *a, const Instr *b) {
    return a->a == b->a && a->imm.memarg.offset == b->imm.memarg.offset &&
           a->imm.memarg.mem == b->imm.memarg.mem;
}

/* Compares what the binary format carries for the instruction's immediate kind;
 * validator-filled parts (block ends) are left out. */
static bool imm_eq(const Instr *a, const Instr *b) {
    ImmKind kind = (ImmKind)op_info[a->op].imm;
    switch (kind) {
    case IMM_NONE: return true;
    case IMM_BLOCK: return blocktype_eq(&a->imm.block.type, &b->imm.block.type);
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_TYPE:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_TAG:
    case IMM_MEMORY:
    case IMM_DATA:
    case IMM_ELEM: return a->imm.index == b->imm.index;
    case IMM_CALL_INDIRECT:
    case IMM_DATA_MEMORY:
    case IMM_ELEM_TABLE:
    case IMM_MEMORY_MEMORY:
    case IMM_TABLE_TABLE:
    case IMM_TYPE_FIELD:
    case IMM_TYPE_TYPE:
    case IMM_TYPE_SIZE:
    case IMM_TYPE_DATA:
    case IMM_TYPE_ELEM: return a->imm.pair.x == b->imm.pair.x && a->imm.pair.y == b->imm.pair.y;
    case IMM_MEMARG: return memarg_eq(a, b);
    case IMM_MEMARG_LANE: return memarg_eq(a, b) && a->b == b->b;
    case IMM_I32: return a->imm.i32 == b->imm.i32;
    case IMM_I64: return a->imm.i64 == b->imm.i64;
    case IMM_F32: return a->imm.f32 == b->imm.f32;
    case IMM_F64: return a->imm.f64 == b->imm.f64;
    case IMM_V128:
    case IMM_SHUFFLE: return memcmp(a->imm.v128, b->imm.v128, 16) == 0;
    case IMM_LANE: return a->a == b->a;
    case IMM_HEAPTYPE: return a->imm.heap == b->imm.heap;
    case IMM_BR_TABLE:
    case IMM_SELECT_T:
    case IMM_BR_ON_CAST:
    case IMM_TRY_TABLE: return vector_imm_eq(a, b, kind);
    case IMM_COUNT: return false;
    }
    return false;
}

static bool instrs_eq(Cmp *cx, const Instr *a, uint32_t na, const Instr *b, uint32_t nb) {
    uint32_t n = na < nb ? na : nb;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].op != b[i].op)
            return differ(cx, "instr %u: op differs (%s vs %s)", i, op_info[a[i].op].text,
                          op_info[b[i].op].text);
        if (!imm_eq(&a[i], &b[i]))
            return differ(cx, "instr %u (%s): immediate differs", i, op_info[a[i].op].text);
    }
    if (na != nb)
        return differ(cx, "instruction count differs (%u vs %u)", na, nb);
    return true;
}

static bool expr_eq(Cmp *cx, const ConstExpr *a, const ConstExpr *b) {
    return instrs_eq(cx, a->instrs, a->n_instrs, b->instrs, b->n_instrs);
}

/* ---- Imports, functions and the other index spaces ------------------------------- */

static bool imports_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_imports != b->n_imports)
        return differ(cx, "import count differs (%u vs %u)", a->n_imports, b->n_imports);
    for (uint32_t i = 0; i < a->n_imports; i++) {
        const Import *x = &a->imports[i], *y = &b->imports[i];
        set_where(cx, "import %u", i);
        if (!name_eq(x->module, y->module) || !name_eq(x->field, y->field))
            return differ(cx, "name differs");
        if (x->kind != y->kind || x->index != y->index)
            return differ(cx, "kind or index differs");
    }
    return true;
}

static bool code_eq(Cmp *cx, const Code *a, const Code *b) {
    if (a->n_local_groups != b->n_local_groups || a->n_locals != b->n_locals)
        return differ(cx, "locals differ");
    for (uint32_t g = 0; g < a->n_local_groups; g++)
        if (a->local_groups[g].count != b->local_groups[g].count ||
            !ir_valtype_eq(a->local_groups[g].type, b->local_groups[g].type))
            return differ(cx, "local group %u differs", g);
    return instrs_eq(cx, a->instrs, a->n_instrs, b->instrs, b->n_instrs);
}

static bool funcs_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_funcs != b->n_funcs || a->n_func_imports != b->n_func_imports)
        return differ(cx, "function count differs (%u vs %u)", a->n_funcs, b->n_funcs);
    for (uint32_t i = 0; i < a->n_funcs; i++) {
        const Func *x = &a->funcs[i], *y = &b->funcs[i];
        set_where(cx, "func %u", i);
        if (x->type != y->type || x->import != y->import)
            return differ(cx, "type or import differs");
        if (x->import < 0 && !code_eq(cx, &x->code, &y->code))
            return false;
    }
    return true;
}

static bool tables_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_tables != b->n_tables || a->n_table_imports != b->n_table_imports)
        return differ(cx, "table count differs (%u vs %u)", a->n_tables, b->n_tables);
    for (uint32_t i = 0; i < a->n_tables; i++) {
        const Table *x = &a->tables[i], *y = &b->tables[i];
        set_where(cx, "table %u", i);
        if (x->import != y->import || !ir_valtype_eq(x->type.elem, y->type.elem) ||
            !limits_eq(&x->type.limits, &y->type.limits))
            return differ(cx, "type differs");
        if (x->has_init != y->has_init)
            return differ(cx, "initializer presence differs");
        if (x->has_init && !expr_eq(cx, &x->init, &y->init))
            return false;
    }
    return true;
}

static bool memories_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_memories != b->n_memories || a->n_memory_imports != b->n_memory_imports)
        return differ(cx, "memory count differs (%u vs %u)", a->n_memories, b->n_memories);
    for (uint32_t i = 0; i < a->n_memories; i++) {
        set_where(cx, "memory %u", i);
        if (a->memories[i].import != b->memories[i].import ||
            !limits_eq(&a->memories[i].type, &b->memories[i].type))
            return differ(cx, "type differs");
    }
    return true;
}

static bool globals_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_globals != b->n_globals || a->n_global_imports != b->n_global_imports)
        return differ(cx, "global count differs (%u vs %u)", a->n_globals, b->n_globals);
    for (uint32_t i = 0; i < a->n_globals; i++) {
        const Global *x = &a->globals[i], *y = &b->globals[i];
        set_where(cx, "global %u", i);
        if (x->import != y->import || !ir_valtype_eq(x->type.type, y->type.type) ||
            x->type.mutable_ != y->type.mutable_)
            return differ(cx, "type differs");
        if (x->import < 0 && !expr_eq(cx, &x->init, &y->init))
            return false;
    }
    return true;
}

static bool tags_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_tags != b->n_tags || a->n_tag_imports != b->n_tag_imports)
        return differ(cx, "tag count differs (%u vs %u)", a->n_tags, b->n_tags);
    for (uint32_t i = 0; i < a->n_tags; i++) {
        const Tag *x = &a->tags[i], *y = &b->tags[i];
        set_where(cx, "tag %u", i);
        if (x->import != y->import || x->type.attribute != y->type.attribute ||
            x->type.type != y->type.type)
            return differ(cx, "type differs");
    }
    return true;
}

static bool exports_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_exports != b->n_exports)
        return differ(cx, "export count differs (%u vs %u)", a->n_exports, b->n_exports);
    for (uint32_t i = 0; i < a->n_exports; i++) {
        const Export *x = &a->exports[i], *y = &b->exports[i];
        set_where(cx, "export %u", i);
        if (!name_eq(x->name, y->name) || x->kind != y->kind || x->index != y->index)
            return differ(cx, "differs");
    }
    set_where(cx, "start");
    if (a->has_start != b->has_start || (a->has_start && a->start != b->start))
        return differ(cx, "differs");
    return true;
}

/* ---- Segments ----------------------------------------------------------------------- */

static bool elem_items_eq(Cmp *cx, const ElemSegment *x, const ElemSegment *y, uint32_t index) {
    if (x->n_items != y->n_items || x->exprs != y->exprs)
        return differ(cx, "item count or kind differs");
    for (uint32_t j = 0; j < x->n_items; j++) {
        if (!x->exprs) {
            if (x->funcs[j] != y->funcs[j])
                return differ(cx, "item %u differs", j);
            continue;
        }
        set_where(cx, "elem %u item %u", index, j);
        if (!expr_eq(cx, &x->items[j], &y->items[j]))
            return false;
    }
    return true;
}

static bool elems_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_elems != b->n_elems)
        return differ(cx, "elem count differs (%u vs %u)", a->n_elems, b->n_elems);
    for (uint32_t i = 0; i < a->n_elems; i++) {
        const ElemSegment *x = &a->elems[i], *y = &b->elems[i];
        set_where(cx, "elem %u", i);
        if (x->mode != y->mode || x->flags != y->flags || !ir_valtype_eq(x->type, y->type))
            return differ(cx, "mode, flags or type differs");
        if (x->mode == SEG_ACTIVE) {
            if (x->table != y->table)
                return differ(cx, "table differs");
            set_where(cx, "elem %u offset", i);
            if (!expr_eq(cx, &x->offset, &y->offset))
                return false;
            set_where(cx, "elem %u", i);
        }
        if (!elem_items_eq(cx, x, y, i))
            return false;
    }
    return true;
}

static bool datas_eq(Cmp *cx, const Module *a, const Module *b) {
    set_where(cx, "data count");
    if (a->has_data_count != b->has_data_count ||
        (a->has_data_count && a->data_count != b->data_count))
        return differ(cx, "differs");
    if (a->n_datas != b->n_datas)
        return differ(cx, "data segment count differs (%u vs %u)", a->n_datas, b->n_datas);
    for (uint32_t i = 0; i < a->n_datas; i++) {
        const DataSegment *x = &a->datas[i], *y = &b->datas[i];
        set_where(cx, "data %u", i);
        if (x->mode != y->mode || x->flags != y->flags)
            return differ(cx, "mode or flags differs");
        if (x->len != y->len || (x->len && memcmp(x->bytes, y->bytes, x->len) != 0))
            return differ(cx, "bytes differ");
        if (x->mode == SEG_ACTIVE) {
            if (x->memory != y->memory)
                return differ(cx, "memory differs");
            if (!expr_eq(cx, &x->offset, &y->offset))
                return false;
        }
    }
    return true;
}

/* ---- Custom sections, names, section order ----------------------------------------- */

static bool customs_eq(Cmp *cx, const Module *a, const Module *b) {
    if (a->n_customs != b->n_customs)
        return differ(cx, "custom section count differs (%u vs %u)", a->n_customs, b->n_customs);
    for (uint32_t i = 0; i < a->n_customs; i++) {
        const CustomSection *x = &a->customs[i], *y = &b->customs[i];
        set_where(cx, "custom section %u", i);
        if (!name_eq(x->name, y->name) || x->after != y->after)
            return differ(cx, "name or placement differs");
        if (x->len != y->len || (x->len && memcmp(x->bytes, y->bytes, x->len) != 0))
            return differ(cx, "bytes differ");
    }
    return true;
}

static bool name_map_eq(const NameMap *a, const NameMap *b) {
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (a->entries[i].index != b->entries[i].index ||
            !name_eq(a->entries[i].name, b->entries[i].name))
            return false;
    return true;
}

static bool indirect_eq(const IndirectNameMap *a, const IndirectNameMap *b) {
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (a->indices[i] != b->indices[i] || !name_map_eq(&a->maps[i], &b->maps[i]))
            return false;
    return true;
}

static bool names_eq(Cmp *cx, const Names *a, const Names *b) {
    set_where(cx, "names");
    if (a->present != b->present || a->has_module_name != b->has_module_name ||
        (a->has_module_name && !name_eq(a->module, b->module)))
        return differ(cx, "module name differs");
    const NameMap *ma[] = {&a->funcs,   &a->types, &a->tables, &a->memories,
                           &a->globals, &a->elems, &a->datas,  &a->tags};
    const NameMap *mb[] = {&b->funcs,   &b->types, &b->tables, &b->memories,
                           &b->globals, &b->elems, &b->datas,  &b->tags};
    for (size_t i = 0; i < sizeof ma / sizeof ma[0]; i++)
        if (!name_map_eq(ma[i], mb[i]))
            return differ(cx, "name map %zu differs", i);
    if (!indirect_eq(&a->locals, &b->locals) || !indirect_eq(&a->labels, &b->labels) ||
        !indirect_eq(&a->fields, &b->fields))
        return differ(cx, "local, label or field names differ");
    return true;
}

static bool section_order_eq(Cmp *cx, const Module *a, const Module *b) {
    set_where(cx, "section order");
    if (a->n_sections != b->n_sections ||
        memcmp(a->section_order, b->section_order, a->n_sections) != 0)
        return differ(cx, "differs");
    return true;
}

bool ir_module_equal(const Module *a, const Module *b, char *why, size_t why_len) {
    Cmp cx = {why, why_len, ""};
    if (why && why_len)
        why[0] = '\0';
    return types_eq(&cx, a, b) && imports_eq(&cx, a, b) && funcs_eq(&cx, a, b) &&
           tables_eq(&cx, a, b) && memories_eq(&cx, a, b) && globals_eq(&cx, a, b) &&
           tags_eq(&cx, a, b) && exports_eq(&cx, a, b) && elems_eq(&cx, a, b) &&
           datas_eq(&cx, a, b) && customs_eq(&cx, a, b) && names_eq(&cx, &a->names, &b->names) &&
           section_order_eq(&cx, a, b);
}
