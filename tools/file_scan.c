/* file_scan.c - slabs of mapped files through the library.
 *
 * The file is walked in its own order (C order of the shape, or of the
 * reversed shape for Fortran order), so every slab is a contiguous run of
 * both files:
 *   - scans along a faster dimension take whole rows of the slowest one
 *     per call, or recurse into one row when a row is itself too big;
 *   - scans along the slowest dimension (and axis=None in C order) take
 *     pieces of the lanes, each started from the previous piece's last
 *     row; exclusive and include-initial results land one row further
 *     on, the identity row is written last.
 * axis=None over a Fortran-ordered array of 2+ dims flattens in C order,
 * across the file's order: that case is one call over the whole mapping,
 * as are an arg scan under --reverse and a segmented scan. */
#define _GNU_SOURCE
/* Slabs continue from the previous slab's carry state. */
#define PSCAN_ADVANCED_API

#include "file_scan.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct driver {
    const file_scan_request *request;
    const unsigned char *map; /* the input mapped, or NULL: `reader` */
    in_reader reader;
    int read_error; /* errno of a failed read */
    pscan_dtype in_dtype;
    size_t in_item, out_item;
    bool swap;              /* big-endian input: swap each slab first */
    unsigned char *swapped; /* the swapped slab */
    size_t swapped_capacity;
    uint64_t done, total; /* input bytes */
    size_t page;
    out_writer writer; /* results go to the file from here */
    int write_error;   /* errno of a failed write */
} driver;

static int64_t product(const int64_t *dims, int n)
{
    int64_t p = 1;
    for (int d = 0; d < n; d++)
        p *= dims[d];
    return p;
}

/* The status of a load that returned NULL (an allocation failure inside
 * the reader counts as one of the tool's, not as a failed read). */
static pscan_status load_failed(driver *d)
{
    if (d->read_error == ENOMEM)
        d->read_error = 0;
    return d->read_error ? PSCAN_ENOTSUP : PSCAN_ENOMEM;
}

/* Byte-reverse each of the `bytes / part` parts (complex: each half). */
static void swap_bytes(unsigned char *dst, const unsigned char *src, size_t bytes, size_t part)
{
    for (size_t at = 0; at < bytes; at += part)
        for (size_t k = 0; k < part; k++)
            dst[at + k] = src[at + part - 1 - k];
}

/* The slab's input in native byte order: the mapping itself, a swapped
 * copy, or what the reader read. NULL: no memory, or d->read_error. */
static const unsigned char *load(driver *d, uint64_t offset, size_t bytes)
{
    if (!d->map) {
        static const unsigned char nothing[1];
        return bytes == 0 ? nothing : in_reader_get(&d->reader, offset, bytes, &d->read_error);
    }
    const unsigned char *at = d->map + offset;
    if (!d->swap || bytes == 0)
        return at;
    if (bytes > d->swapped_capacity) {
        unsigned char *grown = realloc(d->swapped, bytes);
        if (!grown)
            return NULL;
        d->swapped = grown;
        d->swapped_capacity = bytes;
    }
    const bool complex = d->in_dtype == PSCAN_COMPLEX64 || d->in_dtype == PSCAN_COMPLEX128;
    swap_bytes(d->swapped, at, bytes, complex ? d->in_item / 2 : d->in_item);
    return d->swapped;
}

/* Drop a finished range's pages from this process (they stay in the page
 * cache; dirty output pages are written back as usual). The page that
 * holds `end` may still be needed, so it stays. */
