/* Traps and frames: a trap object keeps its code, message, WASI exit status
 * and backtrace as copies (names duplicated, instances retained), so it
 * stays readable after the runtime trap is gone and even after its store. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_int.h"

/* Runtime trap codes to public ones, by name: a trap added to traps.def
 * without its WASMC_TRAP_ twin fails to compile here. */
static const wasmc_trap_code_t public_codes[TRAP_COUNT] = {
#define TRAP(name, text) [TRAP_##name] = WASMC_TRAP_##name,
#include "../runtime/traps.def"
#undef TRAP
};

/* ---- Frames --------------------------------------------------------------------------- */

static char *dup_or_null(const char *s) {
    return s ? mem_strndup(s, strlen(s)) : NULL;
}

static void frame_fini(wasm_frame_t *f) {
    api_release(f->instance);
    mem_free(f->func_name);
    mem_free(f->module_name);
}

static bool frame_init_copy(wasm_frame_t *dst, const wasm_frame_t *src) {
    *dst = *src;
    dst->instance = api_retain(src->instance);
    dst->func_name = dup_or_null(src->func_name);
    dst->module_name = dup_or_null(src->module_name);
    if ((src->func_name && !dst->func_name) || (src->module_name && !dst->module_name)) {
        frame_fini(dst);
        return false;
    }
    return true;
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) {
    wasm_frame_t *c = f ? mem_alloc(sizeof *c) : NULL;
    if (c && !frame_init_copy(c, f)) {
        mem_free(c);
        return NULL;
    }
    return c;
}

void wasm_frame_delete(wasm_frame_t *f) {
    if (!f)
        return;
    frame_fini(f);
    mem_free(f);
}

struct wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) {
    return f ? (struct wasm_instance_t *)f->instance : NULL;
}

uint32_t wasm_frame_func_index(const wasm_frame_t *f) {
    return f ? f->func_index : 0;
}

size_t wasm_frame_func_offset(const wasm_frame_t *f) {
    return f ? f->func_offset : 0;
}

size_t wasm_frame_module_offset(const wasm_frame_t *f) {
    return f ? f->module_offset : 0;
}

const char *wasmc_frame_func_name(const wasm_frame_t *f) {
    return f ? f->func_name : NULL;
}

const char *wasmc_frame_module_name(const wasm_frame_t *f) {
    return f ? f->module_name : NULL;
}

/* ---- Trap objects ------------------------------------------------------------------------- */

void api_trap_data_fini(TrapData *d) {
    for (uint32_t i = 0; i < d->n_frames; i++)
        frame_fini(&d->frames[i]);
    mem_free(d->frames);
    mem_free(d->message);
}

static ApiObj *trap_new(const char *message, size_t len) {
    ApiObj *o = api_obj_new(OBJ_TRAP);
    if (!o)
        return NULL;
    o->u.trap.message = mem_strndup(message, len);
    if (!o->u.trap.message) {
        mem_free(o);
        return NULL;
    }
    return o;
}

ApiObj *api_trap_msg(const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return trap_new(text, strlen(text));
}

wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *message) {
    (void)store;
    if (!message)
        return NULL;
    size_t len = message->size;
    /* The message is NUL-terminated by convention; accept it without. */
    if (len && message->data[len - 1] == '\0')
        len--;
    return (wasm_trap_t *)trap_new(message->data ? message->data : "", len);
}

void wasm_trap_message(const wasm_trap_t *t, wasm_message_t *out) {
    const char *text = t ? api_obj(t)->u.trap.message : "";
    wasm_name_new(out, strlen(text) + 1, text);
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *t) {
    if (!t || !api_obj(t)->u.trap.n_frames)
        return NULL;
    return wasm_frame_copy(&api_obj(t)->u.trap.frames[0]);
}

void wasm_trap_trace(const wasm_trap_t *t, wasm_frame_vec_t *out) {
    const TrapData *d = t ? &api_obj(t)->u.trap : NULL;
    wasm_frame_vec_new_uninitialized(out, d ? d->n_frames : 0);
    for (size_t i = 0; i < out->size; i++) {
        out->data[i] = wasm_frame_copy(&d->frames[i]);
        if (!out->data[i]) {
            wasm_frame_vec_delete(out);
            return;
        }
    }
}

