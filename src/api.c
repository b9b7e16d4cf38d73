/* api.c - the only door in: argument checks, dtype resolution, overlap
 * handling, then one plan handed to the engine. Every check happens before
 * the first write, so an error leaves `out` untouched. */
#include "arg_scan.h"
#include "context.h"
#include "dtype.h"
#include "engine.h"
#include "kernels/sat_kernels.h"
#include "layout.h"
#include "ops.h"
#include "overflow.h"
#include "request.h"
#include "scan_entry.h"
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
    [PSCAN_EDTYPE] = "not a valid element type (DEFAULT is only valid as the dtype argument), or "
                     "one the op has no loop for",
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
    [PSCAN_ESEGMENTS] = "the segment description is invalid: wrong kind, shape, dtype, or "
                        "unsorted/out-of-range offsets",
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
        pscan_plan_build(&plan, in, &flat, 0, true, false);
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

/* Bytes of a compensated accumulator value: a (hi, lo) pair of doubles,
 * two pairs for complex. */
static size_t compensated_size(pscan_dtype acc)
{
    return acc == PSCAN_COMPLEX64 || acc == PSCAN_COMPLEX128 ? PSCAN_COMPLEX_PAIR_BYTES
                                                             : PSCAN_PAIR_BYTES;
}

/* Compensated sums: float and complex SUM only (integers are exact, the
 * other ops round nothing they could compensate). */
bool pscan_compensates(pscan_op op, pscan_dtype acc, const pscan_opts *opts)
{
    return (opts->flags & PSCAN_FLAG_COMPENSATED) && op == PSCAN_SUM && pscan_dtype_is_inexact(acc);
}

size_t pscan_state_bytes(pscan_op op, pscan_dtype acc, const pscan_opts *opts)
{
    if (pscan_op_is_arg(op))
        return pscan_arg_state_bytes();
    return pscan_compensates(op, acc, opts) ? compensated_size(acc) : pscan_dtype_size(acc);
}

/* How input elements become accumulator values. */
pscan_convert_fn pscan_load_for(pscan_op op, pscan_dtype in_dtype, pscan_dtype acc,
                                const pscan_opts *opts)
{
    return skips_nan(opts, in_dtype) ? pscan_convert_get_skip_nan(in_dtype, acc, op)
                                     : pscan_convert_get(in_dtype, acc);
}

/* The kernel and load of a request's states: compensated pairs or plain
 * accumulators. */
static const pscan_kernel *state_kernel(const pscan_request *rq, pscan_convert_fn *load)
{
    if (pscan_compensates(rq->op, rq->acc, &rq->opts)) {
        *load = skips_nan(&rq->opts, rq->in.dtype)
                    ? pscan_convert_get_to_pair_skip_nan(rq->in.dtype, rq->acc)
                    : pscan_convert_get_to_pair(rq->in.dtype, rq->acc);
        return pscan_kernel_get_compensated(rq->acc == PSCAN_COMPLEX64 ||
                                            rq->acc == PSCAN_COMPLEX128);
    }
    *load = pscan_load_for(rq->op, rq->in.dtype, rq->acc, &rq->opts);
    return pscan_kernel_get(pscan_kernel_op(rq->op, rq->opts.order), rq->acc);
}

/* A piece's states in the plan's lane order, where that is not C order:
 * gathered before the run, scattered after it. */
typedef struct plan_states {
    int64_t *position; /* C-order position of each plan lane */
    char *in, *out;
} plan_states;

static pscan_status plan_states_open(const pscan_plan *plan, const pscan_piece *piece,
                                     size_t state_bytes, plan_states *ps)
{
    ps->position = NULL;
    ps->in = ps->out = NULL;
    if (!piece || (!piece->state_in && !piece->state_out) || pscan_plan_lanes_in_c_order(plan))
        return PSCAN_OK;
    const size_t lanes = (size_t)pscan_plan_lanes(plan);
    ps->position = malloc(lanes * sizeof *ps->position);
    ps->in = piece->state_in ? malloc(lanes * state_bytes) : NULL;
    ps->out = piece->state_out ? malloc(lanes * state_bytes) : NULL;
    if (!ps->position || (piece->state_in && !ps->in) || (piece->state_out && !ps->out)) {
        free(ps->position);
        free(ps->in);
        free(ps->out);
        return PSCAN_ENOMEM;
    }
    pscan_plan_lane_positions(plan, ps->position);
    for (size_t k = 0; ps->in && k < lanes; k++)
        memcpy(ps->in + k * state_bytes,
               (const char *)piece->state_in + (size_t)ps->position[k] * state_bytes, state_bytes);
    return PSCAN_OK;
}

