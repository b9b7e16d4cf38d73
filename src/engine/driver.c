/* driver.c - the engine's front: chooses a job's schedule and team, then
 * runs it from a table, as zstd picks a block compressor. The schedules
 * live one per file beside it (lanes.c, blocks.c, spans.c, panel.c, with
 * what BLOCKS and SPANS share in blocks.h; strips.c runs summed-area
 * tables on the same teams).
 *
 * Four schedules cover every plan:
 *   LANES   many lanes: each thread takes a contiguous range of whole
 *           lanes; short lanes are scanned many per kernel call.
 *   BLOCKS  one or a few long lanes: blocks of whole tiles (sized to L2) are
 *           claimed from one counter, strictly in order, and carries are
 *           handed on point to point by chained look-back (below).
 *   SPANS   one long lane whose threads sit on several NUMA nodes: each
 *           thread takes its chunk of the topology's plan (its node's
 *           memory, if the pages were touched by the same plan), reduces
 *           it, receives the carry from the chunk before it, passes its
 *           own on and scans the chunk. One more read than BLOCKS, all
 *           of it node-local instead of (nodes-1)/nodes remote.
 *   PANEL   lanes side by side (axis 0 of a C array): strips of columns
 *           across threads, advanced a row at a time with vector combines;
 *           narrow rows lying back to back are one lagged scan, and with
 *           fewer such panels than threads their row blocks are BLOCKS
 *           whose carries are whole rows; so are order-free panels of
 *           wide rows (up to WIDE_ROW_BYTES) with fewer panels than
 *           threads, each block's rows streamed out from a running row.
 *
 * Chained look-back. Every block has a descriptor:
 * a state word (this run's number, then AGGREGATE or PREFIX), the values
 * the block adds to the carry chain, and its inclusive prefix. A thread
 * that finds its predecessor's prefix already published scans its block in
 * one pass from it. Otherwise (and from then on: switching back would make
 * its successors wait) it reduces the block, publishes the aggregate, walks
 * back to the nearest published prefix, chains forward from it, publishes
 * its own prefix and only then scans the block again, now from cache.
 * Order-free streamed scans pipeline that: the block a thread holds is
 * scanned in the same kernel call that reduces its next one (blocks.c).
 * Blocks are claimed in increasing order, so every block below a claimed
 * one has an owner that publishes without waiting: the walk always ends.
 *
 * Bits never depend on timing: the carry chain is always computed forward,
 * P(t) = P(t-1) op A(t) over tiles, whoever computes it, and a block
 * scanned in one pass gives the same bits as one scanned in two.
 *
 * Kernels work on `in` and `out` directly when no conversion is needed
 * (direct); otherwise a block is converted into the thread's buffer,
 * scanned there and converted out. Big out-of-place outputs are written
 * with non-temporal stores (by the kernel itself, or from the buffer). */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <assert.h>
#include <omp.h>

/* ---- Choosing the schedule ---- */

static int threads_for(const pscan_job *job, int64_t total, int64_t units)
{
    const int64_t useful =
        min64(pscan_useful_threads(pscan_context_tuning(job->ctx), job->threads, total), units);
    return useful < 1 ? 1 : (int)useful;
}

