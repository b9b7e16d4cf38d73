/* strips.c - a summed-area table in one pass over an axis and the last axis
 * (rows and columns of an image; every choice of the other indices is an
 * image, and with axes between the two, rows lie further apart).
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
 * chain (scan_image_ordered). With at least one image per thread each
 * thread takes whole images. With fewer, each image is cut into column
 * strips, one per thread: the column chain of a strip is the strip's own,
 * and each row piece continues from where the strip to its left ended that
 * row (its running value inside the 4096-column tile and the tile's
 * prefix), handed on in batches of rows. Thread k runs a batch or so
 * behind thread k-1, a wavefront: in is still read once and out written
 * once, and every value is combined exactly as in the chained scans.
 *
 * Sums take the fused steps of src/kernels/sat_kernels.c where they exist:
 * the order-free row (load and widen in, add it to the column, scan, store
 * out) in one vectorised pass, also for float64 sums of integers whose
 * every sum is exact (sums_exact); the ordered path's row step (load and
 * widen in, scan each row's tile chain, add the tile's prefix: the rows as
 * vector lanes) with its column step and the store. Include-initial SUM
 * writes the table one row and one column on, with the zeros before them
 * (out_index, zero_edges). */
#include "strips.h"

#include "../context.h"
#include "../convert.h"
#include "../dtype.h"
#include "../engine.h"
#include "../kernels/kernels.h"
#include "../kernels/sat_kernels.h"
#include "../layout.h"
#include "../spin.h"
#include "../workspace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sat_run {
    const pscan_kernel *kernel;
    pscan_convert_fn load; /* NULL: in is already of the accumulator type */
    /* The fused row steps for in -> acc, conversion inside the load (NULL:
     * none); its row and add serve the order-free path. */
    const pscan_sat_kernel *sat;
    const char *in;
    char *out;
    size_t in_item, acc;
    int64_t rows, cols, images, blocks; /* blocks per image */
    /* Image i's rows are row_stride elements apart, from element
     * (i / inner) * rows * row_stride + (i % inner) * cols: the images
     * between two rows are those of the axes between the scanned two
     * (inner of them, 1 when those are the last two axes). */
    int64_t row_stride, inner;
    /* Include-initial: out is one longer along both scanned axes, the
     * identity (zero) first (out_index). */
    bool initial;
    int64_t strips, strip_cols; /* phase 1: column strips */
    char *reduced;              /* per (image, block): column reduce of the block's rows */
    char *buffers;              /* per thread: rows of accumulators (2), or the ordered
                       path's (ordered_buffer_bytes) */
    bool stream;                /* the scan kernel streams its stores to out */
    /* Float sums and products (order matters). */
    bool ordered;
    bool wavefront;     /* fewer images than threads: column strips */
    int64_t tile_cols;  /* where a row's tile chain restarts */
    int64_t tile_rows;  /* where a column's tile chain restarts */
    int64_t batch;      /* rows scanned side by side (and handed on) */
    int64_t chunk;      /* columns of a batch scanned at a time */
    pscan_copy_fn copy; /* NULL: rows are memcpy'd to out */
    /* strips: per boundary and row, where the next strip starts: the
     * row's running value inside its tile, and the prefix of the tiles
     * before */
    char *handed_locals, *handed_prefixes;
    struct strip_progress *progress; /* strips: rows each strip has handed on */
} sat_run;

/* Rows handed on by one strip, counted over all images (never reset), on
 * a cache line of its own: the next strip polls it. */
typedef struct strip_progress {
    _Alignas(64) _Atomic int64_t rows;
} strip_progress;

/* Rows are scanned side by side in batches, their float chains
 * overlapping (kernels.h scan_rows), and a strip hands them on a batch at
 * a time: 8 rows, or up to 16 for narrow strips, so that a batch is about
 * HANDOFF_ELEMS of the strip's elements and the next strip's wait and
 * cache misses on the handed values are paid once per batch. A batch is
 * scanned CHUNK_ELEMS at a time, which stays in L1 and L2. */
enum { MIN_BATCH_ROWS = 8, MAX_BATCH_ROWS = 16, HANDOFF_ELEMS = 1024, CHUNK_ELEMS = 8192 };
_Static_assert(MIN_BATCH_ROWS >= 1 && MIN_BATCH_ROWS <= MAX_BATCH_ROWS,
               "batch_rows clamps to a range");
