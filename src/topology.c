/* topology.c - what hwloc knows, put to use: machine facts, the NUMA-aware
 * chunk plan (threads spread over nodes, tile spans per node), its text,
 * and first-touch allocation with the plan's partition. */
#define _GNU_SOURCE

#include "context.h"
#include "topology.h"

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { TILE = 4096 };

static const pscan_context *resolve(const pscan_context *ctx)
{
    return ctx ? ctx : pscan_default_context();
}

static int64_t cache_bytes(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    hwloc_obj_t cache = hwloc_get_obj_by_type(topo, type, 0);
    return cache && cache->attr ? (int64_t)cache->attr->cache.size : 0;
}

pscan_status pscan_context_info(const pscan_context *ctx, pscan_topology_info *info)
{
    ctx = resolve(ctx);
    if (!ctx || !info)
        return ctx ? PSCAN_ENULL : PSCAN_ETOPOLOGY;
    hwloc_topology_t topo = ctx->topology;
    info->this_system = ctx->this_system;
    info->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    info->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    info->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    info->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    info->l1d_bytes = cache_bytes(topo, HWLOC_OBJ_L1CACHE);
    info->l2_bytes = cache_bytes(topo, HWLOC_OBJ_L2CACHE);
    info->l3_bytes = cache_bytes(topo, HWLOC_OBJ_L3CACHE);
    return PSCAN_OK;
}

/* n split into `parts` by weights (largest remainders): out[k] sums to n. */
static void split_by_weight(int64_t n, int parts, const int64_t *weights, int64_t *out)
{
    int64_t total = 0, given = 0;
    for (int k = 0; k < parts; k++)
        total += weights[k];
    for (int k = 0; k < parts; k++) {
        out[k] = total ? n * weights[k] / total : (k == 0 ? n : 0);
        given += out[k];
    }
    while (given < n) { /* the largest remainders get one more */
        int best = 0;
        int64_t best_rest = -1;
        for (int k = 0; k < parts; k++) {
            const int64_t rest = total ? n * weights[k] % total : 0;
            if (rest > best_rest && out[k] * total <= n * weights[k]) {
                best_rest = rest;
                best = k;
            }
        }
        out[best]++;
        given++;
    }
}

/* The i-th PU of a node in spread order: each core's first PU, then each
 * core's second, ...; i wraps when there are more threads than PUs. */
static hwloc_obj_t node_pu(hwloc_topology_t topo, hwloc_obj_t node, int i)
{
    const int pus = hwloc_get_nbobjs_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_PU);
    const int cores = hwloc_get_nbobjs_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_CORE);
    if (pus <= 0)
        return NULL;
    i %= pus;
    if (cores > 0) {
        const int per_core = (pus + cores - 1) / cores;
        for (int round = 0, seen = 0; round < per_core; round++)
            for (int c = 0; c < cores; c++) {
                hwloc_obj_t core = hwloc_get_obj_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_CORE, c);
                hwloc_obj_t pu = core ? hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, round) : NULL;
                if (pu && seen++ == i)
                    return pu;
            }
    }
    return hwloc_get_obj_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_PU, i);
}

/* Plans cover at most this many NUMA nodes; a bigger host is planned as
 * one node (every thread on it, one span). */
enum { MAX_PLAN_NODES = 256 };

static int plan_nodes(hwloc_topology_t topo)
{
    const int nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    return nodes >= 1 && nodes <= MAX_PLAN_NODES ? nodes : 1;
}

/* Node j of the plan, NULL when the plan has no real nodes. */
static hwloc_obj_t plan_node(hwloc_topology_t topo, int j)
{
    const int nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    return nodes >= 1 && nodes <= MAX_PLAN_NODES ? hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, j)
                                                 : NULL;
}

static int node_pus(hwloc_topology_t topo, int j)
{
    hwloc_obj_t node = plan_node(topo, j);
    return node ? hwloc_get_nbobjs_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_PU) : 1;
}

/* Threads per node: SPREAD in proportion to the nodes' PUs, COMPACT
 * filling each node's PUs before the next (round after round when there
 * are more threads than PUs). */
