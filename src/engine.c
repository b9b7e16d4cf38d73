/* engine.c - the two-pass blocked scan: lanes, blocks, carries, threads.
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
 *           whose carries are whole rows.
 *
 * Chained look-back. Every block has a descriptor:
 * a state word (this run's number, then AGGREGATE or PREFIX), the values
 * the block adds to the carry chain, and its inclusive prefix. A thread
 * that finds its predecessor's prefix already published scans its block in
 * one pass from it. Otherwise (and from then on: switching back would make
 * its successors wait) it reduces the block, publishes the aggregate, walks
 * back to the nearest published prefix, chains forward from it, publishes
 * its own prefix and only then scans the block again, now from cache.
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

#include "dtype_list.h"
#include "engine.h"
#include "spin.h"

#include "bind.h"
#include "chunk_plan.h"
#include "context.h"

#include <assert.h>
#include <omp.h>
#include <stdatomic.h>
#include <string.h>

/* Lanes per PANEL strip; three rows of the widest accumulator stay within
 * 24 KiB. Strips narrow (to MIN_PANEL_WIDTH) until every thread has one. */
enum { PANEL_CHUNK = 512, MIN_PANEL_WIDTH = 16 };
/* Direct strips hold at most one row in the buffer (64 KiB of int64):
 * wider strips read longer contiguous pieces of every row. */
enum { DIRECT_PANEL_CHUNK = 8192 };
/* Rows up to this size (64 int64) are scanned as one lagged sequence; a
 * row block's descriptor then holds at most two such rows. */
enum { NARROW_ROW_BYTES = 512 };
/* The widest accumulator value: a compensated complex sum's two pairs.
 * Carries and block descriptors hold any accumulator in this many bytes. */
enum { MAX_ACC_SIZE = 32 };
_Static_assert(MAX_ACC_SIZE >= PSCAN_COMPLEX_PAIR_BYTES && MAX_ACC_SIZE >= PSCAN_PAIR_BYTES &&
                   MAX_ACC_SIZE >= sizeof(pscan_c128),
               "MAX_ACC_SIZE holds every accumulator: complex128 and compensated pairs");

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* ---- Walking the plan's runs ---- */

/* Position in the stream of runs the plan's outer odometer produces. */
typedef struct run_cursor {
    const pscan_plan *plan;
    int64_t index[PSCAN_MAX_DIMS];
    int64_t in_offset;  /* byte offset of the current run's first element */
    int64_t out_offset;
    int64_t pos;        /* elements of the current run already passed */
} run_cursor;

static void cursor_seek(run_cursor *cursor, const pscan_plan *plan, int64_t run)
{
    cursor->plan = plan;
    cursor->in_offset = cursor->out_offset = 0;
    cursor->pos = 0;
    for (int k = plan->outer_ndim - 1; k >= 0; k--) {
        const pscan_walk_dim *dim = &plan->outer[k];
        cursor->index[k] = run % dim->len;
        run /= dim->len;
        cursor->in_offset += cursor->index[k] * dim->in_stride;
        cursor->out_offset += cursor->index[k] * dim->out_stride;
    }
}

static void cursor_next_run(run_cursor *cursor)
{
    const pscan_plan *plan = cursor->plan;
    cursor->pos = 0;
    for (int k = plan->outer_ndim - 1; k >= 0; k--) {
        const pscan_walk_dim *dim = &plan->outer[k];
        if (++cursor->index[k] < dim->len) {
            cursor->in_offset += dim->in_stride;
            cursor->out_offset += dim->out_stride;
            return;
        }
        cursor->index[k] = 0;
        cursor->in_offset -= (dim->len - 1) * dim->in_stride;
        cursor->out_offset -= (dim->len - 1) * dim->out_stride;
    }
}

/* A lane is one run (LANES) or the whole stream of runs (CHAINED). */
static int64_t lane_count(const pscan_plan *plan)
{
    return plan->kind == PSCAN_PLAN_CHAINED ? 1 : plan->outer_count;
}

/* Elements per block: job->block_tiles whole tiles. */
static int64_t block_len(const pscan_job *job)
{
    return (int64_t)job->block_tiles * PSCAN_TILE;
}

static int64_t lane_length(const pscan_plan *plan)
{
    return plan->kind == PSCAN_PLAN_CHAINED ? plan->total : plan->scan.len;
}

static void cursor_seek_lane(run_cursor *cursor, const pscan_plan *plan, int64_t lane,
                             int64_t element)
{
    if (plan->kind == PSCAN_PLAN_CHAINED) {
        cursor_seek(cursor, plan, element / plan->scan.len);
        cursor->pos = element % plan->scan.len;
    } else {
        cursor_seek(cursor, plan, lane);
        cursor->pos = element;
    }
}

typedef enum { LOAD_VALUES, STORE_VALUES } transfer_dir;

/* Move n elements between the run stream and contiguous accumulator
 * values, crossing run boundaries as the stream does. */
static void cursor_transfer(run_cursor *cursor, const pscan_job *job, char *values, int64_t n,
                            transfer_dir dir)
{
    const pscan_plan *plan = cursor->plan;
    const pscan_walk_dim *run = &plan->scan;
    while (n > 0) {
        if (cursor->pos == run->len)
            cursor_next_run(cursor);
        int64_t piece = min64(run->len - cursor->pos, n);
        if (dir == LOAD_VALUES)
            job->load(plan->in_base + cursor->in_offset + cursor->pos * run->in_stride,
                      run->in_stride, values, (ptrdiff_t)job->acc_size, (size_t)piece);
        else
            job->store(values, (ptrdiff_t)job->acc_size,
                       plan->out_base + cursor->out_offset + cursor->pos * run->out_stride,
                       run->out_stride, (size_t)piece);
        cursor->pos += piece;
        values += piece * (int64_t)job->acc_size;
        n -= piece;
    }
}

