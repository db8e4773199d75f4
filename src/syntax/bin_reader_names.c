/* The "name" custom section (spec: Custom Sections > Name Section, with the
 * extended-name-section and GC additions: labels, types, tables, memories,
 * globals, element and data segments, fields, tags) decoded into mod->names.
 * A malformed name section never fails decoding: its names are dropped and
 * the custom section itself is kept. Only running out of memory is an error. */
#include "bin_reader.h"

enum {
    NAME_MODULE = 0,
    NAME_FUNC = 1,
    NAME_LOCAL = 2,
    NAME_LABEL = 3,
    NAME_TYPE = 4,
    NAME_TABLE = 5,
    NAME_MEMORY = 6,
    NAME_GLOBAL = 7,
    NAME_ELEM = 8,
    NAME_DATA = 9,
    NAME_FIELD = 10,
    NAME_TAG = 11,
};

static Err name_malformed(Reader *r, const char *msg) {
    return FAIL(r->diag, ERR_MALFORMED, bin_offset(r, r->pos), "%s", msg);
}

/* Entries must come in increasing index order (the IR keeps them sorted). */
static Err read_name_map(Reader *r, NameMap *out) {
    TRY(bin_read_len(r, &out->n));
    out->entries = arena_alloc(&r->mod->arena, (size_t)out->n * sizeof *out->entries);
    if (!out->entries)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < out->n; i++) {
        NameAssoc *e = &out->entries[i];
        TRY(bin_read_u32(r, &e->index));
        if (i > 0 && e->index <= out->entries[i - 1].index)
            return name_malformed(r, "name map out of order");
        TRY(bin_read_name(r, &e->name));
    }
    return OK;
}

static Err read_indirect_name_map(Reader *r, IndirectNameMap *out) {
    TRY(bin_read_len(r, &out->n));
    out->indices = arena_alloc(&r->mod->arena, (size_t)out->n * sizeof *out->indices);
    out->maps = arena_alloc(&r->mod->arena, (size_t)out->n * sizeof *out->maps);
    if (!out->indices || !out->maps)
        return bin_fail_nomem(r);
    for (uint32_t i = 0; i < out->n; i++) {
        TRY(bin_read_u32(r, &out->indices[i]));
        if (i > 0 && out->indices[i] <= out->indices[i - 1])
            return name_malformed(r, "name map out of order");
        TRY(read_name_map(r, &out->maps[i]));
    }
    return OK;
}

static NameMap *direct_map(Names *names, uint8_t id) {
    switch (id) {
    case NAME_FUNC: return &names->funcs;
    case NAME_TYPE: return &names->types;
    case NAME_TABLE: return &names->tables;
    case NAME_MEMORY: return &names->memories;
    case NAME_GLOBAL: return &names->globals;
    case NAME_ELEM: return &names->elems;
    case NAME_DATA: return &names->datas;
    case NAME_TAG: return &names->tags;
    default: return NULL;
    }
}

static IndirectNameMap *indirect_map(Names *names, uint8_t id) {
    switch (id) {
    case NAME_LOCAL: return &names->locals;
    case NAME_LABEL: return &names->labels;
    case NAME_FIELD: return &names->fields;
    default: return NULL;
    }
}

static Err read_subsection(Reader *r, uint8_t id, Names *names) {
    if (id == NAME_MODULE) {
        names->has_module_name = true;
        return bin_read_name(r, &names->module);
    }
    NameMap *map = direct_map(names, id);
    if (map)
        return read_name_map(r, map);
    IndirectNameMap *imap = indirect_map(names, id);
    if (imap)
        return read_indirect_name_map(r, imap);
    r->pos = r->end; /* unknown subsection: skip it */
    return OK;
}

/* Known subsections at most once each, in increasing id order. */
static Err read_subsections(Reader *r, Names *names) {
    int last_id = -1;
    while (r->pos < r->end) {
        uint8_t id = 0;
        uint32_t size = 0;
        TRY(bin_read_byte(r, &id));
        TRY(bin_read_len(r, &size));
        if (size > (size_t)(r->end - r->pos))
            return bin_fail_eof(r);
        bool known = id <= NAME_TAG;
        if (known && (int)id <= last_id)
            return name_malformed(r, "name subsection out of order");
        if (known)
            last_id = id;
        Reader sub = *r;
        sub.end = r->pos + size;
        TRY(read_subsection(&sub, id, names));
        if (sub.pos != sub.end)
            return name_malformed(&sub, "name subsection size mismatch");
        r->pos = sub.end;
    }
    return OK;
}

Err bin_read_name_section(Reader *r, const uint8_t *payload, uint32_t len) {
    Diag local;
    diag_clear(&local);
    Reader sub;
    bin_reader_init(&sub, r->start, (size_t)(r->end - r->start), r->mod, &local);
    sub.pos = payload;
    sub.end = payload + len;
    Names names;
    memset(&names, 0, sizeof names);
    Err err = read_subsections(&sub, &names);
    if (err == ERR_NOMEM)
        return bin_fail_nomem(r);
    if (err != OK)
        return OK; /* malformed: keep the custom section, drop the names */
    names.present = true;
    r->mod->names = names;
    return OK;
}