static void threads_per_node(hwloc_topology_t topo, int nodes, int team, pscan_placement placement,
                             int64_t *node_threads)
{
    int64_t pus[MAX_PLAN_NODES];
    for (int j = 0; j < nodes; j++)
        pus[j] = node_pus(topo, j);
    if (placement != PSCAN_PLACEMENT_COMPACT) {
        split_by_weight(team, nodes, pus, node_threads);
        return;
    }
    for (int j = 0; j < nodes; j++)
        node_threads[j] = 0;
    for (int64_t left = team; left > 0;)
        for (int j = 0; j < nodes && left > 0; j++) {
            const int64_t take = pus[j] < left ? pus[j] : left;
            node_threads[j] += take;
            left -= take;
        }
}

/* How many nodes have threads. */
static int nodes_used(const int64_t *node_threads, int nodes)
{
    int used = 0;
    for (int j = 0; j < nodes; j++)
        used += node_threads[j] > 0;
    return used;
}

/* Chunk `tiles` tiles from `first_tile`, scanned by `thread` on `pu`
 * (NULL: unknown) of `node`. */
static pscan_chunk make_chunk(hwloc_topology_t topo, int64_t first_tile, int64_t tiles, int thread,
                              hwloc_obj_t pu, hwloc_obj_t node)
{
    hwloc_obj_t core = pu ? hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu) : NULL;
    return (pscan_chunk){first_tile, tiles, thread, pu ? (int)pu->os_index : -1,
                         core ? (int)core->os_index : -1, node ? (int)node->os_index : -1};
}

/* A node's span of `tiles` tiles from `first_tile`, split evenly over its
 * `threads` threads, numbered from `thread`: chunks[thread...]. Returns
 * the next thread number. */
static int split_span(hwloc_topology_t topo, hwloc_obj_t node, int64_t first_tile, int64_t tiles,
                      int64_t threads, int thread, pscan_chunk *chunks)
{
    for (int64_t t = 0; t < threads; t++, thread++) {
        const int64_t share = tiles / threads + (t < tiles % threads);
        chunks[thread] = make_chunk(topo, first_tile, share, thread,
                                    node ? node_pu(topo, node, (int)t) : NULL, node);
        first_tile += share;
    }
    return thread;
}

void pscan_topology_plan(const pscan_context *ctx, int64_t tiles, int team, pscan_chunk *chunks)
{
    hwloc_topology_t topo = ctx->topology;
    const int nodes = plan_nodes(topo);
    const pscan_placement placement = pscan_context_placement(ctx);
    int64_t node_threads[MAX_PLAN_NODES], node_tiles[MAX_PLAN_NODES];
    threads_per_node(topo, nodes, team, placement, node_threads);
    split_by_weight(tiles, nodes, node_threads, node_tiles);
    int thread = 0;
    int64_t next_tile = 0;
    for (int j = 0; j < nodes; j++) {
        thread = split_span(topo, plan_node(topo, j), next_tile, node_tiles[j], node_threads[j],
                            thread, chunks);
        next_tile += node_tiles[j];
    }
}

bool pscan_topology_plan_runs(const pscan_context *ctx, const pscan_node_run *runs, int count,
                              int64_t tiles, int team, pscan_chunk *chunks)
{
    hwloc_topology_t topo = ctx->topology;
    const int nodes = plan_nodes(topo);
    int64_t node_threads[MAX_PLAN_NODES];
    int seen[MAX_PLAN_NODES] = {0};
    threads_per_node(topo, nodes, team, pscan_context_placement(ctx), node_threads);
    const int64_t fair = (tiles + team - 1) / team;
    int64_t covered = 0;
    for (int r = 0; r < count; r++) {
        const int j = runs[r].node;
        if (j < 0 || j >= nodes || seen[j]++ || runs[r].first_tile != covered ||
            node_threads[j] == 0 || runs[r].tiles > 2 * fair * node_threads[j])
            return false;
        covered += runs[r].tiles;
    }
    for (int j = 0; j < nodes; j++) /* threads on a node without pages idle */
        if (node_threads[j] > 0 && !seen[j])
            return false;
    if (covered != tiles)
        return false;
    int thread = 0;
    for (int r = 0; r < count; r++)
        thread = split_span(topo, plan_node(topo, runs[r].node), runs[r].first_tile, runs[r].tiles,
                            node_threads[runs[r].node], thread, chunks);
    return true;
}

/* The plan node holding the page at `address`, -1 if unknown (not yet
 * touched, or hwloc cannot tell). */
