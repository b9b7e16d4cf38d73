/* api.c - the only door in: argument checks, dtype resolution, overlap
 * handling, then one plan handed to the engine. Every check happens before
 * the first write, so an error leaves `out` untouched. */
#include "context.h"
#include "dtype.h"
#include "engine.h"
#include "layout.h"
#include "workspace.h"

#include <stdlib.h>

static const char *const status_text[PSCAN_STATUS_COUNT] = {
    [PSCAN_OK] = "success",
    [PSCAN_ENULL] = "a required pointer (array, data, shape or out) is NULL",
    [PSCAN_ENDIM] = "ndim is outside 0..PSCAN_MAX_DIMS (64)",
    [PSCAN_ESHAPE] = "an array dimension is negative",
    [PSCAN_EAXIS] = "axis is out of range for the input's number of dimensions",
    [PSCAN_EOUTSHAPE] = "out's ndim or shape does not match the result's",
    [PSCAN_EDTYPE] = "not a valid element type (DEFAULT is only valid as the dtype argument)",
    [PSCAN_ECAST] = "the input, accumulator and out dtypes cannot be cast under opts.casting",
    [PSCAN_ESIZE] = "element count, byte extent or address range overflows",
    [PSCAN_EOUTALIAS] = "out has elements that share memory (zero or overlapping strides)",
    [PSCAN_EOP] = "not a valid scan operation",
    [PSCAN_EOPTS] = "invalid option (threads < 0, unknown order, casting or flag bits)",
    [PSCAN_ENOTSUP] = "valid request that this build of pscan does not implement",
    [PSCAN_ENOMEM] = "out of memory for a scratch buffer",
    [PSCAN_EOVERFLOW] = "an integer partial result overflowed its accumulator",
    [PSCAN_ETOPOLOGY] = "the hardware topology could not be loaded",
};

const char *pscan_strerror(pscan_status s)
{
    if ((int)s >= 0 && s < PSCAN_STATUS_COUNT && status_text[s])
        return status_text[s];
    return "unknown pscan status";
}

const char *pscan_version(void)
{
    return PSCAN_VERSION_STRING;
}

enum {
    KNOWN_FLAGS = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE |
                  PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_CHECK_OVERFLOW | PSCAN_FLAG_COMPENSATED,
    /* Flags the engine implements so far. */
    SUPPORTED_FLAGS = 0
};

static pscan_status check_opts(const pscan_opts *opts)
{
    if (opts->threads < 0)
        return PSCAN_EOPTS;
    if (opts->order != PSCAN_ORDER_REPRODUCIBLE && opts->order != PSCAN_ORDER_SEQUENTIAL)
        return PSCAN_EOPTS;
    if (opts->casting != PSCAN_CASTING_UNSAFE && opts->casting != PSCAN_CASTING_SAME_KIND &&
        opts->casting != PSCAN_CASTING_SAFE)
        return PSCAN_EOPTS;
    if (opts->flags & ~(unsigned)KNOWN_FLAGS)
        return PSCAN_EOPTS;
    return PSCAN_OK;
}

