/* The WAT printer: module IR to text, for `wasmc print` and debugging. Fields
 * come out in binary order with flat instructions; indices use $ids from the
 * name section where those are valid and unique, else numbers (with a (;N;)
 * comment at each definition). The text parses back to the bytes the binary
 * writer produces: element and data forms follow the recorded flags, and custom
 * sections become (@custom) annotations with their placement. */
#include <string.h>

#include "bin_writer.h"
#include "wat_printer.h"

/* ---- Output helpers ------------------------------------------------------------ */

void wp_newline(Printer *p) {
    buf_byte(p->out, '\n');
    for (int i = 0; i < p->indent; i++)
        buf_str(p->out, "  ");
}

void wp_index(Printer *p, PrintSpace space, uint32_t index) {
    if (index < p->n_ids[space] && p->ids[space][index])
        buf_str(p->out, p->ids[space][index]);
    else
        buf_printf(p->out, "%u", index);
}

/* A definition's own id, or its index as a comment. */
static void put_def_id(Printer *p, PrintSpace space, uint32_t index) {
    if (index < p->n_ids[space] && p->ids[space][index])
        buf_printf(p->out, " %s", p->ids[space][index]);
    else
        buf_printf(p->out, " (;%u;)", index);
}

void wp_string(Printer *p, const uint8_t *bytes, size_t len) {
    static const char hex[] = "0123456789abcdef";
    buf_byte(p->out, '"');
    for (size_t i = 0; i < len; i++) {
        uint8_t c = bytes[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            buf_byte(p->out, c);
        } else {
            char esc[3] = {'\\', hex[c >> 4], hex[c & 15]};
            buf_bytes(p->out, esc, 3);
        }
    }
    buf_byte(p->out, '"');
}

static void put_name(Printer *p, Name n) { wp_string(p, (const uint8_t *)n.str, n.len); }

/* ---- Types --------------------------------------------------------------------------- */


void wp_heaptype(Printer *p, int32_t heap) {
    const char *name = ir_heap_type_name(heap);
    if (name)
        buf_str(p->out, name);
    else if (heap >= 0)
        wp_index(p, PS_TYPE, (uint32_t)heap);
    else
        buf_printf(p->out, "(;heap %d;)", heap);
}

void wp_reftype(Printer *p, bool nullable, int32_t heap) {
    if (nullable && ir_ref_shorthand(heap)) {
        buf_str(p->out, ir_ref_shorthand(heap));
        return;
    }
    buf_str(p->out, nullable ? "(ref null " : "(ref ");
    wp_heaptype(p, heap);
    buf_byte(p->out, ')');
}

void wp_valtype(Printer *p, ValType t) {
    switch (t.kind) {
    case VK_I32: buf_str(p->out, "i32"); break;
    case VK_I64: buf_str(p->out, "i64"); break;
    case VK_F32: buf_str(p->out, "f32"); break;
    case VK_F64: buf_str(p->out, "f64"); break;
    case VK_V128: buf_str(p->out, "v128"); break;
    case VK_I8: buf_str(p->out, "i8"); break;
    case VK_I16: buf_str(p->out, "i16"); break;
    case VK_REF: wp_reftype(p, t.nullable, t.heap); break;
    default: buf_printf(p->out, "(;valtype 0x%02x;)", t.kind); break;
    }
}

static void put_valtypes(Printer *p, const char *keyword, const ValType *types, uint32_t n) {
    if (n == 0)
        return;
    buf_printf(p->out, " (%s", keyword);
    for (uint32_t i = 0; i < n; i++) {
        buf_byte(p->out, ' ');
        wp_valtype(p, types[i]);
    }
    buf_byte(p->out, ')');
}

static void put_fieldtype(Printer *p, const FieldType *f) {
    if (f->mutable_)
        buf_str(p->out, "(mut ");
    wp_valtype(p, f->type);
    if (f->mutable_)
        buf_byte(p->out, ')');
}