/* Streamed stores are weakly ordered: each thread fences its own before
 * the team's closing barrier makes its work visible to the caller. */
static void finish_streaming(const pscan_job *job)
{
    if (job->stream || job->stream_kernel || job->store_stream)
        pscan_stream_fence();
}

/* ---- One block of a lane ---- */

/* The accumulator values a kernel reads and writes for elements
 * [start, start + n) of a lane: in and out themselves (direct), or the
 * thread's buffer, loaded on open and stored on close (or, streaming,
 * only written back on close). */
typedef struct block_view {
    const char *src;
    char *dst;
    char *out; /* streaming: where dst goes on close */
    bool out_written; /* streaming: the kernel already wrote out */
    run_cursor start;
    int64_t n;
} block_view;

static void block_open(const pscan_plan *plan, const pscan_job *job, char *buffer, int64_t lane,
                       int64_t start, int64_t n, block_view *view)
{
    view->n = n;
    view->out_written = false;
    cursor_seek_lane(&view->start, plan, lane, start);
    if (job->direct) {
        view->src = plan->in_base + view->start.in_offset + view->start.pos * plan->scan.in_stride;
        view->dst = plan->out_base + view->start.out_offset + view->start.pos * plan->scan.out_stride;
        if (job->stream) {
            view->out = view->dst;
            view->dst = buffer;
        }
    } else {
        run_cursor cursor = view->start;
        cursor_transfer(&cursor, job, buffer, n, LOAD_VALUES);
        view->src = view->dst = buffer;
    }
}

static void block_close(const pscan_plan *plan, const pscan_job *job, block_view *view)
{
    if (job->stream) {
        if (!view->out_written)
            job->stream(view->out, view->dst, (size_t)view->n * job->acc_size);
    }
    else if (job->store_stream)
        job->store_stream(plan->out_base + view->start.out_offset + view->start.pos * plan->scan.out_stride,
                          view->dst, (size_t)view->n * job->acc_size);
    else if (!job->direct)
        cursor_transfer(&view->start, job, view->dst, view->n, STORE_VALUES);
}

/* Scan n accumulator values of one lane from a tile boundary, in one
 * pass, as every schedule does (tiles, or strictly left to right when the
 * job is sequential or the kernel order-free). carry: the lane's prefix
 * before them, or NULL at the lane's start. */
static void scan_values(const pscan_job *job, const char *src, char *dst, int64_t n,
                        const char *carry)
{
    const pscan_kernel *kernel = job->kernel;
    const int64_t acc = (int64_t)job->acc_size;
    if (!kernel)
        return;
    if (job->sequential || kernel->order_free) {
        (job->stream_kernel ? kernel->scan_stream : kernel->scan)(src, dst, (size_t)n, carry);
        return;
    }
    const int64_t full = n / PSCAN_TILE, rest = n % PSCAN_TILE;
    kernel->scan_segments(src, dst, PSCAN_TILE, (size_t)full);
    if (rest)
        kernel->scan_segments(src + full * PSCAN_TILE * acc, dst + full * PSCAN_TILE * acc,
                              (size_t)rest, 1);
    const char *prefix = carry;
    for (int64_t first = 0; first < n; first += PSCAN_TILE) {
        char *tile = dst + first * acc;
        int64_t len = min64(PSCAN_TILE, n - first);
        if (prefix)
            kernel->fold(tile, (size_t)len, prefix);
        prefix = tile + (len - 1) * acc;
    }
}

/* The values a block adds to the carry chain, in order: its tiles' totals,
 * or the block's total when the op is order-free. Returns their count. */
static int reduce_block(const pscan_job *job, const char *src, int64_t n, char *totals)
{
    const pscan_kernel *kernel = job->kernel;
    if (kernel->order_free) {
        kernel->reduce_segments(src, (size_t)n, 1, totals);
        return 1;
    }
    const int64_t full = n / PSCAN_TILE, rest = n % PSCAN_TILE;
    kernel->reduce_segments(src, PSCAN_TILE, (size_t)full, totals);
    if (rest)
        kernel->reduce_segments(src + full * PSCAN_TILE * (int64_t)job->acc_size, (size_t)rest, 1,
                                totals + full * (int64_t)job->acc_size);
    return (int)(full + (rest > 0));
}

/* ---- Where the team runs ---- */

/* Bind team member `member` to its PU for the call (undone by team_leave). */
static void *team_enter(const pscan_job *job, const pscan_chunk *chunks, int member)
{
    return job->bind ? pscan_bind(&job->ctx->machine, chunks[member].pu) : NULL;
}

static void team_leave(const pscan_job *job, void *saved)
{
    if (saved)
        pscan_unbind(&job->ctx->machine, saved);
}

const pscan_chunk *pscan_engine_team_binding(const pscan_context *ctx, int team, int64_t elements,
                                            pscan_chunk *chunks)
{
    if (team < 2 || !ctx || elements / team < ctx->tuning.bind_min_elems_per_thread)
        return NULL;
    const pscan_placement placement = pscan_context_placement(ctx);
    if (!pscan_bind_wanted(&ctx->machine, placement))
        return NULL;
    pscan_chunk_plan(&ctx->machine, placement, team, team, chunks);
    return chunks;
}

