/* axes.c - scans over several axes at once (a summed-area table is SUM
 * over axes 0 and 1): the same result as scanning along each axis in turn,
 * from the last axis to the first, but a slab of rows at a time, so the
 * slab is still in cache when its next axis is scanned. Axis 0 continues
 * from the previous slab's last row (pscan.h, advanced API); where float order
 * matters slabs hold whole 4096-row tiles, so the bits are those of the
 * chained scans. An axis and the last axis take the one-pass summed-area
 * table of src/engine/strips.c where it applies, the whole array or (with axis 0
 * beside them) each slab. A call with flags runs its chain of scans
 * itself, each with the flags (chained()). */
#include "dtype.h"
#include "context.h"
#include "layout.h"
#include "ops.h"
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

/* `array` less its identity slice (index 0, the last index under
 * REVERSE) along each of the axes drop[0..ndrop): what an include-initial
 * chain reads and writes before it has scanned those axes. `array` is
 * valid (its C strides cannot overflow); shape and strides hold the
 * view's dims. false where a dropped axis has no slice to drop. */
static bool drop_initial(const pscan_array *array, int ndrop, const int *drop, bool reverse,
                         int64_t *shape, int64_t *strides, pscan_array *view)
{
    *view = *array;
    if (ndrop == 0)
        return true;
    int64_t step = (int64_t)pscan_dtype_size(array->dtype);
    for (int d = array->ndim - 1; d >= 0; d--) {
        shape[d] = array->shape[d];
        strides[d] = array->strides ? array->strides[d] : step;
        step *= shape[d];
    }
    char *data = array->data;
    for (int k = 0; k < ndrop; k++) {
        const int d = drop[k];
        if (d >= array->ndim || shape[d] < 1)
            return false;
        shape[d]--;
        if (!reverse && data)
            data += strides[d];
    }
    *view = (pscan_array){data, array->dtype, array->ndim, shape, strides};
    return true;
}

/* Include-initial: every check of the chain before anything is written.
 * out is one longer than in along every scanned axis; the first scan's
 * request (in into out less its identity slices along the other axes)
 * checks in, the dtypes, the casts and the shape, and the last scan's
 * (an accumulator-typed array of that scan's input shape into all of out)
 * checks that out's elements are disjoint and its data is there. */
static pscan_status check_initial(pscan_request *rq, pscan_op op, const pscan_array *in, int naxes,
                                  const int *sorted, pscan_dtype dtype, const pscan_array *out,
                                  const pscan_opts *opts)
{
    const bool reverse = opts->flags & PSCAN_FLAG_REVERSE;
    int64_t shape[PSCAN_MAX_DIMS], strides[PSCAN_MAX_DIMS];
    pscan_array first_out = *out;
    bool fits = out->ndim >= 1 && out->ndim <= PSCAN_MAX_DIMS && out->shape &&
                pscan_dtype_valid(out->dtype);
    for (int d = 0; fits && d < out->ndim; d++)
        fits = out->shape[d] >= 0;
    pscan_view out_view; /* out's strides spelled out, its extent checked */
    fits = fits && pscan_view_init(&out_view, out) == PSCAN_OK;
    if (fits) {
        const pscan_array explicit_out = {out_view.data, out->dtype, out_view.ndim, out_view.shape,
                                          out_view.strides};
        fits =
            drop_initial(&explicit_out, naxes - 1, sorted + 1, reverse, shape, strides, &first_out);
    }
    /* Out that cannot lose a slice along each other axis is the wrong
     * shape, unless its own checks find an earlier error. */
    pscan_status status =
        pscan_request_init(rq, op, in, sorted[0], dtype, fits ? &first_out : out, opts);
    if (status != PSCAN_OK || !fits)
        return status != PSCAN_OK ? status : PSCAN_EOUTSHAPE;
    const int last = sorted[naxes - 1];
    int64_t last_shape[PSCAN_MAX_DIMS];
    for (int d = 0; d < out->ndim; d++)
        last_shape[d] = out->shape[d] - (d == last ? 1 : 0);
    const pscan_array last_in = {out->data, rq->acc, out->ndim, last_shape, NULL};
    return pscan_scan_check(op, &last_in, last, rq->acc, out, opts);
}

