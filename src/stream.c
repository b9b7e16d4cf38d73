/* stream.c - a scan fed chunk by chunk: each chunk is a piece (pscan.h,
 * advanced API) that starts every lane from the state the chunks before
 * it handed on, so chunks go through the same engine, threads and tiles as
 * one call, in any layout and with every flag a stream gives a meaning. */
#include "convert.h"
#include "dtype.h"
#include "layout.h"
#include "ops.h"
#include "request.h"
#include "scan_entry.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* REVERSE would need the chunks after this one first: no meaning here. */
enum {
    STREAM_FLAGS = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_SKIP_NAN |
                   PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_COMPENSATED
};

struct pscan_stream {
    pscan_op op;
    pscan_dtype dtype;
    pscan_stream_layout layout;
    int lane_ndim;
    int64_t lane_shape[PSCAN_MAX_DIMS];
    int64_t lanes;
    size_t state_bytes; /* per lane: the accumulator, or a compensated pair */
    pscan_opts opts;
    bool started;                /* the lanes have a state: identity op x is not x for
                      every x (0.0 + -0.0 is +0.0), so the first chunk
                      starts fresh */
    bool initial_done;           /* INCLUDE_INITIAL's identity went out with the first push */
    unsigned char *state, *next; /* lanes states each; next: a push's, kept
                                    only if it succeeds */
};

pscan_status pscan_stream_create(pscan_stream **out_stream, pscan_op op, pscan_dtype dtype,
                                 int lane_ndim, const int64_t *lane_shape,
                                 pscan_stream_layout layout, const pscan_opts *opts)
{
    if (!out_stream)
        return PSCAN_ENULL;
    *out_stream = NULL;
    if ((int)op < 0 || op >= PSCAN_OP_COUNT)
        return PSCAN_EOP;
    if (!pscan_op_accepts(op, dtype))
        return PSCAN_EDTYPE;
    if (lane_ndim < 0 || lane_ndim >= PSCAN_MAX_DIMS)
        return PSCAN_ENDIM;
    if (lane_ndim > 0 && !lane_shape)
        return PSCAN_ENULL;
    if (layout != PSCAN_STREAM_STEPS && layout != PSCAN_STREAM_LAST)
        return PSCAN_EOPTS;
    pscan_opts read;
    const pscan_status status = pscan_opts_read(opts, &read);
    if (status != PSCAN_OK)
        return status;
    if (read.flags & ~(unsigned)STREAM_FLAGS)
        return PSCAN_EOPTS;
    int64_t lanes = 1;
    for (int d = 0; d < lane_ndim; d++) {
        if (lane_shape[d] < 0)
            return PSCAN_ESHAPE;
        if (lane_shape[d] > 0 && lanes > INT64_MAX / 32 / lane_shape[d])
            return PSCAN_ESIZE;
        lanes *= lane_shape[d];
    }
    pscan_stream *s = calloc(1, sizeof *s);
    if (!s)
        return PSCAN_ENOMEM;
    s->state_bytes = pscan_state_bytes(op, dtype, &read);
    const size_t bytes = lanes > 0 ? (size_t)lanes * s->state_bytes : 1;
    s->state = malloc(bytes);
    s->next = malloc(bytes);
    if (!s->state || !s->next) {
        pscan_stream_destroy(s);
        return PSCAN_ENOMEM;
    }
    s->op = op;
    s->dtype = dtype;
    s->layout = layout;
    s->lane_ndim = lane_ndim;
    for (int d = 0; d < lane_ndim; d++)
        s->lane_shape[d] = lane_shape[d];
    s->lanes = lanes;
    s->opts = read;
    pscan_stream_reset(s);
    *out_stream = s;
    return PSCAN_OK;
}