void pscan_engine_team(const pscan_context *ctx, int team, const pscan_chunk *bind_to,
                       pscan_team_fn body, void *arg)
{
#pragma omp parallel num_threads(team) if (team > 1)
    {
        const int member = omp_get_thread_num();
        void *saved = bind_to ? pscan_bind(&ctx->machine, bind_to[member].pu) : NULL;
        body(arg, member, omp_get_num_threads());
        pscan_stream_fence();
        if (saved)
            pscan_unbind(&ctx->machine, saved);
    }
}

/* ---- LANES: whole lanes per thread ---- */

static void scan_lane(const pscan_plan *plan, const pscan_job *job, char *buffer, int64_t lane)
{
    const int64_t len = lane_length(plan), acc = (int64_t)job->acc_size;
    _Alignas(16) char carry[MAX_ACC_SIZE];
    const char *lane_carry = job->carry ? job->carry + lane * acc : NULL;
    for (int64_t start = 0; start < len; start += block_len(job)) {
        block_view view;
        int64_t n = min64(block_len(job), len - start);
        block_open(plan, job, buffer, lane, start, n, &view);
        scan_values(job, view.src, view.dst, n, start > 0 ? carry : lane_carry);
        memcpy(carry, view.dst + (n - 1) * acc, (size_t)acc);
        block_close(plan, job, &view);
    }
    if (job->state_out && len > 0)
        memcpy(job->state_out + lane * acc, carry, (size_t)acc);
}

/* Lanes of at most one tile, many per kernel call: straight from in to out
 * when the lanes lie back to back, lane by lane when they are apart but
 * need no conversion, else through the buffer, which the cursor fills
 * across lane boundaries. */
static void scan_short_lanes(const pscan_plan *plan, const pscan_job *job, char *buffer,
                             int64_t first, int64_t count)
{
    const int64_t len = plan->scan.len, acc = (int64_t)job->acc_size;
    const pscan_kernel *kernel = job->kernel;
    const int64_t per_load = block_len(job) / len;
    if (job->direct && plan->outer_ndim == 1 && plan->outer[0].in_stride == len * acc &&
        plan->outer[0].out_stride == len * acc) {
        const char *src = plan->in_base + first * len * acc;
        char *out = plan->out_base + first * len * acc;
        if (!job->stream) {
            kernel->scan_segments(src, out, (size_t)len, (size_t)count);
            return;
        }
        for (int64_t done = 0; done < count; done += per_load) {
            int64_t lanes = min64(per_load, count - done);
            kernel->scan_segments(src + done * len * acc, buffer, (size_t)len, (size_t)lanes);
            job->stream(out + done * len * acc, buffer, (size_t)(lanes * len * acc));
        }
        return;
    }
    run_cursor cursor;
    cursor_seek(&cursor, plan, first);
    if (job->direct && !job->stream) { /* no buffer: lane by lane in place */
        for (int64_t lane = 0; lane < count; lane++) {
            if (lane > 0)
                cursor_next_run(&cursor);
            kernel->scan_segments(plan->in_base + cursor.in_offset,
                                  plan->out_base + cursor.out_offset, (size_t)len, 1);
        }
        return;
    }
    for (int64_t done = 0; done < count;) {
        int64_t lanes = min64(per_load, count - done);
        run_cursor start = cursor;
        cursor_transfer(&cursor, job, buffer, lanes * len, LOAD_VALUES);
        if (kernel)
            kernel->scan_segments(buffer, buffer, (size_t)len, (size_t)lanes);
        cursor_transfer(&start, job, buffer, lanes * len, STORE_VALUES);
        done += lanes;
    }
}

static void scan_lane_range(const pscan_plan *plan, const pscan_job *job, char *buffer,
                            int64_t first, int64_t count)
{
    if (plan->kind == PSCAN_PLAN_LANES && plan->scan.len <= PSCAN_TILE && count > 1 &&
        !job->carry && !job->state_out) {
        scan_short_lanes(plan, job, buffer, first, count);
        return;
    }
    for (int64_t lane = first; lane < first + count; lane++)
        scan_lane(plan, job, buffer, lane);
}

/* Split `units` work items over the team; item i of member m is
 * first + i, with contiguous ranges so neighbours share cache lines. */
static void split_range(int64_t units, int team, int member, int64_t *first, int64_t *count)
{
    int64_t base = units / team, extra = units % team;
    *first = member * base + min64(member, extra);
    *count = base + (member < extra ? 1 : 0);
}

static void run_lanes(const pscan_plan *plan, const pscan_job *job, char *scratch,
                      const pscan_chunk *chunks)
{
    const int64_t lanes = lane_count(plan);
    if (job->team == 1) {
        scan_lane_range(plan, job, scratch, 0, lanes);
        finish_streaming(job);
        return;
    }
#pragma omp parallel num_threads(job->team)
    {
        int64_t first, count;
        int member = omp_get_thread_num();
        void *saved = team_enter(job, chunks, member);
        split_range(lanes, omp_get_num_threads(), member, &first, &count);
        scan_lane_range(plan, job, scratch + (size_t)member * job->scratch_per_thread, first,
                        count);
        finish_streaming(job);
        team_leave(job, saved);
    }
}