/* Each axis in turn over whole arrays, last axis first: the first from
 * in, the others on a stage. The stage is out itself, or an
 * accumulator-typed scratch of out's shape (n elements) when out
 * converts or under the overflow check: then only the last scan writes
 * out, and it checks for overflow before its first store, so a chain
 * that overflows in any scan leaves out untouched. Under include-initial
 * a scan reads and writes the stage less its identity slices along the
 * axes not yet scanned, so the last one fills all of out. */
static pscan_status chained(pscan_op op, const pscan_array *in, int naxes, const int *sorted,
                            pscan_dtype acc, const pscan_array *out, const pscan_opts *opts,
                            pscan_context *ctx)
{
    const bool initial = opts->flags & PSCAN_FLAG_INCLUDE_INITIAL;
    const bool reverse = opts->flags & PSCAN_FLAG_REVERSE;
    pscan_array stage = *out;
    pscan_workspace *ws = NULL;
    pscan_status status = PSCAN_OK;
    /* Shifting flags make each in-place step overlap itself, which copies
     * its input first: that copy may fail, and must not fail after out
     * was written. */
    const unsigned staged =
        PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL;
    if (out->dtype != acc || (opts->flags & staged)) {
        int64_t n = 1;
        for (int d = 0; d < out->ndim; d++)
            n *= out->shape[d];
        const size_t bytes = (size_t)n * pscan_dtype_size(acc);
        if ((status = pscan_workspace_acquire(ctx, &ws)) != PSCAN_OK)
            return status;
        if ((status = pscan_workspace_reserve_arena(ws, pscan_workspace_region_size(bytes))) !=
            PSCAN_OK) {
            pscan_workspace_release(ctx, ws);
            return status;
        }
        stage = (pscan_array){pscan_workspace_carve(ws, bytes), acc, out->ndim, out->shape, NULL};
    }
    for (int k = 0; k < naxes && status == PSCAN_OK; k++) {
        int64_t from_shape[PSCAN_MAX_DIMS], from_strides[PSCAN_MAX_DIMS];
        int64_t to_shape[PSCAN_MAX_DIMS], to_strides[PSCAN_MAX_DIMS];
        pscan_array from = *in, to = *out;
        /* the stage has an identity slot along every axis; each scan
         * before the last leaves those of the axes after it alone */
        if (k > 0)
            (void)drop_initial(&stage, initial ? naxes - k : 0, sorted + k, reverse, from_shape,
                               from_strides, &from);
        if (!ws || k < naxes - 1)
            (void)drop_initial(&stage, initial ? naxes - k - 1 : 0, sorted + k + 1, reverse,
                               to_shape, to_strides, &to);
        status = pscan_scan(op, &from, sorted[k], acc, &to, opts);
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
    if (pscan_op_is_arg(op)) /* an index along several axes at once has no meaning */
        return PSCAN_EOP;
    int sorted[PSCAN_MAX_DIMS];
    if ((status = sorted_axes(naxes, axes, in->ndim, sorted)) != PSCAN_OK)
        return status;
    if (naxes == 1)
        return pscan_scan(op, in, sorted[0], dtype, out, opts);
    /* Every check of the chained scans, before anything is written: the
     * first one's request (the others scan out, of the same shape, in the
     * accumulator's dtype); include-initial checks its shapes itself. */
    pscan_request rq;
    status = opts->flags & PSCAN_FLAG_INCLUDE_INITIAL
                 ? check_initial(&rq, op, in, naxes, sorted, dtype, out, opts)
                 : pscan_request_init(&rq, op, in, sorted[0], dtype, out, opts);
    if (status != PSCAN_OK)
        return status;
    const pscan_dtype acc = rq.acc;
    /* A sum over an axis and the last under include-initial alone
     * (OpenCV's integral layout): one pass where src/engine/strips.c can. */
    if (opts->flags == PSCAN_FLAG_INCLUDE_INITIAL && op == PSCAN_SUM && naxes == 2 &&
        sorted[0] == in->ndim - 1) {
        bool done;
        status = pscan_sat_scan(op, in, sorted[1], acc, out, opts, &done);
        if (status != PSCAN_OK || done)
            return status;
    }
    /* The slab path knows no flags: a flagged call is its chain. */
    if (opts->flags)
        return chained(op, in, naxes, sorted, acc, out, opts, rq.ctx);
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
