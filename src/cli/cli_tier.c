/* The --tier option of `wasmc run` and `wasmc wast`: tier names and the
 * default tier (the JIT where it runs, i.e. x86-64 with SSE4.1 and POPCNT;
 * the interpreter elsewhere). */
#include <string.h>

#include "cli.h"
#include "interp/interp.h"
#include "jit/jit.h"

const Tier *cli_tier_named(const char *name) {
    if (strcmp(name, "interp") == 0)
        return &interp_tier;
    if (strcmp(name, "jit") == 0)
        return jit_available() ? &jit_tier : NULL;
    return NULL;
}

const Tier *cli_default_tier(void) {
    return jit_available() ? &jit_tier : &interp_tier;
}
