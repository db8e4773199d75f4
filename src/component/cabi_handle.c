/* Handle tables and resources (spec: Handles, lift_own/lift_borrow,
 * lower_own/lower_borrow, canon resource.new/rep/drop): one table per
 * component instance, indices from 1, freed indices reused LIFO, each entry
 * typed by its runtime resource type; borrows counted per export call and
 * lends per import call. Trap texts follow the wasmtime test suite. */
#include <string.h>

#include "cabi.h"

void cabi_table_fini(CabiTable *table) {
    mem_free(table->elems);
    mem_free(table->free);
    memset(table, 0, sizeof *table);
}

static Err table_add(CabiCx *cx, CabiTable *tb, CabiHandle h, uint32_t *out) {
    if (tb->n_free) {
        uint32_t i = tb->free[--tb->n_free];
        tb->elems[i] = h;
        *out = i;
        return OK;
    }
    if (tb->len == 0)
        tb->len = 1; /* index 0 is never handed out */
    if (tb->len >= CABI_TABLE_MAX)
        return cabi_fault(cx, CF_HANDLE_TABLE_FULL);
    if (tb->len >= tb->cap) {
        uint32_t cap = tb->cap ? tb->cap * 2 : 16;
        CabiHandle *e = mem_realloc(tb->elems, (size_t)cap * sizeof *e);
        if (!e)
            return FAIL_NOMEM(cx->diag);
        tb->elems = e;
        tb->cap = cap;
    }
    tb->elems[tb->len] = h;
    *out = tb->len++;
    return OK;
}

static Err table_free_slot(CabiCx *cx, CabiTable *tb, uint32_t i) {
    if (tb->n_free >= tb->free_cap) {
        uint32_t cap = tb->free_cap ? tb->free_cap * 2 : 16;
        uint32_t *f = mem_realloc(tb->free, (size_t)cap * sizeof *f);
        if (!f)
            return FAIL_NOMEM(cx->diag);
        tb->free = f;
        tb->free_cap = cap;
    }
    tb->elems[i].type = NULL;
    tb->free[tb->n_free++] = i;
    return OK;
}

static const char *kind_of(const CompRtResource *rt) {
    return rt->impl ? "guest-defined resource" : "host-defined resource";
}

/* spec: Table.get plus the resource type check. */
static Err table_get(CabiCx *cx, CompRtInstance *inst, uint32_t i, const CompRtResource *rt,
                     CabiHandle **out) {
    CabiTable *tb = &inst->table;
    if (i == 0 || i >= tb->len || !tb->elems[i].type)
        return cabi_trapf(cx, "unknown handle index %u", i);
    CabiHandle *h = &tb->elems[i];
    if (rt && h->type != rt) {
        bool same_kind = (h->type->impl != NULL) == (rt->impl != NULL);
        return cabi_trapf(cx, "handle index %u used with the wrong type, expected %s but found %s%s",
                          i, kind_of(rt), same_kind ? "a different " : "", kind_of(h->type));
    }
    *out = h;
    return OK;
}

Err cabi_resource_of(CabiCx *cx, const CompValType *t, CompRtResource **out) {
    uint32_t id = t->resource ? t->resource->id : COMP_NONE;
    if (id >= cx->n_resources || !cx->resources[id])
        return cabi_trapf(cx, "resource type %u is not bound to a runtime resource", id);
    *out = cx->resources[id];
    return OK;
}

/* ---- Lift --------------------------------------------------------------------------------- */

Err cabi_lift_own(CabiCx *cx, uint32_t index, const CompValType *t, CompValue *out) {
    CompRtResource *rt = NULL;
    CabiHandle *h;
    TRY(cabi_resource_of(cx, t, &rt));
    TRY(table_get(cx, cx->inst, index, rt, &h));
    if (!h->own)
        return cabi_trapf(cx, "cannot lift own resource from a borrow");
    if (h->lend_count != 0)
        return cabi_trapf(cx, "cannot remove owned resource while borrowed");
    uint32_t rep = h->rep;
    TRY(table_free_slot(cx, &cx->inst->table, index));
    out->kind = CVT_OWN;
    out->res.type = rt;
    out->res.rep = rep;
    return OK;
}

Err cabi_lift_borrow(CabiCx *cx, uint32_t index, const CompValType *t, CompValue *out) {
    CompRtResource *rt = NULL;
    CabiHandle *h;
    TRY(cabi_resource_of(cx, t, &rt));
    TRY(table_get(cx, cx->inst, index, rt, &h));
    if (h->own && cx->call) {
        CabiCall *c = cx->call;
        if (c->n_lenders >= c->cap_lenders) {
            uint32_t cap = c->cap_lenders ? c->cap_lenders * 2 : 8;
            CabiLender *l = mem_realloc(c->lenders, (size_t)cap * sizeof *l);
            if (!l)
                return FAIL_NOMEM(cx->diag);
            c->lenders = l;
            c->cap_lenders = cap;
        }
        h->lend_count++;
        c->lenders[c->n_lenders++] = (CabiLender){cx->inst, index};
    }
    out->kind = CVT_BORROW;
    out->res.type = rt;
    out->res.rep = h->rep;
    return OK;
}

