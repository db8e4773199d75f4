/* The binary writer: encodes a Module (ir.h) to the WebAssembly 3.0 binary
 * format with shortest LEB128 encodings and minimal section sizes (each section
 * is built in a scratch buffer, then its exact size is written). Instructions are
 * encoded by the immediate kind from opcodes.def. Output decodes back to an
 * equal IR (ir_module_equal) for any IR the reader produces.
 *
 * Which sections: those the binary had (mod->section_order, even when empty),
 * plus every non-empty one, in the spec's order. As in the reference encoder
 * (interpreter/binary/encode.ml), the data count section is written when some
 * function uses a data index (memory.init, data.drop, array.new_data,
 * array.init_data), or when the module had one. No name section is made up
 * from $ids (the reference encoder emits none for text modules): a decoded
 * "name" custom section is copied verbatim like any custom section, and parsed
 * names without a raw section are re-encoded at the end. Custom sections go
 * right after the section whose id is their `after`, in order. Branch hints
 * from the text (Code.hints) become a "metadata.code.branch_hint" section
 * right before the code section. */
#include <string.h>

#include "bin_writer.h"

enum {
    SEC_CUSTOM = 0,
    SEC_TYPE = 1,
    SEC_IMPORT = 2,
    SEC_FUNC = 3,
    SEC_TABLE = 4,
    SEC_MEMORY = 5,
    SEC_GLOBAL = 6,
    SEC_EXPORT = 7,
    SEC_START = 8,
    SEC_ELEM = 9,
    SEC_CODE = 10,
    SEC_DATA = 11,
    SEC_DATA_COUNT = 12,
    SEC_TAG = 13,
};

/* spec: Binary Format > Modules: the order sections must appear in. */
static const uint8_t section_order[] = {SEC_TYPE,   SEC_IMPORT, SEC_FUNC,       SEC_TABLE,
                                        SEC_MEMORY, SEC_TAG,    SEC_GLOBAL,     SEC_EXPORT,
                                        SEC_START,  SEC_ELEM,   SEC_DATA_COUNT, SEC_CODE,
                                        SEC_DATA};

/* ---- Small pieces ------------------------------------------------------------ */

static void bw_name(ByteBuf *b, Name name) {
    leb_write_u32(b, name.len);
    buf_bytes(b, name.str, name.len);
}

static void bw_heaptype(ByteBuf *b, int32_t heap) { leb_write_s64(b, heap); }

/* spec: Binary Format > Types > Reference Types: nullable abstract types use the
 * one-byte shorthand, as the reference encoder does. */
static void bw_valtype(ByteBuf *b, ValType t) {
    if (t.kind != VK_REF) {
        buf_byte(b, t.kind);
        return;
    }
    if (t.nullable && t.heap < 0) {
        bw_heaptype(b, t.heap);
        return;
    }
    buf_byte(b, t.nullable ? 0x63 : 0x64);
    bw_heaptype(b, t.heap);
}

/* spec: Binary Format > Types > Limits: flag bits 0 = has max, 1 = shared, 2 = 64-bit. */
static void put_limits(ByteBuf *b, const Limits *lim) {
    uint8_t flags = (uint8_t)((lim->has_max ? 1 : 0) | (lim->shared ? 2 : 0) | (lim->is64 ? 4 : 0));
    buf_byte(b, flags);
    leb_write_u64(b, lim->min);
    if (lim->has_max)
        leb_write_u64(b, lim->max);
}

static void put_tabletype(ByteBuf *b, const TableType *t) {
    bw_valtype(b, t->elem);
    put_limits(b, &t->limits);
}

static void put_globaltype(ByteBuf *b, const GlobalType *t) {
    bw_valtype(b, t->type);
    buf_byte(b, t->mutable_ ? 1 : 0);
}

static void put_tagtype(ByteBuf *b, const TagType *t) {
    buf_byte(b, t->attribute);
    leb_write_u32(b, t->type);
}

