/* tbb_scan.h - oneTBB parallel_scan as a benchmark peer (C interface). */
#ifndef PSCAN_PERF_TBB_SCAN_H
#define PSCAN_PERF_TBB_SCAN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* out[i] = in[0] + ... + in[i] with tbb::parallel_scan on `threads`
 * threads; dtype is a pscan_dtype value (int32, int64, float32, float64). */
void perf_tbb_cumsum(int dtype, const void *in, void *out, int64_t n, int threads);

#ifdef __cplusplus
}
#endif

#endif