/* ---- BLOCKS: chained look-back ---- */

enum { STATE_AGGREGATE = 1, STATE_PREFIX = 2, STATE_BITS = 2 };
_Static_assert(STATE_AGGREGATE < (1 << STATE_BITS) && STATE_PREFIX < (1 << STATE_BITS),
               "a state fits below the run number in the state word");

/* A block's descriptor: the header, then `values`: the inclusive prefix,
 * then the aggregates, each `value_bytes` long (one accumulator for lanes,
 * a row of them for a narrow panel's row blocks). */
typedef struct block_desc {
    _Atomic uint64_t state; /* run << STATE_BITS | STATE_*; older runs: empty */
    int count;              /* aggregates */
    _Alignas(16) unsigned char values[];
} block_desc;

typedef struct blocks_run {
    const pscan_plan *plan;
    const pscan_job *job;
    char *descs;
    size_t desc_stride, value_bytes;
    int64_t width;          /* accumulators per carry: 1, or a panel's row */
    uint64_t run;
    int64_t lane_len, blocks_per_lane, total_blocks;
    _Atomic int64_t next_block;
} blocks_run;

/* Row blocks of a narrow panel hold this many rows (about one block of
 * elements). */
static int64_t panel_block_rows(const pscan_plan *plan)
{
    int64_t rows = PSCAN_BLOCK / plan->inner.len;
    return rows < 1 ? 1 : rows;
}

static size_t desc_stride(size_t value_bytes, int aggregates)
{
    size_t bytes = sizeof(block_desc) + value_bytes * (size_t)(1 + aggregates);
    return (bytes + 63) / 64 * 64;
}

/* How a BLOCKS run cuts its lanes (or a narrow panel's rows) and lays out
 * its descriptors; prepare and run agree through this one function. */
static void blocks_layout(const pscan_plan *plan, const pscan_job *job, int64_t *width,
                          size_t *value_bytes, size_t *stride, int64_t *lane_len,
                          int64_t *blocks_per_lane, int64_t *total_blocks)
{
    if (job->panel_lagged) {
        const int64_t rows = panel_block_rows(plan);
        *width = plan->inner.len;
        *value_bytes = (size_t)plan->inner.len * job->acc_size;
        *stride = desc_stride(*value_bytes, 1);
        *lane_len = plan->scan.len;
        *blocks_per_lane = (plan->scan.len + rows - 1) / rows;
        *total_blocks = *blocks_per_lane * plan->outer_count;
        return;
    }
    *width = 1;
    *value_bytes = MAX_ACC_SIZE;
    *stride = desc_stride(MAX_ACC_SIZE, job->block_tiles);
    *lane_len = lane_length(plan);
    *blocks_per_lane = (*lane_len + block_len(job) - 1) / block_len(job);
    *total_blocks = *blocks_per_lane * lane_count(plan);
}

static size_t blocks_descriptor_bytes(const pscan_plan *plan, const pscan_job *job)
{
    int64_t width, lane_len, blocks_per_lane, total_blocks;
    size_t value_bytes, stride;
    blocks_layout(plan, job, &width, &value_bytes, &stride, &lane_len, &blocks_per_lane,
                  &total_blocks);
    return stride * (size_t)total_blocks;
}

static block_desc *desc_at(const blocks_run *r, int64_t index)
{
    return (block_desc *)(void *)(r->descs + (size_t)index * r->desc_stride);
}

static unsigned char *aggregate_at(const blocks_run *r, block_desc *desc, int a)
{
    return desc->values + r->value_bytes +
           (size_t)a * (size_t)r->width * r->job->acc_size;
}

/* The state this run has published for `desc`, 0 if none yet. */
static int published(block_desc *desc, uint64_t run)
{
    uint64_t state = atomic_load_explicit(&desc->state, memory_order_acquire);
    return state >> STATE_BITS == run ? (int)(state & ((1u << STATE_BITS) - 1)) : 0;
}

static int wait_published(block_desc *desc, uint64_t run)
{
    for (unsigned spins = 0;; spins++) {
        int state = published(desc, run);
        if (state)
            return state;
        pscan_spin_step(spins);
    }
}

static void publish(block_desc *desc, uint64_t run, int state)
{
    atomic_store_explicit(&desc->state, run << STATE_BITS | (uint64_t)state, memory_order_release);
}

/* The lane's prefix before block `index`: walk back to the nearest
 * published prefix, then chain the aggregates forward from it. */
static void look_back(const blocks_run *r, int64_t index, char *carry)
{
    int64_t from = index - 1;
    while (wait_published(desc_at(r, from), r->run) != STATE_PREFIX)
        from--;
    memcpy(carry, desc_at(r, from)->values, r->value_bytes);
    for (int64_t k = from + 1; k < index; k++) {
        block_desc *desc = desc_at(r, k);
        for (int a = 0; a < desc->count; a++)
            r->job->kernel->combine(carry, aggregate_at(r, desc, a), carry, (size_t)r->width);
    }
}

/* Where a block's values are: a lane's elements [start, start + n), or a
 * narrow panel's rows [start, start + n) of outer block `lane`. */
typedef struct block_work {
    block_view view;     /* lanes */
    const char *src;     /* panel rows: in and out directly */
    char *dst;
    int64_t values;      /* panel: rows * width */
} block_work;

