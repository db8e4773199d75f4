/* The JIT tier's one public header: the Tier to put in EngineConfig (x86-64
 * native code), and whether this build and machine can run it. */
#ifndef WASMC_JIT_JIT_H
#define WASMC_JIT_JIT_H

#include "../runtime/runtime.h"

extern const Tier jit_tier;

/* True when the JIT can run here (x86-64 with SSE4.1). */
bool jit_available(void);

#endif
