/*
 * test_tuning.c - the tuning a context reads once from the environment:
 * the defaults, each variable's known values, and an unknown value of any
 * of them failing the context's creation (and every scan through the
 * default context) with PSCAN_EENV instead of being ignored. Each
 * Criterion test runs in a process of its own, so setenv stays local.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "context.h"

#include <stdlib.h>

Test(tuning, defaults_without_environment)
{
    unsetenv("PSCAN_PLACEMENT");
    unsetenv("PSCAN_SCHEDULE");
    unsetenv("PSCAN_ISA");
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    cr_assert(eq(i64, ctx->tuning.min_elems_per_thread, 65536));
    cr_assert(eq(i64, ctx->tuning.stream_min_bytes, (int64_t)32 << 20));
    cr_assert(eq(i64, ctx->tuning.bind_min_elems_per_thread, (int64_t)1 << 20));
    cr_assert(eq(i64, ctx->tuning.slab_bytes, (int64_t)4 << 20));
    cr_assert(eq(int, (int)ctx->tuning.placement, (int)PSCAN_PLACEMENT_NONE));
    cr_assert(eq(int, ctx->tuning.force_spans, 0));
    cr_assert(eq(int, (int)pscan_context_placement(ctx), (int)PSCAN_PLACEMENT_NONE));
    pscan_context_destroy(ctx);
}

Test(tuning, known_values_are_read)
{
    setenv("PSCAN_PLACEMENT", "compact", 1);
    setenv("PSCAN_SCHEDULE", "spans", 1);
    setenv("PSCAN_ISA", "scalar", 1);
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    cr_assert(eq(int, (int)ctx->tuning.placement, (int)PSCAN_PLACEMENT_COMPACT));
    cr_assert(eq(int, (int)pscan_context_placement(ctx), (int)PSCAN_PLACEMENT_COMPACT));
    cr_assert(eq(int, ctx->tuning.force_spans, 1));
    cr_assert(eq(str, (char *)pscan_isa_name(), "scalar"));
    pscan_context_destroy(ctx);
    /* "auto" and the empty string are the default schedule */
    const char *defaults[2] = {"auto", ""};
    for (int k = 0; k < 2; k++) {
        setenv("PSCAN_SCHEDULE", defaults[k], 1);
        TU_ASSERT_OK(pscan_context_create(&ctx));
        cr_assert(eq(int, ctx->tuning.force_spans, 0), "PSCAN_SCHEDULE='%s'", defaults[k]);
        pscan_context_destroy(ctx);
    }
}

/* A described machine's context reads the variables too (a typo must not
 * pass because the context plans for another host), but only this
 * system's contexts take the placement from them. */
Test(tuning, described_machines_check_but_keep_their_placement)
{
    setenv("PSCAN_PLACEMENT", "spread", 1);
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_synthetic("numa:2 core:2 pu:1", &ctx));
    cr_assert(eq(int, (int)pscan_context_placement(ctx), (int)PSCAN_PLACEMENT_NONE));
    pscan_context_destroy(ctx);
    setenv("PSCAN_PLACEMENT", "sprad", 1);
    ctx = (pscan_context *)1;
    cr_assert(
        eq(int, (int)pscan_context_create_synthetic("numa:2 core:2 pu:1", &ctx), (int)PSCAN_EENV));
    cr_assert(eq(ptr, (void *)ctx, NULL));
}

static void expect_env_error(const char *name, const char *value)
{
    setenv(name, value, 1);
    pscan_context *ctx = (pscan_context *)1;
    cr_assert(eq(int, (int)pscan_context_create(&ctx), (int)PSCAN_EENV), "%s=%s", name, value);
    cr_assert(eq(ptr, (void *)ctx, NULL));
    /* the default context cannot be made either: every scan says why,
     * and writes nothing */
    int64_t v[3] = {1, 2, 3};
    cr_assert(eq(int, (int)pscan_cumsum_i64(v, v, 3), (int)PSCAN_EENV), "%s=%s", name, value);
    cr_assert(eq(i64, v[2], 3));
    cr_assert(eq(ptr, (void *)pscan_default_context(), NULL));
    cr_assert(eq(int, strstr(pscan_strerror(PSCAN_EENV), name) != NULL, 1));
}

Test(tuning, unknown_isa_is_reported)
{
    expect_env_error("PSCAN_ISA", "avx512f");
}

Test(tuning, unknown_placement_is_reported)
{
    expect_env_error("PSCAN_PLACEMENT", "Spread");
}

Test(tuning, unknown_schedule_is_reported)
{
    expect_env_error("PSCAN_SCHEDULE", "span");
}
