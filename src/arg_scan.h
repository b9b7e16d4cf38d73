/* arg_scan.h - the running arg-max and arg-min (PSCAN_ARGMAX, PSCAN_ARGMIN). */
#ifndef PSCAN_ARG_SCAN_H
#define PSCAN_ARG_SCAN_H

#include "request.h"

#include <stdbool.h>

#include <stddef.h>
#include <stdint.h>

/* Scan the checked request: values compared in rq->acc, out gets each
 * prefix's index along the lane (C-order position when flattening) of
 * its first maximum (find_max) or minimum, -1 for none, converted from
 * int64. Flags EXCLUSIVE, INCLUDE_INITIAL, REVERSE and SKIP_NAN. A piece
 * of a longer scan starts each lane from state_in (NULL: fresh; indexes
 * then count on from the elements it has seen) and hands the state after
 * all of in to state_out (NULL: not wanted), pscan_arg_state_bytes()
 * each, lanes in C order; pieces under REVERSE are PSCAN_ENOTSUP.
 * Without `scan`, the states alone (a reduction: out is not written). */
pscan_status pscan_arg_scan(const pscan_request *rq, bool find_max, const void *state_in,
                            void *state_out, bool scan);

/* The bytes of one lane's state: the elements seen (int64), the best
 * one's index (int64, -1 for none) and its value (16 bytes, the
 * comparison dtype's first). */
size_t pscan_arg_state_bytes(void);

/* A lane's state before any element: none seen, no best. */
void pscan_arg_identity_state(void *state);

/* result[k] = the state of first[k]'s elements followed by second[k]'s,
 * values compared in acc (result may be first or second). */
void pscan_arg_combine_states(pscan_dtype acc, bool find_max, const void *first, const void *second,
                              void *result, int64_t count);

#endif
