/* reduce.c - the state of one lane at copy speed, for
 * pscan_scan_reduce_state: the lane's elements are read once, converted a
 * tile at a time into accumulator values (or read in place), and reduced
 * with the kernels, giving the scan's state bit for bit:
 *   order-free ops (integers, bool, MAX, MIN): threads reduce contiguous
 *     ranges and their partial states combine in any grouping;
 *   REPRODUCIBLE float sums and products: threads reduce whole tiles to
 *     their totals A(t), which the caller folds in order, P(t) =
 *     P(t-1) op A(t), exactly as the scan chains its tiles (engine.h);
 *   SEQUENTIAL: one thread continues the left-to-right chain. */
#include "reduce.h"

#include "context.h"
#include "dtype.h"
#include "engine.h"
#include "scan_entry.h"
#include "tuning.h"

#include <stdlib.h>
#include <string.h>

/* The widest plain accumulator: complex128. */
enum { MAX_STATE = 16 };

typedef enum reduce_mode { ORDER_FREE, TILED, SEQUENTIAL } reduce_mode;

typedef struct lane_reduce {
    reduce_mode mode;
    const char *base;
    int64_t stride, n;
    pscan_convert_fn load; /* NULL: the input is the accumulator, contiguous */
    const pscan_kernel *kernel;
    size_t acc_size;
    const char *state_in; /* SEQUENTIAL: where the chain starts (NULL: fresh) */
    char *totals;         /* TILED: one per tile; else one partial per member */
    bool *has;            /* ORDER_FREE: the member had elements */
} lane_reduce;

/* Elements [first, first + count) as accumulator values, a tile at a time:
 * visit(values, k, arg) per piece. */
static const char *values_at(const lane_reduce *r, int64_t at, int64_t k, char *buffer)
{
    if (!r->load)
        return r->base + at * r->stride;
    r->load(r->base + at * r->stride, (ptrdiff_t)r->stride, buffer, (ptrdiff_t)r->acc_size,
            (size_t)k);
    return buffer;
}

static void reduce_member(void *arg, int member, int members)
{
    lane_reduce *r = arg;
    const int64_t units = r->mode == TILED ? (r->n + PSCAN_TILE - 1) / PSCAN_TILE : r->n;
    const int64_t base = units / members, extra = units % members;
    const int64_t first_unit = member * base + (member < extra ? member : extra);
    const int64_t unit_count = base + (member < extra ? 1 : 0);
    const int64_t scale = r->mode == TILED ? PSCAN_TILE : 1;
    const int64_t first = first_unit * scale;
    const int64_t end =
        (first_unit + unit_count) * scale < r->n ? (first_unit + unit_count) * scale : r->n;
    _Alignas(64) char buffer[PSCAN_TILE * MAX_STATE];
    _Alignas(16) char piece[MAX_STATE];
    char *mine = r->mode == TILED ? r->totals + first_unit * (int64_t)r->acc_size
                                  : r->totals + member * MAX_STATE;
    bool have = r->mode == SEQUENTIAL && r->state_in;
    if (have)
        memcpy(mine, r->state_in, r->acc_size);
    for (int64_t at = first; at < end; at += PSCAN_TILE) {
        const int64_t k = end - at < PSCAN_TILE ? end - at : PSCAN_TILE;
        const char *values = values_at(r, at, k, buffer);
        switch (r->mode) {
        case TILED: /* this tile's total, in place */
            r->kernel->reduce_segments(values, (size_t)k, 1, mine);
            mine += r->acc_size;
            break;
        case ORDER_FREE:
            r->kernel->reduce_segments(values, (size_t)k, 1, have ? piece : mine);
            if (have)
                r->kernel->combine(mine, piece, mine, 1);
            break;
        case SEQUENTIAL: /* the chain goes on through the first value */
            if (have) {
                if (values != buffer) {
                    memcpy(buffer, values, (size_t)k * r->acc_size);
                    values = buffer;
                }
                r->kernel->fold(buffer, 1, mine);
            }
            r->kernel->reduce_segments(values, (size_t)k, 1, mine);
            break;
        }
        have = true;
    }
    if (r->has)
        r->has[member] = have;
}

bool pscan_reduce_run_applies(const pscan_request *rq)
{
    return !(rq->opts.flags & PSCAN_FLAG_CHECK_OVERFLOW) &&
           !pscan_compensates(rq->op, rq->acc, &rq->opts) && pscan_dtype_size(rq->acc) <= MAX_STATE;
}

pscan_status pscan_reduce_run(const pscan_request *rq, const char *base, int64_t stride, int64_t n,
                              const void *state_in, void *state_out)
{
    lane_reduce r;
    r.kernel = pscan_kernel_get(pscan_kernel_op(rq->op, rq->opts.order), rq->acc);
    const bool order_matters = !r.kernel->order_free;
    r.mode = !order_matters                             ? ORDER_FREE
             : rq->opts.order == PSCAN_ORDER_SEQUENTIAL ? SEQUENTIAL
                                                        : TILED;
    r.base = base;
    r.stride = stride;
    r.n = n;
    r.acc_size = pscan_dtype_size(rq->acc);
    const bool in_place =
        rq->in.dtype == rq->acc && stride == (int64_t)r.acc_size &&
        !((rq->opts.flags & PSCAN_FLAG_SKIP_NAN) && pscan_dtype_is_inexact(rq->in.dtype));
    r.load = in_place ? NULL : pscan_load_for(rq->op, rq->in.dtype, rq->acc, &rq->opts);
    r.state_in = state_in;
    const int64_t tiles = (n + PSCAN_TILE - 1) / PSCAN_TILE;
    int team = r.mode == SEQUENTIAL ? 1 : pscan_useful_threads(&rq->ctx->tuning, rq->threads, n);
    const size_t totals = r.mode == TILED ? (size_t)tiles * r.acc_size : (size_t)team * MAX_STATE;
    r.totals = malloc(totals);
    r.has = r.mode == ORDER_FREE ? calloc((size_t)team, sizeof *r.has) : NULL;
    if (!r.totals || (r.mode == ORDER_FREE && !r.has)) {
        free(r.totals);
        free(r.has);
        return PSCAN_ENOMEM;
    }
    pscan_engine_team(rq->ctx, team, NULL, reduce_member, &r);
    switch (r.mode) {
    case SEQUENTIAL:
        memcpy(state_out, r.totals, r.acc_size);
        break;
    case TILED: /* P(t) = P(t-1) op A(t), from state_in */
        memcpy(state_out, state_in ? state_in : r.totals, r.acc_size);
        for (int64_t t = state_in ? 0 : 1; t < tiles; t++) {
            _Alignas(16) char total[MAX_STATE];
            memcpy(total, r.totals + t * (int64_t)r.acc_size, r.acc_size);
            r.kernel->fold(total, 1, state_out);
            memcpy(state_out, total, r.acc_size);
        }
        break;
    case ORDER_FREE: { /* state_in, then the members' partials in lane order */
        bool have = state_in != NULL;
        if (have)
            memcpy(state_out, state_in, r.acc_size);
        for (int m = 0; m < team; m++) {
            if (!r.has[m])
                continue;
            if (have)
                r.kernel->combine(state_out, r.totals + m * MAX_STATE, state_out, 1);
            else
                memcpy(state_out, r.totals + m * MAX_STATE, r.acc_size);
            have = true;
        }
        break;
    }
    }
    free(r.totals);
    free(r.has);
    return PSCAN_OK;
}