static int locate(hwloc_topology_t topo, hwloc_nodeset_t where, const char *address)
{
    if (hwloc_get_area_memlocation(topo, address, 1, where, HWLOC_MEMBIND_BYNODESET) != 0 ||
        hwloc_bitmap_weight(where) != 1)
        return -1;
    const int os_index = hwloc_bitmap_first(where);
    for (int j = 0; j < plan_nodes(topo); j++) {
        hwloc_obj_t node = plan_node(topo, j);
        if (node && (int)node->os_index == os_index)
            return j;
    }
    return -1;
}

void pscan_topology_plan_buffer(const pscan_context *ctx, const char *base, int64_t tile_bytes,
                                int64_t tiles, int team, pscan_chunk *chunks)
{
    hwloc_topology_t topo = ctx->topology;
    const int nodes = plan_nodes(topo);
    hwloc_nodeset_t where = ctx->this_system && nodes > 1 && tiles > 0 ? hwloc_bitmap_alloc() : NULL;
    pscan_node_run runs[MAX_PLAN_NODES];
    int count = 0;
    /* Runs of tiles by the node of their first page, each run's end found
     * by bisection (pages of a node are assumed to lie together; the
     * result is checked only where it is probed, and any wrong guess
     * costs speed, never correctness). */
    for (int64_t from = 0; where && from < tiles && count < nodes;) {
        const int node = locate(topo, where, base + from * tile_bytes);
        if (node < 0)
            break;
        int64_t lo = from, hi = tiles; /* tile lo is on node; tile hi is not (or the end) */
        while (hi - lo > 1) {
            const int64_t mid = lo + (hi - lo) / 2;
            if (locate(topo, where, base + mid * tile_bytes) == node)
                lo = mid;
            else
                hi = mid;
        }
        runs[count++] = (pscan_node_run){from, hi - from, node};
        from = hi;
    }
    hwloc_bitmap_free(where);
    if (!pscan_topology_plan_runs(ctx, runs, count, tiles, team, chunks))
        pscan_topology_plan(ctx, tiles, team, chunks);
}

pscan_status pscan_context_plan(const pscan_context *ctx, int64_t elements, int threads,
                                pscan_chunk *chunks, int capacity, int *count)
{
    ctx = resolve(ctx);
    if (!ctx)
        return PSCAN_ETOPOLOGY;
    if (!chunks || !count)
        return PSCAN_ENULL;
    if (elements < 0)
        return PSCAN_ESIZE;
    if (threads < 0)
        return PSCAN_EOPTS;
    threads = threads ? threads : ctx->threads;
    if (capacity < threads)
        return PSCAN_EOPTS;
    pscan_topology_plan(ctx, (elements + TILE - 1) / TILE, threads, chunks);
    *count = threads;
    return PSCAN_OK;
}

static bool runtime_binds(void)
{
    return omp_get_proc_bind() != omp_proc_bind_false;
}

static const char *const placement_names[] = {"none", "spread", "compact"};

const char *pscan_placement_name(pscan_placement placement)
{
    return placement_names[placement];
}

bool pscan_placement_parse(const char *name, pscan_placement *placement)
{
    for (int k = 0; name && k < (int)(sizeof placement_names / sizeof *placement_names); k++)
        if (strcmp(name, placement_names[k]) == 0) {
            *placement = (pscan_placement)k;
            return true;
        }
    return false;
}

bool pscan_topology_runtime_places(const pscan_context *ctx)
{
    return ctx->this_system && runtime_binds() && plan_nodes(ctx->topology) >= 2;
}

int pscan_topology_current_pu(const pscan_context *ctx)
{
    hwloc_bitmap_t where = hwloc_bitmap_alloc();
    int pu = -1;
    if (where && hwloc_get_last_cpu_location(ctx->topology, where, HWLOC_CPUBIND_THREAD) == 0)
        pu = hwloc_bitmap_first(where);
    hwloc_bitmap_free(where);
    return pu;
}

/* The plan node of PU `os_index` (0 when unknown). */
static int pu_node(hwloc_topology_t topo, int os_index)
{
    hwloc_obj_t pu = os_index >= 0 ? hwloc_get_pu_obj_by_os_index(topo, (unsigned)os_index) : NULL;
    for (int j = 0; pu && j < plan_nodes(topo); j++) {
        hwloc_obj_t node = plan_node(topo, j);
        if (node && hwloc_bitmap_isincluded(pu->cpuset, node->cpuset))
            return j;
    }
    return 0;
}

