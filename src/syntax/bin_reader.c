/* Binary module decoding (spec: Binary Format > Modules): the header, the
 * sections in their prescribed order, and the module fields they hold, into
 * the IR of ir.h. The input is copied once into the module arena; names, data
 * and custom payloads point into that copy. Types and instructions are read
 * by bin_reader_code.c, the name section by bin_reader_names.c. On failure
 * everything is freed and *out stays NULL. */
#include "bin_reader.h"

/* ---- Reader primitives ------------------------------------------------------ */

void bin_reader_init(Reader *r, const uint8_t *bytes, size_t len, Module *mod, Diag *diag) {
    memset(r, 0, sizeof *r);
    r->start = r->pos = bytes;
    r->end = bytes + len;
    r->mod = mod;
    r->diag = diag;
}

void bin_reader_fini(Reader *r) {
    VEC_FREE(&r->frames);
}

Err bin_fail_eof(Reader *r) {
    return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, r->end), BIN_MSG_EOF);
}

Err bin_fail_leb(Reader *r, LebStatus status, const uint8_t *at) {
    if (status == LEB_EOF)
        return bin_fail_eof(r);
    return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "%s", leb_status_message(status));
}

Err bin_fail_nomem(Reader *r) { return FAIL_NOMEM(r->diag); }

static inline Err read_unsigned(Reader *r, unsigned bits, uint64_t *out) {
    size_t n = leb_read_fast(r->pos, r->end, bits, false, out);
    if (n == 0) {
        LebStatus st = leb_read_unsigned(r->pos, r->end, bits, out, &n);
        if (st != LEB_OK)
            return bin_fail_leb(r, st, r->pos);
    }
    r->pos += n;
    return OK;
}

static inline Err read_signed(Reader *r, unsigned bits, int64_t *out) {
    uint64_t v = 0;
    size_t n = leb_read_fast(r->pos, r->end, bits, true, &v);
    if (n > 0) {
        *out = (int64_t)v;
    } else {
        LebStatus st = leb_read_signed(r->pos, r->end, bits, out, &n);
        if (st != LEB_OK)
            return bin_fail_leb(r, st, r->pos);
    }
    r->pos += n;
    return OK;
}

Err bin_read_u32_slow(Reader *r, uint32_t *out) {
    uint64_t v = 0;
    TRY(read_unsigned(r, 32, &v));
    *out = (uint32_t)v;
    return OK;
}

Err bin_read_u64(Reader *r, uint64_t *out) { return read_unsigned(r, 64, out); }

Err bin_read_s32(Reader *r, int32_t *out) {
    if (r->pos < r->end && *r->pos < 0x80) {
        uint8_t b = *r->pos++;
        *out = (b & 0x40) ? (int32_t)b - 0x80 : (int32_t)b;
        return OK;
    }
    int64_t v = 0;
    TRY(read_signed(r, 32, &v));
    *out = (int32_t)v;
    return OK;
}

Err bin_read_s64(Reader *r, int64_t *out) { return read_signed(r, 64, out); }

Err bin_read_s33(Reader *r, int64_t *out) { return read_signed(r, 33, out); }

Err bin_read_len(Reader *r, uint32_t *out) {
    const uint8_t *at = r->pos;
    TRY(bin_read_u32(r, out));
    if (*out > (size_t)(r->end - at))
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "length out of bounds");
    return OK;
}

Err bin_read_bytes(Reader *r, uint32_t n, const uint8_t **out) {
    if (n > (size_t)(r->end - r->pos))
        return bin_fail_eof(r);
    *out = r->pos;
    r->pos += n;
    return OK;
}

Err bin_read_name(Reader *r, Name *out) {
    const uint8_t *at = r->pos;
    const uint8_t *bytes = NULL;
    TRY(bin_read_len(r, &out->len));
    TRY(bin_read_bytes(r, out->len, &bytes));
    if (!utf8_valid(bytes, out->len))
        return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "malformed UTF-8 encoding");
    out->str = (const char *)bytes;
    return OK;
}

/* ---- Module state ----------------------------------------------------------- */

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
    SEC_MAX = SEC_TAG,
};