static void work_open(const blocks_run *r, char *buffer, int64_t lane, int64_t start, int64_t n,
                      block_work *work)
{
    const pscan_plan *plan = r->plan;
    if (!r->job->panel_lagged) {
        block_open(plan, r->job, buffer, lane, start, n, &work->view);
        work->src = work->view.src;
        work->dst = work->view.dst;
        work->values = n;
        return;
    }
    run_cursor cursor;
    cursor_seek(&cursor, plan, lane);
    work->src = plan->in_base + cursor.in_offset + start * plan->scan.in_stride;
    work->dst = plan->out_base + cursor.out_offset + start * plan->scan.out_stride;
    work->values = n * r->width;
}

/* totals: the block's tile totals when work_reduce gave them (NULL if
 * not): a tile-lanes kernel then scans and folds in one pass, streaming
 * straight to out where the job streams. */
static void work_scan(const blocks_run *r, block_work *work, const char *carry, const char *totals)
{
    const pscan_job *job = r->job;
    const pscan_kernel *kernel = job->kernel;
    if (job->panel_lagged) {
        kernel->scan_lagged(work->src, work->dst, (size_t)work->values, (size_t)r->width, carry);
    } else if (totals && kernel->scan_tiles && !job->sequential && !kernel->order_free) {
        block_view *view = &work->view;
        view->out_written = job->stream != NULL;
        kernel->scan_tiles(work->src, view->out_written ? view->out : work->dst,
                           (size_t)work->values, carry, totals, view->out_written);
    } else {
        scan_values(job, work->src, work->dst, work->values, carry);
    }
}

/* The block's aggregates into desc; returns their count. */
static int work_reduce(const blocks_run *r, const block_work *work, block_desc *desc)
{
    unsigned char *totals = aggregate_at(r, desc, 0);
    if (!r->job->panel_lagged)
        return reduce_block(r->job, work->src, work->values, (char *)totals);
    r->job->kernel->reduce_lagged(work->src, (size_t)work->values, (size_t)r->width, totals);
    return 1;
}

static void work_close(const blocks_run *r, block_work *work)
{
    if (!r->job->panel_lagged)
        block_close(r->plan, r->job, &work->view);
}

static void blocks_worker(blocks_run *r, char *buffer)
{
    const pscan_job *job = r->job;
    const size_t acc = job->acc_size, carry_bytes = (size_t)r->width * acc;
    const int64_t step = job->panel_lagged ? panel_block_rows(r->plan) : block_len(job);
    bool two_pass = false;
    _Alignas(16) char carry[NARROW_ROW_BYTES];
    for (;;) {
        int64_t index = atomic_fetch_add_explicit(&r->next_block, 1, memory_order_relaxed);
        if (index >= r->total_blocks)
            return;
        const int64_t lane = index / r->blocks_per_lane;
        const int64_t start = index % r->blocks_per_lane * step;
        const int64_t n = min64(step, r->lane_len - start);
        block_desc *desc = desc_at(r, index), *previous = start > 0 ? desc_at(r, index - 1) : NULL;
        const char *lane_carry = job->carry ? job->carry + lane * (int64_t)carry_bytes : NULL;
        block_work work;
        work_open(r, buffer, lane, start, n, &work);
        if (!previous || (!two_pass && published(previous, r->run) == STATE_PREFIX)) {
            if (previous)
                memcpy(carry, previous->values, carry_bytes);
            work_scan(r, &work, previous ? carry : lane_carry, NULL);
            memcpy(desc->values, work.dst + (work.values - r->width) * (int64_t)acc, carry_bytes);
            publish(desc, r->run, STATE_PREFIX);
        } else {
            two_pass = true;
            desc->count = work_reduce(r, &work, desc);
            publish(desc, r->run, STATE_AGGREGATE);
            look_back(r, index, carry);
            memcpy(desc->values, carry, carry_bytes);
            for (int a = 0; a < desc->count; a++)
                job->kernel->combine(desc->values, aggregate_at(r, desc, a), desc->values,
                                     (size_t)r->width);
            publish(desc, r->run, STATE_PREFIX);
            work_scan(r, &work, carry, (const char *)aggregate_at(r, desc, 0));
        }
        if (job->state_out && start + n == r->lane_len)
            memcpy(job->state_out + lane * (int64_t)carry_bytes, desc->values, carry_bytes);
        work_close(r, &work);
    }
}

/* ---- SPANS: one lane, chunk by chunk of the topology's plan ---- */

/* Descriptors: one per block of each chunk (chunks start at tile
 * boundaries, so a chunk's blocks are its own), then one per chunk
 * holding the prefix at its end, handed to the next chunk. */
static size_t spans_descriptor_bytes(const pscan_plan *plan, const pscan_job *job)
{
    return blocks_descriptor_bytes(plan, job) +
           desc_stride(MAX_ACC_SIZE, job->block_tiles) * 2 * (size_t)job->team;
}

/* Chunk k's hand-off: the prefix at its end (count 0: none yet). */
static block_desc *handoff_at(const blocks_run *r, int k)
{
    return desc_at(r, r->total_blocks + r->job->team + k);
}