/* Append `content` to `out` as section `id`: id, size, bytes. */
static Err put_section(ByteBuf *out, uint8_t id, const ByteBuf *content, Diag *diag) {
    if (content->len > UINT32_MAX)
        return FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "section %u too large to encode", id);
    buf_byte(out, id);
    leb_write_u32(out, (uint32_t)content->len);
    buf_bytes(out, content->data, content->len);
    return OK;
}

/* ---- Instructions -------------------------------------------------------------------- */

/* The lane of IMM_MEMARG_LANE sits in Instr.b (Instr.a is the alignment). */
#define MEMARG_LANE(ins) ((ins)->b)

static void put_blocktype(ByteBuf *b, const BlockType *bt) {
    switch (bt->kind) {
    case BLOCK_EMPTY: buf_byte(b, 0x40); break;
    case BLOCK_VALUE: bw_valtype(b, bt->value); break;
    default: leb_write_s64(b, (int64_t)bt->index); break; /* s33 */
    }
}

/* spec: Binary Format > Instructions > Memory Instructions: bit 6 of the
 * alignment field says a memory index follows. */
static void put_memarg(ByteBuf *b, const Instr *ins) {
    uint32_t mem = ins->imm.memarg.mem;
    leb_write_u32(b, (uint32_t)ins->a | (mem != 0 ? 0x40u : 0u));
    if (mem != 0)
        leb_write_u32(b, mem);
    leb_write_u64(b, ins->imm.memarg.offset);
}

static void put_try_table(ByteBuf *b, const TryTable *tt) {
    put_blocktype(b, &tt->type);
    leb_write_u32(b, tt->n_catches);
    for (uint32_t i = 0; i < tt->n_catches; i++) {
        const Catch *c = &tt->catches[i];
        buf_byte(b, c->kind);
        if (c->kind == CATCH_TAG || c->kind == CATCH_TAG_REF)
            leb_write_u32(b, c->tag);
        leb_write_u32(b, c->label);
    }
}

static void put_pair(ByteBuf *b, const Instr *ins) {
    leb_write_u32(b, ins->imm.pair.x);
    leb_write_u32(b, ins->imm.pair.y);
}

static void put_imm_vector(ByteBuf *b, const Instr *ins) {
    switch (op_info[ins->op].imm) {
    case IMM_BR_TABLE:
        leb_write_u32(b, ins->imm.br_table.n);
        for (uint32_t i = 0; i <= ins->imm.br_table.n; i++)
            leb_write_u32(b, ins->imm.br_table.labels[i]);
        break;
    case IMM_SELECT_T:
        leb_write_u32(b, ins->imm.select.n);
        for (uint32_t i = 0; i < ins->imm.select.n; i++)
            bw_valtype(b, ins->imm.select.types[i]);
        break;
    case IMM_BR_ON_CAST:
        buf_byte(b, ins->a);
        leb_write_u32(b, ins->imm.cast.label);
        bw_heaptype(b, ins->imm.cast.heap1);
        bw_heaptype(b, ins->imm.cast.heap2);
        break;
    case IMM_TRY_TABLE: put_try_table(b, ins->imm.try_table); break;
    default: break;
    }
}