/* Position of each known section in the prescribed order (tags sit between
 * memories and globals). */
static const uint8_t section_rank[SEC_MAX + 1] = {
    [SEC_TYPE] = 1,    [SEC_IMPORT] = 2, [SEC_FUNC] = 3,        [SEC_TABLE] = 4, [SEC_MEMORY] = 5,
    [SEC_TAG] = 6,     [SEC_GLOBAL] = 7, [SEC_EXPORT] = 8,      [SEC_START] = 9, [SEC_ELEM] = 10,
    [SEC_DATA_COUNT] = 11, [SEC_CODE] = 12, [SEC_DATA] = 13,
};

/* An import's description until the per-kind index spaces are built. */
typedef struct ImportDesc {
    union {
        uint32_t func_type;
        TableType table;
        MemType memory;
        GlobalType global;
        TagType tag;
    };
} ImportDesc;

typedef struct ModReader {
    Reader r;
    uint8_t last_rank; /* rank of the last known section */
    uint8_t last_id;   /* its id, for CustomSection.after */
    uint32_t n_func_decls;
    uint32_t n_codes;
    Code *codes; /* matched with the function section at the end */
    VEC(SubType) types;
    VEC(ImportDesc) import_descs;
    VEC(CustomSection) customs;
} ModReader;

static Err malformed(Reader *r, const uint8_t *at, const char *msg) {
    return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, at), "%s", msg);
}

/* Grow an index space by `extra` zeroed entries after the `n` it has. */
static Err extend(Reader *r, void **array, uint32_t n, uint32_t extra, size_t elem_size) {
    uint8_t *p = arena_calloc(&r->mod->arena, (size_t)n + extra, elem_size);
    if (!p)
        return bin_fail_nomem(r);
    if (n)
        memcpy(p, *array, n * elem_size);
    *array = p;
    return OK;
}

/* ---- Types used by several sections ----------------------------------------- */

static Err read_mutability(Reader *r, bool *out) {
    const uint8_t *at = r->pos;
    uint8_t b = 0;
    TRY(bin_read_byte(r, &b));
    if (b > 1)
        return malformed(r, at, "malformed mutability");
    *out = b == 1;
    return OK;
}

/* spec: Binary Format > Types > Limits: flags bit 0 = has max, bit 2 = 64-bit
 * addresses; bit 1 (memories only) = shared, from the threads proposal. */
static Err read_limits(Reader *r, bool memory, Limits *out) {
    const uint8_t *at = r->pos;
    uint8_t flags = 0;
    TRY(bin_read_byte(r, &flags));
    uint8_t allowed = memory ? 0x07 : 0x05;
    if (flags & ~allowed)
        return malformed(r, at, "malformed limits flags");
    memset(out, 0, sizeof *out);
    out->has_max = flags & 1;
    out->shared = (flags & 2) != 0;
    out->is64 = (flags & 4) != 0;
    TRY(bin_read_u64(r, &out->min));
    if (out->has_max)
        TRY(bin_read_u64(r, &out->max));
    return OK;
}

static Err read_tabletype(Reader *r, TableType *out) {
    TRY(bin_read_reftype(r, &out->elem));
    return read_limits(r, false, &out->limits);
}

static Err read_globaltype(Reader *r, GlobalType *out) {
    TRY(bin_read_valtype(r, &out->type));
    return read_mutability(r, &out->mutable_);
}

static Err read_tagtype(Reader *r, TagType *out) {
    const uint8_t *at = r->pos;
    TRY(bin_read_byte(r, &out->attribute));
    if (out->attribute != 0)
        return malformed(r, at, "zero byte expected");
    return bin_read_u32(r, &out->type);
}

/* ---- Type section ----------------------------------------------------------- */

static Err read_valtypes(Reader *r, uint32_t *out_n, ValType **out) {
    TRY(bin_read_len(r, out_n));
    *out = arena_alloc(&r->mod->arena, (size_t)*out_n * sizeof **out);
    if (!*out)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < *out_n; i++)
        TRY(bin_read_valtype(r, &(*out)[i]));
    return OK;
}

