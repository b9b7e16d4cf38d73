/* chunk_plan.c - threads over NUMA nodes, tiles over threads. */
#include "chunk_plan.h"

#include <assert.h>

/* n split into `parts` by weights (largest remainders): out[k] sums to n. */
static void split_by_weight(int64_t n, int parts, const int64_t *weights, int64_t *out)
{
    assert(parts >= 1); /* a machine has at least one node (pscan_machine_nodes) */
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
                hwloc_obj_t core =
                    hwloc_get_obj_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_CORE, c);
                hwloc_obj_t pu = core ? hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset,
                                                                            HWLOC_OBJ_PU, round)
                                      : NULL;
                if (pu && seen++ == i)
                    return pu;
            }
    }
    return hwloc_get_obj_inside_cpuset_by_type(topo, node->cpuset, HWLOC_OBJ_PU, i);
}

static int node_pus(const pscan_machine *m, int j)
{
    hwloc_obj_t node = pscan_machine_node(m, j);
    return node ? hwloc_get_nbobjs_inside_cpuset_by_type(m->topology, node->cpuset, HWLOC_OBJ_PU)
                : 1;
}

/* Threads per node: SPREAD in proportion to the nodes' PUs, COMPACT
 * filling each node's PUs before the next (round after round when there
 * are more threads than PUs). */
static void threads_per_node(const pscan_machine *m, int nodes, int team, pscan_placement placement,
                             int64_t *node_threads)
{
    int64_t pus[PSCAN_MAX_PLAN_NODES];
    for (int j = 0; j < nodes; j++)
        pus[j] = node_pus(m, j);
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
    return (pscan_chunk){first_tile,
                         tiles,
                         thread,
                         pu ? (int)pu->os_index : -1,
                         core ? (int)core->os_index : -1,
                         node ? (int)node->os_index : -1};
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

void pscan_chunk_plan(const pscan_machine *m, pscan_placement placement, int64_t tiles, int team,
                      pscan_chunk *chunks)
{
    hwloc_topology_t topo = m->topology;
    const int nodes = pscan_machine_nodes(m);
    int64_t node_threads[PSCAN_MAX_PLAN_NODES], node_tiles[PSCAN_MAX_PLAN_NODES];
    threads_per_node(m, nodes, team, placement, node_threads);
    split_by_weight(tiles, nodes, node_threads, node_tiles);
    int thread = 0;
    int64_t next_tile = 0;
    for (int j = 0; j < nodes; j++) {
        thread = split_span(topo, pscan_machine_node(m, j), next_tile, node_tiles[j],
                            node_threads[j], thread, chunks);
        next_tile += node_tiles[j];
    }
}

bool pscan_chunk_plan_runs(const pscan_machine *m, pscan_placement placement,
                           const pscan_node_run *runs, int count, int64_t tiles, int team,
                           pscan_chunk *chunks)
{
    hwloc_topology_t topo = m->topology;
    const int nodes = pscan_machine_nodes(m);
    int64_t node_threads[PSCAN_MAX_PLAN_NODES];
    int seen[PSCAN_MAX_PLAN_NODES] = {0};
    threads_per_node(m, nodes, team, placement, node_threads);
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
        thread = split_span(topo, pscan_machine_node(m, runs[r].node), runs[r].first_tile,
                            runs[r].tiles, node_threads[runs[r].node], thread, chunks);
    return true;
}

/* The plan node holding the page at `address`, -1 if unknown (not yet
 * touched, or hwloc cannot tell). */
static int locate(const pscan_machine *m, hwloc_nodeset_t where, const char *address)
{
    if (hwloc_get_area_memlocation(m->topology, address, 1, where, HWLOC_MEMBIND_BYNODESET) != 0 ||
        hwloc_bitmap_weight(where) != 1)
        return -1;
    const int os_index = hwloc_bitmap_first(where);
    for (int j = 0; j < pscan_machine_nodes(m); j++) {
        hwloc_obj_t node = pscan_machine_node(m, j);
        if (node && (int)node->os_index == os_index)
            return j;
    }
    return -1;
}

void pscan_chunk_plan_buffer(const pscan_machine *m, pscan_placement placement, const char *base,
                             int64_t tile_bytes, int64_t tiles, int team, pscan_chunk *chunks)
{
    const int nodes = pscan_machine_nodes(m);
    hwloc_nodeset_t where = m->this_system && nodes > 1 && tiles > 0 ? hwloc_bitmap_alloc() : NULL;
    pscan_node_run runs[PSCAN_MAX_PLAN_NODES];
    int count = 0;
    /* Runs of tiles by the node of their first page, each run's end found
     * by bisection (pages of a node are assumed to lie together; the
     * result is checked only where it is probed, and any wrong guess
     * costs speed, never correctness). */
    for (int64_t from = 0; where && from < tiles && count < nodes;) {
        const int node = locate(m, where, base + from * tile_bytes);
        if (node < 0)
            break;
        int64_t lo = from, hi = tiles; /* tile lo is on node; tile hi is not (or the end) */
        while (hi - lo > 1) {
            const int64_t mid = lo + (hi - lo) / 2;
            if (locate(m, where, base + mid * tile_bytes) == node)
                lo = mid;
            else
                hi = mid;
        }
        runs[count++] = (pscan_node_run){from, hi - from, node};
        from = hi;
    }
    hwloc_bitmap_free(where);
    if (!pscan_chunk_plan_runs(m, placement, runs, count, tiles, team, chunks))
        pscan_chunk_plan(m, placement, tiles, team, chunks);
}

int pscan_chunk_plan_members(const pscan_machine *m, int64_t tiles, int team, const int *member_pu,
                             pscan_chunk *chunks)
{
    hwloc_topology_t topo = m->topology;
    const int nodes = pscan_machine_nodes(m);
    int64_t node_threads[PSCAN_MAX_PLAN_NODES] = {0}, node_tiles[PSCAN_MAX_PLAN_NODES];
    for (int member = 0; member < team; member++)
        node_threads[pscan_machine_pu_node(m, member_pu[member])]++;
    split_by_weight(tiles, nodes, node_threads, node_tiles);
    int position = 0;
    int64_t next_tile = 0;
    for (int j = 0; j < nodes; j++) {
        hwloc_obj_t node = pscan_machine_node(m, j);
        for (int member = 0, t = 0; member < team; member++) {
            if (pscan_machine_pu_node(m, member_pu[member]) != j)
                continue;
            const int64_t share =
                node_tiles[j] / node_threads[j] + (t < node_tiles[j] % node_threads[j]);
            hwloc_obj_t pu = member_pu[member] >= 0
                                 ? hwloc_get_pu_obj_by_os_index(topo, (unsigned)member_pu[member])
                                 : NULL;
            chunks[position++] = make_chunk(topo, next_tile, share, member, pu, node);
            next_tile += share;
            t++;
        }
    }
    return nodes_used(node_threads, nodes);
}

bool pscan_chunk_plan_spans_nodes(const pscan_machine *m, pscan_placement placement, int team,
                                  bool bound)
{
    if (m->this_system && !bound)
        return false; /* where the threads run is not known */
    const int nodes = pscan_machine_nodes(m);
    int64_t node_threads[PSCAN_MAX_PLAN_NODES];
    threads_per_node(m, nodes, team, placement, node_threads);
    return nodes_used(node_threads, nodes) >= 2;
}