int pscan_topology_plan_members(const pscan_context *ctx, int64_t tiles, int team,
                                const int *member_pu, pscan_chunk *chunks)
{
    hwloc_topology_t topo = ctx->topology;
    const int nodes = plan_nodes(topo);
    int64_t node_threads[MAX_PLAN_NODES] = {0}, node_tiles[MAX_PLAN_NODES];
    for (int m = 0; m < team; m++)
        node_threads[pu_node(topo, member_pu[m])]++;
    split_by_weight(tiles, nodes, node_threads, node_tiles);
    int position = 0;
    int64_t next_tile = 0;
    for (int j = 0; j < nodes; j++) {
        hwloc_obj_t node = plan_node(topo, j);
        for (int m = 0, t = 0; m < team; m++) {
            if (pu_node(topo, member_pu[m]) != j)
                continue;
            const int64_t share = node_tiles[j] / node_threads[j] + (t < node_tiles[j] % node_threads[j]);
            hwloc_obj_t pu = member_pu[m] >= 0 ? hwloc_get_pu_obj_by_os_index(topo, (unsigned)member_pu[m]) : NULL;
            chunks[position++] = make_chunk(topo, next_tile, share, m, pu, node);
            next_tile += share;
            t++;
        }
    }
    return nodes_used(node_threads, nodes);
}

bool pscan_topology_binds(const pscan_context *ctx)
{
    return ctx->this_system && pscan_context_placement(ctx) != PSCAN_PLACEMENT_NONE &&
           !runtime_binds();
}

bool pscan_topology_wants_spans(const pscan_context *ctx, int team, bool bound)
{
    if (ctx->force_spans)
        return true;
    if (ctx->this_system && !bound)
        return false; /* where the threads run is not known */
    hwloc_topology_t topo = ctx->topology;
    const int nodes = plan_nodes(topo);
    int64_t node_threads[MAX_PLAN_NODES];
    threads_per_node(topo, nodes, team, pscan_context_placement(ctx), node_threads);
    return nodes_used(node_threads, nodes) >= 2;
}

int64_t pscan_topology_l2_bytes(const pscan_context *ctx)
{
    return ctx->l2_bytes;
}

void *pscan_topology_bind(const pscan_context *ctx, int pu)
{
    if (pu < 0 || !ctx->this_system)
        return NULL;
    hwloc_obj_t target = hwloc_get_pu_obj_by_os_index(ctx->topology, (unsigned)pu);
    hwloc_bitmap_t saved = target ? hwloc_bitmap_alloc() : NULL;
    if (!saved)
        return NULL;
    if (hwloc_get_cpubind(ctx->topology, saved, HWLOC_CPUBIND_THREAD) != 0 ||
        hwloc_set_cpubind(ctx->topology, target->cpuset, HWLOC_CPUBIND_THREAD) != 0) {
        hwloc_bitmap_free(saved);
        return NULL;
    }
    return saved;
}

void pscan_topology_unbind(const pscan_context *ctx, void *saved)
{
    if (!saved)
        return;
    hwloc_set_cpubind(ctx->topology, saved, HWLOC_CPUBIND_THREAD);
    hwloc_bitmap_free(saved);
}

__attribute__((format(printf, 4, 5))) static void append(char *text, size_t capacity, size_t *used, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    const size_t room = *used < capacity ? capacity - *used : 0;
    const int n = vsnprintf(room ? text + *used : NULL, room, format, args);
    va_end(args);
    *used += n > 0 ? (size_t)n : 0;
}

static void append_size(char *text, size_t capacity, size_t *used, const char *name, int64_t bytes)
{
    if (bytes <= 0)
        append(text, capacity, used, ", %s none", name);
    else if (bytes % (1 << 20) == 0)
        append(text, capacity, used, ", %s %lld MiB", name, (long long)(bytes >> 20));
    else
        append(text, capacity, used, ", %s %lld KiB", name, (long long)(bytes >> 10));
}

