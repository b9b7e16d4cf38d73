/* workspace.c - the per-context pool of scratch buffers. */
#include "workspace.h"

#include "context.h"

#include <stdlib.h>
#include <string.h>

enum { ALIGNMENT = 64 };

static void *alloc_aligned(size_t bytes)
{
    size_t rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    return rounded < bytes ? NULL : aligned_alloc(ALIGNMENT, rounded);
}

pscan_status pscan_workspace_acquire(pscan_context *ctx, pscan_workspace **out)
{
    for (int i = 0; i < PSCAN_WORKSPACE_SLOTS; i++) {
        pscan_workspace *ws = atomic_exchange(&ctx->pool[i], NULL);
        if (ws) {
            *out = ws;
            return PSCAN_OK;
        }
    }
    pscan_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return PSCAN_ENOMEM;
    *out = ws;
    return PSCAN_OK;
}

void pscan_workspace_release(pscan_context *ctx, pscan_workspace *ws)
{
    for (int i = 0; i < PSCAN_WORKSPACE_SLOTS; i++) {
        pscan_workspace *empty = NULL;
        if (atomic_compare_exchange_strong(&ctx->pool[i], &empty, ws))
            return;
    }
    pscan_workspace_free(ws);
}

pscan_status pscan_workspace_reserve(pscan_workspace *ws, size_t descriptor_bytes,
                                     size_t scratch_bytes)
{
    void *descriptors = NULL, *scratch = NULL;
    if (descriptor_bytes > ws->descriptor_bytes && !(descriptors = alloc_aligned(descriptor_bytes)))
        return PSCAN_ENOMEM;
    if (scratch_bytes > ws->scratch_bytes && !(scratch = alloc_aligned(scratch_bytes))) {
        free(descriptors);
        return PSCAN_ENOMEM;
    }
    if (descriptors) {
        /* Zero states belong to no run (runs count from 1). */
        memset(descriptors, 0, descriptor_bytes);
        free(ws->descriptors);
        ws->descriptors = descriptors;
        ws->descriptor_bytes = descriptor_bytes;
    }
    if (scratch) {
        free(ws->scratch);
        ws->scratch = scratch;
        ws->scratch_bytes = scratch_bytes;
    }
    return PSCAN_OK;
}

void pscan_workspace_free(pscan_workspace *ws)
{
    if (!ws)
        return;
    free(ws->descriptors);
    free(ws->scratch);
    free(ws);
}
