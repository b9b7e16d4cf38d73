/* api.c - the only door in: argument checks, dtype resolution, overlap
 * handling, then one plan handed to the engine. Every check happens before
 * the first write, so an error leaves `out` untouched. */
#include "context.h"
#include "dtype.h"
#include "engine.h"
#include "layout.h"
#include "overflow.h"
#include "request.h"
#include "workspace.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_text[] = {
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
    [PSCAN_EOPTS] = "invalid option (threads < 0, unknown order, casting or flag bits, or a "
                    "pscan_opts not started from PSCAN_OPTS_INIT)",
    [PSCAN_ENOTSUP] = "valid request that this build of pscan does not implement",
    [PSCAN_ENOMEM] = "out of memory for a scratch buffer",
    [PSCAN_EOVERFLOW] = "an integer partial result overflowed its accumulator",
    [PSCAN_ETOPOLOGY] = "the hardware topology could not be loaded",
    [PSCAN_EENV] = "a PSCAN_* environment variable (PSCAN_ISA, PSCAN_PLACEMENT, PSCAN_SCHEDULE) "
                   "has a value pscan does not know",
};
/* Sized by its entries: a status added without its text fails here. */
_Static_assert(sizeof status_text / sizeof *status_text == PSCAN_STATUS_COUNT,
               "a text for every status");

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

/* The flags that scan views of in and out instead of in and out. */
enum { SHAPE_FLAGS = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE };

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

/* Copy `in` into C-contiguous memory of the workspace's arena (the one
 * n-sized scratch: numpy copies the input too when out overlaps it other
 * than exactly). */
static pscan_status snapshot_input(pscan_view *in, pscan_workspace *ws)
{
    const size_t itemsize = pscan_dtype_size(in->dtype);
    const size_t bytes = (size_t)in->size * itemsize;
    pscan_status status = pscan_workspace_reserve_arena(ws, pscan_workspace_region_size(bytes));
    if (status != PSCAN_OK)
        return status;
    void *copy = pscan_workspace_carve(ws, bytes);
    /* Both views below span no more bytes than `in`, which passed the size
     * checks, so building them cannot fail; the statuses are kept anyway. */
    const int64_t flat_len = in->size;
    const pscan_array flat_array = {copy, in->dtype, 1, &flat_len, NULL};
    int64_t shape[PSCAN_MAX_DIMS];
    for (int d = 0; d < in->ndim; d++)
        shape[d] = in->shape[d];
    const pscan_array copy_array = {copy, in->dtype, in->ndim, shape, NULL};
    pscan_view flat, copied;
    status = pscan_view_init(&flat, &flat_array);
    if (status == PSCAN_OK)
        status = pscan_view_init(&copied, &copy_array);
    if (status == PSCAN_OK) {
        pscan_plan plan;
        pscan_plan_build(&plan, in, &flat, 0, true);
        pscan_convert_fn same = pscan_convert_get(in->dtype, in->dtype);
        pscan_job copy_job = {.kernel = NULL,
                              .load = same,
                              .store = same,
                              .acc_size = itemsize,
                              .same_types = true,
                              .stores_acc = true,
                              .sequential = false,
                              .threads = 1};
        status = run_job(&plan, &copy_job, ws);
    }
    if (status != PSCAN_OK)
        return status;
    *in = copied; /* the input is now the copy: C order, same shape */
    return PSCAN_OK;
}

static bool skips_nan(const pscan_opts *opts, pscan_dtype in_dtype)
{
    return (opts->flags & PSCAN_FLAG_SKIP_NAN) && pscan_dtype_is_inexact(in_dtype);
}

/* Compensated sums: float and complex SUM only (integers are exact, the
 * other ops round nothing they could compensate). */
/* Bytes of a compensated accumulator value: a (hi, lo) pair of doubles,
 * two pairs for complex. */
static size_t compensated_size(pscan_dtype acc)
{
    return acc == PSCAN_COMPLEX64 || acc == PSCAN_COMPLEX128 ? PSCAN_COMPLEX_PAIR_BYTES
                                                             : PSCAN_PAIR_BYTES;
}