/* Narrower strips give the image to the slab path. Two strips of 32
 * float64 columns beat two calls by 1.07-1.16x on 2 threads, of 16 lose
 * (0.88-0.93x, against 1.0-1.1x for the slab path): perf/RESULTS.md. */
enum { MIN_STRIP_COLS = 32 };
/* The wavefront idles (strips - 1) batches per thread: at least this many
 * batches per strip keep that under a quarter. */
enum { MIN_BATCHES_PER_STRIP = 4 };

/* Float64 sums of an integer input whose every partial sum of an image
 * is an integer below 2^53: each is exact in any grouping (and never
 * -0.0), so the order-free path gives the chained scans' bits. */
static bool sums_exact(pscan_dtype in, int64_t rows, int64_t cols)
{
    double largest; /* the largest magnitude of an input value */
    switch (in) {
    case PSCAN_BOOL:
        largest = 1;
        break;
    case PSCAN_INT8:
        largest = 128;
        break;
    case PSCAN_UINT8:
        largest = 255;
        break;
    case PSCAN_INT16:
        largest = 32768;
        break;
    case PSCAN_UINT16:
        largest = 65535;
        break;
    case PSCAN_INT32:
        largest = 2147483648.0;
        break;
    case PSCAN_UINT32:
        largest = 4294967295.0;
        break;
    default:
        return false;
    }
    return largest * (double)rows * (double)cols <= 9007199254740992.0; /* 2^53 */
}

static int64_t batch_rows(int64_t strip_width)
{
    const int64_t rows = HANDOFF_ELEMS / (strip_width > 0 ? strip_width : 1);
    return rows < MIN_BATCH_ROWS ? MIN_BATCH_ROWS : rows > MAX_BATCH_ROWS ? MAX_BATCH_ROWS : rows;
}

static void block_rows(const sat_run *r, int64_t block, int64_t *first, int64_t *count)
{
    const int64_t base = r->rows / r->blocks, extra = r->rows % r->blocks;
    *first = block * base + (block < extra ? block : extra);
    *count = base + (block < extra);
}

/* Where element (row, col) of image `image` is, in elements of in and out. */
static size_t element_index(const sat_run *r, int64_t image, int64_t row, int64_t col)
{
    return (size_t)((image / r->inner * r->rows + row) * r->row_stride +
                    image % r->inner * r->cols + col);
}

/* Where the table's element (row, col) of image `image` is, in elements
 * of out: as in in, or under include-initial one row and one column on,
 * in rows of cols + 1 and images of rows + 1 rows (row or col -1: the
 * zero slot before them). */
static size_t out_index(const sat_run *r, int64_t image, int64_t row, int64_t col)
{
    if (!r->initial)
        return element_index(r, image, row, col);
    const int64_t cols = r->cols + 1;
    return (size_t)((image / r->inner * (r->rows + 1) + row + 1) * r->inner * cols +
                    image % r->inner * cols + col + 1);
}

/* Include-initial: row `row`'s zero before its first column, and above
 * the first row the zero row. */
static void zero_edges(const sat_run *r, int64_t image, int64_t row)
{
    if (!r->initial)
        return;
    if (row == 0)
        memset(r->out + out_index(r, image, -1, -1) * r->acc, 0, (size_t)(r->cols + 1) * r->acc);
    memset(r->out + out_index(r, image, row, -1) * r->acc, 0, r->acc);
}

/* Columns [col, col + n) of row `row` of image `image` as accumulators:
 * in itself, or converted into `buffer`. */
static const char *row_values(const sat_run *r, int64_t image, int64_t row, int64_t col, int64_t n,
                              char *buffer)
{
    const char *src = r->in + element_index(r, image, row, col) * r->in_item;
    if (!r->load)
        return src;
    if (r->sat)
        r->sat->load(src, buffer, (size_t)n);
    else
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
    if (r->sat && r->sat->add) {
        for (int64_t row = first; row < first + count; row++)
            r->sat->add(r->in + element_index(r, image, row, col) * r->in_item, sum, (size_t)n,
                        row == first);
        return;
    }
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
    if (r->sat && r->sat->row) {
        for (int64_t row = first; row < first + count; row++) {
            zero_edges(r, image, row);
            r->sat->row(r->in + element_index(r, image, row, 0) * r->in_item, column,
                        r->out + out_index(r, image, row, 0) * r->acc, (size_t)r->cols,
                        row == first && block == 0, r->stream);
        }
        return;
    }
    for (int64_t row = first; row < first + count; row++) {
        const char *values = row_values(r, image, row, 0, r->cols, loaded);
        if (row == first && block == 0)
            memcpy(column, values, row_bytes);
        else
            r->kernel->combine(column, values, column, (size_t)r->cols);
        zero_edges(r, image, row);
        char *out = r->out + out_index(r, image, row, 0) * r->acc;
        (r->stream ? r->kernel->scan_stream : r->kernel->scan)(column, out, (size_t)r->cols, NULL);
    }
}

