/*
 * test_topology.c - contexts from synthetic descriptions and XML files
 * (1, 2 and 4 NUMA nodes; with and without caches): the facts they report,
 * and the chunk plan: every tile exactly once, spans contiguous per node,
 * nodes' shares in proportion to their threads, threads on their node's
 * PUs; results of scans do not depend on the context; first-touch
 * allocation gives zeroed memory.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"
#include "tu_topology.h"

#include <hwloc.h>
#include <stdio.h>
#include <unistd.h>

/* The plan's invariants for `threads` over `tiles` on `nodes` nodes of
 * equal size. */
static void check_plan(pscan_context *ctx, int64_t elements, int threads, int nodes)
{
    pscan_chunk chunks[64];
    int count = -1;
    TU_ASSERT_OK(pscan_context_plan(ctx, elements, threads, chunks, 64, &count));
    cr_assert(eq(int, count, threads));
    const int64_t tiles = (elements + 4095) / 4096;
    int64_t next = 0, node_tiles[8] = {0}, node_threads[8] = {0};
    int last_node = -1;
    for (int k = 0; k < count; k++) {
        cr_assert(eq(i64, chunks[k].first_tile, next), "chunk %d starts where the last ended", k);
        cr_assert(ge(i64, chunks[k].tiles, 0));
        next += chunks[k].tiles;
        cr_assert(eq(int, chunks[k].thread, k));
        cr_assert(ge(int, chunks[k].numa_node, last_node),
                  "nodes in lane order (contiguous spans)");
        last_node = chunks[k].numa_node;
        cr_assert(all(ge(int, chunks[k].numa_node, 0), lt(int, chunks[k].numa_node, nodes)));
        node_tiles[chunks[k].numa_node] += chunks[k].tiles;
        node_threads[chunks[k].numa_node]++;
        cr_assert(ge(int, chunks[k].pu, 0));
    }
    cr_assert(eq(i64, next, tiles), "every tile exactly once");
    for (int j = 0; j < nodes; j++) {
        /* equal nodes: threads within one, tiles in proportion (within one) */
        cr_assert(le(i64, node_threads[j] - threads / nodes, 1));
        const int64_t want = tiles * node_threads[j] / threads;
        cr_assert(le(i64, node_tiles[j] - want, 1), "node %d: %lld tiles for %lld threads", j,
                  (long long)node_tiles[j], (long long)node_threads[j]);
        cr_assert(ge(i64, node_tiles[j] - want, -1));
    }
}

Test(topology, synthetic_nodes)
{
    const char *descs[3] = {"core:4 pu:2", "pack:2 core:4 pu:1", "pack:2 numa:2 core:4 pu:1"};
    const int nodes[3] = {1, 1, 4}, pus[3] = {8, 8, 16};
    for (int d = 0; d < 3; d++) {
        pscan_context *ctx;
        TU_ASSERT_OK(pscan_context_create_synthetic(descs[d], &ctx));
        pscan_topology_info info = PSCAN_TOPOLOGY_INFO_INIT;
        TU_ASSERT_OK(pscan_context_info(ctx, &info));
        cr_assert(eq(int, info.this_system, 0));
        cr_assert(eq(int, info.numa_nodes, nodes[d]), "%s", descs[d]);
        cr_assert(eq(int, info.pus, pus[d]));
        cr_assert(eq(int, pscan_context_threads(ctx), pus[d]));
        cr_assert(eq(i64, info.l2_bytes, 0)); /* synthetic: no caches */
        for (int threads = 1; threads <= 16; threads++)
            for (int64_t elements = 0; elements < 300000; elements += 77777)
                check_plan(ctx, elements, threads, nodes[d]);
        pscan_context_destroy(ctx);
    }
    pscan_context *two;
    TU_ASSERT_OK(pscan_context_create_synthetic("numa:2 core:4 pu:2", &two));
    check_plan(two, 1 << 24, 6, 2);
    /* spread: one PU per core before a core's second PU */
    pscan_chunk chunks[8];
    int count;
    TU_ASSERT_OK(pscan_context_plan(two, 1 << 20, 8, chunks, 8, &count));
    cr_assert(ne(int, chunks[0].core, chunks[1].core));
    pscan_context_destroy(two);
    pscan_context *bad = (pscan_context *)1;
    cr_assert(
        eq(int, (int)pscan_context_create_synthetic("frobnicate:3", &bad), (int)PSCAN_ETOPOLOGY));
    cr_assert(eq(ptr, bad, NULL));
}

