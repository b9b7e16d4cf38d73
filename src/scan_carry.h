/* scan_carry.h - a scan that starts from a given carry: the piece of a
 * longer scan that comes after what the carry sums up. The command-line
 * tool scans files larger than memory this way, a slab at a time, and
 * pscan_stream pushes chunks through it; not part of the installed API. */
#ifndef PSCAN_SCAN_CARRY_H
#define PSCAN_SCAN_CARRY_H

#include "pscan.h"

/* pscan_scan along axis 0 of a 1-D array, or of a 2-D array whose rows are
 * contiguous (stride[1] == itemsize, in and out), with every lane starting
 * from `carry`: one accumulator (dtype `dtype`, or numpy's default for
 * op and in's dtype) per lane, as though it were the lane's previous
 * inclusive result. Results are those of the whole scan when the piece
 * starts on a tile boundary (a multiple of 4096 along the lane) or the
 * order is SEQUENTIAL or the op order-free. opts->flags may hold only
 * PSCAN_FLAG_REVERSE (the carry then comes after the piece), SKIP_NAN and
 * CHECK_OVERFLOW (the partial results continue from the carry). */
pscan_status pscan_scan_carry(pscan_op op, const pscan_array *in, pscan_dtype dtype,
                              const pscan_array *out, const pscan_opts *opts, const void *carry);

/* Rows per piece for a lane scanned in pieces of about `wanted_rows`: any
 * count (at least 1) where the order is free (integers, bool, MAX, MIN,
 * SEQUENTIAL), else whole tiles (a multiple of PSCAN_TILE, at least one),
 * so the pieces give the bits of one call. */
int64_t pscan_carry_piece_rows(pscan_op op, pscan_dtype acc, pscan_order order, int64_t wanted_rows);

/* The same along `axis` 0 or 1 of a 2-D array: axis 1 needs in and out
 * C-ordered, and then every row is a lane with its own carry. */
pscan_status pscan_scan_carry_axis(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                                   const pscan_array *out, const pscan_opts *opts,
                                   const void *carry);

/* Pieces that carry the engine's own state: state_in (NULL: the lanes
 * start fresh) and state_out (NULL: not wanted) hold, per lane in order,
 * pscan_scan_state_size bytes: the accumulator, or for compensated sums
 * its (hi, lo) pairs of doubles, so a compensated lane scanned in pieces
 * gives the bits of one call. Flags as pscan_scan_carry, and COMPENSATED.
 * state_out may not overlap state_in. */
size_t pscan_scan_state_size(pscan_op op, pscan_dtype in_dtype, pscan_dtype dtype,
                             const pscan_opts *opts);
pscan_status pscan_scan_carry_state(pscan_op op, const pscan_array *in, int axis,
                                    pscan_dtype dtype, const pscan_array *out,
                                    const pscan_opts *opts, const void *state_in,
                                    void *state_out);

#endif