/* Columns [first, first + n) of strip `strip` of `strips`: cut on whole
 * cache lines of accumulators. */
static void wavefront_cols(const sat_run *r, int strip, int strips, int64_t *first, int64_t *n)
{
    const int64_t unit = 64 / (int64_t)r->acc, units = (r->cols + unit - 1) / unit;
    const int64_t lo = units * strip / strips * unit, hi = units * (strip + 1) / strips * unit;
    *first = lo < r->cols ? lo : r->cols;
    *n = (hi < r->cols ? hi : r->cols) - *first;
}

/* The column step fused into the rows step: for a batch whose rows lie
 * inside one row tile, past its first row and before its last, where
 * every row combines into the running column the same way. */
typedef struct column_step {
    char *local;        /* the running column at the chunk's first column */
    const char *prefix; /* the tiles above at that column; NULL: first row tile */
} column_step;

/* Columns [col, col + width) of `count` rows (src rows src_row elements
 * apart) scanned along the rows into dst (rows dst_row apart) as the
 * engine scans a lane: tiles of tile_cols left to right, each after the
 * prefix of the tiles before. src is in itself (in_item bytes an element)
 * where the fused rows step takes it, else accumulators; with `column`
 * (fused rows step only) dst is out and the rows go through the column
 * step on the way. Per row, locals holds the running value inside the
 * tile (used when col is inside one) and prefixes the prefix (used when
 * col is past the first tile); both are left as they are at col + width,
 * for the next chunk or strip. */
static void scan_row_chunk(const sat_run *r, const char *src, int64_t src_row, char *dst,
                           int64_t dst_row, int64_t col, int64_t width, int64_t count, char *locals,
                           char *prefixes, const column_step *column)
{
    const int64_t tile = r->tile_cols, acc = (int64_t)r->acc;
    for (int64_t at = col; at < col + width;) {
        const int64_t tile_end = at - at % tile + tile, start = at - col;
        const int64_t len = (tile_end < col + width ? tile_end : col + width) - at;
        if (r->sat && r->sat->rows) { /* src is in: load, scan and fold in one pass */
            const bool prefixed = at >= tile;
            r->sat->rows(src + start * (int64_t)r->in_item, (size_t)src_row, dst + start * acc,
                         (size_t)dst_row, (size_t)len, (size_t)count, locals, at % tile != 0,
                         prefixed ? prefixes : NULL, column ? column->local + start * acc : NULL,
                         column && column->prefix ? column->prefix + start * acc : NULL,
                         r->copy != NULL);
            at += len;
            if (at == tile_end) { /* the fold's last value: prefix op local */
                if (prefixed)
                    r->kernel->combine(prefixes, locals, prefixes, (size_t)count);
                else
                    memcpy(prefixes, locals, (size_t)(count * acc));
            }
            continue;
        }
        r->kernel->scan_rows(src + start * acc, (size_t)src_row, dst + start * acc, (size_t)dst_row,
                             (size_t)len, (size_t)count, at % tile ? locals : NULL);
        at += len;
        for (int64_t k = 0; k < count; k++) {
            char *piece = dst + (k * dst_row + start) * acc, *last = piece + (len - 1) * acc;
            if (at == col + width)
                memcpy(locals + k * acc, last, (size_t)acc);
            if (at - len >= tile)
                r->kernel->fold(piece, (size_t)len, prefixes + k * acc);
            if (at == tile_end)
                memcpy(prefixes + k * acc, last, (size_t)acc);
        }
    }
}

/* Bytes of a thread's buffers for the ordered path. */
static size_t ordered_buffer_bytes(const sat_run *r)
{
    return (3 * (size_t)r->cols + 2 * (size_t)(r->batch * r->chunk) + 2 * (size_t)r->batch) *
           r->acc;
}

