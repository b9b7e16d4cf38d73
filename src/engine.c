/* engine.c - walks a plan tile by tile, lanes split across OpenMP threads.
 *
 * Data flows in -> (load: convert to accumulator) -> tile buffer -> kernel
 * -> (store: convert to out) -> out. A tile is loaded whole before any of
 * it is stored, so an in-place scan reads every element before overwriting
 * it. */
#include "engine.h"

#include <omp.h>
#include <string.h>

/* Lanes scanned side by side in PANEL mode per step; three rows of the
 * widest accumulator stay within 24 KiB. */
enum { PANEL_CHUNK = 512 };
/* Fewer elements than this per thread do not pay for waking a thread. */
enum { MIN_ELEMS_PER_THREAD = 1 << 16 };
enum { MAX_ACC_SIZE = 16 };

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

typedef enum { LOAD_TILE, STORE_TILE } transfer_dir;

/* Move n elements between the run stream and a contiguous tile, crossing
 * run boundaries as the stream does (CHAINED plans). */
static void cursor_transfer(run_cursor *cursor, const pscan_job *job, char *tile, int64_t n,
                            transfer_dir dir)
{
    const pscan_plan *plan = cursor->plan;
    const pscan_walk_dim *run = &plan->scan;
    while (n > 0) {
        if (cursor->pos == run->len)
            cursor_next_run(cursor);
        int64_t piece = run->len - cursor->pos;
        if (piece > n)
            piece = n;
        if (dir == LOAD_TILE)
            job->load(plan->in_base + cursor->in_offset + cursor->pos * run->in_stride,
                      run->in_stride, tile, (ptrdiff_t)job->acc_size, (size_t)piece);
        else
            job->store(tile, (ptrdiff_t)job->acc_size,
                       plan->out_base + cursor->out_offset + cursor->pos * run->out_stride,
                       run->out_stride, (size_t)piece);
        cursor->pos += piece;
        tile += piece * (int64_t)job->acc_size;
        n -= piece;
    }
}

/* Scan one loaded tile in place and update the carry it hands on. */
static void scan_tile(const pscan_job *job, char *tile, int64_t n, bool first, char *carry)
{
    const pscan_kernel *kernel = job->kernel;
    if (!kernel)
        return;
    if (job->tiled) {
        kernel->scan(tile, (size_t)n, NULL);
        if (!first)
            kernel->fold(tile, (size_t)n, carry);
    } else {
        kernel->scan(tile, (size_t)n, first ? NULL : carry);
    }
    memcpy(carry, tile + (n - 1) * (int64_t)job->acc_size, job->acc_size);
}

/* Tiles of `length` stream elements starting at the cursor, one carry. */
static void scan_stream(run_cursor *cursor, const pscan_job *job, int64_t length)
{
    _Alignas(64) char tile[PSCAN_TILE * MAX_ACC_SIZE];
    _Alignas(16) char carry[MAX_ACC_SIZE];
    for (int64_t done = 0; done < length; done += PSCAN_TILE) {
        int64_t n = length - done < PSCAN_TILE ? length - done : PSCAN_TILE;
        run_cursor tile_start = *cursor;
        cursor_transfer(cursor, job, tile, n, LOAD_TILE);
        scan_tile(job, tile, n, done == 0, carry);
        cursor_transfer(&tile_start, job, tile, n, STORE_TILE);
    }
}

/* Lanes [first, first + count) of a LANES plan, each its own carry. */
static void scan_lanes(const pscan_plan *plan, const pscan_job *job, int64_t first,
                       int64_t count)
{
    run_cursor cursor;
    cursor_seek(&cursor, plan, first);
    for (int64_t lane = 0; lane < count; lane++) {
        if (lane > 0)
            cursor_next_run(&cursor);
        scan_stream(&cursor, job, plan->scan.len);
    }
}

/* One PANEL unit: lanes [column, column + width) of outer block `block`,
 * advanced a row at a time with vector combines. */
static void scan_panel_unit(const pscan_plan *plan, const pscan_job *job, int64_t block,
                            int64_t column, int64_t width)
{
    _Alignas(64) char rows[3][PANEL_CHUNK * MAX_ACC_SIZE];
    char *running = rows[0], *loaded = rows[1], *prefix = rows[2];
    const pscan_kernel *kernel = job->kernel;
    const size_t acc_size = job->acc_size;
    run_cursor cursor;
    cursor_seek(&cursor, plan, block);
    const char *in_row = plan->in_base + cursor.in_offset + column * plan->inner.in_stride;
    char *out_row = plan->out_base + cursor.out_offset + column * plan->inner.out_stride;
    const int64_t tile_len = job->tiled ? PSCAN_TILE : plan->scan.len;

    for (int64_t row = 0; row < plan->scan.len; row++) {
        const int64_t in_step = row * plan->scan.in_stride;
        const int64_t row_in_tile = row % tile_len;
        const bool first_tile = row < tile_len;
        char *result = running;
        if (row_in_tile == 0) {
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
        if (row_in_tile == tile_len - 1) { /* P(t) = this tile's last outputs */
            char *spare = prefix;
            prefix = result;
            if (result == running)
                running = spare;
            else
                loaded = spare;
        }
    }
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int threads_for(const pscan_job *job, int64_t total, int64_t units)
{
    int64_t useful = total / MIN_ELEMS_PER_THREAD;
    useful = min64(useful, units);
    useful = min64(useful, job->threads);
    return useful < 1 ? 1 : (int)useful;
}

/* Split `units` work items over the team; item i of thread t is
 * first + i, with contiguous ranges so neighbours share cache lines. */
static void split_range(int64_t units, int team, int member, int64_t *first, int64_t *count)
{
    int64_t base = units / team, extra = units % team;
    *first = member * base + min64(member, extra);
    *count = base + (member < extra ? 1 : 0);
}

static void run_lanes(const pscan_plan *plan, const pscan_job *job)
{
    int threads = threads_for(job, plan->total, plan->outer_count);
    if (threads == 1) {
        scan_lanes(plan, job, 0, plan->outer_count);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        int64_t first, count;
        split_range(plan->outer_count, omp_get_num_threads(), omp_get_thread_num(), &first,
                    &count);
        scan_lanes(plan, job, first, count);
    }
}

static void run_panel(const pscan_plan *plan, const pscan_job *job)
{
    const int64_t chunks = (plan->inner.len + PANEL_CHUNK - 1) / PANEL_CHUNK;
    const int64_t units = plan->outer_count * chunks;
    int threads = threads_for(job, plan->total, units);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        int64_t first, count;
        split_range(units, omp_get_num_threads(), omp_get_thread_num(), &first, &count);
        for (int64_t unit = first; unit < first + count; unit++) {
            int64_t column = (unit % chunks) * PANEL_CHUNK;
            scan_panel_unit(plan, job, unit / chunks, column,
                            min64(PANEL_CHUNK, plan->inner.len - column));
        }
    }
}

void pscan_engine_run(const pscan_plan *plan, const pscan_job *job)
{
    switch (plan->kind) {
    case PSCAN_PLAN_EMPTY:
        return;
    case PSCAN_PLAN_LANES:
        run_lanes(plan, job);
        return;
    case PSCAN_PLAN_CHAINED: {
        /* One lane: sequential until the blocked look-back engine lands. */
        run_cursor cursor;
        cursor_seek(&cursor, plan, 0);
        scan_stream(&cursor, job, plan->total);
        return;
    }
    case PSCAN_PLAN_PANEL:
        run_panel(plan, job);
        return;
    }
}