/* spec: Binary Format > Instructions: the immediates, by kind (opcodes.def). */
static void put_immediates(ByteBuf *b, const Instr *ins) {
    switch ((ImmKind)op_info[ins->op].imm) {
    case IMM_NONE: break;
    case IMM_BLOCK: put_blocktype(b, &ins->imm.block.type); break;
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_TYPE:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_TAG:
    case IMM_MEMORY:
    case IMM_DATA:
    case IMM_ELEM: leb_write_u32(b, ins->imm.index); break;
    case IMM_CALL_INDIRECT:
    case IMM_DATA_MEMORY:
    case IMM_ELEM_TABLE:
    case IMM_MEMORY_MEMORY:
    case IMM_TABLE_TABLE:
    case IMM_TYPE_FIELD:
    case IMM_TYPE_TYPE:
    case IMM_TYPE_SIZE:
    case IMM_TYPE_DATA:
    case IMM_TYPE_ELEM: put_pair(b, ins); break;
    case IMM_MEMARG: put_memarg(b, ins); break;
    case IMM_MEMARG_LANE:
        put_memarg(b, ins);
        buf_byte(b, MEMARG_LANE(ins));
        break;
    case IMM_I32: leb_write_s32(b, ins->imm.i32); break;
    case IMM_I64: leb_write_s64(b, ins->imm.i64); break;
    case IMM_F32: buf_u32le(b, ins->imm.f32); break;
    case IMM_F64: buf_u64le(b, ins->imm.f64); break;
    case IMM_V128:
    case IMM_SHUFFLE: buf_bytes(b, ins->imm.v128, 16); break;
    case IMM_LANE: buf_byte(b, ins->a); break;
    case IMM_HEAPTYPE: bw_heaptype(b, ins->imm.heap); break;
    case IMM_BR_TABLE:
    case IMM_SELECT_T:
    case IMM_BR_ON_CAST:
    case IMM_TRY_TABLE: put_imm_vector(b, ins); break;
    case IMM_COUNT: break;
    }
}

static void bw_instrs(ByteBuf *b, const Instr *instrs, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const OpInfo *info = &op_info[instrs[i].op];
        if (info->prefix) {
            buf_byte(b, info->prefix);
            leb_write_u32(b, info->code);
        } else {
            buf_byte(b, (uint8_t)info->code);
        }
        put_immediates(b, &instrs[i]);
    }
}

static void bw_const_expr(ByteBuf *b, const ConstExpr *e) { bw_instrs(b, e->instrs, e->n_instrs); }

/* ---- The name section ------------------------------------------------------------------ */

/* spec: Appendix > Custom Sections > Name Section. */
static void put_name_map(ByteBuf *b, const NameMap *map) {
    leb_write_u32(b, map->n);
    for (uint32_t i = 0; i < map->n; i++) {
        leb_write_u32(b, map->entries[i].index);
        bw_name(b, map->entries[i].name);
    }
}

static void put_indirect_name_map(ByteBuf *b, const IndirectNameMap *map) {
    leb_write_u32(b, map->n);
    for (uint32_t i = 0; i < map->n; i++) {
        leb_write_u32(b, map->indices[i]);
        put_name_map(b, &map->maps[i]);
    }
}

static void put_subsection(ByteBuf *b, uint8_t id, const ByteBuf *content) {
    buf_byte(b, id);
    leb_write_u32(b, (uint32_t)content->len);
    buf_bytes(b, content->data, content->len);
}

static void put_name_subsections(ByteBuf *b, const Names *names, ByteBuf *sub) {
    const NameMap *direct[12] = {
        [1] = &names->funcs,    [4] = &names->types, [5] = &names->tables, [6] = &names->memories,
        [7] = &names->globals,  [8] = &names->elems, [9] = &names->datas,  [11] = &names->tags,
    };
    const IndirectNameMap *indirect[12] = {
        [2] = &names->locals, [3] = &names->labels, [10] = &names->fields,
    };
    for (uint8_t id = 0; id < 12; id++) {
        sub->len = 0;
        if (id == 0 && names->has_module_name)
            bw_name(sub, names->module);
        else if (direct[id] && direct[id]->n)
            put_name_map(sub, direct[id]);
        else if (indirect[id] && indirect[id]->n)
            put_indirect_name_map(sub, indirect[id]);
        else
            continue;
        put_subsection(b, id, sub);
    }
}

static void bw_name_section(ByteBuf *b, const Names *names) {
    static const Name section_name = {"name", 4};
    bw_name(b, section_name);
    ByteBuf sub;
    buf_init(&sub);
    put_name_subsections(b, names, &sub);
    if (sub.failed)
        b->failed = true;
    buf_fini(&sub);
}