static void put_comptype(Printer *p, const SubType *st) {
    switch (st->kind) {
    case COMP_FUNC:
        buf_str(p->out, "(func");
        put_valtypes(p, "param", st->func.params, st->func.n_params);
        put_valtypes(p, "result", st->func.results, st->func.n_results);
        break;
    case COMP_STRUCT:
        buf_str(p->out, "(struct");
        for (uint32_t i = 0; i < st->strct.n_fields; i++) {
            buf_str(p->out, " (field ");
            put_fieldtype(p, &st->strct.fields[i]);
            buf_byte(p->out, ')');
        }
        break;
    case COMP_ARRAY:
        buf_str(p->out, "(array ");
        put_fieldtype(p, &st->array);
        break;
    }
    buf_byte(p->out, ')');
}

static void put_type(Printer *p, uint32_t index) {
    const SubType *st = &p->mod->types[index];
    wp_newline(p);
    buf_str(p->out, "(type");
    put_def_id(p, PS_TYPE, index);
    buf_byte(p->out, ' ');
    bool sub = st->explicit_sub || st->has_super || !st->final;
    if (sub) {
        buf_str(p->out, st->final ? "(sub final" : "(sub");
        if (st->has_super)
        {
            buf_byte(p->out, ' ');
            wp_index(p, PS_TYPE, st->super);
        }
        buf_byte(p->out, ' ');
    }
    put_comptype(p, st);
    if (sub)
        buf_byte(p->out, ')');
    buf_byte(p->out, ')');
}

static bool group_start(const Module *mod, uint32_t i) {
    const SubType *st = &mod->types[i];
    return st->rec_start == i || st->rec_size == 0 || st->rec_start > i;
}

/* spec: Text Format > Types > Recursive Types: groups of one are written bare
 * unless the binary had an explicit 0x4e group. */
static void put_types(Printer *p) {
    const Module *mod = p->mod;
    for (uint32_t i = 0; i < mod->n_types;) {
        uint32_t n = 1;
        while (i + n < mod->n_types && !group_start(mod, i + n))
            n++;
        bool rec = n > 1 || mod->types[i].explicit_rec;
        if (rec) {
            wp_newline(p);
            buf_str(p->out, "(rec");
            p->indent++;
        }
        for (uint32_t j = 0; j < n; j++)
            put_type(p, i + j);
        if (rec) {
            buf_byte(p->out, ')');
            p->indent--;
        }
        i += n;
    }
}

/* ---- Imports and definitions ---------------------------------------------------- */

/* `(type N)` and, for function types, the params (with local names when
 * `func` is a defined function being printed) and results. */
static void put_type_use(Printer *p, uint32_t type, bool named_params) {
    buf_str(p->out, " (type ");
    wp_index(p, PS_TYPE, type);
    buf_byte(p->out, ')');
    if (type >= p->mod->n_types || p->mod->types[type].kind != COMP_FUNC)
        return;
    const FuncType *ft = &p->mod->types[type].func;
    for (uint32_t i = 0; i < ft->n_params; i++) {
        bool named = named_params && i < p->n_ids[PS_LOCAL] && p->ids[PS_LOCAL][i];
        if (!named) {
            uint32_t j = i;
            while (j < ft->n_params && !(named_params && j < p->n_ids[PS_LOCAL] && p->ids[PS_LOCAL][j]))
                j++;
            put_valtypes(p, "param", ft->params + i, j - i);
            i = j - 1;
            continue;
        }
        buf_printf(p->out, " (param %s ", p->ids[PS_LOCAL][i]);
        wp_valtype(p, ft->params[i]);
        buf_byte(p->out, ')');
    }
    put_valtypes(p, "result", ft->results, ft->n_results);
}

static void put_limits(Printer *p, const Limits *lim) {
    if (lim->is64)
        buf_str(p->out, " i64");
    buf_printf(p->out, " %llu", (unsigned long long)lim->min);
    if (lim->has_max)
        buf_printf(p->out, " %llu", (unsigned long long)lim->max);
    if (lim->shared)
        buf_str(p->out, " shared");
}

static void put_tabletype(Printer *p, const TableType *t) {
    put_limits(p, &t->limits);
    buf_byte(p->out, ' ');
    wp_valtype(p, t->elem);
}

static void put_globaltype(Printer *p, const GlobalType *t) {
    buf_byte(p->out, ' ');
    if (t->mutable_)
        buf_str(p->out, "(mut ");
    wp_valtype(p, t->type);
    if (t->mutable_)
        buf_byte(p->out, ')');
}

