/* overflow.h - PSCAN_FLAG_CHECK_OVERFLOW: would any partial result
 * overflow the integer accumulator? Answered before the first write. */
#ifndef PSCAN_OVERFLOW_H
#define PSCAN_OVERFLOW_H

#include "convert.h"
#include "layout.h"

/* PSCAN_EOVERFLOW when a partial sum or product of `op` along `axis` of
 * `in` (or its C-order flattening), its elements converted by `load` to the
 * integer accumulator `acc`, leaves acc's range; else PSCAN_OK (also for
 * MAX, MIN, bool and float accumulators, which cannot overflow). carry:
 * NULL, or one accumulator per lane (C order of the other dims) that the
 * lane's partial results continue from. At most `threads` threads of
 * ctx's, as many as its tuning finds worth starting (an engine team).
 * When flattening, only the first flat_count elements count: an exclusive
 * scan that could not flatten its view scans all of `in` and drops the
 * last partial, which is no result. */
pscan_status pscan_check_overflow(const pscan_view *in, int axis, int flatten, int64_t flat_count,
                                  pscan_op op, pscan_dtype acc, pscan_convert_fn load, int threads,
                                  const pscan_context *ctx, const char *carry);

#endif