static void plan_states_close(const pscan_plan *plan, const pscan_piece *piece, size_t state_bytes,
                              plan_states *ps)
{
    const size_t lanes = ps->position ? (size_t)pscan_plan_lanes(plan) : 0;
    for (size_t k = 0; piece && ps->out && k < lanes; k++)
        memcpy((char *)piece->state_out + (size_t)ps->position[k] * state_bytes,
               ps->out + k * state_bytes, state_bytes);
    free(ps->position);
    free(ps->in);
    free(ps->out);
}

/* Everything after the checks: plan, overlap copy, job. */
static pscan_status scan_checked(const pscan_request *rq, pscan_view *in, const pscan_view *out,
                                 const pscan_piece *piece, pscan_workspace *ws)
{
    const pscan_op op = rq->op;
    const pscan_dtype acc = rq->acc;
    const pscan_opts *opts = &rq->opts;
    pscan_plan plan;
    pscan_status status = PSCAN_OK;
    pscan_plan_build(&plan, in, out, rq->axis, rq->flatten, piece != NULL);
    if (pscan_views_intersect(in, out) &&
        !pscan_plan_is_in_place(&plan, pscan_dtype_size(in->dtype), pscan_dtype_size(out->dtype))) {
        if ((status = snapshot_input(in, ws)) != PSCAN_OK)
            return status;
        pscan_plan_build(&plan, in, out, rq->axis, rq->flatten, piece != NULL);
    }

    const bool order_matters = pscan_op_order_matters(op, acc);
    /* Field by field: a zeroing initialiser of the whole job costs a
     * `rep stos` that is a quarter of a small call's time. */
    pscan_job job;
    job.kernel = state_kernel(rq, &job.load);
    if (pscan_compensates(op, acc, opts)) {
        job.store = pscan_convert_get_from_pair(acc, out->dtype);
        job.acc_size = compensated_size(acc);
        job.same_types = false;
        job.stores_acc = false;
    } else {
        /* Skipping NaN rewrites values on load, so every element goes
         * through the load: no direct (in place of the input) kernels. */
        job.store = pscan_convert_get(acc, out->dtype);
        job.acc_size = pscan_dtype_size(acc);
        job.same_types = in->dtype == acc && out->dtype == acc && !skips_nan(opts, in->dtype);
        job.stores_acc = out->dtype == acc;
    }
    job.sequential = order_matters && opts->order == PSCAN_ORDER_SEQUENTIAL;
    job.column = NULL; /* only tiled panels take the column step */
    if (plan.kind == PSCAN_PLAN_PANEL && op == PSCAN_SUM && order_matters && job.same_types &&
        !job.sequential) {
        const pscan_sat_kernel *sat = pscan_sat_kernel_get(acc, acc);
        job.column = sat ? sat->column : NULL;
    }
    job.threads = rq->threads;
    job.ctx = rq->ctx;
    plan_states states;
    if ((status = plan_states_open(&plan, piece, job.acc_size, &states)) != PSCAN_OK)
        return status;
    job.carry = states.position ? states.in : piece ? piece->state_in : NULL;
    job.state_out = states.position ? states.out : piece ? piece->state_out : NULL;
    status = run_job(&plan, &job, ws);
    plan_states_close(&plan, piece, job.acc_size, &states);
    return status;
}

/* How the shape flags turn one call into a plain inclusive scan. */
typedef struct flag_views {
    pscan_view in, out; /* what the engine scans */
    pscan_view initial; /* out's identity slice (exclusive, include-initial) */
    pscan_view last_in; /* exclusive piece handing its state on: in's last
                           slice, which the shortened scan leaves out */
    bool has_initial;
    bool has_last;
    bool shift_after; /* exclusive scanning all of in: over a flattening that
                         is no view, or a piece whose state must be the one
                         the whole scan ends in (tiles): scan all of out,
                         then move it up one place */
} flag_views;