/* The chunk's new steps per lane, if its shape fits the layout. */
static pscan_status chunk_count(const pscan_stream *s, const pscan_array *chunk, int64_t *count)
{
    if (s->lane_ndim == 0) { /* one lane: any shape, flattened */
        int64_t n = 1;
        for (int d = 0; d < chunk->ndim; d++)
            if (__builtin_mul_overflow(n, chunk->shape[d], &n) || n == INT64_MAX)
                return PSCAN_ESIZE; /* (one more for include-initial must fit) */
        *count = n;
        return PSCAN_OK;
    }
    if (chunk->ndim != s->lane_ndim + 1)
        return PSCAN_EOUTSHAPE;
    const int first_lane_dim = s->layout == PSCAN_STREAM_STEPS ? 1 : 0;
    for (int d = 0; d < s->lane_ndim; d++)
        if (chunk->shape[first_lane_dim + d] != s->lane_shape[d])
            return PSCAN_EOUTSHAPE;
    *count = chunk->shape[s->layout == PSCAN_STREAM_STEPS ? 0 : s->lane_ndim];
    return PSCAN_OK;
}

/* One lane's chunk is scanned flattened into a 1-D out: out itself where
 * its elements are one strided run in C order (a 1-D out, or one of the
 * chunk's shape), else a C-ordered scratch copied into out after. */
typedef struct flat_out {
    pscan_array array;
    int64_t len, stride;
    void *scratch; /* NULL: array is out */
} flat_out;

static pscan_status flatten_out(const pscan_array *out, int64_t len, flat_out *f)
{
    f->len = len;
    f->scratch = NULL;
    pscan_view view, run;
    pscan_status status = pscan_view_init(&view, out);
    if (status != PSCAN_OK)
        return status;
    if (pscan_view_flatten(&view, &run)) {
        f->stride = run.strides[0];
        f->array = (pscan_array){out->data, out->dtype, 1, &f->len, &f->stride};
        return PSCAN_OK;
    }
    f->scratch = malloc((size_t)len * pscan_dtype_size(out->dtype) + 1);
    if (!f->scratch)
        return PSCAN_ENOMEM;
    f->array = (pscan_array){f->scratch, out->dtype, 1, &f->len, NULL};
    return PSCAN_OK;
}

/* The scratch's elements into out, in out's C order. */
static void flat_out_finish(const pscan_array *out, flat_out *f, bool copy)
{
    if (!f->scratch)
        return;
    pscan_view view;
    (void)pscan_view_init(&view, out); /* initialised once already */
    const size_t item = pscan_dtype_size(out->dtype);
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = view.data;
    for (int64_t k = 0; copy && k < view.size; k++) {
        memcpy(at, (const char *)f->scratch + (size_t)k * item, item);
        pscan_view_step(&view, index, &at);
    }
    free(f->scratch);
}

