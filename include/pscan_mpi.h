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
 * MPI_Exscan of the lanes' local totals (a user MPI_Op over pscan's own
 * combine, so every op and dtype works); nothing is gathered.
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
 * local_in: any dtype, C-contiguous (strides NULL or C strides).
 * local_out: local_in's shape (1-D of its size for PSCAN_AXIS_NONE), the
 * accumulator's dtype, C-contiguous. opts.flags must be 0.
 * Results: integers, bool, MAX and MIN are the single-process results bit
 * for bit. Float sums and products combine the ranks' totals in MPI's
 * order, so they equal the single-process result within the README's
 * error bound, not bit for bit; for a fixed number of ranks they do not
 * depend on the thread count.
 * @return PSCAN_OK; what pscan_scan would return for the local arrays;
 *   PSCAN_ENOTSUP for a non-contiguous array or an out dtype other than
 *   the accumulator; PSCAN_EOPTS for flags; PSCAN_EDTYPE when ranks use
 *   different accumulators, PSCAN_ESHAPE when their other dimensions or
 *   ndim differ, PSCAN_EAXIS when their op or axis differ. The same
 *   status on every rank (the largest code among the ranks' own errors).
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
