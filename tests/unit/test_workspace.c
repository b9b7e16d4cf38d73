/*
 * test_workspace.c - scratch carved from a context's workspace: regions
 * aligned and kept apart by guard zones (which AddressSanitizer builds
 * poison, so a write past a region stops the process), big arenas not
 * kept in the pool, and a workspace reused rather than reallocated.
 */
#include "testutil.h"

#include "context.h"
#include "workspace.h"

#include <signal.h>

Test(workspace, regions_are_aligned_and_guarded)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    pscan_workspace *ws;
    TU_ASSERT_OK(pscan_workspace_acquire(ctx, &ws));
    const size_t sizes[3] = {1, 100, 4096};
    size_t total = 0;
    for (int k = 0; k < 3; k++)
        total += pscan_workspace_region_size(sizes[k]);
    TU_ASSERT_OK(pscan_workspace_reserve_arena(ws, total));
    char *regions[3];
    for (int k = 0; k < 3; k++) {
        regions[k] = pscan_workspace_carve(ws, sizes[k]);
        cr_assert(eq(u64, (uintptr_t)regions[k] % 64, 0), "region %d", k);
        memset(regions[k], 0x5a, sizes[k]);
    }
    /* a guard of at least 64 bytes after each rounded region */
    cr_assert(ge(u64, (uintptr_t)(regions[1] - regions[0]), 64 + 64));
    cr_assert(ge(u64, (uintptr_t)(regions[2] - regions[1]), 128 + 64));
    cr_assert(eq(sz, ws->arena_used, total));
    cr_assert(eq(sz, pscan_workspace_region_size(SIZE_MAX - 10), SIZE_MAX));
    cr_assert(eq(int, (int)pscan_workspace_reserve_arena(ws, SIZE_MAX), (int)PSCAN_ENOMEM));
    pscan_workspace_release(ctx, ws);
    /* the same workspace comes back, its arena kept */
    pscan_workspace *again;
    TU_ASSERT_OK(pscan_workspace_acquire(ctx, &again));
    cr_assert(eq(ptr, (void *)again, (void *)ws));
    cr_assert(ge(sz, again->arena_bytes, total));
    pscan_workspace_release(ctx, again);
    pscan_context_destroy(ctx);
}

Test(workspace, big_arenas_are_not_kept)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    pscan_workspace *ws;
    TU_ASSERT_OK(pscan_workspace_acquire(ctx, &ws));
    TU_ASSERT_OK(pscan_workspace_reserve_arena(ws, PSCAN_ARENA_KEEP_BYTES + 64));
    pscan_workspace_release(ctx, ws);
    TU_ASSERT_OK(pscan_workspace_acquire(ctx, &ws));
    cr_assert(eq(sz, ws->arena_bytes, 0));
    pscan_workspace_release(ctx, ws);
    pscan_context_destroy(ctx);
}

#if defined(__SANITIZE_ADDRESS__)
/* CI's sanitizer run sets abort_on_error=1: the report is a SIGABRT. */
static void overrun_region(void)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    pscan_workspace *ws;
    TU_ASSERT_OK(pscan_workspace_acquire(ctx, &ws));
    TU_ASSERT_OK(pscan_workspace_reserve_arena(ws, 2 * pscan_workspace_region_size(64)));
    volatile char *first = pscan_workspace_carve(ws, 64);
    pscan_workspace_carve(ws, 64);
    first[64] = 1; /* the first byte of its guard zone */
}

Test(workspace, overrun_into_a_guard_is_reported, .signal = SIGABRT)
{
    overrun_region();
}
#endif
