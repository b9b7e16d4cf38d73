/* request.c - argument checks, once, for every entry point (request.h). */
#include "request.h"

#include "dtype.h"
#include "ops.h"
#include "workspace.h"

#include <string.h>

enum {
    KNOWN_FLAGS = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE |
                  PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_COMPENSATED
};

/* A size past this is no pscan_opts of any release: a struct that was not
 * started from PSCAN_OPTS_INIT. */
enum { MAX_OPTS_SIZE = 4096 };
_Static_assert(sizeof(pscan_opts) <= MAX_OPTS_SIZE, "this release's own pscan_opts is accepted");

pscan_status pscan_opts_read(const pscan_opts *user, pscan_opts *opts)
{
    static const pscan_opts defaults = PSCAN_OPTS_INIT;
    *opts = defaults;
    if (!user)
        return PSCAN_OK;
    /* This release's layout is the first one: nothing smaller exists. */
    if (user->size < sizeof *opts || user->size > MAX_OPTS_SIZE)
        return PSCAN_EOPTS;
    /* Fields of a newer release that this one does not know must be left
     * at their defaults (zero), or the caller asked for what is not here. */
    const unsigned char *bytes = (const unsigned char *)user;
    for (size_t b = sizeof *opts; b < user->size; b++)
        if (bytes[b])
            return PSCAN_EOPTS;
    memcpy(opts, user, sizeof *opts);
    opts->size = sizeof *opts;
    if (opts->threads < 0)
        return PSCAN_EOPTS;
    if (opts->order != PSCAN_ORDER_REPRODUCIBLE && opts->order != PSCAN_ORDER_SEQUENTIAL)
        return PSCAN_EOPTS;
    if (opts->casting != PSCAN_CASTING_UNSAFE && opts->casting != PSCAN_CASTING_SAME_KIND &&
        opts->casting != PSCAN_CASTING_SAFE)
        return PSCAN_EOPTS;
    if (opts->flags & ~(unsigned)KNOWN_FLAGS)
        return PSCAN_EOPTS;
    /* An exclusive scan one longer would repeat the identity: no meaning. */
    const unsigned both = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL;
    if ((opts->flags & both) == both)
        return PSCAN_EOPTS;
    return PSCAN_OK;
}

/* `typed`: the array's dtype is read (not a user-defined op's items). */
static pscan_status check_array(const pscan_array *array, bool typed)
{
    if (typed && !pscan_dtype_valid(array->dtype))
        return PSCAN_EDTYPE;
    if (array->ndim < 0 || array->ndim > PSCAN_MAX_DIMS)
        return PSCAN_ENDIM;
    if (array->ndim > 0 && !array->shape)
        return PSCAN_ENULL;
    for (int d = 0; d < array->ndim; d++)
        if (array->shape[d] < 0)
            return PSCAN_ESHAPE;
    return PSCAN_OK;
}

/* Normalise axis for an input of `ndim` dims (0-d counts as 1-D). */
static pscan_status resolve_axis(int axis, int ndim, int *resolved)
{
    int dims = ndim == 0 ? 1 : ndim;
    if (axis == PSCAN_AXIS_NONE) {
        *resolved = -1;
        return PSCAN_OK;
    }
    if (axis < -dims || axis >= dims)
        return PSCAN_EAXIS;
    *resolved = axis < 0 ? axis + dims : axis;
    return PSCAN_OK;
}

/* `extra`: 1 when out starts with an identity slice (include-initial). */
static pscan_status check_out_shape(const pscan_view *in, const pscan_view *out, int axis,
                                    bool flatten, int64_t extra)
{
    if (flatten)
        return out->ndim == 1 && out->shape[0] == in->size + extra ? PSCAN_OK : PSCAN_EOUTSHAPE;
    if (out->ndim != in->ndim)
        return PSCAN_EOUTSHAPE;
    for (int d = 0; d < in->ndim; d++)
        if (out->shape[d] != in->shape[d] + (d == axis ? extra : 0))
            return PSCAN_EOUTSHAPE;
    return PSCAN_OK;
}

/* out's elements must not share a byte. Where the strides alone cannot
 * say, every offset is listed in scratch from the context's workspace:
 * the context is resolved for that alone, so a layout the strides decide
 * still gets its status before any of the context's. */
static pscan_status check_out_disjoint(const pscan_view *out, pscan_context *requested)
{
    switch (pscan_view_self_overlap(out)) {
    case PSCAN_SELF_DISJOINT:
        return PSCAN_OK;
    case PSCAN_SELF_ALIASED:
        return PSCAN_EOUTALIAS;
    case PSCAN_SELF_UNPROVEN:
        break;
    }
    /* Narrow items can outnumber what a list of 8-byte offsets can address. */
    if ((uint64_t)out->size > SIZE_MAX / sizeof(int64_t))
        return PSCAN_ENOMEM;
    const size_t bytes = (size_t)out->size * sizeof(int64_t);
    pscan_context *ctx;
    pscan_workspace *ws;
    pscan_status status;
    if ((status = pscan_context_resolve(requested, &ctx)) != PSCAN_OK ||
        (status = pscan_workspace_acquire(ctx, &ws)) != PSCAN_OK)
        return status;
    status = pscan_workspace_reserve_arena(ws, pscan_workspace_region_size(bytes));
    if (status == PSCAN_OK)
        status = pscan_view_check_listed(out, pscan_workspace_carve(ws, bytes));
    pscan_workspace_release(ctx, ws);
    return status;
}

