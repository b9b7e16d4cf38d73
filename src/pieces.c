/* pieces.c - the advanced API's pieces of a longer scan (pscan.h): scans
 * that start every lane from a given state and hand the last one on, the
 * states alone (a reduction: what a piece would hand on, in only read),
 * and two pieces' states combined. The stream, the distributed scan and
 * the tool's out-of-core scans are built on these. */
#include "arg_scan.h"
#include "dtype.h"
#include "kernels/kernels.h"
#include "layout.h"
#include "ops.h"
#include "reduce.h"
#include "request.h"
#include "scan_entry.h"

#include <stdlib.h>
#include <string.h>

/* Every flag but COMPENSATED, whose state is more than one accumulator. */
enum {
    CARRY_FLAGS = PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL | PSCAN_FLAG_REVERSE |
                  PSCAN_FLAG_SKIP_NAN | PSCAN_FLAG_CHECK_OVERFLOW
};

static pscan_status check_flags(const pscan_opts *opts, unsigned allowed)
{
    pscan_opts read;
    const pscan_status status = pscan_opts_read(opts, &read);
    if (status != PSCAN_OK)
        return status;
    return read.flags & ~allowed ? PSCAN_EOPTS : PSCAN_OK;
}

pscan_status pscan_scan_carry_axis(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                   const pscan_array *out, const pscan_opts *opts,
                                   const void *carry)
{
    if (!in || !out)
        return PSCAN_ENULL;
    pscan_status status = check_flags(opts, CARRY_FLAGS);
    if (status != PSCAN_OK)
        return status;
    if (!carry)
        return PSCAN_ENULL;
    if (pscan_op_is_arg(op)) /* an arg scan's state is no accumulator */
        return PSCAN_ENOTSUP;
    const pscan_piece piece = {carry, NULL};
    return pscan_scan_entry(op, in, axis, dtype, out, opts, &piece);
}

pscan_status pscan_scan_carry(pscan_op op, const pscan_array *in, pscan_dtype dtype,
                              const pscan_array *out, const pscan_opts *opts, const void *carry)
{
    return pscan_scan_carry_axis(op, in, 0, dtype, out, opts, carry);
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
    if (!pscan_op_accepts(op, acc))
        return 0;
    return pscan_state_bytes(op, acc, &read);
}

pscan_status pscan_scan_carry_state(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                    const pscan_array *out, const pscan_opts *opts,
                                    const void *state_in, void *state_out)
{
    if (!in || !out)
        return PSCAN_ENULL;
    const pscan_piece piece = {state_in, state_out};
    return pscan_scan_entry(op, in, axis, dtype, out, opts, &piece);
}

int64_t pscan_carry_piece_rows(pscan_op op, pscan_dtype acc, pscan_order order, int64_t wanted_rows)
{
    const bool free_order = order == PSCAN_ORDER_SEQUENTIAL || !pscan_op_order_matters(op, acc);
    const int64_t align = free_order ? 1 : PSCAN_TILE;
    const int64_t rows = wanted_rows / align * align;
    return rows < align ? align : rows;
}

/* ---- The states alone ----
 *
 * A reduction scans cache-sized pieces along the axis into scratch, each
 * from the state the one before it handed on: the bits of the state one
 * scan of the whole would hand on, at the cost of reading in once. Pieces
 * are whole tiles where the order matters; lanes too many for one piece's
 * scratch are taken a slice of the outermost dims at a time. */

typedef struct reduction {
    pscan_op op;
    pscan_dtype acc;
    pscan_opts opts; /* the flags that change a state */
    int axis;        /* resolved (0 for a flattening's one run) */
    int64_t rows;    /* rows (elements along the axis) per piece */
    int64_t budget;  /* scratch bytes a piece may take */
    size_t state_bytes;
} reduction;

/* The lanes of v, piece after piece along the axis: state_in (NULL:
 * fresh) to state_out. */
