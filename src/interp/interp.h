/* The interpreter tier's one public header: the Tier to put in EngineConfig. */
#ifndef WASMC_INTERP_INTERP_H
#define WASMC_INTERP_INTERP_H

#include "../runtime/runtime.h"

extern const Tier interp_tier;

#endif