static Err read_fieldtype(Reader *r, FieldType *out) {
    TRY(bin_read_storagetype(r, &out->type));
    return read_mutability(r, &out->mutable_);
}

static Err read_struct(Reader *r, StructType *out) {
    TRY(bin_read_len(r, &out->n_fields));
    out->fields = arena_alloc(&r->mod->arena, (size_t)out->n_fields * sizeof *out->fields);
    if (!out->fields)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < out->n_fields; i++)
        TRY(read_fieldtype(r, &out->fields[i]));
    return OK;
}

/* spec: Binary Format > Types > Composite Types */
static Err read_comptype(Reader *r, SubType *st) {
    const uint8_t *at = r->pos;
    uint8_t b = 0;
    TRY(bin_read_byte(r, &b));
    switch (b) {
    case 0x60:
        st->kind = COMP_FUNC;
        TRY(read_valtypes(r, &st->func.n_params, &st->func.params));
        return read_valtypes(r, &st->func.n_results, &st->func.results);
    case 0x5f: st->kind = COMP_STRUCT; return read_struct(r, &st->strct);
    case 0x5e: st->kind = COMP_ARRAY; return read_fieldtype(r, &st->array);
    default: return bin_fail_type_byte(r, at, "malformed definition type");
    }
}

/* spec: Binary Format > Types > Recursive Types: 0x50 (open) or 0x4f (final)
 * with supertypes, else a final composite type without any. */
static Err read_subtype(Reader *r, SubType *st) {
    memset(st, 0, sizeof *st);
    st->final = true;
    if (r->pos < r->end && (*r->pos == 0x50 || *r->pos == 0x4f)) {
        st->final = *r->pos++ == 0x4f;
        st->explicit_sub = true;
        TRY(bin_read_len(r, &st->n_supers));
        for (uint32_t i = 0; i < st->n_supers; i++) {
            uint32_t super = 0;
            TRY(bin_read_u32(r, &super));
            if (i == 0)
                st->super = super;
        }
        st->has_super = st->n_supers > 0;
    }
    return read_comptype(r, st);
}

static Err read_rectype(ModReader *m) {
    Reader *r = &m->r;
    uint32_t first = (uint32_t)m->types.len, n = 1;
    bool explicit_rec = r->pos < r->end && *r->pos == 0x4e;
    if (explicit_rec) {
        r->pos++;
        TRY(bin_read_len(r, &n));
    }
    for (uint32_t i = 0; i < n; i++) {
        SubType st;
        TRY(read_subtype(r, &st));
        st.rec_start = first;
        st.rec_size = n;
        st.explicit_rec = explicit_rec;
        if (!VEC_PUSH(&m->types, st))
            return bin_fail_nomem(r);
    }
    return OK;
}

static Err read_type_section(ModReader *m) {
    Reader *r = &m->r;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    for (uint32_t i = 0; i < n; i++)
        TRY(read_rectype(m));
    if (m->types.len > UINT32_MAX)
        return malformed(r, r->pos, "too many types");
    r->mod->n_types = (uint32_t)m->types.len;
    r->mod->types = arena_memdup(&r->mod->arena, m->types.data, m->types.len * sizeof(SubType));
    return r->mod->types ? OK : bin_fail_nomem(r);
}

/* ---- Import section --------------------------------------------------------- */

static Err read_import_desc(Reader *r, Import *imp, ImportDesc *d) {
    const uint8_t *at = r->pos;
    TRY(bin_read_byte(r, &imp->kind));
    switch (imp->kind) {
    case EXTERN_FUNC: return bin_read_u32(r, &d->func_type);
    case EXTERN_TABLE: return read_tabletype(r, &d->table);
    case EXTERN_MEMORY: return read_limits(r, true, &d->memory);
    case EXTERN_GLOBAL: return read_globaltype(r, &d->global);
    case EXTERN_TAG: return read_tagtype(r, &d->tag);
    default: return malformed(r, at, "malformed import kind");
    }
}