/* ---- Type section -------------------------------------------------------------- */

static void put_fieldtype(ByteBuf *b, const FieldType *f) {
    bw_valtype(b, f->type);
    buf_byte(b, f->mutable_ ? 1 : 0);
}

static void put_comptype(ByteBuf *b, const SubType *st) {
    switch (st->kind) {
    case COMP_FUNC:
        buf_byte(b, 0x60);
        leb_write_u32(b, st->func.n_params);
        for (uint32_t i = 0; i < st->func.n_params; i++)
            bw_valtype(b, st->func.params[i]);
        leb_write_u32(b, st->func.n_results);
        for (uint32_t i = 0; i < st->func.n_results; i++)
            bw_valtype(b, st->func.results[i]);
        break;
    case COMP_STRUCT:
        buf_byte(b, 0x5f);
        leb_write_u32(b, st->strct.n_fields);
        for (uint32_t i = 0; i < st->strct.n_fields; i++)
            put_fieldtype(b, &st->strct.fields[i]);
        break;
    case COMP_ARRAY:
        buf_byte(b, 0x5e);
        put_fieldtype(b, &st->array);
        break;
    }
}

/* spec: Binary Format > Types > Recursive Types: `sub`/`sub final` only when
 * needed or explicitly written; the bare form means final with no supertypes. */
static void put_subtype(ByteBuf *b, const SubType *st) {
    if (st->explicit_sub || st->has_super || !st->final) {
        buf_byte(b, st->final ? 0x4f : 0x50);
        leb_write_u32(b, st->has_super ? 1 : 0);
        if (st->has_super)
            leb_write_u32(b, st->super);
    }
    put_comptype(b, st);
}

static bool group_start(const Module *mod, uint32_t i) {
    const SubType *st = &mod->types[i];
    return st->rec_start == i || st->rec_size == 0 || st->rec_start > i;
}

static uint32_t group_size(const Module *mod, uint32_t i) {
    uint32_t n = 1;
    while (i + n < mod->n_types && !group_start(mod, i + n))
        n++;
    return n;
}

static void put_type_section(ByteBuf *b, const Module *mod) {
    uint32_t n_groups = 0;
    for (uint32_t i = 0; i < mod->n_types; i++)
        n_groups += group_start(mod, i);
    leb_write_u32(b, n_groups);
    for (uint32_t i = 0; i < mod->n_types;) {
        uint32_t size = group_size(mod, i);
        if (size > 1 || mod->types[i].explicit_rec) {
            buf_byte(b, 0x4e);
            leb_write_u32(b, size);
        }
        for (uint32_t j = 0; j < size; j++)
            put_subtype(b, &mod->types[i + j]);
        i += size;
    }
}

/* ---- Imports, functions, tables, memories, tags, globals ----------------------- */

static void put_import_desc(ByteBuf *b, const Module *mod, const Import *imp) {
    buf_byte(b, imp->kind);
    switch (imp->kind) {
    case EXTERN_FUNC: leb_write_u32(b, mod->funcs[imp->index].type); break;
    case EXTERN_TABLE: put_tabletype(b, &mod->tables[imp->index].type); break;
    case EXTERN_MEMORY: put_limits(b, &mod->memories[imp->index].type); break;
    case EXTERN_GLOBAL: put_globaltype(b, &mod->globals[imp->index].type); break;
    case EXTERN_TAG: put_tagtype(b, &mod->tags[imp->index].type); break;
    }
}

static void put_import_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_imports);
    for (uint32_t i = 0; i < mod->n_imports; i++) {
        const Import *imp = &mod->imports[i];
        bw_name(b, imp->module);
        bw_name(b, imp->field);
        put_import_desc(b, mod, imp);
    }
}

static void put_func_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_funcs - mod->n_func_imports);
    for (uint32_t i = mod->n_func_imports; i < mod->n_funcs; i++)
        leb_write_u32(b, mod->funcs[i].type);
}

