/* panel.c - PANEL: lanes side by side (axis 0 of a C array), strips of
 * columns across threads advanced a row at a time. */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <omp.h>

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
static void panel_state(const pscan_plan *plan, const pscan_job *job, int64_t block, int64_t column,
                        int64_t width, const char *last_row)
{
    if (job->state_out && plan->scan.len > 0)
        memcpy(job->state_out + (block * plan->inner.len + column) * (int64_t)job->acc_size,
               last_row, (size_t)width * job->acc_size);
}

void pscan_stream_rows(const pscan_job *job, const char *in_row, int64_t in_stride, char *out_row,
                       int64_t out_stride, int64_t rows, int64_t width, const char *carry,
                       char *running)
{
    const size_t row_bytes = (size_t)width * job->acc_size;
    if (rows <= 0)
        return;
    if (carry)
        job->kernel->combine(carry, in_row, running, (size_t)width);
    else
        memcpy(running, in_row, row_bytes);
    job->stream(out_row, running, row_bytes);
    for (int64_t row = 1; row < rows; row++) {
        job->kernel->combine(running, in_row + row * in_stride, running, (size_t)width);
        job->stream(out_row + row * out_stride, running, row_bytes);
    }
}

/* Rows [0, rows) chained in place of out: out row r = out row r-1 op in
 * row r, row 0 = carry op in row 0 (in row 0 with no carry). */
static void chain_rows(const pscan_job *job, const char *in, int64_t in_step, char *out,
                       int64_t out_step, int64_t rows, int64_t width, const char *carry)
{
    if (carry)
        job->kernel->combine(carry, in, out, (size_t)width);
    else
        memmove(out, in, (size_t)width * job->acc_size);
    for (int64_t row = 1; row < rows; row++)
        job->kernel->combine(out + (row - 1) * out_step, in + row * in_step, out + row * out_step,
                             (size_t)width);
}

/* Direct strip for order-free or sequential jobs of one dtype with
 * contiguous rows: out row r = out row r-1 op in row r, no conversions.
 * Streaming, the running row stays in the thread's buffer and each result
 * row is streamed out (out is then never read back). */
static void scan_panel_direct(const pscan_plan *plan, const pscan_job *job, char *buffer,
                              int64_t block, int64_t column, int64_t width)
{
    run_cursor cursor;
    pscan_cursor_seek(&cursor, plan, block);
    const char *in_row = plan->in_base + cursor.in_offset + column * plan->inner.in_stride;
    char *out_row = plan->out_base + cursor.out_offset + column * plan->inner.out_stride;
    const char *carry = panel_carry(plan, job, block, column);
    if (job->stream) {
        pscan_stream_rows(job, in_row, plan->scan.in_stride, out_row, plan->scan.out_stride,
                          plan->scan.len, width, carry, buffer);
        panel_state(plan, job, block, column, width, buffer);
        return;
    }
    chain_rows(job, in_row, plan->scan.in_stride, out_row, plan->scan.out_stride, plan->scan.len,
               width, carry);
    panel_state(plan, job, block, column, width,
                out_row + (plan->scan.len - 1) * plan->scan.out_stride);
}

/* A narrow panel whose rows lie back to back: one lagged scan down the
 * whole block instead of a combine call per short row. */