static void put_import_desc(Printer *p, const Import *imp) {
    const Module *mod = p->mod;
    uint32_t i = imp->index;
    switch (imp->kind) {
    case EXTERN_FUNC:
        buf_str(p->out, "(func");
        put_def_id(p, PS_FUNC, i);
        put_type_use(p, mod->funcs[i].type, false);
        break;
    case EXTERN_TABLE:
        buf_str(p->out, "(table");
        put_def_id(p, PS_TABLE, i);
        put_tabletype(p, &mod->tables[i].type);
        break;
    case EXTERN_MEMORY:
        buf_str(p->out, "(memory");
        put_def_id(p, PS_MEMORY, i);
        put_limits(p, &mod->memories[i].type);
        break;
    case EXTERN_GLOBAL:
        buf_str(p->out, "(global");
        put_def_id(p, PS_GLOBAL, i);
        put_globaltype(p, &mod->globals[i].type);
        break;
    case EXTERN_TAG:
        buf_str(p->out, "(tag");
        put_def_id(p, PS_TAG, i);
        put_type_use(p, mod->tags[i].type.type, false);
        break;
    default: buf_printf(p->out, "(;unknown import kind %u;)", imp->kind); return;
    }
    buf_byte(p->out, ')');
}

static void put_imports(Printer *p) {
    for (uint32_t i = 0; i < p->mod->n_imports; i++) {
        const Import *imp = &p->mod->imports[i];
        wp_newline(p);
        buf_str(p->out, "(import ");
        put_name(p, imp->module);
        buf_byte(p->out, ' ');
        put_name(p, imp->field);
        buf_byte(p->out, ' ');
        put_import_desc(p, imp);
        buf_byte(p->out, ')');
    }
}

/* ---- Names ---------------------------------------------------------------------------- */

