/* topology.h - what the engine asks of the topology: where a call's
 * threads go and which chunk of a lane each one takes. Implemented in
 * topology.c over hwloc; the engine itself never sees hwloc. */
#ifndef PSCAN_TOPOLOGY_H
#define PSCAN_TOPOLOGY_H

#include "pscan.h"

#include <stdbool.h>
#include <stdint.h>

/* Fewer elements than this per thread do not pay for waking a thread. */
enum { PSCAN_MIN_ELEMS_PER_THREAD = 1 << 16 };

/* The threads worth starting for `elements` of work when `asked` are
 * asked for: opts.threads may be any positive int, more than the cores
 * included, but a team never outgrows its work (OpenMP cannot start tens
 * of thousands of threads, and gives up the process when it fails). */
static inline int pscan_useful_threads(int asked, int64_t elements)
{
    const int64_t useful = elements / PSCAN_MIN_ELEMS_PER_THREAD;
    return useful < 1 ? 1 : useful < asked ? (int)useful : asked;
}

/* "none", "spread" or "compact", and back: true when `name` is one of
 * them (the environment's PSCAN_PLACEMENT, the tool's --placement). */
const char *pscan_placement_name(pscan_placement placement);
bool pscan_placement_parse(const char *name, pscan_placement *placement);

/* pscan binds a call's threads itself: placement set, this system, and
 * the OpenMP runtime not binding them already. */
bool pscan_topology_binds(const pscan_context *ctx);

/* The OpenMP runtime binds threads itself (OMP_PROC_BIND / OMP_PLACES) on
 * this system, and the topology has two NUMA nodes or more: a call's
 * threads can say where they are (pscan_topology_current_pu). */
bool pscan_topology_runtime_places(const pscan_context *ctx);

/* The OS index of the PU the calling thread runs on, -1 if unknown. */
int pscan_topology_current_pu(const pscan_context *ctx);

/* The plan for threads the runtime placed: member m runs on PU
 * member_pu[m]; each node's span is in proportion to its members, chunks
 * in lane order (node by node, members in order within a node), each
 * chunk's `thread` the member that scans it. Returns how many nodes
 * have members. */
int pscan_topology_plan_members(const pscan_context *ctx, int64_t tiles, int team,
                                const int *member_pu, pscan_chunk *chunks);

/* A single long lane is scanned span by span: the team's threads are on
 * two or more NUMA nodes and their nodes are known (pscan binds them, or
 * the topology is described, not this system's; `bound`: this call binds
 * them), or PSCAN_SCHEDULE=spans
 * asked for it when the context was made. */
bool pscan_topology_wants_spans(const pscan_context *ctx, int team, bool bound);

/* The plan of pscan_context_plan for `tiles` tiles over `team` threads,
 * into chunks[team]; cannot fail. */
void pscan_topology_plan(const pscan_context *ctx, int64_t tiles, int team, pscan_chunk *chunks);

/* Tiles [first_tile, first_tile + tiles) whose pages are on plan node
 * `node` (an index among the context's NUMA nodes, not an OS index). */
typedef struct pscan_node_run {
    int64_t first_tile, tiles;
    int node;
} pscan_node_run;

/* A plan whose node spans are `runs` (in lane order, covering all
 * `tiles`), each run split over its node's threads: false, with chunks
 * untouched, when the runs cannot be followed (a node twice, a node
 * without threads, or a thread with over twice its fair share). */
bool pscan_topology_plan_runs(const pscan_context *ctx, const pscan_node_run *runs, int count,
                              int64_t tiles, int team, pscan_chunk *chunks);

/* The plan for a lane whose tile t starts at base + t * tile_bytes: where
 * the caller's pages already are (hwloc_get_area_memlocation, on this
 * system with several nodes), else pscan_topology_plan's. */
void pscan_topology_plan_buffer(const pscan_context *ctx, const char *base, int64_t tile_bytes,
                                int64_t tiles, int team, pscan_chunk *chunks);

/* The size of the context's (first) L2 cache, 0 if unknown. */
int64_t pscan_topology_l2_bytes(const pscan_context *ctx);

/* Bind the calling thread to PU `pu` (an OS index); returns what to hand
 * to pscan_topology_unbind, NULL if nothing was changed. */
void *pscan_topology_bind(const pscan_context *ctx, int pu);
void pscan_topology_unbind(const pscan_context *ctx, void *saved);

#endif