pscan_status pscan_stream_push(pscan_stream *s, const pscan_array *chunk, const pscan_array *out)
{
    if (!s || !chunk || !out)
        return PSCAN_ENULL;
    if (chunk->ndim < 0 || chunk->ndim > PSCAN_MAX_DIMS || out->ndim < 0 ||
        out->ndim > PSCAN_MAX_DIMS)
        return PSCAN_ENDIM;
    if ((chunk->ndim > 0 && !chunk->shape) || (out->ndim > 0 && !out->shape))
        return PSCAN_ENULL;
    for (int d = 0; d < chunk->ndim; d++)
        if (chunk->shape[d] < 0)
            return PSCAN_ESHAPE;
    int64_t count;
    pscan_status status = chunk_count(s, chunk, &count);
    if (status != PSCAN_OK)
        return status;
    /* The first push of an INCLUDE_INITIAL stream has one more step out:
     * the identity. Its out is the chunk's shape one longer along the
     * steps; a single lane's, 1-D. */
    const bool initial = (s->opts.flags & PSCAN_FLAG_INCLUDE_INITIAL) && !s->initial_done;
    const bool one_lane = s->lane_ndim == 0;
    const int axis = one_lane                          ? PSCAN_AXIS_NONE
                     : s->layout == PSCAN_STREAM_STEPS ? 0
                                                       : s->lane_ndim;
    pscan_opts opts = s->opts;
    if (!initial)
        opts.flags &= ~(unsigned)PSCAN_FLAG_INCLUDE_INITIAL;
    pscan_array scan_out = *out;
    flat_out flat = {.scratch = NULL};
    if (one_lane) {
        const bool as_chunk = !initial && out->ndim == chunk->ndim;
        for (int d = 0; as_chunk && d < out->ndim; d++)
            if (out->shape[d] != chunk->shape[d])
                return PSCAN_EOUTSHAPE;
        if (!as_chunk && (out->ndim != 1 || out->shape[0] != count + (initial ? 1 : 0)))
            return PSCAN_EOUTSHAPE;
        if (as_chunk && (status = flatten_out(out, count, &flat)) != PSCAN_OK)
            return status;
        /* an out written through the scratch is one the scan never sees:
         * it gets one call's checks of an out of the chunk's shape */
        if (flat.scratch &&
            (status = pscan_scan_check(s->op, chunk, 0, s->dtype, out, &opts)) != PSCAN_OK) {
            flat_out_finish(out, &flat, false);
            return status;
        }
        if (as_chunk)
            scan_out = flat.array;
    }
    const pscan_piece piece = {s->started ? s->state : NULL, s->next};
    status = pscan_scan_entry(s->op, chunk, axis, s->dtype, &scan_out, &opts, &piece);
    flat_out_finish(out, &flat, status == PSCAN_OK);
    if (status != PSCAN_OK)
        return status;
    s->initial_done = true;
    if (count > 0 && s->lanes > 0) {
        unsigned char *kept = s->state;
        s->state = s->next;
        s->next = kept;
        s->started = true;
    }
    return PSCAN_OK;
}

/* Compensated streams keep pairs: totals go out rounded to the stream's
 * dtype and come in with a zero low part. */
static pscan_convert_fn total_conversion(const pscan_stream *s, bool out)
{
    if (!pscan_compensates(s->op, s->dtype, &s->opts))
        return NULL;
    return out ? pscan_convert_get_from_pair(s->dtype, s->dtype)
               : pscan_convert_get_to_pair(s->dtype, s->dtype);
}

pscan_status pscan_stream_total(const pscan_stream *s, void *total)
{
    if (!s || !total)
        return PSCAN_ENULL;
    if (pscan_op_is_arg(s->op)) /* a state is (count, index, value), not a result */
        return PSCAN_ENOTSUP;
    const pscan_convert_fn convert = total_conversion(s, true);
    const size_t item = pscan_dtype_size(s->dtype);
    if (convert)
        convert((const char *)s->state, (ptrdiff_t)s->state_bytes, total, (ptrdiff_t)item,
                (size_t)s->lanes);
    else
        memcpy(total, s->state, (size_t)s->lanes * item);
    return PSCAN_OK;
}

pscan_status pscan_stream_set_total(pscan_stream *s, const void *total)
{
    if (!s || !total)
        return PSCAN_ENULL;
    if (pscan_op_is_arg(s->op))
        return PSCAN_ENOTSUP;
    const pscan_convert_fn convert = total_conversion(s, false);
    const size_t item = pscan_dtype_size(s->dtype);
    if (convert)
        convert(total, (ptrdiff_t)item, (char *)s->state, (ptrdiff_t)s->state_bytes,
                (size_t)s->lanes);
    else
        memcpy(s->state, total, (size_t)s->lanes * item);
    s->started = true;
    return PSCAN_OK;
}

pscan_status pscan_stream_reset(pscan_stream *s)
{
    if (!s)
        return PSCAN_ENULL;
    for (int64_t lane = 0; lane < s->lanes; lane++)
        pscan_identity_state(s->op, s->dtype, &s->opts, s->state + (size_t)lane * s->state_bytes);
    s->started = false;
    s->initial_done = false;
    return PSCAN_OK;
}

void pscan_stream_destroy(pscan_stream *s)
{
    if (!s)
        return;
    free(s->state);
    free(s->next);
    free(s);
}
