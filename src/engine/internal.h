/* engine/internal.h - what the engine's files share (private to
 * src/engine/): the walk over a plan's runs, block views, the team's entry
 * and exit, and each schedule's entry point, which driver.c picks. */
#ifndef PSCAN_ENGINE_INTERNAL_H
#define PSCAN_ENGINE_INTERNAL_H

#include "../bind.h"
#include "../chunk_plan.h"
#include "../context.h"
#include "../dtype_list.h"
#include "../engine.h"
#include "../spin.h"

#include <stdatomic.h>
#include <string.h>

/* Lanes per PANEL strip; three rows of the widest accumulator stay within
 * 24 KiB. Strips narrow (to MIN_PANEL_WIDTH) until every thread has one. */
enum { PANEL_CHUNK = 512, MIN_PANEL_WIDTH = 16 };
/* Direct strips hold at most one row in the buffer (64 KiB of int64),
 * tiled ones two (the chain and the prefix, 128 KiB of float64, in L2):
 * wider strips read longer contiguous pieces of every row. */
enum { DIRECT_PANEL_CHUNK = 8192 };
/* Rows up to this size (64 int64) are scanned as one lagged sequence; a
 * row block's descriptor then holds at most two such rows. */
enum { NARROW_ROW_BYTES = 512 };
/* Order-free panels with rows up to this size lying back to back, and
 * fewer panels than threads, run as row blocks too (whole rows, each
 * thread reading and writing memory in order): two rows per thread stay in
 * its buffer (the running row and the carry). */
enum { WIDE_ROW_BYTES = 64 * 1024 };
/* The widest accumulator value: a compensated complex sum's two pairs.
 * Carries and block descriptors hold any accumulator in this many bytes. */
enum { MAX_ACC_SIZE = 32 };
_Static_assert(MAX_ACC_SIZE >= PSCAN_COMPLEX_PAIR_BYTES && MAX_ACC_SIZE >= PSCAN_PAIR_BYTES &&
                   MAX_ACC_SIZE >= sizeof(pscan_c128),
               "MAX_ACC_SIZE holds every accumulator: complex128 and compensated pairs");

static inline int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* A lane is one run (LANES) or the whole stream of runs (CHAINED). */
static inline int64_t lane_count(const pscan_plan *plan)
{
    return plan->kind == PSCAN_PLAN_CHAINED ? 1 : plan->outer_count;
}

/* Elements per block: job->block_tiles whole tiles. */
static inline int64_t block_len(const pscan_job *job)
{
    return (int64_t)job->block_tiles * PSCAN_TILE;
}

static inline int64_t lane_length(const pscan_plan *plan)
{
    return plan->kind == PSCAN_PLAN_CHAINED ? plan->total : plan->scan.len;
}

/* Split `units` work items over the team; item i of member m is
 * first + i, with contiguous ranges so neighbours share cache lines. */
static inline void split_range(int64_t units, int team, int member, int64_t *first, int64_t *count)
{
    int64_t base = units / team, extra = units % team;
    *first = member * base + min64(member, extra);
    *count = base + (member < extra ? 1 : 0);
}

/* `rows` rows of `width` lanes: out row r = running op in row r, the
 * running row (in `running`, starting from `carry`, or the first row when
 * NULL) kept in the thread's buffer and each result row streamed out by
 * job->stream, so out is never read back. Leaves the last row in
 * `running`. */
void pscan_stream_rows(const pscan_job *job, const char *in_row, int64_t in_stride, char *out_row,
                       int64_t out_stride, int64_t rows, int64_t width, const char *carry,
                       char *running);

/* Streamed stores are weakly ordered: each thread fences its own before
 * the team's closing barrier makes its work visible to the caller. */
static inline void finish_streaming(const pscan_job *job)
{
    if (job->stream || job->stream_kernel || job->store_stream)
        pscan_stream_fence();
}

/* Position in the stream of runs the plan's outer odometer produces. */
typedef struct run_cursor {
    const pscan_plan *plan;
    int64_t index[PSCAN_MAX_DIMS];
    int64_t in_offset; /* byte offset of the current run's first element */
    int64_t out_offset;
    int64_t pos; /* elements of the current run already passed */
} run_cursor;

