/* walk.c - the plan's runs as a stream, and one block of a lane: what
 * every schedule reads and writes through. */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

/* ---- Walking the plan's runs ---- */

void pscan_cursor_seek(run_cursor *cursor, const pscan_plan *plan, int64_t run)
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

void pscan_cursor_next_run(run_cursor *cursor)
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

void pscan_cursor_seek_lane(run_cursor *cursor, const pscan_plan *plan, int64_t lane,
                            int64_t element)
{
    if (plan->kind == PSCAN_PLAN_CHAINED) {
        pscan_cursor_seek(cursor, plan, element / plan->scan.len);
        cursor->pos = element % plan->scan.len;
    } else {
        pscan_cursor_seek(cursor, plan, lane);
        cursor->pos = element;
    }
}

/* Move n elements between the run stream and contiguous accumulator
 * values, crossing run boundaries as the stream does. */
void pscan_cursor_transfer(run_cursor *cursor, const pscan_job *job, char *values, int64_t n,
                           transfer_dir dir)
{
    const pscan_plan *plan = cursor->plan;
    const pscan_walk_dim *run = &plan->scan;
    while (n > 0) {
        if (cursor->pos == run->len)
            pscan_cursor_next_run(cursor);
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

/* ---- One block of a lane ---- */

void pscan_block_open(const pscan_plan *plan, const pscan_job *job, char *buffer, int64_t lane,
                      int64_t start, int64_t n, block_view *view)
{
    view->n = n;
    view->out_written = false;
    pscan_cursor_seek_lane(&view->start, plan, lane, start);
    if (job->direct) {
        view->src = plan->in_base + view->start.in_offset + view->start.pos * plan->scan.in_stride;
        view->dst =
            plan->out_base + view->start.out_offset + view->start.pos * plan->scan.out_stride;
        if (job->stream) {
            view->out = view->dst;
            view->dst = buffer;
        }
    } else {
        run_cursor cursor = view->start;
        pscan_cursor_transfer(&cursor, job, buffer, n, LOAD_VALUES);
        view->src = view->dst = buffer;
    }
}

void pscan_block_close(const pscan_plan *plan, const pscan_job *job, block_view *view)
{
    if (job->stream) {
        if (!view->out_written)
            job->stream(view->out, view->dst, (size_t)view->n * job->acc_size);
    } else if (job->store_stream)
        job->store_stream(plan->out_base + view->start.out_offset +
                              view->start.pos * plan->scan.out_stride,
                          view->dst, (size_t)view->n * job->acc_size);
    else if (!job->direct)
        pscan_cursor_transfer(&view->start, job, view->dst, view->n, STORE_VALUES);
}

/* Scan n accumulator values of one lane from a tile boundary, in one
 * pass, as every schedule does (tiles, or strictly left to right when the
 * job is sequential or the kernel order-free). carry: the lane's prefix
 * before them, or NULL at the lane's start. */
void pscan_scan_values(const pscan_job *job, const char *src, char *dst, int64_t n,
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
int pscan_reduce_block(const pscan_job *job, const char *src, int64_t n, char *totals)
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