static void put_table_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_tables - mod->n_table_imports);
    for (uint32_t i = mod->n_table_imports; i < mod->n_tables; i++) {
        const Table *t = &mod->tables[i];
        if (t->has_init) {
            buf_byte(b, 0x40);
            buf_byte(b, 0x00);
        }
        put_tabletype(b, &t->type);
        if (t->has_init)
            bw_const_expr(b, &t->init);
    }
}

static void put_memory_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_memories - mod->n_memory_imports);
    for (uint32_t i = mod->n_memory_imports; i < mod->n_memories; i++)
        put_limits(b, &mod->memories[i].type);
}

static void put_tag_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_tags - mod->n_tag_imports);
    for (uint32_t i = mod->n_tag_imports; i < mod->n_tags; i++)
        put_tagtype(b, &mod->tags[i].type);
}

static void put_global_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_globals - mod->n_global_imports);
    for (uint32_t i = mod->n_global_imports; i < mod->n_globals; i++) {
        put_globaltype(b, &mod->globals[i].type);
        bw_const_expr(b, &mod->globals[i].init);
    }
}

/* ---- Exports, start, elements, data ---------------------------------------------- */

static void put_export_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_exports);
    for (uint32_t i = 0; i < mod->n_exports; i++) {
        bw_name(b, mod->exports[i].name);
        buf_byte(b, mod->exports[i].kind);
        leb_write_u32(b, mod->exports[i].index);
    }
}

/* Is every item `ref.func x end`, so the segment can use the index form? */
static bool items_are_func_indices(const ElemSegment *seg) {
    for (uint32_t i = 0; i < seg->n_items; i++) {
        const ConstExpr *e = &seg->items[i];
        if (e->n_instrs != 2 || e->instrs[0].op != OP_REF_FUNC || e->instrs[1].op != OP_END)
            return false;
    }
    return true;
}

/* The form the reference encoder picks: function indices when every item is a
 * `ref.func` and the type is `ref func`; table 0 and the implied type use the
 * short forms 0 and 4. */
static uint8_t canonical_elem_flags(const ElemSegment *seg) {
    bool ref_func = seg->type.kind == VK_REF && seg->type.heap == HT_FUNC;
    bool indices = ref_func && !seg->type.nullable && (!seg->exprs || items_are_func_indices(seg));
    if (seg->mode == SEG_PASSIVE)
        return indices ? 1 : 5;
    if (seg->mode == SEG_DECLARATIVE)
        return indices ? 3 : 7;
    if (indices)
        return seg->table == 0 ? 0 : 2;
    return seg->table == 0 && ref_func && seg->type.nullable ? 4 : 6;
}

/* spec: Binary Format > Modules > Element Section. The recorded flags (from the
 * binary, or chosen by the text parser) win when they can encode the segment. */
static uint8_t elem_flags(const ElemSegment *seg) {
    uint8_t flags = seg->flags;
    bool fits;
    switch (seg->mode) {
    case SEG_ACTIVE: fits = flags <= 7 && !(flags & 1) && (seg->table == 0 || (flags & 2)); break;
    case SEG_PASSIVE: fits = flags <= 7 && (flags & 3) == 1; break;
    default: fits = flags <= 7 && (flags & 3) == 3; break;
    }
    if (fits && seg->exprs && !(flags & 4))
        fits = items_are_func_indices(seg);
    return fits ? flags : canonical_elem_flags(seg);
}

static void put_elem_items(ByteBuf *b, const ElemSegment *seg, bool as_exprs) {
    leb_write_u32(b, seg->n_items);
    for (uint32_t i = 0; i < seg->n_items; i++) {
        if (!as_exprs) {
            leb_write_u32(b, seg->exprs ? seg->items[i].instrs[0].imm.index : seg->funcs[i]);
        } else if (seg->exprs) {
            bw_const_expr(b, &seg->items[i]);
        } else {
            buf_byte(b, 0xd2); /* ref.func x end */
            leb_write_u32(b, seg->funcs[i]);
            buf_byte(b, 0x0b);
        }
    }
}