/* Reverse: both views flipped along the scan (every dim of in when
 * flattening). Exclusive and include-initial: out's first slice (in scan
 * order) is the identity, the rest an inclusive scan of in (of all but its
 * last slice, for exclusive). `piece_state`: a piece hands its state on;
 * `tiled`: that state must be the one the scan of all of in ends in. */
static void apply_flags(const pscan_view *in, const pscan_view *out, int axis, bool flatten,
                        unsigned flags, bool piece_state, bool tiled, flag_views *fv)
{
    const bool reverse = flags & PSCAN_FLAG_REVERSE;
    fv->in = *in;
    fv->out = *out;
    fv->has_initial = flags & (PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL);
    fv->shift_after = fv->has_last = false;
    const int out_axis = flatten ? 0 : axis;
    if (reverse) {
        if (flatten)
            for (int d = 0; d < in->ndim; d++)
                pscan_view_along(&fv->in, d, 0, fv->in.shape[d], true, &fv->in);
        else
            pscan_view_along(in, axis, 0, in->shape[axis], true, &fv->in);
        pscan_view_along(out, out_axis, 0, out->shape[out_axis], true, &fv->out);
    }
    if (!fv->has_initial)
        return;
    const int64_t out_len = fv->out.shape[out_axis];
    if (out_len == 0) {
        fv->has_initial = false;
        return;
    }
    pscan_view_along(&fv->out, out_axis, 0, 1, false, &fv->initial);
    if (!(flags & PSCAN_FLAG_EXCLUSIVE)) {
        pscan_view_along(&fv->out, out_axis, 1, out_len - 1, false, &fv->out);
        return;
    }
    pscan_view flat_in;
    if ((piece_state && tiled) || (flatten && !pscan_view_flatten(&fv->in, &flat_in))) {
        fv->shift_after = true;
        return;
    }
    const pscan_view *scan_in = flatten ? &flat_in : &fv->in;
    const int in_axis = flatten ? 0 : axis;
    const int64_t in_len = scan_in->shape[in_axis];
    if (piece_state) {
        pscan_view_along(scan_in, in_axis, in_len - 1, 1, false, &fv->last_in);
        fv->has_last = true;
    }
    pscan_view_along(scan_in, in_axis, 0, in_len - 1, false, &fv->in);
    pscan_view_along(&fv->out, out_axis, 1, out_len - 1, false, &fv->out);
}

/* Every lane of out along `axis` moved up one place (out[i] = out[i - 1],
 * from the end); out[0] is left for the caller. */
static void shift_up(const pscan_view *v, int axis)
{
    const size_t itemsize = pscan_dtype_size(v->dtype);
    const int64_t len = v->shape[axis], stride = v->strides[axis];
    if (len < 2)
        return;
    pscan_view heads;
    pscan_view_along(v, axis, 0, 1, false, &heads);
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = heads.data;
    for (int64_t k = 0; k < heads.size; k++) {
        for (int64_t i = len - 1; i > 0; i--)
            memcpy(at + i * stride, at + (i - 1) * stride, itemsize);
        pscan_view_step(&heads, index, &at);
    }
}

void pscan_identity_state(pscan_op op, pscan_dtype acc, const pscan_opts *opts, void *state)
{
    if (pscan_op_is_arg(op))
        pscan_arg_identity_state(state);
    else if (pscan_compensates(op, acc, opts))
        memset(state, 0, pscan_state_bytes(op, acc, opts));
    else
        pscan_identity(op, acc, state);
}

/* The first slice of exclusive and include-initial scans: each lane's
 * state_in converted to out's dtype, or the identity for all. Nothing to
 * allocate: it runs after the scan has written out. */