pscan_status pscan_context_describe(const pscan_context *ctx, int64_t elements, int threads,
                                    char *text, size_t capacity)
{
    if (!text || capacity == 0)
        return PSCAN_ENULL;
    text[0] = 0;
    pscan_topology_info info;
    pscan_status status = pscan_context_info(ctx, &info);
    if (status != PSCAN_OK)
        return status;
    const int team = threads ? threads : resolve(ctx)->threads;
    if (team < 0)
        return PSCAN_EOPTS;
    pscan_chunk *chunks = malloc((size_t)(team > 0 ? team : 1) * sizeof *chunks);
    if (!chunks)
        return PSCAN_ENOMEM;
    int count = 0;
    status = pscan_context_plan(ctx, elements, team, chunks, team, &count);
    if (status != PSCAN_OK) {
        free(chunks);
        return status;
    }
    size_t used = 0;
    append(text, capacity, &used, "machine: %s; %d package%s, %d NUMA node%s, %d cores, %d PUs",
           info.this_system ? "this system" : "described (synthetic or XML)", info.packages,
           info.packages == 1 ? "" : "s", info.numa_nodes, info.numa_nodes == 1 ? "" : "s",
           info.cores, info.pus);
    append_size(text, capacity, &used, "L1d", info.l1d_bytes);
    append_size(text, capacity, &used, "L2", info.l2_bytes);
    append_size(text, capacity, &used, "L3", info.l3_bytes);
    const pscan_context *described = resolve(ctx);
    append(text, capacity, &used, "\nplacement: %s; %s",
           pscan_placement_name(pscan_context_placement(described)),
           described->this_system && runtime_binds()
               ? "the OpenMP runtime binds threads (OMP_PROC_BIND), pscan keeps its placement"
           : pscan_topology_binds(described)
               ? "pscan binds each thread to its PU for calls of 2^20 elements per thread or more"
           : described->this_system ? "threads are not bound (the PUs below are where spread would put them)"
                                    : "a described machine: plans only, no binding");
    append(text, capacity, &used, "\nplan: %lld elements = %lld tiles of %d over %d threads\n",
           (long long)elements, (long long)((elements + TILE - 1) / TILE), TILE, count);
    append(text, capacity, &used, "%-6s %-24s %6s %5s %5s %5s\n", "chunk", "tiles", "thread", "PU",
           "core", "NUMA");
    for (int k = 0; k < count; k++) {
        char range[48];
        snprintf(range, sizeof range, "[%lld, %lld)", (long long)chunks[k].first_tile,
                 (long long)(chunks[k].first_tile + chunks[k].tiles));
        append(text, capacity, &used, "%-6d %-24s %6d %5d %5d %5d\n", k, range, chunks[k].thread,
               chunks[k].pu, chunks[k].core, chunks[k].numa_node);
    }
    free(chunks);
    return used < capacity ? PSCAN_OK : PSCAN_ESIZE;
}

/* pscan_alloc keeps the mapping's length just before the memory. */
enum { ALLOC_HEADER = 64 };

pscan_status pscan_alloc(size_t bytes, const pscan_opts *opts, void **out)
{
    if (!out)
        return PSCAN_ENULL;
    *out = NULL;
    pscan_context *ctx;
    const pscan_status status = pscan_context_resolve(opts ? opts->ctx : NULL, &ctx);
    if (status != PSCAN_OK)
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
    const int team = pscan_useful_threads(opts && opts->threads > 0 ? opts->threads : ctx->threads, elements);
    pscan_chunk *chunks = malloc((size_t)team * sizeof *chunks);
    int count = 0;
    if (!chunks || pscan_context_plan(ctx, elements, team, chunks, team, &count) != PSCAN_OK) {
        free(chunks);
        memset(memory, 0, bytes); /* still zeroed, by this thread */
        *out = memory;
        return PSCAN_OK;
    }
    const int64_t tiles = (elements + TILE - 1) / TILE;
#pragma omp parallel num_threads(count) if (count > 1)
    {
        const int k = omp_get_thread_num();
        void *saved = pscan_topology_bind(ctx, chunks[k].pu);
        /* this chunk's tiles of 8-byte elements (the last one takes the
         * bytes after the last whole element) */
        const size_t tile_bytes = (size_t)TILE * 8;
        const size_t from = (size_t)chunks[k].first_tile * tile_bytes;
        size_t to = (size_t)(chunks[k].first_tile + chunks[k].tiles) * tile_bytes;
        if (to > bytes || chunks[k].first_tile + chunks[k].tiles == tiles)
            to = bytes;
        if (to > from)
            memset(memory + from, 0, to - from);
        pscan_topology_unbind(ctx, saved);
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
