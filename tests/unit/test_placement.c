/*
 * test_placement.c - where a scan's threads run and what they read:
 * the placement setting, COMPACT and SPREAD plans, the SPANS schedule
 * (chosen by every context that knows its threads sit on several NUMA
 * nodes: described machines here) giving the same bits as one thread,
 * and binding on this system leaving the caller's mask as it was.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "tu_topology.h"

#include "bind.h"
#include "chunk_plan.h"
#include "context.h"

#include <sched.h>

Test(placement, setting)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_synthetic("numa:2 core:4 pu:1", &ctx));
    cr_assert(eq(int, (int)pscan_context_placement(ctx), (int)PSCAN_PLACEMENT_NONE));
    TU_ASSERT_OK(pscan_context_set_placement(ctx, PSCAN_PLACEMENT_COMPACT));
    cr_assert(eq(int, (int)pscan_context_placement(ctx), (int)PSCAN_PLACEMENT_COMPACT));
    cr_assert(eq(int, (int)pscan_context_set_placement(ctx, (pscan_placement)7), (int)PSCAN_EOPTS));
    cr_assert(eq(int, (int)pscan_context_placement(ctx), (int)PSCAN_PLACEMENT_COMPACT));
    pscan_context_destroy(ctx);
}

/* Tiles per NUMA node of the plan, and that chunks follow one another. */
static void node_tiles(pscan_context *ctx, int64_t elements, int threads, int64_t *per_node)
{
    pscan_chunk chunks[32];
    int count;
    TU_ASSERT_OK(pscan_context_plan(ctx, elements, threads, chunks, 32, &count));
    int64_t next = 0;
    for (int k = 0; k < count; k++) {
        cr_assert(eq(i64, chunks[k].first_tile, next));
        next += chunks[k].tiles;
        per_node[chunks[k].numa_node] += chunks[k].tiles;
    }
    cr_assert(eq(i64, next, (elements + 4095) / 4096));
}

Test(placement, compact_fills_nodes_in_order)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_synthetic("numa:2 core:4 pu:1", &ctx));
    TU_ASSERT_OK(pscan_context_set_placement(ctx, PSCAN_PLACEMENT_COMPACT));
    int64_t three[2] = {0, 0}, six[2] = {0, 0}, ten[2] = {0, 0};
    node_tiles(ctx, 6000 * 4096, 3, three); /* one node holds three threads */
    cr_assert(eq(i64, three[0], 6000));
    cr_assert(eq(i64, three[1], 0));
    node_tiles(ctx, 6000 * 4096, 6, six); /* 4 + 2 threads */
    cr_assert(eq(i64, six[0], 4000));
    cr_assert(eq(i64, six[1], 2000));
    node_tiles(ctx, 6000 * 4096, 10, ten); /* a second round: 6 + 4 */
    cr_assert(eq(i64, ten[0], 3600));
    cr_assert(eq(i64, ten[1], 2400));
    /* SPREAD: 2 + 1 for three threads */
    TU_ASSERT_OK(pscan_context_set_placement(ctx, PSCAN_PLACEMENT_SPREAD));
    int64_t spread[2] = {0, 0};
    node_tiles(ctx, 6000 * 4096, 3, spread);
    cr_assert(eq(i64, spread[0], 4000));
    cr_assert(eq(i64, spread[1], 2000));
    /* SPANS only where the threads are on two nodes or more */
    cr_assert(
        eq(int, pscan_chunk_plan_spans_nodes(&ctx->machine, pscan_context_placement(ctx), 3, false),
           1));
    TU_ASSERT_OK(pscan_context_set_placement(ctx, PSCAN_PLACEMENT_COMPACT));
    cr_assert(
        eq(int, pscan_chunk_plan_spans_nodes(&ctx->machine, pscan_context_placement(ctx), 3, false),
           0));
    cr_assert(
        eq(int, pscan_chunk_plan_spans_nodes(&ctx->machine, pscan_context_placement(ctx), 6, false),
           1));
    pscan_context_destroy(ctx);
}

typedef struct spans_case {
    pscan_op op;
    pscan_dtype in, acc;
} spans_case;

/* One long lane under described NUMA machines (SPANS, 2 or 4 nodes, some
 * chunks empty or partial) against one thread of this machine, bit for
 * bit: order-free and tiled ops, direct and converting, in place. */