static void put_elem(ByteBuf *b, const ElemSegment *seg) {
    uint8_t flags = elem_flags(seg);
    leb_write_u32(b, flags);
    if (flags == 2 || flags == 6)
        leb_write_u32(b, seg->table);
    if (!(flags & 1))
        bw_const_expr(b, &seg->offset);
    if (flags & 3) {
        if (flags & 4)
            bw_valtype(b, seg->type);
        else
            buf_byte(b, 0x00); /* elemkind funcref */
    }
    put_elem_items(b, seg, (flags & 4) != 0);
}

static void put_elem_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_elems);
    for (uint32_t i = 0; i < mod->n_elems; i++)
        put_elem(b, &mod->elems[i]);
}

static void put_data(ByteBuf *b, const DataSegment *seg) {
    if (seg->mode == SEG_PASSIVE) {
        leb_write_u32(b, 1);
    } else if (seg->memory != 0 || seg->flags == 2) {
        leb_write_u32(b, 2);
        leb_write_u32(b, seg->memory);
        bw_const_expr(b, &seg->offset);
    } else {
        leb_write_u32(b, 0);
        bw_const_expr(b, &seg->offset);
    }
    leb_write_u32(b, seg->len);
    buf_bytes(b, seg->bytes, seg->len);
}

static void put_data_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->n_datas);
    for (uint32_t i = 0; i < mod->n_datas; i++)
        put_data(b, &mod->datas[i]);
}

static void put_data_count_section(ByteBuf *b, const Module *mod) {
    leb_write_u32(b, mod->has_data_count ? mod->data_count : mod->n_datas);
}

/* ---- Code section ------------------------------------------------------------------ */

static uint32_t count_hinted_funcs(const Module *mod) {
    uint32_t n = 0;
    for (uint32_t i = mod->n_func_imports; i < mod->n_funcs; i++)
        n += mod->funcs[i].code.n_hints > 0;
    return n;
}

/* The body's instructions; with `hints`, also the function's entry of the
 * branch hint section: spec (branch hinting proposal): func index, then per
 * hint the byte offset from the start of the body (its locals declaration),
 * the length 1 and the hint byte, in increasing offset order. */
static void put_body_instrs(ByteBuf *body, const Code *code, uint32_t func, ByteBuf *hints) {
    if (!hints || code->n_hints == 0) {
        bw_instrs(body, code->instrs, code->n_instrs);
        return;
    }
    leb_write_u32(hints, func);
    leb_write_u32(hints, code->n_hints);
    uint32_t h = 0;
    for (uint32_t i = 0; i < code->n_instrs; i++) {
        for (; h < code->n_hints && code->hints[h].instr == i; h++) {
            leb_write_u32(hints, (uint32_t)body->len);
            leb_write_u32(hints, 1);
            buf_byte(hints, code->hints[h].value);
        }
        bw_instrs(body, &code->instrs[i], 1);
    }
}

/* The code section; with `hints`, also the branch hint section's payload
 * (after its name), which only the writer can make: it needs byte offsets. */
static Err put_code_section(ByteBuf *b, const Module *mod, ByteBuf *hints, Diag *diag) {
    ByteBuf body;
    buf_init(&body);
    Err err = OK;
    leb_write_u32(b, mod->n_funcs - mod->n_func_imports);
    if (hints)
        leb_write_u32(hints, count_hinted_funcs(mod));
    for (uint32_t i = mod->n_func_imports; i < mod->n_funcs && err == OK; i++) {
        const Code *code = &mod->funcs[i].code;
        body.len = 0;
        leb_write_u32(&body, code->n_local_groups);
        for (uint32_t g = 0; g < code->n_local_groups; g++) {
            leb_write_u32(&body, code->local_groups[g].count);
            bw_valtype(&body, code->local_groups[g].type);
        }
        put_body_instrs(&body, code, i, hints);
        if (body.len > UINT32_MAX)
            err = FAIL(diag, ERR_LIMIT, DIAG_NO_OFFSET, "function %u too large to encode", i);
        leb_write_u32(b, (uint32_t)body.len);
        buf_bytes(b, body.data, body.len);
        if (body.failed)
            err = FAIL_NOMEM(diag);
    }
    buf_fini(&body);
    return err;
}