static void release(const driver *d, uint64_t offset, size_t bytes)
{
    if (!d->map)
        return;
    const unsigned char *start = d->map + offset;
    uintptr_t lo = (uintptr_t)start & ~(uintptr_t)(d->page - 1);
    uintptr_t hi = ((uintptr_t)start + bytes) & ~(uintptr_t)(d->page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Hand a slab's results (in the writer's current buffer) to the file and
 * drop its input pages. PSCAN_OK, or PSCAN_ENOTSUP standing for "a write
 * failed" (d->write_error says why). */
static pscan_status slab_done(driver *d, uint64_t in, size_t in_bytes, size_t out_bytes,
                              uint64_t out_offset)
{
    release(d, in, in_bytes);
    if ((d->write_error = out_writer_submit(&d->writer, out_bytes, out_offset)) != 0)
        return PSCAN_ENOTSUP;
    d->done += in_bytes;
    if (d->request->progress)
        d->request->progress(d->request->progress_context, d->done, d->total);
    return PSCAN_OK;
}

static pscan_array c_array(const void *data, pscan_dtype dtype, int ndim, const int64_t *shape)
{
    pscan_array a = {(void *)(uintptr_t)data, dtype, ndim, shape, NULL};
    return a;
}

/* `rows` rows of `width` elements scanned down their columns (the file's
 * slowest dimension), out having `out_rows` rows. */
static pscan_status scan_lanes(driver *d, uint64_t in, uint64_t out, int64_t rows, int64_t out_rows,
                               int64_t width)
{
    const file_scan_request *rq = d->request;
    const unsigned flags = rq->opts.flags;
    const bool reverse = flags & PSCAN_FLAG_REVERSE, exclusive = flags & PSCAN_FLAG_EXCLUSIVE;
    const bool initial = flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL);
    if (width == 0)
        return PSCAN_OK;
    /* In rows [lo, hi) are scanned inclusively into out rows + shift. */
    const int64_t lo = reverse && exclusive ? 1 : 0;
    const int64_t hi = !reverse && exclusive ? rows - 1 : rows;
    const int64_t shift = !initial ? 0 : !reverse ? 1 : exclusive ? -1 : 0;
    const int64_t identity_row = !reverse ? 0 : out_rows - 1;
    const size_t in_row = (size_t)width * d->in_item, out_row = (size_t)width * d->out_item;

    const int64_t per_slab =
        pscan_carry_piece_rows(rq->op, rq->acc, rq->opts.order, (int64_t)(rq->slab_bytes / in_row));
    pscan_opts opts = rq->opts;
    opts.flags = flags & (PSCAN_FLAG_REVERSE | PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_CHECK_OVERFLOW |
                          PSCAN_FLAG_COMPENSATED);
    /* Each slab goes on from the engine's state after the one before: the
     * accumulators, or a compensated sum's pairs (pscan.h, advanced API). */
    const size_t state_bytes =
        (size_t)width * pscan_scan_state_size(rq->op, d->in_dtype, rq->acc, &opts);
    unsigned char *carry = malloc(2 * state_bytes), *next = carry + state_bytes;
    if (!carry)
        return PSCAN_ENOMEM;
    unsigned char *const states = carry;
    pscan_status status = PSCAN_OK;
    for (int64_t done = 0; done < hi - lo && status == PSCAN_OK;) {
        const int64_t len = per_slab < hi - lo - done ? per_slab : hi - lo - done;
        const int64_t first = reverse ? hi - done - len : lo + done;
        const int64_t shape[2] = {len, width};
        const unsigned char *src = load(d, in + (uint64_t)first * in_row, (size_t)len * in_row);
        if (!src) {
            status = load_failed(d);
            break;
        }
        unsigned char *dst = out_writer_buffer(&d->writer, (size_t)len * out_row);
        if (!dst) {
            status = PSCAN_ENOMEM;
            break;
        }
        pscan_array a_in = c_array(src, d->in_dtype, 2, shape),
                    a_out = c_array(dst, rq->out_dtype, 2, shape);
        status = pscan_scan_carry_state(rq->op, &a_in, 0, rq->acc, &a_out, &opts,
                                        done == 0 ? NULL : carry, next);
        if (status != PSCAN_OK)
            break;
        unsigned char *t = carry;
        carry = next;
        next = t;
        status = slab_done(d, in + (uint64_t)first * in_row, (size_t)len * in_row,
                           (size_t)len * out_row, out + (uint64_t)(first + shift) * out_row);
        done += len;
    }
    if (status == PSCAN_OK && initial && out_rows > 0) {
        unsigned char identity[16], *row = out_writer_buffer(&d->writer, out_row);
        if (!row) {
            free(states);
            return PSCAN_ENOMEM;
        }
        pscan_identity(rq->op, rq->out_dtype, identity);
        for (int64_t k = 0; k < width; k++)
            memcpy(row + (size_t)k * d->out_item, identity, d->out_item);
        status = slab_done(d, in, 0, out_row, out + (uint64_t)identity_row * out_row);
    }
    free(states);
    return status;
}

