/* lanes.c - LANES: each thread takes a contiguous range of whole lanes;
 * short lanes are scanned many per kernel call. */
#define _POSIX_C_SOURCE 200809L

#include "internal.h"

#include <omp.h>

/* ---- LANES: whole lanes per thread ---- */

static void scan_lane(const pscan_plan *plan, const pscan_job *job, char *buffer, int64_t lane)
{
    const int64_t len = lane_length(plan), acc = (int64_t)job->acc_size;
    _Alignas(16) char carry[MAX_ACC_SIZE];
    const char *lane_carry = job->carry ? job->carry + lane * acc : NULL;
    for (int64_t start = 0; start < len; start += block_len(job)) {
        block_view view;
        int64_t n = min64(block_len(job), len - start);
        pscan_block_open(plan, job, buffer, lane, start, n, &view);
        pscan_scan_values(job, view.src, view.dst, n, start > 0 ? carry : lane_carry);
        memcpy(carry, view.dst + (n - 1) * acc, (size_t)acc);
        pscan_block_close(job, &view);
    }
    if (job->state_out && len > 0)
        memcpy(job->state_out + lane * acc, carry, (size_t)acc);
}

/* Lanes of at most one tile, many per kernel call: straight from in to out
 * when the lanes lie back to back, lane by lane when they are apart but
 * need no conversion, else through the buffer, which the cursor fills
 * across lane boundaries. */
static void scan_short_lanes(const pscan_plan *plan, const pscan_job *job, char *buffer,
                             int64_t first, int64_t count)
{
    const int64_t len = plan->scan.len, acc = (int64_t)job->acc_size;
    const pscan_kernel *kernel = job->kernel;
    const int64_t per_load = block_len(job) / len;
    if (job->direct && plan->outer_ndim == 1 && plan->outer[0].in_stride == len * acc &&
        plan->outer[0].out_stride == len * acc) {
        const char *src = plan->in_base + first * len * acc;
        char *out = plan->out_base + first * len * acc;
        if (!job->stream) {
            kernel->scan_segments(src, out, (size_t)len, (size_t)count);
            return;
        }
        for (int64_t done = 0; done < count; done += per_load) {
            int64_t lanes = min64(per_load, count - done);
            kernel->scan_segments(src + done * len * acc, buffer, (size_t)len, (size_t)lanes);
            job->stream(out + done * len * acc, buffer, (size_t)(lanes * len * acc));
        }
        return;
    }
    run_cursor cursor;
    pscan_cursor_seek(&cursor, plan, first);
    if (job->direct && !job->stream) { /* no buffer: lane by lane in place */
        for (int64_t lane = 0; lane < count; lane++) {
            if (lane > 0)
                pscan_cursor_next_run(&cursor);
            kernel->scan_segments(plan->in_base + cursor.in_offset,
                                  plan->out_base + cursor.out_offset, (size_t)len, 1);
        }
        return;
    }
    for (int64_t done = 0; done < count;) {
        int64_t lanes = min64(per_load, count - done);
        run_cursor start = cursor;
        pscan_cursor_transfer(&cursor, job, buffer, lanes * len, LOAD_VALUES);
        if (kernel)
            kernel->scan_segments(buffer, buffer, (size_t)len, (size_t)lanes);
        pscan_cursor_transfer(&start, job, buffer, lanes * len, STORE_VALUES);
        done += lanes;
    }
}

static void scan_lane_range(const pscan_plan *plan, const pscan_job *job, char *buffer,
                            int64_t first, int64_t count)
{
    if (plan->kind == PSCAN_PLAN_LANES && plan->scan.len <= PSCAN_TILE && count > 1 &&
        !job->carry && !job->state_out) {
        scan_short_lanes(plan, job, buffer, first, count);
        return;
    }
    for (int64_t lane = first; lane < first + count; lane++)
        scan_lane(plan, job, buffer, lane);
}

void pscan_run_lanes(const pscan_plan *plan, const pscan_job *job, pscan_workspace *ws,
                     const pscan_chunk *chunks)
{
    char *scratch = ws->scratch;
    const int64_t lanes = lane_count(plan);
    if (job->team == 1) {
        scan_lane_range(plan, job, scratch, 0, lanes);
        finish_streaming(job);
        return;
    }
#pragma omp parallel num_threads(job->team)
    {
        int64_t first, count;
        int member = omp_get_thread_num();
        void *saved = pscan_team_enter(job, chunks, member);
        split_range(lanes, omp_get_num_threads(), member, &first, &count);
        scan_lane_range(plan, job, scratch + (size_t)member * job->scratch_per_thread, first,
                        count);
        finish_streaming(job);
        pscan_team_leave(job, saved);
    }
}