static bool compensates(pscan_op op, pscan_dtype acc, const pscan_opts *opts)
{
    return (opts->flags & PSCAN_FLAG_COMPENSATED) && op == PSCAN_SUM && pscan_dtype_is_inexact(acc);
}

/* How input elements become accumulator values. */
static pscan_convert_fn load_for(pscan_op op, pscan_dtype in_dtype, pscan_dtype acc,
                                 const pscan_opts *opts)
{
    return skips_nan(opts, in_dtype) ? pscan_convert_get_skip_nan(in_dtype, acc, op)
                                     : pscan_convert_get(in_dtype, acc);
}

/* Everything after the checks: plan, overlap copy, job. */
/* A piece of a longer scan (src/scan_carry.h): what every lane starts
 * from, and where each lane's final accumulator goes (NULL: nowhere). */
typedef struct scan_piece {
    const void *carry;
    void *state_out;
} scan_piece;

static pscan_status scan_checked(const pscan_request *rq, pscan_view *in, const pscan_view *out,
                                 const scan_piece *piece, pscan_workspace *ws)
{
    const pscan_op op = rq->op;
    const pscan_dtype acc = rq->acc;
    const pscan_opts *opts = &rq->opts;
    pscan_plan plan;
    pscan_status status = PSCAN_OK;
    pscan_plan_build(&plan, in, out, rq->axis, rq->flatten);
    if (spans_intersect(in, out) &&
        !pscan_plan_is_in_place(&plan, pscan_dtype_size(in->dtype), pscan_dtype_size(out->dtype))) {
        if ((status = snapshot_input(in, ws)) != PSCAN_OK)
            return status;
        pscan_plan_build(&plan, in, out, rq->axis, rq->flatten);
    }

    const bool order_matters = pscan_dtype_is_inexact(acc) && (op == PSCAN_SUM || op == PSCAN_PROD);
    /* Field by field: a zeroing initialiser of the whole job costs a
     * `rep stos` that is a quarter of a small call's time. */
    pscan_job job;
    if (compensates(op, acc, opts)) {
        const int complex = acc == PSCAN_COMPLEX64 || acc == PSCAN_COMPLEX128;
        job.kernel = pscan_kernel_get_compensated(complex);
        job.load = skips_nan(opts, in->dtype) ? pscan_convert_get_to_pair_skip_nan(in->dtype, acc)
                                              : pscan_convert_get_to_pair(in->dtype, acc);
        job.store = pscan_convert_get_from_pair(acc, out->dtype);
        job.acc_size = compensated_size(acc);
        job.same_types = false;
        job.stores_acc = false;
    } else {
        /* Skipping NaN rewrites values on load, so every element goes
         * through the load: no direct (in place of the input) kernels. */
        job.kernel = pscan_kernel_get(op, acc);
        job.load = load_for(op, in->dtype, acc, opts);
        job.store = pscan_convert_get(acc, out->dtype);
        job.acc_size = pscan_dtype_size(acc);
        job.same_types = in->dtype == acc && out->dtype == acc && !skips_nan(opts, in->dtype);
        job.stores_acc = out->dtype == acc;
    }
    job.sequential = order_matters && opts->order == PSCAN_ORDER_SEQUENTIAL;
    job.threads = rq->threads;
    job.carry = piece ? piece->carry : NULL;
    job.state_out = piece ? piece->state_out : NULL;
    job.ctx = rq->ctx;
    return run_job(&plan, &job, ws);
}

/* How the shape flags turn one call into a plain inclusive scan. */
typedef struct flag_views {
    pscan_view in, out; /* what the engine scans */
    pscan_view initial; /* out's identity slice (exclusive, include-initial) */
    bool has_initial;
    bool shift_after; /* exclusive over a flattening that is no view:
                               scan all of out, then move it up one place */
} flag_views;

/* Elements [start, start + len) of `v` along dim d, reversed if `flip`.
 * A sub-view of a checked view: building it cannot overflow. */