static void fill_initial(const pscan_request *rq, const pscan_view *initial, const char *state_in)
{
    _Alignas(16) char identity[16];
    const bool pairs = state_in && pscan_compensates(rq->op, rq->acc, &rq->opts);
    const pscan_convert_fn convert = pairs ? pscan_convert_get_from_pair(rq->acc, initial->dtype)
                                           : pscan_convert_get(rq->acc, initial->dtype);
    /* lane k's value: its state, or the one identity for every lane */
    const size_t step = state_in ? pscan_state_bytes(rq->op, rq->acc, &rq->opts) : 0;
    if (!state_in) {
        pscan_identity(rq->op, rq->acc, identity);
        state_in = identity;
    }
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = initial->data;
    for (int64_t k = 0; k < initial->size; k++) { /* lanes in C order */
        convert(state_in + (size_t)k * step, 0, at, 0, 1);
        pscan_view_step(initial, index, &at);
    }
}

/* Exclusive pieces that hand their state on without scanning all of in
 * (the order is free or sequential): in's last slice, copied before out
 * is written (out may be in), combined after the rest into the state the
 * rest ended in, one step per lane as the scan's chain takes it. All the
 * memory is taken before the scan, so nothing fails after it. */
typedef struct last_slice {
    char *copy;  /* the slice's elements in C order */
    char *carry; /* the state before it */
} last_slice;

static pscan_status last_slice_take(const pscan_view *slice, size_t state_bytes, last_slice *ls)
{
    const size_t itemsize = pscan_dtype_size(slice->dtype);
    ls->copy = malloc((size_t)slice->size * itemsize + 1);
    ls->carry = malloc((size_t)slice->size * state_bytes + 1);
    if (!ls->copy || !ls->carry) {
        free(ls->copy);
        free(ls->carry);
        return PSCAN_ENOMEM;
    }
    int64_t index[PSCAN_MAX_DIMS] = {0};
    char *at = slice->data;
    for (int64_t k = 0; k < slice->size; k++) {
        memcpy(ls->copy + (size_t)k * itemsize, at, itemsize);
        pscan_view_step(slice, index, &at);
    }
    return PSCAN_OK;
}

static void last_slice_finish(const pscan_request *rq, const last_slice *ls, bool had_state,
                              char *state_out)
{
    pscan_convert_fn load;
    const pscan_kernel *kernel = state_kernel(rq, &load);
    const int64_t lanes = pscan_view_lanes(&rq->in, rq->axis);
    const size_t state_bytes = pscan_state_bytes(rq->op, rq->acc, &rq->opts);
    const size_t in_item = pscan_dtype_size(rq->in.dtype);
    for (int64_t k = 0; k < lanes; k++) {
        char *state = state_out + (size_t)k * state_bytes;
        load(ls->copy + (size_t)k * in_item, 0, state, 0, 1);
        if (had_state) /* state before op the last element */
            kernel->fold(state, 1, ls->carry + (size_t)k * state_bytes);
    }
}

/* The one way into the engine: a request checked at the door
 * (request.h), then flags, overflow pre-check and the scan itself. */