/* Size each index space for its imports and fill it in import order. */
static Err place_imports(ModReader *m) {
    Module *mod = m->r.mod;
    uint32_t n[5] = {0};
    for (uint32_t i = 0; i < mod->n_imports; i++)
        mod->imports[i].index = n[mod->imports[i].kind]++;
    TRY(extend(&m->r, (void **)&mod->funcs, 0, n[EXTERN_FUNC], sizeof *mod->funcs));
    TRY(extend(&m->r, (void **)&mod->tables, 0, n[EXTERN_TABLE], sizeof *mod->tables));
    TRY(extend(&m->r, (void **)&mod->memories, 0, n[EXTERN_MEMORY], sizeof *mod->memories));
    TRY(extend(&m->r, (void **)&mod->globals, 0, n[EXTERN_GLOBAL], sizeof *mod->globals));
    TRY(extend(&m->r, (void **)&mod->tags, 0, n[EXTERN_TAG], sizeof *mod->tags));
    mod->n_funcs = mod->n_func_imports = n[EXTERN_FUNC];
    mod->n_tables = mod->n_table_imports = n[EXTERN_TABLE];
    mod->n_memories = mod->n_memory_imports = n[EXTERN_MEMORY];
    mod->n_globals = mod->n_global_imports = n[EXTERN_GLOBAL];
    mod->n_tags = mod->n_tag_imports = n[EXTERN_TAG];
    for (uint32_t i = 0; i < mod->n_imports; i++) {
        const Import *imp = &mod->imports[i];
        const ImportDesc *d = &m->import_descs.data[i];
        int32_t at = (int32_t)i;
        switch (imp->kind) {
        case EXTERN_FUNC:
            mod->funcs[imp->index] = (Func){.type = d->func_type, .import = at};
            break;
        case EXTERN_TABLE: mod->tables[imp->index] = (Table){.type = d->table, .import = at}; break;
        case EXTERN_MEMORY: mod->memories[imp->index] = (Memory){d->memory, at}; break;
        case EXTERN_GLOBAL:
            mod->globals[imp->index] = (Global){.type = d->global, .import = at};
            break;
        case EXTERN_TAG: mod->tags[imp->index] = (Tag){d->tag, at}; break;
        }
    }
    return OK;
}

static Err read_import_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    TRY(bin_read_len(r, &mod->n_imports));
    mod->imports = arena_calloc(&mod->arena, mod->n_imports, sizeof *mod->imports);
    if (!mod->imports || !VEC_RESERVE(&m->import_descs, mod->n_imports))
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < mod->n_imports; i++) {
        Import *imp = &mod->imports[i];
        ImportDesc *d = &m->import_descs.data[i];
        TRY(bin_read_name(r, &imp->module));
        TRY(bin_read_name(r, &imp->field));
        TRY(read_import_desc(r, imp, d));
    }
    m->import_descs.len = mod->n_imports;
    return place_imports(m);
}

/* ---- Function, table, memory, tag and global sections ----------------------- */

static Err read_func_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    TRY(extend(r, (void **)&mod->funcs, mod->n_funcs, n, sizeof *mod->funcs));
    for (uint32_t i = 0; i < n; i++) {
        Func *f = &mod->funcs[mod->n_funcs + i];
        f->import = -1;
        TRY(bin_read_u32(r, &f->type));
    }
    mod->n_funcs += n;
    m->n_func_decls = n;
    return OK;
}

/* spec: Binary Format > Modules > Table Section: 0x40 0x00 introduces a table
 * with an explicit initializer expression. */
static Err read_table(Reader *r, Table *t) {
    t->import = -1;
    if (r->pos < r->end && *r->pos == 0x40) {
        r->pos++;
        const uint8_t *at = r->pos;
        uint8_t zero = 0;
        TRY(bin_read_byte(r, &zero));
        if (zero != 0)
            return malformed(r, at, "zero byte expected");
        t->has_init = true;
        TRY(read_tabletype(r, &t->type));
        return bin_read_const_expr(r, &t->init);
    }
    return read_tabletype(r, &t->type);
}

static Err read_table_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    TRY(extend(r, (void **)&mod->tables, mod->n_tables, n, sizeof *mod->tables));
    for (uint32_t i = 0; i < n; i++)
        TRY(read_table(r, &mod->tables[mod->n_tables + i]));
    mod->n_tables += n;
    return OK;
}

