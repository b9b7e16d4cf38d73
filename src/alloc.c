/* alloc.c - pscan_alloc: memory first touched by the threads of the plan
 * that will scan it, so on a NUMA machine each page lands on its node. */
#define _GNU_SOURCE

#include "bind.h"
#include "context.h"
#include "request.h"
#include "tile.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* pscan_alloc keeps the mapping's length just before the memory. */
enum { ALLOC_HEADER = 64 };
_Static_assert(ALLOC_HEADER >= sizeof(size_t), "the header holds the mapping's length");

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
    const size_t page = 4096;
    if (bytes > SIZE_MAX - ALLOC_HEADER - page)
        return PSCAN_ENOMEM;
    const size_t length = (ALLOC_HEADER + bytes + page - 1) / page * page;
    unsigned char *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return PSCAN_ENOMEM;
    memcpy(base, &length, sizeof length);
    unsigned char *memory = base + ALLOC_HEADER;
    const int64_t elements = (int64_t)(bytes / 8);
    const int team = pscan_useful_threads(&ctx->tuning, opts->threads > 0 ? opts->threads : ctx->threads,
                                          elements);
    pscan_chunk *chunks = malloc((size_t)team * sizeof *chunks);
    int count = 0;
    if (!chunks || pscan_context_plan(ctx, elements, team, chunks, team, &count) != PSCAN_OK) {
        free(chunks);
        memset(memory, 0, bytes); /* still zeroed, by this thread */
        *out = memory;
        return PSCAN_OK;
    }
    const int64_t tiles = (elements + PSCAN_TILE - 1) / PSCAN_TILE;
#pragma omp parallel num_threads(count) if (count > 1)
    {
        const int k = omp_get_thread_num();
        void *saved = pscan_bind(&ctx->machine, chunks[k].pu);
        /* this chunk's tiles of 8-byte elements (the last one takes the
         * bytes after the last whole element) */
        const size_t tile_bytes = (size_t)PSCAN_TILE * 8;
        const size_t from = (size_t)chunks[k].first_tile * tile_bytes;
        size_t to = (size_t)(chunks[k].first_tile + chunks[k].tiles) * tile_bytes;
        if (to > bytes || chunks[k].first_tile + chunks[k].tiles == tiles)
            to = bytes;
        if (to > from)
            memset(memory + from, 0, to - from);
        pscan_unbind(&ctx->machine, saved);
    }
    if (tiles == 0)
        memset(memory, 0, bytes);
    free(chunks);
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
