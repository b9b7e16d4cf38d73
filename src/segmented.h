/* segmented.h - the per-(op, type) steps of segmented scans
 * (kernels/segmented_kernels.c), which the driver (segmented.c) runs tile
 * by tile. A step sees one tile's values (strided bytes of the kernel
 * type) and one start byte per value (nonzero: a segment starts there,
 * so bool and int8 flags in a row are start bytes as they are). */
#ifndef PSCAN_SEGMENTED_H
#define PSCAN_SEGMENTED_H

#include "pscan.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pscan_seg_steps {
    /* Scan n values into dst (may be src). carry: NULL for a lane's first
     * tile (its value 0 starts a segment whatever start[0] is), else the
     * last inclusive result before the tile. tiled: the values before the tile's first start are carry op
     * (their scan from the tile's first value), not a running chain from
     * carry. exclusive: each output is the result before its value (the
     * identity at a start). *last gets the last inclusive result. */
    void (*scan)(const char *src, ptrdiff_t src_stride, char *dst, ptrdiff_t dst_stride,
                 const uint8_t *start, size_t n, const void *carry, int tiled, int exclusive,
                 const void *identity, void *last);
    /* *state = state op v[0] op ... op v[n-1], left to right; has_state 0:
     * v[0] op ... (n >= 1). */
    void (*fold)(const char *src, ptrdiff_t src_stride, size_t n, void *state, int has_state);
    /* result = first op second (result may be either). */
    void (*combine)(const void *first, const void *second, void *result);
    /* The exact partial results of an integer SUM or PROD: 1 when one that
     * is a result leaves the type's range. *state, *has_state and
     * *pending (an overflowed partial that is a result only if the next
     * value continues its segment: exclusive) carry on from tile to tile. */
    int (*overflows)(const char *src, ptrdiff_t src_stride, const uint8_t *start, size_t n,
                     int exclusive, void *state, int *has_state, int *pending);
} pscan_seg_steps;

/* Kernel types beyond the dtypes (values.h's ktype order: the dtypes in
 * pscan_dtype order, then the compensated pairs). */
enum { PSCAN_SEG_KT_PAIR = PSCAN_DTYPE_COUNT - 1, PSCAN_SEG_KT_COMPLEX_PAIR, PSCAN_SEG_KT_COUNT };

/* The steps of `op` over kernel type `kt` (a dtype minus 1, or a pair
 * type); NULL where op has no segmented steps: the one place that says
 * which ops a segmented scan takes. */
const pscan_seg_steps *pscan_seg_steps_get(pscan_op op, int kt);

#endif