/* Strip `strip` of `strips` of one image where the order matters: the
 * bits of the chained scans. A batch of rows is scanned along the rows
 * (after the strip to the left has handed it on), chunk by chunk, then
 * down the columns as the engine's panels do: within a tile of 4096 rows
 * a local running row, from the second tile on that tile's local row
 * after the last row of the tile before (strictly row after row when
 * SEQUENTIAL). */
static void scan_image_ordered(const sat_run *r, int64_t image, int strip, int strips,
                               char *buffers)
{
    int64_t first, n;
    wavefront_cols(r, strip, strips, &first, &n);
    const size_t acc = r->acc, piece_bytes = (size_t)n * acc;
    char *local = buffers, *prefix = local + piece_bytes, *combined = prefix + piece_bytes;
    char *scanned = combined + piece_bytes, *loaded = scanned + (size_t)(r->batch * r->chunk) * acc;
    char *locals = loaded + (size_t)(r->batch * r->chunk) * acc,
         *prefixes = locals + (size_t)r->batch * acc;
    const int64_t counted = image * r->rows; /* rows of earlier images */
    const int64_t out_row =
        r->rows > 1 ? (int64_t)(out_index(r, image, 1, 0) - out_index(r, image, 0, 0)) : 0;
    _Atomic int64_t *left = strip > 0 ? &r->progress[strip - 1].rows : NULL;
    _Atomic int64_t *own = strip < strips - 1 ? &r->progress[strip].rows : NULL;
    int64_t handed = 0; /* rows the left strip is known to have handed on */
    for (int64_t row0 = 0; row0 < r->rows; row0 += r->batch) {
        const int64_t count = r->batch < r->rows - row0 ? r->batch : r->rows - row0;
        if (left) {
            if (handed < counted + row0 + count)
                handed = pscan_wait_at_least(left, counted + row0 + count);
            memcpy(locals, r->handed_locals + (size_t)((strip - 1) * r->rows + row0) * acc,
                   (size_t)count * acc);
            memcpy(prefixes, r->handed_prefixes + (size_t)((strip - 1) * r->rows + row0) * acc,
                   (size_t)count * acc);
        }
        /* Rows inside one row tile, none its first or last: the column
         * step rides on the rows step (which writes out itself). */
        const int64_t batch_in_tile = row0 % r->tile_rows;
        const bool fuse_column = r->sat && r->sat->rows && batch_in_tile > 0 &&
                                 batch_in_tile + count <= r->tile_rows - 1;
        for (int64_t col = first; col < first + n; col += r->chunk) {
            const int64_t width = r->chunk < first + n - col ? r->chunk : first + n - col;
            const char *src = r->in + element_index(r, image, row0, col) * r->in_item;
            int64_t src_row = r->row_stride;
            if (r->load && !(r->sat && r->sat->rows)) {
                for (int64_t k = 0; k < count; k++)
                    row_values(r, image, row0 + k, col, width, loaded + (size_t)(k * width) * acc);
                src = loaded;
                src_row = width;
            }
            const size_t chunk_bytes = (size_t)width * acc, at = (size_t)(col - first) * acc;
            if (fuse_column) {
                if (col == 0)
                    for (int64_t k = 0; k < count; k++)
                        zero_edges(r, image, row0 + k);
                const column_step step = {local + at, row0 >= r->tile_rows ? prefix + at : NULL};
                scan_row_chunk(r, src, src_row, r->out + out_index(r, image, row0, col) * acc,
                               out_row, col, width, count, locals, prefixes, &step);
                continue;
            }
            scan_row_chunk(r, src, src_row, scanned, width, col, width, count, locals, prefixes,
                           NULL);
            for (int64_t k = 0; k < count; k++) {
                const int64_t row = row0 + k, in_tile = row % r->tile_rows;
                const char *values = scanned + (size_t)k * chunk_bytes;
                if (col == 0)
                    zero_edges(r, image, row);
                char *out = r->out + out_index(r, image, row, col) * acc;
                if (r->sat && r->sat->column && in_tile != r->tile_rows - 1) {
                    /* the column step and the store in one pass */
                    r->sat->column(values, local + at, row >= r->tile_rows ? prefix + at : NULL,
                                   out, (size_t)width, in_tile == 0, r->copy != NULL);
                    continue;
                }
                if (in_tile == 0)
                    memcpy(local + at, values, chunk_bytes);
                else
                    r->kernel->combine(local + at, values, local + at, (size_t)width);
                const char *result = local + at;
                if (row >= r->tile_rows) {
                    r->kernel->combine(prefix + at, local + at, combined + at, (size_t)width);
                    result = combined + at;
                }
                if (r->copy)
                    r->copy(out, result, chunk_bytes);
                else
                    memcpy(out, result, chunk_bytes);
                if (in_tile == r->tile_rows - 1)
                    memcpy(prefix + at, result, chunk_bytes);
            }
        }
        if (own) {
            memcpy(r->handed_locals + (size_t)(strip * r->rows + row0) * acc, locals,
                   (size_t)count * acc);
            memcpy(r->handed_prefixes + (size_t)(strip * r->rows + row0) * acc, prefixes,
                   (size_t)count * acc);
            atomic_store_explicit(own, counted + row0 + count, memory_order_release);
        }
    }
}