static void spans_worker(const blocks_run *r, const pscan_chunk *chunks, int member, char *buffer)
{
    const pscan_job *job = r->job;
    const size_t acc = job->acc_size;
    int64_t first_desc = 0;
    for (int k = 0; k < member; k++)
        first_desc += (chunks[k].tiles + job->block_tiles - 1) / job->block_tiles;
    const pscan_chunk *chunk = &chunks[member];
    const int64_t blocks = (chunk->tiles + job->block_tiles - 1) / job->block_tiles;
    const int64_t from = chunk->first_tile * PSCAN_TILE;
    const int64_t to = min64(r->lane_len, (chunk->first_tile + chunk->tiles) * PSCAN_TILE);
    block_desc *handoff = handoff_at(r, member);
    block_work work;

    /* Pass 1: the chunk's aggregates, read from its own memory. */
    for (int64_t b = 0; b < blocks; b++) {
        const int64_t start = from + b * block_len(job);
        work_open(r, buffer, 0, start, min64(block_len(job), to - start), &work);
        block_desc *desc = desc_at(r, first_desc + b);
        desc->count = work_reduce(r, &work, desc);
    }

    /* The carry: from the chunk before (count 0: nothing before it yet),
     * chained forward over this chunk's aggregates, handed on. */
    _Alignas(16) char before[MAX_ACC_SIZE], carry[MAX_ACC_SIZE];
    bool has_before = false;
    if (member > 0) {
        block_desc *previous = handoff_at(r, member - 1);
        wait_published(previous, r->run);
        has_before = previous->count > 0;
        memcpy(before, previous->values, acc);
    } else if (job->carry) {
        has_before = true;
        memcpy(before, job->carry, acc);
    }
    bool has_carry = has_before;
    memcpy(carry, before, acc);
    for (int64_t b = 0; b < blocks; b++) {
        block_desc *desc = desc_at(r, first_desc + b);
        for (int a = 0; a < desc->count; a++) {
            if (has_carry)
                job->kernel->combine(carry, aggregate_at(r, desc, a), carry, 1);
            else
                memcpy(carry, aggregate_at(r, desc, a), acc);
            has_carry = true;
        }
        memcpy(desc->values, carry, acc);
    }
    memcpy(handoff->values, carry, acc);
    handoff->count = has_carry;
    publish(handoff, r->run, STATE_PREFIX);
    if (job->state_out && member == job->team - 1 && has_carry)
        memcpy(job->state_out, carry, acc);

    /* Pass 2: scan each block from the prefix before it. */
    for (int64_t b = 0; b < blocks; b++) {
        const int64_t start = from + b * block_len(job);
        const char *block_carry = b > 0 ? (const char *)desc_at(r, first_desc + b - 1)->values
                                        : (has_before ? before : NULL);
        work_open(r, buffer, 0, start, min64(block_len(job), to - start), &work);
        work_scan(r, &work, block_carry, NULL);
        work_close(r, &work);
    }
}

/* BLOCKS and SPANS: the same blocks and descriptors (one lane, for SPANS),
 * claimed in order or taken chunk by chunk. */
static void run_blocks(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                       const pscan_chunk *chunks)
{
    blocks_run r = {
        .plan = plan,
        .job = job,
        .descs = ws->descriptors,
        .run = ++ws->calls,
    };
    blocks_layout(plan, job, &r.width, &r.value_bytes, &r.desc_stride, &r.lane_len,
                  &r.blocks_per_lane, &r.total_blocks);
    atomic_init(&r.next_block, 0);
    char *scratch = ws->scratch;
#pragma omp parallel num_threads(job->team)
    {
        const int member = omp_get_thread_num();
        void *saved = team_enter(job, chunks, member);
        char *buffer = scratch + (size_t)member * job->scratch_per_thread;
        if (job->schedule == PSCAN_SCHEDULE_SPANS) {
            /* Chunk k goes to its planned member (the runtime's placement
             * may order members differently from the lane); a runtime that
             * starts fewer threads gets chunks round robin: each thread
             * takes its chunks in order, so the lowest unfinished chunk
             * can always go on. */
            const int threads = omp_get_num_threads();
            for (int k = 0; k < job->team; k++)
                if (threads == job->team ? chunks[k].thread == member : k % threads == member)
                    spans_worker(&r, chunks, k, buffer);
        } else {
            blocks_worker(&r, buffer);
        }
        finish_streaming(job);
        team_leave(job, saved);
    }
}

/* ---- PANEL: rows of lanes side by side ---- */

/* The carry row of outer block `block` from lane `column` on, or NULL. */
static const char *panel_carry(const pscan_plan *plan, const pscan_job *job, int64_t block,
                               int64_t column)
{
    if (!job->carry)
        return NULL;
    return job->carry + (block * plan->inner.len + column) * (int64_t)job->acc_size;
}

/* The last accumulators of lanes [column, column + width) of outer block
 * `block`, for job->state_out (laid out as the panel's carry). */
static void panel_state(const pscan_plan *plan, const pscan_job *job, int64_t block,
                        int64_t column, int64_t width, const char *last_row)
{
    if (job->state_out && plan->scan.len > 0)
        memcpy(job->state_out + (block * plan->inner.len + column) * (int64_t)job->acc_size,
               last_row, (size_t)width * job->acc_size);
}

/* Direct strip for order-free or sequential jobs of one dtype with
 * contiguous rows: out row r = out row r-1 op in row r, no conversions.
 * Streaming, the running row stays in the thread's buffer and each result
 * row is streamed out (out is then never read back). */