static pscan_status reduce_pieces(const reduction *r, const pscan_view *v, const char *state_in,
                                  char *state_out)
{
    const int d = r->axis;
    const int64_t lanes = pscan_view_lanes(v, d), len = v->shape[d];
    const int64_t rows = r->rows < len ? r->rows : len;
    const size_t acc_item = pscan_dtype_size(r->acc), states_bytes = (size_t)lanes * r->state_bytes;
    char *scratch = malloc((size_t)(rows * lanes) * acc_item + 1);
    char *states = malloc(2 * states_bytes + 1);
    pscan_status status = scratch && states ? PSCAN_OK : PSCAN_ENOMEM;
    const bool reverse = r->opts.flags & PSCAN_FLAG_REVERSE;
    const char *from = state_in;
    int64_t done = 0, pieces = 0;
    do { /* at least once: an empty lane hands its state on too */
        const int64_t n = rows < len - done ? rows : len - done;
        pscan_view piece_view;
        pscan_view_along(v, d, reverse ? len - done - n : done, n, false, &piece_view);
        const pscan_array piece_in = {piece_view.data, v->dtype, v->ndim, piece_view.shape,
                                      piece_view.strides},
                          piece_out = {scratch, r->acc, v->ndim, piece_view.shape, NULL};
        char *to = done + n >= len ? state_out : states + (size_t)(pieces++ % 2) * states_bytes;
        const pscan_piece piece = {from, to};
        if (status == PSCAN_OK)
            status = pscan_scan_entry(r->op, &piece_in, d, r->acc, &piece_out, &r->opts, &piece);
        from = to;
        done += n;
    } while (status == PSCAN_OK && done < len);
    free(scratch);
    free(states);
    return status;
}

/* Lanes in slices of the first dim (from `first_dim` on) that has more
 * than one, so each piece's scratch stays within the budget; a slice's
 * lanes are a run of the C order, its states a run of state_out's. */
static pscan_status reduce_lanes(const reduction *r, const pscan_view *v, int first_dim,
                                 const char *state_in, char *state_out)
{
    const int64_t lanes = pscan_view_lanes(v, r->axis);
    int d = first_dim;
    while (d < v->ndim && (d == r->axis || v->shape[d] < 2))
        d++;
    if (d == v->ndim || lanes * r->rows * (int64_t)pscan_dtype_size(r->acc) <= r->budget)
        return reduce_pieces(r, v, state_in, state_out);
    const int64_t per_slice = lanes / v->shape[d];
    const int64_t wanted = r->budget / (r->rows * (int64_t)pscan_dtype_size(r->acc) * per_slice);
    const int64_t group = wanted > 1 ? wanted : 1;
    pscan_status status = PSCAN_OK;
    for (int64_t s = 0; s < v->shape[d] && status == PSCAN_OK; s += group) {
        const int64_t n = group < v->shape[d] - s ? group : v->shape[d] - s;
        pscan_view sub;
        pscan_view_along(v, d, s, n, false, &sub);
        const size_t skip = (size_t)(s * per_slice) * r->state_bytes;
        status = reduce_lanes(r, &sub, d + 1, state_in ? state_in + skip : NULL, state_out + skip);
    }
    return status;
}

