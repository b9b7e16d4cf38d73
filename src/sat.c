/* sat.c - a summed-area table in one pass over the last two axes.
 *
 * Order-free ops (integers, bool, max, min): row r of the result is the
 * scan along the row of column[r] = column[r-1] op in[r], the running
 * column reduce, which each thread keeps in a buffer of one row: in is
 * read once and out written once (by the scan kernel itself, with
 * non-temporal stores when out is big), where two chained scans read and
 * write everything twice. Their results do not depend on grouping, which
 * is what lets the row scan come after the column reduce, and the rows be
 * cut into blocks across threads. A block's running row starts as the
 * column reduce of every row above it: phase 1 reduces the blocks but the
 * last (column strips across all threads), phase 2 scans the blocks.
 *
 * Float sums and products must give the chained scans' bits: each row is
 * scanned first, then combined down the columns with the engine's tile
 * chain (scan_image_ordered). An image cannot be cut without scanning its
 * rows twice, so this path takes batches of at least one image per thread
 * (or one thread); a single image on several threads is left to the
 * caller's slab path. */
#include "sat.h"

#include "context.h"
#include "convert.h"
#include "dtype.h"
#include "engine.h"
#include "kernels/kernels.h"
#include "layout.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>


typedef struct sat_run {
    const pscan_kernel *kernel;
    pscan_convert_fn load; /* NULL: in is already of the accumulator type */
    const char *in;
    char *out;
    size_t in_item, acc;
    int64_t rows, cols, images, blocks; /* blocks per image */
    int64_t strips, strip_cols;         /* phase 1: column strips */
    char *reduced;  /* per (image, block): column reduce of the block's rows */
    char *buffers;  /* per thread: rows of accumulators (2, or 5 ordered) */
    bool stream;    /* the scan kernel streams its stores to out */
    /* Float sums and products (order matters): one image per thread. */
    bool ordered;
    pscan_job job;     /* the row scans, as the engine does them */
    pscan_copy_fn copy; /* NULL: rows are memcpy'd to out */
} sat_run;

static void block_rows(const sat_run *r, int64_t block, int64_t *first, int64_t *count)
{
    const int64_t base = r->rows / r->blocks, extra = r->rows % r->blocks;
    *first = block * base + (block < extra ? block : extra);
    *count = base + (block < extra);
}

/* Columns [col, col + n) of row `row` of image `image` as accumulators:
 * in itself, or converted into `buffer`. */
static const char *row_values(const sat_run *r, int64_t image, int64_t row, int64_t col,
                              int64_t n, char *buffer)
{
    const char *src = r->in + ((size_t)((image * r->rows + row) * r->cols + col)) * r->in_item;
    if (!r->load)
        return src;
    r->load(src, (ptrdiff_t)r->in_item, buffer, (ptrdiff_t)r->acc, (size_t)n);
    return buffer;
}

/* Phase 1, one unit: a column strip of one block's column reduce. */
static void reduce_strip(const sat_run *r, int64_t unit, char *buffer)
{
    const int64_t strip = unit % r->strips, block_unit = unit / r->strips;
    const int64_t image = block_unit / (r->blocks - 1), block = block_unit % (r->blocks - 1);
    const int64_t col = strip * r->strip_cols;
    const int64_t n = col + r->strip_cols < r->cols ? r->strip_cols : r->cols - col;
    if (n <= 0)
        return;
    int64_t first, count;
    block_rows(r, block, &first, &count);
    char *sum = r->reduced + ((size_t)((image * r->blocks + block) * r->cols + col)) * r->acc;
    memcpy(sum, row_values(r, image, first, col, n, buffer), (size_t)n * r->acc);
    for (int64_t row = first + 1; row < first + count; row++)
        r->kernel->combine(sum, row_values(r, image, row, col, n, buffer), sum, (size_t)n);
}

/* Phase 2, one unit: a block's rows, from the column reduce of the rows
 * above it. */
static void scan_block(const sat_run *r, int64_t unit, char *buffers)
{
    const int64_t image = unit / r->blocks, block = unit % r->blocks;
    const size_t row_bytes = (size_t)r->cols * r->acc;
    char *column = buffers, *loaded = buffers + row_bytes;
    const char *reduced = r->reduced + (size_t)(image * r->blocks) * row_bytes;
    int64_t first, count;
    block_rows(r, block, &first, &count);
    if (block > 0)
        memcpy(column, reduced, row_bytes);
    for (int64_t k = 1; k < block; k++)
        r->kernel->combine(column, reduced + (size_t)k * row_bytes, column, (size_t)r->cols);
    for (int64_t row = first; row < first + count; row++) {
        const char *values = row_values(r, image, row, 0, r->cols, loaded);
        if (row == first && block == 0)
            memcpy(column, values, row_bytes);
        else
            r->kernel->combine(column, values, column, (size_t)r->cols);
        char *out = r->out + (size_t)(image * r->rows + row) * row_bytes;
        (r->stream ? r->kernel->scan_stream : r->kernel->scan)(column, out, (size_t)r->cols, NULL);
    }
}

/* One image where the order matters: the bits of the chained scans. Each
 * row is scanned along itself as the engine scans a lane, then down the
 * columns as the engine's panels do: within a tile of 4096 rows a local
 * running row, from the second tile on that tile's local row after the
 * last row of the tile before (strictly row after row when SEQUENTIAL). */
