/* Module IR lifetime and small queries. */
#include "ir.h"

#include "../base/mem.h"

Module *ir_module_new(void) {
    Module *mod = mem_calloc(1, sizeof *mod);
    if (mod)
        arena_init(&mod->arena);
    return mod;
}

void ir_module_delete(Module *mod) {
    if (!mod)
        return;
    arena_fini(&mod->arena);
    mem_free(mod);
}

const FuncType *ir_func_type(const Module *mod, uint32_t func_index) {
    return &mod->types[mod->funcs[func_index].type].func;
}