static Err read_memory_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    TRY(extend(r, (void **)&mod->memories, mod->n_memories, n, sizeof *mod->memories));
    for (uint32_t i = 0; i < n; i++) {
        Memory *mem = &mod->memories[mod->n_memories + i];
        mem->import = -1;
        TRY(read_limits(r, true, &mem->type));
    }
    mod->n_memories += n;
    return OK;
}

static Err read_tag_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    TRY(extend(r, (void **)&mod->tags, mod->n_tags, n, sizeof *mod->tags));
    for (uint32_t i = 0; i < n; i++) {
        Tag *tag = &mod->tags[mod->n_tags + i];
        tag->import = -1;
        TRY(read_tagtype(r, &tag->type));
    }
    mod->n_tags += n;
    return OK;
}

static Err read_global_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    uint32_t n = 0;
    TRY(bin_read_len(r, &n));
    TRY(extend(r, (void **)&mod->globals, mod->n_globals, n, sizeof *mod->globals));
    for (uint32_t i = 0; i < n; i++) {
        Global *g = &mod->globals[mod->n_globals + i];
        g->import = -1;
        TRY(read_globaltype(r, &g->type));
        TRY(bin_read_const_expr(r, &g->init));
    }
    mod->n_globals += n;
    return OK;
}

/* ---- Export and start sections ---------------------------------------------- */

static Err read_export_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    TRY(bin_read_len(r, &mod->n_exports));
    mod->exports = arena_calloc(&mod->arena, mod->n_exports, sizeof *mod->exports);
    if (!mod->exports)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < mod->n_exports; i++) {
        Export *e = &mod->exports[i];
        TRY(bin_read_name(r, &e->name));
        const uint8_t *at = r->pos;
        TRY(bin_read_byte(r, &e->kind));
        if (e->kind > EXTERN_TAG)
            return malformed(r, at, "malformed export kind");
        TRY(bin_read_u32(r, &e->index));
    }
    return OK;
}

static Err read_start_section(ModReader *m) {
    m->r.mod->has_start = true;
    return bin_read_u32(&m->r, &m->r.mod->start);
}

/* ---- Element section -------------------------------------------------------- */

/* The element type of the forms without expressions: elemkind 0x00 (or none,
 * for flags 0) means (ref func). */
static Err read_elemkind(Reader *r, bool present, ValType *out) {
    *out = ir_reftype(false, HT_FUNC);
    if (!present)
        return OK;
    const uint8_t *at = r->pos;
    uint8_t kind = 0;
    TRY(bin_read_byte(r, &kind));
    return kind == 0 ? OK : malformed(r, at, "malformed element kind");
}

static Err read_elem_items(Reader *r, ElemSegment *seg) {
    TRY(bin_read_len(r, &seg->n_items));
    if (!seg->exprs) {
        seg->funcs = arena_alloc(&r->mod->arena, (size_t)seg->n_items * sizeof *seg->funcs);
        if (!seg->funcs)
            return bin_fail_nomem(r);
        for (uint32_t i = 0; i < seg->n_items; i++)
            TRY(bin_read_u32(r, &seg->funcs[i]));
        return OK;
    }
    seg->items = arena_alloc(&r->mod->arena, (size_t)seg->n_items * sizeof *seg->items);
    if (!seg->items)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < seg->n_items; i++)
        TRY(bin_read_const_expr(r, &seg->items[i]));
    return OK;
}

/* spec: Binary Format > Modules > Element Section: flags bit 0 = passive or
 * declarative, bit 1 = explicit table (active) or declarative, bit 2 =
 * expressions with a reference type instead of function indices. */
