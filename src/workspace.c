/* workspace.c - the per-context pool of scratch buffers. */
#include "workspace.h"

#include "context.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define PSCAN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PSCAN_ASAN 1
#endif
#endif
#ifdef PSCAN_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { ALIGNMENT = 64, GUARD_BYTES = 64 };
_Static_assert(GUARD_BYTES % ALIGNMENT == 0, "regions stay aligned after a guard");

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

static void arena_free(pscan_workspace *ws)
{
    UNPOISON(ws->arena, ws->arena_bytes);
    free(ws->arena);
    ws->arena = NULL;
    ws->arena_bytes = ws->arena_used = 0;
}

void pscan_workspace_release(pscan_context *ctx, pscan_workspace *ws)
{
    if (ws->arena_bytes > PSCAN_ARENA_KEEP_BYTES)
        arena_free(ws);
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

size_t pscan_workspace_region_size(size_t bytes)
{
    const size_t rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    return rounded < bytes || rounded > SIZE_MAX - GUARD_BYTES ? SIZE_MAX : rounded + GUARD_BYTES;
}

pscan_status pscan_workspace_reserve_arena(pscan_workspace *ws, size_t bytes)
{
    if (bytes == SIZE_MAX)
        return PSCAN_ENOMEM;
    if (bytes > ws->arena_bytes) {
        char *arena = alloc_aligned(bytes);
        if (!arena)
            return PSCAN_ENOMEM;
        arena_free(ws);
        ws->arena = arena;
        ws->arena_bytes = bytes;
    }
    /* Everything is guard until carved. */
    UNPOISON(ws->arena, ws->arena_bytes);
    POISON(ws->arena, ws->arena_bytes);
    ws->arena_used = 0;
    return PSCAN_OK;
}

void *pscan_workspace_carve(pscan_workspace *ws, size_t bytes)
{
    char *region = ws->arena + ws->arena_used;
    ws->arena_used += pscan_workspace_region_size(bytes);
    UNPOISON(region, bytes);
    return region;
}

void pscan_workspace_free(pscan_workspace *ws)
{
    if (!ws)
        return;
    arena_free(ws);
    free(ws->descriptors);
    free(ws->scratch);
    free(ws);
}
