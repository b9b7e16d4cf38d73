/* context.h - what a context holds (private to the library). */
#ifndef PSCAN_CONTEXT_H
#define PSCAN_CONTEXT_H

#include "pscan.h"

#include <hwloc.h>
#include <stdatomic.h>

struct pscan_workspace;

/* Idle workspaces kept for reuse; more concurrent calls than this still
 * work, the extra workspaces are freed when they come back. */
enum { PSCAN_WORKSPACE_SLOTS = 16 };

struct pscan_context {
    hwloc_topology_t topology; /* loaded once, read-only afterwards */
    int threads;               /* default team size for opts.threads == 0 */
    int this_system;           /* the topology is this machine's (else
                                  synthetic or XML: plans, no binding) */
    int64_t l2_bytes;          /* first L2 cache, 0 if unknown */
    _Atomic int placement;     /* pscan_placement */
    int force_spans;           /* PSCAN_SCHEDULE=spans at creation */
    _Atomic(struct pscan_workspace *) pool[PSCAN_WORKSPACE_SLOTS];
};

/* The context a call runs in: opts->ctx, else the default one. */
pscan_status pscan_context_resolve(pscan_context *requested, pscan_context **resolved);

#endif
