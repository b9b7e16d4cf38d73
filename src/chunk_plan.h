/* chunk_plan.h - the NUMA-aware partition of a lane's tiles over a team:
 * threads spread over the nodes as a placement says, a contiguous span of
 * tiles per node, a contiguous chunk per thread (pscan.h:
 * pscan_context_plan). The SPANS schedule scans it and pscan_alloc
 * touches it. Plans never fail and never allocate. */
#ifndef PSCAN_CHUNK_PLAN_H
#define PSCAN_CHUNK_PLAN_H

#include "machine.h"

/* The plan of `tiles` tiles over `team` threads into chunks[team]. */
void pscan_chunk_plan(const pscan_machine *m, pscan_placement placement, int64_t tiles, int team,
                      pscan_chunk *chunks);

/* Tiles [first_tile, first_tile + tiles) whose pages are on plan node
 * `node` (an index among the machine's NUMA nodes, not an OS index). */
typedef struct pscan_node_run {
    int64_t first_tile, tiles;
    int node;
} pscan_node_run;

/* A plan whose node spans are `runs` (in lane order, covering all
 * `tiles`), each run split over its node's threads: false, with chunks
 * untouched, when the runs cannot be followed (a node twice, a node
 * without threads, or a thread with over twice its fair share). */
bool pscan_chunk_plan_runs(const pscan_machine *m, pscan_placement placement,
                           const pscan_node_run *runs, int count, int64_t tiles, int team,
                           pscan_chunk *chunks);

/* The plan for a lane whose tile t starts at base + t * tile_bytes: where
 * the caller's pages already are (hwloc_get_area_memlocation, on this
 * system with several nodes), else pscan_chunk_plan's. */
void pscan_chunk_plan_buffer(const pscan_machine *m, pscan_placement placement, const char *base,
                             int64_t tile_bytes, int64_t tiles, int team, pscan_chunk *chunks);

/* The plan for threads the runtime placed: member m runs on PU
 * member_pu[m]; each node's span is in proportion to its members, chunks
 * in lane order (node by node, members in order within a node), each
 * chunk's `thread` the member that scans it. Returns how many nodes
 * have members. */
int pscan_chunk_plan_members(const pscan_machine *m, int64_t tiles, int team, const int *member_pu,
                             pscan_chunk *chunks);

/* The team's threads sit on two or more NUMA nodes and their nodes are
 * known: pscan binds them (`bound`), or the machine is described, not this
 * system. A single long lane is then worth scanning span by span. */
bool pscan_chunk_plan_spans_nodes(const pscan_machine *m, pscan_placement placement, int team,
                                  bool bound);

#endif