static void view_along(const pscan_view *v, int d, int64_t start, int64_t len, bool flip,
                       pscan_view *result)
{
    assert(d >= 0 && d < v->ndim); /* a resolved axis of v */
    int64_t shape[PSCAN_MAX_DIMS], strides[PSCAN_MAX_DIMS];
    for (int k = 0; k < v->ndim; k++) {
        shape[k] = v->shape[k];
        strides[k] = v->strides[k];
    }
    char *data = v->data + start * strides[d];
    shape[d] = len;
    if (flip && len > 0) {
        data += (len - 1) * strides[d];
        strides[d] = -strides[d];
    }
    const pscan_array array = {data, v->dtype, v->ndim, shape, strides};
    (void)pscan_view_init(result, &array);
}

/* `v` as one 1-D run in C order, if its dims address memory that way. */
static bool view_flatten(const pscan_view *v, pscan_view *flat)
{
    int64_t stride = 0, expected = 0;
    bool first = true;
    for (int d = v->ndim - 1; d >= 0; d--) {
        if (v->shape[d] == 1)
            continue;
        if (first)
            stride = v->strides[d];
        else if (v->strides[d] != expected)
            return false;
        first = false;
        expected = v->strides[d] * v->shape[d];
    }
    const int64_t len = v->size;
    if (first)
        stride = (int64_t)pscan_dtype_size(v->dtype);
    const pscan_array array = {v->data, v->dtype, 1, &len, &stride};
    (void)pscan_view_init(flat, &array);
    return true;
}

/* Reverse: both views flipped along the scan (every dim of in when
 * flattening). Exclusive and include-initial: out's first slice (in scan
 * order) is the identity, the rest an inclusive scan of in (of all but its
 * last slice, for exclusive). */
static void apply_flags(const pscan_view *in, const pscan_view *out, int axis, bool flatten,
                        unsigned flags, flag_views *fv)
{
    const bool reverse = flags & PSCAN_FLAG_REVERSE;
    fv->in = *in;
    fv->out = *out;
    fv->has_initial = flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL);
    fv->shift_after = false;
    const int out_axis = flatten ? 0 : axis;
    if (reverse) {
        if (flatten)
            for (int d = 0; d < in->ndim; d++)
                view_along(&fv->in, d, 0, fv->in.shape[d], true, &fv->in);
        else
            view_along(in, axis, 0, in->shape[axis], true, &fv->in);
        view_along(out, out_axis, 0, out->shape[out_axis], true, &fv->out);
    }
    if (!fv->has_initial)
        return;
    const int64_t out_len = fv->out.shape[out_axis];
    if (out_len == 0) {
        fv->has_initial = false;
        return;
    }
    view_along(&fv->out, out_axis, 0, 1, false, &fv->initial);
    if (!(flags & PSCAN_FLAG_EXCLUSIVE)) {
        view_along(&fv->out, out_axis, 1, out_len - 1, false, &fv->out);
        return;
    }
    pscan_view flat_in;
    if (flatten && !view_flatten(&fv->in, &flat_in)) {
        fv->shift_after = true;
        return;
    }
    const pscan_view *scan_in = flatten ? &flat_in : &fv->in;
    const int in_axis = flatten ? 0 : axis;
    view_along(scan_in, in_axis, 0, scan_in->shape[in_axis] - 1, false, &fv->in);
    view_along(&fv->out, out_axis, 1, out_len - 1, false, &fv->out);
}

/* Write `value` (one element of v's dtype) into every element of v. */
static void fill_view(const pscan_view *v, int d, char *at, const void *value)
{
    const size_t itemsize = pscan_dtype_size(v->dtype);
    for (int64_t i = 0; i < v->shape[d]; i++) {
        char *element = at + i * v->strides[d];
        if (d + 1 < v->ndim)
            fill_view(v, d + 1, element, value);
        else
            memcpy(element, value, itemsize);
    }
}

/* out[i] = out[i - 1] along a 1-D view, from the end. */
static void shift_up(const pscan_view *v)
{
    const size_t itemsize = pscan_dtype_size(v->dtype);
    for (int64_t i = v->shape[0] - 1; i > 0; i--)
        memcpy(v->data + i * v->strides[0], v->data + (i - 1) * v->strides[0], itemsize);
}

/* The one way into the engine: a request checked at the door
 * (request.h), then flags, overflow pre-check and the scan itself. */