static bool is_idchar(uint8_t c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

static bool is_valid_id(Name n) {
    if (n.len == 0)
        return false;
    for (uint32_t i = 0; i < n.len; i++)
        if (!is_idchar((uint8_t)n.str[i]))
            return false;
    return true;
}

/* Indices past this get no id (a hostile name section must not make us
 * allocate a huge table). */
#define MAX_NAMED_INDEX (1u << 24)

/* Fill p->ids[space] from `map`: the first valid name of each index, unless
 * another index already took the same id. */
static Err build_ids(Printer *p, PrintSpace space, const NameMap *map, Diag *diag) {
    p->ids[space] = NULL;
    p->n_ids[space] = 0;
    uint32_t size = 0;
    for (uint32_t i = 0; i < map->n; i++)
        if (map->entries[i].index < MAX_NAMED_INDEX && map->entries[i].index >= size)
            size = map->entries[i].index + 1;
    if (size == 0)
        return OK;
    const char **ids = arena_calloc(&p->arena, size, sizeof *ids);
    if (!ids)
        return FAIL_NOMEM(diag);
    StrMap seen;
    map_init(&seen);
    Err err = OK;
    for (uint32_t i = 0; i < map->n && err == OK; i++) {
        const NameAssoc *e = &map->entries[i];
        if (e->index >= size || ids[e->index] || !is_valid_id(e->name))
            continue;
        char *id = arena_alloc(&p->arena, e->name.len + 2);
        bool existed = false;
        if (!id || !map_insert(&seen, e->name.str, e->name.len, e->index, &existed)) {
            err = FAIL_NOMEM(diag);
            break;
        }
        if (existed)
            continue;
        id[0] = '$';
        memcpy(id + 1, e->name.str, e->name.len);
        id[e->name.len + 1] = '\0';
        ids[e->index] = id;
    }
    map_fini(&seen);
    p->ids[space] = ids;
    p->n_ids[space] = size;
    return err;
}

static Err build_module_ids(Printer *p, Diag *diag) {
    const Names *names = &p->mod->names;
    if (!names->present)
        return OK;
    TRY(build_ids(p, PS_FUNC, &names->funcs, diag));
    TRY(build_ids(p, PS_TABLE, &names->tables, diag));
    TRY(build_ids(p, PS_MEMORY, &names->memories, diag));
    TRY(build_ids(p, PS_GLOBAL, &names->globals, diag));
    TRY(build_ids(p, PS_TAG, &names->tags, diag));
    TRY(build_ids(p, PS_TYPE, &names->types, diag));
    TRY(build_ids(p, PS_ELEM, &names->elems, diag));
    TRY(build_ids(p, PS_DATA, &names->datas, diag));
    return OK;
}

static Err build_local_ids(Printer *p, uint32_t func, Diag *diag) {
    static const NameMap empty = {0, NULL};
    const IndirectNameMap *locals = &p->mod->names.locals;
    const NameMap *map = &empty;
    for (uint32_t i = 0; p->mod->names.present && i < locals->n; i++) {
        if (locals->indices[i] == func) {
            map = &locals->maps[i];
            break;
        }
    }
    return build_ids(p, PS_LOCAL, map, diag);
}

/* ---- Functions ------------------------------------------------------------------------ */

static bool local_named(const Printer *p, uint64_t index) {
    return index < p->n_ids[PS_LOCAL] && p->ids[PS_LOCAL][index];
}

static void put_locals(Printer *p, const Code *code, uint32_t n_params) {
    uint64_t index = n_params;
    for (uint32_t g = 0; g < code->n_local_groups; g++) {
        const LocalGroup *group = &code->local_groups[g];
        if (group->count == 0)
            continue;
        wp_newline(p);
        bool open = false;
        for (uint32_t k = 0; k < group->count; k++, index++) {
            if (local_named(p, index)) {
                buf_printf(p->out, "%s(local %s ", open ? ") " : "", p->ids[PS_LOCAL][index]);
                wp_valtype(p, group->type);
                buf_byte(p->out, ')');
                open = false;
                continue;
            }
            buf_str(p->out, open ? " " : (k ? " (local " : "(local "));
            wp_valtype(p, group->type);
            open = true;
        }
        if (open)
            buf_byte(p->out, ')');
    }
}

static Err put_func(Printer *p, uint32_t index, Diag *diag) {
    const Func *f = &p->mod->funcs[index];
    TRY(build_local_ids(p, index, diag));
    wp_newline(p);
    buf_str(p->out, "(func");
    put_def_id(p, PS_FUNC, index);
    put_type_use(p, f->type, true);
    uint32_t n_params = 0;
    if (f->type < p->mod->n_types && p->mod->types[f->type].kind == COMP_FUNC)
        n_params = p->mod->types[f->type].func.n_params;
    p->indent++;
    put_locals(p, &f->code, n_params);
    wp_body(p, f->code.instrs, f->code.n_instrs);
    p->indent--;
    wp_newline(p);
    buf_byte(p->out, ')');
    p->ids[PS_LOCAL] = NULL;
    p->n_ids[PS_LOCAL] = 0;
    return OK;
}

/* ---- Tables, memories, tags, globals, exports, start ---------------------------------- */

static void put_definitions(Printer *p) {
    const Module *mod = p->mod;
    for (uint32_t i = mod->n_table_imports; i < mod->n_tables; i++) {
        wp_newline(p);
        buf_str(p->out, "(table");
        put_def_id(p, PS_TABLE, i);
        put_tabletype(p, &mod->tables[i].type);
        if (mod->tables[i].has_init) {
            buf_byte(p->out, ' ');
            wp_const_expr(p, &mod->tables[i].init);
        }
        buf_byte(p->out, ')');
    }
    for (uint32_t i = mod->n_memory_imports; i < mod->n_memories; i++) {
        wp_newline(p);
        buf_str(p->out, "(memory");
        put_def_id(p, PS_MEMORY, i);
        put_limits(p, &mod->memories[i].type);
        buf_byte(p->out, ')');
    }
    for (uint32_t i = mod->n_tag_imports; i < mod->n_tags; i++) {
        wp_newline(p);
        buf_str(p->out, "(tag");
        put_def_id(p, PS_TAG, i);
        put_type_use(p, mod->tags[i].type.type, false);
        buf_byte(p->out, ')');
    }
    for (uint32_t i = mod->n_global_imports; i < mod->n_globals; i++) {
        wp_newline(p);
        buf_str(p->out, "(global");
        put_def_id(p, PS_GLOBAL, i);
        put_globaltype(p, &mod->globals[i].type);
        buf_byte(p->out, ' ');
        wp_const_expr(p, &mod->globals[i].init);
        buf_byte(p->out, ')');
    }
}

static void put_exports(Printer *p) {
    static const char *const kinds[] = {"func", "table", "memory", "global", "tag"};
    static const PrintSpace spaces[] = {PS_FUNC, PS_TABLE, PS_MEMORY, PS_GLOBAL, PS_TAG};
    for (uint32_t i = 0; i < p->mod->n_exports; i++) {
        const Export *ex = &p->mod->exports[i];
        wp_newline(p);
        buf_str(p->out, "(export ");
        put_name(p, ex->name);
        if (ex->kind > EXTERN_TAG) {
            buf_printf(p->out, " (;unknown export kind %u;))", ex->kind);
            continue;
        }
        buf_printf(p->out, " (%s ", kinds[ex->kind]);
        wp_index(p, spaces[ex->kind], ex->index);
        buf_str(p->out, "))");
    }
    if (p->mod->has_start) {
        wp_newline(p);
        buf_str(p->out, "(start ");
        wp_index(p, PS_FUNC, p->mod->start);
        buf_byte(p->out, ')');
    }
}

/* ---- Element and data segments --------------------------------------------------------- */

static bool items_are_ref_func(const ElemSegment *seg) {
    for (uint32_t i = 0; i < seg->n_items; i++) {
        const ConstExpr *e = &seg->items[i];
        if (e->n_instrs != 2 || e->instrs[0].op != OP_REF_FUNC || e->instrs[1].op != OP_END)
            return false;
    }
    return true;
}

/* Items as `(item expr)*` (flags bit 2) or as `func x*`: the recorded form,
 * unless an item is more than a `ref.func`. */
static bool elem_as_exprs(const ElemSegment *seg) {
    if (seg->mode == SEG_ACTIVE && (seg->flags & 1)) /* flags that do not fit the mode */
        return seg->exprs;
    return (seg->flags & 4) || (seg->exprs && !items_are_ref_func(seg));
}

static void put_elem_items(Printer *p, const ElemSegment *seg) {
    if (!elem_as_exprs(seg)) {
        buf_str(p->out, " func");
        for (uint32_t i = 0; i < seg->n_items; i++) {
            buf_byte(p->out, ' ');
            uint32_t f = seg->exprs ? seg->items[i].instrs[0].imm.index : seg->funcs[i];
            wp_index(p, PS_FUNC, f);
        }
        return;
    }
    buf_byte(p->out, ' ');
    wp_valtype(p, seg->type);
    for (uint32_t i = 0; i < seg->n_items; i++) {
        buf_str(p->out, " (item ");
        if (seg->exprs) {
            wp_const_expr(p, &seg->items[i]);
        } else {
            buf_str(p->out, "ref.func ");
            wp_index(p, PS_FUNC, seg->funcs[i]);
        }
        buf_byte(p->out, ')');
    }
}

/* spec: Text Format > Modules > Element Segments. `func x*` marks the index
 * forms. `(table x)` is printed only for a table other than 0: like the
 * reference encoder, the text parser picks the short form (flags 0/4) for
 * table 0 whenever the element type allows it, so an explicit `(table 0)`
 * could not bring back flags 2/6 anyway. */
static void put_elem(Printer *p, uint32_t index) {
    const ElemSegment *seg = &p->mod->elems[index];
    wp_newline(p);
    buf_str(p->out, "(elem");
    put_def_id(p, PS_ELEM, index);
    if (seg->mode == SEG_DECLARATIVE)
        buf_str(p->out, " declare");
    if (seg->mode == SEG_ACTIVE) {
        if (seg->table != 0) {
            buf_str(p->out, " (table ");
            wp_index(p, PS_TABLE, seg->table);
            buf_byte(p->out, ')');
        }
        buf_str(p->out, " (offset ");
        wp_const_expr(p, &seg->offset);
        buf_byte(p->out, ')');
    }
    put_elem_items(p, seg);
    buf_byte(p->out, ')');
}

static void put_data(Printer *p, uint32_t index) {
    const DataSegment *seg = &p->mod->datas[index];
    wp_newline(p);
    buf_str(p->out, "(data");
    put_def_id(p, PS_DATA, index);
    if (seg->mode == SEG_ACTIVE) {
        if (seg->memory != 0) { /* (memory 0) would still give flags 0 */
            buf_str(p->out, " (memory ");
            wp_index(p, PS_MEMORY, seg->memory);
            buf_byte(p->out, ')');
        }
        buf_str(p->out, " (offset ");
        wp_const_expr(p, &seg->offset);
        buf_byte(p->out, ')');
    }
    buf_byte(p->out, ' ');
    wp_string(p, seg->bytes, seg->len);
    buf_byte(p->out, ')');
}

/* ---- Custom sections ------------------------------------------------------------------- */

static const char *section_keyword(uint8_t id) {
    static const char *const names[] = {NULL,     "type",   "import", "func",  "table",
                                        "memory", "global", "export", "start", "elem",
                                        "code",   "data",   "datacount", "tag"};
    return id < sizeof names / sizeof names[0] ? names[id] : NULL;
}

static void put_custom(Printer *p, Name name, uint8_t after, const uint8_t *bytes, uint32_t len) {
    wp_newline(p);
    buf_str(p->out, "(@custom ");
    put_name(p, name);
    const char *place = section_keyword(after);
    if (after == 0)
        buf_str(p->out, " (before first)");
    else if (place)
        buf_printf(p->out, " (after %s)", place);
    else
        buf_str(p->out, " (after last)");
    buf_byte(p->out, ' ');
    wp_string(p, bytes, len);
    buf_byte(p->out, ')');
}

/* Parsed names without their raw section: the writer re-encodes them as a
 * "name" section at the end; print that section so the text encodes the same. */
static Err put_encoded_names(Printer *p, Diag *diag) {
    Module *tmp = ir_module_new();
    if (!tmp)
        return FAIL_NOMEM(diag);
    tmp->names = p->mod->names;
    ByteBuf bytes;
    buf_init(&bytes);
    Err err = bin_write_module(tmp, &bytes, diag);
    if (err == OK) {
        /* header (8), id, size, then the name "name" (5 bytes) and the payload */
        size_t pos = 9;
        while (pos < bytes.len && (bytes.data[pos] & 0x80))
            pos++;
        pos += 1 + 5;
        static const Name name = {"name", 4};
        if (pos <= bytes.len)
            put_custom(p, name, 0xff, bytes.data + pos, (uint32_t)(bytes.len - pos));
    }
    buf_fini(&bytes);
    ir_module_delete(tmp);
    return err;
}

static Err put_customs(Printer *p, Diag *diag) {
    const Module *mod = p->mod;
    for (uint32_t i = 0; i < mod->n_customs; i++) {
        const CustomSection *cs = &mod->customs[i];
        /* relative to a section the printed text produces: an empty section
           of the binary leaves no trace in the text */
        put_custom(p, cs->name, bin_text_placement(mod, cs->after), cs->bytes, cs->len);
    }
    if (mod->names.present && !ir_has_custom(mod, "name"))
        TRY(put_encoded_names(p, diag));
    return OK;
}

/* ---- The module ---------------------------------------------------------------------------- */

static Err put_module(Printer *p, Diag *diag) {
    const Module *mod = p->mod;
    TRY(build_module_ids(p, diag));
    buf_str(p->out, "(module");
    if (mod->names.present && mod->names.has_module_name && is_valid_id(mod->names.module))
        buf_printf(p->out, " $%.*s", (int)mod->names.module.len, mod->names.module.str);
    p->indent = 1;
    size_t header_end = p->out->len;
    put_types(p);
    put_imports(p);
    for (uint32_t i = mod->n_func_imports; i < mod->n_funcs; i++)
        TRY(put_func(p, i, diag));
    put_definitions(p);
    put_exports(p);
    for (uint32_t i = 0; i < mod->n_elems; i++)
        put_elem(p, i);
    for (uint32_t i = 0; i < mod->n_datas; i++)
        put_data(p, i);
    TRY(put_customs(p, diag));
    p->indent = 0;
    if (p->out->len != header_end)
        wp_newline(p);
    buf_str(p->out, ")\n");
    return OK;
}

Err wat_print_module(const Module *mod, ByteBuf *out, Diag *diag) {
    Printer p;
    memset(&p, 0, sizeof p);
    p.mod = mod;
    p.out = out;
    arena_init(&p.arena);
    Err err = put_module(&p, diag);
    if (err == OK && out->failed)
        err = FAIL_NOMEM(diag);
    arena_fini(&p.arena);
    return err;
}
