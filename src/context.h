/* context.h - what a context holds (private to the library). */
#ifndef PSCAN_CONTEXT_H
#define PSCAN_CONTEXT_H

#include "pscan.h"

#include <hwloc.h>

struct pscan_context {
    hwloc_topology_t topology; /* loaded once, read-only afterwards */
    int threads;               /* default team size for opts.threads == 0 */
};

/* The context a call runs in: opts->ctx, else the default one. */
pscan_status pscan_context_resolve(pscan_context *requested, pscan_context **resolved);

#endif