static pscan_status scan_entry(pscan_op op, const pscan_array *in_array, int axis,
                               pscan_dtype dtype, const pscan_array *out_array,
                               const pscan_opts *user_opts, const scan_piece *piece)
{
    pscan_request rq;
    pscan_status status = pscan_request_init(&rq, op, in_array, axis, dtype, out_array, user_opts);
    if (status != PSCAN_OK)
        return status;
    const pscan_opts *opts = &rq.opts;

    /* The shape flags scan views of in and out; without them (every small
     * call) in and out are scanned as they are, not copied. */
    flag_views fv;
    pscan_view *scan_in = &rq.in, *scan_out = &rq.out;
    fv.shift_after = fv.has_initial = false;
    if (opts->flags & SHAPE_FLAGS) {
        apply_flags(&rq.in, &rq.out, rq.axis, rq.flatten, opts->flags, &fv);
        scan_in = &fv.in;
        scan_out = &fv.out;
    }
    if ((opts->flags & PSCAN_FLAG_CHECK_OVERFLOW) && scan_in->size > 0) {
        /* shift_after: the scan runs over all of in, but the last
         * partial is shifted out of out, so it cannot overflow it */
        const int64_t flat_count = scan_in->size - (fv.shift_after ? 1 : 0);
        status = pscan_check_overflow(scan_in, rq.axis, rq.flatten, flat_count, op, rq.acc,
                                      load_for(op, rq.in.dtype, rq.acc, opts), rq.threads, rq.ctx,
                                      piece ? piece->carry : NULL);
        if (status != PSCAN_OK)
            return status;
    }
    if (scan_in->size > 0) {
        pscan_workspace *ws;
        if ((status = pscan_workspace_acquire(rq.ctx, &ws)) != PSCAN_OK)
            return status;
        status = scan_checked(&rq, scan_in, scan_out, piece, ws);
        pscan_workspace_release(rq.ctx, ws);
        if (status != PSCAN_OK)
            return status;
    }
    if (fv.shift_after)
        shift_up(&fv.out);
    if (fv.has_initial) {
        _Alignas(16) unsigned char identity[16], converted[16];
        pscan_identity(op, rq.acc, identity);
        pscan_convert_get(rq.acc, rq.out.dtype)((const char *)identity, 0, (char *)converted, 0, 1);
        fill_view(&fv.initial, 0, fv.initial.data, converted);
    }
    return PSCAN_OK;
}

pscan_status pscan_scan(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                        const pscan_array *out, const pscan_opts *opts)
{
    return scan_entry(op, in, axis, dtype, out, opts, NULL);
}

pscan_status pscan_scan_check(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                              const pscan_array *out, const pscan_opts *opts)
{
    pscan_request rq;
    return pscan_request_init(&rq, op, in, axis, dtype, out, opts);
}

/* What a piece may be: flags whose state is more than one accumulator
 * per lane (shifted outputs) cannot continue; `allowed` says which. */
static pscan_status check_piece(const pscan_array *in, int axis, const pscan_array *out,
                                const pscan_opts *opts, unsigned allowed)
{
    if (!in || !out)
        return PSCAN_ENULL;
    pscan_opts read;
    const pscan_status status = pscan_opts_read(opts, &read);
    if (status != PSCAN_OK)
        return status;
    if (read.flags & ~allowed)
        return PSCAN_EOPTS;
    if (in->ndim < 1 || in->ndim > 2)
        return PSCAN_ENDIM;
    if (axis < 0 || axis >= in->ndim)
        return PSCAN_EAXIS;
    /* One carry per lane, in order: 2-D rows must be contiguous runs (axis
     * 0), or the whole arrays C-ordered (axis 1: a lane per row). */
    const pscan_array *arrays[2] = {in, out};
    for (int k = 0; k < 2; k++) {
        const pscan_array *a = arrays[k];
        if (a->ndim != 2 || !a->strides)
            continue;
        if (axis == 0 ? a->strides[1] != (int64_t)pscan_dtype_size(a->dtype)
                      : !pscan_array_is_c_contiguous(a))
            return PSCAN_EOPTS;
    }
    return PSCAN_OK;
}

enum {
    /* An overflow check continues from the carry, the exact partial
     * result so far; compensated sums need their pairs (the state API). */
    CARRY_FLAGS = PSCAN_FLAG_REVERSE | PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_CHECK_OVERFLOW,
    STATE_FLAGS = CARRY_FLAGS | PSCAN_FLAG_COMPENSATED
};