static void scan_panel_direct(const pscan_plan *plan, const pscan_job *job, char *buffer,
                              int64_t block, int64_t column, int64_t width)
{
    run_cursor cursor;
    cursor_seek(&cursor, plan, block);
    const size_t row_bytes = (size_t)width * job->acc_size;
    const char *in_row = plan->in_base + cursor.in_offset + column * plan->inner.in_stride;
    char *out_row = plan->out_base + cursor.out_offset + column * plan->inner.out_stride;
    const char *carry = panel_carry(plan, job, block, column);
    if (job->stream) {
        if (carry)
            job->kernel->combine(carry, in_row, buffer, (size_t)width);
        else
            memcpy(buffer, in_row, row_bytes);
        job->stream(out_row, buffer, row_bytes);
        for (int64_t row = 1; row < plan->scan.len; row++) {
            job->kernel->combine(buffer, in_row + row * plan->scan.in_stride, buffer,
                                 (size_t)width);
            job->stream(out_row + row * plan->scan.out_stride, buffer, row_bytes);
        }
        panel_state(plan, job, block, column, width, buffer);
        return;
    }
    if (carry)
        job->kernel->combine(carry, in_row, out_row, (size_t)width);
    else
        memmove(out_row, in_row, row_bytes);
    for (int64_t row = 1; row < plan->scan.len; row++)
        job->kernel->combine(out_row + (row - 1) * plan->scan.out_stride,
                             in_row + row * plan->scan.in_stride,
                             out_row + row * plan->scan.out_stride, (size_t)width);
    panel_state(plan, job, block, column, width, out_row + (plan->scan.len - 1) * plan->scan.out_stride);
}

/* A narrow panel whose rows lie back to back: one lagged scan down the
 * whole block instead of a combine call per short row. */
static void scan_panel_lagged(const pscan_plan *plan, const pscan_job *job, int64_t block)
{
    run_cursor cursor;
    cursor_seek(&cursor, plan, block);
    job->kernel->scan_lagged(plan->in_base + cursor.in_offset, plan->out_base + cursor.out_offset,
                             (size_t)(plan->scan.len * plan->inner.len), (size_t)plan->inner.len,
                             panel_carry(plan, job, block, 0));
    panel_state(plan, job, block, 0, plan->inner.len,
                plan->out_base + cursor.out_offset + (plan->scan.len - 1) * plan->scan.out_stride);
}

/* Buffered strip: lanes [column, column + width) of outer block `block`;
 * REPRODUCIBLE float sums and products follow the tile chain per lane. */
static void scan_panel_buffered(const pscan_plan *plan, const pscan_job *job, char *scratch,
                                int64_t block, int64_t column, int64_t width)
{
    const size_t acc_size = job->acc_size;
    char *running = scratch, *loaded = running + job->panel_width * (int64_t)acc_size,
         *prefix = loaded + job->panel_width * (int64_t)acc_size;
    const pscan_kernel *kernel = job->kernel;
    run_cursor cursor;
    cursor_seek(&cursor, plan, block);
    const char *in_row = plan->in_base + cursor.in_offset + column * plan->inner.in_stride;
    char *out_row = plan->out_base + cursor.out_offset + column * plan->inner.out_stride;
    const bool tiled = kernel && !job->sequential && !kernel->order_free;
    const int64_t tile_len = tiled ? PSCAN_TILE : plan->scan.len;
    /* A carry is P(-1): tiled, the first tile folds it in like any other
     * prefix; untiled, the running row starts from it. */
    const char *carry = kernel ? panel_carry(plan, job, block, column) : NULL;
    if (carry)
        memcpy(tiled ? prefix : running, carry, (size_t)width * acc_size);

    const char *last = NULL; /* the row of results just stored */
    for (int64_t row = 0; row < plan->scan.len; row++) {
        const int64_t in_step = row * plan->scan.in_stride;
        const int64_t row_in_tile = row % tile_len;
        const bool first_tile = row < tile_len && !(carry && tiled);
        char *result = running;
        if (!kernel || (row_in_tile == 0 && !(row == 0 && carry && !tiled))) {
            job->load(in_row + in_step, plan->inner.in_stride, running, (ptrdiff_t)acc_size,
                      (size_t)width);
        } else {
            job->load(in_row + in_step, plan->inner.in_stride, loaded, (ptrdiff_t)acc_size,
                      (size_t)width);
            kernel->combine(running, loaded, running, (size_t)width);
        }
        if (!first_tile) { /* tiled only: out = P(t-1) op local */
            kernel->combine(prefix, running, loaded, (size_t)width);
            result = loaded;
        }
        job->store(result, (ptrdiff_t)acc_size, out_row + row * plan->scan.out_stride,
                   plan->inner.out_stride, (size_t)width);
        last = result;
        if (row_in_tile == tile_len - 1) { /* P(t) = this tile's last outputs */
            char *spare = prefix;
            prefix = result;
            if (result == running)
                running = spare;
            else
                loaded = spare;
        }
    }
    panel_state(plan, job, block, column, width, last);
}

static void run_panel(const pscan_plan *plan, const pscan_job *job, char *scratch,
                      const pscan_chunk *chunks)
{
    const int64_t width = job->panel_width;
    const int64_t strips = (plan->inner.len + width - 1) / width;
    const int64_t units = plan->outer_count * strips;
#pragma omp parallel num_threads(job->team) if (job->team > 1)
    {
        int64_t first, count;
        int member = omp_get_thread_num();
        void *saved = team_enter(job, chunks, member);
        char *buffer = scratch + (size_t)member * job->scratch_per_thread;
        split_range(units, omp_get_num_threads(), member, &first, &count);
        for (int64_t unit = first; unit < first + count; unit++) {
            int64_t column = (unit % strips) * width;
            int64_t strip_width = min64(width, plan->inner.len - column);
            if (job->panel_lagged)
                scan_panel_lagged(plan, job, unit);
            else if (job->direct)
                scan_panel_direct(plan, job, buffer, unit / strips, column, strip_width);
            else
                scan_panel_buffered(plan, job, buffer, unit / strips, column, strip_width);
        }
        finish_streaming(job);
        team_leave(job, saved);
    }
}