static Err read_elem(Reader *r, ElemSegment *seg) {
    const uint8_t *at = r->pos;
    uint32_t flags = 0;
    seg->offset_in_binary = bin_offset(r, at);
    TRY(bin_read_u32(r, &flags));
    if (flags > 7)
        return malformed(r, at, "malformed elements segment kind");
    seg->flags = (uint8_t)flags;
    seg->exprs = (flags & 4) != 0;
    if (flags & 1) {
        seg->mode = (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
    } else {
        seg->mode = SEG_ACTIVE;
        if (flags & 2)
            TRY(bin_read_u32(r, &seg->table));
        TRY(bin_read_const_expr(r, &seg->offset));
    }
    bool typed = (flags & 3) != 0;
    if (!seg->exprs)
        TRY(read_elemkind(r, typed, &seg->type));
    else if (typed)
        TRY(bin_read_reftype(r, &seg->type));
    else
        seg->type = ir_reftype(true, HT_FUNC);
    return read_elem_items(r, seg);
}

static Err read_elem_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    TRY(bin_read_len(r, &mod->n_elems));
    mod->elems = arena_calloc(&mod->arena, mod->n_elems, sizeof *mod->elems);
    if (!mod->elems)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < mod->n_elems; i++)
        TRY(read_elem(r, &mod->elems[i]));
    return OK;
}

/* ---- Data count, code and data sections ------------------------------------- */

static Err read_data_count_section(ModReader *m) {
    m->r.mod->has_data_count = true;
    return bin_read_u32(&m->r, &m->r.mod->data_count);
}

static Err read_code_section(ModReader *m) {
    Reader *r = &m->r;
    TRY(bin_read_len(r, &m->n_codes));
    m->codes = arena_alloc(&r->mod->arena, (size_t)m->n_codes * sizeof *m->codes);
    if (!m->codes)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < m->n_codes; i++) {
        uint32_t size = 0;
        TRY(bin_read_len(r, &size));
        TRY(bin_read_code(r, size, &m->codes[i]));
    }
    return OK;
}

/* spec: Binary Format > Modules > Data Section: 0 = active in memory 0,
 * 1 = passive, 2 = active with an explicit memory. */
static Err read_data(Reader *r, DataSegment *seg) {
    const uint8_t *at = r->pos;
    uint32_t flags = 0;
    seg->offset_in_binary = bin_offset(r, at);
    TRY(bin_read_u32(r, &flags));
    if (flags > 2)
        return malformed(r, at, "malformed data segment kind");
    seg->flags = (uint8_t)flags;
    seg->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    if (flags == 2)
        TRY(bin_read_u32(r, &seg->memory));
    if (flags != 1)
        TRY(bin_read_const_expr(r, &seg->offset));
    TRY(bin_read_len(r, &seg->len));
    return bin_read_bytes(r, seg->len, &seg->bytes);
}

static Err read_data_section(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    TRY(bin_read_len(r, &mod->n_datas));
    mod->datas = arena_calloc(&mod->arena, mod->n_datas, sizeof *mod->datas);
    if (!mod->datas)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < mod->n_datas; i++)
        TRY(read_data(r, &mod->datas[i]));
    return OK;
}

/* ---- Custom sections -------------------------------------------------------- */

static Err read_custom_section(ModReader *m, const uint8_t *body, uint32_t size) {
    Reader *r = &m->r;
    CustomSection cs = {.after = m->last_id, .offset = bin_offset(r, body)};
    TRY(bin_read_name(r, &cs.name));
    if (r->pos > body + size)
        return bin_fail_eof(r);
    cs.bytes = r->pos;
    cs.len = (uint32_t)(body + size - r->pos);
    r->pos = body + size;
    if (!VEC_PUSH(&m->customs, cs))
        return bin_fail_nomem(r);
    if (cs.name.len == 4 && memcmp(cs.name.str, "name", 4) == 0 && !r->mod->names.present)
        TRY(bin_read_name_section(r, cs.bytes, cs.len));
    return OK;
}

/* ---- Module ----------------------------------------------------------------- */

static Err read_header(Reader *r) {
    const uint8_t *p = NULL;
    TRY(bin_read_bytes(r, 4, &p));
    uint32_t magic = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
    if (magic != WASM_MAGIC)
        return malformed(r, p, "magic header not detected");
    TRY(bin_read_bytes(r, 4, &p));
    uint32_t version = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24;
    if (version != WASM_VERSION)
        return malformed(r, p, "unknown binary version");
    return OK;
}