typedef enum { LOAD_VALUES, STORE_VALUES } transfer_dir;

/* The accumulator values a kernel reads and writes for elements
 * [start, start + n) of a lane: in and out themselves (direct), or the
 * thread's buffer, loaded on open and stored on close (or, streaming,
 * only written back on close). */
typedef struct block_view {
    const char *src;
    char *dst;
    char *out;        /* streaming (job->stream or store_stream): where dst
                         goes on close */
    bool out_written; /* streaming: the kernel already wrote out */
    run_cursor start;
    int64_t n;
} block_view;

/* ---- The plan's runs as a stream, and one block of a lane ----
 *
 * Inline: every schedule walks through these on every call, and a small
 * call's time is mostly theirs. */
/* ---- Walking the plan's runs ---- */

static inline void pscan_cursor_seek(run_cursor *cursor, const pscan_plan *plan, int64_t run)
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

static inline void pscan_cursor_next_run(run_cursor *cursor)
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

static inline void pscan_cursor_seek_lane(run_cursor *cursor, const pscan_plan *plan, int64_t lane,
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
static inline void pscan_cursor_transfer(run_cursor *cursor, const pscan_job *job, char *values,
                                         int64_t n, transfer_dir dir)
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

static inline void pscan_block_open(const pscan_plan *plan, const pscan_job *job, char *buffer,
                                    int64_t lane, int64_t start, int64_t n, block_view *view)
{
    view->n = n;
    view->out_written = false;
    view->out = NULL;
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
        if (job->store_stream)
            view->out =
                plan->out_base + view->start.out_offset +
                (view->start.pos + (job->store_reversed ? n - 1 : 0)) * plan->scan.out_stride;
    }
}

static inline void pscan_block_close(const pscan_job *job, block_view *view)
{
    if (view->out_written)
        return;
    if (job->store_reversed)
        job->store_reversed(view->out, view->dst, (size_t)view->n, job->acc_size);
    else if (job->stream || job->store_stream)
        (job->stream ? job->stream : job->store_stream)(view->out, view->dst,
                                                        (size_t)view->n * job->acc_size);
    else if (!job->direct)
        pscan_cursor_transfer(&view->start, job, view->dst, view->n, STORE_VALUES);
}

/* Scan n accumulator values of one lane from a tile boundary, in one
 * pass, as every schedule does (tiles, or strictly left to right when the
 * job is sequential or the kernel order-free). carry: the lane's prefix
 * before them, or NULL at the lane's start. */
static inline void pscan_scan_values(const pscan_job *job, const char *src, char *dst, int64_t n,
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
static inline int pscan_reduce_block(const pscan_job *job, const char *src, int64_t n, char *totals)
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

/* ---- team.c: where a schedule's team runs ---- */

/* Bind team member `member` to its PU for the call (undone by
 * pscan_team_leave). */
void *pscan_team_enter(const pscan_job *job, const pscan_chunk *chunks, int member);
void pscan_team_leave(const pscan_job *job, void *saved);

/* ---- The schedules (driver.c picks one per job) ---- */

/* chunks: the plan's chunks when the job binds or runs SPANS, else NULL. */
typedef void (*pscan_schedule_fn)(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                                  const pscan_chunk *chunks);
void pscan_run_lanes(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                     const pscan_chunk *chunks);
/* BLOCKS and SPANS: the same blocks and descriptors (blocks.h). */
void pscan_run_blocks(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                      const pscan_chunk *chunks);
void pscan_run_spans(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                     const pscan_chunk *chunks);
void pscan_run_panel(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                     const pscan_chunk *chunks);

/* Row blocks of a narrow panel hold this many rows (about one block of
 * elements). */
int64_t pscan_panel_block_rows(const pscan_plan *plan);
/* Descriptor bytes a BLOCKS or SPANS run of `plan` needs. */
size_t pscan_blocks_descriptor_bytes(const pscan_plan *plan, const pscan_job *job);
size_t pscan_spans_descriptor_bytes(const pscan_plan *plan, const pscan_job *job);

#endif