/* ---- Lower -------------------------------------------------------------------------------- */

static Err check_value_type(CabiCx *cx, const CompValue *v, CompRtResource *rt) {
    if (v->res.type != rt)
        return cabi_trapf(cx, "mismatched resource types");
    return OK;
}

Err cabi_lower_own(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t *out) {
    CompRtResource *rt = NULL;
    TRY(cabi_resource_of(cx, t, &rt));
    TRY(check_value_type(cx, v, rt));
    return table_add(cx, &cx->inst->table, (CabiHandle){.type = rt, .rep = v->res.rep, .own = true},
                     out);
}

Err cabi_lower_borrow(CabiCx *cx, const CompValue *v, const CompValType *t, uint32_t *out) {
    CompRtResource *rt = NULL;
    TRY(cabi_resource_of(cx, t, &rt));
    TRY(check_value_type(cx, v, rt));
    if (cx->inst == rt->impl) {
        *out = v->res.rep;
        return OK;
    }
    CabiHandle h = {.type = rt, .rep = v->res.rep, .own = false, .scope = cx->call};
    TRY(table_add(cx, &cx->inst->table, h, out));
    if (cx->call)
        cx->call->borrow_count++;
    return OK;
}

/* ---- Built-ins ----------------------------------------------------------------------------- */

Err cabi_resource_new(CabiCx *cx, CompRtResource *rt, uint32_t rep, uint32_t *out) {
    return table_add(cx, &cx->inst->table, (CabiHandle){.type = rt, .rep = rep, .own = true}, out);
}

Err cabi_resource_rep(CabiCx *cx, CompRtResource *rt, uint32_t index, uint32_t *out) {
    CabiHandle *h;
    TRY(table_get(cx, cx->inst, index, rt, &h));
    *out = h->rep;
    return OK;
}

Err cabi_run_dtor(CabiCx *cx, CompRtResource *rt, uint32_t rep) {
    if (rt->host_dtor) {
        rt->host_dtor(rt->host_env, rep);
        return OK;
    }
    if (!rt->dtor)
        return OK;
    if (rt->impl && cx->inst != rt->impl && !rt->impl->may_enter)
        return cabi_fault(cx, CF_CANNOT_ENTER);
    ValRaw arg;
    memset(&arg, 0, sizeof arg);
    arg.i32 = (int32_t)rep;
    /* spec: canon_resource_drop — from another instance the destructor is a
     * synchronous lifted call (a task of its own); in its own instance it
     * runs in the current task. */
    CabiTask task = {.state = CABI_TASK_INITIAL, .inst = rt->impl};
    bool own_task = rt->impl && cx->inst != rt->impl;
    if (own_task)
        cabi_task_enter(&task);
    Err err = cabi_call_core(cx, rt->dtor, &arg, 1);
    if (own_task)
        cabi_task_exit(&task);
    return err;
}

Err cabi_resource_drop(CabiCx *cx, CompRtResource *rt, uint32_t index) {
    CabiHandle *h;
    TRY(table_get(cx, cx->inst, index, rt, &h));
    CabiHandle copy = *h;
    if (copy.own && copy.lend_count != 0)
        return cabi_trapf(cx, "cannot remove owned resource while borrowed");
    TRY(table_free_slot(cx, &cx->inst->table, index));
    if (!copy.own) {
        if (copy.scope && copy.scope->borrow_count)
            copy.scope->borrow_count--;
        return OK;
    }
    return cabi_run_dtor(cx, rt, copy.rep);
}

/* ---- Call exit ------------------------------------------------------------------------------ */

Err cabi_call_exit_export(CabiCx *cx, CabiCall *call) {
    bool remain = call->borrow_count != 0;
    cabi_call_exit_import(call);
    return remain ? cabi_fault(cx, CF_BORROWS_REMAIN) : OK;
}

void cabi_call_exit_import(CabiCall *call) {
    for (uint32_t i = 0; i < call->n_lenders; i++) {
        CabiLender *l = &call->lenders[i];
        CabiTable *tb = &l->inst->table;
        if (l->index < tb->len && tb->elems[l->index].type && tb->elems[l->index].lend_count)
            tb->elems[l->index].lend_count--;
    }
    mem_free(call->lenders);
    call->lenders = NULL;
    call->n_lenders = call->cap_lenders = 0;
}