Test(placement, spans_match_one_thread)
{
    const char *machines[3] = {"numa:2 core:4 pu:1", "pack:2 numa:2 core:2 pu:1", "core:4 pu:1"};
    const spans_case cases[5] = {{PSCAN_SUM, PSCAN_INT64, PSCAN_INT64},
                                 {PSCAN_SUM, PSCAN_FLOAT64, PSCAN_FLOAT64},
                                 {PSCAN_SUM, PSCAN_INT32, PSCAN_INT64},
                                 {PSCAN_PROD, PSCAN_FLOAT32, PSCAN_FLOAT64},
                                 {PSCAN_MAX, PSCAN_FLOAT64, PSCAN_FLOAT64}};
    const int64_t lengths[3] = {300000 + 77, 8 * 32768 + 4096, 700001};
    for (int m = 0; m < 3; m++) {
        pscan_context *ctx;
        TU_ASSERT_OK(pscan_context_create_synthetic(machines[m], &ctx));
        cr_assert(
            eq(int,
               pscan_chunk_plan_spans_nodes(&ctx->machine, pscan_context_placement(ctx), 4, false),
               m < 2),
            "%s", machines[m]);
        for (size_t c = 0; c < TU_COUNT(cases); c++)
            for (int l = 0; l < 3; l++)
                for (int threads = 2; threads <= 8; threads += 3) {
                    const spans_case *k = &cases[c];
                    const int64_t n = lengths[l];
                    const size_t in_size = tu_size(k->in), acc_size = tu_size(k->acc);
                    void *in = tu_malloc((size_t)n * in_size);
                    void *want = tu_malloc((size_t)n * acc_size),
                         *got = tu_malloc((size_t)n * acc_size);
                    uint64_t seed = 7 + (uint64_t)(c * 3 + (size_t)l);
                    tu_fill_scan_values(in, k->in, n, k->op, &seed);
                    pscan_array ai = tu_vec(in, k->in, &n), aw = tu_vec(want, k->acc, &n),
                                ag = tu_vec(got, k->acc, &n);
                    pscan_opts one = PSCAN_OPTS_INIT, many = PSCAN_OPTS_INIT;
                    one.threads = 1;
                    many.threads = threads;
                    many.ctx = ctx;
                    TU_ASSERT_OK(pscan_scan(k->op, &ai, 0, k->acc, &aw, &one));
                    TU_ASSERT_OK(pscan_scan(k->op, &ai, 0, k->acc, &ag, &many));
                    cr_assert(eq(int, memcmp(want, got, (size_t)n * acc_size), 0),
                              "%s, case %zu, n %lld, %d threads", machines[m], c, (long long)n,
                              threads);
                    if (k->in == k->acc) { /* in place */
                        TU_ASSERT_OK(pscan_scan(k->op, &ai, 0, k->acc, &ai, &many));
                        cr_assert(eq(int, memcmp(want, in, (size_t)n * acc_size), 0));
                    }
                    free(in);
                    free(want);
                    free(got);
                }
        pscan_context_destroy(ctx);
    }
}

static int same_mask(const cpu_set_t *a, const cpu_set_t *b)
{
    return CPU_EQUAL(a, b);
}

/* This single-node machine: a placed context binds (or cleanly does not)
 * and gives every thread, the caller's too, its own mask back. */