static pscan_status check_array(const pscan_array *array)
{
    if (!pscan_dtype_valid(array->dtype))
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

static pscan_status check_out_shape(const pscan_view *in, const pscan_view *out, bool flatten)
{
    if (flatten)
        return out->ndim == 1 && out->shape[0] == in->size ? PSCAN_OK : PSCAN_EOUTSHAPE;
    if (out->ndim != in->ndim)
        return PSCAN_EOUTSHAPE;
    for (int d = 0; d < in->ndim; d++)
        if (out->shape[d] != in->shape[d])
            return PSCAN_EOUTSHAPE;
    return PSCAN_OK;
}

static bool spans_intersect(const pscan_view *a, const pscan_view *b)
{
    uintptr_t a_lo, a_hi, b_lo, b_hi;
    pscan_view_span(a, &a_lo, &a_hi);
    pscan_view_span(b, &b_lo, &b_hi);
    return a_lo < a_hi && b_lo < b_hi && a_lo < b_hi && b_lo < a_hi;
}

/* Reserve what a prepared job needs, then run it. */
static pscan_status run_job(const pscan_plan *plan, pscan_job *job, pscan_workspace *ws)
{
    pscan_engine_prepare(plan, job);
    /* Never an empty scratch: threads index into it even when they use
     * none of it. */
    size_t scratch = job->scratch_per_thread * (size_t)job->team + 64;
    pscan_status status = pscan_workspace_reserve(ws, job->descriptor_bytes, scratch);
    if (status == PSCAN_OK)
        pscan_engine_run(plan, job, ws);
    return status;
}

/* Copy `in` into fresh C-contiguous memory (the one n-sized scratch: numpy
 * copies the input too when out overlaps it other than exactly). */
static pscan_status snapshot_input(pscan_view *in, pscan_workspace *ws, void **scratch)
{
    const size_t itemsize = pscan_dtype_size(in->dtype);
    void *copy = malloc((size_t)in->size * itemsize);
    if (!copy)
        return PSCAN_ENOMEM;
    /* Both views below span no more bytes than `in`, which passed the size
     * checks, so building them cannot fail; the statuses are kept anyway. */
    const int64_t flat_len = in->size;
    const pscan_array flat_array = {copy, in->dtype, 1, &flat_len, NULL};
    int64_t shape[PSCAN_MAX_DIMS];
    for (int d = 0; d < in->ndim; d++)
        shape[d] = in->shape[d];
    const pscan_array copy_array = {copy, in->dtype, in->ndim, shape, NULL};
    pscan_view flat, copied;
    pscan_status status = pscan_view_init(&flat, &flat_array);
    if (status == PSCAN_OK)
        status = pscan_view_init(&copied, &copy_array);
    if (status == PSCAN_OK) {
        pscan_plan plan;
        pscan_plan_build(&plan, in, &flat, 0, true);
        pscan_convert_fn same = pscan_convert_get(in->dtype, in->dtype);
        pscan_job copy_job = {.kernel = NULL, .load = same, .store = same, .acc_size = itemsize,
                              .same_types = true, .sequential = false, .threads = 1};
        status = run_job(&plan, &copy_job, ws);
    }
    if (status != PSCAN_OK) {
        free(copy);
        return status;
    }
    *in = copied; /* the input is now the copy: C order, same shape */
    *scratch = copy;
    return PSCAN_OK;
}

/* Everything after the checks: plan, overlap copy, job. */
static pscan_status scan_checked(pscan_op op, pscan_view *in, const pscan_view *out,
                                 int resolved_axis, bool flatten, pscan_dtype acc,
                                 const pscan_opts *opts, pscan_context *ctx,
                                 pscan_workspace *ws)
{
    pscan_plan plan;
    pscan_status status = PSCAN_OK;
    pscan_plan_build(&plan, in, out, resolved_axis, flatten);
    void *scratch = NULL;
    if (spans_intersect(in, out) &&
        !pscan_plan_is_in_place(&plan, pscan_dtype_size(in->dtype), pscan_dtype_size(out->dtype))) {
        if ((status = snapshot_input(in, ws, &scratch)) != PSCAN_OK)
            return status;
        pscan_plan_build(&plan, in, out, resolved_axis, flatten);
    }

    const bool order_matters = pscan_dtype_is_inexact(acc) && (op == PSCAN_SUM || op == PSCAN_PROD);
    /* Field by field: a zeroing initialiser of the whole job costs a
     * `rep stos` that is a quarter of a small call's time. */
    pscan_job job;
    job.kernel = pscan_kernel_get(op, acc);
    job.load = pscan_convert_get(in->dtype, acc);
    job.store = pscan_convert_get(acc, out->dtype);
    job.acc_size = pscan_dtype_size(acc);
    job.same_types = in->dtype == acc && out->dtype == acc;
    job.sequential = order_matters && opts->order == PSCAN_ORDER_SEQUENTIAL;
    job.threads = opts->threads > 0 ? opts->threads : ctx->threads;
    status = run_job(&plan, &job, ws);
    free(scratch);
    return status;
}

pscan_status pscan_scan(pscan_op op, const pscan_array *in_array, int axis, pscan_dtype dtype,
                        const pscan_array *out_array, const pscan_opts *user_opts)
{
    static const pscan_opts default_opts = PSCAN_OPTS_INIT;
    const pscan_opts *opts = user_opts ? user_opts : &default_opts;
    pscan_status status;
    if (!in_array || !out_array)
        return PSCAN_ENULL;
    if ((status = check_opts(opts)) != PSCAN_OK)
        return status;
    /* Before the shape checks: some flags change the result's shape. */
    if (opts->flags & ~(unsigned)SUPPORTED_FLAGS)
        return PSCAN_ENOTSUP;
    if ((int)op < 0 || op >= PSCAN_OP_COUNT)
        return PSCAN_EOP;
    if (dtype != PSCAN_DTYPE_DEFAULT && !pscan_dtype_valid(dtype))
        return PSCAN_EDTYPE;
    if ((status = check_array(in_array)) != PSCAN_OK ||
        (status = check_array(out_array)) != PSCAN_OK)
        return status;

    int resolved_axis;
    if ((status = resolve_axis(axis, in_array->ndim, &resolved_axis)) != PSCAN_OK)
        return status;
    const bool flatten = axis == PSCAN_AXIS_NONE;

    pscan_view in, out;
    if ((status = pscan_view_init(&in, in_array)) != PSCAN_OK)
        return status;
    if (out_array->ndim == 0) /* a 0-d out is never a scan's result shape */
        return PSCAN_EOUTSHAPE;
    if ((status = pscan_view_init(&out, out_array)) != PSCAN_OK)
        return status;
    if ((status = check_out_shape(&in, &out, flatten)) != PSCAN_OK)
        return status;
    if ((in.size > 0 && !in.data) || (out.size > 0 && !out.data))
        return PSCAN_ENULL;

    const pscan_dtype acc = dtype == PSCAN_DTYPE_DEFAULT ? pscan_default_dtype(op, in.dtype) : dtype;
    if (!pscan_dtype_can_cast(in.dtype, acc, opts->casting) ||
        !pscan_dtype_can_cast(acc, out.dtype, opts->casting))
        return PSCAN_ECAST;
    if ((status = pscan_view_check_disjoint(&out)) != PSCAN_OK)
        return status;

    pscan_context *ctx;
    if ((status = pscan_context_resolve(opts->ctx, &ctx)) != PSCAN_OK)
        return status;
    if (in.size == 0)
        return PSCAN_OK;

    pscan_workspace *ws;
    if ((status = pscan_workspace_acquire(ctx, &ws)) != PSCAN_OK)
        return status;
    status = scan_checked(op, &in, &out, resolved_axis, flatten, acc, opts, ctx, ws);
    pscan_workspace_release(ctx, ws);
    return status;
}

pscan_status pscan_cumsum(const pscan_array *in, int axis, pscan_dtype dtype,
                          const pscan_array *out, const pscan_opts *opts)
{
    return pscan_scan(PSCAN_SUM, in, axis, dtype, out, opts);
}

/* 1-D conveniences: one generic body per element type. */
#define DEFINE_CUMSUM_1D(suffix, ctype, dtype_enum)                             \
    pscan_status pscan_cumsum_##suffix(const ctype *in, ctype *out, size_t n)   \
    {                                                                          \
        if (n > (size_t)INT64_MAX)                                             \
            return PSCAN_ESIZE;                                                \
        const int64_t shape[1] = {(int64_t)n};                                 \
        const pscan_array in_array = {(void *)(uintptr_t)in, dtype_enum, 1, shape, NULL}; \
        const pscan_array out_array = {out, dtype_enum, 1, shape, NULL};       \
        return pscan_scan(PSCAN_SUM, &in_array, 0, dtype_enum, &out_array, NULL); \
    }
DEFINE_CUMSUM_1D(i32, int32_t, PSCAN_INT32)
DEFINE_CUMSUM_1D(i64, int64_t, PSCAN_INT64)
DEFINE_CUMSUM_1D(u32, uint32_t, PSCAN_UINT32)
DEFINE_CUMSUM_1D(u64, uint64_t, PSCAN_UINT64)
DEFINE_CUMSUM_1D(f32, float, PSCAN_FLOAT32)
DEFINE_CUMSUM_1D(f64, double, PSCAN_FLOAT64)