static void prepare_panel(const pscan_plan *plan, pscan_job *job)
{
    const pscan_kernel *kernel = job->kernel;
    const int64_t acc = (int64_t)job->acc_size;
    job->schedule = PSCAN_SCHEDULE_PANEL;
    job->direct = kernel && job->same_types && (job->sequential || kernel->order_free) &&
                  plan->inner.in_stride == acc && plan->inner.out_stride == acc;
    /* Narrow rows back to back: one lagged scan per panel (a combine call
     * per row would cost more than the row). The previous row is read
     * back, so plain stores. With fewer panels than threads, their rows are
     * cut into blocks handed on by look-back, a row of carries per block. */
    const int64_t row_bytes = plan->inner.len * acc;
    const bool rows_back_to_back =
        plan->scan.in_stride == row_bytes && plan->scan.out_stride == row_bytes;
    const bool streams = job->direct && plan->in_base != plan->out_base &&
                         plan->total * acc >= pscan_context_tuning(job->ctx)->stream_min_bytes;
    /* Row blocks for the team: order-free rows back to back, fewer panels
     * than threads, and more than one block to share. */
    const int64_t block_rows = pscan_panel_block_rows(plan);
    const int64_t row_blocks = (plan->scan.len + block_rows - 1) / block_rows;
    const int row_team = threads_for(job, plan->total, plan->outer_count * row_blocks);
    const bool row_blocks_pay = job->direct && kernel->order_free && rows_back_to_back &&
                                plan->outer_count < job->threads && row_blocks > 1 && row_team > 1;
    if (job->direct && row_bytes <= NARROW_ROW_BYTES && rows_back_to_back) {
        job->panel_lagged = true;
        job->panel_width = plan->inner.len;
        job->team = threads_for(job, plan->total, plan->outer_count);
        if (row_blocks_pay) {
            job->schedule = PSCAN_SCHEDULE_BLOCKS;
            job->team = row_team;
            job->descriptor_bytes = pscan_blocks_descriptor_bytes(plan, job);
        }
        return;
    }
    /* Wide rows, order-free: row blocks as well. Strips of columns would
     * have every thread read and write a piece of each row, cut at page
     * boundaries the hardware prefetchers do not cross; a row block is
     * read and written in order, whole rows at a time. */
    if (row_blocks_pay && row_bytes <= WIDE_ROW_BYTES) {
        job->schedule = PSCAN_SCHEDULE_BLOCKS;
        job->panel_lagged = true;
        job->panel_width = plan->inner.len;
        job->team = row_team;
        job->stream = streams ? pscan_kernel_stream_copy() : NULL;
        job->scratch_per_thread = (size_t)(2 * row_bytes); /* running row, carry */
        job->descriptor_bytes = pscan_blocks_descriptor_bytes(plan, job);
        return;
    }
    /* Not direct, so tile chains wherever a kernel runs on one dtype. */
    job->panel_tiled = !job->direct && kernel && job->same_types && plan->inner.in_stride == acc &&
                       plan->inner.out_stride == acc;
    int64_t width = job->direct || job->panel_tiled ? DIRECT_PANEL_CHUNK : PANEL_CHUNK;
    while (width > MIN_PANEL_WIDTH &&
           plan->outer_count * ((plan->inner.len + width - 1) / width) < job->threads)
        width /= 2;
    const int64_t units = plan->outer_count * ((plan->inner.len + width - 1) / width);
    job->panel_width = width;
    job->team = threads_for(job, plan->total, units);
    job->stream = streams ? pscan_kernel_stream_copy() : NULL;
    job->scratch_per_thread = (size_t)((job->direct        ? (job->stream ? 1 : 0)
                                        : job->panel_tiled ? 2
                                                           : 3) *
                                       width * acc);
}

/* Tiles per block: as many tiles as fill half of L2 (8 with 512 KiB, as
 * tuned), counting accumulators narrower than 8 bytes at their own size,
 * so that a block holds a tile for every lane of a float32 kernel's vector
 * (16 with 512 KiB). */
static int block_tiles_for(const pscan_job *job)
{
    const int64_t l2 = job->ctx ? job->ctx->machine.l2_bytes : 0;
    if (l2 <= 0)
        return PSCAN_BLOCK_TILES;
    const int64_t acc = job->acc_size < 8 ? (int64_t)job->acc_size : 8;
    const int64_t tiles = l2 / 2 / (PSCAN_TILE * acc);
    return tiles < 1 ? 1 : tiles > PSCAN_MAX_BLOCK_TILES ? PSCAN_MAX_BLOCK_TILES : (int)tiles;
}

/* Binding and SPANS, once the schedule and team are known. */
static void prepare_placement(const pscan_plan *plan, pscan_job *job)
{
    job->bind = false;
    job->runtime_placed = false;
    job->plan_offset = 0;
    if (job->team < 2 || !job->ctx)
        return;
    const pscan_machine *machine = &job->ctx->machine;
    const pscan_tuning *tuning = &job->ctx->tuning;
    const pscan_placement placement = pscan_context_placement(job->ctx);
    const bool big = plan->total / job->team >= tuning->bind_min_elems_per_thread;
    job->bind = big && pscan_bind_wanted(machine, placement);
    job->runtime_placed = big && pscan_machine_runtime_places(machine);
    if (job->schedule == PSCAN_SCHEDULE_BLOCKS && !job->panel_lagged && lane_count(plan) == 1 &&
        (tuning->force_spans ||
         pscan_chunk_plan_spans_nodes(machine, placement, job->team, job->bind) ||
         job->runtime_placed)) {
        job->schedule = PSCAN_SCHEDULE_SPANS;
        job->descriptor_bytes = pscan_spans_descriptor_bytes(plan, job);
    } else {
        job->runtime_placed = false;
    }
    if (job->bind || job->schedule == PSCAN_SCHEDULE_SPANS) {
        /* the plan, then (runtime placed) each member's PU */
        job->plan_offset = (job->descriptor_bytes + 63) / 64 * 64;
        job->descriptor_bytes = job->plan_offset + (size_t)job->team * sizeof(pscan_chunk) +
                                (job->runtime_placed ? (size_t)job->team * sizeof(int) : 0);
    }
}

