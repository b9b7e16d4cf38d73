/*
 * pscan_mpi.h - cumulative scans of arrays spread over MPI processes.
 *
 * A separate library (pscan::pscan_mpi, libpscan_mpi) built when MPI is
 * found. The global array is the concatenation of the ranks' local arrays
 * in rank order: along `axis` (every other dimension equal on every rank),
 * or along the C-order flattening for PSCAN_AXIS_NONE. Each rank gets its
 * part of the global result in local_out.
 *
 * Every rank must call with the same op, axis, accumulator and options.
 * Arguments are agreed on first (one small MPI_Allreduce): an error on any
 * rank, or ranks that disagree, give every rank the same status, with no
 * deadlock and every local_out untouched. The data then moves in one
 * MPI_Exscan of the lanes' states (a user MPI_Op over pscan's own
 * combine, so every op, dtype and compensated pair works); nothing is
 * gathered.
 */
#ifndef PSCAN_MPI_H
#define PSCAN_MPI_H

#include <mpi.h>
#include <pscan.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The scan of the global array, in parallel over ranks and, inside each
 * rank, over threads (opts.threads, as for pscan_scan).
 * local_in and local_out: any layout and dtypes pscan_scan accepts, the
 * shape of one call on the local part (1-D of its size for
 * PSCAN_AXIS_NONE). Every flag, with its meaning on the global array:
 *   EXCLUSIVE: rank r starts with the combination of everything on the
 *     ranks before it; rank 0 with the identity (the offsets of MPI codes).
 *   INCLUDE_INITIAL: the first rank's local_out (rank 0's; the last rank's
 *     under REVERSE) is one longer along the axis and holds the identity;
 *     every other rank's has its input's shape.
 *   REVERSE: suffix scans; rank r continues from the ranks after it.
 *   SKIP_NAN and COMPENSATED as in one call (the ranks exchange
 *     compensated (hi, lo) pairs).
 *   CHECK_OVERFLOW: PSCAN_EOVERFLOW on every rank when any partial result
 *     of the global scan overflows, even one no rank's part has alone, and
 *     nothing written on any rank.
 * Arg scans (PSCAN_ARGMAX, PSCAN_ARGMIN) exchange (elements seen, best
 *   index, best value) states, so indexes count from the global start;
 *   under REVERSE they are PSCAN_ENOTSUP on every rank, nothing written.
 * Results: integers, bool, MAX, MIN, the bitwise and arg scans are the
 * single-process results bit for bit. Float sums and products combine the ranks' states in MPI's
 * order, so they equal the single-process result within the README's
 * error bound (compensated sums within one ulp of the single-process
 * compensated result), not bit for bit; for a fixed number of ranks they
 * do not depend on the thread count.
 * @return PSCAN_OK; what pscan_scan would return for the local arrays;
 *   PSCAN_EDTYPE when ranks use different accumulators, PSCAN_ESHAPE when
 *   their other dimensions or ndim differ, PSCAN_EAXIS when their op,
 *   axis, flags or order differ; PSCAN_EOVERFLOW as above. The same status
 *   on every rank (the largest code among the ranks' own errors).
 *   PSCAN_ENOMEM: an allocation that fails before the local scans (the
 *   states' buffers, the reduction) is agreed on with the arguments,
 *   nothing written anywhere; one that fails in a rank's local scan (the
 *   last step) is reported on every rank, that rank's out untouched, every
 *   other rank's out either untouched or holding its whole part of the
 *   right result.
 */
PSCAN_API pscan_status pscan_mpi_scan(MPI_Comm comm, pscan_op op, const pscan_array *local_in,
                                      int axis, pscan_dtype dtype, const pscan_array *local_out,
                                      const pscan_opts *opts);

/** pscan_mpi_scan with PSCAN_SUM: numpy.cumsum of the global array. */
PSCAN_API pscan_status pscan_mpi_cumsum(MPI_Comm comm, const pscan_array *local_in, int axis,
                                        pscan_dtype dtype, const pscan_array *local_out,
                                        const pscan_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* PSCAN_MPI_H */
