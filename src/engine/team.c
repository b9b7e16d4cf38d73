/* team.c - where a team runs: binding for the call and back, and teams
 * for work that is not a plan (pscan_engine_team). */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <assert.h>
#include <omp.h>

/* ---- Where the team runs ---- */

/* Bind team member `member` to its PU for the call (undone by pscan_team_leave). */
void *pscan_team_enter(const pscan_job *job, const pscan_chunk *chunks, int member)
{
    assert(!job->bind || chunks); /* pscan_engine_run plans every run that binds */
    return job->bind ? pscan_bind(&job->ctx->machine, chunks[member].pu) : NULL;
}

void pscan_team_leave(const pscan_job *job, void *saved)
{
    if (saved)
        pscan_unbind(&job->ctx->machine, saved);
}

const pscan_chunk *pscan_engine_team_binding(const pscan_context *ctx, int team, int64_t elements,
                                             pscan_chunk *chunks)
{
    if (team < 2 || !ctx || elements / team < ctx->tuning.bind_min_elems_per_thread)
        return NULL;
    const pscan_placement placement = pscan_context_placement(ctx);
    if (!pscan_bind_wanted(&ctx->machine, placement))
        return NULL;
    pscan_chunk_plan(&ctx->machine, placement, team, team, chunks);
    return chunks;
}

void pscan_engine_team(const pscan_context *ctx, int team, const pscan_chunk *bind_to,
                       pscan_team_fn body, void *arg)
{
#pragma omp parallel num_threads(team) if (team > 1)
    {
        const int member = omp_get_thread_num();
        void *saved = bind_to ? pscan_bind(&ctx->machine, bind_to[member].pu) : NULL;
        body(arg, member, omp_get_num_threads());
        pscan_stream_fence();
        if (saved)
            pscan_unbind(&ctx->machine, saved);
    }
}