/* ---- Which sections, in which order ------------------------------------------------ */

/* Does any function use a data index? Then the data count section is required
 * (spec: Binary Format > Modules > Data Count Section); the reference encoder
 * writes it exactly when some data index is referenced. */
static bool uses_data_index(const Module *mod) {
    for (uint32_t f = mod->n_func_imports; f < mod->n_funcs; f++) {
        const Code *code = &mod->funcs[f].code;
        for (uint32_t i = 0; i < code->n_instrs; i++) {
            uint8_t imm = op_info[code->instrs[i].op].imm;
            if (imm == IMM_DATA || imm == IMM_DATA_MEMORY || imm == IMM_TYPE_DATA)
                return true;
        }
    }
    return false;
}

static bool section_recorded(const Module *mod, uint8_t id) {
    for (uint32_t i = 0; i < mod->n_sections; i++)
        if (mod->section_order[i] == id)
            return true;
    return false;
}

/* Sections written for any module, even one that recorded none (as a module
 * parsed from text): those with content, and the data count section when a
 * function needs it. */
static bool section_has_content(const Module *mod, uint8_t id) {
    switch (id) {
    case SEC_TYPE: return mod->n_types > 0;
    case SEC_IMPORT: return mod->n_imports > 0;
    case SEC_FUNC:
    case SEC_CODE: return mod->n_funcs > mod->n_func_imports;
    case SEC_TABLE: return mod->n_tables > mod->n_table_imports;
    case SEC_MEMORY: return mod->n_memories > mod->n_memory_imports;
    case SEC_TAG: return mod->n_tags > mod->n_tag_imports;
    case SEC_GLOBAL: return mod->n_globals > mod->n_global_imports;
    case SEC_EXPORT: return mod->n_exports > 0;
    case SEC_START: return mod->has_start;
    case SEC_ELEM: return mod->n_elems > 0;
    case SEC_DATA_COUNT: return uses_data_index(mod);
    case SEC_DATA: return mod->n_datas > 0;
    }
    return false;
}

/* Sections the binary had are written even when empty; others when they have content. */
static bool section_needed(const Module *mod, uint8_t id) {
    return section_recorded(mod, id) || section_has_content(mod, id) ||
           (id == SEC_DATA_COUNT && mod->has_data_count);
}

static Err put_section_content(ByteBuf *b, const Module *mod, uint8_t id, Diag *diag) {
    switch (id) {
    case SEC_TYPE: put_type_section(b, mod); break;
    case SEC_IMPORT: put_import_section(b, mod); break;
    case SEC_FUNC: put_func_section(b, mod); break;
    case SEC_TABLE: put_table_section(b, mod); break;
    case SEC_MEMORY: put_memory_section(b, mod); break;
    case SEC_TAG: put_tag_section(b, mod); break;
    case SEC_GLOBAL: put_global_section(b, mod); break;
    case SEC_EXPORT: put_export_section(b, mod); break;
    case SEC_START: leb_write_u32(b, mod->start); break;
    case SEC_ELEM: put_elem_section(b, mod); break;
    case SEC_DATA_COUNT: put_data_count_section(b, mod); break;
    case SEC_CODE: return put_code_section(b, mod, NULL, diag);
    case SEC_DATA: put_data_section(b, mod); break;
    }
    return OK;
}

