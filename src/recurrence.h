/* recurrence.h - the kernels of pscan_linear_recurrence (recurrence.c):
 * y = a[i] * y + b[i] along one run of a lane, for each value type. A run
 * is given by byte pointers and byte strides (any sign, 0 included) and
 * starts on a tile boundary of its lane, so tile t of the run is elements
 * [t * PSCAN_TILE, (t + 1) * PSCAN_TILE) and every call cuts the same
 * tiles whatever part of the lane it is handed. */
#ifndef PSCAN_RECURRENCE_H
#define PSCAN_RECURRENCE_H

#include "pscan.h"

#include <stddef.h>
#include <stdint.h>

/* One run: a, b read, out written, `len` elements each. */
typedef struct pscan_rec_run {
    const char *a, *b;
    char *out;
    ptrdiff_t a_stride, b_stride, out_stride;
    int64_t len;
} pscan_rec_run;

typedef struct pscan_rec_kernels {
    size_t value_size; /* bytes of one value (out's dtype) */
    size_t slot_size;  /* bytes of one entry of `pairs` and `incoming` */
    /* pairs[2t], pairs[2t + 1] = (A_t, B_t) of the run's tile t: (a, b) of
     * its first element, then (a * A, a * B + b) for each next one. */
    void (*reduce)(const pscan_rec_run *run, void *pairs);
    /* incoming[0] = *y_in, incoming[t + 1] = A_t * incoming[t] + B_t for
     * t < tiles; *y_end = incoming[tiles] (y_end may alias y_in). */
    void (*chain)(const void *pairs, int64_t tiles, const void *y_in, void *incoming, void *y_end);
    /* Tile t's outputs: y = a * y + b from y = incoming[t]. */
    void (*scan)(const pscan_rec_run *run, const void *incoming);
    /* The plain loop over the whole run from *y_in; the last value to
     * *y_end (may alias y_in). */
    void (*loop)(const pscan_rec_run *run, const void *y_in, void *y_end);
} pscan_rec_kernels;

/* The kernels of a value type (float32, float64, complex64, complex128),
 * or NULL for any other dtype. */
const pscan_rec_kernels *pscan_rec_kernels_get(pscan_dtype value_type);

#endif