static void scan_panel_lagged(const pscan_plan *plan, const pscan_job *job, int64_t block)
{
    run_cursor cursor;
    pscan_cursor_seek(&cursor, plan, block);
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
    pscan_cursor_seek(&cursor, plan, block);
    const char *in_row = plan->in_base + cursor.in_offset + column * plan->inner.in_stride;
    char *out_row = plan->out_base + cursor.out_offset + column * plan->inner.out_stride;
    const bool tiled = kernel && !job->sequential && !kernel->order_free;
    const int64_t tile_len = tiled ? PSCAN_TILE : plan->scan.len;
    /* A carry is P(-1): tiled, the first tile folds it in like any other
     * prefix; untiled, the running row starts from it. */
    const char *carry = kernel ? panel_carry(plan, job, block, column) : NULL;
    if (carry)
        memcpy(tiled ? prefix : running, carry, (size_t)width * acc_size);

    /* One dtype and contiguous rows: the combines read in's rows where
     * they lie (the load would be a copy). */
    const bool rows_in_place =
        kernel && job->same_types && plan->inner.in_stride == (int64_t)acc_size;
    const char *last = NULL; /* the row of results just stored */
    for (int64_t row = 0; row < plan->scan.len; row++) {
        const int64_t in_step = row * plan->scan.in_stride;
        const int64_t row_in_tile = row % tile_len;
        const bool first_tile = row < tile_len && !(carry && tiled);
        char *result = running;
        if (!kernel || (row_in_tile == 0 && !(row == 0 && carry && !tiled))) {
            job->load(in_row + in_step, plan->inner.in_stride, running, (ptrdiff_t)acc_size,
                      (size_t)width);
        } else if (rows_in_place) {
            kernel->combine(running, in_row + in_step, running, (size_t)width);
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

/* Tiled strip of one dtype with contiguous rows (REPRODUCIBLE float sums
 * and products), the buffered strip's combines without its copies: in a
 * tile with no prefix the lane's chain is the result, so out row r = out
 * row r-1 op in row r; in the others the chain runs in the buffer and
 * P(t-1) op local goes straight to out. Same combines, same operands. */
static void scan_panel_tiled(const pscan_plan *plan, const pscan_job *job, char *scratch,
                             int64_t block, int64_t column, int64_t width)
{
    const int64_t len = plan->scan.len;
    if (len <= 0)
        return;
    const size_t row_bytes = (size_t)width * job->acc_size;
    char *running = scratch, *prefix = running + job->panel_width * (int64_t)job->acc_size;
    void (*const combine)(const void *, const void *, void *, size_t) = job->kernel->combine;
    run_cursor cursor;
    pscan_cursor_seek(&cursor, plan, block);
    const char *in = plan->in_base + cursor.in_offset + column * plan->inner.in_stride;
    char *out = plan->out_base + cursor.out_offset + column * plan->inner.out_stride;
    const int64_t in_step = plan->scan.in_stride, out_step = plan->scan.out_stride;
    const char *carry = panel_carry(plan, job, block, column); /* P(-1) */
    if (carry)
        memcpy(prefix, carry, row_bytes);
    for (int64_t start = 0; start < len; start += PSCAN_TILE) {
        const int64_t end = min64(start + PSCAN_TILE, len);
        if (job->column) { /* both combines in one pass */
            const char *tile_prefix = start == 0 && !carry ? NULL : prefix;
            for (int64_t row = start; row < end; row++)
                job->column(in + row * in_step, running, tile_prefix, out + row * out_step,
                            (size_t)width, row == start, 0);
        } else if (start == 0 && !carry) {
            chain_rows(job, in, in_step, out, out_step, end, width, NULL);
        } else {
            memcpy(running, in + start * in_step, row_bytes);
            combine(prefix, running, out + start * out_step, (size_t)width);
            for (int64_t row = start + 1; row < end; row++) {
                combine(running, in + row * in_step, running, (size_t)width);
                combine(prefix, running, out + row * out_step, (size_t)width);
            }
        }
        memcpy(prefix, out + (end - 1) * out_step, row_bytes); /* P(t) */
    }
    panel_state(plan, job, block, column, width, prefix);
}

void pscan_run_panel(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                     const pscan_chunk *chunks)
{
    char *scratch = ws->scratch;
    const int64_t width = job->panel_width;
    const int64_t strips = (plan->inner.len + width - 1) / width;
    const int64_t units = plan->outer_count * strips;
#pragma omp parallel num_threads(job->team) if (job->team > 1)
    {
        int64_t first, count;
        int member = omp_get_thread_num();
        void *saved = pscan_team_enter(job, chunks, member);
        char *buffer = scratch + (size_t)member * job->scratch_per_thread;
        split_range(units, omp_get_num_threads(), member, &first, &count);
        for (int64_t unit = first; unit < first + count; unit++) {
            int64_t column = (unit % strips) * width;
            int64_t strip_width = min64(width, plan->inner.len - column);
            if (job->panel_lagged)
                scan_panel_lagged(plan, job, unit);
            else if (job->direct)
                scan_panel_direct(plan, job, buffer, unit / strips, column, strip_width);
            else if (job->panel_tiled)
                scan_panel_tiled(plan, job, buffer, unit / strips, column, strip_width);
            else
                scan_panel_buffered(plan, job, buffer, unit / strips, column, strip_width);
        }
        finish_streaming(job);
        pscan_team_leave(job, saved);
    }
}