/* SPANS under the runtime's placement: each member tells its PU, and the
 * plan follows (a team all on one node runs BLOCKS instead). */
static bool plan_runtime_members(const pscan_job *job, pscan_workspace *ws, int64_t tiles,
                                 pscan_chunk *chunks)
{
    int *member_pu = (int *)(void *)((char *)ws->descriptors + job->plan_offset +
                                     (size_t)job->team * sizeof(pscan_chunk));
    for (int m = 0; m < job->team; m++)
        member_pu[m] = -1;
#pragma omp parallel num_threads(job->team)
    member_pu[omp_get_thread_num()] = pscan_machine_current_pu(&job->ctx->machine);
    return pscan_chunk_plan_members(&job->ctx->machine, tiles, job->team, member_pu, chunks) >= 2;
}

static void prepare_schedule(const pscan_plan *plan, pscan_job *job)
{
    const pscan_kernel *kernel = job->kernel;
    const int64_t acc = (int64_t)job->acc_size;
    /* A strict left-to-right chain cannot be cut between threads. */
    const bool splittable = kernel && (!job->sequential || kernel->order_free);
    job->block_tiles = block_tiles_for(job);
    job->team = 1;
    job->direct = false;
    job->stream = NULL;
    job->stream_kernel = false;
    job->store_stream = NULL;
    job->store_reversed = NULL;
    job->pipelined = false;
    job->panel_lagged = false;
    job->panel_tiled = false;
    job->panel_width = 0;
    job->scratch_per_thread = 0;
    job->descriptor_bytes = 0;

    if (plan->kind == PSCAN_PLAN_EMPTY) {
        job->schedule = PSCAN_SCHEDULE_NONE;
        return;
    }
    if (plan->kind == PSCAN_PLAN_PANEL) {
        prepare_panel(plan, job);
        return;
    }

    const int64_t lanes = lane_count(plan), len = lane_length(plan);
    const int64_t blocks_per_lane = (len + block_len(job) - 1) / block_len(job);
    job->direct = kernel && job->same_types && plan->scan.in_stride == acc &&
                  plan->scan.out_stride == acc &&
                  (plan->kind == PSCAN_PLAN_LANES || plan->outer_count == 1);
    const bool streams = job->direct && plan->in_base != plan->out_base &&
                         plan->total * acc >= pscan_context_tuning(job->ctx)->stream_min_bytes;
    /* Order-free vector kernels stream their own stores, so reads and
     * writes overlap as in memcpy; the others scan into the buffer and
     * stream it out. */
    job->stream_kernel = streams && kernel->order_free && kernel->scan_stream;
    job->stream = streams && !job->stream_kernel ? pscan_kernel_stream_copy() : NULL;
    /* A converting or NaN-skipping load still scans in the buffer; when
     * storing is a copy to a contiguous run, it streams out likewise (a
     * plain store would read every line of out first). */
    const bool one_run_per_lane = plan->kind == PSCAN_PLAN_LANES || plan->outer_count == 1;
    const bool out_reversed = plan->scan.out_stride == -acc;
    const bool out_runs = (plan->scan.out_stride == acc || out_reversed) && one_run_per_lane;
    job->store_stream =
        kernel && !job->direct && job->stores_acc && out_runs && plan->in_base != plan->out_base &&
                plan->total * acc >= pscan_context_tuning(job->ctx)->stream_min_bytes
            ? pscan_kernel_stream_copy()
            : NULL;
    job->store_reversed =
        job->store_stream && out_reversed ? pscan_kernel_stream_copy_reversed() : NULL;
    job->scratch_per_thread = job->direct && !job->stream ? 0 : (size_t)(block_len(job) * acc);
    /* Few lanes for the team: cut them into blocks. */
    if (splittable && blocks_per_lane > 1 && lanes < 4 * (int64_t)job->threads) {
        int team = threads_for(job, plan->total, blocks_per_lane * lanes);
        /* Streamed float tiles: even one thread takes the pipeline, whose
         * reduce reads the next block into L2 in order. */
        const bool tiles_pipeline = job->direct && job->stream && !job->sequential &&
                                    !kernel->order_free && kernel->scan_tiles_reduce;
        if (team > 1 || tiles_pipeline) {
            job->schedule = PSCAN_SCHEDULE_BLOCKS;
            job->team = team;
            /* A pipelined thread holds two blocks in L2 at once. */
            job->pipelined = (job->stream_kernel && kernel->scan_stream_reduce) || tiles_pipeline;
            if (job->pipelined && job->block_tiles > 1)
                job->block_tiles /= 2;
            job->descriptor_bytes = pscan_blocks_descriptor_bytes(plan, job);
            return;
        }
    }
    job->schedule = PSCAN_SCHEDULE_LANES;
    job->team = threads_for(job, plan->total, lanes);
}

