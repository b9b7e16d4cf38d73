/* reduce.c - the state of one lane of an order-free scan (integers, bool,
 * MAX, MIN) at copy speed, for pscan_scan_reduce_state: threads take
 * contiguous ranges of the lane, convert them a cache-sized chunk at a
 * time into accumulator values (or read them in place) and reduce them
 * with the kernel; the partial states combine in any grouping, which is
 * what order-free means, so the state is the scan's bit for bit. */
#include "reduce.h"

#include "context.h"
#include "dtype.h"
#include "engine.h"
#include "scan_entry.h"
#include "tuning.h"

#include <stdbool.h>
#include <string.h>

/* Values converted per chunk: 32 KiB of the widest plain accumulator. */
enum { REDUCE_CHUNK = 2048, MAX_STATE = 16 };

typedef struct lane_reduce {
    const char *base;
    int64_t stride, n;
    pscan_convert_fn load; /* NULL: the input is the accumulator, contiguous */
    const pscan_kernel *kernel;
    size_t acc_size;
    _Alignas(16) char partials[PSCAN_MAX_THREADS_REDUCED][MAX_STATE];
    bool has[PSCAN_MAX_THREADS_REDUCED];
} lane_reduce;

static void reduce_member(void *arg, int member, int members)
{
    lane_reduce *r = arg;
    const int64_t base = r->n / members, extra = r->n % members;
    const int64_t first = member * base + (member < extra ? member : extra);
    const int64_t count = base + (member < extra ? 1 : 0);
    _Alignas(64) char buffer[REDUCE_CHUNK * MAX_STATE];
    _Alignas(16) char piece[MAX_STATE];
    char *total = r->partials[member];
    r->has[member] = count > 0;
    if (!r->load) { /* in place: one kernel call */
        if (count > 0)
            r->kernel->reduce_segments(r->base + first * r->stride, (size_t)count, 1, total);
        return;
    }
    for (int64_t at = first; at < first + count; at += REDUCE_CHUNK) {
        const int64_t k = first + count - at < REDUCE_CHUNK ? first + count - at : REDUCE_CHUNK;
        r->load(r->base + at * r->stride, (ptrdiff_t)r->stride, buffer, (ptrdiff_t)r->acc_size,
                (size_t)k);
        r->kernel->reduce_segments(buffer, (size_t)k, 1, at == first ? total : piece);
        if (at != first)
            r->kernel->combine(total, piece, total, 1);
    }
}

bool pscan_reduce_run_applies(const pscan_request *rq)
{
    return !(rq->opts.flags & PSCAN_FLAG_CHECK_OVERFLOW) &&
           !pscan_compensates(rq->op, rq->acc, &rq->opts) &&
           pscan_kernel_get(rq->op, rq->acc)->order_free && pscan_dtype_size(rq->acc) <= MAX_STATE;
}

void pscan_reduce_run(const pscan_request *rq, const char *base, int64_t stride, int64_t n,
                      const void *state_in, void *state_out)
{
    lane_reduce r;
    r.base = base;
    r.stride = stride;
    r.n = n;
    r.kernel = pscan_kernel_get(rq->op, rq->acc);
    r.acc_size = pscan_dtype_size(rq->acc);
    const bool in_place =
        rq->in.dtype == rq->acc && stride == (int64_t)r.acc_size &&
        !((rq->opts.flags & PSCAN_FLAG_SKIP_NAN) && pscan_dtype_is_inexact(rq->in.dtype));
    r.load = in_place ? NULL : pscan_load_for(rq->op, rq->in.dtype, rq->acc, &rq->opts);
    int team = pscan_useful_threads(&rq->ctx->tuning, rq->threads, n);
    if (team > PSCAN_MAX_THREADS_REDUCED)
        team = PSCAN_MAX_THREADS_REDUCED;
    memset(r.has, 0, sizeof r.has);
    pscan_engine_team(rq->ctx, team, NULL, reduce_member, &r);
    /* state_in, then the members' partials in lane order */
    bool have = state_in != NULL;
    if (have)
        memcpy(state_out, state_in, r.acc_size);
    for (int m = 0; m < team; m++) {
        if (!r.has[m])
            continue;
        if (have)
            r.kernel->combine(state_out, r.partials[m], state_out, 1);
        else
            memcpy(state_out, r.partials[m], r.acc_size);
        have = true;
    }
}
