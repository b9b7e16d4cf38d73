/* alloc.c - pscan_alloc: memory first touched by the threads of the plan
 * that will scan it, so on a NUMA machine each page lands on its node. */
#define _GNU_SOURCE

#include "context.h"
#include "engine.h"
#include "request.h"
#include "tile.h"
#include "workspace.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* pscan_alloc keeps the mapping's length just before the memory. */
enum { ALLOC_HEADER = 64, ALLOC_PAGE = 4096 };
_Static_assert(ALLOC_HEADER >= sizeof(size_t), "the header holds the mapping's length");

/* First touch, chunk by chunk of the plan. */
typedef struct touch_job {
    unsigned char *memory;
    size_t bytes;
    const pscan_chunk *chunks;
    int count;
    int64_t tiles;
} touch_job;

static void touch_member(void *arg, int member, int members)
{
    const touch_job *job = arg;
    const size_t tile_bytes = (size_t)PSCAN_TILE * 8;
    /* chunk k is member k's (a runtime that starts fewer threads gets the
     * rest round robin); the last chunk takes the bytes after the last
     * whole element */
    for (int k = member; k < job->count; k += members) {
        const pscan_chunk *chunk = &job->chunks[k];
        const size_t from = (size_t)chunk->first_tile * tile_bytes;
        size_t to = (size_t)(chunk->first_tile + chunk->tiles) * tile_bytes;
        if (to > job->bytes || chunk->first_tile + chunk->tiles == job->tiles)
            to = job->bytes;
        /* Fresh anonymous pages are zero: one store per page faults each in
         * (the kernel zeroes it) without writing it all a second time. */
        volatile unsigned char *memory = job->memory;
        for (size_t at = from; at < to; at += ALLOC_PAGE)
            memory[at] = 0;
        if (to > from)
            memory[to - 1] = 0;
    }
}

pscan_status pscan_alloc(size_t bytes, const pscan_opts *user_opts, void **out)
{
    if (!out)
        return PSCAN_ENULL;
    *out = NULL;
    pscan_opts read;
    pscan_status status = pscan_opts_read(user_opts, &read);
    if (status != PSCAN_OK)
        return status;
    const pscan_opts *opts = &read;
    pscan_context *ctx;
    if ((status = pscan_context_resolve(opts->ctx, &ctx)) != PSCAN_OK)
        return status;
    const size_t page = ALLOC_PAGE;
    if (bytes > SIZE_MAX - ALLOC_HEADER - page)
        return PSCAN_ENOMEM;
    const size_t length = (ALLOC_HEADER + bytes + page - 1) / page * page;
    unsigned char *base =
        mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return PSCAN_ENOMEM;
#ifdef MADV_HUGEPAGE
    /* Transparent huge pages where the system gives them on request: a
     * 2 MiB page is faulted and zeroed in one go (three times faster than
     * 512 small ones here) and a streaming scan misses the TLB less. A
     * refusal only means small pages. */
    if (length >= ((size_t)4 << 20))
        (void)madvise(base, length, MADV_HUGEPAGE);
#endif
    memcpy(base, &length, sizeof length);
    unsigned char *memory = base + ALLOC_HEADER;
    const int64_t elements = (int64_t)(bytes / 8);
    const int team = pscan_useful_threads(
        &ctx->tuning, opts->threads > 0 ? opts->threads : ctx->threads, elements);
    /* The plan lives in the context's workspace; without one the pages
     * are still zeroed, by this thread. */
    pscan_workspace *ws = NULL;
    const size_t plan_bytes = (size_t)team * sizeof(pscan_chunk);
    int count = 0;
    pscan_chunk *chunks = NULL;
    if (pscan_workspace_acquire(ctx, &ws) == PSCAN_OK &&
        pscan_workspace_reserve_arena(ws, pscan_workspace_region_size(plan_bytes)) == PSCAN_OK) {
        chunks = pscan_workspace_carve(ws, plan_bytes);
        pscan_context_plan(ctx, elements, team, chunks, team, &count);
    }
    touch_job job = {memory, bytes, chunks, count, (elements + PSCAN_TILE - 1) / PSCAN_TILE};
    if (count > 0 && job.tiles > 0)
        pscan_engine_team(ctx, count, chunks, touch_member, &job);
    else
        memset(memory, 0, bytes);
    if (ws)
        pscan_workspace_release(ctx, ws);
    *out = memory;
    return PSCAN_OK;
}

void pscan_free(void *memory)
{
    if (!memory)
        return;
    unsigned char *base = (unsigned char *)memory - ALLOC_HEADER;
    size_t length;
    memcpy(&length, base, sizeof length);
    munmap(base, length);
}
