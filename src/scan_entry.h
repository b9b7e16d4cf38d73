/* scan_entry.h - the one way into the engine (api.c), shared with the
 * entry points that scan pieces of a longer scan (pieces.c): a piece
 * starts its lanes from given states and may hand its last ones on. */
#ifndef PSCAN_SCAN_ENTRY_H
#define PSCAN_SCAN_ENTRY_H

#include "convert.h"
#include "pscan.h"
#include "request.h"

#include <stdbool.h>
#include <stddef.h>

/* One state per lane, the lanes in the C order of in's dims other than
 * the axis (one lane when flattening): the accumulator, or a compensated
 * sum's (hi, lo) pairs of doubles (pscan_state_bytes). */
typedef struct pscan_piece {
    const void *state_in; /* NULL: the lanes start fresh */
    void *state_out;      /* NULL, or where each lane's last state goes */
} pscan_piece;

/* pscan_scan with a piece (NULL: a whole scan). Every flag works with a
 * piece: EXCLUSIVE and INCLUDE_INITIAL put each lane's state_in (converted
 * to out's dtype; the identity without one) first, and state_out is the
 * state after every element of in, so the next piece continues from it.
 * CHECK_OVERFLOW then counts that state too. A lane with no elements
 * hands state_in (or the identity) on. */
pscan_status pscan_scan_entry(pscan_op op, const pscan_array *in, int axis, pscan_dtype dtype,
                              const pscan_array *out, const pscan_opts *opts,
                              const pscan_piece *piece);

/* The overflow check alone that pscan_scan_entry runs for the request as a
 * piece from state_in that hands no state on: an exclusive piece's last
 * partial is no result. Writes nothing. */
pscan_status pscan_check_piece_overflow(const pscan_request *rq, const void *state_in);

/* One lane's state when nothing came before it: the identity (a
 * compensated sum's pairs of zeros). */
void pscan_identity_state(pscan_op op, pscan_dtype acc, const pscan_opts *opts, void *state);

/* How `in_dtype` elements become accumulator values under opts (NaN
 * skipped or not). */
pscan_convert_fn pscan_load_for(pscan_op op, pscan_dtype in_dtype, pscan_dtype acc,
                                const pscan_opts *opts);

/* Whether `op` over accumulator `acc` runs compensated under `opts`
 * (read options), and the bytes of one lane's state. */
bool pscan_compensates(pscan_op op, pscan_dtype acc, const pscan_opts *opts);
size_t pscan_state_bytes(pscan_op op, pscan_dtype acc, const pscan_opts *opts);

#endif
