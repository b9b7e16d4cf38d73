/* engine/blocks.h - what BLOCKS (blocks.c) and SPANS (spans.c) share
 * (private to src/engine/): block descriptors and their states, a run's
 * layout of them, and one block's work, opened, scanned or reduced, and
 * closed. Inline: both schedules call these once or twice per block. */
#ifndef PSCAN_ENGINE_BLOCKS_H
#define PSCAN_ENGINE_BLOCKS_H

#include "internal.h"

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

static inline size_t desc_stride(size_t value_bytes, int aggregates)
{
    size_t bytes = sizeof(block_desc) + value_bytes * (size_t)(1 + aggregates);
    return (bytes + 63) / 64 * 64;
}

/* One team member's part of a run: `buffer` is its scratch, `chunks` the
 * plan the call was given (NULL when it has none). */
typedef void (*blocks_member_fn)(blocks_run *r, const pscan_chunk *chunks, int member,
                                 char *buffer);

/* A run over descriptors laid out as blocks_layout (blocks.c) says for
 * `plan` and `job`, under the workspace's next run number: every member of
 * job's team runs `member_fn`, bound for the call as its plan says, its
 * streaming stores fenced before it leaves. BLOCKS and SPANS both run so. */
void pscan_blocks_team(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                       const pscan_chunk *chunks, blocks_member_fn member_fn);

static inline block_desc *desc_at(const blocks_run *r, int64_t index)
{
    return (block_desc *)(void *)(r->descs + (size_t)index * r->desc_stride);
}

static inline unsigned char *aggregate_at(const blocks_run *r, block_desc *desc, int a)
{
    return desc->values + r->value_bytes + (size_t)a * (size_t)r->width * r->job->acc_size;
}

/* The state this run has published for `desc`, 0 if none yet. */
static inline int published(block_desc *desc, uint64_t run)
{
    uint64_t state = atomic_load_explicit(&desc->state, memory_order_acquire);
    return state >> STATE_BITS == run ? (int)(state & ((1u << STATE_BITS) - 1)) : 0;
}

static inline int wait_published(block_desc *desc, uint64_t run)
{
    for (unsigned spins = 0;; spins++) {
        int state = published(desc, run);
        if (state)
            return state;
        pscan_spin_step(spins);
    }
}

static inline void publish(block_desc *desc, uint64_t run, int state)
{
    atomic_store_explicit(&desc->state, run << STATE_BITS | (uint64_t)state, memory_order_release);
}

/* Where a block's values are: a lane's elements [start, start + n), or a
 * narrow panel's rows [start, start + n) of outer block `lane`. */
typedef struct block_work {
    block_view view; /* lanes */
    const char *src; /* panel rows: in and out directly */
    char *dst;
    char *running;  /* panel rows streamed out: the running row */
    int64_t values; /* panel: rows * width */
} block_work;

static inline void work_open(const blocks_run *r, char *buffer, int64_t lane, int64_t start,
                             int64_t n, block_work *work)
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
    work->running = buffer;
}

/* totals: the block's tile totals when work_reduce gave them (NULL if
 * not): a tile-lanes kernel then scans and folds in one pass, streaming
 * straight to out where the job streams. A block loaded into the buffer
 * gets its totals there (a read of L2) and takes the same path, instead of
 * scanning, folding and copying the buffer. Returns where the block's last
 * accumulator (a panel's last row) now is. */
static inline const char *work_scan(const blocks_run *r, block_work *work, const char *carry,
                                    const char *totals)
{
    const pscan_job *job = r->job;
    const pscan_kernel *kernel = job->kernel;
    const int64_t last = (work->values - r->width) * (int64_t)job->acc_size;
    if (job->panel_lagged) {
        if (job->stream) {
            const int64_t row_bytes = r->width * (int64_t)job->acc_size;
            pscan_stream_rows(job, work->src, row_bytes, work->dst, row_bytes,
                              work->values / r->width, r->width, carry, work->running);
            return work->running;
        }
        kernel->scan_lagged(work->src, work->dst, (size_t)work->values, (size_t)r->width, carry);
        return work->dst + last;
    }
    const bool tiles = kernel->scan_tiles && !job->sequential && !kernel->order_free;
    _Alignas(16) char buffered_totals[PSCAN_MAX_BLOCK_TILES * MAX_ACC_SIZE];
    if (tiles && !totals && !job->direct) {
        pscan_reduce_block(job, work->src, work->values, buffered_totals);
        totals = buffered_totals;
    }
    if (!tiles || !totals) {
        pscan_scan_values(job, work->src, work->dst, work->values, carry);
        return work->dst + last;
    }
    block_view *view = &work->view;
    view->out_written = view->out != NULL && !job->store_reversed;
    char *to = view->out_written ? view->out : work->dst;
    kernel->scan_tiles(work->src, to, (size_t)work->values, carry, totals, view->out_written);
    return to + last;
}

/* The block's aggregates into desc; returns their count. */
static inline int work_reduce(const blocks_run *r, const block_work *work, block_desc *desc)
{
    unsigned char *totals = aggregate_at(r, desc, 0);
    if (!r->job->panel_lagged)
        return pscan_reduce_block(r->job, work->src, work->values, (char *)totals);
    r->job->kernel->reduce_lagged(work->src, (size_t)work->values, (size_t)r->width, totals);
    return 1;
}

static inline void work_close(const blocks_run *r, block_work *work)
{
    if (!r->job->panel_lagged)
        pscan_block_close(r->job, &work->view);
}

#endif
