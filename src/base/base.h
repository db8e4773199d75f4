/* The base layer's one public header for the layers above. */
#ifndef WASMC_BASE_BASE_H
#define WASMC_BASE_BASE_H

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "hash.h"
#include "leb.h"
#include "map.h"
#include "mem.h"
#include "os.h"
#include "os_vm.h"
#include "utf8.h"
#include "vec.h"

#endif