/* Every init; `out` NULL: a request without one (a reduction); itemsize
 * 0: typed arrays and an op, else a user-defined op's items of that size
 * (op, dtype and casting are not read). */
static pscan_status request_init(pscan_request *rq, pscan_op op, const pscan_array *in, int axis,
                                 pscan_dtype dtype, const pscan_array *out, const pscan_opts *opts,
                                 int64_t itemsize)
{
    const bool typed = itemsize == 0;
    pscan_status status;
    if ((status = pscan_opts_read(opts, &rq->opts)) != PSCAN_OK)
        return status;
    if (typed && ((int)op < 0 || op >= PSCAN_OP_COUNT))
        return PSCAN_EOP;
    rq->op = op;
    if (typed && dtype != PSCAN_DTYPE_DEFAULT && !pscan_dtype_valid(dtype))
        return PSCAN_EDTYPE;
    if ((status = check_array(in, typed)) != PSCAN_OK ||
        (out && (status = check_array(out, typed)) != PSCAN_OK))
        return status;
    if ((status = resolve_axis(axis, in->ndim, &rq->axis)) != PSCAN_OK)
        return status;
    rq->flatten = axis == PSCAN_AXIS_NONE;
    if ((status = typed ? pscan_view_init(&rq->in, in)
                        : pscan_view_init_sized(&rq->in, in, itemsize)) != PSCAN_OK)
        return status;
    if (!out) {
        rq->out = rq->in;
    } else {
        if (out->ndim == 0) /* a 0-d out is never a scan's result shape */
            return PSCAN_EOUTSHAPE;
        if ((status = typed ? pscan_view_init(&rq->out, out)
                            : pscan_view_init_sized(&rq->out, out, itemsize)) != PSCAN_OK)
            return status;
        const int64_t extra = rq->opts.flags & PSCAN_FLAG_INCLUDE_INITIAL ? 1 : 0;
        if ((status = check_out_shape(&rq->in, &rq->out, rq->axis, rq->flatten, extra)) != PSCAN_OK)
            return status;
    }
    if ((rq->in.size > 0 && !rq->in.data) || (rq->out.size > 0 && !rq->out.data))
        return PSCAN_ENULL;
    if (typed) {
        rq->acc = dtype == PSCAN_DTYPE_DEFAULT ? pscan_default_dtype(op, rq->in.dtype) : dtype;
        if (!pscan_op_accepts(op, rq->acc))
            return PSCAN_EDTYPE;
        if (!pscan_dtype_can_cast(rq->in.dtype, rq->acc, rq->opts.casting) ||
            (out && !pscan_dtype_can_cast(pscan_op_is_arg(op) ? PSCAN_INT64 : rq->acc,
                                          rq->out.dtype, rq->opts.casting)))
            return PSCAN_ECAST;
    } else {
        rq->acc = PSCAN_DTYPE_DEFAULT;
    }
    if (out && (status = check_out_disjoint(&rq->out, rq->opts.ctx)) != PSCAN_OK)
        return status;
    if ((status = pscan_context_resolve(rq->opts.ctx, &rq->ctx)) != PSCAN_OK)
        return status;
    rq->threads = rq->opts.threads > 0 ? rq->opts.threads : rq->ctx->threads;
    return PSCAN_OK;
}

pscan_status pscan_request_init(pscan_request *rq, pscan_op op, const pscan_array *in, int axis,
                                pscan_dtype dtype, const pscan_array *out, const pscan_opts *opts)
{
    if (!in || !out)
        return PSCAN_ENULL;
    return request_init(rq, op, in, axis, dtype, out, opts, 0);
}

pscan_status pscan_request_init_input(pscan_request *rq, pscan_op op, const pscan_array *in,
                                      int axis, pscan_dtype dtype, const pscan_opts *opts)
{
    if (!in)
        return PSCAN_ENULL;
    return request_init(rq, op, in, axis, dtype, NULL, opts, 0);
}

pscan_status pscan_request_init_items(pscan_request *rq, const pscan_array *in, int axis,
                                      size_t itemsize, const pscan_array *out,
                                      const pscan_opts *opts)
{
    if (!in || !out)
        return PSCAN_ENULL;
    if (itemsize == 0 || itemsize > INT64_MAX)
        return PSCAN_ESIZE;
    return request_init(rq, PSCAN_OP_COUNT, in, axis, PSCAN_DTYPE_DEFAULT, out, opts,
                        (int64_t)itemsize);
}
