/* blocks.c - BLOCKS: blocks of whole tiles claimed in order, carries
 * handed on by chained look-back; and SPANS, the same blocks and
 * descriptors taken chunk by chunk of the NUMA plan. */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <assert.h>
#include <omp.h>

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
    int64_t width; /* accumulators per carry: 1, or a panel's row */
    uint64_t run;
    int64_t lane_len, blocks_per_lane, total_blocks;
    _Atomic int64_t next_block;
} blocks_run;

/* Row blocks of a narrow panel hold this many rows (about one block of
 * elements). */
int64_t pscan_panel_block_rows(const pscan_plan *plan)
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
        const int64_t rows = pscan_panel_block_rows(plan);
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

size_t pscan_blocks_descriptor_bytes(const pscan_plan *plan, const pscan_job *job)
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
    return desc->values + r->value_bytes + (size_t)a * (size_t)r->width * r->job->acc_size;
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
    block_view view; /* lanes */
    const char *src; /* panel rows: in and out directly */
    char *dst;
    int64_t values; /* panel: rows * width */
} block_work;

static void work_open(const blocks_run *r, char *buffer, int64_t lane, int64_t start, int64_t n,
                      block_work *work)
{
    const pscan_plan *plan = r->plan;
    if (!r->job->panel_lagged) {
        pscan_block_open(plan, r->job, buffer, lane, start, n, &work->view);
        work->src = work->view.src;
        work->dst = work->view.dst;
        work->values = n;
        return;
    }
    run_cursor cursor;
    pscan_cursor_seek(&cursor, plan, lane);
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
        pscan_scan_values(job, work->src, work->dst, work->values, carry);
    }
}

/* The block's aggregates into desc; returns their count. */
static int work_reduce(const blocks_run *r, const block_work *work, block_desc *desc)
{
    unsigned char *totals = aggregate_at(r, desc, 0);
    if (!r->job->panel_lagged)
        return pscan_reduce_block(r->job, work->src, work->values, (char *)totals);
    r->job->kernel->reduce_lagged(work->src, (size_t)work->values, (size_t)r->width, totals);
    return 1;
}

static void work_close(const blocks_run *r, block_work *work)
{
    if (!r->job->panel_lagged)
        pscan_block_close(r->plan, r->job, &work->view);
}

static void blocks_worker(blocks_run *r, char *buffer)
{
    const pscan_job *job = r->job;
    const size_t acc = job->acc_size, carry_bytes = (size_t)r->width * acc;
    const int64_t step = job->panel_lagged ? pscan_panel_block_rows(r->plan) : block_len(job);
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
size_t pscan_spans_descriptor_bytes(const pscan_plan *plan, const pscan_job *job)
{
    return pscan_blocks_descriptor_bytes(plan, job) +
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
void pscan_run_blocks(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
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
        void *saved = pscan_team_enter(job, chunks, member);
        char *buffer = scratch + (size_t)member * job->scratch_per_thread;
        if (job->schedule == PSCAN_SCHEDULE_SPANS) {
            /* Chunk k goes to its planned member (the runtime's placement
             * may order members differently from the lane); a runtime that
             * starts fewer threads gets chunks round robin: each thread
             * takes its chunks in order, so the lowest unfinished chunk
             * can always go on. */
            const int threads = omp_get_num_threads();
            assert(chunks); /* pscan_engine_run plans every SPANS run */
            for (int k = 0; k < job->team; k++)
                if (threads == job->team ? chunks[k].thread == member : k % threads == member)
                    spans_worker(&r, chunks, k, buffer);
        } else {
            blocks_worker(&r, buffer);
        }
        finish_streaming(job);
        pscan_team_leave(job, saved);
    }
}
