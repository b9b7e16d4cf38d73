/* sat_kernels.h - the summed-area table's row steps with the input's
 * conversion inside the load (src/engine/strips.c), per (input dtype,
 * accumulator), compiled per instruction set like the scan kernels. */
#ifndef PSCAN_SAT_KERNELS_H
#define PSCAN_SAT_KERNELS_H

#include "pscan.h"

#include <stddef.h>

typedef struct pscan_sat_kernel {
    /* (row and add are NULL where the sum's order matters.)
     * column[i] = in[i] (first) or column[i] + in[i], in converted to the
     * accumulator; then out[0..n) = the running sum along column: one pass
     * over in, column and out, with non-temporal stores to out if
     * `stream`. The sums must be order-free (integers wrap; float64 only
     * where every sum is an exact integer): the row is scanned as a tree. */
    void (*row)(const void *in, void *column, void *out, size_t n, int first, int stream);
    /* column[i] = in[i] (first) or column[i] + in[i], converted as above. */
    void (*add)(const void *in, void *column, size_t n, int first);
    /* dst[i] = in[i] converted (contiguous; convert.c's values, vectorised
     * in this instruction set). */
    void (*load)(const void *in, void *dst, size_t n);
    /* The ordered path's column step (float sums): local[i] = values[i]
     * (first) or local[i] + values[i], then out[i] = prefix[i] + local[i]
     * (local[i] if prefix is NULL), streamed if `stream`: the bits of the
     * plain kernels' combines, in one pass. NULL where there is none. */
    void (*column)(const void *values, void *local, const void *prefix, void *out, size_t n,
                   int first, int stream);
    /* The ordered path's row step (float sums): `count` rows of n inputs,
     * row k at in + k * in_row (in elements), converted and scanned left
     * to right, each row the chain the plain kernels' scan_rows gives it:
     * after locals[k] if `cont`, then after prefixes[k] (the fold) when
     * prefixes is not NULL; locals[k] gets the row's last running value
     * (before the prefix). Row k's values go to dst + k * dst_row, or, when
     * local is not NULL, through the column step first, row after row:
     * local[i] = local[i] + value, stored as column_prefix[i] + local[i]
     * (local[i] if column_prefix is NULL), streamed if `stream` and dst's
     * rows allow. NULL where there is none. */
    void (*rows)(const void *in, size_t in_row, void *dst, size_t dst_row, size_t n, size_t count,
                 void *locals, int cont, const void *prefixes, void *local,
                 const void *column_prefix, int stream);
} pscan_sat_kernel;

/* The SUM steps for in -> acc in the chosen instruction set; NULL where
 * there are none (the engine then loads through convert.c and scans with
 * the plain kernels). */
const pscan_sat_kernel *pscan_sat_kernel_get(pscan_dtype in, pscan_dtype acc);

/* One table per compiled instruction set (dispatch.c picks). */
typedef pscan_sat_kernel pscan_sat_kernel_table[PSCAN_DTYPE_COUNT][PSCAN_DTYPE_COUNT];
extern const pscan_sat_kernel_table pscan_sat_kernels_scalar;
extern const pscan_sat_kernel_table pscan_sat_kernels_avx2;
extern const pscan_sat_kernel_table pscan_sat_kernels_avx512;

#endif
