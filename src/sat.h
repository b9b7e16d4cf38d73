/* sat.h - the fused scan over the last two axes (a summed-area table per
 * image), for ops whose result does not depend on grouping. */
#ifndef PSCAN_SAT_H
#define PSCAN_SAT_H

#include "pscan.h"

#include <stdbool.h>

/* SUM/PROD/MAX/MIN over the last two axes of in (ndim >= 2) into out,
 * both C-contiguous, out of dtype acc, in == out or apart, no flags.
 * *fused is false (and nothing is done) when the op and acc are not
 * order-free or the layout does not qualify: the caller scans otherwise.
 * Returns PSCAN_ENOMEM, with out untouched, if scratch is refused. */
pscan_status pscan_sat_scan(pscan_op op, const pscan_array *in, pscan_dtype acc,
                            const pscan_array *out, const pscan_opts *opts, bool *fused);

#endif
