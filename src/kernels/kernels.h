/* kernels.h - the narrow interface between the engine and the per-op,
 * per-accumulator scan kernels. Kernels work on contiguous, aligned buffers
 * of accumulator values; the engine owns strides, conversions and carries. */
#ifndef PSCAN_KERNELS_H
#define PSCAN_KERNELS_H

#include "pscan.h"

#include <stddef.h>

typedef struct pscan_kernel {
    /* Inclusive scan in place: buf[i] = buf[i-1] op buf[i], left to right;
     * if carry is not NULL, buf[0] = *carry op buf[0] first. */
    void (*scan)(void *buf, size_t n, const void *carry);
    /* buf[i] = *carry op buf[i]: applies a tile's incoming prefix. */
    void (*fold)(void *buf, size_t n, const void *carry);
    /* dst[i] = prev[i] op next[i]: one step of many lanes at once. dst may
     * be prev or next. */
    void (*combine)(const void *prev, const void *next, void *dst, size_t n);
} pscan_kernel;

/* Kernels for op over accumulator type acc (both valid); never NULL. */
const pscan_kernel *pscan_kernel_get(pscan_op op, pscan_dtype acc);

#endif
