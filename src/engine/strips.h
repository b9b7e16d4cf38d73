/* strips.h - the fused scan over an axis and the last axis (a summed-area
 * table per image). */
#ifndef PSCAN_STRIPS_H
#define PSCAN_STRIPS_H

#include "pscan.h"

#include <stdbool.h>

/* SUM/PROD/MAX/MIN over axis row_axis and the last axis of in (ndim >= 2,
 * row_axis < ndim - 1; a summed-area table per image, an image being
 * every choice of the other indices) into out,
 * both C-contiguous, out of dtype acc, in == out or apart, no flags but
 * INCLUDE_INITIAL for SUM (out then one longer along both axes, its shape
 * checked by the caller, zero first).
 * *fused is false (and nothing is done) when the layout does not qualify,
 * or the op's order matters (float sums and products), there are fewer
 * images than threads and the images are too narrow or too short for
 * column strips on two threads: the caller scans otherwise.
 * Returns PSCAN_ENOMEM, with out untouched, if scratch is refused. */
pscan_status pscan_sat_scan(pscan_op op, const pscan_array *in, int row_axis, pscan_dtype acc,
                            const pscan_array *out, const pscan_opts *opts, bool *fused);

#endif