void pscan_engine_prepare(const pscan_plan *plan, pscan_job *job)
{
    prepare_schedule(plan, job);
    prepare_placement(plan, job);
}

/* Fill the call's chunk plan: the members' own PUs where the runtime
 * placed them, the input's page runs for SPANS over one forward run, else
 * the context's plan. False when the runtime put the whole team on one
 * node (then BLOCKS runs instead). */
static bool make_team_plan(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                           pscan_chunk *chunks)
{
    const int64_t tiles = (lane_length(plan) + PSCAN_TILE - 1) / PSCAN_TILE;
    if (job->runtime_placed)
        return plan_runtime_members(job, ws, tiles, chunks);
    if (job->schedule == PSCAN_SCHEDULE_SPANS && plan->kind == PSCAN_PLAN_LANES &&
        plan->scan.in_stride > 0)
        pscan_chunk_plan_buffer(&job->ctx->machine, pscan_context_placement(job->ctx),
                                plan->in_base, PSCAN_TILE * plan->scan.in_stride, tiles, job->team,
                                chunks);
    else
        pscan_chunk_plan(&job->ctx->machine, pscan_context_placement(job->ctx), tiles, job->team,
                         chunks);
    return true;
}

/* Each schedule's runner. */
static const pscan_schedule_fn schedule_runs[] = {
    [PSCAN_SCHEDULE_NONE] = NULL,
    [PSCAN_SCHEDULE_LANES] = pscan_run_lanes,
    [PSCAN_SCHEDULE_BLOCKS] = pscan_run_blocks,
    [PSCAN_SCHEDULE_PANEL] = pscan_run_panel,
    [PSCAN_SCHEDULE_SPANS] = pscan_run_spans,
};
_Static_assert(sizeof schedule_runs / sizeof *schedule_runs == PSCAN_SCHEDULE_SPANS + 1,
               "a runner (or NULL) for every schedule");

void pscan_engine_run(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws)
{
    /* What the caller and pscan_engine_prepare promise (engine.h). */
    assert(job->threads >= 1 && job->team >= 1 && job->team <= job->threads);
    assert(job->block_tiles >= 1 && job->block_tiles <= PSCAN_MAX_BLOCK_TILES);
    assert(job->acc_size >= 1 && job->acc_size <= MAX_ACC_SIZE);
    assert(!job->same_types || job->stores_acc);
    assert(!job->direct || (job->kernel && job->same_types));
    assert(!job->stream || job->direct);
    assert(!job->stream_kernel || (job->direct && !job->stream && job->kernel->scan_stream));
    assert(!job->store_stream || (!job->direct && job->stores_acc));
    assert(!job->store_reversed || job->store_stream);
    assert(!job->pipelined ||
           (!job->panel_lagged && job->direct &&
            (job->kernel->order_free ? job->stream_kernel && job->kernel->scan_stream_reduce
                                     : job->stream && job->kernel->scan_tiles_reduce)));
    assert(job->kernel ||
           (job->schedule != PSCAN_SCHEDULE_BLOCKS && job->schedule != PSCAN_SCHEDULE_SPANS));
    assert(!job->panel_lagged ||
           (plan->kind == PSCAN_PLAN_PANEL &&
            (job->schedule == PSCAN_SCHEDULE_PANEL || job->schedule == PSCAN_SCHEDULE_BLOCKS)));
    assert(job->schedule != PSCAN_SCHEDULE_PANEL || job->panel_width >= 1);
    assert(!job->runtime_placed || job->schedule == PSCAN_SCHEDULE_SPANS);
    /* pscan binds only where the runtime does not (bind.c): the BLOCKS
     * fallback below, which has no chunk plan, never binds. */
    assert(!(job->bind && job->runtime_placed));
    assert(!(job->bind || job->schedule == PSCAN_SCHEDULE_SPANS) || job->ctx);
    assert(ws->descriptor_bytes >= job->descriptor_bytes &&
           ws->scratch_bytes >= job->scratch_per_thread * (size_t)job->team);
    pscan_chunk *chunks = NULL; /* the plan of a call that binds or runs SPANS */
    if (job->bind || job->schedule == PSCAN_SCHEDULE_SPANS) {
        chunks = (pscan_chunk *)(void *)((char *)ws->descriptors + job->plan_offset);
        if (!make_team_plan(plan, job, ws, chunks)) {
            pscan_job blocks = *job;
            blocks.schedule = PSCAN_SCHEDULE_BLOCKS;
            pscan_run_blocks(plan, &blocks, ws, NULL);
            return;
        }
    }
    const pscan_schedule_fn run = schedule_runs[job->schedule];
    if (run)
        run(plan, job, ws, chunks);
}
