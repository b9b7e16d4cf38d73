/* reduce.h - one lane's state read at copy speed (reduce.c), the fast
 * path of pscan_scan_reduce_state. */
#ifndef PSCAN_REDUCE_H
#define PSCAN_REDUCE_H

#include "request.h"

#include <stdbool.h>
#include <stdint.h>

/* Whether the request's state can be reduced this way: a plain
 * accumulator (not compensated pairs), no overflow check. */
bool pscan_reduce_run_applies(const pscan_request *rq);

/* The state of the n elements (n > 0) at base, stride bytes apart, after
 * state_in (NULL: none), into state_out: PSCAN_OK or PSCAN_ENOMEM. */
pscan_status pscan_reduce_run(const pscan_request *rq, const char *base, int64_t stride, int64_t n,
                              const void *state_in, void *state_out);

#endif
