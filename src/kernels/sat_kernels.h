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