static Err read_section_body(ModReader *m, uint8_t id, const uint8_t *body, uint32_t size) {
    switch (id) {
    case SEC_CUSTOM: return read_custom_section(m, body, size);
    case SEC_TYPE: return read_type_section(m);
    case SEC_IMPORT: return read_import_section(m);
    case SEC_FUNC: return read_func_section(m);
    case SEC_TABLE: return read_table_section(m);
    case SEC_MEMORY: return read_memory_section(m);
    case SEC_TAG: return read_tag_section(m);
    case SEC_GLOBAL: return read_global_section(m);
    case SEC_EXPORT: return read_export_section(m);
    case SEC_START: return read_start_section(m);
    case SEC_ELEM: return read_elem_section(m);
    case SEC_DATA_COUNT: return read_data_count_section(m);
    case SEC_CODE: return read_code_section(m);
    case SEC_DATA: return read_data_section(m);
    default: return malformed(&m->r, body, "malformed section id");
    }
}

/* spec: Binary Format > Modules: known sections at most once and in order,
 * custom sections anywhere. An out-of-order section ends what the reference
 * interpreter consumes, hence its message. */
static Err read_section(ModReader *m) {
    Reader *r = &m->r;
    const uint8_t *at = r->pos;
    uint8_t id = *r->pos++;
    if (id > SEC_MAX)
        return malformed(r, at, "malformed section id");
    if (id != SEC_CUSTOM && section_rank[id] <= m->last_rank)
        return malformed(r, at, "unexpected content after last section");
    uint32_t size = 0;
    TRY(bin_read_len(r, &size));
    const uint8_t *body = r->pos;
    TRY(read_section_body(m, id, body, size));
    if (r->pos != body + size)
        return malformed(r, body, "section size mismatch");
    if (id != SEC_CUSTOM) {
        m->last_rank = section_rank[id];
        m->last_id = id;
        r->mod->section_order[r->mod->n_sections++] = id;
    }
    return OK;
}

/* spec: Binary Format > Modules: the cross-section conditions, checked after
 * everything was read, in the reference interpreter's order. */
static Err finish_module(ModReader *m) {
    Reader *r = &m->r;
    Module *mod = r->mod;
    if (m->n_codes != m->n_func_decls)
        return malformed(r, r->end, "function and code section have inconsistent lengths");
    if (mod->has_data_count && mod->data_count != mod->n_datas)
        return malformed(r, r->end, "data count and data section have inconsistent lengths");
    if (!mod->has_data_count && r->saw_data_index)
        return malformed(r, r->end, "data count section required");
    for (uint32_t i = 0; i < m->n_codes; i++)
        mod->funcs[mod->n_func_imports + i].code = m->codes[i];
    mod->n_customs = (uint32_t)m->customs.len;
    size_t customs_size = m->customs.len * sizeof(CustomSection);
    mod->customs = arena_memdup(&mod->arena, m->customs.data, customs_size);
    return mod->customs ? OK : bin_fail_nomem(r);
}

static Err read_module(ModReader *m) {
    TRY(read_header(&m->r));
    while (m->r.pos < m->r.end)
        TRY(read_section(m));
    return finish_module(m);
}

Err bin_read_module(const uint8_t *bytes, size_t len, Module **out, Diag *diag) {
    *out = NULL;
    if (len > UINT32_MAX)
        return FAIL(diag, ERR_LIMIT, 0, "module too large");
    Module *mod = ir_module_new();
    if (!mod)
        return FAIL_NOMEM(diag);
    const uint8_t *copy = arena_memdup(&mod->arena, bytes, len);
    if (!copy) {
        ir_module_delete(mod);
        return FAIL_NOMEM(diag);
    }
    ModReader m;
    memset(&m, 0, sizeof m);
    bin_reader_init(&m.r, copy, len, mod, diag);
    Err err = read_module(&m);
    bin_reader_fini(&m.r);
    VEC_FREE(&m.types);
    VEC_FREE(&m.import_descs);
    VEC_FREE(&m.customs);
    if (err != OK) {
        ir_module_delete(mod);
        return err;
    }
    *out = mod;
    return OK;
}