bool wasmc_trap_code(const wasm_trap_t *t, wasmc_trap_code_t *out) {
    if (!t || !api_obj(t)->u.trap.has_code || !out)
        return false;
    TrapCode code = api_obj(t)->u.trap.code;
    *out = (unsigned)code < TRAP_COUNT && code != TRAP_NONE ? public_codes[code] : WASMC_TRAP_HOST;
    return true;
}

bool wasmc_trap_exit_status(const wasm_trap_t *t, int *out) {
    if (!t || !api_obj(t)->u.trap.exited || !out)
        return false;
    *out = api_obj(t)->u.trap.exit_code;
    return true;
}

/* ---- From and to runtime traps ---------------------------------------------------------------- */

/* Whether `inst` holds the function of frame `f`: a defined function whose
 * body contains the frame's offset. Sets the offset within the function. */
static bool frame_in_instance(const ApiObj *inst, const TrapFrame *f, size_t *out_func_offset) {
    if (!inst || inst->kind != OBJ_INSTANCE || !inst->u.instance)
        return false;
    const Module *ir = rt_instance_vmctx(inst->u.instance)->module->ir;
    if (f->func_index < ir->n_func_imports || f->func_index >= ir->n_funcs)
        return false;
    const Code *code = &ir->funcs[f->func_index].code;
    if (f->code_offset < code->offset || f->code_offset > code->offset + code->size)
        return false;
    *out_func_offset = f->code_offset - code->offset;
    return true;
}

/* TODO(issue 6): TrapFrame does not name its instance; until the runtime
 * records it (proposed: a VMContext * in TrapFrame), the instance is found
 * among the hint, the store's latest instance and then all its instances. */
static ApiObj *find_instance(wasm_store_t *store, const TrapFrame *f, const ApiObj *hint,
                             size_t *out_func_offset) {
    if (frame_in_instance(hint, f, out_func_offset))
        return (ApiObj *)hint;
    if (!store)
        return NULL;
    if (frame_in_instance(store->last_instance, f, out_func_offset))
        return store->last_instance;
    for (size_t i = store->owned.len; i-- > 0;)
        if (frame_in_instance(store->owned.data[i], f, out_func_offset))
            return store->owned.data[i];
    return NULL;
}

static bool frame_from_rt(wasm_store_t *store, const TrapFrame *f, const ApiObj *hint,
                          wasm_frame_t *out) {
    memset(out, 0, sizeof *out);
    out->func_index = f->func_index;
    out->module_offset = f->code_offset;
    out->instance = api_retain(find_instance(store, f, hint, &out->func_offset));
    out->func_name = dup_or_null(f->func_name);
    out->module_name = dup_or_null(f->module_name);
    if ((f->func_name && !out->func_name) || (f->module_name && !out->module_name)) {
        frame_fini(out);
        return false;
    }
    return true;
}

static void note_exit(wasm_store_t *store, TrapData *d) {
    for (size_t i = 0; store && d->code == TRAP_HOST && i < store->wasis.len; i++)
        if (wasi_exit_status(store->wasis.data[i], &d->exit_code))
            d->exited = true;
}

ApiObj *api_trap_from_rt(wasm_store_t *store, const Trap *trap, const ApiObj *hint) {
    const char *text = rt_trap_text(trap);
    ApiObj *o = trap_new(text, strlen(text));
    if (!o)
        return NULL;
    TrapData *d = &o->u.trap;
    d->has_code = true;
    d->code = trap->code;
    note_exit(store, d);
    if (trap->n_frames) {
        d->frames = mem_calloc(trap->n_frames, sizeof *d->frames);
        for (uint32_t i = 0; d->frames && i < trap->n_frames; i++) {
            if (!frame_from_rt(store, &trap->frames[i], hint, &d->frames[i]))
                break;
            d->n_frames = i + 1;
        }
    }
    return o;
}

Trap *api_trap_to_rt(const ApiObj *o) {
    const TrapData *d = &o->u.trap;
    TrapCode code = d->has_code ? d->code : TRAP_HOST;
    /* A wasm trap handed back by a host callback keeps its code and text;
     * anything else is a host trap carrying the message. */
    Trap *trap = rt_trap_new(code, code == TRAP_HOST ? d->message : NULL);
    return trap ? trap : rt_trap_new(TRAP_HOST, NULL);
}
