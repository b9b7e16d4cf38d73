// tbb_scan.cpp - oneTBB parallel_scan, written as its documentation shows
// (a body that accumulates, and writes only on the final pass).
#include "tbb_scan.h"

#include <pscan.h>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_scan.h>
#include <oneapi/tbb/task_arena.h>

#include <functional>
#include <map>
#include <memory>

namespace
{

// One arena per thread count, made once: creating one per call would be
// timed as well.
tbb::task_arena &arena_for(int threads)
{
    static std::map<int, std::unique_ptr<tbb::task_arena>> arenas;
    auto &slot = arenas[threads];
    if (!slot)
        slot = std::make_unique<tbb::task_arena>(threads);
    return *slot;
}

template <class T> void scan(const T *in, T *out, int64_t n, int threads)
{
    arena_for(threads).execute([&] {
        tbb::parallel_scan(
            tbb::blocked_range<int64_t>(0, n), T(0),
            [&](const tbb::blocked_range<int64_t> &range, T running, bool is_final) {
                for (int64_t i = range.begin(); i < range.end(); ++i) {
                    running += in[i];
                    if (is_final)
                        out[i] = running;
                }
                return running;
            },
            std::plus<T>());
    });
}

} // namespace

extern "C" void perf_tbb_cumsum(int dtype, const void *in, void *out, int64_t n, int threads)
{
    switch (dtype) {
    case PSCAN_INT32:
        scan(static_cast<const int32_t *>(in), static_cast<int32_t *>(out), n, threads);
        break;
    case PSCAN_INT64:
        scan(static_cast<const int64_t *>(in), static_cast<int64_t *>(out), n, threads);
        break;
    case PSCAN_FLOAT32:
        scan(static_cast<const float *>(in), static_cast<float *>(out), n, threads);
        break;
    case PSCAN_FLOAT64:
        scan(static_cast<const double *>(in), static_cast<double *>(out), n, threads);
        break;
    default:
        break;
    }
}