Test(placement, binding_on_this_system)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create(&ctx));
    cpu_set_t before, after;
    cr_assert(eq(int, sched_getaffinity(0, sizeof before, &before), 0));
    pscan_chunk chunk;
    int count;
    TU_ASSERT_OK(pscan_context_plan(ctx, 4096, 1, &chunk, 1, &count));
    cr_assert(ge(int, chunk.pu, 0));
    void *saved = pscan_bind(&ctx->machine, chunk.pu);
    if (saved) { /* bound: the mask is that PU alone until unbound */
        cr_assert(eq(int, sched_getaffinity(0, sizeof after, &after), 0));
        cr_assert(eq(int, CPU_COUNT(&after), 1));
        cr_assert(eq(int, CPU_ISSET(chunk.pu, &after) ? 1 : 0, 1));
    }
    pscan_unbind(&ctx->machine, saved);
    cr_assert(eq(int, sched_getaffinity(0, sizeof after, &after), 0));
    cr_assert(eq(int, same_mask(&before, &after), 1));

    const int placements[2] = {PSCAN_PLACEMENT_SPREAD, PSCAN_PLACEMENT_COMPACT};
    const int64_t n = (INT64_C(1) << 21) + 999; /* over 2^20 per thread: binds */
    int64_t *in = tu_malloc((size_t)n * 8), *want = tu_malloc((size_t)n * 8),
            *got = tu_malloc((size_t)n * 8);
    uint64_t seed = 3;
    tu_fill_scan_values(in, PSCAN_INT64, n, PSCAN_SUM, &seed);
    pscan_array ai = tu_vec(in, PSCAN_INT64, &n), aw = tu_vec(want, PSCAN_INT64, &n),
                ag = tu_vec(got, PSCAN_INT64, &n);
    pscan_opts one = PSCAN_OPTS_INIT;
    one.threads = 1;
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &aw, &one));
    for (int p = 0; p < 2; p++) {
        TU_ASSERT_OK(pscan_context_set_placement(ctx, (pscan_placement)placements[p]));
        pscan_opts o = PSCAN_OPTS_INIT;
        o.ctx = ctx;
        o.threads = 2;
        memset(got, 0, (size_t)n * 8);
        TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ag, &o));
        tu_assert_i64s(got, want, (size_t)n);
        cr_assert(eq(int, sched_getaffinity(0, sizeof after, &after), 0));
        cr_assert(eq(int, same_mask(&before, &after), 1));
    }
    free(in);
    free(want);
    free(got);
    pscan_context_destroy(ctx);
}

/* Spans that follow where the pages are (runs found on a NUMA host by
 * hwloc_get_area_memlocation), here given by hand on a described host. */
Test(placement, spans_follow_page_runs)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_synthetic("numa:2 core:4 pu:1", &ctx));
    pscan_chunk chunks[8];
    /* node 1's pages first, 3:1 against the threads' 1:1 */
    const pscan_node_run swapped[2] = {{0, 600, 1}, {600, 400, 0}};
    cr_assert(eq(int,
                 pscan_chunk_plan_runs(&ctx->machine, pscan_context_placement(ctx), swapped, 2,
                                       1000, 4, chunks),
                 1));
    int64_t next = 0;
    for (int k = 0; k < 4; k++) {
        cr_assert(eq(i64, chunks[k].first_tile, next));
        cr_assert(eq(int, chunks[k].thread, k));
        cr_assert(eq(int, chunks[k].numa_node, k < 2 ? 1 : 0));
        cr_assert(eq(i64, chunks[k].tiles, k < 2 ? 300 : 200));
        next += chunks[k].tiles;
    }
    /* runs it cannot follow: a node twice, a gap, too unequal, a node
     * whose threads would idle */
    const pscan_node_run twice[3] = {{0, 300, 0}, {300, 400, 1}, {700, 300, 0}};
    const pscan_node_run gap[2] = {{0, 500, 0}, {501, 499, 1}};
    const pscan_node_run lopsided[2] = {{0, 10, 0}, {10, 990, 1}}; /* node 1: one thread of 3 */
    const pscan_node_run one[1] = {{0, 1000, 0}};
    chunks[0].tiles = -5;
    cr_assert(eq(int,
                 pscan_chunk_plan_runs(&ctx->machine, pscan_context_placement(ctx), twice, 3, 1000,
                                       4, chunks),
                 0));
    cr_assert(eq(
        int,
        pscan_chunk_plan_runs(&ctx->machine, pscan_context_placement(ctx), gap, 2, 1000, 4, chunks),
        0));
    cr_assert(eq(int,
                 pscan_chunk_plan_runs(&ctx->machine, pscan_context_placement(ctx), lopsided, 2,
                                       1000, 3, chunks),
                 0));
    cr_assert(eq(
        int,
        pscan_chunk_plan_runs(&ctx->machine, pscan_context_placement(ctx), one, 1, 1000, 4, chunks),
        0));
    cr_assert(eq(i64, chunks[0].tiles, -5), "chunks untouched on refusal");
    /* a described host cannot be asked where pages are: the plain plan */
    pscan_chunk plain[4];
    int count;
    TU_ASSERT_OK(pscan_context_plan(ctx, 1000 * 4096, 4, plain, 4, &count));
    static char buffer[4096];
    pscan_chunk_plan_buffer(&ctx->machine, pscan_context_placement(ctx), buffer, 1, 1000, 4,
                            chunks);
    cr_assert(eq(int, memcmp(chunks, plain, sizeof plain), 0));
    pscan_context_destroy(ctx);
}

