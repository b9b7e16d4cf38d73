/* stream.c - a scan fed chunk by chunk: the lanes' running results are the
 * carry of the next chunk's scan (pscan.h, advanced API), so chunks go through
 * the same engine, threads and tiles as one call. */
#include "dtype.h"
#include "layout.h"
#include "request.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct pscan_stream {
    pscan_op op;
    pscan_dtype dtype;
    pscan_stream_layout layout;
    int lane_ndim;
    int64_t lane_shape[PSCAN_MAX_DIMS];
    int64_t lanes;
    size_t itemsize;
    pscan_opts opts;
    bool started;         /* the first chunk has no carry: identity op x is
                              not x for every x (0.0 + -0.0 is +0.0) */
    unsigned char *carry; /* lanes values of dtype */
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
    if (!pscan_dtype_valid(dtype))
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
    if (read.flags)
        return PSCAN_EOPTS;
    int64_t lanes = 1;
    for (int d = 0; d < lane_ndim; d++) {
        if (lane_shape[d] < 0)
            return PSCAN_ESHAPE;
        if (lane_shape[d] > 0 && lanes > INT64_MAX / 16 / lane_shape[d])
            return PSCAN_ESIZE;
        lanes *= lane_shape[d];
    }
    pscan_stream *s = calloc(1, sizeof *s);
    if (!s)
        return PSCAN_ENOMEM;
    s->itemsize = pscan_dtype_size(dtype);
    s->carry = malloc(lanes > 0 ? (size_t)lanes * s->itemsize : 1);
    if (!s->carry) {
        free(s);
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
            n *= chunk->shape[d];
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

pscan_status pscan_stream_push(pscan_stream *s, const pscan_array *chunk, const pscan_array *out)
{
    if (!s || !chunk || !out)
        return PSCAN_ENULL;
    if (chunk->ndim < 0 || chunk->ndim > PSCAN_MAX_DIMS || out->ndim != chunk->ndim)
        return chunk->ndim < 0 || chunk->ndim > PSCAN_MAX_DIMS ? PSCAN_ENDIM : PSCAN_EOUTSHAPE;
    if (chunk->ndim > 0 && (!chunk->shape || !out->shape))
        return PSCAN_ENULL;
    for (int d = 0; d < chunk->ndim; d++) {
        if (chunk->shape[d] < 0)
            return PSCAN_ESHAPE;
        if (out->shape[d] != chunk->shape[d])
            return PSCAN_EOUTSHAPE;
    }
    if (out->dtype != s->dtype)
        return PSCAN_EDTYPE;
    int64_t count;
    pscan_status status = chunk_count(s, chunk, &count);
    if (status != PSCAN_OK)
        return status;
    if (!pscan_dtype_valid(chunk->dtype))
        return PSCAN_EDTYPE;
    if (!pscan_array_is_c_contiguous(chunk) || !pscan_array_is_c_contiguous(out))
        return PSCAN_ENOTSUP;
    if (count == 0 || s->lanes == 0)
        return PSCAN_OK;
    /* Every chunk as a 2-D C array: (steps, lanes) or (lanes, steps). */
    const bool steps = s->layout == PSCAN_STREAM_STEPS || s->lane_ndim == 0;
    const int64_t shape[2] = {steps ? count : s->lanes, steps ? s->lanes : count};
    const pscan_array in2 = {chunk->data, chunk->dtype, 2, shape, NULL};
    const pscan_array out2 = {out->data, out->dtype, 2, shape, NULL};
    const int axis = steps ? 0 : 1;
    status = s->started
                 ? pscan_scan_carry_axis(s->op, &in2, axis, s->dtype, &out2, &s->opts, s->carry)
                 : pscan_scan(s->op, &in2, axis, s->dtype, &out2, &s->opts);
    if (status != PSCAN_OK)
        return status;
    /* The new running results: out's last step of every lane. */
    const unsigned char *result = out->data;
    if (steps)
        memcpy(s->carry, result + (size_t)(count - 1) * (size_t)s->lanes * s->itemsize,
               (size_t)s->lanes * s->itemsize);
    else
        for (int64_t lane = 0; lane < s->lanes; lane++)
            memcpy(s->carry + (size_t)lane * s->itemsize,
                   result + ((size_t)lane * (size_t)count + (size_t)count - 1) * s->itemsize,
                   s->itemsize);
    s->started = true;
    return PSCAN_OK;
}

pscan_status pscan_stream_total(const pscan_stream *s, void *total)
{
    if (!s || !total)
        return PSCAN_ENULL;
    memcpy(total, s->carry, (size_t)s->lanes * s->itemsize);
    return PSCAN_OK;
}

pscan_status pscan_stream_set_total(pscan_stream *s, const void *total)
{
    if (!s || !total)
        return PSCAN_ENULL;
    memcpy(s->carry, total, (size_t)s->lanes * s->itemsize);
    s->started = true;
    return PSCAN_OK;
}

pscan_status pscan_stream_reset(pscan_stream *s)
{
    if (!s)
        return PSCAN_ENULL;
    for (int64_t lane = 0; lane < s->lanes; lane++)
        pscan_identity(s->op, s->dtype, s->carry + (size_t)lane * s->itemsize);
    s->started = false;
    return PSCAN_OK;
}

void pscan_stream_destroy(pscan_stream *s)
{
    if (!s)
        return;
    free(s->carry);
    free(s);
}
