/* ops.h - which accumulators each op has a loop for, and whether its
 * result depends on the order of the combines: the one place that says
 * so for validation, the engine's choice of tiles and the pieces. */
#ifndef PSCAN_OPS_H
#define PSCAN_OPS_H

#include "pscan.h"

#include <stdbool.h>

/* numpy has a loop for op over acc: any dtype for SUM..MIN and the arg
 * scans (comparisons), floats
 * (float16/32/64) for LOGADDEXP, bool and integers for the bitwise ops.
 * False for DEFAULT, invalid dtypes and ops without kernels. */
bool pscan_op_accepts(pscan_op op, pscan_dtype acc);

/* PSCAN_ARGMAX and PSCAN_ARGMIN: indexes out, (value, index) elements
 * on the generic engine (arg_scan.c), not the kernel tables. */
static inline bool pscan_op_is_arg(pscan_op op)
{
    return op == PSCAN_ARGMAX || op == PSCAN_ARGMIN;
}

/* Regrouping changes bits (float and complex sums and products,
 * logaddexp): REPRODUCIBLE scans it in fixed tiles. */
bool pscan_op_order_matters(pscan_op op, pscan_dtype acc);

#endif