/* Blocks sized to each machine's L2 (1 tile for doubles with 64 KiB, the
 * most, 32, with 16 MiB, 8 without caches) give the same bits. */
Test(placement, block_size_follows_l2_not_results)
{
    pscan_context *ctxs[3] = {
        tu_xml_context("core:4 l2:1(size=65536) pu:1"),
        tu_xml_context("core:4 l2:1(size=16777216) pu:1"),
        NULL,
    };
    TU_ASSERT_OK(pscan_context_create_synthetic("core:4 pu:1", &ctxs[2]));
    const pscan_dtype dtypes[3] = {PSCAN_FLOAT64, PSCAN_FLOAT32, PSCAN_INT32};
    const int64_t n = (INT64_C(1) << 20) + 333;
    for (int d = 0; d < 3; d++) {
        const pscan_dtype acc = dtypes[d] == PSCAN_INT32 ? PSCAN_INT64 : dtypes[d];
        const size_t size = tu_size(acc);
        void *in = tu_malloc((size_t)n * tu_size(dtypes[d]));
        void *want = tu_malloc((size_t)n * size), *got = tu_malloc((size_t)n * size);
        uint64_t seed = 11 + (uint64_t)d;
        tu_fill_scan_values(in, dtypes[d], n, PSCAN_SUM, &seed);
        pscan_array ai = tu_vec(in, dtypes[d], &n), aw = tu_vec(want, acc, &n),
                    ag = tu_vec(got, acc, &n);
        pscan_opts one = PSCAN_OPTS_INIT;
        one.threads = 1;
        TU_ASSERT_OK(pscan_cumsum(&ai, 0, acc, &aw, &one));
        for (int c = 0; c < 3; c++)
            for (int threads = 1; threads <= 4; threads += 3) {
                pscan_opts o = PSCAN_OPTS_INIT;
                o.ctx = ctxs[c];
                o.threads = threads;
                memset(got, 0, (size_t)n * size);
                TU_ASSERT_OK(pscan_cumsum(&ai, 0, acc, &ag, &o));
                cr_assert(eq(int, memcmp(want, got, (size_t)n * size), 0),
                          "dtype %d, context %d, %d threads", d, c, threads);
            }
        free(in);
        free(want);
        free(got);
    }
    for (int c = 0; c < 3; c++)
        pscan_context_destroy(ctxs[c]);
}

/* Threads the OpenMP runtime placed (OMP_PROC_BIND): each says its PU and
 * the plan follows, chunks in lane order node by node, each naming the
 * member that scans it, however the runtime numbered them. */
Test(placement, plan_follows_runtime_members)
{
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_synthetic("numa:2 core:4 pu:1", &ctx));
    const int member_pu[5] = {5, 0, 6, 1, 7}; /* nodes 1, 0, 1, 0, 1 */
    pscan_chunk chunks[5];
    cr_assert(eq(int, pscan_chunk_plan_members(&ctx->machine, 1000, 5, member_pu, chunks), 2));
    const int order[5] = {1, 3, 0, 2, 4};
    const int64_t tiles[5] = {200, 200, 200, 200, 200};
    int64_t next = 0;
    for (int k = 0; k < 5; k++) {
        cr_assert(eq(int, chunks[k].thread, order[k]), "chunk %d", k);
        cr_assert(eq(int, chunks[k].pu, member_pu[order[k]]));
        cr_assert(eq(int, chunks[k].numa_node, k < 2 ? 0 : 1));
        cr_assert(eq(i64, chunks[k].first_tile, next));
        cr_assert(eq(i64, chunks[k].tiles, tiles[k]));
        next += chunks[k].tiles;
    }
    const int one_node[3] = {4, 5, 6};
    cr_assert(eq(int, pscan_chunk_plan_members(&ctx->machine, 30, 3, one_node, chunks), 1));
    pscan_context_destroy(ctx);
}