pscan_status pscan_scan_reduce_state(pscan_op op, const pscan_array *in, int axis,
                                     pscan_dtype dtype, const pscan_opts *opts,
                                     const void *state_in, void *state_out)
{
    pscan_request rq;
    pscan_status status = pscan_request_init_input(&rq, op, in, axis, dtype, opts);
    if (status != PSCAN_OK)
        return status;
    if (pscan_op_is_arg(op))
        return pscan_arg_scan(&rq, op == PSCAN_ARGMAX, state_in, state_out, false);
    reduction r = {op,
                   rq.acc,
                   rq.opts,
                   rq.axis,
                   1,
                   rq.ctx->tuning.slab_bytes,
                   pscan_state_bytes(op, rq.acc, &rq.opts)};
    /* Exclusive and include-initial shift results; the state is the same. */
    r.opts.flags &= ~(unsigned)(PSCAN_FLAG_EXCLUSIVE | PSCAN_FLAG_INCLUDE_INITIAL);
    if ((rq.opts.flags & PSCAN_FLAG_CHECK_OVERFLOW) && !state_out)
        return pscan_check_piece_overflow(&rq, state_in);
    if (!state_out)
        return PSCAN_OK; /* nothing asked */
    const int64_t lanes = pscan_view_lanes(&rq.in, rq.axis);
    const size_t acc_item = pscan_dtype_size(rq.acc);
    if (lanes == 0)
        return PSCAN_OK;
    pscan_view run;
    if (rq.flatten && !pscan_view_flatten(&rq.in, &run)) {
        /* A flattening that is no run: one piece, an n-sized scratch. */
        char *scratch = malloc((size_t)rq.in.size * acc_item + 1);
        const int64_t n = rq.in.size;
        const pscan_array result = {scratch, rq.acc, 1, &n, NULL};
        const pscan_piece piece = {state_in, state_out};
        status = scratch ? pscan_scan_entry(op, in, axis, rq.acc, &result, &r.opts, &piece)
                         : PSCAN_ENOMEM;
        free(scratch);
        return status;
    }
    if (rq.flatten)
        r.axis = 0; /* one lane: the run */
    const pscan_view *walked = rq.flatten ? &run : &rq.in;
    /* One lane, a plain accumulator: straight to the state (src/reduce.c),
     * the run walked backwards under REVERSE. */
    if (rq.in.size > 0 && lanes == 1 && pscan_reduce_run_applies(&rq)) {
        pscan_view lane;
        pscan_view_along(walked, r.axis, 0, walked->shape[r.axis],
                         (rq.opts.flags & PSCAN_FLAG_REVERSE) != 0, &lane);
        return pscan_reduce_run(&rq, lane.data, lane.strides[r.axis], lane.shape[r.axis], state_in,
                                state_out);
    }
    const int64_t row_bytes = pscan_view_lanes(walked, r.axis) * (int64_t)acc_item;
    r.rows = pscan_carry_piece_rows(op, rq.acc, rq.opts.order, r.budget / row_bytes);
    return reduce_lanes(&r, walked, 0, state_in, state_out);
}

pscan_status pscan_combine_states(pscan_op op, pscan_dtype in_dtype, pscan_dtype dtype,
                                  const pscan_opts *opts, const void *first, const void *second,
                                  void *result, int64_t count)
{
    if (!first || !second || !result)
        return count == 0 ? PSCAN_OK : PSCAN_ENULL;
    pscan_opts read;
    pscan_status status = pscan_opts_read(opts, &read);
    if (status != PSCAN_OK)
        return status;
    if ((int)op < 0 || op >= PSCAN_OP_COUNT)
        return PSCAN_EOP;
    if (!pscan_dtype_valid(in_dtype) || (dtype != PSCAN_DTYPE_DEFAULT && !pscan_dtype_valid(dtype)))
        return PSCAN_EDTYPE;
    if (count < 0)
        return PSCAN_ESIZE;
    const pscan_dtype acc =
        dtype == PSCAN_DTYPE_DEFAULT ? pscan_default_dtype(op, in_dtype) : dtype;
    if (!pscan_op_accepts(op, acc))
        return PSCAN_EDTYPE;
    if (pscan_op_is_arg(op)) {
        pscan_arg_combine_states(acc, op == PSCAN_ARGMAX, first, second, result, count);
        return PSCAN_OK;
    }
    const pscan_kernel *kernel =
        pscan_compensates(op, acc, &read)
            ? pscan_kernel_get_compensated(acc == PSCAN_COMPLEX64 || acc == PSCAN_COMPLEX128)
            : pscan_kernel_get(pscan_kernel_op(op, read.order), acc);
    kernel->combine(first, second, result, (size_t)count);
    return PSCAN_OK;
}