/* A C-ordered block of `ndim` dims scanned along `axis`. */
static pscan_status scan_block(driver *d, uint64_t in, uint64_t out, int ndim,
                               const int64_t *in_dims, const int64_t *out_dims, int axis)
{
    assert(ndim >= 1 && axis >= 0 && axis < ndim); /* the tool resolved axis against the header */
    if (axis == 0)
        return scan_lanes(d, in, out, in_dims[0], out_dims[0], product(in_dims + 1, ndim - 1));
    const size_t in_row = (size_t)product(in_dims + 1, ndim - 1) * d->in_item;
    const size_t out_row = (size_t)product(out_dims + 1, ndim - 1) * d->out_item;
    if (in_row > d->request->slab_bytes) { /* one row is too big: go inside */
        for (int64_t r = 0; r < in_dims[0]; r++) {
            pscan_status status =
                scan_block(d, in + (uint64_t)r * in_row, out + (uint64_t)r * out_row, ndim - 1,
                           in_dims + 1, out_dims + 1, axis - 1);
            if (status != PSCAN_OK)
                return status;
        }
        return PSCAN_OK;
    }
    const int64_t per_slab = in_row ? (int64_t)(d->request->slab_bytes / in_row) : in_dims[0];
    int64_t in_shape[PSCAN_MAX_DIMS], out_shape[PSCAN_MAX_DIMS];
    memcpy(in_shape, in_dims, (size_t)ndim * sizeof *in_dims);
    memcpy(out_shape, out_dims, (size_t)ndim * sizeof *out_dims);
    for (int64_t first = 0; first < in_dims[0] || (first == 0 && in_dims[0] == 0);) {
        const int64_t len = per_slab < in_dims[0] - first ? per_slab : in_dims[0] - first;
        in_shape[0] = out_shape[0] = len;
        const unsigned char *src = load(d, in + (uint64_t)first * in_row, (size_t)len * in_row);
        if (!src)
            return load_failed(d);
        unsigned char *dst = out_writer_buffer(&d->writer, (size_t)len * out_row);
        if (!dst)
            return PSCAN_ENOMEM;
        pscan_array a_in = c_array(src, d->in_dtype, ndim, in_shape);
        pscan_array a_out = c_array(dst, d->request->out_dtype, ndim, out_shape);
        pscan_status status =
            pscan_scan(d->request->op, &a_in, axis, d->request->acc, &a_out, &d->request->opts);
        if (status == PSCAN_OK)
            status = slab_done(d, in + (uint64_t)first * in_row, (size_t)len * in_row,
                               (size_t)len * out_row, out + (uint64_t)first * out_row);
        if (status != PSCAN_OK)
            return status;
        if (len == 0)
            break;
        first += len;
    }
    return PSCAN_OK;
}

/* The file's strides in bytes of `item`, C or Fortran order. */
static void file_strides(const pscan_npy_header *h, size_t item, int64_t *strides)
{
    int64_t stride = (int64_t)item;
    for (int k = 0; k < h->ndim; k++) {
        const int d = h->fortran_order ? k : h->ndim - 1 - k;
        strides[d] = stride;
        stride *= h->shape[d];
    }
}

/* axis=None across a Fortran order: one call over logical views. */
static pscan_status scan_fortran_flat(driver *d, const scan_source *in, const scan_sink *out)
{
    const pscan_npy_header *h = &in->header;
    int64_t strides[PSCAN_MAX_DIMS];
    file_strides(h, d->in_item, strides);
    const unsigned char *src = load(d, 0, (size_t)in->data_bytes);
    if (!src)
        return load_failed(d);
    const int64_t out_len = (int64_t)(out->data_bytes / d->out_item);
    unsigned char *dst = out_writer_buffer(&d->writer, (size_t)out->data_bytes);
    if (!dst)
        return PSCAN_ENOMEM;
    pscan_array a_in = {(void *)(uintptr_t)src, d->in_dtype, h->ndim, h->shape, strides};
    pscan_array a_out = c_array(dst, d->request->out_dtype, 1, &out_len);
    pscan_status status = pscan_scan(d->request->op, &a_in, PSCAN_AXIS_NONE, d->request->acc,
                                     &a_out, &d->request->opts);
    if (status == PSCAN_OK)
        status = slab_done(d, 0, (size_t)in->data_bytes, (size_t)out->data_bytes, 0);
    return status;
}

/* One call over the whole file (the result is held in memory; the input
 * stays mapped): several axes (pscan_scan_axes), an arg scan under
 * --reverse, as its pieces cannot carry indexes counted from an end not
 * yet read (PSCAN_ENOTSUP), and a segmented scan. */
static pscan_status scan_whole(driver *d, const scan_source *in, const scan_sink *out)
{
    const pscan_npy_header *h = &in->header;
    pscan_npy_header result; /* out's shape: flags may lengthen it */
    file_scan_result_header(h, d->request, &result);
    int64_t in_strides[PSCAN_MAX_DIMS], out_strides[PSCAN_MAX_DIMS];
    file_strides(h, d->in_item, in_strides);
    file_strides(&result, d->out_item, out_strides);
    const unsigned char *src = load(d, 0, (size_t)in->data_bytes);
    if (!src)
        return load_failed(d);
    unsigned char *dst = out_writer_buffer(&d->writer, (size_t)out->data_bytes);
    if (!dst)
        return PSCAN_ENOMEM;
    const bool flat = d->request->axis == PSCAN_AXIS_NONE || h->ndim == 0;
    pscan_array a_in = {(void *)(uintptr_t)src, d->in_dtype, h->ndim, h->shape, in_strides};
    pscan_array a_out = {dst, d->request->out_dtype, result.ndim, result.shape, out_strides};
    const int axis = flat ? PSCAN_AXIS_NONE : d->request->axis;
    const file_scan_request *rq = d->request;
    pscan_status status =
        rq->naxes > 1
            ? pscan_scan_axes(rq->op, &a_in, rq->naxes, rq->axes, rq->acc, &a_out, &rq->opts)
        : d->request->segments
            ? pscan_scan_segmented(d->request->op, &a_in, axis, d->request->acc, &a_out,
                                   d->request->segments, &d->request->opts)
            : pscan_scan(d->request->op, &a_in, axis, d->request->acc, &a_out, &d->request->opts);
    if (status == PSCAN_OK)
        status = slab_done(d, 0, (size_t)in->data_bytes, (size_t)out->data_bytes, 0);
    return status;
}