pscan_status pscan_scan_carry_axis(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                   const pscan_array *out, const pscan_opts *opts,
                                   const void *carry)
{
    pscan_status status = check_piece(in, axis, out, opts, CARRY_FLAGS);
    if (status != PSCAN_OK)
        return status;
    if (!carry)
        return PSCAN_ENULL;
    const scan_piece piece = {carry, NULL};
    return scan_entry(op, in, axis, dtype, out, opts, &piece);
}

size_t pscan_scan_state_size(pscan_op op, pscan_dtype in_dtype, pscan_dtype dtype,
                             const pscan_opts *opts)
{
    pscan_opts read;
    if ((int)in_dtype < 0 || in_dtype >= PSCAN_DTYPE_COUNT || (int)op < 0 || op >= PSCAN_OP_COUNT ||
        pscan_opts_read(opts, &read) != PSCAN_OK)
        return 0;
    const pscan_dtype acc =
        dtype == PSCAN_DTYPE_DEFAULT ? pscan_default_dtype(op, in_dtype) : dtype;
    if ((int)acc < 0 || acc >= PSCAN_DTYPE_COUNT)
        return 0;
    if (compensates(op, acc, &read))
        return compensated_size(acc);
    return pscan_dtype_size(acc);
}

pscan_status pscan_scan_carry_state(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                    const pscan_array *out, const pscan_opts *opts,
                                    const void *state_in, void *state_out)
{
    pscan_status status = check_piece(in, axis, out, opts, STATE_FLAGS);
    if (status != PSCAN_OK)
        return status;
    const scan_piece piece = {state_in, state_out};
    return scan_entry(op, in, axis, dtype, out, opts, &piece);
}

int64_t pscan_carry_piece_rows(pscan_op op, pscan_dtype acc, pscan_order order, int64_t wanted_rows)
{
    const bool free_order = order == PSCAN_ORDER_SEQUENTIAL || op == PSCAN_MAX || op == PSCAN_MIN ||
                            !pscan_dtype_is_inexact(acc);
    const int64_t align = free_order ? 1 : PSCAN_TILE;
    const int64_t rows = wanted_rows / align * align;
    return rows < align ? align : rows;
}

pscan_status pscan_scan_carry(pscan_op op, const pscan_array *in, pscan_dtype dtype,
                              const pscan_array *out, const pscan_opts *opts, const void *carry)
{
    return pscan_scan_carry_axis(op, in, 0, dtype, out, opts, carry);
}

pscan_status pscan_cumsum(const pscan_array *in, int axis, pscan_dtype dtype,
                          const pscan_array *out, const pscan_opts *opts)
{
    return pscan_scan(PSCAN_SUM, in, axis, dtype, out, opts);
}

/* 1-D conveniences: one generic body per element type. */
#define DEFINE_CUMSUM_1D(suffix, ctype, dtype_enum)                                       \
    pscan_status pscan_cumsum_##suffix(const ctype *in, ctype *out, size_t n)             \
    {                                                                                     \
        if (n > (size_t)INT64_MAX)                                                        \
            return PSCAN_ESIZE;                                                           \
        const int64_t shape[1] = {(int64_t)n};                                            \
        const pscan_array in_array = {(void *)(uintptr_t)in, dtype_enum, 1, shape, NULL}; \
        const pscan_array out_array = {out, dtype_enum, 1, shape, NULL};                  \
        return pscan_scan(PSCAN_SUM, &in_array, 0, dtype_enum, &out_array, NULL);         \
    }
DEFINE_CUMSUM_1D(i32, int32_t, PSCAN_INT32)
DEFINE_CUMSUM_1D(i64, int64_t, PSCAN_INT64)
DEFINE_CUMSUM_1D(u32, uint32_t, PSCAN_UINT32)
DEFINE_CUMSUM_1D(u64, uint64_t, PSCAN_UINT64)
DEFINE_CUMSUM_1D(f32, float, PSCAN_FLOAT32)
DEFINE_CUMSUM_1D(f64, double, PSCAN_FLOAT64)