static pscan_status scan_entry(pscan_op op, const pscan_array *in_array, int axis,
                               pscan_dtype dtype, const pscan_array *out_array,
                               const pscan_opts *user_opts, const pscan_piece *piece)
{
    pscan_request rq;
    pscan_status status = pscan_request_init(&rq, op, in_array, axis, dtype, out_array, user_opts);
    if (status != PSCAN_OK)
        return status;
    if (pscan_op_is_arg(op))
        return pscan_arg_scan(&rq, op == PSCAN_ARGMAX, piece ? piece->state_in : NULL,
                              piece ? piece->state_out : NULL, true);
    const pscan_opts *opts = &rq.opts;
    const void *state_in = piece ? piece->state_in : NULL;
    void *state_out = piece ? piece->state_out : NULL;
    const size_t state_bytes = pscan_state_bytes(op, rq.acc, opts);

    /* The shape flags scan views of in and out; without them (every small
     * call) in and out are scanned as they are, not copied. A piece's
     * tiled state is the one the scan of all of in ends in. */
    flag_views fv;
    pscan_view *scan_in = &rq.in, *scan_out = &rq.out;
    fv.shift_after = fv.has_initial = fv.has_last = false;
    if (opts->flags & SHAPE_FLAGS) {
        const bool tiled =
            pscan_op_order_matters(op, rq.acc) && opts->order == PSCAN_ORDER_REPRODUCIBLE;
        apply_flags(&rq.in, &rq.out, rq.axis, rq.flatten, opts->flags, state_out != NULL, tiled,
                    &fv);
        scan_in = &fv.in;
        scan_out = &fv.out;
    }
    if (opts->flags & PSCAN_FLAG_CHECK_OVERFLOW) {
        /* shift_after: the scan runs over all of in, but the last partial
         * is shifted out of out, so it cannot overflow it, unless it is
         * the state a piece hands on. has_last: the check covers all of in
         * (reversed, if the scan is). */
        flag_views reversed;
        const pscan_view *checked = scan_in;
        if (fv.has_last) {
            apply_flags(&rq.in, &rq.out, rq.axis, rq.flatten, opts->flags & PSCAN_FLAG_REVERSE,
                        false, false, &reversed);
            checked = &reversed.in;
        }
        const int64_t flat_count = checked->size - (fv.shift_after && !state_out ? 1 : 0);
        if (checked->size > 0 &&
            (status = pscan_check_overflow(checked, rq.axis, rq.flatten, flat_count, op, rq.acc,
                                           pscan_load_for(op, rq.in.dtype, rq.acc, opts),
                                           rq.threads, rq.ctx, state_in)) != PSCAN_OK)
            return status;
    }
    last_slice last = {0};
    if (fv.has_last && (status = last_slice_take(&fv.last_in, state_bytes, &last)) != PSCAN_OK)
        return status;
    /* The shortened scan hands its state to the last slice. */
    void *scan_state_out = fv.has_last ? last.carry : state_out;
    if (scan_in->size > 0) {
        pscan_workspace *ws;
        if ((status = pscan_workspace_acquire(rq.ctx, &ws)) == PSCAN_OK) {
            const pscan_piece scan_piece = {state_in, scan_state_out};
            status = scan_checked(&rq, scan_in, scan_out, piece ? &scan_piece : NULL, ws);
            pscan_workspace_release(rq.ctx, ws);
        }
    } else if (scan_state_out) { /* nothing scanned: the lanes' states pass on */
        const int64_t lanes = pscan_view_lanes(&rq.in, rq.axis);
        for (int64_t k = 0; k < lanes; k++) {
            char *state = (char *)scan_state_out + (size_t)k * state_bytes;
            if (state_in)
                memcpy(state, (const char *)state_in + (size_t)k * state_bytes, state_bytes);
            else
                pscan_identity_state(op, rq.acc, opts, state);
        }
    }
    if (status == PSCAN_OK && fv.shift_after)
        shift_up(&fv.out, rq.flatten ? 0 : rq.axis);
    if (status == PSCAN_OK && fv.has_initial)
        fill_initial(&rq, &fv.initial, state_in);
    if (last.copy && status == PSCAN_OK)
        last_slice_finish(&rq, &last, state_in || scan_in->size > 0, state_out);
    free(last.copy);
    free(last.carry);
    return status;
}

pscan_status pscan_check_piece_overflow(const pscan_request *rq, const void *state_in)
{
    const unsigned flags = rq->opts.flags;
    pscan_view v = rq->in;
    if (flags & PSCAN_FLAG_REVERSE)
        for (int d = 0; d < v.ndim; d++)
            if (rq->flatten || d == rq->axis)
                pscan_view_along(&v, d, 0, v.shape[d], true, &v);
    int64_t flat_count = v.size;
    if (flags & PSCAN_FLAG_EXCLUSIVE) { /* the last partial is no result */
        if (rq->flatten)
            flat_count = v.size - 1;
        else if (v.shape[rq->axis] > 0)
            pscan_view_along(&v, rq->axis, 0, v.shape[rq->axis] - 1, false, &v);
    }
    if (v.size == 0 || flat_count <= 0)
        return PSCAN_OK;
    return pscan_check_overflow(&v, rq->axis, rq->flatten, flat_count, rq->op, rq->acc,
                                pscan_load_for(rq->op, rq->in.dtype, rq->acc, &rq->opts),
                                rq->threads, rq->ctx, state_in);
}

pscan_status pscan_scan_entry(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                              const pscan_array *out, const pscan_opts *opts,
                              const pscan_piece *piece)
{
    return scan_entry(op, in, axis, dtype, out, opts, piece);
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
