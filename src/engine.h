/* engine.h - runs a canonical plan: tiles, blocks, carries and threads.
 *
 * The engine never sees N-d arrays or dtypes by name: it walks the plan,
 * converts input elements into accumulator values (or reads them in place
 * when no conversion is needed), lets a kernel scan them and converts the
 * results into out. Memory comes from a workspace reserved beforehand, so
 * running a prepared job cannot fail. */
#ifndef PSCAN_ENGINE_H
#define PSCAN_ENGINE_H

#include "convert.h"
#include "kernels/kernels.h"
#include "layout.h"
#include "tile.h"
#include "workspace.h"

#include <stdbool.h>
#include <stddef.h>

/* The REPRODUCIBLE tile: a lane is cut every PSCAN_TILE elements whatever
 * the machine, thread count or ISA. Inside a tile values are combined left
 * to right (local prefix); tile t's outputs are P(t-1) op local, and
 * P(t) = P(t-1) op A(t), A(t) the tile's local total: a forward chain whose
 * every operation is fixed by the data's shape alone. A lane of at most
 * one tile is therefore numpy's left-to-right scan bit for bit. The float
 * error term is about n/4096 + 4096 roundings, against n for one chain.
 * PSCAN_TILE itself (4096) is defined in tile.h. */

/* Threads hand carries on per block of whole tiles, read once from memory
 * and scanned again from L2: as many tiles as fill half the context's L2
 * (accumulators count at their size up to 8 bytes), between 1 and
 * PSCAN_MAX_BLOCK_TILES; PSCAN_BLOCK_TILES (256 KiB of 8-byte values)
 * where the cache size is unknown. Pipelined runs (job->pipelined) hold
 * two blocks at once, so their blocks are half that. The block is only a unit of work:
 * results never depend on it, the tile does not change. Narrow panels'
 * row blocks keep PSCAN_BLOCK elements. */
enum {
    PSCAN_BLOCK_TILES = 8,
    PSCAN_MAX_BLOCK_TILES = 32,
    PSCAN_BLOCK = PSCAN_TILE * PSCAN_BLOCK_TILES
};
/* The fallback is one of the sizes prepare may choose. */
_Static_assert(PSCAN_BLOCK_TILES >= 1 && PSCAN_BLOCK_TILES <= PSCAN_MAX_BLOCK_TILES,
               "PSCAN_BLOCK_TILES is within 1..PSCAN_MAX_BLOCK_TILES");

/* Outputs of at least the context's tuning.stream_min_bytes (tuning.h)
 * get non-temporal stores. */

typedef enum pscan_schedule {
    PSCAN_SCHEDULE_NONE,   /* empty plan */
    PSCAN_SCHEDULE_LANES,  /* whole lanes split across threads */
    PSCAN_SCHEDULE_BLOCKS, /* blocks of long lanes (or row blocks of narrow
                              panels) claimed in order, carries handed on
                              by chained look-back */
    PSCAN_SCHEDULE_PANEL,  /* PANEL plans: column strips across threads */
    PSCAN_SCHEDULE_SPANS   /* one long lane, threads on several NUMA nodes:
                              each thread reduces, then scans, its own
                              chunk of the topology's plan; the carry goes
                              from chunk to chunk in between */
} pscan_schedule;

/* The summed-area table's ordered column step (sat_kernels.h). */
typedef void (*pscan_column_fn)(const void *values, void *local, const void *prefix, void *out,
                                size_t n, int first, int stream);

