/* blocks.c - BLOCKS: blocks of whole tiles claimed in order, carries
 * handed on by chained look-back; and how a run lays out its block
 * descriptors, which SPANS (spans.c) takes chunk by chunk. */
#define _POSIX_C_SOURCE 200809L

#include "blocks.h"

#include <omp.h>

/* Row blocks of a panel hold this many rows (about one block of
 * elements). */
int64_t pscan_panel_block_rows(const pscan_plan *plan)
{
    int64_t rows = PSCAN_BLOCK / plan->inner.len;
    return rows < 1 ? 1 : rows;
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

static void blocks_run_init(blocks_run *r, const pscan_plan *plan, const pscan_job *job,
                            pscan_workspace *ws)
{
    r->plan = plan;
    r->job = job;
    r->descs = ws->descriptors;
    r->run = ++ws->calls;
    blocks_layout(plan, job, &r->width, &r->value_bytes, &r->desc_stride, &r->lane_len,
                  &r->blocks_per_lane, &r->total_blocks);
    atomic_init(&r->next_block, 0);
}

size_t pscan_blocks_descriptor_bytes(const pscan_plan *plan, const pscan_job *job)
{
    int64_t width, lane_len, blocks_per_lane, total_blocks;
    size_t value_bytes, stride;
    blocks_layout(plan, job, &width, &value_bytes, &stride, &lane_len, &blocks_per_lane,
                  &total_blocks);
    return stride * (size_t)total_blocks;
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

/* One claimed block: where it lies and whose prefix it follows. */
typedef struct claimed_block {
    int64_t lane, start, n, index;
    block_desc *desc, *previous; /* previous: NULL for a lane's first block */
    const char *lane_carry;      /* the lane's carry in (job->carry), or NULL */
} claimed_block;

/* Claim the next block, in order; false when none is left. Blocks are
 * `step` elements (rows of a narrow panel) and carries `carry_bytes`. */
static bool claim_block(blocks_run *r, int64_t step, size_t carry_bytes, claimed_block *b)
{
    b->index = atomic_fetch_add_explicit(&r->next_block, 1, memory_order_relaxed);
    if (b->index >= r->total_blocks)
        return false;
    b->lane = b->index / r->blocks_per_lane;
    b->start = b->index % r->blocks_per_lane * step;
    b->n = min64(step, r->lane_len - b->start);
    b->desc = desc_at(r, b->index);
    b->previous = b->start > 0 ? desc_at(r, b->index - 1) : NULL;
    b->lane_carry = r->job->carry ? r->job->carry + b->lane * (int64_t)carry_bytes : NULL;
    return true;
}

/* A block that starts its lane, or whose predecessor's prefix is
 * published: one pass scans it from that prefix and publishes its own. */
static void scan_one_pass(blocks_run *r, const claimed_block *b, block_work *work, char *carry,
                          size_t carry_bytes)
{
    if (b->previous)
        memcpy(carry, b->previous->values, carry_bytes);
    const char *last = work_scan(r, work, b->previous ? carry : b->lane_carry, NULL);
    memcpy(b->desc->values, last, carry_bytes);
    publish(b->desc, r->run, STATE_PREFIX);
}

/* The lane's last prefix, for a caller that keeps the state (streams). */
static void keep_lane_state(const blocks_run *r, const claimed_block *b, size_t carry_bytes)
{
    if (r->job->state_out && b->start + b->n == r->lane_len)
        memcpy(r->job->state_out + b->lane * (int64_t)carry_bytes, b->desc->values, carry_bytes);
}

static void blocks_worker(blocks_run *r, char *buffer)
{
    const pscan_job *job = r->job;
    const size_t carry_bytes = (size_t)r->width * job->acc_size;
    const int64_t step = job->panel_lagged ? pscan_panel_block_rows(r->plan) : block_len(job);
    bool two_pass = false;
    /* A wide row's carry lies in the buffer, after the running row. */
    _Alignas(16) char narrow_carry[NARROW_ROW_BYTES];
    char *carry = carry_bytes <= sizeof narrow_carry ? narrow_carry : buffer + carry_bytes;
    claimed_block b;
    while (claim_block(r, step, carry_bytes, &b)) {
        block_desc *desc = b.desc;
        /* work_open sets what work_close reads; GCC 12 at -O3 cannot see
         * that through the inlined calls, so it starts zeroed. */
        block_work work = {0};
        work_open(r, buffer, b.lane, b.start, b.n, &work);
        if (!b.previous || (!two_pass && published(b.previous, r->run) == STATE_PREFIX)) {
            scan_one_pass(r, &b, &work, carry, carry_bytes);
        } else {
            two_pass = true;
            desc->count = work_reduce(r, &work, desc);
            publish(desc, r->run, STATE_AGGREGATE);
            look_back(r, b.index, carry);
            memcpy(desc->values, carry, carry_bytes);
            for (int a = 0; a < desc->count; a++)
                job->kernel->combine(desc->values, aggregate_at(r, desc, a), desc->values,
                                     (size_t)r->width);
            publish(desc, r->run, STATE_PREFIX);
            work_scan(r, &work, carry, (const char *)aggregate_at(r, desc, 0));
        }
        keep_lane_state(r, &b, carry_bytes);
        work_close(r, &work);
    }
}

/* A pipelined BLOCKS thread (job->pipelined: direct and streamed)
 * scans one-pass blocks as blocks_worker does until it meets a block whose
 * predecessor's prefix is not ready. From then on it holds one block whose
 * prefix it knows: with each block it claims, one kernel call scans the
 * held block from L2 to out while it reduces the new one from memory, so
 * reads and writes overlap as in memcpy instead of alternating. The new
 * block's aggregate is published after that call, its prefix after the
 * look-back, and it becomes the held block. The held block never waits on
 * anything, so the look-back still always ends. */
static void blocks_pipelined_worker(blocks_run *r, char *buffer)
{
    const pscan_job *job = r->job;
    const pscan_kernel *kernel = job->kernel;
    const size_t acc = job->acc_size;
    _Alignas(16) char carry[MAX_ACC_SIZE], held_carry[MAX_ACC_SIZE];
    block_work held = {0};
    block_desc *held_desc = NULL;
    bool holding = false, held_has_carry = false;
    claimed_block b;
    while (claim_block(r, block_len(job), acc, &b)) {
        block_desc *desc = b.desc;
        const int64_t n = b.n;
        block_work work = {0};
        work_open(r, buffer, b.lane, b.start, n, &work);
        /* Tile chains always take the pipeline: scanning a block read
         * from memory tile by tile (lanes of tiles at once) is slower than
         * scanning it from L2 while the next block is read in order. */
        if (!holding && kernel->order_free &&
            (!b.previous || published(b.previous, r->run) == STATE_PREFIX)) {
            scan_one_pass(r, &b, &work, carry, acc);
            keep_lane_state(r, &b, acc);
            work_close(r, &work);
            continue;
        }
        unsigned char *totals = aggregate_at(r, desc, 0);
        const char *carry_in = held_has_carry ? held_carry : NULL;
        if (holding && kernel->order_free) {
            kernel->scan_stream_reduce(held.src, held.dst, (size_t)held.values, carry_in, work.src,
                                       (size_t)n, totals);
            desc->count = 1;
        } else if (holding) {
            kernel->scan_tiles_reduce(held.src, held.view.out, (size_t)held.values, carry_in,
                                      aggregate_at(r, held_desc, 0), work.src, (size_t)n, totals);
            held.view.out_written = true;
            desc->count = (int)((n + PSCAN_TILE - 1) / PSCAN_TILE);
        } else {
            desc->count = pscan_reduce_block(job, work.src, n, (char *)totals);
        }
        if (holding)
            work_close(r, &held);
        /* A lane's first block publishes its prefix alone: a look-back
         * that saw only its aggregate would walk on into the lane before. */
        if (b.previous)
            publish(desc, r->run, STATE_AGGREGATE);
        held_has_carry = b.previous || b.lane_carry;
        if (b.previous)
            look_back(r, b.index, held_carry);
        else if (b.lane_carry)
            memcpy(held_carry, b.lane_carry, acc);
        memcpy(desc->values, held_has_carry ? held_carry : (const char *)totals, acc);
        for (int a = held_has_carry ? 0 : 1; a < desc->count; a++)
            kernel->combine(desc->values, aggregate_at(r, desc, a), desc->values, 1);
        publish(desc, r->run, STATE_PREFIX);
        keep_lane_state(r, &b, acc);
        held = work;
        held_desc = desc;
        holding = true;
    }
    if (holding) {
        work_scan(r, &held, held_has_carry ? held_carry : NULL,
                  (const char *)aggregate_at(r, held_desc, 0));
        work_close(r, &held);
    }
}

void pscan_blocks_team(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                       const pscan_chunk *chunks, blocks_member_fn member_fn)
{
    blocks_run r;
    blocks_run_init(&r, plan, job, ws);
    char *scratch = ws->scratch;
#pragma omp parallel num_threads(job->team)
    {
        const int member = omp_get_thread_num();
        void *saved = pscan_team_enter(job, chunks, member);
        member_fn(&r, chunks, member, scratch + (size_t)member * job->scratch_per_thread);
        finish_streaming(job);
        pscan_team_leave(job, saved);
    }
}

static void blocks_member(blocks_run *r, const pscan_chunk *chunks, int member, char *buffer)
{
    (void)chunks;
    (void)member;
    (r->job->pipelined ? blocks_pipelined_worker : blocks_worker)(r, buffer);
}

void pscan_run_blocks(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                      const pscan_chunk *chunks)
{
    pscan_blocks_team(plan, job, ws, chunks, blocks_member);
}