static Err put_customs_after(ByteBuf *out, const Module *mod, uint8_t after, ByteBuf *scratch,
                             Diag *diag) {
    for (uint32_t i = 0; i < mod->n_customs; i++) {
        const CustomSection *cs = &mod->customs[i];
        if (cs->after != after)
            continue;
        scratch->len = 0;
        bw_name(scratch, cs->name);
        buf_bytes(scratch, cs->bytes, cs->len);
        TRY(put_section(out, SEC_CUSTOM, scratch, diag));
    }
    return OK;
}

/* A custom section placed after a section id that is not a known one (or one
 * never reached) still has to come out: anything not matched by the standard
 * order goes at the end. */
static bool after_is_known(uint8_t after) {
    if (after == 0)
        return true;
    for (size_t i = 0; i < sizeof section_order; i++)
        if (section_order[i] == after)
            return true;
    return false;
}

uint8_t bin_text_placement(const Module *mod, uint8_t after) {
    if (after == 0 || !after_is_known(after))
        return after;
    uint8_t last = 0;
    for (size_t i = 0; i < sizeof section_order; i++) {
        if (section_has_content(mod, section_order[i]))
            last = section_order[i];
        if (section_order[i] == after)
            break;
    }
    return last;
}

static Err put_unplaced_customs(ByteBuf *out, const Module *mod, ByteBuf *scratch, Diag *diag) {
    for (uint32_t i = 0; i < mod->n_customs; i++) {
        const CustomSection *cs = &mod->customs[i];
        if (after_is_known(cs->after))
            continue;
        scratch->len = 0;
        bw_name(scratch, cs->name);
        buf_bytes(scratch, cs->bytes, cs->len);
        TRY(put_section(out, SEC_CUSTOM, scratch, diag));
    }
    return OK;
}

/* The code section preceded by the branch hint section, which the proposal
 * (like the reference interpreter's encoder) puts right before the code. */
static Err put_hinted_code(ByteBuf *out, const Module *mod, ByteBuf *scratch, Diag *diag) {
    static const Name name = {"metadata.code.branch_hint", 25};
    ByteBuf hints;
    buf_init(&hints);
    bw_name(&hints, name);
    scratch->len = 0;
    Err err = put_code_section(scratch, mod, &hints, diag);
    if (err == OK && hints.failed)
        err = FAIL_NOMEM(diag);
    if (err == OK)
        err = put_section(out, SEC_CUSTOM, &hints, diag);
    if (err == OK)
        err = put_section(out, SEC_CODE, scratch, diag);
    buf_fini(&hints);
    return err;
}

static Err put_sections(ByteBuf *out, const Module *mod, ByteBuf *scratch, Diag *diag) {
    TRY(put_customs_after(out, mod, 0, scratch, diag));
    for (size_t i = 0; i < sizeof section_order; i++) {
        uint8_t id = section_order[i];
        if (id == SEC_CODE && count_hinted_funcs(mod) > 0) {
            TRY(put_hinted_code(out, mod, scratch, diag));
        } else if (section_needed(mod, id)) {
            scratch->len = 0;
            TRY(put_section_content(scratch, mod, id, diag));
            TRY(put_section(out, id, scratch, diag));
        }
        TRY(put_customs_after(out, mod, id, scratch, diag));
    }
    TRY(put_unplaced_customs(out, mod, scratch, diag));
    /* Parsed names without their raw section (e.g. a reader that keeps only the
     * parsed form) are re-encoded at the end, where producers put them. */
    if (mod->names.present && !ir_has_custom(mod, "name")) {
        scratch->len = 0;
        bw_name_section(scratch, &mod->names);
        TRY(put_section(out, SEC_CUSTOM, scratch, diag));
    }
    return OK;
}

Err bin_write_module(const Module *mod, ByteBuf *out, Diag *diag) {
    ByteBuf scratch;
    buf_init(&scratch);
    buf_u32le(out, WASM_MAGIC);
    buf_u32le(out, WASM_VERSION);
    Err err = put_sections(out, mod, &scratch, diag);
    if (err == OK && (scratch.failed || out->failed))
        err = FAIL_NOMEM(diag);
    buf_fini(&scratch);
    return err;
}