typedef struct pscan_job {
    const pscan_kernel *kernel; /* NULL: convert only (a copy) */
    pscan_convert_fn load;      /* input dtype -> accumulator */
    pscan_convert_fn store;     /* accumulator -> out dtype */
    size_t acc_size;            /* bytes per accumulator value */
    bool same_types;            /* in, accumulator and out dtypes are equal */
    bool stores_acc;            /* out is of the accumulator type (a plain,
                                   uncompensated one): storing is copying */
    bool sequential;            /* strict left-to-right lanes (no tiles) */
    int threads;                /* most threads to use (>= 1) */
    const char *carry;          /* NULL, or one accumulator per lane (a row
                                   per PANEL outer block) that every lane
                                   starts from, as if it came before it:
                                   scanning a file piece by piece */
    char *state_out;            /* NULL, or where each lane's last
                                   accumulator goes (laid out as carry) */
    const pscan_context *ctx;   /* where the threads run, and its tuning */

    /* Filled by pscan_engine_prepare. */
    pscan_schedule schedule;
    int block_tiles;                      /* tiles per block (BLOCKS, SPANS, long lanes) */
    int team;                             /* threads the run starts */
    bool direct;                          /* kernels read in and write out in place */
    pscan_copy_fn stream;                 /* direct and big: scan into the thread's buffer,
                               then stream it to out (NULL: write out) */
    bool stream_kernel;                   /* direct and big, with a kernel that streams its
                               own stores: straight to out, no buffer */
    bool pipelined;                       /* BLOCKS with a stream_kernel that also
                                             reduces: a thread scans each two-pass
                                             block while it reduces its next one
                                             (blocks.c) */
    pscan_copy_fn store_stream;           /* not direct (a converting or NaN-skipping
                               load), out contiguous in the accumulator
                               type and big: blocks are streamed from the
                               buffer to out (NULL: stored) */
    pscan_reverse_copy_fn store_reversed; /* with store_stream: out runs go
                               down in memory (REVERSE's flipped out), so
                               blocks are streamed out reversed */
    int64_t panel_width;                  /* PANEL: lanes per strip */
    bool panel_tiled;                     /* PANEL of one dtype, rows contiguous, tile
                               chains (not direct): combined straight into out */
    pscan_column_fn column;               /* float SUM of one dtype: local += in, out =
                               prefix + local in one pass (NULL: two combines) */
    bool panel_lagged;                    /* PANEL (or BLOCKS of its rows): narrow rows
                               back to back, scanned as one lagged sequence;
                               or BLOCKS of wide order-free rows, streamed
                               out from a running row when job->stream */
    bool bind;                            /* threads bound to the plan's PUs */
    bool runtime_placed;                  /* SPANS whose threads the OpenMP runtime
                               placed: they say where they are first */
    size_t plan_offset;                   /* bind or SPANS: the chunk plan's place in
                               the descriptors */
    size_t scratch_per_thread;
    size_t descriptor_bytes;
} pscan_job;

/* Choose the schedule and team for `plan` and say how much workspace the
 * run needs (job->scratch_per_thread * job->team, job->descriptor_bytes). */
void pscan_engine_prepare(const pscan_plan *plan, pscan_job *job);

/* Scan everything the plan walks; `ws` holds at least what prepare asked. */
void pscan_engine_run(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws);

/* ---- Teams for work that is not a plan ----
 *
 * Every parallel region of the library starts in the engine: the
 * summed-area strips (engine/strips.c), the overflow pre-check and first-touch
 * allocation run their members through pscan_engine_team, so they share
 * the schedules' thread-count rule (pscan_useful_threads), binding rule
 * and entry and exit. */

/* One member's share: member < members; members may be fewer than the
 * team asked for (the OpenMP runtime's choice). The body may use orphaned
 * `omp for` and `omp barrier`, which bind to the team. */
typedef void (*pscan_team_fn)(void *arg, int member, int members);

/* Where a team of `team` for `elements` of work is bound, by the rule
 * the schedules follow (placement set, this system, the runtime not
 * binding, and at least tuning.bind_min_elems_per_thread per thread): the
 * context's plan written into chunks[team], or NULL (no binding). */
const pscan_chunk *pscan_engine_team_binding(const pscan_context *ctx, int team, int64_t elements,
                                             pscan_chunk *chunks);

/* Run body(arg, member, members) on `team` threads (1: the calling thread
 * alone); with bind_to, member m is bound to bind_to[m].pu for the call
 * and given its own mask back after it. Streamed stores are fenced before
 * the team ends. */
void pscan_engine_team(const pscan_context *ctx, int team, const pscan_chunk *bind_to,
                       pscan_team_fn body, void *arg);

#endif