void file_scan_result_header(const pscan_npy_header *in, const file_scan_request *request,
                             pscan_npy_header *out)
{
    const int64_t extra = request->opts.flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0;
    memset(out, 0, sizeof *out);
    out->major = 1;
    out->dtype = request->out_dtype;
    if (request->naxes <= 1 && (request->axis == PSCAN_AXIS_NONE || in->ndim == 0)) {
        int64_t n = 1;
        for (int k = 0; k < in->ndim; k++)
            n *= in->shape[k];
        out->ndim = 1;
        out->shape[0] = n + extra;
        return;
    }
    out->ndim = in->ndim;
    out->fortran_order = in->fortran_order;
    memcpy(out->shape, in->shape, (size_t)in->ndim * sizeof *in->shape);
    /* include-initial: one longer along every scanned axis */
    for (int k = 0; k < (request->naxes > 1 ? request->naxes : 1); k++)
        out->shape[request->naxes > 1 ? request->axes[k] : request->axis] += extra;
}

pscan_status file_scan_run(const scan_source *in, const scan_sink *out,
                           const file_scan_request *request, file_scan_error *error)
{
    const pscan_npy_header *h = &in->header;
    memset(error, 0, sizeof *error);
    driver d = {
        .request = request,
        .map = in->map,
        .in_dtype = h->dtype,
        .in_item = pscan_dtype_size(h->dtype),
        .out_item = pscan_dtype_size(request->out_dtype),
        .total = in->data_bytes,
        .page = (size_t)sysconf(_SC_PAGESIZE),
    };
    d.swap = in->map && h->big_endian && d.in_item > 1;
    const bool reads = !in->map && in->data_bytes > 0;
    /* A thread that cannot start (EAGAIN: no memory for its stack or its
     * thread data) is the tool's own shortage, not a failed read or
     * write: reported as out of memory, like a scratch buffer. */
    if (reads && in_reader_start(&d.reader, in->read, in->self, in->data_bytes) != 0)
        return PSCAN_ENOMEM;
    if (out_writer_start(&d.writer, out->fd, out->base, out->write, out->self) != 0) {
        if (reads)
            in_reader_finish(&d.reader);
        return PSCAN_ENOMEM;
    }
    pscan_status status;
    const bool arg_reverse = (request->op == PSCAN_ARGMAX || request->op == PSCAN_ARGMIN) &&
                             (request->opts.flags & PSCAN_FLAG_REVERSE);
    if (request->naxes > 1 || request->segments || arg_reverse) {
        status = scan_whole(&d, in, out);
    } else if (request->axis == PSCAN_AXIS_NONE && h->fortran_order && h->ndim >= 2) {
        status = scan_fortran_flat(&d, in, out);
    } else if (request->axis == PSCAN_AXIS_NONE || h->ndim == 0) {
        const int64_t n = (int64_t)(in->data_bytes / d.in_item);
        status = scan_lanes(&d, 0, 0, n, (int64_t)(out->data_bytes / d.out_item), 1);
    } else {
        /* The file's own order: C order of the shape, reversed if Fortran. */
        int64_t in_dims[PSCAN_MAX_DIMS], out_dims[PSCAN_MAX_DIMS];
        pscan_npy_header result;
        file_scan_result_header(h, request, &result);
        for (int k = 0; k < h->ndim; k++) {
            const int from = h->fortran_order ? h->ndim - 1 - k : k;
            in_dims[k] = h->shape[from];
            out_dims[k] = result.shape[from];
        }
        const int axis = h->fortran_order ? h->ndim - 1 - request->axis : request->axis;
        status = scan_block(&d, 0, 0, h->ndim, in_dims, out_dims, axis);
    }
    /* The last write may fail too. */
    const int last_error = out_writer_finish(&d.writer);
    if (status == PSCAN_OK && last_error) {
        d.write_error = last_error;
        status = PSCAN_ENOTSUP;
    }
    if (reads)
        in_reader_finish(&d.reader);
    error->write_error = d.write_error;
    error->read_error = d.read_error;
    free(d.swapped);
    return status;
}
