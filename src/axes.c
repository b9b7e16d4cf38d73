/* axes.c - scans over several axes at once (a summed-area table is SUM
 * over axes 0 and 1): the same result as scanning along each axis in turn,
 * from the last axis to the first, but a slab of rows at a time, so the
 * slab is still in cache when its next axis is scanned. Axis 0 continues
 * from the previous slab's last row (pscan.h, advanced API); where float order
 * matters slabs hold whole 4096-row tiles, so the bits are those of the
 * chained scans. An axis and the last axis take the one-pass summed-area
 * table of src/engine/strips.c where it applies, the whole array or (with axis 0
 * beside them) each slab. */
#include "dtype.h"
#include "context.h"
#include "layout.h"
#include "request.h"
#include "engine/strips.h"
#include "workspace.h"

#include <stdlib.h>
#include <string.h>

/* The axes, normalised and sorted from last to first; PSCAN_OK or
 * PSCAN_EAXIS (out of range, repeated, or none). */
static pscan_status sorted_axes(int naxes, const int *axes, int ndim, int *sorted)
{
    const int dims = ndim == 0 ? 1 : ndim;
    if (naxes < 1 || naxes > dims)
        return PSCAN_EAXIS;
    for (int k = 0; k < naxes; k++) {
        if (axes[k] < -dims || axes[k] >= dims)
            return PSCAN_EAXIS;
        sorted[k] = axes[k] < 0 ? axes[k] + dims : axes[k];
    }
    for (int k = 1; k < naxes; k++) /* insertion sort, descending */
        for (int j = k; j > 0 && sorted[j] > sorted[j - 1]; j--) {
            int t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    for (int k = 1; k < naxes; k++)
        if (sorted[k] == sorted[k - 1])
            return PSCAN_EAXIS;
    return PSCAN_OK;
}

/* Each axis in turn over whole arrays: the first from in, the others in
 * place on out (or on an accumulator-typed scratch when out converts). */
static pscan_status chained(pscan_op op, const pscan_array *in, int naxes, const int *sorted,
                            pscan_dtype acc, const pscan_array *out, const pscan_opts *opts,
                            pscan_context *ctx)
{
    pscan_array stage = *out;
    pscan_workspace *ws = NULL;
    pscan_status status = PSCAN_OK;
    if (out->dtype != acc) {
        int64_t n = 1;
        for (int d = 0; d < in->ndim; d++)
            n *= in->shape[d];
        const size_t bytes = (size_t)n * pscan_dtype_size(acc);
        if ((status = pscan_workspace_acquire(ctx, &ws)) != PSCAN_OK)
            return status;
        if ((status = pscan_workspace_reserve_arena(ws, pscan_workspace_region_size(bytes))) !=
            PSCAN_OK) {
            pscan_workspace_release(ctx, ws);
            return status;
        }
        stage = (pscan_array){pscan_workspace_carve(ws, bytes), acc, in->ndim, in->shape, NULL};
    }
    for (int k = 0; k < naxes && status == PSCAN_OK; k++) {
        const pscan_array *from = k == 0 ? in : &stage;
        const pscan_array *to = ws && k == naxes - 1 ? out : &stage;
        status = pscan_scan(op, from, sorted[k], acc, to, opts);
    }
    if (ws)
        pscan_workspace_release(ctx, ws);
    return status;
}

pscan_status pscan_scan_axes(pscan_op op, const pscan_array *in, int naxes, const int *axes,
                             pscan_dtype dtype, const pscan_array *out, const pscan_opts *user_opts)
{
    if (!in || !out || !axes)
        return PSCAN_ENULL;
    if (in->ndim < 0 || in->ndim > PSCAN_MAX_DIMS)
        return PSCAN_ENDIM;
    pscan_opts read;
    pscan_status status = pscan_opts_read(user_opts, &read);
    if (status != PSCAN_OK)
        return status;
    const pscan_opts *opts = &read;
    if (opts->flags)
        return PSCAN_ENOTSUP;
    int sorted[PSCAN_MAX_DIMS];
    if ((status = sorted_axes(naxes, axes, in->ndim, sorted)) != PSCAN_OK)
        return status;
    if (naxes == 1)
        return pscan_scan(op, in, sorted[0], dtype, out, opts);
    /* Every check of the chained scans, before anything is written: the
     * first one's request (the others scan out, of the same shape, in the
     * accumulator's dtype). */
    pscan_request rq;
    if ((status = pscan_request_init(&rq, op, in, sorted[0], dtype, out, opts)) != PSCAN_OK)
        return status;
    const pscan_dtype acc = rq.acc;
    int64_t rows = in->shape[0], row_elems = 1;
    for (int d = 1; d < in->ndim; d++)
        row_elems *= in->shape[d];
    const bool fused = pscan_array_is_c_contiguous(in) && pscan_array_is_c_contiguous(out) &&
                       out->dtype == acc && rows > 0 && row_elems > 0;
    /* An axis and the last: one pass where src/engine/strips.c can. */
    if (naxes == 2 && sorted[0] == in->ndim - 1) {
        bool done;
        status = pscan_sat_scan(op, in, sorted[1], acc, out, opts, &done);
        if (status != PSCAN_OK || done)
            return status;
    }
    if (!fused)
        return chained(op, in, naxes, sorted, acc, out, opts, rq.ctx);

    /* Slabs of rows: the axes other than 0 inside the slab, then axis 0
     * on from the row before the slab. */
    const bool has_axis0 = sorted[naxes - 1] == 0;
    const size_t in_row = (size_t)row_elems * pscan_dtype_size(in->dtype);
    const size_t out_row = (size_t)row_elems * pscan_dtype_size(acc);
    const int64_t wanted = rq.ctx->tuning.slab_bytes / (int64_t)out_row;
    const int64_t per_slab = has_axis0 ? pscan_carry_piece_rows(op, acc, opts->order, wanted)
                                       : (wanted > 0 ? wanted : 1);
    int64_t shape[PSCAN_MAX_DIMS];
    memcpy(shape, in->shape, (size_t)in->ndim * sizeof *shape);
    for (int64_t first = 0; first < rows && status == PSCAN_OK; first += per_slab) {
        shape[0] = per_slab < rows - first ? per_slab : rows - first;
        const pscan_array slab_in = {(char *)in->data + (size_t)first * in_row, in->dtype, in->ndim,
                                     shape, NULL};
        const pscan_array slab_out = {(char *)out->data + (size_t)first * out_row, acc, in->ndim,
                                      shape, NULL};
        const int others = has_axis0 ? naxes - 1 : naxes;
        if (has_axis0 && others >= 2) /* fewer axes: the slab may take one pass */
            status = pscan_scan_axes(op, &slab_in, others, sorted, acc, &slab_out, opts);
        else
            for (int k = 0; k < others && status == PSCAN_OK; k++)
                status =
                    pscan_scan(op, k == 0 ? &slab_in : &slab_out, sorted[k], acc, &slab_out, opts);
        if (status != PSCAN_OK || !has_axis0)
            continue;
        const int64_t rows_shape[2] = {shape[0], row_elems};
        const pscan_array rows2 = {slab_out.data, acc, 2, rows_shape, NULL};
        status = first == 0 ? pscan_scan(op, &rows2, 0, acc, &rows2, opts)
                            : pscan_scan_carry(op, &rows2, acc, &rows2, opts,
                                               (const char *)slab_out.data - out_row);
    }
    return status;
}
