/* mpi_check.h - what the MPI test programs share: this rank, the number
 * of ranks, and CHECK, which counts a failed condition and prints it with
 * the rank; mpi_check_failures() sums the failures over every rank. One
 * translation unit per program includes it. */
#ifndef PSCAN_TEST_MPI_CHECK_H
#define PSCAN_TEST_MPI_CHECK_H

#include <mpi.h>
#include <stdio.h>

static int rank, ranks, failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "rank %d: %s:%d: ", rank, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

/* Every rank's failures, summed (on every rank). */
static inline int mpi_check_failures(void)
{
    int all = failures;
    MPI_Allreduce(MPI_IN_PLACE, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    return all;
}

#endif