static void scan_image_ordered(const sat_run *r, int64_t image, char *buffers)
{
    const size_t row_bytes = (size_t)r->cols * r->acc;
    char *loaded = buffers, *scanned = loaded + row_bytes, *local = scanned + row_bytes;
    char *prefix = local + row_bytes, *combined = prefix + row_bytes;
    const int64_t tile_rows = r->job.sequential ? r->rows : PSCAN_TILE;
    for (int64_t row = 0; row < r->rows; row++) {
        const int64_t in_tile = row % tile_rows;
        const char *values = row_values(r, image, row, 0, r->cols, loaded);
        pscan_engine_scan_values(&r->job, values, in_tile == 0 ? local : scanned, r->cols, NULL);
        if (in_tile > 0)
            r->kernel->combine(local, scanned, local, (size_t)r->cols);
        const char *result = local;
        if (row >= tile_rows) {
            r->kernel->combine(prefix, local, combined, (size_t)r->cols);
            result = combined;
        }
        char *out = r->out + (size_t)(image * r->rows + row) * row_bytes;
        if (r->copy)
            r->copy(out, result, row_bytes);
        else
            memcpy(out, result, row_bytes);
        if (in_tile == tile_rows - 1)
            memcpy(prefix, result, row_bytes);
    }
}

pscan_status pscan_sat_scan(pscan_op op, const pscan_array *in, pscan_dtype acc,
                            const pscan_array *out, const pscan_opts *opts, bool *fused)
{
    *fused = false;
    const pscan_kernel *kernel = pscan_kernel_get(op, acc);
    if (in->ndim < 2 || opts->flags || out->dtype != acc || !pscan_array_is_c_contiguous(in) ||
        !pscan_array_is_c_contiguous(out))
        return PSCAN_OK;
    sat_run r = {.kernel = kernel,
                 .in = in->data,
                 .out = out->data,
                 .in_item = pscan_dtype_size(in->dtype),
                 .acc = pscan_dtype_size(acc),
                 .rows = in->shape[in->ndim - 2],
                 .cols = in->shape[in->ndim - 1],
                 .images = 1};
    for (int d = 0; d < in->ndim - 2; d++)
        r.images *= in->shape[d];
    const int64_t total = r.images * r.rows * r.cols;
    const size_t in_bytes = (size_t)total * r.in_item, out_bytes = (size_t)total * r.acc;
    const char *in_lo = in->data, *out_lo = out->data;
    /* in place only element on element; any other overlap: not here */
    if (total == 0 || (in_lo != out_lo && in_lo < out_lo + out_bytes && out_lo < in_lo + in_bytes) ||
        (in_lo == out_lo && r.in_item != r.acc))
        return PSCAN_OK;
    r.load = in->dtype == acc ? NULL : pscan_convert_get(in->dtype, acc);

    pscan_context *ctx;
    pscan_status status = pscan_context_resolve(opts->ctx, &ctx);
    if (status != PSCAN_OK)
        return status;
    int64_t threads = opts->threads > 0 ? opts->threads : ctx->threads;
    if (threads > total / PSCAN_MIN_ELEMS_PER_THREAD)
        threads = total / PSCAN_MIN_ELEMS_PER_THREAD > 0 ? total / PSCAN_MIN_ELEMS_PER_THREAD : 1;
    /* Where the order matters an image cannot be cut: only batches of at
     * least one image per thread come here. */
    r.ordered = !kernel->order_free;
    if (r.ordered && r.images < threads)
        return PSCAN_OK;
    r.job.kernel = kernel;
    r.job.acc_size = r.acc;
    r.job.sequential = opts->order == PSCAN_ORDER_SEQUENTIAL;
    r.job.stream_kernel = false;
    /* Fewer images than threads: cut each into row blocks. */
    r.blocks = r.images >= threads ? 1 : (threads + r.images - 1) / r.images;
    if (r.blocks > r.rows)
        r.blocks = r.rows;
    r.strips = threads;
    r.strip_cols = (r.cols + r.strips - 1) / r.strips;
    const size_t row_bytes = (size_t)r.cols * r.acc;
    const int64_t units = r.images * r.blocks;
    const size_t reduced = r.blocks > 1 ? (size_t)units * row_bytes : 0;
    const bool big = (int64_t)out_bytes >= PSCAN_STREAM_MIN_BYTES && in_lo != out_lo;
    r.stream = big && !r.ordered && kernel->scan_stream;
    r.copy = big && r.ordered ? pscan_kernel_stream_copy() : NULL;
    const size_t per_thread = (r.ordered ? 5 : 2) * row_bytes;
    char *scratch = malloc(reduced + (size_t)threads * per_thread + 64);
    if (!scratch)
        return PSCAN_ENOMEM;
    r.reduced = scratch;
    r.buffers = scratch + reduced;
    *fused = true;
    const int64_t reduce_units = r.blocks > 1 ? r.images * (r.blocks - 1) * r.strips : 0;
#pragma omp parallel num_threads((int)threads) if (threads > 1)
    {
        char *buffers = r.buffers + (size_t)omp_get_thread_num() * per_thread;
        if (reduce_units > 0) {
#pragma omp for schedule(static)
            for (int64_t unit = 0; unit < reduce_units; unit++)
                reduce_strip(&r, unit, buffers);
        }
#pragma omp for schedule(static) nowait
        for (int64_t unit = 0; unit < units; unit++)
            if (r.ordered)
                scan_image_ordered(&r, unit, buffers);
            else
                scan_block(&r, unit, buffers);
        if (r.stream || r.copy) /* streamed stores are weakly ordered */
            pscan_stream_fence();
    }
    free(scratch);
    return PSCAN_OK;
}