/* ---- Choosing the schedule ---- */

static int threads_for(const pscan_job *job, int64_t total, int64_t units)
{
    const int64_t useful = min64(pscan_useful_threads(pscan_context_tuning(job->ctx), job->threads, total), units);
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
    if (job->direct && row_bytes <= NARROW_ROW_BYTES && plan->scan.in_stride == row_bytes &&
        plan->scan.out_stride == row_bytes) {
        const int64_t rows = panel_block_rows(plan);
        const int64_t row_blocks = (plan->scan.len + rows - 1) / rows;
        const int team = threads_for(job, plan->total, plan->outer_count * row_blocks);
        job->panel_lagged = true;
        job->panel_width = plan->inner.len;
        job->team = threads_for(job, plan->total, plan->outer_count);
        if (kernel->order_free && plan->outer_count < job->threads && row_blocks > 1 &&
            team > 1) {
            job->schedule = PSCAN_SCHEDULE_BLOCKS;
            job->team = team;
            job->descriptor_bytes = blocks_descriptor_bytes(plan, job);
        }
        return;
    }
    int64_t width = job->direct ? DIRECT_PANEL_CHUNK : PANEL_CHUNK;
    while (width > MIN_PANEL_WIDTH &&
           plan->outer_count * ((plan->inner.len + width - 1) / width) < job->threads)
        width /= 2;
    const int64_t units = plan->outer_count * ((plan->inner.len + width - 1) / width);
    job->panel_width = width;
    job->team = threads_for(job, plan->total, units);
    job->stream = job->direct && plan->in_base != plan->out_base &&
                          plan->total * acc >= pscan_context_tuning(job->ctx)->stream_min_bytes
                      ? pscan_kernel_stream_copy()
                      : NULL;
    job->scratch_per_thread = (size_t)((job->direct ? (job->stream ? 1 : 0) : 3) * width * acc);
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
        job->descriptor_bytes = spans_descriptor_bytes(plan, job);
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
    job->panel_lagged = false;
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
    const bool out_runs = plan->scan.out_stride == acc &&
                          (plan->kind == PSCAN_PLAN_LANES || plan->outer_count == 1);
    job->store_stream = kernel && !job->direct && job->stores_acc && out_runs &&
                                plan->in_base != plan->out_base &&
                                plan->total * acc >= pscan_context_tuning(job->ctx)->stream_min_bytes
                            ? pscan_kernel_stream_copy()
                            : NULL;
    job->scratch_per_thread = job->direct && !job->stream ? 0 : (size_t)(block_len(job) * acc);
    /* Few lanes for the team: cut them into blocks. */
    if (splittable && blocks_per_lane > 1 && lanes < 4 * (int64_t)job->threads) {
        int team = threads_for(job, plan->total, blocks_per_lane * lanes);
        if (team > 1) {
            job->schedule = PSCAN_SCHEDULE_BLOCKS;
            job->team = team;
            job->descriptor_bytes = blocks_descriptor_bytes(plan, job);
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
    assert(job->kernel || (job->schedule != PSCAN_SCHEDULE_BLOCKS &&
                           job->schedule != PSCAN_SCHEDULE_SPANS));
    assert(!job->panel_lagged || (plan->kind == PSCAN_PLAN_PANEL &&
                                  (job->schedule == PSCAN_SCHEDULE_PANEL ||
                                   job->schedule == PSCAN_SCHEDULE_BLOCKS)));
    assert(job->schedule != PSCAN_SCHEDULE_PANEL || job->panel_width >= 1);
    assert(!job->runtime_placed || job->schedule == PSCAN_SCHEDULE_SPANS);
    assert(!(job->bind || job->schedule == PSCAN_SCHEDULE_SPANS) || job->ctx);
    assert(ws->descriptor_bytes >= job->descriptor_bytes &&
           ws->scratch_bytes >= job->scratch_per_thread * (size_t)job->team);
    pscan_chunk *chunks = NULL; /* the plan of a call that binds or runs SPANS */
    if (job->bind || job->schedule == PSCAN_SCHEDULE_SPANS) {
        chunks = (pscan_chunk *)(void *)((char *)ws->descriptors + job->plan_offset);
        if (!make_team_plan(plan, job, ws, chunks)) {
            pscan_job blocks = *job;
            blocks.schedule = PSCAN_SCHEDULE_BLOCKS;
            run_blocks(plan, &blocks, ws, NULL);
            return;
        }
    }
    switch (job->schedule) {
    case PSCAN_SCHEDULE_NONE:
        return;
    case PSCAN_SCHEDULE_LANES:
        run_lanes(plan, job, ws->scratch, chunks);
        return;
    case PSCAN_SCHEDULE_BLOCKS:
    case PSCAN_SCHEDULE_SPANS:
        run_blocks(plan, job, ws, chunks);
        return;
    case PSCAN_SCHEDULE_PANEL:
        run_panel(plan, job, ws->scratch, chunks);
        return;
    }
}