/* A synthetic machine with caches, exported to XML by hwloc and loaded. */
Test(topology, xml_with_caches)
{
    pscan_context *ctx = tu_xml_context(
        "pack:2 numa:1 l3:1(size=33554432) l2:4(size=1048576) l1d:1(size=49152) core:1 pu:2");
    pscan_topology_info info = PSCAN_TOPOLOGY_INFO_INIT;
    TU_ASSERT_OK(pscan_context_info(ctx, &info));
    cr_assert(eq(int, info.numa_nodes, 2));
    cr_assert(eq(int, info.cores, 8));
    cr_assert(eq(int, info.pus, 16));
    cr_assert(eq(i64, info.l2_bytes, INT64_C(1) << 20));
    cr_assert(eq(i64, info.l3_bytes, INT64_C(32) << 20));
    check_plan(ctx, 1000000, 16, 2);
    check_plan(ctx, 1000000, 5, 2);
    char text[8192];
    TU_ASSERT_OK(pscan_context_describe(ctx, 1000000, 4, text, sizeof text));
    cr_assert(ne(ptr, strstr(text, "2 NUMA nodes"), NULL), "%s", text);
    cr_assert(ne(ptr, strstr(text, "L2 1 MiB"), NULL), "%s", text);
    cr_assert(eq(int, (int)pscan_context_describe(ctx, 1000000, 4, text, 20), (int)PSCAN_ESIZE));
    cr_assert(eq(sz, strlen(text), 19));
    pscan_context *missing = (pscan_context *)1;
    cr_assert(
        eq(int, (int)pscan_context_create_xml("/nonexistent.xml", &missing), (int)PSCAN_ETOPOLOGY));
    cr_assert(eq(ptr, missing, NULL));
    pscan_context_destroy(ctx);
}

/* This machine: facts, a scan on a described context, first touch. */
Test(topology, this_system_and_alloc)
{
    pscan_topology_info info = PSCAN_TOPOLOGY_INFO_INIT;
    TU_ASSERT_OK(pscan_context_info(NULL, &info));
    cr_assert(eq(int, info.this_system, 1));
    cr_assert(ge(int, info.pus, 1));
    cr_assert(ge(int, info.numa_nodes, 1));
    check_plan(NULL, 5 * 4096 + 1, 2, 1);
    /* results never depend on the context */
    pscan_context *ctx;
    TU_ASSERT_OK(pscan_context_create_synthetic("pack:2 numa:2 core:4 pu:1", &ctx));
    const int64_t n = 300000;
    double *in = tu_malloc((size_t)n * 8), *a = tu_malloc((size_t)n * 8),
           *b = tu_malloc((size_t)n * 8);
    uint64_t seed = 1;
    tu_fill_scan_values(in, PSCAN_FLOAT64, n, PSCAN_SUM, &seed);
    pscan_array ai = tu_vec(in, PSCAN_FLOAT64, &n), aa = tu_vec(a, PSCAN_FLOAT64, &n),
                ab = tu_vec(b, PSCAN_FLOAT64, &n);
    pscan_opts o = PSCAN_OPTS_INIT;
    o.ctx = ctx;
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &aa, &o));
    TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &ab, NULL));
    cr_assert(eq(int, memcmp(a, b, (size_t)n * 8), 0));
    /* first-touch allocation: zeroed and usable, on this system and on a described one */
    for (int k = 0; k < 2; k++) {
        pscan_opts ao = PSCAN_OPTS_INIT;
        ao.ctx = k ? ctx : NULL;
        void *memory = NULL;
        TU_ASSERT_OK(pscan_alloc((size_t)n * 8 + 3, &ao, &memory));
        cr_assert(ne(ptr, memory, NULL));
        const unsigned char *bytes = memory;
        size_t nonzero = 0;
        for (size_t i = 0; i < (size_t)n * 8 + 3; i++)
            nonzero += bytes[i] != 0;
        cr_assert(eq(sz, nonzero, 0));
        pscan_array am = tu_vec(memory, PSCAN_FLOAT64, &n);
        TU_ASSERT_OK(pscan_cumsum(&ai, 0, PSCAN_DTYPE_DEFAULT, &am, NULL));
        cr_assert(eq(int, memcmp(memory, b, (size_t)n * 8), 0));
        pscan_free(memory);
    }
    pscan_free(NULL);
    void *none = NULL;
    TU_ASSERT_OK(pscan_alloc(0, NULL, &none));
    pscan_free(none);
    cr_assert(eq(int, (int)pscan_alloc(8, NULL, NULL), (int)PSCAN_ENULL));
    pscan_context_destroy(ctx);
    free(in);
    free(a);
    free(b);
}
