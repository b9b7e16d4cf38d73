/* convert.h - element conversions between dtypes, on load and on store. */
#ifndef PSCAN_CONVERT_H
#define PSCAN_CONVERT_H

#include "pscan.h"

#include <stddef.h>
#include <stdint.h>

/* Convert n elements from a strided source to a strided destination.
 * Strides are in bytes; elements need not be aligned. */
typedef void (*pscan_convert_fn)(const char *src, ptrdiff_t src_stride, char *dst,
                                 ptrdiff_t dst_stride, size_t n);

/* The converter for from -> to (both valid dtypes); never NULL. */
pscan_convert_fn pscan_convert_get(pscan_dtype from, pscan_dtype to);

/* The load for opts.flags & PSCAN_FLAG_SKIP_NAN: from -> to where a NaN
 * input (float16/32/64, or complex with either part NaN) becomes op's
 * starting value first (SUM 0, PROD 1, MAX and LOGADDEXP -inf, MIN +inf;
 * the bitwise ops convert NaN as usual), then is
 * converted like any value; the plain converter for inputs without NaN. */
pscan_convert_fn pscan_convert_get_skip_nan(pscan_dtype from, pscan_dtype to, pscan_op op);

/* Compensated sums keep each accumulator value as pairs hi + lo of doubles
 * (one pair for float16/32/64 accumulators, two for complex64/128); the
 * converters, the kernels and the engine's carries all size them by these. */
#define PSCAN_PAIR_BYTES (2 * sizeof(double))
#define PSCAN_COMPLEX_PAIR_BYTES (2 * PSCAN_PAIR_BYTES)
/* The load: from -> acc as usual, then widened exactly to pairs; the store:
 * the pairs rounded to double, then to acc, then converted to `to`. NULL
 * when acc is not a float or complex type. */
pscan_convert_fn pscan_convert_get_to_pair(pscan_dtype from, pscan_dtype acc);
pscan_convert_fn pscan_convert_get_from_pair(pscan_dtype acc, pscan_dtype to);

/* The pair load for skip-NaN compensated sums: a NaN input (float or
 * complex, either part) counts as 0; the plain pair load for the others. */
pscan_convert_fn pscan_convert_get_to_pair_skip_nan(pscan_dtype from, pscan_dtype acc);

/* IEEE binary16 <-> binary32/64, round to nearest even as numpy does. */
float pscan_half_to_float(uint16_t h);
uint16_t pscan_float_to_half(float f);
uint16_t pscan_double_to_half(double d);

#endif