/* What every member of a fused table's team shares. */
typedef struct sat_team {
    sat_run *r;
    size_t per_thread;
    int64_t units, reduce_units;
} sat_team;

static void sat_member(void *arg, int member, int members)
{
    const sat_team *team = arg;
    sat_run *r = team->r;
    char *buffers = r->buffers + (size_t)member * team->per_thread;
    if (r->wavefront) {
        /* every thread of the team a strip: the team may be smaller than
         * asked, and a strip nobody runs would stall the rest */
        for (int64_t image = 0; image < r->images; image++) {
            if (image > 0) { /* the boundaries' slots are reused */
#pragma omp barrier
            }
            scan_image_ordered(r, image, member, members, buffers);
        }
        return;
    }
    if (team->reduce_units > 0) {
#pragma omp for schedule(static)
        for (int64_t unit = 0; unit < team->reduce_units; unit++)
            reduce_strip(r, unit, buffers);
    }
#pragma omp for schedule(static) nowait
    for (int64_t unit = 0; unit < team->units; unit++)
        if (r->ordered)
            scan_image_ordered(r, unit, 0, 1, buffers);
        else
            scan_block(r, unit, buffers);
}

pscan_status pscan_sat_scan(pscan_op op, const pscan_array *in, int row_axis, pscan_dtype acc,
                            const pscan_array *out, const pscan_opts *opts, bool *fused)
{
    *fused = false;
    const pscan_kernel *kernel = pscan_kernel_get(pscan_kernel_op(op, opts->order), acc);
    if (in->ndim < 2 || row_axis < 0 || row_axis > in->ndim - 2 ||
        (opts->flags & ~(unsigned)PSCAN_FLAG_INCLUDE_INITIAL) || out->dtype != acc ||
        !pscan_array_is_c_contiguous(in) || !pscan_array_is_c_contiguous(out))
        return PSCAN_OK;
    sat_run r = {.kernel = kernel,
                 .in = in->data,
                 .out = out->data,
                 .in_item = pscan_dtype_size(in->dtype),
                 .acc = pscan_dtype_size(acc),
                 .rows = in->shape[row_axis],
                 .cols = in->shape[in->ndim - 1],
                 .images = 1,
                 .inner = 1};
    for (int d = 0; d < in->ndim - 1; d++)
        if (d != row_axis)
            r.images *= in->shape[d];
    for (int d = row_axis + 1; d < in->ndim - 1; d++)
        r.inner *= in->shape[d];
    r.row_stride = r.inner * r.cols;
    const int64_t total = r.images * r.rows * r.cols;
    r.initial = opts->flags == PSCAN_FLAG_INCLUDE_INITIAL;
    if (r.initial && op != PSCAN_SUM) /* zero_edges writes SUM's identity */
        return PSCAN_OK;
    const int64_t out_total = r.initial ? r.images * (r.rows + 1) * (r.cols + 1) : total;
    const size_t in_bytes = (size_t)total * r.in_item, out_bytes = (size_t)out_total * r.acc;
    const char *in_lo = in->data, *out_lo = out->data;
    /* in place only element on element; any other overlap: not here */
    if (total == 0 ||
        (in_lo != out_lo && in_lo < out_lo + out_bytes && out_lo < in_lo + in_bytes) ||
        (in_lo == out_lo && (r.in_item != r.acc || r.initial)))
        return PSCAN_OK;
    r.load = in->dtype == acc ? NULL : pscan_convert_get(in->dtype, acc);
    r.sat = op == PSCAN_SUM ? pscan_sat_kernel_get(in->dtype, acc) : NULL;

    pscan_context *ctx;
    pscan_status status = pscan_context_resolve(opts->ctx, &ctx);
    if (status != PSCAN_OK)
        return status;
    int64_t threads =
        pscan_useful_threads(&ctx->tuning, opts->threads > 0 ? opts->threads : ctx->threads, total);
    r.ordered =
        !kernel->order_free && !(r.sat && r.sat->row && sums_exact(in->dtype, r.rows, r.cols));
    const bool sequential = opts->order == PSCAN_ORDER_SEQUENTIAL; /* no tiles */
    r.tile_cols = sequential ? r.cols : PSCAN_TILE;
    r.tile_rows = sequential ? r.rows : PSCAN_TILE;
    /* Where the order matters, fewer images than threads are cut into
     * column strips, as many as the image is wide and tall enough for;
     * narrower ones are left to the caller's slab path. */
    r.wavefront = r.ordered && r.images < threads;
    if (r.wavefront) {
        int64_t strips = r.cols / MIN_STRIP_COLS;
        strips = strips < threads ? strips : threads;
        while (strips >= 2 && r.rows < MIN_BATCHES_PER_STRIP * strips * batch_rows(r.cols / strips))
            strips--;
        if (strips < 2)
            return PSCAN_OK;
        threads = strips < threads ? strips : threads;
    }
    if (r.ordered) {
        const int64_t unit = 64 / (int64_t)r.acc;
        r.batch = batch_rows(r.cols / threads);
        r.chunk = CHUNK_ELEMS / r.batch / unit * unit;
    }
    /* Order-free, fewer images than threads: cut each into row blocks. */
    r.blocks = r.ordered || r.images >= threads ? 1 : (threads + r.images - 1) / r.images;
    if (r.blocks > r.rows)
        r.blocks = r.rows;
    r.strips = threads;
    r.strip_cols = (r.cols + r.strips - 1) / r.strips;
    const size_t row_bytes = (size_t)r.cols * r.acc;
    const int64_t units = r.images * r.blocks;
    const size_t reduced = r.blocks > 1 ? (size_t)units * row_bytes : 0;
    const size_t handed = r.wavefront ? (size_t)(threads - 1) * (size_t)r.rows * r.acc : 0;
    const size_t progress = r.wavefront ? (size_t)threads * sizeof(strip_progress) : 0;
    const bool big = (int64_t)out_bytes >= ctx->tuning.stream_min_bytes && in_lo != out_lo;
    r.stream = big && !r.ordered && (kernel->scan_stream || (r.sat && r.sat->row));
    r.copy = big && r.ordered ? pscan_kernel_stream_copy() : NULL;
    const size_t per_thread = r.ordered ? ordered_buffer_bytes(&r) : 2 * row_bytes;
    /* Scratch from the context's workspace, a region per use. */
    pscan_workspace *ws;
    if ((status = pscan_workspace_acquire(ctx, &ws)) != PSCAN_OK)
        return status;
    const size_t chunk_bytes = (size_t)threads * sizeof(pscan_chunk);
    const size_t arena = pscan_workspace_region_size(progress) +
                         pscan_workspace_region_size(reduced) +
                         2 * pscan_workspace_region_size(handed) +
                         pscan_workspace_region_size((size_t)threads * per_thread) +
                         pscan_workspace_region_size(chunk_bytes);
    if ((status = pscan_workspace_reserve_arena(ws, arena)) != PSCAN_OK) {
        pscan_workspace_release(ctx, ws);
        return status;
    }
    r.progress = pscan_workspace_carve(ws, progress);
    for (size_t k = 0; k < progress / sizeof(strip_progress); k++)
        atomic_init(&r.progress[k].rows, 0);
    r.reduced = pscan_workspace_carve(ws, reduced);
    r.handed_locals = pscan_workspace_carve(ws, handed);
    r.handed_prefixes = pscan_workspace_carve(ws, handed);
    r.buffers = pscan_workspace_carve(ws, (size_t)threads * per_thread);
    pscan_chunk *chunks = pscan_workspace_carve(ws, chunk_bytes);
    *fused = true;
    sat_team team = {&r, per_thread, units,
                     r.blocks > 1 ? r.images * (r.blocks - 1) * r.strips : 0};
    pscan_engine_team(ctx, (int)threads,
                      pscan_engine_team_binding(ctx, (int)threads, total, chunks), sat_member,
                      &team);
    pscan_workspace_release(ctx, ws);
    return PSCAN_OK;
}
