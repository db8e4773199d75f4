/* The command's import resolver: the runtime's Linker (registered
 * instances, single definitions such as WASI functions) plus, when asked,
 * the spectest module, whose objects are made and defined on first import.
 * Names the script defined itself (a registered "spectest") come first. */
#include <string.h>

#include "cli.h"

Err cli_linker_init(CliLinker *l, Store *store, SpecTest *spectest, Diag *diag) {
    memset(l, 0, sizeof *l);
    l->store = store;
    l->spectest = spectest;
    l->linker = rt_linker_new();
    return l->linker ? OK : FAIL_NOMEM(diag);
}

void cli_linker_fini(CliLinker *l) {
    rt_linker_delete(l->linker);
    l->linker = NULL;
}

Err cli_linker_instance(CliLinker *l, const char *name, size_t len, Instance *inst, Diag *diag) {
    return rt_linker_define_instance(l->linker, name, len, inst, diag);
}

Err cli_linker_define(CliLinker *l, const char *module, const char *field, Extern ext,
                      Diag *diag) {
    return rt_linker_define(l->linker, module, strlen(module), field, strlen(field), ext, diag);
}

/* Define the spectest exports `module` imports that nothing defines yet. */
static Err define_spectest(CliLinker *l, const Module *ir, Diag *diag) {
    for (uint32_t i = 0; i < ir->n_imports; i++) {
        const Import *imp = &ir->imports[i];
        Extern ext;
        if (imp->module.len != 8 || memcmp(imp->module.str, "spectest", 8) != 0 ||
            rt_linker_get(l->linker, "spectest", 8, imp->field.str, imp->field.len, &ext))
            continue;
        bool found;
        TRY(cli_spectest_lookup(l->spectest, imp->field.str, imp->field.len, &found, &ext, diag));
        if (found)
            TRY(rt_linker_define(l->linker, "spectest", 8, imp->field.str, imp->field.len, ext,
                                 diag));
    }
    return OK;
}

Err cli_linker_instantiate(CliLinker *l, RtModule *module, Instance **out, Trap **out_trap,
                           Diag *diag) {
    *out = NULL;
    *out_trap = NULL;
    if (l->spectest)
        TRY(define_spectest(l, module->ir, diag));
    return rt_linker_instantiate(l->linker, l->store, module, out, out_trap, diag);
}
