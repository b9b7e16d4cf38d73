/* context.h - what a context holds (private to the library): the machine
 * (machine.h), the tuning read from the environment (tuning.h), the
 * default team, the placement and the pool of idle workspaces. A context
 * is below everything that runs scans and above the machine: it calls
 * nothing that calls it back. */
#ifndef PSCAN_CONTEXT_H
#define PSCAN_CONTEXT_H

#include "machine.h"
#include "tuning.h"

#include <stdatomic.h>

struct pscan_workspace;

/* Idle workspaces kept for reuse; more concurrent calls than this still
 * work, the extra workspaces are freed when they come back. */
enum { PSCAN_WORKSPACE_SLOTS = 16 };

struct pscan_context {
    pscan_machine machine; /* loaded once, read-only afterwards */
    pscan_tuning tuning;   /* read once, at creation */
    int threads;           /* default team size for opts.threads == 0 */
    _Atomic int placement; /* pscan_placement */
    _Atomic(struct pscan_workspace *) pool[PSCAN_WORKSPACE_SLOTS];
};

/* The context a call runs in: opts->ctx, else the default one. */
pscan_status pscan_context_resolve(pscan_context *requested, pscan_context **resolved);

/* The tuning of `ctx`, or the defaults for NULL (a job run without one);
 * inline: the engine asks on every call. */
extern const pscan_tuning pscan_default_tuning;
static inline const pscan_tuning *pscan_context_tuning(const pscan_context *ctx)
{
    return ctx ? &ctx->tuning : &pscan_default_tuning;
}

#endif
